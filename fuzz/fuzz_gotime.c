/* fuzz_gotime.c -- libFuzzer target for the API's time parsing (gotime.c).
 *
 * startsAt and endsAt of every posted alert and silence go through
 * gotime_parse_datetime() (v2) or gotime_parse_json_rfc3339() (v1).  Besides
 * not crashing, the target checks two properties:
 *   - what parses prints (gotime_format_ms) as a time that parses back to
 *     the same instant truncated to the millisecond;
 *   - a value the v1 parser accepts as a plain JSON string (no escapes) is
 *     accepted by the v2 parser with the same result: RFC3339 is one of
 *     strfmt's layouts, with the same fraction leniency.
 *
 *   make fuzz FUZZ=gotime FUZZ_TIME=60 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../router/gotime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t ns = 0, back = 0;
    bool zero = false, zero2 = false;
    struct errbuf err;
    if (gotime_parse_datetime(s, &ns, &zero, &err) == 0 && !zero) {
        struct buf b = BUF_INIT;
        gotime_format_ms(&b, ns);
        if (gotime_parse_datetime(buf_str(&b), &back, &zero2, &err) != 0) {
            fprintf(stderr, "%s does not parse: %s\n", buf_str(&b), err.msg);
            abort();
        }
        int64_t ms = ns % 1000000 < 0 ? ns % 1000000 + 1000000 : ns % 1000000;
        if (back != ns - ms) {
            fprintf(stderr, "%lld -> %s -> %lld\n", (long long)ns, buf_str(&b), (long long)back);
            abort();
        }
        buf_deinit(&b);
    }
    /* the same bytes as raw JSON for v1 */
    int64_t v1 = 0;
    bool z1 = false;
    int rc = gotime_parse_json_rfc3339((const char *)data, size, &v1, &z1, &err);
    if (rc == 0 && size >= 2 && memchr(data + 1, '\\', size - 2) == NULL &&
        memchr(data + 1, '"', size - 2) == NULL && memchr(data, '\0', size) == NULL) {
        char *inner = strndup((const char *)data + 1, size - 2);
        int64_t v2 = 0;
        bool z2 = false;
        if (gotime_parse_datetime(inner, &v2, &z2, &err) != 0 || v2 != v1 || z2 != z1) {
            fprintf(stderr, "v1 takes %s, v2 does not agree\n", inner);
            abort();
        }
        free(inner);
    }
    free(s);
    return 0;
}

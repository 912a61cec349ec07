/* fuzz_api_silences.c -- libFuzzer target for POST /api/v2/silences
 * bodies, from bytes to a stored silence.
 *
 * Silences are posted by people and scripts (amtool, the UI), and the
 * matchers they carry are compiled into regexes: no body may crash the
 * router.  The target calls what the handler calls: api_decode_silence(),
 * then api_store_silence() into a fresh in-memory store; a stored silence
 * must then be found under the id returned.
 *
 *   make fuzz FUZZ=api_silences FUZZ_TIME=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../router/api_internal.h"
#include "../router/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level("error");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *body = malloc(size + 1);
    memcpy(body, data, size);
    body[size] = '\0';
    struct api_silence_body p;
    struct errbuf err;
    err.msg[0] = '\0';
    int rc = api_decode_silence(body, size, &p, &err);
    if ((rc == -1 || rc > API_SILENCE_EMPTY) && err.msg[0] == '\0')
        abort(); /* the handler would answer an empty message */
    if (rc == 0) {
        struct api a;
        memset(&a, 0, sizeof a);
        a.silences = silence_store_new(NULL, 120LL * 3600 * 1000000000LL);
        /* a fixed "now" inside the range gotime parses to */
        int64_t now = 1700000000LL * 1000000000LL;
        char id[SILENCE_ID_LEN + 1];
        err.msg[0] = '\0';
        rc = api_store_silence(&a, &p, now, id, &err);
        if (rc < 0 && err.msg[0] == '\0')
            abort();
        if (rc == 0 && silence_store_get(a.silences, id) == NULL)
            abort();
        silence_store_free(a.silences);
    }
    api_silence_body_deinit(&p);
    free(body);
    return 0;
}

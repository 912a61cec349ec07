/* fuzz_matcher.c -- libFuzzer target for the matcher grammars and the Go/RE2
 * regex front end.
 *
 * Matcher strings come from the network (the API's `filter` parameter,
 * silences) and from configs, so the parsers and the regex translator must
 * never crash, whatever the bytes.  Each input is parsed with all three
 * grammars; what parses is printed, sorted and matched; the input is also
 * compiled as an unanchored regex and matched against itself.
 *
 *   make fuzz                      (FUZZ_TIME=seconds, default 30)
 *   build-fuzz/fuzz_matcher -max_total_time=60 build-fuzz/corpus-fuzz_matcher */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../router/log.h"
#include "../router/matcher.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level("error"); /* the fallback warnings would drown the output */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    static const enum matcher_syntax syns[] = {MATCHER_SYNTAX_FALLBACK, MATCHER_SYNTAX_UTF8,
                                               MATCHER_SYNTAX_CLASSIC};
    for (size_t k = 0; k < 3; k++) {
        struct matchers ms = {0, 0, NULL};
        struct errbuf err;
        if (matchers_parse_syntax(s, syns[k], &ms, &err) == 0) {
            struct buf out = BUF_INIT;
            matchers_sort(&ms);
            matchers_format(&ms, &out);
            struct label l[] = {{"a", s}, {"alertname", "x"}};
            struct labels ls = {2, l};
            (void)matchers_match(&ms, &ls);
            buf_deinit(&out);
        }
        matchers_deinit(&ms);
    }
    struct errbuf err;
    void *re = regex_compile(s, false, &err);
    if (re) {
        (void)regex_match(re, (const char *)data, size);
        regex_free(re);
    }
    free(s);
    return 0;
}

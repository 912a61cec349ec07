/* fuzz_template.c -- libFuzzer target for the template engine.
 *
 * The input is a template (first byte: bit 0 selects HTML mode).  It is
 * parsed as a user template file next to the built-in defaults and, when it
 * parses, executed against a small fixed notification.  Any input must end
 * in success or an error message: never a crash, a leak, or unbounded time
 * or memory (the engine's limits bound all three).
 *
 *   FUZZ_TIME=60 make fuzz        (seeds: fuzz/seeds/fuzz_template/) */
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "../router/template.h"

static struct label lab[] = {{"alertname", "A"}, {"job", "j<b>"}, {"severity", "critical"}};
static struct label ann[] = {{"summary", "s & t"}};
static struct tmpl_alert alerts[] = {
    {"firing", {3, lab}, {1, ann}, 1714557600123LL, TMPL_TIME_ZERO, "http://g?x=1&y=2", "0123"},
    {"resolved", {3, lab}, {0, NULL}, 1714554000000LL, 1714557600000LL, "", "4567"},
};
static struct tmpl_data data = {"r\\.x",  "firing", "http://am:9093", alerts,         2,
                                {1, lab}, {3, lab}, {1, ann},         1714557660000LL};

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
    static struct tmpl_set *defaults;
    struct errbuf err;
    if (!defaults) {
        defaults = tmpl_set_new();
        if (tmpl_set_load_default(defaults, &err) < 0)
            __builtin_trap();
    }
    if (n < 1)
        return 0;
    bool html = in[0] & 1;
    const char *text = (const char *)in + 1;
    size_t len = n - 1;

    /* as a file: parse into a fresh set, run its top level and a default */
    struct tmpl_set *s = tmpl_set_new();
    struct buf out;
    buf_init(&out, 0);
    if (tmpl_set_load_default(s, &err) == 0 &&
        tmpl_set_parse(s, "fuzz.tmpl", text, len, &err) == 0) {
        tmpl_exec_named(s, "fuzz.tmpl", &data, html, &out, &err);
        buf_reset(&out);
        tmpl_exec_named(s, "__subject", &data, html, &out, &err);
    }
    tmpl_set_free(s);

    /* as a config field (NUL-terminated copy) */
    char *field = malloc(len + 1);
    memcpy(field, text, len);
    field[len] = 0;
    buf_reset(&out);
    tmpl_exec_string(defaults, field, &data, html, &out, &err);
    free(field);
    buf_deinit(&out);
    return 0;
}

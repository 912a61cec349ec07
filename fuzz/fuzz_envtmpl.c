/* fuzz_envtmpl.c -- libFuzzer target for the config template renderer.
 *
 * envtmpl_render reads config.tmpl and the environment, both outside the
 * router's control, and its output goes straight into the config loader.
 * The input is split at its first NUL byte: the part before is the
 * template, the part after (if any) is the value of every variable whose
 * name starts with 'V', so the fuzzer steers values as well as templates.
 * Other names get a value from a fixed list of YAML-hostile strings chosen
 * by a hash of the name, or are unset.
 *
 * Checked beyond "no crash, no leak":
 *   - the output has as many line breaks as the template (envtmpl.h: line N
 *     of the output is line N of the template);
 *   - rendering fails exactly when errors were reported;
 *   - no error or warning contains a value (values are secrets) -- checked
 *     for the distinctive marker values only, since short values such as
 *     "x" occur in any message by chance;
 *   - no value changes the YAML's structure: the same template rendered with
 *     every non-empty value replaced by "x" gives the same sequence of YAML
 *     events (documents, mappings, sequences, scalars, aliases, anchors,
 *     tags).  Compared only when both renderings succeed and both parse: a
 *     value that makes the YAML unreadable is refused at load, not injected.
 * A broken promise aborts, which libFuzzer reports as a crash.
 *
 *   make fuzz                      (FUZZ_TIME=seconds per target)
 *   build-fuzz/fuzz_envtmpl -max_total_time=60 build-fuzz/corpus-fuzz_envtmpl \
 *       fuzz/seeds/fuzz_envtmpl */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "../router/envtmpl.h"
#include "../router/log.h"

#define SECRET_MARK "s3cr3t-VALUE"

/* Values that YAML reads as syntax in one context or another. */
static const char *const hostile[] = {
    "",
    "x",
    "a: b",
    "\"'\\",
    "line\nbreak",
    "cr\rreturn",
    "#c",
    " #c",
    "- item",
    "{a: 1}",
    "[x, y]",
    "a, b",
    "*alias",
    "&anchor v",
    "!!map",
    "%TAG",
    "@x",
    "`x",
    "|",
    ">-",
    "? k",
    "\t",
    " lead",
    "trail ",
    "\xff\xfe bad utf-8",
    "\xc3\xa9t\xc3\xa9",
    "ls\xe2\x80\xa8sep",
    "nel\xc2\x85",
    "${NESTED}",
    "$$",
    "null",
    "~",
    "---",
    "...",
    "https://hooks.slack.com/services/T/B/" SECRET_MARK,
    "pa\"ss\\wo'rd: #" SECRET_MARK,
    "\x01\x7f ctl",
};
#define N_HOSTILE (sizeof hostile / sizeof hostile[0])

struct env {
    const char *tail; /* NUL-terminated (the input after its first NUL) */
    int has_tail;
    int benign; /* every non-empty value reads "x" */
};

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static const char *lookup_raw(const char *name, const struct env *e)
{
    if (name[0] == 'V' && e->has_tail)
        return e->tail;
    uint32_t h = hash(name);
    if (h % 5 == 0)
        return NULL; /* unset */
    return hostile[(h / 5) % N_HOSTILE];
}

static const char *lookup(const char *name, void *ud)
{
    const struct env *e = ud;
    const char *v = lookup_raw(name, e);
    if (e->benign && v != NULL && v[0] != '\0')
        return "x";
    return v;
}

/* The YAML event sequence of text, one letter per event plus '&' for an
 * anchor and '!' for a tag; scalar text and style are left out (a value is
 * meant to change those).  Returns 0, or -1 when libyaml cannot read it. */
static int yaml_shape(const char *text, size_t len, struct buf *shape)
{
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int rc = 0;
    for (size_t i = 0; i < 100000; i++) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = -1;
            break;
        }
        static const char letters[] = "-sSdDA=[]{}";
        buf_putc(shape, ev.type < sizeof letters - 1 ? letters[ev.type] : '?');
        const yaml_char_t *anchor = NULL, *tag = NULL;
        if (ev.type == YAML_SCALAR_EVENT) {
            anchor = ev.data.scalar.anchor;
            tag = ev.data.scalar.tag;
        } else if (ev.type == YAML_SEQUENCE_START_EVENT) {
            anchor = ev.data.sequence_start.anchor;
            tag = ev.data.sequence_start.tag;
        } else if (ev.type == YAML_MAPPING_START_EVENT) {
            anchor = ev.data.mapping_start.anchor;
            tag = ev.data.mapping_start.tag;
        }
        if (anchor)
            buf_putc(shape, '&');
        if (tag)
            buf_putc(shape, '!');
        int done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (done)
            break;
    }
    yaml_parser_delete(&p);
    return rc;
}

/* Renders the template again with benign values and compares the shapes. */
static void same_structure(const char *tmpl, size_t tlen, struct env *e, const struct buf *out)
{
    struct buf out2 = BUF_INIT, s1 = BUF_INIT, s2 = BUF_INIT;
    struct envtmpl_report rep;
    envtmpl_report_init(&rep);
    e->benign = 1;
    int rc = envtmpl_render(tmpl, tlen, "fuzz.tmpl", lookup, e, &out2, &rep);
    e->benign = 0;
    if (rc == 0 && yaml_shape(out2.p ? out2.p : "", out2.len, &s2) == 0 &&
        yaml_shape(out->p ? out->p : "", out->len, &s1) == 0) {
        buf_putc(&s1, '\0');
        buf_putc(&s2, '\0');
        if (strcmp(s1.p, s2.p) != 0) {
            fprintf(stderr,
                    "fuzz_envtmpl: a value changed the YAML structure\n"
                    "shape %s with the values:\n%.*s\n---\nshape %s with \"x\":\n%.*s\n---\n",
                    s1.p, (int)out->len, out->p ? out->p : "", s2.p, (int)out2.len,
                    out2.p ? out2.p : "");
            abort();
        }
    }
    envtmpl_report_deinit(&rep);
    buf_deinit(&out2);
    buf_deinit(&s1);
    buf_deinit(&s2);
}

static size_t count_nl(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += p[i] == '\n';
    return c;
}

static void no_secret(char **v, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        if (strstr(v[i], SECRET_MARK) != NULL) {
            fprintf(stderr, "fuzz_envtmpl: a value leaked into %s: %s\n", what, v[i]);
            abort();
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    log_set_level("error");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    const char *nul = memchr(data, '\0', size);
    size_t tlen = nul ? (size_t)(nul - (const char *)data) : size;
    struct env e = {NULL, nul != NULL, 0};
    char *tail = NULL;
    if (nul) {
        size_t rest = size - tlen - 1;
        tail = malloc(rest + 1);
        memcpy(tail, nul + 1, rest);
        tail[rest] = '\0'; /* a second NUL ends the value: environment values hold none */
        e.tail = tail;
    }

    struct buf out = BUF_INIT;
    struct envtmpl_report rep;
    envtmpl_report_init(&rep);
    int rc = envtmpl_render((const char *)data, tlen, "fuzz.tmpl", lookup, &e, &out, &rep);
    if ((rc == 0) != (rep.n_errors == 0)) {
        fprintf(stderr, "fuzz_envtmpl: rc %d with %zu errors\n", rc, rep.n_errors);
        abort();
    }
    if (rc == 0 && count_nl(out.p ? out.p : "", out.len) != count_nl((const char *)data, tlen)) {
        fprintf(stderr, "fuzz_envtmpl: %zu line breaks in, %zu out\n",
                count_nl((const char *)data, tlen), count_nl(out.p ? out.p : "", out.len));
        abort();
    }
    /* Placeholders and messages are template text and may be printed, so
     * the check holds only when the template does not spell the marker. */
    if (memmem(data, tlen, SECRET_MARK, strlen(SECRET_MARK)) == NULL) {
        no_secret(rep.errors, rep.n_errors, "an error");
        no_secret(rep.warnings, rep.n_warnings, "a warning");
    }
    if (rc == 0)
        same_structure((const char *)data, tlen, &e, &out);
    envtmpl_report_deinit(&rep);
    buf_deinit(&out);
    free(tail);
    return 0;
}

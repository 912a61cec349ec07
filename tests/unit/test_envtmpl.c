/* test_envtmpl.c -- rendering config.tmpl: the forms, the errors, the
 * placeholder warnings, and above all that no value can change the YAML's
 * structure whatever quoting surrounds it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "check_main.h"
#include "envtmpl.h"

/* A fake environment: NULL-terminated name, value pairs. */
static const char *fake_get(const char *name, void *ud)
{
    const char **env = ud;
    for (size_t i = 0; env && env[i]; i += 2)
        if (strcmp(env[i], name) == 0)
            return env[i + 1];
    return NULL;
}

struct run {
    int rc;
    struct buf out;
    struct envtmpl_report rep;
};

static void render(struct run *r, const char *tmpl, const char **env)
{
    buf_init(&r->out, 1 << 20);
    envtmpl_report_init(&r->rep);
    r->rc = envtmpl_render(tmpl, strlen(tmpl), "t.tmpl", fake_get, env, &r->out, &r->rep);
}

static void done(struct run *r)
{
    buf_deinit(&r->out);
    envtmpl_report_deinit(&r->rep);
}

/* Renders and expects success with exactly `want` as output. */
static void expect_out(const char *tmpl, const char **env, const char *want)
{
    struct run r;
    render(&r, tmpl, env);
    if (r.rc != 0)
        ck_abort_msg("render failed: %s", r.rep.n_errors ? r.rep.errors[0] : "?");
    ck_assert_str_eq(buf_str(&r.out), want);
    done(&r);
}

/* Renders and expects failure whose first error is exactly `want`. */
static void expect_err(const char *tmpl, const char **env, const char *want)
{
    struct run r;
    render(&r, tmpl, env);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_ge(r.rep.n_errors, 1);
    ck_assert_str_eq(r.rep.errors[0], want);
    done(&r);
}

/* Parses YAML with libyaml and returns "key=value;" for every scalar pair of
 * a flat mapping at the top level (or "ERROR" if it does not parse), so tests
 * can check that values did not inject or drop keys. */
static char *yaml_flat(const char *text)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct buf b = BUF_INIT;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    int depth = 0, scalars = 0;
    bool ok = true;
    for (;;) {
        if (!yaml_parser_parse(&p, &ev)) {
            ok = false;
            break;
        }
        yaml_event_type_t ty = ev.type;
        if (ty == YAML_MAPPING_START_EVENT || ty == YAML_SEQUENCE_START_EVENT)
            depth++;
        else if (ty == YAML_MAPPING_END_EVENT || ty == YAML_SEQUENCE_END_EVENT)
            depth--;
        else if (ty == YAML_SCALAR_EVENT) {
            if (depth != 1)
                ok = false;
            buf_append(&b, ev.data.scalar.value, ev.data.scalar.length);
            buf_puts(&b, scalars++ % 2 ? ";" : "=");
        }
        yaml_event_delete(&ev);
        if (ty == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&p);
    if (!ok) {
        buf_deinit(&b);
        return strdup("ERROR");
    }
    return buf_steal(&b);
}

/* ---- the forms ------------------------------------------------------------ */

START_TEST(forms)
{
    const char *env[] = {"A", "alpha", "E", "", NULL};
    expect_out("k: ${A}\n", env, "k: alpha\n");
    expect_out("k: ${A:-ph}\n", env, "k: alpha\n");
    expect_out("k: ${A:?needed}\n", env, "k: alpha\n");
    expect_out("k: ${B:-ph}\n", env, "k: ph\n"); /* unset: placeholder */
    expect_out("k: ${E:-ph}\n", env, "k: ph\n"); /* empty: placeholder too */
    expect_out("k: ${E}\n", env, "k: \n");       /* empty without default: empty */
    expect_out("k: ${B:-}\n", env, "k: \n");     /* empty placeholder */
    expect_out("k: \"x${A}y${A}\"\n", env, "k: \"xalphayalpha\"\n");
    expect_out("k: ${B:-a b c}\n", env, "k: a b c\n"); /* placeholders are template text */
    expect_out("k: \"${B:-a 'b' \\\" c}\"\n", env, "k: \"a 'b' \\\" c\"\n");
    expect_out("k: '${B:-it''s \"x\"}'\n", env, "k: 'it''s \"x\"'\n");
    expect_out("no newline at end ${A}", env, "no newline at end alpha");
    expect_out("", env, "");
}
END_TEST

START_TEST(dollars)
{
    const char *env[] = {"A", "alpha", NULL};
    expect_out("k: $$\n", env, "k: $\n");
    expect_out("k: \"$${A}\"\n", env, "k: \"${A}\"\n"); /* $$ escapes a reference */
    expect_out("k: \"$$$${A}\"\n", env, "k: \"$${A}\"\n");
    expect_out("k: \"$$${A}\"\n", env, "k: \"$alpha\"\n");
    /* Unbraced $x and a lone $ are Go template syntax: untouched. */
    expect_out("t: '{{ range $i, $a := .Alerts }}{{ $a.Labels.x }}{{ end }}'\n", env,
               "t: '{{ range $i, $a := .Alerts }}{{ $a.Labels.x }}{{ end }}'\n");
    expect_out("k: $A $ cost$\n", env, "k: $A $ cost$\n");
}
END_TEST

START_TEST(comments_untouched)
{
    const char *env[] = {"A", "alpha", NULL};
    /* A comment may mention unset variables and stray "${" without error. */
    expect_out("# set ${UNSET} here, ${oops\nk: ${A} # or ${OTHER}\n", env,
               "# set ${UNSET} here, ${oops\nk: alpha # or ${OTHER}\n");
    /* '#' inside quotes or glued to a scalar is not a comment. */
    expect_out("k: \"#${A}\"\nc: '#data-ops'\nu: a#${A}\n", env,
               "k: \"#alpha\"\nc: '#data-ops'\nu: a#alpha\n");
}
END_TEST

START_TEST(errors)
{
    const char *env[] = {"A", "alpha", "E", "", NULL};
    expect_err("a: 1\nk: ${MISSING}\n", env,
               "t.tmpl:2:4: MISSING is not set and ${MISSING} has no default "
               "(${MISSING:-placeholder} gives one)");
    expect_err("k: ${E:?set E to the on-call address}\n", env,
               "t.tmpl:1:4: E: set E to the on-call address");
    expect_err("k: ${B:?}\n", env, "t.tmpl:1:4: B is not set or empty");
    expect_err("k: \"${A\"\n", env,
               "t.tmpl:1:5: unterminated \"${\": a reference must end with \"}\" on the same line");
    expect_err("k: ${A\n}\n", env,
               "t.tmpl:1:4: unterminated \"${\": a reference must end with \"}\" on the same line");
    const char *invalid = "\": expected ${NAME}, ${NAME:-placeholder}, ${NAME-default} or "
                          "${NAME:?message}, NAME being letters, digits and _ (not starting "
                          "with a digit)";
    char want[256];
    const char *bad[] = {"${}",    "${1A}",  "${A:x}", "${A:}", "${A B}",
                         "${A?x}", "${A=x}", "${-x}",  "${é}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char tmpl[64];
        snprintf(tmpl, sizeof tmpl, "k: %s\n", bad[i]);
        snprintf(want, sizeof want, "t.tmpl:1:4: invalid reference \"%s%s", bad[i], invalid);
        expect_err(tmpl, env, want);
    }
}
END_TEST

/* ${NAME-default}: the value when set and not empty, else the default --
 * without a warning, so ROUTER_STRICT=1 does not refuse it. */
START_TEST(silent_default)
{
    const char *env[] = {"A", "1s", "E", "", NULL};
    expect_out("k: ${A-30s}\n", env, "k: 1s\n");
    expect_out("k: ${B-30s}\n", env, "k: 30s\n"); /* unset */
    expect_out("k: ${E-30s}\n", env, "k: 30s\n"); /* empty counts as unset (not as in sh) */
    expect_out("k: ${B-}\n", env, "k: \n");
    expect_out("k: \"${B-a-b c}\"\n", env, "k: \"a-b c\"\n"); /* only the first - is syntax */
    expect_out("k: ${B--1}\n", env, "k: -1\n");
    expect_out("k: '${B-it''s}'\n", env, "k: 'it''s'\n");

    struct run r;
    render(&r,
           "route:\n  group_wait: ${GW-30s}\n  repeat_interval: ${RI-4h}\n"
           "  group_interval: ${A-5m}\n",
           env);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(buf_str(&r.out),
                     "route:\n  group_wait: 30s\n  repeat_interval: 4h\n  group_interval: 1s\n");
    ck_assert_uint_eq(r.rep.n_warnings, 0);
    ck_assert_uint_eq(r.rep.n_refs, 3);
    ck_assert_int_eq(r.rep.refs[0].form, ENVTMPL_FORM_OPTIONAL);
    ck_assert_int_eq(r.rep.refs[0].outcome, ENVTMPL_DEFAULTED);
    ck_assert_str_eq(r.rep.refs[0].key, "group_wait");
    ck_assert(!r.rep.refs[0].was_set);
    ck_assert_int_eq(r.rep.refs[2].outcome, ENVTMPL_VALUE);
    done(&r);

    /* A value is escaped exactly as for the other forms. */
    const char *evil[] = {"GW", "1s\nreceiver: x", "Q", "a\"b", NULL};
    render(&r, "k: ${GW-30s}\n", evil);
    ck_assert_int_eq(r.rc, 0);
    char *flat = yaml_flat(buf_str(&r.out));
    ck_assert_str_eq(flat, "k=1s\nreceiver: x;");
    free(flat);
    done(&r);
    expect_out("k: \"${Q-x}\"\n", evil, "k: \"a\\\"b\"\n");

    /* A default that would change the YAML is refused like a placeholder. */
    expect_err("k: ${B-a # b}\n", env,
               "t.tmpl:1:4: the default of B would change the YAML around it (a quote, '#', "
               "bracket or ': ' where it stands); double-quote the reference or simplify the "
               "default");
    expect_err("k: \"${B-a\"b}\"\n", env,
               "t.tmpl:1:5: the default of B would change the YAML around it (a quote, '#', "
               "bracket or ': ' where it stands); double-quote the reference or simplify the "
               "default");
}
END_TEST

/* A placeholder that would shift the lexer's idea of the quoting is refused
 * (even when the variable is set: the template is wrong either way). */
START_TEST(placeholder_changing_structure)
{
    const char *env[] = {"A", "alpha", NULL};
    const char *bad[] = {"k: \"${B:-a\"b}\"\n", "k: \"${B:-ab\\}\"\n", "k: '${B:-it's}'\n",
                         "k: ${B:-a # b}\n",    "k: ${B:-'x'}\n",      "k: ${B:-a: b}\n",
                         "k: ${A:-[x}\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct run r;
        render(&r, bad[i], env);
        ck_assert_msg(r.rc == -1, "accepted %s", bad[i]);
        ck_assert(strstr(r.rep.errors[0], "would change the YAML around it") != NULL);
        done(&r);
    }
    /* The same text is fine where it cannot change anything. */
    expect_out("k: |\n  ${B:-a\"b' # c: d}\n", env, "k: |\n  a\"b' # c: d\n");
}
END_TEST

START_TEST(all_errors_reported)
{
    struct run r;
    render(&r, "a: ${X}\nb: ${Y:?why}\nc: ${ok:-1}\nd: ${1}\n", NULL);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.rep.n_errors, 3);
    ck_assert(strncmp(r.rep.errors[0], "t.tmpl:1:4: X ", 14) == 0);
    ck_assert_str_eq(r.rep.errors[1], "t.tmpl:2:4: Y: why");
    ck_assert(strncmp(r.rep.errors[2], "t.tmpl:4:4: invalid", 19) == 0);
    ck_assert_uint_eq(r.rep.n_refs, 3); /* ${1} is not a reference */
    ck_assert_int_eq(r.rep.refs[2].outcome, ENVTMPL_PLACEHOLDER);
    done(&r);
}
END_TEST

START_TEST(nul_byte)
{
    struct run r;
    buf_init(&r.out, 0);
    envtmpl_report_init(&r.rep);
    ck_assert_int_eq(envtmpl_render("a: 1\nb: \0x\n", 11, "t.tmpl", fake_get, NULL, &r.out, &r.rep),
                     -1);
    ck_assert_str_eq(r.rep.errors[0], "t.tmpl:2: the template contains a NUL byte");
    done(&r);
}
END_TEST

START_TEST(output_cap)
{
    const char *env[] = {"BIG", "0123456789012345678901234567890123456789", NULL};
    struct run r;
    buf_init(&r.out, 32);
    envtmpl_report_init(&r.rep);
    const char *t = "k: ${BIG}\n";
    ck_assert_int_eq(envtmpl_render(t, strlen(t), "t.tmpl", fake_get, env, &r.out, &r.rep), -1);
    ck_assert_str_eq(r.rep.errors[0], "t.tmpl: the rendered config is larger than 32 bytes");
    done(&r);
}
END_TEST

/* ---- escaping: values must never change the YAML's structure ------------- */

START_TEST(escape_double_quoted)
{
    const char *env[] = {"V", "a\"b\\c\nd: e\tf\x01", NULL};
    expect_out("k: \"${V}\"\n", env, "k: \"a\\\"b\\\\c\\nd: e\\tf\\x01\"\n");
    char *y = yaml_flat("k: \"a\\\"b\\\\c\\nd: e\\tf\\x01\"\n");
    ck_assert_str_eq(y, "k=a\"b\\c\nd: e\tf\x01;");
    free(y);
    /* Unicode line breaks (NEL, LS, PS) and a BOM are escaped too. */
    const char *env2[] = {"V", "x\xc2\x85y\xe2\x80\xa8z\xe2\x80\xa9\xef\xbb\xbf", NULL};
    expect_out("k: \"${V}\"\n", env2, "k: \"x\\x85y\\u2028z\\u2029\\uFEFF\"\n");
    /* Non-ASCII text passes as it is. */
    const char *env3[] = {"V", "Größe ✓", NULL};
    expect_out("k: \"${V}\"\n", env3, "k: \"Größe ✓\"\n");
}
END_TEST

START_TEST(escape_single_quoted)
{
    const char *env[] = {"V",
                         "it's",
                         "NL",
                         "a\nb",
                         "LS",
                         "a\xe2\x80\xa8"
                         "b",
                         NULL};
    expect_out("k: '${V}'\n", env, "k: 'it''s'\n");
    expect_out("k: 'x''${V}'\n", env, "k: 'x''it''s'\n");
    expect_err("k: '${NL}'\n", env,
               "t.tmpl:1:5: the value of NL holds a line break or control character, which a "
               "single-quoted YAML string cannot carry; double-quote it in the template");
    expect_err("k: '${LS}'\n", env,
               "t.tmpl:1:5: the value of LS holds a line break or control character, which a "
               "single-quoted YAML string cannot carry; double-quote it in the template");
}
END_TEST

START_TEST(escape_plain)
{
    const char *env[] = {"URL",   "https://h.example/x?a=b&c=%20#frag",
                         "S",     "simple.value-1",
                         "INJ",   "x\nevil: 1",
                         "Q",     "a \"b\" c",
                         "AT",    "@x",
                         "COLON", "abc:",
                         "EM",    "a@b.example",
                         NULL};
    /* Safe values go in as they are. */
    expect_out("k: ${S}\n", env, "k: simple.value-1\n");
    expect_out("k: ${EM}\n", env, "k: a@b.example\n");
    expect_out("k: ${S} # c\n", env, "k: simple.value-1 # c\n");
    /* A whole plain scalar with a risky value is double-quoted. */
    expect_out("k: ${URL}\n", env, "k: \"https://h.example/x?a=b&c=%20#frag\"\n");
    expect_out("k: ${INJ}\n", env, "k: \"x\\nevil: 1\"\n");
    expect_out("k: ${Q}  # c\n", env, "k: \"a \\\"b\\\" c\"  # c\n");
    expect_out("k: ${AT}\n", env, "k: \"@x\"\n");
    expect_out("k: ${COLON}\n", env, "k: \"abc:\"\n");
    expect_out("- ${INJ}\n", env, "- \"x\\nevil: 1\"\n");
    expect_out("k: [${URL}, ${S}]\n", env,
               "k: [\"https://h.example/x?a=b&c=%20#frag\", simple.value-1]\n");
    expect_out("k: !!str ${INJ}\n", env, "k: !!str \"x\\nevil: 1\"\n");
    char *y = yaml_flat("k: \"x\\nevil: 1\"\n");
    ck_assert_str_eq(y, "k=x\nevil: 1;");
    free(y);
    /* Part of a larger plain scalar: a risky value is refused. */
    const char *msg = "the value of INJ holds characters that YAML would read as syntax and the "
                      "reference is only part of an unquoted value; double-quote it in the "
                      "template";
    char want[300];
    snprintf(want, sizeof want, "t.tmpl:1:8: %s", msg);
    expect_err("k: pre-${INJ}\n", env, want);
    snprintf(want, sizeof want, "t.tmpl:1:4: %s", msg);
    expect_err("k: ${INJ}-post\n", env, want);
    expect_err("${INJ}: v\n", env,
               "t.tmpl:1:1: the value of INJ holds characters that YAML "
               "would read as syntax and the reference is only part of an "
               "unquoted value; double-quote it in the template");
    expect_out("k: pre-${S}\n", env, "k: pre-simple.value-1\n");
    /* "@" is only special where a scalar starts. */
    expect_out("k: x${AT}\n", env, "k: x@x\n");
}
END_TEST

START_TEST(escape_block)
{
    const char *env[] = {"V", "it's \"fine\": # here", "NL", "a\nb: c", NULL};
    expect_out("k: |\n  text ${V}\n  # not a comment ${V}\nn: ${V:-x}\n", env,
               "k: |\n  text it's \"fine\": # here\n  # not a comment it's \"fine\": # here\n"
               "n: \"it's \\\"fine\\\": # here\"\n");
    expect_err("k: >-\n  ${NL}\n", env,
               "t.tmpl:2:3: the value of NL holds a line break or control character, which "
               "cannot be inserted into a block scalar");
    /* The block ends at a line indented no more than its key. */
    expect_out("- a: |\n    ${V:-x}\n  b: ${NL:-y}\n", env,
               "- a: |\n    it's \"fine\": # here\n  b: \"a\\nb: c\"\n");
}
END_TEST

START_TEST(escape_multiline_quotes)
{
    const char *env[] = {"V", "a'b\"c", NULL};
    /* A double-quoted scalar continued on the next line keeps its context. */
    expect_out("k: \"first\n  ${V} second\"\nj: ${V}\n", env,
               "k: \"first\n  a'b\\\"c second\"\nj: \"a'b\\\"c\"\n");
    expect_out("k: 'first\n  ${V}'\n", env, "k: 'first\n  a''b\"c'\n");
    /* An escaped quote does not end the string. */
    expect_out("k: \"x\\\"${V}\"\n", env, "k: \"x\\\"a'b\\\"c\"\n");
}
END_TEST

START_TEST(invalid_utf8_value)
{
    const char *env[] = {"V", "a\xff", NULL};
    expect_err("k: \"${V}\"\n", env, "t.tmpl:1:5: the value of V is not valid UTF-8");
}
END_TEST

/* Whatever the value, the rendered document has the same keys. */
START_TEST(no_injection_fuzz)
{
    const char *nasty[] = {"x\ny: 1", "\"}: {z: 1", "' , z: 1", "a: b", "- z",    "#c",
                           "|\n  z",  "x\r\nz: 1",  "\\\"",     "[z]",  "{z: 1}", "x\xc2\x85z: 1",
                           "&a",      "*a",         "!!map",    "? z",  "...",    "---",
                           "%YAML",   "\t",         ""};
    const char *shapes[] = {"k: \"${V}\"\nend: 1\n", "k: '${V}'\nend: 1\n", "k: ${V}\nend: 1\n",
                            "k: ${V} # c\nend: 1\n", "k: |\n  ${V}\nend: 1\n"};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        for (size_t v = 0; v < sizeof nasty / sizeof *nasty; v++) {
            const char *env[] = {"V", nasty[v], NULL};
            struct run r;
            render(&r, shapes[s], env);
            if (r.rc == 0) {
                char *y = yaml_flat(buf_str(&r.out));
                /* exactly two keys, k then end */
                ck_assert_msg(strncmp(y, "k=", 2) == 0 && strstr(y, ";end=1;") &&
                                  strcmp(strstr(y, ";end=1;"), ";end=1;") == 0,
                              "shape %zu value %zu gave %s from [%s]", s, v, y, buf_str(&r.out));
                /* and k holds the value (block scalars add a newline) */
                size_t klen = (size_t)(strstr(y, ";end=1;") - y) - 2;
                if (s == 4)
                    ck_assert(klen == strlen(nasty[v]) + 1 || !*nasty[v]);
                else if (*nasty[v] && !(s >= 2 && strcmp(nasty[v], "\t") == 0))
                    ck_assert_msg(klen == strlen(nasty[v]) && memcmp(y + 2, nasty[v], klen) == 0,
                                  "shape %zu value %zu: k=[%.*s]", s, v, (int)klen, y + 2);
                free(y);
            } else {
                ck_assert_uint_ge(r.rep.n_errors, 1);
                ck_assert_msg(s == 1 || s == 4, "shape %zu refused value %zu", s, v);
            }
            done(&r);
        }
    }
}
END_TEST

/* ---- the report: lines, keys, receivers, warnings ------------------------- */

static const char *doc = "global:\n"                                                      /* 1 */
                         "  smtp_from: \"${FROM:-a@example.com}\"\n"                      /* 2 */
                         "route:\n"                                                       /* 3 */
                         "  receiver: r1\n"                                               /* 4 */
                         "receivers:\n"                                                   /* 5 */
                         "  - name: r1\n"                                                 /* 6 */
                         "    slack_configs:\n"                                           /* 7 */
                         "      - api_url: \"${SLACK:-https://x.invalid/}\"\n"            /* 8 */
                         "        text: |\n"                                              /* 9 */
                         "          name: not-a-receiver ${SLACK:-y}\n"                   /* 10 */
                         "  - channel: x\n"                                               /* 11 */
                         "    name: \"r 2\"  # quoted\n"                                  /* 12 */
                         "    webhook_configs: [{url: '${SLACK:-https://z.invalid/}'}]\n" /* 13 */
                         "  - name: r3\n"                                                 /* 14 */
                         "    email_configs:\n"                                           /* 15 */
                         "      - auth_password: \"${PW:-placeholder}\"\n"                /* 16 */
                         "        to: \"${TO:-x@example.com}\"\n";                        /* 17 */

START_TEST(report_lines_and_receivers)
{
    const char *env[] = {"PW", "s3cr3t-value", "SLACK", "", NULL};
    struct run r;
    render(&r, doc, env);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.rep.n_refs, 6);
    struct envtmpl_ref *f = r.rep.refs;
    ck_assert_str_eq(f[0].name, "FROM");
    ck_assert_int_eq(f[0].line, 2);
    ck_assert_int_eq(f[0].col, 15);
    ck_assert_str_eq(f[0].key, "smtp_from");
    ck_assert_str_eq(f[0].section, "global");
    ck_assert_ptr_null(f[0].receiver);
    ck_assert_int_eq(f[0].ctx, ENVTMPL_CTX_DQUOTE);
    ck_assert_int_eq(f[0].form, ENVTMPL_FORM_DEFAULT);
    ck_assert(!f[0].was_set);
    ck_assert_int_eq(f[1].line, 8);
    ck_assert_str_eq(f[1].key, "api_url");
    ck_assert_str_eq(f[1].receiver, "r1");
    ck_assert(f[1].was_set);
    ck_assert_int_eq(f[1].outcome, ENVTMPL_PLACEHOLDER);
    ck_assert_int_eq(f[2].line, 10);
    ck_assert_int_eq(f[2].ctx, ENVTMPL_CTX_BLOCK);
    ck_assert_str_eq(f[2].receiver, "r1"); /* block content is not structure */
    ck_assert_int_eq(f[3].line, 13);
    ck_assert_int_eq(f[3].ctx, ENVTMPL_CTX_SQUOTE);
    ck_assert_str_eq(f[3].receiver, "r 2");
    ck_assert_int_eq(f[4].line, 16);
    ck_assert_str_eq(f[4].receiver, "r3");
    ck_assert_int_eq(f[4].outcome, ENVTMPL_VALUE);
    ck_assert_str_eq(f[4].key, "auth_password");
    ck_assert_int_eq(f[5].line, 17);
    ck_assert_str_eq(f[5].key, "to");

    /* One warning per variable, every line listed, no value anywhere. */
    ck_assert_uint_eq(r.rep.n_warnings, 3);
    ck_assert_str_eq(r.rep.warnings[0],
                     "t.tmpl:2: FROM is not set; using its placeholder for smtp_from, so "
                     "smtp_from in global will not work");
    ck_assert_str_eq(r.rep.warnings[1],
                     "t.tmpl:8,10,13: SLACK is empty; using its placeholder for api_url, url, "
                     "so receivers \"r1\", \"r 2\" will not deliver");
    ck_assert_str_eq(r.rep.warnings[2],
                     "t.tmpl:17: TO is not set; using its placeholder for to, so receiver "
                     "\"r3\" will not deliver");
    for (size_t i = 0; i < r.rep.n_warnings; i++)
        ck_assert_ptr_null(strstr(r.rep.warnings[i], "s3cr3t"));
    ck_assert_ptr_nonnull(strstr(buf_str(&r.out), "auth_password: \"s3cr3t-value\""));
    done(&r);
}
END_TEST

START_TEST(errors_never_show_values)
{
    const char *env[] = {"PW", "hunter2\nx", "PW2", "hunter3\xff", NULL};
    struct run r;
    render(&r, "a: '${PW}'\nb: x${PW}\nc: |\n  ${PW}\nd: \"${PW2}\"\n", env);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.rep.n_errors, 4);
    for (size_t i = 0; i < r.rep.n_errors; i++)
        ck_assert_ptr_null(strstr(r.rep.errors[i], "hunter"));
    done(&r);
}
END_TEST

START_TEST(read_file)
{
    struct buf b = BUF_INIT;
    struct errbuf e;
    ck_assert_int_eq(envtmpl_read_file("/nonexistent/config.tmpl", 100, &b, &e), -1);
    ck_assert_str_eq(e.msg, "open /nonexistent/config.tmpl: No such file or directory");
    char path[] = "/tmp/envtmpl-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "k: v\n", 5), 5);
    close(fd);
    ck_assert_int_eq(envtmpl_read_file(path, 100, &b, &e), 0);
    ck_assert_str_eq(buf_str(&b), "k: v\n");
    buf_reset(&b);
    ck_assert_int_eq(envtmpl_read_file(path, 4, &b, &e), -1);
    ck_assert(strstr(e.msg, "larger than 4 bytes") != NULL);
    unlink(path);
    buf_deinit(&b);
}
END_TEST

Suite *envtmpl_suite(void)
{
    Suite *s = suite_create("envtmpl");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, forms);
    tcase_add_test(tc, dollars);
    tcase_add_test(tc, comments_untouched);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, silent_default);
    tcase_add_test(tc, placeholder_changing_structure);
    tcase_add_test(tc, all_errors_reported);
    tcase_add_test(tc, nul_byte);
    tcase_add_test(tc, output_cap);
    tcase_add_test(tc, escape_double_quoted);
    tcase_add_test(tc, escape_single_quoted);
    tcase_add_test(tc, escape_plain);
    tcase_add_test(tc, escape_block);
    tcase_add_test(tc, escape_multiline_quotes);
    tcase_add_test(tc, invalid_utf8_value);
    tcase_add_test(tc, no_injection_fuzz);
    tcase_add_test(tc, report_lines_and_receivers);
    tcase_add_test(tc, errors_never_show_values);
    tcase_add_test(tc, read_file);
    suite_add_tcase(s, tc);
    return s;
}

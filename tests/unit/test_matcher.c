/* test_matcher.c -- matchers: both text grammars, Go/RE2 regexes, Go quoting.
 *
 * The regex semantics are checked against tests/data/matchers/go-compat.tsv,
 * whose answers come from Go itself (see that file's header); the classic
 * parser's error texts were taken from amtool 0.25; the UTF-8 parser's from
 * Alertmanager's matcher/parse grammar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "goquote.h"
#include "log.h"
#include "matcher.h"

/* ---- helpers ----------------------------------------------------------- */

/* Parses s with the given grammar; returns the printed list or
 * "ERR <message>" (static buffer). */
static const char *parse_as(const char *s, enum matcher_syntax syn)
{
    static char out[1024];
    struct matchers ms = {0, 0, NULL};
    struct errbuf e;
    if (matchers_parse_syntax(s, syn, &ms, &e) < 0) {
        ck_assert_uint_eq(ms.n, 0); /* out unchanged on error */
        snprintf(out, sizeof out, "ERR %s", e.msg);
        return out;
    }
    struct buf b = BUF_INIT;
    matchers_format(&ms, &b);
    snprintf(out, sizeof out, "%s", buf_str(&b));
    buf_deinit(&b);
    matchers_deinit(&ms);
    return out;
}

#define CLASSIC(in, want) ck_assert_str_eq(parse_as(in, MATCHER_SYNTAX_CLASSIC), want)
#define UTF8(in, want) ck_assert_str_eq(parse_as(in, MATCHER_SYNTAX_UTF8), want)
#define FALLBACK(in, want) ck_assert_str_eq(parse_as(in, MATCHER_SYNTAX_FALLBACK), want)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- the Go corpus ----------------------------------------------------- */

/* A field starting with '"' is a Go string literal (the escapes the corpus
 * uses); anything else is verbatim.  Decodes in place, returns the length. */
static size_t corpus_field(char *f)
{
    size_t n = strlen(f);
    if (n < 2 || f[0] != '"' || f[n - 1] != '"')
        return n;
    size_t o = 0;
    for (size_t i = 1; i < n - 1; i++) {
        if (f[i] != '\\') {
            f[o++] = f[i];
            continue;
        }
        char e = f[++i];
        switch (e) {
        case 'n':
            f[o++] = '\n';
            break;
        case 't':
            f[o++] = '\t';
            break;
        case 'v':
            f[o++] = '\v';
            break;
        case 'b':
            f[o++] = '\b';
            break;
        case 'a':
            f[o++] = '\a';
            break;
        case 'x': {
            char hex[3] = {f[i + 1], f[i + 2], 0};
            f[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
            break;
        }
        default:
            f[o++] = e;
            break;
        }
    }
    f[o] = '\0';
    return o;
}

START_TEST(go_corpus)
{
    FILE *fp = fopen("tests/data/matchers/go-compat.tsv", "r");
    ck_assert_msg(fp != NULL, "run from the repository root: tests/data/matchers/go-compat.tsv");
    char line[4096], first_bad[1200] = "";
    int cases = 0, bad = 0, lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *pat = line, *subj = strchr(pat, '\t');
        ck_assert_msg(subj != NULL, "line %d: no tab", lineno);
        *subj++ = '\0';
        char *want = strchr(subj, '\t');
        ck_assert_msg(want != NULL, "line %d: two tabs needed", lineno);
        *want++ = '\0';
        corpus_field(pat);
        size_t slen = corpus_field(subj);
        cases++;
        struct errbuf e;
        void *re = regex_compile(pat, true, &e);
        char got[600];
        if (!re) {
            snprintf(got, sizeof got, "error: %s", e.msg);
        } else {
            snprintf(got, sizeof got, "%d", regex_match(re, subj, slen));
            regex_free(re);
        }
        if (strcmp(got, want) != 0) {
            if (bad++ == 0)
                snprintf(first_bad, sizeof first_bad,
                         "line %d: /%.200s/ got %.300s, Go says %.300s", lineno, pat, got, want);
            fprintf(stderr, "go-compat.tsv:%d: /%s/ got %s, Go says %s\n", lineno, pat, got, want);
        }
    }
    fclose(fp);
    ck_assert_int_ge(cases, 200);
    ck_assert_msg(bad == 0, "%d of %d corpus cases differ from Go; first: %s", bad, cases,
                  first_bad);
}
END_TEST

/* ---- regexes ----------------------------------------------------------- */

START_TEST(regex_anchoring_and_semantics)
{
    struct matcher m;
    struct errbuf e;
    ck_assert_int_eq(matcher_init(&m, MATCH_RE, "job", "foo", &e), 0);
    ck_assert(matcher_matches(&m, "foo"));
    ck_assert(!matcher_matches(&m, "foobar"));
    ck_assert(!matcher_matches(&m, "xfoo"));
    ck_assert(!matcher_matches(&m, "foo\n"));
    matcher_deinit(&m);
    ck_assert_int_eq(matcher_init(&m, MATCH_RE, "job", ".*foo.*", &e), 0);
    ck_assert(matcher_matches(&m, "a foo b"));
    matcher_deinit(&m);
    /* the unanchored form, for callers that search */
    void *re = regex_compile("o+b", false, &e);
    ck_assert_ptr_nonnull(re);
    ck_assert(regex_match(re, "foobar", 6));
    regex_free(re);
    ck_assert_ptr_null(regex_compile("ab\\", false, &e));
    ck_assert_str_eq(e.msg, "error parsing regexp: trailing backslash at end of expression: ``");
    /* anchored, a trailing backslash escapes the wrapper's ')' as Go does */
    ck_assert_ptr_null(regex_compile("ab\\", true, &e));
    ck_assert_str_eq(e.msg, "error parsing regexp: missing closing ): `^(?:ab\\)$`");
}
END_TEST

START_TEST(regex_invalid_utf8_subject)
{
    /* Go sees one U+FFFD per invalid byte; so must we (FINDINGS.md §4) */
    struct errbuf e;
    void *any = regex_compile(".*", true, &e), *two = regex_compile("..", true, &e),
         *fffd = regex_compile("a\\x{fffd}b", true, &e), *yy = regex_compile("\\xff", true, &e);
    ck_assert(regex_match(any, "\xff\xfe", 2));
    ck_assert(regex_match(two, "\xff\xfe", 2));
    ck_assert(regex_match(two, "\xe2\x82", 2)); /* truncated sequence: two runes */
    ck_assert(regex_match(fffd, "a\xc0z", 3) == false);
    ck_assert(regex_match(fffd,
                          "a\xc0"
                          "b",
                          3));
    ck_assert(!regex_match(yy, "\xff", 1)); /* \xff is U+00FF, not the byte */
    ck_assert(regex_match(yy, "\xc3\xbf", 2));
    regex_free(any);
    regex_free(two);
    regex_free(fffd);
    regex_free(yy);
}
END_TEST

START_TEST(regex_backtracking_bomb_is_bounded)
{
    struct errbuf e;
    void *re = regex_compile("(a+)+$", true, &e);
    ck_assert_ptr_nonnull(re);
    char subj[64];
    memset(subj, 'a', 40);
    subj[40] = '!';
    unsigned long hits = regex_limit_hits(), dfa = regex_dfa_runs();
    double t0 = now_ms();
    ck_assert(!regex_match(re, subj, 41));
    double ms = now_ms() - t0;
    ck_assert_msg(ms < 50, "pathological match took %.1f ms", ms);
    /* backtracking gave up and the DFA matcher answered: still Go's answer */
    ck_assert_uint_eq(regex_dfa_runs(), dfa + 1);
    ck_assert_uint_eq(regex_limit_hits(), hits);
    regex_free(re);

    /* nested alternation on a long subject, the classic silence-regex DoS */
    re = regex_compile("(x+x+)+y|x*!", true, &e);
    char big[4097];
    memset(big, 'x', 4096);
    big[4096] = '\0';
    t0 = now_ms();
    ck_assert(!regex_match(re, big, 4096));
    ms = now_ms() - t0;
    ck_assert_msg(ms < 50, "pathological match took %.1f ms", ms);
    ck_assert_uint_eq(regex_limit_hits(), hits + 1); /* too big for the DFA budget */
    regex_free(re);

    /* the worst the DFA budget allows: a big pattern on a subject just
     * under the budget */
    re = regex_compile("(.*a){100}", true, &e);
    t0 = now_ms();
    ck_assert(!regex_match(re, big, 36));
    ms = now_ms() - t0;
    ck_assert_msg(ms < 50, "DFA fallback took %.1f ms", ms);
    regex_free(re);
}
END_TEST

START_TEST(regex_rejects_non_re2)
{
    static const char *const bad[] = {
        "(a)\\1", "\\k<x>",    "(?=a)",     "(?!a)",    "(?<=a)b", "(?<!a)b", "(?>a)",
        "a*+",    "a++",       "a?+",       "a{2}+",    "(?R)",    "(?1)",    "(?(1)a|b)",
        "\\C",    "(?|a)",     "\\K",       "\\G",      "\\Z",     "(*UTF)",  "(?x)a b",
        "\\ca",   "\\N{U+41}", "[[:foo:]]", "\\p{Xan}", "a{1001}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct errbuf e;
        e.msg[0] = '\0';
        void *re = regex_compile(bad[i], true, &e);
        ck_assert_msg(re == NULL, "accepted non-RE2 pattern %s", bad[i]);
        ck_assert_msg(strncmp(e.msg, "error parsing regexp: ", 22) == 0, "%s: %s", bad[i], e.msg);
    }
}
END_TEST

START_TEST(regex_translation_is_defensive)
{
    /* Class contents become \x{..}, so PCRE2-only class syntax never
     * reaches PCRE2; \s loses \v; assertions get a group to repeat. */
    struct buf b = BUF_INIT;
    struct errbuf e;
    ck_assert_int_eq(regex_translate("[[.a.]]\\s^*", 11, &b, &e), 0);
    ck_assert_str_eq(buf_str(&b),
                     "[\\x{5b}\\x{2e}\\x{61}\\x{2e}]\\x{5d}[\\t\\n\\f\\r\\x{20}](?:^)*");
    buf_deinit(&b);
    /* deep nesting: Go's limit is 1000 */
    char deep[2100];
    memset(deep, '(', 1001);
    memset(deep + 1001, ')', 1001);
    deep[2002] = '\0';
    ck_assert_ptr_null(regex_compile(deep, false, &e));
    ck_assert_msg(strstr(e.msg, "expression nests too deeply") != NULL, "%s", e.msg);
    deep[999] = '\0';
    memset(deep, '(', 500);
    memset(deep + 500, ')', 500);
    deep[1000] = '\0';
    void *re = regex_compile(deep, true, &e);
    ck_assert_msg(re != NULL, "%s", e.msg);
    ck_assert(regex_match(re, "", 0));
    regex_free(re);
}
END_TEST

/* ---- matcher semantics ------------------------------------------------- */

START_TEST(missing_label_is_empty)
{
    /* reference/alertmanager.md §5.3 */
    static const struct {
        enum match_type t;
        const char *v;
        bool absent, with_v;
    } rows[] = {
        {MATCH_EQ, "v", false, true}, {MATCH_EQ, "", true, false},
        {MATCH_NE, "v", true, false}, {MATCH_RE, "v.*", false, true},
        {MATCH_RE, ".*", true, true}, {MATCH_NRE, "v.*", true, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct matcher m;
        struct errbuf e;
        ck_assert_int_eq(matcher_init(&m, rows[i].t, "l", rows[i].v, &e), 0);
        ck_assert_msg(matcher_matches(&m, NULL) == rows[i].absent, "row %zu absent", i);
        ck_assert_msg(matcher_matches(&m, "v") == rows[i].with_v, "row %zu l=v", i);
        matcher_deinit(&m);
    }
    struct matchers ms = {0, 0, NULL};
    struct errbuf e;
    ck_assert_int_eq(matchers_parse("{severity=~\"high|critical\", team!=\"\"}", &ms, &e), 0);
    struct label l1[] = {{"severity", "critical"}, {"team", "db"}};
    struct label l2[] = {{"severity", "critical"}};
    struct label l3[] = {{"severity", "warning"}, {"team", "db"}};
    struct labels a = {2, l1}, b = {1, l2}, c = {2, l3};
    ck_assert(matchers_match(&ms, &a));
    ck_assert(!matchers_match(&ms, &b)); /* team absent = "" */
    ck_assert(!matchers_match(&ms, &c));
    matchers_deinit(&ms);
}
END_TEST

START_TEST(sort_and_format)
{
    log_set_level("error");
    struct matchers ms = {0, 0, NULL};
    struct errbuf e;
    ck_assert_int_eq(matchers_parse("b=~\"x\", a=\"z\", b=\"x\", a=\"y\", b!=\"x\"", &ms, &e), 0);
    matchers_sort(&ms);
    struct buf out = BUF_INIT;
    matchers_format(&ms, &out);
    ck_assert_str_eq(buf_str(&out), "{a=\"y\",a=\"z\",b=\"x\",b!=\"x\",b=~\"x\"}");
    buf_deinit(&out);
    matchers_deinit(&ms);

    ck_assert_str_eq(match_type_str(MATCH_NRE), "!~");
    /* names the UTF-8 grammar allows are quoted when they need it */
    FALLBACK("{\"foo bar\"=\"x\"}", "{\"foo bar\"=\"x\"}");
    FALLBACK("{\"föö\"=\"x\"}", "{föö=\"x\"}");
    /* values are OpenMetrics-escaped, as amtool 0.25 prints them: only \\ \" \n */
    CLASSIC("a=\"t\tb\\\\c\\\"d\\ne\x01\"", "{a=\"t\tb\\\\c\\\"d\\ne\x01\"}");
    /* a quoted name makes both sides strconv.Quote'd */
    UTF8("\"a b\"=\"t\\tb\"", "{\"a b\"=\"t\\tb\"}");
}
END_TEST

START_TEST(go_quote_like_strconv)
{
    struct buf b = BUF_INIT;
    const char in[] = "a\"b\\c\n\t\x01\x7f\xff \xc3\xa9\xc2\xa0\xe2\x80\x8b\xf0\x9f\x98\x80"
                      "\xee\x80\x80\a\b\f\r\v";
    go_quote(&b, in, sizeof in - 1);
    ck_assert_str_eq(buf_str(&b), "\"a\\\"b\\\\c\\n\\t\\x01\\x7f\\xff \xc3\xa9\\u00a0\\u200b"
                                  "\xf0\x9f\x98\x80\\ue000\\a\\b\\f\\r\\v\"");
    buf_reset(&b);
    go_quote(&b, "\xf4\x8f\xbf\xbf", 4); /* U+10FFFF, unassigned */
    ck_assert_str_eq(buf_str(&b), "\"\\U0010ffff\"");
    buf_deinit(&b);
}
END_TEST

/* ---- the classic grammar (Alertmanager 0.25; messages from amtool) ------ */

START_TEST(classic_parser)
{
    CLASSIC("foo=bar", "{foo=\"bar\"}");
    CLASSIC("  foo  =~  bar baz  ", "{foo=~\"bar baz\"}");
    CLASSIC("foo=", "{foo=\"\"}");
    CLASSIC("foo=\"\"", "{foo=\"\"}");
    CLASSIC("{foo=\"bar\", dings!=\"bums\", }", "{foo=\"bar\",dings!=\"bums\"}");
    CLASSIC("a=b,", "{a=\"b\"}");
    CLASSIC("quote=\"She said: \\\"Hi, ladies!\\\"\"", "{quote=\"She said: \\\"Hi, ladies!\\\"\"}");
    CLASSIC("a=\"x\\\\\"", "{a=\"x\\\\\"}");
    CLASSIC("a=\"l1\\nl2\"", "{a=\"l1\\nl2\"}");
    CLASSIC("a=\"\\d\"", "{a=\"\\\\d\"}"); /* a spurious escape stays a backslash */
    CLASSIC("a:b_c=1", "{a:b_c=\"1\"}");
    CLASSIC("a==b", "{a=\"=b\"}");
    CLASSIC("a=~\"x,y\",b=c", "{a=~\"x,y\",b=\"c\"}");
    CLASSIC("a=\"\xc3\xa9\"", "{a=\"\xc3\xa9\"}");
    CLASSIC("a=\"\xff\"", "{a=\"\xef\xbf\xbd\"}"); /* Go walks runes: U+FFFD */
    CLASSIC("1a=b", "ERR bad matcher format: 1a=b");
    CLASSIC("a=\"b\",,c=\"d\"", "ERR bad matcher format: ");
    CLASSIC(" {foo=bar}", "ERR bad matcher format: {foo=bar");
    CLASSIC("foo", "ERR bad matcher format: foo");
    CLASSIC("a=b, c", "ERR bad matcher format: c");
    CLASSIC("foo=\"bar", "ERR matcher value contains unescaped double quote: \"bar");
    CLASSIC("foo=b\"ar", "ERR matcher value contains unescaped double quote: b\"ar");
    CLASSIC("a==\"b\"", "ERR matcher value contains unescaped double quote: =\"b\"");
    CLASSIC("foo=~\"(\"", "ERR error parsing regexp: missing closing ): `^(?:()$`");
    CLASSIC("a=~\"\\\\1\"", "ERR error parsing regexp: invalid escape sequence: `\\1`");
    CLASSIC("", "{}");
    CLASSIC("{}", "{}");
}
END_TEST

/* ---- the UTF-8 grammar (Alertmanager 0.27+) ----------------------------- */

START_TEST(utf8_parser)
{
    UTF8("foo=bar", "{foo=\"bar\"}");
    UTF8("{foo=\"bar\", dings!=\"bums\",}", "{foo=\"bar\",dings!=\"bums\"}");
    UTF8("{ \"foo bar\" =~ \"a|b\" }", "{\"foo bar\"=~\"a|b\"}");
    UTF8("f\xc3\xb6\xc3\xb6=\xf0\x9f\x99\x82", "{f\xc3\xb6\xc3\xb6=\"\xf0\x9f\x99\x82\"}");
    UTF8("a=\"\\xf0\\x9f\\x99\\x82\"", "{a=\"\xf0\x9f\x99\x82\"}");
    UTF8("a=\"\\u00e9\\t\\101\"", "{a=\"\xc3\xa9\tA\"}");
    UTF8("a=~\"\\\\d+\"", "{a=~\"\\\\d+\"}");
    UTF8("", "{}");
    UTF8("{}", "{}");
    UTF8("foo=", "ERR end of input: expected label value");
    UTF8("foo", "ERR end of input: expected an operator such as '=', '!=', '=~' or '!~'");
    UTF8("{foo=bar", "ERR 0:8: end of input: expected close brace");
    UTF8("foo=bar}", "ERR 0:8: }: expected opening brace");
    UTF8("{foo=bar}}", "ERR 9:10: }: expected end of input");
    UTF8("foo!bar", "ERR 3:4: !: expected one of '=~': expected an operator such as '=', '!=', "
                    "'=~' or '!~'");
    UTF8("foo!", "ERR 3:4: unexpected end of input, expected one of '=~': expected an operator "
                 "such as '=', '!=', '=~' or '!~'");
    UTF8("foo=\"bar", "ERR 4:8: \"bar: missing end \": expected label value");
    UTF8("foo~bar", "ERR 3:4: ~: invalid input: expected an operator such as '=', '!=', '=~' or "
                    "'!~'");
    UTF8("a=b c=d", "ERR 4:5: unexpected c: expected a comma or close brace");
    UTF8("a=b,,", "ERR 4:5: unexpected ,: expected a matcher or close brace after comma");
    UTF8("a=b,=", "ERR 4:5: unexpected =: expected a matcher or close brace after comma");
    UTF8("=b", "ERR 0:1: unexpected =: expected label name");
    UTF8("a=\"\\q\"", "ERR 2:6: \"\\q\": invalid input");
    UTF8("a=\"\\'\"", "ERR 2:6: \"\\'\": invalid input");
    UTF8("a=\"\\xff\"", "ERR 2:8: \"\\xff\": invalid input"); /* not UTF-8 */
    UTF8("a=\"\\ud800\"", "ERR 2:10: \"\\ud800\": invalid input");
    UTF8("a=~\"(\"", "ERR failed to create matcher: error parsing regexp: missing closing ): "
                     "`^(?:()$`");
    UTF8("\xc3\xa9\xc3\xa9 = \"x\" y", "ERR 9:10: unexpected y: expected a comma or close brace");
}
END_TEST

START_TEST(fallback_mode)
{
    log_set_level("error"); /* the fallback warnings are expected here */
    /* classic wins whenever it accepts the input (0.25 meaning kept) */
    FALLBACK("foo=", "{foo=\"\"}");
    FALLBACK("a=b c", "{a=\"b c\"}");
    FALLBACK("a=~\"\\d+\"", "{a=~\"\\\\d+\"}");
    /* only the UTF-8 grammar accepts these */
    FALLBACK("\"foo bar\"=x", "{\"foo bar\"=\"x\"}");
    FALLBACK("\"a b\"=\"\\u00e9\"", "{\"a b\"=\"\xc3\xa9\"}");
    /* both accept but disagree: the classic reading wins, as in Alertmanager */
    FALLBACK("a=\"\\u00e9\"", "{a=\"\\\\u00e9\"}");
    /* both fail: the classic error, as Alertmanager reports it */
    FALLBACK("1a=\"b", "ERR bad matcher format: 1a=\"b");
    FALLBACK("foo", "ERR bad matcher format: foo");
    FALLBACK("x=~\"(\"", "ERR error parsing regexp: missing closing ): `^(?:()$`");
    /* matchers_parse appends and keeps out unchanged on error */
    struct matchers ms = {0, 0, NULL};
    struct errbuf e;
    ck_assert_int_eq(matchers_parse("a=b", &ms, &e), 0);
    ck_assert_int_eq(matchers_parse("c=~d,e!~f", &ms, &e), 0);
    ck_assert_int_eq(matchers_parse("g=h,i", &ms, &e), -1);
    ck_assert_uint_eq(ms.n, 3);
    ck_assert_int_eq(ms.v[2].type, MATCH_NRE);
    ck_assert_str_eq(ms.v[2].name, "e");
    matchers_deinit(&ms);
}
END_TEST

Suite *matcher_suite(void)
{
    Suite *s = suite_create("matcher");
    TCase *tc = tcase_create("regex");
    tcase_add_test(tc, go_corpus);
    tcase_add_test(tc, regex_anchoring_and_semantics);
    tcase_add_test(tc, regex_invalid_utf8_subject);
    tcase_add_test(tc, regex_backtracking_bomb_is_bounded);
    tcase_add_test(tc, regex_rejects_non_re2);
    tcase_add_test(tc, regex_translation_is_defensive);
    suite_add_tcase(s, tc);
    tc = tcase_create("matcher");
    tcase_add_test(tc, missing_label_is_empty);
    tcase_add_test(tc, sort_and_format);
    tcase_add_test(tc, go_quote_like_strconv);
    tcase_add_test(tc, classic_parser);
    tcase_add_test(tc, utf8_parser);
    tcase_add_test(tc, fallback_mode);
    suite_add_tcase(s, tc);
    return s;
}

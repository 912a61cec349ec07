/* test_mime.c -- quoted-printable, header encoding and folding, address
 * lists and dates, byte for byte; plus the property that matters most for
 * a mail built from alert labels: nothing a label holds can end a header
 * line early or add one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "mime.h"

/* ---- helpers ------------------------------------------------------------------ */

static char *qp(const char *s)
{
    struct buf b = BUF_INIT;
    mime_qp_encode(&b, s, strlen(s));
    return buf_steal(&b);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A strict decoder: soft breaks removed, =XX decoded (upper-case only, as
 * we write), hard CRLF kept as LF. */
static char *qp_decode(const char *s)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "");
    while (*s) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 3;
        } else if (s[0] == '=') {
            ck_assert_msg(hexval(s[1]) >= 0 && hexval(s[2]) >= 0, "bad escape at %.10s", s);
            buf_putc(&b, (char)(hexval(s[1]) * 16 + hexval(s[2])));
            s += 3;
        } else if (s[0] == '\r' && s[1] == '\n') {
            buf_putc(&b, '\n');
            s += 2;
        } else {
            ck_assert_msg(s[0] != '\r' && s[0] != '\n', "bare CR or LF in QP output");
            buf_putc(&b, *s++);
        }
    }
    return buf_steal(&b);
}

/* Every line of s (CRLF-separated) at most max characters, and no line
 * that ends in a space or tab. */
static void check_lines(const char *s, size_t max)
{
    const char *line = s;
    for (;;) {
        const char *e = strstr(line, "\r\n");
        size_t n = e ? (size_t)(e - line) : strlen(line);
        ck_assert_msg(n <= max, "line of %zu > %zu: %.*s", n, max, (int)n, line);
        if (n)
            ck_assert_msg(line[n - 1] != ' ' && line[n - 1] != '\t', "trailing white space: %.*s",
                          (int)n, line);
        if (!e)
            break;
        line = e + 2;
    }
}

static char *header(const char *name, const char *value, int *rc)
{
    struct buf b = BUF_INIT;
    struct errbuf err;
    buf_puts(&b, "");
    *rc = mime_header_text(&b, name, value, &err);
    return buf_steal(&b);
}

static char *header_ok(const char *name, const char *value)
{
    int rc;
    char *h = header(name, value, &rc);
    ck_assert_int_eq(rc, 0);
    return h;
}

/* ---- quoted-printable ----------------------------------------------------------- */

START_TEST(qp_basics)
{
    struct {
        const char *in, *want;
    } cases[] = {
        {"hello\n", "hello\r\n"},
        {"a=b", "a=3Db"},
        {"x \n", "x=20\r\n"},
        {"x\t", "x=09"},
        {"a b\tc\n", "a b\tc\r\n"},
        {"crlf\r\nline\r\n", "crlf\r\nline\r\n"},
        {"lone\rcr", "lone=0Dcr"},
        {".\n.dot\n", ".\r\n.dot\r\n"}, /* dot-stuffing is curl's job */
        {"\xc3\xa9t\xc3\xa9", "=C3=A9t=C3=A9"},
        {"ctl\x01\x7f", "ctl=01=7F"},
        {"", ""},
        {"\n\n", "\r\n\r\n"},
        {"  \n", " =20\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = qp(cases[i].in);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "qp(%s) = %s", cases[i].in, got);
        free(got);
    }
}
END_TEST

START_TEST(qp_long_lines)
{
    char line[200];
    /* 76 characters fit exactly; 77 need a soft break after 75. */
    memset(line, 'a', 76);
    line[76] = '\0';
    char *got = qp(line);
    ck_assert_str_eq(got, line);
    free(got);
    memset(line, 'a', 77);
    line[77] = '\0';
    got = qp(line);
    ck_assert_uint_eq(strlen(got), 77 + 3);
    ck_assert(strncmp(got + 75, "=\r\naa", 5) == 0);
    check_lines(got, 76);
    free(got);
    /* '=' escapes are never split, and the last one on a line may not
     * end at column 76 if a soft break must follow. */
    memset(line, '=', 60);
    line[60] = '\0';
    got = qp(line);
    check_lines(got, 76);
    ck_assert(strncmp(got, "=3D=3D", 6) == 0);
    ck_assert_uint_eq(strstr(got, "\r\n") - got, 76); /* 25 escapes = 75, then '=' */
    char *dec = qp_decode(got);
    ck_assert_str_eq(dec, line);
    free(dec);
    free(got);
}
END_TEST

START_TEST(qp_utf8_not_split)
{
    /* 30 x e-acute: 12 per line (72 columns + '='), never =C3 then a break. */
    struct buf in = BUF_INIT;
    for (int i = 0; i < 30; i++)
        buf_puts(&in, "\xc3\xa9");
    char *got = qp(buf_str(&in));
    check_lines(got, 76);
    ck_assert_uint_eq(strstr(got, "=\r\n") - got, 72);
    ck_assert(strstr(got, "=C3=\r\n") == NULL);
    char *dec = qp_decode(got);
    ck_assert_str_eq(dec, buf_str(&in));
    free(dec);
    free(got);
    buf_deinit(&in);
}
END_TEST

START_TEST(qp_round_trip)
{
    /* Pseudo-random text: every byte value, runs of spaces, line breaks. */
    unsigned s = 12345;
    for (int round = 0; round < 200; round++) {
        struct buf in = BUF_INIT;
        buf_puts(&in, "");
        int len = (int)(s % 400);
        for (int i = 0; i < len; i++) {
            s = s * 1103515245 + 12345;
            unsigned r = (s >> 16) % 10;
            char c = r < 3 ? ' ' : r < 4 ? '\n' : (char)((s >> 8) & 0xff);
            if (c == '\r' || c == '\0')
                c = 'x';
            buf_putc(&in, c);
        }
        char *got = qp(buf_str(&in));
        check_lines(got, 76);
        for (const char *p = got; *p; p++)
            ck_assert_msg((unsigned char)*p < 128, "8-bit byte in QP output");
        char *dec = qp_decode(got);
        ck_assert_msg(strcmp(dec, buf_str(&in)) == 0, "round %d: round trip differs", round);
        free(dec);
        free(got);
        buf_deinit(&in);
        s = s * 1103515245 + 12345;
    }
}
END_TEST

/* ---- header fields ---------------------------------------------------------------- */

START_TEST(header_plain)
{
    char *h = header_ok("Subject", "[FIRING:1] HighCPU (web-1 critical)");
    ck_assert_str_eq(h, "Subject: [FIRING:1] HighCPU (web-1 critical)\r\n");
    free(h);
    /* A template's surrounding new lines and blanks are trimmed. */
    h = header_ok("Subject", "\n  [RESOLVED] Disk \n");
    ck_assert_str_eq(h, "Subject: [RESOLVED] Disk\r\n");
    free(h);
    h = header_ok("X-Empty", "");
    ck_assert_str_eq(h, "X-Empty:\r\n");
    free(h);
}
END_TEST

START_TEST(header_fold_ascii)
{
    const char *v = "[FIRING:12] KubePodCrashLooping (namespace=production pod=api-7d9f8b6c4-x2x9z "
                    "container=server severity=critical team=platform)";
    char *h = header_ok("Subject", v);
    check_lines(h, 78);
    ck_assert(strstr(h, "\r\n ") != NULL);
    /* Unfolding (removing CRLF before white space) gives the value back. */
    struct buf u = BUF_INIT;
    for (const char *p = h; *p; p++)
        if (!(p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t')))
            buf_putc(&u, *p);
        else
            p++;
    ck_assert_str_eq(buf_str(&u), "Subject: [FIRING:12] KubePodCrashLooping (namespace=production "
                                  "pod=api-7d9f8b6c4-x2x9z container=server severity=critical "
                                  "team=platform)\r\n");
    buf_deinit(&u);
    free(h);
}
END_TEST

START_TEST(header_rfc2047)
{
    /* Mostly ASCII: Q is shorter. */
    char *h = header_ok("Subject", "[FIRING:2] HighCPU \xc3\xbcnicode");
    ck_assert_str_eq(h, "Subject: =?UTF-8?Q?=5BFIRING=3A2=5D_HighCPU_=C3=BCnicode?=\r\n");
    free(h);
    /* Mostly not ASCII: B is shorter. */
    h = header_ok("Subject", "\xe8\xad\xa6\xe5\x91\x8a");
    ck_assert_str_eq(h, "Subject: =?UTF-8?B?6K2m5ZGK?=\r\n");
    free(h);
    /* Control characters and literal encoded-word lookalikes are encoded. */
    h = header_ok("X-Label", "a\x01z");
    ck_assert_str_eq(h, "X-Label: =?UTF-8?Q?a=01z?=\r\n");
    free(h);
    h = header_ok("Subject", "=?UTF-8?B?Zm9v?=");
    ck_assert(strncmp(h, "Subject: =?UTF-8?", 17) == 0 && strstr(h, "Zm9v?=\r\n") == NULL);
    free(h);
}
END_TEST

START_TEST(header_rfc2047_long)
{
    /* 40 x "ü ": must become several encoded-words, each <= 75, every line
     * <= 76, split between characters. */
    struct buf v = BUF_INIT;
    buf_puts(&v, "Alert:");
    for (int i = 0; i < 40; i++)
        buf_puts(&v, " \xc3\xbc\xe2\x9c\x93");
    char *h = header_ok("Subject", buf_str(&v));
    check_lines(h, 76);
    int words = 0;
    for (const char *p = h; (p = strstr(p, "=?UTF-8?")); p++) {
        const char *e = strstr(p + 10, "?=");
        ck_assert(e != NULL);
        ck_assert_msg(e + 2 - p <= 75, "encoded-word of %d", (int)(e + 2 - p));
        words++;
    }
    ck_assert_int_ge(words, 3);
    free(h);
    buf_deinit(&v);
}
END_TEST

START_TEST(header_injection)
{
    const char *bad[] = {"x\r\nBcc: evil@example.org", "x\nBcc: evil@example.org",
                         "x\rBcc: evil@example.org", "ok\r\n\r\nbody"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct buf b = BUF_INIT;
        struct errbuf err;
        buf_puts(&b, "Keep: 1\r\n");
        ck_assert_int_eq(mime_header_text(&b, "Subject", bad[i], &err), -1);
        ck_assert_str_eq(buf_str(&b), "Keep: 1\r\n");
        ck_assert(strstr(err.msg, "line break") != NULL);
        buf_deinit(&b);
    }
    int rc;
    char *h = header("Bad Name", "v", &rc);
    ck_assert_int_eq(rc, -1);
    free(h);
    h = header("X:Y", "v", &rc);
    ck_assert_int_eq(rc, -1);
    free(h);
    h = header("Subject", "\xff\xfe", &rc);
    ck_assert_int_eq(rc, -1);
    free(h);
}
END_TEST

/* ---- addresses -------------------------------------------------------------------- */

struct addr_case {
    const char *in;
    int n;
    const char *addr[3], *name[3];
};

static const struct addr_case acases[] = {
    {"a@example.org", 1, {"a@example.org"}, {NULL}},
    {"oncall@example.org, \"Ops Team\" <ops@example.org>",
     2,
     {"oncall@example.org", "ops@example.org"},
     {NULL, "Ops Team"}},
    {"\"Ops, EU\" <ops@x.org>", 1, {"ops@x.org"}, {"Ops, EU"}},
    {"J\xc3\xbcrgen M\xc3\xbcller <jm@x.org>", 1, {"jm@x.org"}, {"J\xc3\xbcrgen M\xc3\xbcller"}},
    {"\"john doe\"@example.org", 1, {"\"john doe\"@example.org"}, {NULL}},
    {"\"john\"@example.org", 1, {"john@example.org"}, {NULL}},
    {"\"a\\\"b\"@x.org", 1, {"\"a\\\"b\"@x.org"}, {NULL}},
    {"root@[127.0.0.1]", 1, {"root@[127.0.0.1]"}, {NULL}},
    {"(pager) a@x.org (night)", 1, {"a@x.org"}, {NULL}},
    {"Team: a@x.org, B <b@x.org>;, c@x.org", 3, {"a@x.org", "b@x.org", "c@x.org"}, {NULL, "B"}},
    {" a@x.org,, b@x.org, ", 2, {"a@x.org", "b@x.org"}, {NULL, NULL}},
    {"J. Smith <js@x.org>", 1, {"js@x.org"}, {"J. Smith"}},
    {"<bare@x.org>", 1, {"bare@x.org"}, {NULL}},
    {"first.last+tag@sub.example.org", 1, {"first.last+tag@sub.example.org"}, {NULL}},
};

START_TEST(addr_parse)
{
    const struct addr_case *c = &acases[_i];
    struct mime_addr_list l;
    struct errbuf err;
    ck_assert_msg(mime_addr_list_parse(c->in, &l, &err) == 0, "%s: %s", c->in, err.msg);
    ck_assert_int_eq((int)l.n, c->n);
    for (int i = 0; i < c->n; i++) {
        ck_assert_str_eq(l.v[i].addr, c->addr[i]);
        if (c->name[i])
            ck_assert_str_eq(l.v[i].name ? l.v[i].name : "(null)", c->name[i]);
        else
            ck_assert_msg(l.v[i].name == NULL, "%s: unexpected name %s", c->in, l.v[i].name);
    }
    mime_addr_list_deinit(&l);
}
END_TEST

static const char *const abad[] = {
    "",
    "   ",
    "a",
    "a@",
    "@x.org",
    "<a@x.org",
    "a@x.org b@x.org",
    "\"unterminated <a@x.org>",
    "a@x.org\r\nRCPT TO:<evil@x.org>",
    "a@x.org>\nRCPT TO:<evil@x.org",
    "j\xc3\xbcrgen@x.org",
    "Name Only",
    "a@x.org (open comment",
    "undisclosed-recipients:;",
    "a..b@x.org@y",
    "a@x.org\xff",
};

START_TEST(addr_reject)
{
    struct mime_addr_list l;
    struct errbuf err;
    ck_assert_msg(mime_addr_list_parse(abad[_i], &l, &err) == -1, "accepted: %s", abad[_i]);
    ck_assert_uint_eq(l.n, 0);
    ck_assert(err.msg[0] != '\0');
}
END_TEST

START_TEST(addr_header)
{
    struct mime_addr_list l;
    struct errbuf err;
    ck_assert_int_eq(mime_addr_list_parse("oncall@example.org, \"Ops, EU\" <ops@example.org>, "
                                          "Ops Team <team@example.org>, "
                                          "J\xc3\xbcrgen <j@example.org>, \"a\\\"q\" <q@x.org>",
                                          &l, &err),
                     0);
    struct buf b = BUF_INIT;
    mime_header_addrs(&b, "To", &l);
    ck_assert_str_eq(buf_str(&b),
                     "To: oncall@example.org, \"Ops, EU\" <ops@example.org>,\r\n"
                     " Ops Team <team@example.org>, =?UTF-8?Q?J=C3=BCrgen?= <j@example.org>,\r\n"
                     " \"a\\\"q\" <q@x.org>\r\n");
    check_lines(buf_str(&b), 78);
    buf_deinit(&b);
    mime_addr_list_deinit(&l);
}
END_TEST

/* ---- dates ------------------------------------------------------------------------- */

START_TEST(date_format)
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    struct {
        const char *tz, *want;
    } cases[] = {
        {"UTC0", "Thu, 26 Nov 2026 17:27:28 +0000"},
        {"CET-1", "Thu, 26 Nov 2026 18:27:28 +0100"},
        {"<-0330>3:30", "Thu, 26 Nov 2026 13:57:28 -0330"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        setenv("TZ", cases[i].tz, 1);
        tzset();
        struct buf b = BUF_INIT;
        mime_date(&b, 1795714048);
        ck_assert_str_eq(buf_str(&b), cases[i].want);
        buf_deinit(&b);
    }
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}
END_TEST

Suite *mime_suite(void)
{
    Suite *s = suite_create("mime");
    TCase *tc = tcase_create("qp");
    tcase_add_test(tc, qp_basics);
    tcase_add_test(tc, qp_long_lines);
    tcase_add_test(tc, qp_utf8_not_split);
    tcase_add_test(tc, qp_round_trip);
    suite_add_tcase(s, tc);
    tc = tcase_create("header");
    tcase_add_test(tc, header_plain);
    tcase_add_test(tc, header_fold_ascii);
    tcase_add_test(tc, header_rfc2047);
    tcase_add_test(tc, header_rfc2047_long);
    tcase_add_test(tc, header_injection);
    suite_add_tcase(s, tc);
    tc = tcase_create("address");
    tcase_add_loop_test(tc, addr_parse, 0, sizeof acases / sizeof *acases);
    tcase_add_loop_test(tc, addr_reject, 0, sizeof abad / sizeof *abad);
    tcase_add_test(tc, addr_header);
    suite_add_tcase(s, tc);
    tc = tcase_create("date");
    tcase_add_test(tc, date_format);
    suite_add_tcase(s, tc);
    return s;
}

/* test_notify_email.c -- the whole rendered mail against files in
 * tests/data/email (Date, Message-Id and the boundary fixed), the render
 * failures that must end a send at once, the smarthost URL, and a send
 * through notify_send() that fails before any connection.
 *
 * To regenerate an expected file after an intended change, run the unit
 * tests with EMAIL_WRITE_EXPECTED=1 and review the diff. */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "config.h"
#include "http_client.h"
#include "notify.h"
#include "notify_email.h"

#define DATA "tests/data/email"
#define S NS_PER_SEC
#define T_START (1795714048LL * S) /* 2026-11-26T17:27:28Z */
#define T_NOW (1795719000LL * S)

static const struct email_fixed FX = {1795719000, "<1795719000000000000.0123456789abcdef@test>",
                                      "=_ar_test0123456789"};

static struct config *cfg;
static struct tmpl_set *ts;

static const char *const YAML =
    "global:\n"
    "  smtp_smarthost: 'mx.example.org:587'\n"
    "  smtp_from: 'Alert Router <alerts@example.org>'\n"
    "route: {receiver: ops}\n"
    "receivers:\n"
    "- name: ops\n"
    "  email_configs:\n"
    /* 0: the defaults (html only), two recipients, a templated header */
    "  - to: 'oncall@example.org, \"Ops, EU\" <ops@example.org>'\n"
    "    headers:\n"
    "      X-Alert-Group: '{{ .GroupLabels.alertname }} {{ .Status }}'\n"
    /* 1: text and html, templated to and subject, non-ASCII */
    "  - to: '{{ .CommonLabels.team }}@example.org'\n"
    "    from: '\"Z\xc3\xbcrich Alerts\" <zh@example.org>'\n"
    "    text: \"{{ range .Alerts }}{{ .Labels.instance }}: {{ .Annotations.summary }}\\n"
    "{{ end }}.\\n..two dots\\n\"\n"
    "    html: '<p>{{ .CommonAnnotations.summary }}</p>'\n"
    "    headers:\n"
    "      Subject: '\xe2\x9a\xa0 {{ .Status | toUpper }}: {{ .GroupLabels.alertname }} "
    "\xc3\xbc"
    "ber alle Knoten'\n"
    /* 2: a label value in a header */
    "  - to: 'a@example.org'\n"
    "    headers: {X-Instance: '{{ .CommonLabels.instance }}'}\n"
    /* 3: a label value as the recipient */
    "  - to: '{{ .CommonLabels.instance }}'\n"
    /* 4: two from addresses */
    "  - to: 'a@example.org'\n"
    "    from: 'a@example.org, b@example.org'\n"
    /* 5: a template that fails */
    "  - to: 'a@example.org'\n"
    "    text: '{{ template \"nope\" . }}'\n"
    /* 6: port 465, a hello with odd characters */
    "  - to: 'a@example.org'\n"
    "    smarthost: 'smtp.example.org:465'\n"
    "    hello: 'router example'\n";

static const struct email_cfg *ecfg(size_t i)
{
    const struct receiver_cfg *rc = config_receiver(cfg, "ops");
    ck_assert(rc && rc->n_email > i);
    return &rc->email[i];
}

static void setup(void)
{
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    cfg = config_parse(YAML, strlen(YAML), "email.yml", NULL, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "config: %s\n", diag.msgs[i]);
    cfg_diag_deinit(&diag);
    ck_assert(cfg != NULL);
    ts = tmpl_set_new();
    struct errbuf err;
    ck_assert_int_eq(tmpl_set_load_default(ts, &err), 0);
}

static void teardown(void)
{
    config_free(cfg);
    tmpl_set_free(ts);
}

static struct alert *mk(const char *instance, const char *summary, int64_t ends)
{
    struct label l[] = {{"alertname", "DiskFull"}, {"instance", instance}, {"team", "db"}};
    struct label a[] = {{"summary", summary}};
    struct alert *al = alert_new(l, 3, a, 1, "http://prom:9090/graph?g0.expr=x&a=<b>");
    al->starts_at = T_START;
    al->ends_at = ends;
    return al;
}

static struct notify_req *mk_req(struct alert **al, size_t n)
{
    struct label gl[] = {{"alertname", "DiskFull"}};
    struct labels gls = {1, gl};
    struct notify_req_args a = {.receiver = "ops",
                                .group_key = "{}:{alertname=\"DiskFull\"}",
                                .external_url = "http://am.example:9093",
                                .group_labels = &gls,
                                .alerts = al,
                                .n_alerts = n,
                                .now = T_NOW};
    return notify_req_new(&a);
}

static void expect_file(const struct buf *got, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", DATA, name);
    if (getenv("EMAIL_WRITE_EXPECTED")) {
        FILE *f = fopen(path, "wb");
        ck_assert(f != NULL);
        fwrite(got->p, 1, got->len, f);
        fclose(f);
    }
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "run from the repository root: %s", path);
    char *want = malloc(1 << 18);
    size_t len = fread(want, 1, (1 << 18) - 1, f);
    want[len] = '\0';
    fclose(f);
    if (got->len != len || memcmp(got->p, want, len) != 0) {
        size_t i = 0;
        while (i < len && i < got->len && got->p[i] == want[i])
            i++;
        ck_abort_msg("%s differs at byte %zu:\n got: %.80s\nwant: %.80s", name, i,
                     got->p + (i > 30 ? i - 30 : 0), want + (i > 30 ? i - 30 : 0));
    }
    free(want);
}

/* Every line ends in CRLF, is at most 998 octets, and the whole is 7-bit. */
static void check_wire_form(const struct buf *m)
{
    size_t col = 0;
    for (size_t i = 0; i < m->len; i++) {
        unsigned char c = (unsigned char)m->p[i];
        ck_assert_msg(c < 128, "8-bit byte at %zu", i);
        if (c == '\n') {
            ck_assert_msg(i > 0 && m->p[i - 1] == '\r', "bare LF at %zu", i);
            col = 0;
        } else if (c == '\r') {
            ck_assert_msg(i + 1 < m->len && m->p[i + 1] == '\n', "bare CR at %zu", i);
        } else {
            ck_assert_msg(++col <= 998, "line too long at %zu", i);
        }
    }
    ck_assert(m->len >= 2 && m->p[m->len - 2] == '\r' && m->p[m->len - 1] == '\n');
}

START_TEST(default_html_mail)
{
    setenv("TZ", "UTC0", 1);
    tzset();
    struct alert *al[] = {mk("db-1", "disk > 90% & <rising>", 0),
                          mk("db-2", "disk > 90% & <rising>", T_NOW - S)};
    struct notify_req *r = mk_req(al, 2);
    struct email_msg m;
    struct errbuf err;
    ck_assert_msg(email_build(ecfg(0), ts, r, r->alerts, 2, &FX, &m, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(m.mail_from, "<alerts@example.org>");
    ck_assert_uint_eq(m.n_rcpt, 2);
    ck_assert_str_eq(m.rcpt[0], "<oncall@example.org>");
    ck_assert_str_eq(m.rcpt[1], "<ops@example.org>");
    ck_assert_ptr_null(m.rcpt[2]);
    check_wire_form(&m.msg);
    /* Only an HTML part (no `text`), as Alertmanager. */
    ck_assert(strstr(m.msg.p, "text/plain") == NULL);
    ck_assert(strstr(m.msg.p, "&lt;rising&gt;") != NULL);
    expect_file(&m.msg, "default-html.eml");
    email_msg_deinit(&m);
    notify_req_unref(r);
    alert_unref(al[0]);
    alert_unref(al[1]);
}
END_TEST

START_TEST(text_and_html_utf8)
{
    setenv("TZ", "UTC0", 1);
    tzset();
    struct alert *al[] = {mk("db-1", "Platte voll \xe2\x80\x94 90 % = zu viel ", 0)};
    struct notify_req *r = mk_req(al, 1);
    struct email_msg m;
    struct errbuf err;
    ck_assert_msg(email_build(ecfg(1), ts, r, r->alerts, 1, &FX, &m, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(m.rcpt[0], "<db@example.org>");
    ck_assert_str_eq(m.mail_from, "<zh@example.org>");
    check_wire_form(&m.msg);
    const char *plain = strstr(m.msg.p, "text/plain"), *html = strstr(m.msg.p, "text/html");
    ck_assert(plain && html && plain < html);
    expect_file(&m.msg, "text-html-utf8.eml");
    email_msg_deinit(&m);
    notify_req_unref(r);
    alert_unref(al[0]);
}
END_TEST

/* A label is attacker-controlled: no value of it may add a header or an
 * SMTP command, and the failure says why. */
START_TEST(render_failures_are_clear)
{
    struct {
        size_t cfg;
        const char *instance, *want;
    } cases[] = {
        {2, "x\r\nBcc: victim@example.org", "header X-Instance: value contains a line break"},
        {2, "x\nBcc: victim@example.org", "header X-Instance: value contains a line break"},
        {3, "a@example.org>\r\nRCPT TO:<victim@example.org",
         "parse 'to' addresses: address list contains a line break"},
        {3, "not an address", "parse 'to' addresses: "},
        {4, "db-1", "must be exactly one 'from' address (got: 2)"},
        {5, "db-1", "execute text template"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct alert *al[] = {mk(cases[i].instance, "s", 0)};
        struct notify_req *r = mk_req(al, 1);
        struct email_msg m;
        struct errbuf err;
        ck_assert_int_eq(email_build(ecfg(cases[i].cfg), ts, r, r->alerts, 1, &FX, &m, &err), -1);
        ck_assert_msg(strncmp(err.msg, cases[i].want, strlen(cases[i].want)) == 0, "case %zu: %s",
                      i, err.msg);
        ck_assert_uint_eq(m.msg.len, 0);
        ck_assert_ptr_null(m.rcpt);
        notify_req_unref(r);
        alert_unref(al[0]);
    }
}
END_TEST

START_TEST(smarthost_url)
{
    struct buf u = BUF_INIT;
    struct errbuf err;
    ck_assert_int_eq(email_url(ecfg(0), &u, &err), 0);
    ck_assert_str_eq(buf_str(&u), "smtp://mx.example.org:587/localhost");
    buf_reset(&u);
    ck_assert_int_eq(email_url(ecfg(6), &u, &err), 0);
    ck_assert_str_eq(buf_str(&u), "smtps://smtp.example.org:465/router%20example");
    struct email_cfg c = {.smarthost = "::1:25", .hello = "h", .force_implicit_tls = -1};
    buf_reset(&u);
    ck_assert_int_eq(email_url(&c, &u, &err), 0);
    ck_assert_str_eq(buf_str(&u), "smtp://[::1]:25/h");
    c.smarthost = "[::1]:2525";
    buf_reset(&u);
    ck_assert_int_eq(email_url(&c, &u, &err), 0);
    ck_assert_str_eq(buf_str(&u), "smtp://[::1]:2525/h");
    c.force_implicit_tls = 1;
    buf_reset(&u);
    ck_assert_int_eq(email_url(&c, &u, &err), 0);
    ck_assert_str_eq(buf_str(&u), "smtps://[::1]:2525/h");
    c.smarthost = "mx:465";
    c.force_implicit_tls = 0;
    buf_reset(&u);
    ck_assert_int_eq(email_url(&c, &u, &err), 0);
    ck_assert_str_eq(buf_str(&u), "smtp://mx:465/h");
    const char *bad[] = {"nohost", ":25", "host:", "host:2x5"};
    for (size_t i = 0; i < 4; i++) {
        c.smarthost = (char *)bad[i];
        ck_assert_int_eq(email_url(&c, &u, &err), -1);
    }
    buf_deinit(&u);
}
END_TEST

/* ---- through notify_send ---------------------------------------------------------- */

static int done_calls;
static struct notify_result done_res;

static void on_done(void *arg, struct notify_req *req, const struct notify_result *res)
{
    done_calls++;
    done_res = *res;
    ev_break((struct ev_loop *)arg, EVBREAK_ALL);
}

static void on_guard(EV_P_ ev_timer *w, int revents)
{
    ev_break(EV_A_ EVBREAK_ALL);
}

START_TEST(render_failure_is_permanent)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *hc = http_client_new(loop);
    struct notify_env env = {loop, hc, NULL, NULL, true};
    struct notifier *n = notifier_email_new(ecfg(2), "ops", 2, &env);
    ck_assert_str_eq(notifier_integration(n), "email");
    ck_assert(!notifier_send_resolved(n));
    struct alert *al[] = {mk("x\r\nBcc: victim@example.org", "s", 0)};
    struct notify_req *r = mk_req(al, 1);
    done_calls = 0;
    notify_send(n, r, on_done, loop);
    ev_timer guard;
    ev_timer_init(&guard, on_guard, 3., 0.);
    ev_timer_start(loop, &guard);
    ev_run(loop, 0);
    ev_timer_stop(loop, &guard);
    ck_assert_int_eq(done_calls, 1);
    ck_assert(!done_res.ok && !done_res.retryable);
    ck_assert_uint_eq(done_res.attempts, 1);
    ck_assert_str_eq(done_res.msg, "ops/email[2]: notify retry canceled due to unrecoverable "
                                   "error after 1 attempts: header X-Instance: value contains a "
                                   "line break");
    ck_assert_uint_eq(http_client_pending(hc), 0);
    notifier_free(n);
    notify_req_unref(r);
    alert_unref(al[0]);
    http_client_free(hc);
    ev_loop_destroy(loop);
}
END_TEST

Suite *notify_email_suite(void)
{
    Suite *s = suite_create("notify_email");
    TCase *tc = tcase_create("build");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, default_html_mail);
    tcase_add_test(tc, text_and_html_utf8);
    tcase_add_test(tc, render_failures_are_clear);
    tcase_add_test(tc, smarthost_url);
    tcase_add_test(tc, render_failure_is_permanent);
    suite_add_tcase(s, tc);
    return s;
}

/* test_notify_slack.c -- the Slack body against Alertmanager 0.25's own
 * (tests/data/slack/am025-*.json, captured by t_slack_am025.sh from
 * Debian's prometheus-alertmanager 0.25 with tests/data/slack/am025/), our
 * escaping of alert data, truncation, the judgement of Slack's answers,
 * the pacer on a fake clock, and a paced send ended by notifier_free(). */
#include <ev.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "testutil.h"
#include "config.h"
#include "http_client.h"
#include "notify.h"
#include "notify_internal.h"
#include "notify_pace.h"
#include "notify_tmpl.h"

#define DATA "tests/data/slack"
#define S NS_PER_SEC
#define T0 (1795714048LL * S)

static struct config *am_config(void)
{
    size_t len;
    char *y = tu_slurp(DATA "/am025/alertmanager.yml", &len);
    for (char *p; (p = strstr(y, "@PORT@"));)
        memcpy(p, "999999", 6); /* the sink's port; never contacted here */
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = config_parse(y, len, "alertmanager.yml", ".", &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s\n", d.msgs[i]);
    ck_assert_ptr_nonnull(cfg);
    cfg_diag_deinit(&d);
    free(y);
    return cfg;
}

/* The alerts of tests/data/slack/am025/alerts-1.json (resolved: -2). */
static void capture_alerts(struct alert *out[2], bool resolved)
{
    char longv[4096];
    size_t k = 0;
    for (int i = 0; i < 1000; i++)
        k += (size_t)snprintf(longv + k, sizeof longv - k, "\xc3\xa9");
    for (int i = 0; i < 30; i++)
        k += (size_t)snprintf(longv + k, sizeof longv - k, "\xe2\x9c\x93");
    snprintf(longv + k, sizeof longv - k, "tail");
    const char *inst[2] = {"web-1", "web-2"};
    const char *gen[2] = {"http://prom.example:9090/graph?g0.expr=x&a=<b>",
                          "http://prom.example:9090/graph?g0.expr=y"};
    for (int i = 0; i < 2; i++) {
        struct label l[] = {{"alertname", "HighLatency"},
                            {"severity", "critical"},
                            {"instance", inst[i]},
                            {"job", "api"},
                            {"owner", "<!channel> & <https://evil|bank>"}};
        struct label a[] = {{"summary", "p99 > 1s & <x>"}, {"long", longv}};
        out[i] = alert_new(l, 5, a, 2, gen[i]);
        out[i]->starts_at = T0;
        out[i]->ends_at = resolved ? T0 + 60 * S : 0;
    }
}

static struct notify_req *capture_req(struct alert *const *alerts, size_t n)
{
    struct label gl[] = {{"alertname", "HighLatency"}};
    struct labels gls = {1, gl};
    struct notify_req_args a = {.receiver = "crit.team+1",
                                .group_key = "{}:{alertname=\"HighLatency\"}",
                                .external_url = "http://am.example:9093",
                                .group_labels = &gls,
                                .alerts = alerts,
                                .n_alerts = n,
                                .now = T0 + 120 * S};
    return notify_req_new(&a);
}

static void expect_same(const char *got, size_t glen, const char *want, size_t wlen,
                        const char *name)
{
    if (glen == wlen && memcmp(got, want, glen) == 0)
        return;
    size_t i = 0;
    while (i < glen && i < wlen && got[i] == want[i])
        i++;
    ck_abort_msg("%s differs at byte %zu:\n got: %.80s\nwant: %.80s", name, i,
                 got + (i > 30 ? i - 30 : 0), want + (i > 30 ? i - 30 : 0));
}

/* Replaces every `from` in b with `to`. */
static void replace_all(struct buf *b, const char *from, const char *to)
{
    struct buf o = BUF_INIT;
    const char *s = buf_str(b), *p;
    size_t fl = strlen(from);
    while ((p = strstr(s, from))) {
        buf_append(&o, s, (size_t)(p - s));
        buf_puts(&o, to);
        s = p + fl;
    }
    buf_puts(&o, s);
    buf_deinit(b);
    *b = o;
}

struct am_case {
    const char *file;
    size_t cfg_idx; /* slack_configs[i] */
    bool resolved;
};

static const struct am_case am_cases[] = {
    {"am025-default-firing.json", 0, false}, {"am025-default-resolved.json", 0, true},
    {"am025-full-firing.json", 1, false},    {"am025-full-resolved.json", 1, true},
    {"am025-long-title.json", 2, false},
};

/* safe=false is Alertmanager 0.25 byte for byte; safe=true differs only
 * where alert data held & < >: undoing our escapes gives AM's bytes back. */
START_TEST(payload_matches_alertmanager)
{
    const struct am_case *c = &am_cases[_i];
    struct config *cfg = am_config();
    const struct slack_cfg *sc = &cfg->receivers[0].slack[c->cfg_idx];
    struct alert *al[2];
    capture_alerts(al, c->resolved);
    struct notify_req *r = capture_req(al, 2);
    char path[256];
    snprintf(path, sizeof path, "%s/%s", DATA, c->file);
    size_t wlen;
    char *want = tu_slurp(path, &wlen);

    struct buf out = BUF_INIT;
    char *channel;
    ck_assert_int_eq(notify_slack_payload(sc, notify_templates_default(), r, r->alerts, 2, false,
                                          &out, &channel),
                     0);
    expect_same(out.p, out.len, want, wlen, c->file);
    ck_assert_str_eq(channel, c->cfg_idx == 1 ? "#alerts-api" : "");
    free(channel);

    buf_reset(&out);
    notify_slack_payload(sc, notify_templates_default(), r, r->alerts, 2, true, &out, &channel);
    free(channel);
    /* No raw <!channel> or disguised link from the data survives... */
    ck_assert_ptr_null(strstr(buf_str(&out), "\\u003c!channel"));
    ck_assert_ptr_null(strstr(buf_str(&out), "\\u003chttps://evil"));
    if (c->cfg_idx != 2)
        ck_assert_ptr_nonnull(strstr(buf_str(&out), "\\u0026lt;!channel\\u0026gt;"));
    /* ...and nothing else changed. */
    replace_all(&out, "\\u0026amp;", "\\u0026");
    replace_all(&out, "\\u0026lt;", "\\u003c");
    replace_all(&out, "\\u0026gt;", "\\u003e");
    expect_same(out.p, out.len, want, wlen, c->file);

    buf_deinit(&out);
    free(want);
    notify_req_unref(r);
    alert_unref(al[0]);
    alert_unref(al[1]);
    config_free(cfg);
}
END_TEST

/* URL-like fields get the raw data: escaping a link would break it. */
START_TEST(escaping_spares_urls_and_config_text)
{
    struct config *cfg = am_config();
    const struct slack_cfg *sc = &cfg->receivers[0].slack[1];
    struct alert *al[2];
    capture_alerts(al, false);
    struct notify_req *r = capture_req(al, 2);
    struct buf out = BUF_INIT;
    char *channel;
    notify_slack_payload(sc, notify_templates_default(), r, r->alerts, 2, true, &out, &channel);
    /* title_link keeps its template's own "&a=<b>" */
    ck_assert_ptr_nonnull(strstr(buf_str(&out),
                                 "\"title_link\":\"https://grafana.example/d/x?var-job=api"
                                 "\\u0026a=\\u003cb\\u003e\""));
    /* generator URL inside text: escaped, so Slack's <url|src> stays one link */
    ck_assert_ptr_nonnull(strstr(buf_str(&out), "\\u003chttp://prom.example:9090/graph?g0.expr=x"
                                                "\\u0026amp;a=\\u0026lt;b\\u0026gt;|src\\u003e"));
    /* config text "footer & more" is the operator's, left alone */
    ck_assert_ptr_nonnull(strstr(buf_str(&out), "\"footer\":\"footer \\u0026 more\""));
    free(channel);
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(al[0]);
    alert_unref(al[1]);
    config_free(cfg);
}
END_TEST

START_TEST(escape_and_truncate)
{
    struct buf b = BUF_INIT;
    notify_slack_escape(&b, "<!here> & &lt; *b* `c`");
    ck_assert_str_eq(buf_str(&b), "&lt;!here&gt; &amp; &amp;lt; *b* `c`");

    buf_reset(&b);
    buf_puts(&b, "abcdef");
    ck_assert(!notify_slack_truncate(&b, 6));
    ck_assert(notify_slack_truncate(&b, 4));
    ck_assert_str_eq(buf_str(&b), "abc\xe2\x80\xa6");
    /* runes, not bytes */
    buf_reset(&b);
    buf_puts(&b, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
    ck_assert(notify_slack_truncate(&b, 3));
    ck_assert_str_eq(buf_str(&b), "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
    /* a cut inside "&amp;" backs off to before the '&' */
    buf_reset(&b);
    buf_puts(&b, "ab&amp;cd");
    ck_assert(notify_slack_truncate(&b, 5));
    ck_assert_str_eq(buf_str(&b), "ab\xe2\x80\xa6");
    buf_reset(&b);
    buf_puts(&b, "ab&lt;cdef");
    ck_assert(notify_slack_truncate(&b, 7));
    ck_assert_str_eq(buf_str(&b), "ab&lt;\xe2\x80\xa6");
    /* a bare '&' that is not an entity does not drag the cut back */
    buf_reset(&b);
    buf_puts(&b, "a;&b;cdefgh");
    ck_assert(notify_slack_truncate(&b, 9));
    ck_assert_str_eq(buf_str(&b), "a;&b;cde\xe2\x80\xa6");
    buf_deinit(&b);
}
END_TEST

/* text over SLACK_TEXT_MAX_RUNES is cut in what we send, not in AM mode. */
START_TEST(text_truncated_when_safe)
{
    size_t n = SLACK_TEXT_MAX_RUNES + 500;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    struct label l[] = {{"alertname", "Big"}};
    struct label an[] = {{"d", big}};
    struct alert *a = alert_new(l, 1, an, 1, "");
    a->starts_at = T0;
    struct notify_req *r = capture_req(&a, 1);
    struct slack_cfg sc = {.text = "{{ .CommonAnnotations.d }}",
                           .title = "{{ template \"slack.default.title\" . }}",
                           .fallback = "f"};
    struct buf out = BUF_INIT;
    char *ch;
    notify_slack_payload(&sc, notify_templates_default(), r, r->alerts, 1, true, &out, &ch);
    free(ch);
    const char *t = strstr(buf_str(&out), "\"text\":\"");
    ck_assert_ptr_nonnull(t);
    const char *e = strstr(t + 8, "\xe2\x80\xa6\"");
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq((size_t)(e - (t + 8)), SLACK_TEXT_MAX_RUNES - 1);
    buf_reset(&out);
    notify_slack_payload(&sc, notify_templates_default(), r, r->alerts, 1, false, &out, &ch);
    free(ch);
    ck_assert_ptr_nonnull(strstr(buf_str(&out), big));
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(a);
    free(big);
}
END_TEST

/* A template that fails to execute still gives a message, saying so. */
START_TEST(template_error_is_sent)
{
    struct alert *al[2];
    capture_alerts(al, false);
    struct notify_req *r = capture_req(al, 2);
    struct slack_cfg sc = {.title = "{{ template \"no.such.template\" . }}",
                           .text = "{{ .CommonLabels.job | nosuchfunc }}",
                           .fallback = "ok"};
    struct buf out = BUF_INIT;
    char *ch;
    int errs =
        notify_slack_payload(&sc, notify_templates_default(), r, r->alerts, 2, true, &out, &ch);
    free(ch);
    ck_assert_int_ge(errs, 1);
    ck_assert_msg(strstr(buf_str(&out), "\"title\":\"template error in title: "), "%s",
                  buf_str(&out));
    ck_assert_str_eq(buf_str(&out) + out.len - 1, "\n");
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(al[0]);
    alert_unref(al[1]);
}
END_TEST

struct judge_case {
    long status;
    const char *ctype, *body;
    bool ok, retryable;
    const char *msg; /* prefix */
};

static const struct judge_case jcases[] = {
    {200, "text/html", "ok", true, false, ""},
    {200, "text/html", "invalid_payload", false, false, "error response from Slack: invalid_p"},
    {200, "application/json; charset=utf-8", "{\"ok\":true,\"ts\":\"1.2\"}", true, false, ""},
    {200, "application/json", "{\"ok\":false,\"error\":\"ratelimited\"}", false, true,
     "error response from Slack: ratelimited"},
    {200, "application/json", "{\"ok\":false,\"error\":\"invalid_auth\"}", false, false,
     "error response from Slack: invalid_auth"},
    {200, "application/json", "{\"ok\":false,\"error\":\"channel_not_found\"}", false, false,
     "error response from Slack: channel_not_found"},
    {200, "application/json", "{\"ok\":false,\"error\":\"internal_error\"}", false, true, ""},
    {200, "application/json", "{\"ok\":false}", false, false, "error response from Slack: unknown"},
    {200, "application/json", "{\"ok\":tru", false, true, "could not unmarshal"},
    {429, "application/json", "{\"ok\":false,\"error\":\"ratelimited\"}", false, true,
     "unexpected status code 429"},
    {503, "text/html", "down", false, true, "unexpected status code 503: down"},
    {404, "text/html", "channel_not_found", false, false, "unexpected status code 404"},
};

START_TEST(judge_answers)
{
    const struct judge_case *c = &jcases[_i];
    struct http_result hr = {.status = c->status, .retry_after_ms = -1};
    snprintf(hr.content_type, sizeof hr.content_type, "%s", c->ctype);
    hr.body = c->body;
    hr.body_len = strlen(c->body);
    struct notify_result res;
    notify_slack_judge(&hr, &res);
    ck_assert_msg(res.ok == c->ok && res.retryable == c->retryable, "case %d: ok %d retry %d", _i,
                  res.ok, res.retryable);
    ck_assert_msg(strncmp(res.msg, c->msg, strlen(c->msg)) == 0, "case %d: %s", _i, res.msg);
    ck_assert_int_eq(res.status, (int)c->status);
}
END_TEST

/* ---- pacing ----------------------------------------------------------------------- */

START_TEST(pacer_decisions)
{
    struct notify_pacer *p = notify_pacer_new(1.0);
    const char *a = "https://hooks/x\n#a", *b = "https://hooks/x\n#b";
    /* a burst of 5 to one channel: slots 0, 1, 2, 3, 4 s away */
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq_tol(notify_pacer_reserve(p, a, strlen(a), 100.0), i, 1e-9);
    /* another channel is independent */
    ck_assert_double_eq_tol(notify_pacer_reserve(p, b, strlen(b), 100.0), 0, 1e-9);
    /* later: the queue has drained partly */
    ck_assert_double_eq_tol(notify_pacer_reserve(p, a, strlen(a), 102.5), 2.5, 1e-9);
    /* a quiet channel sends at once again */
    ck_assert_double_eq_tol(notify_pacer_reserve(p, b, strlen(b), 110.0), 0, 1e-9);
    ck_assert_double_eq_tol(notify_pacer_reserve(p, b, strlen(b), 110.4), 0.6, 1e-9);
    /* a 429 with Retry-After 5 at t=120 holds the channel until 125 */
    notify_pacer_block(p, a, strlen(a), 125.0);
    ck_assert_double_eq_tol(notify_pacer_reserve(p, a, strlen(a), 120.0), 5.0, 1e-9);
    ck_assert_double_eq_tol(notify_pacer_reserve(p, a, strlen(a), 120.0), 6.0, 1e-9);
    /* a block in the past changes nothing */
    notify_pacer_block(p, b, strlen(b), 50.0);
    ck_assert_double_eq_tol(notify_pacer_reserve(p, b, strlen(b), 200.0), 0, 1e-9);
    /* idle destinations are forgotten: memory stays bounded */
    char k[32];
    for (int i = 0; i < 1000; i++) {
        int len = snprintf(k, sizeof k, "dest-%d", i);
        notify_pacer_reserve(p, k, (size_t)len, 300.0 + i * 2.0);
    }
    ck_assert_uint_le(notify_pacer_size(p, 300.0 + 999 * 2.0), 2);
    notify_pacer_free(p);
}
END_TEST

static int done_calls;
static struct notify_result done_res;

static void on_done(void *arg, struct notify_req *req, const struct notify_result *res)
{
    done_calls++;
    done_res = *res;
}

static void on_guard(EV_P_ ev_timer *w, int revents)
{
    ev_break(EV_A_ EVBREAK_ALL);
}

/* Two sends to one channel at once: the second waits for its slot on a
 * timer.  notifier_free() then ends both (cancelled), the waiting one via
 * op_end, without the timer firing on a freed op; notify_cancel() of a
 * waiting send likewise. */
START_TEST(paced_send_cancelled)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *hc = http_client_new(loop);
    struct notify_env env = {loop, hc, NULL, NULL, true};
    /* A loopback listener that never accepts: the kernel completes the
     * connect, nobody answers, so the first send stays in flight. */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t salen = sizeof sa;
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(lfd, 4), 0);
    ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &salen), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/services/paced-test", ntohs(sa.sin_port));
    struct slack_cfg sc = {.send_resolved = true,
                           .api_url = url,
                           .channel = "#c",
                           .text = "t",
                           .fallback = "f"};
    struct notifier *n = notifier_slack_new(&sc, "team", 0, &env);
    struct alert *al[2];
    capture_alerts(al, false);
    struct notify_req *r = capture_req(al, 2);
    done_calls = 0;
    notify_send(n, r, on_done, NULL);
    notify_send(n, r, on_done, NULL);
    struct notify_op *third = notify_send(n, r, on_done, NULL);
    ev_timer guard;
    ev_timer_init(&guard, on_guard, 0.2, 0.);
    ev_timer_start(loop, &guard);
    ev_run(loop, 0); /* first attempts: one submitted, two waiting */
    ck_assert_uint_eq(notifier_in_flight(n), 3);
    ck_assert_int_eq(done_calls, 0);
    notify_cancel(third);
    ck_assert_uint_eq(notifier_in_flight(n), 2);
    notifier_free(n);
    ck_assert_int_eq(done_calls, 2);
    ck_assert(done_res.cancelled);
    /* nothing left to fire */
    ev_timer_set(&guard, 1.2, 0.);
    ev_timer_start(loop, &guard);
    ev_run(loop, 0);
    ck_assert_int_eq(done_calls, 2);
    notify_req_unref(r);
    alert_unref(al[0]);
    alert_unref(al[1]);
    http_client_free(hc);
    ev_loop_destroy(loop);
    close(lfd);
}
END_TEST

Suite *notify_slack_suite(void)
{
    Suite *s = suite_create("notify_slack");
    TCase *tc = tcase_create("notify_slack");
    tcase_add_loop_test(tc, payload_matches_alertmanager, 0,
                        (int)(sizeof am_cases / sizeof *am_cases));
    tcase_add_test(tc, escaping_spares_urls_and_config_text);
    tcase_add_test(tc, escape_and_truncate);
    tcase_add_test(tc, text_truncated_when_safe);
    tcase_add_test(tc, template_error_is_sent);
    tcase_add_loop_test(tc, judge_answers, 0, (int)(sizeof jcases / sizeof *jcases));
    tcase_add_test(tc, pacer_decisions);
    tcase_add_test(tc, paced_send_cancelled);
    suite_add_tcase(s, tc);
    return s;
}

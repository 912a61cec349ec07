/* test_notify_webhook.c -- the webhook payload, byte for byte, against
 * the files in tests/data/webhook; the request snapshot; the backoff; the
 * send_resolved: false short cut through notify_send() on a real loop.
 *
 * The am025-*.json files are Alertmanager 0.25's own output (Debian's
 * prometheus-alertmanager 0.25.0-1+b4), captured by a local HTTP sink with
 * tests/data/webhook/am025/capture.sh and left untouched, so these tests
 * compare against Alertmanager, not against our idea of it. */
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "testutil.h"
#include "http_client.h"
#include "notify.h"

#define DATA "tests/data/webhook"
#define S NS_PER_SEC
/* 2026-11-26T17:27:28Z and 2026-11-26T18:50:00Z */
#define T_START (1795714048LL * S)
#define T_END (1795719000LL * S)

/* The two alerts of the capture: web-1 with every escaping hazard in its
 * annotations, web-2 bare.  web-2 resolves at 18:50:00.5 in phase 2. */
static void capture_alerts(struct alert *out[2], bool resolved)
{
    struct label l1[] = {{"alertname", "HighLatency"},
                         {"severity", "critical"},
                         {"instance", "web-1"},
                         {"job", "api"}};
    struct label a1[] = {{"summary", "p99 > 1s & <x>"},
                         {"description", "\xc3\xa9 \xe2\x9c\x93 \xe2\x80\xa8 line\nbreak\ttab "
                                         "\x01 ctrl \x7f \" \\ / \xef\xbf\xbd end"}};
    struct label l2[] = {{"alertname", "HighLatency"},
                         {"severity", "critical"},
                         {"instance", "web-2"},
                         {"job", "api"}};
    out[0] = alert_new(l1, 4, a1, 2, "http://prom.example:9090/graph?g0.expr=x&a=<b>");
    out[0]->starts_at = T_START + 120 * NS_PER_MS;
    out[0]->ends_at = T_END + 3600 * S; /* still in the future: firing */
    out[1] = alert_new(l2, 4, NULL, 0, NULL);
    out[1]->starts_at = T_START + 123456789;
    out[1]->ends_at = resolved ? T_END + 500 * NS_PER_MS : 0;
}

static struct notify_req *capture_req(struct alert *const *alerts, size_t n)
{
    struct label gl[] = {{"alertname", "HighLatency"}};
    struct labels gls = {1, gl};
    struct notify_req_args a = {
        .receiver = "crit.team+1",
        .group_key = "{}/{severity=\"critical\"}:{alertname=\"HighLatency\"}",
        .external_url = "http://am.example:9093",
        .group_labels = &gls,
        .alerts = alerts,
        .n_alerts = n,
        .now = T_END + 2 * S,
    };
    return notify_req_new(&a);
}

static void expect_file(const struct buf *got, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", DATA, name);
    size_t len;
    char *want = tu_slurp(path, &len);
    if (got->len != len || memcmp(got->p, want, len) != 0) {
        size_t i = 0;
        while (i < len && i < got->len && got->p[i] == want[i])
            i++;
        ck_abort_msg("%s differs at byte %zu:\n got: %.60s\nwant: %.60s", name, i,
                     got->p + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
    }
    free(want);
}

struct payload_case {
    const char *file;
    bool resolved; /* web-2 resolved */
    uint64_t max_alerts;
};

static const struct payload_case pcases[] = {
    {"am025-firing.json", false, 0},
    {"am025-max1.json", false, 1},
    {"am025-resolved.json", true, 0},
    {"am025-max1-resolved.json", true, 1},
};

START_TEST(payload_matches_alertmanager)
{
    const struct payload_case *c = &pcases[_i];
    struct alert *al[2];
    capture_alerts(al, c->resolved);
    struct notify_req *r = capture_req(al, 2);
    ck_assert_uint_eq(notify_req_firing(r), c->resolved ? 1 : 2);
    struct buf out = BUF_INIT;
    notify_webhook_payload(r, r->alerts, r->n_alerts, c->max_alerts, &out);
    expect_file(&out, c->file);
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(al[0]);
    alert_unref(al[1]);
}
END_TEST

/* Cases Alertmanager's API cannot produce (it rejects invalid UTF-8) or
 * that the capture does not cover: all resolved, no alerts, truncation
 * counted upstream, a receiver full of regex metacharacters. */
START_TEST(payload_edge_cases)
{
    struct label l[] = {{"alertname", "A\xff\xfe"}, {"z", "1"}};
    struct label an[] = {{"x", "\x1f\b\f</script>\xe2\x80\xa9"}};
    struct alert *a = alert_new(l, 2, an, 1, "");
    a->starts_at = -1; /* 1969-12-31T23:59:59.999999999Z */
    a->ends_at = 5 * S;
    struct notify_req_args args = {.receiver = "a\\b.^$|?*+()[]{}z",
                                   .group_key = "{}:{}",
                                   .external_url = "",
                                   .alerts = &a,
                                   .n_alerts = 1,
                                   .now = 10 * S,
                                   .truncated = 3};
    struct notify_req *r = notify_req_new(&args);
    struct buf out = BUF_INIT;
    notify_webhook_payload(r, r->alerts, 1, 0, &out);
    expect_file(&out, "edge-resolved.json");
    buf_reset(&out);
    notify_webhook_payload(r, r->alerts, 0, 0, &out);
    expect_file(&out, "edge-empty.json");
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(a);
}
END_TEST

START_TEST(quote_meta)
{
    struct buf b = BUF_INIT;
    notify_quote_meta(&b, "team-a.prod (eu)|x");
    ck_assert_str_eq(buf_str(&b), "team-a\\.prod \\(eu\\)\\|x");
    buf_reset(&b);
    notify_quote_meta(&b, "plain_name-1");
    ck_assert_str_eq(buf_str(&b), "plain_name-1");
    buf_deinit(&b);
}
END_TEST

START_TEST(request_snapshot)
{
    struct alert *al[2];
    capture_alerts(al, true);
    uint32_t refs0 = al[0]->refs;
    struct label gl[] = {{"b", "2"}, {"a", "1"}};
    struct labels gls = {2, gl};
    struct notify_req_args a = {.receiver = "r",
                                .group_labels = &gls,
                                .alerts = al,
                                .n_alerts = 2,
                                .now = T_END + 500 * NS_PER_MS};
    struct notify_req *r = notify_req_new(&a);
    ck_assert_uint_eq(al[0]->refs, refs0 + 1);
    ck_assert_str_eq(r->group_labels.v[0].name, "a"); /* sorted copy */
    ck_assert_ptr_ne(r->group_labels.v[0].name, gl[1].name);
    ck_assert_str_eq(r->group_key, "");
    ck_assert(r->timeout_s == 10.0);
    /* ends_at == now is resolved (Alertmanager: !EndsAt.After(now)). */
    ck_assert(!notify_req_resolved(r, 0));
    ck_assert(notify_req_resolved(r, 1));
    ck_assert_ptr_eq(notify_req_ref(r), r);
    notify_req_unref(r);
    ck_assert_uint_eq(al[0]->refs, refs0 + 1);
    notify_req_unref(r);
    ck_assert_uint_eq(al[0]->refs, refs0);
    alert_unref(al[0]);
    alert_unref(al[1]);
}
END_TEST

START_TEST(backoff_sequence)
{
    struct notify_backoff b;
    notify_backoff_init(&b);
    /* rnd 0.5 is the middle of the jitter range: the bare interval. */
    const double want[] = {0.5, 0.75, 1.125, 1.6875, 2.53125};
    for (size_t i = 0; i < 5; i++)
        ck_assert_double_eq_tol(notify_backoff_next(&b, 0.5), want[i], 1e-9);
    notify_backoff_init(&b);
    ck_assert_double_eq_tol(notify_backoff_next(&b, 0.0), 0.25, 1e-9);
    ck_assert_double_eq_tol(notify_backoff_next(&b, 0.999999), 1.125, 1e-5);
    /* The interval stops at 60 s; the jitter still spreads around it. */
    for (int i = 0; i < 40; i++)
        notify_backoff_next(&b, 0.5);
    ck_assert_double_eq_tol(b.interval_s, 60.0, 1e-9);
    ck_assert_double_eq_tol(notify_backoff_next(&b, 0.5), 60.0, 1e-9);
    ck_assert_double_eq_tol(notify_backoff_next(&b, 0.0), 30.0, 1e-9);
}
END_TEST

/* ---- notify_send without a peer ------------------------------------------------- */

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

/* Runs the loop until done() or 3 s. */
static void run(struct ev_loop *loop)
{
    ev_timer guard;
    ev_timer_init(&guard, on_guard, 3., 0.);
    ev_timer_start(loop, &guard);
    ev_run(loop, 0);
    ev_timer_stop(loop, &guard);
}

START_TEST(send_resolved_false_skips)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *hc = http_client_new(loop);
    struct notify_env env = {loop, hc, NULL, NULL, true};
    /* A URL nobody listens on: a request would fail, so ok proves none
     * was made. */
    struct webhook_cfg cfg = {.send_resolved = false, .url = "http://127.0.0.1:1/hook"};
    struct notifier *n = notifier_webhook_new(&cfg, "team", 3, &env);
    ck_assert_str_eq(notifier_integration(n), "webhook");
    ck_assert_uint_eq(notifier_index(n), 3);
    ck_assert(!notifier_send_resolved(n));
    struct alert *al[2];
    capture_alerts(al, true);
    struct notify_req *r = capture_req(al + 1, 1); /* web-2 only: resolved */
    done_calls = 0;
    notify_send(n, r, on_done, loop);
    ck_assert_int_eq(done_calls, 0); /* never from inside notify_send() */
    ck_assert_uint_eq(notifier_in_flight(n), 1);
    run(loop);
    ck_assert_int_eq(done_calls, 1);
    ck_assert(done_res.ok);
    ck_assert_uint_eq(done_res.attempts, 0);
    ck_assert_uint_eq(notifier_in_flight(n), 0);
    notify_req_unref(r);

    /* An unreadable url_file is permanent: one attempt, AM's wording, and
     * the path but nothing else in the message. */
    struct webhook_cfg cfg2 = {.send_resolved = true, .url_file = "/nonexistent/url"};
    struct notifier *n2 = notifier_webhook_new(&cfg2, "team", 0, &env);
    r = capture_req(al, 2);
    notify_send(n2, r, on_done, loop);
    run(loop);
    ck_assert_int_eq(done_calls, 2);
    ck_assert(!done_res.ok && !done_res.retryable);
    ck_assert_uint_eq(done_res.attempts, 1);
    ck_assert_msg(strstr(done_res.msg,
                         "team/webhook[0]: notify retry canceled due to "
                         "unrecoverable error after 1 attempts: read url_file: ") == done_res.msg,
                  "%s", done_res.msg);

    /* notifier_free() ends what is in flight, with `cancelled`. */
    notify_send(n2, r, on_done, loop);
    notifier_free(n2);
    ck_assert_int_eq(done_calls, 3);
    ck_assert(done_res.cancelled && !done_res.ok);
    /* notify_cancel(): no callback. */
    struct notify_op *op = notify_send(n, r, on_done, loop);
    notify_cancel(op);
    ck_assert_uint_eq(notifier_in_flight(n), 0);
    ck_assert_int_eq(done_calls, 3);

    notify_req_unref(r);
    notifier_free(n);
    alert_unref(al[0]);
    alert_unref(al[1]);
    http_client_free(hc);
    ev_loop_destroy(loop);
}
END_TEST

Suite *notify_webhook_suite(void)
{
    Suite *s = suite_create("notify_webhook");
    TCase *tc = tcase_create("notify_webhook");
    tcase_add_loop_test(tc, payload_matches_alertmanager, 0, (int)(sizeof pcases / sizeof *pcases));
    tcase_add_test(tc, payload_edge_cases);
    tcase_add_test(tc, quote_meta);
    tcase_add_test(tc, request_snapshot);
    tcase_add_test(tc, backoff_sequence);
    tcase_add_test(tc, send_resolved_false_skips);
    suite_add_tcase(s, tc);
    return s;
}

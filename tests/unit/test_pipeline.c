/* test_pipeline.c -- one flush through the stages, against real webhook
 * notifiers and an in-process HTTP sink on the same loop: per-integration
 * dedup through the nflog, send_resolved, silences and inhibition (with
 * the store's markers), mute/active time intervals that stop the flush
 * without touching the nflog, and a failing integration that keeps its
 * entry unwritten while its sibling's is recorded. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_store.h"
#include "check_main.h"
#include "config.h"
#include "http_server.h"
#include "inhibit.h"
#include "mem.h"
#include "nflog.h"
#include "pipeline.h"
#include "route.h"
#include "silence.h"
#include "timeinterval.h"

#define SEC NS_PER_SEC

struct sink {
    int hits[3];   /* /hook0 /hook1 /hook2 */
    int status[3]; /* answer per path */
    char last[3][2048];
};

struct fx {
    struct ev_loop *loop;
    struct http_server *srv;
    struct sink sink;
    struct http_client *http;
    struct config *cfg;
    struct route *root;
    struct timeintervals *ti;
    struct inhibitor *inh;
    struct alert_store *store;
    struct silence_store *sil;
    struct nflog *nflog;
    struct pipeline *p;
    struct pipeline_busy *busy;
    struct notify_env nenv;
    bool done, ok;
    int64_t now;
};

static void on_hook(struct http_req *req, void *ud)
{
    struct sink *s = ud;
    int i = http_req_path(req)[strlen(http_req_path(req)) - 1] - '0';
    if (i < 0 || i > 2)
        i = 0;
    s->hits[i]++;
    size_t len;
    const char *body = http_req_body(req, &len);
    snprintf(s->last[i], sizeof s->last[i], "%.*s", (int)len, body ? body : "");
    http_reply_text(req, s->status[i] ? s->status[i] : 200, "");
}

static void on_timeout(EV_P_ ev_timer *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(EV_A_ EVBREAK_ALL);
}

static void fx_init(struct fx *f, const char *route_extra)
{
    memset(f, 0, sizeof *f);
    f->loop = ev_loop_new(EVFLAG_AUTO);
    struct http_server_opts o = {.listen_address = "127.0.0.1:0",
                                 .route_prefix = "",
                                 .body_limit = 1 << 20,
                                 .max_connections = 16,
                                 .idle_timeout_s = 5,
                                 .header_timeout_s = 5};
    struct errbuf err;
    f->srv = http_server_new(f->loop, &o, &err);
    ck_assert_msg(f->srv != NULL, "%s", err.msg);
    http_server_route(f->srv, "POST", "/hook", HTTP_PREFIX, on_hook, &f->sink);
    const char *addr = http_server_address(f->srv);
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "route:\n  receiver: r\n  group_by: [alertname]\n  repeat_interval: 1h\n%s"
             "receivers:\n  - name: r\n    webhook_configs:\n"
             "      - url: http://%s/hook0\n"
             "      - url: http://%s/hook1\n        send_resolved: false\n"
             "inhibit_rules:\n  - source_matchers: ['sev=\"crit\"']\n"
             "    target_matchers: ['sev=\"warn\"']\n    equal: [alertname]\n"
             "time_intervals:\n  - name: always\n    time_intervals: [{}]\n"
             "  - name: never\n    time_intervals: []\n",
             route_extra, addr, addr);
    struct cfg_diag d;
    cfg_diag_init(&d);
    f->cfg = config_parse(yaml, strlen(yaml), "t.yml", ".", &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s\n", d.msgs[i]);
    cfg_diag_deinit(&d);
    ck_assert_ptr_nonnull(f->cfg);
    f->root = route_build(f->cfg, &err);
    f->ti = timeintervals_build(f->cfg, &err);
    ck_assert_ptr_nonnull(f->ti);
    f->inh = inhibit_new(f->cfg);
    f->store = alert_store_new();
    f->sil = silence_store_new(NULL, 24 * 3600 * SEC);
    f->nflog = nflog_new(NULL, 24 * 3600 * SEC);
    f->http = http_client_new(f->loop);
    f->nenv = (struct notify_env){.loop = f->loop, .http = f->http};
    struct pipeline_env pe = {
        .store = f->store,
        .inhibitor = f->inh,
        .intervals = f->ti,
        .silences = f->sil,
        .nflog = f->nflog,
        .busy = f->busy = pipeline_busy_new(),
        .external_url = "http://am.example",
    };
    f->p = pipeline_new(&pe);
    pipeline_add_config(f->p, f->cfg, &f->nenv);
    ck_assert_uint_eq(pipeline_integrations(f->p), 2);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    f->now = (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static void fx_deinit(struct fx *f)
{
    pipeline_free(f->p);
    pipeline_busy_free(f->busy);
    http_client_free(f->http);
    nflog_free(f->nflog);
    silence_store_free(f->sil);
    alert_store_free(f->store);
    inhibit_free(f->inh);
    timeintervals_free(f->ti);
    route_free(f->root);
    config_free(f->cfg);
    http_server_free(f->srv);
    ev_loop_destroy(f->loop);
}

/* Stores an alert "alertname=X,sev=y" (firing, or resolved 1 s ago). */
static struct alert *add(struct fx *f, const char *name, const char *sev, bool resolved)
{
    struct label v[2] = {{"alertname", name}, {"sev", sev}};
    struct alert *a = alert_new(v, sev ? 2 : 1, NULL, 0, NULL);
    a->starts_at = f->now - 60 * SEC;
    a->ends_at = resolved ? f->now - SEC : 0;
    a->updated_at = f->now;
    struct alert *stored = alert_store_put(f->store, a, f->now);
    struct alert_view lv;
    inhibit_put(f->inh, alert_labels_view(stored, &lv), stored->fingerprint, stored->ends_at);
    alert_view_deinit(&lv);
    alert_unref(a);
    return stored;
}

static void on_done(void *ctx, bool ok)
{
    struct fx *f = ctx;
    f->done = true;
    f->ok = ok;
    ev_break(f->loop, EVBREAK_ALL);
}

/* Flushes the group "alertname=G" holding `alerts`; returns whether it went
 * asynchronous (then waits, at most 5 s, for its end). */
static bool flush(struct fx *f, struct alert **alerts, size_t n, double timeout_s)
{
    struct label gl[1] = {{"alertname", "G"}};
    struct labels g = {1, gl};
    struct route_vec rv = {0};
    route_match(f->root, &g, &rv);
    const struct route *r = rv.v[0];
    route_vec_deinit(&rv);
    struct buf key = BUF_INIT;
    route_group_key(r, &g, &key);
    struct dispatch_flush df = {
        .route = r,
        .group_key = buf_str(&key),
        .group_labels = &g,
        .alerts = alerts,
        .n_alerts = n,
        .now = f->now,
        .timeout_s = timeout_s,
    };
    f->done = false;
    bool ok = false;
    void *h = pipeline_flush(f->p, &df, on_done, f, &ok);
    buf_deinit(&key);
    if (!h) {
        f->ok = ok;
        return false;
    }
    ev_timer t;
    ev_timer_init(&t, on_timeout, 5.0, 0.);
    ev_timer_start(f->loop, &t);
    ev_run(f->loop, 0);
    ev_timer_stop(f->loop, &t);
    ck_assert_msg(f->done, "flush did not end within 5 s");
    return true;
}

static const struct nflog_entry *entry(struct fx *f, unsigned idx)
{
    struct nflog_key k = {"{}:{alertname=\"G\"}", "r", "webhook", idx};
    const struct nflog_entry *e = nflog_query(f->nflog, &k);
    if (!e) {
        k.group_key = "{}/{alertname=\"G\"}:{alertname=\"G\"}";
        e = nflog_query(f->nflog, &k);
    }
    return e;
}

#define CHILD "  routes:\n    - matchers: ['alertname=\"G\"']\n"

START_TEST(dedup_per_integration_and_send_resolved)
{
    struct fx f;
    fx_init(&f, "");
    struct alert *v[2] = {add(&f, "G", "a", false), add(&f, "G", "b", false)};
    ck_assert(flush(&f, v, 2, 5));
    ck_assert(f.ok);
    ck_assert_int_eq(f.sink.hits[0], 1);
    ck_assert_int_eq(f.sink.hits[1], 1);
    ck_assert_ptr_nonnull(strstr(f.sink.last[0], "\"groupKey\":\"{}:{alertname=\\\"G\\\"}\""));
    ck_assert_uint_eq(entry(&f, 0)->n_firing, 2);
    ck_assert_uint_eq(entry(&f, 1)->n_firing, 2);

    /* nothing new: deduplicated synchronously, counted as success */
    ck_assert(!flush(&f, v, 2, 5));
    ck_assert(f.ok);
    ck_assert_int_eq(f.sink.hits[0] + f.sink.hits[1], 2);

    /* one resolves: only the send_resolved integration is notified */
    v[1] = add(&f, "G", "b", true);
    ck_assert(flush(&f, v, 2, 5));
    ck_assert(f.ok);
    ck_assert_int_eq(f.sink.hits[0], 2);
    ck_assert_int_eq(f.sink.hits[1], 1);
    ck_assert_ptr_nonnull(strstr(f.sink.last[0], "\"status\":\"resolved\""));
    ck_assert_uint_eq(entry(&f, 0)->n_resolved, 1);

    /* all resolved: the send_resolved=false integration logs it without a
     * request (Alertmanager clears its entry that way) */
    v[0] = add(&f, "G", "a", true);
    ck_assert(flush(&f, v, 2, 5));
    ck_assert(f.ok);
    ck_assert_int_eq(f.sink.hits[0], 3);
    ck_assert_int_eq(f.sink.hits[1], 1);
    ck_assert_uint_eq(entry(&f, 1)->n_firing, 0);
    ck_assert_uint_eq(entry(&f, 1)->n_resolved, 2);
    fx_deinit(&f);
}
END_TEST

START_TEST(silence_and_inhibition_mark_and_drop)
{
    struct fx f;
    fx_init(&f, "");
    struct alert *src = add(&f, "G", "crit", false);
    struct alert *tgt = add(&f, "G", "warn", false);
    struct alert *quiet = add(&f, "G", "q", false);
    struct silence_matcher_spec m = {"sev", "q", false, true};
    struct silence_input in = {NULL, &m, 1, f.now - SEC, f.now + 3600 * SEC, "me", "c"};
    char id[SILENCE_ID_LEN + 1];
    struct errbuf err;
    ck_assert_int_eq(silence_store_set(f.sil, &in, f.now, id, &err), 0);
    struct alert *v[3] = {src, tgt, quiet};
    ck_assert(flush(&f, v, 3, 5));
    ck_assert(f.ok);
    ck_assert_uint_eq(entry(&f, 0)->n_firing, 1); /* only the source went out */
    ck_assert_ptr_nonnull(strstr(f.sink.last[0], "\"sev\":\"crit\""));
    ck_assert_ptr_null(strstr(f.sink.last[0], "\"sev\":\"warn\""));
    struct alert_status st;
    ck_assert_int_eq(alert_store_status(f.store, tgt->fingerprint, &st), 0);
    ck_assert_int_eq(st.state, ALERT_SUPPRESSED);
    ck_assert_uint_eq(st.n_inhibited_by, 1);
    ck_assert(st.inhibited_by[0] == src->fingerprint);
    ck_assert_int_eq(alert_store_status(f.store, quiet->fingerprint, &st), 0);
    ck_assert_int_eq(st.state, ALERT_SUPPRESSED);
    ck_assert_uint_eq(st.n_silenced_by, 1);
    ck_assert_str_eq(st.silenced_by[0], id);
    ck_assert_int_eq(alert_store_status(f.store, src->fingerprint, &st), 0);
    ck_assert_int_eq(st.state, ALERT_ACTIVE);

    /* a group muted entirely ends at once, as a success, nflog untouched */
    struct alert *only[1] = {quiet};
    ck_assert(!flush(&f, only, 1, 5));
    ck_assert(f.ok);
    ck_assert_int_eq(f.sink.hits[0], 1);
    fx_deinit(&f);
}
END_TEST

START_TEST(time_intervals_stop_the_flush)
{
    struct fx f;
    fx_init(&f, CHILD "      mute_time_intervals: [always]\n");
    struct alert *v[1] = {add(&f, "G", "a", false)};
    ck_assert(!flush(&f, v, 1, 5));
    ck_assert(f.ok);
    ck_assert_ptr_null(entry(&f, 0));
    fx_deinit(&f);

    fx_init(&f, CHILD "      active_time_intervals: [never]\n");
    v[0] = add(&f, "G", "a", false);
    ck_assert(!flush(&f, v, 1, 5));
    ck_assert_int_eq(f.sink.hits[0], 0);
    ck_assert_ptr_null(entry(&f, 0));
    fx_deinit(&f);

    fx_init(&f,
            CHILD "      active_time_intervals: [always]\n      mute_time_intervals: [never]\n");
    v[0] = add(&f, "G", "a", false);
    ck_assert(flush(&f, v, 1, 5));
    ck_assert_int_eq(f.sink.hits[0], 1);
    fx_deinit(&f);
}
END_TEST

START_TEST(failed_integration_is_retried_next_time_alone)
{
    struct fx f;
    fx_init(&f, "");
    f.sink.status[1] = 400; /* permanent: one attempt */
    struct alert *v[1] = {add(&f, "G", "a", false)};
    ck_assert(flush(&f, v, 1, 2));
    ck_assert(!f.ok);
    ck_assert_ptr_nonnull(entry(&f, 0));
    ck_assert_ptr_null(entry(&f, 1));
    f.sink.status[1] = 0;
    ck_assert(flush(&f, v, 1, 2));
    ck_assert(f.ok);
    ck_assert_int_eq(f.sink.hits[0], 1); /* not repeated */
    ck_assert_int_eq(f.sink.hits[1], 2);
    fx_deinit(&f);
}
END_TEST

START_TEST(cancel_abandons_the_sends)
{
    struct fx f;
    fx_init(&f, "");
    struct alert *v[1] = {add(&f, "G", "a", false)};
    struct label gl[1] = {{"alertname", "G"}};
    struct labels g = {1, gl};
    struct dispatch_flush df = {.route = f.root,
                                .group_key = "k",
                                .group_labels = &g,
                                .alerts = v,
                                .n_alerts = 1,
                                .now = f.now,
                                .timeout_s = 2};
    bool ok;
    void *h = pipeline_flush(f.p, &df, on_done, &f, &ok);
    ck_assert_ptr_nonnull(h);
    pipeline_cancel(f.p, h);
    ck_assert(!f.done);
    ck_assert_uint_eq(pipeline_busy_count(f.busy), 0);
    fx_deinit(&f);
}
END_TEST

/* A reload: the retired generation's send is still in flight when the new
 * generation flushes the same group.  The new one skips the busy
 * integrations (a failure for this tick), then dedups against what the old
 * one recorded: one delivery per integration. */
START_TEST(one_send_per_key_across_generations)
{
    struct fx f;
    fx_init(&f, "");
    struct pipeline *old = f.p;
    struct pipeline_env pe = {.store = f.store,
                              .inhibitor = f.inh,
                              .intervals = f.ti,
                              .silences = f.sil,
                              .nflog = f.nflog,
                              .busy = f.busy,
                              .external_url = "http://am.example"};
    struct pipeline *fresh = pipeline_new(&pe);
    pipeline_add_config(fresh, f.cfg, &f.nenv);
    struct alert *v[1] = {add(&f, "G", "a", false)};
    struct label gl[1] = {{"alertname", "G"}};
    struct labels g = {1, gl};
    struct dispatch_flush df = {.route = f.root,
                                .group_key = "{}:{alertname=\"G\"}",
                                .group_labels = &g,
                                .alerts = v,
                                .n_alerts = 1,
                                .now = f.now,
                                .timeout_s = 5};
    bool ok = true;
    void *h = pipeline_flush(old, &df, on_done, &f, &ok);
    ck_assert_ptr_nonnull(h);
    ck_assert_uint_eq(pipeline_busy_count(f.busy), 2);
    ok = true;
    ck_assert_ptr_null(pipeline_flush(fresh, &df, on_done, &f, &ok));
    ck_assert(!ok); /* busy: decided again next tick */
    ev_timer t;
    ev_timer_init(&t, on_timeout, 5.0, 0.);
    ev_timer_start(f.loop, &t);
    ev_run(f.loop, 0);
    ev_timer_stop(f.loop, &t);
    ck_assert(f.done && f.ok);
    ck_assert_uint_eq(pipeline_busy_count(f.busy), 0);
    ck_assert_ptr_null(pipeline_flush(fresh, &df, on_done, &f, &ok));
    ck_assert(ok); /* deduplicated against the old generation's record */
    ck_assert_int_eq(f.sink.hits[0], 1);
    ck_assert_int_eq(f.sink.hits[1], 1);
    pipeline_free(fresh);
    fx_deinit(&f);
}
END_TEST

Suite *pipeline_suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, dedup_per_integration_and_send_resolved);
    tcase_add_test(tc, silence_and_inhibition_mark_and_drop);
    tcase_add_test(tc, time_intervals_stop_the_flush);
    tcase_add_test(tc, failed_integration_is_retried_next_time_alone);
    tcase_add_test(tc, cancel_abandons_the_sends);
    tcase_add_test(tc, one_send_per_key_across_generations);
    suite_add_tcase(s, tc);
    return s;
}

/* test_dispatch.c -- aggregation groups: Alertmanager 0.25's timing, driven
 * by calling the group's tick directly with a fake wall clock (no sleeps),
 * resolved-alert removal, in-flight flushes, sweep, limits, and the alert
 * order of a notification.
 *
 * The flusher is a fake that records each snapshot and either answers at
 * once or keeps the flush "in flight" until the test completes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "check_main.h"
#include "config.h"
#include "dispatch.h"
#include "dispatch_internal.h"
#include "mem.h"
#include "route.h"

#define SEC NS_PER_SEC

struct fake {
    int64_t now;
    bool async; /* keep flushes in flight */
    bool ok;    /* the answer */
    int n_flushes;
    int n_cancelled;
    char last[512]; /* "name,name|key" of the last snapshot */
    int64_t last_now;
    dispatch_done_fn *done;
    void *done_ctx;
    int handle;
};

static struct fake F;

static int64_t fake_clock(void *ud)
{
    (void)ud;
    return F.now;
}

static void *fake_flush(void *ud, const struct dispatch_flush *f, dispatch_done_fn *done,
                        void *done_ctx, bool *ok)
{
    (void)ud;
    F.n_flushes++;
    F.last_now = f->now;
    size_t off = 0;
    F.last[0] = '\0';
    for (size_t i = 0; i < f->n_alerts; i++)
        off += (size_t)snprintf(F.last + off, sizeof F.last - off, "%s%s", i ? "," : "",
                                alert_label_get(f->alerts[i], "alertname"));
    snprintf(F.last + off, sizeof F.last - off, "|%s", f->group_key);
    if (F.async) {
        F.done = done;
        F.done_ctx = done_ctx;
        return &F.handle;
    }
    *ok = F.ok;
    return NULL;
}

static void fake_cancel(void *ud, void *h)
{
    (void)ud;
    (void)h;
    F.n_cancelled++;
    F.done = NULL;
}

static struct config *parse(const char *yaml)
{
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = config_parse(yaml, strlen(yaml), "t.yml", ".", &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "%s\n", d.msgs[i]);
    cfg_diag_deinit(&d);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

static const char *CFG = "route:\n"
                         "  receiver: r\n"
                         "  group_by: [alertname]\n"
                         "  group_wait: 1s\n"
                         "  group_interval: 2s\n"
                         "  repeat_interval: 1h\n"
                         "  routes:\n"
                         "    - matchers: ['team=\"a\"']\n"
                         "      continue: true\n"
                         "      group_by: [team]\n"
                         "    - matchers: ['team=~\"a|b\"']\n"
                         "receivers:\n"
                         "  - name: r\n";

struct env {
    struct ev_loop *loop;
    struct config *cfg;
    struct route *root;
    struct dispatcher *d;
};

static void env_init(struct env *e, size_t max_groups)
{
    memset(&F, 0, sizeof F);
    F.now = 1700000000 * SEC;
    F.ok = true;
    e->loop = ev_loop_new(EVFLAG_AUTO);
    e->cfg = parse(CFG);
    struct errbuf err;
    e->root = route_build(e->cfg, &err);
    ck_assert_ptr_nonnull(e->root);
    struct dispatch_opts o = {
        .loop = e->loop,
        .root = e->root,
        .flush = fake_flush,
        .cancel = fake_cancel,
        .clock = fake_clock,
        .max_groups = max_groups,
    };
    e->d = dispatch_new(&o);
}

static void env_deinit(struct env *e)
{
    dispatch_free(e->d);
    route_free(e->root);
    config_free(e->cfg);
    ev_loop_destroy(e->loop);
}

/* An alert from "a=x,b=y" with the given times (ns since the epoch). */
static struct alert *mk(const char *spec, int64_t starts, int64_t ends)
{
    struct label v[8];
    size_t n = 0;
    char *s = xstrdup(spec);
    for (char *tok = strtok(s, ","); tok && n < 8; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        *eq = '\0';
        v[n++] = (struct label){tok, eq + 1};
    }
    struct alert *a = alert_new(v, n, NULL, 0, NULL);
    free(s);
    a->starts_at = starts;
    a->ends_at = ends;
    a->updated_at = F.now;
    return a;
}

static void put(struct env *e, const char *spec, int64_t starts, int64_t ends)
{
    struct alert *a = mk(spec, starts, ends);
    dispatch_put(e->d, a);
    alert_unref(a);
}

/* Looks the group up through the table (the view gives no handle). */
static struct dgroup *group_of(struct env *e, const char *route_receiver_key)
{
    for (size_t b = 0; b < e->d->nbuckets; b++)
        for (struct dgroup *g = e->d->buckets[b]; g; g = g->next)
            if (!route_receiver_key || strstr(g->key, route_receiver_key))
                return g;
    return NULL;
}

static double remaining(struct env *e, struct dgroup *g)
{
    ck_assert(ev_is_active(&g->timer));
    return ev_timer_remaining(e->loop, &g->timer);
}

START_TEST(group_wait_then_fixed_ticks)
{
    struct env e;
    env_init(&e, 0);
    put(&e, "alertname=A", F.now, 0);
    ck_assert_uint_eq(dispatch_group_count(e.d), 1);
    struct dgroup *g = group_of(&e, NULL);
    ck_assert_str_eq(g->key, "{}:{alertname=\"A\"}");
    ck_assert_double_eq_tol(remaining(&e, g), 1.0, 0.05); /* group_wait */
    ck_assert_int_eq(F.n_flushes, 0);

    F.now += 1 * SEC;
    dgroup_tick(g);
    ck_assert_int_eq(F.n_flushes, 1);
    ck_assert_str_eq(F.last, "A|{}:{alertname=\"A\"}");
    ck_assert_int_eq(F.last_now, F.now);
    ck_assert_double_eq_tol(remaining(&e, g), 2.0, 0.05); /* group_interval */

    /* an alert joining after the first flush waits for the next tick */
    put(&e, "alertname=A,x=2", F.now, 0);
    ck_assert_int_eq(F.n_flushes, 1);
    ck_assert_double_eq_tol(remaining(&e, g), 2.0, 0.05);
    F.now += 2 * SEC;
    dgroup_tick(g);
    ck_assert_int_eq(F.n_flushes, 2);
    ck_assert_str_eq(F.last, "A,A|{}:{alertname=\"A\"}");
    env_deinit(&e);
}
END_TEST

START_TEST(old_alert_flushes_at_once)
{
    struct env e;
    env_init(&e, 0);
    /* startsAt + group_wait < now: the new group flushes immediately */
    put(&e, "alertname=Old", F.now - 5 * SEC, 0);
    struct dgroup *g = group_of(&e, NULL);
    ck_assert_double_eq_tol(remaining(&e, g), 0.0, 0.001);
    env_deinit(&e);

    env_init(&e, 0);
    /* not quite old (startsAt + group_wait > now): the full group_wait */
    put(&e, "alertname=P", F.now - SEC / 2, 0);
    g = group_of(&e, NULL);
    ck_assert_double_eq_tol(remaining(&e, g), 1.0, 0.05);
    /* 0.25: an old alert joining before the first flush flushes now too */
    put(&e, "alertname=P,i=2", F.now - 10 * SEC, 0);
    ck_assert_double_eq_tol(remaining(&e, g), 0.0, 0.001);
    dgroup_tick(g);
    ck_assert_int_eq(F.n_flushes, 1);
    /* after the first flush an old alert no longer shortens the tick */
    put(&e, "alertname=P,i=3", F.now - 10 * SEC, 0);
    ck_assert_double_eq_tol(remaining(&e, g), 2.0, 0.05);
    env_deinit(&e);
}
END_TEST

START_TEST(resolved_leave_after_successful_flush_only)
{
    struct env e;
    env_init(&e, 0);
    put(&e, "alertname=R,i=1", F.now, 0);
    put(&e, "alertname=R,i=2", F.now, F.now + SEC / 2); /* resolves before the tick */
    struct dgroup *g = group_of(&e, NULL);
    ck_assert_uint_eq(g->n, 2);
    F.now += SEC;
    F.ok = false; /* the notification failed: keep the resolved alert */
    dgroup_tick(g);
    ck_assert_uint_eq(g->n, 2);
    F.ok = true;
    F.now += 2 * SEC;
    dgroup_tick(g);
    ck_assert_uint_eq(g->n, 1); /* gone after a success */
    struct alert *r2 = mk("alertname=R,i=2", 0, 0);
    ck_assert_ptr_null(dgroup_get(g, r2->fingerprint));
    alert_unref(r2);
    env_deinit(&e);
}
END_TEST

START_TEST(resolved_updated_during_flush_stays)
{
    struct env e;
    env_init(&e, 0);
    put(&e, "alertname=U", F.now - 10 * SEC, F.now - SEC); /* resolved */
    struct dgroup *g = group_of(&e, NULL);
    F.async = true;
    dgroup_tick(g);
    ck_assert_ptr_nonnull(F.done);
    ck_assert_uint_eq(dispatch_inflight(e.d), 1);
    /* re-fired while the flush is in flight: another updated_at */
    F.now += SEC / 10;
    put(&e, "alertname=U", F.now, 0);
    F.done(F.done_ctx, true);
    ck_assert_uint_eq(dispatch_inflight(e.d), 0);
    ck_assert_uint_eq(g->n, 1); /* the new version is kept */
    ck_assert(!alert_resolved(g->alerts[0], F.now));
    env_deinit(&e);
}
END_TEST

START_TEST(tick_during_flush_runs_after_it)
{
    struct env e;
    env_init(&e, 0);
    put(&e, "alertname=S", F.now, 0);
    struct dgroup *g = group_of(&e, NULL);
    F.async = true;
    F.now += SEC;
    dgroup_tick(g);
    ck_assert_int_eq(F.n_flushes, 1);
    /* the next tick comes due while the first flush still retries */
    F.now += 2 * SEC;
    dgroup_tick(g);
    ck_assert_int_eq(F.n_flushes, 1);
    ck_assert(g->tick_pending);
    put(&e, "alertname=S,j=late", F.now, 0);
    /* the slow flush ends: the overdue tick runs at once, with the new alert */
    F.now += 2 * SEC;
    dispatch_done_fn *done = F.done;
    F.done = NULL;
    done(F.done_ctx, false);
    ck_assert_int_eq(F.n_flushes, 2);
    ck_assert_str_eq(F.last, "S,S|{}:{alertname=\"S\"}");
    ck_assert_double_eq_tol(remaining(&e, g), 2.0, 0.05);
    F.done(F.done_ctx, true);
    env_deinit(&e);
}
END_TEST

START_TEST(sweep_and_limit)
{
    struct env e;
    env_init(&e, 2);
    put(&e, "alertname=G1", F.now, F.now + SEC / 2);
    put(&e, "alertname=G2", F.now, 0);
    put(&e, "alertname=G3", F.now, 0); /* over the limit: refused */
    ck_assert_uint_eq(dispatch_group_count(e.d), 2);
    struct dgroup *g1 = group_of(&e, "G1");
    F.now += SEC;
    dgroup_tick(g1); /* G1's only alert is resolved: sent and removed */
    ck_assert_uint_eq(g1->n, 0);
    ck_assert_uint_eq(dispatch_sweep(e.d), 1);
    ck_assert_uint_eq(dispatch_group_count(e.d), 1);
    put(&e, "alertname=G3", F.now, 0); /* room again */
    ck_assert_uint_eq(dispatch_group_count(e.d), 2);
    env_deinit(&e);
}
END_TEST

START_TEST(sweep_spares_inflight)
{
    struct env e;
    env_init(&e, 0);
    put(&e, "alertname=I", F.now, F.now + SEC / 2);
    struct dgroup *g = group_of(&e, NULL);
    F.async = true;
    F.now += SEC;
    dgroup_tick(g);
    ck_assert_uint_eq(dispatch_sweep(e.d), 0);
    env_deinit(&e); /* frees with the flush in flight: cancelled */
    ck_assert_int_eq(F.n_cancelled, 1);
}
END_TEST

START_TEST(continue_and_group_by)
{
    struct env e;
    env_init(&e, 0);
    put(&e, "alertname=X,team=a", F.now, 0); /* route 1 (continue) and route 2 */
    put(&e, "alertname=Y,team=a", F.now, 0); /* route 1 groups by team: same group */
    put(&e, "alertname=Z,team=c", F.now, 0); /* the root */
    /* route1: one group (team=a); route2: X and Y; root: Z */
    ck_assert_uint_eq(dispatch_group_count(e.d), 4);
    struct dgroup *g = group_of(&e, "{}/{team=\"a\"}:{team=\"a\"}");
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->n, 2);
    ck_assert_ptr_nonnull(group_of(&e, "{}/{team=~\"a|b\"}:{alertname=\"X\"}"));
    ck_assert_ptr_nonnull(group_of(&e, "{}:{alertname=\"Z\"}"));
    env_deinit(&e);
}
END_TEST

START_TEST(stop_starts_nothing)
{
    struct env e;
    env_init(&e, 0);
    put(&e, "alertname=T", F.now, 0);
    struct dgroup *g = group_of(&e, NULL);
    dispatch_stop(e.d);
    ck_assert(!ev_is_active(&g->timer));
    dgroup_tick(g);
    ck_assert_int_eq(F.n_flushes, 0);
    put(&e, "alertname=T2", F.now, 0);
    ck_assert_uint_eq(dispatch_group_count(e.d), 1);
    env_deinit(&e);
}
END_TEST

/* Alertmanager's order: job (present first), instance (as strings), then
 * the label set (fewer labels first). */
START_TEST(notification_order)
{
    struct env e;
    env_init(&e, 0);
    put(&e, "alertname=n1,z=1", F.now, 0);
    put(&e, "alertname=n2,instance=9,job=a", F.now, 0);
    put(&e, "alertname=n3,instance=10,job=a", F.now, 0);
    put(&e, "alertname=n4,job=b", F.now, 0);
    put(&e, "alertname=n5,instance=1", F.now, 0);
    put(&e, "alertname=n6", F.now, 0);
    put(&e, "alertname=n7,job=a", F.now, 0);
    ck_assert_uint_eq(dispatch_group_count(e.d), 7);
    struct alert *v[7];
    size_t n = 0;
    for (size_t b = 0; b < e.d->nbuckets; b++)
        for (struct dgroup *g = e.d->buckets[b]; g; g = g->next)
            v[n++] = g->alerts[0];
    /* insertion sort with the dispatcher's comparison */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && dispatch_alert_cmp(v[j - 1], v[j]) > 0; j--) {
            struct alert *t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    char got[128] = "";
    size_t off = 0;
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(got + off, sizeof got - off, "%s ",
                                alert_label_get(v[i], "alertname"));
    ck_assert_str_eq(got, "n3 n2 n7 n4 n5 n6 n1 ");
    env_deinit(&e);
}
END_TEST

/* The per-group alert set: many inserts, replacements and removals keep
 * every lookup right (open addressing with backward-shift deletion). */
START_TEST(group_set_churn)
{
    struct env e;
    env_init(&e, 0);
    char spec[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(spec, sizeof spec, "alertname=C,i=%d", i);
        put(&e, spec, F.now, 0);
    }
    struct dgroup *g = group_of(&e, NULL);
    ck_assert_uint_eq(g->n, 2000);
    for (int i = 0; i < 2000; i += 2) {
        snprintf(spec, sizeof spec, "alertname=C,i=%d", i);
        struct alert *a = mk(spec, 0, 0);
        ck_assert(dgroup_remove(g, a->fingerprint));
        ck_assert(!dgroup_remove(g, a->fingerprint));
        alert_unref(a);
    }
    ck_assert_uint_eq(g->n, 1000);
    for (int i = 0; i < 2000; i++) {
        snprintf(spec, sizeof spec, "alertname=C,i=%d", i);
        struct alert *a = mk(spec, 0, 0);
        struct alert *got = dgroup_get(g, a->fingerprint);
        if (i % 2)
            ck_assert(got && got->fingerprint == a->fingerprint);
        else
            ck_assert_ptr_null(got);
        alert_unref(a);
    }
    put(&e, "alertname=C,i=1", F.now, 0); /* a replacement: no growth */
    ck_assert_uint_eq(g->n, 1000);
    env_deinit(&e);
}
END_TEST

Suite *dispatch_suite(void)
{
    Suite *s = suite_create("dispatch");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, group_wait_then_fixed_ticks);
    tcase_add_test(tc, old_alert_flushes_at_once);
    tcase_add_test(tc, resolved_leave_after_successful_flush_only);
    tcase_add_test(tc, resolved_updated_during_flush_stays);
    tcase_add_test(tc, tick_during_flush_runs_after_it);
    tcase_add_test(tc, sweep_and_limit);
    tcase_add_test(tc, sweep_spares_inflight);
    tcase_add_test(tc, continue_and_group_by);
    tcase_add_test(tc, stop_starts_nothing);
    tcase_add_test(tc, notification_order);
    tcase_add_test(tc, group_set_churn);
    suite_add_tcase(s, tc);
    return s;
}

/* dispatch.c -- the dispatcher: routing stored alerts into aggregation
 * groups, the group table, the maintenance sweep, and the views the API
 * reads.  The groups themselves (alerts, timers, flush) are in
 * dispatch_group.c; dispatch.h describes the semantics. */
#include "dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dispatch_internal.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"

static int64_t real_clock(void *ud)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t dispatch_now(const struct dispatcher *d)
{
    return d->clock(d->clock_ud);
}

static void on_maintenance(EV_P_ ev_timer *w, int revents)
{
    (void)revents;
    struct dispatcher *d = w->data;
    size_t n = dispatch_sweep(d);
    if (n > 0 && log_enabled(LOG_DEBUG)) {
        char s[32];
        snprintf(s, sizeof s, "%zu", n);
        log_debug("removed empty aggregation groups", "count", s);
    }
}

struct dispatcher *dispatch_new(const struct dispatch_opts *o)
{
    struct dispatcher *d = xcalloc(1, sizeof *d);
    d->loop = o->loop;
    d->root = o->root;
    d->flush = o->flush;
    d->cancel = o->cancel;
    d->flush_ud = o->flush_ud;
    d->clock = o->clock ? o->clock : real_clock;
    d->clock_ud = o->clock_ud;
    d->max_groups = o->max_groups;
    d->nbuckets = 64;
    d->buckets = xcalloc(d->nbuckets, sizeof *d->buckets);
    d->m_groups = metrics()->aggregation_groups;
    d->m_processing = metrics()->alert_processing;
    d->m_limit = metrics_counter_new(metrics()->reg,
                                     "alertrouter_dispatcher_aggregation_group_limit_reached_total",
                                     "Alerts not grouped because the aggregation group limit "
                                     "was reached.");
    double every = o->maintenance_s > 0 ? o->maintenance_s : 30.0;
    ev_timer_init(&d->maintenance, on_maintenance, every, every);
    d->maintenance.data = d;
    if (d->loop) {
        ev_timer_start(d->loop, &d->maintenance);
        d->wake = wakeup_new(d->loop);
    }
    return d;
}

void dispatch_free(struct dispatcher *d)
{
    if (!d)
        return;
    if (d->loop)
        ev_timer_stop(d->loop, &d->maintenance);
    for (size_t b = 0; b < d->nbuckets; b++) {
        struct dgroup *g = d->buckets[b];
        while (g) {
            struct dgroup *next = g->next;
            dgroup_free(g);
            metrics_gauge_dec(d->m_groups);
            g = next;
        }
    }
    free(d->buckets);
    route_vec_deinit(&d->rv);
    wakeup_free(d->wake);
    free(d);
}

void dispatch_stop(struct dispatcher *d)
{
    d->stopped = true;
    if (d->loop)
        ev_timer_stop(d->loop, &d->maintenance);
    for (size_t b = 0; b < d->nbuckets; b++)
        for (struct dgroup *g = d->buckets[b]; g; g = g->next)
            dgroup_stop_timer(g);
}

size_t dispatch_inflight(const struct dispatcher *d)
{
    return d->n_inflight;
}

size_t dispatch_group_count(const struct dispatcher *d)
{
    return d->n_groups;
}

/* ---- the group table --------------------------------------------------------- */

static size_t bucket_of(size_t nbuckets, size_t route_idx, uint64_t fp)
{
    uint64_t h = fp ^ ((uint64_t)route_idx * 0x9e3779b97f4a7c15ULL);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return (size_t)(h & (nbuckets - 1));
}

static void table_grow(struct dispatcher *d)
{
    size_t nb = d->nbuckets * 2;
    struct dgroup **nv = xcalloc(nb, sizeof *nv);
    for (size_t b = 0; b < d->nbuckets; b++) {
        struct dgroup *g = d->buckets[b];
        while (g) {
            struct dgroup *next = g->next;
            size_t k = bucket_of(nb, route_index(g->route), g->fp);
            g->next = nv[k];
            nv[k] = g;
            g = next;
        }
    }
    free(d->buckets);
    d->buckets = nv;
    d->nbuckets = nb;
}

static struct dgroup *table_find(const struct dispatcher *d, const struct route *r, uint64_t fp)
{
    size_t k = bucket_of(d->nbuckets, route_index(r), fp);
    for (struct dgroup *g = d->buckets[k]; g; g = g->next)
        if (g->route == r && g->fp == fp)
            return g;
    return NULL;
}

static void table_insert(struct dispatcher *d, struct dgroup *g)
{
    if (d->n_groups + 1 > d->nbuckets)
        table_grow(d);
    size_t k = bucket_of(d->nbuckets, route_index(g->route), g->fp);
    g->next = d->buckets[k];
    d->buckets[k] = g;
    d->n_groups++;
    metrics_gauge_inc(d->m_groups);
}

size_t dispatch_sweep(struct dispatcher *d)
{
    size_t removed = 0;
    for (size_t b = 0; b < d->nbuckets; b++) {
        struct dgroup **pp = &d->buckets[b];
        while (*pp) {
            struct dgroup *g = *pp;
            if (g->n == 0 && !g->inflight) {
                *pp = g->next;
                dgroup_free(g);
                d->n_groups--;
                metrics_gauge_dec(d->m_groups);
                removed++;
            } else {
                pp = &g->next;
            }
        }
    }
    return removed;
}

/* ---- routing ------------------------------------------------------------------ */

/* Inserts a (whose labels are ls) into the group of route r for its
 * labels, creating the group (subject to the limit). */
static void process(struct dispatcher *d, const struct route *r, struct alert *a,
                    const struct labels *ls, int64_t now)
{
    struct labels gl;
    route_group_labels(r, ls, &gl);
    uint64_t fp = labels_fingerprint(&gl);
    struct dgroup *g = table_find(d, r, fp);
    if (!g) {
        if (d->max_groups && d->n_groups >= d->max_groups) {
            metrics_counter_inc(d->m_limit);
            if (!d->limit_logged) {
                char lim[32];
                snprintf(lim, sizeof lim, "%zu", d->max_groups);
                log_error("Too many aggregation groups, cannot create new group for alert", "limit",
                          lim, "alert", labels_get(ls, "alertname"));
                d->limit_logged = true;
            }
            free(gl.v);
            return;
        }
        g = dgroup_new(d, r, &gl, fp);
        table_insert(d, g);
    }
    free(gl.v);
    dgroup_insert(g, a, now);
}

void dispatch_put(struct dispatcher *d, struct alert *a)
{
    if (d->stopped)
        return;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t now = dispatch_now(d);
    d->rv.n = 0;
    struct alert_view v;
    const struct labels *ls = alert_labels_view(a, &v);
    route_match(d->root, ls, &d->rv);
    for (size_t i = 0; i < d->rv.n; i++)
        process(d, d->rv.v[i], a, ls, now);
    alert_view_deinit(&v);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    metrics_histogram_observe(d->m_processing,
                              (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
}

/* ---- views -------------------------------------------------------------------- */

void dispatch_groups_each(const struct dispatcher *d, dispatch_group_fn *fn, void *ctx)
{
    for (size_t b = 0; b < d->nbuckets; b++)
        for (struct dgroup *g = d->buckets[b]; g; g = g->next) {
            struct dispatch_group_view v = {
                .labels = &g->labels,
                .receiver = route_receiver(g->route),
                .group_key = g->key,
                .route = g->route,
                .alerts = g->alerts,
                .n_alerts = g->n,
            };
            fn(ctx, &v);
        }
}

void dispatch_receivers_for(const struct dispatcher *d, const struct labels *ls,
                            dispatch_receiver_fn *fn, void *ctx)
{
    struct route_vec rv = {0};
    route_match(d->root, ls, &rv);
    for (size_t i = 0; i < rv.n; i++)
        fn(ctx, route_receiver(rv.v[i]));
    route_vec_deinit(&rv);
}

/* ---- order -------------------------------------------------------------------- */

/* Prometheus' LabelSet.Before as a comparison: fewer labels first; then,
 * walking the sorted union of names, the set lacking a name comes first,
 * else the smaller value.  Both sets are sorted by name, so the union walk
 * is a merge. */
static int labelset_cmp(const struct labels *x, const struct labels *y)
{
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    size_t i = 0, j = 0;
    while (i < x->n && j < y->n) {
        int c = strcmp(x->v[i].name, y->v[j].name);
        if (c < 0)
            return 1; /* x has a name y lacks: y comes first */
        if (c > 0)
            return -1;
        c = strcmp(x->v[i].value, y->v[j].value);
        if (c != 0)
            return c < 0 ? -1 : 1;
        i++;
        j++;
    }
    return 0;
}

int dispatch_alert_cmp(const struct alert *a, const struct alert *b)
{
    static const char *const keys[] = {"job", "instance"};
    for (size_t k = 0; k < 2; k++) {
        const char *va = alert_label_get(a, keys[k]);
        const char *vb = alert_label_get(b, keys[k]);
        if (!va && !vb)
            continue;
        if (!va)
            return 1;
        if (!vb)
            return -1;
        int c = strcmp(va, vb);
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    struct alert_view va, vb;
    int c = labelset_cmp(alert_labels_view(a, &va), alert_labels_view(b, &vb));
    alert_view_deinit(&va);
    alert_view_deinit(&vb);
    return c;
}

/* dispatch_group.c -- one aggregation group: its alerts, its ev_timer, and
 * its flush.  Timing rules are in dispatch.h; this file is where they are
 * kept.
 *
 * The alerts live in an array with a fingerprint index beside it, so that
 * a group of 100k alerts (a route with `group_by: []`) still inserts and
 * replaces in O(1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dispatch_internal.h"
#include "intern.h"
#include "log.h"
#include "mem.h"

static void on_group_timer(EV_P_ ev_timer *w, int revents);

static double ms_to_s(int64_t ms)
{
    return ms > 0 ? (double)ms / 1000.0 : 0.0;
}

/* (Re)starts the group's timer `after` seconds from now, with the timerfd
 * nudge (wakeup.h) at the same instant.  libev counts a timer from the
 * loop time cached when this iteration's poll returned, the nudge from the
 * clock now, so the two used to differ by the request's handling time:
 * whichever came second (often libev's own epoll timeout, whole
 * milliseconds rounded up) woke the loop for nothing.  Updating the loop
 * time first puts both on one instant, the group's creation, which is
 * what Alertmanager measures group_wait from. */
static void timer_restart(struct dgroup *g, double after)
{
    struct dispatcher *d = g->d;
    ev_timer_stop(d->loop, &g->timer);
    ev_timer_set(&g->timer, after, 0.);
    ev_now_update(d->loop);
    ev_timer_start(d->loop, &g->timer);
    wakeup_after(d->wake, after);
}

struct dgroup *dgroup_new(struct dispatcher *d, const struct route *r, const struct labels *gl,
                          uint64_t fp)
{
    struct dgroup *g = xcalloc(1, sizeof *g);
    g->d = d;
    g->route = r;
    g->fp = fp;
    g->labels.n = gl->n;
    g->labels.v = xcalloc(gl->n ? gl->n : 1, sizeof *g->labels.v);
    for (size_t i = 0; i < gl->n; i++) {
        g->labels.v[i].name = intern_ref(gl->v[i].name);
        g->labels.v[i].value = intern_ref(gl->v[i].value);
    }
    struct buf key = BUF_INIT;
    route_group_key(r, &g->labels, &key);
    g->key = buf_steal(&key);
    g->index_cap = 8;
    g->index = xcalloc(g->index_cap, sizeof *g->index);
    ev_timer_init(&g->timer, on_group_timer, ms_to_s(route_group_wait_ms(r)), 0.);
    g->timer.data = g;
    if (d->loop && !d->stopped)
        timer_restart(g, ms_to_s(route_group_wait_ms(r)));
    return g;
}

static void dflush_free(struct dflush *f)
{
    for (size_t i = 0; i < f->n; i++)
        alert_unref(f->alerts[i]);
    free(f->alerts);
    free(f);
}

void dgroup_stop_timer(struct dgroup *g)
{
    if (g->d->loop)
        ev_timer_stop(g->d->loop, &g->timer);
}

void dgroup_free(struct dgroup *g)
{
    struct dispatcher *d = g->d;
    if (g->inflight) {
        if (d->cancel)
            d->cancel(d->flush_ud, g->inflight->handle);
        dflush_free(g->inflight);
        g->inflight = NULL;
        d->n_inflight--;
    }
    dgroup_stop_timer(g);
    for (size_t i = 0; i < g->n; i++)
        alert_unref(g->alerts[i]);
    free(g->alerts);
    free(g->index);
    for (size_t i = 0; i < g->labels.n; i++) {
        intern_unref(g->labels.v[i].name);
        intern_unref(g->labels.v[i].value);
    }
    free(g->labels.v);
    free(g->key);
    free(g);
}

/* ---- the alert set ------------------------------------------------------------ */

static size_t slot_of(uint64_t fp, size_t cap)
{
    uint64_t h = fp * 0x9e3779b97f4a7c15ULL;
    return (size_t)(h >> 32) & (cap - 1);
}

/* The index slot holding fp, or the empty slot where it would go. */
static size_t index_find(const struct dgroup *g, uint64_t fp)
{
    size_t s = slot_of(fp, g->index_cap);
    while (g->index[s] && g->alerts[g->index[s] - 1]->fingerprint != fp)
        s = (s + 1) & (g->index_cap - 1);
    return s;
}

static void index_rebuild(struct dgroup *g, size_t cap)
{
    free(g->index);
    g->index_cap = cap;
    g->index = xcalloc(cap, sizeof *g->index);
    for (size_t i = 0; i < g->n; i++)
        g->index[index_find(g, g->alerts[i]->fingerprint)] = (uint32_t)(i + 1);
}

struct alert *dgroup_get(const struct dgroup *g, uint64_t fp)
{
    uint32_t v = g->index[index_find(g, fp)];
    return v ? g->alerts[v - 1] : NULL;
}

/* Stores a (a new reference) in the set; returns the replaced alert's
 * reference for the caller to drop, or NULL. */
static struct alert *set_put(struct dgroup *g, struct alert *a)
{
    size_t s = index_find(g, a->fingerprint);
    if (g->index[s]) {
        struct alert **slot = &g->alerts[g->index[s] - 1];
        struct alert *old = *slot;
        *slot = alert_ref(a);
        return old;
    }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 4;
        g->alerts = xrealloc(g->alerts, g->cap * sizeof *g->alerts);
    }
    ROUTER_ASSERT(g->n < UINT32_MAX);
    g->alerts[g->n++] = alert_ref(a);
    if (2 * g->n >= g->index_cap)
        index_rebuild(g, g->index_cap * 2);
    else
        g->index[s] = (uint32_t)g->n;
    return NULL;
}

bool dgroup_remove(struct dgroup *g, uint64_t fp)
{
    size_t s = index_find(g, fp);
    if (!g->index[s])
        return false;
    size_t pos = g->index[s] - 1;
    alert_unref(g->alerts[pos]);
    /* Backward-shift deletion keeps the probe chains intact without
     * tombstones. */
    size_t mask = g->index_cap - 1, hole = s, j = s;
    for (;;) {
        j = (j + 1) & mask;
        if (!g->index[j])
            break;
        size_t home = slot_of(g->alerts[g->index[j] - 1]->fingerprint, g->index_cap);
        /* move j into the hole unless its home lies cyclically in (hole, j] */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            g->index[hole] = g->index[j];
            hole = j;
        }
    }
    g->index[hole] = 0;
    /* The last alert fills the gap in the array. */
    size_t last = g->n - 1;
    if (pos != last) {
        g->alerts[pos] = g->alerts[last];
        g->index[index_find(g, g->alerts[pos]->fingerprint)] = (uint32_t)(pos + 1);
    }
    g->n--;
    return true;
}

void dgroup_insert(struct dgroup *g, struct alert *a, int64_t now)
{
    alert_unref(set_put(g, a));
    /* Alertmanager 0.25 (aggrGroup.insert): until the first flush, an alert
     * whose group_wait is already over makes the group flush at once. */
    int64_t gw_ns = route_group_wait_ms(g->route) * NS_PER_MS;
    struct dispatcher *d = g->d;
    if (!g->has_flushed && a->starts_at + gw_ns < now && !d->stopped && d->loop) {
        ev_timer_stop(d->loop, &g->timer);
        ev_timer_set(&g->timer, 0., 0.);
        ev_timer_start(d->loop, &g->timer);
    }
}

/* ---- flush -------------------------------------------------------------------- */

static int cmp_alert_ptr(const void *x, const void *y)
{
    return dispatch_alert_cmp(*(struct alert *const *)x, *(struct alert *const *)y);
}

/* After a flush: when it succeeded, every alert resolved in the snapshot
 * leaves the group, unless it was replaced by a version with another
 * updated_at meanwhile (Alertmanager compares UpdatedAt the same way). */
static void flush_finished(struct dgroup *g, struct dflush *f, bool ok)
{
    if (ok) {
        for (size_t i = 0; i < f->n; i++) {
            struct alert *a = f->alerts[i];
            if (!alert_resolved(a, f->now))
                continue;
            struct alert *cur = dgroup_get(g, a->fingerprint);
            if (cur && cur->updated_at == a->updated_at)
                dgroup_remove(g, a->fingerprint);
        }
    }
    dflush_free(f);
}

static void on_flush_done(void *ctx, bool ok)
{
    struct dflush *f = ctx;
    struct dgroup *g = f->g;
    struct dispatcher *d = g->d;
    g->inflight = NULL;
    d->n_inflight--;
    flush_finished(g, f, ok);
    /* A tick that came due during a long flush (retries) runs now, as the
     * group's goroutine in Alertmanager picks up its overdue timer. */
    if (g->tick_pending && !d->stopped) {
        g->tick_pending = false;
        dgroup_tick(g);
    }
}

/* Snapshots the alerts in Alertmanager's order and hands them to the
 * flusher.  Nothing happens for an empty group. */
static void group_flush(struct dgroup *g)
{
    struct dispatcher *d = g->d;
    if (g->n == 0)
        return;
    struct dflush *f = xcalloc(1, sizeof *f);
    f->g = g;
    f->now = dispatch_now(d);
    f->n = g->n;
    f->alerts = xmalloc(g->n * sizeof *f->alerts);
    for (size_t i = 0; i < g->n; i++)
        f->alerts[i] = alert_ref(g->alerts[i]);
    qsort(f->alerts, f->n, sizeof *f->alerts, cmp_alert_ptr);
    double gi = ms_to_s(route_group_interval_ms(g->route));
    struct dispatch_flush df = {
        .route = g->route,
        .group_key = g->key,
        .group_labels = &g->labels,
        .alerts = f->alerts,
        .n_alerts = f->n,
        .now = f->now,
        .timeout_s = gi > 10.0 ? gi : 10.0,
    };
    bool ok = false;
    void *h = d->flush(d->flush_ud, &df, on_flush_done, f, &ok);
    if (h) {
        f->handle = h;
        g->inflight = f;
        d->n_inflight++;
        return;
    }
    flush_finished(g, f, ok);
}

void dgroup_tick(struct dgroup *g)
{
    struct dispatcher *d = g->d;
    if (d->stopped)
        return;
    if (g->inflight) {
        g->tick_pending = true;
        return;
    }
    /* Re-armed before the flush runs: a fixed cadence from this tick. */
    if (d->loop)
        timer_restart(g, ms_to_s(route_group_interval_ms(g->route)));
    g->has_flushed = true;
    group_flush(g);
}

static void on_group_timer(EV_P_ ev_timer *w, int revents)
{
    (void)revents;
    dgroup_tick(w->data);
}

/* dispatch.h -- aggregation groups: which alerts are notified together, and
 * when.
 *
 * Flow: alert_store_put -> (store subscriber) dispatch_put() -> route_match
 * -> one aggregation group per (route, group label values) -> the group's
 * ev_timer fires -> flush: a sorted snapshot of the group's alerts goes to
 * the flusher (the pipeline: inhibit, time intervals, silences, dedup,
 * notify) -> when the flusher reports success, resolved alerts leave the
 * group.
 *
 * Timing is Alertmanager 0.25's (reference 4.3, and the observations in
 * tests/compat/README.md):
 *   - a new group arms its timer with group_wait, counted from its
 *     creation.  If an alert inserted before the group's first flush is
 *     "old" (starts_at + group_wait < now) the group flushes at once; 0.25
 *     does this for any such alert until the first flush, not only the one
 *     that creates the group;
 *   - when the timer fires it is re-armed with group_interval BEFORE the
 *     flush runs: a fixed cadence counted from the previous tick.  A group
 *     has at most one flush in flight; a tick that comes due while a flush
 *     is still running (retries) runs as soon as that flush ends;
 *   - repeat_interval is not a timer: the flusher's dedup stage (nflog)
 *     decides at every tick whether an unchanged group is sent again;
 *   - after a flush that succeeded for every integration, each alert that
 *     was resolved in the snapshot leaves the group unless it was updated
 *     (another updated_at) meanwhile; a failed flush keeps them for the
 *     next tick;
 *   - empty groups are removed by a maintenance sweep (30 s by default).
 * Reload: the dispatcher is freed and rebuilt with the new route tree, and
 * every stored alert is put again -- groups restart their timers, as in
 * Alertmanager; the nflog prevents duplicate notifications.
 *
 * Alerts in a snapshot are in Alertmanager's order (types.AlertSlice):
 * alerts with a `job` label first, by its value; then likewise `instance`;
 * then the whole label set (fewer labels first, then by the sorted union of
 * names: a set lacking a name comes first, else by value).
 *
 * Times: `now` is wall-clock ns since the epoch (alert.h), from the clock in
 * dispatch_opts; timers are libev's monotonic relative timers. */
#ifndef ROUTER_DISPATCH_H
#define ROUTER_DISPATCH_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "labels.h"
#include "route.h"

/* One flush, as the group hands it to the flusher.  Everything is
 * borrowed for the duration of the flush call; the flusher takes what it
 * keeps (alert_ref, copies). */
struct dispatch_flush {
    const struct route *route;
    const char *group_key;             /* route_group_key(), byte-exact */
    const struct labels *group_labels; /* sorted */
    struct alert *const *alerts;       /* Alertmanager's order, >= 1 */
    size_t n_alerts;
    int64_t now;      /* the flush instant (ns): ends_at <= now is resolved */
    double timeout_s; /* max(group_interval, 10 s): the flush's deadline */
};

/* Reports the end of an asynchronous flush: ok when every integration
 * succeeded (or nothing needed sending). */
typedef void dispatch_done_fn(void *done_ctx, bool ok);

/* Starts a flush.  Returns an opaque handle when the flush continues
 * asynchronously (done(done_ctx, ok) is called later, from the loop, never
 * from inside this call), or NULL when it is already over, with the result
 * in *ok. */
typedef void *dispatch_flush_fn(void *ud, const struct dispatch_flush *f, dispatch_done_fn *done,
                                void *done_ctx, bool *ok);
/* Abandons an asynchronous flush: done is not called. */
typedef void dispatch_cancel_fn(void *ud, void *handle);
/* Wall clock, ns since the epoch. */
typedef int64_t dispatch_clock_fn(void *ud);

struct dispatch_opts {
    struct ev_loop *loop;
    const struct route *root; /* borrowed; must outlive the dispatcher */
    dispatch_flush_fn *flush;
    dispatch_cancel_fn *cancel;
    void *flush_ud;
    dispatch_clock_fn *clock; /* NULL: CLOCK_REALTIME */
    void *clock_ud;
    size_t max_groups;    /* 0: no limit; past it new groups are refused */
    double maintenance_s; /* sweep of empty groups; <= 0: 30 s */
};

struct dispatcher;

/* Returns a new dispatcher with no groups; free with dispatch_free(). */
struct dispatcher *dispatch_new(const struct dispatch_opts *o);
/* Cancels in-flight flushes (their done is not called), stops every
 * timer, drops the groups.  Accepts NULL. */
void dispatch_free(struct dispatcher *d);

/* Routes the alert (the version now stored) and inserts it into the group
 * of every matching route, creating groups as needed.  Takes its own
 * references. */
void dispatch_put(struct dispatcher *d, struct alert *a);

/* Graceful stop: every timer stops and no flush starts from now on;
 * flushes in flight finish normally. */
void dispatch_stop(struct dispatcher *d);
/* Flushes still in flight. */
size_t dispatch_inflight(const struct dispatcher *d);

/* Removes empty groups that have no flush in flight (the maintenance
 * sweep runs it); returns how many were removed. */
size_t dispatch_sweep(struct dispatcher *d);
size_t dispatch_group_count(const struct dispatcher *d);

/* ---- for the API --------------------------------------------------------- */

/* One group, borrowed for the duration of the callback. */
struct dispatch_group_view {
    const struct labels *labels; /* group labels, sorted */
    const char *receiver;
    const char *group_key;
    const struct route *route;
    struct alert *const *alerts; /* the group's current alerts, resolved included */
    size_t n_alerts;
};
typedef void dispatch_group_fn(void *ctx, const struct dispatch_group_view *g);

/* Calls fn for every group (in no particular order).  fn must not modify
 * the dispatcher. */
void dispatch_groups_each(const struct dispatcher *d, dispatch_group_fn *fn, void *ctx);

/* Calls fn with the receiver of every route the label set matches, in
 * Alertmanager's route order (a name may repeat). */
typedef void dispatch_receiver_fn(void *ctx, const char *receiver);
void dispatch_receivers_for(const struct dispatcher *d, const struct labels *ls,
                            dispatch_receiver_fn *fn, void *ctx);

/* Alertmanager's alert order (see above): negative, 0 or positive. */
int dispatch_alert_cmp(const struct alert *a, const struct alert *b);

#endif

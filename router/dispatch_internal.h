/* dispatch_internal.h -- what dispatch.c (the dispatcher) and
 * dispatch_group.c (one aggregation group) share.  Not for other modules:
 * they use dispatch.h. */
#ifndef ROUTER_DISPATCH_INTERNAL_H
#define ROUTER_DISPATCH_INTERNAL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dispatch.h"
#include "metrics.h"
#include "wakeup.h"

/* One flush in flight: the snapshot it was built from (a reference per
 * alert), kept to decide afterwards which resolved alerts may leave. */
struct dflush {
    struct dgroup *g;
    void *handle; /* the flusher's */
    int64_t now;
    size_t n;
    struct alert **alerts;
};

struct dgroup {
    struct dgroup *next; /* hash chain */
    struct dispatcher *d;
    const struct route *route;
    uint64_t fp;          /* fingerprint of the group labels */
    struct labels labels; /* sorted; strings owned (see dgroup_new) */
    char *key;            /* group key */
    ev_timer timer;
    bool has_flushed;  /* the first tick has fired */
    bool tick_pending; /* a tick came due while a flush was in flight */
    /* The alerts, one reference each, in insertion order; `index` maps a
     * fingerprint to its position (open addressing, linear probing,
     * slot = position + 1, 0 = empty). */
    size_t n, cap;
    struct alert **alerts;
    size_t index_cap; /* power of two, > 2 * n */
    uint32_t *index;
    struct dflush *inflight;
};

struct dispatcher {
    struct ev_loop *loop;
    const struct route *root;
    dispatch_flush_fn *flush;
    dispatch_cancel_fn *cancel;
    void *flush_ud;
    dispatch_clock_fn *clock;
    void *clock_ud;
    size_t max_groups;
    bool limit_logged;
    bool stopped;
    size_t n_groups, nbuckets;
    struct dgroup **buckets;
    size_t n_inflight;
    struct route_vec rv; /* scratch for dispatch_put */
    ev_timer maintenance;
    struct wakeup *wake; /* sub-millisecond group timers; may be NULL */
    struct metric_gauge *m_groups;
    struct metric_histogram *m_processing;
    struct metric_counter *m_limit;
};

int64_t dispatch_now(const struct dispatcher *d);

/* A new group for route r with group labels gl (copied), fingerprint fp;
 * its timer is armed with group_wait. */
struct dgroup *dgroup_new(struct dispatcher *d, const struct route *r, const struct labels *gl,
                          uint64_t fp);
/* Cancels the flush in flight, stops the timer, frees. */
void dgroup_free(struct dgroup *g);
void dgroup_stop_timer(struct dgroup *g);
/* Inserts or replaces (same fingerprint) alert a, at wall time now. */
void dgroup_insert(struct dgroup *g, struct alert *a, int64_t now);
/* The group's alert with fingerprint fp, or NULL. */
struct alert *dgroup_get(const struct dgroup *g, uint64_t fp);
/* Removes the alert with fingerprint fp; false if absent. */
bool dgroup_remove(struct dgroup *g, uint64_t fp);
/* What the timer does when it fires (tests call it directly). */
void dgroup_tick(struct dgroup *g);

#endif

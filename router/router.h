/* router.h -- the notification side of the process: from a stored alert
 * to a delivered notification, and what changes with a configuration.
 *
 * main.c opens the stores (alerts with their journal, silences), creates
 * the router over them and hands it every loaded config
 * (router_apply_config, at start and on each reload); SIGTERM calls
 * router_shutdown().  Nothing here is global: the router is passed
 * explicitly.
 *
 * What lives how long:
 *   process    http_client, nflog + its journal (persisted under
 *              --storage.path); the stores are main's, borrowed
 *   config     the config, route tree, inhibitor, time intervals, pipeline
 *              (notifiers), dispatcher: built together, swapped together
 * A reload builds a whole new generation from the new config, re-routes
 * every stored alert into it (groups start afresh, as in Alertmanager; the
 * nflog keeps them from repeating what was sent), and retires the old one:
 * its timers stop at once, but -- unlike Alertmanager, which cancels them --
 * notifications already in flight are allowed to finish and be recorded,
 * so a reload neither loses nor duplicates them.
 *
 * Persistence, beyond Alertmanager: every stored alert version is
 * journaled (alert_journal.h) and every successful notification too
 * (nflog_journal.h), so after SIGTERM or kill -9 the router still knows
 * each firing alert, sends its resolution when it comes, and does not
 * repeat a notification that was delivered. */
#ifndef ROUTER_ROUTER_H
#define ROUTER_ROUTER_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "alert_store.h"
#include "buf.h"
#include "config.h"
#include "dispatch.h"
#include "http_client.h"
#include "inhibit.h"
#include "nflog.h"
#include "nflog_journal.h"
#include "pipeline.h"
#include "route.h"
#include "silence.h"
#include "timeinterval.h"

/* Everything that is built from one config. */
struct router_gen {
    struct router_gen *next; /* retired generations still finishing sends */
    struct config *cfg;
    struct route *route;
    struct timeintervals *intervals;
    struct inhibitor *inhibitor;
    struct tmpl_set *tmpl;  /* the config's notification templates */
    struct notify_env nenv; /* the router's, with this config's templates */
    struct pipeline *pipeline;
    struct dispatcher *dispatcher;
};

struct router_opts {
    struct ev_loop *loop;
    struct alert_store *alerts;     /* borrowed: must outlive the router */
    struct silence_store *silences; /* borrowed */
    const char *storage_path;       /* --storage.path */
    const char *external_url;       /* as notifications show it, no trailing slash */
    int64_t retention_ms;           /* --data.retention */
    int64_t maintenance_ms;         /* nflog snapshot interval; 0: 15 min */
    bool retry_rate_limited;        /* --notify.retry-rate-limited */
};

struct router {
    struct ev_loop *loop;
    struct router_opts o;
    char *external_url;
    struct http_client *http;
    struct notify_env nenv;
    struct alert_store *alerts;
    struct silence_store *silences;
    struct nflog *nflog;
    struct nflog_journal *nflog_journal;
    struct pipeline_busy *busy; /* sends in flight, across generations */
    struct router_gen *gen;     /* current */
    struct router_gen *retired; /* older ones with sends in flight */
    ev_timer maint_timer, retire_timer;
    double last_full; /* ev_now of the last nflog snapshot */
    bool stopping;
    void (*stopped)(void *);
    void *stopped_arg;
};

/* Creates the router, restoring the nflog (snapshot + journal).  It has
 * no config yet: nothing is routed until router_apply_config().  Returns
 * NULL with err when the storage directory cannot be used. */
struct router *router_new(const struct router_opts *o, struct errbuf *err);

/* Builds a generation from cfg (taken: the router frees it when the
 * generation goes), swaps it in and routes every stored alert into it;
 * the first call also subscribes to the alert store.  -1 with err (cfg
 * freed, the running generation untouched) if it cannot be built (a time
 * zone that cannot be loaded). */
int router_apply_config(struct router *r, struct config *cfg, struct errbuf *err);

/* Graceful stop: no flush starts any more, in-flight HTTP requests get up
 * to timeout_s to finish, then stopped(arg) runs from the loop. */
void router_shutdown(struct router *r, double timeout_s, void (*stopped)(void *), void *arg);

/* Writes the nflog snapshot and frees everything it owns (not the
 * stores).  Accepts NULL. */
void router_free(struct router *r);

/* The current config (borrowed; valid until the next reload). */
const struct config *router_config(const struct router *r);

/* ---- for the API (its hooks are thin adapters over these) ---------------- */

/* The receivers of every route ls matches, in Alertmanager's order. */
void router_receivers_for(const struct router *r, const struct labels *ls, dispatch_receiver_fn *fn,
                          void *ctx);
/* True (and the source's fingerprint in *by) when an inhibit rule mutes ls
 * at now. */
bool router_inhibited_by(const struct router *r, const struct labels *ls, int64_t now,
                         uint64_t *by);
/* Every aggregation group of the current generation (empty ones too). */
void router_groups_each(const struct router *r, dispatch_group_fn *fn, void *ctx);

#endif

/* router.h -- the one "world" object: the loop's state from the stores to
 * the notifiers, and what changes with a configuration.
 *
 * main.c loads the first config, creates the router and runs the loop;
 * the API (and SIGHUP) call router_reload(); SIGTERM calls
 * router_shutdown().  Nothing here is global: the router is passed
 * explicitly.
 *
 * What lives how long:
 *   process    http_client, alert store + journal, silences, nflog + its
 *              journal (all persisted under --storage.path)
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

#include "alert_journal.h"
#include "alert_store.h"
#include "buf.h"
#include "config.h"
#include "dispatch.h"
#include "flags.h"
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
    struct pipeline *pipeline;
    struct dispatcher *dispatcher;
};

/* Loads the configuration again (for reloads): the new config, or NULL
 * with every error in err, one per line. */
typedef struct config *router_load_fn(void *ud, struct buf *err);

struct router_opts {
    struct ev_loop *loop;
    const char *storage_path;    /* --storage.path */
    const char *external_url;    /* as notifications show it, no trailing slash */
    int64_t retention_ms;        /* --data.retention */
    int64_t gc_interval_ms;      /* --alerts.gc-interval */
    int64_t maintenance_ms;      /* nflog snapshot interval; 0: 15 min */
    router_load_fn *load;        /* for router_reload */
    void *load_ud;
};

struct router {
    struct ev_loop *loop;
    struct router_opts o;
    char *external_url;
    struct http_client *http;
    struct notify_env nenv;
    struct alert_store *alerts;
    struct alert_journal *journal;
    struct silence_store *silences;
    struct nflog *nflog;
    struct nflog_journal *nflog_journal;
    struct router_gen *gen;     /* current */
    struct router_gen *retired; /* older ones with sends in flight */
    ev_timer gc_timer, maint_timer, retire_timer;
    double last_full; /* ev_now of the last nflog snapshot */
    bool stopping;
    void (*stopped)(void *);
    void *stopped_arg;
};

/* Creates the router with cfg (taken: freed by the router), restoring the
 * persisted state (silences, nflog, active alerts) and routing the
 * restored alerts.  Returns NULL with err when the storage directory or
 * the config's time zones cannot be used. */
struct router *router_new(const struct router_opts *o, struct config *cfg, struct errbuf *err);

/* Loads the config again (opts.load) and, when valid, swaps in a new
 * generation.  Returns 0, or -1 with every error in err (the old config
 * stays).  Fits api_reload_fn. */
int router_reload(void *router, struct buf *err);
/* Swaps in a new generation built from cfg (taken).  -1 with err (cfg
 * freed) if it cannot be built. */
int router_apply_config(struct router *r, struct config *cfg, struct errbuf *err);

/* Graceful stop: no flush starts any more, in-flight HTTP requests get up
 * to timeout_s to finish, then stopped(arg) runs from the loop. */
void router_shutdown(struct router *r, double timeout_s, void (*stopped)(void *), void *arg);

/* Writes the snapshots (nflog, silences, alerts) and frees everything.
 * Accepts NULL. */
void router_free(struct router *r);

/* The current config (borrowed; valid until the next reload). */
const struct config *router_config(const struct router *r);

/* The fingerprint of a firing alert inhibiting ls at now, if any. */
bool router_inhibited_by(const struct router *r, const struct labels *ls, int64_t now,
                         uint64_t *by);

#endif

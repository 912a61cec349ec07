/* router.c -- the world object (router.h): start-up of the stateful
 * modules in order, the store subscriber feeding inhibitor and
 * dispatcher, reloads by generation, periodic maintenance and the
 * graceful stop. */
#include "router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "mem.h"
#include "notify_tmpl.h"
#include "template.h"
#include "metrics.h"

/* An nflog journal bigger than this is folded into a snapshot at the next
 * check (every 10 s), so replay at start stays fast. */
#define NFLOG_JOURNAL_MAX (8u << 20)
#define CHECK_INTERVAL_S 10.0

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* ---- generations ------------------------------------------------------------ */

static void gen_free(struct router_gen *g)
{
    if (!g)
        return;
    /* The dispatcher first: it cancels flushes still waiting for notifiers
     * the pipeline is about to free. */
    dispatch_free(g->dispatcher);
    pipeline_free(g->pipeline);
    tmpl_set_free(g->tmpl);
    inhibit_free(g->inhibitor);
    timeintervals_free(g->intervals);
    route_free(g->route);
    config_free(g->cfg);
    free(g);
}

/* Feeds every stored alert to the generation's inhibitor and dispatcher:
 * at start (restored alerts) and after a reload. */
static void gen_route_all(struct router *r, struct router_gen *g)
{
    size_t pos = 0;
    struct alert *a;
    while (alert_store_next(r->alerts, &pos, &a)) {
        struct alert_view v;
        inhibit_put(g->inhibitor, alert_labels_view(a, &v), a->fingerprint, a->ends_at);
        alert_view_deinit(&v);
    }
    pos = 0;
    while (alert_store_next(r->alerts, &pos, &a))
        dispatch_put(g->dispatcher, a);
}

static struct router_gen *gen_build(struct router *r, struct config *cfg, struct errbuf *err)
{
    struct router_gen *g = xcalloc(1, sizeof *g);
    g->cfg = cfg;
    g->route = route_build(cfg, err);
    if (g->route)
        g->intervals = timeintervals_build(cfg, err);
    if (g->intervals)
        g->tmpl = notify_templates_load(cfg, err);
    if (!g->route || !g->intervals || !g->tmpl) {
        gen_free(g);
        return NULL;
    }
    g->inhibitor = inhibit_new(cfg);
    struct pipeline_env pe = {
        .store = r->alerts,
        .inhibitor = g->inhibitor,
        .intervals = g->intervals,
        .silences = r->silences,
        .nflog = r->nflog,
        .journal = r->nflog_journal,
        .busy = r->busy,
        .external_url = r->external_url,
    };
    g->pipeline = pipeline_new(&pe);
    g->nenv = r->nenv;
    g->nenv.basedir = cfg->basedir;
    g->nenv.tmpl = g->tmpl;
    pipeline_add_config(g->pipeline, cfg, &g->nenv);
    struct dispatch_opts d = {
        .loop = r->loop,
        .root = g->route,
        .flush = pipeline_flush,
        .cancel = pipeline_cancel,
        .flush_ud = g->pipeline,
        .max_groups = 100000,
    };
    g->dispatcher = dispatch_new(&d);
    metrics_gauge_set(metrics()->receivers, (double)pipeline_receivers(g->pipeline));
    metrics_gauge_set(metrics()->integrations, (double)pipeline_integrations(g->pipeline));
    return g;
}

/* Frees retired generations whose last send has finished. */
static void reap_retired(struct router *r)
{
    struct router_gen **pp = &r->retired;
    while (*pp) {
        struct router_gen *g = *pp;
        if (dispatch_inflight(g->dispatcher) == 0) {
            *pp = g->next;
            gen_free(g);
        } else {
            pp = &g->next;
        }
    }
    if (!r->retired)
        ev_timer_stop(r->loop, &r->retire_timer);
}

static void on_retire_check(EV_P_ ev_timer *w, int revents)
{
    (void)revents;
    reap_retired(w->data);
}

static void retire(struct router *r, struct router_gen *g)
{
    dispatch_stop(g->dispatcher);
    g->next = r->retired;
    r->retired = g;
    reap_retired(r);
    if (r->retired && !ev_is_active(&r->retire_timer))
        ev_timer_start(r->loop, &r->retire_timer);
}

/* ---- the store subscriber -------------------------------------------------------- */

/* Every stored alert version: all of them can inhibit (whatever their
 * route), and each is routed into its groups. */
static void on_alert_put(void *ud, struct alert *a)
{
    struct router *r = ud;
    if (!r->gen || r->stopping)
        return;
    struct alert_view v;
    inhibit_put(r->gen->inhibitor, alert_labels_view(a, &v), a->fingerprint, a->ends_at);
    alert_view_deinit(&v);
    dispatch_put(r->gen->dispatcher, a);
}

/* ---- maintenance ------------------------------------------------------------------ */

static void compact_nflog(struct router *r, int64_t now)
{
    struct errbuf err;
    if (r->nflog_journal) {
        if (nflog_journal_compact(r->nflog_journal, now, &err) < 0)
            log_error("Creating nflog snapshot failed", "err", err.msg);
    } else if (nflog_maintain(r->nflog, now, &err) < 0) {
        log_error("Creating nflog snapshot failed", "err", err.msg);
    }
}

/* Every 10 s: a journal that grew too big is folded into a snapshot, and
 * at the maintenance interval (Alertmanager's --data.maintenance-interval,
 * 15 min) the nflog is GC'd and snapshotted anyway.  Resolved inhibiting
 * sources are dropped from the inhibitor's caches. */
static void on_maintenance(EV_P_ ev_timer *w, int revents)
{
    (void)revents;
    struct router *r = w->data;
    double now_mono = ev_now(EV_A);
    if (r->last_full == 0)
        r->last_full = now_mono;
    bool full = now_mono - r->last_full >= r->o.maintenance_ms / 1000.0;
    if (full || (r->nflog_journal && nflog_journal_size(r->nflog_journal) > NFLOG_JOURNAL_MAX)) {
        compact_nflog(r, wall_ns());
        if (full)
            r->last_full = now_mono;
    }
    if (full && r->gen)
        inhibit_gc(r->gen->inhibitor, wall_ns());
}

/* ---- start --------------------------------------------------------------------------- */

/* Restores the nflog: snapshot, then the journal of later sends. */
static int restore_nflog(struct router *r, struct errbuf *err)
{
    const char *dir = r->o.storage_path;
    int64_t now = wall_ns();
    struct errbuf warn;
    r->nflog = nflog_new(dir, r->o.retention_ms * NS_PER_MS);
    if (nflog_load(r->nflog, now, &warn) < 0)
        log_warn("loading the notification log", "err", warn.msg);
    r->nflog_journal = nflog_journal_open(dir, r->nflog, &warn, err);
    if (!r->nflog_journal)
        return -1;
    if (warn.msg[0])
        log_warn("notification log journal damaged", "err", warn.msg);
    nflog_gc(r->nflog, now);
    char n[32];
    snprintf(n, sizeof n, "%zu", nflog_len(r->nflog));
    log_info("restored the notification log", "entries", n);
    return 0;
}

struct router *router_new(const struct router_opts *o, struct errbuf *err)
{
    struct router *r = xcalloc(1, sizeof *r);
    r->loop = o->loop;
    r->o = *o;
    if (r->o.maintenance_ms <= 0)
        r->o.maintenance_ms = 15 * 60 * 1000;
    r->alerts = o->alerts;
    r->silences = o->silences;
    r->external_url = xstrdup(o->external_url ? o->external_url : "");
    r->http = http_client_new(r->loop);
    r->busy = pipeline_busy_new();
    r->nenv = (struct notify_env){
        .loop = r->loop, .http = r->http, .retry_rate_limited = o->retry_rate_limited};
    if (restore_nflog(r, err) < 0) {
        router_free(r);
        return NULL;
    }
    ev_timer_init(&r->maint_timer, on_maintenance, CHECK_INTERVAL_S, CHECK_INTERVAL_S);
    r->maint_timer.data = r;
    ev_timer_start(r->loop, &r->maint_timer);
    ev_timer_init(&r->retire_timer, on_retire_check, 0.2, 0.2);
    r->retire_timer.data = r;
    return r;
}

/* ---- reload ----------------------------------------------------------------------------- */

int router_apply_config(struct router *r, struct config *cfg, struct errbuf *err)
{
    if (r->stopping) {
        config_free(cfg);
        errbuf_set(err, "shutting down");
        return -1;
    }
    struct router_gen *g = gen_build(r, cfg, err);
    if (!g)
        return -1;
    if (r->gen)
        retire(r, r->gen);
    else
        alert_store_subscribe(r->alerts, on_alert_put, r);
    r->gen = g;
    gen_route_all(r, g);
    return 0;
}

const struct config *router_config(const struct router *r)
{
    return r->gen ? r->gen->cfg : NULL;
}

/* ---- the API's view --------------------------------------------------------------- */

void router_receivers_for(const struct router *r, const struct labels *ls, dispatch_receiver_fn *fn,
                          void *ctx)
{
    if (r->gen)
        dispatch_receivers_for(r->gen->dispatcher, ls, fn, ctx);
}

bool router_inhibited_by(const struct router *r, const struct labels *ls, int64_t now, uint64_t *by)
{
    return r->gen && inhibit_mutes(r->gen->inhibitor, ls, now, by);
}

void router_groups_each(const struct router *r, dispatch_group_fn *fn, void *ctx)
{
    if (r->gen)
        dispatch_groups_each(r->gen->dispatcher, fn, ctx);
}

/* ---- stop --------------------------------------------------------------------------------- */

static void on_drained(void *arg)
{
    struct router *r = arg;
    if (r->stopped)
        r->stopped(r->stopped_arg);
}

void router_shutdown(struct router *r, double timeout_s, void (*stopped)(void *), void *arg)
{
    r->stopping = true;
    r->stopped = stopped;
    r->stopped_arg = arg;
    if (r->gen)
        dispatch_stop(r->gen->dispatcher);
    for (struct router_gen *g = r->retired; g; g = g->next)
        dispatch_stop(g->dispatcher);
    ev_timer_stop(r->loop, &r->maint_timer);
    http_client_drain(r->http, timeout_s, on_drained, r);
}

void router_free(struct router *r)
{
    if (!r)
        return;
    if (r->loop) {
        ev_timer_stop(r->loop, &r->maint_timer);
        ev_timer_stop(r->loop, &r->retire_timer);
    }
    /* Sends still waiting (backoff) end here, unrecorded: they are sent
     * again after the restart. */
    while (r->retired) {
        struct router_gen *g = r->retired;
        r->retired = g->next;
        gen_free(g);
    }
    gen_free(r->gen);
    r->gen = NULL;
    if (r->alerts)
        alert_store_unsubscribe(r->alerts, on_alert_put, r);
    if (r->nflog)
        compact_nflog(r, wall_ns());
    pipeline_busy_free(r->busy);
    nflog_journal_close(r->nflog_journal);
    nflog_free(r->nflog);
    http_client_free(r->http);
    free(r->external_url);
    free(r);
}

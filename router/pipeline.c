/* pipeline.c -- one flush through Alertmanager's stages (pipeline.h):
 * inhibit -> active/mute time intervals -> silences -> per integration:
 * dedup (nflog) -> notify_send -> nflog_log + journal. */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mem.h"
#include "route.h"

struct precv {
    char *name;
    size_t n;
    struct notifier **v;
};

struct pipeline {
    struct pipeline_env env;
    size_t n_recv, cap_recv;
    struct precv *recv;
    size_t n_integrations;
    struct silence_ids sil; /* scratch */
};

/* One integration's send within a run. */
struct psend {
    struct prun *run;
    struct notifier *n;
    struct notify_op *op; /* NULL once done */
    char *busy_key;       /* its entry in the busy set, or NULL */
};

/* ---- the busy set: nflog keys with a send in flight --------------------------------- */

struct busy_node {
    struct busy_node *next;
    uint64_t h;
    char key[];
};

struct pipeline_busy {
    size_t n, nbuckets;
    struct busy_node **b;
};

struct pipeline_busy *pipeline_busy_new(void)
{
    struct pipeline_busy *s = xcalloc(1, sizeof *s);
    s->nbuckets = 64;
    s->b = xcalloc(s->nbuckets, sizeof *s->b);
    return s;
}

void pipeline_busy_free(struct pipeline_busy *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nbuckets; i++)
        while (s->b[i]) {
            struct busy_node *nd = s->b[i];
            s->b[i] = nd->next;
            free(nd);
        }
    free(s->b);
    free(s);
}

size_t pipeline_busy_count(const struct pipeline_busy *s)
{
    return s ? s->n : 0;
}

static uint64_t fnv(const char *k)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 0x100000001b3ULL;
    return h;
}

static struct busy_node **busy_find(struct pipeline_busy *s, const char *key, uint64_t h)
{
    struct busy_node **pp = &s->b[h & (s->nbuckets - 1)];
    while (*pp && ((*pp)->h != h || strcmp((*pp)->key, key) != 0))
        pp = &(*pp)->next;
    return pp;
}

/* Adds key; false if it was there already. */
static bool busy_add(struct pipeline_busy *s, const char *key)
{
    uint64_t h = fnv(key);
    if (*busy_find(s, key, h))
        return false;
    if (s->n + 1 > s->nbuckets) {
        size_t nb = s->nbuckets * 2;
        struct busy_node **nv = xcalloc(nb, sizeof *nv);
        for (size_t i = 0; i < s->nbuckets; i++)
            while (s->b[i]) {
                struct busy_node *nd = s->b[i];
                s->b[i] = nd->next;
                nd->next = nv[nd->h & (nb - 1)];
                nv[nd->h & (nb - 1)] = nd;
            }
        free(s->b);
        s->b = nv;
        s->nbuckets = nb;
    }
    size_t len = strlen(key);
    struct busy_node *nd = xmalloc(sizeof *nd + len + 1);
    nd->h = h;
    memcpy(nd->key, key, len + 1);
    struct busy_node **head = &s->b[h & (s->nbuckets - 1)];
    nd->next = *head;
    *head = nd;
    s->n++;
    return true;
}

static void busy_remove(struct pipeline_busy *s, const char *key)
{
    struct busy_node **pp = busy_find(s, key, fnv(key));
    if (*pp) {
        struct busy_node *nd = *pp;
        *pp = nd->next;
        free(nd);
        s->n--;
    }
}

/* The busy-set key of an nflog key: its parts joined by 0x1f (unit
 * separator).  Label text could hold that byte, making two keys collide;
 * the cost would be one send deferred by one tick. */
static char *busy_key(const struct nflog_key *k)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s\x1f%s\x1f%s\x1f%u", k->group_key, k->receiver, k->integration, k->idx);
    return buf_steal(&b);
}

/* Releases a send's busy entry. */
static void send_release(struct pipeline *p, struct psend *s)
{
    if (s->busy_key) {
        if (p->env.busy)
            busy_remove(p->env.busy, s->busy_key);
        free(s->busy_key);
        s->busy_key = NULL;
    }
}

/* A flush waiting for its sends. */
struct prun {
    struct pipeline *p;
    dispatch_done_fn *done;
    void *done_ctx;
    char *group_key, *receiver;
    int64_t repeat_ns;
    size_t n_alerts;
    struct nflog_sets sets;
    size_t n_sends, pending;
    bool ok;
    struct psend *sends;
};

static int64_t real_clock(void *ud)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t wall(const struct pipeline *p)
{
    return p->env.clock(p->env.clock_ud);
}

struct pipeline *pipeline_new(const struct pipeline_env *env)
{
    struct pipeline *p = xcalloc(1, sizeof *p);
    p->env = *env;
    if (!p->env.clock)
        p->env.clock = real_clock;
    return p;
}

void pipeline_add_receiver(struct pipeline *p, const char *name, struct notifier **v, size_t n)
{
    if (p->n_recv == p->cap_recv) {
        p->cap_recv = p->cap_recv ? 2 * p->cap_recv : 8;
        p->recv = xrealloc(p->recv, p->cap_recv * sizeof *p->recv);
    }
    p->recv[p->n_recv++] = (struct precv){xstrdup(name), n, v};
    p->n_integrations += n;
}

void pipeline_add_config(struct pipeline *p, const struct config *cfg,
                         const struct notify_env *nenv)
{
    for (size_t i = 0; i < cfg->n_receivers; i++) {
        struct notifier **v;
        size_t n = notifiers_build(&cfg->receivers[i], nenv, &v);
        pipeline_add_receiver(p, cfg->receivers[i].name, v, n);
    }
}

void pipeline_free(struct pipeline *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_recv; i++) {
        for (size_t k = 0; k < p->recv[i].n; k++)
            notifier_free(p->recv[i].v[k]);
        free(p->recv[i].v);
        free(p->recv[i].name);
    }
    free(p->recv);
    silence_ids_deinit(&p->sil);
    free(p);
}

size_t pipeline_receivers(const struct pipeline *p)
{
    return p->n_recv;
}

size_t pipeline_integrations(const struct pipeline *p)
{
    return p->n_integrations;
}

static const struct precv *find_receiver(const struct pipeline *p, const char *name)
{
    for (size_t i = 0; i < p->n_recv; i++)
        if (strcmp(p->recv[i].name, name) == 0)
            return &p->recv[i];
    return NULL;
}

/* ---- the muting stages ----------------------------------------------------------- */

/* Keeps the alerts no inhibit rule mutes, recording each verdict in the
 * store's marker (Alertmanager's inhibitor sets the marker as it goes). */
static size_t stage_inhibit(struct pipeline *p, struct alert **v, size_t n, int64_t now)
{
    if (!p->env.inhibitor)
        return n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t by = 0;
        struct alert_view lv;
        bool muted = inhibit_mutes(p->env.inhibitor, alert_labels_view(v[i], &lv), now, &by);
        alert_view_deinit(&lv);
        if (p->env.store)
            alert_store_set_inhibited(p->env.store, v[i]->fingerprint, &by, muted ? 1 : 0);
        if (!muted)
            v[k++] = v[i];
    }
    return k;
}

/* Alertmanager's TimeActiveStage then TimeMuteStage: true when the route
 * may notify at now. */
static bool stage_time(const struct pipeline *p, const struct route *r, int64_t now)
{
    const struct strlist *active = route_active_time_intervals(r);
    const struct strlist *mute = route_mute_time_intervals(r);
    int64_t ms = now / NS_PER_MS;
    if (active && active->n > 0 &&
        !(p->env.intervals && intervals_any_contains(p->env.intervals, active, ms)))
        return false;
    if (mute && mute->n > 0 && p->env.intervals &&
        intervals_any_contains(p->env.intervals, mute, ms))
        return false;
    return true;
}

static size_t stage_silence(struct pipeline *p, struct alert **v, size_t n, int64_t now)
{
    if (!p->env.silences)
        return n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct alert_view lv;
        bool muted =
            silence_store_mutes(p->env.silences, alert_labels_view(v[i], &lv), now, &p->sil);
        alert_view_deinit(&lv);
        if (p->env.store)
            alert_store_set_silenced(p->env.store, v[i]->fingerprint, (const char *const *)p->sil.v,
                                     p->sil.n);
        if (!muted)
            v[k++] = v[i];
    }
    return k;
}

/* ---- sends --------------------------------------------------------------------- */

static void run_free(struct prun *run)
{
    nflog_sets_deinit(&run->sets);
    free(run->sends);
    free(run->group_key);
    free(run->receiver);
    free(run);
}

static void on_send_done(void *arg, struct notify_req *req, const struct notify_result *res)
{
    (void)req;
    struct psend *s = arg;
    struct prun *run = s->run;
    struct pipeline *p = run->p;
    s->op = NULL;
    send_release(p, s);
    if (res->ok) {
        /* SetNotifiesStage: recorded (and journaled) before anything else
         * can happen, so a crash right after the send does not repeat it. */
        struct nflog_key k = {run->group_key, run->receiver, notifier_integration(s->n),
                              notifier_index(s->n)};
        int64_t now = wall(p);
        int64_t expiry = 2 * run->repeat_ns;
        nflog_log(p->env.nflog, &k, run->sets.firing, run->sets.n_firing, run->sets.resolved,
                  run->sets.n_resolved, now, expiry);
        struct errbuf err;
        if (p->env.journal &&
            nflog_journal_append(p->env.journal, &k, run->sets.firing, run->sets.n_firing,
                                 run->sets.resolved, run->sets.n_resolved, now, expiry, &err) < 0)
            log_error("writing the notification log journal failed", "err", err.msg);
    } else {
        run->ok = false;
        char na[32];
        snprintf(na, sizeof na, "%zu", run->n_alerts);
        if (res->cancelled)
            log_warn("Notify for alerts cancelled", "num_alerts", na, "err", res->msg);
        else
            log_error("Notify for alerts failed", "num_alerts", na, "err", res->msg);
    }
    if (--run->pending == 0) {
        dispatch_done_fn *done = run->done;
        void *ctx = run->done_ctx;
        bool ok = run->ok;
        run_free(run);
        done(ctx, ok);
    }
}

void *pipeline_flush(void *pipeline, const struct dispatch_flush *f, dispatch_done_fn *done,
                     void *done_ctx, bool *ok)
{
    struct pipeline *p = pipeline;
    *ok = true;
    struct alert **v = xmalloc((f->n_alerts ? f->n_alerts : 1) * sizeof *v);
    memcpy(v, f->alerts, f->n_alerts * sizeof *v);
    size_t n = stage_inhibit(p, v, f->n_alerts, f->now);
    if (n == 0 || !stage_time(p, f->route, f->now)) {
        free(v);
        return NULL;
    }
    n = stage_silence(p, v, n, f->now);
    const struct precv *rc = find_receiver(p, route_receiver(f->route));
    if (n == 0 || !rc || rc->n == 0) {
        free(v);
        return NULL;
    }

    struct prun *run = xcalloc(1, sizeof *run);
    run->p = p;
    run->done = done;
    run->done_ctx = done_ctx;
    run->ok = true;
    run->repeat_ns = route_repeat_interval_ms(f->route) * NS_PER_MS;
    run->n_alerts = n;
    nflog_sets_from_alerts(&run->sets, v, n, f->now);
    run->sends = xcalloc(rc->n, sizeof *run->sends);
    run->group_key = xstrdup(f->group_key);
    run->receiver = xstrdup(rc->name);

    struct notify_req *req = NULL;
    int64_t now = wall(p);
    for (size_t i = 0; i < rc->n; i++) {
        struct notifier *nt = rc->v[i];
        struct nflog_key k = {f->group_key, rc->name, notifier_integration(nt), notifier_index(nt)};
        const struct nflog_entry *e = nflog_query(p->env.nflog, &k);
        if (nflog_needs_update(e, &run->sets, notifier_send_resolved(nt), run->repeat_ns, now) ==
            NFLOG_NO_UPDATE)
            continue;
        char *bk = NULL;
        if (p->env.busy) {
            bk = busy_key(&k);
            if (!busy_add(p->env.busy, bk)) {
                /* a retired generation is still sending this: decide again
                 * at the next tick, against its recorded outcome */
                log_debug("integration busy in another generation; next tick", "key", bk);
                free(bk);
                run->ok = false;
                continue;
            }
        }
        if (!req) {
            struct notify_req_args a = {
                .receiver = rc->name,
                .group_key = f->group_key,
                .external_url = p->env.external_url,
                .group_labels = f->group_labels,
                .alerts = v,
                .n_alerts = n,
                .now = f->now,
                .timeout_s = f->timeout_s,
            };
            req = notify_req_new(&a);
        }
        struct psend *s = &run->sends[run->n_sends++];
        s->run = run;
        s->n = nt;
        s->busy_key = bk;
        run->pending++;
    }
    /* Started only now: every send's slot exists before any can finish. */
    for (size_t i = 0; i < run->n_sends; i++)
        run->sends[i].op = notify_send(run->sends[i].n, req, on_send_done, &run->sends[i]);
    notify_req_unref(req);
    free(v);
    if (run->pending == 0) {
        *ok = run->ok;
        run_free(run);
        return NULL;
    }
    return run;
}

void pipeline_cancel(void *pipeline, void *handle)
{
    struct prun *run = handle;
    for (size_t i = 0; i < run->n_sends; i++) {
        if (run->sends[i].op) {
            notify_cancel(run->sends[i].op);
            run->sends[i].op = NULL;
        }
        send_release(pipeline, &run->sends[i]);
    }
    run_free(run);
}

/* api_query.c -- GET /api/v2/alerts and GET /api/v2/alerts/groups.
 *
 * As in Alertmanager 0.25, each GET recomputes the status of every alert it
 * returns (inhibitor, then silencer, both rewriting the alert's marker),
 * never returns an alert whose endsAt has passed, and answers:
 *   /alerts         sorted by fingerprint; filters: filter (matchers),
 *                   receiver (anchored regex on the routed receivers),
 *                   active, silenced, inhibited, unprocessed;
 *   /alerts/groups  the aggregation groups from the dispatch hook, sorted
 *                   by group labels then receiver, alerts inside sorted by
 *                   job, instance, then labels; groups left empty by the
 *                   filters are dropped. */
#include "api_internal.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct query {
    struct matchers filter;
    struct matcher receiver; /* type MATCH_RE when given */
    bool has_receiver;
    bool active, silenced, inhibited, unprocessed;
};

/* Parses the query; -1 after answering 400. */
static int query_parse(struct http_req *req, struct query *q)
{
    memset(q, 0, sizeof *q);
    if (api_query_filter(req, &q->filter) < 0)
        return -1;
    const char *rx = http_req_query(req, "receiver");
    if (rx) {
        struct errbuf err;
        if (matcher_init(&q->receiver, MATCH_RE, "receiver", rx, &err) < 0) {
            struct buf m = BUF_INIT;
            buf_printf(&m, "failed to parse receiver param: %s", err.msg);
            api_reply_string(req, 400, buf_str(&m));
            buf_deinit(&m);
            matchers_deinit(&q->filter);
            return -1;
        }
        q->has_receiver = true;
    }
    q->active = api_query_bool(req, "active", true);
    q->silenced = api_query_bool(req, "silenced", true);
    q->inhibited = api_query_bool(req, "inhibited", true);
    q->unprocessed = api_query_bool(req, "unprocessed", true);
    return 0;
}

static void query_deinit(struct query *q)
{
    matchers_deinit(&q->filter);
    if (q->has_receiver)
        matcher_deinit(&q->receiver);
}

static bool past(const struct alert *al, int64_t now)
{
    return al->ends_at != 0 && al->ends_at < now;
}

/* The status filters of a query, after the status was recomputed. */
static bool filter_matches(const struct matchers *filter, const struct alert *al)
{
    struct alert_view v;
    bool ok = matchers_match(filter, alert_labels_view(al, &v));
    alert_view_deinit(&v);
    return ok;
}

static bool status_passes(const struct query *q, const struct alert_status *st, bool groups)
{
    if (!q->active && st->state == ALERT_ACTIVE)
        return false;
    if (!groups && !q->unprocessed && st->state == ALERT_UNPROCESSED)
        return false;
    if (!q->silenced && st->n_silenced_by)
        return false;
    if (!q->inhibited && st->n_inhibited_by)
        return false;
    return true;
}

void api_get_alerts(struct http_req *req, void *ud)
{
    struct api *a = ud;
    struct query q;
    if (query_parse(req, &q) < 0)
        return;
    int64_t now = gotime_now();
    struct alert **v;
    size_t n = alert_store_list(a->alerts, &v);
    struct buf b = BUF_INIT;
    struct api_names rcv = {0};
    buf_putc(&b, '[');
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        struct alert *al = v[i];
        rcv.n = 0;
        if (a->hooks.receivers)
            a->hooks.receivers(a->hooks.ud, al, &rcv);
        if (q.has_receiver) {
            bool any = false;
            for (size_t k = 0; k < rcv.n && !any; k++)
                any = matcher_matches(&q.receiver, rcv.v[k]);
            if (!any)
                continue;
        }
        if (!filter_matches(&q.filter, al) || past(al, now))
            continue;
        struct alert_status st;
        api_alert_status(a, al, now, &st);
        if (!status_passes(&q, &st, false))
            continue;
        if (!first)
            buf_putc(&b, ',');
        first = false;
        api_put_alert(&b, al, &st, &rcv);
    }
    buf_putc(&b, ']');
    api_reply_buf(req, 200, &b);
    api_names_deinit(&rcv);
    alert_list_free(v, n);
    query_deinit(&q);
}

/* ---- groups -------------------------------------------------------------- */

struct group {
    struct labels labels; /* copied array, borrowed (interned) strings */
    const char *receiver;
    struct alert **alerts; /* new references */
    size_t n;
};

struct membership {
    uint64_t fp;
    size_t seq; /* order of discovery: keeps group order per fingerprint */
    const char *receiver;
};

struct groups_ctx {
    struct api *api;
    struct query *q;
    int64_t now;
    struct group *g;
    size_t ng, cap_g;
    struct membership *m;
    size_t nm, cap_m;
};

static void on_group(void *ctx, const struct api_group *in)
{
    struct groups_ctx *c = ctx;
    if (c->q->has_receiver && !matcher_matches(&c->q->receiver, in->receiver))
        return;
    struct group g = {{in->labels->n, NULL}, in->receiver, NULL, 0};
    for (size_t i = 0; i < in->n_alerts; i++) {
        struct alert *al = in->alerts[i];
        if (past(al, c->now))
            continue;
        struct alert_status st;
        api_alert_status(c->api, al, c->now, &st);
        if (!status_passes(c->q, &st, true) || !filter_matches(&c->q->filter, al))
            continue;
        if (!g.alerts)
            g.alerts = xmalloc(in->n_alerts * sizeof *g.alerts);
        g.alerts[g.n++] = alert_ref(al);
        c->m = xgrow(c->m, &c->cap_m, c->nm + 1, sizeof *c->m);
        c->m[c->nm] = (struct membership){al->fingerprint, c->nm, in->receiver};
        c->nm++;
    }
    if (g.n == 0)
        return;
    g.labels.v = xmalloc((g.labels.n ? g.labels.n : 1) * sizeof(struct label));
    memcpy(g.labels.v, in->labels->v, g.labels.n * sizeof(struct label));
    c->g = xgrow(c->g, &c->cap_g, c->ng + 1, sizeof *c->g);
    c->g[c->ng++] = g;
}

/* model.LabelSet.Before on sorted sets: shorter first, then the first
 * differing name (a name only the other set has sorts this one first),
 * then the first differing value. */
static int labels_cmp(const struct labels *x, const struct labels *y)
{
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    for (size_t i = 0; i < x->n; i++) {
        int c = strcmp(x->v[i].name, y->v[i].name);
        if (c)
            return c < 0 ? 1 : -1;
        c = strcmp(x->v[i].value, y->v[i].value);
        if (c)
            return c;
    }
    return 0;
}

static int cmp_group(const void *p, const void *q)
{
    const struct group *x = p, *y = q;
    int c = labels_cmp(&x->labels, &y->labels);
    return c ? c : strcmp(x->receiver, y->receiver);
}

/* types.AlertSlice.Less: by job, then instance (an alert that has the
 * label sorts before one that lacks it), then LabelSet.Before. */
static int cmp_alert(const void *p, const void *q)
{
    const struct alert *x = *(struct alert *const *)p, *y = *(struct alert *const *)q;
    static const char *const keys[] = {"job", "instance"};
    for (int k = 0; k < 2; k++) {
        const char *xv = alert_label_get(x, keys[k]);
        const char *yv = alert_label_get(y, keys[k]);
        if (!xv && !yv)
            continue;
        if (!xv)
            return 1;
        if (!yv)
            return -1;
        int c = strcmp(xv, yv);
        if (c)
            return c;
    }
    struct alert_view vx, vy;
    int c = labels_cmp(alert_labels_view(x, &vx), alert_labels_view(y, &vy));
    alert_view_deinit(&vx);
    alert_view_deinit(&vy);
    return c;
}

static int cmp_fp(const void *p, const void *q)
{
    const struct membership *x = p, *y = q;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static int cmp_membership(const void *p, const void *q)
{
    const struct membership *x = p, *y = q;
    int c = cmp_fp(p, q);
    return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

void api_get_groups(struct http_req *req, void *ud)
{
    struct api *a = ud;
    struct query q;
    if (query_parse(req, &q) < 0)
        return;
    struct groups_ctx c = {.api = a, .q = &q, .now = gotime_now()};
    if (a->hooks.groups)
        a->hooks.groups(a->hooks.ud, on_group, &c);
    qsort(c.g, c.ng, sizeof *c.g, cmp_group);
    qsort(c.m, c.nm, sizeof *c.m, cmp_membership);
    struct buf b = BUF_INIT;
    struct api_names rcv = {0};
    buf_putc(&b, '[');
    for (size_t i = 0; i < c.ng; i++) {
        struct group *g = &c.g[i];
        qsort(g->alerts, g->n, sizeof *g->alerts, cmp_alert);
        buf_puts(&b, i ? ",{\"alerts\":[" : "{\"alerts\":[");
        for (size_t k = 0; k < g->n; k++) {
            struct alert *al = g->alerts[k];
            rcv.n = 0;
            struct membership key = {al->fingerprint, 0, NULL};
            struct membership *hit = bsearch(&key, c.m, c.nm, sizeof *c.m, cmp_fp);
            while (hit && hit > c.m && hit[-1].fp == al->fingerprint)
                hit--;
            for (; hit && hit < c.m + c.nm && hit->fp == al->fingerprint; hit++)
                api_names_push(&rcv, hit->receiver);
            struct alert_status st = {.state = ALERT_UNPROCESSED};
            alert_store_status(a->alerts, al->fingerprint, &st);
            if (k)
                buf_putc(&b, ',');
            api_put_alert(&b, al, &st, &rcv);
            alert_unref(al);
        }
        buf_puts(&b, "],\"labels\":");
        api_put_labels(&b, &g->labels);
        buf_puts(&b, ",\"receiver\":{\"name\":");
        gojson_str(&b, g->receiver);
        buf_puts(&b, "}}");
        free(g->alerts);
        free(g->labels.v);
    }
    buf_putc(&b, ']');
    api_reply_buf(req, 200, &b);
    api_names_deinit(&rcv);
    free(c.g);
    free(c.m);
    query_deinit(&q);
}

/* notify_tmpl.c -- see notify_tmpl.h. */
#include "notify_tmpl.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* Keeps the pairs of `common` that `other` has with the same value. */
static void intersect(struct labels *common, const struct labels *other)
{
    size_t k = 0;
    for (size_t i = 0; i < common->n; i++) {
        const char *v = labels_get(other, common->v[i].name);
        if (v && strcmp(v, common->v[i].value) == 0)
            common->v[k++] = common->v[i];
    }
    common->n = k;
}

static void copy_set(struct labels *dst, const struct labels *src)
{
    dst->n = src->n;
    dst->v = xcalloc(src->n ? src->n : 1, sizeof *dst->v);
    if (src->n)
        memcpy(dst->v, src->v, src->n * sizeof *dst->v);
}

void notify_common_sets(struct alert *const *alerts, size_t n, struct labels *cl,
                        struct labels *ca)
{
    if (n == 0) {
        cl->n = ca->n = 0;
        cl->v = xcalloc(1, sizeof *cl->v);
        ca->v = xcalloc(1, sizeof *ca->v);
        return;
    }
    copy_set(cl, &alerts[0]->labels);
    copy_set(ca, &alerts[0]->annotations);
    for (size_t i = 1; i < n && (cl->n || ca->n); i++) {
        intersect(cl, &alerts[i]->labels);
        intersect(ca, &alerts[i]->annotations);
    }
}

static int64_t ns_to_ms(int64_t ns)
{
    return ns / NS_PER_MS;
}

void notify_tmpl_data_init(struct notify_tmpl_data *t, const struct notify_req *req,
                           struct alert *const *alerts, size_t n)
{
    memset(t, 0, sizeof *t);
    t->alerts = xcalloc(n ? n : 1, sizeof *t->alerts);
    t->fps = xcalloc(n ? n : 1, sizeof *t->fps);
    buf_init(&t->receiver, 0);
    notify_quote_meta(&t->receiver, req->receiver);
    notify_common_sets(alerts, n, &t->cl, &t->ca);

    bool any_firing = false;
    for (size_t i = 0; i < n; i++) {
        const struct alert *a = alerts[i];
        bool resolved = alert_resolved(a, req->now);
        any_firing |= !resolved;
        struct tmpl_alert *ta = &t->alerts[i];
        fingerprint_format(a->fingerprint, t->fps[i]);
        ta->status = resolved ? "resolved" : "firing";
        ta->labels = a->labels;
        ta->annotations = a->annotations;
        ta->starts_at_ms = a->starts_at ? ns_to_ms(a->starts_at) : TMPL_TIME_ZERO;
        /* Alertmanager hands templates a firing alert with a zero EndsAt */
        ta->ends_at_ms = (resolved && a->ends_at) ? ns_to_ms(a->ends_at) : TMPL_TIME_ZERO;
        ta->generator_url = a->generator_url ? a->generator_url : "";
        ta->fingerprint = t->fps[i];
    }
    t->d.receiver = buf_str(&t->receiver);
    t->d.status = any_firing ? "firing" : "resolved";
    t->d.external_url = req->external_url ? req->external_url : "";
    t->d.alerts = t->alerts;
    t->d.nalerts = n;
    t->d.group_labels = req->group_labels;
    t->d.common_labels = t->cl;
    t->d.common_annotations = t->ca;
    t->d.now_ms = ns_to_ms(req->now);
}

void notify_tmpl_data_deinit(struct notify_tmpl_data *t)
{
    free(t->alerts);
    free(t->fps);
    free(t->cl.v);
    free(t->ca.v);
    buf_deinit(&t->receiver);
    memset(t, 0, sizeof *t);
}

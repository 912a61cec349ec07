/* notify_tmpl.c -- see notify_tmpl.h. */
#include "notify_tmpl.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "mem.h"

/* Keeps the pairs of `common` that `other` has with the same value; get
 * is alert_label_get or alert_annot_get.  Interned strings are equal
 * exactly when their addresses are. */
static void intersect(struct labels *common, const struct alert *other,
                      const char *(*get)(const struct alert *, const char *))
{
    size_t k = 0;
    for (size_t i = 0; i < common->n; i++) {
        const char *v = get(other, common->v[i].name);
        if (v && (v == common->v[i].value || strcmp(v, common->v[i].value) == 0))
            common->v[k++] = common->v[i];
    }
    common->n = k;
}

/* The pairs of a's labels (annots false) or annotations into dst (a new
 * array, borrowed strings). */
static void copy_set(struct labels *dst, const struct alert *a, bool annots)
{
    struct alert_view v;
    const struct labels *src = annots ? alert_annots_view(a, &v) : alert_labels_view(a, &v);
    dst->n = src->n;
    dst->v = xcalloc(src->n ? src->n : 1, sizeof *dst->v);
    if (src->n)
        memcpy(dst->v, src->v, src->n * sizeof *dst->v);
    alert_view_deinit(&v);
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
    copy_set(cl, alerts[0], false);
    copy_set(ca, alerts[0], true);
    for (size_t i = 1; i < n && (cl->n || ca->n); i++) {
        intersect(cl, alerts[i], alert_label_get);
        intersect(ca, alerts[i], alert_annot_get);
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
    size_t npairs = 0;
    for (size_t i = 0; i < n; i++)
        npairs += alert_nlabels(alerts[i]) + alert_nannots(alerts[i]);
    t->pairs = xcalloc(npairs ? npairs : 1, sizeof *t->pairs);
    struct label *pv = t->pairs;
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
        /* templates read label sets; the alert holds ids */
        ta->labels = (struct labels){alert_nlabels(a), pv};
        for (size_t k = 0; k < ta->labels.n; k++, pv++)
            *pv = (struct label){alert_label_name(a, k), alert_label_value(a, k)};
        ta->annotations = (struct labels){alert_nannots(a), pv};
        for (size_t k = 0; k < ta->annotations.n; k++, pv++)
            *pv = (struct label){alert_annot_name(a, k), alert_annot_value(a, k)};
        ta->starts_at_ms = a->starts_at ? ns_to_ms(a->starts_at) : TMPL_TIME_ZERO;
        /* Alertmanager hands templates a firing alert with a zero EndsAt */
        ta->ends_at_ms = (resolved && a->ends_at) ? ns_to_ms(a->ends_at) : TMPL_TIME_ZERO;
        ta->generator_url = alert_generator_url(a);
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
    free(t->pairs);
    free(t->cl.v);
    free(t->ca.v);
    buf_deinit(&t->receiver);
    memset(t, 0, sizeof *t);
}

/* ---- the config's template set ---------------------------------------------- */

struct tmpl_set *notify_templates_load(const struct config *cfg, struct errbuf *err)
{
    struct tmpl_set *s = tmpl_set_new();
    if (tmpl_set_load_default(s, err) < 0) {
        tmpl_set_free(s);
        return NULL;
    }
    for (size_t i = 0; cfg && i < cfg->templates.n; i++) {
        glob_t g;
        int rc = glob(cfg->templates.v[i], 0, NULL, &g);
        if (rc == GLOB_NOMATCH)
            continue;
        if (rc != 0) {
            errbuf_set(err, "%s: cannot expand the template glob", cfg->templates.v[i]);
            tmpl_set_free(s);
            return NULL;
        }
        for (size_t k = 0; k < g.gl_pathc; k++) {
            if (tmpl_set_parse_file(s, g.gl_pathv[k], err) < 0) {
                globfree(&g);
                tmpl_set_free(s);
                return NULL;
            }
        }
        globfree(&g);
    }
    return s;
}

const struct tmpl_set *notify_templates_default(void)
{
    static struct tmpl_set *def;
    if (!def) {
        struct errbuf err;
        def = notify_templates_load(NULL, &err);
        /* default.tmpl is compiled in and covered by the tests. */
        ROUTER_ASSERT(def != NULL);
    }
    return def;
}

int notify_tmpl_field(const struct tmpl_set *s, const char *receiver, const char *field,
                      const char *text, const struct tmpl_data *d, struct buf *out)
{
    struct errbuf err;
    size_t mark = out->len;
    if (!text || tmpl_exec_string(s, text, d, false, out, &err) == 0)
        return 0;
    out->len = mark;
    if (out->p)
        out->p[mark] = '\0';
    buf_printf(out, "template error in %s: %s", field, err.msg);
    log_warn("Notify template failed", "receiver", receiver, "field", field, "err", err.msg);
    return -1;
}

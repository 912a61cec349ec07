/* alert.c -- see alert.h.
 *
 * One allocation per alert: the struct and its value ids (the `vals`
 * tail); the names are in the shared shape.  With interned strings, a
 * typical alert (8 labels, 2 annotations) costs one 88-byte block plus
 * whatever strings only it uses; that is what keeps 100k alerts within the
 * memory budget.  The block comes from the slab (slab.h): malloc would
 * round it up to a 96-byte chunk. */
#include "alert.h"

#include <stdlib.h>
#include <string.h>

#include "goquote.h"
#include "intern.h"
#include "mem.h"
#include "slab.h"

struct pair_idx {
    const struct label *l;
    size_t idx;
};

static int cmp_pair_idx(const void *a, const void *b)
{
    const struct pair_idx *x = a, *y = b;
    int c = strcmp(x->l->name, y->l->name);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts in[] by name into tmp[] and returns how many distinct names
 * survive (the last pair of each name, empty values dropped if
 * drop_empty); the survivors are compacted to the front of tmp. */
static size_t dedupe(const struct label *in, size_t n, struct pair_idx *tmp, bool drop_empty)
{
    for (size_t i = 0; i < n; i++) {
        tmp[i].l = &in[i];
        tmp[i].idx = i;
    }
    if (n > 16) {
        qsort(tmp, n, sizeof *tmp, cmp_pair_idx);
    } else {
        /* insertion sort: stable, and faster than qsort for the usual
         * handful of labels */
        for (size_t i = 1; i < n; i++) {
            struct pair_idx x = tmp[i];
            size_t j = i;
            while (j > 0 && strcmp(tmp[j - 1].l->name, x.l->name) > 0) {
                tmp[j] = tmp[j - 1];
                j--;
            }
            tmp[j] = x;
        }
    }
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && strcmp(tmp[i].l->name, tmp[i + 1].l->name) == 0)
            continue; /* a later pair of the same name wins */
        if (drop_empty && tmp[i].l->value[0] == '\0')
            continue;
        tmp[out++] = tmp[i];
    }
    return out;
}

_Static_assert(sizeof(struct alert) == 48, "struct alert header grew");

#define REFS_MAX ((UINT32_C(1) << 31) - 1)

static size_t alert_size(size_t n)
{
    return sizeof(struct alert) + n * sizeof(uint32_t);
}

static size_t alert_npairs(const struct alert *a)
{
    return (size_t)a->shape->nlabels + a->shape->nannots;
}

/* A zeroed alert for n values (refs = 1, no shape yet). */
static struct alert *alloc_alert(size_t n)
{
    size_t sz = alert_size(n);
    struct alert *a = slab_alloc(slab_global(), sz);
    memset(a, 0, sz);
    a->refs = 1;
    return a;
}

struct alert *alert_new(const struct label *labels, size_t nlabels, const struct label *annots,
                        size_t nannots, const char *generator_url)
{
    /* Scratch space on the stack for the usual small sets. */
    struct pair_idx tmp_small[32];
    struct label lv_small[32];
    uint32_t names_small[64];
    size_t nmax = nlabels > nannots ? nlabels : nannots;
    struct pair_idx *tmp = nmax <= 32 ? tmp_small : xmalloc(nmax * sizeof *tmp);
    size_t nl = dedupe(labels, nlabels, tmp, true);
    /* The label survivors are needed again after annotations reuse tmp. */
    struct label *lv = nl <= 32 ? lv_small : xmalloc(nl * sizeof *lv);
    for (size_t i = 0; i < nl; i++)
        lv[i] = *tmp[i].l;
    size_t na = dedupe(annots, nannots, tmp, false);
    uint32_t *names = nl + na <= 64 ? names_small : xmalloc((nl + na) * sizeof *names);

    struct alert *a = alloc_alert(nl + na);
    for (size_t i = 0; i < nl; i++) {
        names[i] = intern_id(lv[i].name);
        a->vals[i] = intern_id(lv[i].value);
    }
    for (size_t i = 0; i < na; i++) {
        names[nl + i] = intern_id(tmp[i].l->name);
        a->vals[nl + i] = intern_id(tmp[i].l->value);
    }
    a->shape = alert_shape_get(names, nl, na);
    struct labels ls = {nl, lv};
    a->fingerprint = labels_fingerprint(&ls);
    if (names != names_small)
        free(names);
    if (lv != lv_small)
        free(lv);
    if (tmp != tmp_small)
        free(tmp);
    a->gen_url = intern_id(generator_url ? generator_url : "");
    return a;
}

struct alert *alert_dup(const struct alert *src)
{
    size_t n = alert_npairs(src);
    struct alert *a = alloc_alert(n);
    a->shape = alert_shape_ref(src->shape);
    for (size_t i = 0; i < n; i++)
        a->vals[i] = intern_id_ref(src->vals[i]);
    a->gen_url = intern_id_ref(src->gen_url);
    a->timeout = src->timeout;
    a->fingerprint = src->fingerprint;
    a->starts_at = src->starts_at;
    a->ends_at = src->ends_at;
    a->updated_at = src->updated_at;
    return a;
}

struct alert *alert_ref(struct alert *a)
{
    ROUTER_ASSERT(a->refs > 0 && a->refs < REFS_MAX);
    a->refs++;
    return a;
}

void alert_unref(struct alert *a)
{
    if (!a)
        return;
    ROUTER_ASSERT(a->refs > 0);
    if (--a->refs > 0)
        return;
    size_t n = alert_npairs(a);
    for (size_t i = 0; i < n; i++)
        intern_id_unref(a->vals[i]);
    intern_id_unref(a->gen_url);
    alert_shape_unref(a->shape);
    slab_release(slab_global(), a, alert_size(n));
}

/* ---- reading ------------------------------------------------------------ */

/* Linear, like labels_get: sets are small, and a miss would cost a binary
 * search as many string compares. */
static const char *find(const struct alert *a, size_t from, size_t n, const char *name)
{
    const uint32_t *names = a->shape->names + from;
    for (size_t i = 0; i < n; i++)
        if (strcmp(intern_str(names[i]), name) == 0)
            return intern_str(a->vals[from + i]);
    return NULL;
}

const char *alert_label_get(const struct alert *a, const char *name)
{
    return find(a, 0, a->shape->nlabels, name);
}

const char *alert_annot_get(const struct alert *a, const char *name)
{
    return find(a, a->shape->nlabels, a->shape->nannots, name);
}

static const struct labels *view(const struct alert *a, size_t from, size_t n,
                                 struct alert_view *v)
{
    v->heap = n > ALERT_VIEW_INLINE ? xmalloc(n * sizeof *v->heap) : NULL;
    struct label *out = v->heap ? v->heap : v->inl;
    const uint32_t *names = a->shape->names + from, *vals = a->vals + from;
    for (size_t i = 0; i < n; i++) {
        out[i].name = intern_str(names[i]);
        out[i].value = intern_str(vals[i]);
    }
    v->ls.n = n;
    v->ls.v = out;
    return &v->ls;
}

const struct labels *alert_labels_view(const struct alert *a, struct alert_view *v)
{
    return view(a, 0, a->shape->nlabels, v);
}

const struct labels *alert_annots_view(const struct alert *a, struct alert_view *v)
{
    return view(a, a->shape->nlabels, a->shape->nannots, v);
}

void alert_view_deinit(struct alert_view *v)
{
    free(v->heap);
    v->heap = NULL;
}

void alert_normalize(struct alert *a, int64_t now, int64_t resolve_timeout)
{
    a->updated_at = now;
    if (a->starts_at == 0)
        a->starts_at = a->ends_at ? a->ends_at : now;
    if (a->ends_at == 0) {
        a->timeout = true;
        a->ends_at = now + resolve_timeout;
    }
}

/* prometheus/common's LabelSet.Validate wording. */
static int validate_set(const struct labels *ls, const char *what, struct errbuf *err)
{
    for (size_t i = 0; i < ls->n; i++) {
        const struct label *l = &ls->v[i];
        bool bad_name = !label_name_valid(l->name);
        if (bad_name || !utf8_valid(l->value, strlen(l->value))) {
            struct buf b = BUF_INIT;
            const char *q = bad_name ? l->name : l->value;
            buf_printf(&b, "%s: invalid %s ", what, bad_name ? "name" : "value");
            go_quote(&b, q, strlen(q));
            errbuf_set(err, "%s", buf_str(&b));
            buf_deinit(&b);
            return -1;
        }
    }
    return 0;
}

int alert_validate(const struct alert *a, struct errbuf *err)
{
    if (a->starts_at == 0) {
        errbuf_set(err, "start time missing");
        return -1;
    }
    if (a->ends_at != 0 && a->ends_at < a->starts_at) {
        errbuf_set(err, "start time must be before end time");
        return -1;
    }
    struct alert_view v;
    int rc = validate_set(alert_labels_view(a, &v), "invalid label set", err);
    alert_view_deinit(&v);
    if (rc < 0)
        return -1;
    if (alert_nlabels(a) == 0) {
        errbuf_set(err, "at least one label pair required");
        return -1;
    }
    rc = validate_set(alert_annots_view(a, &v), "invalid annotations", err);
    alert_view_deinit(&v);
    return rc;
}

bool alert_resolved(const struct alert *a, int64_t now)
{
    return a->ends_at != 0 && a->ends_at <= now;
}

/* Alertmanager's Alert.Merge: `y` is the younger copy and the base; `o`
 * the older one. */
struct alert *alert_merge(struct alert *old, struct alert *new_, int64_t now)
{
    struct alert *y = new_, *o = old;
    if (new_->updated_at < old->updated_at) {
        y = old;
        o = new_;
    }
    int64_t starts = y->starts_at, ends = y->ends_at;
    if (o->starts_at < y->starts_at)
        starts = o->starts_at; /* the earliest start wins */
    if (alert_resolved(y, now)) {
        /* the latest explicit resolve time wins when both are resolved */
        if (alert_resolved(o, now) && o->ends_at > y->ends_at)
            ends = o->ends_at;
    } else {
        /* an explicit end beats a computed lease, if it is later */
        if (o->ends_at > y->ends_at && !o->timeout)
            ends = o->ends_at;
    }
    if (starts == y->starts_at && ends == y->ends_at)
        return alert_ref(y);
    struct alert *m = alert_dup(y);
    m->starts_at = starts;
    m->ends_at = ends;
    return m;
}

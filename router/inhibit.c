/* inhibit.c -- inhibition rules with per-rule source caches (see
 * inhibit.h).
 *
 * Each rule owns two chained hash tables over the same entries: by
 * fingerprint (put/remove) and by the hash of the equal-label values
 * (mutes).  Both grow by doubling when entries outnumber buckets, so
 * chains stay short however many alerts fire. */
#include "inhibit.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define MIN_BUCKETS 16

struct src {
    uint64_t fp, eqhash;
    int64_t ends_at;
    bool also_target; /* matches the rule's target matchers as well */
    struct src *next_fp, *next_eq;
    const char *vals[]; /* one per equal name; strings stored after */
};

struct rule {
    const struct inhibit_rule_cfg *cfg;
    size_t n_equal;
    const char **equal; /* sorted, distinct; borrowed from cfg */
    size_t n, nb;       /* entries, buckets (a power of two) */
    struct src **by_fp, **by_eq;
};

struct inhibitor {
    size_t n_rules;
    struct rule *rules;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct inhibitor *inhibit_new(const struct config *cfg)
{
    struct inhibitor *inh = xcalloc(1, sizeof *inh);
    inh->n_rules = cfg->n_inhibit_rules;
    inh->rules = xcalloc(inh->n_rules + 1, sizeof *inh->rules);
    for (size_t i = 0; i < inh->n_rules; i++) {
        struct rule *r = &inh->rules[i];
        const struct strlist *eq = &cfg->inhibit_rules[i].equal;
        r->cfg = &cfg->inhibit_rules[i];
        r->equal = xcalloc(eq->n + 1, sizeof *r->equal);
        for (size_t j = 0; j < eq->n; j++)
            r->equal[j] = eq->v[j];
        qsort(r->equal, eq->n, sizeof *r->equal, cmp_str);
        for (size_t j = 0; j < eq->n; j++) /* `equal` is a set in Alertmanager */
            if (r->n_equal == 0 || strcmp(r->equal[r->n_equal - 1], r->equal[j]) != 0)
                r->equal[r->n_equal++] = r->equal[j];
        r->nb = MIN_BUCKETS;
        r->by_fp = xcalloc(r->nb, sizeof *r->by_fp);
        r->by_eq = xcalloc(r->nb, sizeof *r->by_eq);
    }
    return inh;
}

void inhibit_free(struct inhibitor *inh)
{
    if (!inh)
        return;
    for (size_t i = 0; i < inh->n_rules; i++) {
        struct rule *r = &inh->rules[i];
        for (size_t b = 0; b < r->nb; b++)
            for (struct src *s = r->by_fp[b], *next; s; s = next) {
                next = s->next_fp;
                free(s);
            }
        free(r->by_fp);
        free(r->by_eq);
        free(r->equal);
    }
    free(inh->rules);
    free(inh);
}

static const char *equal_value(const struct rule *r, const struct labels *ls, size_t i)
{
    const char *v = labels_get(ls, r->equal[i]);
    return v ? v : "";
}

/* FNV-1a over the equal values, each followed by 0xff (which UTF-8 never
 * contains), so ("a","") and ("","a") differ. */
static uint64_t eq_hash(const struct rule *r, const struct labels *ls)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < r->n_equal; i++) {
        const char *v = equal_value(r, ls, i);
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
            h = (h ^ *p) * 0x100000001b3ULL;
        h = (h ^ 0xff) * 0x100000001b3ULL;
    }
    return h;
}

static size_t fp_slot(const struct rule *r, uint64_t fp)
{
    /* Fingerprints are FNV hashes already; fold the high bits in. */
    return (size_t)((fp ^ (fp >> 32)) & (r->nb - 1));
}

static size_t eq_slot(const struct rule *r, uint64_t h)
{
    return (size_t)((h ^ (h >> 32)) & (r->nb - 1));
}

static void grow(struct rule *r)
{
    size_t old_nb = r->nb;
    struct src **old = r->by_fp;
    r->nb *= 2;
    r->by_fp = xcalloc(r->nb, sizeof *r->by_fp);
    free(r->by_eq);
    r->by_eq = xcalloc(r->nb, sizeof *r->by_eq);
    for (size_t b = 0; b < old_nb; b++)
        for (struct src *s = old[b], *next; s; s = next) {
            next = s->next_fp;
            size_t f = fp_slot(r, s->fp), e = eq_slot(r, s->eqhash);
            s->next_fp = r->by_fp[f];
            r->by_fp[f] = s;
            s->next_eq = r->by_eq[e];
            r->by_eq[e] = s;
        }
    free(old);
}

static struct src *src_new(const struct rule *r, const struct labels *ls, uint64_t fp)
{
    size_t len = 0;
    for (size_t i = 0; i < r->n_equal; i++)
        len += strlen(equal_value(r, ls, i)) + 1;
    struct src *s = xcalloc(1, sizeof *s + r->n_equal * sizeof s->vals[0] + len);
    char *p = (char *)&s->vals[r->n_equal];
    for (size_t i = 0; i < r->n_equal; i++) {
        const char *v = equal_value(r, ls, i);
        size_t n = strlen(v) + 1;
        memcpy(p, v, n);
        s->vals[i] = p;
        p += n;
    }
    s->fp = fp;
    s->eqhash = eq_hash(r, ls);
    s->also_target = matchers_match(&r->cfg->target, ls);
    return s;
}

void inhibit_put(struct inhibitor *inh, const struct labels *ls, uint64_t fp, int64_t ends_at_ns)
{
    for (size_t i = 0; i < inh->n_rules; i++) {
        struct rule *r = &inh->rules[i];
        if (!matchers_match(&r->cfg->source, ls))
            continue;
        struct src *s = r->by_fp[fp_slot(r, fp)];
        while (s && s->fp != fp)
            s = s->next_fp;
        if (!s) {
            if (r->n >= r->nb)
                grow(r);
            s = src_new(r, ls, fp);
            size_t f = fp_slot(r, fp), e = eq_slot(r, s->eqhash);
            s->next_fp = r->by_fp[f];
            r->by_fp[f] = s;
            s->next_eq = r->by_eq[e];
            r->by_eq[e] = s;
            r->n++;
        }
        s->ends_at = ends_at_ns;
    }
}

/* Unlinks s from both chains and frees it. */
static void unlink_src(struct rule *r, struct src *s)
{
    struct src **pp = &r->by_fp[fp_slot(r, s->fp)];
    while (*pp != s)
        pp = &(*pp)->next_fp;
    *pp = s->next_fp;
    pp = &r->by_eq[eq_slot(r, s->eqhash)];
    while (*pp != s)
        pp = &(*pp)->next_eq;
    *pp = s->next_eq;
    r->n--;
    free(s);
}

void inhibit_remove(struct inhibitor *inh, uint64_t fp)
{
    for (size_t i = 0; i < inh->n_rules; i++) {
        struct rule *r = &inh->rules[i];
        struct src *s = r->by_fp[fp_slot(r, fp)];
        while (s && s->fp != fp)
            s = s->next_fp;
        if (s)
            unlink_src(r, s);
    }
}

static bool resolved(const struct src *s, int64_t now)
{
    return s->ends_at != 0 && s->ends_at <= now;
}

size_t inhibit_gc(struct inhibitor *inh, int64_t now_ns)
{
    size_t dropped = 0;
    for (size_t i = 0; i < inh->n_rules; i++) {
        struct rule *r = &inh->rules[i];
        for (size_t b = 0; b < r->nb; b++)
            for (struct src *s = r->by_fp[b], *next; s; s = next) {
                next = s->next_fp;
                if (resolved(s, now_ns)) {
                    unlink_src(r, s);
                    dropped++;
                }
            }
    }
    return dropped;
}

size_t inhibit_cached(const struct inhibitor *inh)
{
    size_t n = 0;
    for (size_t i = 0; i < inh->n_rules; i++)
        n += inh->rules[i].n;
    return n;
}

bool inhibit_mutes(const struct inhibitor *inh, const struct labels *ls, int64_t now_ns,
                   uint64_t *by)
{
    for (size_t i = 0; i < inh->n_rules; i++) {
        const struct rule *r = &inh->rules[i];
        if (r->n == 0 || !matchers_match(&r->cfg->target, ls))
            continue;
        bool two_sided = matchers_match(&r->cfg->source, ls);
        uint64_t h = eq_hash(r, ls);
        for (const struct src *s = r->by_eq[eq_slot(r, h)]; s; s = s->next_eq) {
            if (s->eqhash != h || resolved(s, now_ns) || (two_sided && s->also_target))
                continue;
            size_t j = 0;
            while (j < r->n_equal && strcmp(s->vals[j], equal_value(r, ls, j)) == 0)
                j++;
            if (j < r->n_equal)
                continue;
            if (by)
                *by = s->fp;
            return true;
        }
    }
    return false;
}

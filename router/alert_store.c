/* alert_store.c -- see alert_store.h.
 *
 * Table: linear probing over slots {alert, marker lists, state}, grown at
 * 3/4 load, shrunk below 1/8, backward-shift deletion (no tombstones, so
 * GC of many resolved alerts leaves probe runs as short as before).  The
 * slot keeps the marker rather than the alert because the alert is
 * replaced on every merge while the marker belongs to the fingerprint.
 * Marker lists are allocated only for suppressed alerts: most alerts are
 * never silenced or inhibited, and 16 bytes per alert matter at 100k. */
#include "alert_store.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct marker_lists {
    size_t n_sil, n_inh;
    char **sil;
    uint64_t *inh;
};

struct slot {
    struct alert *a;        /* NULL = empty slot */
    struct marker_lists *m; /* NULL = both lists empty */
    uint8_t state;          /* enum alert_state */
};

struct subscriber {
    alert_store_put_fn *fn;
    void *ud;
};

struct alert_store {
    struct slot *slot;
    size_t cap; /* power of two, or 0 */
    size_t n;
    struct subscriber *subs;
    size_t nsubs, subs_cap;
};

#define MIN_CAP 64

const char *alert_state_str(enum alert_state s)
{
    switch (s) {
    case ALERT_ACTIVE:
        return "active";
    case ALERT_SUPPRESSED:
        return "suppressed";
    case ALERT_UNPROCESSED:
        break;
    }
    return "unprocessed";
}

/* splitmix64's finaliser: fingerprints are FNV hashes already, but keys
 * chosen by senders should not be able to line up in one probe run. */
static size_t home_of(const struct alert_store *st, uint64_t fp)
{
    fp ^= fp >> 30;
    fp *= 0xbf58476d1ce4e5b9ULL;
    fp ^= fp >> 27;
    fp *= 0x94d049bb133111ebULL;
    fp ^= fp >> 31;
    return (size_t)fp & (st->cap - 1);
}

static void marker_free(struct marker_lists *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_sil; i++)
        free(m->sil[i]);
    free(m->sil);
    free(m->inh);
    free(m);
}

struct alert_store *alert_store_new(void)
{
    return xcalloc(1, sizeof(struct alert_store));
}

void alert_store_free(struct alert_store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->cap; i++) {
        if (st->slot[i].a) {
            alert_unref(st->slot[i].a);
            marker_free(st->slot[i].m);
        }
    }
    free(st->slot);
    free(st->subs);
    free(st);
}

static void rehash(struct alert_store *st, size_t ncap)
{
    struct slot *old = st->slot;
    size_t ocap = st->cap;
    st->slot = xcalloc(ncap, sizeof *st->slot);
    st->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].a)
            continue;
        size_t j = home_of(st, old[i].a->fingerprint);
        while (st->slot[j].a)
            j = (j + 1) & (ncap - 1);
        st->slot[j] = old[i];
    }
    free(old);
}

/* Index of fp's slot, or of the empty slot where it would go. */
static size_t find(const struct alert_store *st, uint64_t fp)
{
    size_t j = home_of(st, fp);
    while (st->slot[j].a && st->slot[j].a->fingerprint != fp)
        j = (j + 1) & (st->cap - 1);
    return j;
}

static struct slot *lookup(const struct alert_store *st, uint64_t fp)
{
    if (!st->cap)
        return NULL;
    struct slot *s = &st->slot[find(st, fp)];
    return s->a ? s : NULL;
}

/* Empties slot i (the caller has released its contents) and shifts the
 * rest of the probe run back so that no tombstone is needed. */
static void remove_slot(struct alert_store *st, size_t i)
{
    size_t mask = st->cap - 1, j = i;
    memset(&st->slot[i], 0, sizeof st->slot[i]);
    for (;;) {
        j = (j + 1) & mask;
        if (!st->slot[j].a)
            break;
        size_t home = home_of(st, st->slot[j].a->fingerprint);
        bool stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            st->slot[i] = st->slot[j];
            memset(&st->slot[j], 0, sizeof st->slot[j]);
            i = j;
        }
    }
    st->n--;
}

/* Alertmanager's overlap test: merge only if the new range starts or ends
 * strictly inside the stored one; otherwise the new alert replaces it
 * (that is how a re-fire after a resolution gets a fresh startsAt). */
static bool overlaps(const struct alert *old, const struct alert *a)
{
    return (a->ends_at > old->starts_at && a->ends_at < old->ends_at) ||
           (a->starts_at > old->starts_at && a->starts_at < old->ends_at);
}

struct alert *alert_store_put(struct alert_store *st, struct alert *a, int64_t now)
{
    if ((st->n + 1) * 4 > st->cap * 3)
        rehash(st, st->cap ? st->cap * 2 : MIN_CAP);
    struct slot *s = &st->slot[find(st, a->fingerprint)];
    struct alert *stored;
    if (s->a) {
        stored = overlaps(s->a, a) ? alert_merge(s->a, a, now) : alert_ref(a);
        alert_unref(s->a);
    } else {
        stored = alert_ref(a);
        s->state = ALERT_UNPROCESSED;
        s->m = NULL;
        st->n++;
    }
    s->a = stored;
    for (size_t i = 0; i < st->nsubs; i++)
        st->subs[i].fn(st->subs[i].ud, stored);
    return stored;
}

void alert_store_restore(struct alert_store *st, struct alert *a)
{
    if ((st->n + 1) * 4 > st->cap * 3)
        rehash(st, st->cap ? st->cap * 2 : MIN_CAP);
    struct slot *s = &st->slot[find(st, a->fingerprint)];
    if (s->a) {
        alert_unref(s->a);
    } else {
        s->state = ALERT_UNPROCESSED;
        s->m = NULL;
        st->n++;
    }
    s->a = alert_ref(a);
}

int alert_store_remove(struct alert_store *st, uint64_t fp)
{
    if (!st->cap)
        return -1;
    size_t i = find(st, fp);
    struct slot *s = &st->slot[i];
    if (!s->a)
        return -1;
    struct alert *a = s->a;
    marker_free(s->m);
    remove_slot(st, i);
    alert_unref(a);
    return 0;
}

struct alert *alert_store_get(const struct alert_store *st, uint64_t fp)
{
    struct slot *s = lookup(st, fp);
    return s ? s->a : NULL;
}

size_t alert_store_len(const struct alert_store *st)
{
    return st->n;
}

bool alert_store_next(const struct alert_store *st, size_t *pos, struct alert **out)
{
    for (size_t i = *pos; i < st->cap; i++) {
        if (st->slot[i].a) {
            *out = st->slot[i].a;
            *pos = i + 1;
            return true;
        }
    }
    *pos = st->cap;
    return false;
}

static int cmp_alert_fp(const void *x, const void *y)
{
    uint64_t a = (*(struct alert *const *)x)->fingerprint;
    uint64_t b = (*(struct alert *const *)y)->fingerprint;
    return a < b ? -1 : a > b;
}

size_t alert_store_list(const struct alert_store *st, struct alert ***out)
{
    struct alert **v = xmalloc((st->n ? st->n : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < st->cap; i++)
        if (st->slot[i].a)
            v[n++] = alert_ref(st->slot[i].a);
    /* Fixed-width lowercase hex sorts like the number it encodes. */
    qsort(v, n, sizeof *v, cmp_alert_fp);
    *out = v;
    return n;
}

void alert_list_free(struct alert **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        alert_unref(v[i]);
    free(v);
}

size_t alert_store_gc(struct alert_store *st, int64_t now, alert_store_gc_fn *cb, void *ud)
{
    size_t removed = 0;
    size_t i = 0;
    while (i < st->cap) {
        struct slot *s = &st->slot[i];
        if (!s->a || !alert_resolved(s->a, now)) {
            i++;
            continue;
        }
        struct alert *a = s->a;
        marker_free(s->m);
        /* Re-examine slot i: the backward shift may have moved a later
         * entry into it.  An entry shifted from the wrapped start of the
         * table was already examined and kept; seeing it twice is
         * harmless. */
        remove_slot(st, i);
        if (cb)
            cb(ud, a);
        alert_unref(a);
        removed++;
    }
    if (st->cap > MIN_CAP && st->n * 8 < st->cap) {
        size_t ncap = st->cap;
        while (ncap > MIN_CAP && st->n * 8 < ncap)
            ncap /= 2;
        rehash(st, ncap);
    }
    return removed;
}

int alert_store_subscribe(struct alert_store *st, alert_store_put_fn *fn, void *ud)
{
    for (size_t i = 0; i < st->nsubs; i++)
        if (st->subs[i].fn == fn && st->subs[i].ud == ud)
            return -1;
    st->subs = xgrow(st->subs, &st->subs_cap, st->nsubs + 1, sizeof *st->subs);
    st->subs[st->nsubs].fn = fn;
    st->subs[st->nsubs].ud = ud;
    st->nsubs++;
    return 0;
}

int alert_store_unsubscribe(struct alert_store *st, alert_store_put_fn *fn, void *ud)
{
    for (size_t i = 0; i < st->nsubs; i++) {
        if (st->subs[i].fn == fn && st->subs[i].ud == ud) {
            memmove(&st->subs[i], &st->subs[i + 1], (st->nsubs - i - 1) * sizeof *st->subs);
            st->nsubs--;
            return 0;
        }
    }
    return -1;
}

void alert_store_count(const struct alert_store *st, int64_t now, size_t counts[ALERT_STATE_COUNT])
{
    for (int k = 0; k < ALERT_STATE_COUNT; k++)
        counts[k] = 0;
    for (size_t i = 0; i < st->cap; i++) {
        const struct slot *s = &st->slot[i];
        if (s->a && !alert_resolved(s->a, now))
            counts[s->state]++;
    }
}

/* ---- markers ------------------------------------------------------- */

static void marker_update_state(struct slot *s)
{
    struct marker_lists *m = s->m;
    if (m && m->n_sil == 0 && m->n_inh == 0) {
        marker_free(m);
        s->m = NULL;
    }
    s->state = s->m ? ALERT_SUPPRESSED : ALERT_ACTIVE;
}

int alert_store_set_silenced(struct alert_store *st, uint64_t fp, const char *const *ids, size_t n)
{
    struct slot *s = lookup(st, fp);
    if (!s)
        return -1;
    if (!s->m && n)
        s->m = xcalloc(1, sizeof *s->m);
    if (s->m) {
        for (size_t i = 0; i < s->m->n_sil; i++)
            free(s->m->sil[i]);
        free(s->m->sil);
        s->m->sil = NULL;
        s->m->n_sil = n;
        if (n) {
            s->m->sil = xmalloc(n * sizeof *s->m->sil);
            for (size_t i = 0; i < n; i++)
                s->m->sil[i] = xstrdup(ids[i]);
        }
    }
    marker_update_state(s);
    return 0;
}

int alert_store_set_inhibited(struct alert_store *st, uint64_t fp, const uint64_t *fps, size_t n)
{
    struct slot *s = lookup(st, fp);
    if (!s)
        return -1;
    if (!s->m && n)
        s->m = xcalloc(1, sizeof *s->m);
    if (s->m) {
        free(s->m->inh);
        s->m->inh = NULL;
        s->m->n_inh = n;
        if (n) {
            s->m->inh = xmalloc(n * sizeof *s->m->inh);
            memcpy(s->m->inh, fps, n * sizeof *fps);
        }
    }
    marker_update_state(s);
    return 0;
}

int alert_store_status(const struct alert_store *st, uint64_t fp, struct alert_status *out)
{
    const struct slot *s = lookup(st, fp);
    if (!s)
        return -1;
    out->state = (enum alert_state)s->state;
    out->n_silenced_by = s->m ? s->m->n_sil : 0;
    out->silenced_by = s->m ? s->m->sil : NULL;
    out->n_inhibited_by = s->m ? s->m->n_inh : 0;
    out->inhibited_by = s->m ? s->m->inh : NULL;
    return 0;
}

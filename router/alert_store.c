/* alert_store.c -- see alert_store.h.
 *
 * Table: linear probing over one-word slots, grown at 4/5 load, shrunk
 * below 1/8, backward-shift deletion (no tombstones, so GC of many
 * resolved alerts leaves probe runs as short as before).  A slot packs the
 * alert pointer (bits 3..47; alerts are 8-byte aligned), the marker state
 * (bits 0..1) and 16 bits of the fingerprint's hash (bits 48..63), so a
 * probe skips other fingerprints without touching their alerts.  The slot
 * keeps the state rather than the alert because the alert is replaced on
 * every merge while the marker belongs to the fingerprint.
 *
 * Marker lists exist only for suppressed alerts (state SUPPRESSED <=> the
 * fingerprint has lists), in a side map: most alerts are never silenced or
 * inhibited, and at 100k alerts each byte per slot is 100 kB or more. */
#include "alert_store.h"

#include <stdlib.h>
#include <string.h>

#include "fpmap.h"
#include "mem.h"

struct marker_lists {
    size_t n_sil, n_inh;
    char **sil;
    uint64_t *inh;
};

struct subscriber {
    alert_store_put_fn *fn;
    void *ud;
};

struct alert_store {
    uint64_t *slot; /* 0 = empty; see the top of the file */
    size_t cap;     /* power of two, or 0 */
    size_t n;
    struct fpmap markers; /* fingerprint -> struct marker_lists, suppressed only */
    struct subscriber *subs;
    size_t nsubs, subs_cap;
};

#define MIN_CAP 64
#define STATE_MASK UINT64_C(7)
#define PTR_MASK (((UINT64_C(1) << 48) - 1) & ~STATE_MASK)
#define TAG_SHIFT 48

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
 * chosen by senders should not be able to line up in one probe run.  The
 * low bits pick the home slot, the top 16 are the slot's tag. */
static uint64_t mix(uint64_t fp)
{
    fp ^= fp >> 30;
    fp *= 0xbf58476d1ce4e5b9ULL;
    fp ^= fp >> 27;
    fp *= 0x94d049bb133111ebULL;
    fp ^= fp >> 31;
    return fp;
}

static struct alert *slot_alert(uint64_t v)
{
    return (struct alert *)(uintptr_t)(v & PTR_MASK);
}

static enum alert_state slot_state(uint64_t v)
{
    return (enum alert_state)(v & STATE_MASK);
}

static uint64_t slot_make(struct alert *a, enum alert_state state)
{
    uint64_t p = (uint64_t)(uintptr_t)a;
    ROUTER_ASSERT((p & ~PTR_MASK) == 0);
    return p | (uint64_t)state | (mix(a->fingerprint) >> TAG_SHIFT << TAG_SHIFT);
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
    for (size_t i = 0; i < st->cap; i++)
        if (st->slot[i])
            alert_unref(slot_alert(st->slot[i]));
    size_t pos = 0;
    uint64_t fp;
    void *m;
    while (fpmap_next(&st->markers, &pos, &fp, &m))
        marker_free(m);
    fpmap_deinit(&st->markers);
    free(st->slot);
    free(st->subs);
    free(st);
}

static size_t home_of(const struct alert_store *st, uint64_t v)
{
    return (size_t)mix(slot_alert(v)->fingerprint) & (st->cap - 1);
}

static void rehash(struct alert_store *st, size_t ncap)
{
    uint64_t *old = st->slot;
    size_t ocap = st->cap;
    st->slot = xcalloc(ncap, sizeof *st->slot);
    st->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i])
            continue;
        size_t j = home_of(st, old[i]);
        while (st->slot[j])
            j = (j + 1) & (ncap - 1);
        st->slot[j] = old[i];
    }
    free(old);
}

static void maybe_grow(struct alert_store *st)
{
    if ((st->n + 1) * 5 > st->cap * 4)
        rehash(st, st->cap ? st->cap * 2 : MIN_CAP);
}

/* Index of fp's slot, or of the empty slot where it would go. */
static size_t find(const struct alert_store *st, uint64_t fp)
{
    uint64_t h = mix(fp), tag = h >> TAG_SHIFT << TAG_SHIFT;
    size_t mask = st->cap - 1;
    size_t j = (size_t)h & mask;
    for (uint64_t v; (v = st->slot[j]) != 0; j = (j + 1) & mask)
        if ((v & ~(PTR_MASK | STATE_MASK)) == tag && slot_alert(v)->fingerprint == fp)
            break;
    return j;
}

/* The slot of fp, or NULL. */
static uint64_t *lookup(const struct alert_store *st, uint64_t fp)
{
    if (!st->cap)
        return NULL;
    uint64_t *s = &st->slot[find(st, fp)];
    return *s ? s : NULL;
}

/* Empties slot i (the caller has released its contents) and shifts the
 * rest of the probe run back so that no tombstone is needed. */
static void remove_slot(struct alert_store *st, size_t i)
{
    size_t mask = st->cap - 1, j = i;
    st->slot[i] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!st->slot[j])
            break;
        size_t home = home_of(st, st->slot[j]);
        bool stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            st->slot[i] = st->slot[j];
            st->slot[j] = 0;
            i = j;
        }
    }
    st->n--;
}

/* Drops the marker lists of fp, if any. */
static void drop_marker(struct alert_store *st, uint64_t v)
{
    if (slot_state(v) == ALERT_SUPPRESSED)
        marker_free(fpmap_del(&st->markers, slot_alert(v)->fingerprint));
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
    maybe_grow(st);
    uint64_t *s = &st->slot[find(st, a->fingerprint)];
    struct alert *stored;
    enum alert_state state = ALERT_UNPROCESSED;
    if (*s) {
        struct alert *old = slot_alert(*s);
        state = slot_state(*s);
        stored = overlaps(old, a) ? alert_merge(old, a, now) : alert_ref(a);
        alert_unref(old);
    } else {
        stored = alert_ref(a);
        st->n++;
    }
    *s = slot_make(stored, state);
    for (size_t i = 0; i < st->nsubs; i++)
        st->subs[i].fn(st->subs[i].ud, stored);
    return stored;
}

void alert_store_restore(struct alert_store *st, struct alert *a)
{
    maybe_grow(st);
    uint64_t *s = &st->slot[find(st, a->fingerprint)];
    enum alert_state state = ALERT_UNPROCESSED;
    if (*s) {
        state = slot_state(*s);
        alert_unref(slot_alert(*s));
    } else {
        st->n++;
    }
    *s = slot_make(alert_ref(a), state);
}

int alert_store_remove(struct alert_store *st, uint64_t fp)
{
    if (!st->cap)
        return -1;
    size_t i = find(st, fp);
    uint64_t v = st->slot[i];
    if (!v)
        return -1;
    drop_marker(st, v);
    remove_slot(st, i);
    alert_unref(slot_alert(v));
    return 0;
}

struct alert *alert_store_get(const struct alert_store *st, uint64_t fp)
{
    uint64_t *s = lookup(st, fp);
    return s ? slot_alert(*s) : NULL;
}

size_t alert_store_len(const struct alert_store *st)
{
    return st->n;
}

bool alert_store_next(const struct alert_store *st, size_t *pos, struct alert **out)
{
    for (size_t i = *pos; i < st->cap; i++) {
        if (st->slot[i]) {
            *out = slot_alert(st->slot[i]);
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
        if (st->slot[i])
            v[n++] = alert_ref(slot_alert(st->slot[i]));
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
        uint64_t v = st->slot[i];
        if (!v || !alert_resolved(slot_alert(v), now)) {
            i++;
            continue;
        }
        struct alert *a = slot_alert(v);
        drop_marker(st, v);
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
        uint64_t v = st->slot[i];
        if (v && !alert_resolved(slot_alert(v), now))
            counts[slot_state(v)]++;
    }
}

/* ---- markers ------------------------------------------------------- */

/* The marker lists of the alert in slot s, created empty if need be. */
static struct marker_lists *marker_get(struct alert_store *st, uint64_t *s)
{
    uint64_t fp = slot_alert(*s)->fingerprint;
    struct marker_lists *m = fpmap_get(&st->markers, fp);
    if (!m) {
        m = xcalloc(1, sizeof *m);
        fpmap_put(&st->markers, fp, m);
        *s = (*s & ~STATE_MASK) | ALERT_SUPPRESSED;
    }
    return m;
}

/* Suppressed while either list is non-empty, else active (and the lists
 * go away). */
static void marker_update_state(struct alert_store *st, uint64_t *s)
{
    uint64_t fp = slot_alert(*s)->fingerprint;
    struct marker_lists *m = fpmap_get(&st->markers, fp);
    enum alert_state state = ALERT_SUPPRESSED;
    if (!m || (m->n_sil == 0 && m->n_inh == 0)) {
        if (m)
            marker_free(fpmap_del(&st->markers, fp));
        state = ALERT_ACTIVE;
    }
    *s = (*s & ~STATE_MASK) | (uint64_t)state;
}

int alert_store_set_silenced(struct alert_store *st, uint64_t fp, const char *const *ids, size_t n)
{
    uint64_t *s = lookup(st, fp);
    if (!s)
        return -1;
    struct marker_lists *m = NULL;
    if (n || slot_state(*s) == ALERT_SUPPRESSED)
        m = marker_get(st, s);
    if (m) {
        for (size_t i = 0; i < m->n_sil; i++)
            free(m->sil[i]);
        free(m->sil);
        m->sil = NULL;
        m->n_sil = n;
        if (n) {
            m->sil = xmalloc(n * sizeof *m->sil);
            for (size_t i = 0; i < n; i++)
                m->sil[i] = xstrdup(ids[i]);
        }
    }
    marker_update_state(st, s);
    return 0;
}

int alert_store_set_inhibited(struct alert_store *st, uint64_t fp, const uint64_t *fps, size_t n)
{
    uint64_t *s = lookup(st, fp);
    if (!s)
        return -1;
    struct marker_lists *m = NULL;
    if (n || slot_state(*s) == ALERT_SUPPRESSED)
        m = marker_get(st, s);
    if (m) {
        free(m->inh);
        m->inh = NULL;
        m->n_inh = n;
        if (n) {
            m->inh = xmalloc(n * sizeof *m->inh);
            memcpy(m->inh, fps, n * sizeof *fps);
        }
    }
    marker_update_state(st, s);
    return 0;
}

int alert_store_status(const struct alert_store *st, uint64_t fp, struct alert_status *out)
{
    const uint64_t *s = lookup(st, fp);
    if (!s)
        return -1;
    const struct marker_lists *m = NULL;
    out->state = slot_state(*s);
    if (out->state == ALERT_SUPPRESSED)
        m = fpmap_get(&st->markers, fp);
    out->n_silenced_by = m ? m->n_sil : 0;
    out->silenced_by = m ? m->sil : NULL;
    out->n_inhibited_by = m ? m->n_inh : 0;
    out->inhibited_by = m ? m->inh : NULL;
    return 0;
}

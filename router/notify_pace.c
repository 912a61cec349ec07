/* notify_pace.c -- see notify_pace.h.
 *
 * A table of (hash, next free slot).  The number of destinations is small
 * (one per Slack URL and channel a config names, channels may be
 * templated), so a flat array with linear search is enough; it is swept of
 * idle entries whenever it grows past its last size, which bounds it by
 * the number of destinations active within one interval. */
#include "notify_pace.h"

#include <stdint.h>
#include <stdlib.h>

#include "mem.h"

struct pace_slot {
    uint64_t hash;
    double next; /* earliest start of the next send */
};

struct notify_pacer {
    double interval;
    size_t n, cap, sweep_at;
    struct pace_slot *v;
};

struct notify_pacer *notify_pacer_new(double interval_s)
{
    struct notify_pacer *p = xcalloc(1, sizeof *p);
    p->interval = interval_s;
    p->sweep_at = 16;
    return p;
}

void notify_pacer_free(struct notify_pacer *p)
{
    if (!p)
        return;
    free(p->v);
    free(p);
}

/* FNV-1a, 64 bits: destinations are few, collisions would only merge two
 * destinations' pacing. */
static uint64_t hash_key(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void sweep(struct notify_pacer *p, double now)
{
    size_t k = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].next > now)
            p->v[k++] = p->v[i];
    p->n = k;
}

static struct pace_slot *slot_for(struct notify_pacer *p, const char *key, size_t len, double now)
{
    uint64_t h = hash_key(key, len);
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].hash == h)
            return &p->v[i];
    if (p->n >= p->sweep_at) {
        sweep(p, now);
        p->sweep_at = p->n * 2 > 16 ? p->n * 2 : 16;
    }
    if (p->n == p->cap)
        p->v = xgrow(p->v, &p->cap, p->n + 1, sizeof *p->v);
    struct pace_slot *s = &p->v[p->n++];
    s->hash = h;
    s->next = now;
    return s;
}

double notify_pacer_reserve(struct notify_pacer *p, const char *key, size_t keylen, double now)
{
    struct pace_slot *s = slot_for(p, key, keylen, now);
    double at = s->next > now ? s->next : now;
    s->next = at + p->interval;
    return at - now;
}

void notify_pacer_block(struct notify_pacer *p, const char *key, size_t keylen, double until)
{
    /* time 0: a sweep here must not drop slots still in the future */
    struct pace_slot *s = slot_for(p, key, keylen, 0);
    if (s->next < until)
        s->next = until;
}

size_t notify_pacer_size(struct notify_pacer *p, double now)
{
    sweep(p, now);
    return p->n;
}

/* alert_shape.c -- see alert_shape.h.
 *
 * Shapes are few (one per rule, more or less), so the table is a plain
 * chained hash over malloc'd shapes, grown at load 1 and dropped when the
 * last shape goes.  The hash is over the name ids, which identify the
 * strings; equal lists have equal ids because the names are interned. */
#include "alert_shape.h"

#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "mem.h"

#define MIN_BUCKETS 16

static struct {
    struct alert_shape **bucket;
    size_t nbuckets; /* power of two, or 0 */
    size_t n;
    size_t bytes;
} tab;

static uint32_t hash_ids(const uint32_t *v, size_t n, size_t nl)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ nl;
    for (size_t i = 0; i < n; i++) {
        h ^= v[i];
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    return (uint32_t)h;
}

static size_t shape_size(size_t n)
{
    return sizeof(struct alert_shape) + n * sizeof(uint32_t);
}

static void grow(void)
{
    size_t nb = tab.nbuckets ? tab.nbuckets * 2 : MIN_BUCKETS;
    struct alert_shape **v = xcalloc(nb, sizeof *v);
    for (size_t i = 0; i < tab.nbuckets; i++) {
        struct alert_shape *s = tab.bucket[i];
        while (s) {
            struct alert_shape *next = s->next;
            size_t j = s->hash & (nb - 1);
            s->next = v[j];
            v[j] = s;
            s = next;
        }
    }
    free(tab.bucket);
    tab.bucket = v;
    tab.nbuckets = nb;
}

const struct alert_shape *alert_shape_get(const uint32_t *names, size_t nl, size_t na)
{
    ROUTER_ASSERT(nl <= UINT32_MAX && na <= UINT32_MAX && nl + na >= nl);
    size_t n = nl + na;
    uint32_t h = hash_ids(names, n, nl);
    if (tab.nbuckets) {
        for (struct alert_shape *s = tab.bucket[h & (tab.nbuckets - 1)]; s; s = s->next) {
            if (s->hash != h || s->nlabels != nl || s->nannots != na ||
                (n && memcmp(s->names, names, n * sizeof *names) != 0))
                continue;
            ROUTER_ASSERT(s->refs < UINT32_MAX);
            s->refs++;
            for (size_t i = 0; i < n; i++)
                intern_id_unref(names[i]); /* the shape holds its own */
            return s;
        }
    }
    if (tab.n >= tab.nbuckets)
        grow();
    struct alert_shape *s = xmalloc(shape_size(n));
    s->refs = 1;
    s->hash = h;
    s->nlabels = (uint32_t)nl;
    s->nannots = (uint32_t)na;
    if (n)
        memcpy(s->names, names, n * sizeof *names);
    size_t j = h & (tab.nbuckets - 1);
    s->next = tab.bucket[j];
    tab.bucket[j] = s;
    tab.n++;
    tab.bytes += shape_size(n);
    return s;
}

const struct alert_shape *alert_shape_ref(const struct alert_shape *cs)
{
    struct alert_shape *s = (struct alert_shape *)cs;
    ROUTER_ASSERT(s->refs > 0 && s->refs < UINT32_MAX);
    s->refs++;
    return s;
}

void alert_shape_unref(const struct alert_shape *cs)
{
    struct alert_shape *s = (struct alert_shape *)cs;
    ROUTER_ASSERT(s->refs > 0);
    if (--s->refs > 0)
        return;
    struct alert_shape **pp = &tab.bucket[s->hash & (tab.nbuckets - 1)];
    while (*pp != s)
        pp = &(*pp)->next;
    *pp = s->next;
    size_t n = (size_t)s->nlabels + s->nannots;
    for (size_t i = 0; i < n; i++)
        intern_id_unref(s->names[i]);
    tab.n--;
    tab.bytes -= shape_size(n);
    free(s);
    if (tab.n == 0) {
        free(tab.bucket);
        tab.bucket = NULL;
        tab.nbuckets = 0;
    }
}

size_t alert_shape_count(void)
{
    return tab.n;
}

size_t alert_shape_bytes(void)
{
    return tab.bytes + tab.nbuckets * sizeof *tab.bucket;
}

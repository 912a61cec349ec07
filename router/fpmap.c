/* fpmap.c -- see fpmap.h.  A slot with a NULL value is empty, so every key
 * (0 included) can be stored. */
#include "fpmap.h"

#include <stdbool.h>
#include <stdlib.h>

#include "mem.h"

struct fpmap_slot {
    uint64_t key;
    void *val; /* NULL = empty */
};

#define MIN_CAP 16

/* splitmix64's finaliser, as the alert store uses. */
static size_t home_of(uint64_t k, size_t cap)
{
    k ^= k >> 30;
    k *= 0xbf58476d1ce4e5b9ULL;
    k ^= k >> 27;
    k *= 0x94d049bb133111ebULL;
    k ^= k >> 31;
    return (size_t)k & (cap - 1);
}

static size_t find(const struct fpmap *m, uint64_t key)
{
    size_t j = home_of(key, m->cap);
    while (m->slot[j].val && m->slot[j].key != key)
        j = (j + 1) & (m->cap - 1);
    return j;
}

static void rehash(struct fpmap *m, size_t ncap)
{
    struct fpmap_slot *old = m->slot;
    size_t ocap = m->cap;
    m->slot = xcalloc(ncap, sizeof *m->slot);
    m->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].val)
            m->slot[find(m, old[i].key)] = old[i];
    free(old);
}

void *fpmap_get(const struct fpmap *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    return m->slot[find(m, key)].val;
}

void *fpmap_put(struct fpmap *m, uint64_t key, void *val)
{
    ROUTER_ASSERT(val != NULL);
    if ((m->n + 1) * 4 > m->cap * 3)
        rehash(m, m->cap ? m->cap * 2 : MIN_CAP);
    struct fpmap_slot *s = &m->slot[find(m, key)];
    void *prev = s->val;
    if (!prev)
        m->n++;
    s->key = key;
    s->val = val;
    return prev;
}

void *fpmap_del(struct fpmap *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1, i = find(m, key), j = i;
    void *val = m->slot[i].val;
    if (!val)
        return NULL;
    m->slot[i].val = NULL;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->slot[j].val)
            break;
        size_t home = home_of(m->slot[j].key, m->cap);
        bool stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            m->slot[i] = m->slot[j];
            m->slot[j].val = NULL;
            i = j;
        }
    }
    m->n--;
    if (m->n == 0) {
        fpmap_deinit(m);
    } else if (m->cap > MIN_CAP && m->n * 8 < m->cap) {
        rehash(m, m->cap / 2);
    }
    return val;
}

bool fpmap_next(const struct fpmap *m, size_t *pos, uint64_t *key, void **val)
{
    for (size_t i = *pos; i < m->cap; i++) {
        if (m->slot[i].val) {
            *key = m->slot[i].key;
            *val = m->slot[i].val;
            *pos = i + 1;
            return true;
        }
    }
    *pos = m->cap;
    return false;
}

void fpmap_deinit(struct fpmap *m)
{
    free(m->slot);
    m->slot = NULL;
    m->cap = 0;
    m->n = 0;
}

/* intern.c -- see intern.h.
 *
 * An open-addressing hash set of entries {refs, hash, bytes}, linear
 * probing, backward-shift deletion (no tombstones, so a table that sees
 * millions of short-lived strings never degrades).  The table grows at 3/4
 * load and shrinks below 1/8, so a burst of unique values does not pin its
 * peak size forever. */
#include "intern.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct istr {
    uint32_t refs;
    uint32_t hash;
    char s[];
};

#define MIN_CAP 64

static struct {
    struct istr **slot;
    size_t cap;      /* power of two, or 0 before first use */
    size_t n;
    size_t bytes;    /* sum of entry sizes */
} tab;

static struct istr *entry_of(const char *s)
{
    return (struct istr *)(void *)(s - offsetof(struct istr, s));
}

/* FNV-1a folded to 32 bits, then murmur3's finaliser: FNV alone leaves
 * the low bits of similar keys ("host-1", "host-2") correlated. */
static uint32_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    uint32_t x = (uint32_t)(h ^ (h >> 32));
    x ^= x >> 16;
    x *= 0x85ebca6bU;
    x ^= x >> 13;
    x *= 0xc2b2ae35U;
    x ^= x >> 16;
    return x;
}

static void rehash(size_t ncap)
{
    struct istr **old = tab.slot;
    size_t ocap = tab.cap;
    tab.slot = xcalloc(ncap, sizeof *tab.slot);
    tab.cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        struct istr *e = old[i];
        if (!e)
            continue;
        size_t j = e->hash & (ncap - 1);
        while (tab.slot[j])
            j = (j + 1) & (ncap - 1);
        tab.slot[j] = e;
    }
    free(old);
}

const char *intern_n(const char *s, size_t n)
{
    uint32_t h = hash_bytes(s, n);
    if (tab.cap) {
        for (size_t j = h & (tab.cap - 1); tab.slot[j]; j = (j + 1) & (tab.cap - 1)) {
            struct istr *e = tab.slot[j];
            if (e->hash == h && strncmp(e->s, s, n) == 0 && e->s[n] == '\0') {
                ROUTER_ASSERT(e->refs < UINT32_MAX);
                e->refs++;
                return e->s;
            }
        }
    }
    if ((tab.n + 1) * 4 > tab.cap * 3)
        rehash(tab.cap ? tab.cap * 2 : MIN_CAP);
    size_t sz = sizeof(struct istr) + n + 1;
    struct istr *e = xmalloc(sz);
    e->refs = 1;
    e->hash = h;
    memcpy(e->s, s, n);
    e->s[n] = '\0';
    size_t j = h & (tab.cap - 1);
    while (tab.slot[j])
        j = (j + 1) & (tab.cap - 1);
    tab.slot[j] = e;
    tab.n++;
    tab.bytes += sz;
    return e->s;
}

const char *intern(const char *s)
{
    return intern_n(s, strlen(s));
}

const char *intern_ref(const char *s)
{
    struct istr *e = entry_of(s);
    ROUTER_ASSERT(e->refs > 0 && e->refs < UINT32_MAX);
    e->refs++;
    return s;
}

/* Removes slot i and shifts the rest of its probe run back, so that every
 * entry stays reachable from its home slot without tombstones. */
static void remove_slot(size_t i)
{
    size_t mask = tab.cap - 1;
    size_t j = i;
    tab.slot[i] = NULL;
    for (;;) {
        j = (j + 1) & mask;
        struct istr *e = tab.slot[j];
        if (!e)
            break;
        size_t home = e->hash & mask;
        /* e may move into the hole at i unless its home lies cyclically
         * in (i, j]. */
        bool in_range = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            tab.slot[i] = e;
            tab.slot[j] = NULL;
            i = j;
        }
    }
}

void intern_unref(const char *s)
{
    if (!s)
        return;
    struct istr *e = entry_of(s);
    ROUTER_ASSERT(e->refs > 0);
    if (--e->refs > 0)
        return;
    size_t j = e->hash & (tab.cap - 1);
    while (tab.slot[j] != e) {
        ROUTER_ASSERT(tab.slot[j] != NULL);
        j = (j + 1) & (tab.cap - 1);
    }
    remove_slot(j);
    tab.n--;
    tab.bytes -= sizeof(struct istr) + strlen(e->s) + 1;
    free(e);
    if (tab.n == 0) {
        free(tab.slot);
        tab.slot = NULL;
        tab.cap = 0;
    } else if (tab.cap > MIN_CAP && tab.n * 8 < tab.cap) {
        rehash(tab.cap / 2);
    }
}

size_t intern_count(void)
{
    return tab.n;
}

size_t intern_bytes(void)
{
    return tab.bytes + tab.cap * sizeof *tab.slot;
}

/* intern.c -- see intern.h.
 *
 * An open-addressing hash set of entries {refs, bytes}, linear
 * probing, backward-shift deletion (no tombstones, so a table that sees
 * millions of short-lived strings never degrades).  A slot is one word: the
 * entry pointer in the low 48 bits (x86-64 and arm64 user addresses fit)
 * and 16 bits of the hash on top, so a probe skips non-matching entries
 * without touching their memory; at 100k alerts the table is far larger
 * than the cache and those misses were most of the cost of an insert.  The table grows at 4/5
 * load (with the tags, a probe run of a dozen slots is two cache lines) and
 * shrinks below 1/8, so a burst of unique values does not pin its peak
 * size forever.
 *
 * Memory: most alerts carry a value or two nobody else has (instance,
 * summary), so entries are many and small.  They live in the slab (no
 * malloc header, 8-byte steps) and carry no hash: it is recomputed on the
 * rare paths that need it (rehash, and removing a string's last
 * reference), which saves 4 bytes on each of 200k strings at 100k
 * alerts. */
#include "intern.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "slab.h"

struct istr {
    uint32_t refs;
    char s[];
};

#define MIN_CAP 64
#define TAG_SHIFT 48

#define PTR_MASK ((UINT64_C(1) << 48) - 1)

static struct {
    uint64_t *slot; /* 0 = empty; else entry | tag(hash) << 48 */
    size_t cap;     /* power of two, or 0 before first use */
    size_t n;
    size_t bytes; /* sum of entry sizes */
} tab;

static uint64_t slot_make(struct istr *e, uint32_t hash)
{
    uint64_t p = (uint64_t)(uintptr_t)e;
    ROUTER_ASSERT((p & ~PTR_MASK) == 0);
    return p | ((uint64_t)(hash >> 16) << TAG_SHIFT);
}

static struct istr *slot_entry(uint64_t v)
{
    return (struct istr *)(uintptr_t)(v & PTR_MASK);
}

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

static uint32_t entry_hash(const struct istr *e)
{
    return hash_bytes(e->s, strlen(e->s));
}

static size_t entry_size(size_t len)
{
    return sizeof(struct istr) + len + 1;
}

/* Home slot of the entry in slot value v, for a table of cap slots. */
static size_t home_of(uint64_t v, size_t cap)
{
    return entry_hash(slot_entry(v)) & (cap - 1);
}

static void rehash(size_t ncap)
{
    uint64_t *old = tab.slot;
    size_t ocap = tab.cap;
    tab.slot = xcalloc(ncap, sizeof *tab.slot);
    tab.cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i])
            continue;
        size_t j = home_of(old[i], ncap);
        while (tab.slot[j])
            j = (j + 1) & (ncap - 1);
        tab.slot[j] = old[i];
    }
    free(old);
}

const char *intern_n(const char *s, size_t n)
{
    uint32_t h = hash_bytes(s, n);
    uint64_t tag = (uint64_t)(h >> 16) << 48;
    if (tab.cap) {
        for (size_t j = h & (tab.cap - 1); tab.slot[j]; j = (j + 1) & (tab.cap - 1)) {
            if ((tab.slot[j] & ~PTR_MASK) != tag)
                continue;
            struct istr *e = slot_entry(tab.slot[j]);
            if (strncmp(e->s, s, n) == 0 && e->s[n] == '\0') {
                ROUTER_ASSERT(e->refs < UINT32_MAX);
                e->refs++;
                return e->s;
            }
        }
    }
    if ((tab.n + 1) * 5 > tab.cap * 4)
        rehash(tab.cap ? tab.cap * 2 : MIN_CAP);
    size_t sz = entry_size(n);
    struct istr *e = slab_alloc(slab_global(), sz);
    e->refs = 1;
    memcpy(e->s, s, n);
    e->s[n] = '\0';
    size_t j = h & (tab.cap - 1);
    while (tab.slot[j])
        j = (j + 1) & (tab.cap - 1);
    tab.slot[j] = slot_make(e, h);
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
    tab.slot[i] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (!tab.slot[j])
            break;
        size_t home = home_of(tab.slot[j], tab.cap);
        /* e may move into the hole at i unless its home lies cyclically
         * in (i, j]. */
        bool in_range = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!in_range) {
            tab.slot[i] = tab.slot[j];
            tab.slot[j] = 0;
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
    size_t len = strlen(e->s);
    size_t j = hash_bytes(e->s, len) & (tab.cap - 1);
    while (slot_entry(tab.slot[j]) != e) {
        ROUTER_ASSERT(tab.slot[j] != 0);
        j = (j + 1) & (tab.cap - 1);
    }
    remove_slot(j);
    tab.n--;
    tab.bytes -= entry_size(len);
    slab_release(slab_global(), e, entry_size(len));
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

/* intern.c -- see intern.h.
 *
 * Three parts:
 *
 * - entries {refs, bytes} in the slab (no malloc header, 8-byte steps).
 *   Most alerts carry a value or two nobody else has (instance, summary),
 *   so entries are many and small; they carry neither hash nor id.
 *
 * - the id array: id -> string address, so that intern_str() is one load
 *   and an alert can hold 4-byte ids instead of 8-byte pointers.  Freed
 *   ids are chained through their own slots (odd values, which no string
 *   address is: entries are 8-aligned and the string sits 4 bytes in) and
 *   reused first, so the array stays as large as the peak number of live
 *   strings; it is dropped when the last string goes.  Id 0 is a static
 *   "" that is never counted or freed.  It costs 8 bytes per string,
 *   against the 8 bytes each alert saves on every pair (two ids in place of
 *   two pointers); it works the same in the ASan build, where the slab
 *   passes through to malloc.
 *
 * - an open-addressing hash set of slots {hash32 << 32 | id}, linear
 *   probing, backward-shift deletion (no tombstones, so a table that sees
 *   millions of short-lived strings never degrades).  The full hash in the
 *   slot lets a probe skip non-matching entries without touching their
 *   memory (at 100k alerts the table is far larger than the cache, and
 *   those misses were most of the cost of an insert) and lets rehash and
 *   deletion run without rehashing strings.  The table grows at 4/5 load
 *   and shrinks below 1/8, so a burst of unique values does not pin its
 *   peak size forever. */
#include "intern.h"

#include <stdalign.h>
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
#define MIN_IDS 64

/* "" at an even address, like every interned string (see free links). */
static alignas(8) const char empty_str[8] = "";
static const char *empty_slot[1] = {empty_str};

const char **intern_strs_ = empty_slot;

static struct {
    uint64_t *slot; /* 0 = empty; else hash << 32 | id (id > 0) */
    size_t cap;     /* power of two, or 0 before first use */
    size_t n;
    size_t bytes;     /* sum of entry sizes */
    uint32_t nids;    /* ids handed out so far, including 0 */
    uint32_t ids_cap; /* slots in intern_strs_ (1 while it is empty_slot) */
    uint32_t free_id; /* head of the freed ids, 0 = none */
} tab = {.nids = 1, .ids_cap = 1};

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

static size_t entry_size(size_t len)
{
    return sizeof(struct istr) + len + 1;
}

static uint32_t slot_id(uint64_t v)
{
    return (uint32_t)v;
}

static size_t slot_home(uint64_t v, size_t cap)
{
    return (size_t)(v >> 32) & (cap - 1);
}

/* ---- ids ------------------------------------------------------------- */

static const char *free_link(uint32_t next)
{
    return (const char *)(uintptr_t)(((uintptr_t)next << 1) | 1);
}

static uint32_t id_alloc(const char *s)
{
    uint32_t id = tab.free_id;
    if (id) {
        uintptr_t link = (uintptr_t)intern_strs_[id];
        ROUTER_ASSERT(link & 1);
        tab.free_id = (uint32_t)(link >> 1);
    } else {
        ROUTER_ASSERT(tab.nids < UINT32_MAX);
        if (tab.nids == tab.ids_cap) {
            uint32_t ncap = tab.ids_cap < MIN_IDS ? MIN_IDS : tab.ids_cap * 2;
            if (intern_strs_ == empty_slot) {
                intern_strs_ = xmalloc((size_t)ncap * sizeof *intern_strs_);
                intern_strs_[0] = empty_str;
            } else {
                intern_strs_ = xrealloc(intern_strs_, (size_t)ncap * sizeof *intern_strs_);
            }
            tab.ids_cap = ncap;
        }
        id = tab.nids++;
    }
    intern_strs_[id] = s;
    return id;
}

static void id_release(uint32_t id)
{
    intern_strs_[id] = free_link(tab.free_id);
    tab.free_id = id;
}

/* ---- the table --------------------------------------------------------- */

static void rehash(size_t ncap)
{
    uint64_t *old = tab.slot;
    size_t ocap = tab.cap;
    tab.slot = xcalloc(ncap, sizeof *tab.slot);
    tab.cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i])
            continue;
        size_t j = slot_home(old[i], ncap);
        while (tab.slot[j])
            j = (j + 1) & (ncap - 1);
        tab.slot[j] = old[i];
    }
    free(old);
}

uint32_t intern_id_n(const char *s, size_t n)
{
    if (n == 0)
        return INTERN_EMPTY;
    uint32_t h = hash_bytes(s, n);
    uint64_t tag = (uint64_t)h << 32;
    if (tab.cap) {
        for (size_t j = h & (tab.cap - 1); tab.slot[j]; j = (j + 1) & (tab.cap - 1)) {
            if ((tab.slot[j] & ~(uint64_t)UINT32_MAX) != tag)
                continue;
            const char *e = intern_strs_[slot_id(tab.slot[j])];
            if (strncmp(e, s, n) == 0 && e[n] == '\0') {
                struct istr *en = entry_of(e);
                ROUTER_ASSERT(en->refs < UINT32_MAX);
                en->refs++;
                return slot_id(tab.slot[j]);
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
    uint32_t id = id_alloc(e->s);
    size_t j = h & (tab.cap - 1);
    while (tab.slot[j])
        j = (j + 1) & (tab.cap - 1);
    tab.slot[j] = tag | id;
    tab.n++;
    tab.bytes += sz;
    return id;
}

uint32_t intern_id(const char *s)
{
    return intern_id_n(s, strlen(s));
}

const char *intern_n(const char *s, size_t n)
{
    return intern_str(intern_id_n(s, n));
}

const char *intern(const char *s)
{
    return intern_str(intern_id_n(s, strlen(s)));
}

const char *intern_ref(const char *s)
{
    if (s == empty_str)
        return s;
    struct istr *e = entry_of(s);
    ROUTER_ASSERT(e->refs > 0 && e->refs < UINT32_MAX);
    e->refs++;
    return s;
}

uint32_t intern_id_ref(uint32_t id)
{
    if (id != INTERN_EMPTY)
        intern_ref(intern_strs_[id]);
    return id;
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
        size_t home = slot_home(tab.slot[j], tab.cap);
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

/* Frees the entry of s, whose last reference is gone.  id is its id, or 0
 * when the caller only has the address. */
static void entry_free(const char *s, uint32_t id)
{
    size_t len = strlen(s);
    size_t j = hash_bytes(s, len) & (tab.cap - 1);
    for (;; j = (j + 1) & (tab.cap - 1)) {
        ROUTER_ASSERT(tab.slot[j] != 0);
        uint32_t sid = slot_id(tab.slot[j]);
        if (id ? sid == id : intern_strs_[sid] == s)
            break;
    }
    id = slot_id(tab.slot[j]);
    remove_slot(j);
    id_release(id);
    tab.n--;
    tab.bytes -= entry_size(len);
    slab_release(slab_global(), entry_of(s), entry_size(len));
    if (tab.n == 0) {
        free(tab.slot);
        tab.slot = NULL;
        tab.cap = 0;
        if (intern_strs_ != empty_slot)
            free(intern_strs_);
        intern_strs_ = empty_slot;
        tab.nids = 1;
        tab.ids_cap = 1;
        tab.free_id = 0;
    } else if (tab.cap > MIN_CAP && tab.n * 8 < tab.cap) {
        rehash(tab.cap / 2);
    }
}

void intern_unref(const char *s)
{
    if (!s || s == empty_str)
        return;
    struct istr *e = entry_of(s);
    ROUTER_ASSERT(e->refs > 0);
    if (--e->refs == 0)
        entry_free(s, 0);
}

void intern_id_unref(uint32_t id)
{
    if (id == INTERN_EMPTY)
        return;
    const char *s = intern_strs_[id];
    struct istr *e = entry_of(s);
    ROUTER_ASSERT(e->refs > 0);
    if (--e->refs == 0)
        entry_free(s, id);
}

size_t intern_count(void)
{
    return tab.n;
}

size_t intern_bytes(void)
{
    size_t ids = intern_strs_ == empty_slot ? 0 : tab.ids_cap * sizeof *intern_strs_;
    return tab.bytes + tab.cap * sizeof *tab.slot + ids;
}

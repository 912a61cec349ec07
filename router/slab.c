/* slab.c -- see slab.h.
 *
 * Pages are 64 KiB, mapped straight from the kernel and aligned to their
 * size, so the page of an object is its address with the low bits cleared
 * (no per-object header, no lookup).  They come from mmap, not from
 * malloc, for two reasons: glibc's posix_memalign leaves an unusable gap
 * before each aligned block, and a fresh mapping costs RSS only for the
 * 4 KiB pages actually touched, so objects are handed out by bumping a
 * pointer and a size class that holds three objects costs 4 KiB, not 64.
 *
 * Each page has its own free list; a size class keeps a list of the pages
 * with a free object or untouched space.  Releasing the last object of a
 * page unmaps it, except for one empty page per class kept for reuse, so
 * alternating alloc/release at a page boundary does not map and unmap. */
#include "slab.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif

#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define PAGE_SIZE (64u << 10)
#define NCLASS (SLAB_MAX / 8)

struct page {
    struct page *prev, *next; /* in the class's list of pages with room */
    void *free;               /* released objects, linked through their first word */
    char *bump;               /* first never-used byte */
    uint32_t nused;           /* objects handed out */
    uint32_t cls;
};

#define PAGE_HDR ((sizeof(struct page) + 15) & ~(size_t)15)

struct size_class {
    struct page *room;  /* pages with a free object or bump space */
    struct page *full;  /* the others (kept for slab_free) */
    struct page *spare; /* one empty page kept mapped */
};

struct slab {
    bool passthrough; /* malloc/free instead (slab_global under ASan) */
    struct size_class cls[NCLASS];
    size_t pages;
    size_t objects;
};

static size_t obj_size(uint32_t cls)
{
    return ((size_t)cls + 1) * 8;
}

static struct page *page_of(const void *p)
{
    return (struct page *)((uintptr_t)p & ~(uintptr_t)(PAGE_SIZE - 1));
}

static bool page_full(const struct page *pg)
{
    return !pg->free && (size_t)((char *)pg + PAGE_SIZE - pg->bump) < obj_size(pg->cls);
}

static void list_push(struct page **head, struct page *pg)
{
    pg->prev = NULL;
    pg->next = *head;
    if (*head)
        (*head)->prev = pg;
    *head = pg;
}

static void list_unlink(struct page **head, struct page *pg)
{
    if (pg->prev)
        pg->prev->next = pg->next;
    else
        *head = pg->next;
    if (pg->next)
        pg->next->prev = pg->prev;
    pg->prev = pg->next = NULL;
}

/* The shadow of an unmapped page is cleared first: the kernel may hand
 * the same addresses to the next mapping. */
static void page_unmap(struct page *pg)
{
    UNPOISON(pg, PAGE_SIZE);
    munmap(pg, PAGE_SIZE);
}

static void list_unmap(struct page *pg)
{
    while (pg) {
        struct page *next = pg->next;
        page_unmap(pg);
        pg = next;
    }
}

/* A PAGE_SIZE-aligned mapping: map twice the size and unmap the ends. */
static struct page *page_map(void)
{
    size_t len = 2 * (size_t)PAGE_SIZE;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        /* same policy as xmalloc: out of memory is fatal */
        ROUTER_ASSERT(!"slab: mmap failed (out of memory)");
    }
    uintptr_t a = ((uintptr_t)m + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);
    size_t head = a - (uintptr_t)m, tail = len - head - PAGE_SIZE;
    if (head)
        munmap(m, head);
    if (tail)
        munmap((char *)a + PAGE_SIZE, tail);
    return (struct page *)a;
}

static void page_init(struct page *pg, uint32_t cls)
{
    memset(pg, 0, sizeof *pg);
    pg->cls = cls;
    pg->bump = (char *)pg + PAGE_HDR;
    POISON(pg->bump, PAGE_SIZE - PAGE_HDR);
}

struct slab *slab_new(void)
{
    return xcalloc(1, sizeof(struct slab));
}

void slab_free(struct slab *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < NCLASS; i++) {
        list_unmap(s->cls[i].room);
        list_unmap(s->cls[i].full);
        if (s->cls[i].spare)
            page_unmap(s->cls[i].spare);
    }
    free(s);
}

struct slab *slab_global(void)
{
    static struct slab g;
#ifdef SLAB_ASAN
    g.passthrough = true;
#endif
    return &g;
}

void *slab_alloc(struct slab *s, size_t size)
{
    ROUTER_ASSERT(size > 0);
    if (size > SLAB_MAX || s->passthrough)
        return xmalloc(size);
    uint32_t cls = (uint32_t)((size - 1) / 8);
    struct size_class *c = &s->cls[cls];
    struct page *pg = c->room;
    if (!pg) {
        if (c->spare) {
            pg = c->spare;
            c->spare = NULL;
        } else {
            pg = page_map();
            s->pages++;
        }
        page_init(pg, cls);
        list_push(&c->room, pg);
    }
    size_t osz = obj_size(cls);
    void *p;
    if (pg->free) {
        p = pg->free;
        UNPOISON(p, osz);
        memcpy(&pg->free, p, sizeof pg->free);
    } else {
        p = pg->bump;
        pg->bump += osz;
        UNPOISON(p, osz);
    }
    pg->nused++;
    s->objects++;
    if (page_full(pg)) {
        list_unlink(&c->room, pg);
        list_push(&c->full, pg);
    }
    return p;
}

void slab_release(struct slab *s, void *p, size_t size)
{
    if (!p)
        return;
    if (size > SLAB_MAX || s->passthrough) {
        free(p);
        return;
    }
    struct page *pg = page_of(p);
    uint32_t cls = (uint32_t)((size - 1) / 8);
    ROUTER_ASSERT(pg->cls == cls && pg->nused > 0);
    struct size_class *c = &s->cls[cls];
    bool was_full = page_full(pg);
    memcpy(p, &pg->free, sizeof pg->free);
    pg->free = p;
    POISON(p, obj_size(cls));
    pg->nused--;
    s->objects--;
    if (was_full) {
        list_unlink(&c->full, pg);
        list_push(&c->room, pg);
    }
    if (pg->nused > 0)
        return;
    list_unlink(&c->room, pg);
    if (!c->spare) {
        c->spare = pg;
    } else {
        page_unmap(pg);
        s->pages--;
    }
}

size_t slab_bytes(const struct slab *s)
{
    return s->pages * PAGE_SIZE;
}

size_t slab_objects(const struct slab *s)
{
    return s->objects;
}

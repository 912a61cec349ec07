/* slab.h -- size-classed pools for the many small, equal-sized objects of
 * the alert store (alerts and interned strings).
 *
 * Why: at 100k alerts the store holds ~300k small blocks.  glibc malloc
 * puts an 8-byte header on each and rounds every chunk up to 16 bytes, so
 * a 26-byte interned string takes 48 bytes and a 240-byte alert 256.  A
 * slab hands out objects in 8-byte steps from 16 KiB pages with no
 * per-object header: the same string takes 32 bytes, the alert 240.
 *
 * Sizes up to SLAB_MAX are pooled; larger ones go to malloc.  The caller
 * passes the size again on release (alert.c and intern.c know it), so
 * objects need no header.  A page whose objects are all released goes
 * back to malloc (one empty page per size is kept to absorb churn), so
 * memory follows the live set after a burst instead of staying at its
 * peak.
 *
 * Not thread-safe: the router runs one thread. */
#ifndef ROUTER_SLAB_H
#define ROUTER_SLAB_H

#include <stddef.h>

#define SLAB_MAX 512

struct slab;

/* A new pool that really pools, whatever the build (for tests). */
struct slab *slab_new(void);
/* Frees the pool and every page it holds; objects still out become
 * invalid.  Accepts NULL. */
void slab_free(struct slab *s);

/* The process-wide pool used by alert.c and intern.c.  Under
 * AddressSanitizer it passes every call through to malloc/free, so that
 * LeakSanitizer still reports a leaked alert or string by its allocation
 * site (a pooled object lives in a page that stays reachable). */
struct slab *slab_global(void);

/* Returns `size` bytes (size > 0), 8-byte aligned; never NULL. */
void *slab_alloc(struct slab *s, size_t size);
/* Releases p, which slab_alloc(s, size) returned, with the same size. */
void slab_release(struct slab *s, void *p, size_t size);

/* Bytes of pages the pool holds (objects in use, free ones, page headers);
 * objects above SLAB_MAX are not counted.  For tests and the bench. */
size_t slab_bytes(const struct slab *s);
/* Pooled objects currently handed out. */
size_t slab_objects(const struct slab *s);

#endif

/* fpmap.h -- a small hash map from a 64-bit fingerprint to a pointer.
 *
 * For side data that only a few alerts have (the alert store's silence and
 * inhibition lists): keeping it here instead of in every store slot saves
 * 16 bytes per alert.  Open addressing, linear probing, backward-shift
 * deletion; grows at 3/4 load, shrinks below 1/8. */
#ifndef ROUTER_FPMAP_H
#define ROUTER_FPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fpmap_slot;

struct fpmap {
    struct fpmap_slot *slot;
    size_t cap; /* power of two, or 0 */
    size_t n;
};

#define FPMAP_INIT {NULL, 0, 0}

/* The value of key, or NULL. */
void *fpmap_get(const struct fpmap *m, uint64_t key);
/* Sets key's value (val must not be NULL); returns the previous one or
 * NULL. */
void *fpmap_put(struct fpmap *m, uint64_t key, void *val);
/* Removes key; returns its value, or NULL if it was absent. */
void *fpmap_del(struct fpmap *m, uint64_t key);
/* Iteration: start with *pos = 0; false at the end.  No changes meanwhile. */
bool fpmap_next(const struct fpmap *m, size_t *pos, uint64_t *key, void **val);
/* Frees the table (not the values). */
void fpmap_deinit(struct fpmap *m);

#endif

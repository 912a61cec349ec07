/* mem.h -- allocation that never returns NULL.
 *
 * The router is a daemon: half-handled out-of-memory paths are where the
 * bugs live, so every allocation goes through these wrappers, which log and
 * abort when the system is out of memory (as Redis and H2O do). */
#ifndef ROUTER_MEM_H
#define ROUTER_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows an array of `*cap` elements of `elem` bytes so that `need` fit;
 * returns the (possibly moved) array. */
void *xgrow(void *p, size_t *cap, size_t need, size_t elem);

/* ROUTER_ASSERT: for invariants only, never for input. */
#define ROUTER_ASSERT(c) \
    ((c) ? (void)0 : router_assert_fail(#c, __FILE__, __LINE__))
_Noreturn void router_assert_fail(const char *what, const char *file, int line);

#endif

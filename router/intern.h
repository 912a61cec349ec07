/* intern.h -- refcounted string interning for label names and values.
 *
 * 100k alerts typically share a few dozen distinct label names and a few
 * thousand distinct values ("alertname", "severity", "critical", a job
 * name...).  Storing each string once and handing out `const char *`
 * pointers makes those alerts cheap, and lets equal strings be compared by
 * pointer where both sides are interned.
 *
 * The table is process-wide: the router runs one thread and one loop, and
 * every module (alert store, silences, dispatch) must see the same copy of a
 * string for the pointer to be shared.  Each string carries a reference
 * count; the last intern_unref() frees it, so memory follows the live alert
 * set instead of growing forever (no periodic compaction needed).
 *
 * Ownership: intern() and intern_ref() return a NEW reference that the
 * caller releases with intern_unref().  The pointer stays valid until then. */
#ifndef ROUTER_INTERN_H
#define ROUTER_INTERN_H

#include <stddef.h>

/* Returns the interned copy of s (new reference). */
const char *intern(const char *s);
/* Same for the n bytes at s (which need no NUL; must not contain one). */
const char *intern_n(const char *s, size_t n);
/* Takes one more reference to an already interned string s. */
const char *intern_ref(const char *s);
/* Drops one reference; frees the string with the last one.  Accepts NULL. */
void intern_unref(const char *s);

/* Distinct strings currently interned, and the bytes they use (entries
 * plus table slots; malloc overhead excluded).  For metrics and tests. */
size_t intern_count(void);
size_t intern_bytes(void);

#endif

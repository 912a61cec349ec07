/* intern.h -- refcounted string interning for label names and values.
 *
 * 100k alerts typically share a few dozen distinct label names and a few
 * thousand distinct values ("alertname", "severity", "critical", a job
 * name...).  Storing each string once makes those alerts cheap, and lets
 * equal strings be compared by identity where both sides are interned.
 *
 * Each interned string has a 32-bit id as well as its address.  Alerts
 * and their shapes store ids (half the size of a pointer: 40 bytes saved
 * on a 10-pair alert's values alone); intern_str() turns an id back into
 * the string with one array load.  Id
 * INTERN_EMPTY is "", which is always present and costs nothing, so empty
 * values and absent URLs need no entry.  Other modules that keep strings
 * for a while (group labels, silences) use the pointer form.
 *
 * The table is process-wide: the router runs one thread and one loop, and
 * every module (alert store, silences, dispatch) must see the same copy of a
 * string for ids and pointers to be shared.  Each string carries a
 * reference count; the last unref frees it and its id is reused, so memory
 * follows the live alert set instead of growing forever.
 *
 * Ownership: intern(), intern_ref(), intern_id() and intern_id_ref() return
 * a NEW reference that the caller releases with intern_unref() or
 * intern_id_unref() (either form may release a reference taken by the
 * other).  The string stays valid, and its id means it, until then. */
#ifndef ROUTER_INTERN_H
#define ROUTER_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define INTERN_EMPTY 0u /* the id of "" */

/* Returns the interned copy of s (new reference). */
const char *intern(const char *s);
/* Same for the n bytes at s (which need no NUL; must not contain one). */
const char *intern_n(const char *s, size_t n);
/* Takes one more reference to an already interned string s. */
const char *intern_ref(const char *s);
/* Drops one reference; frees the string with the last one.  Accepts NULL. */
void intern_unref(const char *s);

/* The id forms of the same four. */
uint32_t intern_id(const char *s);
uint32_t intern_id_n(const char *s, size_t n);
uint32_t intern_id_ref(uint32_t id);
void intern_id_unref(uint32_t id);

/* The string of a live id (inline below: one load). */
static inline const char *intern_str(uint32_t id);

/* Distinct strings currently interned ("" not counted), and the bytes they
 * use (entries, table slots, the id array; malloc overhead excluded).  For
 * metrics and tests. */
size_t intern_count(void);
size_t intern_bytes(void);

/* ---- inline definitions ---------------------------------------------- */

/* id -> string address; private to intern.c apart from this reader. */
extern const char **intern_strs_;

static inline const char *intern_str(uint32_t id)
{
    return intern_strs_[id];
}

#endif

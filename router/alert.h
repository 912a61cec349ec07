/* alert.h -- the alert: identity, times, and the rules Alertmanager applies
 * to a posted alert before it is stored.
 *
 * Flow: api (decodes JSON) -> alert_new() -> alert_normalize() ->
 * alert_validate() -> alert_store_put().  From the moment an alert is put
 * into the store it is shared (store, aggregation groups, in-flight sends)
 * and immutable: a re-sent alert is merged into a NEW struct alert that
 * replaces the stored one, so a notification being sent keeps seeing the
 * copy it was built from.  Sharing is by reference count.
 *
 * Times are int64 NANOSECONDS since the Unix epoch (UTC), so server-set
 * times keep the full precision Alertmanager prints in webhook payloads
 * (RFC3339Nano).  0 means "unset" (Go's zero time; for ends_at: firing with
 * no known end).  The representable range is 1678..2262; the API rejects
 * times outside it.
 *
 * Labels and annotations are sorted by name; every string is interned
 * (intern.h), so 100k alerts sharing values cost little.  The alert holds
 * its values as intern ids (4 bytes, not an 8-byte pointer) and its names
 * as a shared shape (alert_shape.h): a 10-pair alert is one 88-byte block
 * (48-byte header, 4 bytes a pair), where pointers and `struct labels`
 * took 240.  Read them through the accessors below; the modules that take
 * a `struct labels` (matchers, routes, silences, JSON) get one from
 * alert_labels_view(), a transient array of the pointers. */
#ifndef ROUTER_ALERT_H
#define ROUTER_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "alert_shape.h"
#include "buf.h"
#include "intern.h"
#include "labels.h"

#define NS_PER_MS 1000000LL
#define NS_PER_SEC 1000000000LL

struct alert {
    uint64_t fingerprint;  /* labels_fingerprint() of the labels */
    int64_t starts_at;     /* ns since epoch; 0 = unset */
    int64_t ends_at;       /* ns since epoch; 0 = unset (firing, no end) */
    int64_t updated_at;    /* server receive time; orders merges */
    uint32_t refs : 31;
    uint32_t timeout : 1;  /* ends_at was derived from resolve_timeout */
    uint32_t gen_url;      /* intern id; INTERN_EMPTY when absent */
    const struct alert_shape *shape; /* the names; shared */
    /* intern ids: the value of each label, then of each annotation, in
     * the order of the shape's names */
    uint32_t vals[];
};

/* Builds a new alert (refs = 1) from transient strings, which are copied
 * (interned).  Labels with an empty value are dropped (Alertmanager treats
 * `x=""` as absent); if a name repeats, the last pair wins, as with a JSON
 * object.  Both sets are sorted and the fingerprint computed.  Times are 0
 * and timeout false: set them, then alert_normalize().  generator_url may be
 * NULL.  Names and values are not validated here (see alert_validate). */
struct alert *alert_new(const struct label *labels, size_t nlabels, const struct label *annots,
                        size_t nannots, const char *generator_url);
/* A new, unshared copy (refs = 1) that the caller may modify. */
struct alert *alert_dup(const struct alert *a);

/* Takes one more reference; returns a. */
struct alert *alert_ref(struct alert *a);
/* Drops one reference; the last one frees the alert.  Accepts NULL. */
void alert_unref(struct alert *a);

/* Alertmanager's POST normalisation (reference 1.3 steps 1-3), on an
 * unshared alert: updated_at := now; a missing starts_at becomes ends_at
 * (if set) or now; a missing ends_at becomes now + resolve_timeout and
 * marks the alert timeout-derived. */
void alert_normalize(struct alert *a, int64_t now, int64_t resolve_timeout);

/* Alertmanager's validation, first failure wins, with its wording (the 400
 * body): "start time missing", "start time must be before end time",
 * "invalid label set: invalid name \"x\"", "... invalid value \"...\"",
 * "at least one label pair required", "invalid annotations: ...".
 * Label and annotation names follow the classic rule (0.25). */
int alert_validate(const struct alert *a, struct errbuf *err);

/* resolved <=> ends_at set and ends_at <= now (reference 2.2). */
bool alert_resolved(const struct alert *a, int64_t now);

/* The merge of a re-sent alert with the stored one (reference 2.3), used
 * by the store once it has decided the two overlap: the younger (later
 * updated_at; the new one on a tie) is the base, starts_at is the earlier
 * one, and ends_at follows the resolve/timeout rules.  Returns a new
 * reference: either the younger alert itself (when nothing changes) or a
 * fresh copy.  Both inputs must have the same labels. */
struct alert *alert_merge(struct alert *old, struct alert *new_, int64_t now);


/* ---- reading ---------------------------------------------------------- */

/* Counts, and the i-th name or value (0 <= i < count); inline below. */
static inline size_t alert_nlabels(const struct alert *a);
static inline const char *alert_label_name(const struct alert *a, size_t i);
static inline const char *alert_label_value(const struct alert *a, size_t i);
static inline size_t alert_nannots(const struct alert *a);
static inline const char *alert_annot_name(const struct alert *a, size_t i);
static inline const char *alert_annot_value(const struct alert *a, size_t i);
/* "" when the alert has none; never NULL. */
static inline const char *alert_generator_url(const struct alert *a);

/* The value of label (annotation) `name`, or NULL when absent. */
const char *alert_label_get(const struct alert *a, const char *name);
const char *alert_annot_get(const struct alert *a, const char *name);

/* A transient `struct labels` over an alert's labels or annotations, for
 * the modules that take one.  The strings are the alert's interned ones
 * (valid while the caller holds the alert; intern_ref() works on them).
 * Small sets live inside the view, larger ones on the heap: always pair
 * with alert_view_deinit(). */
#define ALERT_VIEW_INLINE 16
struct alert_view {
    struct labels ls;
    struct label *heap;
    struct label inl[ALERT_VIEW_INLINE];
};
const struct labels *alert_labels_view(const struct alert *a, struct alert_view *v);
const struct labels *alert_annots_view(const struct alert *a, struct alert_view *v);
void alert_view_deinit(struct alert_view *v);

/* ---- inline definitions ---------------------------------------------- */

static inline size_t alert_nlabels(const struct alert *a)
{
    return a->shape->nlabels;
}

static inline const char *alert_label_name(const struct alert *a, size_t i)
{
    return intern_str(a->shape->names[i]);
}

static inline const char *alert_label_value(const struct alert *a, size_t i)
{
    return intern_str(a->vals[i]);
}

static inline size_t alert_nannots(const struct alert *a)
{
    return a->shape->nannots;
}

static inline const char *alert_annot_name(const struct alert *a, size_t i)
{
    return intern_str(a->shape->names[a->shape->nlabels + i]);
}

static inline const char *alert_annot_value(const struct alert *a, size_t i)
{
    return intern_str(a->vals[a->shape->nlabels + i]);
}

static inline const char *alert_generator_url(const struct alert *a)
{
    return intern_str(a->gen_url);
}

#endif

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
 * (intern.h), so 100k alerts sharing values cost little. */
#ifndef ROUTER_ALERT_H
#define ROUTER_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "labels.h"

#define NS_PER_MS 1000000LL
#define NS_PER_SEC 1000000000LL

struct alert {
    uint32_t refs;
    bool timeout;              /* ends_at was derived from resolve_timeout */
    uint64_t fingerprint;      /* labels_fingerprint(&labels) */
    int64_t starts_at;         /* ns since epoch; 0 = unset */
    int64_t ends_at;           /* ns since epoch; 0 = unset (firing, no end) */
    int64_t updated_at;        /* server receive time; orders merges */
    const char *generator_url; /* interned; "" when absent, never NULL */
    struct labels labels;      /* sorted, interned; storage inside the alert */
    struct labels annotations; /* sorted, interned; storage inside the alert */
    struct label kv[];         /* labels then annotations */
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

#endif

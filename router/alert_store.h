/* alert_store.h -- every alert the router knows, by fingerprint.
 *
 * Flow: api -> alert_store_put() -> subscribers (dispatch routes the alert
 * into aggregation groups).  The store applies Alertmanager's merge rules
 * (reference 2.3) to a re-sent alert, keeps resolved alerts until the next
 * GC (--alerts.gc-interval) and holds the per-alert marker the API reports:
 * unprocessed / active / suppressed with the silences and inhibiting alerts
 * that suppress it.
 *
 * An open-addressing hash table keyed by fingerprint: O(1) put, get and
 * delete at any size.  The store holds one reference to each alert it
 * contains; stored alerts are immutable (a merge stores a new alert), so a
 * borrowed pointer stays valid while the store is not modified, and a
 * reference taken with alert_ref() for as long as it is held. */
#ifndef ROUTER_ALERT_STORE_H
#define ROUTER_ALERT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"

enum alert_state { ALERT_UNPROCESSED, ALERT_ACTIVE, ALERT_SUPPRESSED };
#define ALERT_STATE_COUNT 3

/* "unprocessed", "active", "suppressed": the API's status.state. */
const char *alert_state_str(enum alert_state s);

/* The marker of one alert, as the API reports it.  Borrowed: valid until
 * the alert's marker or the store changes. */
struct alert_status {
    enum alert_state state;
    size_t n_silenced_by;
    char *const *silenced_by; /* silence ids, as last set */
    size_t n_inhibited_by;
    const uint64_t *inhibited_by; /* fingerprints of inhibiting alerts */
};

struct alert_store;

/* Called after every put with the alert now stored (the merged one);
 * borrowed: alert_ref() it to keep it.  Must not modify the store. */
typedef void alert_store_put_fn(void *ud, struct alert *stored);
/* Called by GC for each alert removed, just before the store drops its
 * reference.  Must not modify the store. */
typedef void alert_store_gc_fn(void *ud, struct alert *removed);

/* Returns a new empty store; free with alert_store_free(). */
struct alert_store *alert_store_new(void);
/* Drops every alert and marker.  Accepts NULL. */
void alert_store_free(struct alert_store *st);

/* Inserts alert a (normalised and validated by the caller), merging it with
 * the stored alert of the same fingerprint when their activity ranges
 * overlap (reference 2.3); without overlap a replaces the stored alert.
 * Does not steal a: the store takes its own reference.  The marker of the
 * fingerprint is kept.  Notifies the subscribers.  Returns the stored alert
 * (borrowed). */
struct alert *alert_store_put(struct alert_store *st, struct alert *a, int64_t now);

/* The stored alert with fingerprint fp, or NULL.  Borrowed. */
struct alert *alert_store_get(const struct alert_store *st, uint64_t fp);
/* Number of stored alerts (firing and not yet collected resolved ones). */
size_t alert_store_len(const struct alert_store *st);

/* Iteration in table order: start with *pos = 0; returns false at the end.
 * The store must not be modified during an iteration. */
bool alert_store_next(const struct alert_store *st, size_t *pos, struct alert **out);

/* All stored alerts sorted by fingerprint (the API's order), as a new
 * array of NEW references; release with alert_list_free(). */
size_t alert_store_list(const struct alert_store *st, struct alert ***out);
void alert_list_free(struct alert **v, size_t n);

/* Removes every alert resolved at `now`, and its marker, calling cb (may
 * be NULL) for each.  Returns the number removed. */
size_t alert_store_gc(struct alert_store *st, int64_t now, alert_store_gc_fn *cb, void *ud);

/* Registers fn to be called on every put.  Subscribers run in
 * registration order.  Returns -1 if fn/ud is already registered. */
int alert_store_subscribe(struct alert_store *st, alert_store_put_fn *fn, void *ud);
/* Removes a registration; -1 if it is unknown. */
int alert_store_unsubscribe(struct alert_store *st, alert_store_put_fn *fn, void *ud);

/* Counts the stored alerts that are not resolved at `now` by marker state
 * (alertmanager_alerts{state=...}).  counts is indexed by enum
 * alert_state. */
void alert_store_count(const struct alert_store *st, int64_t now, size_t counts[ALERT_STATE_COUNT]);

/* ---- restoring (alert_journal) ---------------------------------------
 * Set or remove exactly, without the merge rules and without telling the
 * subscribers: for rebuilding the store from disk before anyone has
 * subscribed.  restore takes its own reference; a replaced alert keeps its
 * marker.  remove returns -1 if fp is unknown. */
void alert_store_restore(struct alert_store *st, struct alert *a);
int alert_store_remove(struct alert_store *st, uint64_t fp);

/* ---- markers -------------------------------------------------------
 * Alertmanager's marker: an alert is unprocessed until the silencer or the
 * inhibitor has looked at it; then suppressed while either list is
 * non-empty, else active.  Each setter replaces its list (n = 0 clears it;
 * the ids/fps are copied) and returns -1 if no alert has that
 * fingerprint. */
int alert_store_set_silenced(struct alert_store *st, uint64_t fp, const char *const *ids, size_t n);
int alert_store_set_inhibited(struct alert_store *st, uint64_t fp, const uint64_t *fps, size_t n);
/* Fills *out; returns -1 if no alert has that fingerprint. */
int alert_store_status(const struct alert_store *st, uint64_t fp, struct alert_status *out);

#endif

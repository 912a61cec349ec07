/* nflog.h -- the notification log: what was last sent to whom, and the
 * dedup decision made against it.
 *
 * Where this sits: on every flush, for each integration of the receiver,
 * the pipeline asks nflog_needs_update() whether the alerts that survived
 * inhibition and silences warrant a notification; after a successful send
 * (notify.h) it records the firing and resolved sets with nflog_log().
 * Alertmanager's DedupStage and SetNotifiesStage (0.25), exactly:
 *
 *   key    (group key, receiver name, integration name, integration index),
 *          written as Alertmanager does: "<groupKey>:<receiver>/<integ>/<idx>"
 *   entry  firing alert hashes, resolved alert hashes, the send time, and an
 *          expiry of min(--data.retention, 2 x repeat_interval) after it
 *
 * An alert's hash is a stable 64-bit hash of its sorted label set: we use
 * its fingerprint (FNV-1a; Alertmanager uses xxhash here, and the file is
 * ours, not Alertmanager's, so nothing needs to agree bit for bit).
 *
 * Persistence: <storage.path>/nflog.json, written by nflog_snapshot() (temp
 * file, fsync, rename, fsync of the directory) and read at start by
 * nflog_load(); a corrupt file is set aside and reported, never fatal:
 * the worst outcome of an empty log is one repeated notification per group.
 * Format (times are integer ns since the epoch, hashes 16 hex digits):
 *
 *   {"format": "alertrouter-nflog", "version": 1, "count": N,
 *    "entries": [{"groupKey": "...", "receiver": "...", "integration":
 *                 "webhook", "idx": 0, "timestamp": ns, "expiresAt": ns,
 *                 "firing": ["14c45fec1cfde37e"], "resolved": []}]}
 *
 * Metrics: alertmanager_nflog_queries_total, _query_errors_total (a lookup
 * that finds nothing counts as an error, as in Alertmanager),
 * _query_duration_seconds, _gc_duration_seconds, _snapshot_duration_seconds
 * and _snapshot_size_bytes. */
#ifndef ROUTER_NFLOG_H
#define ROUTER_NFLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "buf.h"

#define NFLOG_FILE_NAME "nflog.json"

struct nflog;

struct nflog_key {
    const char *group_key;
    const char *receiver;    /* receiver name */
    const char *integration; /* "webhook", "slack", "email", ... */
    unsigned idx;            /* index among the receiver's integrations of that kind */
};

/* One entry.  Borrowed from the log: valid until it is next modified. */
struct nflog_entry {
    int64_t timestamp;  /* ns: when the notification was sent */
    int64_t expires_at; /* ns */
    size_t n_firing, n_resolved;
    const uint64_t *firing; /* sorted, no duplicates */
    const uint64_t *resolved;
};

/* The hash sets of the alerts reaching the dedup stage, firing and
 * resolved as of the flush instant: sorted, no duplicates. */
struct nflog_sets {
    size_t n_firing, n_resolved;
    uint64_t *firing, *resolved;
};

/* `dir`: where nflog.json lives (NULL: in memory only).  `retention`
 * (ns): --data.retention, the longest an entry is kept.  Returns a new,
 * empty log; free with nflog_free(). */
struct nflog *nflog_new(const char *dir, int64_t retention);
void nflog_free(struct nflog *l); /* accepts NULL */

/* Loads the snapshot, dropping entries expired at `now`.  Returns 0 when
 * everything loaded (also when there is no file).  Returns -1 with err set
 * when the file was unreadable or corrupt (it is renamed to
 * nflog.json.corrupt-<unix time>, and the log stays empty), or when some
 * entries were invalid (the others are loaded; a copy of the file is kept
 * as nflog.json.corrupt-<unix time>).  Either way the log is usable. */
int nflog_load(struct nflog *l, int64_t now, struct errbuf *err);

/* Writes the snapshot.  Returns its size in bytes, or -1 with err set
 * (the previous file is untouched then).  No-op (0) without a dir. */
long nflog_snapshot(struct nflog *l, struct errbuf *err);

/* Alertmanager's maintenance (every --data.maintenance-interval and at
 * shutdown): GC, then snapshot.  Returns as nflog_snapshot(). */
long nflog_maintain(struct nflog *l, int64_t now, struct errbuf *err);

/* Removes entries whose expiry is not after `now`; returns how many. */
size_t nflog_gc(struct nflog *l, int64_t now);
size_t nflog_len(const struct nflog *l);

/* The entry for k, or NULL. */
const struct nflog_entry *nflog_query(struct nflog *l, const struct nflog_key *k);

/* Records a notification sent at `now` (SetNotifiesStage): the sets are
 * copied (sorted and de-duplicated here).  `expiry` (ns; 0 = none) is
 * 2 x repeat_interval; the entry expires at now + min(retention, expiry).
 * An existing entry with a later timestamp is kept (clock went back). */
void nflog_log(struct nflog *l, const struct nflog_key *k, const uint64_t *firing, size_t n_firing,
               const uint64_t *resolved, size_t n_resolved, int64_t now, int64_t expiry);

/* ---- the dedup decision ---------------------------------------------------- */

/* The hash nflog uses for an alert: its label fingerprint. */
uint64_t nflog_alert_hash(const struct alert *a);

/* Fills s from alerts, split by alert_resolved(a, now).  Free with
 * nflog_sets_deinit(). */
void nflog_sets_from_alerts(struct nflog_sets *s, struct alert *const *alerts, size_t n,
                            int64_t now);
void nflog_sets_deinit(struct nflog_sets *s);

enum nflog_reason {
    NFLOG_NO_UPDATE,     /* nothing to send */
    NFLOG_FIRST,         /* "first notification" */
    NFLOG_NEW_ALERTS,    /* "new alerts added" */
    NFLOG_SOME_RESOLVED, /* "some alerts resolved" */
    NFLOG_ALL_RESOLVED,  /* "all alerts resolved" */
    NFLOG_REPEAT,        /* "repeat interval elapsed" */
};

/* Alertmanager 0.25's DedupStage.needsUpdate, in its order:
 *   1. no entry: send iff something fires;
 *   2. a firing alert not in the entry's firing set: send;
 *   3. nothing fires: send iff the entry had firing alerts ("all resolved",
 *      even with send_resolved false, so the log is cleared);
 *   4. send_resolved and a resolved alert not in the entry's resolved set:
 *      send;
 *   5. the entry is older than repeat_interval: send.
 * A firing alert that merely disappeared (silenced, say) sends nothing.
 * The reason names follow Alertmanager 0.32+'s notification_reason. */
enum nflog_reason nflog_needs_update(const struct nflog_entry *e, const struct nflog_sets *s,
                                     bool send_resolved, int64_t repeat_interval, int64_t now);
const char *nflog_reason_str(enum nflog_reason r);

#endif

/* alert_journal.h -- active alerts on disk, so a restart (SIGTERM or
 * kill -9) forgets no firing alert.  Alertmanager keeps alerts only in
 * memory; this is one of the things alertrouter adds.
 *
 * Flow: api -> alert_store_put() -> (subscriber) journal record; GC ->
 * alert_journal_note_gc(); from time to time a compaction.
 *
 * Files under <storage.path> (record format: alert_record.h):
 *   alerts.journal.<N>  append-only journals, generation N: one record per
 *                       stored alert version (as stored, after the merge) or
 *                       removal.  Appends are buffered and written (write(2),
 *                       which survives kill -9) by alert_journal_flush(): the
 *                       API calls it before acknowledging a POST.
 *   alerts.snap         the whole store, covering every journal <= its
 *                       generation.
 * A compaction starts journal N+1, writes a snapshot covering N, then
 * deletes the journals <= N.  A crash at any point leaves a snapshot and
 * the journals after it; loading replays them in order.  Every start opens
 * a new generation, so a damaged tail is never appended to.
 *
 * Markers are not stored: the silencer and inhibitor recompute them on the
 * next flush, as after any start. */
#ifndef ROUTER_ALERT_JOURNAL_H
#define ROUTER_ALERT_JOURNAL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert_store.h"
#include "buf.h"

struct alert_journal;

/* Loads the snapshot and replays the journals into st, which should be
 * empty and have no subscribers yet (restored alerts are not announced:
 * dispatch, when it starts, walks the store with alert_store_next), then
 * subscribes to st so that every later put is journaled.  Returns NULL with
 * err if the directory cannot be used.  Anything dropped while loading (a
 * damaged snapshot, a damaged journal tail) is described in warn for the
 * log (warn->msg is "" when all was well), and the damaged file is kept as
 * <file>.corrupt-<unix time>. */
struct alert_journal *alert_journal_open(const char *dir, struct alert_store *st,
                                         struct errbuf *warn, struct errbuf *err);
/* Waits for a running compaction, flushes, unsubscribes, closes.
 * Accepts NULL. */
void alert_journal_close(struct alert_journal *j);

/* Records that GC removed fp (call from the alert_store_gc callback). */
void alert_journal_note_gc(struct alert_journal *j, uint64_t fp);
/* Writes the buffered records.  -1 with err on an I/O error: the records
 * stay buffered and are retried (up to 64 MiB, beyond which they are
 * dropped and the journal waits for a compaction to be whole again). */
int alert_journal_flush(struct alert_journal *j, struct errbuf *err);

/* True when a compaction is due: the journals hold more than `max_bytes`
 * (and more than the last snapshot), or records were dropped. */
bool alert_journal_needs_compaction(const struct alert_journal *j, uint64_t max_bytes);
/* Compacts in a forked child, so the loop does not wait for the snapshot
 * (about 30 MB and 200 ms at 100k alerts); completion is seen by an
 * ev_child watcher on `loop` (libev's default loop: the one that reaps
 * children).  Returns 0 when started or already running. */
int alert_journal_compact_start(struct alert_journal *j, struct ev_loop *loop, struct errbuf *err);
/* Compacts synchronously (shutdown, tests). */
int alert_journal_compact(struct alert_journal *j, struct errbuf *err);
bool alert_journal_compacting(const struct alert_journal *j);

/* Bytes in the journal files plus the buffered ones. */
uint64_t alert_journal_size(const struct alert_journal *j);

#endif

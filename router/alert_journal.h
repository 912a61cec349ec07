/* alert_journal.h -- active alerts on disk, so a restart (SIGTERM or
 * kill -9) forgets no firing alert.  Alertmanager keeps alerts only in
 * memory; this is one of the things alertrouter adds.
 *
 * Flow: api -> alert_store_put() -> (subscriber) journal record; GC ->
 * alert_journal_note_gc(); periodically alert_journal_compact().
 *
 * Two files under <storage.path>:
 *   alerts.journal  append-only: a header, then one record per stored alert
 *                   version (the alert as stored, after the merge) or
 *                   removal.  Appends are buffered and written (write(2),
 *                   which survives kill -9) by alert_journal_flush(): the API
 *                   calls it before acknowledging a POST.
 *   alerts.snap     the whole store at the last compaction.
 * Each record is [u32 length][u32 CRC-32][payload], little-endian, so a
 * torn or damaged tail is detected and cut off (a copy of the file is kept
 * as .corrupt-<unix time>) instead of being misread.  Snapshot and journal
 * carry a generation number: the snapshot says which journal generation it
 * already contains, so a crash between writing the snapshot and starting a
 * new journal cannot replay (or lose) anything.
 *
 * Markers are not stored: they are recomputed by the silencer and
 * inhibitor on the next flush, as after any start. */
#ifndef ROUTER_ALERT_JOURNAL_H
#define ROUTER_ALERT_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "alert_store.h"
#include "buf.h"

struct alert_journal;

/* Loads the snapshot and replays the journal into st, which should be
 * empty and have no subscribers yet (restored alerts are not announced:
 * dispatch, when it starts, walks the store with alert_store_next), then
 * subscribes to st so that every later put is journaled.  Returns NULL with
 * err if the directory cannot be used.  Anything dropped while loading (a
 * corrupt snapshot, a damaged journal tail) is described in warn for the
 * log (warn->msg is "" when all was well); the damaged file is kept. */
struct alert_journal *alert_journal_open(const char *dir, struct alert_store *st,
                                         struct errbuf *warn, struct errbuf *err);
/* Flushes, unsubscribes and closes.  Accepts NULL. */
void alert_journal_close(struct alert_journal *j);

/* Records that GC removed fp (call from the alert_store_gc callback). */
void alert_journal_note_gc(struct alert_journal *j, uint64_t fp);
/* Writes the buffered records to the journal file.  -1 with err on an I/O
 * error (the records stay buffered and are retried on the next flush). */
int alert_journal_flush(struct alert_journal *j, struct errbuf *err);
/* Writes a snapshot of the store (temp file, fsync, rename) and starts an
 * empty journal.  Synchronous: about 25 MB at 100k alerts; main runs it
 * at the GC interval and at shutdown, when the journal has grown. */
int alert_journal_compact(struct alert_journal *j, struct errbuf *err);
/* Bytes in the journal file plus the buffered ones. */
uint64_t alert_journal_size(const struct alert_journal *j);

#endif

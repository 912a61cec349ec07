/* nflog_journal.h -- every successful notification made durable at once.
 *
 * Alertmanager snapshots its notification log every 15 minutes and at a
 * clean shutdown, so a crash (kill -9, OOM) loses the record of recent
 * sends and the restarted process sends them again.  alertrouter appends
 * one record per nflog_log() to <storage.path>/nflog.journal with a single
 * write(2) before the send is reported done, so a process killed right
 * after a send remembers it (the page cache survives the process; only a
 * power loss can drop the unsynced tail).  At start the journal is replayed
 * over the last snapshot (nflog.json); compaction writes a snapshot and
 * empties the journal.
 *
 * Record: one line of JSON, newline-terminated:
 *   {"g":"<groupKey>","r":"<receiver>","i":"webhook","x":0,"t":<ns>,
 *    "e":<expiry ns>,"f":["<hash hex>",...],"s":[...]}
 * A torn last line (no newline, or not valid JSON) is dropped with a
 * warning.  Replaying a record already in the snapshot is harmless: it
 * sets the same entry again (nflog_log keeps the later timestamp). */
#ifndef ROUTER_NFLOG_JOURNAL_H
#define ROUTER_NFLOG_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "nflog.h"

#define NFLOG_JOURNAL_FILE "nflog.journal"

struct nflog_journal;

/* Replays <dir>/nflog.journal into l (load the snapshot into l first),
 * then opens it for appending.  Returns NULL with err if the file cannot
 * be opened; damaged records are skipped and described in warn (warn->msg
 * "" when all was well). */
struct nflog_journal *nflog_journal_open(const char *dir, struct nflog *l, struct errbuf *warn,
                                         struct errbuf *err);
void nflog_journal_close(struct nflog_journal *j); /* accepts NULL */

/* Records what nflog_log(l, k, firing..., now, expiry) just recorded.
 * Returns -1 with err when the write failed (the nflog in memory still has
 * it; the next compaction writes it to the snapshot). */
int nflog_journal_append(struct nflog_journal *j, const struct nflog_key *k, const uint64_t *firing,
                         size_t n_firing, const uint64_t *resolved, size_t n_resolved, int64_t now,
                         int64_t expiry, struct errbuf *err);

/* nflog_maintain (GC + snapshot) and, when the snapshot is written,
 * truncates the journal.  Returns as nflog_maintain. */
long nflog_journal_compact(struct nflog_journal *j, int64_t now, struct errbuf *err);
/* Bytes in the journal file. */
uint64_t nflog_journal_size(const struct nflog_journal *j);

#endif

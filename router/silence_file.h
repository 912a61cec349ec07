/* silence_file.h -- the silences snapshot on disk.
 *
 * File <storage.path>/silences.json (not Alertmanager's protobuf
 * `silences`, so pointing --storage.path at an old Alertmanager directory
 * neither misreads nor overwrites its file):
 *
 *   {"format": "alertrouter-silences", "version": 1, "count": N,
 *    "silences": [{"id": "<uuid>", "matchers": [{"name": "a", "type": "=~",
 *                  "value": "b"}, ...], "startsAt": <ns>, "endsAt": <ns>,
 *                  "updatedAt": <ns>, "createdBy": "...", "comment": "..."}]}
 *
 * Times are integer nanoseconds since the epoch (exact round trip).  JSON
 * because it is readable with jq when someone has to look, and because a
 * truncated JSON document never parses: with "count" checked too, a
 * partial write cannot pass for a smaller set of silences.  Writes go to
 * a temp file in the same directory, are fsync'ed, renamed over the old
 * file, and the directory is fsync'ed: a crash leaves the old or the new
 * snapshot, never a mix. */
#ifndef ROUTER_SILENCE_FILE_H
#define ROUTER_SILENCE_FILE_H

#include <stddef.h>

#include "buf.h"
#include "silence.h"

#define SILENCE_FILE_NAME "silences.json"

int silence_file_write(const char *path, struct silence *const *v, size_t n, struct errbuf *err);

/* Reads path into *out (a new array of new silences, *n of them).
 * Returns 0 when everything loaded (also when the file does not exist).
 * Returns -1 with a message in err when the file was unreadable, corrupt
 * or truncated (it is renamed to <path>.corrupt-<unix time>, *n = 0), or
 * when some entries were invalid and skipped (the others are returned and
 * the file is kept as a hard link <path>.corrupt-<unix time>). */
int silence_file_read(const char *path, struct silence ***out, size_t *n, struct errbuf *err);

#endif

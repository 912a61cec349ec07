/* fileio.h -- whole-file primitives for the state files in --storage.path
 * (silences snapshot, alerts snapshot and journals; the notification log
 * can use them too).
 *
 * The one rule they share: a file that is replaced is never seen half
 * written.  fileio_replace() writes a temp file beside the target, fsyncs
 * it, renames it over the target and fsyncs the directory, so a crash at
 * any point leaves the old file or the new one.  These calls block on the
 * disk; callers use them at start-up, on shutdown, or in a forked child. */
#ifndef ROUTER_FILEIO_H
#define ROUTER_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Reads the whole file: 0, 1 if it does not exist, -1 with err.  *out is a
 * new NUL-terminated buffer of *len bytes (free()). */
int fileio_read(const char *path, unsigned char **out, size_t *len, struct errbuf *err);

/* write(2) until all n bytes are written, retrying EINTR; -1 with errno. */
int fileio_write_all(int fd, const void *p, size_t n);

/* fsyncs the directory that holds path, making a rename in it durable.
 * Best effort: a directory that cannot be opened is skipped. */
void fileio_fsync_dir(const char *path);

/* Replaces path with data[0..n) through path + ".tmp" (see above).  0, or
 * -1 with err naming the step that failed; the temp file is removed on
 * failure. */
int fileio_replace(const char *path, const void *data, size_t n, struct errbuf *err);

/* Keeps a damaged file for a human as <path>.corrupt-<unix time> (with a
 * random suffix if that name is taken): renamed away (move) or hard-linked
 * (the file stays in use).  0 with the copy's name in *name, -1 with
 * errno. */
int fileio_keep_copy(const char *path, bool move, struct buf *name);

#endif

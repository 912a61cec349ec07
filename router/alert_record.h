/* alert_record.h -- the on-disk record format of the alert journal and
 * snapshot (alert_journal.h); the files themselves go through fileio.h.
 *
 * A file is a sequence of records [u32 length][u32 CRC-32][payload],
 * little-endian.  The CRC and the length bound make a torn or damaged record
 * detectable, so readers stop at the last good one instead of misreading.
 * Payloads (str = u32 length + bytes):
 *   HEADER  u8 0, "ARJ1", u64 generation
 *   PUT     u8 1, u64 fingerprint, u8 timeout, i64 starts_at, ends_at,
 *           updated_at, str generator_url, u32 n, n x (str name, str value)
 *           labels, u32 n, n x (str, str) annotations
 *   DELETE  u8 2, u64 fingerprint
 *   END     u8 3, u64 number of PUT records (closes a snapshot) */
#ifndef ROUTER_ALERT_RECORD_H
#define ROUTER_ALERT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "buf.h"

enum { AREC_HEADER, AREC_PUT, AREC_DELETE, AREC_END };

/* Appenders: each adds one complete record to b. */
void arec_header(struct buf *b, uint64_t gen);
void arec_put(struct buf *b, const struct alert *a);
void arec_u64(struct buf *b, int type, uint64_t v); /* DELETE, END */

/* Walks the records of data[0..len).  arec_next() returns the type of the
 * record at *off, points payload/n at it and advances *off; -1 at the end
 * or at a short, oversized or damaged record (*off then stays at the first
 * byte not known good). */
int arec_next(const unsigned char *data, size_t len, size_t *off, const unsigned char **payload,
              size_t *n);
/* Payload decoders; -1 (NULL) if the payload is malformed. */
int arec_parse_header(const unsigned char *p, size_t n, uint64_t *gen);
int arec_parse_u64(const unsigned char *p, size_t n, uint64_t *v);
/* A new alert (refs = 1) whose labels still hash to the recorded
 * fingerprint. */
struct alert *arec_parse_put(const unsigned char *p, size_t n);

#endif

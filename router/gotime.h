/* gotime.h -- timestamps as Alertmanager's API parses and prints them.
 *
 * The v2 API parses startsAt/endsAt with go-openapi's strfmt.DateTime,
 * which tries ten layouts in turn (RFC3339 with micro/milli/nano seconds,
 * with and without a colon in the zone, local time without a zone, minutes
 * only, "2006-01-02 15:04:05") and reports the error of the last one; the
 * v1 API uses time.Time's UnmarshalJSON (RFC3339 on the raw JSON text,
 * quotes included).  Both are Go's time.Parse underneath, which this module
 * reproduces for those layouts, messages included ("parsing time \"x\" as
 * \"2006-01-02 15:04:05\": cannot parse \"x\" as \"2006\"", "... month out
 * of range").  Responses print RFC3339 in UTC with milliseconds.
 *
 * Times are int64 nanoseconds since the epoch (alert.h); instants outside
 * 1678..2262 are clamped to that range. */
#ifndef ROUTER_GOTIME_H
#define ROUTER_GOTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

/* Go's zero time.Time, 0001-01-01T00:00:00Z, in seconds since the epoch. */
#define GOTIME_ZERO_UNIX (-62135596800LL)

/* strfmt.ParseDateTime(s).  On success sets *ns and *zero (true when the
 * instant is Go's zero time, which Alertmanager treats as "unset").  ""
 * is the epoch, as strfmt's NewDateTime().  Returns -1 with Go's message. */
int gotime_parse_datetime(const char *s, int64_t *ns, bool *zero, struct errbuf *err);

/* time.Time.UnmarshalJSON(raw) for the raw JSON text of a value (for a
 * string: with its quotes, escapes unresolved).  `null` leaves *ns alone
 * and returns 1. */
int gotime_parse_json_rfc3339(const char *raw, size_t n, int64_t *ns, bool *zero,
                              struct errbuf *err);

/* Appends ns as "2006-01-02T15:04:05.000Z" (strfmt.DateTime's JSON form,
 * UTC, milliseconds truncated), without quotes. */
void gotime_format_ms(struct buf *b, int64_t ns);

/* The current wall-clock time in ns. */
int64_t gotime_now(void);

#endif

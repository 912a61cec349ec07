/* gojson.h -- JSON text as Go's encoding/json writes it.
 *
 * Notifier payloads must be byte-identical to Alertmanager's (receivers
 * diff them, tests compare them), and Alertmanager builds them with Go's
 * json.Encoder.  jansson escapes differently (\b, \f, no <>&), so payloads
 * are written with these helpers instead.  Go 1.19's rules (the Go that
 * built Debian's Alertmanager 0.25, verified against its output):
 *
 *   - '"' and '\\' are backslash-escaped; \n \r \t are written as such;
 *     every other byte below 0x20 as \u00XX (lower-case hex); 0x7f raw;
 *   - '<' '>' '&' as \u003c \u003e \u0026 (HTML-safe, Go's default);
 *   - U+2028 and U+2029 as \u2028 \u2029;
 *   - each byte that is not part of valid UTF-8 as \ufffd;
 *   - everything else verbatim.
 *
 * Times are time.Time's MarshalJSON: RFC3339Nano in UTC with the fraction's
 * trailing zeros trimmed ("2026-11-26T17:27:28.12Z"); Go's zero time
 * ("0001-01-01T00:00:00Z") for 0. */
#ifndef ROUTER_GOJSON_H
#define ROUTER_GOJSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "labels.h"

/* Appends s (n bytes) as a quoted JSON string. */
void gojson_string(struct buf *out, const char *s, size_t n);
/* The same for a NUL-terminated string; NULL is written as "". */
void gojson_str(struct buf *out, const char *s);
/* Appends the quoted RFC3339Nano form of `ns` (nanoseconds since the Unix
 * epoch, UTC; 0 = Go's zero time). */
void gojson_time(struct buf *out, int64_t ns);
/* Appends a map[string]string: {"a":"x","b":"y"} with keys in byte order,
 * as Go sorts map keys.  ls must be sorted by name (label sets are). */
void gojson_labels(struct buf *out, const struct labels *ls);

#endif

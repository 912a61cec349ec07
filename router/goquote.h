/* goquote.h -- Go's strconv.Quote, for output that must equal Alertmanager's.
 *
 * Alertmanager prints matcher values with %q (group keys, route keys,
 * `amtool` output, log lines), so our text has to quote the same way: \" and
 * \\, \a \b \f \n \r \t \v, other control bytes as \xNN, invalid UTF-8 bytes
 * as \xNN, non-printable runes (Unicode categories C and Z except the ASCII
 * space) as \uNNNN or \UNNNNNNNN, everything else verbatim. */
#ifndef ROUTER_GOQUOTE_H
#define ROUTER_GOQUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Appends "s" quoted as strconv.Quote(s) (with the surrounding quotes). */
void go_quote(struct buf *out, const char *s, size_t n);
/* Go's unicode.IsPrint. */
bool go_isprint(uint32_t r);
/* Go's unicode.IsSpace (White_Space: ASCII \t\n\v\f\r space, U+0085, U+00A0,
 * U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). */
bool go_isspace(uint32_t r);

#endif

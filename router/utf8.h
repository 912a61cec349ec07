/* utf8.h -- UTF-8 decoding and encoding with Go's rules.
 *
 * Alertmanager is written in Go, and several of its behaviours depend on
 * how Go walks a string: an invalid byte decodes as U+FFFD of width 1, so a
 * regex sees one replacement character per bad byte, strconv.Quote prints it
 * as \xNN, and the matcher lexer counts it as one column.  These helpers
 * reproduce that, so the parsers, the regex front end and the quoting agree
 * with Alertmanager byte for byte. */
#ifndef ROUTER_UTF8_H
#define ROUTER_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define UTF8_RUNE_ERROR 0xfffdu

/* Decodes the rune at s (n bytes available) as Go's utf8.DecodeRuneInString:
 * returns its width (1..4) and stores it in *r; an invalid or truncated
 * sequence gives *r = U+FFFD and width 1; n == 0 gives width 0. */
size_t utf8_decode(const char *s, size_t n, uint32_t *r);
/* Appends the UTF-8 encoding of r (r must be a valid scalar value). */
void utf8_put(struct buf *out, uint32_t r);
/* Appends s with every invalid byte replaced by U+FFFD, as Go's
 * strings.ToValidUTF8 would per byte (what `for range s` yields). */
void utf8_sanitize(struct buf *out, const char *s, size_t n);

#endif

/* mime.h -- the building blocks of an Internet message (RFC 5322 and MIME).
 *
 * The email notifier (notify_email.c) assembles an alert mail from these:
 * quoted-printable bodies (RFC 2045), header fields folded to 78 columns with
 * non-ASCII text as RFC 2047 encoded-words, address lists parsed from the
 * templated `to`/`from` and written back canonically, and the RFC 5322 date.
 * Everything here is pure (no I/O), so it is tested byte for byte.
 *
 * Why so strict: header values come from templates fed by alert labels,
 * which anyone who can post an alert controls.  A CR or LF that reached the
 * message would let them add headers, or -- in an address -- SMTP commands.
 * So line breaks inside a header value or an address are refused (the send
 * fails with the reason, permanently), and every value is re-encoded rather
 * than copied. */
#ifndef ROUTER_MIME_H
#define ROUTER_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"

/* Longest line we write in a header (RFC 5322 2.1.1 "SHOULD" limit) and in
 * a quoted-printable body (RFC 2045 6.7 rule 5: 76 plus CRLF). */
#define MIME_HEADER_LINE 78
#define MIME_QP_LINE 76

/* Appends `s` (len bytes of text, lines ended by LF or CRLF) to out as
 * quoted-printable: line ends become CRLF (hard breaks), longer lines get
 * soft breaks ("=" CRLF) so that no line exceeds MIME_QP_LINE, '=', control
 * characters, a lone CR and every byte >= 0x80 become =XX, and a space or
 * tab at the end of a line is encoded (a transport may strip it).  A soft
 * break never splits an =XX triplet nor a UTF-8 character.  The output ends
 * with CRLF when the input ends with a line break, as the text does. */
void mime_qp_encode(struct buf *out, const char *s, size_t len);

/* Whether `name` is a valid header field name (RFC 5322 ftext: printable
 * ASCII except ':'), 1..76 characters. */
bool mime_header_name_valid(const char *name);

/* Appends the header field "name: value" CRLF, folded at white space so
 * that lines stay within MIME_HEADER_LINE where possible.  The value is
 * unstructured text (Subject, custom headers): when it holds non-ASCII or
 * control characters, or something a reader would take for an
 * encoded-word, it is written as RFC 2047 UTF-8 encoded-words (Q or B,
 * whichever is shorter), each at most 75 characters, split on whole
 * characters.  White space around the value is trimmed (a template's
 * trailing newline).  Returns -1 with err set when the name is invalid,
 * the value is not UTF-8, or it holds CR, LF or NUL inside; out is then
 * unchanged. */
int mime_header_text(struct buf *out, const char *name, const char *value, struct errbuf *err);

/* ---- addresses (RFC 5322 3.4) ---------------------------------------------- */

struct mime_addr {
    char *name; /* display name, unquoted; NULL when none */
    char *addr; /* addr-spec, canonical: local part quoted only if needed */
};

struct mime_addr_list {
    size_t n;
    struct mime_addr *v;
};

/* Parses an address list such as `a@x, "Ops, EU" <ops@x>, Team: b@x, c@x;`:
 * display names (atoms or quoted strings), quoted local parts, domain
 * literals, comments, and groups (flattened into their members).  Empty
 * list elements are skipped; at least one address is required.  Local
 * parts and domains must be ASCII (we do not speak SMTPUTF8); display
 * names may be UTF-8.  Returns 0 and fills *out (free with
 * mime_addr_list_deinit), or -1 with err naming the problem and the byte
 * offset; *out is then empty. */
int mime_addr_list_parse(const char *s, struct mime_addr_list *out, struct errbuf *err);
void mime_addr_list_deinit(struct mime_addr_list *l);

/* Appends "name: " and the addresses, comma-separated, each written as
 * `addr` or `display <addr>` (the display name as atoms, a quoted string, or
 * encoded-words when not ASCII), folded between addresses. */
void mime_header_addrs(struct buf *out, const char *name, const struct mime_addr_list *l);

/* Appends the RFC 5322 date-time of t in the local time zone with a
 * numeric offset: "Thu, 26 Nov 2026 17:30:00 +0000".  Day and month names
 * are English whatever the locale. */
void mime_date(struct buf *out, time_t t);

#endif

/* gojson_read.h -- JSON read the way Go's encoding/json reads it.
 *
 * Alertmanager's API is Go: what it accepts, what it answers for a broken
 * body, and the bytes of every response are those of encoding/json (Go
 * 1.19, what Debian's 0.25 is built with).  Clients and tests compare them,
 * so the API (api_*.c) reads JSON through this module (and writes it with
 * gojson.h):
 *
 *   - gojson_scan(): the syntax check json.Decoder.Decode runs before it
 *     decodes anything, with Go's messages ("invalid character 'x' looking
 *     for beginning of value", "unexpected EOF"), and the Decoder's habit of
 *     reading only the first value (trailing bytes are ignored).
 *   - a cursor over text gojson_scan() accepted: the decoders in the API
 *     walk it without ever meeting a syntax error, so they only deal with
 *     types, which is where Go's decoding rules live.
 *
 * No tree is built: the POST /api/v2/alerts path decodes straight into
 * label arrays, the hot path of the whole router. */
#ifndef ROUTER_GOJSON_READ_H
#define ROUTER_GOJSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Scans the first JSON value of p[0..n) (leading whitespace skipped).
 * Returns 0 and sets *end past the value; 1 if the input holds only
 * whitespace (Go's io.EOF); -1 with Go's error text in err (for example
 * "invalid character '}' looking for beginning of object key string",
 * "unexpected EOF", "invalid character '[' exceeded max depth"). */
int gojson_scan(const char *p, size_t n, size_t *end, struct errbuf *err);

/* The value kinds as Go's UnmarshalTypeError names them. */
enum gojson_kind { GJ_OBJECT, GJ_ARRAY, GJ_STRING, GJ_NUMBER, GJ_BOOL, GJ_NULL };
/* "object", "array", "string", "number", "bool", "null". */
const char *gojson_kind_str(enum gojson_kind k);

/* A cursor over text that gojson_scan() accepted.  The text must be
 * writable: strings are unescaped in place where they fit (they almost
 * always do) and NUL-terminated there. */
struct gojson {
    char *p, *end;
    size_t n_spill, cap_spill;
    char **spill; /* unescaped strings longer than their source (invalid UTF-8) */
};

/* Starts a cursor over p[0..n); gojson_deinit() frees the spilled strings. */
void gojson_init(struct gojson *j, char *p, size_t n);
void gojson_deinit(struct gojson *j);

/* Skips whitespace and returns the kind of the next value. */
enum gojson_kind gojson_peek(struct gojson *j);
/* Skips the next value, whatever it is. */
void gojson_skip(struct gojson *j);
/* Consumes `null`, `true` or `false`; returns the bool (false for null). */
bool gojson_literal(struct gojson *j);

/* Object iteration: call gojson_obj_begin() at a '{', then gojson_obj_next()
 * until it returns false; each true return gives the decoded key (valid
 * until the text is freed) and leaves the cursor at the key's value, which
 * the caller must consume (read or skip). */
void gojson_obj_begin(struct gojson *j);
bool gojson_obj_next(struct gojson *j, char **key, size_t *klen);
/* The same for arrays: true while there is another element to consume. */
void gojson_arr_begin(struct gojson *j);
bool gojson_arr_next(struct gojson *j);

/* Reads a string value as Go decodes it (escapes resolved, lone surrogates
 * and invalid UTF-8 bytes become U+FFFD).  Returns it NUL-terminated (it
 * may contain NULs: use *len).  Valid until the text is freed and
 * gojson_deinit(). */
char *gojson_read_string(struct gojson *j, size_t *len);

/* Go's strings.EqualFold for a key against an ASCII field name (Go matches
 * struct fields case-insensitively, with the Kelvin sign and long s). */
bool gojson_key_is(const char *key, size_t klen, const char *field);

#endif

/* gojson_read.c -- see gojson_read.h.
 *
 * The scanner is a transcription of the state machine of Go's
 * encoding/json/scanner.go (its states, its error contexts, its depth
 * limit), so that every syntax error gets Go's exact text; the messages are
 * part of Alertmanager's 400 bodies.  The cursor only ever sees text the
 * scanner accepted, which keeps it short: it never has to report a syntax
 * error. */
#include "gojson_read.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goquote.h"
#include "mem.h"
#include "utf8.h"

/* Go 1.19's maxNestingDepth. */
#define MAX_DEPTH 10000

enum {
    S_BEGIN_VALUE,
    S_BEGIN_VALUE_OR_EMPTY,
    S_BEGIN_STRING_OR_EMPTY,
    S_BEGIN_STRING,
    S_END_VALUE,
    S_IN_STRING,
    S_IN_ESC,
    S_U1,
    S_U2,
    S_U3,
    S_U4,
    S_NEG,
    S_1,
    S_0,
    S_DOT,
    S_DOT0,
    S_E,
    S_ESIGN,
    S_E0,
    S_LIT, /* inside true/false/null: `lit` holds the rest to expect */
};

enum { P_OBJECT_KEY, P_OBJECT_VALUE, P_ARRAY_VALUE };

/* SWAR over 8 bytes (portable, no SIMD intrinsics): does the word hold a
 * '"', a '\\', a control byte (< 0x20) or, with high, a byte >= 0x80?
 * Strings are most of a body and both passes walk them, so skipping their
 * plain bytes eight at a time is the scanner's main speed-up. */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
static bool word_special(const char *p, bool high)
{
    uint64_t x;
    memcpy(&x, p, 8);
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
    uint64_t hit = ((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x);
    if (high)
        hit |= x;
    return (hit & HIGHS) != 0;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Go's quoteChar: the offending byte as a Go rune literal.  string(c) of a
 * byte in Go is the rune U+00XX, hence the Latin-1 reading of bytes >=
 * 0x80. */
static void syntax_error(struct errbuf *err, unsigned char c, const char *context)
{
    struct buf b = BUF_INIT;
    if (c == '\'') {
        buf_puts(&b, "'\\''");
    } else if (c == '"') {
        buf_puts(&b, "'\"'");
    } else {
        struct buf r = BUF_INIT, q = BUF_INIT;
        utf8_put(&r, c);
        go_quote(&q, buf_str(&r), r.len);
        buf_putc(&b, '\'');
        buf_append(&b, q.p + 1, q.len - 2);
        buf_putc(&b, '\'');
        buf_deinit(&r);
        buf_deinit(&q);
    }
    errbuf_set(err, "invalid character %s %s", buf_str(&b), context);
    buf_deinit(&b);
}

int gojson_scan(const char *p, size_t n, size_t *end, struct errbuf *err)
{
    unsigned char *stack = xmalloc(MAX_DEPTH + 1);
    size_t depth = 0, i = 0;
    int st = S_BEGIN_VALUE, rc = -1;
    const char *lit = NULL, *lit_ctx = NULL;
    bool any = false;

    for (; i <= n; i++) {
        /* At the end of input the Decoder feeds one space: a value that
         * can end there (a number, a closed string) ends. */
        bool eof = i == n;
        unsigned char c = eof ? ' ' : (unsigned char)p[i];
        if (!eof && !is_space(c))
            any = true;
    again:
        switch (st) {
        case S_BEGIN_VALUE_OR_EMPTY:
            if (is_space(c))
                break;
            if (c == ']') {
                st = S_END_VALUE;
                goto again;
            }
            st = S_BEGIN_VALUE;
            goto again;
        case S_BEGIN_VALUE:
            if (is_space(c))
                break;
            switch (c) {
            case '{':
            case '[':
                if (depth >= MAX_DEPTH) {
                    syntax_error(err, c, "exceeded max depth");
                    goto out;
                }
                stack[depth++] = c == '{' ? P_OBJECT_KEY : P_ARRAY_VALUE;
                st = c == '{' ? S_BEGIN_STRING_OR_EMPTY : S_BEGIN_VALUE_OR_EMPTY;
                break;
            case '"':
                st = S_IN_STRING;
                break;
            case '-':
                st = S_NEG;
                break;
            case '0':
                st = S_0;
                break;
            case 't':
                st = S_LIT, lit = "rue", lit_ctx = "true";
                break;
            case 'f':
                st = S_LIT, lit = "alse", lit_ctx = "false";
                break;
            case 'n':
                st = S_LIT, lit = "ull", lit_ctx = "null";
                break;
            default:
                if (c >= '1' && c <= '9') {
                    st = S_1;
                    break;
                }
                syntax_error(err, c, "looking for beginning of value");
                goto out;
            }
            break;
        case S_BEGIN_STRING_OR_EMPTY:
            if (is_space(c))
                break;
            if (c == '}') {
                stack[depth - 1] = P_OBJECT_VALUE;
                st = S_END_VALUE;
                goto again;
            }
            st = S_BEGIN_STRING;
            goto again;
        case S_BEGIN_STRING:
            if (is_space(c))
                break;
            if (c != '"') {
                syntax_error(err, c, "looking for beginning of object key string");
                goto out;
            }
            st = S_IN_STRING;
            break;
        case S_END_VALUE:
            if (depth == 0) { /* the first value is complete */
                *end = i;
                rc = 0;
                goto out;
            }
            if (is_space(c))
                break;
            if (stack[depth - 1] == P_OBJECT_KEY) {
                if (c != ':') {
                    syntax_error(err, c, "after object key");
                    goto out;
                }
                stack[depth - 1] = P_OBJECT_VALUE;
                st = S_BEGIN_VALUE;
            } else if (stack[depth - 1] == P_OBJECT_VALUE) {
                if (c == ',') {
                    stack[depth - 1] = P_OBJECT_KEY;
                    st = S_BEGIN_STRING;
                } else if (c == '}') {
                    depth--;
                    if (depth == 0) {
                        *end = i + 1;
                        rc = 0;
                        goto out;
                    }
                } else {
                    syntax_error(err, c, "after object key:value pair");
                    goto out;
                }
            } else {
                if (c == ',') {
                    st = S_BEGIN_VALUE;
                } else if (c == ']') {
                    depth--;
                    if (depth == 0) {
                        *end = i + 1;
                        rc = 0;
                        goto out;
                    }
                } else {
                    syntax_error(err, c, "after array element");
                    goto out;
                }
            }
            break;
        case S_IN_STRING:
            if (eof)
                goto unexpected_eof;
            /* most of a body is string bytes: skip the plain ones */
            while (c != '"' && c != '\\' && c >= 0x20 && i + 9 < n &&
                   !word_special(p + i + 1, false)) {
                i += 8;
                c = (unsigned char)p[i];
                any = true;
            }
            while (c != '"' && c != '\\' && c >= 0x20 && i + 1 < n) {
                c = (unsigned char)p[++i];
                any = true;
            }
            if (c == '"') {
                st = S_END_VALUE;
            } else if (c == '\\') {
                st = S_IN_ESC;
            } else if (c < 0x20) {
                syntax_error(err, c, "in string literal");
                goto out;
            }
            break;
        case S_IN_ESC:
            if (strchr("bfnrt\\/\"", c) && c) {
                st = S_IN_STRING;
            } else if (c == 'u') {
                st = S_U1;
            } else {
                syntax_error(err, c, "in string escape code");
                goto out;
            }
            break;
        case S_U1:
        case S_U2:
        case S_U3:
        case S_U4:
            if (!is_hex(c)) {
                syntax_error(err, c, "in \\u hexadecimal character escape");
                goto out;
            }
            st = st == S_U4 ? S_IN_STRING : st + 1;
            break;
        case S_NEG:
            if (c == '0') {
                st = S_0;
            } else if (c >= '1' && c <= '9') {
                st = S_1;
            } else {
                syntax_error(err, c, "in numeric literal");
                goto out;
            }
            break;
        case S_1:
            if (c >= '0' && c <= '9')
                break;
            st = S_0;
            goto again;
        case S_0:
            if (c == '.') {
                st = S_DOT;
            } else if (c == 'e' || c == 'E') {
                st = S_E;
            } else {
                st = S_END_VALUE;
                goto again;
            }
            break;
        case S_DOT:
            if (c >= '0' && c <= '9') {
                st = S_DOT0;
                break;
            }
            syntax_error(err, c, "after decimal point in numeric literal");
            goto out;
        case S_DOT0:
            if (c >= '0' && c <= '9')
                break;
            if (c == 'e' || c == 'E') {
                st = S_E;
                break;
            }
            st = S_END_VALUE;
            goto again;
        case S_E:
            if (c == '+' || c == '-') {
                st = S_ESIGN;
                break;
            }
            st = S_ESIGN;
            goto again;
        case S_ESIGN:
            if (c >= '0' && c <= '9') {
                st = S_E0;
                break;
            }
            syntax_error(err, c, "in exponent of numeric literal");
            goto out;
        case S_E0:
            if (c >= '0' && c <= '9')
                break;
            st = S_END_VALUE;
            goto again;
        case S_LIT:
            if (c != (unsigned char)*lit) {
                char ctx[64];
                snprintf(ctx, sizeof ctx, "in literal %s (expecting '%c')", lit_ctx, *lit);
                syntax_error(err, c, ctx);
                goto out;
            }
            if (*++lit == '\0')
                st = S_END_VALUE;
            break;
        }
        if (eof)
            break;
    }
    if (st == S_END_VALUE && depth == 0) {
        *end = n;
        rc = 0;
        goto out;
    }
unexpected_eof:
    /* The Decoder's readValue: io.EOF with nothing but whitespace read,
     * io.ErrUnexpectedEOF otherwise.  An error state reached by the final
     * space is reported as the unexpected end too. */
    if (!any) {
        rc = 1;
    } else {
        errbuf_set(err, "unexpected EOF");
        rc = -1;
    }
out:
    if (rc == -1 && i == n) /* the final space hit an incomplete value */
        errbuf_set(err, "unexpected EOF");
    free(stack);
    return rc;
}

const char *gojson_kind_str(enum gojson_kind k)
{
    static const char *const names[] = {"object", "array", "string", "number", "bool", "null"};
    return names[k];
}

/* ---- the cursor ---------------------------------------------------------- */

void gojson_init(struct gojson *j, char *p, size_t n)
{
    memset(j, 0, sizeof *j);
    j->p = p;
    j->end = p + n;
}

void gojson_deinit(struct gojson *j)
{
    for (size_t i = 0; i < j->n_spill; i++)
        free(j->spill[i]);
    free(j->spill);
    j->spill = NULL;
    j->n_spill = j->cap_spill = 0;
}

static void ws(struct gojson *j)
{
    while (j->p < j->end && is_space((unsigned char)*j->p))
        j->p++;
}

enum gojson_kind gojson_peek(struct gojson *j)
{
    ws(j);
    switch (*j->p) {
    case '{':
        return GJ_OBJECT;
    case '[':
        return GJ_ARRAY;
    case '"':
        return GJ_STRING;
    case 't':
    case 'f':
        return GJ_BOOL;
    case 'n':
        return GJ_NULL;
    default:
        return GJ_NUMBER;
    }
}

/* Past the closing quote of the string starting at p (at its '"'). */
static char *string_end(char *p)
{
    p++;
    for (;;) {
        if (*p == '\\')
            p += 2;
        else if (*p == '"')
            return p + 1;
        else
            p++;
    }
}

void gojson_skip(struct gojson *j)
{
    size_t depth = 0;
    ws(j);
    do {
        char c = *j->p;
        if (c == '"') {
            j->p = string_end(j->p);
        } else if (c == '{' || c == '[') {
            depth++;
            j->p++;
        } else if (c == '}' || c == ']') {
            depth--;
            j->p++;
        } else if (depth > 0) {
            j->p++; /* , : whitespace, and the bytes of numbers and literals */
        } else {
            /* a scalar at depth 0: a number or a literal */
            while (j->p < j->end && !strchr(",:]} \t\r\n", *j->p))
                j->p++;
        }
    } while (depth > 0);
}

bool gojson_literal(struct gojson *j)
{
    ws(j);
    bool v = *j->p == 't';
    j->p += *j->p == 'f' ? 5 : 4;
    return v;
}

void gojson_obj_begin(struct gojson *j)
{
    ws(j);
    j->p++; /* '{' */
}

void gojson_arr_begin(struct gojson *j)
{
    ws(j);
    j->p++; /* '[' */
}

bool gojson_arr_next(struct gojson *j)
{
    ws(j);
    if (*j->p == ',') {
        j->p++;
        ws(j);
    }
    if (*j->p == ']') {
        j->p++;
        return false;
    }
    return true;
}

bool gojson_obj_next(struct gojson *j, char **key, size_t *klen)
{
    ws(j);
    if (*j->p == ',') {
        j->p++;
        ws(j);
    }
    if (*j->p == '}') {
        j->p++;
        return false;
    }
    *key = gojson_read_string(j, klen);
    ws(j);
    j->p++; /* ':' */
    ws(j);
    return true;
}

static unsigned hexval(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    return (unsigned)((c | 0x20) - 'a' + 10);
}

static uint32_t getu4(const char *s)
{
    return hexval(s[0]) << 12 | hexval(s[1]) << 8 | hexval(s[2]) << 4 | hexval(s[3]);
}

static char *put_rune(char *w, uint32_t r)
{
    if (r < 0x80) {
        *w++ = (char)r;
    } else if (r < 0x800) {
        *w++ = (char)(0xc0 | r >> 6);
        *w++ = (char)(0x80 | (r & 0x3f));
    } else if (r < 0x10000) {
        *w++ = (char)(0xe0 | r >> 12);
        *w++ = (char)(0x80 | ((r >> 6) & 0x3f));
        *w++ = (char)(0x80 | (r & 0x3f));
    } else {
        *w++ = (char)(0xf0 | r >> 18);
        *w++ = (char)(0x80 | ((r >> 12) & 0x3f));
        *w++ = (char)(0x80 | ((r >> 6) & 0x3f));
        *w++ = (char)(0x80 | (r & 0x3f));
    }
    return w;
}

/* Go's unquoteBytes from r (after the opening quote) up to the closing
 * quote at `close`, written to w; returns the end of the output.  w may be
 * r (in place) when the output cannot outgrow the input. */
static char *unquote(const char *r, const char *close, char *w)
{
    while (r < close) {
        unsigned char c = (unsigned char)*r;
        if (c == '\\') {
            char e = r[1];
            r += 2;
            switch (e) {
            case 'b':
                *w++ = '\b';
                break;
            case 'f':
                *w++ = '\f';
                break;
            case 'n':
                *w++ = '\n';
                break;
            case 'r':
                *w++ = '\r';
                break;
            case 't':
                *w++ = '\t';
                break;
            case 'u': {
                uint32_t u = getu4(r);
                r += 4;
                if (u >= 0xd800 && u < 0xe000) {
                    /* a surrogate: valid only as a high one followed by
                     * \u of a low one; else U+FFFD and the next escape
                     * is read on its own */
                    if (u < 0xdc00 && r + 6 <= close && r[0] == '\\' && r[1] == 'u') {
                        uint32_t lo = getu4(r + 2);
                        if (lo >= 0xdc00 && lo < 0xe000) {
                            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                            r += 6;
                            w = put_rune(w, u);
                            break;
                        }
                    }
                    u = UTF8_RUNE_ERROR;
                }
                w = put_rune(w, u);
                break;
            }
            default: /* \\ \/ \" */
                *w++ = e;
            }
        } else if (c < 0x80) {
            *w++ = (char)c;
            r++;
        } else {
            uint32_t rune;
            size_t width = utf8_decode(r, (size_t)(close - r), &rune);
            if (rune == UTF8_RUNE_ERROR && width == 1) {
                w = put_rune(w, UTF8_RUNE_ERROR);
            } else {
                memmove(w, r, width);
                w += width;
            }
            r += width;
        }
    }
    return w;
}

char *gojson_read_string(struct gojson *j, size_t *len)
{
    ws(j);
    char *start = j->p + 1, *r = start;
    /* The common case: plain ASCII, nothing to unescape; the closing quote
     * becomes the terminator. */
    while (r + 8 <= j->end && !word_special(r, true))
        r += 8;
    while (*r != '"' && *r != '\\' && (unsigned char)*r < 0x80)
        r++;
    if (*r == '"') {
        *r = '\0';
        *len = (size_t)(r - start);
        j->p = r + 1;
        return start;
    }
    char *after = string_end(j->p), *close = after - 1;
    j->p = after;
    /* Invalid UTF-8 bytes grow from 1 to 3 bytes: only then spill. */
    bool grows = false;
    for (const char *q = r; q < close;) {
        if ((unsigned char)*q < 0x80) {
            q += *q == '\\' ? 2 : 1;
            continue;
        }
        uint32_t rune;
        size_t width = utf8_decode(q, (size_t)(close - q), &rune);
        if (rune == UTF8_RUNE_ERROR && width == 1) {
            grows = true;
            break;
        }
        q += width;
    }
    char *out = start;
    if (grows) {
        out = xmalloc((size_t)(close - start) * 3 + 1);
        j->spill = xgrow(j->spill, &j->cap_spill, j->n_spill + 1, sizeof *j->spill);
        j->spill[j->n_spill++] = out;
        char *w = unquote(start, close, out);
        *w = '\0';
        *len = (size_t)(w - out);
        return out;
    }
    char *w = unquote(r, close, r);
    *w = '\0';
    *len = (size_t)(w - start);
    return out;
}

bool gojson_key_is(const char *key, size_t klen, const char *field)
{
    const char *k = key, *kend = key + klen;
    for (const char *f = field; *f; f++) {
        if (k >= kend)
            return false;
        char fc = *f, lc = (char)(fc | 0x20);
        bool letter = lc >= 'a' && lc <= 'z';
        if (*k == fc || (letter && (*k | 0x20) == lc)) {
            k++;
        } else if (lc == 's' && kend - k >= 2 && !memcmp(k, "\xc5\xbf", 2)) {
            k += 2; /* U+017F LATIN SMALL LETTER LONG S folds to s */
        } else if (lc == 'k' && kend - k >= 3 && !memcmp(k, "\xe2\x84\xaa", 3)) {
            k += 3; /* U+212A KELVIN SIGN folds to k */
        } else {
            return false;
        }
    }
    return k == kend;
}

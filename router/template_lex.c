/* template_lex.c -- the lexer of Go's template syntax, for template_parse.c.
 *
 * Splits a template into text and the tokens inside {{ }}: it applies the
 * {{- and -}} trim markers to the neighbouring text, drops comments, and
 * reports lexical errors ("unclosed action", "unterminated quoted string",
 * "bad number syntax") at their line:col.  The parser pulls tokens one at a
 * time with up to three tokens of lookahead (tp_backup), as Go's does. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "template_internal.h"

void tsrc_linecol(const struct tsrc *src, size_t pos, int *line, int *col)
{
    int l = 1;
    size_t ls = 0;
    for (size_t i = 0; i < pos && i < src->len; i++)
        if (src->text[i] == '\n') {
            l++;
            ls = i + 1;
        }
    *line = l;
    *col = (int)(pos - ls) + 1;
}

_Noreturn void tp_error(struct tp *p, size_t pos, const char *fmt, ...)
{
    int line, col;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tsrc_linecol(p->src, pos, &line, &col);
    errbuf_set(p->err, "%s:%d:%d: %s", p->src->name, line, col, msg);
    longjmp(p->jb, 1);
}

void *tp_alloc(struct tp *p, size_t n)
{
    void *m = arena_alloc(p->a, n);
    ROUTER_ASSERT(m != NULL); /* parse arenas are unlimited */
    memset(m, 0, n);
    return m;
}

/* ---- lexer ------------------------------------------------------------ */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
static bool is_alnum(char c)
{
    return c == '_' || isalnum((unsigned char)c) || ((unsigned char)c >= 0x80);
}
static bool has(const struct tp *p, size_t at, const char *lit)
{
    size_t l = strlen(lit);
    return at <= p->n && p->n - at >= l && memcmp(p->s + at, lit, l) == 0;
}
/* " -}}" at `at` (a right delimiter with trim marker). */
static bool right_trim_at(const struct tp *p, size_t at)
{
    return at < p->n && is_space(p->s[at]) && has(p, at + 1, "-}}");
}

static struct tok mk(enum tt t, size_t pos, size_t end)
{
    return (struct tok){t, pos, end - pos};
}

static enum tt keyword(const char *s, size_t n)
{
    static const struct {
        const char *w;
        enum tt t;
    } kw[] = {{"block", T_BLOCK},   {"break", T_BREAK}, {"continue", T_CONTINUE},
              {"define", T_DEFINE}, {"else", T_ELSE},   {"end", T_END},
              {"if", T_IF},         {"range", T_RANGE}, {"template", T_TEMPLATE},
              {"with", T_WITH},     {"true", T_BOOL},   {"false", T_BOOL},
              {"nil", T_NIL}};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i].w) == n && memcmp(kw[i].w, s, n) == 0)
            return kw[i].t;
    return T_IDENT;
}

/* After an identifier, field or variable only these may follow (Go's
 * atTerminator): otherwise "bad character". */
static void check_terminator(struct tp *p)
{
    if (p->pos >= p->n)
        return;
    char c = p->s[p->pos];
    if (is_space(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' ||
        has(p, p->pos, "}}"))
        return;
    tp_error(p, p->pos, "bad character %#x", (unsigned char)c);
}

static struct tok lex_number(struct tp *p)
{
    size_t st = p->pos;
    const char *digits = "0123456789_";
    if (p->s[p->pos] == '+' || p->s[p->pos] == '-')
        p->pos++;
    if (has(p, p->pos, "0x") || has(p, p->pos, "0X")) {
        p->pos += 2;
        digits = "0123456789abcdefABCDEF_";
    } else if (has(p, p->pos, "0o") || has(p, p->pos, "0O")) {
        p->pos += 2;
        digits = "01234567_";
    } else if (has(p, p->pos, "0b") || has(p, p->pos, "0B")) {
        p->pos += 2;
        digits = "01_";
    }
    while (p->pos < p->n && strchr(digits, p->s[p->pos]) && p->s[p->pos])
        p->pos++;
    if (p->pos < p->n && p->s[p->pos] == '.') {
        p->pos++;
        while (p->pos < p->n && strchr(digits, p->s[p->pos]) && p->s[p->pos])
            p->pos++;
    }
    if (p->pos < p->n && strchr(strlen(digits) > 20 ? "pP" : "eE", p->s[p->pos]) && p->s[p->pos]) {
        p->pos++;
        if (p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        while (p->pos < p->n && isdigit((unsigned char)p->s[p->pos]))
            p->pos++;
    }
    if (p->pos < p->n && (is_alnum(p->s[p->pos]) || p->s[p->pos] == '.'))
        tp_error(p, st, "bad number syntax: \"%.*s\"", (int)(p->pos + 1 - st), p->s + st);
    return mk(T_NUMBER, st, p->pos);
}

/* Scans a quoted token ending in `q`; newlines are not allowed in "" and ''. */
static struct tok lex_quote(struct tp *p, char q, enum tt t)
{
    size_t st = p->pos++;
    for (;;) {
        if (p->pos >= p->n || (q != '`' && p->s[p->pos] == '\n'))
            tp_error(p, st,
                     q == '`'   ? "unterminated raw quoted string"
                     : q == '"' ? "unterminated quoted string"
                                : "unterminated character constant");
        char c = p->s[p->pos++];
        if (c == '\\' && q != '`') {
            if (p->pos < p->n && p->s[p->pos] != '\n')
                p->pos++;
        } else if (c == q) {
            return mk(t, st, p->pos);
        }
    }
}

static struct tok lex_action(struct tp *p)
{
    if (right_trim_at(p, p->pos) || has(p, p->pos, "}}")) {
        size_t st = p->pos;
        if (p->parens > 0)
            tp_error(p, st, "unclosed left paren");
        p->trim_text = right_trim_at(p, p->pos);
        p->pos += p->trim_text ? 4 : 2;
        p->in_action = false;
        return mk(T_RDELIM, st, p->pos);
    }
    if (p->pos >= p->n)
        tp_error(p, p->pos, "unclosed action");
    size_t st = p->pos;
    char c = p->s[p->pos];
    if (is_space(c)) {
        while (p->pos < p->n && is_space(p->s[p->pos]) && !right_trim_at(p, p->pos))
            p->pos++;
        if (p->pos == st) /* " -}}": the space belongs to the delimiter */
            return lex_action(p);
        return mk(T_SPACE, st, p->pos);
    }
    switch (c) {
    case '=':
        p->pos++;
        return mk(T_ASSIGN, st, p->pos);
    case ':':
        if (!has(p, p->pos, ":="))
            tp_error(p, st, "expected :=");
        p->pos += 2;
        return mk(T_DECLARE, st, p->pos);
    case '|':
        p->pos++;
        return mk(T_PIPE, st, p->pos);
    case ',':
        p->pos++;
        return mk(T_COMMA, st, p->pos);
    case '"':
        return lex_quote(p, '"', T_STRING);
    case '`':
        return lex_quote(p, '`', T_RAWSTRING);
    case '\'':
        return lex_quote(p, '\'', T_CHAR);
    case '(':
        p->pos++;
        p->parens++;
        return mk(T_LPAREN, st, p->pos);
    case ')':
        if (p->parens == 0)
            tp_error(p, st, "unexpected right paren");
        p->parens--;
        p->pos++;
        return mk(T_RPAREN, st, p->pos);
    case '$':
        p->pos++;
        while (p->pos < p->n && is_alnum(p->s[p->pos]))
            p->pos++;
        check_terminator(p);
        return mk(T_VAR, st, p->pos);
    case '.':
        if (p->pos + 1 < p->n && isdigit((unsigned char)p->s[p->pos + 1]))
            return lex_number(p);
        p->pos++;
        if (p->pos < p->n && is_alnum(p->s[p->pos])) {
            while (p->pos < p->n && is_alnum(p->s[p->pos]))
                p->pos++;
            check_terminator(p);
            return mk(T_FIELD, st, p->pos);
        }
        return mk(T_DOT, st, p->pos);
    }
    if (c == '+' || c == '-' || isdigit((unsigned char)c))
        return lex_number(p);
    if (is_alnum(c)) {
        while (p->pos < p->n && is_alnum(p->s[p->pos]))
            p->pos++;
        check_terminator(p);
        return mk(keyword(p->s + st, p->pos - st), st, p->pos);
    }
    tp_error(p, st, "unrecognized character in action: %#x", (unsigned char)c);
}

static struct tok lex(struct tp *p)
{
    if (p->in_action)
        return lex_action(p);
    for (;;) {
        if (p->pos >= p->n)
            return mk(T_EOF, p->pos, p->pos);
        size_t st = p->pos;
        const char *d = memmem(p->s + st, p->n - st, "{{", 2);
        size_t dpos = d ? (size_t)(d - p->s) : p->n;
        size_t ts = st, te = dpos;
        if (p->trim_text)
            while (ts < te && is_space(p->s[ts]))
                ts++;
        bool ltrim = d && has(p, dpos, "{{-") && dpos + 3 < p->n && is_space(p->s[dpos + 3]);
        if (ltrim)
            while (te > ts && is_space(p->s[te - 1]))
                te--;
        if (dpos > st) {
            p->pos = dpos;
            p->trim_text = false;
            if (te > ts)
                return mk(T_TEXT, ts, te);
            continue;
        }
        /* at a left delimiter */
        p->trim_text = false;
        size_t after = dpos + 2 + (ltrim ? 2 : 0);
        if (has(p, after, "/*")) {
            const char *e = memmem(p->s + after + 2, p->n - after - 2, "*/", 2);
            if (!e)
                tp_error(p, dpos, "unclosed comment");
            size_t ce = (size_t)(e - p->s) + 2;
            if (right_trim_at(p, ce)) {
                p->trim_text = true;
                p->pos = ce + 4;
            } else if (has(p, ce, "}}")) {
                p->pos = ce + 2;
            } else {
                tp_error(p, dpos, "comment ends before closing delimiter");
            }
            continue;
        }
        p->pos = after;
        p->in_action = true;
        p->parens = 0;
        return mk(T_LDELIM, dpos, after);
    }
}

struct tok tp_next(struct tp *p)
{
    if (p->npeek > 0)
        return p->peek[--p->npeek];
    return lex(p);
}
void tp_backup(struct tp *p, struct tok t)
{
    p->peek[p->npeek++] = t;
}
struct tok tp_peek(struct tp *p)
{
    struct tok t = tp_next(p);
    tp_backup(p, t);
    return t;
}
struct tok tp_next_nonspace(struct tp *p)
{
    struct tok t;
    do
        t = tp_next(p);
    while (t.t == T_SPACE);
    return t;
}
struct tok tp_peek_nonspace(struct tp *p)
{
    struct tok t = tp_next_nonspace(p);
    tp_backup(p, t);
    return t;
}

static const char *tokdesc(struct tp *p, struct tok t, char *tmp, size_t n)
{
    switch (t.t) {
    case T_EOF:
        return "EOF";
    case T_RDELIM:
        return "\"}}\"";
    case T_LDELIM:
        return "\"{{\"";
    case T_SPACE:
        return "space";
    default:
        snprintf(tmp, n, "\"%.*s\"", (int)(t.len > 40 ? 40 : t.len), p->s + t.pos);
        return tmp;
    }
}

_Noreturn void tp_unexpected(struct tp *p, struct tok t, const char *ctx)
{
    char tmp[64];
    tp_error(p, t.pos, "unexpected %s in %s", tokdesc(p, t, tmp, sizeof tmp), ctx);
}

struct tok tp_expect(struct tp *p, enum tt want, const char *ctx)
{
    struct tok t = tp_next_nonspace(p);
    if (t.t != want)
        tp_unexpected(p, t, ctx);
    return t;
}

/* Decodes a Go string or character literal into the arena. */
char *tp_unquote(struct tp *p, struct tok t, size_t *outlen)
{
    const char *s = p->s + t.pos + 1;
    size_t n = t.len - 2;
    char *o = tp_alloc(p, n + 1), *w = o;
    if (p->s[t.pos] == '`') {
        memcpy(o, s, n);
        *outlen = n;
        return o;
    }
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            *w++ = s[i++];
            continue;
        }
        if (++i >= n)
            tp_error(p, t.pos, "invalid syntax in quoted string");
        char c = s[i++];
        const char *map = "a\ab\bf\fn\nr\rt\tv\v\\\\''\"\"";
        const char *m = strchr(map, c);
        if (m && ((m - map) % 2) == 0 && c) {
            *w++ = m[1];
            continue;
        }
        int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : (c >= '0' && c <= '7') ? 3 : 0;
        if (!digits)
            tp_error(p, t.pos + 1 + i - 2, "invalid escape \\%c in quoted string", c);
        if (c >= '0' && c <= '7')
            i--;
        unsigned long v = 0;
        for (int k = 0; k < digits; k++, i++) {
            int base = (c >= '0' && c <= '7') ? 8 : 16;
            char d = i < n ? s[i] : 0;
            int dv = isdigit((unsigned char)d) ? d - '0'
                     : (d >= 'a' && d <= 'f')  ? d - 'a' + 10
                     : (d >= 'A' && d <= 'F')  ? d - 'A' + 10
                                               : 99;
            if (dv >= base)
                tp_error(p, t.pos, "invalid escape in quoted string");
            v = v * (unsigned long)base + (unsigned long)dv;
        }
        if (c == 'x' || (c >= '0' && c <= '7')) {
            if (v > 255)
                tp_error(p, t.pos, "invalid octal escape in quoted string");
            *w++ = (char)v;
        } else {
            if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                tp_error(p, t.pos, "invalid Unicode escape in quoted string");
            if (v < 0x80) {
                *w++ = (char)v;
            } else if (v < 0x800) {
                *w++ = (char)(0xC0 | (v >> 6));
                *w++ = (char)(0x80 | (v & 0x3F));
            } else if (v < 0x10000) {
                *w++ = (char)(0xE0 | (v >> 12));
                *w++ = (char)(0x80 | ((v >> 6) & 0x3F));
                *w++ = (char)(0x80 | (v & 0x3F));
            } else {
                *w++ = (char)(0xF0 | (v >> 18));
                *w++ = (char)(0x80 | ((v >> 12) & 0x3F));
                *w++ = (char)(0x80 | ((v >> 6) & 0x3F));
                *w++ = (char)(0x80 | (v & 0x3F));
            }
        }
    }
    *w = 0;
    *outlen = (size_t)(w - o);
    return o;
}

/* Decodes one UTF-8 rune of s[0..n); returns its length (1 for invalid). */
size_t tp_rune_at(const unsigned char *s, size_t n, int64_t *r)
{
    if (n >= 2 && (s[0] & 0xE0) == 0xC0) {
        *r = ((s[0] & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (n >= 3 && (s[0] & 0xF0) == 0xE0) {
        *r = ((s[0] & 0x0F) << 12) | ((s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if (n >= 4 && (s[0] & 0xF8) == 0xF0) {
        *r = ((int64_t)(s[0] & 0x07) << 18) | ((s[1] & 0x3F) << 12) | ((s[2] & 0x3F) << 6) |
             (s[3] & 0x3F);
        return 4;
    }
    *r = s[0];
    return 1;
}

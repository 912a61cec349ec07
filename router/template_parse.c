/* template_parse.c -- Go text/template lexer and parser.
 *
 * Turns a template file into a tree of struct tnode, following Go's grammar:
 * text and {{ actions }} with {{- -}} trimming, comments, pipelines of
 * commands, variable declarations and assignments, if/range/with with else
 * (and "else if"/"else with"), define/template/block, break/continue.  As in
 * Go, undefined variables and unknown functions are parse errors, so a bad
 * template is a config error ("file:line:col: message") rather than a failed
 * notification later.
 *
 * The lexer is pulled by the parser one token at a time; tokens are byte
 * spans of the source.  Errors longjmp out; everything allocated so far is in
 * the caller's arena, which the caller discards. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "template_internal.h"

#define PARSE_DEPTH_MAX 200 /* nesting of parentheses and control blocks */

enum tt {
    T_EOF, T_TEXT, T_LDELIM, T_RDELIM, T_SPACE, T_IDENT, T_FIELD, T_VAR, T_DOT, T_STRING,
    T_RAWSTRING, T_CHAR, T_NUMBER, T_BOOL, T_NIL, T_LPAREN, T_RPAREN, T_PIPE, T_DECLARE,
    T_ASSIGN, T_COMMA,
    /* keywords */
    T_BLOCK, T_BREAK, T_CONTINUE, T_DEFINE, T_ELSE, T_END, T_IF, T_RANGE, T_TEMPLATE, T_WITH
};

struct tok {
    enum tt t;
    size_t pos, len;
};

struct tp {
    struct arena *a;
    struct tsrc *src;
    const char *s;
    size_t n, pos;
    jmp_buf jb;
    struct errbuf *err;
    bool in_action, trim_text;
    int parens;
    struct tok peek[3];
    int npeek;
    const char **vars;
    size_t nvars, capvars;
    struct tdef *defs;
    size_t ndefs, capdefs;
    int depth, range_depth;
};

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

__attribute__((format(printf, 3, 4))) _Noreturn static void perr(struct tp *p, size_t pos,
                                                                  const char *fmt, ...)
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

static void *palloc(struct tp *p, size_t n)
{
    void *m = arena_alloc(p->a, n);
    ROUTER_ASSERT(m != NULL); /* parse arenas are unlimited */
    memset(m, 0, n);
    return m;
}

/* ---- lexer ------------------------------------------------------------ */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
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

static struct tok mk(enum tt t, size_t pos, size_t end) { return (struct tok){t, pos, end - pos}; }

static enum tt keyword(const char *s, size_t n)
{
    static const struct { const char *w; enum tt t; } kw[] = {
        {"block", T_BLOCK}, {"break", T_BREAK}, {"continue", T_CONTINUE}, {"define", T_DEFINE},
        {"else", T_ELSE}, {"end", T_END}, {"if", T_IF}, {"range", T_RANGE},
        {"template", T_TEMPLATE}, {"with", T_WITH}, {"true", T_BOOL}, {"false", T_BOOL},
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
    perr(p, p->pos, "bad character %#x", (unsigned char)c);
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
    if (p->pos < p->n && strchr(strlen(digits) > 20 ? "pP" : "eE", p->s[p->pos]) &&
        p->s[p->pos]) {
        p->pos++;
        if (p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        while (p->pos < p->n && isdigit((unsigned char)p->s[p->pos]))
            p->pos++;
    }
    if (p->pos < p->n && (is_alnum(p->s[p->pos]) || p->s[p->pos] == '.'))
        perr(p, st, "bad number syntax: \"%.*s\"", (int)(p->pos + 1 - st), p->s + st);
    return mk(T_NUMBER, st, p->pos);
}

/* Scans a quoted token ending in `q`; newlines are not allowed in "" and ''. */
static struct tok lex_quote(struct tp *p, char q, enum tt t)
{
    size_t st = p->pos++;
    for (;;) {
        if (p->pos >= p->n || (q != '`' && p->s[p->pos] == '\n'))
            perr(p, st, q == '`' ? "unterminated raw quoted string"
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
            perr(p, st, "unclosed left paren");
        p->trim_text = right_trim_at(p, p->pos);
        p->pos += p->trim_text ? 4 : 2;
        p->in_action = false;
        return mk(T_RDELIM, st, p->pos);
    }
    if (p->pos >= p->n)
        perr(p, p->pos, "unclosed action");
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
    case '=': p->pos++; return mk(T_ASSIGN, st, p->pos);
    case ':':
        if (!has(p, p->pos, ":="))
            perr(p, st, "expected :=");
        p->pos += 2;
        return mk(T_DECLARE, st, p->pos);
    case '|': p->pos++; return mk(T_PIPE, st, p->pos);
    case ',': p->pos++; return mk(T_COMMA, st, p->pos);
    case '"': return lex_quote(p, '"', T_STRING);
    case '`': return lex_quote(p, '`', T_RAWSTRING);
    case '\'': return lex_quote(p, '\'', T_CHAR);
    case '(': p->pos++; p->parens++; return mk(T_LPAREN, st, p->pos);
    case ')':
        if (p->parens == 0)
            perr(p, st, "unexpected right paren");
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
    perr(p, st, "unrecognized character in action: %#x", (unsigned char)c);
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
                perr(p, dpos, "unclosed comment");
            size_t ce = (size_t)(e - p->s) + 2;
            if (right_trim_at(p, ce)) {
                p->trim_text = true;
                p->pos = ce + 4;
            } else if (has(p, ce, "}}")) {
                p->pos = ce + 2;
            } else {
                perr(p, dpos, "comment ends before closing delimiter");
            }
            continue;
        }
        p->pos = after;
        p->in_action = true;
        p->parens = 0;
        return mk(T_LDELIM, dpos, after);
    }
}

static struct tok next(struct tp *p)
{
    if (p->npeek > 0)
        return p->peek[--p->npeek];
    return lex(p);
}
static void backup(struct tp *p, struct tok t) { p->peek[p->npeek++] = t; }
static struct tok peek(struct tp *p)
{
    struct tok t = next(p);
    backup(p, t);
    return t;
}
static struct tok next_nonspace(struct tp *p)
{
    struct tok t;
    do
        t = next(p);
    while (t.t == T_SPACE);
    return t;
}
static struct tok peek_nonspace(struct tp *p)
{
    struct tok t = next_nonspace(p);
    backup(p, t);
    return t;
}

static const char *tokdesc(struct tp *p, struct tok t, char *tmp, size_t n)
{
    switch (t.t) {
    case T_EOF: return "EOF";
    case T_RDELIM: return "\"}}\"";
    case T_LDELIM: return "\"{{\"";
    case T_SPACE: return "space";
    default: snprintf(tmp, n, "\"%.*s\"", (int)(t.len > 40 ? 40 : t.len), p->s + t.pos); return tmp;
    }
}

_Noreturn static void unexpected(struct tp *p, struct tok t, const char *ctx)
{
    char tmp[64];
    perr(p, t.pos, "unexpected %s in %s", tokdesc(p, t, tmp, sizeof tmp), ctx);
}

static struct tok expect(struct tp *p, enum tt want, const char *ctx)
{
    struct tok t = next_nonspace(p);
    if (t.t != want)
        unexpected(p, t, ctx);
    return t;
}

/* ---- tree helpers ------------------------------------------------------ */

static struct tnode *node(struct tp *p, enum tn_kind k, struct tok t)
{
    struct tnode *n = palloc(p, sizeof *n);
    n->kind = k;
    n->pos = (uint32_t)t.pos;
    n->end = (uint32_t)(t.pos + t.len);
    n->src = p->src;
    return n;
}

static void add_kid(struct tp *p, struct tnode *n, struct tnode *kid)
{
    if ((n->nkids & (n->nkids - 1)) == 0) { /* grow at powers of two */
        size_t cap = n->nkids ? n->nkids * 2 : 1;
        struct tnode **k = palloc(p, cap * sizeof *k);
        if (n->nkids)
            memcpy(k, n->kids, n->nkids * sizeof *k);
        n->kids = k;
    }
    n->kids[n->nkids++] = kid;
}

static void add_name(struct tp *p, struct tnode *n, const char *s, size_t len)
{
    if ((n->nnames & (n->nnames - 1)) == 0) {
        size_t cap = n->nnames ? n->nnames * 2 : 1;
        const char **k = palloc(p, cap * sizeof *k);
        if (n->nnames)
            memcpy(k, n->names, n->nnames * sizeof *k);
        n->names = k;
    }
    n->names[n->nnames++] = arena_strndup(p->a, s, len);
}

static void push_var(struct tp *p, const char *name)
{
    p->vars = xgrow(p->vars, &p->capvars, p->nvars + 1, sizeof *p->vars);
    p->vars[p->nvars++] = name;
}

static void use_var(struct tp *p, struct tok t)
{
    for (size_t i = p->nvars; i-- > 0;)
        if (strlen(p->vars[i]) == t.len && memcmp(p->vars[i], p->s + t.pos, t.len) == 0)
            return;
    perr(p, t.pos, "undefined variable \"%.*s\"", (int)t.len, p->s + t.pos);
}

static void enter(struct tp *p, size_t pos)
{
    if (++p->depth > PARSE_DEPTH_MAX)
        perr(p, pos, "template nested too deeply (max %d)", PARSE_DEPTH_MAX);
}

/* Decodes a Go string or character literal into the arena. */
static char *unquote(struct tp *p, struct tok t, size_t *outlen)
{
    const char *s = p->s + t.pos + 1;
    size_t n = t.len - 2;
    char *o = palloc(p, n + 1), *w = o;
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
            perr(p, t.pos, "invalid syntax in quoted string");
        char c = s[i++];
        const char *map = "a\ab\bf\fn\nr\rt\tv\v\\\\''\"\"";
        const char *m = strchr(map, c);
        if (m && ((m - map) % 2) == 0 && c) {
            *w++ = m[1];
            continue;
        }
        int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : (c >= '0' && c <= '7') ? 3 : 0;
        if (!digits)
            perr(p, t.pos + 1 + i - 2, "invalid escape \\%c in quoted string", c);
        if (c >= '0' && c <= '7')
            i--;
        unsigned long v = 0;
        for (int k = 0; k < digits; k++, i++) {
            int base = (c >= '0' && c <= '7') ? 8 : 16;
            char d = i < n ? s[i] : 0;
            int dv = isdigit((unsigned char)d) ? d - '0'
                     : (d >= 'a' && d <= 'f') ? d - 'a' + 10
                     : (d >= 'A' && d <= 'F') ? d - 'A' + 10
                                              : 99;
            if (dv >= base)
                perr(p, t.pos, "invalid escape in quoted string");
            v = v * (unsigned long)base + (unsigned long)dv;
        }
        if (c == 'x' || (c >= '0' && c <= '7')) {
            if (v > 255)
                perr(p, t.pos, "invalid octal escape in quoted string");
            *w++ = (char)v;
        } else {
            if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                perr(p, t.pos, "invalid Unicode escape in quoted string");
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
static size_t rune_at(const unsigned char *s, size_t n, int64_t *r)
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

static struct tnode *number(struct tp *p, struct tok t)
{
    struct tnode *n = node(p, N_NUM, t);
    if (p->s[t.pos] == '\'') {
        size_t len;
        const char *c = unquote(p, t, &len);
        if (len == 0)
            perr(p, t.pos, "empty character constant");
        int64_t r;
        if (rune_at((const unsigned char *)c, len, &r) != len)
            perr(p, t.pos, "malformed character constant");
        n->i = r;
        n->f = (double)r;
        return n;
    }
    char tmp[128];
    size_t k = 0;
    for (size_t i = 0; i < t.len && k < sizeof tmp - 1; i++)
        if (p->s[t.pos + i] != '_')
            tmp[k++] = p->s[t.pos + i];
    tmp[k] = 0;
    if (t.len >= sizeof tmp)
        perr(p, t.pos, "number too long");
    const char *u = tmp + (tmp[0] == '+' || tmp[0] == '-');
    bool hex = u[0] == '0' && (u[1] == 'x' || u[1] == 'X');
    bool is_float = strpbrk(tmp, hex ? ".pP" : ".eEpP") != NULL;
    if (!is_float) {
        int base = 10;
        const char *digits = u;
        if (u[0] == '0' && u[1]) {
            char b = (char)tolower((unsigned char)u[1]);
            base = b == 'x' ? 16 : b == 'o' ? 8 : b == 'b' ? 2 : 8;
            digits = (b == 'x' || b == 'o' || b == 'b') ? u + 2 : u + 1;
        }
        errno = 0;
        char *e;
        unsigned long long v = strtoull(digits, &e, base);
        if (*e || e == digits || errno)
            perr(p, t.pos, "illegal number syntax: \"%.*s\"", (int)t.len, p->s + t.pos);
        if (tmp[0] == '-' ? v > (unsigned long long)INT64_MAX + 1 : v > INT64_MAX)
            perr(p, t.pos, "integer overflow: %.*s", (int)t.len, p->s + t.pos);
        n->i = tmp[0] == '-' ? (int64_t)(0 - v) : (int64_t)v;
        n->f = (double)n->i;
        return n;
    }
    char *e;
    errno = 0;
    n->f = strtod(tmp, &e);
    if (*e || isinf(n->f) || e == tmp)
        perr(p, t.pos, "illegal number syntax: \"%.*s\"", (int)t.len, p->s + t.pos);
    n->flag = true;
    return n;
}

/* ---- grammar ----------------------------------------------------------- */

static struct tnode *pipeline(struct tp *p, const char *ctx, enum tt end, bool decl_ok, int maxdecl);

static struct tnode *term(struct tp *p)
{
    struct tok t = next_nonspace(p);
    struct tnode *n;
    switch (t.t) {
    case T_IDENT:
        n = node(p, N_IDENT, t);
        n->fn = tfunc_find(p->s + t.pos, t.len);
        if (!n->fn)
            perr(p, t.pos, "function \"%.*s\" not defined", (int)t.len, p->s + t.pos);
        n->str = arena_strndup(p->a, p->s + t.pos, t.len);
        return n;
    case T_DOT: return node(p, N_DOT, t);
    case T_NIL: return node(p, N_NIL, t);
    case T_VAR:
        use_var(p, t);
        n = node(p, N_VAR, t);
        n->str = arena_strndup(p->a, p->s + t.pos, t.len);
        return n;
    case T_FIELD:
        n = node(p, N_FIELD, t);
        add_name(p, n, p->s + t.pos + 1, t.len - 1);
        return n;
    case T_BOOL:
        n = node(p, N_BOOL, t);
        n->flag = p->s[t.pos] == 't';
        return n;
    case T_CHAR:
    case T_NUMBER: return number(p, t);
    case T_STRING:
    case T_RAWSTRING:
        n = node(p, N_STR, t);
        n->str = unquote(p, t, &n->slen);
        return n;
    case T_LPAREN:
        enter(p, t.pos);
        n = pipeline(p, "parenthesized pipeline", T_RPAREN, false, 0);
        p->depth--;
        n->pos = (uint32_t)t.pos;
        return n;
    default: backup(p, t); return NULL;
    }
}

static struct tnode *operand(struct tp *p)
{
    struct tnode *n = term(p);
    if (!n)
        return NULL;
    struct tok t = peek(p);
    if (t.t != T_FIELD)
        return n;
    if (n->kind == N_BOOL || n->kind == N_STR || n->kind == N_NUM || n->kind == N_NIL ||
        n->kind == N_DOT)
        perr(p, t.pos, "unexpected . after term \"%.*s\"", (int)(n->end - n->pos),
             p->s + n->pos);
    struct tnode *c = n;
    if (n->kind != N_FIELD && n->kind != N_VAR) {
        c = node(p, N_CHAIN, (struct tok){T_EOF, n->pos, 0});
        c->pipe = n;
    }
    while ((t = peek(p)).t == T_FIELD) {
        next(p);
        add_name(p, c, p->s + t.pos + 1, t.len - 1);
        c->end = (uint32_t)(t.pos + t.len);
    }
    return c;
}

static struct tnode *command(struct tp *p)
{
    struct tok first = peek_nonspace(p);
    struct tnode *cmd = node(p, N_CMD, first);
    for (;;) {
        struct tnode *o = operand(p);
        if (o) {
            add_kid(p, cmd, o);
            cmd->end = o->end;
        }
        struct tok t = next(p);
        if (t.t == T_SPACE)
            continue;
        if (t.t == T_RDELIM || t.t == T_RPAREN)
            backup(p, t);
        else if (t.t != T_PIPE)
            unexpected(p, t, "operand");
        break;
    }
    if (cmd->nkids == 0)
        perr(p, first.pos, "empty command");
    return cmd;
}

static struct tnode *pipeline(struct tp *p, const char *ctx, enum tt end, bool decl_ok, int maxdecl)
{
    struct tok st = peek_nonspace(p);
    struct tnode *pipe = node(p, N_PIPE, st);
    struct tok v = peek_nonspace(p);
    if (v.t == T_VAR) {
        next_nonspace(p);
        struct tok sp = next(p), op = sp;
        if (sp.t == T_SPACE)
            op = next_nonspace(p);
        if (op.t == T_DECLARE || op.t == T_ASSIGN || (op.t == T_COMMA && maxdecl > 1)) {
            add_name(p, pipe, p->s + v.pos, v.len);
            if (op.t == T_COMMA) {
                struct tok v2 = expect(p, T_VAR, "range declaration");
                add_name(p, pipe, p->s + v2.pos, v2.len);
                op = next_nonspace(p);
                if (op.t != T_DECLARE && op.t != T_ASSIGN)
                    unexpected(p, op, "range declaration");
            }
            if (!decl_ok)
                perr(p, v.pos, "variable declaration not allowed in %s", ctx);
            pipe->flag = op.t == T_ASSIGN;
            if (pipe->flag) {
                use_var(p, v);
            } else {
                for (size_t i = 0; i < pipe->nnames; i++)
                    push_var(p, pipe->names[i]);
            }
        } else {
            backup(p, op);
            if (sp.t == T_SPACE)
                backup(p, sp);
            backup(p, v);
        }
    }
    for (;;) {
        struct tok t = next_nonspace(p);
        if (t.t == end) {
            if (pipe->nkids == 0)
                perr(p, t.pos, "missing value for %s", ctx);
            for (size_t i = 1; i < pipe->nkids; i++) {
                enum tn_kind k = pipe->kids[i]->kids[0]->kind;
                if (k == N_BOOL || k == N_DOT || k == N_NIL || k == N_NUM || k == N_STR)
                    perr(p, pipe->kids[i]->pos, "non executable command in pipeline stage %zu",
                         i + 1);
            }
            pipe->end = (uint32_t)t.pos;
            return pipe;
        }
        switch (t.t) {
        case T_BOOL: case T_CHAR: case T_DOT: case T_FIELD: case T_IDENT: case T_NUMBER:
        case T_NIL: case T_RAWSTRING: case T_STRING: case T_VAR: case T_LPAREN:
            backup(p, t);
            add_kid(p, pipe, command(p));
            break;
        default: unexpected(p, t, ctx);
        }
    }
}

enum term_kind { TERM_NONE, TERM_END, TERM_ELSE };

static struct tnode *item_list(struct tp *p, enum term_kind *term, struct tok *termtok);

static struct tnode *control(struct tp *p, enum tn_kind kind, struct tok kw, const char *ctx)
{
    enter(p, kw.pos);
    size_t saved_vars = p->nvars;
    struct tnode *n = node(p, kind, kw);
    n->pipe = pipeline(p, ctx, T_RDELIM, true, kind == N_RANGE ? 2 : 1);
    if (kind != N_RANGE && n->pipe->nnames > 1)
        perr(p, kw.pos, "too many declarations in %s", ctx);
    if (kind == N_RANGE)
        p->range_depth++;
    enum term_kind tk;
    struct tok tt;
    n->list = item_list(p, &tk, &tt);
    if (kind == N_RANGE)
        p->range_depth--;
    if (tk == TERM_ELSE) {
        struct tok nx = peek_nonspace(p);
        if ((kind == N_IF && nx.t == T_IF) || (kind == N_WITH && nx.t == T_WITH)) {
            /* "{{else if x}}" is "{{else}}{{if x}}...{{end}}" sharing the end */
            next_nonspace(p);
            n->elist = node(p, N_LIST, nx);
            add_kid(p, n->elist, control(p, kind, nx, ctx));
        } else {
            expect(p, T_RDELIM, "else");
            n->elist = item_list(p, &tk, &tt);
            if (tk != TERM_END)
                perr(p, tt.pos, "expected end; found {{else}}");
        }
    }
    p->nvars = saved_vars;
    p->depth--;
    return n;
}

static void add_def(struct tp *p, const char *name, struct tnode *root)
{
    p->defs = xgrow(p->defs, &p->capdefs, p->ndefs + 1, sizeof *p->defs);
    p->defs[p->ndefs++] = (struct tdef){name, root};
}

/* Parses a template body with a fresh variable scope ($ only). */
static struct tnode *def_body(struct tp *p, struct tok kw)
{
    size_t saved = p->nvars;
    int saved_range = p->range_depth;
    p->range_depth = 0;
    push_var(p, "$");
    enum term_kind tk;
    struct tok tt;
    struct tnode *body = item_list(p, &tk, &tt);
    if (tk != TERM_END)
        perr(p, tt.pos, "unexpected {{else}} in definition");
    p->nvars = saved;
    p->range_depth = saved_range;
    (void)kw;
    return body;
}

static const char *template_name(struct tp *p, const char *ctx)
{
    struct tok t = next_nonspace(p);
    if (t.t != T_STRING && t.t != T_RAWSTRING)
        unexpected(p, t, ctx);
    size_t len;
    return unquote(p, t, &len);
}

/* After "{{": one action.  Returns a statement node, or NULL with *term set
 * for {{end}} / {{else}}. */
static struct tnode *action(struct tp *p, struct tok ld, enum term_kind *term, struct tok *termtok,
                            bool top)
{
    struct tok kw = next_nonspace(p);
    struct tnode *n;
    *term = TERM_NONE;
    switch (kw.t) {
    case T_END:
        expect(p, T_RDELIM, "end");
        *term = TERM_END;
        *termtok = kw;
        return NULL;
    case T_ELSE: /* the caller reads what follows: "}}", or "if"/"with" */
        *term = TERM_ELSE;
        *termtok = kw;
        return NULL;
    case T_IF: return control(p, N_IF, kw, "if");
    case T_RANGE: return control(p, N_RANGE, kw, "range");
    case T_WITH: return control(p, N_WITH, kw, "with");
    case T_BREAK:
    case T_CONTINUE:
        if (p->range_depth == 0)
            perr(p, kw.pos, "{{%s}} outside {{range}}", kw.t == T_BREAK ? "break" : "continue");
        expect(p, T_RDELIM, kw.t == T_BREAK ? "break" : "continue");
        return node(p, kw.t == T_BREAK ? N_BREAK : N_CONTINUE, kw);
    case T_TEMPLATE:
    case T_BLOCK: {
        const char *ctx = kw.t == T_BLOCK ? "block clause" : "template clause";
        n = node(p, N_TEMPLATE, kw);
        n->str = template_name(p, ctx);
        struct tok t = peek_nonspace(p);
        if (t.t != T_RDELIM)
            n->pipe = pipeline(p, ctx, T_RDELIM, false, 0);
        else
            next_nonspace(p);
        if (kw.t == T_BLOCK) {
            if (!n->pipe)
                perr(p, kw.pos, "missing value for block clause");
            add_def(p, n->str, def_body(p, kw));
        }
        return n;
    }
    case T_DEFINE:
        if (!top)
            perr(p, kw.pos, "unexpected \"define\" in command");
        {
            const char *name = template_name(p, "define clause");
            expect(p, T_RDELIM, "define clause");
            add_def(p, name, def_body(p, kw));
        }
        return node(p, N_LIST, kw); /* an empty list: define produces no output */
    default:
        backup(p, kw);
        n = node(p, N_ACTION, ld);
        n->pipe = pipeline(p, "command", T_RDELIM, true, 1);
        if (n->pipe->nnames > 1)
            perr(p, kw.pos, "too many declarations in command");
        n->end = n->pipe->end;
        return n;
    }
}

static struct tnode *item_list(struct tp *p, enum term_kind *term, struct tok *termtok)
{
    struct tok t0 = peek(p);
    struct tnode *list = node(p, N_LIST, t0);
    for (;;) {
        struct tok t = next(p);
        if (t.t == T_EOF)
            perr(p, t.pos, "unexpected EOF");
        if (t.t == T_TEXT) {
            struct tnode *tx = node(p, N_TEXT, t);
            tx->str = p->s + t.pos;
            tx->slen = t.len;
            add_kid(p, list, tx);
            continue;
        }
        struct tnode *n = action(p, t, term, termtok, false);
        if (!n)
            return list;
        add_kid(p, list, n);
    }
}

int tparse(struct arena *a, const char *name, const char *text, size_t len, struct tdef **defs,
           size_t *ndefs, struct errbuf *err)
{
    struct tp p;
    memset(&p, 0, sizeof p);
    p.a = a;
    struct tsrc *src = arena_alloc(a, sizeof *src);
    ROUTER_ASSERT(src != NULL);
    src->name = arena_strndup(a, name, strlen(name));
    src->text = arena_strndup(a, text, len); /* nodes point into this copy */
    src->len = len;
    p.src = src;
    p.s = src->text;
    p.n = len;
    p.err = err;
    if (setjmp(p.jb)) {
        free(p.vars);
        free(p.defs);
        return -1;
    }
    if (len > UINT32_MAX - 8)
        perr(&p, 0, "template too large");
    push_var(&p, "$");
    add_def(&p, src->name, NULL);
    struct tnode *root = node(&p, N_LIST, (struct tok){T_EOF, 0, 0});
    for (;;) {
        struct tok t = next(&p);
        if (t.t == T_EOF)
            break;
        if (t.t == T_TEXT) {
            struct tnode *tx = node(&p, N_TEXT, t);
            tx->str = p.s + t.pos;
            tx->slen = t.len;
            add_kid(&p, root, tx);
            continue;
        }
        enum term_kind tk;
        struct tok tt;
        struct tnode *n = action(&p, t, &tk, &tt, true);
        if (!n)
            perr(&p, tt.pos, "unexpected {{%s}}", tk == TERM_END ? "end" : "else");
        add_kid(&p, root, n);
    }
    p.defs[0].root = root;
    *defs = p.defs;
    *ndefs = p.ndefs;
    free(p.vars);
    return 0;
}

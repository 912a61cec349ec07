/* matcher_parse.c -- the text forms of matchers: matchers_parse() of
 * matcher.h.
 *
 * Matcher strings reach us from `matchers:` in the config, from amtool and
 * from the API's `filter` parameter.  Alertmanager has two grammars and we
 * implement both, from their specification (reference/alertmanager.md §3.6):
 *   - classic (0.25, our reference): `name op value`, name
 *     [a-zA-Z_:][a-zA-Z0-9_:]*, value bare or "quoted" with \" \\ \n
 *     escapes, empty value allowed; errors "bad matcher format: ...";
 *   - UTF-8 (0.27+): a small lexer (quoted or unquoted names and values,
 *     Go string-literal escapes, braces optional but balanced, one trailing
 *     comma) with positioned errors ("3:4: unexpected end of input, ...").
 * The default is Alertmanager's fallback mode: whenever the classic parser
 * accepts the input its answer is used (so 0.25 configs mean exactly what
 * they meant), otherwise the UTF-8 parser's; if both fail, the classic error
 * is reported, as Alertmanager does. */
#include "matcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goquote.h"
#include "log.h"
#include "mem.h"
#include "utf8.h"

static void ms_free(struct matchers *ms)
{
    matchers_deinit(ms);
}

static int add_matcher(struct matchers *ms, enum match_type t, const char *name, const char *value,
                       struct errbuf *err)
{
    struct matcher m;
    if (matcher_init(&m, t, name, value, err) < 0)
        return -1;
    matchers_push(ms, &m);
    return 0;
}

/* ---- classic parser (pkg/labels, Alertmanager <= 0.26) ---------------- */

static bool classic_space(char c) /* Go's \s: [\t\n\f\r ] */
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool classic_name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

/* One `name op value` (the token is already split off the list). */
static int classic_one(const char *tok, size_t n, struct matchers *out, struct errbuf *err)
{
    size_t i = 0;
    while (i < n && classic_space(tok[i]))
        i++;
    size_t name0 = i;
    if (i >= n || !classic_name_char(tok[i], true))
        goto bad;
    while (i < n && classic_name_char(tok[i], false))
        i++;
    size_t name1 = i;
    while (i < n && classic_space(tok[i]))
        i++;
    enum match_type t;
    if (n - i >= 2 && tok[i] == '=' && tok[i + 1] == '~')
        t = MATCH_RE, i += 2;
    else if (n - i >= 1 && tok[i] == '=')
        t = MATCH_EQ, i += 1;
    else if (n - i >= 2 && tok[i] == '!' && tok[i + 1] == '=')
        t = MATCH_NE, i += 2;
    else if (n - i >= 2 && tok[i] == '!' && tok[i + 1] == '~')
        t = MATCH_NRE, i += 2;
    else
        goto bad;
    while (i < n && classic_space(tok[i]))
        i++;
    size_t end = n;
    while (end > i && classic_space(tok[end - 1]))
        end--;
    const char *raw = tok + i, *rawv = raw; /* rawv: the value as written */
    size_t rn = end - i, rawvn = rn;
    bool want_quote = false;
    if (rn > 0 && raw[0] == '"') {
        raw++, rn--;
        want_quote = true;
    }
    struct buf v = BUF_INIT;
    buf_puts(&v, "");
    bool esc = false;
    for (size_t k = 0; k < rn; k++) {
        char c = raw[k];
        if (esc) {
            esc = false;
            if (c == 'n')
                buf_putc(&v, '\n');
            else if (c == '"' || c == '\\')
                buf_putc(&v, c);
            else {
                buf_putc(&v, '\\'); /* a spurious escape is a literal backslash */
                buf_putc(&v, c);
            }
            continue;
        }
        if (c == '\\' && k < rn - 1) {
            esc = true;
        } else if (c == '"') {
            if (!want_quote || k < rn - 1)
                goto bad_quote;
            want_quote = false;
        } else {
            buf_putc(&v, c);
        }
    }
    if (want_quote)
        goto bad_quote;
    char *name = xstrndup(tok + name0, name1 - name0);
    int rc = add_matcher(out, t, name, buf_str(&v), err);
    free(name);
    buf_deinit(&v);
    return rc;
bad_quote:
    buf_deinit(&v);
    errbuf_set(err, "matcher value contains unescaped double quote: %.*s", (int)rawvn, rawv);
    return -1;
bad:
    errbuf_set(err, "bad matcher format: %.*s", (int)n, tok);
    return -1;
}

/* Splits on commas outside double quotes (\" does not toggle), trims an
 * optional leading '{' and trailing '}', and trims and drops an empty last
 * piece (one trailing comma).  Pieces before the last are not trimmed, so
 * they appear in errors exactly as written.  Go walks runes here, so an
 * invalid byte becomes U+FFFD in the piece. */
static int classic_parse(const char *s, struct matchers *out, struct errbuf *err)
{
    size_t n = strlen(s), i = 0;
    if (n && s[0] == '{')
        i = 1;
    if (n > i && s[n - 1] == '}')
        n--;
    struct buf tok = BUF_INIT;
    bool quoted = false, esc = false;
    int rc = 0;
    while (i < n && rc == 0) {
        uint32_t r;
        size_t w = utf8_decode(s + i, n - i, &r);
        if (r == ',' && !quoted) {
            rc = classic_one(buf_str(&tok), tok.len, out, err);
            buf_reset(&tok);
            i += w;
            continue;
        }
        if (r == '"') {
            if (!esc)
                quoted = !quoted;
            else
                esc = false;
        } else if (r == '\\') {
            esc = !esc;
        } else {
            esc = false;
        }
        if (r == UTF8_RUNE_ERROR && w == 1)
            utf8_put(&tok, r);
        else
            buf_append(&tok, s + i, w);
        i += w;
    }
    if (rc == 0) {
        /* strings.TrimSpace: unicode.IsSpace at both ends */
        const char *t = buf_str(&tok);
        size_t a = 0, b = tok.len;
        uint32_t r;
        size_t w;
        while (a < b && (w = utf8_decode(t + a, b - a, &r)) && go_isspace(r))
            a += w;
        while (b > a) {
            size_t k = b - 1;
            while (k > a && ((unsigned char)t[k] & 0xc0) == 0x80)
                k--;
            if (utf8_decode(t + k, b - k, &r) != b - k || !go_isspace(r))
                break;
            b = k;
        }
        if (b > a)
            rc = classic_one(t + a, b - a, out, err);
    }
    buf_deinit(&tok);
    return rc;
}

/* ---- UTF-8 parser (matcher/parse, Alertmanager 0.27+) ----------------- */

enum tok_kind { T_EOF, T_OPEN, T_CLOSE, T_COMMA, T_EQ, T_NE, T_RE, T_NRE, T_QUOTED, T_UNQUOTED };

struct tok {
    enum tok_kind kind;
    size_t off, len;   /* bytes in the input */
    size_t col0, col1; /* columns (runes), as Alertmanager reports them */
};

/* The lexer runs ahead of the parser and stops at its first error; the
 * parser only sees that error when it reaches the token where it arose, so
 * errors come out in the order Alertmanager reports them. */
struct lexed {
    struct tok *v;
    size_t n, cap;
    bool failed;
    struct errbuf lex_err;
    size_t consumed_col; /* columns up to the end of the last token taken */
};

static bool reserved(uint32_t r)
{
    return go_isspace(r) || (r < 0x80 && r && strchr("{}!=~,\\\"'`", (int)r));
}

static void lex(const char *s, struct lexed *lx)
{
    size_t n = strlen(s), i = 0, col = 0;
    for (;;) {
        uint32_t r;
        size_t w = utf8_decode(s + i, n - i, &r);
        if (w == 0)
            break;
        if (go_isspace(r)) {
            i += w, col++;
            continue;
        }
        struct tok t = {T_EOF, i, w, col, col + 1};
        if (r == '{' || r == '}' || r == ',') {
            t.kind = r == '{' ? T_OPEN : r == '}' ? T_CLOSE : T_COMMA;
        } else if (r == '=') {
            t.kind = T_EQ;
            if (i + 1 < n && s[i + 1] == '~')
                t.kind = T_RE, t.len = 2, t.col1++;
        } else if (r == '!') {
            if (i + 1 < n && (s[i + 1] == '=' || s[i + 1] == '~')) {
                t.kind = s[i + 1] == '=' ? T_NE : T_NRE;
                t.len = 2, t.col1++;
            } else if (i + 1 >= n) {
                errbuf_set(&lx->lex_err, "%zu:%zu: unexpected end of input, expected one of '=~'",
                           col, col + 1);
                lx->failed = true;
                break;
            } else {
                errbuf_set(&lx->lex_err, "%zu:%zu: !: expected one of '=~'", col, col + 1);
                lx->failed = true;
                break;
            }
        } else if (r == '"') {
            size_t k = i + 1, c = col + 1;
            bool esc = false, closed = false;
            while (k < n) {
                uint32_t q;
                size_t qw = utf8_decode(s + k, n - k, &q);
                k += qw, c++;
                if (esc)
                    esc = false;
                else if (q == '\\')
                    esc = true;
                else if (q == '"') {
                    closed = true;
                    break;
                }
            }
            if (!closed) {
                errbuf_set(&lx->lex_err, "%zu:%zu: %.*s: missing end \"", col, c, (int)(n - i),
                           s + i);
                lx->failed = true;
                break;
            }
            t.kind = T_QUOTED, t.len = k - i, t.col1 = c;
        } else if (!reserved(r)) {
            size_t k = i, c = col;
            for (;;) {
                uint32_t q;
                size_t qw = utf8_decode(s + k, n - k, &q);
                if (qw == 0 || reserved(q))
                    break;
                k += qw, c++;
            }
            t.kind = T_UNQUOTED, t.len = k - i, t.col1 = c;
        } else {
            errbuf_set(&lx->lex_err, "%zu:%zu: %.*s: invalid input", col, col + 1, (int)w, s + i);
            lx->failed = true;
            break;
        }
        lx->v = xgrow(lx->v, &lx->cap, lx->n + 1, sizeof *lx->v);
        lx->v[lx->n++] = t;
        i += t.len, col = t.col1;
    }
}

struct uparser {
    const char *s;
    struct lexed lx;
    size_t pos; /* next token */
    struct errbuf *err;
};

/* Peeks at the next token: 0 and *t, 1 at the end of input, -1 with the
 * lexer's error in p->err. */
static int u_peek(struct uparser *p, struct tok *t)
{
    if (p->pos < p->lx.n) {
        *t = p->lx.v[p->pos];
        return 0;
    }
    if (p->lx.failed) {
        *p->err = p->lx.lex_err;
        return -1;
    }
    return 1;
}

static void u_take(struct uparser *p)
{
    p->lx.consumed_col = p->lx.v[p->pos].col1;
    p->pos++;
}

static bool kind_in(enum tok_kind k, enum tok_kind a, enum tok_kind b, enum tok_kind c,
                    enum tok_kind d)
{
    return k == a || k == b || k == c || k == d;
}

/* Alertmanager's expectPeek: the next token must be one of the kinds.
 * Returns 0, 1 at end of input ("end of input"), -1 otherwise with the
 * message in p->err. */
static int u_expect(struct uparser *p, struct tok *t, enum tok_kind a, enum tok_kind b,
                    enum tok_kind c, enum tok_kind d)
{
    int rc = u_peek(p, t);
    if (rc == 1)
        errbuf_set(p->err, "end of input");
    if (rc)
        return rc;
    if (!kind_in(t->kind, a, b, c, d)) {
        errbuf_set(p->err, "%zu:%zu: unexpected %.*s", t->col0, t->col1, (int)t->len,
                   p->s + t->off);
        return -1;
    }
    return 0;
}

/* strconv.Unquote for a double-quoted Go string, plus a UTF-8 check. */
static int go_unquote(const char *s, size_t n, struct buf *out)
{
    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return -1;
    for (size_t i = 1; i < n - 1;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '"')
            return -1;
        if (c != '\\') {
            buf_putc(out, (char)c);
            i++;
            continue;
        }
        if (++i >= n - 1)
            return -1;
        char e = s[i++];
        const char *simple = strchr("abfnrtv\\\"", e);
        if (e && simple) {
            static const char val[] = "\a\b\f\n\r\t\v\\\"";
            buf_putc(out, val[simple - "abfnrtv\\\""]);
            continue;
        }
        int digits = e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
        uint32_t v = 0;
        if (digits) {
            for (int k = 0; k < digits; k++, i++) {
                char h = i < n - 1 ? s[i] : 0;
                int d = (h >= '0' && h <= '9')   ? h - '0'
                        : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                        : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                                 : -1;
                if (d < 0)
                    return -1;
                v = v * 16 + (uint32_t)d;
            }
            if (e == 'x') {
                buf_putc(out, (char)v);
            } else {
                if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
                    return -1;
                utf8_put(out, v);
            }
            continue;
        }
        if (e >= '0' && e <= '7') {
            v = (uint32_t)(e - '0');
            for (int k = 0; k < 2; k++, i++) {
                char o = i < n - 1 ? s[i] : 0;
                if (o < '0' || o > '7')
                    return -1;
                v = v * 8 + (uint32_t)(o - '0');
            }
            if (v > 255)
                return -1;
            buf_putc(out, (char)v);
            continue;
        }
        return -1;
    }
    return utf8_valid(buf_str(out), out->len) ? 0 : -1;
}

/* The token's text: unquoted as is, quoted through go_unquote.  Returns a
 * new string or NULL with Alertmanager's "invalid input" error. */
static char *u_text(struct uparser *p, const struct tok *t)
{
    if (t->kind == T_UNQUOTED)
        return xstrndup(p->s + t->off, t->len);
    struct buf b = BUF_INIT;
    if (go_unquote(p->s + t->off, t->len, &b) < 0) {
        buf_deinit(&b);
        errbuf_set(p->err, "%zu:%zu: %.*s: invalid input", t->col0, t->col1, (int)t->len,
                   p->s + t->off);
        return NULL;
    }
    buf_puts(&b, "");
    return buf_steal(&b);
}

/* Appends ": what" to the message in e, as Go's fmt.Errorf("%w: %w"). */
static void err_append(struct errbuf *e, const char *what)
{
    size_t l = strnlen(e->msg, sizeof e->msg);
    snprintf(e->msg + l, sizeof e->msg - l, ": %s", what);
}

static int u_matcher(struct uparser *p, struct matchers *out)
{
    struct tok t;
    if (u_expect(p, &t, T_QUOTED, T_UNQUOTED, T_UNQUOTED, T_UNQUOTED)) {
        err_append(p->err, "expected label name");
        return -1;
    }
    u_take(p);
    char *name = u_text(p, &t);
    if (!name)
        return -1;
    if (u_expect(p, &t, T_EQ, T_NE, T_RE, T_NRE)) {
        free(name);
        err_append(p->err, "expected an operator such as '=', '!=', '=~' or '!~'");
        return -1;
    }
    u_take(p);
    enum match_type mt = t.kind == T_EQ   ? MATCH_EQ
                         : t.kind == T_NE ? MATCH_NE
                         : t.kind == T_RE ? MATCH_RE
                                          : MATCH_NRE;
    if (u_expect(p, &t, T_QUOTED, T_UNQUOTED, T_UNQUOTED, T_UNQUOTED)) {
        free(name);
        err_append(p->err, "expected label value");
        return -1;
    }
    u_take(p);
    char *value = u_text(p, &t);
    if (!value) {
        free(name);
        return -1;
    }
    int rc = add_matcher(out, mt, name, value, p->err);
    if (rc < 0)
        errbuf_prefix(p->err, "failed to create matcher");
    free(name);
    free(value);
    return rc;
}

/* Alertmanager's parser is a small state machine; so is this one. */
enum ustate { U_OPEN, U_MATCHER, U_END_OF_MATCHER, U_COMMA, U_CLOSE, U_EOF, U_DONE };

static int utf8_parse(const char *s, struct matchers *out, struct errbuf *err)
{
    struct uparser p = {.s = s, .err = err};
    lex(s, &p.lx);
    bool open = false;
    enum ustate st = U_OPEN;
    struct tok t;
    int rc = 0;
    while (st != U_DONE && rc == 0) {
        switch (st) {
        case U_OPEN:
            rc = u_peek(&p, &t);
            if (rc == 1) {
                rc = 0, st = U_EOF;
                break;
            }
            if (rc < 0)
                break;
            if (t.kind == T_OPEN) {
                u_take(&p);
                open = true;
            }
            rc = u_peek(&p, &t);
            if (rc == 1 || (rc == 0 && t.kind == T_CLOSE))
                rc = 0, st = U_CLOSE;
            else if (rc == 0)
                st = U_MATCHER;
            break;
        case U_MATCHER:
            rc = u_matcher(&p, out);
            st = U_END_OF_MATCHER;
            break;
        case U_END_OF_MATCHER:
            rc = u_expect(&p, &t, T_COMMA, T_CLOSE, T_CLOSE, T_CLOSE);
            if (rc == 1)
                rc = 0, st = U_CLOSE;
            else if (rc < 0)
                err_append(err, "expected a comma or close brace");
            else
                st = t.kind == T_COMMA ? U_COMMA : U_CLOSE;
            break;
        case U_COMMA:
            u_take(&p);
            rc = u_expect(&p, &t, T_CLOSE, T_UNQUOTED, T_QUOTED, T_QUOTED);
            if (rc == 1)
                rc = 0, st = U_CLOSE;
            else if (rc < 0)
                err_append(err, "expected a matcher or close brace after comma");
            else
                st = t.kind == T_CLOSE ? U_CLOSE : U_MATCHER;
            break;
        case U_CLOSE:
            rc = u_expect(&p, &t, T_CLOSE, T_CLOSE, T_CLOSE, T_CLOSE);
            if (open && rc != 0) {
                errbuf_prefix(err, "0:%zu", p.lx.consumed_col);
                err_append(err, "expected close brace");
                rc = -1;
                break;
            }
            if (!open && rc == 0) {
                u_take(&p);
                errbuf_set(err, "0:%zu: }: expected opening brace", p.lx.consumed_col);
                rc = -1;
                break;
            }
            if (open)
                u_take(&p);
            rc = 0, st = U_EOF;
            break;
        case U_EOF:
            rc = u_peek(&p, &t);
            if (rc == 1) {
                rc = 0, st = U_DONE;
            } else if (rc < 0) {
                err_append(err, "expected end of input");
            } else {
                errbuf_set(err, "%zu:%zu: %.*s: expected end of input", t.col0, t.col1, (int)t.len,
                           s + t.off);
                rc = -1;
            }
            break;
        case U_DONE:
            break;
        }
    }
    free(p.lx.v);
    return rc;
}

/* ---- entry points ------------------------------------------------------ */

static bool same_matchers(const struct matchers *a, const struct matchers *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].type != b->v[i].type || strcmp(a->v[i].name, b->v[i].name) != 0 ||
            strcmp(a->v[i].value, b->v[i].value) != 0)
            return false;
    return true;
}

int matchers_parse_syntax(const char *s, enum matcher_syntax syn, struct matchers *out,
                          struct errbuf *err)
{
    struct matchers got = {0, 0, NULL};
    int rc;
    if (syn == MATCHER_SYNTAX_CLASSIC) {
        rc = classic_parse(s, &got, err);
    } else if (syn == MATCHER_SYNTAX_UTF8) {
        rc = utf8_parse(s, &got, err);
    } else {
        struct matchers u = {0, 0, NULL};
        struct errbuf uerr;
        int urc = utf8_parse(s, &u, &uerr);
        rc = classic_parse(s, &got, err);
        if (rc == 0 && (urc != 0 || !same_matchers(&u, &got))) {
            struct buf sug = BUF_INIT;
            for (size_t i = 0; i < got.n; i++) {
                if (i)
                    buf_putc(&sug, ',');
                matcher_format(&got.v[i], &sug);
            }
            if (urc != 0)
                log_warn("Alertmanager is moving to a new parser for labels and matchers, and "
                         "this input is incompatible. Alertmanager has instead parsed the input "
                         "using the classic matchers parser as a fallback. To make this input "
                         "compatible with the UTF-8 matchers parser please make sure all "
                         "regular expressions and values are double-quoted.",
                         "input", s, "err", uerr.msg, "suggestion", buf_str(&sug));
            else
                log_warn("Matchers input has disagreement", "input", s);
            buf_deinit(&sug);
        } else if (rc != 0 && urc == 0) {
            ms_free(&got);
            got = u;
            u.v = NULL, u.n = u.cap = 0;
            rc = 0;
        }
        ms_free(&u);
    }
    if (rc != 0) {
        ms_free(&got);
        return -1;
    }
    for (size_t i = 0; i < got.n; i++)
        matchers_push(out, &got.v[i]);
    free(got.v);
    return 0;
}

int matchers_parse(const char *s, struct matchers *out, struct errbuf *err)
{
    return matchers_parse_syntax(s, MATCHER_SYNTAX_FALLBACK, out, err);
}

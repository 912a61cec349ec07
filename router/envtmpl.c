/* envtmpl.c -- renders config.tmpl from the environment (see envtmpl.h).
 *
 * Runs once at start-up, before the config is parsed.  The template is read
 * line by line with a small YAML lexer -- just enough to know, at each
 * ${...}, whether it sits in a comment, a double- or single-quoted string, a
 * block scalar or a plain scalar -- because that decides how an environment
 * value must be escaped so it cannot add keys or break the document.  The
 * same pass notes the top-level section and the receiver (`- name: X` under
 * `receivers:`) around each line, so a placeholder warning can say which
 * receiver will not deliver. */
#include "envtmpl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "mem.h"

/* ---- report ------------------------------------------------------------ */

void envtmpl_report_init(struct envtmpl_report *rep)
{
    memset(rep, 0, sizeof *rep);
}

void envtmpl_report_deinit(struct envtmpl_report *rep)
{
    for (size_t i = 0; i < rep->n_refs; i++) {
        free(rep->refs[i].name);
        free(rep->refs[i].key);
        free(rep->refs[i].receiver);
        free(rep->refs[i].section);
    }
    for (size_t i = 0; i < rep->n_warnings; i++)
        free(rep->warnings[i]);
    for (size_t i = 0; i < rep->n_errors; i++)
        free(rep->errors[i]);
    free(rep->refs);
    free(rep->warnings);
    free(rep->errors);
    memset(rep, 0, sizeof *rep);
}

static void push_msg(char ***v, size_t *n, size_t *cap, char *msg)
{
    *v = xgrow(*v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = msg;
}

const char *envtmpl_getenv(const char *name, void *ud)
{
    (void)ud;
    return getenv(name);
}

/* ---- the renderer's state ------------------------------------------------ */

enum quote { Q_NONE, Q_DOUBLE, Q_SINGLE };

struct render {
    const char *t; /* the template */
    size_t len;
    const char *name; /* template name, prefixes messages */
    envtmpl_get_fn *get;
    void *ud;
    struct buf *out;
    struct envtmpl_report *rep;
    /* YAML lexical state carried from line to line */
    enum quote quote; /* inside a quoted scalar that spans lines */
    int flow_depth;   /* open [ and { */
    int block_parent; /* >= 0: a | or > scalar is open; content is indented more */
    /* document structure, for naming what a placeholder breaks */
    char *section;        /* current top-level key; owned */
    int recv_item_indent; /* column of the `- ` items under receivers:, or -1 */
    int recv_key_indent;  /* column of those items' keys, or -1 */
    char *receiver;       /* name of the receiver being read; owned */
    /* the current line: t[ls..le), without its '\n' */
    int line;
    size_t ls, le;
    int indent;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static void emit(struct render *r, const char *p, size_t n)
{
    buf_append(r->out, p, n); /* overflow is sticky in r->out; checked once at the end */
}

static void emit_s(struct render *r, const char *s)
{
    emit(r, s, strlen(s));
}

/* Adds "name:line:col: message" for position pos of the current line. */
__attribute__((format(printf, 3, 4))) static void err_at(struct render *r, size_t pos,
                                                         const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s:%d:%d: ", r->name, r->line, (int)(pos - r->ls) + 1);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    push_msg(&r->rep->errors, &r->rep->n_errors, &r->rep->cap_errors, buf_steal(&b));
}

/* ---- structure: section and receiver of each line ------------------------ */

/* The key of a `key: ...` line starting at p (stops at the first ':' that is
 * followed by a blank or the end of the line, and before `limit`); quotes
 * around the key are dropped.  Returns a new string, or NULL. */
static char *key_at(const struct render *r, size_t p, size_t limit)
{
    for (size_t i = p; i < limit; i++) {
        if (r->t[i] == ':' && (i + 1 >= r->le || is_blank(r->t[i + 1]))) {
            size_t a = p, b = i;
            while (b > a && is_blank(r->t[b - 1]))
                b--;
            if (b - a >= 2 && (r->t[a] == '"' || r->t[a] == '\'') && r->t[b - 1] == r->t[a]) {
                a++;
                b--;
            }
            return b > a ? xstrndup(r->t + a, b - a) : NULL;
        }
        if (r->t[i] == '#' && i > p && is_blank(r->t[i - 1]))
            return NULL;
    }
    return NULL;
}

/* The key nearest before position i on the current line ("url" for
 * `webhook_configs: [{url: '${X}'}]`).  Returns a new string, or NULL. */
static char *key_before(const struct render *r, size_t i)
{
    const char *t = r->t;
    size_t c = i;
    while (c > r->ls && !(t[c - 1] == ':' && (c == i || is_blank(t[c]))))
        c--;
    if (c == r->ls)
        return NULL;
    size_t b = c - 1; /* the ':' */
    while (b > r->ls && is_blank(t[b - 1]))
        b--;
    size_t a = b;
    while (a > r->ls && !is_blank(t[a - 1]) && !strchr("{[,", t[a - 1]))
        a--;
    if (b - a >= 2 && (t[a] == '"' || t[a] == '\'') && t[b - 1] == t[a]) {
        a++;
        b--;
    }
    return b > a ? xstrndup(t + a, b - a) : NULL;
}

/* `name: X` at p sets the current receiver's name (quotes and a trailing
 * comment removed). */
static void maybe_receiver_name(struct render *r, size_t p)
{
    const char *t = r->t;
    if (r->le - p < 5 || memcmp(t + p, "name:", 5) != 0 || (p + 5 < r->le && !is_blank(t[p + 5])))
        return;
    size_t a = p + 5, b;
    while (a < r->le && is_blank(t[a]))
        a++;
    if (a < r->le && (t[a] == '"' || t[a] == '\'')) {
        const char *q = memchr(t + a + 1, t[a], r->le - a - 1);
        b = q ? (size_t)(q - t) : r->le;
        a++;
    } else {
        b = a;
        while (b < r->le && !(t[b] == '#' && b > a && is_blank(t[b - 1])))
            b++;
        while (b > a && is_blank(t[b - 1]))
            b--;
    }
    free(r->receiver);
    r->receiver = b > a ? xstrndup(t + a, b - a) : NULL;
}

/* Follows top-level keys and the items of `receivers:`.  Called for lines
 * that start outside any quoted, flow or block scalar. */
static void track_structure(struct render *r)
{
    const char *t = r->t;
    size_t p = r->ls + (size_t)r->indent;
    bool dash = t[p] == '-' && (p + 1 >= r->le || is_blank(t[p + 1]));
    if (r->indent == 0 && !dash) {
        free(r->section);
        free(r->receiver);
        r->receiver = NULL;
        r->recv_item_indent = r->recv_key_indent = -1;
        bool marker = r->le - p >= 3 && (!memcmp(t + p, "---", 3) || !memcmp(t + p, "...", 3));
        r->section = marker ? NULL : key_at(r, p, r->le);
        return;
    }
    if (!r->section || strcmp(r->section, "receivers") != 0)
        return;
    if (dash && (r->recv_item_indent < 0 || r->indent == r->recv_item_indent)) {
        r->recv_item_indent = r->indent;
        free(r->receiver);
        r->receiver = NULL;
        size_t q = p + 1;
        while (q < r->le && is_blank(t[q]))
            q++;
        r->recv_key_indent = (int)(q - r->ls);
        maybe_receiver_name(r, q);
    } else if (r->indent == r->recv_key_indent) {
        maybe_receiver_name(r, p);
    }
}

/* ---- inserting values ----------------------------------------------------- */

/* Decodes the code point at s[*i] (s is valid UTF-8) and advances *i. */
static uint32_t next_cp(const unsigned char *s, size_t *i)
{
    uint32_t c = s[*i];
    size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < n; k++)
        cp = (cp << 6) | (s[*i + k] & 0x3f);
    *i += n;
    return cp;
}

/* A code point that YAML reads as a line break (LF, CR, NEL, LS, PS) or that
 * libyaml does not accept in a document (controls, BOM, non-characters).
 * Tab is fine everywhere except a plain scalar. */
static bool cp_special(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t') || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0xfeff || cp == 0xfffe || cp == 0xffff;
}

static bool has_special(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n)
        if (cp_special(next_cp((const unsigned char *)v, &i)))
            return true;
    return false;
}

/* Writes v escaped for the inside of a YAML double-quoted scalar. */
static void emit_dquoted(struct render *r, const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        uint32_t cp = next_cp((const unsigned char *)v, &i);
        char esc[16];
        if (cp == '"' || cp == '\\') {
            esc[0] = '\\';
            esc[1] = (char)cp;
            emit(r, esc, 2);
        } else if (cp == '\n') {
            emit_s(r, "\\n");
        } else if (cp == '\r') {
            emit_s(r, "\\r");
        } else if (cp == '\t') {
            emit_s(r, "\\t");
        } else if (cp_special(cp)) {
            snprintf(esc, sizeof esc, cp < 0x100 ? "\\x%02X" : "\\u%04X", (unsigned)cp);
            emit_s(r, esc);
        } else {
            emit(r, v + at, i - at);
        }
    }
}

/* Can v be copied into a plain (unquoted) scalar without YAML reading any
 * of it as syntax?  Conservative: anything doubtful is "no". */
static bool plain_safe(const char *v, size_t n, bool at_start)
{
    if (n == 0)
        return true;
    if (has_special(v, n) || strpbrk(v, " \t#'\"`{}[],|>*&!"))
        return false;
    if (at_start && (strchr("-?:%@", v[0]) || (n >= 3 && !memcmp(v, "...", 3))))
        return false;
    return v[n - 1] != ':';
}

/* Does the plain scalar end right after position j (end of line, a comment,
 * or in flow context a separator)? */
static bool scalar_ends_at(const struct render *r, size_t j)
{
    size_t k = j;
    while (k < r->le && is_blank(r->t[k]))
        k++;
    if (k == r->le)
        return true;
    if (r->t[k] == '#' && k > j)
        return true;
    return r->flow_depth > 0 && strchr(",]}", r->t[k]);
}

/* Inserts a variable's value in the quoting context ctx.  Returns 0, or -1
 * with an error (never quoting the value) when it cannot be inserted safely. */
static int insert_value(struct render *r, const struct envtmpl_ref *ref, const char *v, size_t pos,
                        bool at_start, bool whole)
{
    size_t n = strlen(v);
    if (!utf8_valid(v, n)) {
        err_at(r, pos, "the value of %s is not valid UTF-8", ref->name);
        return -1;
    }
    switch (ref->ctx) {
    case ENVTMPL_CTX_DQUOTE:
        emit_dquoted(r, v, n);
        return 0;
    case ENVTMPL_CTX_SQUOTE:
        if (has_special(v, n)) {
            err_at(r, pos,
                   "the value of %s holds a line break or control character, which a "
                   "single-quoted YAML string cannot carry; double-quote it in the template",
                   ref->name);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            emit(r, v[i] == '\'' ? "''" : v + i, v[i] == '\'' ? 2 : 1);
        return 0;
    case ENVTMPL_CTX_BLOCK:
        if (at_start && (v[0] == ' ' || v[0] == '\t')) {
            err_at(r, pos,
                   "the value of %s starts with a space or tab, which would change the "
                   "indentation of the block scalar it starts a line of",
                   ref->name);
            return -1;
        }
        if (has_special(v, n)) {
            err_at(r, pos,
                   "the value of %s holds a line break or control character, which cannot "
                   "be inserted into a block scalar",
                   ref->name);
            return -1;
        }
        emit(r, v, n);
        return 0;
    case ENVTMPL_CTX_PLAIN:
        if (plain_safe(v, n, at_start)) {
            emit(r, v, n);
            return 0;
        }
        if (whole) {
            emit_s(r, "\"");
            emit_dquoted(r, v, n);
            emit_s(r, "\"");
            return 0;
        }
        err_at(r, pos,
               "the value of %s holds characters that YAML would read as syntax and the "
               "reference is only part of an unquoted value; double-quote it in the template",
               ref->name);
        return -1;
    }
    return -1;
}

/* Would the placeholder p[0..n), copied as it is, change what the lexer
 * believes about the quoting that follows it?  (A stray quote would make
 * every later value land in a context other than the one we escape for.) */
static bool placeholder_ok(enum envtmpl_ctx ctx, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (ctx == ENVTMPL_CTX_DQUOTE && c == '\\' && ++i == n)
            return false;
        if (ctx == ENVTMPL_CTX_DQUOTE && c == '"')
            return false;
        if (ctx == ENVTMPL_CTX_SQUOTE && c == '\'' && !(i + 1 < n && p[++i] == '\''))
            return false;
        if (ctx == ENVTMPL_CTX_PLAIN &&
            (strchr("#\"'[]{", c) || (c == ':' && i + 1 < n && is_blank(p[i + 1]))))
            return false;
    }
    return true;
}

/* Handles the "${" at t[i].  ctx is the quoting around it; at_start says a
 * plain scalar begins here.  Returns the index just past the reference. */
static size_t substitute(struct render *r, size_t i, enum envtmpl_ctx ctx, bool at_start)
{
    const char *t = r->t;
    size_t p = i + 2, name_at = p;
    while (p < r->le && is_name_char(t[p]))
        p++;
    size_t name_end = p;
    const char *close = memchr(t + p, '}', r->le - p);
    if (!close) {
        err_at(r, i, "unterminated \"${\": a reference must end with \"}\" on the same line");
        emit(r, t + i, r->le - i);
        return r->le;
    }
    size_t end = (size_t)(close - t);
    enum envtmpl_form form = ENVTMPL_FORM_PLAIN;
    bool ok = name_end > name_at && !(t[name_at] >= '0' && t[name_at] <= '9');
    if (ok && p < end) {
        if (end - p >= 2 && t[p] == ':' && t[p + 1] == '-')
            form = ENVTMPL_FORM_DEFAULT;
        else if (t[p] == '-')
            form = ENVTMPL_FORM_OPTIONAL;
        else if (end - p >= 2 && t[p] == ':' && t[p + 1] == '?')
            form = ENVTMPL_FORM_REQUIRED;
        else
            ok = false;
    }
    if (!ok) {
        int n = end + 1 - i > 60 ? 60 : (int)(end + 1 - i);
        err_at(r, i,
               "invalid reference \"%.*s\": expected ${NAME}, ${NAME:-placeholder}, "
               "${NAME-default} or ${NAME:?message}, NAME being letters, digits and _ (not "
               "starting with a digit)",
               n, t + i);
        emit(r, t + i, end + 1 - i);
        return end + 1;
    }
    size_t op_len = form == ENVTMPL_FORM_PLAIN ? 0 : form == ENVTMPL_FORM_OPTIONAL ? 1 : 2;
    const char *arg = t + p + op_len;
    size_t arg_len = form == ENVTMPL_FORM_PLAIN ? 0 : end - (p + op_len);
    bool has_default = form == ENVTMPL_FORM_DEFAULT || form == ENVTMPL_FORM_OPTIONAL;

    struct envtmpl_report *rep = r->rep;
    rep->refs = xgrow(rep->refs, &rep->cap_refs, rep->n_refs + 1, sizeof *rep->refs);
    struct envtmpl_ref *ref = &rep->refs[rep->n_refs++];
    memset(ref, 0, sizeof *ref);
    ref->name = xstrndup(t + name_at, name_end - name_at);
    ref->line = r->line;
    ref->col = (int)(i - r->ls) + 1;
    ref->form = form;
    ref->ctx = ctx;
    ref->key = ctx == ENVTMPL_CTX_BLOCK ? NULL : key_before(r, i);
    ref->receiver = r->receiver ? xstrdup(r->receiver) : NULL;
    ref->section = r->section ? xstrdup(r->section) : NULL;

    const char *v = r->get(ref->name, r->ud);
    ref->was_set = v != NULL;
    if (form == ENVTMPL_FORM_PLAIN && !v) {
        err_at(r, i, "%s is not set and ${%s} has no default (${%s:-placeholder} gives one)",
               ref->name, ref->name, ref->name);
        ref->outcome = ENVTMPL_FAILED;
    } else if (form == ENVTMPL_FORM_REQUIRED && (!v || !*v)) {
        if (arg_len)
            err_at(r, i, "%s: %.*s", ref->name, (int)arg_len, arg);
        else
            err_at(r, i, "%s is not set or empty", ref->name);
        ref->outcome = ENVTMPL_FAILED;
    } else if (has_default && !placeholder_ok(ctx, arg, arg_len)) {
        const char *what = form == ENVTMPL_FORM_DEFAULT ? "placeholder" : "default";
        err_at(r, i,
               "the %s of %s would change the YAML around it (a quote, '#', bracket "
               "or ': ' where it stands); double-quote the reference or simplify the %s",
               what, ref->name, what);
        ref->outcome = ENVTMPL_FAILED;
    } else if (has_default && (!v || !*v)) {
        emit(r, arg, arg_len);
        ref->outcome = form == ENVTMPL_FORM_DEFAULT ? ENVTMPL_PLACEHOLDER : ENVTMPL_DEFAULTED;
    } else {
        bool whole = ctx == ENVTMPL_CTX_PLAIN && at_start && scalar_ends_at(r, end + 1);
        if (insert_value(r, ref, v, i, at_start, whole) < 0)
            ref->outcome = ENVTMPL_FAILED;
        else
            ref->outcome = *v ? ENVTMPL_VALUE : ENVTMPL_EMPTY;
    }
    return end + 1;
}

/* ---- the lexer ---------------------------------------------------------- */

/* A line of block scalar content: only $$ and ${...} mean anything. */
static void render_block_line(struct render *r)
{
    size_t i = r->ls;
    while (i < r->le) {
        if (r->t[i] == '$' && i + 1 < r->le && r->t[i + 1] == '$') {
            emit_s(r, "$");
            i += 2;
        } else if (r->t[i] == '$' && i + 1 < r->le && r->t[i + 1] == '{') {
            size_t first = r->ls;
            while (first < i && is_blank(r->t[first]))
                first++;
            i = substitute(r, i, ENVTMPL_CTX_BLOCK, first == i);
        } else {
            emit(r, r->t + i, 1);
            i++;
        }
    }
}

/* A line of YAML outside block scalars.  Tracks quotes, flow brackets,
 * comments and where scalars start, substituting references on the way. */
static void render_yaml_line(struct render *r)
{
    const char *t = r->t;
    size_t i = r->ls, le = r->le;
    bool token_start = true, after_space = true, had_colon = false;
    int key_col = -1, dash_col = -1;
    while (i < le) {
        char c = t[i];
        int col = (int)(i - r->ls);
        if (c == '$' && i + 1 < le && (t[i + 1] == '$' || t[i + 1] == '{')) {
            if (r->quote == Q_NONE && token_start && key_col < 0 && !had_colon)
                key_col = col;
            if (t[i + 1] == '$') {
                emit_s(r, "$");
                i += 2;
            } else {
                enum envtmpl_ctx ctx = r->quote == Q_DOUBLE   ? ENVTMPL_CTX_DQUOTE
                                       : r->quote == Q_SINGLE ? ENVTMPL_CTX_SQUOTE
                                                              : ENVTMPL_CTX_PLAIN;
                i = substitute(r, i, ctx, r->quote == Q_NONE && token_start);
            }
            if (r->quote == Q_NONE)
                token_start = after_space = false;
            continue;
        }
        if (r->quote == Q_DOUBLE) {
            size_t n = c == '\\' && i + 1 < le ? 2 : 1;
            emit(r, t + i, n);
            if (c == '"')
                r->quote = Q_NONE;
            i += n;
            continue;
        }
        if (r->quote == Q_SINGLE) {
            size_t n = c == '\'' && i + 1 < le && t[i + 1] == '\'' ? 2 : 1;
            emit(r, t + i, n);
            if (c == '\'' && n == 1)
                r->quote = Q_NONE;
            i += n;
            continue;
        }
        if (c == '#' && after_space) { /* a comment: copied, never rendered */
            emit(r, t + i, le - i);
            return;
        }
        if (is_blank(c)) {
            emit(r, t + i, 1);
            after_space = true;
            i++;
            continue;
        }
        after_space = false;
        bool sep_next = i + 1 >= le || is_blank(t[i + 1]);
        if (token_start) {
            if ((c == '|' || c == '>') && r->flow_depth == 0) {
                r->block_parent = had_colon ? (key_col >= 0 ? key_col : r->indent)
                                            : (dash_col >= 0 ? dash_col : r->indent);
                emit(r, t + i, le - i);
                return;
            }
            if ((c == '-' || c == '?') && sep_next && r->flow_depth == 0) {
                dash_col = col;
                emit(r, t + i, 1);
                i++;
                continue;
            }
            if (c == '[' || c == '{') {
                r->flow_depth++;
                emit(r, t + i, 1);
                i++;
                continue;
            }
            if (c == '&' || c == '!') { /* anchor or tag: the scalar comes after it */
                while (i < le && !is_blank(t[i]))
                    emit(r, t + i++, 1);
                continue;
            }
            if (!(c == ':' && sep_next)) {
                if (key_col < 0 && !had_colon)
                    key_col = col;
                token_start = false;
                if (c == '"' || c == '\'') {
                    r->quote = c == '"' ? Q_DOUBLE : Q_SINGLE;
                    emit(r, t + i, 1);
                    i++;
                    continue;
                }
            }
        }
        if (c == ':' && (sep_next || (r->flow_depth > 0 && strchr(",]}", t[i + 1])))) {
            had_colon = token_start = true;
        } else if (r->flow_depth > 0 && c == ',') {
            token_start = true;
        } else if (r->flow_depth > 0 && (c == ']' || c == '}')) {
            r->flow_depth--;
            token_start = false;
        }
        emit(r, t + i, 1);
        i++;
    }
}

static void render_line(struct render *r)
{
    const char *t = r->t;
    r->indent = 0;
    while (r->ls + (size_t)r->indent < r->le && t[r->ls + (size_t)r->indent] == ' ')
        r->indent++;
    size_t first = r->ls + (size_t)r->indent;
    while (first < r->le && is_blank(t[first]))
        first++;
    bool blank = first == r->le;
    if (r->block_parent >= 0) {
        if (blank || r->indent > r->block_parent) {
            render_block_line(r);
            return;
        }
        r->block_parent = -1;
    }
    if (r->quote == Q_NONE && r->flow_depth == 0 && !blank && t[first] != '#' &&
        first == r->ls + (size_t)r->indent)
        track_structure(r);
    render_yaml_line(r);
}

/* ---- warnings ------------------------------------------------------------ */

static bool str_in(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* One warning per variable that fell back to its placeholder, naming every
 * line it did so on and what that breaks.  Never mentions any value. */
static void build_warnings(struct envtmpl_report *rep, size_t from, const char *tmpl_name)
{
    for (size_t k = from; k < rep->n_refs; k++) {
        const struct envtmpl_ref *a = &rep->refs[k];
        if (a->outcome != ENVTMPL_PLACEHOLDER)
            continue;
        bool seen = false;
        for (size_t j = from; j < k && !seen; j++)
            seen = rep->refs[j].outcome == ENVTMPL_PLACEHOLDER &&
                   strcmp(rep->refs[j].name, a->name) == 0;
        if (seen)
            continue;
        struct buf lines = BUF_INIT, keys = BUF_INIT, recv = BUF_INIT, other = BUF_INIT;
        char **rv = NULL, **kv = NULL;
        size_t nrv = 0, caprv = 0, nkv = 0, capkv = 0;
        bool all_unset = true;
        int last_line = 0;
        for (size_t j = k; j < rep->n_refs; j++) {
            const struct envtmpl_ref *b = &rep->refs[j];
            if (b->outcome != ENVTMPL_PLACEHOLDER || strcmp(b->name, a->name) != 0)
                continue;
            all_unset = all_unset && !b->was_set;
            if (b->line != last_line)
                buf_printf(&lines, "%s%d", lines.len ? "," : "", b->line);
            last_line = b->line;
            if (b->key && !str_in(kv, nkv, b->key)) {
                kv = xgrow(kv, &capkv, nkv + 1, sizeof *kv);
                kv[nkv++] = b->key;
                buf_printf(&keys, "%s%s", keys.len ? ", " : "", b->key);
            }
            if (b->receiver && !str_in(rv, nrv, b->receiver)) {
                rv = xgrow(rv, &caprv, nrv + 1, sizeof *rv);
                rv[nrv++] = b->receiver;
                buf_printf(&recv, "%s\"%s\"", recv.len ? ", " : "", b->receiver);
            } else if (!b->receiver) {
                buf_printf(&other, "%s%s%s%s will not work", other.len ? "; " : "",
                           b->key ? b->key : "the value", b->section ? " in " : "",
                           b->section ? b->section : "");
            }
        }
        struct buf m = BUF_INIT;
        buf_printf(&m, "%s:%s: %s is %s; using its placeholder", tmpl_name, buf_str(&lines),
                   a->name, all_unset ? "not set" : "empty");
        if (keys.len)
            buf_printf(&m, " for %s", buf_str(&keys));
        if (nrv)
            buf_printf(&m, ", so receiver%s %s will not deliver", nrv > 1 ? "s" : "",
                       buf_str(&recv));
        if (other.len)
            buf_printf(&m, "%s %s", nrv ? ";" : ", so", buf_str(&other));
        push_msg(&rep->warnings, &rep->n_warnings, &rep->cap_warnings, buf_steal(&m));
        free(rv);
        free(kv);
        buf_deinit(&lines);
        buf_deinit(&keys);
        buf_deinit(&recv);
        buf_deinit(&other);
    }
}

/* ---- entry points --------------------------------------------------------- */

int envtmpl_render(const char *text, size_t len, const char *tmpl_name, envtmpl_get_fn *get,
                   void *ud, struct buf *out, struct envtmpl_report *rep)
{
    size_t errors_before = rep->n_errors, refs_before = rep->n_refs;
    struct render r = {.t = text,
                       .len = len,
                       .name = tmpl_name,
                       .get = get,
                       .ud = ud,
                       .out = out,
                       .rep = rep,
                       .block_parent = -1,
                       .recv_item_indent = -1,
                       .recv_key_indent = -1};
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int line = 1;
        for (const char *p = text; p < nul; p++)
            line += *p == '\n';
        struct buf b = BUF_INIT;
        buf_printf(&b, "%s:%d: the template contains a NUL byte", tmpl_name, line);
        push_msg(&rep->errors, &rep->n_errors, &rep->cap_errors, buf_steal(&b));
        return -1;
    }
    size_t pos = 0;
    while (pos < len) {
        r.line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        r.ls = pos;
        r.le = nl ? (size_t)(nl - text) : len;
        render_line(&r);
        if (nl)
            emit_s(&r, "\n");
        pos = r.le + 1;
    }
    free(r.section);
    free(r.receiver);
    if (out->overflow) {
        struct buf b = BUF_INIT;
        buf_printf(&b, "%s: the rendered config is larger than %zu bytes", tmpl_name, out->max);
        push_msg(&rep->errors, &rep->n_errors, &rep->cap_errors, buf_steal(&b));
    }
    build_warnings(rep, refs_before, tmpl_name);
    return rep->n_errors > errors_before ? -1 : 0;
}

int envtmpl_read_file(const char *path, size_t max, struct buf *out, struct errbuf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        errbuf_set(err, "open %s: %s", path, strerror(errno));
        return -1;
    }
    char chunk[16384];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > max || buf_append(out, chunk, n) < 0) {
            errbuf_set(err, "%s: the template is larger than %zu bytes", path, max);
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        errbuf_set(err, "read %s: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    return rc;
}

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
/* ---- tree helpers ------------------------------------------------------ */

static struct tnode *node(struct tp *p, enum tn_kind k, struct tok t)
{
    struct tnode *n = tp_alloc(p, sizeof *n);
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
        struct tnode **k = tp_alloc(p, cap * sizeof *k);
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
        const char **k = tp_alloc(p, cap * sizeof *k);
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
    tp_error(p, t.pos, "undefined variable \"%.*s\"", (int)t.len, p->s + t.pos);
}

static void enter(struct tp *p, size_t pos)
{
    if (++p->depth > PARSE_DEPTH_MAX)
        tp_error(p, pos, "template nested too deeply (max %d)", PARSE_DEPTH_MAX);
}

static struct tnode *number(struct tp *p, struct tok t)
{
    struct tnode *n = node(p, N_NUM, t);
    if (p->s[t.pos] == '\'') {
        size_t len;
        const char *c = tp_unquote(p, t, &len);
        if (len == 0)
            tp_error(p, t.pos, "empty character constant");
        int64_t r;
        if (tp_rune_at((const unsigned char *)c, len, &r) != len)
            tp_error(p, t.pos, "malformed character constant");
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
        tp_error(p, t.pos, "number too long");
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
            tp_error(p, t.pos, "illegal number syntax: \"%.*s\"", (int)t.len, p->s + t.pos);
        if (tmp[0] == '-' ? v > (unsigned long long)INT64_MAX + 1 : v > INT64_MAX)
            tp_error(p, t.pos, "integer overflow: %.*s", (int)t.len, p->s + t.pos);
        n->i = tmp[0] == '-' ? (int64_t)(0 - v) : (int64_t)v;
        n->f = (double)n->i;
        return n;
    }
    char *e;
    errno = 0;
    n->f = strtod(tmp, &e);
    if (*e || isinf(n->f) || e == tmp)
        tp_error(p, t.pos, "illegal number syntax: \"%.*s\"", (int)t.len, p->s + t.pos);
    n->flag = true;
    return n;
}

/* ---- grammar ----------------------------------------------------------- */

static struct tnode *pipeline(struct tp *p, const char *ctx, enum tt end, bool decl_ok,
                              int maxdecl);

static struct tnode *term(struct tp *p)
{
    struct tok t = tp_next_nonspace(p);
    struct tnode *n;
    switch (t.t) {
    case T_IDENT:
        n = node(p, N_IDENT, t);
        n->fn = tfunc_find(p->s + t.pos, t.len);
        if (!n->fn)
            tp_error(p, t.pos, "function \"%.*s\" not defined", (int)t.len, p->s + t.pos);
        n->str = arena_strndup(p->a, p->s + t.pos, t.len);
        return n;
    case T_DOT:
        return node(p, N_DOT, t);
    case T_NIL:
        return node(p, N_NIL, t);
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
    case T_NUMBER:
        return number(p, t);
    case T_STRING:
    case T_RAWSTRING:
        n = node(p, N_STR, t);
        n->str = tp_unquote(p, t, &n->slen);
        return n;
    case T_LPAREN:
        enter(p, t.pos);
        n = pipeline(p, "parenthesized pipeline", T_RPAREN, false, 0);
        p->depth--;
        n->pos = (uint32_t)t.pos;
        return n;
    default:
        tp_backup(p, t);
        return NULL;
    }
}

static struct tnode *operand(struct tp *p)
{
    struct tnode *n = term(p);
    if (!n)
        return NULL;
    struct tok t = tp_peek(p);
    if (t.t != T_FIELD)
        return n;
    if (n->kind == N_BOOL || n->kind == N_STR || n->kind == N_NUM || n->kind == N_NIL ||
        n->kind == N_DOT)
        tp_error(p, t.pos, "unexpected . after term \"%.*s\"", (int)(n->end - n->pos),
                 p->s + n->pos);
    struct tnode *c = n;
    if (n->kind != N_FIELD && n->kind != N_VAR) {
        c = node(p, N_CHAIN, (struct tok){T_EOF, n->pos, 0});
        c->pipe = n;
    }
    while ((t = tp_peek(p)).t == T_FIELD) {
        tp_next(p);
        add_name(p, c, p->s + t.pos + 1, t.len - 1);
        c->end = (uint32_t)(t.pos + t.len);
    }
    return c;
}

static struct tnode *command(struct tp *p)
{
    struct tok first = tp_peek_nonspace(p);
    struct tnode *cmd = node(p, N_CMD, first);
    for (;;) {
        struct tnode *o = operand(p);
        if (o) {
            add_kid(p, cmd, o);
            cmd->end = o->end;
        }
        struct tok t = tp_next(p);
        if (t.t == T_SPACE)
            continue;
        if (t.t == T_RDELIM || t.t == T_RPAREN)
            tp_backup(p, t);
        else if (t.t != T_PIPE)
            tp_unexpected(p, t, "operand");
        break;
    }
    if (cmd->nkids == 0)
        tp_error(p, first.pos, "empty command");
    return cmd;
}

static struct tnode *pipeline(struct tp *p, const char *ctx, enum tt end, bool decl_ok, int maxdecl)
{
    struct tok st = tp_peek_nonspace(p);
    struct tnode *pipe = node(p, N_PIPE, st);
    struct tok v = tp_peek_nonspace(p);
    if (v.t == T_VAR) {
        tp_next_nonspace(p);
        struct tok sp = tp_next(p), op = sp;
        if (sp.t == T_SPACE)
            op = tp_next_nonspace(p);
        if (op.t == T_DECLARE || op.t == T_ASSIGN || (op.t == T_COMMA && maxdecl > 1)) {
            add_name(p, pipe, p->s + v.pos, v.len);
            if (op.t == T_COMMA) {
                struct tok v2 = tp_expect(p, T_VAR, "range declaration");
                add_name(p, pipe, p->s + v2.pos, v2.len);
                op = tp_next_nonspace(p);
                if (op.t != T_DECLARE && op.t != T_ASSIGN)
                    tp_unexpected(p, op, "range declaration");
            }
            if (!decl_ok)
                tp_error(p, v.pos, "variable declaration not allowed in %s", ctx);
            pipe->flag = op.t == T_ASSIGN;
            if (pipe->flag) {
                use_var(p, v);
            } else {
                for (size_t i = 0; i < pipe->nnames; i++)
                    push_var(p, pipe->names[i]);
            }
        } else {
            tp_backup(p, op);
            if (sp.t == T_SPACE)
                tp_backup(p, sp);
            tp_backup(p, v);
        }
    }
    for (;;) {
        struct tok t = tp_next_nonspace(p);
        if (t.t == end) {
            if (pipe->nkids == 0)
                tp_error(p, t.pos, "missing value for %s", ctx);
            for (size_t i = 1; i < pipe->nkids; i++) {
                enum tn_kind k = pipe->kids[i]->kids[0]->kind;
                if (k == N_BOOL || k == N_DOT || k == N_NIL || k == N_NUM || k == N_STR)
                    tp_error(p, pipe->kids[i]->pos, "non executable command in pipeline stage %zu",
                             i + 1);
            }
            pipe->end = (uint32_t)t.pos;
            return pipe;
        }
        switch (t.t) {
        case T_BOOL:
        case T_CHAR:
        case T_DOT:
        case T_FIELD:
        case T_IDENT:
        case T_NUMBER:
        case T_NIL:
        case T_RAWSTRING:
        case T_STRING:
        case T_VAR:
        case T_LPAREN:
            tp_backup(p, t);
            add_kid(p, pipe, command(p));
            break;
        default:
            tp_unexpected(p, t, ctx);
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
        tp_error(p, kw.pos, "too many declarations in %s", ctx);
    if (kind == N_RANGE)
        p->range_depth++;
    enum term_kind tk;
    struct tok tt;
    n->list = item_list(p, &tk, &tt);
    if (kind == N_RANGE)
        p->range_depth--;
    if (tk == TERM_ELSE) {
        struct tok nx = tp_peek_nonspace(p);
        if ((kind == N_IF && nx.t == T_IF) || (kind == N_WITH && nx.t == T_WITH)) {
            /* "{{else if x}}" is "{{else}}{{if x}}...{{end}}" sharing the end */
            tp_next_nonspace(p);
            n->elist = node(p, N_LIST, nx);
            add_kid(p, n->elist, control(p, kind, nx, ctx));
        } else {
            tp_expect(p, T_RDELIM, "else");
            n->elist = item_list(p, &tk, &tt);
            if (tk != TERM_END)
                tp_error(p, tt.pos, "expected end; found {{else}}");
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
        tp_error(p, tt.pos, "unexpected {{else}} in definition");
    p->nvars = saved;
    p->range_depth = saved_range;
    (void)kw;
    return body;
}

static const char *template_name(struct tp *p, const char *ctx)
{
    struct tok t = tp_next_nonspace(p);
    if (t.t != T_STRING && t.t != T_RAWSTRING)
        tp_unexpected(p, t, ctx);
    size_t len;
    return tp_unquote(p, t, &len);
}

/* After "{{": one action.  Returns a statement node, or NULL with *term set
 * for {{end}} / {{else}}. */
static struct tnode *action(struct tp *p, struct tok ld, enum term_kind *term, struct tok *termtok,
                            bool top)
{
    struct tok kw = tp_next_nonspace(p);
    struct tnode *n;
    *term = TERM_NONE;
    switch (kw.t) {
    case T_END:
        tp_expect(p, T_RDELIM, "end");
        *term = TERM_END;
        *termtok = kw;
        return NULL;
    case T_ELSE: /* the caller reads what follows: "}}", or "if"/"with" */
        *term = TERM_ELSE;
        *termtok = kw;
        return NULL;
    case T_IF:
        return control(p, N_IF, kw, "if");
    case T_RANGE:
        return control(p, N_RANGE, kw, "range");
    case T_WITH:
        return control(p, N_WITH, kw, "with");
    case T_BREAK:
    case T_CONTINUE:
        if (p->range_depth == 0)
            tp_error(p, kw.pos, "{{%s}} outside {{range}}", kw.t == T_BREAK ? "break" : "continue");
        tp_expect(p, T_RDELIM, kw.t == T_BREAK ? "break" : "continue");
        return node(p, kw.t == T_BREAK ? N_BREAK : N_CONTINUE, kw);
    case T_TEMPLATE:
    case T_BLOCK: {
        const char *ctx = kw.t == T_BLOCK ? "block clause" : "template clause";
        n = node(p, N_TEMPLATE, kw);
        n->str = template_name(p, ctx);
        struct tok t = tp_peek_nonspace(p);
        if (t.t != T_RDELIM)
            n->pipe = pipeline(p, ctx, T_RDELIM, false, 0);
        else
            tp_next_nonspace(p);
        if (kw.t == T_BLOCK) {
            if (!n->pipe)
                tp_error(p, kw.pos, "missing value for block clause");
            add_def(p, n->str, def_body(p, kw));
        }
        return n;
    }
    case T_DEFINE:
        if (!top)
            tp_error(p, kw.pos, "unexpected \"define\" in command");
        {
            const char *name = template_name(p, "define clause");
            tp_expect(p, T_RDELIM, "define clause");
            add_def(p, name, def_body(p, kw));
        }
        return node(p, N_LIST, kw); /* an empty list: define produces no output */
    default:
        tp_backup(p, kw);
        n = node(p, N_ACTION, ld);
        n->pipe = pipeline(p, "command", T_RDELIM, true, 1);
        if (n->pipe->nnames > 1)
            tp_error(p, kw.pos, "too many declarations in command");
        n->end = n->pipe->end;
        return n;
    }
}

static struct tnode *item_list(struct tp *p, enum term_kind *term, struct tok *termtok)
{
    struct tok t0 = tp_peek(p);
    struct tnode *list = node(p, N_LIST, t0);
    for (;;) {
        struct tok t = tp_next(p);
        if (t.t == T_EOF)
            tp_error(p, t.pos, "unexpected EOF");
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
        tp_error(&p, 0, "template too large");
    push_var(&p, "$");
    add_def(&p, src->name, NULL);
    struct tnode *root = node(&p, N_LIST, (struct tok){T_EOF, 0, 0});
    for (;;) {
        struct tok t = tp_next(&p);
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
            tp_error(&p, tt.pos, "unexpected {{%s}}", tk == TERM_END ? "end" : "else");
        add_kid(&p, root, n);
    }
    p.defs[0].root = root;
    *defs = p.defs;
    *ndefs = p.ndefs;
    free(p.vars);
    return 0;
}

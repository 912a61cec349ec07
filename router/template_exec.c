/* template_exec.c -- the evaluator: walks a parse tree against the data.
 *
 * Follows Go's text/template execution: pipelines pass each command's value
 * as the last argument of the next, variables live on a stack whose frames
 * are template calls and whose marks are control structures, range walks
 * lists and maps (maps in sorted key order), and `and`/`or` short-circuit and
 * return one of their operands.  Every failure longjmps to tx_run with a
 * Go-like message naming the template, the position and the expression.
 *
 * Bounds: output bytes (TMPL_OUTPUT_MAX), nesting of template calls and
 * expressions (TMPL_DEPTH_MAX, so hostile recursion cannot exhaust the C
 * stack), evaluation steps (TMPL_STEPS_MAX, so nested ranges cannot stall
 * the event loop) and scratch memory (TMPL_SCRATCH_MAX). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "template_internal.h"

enum flow { FLOW_NORMAL, FLOW_BREAK, FLOW_CONTINUE };

void tx_fail(struct tx *x, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (x->at && x->at->src) {
        int line, col;
        const struct tnode *n = x->at;
        tsrc_linecol(n->src, n->pos, &line, &col);
        size_t span = n->end > n->pos ? n->end - n->pos : 0;
        if (span > 60)
            span = 60;
        errbuf_set(x->err, "template: %s:%d:%d: executing \"%s\" at <%.*s>: %s", n->src->name, line,
                   col, x->tname ? x->tname : "", (int)span, n->src->text + n->pos, msg);
    } else {
        errbuf_set(x->err, "template: %s", msg);
    }
    longjmp(x->jb, 1);
}

void *tx_alloc(struct tx *x, size_t n)
{
    void *p = arena_alloc(&x->scratch, n ? n : 1);
    if (!p)
        tx_fail(x, "template scratch memory exceeds limit (%u bytes)", TMPL_SCRATCH_MAX);
    return p;
}

char *tx_strndup(struct tx *x, const char *s, size_t n)
{
    char *p = tx_alloc(x, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static void step(struct tx *x)
{
    if (++x->steps > TMPL_STEPS_MAX)
        tx_fail(x, "template execution exceeds step limit (%d)", TMPL_STEPS_MAX);
}

static void enter(struct tx *x)
{
    if (++x->depth > TMPL_DEPTH_MAX)
        tx_fail(x, "exceeded maximum template depth (%d)", TMPL_DEPTH_MAX);
}

static void emit(struct tx *x, const char *s, size_t n)
{
    if (x->out->len - x->out_base + n > TMPL_OUTPUT_MAX || buf_append(x->out, s, n) < 0)
        tx_fail(x, "template output exceeds limit (%u bytes)", TMPL_OUTPUT_MAX);
}

/* ---- variables --------------------------------------------------------- */

static void push_var(struct tx *x, const char *name, struct tval v)
{
    x->vars = xgrow(x->vars, &x->capvars, x->nvars + 1, sizeof *x->vars);
    x->vars[x->nvars++] = (struct tvar){name, v};
}

static struct tvar *find_var(struct tx *x, const char *name)
{
    for (size_t i = x->nvars; i-- > x->frame;)
        if (strcmp(x->vars[i].name, name) == 0)
            return &x->vars[i];
    tx_fail(x, "undefined variable: %s", name);
}

/* ---- expressions ------------------------------------------------------- */

static struct tval eval_pipe(struct tx *x, const struct tnode *pipe, struct tval dot);
static struct tval eval_arg(struct tx *x, const struct tnode *n, struct tval dot);

static struct tval literal(struct tx *x, const struct tnode *n, struct tval dot)
{
    struct tval v = {.k = TV_NIL};
    switch (n->kind) {
    case N_DOT:
        return dot;
    case N_BOOL:
        v.k = TV_BOOL;
        v.u.b = n->flag;
        return v;
    case N_NUM:
        if (n->flag) {
            v.k = TV_FLOAT;
            v.u.f = n->f;
        } else {
            v = tv_int(n->i);
        }
        return v;
    case N_STR:
        return tv_str(n->str, n->slen);
    default:
        tx_fail(x, "unexpected node");
    }
}

/* Walks .A.B.C from `v`; the last name receives args (method arguments). */
static struct tval field_chain(struct tx *x, struct tval v, const char *const *names, size_t n,
                               const struct tval *args, size_t nargs)
{
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        v = tv_field(x, &v, names[i], last ? args : NULL, last ? nargs : 0);
    }
    return v;
}

/* Evaluates operands kids[1..] of cmd plus the piped value. */
static struct tval *eval_args(struct tx *x, const struct tnode *cmd, struct tval dot,
                              const struct tval *final, size_t *nout)
{
    size_t n = cmd->nkids - 1 + (final ? 1 : 0);
    struct tval *a = tx_alloc(x, (n ? n : 1) * sizeof *a);
    for (size_t i = 1; i < cmd->nkids; i++)
        a[i - 1] = eval_arg(x, cmd->kids[i], dot);
    if (final)
        a[n - 1] = *final;
    *nout = n;
    return a;
}

static struct tval call_func(struct tx *x, const struct tnode *id, const struct tnode *cmd,
                             struct tval dot, const struct tval *final)
{
    const struct tfunc *f = id->fn;
    size_t nargs = (cmd ? cmd->nkids - 1 : 0) + (final ? 1 : 0);
    const struct tnode *saved = x->at;
    x->at = cmd ? cmd : id;
    if ((int)nargs < f->min || (f->max >= 0 && (int)nargs > f->max)) {
        if (f->max == f->min)
            tx_fail(x, "wrong number of args for %s: want %d got %zu", f->name, f->min, nargs);
        tx_fail(x, "wrong number of args for %s: want at least %d got %zu", f->name, f->min, nargs);
    }
    if (f == &tfunc_and || f == &tfunc_or) {
        /* short-circuit: the first falsy (and) / truthy (or) operand wins */
        struct tval v = {.k = TV_NIL};
        for (size_t i = 0; i < nargs; i++) {
            bool is_final = final && i == nargs - 1;
            v = is_final ? *final : eval_arg(x, cmd->kids[i + 1], dot);
            if (tv_truth(&v) != (f == &tfunc_and))
                break;
        }
        x->at = saved;
        return v;
    }
    size_t n = 0;
    struct tval *args = cmd ? eval_args(x, cmd, dot, final, &n) : NULL;
    if (!cmd && final) {
        args = tx_alloc(x, sizeof *args);
        args[0] = *final;
        n = 1;
    }
    x->at = cmd ? cmd : id;
    struct tval r = f->fn(x, args, n);
    x->at = saved;
    return r;
}

static void not_a_function(struct tx *x, const struct tnode *cmd, const struct tval *final)
{
    if (cmd->nkids > 1 || final)
        tx_fail(x, "can't give argument to non-function %.*s",
                (int)(cmd->kids[0]->end - cmd->kids[0]->pos),
                cmd->kids[0]->src->text + cmd->kids[0]->pos);
}

static struct tval eval_cmd(struct tx *x, const struct tnode *cmd, struct tval dot,
                            const struct tval *final)
{
    const struct tnode *first = cmd->kids[0];
    step(x);
    x->at = first;
    switch (first->kind) {
    case N_FIELD: {
        size_t n;
        struct tval *a = eval_args(x, cmd, dot, final, &n);
        x->at = first;
        return field_chain(x, dot, first->names, first->nnames, a, n);
    }
    case N_CHAIN: {
        struct tval v = eval_arg(x, first->pipe, dot);
        size_t n;
        struct tval *a = eval_args(x, cmd, dot, final, &n);
        x->at = first;
        return field_chain(x, v, first->names, first->nnames, a, n);
    }
    case N_VAR: {
        struct tval v = find_var(x, first->str)->v;
        if (first->nnames == 0) {
            not_a_function(x, cmd, final);
            return v;
        }
        size_t n;
        struct tval *a = eval_args(x, cmd, dot, final, &n);
        x->at = first;
        return field_chain(x, v, first->names, first->nnames, a, n);
    }
    case N_IDENT:
        return call_func(x, first, cmd, dot, final);
    case N_PIPE:
        not_a_function(x, cmd, final);
        return eval_pipe(x, first, dot);
    case N_NIL:
        tx_fail(x, "nil is not a command");
    default:
        not_a_function(x, cmd, final);
        return literal(x, first, dot);
    }
}

static struct tval eval_arg(struct tx *x, const struct tnode *n, struct tval dot)
{
    x->at = n;
    switch (n->kind) {
    case N_FIELD:
        return field_chain(x, dot, n->names, n->nnames, NULL, 0);
    case N_VAR:
        return field_chain(x, find_var(x, n->str)->v, n->names, n->nnames, NULL, 0);
    case N_CHAIN:
        return field_chain(x, eval_arg(x, n->pipe, dot), n->names, n->nnames, NULL, 0);
    case N_PIPE:
        return eval_pipe(x, n, dot);
    case N_IDENT:
        return call_func(x, n, NULL, dot, NULL);
    case N_NIL:
        return (struct tval){.k = TV_NIL};
    default:
        return literal(x, n, dot);
    }
}

static struct tval eval_pipe(struct tx *x, const struct tnode *pipe, struct tval dot)
{
    enter(x);
    struct tval v = {.k = TV_NIL};
    for (size_t i = 0; i < pipe->nkids; i++)
        v = eval_cmd(x, pipe->kids[i], dot, i ? &v : NULL);
    for (size_t i = 0; i < pipe->nnames; i++) {
        if (pipe->flag)
            find_var(x, pipe->names[i])->v = v;
        else
            push_var(x, pipe->names[i], v);
    }
    x->depth--;
    return v;
}

/* ---- statements -------------------------------------------------------- */

static enum flow exec_list(struct tx *x, const struct tnode *list, struct tval dot);

/* Appends b to the output and frees b, failing (after the free) when the
 * output limit would be exceeded. */
static void emit_buf(struct tx *x, struct buf *b)
{
    bool ok = !b->overflow && x->out->len - x->out_base + b->len <= TMPL_OUTPUT_MAX &&
              buf_append(x->out, buf_str(b), b->len) == 0;
    buf_deinit(b);
    if (!ok)
        tx_fail(x, "template output exceeds limit (%u bytes)", TMPL_OUTPUT_MAX);
}

/* Prints an action's value: Go's fmt.Print form; in HTML mode escaped
 * unless it is safeHtml's output. */
static void print_value(struct tx *x, const struct tval *v)
{
    if (v->k == TV_HTML || (v->k == TV_STRING && !x->html)) {
        emit(x, v->u.s.p, v->u.s.n);
        return;
    }
    struct buf b;
    buf_init(&b, TMPL_OUTPUT_MAX + 1);
    if (v->k == TV_STRING)
        buf_append(&b, v->u.s.p, v->u.s.n);
    else if (v->k == TV_NIL)
        buf_puts(&b, x->html ? "" : "<no value>");
    else
        tv_print(x, &b, v);
    if (x->html && !b.overflow) {
        struct buf e;
        buf_init(&e, TMPL_OUTPUT_MAX + 1);
        tfmt_html_escape(&e, buf_str(&b), b.len, true);
        buf_deinit(&b);
        b = e;
    }
    emit_buf(x, &b);
}

static enum flow exec_range(struct tx *x, const struct tnode *n, struct tval dot)
{
    size_t mark = x->nvars;
    struct tval v = eval_pipe(x, n->pipe, dot);
    size_t inner = x->nvars, count = 0;
    const struct tnode *saved_at = x->at;
    /* slices and maps; nil ranges over nothing; strings are not ranged */
    if (v.k != TV_NIL && (v.k == TV_STRING || v.k == TV_HTML || !tv_len(&v, &count))) {
        x->at = n;
        tx_fail(x, "range can't iterate over %s", tv_typename(&v));
    }
    struct tval kv_sorted = v;
    for (size_t i = 0; i < count; i++) {
        struct tval elem, index = tv_int((int64_t)i);
        step(x);
        switch (v.k) {
        case TV_ALERTS:
            elem.k = TV_ALERT;
            elem.u.alert = v.u.alerts.v[i];
            break;
        case TV_STRINGS:
            elem = tv_cstr(v.u.strs.v[i]);
            break;
        case TV_PAIRS:
            elem.k = TV_PAIR;
            elem.u.kv.v = &v.u.kv.v[i];
            elem.u.kv.n = 1;
            break;
        default: /* map: values in key order, the key as index */
            elem = tv_cstr(kv_sorted.u.kv.v[i].value);
            index = tv_cstr(kv_sorted.u.kv.v[i].name);
            break;
        }
        if (n->pipe->nnames > 0) {
            size_t vi = n->pipe->nnames == 1 ? 0 : 1;
            struct tvar *var = n->pipe->flag ? find_var(x, n->pipe->names[vi])
                                             : &x->vars[inner - n->pipe->nnames + vi];
            var->v = elem;
            if (n->pipe->nnames > 1) {
                var = n->pipe->flag ? find_var(x, n->pipe->names[0])
                                    : &x->vars[inner - n->pipe->nnames];
                var->v = index;
            }
        }
        enum flow f = exec_list(x, n->list, elem);
        x->nvars = inner;
        if (f == FLOW_BREAK)
            break;
    }
    if (count == 0 && n->elist)
        exec_list(x, n->elist, dot);
    x->nvars = mark;
    x->at = saved_at;
    return FLOW_NORMAL;
}

static enum flow exec_template(struct tx *x, const struct tnode *n, struct tval dot)
{
    const struct tnode *root = NULL;
    for (const struct tmpl_set *s = x->set; s && !root; s = s->parent)
        root = tset_lookup(s, n->str);
    x->at = n;
    if (!root)
        tx_fail(x, "template \"%s\" not defined", n->str);
    struct tval nd = {.k = TV_NIL};
    if (n->pipe)
        nd = eval_pipe(x, n->pipe, dot);
    enter(x);
    size_t saved_frame = x->frame, saved_n = x->nvars;
    const char *saved_name = x->tname;
    x->frame = x->nvars;
    push_var(x, "$", nd);
    x->tname = n->str;
    exec_list(x, root, nd);
    x->tname = saved_name;
    x->frame = saved_frame;
    x->nvars = saved_n;
    x->depth--;
    return FLOW_NORMAL;
}

static enum flow exec_node(struct tx *x, const struct tnode *n, struct tval dot)
{
    step(x);
    switch (n->kind) {
    case N_TEXT:
        emit(x, n->str, n->slen);
        return FLOW_NORMAL;
    case N_ACTION: {
        struct tval v = eval_pipe(x, n->pipe, dot);
        if (n->pipe->nnames == 0) {
            x->at = n;
            print_value(x, &v);
        }
        return FLOW_NORMAL;
    }
    case N_IF:
    case N_WITH: {
        size_t mark = x->nvars;
        struct tval v = eval_pipe(x, n->pipe, dot);
        enum flow f = FLOW_NORMAL;
        if (tv_truth(&v))
            f = exec_list(x, n->list, n->kind == N_WITH ? v : dot);
        else if (n->elist)
            f = exec_list(x, n->elist, dot);
        x->nvars = mark;
        return f;
    }
    case N_RANGE:
        return exec_range(x, n, dot);
    case N_TEMPLATE:
        return exec_template(x, n, dot);
    case N_BREAK:
        return FLOW_BREAK;
    case N_CONTINUE:
        return FLOW_CONTINUE;
    case N_LIST:
        return exec_list(x, n, dot);
    default:
        x->at = n;
        tx_fail(x, "unknown node");
    }
}

static enum flow exec_list(struct tx *x, const struct tnode *list, struct tval dot)
{
    enter(x);
    enum flow f = FLOW_NORMAL;
    for (size_t i = 0; i < list->nkids && f == FLOW_NORMAL; i++)
        f = exec_node(x, list->kids[i], dot);
    x->depth--;
    return f;
}

int tx_run(struct tx *x, const char *name, const struct tnode *root, struct tval dot)
{
    x->tname = name;
    x->frame = 0;
    x->nvars = 0;
    x->out_base = x->out->len;
    if (setjmp(x->jb))
        return -1;
    push_var(x, "$", dot);
    exec_list(x, root, dot);
    return 0;
}

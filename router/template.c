/* template.c -- the set of named templates and the public entry points.
 *
 * A set is what Alertmanager builds at config load: the built-in
 * default.tmpl (compiled into the binary from templates/default.tmpl, see
 * the Makefile's default_tmpl rule) followed by the user's template files,
 * each of which may redefine names.  Notifiers then execute config fields
 * against it for every notification.  Each parsed file keeps its own arena
 * (nodes and source text) for the life of the set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "template_internal.h"

/* Generated from templates/default.tmpl at build time. */
extern const unsigned char tmpl_default_text[];
extern const size_t tmpl_default_len;

/* ---- arena ------------------------------------------------------------- */

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a, size_t max)
{
    a->head = NULL;
    a->used = 0;
    a->max = max;
}

void arena_free(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
    a->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    if (a->max && (n > a->max || a->used > a->max - n))
        return NULL;
    struct arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        c = xmalloc(sizeof *c + cap);
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    a->used += n;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* ---- the set ----------------------------------------------------------- */

struct tmpl_set *tmpl_set_new(void)
{
    return xcalloc(1, sizeof(struct tmpl_set));
}

/* Frees what the set owns (its parse trees, in the arenas), not the set:
 * tmpl_set_free, and the temporary sets of the one-off parses below. */
static void tset_deinit(struct tmpl_set *s)
{
    for (size_t i = 0; i < s->narenas; i++) {
        arena_free(s->arenas[i]);
        free(s->arenas[i]);
    }
    free(s->arenas);
    free(s->defs);
}

void tmpl_set_free(struct tmpl_set *s)
{
    if (!s)
        return;
    tset_deinit(s);
    free(s);
}

const struct tnode *tset_lookup(const struct tmpl_set *s, const char *name)
{
    for (size_t i = s->ndefs; i-- > 0;)
        if (strcmp(s->defs[i].name, name) == 0)
            return s->defs[i].root;
    return NULL;
}

bool tmpl_set_has(const struct tmpl_set *s, const char *name)
{
    for (; s; s = s->parent)
        if (tset_lookup(s, name))
            return true;
    return false;
}

/* Go's parse.IsEmptyTree: only whitespace text (and defines). */
static bool empty_tree(const struct tnode *n)
{
    if (n->kind == N_TEXT) {
        for (size_t i = 0; i < n->slen; i++)
            if (!strchr(" \t\r\n\v\f", n->str[i]))
                return false;
        return true;
    }
    if (n->kind != N_LIST)
        return false;
    for (size_t i = 0; i < n->nkids; i++)
        if (!empty_tree(n->kids[i]))
            return false;
    return true;
}

void tset_define(struct tmpl_set *s, const char *name, struct tnode *root)
{
    for (size_t i = 0; i < s->ndefs; i++) {
        if (strcmp(s->defs[i].name, name) != 0)
            continue;
        /* a later empty body does not replace a real one (Go's rule) */
        if (!empty_tree(root) || empty_tree(s->defs[i].root))
            s->defs[i].root = root;
        return;
    }
    s->defs = xgrow(s->defs, &s->cap, s->ndefs + 1, sizeof *s->defs);
    s->defs[s->ndefs++] = (struct tdef){name, root};
}

int tmpl_set_parse(struct tmpl_set *s, const char *name, const char *text, size_t len,
                   struct errbuf *err)
{
    struct arena *a = xmalloc(sizeof *a);
    arena_init(a, 0);
    struct tdef *defs = NULL;
    size_t ndefs = 0;
    if (tparse(a, name, text, len, &defs, &ndefs, err) < 0) {
        arena_free(a);
        free(a);
        return -1;
    }
    for (size_t i = 0; i < ndefs; i++)
        tset_define(s, defs[i].name, defs[i].root);
    free(defs);
    s->arenas = xrealloc(s->arenas, (s->narenas + 1) * sizeof *s->arenas);
    s->arenas[s->narenas++] = a;
    return 0;
}

int tmpl_set_parse_file(struct tmpl_set *s, const char *path, struct errbuf *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        errbuf_set(err, "%s: cannot open template file", path);
        return -1;
    }
    struct buf b;
    buf_init(&b, 16u << 20);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&b, chunk, n) < 0)
            break;
    bool bad = ferror(f) || b.overflow;
    fclose(f);
    int rc = -1;
    if (bad)
        errbuf_set(err, "%s: cannot read template file (or larger than 16 MiB)", path);
    else
        rc = tmpl_set_parse(s, path, buf_str(&b), b.len, err);
    buf_deinit(&b);
    return rc;
}

int tmpl_set_load_default(struct tmpl_set *s, struct errbuf *err)
{
    return tmpl_set_parse(s, "default.tmpl", (const char *)tmpl_default_text, tmpl_default_len,
                          err);
}

int tmpl_check_string(const struct tmpl_set *s, const char *field, const char *text,
                      struct errbuf *err)
{
    struct tmpl_set tmp = {0};
    tmp.parent = s;
    int rc = tmpl_set_parse(&tmp, field, text, strlen(text), err);
    tset_deinit(&tmp);
    return rc;
}

/* ---- execution --------------------------------------------------------- */

static int run(const struct tmpl_set *s, const char *name, const struct tnode *root,
               const struct tmpl_data *data, bool html, struct buf *out, struct errbuf *err)
{
    struct tx x;
    memset(&x, 0, sizeof x);
    x.set = s;
    x.data = data;
    x.html = html;
    x.out = out;
    x.err = err;
    x.now_ms = data ? data->now_ms : 0;
    arena_init(&x.scratch, TMPL_SCRATCH_MAX);
    struct tval dot = {.k = TV_NIL};
    if (data) {
        dot.k = TV_DATA;
        dot.u.data = data;
        size_t n = data->alerts ? data->nalerts : 0;
        x.all = arena_alloc(&x.scratch, (n + 1) * sizeof *x.all);
        x.firing = arena_alloc(&x.scratch, (n + 1) * sizeof *x.all);
        x.resolved = arena_alloc(&x.scratch, (n + 1) * sizeof *x.all);
        if (!x.all || !x.firing || !x.resolved) {
            arena_free(&x.scratch);
            errbuf_set(err, "template: too many alerts");
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            const struct tmpl_alert *a = &data->alerts[i];
            x.all[x.nall++] = a;
            if (a->status && strcmp(a->status, "firing") == 0)
                x.firing[x.nfiring++] = a;
            else if (a->status && strcmp(a->status, "resolved") == 0)
                x.resolved[x.nresolved++] = a;
        }
    }
    int rc = tx_run(&x, name, root, dot);
    arena_free(&x.scratch);
    free(x.vars);
    return rc;
}

int tmpl_exec_string(const struct tmpl_set *s, const char *text, const struct tmpl_data *data,
                     bool html, struct buf *out, struct errbuf *err)
{
    if (!text || !text[0])
        return 0; /* as Alertmanager: empty field, empty result */
    struct tmpl_set tmp = {0};
    tmp.parent = s;
    int rc = -1;
    if (tmpl_set_parse(&tmp, "", text, strlen(text), err) < 0)
        errbuf_prefix(err, "template");
    else
        rc = run(&tmp, "", tset_lookup(&tmp, ""), data, html, out, err);
    tset_deinit(&tmp);
    return rc;
}

int tmpl_exec_named(const struct tmpl_set *s, const char *name, const struct tmpl_data *data,
                    bool html, struct buf *out, struct errbuf *err)
{
    const struct tnode *root = NULL;
    for (const struct tmpl_set *p = s; p && !root; p = p->parent)
        root = tset_lookup(p, name);
    if (!root) {
        errbuf_set(err, "template: no template \"%s\" associated with template", name);
        return -1;
    }
    return run(s, name, root, data, html, out, err);
}

/* route.c -- the routing tree (see route.h).
 *
 * One struct route per route_cfg, children in a contiguous array so the
 * depth-first walk in route_match touches little memory.  The route key of
 * every node is rendered once at build time: dispatch uses it for every
 * group key, and it never changes for the life of the tree. */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "goquote.h"
#include "mem.h"

struct route {
    const struct route_cfg *cfg; /* borrowed from the config */
    const struct route *parent;
    struct route *kids; /* n_kids, in config order */
    size_t n_kids;
    size_t index; /* depth-first position, root 0 */
    size_t count; /* nodes in this subtree, itself included */
    char *key;
    /* group_by names sorted by byte order, so grouping is one merge walk
     * against the alert's sorted labels.  Borrowed from cfg. */
    const char **group_sorted;
};

void route_vec_deinit(struct route_vec *rv)
{
    free(rv->v);
    memset(rv, 0, sizeof *rv);
}

static void route_vec_push(struct route_vec *rv, const struct route *r)
{
    rv->v = xgrow(rv->v, &rv->cap, rv->n + 1, sizeof *rv->v);
    rv->v[rv->n++] = r;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void build_node(struct route *r, const struct route_cfg *cfg, const struct route *parent,
                       size_t *next_index)
{
    r->cfg = cfg;
    r->parent = parent;
    r->index = (*next_index)++;

    struct buf b = BUF_INIT;
    if (parent) {
        buf_puts(&b, parent->key);
        buf_putc(&b, '/');
    }
    /* matchers_format is Alertmanager's Matchers.String(): values
     * OpenMetrics-escaped (a tab stays raw), not Go-quoted. */
    matchers_format(&cfg->matchers, &b);
    r->key = buf_steal(&b);

    r->group_sorted = xcalloc(cfg->group_by.n + 1, sizeof *r->group_sorted);
    for (size_t i = 0; i < cfg->group_by.n; i++)
        r->group_sorted[i] = cfg->group_by.v[i];
    qsort(r->group_sorted, cfg->group_by.n, sizeof *r->group_sorted, cmp_str);

    r->n_kids = cfg->n_routes;
    r->kids = xcalloc(r->n_kids ? r->n_kids : 1, sizeof *r->kids);
    r->count = 1;
    for (size_t i = 0; i < r->n_kids; i++) {
        build_node(&r->kids[i], &cfg->routes[i], r, next_index);
        r->count += r->kids[i].count;
    }
}

struct route *route_build(const struct config *cfg, struct errbuf *err)
{
    if (!cfg || !cfg->route.receiver || !*cfg->route.receiver) {
        errbuf_set(err, "root route must specify a default receiver");
        return NULL;
    }
    struct route *root = xcalloc(1, sizeof *root);
    size_t next = 0;
    build_node(root, &cfg->route, NULL, &next);
    return root;
}

static void free_node(struct route *r)
{
    for (size_t i = 0; i < r->n_kids; i++)
        free_node(&r->kids[i]);
    free(r->kids);
    free(r->key);
    free(r->group_sorted);
}

void route_free(struct route *root)
{
    if (!root)
        return;
    free_node(root);
    free(root);
}

/* Alertmanager's Route.Match.  Recursion depth is the config's nesting
 * depth, which the operator controls. */
size_t route_match(const struct route *r, const struct labels *ls, struct route_vec *out)
{
    if (!matchers_match(&r->cfg->matchers, ls))
        return 0;
    size_t got = 0;
    for (size_t i = 0; i < r->n_kids; i++) {
        size_t k = route_match(&r->kids[i], ls, out);
        got += k;
        if (k && !r->kids[i].cfg->cont)
            break;
    }
    if (got == 0) {
        route_vec_push(out, r);
        got = 1;
    }
    return got;
}

const struct route_cfg *route_config(const struct route *r)
{
    return r->cfg;
}

const char *route_receiver(const struct route *r)
{
    return r->cfg->receiver;
}

const struct strlist *route_group_by(const struct route *r, bool *all)
{
    if (all)
        *all = r->cfg->group_by_all;
    return &r->cfg->group_by;
}

int64_t route_group_wait_ms(const struct route *r)
{
    return r->cfg->group_wait_ms;
}

int64_t route_group_interval_ms(const struct route *r)
{
    return r->cfg->group_interval_ms;
}

int64_t route_repeat_interval_ms(const struct route *r)
{
    return r->cfg->repeat_interval_ms;
}

const struct strlist *route_mute_time_intervals(const struct route *r)
{
    return &r->cfg->mute_time_intervals;
}

const struct strlist *route_active_time_intervals(const struct route *r)
{
    return &r->cfg->active_time_intervals;
}

const char *route_key(const struct route *r)
{
    return r->key;
}

size_t route_index(const struct route *r)
{
    return r->index;
}

size_t route_count(const struct route *root)
{
    return root->count;
}

const struct route *route_parent(const struct route *r)
{
    return r->parent;
}

size_t route_n_children(const struct route *r)
{
    return r->n_kids;
}

const struct route *route_child(const struct route *r, size_t i)
{
    return i < r->n_kids ? &r->kids[i] : NULL;
}

void route_group_labels(const struct route *r, const struct labels *alert, struct labels *out)
{
    out->n = 0;
    out->v = xmalloc((alert->n ? alert->n : 1) * sizeof *out->v);
    if (r->cfg->group_by_all) {
        memcpy(out->v, alert->v, alert->n * sizeof *out->v);
        out->n = alert->n;
        return;
    }
    /* Both sides sorted: one merge walk. */
    size_t i = 0, j = 0, ng = r->cfg->group_by.n;
    while (i < alert->n && j < ng) {
        int c = strcmp(alert->v[i].name, r->group_sorted[j]);
        if (c == 0)
            out->v[out->n++] = alert->v[i];
        if (c <= 0)
            i++;
        if (c >= 0)
            j++;
    }
}

void group_labels_format(const struct labels *ls, struct buf *out)
{
    buf_putc(out, '{');
    for (size_t i = 0; i < ls->n; i++) {
        if (i)
            buf_puts(out, ", ");
        buf_puts(out, ls->v[i].name);
        buf_putc(out, '=');
        go_quote(out, ls->v[i].value, strlen(ls->v[i].value));
    }
    buf_putc(out, '}');
}

void route_group_key(const struct route *r, const struct labels *group, struct buf *out)
{
    buf_puts(out, r->key);
    buf_putc(out, ':');
    group_labels_format(group, out);
}

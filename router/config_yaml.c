/* config_yaml.c -- libyaml event API -> node tree with line:column.
 *
 * The pattern is the one the yaml prototype established: read events, fold
 * them recursively into scalar / sequence / mapping nodes, keep each event's
 * start mark.  On top of that: anchors and aliases (copied, within a node
 * budget), `<<` merge keys and duplicate-key detection, all of which
 * Alertmanager's Go parser does too. */
#include "config_yaml.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "mem.h"

/* A config file of a few thousand lines has a few tens of thousands of
 * nodes; aliases may multiply that, but not without bound. */
#define NODE_BUDGET 1000000
#define MAX_DEPTH 256

struct anchor {
    char *name;
    struct ynode *node; /* borrowed from the tree being built, or from ld->dead */
};

struct loader {
    yaml_parser_t p;
    const char *file;
    struct cfg_diag *diag;
    struct anchor *anchors;
    size_t nanchors, capanchors;
    size_t nodes; /* nodes created so far, copies included */
    bool failed;
    /* Nodes dropped from the tree while parsing goes on (the value of a
     * repeated key, a `<<` value once merged).  An anchor inside one may
     * still be referenced by a later alias, so they live until the load
     * ends. */
    struct ynode **dead;
    size_t ndead, capdead;
};

static struct ynode *node_new(struct loader *ld, enum ynode_kind k, const yaml_mark_t *m)
{
    struct ynode *n = xcalloc(1, sizeof *n);
    n->kind = k;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    ld->nodes++;
    return n;
}

void ynode_free(struct ynode *n)
{
    if (n == NULL)
        return;
    size_t nk = n->kind == YNODE_MAP ? 2 * n->n : n->n;
    for (size_t i = 0; i < nk; i++)
        ynode_free(n->kids[i]);
    free(n->kids);
    free(n->str);
    free(n->tag);
    free(n);
}

static void add_item(struct ynode *seq, struct ynode *kid, size_t *cap)
{
    seq->kids = xgrow(seq->kids, cap, seq->n + 1, sizeof *seq->kids);
    seq->kids[seq->n++] = kid;
}

static void discard(struct loader *ld, struct ynode *n)
{
    ld->dead = xgrow(ld->dead, &ld->capdead, ld->ndead + 1, sizeof *ld->dead);
    ld->dead[ld->ndead++] = n;
}

static void add_pair(struct ynode *map, struct ynode *k, struct ynode *v, size_t *cap)
{
    map->kids = xgrow(map->kids, cap, 2 * map->n + 2, sizeof *map->kids);
    map->kids[2 * map->n] = k;
    map->kids[2 * map->n + 1] = v;
    map->n++;
}

/* Deep copy for an alias.  Returns NULL when the budget is exhausted. */
static struct ynode *node_copy(struct loader *ld, const struct ynode *src)
{
    if (++ld->nodes > NODE_BUDGET)
        return NULL;
    struct ynode *n = xcalloc(1, sizeof *n);
    *n = *src;
    n->kids = NULL;
    n->str = NULL;
    n->tag = src->tag ? xstrdup(src->tag) : NULL;
    if (src->str) {
        n->str = xmalloc(src->len + 1);
        memcpy(n->str, src->str, src->len + 1);
    }
    size_t nk = src->kind == YNODE_MAP ? 2 * src->n : src->n;
    if (nk) {
        n->kids = xcalloc(nk, sizeof *n->kids);
        for (size_t i = 0; i < nk; i++) {
            n->kids[i] = node_copy(ld, src->kids[i]);
            if (n->kids[i] == NULL) {
                ynode_free(n); /* kids past i are NULL: calloc'd */
                return NULL;
            }
        }
    }
    return n;
}

static void err_at(struct loader *ld, int line, int col, const char *msg)
{
    cfg_diag_add(ld->diag, ld->file, line, col, "%s", msg);
    ld->failed = true;
}

static void syntax_error(struct loader *ld)
{
    const yaml_parser_t *p = &ld->p;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->context)
        cfg_diag_add(ld->diag, ld->file, (int)p->problem_mark.line + 1,
                     (int)p->problem_mark.column + 1, "%s (%s started at %d:%d)", problem,
                     p->context, (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    else
        cfg_diag_add(ld->diag, ld->file, (int)p->problem_mark.line + 1,
                     (int)p->problem_mark.column + 1, "%s", problem);
    ld->failed = true;
}

static int next_event(struct loader *ld, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&ld->p, ev)) {
        syntax_error(ld);
        return -1;
    }
    return 0;
}

static void remember_anchor(struct loader *ld, const yaml_char_t *name, struct ynode *n)
{
    if (name == NULL)
        return;
    /* A later anchor of the same name shadows the earlier one (YAML 1.1). */
    ld->anchors = xgrow(ld->anchors, &ld->capanchors, ld->nanchors + 1, sizeof *ld->anchors);
    ld->anchors[ld->nanchors].name = xstrdup((const char *)name);
    ld->anchors[ld->nanchors].node = n;
    ld->nanchors++;
}

static const struct ynode *find_anchor(struct loader *ld, const char *name)
{
    for (size_t i = ld->nanchors; i-- > 0;)
        if (strcmp(ld->anchors[i].name, name) == 0)
            return ld->anchors[i].node;
    return NULL;
}

static bool is_merge_key(const struct ynode *k)
{
    return k->kind == YNODE_SCALAR &&
           ((k->plain && strcmp(k->str, "<<") == 0) || (k->tag && strcmp(k->tag, "!!merge") == 0) ||
            (k->tag && strcmp(k->tag, "tag:yaml.org,2002:merge") == 0));
}

static const struct ynode *map_find(const struct ynode *map, const struct ynode *key)
{
    for (size_t i = 0; i < map->n; i++) {
        const struct ynode *k = map->kids[2 * i];
        if (k->kind == YNODE_SCALAR && k->len == key->len && memcmp(k->str, key->str, k->len) == 0)
            return k;
    }
    return NULL;
}

/* Applies one `<<` source: pairs whose key the mapping lacks are copied in.
 * Explicit keys always win, and earlier merge sources win over later ones. */
static int merge_from(struct loader *ld, struct ynode *map, size_t *cap, const struct ynode *src,
                      const struct ynode *at)
{
    if (src->kind != YNODE_MAP) {
        err_at(ld, at->line, at->col, "map merge requires map or sequence of maps as the value");
        return 0;
    }
    for (size_t i = 0; i < src->n; i++) {
        const struct ynode *k = src->kids[2 * i];
        if (k->kind == YNODE_SCALAR && map_find(map, k))
            continue;
        struct ynode *kc = node_copy(ld, k), *vc = kc ? node_copy(ld, src->kids[2 * i + 1]) : NULL;
        if (vc == NULL) {
            ynode_free(kc);
            return -1;
        }
        add_pair(map, kc, vc, cap);
    }
    return 0;
}

static struct ynode *parse_node(struct loader *ld, yaml_event_t *ev, int depth);

/* Reads the pairs of a mapping whose MAPPING-START was consumed. */
static int parse_map_body(struct loader *ld, struct ynode *n, int depth)
{
    size_t cap = 0;
    struct ynode **merges = NULL; /* `<<` values, applied after explicit keys */
    size_t nmerges = 0, capmerges = 0;
    int rc = 0;
    for (;;) {
        yaml_event_t e;
        if (next_event(ld, &e) < 0) {
            rc = -1;
            break;
        }
        if (e.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&e);
            break;
        }
        struct ynode *k = parse_node(ld, &e, depth + 1);
        if (k == NULL) {
            rc = -1;
            break;
        }
        if (next_event(ld, &e) < 0) {
            ynode_free(k);
            rc = -1;
            break;
        }
        struct ynode *v = parse_node(ld, &e, depth + 1);
        if (v == NULL) {
            ynode_free(k);
            rc = -1;
            break;
        }
        if (is_merge_key(k)) {
            discard(ld, k); /* `&a <<: ...` can anchor the key itself */
            merges = xgrow(merges, &capmerges, nmerges + 1, sizeof *merges);
            merges[nmerges++] = v;
            continue;
        }
        const struct ynode *prev = k->kind == YNODE_SCALAR ? map_find(n, k) : NULL;
        if (prev) {
            char msg[600];
            snprintf(msg, sizeof msg, "mapping key \"%.400s\" already defined at line %d", k->str,
                     prev->line);
            err_at(ld, k->line, k->col, msg);
            discard(ld, k);
            discard(ld, v);
            continue;
        }
        add_pair(n, k, v, &cap);
    }
    for (size_t i = 0; i < nmerges; i++) {
        const struct ynode *m = merges[i];
        if (rc == 0 && m->kind == YNODE_SEQ) {
            for (size_t j = 0; j < m->n && rc == 0; j++)
                rc = merge_from(ld, n, &cap, m->kids[j], m->kids[j]);
        } else if (rc == 0) {
            rc = merge_from(ld, n, &cap, m, m);
        }
        discard(ld, merges[i]);
    }
    free(merges);
    if (rc < 0 && !ld->failed)
        err_at(ld, n->line, n->col, "document too large after alias expansion");
    return rc;
}

/* Builds a node from `ev` (already read; deleted here) and the events that
 * follow it.  Returns NULL after reporting the problem. */
static struct ynode *parse_node(struct loader *ld, yaml_event_t *ev, int depth)
{
    struct ynode *n = NULL;
    if (depth > MAX_DEPTH) {
        err_at(ld, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
               "document nested too deeply");
        yaml_event_delete(ev);
        return NULL;
    }
    if (ld->nodes > NODE_BUDGET) {
        err_at(ld, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
               "document too large");
        yaml_event_delete(ev);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = node_new(ld, YNODE_SCALAR, &ev->start_mark);
        n->len = ev->data.scalar.length;
        n->str = xmalloc(n->len + 1);
        memcpy(n->str, ev->data.scalar.value, n->len);
        n->str[n->len] = '\0';
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (ev->data.scalar.tag)
            n->tag = xstrdup((const char *)ev->data.scalar.tag);
        remember_anchor(ld, ev->data.scalar.anchor, n);
        yaml_event_delete(ev);
        return n;
    case YAML_SEQUENCE_START_EVENT: {
        n = node_new(ld, YNODE_SEQ, &ev->start_mark);
        yaml_char_t *anchor = ev->data.sequence_start.anchor;
        char *aname = anchor ? xstrdup((const char *)anchor) : NULL;
        yaml_event_delete(ev);
        size_t cap = 0;
        for (;;) {
            yaml_event_t e;
            if (next_event(ld, &e) < 0)
                goto fail_anchor;
            if (e.type == YAML_SEQUENCE_END_EVENT) {
                yaml_event_delete(&e);
                break;
            }
            struct ynode *kid = parse_node(ld, &e, depth + 1);
            if (kid == NULL)
                goto fail_anchor;
            add_item(n, kid, &cap);
        }
        remember_anchor(ld, (const yaml_char_t *)aname, n);
        free(aname);
        return n;
    fail_anchor:
        free(aname);
        ynode_free(n);
        return NULL;
    }
    case YAML_MAPPING_START_EVENT: {
        n = node_new(ld, YNODE_MAP, &ev->start_mark);
        yaml_char_t *anchor = ev->data.mapping_start.anchor;
        char *aname = anchor ? xstrdup((const char *)anchor) : NULL;
        yaml_event_delete(ev);
        if (parse_map_body(ld, n, depth) < 0) {
            free(aname);
            ynode_free(n);
            return NULL;
        }
        remember_anchor(ld, (const yaml_char_t *)aname, n);
        free(aname);
        return n;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        const struct ynode *src = find_anchor(ld, name);
        int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
        if (src == NULL) {
            cfg_diag_add(ld->diag, ld->file, line, col, "unknown anchor '%s' referenced", name);
            ld->failed = true;
            yaml_event_delete(ev);
            return NULL;
        }
        n = node_copy(ld, src);
        yaml_event_delete(ev);
        if (n == NULL) {
            err_at(ld, line, col, "document too large after alias expansion");
            return NULL;
        }
        return n;
    }
    default:
        err_at(ld, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
               "unexpected YAML event");
        yaml_event_delete(ev);
        return NULL;
    }
}

int ynode_load(const char *text, size_t len, const char *file, struct cfg_diag *diag,
               struct ynode **root)
{
    struct loader ld = {.file = file, .diag = diag};
    yaml_event_t ev;
    *root = NULL;
    yaml_parser_initialize(&ld.p);
    yaml_parser_set_input_string(&ld.p, (const unsigned char *)text, len);
    /* STREAM-START, then DOC-START or STREAM-END (empty file). */
    if (next_event(&ld, &ev) < 0)
        goto out;
    yaml_event_delete(&ev);
    if (next_event(&ld, &ev) < 0)
        goto out;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        goto out;
    }
    yaml_event_delete(&ev);
    if (next_event(&ld, &ev) < 0)
        goto out;
    *root = parse_node(&ld, &ev, 0);
    /* DOC-END; like Go's yaml.Unmarshal, later documents are not read. */
    if (*root && next_event(&ld, &ev) == 0)
        yaml_event_delete(&ev);
out:
    for (size_t i = 0; i < ld.nanchors; i++)
        free(ld.anchors[i].name);
    free(ld.anchors);
    for (size_t i = 0; i < ld.ndead; i++)
        ynode_free(ld.dead[i]);
    free(ld.dead);
    yaml_parser_delete(&ld.p);
    if (ld.failed) {
        ynode_free(*root);
        *root = NULL;
        return -1;
    }
    return 0;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
    if (map == NULL || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        const struct ynode *k = map->kids[2 * i];
        if (k->kind == YNODE_SCALAR && strcmp(k->str, key) == 0)
            return map->kids[2 * i + 1];
    }
    return NULL;
}

static bool tag_is(const struct ynode *n, const char *short_name)
{
    if (n->tag == NULL)
        return false;
    if (strcmp(n->tag, short_name) == 0)
        return true;
    /* libyaml reports the long form of !! tags. */
    return strncmp(n->tag, "tag:yaml.org,2002:", 18) == 0 &&
           strcmp(n->tag + 18, short_name + 2) == 0;
}

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

bool ynode_is_null(const struct ynode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    if (n == NULL)
        return true;
    if (n->kind != YNODE_SCALAR)
        return false;
    if (tag_is(n, "!!null"))
        return true;
    return n->plain && n->tag == NULL && in_list(n->str, nulls);
}

int ynode_bool(const struct ynode *n, bool *out)
{
    static const char *const yes[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                      "True", "TRUE", "on",  "On",  "ON",  NULL};
    static const char *const no[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                     "False", "FALSE", "off", "Off", "OFF", NULL};
    if (n->kind != YNODE_SCALAR || (!n->plain && !tag_is(n, "!!bool")))
        return -1;
    if (in_list(n->str, yes))
        *out = true;
    else if (in_list(n->str, no))
        *out = false;
    else
        return -1;
    return 0;
}

const char *ynode_tag(const struct ynode *n)
{
    if (n->kind == YNODE_MAP)
        return "!!map";
    if (n->kind == YNODE_SEQ)
        return "!!seq";
    if (ynode_is_null(n))
        return "!!null";
    if (n->tag)
        return tag_is(n, "!!str") ? "!!str" : n->tag;
    bool b;
    if (ynode_bool(n, &b) == 0)
        return "!!bool";
    if (n->plain) {
        const char *s = n->str;
        if (*s == '-' || *s == '+')
            s++;
        if (*s && strspn(s, "0123456789") == strlen(s))
            return "!!int";
        char *end;
        if (*n->str && (strtod(n->str, &end), *end == '\0'))
            return "!!float";
    }
    return "!!str";
}

/* config.c -- loading the Alertmanager configuration: entry points, the
 * table-driven mapping reader, `global` and the top level.
 *
 * Loading is the first thing the router does and the whole of every
 * reload: YAML text -> node tree (config_yaml.c) -> typed model, with
 * Alertmanager's defaults and inheritance applied and every rule checked.
 * Nothing stops at the first problem: each is collected with the position
 * of the node it concerns, and all are reported sorted into file order, so
 * a user fixes a broken file in one round.  Routes, inhibit rules and time
 * intervals are in config_route.c, receivers in config_receivers.c. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "duration.h"
#include "mem.h"

/* ---- diagnostics ---------------------------------------------------------- */

void cfg_diag_init(struct cfg_diag *d)
{
    d->n = d->cap = 0;
    d->msgs = NULL;
}

void cfg_diag_deinit(struct cfg_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->msgs[i]);
    free(d->msgs);
    cfg_diag_init(d);
}

void cfg_diag_add(struct cfg_diag *d, const char *file, int line, int col, const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;
    if (line > 0)
        buf_printf(&b, "%s:%d:%d: ", file, line, col);
    else
        buf_printf(&b, "%s: ", file);   /* no position: the file itself */
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    d->msgs = xgrow(d->msgs, &d->cap, d->n + 1, sizeof *d->msgs);
    d->msgs[d->n++] = buf_steal(&b);
}

void cerrf(struct cctx *c, const struct ynode *at, const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    c->errs = xgrow(c->errs, &c->caperr, c->nerr + 1, sizeof *c->errs);
    c->errs[c->nerr] = (struct cerr){at ? at->line : 1, at ? at->col : 1, c->nerr, buf_steal(&b)};
    c->nerr++;
}

static int cerr_cmp(const void *a, const void *b)
{
    const struct cerr *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- small containers ----------------------------------------------------- */

char *xstrdup_opt(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void strlist_push(struct strlist *l, const char *s)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = xstrdup(s);
}

void strlist_copy(struct strlist *dst, const struct strlist *src)
{
    for (size_t i = 0; i < src->n; i++)
        strlist_push(dst, src->v[i]);
}

void strlist_deinit(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void kvlist_push(struct kvlist *l, const char *k, const char *v)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n].key = xstrdup(k);
    l->v[l->n].value = xstrdup(v);
    l->n++;
}

void kvlist_deinit(struct kvlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].value);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* ---- value readers -------------------------------------------------------- */

/* Go's yaml.v2 shows the offending scalar in backquotes, shortened. */
static void type_error(struct cctx *c, const struct ynode *v, const char *into)
{
    if (v->kind == YNODE_SCALAR)
        cerrf(c, v, "cannot unmarshal %s `%.60s%s` into %s", ynode_tag(v), v->str,
              v->len > 60 ? "..." : "", into);
    else
        cerrf(c, v, "cannot unmarshal %s into %s", ynode_tag(v), into);
}

int cread_str(struct cctx *c, const struct ynode *v, char **out)
{
    if (v->kind != YNODE_SCALAR) {
        type_error(c, v, "string");
        return -1;
    }
    if (strlen(v->str) != v->len) {
        cerrf(c, v, "NUL byte in string");
        return -1;
    }
    free(*out);
    *out = xstrdup(v->str);
    return 0;
}

int cread_strlist(struct cctx *c, const struct ynode *v, struct strlist *out)
{
    if (v->kind != YNODE_SEQ) {
        type_error(c, v, "[]string");
        return -1;
    }
    strlist_deinit(out);
    int rc = 0;
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *it = v->kids[i];
        if (it->kind != YNODE_SCALAR) {
            type_error(c, it, "string");
            rc = -1;
            continue;
        }
        strlist_push(out, ynode_is_null(it) ? "" : it->str);
    }
    return rc;
}

const char *curl_check(const char *s)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "invalid control character in URL";
    const char *colon = strchr(s, ':');
    const char *delim = strpbrk(s, "/?#");
    if (colon == NULL || (delim && delim < colon))
        return "unsupported scheme \"\" for URL";
    size_t sl = (size_t)(colon - s);
    if (!((sl == 4 && strncasecmp(s, "http", 4) == 0) ||
          (sl == 5 && strncasecmp(s, "https", 5) == 0)))
        return "unsupported scheme"; /* cread_url names the scheme */
    const char *rest = colon + 1;
    if (strncmp(rest, "//", 2) != 0)
        return "missing host for URL";
    rest += 2;
    size_t hl = strcspn(rest, "/?#");
    const char *at = memchr(rest, '@', hl);
    if (at) {
        hl -= (size_t)(at + 1 - rest);
        rest = at + 1;
    }
    if (hl == 0 || rest[0] == ':')
        return "missing host for URL";
    if (memchr(rest, ' ', hl))
        return "invalid character \" \" in host name";
    return NULL;
}

int cread_url(struct cctx *c, const struct ynode *v, char **out)
{
    char *s = NULL;
    if (cread_str(c, v, &s) < 0)
        return -1;
    const char *why = curl_check(s);
    if (why && strcmp(why, "unsupported scheme") == 0) {
        const char *colon = strchr(s, ':');
        cerrf(c, v, "unsupported scheme \"%.*s\" for URL", (int)(colon - s), s);
        free(s);
        return -1;
    }
    if (why) {
        cerrf(c, v, "%s", why);
        free(s);
        return -1;
    }
    free(*out);
    *out = s;
    return 0;
}

int chostport_check(const char *s, struct errbuf *err)
{
    const char *colon = strrchr(s, ':');
    if (*s == '\0')
        return 0;
    if (colon == NULL) {
        errbuf_set(err, "address %s: missing port in address", s);
        return -1;
    }
    if (s[0] == '[' ? colon[-1] != ']' : memchr(s, ':', (size_t)(colon - s)) != NULL) {
        errbuf_set(err, "address %s: too many colons in address", s);
        return -1;
    }
    if (colon[1] == '\0') {
        errbuf_set(err, "address \"%s\": port cannot be empty", s);
        return -1;
    }
    return 0;
}

bool chas(const struct ynode *n, const char *key)
{
    const struct ynode *v = ynode_get(n, key);
    return v && !ynode_is_null(v);
}

static void read_value(struct cctx *c, const struct ckey *k, const struct ynode *key,
                       const struct ynode *v, void *obj)
{
    void *field = (char *)obj + k->off;
    switch (k->kind) {
    case CK_STR:
        cread_str(c, v, field);
        break;
    case CK_BOOL: {
        bool b;
        if (ynode_bool(v, &b) < 0)
            type_error(c, v, "bool");
        else
            *(bool *)field = b;
        break;
    }
    case CK_DUR: {
        int64_t ms;
        struct errbuf e;
        if (v->kind != YNODE_SCALAR)
            type_error(c, v, "model.Duration");
        else if (duration_parse(v->str, &ms, &e) < 0)
            cerrf(c, v, "%s", e.msg);
        else
            *(int64_t *)field = ms;
        break;
    }
    case CK_UINT: {
        char *end;
        errno = 0;
        if (v->kind != YNODE_SCALAR || strcmp(ynode_tag(v), "!!int") != 0 || v->str[0] == '-') {
            type_error(c, v, "uint64");
            break;
        }
        unsigned long long u = strtoull(v->str, &end, 10);
        if (errno || *end)
            type_error(c, v, "uint64");
        else
            *(uint64_t *)field = u;
        break;
    }
    case CK_URL:
        cread_url(c, v, field);
        break;
    case CK_STRLIST:
        cread_strlist(c, v, field);
        break;
    case CK_STRMAP: {
        struct kvlist *l = field;
        if (v->kind != YNODE_MAP) {
            type_error(c, v, "map[string]string");
            break;
        }
        kvlist_deinit(l);
        for (size_t i = 0; i < v->n; i++) {
            const struct ynode *kk = v->kids[2 * i], *vv = v->kids[2 * i + 1];
            if (kk->kind != YNODE_SCALAR || vv->kind != YNODE_SCALAR) {
                type_error(c, kk->kind != YNODE_SCALAR ? kk : vv, "string");
                continue;
            }
            kvlist_push(l, kk->str, ynode_is_null(vv) ? "" : vv->str);
        }
        break;
    }
    case CK_CUSTOM:
        k->fn(c, key, v, obj);
        break;
    }
}

bool cread_map(struct cctx *c, const struct ynode *n, const struct ckey *tab, void *obj,
               const char *what)
{
    if (n->kind != YNODE_MAP) {
        type_error(c, n, what);
        return false;
    }
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *key = n->kids[2 * i], *v = n->kids[2 * i + 1];
        const struct ckey *k = NULL;
        if (key->kind == YNODE_SCALAR)
            for (k = tab; k->name && strcmp(k->name, key->str) != 0; k++)
                ;
        if (k == NULL || k->name == NULL) {
            if (key->kind == YNODE_SCALAR)
                cerrf(c, key, "unknown field \"%s\" in %s", key->str, what);
            else
                cerrf(c, key, "%s key in %s must be a string", ynode_tag(key), what);
            continue;
        }
        if (ynode_is_null(v))
            continue;
        read_value(c, k, key, v, obj);
    }
    return true;
}

/* ---- global ---------------------------------------------------------------- */

/* Global keys of integrations alertrouter does not deliver to: kept for the
 * dump, never used. */
static void g_other(struct cctx *c, const struct ynode *key, const struct ynode *v, void *obj)
{
    struct global_cfg *g = obj;
    char *s = NULL;
    int rc = strstr(key->str, "_url") && !strstr(key->str, "_file") ? cread_url(c, v, &s)
                                                                    : cread_str(c, v, &s);
    if (rc == 0)
        kvlist_push(&g->other, key->str, s);
    free(s);
}

static void g_http(struct cctx *c, const struct ynode *key, const struct ynode *v, void *obj)
{
    cparse_http(c, v, &((struct global_cfg *)obj)->http);
}

/* clang-format off */
#define G(name, kind) {#name, kind, offsetof(struct global_cfg, name), NULL}
/* clang-format on */
static const struct ckey global_keys[] = {
    {"resolve_timeout", CK_DUR, offsetof(struct global_cfg, resolve_timeout_ms), NULL},
    G(smtp_from, CK_STR),
    G(smtp_hello, CK_STR),
    G(smtp_smarthost, CK_STR),
    G(smtp_auth_username, CK_STR),
    G(smtp_auth_password, CK_STR),
    G(smtp_auth_password_file, CK_STR),
    G(smtp_auth_secret, CK_STR),
    G(smtp_auth_identity, CK_STR),
    G(smtp_require_tls, CK_BOOL),
    G(slack_api_url, CK_URL),
    G(slack_api_url_file, CK_STR),
    {"http_config", CK_CUSTOM, 0, g_http},
    {"pagerduty_url", CK_CUSTOM, 0, g_other},
    {"opsgenie_api_url", CK_CUSTOM, 0, g_other},
    {"opsgenie_api_key", CK_CUSTOM, 0, g_other},
    {"opsgenie_api_key_file", CK_CUSTOM, 0, g_other},
    {"wechat_api_url", CK_CUSTOM, 0, g_other},
    {"wechat_api_secret", CK_CUSTOM, 0, g_other},
    {"wechat_api_corp_id", CK_CUSTOM, 0, g_other},
    {"victorops_api_url", CK_CUSTOM, 0, g_other},
    {"victorops_api_key", CK_CUSTOM, 0, g_other},
    {"victorops_api_key_file", CK_CUSTOM, 0, g_other},
    {"telegram_api_url", CK_CUSTOM, 0, g_other},
    {"webex_api_url", CK_CUSTOM, 0, g_other},
    {NULL, 0, 0, NULL},
};
#undef G

static void global_defaults(struct global_cfg *g)
{
    g->resolve_timeout_ms = 5 * 60 * 1000;
    g->smtp_hello = xstrdup("localhost");
    g->smtp_require_tls = true;
    http_cfg_defaults(&g->http);
}

static void parse_global(struct cctx *c, const struct ynode *n)
{
    struct global_cfg *g = &c->cfg->global;
    cread_map(c, n, global_keys, g, "global");
    const struct ynode *v;
    if (chas(n, "slack_api_url") && chas(n, "slack_api_url_file"))
        cerrf(c, ynode_get(n, "slack_api_url_file"),
              "at most one of slack_api_url & slack_api_url_file must be configured");
    if (chas(n, "smtp_auth_password") && chas(n, "smtp_auth_password_file"))
        cerrf(c, ynode_get(n, "smtp_auth_password_file"),
              "at most one of smtp_auth_password & smtp_auth_password_file must be configured");
    if ((v = ynode_get(n, "smtp_smarthost")) && g->smtp_smarthost) {
        struct errbuf e;
        if (chostport_check(g->smtp_smarthost, &e) < 0)
            cerrf(c, v, "%s", e.msg);
    }
    if ((v = ynode_get(n, "smtp_from")) && g->smtp_from && strpbrk(g->smtp_from, "\r\n"))
        cerrf(c, v, "smtp_from must not contain a line break");
}

/* ---- top level ------------------------------------------------------------- */

static void parse_templates(struct cctx *c, const struct ynode *v)
{
    struct strlist raw = {0, NULL};
    if (cread_strlist(c, v, &raw) < 0) {
        strlist_deinit(&raw);
        return;
    }
    for (size_t i = 0; i < raw.n; i++) {
        const char *t = raw.v[i];
        if (t[0] == '/' || c->basedir == NULL || c->basedir[0] == '\0') {
            strlist_push(&c->cfg->templates, t);
        } else {
            struct buf b = BUF_INIT;
            buf_printf(&b, "%s/%s", c->basedir, t);
            strlist_push(&c->cfg->templates, buf_str(&b));
            buf_deinit(&b);
        }
    }
    strlist_deinit(&raw);
}

static const char *const top_keys[] = {
    "global",    "route",          "receivers",           "inhibit_rules",
    "templates", "time_intervals", "mute_time_intervals", NULL};

/* The order matters: global first (defaults for receivers), receivers and
 * time intervals before the route that refers to them.  Messages are sorted
 * afterwards, so the order they are found in does not show. */
static void parse_top(struct cctx *c, const struct ynode *root)
{
    if (root == NULL || ynode_is_null(root)) {
        cerrf(c, NULL, "no route provided in config");
        return;
    }
    if (root->kind != YNODE_MAP) {
        cerrf(c, root, "cannot unmarshal %s into config", ynode_tag(root));
        return;
    }
    for (size_t i = 0; i < root->n; i++) {
        const struct ynode *k = root->kids[2 * i];
        bool known = false;
        for (const char *const *t = top_keys; *t && k->kind == YNODE_SCALAR; t++)
            known = known || strcmp(*t, k->str) == 0;
        if (!known)
            cerrf(c, k, "unknown field \"%s\" in config",
                  k->kind == YNODE_SCALAR ? k->str : ynode_tag(k));
    }
    const struct ynode *v;
    if (chas(root, "global"))
        parse_global(c, ynode_get(root, "global"));
    if (chas(root, "receivers"))
        cparse_receivers(c, ynode_get(root, "receivers"));
    if (chas(root, "time_intervals"))
        cparse_time_intervals(c, ynode_get(root, "time_intervals"), false);
    if (chas(root, "mute_time_intervals"))
        cparse_time_intervals(c, ynode_get(root, "mute_time_intervals"), true);
    if ((v = ynode_get(root, "route")) && !ynode_is_null(v))
        cparse_route(c, v, &c->cfg->route, NULL);
    else
        cerrf(c, root, "no routes provided");
    if (chas(root, "inhibit_rules"))
        cparse_inhibit_rules(c, ynode_get(root, "inhibit_rules"));
    if (chas(root, "templates"))
        parse_templates(c, ynode_get(root, "templates"));
}

/* ---- entry points ---------------------------------------------------------- */

struct config *config_parse(const char *text, size_t len, const char *filename, const char *basedir,
                            struct cfg_diag *diag)
{
    struct ynode *root = NULL;
    if (ynode_load(text, len, filename, diag, &root) < 0)
        return NULL;
    struct config *cfg = xcalloc(1, sizeof *cfg);
    cfg->filename = xstrdup(filename);
    cfg->basedir = xstrdup(basedir ? basedir : ".");
    global_defaults(&cfg->global);
    struct cctx c = {.file = filename, .basedir = basedir, .cfg = cfg};
    parse_top(&c, root);
    ynode_free(root);
    if (c.nerr)
        qsort(c.errs, c.nerr, sizeof *c.errs, cerr_cmp);
    for (size_t i = 0; i < c.nerr; i++) {
        cfg_diag_add(diag, filename, c.errs[i].line, c.errs[i].col, "%s", c.errs[i].msg);
        free(c.errs[i].msg);
    }
    free(c.errs);
    if (c.nerr) {
        config_free(cfg);
        return NULL;
    }
    return cfg;
}

struct config *config_load_file(const char *path, struct cfg_diag *diag)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        cfg_diag_add(diag, path, 0, 0, "%s", strerror(errno));
        return NULL;
    }
    struct buf b = BUF_INIT;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, got);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        cfg_diag_add(diag, path, 0, 0, "read error");
        buf_deinit(&b);
        return NULL;
    }
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    if (slash == NULL) {
        free(dir);
        dir = xstrdup(".");
    } else if (slash == dir) {
        slash[1] = '\0';
    } else {
        *slash = '\0';
    }
    struct config *cfg = config_parse(b.p ? b.p : "", b.len, path, dir, diag);
    free(dir);
    buf_deinit(&b);
    return cfg;
}

const struct receiver_cfg *config_receiver(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_receivers; i++)
        if (cfg->receivers[i].name && strcmp(cfg->receivers[i].name, name) == 0)
            return &cfg->receivers[i];
    return NULL;
}

const struct time_interval_cfg *config_time_interval(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_time_intervals; i++)
        if (cfg->time_intervals[i].name && strcmp(cfg->time_intervals[i].name, name) == 0)
            return &cfg->time_intervals[i];
    return NULL;
}

char *config_dump_redacted(const struct config *cfg)
{
    struct buf b = BUF_INIT;
    cdump(cfg, &b);
    return buf_steal(&b);
}

void config_free(struct config *cfg)
{
    if (cfg == NULL)
        return;
    struct global_cfg *g = &cfg->global;
    char **gs[] = {&g->smtp_from,          &g->smtp_hello,         &g->smtp_smarthost,
                   &g->smtp_auth_username, &g->smtp_auth_password, &g->smtp_auth_password_file,
                   &g->smtp_auth_secret,   &g->smtp_auth_identity, &g->slack_api_url,
                   &g->slack_api_url_file};
    for (size_t i = 0; i < sizeof gs / sizeof gs[0]; i++)
        free(*gs[i]);
    http_cfg_deinit(&g->http);
    kvlist_deinit(&g->other);
    route_cfg_deinit(&cfg->route);
    for (size_t i = 0; i < cfg->n_receivers; i++)
        receiver_cfg_deinit(&cfg->receivers[i]);
    free(cfg->receivers);
    for (size_t i = 0; i < cfg->n_inhibit_rules; i++)
        inhibit_rule_cfg_deinit(&cfg->inhibit_rules[i]);
    free(cfg->inhibit_rules);
    for (size_t i = 0; i < cfg->n_time_intervals; i++)
        time_interval_cfg_deinit(&cfg->time_intervals[i]);
    free(cfg->time_intervals);
    strlist_deinit(&cfg->templates);
    free(cfg->filename);
    free(cfg->basedir);
    free(cfg);
}

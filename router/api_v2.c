/* api_v2.c -- the API object, its routes, the two error styles of
 * Alertmanager's answers, shared encoders, and the default hooks (route.h's
 * tree, an inhibitor of our own, groups computed from the store) used until
 * the dispatcher installs its own.  See
 * api_v2.h; the handlers live in api_alerts.c, api_query.c,
 * api_silences.c and api_status.c. */
#include "api_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "goquote.h"
#include "inhibit.h"
#include "log.h"
#include "mem.h"

/* ---- lifecycle ----------------------------------------------------------- */

static void on_put(void *ud, struct alert *stored);
static void rebuild_inhibitor(struct api *a);
static void default_receivers(void *ud, const struct alert *al, struct api_names *out);

struct api *api_new(const struct api_opts *o)
{
    struct api *a = xcalloc(1, sizeof *a);
    a->alerts = o->alerts;
    a->silences = o->silences;
    a->journal = o->journal;
    a->reload = o->reload;
    a->reload_ud = o->reload_ud;
    a->started_at = o->started_at;
    api_default_hooks(a, &a->hooks);
    a->own_hooks = true;
    alert_store_subscribe(a->alerts, on_put, a);
    api_metrics_init(a);
    return a;
}

void api_free(struct api *a)
{
    if (!a)
        return;
    api_metrics_fini(a);
    alert_store_unsubscribe(a->alerts, on_put, a);
    inhibit_free(a->inh);
    route_free(a->routes);
    free(a->config_original);
    free(a);
}

void api_set_config(struct api *a, const struct config *cfg)
{
    a->cfg = cfg;
    free(a->config_original);
    a->config_original = cfg ? config_dump_redacted(cfg) : NULL;
    route_free(a->routes);
    a->routes = NULL;
    if (cfg) {
        struct errbuf err;
        a->routes = route_build(cfg, &err);
        if (!a->routes)
            log_error("Building the routing tree failed", "err", err.msg);
    }
    rebuild_inhibitor(a);
}

/* Hooks from another module (dispatch) replace the fallback routing and
 * inhibitor; the default hooks bring them back. */
void api_set_hooks(struct api *a, const struct api_hooks *h)
{
    a->hooks = *h;
    a->own_hooks = h->ud == a && h->receivers == default_receivers;
    rebuild_inhibitor(a);
}

void api_register(struct api *a, struct http_server *srv)
{
    http_server_route(srv, "POST", "/api/v2/alerts", HTTP_EXACT, api_post_alerts_v2, a);
    http_server_route(srv, "GET", "/api/v2/alerts", HTTP_EXACT, api_get_alerts, a);
    http_server_route(srv, "GET", "/api/v2/alerts/groups", HTTP_EXACT, api_get_groups, a);
    http_server_route(srv, "GET", "/api/v2/silences", HTTP_EXACT, api_get_silences, a);
    http_server_route(srv, "POST", "/api/v2/silences", HTTP_EXACT, api_post_silences, a);
    http_server_route(srv, "GET", "/api/v2/silence/", HTTP_PREFIX, api_silence_id, a);
    http_server_route(srv, "DELETE", "/api/v2/silence/", HTTP_PREFIX, api_silence_id, a);
    http_server_route(srv, "GET", "/api/v2/status", HTTP_EXACT, api_get_status, a);
    http_server_route(srv, "GET", "/api/v2/receivers", HTTP_EXACT, api_get_receivers, a);
    http_server_route(srv, NULL, "/api/v1/alerts", HTTP_EXACT, api_post_alerts_v1, a);
    http_server_route(srv, NULL, "/api/v1/", HTTP_PREFIX, api_v1_gone, a);
    http_server_route(srv, "POST", "/-/reload", HTTP_EXACT, api_reload, a);
    http_server_route(srv, "GET", "/metrics", HTTP_EXACT, api_metrics, a);
}

/* ---- answers ------------------------------------------------------------- */

void api_reply_code(struct http_req *req, int status, int code, const char *msg)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "{\"code\":%d,\"message\":", code);
    gojson_str(&b, msg);
    buf_putc(&b, '}');
    size_t len = b.len;
    http_reply_take(req, status, "application/json", buf_steal(&b), len);
}

void api_reply_string(struct http_req *req, int status, const char *msg)
{
    struct buf b = BUF_INIT;
    gojson_str(&b, msg);
    buf_putc(&b, '\n');
    size_t len = b.len;
    http_reply_take(req, status, "application/json", buf_steal(&b), len);
}

void api_reply_buf(struct http_req *req, int status, struct buf *b)
{
    buf_putc(b, '\n');
    size_t len = b->len;
    http_reply_take(req, status, "application/json", buf_steal(b), len);
}

char *api_body_copy(struct http_req *req, size_t *len)
{
    const char *body = http_req_body(req, len);
    char *copy = http_req_alloc(req, *len + 1);
    memcpy(copy, body, *len);
    copy[*len] = '\0';
    return copy;
}

static bool mime_token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* Go's mime.ParseMediaType, as far as it decides between a media type and
 * an error: the lower-cased type/subtype into mt (cap n), and the
 * parameters checked for a name and an '='. */
static const char *parse_media_type(const char *v, char *mt, size_t n)
{
    const char *semi = strchr(v, ';');
    size_t blen = semi ? (size_t)(semi - v) : strlen(v);
    while (blen > 0 && (*v == ' ' || *v == '\t'))
        v++, blen--;
    while (blen > 0 && (v[blen - 1] == ' ' || v[blen - 1] == '\t'))
        blen--;
    if (blen >= n)
        blen = n - 1;
    for (size_t i = 0; i < blen; i++)
        mt[i] = (char)((v[i] >= 'A' && v[i] <= 'Z') ? v[i] | 0x20 : v[i]);
    mt[blen] = '\0';
    size_t i = 0;
    while (mt[i] && mime_token_char((unsigned char)mt[i]))
        i++;
    if (i == 0)
        return "mime: no media type";
    if (mt[i]) {
        if (mt[i] != '/')
            return "mime: expected slash after first token";
        size_t j = ++i;
        while (mt[i] && mime_token_char((unsigned char)mt[i]))
            i++;
        if (i == j)
            return "mime: expected token after slash";
        if (mt[i])
            return "mime: unexpected content after media subtype";
    }
    for (const char *p = semi; p && *p;) {
        const char *next = strchr(p + 1, ';');
        const char *s = p + 1, *e = next ? next : s + strlen(s);
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        if (s < e) {
            const char *eq = memchr(s, '=', (size_t)(e - s));
            if (!eq || eq == s || !mime_token_char((unsigned char)*s))
                return "mime: invalid media parameter";
        }
        p = next;
    }
    return NULL;
}

int api_check_json_type(struct http_req *req)
{
    size_t len;
    http_req_body(req, &len);
    if (len == 0)
        return 0; /* no body: go-openapi skips the check */
    const char *ct = http_req_header(req, "Content-Type");
    const char *orig = ct ? ct : "";
    if (!ct || !*ct)
        ct = "application/octet-stream";
    char mt[256];
    const char *perr = parse_media_type(ct, mt, sizeof mt);
    struct buf m = BUF_INIT;
    if (perr) {
        buf_puts(&m, "parsing Content-Type header from ");
        go_quote(&m, orig, strlen(orig));
        buf_printf(&m, " failed, because %s", perr);
        api_reply_code(req, 400, 400, buf_str(&m));
    } else if (strcmp(mt, "application/json") != 0) {
        buf_puts(&m, "unsupported media type ");
        go_quote(&m, mt, strlen(mt));
        buf_puts(&m, ", only [application/json] are allowed");
        api_reply_code(req, 415, 415, buf_str(&m));
    } else {
        return 0;
    }
    buf_deinit(&m);
    return -1;
}

/* ---- query parameters ------------------------------------------------------ */

bool api_query_bool(struct http_req *req, const char *name, bool def)
{
    static const char *const yes[] = {"true",     "1",       "yes", "ok",      "y", "on",
                                      "selected", "checked", "t",   "enabled", NULL};
    const char *v = http_req_query(req, name);
    if (!v)
        return def;
    for (size_t i = 0; yes[i]; i++)
        if (!strcasecmp(v, yes[i]))
            return true;
    return false;
}

struct filter_ctx {
    struct matchers *ms;
    struct errbuf err;
    bool failed;
};

static int on_filter(void *ud, const char *name, const char *value)
{
    struct filter_ctx *f = ud;
    if (strcmp(name, "filter") != 0)
        return 0;
    if (!value)
        value = "";
    /* 0.25's labels.ParseMatcher takes exactly one matcher, no braces */
    const char *p = value;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    size_t before = f->ms->n;
    if (*p == '{' || matchers_parse_syntax(value, MATCHER_SYNTAX_CLASSIC, f->ms, &f->err) < 0 ||
        f->ms->n != before + 1) {
        errbuf_set(&f->err, "bad matcher format: %s", value);
        f->failed = true;
        return 1;
    }
    return 0;
}

int api_query_filter(struct http_req *req, struct matchers *ms)
{
    struct filter_ctx f = {.ms = ms};
    http_req_query_each(req, on_filter, &f);
    if (f.failed) {
        api_reply_string(req, 400, f.err.msg);
        return -1;
    }
    return 0;
}

/* ---- encoders ------------------------------------------------------------ */

void api_put_labels(struct buf *b, const struct labels *ls)
{
    buf_putc(b, '{');
    for (size_t i = 0; i < ls->n; i++) {
        if (i)
            buf_putc(b, ',');
        gojson_str(b, ls->v[i].name);
        buf_putc(b, ':');
        gojson_str(b, ls->v[i].value);
    }
    buf_putc(b, '}');
}

static void put_time(struct buf *b, int64_t ns)
{
    buf_putc(b, '"');
    gotime_format_ms(b, ns);
    buf_putc(b, '"');
}

void api_put_alert(struct buf *b, const struct alert *al, const struct alert_status *st,
                   const struct api_names *receivers)
{
    char fp[17];
    fingerprint_format(al->fingerprint, fp);
    struct alert_view v;
    buf_puts(b, "{\"annotations\":");
    api_put_labels(b, alert_annots_view(al, &v));
    alert_view_deinit(&v);
    buf_puts(b, ",\"endsAt\":");
    put_time(b, al->ends_at);
    buf_printf(b, ",\"fingerprint\":\"%s\",\"receivers\":[", fp);
    for (size_t i = 0; i < receivers->n; i++) {
        buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        gojson_str(b, receivers->v[i]);
        buf_putc(b, '}');
    }
    buf_puts(b, "],\"startsAt\":");
    put_time(b, al->starts_at);
    buf_puts(b, ",\"status\":{\"inhibitedBy\":[");
    for (size_t i = 0; i < st->n_inhibited_by; i++) {
        fingerprint_format(st->inhibited_by[i], fp);
        buf_printf(b, "%s\"%s\"", i ? "," : "", fp);
    }
    buf_puts(b, "],\"silencedBy\":[");
    for (size_t i = 0; i < st->n_silenced_by; i++) {
        if (i)
            buf_putc(b, ',');
        gojson_str(b, st->silenced_by[i]);
    }
    buf_printf(b, "],\"state\":\"%s\"},\"updatedAt\":", alert_state_str(st->state));
    put_time(b, al->updated_at);
    if (al->gen_url != INTERN_EMPTY) {
        buf_puts(b, ",\"generatorURL\":");
        gojson_str(b, alert_generator_url(al));
    }
    buf_puts(b, ",\"labels\":");
    api_put_labels(b, alert_labels_view(al, &v));
    alert_view_deinit(&v);
    buf_putc(b, '}');
}

/* Inhibitor first, then silencer, as Alertmanager's setAlertStatus; both
 * rewrite the marker. */
void api_alert_status(struct api *a, struct alert *al, int64_t now, struct alert_status *st)
{
    uint64_t inh[16];
    size_t ni = a->hooks.inhibited_by ? a->hooks.inhibited_by(a->hooks.ud, al, now, inh, 16) : 0;
    alert_store_set_inhibited(a->alerts, al->fingerprint, inh, ni);
    struct silence_ids ids = {0};
    struct alert_view v;
    silence_store_mutes(a->silences, alert_labels_view(al, &v), now, &ids);
    alert_view_deinit(&v);
    alert_store_set_silenced(a->alerts, al->fingerprint, ids.v, ids.n);
    silence_ids_deinit(&ids);
    if (alert_store_status(a->alerts, al->fingerprint, st) < 0)
        *st = (struct alert_status){.state = ALERT_UNPROCESSED};
}

/* ---- names --------------------------------------------------------------- */

void api_names_push(struct api_names *n, const char *name)
{
    n->v = xgrow(n->v, &n->cap, n->n + 1, sizeof *n->v);
    n->v[n->n++] = name;
}

void api_names_deinit(struct api_names *n)
{
    free(n->v);
    n->v = NULL;
    n->n = n->cap = 0;
}

/* ---- default hooks: route.h and inhibit.h, until dispatch ---------------- */

static void default_receivers(void *ud, const struct alert *al, struct api_names *out)
{
    struct api *a = ud;
    if (!a->routes)
        return;
    struct route_vec rv = {0};
    struct alert_view v;
    route_match(a->routes, alert_labels_view(al, &v), &rv);
    alert_view_deinit(&v);
    for (size_t i = 0; i < rv.n; i++)
        api_names_push(out, route_receiver(rv.v[i]));
    route_vec_deinit(&rv);
}

static size_t default_inhibited_by(void *ud, const struct alert *al, int64_t now, uint64_t *out,
                                   size_t max)
{
    struct api *a = ud;
    uint64_t by;
    if (!a->inh || max == 0)
        return 0;
    struct alert_view v;
    bool muted = inhibit_mutes(a->inh, alert_labels_view(al, &v), now, &by);
    alert_view_deinit(&v);
    if (!muted)
        return 0;
    out[0] = by;
    return 1;
}

/* Feeds the fallback inhibitor every stored alert version. */
static void on_put(void *ud, struct alert *stored)
{
    struct api *a = ud;
    if (!a->inh)
        return;
    struct alert_view v;
    inhibit_put(a->inh, alert_labels_view(stored, &v), stored->fingerprint, stored->ends_at);
    alert_view_deinit(&v);
}

/* A fresh inhibitor for a new config, fed with what the store holds. */
static void rebuild_inhibitor(struct api *a)
{
    inhibit_free(a->inh);
    a->inh = NULL;
    if (!a->cfg || !a->own_hooks)
        return;
    a->inh = inhibit_new(a->cfg);
    size_t pos = 0;
    struct alert *al;
    while (alert_store_next(a->alerts, &pos, &al)) {
        struct alert_view v;
        inhibit_put(a->inh, alert_labels_view(al, &v), al->fingerprint, al->ends_at);
        alert_view_deinit(&v);
    }
}

void api_maintenance(struct api *a, int64_t now)
{
    if (a->inh)
        inhibit_gc(a->inh, now);
}

/* One (route, alert) membership with the group labels' fingerprint. */
struct member {
    size_t route; /* route_index */
    uint64_t gfp;
    struct alert *alert;
};

static int cmp_member(const void *x, const void *y)
{
    const struct member *a = x, *b = y;
    if (a->route != b->route)
        return a->route < b->route ? -1 : 1;
    if (a->gfp != b->gfp)
        return a->gfp < b->gfp ? -1 : 1;
    return 0;
}

/* The group labels of al under route r: the group_by names it has (all of
 * its labels with `...`), into out (storage for al's labels.n pairs). */
static void group_labels(const struct route *r, const struct alert *al, struct labels *out)
{
    bool all;
    const struct strlist *by = route_group_by(r, &all);
    out->n = 0;
    for (size_t i = 0; i < alert_nlabels(al); i++) {
        const char *name = alert_label_name(al, i);
        bool keep = all;
        for (size_t k = 0; !keep && k < by->n; k++)
            keep = strcmp(by->v[k], name) == 0;
        if (keep)
            out->v[out->n++] = (struct label){name, alert_label_value(al, i)};
    }
}

/* Groups as the dispatcher would hold them, computed from the store:
 * every stored alert in every route it matches, by (route, group labels).
 * O(n log n) per call; the dispatcher's own hook replaces it. */
static void default_groups(void *ud, api_group_fn *emit, void *ctx)
{
    struct api *a = ud;
    if (!a->routes)
        return;
    size_t nroutes = route_count(a->routes);
    const struct route **byidx = xcalloc(nroutes, sizeof *byidx);
    struct member *m = NULL;
    size_t nm = 0, capm = 0, pos = 0;
    struct route_vec rv = {0};
    struct label *gv = NULL;
    size_t capg = 0;
    struct alert *al;
    while (alert_store_next(a->alerts, &pos, &al)) {
        rv.n = 0;
        struct alert_view v;
        route_match(a->routes, alert_labels_view(al, &v), &rv);
        alert_view_deinit(&v);
        gv = xgrow(gv, &capg, alert_nlabels(al) + 1, sizeof *gv);
        for (size_t i = 0; i < rv.n; i++) {
            size_t ri = route_index(rv.v[i]);
            byidx[ri] = rv.v[i];
            struct labels gl = {0, gv};
            group_labels(rv.v[i], al, &gl);
            m = xgrow(m, &capm, nm + 1, sizeof *m);
            m[nm++] = (struct member){ri, labels_fingerprint(&gl), al};
        }
    }
    qsort(m, nm, sizeof *m, cmp_member);
    struct alert **run = xmalloc((nm ? nm : 1) * sizeof *run);
    for (size_t i = 0; i < nm;) {
        size_t j = i;
        while (j < nm && cmp_member(&m[i], &m[j]) == 0) {
            run[j - i] = m[j].alert;
            j++;
        }
        const struct route *r = byidx[m[i].route];
        gv = xgrow(gv, &capg, alert_nlabels(m[i].alert) + 1, sizeof *gv);
        struct labels gl = {0, gv};
        group_labels(r, m[i].alert, &gl);
        struct api_group g = {&gl, route_receiver(r), run, j - i};
        emit(ctx, &g);
        i = j;
    }
    route_vec_deinit(&rv);
    free(gv);
    free(run);
    free(m);
    free(byidx);
}

void api_default_hooks(struct api *a, struct api_hooks *out)
{
    out->ud = a;
    out->receivers = default_receivers;
    out->inhibited_by = default_inhibited_by;
    out->groups = default_groups;
}

/* ---- /api/v1 --------------------------------------------------------------- */

/* Every v1 path but POST /api/v1/alerts answers as Alertmanager 0.28+. */
void api_v1_gone(struct http_req *req, void *ud)
{
    (void)ud;
    log_warn("v1 API received a request on a removed endpoint", "path", http_req_path(req));
    http_reply_json(req, 410,
                    "{\"status\":\"deprecated\",\"error\":\"The Alertmanager v1 API was "
                    "deprecated in version 0.16.0 and is removed as of version 0.27.0 - please "
                    "use the equivalent route in the v2 API\"}");
}

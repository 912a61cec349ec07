/* config_http.c -- the http_config and tls_config blocks of the config
 * (Prometheus common's HTTPClientConfig), shared by `global` and every HTTP
 * integration.
 *
 * The model keeps what the notifiers hand to libcurl: one of basic auth,
 * an Authorization header (the legacy bearer_token forms fold into it) or
 * OAuth2 client credentials, TLS files and versions, a proxy, and the
 * redirect / HTTP/2 switches.  Validation follows Prometheus common's
 * HTTPClientConfig.Validate, message for message. */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "mem.h"

/* ---- tls_config, http_config ---------------------------------------------- */

/* clang-format off */
#define T(name, kind) {#name, kind, offsetof(struct tls_cfg, name), NULL}
/* clang-format on */
static const struct ckey tls_keys[] = {
    T(ca_file, CK_STR),
    T(cert_file, CK_STR),
    T(key_file, CK_STR),
    T(server_name, CK_STR),
    T(insecure_skip_verify, CK_BOOL),
    T(min_version, CK_STR),
    T(max_version, CK_STR),
    {NULL, 0, 0, NULL},
};
#undef T

static bool tls_version_ok(const char *v)
{
    static const char *const ok[] = {"TLS10", "TLS11", "TLS12", "TLS13", NULL};
    for (const char *const *p = ok; *p; p++)
        if (strcmp(*p, v) == 0)
            return true;
    return false;
}

void cparse_tls(struct cctx *c, const struct ynode *n, struct tls_cfg *t)
{
    if (!cread_map(c, n, tls_keys, t, "tls_config"))
        return;
    if (t->min_version && !tls_version_ok(t->min_version))
        cerrf(c, ynode_get(n, "min_version"), "unknown TLS version: %s", t->min_version);
    if (t->max_version && !tls_version_ok(t->max_version))
        cerrf(c, ynode_get(n, "max_version"), "unknown TLS version: %s", t->max_version);
    if (t->cert_file && !t->key_file)
        cerrf(c, n, "client cert file \"%s\" specified without client key file", t->cert_file);
    if (t->key_file && !t->cert_file)
        cerrf(c, n, "client key file \"%s\" specified without client cert file", t->key_file);
}

void tls_cfg_deinit(struct tls_cfg *t)
{
    free(t->ca_file);
    free(t->cert_file);
    free(t->key_file);
    free(t->server_name);
    free(t->min_version);
    free(t->max_version);
    memset(t, 0, sizeof *t);
}

static void tls_cfg_copy(struct tls_cfg *d, const struct tls_cfg *s)
{
    d->ca_file = xstrdup_opt(s->ca_file);
    d->cert_file = xstrdup_opt(s->cert_file);
    d->key_file = xstrdup_opt(s->key_file);
    d->server_name = xstrdup_opt(s->server_name);
    d->insecure_skip_verify = s->insecure_skip_verify;
    d->min_version = xstrdup_opt(s->min_version);
    d->max_version = xstrdup_opt(s->max_version);
}

/* clang-format off */
#define BA(name) {#name, CK_STR, offsetof(struct basic_auth_cfg, name), NULL}
/* clang-format on */
static const struct ckey basic_auth_keys[] = {
    BA(username), BA(password), BA(password_file), {NULL, 0, 0, NULL}};
#undef BA
/* clang-format off */
#define AU(name) {#name, CK_STR, offsetof(struct authorization_cfg, name), NULL}
/* clang-format on */
static const struct ckey authorization_keys[] = {
    AU(type), AU(credentials), AU(credentials_file), {NULL, 0, 0, NULL}};
#undef AU

static void oa_tls(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    cparse_tls(c, v, &((struct oauth2_cfg *)obj)->tls);
}

/* clang-format off */
#define OA(name, kind) {#name, kind, offsetof(struct oauth2_cfg, name), NULL}
/* clang-format on */
static const struct ckey oauth2_keys[] = {
    OA(client_id, CK_STR),
    OA(client_secret, CK_STR),
    OA(client_secret_file, CK_STR),
    OA(token_url, CK_URL),
    OA(scopes, CK_STRLIST),
    OA(endpoint_params, CK_STRMAP),
    OA(proxy_url, CK_STR),
    {"tls_config", CK_CUSTOM, 0, oa_tls},
    {NULL, 0, 0, NULL},
};
#undef OA

/* The http_config keys that need more than the table: sub-blocks and the
 * legacy bearer_token forms, which fill `authorization`. */
struct http_tmp {
    struct http_cfg *h;
    char *bearer_token, *bearer_token_file;
};

static void h_basic(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct http_cfg *h = ((struct http_tmp *)obj)->h;
    h->basic_auth = xcalloc(1, sizeof *h->basic_auth);
    if (cread_map(c, v, basic_auth_keys, h->basic_auth, "basic_auth") && chas(v, "password") &&
        chas(v, "password_file"))
        cerrf(c, v, "at most one of basic_auth password & password_file must be configured");
}

static void h_authz(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct http_cfg *h = ((struct http_tmp *)obj)->h;
    h->authorization = xcalloc(1, sizeof *h->authorization);
    if (!cread_map(c, v, authorization_keys, h->authorization, "authorization"))
        return;
    if (chas(v, "credentials") && chas(v, "credentials_file"))
        cerrf(c, v,
              "at most one of authorization credentials & credentials_file must be configured");
    if (h->authorization->type && strcasecmp(h->authorization->type, "basic") == 0)
        cerrf(c, ynode_get(v, "type"),
              "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
}

static void h_oauth2(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct http_cfg *h = ((struct http_tmp *)obj)->h;
    h->oauth2 = xcalloc(1, sizeof *h->oauth2);
    struct oauth2_cfg *o = h->oauth2;
    if (!cread_map(c, v, oauth2_keys, o, "oauth2"))
        return;
    if (!o->client_id || !*o->client_id)
        cerrf(c, v, "oauth2 client_id must be configured");
    if ((!o->client_secret || !*o->client_secret) &&
        (!o->client_secret_file || !*o->client_secret_file))
        cerrf(c, v, "either oauth2 client_secret or client_secret_file must be configured");
    if (o->client_secret && o->client_secret_file)
        cerrf(c, v, "at most one of oauth2 client_secret & client_secret_file must be configured");
    if (!o->token_url || !*o->token_url)
        cerrf(c, v, "oauth2 token_url must be configured");
}

static void h_tls(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    cparse_tls(c, v, &((struct http_tmp *)obj)->h->tls);
}

static void h_str(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct http_tmp *t = obj;
    if (strcmp(k->str, "bearer_token") == 0)
        cread_str(c, v, &t->bearer_token);
    else if (strcmp(k->str, "bearer_token_file") == 0)
        cread_str(c, v, &t->bearer_token_file);
    else if (strcmp(k->str, "proxy_url") == 0)
        /* Any scheme libcurl knows (http, https, socks5, ...), as in Go. */
        cread_str(c, v, &t->h->proxy_url);
}

static void h_bool(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct http_cfg *h = ((struct http_tmp *)obj)->h;
    bool b;
    if (ynode_bool(v, &b) < 0) {
        cerrf(c, v, "cannot unmarshal %s `%s` into bool", ynode_tag(v),
              v->kind == YNODE_SCALAR ? v->str : "");
        return;
    }
    if (strcmp(k->str, "follow_redirects") == 0)
        h->follow_redirects = b;
    else
        h->enable_http2 = b;
}

static const struct ckey http_keys[] = {
    {"basic_auth", CK_CUSTOM, 0, h_basic},  {"authorization", CK_CUSTOM, 0, h_authz},
    {"oauth2", CK_CUSTOM, 0, h_oauth2},     {"tls_config", CK_CUSTOM, 0, h_tls},
    {"bearer_token", CK_CUSTOM, 0, h_str},  {"bearer_token_file", CK_CUSTOM, 0, h_str},
    {"proxy_url", CK_CUSTOM, 0, h_str},     {"follow_redirects", CK_CUSTOM, 0, h_bool},
    {"enable_http2", CK_CUSTOM, 0, h_bool}, {NULL, 0, 0, NULL},
};

void http_cfg_defaults(struct http_cfg *h)
{
    memset(h, 0, sizeof *h);
    h->follow_redirects = true;
    h->enable_http2 = true;
}

/* Prometheus common's HTTPClientConfig.Validate, message for message. */
void cparse_http(struct cctx *c, const struct ynode *n, struct http_cfg *h)
{
    http_cfg_deinit(h);
    http_cfg_defaults(h);
    struct http_tmp t = {h, NULL, NULL};
    if (!cread_map(c, n, http_keys, &t, "http_config"))
        return;
    bool bearer = t.bearer_token || t.bearer_token_file;
    if (t.bearer_token && t.bearer_token_file)
        cerrf(c, n, "at most one of bearer_token & bearer_token_file must be configured");
    if (h->basic_auth && (bearer || h->oauth2))
        cerrf(c, n,
              "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be "
              "configured");
    if (h->authorization && bearer)
        cerrf(c, n, "authorization is not compatible with bearer_token & bearer_token_file");
    if ((h->basic_auth && h->authorization) || (h->oauth2 && (h->authorization || bearer)))
        cerrf(c, n, "at most one of basic_auth, oauth2 & authorization must be configured");
    if (bearer && !h->authorization) {
        h->authorization = xcalloc(1, sizeof *h->authorization);
        h->authorization->credentials = t.bearer_token;
        h->authorization->credentials_file = t.bearer_token_file;
        t.bearer_token = t.bearer_token_file = NULL;
    }
    if (h->authorization && !h->authorization->type)
        h->authorization->type = xstrdup("Bearer");
    free(t.bearer_token);
    free(t.bearer_token_file);
}

void http_cfg_deinit(struct http_cfg *h)
{
    if (h->basic_auth) {
        free(h->basic_auth->username);
        free(h->basic_auth->password);
        free(h->basic_auth->password_file);
        free(h->basic_auth);
    }
    if (h->authorization) {
        free(h->authorization->type);
        free(h->authorization->credentials);
        free(h->authorization->credentials_file);
        free(h->authorization);
    }
    if (h->oauth2) {
        struct oauth2_cfg *o = h->oauth2;
        free(o->client_id);
        free(o->client_secret);
        free(o->client_secret_file);
        free(o->token_url);
        free(o->proxy_url);
        strlist_deinit(&o->scopes);
        kvlist_deinit(&o->endpoint_params);
        tls_cfg_deinit(&o->tls);
        free(o);
    }
    tls_cfg_deinit(&h->tls);
    free(h->proxy_url);
    memset(h, 0, sizeof *h);
}

void http_cfg_copy(struct http_cfg *d, const struct http_cfg *s)
{
    http_cfg_defaults(d);
    if (s->basic_auth) {
        d->basic_auth = xcalloc(1, sizeof *d->basic_auth);
        d->basic_auth->username = xstrdup_opt(s->basic_auth->username);
        d->basic_auth->password = xstrdup_opt(s->basic_auth->password);
        d->basic_auth->password_file = xstrdup_opt(s->basic_auth->password_file);
    }
    if (s->authorization) {
        d->authorization = xcalloc(1, sizeof *d->authorization);
        d->authorization->type = xstrdup_opt(s->authorization->type);
        d->authorization->credentials = xstrdup_opt(s->authorization->credentials);
        d->authorization->credentials_file = xstrdup_opt(s->authorization->credentials_file);
    }
    if (s->oauth2) {
        struct oauth2_cfg *o = xcalloc(1, sizeof *o);
        o->client_id = xstrdup_opt(s->oauth2->client_id);
        o->client_secret = xstrdup_opt(s->oauth2->client_secret);
        o->client_secret_file = xstrdup_opt(s->oauth2->client_secret_file);
        o->token_url = xstrdup_opt(s->oauth2->token_url);
        o->proxy_url = xstrdup_opt(s->oauth2->proxy_url);
        strlist_copy(&o->scopes, &s->oauth2->scopes);
        for (size_t i = 0; i < s->oauth2->endpoint_params.n; i++)
            kvlist_push(&o->endpoint_params, s->oauth2->endpoint_params.v[i].key,
                        s->oauth2->endpoint_params.v[i].value);
        tls_cfg_copy(&o->tls, &s->oauth2->tls);
        d->oauth2 = o;
    }
    tls_cfg_copy(&d->tls, &s->tls);
    d->proxy_url = xstrdup_opt(s->proxy_url);
    d->follow_redirects = s->follow_redirects;
    d->enable_http2 = s->enable_http2;
}

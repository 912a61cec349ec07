/* http_server_request.c -- the request a handler sees and the answer it gives.
 *
 * See http_server.h for the contract.  Everything a handler reads is
 * borrowed from MHD's per-request memory or from the request itself, and
 * everything it allocates here (body, answer, headers, arena) is freed in
 * one place, http_req_free(), called from MHD's completion callback:
 * a request cannot leak by a handler forgetting something. */
#include "http_server_internal.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "mem.h"

/* ---- request accessors --------------------------------------------------- */

struct http_req *http_req_new(struct http_server *s, struct MHD_Connection *conn,
                              const char *method, const char *url)
{
    struct http_req *r = xcalloc(1, sizeof *r);
    r->srv = s;
    r->conn = conn;
    r->method = method;
    r->url = url;
    r->path = url;
    buf_init(&r->body, s->body_limit);
    return r;
}

const char *http_req_method(const struct http_req *r)
{
    return r->method;
}

const char *http_req_path(const struct http_req *r)
{
    return r->path;
}

const char *http_req_subpath(const struct http_req *r)
{
    return r->subpath ? r->subpath : "";
}

const char *http_req_query(const struct http_req *r, const char *name)
{
    const char *v = NULL;
    size_t vlen = 0;
    if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v,
                                      &vlen) != MHD_YES)
        return NULL;
    return v ? v : ""; /* "?name" without "=" */
}

struct kv_iter {
    http_kv_fn *fn;
    void *ud;
};

static enum MHD_Result kv_trampoline(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct kv_iter *it = cls;
    (void)kind;
    return it->fn(it->ud, key, value) == 0 ? MHD_YES : MHD_NO;
}

void http_req_query_each(const struct http_req *r, http_kv_fn *fn, void *ud)
{
    struct kv_iter it = {fn, ud};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, kv_trampoline, &it);
}

const char *http_req_header(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void http_req_header_each(const struct http_req *r, http_kv_fn *fn, void *ud)
{
    struct kv_iter it = {fn, ud};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, kv_trampoline, &it);
}

const char *http_req_body(const struct http_req *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return buf_str(&r->body);
}

const char *http_req_remote(struct http_req *r)
{
    if (r->remote[0])
        return r->remote;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char host[INET6_ADDRSTRLEN + 16], serv[8]; /* numeric: these always fit */
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    socklen_t len =
        sa && sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (!sa || getnameinfo(sa, len, host, sizeof host, serv, sizeof serv,
                           NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(r->remote, sizeof r->remote, "unknown");
    else if (sa->sa_family == AF_INET6)
        snprintf(r->remote, sizeof r->remote, "[%s]:%s", host, serv);
    else
        snprintf(r->remote, sizeof r->remote, "%s:%s", host, serv);
    return r->remote;
}

void *http_req_alloc(struct http_req *r, size_t n)
{
    struct arena_blk *b = xmalloc(sizeof *b + (n ? n : 1));
    b->next = r->arena;
    r->arena = b;
    return b->data;
}

char *http_req_strdup(struct http_req *r, const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(http_req_alloc(r, n), s, n);
}

/* ---- the answer ---------------------------------------------------------- */

int http_reply_take(struct http_req *r, int status, const char *content_type, char *body,
                    size_t len)
{
    if (r->replied) {
        free(body);
        return -1;
    }
    r->replied = true;
    r->status = status;
    r->ctype = content_type ? xstrdup(content_type) : NULL;
    r->rbody = body ? body : xstrdup("");
    r->rlen = body ? len : 0;
    return 0;
}

int http_reply(struct http_req *r, int status, const char *content_type, const void *body,
               size_t len)
{
    if (r->replied)
        return -1;
    char *copy = xmalloc(len + 1);
    if (len)
        memcpy(copy, body, len);
    copy[len] = '\0';
    return http_reply_take(r, status, content_type, copy, len);
}

int http_reply_json(struct http_req *r, int status, const char *json)
{
    return http_reply(r, status, "application/json", json, strlen(json));
}

int http_reply_text(struct http_req *r, int status, const char *text)
{
    return http_reply(r, status, "text/plain; charset=utf-8", text, strlen(text));
}

void http_reply_header(struct http_req *r, const char *name, const char *value)
{
    r->hdrs = xgrow(r->hdrs, &r->hdrs_cap, r->nhdrs + 2, sizeof *r->hdrs);
    r->hdrs[r->nhdrs++] = xstrdup(name);
    r->hdrs[r->nhdrs++] = xstrdup(value);
}

/* Hands the stored answer to MHD.  MHD keeps its own reference to the
 * response until it is sent, so ours is dropped at once. */
enum MHD_Result http_req_queue(struct http_req *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->rlen, r->rbody, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        return MHD_NO;
    r->rbody = NULL; /* MHD frees it now */
    if (r->ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
    for (size_t i = 0; i + 1 < r->nhdrs; i += 2)
        MHD_add_response_header(resp, r->hdrs[i], r->hdrs[i + 1]);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    r->queued = true;
    return ret;
}

void http_req_free(struct http_req *r)
{
    buf_deinit(&r->body);
    free(r->ctype);
    free(r->rbody);
    for (size_t i = 0; i < r->nhdrs; i++)
        free(r->hdrs[i]);
    free(r->hdrs);
    while (r->arena) {
        struct arena_blk *b = r->arena;
        r->arena = b->next;
        free(b);
    }
    free(r);
}

/* ---- error answers ------------------------------------------------------- */

/* Appends s as a JSON string body the way Go's encoding/json writes one:
 * HTML-significant characters escaped, invalid UTF-8 as U+FFFD. */
static void json_str(struct buf *b, const char *s)
{
    bool valid = utf8_valid(s, strlen(s));
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
            buf_printf(b, "\\u%04x", *p);
        else if (*p >= 0x80 && !valid)
            buf_puts(b, "\\ufffd");
        else
            buf_putc(b, (char)*p);
    }
    buf_putc(b, '"');
}

void http_reply_error_json(struct http_req *r, int status, const char *msg)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "{\"code\":%d,\"message\":", status);
    json_str(&b, msg);
    buf_putc(&b, '}');
    size_t len = b.len;
    http_reply_take(r, status, "application/json", buf_steal(&b), len);
}

bool http_in_json_area(const struct http_server *s, const char *path)
{
    for (size_t i = 0; i < s->njson_areas; i++)
        if (strncmp(path, s->json_areas[i], strlen(s->json_areas[i])) == 0)
            return true;
    return false;
}

void http_reply_not_found(struct http_req *r)
{
    if (r->path && http_in_json_area(r->srv, r->path)) {
        struct buf m = BUF_INIT;
        buf_printf(&m, "path %s was not found", r->path);
        http_reply_error_json(r, 404, buf_str(&m));
        buf_deinit(&m);
    } else {
        http_reply_text(r, 404, "404 page not found\n");
    }
}

void http_reply_redirect(struct http_req *r, int status, const char *to)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "<a href=\"%s\">%s</a>.\n\n", to, status == 301 ? "Moved Permanently" : "Found");
    size_t len = b.len;
    http_reply_header(r, MHD_HTTP_HEADER_LOCATION, to);
    http_reply_take(r, status, "text/html; charset=utf-8", buf_steal(&b), len);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 405, or the answer to OPTIONS, for a path that matched `pat` but none of
 * its methods.  Go's router (outside the API) lists the methods sorted,
 * HEAD with GET, and OPTIONS, and answers OPTIONS itself; the OpenAPI layer
 * lists only the declared methods and knows no OPTIONS. */
void http_reply_bad_method(struct http_req *r, const struct route *pat)
{
    const struct http_server *s = r->srv;
    bool json = http_in_json_area(s, r->path);
    const char *m[16];
    size_t n = 0;
    for (size_t i = 0; i < s->nroutes && n < 14; i++) {
        const struct route *rt = &s->routes[i];
        if (rt->flags != pat->flags || strcmp(rt->path, pat->path) != 0 || !rt->method)
            continue;
        m[n++] = rt->method;
        if (!json && strcmp(rt->method, "GET") == 0)
            m[n++] = "HEAD";
    }
    if (!json)
        m[n++] = "OPTIONS";
    qsort(m, n, sizeof m[0], cmp_str);
    struct buf allow = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(m[i], m[i - 1]) != 0)
            buf_printf(&allow, "%s%s", allow.len ? (json ? "," : ", ") : "", m[i]);
    http_reply_header(r, "Allow", buf_str(&allow));
    if (json) {
        struct buf msg = BUF_INIT;
        buf_printf(&msg, "method %s is not allowed, but [%s] are", r->method, buf_str(&allow));
        http_reply_error_json(r, 405, buf_str(&msg));
        buf_deinit(&msg);
    } else if (strcmp(r->method, "OPTIONS") == 0) {
        http_reply(r, 200, NULL, "", 0);
    } else {
        http_reply_text(r, 405, "Method Not Allowed\n");
    }
    buf_deinit(&allow);
}

/* http_server.h -- the inbound HTTP layer: libmicrohttpd inside the one libev loop.
 *
 * Everything that reaches alertrouter over HTTP (Prometheus posting alerts,
 * amtool, health checks) enters here.  libmicrohttpd (MHD) parses HTTP/1.1
 * in "external epoll" mode: it makes no threads, and its epoll fd is watched
 * by the loop, so every handler runs on the loop thread and may touch any
 * state without locks -- and must never block.
 *
 * The server adds what MHD lacks: a route table with exact and prefix paths
 * mounted under --web.route-prefix, Alertmanager's 404/405 answers, a body
 * cap with a JSON 413, and an absolute header deadline that drops clients
 * trickling their headers (slowloris).  Connection counts, per-IP counts and
 * the idle timeout are MHD's own limits.
 *
 * A handler receives the whole request (body already read, capped) and
 * answers before it returns with http_reply() or a helper.  The answer is
 * stored in the request and queued by the server after the handler
 * returns, so a later asynchronous mode (MHD_suspend_connection, answer from
 * a timer, resume) only needs a "defer" call; no handler has to change. */
#ifndef ROUTER_HTTP_SERVER_H
#define ROUTER_HTTP_SERVER_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct http_server; /* opaque: see http_server.c */
struct http_req;    /* opaque: one inbound request, alive until its answer is sent
                     * (http_client.h's struct http_request is the outbound one) */

struct http_server_opts {
    const char *listen_address; /* "host:port", ":port", "[v6]:port" */
    const char *route_prefix;   /* "" or "/path" (see http_route_prefix()) */
    size_t body_limit;          /* larger bodies: 413 */
    unsigned max_connections;
    unsigned max_connections_per_ip; /* 0 = no per-IP limit */
    unsigned idle_timeout_s;         /* 0 = none */
    unsigned header_timeout_s;       /* 0 = no header deadline */
    size_t header_limit;             /* MHD's per-connection memory; 0 = 64 KiB */
};

/* Called once per request, with the whole body.  Must answer (http_reply
 * or a helper) before returning; a handler that does not gets a 500. */
typedef void http_handler_fn(struct http_req *req, void *ud);

/* Route flags. */
#define HTTP_EXACT 0u  /* path must equal the pattern */
#define HTTP_PREFIX 1u /* path starts with the pattern ("/api/v2/silence/") */

/* Creates the server: opens the listening socket and starts MHD on `loop`.
 * Requests are dispatched as soon as the loop runs, so register routes
 * before returning to the loop.  Returns NULL and fills err (e.g. "listen
 * tcp 127.0.0.1:9093: bind: Address already in use").  Free with
 * http_server_free(). */
struct http_server *http_server_new(struct ev_loop *loop, const struct http_server_opts *o,
                                    struct errbuf *err);

/* Closes the listening socket and every connection (in-flight requests are
 * completed as failed and their memory freed), then frees.  Accepts NULL. */
void http_server_free(struct http_server *s);

/* Stops accepting new connections; open ones are served until
 * http_server_free().  For graceful shutdown. */
void http_server_stop_accepting(struct http_server *s);

/* The address actually bound, e.g. "127.0.0.1:9093" or "[::]:9093".
 * Borrowed: valid until http_server_free(). */
const char *http_server_address(const struct http_server *s);

/* Registers a handler.  `method` is "GET", "POST", ... ("GET" also serves
 * HEAD; MHD omits the body) or NULL for any method.  `path` is relative to
 * the route prefix and is copied.  Exact routes win over prefix routes,
 * longer prefixes over shorter ones.  A path that matches a pattern but
 * no method gets 405 with an Allow header.  Routes outside the JSON-error
 * areas are timed into alertmanager_http_request_duration_seconds and
 * alertmanager_http_response_size_bytes{handler=<path>,method=<lower>}, as
 * Alertmanager instruments its own routes. */
void http_server_route(struct http_server *s, const char *method, const char *path, unsigned flags,
                       http_handler_fn *fn, void *ud);

/* Under `path_prefix` (e.g. "/api/v2/"), unknown paths and wrong methods
 * are answered as Alertmanager's OpenAPI layer does:
 *   404 {"code":404,"message":"path /api/v2/x was not found"}
 *   405 {"code":405,"message":"method PUT is not allowed, but [GET,POST] are"}
 * Elsewhere they get Go's plain-text "404 page not found" and
 * "Method Not Allowed", and OPTIONS is answered 200 with Allow. */
void http_server_json_errors(struct http_server *s, const char *path_prefix);

/* ---- the request (all borrowed, valid until the answer is sent) ---------- */

const char *http_req_method(const struct http_req *r);
/* Path below the route prefix, percent-decoded: "/api/v2/alerts". */
const char *http_req_path(const struct http_req *r);
/* For an HTTP_PREFIX route, the rest of the path after the pattern
 * ("abc" for "/api/v2/silence/abc"); "" for exact routes. */
const char *http_req_subpath(const struct http_req *r);
/* First value of query parameter `name` (decoded); "" for "?name";
 * NULL when absent. */
const char *http_req_query(const struct http_req *r, const char *name);
/* Calls fn for every query parameter in order (repeated names included,
 * e.g. Alertmanager's ?filter=a&filter=b); value is NULL for "?name".
 * fn returns 0 to go on, non-zero to stop. */
typedef int http_kv_fn(void *ud, const char *name, const char *value);
void http_req_query_each(const struct http_req *r, http_kv_fn *fn, void *ud);
/* Request header, case-insensitive; NULL when absent. */
const char *http_req_header(const struct http_req *r, const char *name);
void http_req_header_each(const struct http_req *r, http_kv_fn *fn, void *ud);
/* The body, NUL-terminated (it may contain NULs: use *len). */
const char *http_req_body(const struct http_req *r, size_t *len);
/* Client address as "ip:port" or "[ip6]:port". */
const char *http_req_remote(struct http_req *r);

/* Request-scoped memory: freed with the request, never individually
 * (H2O's pool idea).  Aborts on OOM like xmalloc. */
void *http_req_alloc(struct http_req *r, size_t n);
char *http_req_strdup(struct http_req *r, const char *s);

/* ---- the answer ---------------------------------------------------------- */

/* Answers with status, Content-Type (NULL: none) and a copy of body.  Only
 * the first answer counts; later calls return -1 and change nothing. */
int http_reply(struct http_req *r, int status, const char *content_type, const void *body,
               size_t len);
/* As http_reply, but takes ownership of body (malloc'd, e.g. json_dumps). */
int http_reply_take(struct http_req *r, int status, const char *content_type, char *body,
                    size_t len);
/* "application/json" / "text/plain; charset=utf-8" with a C string body. */
int http_reply_json(struct http_req *r, int status, const char *json);
int http_reply_text(struct http_req *r, int status, const char *text);
/* Adds a response header; call before the http_reply*.  Both are copied. */
void http_reply_header(struct http_req *r, const char *name, const char *value);

#endif

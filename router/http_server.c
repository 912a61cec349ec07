/* http_server.c -- see http_server.h.
 *
 * MHD runs in external-epoll mode (FINDINGS.md section 1): all its sockets
 * live in one epoll fd of its own, which the loop watches with an ev_io.
 * MHD asks never to block longer than MHD_get_timeout() and to call
 * MHD_run() after every wake-up; an ev_prepare re-arms one ev_timer to
 * that timeout right before libev blocks, so the contract holds without
 * thinking about it anywhere else.
 *
 * MHD's own timeout is an inactivity timeout, so a client that trickles
 * one header byte at a time keeps its slot for ever.  We keep an absolute
 * deadline per connection instead: header_timeout from accept (or from the
 * request line of a later keep-alive request) until the first handler
 * call, which MHD makes only once the headers are complete; a periodic
 * sweep shuts overdue sockets down and MHD, seeing EOF, cleans up. */
#include "http_server_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_listen.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"

#define DEFAULT_HEADER_LIMIT (64u * 1024)

/* ---- dispatch ------------------------------------------------------------ */

static bool method_ok(const struct route *rt, const char *method)
{
    return !rt->method || strcmp(rt->method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0);
}

static void lower(const char *in, char out[16])
{
    size_t i = 0;
    for (; in[i] && i < 15; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

/* Alertmanager 0.25 instruments its own routes (/-/healthy, /-/ready,
 * /-/reload, /metrics) with handler = route pattern and a lower-case
 * method, and not the OpenAPI area; so do we.  Series of fixed-method
 * routes are looked up once and kept in the route. */
static void observe(struct http_req *r, struct route *rt, double seconds)
{
    if (http_in_json_area(r->srv, rt->path))
        return;
    char m[16];
    lower(r->method, m);
    struct metric_histogram **dur = &rt->dur, **size = &rt->size, *d1 = NULL, *s1 = NULL;
    if (!rt->method) {
        dur = &d1; /* any method: no cache, look up every time */
        size = &s1;
    } else if (strcmp(m, "head") == 0 && strcmp(rt->method, "HEAD") != 0) {
        dur = &rt->head_dur;
        size = &rt->head_size;
    }
    if (!*dur) {
        *dur = metrics_http_duration(rt->path, m);
        *size = metrics_http_size(rt->path, m);
    }
    metrics_histogram_observe(*dur, seconds);
    metrics_histogram_observe(*size, (double)r->rlen);
}

/* Finds the pattern the path belongs to (exact first, then the longest
 * prefix), then a route of that pattern taking the method; answers the
 * request itself when there is none. */
static void dispatch(struct http_req *r)
{
    struct http_server *s = r->srv;
    const char *url = r->url;
    if (s->prefix_len) {
        if (strncmp(url, s->prefix, s->prefix_len) == 0 && url[s->prefix_len] == '/') {
            r->path = url + s->prefix_len;
        } else if (strcmp(url, s->prefix) == 0) {
            char *to = http_req_alloc(r, s->prefix_len + 2);
            snprintf(to, s->prefix_len + 2, "%s/", s->prefix);
            http_reply_redirect(r, 301, to);
            return;
        } else if (strcmp(url, "/") == 0) {
            http_reply_redirect(r, 302, s->prefix);
            return;
        } else {
            r->path = url;
            http_reply_text(r, 404, "404 page not found\n");
            return;
        }
    } else {
        r->path = url;
    }
    const struct route *pat = NULL;
    for (size_t i = 0; i < s->nroutes && !pat; i++)
        if (s->routes[i].flags == HTTP_EXACT && strcmp(s->routes[i].path, r->path) == 0)
            pat = &s->routes[i];
    if (!pat) {
        for (size_t i = 0; i < s->nroutes; i++) {
            const struct route *rt = &s->routes[i];
            if (rt->flags == HTTP_PREFIX && strncmp(rt->path, r->path, rt->plen) == 0 &&
                (!pat || rt->plen > pat->plen))
                pat = rt;
        }
    }
    if (!pat) {
        http_reply_not_found(r);
        return;
    }
    for (size_t i = 0; i < s->nroutes; i++) {
        struct route *rt = &s->routes[i];
        if (rt->flags == pat->flags && strcmp(rt->path, pat->path) == 0 &&
            method_ok(rt, r->method)) {
            r->subpath = rt->flags == HTTP_PREFIX ? r->path + rt->plen : "";
            ev_tstamp t0 = ev_time();
            rt->fn(r, rt->ud);
            if (!r->replied) {
                log_error("HTTP handler gave no answer", "method", r->method, "path", r->path);
                http_reply_error_json(r, 500, "internal error: no answer");
            }
            observe(r, rt, ev_time() - t0);
            return;
        }
    }
    http_reply_bad_method(r, pat);
}

/* ---- MHD callbacks ------------------------------------------------------- */

static struct conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Content-Length larger than the limit?  A malformed value never gets
 * here: MHD has answered 400 already. */
static bool declared_too_large(struct MHD_Connection *c, size_t limit)
{
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!cl)
        return false;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(cl, &end, 10);
    return errno == ERANGE || n > limit;
}

/* MHD calls this first when the headers are complete (no body yet), then
 * once per body chunk, then once more with no data.  The request object is
 * made on the first call and freed in on_completed(). */
static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
    struct http_server *s = cls;
    struct http_req *r = *req_cls;
    (void)version;
    if (!r) {
        struct conn *c = conn_of(conn);
        if (c)
            c->deadline = 0; /* headers are complete */
        r = http_req_new(s, conn, method, url);
        *req_cls = r;
        /* Refusing now, before the body, suppresses "100 Continue". */
        if (declared_too_large(conn, s->body_limit)) {
            struct buf m = BUF_INIT;
            buf_printf(&m, "request body exceeds the limit of %zu bytes", s->body_limit);
            http_reply_error_json(r, 413, buf_str(&m));
            buf_deinit(&m);
            return http_req_queue(r);
        }
        return MHD_YES;
    }
    if (r->queued) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (buf_append(&r->body, upload_data, n) < 0) {
            /* A chunked body crossed the limit.  MHD 0.9.75 cannot queue an
             * answer in mid-upload, and draining would let an endless body
             * run for ever: close the connection. */
            log_debug("closing HTTP connection: chunked body over the limit", "remote",
                      http_req_remote(r), "path", r->url);
            return MHD_NO;
        }
        return MHD_YES;
    }
    dispatch(r);
    return http_req_queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    (void)toe;
    struct conn *c = conn ? conn_of(conn) : NULL;
    /* The next request on this keep-alive connection may idle first, then
     * gets header_timeout from its request line (on_uri). */
    if (c && s->header_timeout > 0)
        c->deadline = s->idle_timeout > 0 ? ev_now(s->loop) + s->idle_timeout + s->header_timeout
                                          : 0; /* no idle limit: only on_uri's deadline applies */
    if (*req_cls) {
        http_req_free(*req_cls);
        *req_cls = NULL;
    }
}

/* Called once the request line has arrived, headers not yet.  Returning
 * NULL keeps *req_cls NULL for on_access's first call. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *s = cls;
    struct conn *c = conn_of(conn);
    (void)uri;
    if (c && s->header_timeout > 0) {
        ev_tstamp d = ev_now(s->loop) + s->header_timeout;
        if (c->deadline == 0 || c->deadline > d)
            c->deadline = d;
    }
    return NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct conn *c = xcalloc(1, sizeof *c);
        c->fd = ci ? ci->connect_fd : -1;
        if (s->header_timeout > 0)
            c->deadline = ev_now(s->loop) + s->header_timeout;
        c->next = s->conns.next;
        c->prev = &s->conns;
        s->conns.next->prev = c;
        s->conns.next = c;
        *socket_context = c;
    } else if (*socket_context) {
        struct conn *c = *socket_context;
        /* MHD takes its listening socket out of epoll at the connection
         * limit (or on EMFILE) and puts it back only at the start of a
         * later MHD_run(); without one the queued clients would wait for
         * the next unrelated timeout. */
        s->rerun = true;
        c->prev->next = c->next;
        c->next->prev = c->prev;
        free(c);
        *socket_context = NULL;
    }
}

/* MHD's own messages (client errors, limits): debug, one line each. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    if (!log_enabled(LOG_DEBUG))
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("libmicrohttpd", "detail", msg);
}

/* ---- loop glue ----------------------------------------------------------- */

static void on_mhd_readable(EV_P_ ev_io *w, int revents)
{
    struct http_server *s = w->data;
    (void)revents;
    MHD_run(s->mhd);
}

static void on_mhd_timeout(EV_P_ ev_timer *w, int revents)
{
    struct http_server *s = w->data;
    (void)revents;
    MHD_run(s->mhd);
}

static void on_before_poll(EV_P_ ev_prepare *w, int revents)
{
    struct http_server *s = w->data;
    MHD_UNSIGNED_LONG_LONG ms;
    (void)revents;
    ev_timer_stop(EV_A_ & s->timer);
    if (s->rerun) {
        s->rerun = false;
        ev_timer_set(&s->timer, 0.0, 0.0);
        ev_timer_start(EV_A_ & s->timer);
    } else if (MHD_get_timeout(s->mhd, &ms) == MHD_YES) {
        ev_timer_set(&s->timer, (double)ms / 1000.0, 0.0);
        ev_timer_start(EV_A_ & s->timer);
    }
}

/* shutdown(), not close(): MHD still owns the fd and must see the EOF. */
static void on_header_sweep(EV_P_ ev_timer *w, int revents)
{
    struct http_server *s = w->data;
    (void)revents;
    ev_tstamp now = ev_now(EV_A);
    for (struct conn *c = s->conns.next; c != &s->conns; c = c->next) {
        if (c->deadline > 0 && c->deadline < now && c->fd >= 0) {
            log_debug("closing HTTP connection: request headers not complete in time");
            metrics_counter_inc(metrics()->http_header_timeouts);
            shutdown(c->fd, SHUT_RDWR);
            c->deadline = 0;
        }
    }
}

/* ---- life cycle ---------------------------------------------------------- */

struct http_server *http_server_new(struct ev_loop *loop, const struct http_server_opts *o,
                                    struct errbuf *err)
{
    struct http_server *s = xcalloc(1, sizeof *s);
    s->loop = loop;
    s->prefix = xstrdup(o->route_prefix ? o->route_prefix : "");
    s->prefix_len = strlen(s->prefix);
    s->body_limit = o->body_limit;
    s->header_timeout = o->header_timeout_s;
    s->idle_timeout = o->idle_timeout_s;
    s->conns.next = s->conns.prev = &s->conns;

    int backlog = o->max_connections > 4096 ? 4096 : (int)o->max_connections;
    int fd = http_listen_open(o->listen_address, backlog < 128 ? 128 : backlog, s->address,
                              sizeof s->address, err);
    if (fd < 0) {
        http_server_free(s);
        return NULL;
    }
    s->mhd = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_access, s, MHD_OPTION_EXTERNAL_LOGGER,
        on_mhd_log, s, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_CONNECTION_TIMEOUT, o->idle_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, o->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        o->max_connections_per_ip, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        o->header_limit ? o->header_limit : (size_t)DEFAULT_HEADER_LIMIT, MHD_OPTION_END);
    const union MHD_DaemonInfo *di =
        s->mhd ? MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!di) {
        errbuf_set(err, "listen tcp %s: libmicrohttpd could not start in epoll mode", s->address);
        if (!s->mhd)
            close(fd);
        http_server_free(s);
        return NULL;
    }
    s->listening = true;
    ev_io_init(&s->io, on_mhd_readable, di->epoll_fd, EV_READ);
    ev_init(&s->timer, on_mhd_timeout);
    ev_prepare_init(&s->prep, on_before_poll);
    double every = s->header_timeout / 4;
    ev_timer_init(&s->sweep, on_header_sweep, 0.0, every < 0.25 ? 0.25 : every > 1 ? 1 : every);
    s->io.data = s->timer.data = s->prep.data = s->sweep.data = s;
    ev_io_start(loop, &s->io);
    ev_prepare_start(loop, &s->prep);
    if (s->header_timeout > 0)
        ev_timer_again(loop, &s->sweep);
    return s;
}

void http_server_stop_accepting(struct http_server *s)
{
    if (!s || !s->listening)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->mhd);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    s->listening = false;
}

void http_server_free(struct http_server *s)
{
    if (!s)
        return;
    if (s->mhd) {
        ev_io_stop(s->loop, &s->io);
        ev_timer_stop(s->loop, &s->timer);
        ev_prepare_stop(s->loop, &s->prep);
        ev_timer_stop(s->loop, &s->sweep);
        MHD_stop_daemon(s->mhd); /* closes connections, runs the callbacks */
    }
    for (size_t i = 0; i < s->nroutes; i++) {
        free(s->routes[i].method);
        free(s->routes[i].path);
    }
    free(s->routes);
    for (size_t i = 0; i < s->njson_areas; i++)
        free(s->json_areas[i]);
    free(s->json_areas);
    free(s->prefix);
    free(s);
}

const char *http_server_address(const struct http_server *s)
{
    return s->address;
}

void http_server_route(struct http_server *s, const char *method, const char *path, unsigned flags,
                       http_handler_fn *fn, void *ud)
{
    ROUTER_ASSERT(path && path[0] == '/' && fn);
    s->routes = xgrow(s->routes, &s->routes_cap, s->nroutes + 1, sizeof *s->routes);
    s->routes[s->nroutes++] = (struct route){.method = method ? xstrdup(method) : NULL,
                                             .path = xstrdup(path),
                                             .plen = strlen(path),
                                             .flags = flags,
                                             .fn = fn,
                                             .ud = ud};
}

void http_server_json_errors(struct http_server *s, const char *path_prefix)
{
    s->json_areas = xrealloc(s->json_areas, (s->njson_areas + 1) * sizeof *s->json_areas);
    s->json_areas[s->njson_areas++] = xstrdup(path_prefix);
}

/* http_server_internal.h -- what http_server.c and http_server_request.c share.
 *
 * The HTTP layer is one module in two files: http_server.c drives MHD on
 * the loop (callbacks, limits, header deadline, routing) and
 * http_server_request.c is the request a handler sees and the answer it gives,
 * including the server's own error answers.  Nothing outside these two
 * files includes this header. */
#ifndef ROUTER_HTTP_SERVER_INTERNAL_H
#define ROUTER_HTTP_SERVER_INTERNAL_H

/* microhttpd.h is not self-contained. */
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <microhttpd.h>

#include <stddef.h>

#include "buf.h"
#include "http_server.h"

struct route {
    char *method; /* NULL: any */
    char *path;
    size_t plen;
    unsigned flags;
    http_handler_fn *fn;
    void *ud;
    /* alertmanager_http_* series for the route's method and for HEAD,
     * looked up on first use */
    struct metric_histogram *dur, *size, *head_dur, *head_size;
};

/* One per TCP connection, for the header deadline. */
struct conn {
    int fd;
    ev_tstamp deadline; /* 0: headers complete, none pending */
    struct conn *prev, *next;
};

struct http_server {
    struct ev_loop *loop;
    struct MHD_Daemon *mhd;
    ev_io io;        /* MHD's epoll fd is readable */
    ev_timer timer;  /* MHD wants to run (timeouts, buffered data) */
    ev_prepare prep; /* re-arms timer before every blocking poll */
    ev_timer sweep;  /* header deadline */
    char *prefix;    /* route prefix, "" or "/path" */
    size_t prefix_len;
    size_t body_limit;
    double header_timeout, idle_timeout;
    char address[128];
    struct route *routes;
    size_t nroutes, routes_cap;
    char **json_areas;
    size_t njson_areas;
    struct conn conns; /* list head */
    bool listening;
    bool rerun; /* a connection closed: run MHD once more before polling */
};

struct arena_blk {
    struct arena_blk *next;
    max_align_t data[];
};

struct http_req {
    struct http_server *srv;
    struct MHD_Connection *conn;
    const char *method; /* MHD's, valid for the request */
    const char *url;
    const char *path;
    const char *subpath;
    struct buf body;
    bool queued; /* an MHD response is queued: ignore further calls */
    char remote[80];
    struct arena_blk *arena;
    /* the answer */
    bool replied;
    int status;
    char *ctype;
    char *rbody;
    size_t rlen;
    char **hdrs; /* name, value, name, value, ... */
    size_t nhdrs, hdrs_cap;
};

/* A new request for MHD's first call on it (headers complete); freed by
 * http_req_free() from MHD's completion callback. */
struct http_req *http_req_new(struct http_server *s, struct MHD_Connection *conn,
                              const char *method, const char *url);
void http_req_free(struct http_req *r);
/* Hands the stored answer to MHD; sets r->queued. */
enum MHD_Result http_req_queue(struct http_req *r);

/* The server's own answers, Alertmanager's bodies (see http_server.h). */
void http_reply_error_json(struct http_req *r, int status, const char *msg);
void http_reply_not_found(struct http_req *r);
void http_reply_redirect(struct http_req *r, int status, const char *to);
void http_reply_bad_method(struct http_req *r, const struct route *pat);
bool http_in_json_area(const struct http_server *s, const char *path);

#endif

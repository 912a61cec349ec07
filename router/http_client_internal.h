/* http_client_internal.h -- shared by http_client.c (the multi handle on
 * the loop, completion, drain) and http_request.c (turning the caller's
 * options into a configured curl easy handle).  Not for other modules. */
#ifndef ROUTER_HTTP_CLIENT_INTERNAL_H
#define ROUTER_HTTP_CLIENT_INTERNAL_H

#include <curl/curl.h>

#include "buf.h"
#include "curl_dl.h"
#include "http_client.h"

#define MAX_CONNECTS 64L  /* idle connections kept for reuse (Slack, Teams) */
#define MAX_REDIRECTS 10L /* as Go's http.Client */

struct http_request {
    struct http_client *c;
    struct http_request *prev, *next;
    CURL *easy;
    enum http_proto proto;
    http_done_fn *done;
    void *arg;
    bool completing; /* its callback is running */

    struct curl_slist *headers;    /* HTTP headers, or SMTP recipients */
    struct curl_slist *connect_to; /* tls.server_name mapping, or NULL */
    char *body;                    /* request body / SMTP payload, owned */
    size_t body_len, body_off;

    struct buf resp; /* response body, at most resp_cap bytes */
    size_t resp_cap, resp_total;
    char content_type[128];
    char retry_after[64];
    char date[64];

    /* What curl's detail text must not contain for it to be shown. */
    char *url;
    char *secret1, *secret2;
    char peer[160]; /* redacted URL: the only name of the peer we print */
    char curl_err[CURL_ERROR_SIZE];
    ev_tstamp t0;
};

struct http_client {
    struct ev_loop *loop;
    CURLM *multi;              /* NULL until the first submission */
    CURLSH *share;             /* TLS session cache shared by all transfers */
    bool load_failure_logged;  /* libcurl could not be loaded; said once */
    ev_timer timer;            /* curl's one timeout */
    struct http_request *reqs; /* in flight */
    size_t pending;
    struct sock *socks;
    int running;
    /* SSL_CERT_FILE / SSL_CERT_DIR at creation, NULL when unset or empty:
     * the trust of every request without a tls.ca_file of its own. */
    char *trust_file, *trust_dir;

    bool draining, freeing;
    ev_timer drain_deadline;
    ev_timer drain_notify;
    http_drained_fn *drained;
    void *drained_arg;
};

/* http_request.c: a new request with a fresh easy handle carrying the
 * options every transfer has (private pointer, error buffer, no signals,
 * body/header capture).  Aborts on OOM. */
struct http_request *http_request_new(struct http_client *c, enum http_proto proto, const char *url,
                                      http_done_fn *done, void *arg);
void http_request_free(struct http_request *r); /* accepts NULL */

/* http_client.c: loads libcurl and makes the multi handle unless done
 * already; -1 with *err set if libcurl cannot be loaded (logged once). */
int http_client_ready(struct http_client *c, struct errbuf *err);

/* http_client.c: hands a configured request to the multi handle. */
void http_client_start(struct http_client *c, struct http_request *r);

#endif

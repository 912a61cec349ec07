/* http_client.c -- libcurl's multi_socket interface on the libev loop.
 *
 * The notifiers hand their sends here; see http_client.h for the contract.
 * The wiring follows reference/prototypes/curl/curl_multi_ev.c:
 *
 *   CURLMOPT_SOCKETFUNCTION  curl asks to watch an fd for IN/OUT, or to stop:
 *                            one struct sock (an ev_io) per fd, attached to
 *                            curl's fd with curl_multi_assign();
 *   CURLMOPT_TIMERFUNCTION   curl asks to be called in N ms: one ev_timer;
 *   ev_io / ev_timer fire -> curl_multi_socket_action(), then every finished
 *                            transfer is taken off the multi handle, turned
 *                            into a struct http_result and reported.
 *
 * curl_multi_socket_action() is only ever called from those two libev
 * callbacks, never from inside curl's own callbacks (FINDINGS §2), and the
 * completion callbacks run after it has returned, so they may submit and
 * cancel freely.
 *
 * libcurl itself is not linked: main loads it on a background thread at
 * start (curl_dl.h), the first submission adopts it (http_client_ready),
 * and every call goes through that table. */
#include "http_client.h"
#include "http_client_internal.h"

#include <curl/curl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl_dl.h"
#include "log.h"
#include "mem.h"

struct sock {
    ev_io io;
    struct http_client *c;
    struct sock *prev, *next;
};

static void check_done(struct http_client *c);
static void maybe_finish_drain(struct http_client *c);

/* ---- curl <-> libev ---------------------------------------------------- */

static void socket_action(struct http_client *c, curl_socket_t fd, int mask)
{
    c->in_action = true;
    CURLMcode rc = curl_dl.multi_socket_action(c->multi, fd, mask, &c->running);
    c->in_action = false;
    if (rc != CURLM_OK)
        log_error("curl_multi_socket_action failed", "err", curl_dl.multi_strerror(rc));
    check_done(c);
}

static void on_sock_ready(EV_P_ ev_io *w, int revents)
{
    struct sock *s = (struct sock *)w;
    int mask =
        ((revents & EV_READ) ? CURL_CSELECT_IN : 0) | ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    socket_action(s->c, w->fd, mask);
}

static void on_curl_timeout(EV_P_ ev_timer *w, int revents)
{
    socket_action(w->data, CURL_SOCKET_TIMEOUT, 0);
}

static void sock_unlink_free(struct http_client *c, struct sock *s)
{
    ev_io_stop(c->loop, &s->io);
    if (s->prev)
        s->prev->next = s->next;
    else
        c->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    free(s);
}

/* CURLMOPT_SOCKETFUNCTION: keep one ev_io per fd in step with curl's wishes. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
    struct http_client *c = userp;
    struct sock *s = sockp;

    if (what == CURL_POLL_REMOVE) {
        if (s) {
            curl_dl.multi_assign(c->multi, fd, NULL);
            sock_unlink_free(c, s);
        }
        return 0;
    }
    int events = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (s == NULL) {
        s = xcalloc(1, sizeof *s);
        s->c = c;
        s->next = c->socks;
        if (c->socks)
            c->socks->prev = s;
        c->socks = s;
        ev_io_init(&s->io, on_sock_ready, fd, events);
        curl_dl.multi_assign(c->multi, fd, s);
    } else {
        ev_io_stop(c->loop, &s->io); /* ev_io_set needs a stopped watcher */
        ev_io_set(&s->io, fd, events);
    }
    ev_io_start(c->loop, &s->io);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: one timer for the whole multi handle. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct http_client *c = userp;
    ev_timer_stop(c->loop, &c->timer); /* also drops a fed, not yet run, event */
    if (timeout_ms == 0 && !c->in_action) {
        /* "Now" for a new transfer (curl_multi_add_handle): run right after
         * the current callback, in this loop iteration, rather than after
         * another epoll_wait; still outside curl.  Asked from inside
         * socket_action it stays a 0 s timer, so that a transfer asking
         * again and again cannot keep the loop from polling. */
        ev_feed_event(c->loop, &c->timer, EV_TIMER);
    } else if (timeout_ms >= 0) {
        /* 1000.0, not 1000: integer division would turn 999 ms into a spin. */
        ev_timer_set(&c->timer, timeout_ms / 1000.0, 0.0);
        ev_timer_start(c->loop, &c->timer);
    }
    return 0;
}

/* ---- requests ---------------------------------------------------------- */

static void req_unlink(struct http_request *r)
{
    struct http_client *c = r->c;
    if (r->prev)
        r->prev->next = r->next;
    else
        c->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
    c->pending--;
}

/* True if curl's detail text may be shown: it must not contain the URL's
 * userinfo, path, query or fragment (nor any 4+ character piece of them),
 * nor a password or token, nor any URL at all (a redirect target). */
static bool detail_is_safe(const struct http_request *r, const char *detail)
{
    if (strstr(detail, "://"))
        return false;
    if (r->secret1 && r->secret1[0] && strstr(detail, r->secret1))
        return false;
    if (r->secret2 && r->secret2[0] && strstr(detail, r->secret2))
        return false;
    const char *scheme_end = strstr(r->url, "://");
    const char *auth = scheme_end ? scheme_end + 3 : r->url;
    const char *at = NULL;
    size_t auth_len = strcspn(auth, "/?#");
    for (const char *q = auth; q < auth + auth_len; q++)
        if (*q == '@')
            at = q;
    /* Pieces of userinfo and of everything after the authority. */
    const char *pieces[2][2] = {{at ? auth : NULL, at}, {auth + auth_len, NULL}};
    for (int i = 0; i < 2; i++) {
        const char *p = pieces[i][0];
        if (p == NULL)
            continue;
        const char *end = pieces[i][1] ? pieces[i][1] : p + strlen(p);
        while (p < end) {
            size_t seg = strcspn(p, "/?#&=;:@");
            if (p + seg > end)
                seg = (size_t)(end - p);
            if (seg >= 4) {
                char piece[256];
                size_t m = seg < sizeof piece - 1 ? seg : sizeof piece - 1;
                memcpy(piece, p, m);
                piece[m] = '\0';
                if (strstr(detail, piece))
                    return false;
            }
            p += seg + 1;
        }
    }
    return true;
}

static bool code_has_useful_detail(int code)
{
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_USE_SSL_FAILED:
    case CURLE_LOGIN_DENIED:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
        return true;
    default:
        return false;
    }
}

static void build_error(struct http_request *r, struct http_result *res)
{
    if (res->curl_code != 0) {
        const char *detail = r->curl_err;
        bool show =
            detail[0] && code_has_useful_detail(res->curl_code) && detail_is_safe(r, detail);
        char code[48];
        if (res->status)
            snprintf(code, sizeof code, "curl %d, %s %ld", res->curl_code,
                     r->proto == HTTP_PROTO_SMTP ? "SMTP" : "HTTP", res->status);
        else
            snprintf(code, sizeof code, "curl %d", res->curl_code);
        snprintf(res->error, sizeof res->error, "%s (%s) for %s%s%.*s",
                 curl_dl.easy_strerror((CURLcode)res->curl_code), code, r->peer, show ? ": " : "",
                 show ? (int)strcspn(detail, "\r\n") : 0, show ? detail : "");
    } else if (r->proto == HTTP_PROTO_HTTP && (res->status < 200 || res->status > 299)) {
        snprintf(res->error, sizeof res->error, "HTTP %ld from %s", res->status, r->peer);
    }
}

/* Reports one finished (or aborted) transfer and frees it.  The request has
 * already been taken off the multi handle and out of the list. */
static void complete(struct http_request *r, int code, bool cancelled)
{
    struct http_result res;
    memset(&res, 0, sizeof res);
    res.proto = r->proto;
    res.curl_code = code;
    res.cancelled = cancelled;
    res.retry_after_ms = -1;
    long status = 0;
    curl_dl.easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    res.status = status;
    if (r->proto == HTTP_PROTO_HTTP) {
        time_t now = time(NULL), server_now;
        if (r->date[0] && http_date_parse(r->date, &server_now) == 0)
            now = server_now;
        if (r->retry_after[0])
            res.retry_after_ms = http_retry_after_parse(r->retry_after, now);
        snprintf(res.content_type, sizeof res.content_type, "%s", r->content_type);
    }
    res.body = buf_str(&r->resp);
    res.body_len = r->resp.len;
    res.body_total = r->resp_total;
    res.body_truncated = r->resp_total > r->resp.len;
    res.elapsed_s = ev_time() - r->t0;
    if (cancelled)
        snprintf(res.error, sizeof res.error, "request to %s cancelled", r->peer);
    else
        build_error(r, &res);
    r->completing = true;
    r->done(r->arg, &res);
    http_request_free(r);
}

static void check_done(struct http_client *c)
{
    CURLMsg *m;
    int left;
    while ((m = curl_dl.multi_info_read(c->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        struct http_request *r = NULL;
        CURL *easy = m->easy_handle;
        int code = (int)m->data.result;
        curl_dl.easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
        /* m is invalid after remove_handle; everything needed is copied. */
        curl_dl.multi_remove_handle(c->multi, easy);
        req_unlink(r);
        complete(r, code, false);
    }
    maybe_finish_drain(c);
}

/* Aborts every request in flight, calling each callback with `cancelled`. */
static void abort_all(struct http_client *c)
{
    /* Always take the head: a callback may cancel other requests. */
    while (c->reqs) {
        struct http_request *r = c->reqs;
        curl_dl.multi_remove_handle(c->multi, r->easy);
        req_unlink(r);
        complete(r, CURLE_ABORTED_BY_CALLBACK, true);
    }
}

/* ---- drain ------------------------------------------------------------- */

static void maybe_finish_drain(struct http_client *c)
{
    if (!c->draining || c->freeing || c->pending > 0 || c->drained == NULL)
        return;
    ev_timer_stop(c->loop, &c->drain_deadline);
    if (!ev_is_active(&c->drain_notify)) {
        ev_timer_set(&c->drain_notify, 0.0, 0.0);
        ev_timer_start(c->loop, &c->drain_notify);
    }
}

static void on_drain_deadline(EV_P_ ev_timer *w, int revents)
{
    struct http_client *c = w->data;
    if (c->pending > 0) {
        char n[24];
        snprintf(n, sizeof n, "%zu", c->pending);
        log_warn("Aborting outbound requests still in flight at shutdown", "count", n);
    }
    abort_all(c);
    maybe_finish_drain(c);
}

static void on_drain_notify(EV_P_ ev_timer *w, int revents)
{
    struct http_client *c = w->data;
    http_drained_fn *fn = c->drained;
    c->drained = NULL;
    if (fn)
        fn(c->drained_arg);
}

void http_client_drain(struct http_client *c, double timeout_s, http_drained_fn *drained, void *arg)
{
    c->draining = true;
    c->drained = drained;
    c->drained_arg = arg;
    ev_timer_stop(c->loop, &c->drain_deadline);
    ev_timer_set(&c->drain_deadline, timeout_s > 0 ? timeout_s : 0.0, 0.0);
    ev_timer_start(c->loop, &c->drain_deadline);
    maybe_finish_drain(c);
}

/* ---- client ------------------------------------------------------------ */

struct http_client *http_client_new(struct ev_loop *loop)
{
    struct http_client *c = xcalloc(1, sizeof *c);
    c->loop = loop;
    const char *f = getenv("SSL_CERT_FILE"), *d = getenv("SSL_CERT_DIR");
    c->trust_file = f && *f ? xstrdup(f) : NULL;
    c->trust_dir = d && *d ? xstrdup(d) : NULL;
    ev_init(&c->timer, on_curl_timeout);
    c->timer.data = c;
    ev_init(&c->drain_deadline, on_drain_deadline);
    c->drain_deadline.data = c;
    ev_init(&c->drain_notify, on_drain_notify);
    c->drain_notify.data = c;
    return c;
}

/* The first submission makes the multi and share handles, after joining
 * the background load of libcurl that main started (curl_dl.h), or loading
 * it inline when none was started (tests, a failed thread).  The log line
 * says how long the load took and how long the loop waited for it. */
int http_client_ready(struct http_client *c, struct errbuf *err)
{
    if (c->multi)
        return 0;
    bool first_load = !curl_dl_loaded();
    ev_tstamp t0 = ev_time();
    if (curl_dl_load(err) < 0) {
        if (!c->load_failure_logged)
            log_error("Cannot send notifications", "err", err->msg);
        c->load_failure_logged = true;
        return -1;
    }
    c->multi = curl_dl.multi_init();
    if (c->multi == NULL) {
        /* Only fails on allocation: the OOM policy applies. */
        fprintf(stderr, "alertrouter: curl_multi_init failed\n");
        abort();
    }
    curl_dl.multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
    curl_dl.multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_dl.multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_dl.multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    curl_dl.multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, MAX_CONNECTS);
    /* TLS sessions are cached per easy handle unless shared; sharing them
     * lets a new connection to Slack resume instead of doing a full
     * handshake.  One thread: no lock callbacks needed. */
    c->share = curl_dl.share_init();
    if (c->share == NULL) {
        fprintf(stderr, "alertrouter: curl_share_init failed\n");
        abort();
    }
    curl_dl.share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (first_load) {
        char ms[32], waited[32];
        snprintf(ms, sizeof ms, "%.1f", curl_dl_load_ms());
        snprintf(waited, sizeof waited, "%.1f", (ev_time() - t0) * 1e3);
        log_info("Loaded libcurl", "version", curl_dl.version_info(CURLVERSION_NOW)->version,
                 "took_ms", ms, "loop_waited_ms", waited);
    }
    return 0;
}

void http_client_free(struct http_client *c)
{
    if (c == NULL)
        return;
    c->draining = true;
    abort_all(c);
    c->freeing = true;
    /* Closing cached connections calls on_curl_socket (REMOVE) and maybe
     * on_curl_timer, so the watchers are stopped only afterwards. */
    if (c->multi) {
        curl_dl.multi_cleanup(c->multi);
        curl_dl.share_cleanup(c->share);
    }
    ev_timer_stop(c->loop, &c->timer);
    ev_timer_stop(c->loop, &c->drain_deadline);
    ev_timer_stop(c->loop, &c->drain_notify);
    while (c->socks)
        sock_unlink_free(c, c->socks);
    free(c->trust_file);
    free(c->trust_dir);
    free(c);
}

size_t http_client_pending(const struct http_client *c)
{
    return c->pending;
}

/* Links the request in and hands it to curl, which arms the timer through
 * on_curl_timer(); the transfer starts on the next loop iteration. */
void http_client_start(struct http_client *c, struct http_request *r)
{
    r->t0 = ev_time();
    CURLMcode rc = curl_dl.multi_add_handle(c->multi, r->easy);
    /* Fails only for a handle already added or on OOM: both impossible
     * here, since every request has a fresh easy handle. */
    ROUTER_ASSERT(rc == CURLM_OK);
    r->next = c->reqs;
    if (c->reqs)
        c->reqs->prev = r;
    c->reqs = r;
    c->pending++;
}

void http_client_cancel(struct http_client *c, struct http_request *r)
{
    if (r == NULL || r->completing)
        return;
    curl_dl.multi_remove_handle(c->multi, r->easy);
    req_unlink(r);
    http_request_free(r);
    maybe_finish_drain(c);
}

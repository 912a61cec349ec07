/* http_client.h -- the process's one libcurl multi handle, driven by the loop.
 *
 * Every outbound request of the notifiers goes through here: webhook, Slack
 * and Teams over HTTP(S), email over SMTP(S).  The multi handle's sockets
 * are ev_io watchers and its timeout is one ev_timer, so a slow or dead peer
 * never blocks the loop; hundreds of sends run at once, each with its own
 * timeout, and connections (and TLS sessions) to Slack or Teams are reused.
 *
 * A submit copies everything it is given (except a body handed over with
 * `body_owned`), so callers may free their options right after the call.
 * Each accepted request ends in exactly one call of its completion callback
 * with a struct http_result (http_result.h), unless the caller cancels it
 * first with http_client_cancel().  Retry and backoff are not done here:
 * the notify pipeline does them, using http_result_classify().
 *
 * Nothing here logs or returns a URL's path, query or credentials: webhook
 * URLs are secrets.  Messages name the peer as scheme://host:port. */
#ifndef ROUTER_HTTP_CLIENT_H
#define ROUTER_HTTP_CLIENT_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "http_result.h"

/* Sent on every HTTP request unless the caller sets its own.  It begins
 * with Alertmanager's own User-Agent, so receivers that match on
 * "Alertmanager/" keep working, and names us in a comment (RFC 9110
 * product *( RWS ( product / comment ) )). */
#define HTTP_CLIENT_USER_AGENT "Alertmanager/0.25.0 (alertrouter/" AR_VERSION ")"

#define HTTP_TIMEOUT_DEFAULT_MS 30000L
#define HTTP_CONNECT_TIMEOUT_MAX_MS 10000L

enum http_tls_version {
    HTTP_TLS_DEFAULT, /* TLS 1.2 or later: what we would choose anyway */
    HTTP_TLS_1_0,
    HTTP_TLS_1_1,
    HTTP_TLS_1_2,
    HTTP_TLS_1_3,
};

/* Alertmanager's tls_config.  All strings are file paths or names, NULL
 * when unset; none is kept after submit returns. */
struct http_tls {
    const char *ca_file;   /* the only CAs trusted; NULL: the system's (see
                              http_client_new for SSL_CERT_FILE/_DIR) */
    const char *cert_file; /* client certificate (PEM), with key_file */
    const char *key_file;
    const char *server_name; /* verify (and SNI) against this name instead of
                                the URL's host; the Host header stays */
    bool insecure_skip_verify;
    enum http_tls_version min_version;
};

struct http_request_opts {
    const char *method; /* NULL: POST with a body, GET without */
    const char *url;    /* http:// or https:// only */
    /* NULL-terminated array of "Name: value" lines, or NULL.  A line with
     * CR, LF or NUL is refused (header injection). */
    const char *const *headers;
    const char *body; /* may be NULL (no body) */
    size_t body_len;
    /* true: `body` was malloc'd and we take ownership (freed with free()
     * even if submit fails); false: it is copied. */
    bool body_owned;
    long timeout_ms; /* whole request; 0: HTTP_TIMEOUT_DEFAULT_MS */
    struct http_tls tls;
    const char *proxy_url;       /* NULL: no proxy, environment ignored */
    bool proxy_from_environment; /* use http(s)_proxy/no_proxy instead */
    const char *basic_user;      /* basic auth, with basic_password */
    const char *basic_password;
    /* "Authorization: <type> <credentials>"; type NULL means "Bearer". */
    const char *authorization_type;
    const char *authorization_credentials;
    bool follow_redirects;  /* at most 10, http(s) only, as Go's client */
    const char *user_agent; /* NULL: HTTP_CLIENT_USER_AGENT */
    size_t body_cap;        /* kept response bytes; 0: HTTP_BODY_CAP_DEFAULT */
};

/* One SMTP submission: the envelope and a ready-made RFC 5322 message.
 * curl speaks EHLO (the URL's path is the EHLO name:
 * smtp://mx.example.org:587/router.example.org), STARTTLS, AUTH, MAIL,
 * RCPT and DATA with dot-stuffing.  The notifier builds the message. */
struct http_smtp_opts {
    const char *url;         /* smtp:// (STARTTLS if require_tls) or smtps:// */
    const char *mail_from;   /* "<a@b>" or "a@b" */
    const char *const *rcpt; /* NULL-terminated, at least one */
    const char *payload;     /* the message, CRLF line ends */
    size_t payload_len;
    bool payload_owned; /* as body_owned */
    /* smtp:// only: true -> STARTTLS is mandatory (CURLUSESSL_ALL), a
     * server without it fails with curl code 64; false -> plain text, no
     * STARTTLS, as Alertmanager's require_tls: false. */
    bool require_tls;
    const char *user; /* NULL: no AUTH */
    const char *password;
    const char *login_options; /* e.g. "AUTH=PLAIN"; NULL: server's choice */
    const char *authzid;       /* AUTH PLAIN authorization identity; NULL: none */
    struct http_tls tls;
    long timeout_ms; /* whole session; 0: HTTP_TIMEOUT_DEFAULT_MS */
};

struct http_client;
struct http_request; /* a submitted request; see http_client_cancel() */

/* Called once per request, on the loop.  `r` and everything it points to
 * are borrowed for the duration of the call.  The callback may submit new
 * requests and cancel others; it must not free the client. */
typedef void http_done_fn(void *arg, const struct http_result *r);
typedef void http_drained_fn(void *arg);

/* Creates the client on `loop`.  libcurl is not touched until the first
 * submission, which loads it (curl_dl.h); if it cannot be loaded, that and
 * every later submission fails with the reason in *err.
 * SSL_CERT_FILE and SSL_CERT_DIR are read here, once: when set (and not
 * empty) they replace the system's CA bundle file and CA directory for
 * every request without a tls.ca_file, as they do for Go programs such as
 * Alertmanager (a private CA for an SMTP relay or a TLS-inspecting proxy).
 * Returns a new client; free with http_client_free(). */
struct http_client *http_client_new(struct ev_loop *loop);

/* Aborts whatever is still in flight -- each gets its callback with
 * `cancelled` set -- and frees the client.  Accepts NULL. */
void http_client_free(struct http_client *c);

/* Starts an HTTP request.  Returns the request (valid until its callback
 * returns, or until cancelled), or NULL with *err set when the options are
 * invalid (no URL, bad header, non-http scheme), the client is draining or
 * libcurl cannot be loaded;
 * then the callback will never be called. */
struct http_request *http_client_submit(struct http_client *c, const struct http_request_opts *o,
                                        http_done_fn *done, void *arg, struct errbuf *err);

/* Starts an SMTP submission; as http_client_submit().  Addresses with CR,
 * LF, NUL or angle brackets inside are refused. */
struct http_request *http_client_submit_smtp(struct http_client *c, const struct http_smtp_opts *o,
                                             http_done_fn *done, void *arg, struct errbuf *err);

/* Aborts one request.  Its callback is NOT called: the caller is tearing
 * the owner down, and calling back into it would be a trap.  Whatever
 * `arg` points to stays the caller's.  A request whose callback is running
 * is left alone. */
void http_client_cancel(struct http_client *c, struct http_request *req);

/* Requests submitted and not yet completed or cancelled. */
size_t http_client_pending(const struct http_client *c);

/* Graceful stop: refuses new submissions from now on, lets in-flight ones
 * finish for up to timeout_s, then aborts the rest (their callbacks run with
 * `cancelled` set, so the pipeline can persist them as not delivered), and
 * finally calls drained(arg) -- from the loop, never from inside this call.
 * Calling it again replaces the callback and the deadline. */
void http_client_drain(struct http_client *c, double timeout_s, http_drained_fn *drained,
                       void *arg);

#endif

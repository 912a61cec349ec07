/* notify_internal.h -- what a notifier kind (notify_<kind>.c) implements
 * and may call; the pipeline uses notify.h only.
 *
 * A kind supplies a struct notifier_ops and a constructor that fills a
 * struct notifier via notifier_alloc().  For each attempt, notify.c calls
 * ops->attempt(), which renders the payload for the alerts it is given and
 * submits one request with notify_submit_http() (or _smtp); notify.c owns
 * the retry loop, the deadline, the metrics and the outcome.  Payloads are
 * rebuilt per attempt, as Alertmanager does (it re-reads url_file and
 * password files each time). */
#ifndef ROUTER_NOTIFY_INTERNAL_H
#define ROUTER_NOTIFY_INTERNAL_H

#include "http_client.h"
#include "metrics.h"
#include "notify.h"

struct notifier_ops {
    const char *name; /* integration name: metrics label, nflog key, logs */
    /* Builds and submits one attempt for `alerts` (the request's alerts
     * after the send_resolved filter, in order).  Returns 0 when a request
     * was submitted (its result arrives through notify.c), or -1 with
     * res->msg and res->retryable set when the attempt failed before
     * sending (unreadable url_file: permanent, as Alertmanager). */
    int (*attempt)(struct notifier *n, struct notify_op *op, const struct notify_req *req,
                   struct alert *const *alerts, size_t n_alerts, struct notify_result *res);
    /* Judges a completed request; NULL: notify_result_from_http().  (Slack
     * checks the body of a 200, for instance.) */
    void (*check)(struct notifier *n, const struct http_result *hr, struct notify_result *res);
    void (*free)(struct notifier *n); /* frees priv; NULL: nothing to free */
};

struct notifier {
    const struct notifier_ops *ops;
    char *receiver;
    unsigned idx;
    bool send_resolved;
    const struct metrics_integration *m;
    struct notify_env env;
    void *priv;                 /* the kind's own state (e.g. its config) */
    struct notify_op *inflight; /* doubly linked list of sends */
    size_t n_inflight;
};

/* A new notifier with the common fields set. */
struct notifier *notifier_alloc(const struct notifier_ops *ops, const char *receiver, unsigned idx,
                                bool send_resolved, const struct notify_env *env, void *priv);

/* Submits the attempt's HTTP request: the timeout is capped at what is
 * left of the send's deadline (and set to it when o->timeout_ms is 0).
 * Returns 0, or -1 with err set (bad options; a permanent failure). */
int notify_submit_http(struct notify_op *op, struct http_request_opts *o, struct errbuf *err);
int notify_submit_smtp(struct notify_op *op, struct http_smtp_opts *o, struct errbuf *err);

/* The common judgement: 2xx ok; 5xx, 429 and transport errors retryable;
 * the rest permanent.  Message as Alertmanager's: "unexpected status code
 * N: <body>" or the transport error. */
void notify_result_from_http(const struct http_result *hr, struct notify_result *res);

/* Sets res->msg, truncated to fit (messages are for humans; a cut tail
 * is better than no message). */
void notify_result_msg(struct notify_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Secrets read from *_file settings for one attempt; freed with
 * notify_http_auth_deinit(). */
struct notify_http_auth {
    char *password, *credentials;
};

/* Maps an http_config (auth, TLS, proxy, redirects) onto request options.
 * Password and credentials files are read now (trimmed), as Prometheus'
 * client re-reads them per request.  Returns -1 with err set when a file
 * cannot be read or the config asks for what we do not support (oauth2). */
int notify_http_apply(const struct notifier *n, const struct http_cfg *hc,
                      struct http_request_opts *o, struct notify_http_auth *auth,
                      struct errbuf *err);
void notify_http_auth_deinit(struct notify_http_auth *auth);

/* Reads a small secret file (url_file, password_file; relative to basedir
 * unless absolute) and trims white space around it.  Returns a new string,
 * or NULL with err set (the message names the file, never its content). */
char *notify_read_secret_file(const char *basedir, const char *path, struct errbuf *err);

#endif

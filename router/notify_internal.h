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
    void (*check)(struct notifier *n, struct notify_op *op, const struct http_result *hr,
                  struct notify_result *res);
    /* Called when a send ends for whatever reason (done, cancelled,
     * notifier_free), just before the op is freed, so a kind that holds
     * the op (a paced attempt waiting on its own timer) lets go of it.
     * NULL: the kind never holds ops. */
    void (*op_end)(struct notifier *n, struct notify_op *op);
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

/* For a kind whose attempt() returned 0 but submits later (a paced send):
 * the deferred submission failed before any request was made.  Treated as
 * attempt() returning -1 with `res` (retried if res->retryable).  Must be
 * called from a loop callback, not from inside attempt(). */
void notify_attempt_fail(struct notify_op *op, const struct notify_result *res);

/* When the send's time budget ends (ev_now() based). */
double notify_op_deadline(const struct notify_op *op);

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

/* An attempt that POSTs a JSON body (webhook, msteams): the URL is `url`,
 * or when that is NULL the content of url_file, re-read now (a failure is
 * permanent and reported as "read <url_file_setting>: ..."); hc applied;
 * timeout_ms 0 means the send's deadline.  Takes body (always emptied).
 * Returns as ops->attempt(). */
int notify_http_post_json(struct notifier *n, struct notify_op *op, const struct http_cfg *hc,
                          const char *url, const char *url_file, const char *url_file_setting,
                          long timeout_ms, struct buf *body, struct notify_result *res);

/* The http_client TLS version for a tls_config min_version ("TLS12"...);
 * NULL or unknown: the library's default. */
enum http_tls_version notify_tls_version(const char *v);

/* Reads a small secret file (url_file, password_file; relative to basedir
 * unless absolute) and trims white space around it.  Returns a new string,
 * or NULL with err set (the message names the file, never its content). */
char *notify_read_secret_file(const char *basedir, const char *path, struct errbuf *err);

/* ---- pieces of the kinds, with their own tests ------------------------------ */

struct tmpl_set;

/* Slack (notify_slack.c).  Alertmanager cuts the title at 1024 runes; we
 * also cut text and pretext, which Alertmanager sends whole and Slack then
 * rejects or truncates (receivers.md 1.4). */
#define SLACK_TITLE_MAX_RUNES 1024
#define SLACK_TEXT_MAX_RUNES 8000

/* Appends s with Slack's three control characters escaped: & &amp;,
 * < &lt;, > &gt; (nothing else is entity-encoded). */
void notify_slack_escape(struct buf *out, const char *s);
/* Cuts b to at most max runes, the last being "…", as Alertmanager's
 * notify.Truncate; never inside a UTF-8 sequence nor inside an &entity;.
 * Returns whether it cut. */
bool notify_slack_truncate(struct buf *b, size_t max_runes);
/* Renders the body for `alerts` (Go's JSON, trailing newline, keys in
 * Alertmanager 0.25's order) and the rendered channel (a new string, "" if
 * none) for pacing.  safe=true is what we send: label and annotation
 * values (and generator URLs) are &<>-escaped in the data the text fields
 * (title, text, pretext, fallback, footer, fields, action texts) are
 * rendered with, and text/pretext are cut at SLACK_TEXT_MAX_RUNES.
 * safe=false renders Alertmanager 0.25's body exactly.  Template errors
 * become the field's text (notify_tmpl_field); returns how many. */
int notify_slack_payload(const struct slack_cfg *cfg, const struct tmpl_set *tmpl,
                         const struct notify_req *req, struct alert *const *alerts, size_t n,
                         bool safe, struct buf *out, char **channel);
/* Judges a Slack answer: non-2xx as notify_result_from_http (429 and 5xx
 * retryable); a 2xx JSON body must say "ok":true -- ok:false is a failure,
 * retryable for ratelimited/internal_error/fatal_error/
 * service_unavailable/request_timeout, permanent otherwise (invalid_auth,
 * channel_not_found...); an unparsable JSON body is retryable; a non-JSON
 * body must be "ok" (incoming webhooks), else a permanent failure. */
void notify_slack_judge(const struct http_result *hr, struct notify_result *res);

/* Microsoft Teams (notify_teams.c).  Workflows reject envelopes over
 * 28 KB; we keep ours under TEAMS_CARD_MAX_BYTES by dropping alerts from
 * the end of the card, with a visible "… and N more alerts". */
#define TEAMS_CARD_MAX_BYTES (24 * 1024)

/* The msteamsv2 (Workflows) envelope with an Adaptive Card 1.4: title in
 * the status colour, the config's text when it is not the default, each
 * alert as a Container with its labels and annotations as a FactSet and a
 * link to its source, a link to the alert list.  Returns the number of
 * template errors; *dropped: alerts left out for size. */
int notify_msteamsv2_payload(const struct msteams_cfg *cfg, const struct tmpl_set *tmpl,
                             const struct notify_req *req, struct alert *const *alerts, size_t n,
                             size_t max_bytes, struct buf *out, size_t *dropped);
/* The legacy connector MessageCard, as Alertmanager 0.26 sends it (plus
 * the "@type" the MessageCard format asks for). */
int notify_msteams_payload(const struct msteams_cfg *cfg, const struct tmpl_set *tmpl,
                           const struct notify_req *req, struct alert *const *alerts, size_t n,
                           struct buf *out);

#endif

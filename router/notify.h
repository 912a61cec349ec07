/* notify.h -- notifiers, and one send with Alertmanager's retries.
 *
 * Where this sits: dispatch flushes a group -> the pipeline (inhibit, time
 * intervals, silences) -> for each integration of the receiver: dedup
 * against the nflog -> notify_send() here -> the pipeline records what was
 * sent in the nflog when the send reports ok.
 *
 * A notifier is one integration of one receiver ("webhook[0]" of receiver
 * "team-a"), built from that receiver's config entry.  Each kind (webhook
 * now; slack, msteams, msteamsv2, email) is a table of operations in its own
 * file, notify_<kind>.c (notify_internal.h says how to write one).
 *
 * A send (struct notify_op) is Alertmanager's RetryStage on the loop: the
 * first attempt at once; on a retryable failure (transport error, HTTP 5xx,
 * and -- beyond Alertmanager 0.25, unless notify_env.retry_rate_limited is
 * off (--notify.retry-rate-limited=false) -- 429, waiting at least its
 * Retry-After)
 * another attempt after an exponential backoff (0.5 s, x1.5, +-50 % jitter,
 * at most 60 s between attempts, measured from the start of the previous
 * attempt: cenkalti/backoff v4's defaults, as 0.25 uses them), until the
 * request's time budget (the flush deadline, max(group_interval, 10s)) runs
 * out; every HTTP request is cut at that deadline too.  When the next
 * attempt could not start before the deadline the send ends at once
 * (Alertmanager sleeps until the deadline first; the outcome is the same).  A permanent failure
 * (other 4xx, a config problem such as an unreadable url_file) ends the send
 * after that attempt.  Metrics are Alertmanager's: notifications_total per
 * send, notification_requests_total / _failed_total and the latency
 * histogram per attempt, notifications_failed_total{reason} per failed send.
 *
 * Secrets: nothing here logs or reports a URL, a password or a token.  Log
 * lines and messages name the receiver and the integration ("team-a",
 * "webhook[0]"); http_client's messages carry scheme://host:port only. */
#ifndef ROUTER_NOTIFY_H
#define ROUTER_NOTIFY_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "buf.h"
#include "config.h"
#include "http_client.h"
#include "labels.h"

struct tmpl_set;

/* What notifiers need from the process.  Borrowed: must outlive them. */
struct notify_env {
    struct ev_loop *loop;
    struct http_client *http;
    const char *basedir; /* relative *_file paths are read from here, as
                            Alertmanager resolves them against the config
                            file's directory; NULL: the working directory */
    /* The config's templates (default.tmpl + `templates:` files, see
     * notify_templates_load()); NULL: the built-in default.tmpl only. */
    const struct tmpl_set *tmpl;
    bool retry_rate_limited; /* retry HTTP 429 after its Retry-After (not
                                Alertmanager 0.25: it gives up at once) */
};

/* ---- the request: an immutable snapshot of one flush -------------------- */

/* Everything one notification says, fixed at the flush instant `now`, so
 * that retries (and the other integrations of the receiver, which share
 * it) send the same thing even while the group moves on.  Refcounted:
 * each send holds a reference. */
struct notify_req {
    uint32_t refs;
    char *receiver;             /* receiver name, as configured */
    char *group_key;            /* dispatch's group key, byte-exact */
    struct labels group_labels; /* sorted; strings owned by the request */
    int64_t now;                /* flush instant (ns): ends_at <= now is resolved */
    size_t n_alerts;
    struct alert **alerts; /* one reference each, in the dispatcher's order */
    char *external_url;    /* --web.external-url, no trailing slash */
    uint64_t truncated;    /* alerts left out upstream; added to truncatedAlerts */
    double timeout_s;      /* budget for all attempts, from notify_send() */
};

struct notify_req_args {
    const char *receiver, *group_key, *external_url;
    const struct labels *group_labels; /* NULL: none; need not be sorted */
    struct alert *const *alerts;       /* each gets a new reference */
    size_t n_alerts;
    int64_t now;
    uint64_t truncated;
    double timeout_s; /* <= 0: 10 s */
};

/* Returns a new request (refs = 1) holding copies of the strings and a
 * reference to every alert; release with notify_req_unref(). */
struct notify_req *notify_req_new(const struct notify_req_args *a);
struct notify_req *notify_req_ref(struct notify_req *r);
void notify_req_unref(struct notify_req *r); /* accepts NULL */
/* Whether alerts[i] is resolved as of the flush instant. */
bool notify_req_resolved(const struct notify_req *r, size_t i);
/* How many of the alerts are firing as of the flush instant. */
size_t notify_req_firing(const struct notify_req *r);

/* ---- notifiers ----------------------------------------------------------- */

struct notifier;
struct notify_op;

/* How a send ended.  A failure at the peer is data, not an error. */
struct notify_result {
    bool ok;
    bool retryable; /* !ok: the last failure was retryable (the budget ran
                       out) rather than permanent */
    int status;     /* last HTTP status (or SMTP reply code); 0 if none */
    char msg[200];  /* !ok: Alertmanager's wording, e.g. "team-a/webhook[0]:
                       notify retry canceled after 7 attempts: unexpected
                       status code 500: ..."; "" when ok */
    unsigned attempts;
    bool cancelled; /* ended by notify shutdown/notifier_free(), not by the peer */
};

/* Called once per send, on the loop, never from inside notify_send().
 * `res` is borrowed for the call.  The callback may start new sends and
 * free other notifiers; it must not free this send's notifier. */
typedef void notify_done_fn(void *arg, struct notify_req *req, const struct notify_result *res);

/* A webhook notifier for receivers[...].webhook_configs[idx].  `cfg` and
 * `env` are borrowed and must outlive the notifier (a reload frees the old
 * notifiers, which ends their sends, before it frees the old config).
 * Returns a new notifier; free with notifier_free(). */
struct notifier *notifier_webhook_new(const struct webhook_cfg *cfg, const char *receiver,
                                      unsigned idx, const struct notify_env *env);

/* Slack (slack_configs[idx]) and Microsoft Teams: msteams_configs
 * (legacy MessageCard) and msteamsv2_configs (Workflows, Adaptive Card).
 * Same contract as notifier_webhook_new(). */
struct notifier *notifier_slack_new(const struct slack_cfg *cfg, const char *receiver, unsigned idx,
                                    const struct notify_env *env);
struct notifier *notifier_msteams_new(const struct msteams_cfg *cfg, const char *receiver,
                                      unsigned idx, const struct notify_env *env);
struct notifier *notifier_msteamsv2_new(const struct msteams_cfg *cfg, const char *receiver,
                                        unsigned idx, const struct notify_env *env);

/* Every integration of a receiver that alertrouter delivers to, as new
 * notifiers in *out (a new array; free each and the array).  Returns how
 * many.  A receiver without integrations gives 0 (a black hole). */
size_t notifiers_build(const struct receiver_cfg *rc, const struct notify_env *env,
                       struct notifier ***out);

/* Frees the notifier.  Sends still in flight end first: their requests
 * are aborted and their callbacks run (from inside this call) with
 * `cancelled` set; those callbacks must not start new sends on it.
 * Accepts NULL. */
void notifier_free(struct notifier *n);

const char *notifier_integration(const struct notifier *n); /* "webhook" */
unsigned notifier_index(const struct notifier *n);
const char *notifier_receiver(const struct notifier *n);
/* The integration's send_resolved; the pipeline's dedup needs it. */
bool notifier_send_resolved(const struct notifier *n);
size_t notifier_in_flight(const struct notifier *n);

/* Starts a send of `req` (a reference is taken) and returns it; done(arg,
 * ...) reports the outcome.  As Alertmanager's RetryStage: when the
 * notifier does not send resolved alerts, they are left out of the payload,
 * and a request with no firing alert at all succeeds without a request
 * (so the nflog still records that the group resolved). */
struct notify_op *notify_send(struct notifier *n, struct notify_req *req, notify_done_fn *done,
                              void *arg);
/* Abandons a send: the request in flight is aborted, and the callback is
 * NOT called (the caller is tearing its side down). */
void notify_cancel(struct notify_op *op);

/* ---- pieces with their own tests ------------------------------------------ */

/* Alertmanager's webhook body (version "4") for `alerts` (a subset of the
 * request's alerts, after the send_resolved filter) with max_alerts
 * truncation (0 = all), appended to out, with the trailing newline Go's
 * json.Encoder writes. */
void notify_webhook_payload(const struct notify_req *req, struct alert *const *alerts, size_t n,
                            uint64_t max_alerts, struct buf *out);

/* Go's regexp.QuoteMeta, which Alertmanager applies to the receiver name
 * in template data and webhook payloads: a backslash before each of
 * \.+*?()|[]{}^$ */
void notify_quote_meta(struct buf *out, const char *s);

/* The exponential backoff of cenkalti/backoff v4 with Alertmanager's
 * settings.  `rnd` in [0, 1) picks the jitter; returns the next wait in
 * seconds and grows the interval. */
struct notify_backoff {
    double interval_s; /* current, before jitter; start at 0.5 */
};
void notify_backoff_init(struct notify_backoff *b);
double notify_backoff_next(struct notify_backoff *b, double rnd);

#endif

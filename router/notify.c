/* notify.c -- notification requests, notifiers, and the retry loop of one
 * send (Alertmanager's RetryStage), on the libev loop.  See notify.h.
 *
 * A send is a small state machine owned by its notifier:
 *
 *   notify_send() --(ev_feed_event)--> attempt --> http_client --> on_http_done
 *        ^                                                            |
 *        +---- retryable, budget left: ev_timer(backoff) <------------+
 *                                              otherwise: finish() -> done()
 *
 * The first attempt also goes through the timer so that done() is never
 * called from inside notify_send(), whatever happens. */
#include "notify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "notify_email.h"
#include "notify_internal.h"

/* Alertmanager's flush deadline is max(group_interval, 10s); a caller that
 * does not say uses the floor. */
#define DEFAULT_TIMEOUT_S 10.0

#define BACKOFF_INITIAL_S 0.5
#define BACKOFF_MULTIPLIER 1.5
#define BACKOFF_JITTER 0.5
#define BACKOFF_MAX_S 60.0

struct notify_op {
    struct notifier *n;
    struct notify_op *prev, *next; /* n->inflight list */
    struct notify_req *req;
    notify_done_fn *done;
    void *arg;
    struct alert **sent; /* the alerts this send delivers (borrowed from req) */
    size_t n_sent;
    bool skip; /* send_resolved false and nothing firing: ok, no request */
    ev_timer timer;
    double deadline;      /* ev_now() based */
    double next_at;       /* earliest start of the next attempt */
    double attempt_start; /* ev_now() when the current attempt began */
    struct notify_backoff backoff;
    struct http_request *hreq; /* in flight, or NULL */
    unsigned attempts;
    bool have_last;
    struct notify_result last; /* the last retryable failure */
};

/* ---- requests --------------------------------------------------------------- */

struct notify_req *notify_req_new(const struct notify_req_args *a)
{
    struct notify_req *r = xcalloc(1, sizeof *r);
    r->refs = 1;
    r->receiver = xstrdup(a->receiver ? a->receiver : "");
    r->group_key = xstrdup(a->group_key ? a->group_key : "");
    r->external_url = xstrdup(a->external_url ? a->external_url : "");
    if (a->group_labels && a->group_labels->n) {
        r->group_labels.n = a->group_labels->n;
        r->group_labels.v = xcalloc(a->group_labels->n, sizeof *r->group_labels.v);
        for (size_t i = 0; i < a->group_labels->n; i++) {
            r->group_labels.v[i].name = xstrdup(a->group_labels->v[i].name);
            r->group_labels.v[i].value = xstrdup(a->group_labels->v[i].value);
        }
        labels_sort(&r->group_labels);
    }
    r->n_alerts = a->n_alerts;
    r->alerts = xcalloc(a->n_alerts ? a->n_alerts : 1, sizeof *r->alerts);
    for (size_t i = 0; i < a->n_alerts; i++)
        r->alerts[i] = alert_ref(a->alerts[i]);
    r->now = a->now;
    r->truncated = a->truncated;
    r->timeout_s = a->timeout_s > 0 ? a->timeout_s : DEFAULT_TIMEOUT_S;
    return r;
}

struct notify_req *notify_req_ref(struct notify_req *r)
{
    r->refs++;
    return r;
}

void notify_req_unref(struct notify_req *r)
{
    if (!r || --r->refs > 0)
        return;
    for (size_t i = 0; i < r->n_alerts; i++)
        alert_unref(r->alerts[i]);
    free(r->alerts);
    for (size_t i = 0; i < r->group_labels.n; i++) {
        free((char *)r->group_labels.v[i].name);
        free((char *)r->group_labels.v[i].value);
    }
    free(r->group_labels.v);
    free(r->receiver);
    free(r->group_key);
    free(r->external_url);
    free(r);
}

bool notify_req_resolved(const struct notify_req *r, size_t i)
{
    return alert_resolved(r->alerts[i], r->now);
}

size_t notify_req_firing(const struct notify_req *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_alerts; i++)
        n += !notify_req_resolved(r, i);
    return n;
}

/* ---- backoff ---------------------------------------------------------------- */

void notify_backoff_init(struct notify_backoff *b)
{
    b->interval_s = BACKOFF_INITIAL_S;
}

/* The randomised value is drawn from [i - 0.5 i, i + 0.5 i] and the
 * interval then grows by 1.5 up to the 60 s cap (cenkalti/backoff's
 * NextBackOff; its extra nanosecond in the range width is immaterial). */
double notify_backoff_next(struct notify_backoff *b, double rnd)
{
    double cur = b->interval_s;
    double lo = cur * (1 - BACKOFF_JITTER), hi = cur * (1 + BACKOFF_JITTER);
    double next = lo + rnd * (hi - lo);
    if (cur >= BACKOFF_MAX_S / BACKOFF_MULTIPLIER)
        b->interval_s = BACKOFF_MAX_S;
    else
        b->interval_s = cur * BACKOFF_MULTIPLIER;
    return next;
}

/* Jitter only needs to spread retries of many groups apart; xorshift64*
 * seeded once from the clock and pid is plenty. */
static double jitter_rand(void)
{
    static uint64_t s;
    if (s == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        s = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
        s |= 1;
    }
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return (double)((s * 2685821657736338717ULL) >> 11) / 9007199254740992.0; /* 2^53 */
}

/* ---- notifiers ------------------------------------------------------------------ */

struct notifier *notifier_alloc(const struct notifier_ops *ops, const char *receiver, unsigned idx,
                                bool send_resolved, const struct notify_env *env, void *priv)
{
    struct notifier *n = xcalloc(1, sizeof *n);
    n->ops = ops;
    n->receiver = xstrdup(receiver);
    n->idx = idx;
    n->send_resolved = send_resolved;
    n->m = metrics_integration(ops->name);
    n->env = *env;
    n->priv = priv;
    return n;
}

const char *notifier_integration(const struct notifier *n)
{
    return n->ops->name;
}

unsigned notifier_index(const struct notifier *n)
{
    return n->idx;
}

const char *notifier_receiver(const struct notifier *n)
{
    return n->receiver;
}

bool notifier_send_resolved(const struct notifier *n)
{
    return n->send_resolved;
}

size_t notifier_in_flight(const struct notifier *n)
{
    return n->n_inflight;
}

size_t notifiers_build(const struct receiver_cfg *rc, const struct notify_env *env,
                       struct notifier ***out)
{
    size_t cap = rc->n_webhook + rc->n_slack + rc->n_email + rc->n_msteams + rc->n_msteamsv2;
    struct notifier **v = xcalloc(cap ? cap : 1, sizeof *v);
    size_t k = 0;
    for (size_t i = 0; i < rc->n_webhook; i++)
        v[k++] = notifier_webhook_new(&rc->webhook[i], rc->name, (unsigned)i, env);
    for (size_t i = 0; i < rc->n_email; i++)
        v[k++] = notifier_email_new(&rc->email[i], rc->name, (unsigned)i, env);
    for (size_t i = 0; i < rc->n_slack; i++)
        v[k++] = notifier_slack_new(&rc->slack[i], rc->name, (unsigned)i, env);
    for (size_t i = 0; i < rc->n_msteams; i++)
        v[k++] = notifier_msteams_new(&rc->msteams[i], rc->name, (unsigned)i, env);
    for (size_t i = 0; i < rc->n_msteamsv2; i++)
        v[k++] = notifier_msteamsv2_new(&rc->msteamsv2[i], rc->name, (unsigned)i, env);
    *out = v;
    return k;
}

static void op_free(struct notify_op *op);
static void finish(struct notify_op *op, struct notify_result *res);

void notifier_free(struct notifier *n)
{
    if (!n)
        return;
    while (n->inflight) {
        struct notify_op *op = n->inflight;
        if (op->hreq) {
            http_client_cancel(n->env.http, op->hreq);
            op->hreq = NULL;
        }
        struct notify_result res = {.cancelled = true};
        finish(op, &res);
    }
    if (n->ops->free)
        n->ops->free(n);
    free(n->receiver);
    free(n);
}

/* ---- one send ------------------------------------------------------------------- */

static void on_timer(EV_P_ ev_timer *w, int revents);

struct notify_op *notify_send(struct notifier *n, struct notify_req *req, notify_done_fn *done,
                              void *arg)
{
    struct notify_op *op = xcalloc(1, sizeof *op);
    op->n = n;
    op->req = notify_req_ref(req);
    op->done = done;
    op->arg = arg;
    op->sent = xcalloc(req->n_alerts ? req->n_alerts : 1, sizeof *op->sent);
    size_t firing = 0;
    for (size_t i = 0; i < req->n_alerts; i++) {
        bool resolved = notify_req_resolved(req, i);
        firing += !resolved;
        if (n->send_resolved || !resolved)
            op->sent[op->n_sent++] = req->alerts[i];
    }
    op->skip = !n->send_resolved && firing == 0;
    notify_backoff_init(&op->backoff);
    double now = ev_now(n->env.loop);
    op->deadline = now + req->timeout_s;
    op->next_at = now;
    op->next = n->inflight;
    if (n->inflight)
        n->inflight->prev = op;
    n->inflight = op;
    n->n_inflight++;
    metrics_counter_inc(n->m->notifications);
    ev_timer_init(&op->timer, on_timer, 0., 0.);
    op->timer.data = op;
    /* Fed rather than started with 0 s: libev runs it right after the
     * current callback, in this loop iteration, instead of after another
     * epoll_wait; op_free's ev_timer_stop clears it if cancelled first. */
    ev_feed_event(n->env.loop, &op->timer, EV_TIMER);
    return op;
}

static void op_unlink(struct notify_op *op)
{
    struct notifier *n = op->n;
    if (op->prev)
        op->prev->next = op->next;
    else
        n->inflight = op->next;
    if (op->next)
        op->next->prev = op->prev;
    n->n_inflight--;
    op->prev = op->next = NULL;
}

static void op_free(struct notify_op *op)
{
    if (op->n->ops->op_end)
        op->n->ops->op_end(op->n, op);
    ev_timer_stop(op->n->env.loop, &op->timer);
    notify_req_unref(op->req);
    free(op->sent);
    free(op);
}

void notify_cancel(struct notify_op *op)
{
    if (!op)
        return;
    if (op->hreq)
        http_client_cancel(op->n->env.http, op->hreq);
    op_unlink(op);
    op_free(op);
}

/* Alertmanager 0.26+'s reason for a failed send: from the last error's
 * status, or the context's when no attempt produced one. */
static enum metrics_fail_reason fail_reason(const struct notify_op *op,
                                            const struct notify_result *res)
{
    const struct notify_result *r = op->have_last ? &op->last : res;
    if (r->status >= 400 && r->status < 500)
        return METRICS_FAIL_CLIENT_ERROR;
    if (r->status >= 500 && r->status < 600)
        return METRICS_FAIL_SERVER_ERROR;
    if (res->cancelled && !op->have_last)
        return METRICS_FAIL_CANCELED;
    if (r->msg[0] == '\0')
        return METRICS_FAIL_DEADLINE;
    return METRICS_FAIL_OTHER;
}

/* Ends the send: the final result in Alertmanager's words, the failure
 * metric, the callback, and the op is freed.  `res` is the outcome of the
 * last event (success, a permanent failure, cancellation or the budget
 * running out with an empty message). */
static void finish(struct notify_op *op, struct notify_result *res)
{
    struct notifier *n = op->n;
    struct notify_result out = *res;
    out.attempts = op->attempts;
    char integ[64];
    snprintf(integ, sizeof integ, "%s[%u]", n->ops->name, n->idx);
    if (!res->ok) {
        metrics_counter_inc(n->m->failed[fail_reason(op, res)]);
        const struct notify_result *why = res;
        if (res->retryable || res->cancelled) {
            /* Budget out or cancelled: report the last real error. */
            if (op->have_last)
                why = &op->last;
            out.status = why->status;
            out.retryable = !res->cancelled;
            notify_result_msg(
                &out, "%s/%s: notify retry canceled after %u attempts: %s", n->receiver, integ,
                op->attempts,
                why->msg[0] ? why->msg
                            : (res->cancelled ? "context canceled" : "context deadline exceeded"));
        } else {
            notify_result_msg(&out,
                              "%s/%s: notify retry canceled due to unrecoverable error after %u "
                              "attempts: %s",
                              n->receiver, integ, op->attempts, res->msg);
        }
    } else {
        out.msg[0] = '\0';
        if (op->attempts > 1 || log_enabled(LOG_DEBUG)) {
            char att[16];
            snprintf(att, sizeof att, "%u", op->attempts);
            if (op->attempts > 1)
                log_info("Notify success", "receiver", n->receiver, "integration", integ,
                         "attempts", att);
            else
                log_debug("Notify success", "receiver", n->receiver, "integration", integ,
                          "attempts", att);
        }
    }
    op_unlink(op);
    ev_timer_stop(n->env.loop, &op->timer);
    notify_done_fn *done = op->done;
    void *arg = op->arg;
    struct notify_req *req = notify_req_ref(op->req);
    op_free(op);
    if (done)
        done(arg, req, &out);
    notify_req_unref(req);
}

/* A retryable failure: remember it, and either schedule the next attempt
 * or, when it could not start before the deadline, end the send. */
static void retry_later(struct notify_op *op, const struct notify_result *res,
                        long long retry_after_ms)
{
    struct notifier *n = op->n;
    double now = ev_now(n->env.loop);
    /* A request cut by the deadline says nothing new about the peer:
     * Alertmanager keeps the previous error then, too. */
    bool cut = now >= op->deadline;
    if (!cut) {
        if (!op->have_last || strcmp(op->last.msg, res->msg) != 0) {
            char integ[64], att[16];
            snprintf(integ, sizeof integ, "%s[%u]", n->ops->name, n->idx);
            snprintf(att, sizeof att, "%u", op->attempts);
            log_warn("Notify attempt failed, will retry later", "receiver", n->receiver,
                     "integration", integ, "attempts", att, "err", res->msg);
        }
        op->last = *res;
        op->have_last = true;
    }
    double at = op->next_at;
    if (retry_after_ms >= 0 && op->attempt_start + retry_after_ms / 1000.0 > at)
        at = op->attempt_start + retry_after_ms / 1000.0;
    if (cut || at >= op->deadline) {
        struct notify_result end = {.retryable = true};
        finish(op, &end);
        return;
    }
    double delay = at - now;
    ev_timer_set(&op->timer, delay > 0 ? delay : 0., 0.);
    ev_timer_start(n->env.loop, &op->timer);
}

static void on_http_done(void *arg, const struct http_result *hr)
{
    struct notify_op *op = arg;
    struct notifier *n = op->n;
    op->hreq = NULL;
    metrics_histogram_observe(n->m->latency, hr->elapsed_s);
    struct notify_result res = {0};
    if (hr->cancelled) {
        res.cancelled = true;
        finish(op, &res);
        return;
    }
    if (n->ops->check)
        n->ops->check(n, op, hr, &res);
    else
        notify_result_from_http(hr, &res);
    if (res.ok) {
        finish(op, &res);
        return;
    }
    metrics_counter_inc(n->m->requests_failed);
    /* Alertmanager 0.25 gives up on a 429 like on any 4xx; we wait for the
     * peer's Retry-After unless --notify.retry-rate-limited=false asks for
     * Alertmanager's behaviour. */
    if (hr->status == 429 && !n->env.retry_rate_limited)
        res.retryable = false;
    else if (hr->status == 429)
        metrics_counter_inc(n->m->rate_limited);
    if (!res.retryable) {
        finish(op, &res);
        return;
    }
    retry_later(op, &res, hr->status == 429 ? hr->retry_after_ms : -1);
}

static void on_timer(EV_P_ ev_timer *w, int revents)
{
    struct notify_op *op = w->data;
    struct notifier *n = op->n;
    if (op->skip) {
        struct notify_result res = {.ok = true};
        finish(op, &res);
        return;
    }
    double now = ev_now(EV_A);
    if (now >= op->deadline) {
        struct notify_result res = {.retryable = true};
        finish(op, &res);
        return;
    }
    op->attempts++;
    op->attempt_start = now;
    op->next_at = now + notify_backoff_next(&op->backoff, jitter_rand());
    metrics_counter_inc(n->m->requests);
    struct notify_result res = {0};
    if (n->ops->attempt(n, op, op->req, op->sent, op->n_sent, &res) == 0)
        return; /* on_http_done continues */
    notify_attempt_fail(op, &res);
}

void notify_attempt_fail(struct notify_op *op, const struct notify_result *res)
{
    struct notify_result r = *res;
    metrics_counter_inc(op->n->m->requests_failed);
    if (!r.retryable)
        finish(op, &r);
    else
        retry_later(op, &r, -1);
}

double notify_op_deadline(const struct notify_op *op)
{
    return op->deadline;
}

/* ---- submitting an attempt ------------------------------------------------------ */

static long remaining_ms(const struct notify_op *op)
{
    double left = op->deadline - ev_now(op->n->env.loop);
    long ms = (long)ceil(left * 1000.0);
    return ms > 1 ? ms : 1;
}

int notify_submit_http(struct notify_op *op, struct http_request_opts *o, struct errbuf *err)
{
    long left = remaining_ms(op);
    if (o->timeout_ms <= 0 || o->timeout_ms > left)
        o->timeout_ms = left;
    op->hreq = http_client_submit(op->n->env.http, o, on_http_done, op, err);
    return op->hreq ? 0 : -1;
}

int notify_submit_smtp(struct notify_op *op, struct http_smtp_opts *o, struct errbuf *err)
{
    long left = remaining_ms(op);
    if (o->timeout_ms <= 0 || o->timeout_ms > left)
        o->timeout_ms = left;
    op->hreq = http_client_submit_smtp(op->n->env.http, o, on_http_done, op, err);
    return op->hreq ? 0 : -1;
}

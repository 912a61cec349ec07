/* metrics.h -- counters, gauges, histograms, and the Prometheus text format.
 *
 * Every module reports what it does here, and GET /metrics renders it.  Two
 * layers:
 *
 *   1. A registry of metric families (metrics.c).  A family has a name, a
 *      help text, a type and a fixed list of label names; its children (one
 *      per combination of label values) are created on demand and never
 *      move, so a module looks its series up once and keeps the pointer:
 *      an increment on a hot path is one add, no string work.  Rendering
 *      follows text exposition format 0.0.4 as Go's client_golang writes
 *      it: families sorted by name, label pairs sorted by name, series
 *      sorted by label values, floats in Go's shortest form (1e+06, +Inf).
 *
 *   2. The standard set (metrics_std.c): Alertmanager 0.25's own metric
 *      names, types and labels, which dashboards and alert rules depend on,
 *      plus process_* and alertrouter_* for what is new.  metrics() returns
 *      it, created on first use, so modules and their unit tests need no
 *      start-up ordering.
 *
 * Single-threaded, like everything on the loop: no atomics, no locks.
 * Every function taking a series pointer accepts NULL and does nothing, so
 * a module whose family hit its cardinality cap keeps working. */
#ifndef ROUTER_METRICS_H
#define ROUTER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM, METRIC_SUMMARY };

struct metrics_registry;
struct metric_family;
struct metric_counter;
struct metric_gauge;
/* Histograms and summaries share one series type.  A summary here has no
 * quantiles (only _sum and _count), like every summary Alertmanager
 * exports. */
struct metric_histogram;

/* A value computed at scrape time (e.g. alerts by state), so the owner
 * need not push updates. */
typedef double metrics_value_fn(void *ctx);
/* Runs at the start of every render; sets values it computes in one pass
 * (process_* reads /proc once for several series). */
typedef void metrics_collect_fn(void *ctx);

/* Most children one family may have; metrics_*_with() returns NULL past it
 * (logged once) so a label fed from input cannot grow memory without end. */
#define METRICS_MAX_SERIES 1000
/* Longest string metrics_format_float() writes, with its NUL. */
#define METRICS_FLOAT_MAX 32
/* Label values for metrics_*_with(), in the family's declared order:
 *   metrics_counter_with(f, METRICS_LV("slack", "serverError")) */
#define METRICS_LV(...) ((const char *const[]){__VA_ARGS__})

/* ---- the registry ------------------------------------------------------ */

/* Returns a new, empty registry; free with metrics_registry_free(). */
struct metrics_registry *metrics_registry_new(void);
/* Frees the registry and every family and series in it (accepts NULL);
 * all pointers obtained from it become invalid. */
void metrics_registry_free(struct metrics_registry *r);

/* Declares a family.  `labels` is a NULL-terminated list of label names,
 * or NULL for none; names and help are copied.  Declaring the same name
 * again with the same type and labels returns the existing family, so a
 * module's init may run twice.  A bad definition (invalid metric or label
 * name, reserved label `le`/`quantile`, a clash with an existing family,
 * unsorted buckets) is a programming error: it logs the name and aborts.
 * Borrowed: the family lives as long as the registry. */
struct metric_family *metrics_family(struct metrics_registry *r, enum metric_type type,
                                     const char *name, const char *help, const char *const *labels);
/* A histogram family: `buckets` are the n upper bounds, strictly
 * increasing; a final +Inf is implied (and dropped if given). */
struct metric_family *metrics_histogram_family(struct metrics_registry *r, const char *name,
                                               const char *help, const char *const *labels,
                                               const double *buckets, size_t n);

/* The child for these label values (one per label name, declared order),
 * created on first use with value 0.  Values may hold any bytes: invalid
 * UTF-8 is replaced by U+FFFD, quotes, backslashes and newlines are escaped
 * when rendered.  A string lookup: call once, keep the pointer.  Returns
 * NULL (and logs once) when the family already has METRICS_MAX_SERIES
 * children.  Aborts if the family is not of the function's type. */
struct metric_counter *metrics_counter_with(struct metric_family *f, const char *const *values);
struct metric_gauge *metrics_gauge_with(struct metric_family *f, const char *const *values);
struct metric_histogram *metrics_histogram_with(struct metric_family *f, const char *const *values);

/* Shorthands for families without labels: declare and return the one
 * series. */
struct metric_counter *metrics_counter_new(struct metrics_registry *r, const char *name,
                                           const char *help);
struct metric_gauge *metrics_gauge_new(struct metrics_registry *r, const char *name,
                                       const char *help);
struct metric_histogram *metrics_histogram_new(struct metrics_registry *r, const char *name,
                                               const char *help, const double *buckets, size_t n);
struct metric_histogram *metrics_summary_new(struct metrics_registry *r, const char *name,
                                             const char *help);

/* Adds a hook run at the start of every render of r. */
void metrics_registry_on_collect(struct metrics_registry *r, metrics_collect_fn *fn, void *ctx);

/* ---- updating series (hot paths) ---------------------------------------- */

void metrics_counter_inc(struct metric_counter *c);
/* v < 0 or NaN is ignored: a counter only goes up. */
void metrics_counter_add(struct metric_counter *c, double v);
double metrics_counter_value(const struct metric_counter *c); /* 0 for NULL */
/* The counter's value becomes fn(ctx), computed at scrape time. */
void metrics_counter_set_fn(struct metric_counter *c, metrics_value_fn *fn, void *ctx);

void metrics_gauge_set(struct metric_gauge *g, double v);
void metrics_gauge_add(struct metric_gauge *g, double v);
void metrics_gauge_inc(struct metric_gauge *g);
void metrics_gauge_dec(struct metric_gauge *g);
double metrics_gauge_value(const struct metric_gauge *g); /* 0 for NULL */
void metrics_gauge_set_fn(struct metric_gauge *g, metrics_value_fn *fn, void *ctx);

/* Counts v into the first bucket whose bound is >= v (+Inf for NaN), adds
 * it to _sum and one to _count. */
void metrics_histogram_observe(struct metric_histogram *h, double v);
uint64_t metrics_histogram_count(const struct metric_histogram *h);
double metrics_histogram_sum(const struct metric_histogram *h);

/* ---- rendering ---------------------------------------------------------- */

/* Appends r in text format 0.0.4 (Content-Type
 * "text/plain; version=0.0.4; charset=utf-8").  Families without children
 * are left out, as Go does.  Returns -1 if out's cap was reached (out then
 * holds a truncated text), else 0. */
int metrics_registry_render(struct metrics_registry *r, struct buf *out);

/* Formats v as Go's strconv.FormatFloat(v, 'g', -1, 64) with the text
 * format's spellings: NaN, +Inf, -Inf; "0" for -0. */
void metrics_format_float(double v, char out[METRICS_FLOAT_MAX]);

/* ---- the standard set (metrics_std.c) ----------------------------------- */

/* Why a notification failed, Alertmanager 0.26+'s `reason` label. */
enum metrics_fail_reason {
    METRICS_FAIL_OTHER,        /* "other": connection errors and the rest */
    METRICS_FAIL_CLIENT_ERROR, /* "clientError": HTTP 4xx */
    METRICS_FAIL_SERVER_ERROR, /* "serverError": HTTP 5xx */
    METRICS_FAIL_CANCELED,     /* "contextCanceled": shut down mid-send */
    METRICS_FAIL_DEADLINE,     /* "contextDeadlineExceeded": timed out */
    METRICS_FAIL_N
};

/* The series of one integration ("slack", "email", "webhook", "msteams",
 * "msteamsv2"), from metrics_integration(). */
struct metrics_integration {
    struct metric_counter *notifications;          /* alertmanager_notifications_total */
    struct metric_counter *failed[METRICS_FAIL_N]; /* ..._notifications_failed_total */
    struct metric_counter *requests;               /* ..._notification_requests_total */
    struct metric_counter *requests_failed;        /* ..._notification_requests_failed_total */
    struct metric_histogram *latency;              /* ..._notification_latency_seconds */
    struct metric_counter *rate_limited;           /* alertrouter_notification_rate_limited_total */
};

/* The maintenance series Alertmanager keeps for both the silences and the
 * notification log (alertmanager_silences_* / alertmanager_nflog_*). */
struct metrics_store_maint {
    struct metric_counter *queries;             /* _queries_total */
    struct metric_counter *query_errors;        /* _query_errors_total */
    struct metric_histogram *query_duration;    /* _query_duration_seconds */
    struct metric_histogram *gc_duration;       /* _gc_duration_seconds (summary) */
    struct metric_histogram *snapshot_duration; /* _snapshot_duration_seconds (summary) */
    struct metric_gauge *snapshot_size;         /* _snapshot_size_bytes */
    struct metric_counter *gossip_propagated;   /* _gossip_messages_propagated_total */
};

/* The series and families of the standard set.  Borrowed pointers, valid
 * for the life of the process. */
struct router_metrics {
    struct metrics_registry *reg;

    /* alertmanager_alerts{state}: set them, or give each a _set_fn. */
    struct metric_gauge *alerts_active, *alerts_suppressed, *alerts_unprocessed;
    /* alertmanager_marked_alerts{state} (0.25-0.32) */
    struct metric_gauge *marked_active, *marked_suppressed, *marked_unprocessed;
    /* alertmanager_alerts_received_total{status,version} */
    struct metric_counter *alerts_received_firing_v2, *alerts_received_resolved_v2;
    struct metric_counter *alerts_received_firing_v1, *alerts_received_resolved_v1;
    /* alertmanager_alerts_invalid_total{version} */
    struct metric_counter *alerts_invalid_v2, *alerts_invalid_v1;

    /* alertmanager_silences{state} and the silence store's maintenance */
    struct metric_gauge *silences_active, *silences_expired, *silences_pending;
    struct metrics_store_maint silences_maint;
    struct metrics_store_maint nflog;

    /* dispatcher */
    struct metric_gauge *aggregation_groups;   /* ..._dispatcher_aggregation_groups */
    struct metric_histogram *alert_processing; /* ..._alert_processing_duration_seconds */

    /* configuration */
    struct metric_gauge *config_hash;
    struct metric_gauge *config_last_reload_successful;
    struct metric_gauge *config_last_reload_success_ts;
    struct metric_gauge *receivers, *integrations;
    struct metric_gauge *config_placeholders; /* alertrouter_config_placeholders */

    /* HTTP server: children per (handler, method) from metrics_http(). */
    struct metric_family *http_request_duration; /* {handler,method} histogram */
    struct metric_family *http_response_size;    /* {handler,method} histogram */
    struct metric_family *http_in_flight;        /* {method} gauge */
    struct metric_family *http_limit_exceeded;   /* {method} counter */
    struct metric_counter *http_header_timeouts; /* alertrouter_http_header_timeouts_total */

    /* alertrouter_alerts_snapshot_*: the persisted active alerts */
    struct metric_histogram *alerts_snapshot_duration;
    struct metric_gauge *alerts_snapshot_size;
};

/* The standard set in the process-wide registry, created on first call
 * (with build_info, cluster_enabled 0, process_* and the pre-initialised
 * integrations).  Never NULL. */
struct router_metrics *metrics(void);

/* The series of `integration`, created on first use (email, msteams,
 * msteamsv2, slack and webhook exist from the start, as Alertmanager
 * pre-initialises its integrations so rate() sees a zero first).  Call
 * once per notifier and keep the pointer.  Borrowed, never NULL; members
 * are NULL only past the cardinality cap. */
const struct metrics_integration *metrics_integration(const char *integration);

/* Histograms for one API route: `handler` is the route pattern as
 * Alertmanager names it ("/api/v2/alerts", "/-/ready"), never a raw URL
 * (cardinality); `method` lower case ("get").  Look up once per route. */
struct metric_histogram *metrics_http_duration(const char *handler, const char *method);
struct metric_histogram *metrics_http_size(const char *handler, const char *method);

/* Renders the process-wide registry into out (see
 * metrics_registry_render). */
int metrics_render(struct buf *out);

#endif

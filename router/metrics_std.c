/* metrics_std.c -- the standard metric set: Alertmanager's names, process_*,
 * alertrouter_*.
 *
 * Users switch from Alertmanager without touching their dashboards and
 * alert rules (the alertmanager-mixin and many hand-written ones), so the
 * names, types, label names, help texts and histogram buckets below are
 * those Alertmanager 0.25 exposes (reference/alertmanager.md section 7,
 * checked against a live 0.25 scrape).  Two deliberate differences:
 * notifications_failed_total carries 0.26's `reason` label (sum by
 * integration is unchanged), and the pre-initialised integrations are the
 * ones alertrouter has.  What Alertmanager never had is named alertrouter_*.
 *
 * All families are declared in one place, metrics_std_init(), so the set a
 * scrape shows is readable in one screen; modules keep the series pointers
 * from struct router_metrics and update them. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mem.h"
#include "metrics.h"

#ifndef AR_VERSION
#define AR_VERSION "unknown"
#endif
#ifndef AR_REVISION
#define AR_REVISION "unknown"
#endif
#ifndef AR_BRANCH
#define AR_BRANCH "unknown"
#endif

/* build_info keeps Alertmanager's label names so queries grouping by them
 * still work; "goversion" honestly names the C compiler. */
#if defined(__clang__)
#define AR_COMPILER "clang " __clang_version__
#else
#define AR_COMPILER "gcc " __VERSION__
#endif
#if defined(__x86_64__)
#define AR_ARCH "amd64"
#elif defined(__aarch64__)
#define AR_ARCH "arm64"
#elif defined(__i386__)
#define AR_ARCH "386"
#elif defined(__arm__)
#define AR_ARCH "arm"
#else
#define AR_ARCH "unknown"
#endif

/* Alertmanager 0.25's buckets. */
static const double http_duration_buckets[] = {.05, .1, .25, .5, .75, 1, 2, 5, 20, 60};
static const double http_size_buckets[] = {100, 1000, 10000, 100000, 1e6, 1e7, 1e8};
static const double latency_buckets[] = {1, 5, 10, 15, 20};
/* client_golang's DefBuckets, which nflog and silences use. */
static const double default_buckets[] = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
#define NBUCKETS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const fail_reasons[METRICS_FAIL_N] = {
    "other", "clientError", "serverError", "contextCanceled", "contextDeadlineExceeded",
};

/* The integrations alertrouter implements, created at start so rate()
 * over their counters has a zero to start from. */
static const char *const builtin_integrations[] = {
    "email", "msteams", "msteamsv2", "slack", "webhook",
};

static const char *const L_INTEGRATION[] = {"integration", NULL};
static const char *const L_HANDLER_METHOD[] = {"handler", "method", NULL};
static const char *const L_METHOD[] = {"method", NULL};
static const char *const L_STATE[] = {"state", NULL};
static const char *const L_VERSION[] = {"version", NULL};

struct integration_entry {
    char *name;
    struct metrics_integration m;
};

static struct {
    bool ready;
    struct router_metrics m;
    struct metric_family *notifications, *failed, *requests, *requests_failed, *latency,
        *rate_limited;
    struct integration_entry **integ;
    size_t ninteg, capinteg;
    /* process_* */
    struct metric_counter *cpu;
    struct metric_gauge *rss, *vsize, *open_fds, *max_fds, *start_time, *vmax;
    long clk_tck, page_size;
} S;

/* ---- process_* from /proc/self -------------------------------------------- */

/* Reads a small /proc file whole.  procfs reads do not block on I/O, so
 * this is safe on the loop.  Returns bytes read or -1. */
static ssize_t read_small(const char *path, char *dst, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, dst, cap - 1);
    close(fd);
    if (n < 0)
        return -1;
    dst[n] = '\0';
    return n;
}

/* Fields 14 (utime), 15 (stime), 22 (starttime), 23 (vsize), 24 (rss) of
 * /proc/self/stat.  The command name (field 2) may hold spaces and
 * parentheses, so counting starts after the last ')'. */
static int read_stat(unsigned long long f[25])
{
    char b[1024];
    if (read_small("/proc/self/stat", b, sizeof b) < 0)
        return -1;
    char *p = strrchr(b, ')');
    if (!p)
        return -1;
    p++;
    memset(f, 0, 25 * sizeof(f[0]));
    /* field 3 is the state letter; numbers start at field 4 */
    while (*p == ' ')
        p++;
    if (*p)
        p++;
    for (int i = 4; i <= 24; i++) {
        char *end;
        f[i] = strtoull(p, &end, 10);
        if (end == p)
            return -1;
        p = end;
    }
    return 0;
}

static double boot_time(void)
{
    char b[8192];
    if (read_small("/proc/stat", b, sizeof b) < 0)
        return 0;
    char *p = strstr(b, "\nbtime ");
    return p ? strtod(p + 7, NULL) : 0;
}

static void collect_process(void *ctx)
{
    (void)ctx;
    unsigned long long f[25];
    if (read_stat(f) == 0) {
        double cpu = (double)(f[14] + f[15]) / (double)S.clk_tck;
        /* The counter is ours alone: move it to the kernel's figure. */
        metrics_counter_add(S.cpu, cpu - metrics_counter_value(S.cpu));
        metrics_gauge_set(S.vsize, (double)f[23]);
        metrics_gauge_set(S.rss, (double)f[24] * (double)S.page_size);
    }
    /* Counts the directory's own descriptor too, as Go's procfs does. */
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        double n = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.')
                n++;
        closedir(d);
        metrics_gauge_set(S.open_fds, n);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        metrics_gauge_set(S.max_fds, (double)rl.rlim_cur);
    if (getrlimit(RLIMIT_AS, &rl) == 0)
        metrics_gauge_set(S.vmax, (double)rl.rlim_cur); /* unlimited: 2^64-1 */
}

static void process_init(struct metrics_registry *r)
{
    S.clk_tck = sysconf(_SC_CLK_TCK);
    if (S.clk_tck <= 0)
        S.clk_tck = 100;
    S.page_size = sysconf(_SC_PAGESIZE);
    if (S.page_size <= 0)
        S.page_size = 4096;
    S.cpu = metrics_counter_new(r, "process_cpu_seconds_total",
                                "Total user and system CPU time spent in seconds.");
    S.rss = metrics_gauge_new(r, "process_resident_memory_bytes", "Resident memory size in bytes.");
    S.vsize = metrics_gauge_new(r, "process_virtual_memory_bytes", "Virtual memory size in bytes.");
    S.vmax = metrics_gauge_new(r, "process_virtual_memory_max_bytes",
                               "Maximum amount of virtual memory available in bytes.");
    S.open_fds = metrics_gauge_new(r, "process_open_fds", "Number of open file descriptors.");
    S.max_fds = metrics_gauge_new(r, "process_max_fds", "Maximum number of open file descriptors.");
    S.start_time = metrics_gauge_new(r, "process_start_time_seconds",
                                     "Start time of the process since unix epoch in seconds.");
    unsigned long long f[25];
    if (read_stat(f) == 0)
        metrics_gauge_set(S.start_time, boot_time() + (double)f[22] / (double)S.clk_tck);
    metrics_registry_on_collect(r, collect_process, NULL);
}

/* ---- the standard set ----------------------------------------------------- */

static void maint_init(struct metrics_registry *r, struct metrics_store_maint *m,
                       const char *prefix, const char *what, bool nflog)
{
    char name[128], help[256];
#define NAME(sfx) (snprintf(name, sizeof name, "alertmanager_%s_%s", prefix, sfx), name)
    /* Alertmanager's help texts differ in wording between the two stores. */
    snprintf(help, sizeof help,
             nflog ? "Number of %s queries were received." : "How many %s queries were received.",
             what);
    m->queries = metrics_counter_new(r, NAME("queries_total"), help);
    snprintf(help, sizeof help,
             nflog ? "Number %s received queries that failed."
                   : "How many %s received queries did not succeed.",
             what);
    m->query_errors = metrics_counter_new(r, NAME("query_errors_total"), help);
    snprintf(help, sizeof help, "Duration of %s query evaluation.", what);
    m->query_duration = metrics_histogram_new(r, NAME("query_duration_seconds"), help,
                                              default_buckets, NBUCKETS(default_buckets));
    snprintf(help, sizeof help, "Duration of the last %s garbage collection cycle.", what);
    m->gc_duration = metrics_summary_new(r, NAME("gc_duration_seconds"), help);
    snprintf(help, sizeof help, "Duration of the last %s snapshot.", what);
    m->snapshot_duration = metrics_summary_new(r, NAME("snapshot_duration_seconds"), help);
    snprintf(help, sizeof help, "Size of the last %s snapshot in bytes.", what);
    m->snapshot_size = metrics_gauge_new(r, NAME("snapshot_size_bytes"), help);
    m->gossip_propagated =
        metrics_counter_new(r, NAME("gossip_messages_propagated_total"),
                            "Number of received gossip messages that have been further gossiped.");
#undef NAME
}

static void alerts_init(struct metrics_registry *r, struct router_metrics *m)
{
    struct metric_family *f;
    f = metrics_family(r, METRIC_GAUGE, "alertmanager_alerts", "How many alerts by state.",
                       L_STATE);
    m->alerts_active = metrics_gauge_with(f, METRICS_LV("active"));
    m->alerts_suppressed = metrics_gauge_with(f, METRICS_LV("suppressed"));
    m->alerts_unprocessed = metrics_gauge_with(f, METRICS_LV("unprocessed"));
    f = metrics_family(r, METRIC_GAUGE, "alertmanager_marked_alerts",
                       "How many alerts by state are currently marked in the Alertmanager "
                       "regardless of their expiry.",
                       L_STATE);
    m->marked_active = metrics_gauge_with(f, METRICS_LV("active"));
    m->marked_suppressed = metrics_gauge_with(f, METRICS_LV("suppressed"));
    m->marked_unprocessed = metrics_gauge_with(f, METRICS_LV("unprocessed"));
    f = metrics_family(r, METRIC_COUNTER, "alertmanager_alerts_received_total",
                       "The total number of received alerts.",
                       (const char *const[]){"status", "version", NULL});
    m->alerts_received_firing_v1 = metrics_counter_with(f, METRICS_LV("firing", "v1"));
    m->alerts_received_firing_v2 = metrics_counter_with(f, METRICS_LV("firing", "v2"));
    m->alerts_received_resolved_v1 = metrics_counter_with(f, METRICS_LV("resolved", "v1"));
    m->alerts_received_resolved_v2 = metrics_counter_with(f, METRICS_LV("resolved", "v2"));
    f = metrics_family(r, METRIC_COUNTER, "alertmanager_alerts_invalid_total",
                       "The total number of received alerts that were invalid.", L_VERSION);
    m->alerts_invalid_v1 = metrics_counter_with(f, METRICS_LV("v1"));
    m->alerts_invalid_v2 = metrics_counter_with(f, METRICS_LV("v2"));
    m->alerts_snapshot_duration =
        metrics_summary_new(r, "alertrouter_alerts_snapshot_duration_seconds",
                            "Duration of the last snapshot of the active alerts.");
    m->alerts_snapshot_size =
        metrics_gauge_new(r, "alertrouter_alerts_snapshot_size_bytes",
                          "Size of the last active alerts snapshot in bytes.");
}

static void silences_dispatch_init(struct metrics_registry *r, struct router_metrics *m)
{
    struct metric_family *f = metrics_family(r, METRIC_GAUGE, "alertmanager_silences",
                                             "How many silences by state.", L_STATE);
    m->silences_active = metrics_gauge_with(f, METRICS_LV("active"));
    m->silences_expired = metrics_gauge_with(f, METRICS_LV("expired"));
    m->silences_pending = metrics_gauge_with(f, METRICS_LV("pending"));
    maint_init(r, &m->silences_maint, "silences", "silence", false);
    maint_init(r, &m->nflog, "nflog", "notification log", true);
    m->aggregation_groups = metrics_gauge_new(r, "alertmanager_dispatcher_aggregation_groups",
                                              "Number of active aggregation groups");
    m->alert_processing =
        metrics_summary_new(r, "alertmanager_dispatcher_alert_processing_duration_seconds",
                            "Summary of latencies for the processing of alerts.");
}

static void config_http_init(struct metrics_registry *r, struct router_metrics *m)
{
    m->config_hash = metrics_gauge_new(r, "alertmanager_config_hash",
                                       "Hash of the currently loaded alertmanager configuration.");
    m->config_last_reload_successful =
        metrics_gauge_new(r, "alertmanager_config_last_reload_successful",
                          "Whether the last configuration reload attempt was successful.");
    m->config_last_reload_success_ts =
        metrics_gauge_new(r, "alertmanager_config_last_reload_success_timestamp_seconds",
                          "Timestamp of the last successful configuration reload.");
    m->receivers =
        metrics_gauge_new(r, "alertmanager_receivers", "Number of configured receivers.");
    m->integrations =
        metrics_gauge_new(r, "alertmanager_integrations", "Number of configured integrations.");
    m->config_placeholders = metrics_gauge_new(
        r, "alertrouter_config_placeholders",
        "Number of ${VAR:-placeholder} defaults in effect in the rendered configuration.");
    metrics_gauge_set(metrics_gauge_new(r, "alertmanager_cluster_enabled",
                                        "Indicates whether the clustering is enabled or not."),
                      0);
    struct metric_family *f = metrics_family(
        r, METRIC_GAUGE, "alertmanager_build_info",
        "A metric with a constant '1' value labeled by version, revision, branch, goversion "
        "from which alertmanager was built, and the goos and goarch for the build.",
        (const char *const[]){"version", "revision", "branch", "goversion", "goos", "goarch",
                              NULL});
    metrics_gauge_set(metrics_gauge_with(f, METRICS_LV(AR_VERSION, AR_REVISION, AR_BRANCH,
                                                       AR_COMPILER, "linux", AR_ARCH)),
                      1);

    m->http_request_duration =
        metrics_histogram_family(r, "alertmanager_http_request_duration_seconds",
                                 "Histogram of latencies for HTTP requests.", L_HANDLER_METHOD,
                                 http_duration_buckets, NBUCKETS(http_duration_buckets));
    m->http_response_size = metrics_histogram_family(
        r, "alertmanager_http_response_size_bytes", "Histogram of response size for HTTP requests.",
        L_HANDLER_METHOD, http_size_buckets, NBUCKETS(http_size_buckets));
    m->http_in_flight =
        metrics_family(r, METRIC_GAUGE, "alertmanager_http_requests_in_flight",
                       "Current number of HTTP requests being processed.", L_METHOD);
    metrics_gauge_with(m->http_in_flight, METRICS_LV("get"));
    m->http_limit_exceeded = metrics_family(
        r, METRIC_COUNTER, "alertmanager_http_concurrency_limit_exceeded_total",
        "Total number of times an HTTP request failed because the concurrency limit was "
        "reached.",
        L_METHOD);
    metrics_counter_with(m->http_limit_exceeded, METRICS_LV("get"));
    m->http_header_timeouts = metrics_counter_new(
        r, "alertrouter_http_header_timeouts_total",
        "Connections closed because their request headers were not complete in time.");
}

static void notify_init(struct metrics_registry *r)
{
    S.notifications = metrics_family(r, METRIC_COUNTER, "alertmanager_notifications_total",
                                     "The total number of attempted notifications.", L_INTEGRATION);
    S.failed = metrics_family(r, METRIC_COUNTER, "alertmanager_notifications_failed_total",
                              "The total number of failed notifications.",
                              (const char *const[]){"integration", "reason", NULL});
    S.requests =
        metrics_family(r, METRIC_COUNTER, "alertmanager_notification_requests_total",
                       "The total number of attempted notification requests.", L_INTEGRATION);
    S.requests_failed =
        metrics_family(r, METRIC_COUNTER, "alertmanager_notification_requests_failed_total",
                       "The total number of failed notification requests.", L_INTEGRATION);
    S.latency = metrics_histogram_family(r, "alertmanager_notification_latency_seconds",
                                         "The latency of notifications in seconds.", L_INTEGRATION,
                                         latency_buckets, NBUCKETS(latency_buckets));
    S.rate_limited = metrics_family(
        r, METRIC_COUNTER, "alertrouter_notification_rate_limited_total",
        "Notification requests answered with a rate limit (HTTP 429 or equivalent) and "
        "deferred as the peer asked.",
        L_INTEGRATION);
}

static void metrics_std_init(void)
{
    struct metrics_registry *r = metrics_registry_new();
    S.m.reg = r;
    alerts_init(r, &S.m);
    silences_dispatch_init(r, &S.m);
    config_http_init(r, &S.m);
    notify_init(r);
    process_init(r);
    S.ready = true;
    for (size_t i = 0; i < NBUCKETS(builtin_integrations); i++)
        metrics_integration(builtin_integrations[i]);
}

struct router_metrics *metrics(void)
{
    if (!S.ready)
        metrics_std_init();
    return &S.m;
}

const struct metrics_integration *metrics_integration(const char *integration)
{
    metrics();
    for (size_t i = 0; i < S.ninteg; i++)
        if (strcmp(S.integ[i]->name, integration) == 0)
            return &S.integ[i]->m;
    /* Names come from the config, but a bound costs nothing. */
    static const struct metrics_integration none;
    if (S.ninteg >= METRICS_MAX_SERIES)
        return &none;
    struct integration_entry *e = xcalloc(1, sizeof(*e));
    e->name = xstrdup(integration);
    const char *const *v = METRICS_LV(integration);
    e->m.notifications = metrics_counter_with(S.notifications, v);
    for (int k = 0; k < METRICS_FAIL_N; k++)
        e->m.failed[k] = metrics_counter_with(S.failed, METRICS_LV(integration, fail_reasons[k]));
    e->m.requests = metrics_counter_with(S.requests, v);
    e->m.requests_failed = metrics_counter_with(S.requests_failed, v);
    e->m.latency = metrics_histogram_with(S.latency, v);
    e->m.rate_limited = metrics_counter_with(S.rate_limited, v);
    S.integ = xgrow(S.integ, &S.capinteg, S.ninteg + 1, sizeof(*S.integ));
    S.integ[S.ninteg++] = e;
    return &e->m;
}

struct metric_histogram *metrics_http_duration(const char *handler, const char *method)
{
    return metrics_histogram_with(metrics()->http_request_duration, METRICS_LV(handler, method));
}

struct metric_histogram *metrics_http_size(const char *handler, const char *method)
{
    return metrics_histogram_with(metrics()->http_response_size, METRICS_LV(handler, method));
}

int metrics_render(struct buf *out)
{
    return metrics_registry_render(metrics()->reg, out);
}

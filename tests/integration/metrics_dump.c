/* metrics_dump.c -- writes the router's full standard metric set, with some
 * activity in it, as GET /metrics will serve it; t_metrics_format.sh feeds
 * the text to `promtool check metrics` and compares it with a live
 * Alertmanager's.  Built by `make integration` beside the router binary.
 *
 * The activity covers what the format can get wrong: every metric type
 * with observations, label values needing escapes and invalid UTF-8,
 * values in exponent form, NaN. */
#include <math.h>
#include <stdio.h>

#include "metrics.h"

int main(int argc, char **argv)
{
    struct router_metrics *m = metrics();
    const struct metrics_integration *slack = metrics_integration("slack");
    const struct metrics_integration *email = metrics_integration("email");

    for (int i = 0; i < 1234567; i += 1000)
        metrics_counter_inc(m->alerts_received_firing_v2);
    metrics_counter_add(m->alerts_received_resolved_v2, 2e6);
    metrics_counter_inc(m->alerts_invalid_v1);
    metrics_gauge_set(m->alerts_active, 42);
    metrics_gauge_set(m->silences_active, 3);
    metrics_gauge_set(m->aggregation_groups, 7);
    metrics_gauge_set(m->config_hash, 17996757767074.0);
    metrics_gauge_set(m->config_last_reload_successful, 1);
    metrics_gauge_set(m->config_last_reload_success_ts, 1795718146.2045135);
    metrics_histogram_observe(m->alert_processing, 0.000031977);
    metrics_histogram_observe(m->alert_processing, NAN);
    metrics_histogram_observe(m->nflog.query_duration, 0.002);
    metrics_counter_inc(m->nflog.queries);
    metrics_histogram_observe(m->silences_maint.snapshot_duration, 0.01);

    metrics_counter_inc(slack->notifications);
    metrics_counter_inc(slack->requests);
    metrics_counter_inc(slack->requests_failed);
    metrics_counter_inc(slack->failed[METRICS_FAIL_SERVER_ERROR]);
    metrics_counter_inc(slack->rate_limited);
    metrics_histogram_observe(slack->latency, 0.3);
    metrics_histogram_observe(email->latency, 25);

    metrics_histogram_observe(metrics_http_duration("/api/v2/alerts", "post"), 0.0004);
    metrics_histogram_observe(metrics_http_size("/api/v2/alerts", "post"), 0);
    metrics_histogram_observe(metrics_http_duration("/-/ready", "get"), 0.00003);
    metrics_histogram_observe(metrics_http_size("/-/ready", "get"), 2);
    /* Never a real handler name, but the escaping must hold for any. */
    metrics_histogram_observe(metrics_http_duration("/odd\"quote\\slash\nline\xff", "get"), 70);

    struct buf b = BUF_INIT;
    if (metrics_render(&b) < 0)
        return 1;
    FILE *out = argc > 1 ? fopen(argv[1], "w") : stdout;
    if (!out || fputs(buf_str(&b), out) == EOF || (out != stdout && fclose(out) != 0)) {
        perror("metrics_dump");
        return 1;
    }
    buf_deinit(&b);
    return 0;
}

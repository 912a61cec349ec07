/* test_metrics.c -- the exposition text must be byte-exact: Prometheus
 * parses it, people diff it against Alertmanager's, and dashboards key on
 * the names.  So most tests here compare whole rendered texts. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "metrics.h"

static const char *render(struct metrics_registry *r, struct buf *b)
{
    buf_reset(b);
    ck_assert_int_eq(metrics_registry_render(r, b), 0);
    return buf_str(b);
}

START_TEST(float_format_like_go)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0, "0"},
        {-0.0, "0"},
        {1, "1"},
        {-1, "-1"},
        {0.5, "0.5"},
        {0.1, "0.1"},
        {0.07, "0.07"},
        {2.5, "2.5"},
        {20000, "20000"},
        {100000, "100000"},
        {999999, "999999"},
        {-999999, "-999999"},
        {-1e6, "-1e+06"},
        {123456.7, "123456.7"},
        {1e6, "1e+06"},
        {1234567, "1.234567e+06"},
        {1e7, "1e+07"},
        {3.3124352e+07, "3.3124352e+07"},
        {1.7996757767074e+13, "1.7996757767074e+13"},
        {1.7957181462045135e+09, "1.7957181462045135e+09"},
        {18446744073709551615.0, "1.8446744073709552e+19"},
        {1e21, "1e+21"},
        {1e100, "1e+100"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {0.0001, "0.0001"},
        {0.00012345, "0.00012345"},
        {1e-05, "1e-05"},
        {3.1977e-05, "3.1977e-05"},
        {-2.5e-07, "-2.5e-07"},
        {5e-324, "5e-324"},
        {1.0 / 3.0, "0.3333333333333333"},
        {NAN, "NaN"},
        {INFINITY, "+Inf"},
        {-INFINITY, "-Inf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[METRICS_FLOAT_MAX];
        metrics_format_float(cases[i].v, out);
        ck_assert_msg(strcmp(out, cases[i].want) == 0, "case %zu: want %s, got %s", i,
                      cases[i].want, out);
    }
}
END_TEST

static double forty_two_and_a_half(void *ctx)
{
    (void)ctx;
    return 42.5;
}

/* Sorting (families byte-wise, label pairs by name, series by values),
 * escaping in HELP and label values, histogram buckets (cumulative, le
 * formatted like values, +Inf), summaries, NaN, callbacks, and empty
 * families left out. */
START_TEST(render_small_registry_exactly)
{
    struct metrics_registry *r = metrics_registry_new();
    struct metric_family *req = metrics_family(r, METRIC_COUNTER, "test_requests_total",
                                               "Requests by path.\nSecond \\ line.",
                                               (const char *const[]){"path", "code", NULL});
    metrics_counter_inc(metrics_counter_with(req, METRICS_LV("/a\"b\\c\nd", "200")));
    metrics_counter_add(metrics_counter_with(req, METRICS_LV("/", "500")), 1e6);
    metrics_counter_add(metrics_counter_with(req, METRICS_LV("/", "200")), 2.5);

    static const double bounds[] = {0.25, 1, 1e6};
    struct metric_family *lat = metrics_histogram_family(
        r, "b_latency_seconds", "Latency.", (const char *const[]){"integration", NULL}, bounds, 3);
    struct metric_histogram *slack = metrics_histogram_with(lat, METRICS_LV("slack"));
    metrics_histogram_with(lat, METRICS_LV("webhook"));
    metrics_histogram_observe(slack, 0.00390625);
    metrics_histogram_observe(slack, 0.25); /* on the bound: counted in le="0.25" */
    metrics_histogram_observe(slack, 3);
    metrics_histogram_observe(slack, 2e6);
    metrics_histogram_observe(slack, 0.5);

    struct metric_histogram *sum = metrics_summary_new(r, "c_summary_seconds", "A summary.");
    metrics_histogram_observe(sum, 1);
    metrics_histogram_observe(sum, NAN);

    metrics_gauge_set_fn(metrics_gauge_new(r, "a_gauge", "Computed."), forty_two_and_a_half, NULL);
    metrics_gauge_set(metrics_gauge_new(r, "Z_upper", "Byte order puts me first."), INFINITY);
    metrics_family(r, METRIC_GAUGE, "z_empty", "No children, not rendered.",
                   (const char *const[]){"x", NULL});

    struct buf b = BUF_INIT;
    const char *want = "# HELP Z_upper Byte order puts me first.\n"
                       "# TYPE Z_upper gauge\n"
                       "Z_upper +Inf\n"
                       "# HELP a_gauge Computed.\n"
                       "# TYPE a_gauge gauge\n"
                       "a_gauge 42.5\n"
                       "# HELP b_latency_seconds Latency.\n"
                       "# TYPE b_latency_seconds histogram\n"
                       "b_latency_seconds_bucket{integration=\"slack\",le=\"0.25\"} 2\n"
                       "b_latency_seconds_bucket{integration=\"slack\",le=\"1\"} 3\n"
                       "b_latency_seconds_bucket{integration=\"slack\",le=\"1e+06\"} 4\n"
                       "b_latency_seconds_bucket{integration=\"slack\",le=\"+Inf\"} 5\n"
                       "b_latency_seconds_sum{integration=\"slack\"} 2.00000375390625e+06\n"
                       "b_latency_seconds_count{integration=\"slack\"} 5\n"
                       "b_latency_seconds_bucket{integration=\"webhook\",le=\"0.25\"} 0\n"
                       "b_latency_seconds_bucket{integration=\"webhook\",le=\"1\"} 0\n"
                       "b_latency_seconds_bucket{integration=\"webhook\",le=\"1e+06\"} 0\n"
                       "b_latency_seconds_bucket{integration=\"webhook\",le=\"+Inf\"} 0\n"
                       "b_latency_seconds_sum{integration=\"webhook\"} 0\n"
                       "b_latency_seconds_count{integration=\"webhook\"} 0\n"
                       "# HELP c_summary_seconds A summary.\n"
                       "# TYPE c_summary_seconds summary\n"
                       "c_summary_seconds_sum NaN\n"
                       "c_summary_seconds_count 2\n"
                       "# HELP test_requests_total Requests by path.\\nSecond \\\\ line.\n"
                       "# TYPE test_requests_total counter\n"
                       "test_requests_total{code=\"200\",path=\"/\"} 2.5\n"
                       "test_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\nd\"} 1\n"
                       "test_requests_total{code=\"500\",path=\"/\"} 1e+06\n";
    ck_assert_str_eq(render(r, &b), want);
    buf_deinit(&b);
    metrics_registry_free(r);
}
END_TEST

/* A module keeps pointers: asking again must give the same series, and a
 * repeated declaration the same family (init may run twice). */
START_TEST(lookups_are_stable)
{
    struct metrics_registry *r = metrics_registry_new();
    const char *const labels[] = {"integration", NULL};
    struct metric_family *f = metrics_family(r, METRIC_COUNTER, "n_total", "h", labels);
    ck_assert_ptr_eq(metrics_family(r, METRIC_COUNTER, "n_total", "h", labels), f);
    struct metric_counter *slack = metrics_counter_with(f, METRICS_LV("slack"));
    for (int i = 0; i < 50; i++) { /* grows and reorders the children array */
        char name[16];
        snprintf(name, sizeof name, "i%02d", 49 - i);
        metrics_counter_with(f, METRICS_LV(name));
    }
    ck_assert_ptr_eq(metrics_counter_with(f, METRICS_LV("slack")), slack);
    metrics_counter_inc(slack);
    metrics_counter_add(slack, 2);
    metrics_counter_add(slack, -5); /* refused: counters only go up */
    metrics_counter_add(slack, NAN);
    ck_assert(metrics_counter_value(slack) == 3);

    static const double b1[] = {1, 2}, b2[] = {1, 2, INFINITY};
    struct metric_family *h = metrics_histogram_family(r, "h_seconds", "h", NULL, b1, 2);
    ck_assert_ptr_eq(metrics_histogram_family(r, "h_seconds", "h", NULL, b2, 3), h);

    struct metric_gauge *g = metrics_gauge_new(r, "g", "h");
    metrics_gauge_set(g, 5);
    metrics_gauge_inc(g);
    metrics_gauge_dec(g);
    metrics_gauge_dec(g);
    metrics_gauge_add(g, -0.5);
    ck_assert(metrics_gauge_value(g) == 3.5);
    metrics_registry_free(r);
}
END_TEST

/* NULL series (a full family) are accepted everywhere; the cap holds. */
START_TEST(cardinality_cap_and_null_series)
{
    struct metrics_registry *r = metrics_registry_new();
    struct metric_family *f =
        metrics_family(r, METRIC_COUNTER, "c_total", "h", (const char *const[]){"v", NULL});
    for (int i = 0; i < METRICS_MAX_SERIES; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        ck_assert_ptr_nonnull(metrics_counter_with(f, METRICS_LV(v)));
    }
    ck_assert_ptr_null(metrics_counter_with(f, METRICS_LV("one-too-many")));
    ck_assert_ptr_nonnull(metrics_counter_with(f, METRICS_LV("7"))); /* existing: still found */
    metrics_counter_inc(NULL);
    metrics_counter_add(NULL, 1);
    metrics_gauge_set(NULL, 1);
    metrics_gauge_inc(NULL);
    metrics_histogram_observe(NULL, 1);
    ck_assert(metrics_counter_value(NULL) == 0);
    ck_assert_uint_eq(metrics_histogram_count(NULL), 0);
    metrics_registry_free(r);
}
END_TEST

START_TEST(invalid_utf8_label_values_are_replaced)
{
    struct metrics_registry *r = metrics_registry_new();
    struct metric_family *f =
        metrics_family(r, METRIC_GAUGE, "g", "h", (const char *const[]){"handler", NULL});
    struct metric_gauge *a = metrics_gauge_with(f, METRICS_LV("/\xff\xc3\xa9x\xe2\x82"));
    /* The same bad input finds the same series. */
    ck_assert_ptr_eq(metrics_gauge_with(f, METRICS_LV("/\xff\xc3\xa9x\xe2\x82")), a);
    struct buf b = BUF_INIT;
    ck_assert_str_eq(render(r, &b),
                     "# HELP g h\n# TYPE g gauge\n"
                     "g{handler=\"/\xef\xbf\xbd\xc3\xa9x\xef\xbf\xbd\xef\xbf\xbd\"} 0\n");
    buf_deinit(&b);
    metrics_registry_free(r);
}
END_TEST

static int collect_calls;
static void count_collects(void *ctx)
{
    collect_calls++;
    metrics_gauge_set(ctx, collect_calls);
}

START_TEST(collect_hooks_run_per_render)
{
    struct metrics_registry *r = metrics_registry_new();
    struct metric_gauge *g = metrics_gauge_new(r, "scrapes", "h");
    collect_calls = 0;
    metrics_registry_on_collect(r, count_collects, g);
    struct buf b = BUF_INIT;
    ck_assert_str_eq(render(r, &b), "# HELP scrapes h\n# TYPE scrapes gauge\nscrapes 1\n");
    ck_assert_str_eq(render(r, &b), "# HELP scrapes h\n# TYPE scrapes gauge\nscrapes 2\n");
    buf_deinit(&b);
    metrics_registry_free(r);
}
END_TEST

START_TEST(render_respects_buffer_cap)
{
    struct metrics_registry *r = metrics_registry_new();
    metrics_counter_new(r, "a_long_enough_metric_name_total", "Some help text.");
    struct buf b;
    buf_init(&b, 40);
    ck_assert_int_eq(metrics_registry_render(r, &b), -1);
    ck_assert(b.overflow);
    ck_assert_uint_le(b.len, 40);
    buf_deinit(&b);
    metrics_registry_free(r);
}
END_TEST

/* Each bad definition aborts (a programming error, found at start-up). */
static const char *const bad_labels[] = {"le", NULL};
START_TEST(bad_definition_aborts_metric_name)
{
    metrics_counter_new(metrics_registry_new(), "0bad", "h");
}
END_TEST
START_TEST(bad_definition_aborts_le_label)
{
    static const double bk[] = {1};
    metrics_histogram_family(metrics_registry_new(), "h", "h", bad_labels, bk, 1);
}
END_TEST
START_TEST(bad_definition_aborts_redeclared)
{
    struct metrics_registry *r = metrics_registry_new();
    metrics_counter_new(r, "x_total", "h");
    metrics_gauge_new(r, "x_total", "h");
}
END_TEST
START_TEST(bad_definition_aborts_buckets)
{
    static const double bk[] = {1, 1};
    metrics_histogram_new(metrics_registry_new(), "h", "h", bk, 2);
}
END_TEST
START_TEST(bad_definition_aborts_suffix_clash)
{
    struct metrics_registry *r = metrics_registry_new();
    metrics_summary_new(r, "d_seconds", "h");
    metrics_counter_new(r, "d_seconds_count", "h");
}
END_TEST
START_TEST(bad_definition_aborts_wrong_type)
{
    struct metrics_registry *r = metrics_registry_new();
    struct metric_family *f = metrics_family(r, METRIC_GAUGE, "g", "h", NULL);
    metrics_counter_with(f, NULL);
}
END_TEST

/* The standard set: one instance, every name dashboards use, pointers that
 * show up in the rendered text. */
START_TEST(standard_set)
{
    struct router_metrics *m = metrics();
    ck_assert_ptr_eq(metrics(), m);
    const struct metrics_integration *slack = metrics_integration("slack");
    ck_assert_ptr_eq(metrics_integration("slack"), slack);
    const struct metrics_integration *other = metrics_integration("pagerduty");
    ck_assert_ptr_nonnull(other->notifications);

    metrics_counter_inc(m->alerts_received_firing_v2);
    metrics_counter_inc(slack->notifications);
    metrics_counter_inc(slack->failed[METRICS_FAIL_SERVER_ERROR]);
    metrics_histogram_observe(slack->latency, 0.25);
    metrics_gauge_set(m->config_hash, 17996757767074.0);
    metrics_histogram_observe(metrics_http_duration("/api/v2/alerts", "post"), 0.001);
    ck_assert_ptr_eq(metrics_http_size("/-/ready", "get"), metrics_http_size("/-/ready", "get"));

    struct buf b = BUF_INIT;
    ck_assert_int_eq(metrics_render(&b), 0);
    const char *t = buf_str(&b);
    static const char *const must[] = {
        "alertmanager_alerts{state=\"active\"} ",
        "alertmanager_alerts_received_total{status=\"firing\",version=\"v2\"} 1\n",
        "alertmanager_alerts_invalid_total{version=\"v2\"} 0\n",
        "alertmanager_silences{state=\"pending\"} 0\n",
        "alertmanager_notifications_total{integration=\"slack\"} 1\n",
        "alertmanager_notifications_total{integration=\"pagerduty\"} 0\n",
        "alertmanager_notifications_failed_total{integration=\"slack\",reason=\"serverError\"} 1\n",
        "alertmanager_notification_requests_total{integration=\"email\"} 0\n",
        "alertmanager_notification_requests_failed_total{integration=\"webhook\"} 0\n",
        "alertmanager_notification_latency_seconds_bucket{integration=\"slack\",le=\"1\"} 1\n",
        "alertmanager_notification_latency_seconds_bucket{integration=\"slack\",le=\"20\"} 1\n",
        "alertmanager_http_request_duration_seconds_bucket{handler=\"/api/v2/alerts\","
        "method=\"post\",le=\"0.05\"} 1\n",
        "alertmanager_http_response_size_bytes_bucket{handler=\"/-/ready\",method=\"get\","
        "le=\"1e+08\"} 0\n",
        "alertmanager_config_hash 1.7996757767074e+13\n",
        "# TYPE alertmanager_config_last_reload_successful gauge\n",
        "# TYPE alertmanager_config_last_reload_success_timestamp_seconds gauge\n",
        "alertmanager_build_info{branch=\"",
        "alertmanager_cluster_enabled 0\n",
        "# TYPE alertmanager_dispatcher_aggregation_groups gauge\n",
        "# TYPE alertmanager_dispatcher_alert_processing_duration_seconds summary\n",
        "# TYPE alertmanager_nflog_query_duration_seconds histogram\n",
        "alertmanager_nflog_queries_total 0\n",
        "# TYPE alertmanager_silences_gc_duration_seconds summary\n",
        "# TYPE process_cpu_seconds_total counter\n",
        "process_resident_memory_bytes ",
        "process_virtual_memory_bytes ",
        "process_open_fds ",
        "process_max_fds ",
        "process_start_time_seconds ",
        "# TYPE alertrouter_notification_rate_limited_total counter\n",
    };
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        ck_assert_msg(strstr(t, must[i]) != NULL, "missing: %s", must[i]);

    /* The process figures are live, not placeholders. */
    const char *p = strstr(t, "\nprocess_resident_memory_bytes ");
    ck_assert(strtod(p + 31, NULL) > 100000);
    p = strstr(t, "\nprocess_start_time_seconds ");
    double start = strtod(p + 28, NULL);
    ck_assert(start > (double)time(NULL) - 86400 && start <= (double)time(NULL) + 1);
    p = strstr(t, "\nprocess_open_fds ");
    ck_assert(strtod(p + 18, NULL) >= 3);
    buf_deinit(&b);
}
END_TEST

Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, float_format_like_go);
    tcase_add_test(tc, render_small_registry_exactly);
    tcase_add_test(tc, lookups_are_stable);
    tcase_add_test(tc, cardinality_cap_and_null_series);
    tcase_add_test(tc, invalid_utf8_label_values_are_replaced);
    tcase_add_test(tc, collect_hooks_run_per_render);
    tcase_add_test(tc, render_respects_buffer_cap);
    tcase_add_test(tc, standard_set);
    suite_add_tcase(s, tc);

    /* Aborting tests need Check's fork mode (the default). */
    const char *fork = getenv("CK_FORK");
    if (!fork || strcmp(fork, "no") != 0) {
        TCase *tb = tcase_create("bad_definitions");
        tcase_add_test_raise_signal(tb, bad_definition_aborts_metric_name, SIGABRT);
        tcase_add_test_raise_signal(tb, bad_definition_aborts_le_label, SIGABRT);
        tcase_add_test_raise_signal(tb, bad_definition_aborts_redeclared, SIGABRT);
        tcase_add_test_raise_signal(tb, bad_definition_aborts_buckets, SIGABRT);
        tcase_add_test_raise_signal(tb, bad_definition_aborts_suffix_clash, SIGABRT);
        tcase_add_test_raise_signal(tb, bad_definition_aborts_wrong_type, SIGABRT);
        suite_add_tcase(s, tb);
    }
    return s;
}

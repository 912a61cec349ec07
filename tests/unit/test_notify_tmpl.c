/* test_notify_tmpl.c -- the template data every notifier renders with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "check_main.h"
#include "notify.h"
#include "notify_tmpl.h"
#include "template.h"

static struct alert *mk(const char *name, const char *inst, int64_t starts, int64_t ends)
{
    struct label l[] = {{"alertname", name}, {"instance", inst}, {"severity", "critical"}};
    struct label an[] = {{"summary", "disk full"}};
    struct alert *a = alert_new(l, 3, an, 1, "http://prom/graph");
    a->starts_at = starts;
    a->ends_at = ends;
    return a;
}

static char *render(const struct tmpl_data *d, const char *text)
{
    struct tmpl_set *s = tmpl_set_new();
    struct errbuf err;
    ck_assert_int_eq(tmpl_set_load_default(s, &err), 0);
    struct buf out;
    buf_init(&out, 0);
    int rc = tmpl_exec_string(s, text, d, false, &out, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    tmpl_set_free(s);
    return buf_steal(&out);
}

START_TEST(builds_alertmanager_data)
{
    int64_t now = 1700000000LL * NS_PER_SEC;
    struct alert *al[2] = {mk("DiskFull", "db-1", now - 60 * NS_PER_SEC, 0),
                           mk("DiskFull", "db-2", now - 120 * NS_PER_SEC, now - NS_PER_SEC)};
    struct label gl[] = {{"alertname", "DiskFull"}};
    struct labels g = {1, gl};
    struct notify_req *req = notify_req_new(&(struct notify_req_args){
        .receiver = "team.db", .group_key = "{}:{alertname=\"DiskFull\"}",
        .external_url = "http://am:9093", .group_labels = &g, .alerts = al, .n_alerts = 2,
        .now = now});
    struct notify_tmpl_data t;
    notify_tmpl_data_init(&t, req, req->alerts, req->n_alerts);

    ck_assert_str_eq(t.d.receiver, "team\\.db");
    ck_assert_str_eq(t.d.status, "firing");
    ck_assert_str_eq(t.alerts[0].status, "firing");
    ck_assert(t.alerts[0].ends_at_ms == TMPL_TIME_ZERO);
    ck_assert_str_eq(t.alerts[1].status, "resolved");
    ck_assert(t.alerts[1].ends_at_ms == (now - NS_PER_SEC) / NS_PER_MS);
    /* instance differs, so only alertname and severity are common */
    ck_assert_uint_eq(t.d.common_labels.n, 2);
    ck_assert_uint_eq(t.d.common_annotations.n, 1);

    char *s = render(&t.d, "{{ .Status }}|{{ .CommonLabels.severity }}|"
                           "{{ len .Alerts.Firing }}/{{ len .Alerts.Resolved }}|"
                           "{{ .GroupLabels.alertname }}|{{ (index .Alerts 0).Fingerprint }}");
    char fp[17];
    fingerprint_format(al[0]->fingerprint, fp);
    char want[128];
    snprintf(want, sizeof want, "firing|critical|1/1|DiskFull|%s", fp);
    ck_assert_str_eq(s, want);
    free(s);

    /* the subject of Alertmanager's default templates */
    s = render(&t.d, "{{ template \"__subject\" . }}");
    ck_assert_str_eq(s, "[FIRING:1] DiskFull (critical)");
    free(s);

    notify_tmpl_data_deinit(&t);
    notify_req_unref(req);
    alert_unref(al[0]);
    alert_unref(al[1]);
}
END_TEST

START_TEST(all_resolved_and_empty)
{
    int64_t now = 1700000000LL * NS_PER_SEC;
    struct alert *a = mk("X", "i", now - 10 * NS_PER_SEC, now - NS_PER_SEC);
    struct notify_req *req = notify_req_new(&(struct notify_req_args){
        .receiver = "r", .group_key = "{}:{}", .alerts = &a, .n_alerts = 1, .now = now});
    struct notify_tmpl_data t;
    notify_tmpl_data_init(&t, req, req->alerts, 1);
    ck_assert_str_eq(t.d.status, "resolved");
    notify_tmpl_data_deinit(&t);
    notify_tmpl_data_init(&t, req, req->alerts, 0);
    ck_assert_uint_eq(t.d.nalerts, 0);
    ck_assert_uint_eq(t.d.common_labels.n, 0);
    notify_tmpl_data_deinit(&t);
    notify_req_unref(req);
    alert_unref(a);
}
END_TEST

Suite *notify_tmpl_suite(void)
{
    Suite *s = suite_create("notify_tmpl");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, builds_alertmanager_data);
    tcase_add_test(tc, all_resolved_and_empty);
    suite_add_tcase(s, tc);
    return s;
}

/* test_fuzz_regressions.c -- every input the fuzzers ever crashed on, fed
 * back through the code it crashed, so a fixed bug stays fixed.
 *
 * tests/data/fuzz-regressions/fuzz_config/NAME.yml goes through config_parse
 * (as fuzz/fuzz_config.c does): with a NAME.err beside it, loading must fail
 * with exactly those lines; without one it must load, and its redacted dump
 * (what GET /api/v2/status serves) must be YAML again.  Most crashes were
 * memory errors, which the plain build may survive by luck: `make test-asan`
 * is where these tests bite.  Adding a case is adding files.  Run from the
 * repository root (make unit does).
 *
 * tests/data/fuzz-regressions/fuzz_api_alerts/NAME.json is a POST
 * /api/v{2,1}/alerts body, decoded and ingested into a fresh store as the
 * handler (and fuzz/fuzz_api_alerts.c) does; NAME.want holds the outcome
 * of both versions, one line each ("v2 rc 0 bad 0 stored 1" or "v2 rc -1
 * <message>").  Some of these crashed only under clang's UBSan (NULL + 0),
 * which gcc's does not check: the fuzz build is clang. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "check_main.h"
#include "testutil.h"
#include "config.h"
#include "config_yaml.h"
#include "mem.h"

#define DATA "tests/data/fuzz-regressions"

static struct config *parse_file(const char *path, struct cfg_diag *d)
{
    size_t len;
    char *text = tu_slurp_opt(path, &len);
    ck_assert_msg(text != NULL, "cannot open %s", path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    struct config *cfg = config_parse(text, len, base, "/nonexistent-fuzz-dir", d);
    free(text);
    return cfg;
}

START_TEST(config_inputs)
{
    glob_t g;
    ck_assert_int_eq(glob(DATA "/fuzz_config/*.yml", 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 5);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        char errpath[512];
        snprintf(errpath, sizeof errpath, "%.*s.err", (int)(strlen(path) - 4), path);
        char *want = tu_slurp_opt(errpath, NULL);
        struct cfg_diag d;
        cfg_diag_init(&d);
        struct config *cfg = parse_file(path, &d);
        struct buf got = BUF_INIT;
        for (size_t k = 0; k < d.n; k++)
            buf_printf(&got, "%s\n", d.msgs[k]);
        if (want) {
            ck_assert_msg(cfg == NULL, "%s should not load", path);
            ck_assert_msg(strcmp(want, got.p ? got.p : "") == 0, "%s:\n--- want\n%s--- got\n%s",
                          path, want, got.p ? got.p : "");
        } else {
            ck_assert_msg(cfg != NULL, "%s should load:\n%s", path, got.p ? got.p : "");
            char *dump = config_dump_redacted(cfg);
            struct cfg_diag dd;
            cfg_diag_init(&dd);
            struct ynode *root = NULL;
            int rc = ynode_load(dump, strlen(dump), "dump.yml", &dd, &root);
            ck_assert_msg(rc == 0, "%s: the dump is not YAML: %s\n%s", path,
                          dd.n ? dd.msgs[0] : "?", dump);
            ynode_free(root);
            cfg_diag_deinit(&dd);
            free(dump);
        }
        free(want);
        buf_deinit(&got);
        config_free(cfg);
        cfg_diag_deinit(&d);
    }
    globfree(&g);
}
END_TEST

/* The anchor on a merged value still means the whole merged-in mapping
 * after the merge: receiver b gets a's webhook as written under `&hook`,
 * without the max_alerts that a's entry added beside the merge. */
START_TEST(merge_value_anchor_content)
{
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = parse_file(DATA "/fuzz_config/merge-value-anchor.yml", &d);
    ck_assert_ptr_nonnull(cfg);
    const struct receiver_cfg *a = config_receiver(cfg, "a"), *b = config_receiver(cfg, "b");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(a->n_webhook, 1);
    ck_assert_uint_eq(b->n_webhook, 1);
    ck_assert_str_eq(a->webhook[0].url, "http://127.0.0.1:9999/a");
    ck_assert_str_eq(b->webhook[0].url, "http://127.0.0.1:9999/a");
    ck_assert(!b->webhook[0].send_resolved);
    ck_assert_uint_eq(a->webhook[0].max_alerts, 5);
    ck_assert_uint_eq(b->webhook[0].max_alerts, 0);
    config_free(cfg);
    cfg_diag_deinit(&d);
}
END_TEST

/* What the alerts handler makes of body for one version, as one line. */
static void alerts_outcome(const char *body, size_t len, int version, struct buf *out)
{
    char *copy = xstrndup(body, len); /* decoding unescapes in place */
    struct api_alerts_body d;
    struct errbuf err;
    int rc = api_decode_alerts(copy, len, version, &d, &err);
    if (rc == 0) {
        struct api a;
        memset(&a, 0, sizeof a);
        a.alerts = alert_store_new();
        struct buf msgs = BUF_INIT;
        size_t bad = api_ingest_alerts(&a, &d, &msgs);
        buf_printf(out, "v%d rc 0 bad %zu stored %zu%s%s\n", version, bad,
                   alert_store_len(a.alerts), bad ? " " : "", bad ? buf_str(&msgs) : "");
        buf_deinit(&msgs);
        alert_store_free(a.alerts);
    } else if (rc == API_ALERTS_EMPTY) {
        buf_printf(out, "v%d empty\n", version);
    } else {
        buf_printf(out, "v%d rc %d %s\n", version, rc, err.msg);
    }
    api_alerts_body_deinit(&d);
    free(copy);
}

START_TEST(api_alerts_inputs)
{
    glob_t g;
    ck_assert_int_eq(glob(DATA "/fuzz_api_alerts/*.json", 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 1);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        char wantpath[512];
        snprintf(wantpath, sizeof wantpath, "%.*s.want", (int)(strlen(path) - 5), path);
        size_t len;
        char *body = tu_slurp_opt(path, &len);
        char *want = tu_slurp_opt(wantpath, NULL);
        ck_assert_msg(body && want, "%s: needs %s", path, wantpath);
        struct buf got = BUF_INIT;
        alerts_outcome(body, len, 2, &got);
        alerts_outcome(body, len, 1, &got);
        ck_assert_msg(strcmp(want, buf_str(&got)) == 0, "%s:\n--- want\n%s--- got\n%s", path,
                      want, buf_str(&got));
        buf_deinit(&got);
        free(body);
        free(want);
    }
    globfree(&g);
}
END_TEST

Suite *fuzz_regressions_suite(void)
{
    Suite *s = suite_create("fuzz_regressions");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, config_inputs);
    tcase_add_test(tc, merge_value_anchor_content);
    tcase_add_test(tc, api_alerts_inputs);
    suite_add_tcase(s, tc);
    return s;
}

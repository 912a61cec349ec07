/* test_config.c -- the configuration model, data-driven as in Jansson.
 *
 * tests/data/config/valid/NAME.yml must load.  tests/data/config/invalid/NAME.yml
 * must fail with exactly the lines of NAME.err, in order.  Convention: the
 * messages name the file by its basename ("NAME.yml:3:5: ..."), so the
 * expected text does not depend on where the tree is checked out; the
 * router itself prints the path it was given.  Adding a case is adding
 * files.  Run from the repository root (make unit does). */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "testutil.h"
#include "config.h"
#include "mem.h"

#define DATA "tests/data/config"

/* Parses a file with its basename as the name used in messages. */
static struct config *parse_file(const char *path, struct cfg_diag *d)
{
    size_t len;
    char *text = tu_slurp(path, &len);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    struct config *cfg = config_parse(text, len, base, DATA, d);
    free(text);
    return cfg;
}

static char *joined(const struct cfg_diag *d)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < d->n; i++)
        buf_printf(&b, "%s\n", d->msgs[i]);
    return buf_steal(&b);
}

static struct config *parse_str(const char *yaml, struct cfg_diag *d)
{
    return config_parse(yaml, strlen(yaml), "t.yml", ".", d);
}

START_TEST(valid_cases)
{
    glob_t g;
    ck_assert_int_eq(glob(DATA "/valid/*.yml", 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 10);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct cfg_diag d;
        cfg_diag_init(&d);
        struct config *cfg = parse_file(g.gl_pathv[i], &d);
        char *msgs = joined(&d);
        ck_assert_msg(cfg != NULL, "%s should load:\n%s", g.gl_pathv[i], msgs);
        ck_assert_uint_eq(d.n, 0);
        /* The dump of every valid config is YAML that names every receiver. */
        char *dump = config_dump_redacted(cfg);
        for (size_t r = 0; r < cfg->n_receivers; r++)
            ck_assert_msg(strstr(dump, cfg->receivers[r].name), "%s: dump lacks receiver %s",
                          g.gl_pathv[i], cfg->receivers[r].name);
        free(dump);
        free(msgs);
        config_free(cfg);
        cfg_diag_deinit(&d);
    }
    globfree(&g);
}
END_TEST

START_TEST(invalid_cases)
{
    glob_t g;
    ck_assert_int_eq(glob(DATA "/invalid/*.yml", 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 40);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        char errpath[512];
        snprintf(errpath, sizeof errpath, "%.*s.err", (int)(strlen(path) - 4), path);
        char *want = tu_slurp(errpath, NULL);
        struct cfg_diag d;
        cfg_diag_init(&d);
        struct config *cfg = parse_file(path, &d);
        char *got = joined(&d);
        ck_assert_msg(cfg == NULL, "%s should not load", path);
        ck_assert_msg(strlen(want) > 0, "%s is empty", errpath);
        ck_assert_msg(strcmp(want, got) == 0, "%s:\n--- want\n%s--- got\n%s", path, want, got);
        free(want);
        free(got);
        cfg_diag_deinit(&d);
    }
    globfree(&g);
}
END_TEST

/* All errors at once, each with its own position, in file order even
 * though they are found in another order (receivers before route). */
START_TEST(three_mistakes)
{
    const char *y = "route:\n"
                    "  receiver: nobody\n"
                    "  group_wait: soon\n"
                    "receivers:\n"
                    "  - name: r\n"
                    "    webhook_configs:\n"
                    "      - url: ftp://x/\n";
    struct cfg_diag d;
    cfg_diag_init(&d);
    ck_assert_ptr_null(parse_str(y, &d));
    ck_assert_uint_eq(d.n, 3);
    ck_assert_str_eq(d.msgs[0], "t.yml:2:13: undefined receiver \"nobody\" used in route");
    ck_assert_str_eq(d.msgs[1], "t.yml:3:15: not a valid duration string: \"soon\"");
    ck_assert_str_eq(d.msgs[2], "t.yml:7:14: unsupported scheme \"ftp\" for URL");
    cfg_diag_deinit(&d);
}
END_TEST

START_TEST(defaults_and_inheritance)
{
    const char *y = "route:\n"
                    "  receiver: a\n"
                    "  group_by: [alertname]\n"
                    "  group_wait: 10s\n"
                    "  routes:\n"
                    "    - matchers: ['x=\"y\"']\n"
                    "      continue: true\n"
                    "      mute_time_intervals: [t]\n"
                    "      routes:\n"
                    "        - receiver: b\n"
                    "          repeat_interval: 1h\n"
                    "time_intervals:\n"
                    "  - name: t\n"
                    "    time_intervals: [{weekdays: ['monday:friday']}]\n"
                    "receivers:\n"
                    "  - name: a\n"
                    "    webhook_configs: [{url: 'http://127.0.0.1/'}]\n"
                    "  - name: b\n"
                    "    slack_configs: [{api_url: 'https://hooks.slack.com/x'}]\n"
                    "    email_configs: [{to: x@example.com, from: y@example.com, "
                    "smarthost: 'h:25'}]\n"
                    "    msteamsv2_configs: [{webhook_url: 'https://example.com/w'}]\n";
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = parse_str(y, &d);
    ck_assert_msg(cfg != NULL, "%s", d.n ? d.msgs[0] : "");
    ck_assert_int_eq(cfg->global.resolve_timeout_ms, 300000);
    ck_assert_str_eq(cfg->global.smtp_hello, "localhost");
    ck_assert(cfg->global.smtp_require_tls);
    const struct route_cfg *root = &cfg->route, *child = &root->routes[0];
    const struct route_cfg *grand = &child->routes[0];
    ck_assert_int_eq(root->group_wait_ms, 10000);
    ck_assert_int_eq(root->group_interval_ms, 300000);
    ck_assert_int_eq(root->repeat_interval_ms, 4 * 3600000);
    /* receiver, group_by and timers flow down ... */
    ck_assert_str_eq(child->receiver, "a");
    ck_assert_uint_eq(child->group_by.n, 1);
    ck_assert_str_eq(child->group_by.v[0], "alertname");
    ck_assert_int_eq(child->group_wait_ms, 10000);
    ck_assert_int_eq(grand->group_wait_ms, 10000);
    ck_assert_int_eq(grand->repeat_interval_ms, 3600000);
    ck_assert_str_eq(grand->receiver, "b");
    /* ... continue, matchers and time intervals do not. */
    ck_assert(child->cont);
    ck_assert(!grand->cont);
    ck_assert_uint_eq(child->mute_time_intervals.n, 1);
    ck_assert_uint_eq(grand->mute_time_intervals.n, 0);
    ck_assert_uint_eq(child->matchers.n, 1);
    ck_assert_uint_eq(grand->matchers.n, 0);
    /* send_resolved defaults differ per kind. */
    const struct receiver_cfg *a = config_receiver(cfg, "a"), *b = config_receiver(cfg, "b");
    ck_assert(a->webhook[0].send_resolved);
    ck_assert(!b->slack[0].send_resolved);
    ck_assert(!b->email[0].send_resolved);
    ck_assert(b->msteamsv2[0].send_resolved);
    ck_assert(a->webhook[0].http.follow_redirects);
    ck_assert(a->webhook[0].http.enable_http2);
    ck_assert_str_eq(b->slack[0].title, "{{ template \"slack.default.title\" . }}");
    ck_assert_uint_eq(b->slack[0].mrkdwn_in.n, 3);
    ck_assert(b->email[0].require_tls);
    ck_assert_str_eq(b->email[0].hello, "localhost");
    ck_assert_str_eq(b->email[0].headers.v[0].key, "Subject");
    ck_assert_str_eq(b->msteamsv2[0].title, "{{ template \"msteamsv2.default.title\" . }}");
    ck_assert_ptr_null(b->msteamsv2[0].summary);
    const struct time_interval_cfg *t = config_time_interval(cfg, "t");
    ck_assert_int_eq(t->specs[0].weekdays[0].begin, 1);
    ck_assert_int_eq(t->specs[0].weekdays[0].end, 5);
    config_free(cfg);
    cfg_diag_deinit(&d);
}
END_TEST

START_TEST(global_inheritance)
{
    const char *y = "global:\n"
                    "  smtp_smarthost: 'mx:25'\n"
                    "  smtp_from: a@example.com\n"
                    "  smtp_auth_password: pw\n"
                    "  smtp_require_tls: false\n"
                    "  slack_api_url: 'https://hooks.slack.com/g'\n"
                    "  http_config: {follow_redirects: false}\n"
                    "route: {receiver: r}\n"
                    "receivers:\n"
                    "  - name: r\n"
                    "    email_configs: [{to: b@example.com, headers: {x-mailer: m}}]\n"
                    "    slack_configs:\n"
                    "      - channel: '#c'\n"
                    "      - channel: '#d'\n"
                    "        http_config: {enable_http2: false}\n";
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = parse_str(y, &d);
    ck_assert_msg(cfg != NULL, "%s", d.n ? d.msgs[0] : "");
    const struct receiver_cfg *r = config_receiver(cfg, "r");
    ck_assert_str_eq(r->email[0].smarthost, "mx:25");
    ck_assert_str_eq(r->email[0].from, "a@example.com");
    ck_assert_str_eq(r->email[0].auth_password, "pw");
    ck_assert(!r->email[0].require_tls);
    ck_assert_str_eq(r->email[0].headers.v[0].key, "X-Mailer");
    ck_assert_str_eq(r->slack[0].api_url, "https://hooks.slack.com/g");
    /* The global http_config is taken whole, or not at all. */
    ck_assert(!r->slack[0].http.follow_redirects);
    ck_assert(r->slack[1].http.follow_redirects);
    ck_assert(!r->slack[1].http.enable_http2);
    config_free(cfg);
    cfg_diag_deinit(&d);
}
END_TEST

START_TEST(dump_redacts_secrets)
{
    const char *y = "global:\n"
                    "  smtp_auth_password: SECRET1\n"
                    "  slack_api_url: 'https://hooks.slack.com/SECRET2'\n"
                    "  smtp_smarthost: 'mx:25'\n"
                    "  smtp_from: a@example.com\n"
                    "route: {receiver: r, group_by: ['...']}\n"
                    "receivers:\n"
                    "  - name: r\n"
                    "    webhook_configs:\n"
                    "      - url: 'http://127.0.0.1/SECRET3'\n"
                    "        http_config: {basic_auth: {username: u, password: SECRET4}}\n"
                    "      - url: 'http://127.0.0.1/x'\n"
                    "        http_config: {bearer_token: SECRET5}\n"
                    "      - url: 'http://127.0.0.1/x'\n"
                    "        http_config:\n"
                    "          oauth2: {client_id: c, client_secret: SECRET6, "
                    "token_url: 'http://t/'}\n"
                    "    email_configs: [{to: b@example.com, auth_password: SECRET7, "
                    "auth_secret: SECRET8}]\n"
                    "    msteams_configs: [{webhook_url: 'https://example.com/SECRET9'}]\n"
                    "    slack_configs: [{channel: '#c'}]\n";
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = parse_str(y, &d);
    ck_assert_msg(cfg != NULL, "%s", d.n ? d.msgs[0] : "");
    char *dump = config_dump_redacted(cfg);
    ck_assert_msg(strstr(dump, "SECRET") == NULL, "secret leaked:\n%s", dump);
    ck_assert_ptr_nonnull(strstr(dump, "password: <secret>"));
    ck_assert_ptr_nonnull(strstr(dump, "credentials: <secret>"));
    ck_assert_ptr_nonnull(strstr(dump, "slack_api_url: <secret>"));
    ck_assert_ptr_nonnull(strstr(dump, "group_by:\n  - \"...\""));
    ck_assert_ptr_nonnull(strstr(dump, "repeat_interval: 4h"));
    free(dump);
    config_free(cfg);
    cfg_diag_deinit(&d);
}
END_TEST

/* The dump is itself a valid config, apart from the redacted URLs. */
START_TEST(dump_reparses)
{
    size_t len;
    char *text = tu_slurp(DATA "/valid/time-intervals.yml", &len);
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = config_parse(text, len, "ti.yml", ".", &d);
    ck_assert_ptr_nonnull(cfg);
    char *dump = config_dump_redacted(cfg);
    struct config *again = parse_str(dump, &d);
    ck_assert_msg(again != NULL, "%s\n%s", d.n ? d.msgs[0] : "", dump);
    char *dump2 = config_dump_redacted(again);
    ck_assert_str_eq(dump, dump2);
    free(dump2);
    config_free(again);
    free(dump);
    config_free(cfg);
    free(text);
    cfg_diag_deinit(&d);
}
END_TEST

START_TEST(yaml_edge_cases)
{
    struct cfg_diag d;
    cfg_diag_init(&d);
    /* Billion laughs: aliases are copied within a budget, not expanded
     * without bound. */
    struct buf b = BUF_INIT;
    buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++)
        buf_printf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                   i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    ck_assert_ptr_null(parse_str(buf_str(&b), &d));
    ck_assert_ptr_nonnull(strstr(d.msgs[0], "too large"));
    buf_deinit(&b);
    cfg_diag_deinit(&d);
    /* Unknown alias. */
    ck_assert_ptr_null(parse_str("route: *nope\n", &d));
    ck_assert_str_eq(d.msgs[0], "t.yml:1:8: unknown anchor 'nope' referenced");
    cfg_diag_deinit(&d);
    /* Quoted "true" is a string, not a bool (YAML 1.1 as yaml.v2). */
    ck_assert_ptr_null(parse_str("route: {receiver: r, continue: 'true'}\n", &d));
    cfg_diag_deinit(&d);
    /* Null sections behave as absent. */
    struct config *cfg = parse_str("global:\nroute:\n  receiver: r\nreceivers:\n- name: r\n"
                                   "inhibit_rules:\n",
                                   &d);
    ck_assert_ptr_nonnull(cfg);
    config_free(cfg);
    cfg_diag_deinit(&d);
}
END_TEST

/* Template globs are relative to the config file's directory. */
START_TEST(templates_resolved)
{
    const char *y = "route: {receiver: r}\nreceivers: [{name: r}]\n"
                    "templates: ['t/*.tmpl', '/abs/x.tmpl']\n";
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = config_parse(y, strlen(y), "am.yml", "/etc/am", &d);
    ck_assert_ptr_nonnull(cfg);
    ck_assert_uint_eq(cfg->templates.n, 2);
    ck_assert_str_eq(cfg->templates.v[0], "/etc/am/t/*.tmpl");
    ck_assert_str_eq(cfg->templates.v[1], "/abs/x.tmpl");
    config_free(cfg);
    cfg_diag_deinit(&d);
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, valid_cases);
    tcase_add_test(tc, invalid_cases);
    tcase_add_test(tc, three_mistakes);
    tcase_add_test(tc, defaults_and_inheritance);
    tcase_add_test(tc, global_inheritance);
    tcase_add_test(tc, dump_redacts_secrets);
    tcase_add_test(tc, dump_reparses);
    tcase_add_test(tc, yaml_edge_cases);
    tcase_add_test(tc, templates_resolved);
    suite_add_tcase(s, tc);
    return s;
}

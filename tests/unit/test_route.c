/* test_route.c -- the routing tree: matching order, continue, inheritance,
 * grouping, and route/group keys byte for byte.
 *
 * Besides the cases written here, tests/data/route/groupkeys.tsv holds
 * label sets with the receivers and webhook groupKeys a real Alertmanager
 * 0.25 produced for tests/data/route/NAME.yml (capture-am.py regenerates
 * it); every row must come out identical. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "config.h"
#include "mem.h"
#include "route.h"
#include "testutil.h"

#define DATA "tests/data/route"

/* "recv key:group|recv key:group|..." for every route the labels reach. */
static char *route_all(const struct route *root, const char *spec)
{
    char *store;
    struct labels ls = tu_labels(spec, &store);
    struct route_vec rv = {0};
    size_t n = route_match(root, &ls, &rv);
    ck_assert_uint_eq(n, rv.n);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < rv.n; i++) {
        struct labels g;
        route_group_labels(rv.v[i], &ls, &g);
        if (i)
            buf_putc(&b, '|');
        buf_printf(&b, "%s ", route_receiver(rv.v[i]));
        route_group_key(rv.v[i], &g, &b);
        free(g.v);
    }
    route_vec_deinit(&rv);
    free(ls.v);
    free(store);
    return buf_steal(&b);
}

#define RECEIVERS "receivers: [{name: a}, {name: b}, {name: c}, {name: d}, {name: root}]\n"

static const char *const tree_yaml =
    "route:\n"
    "  receiver: root\n"
    "  group_by: [alertname]\n"
    "  group_wait: 10s\n"
    "  routes:\n"
    "    - matchers: ['team=\"x\"']\n"
    "      receiver: a\n"
    "      group_wait: 1s\n"
    "      routes:\n"
    "        - matchers: ['sev=\"crit\"']\n"
    "          group_by: [alertname, sev]\n"
    "          continue: true\n"
    "          mute_time_intervals: [night]\n"
    "        - matchers: ['sev=~\"crit|warn\"']\n"
    "          receiver: b\n"
    "          repeat_interval: 1h\n"
    "    - matchers: ['team=\"x\"']\n"
    "      receiver: c\n"
    "    - match: {team: y}\n"
    "      receiver: d\n"
    "      continue: true\n"
    "      group_by: ['...']\n"
    "    - match_re: {team: 'y|z'}\n"
    "      receiver: a\n"
    "      group_interval: 7m\n"
    "time_intervals: [{name: night, time_intervals: [{times: [{start_time: '00:00', end_time: "
    "'06:00'}]}]}]\n" RECEIVERS;

START_TEST(first_match_stops_siblings)
{
    struct config *cfg = tu_parse_config(tree_yaml);
    struct errbuf e;
    struct route *root = route_build(cfg, &e);
    ck_assert_ptr_nonnull(root);
    /* team=x: the first team=x route wins; the second (c) is never reached. */
    char *s = route_all(root, "alertname=A,team=x");
    ck_assert_str_eq(s, "a {}/{team=\"x\"}:{alertname=\"A\"}");
    free(s);
    /* continue on the crit child: both children, then stop (c unreached). */
    s = route_all(root, "alertname=A,team=x,sev=crit");
    ck_assert_str_eq(s, "a {}/{team=\"x\"}/{sev=\"crit\"}:{alertname=\"A\", sev=\"crit\"}|"
                        "b {}/{team=\"x\"}/{sev=~\"crit|warn\"}:{alertname=\"A\"}");
    free(s);
    /* No route matches: the root itself. */
    s = route_all(root, "alertname=A,team=q");
    ck_assert_str_eq(s, "root {}:{alertname=\"A\"}");
    free(s);
    /* d has continue: true, so the match_re sibling gets it too; the
     * match_re value shows anchored, as in Alertmanager 0.25. */
    s = route_all(root, "alertname=A,team=y,z=1");
    ck_assert_str_eq(s, "d {}/{team=\"y\"}:{alertname=\"A\", team=\"y\", z=\"1\"}|"
                        "a {}/{team=~\"^(?:y|z)$\"}:{alertname=\"A\"}");
    free(s);
    route_free(root);
    config_free(cfg);
}
END_TEST

START_TEST(inheritance)
{
    struct config *cfg = tu_parse_config(tree_yaml);
    struct errbuf e;
    struct route *root = route_build(cfg, &e);
    ck_assert_uint_eq(route_count(root), 7);
    ck_assert_ptr_null(route_parent(root));
    const struct route *a = route_child(root, 0), *crit = route_child(a, 0);
    const struct route *b = route_child(a, 1);
    ck_assert_ptr_eq(route_parent(crit), a);
    ck_assert_uint_eq(route_index(a), 1);
    ck_assert_uint_eq(route_index(crit), 2);
    ck_assert_uint_eq(route_index(route_child(root, 1)), 4);
    ck_assert_ptr_null(route_child(root, 4));
    /* receiver and timers flow down... */
    ck_assert_str_eq(route_receiver(crit), "a");
    ck_assert_int_eq(route_group_wait_ms(crit), 1000);
    ck_assert_int_eq(route_group_wait_ms(route_child(root, 1)), 10000);
    ck_assert_int_eq(route_group_interval_ms(root), 5 * 60000);
    ck_assert_int_eq(route_group_interval_ms(route_child(root, 3)), 7 * 60000);
    ck_assert_int_eq(route_repeat_interval_ms(b), 3600000);
    ck_assert_int_eq(route_repeat_interval_ms(crit), 4 * 3600000);
    bool all = true;
    const struct strlist *gb = route_group_by(b, &all);
    ck_assert(!all);
    ck_assert_uint_eq(gb->n, 1);
    ck_assert_str_eq(gb->v[0], "alertname");
    route_group_by(route_child(root, 2), &all);
    ck_assert(all);
    /* ...continue and time intervals do not. */
    ck_assert(route_config(crit)->cont);
    ck_assert_uint_eq(route_mute_time_intervals(crit)->n, 1);
    ck_assert_uint_eq(route_mute_time_intervals(b)->n, 0);
    ck_assert_uint_eq(route_active_time_intervals(crit)->n, 0);
    ck_assert_str_eq(route_key(root), "{}");
    ck_assert_str_eq(route_key(crit), "{}/{team=\"x\"}/{sev=\"crit\"}");
    route_free(root);
    config_free(cfg);
}
END_TEST

START_TEST(group_labels)
{
    struct config *cfg = tu_parse_config("route:\n  receiver: a\n  group_by: [zz, alertname, b]\n"
                                         "receivers: [{name: a}]\n");
    struct errbuf e;
    struct route *root = route_build(cfg, &e);
    char *st;
    struct labels ls = tu_labels("zz=1,alertname=X,c=3,a=0", &st), g;
    route_group_labels(root, &ls, &g);
    /* b is absent on the alert: simply absent from the group labels. */
    ck_assert_uint_eq(g.n, 2);
    ck_assert_str_eq(g.v[0].name, "alertname");
    ck_assert_str_eq(g.v[1].name, "zz");
    free(g.v);
    free(ls.v);
    free(st);
    /* No label in common, and an empty label set: no group labels. */
    ls = tu_labels("q=1", &st);
    route_group_labels(root, &ls, &g);
    ck_assert_uint_eq(g.n, 0);
    struct buf b = BUF_INIT;
    route_group_key(root, &g, &b);
    ck_assert_str_eq(buf_str(&b), "{}:{}");
    buf_deinit(&b);
    free(g.v);
    free(ls.v);
    free(st);
    struct labels empty = {0, NULL};
    route_group_labels(root, &empty, &g);
    ck_assert_uint_eq(g.n, 0);
    free(g.v);
    route_free(root);
    config_free(cfg);
}
END_TEST

/* Empty group_by in a child inherits the parent's (0.25), and no group_by
 * at all means one group per route. */
START_TEST(group_by_empty)
{
    struct config *cfg = tu_parse_config("route:\n  receiver: a\n  routes:\n"
                                         "    - {matchers: ['x=\"1\"'], group_by: [x], routes: "
                                         "[{matchers: ['y=\"1\"'], group_by: []}]}\n"
                                         "receivers: [{name: a}]\n");
    struct errbuf e;
    struct route *root = route_build(cfg, &e);
    char *s = route_all(root, "alertname=A,x=1,y=1");
    ck_assert_str_eq(s, "a {}/{x=\"1\"}/{y=\"1\"}:{x=\"1\"}");
    free(s);
    s = route_all(root, "alertname=A,x=2");
    ck_assert_str_eq(s, "a {}:{}");
    free(s);
    route_free(root);
    config_free(cfg);
}
END_TEST

/* Route keys escape as OpenMetrics (raw tab, \n, \", \\); group labels as
 * Go's %q (\t, \u00a0, \a). */
START_TEST(key_escaping)
{
    struct config *cfg = tu_parse_config("route:\n  receiver: a\n  group_by: ['...']\n  routes:\n"
                                         "    - match: {m: \"t\\tq\\\"b\\\\n\\nx\"}\n"
                                         "receivers: [{name: a}]\n");
    struct errbuf e;
    struct route *root = route_build(cfg, &e);
    const struct route *r = route_child(root, 0);
    ck_assert_str_eq(route_key(r), "{}/{m=\"t\tq\\\"b\\\\n\\nx\"}");
    struct label lv[] = {{"m", "t\tq\"b\\n\nx"}, {"u", "\xc3\xa9\xc2\xa0\a"}};
    struct labels ls = {2, lv};
    struct route_vec rv = {0};
    ck_assert_uint_eq(route_match(root, &ls, &rv), 1);
    ck_assert_ptr_eq(rv.v[0], r);
    struct labels g;
    route_group_labels(r, &ls, &g);
    struct buf b = BUF_INIT;
    route_group_key(r, &g, &b);
    ck_assert_str_eq(buf_str(&b), "{}/{m=\"t\tq\\\"b\\\\n\\nx\"}:"
                                  "{m=\"t\\tq\\\"b\\\\n\\nx\", u=\"\xc3\xa9\\u00a0\\a\"}");
    buf_deinit(&b);
    free(g.v);
    route_vec_deinit(&rv);
    route_free(root);
    config_free(cfg);
}
END_TEST

START_TEST(build_errors)
{
    struct errbuf e;
    ck_assert_ptr_null(route_build(NULL, &e));
    ck_assert_str_eq(e.msg, "root route must specify a default receiver");
    route_free(NULL);
}
END_TEST

/* One row: config name, labels (JSON object), receivers and group keys
 * (JSON arrays, sorted by receiver then key -- Alertmanager's order of
 * delivery is not ours to compare). */
static void check_row(const char *line, int lineno)
{
    char *row = xstrdup(line), *col[4];
    char *p = row;
    for (int i = 0; i < 4; i++) {
        col[i] = p;
        p = strchr(p, '\t');
        ck_assert_msg(p != NULL || i == 3, "line %d: 4 columns", lineno);
        if (p)
            *p++ = '\0';
    }
    char path[256];
    snprintf(path, sizeof path, DATA "/%s.yml", col[0]);
    char *text = tu_slurp(path, NULL);
    struct config *cfg = tu_parse_config(text);
    free(text);
    struct errbuf e;
    struct route *root = route_build(cfg, &e);
    json_error_t je;
    json_t *jl = json_loads(col[1], 0, &je), *jr = json_loads(col[2], 0, &je);
    json_t *jk = json_loads(col[3], 0, &je);
    ck_assert_msg(jl && jr && jk, "line %d: bad JSON", lineno);
    struct labels ls = {0, xcalloc(json_object_size(jl) + 1, sizeof(struct label))};
    const char *k;
    json_t *v;
    json_object_foreach(jl, k, v) ls.v[ls.n++] = (struct label){k, json_string_value(v)};
    labels_sort(&ls);

    struct route_vec rv = {0};
    route_match(root, &ls, &rv);
    /* Our (receiver, key) pairs, sorted as the file is. */
    char **got = xcalloc(rv.n + 1, sizeof *got);
    for (size_t i = 0; i < rv.n; i++) {
        struct labels g;
        struct buf b = BUF_INIT;
        route_group_labels(rv.v[i], &ls, &g);
        buf_printf(&b, "%s", route_receiver(rv.v[i]));
        buf_append(&b, "", 1);
        route_group_key(rv.v[i], &g, &b);
        got[i] = buf_steal(&b);
        free(g.v);
    }
    for (size_t i = 1; i < rv.n; i++)
        for (size_t j = i; j > 0; j--) {
            int c = strcmp(got[j - 1], got[j]);
            if (c == 0)
                c = strcmp(got[j - 1] + strlen(got[j - 1]) + 1, got[j] + strlen(got[j]) + 1);
            if (c <= 0)
                break;
            char *t = got[j];
            got[j] = got[j - 1];
            got[j - 1] = t;
        }
    ck_assert_msg(rv.n == json_array_size(jr), "line %d: %zu routes, Alertmanager %zu", lineno,
                  rv.n, json_array_size(jr));
    for (size_t i = 0; i < rv.n; i++) {
        const char *want_r = json_string_value(json_array_get(jr, i));
        const char *want_k = json_string_value(json_array_get(jk, i));
        const char *key = got[i] + strlen(got[i]) + 1;
        ck_assert_msg(strcmp(got[i], want_r) == 0, "line %d: receiver %s, Alertmanager %s", lineno,
                      got[i], want_r);
        ck_assert_msg(strcmp(key, want_k) == 0, "line %d:\n got  %s\n want %s", lineno, key,
                      want_k);
        free(got[i]);
    }
    free(got);
    route_vec_deinit(&rv);
    free(ls.v);
    json_decref(jl), json_decref(jr), json_decref(jk);
    route_free(root);
    config_free(cfg);
    free(row);
}

START_TEST(alertmanager_groupkeys)
{
    char *text = tu_slurp(DATA "/groupkeys.tsv", NULL);
    int lineno = 0, rows = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (*line == '#' || *line == '\0')
            continue;
        check_row(line, lineno);
        rows++;
    }
    ck_assert_int_ge(rows, 10);
    free(text);
}
END_TEST

Suite *route_suite(void)
{
    Suite *s = suite_create("route");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, first_match_stops_siblings);
    tcase_add_test(tc, inheritance);
    tcase_add_test(tc, group_labels);
    tcase_add_test(tc, group_by_empty);
    tcase_add_test(tc, key_escaping);
    tcase_add_test(tc, build_errors);
    tcase_add_test(tc, alertmanager_groupkeys);
    suite_add_tcase(s, tc);
    return s;
}

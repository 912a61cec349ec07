/* test_inhibit.c -- every rule of reference 5.2, on configs parsed from
 * YAML: equal labels (absent = ""), resolved and timeout-resolved sources,
 * self/twin protection, rule order, legacy source_match(_re), updates,
 * removal and GC, and a scale check of the equal-hash index.
 * tests/data/inhibit/inhibit.tsv holds what a real Alertmanager 0.25
 * answered for tests/data/inhibit/rules.yml (capture-am.py); every row must
 * agree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "check_main.h"
#include "config.h"
#include "inhibit.h"
#include "mem.h"
#include "testutil.h"

#define S 1000000000LL /* one second in ns */
#define NOW (1700000000LL * S)

static struct config *parse(const char *rules)
{
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rules:\n%s",
             rules);
    return tu_parse_config(yaml);
}

/* A label set from "a=x,b=y" with its fingerprint; free with al_free. */
struct al {
    char *store;
    struct labels ls;
    uint64_t fp;
};

static struct al al(const char *spec)
{
    struct al a;
    a.ls = tu_labels(spec, &a.store);
    a.fp = labels_fingerprint(&a.ls);
    return a;
}

static void al_free(struct al *a)
{
    free(a->store);
    free(a->ls.v);
}

static const char *const basic = "  - source_matchers: ['severity=\"critical\"']\n"
                                 "    target_matchers: ['severity=\"warning\"']\n"
                                 "    equal: [alertname, cluster]\n";

START_TEST(equal_labels)
{
    struct config *cfg = parse(basic);
    struct inhibitor *inh = inhibit_new(cfg);
    struct al src = al("alertname=Disk,cluster=c1,severity=critical");
    struct al same = al("alertname=Disk,cluster=c1,severity=warning,instance=x");
    struct al other = al("alertname=Disk,cluster=c2,severity=warning");
    struct al nocl = al("alertname=Disk,severity=warning");
    uint64_t by = 0;
    ck_assert(!inhibit_mutes(inh, &same.ls, NOW, &by)); /* no source yet */
    inhibit_put(inh, &src.ls, src.fp, 0);
    ck_assert(inhibit_mutes(inh, &same.ls, NOW, &by));
    ck_assert(by == src.fp);
    ck_assert(!inhibit_mutes(inh, &other.ls, NOW, NULL)); /* cluster differs */
    ck_assert(!inhibit_mutes(inh, &nocl.ls, NOW, NULL));  /* absent vs "c1" */
    /* The source itself is not a target. */
    ck_assert(!inhibit_mutes(inh, &src.ls, NOW, NULL));
    /* Absent on both sides is equal. */
    struct al src2 = al("alertname=Disk,severity=critical");
    inhibit_put(inh, &src2.ls, src2.fp, 0);
    ck_assert(inhibit_mutes(inh, &nocl.ls, NOW, &by));
    ck_assert(by == src2.fp);
    ck_assert_uint_eq(inhibit_cached(inh), 2);
    al_free(&src), al_free(&same), al_free(&other), al_free(&nocl), al_free(&src2);
    inhibit_free(inh);
    config_free(cfg);
}
END_TEST

/* Only firing sources inhibit: ends_at in the past (or now) does not,
 * ends_at in the future (resolve_timeout) does until it passes. */
START_TEST(resolved_sources)
{
    struct config *cfg = parse(basic);
    struct inhibitor *inh = inhibit_new(cfg);
    struct al src = al("alertname=A,severity=critical");
    struct al tgt = al("alertname=A,severity=warning");
    inhibit_put(inh, &src.ls, src.fp, NOW + 300 * S);
    ck_assert(inhibit_mutes(inh, &tgt.ls, NOW, NULL));
    ck_assert(inhibit_mutes(inh, &tgt.ls, NOW + 300 * S - 1, NULL));
    ck_assert(!inhibit_mutes(inh, &tgt.ls, NOW + 300 * S, NULL)); /* endsAt <= now */
    /* An update resolving it, then firing again. */
    inhibit_put(inh, &src.ls, src.fp, NOW - S);
    ck_assert(!inhibit_mutes(inh, &tgt.ls, NOW, NULL));
    inhibit_put(inh, &src.ls, src.fp, 0);
    ck_assert(inhibit_mutes(inh, &tgt.ls, NOW, NULL));
    ck_assert_uint_eq(inhibit_cached(inh), 1); /* updated in place */
    /* GC drops only resolved ones. */
    ck_assert_uint_eq(inhibit_gc(inh, NOW), 0);
    inhibit_put(inh, &src.ls, src.fp, NOW - S);
    ck_assert_uint_eq(inhibit_gc(inh, NOW), 1);
    ck_assert_uint_eq(inhibit_cached(inh), 0);
    ck_assert(!inhibit_mutes(inh, &tgt.ls, NOW, NULL));
    /* Removal (store GC). */
    inhibit_put(inh, &src.ls, src.fp, 0);
    inhibit_remove(inh, src.fp);
    inhibit_remove(inh, src.fp); /* twice: no-op */
    ck_assert(!inhibit_mutes(inh, &tgt.ls, NOW, NULL));
    al_free(&src), al_free(&tgt);
    inhibit_free(inh);
    config_free(cfg);
}
END_TEST

/* A rule whose two sides overlap: alerts matching both never inhibit each
 * other (nor themselves); a source matching only the source side does
 * inhibit them; a two-sided source inhibits a target-only alert. */
START_TEST(self_and_twins)
{
    struct config *cfg = parse("  - source_matchers: ['team=\"ops\"']\n"
                               "    target_matchers: ['severity=~\"warning|critical\"']\n"
                               "    equal: [cluster]\n");
    struct inhibitor *inh = inhibit_new(cfg);
    struct al both1 = al("alertname=X,team=ops,severity=critical,cluster=c");
    struct al both2 = al("alertname=Y,team=ops,severity=warning,cluster=c");
    struct al tgt = al("alertname=Z,severity=warning,cluster=c");
    struct al src = al("alertname=S,team=ops,severity=info,cluster=c");
    inhibit_put(inh, &both1.ls, both1.fp, 0);
    inhibit_put(inh, &both2.ls, both2.fp, 0);
    ck_assert(!inhibit_mutes(inh, &both1.ls, NOW, NULL)); /* not by itself */
    ck_assert(!inhibit_mutes(inh, &both2.ls, NOW, NULL)); /* not by its twin */
    uint64_t by = 0;
    ck_assert(inhibit_mutes(inh, &tgt.ls, NOW, &by)); /* two-sided source, plain target */
    ck_assert(by == both1.fp || by == both2.fp);
    inhibit_put(inh, &src.ls, src.fp, 0);
    ck_assert(inhibit_mutes(inh, &both1.ls, NOW, &by)); /* source-only alert */
    ck_assert(by == src.fp);
    al_free(&both1), al_free(&both2), al_free(&tgt), al_free(&src);
    inhibit_free(inh);
    config_free(cfg);
}
END_TEST

/* Rules in config order; the first that mutes names its source.  An
 * inhibited alert still inhibits others; legacy maps work. */
START_TEST(rules_order_and_legacy)
{
    struct config *cfg = parse("  - source_match: {alertname: NodeDown}\n"
                               "    target_match_re: {alertname: 'Disk.*|CPU'}\n"
                               "    equal: [instance, instance]\n"
                               "  - source_matchers: ['alertname=\"DiskFull\"']\n"
                               "    target_matchers: ['alertname=\"CPU\"']\n"
                               "    equal: [instance]\n"
                               "  - source_match_re: {alertname: 'Datacenter.*'}\n"
                               "    target_matchers: ['alertname!=\"\"']\n");
    struct inhibitor *inh = inhibit_new(cfg);
    struct al down = al("alertname=NodeDown,instance=h1");
    struct al disk = al("alertname=DiskFull,instance=h1");
    struct al cpu = al("alertname=CPU,instance=h1");
    struct al cpu2 = al("alertname=CPU,instance=h2");
    struct al disk2 = al("alertname=DiskFull,instance=h2");
    struct al dc = al("alertname=DatacenterOnFire");
    inhibit_put(inh, &down.ls, down.fp, 0);
    inhibit_put(inh, &disk.ls, disk.fp, 0);
    inhibit_put(inh, &disk2.ls, disk2.fp, 0);
    uint64_t by = 0;
    ck_assert(inhibit_mutes(inh, &cpu.ls, NOW, &by));
    ck_assert(by == down.fp); /* rule 1 first, though rule 2 applies too */
    ck_assert(inhibit_mutes(inh, &disk.ls, NOW, &by));
    ck_assert(by == down.fp);
    /* DiskFull/h2 is not inhibited, and inhibits CPU/h2 by rule 2. */
    ck_assert(!inhibit_mutes(inh, &disk2.ls, NOW, NULL));
    ck_assert(inhibit_mutes(inh, &cpu2.ls, NOW, &by));
    ck_assert(by == disk2.fp);
    /* An inhibited source (DiskFull/h1, inhibited by NodeDown) still
     * inhibits: with NodeDown resolved, rule 2 takes over. */
    inhibit_put(inh, &down.ls, down.fp, NOW - S);
    ck_assert(inhibit_mutes(inh, &cpu.ls, NOW, &by));
    ck_assert(by == disk.fp);
    /* No equal labels: any firing source of the rule mutes every target,
     * except (two-sided) itself. */
    inhibit_put(inh, &dc.ls, dc.fp, 0);
    ck_assert(inhibit_mutes(inh, &down.ls, NOW, &by));
    ck_assert(by == dc.fp);
    ck_assert(!inhibit_mutes(inh, &dc.ls, NOW, NULL));
    ck_assert_uint_eq(inhibit_cached(inh), 4);
    al_free(&down), al_free(&disk), al_free(&cpu), al_free(&cpu2), al_free(&disk2), al_free(&dc);
    inhibit_free(inh);
    config_free(cfg);
}
END_TEST

START_TEST(no_rules)
{
    struct config *cfg = parse("  []\n");
    struct inhibitor *inh = inhibit_new(cfg);
    struct al a = al("alertname=A");
    inhibit_put(inh, &a.ls, a.fp, 0);
    ck_assert(!inhibit_mutes(inh, &a.ls, NOW, NULL));
    ck_assert_uint_eq(inhibit_cached(inh), 0);
    ck_assert_uint_eq(inhibit_gc(inh, NOW), 0);
    al_free(&a);
    inhibit_free(inh);
    inhibit_free(NULL);
    config_free(cfg);
}
END_TEST

/* 20000 sources on distinct clusters: lookups go through the equal-hash
 * index, not a scan (bounded time), and removal keeps both indexes sound. */
START_TEST(scale)
{
    struct config *cfg = parse(basic);
    struct inhibitor *inh = inhibit_new(cfg);
    enum { N = 20000 };
    char spec[128];
    uint64_t *fps = xcalloc(N, sizeof *fps);
    for (int i = 0; i < N; i++) {
        snprintf(spec, sizeof spec, "alertname=A,cluster=c%d,severity=critical", i);
        struct al a = al(spec);
        fps[i] = a.fp;
        inhibit_put(inh, &a.ls, a.fp, i % 2 ? NOW - S : 0); /* odd ones resolved */
        al_free(&a);
    }
    ck_assert_uint_eq(inhibit_cached(inh), N);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int muted = 0;
    for (int i = 0; i < N; i++) {
        snprintf(spec, sizeof spec, "alertname=A,cluster=c%d,severity=warning", i);
        struct al t = al(spec);
        uint64_t by = 0;
        if (inhibit_mutes(inh, &t.ls, NOW, &by)) {
            muted++;
            ck_assert(by == fps[i]);
        }
        al_free(&t);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_int_eq(muted, N / 2);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ck_assert_msg(secs < 1.0, "%d lookups took %.3fs", N, secs);
    ck_assert_uint_eq(inhibit_gc(inh, NOW), N / 2);
    for (int i = 0; i < N; i += 2)
        inhibit_remove(inh, fps[i]);
    ck_assert_uint_eq(inhibit_cached(inh), 0);
    free(fps);
    inhibit_free(inh);
    config_free(cfg);
}
END_TEST

/* The rows of tests/data/inhibit/inhibit.tsv: all alerts are put first,
 * then each listed one must be inhibited by (one of) the alert(s) named. */
START_TEST(alertmanager_cases)
{
    json_error_t je;
    FILE *f = fopen("tests/data/inhibit/rules.yml", "rb");
    ck_assert_ptr_nonnull(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = config_parse(text, n, "rules.yml", ".", &d);
    cfg_diag_deinit(&d);
    ck_assert_ptr_nonnull(cfg);
    struct inhibitor *inh = inhibit_new(cfg);

    f = fopen("tests/data/inhibit/inhibit.tsv", "rb");
    ck_assert_ptr_nonnull(f);
    struct row {
        struct labels ls;
        json_t *j;
        char by[128];
    } rows[64];
    size_t nr = 0;
    char line[1024];
    while (fgets(line, sizeof line, f) && nr < 64) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        ck_assert_msg(t1 && t2, "bad row %s", line);
        *t1++ = '\0', *t2++ = '\0';
        struct row *r = &rows[nr++];
        r->j = json_loads(line, 0, &je);
        ck_assert_ptr_nonnull(r->j);
        r->ls.n = 0;
        r->ls.v = xcalloc(json_object_size(r->j) + 1, sizeof *r->ls.v);
        const char *k;
        json_t *v;
        json_object_foreach(r->j, k, v) r->ls.v[r->ls.n++] =
            (struct label){k, json_string_value(v)};
        labels_sort(&r->ls);
        snprintf(r->by, sizeof r->by, "%s", t2);
        int64_t ends = strcmp(t1, "past") == 0     ? NOW - 3600 * S
                       : strcmp(t1, "future") == 0 ? NOW + 3600 * S
                                                   : 0;
        inhibit_put(inh, &r->ls, labels_fingerprint(&r->ls), ends);
    }
    fclose(f);
    ck_assert_uint_ge(nr, 15);
    for (size_t i = 0; i < nr; i++) {
        struct row *r = &rows[i];
        if (strcmp(r->by, "(not listed)") == 0)
            continue;
        uint64_t by = 0;
        bool muted = inhibit_mutes(inh, &r->ls, NOW, &by);
        char *dump = json_dumps(r->j, JSON_SORT_KEYS);
        ck_assert_msg(muted == (strcmp(r->by, "-") != 0), "%s: muted %d, Alertmanager %s", dump,
                      muted, r->by);
        if (muted) {
            const char *name = NULL;
            for (size_t j = 0; j < nr; j++)
                if (labels_fingerprint(&rows[j].ls) == by)
                    name = labels_get(&rows[j].ls, "alertname");
            ck_assert_ptr_nonnull(name);
            /* r->by is "a" or "a|b": ours must be one of them. */
            bool found = false;
            char set[128];
            snprintf(set, sizeof set, "%s", r->by);
            for (char *tok = strtok(set, "|"); tok; tok = strtok(NULL, "|"))
                found |= strcmp(tok, name) == 0;
            ck_assert_msg(found, "%s: inhibited by %s, Alertmanager %s", dump, name, r->by);
        }
        free(dump);
    }
    for (size_t i = 0; i < nr; i++) {
        free(rows[i].ls.v);
        json_decref(rows[i].j);
    }
    inhibit_free(inh);
    config_free(cfg);
}
END_TEST

Suite *inhibit_suite(void)
{
    Suite *s = suite_create("inhibit");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, equal_labels);
    tcase_add_test(tc, resolved_sources);
    tcase_add_test(tc, self_and_twins);
    tcase_add_test(tc, rules_order_and_legacy);
    tcase_add_test(tc, no_rules);
    tcase_add_test(tc, scale);
    tcase_add_test(tc, alertmanager_cases);
    suite_add_tcase(s, tc);
    return s;
}

/* test_nflog.c -- the notification log: Alertmanager 0.25's dedup decision
 * (DedupStage.needsUpdate, table-driven), expiry and GC, and the snapshot:
 * round trip, determinism, corrupt, truncated and partly invalid files. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "testutil.h"
#include "nflog.h"

#define S NS_PER_SEC
#define T0 (1800000000LL * S)
#define MIN (60 * S)
#define HOUR (60 * MIN)
#define MAXH 4

/* ---- the decision table ------------------------------------------------------ */

struct dedup_case {
    const char *name;
    bool has_entry;
    uint64_t e_firing[MAXH], e_resolved[MAXH]; /* 0-terminated */
    int64_t age;                               /* now - entry timestamp */
    uint64_t firing[MAXH], resolved[MAXH];
    bool send_resolved;
    int64_t repeat;
    enum nflog_reason want;
};

static const struct dedup_case cases[] = {
    {"no entry, something fires", false, {0}, {0}, 0, {1}, {0}, true, HOUR, NFLOG_FIRST},
    {"no entry, only resolved", false, {0}, {0}, 0, {0}, {1}, true, HOUR, NFLOG_NO_UPDATE},
    {"no entry, nothing", false, {0}, {0}, 0, {0}, {0}, true, HOUR, NFLOG_NO_UPDATE},
    {"same firing set, fresh", true, {1, 2}, {0}, MIN, {1, 2}, {0}, true, HOUR, NFLOG_NO_UPDATE},
    {"firing alert vanished (silenced): nothing",
     true,
     {1, 2},
     {0},
     MIN,
     {1},
     {0},
     true,
     HOUR,
     NFLOG_NO_UPDATE},
    {"new firing alert", true, {1}, {0}, MIN, {1, 2}, {0}, true, HOUR, NFLOG_NEW_ALERTS},
    {"new firing alert, send_resolved false",
     true,
     {1},
     {0},
     MIN,
     {2},
     {1},
     false,
     HOUR,
     NFLOG_NEW_ALERTS},
    {"entry had no firing: first again", true, {0}, {1}, MIN, {2}, {1}, true, HOUR, NFLOG_FIRST},
    {"all resolved", true, {1}, {0}, MIN, {0}, {1}, true, HOUR, NFLOG_ALL_RESOLVED},
    {"all resolved, send_resolved false: still sent",
     true,
     {1},
     {0},
     MIN,
     {0},
     {1},
     false,
     HOUR,
     NFLOG_ALL_RESOLVED},
    {"all resolved, nothing was firing",
     true,
     {0},
     {1},
     MIN,
     {0},
     {1, 2},
     true,
     HOUR,
     NFLOG_NO_UPDATE},
    {"some resolved", true, {1, 2}, {0}, MIN, {1}, {2}, true, HOUR, NFLOG_SOME_RESOLVED},
    {"some resolved, send_resolved false",
     true,
     {1, 2},
     {0},
     MIN,
     {1},
     {2},
     false,
     HOUR,
     NFLOG_NO_UPDATE},
    {"resolved already notified", true, {1}, {2}, MIN, {1}, {2}, true, HOUR, NFLOG_NO_UPDATE},
    {"resolved subset of notified", true, {1}, {2, 3}, MIN, {1}, {3}, true, HOUR, NFLOG_NO_UPDATE},
    {"repeat interval elapsed", true, {1}, {0}, HOUR + 1, {1}, {0}, true, HOUR, NFLOG_REPEAT},
    {"repeat interval exactly now: not yet",
     true,
     {1},
     {0},
     HOUR,
     {1},
     {0},
     true,
     HOUR,
     NFLOG_NO_UPDATE},
    {"repeat elapsed with a vanished alert",
     true,
     {1, 2},
     {0},
     2 * HOUR,
     {2},
     {0},
     false,
     HOUR,
     NFLOG_REPEAT},
    {"new firing beats repeat",
     true,
     {1},
     {0},
     2 * HOUR,
     {1, 9},
     {0},
     true,
     HOUR,
     NFLOG_NEW_ALERTS},
    {"all resolved after a long time",
     true,
     {1},
     {0},
     2 * HOUR,
     {0},
     {1},
     false,
     HOUR,
     NFLOG_ALL_RESOLVED},
};

static size_t count(const uint64_t *v)
{
    size_t n = 0;
    while (n < MAXH && v[n])
        n++;
    return n;
}

START_TEST(dedup_table)
{
    const struct dedup_case *c = &cases[_i];
    struct nflog *l = nflog_new(NULL, 120 * HOUR);
    struct nflog_key k = {"{}:{a=\"b\"}", "team", "webhook", 0};
    if (c->has_entry)
        nflog_log(l, &k, c->e_firing, count(c->e_firing), c->e_resolved, count(c->e_resolved),
                  T0 - c->age, 2 * c->repeat);
    const struct nflog_entry *e = nflog_query(l, &k);
    ck_assert_msg((e != NULL) == c->has_entry, "%s: entry", c->name);
    /* The caller's sets arrive unsorted and with duplicates. */
    uint64_t f[2 * MAXH], r[2 * MAXH];
    size_t nf = count(c->firing), nr = count(c->resolved);
    for (size_t i = 0; i < nf; i++)
        f[nf - 1 - i] = f[nf + i] = c->firing[i];
    for (size_t i = 0; i < nr; i++)
        r[nr - 1 - i] = r[nr + i] = c->resolved[i];
    struct nflog_key k2 = {"scratch", "x", "y", 0};
    nflog_log(l, &k2, f, 2 * nf, r, 2 * nr, T0, 0);
    const struct nflog_entry *s = nflog_query(l, &k2);
    ck_assert_uint_eq(s->n_firing, nf);
    ck_assert_uint_eq(s->n_resolved, nr);
    struct nflog_sets sets = {s->n_firing, s->n_resolved, (uint64_t *)s->firing,
                              (uint64_t *)s->resolved};
    e = nflog_query(l, &k);
    enum nflog_reason got = nflog_needs_update(e, &sets, c->send_resolved, c->repeat, T0);
    ck_assert_msg(got == c->want, "%s: got %s, want %s", c->name, nflog_reason_str(got),
                  nflog_reason_str(c->want));
    nflog_free(l);
}
END_TEST

START_TEST(sets_from_alerts)
{
    struct label la[] = {{"alertname", "A"}}, lb[] = {{"alertname", "B"}};
    struct alert *a = alert_new(la, 1, NULL, 0, NULL), *b = alert_new(lb, 1, NULL, 0, NULL);
    a->starts_at = b->starts_at = T0 - HOUR;
    b->ends_at = T0; /* resolved at T0 exactly: ends_at <= now */
    a->ends_at = T0 + 1;
    struct alert *v[] = {a, b, a};
    struct nflog_sets s;
    nflog_sets_from_alerts(&s, v, 3, T0);
    ck_assert_uint_eq(s.n_firing, 1);
    ck_assert_uint_eq(s.n_resolved, 1);
    ck_assert(s.firing[0] == a->fingerprint && s.resolved[0] == b->fingerprint);
    ck_assert(nflog_alert_hash(a) == a->fingerprint);
    nflog_sets_deinit(&s);
    nflog_sets_from_alerts(&s, v, 3, T0 + 1);
    ck_assert_uint_eq(s.n_firing, 0);
    ck_assert_uint_eq(s.n_resolved, 2);
    nflog_sets_deinit(&s);
    alert_unref(a);
    alert_unref(b);
}
END_TEST

/* ---- keys, expiry, gc ------------------------------------------------------------ */

START_TEST(keys_are_distinct)
{
    struct nflog *l = nflog_new(NULL, 120 * HOUR);
    uint64_t one = 1, two = 2;
    struct nflog_key a = {"gk", "team", "webhook", 0}, b = {"gk", "team", "webhook", 1},
                     c = {"gk", "team", "slack", 0}, d = {"gk", "other", "webhook", 0},
                     e = {"gk2", "team", "webhook", 0};
    nflog_log(l, &a, &one, 1, NULL, 0, T0, 0);
    nflog_log(l, &b, &two, 1, NULL, 0, T0, 0);
    ck_assert_uint_eq(nflog_len(l), 2);
    ck_assert(nflog_query(l, &a)->firing[0] == 1);
    ck_assert(nflog_query(l, &b)->firing[0] == 2);
    ck_assert_ptr_null(nflog_query(l, &c));
    ck_assert_ptr_null(nflog_query(l, &d));
    ck_assert_ptr_null(nflog_query(l, &e));
    /* Replacing keeps one entry; an older timestamp does not replace. */
    nflog_log(l, &a, &two, 1, &one, 1, T0 + S, 0);
    ck_assert_uint_eq(nflog_len(l), 2);
    ck_assert(nflog_query(l, &a)->firing[0] == 2 && nflog_query(l, &a)->n_resolved == 1);
    nflog_log(l, &a, &one, 1, NULL, 0, T0, 0);
    ck_assert(nflog_query(l, &a)->firing[0] == 2);
    ck_assert_int_eq(nflog_query(l, &a)->timestamp, T0 + S);
    /* Many entries: the table grows and keeps them all. */
    char gk[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(gk, sizeof gk, "g%d", i);
        struct nflog_key k = {gk, "r", "webhook", 0};
        uint64_t h = (uint64_t)i + 1;
        nflog_log(l, &k, &h, 1, NULL, 0, T0, 0);
    }
    ck_assert_uint_eq(nflog_len(l), 1002);
    snprintf(gk, sizeof gk, "g%d", 777);
    struct nflog_key k = {gk, "r", "webhook", 0};
    ck_assert(nflog_query(l, &k)->firing[0] == 778);
    nflog_free(l);
}
END_TEST

START_TEST(expiry_and_gc)
{
    struct nflog *l = nflog_new(NULL, 10 * HOUR);
    uint64_t one = 1;
    struct nflog_key a = {"a", "r", "webhook", 0}, b = {"b", "r", "webhook", 0},
                     c = {"c", "r", "webhook", 0};
    nflog_log(l, &a, &one, 1, NULL, 0, T0, 2 * HOUR);  /* 2 x repeat < retention */
    nflog_log(l, &b, &one, 1, NULL, 0, T0, 40 * HOUR); /* retention wins */
    nflog_log(l, &c, &one, 1, NULL, 0, T0, 0);         /* no expiry: retention */
    ck_assert_int_eq(nflog_query(l, &a)->expires_at, T0 + 2 * HOUR);
    ck_assert_int_eq(nflog_query(l, &b)->expires_at, T0 + 10 * HOUR);
    ck_assert_int_eq(nflog_query(l, &c)->expires_at, T0 + 10 * HOUR);
    ck_assert_uint_eq(nflog_gc(l, T0 + 2 * HOUR - 1), 0);
    ck_assert_uint_eq(nflog_gc(l, T0 + 2 * HOUR), 1); /* expiry not after now: gone */
    ck_assert_ptr_null(nflog_query(l, &a));
    ck_assert_uint_eq(nflog_gc(l, T0 + 10 * HOUR), 2);
    ck_assert_uint_eq(nflog_len(l), 0);
    nflog_free(l);
}
END_TEST

/* ---- persistence ------------------------------------------------------------------ */

static char tmpdir[64];

static void mk_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/ar-nflog-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
        unlink(p);
    }
    closedir(d);
    ck_assert_int_eq(rmdir(tmpdir), 0);
}

static int corrupt_copies(void)
{
    int n = 0;
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    while ((e = readdir(d)))
        n += strncmp(e->d_name, NFLOG_FILE_NAME ".corrupt-", strlen(NFLOG_FILE_NAME) + 9) == 0;
    closedir(d);
    return n;
}

static void spit(const char *path, const char *s, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(s, 1, len, f), len);
    fclose(f);
}

static void file_path(char *p, size_t n)
{
    snprintf(p, n, "%s/%s", tmpdir, NFLOG_FILE_NAME);
}

START_TEST(snapshot_round_trip)
{
    mk_tmpdir();
    struct errbuf err;
    struct nflog *l = nflog_new(tmpdir, 120 * HOUR);
    ck_assert_int_eq(nflog_load(l, T0, &err), 0); /* no file yet: fine */
    uint64_t f[] = {0xffffffffffffffffULL, 3, 0x14c45fec1cfde37eULL}, r[] = {7};
    struct nflog_key a = {"{}/{severity=\"critical\"}:{alertname=\"X\"}", "crit.team", "webhook",
                          2};
    struct nflog_key b = {"{}:{}", "null", "email", 0};
    struct nflog_key c = {"{}:{gone=\"1\"}", "r", "slack", 0};
    nflog_log(l, &a, f, 3, r, 1, T0, 8 * HOUR);
    nflog_log(l, &b, NULL, 0, r, 1, T0 + 5, 0);
    nflog_log(l, &c, f, 1, NULL, 0, T0 - 10 * HOUR, 2 * HOUR); /* expired by T0 */
    long size = nflog_snapshot(l, &err);
    ck_assert_msg(size > 0, "%s", err.msg);
    nflog_free(l);

    l = nflog_new(tmpdir, 120 * HOUR);
    ck_assert_msg(nflog_load(l, T0, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(nflog_len(l), 2);
    const struct nflog_entry *e = nflog_query(l, &a);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->timestamp, T0);
    ck_assert_int_eq(e->expires_at, T0 + 8 * HOUR);
    ck_assert_uint_eq(e->n_firing, 3);
    ck_assert(e->firing[0] == 3 && e->firing[1] == 0x14c45fec1cfde37eULL &&
              e->firing[2] == 0xffffffffffffffffULL);
    ck_assert(e->n_resolved == 1 && e->resolved[0] == 7);
    e = nflog_query(l, &b);
    ck_assert(e && e->n_firing == 0 && e->n_resolved == 1 && e->timestamp == T0 + 5);
    ck_assert_ptr_null(nflog_query(l, &c));

    /* The same state gives the same bytes. */
    char p[512];
    file_path(p, sizeof p);
    size_t len1, len2;
    char *one = tu_slurp(p, &len1);
    ck_assert_int_gt(nflog_snapshot(l, &err), 0);
    nflog_free(l);
    char *two = tu_slurp(p, &len2);
    ck_assert_uint_eq(len1, (size_t)size); /* the size reported is the file's */
    ck_assert(len2 < len1);                /* the expired entry is gone from the second snapshot */
    ck_assert_ptr_nonnull(strstr(one, "\"format\": \"alertrouter-nflog\""));
    ck_assert_ptr_nonnull(strstr(two, "\"14c45fec1cfde37e\""));
    ck_assert_ptr_null(strstr(two, "slack"));
    free(one);
    free(two);
    ck_assert_int_eq(corrupt_copies(), 0);
    rm_tmpdir();
}
END_TEST

START_TEST(snapshot_deterministic)
{
    mk_tmpdir();
    struct errbuf err;
    char p[512];
    file_path(p, sizeof p);
    uint64_t h = 5;
    char gk[16];
    /* Insert in two different orders; the file must not care. */
    for (int pass = 0; pass < 2; pass++) {
        struct nflog *l = nflog_new(tmpdir, 120 * HOUR);
        for (int i = 0; i < 50; i++) {
            snprintf(gk, sizeof gk, "g%02d", pass ? 49 - i : i);
            struct nflog_key k = {gk, "r", "webhook", 0};
            nflog_log(l, &k, &h, 1, NULL, 0, T0, 0);
        }
        ck_assert_int_gt(nflog_snapshot(l, &err), 0);
        nflog_free(l);
        char q[600];
        snprintf(q, sizeof q, "%s.pass%d", p, pass);
        ck_assert_int_eq(rename(p, q), 0);
    }
    size_t l0, l1;
    char q[600];
    snprintf(q, sizeof q, "%s.pass0", p);
    char *a = tu_slurp(q, &l0);
    snprintf(q, sizeof q, "%s.pass1", p);
    char *b = tu_slurp(q, &l1);
    ck_assert_uint_eq(l0, l1);
    ck_assert(memcmp(a, b, l0) == 0);
    free(a);
    free(b);
    rm_tmpdir();
}
END_TEST

START_TEST(corrupt_file)
{
    static const char *bad[] = {
        "not json at all",
        "{\"format\": \"alertrouter-silences\", \"version\": 1, \"count\": 0, \"entries\": []}",
        "{\"format\": \"alertrouter-nflog\", \"version\": 2, \"count\": 0, \"entries\": []}",
        "{\"format\": \"alertrouter-nflog\", \"version\": 1, \"count\": 3, \"entries\": []}",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mk_tmpdir();
        char p[512];
        file_path(p, sizeof p);
        spit(p, bad[i], strlen(bad[i]));
        struct nflog *l = nflog_new(tmpdir, HOUR);
        struct errbuf err;
        ck_assert_int_eq(nflog_load(l, T0, &err), -1);
        ck_assert_msg(strstr(err.msg, "is unusable") && strstr(err.msg, "empty log"), "%s",
                      err.msg);
        ck_assert_uint_eq(nflog_len(l), 0);
        ck_assert_int_eq(corrupt_copies(), 1);
        ck_assert_int_eq(access(p, F_OK), -1); /* moved aside */
        /* Still usable: log and snapshot work. */
        uint64_t h = 1;
        struct nflog_key k = {"g", "r", "webhook", 0};
        nflog_log(l, &k, &h, 1, NULL, 0, T0, 0);
        ck_assert_int_gt(nflog_snapshot(l, &err), 0);
        nflog_free(l);
        rm_tmpdir();
    }
}
END_TEST

START_TEST(truncated_file)
{
    mk_tmpdir();
    struct errbuf err;
    struct nflog *l = nflog_new(tmpdir, 120 * HOUR);
    uint64_t h[] = {1, 2};
    char gk[16];
    for (int i = 0; i < 20; i++) {
        snprintf(gk, sizeof gk, "g%d", i);
        struct nflog_key k = {gk, "r", "webhook", 0};
        nflog_log(l, &k, h, 2, NULL, 0, T0, 0);
    }
    ck_assert_int_gt(nflog_snapshot(l, &err), 0);
    nflog_free(l);
    char p[512];
    file_path(p, sizeof p);
    size_t len;
    char *s = tu_slurp(p, &len);
    for (size_t cut = 1; cut < len; cut += len / 7) {
        spit(p, s, cut);
        l = nflog_new(tmpdir, 120 * HOUR);
        ck_assert_int_eq(nflog_load(l, T0, &err), -1);
        ck_assert_uint_eq(nflog_len(l), 0);
        nflog_free(l);
    }
    free(s);
    rm_tmpdir();
}
END_TEST

START_TEST(partly_invalid_file)
{
    mk_tmpdir();
    char p[512];
    file_path(p, sizeof p);
    const char *text =
        "{\"format\": \"alertrouter-nflog\", \"version\": 1, \"count\": 3, \"entries\": ["
        "{\"groupKey\": \"g1\", \"receiver\": \"r\", \"integration\": \"webhook\", \"idx\": 0,"
        " \"timestamp\": 1800000000000000000, \"expiresAt\": 1900000000000000000,"
        " \"firing\": [\"00000000000000ff\"], \"resolved\": []},"
        "{\"groupKey\": \"g2\", \"receiver\": \"r\", \"integration\": \"webhook\", \"idx\": 0,"
        " \"timestamp\": 1800000000000000000, \"expiresAt\": 1900000000000000000,"
        " \"firing\": [\"xyz\"], \"resolved\": []},"
        "{\"groupKey\": \"g3\", \"receiver\": \"r\", \"integration\": \"webhook\", \"idx\": 0,"
        " \"timestamp\": 1800000000000000000, \"expiresAt\": 1900000000000000000,"
        " \"firing\": [], \"resolved\": [], \"extra\": 1}]}";
    spit(p, text, strlen(text));
    struct nflog *l = nflog_new(tmpdir, 120 * HOUR);
    struct errbuf err;
    ck_assert_int_eq(nflog_load(l, T0, &err), -1);
    ck_assert_msg(strstr(err.msg, "skipped 2 invalid entries") && strstr(err.msg, "entry 1"), "%s",
                  err.msg);
    ck_assert_uint_eq(nflog_len(l), 1);
    struct nflog_key k = {"g1", "r", "webhook", 0};
    ck_assert(nflog_query(l, &k)->firing[0] == 0xff);
    ck_assert_int_eq(corrupt_copies(), 1);
    ck_assert_int_eq(access(p, F_OK), 0); /* kept in place: the next snapshot replaces it */
    nflog_free(l);
    rm_tmpdir();
}
END_TEST

START_TEST(unwritable_dir)
{
    struct nflog *l = nflog_new("/nonexistent/ar-nflog", HOUR);
    uint64_t h = 1;
    struct nflog_key k = {"g", "r", "webhook", 0};
    nflog_log(l, &k, &h, 1, NULL, 0, T0, 0);
    struct errbuf err;
    ck_assert_int_eq(nflog_snapshot(l, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/ar-nflog"));
    ck_assert_int_eq(nflog_load(l, T0, &err), 0); /* no file: nothing to load */
    ck_assert_uint_eq(nflog_len(l), 1);
    nflog_free(l);
}
END_TEST

Suite *nflog_suite(void)
{
    Suite *s = suite_create("nflog");
    TCase *tc = tcase_create("nflog");
    tcase_add_loop_test(tc, dedup_table, 0, (int)(sizeof cases / sizeof *cases));
    tcase_add_test(tc, sets_from_alerts);
    tcase_add_test(tc, keys_are_distinct);
    tcase_add_test(tc, expiry_and_gc);
    tcase_add_test(tc, snapshot_round_trip);
    tcase_add_test(tc, snapshot_deterministic);
    tcase_add_test(tc, corrupt_file);
    tcase_add_test(tc, truncated_file);
    tcase_add_test(tc, partly_invalid_file);
    tcase_add_test(tc, unwritable_dir);
    suite_add_tcase(s, tc);
    return s;
}

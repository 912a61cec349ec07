/* test_alert_journal.c -- active alerts survive a restart: round trip,
 * compaction, a crash between snapshot and new journal, and a journal or
 * snapshot cut or damaged at arbitrary points (never a crash, never a
 * misread record, the good prefix always recovered). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert.h"
#include "alert_journal.h"
#include "alert_store.h"
#include "check_main.h"
#include "intern.h"
#include "testutil.h"

#define S NS_PER_SEC
#define T0 (1700000000LL * S)
#define MIN (60 * S)

static char dir[64];

static void mk_dir(void)
{
    tu_mkdtemp(dir, sizeof dir, "journal");
}

static void rm_dir(void)
{
    tu_rmdir(dir);
}

static size_t read_file(const char *name, char *out, size_t cap)
{
    return tu_read_file(dir, name, out, cap);
}

static void write_file(const char *name, const char *data, size_t n)
{
    tu_write_file(dir, name, data, n);
}

static struct alert *mk(int i, const char *summary, int64_t starts, int64_t ends, int64_t upd)
{
    char inst[32];
    snprintf(inst, sizeof inst, "host-%d", i);
    struct label l[] = {{"alertname", "Disk"}, {"instance", inst}, {"sev", "crit\n\"q\""}};
    struct label an[] = {{"summary", summary}, {"empty", ""}};
    struct alert *a = alert_new(l, 3, an, 2, "http://prom/graph?g0.expr=x");
    a->starts_at = starts;
    a->ends_at = ends;
    a->updated_at = upd;
    return a;
}

static uint64_t fp_of(int i)
{
    struct alert *a = mk(i, "", 0, 0, 0);
    uint64_t fp = a->fingerprint;
    alert_unref(a);
    return fp;
}

static void put(struct alert_store *st, struct alert *a, int64_t now)
{
    alert_store_put(st, a, now);
    alert_unref(a);
}

static struct alert_journal *open_ok(struct alert_store *st, struct errbuf *warn)
{
    struct errbuf err;
    struct alert_journal *j = alert_journal_open(dir, st, warn, &err);
    ck_assert_msg(j != NULL, "open: %s", err.msg);
    return j;
}

static void assert_same(const struct alert *a, const struct alert *b)
{
    ck_assert(a->fingerprint == b->fingerprint);
    ck_assert(a->starts_at == b->starts_at && a->ends_at == b->ends_at);
    ck_assert(a->updated_at == b->updated_at && a->timeout == b->timeout);
    ck_assert_str_eq(alert_generator_url(a), alert_generator_url(b));
    ck_assert_uint_eq(alert_nlabels(a), alert_nlabels(b));
    ck_assert_uint_eq(alert_nannots(a), alert_nannots(b));
    for (size_t i = 0; i < alert_nlabels(a); i++) {
        ck_assert_str_eq(alert_label_name(a, i), alert_label_name(b, i));
        ck_assert_str_eq(alert_label_value(a, i), alert_label_value(b, i));
    }
    for (size_t i = 0; i < alert_nannots(a); i++) {
        ck_assert_str_eq(alert_annot_name(a, i), alert_annot_name(b, i));
        ck_assert_str_eq(alert_annot_value(a, i), alert_annot_value(b, i));
    }
}

START_TEST(round_trip)
{
    mk_dir();
    size_t base = intern_count();
    struct alert_store *st = alert_store_new();
    struct errbuf warn, err;
    struct alert_journal *j = open_ok(st, &warn);
    ck_assert_str_eq(warn.msg, "");
    put(st, mk(1, "one", T0, T0 + 5 * MIN, T0), T0);
    put(st, mk(1, "one again", T0 + MIN, T0 + 9 * MIN, T0 + MIN), T0 + MIN); /* merge */
    struct alert *t = mk(2, "lease", 0, 0, 0);
    alert_normalize(t, T0, 5 * MIN);
    put(st, t, T0);
    put(st, mk(3, "gone", T0, T0 + MIN, T0), T0);
    uint64_t gone = fp_of(3);
    ck_assert_uint_eq(alert_store_gc(st, T0 + 2 * MIN, NULL, NULL), 1);
    alert_journal_note_gc(j, gone);
    ck_assert_int_eq(alert_journal_flush(j, &err), 0);
    alert_journal_close(j);

    struct alert_store *st2 = alert_store_new();
    j = open_ok(st2, &warn);
    ck_assert_str_eq(warn.msg, "");
    ck_assert_uint_eq(alert_store_len(st2), 2);
    size_t pos = 0;
    struct alert *a;
    while (alert_store_next(st, &pos, &a))
        assert_same(a, alert_store_get(st2, a->fingerprint));
    ck_assert_ptr_null(alert_store_get(st2, gone));
    struct alert_status s;
    ck_assert_int_eq(alert_store_status(st2, a->fingerprint, &s), 0);
    ck_assert_int_eq(s.state, ALERT_UNPROCESSED); /* markers are recomputed */
    alert_journal_close(j);
    alert_store_free(st2);
    alert_store_free(st);
    ck_assert_uint_eq(intern_count(), base);
    rm_dir();
}
END_TEST

START_TEST(compaction)
{
    mk_dir();
    struct alert_store *st = alert_store_new();
    struct errbuf warn, err;
    struct alert_journal *j = open_ok(st, &warn);
    for (int i = 0; i < 200; i++)
        put(st, mk(i, "x", T0, T0 + 10 * MIN, T0), T0);
    for (int i = 0; i < 200; i++)
        put(st, mk(i, "refreshed", T0, T0 + 20 * MIN, T0 + MIN), T0 + MIN);
    ck_assert_int_eq(alert_journal_flush(j, &err), 0);
    uint64_t before = alert_journal_size(j);
    ck_assert_int_eq(alert_journal_compact(j, &err), 0);
    ck_assert(alert_journal_size(j) < 64); /* a fresh journal: header only */
    ck_assert(before > 400 * 100);
    put(st, mk(1000, "after", T0, T0 + 20 * MIN, T0 + MIN), T0 + MIN);
    put(st, mk(5, "changed after", T0, T0 + 30 * MIN, T0 + 2 * MIN), T0 + 2 * MIN);
    alert_journal_close(j); /* flushes */

    struct alert_store *st2 = alert_store_new();
    j = open_ok(st2, &warn);
    ck_assert_str_eq(warn.msg, "");
    ck_assert_uint_eq(alert_store_len(st2), 201);
    size_t pos = 0;
    struct alert *a;
    while (alert_store_next(st, &pos, &a))
        assert_same(a, alert_store_get(st2, a->fingerprint));
    alert_journal_close(j);
    alert_store_free(st2);
    alert_store_free(st);
    rm_dir();
}
END_TEST

/* kill -9 after the snapshot was renamed but before the journals it
 * covers were deleted: their generation says they are in the snapshot, and
 * the state must be the snapshot's plus the newer journal.  (Replaying them
 * would end in the same state, since each fingerprint's last record equals
 * the snapshot; the generation check makes that not matter.) */
START_TEST(crash_between_snapshot_and_journal)
{
    mk_dir();
    struct alert_store *st = alert_store_new();
    struct errbuf warn, err;
    struct alert_journal *j = open_ok(st, &warn);
    put(st, mk(1, "v1", T0, T0 + 5 * MIN, T0), T0);
    ck_assert_int_eq(alert_journal_flush(j, &err), 0);
    put(st, mk(1, "v2", T0, T0 + 50 * MIN, T0 + MIN), T0 + MIN);
    put(st, mk(2, "new", T0, T0 + 50 * MIN, T0 + MIN), T0 + MIN);
    ck_assert_int_eq(alert_journal_flush(j, &err), 0);
    static char old[65536];
    size_t n = read_file("alerts.journal.1", old, sizeof old);
    ck_assert_int_eq(alert_journal_compact(j, &err), 0);
    alert_journal_close(j);
    write_file("alerts.journal.1", old, n); /* as if not yet deleted */

    struct alert_store *st2 = alert_store_new();
    j = open_ok(st2, &warn);
    ck_assert_str_eq(warn.msg, "");
    ck_assert_uint_eq(alert_store_len(st2), 2);
    struct alert *a = alert_store_get(st2, fp_of(1));
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(alert_annot_get(a, "summary"), "v2");
    /* new puts go to a new journal that the next start replays */
    put(st2, mk(3, "later", T0, T0 + 50 * MIN, T0 + 2 * MIN), T0 + 2 * MIN);
    alert_journal_close(j);
    struct alert_store *st3 = alert_store_new();
    j = open_ok(st3, &warn);
    ck_assert_uint_eq(alert_store_len(st3), 3);
    alert_journal_close(j);
    alert_store_free(st3);
    alert_store_free(st2);
    alert_store_free(st);
    rm_dir();
}
END_TEST

/* Writes a journal of puts and a delete, remembering the file size and the
 * store size after each record; then cuts the file at every byte. */
START_TEST(journal_cut_at_every_byte)
{
    mk_dir();
    struct alert_store *st = alert_store_new();
    struct errbuf warn, err;
    struct alert_journal *j = open_ok(st, &warn);
    enum { NREC = 7 };
    size_t ends[NREC + 1], count[NREC + 1];
    ends[0] = (size_t)alert_journal_size(j);
    count[0] = 0;
    for (int r = 1; r <= NREC; r++) {
        if (r == 5) {
            ck_assert_int_eq(alert_store_remove(st, fp_of(2)), 0); /* as GC would */
            alert_journal_note_gc(j, fp_of(2));
        } else {
            put(st, mk(r, "s", T0, T0 + 10 * MIN, T0 + r), T0 + r);
        }
        ck_assert_int_eq(alert_journal_flush(j, &err), 0);
        ends[r] = (size_t)alert_journal_size(j);
        count[r] = alert_store_len(st);
    }
    alert_journal_close(j);
    alert_store_free(st);
    static char full[65536];
    size_t len = read_file("alerts.journal.1", full, sizeof full);
    ck_assert_uint_eq(len, ends[NREC]);

    for (size_t cut = 0; cut <= len; cut++) {
        rm_dir();
        ck_assert_int_eq(mkdir(dir, 0700), 0);
        write_file("alerts.journal.1", full, cut);
        st = alert_store_new();
        j = open_ok(st, &warn);
        /* the state after the last complete record */
        size_t want = 0;
        bool boundary = false;
        for (int r = 0; r <= NREC; r++) {
            if (ends[r] <= cut)
                want = count[r];
            if (ends[r] == cut)
                boundary = true;
        }
        ck_assert_msg(alert_store_len(st) == want, "cut %zu: %zu alerts, want %zu", cut,
                      alert_store_len(st), want);
        if (boundary)
            ck_assert_msg(warn.msg[0] == '\0', "cut %zu: %s", cut, warn.msg);
        else
            ck_assert_msg(warn.msg[0] != '\0', "cut %zu: no warning", cut);
        /* appending after the repair works and survives another start */
        size_t n = alert_store_len(st);
        put(st, mk(99, "after", T0, T0 + 10 * MIN, T0 + 99), T0 + 99);
        alert_journal_close(j);
        alert_store_free(st);
        st = alert_store_new();
        j = open_ok(st, &warn);
        ck_assert_str_eq(warn.msg, "");
        ck_assert_uint_eq(alert_store_len(st), n + 1);
        alert_journal_close(j);
        alert_store_free(st);
    }
    rm_dir();
}
END_TEST

START_TEST(damaged_record_in_the_middle)
{
    mk_dir();
    struct alert_store *st = alert_store_new();
    struct errbuf warn, err;
    struct alert_journal *j = open_ok(st, &warn);
    size_t after1 = 0;
    for (int i = 1; i <= 3; i++) {
        put(st, mk(i, "s", T0, T0 + 10 * MIN, T0), T0);
        ck_assert_int_eq(alert_journal_flush(j, &err), 0);
        if (i == 1)
            after1 = (size_t)alert_journal_size(j);
    }
    alert_journal_close(j);
    alert_store_free(st);
    static char full[65536];
    size_t len = read_file("alerts.journal.1", full, sizeof full);
    full[after1 + 20] ^= 0x40; /* inside record 2 */
    write_file("alerts.journal.1", full, len);

    st = alert_store_new();
    j = open_ok(st, &warn);
    ck_assert_uint_eq(alert_store_len(st), 1);
    ck_assert_ptr_nonnull(strstr(warn.msg, "damaged tail"));
    ck_assert_ptr_nonnull(strstr(warn.msg, "kept as"));
    ck_assert_int_eq(tu_count_files(dir, "*.corrupt-*"), 1);
    alert_journal_close(j);
    alert_store_free(st);
    rm_dir();
}
END_TEST

START_TEST(snapshot_cut_or_garbage)
{
    mk_dir();
    struct alert_store *st = alert_store_new();
    struct errbuf warn, err;
    struct alert_journal *j = open_ok(st, &warn);
    for (int i = 0; i < 20; i++)
        put(st, mk(i, "s", T0, T0 + 10 * MIN, T0), T0);
    ck_assert_int_eq(alert_journal_compact(j, &err), 0);
    alert_journal_close(j);
    alert_store_free(st);
    static char snap[65536];
    size_t len = read_file("alerts.snap", snap, sizeof snap);
    static char jr[4096];
    size_t jlen = read_file("alerts.journal.2", jr, sizeof jr);

    for (size_t cut = 0; cut < len; cut += 7) {
        rm_dir();
        ck_assert_int_eq(mkdir(dir, 0700), 0);
        write_file("alerts.snap", snap, cut);
        write_file("alerts.journal.2", jr, jlen);
        st = alert_store_new();
        j = open_ok(st, &warn);
        ck_assert_ptr_nonnull(strstr(warn.msg, "damaged"));
        ck_assert(alert_store_len(st) <= 20); /* a prefix, never invented */
        ck_assert_int_eq(tu_count_files(dir, "*.corrupt-*"), 1);
        alert_journal_close(j);
        alert_store_free(st);
    }
    rm_dir();
    mk_dir();
    write_file("alerts.snap", "\xff\xff\xff\xff garbage", 12);
    write_file("alerts.journal.1", "nonsense", 8);
    st = alert_store_new();
    j = open_ok(st, &warn);
    ck_assert_ptr_nonnull(strstr(warn.msg, "snapshot"));
    ck_assert_ptr_nonnull(strstr(warn.msg, "no valid header"));
    ck_assert_int_eq(tu_count_files(dir, "*.corrupt-*"), 2);
    ck_assert_uint_eq(alert_store_len(st), 0);
    alert_journal_close(j);
    alert_store_free(st);
    rm_dir();

    /* an unusable directory is an error, not a crash */
    st = alert_store_new();
    ck_assert_ptr_null(alert_journal_open("/nonexistent/dir", st, &warn, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/dir"));
    alert_store_free(st);
}
END_TEST

/* What a kill -9 leaves: whatever was flushed.  A second reader of the
 * directory, while the writer never closes, sees exactly that. */
START_TEST(kill9_keeps_flushed_alerts)
{
    mk_dir();
    struct alert_store *st = alert_store_new();
    struct errbuf warn, err;
    struct alert_journal *j = open_ok(st, &warn);
    for (int i = 0; i < 50; i++)
        put(st, mk(i, "x", T0, T0 + 10 * MIN, T0), T0);
    ck_assert_int_eq(alert_journal_flush(j, &err), 0);
    put(st, mk(77, "not flushed", T0, T0 + 10 * MIN, T0), T0);

    struct alert_store *st2 = alert_store_new();
    struct alert_journal *j2 = open_ok(st2, &warn);
    ck_assert_str_eq(warn.msg, "");
    ck_assert_uint_eq(alert_store_len(st2), 50);
    ck_assert_ptr_null(alert_store_get(st2, fp_of(77)));
    alert_journal_close(j2);
    alert_store_free(st2);
    alert_journal_close(j);
    alert_store_free(st);
    rm_dir();
}
END_TEST

/* The snapshot is written by a forked child while the loop keeps taking
 * alerts; those go to the next generation and nothing is lost. */
START_TEST(background_compaction)
{
    mk_dir();
    struct ev_loop *loop = ev_default_loop(0);
    struct alert_store *st = alert_store_new();
    struct errbuf warn, err;
    struct alert_journal *j = open_ok(st, &warn);
    for (int i = 0; i < 2000; i++)
        put(st, mk(i, "x", T0, T0 + 10 * MIN, T0), T0);
    ck_assert(alert_journal_needs_compaction(j, 1000));
    ck_assert(!alert_journal_needs_compaction(j, 100u << 20));
    ck_assert_int_eq(alert_journal_compact_start(j, loop, &err), 0);
    ck_assert(alert_journal_compacting(j));
    ck_assert_int_eq(alert_journal_compact_start(j, loop, &err), 0); /* no second child */
    ck_assert_int_eq(alert_journal_compact(j, &err), -1);
    for (int i = 0; i < 100; i++)
        put(st, mk(i, "during", T0, T0 + 20 * MIN, T0 + MIN), T0 + MIN);
    put(st, mk(5000, "new", T0, T0 + 20 * MIN, T0 + MIN), T0 + MIN);
    ck_assert_int_eq(alert_journal_flush(j, &err), 0);
    for (int k = 0; k < 500 && alert_journal_compacting(j); k++) {
        ev_run(loop, EVRUN_NOWAIT);
        usleep(10000);
    }
    ck_assert(!alert_journal_compacting(j));
    ck_assert_int_eq(tu_count_files(dir, "alerts.snap*"), 1);
    ck_assert_int_eq(tu_count_files(dir, "alerts.journal.1*"), 0); /* covered, deleted */
    ck_assert_int_eq(tu_count_files(dir, "alerts.journal.2*"), 1);
    ck_assert(!alert_journal_needs_compaction(j, 1000));

    struct alert_store *st2 = alert_store_new();
    struct alert_journal *j2 = open_ok(st2, &warn);
    ck_assert_str_eq(warn.msg, "");
    ck_assert_uint_eq(alert_store_len(st2), 2001);
    size_t pos = 0;
    struct alert *a;
    while (alert_store_next(st, &pos, &a))
        assert_same(a, alert_store_get(st2, a->fingerprint));
    alert_journal_close(j2);
    alert_store_free(st2);
    alert_journal_close(j);
    alert_store_free(st);
    rm_dir();
}
END_TEST

Suite *alert_journal_suite(void)
{
    Suite *s = suite_create("alert_journal");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, compaction);
    tcase_add_test(tc, crash_between_snapshot_and_journal);
    tcase_add_test(tc, journal_cut_at_every_byte);
    tcase_add_test(tc, damaged_record_in_the_middle);
    tcase_add_test(tc, snapshot_cut_or_garbage);
    tcase_add_test(tc, kill9_keeps_flushed_alerts);
    tcase_add_test(tc, background_compaction);
    suite_add_tcase(s, tc);
    return s;
}

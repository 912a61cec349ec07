/* test_nflog_journal.c -- every logged notification survives a crash:
 * replay over the snapshot, a torn tail, damaged lines, compaction. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "mem.h"
#include "nflog.h"
#include "nflog_journal.h"

#define SEC NS_PER_SEC
#define T0 (1700000000LL * SEC)

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/nfj-XXXXXX";
    char *d = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(d);
    return xstrdup(d);
}

static void rmdir_all(const char *dir)
{
    const char *names[] = {NFLOG_JOURNAL_FILE, NFLOG_FILE_NAME};
    char p[512];
    for (size_t i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static struct nflog_journal *open_j(const char *dir, struct nflog **l, struct errbuf *warn)
{
    *l = nflog_new(dir, 1000 * SEC * 3600);
    struct errbuf err;
    ck_assert_int_eq(nflog_load(*l, T0, &err), 0);
    struct nflog_journal *j = nflog_journal_open(dir, *l, warn, &err);
    ck_assert_msg(j != NULL, "%s", err.msg);
    return j;
}

static void log_both(struct nflog *l, struct nflog_journal *j, const char *gk, uint64_t fp,
                     int64_t at)
{
    struct nflog_key k = {gk, "recv", "webhook", 1};
    uint64_t firing[1] = {fp};
    nflog_log(l, &k, firing, 1, NULL, 0, at, 7200 * SEC);
    struct errbuf err;
    ck_assert_int_eq(nflog_journal_append(j, &k, firing, 1, NULL, 0, at, 7200 * SEC, &err), 0);
}

START_TEST(replay_after_crash)
{
    char *dir = tmpdir();
    struct errbuf warn;
    struct nflog *l;
    struct nflog_journal *j = open_j(dir, &l, &warn);
    ck_assert_str_eq(warn.msg, "");
    log_both(l, j, "{}:{a=\"1\"}", 0x11, T0);
    log_both(l, j, "{}:{a=\"2\"}", 0x22, T0 + SEC);
    log_both(l, j, "{}:{a=\"1\"}", 0x33, T0 + 2 * SEC); /* newer entry for the same key */
    /* "crash": no snapshot, nothing closed cleanly */
    nflog_journal_close(j);
    nflog_free(l);

    j = open_j(dir, &l, &warn);
    ck_assert_str_eq(warn.msg, "");
    ck_assert_uint_eq(nflog_len(l), 2);
    struct nflog_key k = {"{}:{a=\"1\"}", "recv", "webhook", 1};
    const struct nflog_entry *e = nflog_query(l, &k);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->timestamp, T0 + 2 * SEC);
    ck_assert_uint_eq(e->n_firing, 1);
    ck_assert(e->firing[0] == 0x33);
    ck_assert_int_eq(e->expires_at, T0 + 2 * SEC + 7200 * SEC);

    /* compaction: snapshot written, journal emptied, nothing lost */
    struct errbuf err;
    ck_assert_int_gt(nflog_journal_compact(j, T0 + 3 * SEC, &err), 0);
    ck_assert_uint_eq(nflog_journal_size(j), 0);
    log_both(l, j, "{}:{a=\"3\"}", 0x44, T0 + 4 * SEC);
    nflog_journal_close(j);
    nflog_free(l);
    j = open_j(dir, &l, &warn);
    ck_assert_uint_eq(nflog_len(l), 3);
    nflog_journal_close(j);
    nflog_free(l);
    rmdir_all(dir);
    free(dir);
}
END_TEST

START_TEST(torn_and_damaged_records)
{
    char *dir = tmpdir();
    struct errbuf warn;
    struct nflog *l;
    struct nflog_journal *j = open_j(dir, &l, &warn);
    log_both(l, j, "{}:{a=\"1\"}", 0x11, T0);
    nflog_journal_close(j);
    nflog_free(l);
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, NFLOG_JOURNAL_FILE);
    int fd = open(p, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    const char *junk = "{\"g\":\"x\",\"r\":1}\nnot json\n{\"g\":\"{}:{a=\\\"2\\\"}\",\"r\":\"re";
    ck_assert_int_eq(write(fd, junk, strlen(junk)), (ssize_t)strlen(junk));
    close(fd);

    j = open_j(dir, &l, &warn);
    ck_assert_ptr_nonnull(strstr(warn.msg, "2 damaged records skipped, torn last record dropped"));
    ck_assert_uint_eq(nflog_len(l), 1);
    /* appends after a torn tail start on a line of their own */
    log_both(l, j, "{}:{a=\"3\"}", 0x33, T0 + SEC);
    nflog_journal_close(j);
    nflog_free(l);
    j = open_j(dir, &l, &warn);
    ck_assert_uint_eq(nflog_len(l), 2);
    ck_assert_ptr_nonnull(strstr(warn.msg, "3 damaged records skipped"));
    nflog_journal_close(j);
    nflog_free(l);
    rmdir_all(dir);
    free(dir);
}
END_TEST

Suite *nflog_journal_suite(void)
{
    Suite *s = suite_create("nflog_journal");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, replay_after_crash);
    tcase_add_test(tc, torn_and_damaged_records);
    suite_add_tcase(s, tc);
    return s;
}

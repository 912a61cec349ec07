/* test_fileio.c -- the state-file primitives: replace leaves the new
 * content and no temp file, a failed replace names the step and keeps the
 * old file, read tells a missing file apart, keep_copy never overwrites an
 * earlier copy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "fileio.h"
#include "testutil.h"

static char dir[64];

static int count_entries(void)
{
    return tu_count_files(dir, "[!.]*");
}

START_TEST(replace_and_read)
{
    tu_mkdtemp(dir, sizeof dir, "fileio");
    char p[600];
    snprintf(p, sizeof p, "%s/state", dir);
    struct errbuf err;
    unsigned char *data;
    size_t len;
    ck_assert_int_eq(fileio_read(p, &data, &len, &err), 1);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(fileio_replace(p, "first", 5, &err), 0);
    ck_assert_int_eq(fileio_replace(p, "second\0x", 8, &err), 0);
    ck_assert_int_eq(fileio_read(p, &data, &len, &err), 0);
    ck_assert_uint_eq(len, 8);
    ck_assert_int_eq(memcmp(data, "second\0x", 8), 0);
    ck_assert_int_eq(data[8], 0);
    free(data);
    ck_assert_int_eq(count_entries(), 1); /* no temp file left */
    ck_assert_int_eq(fileio_replace(p, "", 0, &err), 0);
    ck_assert_int_eq(fileio_read(p, &data, &len, &err), 0);
    ck_assert_uint_eq(len, 0);
    free(data);
    tu_rmdir(dir);
}
END_TEST

START_TEST(replace_failure_names_the_step)
{
    tu_mkdtemp(dir, sizeof dir, "fileio");
    char p[600];
    snprintf(p, sizeof p, "%s/missing/state", dir);
    struct errbuf err;
    ck_assert_int_eq(fileio_replace(p, "x", 1, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing/state.tmp: No such file or directory"));
    /* the target is a directory: the rename fails, the old one stays */
    snprintf(p, sizeof p, "%s/sub", dir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    char f[600];
    snprintf(f, sizeof f, "%s/sub/x", dir);
    ck_assert_int_eq(fileio_replace(f, "x", 1, &err), 0);
    ck_assert_int_eq(fileio_replace(p, "x", 1, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "rename "));
    ck_assert_int_eq(count_entries(), 1); /* sub only, no temp file */
    unlink(f);
    rmdir(p);
    struct stat sb;
    ck_assert_int_eq(stat(p, &sb), -1);
    tu_rmdir(dir);
}
END_TEST

START_TEST(keep_copy_never_overwrites)
{
    tu_mkdtemp(dir, sizeof dir, "fileio");
    char p[600];
    snprintf(p, sizeof p, "%s/state", dir);
    struct errbuf err;
    ck_assert_int_eq(fileio_replace(p, "bad", 3, &err), 0);
    struct buf a = BUF_INIT, b = BUF_INIT;
    ck_assert_int_eq(fileio_keep_copy(p, false, &a), 0); /* hard link: p stays */
    ck_assert_int_eq(access(p, F_OK), 0);
    ck_assert_int_eq(fileio_keep_copy(p, false, &b), 0); /* same second: new name */
    ck_assert_str_ne(buf_str(&a), buf_str(&b));
    ck_assert_ptr_nonnull(strstr(buf_str(&a), "/state.corrupt-"));
    ck_assert_int_eq(count_entries(), 3);
    ck_assert_int_eq(fileio_keep_copy(p, true, &a), 0); /* move: p is gone */
    ck_assert_int_eq(access(p, F_OK), -1);
    ck_assert_int_eq(access(buf_str(&a), F_OK), 0);
    ck_assert_int_eq(fileio_keep_copy(p, true, &b), -1); /* nothing left to keep */
    buf_deinit(&a);
    buf_deinit(&b);
    tu_rmdir(dir);
}
END_TEST

Suite *fileio_suite(void)
{
    Suite *s = suite_create("fileio");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, replace_and_read);
    tcase_add_test(tc, replace_failure_names_the_step);
    tcase_add_test(tc, keep_copy_never_overwrites);
    suite_add_tcase(s, tc);
    return s;
}

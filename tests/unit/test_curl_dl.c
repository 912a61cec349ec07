/* test_curl_dl.c -- loading libcurl on demand: the version and feature
 * check against made-up libraries, the one-line errors for a missing or
 * wrong library, and a real load of the installed libcurl.
 *
 * A failed load is remembered for the life of the process, so the failure
 * cases run in a child of their own, whatever CK_FORK says. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "curl_dl.h"

static const char *const all_protocols[] = {"dict", "http", "https", "imap", "smtp", "smtps", NULL};

static curl_version_info_data good_lib(void)
{
    curl_version_info_data v;
    memset(&v, 0, sizeof v);
    v.age = CURLVERSION_FIRST;
    v.version = "7.88.1";
    v.version_num = 0x075801;
    v.features = CURL_VERSION_SSL | CURL_VERSION_ASYNCHDNS | CURL_VERSION_IPV6;
    v.ssl_version = "OpenSSL/3.0.11";
    v.protocols = all_protocols;
    return v;
}

START_TEST(check_accepts_a_capable_library)
{
    curl_version_info_data v = good_lib();
    struct errbuf err = {""};
    ck_assert_int_eq(curl_dl_check(&v, &err), 0);
    v.version_num = CURL_DL_MIN_VERSION; /* the minimum itself is enough */
    ck_assert_int_eq(curl_dl_check(&v, &err), 0);
}
END_TEST

START_TEST(check_names_what_is_missing)
{
    struct errbuf err;
    curl_version_info_data v = good_lib();
    v.version = "7.74.0";
    v.version_num = 0x074a00;
    ck_assert_int_eq(curl_dl_check(&v, &err), -1);
    ck_assert_str_eq(err.msg, "libcurl 7.74.0 is too old: alertrouter needs 7.85.0 or later");

    v = good_lib();
    v.version_num = CURL_DL_MIN_VERSION - 1;
    ck_assert_int_eq(curl_dl_check(&v, &err), -1);

    v = good_lib();
    v.features &= ~CURL_VERSION_SSL;
    ck_assert_int_eq(curl_dl_check(&v, &err), -1);
    ck_assert_str_eq(err.msg, "libcurl 7.88.1 was built without TLS support");

    v = good_lib();
    v.ssl_version = NULL;
    ck_assert_int_eq(curl_dl_check(&v, &err), -1);
    ck_assert_str_eq(err.msg, "libcurl 7.88.1 was built without TLS support");

    v = good_lib();
    v.features &= ~CURL_VERSION_ASYNCHDNS;
    ck_assert_int_eq(curl_dl_check(&v, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "without asynchronous DNS"));

    static const char *const no_smtps[] = {"http", "https", "smtp", NULL};
    v = good_lib();
    v.protocols = no_smtps;
    ck_assert_int_eq(curl_dl_check(&v, &err), -1);
    ck_assert_str_eq(err.msg, "libcurl 7.88.1 was built without smtps support");

    v = good_lib();
    v.protocols = NULL;
    ck_assert_int_eq(curl_dl_check(&v, &err), -1);
    ck_assert_str_eq(err.msg, "libcurl 7.88.1 was built without http support");
}
END_TEST

/* Runs check(file, want) in a child process (the load state is process-
 * wide and a load cannot be undone); returns its exit status: 0 when the
 * check held. */
static int in_child(bool (*check)(const char *, const char *), const char *file, const char *want)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(check(file, want) ? 0 : 1);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/* Loading `file` must fail with a message containing `want`; then the real
 * libcurl must fail alike (the failure is kept). */
static bool load_fails(const char *file, const char *want)
{
    struct errbuf err = {""}, again = {""};
    bool ok = curl_dl_load_from(file, &err) == -1 && strstr(err.msg, want) != NULL &&
              !curl_dl_loaded() && curl_dl.easy_init == NULL && curl_dl_load(&again) == -1 &&
              strcmp(again.msg, err.msg) == 0;
    if (!ok)
        fprintf(stderr, "load of %s: \"%s\" / \"%s\"\n", file, err.msg, again.msg);
    return ok;
}

static int failing_load(const char *file, const char *want)
{
    return in_child(load_fails, file, want);
}

START_TEST(missing_or_wrong_library_fails_with_one_line)
{
    ck_assert_int_eq(
        failing_load("libcurl-does-not-exist.so.4", "cannot load libcurl: libcurl-does-not-exist"),
        0);
    /* A real library that is not libcurl: the first symbol is named. */
    ck_assert_int_eq(failing_load("libm.so.6", "libm.so.6 has no curl_global_init"), 0);
}
END_TEST

START_TEST(loads_the_installed_libcurl)
{
    struct errbuf err = {""};
    ck_assert_msg(curl_dl_load(&err) == 0, "%s", err.msg);
    ck_assert(curl_dl_loaded());
    /* Every slot of the table is filled. */
    void *slots[sizeof curl_dl / sizeof(void *)];
    memcpy(slots, &curl_dl, sizeof curl_dl);
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        ck_assert_ptr_nonnull(slots[i]);
    curl_version_info_data *v = curl_dl.version_info(CURLVERSION_NOW);
    ck_assert_uint_ge(v->version_num, CURL_DL_MIN_VERSION);
    ck_assert_int_eq(curl_dl_check(v, &err), 0);
    /* The library works: a URL round trip through the table. */
    CURLU *u = curl_dl.url();
    char *host = NULL;
    ck_assert_int_eq(curl_dl.url_set(u, CURLUPART_URL, "https://example.org:8443/x", 0),
                     CURLUE_OK);
    ck_assert_int_eq(curl_dl.url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
    ck_assert_str_eq(host, "example.org");
    curl_dl.free(host);
    curl_dl.url_cleanup(u);
    /* Loading again is a no-op; cleanup empties the table, a load refills. */
    ck_assert_int_eq(curl_dl_load(&err), 0);
    curl_dl_cleanup();
    ck_assert(!curl_dl_loaded());
    ck_assert_ptr_null(curl_dl.easy_init);
    ck_assert_int_eq(curl_dl_load(&err), 0);
    ck_assert_ptr_nonnull(curl_dl.easy_init);
    curl_dl_cleanup();
}
END_TEST

/* A background load of `file`, then curl_dl_load_from() must adopt its
 * outcome: success with a full table (want NULL), or the thread's error
 * (containing `want`), kept for later calls. */
static bool preload_adopted(const char *file, const char *want)
{
    struct errbuf err = {""}, again = {""};
    curl_dl_preload_from(file);
    curl_dl_preload_from(file);    /* a second start is a no-op */
    bool early = curl_dl_loaded(); /* never true before the join */
    int rc = curl_dl_load_from(file, &err);
    bool ok;
    if (want == NULL)
        ok = !early && rc == 0 && curl_dl_loaded() && curl_dl_preload_done() &&
             curl_dl.easy_init != NULL && curl_dl_load_ms() > 0;
    else
        ok = !early && rc == -1 && strstr(err.msg, want) != NULL && !curl_dl_loaded() &&
             curl_dl_load_from(file, &again) == -1 && strcmp(again.msg, err.msg) == 0;
    if (!ok)
        fprintf(stderr, "preload of %s: rc %d \"%s\"\n", file, rc, err.msg);
    if (rc == 0)
        curl_dl_cleanup();
    return ok;
}

static int preloaded(const char *file, const char *want)
{
    return in_child(preload_adopted, file, want);
}

START_TEST(background_load_is_adopted_by_the_first_use)
{
    ck_assert_int_eq(preloaded(CURL_DL_SONAME, NULL), 0);
    ck_assert_int_eq(preloaded("libcurl-does-not-exist.so.4", "cannot load libcurl"), 0);
}
END_TEST

Suite *curl_dl_suite(void)
{
    Suite *s = suite_create("curl_dl");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, check_accepts_a_capable_library);
    tcase_add_test(tc, check_names_what_is_missing);
    tcase_add_test(tc, missing_or_wrong_library_fails_with_one_line);
    tcase_add_test(tc, loads_the_installed_libcurl);
    tcase_add_test(tc, background_load_is_adopted_by_the_first_use);
    suite_add_tcase(s, tc);
    return s;
}

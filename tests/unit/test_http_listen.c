/* test_http_listen.c -- listen-address and route-prefix rules (Go's and
 * Alertmanager's), and the bound-address string the start-up log shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "http_listen.h"

static void split_ok(const char *addr, const char *host, const char *port)
{
    char *h = NULL, *p = NULL;
    struct errbuf err;
    ck_assert_msg(http_listen_split(addr, &h, &p, &err) == 0, "%s: %s", addr, err.msg);
    ck_assert_str_eq(h, host);
    ck_assert_str_eq(p, port);
    free(h);
    free(p);
}

static void split_bad(const char *addr, const char *msg)
{
    char *h = NULL, *p = NULL;
    struct errbuf err;
    ck_assert_int_eq(http_listen_split(addr, &h, &p, &err), -1);
    ck_assert_msg(strstr(err.msg, msg) != NULL, "%s: got \"%s\"", addr, err.msg);
    ck_assert_ptr_null(h);
}

START_TEST(split_forms)
{
    split_ok(":9093", "", "9093");
    split_ok("127.0.0.1:9093", "127.0.0.1", "9093");
    split_ok("[::1]:80", "::1", "80");
    split_ok("[::]:0", "::", "0");
    split_ok("alerts.local:65535", "alerts.local", "65535");
    split_bad("9093", "missing port");
    split_bad("", "missing port");
    split_bad("[::1]", "missing port");
    split_bad("::1:80", "too many colons");
    split_bad("host:", "invalid port");
    split_bad("host:65536", "invalid port");
    split_bad("host:-1", "invalid port");
    split_bad("host:http", "invalid port");
    split_bad("host:80x", "invalid port");
}
END_TEST

static void prefix_is(const char *rp, const char *url, const char *want)
{
    struct errbuf err;
    char *p = http_route_prefix(rp, url, &err);
    ck_assert_msg(p != NULL, "%s %s: %s", rp ? rp : "-", url ? url : "-", err.msg);
    ck_assert_str_eq(p, want);
    free(p);
}

START_TEST(route_prefix)
{
    prefix_is(NULL, NULL, "");
    prefix_is("/", NULL, "");
    prefix_is("am", NULL, "/am");
    prefix_is("/am/", NULL, "/am");
    prefix_is("//a/b//", NULL, "/a/b");
    prefix_is(NULL, "http://host:9093/", "");
    prefix_is(NULL, "http://host:9093", "");
    prefix_is(NULL, "https://host/alertmanager/", "/alertmanager");
    prefix_is(NULL, "http://host/x/y?q=1#f", "/x/y");
    prefix_is("/override", "http://host/ext", "/override");
    prefix_is("/", "http://host/ext", "");
    prefix_is("", "http://host/ext", "/ext");

    struct errbuf err;
    ck_assert_ptr_null(http_route_prefix(NULL, "ftp://host/", &err));
    ck_assert_str_eq(
        err.msg, "\"ftp://host/\": invalid \"ftp\" scheme, only 'http' and 'https' are supported");
    ck_assert_ptr_null(http_route_prefix(NULL, "host/path", &err));
    ck_assert_ptr_null(http_route_prefix(NULL, "http:///path", &err));
    ck_assert_str_eq(err.msg, "\"http:///path\": missing host");
}
END_TEST

START_TEST(open_and_busy)
{
    char bound[128], again[128];
    struct errbuf err;
    int fd = http_listen_open("127.0.0.1:0", 16, bound, sizeof bound, &err);
    ck_assert_msg(fd >= 0, "%s", err.msg);
    ck_assert_msg(strncmp(bound, "127.0.0.1:", 10) == 0 && strtol(bound + 10, NULL, 10) > 0, "%s",
                  bound);
    /* the same port again: a precise, Go-style error */
    ck_assert_int_eq(http_listen_open(bound, 16, again, sizeof again, &err), -1);
    char want[200];
    snprintf(want, sizeof want, "listen tcp %s: bind: address already in use", bound);
    ck_assert_str_eq(err.msg, want);
    close(fd);
}
END_TEST

Suite *http_listen_suite(void)
{
    Suite *s = suite_create("http_listen");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, split_forms);
    tcase_add_test(tc, route_prefix);
    tcase_add_test(tc, open_and_busy);
    suite_add_tcase(s, tc);
    return s;
}

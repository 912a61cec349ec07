/* test_duration.c -- Prometheus duration grammar. */
#include "check_main.h"
#include "duration.h"

static int64_t parse_ok(const char *s)
{
    int64_t ms = -1;
    struct errbuf e;
    ck_assert_msg(duration_parse(s, &ms, &e) == 0, "%s: %s", s, e.msg);
    return ms;
}

START_TEST(valid)
{
    ck_assert_int_eq(parse_ok("0"), 0);
    ck_assert_int_eq(parse_ok("30s"), 30000);
    ck_assert_int_eq(parse_ok("1h30m"), 5400000);
    ck_assert_int_eq(parse_ok("1d"), 86400000);
    ck_assert_int_eq(parse_ok("1w"), 604800000);
    ck_assert_int_eq(parse_ok("1y"), 31536000000LL);
    ck_assert_int_eq(parse_ok("1m500ms"), 60500);
    ck_assert_int_eq(parse_ok("250ms"), 250);
    ck_assert_int_eq(parse_ok("120h"), 432000000);
}
END_TEST

START_TEST(invalid)
{
    const char *bad[] = {"", "5 minutes", "1.5h", "30m1h", "1h1h", "-1s", "s", "10",
                         "1x", "99999999999999999999s", "1s ", " 1s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        struct errbuf e;
        ck_assert_msg(duration_parse(bad[i], &ms, &e) == -1, "accepted \"%s\"", bad[i]);
    }
    int64_t ms;
    struct errbuf e;
    duration_parse("5 minutes", &ms, &e);
    ck_assert_str_eq(e.msg, "not a valid duration string: \"5 minutes\"");
}
END_TEST

START_TEST(format)
{
    char b[32];
    duration_format(0, b, sizeof b);
    ck_assert_str_eq(b, "0s");
    duration_format(5400000, b, sizeof b);
    ck_assert_str_eq(b, "1h30m");
    duration_format(300000, b, sizeof b);
    ck_assert_str_eq(b, "5m");
    duration_format(86400000 + 1000, b, sizeof b);
    ck_assert_str_eq(b, "1d1s");
    duration_format(14400000, b, sizeof b);
    ck_assert_str_eq(b, "4h");
}
END_TEST

Suite *duration_suite(void)
{
    Suite *s = suite_create("duration");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, valid);
    tcase_add_test(tc, invalid);
    tcase_add_test(tc, format);
    suite_add_tcase(s, tc);
    return s;
}

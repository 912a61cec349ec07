/* test_gotime.c -- strfmt.DateTime parsing with Go's errors (texts as
 * answered by Alertmanager 0.25), and the API's millisecond format. */
#include <string.h>

#include "buf.h"
#include "check_main.h"
#include "gotime.h"

START_TEST(parse_layouts)
{
    static const struct {
        const char *in;
        long long ns;
    } ok[] = {
        {"2020-01-01T00:00:00Z", 1577836800000000000LL},
        {"2020-01-01T00:00:00.123456789+02:00", 1577829600123456789LL},
        {"2020-01-01T00:00:00", 1577836800000000000LL},
        {"2020-01-01 00:00:00", 1577836800000000000LL},
        {"2020-01-01T00:00Z", 1577836800000000000LL},
        {"2020-01-01T00:00", 1577836800000000000LL},
        {"2020-01-01T00:00:00,25Z", 1577836800250000000LL},
        {"2020-01-01T00:00:00.000-0130", 1577842200000000000LL},
        {"", 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ns = -1;
        bool zero = true;
        struct errbuf err;
        ck_assert_msg(gotime_parse_datetime(ok[i].in, &ns, &zero, &err) == 0, "%s: %s", ok[i].in,
                      err.msg);
        ck_assert_msg(ns == ok[i].ns, "%s: %lld", ok[i].in, (long long)ns);
        ck_assert(!zero);
    }
    int64_t ns;
    bool zero;
    struct errbuf err;
    ck_assert_int_eq(gotime_parse_datetime("0001-01-01T00:00:00Z", &ns, &zero, &err), 0);
    ck_assert(zero);
}
END_TEST

START_TEST(parse_errors)
{
    static const struct {
        const char *in, *msg;
    } bad[] = {
        {"yesterday", "parsing time \"yesterday\" as \"2006-01-02 15:04:05\": cannot parse "
                      "\"yesterday\" as \"2006\""},
        {"2020-13-01T00:00:00Z", "parsing time \"2020-13-01T00:00:00Z\": month out of range"},
        {"2021-02-29 00:00:00", "parsing time \"2021-02-29 00:00:00\": day out of range"},
        {"2021-02-01 10:00:00Zjunk",
         "parsing time \"2021-02-01 10:00:00Zjunk\": extra text: \"Zjunk\""},
        {"2021-02-01T10:00:00Z", NULL}, /* accepted */
        {"2021-02-01T10:00:00+0x:00",
         "parsing time \"2021-02-01T10:00:00+0x:00\" as \"2006-01-02 15:04:05\": cannot parse "
         "\"T10:00:00+0x:00\" as \" \""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ns;
        bool zero;
        struct errbuf err = {{0}};
        int rc = gotime_parse_datetime(bad[i].in, &ns, &zero, &err);
        if (!bad[i].msg) {
            ck_assert_int_eq(rc, 0);
            continue;
        }
        ck_assert_int_eq(rc, -1);
        ck_assert_str_eq(err.msg, bad[i].msg);
    }
    /* v1: time.Time's UnmarshalJSON on the raw text */
    int64_t ns = 7;
    bool zero;
    struct errbuf err;
    ck_assert_int_eq(gotime_parse_json_rfc3339("\"zz\"", 4, &ns, &zero, &err), -1);
    ck_assert_str_eq(err.msg,
                     "parsing time \"\\\"zz\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": "
                     "cannot parse \"zz\\\"\" as \"2006\"");
    ck_assert_int_eq(gotime_parse_json_rfc3339("null", 4, &ns, &zero, &err), 1);
    ck_assert_int_eq(ns, 7);
}
END_TEST

START_TEST(format_ms)
{
    struct buf b = BUF_INIT;
    gotime_format_ms(&b, 1577829600123456789LL);
    ck_assert_str_eq(buf_str(&b), "2019-12-31T22:00:00.123Z");
    buf_reset(&b);
    gotime_format_ms(&b, -1);
    ck_assert_str_eq(buf_str(&b), "1969-12-31T23:59:59.999Z");
    buf_deinit(&b);
}
END_TEST

Suite *gotime_suite(void)
{
    Suite *s = suite_create("gotime");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parse_layouts);
    tcase_add_test(tc, parse_errors);
    tcase_add_test(tc, format_ms);
    suite_add_tcase(s, tc);
    return s;
}

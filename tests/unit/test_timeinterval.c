/* test_timeinterval.c -- time intervals at fixed instants, and the zone
 * reader (tz.c) against glibc.
 *
 * Each field of a spec gets its own cases; negative days, month ends, leap
 * years, the empty-list gotcha, and DST changes in Europe/Berlin and
 * America/New_York.  The zone reader is cross-checked against glibc's
 * localtime_r (TZ set in the forked test process only) over 1970-2100,
 * which covers both the transition tables and the POSIX footer rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "config.h"
#include "testutil.h"
#include "timeinterval.h"
#include "tz.h"

/* Unix ms of a UTC wall time. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    return (int64_t)timegm(&tm) * 1000;
}

/* A config with one interval "t" made of the given spec (YAML flow map
 * body), and the built evaluator. */
struct fx {
    struct config *cfg;
    struct timeintervals *ti;
};

static struct fx fx_new(const char *specs)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "route: {receiver: a}\nreceivers: [{name: a}]\n"
             "time_intervals:\n  - name: t\n    time_intervals: %s\n"
             "  - name: never\n    time_intervals: []\n"
             "  - name: always\n    time_intervals: [{}]\n",
             specs);
    struct fx f = {tu_parse_config(yaml), NULL};
    struct errbuf e;
    f.ti = timeintervals_build(f.cfg, &e);
    ck_assert_msg(f.ti != NULL, "%s", e.msg);
    return f;
}

static void fx_free(struct fx *f)
{
    timeintervals_free(f->ti);
    config_free(f->cfg);
}

static bool in(struct fx *f, int64_t ms)
{
    return timeintervals_contains(f->ti, "t", ms);
}

START_TEST(times_half_open)
{
    struct fx f = fx_new("[{times: [{start_time: '09:00', end_time: '17:30'}, "
                         "{start_time: '23:00', end_time: '24:00'}]}]");
    ck_assert(!in(&f, utc(2024, 5, 6, 8, 59, 59)));
    ck_assert(in(&f, utc(2024, 5, 6, 9, 0, 0)));
    ck_assert(in(&f, utc(2024, 5, 6, 17, 29, 59)));
    ck_assert(!in(&f, utc(2024, 5, 6, 17, 30, 0))); /* end excluded */
    ck_assert(in(&f, utc(2024, 5, 6, 23, 59, 59)));
    ck_assert(!in(&f, utc(2024, 5, 7, 0, 0, 0)));
    /* Milliseconds before an epoch second floor towards the past. */
    ck_assert(!in(&f, utc(2024, 5, 6, 9, 0, 0) - 1));
    fx_free(&f);
}
END_TEST

START_TEST(weekdays)
{
    struct fx f = fx_new("[{weekdays: ['monday:wednesday', 'saturday']}]");
    ck_assert(!in(&f, utc(2024, 5, 5, 12, 0, 0)));  /* Sunday */
    ck_assert(in(&f, utc(2024, 5, 6, 0, 0, 0)));    /* Monday */
    ck_assert(in(&f, utc(2024, 5, 8, 23, 59, 59))); /* Wednesday */
    ck_assert(!in(&f, utc(2024, 5, 9, 0, 0, 0)));   /* Thursday */
    ck_assert(in(&f, utc(2024, 5, 11, 1, 0, 0)));   /* Saturday */
    fx_free(&f);
    /* 1969-12-31 was a Wednesday: negative unix times get weekdays right. */
    f = fx_new("[{weekdays: ['wednesday']}]");
    ck_assert(in(&f, utc(1969, 12, 31, 12, 0, 0)));
    ck_assert(!in(&f, utc(1970, 1, 1, 0, 0, 0)));
    fx_free(&f);
}
END_TEST

START_TEST(days_of_month)
{
    struct fx f = fx_new("[{days_of_month: ['1:3', '-1']}]");
    ck_assert(in(&f, utc(2024, 4, 1, 0, 0, 0)));
    ck_assert(in(&f, utc(2024, 4, 3, 23, 0, 0)));
    ck_assert(!in(&f, utc(2024, 4, 4, 0, 0, 0)));
    ck_assert(in(&f, utc(2024, 4, 30, 12, 0, 0)));  /* -1 in a 30-day month */
    ck_assert(!in(&f, utc(2024, 5, 30, 12, 0, 0))); /* ...not in a 31-day one */
    ck_assert(in(&f, utc(2024, 5, 31, 12, 0, 0)));
    ck_assert(in(&f, utc(2024, 2, 29, 12, 0, 0))); /* leap year */
    ck_assert(!in(&f, utc(2024, 2, 28, 12, 0, 0)));
    ck_assert(in(&f, utc(2023, 2, 28, 12, 0, 0))); /* common year */
    ck_assert(in(&f, utc(2000, 2, 29, 12, 0, 0))); /* 400-year rule */
    ck_assert(in(&f, utc(1900, 2, 28, 12, 0, 0))); /* 100-year rule */
    fx_free(&f);

    /* Ranges past the month's end: begin > days skips, end clamps. */
    f = fx_new("[{days_of_month: ['30:31']}]");
    ck_assert(!in(&f, utc(2023, 2, 28, 12, 0, 0)));
    ck_assert(in(&f, utc(2024, 4, 30, 12, 0, 0)));
    fx_free(&f);
    f = fx_new("[{days_of_month: ['25:31']}]");
    ck_assert(in(&f, utc(2023, 2, 28, 12, 0, 0)));
    ck_assert(!in(&f, utc(2023, 3, 1, 0, 0, 0)));
    fx_free(&f);
    /* Negative ranges: the last three days; -31 in February clamps. */
    f = fx_new("[{days_of_month: ['-3:-1']}]");
    ck_assert(in(&f, utc(2024, 2, 27, 0, 0, 0)));
    ck_assert(!in(&f, utc(2024, 2, 26, 23, 59, 0)));
    ck_assert(in(&f, utc(2023, 2, 26, 0, 0, 0)));
    ck_assert(in(&f, utc(2024, 12, 29, 0, 0, 0)));
    fx_free(&f);
    f = fx_new("[{days_of_month: ['-31:-28']}]");
    ck_assert(in(&f, utc(2023, 2, 1, 0, 0, 0)));
    ck_assert(!in(&f, utc(2023, 2, 2, 0, 0, 0))); /* -28 of 28 = day 1 */
    ck_assert(in(&f, utc(2024, 1, 4, 0, 0, 0)));
    ck_assert(!in(&f, utc(2024, 1, 5, 0, 0, 0)));
    fx_free(&f);
    /* Positive start, negative end: the whole month from the 15th. */
    f = fx_new("[{days_of_month: ['15:-1']}]");
    ck_assert(in(&f, utc(2024, 2, 29, 0, 0, 0)));
    ck_assert(!in(&f, utc(2024, 2, 14, 0, 0, 0)));
    fx_free(&f);
}
END_TEST

START_TEST(months_years)
{
    struct fx f = fx_new("[{months: ['january:march', 'december'], years: ['2023:2024', '2030']}]");
    ck_assert(in(&f, utc(2023, 1, 1, 0, 0, 0)));
    ck_assert(in(&f, utc(2024, 3, 31, 23, 59, 59)));
    ck_assert(!in(&f, utc(2024, 4, 1, 0, 0, 0)));
    ck_assert(in(&f, utc(2024, 12, 31, 0, 0, 0)));
    ck_assert(!in(&f, utc(2025, 1, 15, 0, 0, 0))); /* year not listed */
    ck_assert(!in(&f, utc(2022, 12, 31, 23, 59, 59)));
    ck_assert(in(&f, utc(2030, 2, 1, 0, 0, 0)));
    fx_free(&f);
    f = fx_new("[{months: ['5']}]");
    ck_assert(in(&f, utc(2024, 5, 1, 0, 0, 0)));
    ck_assert(!in(&f, utc(2024, 6, 1, 0, 0, 0)));
    fx_free(&f);
}
END_TEST

/* Fields AND, specs and names OR; empty lists match nothing. */
START_TEST(combination_and_empty)
{
    struct fx f = fx_new("[{weekdays: ['sunday', 'saturday']},"
                         " {weekdays: ['monday:friday'], times: [{start_time: '18:00', "
                         "end_time: '24:00'}]}]");
    ck_assert(in(&f, utc(2024, 5, 4, 10, 0, 0)));  /* Saturday */
    ck_assert(!in(&f, utc(2024, 5, 6, 10, 0, 0))); /* Monday day */
    ck_assert(in(&f, utc(2024, 5, 6, 19, 0, 0)));  /* Monday evening */
    ck_assert(!timeintervals_contains(f.ti, "never", utc(2024, 5, 6, 19, 0, 0)));
    ck_assert(timeintervals_contains(f.ti, "always", 0));
    ck_assert(!timeintervals_contains(f.ti, "nosuch", 0));
    struct strlist names = {0, NULL};
    ck_assert(!intervals_any_contains(f.ti, &names, 0));
    char *v[] = {"never", "t"};
    names = (struct strlist){2, v};
    ck_assert(intervals_any_contains(f.ti, &names, utc(2024, 5, 4, 10, 0, 0)));
    ck_assert(!intervals_any_contains(f.ti, &names, utc(2024, 5, 6, 10, 0, 0)));
    fx_free(&f);
    /* `times: []` is present and empty: nothing matches (Go: non-nil slice). */
    f = fx_new("[{times: []}]");
    ck_assert(!in(&f, utc(2024, 5, 6, 10, 0, 0)));
    fx_free(&f);
    f = fx_new("[{weekdays: [], months: ['may']}]");
    ck_assert(!in(&f, utc(2024, 5, 6, 10, 0, 0)));
    fx_free(&f);
}
END_TEST

START_TEST(dst_berlin)
{
    struct fx f = fx_new("[{times: [{start_time: '02:00', end_time: '03:00'}], "
                         "location: 'Europe/Berlin'}]");
    /* 2024-03-31: 02:00 CET jumps to 03:00 CEST; 02:xx never happens. */
    ck_assert(!in(&f, utc(2024, 3, 31, 0, 59, 59))); /* 01:59:59 CET */
    ck_assert(!in(&f, utc(2024, 3, 31, 1, 0, 0)));   /* 03:00 CEST */
    ck_assert(in(&f, utc(2024, 3, 30, 1, 30, 0)));   /* day before: 02:30 CET */
    /* 2024-10-27: 03:00 CEST back to 02:00 CET; 02:xx happens twice. */
    ck_assert(in(&f, utc(2024, 10, 27, 0, 30, 0)));   /* 02:30 CEST */
    ck_assert(!in(&f, utc(2024, 10, 26, 23, 59, 0))); /* 01:59 CEST */
    ck_assert(in(&f, utc(2024, 10, 27, 1, 30, 0)));   /* 02:30 CET */
    ck_assert(!in(&f, utc(2024, 10, 27, 2, 0, 0)));   /* 03:00 CET */
    /* Beyond the file's table (2037): the footer rule. */
    ck_assert(in(&f, utc(2090, 7, 1, 0, 30, 0)));  /* 02:30 CEST */
    ck_assert(in(&f, utc(2090, 1, 1, 1, 30, 0)));  /* 02:30 CET */
    ck_assert(!in(&f, utc(2090, 7, 1, 1, 30, 0))); /* 03:30 CEST */
    fx_free(&f);
    /* The local day changes before the UTC day does. */
    f = fx_new("[{weekdays: ['monday'], location: 'Europe/Berlin'}]");
    ck_assert(in(&f, utc(2024, 5, 5, 22, 0, 0))); /* Mon 00:00 CEST */
    ck_assert(!in(&f, utc(2024, 5, 6, 22, 0, 0)));
    fx_free(&f);
}
END_TEST

START_TEST(dst_new_york)
{
    struct fx f = fx_new("[{times: [{start_time: '01:00', end_time: '02:00'}], "
                         "days_of_month: ['-1'], location: 'America/New_York'}]");
    /* New York's day ends 4-5 h after UTC's: 2024-03-31 01:30 EDT. */
    ck_assert(in(&f, utc(2024, 3, 31, 5, 30, 0)));
    ck_assert(!in(&f, utc(2024, 3, 31, 6, 0, 0)));
    fx_free(&f);
    f = fx_new("[{times: [{start_time: '01:00', end_time: '02:00'}], "
               "location: 'America/New_York'}]");
    /* 2024-03-10: 02:00 EST -> 03:00 EDT. */
    ck_assert(in(&f, utc(2024, 3, 10, 6, 59, 0))); /* 01:59 EST */
    ck_assert(!in(&f, utc(2024, 3, 10, 7, 0, 0))); /* 03:00 EDT */
    /* 2024-11-03: 02:00 EDT -> 01:00 EST, 01:xx twice. */
    ck_assert(in(&f, utc(2024, 11, 3, 5, 30, 0))); /* 01:30 EDT */
    ck_assert(in(&f, utc(2024, 11, 3, 6, 30, 0))); /* 01:30 EST */
    ck_assert(!in(&f, utc(2024, 11, 3, 7, 0, 0))); /* 02:00 EST */
    fx_free(&f);
}
END_TEST

/* tz.c against glibc for zones with unusual rules (negative DST in Dublin,
 * southern hemisphere, 45-minute offsets, half hours, no DST). */
START_TEST(tz_matches_glibc)
{
    static const char *zones[] = {"Europe/Berlin",     "America/New_York",    "Australia/Sydney",
                                  "Europe/Dublin",     "Pacific/Chatham",     "Asia/Kolkata",
                                  "America/Sao_Paulo", "Africa/Casablanca",   "America/Santiago",
                                  "Asia/Tehran",       "Australia/Lord_Howe", "UTC"};
    for (size_t k = 0; k < sizeof zones / sizeof *zones; k++) {
        struct errbuf e;
        struct tz *z = tz_load(zones[k], &e);
        ck_assert_msg(z != NULL, "%s: %s", zones[k], e.msg);
        char env[64];
        snprintf(env, sizeof env, ":%s", zones[k]);
        setenv("TZ", env, 1);
        tzset();
        int checked = 0;
        /* Every ~5.3 days from 1970 to 2100, offset so hours vary. */
        for (int64_t t = 0; t < 4102444800LL; t += 460801) {
            time_t tt = (time_t)t;
            struct tm tm;
            localtime_r(&tt, &tm);
            ck_assert_msg(tz_offset(z, t) == tm.tm_gmtoff, "%s at %lld: %d, glibc %ld", zones[k],
                          (long long)t, tz_offset(z, t), tm.tm_gmtoff);
            struct civil c;
            tz_civil(z, t, &c);
            ck_assert(c.year == tm.tm_year + 1900 && c.month == tm.tm_mon + 1 &&
                      c.day == tm.tm_mday && c.hour == tm.tm_hour && c.minute == tm.tm_min &&
                      c.wday == tm.tm_wday);
            checked++;
        }
        ck_assert_int_gt(checked, 8000);
        tz_free(z);
    }
    unsetenv("TZ");
    tzset();
}
END_TEST

START_TEST(tz_bad_input)
{
    struct errbuf e;
    ck_assert_ptr_null(tz_load("No/Such_Zone", &e));
    ck_assert_ptr_null(tz_load("../etc/passwd", &e));
    ck_assert_ptr_null(tz_load("/etc/localtime", &e));
    ck_assert_ptr_null(tz_parse((const unsigned char *)"TZif", 4, &e));
    ck_assert_ptr_null(tz_parse((const unsigned char *)"nope", 4, &e));
    /* Truncations of a real file never crash and never succeed halfway. */
    FILE *fp = fopen("/usr/share/zoneinfo/Europe/Berlin", "rb");
    ck_assert_ptr_nonnull(fp);
    unsigned char data[8192];
    size_t n = fread(data, 1, sizeof data, fp);
    fclose(fp);
    struct tz *z = tz_parse(data, n, &e);
    ck_assert_ptr_nonnull(z);
    tz_free(z);
    for (size_t cut = 0; cut + 60 < n; cut += 7)
        tz_free(tz_parse(data, cut, &e));
    /* Corrupt counts and indices are rejected, not followed. */
    unsigned char bad[8192];
    memcpy(bad, data, n);
    bad[35] = 0xff; /* v1 timecnt */
    ck_assert_ptr_null(tz_parse(bad, n, &e));
    /* Random byte damage: whatever parses must answer lookups in range. */
    srand(7);
    for (int round = 0; round < 3000; round++) {
        memcpy(bad, data, n);
        for (int k = 0; k < 4; k++)
            bad[(size_t)rand() % n] = (unsigned char)rand();
        struct tz *bz = tz_parse(bad, n, &e);
        for (int64_t t = -4000000000LL; bz && t < 8000000000LL; t += 999999937) {
            int32_t off = tz_offset(bz, t);
            ck_assert(off >= -26 * 3600 && off <= 26 * 3600);
        }
        tz_free(bz);
    }
    ck_assert_ptr_null(tz_from_posix("CET", &e));
    ck_assert_ptr_null(tz_from_posix("CET-1CEST,M13.5.0,M10.5.0", &e));
    z = tz_from_posix("<+0330>-3:30", &e);
    ck_assert_ptr_nonnull(z);
    ck_assert_int_eq(tz_offset(z, 0), 3 * 3600 + 1800);
    tz_free(z);
    /* No rule after the DST name: the US rule, as Go assumes. */
    z = tz_from_posix("EST5EDT", &e);
    ck_assert_int_eq(tz_offset(z, utc(2024, 7, 1, 0, 0, 0) / 1000), -4 * 3600);
    ck_assert_int_eq(tz_offset(z, utc(2024, 1, 1, 0, 0, 0) / 1000), -5 * 3600);
    tz_free(z);
}
END_TEST

START_TEST(local_zone)
{
    struct errbuf e;
    setenv("TZ", "America/New_York", 1);
    struct tz *z = tz_load("Local", &e);
    ck_assert_int_eq(tz_offset(z, utc(2024, 1, 1, 0, 0, 0) / 1000), -5 * 3600);
    tz_free(z);
    setenv("TZ", "", 1);
    z = tz_load("Local", &e);
    ck_assert_int_eq(tz_offset(z, utc(2024, 7, 1, 0, 0, 0) / 1000), 0);
    tz_free(z);
    unsetenv("TZ");
    z = tz_load("Local", &e);
    ck_assert_ptr_nonnull(z);
    tz_free(z);
}
END_TEST

Suite *timeinterval_suite(void)
{
    Suite *s = suite_create("timeinterval");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, times_half_open);
    tcase_add_test(tc, weekdays);
    tcase_add_test(tc, days_of_month);
    tcase_add_test(tc, months_years);
    tcase_add_test(tc, combination_and_empty);
    tcase_add_test(tc, dst_berlin);
    tcase_add_test(tc, dst_new_york);
    tcase_add_test(tc, tz_matches_glibc);
    tcase_add_test(tc, tz_bad_input);
    tcase_add_test(tc, local_zone);
    suite_add_tcase(s, tc);
    return s;
}

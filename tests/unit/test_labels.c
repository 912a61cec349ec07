/* test_labels.c -- fingerprints must equal Alertmanager's byte for byte. */
#include <string.h>

#include "check_main.h"
#include "labels.h"

START_TEST(fingerprint_matches_alertmanager)
{
    struct label one[] = {{"alertname", "V1Test"}};
    struct labels a = {1, one};
    char out[17];
    fingerprint_format(labels_fingerprint(&a), out);
    ck_assert_str_eq(out, "69b2e0f5caff5863");

    /* unsorted on purpose: labels_sort must restore name order */
    struct label three[] = {{"team", "db"}, {"alertname", "DiskFull"}, {"instance", "db-1"}};
    struct labels b = {3, three};
    labels_sort(&b);
    ck_assert_str_eq(b.v[0].name, "alertname");
    fingerprint_format(labels_fingerprint(&b), out);
    ck_assert_str_eq(out, "a20fee740b3241a0");

    struct labels empty = {0, NULL};
    fingerprint_format(labels_fingerprint(&empty), out);
    ck_assert_str_eq(out, "cbf29ce484222325");
}
END_TEST

START_TEST(fingerprint_roundtrip)
{
    uint64_t fp;
    ck_assert_int_eq(fingerprint_parse("a20fee740b3241a0", &fp), 0);
    ck_assert(fp == 0xa20fee740b3241a0ULL);
    ck_assert_int_eq(fingerprint_parse("a20fee740b3241a0f", &fp), -1);
    ck_assert_int_eq(fingerprint_parse("xyz", &fp), -1);
    ck_assert_int_eq(fingerprint_parse("", &fp), -1);
}
END_TEST

START_TEST(names_and_utf8)
{
    ck_assert(label_name_valid("alertname"));
    ck_assert(label_name_valid("_a1"));
    ck_assert(!label_name_valid("1a"));
    ck_assert(!label_name_valid(""));
    ck_assert(!label_name_valid("a-b"));
    ck_assert(utf8_valid("h\xc3\xa9llo", 6));
    ck_assert(!utf8_valid("\xc3", 1));
    ck_assert(!utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
    ck_assert(!utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
    ck_assert(utf8_valid("\xf0\x9f\x99\x82", 4));   /* emoji */
}
END_TEST

Suite *labels_suite(void)
{
    Suite *s = suite_create("labels");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, fingerprint_matches_alertmanager);
    tcase_add_test(tc, fingerprint_roundtrip);
    tcase_add_test(tc, names_and_utf8);
    suite_add_tcase(s, tc);
    return s;
}

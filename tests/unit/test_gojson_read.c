/* test_gojson_read.c -- Go's json.Decoder syntax errors and decoding rules.
 * Every expected text was answered by Alertmanager 0.25 (Go 1.19) to the
 * same body (POST /api/v2/alerts), minus its "parsing alerts body ..."
 * prefix. */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "gojson_read.h"

static const struct {
    const char *in;
    int rc;
    const char *msg;
} scan_cases[] = {
    {"xx", -1, "invalid character 'x' looking for beginning of value"},
    {"[{\"labels\":{\"a\":\"b\"}]", -1, "invalid character ']' after object key:value pair"},
    {"[{\"labels\":{\"a\":\"b\"}},", -1, "unexpected EOF"},
    {"[{\"labels\":{\"a\":\"b\\q\"}}]", -1, "invalid character 'q' in string escape code"},
    {"[{\"labels\":{\"a\":1.5e}}]", -1, "invalid character '}' in exponent of numeric literal"},
    {"[{\"labels\":{\"a\":tru}}]", -1, "invalid character '}' in literal true (expecting 'e')"},
    {"{\"a\" 1}", -1, "invalid character '1' after object key"},
    {"[1,]", -1, "invalid character ']' looking for beginning of value"},
    {"[01]", -1, "invalid character '1' after array element"},
    {"[-]", -1, "invalid character ']' in numeric literal"},
    {"[\"\\u12\"]", -1, "invalid character '\"' in \\u hexadecimal character escape"},
    {"[\"a\tb\"]", -1, "invalid character '\\t' in string literal"},
    {"[{1:2}]", -1, "invalid character '1' looking for beginning of object key string"},
    {"['a']", -1, "invalid character '\\'' looking for beginning of value"},
    {"[\xff]", -1, "invalid character 'ÿ' looking for beginning of value"},
    {"tru", -1, "unexpected EOF"},
    {"   ", 1, NULL},
    {"", 1, NULL},
    {"[]x", 0, NULL},
    {"5", 0, NULL},
    {"\"a very long string that takes the eight-byte path\"", 0, NULL},
};

START_TEST(scan_like_go)
{
    for (size_t i = 0; i < sizeof scan_cases / sizeof scan_cases[0]; i++) {
        struct errbuf err = {{0}};
        size_t end = 0;
        int rc = gojson_scan(scan_cases[i].in, strlen(scan_cases[i].in), &end, &err);
        ck_assert_msg(rc == scan_cases[i].rc, "%s: rc %d", scan_cases[i].in, rc);
        if (scan_cases[i].msg)
            ck_assert_str_eq(err.msg, scan_cases[i].msg);
    }
}
END_TEST

START_TEST(scan_depth_limit)
{
    size_t n = 10001;
    char *s = malloc(2 * n + 1);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    struct errbuf err;
    size_t end;
    ck_assert_int_eq(gojson_scan(s, 2 * n, &end, &err), -1);
    ck_assert_str_eq(err.msg, "invalid character '[' exceeded max depth");
    ck_assert_int_eq(gojson_scan(s + 1, 2 * n - 2, &end, &err), 0); /* 10000 deep is fine */
    free(s);
}
END_TEST

/* Decoding: escapes, surrogates, invalid UTF-8 and case-folded keys. */
START_TEST(read_like_go)
{
    char text[] = "{\"LaBeLs\":\"plain\",\"\\u017ftartsAt\":\"e\\u00e9\\ud83d\\ude00\\ud800x\","
                  "\"k\":\"bad\xff\",\"n\":null,\"t\":true}";
    struct gojson j;
    gojson_init(&j, text, strlen(text));
    ck_assert_int_eq(gojson_peek(&j), GJ_OBJECT);
    gojson_obj_begin(&j);
    char *key, *v;
    size_t klen, vlen;
    ck_assert(gojson_obj_next(&j, &key, &klen));
    ck_assert(gojson_key_is(key, klen, "labels"));
    v = gojson_read_string(&j, &vlen);
    ck_assert_str_eq(v, "plain");
    ck_assert(gojson_obj_next(&j, &key, &klen));
    ck_assert(gojson_key_is(key, klen, "startsAt")); /* U+017F folds to s */
    ck_assert(!gojson_key_is(key, klen, "startsA"));
    v = gojson_read_string(&j, &vlen);
    ck_assert_str_eq(v, "e\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx");
    ck_assert(gojson_obj_next(&j, &key, &klen));
    v = gojson_read_string(&j, &vlen);
    ck_assert_str_eq(v, "bad\xef\xbf\xbd"); /* spilled: grew */
    ck_assert(gojson_obj_next(&j, &key, &klen));
    ck_assert_int_eq(gojson_peek(&j), GJ_NULL);
    gojson_skip(&j);
    ck_assert(gojson_obj_next(&j, &key, &klen));
    ck_assert_int_eq(gojson_peek(&j), GJ_BOOL);
    ck_assert(gojson_literal(&j));
    ck_assert(!gojson_obj_next(&j, &key, &klen));
    gojson_deinit(&j);
}
END_TEST

Suite *gojson_read_suite(void)
{
    Suite *s = suite_create("gojson_read");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, scan_like_go);
    tcase_add_test(tc, scan_depth_limit);
    tcase_add_test(tc, read_like_go);
    suite_add_tcase(s, tc);
    return s;
}

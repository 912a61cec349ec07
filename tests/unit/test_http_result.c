/* test_http_result.c -- redaction, Retry-After and classification: the parts
 * of http_client whose exact behaviour matters without a network.  The
 * transfers themselves are tested against real peers by
 * tests/integration/t_http_client.sh. */
#include <curl/curl.h>
#include <string.h>

#include "check_main.h"
#include "http_result.h"

static const char *redact(const char *url)
{
    static char out[128];
    return http_client_redact_url(url, out, sizeof out);
}

START_TEST(redaction_keeps_scheme_host_port_only)
{
    ck_assert_str_eq(redact("https://hooks.slack.com/services/T0/B0/XXXXSECRET"),
                     "https://hooks.slack.com:443");
    ck_assert_str_eq(redact("https://x.webhook.office.com/workflows/abc?api-version=1&sig=SECRET"),
                     "https://x.webhook.office.com:443");
    ck_assert_str_eq(redact("http://user:p%40ss@example.org:8080/a?b#c"),
                     "http://example.org:8080");
    /* an unencoded '@' in the password: the LAST '@' ends the userinfo */
    ck_assert_str_eq(redact("http://user:p@ss@example.org/x"), "http://example.org:80");
    ck_assert_str_eq(redact("HTTPS://Example.org?sig=1"), "https://Example.org:443");
    ck_assert_str_eq(redact("https://[::1]:9443/p"), "https://[::1]:9443");
    ck_assert_str_eq(redact("https://[::1]/p"), "https://[::1]:443");
    ck_assert_str_eq(redact("smtp://mx.example.org/helo.name"), "smtp://mx.example.org:25");
    ck_assert_str_eq(redact("smtps://mx.example.org"), "smtps://mx.example.org:465");
    ck_assert_str_eq(redact("gopher://h/x"), "gopher://h");
    ck_assert_str_eq(redact("not a url"), "<invalid url>");
    ck_assert_str_eq(redact("https:///path-only"), "<invalid url>");
    ck_assert_str_eq(redact("https://host:12ab/"), "<invalid url>");
    ck_assert_str_eq(redact("https://[::1/"), "<invalid url>");
    ck_assert_str_eq(redact(NULL), "<invalid url>");
    ck_assert_str_eq(redact(""), "<invalid url>");
    /* small output buffers truncate, never overflow */
    char small[10];
    http_client_redact_url("https://hooks.slack.com/services/SECRET", small, sizeof small);
    ck_assert_str_eq(small, "https://h");
}
END_TEST

START_TEST(retry_after_seconds_and_dates)
{
    time_t now;
    ck_assert_int_eq(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &now), 0);
    ck_assert_int_eq((long long)now, 784111777LL);
    time_t t;
    ck_assert_int_eq(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
    ck_assert_int_eq((long long)t, 784111777LL);
    ck_assert_int_eq(http_date_parse("Sun Nov  6 08:49:37 1994", &t), 0);
    ck_assert_int_eq((long long)t, 784111777LL);
    ck_assert_int_eq(http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &t), -1);
    ck_assert_int_eq(http_date_parse("Sun, 32 Nov 1994 08:49:37 GMT", &t), -1);
    ck_assert_int_eq(http_date_parse("Sun, 06 Nov 1994 25:49:37 GMT", &t), -1);
    ck_assert_int_eq(http_date_parse("", &t), -1);

    ck_assert_int_eq(http_retry_after_parse("0", now), 0);
    ck_assert_int_eq(http_retry_after_parse("120", now), 120000);
    ck_assert_int_eq(http_retry_after_parse(" 7 ", now), 7000);
    ck_assert_int_eq(http_retry_after_parse("Sun, 06 Nov 1994 08:51:37 GMT", now), 120000);
    ck_assert_int_eq(http_retry_after_parse("Sun, 06 Nov 1994 08:40:00 GMT", now), 0);
    /* capped at one day, and no overflow on absurd values */
    ck_assert_int_eq(http_retry_after_parse("999999999999999999999999", now), 86400000LL);
    ck_assert_int_eq(http_retry_after_parse("Fri, 01 Jan 2100 00:00:00 GMT", now), 86400000LL);
    ck_assert_int_eq(http_retry_after_parse("-5", now), -1);
    ck_assert_int_eq(http_retry_after_parse("1.5", now), -1);
    ck_assert_int_eq(http_retry_after_parse("soon", now), -1);
    ck_assert_int_eq(http_retry_after_parse("", now), -1);
    ck_assert_int_eq(http_retry_after_parse(NULL, now), -1);
}
END_TEST

static enum http_outcome cls(enum http_proto p, int code, long status)
{
    struct http_result r;
    memset(&r, 0, sizeof r);
    r.proto = p;
    r.curl_code = code;
    r.status = status;
    return http_result_classify(&r);
}

START_TEST(classification)
{
    const enum http_proto H = HTTP_PROTO_HTTP, S = HTTP_PROTO_SMTP;
    ck_assert_int_eq(cls(H, 0, 200), HTTP_OUTCOME_SUCCESS);
    ck_assert_int_eq(cls(H, 0, 202), HTTP_OUTCOME_SUCCESS);
    ck_assert_int_eq(cls(H, 0, 204), HTTP_OUTCOME_SUCCESS);
    ck_assert_int_eq(cls(H, 0, 429), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(H, 0, 500), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(H, 0, 503), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(H, 0, 400), HTTP_OUTCOME_PERMANENT);
    ck_assert_int_eq(cls(H, 0, 404), HTTP_OUTCOME_PERMANENT);
    ck_assert_int_eq(cls(H, 0, 413), HTTP_OUTCOME_PERMANENT);
    ck_assert_int_eq(cls(H, 0, 302), HTTP_OUTCOME_PERMANENT);
    ck_assert_int_eq(cls(H, CURLE_OPERATION_TIMEDOUT, 0), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(H, CURLE_GOT_NOTHING, 0), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(H, CURLE_COULDNT_CONNECT, 0), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(H, CURLE_PEER_FAILED_VERIFICATION, 0), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(H, CURLE_URL_MALFORMAT, 0), HTTP_OUTCOME_PERMANENT);
    ck_assert_int_eq(cls(H, CURLE_SSL_CACERT_BADFILE, 0), HTTP_OUTCOME_PERMANENT);
    ck_assert_int_eq(cls(S, 0, 250), HTTP_OUTCOME_SUCCESS);
    ck_assert_int_eq(cls(S, CURLE_LOGIN_DENIED, 535), HTTP_OUTCOME_PERMANENT);
    ck_assert_int_eq(cls(S, CURLE_SEND_ERROR, 550), HTTP_OUTCOME_PERMANENT);
    ck_assert_int_eq(cls(S, CURLE_SEND_ERROR, 451), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(S, CURLE_OPERATION_TIMEDOUT, 0), HTTP_OUTCOME_RETRYABLE);
    ck_assert_int_eq(cls(S, CURLE_USE_SSL_FAILED, 220), HTTP_OUTCOME_RETRYABLE);
    struct http_result r;
    memset(&r, 0, sizeof r);
    r.cancelled = true;
    r.status = 200;
    ck_assert_int_eq(http_result_classify(&r), HTTP_OUTCOME_CANCELLED);
    ck_assert_str_eq(http_outcome_name(HTTP_OUTCOME_PERMANENT), "permanent");
}
END_TEST

Suite *http_result_suite(void)
{
    Suite *s = suite_create("http_result");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, redaction_keeps_scheme_host_port_only);
    tcase_add_test(tc, retry_after_seconds_and_dates);
    tcase_add_test(tc, classification);
    suite_add_tcase(s, tc);
    return s;
}

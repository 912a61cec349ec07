/* http_result.h -- what an outbound request came back with, and what it means.
 *
 * Every notifier (Slack, Teams, webhook over HTTPS; email over SMTP) sends
 * through http_client, and every send ends in one struct http_result.  This
 * header holds that struct and the pure functions around it, so the notify
 * pipeline and the unit tests can use them without a loop or a network:
 *
 *   - http_result_classify(): success / retry later / give up, the decision
 *     the pipeline's retry stage needs (Alertmanager retries transport errors
 *     and 5xx; we also retry 429, honouring Retry-After);
 *   - http_retry_after_parse(): Retry-After as seconds or as an HTTP-date;
 *   - http_client_redact_url(): the only form of a URL that may appear in a
 *     log line or an error message.  Webhook URLs are secrets (Slack's path,
 *     Teams' `sig=` query), so messages carry scheme://host:port and nothing
 *     of the userinfo, path, query or fragment. */
#ifndef ROUTER_HTTP_RESULT_H
#define ROUTER_HTTP_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Default cap on a kept response body; bytes past it are counted, not kept. */
#define HTTP_BODY_CAP_DEFAULT (64 * 1024)

enum http_proto { HTTP_PROTO_HTTP, HTTP_PROTO_SMTP };

enum http_outcome {
    HTTP_OUTCOME_SUCCESS,   /* 2xx, or SMTP message accepted (250) */
    HTTP_OUTCOME_RETRYABLE, /* transport error, 5xx, 429; SMTP 4xx */
    HTTP_OUTCOME_PERMANENT, /* other 4xx; SMTP 5xx incl. 535; a config error */
    HTTP_OUTCOME_CANCELLED, /* aborted by http_client_drain()/free: not sent */
};

struct http_result {
    enum http_proto proto;
    /* Transport: 0 (CURLE_OK) when a complete reply was received.  Otherwise
     * the CURLcode, e.g. 28 timeout, 52 empty reply (connection dropped),
     * 60 certificate not trusted, 67 SMTP login denied. */
    int curl_code;
    bool cancelled;
    /* Human-readable, secret-free: built from the curl code, the redacted
     * URL and (for TLS and connect errors) curl's detail text when it does
     * not contain any part of the URL's path, query or credentials.
     * "" on success. */
    char error[320];
    /* HTTP status of the final response, or the last SMTP reply code
     * (250 delivered, 535 auth failed, 550 rejected...); 0 if none. */
    long status;
    /* Retry-After in ms (HTTP only); -1 when absent or unparseable. */
    long long retry_after_ms;
    char content_type[128]; /* "" when absent; truncated if longer */
    /* The response body, NUL-terminated, at most the request's cap.
     * Borrowed: valid only during the completion callback. */
    const char *body;
    size_t body_len;
    size_t body_total;   /* bytes received, including discarded ones */
    bool body_truncated; /* body_total > body_len */
    double elapsed_s;    /* submit to completion */
};

/* Decides what the pipeline does next.  Cancelled beats everything; then
 * HTTP: 2xx success; 429 and 5xx retryable; 1xx/3xx/other 4xx permanent.
 * SMTP: a reply code >= 500 is permanent (535 auth failure, 550 unknown
 * recipient: hammering will not help), 4xx retryable.  Transport errors
 * are retryable except those that can only come from our own configuration
 * (bad URL, unsupported scheme, unreadable client cert or CA file, login
 * denied), which are permanent. */
enum http_outcome http_result_classify(const struct http_result *r);
const char *http_outcome_name(enum http_outcome o); /* "success", ... */

/* Parses a Retry-After value: delay-seconds ("120") or an HTTP-date in any
 * of the three forms RFC 9110 requires recipients to accept (IMF-fixdate,
 * RFC 850, asctime).  A date is turned into a delay against `now`, the
 * server's Date header when it sent one (so clock skew does not matter) or
 * our clock otherwise; a date in the past is 0.  Returns the delay in ms
 * (capped at 1 day, so that a hostile value cannot park a notifier for
 * ever), or -1 if the value is neither form. */
long long http_retry_after_parse(const char *value, time_t now);

/* Parses an HTTP-date into *out (UTC).  Returns 0, or -1 if not one. */
int http_date_parse(const char *s, time_t *out);

/* Writes "scheme://host:port" for url into out (size n, always
 * NUL-terminated): no userinfo, path, query or fragment.  The port is the
 * explicit one or the scheme's default (http 80, https 443, smtp 25,
 * smtps 465); an IPv6 literal keeps its brackets.  A string that is not a
 * URL becomes "<invalid url>".  Returns out. */
char *http_client_redact_url(const char *url, char *out, size_t n);

#endif

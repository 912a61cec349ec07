/* http_result.c -- classification, Retry-After and URL redaction for the
 * results of outbound requests.  See http_result.h.
 *
 * Nothing here touches the network or the loop: these are the pieces of
 * http_client whose behaviour the unit tests pin down exactly. */
#include "http_result.h"

#include <curl/curl.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define RETRY_AFTER_MAX_S (24LL * 3600)

/* ---- classification --------------------------------------------------- */

/* Transport failures that retrying cannot fix: they come from the request
 * as we configured it, not from the network or the peer's state. */
static bool curl_code_is_config_error(int code)
{
    switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_LOGIN_DENIED:
    case CURLE_SSL_CERTPROBLEM:    /* our client cert/key */
    case CURLE_SSL_CACERT_BADFILE: /* our CA file */
    case CURLE_TOO_MANY_REDIRECTS:
        return true;
    default:
        return false;
    }
}

enum http_outcome http_result_classify(const struct http_result *r)
{
    if (r->cancelled)
        return HTTP_OUTCOME_CANCELLED;
    if (r->proto == HTTP_PROTO_SMTP) {
        if (r->curl_code == 0)
            return HTTP_OUTCOME_SUCCESS;
        /* curl reports 535 as CURLE_LOGIN_DENIED and a rejected MAIL/RCPT/
         * DATA as a send error; the reply code says which side is at fault. */
        if (r->status >= 500 && r->status <= 599)
            return HTTP_OUTCOME_PERMANENT;
        if (r->status >= 400 && r->status <= 499)
            return HTTP_OUTCOME_RETRYABLE;
        return curl_code_is_config_error(r->curl_code) ? HTTP_OUTCOME_PERMANENT
                                                       : HTTP_OUTCOME_RETRYABLE;
    }
    if (r->curl_code != 0)
        return curl_code_is_config_error(r->curl_code) ? HTTP_OUTCOME_PERMANENT
                                                       : HTTP_OUTCOME_RETRYABLE;
    if (r->status >= 200 && r->status <= 299)
        return HTTP_OUTCOME_SUCCESS;
    if (r->status == 429 || (r->status >= 500 && r->status <= 599))
        return HTTP_OUTCOME_RETRYABLE;
    return HTTP_OUTCOME_PERMANENT;
}

const char *http_outcome_name(enum http_outcome o)
{
    switch (o) {
    case HTTP_OUTCOME_SUCCESS:
        return "success";
    case HTTP_OUTCOME_RETRYABLE:
        return "retryable";
    case HTTP_OUTCOME_PERMANENT:
        return "permanent";
    case HTTP_OUTCOME_CANCELLED:
        return "cancelled";
    }
    return "unknown";
}

/* ---- HTTP-date and Retry-After ---------------------------------------- */

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const long_day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                             "Thursday", "Friday", "Saturday"};

/* Reads exactly `digits` decimal digits (or, with digits == 0, one or two). */
static int read_num(const char **sp, int digits, int *out)
{
    const char *s = *sp;
    int n = 0, i = 0;
    int max = digits ? digits : 2;
    while (i < max && isdigit((unsigned char)s[i])) {
        n = n * 10 + (s[i] - '0');
        i++;
    }
    if (i == 0 || (digits && i != digits))
        return -1;
    *sp = s + i;
    *out = n;
    return 0;
}

static int read_lit(const char **sp, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*sp, lit, n) != 0)
        return -1;
    *sp += n;
    return 0;
}

/* Matches one of `names` (case-sensitive, as the grammar says). */
static int read_name(const char **sp, const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        size_t n = strlen(names[i]);
        if (strncmp(*sp, names[i], n) == 0) {
            *sp += n;
            return i;
        }
    }
    return -1;
}

static int read_clock(const char **sp, struct tm *tm)
{
    if (read_num(sp, 2, &tm->tm_hour) < 0 || read_lit(sp, ":") < 0 ||
        read_num(sp, 2, &tm->tm_min) < 0 || read_lit(sp, ":") < 0 ||
        read_num(sp, 2, &tm->tm_sec) < 0)
        return -1;
    if (tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60)
        return -1;
    return 0;
}

int http_date_parse(const char *s, time_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *p = s;
    int year = 0;

    while (*p == ' ' || *p == '\t')
        p++;
    if (read_name(&p, long_day_names, 7) >= 0) {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
        if (read_lit(&p, ", ") < 0 || read_num(&p, 2, &tm.tm_mday) < 0 || read_lit(&p, "-") < 0 ||
            (tm.tm_mon = read_name(&p, month_names, 12)) < 0 || read_lit(&p, "-") < 0 ||
            read_num(&p, 2, &year) < 0 || read_lit(&p, " ") < 0 || read_clock(&p, &tm) < 0 ||
            read_lit(&p, " GMT") < 0)
            return -1;
        /* RFC 9110 5.6.7: a two-digit year more than 50 years in the
         * future is in the past century.  Keep it simple: 70-99 -> 19xx. */
        year += year >= 70 ? 1900 : 2000;
    } else if (read_name(&p, day_names, 7) >= 0) {
        if (*p == ',') {
            /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
            if (read_lit(&p, ", ") < 0 || read_num(&p, 2, &tm.tm_mday) < 0 ||
                read_lit(&p, " ") < 0 || (tm.tm_mon = read_name(&p, month_names, 12)) < 0 ||
                read_lit(&p, " ") < 0 || read_num(&p, 4, &year) < 0 || read_lit(&p, " ") < 0 ||
                read_clock(&p, &tm) < 0 || read_lit(&p, " GMT") < 0)
                return -1;
        } else {
            /* asctime: Sun Nov  6 08:49:37 1994 */
            if (read_lit(&p, " ") < 0 || (tm.tm_mon = read_name(&p, month_names, 12)) < 0 ||
                read_lit(&p, " ") < 0)
                return -1;
            if (*p == ' ')
                p++;
            if (read_num(&p, 0, &tm.tm_mday) < 0 || read_lit(&p, " ") < 0 ||
                read_clock(&p, &tm) < 0 || read_lit(&p, " ") < 0 || read_num(&p, 4, &year) < 0)
                return -1;
        }
    } else {
        return -1;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '\0' || tm.tm_mday < 1 || tm.tm_mday > 31)
        return -1;
    tm.tm_year = year - 1900;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *out = t;
    return 0;
}

long long http_retry_after_parse(const char *value, time_t now)
{
    if (value == NULL)
        return -1;
    const char *p = value;
    while (*p == ' ' || *p == '\t')
        p++;
    if (isdigit((unsigned char)*p)) {
        long long secs = 0;
        while (isdigit((unsigned char)*p)) {
            if (secs <= RETRY_AFTER_MAX_S) /* stop growing: no overflow */
                secs = secs * 10 + (*p - '0');
            p++;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '\0')
            return -1;
        if (secs > RETRY_AFTER_MAX_S)
            secs = RETRY_AFTER_MAX_S;
        return secs * 1000;
    }
    time_t at;
    if (http_date_parse(p, &at) < 0)
        return -1;
    if (at <= now)
        return 0;
    long long secs = (long long)(at - now);
    if (secs > RETRY_AFTER_MAX_S)
        secs = RETRY_AFTER_MAX_S;
    return secs * 1000;
}

/* ---- redaction -------------------------------------------------------- */

static const char *default_port(const char *scheme, size_t n)
{
    static const struct {
        const char *scheme, *port;
    } ports[] = {{"http", "80"}, {"https", "443"}, {"smtp", "25"}, {"smtps", "465"}};
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (strlen(ports[i].scheme) == n && strncasecmp(scheme, ports[i].scheme, n) == 0)
            return ports[i].port;
    return NULL;
}

char *http_client_redact_url(const char *url, char *out, size_t n)
{
    if (n == 0)
        return out;
    out[0] = '\0';
    const char *invalid = "<invalid url>";
    if (url == NULL) {
        snprintf(out, n, "%s", invalid);
        return out;
    }
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    const char *p = url;
    if (!isalpha((unsigned char)*p)) {
        snprintf(out, n, "%s", invalid);
        return out;
    }
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    size_t scheme_len = (size_t)(p - url);
    if (strncmp(p, "://", 3) != 0) {
        snprintf(out, n, "%s", invalid);
        return out;
    }
    const char *auth = p + 3;
    size_t auth_len = strcspn(auth, "/?#");
    /* userinfo ends at the LAST '@' of the authority: a password may contain
     * an unencoded '@' and must not leak as part of the "host". */
    const char *host = auth;
    for (const char *q = auth; q < auth + auth_len; q++)
        if (*q == '@')
            host = q + 1;
    size_t host_len = (size_t)(auth + auth_len - host);
    const char *port = NULL;
    size_t port_len = 0;
    size_t name_len = host_len;
    if (host_len > 0 && host[0] == '[') {
        const char *close = memchr(host, ']', host_len);
        if (close == NULL) {
            snprintf(out, n, "%s", invalid);
            return out;
        }
        name_len = (size_t)(close - host) + 1;
        if (name_len < host_len && host[name_len] == ':') {
            port = host + name_len + 1;
            port_len = host_len - name_len - 1;
        }
    } else {
        const char *colon = memchr(host, ':', host_len);
        if (colon) {
            name_len = (size_t)(colon - host);
            port = colon + 1;
            port_len = host_len - name_len - 1;
        }
    }
    if (name_len == 0) {
        snprintf(out, n, "%s", invalid);
        return out;
    }
    for (size_t i = 0; i < port_len; i++)
        if (!isdigit((unsigned char)port[i])) {
            snprintf(out, n, "%s", invalid);
            return out;
        }
    /* Host names are printable ASCII without spaces; anything else is not a
     * URL we would have sent, and could be text from elsewhere. */
    for (size_t i = 0; i < name_len; i++)
        if (!isgraph((unsigned char)host[i])) {
            snprintf(out, n, "%s", invalid);
            return out;
        }
    if (port_len == 0) {
        port = default_port(url, scheme_len);
        port_len = port ? strlen(port) : 0;
    }
    if (port_len)
        snprintf(out, n, "%.*s://%.*s:%.*s", (int)scheme_len, url, (int)name_len, host,
                 (int)port_len, port);
    else
        snprintf(out, n, "%.*s://%.*s", (int)scheme_len, url, (int)name_len, host);
    for (char *c = out; *c && c < out + scheme_len; c++)
        *c = (char)tolower((unsigned char)*c);
    return out;
}

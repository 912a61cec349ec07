/* http_request.c -- turns a notifier's request options into a curl easy
 * handle, for http_client.c to run on the multi handle.
 *
 * This is where the security-relevant choices live: only http(s) (or
 * smtp(s)) may be spoken and followed, the environment's proxy settings are
 * ignored unless asked for, certificates are verified against TLS >= 1.2 by
 * default, header and SMTP envelope values with CR/LF are refused (curl
 * would pass them through into the protocol stream), and every string is
 * copied, so the caller's configuration can be reloaded while a send is in
 * flight. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_client.h"
#include "http_client_internal.h"
#include "mem.h"

/* ---- per-transfer callbacks (run inside curl_multi_socket_action) ----- */

static size_t on_body(char *p, size_t size, size_t n, void *userp)
{
    struct http_request *r = userp;
    size_t len = size * n;
    r->resp_total += len;
    size_t room = r->resp_cap - r->resp.len;
    if (room > 0)
        buf_append(&r->resp, p, len < room ? len : room);
    return len; /* keep reading: the excess is counted, not kept */
}

static void copy_header_value(char *dst, size_t n, const char *v, size_t len)
{
    while (len > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (len > 0 &&
           (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    if (len >= n)
        len = n - 1;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

/* Keeps the few response headers the notifiers need.  A new status line
 * (after a 100 Continue or a followed redirect) starts a new block. */
static size_t on_header(char *p, size_t size, size_t n, void *userp)
{
    struct http_request *r = userp;
    size_t len = size * n;
    struct {
        const char *name;
        char *dst;
        size_t n;
    } keep[] = {
        {"content-type:", r->content_type, sizeof r->content_type},
        {"retry-after:", r->retry_after, sizeof r->retry_after},
        {"date:", r->date, sizeof r->date},
    };
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        r->content_type[0] = r->retry_after[0] = r->date[0] = '\0';
        return len;
    }
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        size_t kn = strlen(keep[i].name);
        if (len >= kn && strncasecmp(p, keep[i].name, kn) == 0)
            copy_header_value(keep[i].dst, keep[i].n, p + kn, len - kn);
    }
    return len;
}

static size_t on_smtp_read(char *dst, size_t size, size_t n, void *userp)
{
    struct http_request *r = userp;
    size_t want = size * n, left = r->body_len - r->body_off;
    if (want > left)
        want = left;
    memcpy(dst, r->body + r->body_off, want);
    r->body_off += want;
    return want;
}

/* ---- request objects --------------------------------------------------- */

struct http_request *http_request_new(struct http_client *c, enum http_proto proto, const char *url,
                                      http_done_fn *done, void *arg)
{
    struct http_request *r = xcalloc(1, sizeof *r);
    r->c = c;
    r->proto = proto;
    r->done = done;
    r->arg = arg;
    r->url = xstrdup(url);
    http_client_redact_url(url, r->peer, sizeof r->peer);
    buf_init(&r->resp, 0);
    r->resp_cap = HTTP_BODY_CAP_DEFAULT;
    r->easy = curl_dl.easy_init();
    if (r->easy == NULL) {
        /* curl_easy_init only fails on allocation: the OOM policy applies. */
        fprintf(stderr, "alertrouter: curl_easy_init failed\n");
        abort();
    }
    CURL *e = r->easy;
    curl_dl.easy_setopt(e, CURLOPT_PRIVATE, r);
    curl_dl.easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_err);
    curl_dl.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_dl.easy_setopt(e, CURLOPT_SHARE, c->share);
    curl_dl.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_dl.easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_dl.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_dl.easy_setopt(e, CURLOPT_HEADERDATA, r);
    return r;
}

void http_request_free(struct http_request *r)
{
    if (r == NULL)
        return;
    if (r->easy)
        curl_dl.easy_cleanup(r->easy);
    curl_dl.slist_free_all(r->headers);
    curl_dl.slist_free_all(r->connect_to);
    free(r->body);
    buf_deinit(&r->resp);
    free(r->url);
    free(r->secret1);
    free(r->secret2);
    free(r);
}

/* ---- option helpers ---------------------------------------------------- */

/* Sets one option, turning a refusal (an option this libcurl lacks, a value
 * it rejects) into a message naming the option. */
#define SETOPT(e, opt, val, err)                                                                   \
    do {                                                                                           \
        CURLcode rc_ = curl_dl.easy_setopt((e), (opt), (val));                                        \
        if (rc_ != CURLE_OK) {                                                                     \
            errbuf_set((err), "libcurl refused %s: %s", #opt, curl_dl.easy_strerror(rc_));            \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

/* curl_easy_setopt for pointer values, for callers that must clean up. */
static int set_opt_str(CURL *e, CURLoption opt, const void *val, const char *name,
                       struct errbuf *err)
{
    CURLcode rc = curl_dl.easy_setopt(e, opt, val);
    if (rc != CURLE_OK) {
        errbuf_set(err, "libcurl refused %s: %s", name, curl_dl.easy_strerror(rc));
        return -1;
    }
    return 0;
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if (*s == '\r' || *s == '\n')
            return true;
    return false;
}

static long clamp_timeout(long ms)
{
    return ms > 0 ? ms : HTTP_TIMEOUT_DEFAULT_MS;
}

static int set_timeouts(CURL *e, long timeout_ms, struct errbuf *err)
{
    long t = clamp_timeout(timeout_ms);
    SETOPT(e, CURLOPT_TIMEOUT_MS, t, err);
    SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS,
           t < HTTP_CONNECT_TIMEOUT_MAX_MS ? t : HTTP_CONNECT_TIMEOUT_MAX_MS, err);
    return 0;
}

/* Trust: a tls.ca_file is the only trust of its request (curl's default
 * CA directory is switched off), as Go uses RootCAs alone when set.
 * Otherwise the system's, where SSL_CERT_FILE and SSL_CERT_DIR replace
 * the bundle file and the directory one by one -- how Go, and so
 * Alertmanager, reads them; libcurl itself ignores both. */
static int set_tls(const struct http_client *c, CURL *e, const struct http_tls *t,
                   struct errbuf *err)
{
    static const long versions[] = {
        [HTTP_TLS_DEFAULT] = CURL_SSLVERSION_TLSv1_2, [HTTP_TLS_1_0] = CURL_SSLVERSION_TLSv1_0,
        [HTTP_TLS_1_1] = CURL_SSLVERSION_TLSv1_1,     [HTTP_TLS_1_2] = CURL_SSLVERSION_TLSv1_2,
        [HTTP_TLS_1_3] = CURL_SSLVERSION_TLSv1_3,
    };
    if ((unsigned)t->min_version >= sizeof versions / sizeof versions[0]) {
        errbuf_set(err, "invalid TLS min_version %d", (int)t->min_version);
        return -1;
    }
    SETOPT(e, CURLOPT_SSLVERSION, versions[t->min_version], err);
    if (t->ca_file) {
        SETOPT(e, CURLOPT_CAINFO, t->ca_file, err);
        SETOPT(e, CURLOPT_CAPATH, (const char *)NULL, err);
    } else {
        if (c->trust_file)
            SETOPT(e, CURLOPT_CAINFO, c->trust_file, err);
        if (c->trust_dir)
            SETOPT(e, CURLOPT_CAPATH, c->trust_dir, err);
    }
    if ((t->cert_file == NULL) != (t->key_file == NULL)) {
        errbuf_set(err, "client certificate and key must be given together");
        return -1;
    }
    if (t->cert_file) {
        SETOPT(e, CURLOPT_SSLCERT, t->cert_file, err);
        SETOPT(e, CURLOPT_SSLKEY, t->key_file, err);
    }
    if (t->insecure_skip_verify) {
        SETOPT(e, CURLOPT_SSL_VERIFYPEER, 0L, err);
        SETOPT(e, CURLOPT_SSL_VERIFYHOST, 0L, err);
    }
    return 0;
}

/* Validates the URL and its scheme, and applies tls.server_name.
 *
 * curl has no "verify against this name" option, so, as Go does with
 * tls.Config.ServerName, we make the TLS layer see server_name (SNI and
 * certificate check) while the TCP connection still goes to the URL's host:
 * the URL's host is replaced by server_name, CURLOPT_CONNECT_TO maps it back
 * to the real host and port, and (HTTP) the Host header keeps the original
 * host.  The pieces are kept in r so they outlive this call. */
static int set_url(struct http_request *r, const char *url, const char *server_name,
                   const char *const *schemes, struct errbuf *err)
{
    int ret = -1;
    char *scheme = NULL, *host = NULL, *port = NULL, *newurl = NULL;
    CURLU *u = curl_dl.url();
    if (u == NULL) {
        fprintf(stderr, "alertrouter: curl_url failed\n");
        abort();
    }
    if (curl_dl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_dl.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_dl.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
        errbuf_set(err, "invalid URL %s", r->peer);
        goto out;
    }
    bool scheme_ok = false;
    for (size_t i = 0; schemes[i]; i++)
        if (strcasecmp(scheme, schemes[i]) == 0)
            scheme_ok = true;
    if (!scheme_ok) {
        errbuf_set(err, "unsupported URL scheme \"%s\" in %s", scheme, r->peer);
        goto out;
    }
    if (server_name == NULL || server_name[0] == '\0') {
        ret = set_opt_str(r->easy, CURLOPT_URL, url, "CURLOPT_URL", err);
        goto out;
    }
    for (const char *p = server_name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '_')) {
            errbuf_set(err, "invalid TLS server_name \"%s\"", server_name);
            goto out;
        }
    bool explicit_port = curl_dl.url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK;
    if (!explicit_port && curl_dl.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        errbuf_set(err, "no port for %s", r->peer);
        goto out;
    }
    if (curl_dl.url_set(u, CURLUPART_HOST, server_name, 0) != CURLUE_OK ||
        curl_dl.url_get(u, CURLUPART_URL, &newurl, 0) != CURLUE_OK) {
        errbuf_set(err, "invalid TLS server_name \"%s\"", server_name);
        goto out;
    }
    char line[512];
    snprintf(line, sizeof line, "%s:%s:%s:%s", server_name, port, host, port);
    /* CURLOPT_CONNECT_TO does not copy its list: it lives in the request. */
    r->connect_to = curl_dl.slist_append(NULL, line);
    if (set_opt_str(r->easy, CURLOPT_CONNECT_TO, r->connect_to, "CURLOPT_CONNECT_TO", err) < 0 ||
        set_opt_str(r->easy, CURLOPT_URL, newurl, "CURLOPT_URL", err) < 0)
        goto out;
    if (r->proto == HTTP_PROTO_HTTP) {
        if (explicit_port)
            snprintf(line, sizeof line, "Host: %s:%s", host, port);
        else
            snprintf(line, sizeof line, "Host: %s", host);
        r->headers = curl_dl.slist_append(r->headers, line);
    }
    ret = 0;
out:
    curl_dl.free(scheme);
    curl_dl.free(host);
    curl_dl.free(port);
    curl_dl.free(newurl);
    curl_dl.url_cleanup(u);
    return ret;
}

/* A method is an HTTP token; we accept upper-case letters only, which
 * covers every method a notifier uses and keeps odd strings out. */
static bool method_valid(const char *m)
{
    if (m[0] == '\0' || strlen(m) > 16)
        return false;
    for (; *m; m++)
        if (*m < 'A' || *m > 'Z')
            return false;
    return true;
}

static int set_auth(struct http_request *r, const struct http_request_opts *o, struct errbuf *err)
{
    if (o->basic_user) {
        if (has_ctl(o->basic_user) || (o->basic_password && has_ctl(o->basic_password))) {
            errbuf_set(err, "basic auth user or password contains CR or LF");
            return -1;
        }
        SETOPT(r->easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC, err);
        SETOPT(r->easy, CURLOPT_USERNAME, o->basic_user, err);
        SETOPT(r->easy, CURLOPT_PASSWORD, o->basic_password ? o->basic_password : "", err);
        if (o->basic_password)
            r->secret1 = xstrdup(o->basic_password);
    }
    if (o->authorization_credentials) {
        const char *type = o->authorization_type ? o->authorization_type : "Bearer";
        if (has_ctl(type) || has_ctl(o->authorization_credentials)) {
            errbuf_set(err, "authorization type or credentials contain CR or LF");
            return -1;
        }
        struct buf line = BUF_INIT;
        buf_printf(&line, "Authorization: %s %s", type, o->authorization_credentials);
        r->headers = curl_dl.slist_append(r->headers, buf_str(&line));
        buf_deinit(&line);
        r->secret2 = xstrdup(o->authorization_credentials);
    }
    return 0;
}

static int set_body(struct http_request *r, const char *method, bool has_body, struct errbuf *err)
{
    CURL *e = r->easy;
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        if (has_body) {
            errbuf_set(err, "%s request with a body", method);
            return -1;
        }
        if (method[0] == 'H')
            SETOPT(e, CURLOPT_NOBODY, 1L, err);
        else
            SETOPT(e, CURLOPT_HTTPGET, 1L, err);
        return 0;
    }
    /* POSTFIELDS does not copy: the body lives in the request. */
    SETOPT(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len, err);
    SETOPT(e, CURLOPT_POSTFIELDS, r->body ? r->body : "", err);
    if (strcmp(method, "POST") != 0)
        SETOPT(e, CURLOPT_CUSTOMREQUEST, method, err);
    return 0;
}

static int setup_http(struct http_request *r, const struct http_request_opts *o, struct errbuf *err)
{
    static const char *const schemes[] = {"http", "https", NULL};
    CURL *e = r->easy;
    const char *method = o->method ? o->method : (o->body ? "POST" : "GET");
    if (!method_valid(method)) {
        errbuf_set(err, "invalid HTTP method \"%.20s\"", method);
        return -1;
    }
    if (set_url(r, o->url, o->tls.server_name, schemes, err) < 0)
        return -1;
    SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https", err);
    SETOPT(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https", err);
    for (const char *const *h = o->headers; h && *h; h++) {
        if (has_ctl(*h) || strchr(*h, ':') == NULL || **h == ':' || **h == ' ') {
            errbuf_set(err, "invalid header line (want \"Name: value\", no CR/LF)");
            return -1;
        }
        r->headers = curl_dl.slist_append(r->headers, *h);
    }
    if (set_auth(r, o, err) < 0)
        return -1;
    /* No "Expect: 100-continue": a receiver that ignores it costs each large
     * POST a one-second stall, and Go's client does not send it either. */
    r->headers = curl_dl.slist_append(r->headers, "Expect:");
    SETOPT(e, CURLOPT_HTTPHEADER, r->headers, err);
    if (set_body(r, method, o->body != NULL, err) < 0)
        return -1;
    if (set_timeouts(e, o->timeout_ms, err) < 0 || set_tls(r->c, e, &o->tls, err) < 0)
        return -1;
    if (o->proxy_url) {
        if (has_ctl(o->proxy_url)) {
            errbuf_set(err, "proxy URL contains CR or LF");
            return -1;
        }
        SETOPT(e, CURLOPT_PROXY, o->proxy_url, err);
    } else if (!o->proxy_from_environment) {
        /* "" disables curl's use of http_proxy/https_proxy from the
         * environment: Alertmanager ignores them unless told otherwise. */
        SETOPT(e, CURLOPT_PROXY, "", err);
    }
    if (o->follow_redirects) {
        SETOPT(e, CURLOPT_FOLLOWLOCATION, 1L, err);
        SETOPT(e, CURLOPT_MAXREDIRS, MAX_REDIRECTS, err);
    }
    SETOPT(e, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : HTTP_CLIENT_USER_AGENT, err);
    if (o->body_cap)
        r->resp_cap = o->body_cap;
    return 0;
}

struct http_request *http_client_submit(struct http_client *c, const struct http_request_opts *o,
                                        http_done_fn *done, void *arg, struct errbuf *err)
{
    char *owned = o->body_owned ? (char *)o->body : NULL;
    if (c->draining) {
        errbuf_set(err, "HTTP client is shutting down");
        free(owned);
        return NULL;
    }
    if (o->url == NULL || o->url[0] == '\0') {
        errbuf_set(err, "no URL");
        free(owned);
        return NULL;
    }
    if (http_client_ready(c, err) < 0) {
        free(owned);
        return NULL;
    }
    struct http_request *r = http_request_new(c, HTTP_PROTO_HTTP, o->url, done, arg);
    if (owned) {
        r->body = owned;
    } else if (o->body) {
        r->body = xmalloc(o->body_len + 1);
        memcpy(r->body, o->body, o->body_len);
        r->body[o->body_len] = '\0';
    }
    r->body_len = o->body ? o->body_len : 0;
    if (setup_http(r, o, err) < 0) {
        http_request_free(r);
        return NULL;
    }
    http_client_start(c, r);
    return r;
}

/* ---- SMTP -------------------------------------------------------------- */

/* An envelope address: optionally in one pair of angle brackets, otherwise
 * printable ASCII or UTF-8 without spaces, brackets or control characters,
 * so that nothing can be smuggled into the SMTP command line.  A space is
 * allowed inside a quoted local part ("on call"@example.org). */
static bool smtp_address_valid(const char *a)
{
    size_t n = strlen(a);
    if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
        a++;
        n -= 2;
    }
    if (n == 0 || n > 320)
        return false;
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)a[i];
        if (ch == '"')
            quoted = !quoted;
        else if (ch == '\\' && quoted && i + 1 < n && a[i + 1] > ' ' && a[i + 1] != 0x7f)
            i++;
        else if (ch == ' ' && quoted)
            continue;
        else if (ch <= ' ' || ch == 0x7f || ch == '<' || ch == '>')
            return false;
    }
    return !quoted;
}

/* True if the redacted peer ("smtp://host:port") is on this machine. */
static bool peer_is_loopback(const char *peer)
{
    const char *h = strstr(peer, "://");
    if (h == NULL)
        return false;
    h += 3;
    return strncasecmp(h, "localhost:", 10) == 0 || strncmp(h, "127.", 4) == 0 ||
           strncmp(h, "[::1]:", 6) == 0;
}

static int setup_smtp(struct http_request *r, const struct http_smtp_opts *o, struct errbuf *err)
{
    static const char *const schemes[] = {"smtp", "smtps", NULL};
    CURL *e = r->easy;
    if (o->mail_from == NULL || !smtp_address_valid(o->mail_from)) {
        errbuf_set(err, "invalid envelope sender address");
        return -1;
    }
    if (o->rcpt == NULL || o->rcpt[0] == NULL) {
        errbuf_set(err, "no recipients");
        return -1;
    }
    for (const char *const *a = o->rcpt; *a; a++) {
        if (!smtp_address_valid(*a)) {
            errbuf_set(err, "invalid recipient address");
            return -1;
        }
        r->headers = curl_dl.slist_append(r->headers, *a);
    }
    if (set_url(r, o->url, o->tls.server_name, schemes, err) < 0)
        return -1;
    SETOPT(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps", err);
    SETOPT(e, CURLOPT_MAIL_FROM, o->mail_from, err);
    SETOPT(e, CURLOPT_MAIL_RCPT, r->headers, err);
    SETOPT(e, CURLOPT_UPLOAD, 1L, err);
    SETOPT(e, CURLOPT_READFUNCTION, on_smtp_read, err);
    SETOPT(e, CURLOPT_READDATA, r, err);
    SETOPT(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->body_len, err);
    /* smtps:// is TLS from the first byte whatever USE_SSL says; for
     * smtp:// require_tls makes STARTTLS mandatory, as Alertmanager's
     * require_tls, and otherwise no STARTTLS is attempted. */
    SETOPT(e, CURLOPT_USE_SSL, (long)(o->require_tls ? CURLUSESSL_ALL : CURLUSESSL_NONE), err);
    if (o->user) {
        if (has_ctl(o->user) || (o->password && has_ctl(o->password))) {
            errbuf_set(err, "SMTP user or password contains CR or LF");
            return -1;
        }
        /* As Go's smtp.PlainAuth (and so Alertmanager): credentials never
         * cross the network in clear text; only a local relay may get them
         * without TLS. */
        if (!o->require_tls && strncasecmp(r->peer, "smtps:", 6) != 0 &&
            !peer_is_loopback(r->peer)) {
            errbuf_set(err,
                       "refusing SMTP AUTH without TLS to %s (set require_tls or use smtps://)",
                       r->peer);
            return -1;
        }
        SETOPT(e, CURLOPT_USERNAME, o->user, err);
        SETOPT(e, CURLOPT_PASSWORD, o->password ? o->password : "", err);
        if (o->password)
            r->secret1 = xstrdup(o->password);
    }
    if (o->login_options)
        SETOPT(e, CURLOPT_LOGIN_OPTIONS, o->login_options, err);
    if (o->user && o->authzid && o->authzid[0]) {
        if (has_ctl(o->authzid)) {
            errbuf_set(err, "SMTP authorization identity contains CR or LF");
            return -1;
        }
        SETOPT(e, CURLOPT_SASL_AUTHZID, o->authzid, err);
    }
    SETOPT(e, CURLOPT_PROXY, "", err);
    /* One connection per message, closed with QUIT.  curl (7.88) pools
     * smtp:// connections without comparing their TLS settings -- only
     * smtps:// counts as TLS for that -- so a notifier demanding STARTTLS
     * and a CA of its own could otherwise get a connection another one
     * opened in plain text or verified against another CA.  Mail volume
     * makes the extra handshake cheap; Alertmanager dials per message too. */
    SETOPT(e, CURLOPT_FRESH_CONNECT, 1L, err);
    SETOPT(e, CURLOPT_FORBID_REUSE, 1L, err);
    if (set_timeouts(e, o->timeout_ms, err) < 0 || set_tls(r->c, e, &o->tls, err) < 0)
        return -1;
    return 0;
}

struct http_request *http_client_submit_smtp(struct http_client *c, const struct http_smtp_opts *o,
                                             http_done_fn *done, void *arg, struct errbuf *err)
{
    char *owned = o->payload_owned ? (char *)o->payload : NULL;
    if (c->draining) {
        errbuf_set(err, "HTTP client is shutting down");
        free(owned);
        return NULL;
    }
    if (o->url == NULL || o->url[0] == '\0' || o->payload == NULL) {
        errbuf_set(err, o->payload ? "no URL" : "no message");
        free(owned);
        return NULL;
    }
    if (http_client_ready(c, err) < 0) {
        free(owned);
        return NULL;
    }
    struct http_request *r = http_request_new(c, HTTP_PROTO_SMTP, o->url, done, arg);
    if (owned) {
        r->body = owned;
    } else {
        r->body = xmalloc(o->payload_len + 1);
        memcpy(r->body, o->payload, o->payload_len);
        r->body[o->payload_len] = '\0';
    }
    r->body_len = o->payload_len;
    if (setup_smtp(r, o, err) < 0) {
        http_request_free(r);
        return NULL;
    }
    http_client_start(c, r);
    return r;
}

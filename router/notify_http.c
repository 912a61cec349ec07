/* notify_http.c -- what every HTTP notifier shares: an http_config mapped
 * onto http_client's options, secrets read from *_file settings at send
 * time, and the common judgement of a response.  See notify_internal.h. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "notify_internal.h"

/* url_file and password files hold one line; anything this big is a
 * mistake, not a secret. */
#define SECRET_FILE_MAX 65536

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char *notify_read_secret_file(const char *basedir, const char *path, struct errbuf *err)
{
    struct buf full = BUF_INIT;
    if (path[0] != '/' && basedir && basedir[0])
        buf_printf(&full, "%s/%s", basedir, path);
    else
        buf_puts(&full, path);
    int fd = open(buf_str(&full), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        errbuf_set(err, "read %s: %s", path, strerror(errno));
        buf_deinit(&full);
        return NULL;
    }
    struct buf b;
    buf_init(&b, SECRET_FILE_MAX);
    char chunk[4096];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0)
        if (buf_append(&b, chunk, (size_t)r) < 0)
            break;
    int saved = errno;
    close(fd);
    buf_deinit(&full);
    if (r < 0 || b.overflow) {
        errbuf_set(err, "read %s: %s", path, b.overflow ? "file too large" : strerror(saved));
        buf_deinit(&b);
        return NULL;
    }
    const char *s = buf_str(&b);
    size_t len = b.len;
    while (len && is_space(*s)) {
        s++;
        len--;
    }
    while (len && is_space(s[len - 1]))
        len--;
    char *out = xstrndup(s, len);
    buf_deinit(&b);
    return out;
}

enum http_tls_version notify_tls_version(const char *v)
{
    if (!v)
        return HTTP_TLS_DEFAULT;
    if (strcmp(v, "TLS10") == 0)
        return HTTP_TLS_1_0;
    if (strcmp(v, "TLS11") == 0)
        return HTTP_TLS_1_1;
    if (strcmp(v, "TLS12") == 0)
        return HTTP_TLS_1_2;
    if (strcmp(v, "TLS13") == 0)
        return HTTP_TLS_1_3;
    return HTTP_TLS_DEFAULT;
}

int notify_http_apply(const struct notifier *n, const struct http_cfg *hc,
                      struct http_request_opts *o, struct notify_http_auth *auth,
                      struct errbuf *err)
{
    memset(auth, 0, sizeof *auth);
    o->follow_redirects = hc->follow_redirects;
    o->proxy_url = hc->proxy_url;
    o->tls.ca_file = hc->tls.ca_file;
    o->tls.cert_file = hc->tls.cert_file;
    o->tls.key_file = hc->tls.key_file;
    o->tls.server_name = hc->tls.server_name;
    o->tls.insecure_skip_verify = hc->tls.insecure_skip_verify;
    o->tls.min_version = notify_tls_version(hc->tls.min_version);
    if (hc->oauth2) {
        errbuf_set(err, "oauth2 is not supported by alertrouter");
        return -1;
    }
    const char *basedir = n->env.basedir;
    if (hc->basic_auth) {
        o->basic_user = hc->basic_auth->username ? hc->basic_auth->username : "";
        o->basic_password = hc->basic_auth->password ? hc->basic_auth->password : "";
        if (hc->basic_auth->password_file) {
            auth->password = notify_read_secret_file(basedir, hc->basic_auth->password_file, err);
            if (!auth->password)
                return -1;
            o->basic_password = auth->password;
        }
    }
    if (hc->authorization) {
        o->authorization_type = hc->authorization->type;
        o->authorization_credentials =
            hc->authorization->credentials ? hc->authorization->credentials : "";
        if (hc->authorization->credentials_file) {
            auth->credentials =
                notify_read_secret_file(basedir, hc->authorization->credentials_file, err);
            if (!auth->credentials) {
                notify_http_auth_deinit(auth);
                return -1;
            }
            o->authorization_credentials = auth->credentials;
        }
    }
    return 0;
}

void notify_http_auth_deinit(struct notify_http_auth *auth)
{
    free(auth->password);
    free(auth->credentials);
    auth->password = auth->credentials = NULL;
}

int notify_http_post_json(struct notifier *n, struct notify_op *op, const struct http_cfg *hc,
                          const char *url, const char *url_file, const char *url_file_setting,
                          long timeout_ms, struct buf *body, struct notify_result *res)
{
    struct errbuf err;
    char *url_from_file = NULL;
    if (!url) {
        url_from_file = notify_read_secret_file(n->env.basedir, url_file, &err);
        if (!url_from_file) {
            /* Alertmanager: "read url_file: ...", not retried. */
            notify_result_msg(res, "read %s: %s", url_file_setting, err.msg);
            res->retryable = false;
            buf_deinit(body);
            return -1;
        }
    }
    struct http_request_opts o = {0};
    struct notify_http_auth auth;
    if (notify_http_apply(n, hc, &o, &auth, &err) < 0) {
        notify_result_msg(res, "%s", err.msg);
        res->retryable = false;
        free(url_from_file);
        buf_deinit(body);
        return -1;
    }
    static const char *const headers[] = {"Content-Type: application/json", NULL};
    o.method = "POST";
    o.url = url ? url : url_from_file;
    o.headers = headers;
    o.body_len = body->len;
    o.body = buf_steal(body);
    o.body_owned = true;
    o.timeout_ms = timeout_ms;
    int rc = notify_submit_http(op, &o, &err);
    notify_http_auth_deinit(&auth);
    free(url_from_file);
    if (rc < 0) {
        notify_result_msg(res, "%s", err.msg);
        res->retryable = false;
        return -1;
    }
    return 0;
}

void notify_result_msg(struct notify_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->msg, sizeof res->msg, fmt, ap);
    va_end(ap);
}

void notify_result_from_http(const struct http_result *hr, struct notify_result *res)
{
    enum http_outcome o = http_result_classify(hr);
    memset(res, 0, sizeof *res);
    res->status = (int)hr->status;
    res->ok = o == HTTP_OUTCOME_SUCCESS;
    res->retryable = o == HTTP_OUTCOME_RETRYABLE;
    res->cancelled = o == HTTP_OUTCOME_CANCELLED;
    if (res->ok)
        return;
    if (hr->curl_code == 0 && hr->status) {
        /* Alertmanager: "unexpected status code 500: <body>".  (0.25 also
         * printed the webhook URL here; it is a secret, so we do not.) */
        int len = (int)(hr->body_len < sizeof res->msg ? hr->body_len : sizeof res->msg);
        if (hr->body && len > 0)
            notify_result_msg(res, "unexpected status code %ld: %.*s", hr->status, len, hr->body);
        else
            notify_result_msg(res, "unexpected status code %ld", hr->status);
    } else {
        notify_result_msg(res, "%s", hr->error[0] ? hr->error : "request failed");
    }
}

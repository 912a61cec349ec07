/* notify_email.c -- email_configs: an RFC 5322 / MIME message, submitted
 * over SMTP by libcurl on the process's multi handle (DESIGN.md 4), so a
 * slow mail server never blocks the loop.
 *
 * Per attempt (notify.c owns retries) we render `to`, `from`, every
 * `headers` value, `text` and `html` against Alertmanager's template data,
 * and build:
 *
 *   From, To, Subject and the other configured headers (templated; address
 *   headers parsed and rewritten canonically, text values RFC 2047-encoded
 *   when not ASCII, all folded), Date, Message-Id, MIME-Version,
 *   Auto-Submitted: auto-generated (RFC 3834: no vacation replies to the
 *   pager), Content-Type: multipart/alternative with text/plain first (only
 *   when `text` is set, as Alertmanager) and text/html last, both UTF-8
 *   quoted-printable, so a label value of any length or content keeps every
 *   line short and the message 7-bit.
 *
 * The boundary starts with "=_", which quoted-printable text can never
 * contain, so it cannot collide with a body.  Headers the MIME structure
 * depends on (Content-Type, Content-Transfer-Encoding, MIME-Version) are
 * ours: configured values for them are ignored.  A configured Date or
 * Message-Id replaces ours, as in Alertmanager.
 *
 * Transport (what Alertmanager does, mapped onto curl): port 465 is
 * implicit TLS (smtps://), or any port with force_implicit_tls: true
 * (Alertmanager 0.31); otherwise require_tls makes STARTTLS mandatory
 * before anything else is said; the EHLO name (`hello`) is the URL's path.
 * AUTH happens when auth_username is set and the server offers it: PLAIN or
 * LOGIN with auth_password (or auth_password_file, read per attempt), PLAIN
 * carrying auth_identity; CRAM-MD5 with auth_secret when there is no
 * password.  Dot-stuffing of the DATA phase is curl's.
 *
 * Failures: anything wrong with the rendered message (a template error, an
 * address that does not parse, a line break in a header value: alert
 * labels must not be able to add headers or SMTP commands) is permanent
 * and says what it was; a 535 is "authentication failed", permanent (no
 * point hammering a server with a wrong password); other 5xx permanent, 4xx
 * and connection problems retryable.  Passwords never reach a message or a
 * log line. */
#include "notify_email.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "mime.h"
#include "notify_internal.h"
#include "notify_tmpl.h"

struct email_notifier {
    const struct email_cfg *cfg;
    const struct tmpl_set *tmpl;
    struct tmpl_set *own_tmpl; /* the built-in templates, when env had none */
    char host[128];            /* Message-Id's right-hand side */
};

/* ---- the message -------------------------------------------------------------- */

static int render(const struct tmpl_set *ts, const char *field, const char *text,
                  const struct tmpl_data *d, bool html, struct buf *out, struct errbuf *err)
{
    buf_reset(out);
    if (tmpl_exec_string(ts, text, d, html, out, err) < 0) {
        errbuf_prefix(err, "execute %s template", field);
        return -1;
    }
    return 0;
}

static bool is_address_header(const char *name)
{
    static const char *const h[] = {"From", "To", "Cc", "Bcc", "Reply-To", "Sender", NULL};
    for (const char *const *p = h; *p; p++)
        if (strcasecmp(name, *p) == 0)
            return true;
    return false;
}

static bool is_ours(const char *name)
{
    return strcasecmp(name, "Content-Type") == 0 ||
           strcasecmp(name, "Content-Transfer-Encoding") == 0 ||
           strcasecmp(name, "MIME-Version") == 0;
}

static bool configured(const struct email_cfg *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->headers.n; i++)
        if (strcasecmp(cfg->headers.v[i].key, name) == 0)
            return true;
    return false;
}

static void envelope_addr(struct buf *b, const char *addr)
{
    buf_reset(b);
    buf_printf(b, "<%s>", addr);
}

static void put_part(struct buf *m, const char *boundary, const char *type, const struct buf *body)
{
    buf_printf(m,
               "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
               boundary, type);
    mime_qp_encode(m, buf_str(body), body->len);
    buf_puts(m, "\r\n");
}

int email_build(const struct email_cfg *cfg, const struct tmpl_set *ts,
                const struct notify_req *req, struct alert *const *alerts, size_t n,
                const struct email_fixed *fx, struct email_msg *m, struct errbuf *err)
{
    memset(m, 0, sizeof *m);
    struct notify_tmpl_data td;
    notify_tmpl_data_init(&td, req, alerts, n);
    struct buf v = BUF_INIT, text = BUF_INIT, html = BUF_INIT, tmp = BUF_INIT;
    struct mime_addr_list to = {0}, from = {0};
    int rc = -1;

    if (render(ts, "to", cfg->to, &td.d, false, &v, err) < 0)
        goto out;
    if (mime_addr_list_parse(buf_str(&v), &to, err) < 0) {
        errbuf_prefix(err, "parse 'to' addresses");
        goto out;
    }
    if (render(ts, "from", cfg->from ? cfg->from : "", &td.d, false, &v, err) < 0)
        goto out;
    if (mime_addr_list_parse(buf_str(&v), &from, err) < 0) {
        errbuf_prefix(err, "parse 'from' addresses");
        goto out;
    }
    if (from.n != 1) {
        errbuf_set(err, "must be exactly one 'from' address (got: %zu)", from.n);
        goto out;
    }

    /* Headers, in a fixed order: ours that identify the message, then the
     * configured ones (Subject by default) in config order. */
    struct buf *h = &m->msg;
    if (!configured(cfg, "Date")) {
        buf_puts(h, "Date: ");
        mime_date(h, fx->date);
        buf_puts(h, "\r\n");
    }
    if (!configured(cfg, "From"))
        mime_header_addrs(h, "From", &from);
    if (!configured(cfg, "To"))
        mime_header_addrs(h, "To", &to);
    for (size_t i = 0; i < cfg->headers.n; i++) {
        const struct kv *kv = &cfg->headers.v[i];
        if (is_ours(kv->key))
            continue;
        if (!mime_header_name_valid(kv->key)) {
            errbuf_set(err, "invalid header name \"%.80s\"", kv->key);
            goto out;
        }
        buf_reset(&tmp);
        buf_printf(&tmp, "header %s", kv->key);
        if (render(ts, buf_str(&tmp), kv->value, &td.d, false, &v, err) < 0)
            goto out;
        if (is_address_header(kv->key)) {
            struct mime_addr_list l;
            if (mime_addr_list_parse(buf_str(&v), &l, err) < 0) {
                errbuf_prefix(err, "header %s", kv->key);
                goto out;
            }
            mime_header_addrs(h, kv->key, &l);
            mime_addr_list_deinit(&l);
        } else if (mime_header_text(h, kv->key, buf_str(&v), err) < 0) {
            goto out;
        }
    }
    if (!configured(cfg, "Message-Id"))
        buf_printf(h, "Message-Id: %s\r\n", fx->message_id);
    buf_puts(h, "MIME-Version: 1.0\r\n");
    if (!configured(cfg, "Auto-Submitted"))
        buf_puts(h, "Auto-Submitted: auto-generated\r\n");
    buf_printf(h, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", fx->boundary);

    bool has_text = cfg->text && cfg->text[0], has_html = cfg->html && cfg->html[0];
    if (has_text && render(ts, "text", cfg->text, &td.d, false, &text, err) < 0)
        goto out;
    if (has_html && render(ts, "html", cfg->html, &td.d, true, &html, err) < 0)
        goto out;
    /* text/plain first, text/html last: RFC 2046 puts the preferred form
     * last.  A multipart needs one part at least. */
    if (has_text || !has_html)
        put_part(h, fx->boundary, "text/plain", &text);
    if (has_html)
        put_part(h, fx->boundary, "text/html", &html);
    buf_printf(h, "--%s--\r\n", fx->boundary);

    envelope_addr(&tmp, from.v[0].addr);
    m->mail_from = buf_steal(&tmp);
    m->rcpt = xcalloc(to.n + 1, sizeof *m->rcpt);
    for (size_t i = 0; i < to.n; i++) {
        envelope_addr(&tmp, to.v[i].addr);
        m->rcpt[m->n_rcpt++] = buf_steal(&tmp);
    }
    rc = 0;
out:
    if (rc < 0)
        email_msg_deinit(m);
    mime_addr_list_deinit(&to);
    mime_addr_list_deinit(&from);
    buf_deinit(&v);
    buf_deinit(&text);
    buf_deinit(&html);
    buf_deinit(&tmp);
    notify_tmpl_data_deinit(&td);
    return rc;
}

void email_msg_deinit(struct email_msg *m)
{
    buf_deinit(&m->msg);
    free(m->mail_from);
    for (size_t i = 0; i < m->n_rcpt; i++)
        free(m->rcpt[i]);
    free(m->rcpt);
    memset(m, 0, sizeof *m);
}

/* ---- transport ----------------------------------------------------------------- */

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int email_url(const struct email_cfg *cfg, struct buf *out, struct errbuf *err)
{
    const char *hp = cfg->smarthost ? cfg->smarthost : "";
    const char *colon = strrchr(hp, ':');
    if (!colon || colon == hp || !colon[1]) {
        errbuf_set(err, "smarthost \"%s\" is not host:port", hp);
        return -1;
    }
    const char *port = colon + 1;
    for (const char *p = port; *p; p++)
        if (*p < '0' || *p > '9') {
            errbuf_set(err, "smarthost \"%s\": bad port", hp);
            return -1;
        }
    size_t hlen = (size_t)(colon - hp);
    bool v6 = memchr(hp, ':', hlen) && hp[0] != '[';
    bool implicit =
        cfg->force_implicit_tls < 0 ? strcmp(port, "465") == 0 : cfg->force_implicit_tls == 1;
    buf_printf(out, "%s://%s%.*s%s:%s/", implicit ? "smtps" : "smtp", v6 ? "[" : "", (int)hlen, hp,
               v6 ? "]" : "", port);
    const char *hello = cfg->hello && cfg->hello[0] ? cfg->hello : "localhost";
    for (const unsigned char *p = (const unsigned char *)hello; *p; p++) {
        if (unreserved(*p))
            buf_putc(out, (char)*p);
        else
            buf_printf(out, "%%%02X", *p);
    }
    return 0;
}

/* Random hex for Message-Ids and boundaries; getrandom() does not block
 * once the pool is initialised, and the clock is a fine fallback: these
 * need to be unique, not secret. */
static void random_hex(char *out, size_t nbytes)
{
    unsigned char r[32];
    if (nbytes > sizeof r)
        nbytes = sizeof r;
    if (getrandom(r, nbytes, GRND_NONBLOCK) != (ssize_t)nbytes) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)getpid();
        for (size_t i = 0; i < nbytes; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            r[i] = (unsigned char)(s >> 56);
        }
    }
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static void wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static int email_attempt(struct notifier *n, struct notify_op *op, const struct notify_req *req,
                         struct alert *const *alerts, size_t n_alerts, struct notify_result *res)
{
    struct email_notifier *en = n->priv;
    const struct email_cfg *cfg = en->cfg;
    struct errbuf err;
    struct buf url = BUF_INIT;
    res->retryable = false; /* every failure before the send is permanent */
    if (email_url(cfg, &url, &err) < 0) {
        notify_result_msg(res, "%s", err.msg);
        return -1;
    }
    char *password = NULL;
    if (cfg->auth_username && cfg->auth_username[0] && cfg->auth_password_file) {
        password = notify_read_secret_file(n->env.basedir, cfg->auth_password_file, &err);
        if (!password) {
            notify_result_msg(res, "read auth_password_file: %s", err.msg);
            buf_deinit(&url);
            return -1;
        }
    }
    char mid_rand[33], bnd_rand[33], mid[300], boundary[64];
    random_hex(mid_rand, 12);
    random_hex(bnd_rand, 12);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(mid, sizeof mid, "<%lld.%s@%s>", (long long)now.tv_sec * 1000000000LL + now.tv_nsec,
             mid_rand, en->host);
    snprintf(boundary, sizeof boundary, "=_ar_%s", bnd_rand);
    struct email_fixed fx = {now.tv_sec, mid, boundary};
    struct email_msg m;
    if (email_build(cfg, en->tmpl, req, alerts, n_alerts, &fx, &m, &err) < 0) {
        notify_result_msg(res, "%s", err.msg);
        wipe_free(password);
        buf_deinit(&url);
        return -1;
    }
    struct http_smtp_opts o = {0};
    o.url = buf_str(&url);
    o.mail_from = m.mail_from;
    o.rcpt = (const char *const *)m.rcpt;
    o.payload_len = m.msg.len;
    o.payload = buf_steal(&m.msg);
    o.payload_owned = true;
    o.require_tls = cfg->require_tls;
    if (cfg->auth_username && cfg->auth_username[0]) {
        o.user = cfg->auth_username;
        o.authzid = cfg->auth_identity;
        const char *pw = password ? password : cfg->auth_password;
        if (pw) {
            o.password = pw;
            o.login_options = "AUTH=PLAIN;AUTH=LOGIN";
        } else if (cfg->auth_secret) {
            o.password = cfg->auth_secret;
            o.login_options = "AUTH=CRAM-MD5";
        } else {
            o.password = "";
            o.login_options = "AUTH=PLAIN;AUTH=LOGIN";
        }
    }
    o.tls.ca_file = cfg->tls.ca_file;
    o.tls.cert_file = cfg->tls.cert_file;
    o.tls.key_file = cfg->tls.key_file;
    o.tls.server_name = cfg->tls.server_name;
    o.tls.insecure_skip_verify = cfg->tls.insecure_skip_verify;
    o.tls.min_version = notify_tls_version(cfg->tls.min_version);
    int rc = notify_submit_smtp(op, &o, &err);
    wipe_free(password);
    email_msg_deinit(&m);
    buf_deinit(&url);
    if (rc < 0) {
        notify_result_msg(res, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* The common judgement, with clearer words for the two failures people
 * meet most: a rejected password and a server without STARTTLS. */
static void email_check(struct notifier *n, struct notify_op *op, const struct http_result *hr,
                        struct notify_result *res)
{
    const struct email_notifier *en = n->priv;
    notify_result_from_http(hr, res);
    if (res->ok || res->cancelled)
        return;
    if (hr->curl_code == CURLE_LOGIN_DENIED || hr->status == 535) {
        res->retryable = false;
        notify_result_msg(res, "authentication failed (SMTP %ld) at %s for user %s", hr->status,
                          en->cfg->smarthost, en->cfg->auth_username ? en->cfg->auth_username : "");
    } else if (hr->curl_code == CURLE_USE_SSL_FAILED) {
        notify_result_msg(res,
                          "'require_tls' is true (default) but \"%s\" does not advertise the "
                          "STARTTLS extension",
                          en->cfg->smarthost);
    }
}

static void email_free(struct notifier *n)
{
    struct email_notifier *en = n->priv;
    tmpl_set_free(en->own_tmpl);
    free(en);
}

static const struct notifier_ops email_ops = {
    .name = "email",
    .attempt = email_attempt,
    .check = email_check,
    .free = email_free,
};

/* The host name for Message-Ids, reduced to what a dot-atom allows. */
static void message_id_host(char *out, size_t n)
{
    char h[256] = "";
    if (gethostname(h, sizeof h - 1) < 0)
        h[0] = '\0';
    size_t k = 0;
    for (const char *p = h; *p && k + 1 < n; p++)
        if (unreserved((unsigned char)*p) && *p != '~')
            out[k++] = *p;
    out[k] = '\0';
    if (k == 0 || out[0] == '.' || out[k - 1] == '.' || strstr(out, ".."))
        snprintf(out, n, "alertrouter");
}

struct notifier *notifier_email_new(const struct email_cfg *cfg, const char *receiver, unsigned idx,
                                    const struct notify_env *env)
{
    struct email_notifier *en = xcalloc(1, sizeof *en);
    en->cfg = cfg;
    en->tmpl = env->tmpl;
    if (!en->tmpl) {
        struct errbuf err;
        en->own_tmpl = tmpl_set_new();
        if (tmpl_set_load_default(en->own_tmpl, &err) < 0)
            log_error("Built-in templates do not load", "err", err.msg);
        en->tmpl = en->own_tmpl;
    }
    message_id_host(en->host, sizeof en->host);
    return notifier_alloc(&email_ops, receiver, idx, cfg->send_resolved, env, en);
}

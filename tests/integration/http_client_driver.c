/* http_client_driver.c -- drives router/http_client against real loopback
 * peers (tests/integration/peers/https_double.py, smtpd_double.py) and
 * checks what comes back.  Run by t_http_client.sh, which starts the peers.
 *
 * Each phase submits a batch of requests on one libev loop and runs the
 * loop until every callback has arrived (or a per-phase safety timer says
 * the client hung).  A 10 ms heartbeat timer measures the longest stall of
 * the loop over the whole run: it must stay small, since nothing may block.
 * Every error string the client produces is scanned for the secrets put
 * into the URLs and credentials; the driver itself never prints a URL.
 *
 * Prints "ok: ..." / "FAIL: ..." per check and "measure: ..." lines; exits
 * 1 if any check failed. */
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "curl_dl.h"
#include "http_client.h"
#include "mem.h"

#include "driver_util.h"

#define SECRET_PATH "SECRETxPATHx7f3a"
#define SECRET_QUERY "SIGxSECRETx91c2"
#define SECRET_PASS "PASSxSECRETx55d1"
#define SECRET_TOKEN "TOKENxSECRETx0b7e"

struct got {
    int calls;
    struct http_result r; /* copy; body pointer cleared */
    char body_head[32];
    enum http_outcome outcome;
};

static struct ev_loop *loop;
static struct http_client *client;
static int outstanding, leaks;
static ev_timer heartbeat, safety;
static ev_tstamp last_beat, max_gap;
static bool timed_out;
static bool break_when_done = true; /* false while the drain phase runs */

static struct {
    const char *https, *mtls, *ca, *other_ca, *cert, *key, *smtp, *smtps, *ca_dir;
    int closed_port, n;
    double delay;
} opt = {.n = 100, .delay = 0.5};

static void on_beat(EV_P_ ev_timer *w, int revents)
{
    ev_tstamp now = ev_time();
    if (last_beat > 0 && now - last_beat > max_gap)
        max_gap = now - last_beat;
    last_beat = now;
}

static void on_safety(EV_P_ ev_timer *w, int revents)
{
    timed_out = true;
    ev_break(EV_A_ EVBREAK_ALL);
}

static void scan_for_secrets(const char *s)
{
    static const char *const secrets[] = {SECRET_PATH, SECRET_QUERY, SECRET_PASS, SECRET_TOKEN};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(s, secrets[i])) {
            leaks++;
            printf("LEAK: an error message contains a secret (%zu)\n", i);
        }
}

static void on_done(void *arg, const struct http_result *r)
{
    struct got *g = arg;
    g->calls++;
    g->r = *r;
    g->r.body = NULL;
    snprintf(g->body_head, sizeof g->body_head, "%s", r->body);
    g->outcome = http_result_classify(r);
    scan_for_secrets(r->error);
    outstanding--;
    if (outstanding <= 0 && break_when_done)
        ev_break(loop, EVBREAK_ONE);
}

/* Runs the loop until every submitted request has called back. */
static bool run(double max_s)
{
    timed_out = false;
    ev_timer_set(&safety, max_s, 0.0);
    ev_timer_start(loop, &safety);
    if (outstanding > 0)
        ev_run(loop, 0);
    ev_timer_stop(loop, &safety);
    if (timed_out)
        check(false, "phase finished within %.0f s (%d callbacks missing)", max_s, outstanding);
    return !timed_out;
}

static struct http_request_opts base_opts(const char *url)
{
    struct http_request_opts o;
    memset(&o, 0, sizeof o);
    o.url = url;
    o.tls.ca_file = opt.ca;
    o.timeout_ms = 5000;
    return o;
}

static bool submit(struct got *g, const struct http_request_opts *o)
{
    struct errbuf err;
    memset(g, 0, sizeof *g);
    if (http_client_submit(client, o, on_done, g, &err) == NULL) {
        check(false, "submit accepted: %s", err.msg);
        return false;
    }
    outstanding++;
    return true;
}

/* GET base+path with the test CA; runs the loop; returns the result. */
static void get1(struct got *g, const char *path, void (*tweak)(struct http_request_opts *))
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", opt.https, path);
    struct http_request_opts o = base_opts(url);
    if (tweak)
        tweak(&o);
    if (submit(g, &o))
        run(20);
}

/* ---- phases ------------------------------------------------------------ */

static void phase_concurrent(void)
{
    static const char *const headers[] = {"Content-Type: application/json", "X-Test: concurrent",
                                          NULL};
    int n = opt.n;
    struct got *g = calloc((size_t)n, sizeof *g);
    char url[512];
    snprintf(url, sizeof url, "%s/hook/concurrent?delay=%.3f", opt.https, opt.delay);
    for (int round = 1; round <= 2; round++) {
        ev_tstamp t0 = ev_time();
        for (int i = 0; i < n; i++) {
            char body[128];
            snprintf(body, sizeof body, "{\"seq\":%d,\"round\":%d}", i, round);
            struct http_request_opts o = base_opts(url);
            o.method = "POST";
            o.headers = headers;
            o.body = body;
            o.body_len = strlen(body);
            submit(&g[i], &o);
        }
        double queued = ev_time() - t0;
        check(http_client_pending(client) == (size_t)n, "pending() counts %d in flight", n);
        run(30);
        double wall = ev_time() - t0;
        int ok = 0;
        for (int i = 0; i < n; i++)
            ok += g[i].calls == 1 && g[i].r.curl_code == 0 && g[i].r.status == 200 &&
                  g[i].outcome == HTTP_OUTCOME_SUCCESS;
        check(ok == n, "round %d: %d/%d concurrent POSTs answered 200", round, ok, n);
        printf("measure: round %d: %d concurrent POSTs, server delay %.2f s each: wall %.3f s "
               "(serial would be %.1f s; submitting took %.1f ms)\n",
               round, n, opt.delay, wall, n * opt.delay, queued * 1e3);
        check(wall < opt.delay * 4 + 1.0, "round %d ran in parallel: wall %.2f s << %.1f s", round,
              wall, n * opt.delay);
        check(http_client_pending(client) == 0, "pending() back to 0");
    }
    free(g);
}

static void no_ca(struct http_request_opts *o)
{
    o->tls.ca_file = NULL;
}
static void wrong_ca(struct http_request_opts *o)
{
    o->tls.ca_file = opt.other_ca;
}
static void skip_verify(struct http_request_opts *o)
{
    o->tls.ca_file = NULL;
    o->tls.insecure_skip_verify = true;
}
static void good_name(struct http_request_opts *o)
{
    o->tls.server_name = "webhook.test";
}
static void bad_name(struct http_request_opts *o)
{
    o->tls.server_name = "wrong.test";
}
static void tls13(struct http_request_opts *o)
{
    o->tls.min_version = HTTP_TLS_1_3;
}

static void phase_tls(void)
{
    struct got g;
    get1(&g, "/tls/ok", NULL);
    check(g.r.curl_code == 0 && g.r.status == 200, "TLS with the test CA: status %ld", g.r.status);
    get1(&g, "/tls/" SECRET_PATH "?sig=" SECRET_QUERY, no_ca);
    check(g.r.curl_code == CURLE_PEER_FAILED_VERIFICATION, "TLS without the test CA fails: curl %d",
          g.r.curl_code);
    check(strstr(g.r.error, "certificate") != NULL, "... with a clear error: %s", g.r.error);
    check(g.outcome == HTTP_OUTCOME_RETRYABLE, "... classified %s", http_outcome_name(g.outcome));
    get1(&g, "/tls/wrong-ca", wrong_ca);
    check(g.r.curl_code == CURLE_PEER_FAILED_VERIFICATION, "TLS with an unrelated CA fails: %s",
          g.r.error);
    get1(&g, "/tls/insecure", skip_verify);
    check(g.r.curl_code == 0 && g.r.status == 200, "insecure_skip_verify connects: status %ld",
          g.r.status);
    get1(&g, "/tls/server-name", good_name);
    check(g.r.curl_code == 0 && g.r.status == 200, "tls server_name=webhook.test verifies (%s)",
          g.r.error);
    get1(&g, "/tls/server-name-wrong", bad_name);
    check(g.r.curl_code == CURLE_PEER_FAILED_VERIFICATION,
          "tls server_name=wrong.test is refused: %s", g.r.error);
    get1(&g, "/tls/tls13", tls13);
    check(g.r.curl_code == 0 && g.r.status == 200, "min_version TLS 1.3 connects (%s)", g.r.error);
}

/* SSL_CERT_FILE / SSL_CERT_DIR, read when a client is made: they replace
 * the system's trust, and a tls.ca_file replaces both.  (That a ca_file
 * also switches off curl's default CA directory cannot be shown here: the
 * test CA is not in /etc/ssl/certs.) */
static void phase_trust_env(void)
{
    if (!opt.ca_dir) {
        printf("NOTE: trust_env phase skipped (no --ca-dir)\n");
        return;
    }
    struct http_client *saved = client;
    struct got g;
    setenv("SSL_CERT_FILE", opt.ca, 1);
    client = http_client_new(loop);
    get1(&g, "/trust/env-file", no_ca);
    check(g.r.curl_code == 0 && g.r.status == 200, "SSL_CERT_FILE=test CA is trusted (%s)",
          g.r.error);
    get1(&g, "/trust/env-file-ca-file", wrong_ca);
    check(g.r.curl_code == CURLE_PEER_FAILED_VERIFICATION,
          "... but a tls.ca_file of another CA wins over it: curl %d", g.r.curl_code);
    http_client_free(client);

    setenv("SSL_CERT_FILE", opt.other_ca, 1);
    setenv("SSL_CERT_DIR", opt.ca_dir, 1);
    client = http_client_new(loop);
    get1(&g, "/trust/env-dir", no_ca);
    check(g.r.curl_code == 0 && g.r.status == 200,
          "SSL_CERT_DIR holding the test CA is trusted (%s)", g.r.error);
    get1(&g, "/trust/env-dir-ca-file", wrong_ca);
    check(g.r.curl_code == CURLE_PEER_FAILED_VERIFICATION,
          "a tls.ca_file wins over SSL_CERT_DIR too: curl %d", g.r.curl_code);
    http_client_free(client);

    setenv("SSL_CERT_FILE", "", 1);
    unsetenv("SSL_CERT_DIR");
    client = http_client_new(loop);
    get1(&g, "/trust/env-empty", no_ca);
    check(g.r.curl_code == CURLE_PEER_FAILED_VERIFICATION,
          "SSL_CERT_FILE=\"\" means the system's CAs (the test CA is not among them): curl %d",
          g.r.curl_code);
    http_client_free(client);
    unsetenv("SSL_CERT_FILE");
    client = saved;
}

static void phase_mtls(void)
{
    if (opt.mtls == NULL)
        return;
    struct got g1, g2;
    char url[512];
    snprintf(url, sizeof url, "%s/mtls", opt.mtls);
    struct http_request_opts o = base_opts(url);
    o.tls.cert_file = opt.cert;
    o.tls.key_file = opt.key;
    submit(&g1, &o);
    o.tls.cert_file = o.tls.key_file = NULL;
    submit(&g2, &o);
    run(20);
    check(g1.r.curl_code == 0 && g1.r.status == 200, "mutual TLS with a client cert: %ld %s",
          g1.r.status, g1.r.error);
    check(g2.r.curl_code != 0, "mutual TLS without a client cert fails: %s", g2.r.error);
}

static void phase_timeout(void)
{
    struct got g;
    char url[512];
    snprintf(url, sizeof url, "%s/slow/" SECRET_PATH "?delay=3&sig=" SECRET_QUERY, opt.https);
    struct http_request_opts o = base_opts(url);
    o.timeout_ms = 300;
    submit(&g, &o);
    run(10);
    check(g.r.curl_code == CURLE_OPERATION_TIMEDOUT, "a 300 ms timeout fires: curl %d (%s)",
          g.r.curl_code, g.r.error);
    check(g.r.elapsed_s >= 0.25 && g.r.elapsed_s < 1.5, "... after %.3f s", g.r.elapsed_s);
    check(g.outcome == HTTP_OUTCOME_RETRYABLE, "... classified %s", http_outcome_name(g.outcome));
}

static void cap_1k(struct http_request_opts *o)
{
    o->body_cap = 1000;
}

static void phase_body(void)
{
    struct got g;
    get1(&g, "/body?body_bytes=200000", NULL);
    check(g.r.status == 200 && g.r.body_len == HTTP_BODY_CAP_DEFAULT && g.r.body_total == 200000 &&
              g.r.body_truncated,
          "200000-byte body kept %zu (cap %d), counted %zu, truncated %d", g.r.body_len,
          HTTP_BODY_CAP_DEFAULT, g.r.body_total, g.r.body_truncated);
    get1(&g, "/body?body_bytes=5000", cap_1k);
    check(g.r.body_len == 1000 && g.r.body_total == 5000, "per-request cap 1000: kept %zu of %zu",
          g.r.body_len, g.r.body_total);
    get1(&g, "/services/T/B/X", NULL);
    check(g.r.body_len == 2 && strcmp(g.body_head, "ok") == 0 && !g.r.body_truncated &&
              strncmp(g.r.content_type, "text/html", 9) == 0,
          "small body kept whole: \"%s\", Content-Type %s", g.body_head, g.r.content_type);
}

static void phase_status(void)
{
    struct got g;
    get1(&g, "/ra?status=429&retry_after=7", NULL);
    check(g.r.status == 429 && g.r.retry_after_ms == 7000 && g.outcome == HTTP_OUTCOME_RETRYABLE,
          "429 Retry-After: 7 -> %lld ms, %s", g.r.retry_after_ms, http_outcome_name(g.outcome));
    get1(&g, "/ra?status=503&retry_after_in=120", NULL);
    check(g.r.status == 503 && g.r.retry_after_ms >= 118000 && g.r.retry_after_ms <= 121000 &&
              g.outcome == HTTP_OUTCOME_RETRYABLE,
          "503 Retry-After as HTTP-date 120 s ahead -> %lld ms, %s", g.r.retry_after_ms,
          http_outcome_name(g.outcome));
    get1(&g, "/ra?status=429&retry_after=soon", NULL);
    check(g.r.retry_after_ms == -1, "unparseable Retry-After -> -1 (%lld)", g.r.retry_after_ms);
    get1(&g, "/st?status=404", NULL);
    check(g.r.status == 404 && g.outcome == HTTP_OUTCOME_PERMANENT && g.r.retry_after_ms == -1,
          "404 is permanent: %s", g.r.error);
    get1(&g, "/workflows/abc", NULL);
    check(g.r.status == 202 && g.outcome == HTTP_OUTCOME_SUCCESS, "202 is success");
    get1(&g, "/drop/" SECRET_PATH "?drop=1&sig=" SECRET_QUERY, NULL);
    /* 52 on a fresh connection; on a reused one curl itself retries a
     * request that got no answer on a fresh connection, up to 5 times, and
     * then reports 55. */
    check((g.r.curl_code == CURLE_GOT_NOTHING || g.r.curl_code == CURLE_SEND_ERROR) &&
              g.r.status == 0 && g.outcome == HTTP_OUTCOME_RETRYABLE,
          "dropped connection is a retryable transport error: %s", g.r.error);
}

static void with_secrets(struct http_request_opts *o)
{
    static const char *const headers[] = {"Content-Type: application/json", NULL};
    o->method = "POST";
    o->headers = headers;
    o->body = "{\"text\":\"hi\"}";
    o->body_len = strlen(o->body);
    o->basic_user = "router";
    o->basic_password = SECRET_PASS;
    o->tls.ca_file = NULL; /* fail verification: the error path */
}

static void phase_redaction(void)
{
    struct got g;
    char url[512];
    get1(&g, "/services/T000/B000/" SECRET_PATH "?sig=" SECRET_QUERY, with_secrets);
    check(g.r.curl_code != 0 && strstr(g.r.error, opt.https + 8) != NULL,
          "TLS error names the peer as scheme://host:port: %s", g.r.error);
    /* Connection refused, with credentials in the userinfo. */
    snprintf(url, sizeof url,
             "https://user:" SECRET_PASS "@127.0.0.1:%d/" SECRET_PATH "?sig=" SECRET_QUERY
             "#" SECRET_TOKEN,
             opt.closed_port);
    struct http_request_opts o = base_opts(url);
    o.authorization_credentials = SECRET_TOKEN;
    submit(&g, &o);
    run(10);
    char want[64];
    snprintf(want, sizeof want, "https://127.0.0.1:%d", opt.closed_port);
    check(g.r.curl_code == CURLE_COULDNT_CONNECT && strstr(g.r.error, want) != NULL,
          "connection refused: %s", g.r.error);
    char red[128];
    http_client_redact_url(url, red, sizeof red);
    check(strcmp(red, want) == 0, "http_client_redact_url keeps only %s", red);
    scan_for_secrets(red);
    /* A rejected submission must not echo the URL either. */
    struct errbuf err;
    snprintf(url, sizeof url, "ftp://127.0.0.1/" SECRET_PATH);
    o = base_opts(url);
    check(http_client_submit(client, &o, on_done, &g, &err) == NULL, "ftp:// refused: %s", err.msg);
    scan_for_secrets(err.msg);
    o = base_opts("file:///etc/passwd");
    check(http_client_submit(client, &o, on_done, &g, &err) == NULL, "file:// refused: %s",
          err.msg);
    check(leaks == 0, "no error message so far contained a secret (%d leaks)", leaks);
}

static void phase_bad_input(void)
{
    struct got g;
    struct errbuf err;
    char url[512];
    snprintf(url, sizeof url, "%s/x", opt.https);
    static const char *const inject[] = {"X-A: 1\r\nX-Injected: 1", NULL};
    struct http_request_opts o = base_opts(url);
    o.headers = inject;
    check(http_client_submit(client, &o, on_done, &g, &err) == NULL, "header with CRLF refused: %s",
          err.msg);
    o = base_opts(url);
    o.method = "get me";
    check(http_client_submit(client, &o, on_done, &g, &err) == NULL, "bad method refused: %s",
          err.msg);
    o = base_opts("not a url");
    check(http_client_submit(client, &o, on_done, &g, &err) == NULL, "garbage URL refused: %s",
          err.msg);
    o = base_opts(url);
    o.body = xstrdup("owned body");
    o.body_len = 10;
    o.body_owned = true;
    o.method = "GET"; /* GET with a body is refused; the owned body is freed */
    check(http_client_submit(client, &o, on_done, &g, &err) == NULL,
          "GET with body refused (owned body freed): %s", err.msg);
    check(http_client_pending(client) == 0, "nothing left pending after refusals");
}

/* What the server recorded is checked by t_http_client.sh. */
static void phase_headers(void)
{
    struct got g1, g2, g3;
    static const char *const headers[] = {"Content-Type: application/json", "X-Receiver: team-a",
                                          NULL};
    char url[512];
    snprintf(url, sizeof url, "%s/record/bearer", opt.https);
    struct http_request_opts o = base_opts(url);
    o.headers = headers;
    o.body = xstrdup("{\"owned\":true}");
    o.body_len = strlen(o.body);
    o.body_owned = true;
    o.authorization_credentials = "test-bearer-token";
    submit(&g1, &o);
    snprintf(url, sizeof url, "%s/record/basic", opt.https);
    o = base_opts(url);
    o.method = "PUT";
    o.body = "{\"put\":1}";
    o.body_len = strlen(o.body);
    o.basic_user = "alice";
    o.basic_password = "wonderland";
    o.user_agent = "custom-agent/1";
    submit(&g2, &o);
    snprintf(url, sizeof url, "%s/record/redirect?status=302", opt.https);
    o = base_opts(url);
    submit(&g3, &o);
    run(20);
    check(g1.r.status == 200 && g2.r.status == 200, "bearer POST and basic-auth PUT answered");
    check(g3.r.status == 302 && g3.outcome == HTTP_OUTCOME_PERMANENT,
          "a 302 without follow_redirects is reported as is (%s)", http_outcome_name(g3.outcome));
}

static void phase_cancel(void)
{
    struct got g[5];
    struct http_request *req[5];
    char url[512];
    snprintf(url, sizeof url, "%s/cancel?delay=0.3", opt.https);
    for (int i = 0; i < 5; i++) {
        struct errbuf err;
        struct http_request_opts o = base_opts(url);
        memset(&g[i], 0, sizeof g[i]);
        req[i] = http_client_submit(client, &o, on_done, &g[i], &err);
        outstanding++;
    }
    http_client_cancel(client, req[1]);
    http_client_cancel(client, req[3]);
    outstanding -= 2;
    check(http_client_pending(client) == 3, "cancel: 3 of 5 still pending");
    run(10);
    check(g[0].calls == 1 && g[2].calls == 1 && g[4].calls == 1 && g[1].calls == 0 &&
              g[3].calls == 0,
          "cancelled requests never call back; the others complete");
}

static int drained_calls;
static void on_drained(void *arg)
{
    drained_calls++;
    ev_break(loop, EVBREAK_ONE);
}

static void phase_drain(void)
{
    struct got fast[3], slow[2], late;
    char url[512];
    snprintf(url, sizeof url, "%s/drain?delay=0.2", opt.https);
    for (int i = 0; i < 3; i++) {
        struct http_request_opts o = base_opts(url);
        submit(&fast[i], &o);
    }
    snprintf(url, sizeof url, "%s/drain?delay=5", opt.https);
    for (int i = 0; i < 2; i++) {
        struct http_request_opts o = base_opts(url);
        o.timeout_ms = 10000;
        submit(&slow[i], &o);
    }
    ev_tstamp t0 = ev_time();
    break_when_done = false; /* the drained callback ends this phase */
    http_client_drain(client, 1.0, on_drained, NULL);
    struct errbuf err;
    struct http_request_opts o = base_opts(url);
    check(http_client_submit(client, &o, on_done, &late, &err) == NULL,
          "no new submissions while draining: %s", err.msg);
    check(drained_calls == 0, "drained callback not called from inside drain()");
    ev_timer_set(&safety, 10, 0.0);
    ev_timer_start(loop, &safety);
    ev_run(loop, 0);
    ev_timer_stop(loop, &safety);
    double wall = ev_time() - t0;
    int ok = 0, cancelled = 0;
    for (int i = 0; i < 3; i++)
        ok += fast[i].calls == 1 && fast[i].r.status == 200;
    for (int i = 0; i < 2; i++)
        cancelled +=
            slow[i].calls == 1 && slow[i].r.cancelled && slow[i].outcome == HTTP_OUTCOME_CANCELLED;
    check(ok == 3 && cancelled == 2 && drained_calls == 1,
          "drain(1 s): %d finished, %d aborted as cancelled, drained called %d time(s)", ok,
          cancelled, drained_calls);
    check(wall >= 0.9 && wall < 2.0, "... after %.2f s", wall);
    outstanding = 0;
}

/* SMTP: STARTTLS + AUTH against aiosmtpd. */
static const char MESSAGE[] = "From: Router <router@example.org>\r\n"
                              "To: Oncall <oncall@example.org>\r\n"
                              "Subject: [FIRING:1] HighLatency\r\n"
                              "\r\n"
                              "p99 latency above 500ms\r\n"
                              ".leading dot line\r\n";

static struct http_smtp_opts smtp_opts(const char *url, const char *pass, const char *const *rcpt)
{
    struct http_smtp_opts o;
    memset(&o, 0, sizeof o);
    o.url = url;
    o.mail_from = "<router@example.org>";
    o.rcpt = rcpt;
    o.payload = MESSAGE;
    o.payload_len = sizeof MESSAGE - 1;
    o.require_tls = true;
    o.user = "router";
    o.password = pass;
    o.tls.ca_file = opt.ca;
    o.timeout_ms = 5000;
    return o;
}

static bool submit_smtp(struct got *g, const struct http_smtp_opts *o)
{
    struct errbuf err;
    memset(g, 0, sizeof *g);
    if (http_client_submit_smtp(client, o, on_done, g, &err) == NULL) {
        check(false, "SMTP submit accepted: %s", err.msg);
        return false;
    }
    outstanding++;
    return true;
}

static void phase_smtp(void)
{
    if (opt.smtp == NULL)
        return;
    static const char *const ok_rcpt[] = {"<oncall@example.org>", "team@example.org", NULL};
    static const char *const perm_rcpt[] = {"<permfail@example.org>", NULL};
    static const char *const temp_rcpt[] = {"<tempfail@example.org>", NULL};
    struct got ok, bad, smtps, perm, temp, plain, untrusted;
    struct http_smtp_opts o = smtp_opts(opt.smtp, "s3cret", ok_rcpt);
    submit_smtp(&ok, &o);
    o = smtp_opts(opt.smtp, SECRET_PASS, ok_rcpt);
    submit_smtp(&bad, &o);
    if (opt.smtps) {
        o = smtp_opts(opt.smtps, "s3cret", ok_rcpt);
        o.require_tls = false; /* implicit TLS regardless */
        submit_smtp(&smtps, &o);
    }
    o = smtp_opts(opt.smtp, "s3cret", perm_rcpt);
    submit_smtp(&perm, &o);
    o = smtp_opts(opt.smtp, "s3cret", temp_rcpt);
    submit_smtp(&temp, &o);
    o = smtp_opts(opt.smtp, "s3cret", ok_rcpt);
    o.require_tls = false; /* the server demands STARTTLS before AUTH */
    submit_smtp(&plain, &o);
    o = smtp_opts(opt.smtp, "s3cret", ok_rcpt);
    o.tls.ca_file = opt.other_ca;
    submit_smtp(&untrusted, &o);
    run(20);
    check(ok.r.curl_code == 0 && ok.r.status == 250 && ok.outcome == HTTP_OUTCOME_SUCCESS,
          "SMTP STARTTLS+AUTH delivered: reply %ld", ok.r.status);
    check(bad.r.curl_code == CURLE_LOGIN_DENIED && bad.r.status == 535 &&
              bad.outcome == HTTP_OUTCOME_PERMANENT,
          "SMTP wrong password: curl %d, reply %ld, %s: %s", bad.r.curl_code, bad.r.status,
          http_outcome_name(bad.outcome), bad.r.error);
    if (opt.smtps)
        check(smtps.r.curl_code == 0 && smtps.r.status == 250,
              "SMTPS (implicit TLS) delivered: reply %ld %s", smtps.r.status, smtps.r.error);
    check(perm.r.status == 550 && perm.outcome == HTTP_OUTCOME_PERMANENT,
          "SMTP 550 on RCPT is permanent: %s", perm.r.error);
    check(temp.r.status == 451 && temp.outcome == HTTP_OUTCOME_RETRYABLE,
          "SMTP 451 on RCPT is retryable: %s", temp.r.error);
    check(plain.r.curl_code != 0, "SMTP without STARTTLS is refused by the server: %s",
          plain.r.error);
    check(untrusted.r.curl_code == CURLE_PEER_FAILED_VERIFICATION,
          "SMTP STARTTLS with an untrusted cert fails: %s", untrusted.r.error);
    struct errbuf err;
    static const char *const inject[] = {"<a@example.org>\r\nRCPT TO:<b@example.org>", NULL};
    o = smtp_opts(opt.smtp, "s3cret", inject);
    check(http_client_submit_smtp(client, &o, on_done, &ok, &err) == NULL,
          "SMTP recipient with CRLF refused: %s", err.msg);
    o = smtp_opts("smtp://mx.example.org:587/router.test", "s3cret", ok_rcpt);
    o.require_tls = false;
    check(http_client_submit_smtp(client, &o, on_done, &ok, &err) == NULL,
          "SMTP AUTH in clear text to a remote host refused: %s", err.msg);
}

/* Freeing a client with requests in flight reports them as cancelled. */
static void phase_free_pending(void)
{
    struct http_client *saved = client;
    client = http_client_new(loop);
    struct got g[2];
    char url[512];
    snprintf(url, sizeof url, "%s/free?delay=2", opt.https);
    for (int i = 0; i < 2; i++) {
        struct http_request_opts o = base_opts(url);
        submit(&g[i], &o);
    }
    /* Let the requests get onto the wire first. */
    ev_timer_set(&safety, 0.2, 0.0);
    ev_timer_start(loop, &safety);
    ev_run(loop, 0);
    http_client_free(client);
    client = saved;
    check(g[0].calls == 1 && g[1].calls == 1 && g[0].r.cancelled && g[1].r.cancelled,
          "http_client_free() cancels what is in flight, with callbacks");
    outstanding = 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"https", 1, 0, 'h'},
        {"mtls", 1, 0, 'm'},
        {"ca", 1, 0, 'c'},
        {"other-ca", 1, 0, 'o'},
        {"cert", 1, 0, 'C'},
        {"key", 1, 0, 'K'},
        {"smtp", 1, 0, 's'},
        {"smtps", 1, 0, 'S'},
        {"closed-port", 1, 0, 'p'},
        {"n", 1, 0, 'n'},
        {"delay", 1, 0, 'd'},
        {"ca-dir", 1, 0, 'D'},
        {0, 0, 0, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            opt.https = optarg;
            break;
        case 'm':
            opt.mtls = optarg;
            break;
        case 'c':
            opt.ca = optarg;
            break;
        case 'o':
            opt.other_ca = optarg;
            break;
        case 'C':
            opt.cert = optarg;
            break;
        case 'K':
            opt.key = optarg;
            break;
        case 's':
            opt.smtp = optarg;
            break;
        case 'S':
            opt.smtps = optarg;
            break;
        case 'p':
            opt.closed_port = (int)strtol(optarg, NULL, 10);
            break;
        case 'n':
            opt.n = (int)strtol(optarg, NULL, 10);
            break;
        case 'd':
            opt.delay = strtod(optarg, NULL);
            break;
        case 'D':
            opt.ca_dir = optarg;
            break;
        default:
            return 2;
        }
    }
    if (!opt.https || !opt.ca || !opt.other_ca || opt.n <= 0) {
        fprintf(stderr,
                "usage: %s --https BASE --ca CA --other-ca CA2 [--mtls BASE --cert C "
                "--key K] [--smtp URL] [--smtps URL] [--closed-port P] [--n N] "
                "[--delay S] [--ca-dir DIR]\n",
                argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    loop = ev_default_loop(0);
    client = http_client_new(loop);
    ev_timer_init(&heartbeat, on_beat, 0.010, 0.010);
    ev_timer_start(loop, &heartbeat);
    ev_init(&safety, on_safety);

    static const struct {
        const char *name;
        void (*fn)(void);
    } phases[] = {
        {"concurrent", phase_concurrent},
        {"tls", phase_tls},
        {"trust_env", phase_trust_env},
        {"mtls", phase_mtls},
        {"timeout", phase_timeout},
        {"body", phase_body},
        {"status", phase_status},
        {"redaction", phase_redaction},
        {"bad_input", phase_bad_input},
        {"headers", phase_headers},
        {"cancel", phase_cancel},
        {"smtp", phase_smtp},
        {"free_pending", phase_free_pending},
        {"drain", phase_drain},
    };
    double worst = 0;
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        max_gap = 0;
        last_beat = ev_time();
        phases[i].fn();
        printf("measure: phase %s: longest loop stall %.1f ms\n", phases[i].name, max_gap * 1e3);
        if (max_gap > worst)
            worst = max_gap;
    }
    max_gap = worst;

    check(leaks == 0, "no error message contained a secret (%d leaks)", leaks);
    printf("measure: longest loop stall over the whole run: %.1f ms (10 ms heartbeat)\n",
           max_gap * 1e3);
    /* Every peer delay in this run is >= 300 ms and several are 2-5 s, so
     * a client that waited on the network inside a callback would stall
     * the loop for seconds.  What remains is CPU: TLS handshakes (about
     * 1 ms each, a burst of 100 lands in one loop turn) and loading the
     * system CA bundle (40-50 ms), stretched by the Python peers competing
     * for the same 2 CPUs (up to 1 s seen on a loaded machine).  Hence the
     * 1.5 s bound; under the sanitizers every
     * instrumented callback is several times slower, so the bound is 2 s --
     * still below the 2-5 s peer delays a blocking wait would show. */
#if defined(__SANITIZE_ADDRESS__)
    const double bound = 2.0;
#else
    const double bound = 1.5;
#endif
    check(max_gap < bound, "the loop never blocked (max gap %.1f ms < %.1f s)", max_gap * 1e3,
          bound);
    ev_timer_stop(loop, &heartbeat);
    http_client_free(client);
    ev_loop_destroy(loop);
    curl_dl_cleanup();
    return driver_finish("PASS");
}

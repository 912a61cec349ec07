/* notify_driver.c -- drives router/notify (webhook notifier, retry loop)
 * against the loopback HTTPS double (peers/https_double.py) and checks the
 * outcomes; t_notify_webhook.sh starts the double and then checks what it
 * recorded (bodies, auth headers) and that no secret was printed.
 *
 * The notifiers come from a real config (config_parse of a YAML text with
 * the double's port and the test CA), so http_config mapping is exercised
 * as a user would write it.  Each phase sends one request and runs the
 * loop until the send reports (or a safety timer fires).  The double's
 * answer is scripted per phase through its /_control/queue or the URL's
 * query string.
 *
 * Prints "ok: ..." / "FAIL: ..." and "measure: ..." lines; exits 1 if any
 * check failed.  Writes the payload it expects for the first phase to
 * DIR/expected-payload.json. */
#include <ev.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "config.h"
#include "curl_dl.h"
#include "http_client.h"
#include "mem.h"
#include "metrics.h"
#include "notify.h"

#include "driver_util.h"

#define SECRET_PATH "SECRETxHOOKx3e1d"
#define SECRET_PASS "PASSxNOTIFYx8a2c"
#define SECRET_TOKEN "TOKENxNOTIFYx44f0"

static struct ev_loop *loop;
static struct http_client *client;
static const char *base, *ca, *other_ca, *dir;

static void write_file(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

/* ---- running one send ------------------------------------------------------ */

struct outcome {
    int calls;
    struct notify_result res;
    double elapsed;
};

static ev_timer safety;
static bool timed_out;

static void on_safety(EV_P_ ev_timer *w, int revents)
{
    timed_out = true;
    ev_break(EV_A_ EVBREAK_ALL);
}

static void on_done(void *arg, struct notify_req *req, const struct notify_result *res)
{
    struct outcome *o = arg;
    o->calls++;
    o->res = *res;
    if (strstr(res->msg, SECRET_PATH) || strstr(res->msg, SECRET_PASS) ||
        strstr(res->msg, SECRET_TOKEN))
        check(false, "result message free of secrets: %s", res->msg);
    ev_break(loop, EVBREAK_ALL);
}

static struct outcome send1(struct notifier *n, struct notify_req *req, double max_s)
{
    struct outcome o = {0};
    double t0 = ev_time();
    notify_send(n, req, on_done, &o);
    timed_out = false;
    ev_timer_set(&safety, max_s, 0.);
    ev_timer_start(loop, &safety);
    ev_run(loop, 0);
    ev_timer_stop(loop, &safety);
    o.elapsed = ev_time() - t0;
    check(!timed_out && o.calls == 1, "send reported once within %.0f s (%d)", max_s, o.calls);
    return o;
}

/* Queues scripted answers at the double (a JSON list). */
static void on_queued(void *arg, const struct http_result *r)
{
    *(long *)arg = r->status;
    ev_break(loop, EVBREAK_ALL);
}

static void queue_answers(const char *json)
{
    char url[512];
    snprintf(url, sizeof url, "%s/_control/queue", base);
    struct http_request_opts o = {.url = url, .body = json, .body_len = strlen(json)};
    o.tls.ca_file = ca;
    long status = 0;
    struct errbuf err;
    if (!http_client_submit(client, &o, on_queued, &status, &err)) {
        check(false, "queue submit: %s", err.msg);
        return;
    }
    ev_run(loop, 0);
    check(status == 204, "double accepted the scripted answers (%ld)", status);
}

/* ---- the scenario ------------------------------------------------------------- */

static struct alert *mk_alert(const char *instance, int64_t starts, int64_t ends)
{
    struct label l[] = {{"alertname", "DiskFull"}, {"instance", instance}, {"team", "db"}};
    struct label a[] = {{"summary", "disk > 90% & rising"}};
    struct alert *al = alert_new(l, 3, a, 1, "http://prom:9090/graph?g0.expr=x");
    al->starts_at = starts;
    al->ends_at = ends;
    return al;
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {{"url", 1, 0, 'u'},
                                       {"ca", 1, 0, 'c'},
                                       {"other-ca", 1, 0, 'o'},
                                       {"dir", 1, 0, 'd'},
                                       {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'u':
            base = optarg;
            break;
        case 'c':
            ca = optarg;
            break;
        case 'o':
            other_ca = optarg;
            break;
        case 'd':
            dir = optarg;
            break;
        default:
            return 2;
        }
    }
    if (!base || !ca || !other_ca || !dir) {
        fprintf(stderr, "usage: notify_driver --url https://127.0.0.1:PORT --ca CA --other-ca CA2 "
                        "--dir DIR\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    loop = ev_default_loop(0);
    client = http_client_new(loop);
    ev_timer_init(&safety, on_safety, 1., 0.);

    /* Secrets live in files, as an operator would keep them. */
    char line[600];
    snprintf(line, sizeof line, "  %s/hook/urlfile/%s  \n", base, SECRET_PATH);
    write_file("url", line);
    write_file("password", SECRET_PASS "\n");
    write_file("token", SECRET_TOKEN);

    struct buf y = BUF_INIT;
    buf_printf(&y,
               "route: {receiver: team-db}\n"
               "receivers:\n"
               "- name: team-db\n"
               "  webhook_configs:\n"
               /* 0: payload, basic auth from a password file, test CA */
               "  - url: '%s/hook/payload/" SECRET_PATH "'\n"
               "    http_config:\n"
               "      basic_auth: {username: alice, password_file: password}\n"
               "      tls_config: {ca_file: '%s'}\n"
               /* 1: url_file, bearer token from a file, max_alerts 1 */
               "  - url_file: url\n"
               "    max_alerts: 1\n"
               "    http_config:\n"
               "      authorization: {credentials_file: token}\n"
               "      tls_config: {ca_file: '%s'}\n"
               /* 2: whatever the queue says */
               "  - url: '%s/hook/scripted'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               /* 3: 400 */
               "  - url: '%s/hook/bad?status=400'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               /* 4: 503 for ever */
               "  - url: '%s/hook/down?status=503'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               /* 5: a CA that did not sign the double's certificate */
               "  - url: '%s/hook/untrusted/" SECRET_PATH "'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               /* 6: slow peer, per-request timeout */
               "  - url: '%s/hook/slow?delay=2'\n"
               "    timeout: 300ms\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n",
               base, ca, ca, base, ca, base, ca, base, ca, base, other_ca, base, ca);
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    struct config *cfg = config_parse(y.p, y.len, "driver.yml", dir, &diag);
    for (size_t i = 0; i < diag.n; i++)
        printf("config: %s\n", diag.msgs[i]);
    cfg_diag_deinit(&diag);
    buf_deinit(&y);
    if (!cfg)
        return 2;
    struct notify_env env = {loop, client, dir, NULL, true};
    struct notifier **ns;
    size_t nn = notifiers_build(config_receiver(cfg, "team-db"), &env, &ns);
    check(nn == 7, "7 webhook notifiers built (%zu)", nn);

    int64_t now = (int64_t)(ev_time() * 1e9);
    struct alert *al[] = {mk_alert("db-1", now - 3600 * NS_PER_SEC, 0),
                          mk_alert("db-2", now - 1800 * NS_PER_SEC, now - NS_PER_SEC)};
    struct label gl[] = {{"alertname", "DiskFull"}};
    struct labels gls = {1, gl};
    struct notify_req_args ra = {.receiver = "team-db",
                                 .group_key = "{}:{alertname=\"DiskFull\"}",
                                 .external_url = "http://router.test:9093",
                                 .group_labels = &gls,
                                 .alerts = al,
                                 .n_alerts = 2,
                                 .now = now,
                                 .timeout_s = 10};
    struct notify_req *req = notify_req_new(&ra);
    const struct metrics_integration *m = metrics_integration("webhook");

    /* 1. The payload, basic auth, TLS with the test CA. */
    struct buf pl = BUF_INIT;
    notify_webhook_payload(req, req->alerts, req->n_alerts, 0, &pl);
    write_file("expected-payload.json", buf_str(&pl));
    buf_deinit(&pl);
    struct outcome o = send1(ns[0], req, 10);
    check(o.res.ok && o.res.attempts == 1 && o.res.status == 200,
          "payload: delivered on the first attempt (ok %d, %u attempts, status %d: %s)", o.res.ok,
          o.res.attempts, o.res.status, o.res.msg);

    /* 2. url_file (trimmed), bearer token from a file, max_alerts 1. */
    o = send1(ns[1], req, 10);
    check(o.res.ok && o.res.attempts == 1, "url_file + bearer: delivered (%s)", o.res.msg);

    /* 3. 500, 500, then 200: retried with backoff, then ok. */
    double req0 = metrics_counter_value(m->requests),
           fail0 = metrics_counter_value(m->requests_failed);
    double sends0 = metrics_counter_value(m->notifications);
    queue_answers("[{\"status\":500,\"body\":\"boom\"},{\"status\":500,\"body\":\"boom\"}]");
    o = send1(ns[2], req, 15);
    check(o.res.ok && o.res.attempts == 3, "500, 500, 200: ok after 3 attempts (%u: %s)",
          o.res.attempts, o.res.msg);
    /* Waits are 0.5 and 0.75 s, each +-50 %: at least 0.625 s in all. */
    check(o.elapsed >= 0.62 && o.elapsed < 4.0, "backoff between attempts: %.2f s in [0.62, 4)",
          o.elapsed);
    printf("measure: 3 attempts (500, 500, 200) took %.3f s\n", o.elapsed);
    check(metrics_counter_value(m->requests) - req0 == 3 &&
              metrics_counter_value(m->requests_failed) - fail0 == 2 &&
              metrics_counter_value(m->notifications) - sends0 == 1,
          "metrics: 1 notification, 3 requests, 2 failed requests");

    /* 4. 400: permanent, one attempt, clientError. */
    double client0 = metrics_counter_value(m->failed[METRICS_FAIL_CLIENT_ERROR]);
    o = send1(ns[3], req, 10);
    check(!o.res.ok && !o.res.retryable && o.res.attempts == 1 && o.res.status == 400,
          "400: not retried (%u attempts, status %d)", o.res.attempts, o.res.status);
    check(strstr(o.res.msg, "team-db/webhook[3]: notify retry canceled due to unrecoverable "
                            "error after 1 attempts: unexpected status code 400") == o.res.msg,
          "400: Alertmanager's message: %s", o.res.msg);
    check(metrics_counter_value(m->failed[METRICS_FAIL_CLIENT_ERROR]) - client0 == 1,
          "metrics: failed{reason=clientError} + 1");

    /* 5. 503 until the budget (2 s) runs out: retryable, serverError. */
    double server0 = metrics_counter_value(m->failed[METRICS_FAIL_SERVER_ERROR]);
    ra.timeout_s = 2;
    struct notify_req *req2 = notify_req_new(&ra);
    o = send1(ns[4], req2, 10);
    check(!o.res.ok && o.res.retryable && o.res.attempts >= 3 && o.res.status == 503,
          "503 for ever: gave up, retryable, after %u attempts", o.res.attempts);
    check(o.elapsed < 2.3, "503 for ever: ended by the 2 s deadline (%.2f s)", o.elapsed);
    check(strstr(o.res.msg, "team-db/webhook[4]: notify retry canceled after ") == o.res.msg &&
              strstr(o.res.msg, "attempts: unexpected status code 503"),
          "503: Alertmanager's message: %s", o.res.msg);
    check(metrics_counter_value(m->failed[METRICS_FAIL_SERVER_ERROR]) - server0 == 1,
          "metrics: failed{reason=serverError} + 1");
    printf("measure: 503 with a 2 s budget: %u attempts in %.3f s\n", o.res.attempts, o.elapsed);

    /* 6. Untrusted certificate: a transport error, retried until the
     *    deadline; the message names the peer, not the secret path. */
    o = send1(ns[5], req2, 10);
    check(!o.res.ok && o.res.retryable && o.res.status == 0 && o.res.attempts >= 2,
          "wrong CA: transport error, retried (%u attempts): %s", o.res.attempts, o.res.msg);

    /* 7. Slow peer with timeout 300ms: each attempt cut, retried. */
    o = send1(ns[6], req2, 10);
    check(!o.res.ok && o.res.retryable && o.res.attempts >= 2 && o.elapsed < 2.5,
          "timeout 300ms against a 2 s peer: attempts cut and retried (%u in %.2f s): %s",
          o.res.attempts, o.elapsed, o.res.msg);

    /* 8. 429 with Retry-After: 1 -> waits >= 1 s, then ok. */
    queue_answers("[{\"status\":429,\"headers\":{\"Retry-After\":\"1\"}}]");
    o = send1(ns[2], req, 10);
    check(o.res.ok && o.res.attempts == 2 && o.elapsed >= 0.95,
          "429 + Retry-After 1: retried after %.2f s, ok on attempt %u", o.elapsed, o.res.attempts);

    notify_req_unref(req2);
    notify_req_unref(req);
    for (size_t i = 0; i < nn; i++)
        notifier_free(ns[i]);
    free(ns);
    alert_unref(al[0]);
    alert_unref(al[1]);
    config_free(cfg);
    http_client_free(client);
    curl_dl_cleanup();
    return driver_finish("ok");
}

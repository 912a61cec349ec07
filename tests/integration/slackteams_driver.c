/* slackteams_driver.c -- drives the Slack and Teams notifiers against the
 * loopback HTTPS double (peers/https_double.py, test CA) and checks the
 * outcomes; t_notify_slack_teams.sh starts the double, then checks what it
 * recorded (arrival times, headers, bodies; every Teams card against the
 * Adaptive Card 1.4 schema) and that no secret reached any output.
 *
 * The notifiers come from a real config (config_parse), with the template
 * set from notify_templates_load(), as the router builds them.  Phases:
 *   1. Slack webhook: 429 with Retry-After: 2, then ok: one delivery, the
 *      second request >= 2 s after the first;
 *   2. Slack webhook: a burst of 5 to one channel: paced >= ~1 s apart;
 *   3. Slack bot token (chat.postMessage): ok; ok:false channel_not_found
 *      (permanent, 1 attempt); ok:false ratelimited then ok (2 attempts);
 *      no token: ok:false not_authed (permanent);
 *   4. Teams Workflows: 202 is success; 400 alerts stay under 28 KB (the
 *      double answers 413 above) with the note;
 *   5. Teams legacy: 200 "HTTP error 429" is retried, then ok.
 * Logs at debug level go to stderr (the script greps them for secrets).
 * Prints "ok: ..." / "FAIL: ..." and "measure: ..." lines; exits 1 if any
 * check failed. */
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
#include "log.h"
#include "mem.h"
#include "notify.h"
#include "notify_tmpl.h"
#include "template.h"

#include "driver_util.h"

#define SECRET_HOOK "SECRETxSLACKx9f3e"
#define SECRET_TOKEN "xoxb-TOKENxSLACKx51c7"
#define SECRET_SIG "SIGxTEAMSx77aa"
#define SECRET_LEGACY "SECRETxLEGACYx12"

static struct ev_loop *loop;
static struct http_client *client;
static const char *base, *ca, *dir;

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

/* ---- running sends ---------------------------------------------------------- */

struct outcome {
    int calls;
    struct notify_result res;
    double at; /* ev_time() of the callback */
};

static int pending;
static ev_timer safety;

static void on_safety(EV_P_ ev_timer *w, int revents)
{
    ev_break(EV_A_ EVBREAK_ALL);
}

static void on_done(void *arg, struct notify_req *req, const struct notify_result *res)
{
    struct outcome *o = arg;
    o->calls++;
    o->res = *res;
    o->at = ev_time();
    const char *secrets[] = {SECRET_HOOK, SECRET_TOKEN, SECRET_SIG, SECRET_LEGACY};
    for (size_t i = 0; i < 4; i++)
        if (strstr(res->msg, secrets[i]))
            check(false, "result message free of secrets: %s", res->msg);
    if (--pending == 0)
        ev_break(loop, EVBREAK_ALL);
}

/* Starts `n` sends of req on notifier nt at once and runs the loop until
 * all reported or max_s passed. */
static void send_n(struct notifier *nt, struct notify_req *req, struct outcome *o, int n,
                   double max_s)
{
    memset(o, 0, sizeof *o * (size_t)n);
    pending = n;
    for (int i = 0; i < n; i++)
        notify_send(nt, req, on_done, &o[i]);
    ev_timer_set(&safety, max_s, 0.);
    ev_timer_start(loop, &safety);
    ev_run(loop, 0);
    ev_timer_stop(loop, &safety);
    int calls = 0;
    for (int i = 0; i < n; i++)
        calls += o[i].calls;
    check(calls == n, "%d send(s) reported within %.0f s (%d)", n, max_s, calls);
}

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

static struct alert *mk_alert(const char *instance, const char *summary)
{
    struct label l[] = {{"alertname", "DiskFull"},
                        {"instance", instance},
                        {"owner", "<!channel> & co"},
                        {"team", "db"}};
    struct label a[] = {{"summary", summary}};
    struct alert *al = alert_new(l, 4, a, 1, "http://prom:9090/graph?g0.expr=x&g0.tab=1");
    al->starts_at = (int64_t)((ev_time() - 600) * 1e9);
    return al;
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {
        {"url", 1, 0, 'u'}, {"ca", 1, 0, 'c'}, {"dir", 1, 0, 'd'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'u')
            base = optarg;
        else if (c == 'c')
            ca = optarg;
        else if (c == 'd')
            dir = optarg;
        else
            return 2;
    }
    if (!base || !ca || !dir) {
        fprintf(stderr, "usage: slackteams_driver --url https://127.0.0.1:PORT --ca CA --dir D\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    log_set_level("debug");
    loop = ev_default_loop(0);
    client = http_client_new(loop);
    ev_timer_init(&safety, on_safety, 1., 0.);

    char line[600];
    write_file("token", SECRET_TOKEN "\n");
    snprintf(line, sizeof line,
             "%s/workflows/w2/triggers/manual/paths/invoke?api-version=1&sig=" SECRET_SIG "\n",
             base);
    write_file("teams-url", line);
    write_file("custom.tmpl", "{{ define \"msteamsv2.default.title\" }}Custom: {{ template "
                              "\"__subject\" . }}{{ end }}\n");

    struct buf y = BUF_INIT;
    buf_printf(&y,
               "route: {receiver: chat}\n"
               "templates: ['*.tmpl']\n"
               "receivers:\n"
               "- name: chat\n"
               "  slack_configs:\n"
               "  - api_url: '%s/services/T0/B0/" SECRET_HOOK "'\n"
               "    channel: '#ops'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               "  - api_url: '%s/services/T1/B1/" SECRET_HOOK "burst'\n"
               "    channel: '#burst'\n"
               "    text: '{{ range .Alerts }}{{ .Labels.owner }} {{ .Annotations.summary }}\n"
               "{{ end }}'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               "  - api_url: '%s/api/chat.postMessage'\n"
               "    channel: '#bot'\n"
               "    http_config:\n"
               "      authorization: {credentials_file: token}\n"
               "      tls_config: {ca_file: '%s'}\n"
               "  - api_url: '%s/api/chat.postMessage'\n"
               "    channel: '#noauth'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               "  msteamsv2_configs:\n"
               "  - webhook_url: '%s/workflows/w1/triggers/manual/paths/invoke?api-version=1"
               "&sig=" SECRET_SIG "'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               "  - webhook_url_file: teams-url\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n"
               "  msteams_configs:\n"
               "  - webhook_url: '%s/webhookb2/x/IncomingWebhook/" SECRET_LEGACY "'\n"
               "    http_config: {tls_config: {ca_file: '%s'}}\n",
               base, ca, base, ca, base, ca, base, ca, base, ca, ca, base, ca);
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    char cfgpath[512];
    snprintf(cfgpath, sizeof cfgpath, "%s/driver.yml", dir);
    struct config *cfg = config_parse(y.p, y.len, cfgpath, dir, &diag);
    for (size_t i = 0; i < diag.n; i++)
        printf("config: %s\n", diag.msgs[i]);
    cfg_diag_deinit(&diag);
    buf_deinit(&y);
    if (!cfg)
        return 2;
    struct errbuf err;
    struct tmpl_set *tmpl = notify_templates_load(cfg, &err);
    check(tmpl != NULL, "templates loaded (%s)", tmpl ? "default.tmpl + custom.tmpl" : err.msg);
    if (!tmpl)
        return 1;
    struct notify_env env = {loop, client, dir, tmpl, true};
    struct notifier **ns;
    size_t nn = notifiers_build(config_receiver(cfg, "chat"), &env, &ns);
    check(nn == 7, "7 notifiers built: 4 slack, 2 msteamsv2, 1 msteams (%zu)", nn);
    if (nn != 7)
        return 1;
    struct notifier *hook = ns[0], *burst = ns[1], *bot = ns[2], *noauth = ns[3], *legacy = ns[4],
                    *v2 = ns[5], *v2file = ns[6];
    check(strcmp(notifier_integration(v2), "msteamsv2") == 0 &&
              strcmp(notifier_integration(legacy), "msteams") == 0 &&
              strcmp(notifier_integration(hook), "slack") == 0,
          "integration names");

    struct alert *al[] = {mk_alert("db-1", "disk > 90% <b>"), mk_alert("db-2", "disk > 95%")};
    struct label gl[] = {{"alertname", "DiskFull"}};
    struct labels gls = {1, gl};
    struct notify_req_args ra = {.receiver = "chat",
                                 .group_key = "{}:{alertname=\"DiskFull\"}",
                                 .external_url = "http://router.test:9093",
                                 .group_labels = &gls,
                                 .alerts = al,
                                 .n_alerts = 2,
                                 .now = (int64_t)(ev_time() * 1e9),
                                 .timeout_s = 15};
    struct notify_req *req = notify_req_new(&ra);
    struct outcome o[5];

    /* 1. 429 + Retry-After: 2 */
    queue_answers("[{\"status\":429,\"headers\":{\"Retry-After\":\"2\"},"
                  "\"body\":\"{\\\"ok\\\":false,\\\"error\\\":\\\"ratelimited\\\"}\"}]");
    double t0 = ev_time();
    send_n(hook, req, o, 1, 15);
    check(o[0].res.ok && o[0].res.attempts == 2 && o[0].at - t0 >= 2.0,
          "slack 429 Retry-After 2: delivered on attempt %u after %.2f s", o[0].res.attempts,
          o[0].at - t0);
    printf("measure: slack 429 Retry-After 2 -> delivered after %.3f s\n", o[0].at - t0);

    /* 2. a burst of 5 to one channel */
    t0 = ev_time();
    send_n(burst, req, o, 5, 15);
    int ok5 = 0;
    double last = 0;
    for (int i = 0; i < 5; i++) {
        ok5 += o[i].res.ok && o[i].res.attempts == 1;
        if (o[i].at > last)
            last = o[i].at;
    }
    check(ok5 == 5, "burst: 5 of 5 delivered on their first attempt (%d)", ok5);
    check(last - t0 >= 3.9 && last - t0 < 8, "burst: paced, the last after %.2f s (>= 4)",
          last - t0);
    printf("measure: burst of 5 to one channel took %.3f s\n", last - t0);

    /* 3. bot token: ok, ok:false permanent, ok:false ratelimited retried */
    send_n(bot, req, o, 1, 10);
    check(o[0].res.ok && o[0].res.attempts == 1, "chat.postMessage with token: ok (%s)",
          o[0].res.msg);
    queue_answers("[{\"status\":200,\"content_type\":\"application/json\","
                  "\"body\":\"{\\\"ok\\\":false,\\\"error\\\":\\\"channel_not_found\\\"}\"}]");
    send_n(bot, req, o, 1, 10);
    check(!o[0].res.ok && !o[0].res.retryable && o[0].res.attempts == 1 &&
              strstr(o[0].res.msg, "error response from Slack: channel_not_found"),
          "ok:false channel_not_found: permanent after 1 attempt: %s", o[0].res.msg);
    queue_answers("[{\"status\":200,\"content_type\":\"application/json\","
                  "\"body\":\"{\\\"ok\\\":false,\\\"error\\\":\\\"ratelimited\\\"}\"}]");
    send_n(bot, req, o, 1, 10);
    check(o[0].res.ok && o[0].res.attempts == 2, "ok:false ratelimited: retried, ok on attempt %u",
          o[0].res.attempts);
    send_n(noauth, req, o, 1, 10);
    check(!o[0].res.ok && !o[0].res.retryable && strstr(o[0].res.msg, "not_authed"),
          "no token: ok:false not_authed, permanent: %s", o[0].res.msg);

    /* 4. Teams Workflows: 202; 400 alerts under 28 KB */
    send_n(v2, req, o, 1, 10);
    check(o[0].res.ok && o[0].res.status == 202, "msteamsv2: 202 is success (%d)", o[0].res.status);
    enum { MANY = 400 };
    struct alert *many[MANY];
    char inst[32], sum[300];
    memset(sum, 's', sizeof sum - 1);
    sum[sizeof sum - 1] = '\0';
    for (int i = 0; i < MANY; i++) {
        snprintf(inst, sizeof inst, "db-%03d", i);
        many[i] = mk_alert(inst, sum);
    }
    ra.alerts = many;
    ra.n_alerts = MANY;
    struct notify_req *big = notify_req_new(&ra);
    send_n(v2file, big, o, 1, 10);
    check(o[0].res.ok && o[0].res.status == 202,
          "msteamsv2 with 400 alerts: accepted (the double answers 413 above 28 KB): %d %s",
          o[0].res.status, o[0].res.msg);

    /* 5. Teams legacy: throttling inside a 200 */
    queue_answers("[{\"status\":200,\"content_type\":\"text/plain\","
                  "\"body\":\"Microsoft Teams endpoint returned HTTP error 429\"}]");
    send_n(legacy, req, o, 1, 10);
    check(o[0].res.ok && o[0].res.attempts == 2, "msteams legacy: 'HTTP error 429' retried (%u)",
          o[0].res.attempts);

    notify_req_unref(big);
    notify_req_unref(req);
    for (size_t i = 0; i < nn; i++)
        notifier_free(ns[i]);
    free(ns);
    for (int i = 0; i < MANY; i++)
        alert_unref(many[i]);
    alert_unref(al[0]);
    alert_unref(al[1]);
    tmpl_set_free(tmpl);
    config_free(cfg);
    http_client_free(client);
    curl_dl_cleanup();
    return driver_finish("ok");
}

/* email_driver.c -- drives the email notifier (router/notify_email.c)
 * against the loopback aiosmtpd double (peers/smtpd_double.py) and checks
 * the outcomes; t_notify_email.sh starts the double, then checks what it
 * received (parsed with Python's email package), the SMTP transcript, and
 * that no password was printed.
 *
 * The notifiers come from a real config (config_parse of a YAML text with
 * the double's ports and the test CA).  Each phase sends one notification
 * and runs the loop until the send reports (or a safety timer fires).
 * Logging is at debug level, so a secret in any log line would show.
 *
 * Prints "ok: ..." / "FAIL: ..." and "measure: ..." lines; exits 1 if any
 * check failed. */
#include <arpa/inet.h>
#include <ev.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <curl/curl.h>

#include "config.h"
#include "curl_dl.h"
#include "http_client.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "notify.h"

#include "driver_util.h"

#define SECRET_PASS "PASSxSMTPx91b7"
#define WRONG_PASS "WRONGxPASSx5d1e"

static struct ev_loop *loop;

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
    if (strstr(res->msg, SECRET_PASS) || strstr(res->msg, WRONG_PASS))
        check(false, "result message free of passwords: %s", res->msg);
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
    printf("result: %s\n", o.res.ok ? "ok" : o.res.msg);
    return o;
}

/* A port nobody listens on: bound, then closed. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        perror("closed_port");
        exit(2);
    }
    close(fd);
    return ntohs(a.sin_port);
}

static struct alert *mk_alert(const char *instance, const char *summary, int64_t starts,
                              int64_t ends)
{
    struct label l[] = {{"alertname", "DiskFull"}, {"instance", instance}, {"team", "db"}};
    struct label a[] = {{"summary", summary}};
    struct alert *al = alert_new(l, 3, a, 1, "http://prom:9090/graph?g0.expr=x");
    al->starts_at = starts;
    al->ends_at = ends;
    return al;
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {{"port", 1, 0, 'p'}, {"smtps-port", 1, 0, 's'},
                                       {"ca", 1, 0, 'c'},   {"other-ca", 1, 0, 'o'},
                                       {"dir", 1, 0, 'd'},  {0, 0, 0, 0}};
    const char *port = NULL, *sport = NULL, *ca = NULL, *other_ca = NULL, *dir = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'p':
            port = optarg;
            break;
        case 's':
            sport = optarg;
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
    if (!port || !sport || !ca || !other_ca || !dir) {
        fprintf(stderr, "usage: email_driver --port P --smtps-port S --ca CA --other-ca CA2 "
                        "--dir DIR\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    log_set_level("debug");
    loop = ev_default_loop(0);
    struct http_client *client = http_client_new(loop);
    ev_timer_init(&safety, on_safety, 1., 0.);

    char path[512];
    snprintf(path, sizeof path, "%s/password", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return 2;
    fputs(SECRET_PASS "\n", f);
    fclose(f);

    struct buf y = BUF_INIT;
    buf_printf(
        &y,
        "global:\n"
        "  smtp_smarthost: '127.0.0.1:%s'\n"
        "  smtp_from: 'Alert Router <alerts@example.org>'\n"
        "  smtp_hello: router.test\n"
        "  smtp_auth_username: router\n"
        "  smtp_auth_password_file: password\n"
        "route: {receiver: ops}\n"
        "receivers:\n"
        "- name: ops\n"
        "  email_configs:\n"
        /* 0: STARTTLS + AUTH, two recipients, text + html, UTF-8 subject */
        "  - to: 'oncall@example.org, \"Ops, EU\" <ops@example.org>'\n"
        "    text: \"{{ range .Alerts }}{{ .Labels.instance }}: {{ .Annotations.summary }}\\n"
        "{{ end }}.\\n..two dots\\n\"\n"
        "    headers:\n"
        "      Subject: '\xe2\x9a\xa0 {{ .Status | toUpper }} {{ .GroupLabels.alertname }} "
        "\xe2\x80\x94 Gr\xc3\xb6\xc3\x9f"
        "e \xc3\xbc"
        "ber Knoten'\n"
        "      X-Group: '{{ .GroupLabels.alertname }}'\n"
        "    tls_config: {ca_file: '%s'}\n"
        /* 1: implicit TLS */
        "  - to: 'implicit@example.org'\n"
        "    smarthost: '127.0.0.1:%s'\n"
        "    force_implicit_tls: true\n"
        "    tls_config: {ca_file: '%s'}\n"
        /* 2: wrong password */
        "  - to: 'wrongpass@example.org'\n"
        "    auth_username: router\n"
        "    auth_password: '" WRONG_PASS "'\n"
        "    tls_config: {ca_file: '%s'}\n"
        /* 3: a CA that did not sign the server's certificate */
        "  - to: 'untrusted@example.org'\n"
        "    tls_config: {ca_file: '%s'}\n"
        /* 4: 451 on RCPT, 5: 550 on RCPT */
        "  - to: 'tempfail@example.org'\n"
        "    tls_config: {ca_file: '%s'}\n"
        "  - to: 'permfail@example.org'\n"
        "    tls_config: {ca_file: '%s'}\n"
        /* 6: nobody listening */
        "  - to: 'refused@example.org'\n"
        "    smarthost: '127.0.0.1:%d'\n"
        "    tls_config: {ca_file: '%s'}\n",
        port, ca, sport, ca, ca, other_ca, ca, ca, closed_port(), ca);
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
    size_t nn = notifiers_build(config_receiver(cfg, "ops"), &env, &ns);
    check(nn == 7, "7 email notifiers built (%zu)", nn);
    if (nn != 7)
        return 1;

    int64_t now = (int64_t)(ev_time() * 1e9);
    struct alert *al[] = {
        mk_alert("db-1", "<script>alert(1)</script> & \"quotes\"", now - 3600 * NS_PER_SEC, 0),
        mk_alert("db-2",
                 "disk \xc3\xbc"
                 "ber 90 %",
                 now - 1800 * NS_PER_SEC, 0)};
    struct label gl[] = {{"alertname", "DiskFull"}};
    struct labels gls = {1, gl};
    struct notify_req_args ra = {.receiver = "ops",
                                 .group_key = "{}:{alertname=\"DiskFull\"}",
                                 .external_url = "http://router.test:9093",
                                 .group_labels = &gls,
                                 .alerts = al,
                                 .n_alerts = 2,
                                 .now = now,
                                 .timeout_s = 10};
    struct notify_req *req = notify_req_new(&ra);
    ra.timeout_s = 2;
    struct notify_req *req2 = notify_req_new(&ra);
    const struct metrics_integration *m = metrics_integration("email");

    /* 1. STARTTLS + AUTH, two recipients. */
    struct outcome o = send1(ns[0], req, 10);
    check(o.res.ok && o.res.attempts == 1 && o.res.status == 250,
          "STARTTLS + AUTH: delivered on the first attempt (status %d)", o.res.status);
    printf("measure: one delivery with STARTTLS + AUTH took %.3f s\n", o.elapsed);

    /* 2. Implicit TLS. */
    o = send1(ns[1], req, 10);
    check(o.res.ok && o.res.attempts == 1, "implicit TLS: delivered");

    /* 3. Wrong password: one attempt, permanent, says so, no password. */
    double req0 = metrics_counter_value(m->requests);
    o = send1(ns[2], req, 10);
    check(!o.res.ok && !o.res.retryable && o.res.attempts == 1 && o.res.status == 535,
          "wrong password: permanent after 1 attempt (status %d)", o.res.status);
    check(strstr(o.res.msg, "unrecoverable error after 1 attempts: authentication failed") != NULL,
          "wrong password: clear message: %s", o.res.msg);
    check(metrics_counter_value(m->requests) - req0 == 1, "wrong password: one request only");

    /* 4. Untrusted certificate: retried until the 2 s budget ends. */
    o = send1(ns[3], req2, 10);
    check(!o.res.ok && o.res.retryable && o.res.attempts >= 2 && o.elapsed < 2.5,
          "wrong CA: transport error, retried (%u attempts in %.2f s)", o.res.attempts, o.elapsed);

    /* 5. 451 on RCPT: retryable. */
    o = send1(ns[4], req2, 10);
    check(!o.res.ok && o.res.retryable && o.res.attempts >= 2 && o.res.status == 451,
          "451: retried (%u attempts, status %d)", o.res.attempts, o.res.status);

    /* 6. 550 on RCPT: permanent. */
    o = send1(ns[5], req, 10);
    check(!o.res.ok && !o.res.retryable && o.res.attempts == 1 && o.res.status == 550,
          "550: not retried (%u attempts, status %d)", o.res.attempts, o.res.status);

    /* 7. Connection refused: retryable. */
    o = send1(ns[6], req2, 10);
    check(!o.res.ok && o.res.retryable && o.res.attempts >= 2,
          "connection refused: retried (%u attempts)", o.res.attempts);

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

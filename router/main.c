/* main.c -- flags, start-up order, signals, the loop.
 *
 * Start-up order lives here and nowhere else (STYLE.md 2.7): ignore SIGPIPE,
 * global library init, create the loop, load the config, start the
 * outbound client, the stores, then the HTTP server.  Everything after that
 * runs on the one libev loop; nothing blocks it. */
#include <curl/curl.h>
#include <ev.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pcre2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <yaml.h>

#include "buf.h"
#include "flags.h"
#include "http_listen.h"
#include "http_server.h"
#include "log.h"

static void print_version(void)
{
    curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    char pcre[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    printf("alertrouter, version %s (revision: %s)\n", AR_VERSION, AR_REVISION);
    printf("  build date:       %s\n", AR_BUILD_DATE);
    printf("  compiler:         %s\n", __VERSION__);
    printf("  libev:            %d.%d\n", ev_version_major(), ev_version_minor());
    printf("  libmicrohttpd:    %s\n", MHD_get_version());
    printf("  libcurl:          %s (%s)\n", cv->version, cv->ssl_version ? cv->ssl_version : "no TLS");
    printf("  jansson:          %s\n", jansson_version_str());
    printf("  libyaml:          %s\n", yaml_get_version_string());
    printf("  pcre2:            %s\n", pcre);
}

/* Every connection is an fd; a low soft limit (often 1024) would cap
 * --web.max-connections below its default, so raise it to the hard one. */
static void raise_fd_limit(int64_t max_connections)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    char was[32], now[32];
    snprintf(was, sizeof was, "%llu", (unsigned long long)rl.rlim_cur);
    if (rl.rlim_cur != rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    snprintf(now, sizeof now, "%llu", (unsigned long long)rl.rlim_cur);
    log_debug("open file limit", "was", was, "now", now);
    /* headroom for the listener, log, state files and outbound sockets */
    if ((unsigned long long)max_connections + 64 > (unsigned long long)rl.rlim_cur)
        log_warn("open file limit is too low for --web.max-connections", "limit", now);
}

static void on_healthy(struct http_req *req, void *ud)
{
    (void)ud;
    http_reply_text(req, 200, "OK");
}

static void on_health(struct http_req *req, void *ud)
{
    (void)ud;
    http_reply_json(req, 200, "{\"status\":\"ok\"}");
}

/* Opens the listener and registers the endpoints that need no other
 * module; the API registers its own routes on the returned server. */
static struct http_server *start_http(struct ev_loop *loop, const struct flags *fl)
{
    struct errbuf err;
    char *prefix = http_route_prefix(fl->route_prefix, fl->external_url, &err);
    if (!prefix) {
        log_error("failed to determine external URL", "err", err.msg);
        return NULL;
    }
    struct http_server_opts o = {
        .listen_address = fl->listen_address,
        .route_prefix = prefix,
        .body_limit = (size_t)fl->body_limit,
        .max_connections = (unsigned)fl->max_connections,
        .max_connections_per_ip = (unsigned)fl->max_connections_per_ip,
        .idle_timeout_s = (unsigned)fl->idle_timeout_s,
        .header_timeout_s = (unsigned)fl->header_timeout_s,
    };
    struct http_server *srv = http_server_new(loop, &o, &err);
    free(prefix);
    if (!srv) {
        log_error("Listen error", "err", err.msg);
        return NULL;
    }
    http_server_json_errors(srv, "/api/v2/");
    http_server_route(srv, "GET", "/-/healthy", HTTP_EXACT, on_healthy, NULL);
    http_server_route(srv, "GET", "/-/ready", HTTP_EXACT, on_healthy, NULL);
    http_server_route(srv, "GET", "/health", HTTP_EXACT, on_health, NULL);
    log_info("Listening on", "address", http_server_address(srv));
    return srv;
}

static void on_stop_signal(EV_P_ ev_signal *w, int revents)
{
    (void)revents;
    log_info("Received signal, exiting gracefully...", "signal", strsignal(w->signum));
    http_server_stop_accepting(w->data);
    ev_break(EV_A_ EVBREAK_ALL);
}

int main(int argc, char **argv)
{
    struct flags fl;
    struct errbuf err;
    if (flags_parse(&fl, argc, argv, &err) < 0) {
        fprintf(stderr, "alertrouter: error: %s\n", err.msg);
        return 2;
    }
    if (fl.help) {
        flags_usage(stdout);
        return 0;
    }
    if (fl.version) {
        print_version();
        return 0;
    }
    if (log_set_level(fl.log_level) < 0) {
        fprintf(stderr, "alertrouter: error: unrecognized log level \"%s\"\n", fl.log_level);
        return 2;
    }
    if (log_set_format(fl.log_format) < 0) {
        fprintf(stderr, "alertrouter: error: unrecognized log format \"%s\"\n", fl.log_format);
        return 2;
    }

    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit(fl.max_connections);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("curl_global_init failed");
        return 1;
    }
    json_object_seed(0);

    struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
    log_info("Starting alertrouter", "version", AR_VERSION, "revision", AR_REVISION);
    if (fl.cluster_flags_seen)
        log_info("clustering flags given; clustering is disabled in alertrouter");

    struct http_server *http = start_http(loop, &fl);
    if (!http)
        return 1;

    ev_signal sigterm, sigint;
    ev_signal_init(&sigterm, on_stop_signal, SIGTERM);
    ev_signal_init(&sigint, on_stop_signal, SIGINT);
    sigterm.data = sigint.data = http;
    ev_signal_start(loop, &sigterm);
    ev_signal_start(loop, &sigint);

    ev_run(loop, 0);

    http_server_free(http);
    curl_global_cleanup();
    log_info("stopped");
    return 0;
}

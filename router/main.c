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
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <yaml.h>

#include "buf.h"
#include "config.h"
#include "envtmpl.h"
#include "flags.h"
#include "http_listen.h"
#include "http_server.h"
#include "log.h"
#include "mem.h"

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

/* ROUTER_STRICT=1, ROUTER_RENDER_ONLY=1 (also "true", "yes"). */
static bool env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

/* One start-up problem: a plain line when only reporting (render-only), a
 * log line when starting the daemon. */
static void startup_error(bool render_only, const char *msg)
{
    if (render_only)
        fprintf(stderr, "%s\n", msg);
    else
        log_error("Loading configuration failed", "err", msg);
}

/* Loads the configuration start-up runs with: --config.file as it is, or
 * else --config.template rendered from the environment (DESIGN.md 6), with
 * one warning per variable that fell back to its placeholder.  Every error
 * is printed, not only the first.  ROUTER_RENDER_ONLY=1 prints the rendered
 * YAML on stdout, validates it, prints a verdict line on stderr and stops
 * (a --config.file has nothing to render: it is validated).  ROUTER_STRICT=1
 * refuses placeholders.  Returns the config, or NULL with *exit_code set (0
 * after a successful render-only run, 1 on any error).  Runs before any port
 * is opened. */
static struct config *load_startup_config(const struct flags *fl, int *exit_code)
{
    enum { TEMPLATE_MAX = 4 << 20, RENDERED_MAX = 16 << 20 };
    bool render_only = env_flag("ROUTER_RENDER_ONLY");
    const char *name = fl->config_file ? fl->config_file : fl->config_template;
    struct config *cfg = NULL;
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    struct envtmpl_report rep;
    envtmpl_report_init(&rep);
    struct buf text = BUF_INIT, yaml;
    buf_init(&yaml, RENDERED_MAX);
    struct errbuf err;
    size_t nerr = 0;

    if (fl->config_file) {
        cfg = config_load_file(fl->config_file, &diag);
    } else if (envtmpl_read_file(name, TEMPLATE_MAX, &text, &err) < 0) {
        startup_error(render_only, err.msg);
        nerr++;
    } else {
        envtmpl_render(buf_str(&text), text.len, name, envtmpl_getenv, NULL, &yaml, &rep);
        for (size_t i = 0; i < rep.n_warnings; i++) {
            if (render_only)
                fprintf(stderr, "warning: %s\n", rep.warnings[i]);
            else
                log_warn(rep.warnings[i]);
        }
        for (size_t i = 0; i < rep.n_errors; i++)
            startup_error(render_only, rep.errors[i]);
        nerr += rep.n_errors;
        if (env_flag("ROUTER_STRICT") && rep.n_warnings) {
            bool many = rep.n_warnings > 1;
            snprintf(err.msg, sizeof err.msg,
                     "%s: ROUTER_STRICT=1 and %zu variable%s fell back to %s placeholder%s", name,
                     rep.n_warnings, many ? "s" : "", many ? "their" : "its", many ? "s" : "");
            startup_error(render_only, err.msg);
            nerr++;
        }
        if (nerr == 0) {
            if (render_only) {
                fwrite(buf_str(&yaml), 1, yaml.len, stdout);
                fflush(stdout);
            }
            char *dir = xstrdup(name);
            cfg = config_parse(buf_str(&yaml), yaml.len, name, dirname(dir), &diag);
            free(dir);
        }
    }
    for (size_t i = 0; i < diag.n; i++)
        startup_error(render_only, diag.msgs[i]);
    nerr += diag.n;

    if (render_only && cfg)
        fprintf(stderr, "%s: the configuration is valid%s\n", name,
                rep.n_warnings ? " (placeholders in use: see the warnings above)" : "");
    else if (render_only)
        fprintf(stderr, "%s: the configuration is invalid (%zu error%s)\n", name, nerr,
                nerr == 1 ? "" : "s");
    *exit_code = cfg ? 0 : 1;
    if (render_only) {
        config_free(cfg);
        cfg = NULL;
    }
    buf_deinit(&text);
    buf_deinit(&yaml);
    envtmpl_report_deinit(&rep);
    cfg_diag_deinit(&diag);
    return cfg;
}

/* --check-config: amtool check-config's report for one file.  Without
 * --config.file, Alertmanager's default name is checked.  Returns the exit
 * status: 0 valid, 1 not (every error printed as file:line:col: message). */
static int run_check_config(const struct flags *fl)
{
    const char *path = fl->config_file ? fl->config_file : "alertmanager.yml";
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    struct config *cfg = config_load_file(path, &diag);
    if (cfg == NULL) {
        printf("Checking '%s'  FAILED:\n", path);
        for (size_t i = 0; i < diag.n; i++)
            printf("%s\n", diag.msgs[i]);
        cfg_diag_deinit(&diag);
        return 1;
    }
    printf("Checking '%s'  SUCCESS\nFound:\n - global config\n - route\n"
           " - %zu inhibit rules\n - %zu receivers\n - %zu templates\n",
           path, cfg->n_inhibit_rules, cfg->n_receivers, cfg->templates.n);
    config_free(cfg);
    cfg_diag_deinit(&diag);
    return 0;
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

    if (fl.check_config)
        return run_check_config(&fl);
    int exit_code;
    struct config *cfg = load_startup_config(&fl, &exit_code);
    if (!cfg)
        return exit_code;

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
    if (!http) {
        config_free(cfg);
        return 1;
    }

    ev_signal sigterm, sigint;
    ev_signal_init(&sigterm, on_stop_signal, SIGTERM);
    ev_signal_init(&sigint, on_stop_signal, SIGINT);
    sigterm.data = sigint.data = http;
    ev_signal_start(loop, &sigterm);
    ev_signal_start(loop, &sigint);

    ev_run(loop, 0);

    http_server_free(http);
    curl_global_cleanup();
    config_free(cfg);
    log_info("stopped");
    return 0;
}

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
#include <yaml.h>

#include "buf.h"
#include "config.h"
#include "flags.h"
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

static void on_stop_signal(EV_P_ ev_signal *w, int revents)
{
    (void)revents;
    log_info("Received signal, exiting gracefully...", "signal", strsignal(w->signum));
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

    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("curl_global_init failed");
        return 1;
    }
    json_object_seed(0);

    struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
    log_info("Starting alertrouter", "version", AR_VERSION, "revision", AR_REVISION);
    if (fl.cluster_flags_seen)
        log_info("clustering flags given; clustering is disabled in alertrouter");

    ev_signal sigterm, sigint;
    ev_signal_init(&sigterm, on_stop_signal, SIGTERM);
    ev_signal_init(&sigint, on_stop_signal, SIGINT);
    ev_signal_start(loop, &sigterm);
    ev_signal_start(loop, &sigint);

    ev_run(loop, 0);

    curl_global_cleanup();
    log_info("stopped");
    return 0;
}

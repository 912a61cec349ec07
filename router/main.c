/* main.c -- flags, start-up order, signals, the loop.
 *
 * Start-up order lives here and nowhere else (STYLE.md 2.7): ignore SIGPIPE,
 * global library init, create the loop, load the config, start the
 * outbound client, the stores, then the HTTP server.  libcurl is not among
 * them: the outbound client loads it on its first send (curl_dl.h).  Everything after that
 * runs on the one libev loop; nothing blocks it. */
#include <ev.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pcre2.h>
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "alert_journal.h"
#include "alert_store.h"
#include "api_v2.h"
#include "buf.h"
#include "config.h"
#include "curl_dl.h"
#include "envtmpl.h"
#include "flags.h"
#include "http_listen.h"
#include "http_server.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"
#include "router.h"
#include "silence.h"

static void print_version(void)
{
    /* The one place besides the first send that loads libcurl (curl_dl.h):
     * a bug report should name the library that will really be used. */
    struct errbuf err;
    char curl[sizeof err.msg + 64];
    if (curl_dl_load(&err) == 0) {
        curl_version_info_data *cv = curl_dl.version_info(CURLVERSION_NOW);
        snprintf(curl, sizeof curl, "%s (%s)", cv->version, cv->ssl_version);
    } else {
        snprintf(curl, sizeof curl, "unusable: %s", err.msg);
    }
    char pcre[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, pcre);
    printf("alertrouter, version %s (revision: %s)\n", AR_VERSION, AR_REVISION);
    printf("  build date:       %s\n", AR_BUILD_DATE);
    printf("  compiler:         %s\n", __VERSION__);
    printf("  libev:            %d.%d\n", ev_version_major(), ev_version_minor());
    printf("  libmicrohttpd:    %s\n", MHD_get_version());
    printf("  libcurl:          %s\n", curl);
    printf("  jansson:          %s\n", jansson_version_str());
    printf("  libyaml:          %s\n", yaml_get_version_string());
    printf("  pcre2:            %s\n", pcre);
    curl_dl_cleanup();
}

/* ROUTER_STRICT=1, ROUTER_RENDER_ONLY=1 (also "true", "yes"). */
static bool env_flag(const char *name)
{
    const char *v = getenv(name);
    return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

/* Where the problems of one load go: printed (render-only), logged
 * (start-up), or collected for the answer to a reload. */
struct load_report {
    bool render_only;
    struct buf *errs; /* reload: every error, one per line */
    size_t nerr;
};

static void load_error(struct load_report *r, const char *msg)
{
    r->nerr++;
    if (r->errs) {
        if (r->errs->len)
            buf_putc(r->errs, '\n');
        buf_puts(r->errs, msg);
    } else if (r->render_only) {
        fprintf(stderr, "%s\n", msg);
    } else {
        log_error("Loading configuration failed", "err", msg);
    }
}

static void load_warning(struct load_report *r, const char *msg)
{
    if (r->render_only)
        fprintf(stderr, "warning: %s\n", msg);
    else
        log_warn(msg);
}

/* Loads the configuration: --config.file as it is, or else
 * --config.template rendered from the environment (DESIGN.md 6), with one
 * warning per variable that fell back to its placeholder.  Every error is
 * reported, not only the first.  ROUTER_STRICT=1 refuses placeholders.
 * With render_only, the rendered YAML goes to stdout.  Used at start-up
 * and by every reload (SIGHUP, POST /-/reload), so a reload validates
 * exactly what a restart would.  Returns the config or NULL; *placeholders
 * gets the number of placeholder warnings. */
static struct config *load_config(const struct flags *fl, struct load_report *r,
                                  size_t *placeholders)
{
    enum { TEMPLATE_MAX = 4 << 20, RENDERED_MAX = 16 << 20 };
    const char *name = fl->config_file ? fl->config_file : fl->config_template;
    struct config *cfg = NULL;
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    struct envtmpl_report rep;
    envtmpl_report_init(&rep);
    struct buf text = BUF_INIT, yaml;
    buf_init(&yaml, RENDERED_MAX);
    struct errbuf err;
    size_t nerr0 = r->nerr;

    if (fl->config_file) {
        cfg = config_load_file(fl->config_file, &diag);
    } else if (envtmpl_read_file(name, TEMPLATE_MAX, &text, &err) < 0) {
        load_error(r, err.msg);
    } else {
        envtmpl_render(buf_str(&text), text.len, name, envtmpl_getenv, NULL, &yaml, &rep);
        for (size_t i = 0; i < rep.n_warnings; i++)
            load_warning(r, rep.warnings[i]);
        for (size_t i = 0; i < rep.n_errors; i++)
            load_error(r, rep.errors[i]);
        if (env_flag("ROUTER_STRICT") && rep.n_warnings) {
            bool many = rep.n_warnings > 1;
            snprintf(err.msg, sizeof err.msg,
                     "%s: ROUTER_STRICT=1 and %zu variable%s fell back to %s placeholder%s", name,
                     rep.n_warnings, many ? "s" : "", many ? "their" : "its", many ? "s" : "");
            load_error(r, err.msg);
        }
        if (r->nerr == nerr0) {
            if (r->render_only) {
                fwrite(buf_str(&yaml), 1, yaml.len, stdout);
                fflush(stdout);
            }
            char *dir = xstrdup(name);
            cfg = config_parse(buf_str(&yaml), yaml.len, name, dirname(dir), &diag);
            free(dir);
        }
    }
    for (size_t i = 0; i < diag.n; i++)
        load_error(r, diag.msgs[i]);
    *placeholders = rep.n_warnings;
    buf_deinit(&text);
    buf_deinit(&yaml);
    envtmpl_report_deinit(&rep);
    cfg_diag_deinit(&diag);
    return cfg;
}

/* The start-up load.  ROUTER_RENDER_ONLY=1 prints the rendered YAML on
 * stdout, validates it, prints a verdict line on stderr and stops (a
 * --config.file has nothing to render: it is validated).  Returns the
 * config, or NULL with *exit_code set (0 after a successful render-only run,
 * 1 on any error).  Runs before any port is opened. */
static struct config *load_startup_config(const struct flags *fl, int *exit_code,
                                          size_t *placeholders)
{
    struct load_report r = {.render_only = env_flag("ROUTER_RENDER_ONLY")};
    const char *name = fl->config_file ? fl->config_file : fl->config_template;
    struct config *cfg = load_config(fl, &r, placeholders);
    if (r.render_only && cfg)
        fprintf(stderr, "%s: the configuration is valid%s\n", name,
                *placeholders ? " (placeholders in use: see the warnings above)" : "");
    else if (r.render_only)
        fprintf(stderr, "%s: the configuration is invalid (%zu error%s)\n", name, r.nerr,
                r.nerr == 1 ? "" : "s");
    *exit_code = cfg ? 0 : 1;
    if (r.render_only) {
        config_free(cfg);
        cfg = NULL;
    }
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

/* ---- the running daemon ------------------------------------------------ */

/* Everything the loop owns, created in main() in the order of STYLE.md 2.7
 * and torn down in reverse. */
struct daemon {
    struct ev_loop *loop;
    const struct flags *fl;
    struct config *cfg;
    struct alert_store *alerts;
    struct alert_journal *journal;
    struct silence_store *silences;
    struct api *api;
    struct router *router;
    struct http_server *http;
    ev_timer gc_timer, maint_timer;
    ev_signal sigterm, sigint, sighup;
};

/* Alertmanager's --data.maintenance-interval default: silence GC and
 * snapshot. */
#define MAINTENANCE_INTERVAL_S (15 * 60)
/* Compact the alert journal at GC once it holds this much. */
#define JOURNAL_COMPACT_BYTES (64u << 20)

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

/* mkdir -p: Alertmanager creates --storage.path too. */
static int make_dirs(const char *path, struct errbuf *err)
{
    char *p = xstrdup(path);
    for (char *q = p + 1;; q++) {
        if (*q == '/' || *q == '\0') {
            char c = *q;
            *q = '\0';
            if (mkdir(p, 0777) < 0 && errno != EEXIST) {
                errbuf_set(err, "mkdir %s: %s", p, strerror(errno));
                free(p);
                return -1;
            }
            *q = c;
            if (!c)
                break;
        }
    }
    free(p);
    return 0;
}

/* Receivers the route tree uses, and their integrations: Alertmanager's
 * alertmanager_receivers / alertmanager_integrations count only those. */
static void count_used(const struct config *cfg, const struct route_cfg *r, bool *used)
{
    for (size_t i = 0; i < cfg->n_receivers; i++)
        if (!strcmp(cfg->receivers[i].name, r->receiver))
            used[i] = true;
    for (size_t i = 0; i < r->n_routes; i++)
        count_used(cfg, &r->routes[i], used);
}

/* The config metrics after a successful (re)load. */
static void config_metrics(const struct config *cfg, const char *dump, size_t placeholders)
{
    struct router_metrics *m = metrics();
    /* 48 bits of FNV-1a over the redacted dump: exact in a float64, as
     * Alertmanager keeps 48 bits of its md5 */
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = dump; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    metrics_gauge_set(m->config_hash, (double)(h >> 16));
    metrics_gauge_set(m->config_last_reload_successful, 1);
    metrics_gauge_set(m->config_last_reload_success_ts, (double)(now_ns() / NS_PER_SEC));
    bool *used = xcalloc(cfg->n_receivers + 1, sizeof *used);
    count_used(cfg, &cfg->route, used);
    size_t nr = 0, ni = 0;
    for (size_t i = 0; i < cfg->n_receivers; i++) {
        const struct receiver_cfg *rc = &cfg->receivers[i];
        if (!used[i])
            continue;
        nr++;
        ni += rc->n_webhook + rc->n_slack + rc->n_email + rc->n_msteams + rc->n_msteamsv2;
    }
    free(used);
    metrics_gauge_set(m->receivers, (double)nr);
    metrics_gauge_set(m->integrations, (double)ni);
    metrics_gauge_set(m->config_placeholders, (double)placeholders);
}

/* ---- the API's hooks over the router --------------------------------- */

static void hook_receiver(void *ctx, const char *name)
{
    api_names_push(ctx, name);
}

static void hook_receivers(void *ud, const struct alert *a, struct api_names *out)
{
    struct alert_view v;
    router_receivers_for(ud, alert_labels_view(a, &v), hook_receiver, out);
    alert_view_deinit(&v);
}

static size_t hook_inhibited_by(void *ud, const struct alert *a, int64_t now, uint64_t *out,
                                size_t max)
{
    uint64_t by;
    if (max == 0)
        return 0;
    struct alert_view v;
    bool muted = router_inhibited_by(ud, alert_labels_view(a, &v), now, &by);
    alert_view_deinit(&v);
    if (!muted)
        return 0;
    out[0] = by;
    return 1;
}

struct group_emit {
    api_group_fn *emit;
    void *ctx;
};

static void hook_group(void *ctx, const struct dispatch_group_view *v)
{
    struct group_emit *ge = ctx;
    if (v->n_alerts == 0)
        return;
    struct api_group g = {
        .labels = v->labels,
        .receiver = v->receiver,
        .alerts = v->alerts,
        .n_alerts = v->n_alerts,
    };
    ge->emit(ge->ctx, &g);
}

static void hook_groups(void *ud, api_group_fn *emit, void *ctx)
{
    struct group_emit ge = {emit, ctx};
    router_groups_each(ud, hook_group, &ge);
}

/* Hands a loaded config to the router, which builds the route tree,
 * inhibitor, notifiers and dispatcher from it and takes ownership (a
 * retired generation may still need its config while its last sends
 * finish).  -1 when the router cannot use it (the old config stays). */
static int apply_config(struct daemon *d, struct config *cfg, size_t placeholders,
                        struct buf *errs)
{
    struct errbuf err;
    if (router_apply_config(d->router, cfg, &err) < 0) {
        if (errs)
            buf_puts(errs, err.msg);
        else
            log_error("Loading configuration failed", "err", err.msg);
        return -1;
    }
    d->cfg = (struct config *)router_config(d->router);
    api_set_config(d->api, d->cfg);
    char *dump = config_dump_redacted(d->cfg);
    config_metrics(d->cfg, dump, placeholders);
    free(dump);
    return 0;
}

/* Reload (SIGHUP, POST /-/reload): load and validate the whole new config
 * first, exactly as at start-up (re-rendering the template if we started
 * from one); swap only a valid one.  Errors go to errs, one per line. */
static int reload(void *ud, struct buf *errs)
{
    struct daemon *d = ud;
    const char *name = d->fl->config_file ? d->fl->config_file : d->fl->config_template;
    log_info("Loading configuration file", "file", name);
    struct load_report r = {.errs = errs};
    size_t placeholders = 0;
    struct config *cfg = load_config(d->fl, &r, &placeholders);
    if (!cfg) {
        metrics_gauge_set(metrics()->config_last_reload_successful, 0);
        log_error("Loading configuration file failed", "file", name, "err", buf_str(errs));
        return -1;
    }
    if (apply_config(d, cfg, placeholders, errs) < 0) {
        metrics_gauge_set(metrics()->config_last_reload_successful, 0);
        log_error("Loading configuration file failed", "file", name, "err", buf_str(errs));
        return -1;
    }
    log_info("Completed loading of configuration file", "file", name);
    return 0;
}

static void on_sighup(EV_P_ ev_signal *w, int revents)
{
    (void)revents;
    struct buf errs = BUF_INIT;
    reload(w->data, &errs);
    buf_deinit(&errs);
}

static void on_gc_removed(void *ud, struct alert *removed)
{
    struct daemon *d = ud;
    if (d->journal)
        alert_journal_note_gc(d->journal, removed->fingerprint);
}

/* --alerts.gc-interval: drop resolved alerts; compact a grown journal. */
static void on_gc(EV_P_ ev_timer *w, int revents)
{
    (void)revents;
    struct daemon *d = w->data;
    int64_t now = now_ns();
    alert_store_gc(d->alerts, now, on_gc_removed, d);
    api_maintenance(d->api, now);
    if (d->journal) {
        struct errbuf err;
        if (alert_journal_flush(d->journal, &err) < 0)
            log_error("Failed to write the alert journal", "err", err.msg);
        /* in a forked child: the loop does not wait for the snapshot */
        if (alert_journal_needs_compaction(d->journal, JOURNAL_COMPACT_BYTES) &&
            alert_journal_compact_start(d->journal, d->loop, &err) < 0)
            log_error("Failed to compact the alert journal", "err", err.msg);
    }
}

/* Silence maintenance: retention GC, then a snapshot. */
static void on_maintenance(EV_P_ ev_timer *w, int revents)
{
    (void)revents;
    struct daemon *d = w->data;
    struct router_metrics *m = metrics();
    int64_t t0 = now_ns();
    silence_store_gc(d->silences, t0);
    int64_t t1 = now_ns();
    metrics_histogram_observe(m->silences_maint.gc_duration, (double)(t1 - t0) / NS_PER_SEC);
    struct errbuf err;
    if (silence_store_snapshot(d->silences, &err) < 0)
        log_error("Creating silences snapshot failed", "err", err.msg);
    metrics_histogram_observe(m->silences_maint.snapshot_duration,
                              (double)(now_ns() - t1) / NS_PER_SEC);
}

static void on_router_stopped(void *arg)
{
    struct daemon *d = arg;
    ev_break(d->loop, EVBREAK_ALL);
}

/* SIGTERM/SIGINT: stop accepting, start no new flush, give in-flight
 * notifications up to 5 s to finish (and be recorded in the nflog), then
 * leave the loop; main writes the snapshots.  A second signal leaves at
 * once. */
static void on_stop_signal(EV_P_ ev_signal *w, int revents)
{
    (void)revents;
    struct daemon *d = w->data;
    if (d->router->stopping) {
        ev_break(EV_A_ EVBREAK_ALL);
        return;
    }
    log_info("Received signal, exiting gracefully...", "signal", strsignal(w->signum));
    http_server_stop_accepting(d->http);
    router_shutdown(d->router, 5.0, on_router_stopped, d);
}

/* The external URL notifications show: --web.external-url, else
 * Alertmanager's default http://<hostname>:<listen port>/; without the
 * path's trailing slash, as Alertmanager prints it.  A new string. */
static char *external_url(const struct flags *fl)
{
    struct buf b = BUF_INIT;
    if (fl->external_url && *fl->external_url) {
        buf_puts(&b, fl->external_url);
    } else {
        char host[256] = "localhost";
        if (gethostname(host, sizeof host - 1) < 0)
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        const char *colon = strrchr(fl->listen_address, ':');
        buf_printf(&b, "http://%s:%s/", host, colon ? colon + 1 : "9093");
    }
    char *s = buf_steal(&b);
    size_t n = strlen(s);
    const char *path = strstr(s, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    while (path && n > (size_t)(path - s) && s[n - 1] == '/')
        s[--n] = '\0';
    return s;
}

/* The stores under --storage.path: silences restored from their snapshot,
 * alerts from their journal.  Damaged files are kept aside and logged;
 * only an unusable directory stops the start. */
static int open_stores(struct daemon *d)
{
    struct errbuf err, warn;
    if (make_dirs(d->fl->storage_path, &err) < 0) {
        log_error("Failed to create the storage directory", "err", err.msg);
        return -1;
    }
    d->alerts = alert_store_new();
    d->silences = silence_store_new(d->fl->storage_path, d->fl->data_retention_ms * NS_PER_MS);
    if (silence_store_load(d->silences, now_ns(), &err) < 0)
        log_warn("Silences snapshot could not be loaded completely", "err", err.msg);
    warn.msg[0] = '\0';
    d->journal = alert_journal_open(d->fl->storage_path, d->alerts, &warn, &err);
    if (!d->journal) {
        log_error("Failed to open the alert journal", "err", err.msg);
        return -1;
    }
    if (warn.msg[0])
        log_warn("Alert journal damaged; what could be read was restored", "err", warn.msg);
    return 0;
}

static void close_stores(struct daemon *d)
{
    struct errbuf err;
    if (d->silences && silence_store_snapshot(d->silences, &err) < 0)
        log_error("Creating silences snapshot failed", "err", err.msg);
    if (d->journal && alert_journal_compact(d->journal, &err) < 0)
        log_error("Failed to compact the alert journal", "err", err.msg);
    alert_journal_close(d->journal);
    alert_store_free(d->alerts);
    silence_store_free(d->silences);
}

int main(int argc, char **argv)
{
    int64_t started = now_ns();
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
    size_t placeholders = 0;
    struct config *cfg = load_startup_config(&fl, &exit_code, &placeholders);
    if (!cfg)
        return exit_code;

    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit(fl.max_connections);
    json_object_seed(0);

    struct daemon d = {.fl = &fl};
    d.loop = ev_default_loop(EVFLAG_AUTO);
    log_info("Starting alertrouter", "version", AR_VERSION, "revision", AR_REVISION);
    if (fl.cluster_flags_seen)
        log_info("clustering flags given; clustering is disabled in alertrouter");

    if (open_stores(&d) < 0) {
        close_stores(&d);
        config_free(cfg);
        return 1;
    }
    struct api_opts ao = {.alerts = d.alerts,
                          .silences = d.silences,
                          .journal = d.journal,
                          .reload = reload,
                          .reload_ud = &d,
                          .started_at = started};
    d.api = api_new(&ao);
    char *ext = external_url(&fl);
    struct router_opts ro = {
        .loop = d.loop,
        .alerts = d.alerts,
        .silences = d.silences,
        .storage_path = fl.storage_path,
        .external_url = ext,
        .retention_ms = fl.data_retention_ms,
        .retry_rate_limited = fl.retry_rate_limited,
    };
    d.router = router_new(&ro, &err);
    free(ext);
    if (!d.router || apply_config(&d, cfg, placeholders, NULL) < 0) {
        if (!d.router) {
            log_error("Starting failed", "err", err.msg);
            config_free(cfg);
        }
        router_free(d.router);
        api_free(d.api);
        close_stores(&d);
        return 1;
    }
    struct api_hooks hooks = {
        .ud = d.router,
        .receivers = hook_receivers,
        .inhibited_by = hook_inhibited_by,
        .groups = hook_groups,
    };
    api_set_hooks(d.api, &hooks);

    d.http = start_http(d.loop, &fl);
    if (!d.http) {
        router_free(d.router);
        api_free(d.api);
        close_stores(&d);
        return 1;
    }
    api_register(d.api, d.http);
    /* The listener is up; libcurl loads beside the loop (curl_dl.h). */
    curl_dl_preload();

    double gc_s = fl.gc_interval_ms > 0 ? (double)fl.gc_interval_ms / 1000.0 : 1800.0;
    ev_timer_init(&d.gc_timer, on_gc, gc_s, gc_s);
    ev_timer_init(&d.maint_timer, on_maintenance, MAINTENANCE_INTERVAL_S, MAINTENANCE_INTERVAL_S);
    d.gc_timer.data = d.maint_timer.data = &d;
    ev_timer_start(d.loop, &d.gc_timer);
    ev_timer_start(d.loop, &d.maint_timer);

    ev_signal_init(&d.sigterm, on_stop_signal, SIGTERM);
    ev_signal_init(&d.sigint, on_stop_signal, SIGINT);
    ev_signal_init(&d.sighup, on_sighup, SIGHUP);
    d.sigterm.data = d.sigint.data = d.sighup.data = &d;
    ev_signal_start(d.loop, &d.sigterm);
    ev_signal_start(d.loop, &d.sigint);
    ev_signal_start(d.loop, &d.sighup);

    ev_run(d.loop, 0);

    http_server_free(d.http);
    router_free(d.router);
    api_free(d.api);
    close_stores(&d);
    curl_dl_cleanup();
    log_info("stopped");
    return 0;
}

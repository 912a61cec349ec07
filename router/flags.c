/* flags.c -- see flags.h.  One table drives parsing and --help, so a flag
 * cannot be documented and not parsed, or the reverse. */
#include "flags.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

enum flag_kind { F_STRING, F_BOOL, F_DURATION, F_INT, F_IGNORED };

struct flag_def {
    const char *name;
    enum flag_kind kind;
    size_t off;
    const char *def;    /* default, parsed like user input */
    const char *help;
};

#define OFF(field) offsetof(struct flags, field)

static const struct flag_def defs[] = {
    {"config.file", F_STRING, OFF(config_file), NULL,
     "Alertmanager configuration file (YAML). Without it, --config.template is rendered."},
    {"config.template", F_STRING, OFF(config_template), "config.tmpl",
     "Config template rendered from the environment (${VAR}, ${VAR:-placeholder})."},
    {"storage.path", F_STRING, OFF(storage_path), "data/", "Base path for data storage."},
    {"web.listen-address", F_STRING, OFF(listen_address), ":9093",
     "Address to listen on for the web interface and API."},
    {"web.external-url", F_STRING, OFF(external_url), NULL,
     "The URL under which alertrouter is externally reachable."},
    {"web.route-prefix", F_STRING, OFF(route_prefix), NULL,
     "Prefix for the internal routes of web endpoints (default: path of external URL)."},
    {"data.retention", F_DURATION, OFF(data_retention_ms), "120h",
     "How long to keep data for."},
    {"alerts.gc-interval", F_DURATION, OFF(gc_interval_ms), "30m",
     "Interval between alert GC."},
    {"log.level", F_STRING, OFF(log_level), "info",
     "Only log messages with the given severity or above: debug, info, warn, error."},
    {"log.format", F_STRING, OFF(log_format), "logfmt", "Output format of log messages: logfmt, json."},
    {"web.max-body-bytes", F_INT, OFF(body_limit), "8388608",
     "Largest accepted request body; larger ones get 413."},
    {"web.max-connections", F_INT, OFF(max_connections), "1024",
     "Most concurrent HTTP connections."},
    {"web.max-connections-per-ip", F_INT, OFF(max_connections_per_ip), "256",
     "Most concurrent HTTP connections from one client address."},
    {"web.idle-timeout", F_DURATION, OFF(idle_timeout_s), "120s",
     "Close a keep-alive connection idle this long."},
    {"web.header-timeout", F_DURATION, OFF(header_timeout_s), "10s",
     "Close a connection whose request headers are not complete this long after it opened."},
    {"notify.retry-rate-limited", F_BOOL, OFF(retry_rate_limited), "true",
     "Retry notifications answered 429 after their Retry-After; false gives up at once, "
     "as Alertmanager 0.25 does."},
    {"check-config", F_BOOL, OFF(check_config), NULL,
     "Validate the configuration, print every error, exit 0 if valid, 1 if not."},
    {"version", F_BOOL, OFF(version), NULL, "Show version and build information."},
    {"help", F_BOOL, OFF(help), NULL, "Show this help."},
};

#define NDEFS (sizeof defs / sizeof defs[0])

static int set_flag(struct flags *f, const struct flag_def *d, const char *v,
                    struct errbuf *err)
{
    char *p = (char *)f + d->off;
    switch (d->kind) {
    case F_STRING:
        *(const char **)p = v;
        return 0;
    case F_BOOL:
        if (!v || strcmp(v, "true") == 0)
            *(bool *)p = true;
        else if (strcmp(v, "false") == 0)
            *(bool *)p = false;
        else {
            errbuf_set(err, "flag --%s: expected true or false, got \"%s\"", d->name, v);
            return -1;
        }
        return 0;
    case F_DURATION: {
        int64_t ms;
        struct errbuf e;
        if (duration_parse(v, &ms, &e) < 0) {
            errbuf_set(err, "flag --%s: %s", d->name, e.msg);
            return -1;
        }
        /* the web timeouts are kept in seconds, the rest in milliseconds */
        if (d->off == OFF(idle_timeout_s) || d->off == OFF(header_timeout_s))
            ms = (ms + 999) / 1000;
        *(int64_t *)p = ms;
        return 0;
    }
    case F_INT: {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno || end == v || *end || n < 0) {
            errbuf_set(err, "flag --%s: expected a non-negative integer, got \"%s\"", d->name, v);
            return -1;
        }
        *(int64_t *)p = n;
        return 0;
    }
    case F_IGNORED:
        return 0;
    }
    return -1;
}

int flags_parse(struct flags *f, int argc, char **argv, struct errbuf *err)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < NDEFS; i++)
        if (defs[i].def && set_flag(f, &defs[i], defs[i].def, err) < 0)
            return -1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0) {
            f->help = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            errbuf_set(err, "unexpected argument \"%s\" (flags start with --; see --help)", a);
            return -1;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);

        /* Alertmanager's clustering flags: accepted so that existing command
         * lines keep working, but alertrouter runs single-node. */
        if (nlen > 8 && strncmp(name, "cluster.", 8) == 0) {
            f->cluster_flags_seen++;
            if (!eq && i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                i++;
            continue;
        }
        const struct flag_def *d = NULL;
        for (size_t k = 0; k < NDEFS; k++)
            if (strlen(defs[k].name) == nlen && strncmp(defs[k].name, name, nlen) == 0)
                d = &defs[k];
        /* kingpin's --no-<bool> form */
        if (!d && nlen > 3 && strncmp(name, "no-", 3) == 0 && !eq) {
            for (size_t k = 0; k < NDEFS; k++)
                if (defs[k].kind == F_BOOL && strcmp(defs[k].name, name + 3) == 0) {
                    if (set_flag(f, &defs[k], "false", err) < 0)
                        return -1;
                    d = &defs[k];
                }
            if (d)
                continue;
        }
        if (!d) {
            errbuf_set(err, "unknown flag --%.*s (see --help)", (int)nlen, name);
            return -1;
        }
        const char *v = eq ? eq + 1 : NULL;
        if (!v && d->kind != F_BOOL) {
            if (i + 1 >= argc) {
                errbuf_set(err, "flag --%s needs a value", d->name);
                return -1;
            }
            v = argv[++i];
        }
        if (set_flag(f, d, v, err) < 0)
            return -1;
    }
    return 0;
}

void flags_usage(FILE *out)
{
    fprintf(out, "usage: alertrouter [<flags>]\n\n"
                 "A drop-in replacement for Prometheus Alertmanager.\n\nFlags:\n");
    for (size_t i = 0; i < NDEFS; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s", defs[i].name,
                 defs[i].kind == F_BOOL ? "" : "=VALUE");
        fprintf(out, "  %-32s %s", left, defs[i].help);
        if (defs[i].def)
            fprintf(out, " (default: %s)", defs[i].def);
        fputc('\n', out);
    }
    fprintf(out, "  %-32s %s\n", "--cluster.*",
             "Accepted for compatibility; clustering is disabled.");
    fprintf(out, "\nEnvironment: ROUTER_RENDER_ONLY=1 prints the rendered config, checks it "
                 "and exits;\nROUTER_STRICT=1 makes an unset variable with a placeholder fatal.\n");
}

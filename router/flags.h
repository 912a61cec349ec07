/* flags.h -- the command line, with Alertmanager's flag names and defaults.
 *
 * Both `--flag=value` and `--flag value` are accepted (Go's kingpin takes
 * both), `-h`/`--help` and `--version` print and exit, `--cluster.*` flags
 * are accepted and reported as disabled (alertrouter runs single-node). */
#ifndef ROUTER_FLAGS_H
#define ROUTER_FLAGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

struct flags {
    const char *config_file;      /* --config.file; NULL = render --config.template */
    const char *config_template;  /* --config.template (default "config.tmpl") */
    const char *storage_path;     /* --storage.path (default "data/") */
    const char *listen_address;   /* --web.listen-address (default ":9093") */
    const char *external_url;     /* --web.external-url */
    const char *route_prefix;     /* --web.route-prefix */
    int64_t data_retention_ms;    /* --data.retention (120h) */
    int64_t gc_interval_ms;       /* --alerts.gc-interval (30m) */
    const char *log_level;        /* --log.level (info) */
    const char *log_format;       /* --log.format (logfmt) */
    int64_t body_limit;           /* --web.max-body-bytes (8 MiB) */
    int64_t max_connections;      /* --web.max-connections (1024) */
    int64_t max_connections_per_ip; /* --web.max-connections-per-ip (256) */
    int64_t idle_timeout_s;       /* --web.idle-timeout (120s) */
    int64_t header_timeout_s;     /* --web.header-timeout (10s) */
    bool retry_rate_limited;      /* --notify.retry-rate-limited (true) */
    bool check_config;            /* --check-config */
    bool version;                 /* --version */
    bool help;                    /* -h, --help */
    int cluster_flags_seen;       /* --cluster.* given (ignored) */
};

/* Fills f from argv.  Returns 0, or -1 with one line in err (exit 2). */
int flags_parse(struct flags *f, int argc, char **argv, struct errbuf *err);
void flags_usage(FILE *out);

#endif

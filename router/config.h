/* config.h -- the Alertmanager configuration model: typed structs for the
 * whole schema, strict validation, every error as file:line:col.
 *
 * ENTRY POINTS below are the contract other modules (main.c, the API's
 * reload and status) code against; the struct definitions are filled in by
 * the config module. */
#ifndef ROUTER_CONFIG_H
#define ROUTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matcher.h"

/* Every problem found while loading, in file order: "file:line:col: message"
 * (line and column 1-based; "file: message" when the file itself cannot be
 * read).  Loading never stops at the first error. */
struct cfg_diag {
    size_t n, cap;
    char **msgs; /* owned */
};

void cfg_diag_init(struct cfg_diag *d);
void cfg_diag_deinit(struct cfg_diag *d);
/* line <= 0: no position. */
void cfg_diag_add(struct cfg_diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- the model ------------------------------------------------------------
 *
 * Everything below is filled by config_parse with Alertmanager's defaults
 * and inheritance already applied: a child route has its parent's receiver,
 * group_by and timers unless it set its own; every integration has its
 * http_config (its own, or a copy of global.http_config) and every email
 * config its SMTP settings from `global`.  Strings are owned by the config;
 * optional strings are NULL when absent.  Durations are milliseconds. */

struct cfg_loc {
    int line, col; /* of the node in the config file; 0 when synthesised */
};

struct strlist {
    size_t n;
    char **v;
};

struct kv {
    char *key, *value;
};

struct kvlist {
    size_t n;
    struct kv *v;
};

struct tls_cfg {
    char *ca_file, *cert_file, *key_file, *server_name;
    bool insecure_skip_verify;
    char *min_version, *max_version; /* "TLS10" .. "TLS13" or NULL */
};

struct basic_auth_cfg {
    char *username, *password, *password_file;
};

struct authorization_cfg {
    char *type; /* default "Bearer" */
    char *credentials, *credentials_file;
};

struct oauth2_cfg {
    char *client_id, *client_secret, *client_secret_file, *token_url;
    struct strlist scopes;
    struct kvlist endpoint_params;
    struct tls_cfg tls;
    char *proxy_url;
};

/* Prometheus common's HTTPClientConfig.  At most one of basic_auth,
 * authorization (or bearer_token) and oauth2 is set. */
struct http_cfg {
    struct basic_auth_cfg *basic_auth;       /* NULL when absent */
    struct authorization_cfg *authorization; /* bearer_token(_file) is folded in here */
    struct oauth2_cfg *oauth2;
    struct tls_cfg tls;
    char *proxy_url;
    bool follow_redirects; /* default true */
    bool enable_http2;     /* default true */
};

struct global_cfg {
    int64_t resolve_timeout_ms; /* 5m */
    struct http_cfg http;
    char *smtp_from, *smtp_hello; /* hello default "localhost" */
    char *smtp_smarthost;         /* "host:port" */
    char *smtp_auth_username, *smtp_auth_password, *smtp_auth_password_file;
    char *smtp_auth_secret, *smtp_auth_identity;
    bool smtp_require_tls; /* default true */
    char *slack_api_url, *slack_api_url_file;
    /* Keys of integrations alertrouter does not deliver to (pagerduty_url,
     * opsgenie_api_key, ...): accepted so existing files load, kept for the
     * status dump, otherwise unused.  Secret ones are dumped redacted. */
    struct kvlist other;
};

struct webhook_cfg {
    struct cfg_loc loc;
    bool send_resolved; /* default true */
    struct http_cfg http;
    char *url, *url_file; /* exactly one */
    uint64_t max_alerts;  /* 0 = all */
    int64_t timeout_ms;   /* 0 = none */
};

struct slack_field {
    char *title, *value;
    bool short_; /* default: the config's short_fields */
};

struct slack_confirm {
    char *text, *title, *ok_text, *dismiss_text;
};

struct slack_action {
    char *type, *text, *url, *style, *name, *value;
    struct slack_confirm *confirm; /* NULL when absent */
};

struct slack_cfg {
    struct cfg_loc loc;
    bool send_resolved; /* default false */
    struct http_cfg http;
    char *api_url, *api_url_file; /* from global when absent */
    char *channel, *username, *color, *title, *title_link, *pretext, *text;
    char *footer, *fallback, *callback_id, *icon_emoji, *icon_url, *image_url, *thumb_url;
    bool short_fields, link_names;
    struct strlist mrkdwn_in; /* default fallback, pretext, text */
    size_t n_fields, n_actions;
    struct slack_field *fields;
    struct slack_action *actions;
};

struct email_cfg {
    struct cfg_loc loc;
    bool send_resolved; /* default false */
    char *to, *from, *hello;
    char *smarthost; /* "host:port" */
    char *auth_username, *auth_password, *auth_password_file, *auth_secret, *auth_identity;
    struct kvlist headers; /* canonical keys; Subject added by default */
    char *html, *text;     /* text NULL: no text/plain part */
    bool require_tls;
    int force_implicit_tls; /* Alertmanager 0.31: -1 unset (port 465 means
                               implicit TLS), 0 never, 1 always */
    struct tls_cfg tls;
};

/* msteams (MessageCard) and msteamsv2 (Workflows) share one shape; v2 has
 * no summary. */
struct msteams_cfg {
    struct cfg_loc loc;
    bool send_resolved; /* default true */
    struct http_cfg http;
    char *webhook_url, *webhook_url_file; /* exactly one */
    char *title, *summary, *text;
};

struct receiver_cfg {
    struct cfg_loc loc;
    char *name;
    size_t n_webhook, n_slack, n_email, n_msteams, n_msteamsv2;
    struct webhook_cfg *webhook;
    struct slack_cfg *slack;
    struct email_cfg *email;
    struct msteams_cfg *msteams;
    struct msteams_cfg *msteamsv2;
};

struct route_cfg {
    struct cfg_loc loc;
    char *receiver;           /* inherited */
    struct strlist group_by;  /* inherited; "..." kept as written */
    bool group_by_all;        /* group_by: ['...'] */
    bool cont;                /* `continue`; not inherited */
    struct matchers matchers; /* matchers + match (=) + match_re (=~) */
    int64_t group_wait_ms, group_interval_ms, repeat_interval_ms; /* inherited */
    struct strlist mute_time_intervals, active_time_intervals;    /* not inherited */
    size_t n_routes;
    struct route_cfg *routes;
};

struct inhibit_rule_cfg {
    struct cfg_loc loc;
    struct matchers source, target; /* *_matchers plus legacy *_match(_re) */
    struct strlist equal;
};

struct int_range {
    int begin, end; /* inclusive */
};

/* One entry of a time interval's `time_intervals` list: all non-empty
 * fields must match.  times are minutes of the day, [start, end). */
struct time_spec {
    size_t n_times, n_weekdays, n_days_of_month, n_months, n_years;
    struct int_range *times;
    struct int_range *weekdays;      /* 0 = sunday .. 6 */
    struct int_range *days_of_month; /* 1..31 or -31..-1 */
    struct int_range *months;        /* 1..12 */
    struct int_range *years;
    char *location; /* NULL = UTC */
};

struct time_interval_cfg {
    struct cfg_loc loc;
    char *name;
    bool from_mute_key; /* came from mute_time_intervals: */
    size_t n_specs;
    struct time_spec *specs;
};

struct config {
    char *filename, *basedir;
    struct global_cfg global;
    struct route_cfg route;
    size_t n_receivers, n_inhibit_rules, n_time_intervals;
    struct receiver_cfg *receivers;
    struct inhibit_rule_cfg *inhibit_rules;
    struct time_interval_cfg *time_intervals;
    struct strlist templates; /* globs, absolute (joined to basedir) */
};

/* The receiver or time interval of that name, or NULL.  Borrowed. */
const struct receiver_cfg *config_receiver(const struct config *cfg, const char *name);
const struct time_interval_cfg *config_time_interval(const struct config *cfg, const char *name);

/* Parses and validates YAML text.  `filename` is used in messages,
 * `basedir` resolves relative paths (templates, *_file fields).  Returns a
 * new config (free with config_free) or NULL with every error in *diag. */
struct config *config_parse(const char *text, size_t len, const char *filename, const char *basedir,
                            struct cfg_diag *diag);
/* Reads the file and calls config_parse. */
struct config *config_load_file(const char *path, struct cfg_diag *diag);
void config_free(struct config *cfg); /* accepts NULL */

/* The config as YAML with every secret shown as "<secret>" (for
 * GET /api/v2/status config.original).  Returns a new string. */
char *config_dump_redacted(const struct config *cfg);

#endif

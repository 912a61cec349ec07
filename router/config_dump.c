/* config_dump.c -- the loaded config as YAML with every secret redacted.
 *
 * GET /api/v2/status answers config.original with this text, and amtool's
 * `config routes` parses it, so it must be valid YAML in Alertmanager's
 * schema.  As Alertmanager does, it shows the effective config (defaults
 * and inheritance applied), not the file as written, and every secret --
 * passwords, tokens, credentials, and the URLs that carry credentials
 * (Slack, Teams and webhook URLs) -- as "<secret>".  Nothing here may ever
 * print a secret: a field is either dumped through ysecret() or is not a
 * secret in Alertmanager's model. */
#include <string.h>

#include "config_internal.h"
#include "duration.h"

#define SECRET "<secret>"

static void indent(struct buf *b, int lvl)
{
    for (int i = 0; i < lvl; i++)
        buf_puts(b, "  ");
}

/* "key:" on its own line: a mapping or a list follows. */
static void ykey(struct buf *b, int lvl, const char *key)
{
    indent(b, lvl);
    buf_printf(b, "%s:\n", key);
}

/* A scalar, plain when that cannot be misread, else double-quoted. */
static void yscalar(struct buf *b, const char *s)
{
    static const char *const reserved[] = {"",    "~",  "null", "Null", "NULL", "true", "false",
                                           "yes", "no", "on",   "off",  "y",    "n",    NULL};
    bool plain = true;
    for (const char *const *r = reserved; *r && plain; r++)
        plain = strcasecmp(*r, s) != 0;
    for (const char *p = s; *p && plain; p++) {
        unsigned char ch = (unsigned char)*p;
        plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                (ch >= '0' && ch <= '9' && p != s) || ch == '_' || (ch == '.' && p != s) ||
                ch == '/' || (ch == '-' && p != s) || (ch == '@' && p != s);
        /* '@' is a reserved indicator: YAML cannot start a plain scalar with it. */
    }
    if (plain) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            buf_puts(b, "\\n");
        else if (*p == '\r')
            buf_puts(b, "\\r");
        else if (*p == '\t')
            buf_puts(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            buf_printf(b, "\\x%02x", *p);
        else
            buf_putc(b, (char)*p);
    }
    buf_putc(b, '"');
}

/* "- value" in a list of scalars. */
static void yitem(struct buf *b, int lvl, const char *v)
{
    indent(b, lvl);
    buf_puts(b, "- ");
    yscalar(b, v);
    buf_putc(b, '\n');
}

/* The entries of a string-to-string map, one "key: value" line each. */
static void ymap(struct buf *b, int lvl, const struct kvlist *m)
{
    for (size_t i = 0; i < m->n; i++) {
        indent(b, lvl);
        yscalar(b, m->v[i].key);
        buf_puts(b, ": ");
        yscalar(b, m->v[i].value);
        buf_putc(b, '\n');
    }
}

static void ystr(struct buf *b, int lvl, const char *key, const char *v)
{
    if (v == NULL)
        return;
    indent(b, lvl);
    buf_printf(b, "%s: ", key);
    yscalar(b, v);
    buf_putc(b, '\n');
}

static void ysecret(struct buf *b, int lvl, const char *key, const char *v)
{
    if (v == NULL)
        return;
    indent(b, lvl);
    buf_printf(b, "%s: %s\n", key, SECRET);
}

/* A webhook URL: Alertmanager 0.25 keeps it a plain URL (amtool 0.25
 * rejects "<secret>" there when it parses the status), yet path, query
 * and user info often carry tokens.  So: scheme://host/<secret>. */
static void ysecret_url(struct buf *b, int lvl, const char *key, const char *v)
{
    if (v == NULL)
        return;
    const char *host = strstr(v, "://");
    if (host == NULL) {
        ysecret(b, lvl, key, v);
        return;
    }
    host += 3;
    size_t hl = strcspn(host, "/?#");
    const char *at = memchr(host, '@', hl);
    if (at) {
        hl -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    /* Scheme and host are the config's text: quoted through yscalar like
     * any other value, since a host may hold a quote or a backslash. */
    struct buf u = BUF_INIT;
    buf_printf(&u, "%.*s%.*s/<secret>", (int)(strstr(v, "://") + 3 - v), v, (int)hl, host);
    ystr(b, lvl, key, u.p);
    buf_deinit(&u);
}

static void ybool(struct buf *b, int lvl, const char *key, bool v)
{
    indent(b, lvl);
    buf_printf(b, "%s: %s\n", key, v ? "true" : "false");
}

static void ydur(struct buf *b, int lvl, const char *key, int64_t ms)
{
    char d[64];
    duration_format(ms, d, sizeof d);
    indent(b, lvl);
    buf_printf(b, "%s: %s\n", key, d);
}

static void ylist(struct buf *b, int lvl, const char *key, const struct strlist *l)
{
    if (l->n == 0)
        return;
    ykey(b, lvl, key);
    for (size_t i = 0; i < l->n; i++)
        yitem(b, lvl, l->v[i]);
}

static void ymatchers(struct buf *b, int lvl, const char *key, const struct matchers *ms)
{
    if (ms->n == 0)
        return;
    ykey(b, lvl, key);
    for (size_t i = 0; i < ms->n; i++) {
        struct buf m = BUF_INIT;
        matcher_format(&ms->v[i], &m);
        yitem(b, lvl, buf_str(&m));
        buf_deinit(&m);
    }
}

static void ytls(struct buf *b, int lvl, const struct tls_cfg *t)
{
    ykey(b, lvl, "tls_config");
    ystr(b, lvl + 1, "ca_file", t->ca_file);
    ystr(b, lvl + 1, "cert_file", t->cert_file);
    ystr(b, lvl + 1, "key_file", t->key_file);
    ystr(b, lvl + 1, "server_name", t->server_name);
    ybool(b, lvl + 1, "insecure_skip_verify", t->insecure_skip_verify);
    ystr(b, lvl + 1, "min_version", t->min_version);
    ystr(b, lvl + 1, "max_version", t->max_version);
}

static void yhttp(struct buf *b, int lvl, const struct http_cfg *h)
{
    ykey(b, lvl, "http_config");
    lvl++;
    if (h->basic_auth) {
        ykey(b, lvl, "basic_auth");
        ystr(b, lvl + 1, "username", h->basic_auth->username);
        ysecret(b, lvl + 1, "password", h->basic_auth->password);
        ystr(b, lvl + 1, "password_file", h->basic_auth->password_file);
    }
    if (h->authorization) {
        ykey(b, lvl, "authorization");
        ystr(b, lvl + 1, "type", h->authorization->type);
        ysecret(b, lvl + 1, "credentials", h->authorization->credentials);
        ystr(b, lvl + 1, "credentials_file", h->authorization->credentials_file);
    }
    if (h->oauth2) {
        const struct oauth2_cfg *o = h->oauth2;
        ykey(b, lvl, "oauth2");
        ystr(b, lvl + 1, "client_id", o->client_id);
        ysecret(b, lvl + 1, "client_secret", o->client_secret);
        ystr(b, lvl + 1, "client_secret_file", o->client_secret_file);
        ylist(b, lvl + 1, "scopes", &o->scopes);
        ystr(b, lvl + 1, "token_url", o->token_url);
        if (o->endpoint_params.n) {
            ykey(b, lvl + 1, "endpoint_params");
            ymap(b, lvl + 2, &o->endpoint_params);
        }
        ytls(b, lvl + 1, &o->tls);
        ystr(b, lvl + 1, "proxy_url", o->proxy_url);
    }
    ytls(b, lvl, &h->tls);
    ystr(b, lvl, "proxy_url", h->proxy_url);
    ybool(b, lvl, "follow_redirects", h->follow_redirects);
    ybool(b, lvl, "enable_http2", h->enable_http2);
}

static void yglobal(struct buf *b, const struct global_cfg *g)
{
    static const char *const secret_others[] = {"opsgenie_api_key", "wechat_api_secret",
                                                "victorops_api_key", NULL};
    buf_puts(b, "global:\n");
    ydur(b, 1, "resolve_timeout", g->resolve_timeout_ms);
    yhttp(b, 1, &g->http);
    ystr(b, 1, "smtp_from", g->smtp_from);
    ystr(b, 1, "smtp_hello", g->smtp_hello);
    ystr(b, 1, "smtp_smarthost", g->smtp_smarthost);
    ystr(b, 1, "smtp_auth_username", g->smtp_auth_username);
    ysecret(b, 1, "smtp_auth_password", g->smtp_auth_password);
    ystr(b, 1, "smtp_auth_password_file", g->smtp_auth_password_file);
    ysecret(b, 1, "smtp_auth_secret", g->smtp_auth_secret);
    ystr(b, 1, "smtp_auth_identity", g->smtp_auth_identity);
    ybool(b, 1, "smtp_require_tls", g->smtp_require_tls);
    ysecret(b, 1, "slack_api_url", g->slack_api_url);
    ystr(b, 1, "slack_api_url_file", g->slack_api_url_file);
    for (size_t i = 0; i < g->other.n; i++) {
        bool secret = false;
        for (const char *const *s = secret_others; *s; s++)
            secret = secret || strcmp(*s, g->other.v[i].key) == 0;
        (secret ? ysecret : ystr)(b, 1, g->other.v[i].key, g->other.v[i].value);
    }
}

static void yroute(struct buf *b, int lvl, const struct route_cfg *r)
{
    ystr(b, lvl, "receiver", r->receiver);
    ylist(b, lvl, "group_by", &r->group_by);
    if (r->cont)
        ybool(b, lvl, "continue", true);
    ymatchers(b, lvl, "matchers", &r->matchers);
    ydur(b, lvl, "group_wait", r->group_wait_ms);
    ydur(b, lvl, "group_interval", r->group_interval_ms);
    ydur(b, lvl, "repeat_interval", r->repeat_interval_ms);
    ylist(b, lvl, "mute_time_intervals", &r->mute_time_intervals);
    ylist(b, lvl, "active_time_intervals", &r->active_time_intervals);
    if (r->n_routes == 0)
        return;
    ykey(b, lvl, "routes");
    for (size_t i = 0; i < r->n_routes; i++) {
        indent(b, lvl);
        buf_puts(b, "- ");
        /* The first key goes on the "- " line: dump into a scratch buffer
         * and drop its first indentation. */
        struct buf sub = BUF_INIT;
        yroute(&sub, lvl + 1, &r->routes[i]);
        buf_puts(b, buf_str(&sub) + 2 * (lvl + 1));
        buf_deinit(&sub);
    }
}

/* A list item that opens with "key: value" (NULL as ""). */
static void yitem_first(struct buf *b, int lvl, const char *key, const char *v)
{
    indent(b, lvl);
    buf_printf(b, "- %s: ", key);
    yscalar(b, v ? v : "");
    buf_putc(b, '\n');
}

/* An item of a receiver's *_configs list: every one opens with
 * send_resolved. */
static void yintegration_begin(struct buf *b, bool send_resolved)
{
    buf_printf(b, "  - send_resolved: %s\n", send_resolved ? "true" : "false");
}

static void yreceiver(struct buf *b, const struct receiver_cfg *r)
{
    yitem_first(b, 0, "name", r->name);
    if (r->n_webhook)
        buf_puts(b, "  webhook_configs:\n");
    for (size_t i = 0; i < r->n_webhook; i++) {
        const struct webhook_cfg *w = &r->webhook[i];
        yintegration_begin(b, w->send_resolved);
        yhttp(b, 2, &w->http);
        ysecret_url(b, 2, "url", w->url);
        ystr(b, 2, "url_file", w->url_file);
        indent(b, 2);
        buf_printf(b, "max_alerts: %llu\n", (unsigned long long)w->max_alerts);
        if (w->timeout_ms)
            ydur(b, 2, "timeout", w->timeout_ms);
    }
    if (r->n_slack)
        buf_puts(b, "  slack_configs:\n");
    for (size_t i = 0; i < r->n_slack; i++) {
        const struct slack_cfg *s = &r->slack[i];
        yintegration_begin(b, s->send_resolved);
        yhttp(b, 2, &s->http);
        ysecret(b, 2, "api_url", s->api_url);
        ystr(b, 2, "api_url_file", s->api_url_file);
        ystr(b, 2, "channel", s->channel);
        ystr(b, 2, "username", s->username);
        ystr(b, 2, "color", s->color);
        ystr(b, 2, "title", s->title);
        ystr(b, 2, "title_link", s->title_link);
        ystr(b, 2, "pretext", s->pretext);
        ystr(b, 2, "text", s->text);
        if (s->n_fields)
            ykey(b, 2, "fields");
        for (size_t j = 0; j < s->n_fields; j++) {
            yitem_first(b, 2, "title", s->fields[j].title);
            ystr(b, 3, "value", s->fields[j].value);
            ybool(b, 3, "short", s->fields[j].short_);
        }
        ybool(b, 2, "short_fields", s->short_fields);
        ystr(b, 2, "footer", s->footer);
        ystr(b, 2, "fallback", s->fallback);
        ystr(b, 2, "callback_id", s->callback_id);
        ystr(b, 2, "icon_emoji", s->icon_emoji);
        ystr(b, 2, "icon_url", s->icon_url);
        ystr(b, 2, "image_url", s->image_url);
        ystr(b, 2, "thumb_url", s->thumb_url);
        ybool(b, 2, "link_names", s->link_names);
        ylist(b, 2, "mrkdwn_in", &s->mrkdwn_in);
        if (s->n_actions)
            ykey(b, 2, "actions");
        for (size_t j = 0; j < s->n_actions; j++) {
            const struct slack_action *a = &s->actions[j];
            yitem_first(b, 2, "type", a->type);
            ystr(b, 3, "text", a->text);
            ystr(b, 3, "url", a->url);
            ystr(b, 3, "style", a->style);
            ystr(b, 3, "name", a->name);
            ystr(b, 3, "value", a->value);
            if (a->confirm) {
                ykey(b, 3, "confirm");
                ystr(b, 4, "text", a->confirm->text);
                ystr(b, 4, "title", a->confirm->title);
                ystr(b, 4, "ok_text", a->confirm->ok_text);
                ystr(b, 4, "dismiss_text", a->confirm->dismiss_text);
            }
        }
    }
    if (r->n_email)
        buf_puts(b, "  email_configs:\n");
    for (size_t i = 0; i < r->n_email; i++) {
        const struct email_cfg *e = &r->email[i];
        yintegration_begin(b, e->send_resolved);
        ystr(b, 2, "to", e->to);
        ystr(b, 2, "from", e->from);
        ystr(b, 2, "hello", e->hello);
        ystr(b, 2, "smarthost", e->smarthost);
        ystr(b, 2, "auth_username", e->auth_username);
        ysecret(b, 2, "auth_password", e->auth_password);
        ystr(b, 2, "auth_password_file", e->auth_password_file);
        ysecret(b, 2, "auth_secret", e->auth_secret);
        ystr(b, 2, "auth_identity", e->auth_identity);
        ykey(b, 2, "headers");
        ymap(b, 3, &e->headers);
        ystr(b, 2, "html", e->html);
        ystr(b, 2, "text", e->text);
        ybool(b, 2, "require_tls", e->require_tls);
        if (e->force_implicit_tls >= 0)
            ybool(b, 2, "force_implicit_tls", e->force_implicit_tls);
        ytls(b, 2, &e->tls);
    }
    const struct msteams_cfg *lists[2] = {r->msteams, r->msteamsv2};
    size_t counts[2] = {r->n_msteams, r->n_msteamsv2};
    const char *names[2] = {"msteams_configs", "msteamsv2_configs"};
    for (int k = 0; k < 2; k++) {
        if (counts[k])
            buf_printf(b, "  %s:\n", names[k]);
        for (size_t i = 0; i < counts[k]; i++) {
            const struct msteams_cfg *t = &lists[k][i];
            yintegration_begin(b, t->send_resolved);
            yhttp(b, 2, &t->http);
            ysecret(b, 2, "webhook_url", t->webhook_url);
            ystr(b, 2, "webhook_url_file", t->webhook_url_file);
            ystr(b, 2, "title", t->title);
            ystr(b, 2, "summary", t->summary);
            ystr(b, 2, "text", t->text);
        }
    }
}

static void yranges(struct buf *b, const char *key, const struct int_range *r, size_t n,
                    const char *const *names, int base)
{
    if (n == 0)
        return;
    ykey(b, 2, key);
    for (size_t i = 0; i < n; i++) {
        indent(b, 2);
        if (names)
            buf_printf(b, "- %s", names[r[i].begin - base]);
        else
            buf_printf(b, "- \"%d", r[i].begin);
        if (r[i].end != r[i].begin) {
            if (names)
                buf_printf(b, ":%s", names[r[i].end - base]);
            else
                buf_printf(b, ":%d", r[i].end);
        }
        buf_puts(b, names ? "\n" : "\"\n");
    }
}

static void ytime_interval(struct buf *b, const struct time_interval_cfg *t)
{
    static const char *const wd[] = {"sunday",   "monday", "tuesday", "wednesday",
                                     "thursday", "friday", "saturday"};
    static const char *const mo[] = {"january",   "february", "march",    "april",
                                     "may",       "june",     "july",     "august",
                                     "september", "october",  "november", "december"};
    yitem_first(b, 0, "name", t->name);
    buf_puts(b, "  time_intervals:\n");
    for (size_t i = 0; i < t->n_specs; i++) {
        const struct time_spec *s = &t->specs[i];
        if (!(s->n_times + s->n_weekdays + s->n_days_of_month + s->n_months + s->n_years) &&
            !s->location) {
            buf_puts(b, "  - {}\n");
            continue;
        }
        buf_puts(b, "  - ");
        bool first = true;
        if (s->n_times) {
            buf_puts(b, "times:\n");
            first = false;
            for (size_t j = 0; j < s->n_times; j++)
                buf_printf(b, "    - start_time: \"%02d:%02d\"\n      end_time: \"%02d:%02d\"\n",
                           s->times[j].begin / 60, s->times[j].begin % 60, s->times[j].end / 60,
                           s->times[j].end % 60);
        }
        struct buf rest = BUF_INIT;
        yranges(&rest, "weekdays", s->weekdays, s->n_weekdays, wd, 0);
        yranges(&rest, "days_of_month", s->days_of_month, s->n_days_of_month, NULL, 0);
        yranges(&rest, "months", s->months, s->n_months, mo, 1);
        yranges(&rest, "years", s->years, s->n_years, NULL, 0);
        ystr(&rest, 2, "location", s->location);
        /* When times is absent the first of these goes on the "- " line. */
        buf_puts(b, first ? buf_str(&rest) + 4 : buf_str(&rest));
        buf_deinit(&rest);
    }
}

void cdump(const struct config *cfg, struct buf *b)
{
    yglobal(b, &cfg->global);
    buf_puts(b, "route:\n");
    yroute(b, 1, &cfg->route);
    if (cfg->n_inhibit_rules)
        buf_puts(b, "inhibit_rules:\n");
    for (size_t i = 0; i < cfg->n_inhibit_rules; i++) {
        const struct inhibit_rule_cfg *ir = &cfg->inhibit_rules[i];
        struct buf sub = BUF_INIT;
        ymatchers(&sub, 1, "source_matchers", &ir->source);
        ymatchers(&sub, 1, "target_matchers", &ir->target);
        ylist(&sub, 1, "equal", &ir->equal);
        buf_puts(b, sub.len ? "- " : "- {}\n");
        buf_puts(b, sub.len ? buf_str(&sub) + 2 : "");
        buf_deinit(&sub);
    }
    buf_puts(b, "receivers:\n");
    for (size_t i = 0; i < cfg->n_receivers; i++)
        yreceiver(b, &cfg->receivers[i]);
    buf_puts(b, cfg->templates.n ? "templates:\n" : "templates: []\n");
    for (size_t i = 0; i < cfg->templates.n; i++)
        yitem(b, 0, cfg->templates.v[i]);
    bool any[2] = {false, false};
    for (size_t i = 0; i < cfg->n_time_intervals; i++)
        any[cfg->time_intervals[i].from_mute_key] = true;
    for (int k = 0; k < 2; k++) {
        if (!any[k])
            continue;
        buf_puts(b, k ? "mute_time_intervals:\n" : "time_intervals:\n");
        for (size_t i = 0; i < cfg->n_time_intervals; i++)
            if (cfg->time_intervals[i].from_mute_key == (k == 1))
                ytime_interval(b, &cfg->time_intervals[i]);
    }
}

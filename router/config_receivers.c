/* config_receivers.c -- `receivers:` and the integrations alertrouter
 * delivers to (webhook, Slack, email, Teams MessageCard and Workflows).
 *
 * Defaults are Alertmanager's, which differ per kind (send_resolved is true
 * for webhook and Teams, false for Slack and email).  An integration without
 * its own http_config gets a copy of global.http_config as a whole (no field
 * merge); email settings left out come from the global smtp_* keys.
 * Integrations alertrouter does not deliver to are refused by name rather
 * than silently dropped: a config that pages through PagerDuty must not
 * load into a router that would never page.  http_config is in
 * config_http.c. */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "mem.h"

/* An integration's own http_config, or a copy of the global one. */
static void integration_http(struct cctx *c, const struct ynode *n, struct http_cfg *h)
{
    if (chas(n, "http_config"))
        cparse_http(c, ynode_get(n, "http_config"), h);
    else
        http_cfg_copy(h, &c->cfg->global.http);
}

/* Exactly one of `a` and `a_file`, with Alertmanager's two messages. */
static void one_of(struct cctx *c, const struct ynode *n, const char *a, const char *af,
                   bool required)
{
    bool ha = chas(n, a), hf = chas(n, af);
    if (ha && hf)
        cerrf(c, ynode_get(n, af), "at most one of %s & %s must be configured", a, af);
    else if (required && !ha && !hf)
        cerrf(c, n, "one of %s or %s must be configured", a, af);
}

/* ---- integrations ---------------------------------------------------------- */

/* Keys read after the table pass (they need other keys first). */
static void noop(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
}

/* clang-format off */
#define WH(name, kind) {#name, kind, offsetof(struct webhook_cfg, name), NULL}
/* clang-format on */
static const struct ckey webhook_keys[] = {
    WH(send_resolved, CK_BOOL),
    {"http_config", CK_CUSTOM, 0, noop},
    WH(url, CK_URL),
    WH(url_file, CK_STR),
    WH(max_alerts, CK_UINT),
    {"timeout", CK_DUR, offsetof(struct webhook_cfg, timeout_ms), NULL},
    {NULL, 0, 0, NULL},
};
#undef WH

static void parse_webhook(struct cctx *c, const struct ynode *n, void *obj)
{
    struct webhook_cfg *w = obj;
    w->send_resolved = true;
    if (!cread_map(c, n, webhook_keys, w, "webhook config"))
        return;
    integration_http(c, n, &w->http);
    one_of(c, n, "url", "url_file", true);
}

static const char *const slack_default_tmpl[][2] = {
    {"color", "{{ if eq .Status \"firing\" }}danger{{ else }}good{{ end }}"},
    {"username", "{{ template \"slack.default.username\" . }}"},
    {"title", "{{ template \"slack.default.title\" . }}"},
    {"title_link", "{{ template \"slack.default.titlelink\" . }}"},
    {"icon_emoji", "{{ template \"slack.default.iconemoji\" . }}"},
    {"icon_url", "{{ template \"slack.default.iconurl\" . }}"},
    {"pretext", "{{ template \"slack.default.pretext\" . }}"},
    {"text", "{{ template \"slack.default.text\" . }}"},
    {"fallback", "{{ template \"slack.default.fallback\" . }}"},
    {"callback_id", "{{ template \"slack.default.callbackid\" . }}"},
    {"footer", "{{ template \"slack.default.footer\" . }}"},
};

/* clang-format off */
#define SF(name, kind) {#name, kind, offsetof(struct slack_field, name), NULL}
/* clang-format on */
static const struct ckey slack_field_keys[] = {
    SF(title, CK_STR), SF(value, CK_STR), {"short", CK_CUSTOM, 0, noop}, {NULL, 0, 0, NULL}};
#undef SF
/* clang-format off */
#define SC(name) {#name, CK_STR, offsetof(struct slack_confirm, name), NULL}
/* clang-format on */
static const struct ckey slack_confirm_keys[] = {
    SC(text), SC(title), SC(ok_text), SC(dismiss_text), {NULL, 0, 0, NULL}};
#undef SC

static void sa_confirm(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct slack_action *a = obj;
    a->confirm = xcalloc(1, sizeof *a->confirm);
    if (cread_map(c, v, slack_confirm_keys, a->confirm, "slack confirmation") &&
        (!a->confirm->text || !*a->confirm->text))
        cerrf(c, v, "missing text in Slack confirmation configuration");
}

/* clang-format off */
#define SA(name) {#name, CK_STR, offsetof(struct slack_action, name), NULL}
/* clang-format on */
static const struct ckey slack_action_keys[] = {SA(type),
                                                SA(text),
                                                SA(url),
                                                SA(style),
                                                SA(name),
                                                SA(value),
                                                {"confirm", CK_CUSTOM, 0, sa_confirm},
                                                {NULL, 0, 0, NULL}};
#undef SA

static void s_fields(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct slack_cfg *s = obj;
    if (v->kind != YNODE_SEQ) {
        cerrf(c, v, "cannot unmarshal %s into []*config.SlackField", ynode_tag(v));
        return;
    }
    s->fields = xcalloc(v->n ? v->n : 1, sizeof *s->fields);
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *f = v->kids[i];
        struct slack_field *sf = &s->fields[s->n_fields++];
        if (!cread_map(c, f, slack_field_keys, sf, "slack field"))
            continue;
        if (!sf->title || !*sf->title)
            cerrf(c, f, "missing title in Slack field configuration");
        if (!sf->value || !*sf->value)
            cerrf(c, f, "missing value in Slack field configuration");
    }
}

static void s_actions(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct slack_cfg *s = obj;
    if (v->kind != YNODE_SEQ) {
        cerrf(c, v, "cannot unmarshal %s into []*config.SlackAction", ynode_tag(v));
        return;
    }
    s->actions = xcalloc(v->n ? v->n : 1, sizeof *s->actions);
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *an = v->kids[i];
        struct slack_action *a = &s->actions[s->n_actions++];
        if (!cread_map(c, an, slack_action_keys, a, "slack action"))
            continue;
        if (!a->type || !*a->type)
            cerrf(c, an, "missing type in Slack action configuration");
        if (!a->text || !*a->text)
            cerrf(c, an, "missing text in Slack action configuration");
        if (a->url && *a->url) {
            /* url wins over name/value, as in Alertmanager. */
            free(a->name);
            free(a->value);
            a->name = a->value = NULL;
        } else if (!a->name || !*a->name) {
            cerrf(c, an, "missing name or url in Slack action configuration");
        }
    }
}

/* clang-format off */
#define SL(name, kind) {#name, kind, offsetof(struct slack_cfg, name), NULL}
/* clang-format on */
static const struct ckey slack_keys[] = {
    SL(send_resolved, CK_BOOL),
    {"http_config", CK_CUSTOM, 0, noop},
    SL(api_url, CK_URL),
    SL(api_url_file, CK_STR),
    SL(channel, CK_STR),
    SL(username, CK_STR),
    SL(color, CK_STR),
    SL(title, CK_STR),
    SL(title_link, CK_STR),
    SL(pretext, CK_STR),
    SL(text, CK_STR),
    {"fields", CK_CUSTOM, 0, s_fields},
    SL(short_fields, CK_BOOL),
    SL(footer, CK_STR),
    SL(fallback, CK_STR),
    SL(callback_id, CK_STR),
    SL(icon_emoji, CK_STR),
    SL(icon_url, CK_STR),
    SL(image_url, CK_STR),
    SL(thumb_url, CK_STR),
    SL(link_names, CK_BOOL),
    SL(mrkdwn_in, CK_STRLIST),
    {"actions", CK_CUSTOM, 0, s_actions},
    {NULL, 0, 0, NULL},
};

static void parse_slack(struct cctx *c, const struct ynode *n, void *obj)
{
    struct slack_cfg *s = obj;
    if (!cread_map(c, n, slack_keys, s, "slack config"))
        return;
    for (size_t i = 0; i < sizeof slack_default_tmpl / sizeof slack_default_tmpl[0]; i++) {
        for (const struct ckey *k = slack_keys; k->name; k++) {
            char **f = (char **)((char *)s + k->off);
            if (strcmp(k->name, slack_default_tmpl[i][0]) == 0 && *f == NULL)
                *f = xstrdup(slack_default_tmpl[i][1]);
        }
    }
    if (!chas(n, "mrkdwn_in")) {
        strlist_push(&s->mrkdwn_in, "fallback");
        strlist_push(&s->mrkdwn_in, "pretext");
        strlist_push(&s->mrkdwn_in, "text");
    }
    /* A field's `short` defaults to the config's short_fields. */
    const struct ynode *fl = ynode_get(n, "fields");
    for (size_t i = 0; fl && fl->kind == YNODE_SEQ && i < s->n_fields; i++) {
        const struct ynode *sh = ynode_get(fl->kids[i], "short");
        bool b = s->short_fields;
        if (sh && !ynode_is_null(sh) && ynode_bool(sh, &b) < 0)
            cerrf(c, sh, "cannot unmarshal %s `%s` into bool", ynode_tag(sh),
                  sh->kind == YNODE_SCALAR ? sh->str : "");
        s->fields[i].short_ = b;
    }
    integration_http(c, n, &s->http);
    one_of(c, n, "api_url", "api_url_file", false);
    const struct global_cfg *g = &c->cfg->global;
    if (!s->api_url && !s->api_url_file) {
        if (g->slack_api_url)
            s->api_url = xstrdup(g->slack_api_url);
        else if (g->slack_api_url_file)
            s->api_url_file = xstrdup(g->slack_api_url_file);
        else
            cerrf(c, n, "no global Slack API URL set either inline or in a file");
    }
}
#undef SL

/* textproto.CanonicalMIMEHeaderKey: "content-type" -> "Content-Type";
 * keys with characters outside the token set are left as they are. */
static char *canonical_header(const char *k)
{
    char *s = xstrdup(k);
    for (char *p = s; *p; p++)
        if (*p == ' ' || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == ':')
            return s;
    bool upper = true;
    for (char *p = s; *p; p++) {
        if (upper && *p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        else if (!upper && *p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        upper = *p == '-';
    }
    return s;
}

static void e_headers(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct email_cfg *e = obj;
    if (v->kind != YNODE_MAP) {
        cerrf(c, v, "cannot unmarshal %s into map[string]string", ynode_tag(v));
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *hk = v->kids[2 * i], *hv = v->kids[2 * i + 1];
        char *val = NULL;
        if (hk->kind != YNODE_SCALAR || (!ynode_is_null(hv) && cread_str(c, hv, &val) < 0)) {
            if (hk->kind != YNODE_SCALAR)
                cerrf(c, hk, "cannot unmarshal %s into string", ynode_tag(hk));
            continue;
        }
        char *ck = canonical_header(hk->str);
        bool dup = false;
        for (size_t j = 0; j < e->headers.n; j++)
            dup = dup || strcmp(e->headers.v[j].key, ck) == 0;
        if (dup)
            cerrf(c, hk, "duplicate header \"%s\" in email config", ck);
        else if (val && strpbrk(val, "\r\n"))
            cerrf(c, hv, "email header \"%s\" must not contain a line break", ck);
        else
            kvlist_push(&e->headers, ck, val ? val : "");
        free(ck);
        free(val);
    }
}

/* clang-format off */
#define EM(name, kind) {#name, kind, offsetof(struct email_cfg, name), NULL}
/* clang-format on */
static const struct ckey email_keys[] = {
    EM(send_resolved, CK_BOOL),
    EM(to, CK_STR),
    EM(from, CK_STR),
    EM(hello, CK_STR),
    EM(smarthost, CK_STR),
    EM(auth_username, CK_STR),
    EM(auth_password, CK_STR),
    EM(auth_password_file, CK_STR),
    EM(auth_secret, CK_STR),
    EM(auth_identity, CK_STR),
    {"headers", CK_CUSTOM, 0, e_headers},
    EM(html, CK_STR),
    EM(text, CK_STR),
    {"require_tls", CK_CUSTOM, 0, noop},
    {"force_implicit_tls", CK_CUSTOM, 0, noop},
    {"tls_config", CK_CUSTOM, 0, noop},
    {NULL, 0, 0, NULL},
};
#undef EM

static void inherit_str(char **field, const char *global)
{
    if (*field == NULL && global)
        *field = xstrdup(global);
}

static void parse_email(struct cctx *c, const struct ynode *n, void *obj)
{
    struct email_cfg *e = obj;
    const struct global_cfg *g = &c->cfg->global;
    if (!cread_map(c, n, email_keys, e, "email config"))
        return;
    if (!e->to || !*e->to)
        cerrf(c, n, "missing to address in email config");
    else if (strpbrk(e->to, "\r\n"))
        cerrf(c, ynode_get(n, "to"), "email to address must not contain a line break");
    if (e->from && strpbrk(e->from, "\r\n"))
        cerrf(c, ynode_get(n, "from"), "email from address must not contain a line break");
    if (chas(n, "auth_password") && chas(n, "auth_password_file"))
        cerrf(c, ynode_get(n, "auth_password_file"),
              "at most one of auth_password & auth_password_file must be configured");
    struct errbuf eb;
    if (e->smarthost && chostport_check(e->smarthost, &eb) < 0)
        cerrf(c, ynode_get(n, "smarthost"), "%s", eb.msg);
    e->require_tls = g->smtp_require_tls;
    const struct ynode *rt = ynode_get(n, "require_tls");
    if (rt && !ynode_is_null(rt) && ynode_bool(rt, &e->require_tls) < 0)
        cerrf(c, rt, "cannot unmarshal %s `%s` into bool", ynode_tag(rt),
              rt->kind == YNODE_SCALAR ? rt->str : "");
    e->force_implicit_tls = -1;
    const struct ynode *fi = ynode_get(n, "force_implicit_tls");
    bool fib;
    if (fi && !ynode_is_null(fi)) {
        if (ynode_bool(fi, &fib) < 0)
            cerrf(c, fi, "cannot unmarshal %s `%s` into bool", ynode_tag(fi),
                  fi->kind == YNODE_SCALAR ? fi->str : "");
        else
            e->force_implicit_tls = fib;
    }
    if (chas(n, "tls_config"))
        cparse_tls(c, ynode_get(n, "tls_config"), &e->tls);
    if (!e->html)
        e->html = xstrdup("{{ template \"email.default.html\" . }}");
    bool has_subject = false;
    for (size_t i = 0; i < e->headers.n; i++)
        has_subject = has_subject || strcmp(e->headers.v[i].key, "Subject") == 0;
    if (!has_subject)
        kvlist_push(&e->headers, "Subject", "{{ template \"email.default.subject\" . }}");
    if (!e->smarthost) {
        if (!g->smtp_smarthost || !*g->smtp_smarthost)
            cerrf(c, n, "no global SMTP smarthost set");
        inherit_str(&e->smarthost, g->smtp_smarthost);
    }
    if (!e->from) {
        if (!g->smtp_from || !*g->smtp_from)
            cerrf(c, n, "no global SMTP from set");
        inherit_str(&e->from, g->smtp_from);
    }
    inherit_str(&e->hello, g->smtp_hello);
    if (!e->auth_username && !e->auth_password && !e->auth_password_file && !e->auth_secret &&
        !e->auth_identity) {
        inherit_str(&e->auth_username, g->smtp_auth_username);
        inherit_str(&e->auth_password, g->smtp_auth_password);
        inherit_str(&e->auth_password_file, g->smtp_auth_password_file);
        inherit_str(&e->auth_secret, g->smtp_auth_secret);
        inherit_str(&e->auth_identity, g->smtp_auth_identity);
    }
}

static void parse_msteams_common(struct cctx *c, const struct ynode *n, struct msteams_cfg *t,
                                 const struct ckey *keys, const char *what, const char *prefix)
{
    t->send_resolved = true;
    if (!cread_map(c, n, keys, t, what))
        return;
    integration_http(c, n, &t->http);
    one_of(c, n, "webhook_url", "webhook_url_file", true);
    struct buf b = BUF_INIT;
    if (!t->title) {
        buf_printf(&b, "{{ template \"%s.default.title\" . }}", prefix);
        t->title = buf_steal(&b);
    }
    if (!t->text) {
        buf_printf(&b, "{{ template \"%s.default.text\" . }}", prefix);
        t->text = buf_steal(&b);
    }
    if (!t->summary && strcmp(prefix, "msteams") == 0) {
        buf_printf(&b, "{{ template \"%s.default.summary\" . }}", prefix);
        t->summary = buf_steal(&b);
    }
}

/* clang-format off */
#define MT(name, kind) {#name, kind, offsetof(struct msteams_cfg, name), NULL}
/* clang-format on */
static const struct ckey msteams_keys[] = {
    MT(send_resolved, CK_BOOL), {"http_config", CK_CUSTOM, 0, noop},
    MT(webhook_url, CK_URL),    MT(webhook_url_file, CK_STR),
    MT(title, CK_STR),          MT(summary, CK_STR),
    MT(text, CK_STR),           {NULL, 0, 0, NULL},
};
static const struct ckey msteamsv2_keys[] = {
    MT(send_resolved, CK_BOOL), {"http_config", CK_CUSTOM, 0, noop},
    MT(webhook_url, CK_URL),    MT(webhook_url_file, CK_STR),
    MT(title, CK_STR),          MT(text, CK_STR),
    {NULL, 0, 0, NULL},
};
#undef MT

static void parse_msteams(struct cctx *c, const struct ynode *n, void *obj)
{
    parse_msteams_common(c, n, obj, msteams_keys, "msteams config", "msteams");
}

static void parse_msteamsv2(struct cctx *c, const struct ynode *n, void *obj)
{
    parse_msteams_common(c, n, obj, msteamsv2_keys, "msteamsv2 config", "msteamsv2");
}

/* ---- receivers ------------------------------------------------------------- */

struct kind {
    const char *key;
    size_t elem, off_n, off_v, off_loc;
    void (*parse)(struct cctx *, const struct ynode *, void *);
};

/* clang-format off */
#define KIND(key, type, field, fn)                                         \
    {key, sizeof(struct type), offsetof(struct receiver_cfg, n_##field), \
     offsetof(struct receiver_cfg, field), offsetof(struct type, loc), fn}
/* clang-format on */
static const struct kind kinds[] = {
    KIND("webhook_configs", webhook_cfg, webhook, parse_webhook),
    KIND("slack_configs", slack_cfg, slack, parse_slack),
    KIND("email_configs", email_cfg, email, parse_email),
    KIND("msteams_configs", msteams_cfg, msteams, parse_msteams),
    KIND("msteamsv2_configs", msteams_cfg, msteamsv2, parse_msteamsv2),
};
#undef KIND

/* Known to Alertmanager, refused here by name. */
static const char *const unsupported[] = {"pagerduty_configs",  "opsgenie_configs",
                                          "pushover_configs",   "victorops_configs",
                                          "sns_configs",        "wechat_configs",
                                          "telegram_configs",   "webex_configs",
                                          "discord_configs",    "jira_configs",
                                          "rocketchat_configs", "incidentio_configs",
                                          "mattermost_configs", NULL};

static void parse_receiver(struct cctx *c, const struct ynode *n, struct receiver_cfg *r)
{
    r->loc = (struct cfg_loc){n->line, n->col};
    if (n->kind != YNODE_MAP) {
        cerrf(c, n, "cannot unmarshal %s into receiver", ynode_tag(n));
        return;
    }
    const struct ynode *nm = ynode_get(n, "name");
    if (nm && !ynode_is_null(nm))
        cread_str(c, nm, &r->name);
    if (!r->name || !*r->name)
        cerrf(c, n, "missing name in receiver");
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *k = n->kids[2 * i], *v = n->kids[2 * i + 1];
        if (k->kind != YNODE_SCALAR) {
            cerrf(c, k, "cannot unmarshal %s into string", ynode_tag(k));
            continue;
        }
        if (strcmp(k->str, "name") == 0)
            continue;
        const struct kind *kd = NULL;
        for (size_t j = 0; j < sizeof kinds / sizeof kinds[0]; j++)
            if (strcmp(kinds[j].key, k->str) == 0)
                kd = &kinds[j];
        if (kd == NULL) {
            bool unsup = false;
            for (const char *const *u = unsupported; *u; u++)
                unsup = unsup || strcmp(*u, k->str) == 0;
            if (unsup && !(ynode_is_null(v) || (v->kind == YNODE_SEQ && v->n == 0)))
                cerrf(c, k, "receiver \"%s\": %s are not supported by alertrouter",
                      r->name ? r->name : "", k->str);
            else if (!unsup)
                cerrf(c, k, "unknown field \"%s\" in receiver", k->str);
            continue;
        }
        if (ynode_is_null(v))
            continue;
        if (v->kind != YNODE_SEQ) {
            cerrf(c, v, "cannot unmarshal %s into %s list", ynode_tag(v), kd->key);
            continue;
        }
        size_t *np = (size_t *)((char *)r + kd->off_n);
        char **vp = (char **)((char *)r + kd->off_v);
        *vp = xcalloc(v->n ? v->n : 1, kd->elem);
        for (size_t j = 0; j < v->n; j++) {
            char *obj = *vp + j * kd->elem;
            *(struct cfg_loc *)(obj + kd->off_loc) =
                (struct cfg_loc){v->kids[j]->line, v->kids[j]->col};
            (*np)++;
            if (ynode_is_null(v->kids[j]))
                cerrf(c, v->kids[j], "empty %s entry", kd->key);
            else
                kd->parse(c, v->kids[j], obj);
        }
    }
}

void cparse_receivers(struct cctx *c, const struct ynode *n)
{
    struct config *cfg = c->cfg;
    if (n->kind != YNODE_SEQ) {
        cerrf(c, n, "cannot unmarshal %s into []*config.Receiver", ynode_tag(n));
        return;
    }
    cfg->receivers = xcalloc(n->n ? n->n : 1, sizeof *cfg->receivers);
    for (size_t i = 0; i < n->n; i++) {
        struct receiver_cfg *r = &cfg->receivers[cfg->n_receivers++];
        parse_receiver(c, n->kids[i], r);
        for (size_t j = 0; r->name && *r->name && j + 1 < cfg->n_receivers; j++)
            if (cfg->receivers[j].name && strcmp(cfg->receivers[j].name, r->name) == 0) {
                cerrf(c, ynode_get(n->kids[i], "name"),
                      "notification config name \"%s\" is not unique", r->name);
                break;
            }
    }
}

static void slack_deinit(struct slack_cfg *s)
{
    char **strs[] = {&s->api_url,    &s->api_url_file, &s->channel,    &s->username,
                     &s->color,      &s->title,        &s->title_link, &s->pretext,
                     &s->text,       &s->footer,       &s->fallback,   &s->callback_id,
                     &s->icon_emoji, &s->icon_url,     &s->image_url,  &s->thumb_url};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(*strs[i]);
    strlist_deinit(&s->mrkdwn_in);
    for (size_t i = 0; i < s->n_fields; i++) {
        free(s->fields[i].title);
        free(s->fields[i].value);
    }
    free(s->fields);
    for (size_t i = 0; i < s->n_actions; i++) {
        struct slack_action *a = &s->actions[i];
        free(a->type), free(a->text), free(a->url), free(a->style), free(a->name), free(a->value);
        if (a->confirm) {
            free(a->confirm->text), free(a->confirm->title), free(a->confirm->ok_text);
            free(a->confirm->dismiss_text), free(a->confirm);
        }
    }
    free(s->actions);
    http_cfg_deinit(&s->http);
}

static void email_deinit(struct email_cfg *e)
{
    char **strs[] = {&e->to,
                     &e->from,
                     &e->hello,
                     &e->smarthost,
                     &e->auth_username,
                     &e->auth_password,
                     &e->auth_password_file,
                     &e->auth_secret,
                     &e->auth_identity,
                     &e->html,
                     &e->text};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(*strs[i]);
    kvlist_deinit(&e->headers);
    tls_cfg_deinit(&e->tls);
}

static void msteams_deinit(struct msteams_cfg *t)
{
    free(t->webhook_url), free(t->webhook_url_file), free(t->title), free(t->summary);
    free(t->text);
    http_cfg_deinit(&t->http);
}

void receiver_cfg_deinit(struct receiver_cfg *r)
{
    for (size_t i = 0; i < r->n_webhook; i++) {
        free(r->webhook[i].url), free(r->webhook[i].url_file);
        http_cfg_deinit(&r->webhook[i].http);
    }
    for (size_t i = 0; i < r->n_slack; i++)
        slack_deinit(&r->slack[i]);
    for (size_t i = 0; i < r->n_email; i++)
        email_deinit(&r->email[i]);
    for (size_t i = 0; i < r->n_msteams; i++)
        msteams_deinit(&r->msteams[i]);
    for (size_t i = 0; i < r->n_msteamsv2; i++)
        msteams_deinit(&r->msteamsv2[i]);
    free(r->webhook), free(r->slack), free(r->email), free(r->msteams), free(r->msteamsv2);
    free(r->name);
}

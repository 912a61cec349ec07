/* notify_teams.c -- Microsoft Teams: msteamsv2_configs (Workflows webhook,
 * Adaptive Card) and msteams_configs (legacy Office 365 connector,
 * MessageCard).
 *
 * msteamsv2.  Alertmanager 0.28 sends the Workflows envelope
 * {"type":"message","attachments":[{"contentType":
 * "application/vnd.microsoft.card.adaptive","contentUrl":null,"content":
 * {card}}]} with a version 1.2 card of two TextBlocks: the title (bold, in
 * Attention/Good/Warning) and the whole alert list rendered as one
 * Markdown string, with no size check.  We keep the envelope and the two
 * configurable texts, and build a better card (version 1.4, the highest
 * Workflows render reliably, receivers.md 2.2; "msteams":{"width":"Full"}):
 *   - the title TextBlock in the status colour (Alertmanager's `style:
 *     heading` is a 1.5 property and is left out so the card is valid 1.4);
 *   - the `text` TextBlock only when it renders differently from the
 *     built-in msteamsv2.default.text (a user's own text or template), since
 *     the default text is the alert list the card already shows;
 *   - per alert a Container: "FIRING: <alertname>" in its colour, a FactSet
 *     of its other labels and its annotations, and an Action.OpenUrl to its
 *     generatorURL (http/https only, percent-encoded to a valid URI);
 *   - an Action.OpenUrl to the alert list (<external URL>/#/alerts?...);
 *   - under TEAMS_CARD_MAX_BYTES (Workflows refuse 28 KB): alerts that do
 *     not fit are dropped from the end, and a TextBlock says "… and N more
 *     alerts"; every text is capped so that the rest always fits.
 * The JSON is written with gojson (a real encoder: no value can break the
 * card's structure).  Any 2xx (Workflows answer 202) is success.
 *
 * msteams (legacy).  Alertmanager 0.26's body: @context, type,
 * title, summary, text, themeColor (8C1A1A / 2DC72D / 808080), plus the
 * "@type":"MessageCard" of the MessageCard format.  The retired connectors
 * reported throttling inside a 200 body ("HTTP error 429"): that is a
 * retryable failure here, where Alertmanager counted it as delivered.
 *
 * The webhook URL carries its secret in `sig=`: it is never logged; http
 * client messages carry scheme://host:port only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "mem.h"
#include "notify_internal.h"
#include "notify_tmpl.h"

#define TITLE_MAX_JSON 2048   /* bytes of the title TextBlock's text */
#define TEXT_MAX_JSON 8192    /* bytes of the text TextBlock's text */
#define FACT_VALUE_MAX 1024   /* bytes of one fact value */
#define FACT_TITLE_MAX 256    /* bytes of one fact title */
#define FACTS_MAX 40          /* facts per alert; the rest are counted */
#define LEGACY_TEXT_MAX 20000 /* bytes of a MessageCard's text */

/* ---- JSON helpers ------------------------------------------------------------- */

/* Appends s as a JSON string of at most max bytes (quotes included): the
 * encoded text is cut between escape sequences and UTF-8 sequences, and
 * ends in "…" when cut. */
static void put_capped(struct buf *out, const char *s, size_t max)
{
    struct buf t = BUF_INIT;
    gojson_str(&t, s);
    if (t.len <= max || max < 8) {
        buf_append(out, t.p, t.len);
        buf_deinit(&t);
        return;
    }
    size_t limit = max - 4; /* room for "…" (3 bytes) and the closing quote */
    size_t i = 1;
    while (i < t.len - 1) {
        unsigned char c = (unsigned char)t.p[i];
        size_t tok = 1;
        if (c == '\\')
            tok = t.p[i + 1] == 'u' ? 6 : 2;
        else if (c >= 0xf0)
            tok = 4;
        else if (c >= 0xe0)
            tok = 3;
        else if (c >= 0xc0)
            tok = 2;
        if (i + tok > limit)
            break;
        i += tok;
    }
    buf_append(out, t.p, i);
    buf_puts(out, "\xe2\x80\xa6\"");
    buf_deinit(&t);
}

static void put_key(struct buf *out, const char *key)
{
    gojson_str(out, key);
    buf_putc(out, ':');
}

/* Appends a JSON string of url made a valid URI reference: only http and
 * https (a javascript: link must not become a button), bytes outside
 * RFC 3986's character set percent-encoded.  Returns false (nothing
 * appended) for other schemes. */
static bool put_url(struct buf *out, const char *url)
{
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return false;
    struct buf u = BUF_INIT;
    static const char ok[] = "-._~:/?#[]@!$&'()*+,;=%";
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr(ok, *p))
            buf_putc(&u, (char)*p);
        else
            buf_printf(&u, "%%%02X", *p);
    }
    gojson_str(out, buf_str(&u));
    buf_deinit(&u);
    return true;
}

static const char *status_color(const struct tmpl_data *d, size_t n)
{
    if (n == 0)
        return "Warning";
    return strcmp(d->status, "firing") == 0 ? "Attention" : "Good";
}

/* ---- msteamsv2: the Adaptive Card -------------------------------------------- */

static void put_fact(struct buf *out, bool *first, const char *title, const char *value)
{
    buf_puts(out, *first ? "{" : ",{");
    *first = false;
    put_key(out, "title");
    put_capped(out, title, FACT_TITLE_MAX);
    buf_putc(out, ',');
    put_key(out, "value");
    put_capped(out, value, FACT_VALUE_MAX);
    buf_putc(out, '}');
}

/* One alert as a Container. */
static void put_alert(struct buf *out, const struct tmpl_alert *a)
{
    bool firing = strcmp(a->status, "firing") == 0;
    const char *name = labels_get(&a->labels, "alertname");
    struct buf head = BUF_INIT;
    buf_printf(&head, "%s: %s", firing ? "FIRING" : "RESOLVED", name ? name : "(no alertname)");
    buf_puts(out, "{\"type\":\"Container\",\"separator\":true,\"items\":["
                  "{\"type\":\"TextBlock\",\"text\":");
    put_capped(out, buf_str(&head), FACT_VALUE_MAX);
    buf_deinit(&head);
    buf_printf(out, ",\"weight\":\"Bolder\",\"wrap\":true,\"color\":\"%s\"}",
               firing ? "Attention" : "Good");
    size_t nfacts = 0, more = 0;
    bool first = true;
    struct buf facts = BUF_INIT;
    for (int pass = 0; pass < 2; pass++) {
        const struct labels *ls = pass == 0 ? &a->labels : &a->annotations;
        for (size_t i = 0; i < ls->n; i++) {
            if (pass == 0 && strcmp(ls->v[i].name, "alertname") == 0)
                continue;
            if (nfacts == FACTS_MAX) {
                more++;
                continue;
            }
            put_fact(&facts, &first, ls->v[i].name, ls->v[i].value);
            nfacts++;
        }
    }
    if (more) {
        char m[48];
        snprintf(m, sizeof m, "%zu more", more);
        put_fact(&facts, &first, "\xe2\x80\xa6", m);
    }
    if (nfacts) {
        buf_puts(out, ",{\"type\":\"FactSet\",\"facts\":[");
        buf_append(out, facts.p, facts.len);
        buf_puts(out, "]}");
    }
    buf_deinit(&facts);
    struct buf url = BUF_INIT;
    if (put_url(&url, a->generator_url)) {
        buf_puts(out, ",{\"type\":\"ActionSet\",\"actions\":[{\"type\":\"Action.OpenUrl\","
                      "\"title\":\"Source\",\"url\":");
        buf_append(out, url.p, url.len);
        buf_puts(out, "}]}");
    }
    buf_deinit(&url);
    buf_puts(out, "]}");
}

int notify_msteamsv2_payload(const struct msteams_cfg *cfg, const struct tmpl_set *tmpl,
                             const struct notify_req *req, struct alert *const *alerts, size_t n,
                             size_t max_bytes, struct buf *out, size_t *dropped)
{
    struct notify_tmpl_data td;
    notify_tmpl_data_init(&td, req, alerts, n);
    const struct tmpl_data *d = &td.d;
    int errors = 0;
    struct buf title = BUF_INIT, text = BUF_INIT, deftext = BUF_INIT, link = BUF_INIT;
    errors -= notify_tmpl_field(tmpl, req->receiver, "title", cfg->title, d, &title);
    errors -= notify_tmpl_field(tmpl, req->receiver, "text", cfg->text, d, &text);
    struct errbuf err;
    if (tmpl_exec_named(notify_templates_default(), "msteamsv2.default.text", d, false, &deftext,
                        &err) < 0)
        buf_reset(&deftext);
    bool show_text = strcmp(buf_str(&text), buf_str(&deftext)) != 0;

    /* head: everything before the alerts; tail: after them. */
    struct buf head = BUF_INIT, tail = BUF_INIT;
    buf_puts(&head,
             "{\"type\":\"message\",\"attachments\":[{\"contentType\":"
             "\"application/vnd.microsoft.card.adaptive\",\"contentUrl\":null,"
             "\"content\":{\"$schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\","
             "\"type\":\"AdaptiveCard\",\"version\":\"1.4\",\"body\":["
             "{\"type\":\"TextBlock\",\"text\":");
    put_capped(&head, buf_str(&title), TITLE_MAX_JSON);
    buf_printf(&head, ",\"weight\":\"Bolder\",\"size\":\"Medium\",\"wrap\":true,\"color\":\"%s\"}",
               status_color(d, n));
    if (show_text) {
        buf_puts(&head, ",{\"type\":\"TextBlock\",\"text\":");
        put_capped(&head, buf_str(&text), TEXT_MAX_JSON);
        buf_puts(&head, ",\"wrap\":true}");
    }
    buf_puts(&tail, "]");
    if (d->external_url[0]) {
        struct buf u = BUF_INIT;
        if (tmpl_exec_named(tmpl, "__alertmanagerURL", d, false, &link, &err) == 0 &&
            put_url(&u, buf_str(&link))) {
            buf_puts(&tail, ",\"actions\":[{\"type\":\"Action.OpenUrl\",\"title\":"
                            "\"Open in Alertmanager\",\"url\":");
            buf_append(&tail, u.p, u.len);
            buf_puts(&tail, "}]");
        }
        buf_deinit(&u);
    }
    buf_puts(&tail, ",\"msteams\":{\"width\":\"Full\"}}}]}\n");

    /* The note takes at most ~90 bytes; keep room for it. */
    size_t fixed = head.len + tail.len + 96;
    size_t budget = max_bytes > fixed ? max_bytes - fixed : 0;
    struct buf body = BUF_INIT, one = BUF_INIT;
    size_t shown = 0;
    for (; shown < n; shown++) {
        buf_reset(&one);
        put_alert(&one, &d->alerts[shown]);
        if (body.len + 1 + one.len > budget)
            break;
        buf_putc(&body, ',');
        buf_append(&body, one.p, one.len);
    }
    *dropped = n - shown;
    buf_append(out, head.p, head.len);
    buf_append(out, body.p, body.len);
    if (*dropped) {
        char note[96];
        snprintf(note, sizeof note, "\xe2\x80\xa6 and %zu more alert%s", *dropped,
                 *dropped == 1 ? "" : "s");
        buf_puts(out, ",{\"type\":\"TextBlock\",\"text\":");
        gojson_str(out, note);
        buf_puts(out, ",\"wrap\":true,\"isSubtle\":true,\"separator\":true}");
    }
    buf_append(out, tail.p, tail.len);
    buf_deinit(&one);
    buf_deinit(&body);
    buf_deinit(&head);
    buf_deinit(&tail);
    buf_deinit(&title);
    buf_deinit(&text);
    buf_deinit(&deftext);
    buf_deinit(&link);
    notify_tmpl_data_deinit(&td);
    return errors;
}

/* ---- msteams: the legacy MessageCard --------------------------------------------- */

int notify_msteams_payload(const struct msteams_cfg *cfg, const struct tmpl_set *tmpl,
                           const struct notify_req *req, struct alert *const *alerts, size_t n,
                           struct buf *out)
{
    struct notify_tmpl_data td;
    notify_tmpl_data_init(&td, req, alerts, n);
    struct buf title = BUF_INIT, summary = BUF_INIT, text = BUF_INIT;
    int errors = 0;
    errors -= notify_tmpl_field(tmpl, req->receiver, "title", cfg->title, &td.d, &title);
    errors -= notify_tmpl_field(tmpl, req->receiver, "summary", cfg->summary, &td.d, &summary);
    errors -= notify_tmpl_field(tmpl, req->receiver, "text", cfg->text, &td.d, &text);
    const char *color = n == 0                               ? "808080"
                        : strcmp(td.d.status, "firing") == 0 ? "8C1A1A"
                                                             : "2DC72D";
    buf_puts(out, "{\"@type\":\"MessageCard\",\"@context\":\"http://schema.org/extensions\","
                  "\"type\":\"MessageCard\",\"title\":");
    put_capped(out, buf_str(&title), TITLE_MAX_JSON);
    buf_puts(out, ",\"summary\":");
    put_capped(out, buf_str(&summary), TITLE_MAX_JSON);
    buf_puts(out, ",\"text\":");
    put_capped(out, buf_str(&text), LEGACY_TEXT_MAX);
    buf_printf(out, ",\"themeColor\":\"%s\"}\n", color);
    buf_deinit(&title);
    buf_deinit(&summary);
    buf_deinit(&text);
    notify_tmpl_data_deinit(&td);
    return errors;
}

/* ---- the notifiers ------------------------------------------------------------------ */

static int teams_attempt(struct notifier *n, struct notify_op *op, const struct notify_req *req,
                         struct alert *const *alerts, size_t n_alerts, struct notify_result *res)
{
    const struct msteams_cfg *cfg = n->priv;
    bool v2 = strcmp(n->ops->name, "msteamsv2") == 0;
    const struct tmpl_set *tmpl = n->env.tmpl ? n->env.tmpl : notify_templates_default();
    struct buf body = BUF_INIT;
    if (v2) {
        size_t dropped;
        notify_msteamsv2_payload(cfg, tmpl, req, alerts, n_alerts, TEAMS_CARD_MAX_BYTES, &body,
                                 &dropped);
    } else {
        notify_msteams_payload(cfg, tmpl, req, alerts, n_alerts, &body);
    }
    return notify_http_post_json(n, op, &cfg->http, cfg->webhook_url, cfg->webhook_url_file,
                                 "webhook_url_file", 0, &body, res);
}

/* The retired connectors answered 200 with "...HTTP error 429..." in the
 * body when throttling. */
static void legacy_check(struct notifier *n, struct notify_op *op, const struct http_result *hr,
                         struct notify_result *res)
{
    notify_result_from_http(hr, res);
    if (res->ok && hr->body && memmem(hr->body, hr->body_len, "HTTP error 429", 14)) {
        res->ok = false;
        res->retryable = true;
        notify_result_msg(res, "throttled by Teams: HTTP error 429 in a %d answer", res->status);
    }
}

static const struct notifier_ops msteams_ops = {
    .name = "msteams",
    .attempt = teams_attempt,
    .check = legacy_check,
};

static const struct notifier_ops msteamsv2_ops = {
    .name = "msteamsv2",
    .attempt = teams_attempt,
};

struct notifier *notifier_msteams_new(const struct msteams_cfg *cfg, const char *receiver,
                                      unsigned idx, const struct notify_env *env)
{
    return notifier_alloc(&msteams_ops, receiver, idx, cfg->send_resolved, env, (void *)cfg);
}

struct notifier *notifier_msteamsv2_new(const struct msteams_cfg *cfg, const char *receiver,
                                        unsigned idx, const struct notify_env *env)
{
    return notifier_alloc(&msteamsv2_ops, receiver, idx, cfg->send_resolved, env, (void *)cfg);
}

/* notify_slack.c -- Slack: incoming webhooks and chat.postMessage.
 *
 * The body is Alertmanager 0.25's (tests/data/slack/am025-*.json are its
 * captures): one attachment, keys in Go's struct order, empty optional
 * fields left out, Go's JSON escaping, a trailing newline.  The same body
 * goes to an incoming-webhook URL or, with a bot token in
 * http_config.authorization, to https://slack.com/api/chat.postMessage.
 *
 * Where we deliberately differ from Alertmanager:
 *   - Escaping.  Slack reads &, < and > as markup in message text, so a
 *     label value "<!channel>" would ping the channel and "<https://x|y>"
 *     would be a disguised link.  Alertmanager passes alert data through
 *     as is.  We render the text fields (title, text, pretext, fallback,
 *     footer, field titles and values, action texts) with template data
 *     whose label and annotation values and generator URLs are escaped
 *     (&amp; &lt; &gt;), so user templates keep working unchanged and only
 *     the data is neutralised; URL-like fields (title_link, icon_url,
 *     action urls...) and the channel see the raw data.  Text written in
 *     the config itself is not touched: `<!here>` in a template still pings.
 *   - Truncation: the title at 1024 runes as Alertmanager; text and
 *     pretext too (SLACK_TEXT_MAX_RUNES), never inside an &entity;.
 *   - Responses: a 200 with {"ok":false} is a failure (Alertmanager does
 *     the same, but never retries it); we retry "ratelimited" and Slack's
 *     transient errors, and retry 429 after its Retry-After (notify.c),
 *     where Alertmanager gives up until the next flush.
 *   - Pacing: at most one message per second per (URL, channel)
 *     (notify_pace.h), so a burst waits on a timer instead of drawing 429s;
 *     a 429's Retry-After holds back every send to that destination.
 * The URL and the token are never logged: messages name the receiver. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "log.h"
#include "mem.h"
#include "notify_internal.h"
#include "notify_pace.h"
#include "notify_tmpl.h"
#include "utf8.h"

#define SLACK_PACE_INTERVAL_S 1.0

/* ---- escaping and truncation ------------------------------------------------ */

void notify_slack_escape(struct buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '&')
            buf_puts(out, "&amp;");
        else if (*s == '<')
            buf_puts(out, "&lt;");
        else if (*s == '>')
            buf_puts(out, "&gt;");
        else
            buf_putc(out, *s);
    }
}

bool notify_slack_truncate(struct buf *b, size_t max_runes)
{
    size_t runes = 0, i = 0, cut = 0;
    const char *s = buf_str(b);
    while (i < b->len) {
        if (runes == max_runes - 1)
            cut = i;
        uint32_t r;
        i += utf8_decode(s + i, b->len - i, &r);
        runes++;
    }
    if (runes <= max_runes || max_runes == 0)
        return false;
    /* An entity is at most "&amp;": back off to its '&' if the cut is in one. */
    for (size_t k = cut; k > 0 && cut - k < 5; k--) {
        if (s[k - 1] == ';')
            break;
        if (s[k - 1] == '&') {
            cut = k - 1;
            break;
        }
    }
    b->len = cut;
    b->p[cut] = '\0';
    buf_puts(b, "\xe2\x80\xa6");
    return true;
}

/* ---- escaped template data ------------------------------------------------- */

/* A copy of the template data whose label/annotation values and generator
 * URLs are escaped.  Names are borrowed; escaped values are owned. */
struct esc_data {
    struct tmpl_data d;
    struct tmpl_alert *alerts;
    struct label **sets; /* label arrays made here */
    size_t n_sets, cap_sets;
    char **strs; /* strings made here */
    size_t n_strs, cap_strs;
};

static const char *esc_str(struct esc_data *e, const char *s)
{
    if (!s || !strpbrk(s, "&<>"))
        return s;
    struct buf b = BUF_INIT;
    notify_slack_escape(&b, s);
    if (e->n_strs == e->cap_strs)
        e->strs = xgrow(e->strs, &e->cap_strs, e->n_strs + 1, sizeof *e->strs);
    return e->strs[e->n_strs++] = buf_steal(&b);
}

static struct labels esc_set(struct esc_data *e, struct labels in)
{
    struct labels out = {in.n, xcalloc(in.n ? in.n : 1, sizeof *out.v)};
    if (e->n_sets == e->cap_sets)
        e->sets = xgrow(e->sets, &e->cap_sets, e->n_sets + 1, sizeof *e->sets);
    e->sets[e->n_sets++] = out.v;
    for (size_t i = 0; i < in.n; i++) {
        out.v[i].name = in.v[i].name;
        out.v[i].value = esc_str(e, in.v[i].value);
    }
    return out;
}

static void esc_data_init(struct esc_data *e, const struct tmpl_data *raw)
{
    memset(e, 0, sizeof *e);
    e->d = *raw;
    e->alerts = xcalloc(raw->nalerts ? raw->nalerts : 1, sizeof *e->alerts);
    for (size_t i = 0; i < raw->nalerts; i++) {
        e->alerts[i] = raw->alerts[i];
        e->alerts[i].labels = esc_set(e, raw->alerts[i].labels);
        e->alerts[i].annotations = esc_set(e, raw->alerts[i].annotations);
        e->alerts[i].generator_url = esc_str(e, raw->alerts[i].generator_url);
    }
    e->d.alerts = e->alerts;
    e->d.group_labels = esc_set(e, raw->group_labels);
    e->d.common_labels = esc_set(e, raw->common_labels);
    e->d.common_annotations = esc_set(e, raw->common_annotations);
}

static void esc_data_deinit(struct esc_data *e)
{
    for (size_t i = 0; i < e->n_sets; i++)
        free(e->sets[i]);
    for (size_t i = 0; i < e->n_strs; i++)
        free(e->strs[i]);
    free(e->sets);
    free(e->strs);
    free(e->alerts);
}

/* ---- the payload -------------------------------------------------------------- */

struct render {
    const struct tmpl_set *tmpl;
    const char *receiver;
    const struct tmpl_data *raw, *text; /* text: escaped when safe */
    int errors;
    struct buf tmp;
};

/* Renders a field into r->tmp (reset first); returns r->tmp's text. */
static const char *field(struct render *r, const char *name, const char *text, bool is_text)
{
    buf_reset(&r->tmp);
    if (notify_tmpl_field(r->tmpl, r->receiver, name, text, is_text ? r->text : r->raw, &r->tmp) <
        0)
        r->errors++;
    return buf_str(&r->tmp);
}

/* `"key":"value"` with a leading comma unless first; omitempty skips "". */
static void put_kv(struct buf *out, bool *first, const char *key, const char *v, bool omitempty)
{
    if (omitempty && (!v || !*v))
        return;
    if (!*first)
        buf_putc(out, ',');
    *first = false;
    gojson_str(out, key);
    buf_putc(out, ':');
    gojson_str(out, v);
}

static void put_field(struct render *r, struct buf *out, bool *first, const char *key,
                      const char *text, bool is_text, bool omitempty)
{
    put_kv(out, first, key, field(r, key, text, is_text), omitempty);
}

static void put_actions(struct render *r, const struct slack_cfg *cfg, struct buf *out)
{
    buf_puts(out, ",\"actions\":[");
    for (size_t i = 0; i < cfg->n_actions; i++) {
        const struct slack_action *a = &cfg->actions[i];
        bool first = true;
        buf_puts(out, i ? ",{" : "{");
        put_field(r, out, &first, "type", a->type, false, true);
        put_field(r, out, &first, "text", a->text, true, true);
        put_field(r, out, &first, "url", a->url, false, true);
        put_field(r, out, &first, "style", a->style, false, true);
        put_field(r, out, &first, "name", a->name, false, true);
        put_field(r, out, &first, "value", a->value, false, true);
        if (a->confirm) {
            bool cf = true;
            buf_puts(out, first ? "\"confirm\":{" : ",\"confirm\":{");
            put_field(r, out, &cf, "text", a->confirm->text, true, false);
            put_field(r, out, &cf, "title", a->confirm->title, true, true);
            put_field(r, out, &cf, "ok_text", a->confirm->ok_text, true, true);
            put_field(r, out, &cf, "dismiss_text", a->confirm->dismiss_text, true, true);
            buf_putc(out, '}');
        }
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
}

/* A text field cut at max runes when safe (the title always, as AM). */
static void put_cut(struct render *r, struct buf *out, bool *first, const char *key,
                    const char *text, size_t max, bool omitempty)
{
    field(r, key, text, true);
    if (max)
        notify_slack_truncate(&r->tmp, max);
    put_kv(out, first, key, buf_str(&r->tmp), omitempty);
}

int notify_slack_payload(const struct slack_cfg *cfg, const struct tmpl_set *tmpl,
                         const struct notify_req *req, struct alert *const *alerts, size_t n,
                         bool safe, struct buf *out, char **channel)
{
    struct notify_tmpl_data td;
    notify_tmpl_data_init(&td, req, alerts, n);
    struct esc_data ed;
    esc_data_init(&ed, &td.d);
    struct render r = {tmpl, req->receiver, &td.d, safe ? &ed.d : &td.d, 0, BUF_INIT};
    size_t text_max = safe ? SLACK_TEXT_MAX_RUNES : 0;

    bool first = true;
    buf_putc(out, '{');
    put_field(&r, out, &first, "channel", cfg->channel, false, true);
    *channel = xstrdup(buf_str(&r.tmp));
    put_field(&r, out, &first, "username", cfg->username, false, true);
    put_field(&r, out, &first, "icon_emoji", cfg->icon_emoji, false, true);
    put_field(&r, out, &first, "icon_url", cfg->icon_url, false, true);
    if (cfg->link_names)
        buf_puts(out, first ? "\"link_names\":true" : ",\"link_names\":true");
    buf_puts(out, first ? "\"attachments\":[{" : ",\"attachments\":[{");
    first = true;
    put_cut(&r, out, &first, "title", cfg->title, SLACK_TITLE_MAX_RUNES, true);
    put_field(&r, out, &first, "title_link", cfg->title_link, false, true);
    put_cut(&r, out, &first, "pretext", cfg->pretext, text_max, true);
    put_cut(&r, out, &first, "text", cfg->text, text_max, false);
    put_field(&r, out, &first, "fallback", cfg->fallback, true, false);
    put_field(&r, out, &first, "callback_id", cfg->callback_id, false, false);
    if (cfg->n_fields) {
        buf_puts(out, ",\"fields\":[");
        for (size_t i = 0; i < cfg->n_fields; i++) {
            bool ff = true;
            buf_puts(out, i ? ",{" : "{");
            put_field(&r, out, &ff, "title", cfg->fields[i].title, true, false);
            put_field(&r, out, &ff, "value", cfg->fields[i].value, true, false);
            buf_puts(out, cfg->fields[i].short_ ? ",\"short\":true}" : ",\"short\":false}");
        }
        buf_putc(out, ']');
    }
    if (cfg->n_actions)
        put_actions(&r, cfg, out);
    put_field(&r, out, &first, "image_url", cfg->image_url, false, true);
    put_field(&r, out, &first, "thumb_url", cfg->thumb_url, false, true);
    put_field(&r, out, &first, "footer", cfg->footer, true, false);
    put_field(&r, out, &first, "color", cfg->color, false, true);
    if (cfg->mrkdwn_in.n) {
        buf_puts(out, ",\"mrkdwn_in\":[");
        for (size_t i = 0; i < cfg->mrkdwn_in.n; i++) {
            if (i)
                buf_putc(out, ',');
            gojson_str(out, cfg->mrkdwn_in.v[i]);
        }
        buf_putc(out, ']');
    }
    buf_puts(out, "}]}\n");
    buf_deinit(&r.tmp);
    esc_data_deinit(&ed);
    notify_tmpl_data_deinit(&td);
    return r.errors;
}

/* ---- judging the answer -------------------------------------------------------- */

static bool transient_error(const char *e)
{
    static const char *const retry[] = {"ratelimited", "rate_limited",        "internal_error",
                                        "fatal_error", "service_unavailable", "request_timeout",
                                        NULL};
    for (size_t i = 0; retry[i]; i++)
        if (strcmp(e, retry[i]) == 0)
            return true;
    return false;
}

void notify_slack_judge(const struct http_result *hr, struct notify_result *res)
{
    notify_result_from_http(hr, res);
    if (!res->ok)
        return;
    const char *body = hr->body ? hr->body : "";
    size_t len = hr->body_len;
    bool is_json =
        strncmp(hr->content_type, "application/json", 16) == 0 || (len && body[0] == '{');
    if (!is_json) {
        /* Incoming webhooks answer a plain "ok". */
        if (len == 2 && memcmp(body, "ok", 2) == 0)
            return;
        res->ok = false;
        res->retryable = false;
        notify_result_msg(res, "error response from Slack: %.*s", (int)(len < 150 ? len : 150),
                          body);
        return;
    }
    json_error_t jerr;
    json_t *j = json_loadb(body, len, 0, &jerr);
    json_t *okv = j ? json_object_get(j, "ok") : NULL;
    if (!j || !json_is_boolean(okv)) {
        res->ok = false;
        res->retryable = true; /* as Alertmanager: an unreadable answer is retried */
        notify_result_msg(res, "could not unmarshal JSON response from Slack");
        json_decref(j);
        return;
    }
    if (!json_is_true(okv)) {
        const char *e = json_string_value(json_object_get(j, "error"));
        e = e ? e : "unknown";
        res->ok = false;
        res->retryable = transient_error(e);
        notify_result_msg(res, "error response from Slack: %s", e);
    }
    json_decref(j);
}

/* ---- the notifier ------------------------------------------------------------------ */

/* One send of this notifier: the destination of its current attempt (for
 * the 429 hold) and, while it waits for its pacing slot, the request. */
struct slack_send {
    struct slack_send *next;
    struct notifier *n;
    struct notify_op *op;
    char *key; /* api_url "\n" channel: secret, never logged */
    bool waiting;
    ev_timer timer;
    char *url;
    char *body;
    size_t body_len;
};

struct slack_state {
    const struct slack_cfg *cfg;
    struct slack_send *sends;
};

/* All Slack notifiers share one pacer: two receivers posting to the same
 * channel share Slack's limit. */
static struct notify_pacer *pacer(void)
{
    static struct notify_pacer *p;
    if (!p)
        p = notify_pacer_new(SLACK_PACE_INTERVAL_S);
    return p;
}

static struct slack_send *send_for(struct notifier *n, struct notify_op *op, bool create)
{
    struct slack_state *st = n->priv;
    for (struct slack_send *s = st->sends; s; s = s->next)
        if (s->op == op)
            return s;
    if (!create)
        return NULL;
    struct slack_send *s = xcalloc(1, sizeof *s);
    s->n = n;
    s->op = op;
    s->next = st->sends;
    st->sends = s;
    return s;
}

static void send_clear_request(struct slack_send *s)
{
    free(s->url);
    free(s->body);
    s->url = s->body = NULL;
    s->waiting = false;
}

/* Submits the prepared request: http_config now (secret files re-read). */
static int submit(struct slack_send *s, const char *url, char *body, size_t len,
                  struct notify_result *res)
{
    const struct slack_state *st = s->n->priv;
    struct errbuf err;
    struct http_request_opts o = {0};
    struct notify_http_auth auth;
    if (notify_http_apply(s->n, &st->cfg->http, &o, &auth, &err) < 0) {
        free(body);
        notify_result_msg(res, "%s", err.msg);
        res->retryable = false;
        return -1;
    }
    /* chat.postMessage warns about a missing charset; webhooks do not care,
     * and without a token we keep Alertmanager's exact header. */
    static const char *const h_plain[] = {"Content-Type: application/json", NULL};
    static const char *const h_bot[] = {"Content-Type: application/json; charset=utf-8", NULL};
    o.method = "POST";
    o.url = url;
    o.headers = st->cfg->http.authorization ? h_bot : h_plain;
    o.body = body;
    o.body_len = len;
    o.body_owned = true;
    int rc = notify_submit_http(s->op, &o, &err);
    notify_http_auth_deinit(&auth);
    if (rc < 0) {
        notify_result_msg(res, "%s", err.msg);
        res->retryable = false;
    }
    return rc;
}

static void on_slot(EV_P_ ev_timer *w, int revents)
{
    struct slack_send *s = w->data;
    char *url = s->url, *body = s->body;
    size_t len = s->body_len;
    s->url = s->body = NULL;
    s->waiting = false;
    struct notify_result res = {0};
    int rc = submit(s, url, body, len, &res);
    free(url);
    if (rc < 0)
        notify_attempt_fail(s->op, &res); /* may free s (op_end) */
}

static int slack_attempt(struct notifier *n, struct notify_op *op, const struct notify_req *req,
                         struct alert *const *alerts, size_t n_alerts, struct notify_result *res)
{
    struct slack_state *st = n->priv;
    const struct slack_cfg *cfg = st->cfg;
    struct errbuf err;
    char *url = NULL;
    if (cfg->api_url) {
        url = xstrdup(cfg->api_url);
    } else {
        url = notify_read_secret_file(n->env.basedir, cfg->api_url_file, &err);
        if (!url) {
            notify_result_msg(res, "read api_url_file: %s", err.msg);
            res->retryable = false;
            return -1;
        }
    }
    const struct tmpl_set *tmpl = n->env.tmpl ? n->env.tmpl : notify_templates_default();
    struct buf body = BUF_INIT;
    char *channel = NULL;
    notify_slack_payload(cfg, tmpl, req, alerts, n_alerts, true, &body, &channel);

    struct slack_send *s = send_for(n, op, true);
    free(s->key);
    struct buf key = BUF_INIT;
    buf_printf(&key, "%s\n%s", url, channel);
    s->key = buf_steal(&key);
    free(channel);
    double now = ev_now(n->env.loop);
    double wait = notify_pacer_reserve(pacer(), s->key, strlen(s->key), now);
    size_t len = body.len;
    if (wait > 0 && now + wait >= notify_op_deadline(op)) {
        /* The slot is past the send's budget: waiting would only end in
         * a timeout.  Retryable: the next flush tries again. */
        buf_deinit(&body);
        free(url);
        notify_result_msg(res,
                          "Slack pacing: no free slot for this channel before the deadline "
                          "(%.1f s away)",
                          wait);
        res->retryable = true;
        return -1;
    }
    if (wait < 0.001) {
        int rc = submit(s, url, buf_steal(&body), len, res);
        free(url);
        return rc;
    }
    /* Wait for the slot on our own timer; notify.c sees an attempt in
     * flight, and op_end stops the timer if the send ends meanwhile. */
    s->url = url;
    s->body = buf_steal(&body);
    s->body_len = len;
    s->waiting = true;
    ev_timer_init(&s->timer, on_slot, wait, 0.);
    s->timer.data = s;
    ev_timer_start(n->env.loop, &s->timer);
    if (log_enabled(LOG_DEBUG)) {
        char w[32], integ[32];
        snprintf(w, sizeof w, "%.3f", wait);
        snprintf(integ, sizeof integ, "slack[%u]", n->idx);
        log_debug("Notify paced", "receiver", n->receiver, "integration", integ, "wait_s", w);
    }
    return 0;
}

static void slack_check(struct notifier *n, struct notify_op *op, const struct http_result *hr,
                        struct notify_result *res)
{
    notify_slack_judge(hr, res);
    struct slack_send *s = send_for(n, op, false);
    if (hr->status == 429 && hr->retry_after_ms >= 0 && s && s->key)
        notify_pacer_block(pacer(), s->key, strlen(s->key),
                           ev_now(n->env.loop) + hr->retry_after_ms / 1000.0);
}

static void slack_op_end(struct notifier *n, struct notify_op *op)
{
    struct slack_state *st = n->priv;
    for (struct slack_send **pp = &st->sends; *pp; pp = &(*pp)->next) {
        struct slack_send *s = *pp;
        if (s->op != op)
            continue;
        *pp = s->next;
        ev_timer_stop(n->env.loop, &s->timer);
        send_clear_request(s);
        free(s->key);
        free(s);
        return;
    }
}

static void slack_free(struct notifier *n)
{
    struct slack_state *st = n->priv;
    while (st->sends) /* none left after notifier_free's finishes; be safe */
        slack_op_end(n, st->sends->op);
    free(st);
}

static const struct notifier_ops slack_ops = {
    .name = "slack",
    .attempt = slack_attempt,
    .check = slack_check,
    .op_end = slack_op_end,
    .free = slack_free,
};

struct notifier *notifier_slack_new(const struct slack_cfg *cfg, const char *receiver, unsigned idx,
                                    const struct notify_env *env)
{
    struct slack_state *st = xcalloc(1, sizeof *st);
    st->cfg = cfg;
    return notifier_alloc(&slack_ops, receiver, idx, cfg->send_resolved, env, st);
}

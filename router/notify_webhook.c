/* notify_webhook.c -- the generic webhook: Alertmanager's version "4"
 * payload, POSTed as JSON.
 *
 * The body must be byte-identical to Alertmanager 0.25's, because
 * receivers parse it and some diff or hash it: keys in Go's struct order
 * (receiver, status, alerts, groupLabels, commonLabels, commonAnnotations,
 * externalURL, version, groupKey, truncatedAlerts; per alert status,
 * labels, annotations, startsAt, endsAt, generatorURL, fingerprint), map
 * keys sorted, Go's escaping (gojson.h), a trailing newline.  Quirks kept
 * on purpose, each verified against a capture of Alertmanager 0.25
 * (tests/data/webhook/am025-*.json):
 *   - `receiver` is the name regex-escaped (regexp.QuoteMeta): "crit\\.team";
 *   - firing alerts carry endsAt "0001-01-01T00:00:00Z";
 *   - with max_alerts the list is cut first and everything else (status,
 *     commonLabels, commonAnnotations) describes the alerts that remain;
 *   - a resolved-only notification to a send_resolved: false webhook is
 *     not sent at all (notify.c).
 * Times are printed in UTC: alerts are stored as UTC nanoseconds, so an
 * offset a client posted ("+02:00") comes back as the same instant in Z. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"
#include "mem.h"
#include "notify_internal.h"
#include "notify_tmpl.h"

void notify_quote_meta(struct buf *out, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\.+*?()|[]{}^$", *s))
            buf_putc(out, '\\');
        buf_putc(out, *s);
    }
}

void notify_webhook_payload(const struct notify_req *req, struct alert *const *alerts, size_t n,
                            uint64_t max_alerts, struct buf *out)
{
    uint64_t truncated = req->truncated;
    if (max_alerts && n > max_alerts) {
        truncated += n - max_alerts;
        n = (size_t)max_alerts;
    }
    bool any_firing = false;
    for (size_t i = 0; i < n; i++)
        any_firing |= !alert_resolved(alerts[i], req->now);

    struct buf recv = BUF_INIT;
    notify_quote_meta(&recv, req->receiver);
    buf_puts(out, "{\"receiver\":");
    gojson_string(out, buf_str(&recv), recv.len);
    buf_deinit(&recv);
    buf_puts(out, any_firing ? ",\"status\":\"firing\"" : ",\"status\":\"resolved\"");
    buf_puts(out, ",\"alerts\":[");
    for (size_t i = 0; i < n; i++) {
        const struct alert *a = alerts[i];
        bool resolved = alert_resolved(a, req->now);
        if (i)
            buf_putc(out, ',');
        buf_puts(out, resolved ? "{\"status\":\"resolved\"" : "{\"status\":\"firing\"");
        struct alert_view v;
        buf_puts(out, ",\"labels\":");
        gojson_labels(out, alert_labels_view(a, &v));
        alert_view_deinit(&v);
        buf_puts(out, ",\"annotations\":");
        gojson_labels(out, alert_annots_view(a, &v));
        alert_view_deinit(&v);
        buf_puts(out, ",\"startsAt\":");
        gojson_time(out, a->starts_at);
        buf_puts(out, ",\"endsAt\":");
        gojson_time(out, resolved ? a->ends_at : 0);
        buf_puts(out, ",\"generatorURL\":");
        gojson_str(out, alert_generator_url(a));
        char fp[17];
        fingerprint_format(a->fingerprint, fp);
        buf_printf(out, ",\"fingerprint\":\"%s\"}", fp);
    }
    buf_puts(out, "],\"groupLabels\":");
    gojson_labels(out, &req->group_labels);
    struct labels cl, ca;
    notify_common_sets(alerts, n, &cl, &ca);
    buf_puts(out, ",\"commonLabels\":");
    gojson_labels(out, &cl);
    buf_puts(out, ",\"commonAnnotations\":");
    gojson_labels(out, &ca);
    free(cl.v);
    free(ca.v);
    buf_puts(out, ",\"externalURL\":");
    gojson_str(out, req->external_url);
    buf_puts(out, ",\"version\":\"4\",\"groupKey\":");
    gojson_str(out, req->group_key);
    buf_printf(out, ",\"truncatedAlerts\":%llu}\n", (unsigned long long)truncated);
}

static int webhook_attempt(struct notifier *n, struct notify_op *op, const struct notify_req *req,
                           struct alert *const *alerts, size_t n_alerts, struct notify_result *res)
{
    const struct webhook_cfg *cfg = n->priv;
    struct buf body = BUF_INIT;
    notify_webhook_payload(req, alerts, n_alerts, cfg->max_alerts, &body);
    return notify_http_post_json(n, op, &cfg->http, cfg->url, cfg->url_file, "url_file",
                                 (long)cfg->timeout_ms, &body, res);
}

static const struct notifier_ops webhook_ops = {
    .name = "webhook",
    .attempt = webhook_attempt,
};

struct notifier *notifier_webhook_new(const struct webhook_cfg *cfg, const char *receiver,
                                      unsigned idx, const struct notify_env *env)
{
    return notifier_alloc(&webhook_ops, receiver, idx, cfg->send_resolved, env, (void *)cfg);
}

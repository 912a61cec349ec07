/* api_status.c -- GET /api/v2/status, GET /api/v2/receivers, POST
 * /-/reload, GET /metrics, and the scrape-time gauges of alerts and
 * silences by state.
 *
 * amtool depends on /status: its version check reads versionInfo before
 * every command, and `amtool config show/routes` parse config.original,
 * which (as in Alertmanager) is the loaded config re-serialised with its
 * defaults and with secrets as <secret> (config_dump_redacted). */
#include "api_internal.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "metrics.h"

void api_get_status(struct http_req *req, void *ud)
{
    struct api *a = ud;
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"cluster\":{\"peers\":[],\"status\":\"disabled\"},\"config\":{\"original\":");
    gojson_str(&b, a->config_original ? a->config_original : "");
    buf_puts(&b, "},\"uptime\":\"");
    gotime_format_ms(&b, a->started_at);
    buf_puts(&b, "\",\"versionInfo\":{\"branch\":\"\",\"buildDate\":");
    gojson_str(&b, AR_BUILD_DATE);
    buf_puts(&b, ",\"buildUser\":\"\",\"goVersion\":\"\",\"revision\":");
    gojson_str(&b, AR_REVISION);
    buf_puts(&b, ",\"version\":");
    gojson_str(&b, AR_VERSION);
    buf_puts(&b, "}}");
    api_reply_buf(req, 200, &b);
}

void api_get_receivers(struct http_req *req, void *ud)
{
    struct api *a = ud;
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    for (size_t i = 0; a->cfg && i < a->cfg->n_receivers; i++) {
        buf_puts(&b, i ? ",{\"name\":" : "{\"name\":");
        gojson_str(&b, a->cfg->receivers[i].name);
        buf_putc(&b, '}');
    }
    buf_putc(&b, ']');
    api_reply_buf(req, 200, &b);
}

/* Go's http.Error for a failed reload: text, newline, 500. */
void api_reload(struct http_req *req, void *ud)
{
    struct api *a = ud;
    struct buf err = BUF_INIT;
    if (!a->reload || a->reload(a->reload_ud, &err) == 0) {
        http_reply(req, 200, NULL, "", 0);
    } else {
        struct buf m = BUF_INIT;
        buf_printf(&m, "failed to reload config: %s\n", buf_str(&err));
        http_reply_header(req, "X-Content-Type-Options", "nosniff");
        size_t len = m.len;
        http_reply_take(req, 500, "text/plain; charset=utf-8", buf_steal(&m), len);
    }
    buf_deinit(&err);
}

void api_metrics(struct http_req *req, void *ud)
{
    (void)ud;
    struct buf b = BUF_INIT;
    metrics_render(&b);
    size_t len = b.len;
    http_reply_take(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf_steal(&b), len);
}

/* The registry is process-wide and has no way to remove a hook, so the
 * hook is registered once and follows the live API (tests make several). */
static struct api *collect_api;

/* One pass over each store per scrape sets every state gauge. */
static void on_collect(void *ctx)
{
    (void)ctx;
    struct api *a = collect_api;
    if (!a)
        return;
    struct router_metrics *m = metrics();
    int64_t now = gotime_now();
    size_t ac[ALERT_STATE_COUNT], sc[SILENCE_STATE_COUNT];
    alert_store_count(a->alerts, now, ac);
    metrics_gauge_set(m->alerts_active, (double)ac[ALERT_ACTIVE]);
    metrics_gauge_set(m->alerts_suppressed, (double)ac[ALERT_SUPPRESSED]);
    metrics_gauge_set(m->alerts_unprocessed, (double)ac[ALERT_UNPROCESSED]);
    metrics_gauge_set(m->marked_active, (double)ac[ALERT_ACTIVE]);
    metrics_gauge_set(m->marked_suppressed, (double)ac[ALERT_SUPPRESSED]);
    metrics_gauge_set(m->marked_unprocessed, (double)ac[ALERT_UNPROCESSED]);
    silence_store_count(a->silences, now, sc);
    metrics_gauge_set(m->silences_active, (double)sc[SILENCE_ACTIVE]);
    metrics_gauge_set(m->silences_pending, (double)sc[SILENCE_PENDING]);
    metrics_gauge_set(m->silences_expired, (double)sc[SILENCE_EXPIRED]);
}

void api_metrics_init(struct api *a)
{
    static bool registered;
    if (!registered)
        metrics_registry_on_collect(metrics()->reg, on_collect, NULL);
    registered = true;
    collect_api = a;
}

void api_metrics_fini(struct api *a)
{
    if (collect_api == a)
        collect_api = NULL;
}

/* api_internal.h -- shared by the api_*.c files; not for other modules.
 *
 * api_v2.c       the struct, routes, answers in Alertmanager's two error
 *                styles, default hooks (routing on the config's tree)
 * api_alerts.c   POST /api/v2/alerts, POST /api/v1/alerts: Go-compatible
 *                decoding and Alertmanager's validation
 * api_query.c    GET /api/v2/alerts and /alerts/groups
 * api_silences.c silences CRUD
 * api_status.c   status, receivers, /-/reload, /metrics */
#ifndef ROUTER_API_INTERNAL_H
#define ROUTER_API_INTERNAL_H

#include <stdbool.h>

#include "api_v2.h"
#include "gojson.h"
#include "gojson_read.h"
#include "gotime.h"
#include "inhibit.h"
#include "matcher.h"
#include "route.h"

struct api {
    struct alert_store *alerts;
    struct silence_store *silences;
    struct alert_journal *journal;
    const struct config *cfg;
    char *config_original; /* config_dump_redacted(cfg), cached per config */
    struct route *routes;  /* route_build(cfg), for the default hooks */
    struct inhibitor *inh; /* the default hooks' inhibitor, fed by store puts */
    bool own_hooks;        /* the default hooks are installed */
    api_reload_fn *reload;
    void *reload_ud;
    int64_t started_at;
    struct api_hooks hooks;
};

/* ---- answers (api_v2.c) ---------------------------------------------- */

/* The OpenAPI layer's style: {"code":N,"message":"..."} (no newline). */
void api_reply_code(struct http_req *req, int status, int code, const char *msg);
/* The handlers' style: a JSON string and a newline. */
void api_reply_string(struct http_req *req, int status, const char *msg);
/* Takes b's content as a 200 application/json body (a newline is added,
 * as Go's json.Encoder does). */
void api_reply_buf(struct http_req *req, int status, struct buf *b);
/* The Content-Type check of the OpenAPI layer: 0 if the request may go on,
 * else -1 after answering 415 (or 400 for an unparsable header). */
int api_check_json_type(struct http_req *req);
/* The request body as a writable, NUL-terminated copy in request memory. */
char *api_body_copy(struct http_req *req, size_t *len);

/* Go's swag.ConvertBool, as go-openapi binds query booleans: true for
 * "true", "1", "yes", "ok", "y", "on", "selected", "checked", "t",
 * "enabled" (any case); false for anything else; def when absent. */
bool api_query_bool(struct http_req *req, const char *name, bool def);
/* Parses every ?filter= into ms as Alertmanager 0.25's parseFilter does.
 * -1 after answering 400 ("bad matcher format: ..."). */
int api_query_filter(struct http_req *req, struct matchers *ms);

/* Appends one label set as a JSON object with sorted keys. */
void api_put_labels(struct buf *b, const struct labels *ls);

/* Recomputes a's marker the way a GET does (silencer and inhibitor), and
 * returns its status (borrowed, see alert_store_status). */
void api_alert_status(struct api *a, struct alert *al, int64_t now, struct alert_status *st);
/* Appends a as a gettableAlert. */
void api_put_alert(struct buf *b, const struct alert *al, const struct alert_status *st,
                   const struct api_names *receivers);

/* ---- handlers -------------------------------------------------------- */

void api_post_alerts_v2(struct http_req *req, void *ud);
void api_post_alerts_v1(struct http_req *req, void *ud);
void api_get_alerts(struct http_req *req, void *ud);
void api_get_groups(struct http_req *req, void *ud);
void api_get_silences(struct http_req *req, void *ud);
void api_post_silences(struct http_req *req, void *ud);
void api_silence_id(struct http_req *req, void *ud); /* GET and DELETE */
void api_get_status(struct http_req *req, void *ud);
void api_get_receivers(struct http_req *req, void *ud);
void api_reload(struct http_req *req, void *ud);
void api_metrics(struct http_req *req, void *ud);
void api_v1_gone(struct http_req *req, void *ud);

/* Scrape-time gauges (api_status.c). */
void api_metrics_init(struct api *a);
void api_metrics_fini(struct api *a);

#endif

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

/* ---- POST /api/v{1,2}/alerts, decoding (api_alerts.c) ---------------- */

/* One element of the posted array. */
struct api_alert_elem {
    bool is_null;
    bool labels_set;      /* labels given and not null (v2 requires it) */
    size_t l0, a0;        /* first label / annotation in the body's vectors */
    size_t ln, an;        /* how many */
    int64_t starts, ends; /* 0 = unset */
    const char *gen_url;  /* NULL = absent */
};

/* A decoded body.  The strings point into the body text (or j's spill),
 * so the body must outlive it. */
struct api_alerts_body {
    int version; /* 1 or 2 */
    struct gojson j;
    struct api_alert_elem *e;
    size_t ne, cap_e;
    struct label *lv, *av;
    size_t nl, cap_l, na, cap_a;
    /* Go's error precedence: the first error returned by an
     * UnmarshalJSON method aborts; type errors are saved (the first one)
     * and returned if nothing aborted, per decoding pass. */
    bool abort1, saved1, abort2, saved2;
    struct errbuf e_abort1, e_saved1, e_abort2, e_saved2;
};

/* api_decode_alerts() for a body of only whitespace (Go's io.EOF). */
#define API_ALERTS_EMPTY 1

/* Everything the POST handler of `version` (1 or 2) does to body[0..len)
 * before it builds an alert, with no request in sight (the fuzz target
 * calls it too).  body must be writable (strings are unescaped in place).
 * Returns 0 with the elements in d; API_ALERTS_EMPTY; -1 with the decode
 * error in err (Go's text: the 400); or, for v2, the OpenAPI code of the
 * schema failure (601, 602: the 422) with its message.  Release d with
 * api_alerts_body_deinit() whatever the result. */
int api_decode_alerts(char *body, size_t len, int version, struct api_alerts_body *d,
                      struct errbuf *err);
void api_alerts_body_deinit(struct api_alerts_body *d);

/* Builds, normalizes and validates each alert of a body that decoded to 0
 * and stores the valid ones in a->alerts (journal flushed if a->journal);
 * returns how many were invalid, their messages joined by "; " in msgs. */
size_t api_ingest_alerts(struct api *a, struct api_alerts_body *d, struct buf *msgs);

/* ---- POST /api/v2/silences, decoding (api_silences.c) ---------------- */

/* One posted matcher. */
struct api_silence_spec {
    bool have_eq, have_re, have_name, have_value, is_eq, is_re, is_null;
    const char *name, *value;
};

/* A decoded postableSilence; strings point into the body text. */
struct api_silence_body {
    struct gojson j;
    const char *id;
    const char *comment, *created_by;
    bool have_starts, have_ends;
    int64_t starts, ends;
    bool matchers_set;
    struct api_silence_spec *m;
    size_t nm, cap_m;
    bool abort, saved;
    struct errbuf e_abort, e_saved;
};

/* api_decode_silence() for a body of only whitespace. */
#define API_SILENCE_EMPTY 1

/* What POST /api/v2/silences does to body[0..len) (writable) before the
 * store: returns 0 with the silence in p; API_SILENCE_EMPTY; -1 with Go's
 * decode error in err (the 400); or the OpenAPI code of the schema failure
 * (602, 612: the 422) with its message.  Release p with
 * api_silence_body_deinit() whatever the result. */
int api_decode_silence(char *body, size_t len, struct api_silence_body *p, struct errbuf *err);
void api_silence_body_deinit(struct api_silence_body *p);
/* Creates or updates the silence of a body that decoded to 0 in
 * a->silences: silence_store_set()'s result, the id in id. */
int api_store_silence(struct api *a, const struct api_silence_body *p, int64_t now,
                      char id[SILENCE_ID_LEN + 1], struct errbuf *err);

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

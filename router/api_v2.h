/* api_v2.h -- Alertmanager's HTTP API: /api/v2 alerts, alert groups,
 * silences, status and receivers; POST /api/v1/alerts for old senders;
 * /-/reload and /metrics.
 *
 * Flow: http_server -> api (decode, validate: api_alerts.c) ->
 * alert_store_put() -> subscribers (dispatch).  Reads go the other way:
 * GET /api/v2/alerts asks the silences and the inhibition hook for each
 * alert's status, as Alertmanager recomputes it on every GET.
 *
 * Bodies, status codes and error texts are Alertmanager 0.25's, checked
 * side by side against a running 0.25 (tests/integration/t_api_compat.sh).
 * JSON goes through gojson.h, which reproduces Go's encoding/json.
 *
 * Routing, inhibition and aggregation groups are owned by other modules
 * (route, inhibit, dispatch); the API reaches them only through struct
 * api_hooks, which the dispatcher fills when it starts.  Until then
 * api_default_hooks() serve: receivers from route.h's tree (rebuilt on
 * every api_set_config), an inhibitor of the API's own (inhibit.h, fed by
 * store puts, rebuilt on reload) and groups computed from the store on each
 * GET by (route, group labels). */
#ifndef ROUTER_API_V2_H
#define ROUTER_API_V2_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "alert_journal.h"
#include "alert_store.h"
#include "buf.h"
#include "config.h"
#include "http_server.h"
#include "silence.h"

/* Receiver names, borrowed from the config (valid until the next reload). */
struct api_names {
    size_t n, cap;
    const char **v;
};

/* One aggregation group as GET /api/v2/alerts/groups shows it.  All
 * borrowed for the duration of the callback. */
struct api_group {
    const struct labels *labels; /* the group labels, sorted */
    const char *receiver;
    struct alert *const *alerts; /* the group's alerts (resolved ones included) */
    size_t n_alerts;
};
typedef void api_group_fn(void *ctx, const struct api_group *g);

/* What the API needs from routing, inhibition and dispatch.  Every
 * function gets `ud`. */
struct api_hooks {
    void *ud;
    /* Appends to out the receiver of every route a's labels match, in
     * Alertmanager's route order (a name may repeat). */
    void (*receivers)(void *ud, const struct alert *a, struct api_names *out);
    /* The fingerprints of the firing alerts that inhibit a at now, at most
     * max of them, written to out; returns how many (0: not inhibited). */
    size_t (*inhibited_by)(void *ud, const struct alert *a, int64_t now, uint64_t *out, size_t max);
    /* Calls emit once per aggregation group, in any order. */
    void (*groups)(void *ud, api_group_fn *emit, void *ctx);
};

/* Reload the configuration: called by POST /-/reload.  Returns 0, or -1
 * with every error in err (one per line). */
typedef int api_reload_fn(void *ud, struct buf *err);

struct api_opts {
    struct alert_store *alerts;     /* borrowed */
    struct silence_store *silences; /* borrowed */
    struct alert_journal *journal;  /* borrowed; NULL: alerts not persisted */
    api_reload_fn *reload;
    void *reload_ud;
    int64_t started_at; /* ns; GET /api/v2/status "uptime" */
};

struct api;

/* Returns a new API over the stores in o; free with api_free().  Installs
 * api_default_hooks() and the scrape-time gauges (alertmanager_alerts,
 * alertmanager_silences). */
struct api *api_new(const struct api_opts *o);
void api_free(struct api *a); /* accepts NULL */

/* Registers every route on srv (relative to its route prefix). */
void api_register(struct api *a, struct http_server *srv);

/* The config the API answers with (resolve_timeout, status, receivers,
 * the default hooks' routing).  Borrowed: call again after every reload,
 * before freeing the old config. */
void api_set_config(struct api *a, const struct config *cfg);

/* Replaces the hooks (copied). */
void api_set_hooks(struct api *a, const struct api_hooks *h);
/* The fallback hooks described above (they need api_set_config). */
void api_default_hooks(struct api *a, struct api_hooks *out);
/* Periodic work of the fallback inhibitor (drops resolved sources); main
 * calls it from the alert GC timer. */
void api_maintenance(struct api *a, int64_t now);

void api_names_push(struct api_names *n, const char *name);
void api_names_deinit(struct api_names *n);

#endif

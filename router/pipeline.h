/* pipeline.h -- what happens to one flush of one aggregation group.
 *
 * Flow: dispatch (a group's tick) -> pipeline_flush() -> inhibition ->
 * active time intervals -> mute time intervals -> silences -> for each
 * integration of the group's receiver, independently: dedup against the
 * nflog -> notify_send() (retries, notify.h) -> on success the nflog
 * records the firing and resolved sets (and the nflog journal makes that
 * durable before anything else happens).
 *
 * Alertmanager 0.25's stages (reference 4.5, 4.6), exactly:
 *   - inhibition and silences drop the alerts they mute, and record the
 *     result in the store's marker (inhibited by / silenced by), which the
 *     API reports;
 *   - the route's active_time_intervals (if any) must contain the flush
 *     instant and none of its mute_time_intervals may, else nothing is sent;
 *   - when no alert is left after a stage, the flush ends as a success
 *     WITHOUT touching the nflog: a muted group is not "sent", and a
 *     silenced alert's resolution is never notified;
 *   - the dedup decision is nflog_needs_update() with the firing/resolved
 *     sets of the alerts that reached it, the integration's send_resolved
 *     and the route's repeat_interval, evaluated at the current wall time;
 *   - the flush succeeds when every integration succeeded (a deduplicated
 *     one counts as success); a failed integration leaves its nflog entry
 *     alone, so the next tick tries it again while its siblings stay
 *     deduplicated.
 * One addition: at most one send per nflog key is in flight, across
 * generations.  After a reload the retired generation's sends finish (and
 * are recorded) while the new generation's groups already flush; an
 * integration whose key is still busy is skipped and counts as failed for
 * that flush, so it is decided again at the next tick against the
 * recorded outcome: no duplicate, nothing lost.
 *
 * Receivers and their notifiers are built from a config; a reload builds
 * a new pipeline (after freeing the dispatcher that used the old one). */
#ifndef ROUTER_PIPELINE_H
#define ROUTER_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert_store.h"
#include "config.h"
#include "dispatch.h"
#include "inhibit.h"
#include "nflog.h"
#include "nflog_journal.h"
#include "notify.h"
#include "silence.h"
#include "timeinterval.h"

/* The nflog keys with a send in flight; shared by every pipeline of the
 * process (owned by the router).  Free it after the pipelines. */
struct pipeline_busy;
struct pipeline_busy *pipeline_busy_new(void);
void pipeline_busy_free(struct pipeline_busy *b); /* accepts NULL */
size_t pipeline_busy_count(const struct pipeline_busy *b);

/* What the stages consult.  All borrowed; each may be NULL except nflog
 * (a NULL stage is skipped, a NULL store records no markers). */
struct pipeline_env {
    struct alert_store *store;
    struct inhibitor *inhibitor;
    const struct timeintervals *intervals;
    struct silence_store *silences;
    struct nflog *nflog;
    struct nflog_journal *journal;
    struct pipeline_busy *busy; /* NULL: no cross-pipeline exclusion */
    const char *external_url;
    dispatch_clock_fn *clock; /* NULL: CLOCK_REALTIME */
    void *clock_ud;
};

struct pipeline;

/* Returns a new pipeline with no receivers; free with pipeline_free(). */
struct pipeline *pipeline_new(const struct pipeline_env *env);
/* Builds the notifiers of every receiver of cfg (notifiers_build); the
 * config and nenv must outlive the pipeline. */
void pipeline_add_config(struct pipeline *p, const struct config *cfg,
                         const struct notify_env *nenv);
/* Adds a receiver with the given notifiers; takes ownership of the
 * notifiers and of the array.  For tests and for pipeline_add_config. */
void pipeline_add_receiver(struct pipeline *p, const char *name, struct notifier **v, size_t n);
/* Frees the notifiers (their sends are cancelled: free the dispatcher
 * first, so no flush is waiting for them).  Accepts NULL. */
void pipeline_free(struct pipeline *p);

/* Number of receivers and integrations (alertmanager_receivers,
 * alertmanager_integrations). */
size_t pipeline_receivers(const struct pipeline *p);
size_t pipeline_integrations(const struct pipeline *p);

/* The dispatcher's flusher (dispatch_flush_fn and dispatch_cancel_fn, with
 * the pipeline as `ud`). */
void *pipeline_flush(void *pipeline, const struct dispatch_flush *f, dispatch_done_fn *done,
                     void *done_ctx, bool *ok);
void pipeline_cancel(void *pipeline, void *handle);

#endif

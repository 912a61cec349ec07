/* notify_tmpl.h -- the template data of one notification.
 *
 * Slack, Teams and email render their texts with the config's templates
 * against Alertmanager's template.Data.  This builds that data (struct
 * tmpl_data, see template.h) from a notify_req snapshot, the same way for
 * every notifier, so a template renders alike whichever integration uses
 * it: firing alerts show EndsAt as Go's zero time, the receiver name is
 * regex-escaped (Alertmanager applies regexp.QuoteMeta), and the common
 * labels/annotations are those every alert of the notification shares. */
#ifndef ROUTER_NOTIFY_TMPL_H
#define ROUTER_NOTIFY_TMPL_H

#include <stddef.h>

#include "alert.h"
#include "buf.h"
#include "labels.h"
#include "notify.h"
#include "template.h"

struct notify_tmpl_data {
    struct tmpl_data d;        /* what templates see; valid until deinit */
    struct tmpl_alert *alerts; /* owned */
    char (*fps)[17];           /* owned: fingerprints as text */
    struct buf receiver;       /* the regex-escaped receiver name */
    struct labels cl, ca;      /* owned arrays; strings borrowed from alerts */
    struct label *pairs;       /* owned: every alert's labels and annotations */
};

/* Fills t for `alerts` (n of them, a subset of req's alerts in order, e.g.
 * after the send_resolved filter or max_alerts).  Everything borrowed from
 * req and the alerts must outlive t. */
void notify_tmpl_data_init(struct notify_tmpl_data *t, const struct notify_req *req,
                           struct alert *const *alerts, size_t n);
void notify_tmpl_data_deinit(struct notify_tmpl_data *t);

/* The label and annotation pairs every one of the alerts has with the same
 * value (Alertmanager's CommonLabels/CommonAnnotations).  The arrays are
 * new (free cl->v and ca->v); the strings are borrowed from the alerts. */
void notify_common_sets(struct alert *const *alerts, size_t n, struct labels *cl,
                        struct labels *ca);

/* ---- the config's template set ------------------------------------------- */

struct config;

/* A new set holding the built-in default.tmpl and then every file matched
 * by the config's `templates:` globs (in glob order, so a later file's
 * definitions override earlier ones, as Alertmanager's template.FromGlobs).
 * A glob matching nothing is fine.  cfg NULL: the default only.  Returns
 * NULL with err set ("path:line:col: message") when a file does not parse
 * or cannot be read.  Free with tmpl_set_free(); main/dispatch load it at
 * every (re)load and hand it to the notifiers in notify_env.tmpl. */
struct tmpl_set *notify_templates_load(const struct config *cfg, struct errbuf *err);

/* The built-in default.tmpl alone, parsed once and shared (never freed):
 * what a notifier uses when notify_env.tmpl is NULL, and the reference a
 * notifier compares a rendering with to tell whether a user template
 * overrides a default. */
const struct tmpl_set *notify_templates_default(void);

/* Executes the config field `text` (named `field` in messages) into out.
 * An execution error does not stop the notification: out then holds
 * "template error in <field>: <message>" so the people paged see that the
 * template is broken, the error is logged as a warning for the receiver,
 * and -1 is returned. */
int notify_tmpl_field(const struct tmpl_set *s, const char *receiver, const char *field,
                      const char *text, const struct tmpl_data *d, struct buf *out);

#endif

/* route.h -- the routing tree: which routes an alert belongs to, and the
 * group keys Alertmanager shows for them.
 *
 * Flow: alert_store -> route_match() -> dispatch (one aggregation group per
 * (route, group labels)).  The tree is built once per config load from the
 * typed config (config.h has already applied inheritance and sorted the
 * matchers); it is immutable afterwards, so a reload builds a new tree and
 * swaps the pointer on the loop thread.  Nodes BORROW their route_cfg from
 * the config: the config must outlive the tree (they are swapped together).
 *
 * Matching is Alertmanager's (reference 4.1): a node whose matchers fail
 * yields nothing; otherwise its children are tried in order, and after a
 * child that yielded something the search stops unless that child has
 * `continue: true`; a node none of whose children yielded anything is
 * itself the result.
 *
 * Keys are byte-identical to Alertmanager 0.25 (checked against a running
 * 0.25, tests/data/route/groupkeys.tsv):
 *   route key  "{}" for the root, then parent key + "/" + the node's sorted
 *              matchers `{a="x",b=~"y"}`; values escaped as OpenMetrics does
 *              (only \, newline and " -- a tab stays a raw tab); legacy
 *              match_re values appear anchored, `^(?:re)$`.
 *   group key  route key + ":" + the group labels as Prometheus'
 *              LabelSet.String(): `{a="x", b="y"}` sorted by name, ", "
 *              between pairs, values quoted as Go's %q. */
#ifndef ROUTER_ROUTE_H
#define ROUTER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "labels.h"

struct route; /* opaque: see route.c */

/* Borrowed node pointers, valid until the tree is freed. */
struct route_vec {
    size_t n, cap;
    const struct route **v;
};

void route_vec_deinit(struct route_vec *rv);

/* Builds the tree from cfg->route.  Returns a new tree (free with
 * route_free) or NULL with a message when the config has no usable root
 * (config_parse never returns such a config). */
struct route *route_build(const struct config *cfg, struct errbuf *err);
void route_free(struct route *root); /* accepts NULL */

/* Appends every route the label set belongs to to *out, in Alertmanager's
 * order (depth-first, config order).  Returns the number appended: at
 * least 1 from the root, 0 only from a subtree root whose matchers fail. */
size_t route_match(const struct route *root, const struct labels *ls, struct route_vec *out);

/* ---- one node ---------------------------------------------------------- */

/* The node's config: matchers, continue, timers (ms), time interval names.
 * Borrowed from the config. */
const struct route_cfg *route_config(const struct route *r);
const char *route_receiver(const struct route *r);
/* The group_by names (as configured) and whether `...` (all labels) was
 * given. */
const struct strlist *route_group_by(const struct route *r, bool *all);
int64_t route_group_wait_ms(const struct route *r);
int64_t route_group_interval_ms(const struct route *r);
int64_t route_repeat_interval_ms(const struct route *r);
const struct strlist *route_mute_time_intervals(const struct route *r);
const struct strlist *route_active_time_intervals(const struct route *r);
/* The route key, "{}/{severity=\"critical\"}".  Borrowed. */
const char *route_key(const struct route *r);
/* Position in depth-first order (root 0) and the number of nodes: a dense
 * index for per-route tables in dispatch. */
size_t route_index(const struct route *r);
size_t route_count(const struct route *root);
const struct route *route_parent(const struct route *r); /* NULL for the root */
size_t route_n_children(const struct route *r);
const struct route *route_child(const struct route *r, size_t i);

/* ---- grouping ---------------------------------------------------------- */

/* The alert's labels restricted to the node's group_by (all of them for
 * `...`); names in group_by the alert lacks are simply absent.  `alert`
 * must be sorted; *out is sorted too.  out->v is a new array (free() it),
 * its strings are borrowed from `alert`. */
void route_group_labels(const struct route *r, const struct labels *alert, struct labels *out);

/* Appends route key + ":" + group labels rendered as LabelSet.String() to
 * out: "{}/{severity=\"critical\"}:{alertname=\"X\", env=\"prod\"}".
 * `group` must be sorted. */
void route_group_key(const struct route *r, const struct labels *group, struct buf *out);

/* Appends Prometheus' LabelSet.String() of a sorted label set:
 * `{a="x", b="y"}`, values as Go's %q. */
void group_labels_format(const struct labels *ls, struct buf *out);

#endif

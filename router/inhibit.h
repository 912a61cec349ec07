/* inhibit.h -- inhibition rules: a firing "source" alert mutes "target"
 * alerts that agree with it on the rule's `equal` labels.
 *
 * Flow: alert_store_put -> inhibit_put (every stored version of every
 * alert, whatever its route, silence or inhibition: all received alerts can
 * inhibit) ... dispatch flush -> pipeline -> inhibit_mutes -> time
 * intervals -> silences -> ...  The semantics are Alertmanager 0.25's
 * (inhibit/inhibit.go), reference 5.2:
 *   - rules are tried in config order; a rule applies to a label set only
 *     if the set matches its target matchers;
 *   - it is muted if some cached source alert of the rule is not resolved
 *     at `now` and has, for every `equal` name, the same value as the
 *     target (an absent label counts as "", so absent on both sides is
 *     equal);
 *   - if the target also matches the rule's SOURCE matchers, sources that
 *     also match the TARGET matchers are ignored: an alert never inhibits
 *     itself, nor a twin that matches both sides.
 *   - the answer names one source (Alertmanager 0.25 records the first it
 *     finds; with several candidates which one is unspecified there).
 *
 * Design: per rule, a cache of the alerts matching its source matchers,
 * keyed by fingerprint (for updates) and by a hash of their `equal` label
 * values (for lookups), so muting costs O(sources agreeing on the equal
 * labels), not O(all sources).  Only what evaluation needs is copied:
 * fingerprint, ends_at, the equal values and whether the source also
 * matches the target side.  Resolved sources stay until inhibit_gc or
 * inhibit_remove (Alertmanager GCs its cache every 15 minutes), and are
 * skipped at lookup, so a source resolving by time needs no event.
 *
 * Times are nanoseconds since the epoch, as struct alert's (alert.h). */
#ifndef ROUTER_INHIBIT_H
#define ROUTER_INHIBIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "labels.h"

struct inhibitor;

/* A new inhibitor for cfg's inhibit rules, with empty caches; feed it
 * every stored alert (inhibit_put) before the first inhibit_mutes.  The
 * config must outlive it (matchers are borrowed).  Built anew on reload. */
struct inhibitor *inhibit_new(const struct config *cfg);
void inhibit_free(struct inhibitor *inh); /* accepts NULL */

/* Records the latest version of an alert: `ls` its (sorted) labels, `fp`
 * their fingerprint, `ends_at_ns` 0 while firing with no end.  Labels are
 * copied as needed; nothing is kept of the caller's. */
void inhibit_put(struct inhibitor *inh, const struct labels *ls, uint64_t fp, int64_t ends_at_ns);
/* Forgets an alert (the store garbage-collected it). */
void inhibit_remove(struct inhibitor *inh, uint64_t fp);
/* Drops every cached source resolved at now_ns; returns how many. */
size_t inhibit_gc(struct inhibitor *inh, int64_t now_ns);
/* Cached sources over all rules (a source of two rules counts twice). */
size_t inhibit_cached(const struct inhibitor *inh);

/* True if the (sorted) label set is inhibited at now_ns; *by (if not NULL)
 * receives the fingerprint of the inhibiting source. */
bool inhibit_mutes(const struct inhibitor *inh, const struct labels *ls, int64_t now_ns,
                   uint64_t *by);

#endif

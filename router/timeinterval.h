/* timeinterval.h -- is "now" inside a named time interval?
 *
 * Flow: dispatch flush -> pipeline -> (active / mute time intervals of the
 * group's route) -> silences -> ...  The config module parses
 * `time_intervals` (and the older `mute_time_intervals`) into ranges; this
 * module evaluates them as Alertmanager 0.25's timeinterval.ContainsTime:
 * a named interval contains t if ANY of its specs does; a spec contains t
 * if every field it has contains t, a field if any of its ranges does.
 * Times are [start, end) minutes of the day; weekdays, days of the month,
 * months and years inclusive; negative days count from the month's end and
 * are clamped to the month (a range starting after the month's last day
 * matches nothing that month).  Each spec is evaluated in its `location`
 * (UTC when absent).  A field written as an empty list (`times: []`)
 * matches nothing, as in Alertmanager (a nil slice is "absent", an empty
 * one is not).
 *
 * The zones a config uses are loaded once, at build time (tz.h), so
 * evaluation reads no files and never touches TZ. */
#ifndef ROUTER_TIMEINTERVAL_H
#define ROUTER_TIMEINTERVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

struct timeintervals; /* a config's intervals with their zones loaded */

/* Loads the zones of every interval of cfg.  The config must outlive the
 * result (it is borrowed).  NULL with a message if a zone cannot be
 * loaded.  Free with timeintervals_free. */
struct timeintervals *timeintervals_build(const struct config *cfg, struct errbuf *err);
void timeintervals_free(struct timeintervals *ti); /* accepts NULL */

/* True if the interval (one of the config's) contains unix_ms. */
bool time_interval_contains(const struct timeintervals *ti, const struct time_interval_cfg *iv,
                            int64_t unix_ms);
/* The same by name; false for a name the config does not define (config
 * validation rejects routes that use one). */
bool timeintervals_contains(const struct timeintervals *ti, const char *name, int64_t unix_ms);
/* True if ANY of the named intervals contains unix_ms: a route with these
 * mute_time_intervals is muted, one with these active_time_intervals is
 * active.  An empty list contains nothing. */
bool intervals_any_contains(const struct timeintervals *ti, const struct strlist *names,
                            int64_t unix_ms);

#endif

/* notify_pace.h -- proactive pacing of sends to one destination.
 *
 * Slack allows about one message per second per channel (receivers.md
 * 1.3) and answers a burst with 429s; Slack warns that apps which keep
 * sending while limited risk being disabled.  Rather than provoke the 429
 * and then wait, a notifier reserves a slot here before each request: the
 * first send to a destination goes at once, each further one is spaced
 * `interval` after the previous slot.  A 429's Retry-After blocks the
 * destination for every sender (notify_pacer_block).
 *
 * Pure bookkeeping on caller-supplied times (ev_now() in the notifiers,
 * fake clocks in the tests); the waiting itself is the caller's ev_timer.
 * Destinations are kept as 64-bit hashes of the key, so the table holds no
 * webhook URL; entries whose slots are all in the past are dropped. */
#ifndef ROUTER_NOTIFY_PACE_H
#define ROUTER_NOTIFY_PACE_H

#include <stddef.h>

struct notify_pacer;

/* Returns a new pacer spacing sends `interval_s` apart; free with
 * notify_pacer_free(). */
struct notify_pacer *notify_pacer_new(double interval_s);
void notify_pacer_free(struct notify_pacer *p); /* accepts NULL */

/* Reserves the next slot for `key` (any bytes, keylen long) at time `now`
 * and returns how long to wait for it (0 = send now). */
double notify_pacer_reserve(struct notify_pacer *p, const char *key, size_t keylen, double now);

/* Nothing may start for `key` before `until` (a 429's Retry-After). */
void notify_pacer_block(struct notify_pacer *p, const char *key, size_t keylen, double until);

/* Destinations currently tracked (after dropping idle ones as of `now`). */
size_t notify_pacer_size(struct notify_pacer *p, double now);

#endif

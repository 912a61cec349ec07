/* wakeup.h -- sub-millisecond wake-ups for libev timers.
 *
 * libev waits in epoll_wait(), whose timeout is whole milliseconds, rounded
 * up: an ev_timer fires up to 1 ms late.  For the aggregation groups that
 * is most of the notification overhead after group_wait (DESIGN.md's
 * target is a p99 under 1 ms).  A wakeup object is a timerfd watched by an
 * ev_io: wakeup_after() makes epoll return at the exact instant a timer is
 * due, and libev then runs every ev_timer that has expired by then in that
 * same iteration.  It is only a nudge: the ev_timers stay the source of
 * truth, and a stale wake-up (a timer stopped or re-armed since) costs one
 * empty loop iteration.
 *
 * Flow: dispatch arms a group's ev_timer, then wakeup_after(the same
 * delay). */
#ifndef ROUTER_WAKEUP_H
#define ROUTER_WAKEUP_H

#include <ev.h>
#include <stddef.h>

struct wakeup;

/* Returns a new wakeup on loop, or NULL when timerfd is unavailable (the
 * timers then keep libev's millisecond precision). */
struct wakeup *wakeup_new(struct ev_loop *loop);
void wakeup_free(struct wakeup *w); /* accepts NULL */

/* Asks for the loop to wake `after` seconds from now (CLOCK_MONOTONIC).
 * Accepts NULL (does nothing). */
void wakeup_after(struct wakeup *w, double after);
/* Pending wake-up instants (for tests). */
size_t wakeup_pending(const struct wakeup *w);

#endif

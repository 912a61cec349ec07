/* test_wakeup.c -- the timerfd nudge wakes the loop when a timer is due,
 * and drains its pending instants (stale ones included). */
#include <time.h>

#include "check_main.h"
#include "wakeup.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double fired_at;

static void on_timer(EV_P_ ev_timer *w, int revents)
{
    (void)w;
    (void)revents;
    fired_at = mono();
    ev_break(EV_A_ EVBREAK_ALL);
}

START_TEST(wakes_and_drains)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct wakeup *w = wakeup_new(loop);
    ck_assert_ptr_nonnull(w);
    wakeup_after(w, 0.002);  /* stale: no timer behind it */
    wakeup_after(w, 0.0005); /* the earliest arms the timerfd */
    ck_assert_uint_eq(wakeup_pending(w), 2);
    ev_timer t;
    ev_timer_init(&t, on_timer, 0.02, 0.);
    ev_now_update(loop);
    double start = mono();
    ev_timer_start(loop, &t);
    wakeup_after(w, 0.02);
    ev_run(loop, 0);
    /* not early; late only by scheduling (bounded loosely: loaded CI) */
    ck_assert(fired_at - start >= 0.0199);
    ck_assert(fired_at - start < 0.5);
    ck_assert_uint_eq(wakeup_pending(w), 0);
    wakeup_after(w, 0); /* nothing to wait for */
    wakeup_after(NULL, 1);
    ck_assert_uint_eq(wakeup_pending(w), 0);
    wakeup_free(w);
    ev_loop_destroy(loop);
}
END_TEST

Suite *wakeup_suite(void)
{
    Suite *s = suite_create("wakeup");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, wakes_and_drains);
    suite_add_tcase(s, tc);
    return s;
}

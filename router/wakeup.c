/* wakeup.c -- a timerfd armed at the earliest requested instant, with a
 * binary min-heap of the others (see wakeup.h). */
#include "wakeup.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

/* More pending instants than this are dropped (the ev_timers still fire,
 * with libev's precision): a bound on memory, never reached in practice
 * (one instant per group tick). */
#define WAKEUP_MAX 1000000

struct wakeup {
    struct ev_loop *loop;
    int fd;
    ev_io io;
    double armed; /* instant the timerfd is set to; 0 = disarmed */
    size_t n, cap;
    double *heap;
};

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void heap_push(struct wakeup *w, double t)
{
    w->heap = xgrow(w->heap, &w->cap, w->n + 1, sizeof *w->heap);
    size_t i = w->n++;
    while (i > 0 && w->heap[(i - 1) / 2] > t) {
        w->heap[i] = w->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    w->heap[i] = t;
}

static void heap_pop(struct wakeup *w)
{
    double last = w->heap[--w->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= w->n)
            break;
        if (c + 1 < w->n && w->heap[c + 1] < w->heap[c])
            c++;
        if (w->heap[c] >= last)
            break;
        w->heap[i] = w->heap[c];
        i = c;
    }
    if (w->n)
        w->heap[i] = last;
}

static void arm(struct wakeup *w, double t)
{
    struct itimerspec its = {{0, 0}, {0, 0}};
    if (t > 0) {
        its.it_value.tv_sec = (time_t)t;
        its.it_value.tv_nsec = (long)((t - (double)(time_t)t) * 1e9);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
            its.it_value.tv_nsec = 1;
    }
    timerfd_settime(w->fd, TFD_TIMER_ABSTIME, &its, NULL);
    w->armed = t;
}

static void on_expired(EV_P_ ev_io *io, int revents)
{
    (void)revents;
    struct wakeup *w = io->data;
    uint64_t count;
    while (read(w->fd, &count, sizeof count) < 0 && errno == EINTR)
        ;
    double now = mono_now();
    while (w->n && w->heap[0] <= now)
        heap_pop(w);
    arm(w, w->n ? w->heap[0] : 0);
}

struct wakeup *wakeup_new(struct ev_loop *loop)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct wakeup *w = xcalloc(1, sizeof *w);
    w->loop = loop;
    w->fd = fd;
    ev_io_init(&w->io, on_expired, fd, EV_READ);
    w->io.data = w;
    ev_io_start(loop, &w->io);
    return w;
}

void wakeup_free(struct wakeup *w)
{
    if (!w)
        return;
    ev_io_stop(w->loop, &w->io);
    close(w->fd);
    free(w->heap);
    free(w);
}

void wakeup_after(struct wakeup *w, double after)
{
    if (!w || after <= 0 || w->n >= WAKEUP_MAX)
        return;
    double t = mono_now() + after;
    heap_push(w, t);
    if (w->armed == 0 || t < w->armed)
        arm(w, t);
}

size_t wakeup_pending(const struct wakeup *w)
{
    return w ? w->n : 0;
}

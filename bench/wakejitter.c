/* wakejitter.c -- how much slower a fixed piece of CPU work runs right after
 * a timer wake-up, on this machine.
 *
 *   wakejitter [--samples 500] [--period-ms 20] [--work 40]
 *
 * Sleeps to the next period boundary (clock_nanosleep, absolute), then times
 * a fixed, deterministic workload (--work rounds of memset + FNV over 64 KiB;
 * 40 rounds is about the CPU a notification flush costs the router, ~0.13 ms)
 * and prints p50/p90/p99/max of its duration and how many samples took more
 * than 3x the median.  On an idle dedicated machine the spread is small; on a
 * shared VM the first microseconds after a wake-up can run many times slower
 * (cold caches and TLB, vCPU scheduling), and any server's notification p99
 * inherits that.  bench/notifylat measures the servers; this measures the
 * machine under them.  Bounded: at most 100000 samples of at most 1 s.
 *
 * Exit: 0, or 2 on a usage error. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static long arg_long(const char *v, long lo, long hi)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == 0 || *end != 0 || n < lo || n > hi) {
        fprintf(stderr, "wakejitter: bad value %s (%ld..%ld)\n", v, lo, hi);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    long samples = 500, period_ms = 20, work = 40;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            fprintf(stderr, "usage: wakejitter [--samples N] [--period-ms MS] [--work N]\n");
            return 2;
        }
        if (strcmp(argv[i], "--samples") == 0)
            samples = arg_long(argv[++i], 10, 100000);
        else if (strcmp(argv[i], "--period-ms") == 0)
            period_ms = arg_long(argv[++i], 1, 1000);
        else if (strcmp(argv[i], "--work") == 0)
            work = arg_long(argv[++i], 1, 10000);
        else {
            fprintf(stderr, "wakejitter: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    static unsigned char buf[1 << 16];
    double *d = malloc((size_t)samples * sizeof *d);
    if (!d)
        abort();
    volatile uint64_t h = 1469598103934665603ULL;
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long i = 0; i < samples; i++) {
        next.tv_nsec += period_ms * 1000000L;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
        double t0 = now_us();
        for (long k = 0; k < work; k++) {
            memset(buf, (int)k, sizeof buf);
            for (size_t j = 0; j < sizeof buf; j += 64)
                h = (h ^ buf[j]) * 1099511628211ULL;
        }
        d[i] = now_us() - t0;
    }
    qsort(d, (size_t)samples, sizeof *d, cmp_double);
    double p50 = d[samples / 2];
    long slow = 0;
    for (long i = 0; i < samples; i++)
        slow += d[i] > 3 * p50;
    printf("work after wake-up, us: p50 %.1f p90 %.1f p99 %.1f max %.1f; over 3x p50: %ld of %ld\n",
           p50, d[samples * 9 / 10], d[samples * 99 / 100], d[samples - 1], slow, samples);
    printf("RESULT samples=%ld work=%ld p50_us=%.1f p99_us=%.1f max_us=%.1f slow3x=%ld\n", samples,
           work, p50, d[samples * 99 / 100], d[samples - 1], slow);
    free(d);
    return 0;
}

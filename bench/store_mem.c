/* store_mem.c -- memory per stored alert, for the "<= 500 bytes per typical
 * alert" budget (DESIGN.md 8: 1/8 of Alertmanager's 386 MB at 100k).
 *
 * Inserts N distinct typical alerts (6 labels of which one, `instance`, is
 * unique; 2 annotations of which `summary` is unique; a shared
 * generatorURL) into an alert store, then reports bytes in use: malloc's
 * (mallinfo2: the hash tables, with their slack) plus the slab's pages
 * (alerts and interned strings, slab.h), and RSS growth, divided by N.
 *
 *   make bench-mem                    # N = 100000
 *   build/store_mem 1000000           # any N
 *   build/store_mem 100000 /tmp/dir   # also time the alert journal there */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "alert_journal.h"
#include "alert_store.h"
#include "intern.h"
#include "slab.h"

static long rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void insert_all(struct alert_store *st, long n, int64_t now)
{
    static const char *sev[] = {"warning", "critical", "info"};
    static const char *team[] = {"infra", "db", "web", "data"};
    for (long i = 0; i < n; i++) {
        char inst[64], sum[80];
        snprintf(inst, sizeof inst, "node-%06ld.example.net:9100", i);
        snprintf(sum, sizeof sum, "CPU load above 90%% on node-%06ld", i);
        struct label l[] = {{"alertname", "HighCPULoad"}, {"instance", inst},    {"job", "node"},
                            {"severity", sev[i % 3]},     {"team", team[i % 4]}, {"env", "prod"}};
        struct label an[] = {{"summary", sum}, {"runbook_url", "https://wiki/runbooks/cpu"}};
        struct alert *a = alert_new(l, 6, an, 2, "http://prometheus:9090/graph?g0.expr=cpu");
        a->starts_at = 1700000000LL * NS_PER_SEC;
        alert_normalize(a, now, 5 * 60 * NS_PER_SEC);
        alert_store_put(st, a, now);
        alert_unref(a);
    }
}

/* Journal costs: appending every alert once, compacting the whole store,
 * and loading it back at start. */
static void journal_bench(struct alert_store *st, long n, const char *dir, int64_t t0)
{
    struct errbuf warn, err;
    struct alert_store *tmp = alert_store_new();
    struct alert_journal *j = alert_journal_open(dir, tmp, &warn, &err);
    if (!j) {
        fprintf(stderr, "journal: %s\n", err.msg);
        alert_store_free(tmp);
        return;
    }
    double c0 = now_s();
    size_t pos = 0;
    struct alert *a;
    while (alert_store_next(st, &pos, &a))
        alert_store_put(tmp, a, t0);
    alert_journal_flush(j, &err);
    double c1 = now_s();
    printf("journal append:  %.2f us/alert CPU, %.1f bytes/alert\n", (c1 - c0) * 1e6 / (double)n,
           (double)alert_journal_size(j) / (double)n);
    if (alert_journal_compact(j, &err) < 0)
        fprintf(stderr, "compact: %s\n", err.msg);
    double c2 = now_s();
    printf("compaction:      %.1f ms CPU for %ld alerts, synchronous (plus fsync wait)\n",
           (c2 - c1) * 1e3, n);
    struct ev_loop *loop = ev_default_loop(0);
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    if (alert_journal_compact_start(j, loop, &err) < 0)
        fprintf(stderr, "compact_start: %s\n", err.msg);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    printf("compaction:      %.2f ms loop stall with the forked writer\n",
           (double)(w1.tv_sec - w0.tv_sec) * 1e3 + (double)(w1.tv_nsec - w0.tv_nsec) / 1e6);
    while (alert_journal_compacting(j))
        ev_run(loop, EVRUN_ONCE);
    alert_journal_close(j);
    alert_store_free(tmp);
    tmp = alert_store_new();
    double c3 = now_s();
    j = alert_journal_open(dir, tmp, &warn, &err);
    double c4 = now_s();
    printf("load at start:   %.1f ms CPU, %zu alerts%s%s\n", (c4 - c3) * 1e3, alert_store_len(tmp),
           warn.msg[0] ? ", warning: " : "", warn.msg);
    alert_journal_close(j);
    alert_store_free(tmp);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    if (n <= 0) {
        fprintf(stderr, "usage: %s [N>0]\n", argv[0]);
        return 2;
    }
    int64_t t0 = 1700000000LL * NS_PER_SEC;

    struct mallinfo2 m0 = mallinfo2();
    size_t s0 = slab_bytes(slab_global());
    long r0 = rss_bytes();
    double c0 = now_s();
    struct alert_store *st = alert_store_new();
    insert_all(st, n, t0);
    double c1 = now_s();
    struct mallinfo2 m1 = mallinfo2();
    size_t s1 = slab_bytes(slab_global());
    long r1 = rss_bytes();
    /* Steady state: the sender re-sends every alert, a merge each. */
    insert_all(st, n, t0 + 60 * NS_PER_SEC);
    double c2 = now_s();

    size_t heap = (m1.uordblks + m1.hblkhd) - (m0.uordblks + m0.hblkhd), slab = s1 - s0;
    printf("alerts:          %ld\n", n);
    printf("malloc in use:   %zu bytes = %.1f bytes/alert (mallinfo2: hash tables)\n", heap,
           (double)heap / (double)n);
    printf("slab pages:      %zu bytes = %.1f bytes/alert (alerts, interned strings)\n", slab,
           (double)slab / (double)n);
    printf("RSS growth:      %ld bytes = %.1f bytes/alert\n", r1 - r0,
           (double)(r1 - r0) / (double)n);
    printf("interned:        %zu strings, %zu bytes (%.1f bytes/alert)\n", intern_count(),
           intern_bytes(), (double)intern_bytes() / (double)n);
    printf("first insert:    %.2f us/alert CPU (incl. building the alert)\n",
           (c1 - c0) * 1e6 / (double)n);
    printf("re-send (merge): %.2f us/alert CPU (incl. building the alert)\n",
           (c2 - c1) * 1e6 / (double)n);

    if (argc > 2)
        journal_bench(st, n, argv[2], t0);
    alert_store_free(st);
    struct mallinfo2 m2 = mallinfo2();
    printf("after free:      %zd bytes still in use, %zu interned strings\n",
           (ssize_t)(m2.uordblks - m0.uordblks), intern_count());
    return intern_count() == 0 ? 0 : 1;
}

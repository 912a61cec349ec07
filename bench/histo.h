/* histo.h -- a log-linear latency histogram, header-only, for bench tools.
 *
 * Values are nanoseconds.  Below 64 every value has its own bucket; above,
 * each power of two is split into 32 buckets, so a quantile is off by at
 * most about 3 %, and 1,300 counters cover up to 2^40 ns (18 minutes).
 * Quantiles come from the histogram rather than from a sorted sample so
 * that memory is constant however long the run. */
#ifndef BENCH_HISTO_H
#define BENCH_HISTO_H

#include <stdint.h>
#include <string.h>

#define HISTO_BUCKETS (64 + 40 * 32)

struct histo {
    uint64_t n, max;
    uint64_t b[HISTO_BUCKETS];
};

static inline void histo_init(struct histo *h)
{
    memset(h, 0, sizeof *h);
}

static inline int histo_index(uint64_t v)
{
    if (v < 64)
        return (int)v;
    if (v >= (1ull << 40))
        v = (1ull << 40) - 1;
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - 5;                       /* v >> shift lies in [32, 64) */
    return 64 + (shift - 1) * 32 + (int)((v >> shift) - 32);
}

/* The middle of bucket i, in the histogram's unit. */
static inline double histo_mid(int i)
{
    if (i < 64)
        return i;
    int k = i - 64, shift = k / 32 + 1;
    uint64_t m = (uint64_t)(k % 32 + 32);
    return ((double)(m << shift) + (double)((m + 1) << shift)) / 2.0;
}

static inline void histo_add(struct histo *h, uint64_t v)
{
    h->b[histo_index(v)]++;
    h->n++;
    if (v > h->max)
        h->max = v;
}

/* q in [0, 1]; 0 for an empty histogram. */
static inline double histo_quantile(const struct histo *h, double q)
{
    if (h->n == 0)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)(h->n - 1)) + 1, seen = 0;
    for (int i = 0; i < HISTO_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            double mid = histo_mid(i);
            return mid > (double)h->max ? (double)h->max : mid;
        }
    }
    return (double)h->max;
}

#endif

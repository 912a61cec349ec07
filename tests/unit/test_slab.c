/* test_slab.c -- the slab (size classes, page reuse and return, contents
 * kept intact under churn) and fpmap (against a plain array as the
 * reference, keys that collide, key 0).  Uses its own pools, which pool
 * even under ASan, where freed objects are poisoned. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "fpmap.h"
#include "slab.h"

/* xorshift64: deterministic "random" sizes and orders */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(slab_sizes_and_alignment)
{
    struct slab *s = slab_new();
    void *p[SLAB_MAX + 2];
    for (size_t sz = 1; sz <= SLAB_MAX + 1; sz++) {
        p[sz] = slab_alloc(s, sz);
        ck_assert_uint_eq((uintptr_t)p[sz] % 8, 0);
        memset(p[sz], (int)(sz & 0xff), sz);
    }
    ck_assert_uint_eq(slab_objects(s), SLAB_MAX); /* SLAB_MAX + 1 went to malloc */
    for (size_t sz = 1; sz <= SLAB_MAX + 1; sz++) {
        const unsigned char *b = p[sz];
        size_t bad = 0;
        for (size_t i = 0; i < sz; i++)
            bad += b[i] != (sz & 0xff);
        ck_assert_uint_eq(bad, 0);
        slab_release(s, p[sz], sz);
    }
    ck_assert_uint_eq(slab_objects(s), 0);
    slab_free(s);
}
END_TEST

START_TEST(slab_pages_come_back)
{
    struct slab *s = slab_new();
    enum { N = 20000, SZ = 240 };
    void **v = malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++) {
        v[i] = slab_alloc(s, SZ);
        memcpy(v[i], &i, sizeof i);
    }
    size_t full = slab_bytes(s);
    /* 240-byte objects: 20000 of them need at least 4.6 MB of pages, and
     * the pool should not take more than one page in 20 over that */
    ck_assert_uint_ge(full, (size_t)N * SZ);
    ck_assert_uint_le(full, (size_t)N * SZ * 21 / 20 + (64u << 10));
    /* release every other one: no page empties, nothing returns */
    for (size_t i = 0; i < N; i += 2)
        slab_release(s, v[i], SZ);
    ck_assert_uint_eq(slab_bytes(s), full);
    /* reuse: the freed slots are taken again before any new page */
    for (size_t i = 0; i < N; i += 2)
        v[i] = slab_alloc(s, SZ);
    ck_assert_uint_eq(slab_bytes(s), full);
    for (size_t i = 0; i < N; i += 2)
        memcpy(v[i], &i, sizeof i);
    for (size_t i = 0; i < N; i++) {
        size_t got;
        memcpy(&got, v[i], sizeof got);
        ck_assert_uint_eq(got, i);
    }
    /* release all: every page but one spare goes back */
    for (size_t i = 0; i < N; i++)
        slab_release(s, v[i], SZ);
    ck_assert_uint_eq(slab_objects(s), 0);
    ck_assert_uint_le(slab_bytes(s), 64u << 10);
    free(v);
    slab_free(s);
}
END_TEST

/* Byte k of object i holds pattern(i, k). */
static unsigned char pattern(size_t i, size_t k)
{
    return (unsigned char)((i * 7 + k) & 0xff);
}

static void fill(unsigned char *p, size_t i, size_t n)
{
    for (size_t k = 0; k < n; k++)
        p[k] = pattern(i, k);
}

static int intact(const unsigned char *p, size_t i, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (p[k] != pattern(i, k))
            return 0;
    return 1;
}

/* Random sizes, random release order, contents checked: the free lists
 * of different pages and classes never hand out one object twice. */
START_TEST(slab_churn)
{
    struct slab *s = slab_new();
    enum { N = 5000, ROUNDS = 6 };
    void *v[N];
    size_t sz[N];
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    memset(v, 0, sizeof v);
    for (int r = 0; r < ROUNDS; r++) {
        for (size_t i = 0; i < N; i++) {
            if (v[i] && rnd(&seed) % 2) {
                ck_assert(intact(v[i], i, sz[i]));
                slab_release(s, v[i], sz[i]);
                v[i] = NULL;
            }
            if (!v[i]) {
                sz[i] = 1 + rnd(&seed) % 300;
                v[i] = slab_alloc(s, sz[i]);
                fill(v[i], i, sz[i]);
            }
        }
    }
    for (size_t i = 0; i < N; i++) {
        ck_assert(intact(v[i], i, sz[i]));
        slab_release(s, v[i], sz[i]);
    }
    ck_assert_uint_eq(slab_objects(s), 0);
    slab_free(s);
}
END_TEST

START_TEST(fpmap_against_reference)
{
    struct fpmap m = FPMAP_INIT;
    enum { N = 3000 };
    static uint64_t keys[N];
    static int present[N];
    uint64_t seed = 12345;
    for (size_t i = 0; i < N; i++)
        keys[i] = i < 2 ? i : rnd(&seed); /* 0 and 1 are keys too */
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < N; i++) {
            if (rnd(&seed) % 3 == 0) {
                void *old = fpmap_del(&m, keys[i]);
                ck_assert_ptr_eq(old, present[i] ? &keys[i] : NULL);
                present[i] = 0;
            } else {
                void *old = fpmap_put(&m, keys[i], &keys[i]);
                ck_assert_ptr_eq(old, present[i] ? &keys[i] : NULL);
                present[i] = 1;
            }
        }
        size_t n = 0;
        for (size_t i = 0; i < N; i++) {
            ck_assert_ptr_eq(fpmap_get(&m, keys[i]), present[i] ? &keys[i] : NULL);
            n += (size_t)present[i];
        }
        ck_assert_uint_eq(m.n, n);
        size_t pos = 0, seen = 0;
        uint64_t k;
        void *val;
        while (fpmap_next(&m, &pos, &k, &val)) {
            ck_assert_uint_eq(*(uint64_t *)val, k);
            seen++;
        }
        ck_assert_uint_eq(seen, n);
    }
    for (size_t i = 0; i < N; i++)
        fpmap_del(&m, keys[i]);
    ck_assert_uint_eq(m.n, 0);
    ck_assert_ptr_null(m.slot); /* the last delete frees the table */
    fpmap_deinit(&m);
}
END_TEST

Suite *slab_suite(void)
{
    Suite *s = suite_create("slab");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, slab_sizes_and_alignment);
    tcase_add_test(tc, slab_pages_come_back);
    tcase_add_test(tc, slab_churn);
    tcase_add_test(tc, fpmap_against_reference);
    suite_add_tcase(s, tc);
    return s;
}

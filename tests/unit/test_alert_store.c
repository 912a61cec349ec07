/* test_alert_store.c -- interning, the alert model, and the store:
 * Alertmanager's merge rules (reference 2.3, one test per bullet),
 * resolve_timeout, GC, markers, and correctness at 100k alerts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alert_store.h"
#include "check_main.h"
#include "intern.h"

#define S NS_PER_SEC
#define T0 (1700000000LL * S)
#define MIN (60 * S)

/* An alert {alertname="Disk", instance=inst} with one annotation. */
static struct alert *mk(const char *inst, const char *summary, int64_t starts, int64_t ends,
                        int64_t updated)
{
    struct label l[] = {{"instance", inst}, {"alertname", "Disk"}};
    struct label an[] = {{"summary", summary}};
    struct alert *a = alert_new(l, 2, an, 1, "http://prom/graph");
    a->starts_at = starts;
    a->ends_at = ends;
    a->updated_at = updated;
    return a;
}

/* Puts and drops the caller's reference, as the API will. */
static struct alert *put(struct alert_store *st, struct alert *a, int64_t now)
{
    struct alert *stored = alert_store_put(st, a, now);
    alert_unref(a);
    return stored;
}

START_TEST(intern_shares_and_frees)
{
    size_t base = intern_count();
    char tmp[] = "critical";
    const char *a = intern("critical");
    const char *b = intern_n(tmp, 8);
    const char *c = intern_n("criticalXX", 8);
    ck_assert_ptr_eq(a, b);
    ck_assert_ptr_eq(a, c);
    ck_assert_ptr_ne(a, tmp);
    ck_assert_str_eq(a, "critical");
    ck_assert_uint_eq(intern_count(), base + 1);
    intern_ref(a);
    for (int i = 0; i < 4; i++)
        intern_unref(a);
    ck_assert_uint_eq(intern_count(), base);

    /* many strings: growth, shrink and backward-shift deletion */
    static const char *v[5000];
    char s[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(s, sizeof s, "v%d", i);
        v[i] = intern(s);
    }
    ck_assert_uint_eq(intern_count(), base + 5000);
    for (int i = 0; i < 5000; i += 2)
        intern_unref(v[i]);
    for (int i = 1; i < 5000; i += 2) {
        snprintf(s, sizeof s, "v%d", i);
        const char *again = intern(s);
        ck_assert_ptr_eq(again, v[i]);
        intern_unref(again);
        intern_unref(v[i]);
    }
    ck_assert_uint_eq(intern_count(), base);
    intern_unref(NULL);
}
END_TEST

START_TEST(alert_new_normalises_labels)
{
    /* unsorted, an empty value (dropped), a repeated name (last wins) */
    struct label l[] = {{"team", "db"},
                        {"empty", ""},
                        {"alertname", "x"},
                        {"instance", "db-1"},
                        {"alertname", "DiskFull"}};
    struct label an[] = {{"b", "2"}, {"a", ""}, {"b", "3"}};
    struct alert *a = alert_new(l, 5, an, 3, NULL);
    ck_assert_uint_eq(alert_nlabels(a), 3);
    ck_assert_str_eq(alert_label_name(a, 0), "alertname");
    ck_assert_str_eq(alert_label_value(a, 0), "DiskFull");
    ck_assert_str_eq(alert_label_name(a, 2), "team");
    char fp[17];
    fingerprint_format(a->fingerprint, fp);
    ck_assert_str_eq(fp, "a20fee740b3241a0"); /* Alertmanager 0.25's value */
    ck_assert_uint_eq(alert_nannots(a), 2);   /* empty annotations are kept */
    ck_assert_str_eq(alert_annot_name(a, 0), "a");
    ck_assert_str_eq(alert_annot_value(a, 1), "3");
    ck_assert_str_eq(alert_generator_url(a), "");
    ck_assert_uint_eq(a->refs, 1);

    /* identity ignores annotations, URL and times */
    struct label l2[] = {{"instance", "db-1"}, {"team", "db"}, {"alertname", "DiskFull"}};
    struct alert *b = alert_new(l2, 3, NULL, 0, "http://x");
    ck_assert(b->fingerprint == a->fingerprint);
    ck_assert_ptr_eq(alert_label_value(b, 1), alert_label_value(a, 1)); /* interned */
    ck_assert_uint_eq(b->vals[1], a->vals[1]); /* the same id */
    struct alert *d = alert_dup(b);
    ck_assert(d->fingerprint == b->fingerprint);
    ck_assert_str_eq(alert_generator_url(d), "http://x");
    alert_unref(d);
    alert_unref(b);
    alert_unref(a);
}
END_TEST

START_TEST(normalize_resolve_timeout)
{
    int64_t now = T0, rt = 5 * MIN;
    struct alert *a = mk("h", "s", 0, 0, 0);
    alert_normalize(a, now, rt);
    ck_assert(a->starts_at == now && a->ends_at == now + rt && a->updated_at == now);
    ck_assert(a->timeout);
    ck_assert(!alert_resolved(a, now + rt - 1));
    ck_assert(alert_resolved(a, now + rt)); /* ends_at <= now */
    alert_unref(a);

    /* only endsAt: startsAt := endsAt, not timeout-derived */
    a = mk("h", "s", 0, now - MIN, 0);
    alert_normalize(a, now, rt);
    ck_assert(a->starts_at == now - MIN && a->ends_at == now - MIN && !a->timeout);
    ck_assert(alert_resolved(a, now));
    alert_unref(a);

    /* only startsAt */
    a = mk("h", "s", now - 10 * MIN, 0, 0);
    alert_normalize(a, now, rt);
    ck_assert(a->starts_at == now - 10 * MIN && a->ends_at == now + rt && a->timeout);
    alert_unref(a);
}
END_TEST

START_TEST(validate_messages)
{
    struct errbuf err;
    struct alert *a = mk("h", "s", T0, T0 - 1, T0);
    ck_assert_int_eq(alert_validate(a, &err), -1);
    ck_assert_str_eq(err.msg, "start time must be before end time");
    a->ends_at = 0;
    a->starts_at = 0;
    ck_assert_int_eq(alert_validate(a, &err), -1);
    ck_assert_str_eq(err.msg, "start time missing");
    alert_unref(a);

    struct label bad[] = {{"a-b", "x"}};
    a = alert_new(bad, 1, NULL, 0, NULL);
    a->starts_at = T0;
    ck_assert_int_eq(alert_validate(a, &err), -1);
    ck_assert_str_eq(err.msg, "invalid label set: invalid name \"a-b\"");
    alert_unref(a);

    struct label badv[] = {{"a", "x\xff\n"}};
    a = alert_new(badv, 1, NULL, 0, NULL);
    a->starts_at = T0;
    ck_assert_int_eq(alert_validate(a, &err), -1);
    ck_assert_str_eq(err.msg, "invalid label set: invalid value \"x\\xff\\n\"");
    alert_unref(a);

    struct label onlyempty[] = {{"a", ""}};
    a = alert_new(onlyempty, 1, NULL, 0, NULL);
    a->starts_at = T0;
    ck_assert_int_eq(alert_validate(a, &err), -1);
    ck_assert_str_eq(err.msg, "at least one label pair required");
    alert_unref(a);

    struct label ok[] = {{"a", "b"}};
    struct label ban[] = {{"1x", "b"}};
    a = alert_new(ok, 1, ban, 1, NULL);
    a->starts_at = T0;
    ck_assert_int_eq(alert_validate(a, &err), -1);
    ck_assert_str_eq(err.msg, "invalid annotations: invalid name \"1x\"");
    alert_unref(a);

    a = mk("h", "s", T0, T0 + 1, T0);
    ck_assert_int_eq(alert_validate(a, &err), 0);
    alert_unref(a);
}
END_TEST

/* 2.3 bullet 1: no overlap -> replace (a re-fire after a resolution gets a
 * fresh startsAt); the boundaries are strict. */
START_TEST(merge_no_overlap_replaces)
{
    struct alert_store *st = alert_store_new();
    put(st, mk("h", "old", T0, T0 + 5 * MIN, T0), T0);
    /* resolved earlier; fires again after its end */
    struct alert *s =
        put(st, mk("h", "new", T0 + 10 * MIN, T0 + 15 * MIN, T0 + 10 * MIN), T0 + 10 * MIN);
    ck_assert(s->starts_at == T0 + 10 * MIN);
    ck_assert_str_eq(alert_annot_value(s, 0), "new");
    /* starts exactly at the stored end: not strictly inside -> replace */
    s = put(st, mk("h", "edge", T0 + 15 * MIN, T0 + 20 * MIN, T0 + 11 * MIN), T0 + 11 * MIN);
    ck_assert(s->starts_at == T0 + 15 * MIN);
    ck_assert_uint_eq(alert_store_len(st), 1);
    alert_store_free(st);
}
END_TEST

/* 2.3 bullet 2: the younger copy (later updatedAt) is the base: its
 * annotations and generatorURL win, whichever arrives last. */
START_TEST(merge_younger_wins_annotations)
{
    struct alert_store *st = alert_store_new();
    put(st, mk("h", "first", T0, T0 + 5 * MIN, T0), T0);
    struct alert *s = put(st, mk("h", "second", T0, T0 + 6 * MIN, T0 + MIN), T0 + MIN);
    ck_assert_str_eq(alert_annot_value(s, 0), "second");

    /* an older copy arriving late does not override the younger one */
    struct label l[] = {{"instance", "h"}, {"alertname", "Disk"}};
    struct label an[] = {{"summary", "stale"}};
    struct alert *old = alert_new(l, 2, an, 1, "http://stale");
    old->starts_at = T0 + 30 * S;
    old->ends_at = T0 + 7 * MIN;
    old->updated_at = T0 + 30 * S;
    s = put(st, old, T0 + 2 * MIN);
    ck_assert_str_eq(alert_annot_value(s, 0), "second");
    ck_assert_str_eq(alert_generator_url(s), "http://prom/graph");
    ck_assert(s->updated_at == T0 + MIN);
    /* ... but its later explicit end still counts (bullet 4b) */
    ck_assert(s->ends_at == T0 + 7 * MIN);
    alert_store_free(st);
}
END_TEST

/* 2.3 bullet 3: startsAt is the earlier of the two. */
START_TEST(merge_earliest_starts_at)
{
    struct alert_store *st = alert_store_new();
    put(st, mk("h", "a", T0, T0 + 5 * MIN, T0), T0);
    struct alert *s = put(st, mk("h", "b", T0 + MIN, T0 + 6 * MIN, T0 + MIN), T0 + MIN);
    ck_assert(s->starts_at == T0);
    ck_assert(s->ends_at == T0 + 6 * MIN);
    /* an earlier start in the new copy wins too */
    s = put(st, mk("h", "c", T0 - MIN, T0 + 4 * MIN, T0 + 2 * MIN), T0 + 2 * MIN);
    ck_assert(s->starts_at == T0 - MIN);
    alert_store_free(st);
}
END_TEST

/* 2.3 bullet 4a: younger resolved: two resolutions -> the latest resolve
 * time wins; an older firing copy does not extend it. */
START_TEST(merge_resolved_latest_resolve_wins)
{
    int64_t now = T0 + 10 * MIN;
    struct alert_store *st = alert_store_new();
    /* stored: resolved at T0+8m (explicit) */
    put(st, mk("h", "a", T0, T0 + 8 * MIN, T0 + 9 * MIN), T0 + 9 * MIN);
    /* younger: resolved at T0+6m (inside the stored range -> merge) */
    struct alert *s = put(st, mk("h", "b", T0, T0 + 6 * MIN, now), now);
    ck_assert(s->ends_at == T0 + 8 * MIN);
    ck_assert_str_eq(alert_annot_value(s, 0), "b");
    alert_store_free(st);

    /* stored still firing (ends in the future): the younger resolve wins */
    st = alert_store_new();
    put(st, mk("h", "a", T0, T0 + 20 * MIN, T0 + 9 * MIN), T0 + 9 * MIN);
    s = put(st, mk("h", "b", T0, T0 + 6 * MIN, now), now);
    ck_assert(s->ends_at == T0 + 6 * MIN);
    ck_assert(alert_resolved(s, now));
    alert_store_free(st);
}
END_TEST

/* 2.3 bullet 4b: younger firing: the older endsAt is taken only if later
 * and not timeout-derived. */
START_TEST(merge_firing_explicit_end_beats_lease)
{
    int64_t now = T0 + MIN;
    struct alert_store *st = alert_store_new();
    put(st, mk("h", "a", T0, T0 + 30 * MIN, T0), T0); /* explicit */
    struct alert *y = mk("h", "b", 0, 0, 0);
    alert_normalize(y, now, 5 * MIN); /* lease: now+5m */
    struct alert *s = put(st, y, now);
    ck_assert(s->ends_at == T0 + 30 * MIN);
    ck_assert(s->timeout); /* the younger's flag */
    ck_assert(s->starts_at == T0);
    alert_store_free(st);

    st = alert_store_new();
    struct alert *o = mk("h", "a", 0, 0, 0);
    alert_normalize(o, T0, 30 * MIN); /* lease: T0+30m */
    put(st, o, T0);
    y = mk("h", "b", 0, 0, 0);
    alert_normalize(y, now, 5 * MIN);
    s = put(st, y, now);
    ck_assert(s->ends_at == now + 5 * MIN); /* a lease never overrides */
    ck_assert(s->starts_at == T0);          /* but the refresh keeps startsAt */
    alert_store_free(st);
}
END_TEST

/* Acceptance summary: refreshes keep the earliest startsAt and follow the
 * last push's annotations; resolution then re-fire -> new alert. */
START_TEST(merge_refresh_cycle)
{
    struct alert_store *st = alert_store_new();
    int64_t t = T0;
    for (int i = 0; i < 5; i++, t += MIN) {
        char sum[16];
        snprintf(sum, sizeof sum, "v%d", i);
        struct alert *a = mk("h", sum, T0, t + 4 * MIN, t); /* Prometheus-style lease */
        struct alert *s = put(st, a, t);
        ck_assert(s->starts_at == T0);
        ck_assert_str_eq(alert_annot_value(s, 0), sum);
        ck_assert(!alert_resolved(s, t));
    }
    struct alert *s = put(st, mk("h", "res", T0, t, t), t); /* resolved now */
    ck_assert(alert_resolved(s, t));
    ck_assert(s->starts_at == T0);
    t += 10 * MIN;
    s = put(st, mk("h", "again", t, t + 4 * MIN, t), t);
    ck_assert(s->starts_at == t);
    ck_assert(!alert_resolved(s, t));
    alert_store_free(st);
}
END_TEST

START_TEST(merge_keeps_shared_copy_immutable)
{
    struct alert_store *st = alert_store_new();
    struct alert *held = alert_ref(put(st, mk("h", "a", T0, T0 + 5 * MIN, T0), T0));
    put(st, mk("h", "b", T0 + MIN, T0 + 9 * MIN, T0 + MIN), T0 + MIN);
    /* a group or an in-flight send still sees what it was given */
    ck_assert_str_eq(alert_annot_value(held, 0), "a");
    ck_assert(held->ends_at == T0 + 5 * MIN);
    ck_assert_uint_eq(held->refs, 1);
    alert_unref(held);
    alert_store_free(st);
}
END_TEST

struct seen {
    int n;
    struct alert *last;
    uint64_t gc_fps[8];
    int ngc;
};

static void on_put(void *ud, struct alert *a)
{
    struct seen *s = ud;
    s->n++;
    alert_unref(s->last);
    s->last = alert_ref(a);
}

static void on_gc(void *ud, struct alert *a)
{
    struct seen *s = ud;
    if (s->ngc < 8)
        s->gc_fps[s->ngc] = a->fingerprint;
    s->ngc++;
}

START_TEST(subscribers_and_gc)
{
    struct alert_store *st = alert_store_new();
    struct seen seen = {0};
    ck_assert_int_eq(alert_store_subscribe(st, on_put, &seen), 0);
    ck_assert_int_eq(alert_store_subscribe(st, on_put, &seen), -1);
    put(st, mk("a", "x", T0, T0 + 5 * MIN, T0), T0);
    struct alert *s = put(st, mk("a", "y", T0 + MIN, T0 + 9 * MIN, T0 + MIN), T0 + MIN);
    ck_assert_int_eq(seen.n, 2);
    ck_assert_ptr_eq(seen.last, s); /* subscribers see the merged alert */
    ck_assert(seen.last->starts_at == T0);

    struct alert *b = mk("b", "x", 0, 0, 0);
    alert_normalize(b, T0, 5 * MIN); /* timeout lease ends T0+5m */
    uint64_t bfp = b->fingerprint;
    put(st, b, T0);
    put(st, mk("c", "x", T0, T0 + MIN, T0), T0);
    ck_assert_int_eq(alert_store_unsubscribe(st, on_put, &seen), 0);
    ck_assert_int_eq(alert_store_unsubscribe(st, on_put, &seen), -1);
    put(st, mk("d", "x", T0, T0 + 60 * MIN, T0), T0);
    ck_assert_int_eq(seen.n, 4);
    ck_assert_uint_eq(alert_store_len(st), 4);

    const char *ids[] = {"id-1"};
    ck_assert_int_eq(alert_store_set_silenced(st, bfp, ids, 1), 0);

    ck_assert_uint_eq(alert_store_gc(st, T0 + 2 * MIN, on_gc, &seen), 1); /* c */
    ck_assert_uint_eq(alert_store_gc(st, T0 + 5 * MIN, on_gc, &seen), 1); /* b: lease over */
    ck_assert(seen.gc_fps[1] == bfp);
    ck_assert_ptr_null(alert_store_get(st, bfp));
    struct alert_status stt;
    ck_assert_int_eq(alert_store_status(st, bfp, &stt), -1); /* marker went with it */
    ck_assert_uint_eq(alert_store_len(st), 2);
    /* a re-fire after GC starts unprocessed */
    b = mk("b", "x", T0 + 6 * MIN, T0 + 9 * MIN, T0 + 6 * MIN);
    put(st, b, T0 + 6 * MIN);
    ck_assert_int_eq(alert_store_status(st, bfp, &stt), 0);
    ck_assert_int_eq(stt.state, ALERT_UNPROCESSED);
    alert_unref(seen.last);
    alert_store_free(st);
}
END_TEST

START_TEST(markers_and_counts)
{
    struct alert_store *st = alert_store_new();
    struct alert *a = put(st, mk("a", "x", T0, T0 + 5 * MIN, T0), T0);
    uint64_t fa = a->fingerprint;
    uint64_t fb = put(st, mk("b", "x", T0, T0 + 5 * MIN, T0), T0)->fingerprint;
    put(st, mk("c", "x", T0, T0 + MIN, T0), T0); /* resolved at T0+1m */
    struct alert_status s;
    ck_assert_int_eq(alert_store_status(st, fa, &s), 0);
    ck_assert_int_eq(s.state, ALERT_UNPROCESSED);
    ck_assert_str_eq(alert_state_str(s.state), "unprocessed");

    const char *ids[] = {"s1", "s2"};
    ck_assert_int_eq(alert_store_set_silenced(st, fa, ids, 2), 0);
    ck_assert_int_eq(alert_store_set_inhibited(st, fb, NULL, 0), 0);
    ck_assert_int_eq(alert_store_status(st, fa, &s), 0);
    ck_assert_int_eq(s.state, ALERT_SUPPRESSED);
    ck_assert_uint_eq(s.n_silenced_by, 2);
    ck_assert_str_eq(s.silenced_by[1], "s2");
    ck_assert_uint_eq(s.n_inhibited_by, 0);
    ck_assert_int_eq(alert_store_status(st, fb, &s), 0);
    ck_assert_int_eq(s.state, ALERT_ACTIVE);

    size_t counts[ALERT_STATE_COUNT];
    alert_store_count(st, T0 + 2 * MIN, counts); /* c is resolved: not counted */
    ck_assert_uint_eq(counts[ALERT_UNPROCESSED], 0);
    ck_assert_uint_eq(counts[ALERT_ACTIVE], 1);
    ck_assert_uint_eq(counts[ALERT_SUPPRESSED], 1);

    /* inhibited and silenced; clearing one list keeps it suppressed */
    ck_assert_int_eq(alert_store_set_inhibited(st, fa, &fb, 1), 0);
    ck_assert_int_eq(alert_store_set_silenced(st, fa, NULL, 0), 0);
    ck_assert_int_eq(alert_store_status(st, fa, &s), 0);
    ck_assert_int_eq(s.state, ALERT_SUPPRESSED);
    ck_assert(s.inhibited_by[0] == fb);
    ck_assert_uint_eq(s.n_silenced_by, 0);
    /* the marker survives a merge (it belongs to the fingerprint) */
    put(st, mk("a", "y", T0 + MIN, T0 + 9 * MIN, T0 + MIN), T0 + MIN);
    ck_assert_int_eq(alert_store_status(st, fa, &s), 0);
    ck_assert_int_eq(s.state, ALERT_SUPPRESSED);
    ck_assert_int_eq(alert_store_set_inhibited(st, fa, NULL, 0), 0);
    ck_assert_int_eq(alert_store_status(st, fa, &s), 0);
    ck_assert_int_eq(s.state, ALERT_ACTIVE);
    ck_assert_int_eq(alert_store_set_silenced(st, 12345, ids, 1), -1);
    alert_store_free(st);
}
END_TEST

static struct alert *typical(int i, int64_t ends)
{
    char inst[32], sum[48];
    snprintf(inst, sizeof inst, "host-%05d:9100", i);
    snprintf(sum, sizeof sum, "Load high on host-%05d", i);
    struct label l[] = {{"alertname", "HighLoad"}, {"instance", inst},
                        {"job", "node"},           {"severity", i % 3 ? "warning" : "critical"},
                        {"team", "infra"},         {"env", "prod"}};
    struct label an[] = {{"summary", sum}, {"runbook", "https://wiki/runbooks/load"}};
    struct alert *a = alert_new(l, 6, an, 2, "http://prom:9090/graph?g0.expr=load");
    a->starts_at = T0;
    a->ends_at = ends;
    a->updated_at = T0;
    return a;
}

START_TEST(hundred_thousand)
{
    enum { N = 100000 };
    size_t base = intern_count();
    struct alert_store *st = alert_store_new();
    uint64_t *fps = malloc(N * sizeof *fps);
    for (int i = 0; i < N; i++) {
        /* even: resolved at T0+1m; odd: firing until T0+10m */
        struct alert *a = typical(i, i % 2 ? T0 + 10 * MIN : T0 + MIN);
        fps[i] = a->fingerprint;
        put(st, a, T0);
    }
    ck_assert_uint_eq(alert_store_len(st), N);
    for (int i = 0; i < N; i++) {
        struct alert *a = alert_store_get(st, fps[i]);
        ck_assert_ptr_nonnull(a);
        char inst[32];
        snprintf(inst, sizeof inst, "host-%05d:9100", i);
        ck_assert_str_eq(alert_label_get(a, "instance"), inst);
    }
    struct alert **v;
    size_t n = alert_store_list(st, &v);
    ck_assert_uint_eq(n, N);
    for (size_t i = 1; i < n; i++)
        ck_assert(v[i - 1]->fingerprint < v[i]->fingerprint); /* distinct, sorted */
    alert_list_free(v, n);

    ck_assert_uint_eq(alert_store_gc(st, T0 + 2 * MIN, NULL, NULL), N / 2);
    ck_assert_uint_eq(alert_store_len(st), N / 2);
    size_t pos = 0, seen = 0;
    struct alert *it;
    while (alert_store_next(st, &pos, &it)) {
        ck_assert(!alert_resolved(it, T0 + 2 * MIN));
        seen++;
    }
    ck_assert_uint_eq(seen, N / 2);
    for (int i = 0; i < N; i++) {
        struct alert *a = alert_store_get(st, fps[i]);
        if (i % 2)
            ck_assert_ptr_nonnull(a);
        else
            ck_assert_ptr_null(a);
    }
    /* refresh every firing alert: merges, no growth */
    for (int i = 1; i < N; i += 2)
        put(st, typical(i, T0 + 20 * MIN), T0 + MIN);
    ck_assert_uint_eq(alert_store_len(st), N / 2);
    ck_assert(alert_store_get(st, fps[1])->ends_at == T0 + 20 * MIN);
    alert_store_free(st);
    free(fps);
    ck_assert_uint_eq(intern_count(), base); /* every string released */
}
END_TEST

Suite *alert_store_suite(void)
{
    Suite *s = suite_create("alert_store");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, intern_shares_and_frees);
    tcase_add_test(tc, alert_new_normalises_labels);
    tcase_add_test(tc, normalize_resolve_timeout);
    tcase_add_test(tc, validate_messages);
    tcase_add_test(tc, merge_no_overlap_replaces);
    tcase_add_test(tc, merge_younger_wins_annotations);
    tcase_add_test(tc, merge_earliest_starts_at);
    tcase_add_test(tc, merge_resolved_latest_resolve_wins);
    tcase_add_test(tc, merge_firing_explicit_end_beats_lease);
    tcase_add_test(tc, merge_refresh_cycle);
    tcase_add_test(tc, merge_keeps_shared_copy_immutable);
    tcase_add_test(tc, subscribers_and_gc);
    tcase_add_test(tc, markers_and_counts);
    tcase_add_test(tc, hundred_thousand);
    suite_add_tcase(s, tc);
    return s;
}

/* test_alert_shape.c -- intern ids, shared name lists (shapes), and the
 * alert accessors and views built on them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alert_shape.h"
#include "check_main.h"
#include "intern.h"

START_TEST(intern_ids)
{
    size_t base = intern_count();
    /* "" is id 0, always there and never counted */
    ck_assert_uint_eq(intern_id(""), INTERN_EMPTY);
    ck_assert_uint_eq(intern_id_n("xyz", 0), INTERN_EMPTY);
    ck_assert_str_eq(intern_str(INTERN_EMPTY), "");
    const char *e = intern("");
    ck_assert_ptr_eq(e, intern_str(INTERN_EMPTY));
    intern_ref(e);
    intern_unref(e);
    intern_unref(e);
    intern_id_unref(INTERN_EMPTY);
    ck_assert_uint_eq(intern_count(), base);

    uint32_t a = intern_id("severity");
    ck_assert_uint_ne(a, INTERN_EMPTY);
    uint32_t a2 = intern_id_n("severityXX", 8);
    ck_assert_uint_eq(a2, a);
    intern_id_unref(a2);
    ck_assert_str_eq(intern_str(a), "severity");
    /* the pointer form is the same string and shares the count */
    const char *p = intern("severity");
    ck_assert_ptr_eq(p, intern_str(a));
    ck_assert_uint_eq(intern_count(), base + 1);
    intern_unref(p);
    intern_id_unref(intern_id_ref(a));
    intern_id_unref(a);
    intern_unref(intern_str(intern_id("severity"))); /* id taken, pointer released */
    ck_assert_uint_eq(intern_count(), base);

    /* ids survive growth of the id array; freed ids are reused */
    enum { N = 3000 };
    static uint32_t ids[N];
    char s[32];
    for (int i = 0; i < N; i++) {
        snprintf(s, sizeof s, "id-%d", i);
        ids[i] = intern_id(s);
    }
    for (int i = 0; i < N; i++) {
        snprintf(s, sizeof s, "id-%d", i);
        ck_assert_str_eq(intern_str(ids[i]), s);
    }
    uint32_t freed = ids[17];
    intern_id_unref(freed);
    uint32_t again = intern_id("brand new");
    ck_assert_uint_eq(again, freed);
    ck_assert_str_eq(intern_str(again), "brand new");
    intern_id_unref(again);
    for (int i = 0; i < N; i++)
        if (i != 17)
            intern_id_unref(ids[i]);
    ck_assert_uint_eq(intern_count(), base);
}
END_TEST

START_TEST(shapes_are_shared)
{
    size_t base = alert_shape_count(), ibase = intern_count();
    struct label l1[] = {{"instance", "a:1"}, {"alertname", "Disk"}};
    struct label l2[] = {{"alertname", "Disk"}, {"instance", "b:2"}};
    struct label an[] = {{"summary", "s"}};
    struct alert *a = alert_new(l1, 2, an, 1, NULL);
    struct alert *b = alert_new(l2, 2, an, 1, "http://x");
    struct alert *c = alert_new(l2, 2, NULL, 0, NULL);
    ck_assert_ptr_eq(a->shape, b->shape);
    ck_assert_ptr_ne(a->shape, c->shape); /* no annotation: another shape */
    ck_assert_uint_eq(alert_shape_count(), base + 2);
    ck_assert_uint_eq(a->shape->refs, 2);
    struct alert *d = alert_dup(a);
    ck_assert_ptr_eq(d->shape, a->shape);
    ck_assert_uint_eq(a->shape->refs, 3);

    ck_assert_uint_eq(alert_nlabels(b), 2);
    ck_assert_uint_eq(alert_nannots(b), 1);
    ck_assert_str_eq(alert_label_name(b, 1), "instance");
    ck_assert_str_eq(alert_label_value(b, 1), "b:2");
    ck_assert_str_eq(alert_annot_name(b, 0), "summary");
    ck_assert_str_eq(alert_annot_value(b, 0), "s");
    ck_assert_str_eq(alert_generator_url(b), "http://x");
    ck_assert_str_eq(alert_generator_url(a), "");
    ck_assert_str_eq(alert_label_get(d, "instance"), "a:1");
    ck_assert_ptr_null(alert_label_get(d, "summary"));
    ck_assert_str_eq(alert_annot_get(d, "summary"), "s");
    ck_assert_ptr_null(alert_annot_get(c, "summary"));

    alert_unref(a);
    alert_unref(b);
    alert_unref(c);
    ck_assert_uint_eq(alert_shape_count(), base + 1);
    alert_unref(d);
    ck_assert_uint_eq(alert_shape_count(), base);
    ck_assert_uint_eq(intern_count(), ibase);
}
END_TEST

/* More pairs than any stack scratch or inline view holds. */
START_TEST(large_alert_views)
{
    size_t ibase = intern_count();
    enum { NL = 70, NA = 40 };
    struct label *l = calloc(NL, sizeof *l), *an = calloc(NA, sizeof *an);
    char (*txt)[2][16] = calloc(NL + NA, sizeof *txt);
    for (int i = 0; i < NL + NA; i++) {
        snprintf(txt[i][0], sizeof txt[i][0], "n%03d", i);
        snprintf(txt[i][1], sizeof txt[i][1], "v%d", i);
        struct label *dst = i < NL ? &l[i] : &an[i - NL];
        *dst = (struct label){txt[i][0], txt[i][1]};
    }
    struct alert *a = alert_new(l, NL, an, NA, NULL);
    struct alert_view v;
    const struct labels *ls = alert_labels_view(a, &v);
    ck_assert_uint_eq(ls->n, NL);
    ck_assert_str_eq(ls->v[0].name, "n000");
    ck_assert_str_eq(ls->v[NL - 1].value, "v69");
    ck_assert(labels_fingerprint(ls) == a->fingerprint);
    alert_view_deinit(&v);
    ls = alert_annots_view(a, &v);
    ck_assert_uint_eq(ls->n, NA);
    ck_assert_str_eq(ls->v[NA - 1].name, "n109");
    ck_assert_str_eq(ls->v[NA - 1].value, "v109");
    alert_view_deinit(&v);
    alert_unref(a);
    free(txt);
    free(l);
    free(an);
    ck_assert_uint_eq(intern_count(), ibase);
}
END_TEST

Suite *alert_shape_suite(void)
{
    Suite *s = suite_create("alert_shape");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, intern_ids);
    tcase_add_test(tc, shapes_are_shared);
    tcase_add_test(tc, large_alert_views);
    suite_add_tcase(s, tc);
    return s;
}

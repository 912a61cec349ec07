/* test_notify_teams.c -- the msteamsv2 Adaptive Card (structure, colours,
 * facts, links, the 24 KB cap with its "… and N more alerts" note, capped
 * texts, template errors) and the legacy MessageCard.
 *
 * Every card built here is also written to $AR_CARD_DIR (when set) as
 * card-<name>.json, so that t_notify_slack_teams.sh validates each one
 * against the Adaptive Card 1.4 schema with ajv. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "notify.h"
#include "notify_internal.h"
#include "notify_tmpl.h"

#define S NS_PER_SEC
#define T0 (1795714048LL * S)
#define DEF_TITLE "{{ template \"msteamsv2.default.title\" . }}"
#define DEF_TEXT "{{ template \"msteamsv2.default.text\" . }}"

static void dump(const char *name, const struct buf *b)
{
    const char *dir = getenv("AR_CARD_DIR");
    if (!dir)
        return;
    char p[512];
    snprintf(p, sizeof p, "%s/card-%s.json", dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(b->p, 1, b->len, f);
    fclose(f);
}

static struct alert *mk(const char *inst, const char *summary, const char *gen, bool resolved)
{
    struct label l[] = {{"alertname", "DiskFull"},
                        {"instance", inst},
                        {"severity", "critical"},
                        {"team", "db \"core\" \\ <x>"}};
    struct label a[] = {{"summary", summary}, {"runbook", "https://runbook.example/disk"}};
    struct alert *al = alert_new(l, 4, a, 2, gen);
    al->starts_at = T0;
    al->ends_at = resolved ? T0 + 60 * S : 0;
    return al;
}

static struct notify_req *mk_req(struct alert **al, size_t n, const char *ext)
{
    struct label gl[] = {{"alertname", "DiskFull"}};
    struct labels gls = {1, gl};
    struct notify_req_args a = {.receiver = "team db",
                                .group_key = "{}:{alertname=\"DiskFull\"}",
                                .external_url = ext,
                                .group_labels = &gls,
                                .alerts = al,
                                .n_alerts = n,
                                .now = T0 + 120 * S};
    return notify_req_new(&a);
}

/* Builds the card, dumps it, parses it and returns content (the card). */
static json_t *card(const char *name, const struct msteams_cfg *cfg, struct notify_req *r,
                    size_t max, struct buf *out, size_t *dropped)
{
    buf_reset(out);
    notify_msteamsv2_payload(cfg, notify_templates_default(), r, r->alerts, r->n_alerts, max, out,
                             dropped);
    dump(name, out);
    json_error_t e;
    json_t *env = json_loadb(out->p, out->len, 0, &e);
    ck_assert_msg(env != NULL, "%s: not JSON: %s", name, e.text);
    ck_assert_str_eq(json_string_value(json_object_get(env, "type")), "message");
    json_t *att = json_array_get(json_object_get(env, "attachments"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(att, "contentType")),
                     "application/vnd.microsoft.card.adaptive");
    ck_assert(json_is_null(json_object_get(att, "contentUrl")));
    json_t *c = json_incref(json_object_get(att, "content"));
    json_decref(env);
    ck_assert_str_eq(json_string_value(json_object_get(c, "type")), "AdaptiveCard");
    ck_assert_str_eq(json_string_value(json_object_get(c, "version")), "1.4");
    ck_assert_str_eq(json_string_value(json_object_get(c, "$schema")),
                     "http://adaptivecards.io/schemas/adaptive-card.json");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "msteams"), "width")),
                     "Full");
    ck_assert_str_eq(out->p + out->len - 1, "\n");
    return c;
}

static const char *body_text(json_t *c, size_t i)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(c, "body"), i), "text"));
}

START_TEST(card_firing)
{
    struct alert *al[2] = {
        mk("db-1:9100", "disk > 90% & **rising**", "http://prom:9090/graph?g0.expr=a<b", false),
        mk("db-2:9100", "disk > 95%", "javascript:alert(1)", false)};
    struct notify_req *r = mk_req(al, 2, "http://router.example:9093");
    struct msteams_cfg cfg = {.title = DEF_TITLE, .text = DEF_TEXT};
    struct buf out = BUF_INIT;
    size_t dropped;
    json_t *c = card("firing", &cfg, r, TEAMS_CARD_MAX_BYTES, &out, &dropped);
    ck_assert_uint_eq(dropped, 0);
    json_t *body = json_object_get(c, "body");
    /* title + one container per alert; the default text is not repeated */
    ck_assert_uint_eq(json_array_size(body), 3);
    json_t *t = json_array_get(body, 0);
    ck_assert_str_eq(body_text(c, 0), "[FIRING:2] DiskFull (critical db \"core\" \\ <x>)");
    ck_assert_str_eq(json_string_value(json_object_get(t, "color")), "Attention");
    ck_assert_str_eq(json_string_value(json_object_get(t, "weight")), "Bolder");
    ck_assert_ptr_null(json_object_get(t, "style")); /* 1.5 only */
    json_t *c1 = json_array_get(body, 1);
    ck_assert_str_eq(json_string_value(json_object_get(c1, "type")), "Container");
    json_t *items = json_object_get(c1, "items");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "text")),
                     "FIRING: DiskFull");
    json_t *facts = json_object_get(json_array_get(items, 1), "facts");
    /* 3 labels (alertname is the heading) + 2 annotations, in order */
    ck_assert_uint_eq(json_array_size(facts), 5);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(facts, 0), "title")),
                     "instance");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(facts, 2), "value")),
                     "db \"core\" \\ <x>");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(facts, 4), "value")),
                     "disk > 90% & **rising**");
    /* the source link, percent-encoded into a valid URI */
    json_t *act = json_array_get(json_object_get(json_array_get(items, 2), "actions"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(act, "type")), "Action.OpenUrl");
    ck_assert_str_eq(json_string_value(json_object_get(act, "url")),
                     "http://prom:9090/graph?g0.expr=a%3Cb");
    /* a javascript: source gets no button */
    json_t *items2 = json_object_get(json_array_get(body, 2), "items");
    ck_assert_uint_eq(json_array_size(items2), 2);
    /* the link to the alert list */
    json_t *top = json_array_get(json_object_get(c, "actions"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(top, "url")),
                     "http://router.example:9093/#/alerts?receiver=team+db");
    json_decref(c);
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(al[0]);
    alert_unref(al[1]);
}
END_TEST

START_TEST(card_resolved_custom_text)
{
    struct alert *al[1] = {mk("db-1", "s", "", true)};
    struct notify_req *r = mk_req(al, 1, "");
    struct msteams_cfg cfg = {.title = "Disk on {{ .CommonLabels.instance }}",
                              .text = "Owner: {{ .CommonLabels.team }}"};
    struct buf out = BUF_INIT;
    size_t dropped;
    json_t *c = card("resolved-custom", &cfg, r, TEAMS_CARD_MAX_BYTES, &out, &dropped);
    json_t *body = json_object_get(c, "body");
    ck_assert_uint_eq(json_array_size(body), 3); /* title, text, one alert */
    ck_assert_str_eq(body_text(c, 0), "Disk on db-1");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(body, 0), "color")), "Good");
    ck_assert_str_eq(body_text(c, 1), "Owner: db \"core\" \\ <x>");
    json_t *items = json_object_get(json_array_get(body, 2), "items");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "text")),
                     "RESOLVED: DiskFull");
    ck_assert_uint_eq(json_array_size(items), 2);      /* no generator URL: no button */
    ck_assert_ptr_null(json_object_get(c, "actions")); /* no external URL */
    json_decref(c);
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(al[0]);
}
END_TEST

/* 400 alerts with long annotations: the card stays under the cap, the
 * alerts that did not fit are counted in a visible note, and the count
 * adds up. */
START_TEST(card_size_cap)
{
    enum { N = 400 };
    static struct alert *al[N];
    char summary[600], inst[32];
    memset(summary, 'w', sizeof summary - 1);
    summary[sizeof summary - 1] = '\0';
    for (int i = 0; i < N; i++) {
        snprintf(inst, sizeof inst, "db-%03d", i);
        al[i] = mk(inst, summary, "http://prom:9090/graph?g0.expr=x", false);
    }
    struct notify_req *r = mk_req(al, N, "http://router.example:9093");
    struct msteams_cfg cfg = {.title = DEF_TITLE, .text = DEF_TEXT};
    struct buf out = BUF_INIT;
    size_t dropped;
    json_t *c = card("cap-400", &cfg, r, TEAMS_CARD_MAX_BYTES, &out, &dropped);
    ck_assert_uint_le(out.len, TEAMS_CARD_MAX_BYTES);
    ck_assert_uint_gt(dropped, 0);
    json_t *body = json_object_get(c, "body");
    size_t nb = json_array_size(body);
    size_t shown = nb - 2; /* minus title and note */
    ck_assert_uint_eq(shown + dropped, N);
    ck_assert_uint_gt(shown, 5);
    char want[64];
    snprintf(want, sizeof want, "\xe2\x80\xa6 and %zu more alerts", dropped);
    ck_assert_str_eq(body_text(c, nb - 1), want);
    /* the cap is what it says: smaller caps hold too */
    json_decref(c);
    c = card("cap-8k", &cfg, r, 8192, &out, &dropped);
    ck_assert_uint_le(out.len, 8192);
    ck_assert_uint_eq(json_array_size(json_object_get(c, "body")) - 2 + dropped, N);
    json_decref(c);
    buf_deinit(&out);
    notify_req_unref(r);
    for (int i = 0; i < N; i++)
        alert_unref(al[i]);
}
END_TEST

/* A 512 KB annotation, a 200-label alert, and a 512 KB custom text: capped
 * texts (cut on a UTF-8 and escape boundary), capped facts, still valid. */
START_TEST(card_huge_values)
{
    size_t n = 1 << 19; /* under the template engine's 1 MB output cap */
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i += 3)
        memcpy(big + i, i + 3 <= n ? "\xe2\x9c\x93" : "xxx", i + 3 <= n ? 3 : n - i);
    big[n] = '\0';
    struct label l[200];
    char names[200][16], vals[200][16];
    for (int i = 0; i < 200; i++) {
        snprintf(names[i], sizeof names[i], "l%03d", i);
        snprintf(vals[i], sizeof vals[i], "<\"%d\">", i);
        l[i].name = names[i];
        l[i].value = vals[i];
    }
    l[0].name = "alertname";
    struct label a[] = {{"description", big}};
    struct alert *al = alert_new(l, 200, a, 1, "http://x.example/\xe2\x9c\x93 a b");
    al->starts_at = T0;
    struct notify_req *r = mk_req(&al, 1, "http://router.example:9093");
    struct msteams_cfg cfg = {.title = "{{ .CommonAnnotations.description }}",
                              .text = "{{ .CommonAnnotations.description }}\"<>&"};
    struct buf out = BUF_INIT;
    size_t dropped;
    json_t *c = card("huge", &cfg, r, TEAMS_CARD_MAX_BYTES, &out, &dropped);
    ck_assert_uint_le(out.len, TEAMS_CARD_MAX_BYTES);
    ck_assert_uint_eq(dropped, 0);
    const char *title = body_text(c, 0);
    ck_assert_uint_lt(strlen(title), 2100);
    ck_assert_str_eq(title + strlen(title) - 3, "\xe2\x80\xa6");
    const char *text = body_text(c, 1);
    ck_assert_uint_lt(strlen(text), 8200);
    ck_assert_str_eq(text + strlen(text) - 3, "\xe2\x80\xa6");
    json_t *items = json_object_get(json_array_get(json_object_get(c, "body"), 2), "items");
    json_t *facts = json_object_get(json_array_get(items, 1), "facts");
    ck_assert_uint_eq(json_array_size(facts), 41); /* 40 + "… N more" */
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(facts, 40), "value")),
                     "160 more");
    json_t *act = json_array_get(json_object_get(json_array_get(items, 2), "actions"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(act, "url")),
                     "http://x.example/%E2%9C%93%20a%20b");
    json_decref(c);
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(al);
    free(big);
}
END_TEST

START_TEST(card_template_error)
{
    struct alert *al[1] = {mk("db-1", "s", "", false)};
    struct notify_req *r = mk_req(al, 1, "http://router.example:9093");
    struct msteams_cfg cfg = {.title = "{{ template \"nope\" . }}", .text = DEF_TEXT};
    struct buf out = BUF_INIT;
    size_t dropped;
    json_t *c = card("tmpl-error", &cfg, r, TEAMS_CARD_MAX_BYTES, &out, &dropped);
    ck_assert_msg(strncmp(body_text(c, 0), "template error in title: ", 25) == 0, "%s",
                  body_text(c, 0));
    json_decref(c);
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(al[0]);
}
END_TEST

START_TEST(legacy_message_card)
{
    struct alert *al[1] = {mk("db-1", "s & <t>", "", false)};
    struct notify_req *r = mk_req(al, 1, "http://router.example:9093");
    struct msteams_cfg cfg = {.title = "{{ template \"msteams.default.title\" . }}",
                              .summary = "{{ template \"msteams.default.summary\" . }}",
                              .text = "{{ .CommonAnnotations.summary }}"};
    struct buf out = BUF_INIT;
    notify_msteams_payload(&cfg, notify_templates_default(), r, r->alerts, 1, &out);
    ck_assert_str_eq(buf_str(&out),
                     "{\"@type\":\"MessageCard\",\"@context\":\"http://schema.org/extensions\","
                     "\"type\":\"MessageCard\",\"title\":\"[FIRING:1] DiskFull (db-1 critical db "
                     "\\\"core\\\" \\\\ \\u003cx\\u003e)\",\"summary\":\"[FIRING:1] DiskFull "
                     "(db-1 critical db \\\"core\\\" \\\\ \\u003cx\\u003e)\",\"text\":\"s "
                     "\\u0026 \\u003ct\\u003e\",\"themeColor\":\"8C1A1A\"}\n");
    notify_req_unref(r);
    al[0]->ends_at = T0 + 1;
    r = mk_req(al, 1, "");
    buf_reset(&out);
    notify_msteams_payload(&cfg, notify_templates_default(), r, r->alerts, 1, &out);
    ck_assert_ptr_nonnull(strstr(buf_str(&out), "\"themeColor\":\"2DC72D\"}\n"));
    ck_assert_ptr_nonnull(strstr(buf_str(&out), "\"title\":\"[RESOLVED] DiskFull"));
    buf_deinit(&out);
    notify_req_unref(r);
    alert_unref(al[0]);
}
END_TEST

Suite *notify_teams_suite(void)
{
    Suite *s = suite_create("notify_teams");
    TCase *tc = tcase_create("notify_teams");
    tcase_add_test(tc, card_firing);
    tcase_add_test(tc, card_resolved_custom_text);
    tcase_add_test(tc, card_size_cap);
    tcase_add_test(tc, card_huge_values);
    tcase_add_test(tc, card_template_error);
    tcase_add_test(tc, legacy_message_card);
    suite_add_tcase(s, tc);
    return s;
}

/* tmpl_render.c -- renders a template with alertrouter's engine, for tests.
 *
 *   tmpl_render [--html] [--now MS] [-t FILE]... DATA.json TEXT
 *
 * DATA.json is an Alertmanager webhook payload (receiver, status, alerts,
 * groupLabels, commonLabels, commonAnnotations, externalURL): the same data
 * Alertmanager hands its templates.  TEXT is a config-field template such as
 * '{{ template "slack.default.title" . }}'.  The built-in default.tmpl is
 * loaded first, then each -t file.  Prints the result (no newline added) or
 * the error on stderr with exit status 1.  t_template_diff.sh compares this
 * output with what Alertmanager 0.25 renders for the same data. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "mem.h"
#include "template.h"

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* RFC 3339 -> unix ms; Go's zero time -> TMPL_TIME_ZERO. */
static int64_t parse_time(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return TMPL_TIME_ZERO;
    if (y == 1 && mo == 1 && d == 1 && h == 0 && mi == 0 && sec == 0)
        return TMPL_TIME_ZERO;
    const char *p = s + n;
    int64_t ms = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3)
                ms = ms * 10 + (*p - '0');
        for (; digits < 3; digits++)
            ms *= 10;
    }
    int64_t off = 0;
    if (*p == '+' || *p == '-') {
        int oh = 0, om = 0;
        sscanf(p + 1, "%d:%d", &oh, &om);
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    }
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    return t * 1000 + ms;
}

static struct labels kv(json_t *o)
{
    struct labels ls = {0, NULL};
    if (!json_is_object(o))
        return ls;
    ls.v = xcalloc(json_object_size(o) + 1, sizeof *ls.v);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        ls.v[ls.n].name = k;
        ls.v[ls.n].value = json_is_string(v) ? json_string_value(v) : "";
        ls.n++;
    }
    labels_sort(&ls);
    return ls;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

int main(int argc, char **argv)
{
    bool html = false;
    int64_t now = 0;
    struct errbuf err;
    struct tmpl_set *set = tmpl_set_new();
    if (tmpl_set_load_default(set, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--html") == 0) {
            html = true;
        } else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
            now = strtoll(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            if (tmpl_set_parse_file(set, argv[++i], &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
        } else {
            break;
        }
    }
    if (argc - i != 2) {
        fprintf(stderr, "usage: tmpl_render [--html] [--now MS] [-t FILE]... DATA.json TEXT\n");
        return 2;
    }
    json_error_t jerr;
    json_t *root = json_load_file(argv[i], 0, &jerr);
    if (!root) {
        fprintf(stderr, "%s:%d: %s\n", argv[i], jerr.line, jerr.text);
        return 1;
    }
    json_t *alerts = json_object_get(root, "alerts");
    size_t na = json_array_size(alerts);
    struct tmpl_alert *as = xcalloc(na + 1, sizeof *as);
    for (size_t k = 0; k < na; k++) {
        json_t *a = json_array_get(alerts, k);
        as[k].status = str(a, "status");
        as[k].labels = kv(json_object_get(a, "labels"));
        as[k].annotations = kv(json_object_get(a, "annotations"));
        as[k].starts_at_ms = parse_time(json_string_value(json_object_get(a, "startsAt")));
        as[k].ends_at_ms = parse_time(json_string_value(json_object_get(a, "endsAt")));
        as[k].generator_url = str(a, "generatorURL");
        as[k].fingerprint = str(a, "fingerprint");
    }
    struct tmpl_data d = {
        .receiver = str(root, "receiver"),
        .status = str(root, "status"),
        .external_url = str(root, "externalURL"),
        .alerts = as,
        .nalerts = na,
        .group_labels = kv(json_object_get(root, "groupLabels")),
        .common_labels = kv(json_object_get(root, "commonLabels")),
        .common_annotations = kv(json_object_get(root, "commonAnnotations")),
        .now_ms = now,
    };
    struct buf out;
    buf_init(&out, 0);
    int rc = tmpl_exec_string(set, argv[i + 1], &d, html, &out, &err);
    if (rc < 0) {
        fprintf(stderr, "%s\n", err.msg);
    } else {
        fwrite(buf_str(&out), 1, out.len, stdout);
    }
    buf_deinit(&out);
    for (size_t k = 0; k < na; k++) {
        free(as[k].labels.v);
        free(as[k].annotations.v);
    }
    free(as);
    free(d.group_labels.v);
    free(d.common_labels.v);
    free(d.common_annotations.v);
    json_decref(root);
    tmpl_set_free(set);
    return rc < 0 ? 1 : 0;
}

/* api_alerts.c -- POST /api/v2/alerts and POST /api/v1/alerts: where every
 * alert enters the router.
 *
 * Alertmanager 0.25 takes a posted body through four gates, and a drop-in
 * has to answer each the same way (reference 1.3, observed on 0.25):
 *   1. go-openapi's Content-Type check (415), skipped for an empty body;
 *   2. json.Decoder: syntax of the first value (400 "parsing alerts body
 *      from \"\" failed, because invalid character ..."), then types;
 *      PostableAlert decodes itself in two passes (annotations and times,
 *      then labels and generatorURL), which fixes which error wins;
 *   3. the schema (422): labels required, generatorURL a request URI;
 *   4. the handler: times defaulted, empty-valued labels dropped, each
 *      alert validated; valid ones are stored even when others fail, and
 *      the request then answers 400 with every message joined by "; ".
 * The decoder reads straight from the body into label arrays (strings are
 * unescaped in place), so an alert costs a few hundred nanoseconds before
 * the store.  v1 takes the same array with its own decode messages and
 * answers in the v1 envelope. */
#include "api_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goquote.h"
#include "intern.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"

static void push_pair(struct label **v, size_t *n, size_t *cap, const char *k, const char *val)
{
    *v = xgrow(*v, cap, *n + 1, sizeof **v);
    (*v)[(*n)++] = (struct label){k, val};
}

static void type_error(bool *set, struct errbuf *e, enum gojson_kind k, const char *where,
                       const char *type)
{
    if (*set)
        return;
    *set = true;
    errbuf_set(e, "json: cannot unmarshal %s into Go %s of type %s", gojson_kind_str(k), where,
               type);
}

/* Go's UnmarshalTypeError location for a map value. */
static void map_where(int version, bool labels, char *where, size_t n)
{
    const char *field = labels ? "labels" : "annotations";
    if (version == 1)
        snprintf(where, n, "struct field Alert.%s", field);
    else
        snprintf(where, n, "struct field %s.%s", labels ? "Alert" : "", field);
}

/* A label map (labels or annotations): string values, null as "". */
static void decode_map(struct api_alerts_body *d, bool labels, bool *saved, struct errbuf *e_saved,
                       bool *aborted, struct errbuf *e_abort)
{
    struct label **v = labels ? &d->lv : &d->av;
    size_t *n = labels ? &d->nl : &d->na, *cap = labels ? &d->cap_l : &d->cap_a;
    gojson_obj_begin(&d->j);
    char *key;
    size_t klen;
    while (gojson_obj_next(&d->j, &key, &klen)) {
        if (*aborted) {
            gojson_skip(&d->j);
            continue;
        }
        if (d->version == 1 && !label_name_valid(key)) {
            /* model.LabelSet's UnmarshalJSON validates names */
            *aborted = true;
            struct buf b = BUF_INIT;
            go_quote(&b, key, klen);
            errbuf_set(e_abort, "%s is not a valid label name", buf_str(&b));
            buf_deinit(&b);
            gojson_skip(&d->j);
            continue;
        }
        enum gojson_kind k = gojson_peek(&d->j);
        if (k == GJ_STRING) {
            size_t vlen;
            char *val = gojson_read_string(&d->j, &vlen);
            push_pair(v, n, cap, key, val);
        } else if (k == GJ_NULL) {
            gojson_skip(&d->j);
            push_pair(v, n, cap, key, "");
        } else {
            gojson_skip(&d->j);
            char where[64];
            map_where(d->version, labels, where, sizeof where);
            type_error(saved, e_saved, k, where, d->version == 1 ? "model.LabelValue" : "string");
        }
    }
}

/* startsAt / endsAt.  v2: strfmt.DateTime; v1: time.Time (RFC3339 on the
 * raw text).  Errors abort. */
static void decode_time(struct api_alerts_body *d, int64_t *ns, const char *field, bool *aborted,
                        struct errbuf *e_abort)
{
    enum gojson_kind k = gojson_peek(&d->j);
    bool zero = false;
    int64_t v = 0;
    if (d->version == 1) {
        char *raw = d->j.p;
        gojson_skip(&d->j);
        int rc = gotime_parse_json_rfc3339(raw, (size_t)(d->j.p - raw), &v, &zero, e_abort);
        if (rc < 0)
            *aborted = true;
        if (rc != 0)
            return;
    } else {
        if (k == GJ_NULL) {
            gojson_skip(&d->j);
            return; /* DateTime.UnmarshalJSON ignores null */
        }
        if (k != GJ_STRING) {
            gojson_skip(&d->j);
            *aborted = true;
            errbuf_set(e_abort, "json: cannot unmarshal %s into Go struct field .%s of type string",
                       gojson_kind_str(k), field);
            return;
        }
        size_t len;
        char *s = gojson_read_string(&d->j, &len);
        if (gotime_parse_datetime(s, &v, &zero, e_abort) < 0) {
            *aborted = true;
            return;
        }
    }
    /* 0 means unset here; the epoch itself (strfmt's "") becomes 1 ns,
     * which prints the same. */
    *ns = zero ? 0 : (v == 0 ? 1 : v);
}

static void decode_element(struct api_alerts_body *d, struct api_alert_elem *el)
{
    int v1 = d->version == 1;
    el->l0 = d->nl;
    el->a0 = d->na;
    enum gojson_kind k = gojson_peek(&d->j);
    if (k == GJ_NULL) {
        gojson_skip(&d->j);
        el->is_null = true;
        return;
    }
    if (k != GJ_OBJECT) {
        gojson_skip(&d->j);
        type_error(
            &d->saved1, &d->e_saved1, k, "value",
            v1 ? "types.Alert"
               : "struct { Annotations models.LabelSet \"json:\\\"annotations,omitempty\\\"\"; "
                 "EndsAt strfmt.DateTime \"json:\\\"endsAt,omitempty\\\"\"; "
                 "StartsAt strfmt.DateTime \"json:\\\"startsAt,omitempty\\\"\" }");
        return;
    }
    gojson_obj_begin(&d->j);
    char *key;
    size_t klen;
    while (gojson_obj_next(&d->j, &key, &klen)) {
        bool labels = gojson_key_is(key, klen, "labels");
        bool annots = !labels && gojson_key_is(key, klen, "annotations");
        bool starts = gojson_key_is(key, klen, "startsAt");
        bool ends = gojson_key_is(key, klen, "endsAt");
        bool gen = gojson_key_is(key, klen, "generatorURL");
        /* pass 1 of PostableAlert holds annotations and the times; pass 2
         * labels and generatorURL.  v1 decodes all in one pass. */
        bool p1 = annots || starts || ends || (v1 && (labels || gen));
        bool *ab = p1 ? &d->abort1 : &d->abort2, *sv = p1 ? &d->saved1 : &d->saved2;
        struct errbuf *eab = p1 ? &d->e_abort1 : &d->e_abort2;
        struct errbuf *esv = p1 ? &d->e_saved1 : &d->e_saved2;
        if (!(labels || annots || starts || ends || gen) || *ab) {
            gojson_skip(&d->j);
            continue;
        }
        k = gojson_peek(&d->j);
        if (labels || annots) {
            size_t *n = labels ? &d->nl : &d->na;
            size_t start = labels ? el->l0 : el->a0;
            if (k == GJ_NULL) {
                gojson_skip(&d->j);
                *n = start; /* a null map is a nil map */
                if (labels)
                    el->labels_set = false;
            } else if (k != GJ_OBJECT) {
                gojson_skip(&d->j);
                char where[64];
                snprintf(where, sizeof where, "struct field %s.%s", labels || v1 ? "Alert" : "",
                         labels ? "labels" : "annotations");
                type_error(sv, esv, k, where,
                           v1 ? "map[model.LabelName]model.LabelValue" : "models.LabelSet");
            } else {
                if (labels)
                    el->labels_set = true;
                decode_map(d, labels, sv, esv, ab, eab);
            }
        } else if (starts || ends) {
            decode_time(d, starts ? &el->starts : &el->ends, starts ? "startsAt" : "endsAt", ab,
                        eab);
        } else if (k == GJ_STRING) {
            size_t len;
            el->gen_url = gojson_read_string(&d->j, &len);
        } else if (k == GJ_NULL) {
            gojson_skip(&d->j);
        } else {
            gojson_skip(&d->j);
            if (v1) {
                type_error(sv, esv, k, "struct field Alert.generatorURL", "string");
            } else {
                *ab = true;
                errbuf_set(eab,
                           "json: cannot unmarshal %s into Go struct field "
                           "Alert.generatorURL of type string",
                           gojson_kind_str(k));
            }
        }
    }
    el->ln = d->nl - el->l0;
    el->an = d->na - el->a0;
}

/* Decodes the array; returns 0, or -1 with Go's error text in err. */
static int decode_alerts(struct api_alerts_body *d, struct errbuf *err)
{
    enum gojson_kind k = gojson_peek(&d->j);
    if (k == GJ_NULL)
        return 0;
    if (k != GJ_ARRAY) {
        errbuf_set(err, "json: cannot unmarshal %s into Go value of type %s", gojson_kind_str(k),
                   d->version == 1 ? "[]*types.Alert" : "models.PostableAlerts");
        return -1;
    }
    gojson_arr_begin(&d->j);
    while (gojson_arr_next(&d->j)) {
        d->e = xgrow(d->e, &d->cap_e, d->ne + 1, sizeof *d->e);
        struct api_alert_elem *el = &d->e[d->ne++];
        memset(el, 0, sizeof *el);
        d->abort1 = d->saved1 = d->abort2 = d->saved2 = false;
        decode_element(d, el);
        /* an element's error ends the whole decode (UnmarshalJSON) */
        struct errbuf *e = d->abort1   ? &d->e_abort1
                           : d->saved1 ? &d->e_saved1
                           : d->abort2 ? &d->e_abort2
                           : d->saved2 ? &d->e_saved2
                                       : NULL;
        if (e) {
            *err = *e;
            return -1;
        }
    }
    return 0;
}

static bool hexc(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Percent escapes well formed (net/url's unescape). */
static bool escapes_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '%' && (i + 2 >= n || !hexc(s[i + 1]) || !hexc(s[i + 2])))
            return false;
    return true;
}

/* net/url's parseHost for host[:port] or [v6][:port]. */
static bool host_ok(const char *h, size_t n)
{
    const char *port = NULL;
    size_t hn = n;
    if (n > 0 && h[0] == '[') {
        const char *rb = NULL;
        for (size_t i = 0; i < n; i++)
            if (h[i] == ']')
                rb = h + i;
        if (!rb)
            return false;
        port = rb + 1;
        if (port == h + n)
            port = NULL;
        else if (*port != ':')
            return false;
        hn = (size_t)(rb - h);
    } else {
        for (size_t i = n; i-- > 0;)
            if (h[i] == ':') {
                port = h + i;
                hn = i;
                break;
            }
        for (size_t i = 0; i < hn; i++) {
            unsigned char c = (unsigned char)h[i];
            if (c < 0x80 && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') &&
                !strchr("-._~!$&'()*+,;=:[]<>\"%", c))
                return false;
        }
    }
    if (port)
        for (const char *p = port + 1; p < h + n; p++)
            if (*p < '0' || *p > '9')
                return false;
    return escapes_ok(h, hn);
}

/* go-openapi's "uri" format: url.ParseRequestURI succeeds. */
static bool request_uri_ok(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    if (!strcmp(s, "*"))
        return true;
    const char *rest = s;
    bool scheme = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i], l = (char)(c | 0x20);
        if (l >= 'a' && l <= 'z')
            continue;
        if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') {
            if (i == 0)
                break;
            continue;
        }
        if (c == ':') {
            if (i == 0)
                return false; /* missing protocol scheme */
            scheme = true;
            rest = s + i + 1;
        }
        break;
    }
    size_t rn = strcspn(rest, "?");
    if (rn == 0 || rest[0] != '/')
        return scheme; /* opaque with a scheme; else "invalid URI for request" */
    if (scheme && rn >= 2 && rest[1] == '/') {
        const char *auth = rest + 2, *slash = memchr(auth, '/', rn - 2);
        size_t an = slash ? (size_t)(slash - auth) : rn - 2;
        const char *at = NULL;
        for (size_t i = 0; i < an; i++)
            if (auth[i] == '@')
                at = auth + i;
        const char *host = at ? at + 1 : auth;
        if (at && !escapes_ok(auth, (size_t)(at - auth)))
            return false;
        if (!host_ok(host, (size_t)(auth + an - host)))
            return false;
        rest = auth + an;
        rn = strcspn(rest, "?");
    }
    return escapes_ok(rest, rn);
}

/* The schema check (422), first failure of the first element. */
static int validate_schema(const struct api_alerts_body *d, struct errbuf *err)
{
    for (size_t i = 0; i < d->ne; i++) {
        const struct api_alert_elem *el = &d->e[i];
        if (el->is_null)
            continue;
        if (el->gen_url && el->gen_url[0] && !request_uri_ok(el->gen_url)) {
            struct buf b = BUF_INIT;
            go_quote(&b, el->gen_url, strlen(el->gen_url));
            errbuf_set(err, "%zu.generatorURL in body must be of type uri: %s", i, buf_str(&b));
            buf_deinit(&b);
            return 601;
        }
        if (!el->labels_set) {
            errbuf_set(err, "%zu.labels in body is required", i);
            return 602;
        }
    }
    return 0;
}

/* The pairs of in[0..n) as alert_new() will keep them: sorted by name, the
 * last pair of a name winning, empty values dropped when drop_empty.
 * Returns how many, or SIZE_MAX when n is too large for the scratch space
 * (the caller then takes the general path). */
#define FAST_MAX 32
static size_t canonical(const struct label *in, size_t n, bool drop_empty, struct label *out)
{
    if (n > FAST_MAX)
        return SIZE_MAX;
    size_t idx[FAST_MAX];
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && strcmp(in[idx[j - 1]].name, in[i].name) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i; /* stable: equal names keep their order */
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct label *l = &in[idx[i]];
        if (i + 1 < n && strcmp(l->name, in[idx[i + 1]].name) == 0)
            continue;
        if (drop_empty && l->value[0] == '\0')
            continue;
        out[k++] = *l;
    }
    return k;
}

/* Whether the n name and value ids from position `from` of the stored
 * alert spell the n pairs of v. */
static bool same_set(const struct alert *stored, size_t from, const struct label *v, size_t n)
{
    const uint32_t *names = stored->shape->names + from, *vals = stored->vals + from;
    for (size_t i = 0; i < n; i++)
        if (strcmp(intern_str(names[i]), v[i].name) || strcmp(intern_str(vals[i]), v[i].value))
            return false;
    return true;
}

/* Builds the alert of one element.  Prometheus re-sends the same alerts
 * every minute, so when the store already holds this label set with the
 * same annotations and generatorURL, the new alert is a copy of the stored
 * one (its strings are already interned: a reference each) instead of
 * interning every string again; the result is identical. */
static struct alert *build_alert(struct api *a, const struct api_alerts_body *d,
                                 const struct api_alert_elem *el, bool *known)
{
    *known = false;
    /* a body without any label (or annotation) has no vector at all, and
     * NULL + 0 is undefined behaviour */
    const struct label *lv = d->lv ? d->lv + el->l0 : NULL;
    const struct label *av = d->av ? d->av + el->a0 : NULL;
    const char *gen = el->gen_url ? el->gen_url : "";
    struct label cl[FAST_MAX], ca[FAST_MAX];
    size_t nl = canonical(lv, el->ln, true, cl);
    size_t na = canonical(av, el->an, false, ca);
    struct alert *al = NULL;
    if (nl != SIZE_MAX && na != SIZE_MAX) {
        struct labels ls = {nl, cl};
        struct alert *stored = alert_store_get(a->alerts, labels_fingerprint(&ls));
        if (stored && alert_nlabels(stored) == nl && alert_nannots(stored) == na &&
            same_set(stored, 0, cl, nl) && same_set(stored, nl, ca, na) &&
            strcmp(alert_generator_url(stored), gen) == 0) {
            al = alert_dup(stored);
            al->timeout = false;
            al->updated_at = 0;
            *known = true;
        }
    }
    if (!al)
        al = alert_new(lv, el->ln, av, el->an, el->gen_url);
    al->starts_at = el->starts;
    al->ends_at = el->ends;
    return al;
}

size_t api_ingest_alerts(struct api *a, struct api_alerts_body *d, struct buf *msgs)
{
    int version = d->version;
    struct router_metrics *m = metrics();
    struct metric_counter *firing =
        version == 1 ? m->alerts_received_firing_v1 : m->alerts_received_firing_v2;
    struct metric_counter *resolved =
        version == 1 ? m->alerts_received_resolved_v1 : m->alerts_received_resolved_v2;
    struct metric_counter *invalid = version == 1 ? m->alerts_invalid_v1 : m->alerts_invalid_v2;
    int64_t now = gotime_now();
    int64_t resolve = (a->cfg ? a->cfg->global.resolve_timeout_ms : 300000) * NS_PER_MS;
    size_t bad = 0;
    for (size_t i = 0; i < d->ne; i++) {
        bool known;
        struct alert *al = build_alert(a, d, &d->e[i], &known);
        alert_normalize(al, now, resolve);
        metrics_counter_inc(al->ends_at > now ? firing : resolved);
        struct errbuf err;
        /* a known label set was validated when it was first stored: only
         * the times can be wrong (alert_validate's first two rules) */
        int rc = known ? (al->ends_at != 0 && al->ends_at < al->starts_at ? -1 : 0)
                       : alert_validate(al, &err);
        if (rc < 0 && known)
            errbuf_set(&err, "start time must be before end time");
        if (rc < 0) {
            if (bad++)
                buf_puts(msgs, "; ");
            buf_puts(msgs, err.msg);
            metrics_counter_inc(invalid);
        } else {
            alert_store_put(a->alerts, al, now);
        }
        alert_unref(al);
    }
    if (a->journal && d->ne > bad) {
        struct errbuf err;
        if (alert_journal_flush(a->journal, &err) < 0)
            log_error("Failed to persist alerts", "err", err.msg);
    }
    return bad;
}

void api_alerts_body_deinit(struct api_alerts_body *d)
{
    gojson_deinit(&d->j);
    free(d->e);
    free(d->lv);
    free(d->av);
}

int api_decode_alerts(char *body, size_t len, int version, struct api_alerts_body *d,
                      struct errbuf *err)
{
    memset(d, 0, sizeof *d);
    d->version = version;
    size_t end;
    int rc = gojson_scan(body, len, &end, err);
    if (rc == 1)
        return API_ALERTS_EMPTY;
    gojson_init(&d->j, body, rc == 0 ? end : len);
    if (rc == 0)
        rc = decode_alerts(d, err);
    if (rc == 0) {
        for (size_t i = 0; i < d->ne; i++) {
            if (d->e[i].is_null) {
                /* Alertmanager crashes the request here (nil pointer);
                 * we refuse it. */
                errbuf_set(err, "alert %zu is null", i);
                return -1;
            }
        }
    }
    if (rc < 0)
        return -1;
    return version == 2 ? validate_schema(d, err) : 0;
}

static void v1_error(struct http_req *req, const char *msg)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":");
    gojson_str(&b, msg);
    buf_putc(&b, '}');
    size_t len = b.len;
    http_reply_take(req, 400, "application/json", buf_steal(&b), len);
}

/* One POST, either version. */
static void post_alerts(struct http_req *req, struct api *a, int version)
{
    if (version == 2 && api_check_json_type(req) < 0)
        return;
    size_t len;
    char *body = api_body_copy(req, &len);
    struct api_alerts_body d;
    struct errbuf err;
    int rc = api_decode_alerts(body, len, version, &d, &err);
    if (rc == API_ALERTS_EMPTY) {
        if (version == 2)
            api_reply_code(req, 422, 602, "alerts in body is required");
        else
            v1_error(req, "EOF");
    } else if (rc < 0) {
        if (version == 1) {
            v1_error(req, err.msg);
        } else {
            struct buf m = BUF_INIT;
            buf_printf(&m, "parsing alerts body from \"\" failed, because %s", err.msg);
            api_reply_code(req, 400, 400, buf_str(&m));
            buf_deinit(&m);
        }
    } else if (rc > 0) {
        api_reply_code(req, 422, rc, err.msg);
    } else {
        struct buf msgs = BUF_INIT;
        size_t bad = api_ingest_alerts(a, &d, &msgs);
        if (bad) {
            log_error("Failed to validate alerts", "version", version == 1 ? "v1" : "v2", "err",
                      buf_str(&msgs));
            if (version == 1)
                v1_error(req, buf_str(&msgs));
            else
                api_reply_string(req, 400, buf_str(&msgs));
        } else if (version == 1) {
            http_reply_json(req, 200, "{\"status\":\"success\"}");
        } else {
            http_reply(req, 200, NULL, "", 0);
        }
        buf_deinit(&msgs);
    }
    api_alerts_body_deinit(&d);
}

void api_post_alerts_v2(struct http_req *req, void *ud)
{
    post_alerts(req, ud, 2);
}

void api_post_alerts_v1(struct http_req *req, void *ud)
{
    if (strcmp(http_req_method(req), "POST") != 0) {
        api_v1_gone(req, ud);
        return;
    }
    post_alerts(req, ud, 1);
}

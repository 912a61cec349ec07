/* api_silences.c -- GET/POST /api/v2/silences, GET/DELETE
 * /api/v2/silence/{id}.
 *
 * The rules (create, update in place or replace, expire, states, order)
 * are the silence store's (silence.h); this file is the HTTP contract of
 * Alertmanager 0.25 around them: go-openapi's decoding and schema checks
 * (422 for a missing field, in the order comment, createdBy, endsAt,
 * matchers, startsAt; 422 for an id that is not a UUID), the handler's
 * string errors (400, and 404 "silence not found" for an unknown id on
 * POST, 500 for it on DELETE as 0.25 answers) and the JSON shape. */
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goquote.h"
#include "log.h"
#include "mem.h"

/* ---- encoding -------------------------------------------------------------- */

static void put_time(struct buf *b, int64_t ns)
{
    buf_putc(b, '"');
    gotime_format_ms(b, ns);
    buf_putc(b, '"');
}

static void put_silence(struct buf *b, const struct silence *s, int64_t now)
{
    buf_printf(b, "{\"id\":\"%s\",\"status\":{\"state\":\"%s\"},\"updatedAt\":", s->id,
               silence_state_str(silence_state_at(s, now)));
    put_time(b, s->updated_at);
    buf_puts(b, ",\"comment\":");
    gojson_str(b, s->comment ? s->comment : "");
    buf_puts(b, ",\"createdBy\":");
    gojson_str(b, s->created_by ? s->created_by : "");
    buf_puts(b, ",\"endsAt\":");
    put_time(b, s->ends_at);
    buf_puts(b, ",\"matchers\":[");
    for (size_t i = 0; i < s->matchers.n; i++) {
        const struct matcher *m = &s->matchers.v[i];
        bool eq = m->type == MATCH_EQ || m->type == MATCH_RE;
        bool re = m->type == MATCH_RE || m->type == MATCH_NRE;
        buf_printf(b, "%s{\"isEqual\":%s,\"isRegex\":%s,\"name\":", i ? "," : "",
                   eq ? "true" : "false", re ? "true" : "false");
        gojson_str(b, m->name);
        buf_puts(b, ",\"value\":");
        gojson_str(b, m->value);
        buf_putc(b, '}');
    }
    buf_puts(b, "],\"startsAt\":");
    put_time(b, s->starts_at);
    buf_putc(b, '}');
}

void api_get_silences(struct http_req *req, void *ud)
{
    struct api *a = ud;
    struct matchers filter = {0};
    if (api_query_filter(req, &filter) < 0)
        return;
    int64_t now = gotime_now();
    const struct silence **v;
    size_t n = silence_store_query(a->silences, &filter, now, &v);
    struct buf b = BUF_INIT;
    buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        put_silence(&b, v[i], now);
    }
    buf_putc(&b, ']');
    api_reply_buf(req, 200, &b);
    free(v);
    matchers_deinit(&filter);
}

/* ---- decoding a postableSilence -------------------------------------------- */

static void saved_type(struct api_silence_body *p, enum gojson_kind k, const char *where,
                       const char *type)
{
    if (!p->saved) {
        p->saved = true;
        errbuf_set(&p->e_saved, "json: cannot unmarshal %s into Go struct field %s of type %s",
                   gojson_kind_str(k), where, type);
    }
}

/* A *string field: null leaves it unset, a string sets it. */
static void read_str(struct api_silence_body *p, const char **out, const char *where)
{
    enum gojson_kind k = gojson_peek(&p->j);
    size_t len;
    if (k == GJ_STRING) {
        *out = gojson_read_string(&p->j, &len);
        return;
    }
    gojson_skip(&p->j);
    if (k == GJ_NULL)
        *out = NULL;
    else
        saved_type(p, k, where, "string");
}

static void read_bool(struct api_silence_body *p, bool *have, bool *out, const char *where)
{
    enum gojson_kind k = gojson_peek(&p->j);
    if (k == GJ_BOOL) {
        *have = true;
        *out = gojson_literal(&p->j);
        return;
    }
    gojson_skip(&p->j);
    if (k == GJ_NULL)
        *have = false;
    else
        saved_type(p, k, where, "bool");
}

static void read_time(struct api_silence_body *p, bool *have, int64_t *out, const char *field)
{
    enum gojson_kind k = gojson_peek(&p->j);
    if (k == GJ_NULL) {
        gojson_skip(&p->j);
        *have = false;
        return;
    }
    if (k != GJ_STRING) {
        gojson_skip(&p->j);
        p->abort = true;
        errbuf_set(&p->e_abort,
                   "json: cannot unmarshal %s into Go struct field Silence.%s of type string",
                   gojson_kind_str(k), field);
        return;
    }
    size_t len;
    bool zero;
    char *s = gojson_read_string(&p->j, &len);
    if (gotime_parse_datetime(s, out, &zero, &p->e_abort) < 0) {
        p->abort = true;
        return;
    }
    *have = true;
}

static void read_matcher(struct api_silence_body *p, struct api_silence_spec *s)
{
    gojson_obj_begin(&p->j);
    char *key;
    size_t klen;
    while (gojson_obj_next(&p->j, &key, &klen)) {
        if (gojson_key_is(key, klen, "isEqual")) {
            read_bool(p, &s->have_eq, &s->is_eq, "Matcher.matchers.isEqual");
        } else if (gojson_key_is(key, klen, "isRegex")) {
            read_bool(p, &s->have_re, &s->is_re, "Matcher.matchers.isRegex");
        } else if (gojson_key_is(key, klen, "name")) {
            read_str(p, &s->name, "Matcher.matchers.name");
            s->have_name = s->name != NULL;
        } else if (gojson_key_is(key, klen, "value")) {
            read_str(p, &s->value, "Matcher.matchers.value");
            s->have_value = s->value != NULL;
        } else {
            gojson_skip(&p->j);
        }
    }
}

static void read_matchers(struct api_silence_body *p)
{
    enum gojson_kind k = gojson_peek(&p->j);
    if (k == GJ_NULL) {
        gojson_skip(&p->j);
        p->matchers_set = false;
        p->nm = 0;
        return;
    }
    if (k != GJ_ARRAY) {
        gojson_skip(&p->j);
        saved_type(p, k, "Silence.matchers", "models.Matchers");
        return;
    }
    p->matchers_set = true;
    p->nm = 0; /* a slice is decoded afresh */
    gojson_arr_begin(&p->j);
    while (gojson_arr_next(&p->j)) {
        p->m = xgrow(p->m, &p->cap_m, p->nm + 1, sizeof *p->m);
        struct api_silence_spec *s = &p->m[p->nm++];
        memset(s, 0, sizeof *s);
        k = gojson_peek(&p->j);
        if (k == GJ_OBJECT) {
            read_matcher(p, s);
        } else {
            gojson_skip(&p->j);
            s->is_null = true;
            if (k != GJ_NULL)
                saved_type(p, k, "Silence.matchers", "models.Matcher");
        }
    }
}

/* Both passes of PostableSilence.UnmarshalJSON over one object. */
static int decode_silence(struct api_silence_body *p, struct errbuf *err)
{
    enum gojson_kind k = gojson_peek(&p->j);
    if (k == GJ_NULL)
        return 0;
    if (k != GJ_OBJECT) {
        errbuf_set(err,
                   "json: cannot unmarshal %s into Go value of type struct { ID string "
                   "\"json:\\\"id,omitempty\\\"\" }",
                   gojson_kind_str(k));
        return -1;
    }
    /* pass 1 (the id) has its own errors, reported before pass 2's */
    bool id_err = false;
    struct errbuf e_id;
    gojson_obj_begin(&p->j);
    char *key;
    size_t klen;
    while (gojson_obj_next(&p->j, &key, &klen)) {
        if (p->abort) {
            gojson_skip(&p->j);
        } else if (gojson_key_is(key, klen, "id")) {
            k = gojson_peek(&p->j);
            if (k == GJ_STRING) {
                size_t len;
                p->id = gojson_read_string(&p->j, &len);
            } else {
                gojson_skip(&p->j);
                if (k != GJ_NULL && !id_err) {
                    id_err = true;
                    errbuf_set(&e_id,
                               "json: cannot unmarshal %s into Go struct field .id of type string",
                               gojson_kind_str(k));
                }
            }
        } else if (gojson_key_is(key, klen, "comment")) {
            read_str(p, &p->comment, "Silence.comment");
        } else if (gojson_key_is(key, klen, "createdBy")) {
            read_str(p, &p->created_by, "Silence.createdBy");
        } else if (gojson_key_is(key, klen, "startsAt")) {
            read_time(p, &p->have_starts, &p->starts, "startsAt");
        } else if (gojson_key_is(key, klen, "endsAt")) {
            read_time(p, &p->have_ends, &p->ends, "endsAt");
        } else if (gojson_key_is(key, klen, "matchers")) {
            read_matchers(p);
        } else {
            gojson_skip(&p->j);
        }
    }
    if (id_err)
        *err = e_id;
    else if (p->abort)
        *err = p->e_abort;
    else if (p->saved)
        *err = p->e_saved;
    else
        return 0;
    return -1;
}

/* The schema: required fields in go-swagger's order.  Returns the
 * OpenAPI error code (0 when valid). */
static int validate_silence(const struct api_silence_body *p, struct errbuf *err)
{
    if (!p->comment) {
        errbuf_set(err, "comment in body is required");
        return 602;
    }
    if (!p->created_by) {
        errbuf_set(err, "createdBy in body is required");
        return 602;
    }
    if (!p->have_ends) {
        errbuf_set(err, "endsAt in body is required");
        return 602;
    }
    if (!p->matchers_set) {
        errbuf_set(err, "matchers in body is required");
        return 602;
    }
    if (p->nm == 0) {
        errbuf_set(err, "matchers in body should have at least 1 items");
        return 612;
    }
    for (size_t i = 0; i < p->nm; i++) {
        const struct api_silence_spec *s = &p->m[i];
        const char *miss = s->is_null       ? NULL
                           : !s->have_re    ? "isRegex"
                           : !s->have_name  ? "name"
                           : !s->have_value ? "value"
                                            : NULL;
        if (s->is_null) {
            /* Alertmanager crashes the request on a null matcher */
            errbuf_set(err, "matchers.%zu in body is required", i);
            return 602;
        }
        if (miss) {
            errbuf_set(err, "matchers.%zu.%s in body is required", i, miss);
            return 602;
        }
    }
    if (!p->have_starts) {
        errbuf_set(err, "startsAt in body is required");
        return 602;
    }
    return 0;
}

void api_silence_body_deinit(struct api_silence_body *p)
{
    gojson_deinit(&p->j);
    free(p->m);
}

int api_decode_silence(char *body, size_t len, struct api_silence_body *p, struct errbuf *err)
{
    memset(p, 0, sizeof *p);
    size_t end;
    int rc = gojson_scan(body, len, &end, err);
    if (rc == 1)
        return API_SILENCE_EMPTY;
    gojson_init(&p->j, body, rc == 0 ? end : len);
    if (rc == 0)
        rc = decode_silence(p, err);
    if (rc < 0)
        return -1;
    return validate_silence(p, err);
}

int api_store_silence(struct api *a, const struct api_silence_body *p, int64_t now,
                      char id[SILENCE_ID_LEN + 1], struct errbuf *err)
{
    struct silence_matcher_spec *ms = xmalloc(p->nm * sizeof *ms);
    for (size_t i = 0; i < p->nm; i++)
        ms[i] = (struct silence_matcher_spec){p->m[i].name, p->m[i].value, p->m[i].is_re,
                                              p->m[i].have_eq ? p->m[i].is_eq : true};
    struct silence_input in = {p->id, ms, p->nm, p->starts, p->ends, p->created_by, p->comment};
    int rc = silence_store_set(a->silences, &in, now, id, err);
    free(ms);
    return rc;
}

void api_post_silences(struct http_req *req, void *ud)
{
    struct api *a = ud;
    if (api_check_json_type(req) < 0)
        return;
    size_t len;
    char *body = api_body_copy(req, &len);
    struct api_silence_body p;
    struct errbuf err;
    int rc = api_decode_silence(body, len, &p, &err);
    if (rc == API_SILENCE_EMPTY) {
        api_reply_code(req, 422, 602, "silence in body is required");
    } else if (rc < 0) {
        struct buf m = BUF_INIT;
        buf_printf(&m, "parsing silence body from \"\" failed, because %s", err.msg);
        api_reply_code(req, 400, 400, buf_str(&m));
        buf_deinit(&m);
    } else if (rc > 0) {
        api_reply_code(req, 422, rc, err.msg);
    } else {
        char id[SILENCE_ID_LEN + 1];
        rc = api_store_silence(a, &p, gotime_now(), id, &err);
        if (rc == SILENCE_ERR_NOT_FOUND) {
            api_reply_string(req, 404, err.msg);
        } else if (rc < 0) {
            log_debug("Failed to create silence", "err", err.msg);
            api_reply_string(req, 400, err.msg);
        } else {
            char ok[64];
            snprintf(ok, sizeof ok, "{\"silenceID\":\"%s\"}\n", id);
            http_reply_json(req, 200, ok);
        }
    }
    api_silence_body_deinit(&p);
}

/* ---- one silence ------------------------------------------------------------ */

/* strfmt's uuid format: 32 hex digits, the four hyphens optional. */
static bool uuid_ok(const char *s)
{
    static const int groups[] = {8, 4, 4, 4, 12};
    for (int g = 0; g < 5; g++) {
        if (g > 0 && *s == '-')
            s++;
        for (int i = 0; i < groups[g]; i++, s++) {
            char c = (char)(*s | 0x20);
            if (!((*s >= '0' && *s <= '9') || (c >= 'a' && c <= 'f')))
                return false;
        }
    }
    return *s == '\0';
}

void api_silence_id(struct http_req *req, void *ud)
{
    struct api *a = ud;
    const char *id = http_req_subpath(req);
    if (!*id || strchr(id, '/')) {
        struct buf m = BUF_INIT;
        buf_printf(&m, "path %s was not found", http_req_path(req));
        api_reply_code(req, 404, 404, buf_str(&m));
        buf_deinit(&m);
        return;
    }
    if (!uuid_ok(id)) {
        struct buf m = BUF_INIT;
        buf_puts(&m, "silenceID in path must be of type uuid: ");
        go_quote(&m, id, strlen(id));
        api_reply_code(req, 422, 601, buf_str(&m));
        buf_deinit(&m);
        return;
    }
    int64_t now = gotime_now();
    if (strcmp(http_req_method(req), "DELETE") == 0) {
        struct errbuf err;
        if (silence_store_expire(a->silences, id, now, &err) < 0)
            api_reply_string(req, 500, err.msg);
        else
            http_reply(req, 200, NULL, "", 0);
        return;
    }
    const struct silence *s = silence_store_get(a->silences, id);
    if (!s) {
        http_reply(req, 404, NULL, "", 0);
        return;
    }
    struct buf b = BUF_INIT;
    put_silence(&b, s, now);
    api_reply_buf(req, 200, &b);
}

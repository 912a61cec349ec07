/* silence.c -- see silence.h. */
#include "silence.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "alert.h"
#include "goquote.h"
#include "log.h"
#include "mem.h"
#include "silence_file.h"

struct silence_store {
    struct silence **v; /* creation order */
    size_t n, cap;
    char *path; /* snapshot file, NULL = memory only */
    int64_t retention;
    uint64_t version;
};

const char *silence_state_str(enum silence_state s)
{
    switch (s) {
    case SILENCE_PENDING:
        return "pending";
    case SILENCE_EXPIRED:
        return "expired";
    case SILENCE_ACTIVE:
        break;
    }
    return "active";
}

enum silence_state silence_state_at(const struct silence *s, int64_t t)
{
    if (t < s->starts_at)
        return SILENCE_PENDING;
    if (t > s->ends_at)
        return SILENCE_EXPIRED;
    return SILENCE_ACTIVE;
}

void silence_free(struct silence *s)
{
    if (!s)
        return;
    matchers_deinit(&s->matchers);
    free(s->created_by);
    free(s->comment);
    free(s);
}

void silence_uuid_v4(char out[SILENCE_ID_LEN + 1])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        /* getrandom only fails on kernels older than 3.17 */
        ROUTER_ASSERT(r > 0);
        got += (size_t)r;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[o] = '\0';
}

bool silence_id_valid(const char *s)
{
    for (int i = 0; i < SILENCE_ID_LEN; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return s[SILENCE_ID_LEN] == '\0';
}

/* ---- store ---------------------------------------------------------- */

struct silence_store *silence_store_new(const char *dir, int64_t retention)
{
    struct silence_store *st = xcalloc(1, sizeof *st);
    st->retention = retention;
    if (dir) {
        struct buf b = BUF_INIT;
        size_t n = strlen(dir);
        buf_printf(&b, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", SILENCE_FILE_NAME);
        st->path = buf_steal(&b);
    }
    return st;
}

void silence_store_free(struct silence_store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++)
        silence_free(st->v[i]);
    free(st->v);
    free(st->path);
    free(st);
}

static void push(struct silence_store *st, struct silence *s)
{
    st->v = xgrow(st->v, &st->cap, st->n + 1, sizeof *st->v);
    st->v[st->n++] = s;
}

static struct silence *find(const struct silence_store *st, const char *id)
{
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->v[i]->id, id) == 0)
            return st->v[i];
    return NULL;
}

int silence_store_load(struct silence_store *st, int64_t now, struct errbuf *err)
{
    if (!st->path)
        return 0;
    struct silence **v = NULL;
    size_t n = 0;
    int rc = silence_file_read(st->path, &v, &n, err);
    for (size_t i = 0; i < n; i++) {
        if (find(st, v[i]->id)) {
            silence_free(v[i]); /* duplicate id: the first one wins */
            continue;
        }
        push(st, v[i]);
    }
    free(v);
    st->version++;
    silence_store_gc(st, now);
    return rc == 0 ? 0 : -1;
}

int silence_store_snapshot(struct silence_store *st, struct errbuf *err)
{
    if (!st->path)
        return 0;
    return silence_file_write(st->path, (struct silence *const *)st->v, st->n, err);
}

/* Every change is written through at once: silences change at human
 * speed, and a silence acknowledged by the API must survive kill -9.  A
 * failed write is logged; the change itself stands (the next write or the
 * shutdown snapshot retries). */
static void changed(struct silence_store *st)
{
    st->version++;
    struct errbuf err;
    if (silence_store_snapshot(st, &err) < 0)
        log_error("Failed to write silences snapshot", "err", err.msg);
}

/* Alertmanager's validateMatcher and matchesEmpty, with its wording;
 * compiles the matcher into *m.  Regex validity and the regex error text
 * come from matcher_init (Go's "error parsing regexp: ..."). */
static int build_matcher(const struct silence_matcher_spec *sp, size_t i, struct matcher *m,
                         bool *matches_empty, struct errbuf *err)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "silence invalid: invalid label matcher %zu: ", i);
    enum match_type t =
        sp->is_regex ? (sp->is_equal ? MATCH_RE : MATCH_NRE) : (sp->is_equal ? MATCH_EQ : MATCH_NE);
    int rc = -1;
    struct errbuf merr;
    if (!label_name_valid(sp->name)) {
        buf_puts(&b, "invalid label name ");
        go_quote(&b, sp->name, strlen(sp->name));
    } else if (!sp->is_regex && !utf8_valid(sp->value, strlen(sp->value))) {
        buf_puts(&b, "invalid label value ");
        go_quote(&b, sp->value, strlen(sp->value));
    } else if (matcher_init(m, t, sp->name, sp->value, &merr) < 0) {
        /* 0.25 validates with regexp.Compile(pattern), unanchored, so its
         * message quotes the pattern as written, not ^(?:...)$. */
        void *re = regex_compile(sp->value, false, &merr);
        regex_free(re);
        buf_puts(&b, "invalid regular expression ");
        go_quote(&b, sp->value, strlen(sp->value));
        buf_printf(&b, ": %s", merr.msg);
    } else {
        rc = 0;
        /* Only = and =~ can match the empty string in 0.25's check. */
        *matches_empty = (t == MATCH_EQ || t == MATCH_RE) && matcher_matches(m, "");
    }
    if (rc < 0)
        errbuf_set(err, "%s", buf_str(&b));
    buf_deinit(&b);
    return rc;
}

/* Builds a validated silence from the request (id and updated_at left to
 * the caller).  NULL with the 400 message in err. */
static struct silence *build(const struct silence_input *in, struct errbuf *err)
{
    if (in->n_matchers == 0) {
        errbuf_set(err, "silence invalid: at least one matcher required");
        return NULL;
    }
    struct silence *s = xcalloc(1, sizeof *s);
    bool all_empty = true;
    for (size_t i = 0; i < in->n_matchers; i++) {
        struct matcher m;
        bool empty = false;
        if (build_matcher(&in->matchers[i], i, &m, &empty, err) < 0) {
            silence_free(s);
            return NULL;
        }
        matchers_push(&s->matchers, &m);
        all_empty = all_empty && empty;
    }
    if (all_empty) {
        errbuf_set(err, "silence invalid: at least one matcher must not match the empty string");
        silence_free(s);
        return NULL;
    }
    s->starts_at = in->starts_at;
    s->ends_at = in->ends_at;
    s->created_by = xstrdup(in->created_by ? in->created_by : "");
    s->comment = xstrdup(in->comment ? in->comment : "");
    return s;
}

static bool same_matchers(const struct matchers *a, const struct matchers *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        if (a->v[i].type != b->v[i].type || strcmp(a->v[i].name, b->v[i].name) != 0 ||
            strcmp(a->v[i].value, b->v[i].value) != 0)
            return false;
    }
    return true;
}

/* Alertmanager's canUpdate: may `next` replace `prev` in place at now? */
static bool can_update(const struct silence *prev, const struct silence *next, int64_t now)
{
    if (!same_matchers(&prev->matchers, &next->matchers))
        return false;
    switch (silence_state_at(prev, now)) {
    case SILENCE_ACTIVE:
        /* seconds: amtool re-posts startsAt as the API printed it (ms) */
        if (next->starts_at / NS_PER_SEC != prev->starts_at / NS_PER_SEC)
            return false;
        return next->ends_at >= now;
    case SILENCE_PENDING:
        return next->starts_at >= now;
    case SILENCE_EXPIRED:
        break;
    }
    return false;
}

/* Expires s at now (Alertmanager's expire); false if already expired. */
static bool expire_one(struct silence *s, int64_t now)
{
    switch (silence_state_at(s, now)) {
    case SILENCE_EXPIRED:
        return false;
    case SILENCE_ACTIVE:
        s->ends_at = now;
        break;
    case SILENCE_PENDING:
        s->starts_at = now;
        s->ends_at = now;
        break;
    }
    s->updated_at = now;
    return true;
}

int silence_store_set(struct silence_store *st, const struct silence_input *in, int64_t now,
                      char id_out[SILENCE_ID_LEN + 1], struct errbuf *err)
{
    /* The API handler's checks come first in 0.25. */
    if (in->starts_at >= in->ends_at) {
        errbuf_set(err, "Failed to create silence: start time must be before end time");
        return SILENCE_ERR_INVALID;
    }
    if (in->ends_at < now) {
        errbuf_set(err, "Failed to create silence: end time can't be in the past");
        return SILENCE_ERR_INVALID;
    }
    struct silence *prev = NULL;
    if (in->id && in->id[0]) {
        prev = find(st, in->id);
        if (!prev) {
            errbuf_set(err, "silence not found");
            return SILENCE_ERR_NOT_FOUND;
        }
    }
    struct silence *s = build(in, err);
    if (!s)
        return SILENCE_ERR_INVALID;
    s->updated_at = now;
    if (prev && can_update(prev, s, now)) {
        memcpy(s->id, prev->id, sizeof s->id);
        for (size_t i = 0; i < st->n; i++)
            if (st->v[i] == prev)
                st->v[i] = s;
        silence_free(prev);
    } else {
        if (prev)
            expire_one(prev, now);
        silence_uuid_v4(s->id);
        if (s->starts_at < now)
            s->starts_at = now;
        push(st, s);
    }
    memcpy(id_out, s->id, SILENCE_ID_LEN + 1);
    changed(st);
    return 0;
}

int silence_store_expire(struct silence_store *st, const char *id, int64_t now, struct errbuf *err)
{
    struct silence *s = find(st, id);
    if (!s) {
        errbuf_set(err, "silence not found");
        return SILENCE_ERR_NOT_FOUND;
    }
    if (expire_one(s, now))
        changed(st);
    return 0;
}

const struct silence *silence_store_get(const struct silence_store *st, const char *id)
{
    return find(st, id);
}

size_t silence_store_len(const struct silence_store *st)
{
    return st->n;
}

uint64_t silence_store_version(const struct silence_store *st)
{
    return st->version;
}

/* Alertmanager's CheckSilenceMatchesFilterLabels: each filter matcher must
 * equal the silence's matcher of the same name (the last one, as its map
 * keeps) in operator and value. */
static bool filter_matches(const struct silence *s, const struct matchers *filter)
{
    for (size_t i = 0; filter && i < filter->n; i++) {
        const struct matcher *f = &filter->v[i], *found = NULL;
        for (size_t j = 0; j < s->matchers.n; j++)
            if (strcmp(s->matchers.v[j].name, f->name) == 0)
                found = &s->matchers.v[j];
        if (!found || found->type != f->type || strcmp(found->value, f->value) != 0)
            return false;
    }
    return true;
}

struct sort_item {
    const struct silence *s;
    enum silence_state state;
};

static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

static int cmp_listed(const void *x, const void *y)
{
    const struct sort_item *a = x, *b = y;
    if (a->state != b->state)
        return (int)a->state - (int)b->state; /* active, pending, expired */
    int c;
    if (a->state == SILENCE_EXPIRED)
        c = cmp_i64(b->s->ends_at, a->s->ends_at);
    else if (a->state == SILENCE_PENDING)
        c = cmp_i64(a->s->starts_at, b->s->starts_at);
    else
        c = cmp_i64(a->s->ends_at, b->s->ends_at);
    return c ? c : strcmp(a->s->id, b->s->id);
}

size_t silence_store_query(const struct silence_store *st, const struct matchers *filter,
                           int64_t now, const struct silence ***out)
{
    struct sort_item *items = xmalloc((st->n ? st->n : 1) * sizeof *items);
    size_t n = 0;
    for (size_t i = 0; i < st->n; i++) {
        if (!filter_matches(st->v[i], filter))
            continue;
        items[n].s = st->v[i];
        items[n].state = silence_state_at(st->v[i], now);
        n++;
    }
    qsort(items, n, sizeof *items, cmp_listed);
    const struct silence **v = xmalloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = items[i].s;
    free(items);
    *out = v;
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool silence_store_mutes(const struct silence_store *st, const struct labels *ls, int64_t now,
                         struct silence_ids *out)
{
    out->n = 0;
    for (size_t i = 0; i < st->n; i++) {
        const struct silence *s = st->v[i];
        if (silence_state_at(s, now) != SILENCE_ACTIVE || !matchers_match(&s->matchers, ls))
            continue;
        out->v = xgrow(out->v, &out->cap, out->n + 1, sizeof *out->v);
        out->v[out->n++] = s->id;
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return out->n > 0;
}

void silence_ids_deinit(struct silence_ids *ids)
{
    free(ids->v);
    ids->v = NULL;
    ids->n = ids->cap = 0;
}

void silence_store_count(const struct silence_store *st, int64_t now,
                         size_t counts[SILENCE_STATE_COUNT])
{
    for (int k = 0; k < SILENCE_STATE_COUNT; k++)
        counts[k] = 0;
    for (size_t i = 0; i < st->n; i++)
        counts[silence_state_at(st->v[i], now)]++;
}

size_t silence_store_gc(struct silence_store *st, int64_t now)
{
    size_t kept = 0, removed = 0;
    for (size_t i = 0; i < st->n; i++) {
        struct silence *s = st->v[i];
        if (s->ends_at + st->retention <= now) {
            silence_free(s);
            removed++;
        } else {
            st->v[kept++] = s;
        }
    }
    st->n = kept;
    if (removed)
        changed(st);
    return removed;
}

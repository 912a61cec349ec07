/* nflog.c -- see nflog.h.
 *
 * Entries live in a chained hash table keyed by Alertmanager's state key
 * string.  The table only grows; GC unlinks expired entries.  A few
 * thousand entries (groups x integrations) is the expected size, so the
 * snapshot is written whole, sorted by key so that two snapshots of the
 * same state are the same bytes. */
#include "nflog.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "mem.h"
#include "metrics.h"

#define FORMAT_NAME "alertrouter-nflog"
#define FORMAT_VERSION 1
#define MIN_BUCKETS 64

struct node {
    struct node *next;
    uint64_t h;
    char *key; /* "<groupKey>:<receiver>/<integration>/<idx>" */
    char *group_key, *receiver, *integration;
    unsigned idx;
    struct nflog_entry e;
    uint64_t *firing, *resolved; /* owned storage behind e */
};

struct nflog {
    char *path; /* NULL: memory only */
    int64_t retention;
    size_t n, nbuckets;
    struct node **buckets;
};

/* ---- clock for the duration metrics ------------------------------------- */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the table ------------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static char *state_key(const struct nflog_key *k)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s:%s/%s/%u", k->group_key, k->receiver, k->integration, k->idx);
    return buf_steal(&b);
}

struct nflog *nflog_new(const char *dir, int64_t retention)
{
    struct nflog *l = xcalloc(1, sizeof *l);
    if (dir) {
        struct buf b = BUF_INIT;
        buf_printf(&b, "%s/%s", dir, NFLOG_FILE_NAME);
        l->path = buf_steal(&b);
    }
    l->retention = retention;
    l->nbuckets = MIN_BUCKETS;
    l->buckets = xcalloc(l->nbuckets, sizeof *l->buckets);
    return l;
}

static void node_free(struct node *nd)
{
    free(nd->key);
    free(nd->group_key);
    free(nd->receiver);
    free(nd->integration);
    free(nd->firing);
    free(nd->resolved);
    free(nd);
}

void nflog_free(struct nflog *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nbuckets; i++) {
        struct node *nd = l->buckets[i];
        while (nd) {
            struct node *next = nd->next;
            node_free(nd);
            nd = next;
        }
    }
    free(l->buckets);
    free(l->path);
    free(l);
}

size_t nflog_len(const struct nflog *l)
{
    return l->n;
}

static struct node **find(struct nflog *l, const char *key, uint64_t h)
{
    struct node **pp = &l->buckets[h & (l->nbuckets - 1)];
    while (*pp && ((*pp)->h != h || strcmp((*pp)->key, key) != 0))
        pp = &(*pp)->next;
    return pp;
}

static void grow(struct nflog *l)
{
    size_t nb = l->nbuckets * 2;
    struct node **b = xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < l->nbuckets; i++) {
        struct node *nd = l->buckets[i];
        while (nd) {
            struct node *next = nd->next;
            nd->next = b[nd->h & (nb - 1)];
            b[nd->h & (nb - 1)] = nd;
            nd = next;
        }
    }
    free(l->buckets);
    l->buckets = b;
    l->nbuckets = nb;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* A sorted, de-duplicated copy of v; *n is updated. */
static uint64_t *set_copy(const uint64_t *v, size_t *n)
{
    uint64_t *s = xmalloc((*n ? *n : 1) * sizeof *s);
    if (*n)
        memcpy(s, v, *n * sizeof *s);
    qsort(s, *n, sizeof *s, cmp_u64);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || s[k - 1] != s[i])
            s[k++] = s[i];
    *n = k;
    return s;
}

/* Inserts or replaces the entry for k.  Takes nothing; copies all. */
static void put(struct nflog *l, const struct nflog_key *k, const uint64_t *firing, size_t nf,
                const uint64_t *resolved, size_t nr, int64_t ts, int64_t expires_at)
{
    char *key = state_key(k);
    uint64_t h = hash_str(key);
    struct node **pp = find(l, key, h);
    struct node *nd = *pp;
    if (nd) {
        free(key);
        free(nd->firing);
        free(nd->resolved);
    } else {
        if (l->n >= l->nbuckets) {
            grow(l);
            pp = find(l, key, h);
        }
        nd = xcalloc(1, sizeof *nd);
        nd->key = key;
        nd->h = h;
        nd->group_key = xstrdup(k->group_key);
        nd->receiver = xstrdup(k->receiver);
        nd->integration = xstrdup(k->integration);
        nd->idx = k->idx;
        *pp = nd;
        l->n++;
    }
    nd->firing = set_copy(firing, &nf);
    nd->resolved = set_copy(resolved, &nr);
    nd->e.firing = nd->firing;
    nd->e.n_firing = nf;
    nd->e.resolved = nd->resolved;
    nd->e.n_resolved = nr;
    nd->e.timestamp = ts;
    nd->e.expires_at = expires_at;
}

const struct nflog_entry *nflog_query(struct nflog *l, const struct nflog_key *k)
{
    struct metrics_store_maint *m = &metrics()->nflog;
    double t0 = mono();
    metrics_counter_inc(m->queries);
    char *key = state_key(k);
    struct node *nd = *find(l, key, hash_str(key));
    free(key);
    if (!nd)
        metrics_counter_inc(m->query_errors);
    metrics_histogram_observe(m->query_duration, mono() - t0);
    return nd ? &nd->e : NULL;
}

void nflog_log(struct nflog *l, const struct nflog_key *k, const uint64_t *firing, size_t n_firing,
               const uint64_t *resolved, size_t n_resolved, int64_t now, int64_t expiry)
{
    char *key = state_key(k);
    struct node *nd = *find(l, key, hash_str(key));
    free(key);
    if (nd && nd->e.timestamp > now)
        return;
    int64_t expires_at = now + l->retention;
    if (expiry > 0 && l->retention > expiry)
        expires_at = now + expiry;
    put(l, k, firing, n_firing, resolved, n_resolved, now, expires_at);
}

size_t nflog_gc(struct nflog *l, int64_t now)
{
    double t0 = mono();
    size_t removed = 0;
    for (size_t i = 0; i < l->nbuckets; i++) {
        struct node **pp = &l->buckets[i];
        while (*pp) {
            struct node *nd = *pp;
            if (nd->e.expires_at <= now) {
                *pp = nd->next;
                node_free(nd);
                l->n--;
                removed++;
            } else {
                pp = &nd->next;
            }
        }
    }
    metrics_histogram_observe(metrics()->nflog.gc_duration, mono() - t0);
    return removed;
}

/* ---- the dedup decision ------------------------------------------------------ */

uint64_t nflog_alert_hash(const struct alert *a)
{
    return a->fingerprint;
}

void nflog_sets_from_alerts(struct nflog_sets *s, struct alert *const *alerts, size_t n,
                            int64_t now)
{
    uint64_t *f = xmalloc((n ? n : 1) * sizeof *f), *r = xmalloc((n ? n : 1) * sizeof *r);
    size_t nf = 0, nr = 0;
    for (size_t i = 0; i < n; i++) {
        if (alert_resolved(alerts[i], now))
            r[nr++] = nflog_alert_hash(alerts[i]);
        else
            f[nf++] = nflog_alert_hash(alerts[i]);
    }
    s->firing = set_copy(f, &nf);
    s->n_firing = nf;
    s->resolved = set_copy(r, &nr);
    s->n_resolved = nr;
    free(f);
    free(r);
}

void nflog_sets_deinit(struct nflog_sets *s)
{
    free(s->firing);
    free(s->resolved);
    s->firing = s->resolved = NULL;
    s->n_firing = s->n_resolved = 0;
}

/* Every element of sub (sorted) is in set (sorted). */
static bool subset(const uint64_t *sub, size_t nsub, const uint64_t *set, size_t nset)
{
    size_t j = 0;
    for (size_t i = 0; i < nsub; i++) {
        while (j < nset && set[j] < sub[i])
            j++;
        if (j == nset || set[j] != sub[i])
            return false;
    }
    return true;
}

enum nflog_reason nflog_needs_update(const struct nflog_entry *e, const struct nflog_sets *s,
                                     bool send_resolved, int64_t repeat_interval, int64_t now)
{
    if (!e)
        return s->n_firing > 0 ? NFLOG_FIRST : NFLOG_NO_UPDATE;
    if (!subset(s->firing, s->n_firing, e->firing, e->n_firing))
        return e->n_firing == 0 ? NFLOG_FIRST : NFLOG_NEW_ALERTS;
    if (s->n_firing == 0)
        return e->n_firing > 0 ? NFLOG_ALL_RESOLVED : NFLOG_NO_UPDATE;
    if (send_resolved && !subset(s->resolved, s->n_resolved, e->resolved, e->n_resolved))
        return NFLOG_SOME_RESOLVED;
    return e->timestamp < now - repeat_interval ? NFLOG_REPEAT : NFLOG_NO_UPDATE;
}

const char *nflog_reason_str(enum nflog_reason r)
{
    switch (r) {
    case NFLOG_FIRST:
        return "first notification";
    case NFLOG_NEW_ALERTS:
        return "new alerts added";
    case NFLOG_SOME_RESOLVED:
        return "some alerts resolved";
    case NFLOG_ALL_RESOLVED:
        return "all alerts resolved";
    case NFLOG_REPEAT:
        return "repeat interval elapsed";
    case NFLOG_NO_UPDATE:
        break;
    }
    return "none";
}

/* ---- persistence --------------------------------------------------------------- */

static json_t *hashes_json(const uint64_t *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char hex[17];
        fingerprint_format(v[i], hex);
        json_array_append_new(a, json_string(hex));
    }
    return a;
}

static int cmp_node_key(const void *a, const void *b)
{
    return strcmp((*(struct node *const *)a)->key, (*(struct node *const *)b)->key);
}

long nflog_snapshot(struct nflog *l, struct errbuf *err)
{
    if (!l->path)
        return 0;
    double t0 = mono();
    struct node **all = xmalloc((l->n ? l->n : 1) * sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < l->nbuckets; i++)
        for (struct node *nd = l->buckets[i]; nd; nd = nd->next)
            all[k++] = nd;
    qsort(all, k, sizeof *all, cmp_node_key);
    json_t *arr = json_array();
    for (size_t i = 0; i < k; i++) {
        const struct node *nd = all[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "groupKey",
                                             nd->group_key, "receiver", nd->receiver, "integration",
                                             nd->integration, "idx", (json_int_t)nd->idx,
                                             "timestamp", (json_int_t)nd->e.timestamp, "expiresAt",
                                             (json_int_t)nd->e.expires_at, "firing",
                                             hashes_json(nd->firing, nd->e.n_firing), "resolved",
                                             hashes_json(nd->resolved, nd->e.n_resolved)));
    }
    free(all);
    json_t *doc = json_pack("{s:s, s:i, s:I, s:o}", "format", FORMAT_NAME, "version",
                            FORMAT_VERSION, "count", (json_int_t)k, "entries", arr);
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(doc);
    if (!text) {
        errbuf_set(err, "%s: cannot serialise the notification log", l->path);
        return -1;
    }
    size_t len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len++] = '\n';
    text[len] = '\0';
    int rc = fileio_replace(l->path, text, len, err);
    free(text);
    metrics_histogram_observe(metrics()->nflog.snapshot_duration, mono() - t0);
    if (rc < 0)
        return -1;
    metrics_gauge_set(metrics()->nflog.snapshot_size, (double)len);
    return (long)len;
}

static int hashes_from_json(json_t *a, uint64_t **out, size_t *n, struct errbuf *err)
{
    if (!json_is_array(a)) {
        errbuf_set(err, "hash list is not an array");
        return -1;
    }
    *n = json_array_size(a);
    *out = xmalloc((*n ? *n : 1) * sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s || fingerprint_parse(s, &(*out)[i]) < 0) {
            errbuf_set(err, "hash %zu is not 16 hex digits", i);
            free(*out);
            *out = NULL;
            return -1;
        }
    }
    return 0;
}

/* One entry from the file into the log; -1 with err when invalid. */
static int load_entry(struct nflog *l, json_t *o, int64_t now, struct errbuf *err)
{
    const char *gk, *recv, *integ;
    json_int_t idx, ts, exp;
    json_t *jf, *jr;
    json_error_t je;
    if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "groupKey",
                       &gk, "receiver", &recv, "integration", &integ, "idx", &idx, "timestamp", &ts,
                       "expiresAt", &exp, "firing", &jf, "resolved", &jr) < 0) {
        errbuf_set(err, "%s", je.text);
        return -1;
    }
    if (idx < 0 || idx > 0xffffff || integ[0] == '\0') {
        errbuf_set(err, "bad integration \"%s\" index %lld", integ, (long long)idx);
        return -1;
    }
    uint64_t *f, *r;
    size_t nf, nr;
    if (hashes_from_json(jf, &f, &nf, err) < 0)
        return -1;
    if (hashes_from_json(jr, &r, &nr, err) < 0) {
        free(f);
        return -1;
    }
    if (exp > now) {
        struct nflog_key k = {gk, recv, integ, (unsigned)idx};
        put(l, &k, f, nf, r, nr, ts, exp);
    }
    free(f);
    free(r);
    return 0;
}

/* Keeps the bad file for a human (see fileio_keep_copy); `backup` gets the
 * copy's name, or why there is none. */
static void keep_aside(const char *path, bool move, struct buf *backup)
{
    if (fileio_keep_copy(path, move, backup) < 0) {
        buf_reset(backup);
        buf_printf(backup, "(could not keep a copy: %s)", strerror(errno));
    }
}

int nflog_load(struct nflog *l, int64_t now, struct errbuf *err)
{
    if (!l->path || (access(l->path, F_OK) < 0 && errno == ENOENT))
        return 0;
    json_error_t je;
    json_t *doc = json_load_file(l->path, JSON_REJECT_DUPLICATES, &je);
    json_t *arr = NULL;
    json_int_t count = -1;
    int version = 0;
    const char *format = NULL;
    struct errbuf why;
    if (!doc) {
        errbuf_set(&why, "%s (line %d, column %d)", je.text, je.line, je.column);
    } else if (json_unpack_ex(doc, &je, 0, "{s:s, s:i, s:I, s:o}", "format", &format, "version",
                              &version, "count", &count, "entries", &arr) < 0) {
        errbuf_set(&why, "%s", je.text);
        arr = NULL;
    } else if (strcmp(format, FORMAT_NAME) != 0 || version != FORMAT_VERSION) {
        errbuf_set(&why, "unknown format \"%s\" version %d", format, version);
        arr = NULL;
    } else if (!json_is_array(arr) || (json_int_t)json_array_size(arr) != count) {
        errbuf_set(&why, "count %lld does not match the %zu entries", (long long)count,
                   json_is_array(arr) ? json_array_size(arr) : 0);
        arr = NULL;
    }
    struct buf backup = BUF_INIT;
    if (!arr) {
        json_decref(doc);
        keep_aside(l->path, true, &backup);
        errbuf_set(err,
                   "notification log %s is unusable: %s; kept as %s; starting with an empty "
                   "log",
                   l->path, why.msg, buf_str(&backup));
        buf_deinit(&backup);
        return -1;
    }
    size_t total = json_array_size(arr), skipped = 0;
    struct errbuf first = {{0}};
    for (size_t i = 0; i < total; i++) {
        struct errbuf e;
        if (load_entry(l, json_array_get(arr, i), now, &e) < 0) {
            if (!skipped)
                errbuf_set(&first, "entry %zu: %s", i, e.msg);
            skipped++;
        }
    }
    json_decref(doc);
    if (!skipped)
        return 0;
    keep_aside(l->path, false, &backup);
    errbuf_set(err, "notification log %s: skipped %zu invalid entries (first: %s); kept as %s",
               l->path, skipped, first.msg, buf_str(&backup));
    buf_deinit(&backup);
    return -1;
}

long nflog_maintain(struct nflog *l, int64_t now, struct errbuf *err)
{
    nflog_gc(l, now);
    return nflog_snapshot(l, err);
}

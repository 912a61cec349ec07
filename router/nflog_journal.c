/* nflog_journal.c -- the notification log's append-only journal (see
 * nflog_journal.h): one JSON line per successful send, written with one
 * write(2) on an O_APPEND descriptor, replayed at start over the snapshot. */
#include "nflog_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

struct nflog_journal {
    struct nflog *log;
    char *path;
    int fd;
    uint64_t size;
};

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

static int hashes_parse(json_t *a, uint64_t **out, size_t *n)
{
    if (!json_is_array(a))
        return -1;
    *n = json_array_size(a);
    *out = xmalloc((*n ? *n : 1) * sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        if (!s || fingerprint_parse(s, &(*out)[i]) < 0) {
            free(*out);
            *out = NULL;
            return -1;
        }
    }
    return 0;
}

/* One record into the log; -1 if it is not a valid record. */
static int replay_line(struct nflog *l, const char *line, size_t len)
{
    json_error_t je;
    json_t *o = json_loadb(line, len, 0, &je);
    if (!o)
        return -1;
    const char *g, *r, *integ;
    json_int_t idx, t, e;
    json_t *f, *s;
    int rc = -1;
    if (json_unpack(o, "{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "g", &g, "r", &r, "i", &integ,
                    "x", &idx, "t", &t, "e", &e, "f", &f, "s", &s) == 0 &&
        idx >= 0 && idx <= 0xffffffffLL) {
        uint64_t *fv = NULL, *sv = NULL;
        size_t nf = 0, ns = 0;
        if (hashes_parse(f, &fv, &nf) == 0 && hashes_parse(s, &sv, &ns) == 0) {
            struct nflog_key k = {g, r, integ, (unsigned)idx};
            nflog_log(l, &k, fv, nf, sv, ns, (int64_t)t, (int64_t)e);
            rc = 0;
        }
        free(fv);
        free(sv);
    }
    json_decref(o);
    return rc;
}

/* Reads the whole journal and replays it.  Returns the number of damaged
 * lines; *torn is set when the last line had no newline. */
static size_t replay(struct nflog *l, int fd, bool *torn, size_t *applied)
{
    struct buf all = BUF_INIT;
    char chunk[65536];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        buf_append(&all, chunk, (size_t)r);
    }
    size_t bad = 0, off = 0;
    const char *p = all.p;
    *torn = false;
    while (off < all.len) {
        const char *nl = memchr(p + off, '\n', all.len - off);
        if (!nl) {
            *torn = true;
            break;
        }
        size_t len = (size_t)(nl - (p + off));
        if (len > 0) {
            if (replay_line(l, p + off, len) < 0)
                bad++;
            else
                (*applied)++;
        }
        off += len + 1;
    }
    buf_deinit(&all);
    return bad;
}

struct nflog_journal *nflog_journal_open(const char *dir, struct nflog *l, struct errbuf *warn,
                                         struct errbuf *err)
{
    warn->msg[0] = '\0';
    struct buf path = BUF_INIT;
    buf_printf(&path, "%s/%s", dir, NFLOG_JOURNAL_FILE);
    int fd = open(buf_str(&path), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        errbuf_set(err, "%s: %s", buf_str(&path), strerror(errno));
        buf_deinit(&path);
        return NULL;
    }
    bool torn;
    size_t applied = 0;
    size_t bad = replay(l, fd, &torn, &applied);
    if (bad || torn)
        errbuf_set(warn, "%s: %zu damaged record%s skipped%s; %zu replayed", buf_str(&path), bad,
                   bad == 1 ? "" : "s", torn ? ", torn last record dropped" : "", applied);
    struct stat st;
    uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (torn) {
        /* Start the next record on a fresh line, so the torn one stays a
         * single damaged line instead of spoiling the next. */
        if (write(fd, "\n", 1) == 1)
            size++;
    }
    struct nflog_journal *j = xcalloc(1, sizeof *j);
    j->log = l;
    j->path = buf_steal(&path);
    j->fd = fd;
    j->size = size;
    return j;
}

void nflog_journal_close(struct nflog_journal *j)
{
    if (!j)
        return;
    close(j->fd);
    free(j->path);
    free(j);
}

int nflog_journal_append(struct nflog_journal *j, const struct nflog_key *k, const uint64_t *firing,
                         size_t n_firing, const uint64_t *resolved, size_t n_resolved, int64_t now,
                         int64_t expiry, struct errbuf *err)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "g", k->group_key, "r",
                          k->receiver, "i", k->integration, "x", (json_int_t)k->idx, "t",
                          (json_int_t)now, "e", (json_int_t)expiry, "f",
                          hashes_json(firing, n_firing), "s", hashes_json(resolved, n_resolved));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text) {
        errbuf_set(err, "%s: cannot encode a record (invalid UTF-8 in a key?)", j->path);
        return -1;
    }
    size_t len = strlen(text);
    text = xrealloc(text, len + 2);
    text[len++] = '\n';
    ssize_t w;
    do
        w = write(j->fd, text, len);
    while (w < 0 && errno == EINTR);
    free(text);
    if (w != (ssize_t)len) {
        errbuf_set(err, "%s: write: %s", j->path, w < 0 ? strerror(errno) : "short write");
        /* A partial record would spoil the next one: end it. */
        if (w > 0 && write(j->fd, "\n", 1) == 1)
            j->size++;
        if (w > 0)
            j->size += (uint64_t)w;
        return -1;
    }
    j->size += len;
    return 0;
}

long nflog_journal_compact(struct nflog_journal *j, int64_t now, struct errbuf *err)
{
    long n = nflog_maintain(j->log, now, err);
    if (n < 0)
        return n;
    if (ftruncate(j->fd, 0) < 0) {
        errbuf_set(err, "%s: truncate: %s", j->path, strerror(errno));
        return -1;
    }
    j->size = 0;
    return n;
}

uint64_t nflog_journal_size(const struct nflog_journal *j)
{
    return j->size;
}

/* alert_journal.c -- see alert_journal.h.
 *
 * Record payloads (integers little-endian, str = u32 length + bytes):
 *   HEADER  u8 0, "ARJ1", u64 generation
 *   PUT     u8 1, u64 fingerprint, u8 timeout, i64 starts_at, ends_at,
 *           updated_at, str generator_url, u32 n, n x (str name, str value)
 *           labels, u32 n, n x (str, str) annotations
 *   DELETE  u8 2, u64 fingerprint
 *   END     u8 3, u64 number of PUT records (snapshot only: proves it is
 *           complete) */
#include "alert_journal.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"

enum { REC_HEADER, REC_PUT, REC_DELETE, REC_END };

#define MAGIC "ARJ1"
#define MAX_RECORD (16u << 20)
#define FLUSH_AT (256u << 10) /* flush by itself beyond this much */

struct alert_journal {
    struct alert_store *st;
    char *journal_path, *snap_path;
    int fd;       /* journal, O_APPEND */
    uint64_t gen; /* generation of the open journal */
    uint64_t file_size;
    struct buf pending; /* encoded records not yet written */
    bool stale;         /* the file misses records: only a compaction
                           (a snapshot of the whole store) can fix it */
};

/* ---- encoding ------------------------------------------------------- */

/* Slicing-by-8 tables: t[0] is the classic byte table, t[k][i] the CRC of
 * byte i followed by k zero bytes, so eight input bytes cost eight lookups
 * and no data-dependent shift chain (about 4x the byte loop; the CRC is on
 * the ingest path: one record per stored alert). */
static uint32_t crc_table[8][256];

static void crc_init(void)
{
    if (crc_table[0][1])
        return;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++)
            crc_table[k][i] = crc_table[0][crc_table[k - 1][i] & 0xff] ^ (crc_table[k - 1][i] >> 8);
}

/* CRC-32 (IEEE 802.3), as zlib's crc32(). */
static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    crc_init();
    uint32_t c = 0xffffffffu;
    while (n >= 8) {
        uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                           (uint32_t)p[3] << 24);
        c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
            crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^
            crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static void put_le(struct buf *b, uint64_t v, int bytes)
{
    unsigned char t[8];
    for (int i = 0; i < bytes; i++)
        t[i] = (unsigned char)(v >> (8 * i));
    buf_append(b, t, (size_t)bytes);
}

static void put_str(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    put_le(b, n, 4);
    buf_append(b, s, n);
}

/* Starts a record: reserves its 8-byte frame; returns the frame offset. */
static size_t rec_begin(struct buf *b, int type)
{
    size_t at = b->len;
    put_le(b, 0, 8);
    put_le(b, (uint64_t)type, 1);
    return at;
}

static void rec_end(struct buf *b, size_t at)
{
    size_t n = b->len - at - 8;
    unsigned char *p = (unsigned char *)b->p + at;
    uint32_t crc = crc32_of(p + 8, n);
    for (int i = 0; i < 4; i++) {
        p[i] = (unsigned char)(n >> (8 * i));
        p[4 + i] = (unsigned char)(crc >> (8 * i));
    }
}

static void enc_header(struct buf *b, uint64_t gen)
{
    size_t at = rec_begin(b, REC_HEADER);
    buf_append(b, MAGIC, 4);
    put_le(b, gen, 8);
    rec_end(b, at);
}

static void enc_put(struct buf *b, const struct alert *a)
{
    size_t at = rec_begin(b, REC_PUT);
    put_le(b, a->fingerprint, 8);
    put_le(b, a->timeout, 1);
    put_le(b, (uint64_t)a->starts_at, 8);
    put_le(b, (uint64_t)a->ends_at, 8);
    put_le(b, (uint64_t)a->updated_at, 8);
    put_str(b, a->generator_url);
    const struct labels *sets[2] = {&a->labels, &a->annotations};
    for (int k = 0; k < 2; k++) {
        put_le(b, sets[k]->n, 4);
        for (size_t i = 0; i < sets[k]->n; i++) {
            put_str(b, sets[k]->v[i].name);
            put_str(b, sets[k]->v[i].value);
        }
    }
    rec_end(b, at);
}

static void enc_fp(struct buf *b, int type, uint64_t v)
{
    size_t at = rec_begin(b, type);
    put_le(b, v, 8);
    rec_end(b, at);
}

/* ---- decoding ------------------------------------------------------- */

struct reader {
    const unsigned char *p;
    size_t n, off;
    bool bad;
};

static uint64_t get_le(struct reader *r, int bytes)
{
    if (r->bad || r->n - r->off < (size_t)bytes) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->off + (size_t)i] << (8 * i);
    r->off += (size_t)bytes;
    return v;
}

/* A new NUL-terminated copy of the next str; NULL if bad or containing
 * a NUL. */
static char *get_str(struct reader *r)
{
    uint64_t n = get_le(r, 4);
    if (r->bad || r->n - r->off < n || memchr(r->p + r->off, '\0', n)) {
        r->bad = true;
        return NULL;
    }
    char *s = xstrndup((const char *)r->p + r->off, n);
    r->off += n;
    return s;
}

/* Frames the record at data[*off]: on success points rec at its payload,
 * advances *off, returns 0.  -1 for a short, oversized or damaged one. */
static int next_record(const unsigned char *data, size_t len, size_t *off, struct reader *rec)
{
    struct reader f = {data, len, *off, false};
    uint64_t n = get_le(&f, 4);
    uint32_t crc = (uint32_t)get_le(&f, 4);
    if (f.bad || n == 0 || n > MAX_RECORD || len - f.off < n)
        return -1;
    if (crc32_of(data + f.off, n) != crc)
        return -1;
    rec->p = data + f.off;
    rec->n = n;
    rec->off = 0;
    rec->bad = false;
    *off = f.off + n;
    return 0;
}

static void free_pairs(struct label *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)v[i].name);
        free((char *)v[i].value);
    }
    free(v);
}

/* Reads n (name, value) pairs; NULL (and r->bad) on damage. */
static struct label *get_pairs(struct reader *r, size_t *n)
{
    uint64_t cnt = get_le(r, 4);
    if (r->bad || cnt > r->n) { /* each pair takes at least 8 bytes */
        r->bad = true;
        return NULL;
    }
    struct label *v = xcalloc(cnt ? cnt : 1, sizeof *v);
    for (size_t i = 0; i < cnt; i++) {
        v[i].name = get_str(r);
        v[i].value = get_str(r);
        if (r->bad) {
            free_pairs(v, cnt);
            return NULL;
        }
    }
    *n = cnt;
    return v;
}

/* Decodes a PUT payload (after the type byte) into a new alert, or NULL. */
static struct alert *dec_put(struct reader *r)
{
    uint64_t fp = get_le(r, 8);
    uint64_t timeout = get_le(r, 1);
    int64_t starts = (int64_t)get_le(r, 8);
    int64_t ends = (int64_t)get_le(r, 8);
    int64_t updated = (int64_t)get_le(r, 8);
    char *url = get_str(r);
    size_t nl = 0, na = 0;
    struct label *l = r->bad ? NULL : get_pairs(r, &nl);
    struct label *an = r->bad ? NULL : get_pairs(r, &na);
    struct alert *a = NULL;
    if (!r->bad && r->off == r->n && timeout <= 1) {
        a = alert_new(l, nl, an, na, url);
        a->timeout = timeout;
        a->starts_at = starts;
        a->ends_at = ends;
        a->updated_at = updated;
        /* the labels must still hash to the recorded identity */
        if (a->fingerprint != fp || a->labels.n != nl) {
            alert_unref(a);
            a = NULL;
        }
    }
    free(url);
    if (l)
        free_pairs(l, nl);
    if (an)
        free_pairs(an, na);
    return a;
}

/* ---- files ---------------------------------------------------------- */

static int read_all(const char *path, unsigned char **out, size_t *len, struct errbuf *err)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        errbuf_set(err, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct buf b = BUF_INIT;
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            errbuf_set(err, "%s: %s", path, strerror(errno));
            close(fd);
            buf_deinit(&b);
            return -1;
        }
        if (n == 0)
            break;
        buf_append(&b, chunk, (size_t)n);
    }
    close(fd);
    *len = b.len;
    *out = (unsigned char *)buf_steal(&b);
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void fsync_dir(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Writes data to path atomically (tmp, fsync, rename).  With keep_tmp the
 * rename is left to the caller (the tmp path is path + ".tmp"). */
static int write_file_atomic(const char *path, const struct buf *data, bool keep_tmp,
                             struct errbuf *err)
{
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp", path);
    int rc = -1;
    int fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, data->p, data->len) < 0 || fsync(fd) < 0) {
        errbuf_set(err, "%s: %s", buf_str(&tmp), strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(buf_str(&tmp));
        goto out;
    }
    close(fd);
    if (!keep_tmp) {
        if (rename(buf_str(&tmp), path) < 0) {
            errbuf_set(err, "rename %s: %s", buf_str(&tmp), strerror(errno));
            unlink(buf_str(&tmp));
            goto out;
        }
        fsync_dir(path);
    }
    rc = 0;
out:
    buf_deinit(&tmp);
    return rc;
}

/* Keeps a damaged file for a human: renamed away, or hard-linked when the
 * file stays in use (a journal that is cut and appended to). */
static void keep_copy(const char *path, bool move, struct buf *note)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s.corrupt-%lld", path, (long long)time(NULL));
    int rc = move ? rename(path, buf_str(&b)) : link(path, buf_str(&b));
    if (rc < 0 && errno == EEXIST) {
        buf_reset(&b);
        buf_printf(&b, "%s.corrupt-%lld-%d", path, (long long)time(NULL), rand());
        rc = move ? rename(path, buf_str(&b)) : link(path, buf_str(&b));
    }
    if (rc == 0)
        buf_printf(note, "; kept as %s", buf_str(&b));
    else
        buf_printf(note, "; could not keep a copy: %s", strerror(errno));
    buf_deinit(&b);
}

static void __attribute__((format(printf, 2, 3)))
append_warning(struct buf *w, const char *fmt, ...)
{
    if (w->len)
        buf_puts(w, "; ");
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(w, fmt, ap);
    va_end(ap);
}

/* Loads the snapshot into st.  Returns the journal generation it covers
 * (0: none or unusable, in which case any journal is replayed). */
static uint64_t load_snapshot(struct alert_journal *j, struct buf *warn)
{
    unsigned char *data;
    size_t len, off = 0;
    struct errbuf e;
    int rc = read_all(j->snap_path, &data, &len, &e);
    if (rc == 1)
        return 0;
    if (rc < 0) {
        append_warning(warn, "alerts snapshot unreadable: %s", e.msg);
        return 0;
    }
    struct reader r;
    uint64_t gen = 0, puts = 0;
    bool complete = false;
    if (next_record(data, len, &off, &r) == 0 && get_le(&r, 1) == REC_HEADER && r.n == 13 &&
        memcmp(r.p + 1, MAGIC, 4) == 0) {
        r.off = 5;
        gen = get_le(&r, 8);
        while (next_record(data, len, &off, &r) == 0) {
            int type = (int)get_le(&r, 1);
            if (type == REC_END) {
                complete = get_le(&r, 8) == puts && !r.bad && off == len;
                break;
            }
            struct alert *a = type == REC_PUT ? dec_put(&r) : NULL;
            if (!a)
                break;
            alert_store_restore(j->st, a);
            alert_unref(a);
            puts++;
        }
    }
    free(data);
    if (complete)
        return gen;
    append_warning(warn, "alerts snapshot %s is damaged (%zu alerts recovered)", j->snap_path,
                   (size_t)puts);
    keep_copy(j->snap_path, true, warn);
    return 0;
}

/* Starts a fresh journal of generation gen (tmp, fsync, rename) and opens
 * it for appending. */
static int new_journal(struct alert_journal *j, uint64_t gen, struct errbuf *err)
{
    struct buf b = BUF_INIT;
    enc_header(&b, gen);
    int rc = write_file_atomic(j->journal_path, &b, false, err);
    uint64_t size = b.len;
    buf_deinit(&b);
    if (rc < 0)
        return -1;
    int fd = open(j->journal_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        errbuf_set(err, "%s: %s", j->journal_path, strerror(errno));
        return -1;
    }
    if (j->fd >= 0)
        close(j->fd);
    j->fd = fd;
    j->gen = gen;
    j->file_size = size;
    return 0;
}

/* Replays the journal if it is newer than the snapshot, cutting off a
 * damaged tail; leaves j->fd open for appending (a new journal if the old
 * one was already in the snapshot or unusable). */
static int load_journal(struct alert_journal *j, uint64_t snap_gen, struct buf *warn,
                        struct errbuf *err)
{
    unsigned char *data;
    size_t len, off = 0;
    struct errbuf e;
    int rc = read_all(j->journal_path, &data, &len, &e);
    if (rc < 0) {
        append_warning(warn, "alerts journal unreadable: %s", e.msg);
        keep_copy(j->journal_path, true, warn);
    }
    if (rc != 0)
        return new_journal(j, snap_gen + 1, err);
    struct reader r;
    uint64_t gen = 0;
    if (next_record(data, len, &off, &r) == 0 && get_le(&r, 1) == REC_HEADER && r.n == 13 &&
        memcmp(r.p + 1, MAGIC, 4) == 0) {
        r.off = 5;
        gen = get_le(&r, 8);
    } else {
        free(data);
        append_warning(warn, "alerts journal %s has no valid header", j->journal_path);
        keep_copy(j->journal_path, true, warn);
        return new_journal(j, snap_gen + 1, err);
    }
    if (gen <= snap_gen) { /* already in the snapshot */
        free(data);
        return new_journal(j, snap_gen + 1, err);
    }
    size_t good = off, records = 0;
    while (off < len) {
        if (next_record(data, len, &off, &r) < 0)
            break;
        int type = (int)get_le(&r, 1);
        if (type == REC_PUT) {
            struct alert *a = dec_put(&r);
            if (!a)
                break;
            alert_store_restore(j->st, a);
            alert_unref(a);
        } else if (type == REC_DELETE) {
            uint64_t fp = get_le(&r, 8);
            if (r.bad || r.off != r.n)
                break;
            alert_store_remove(j->st, fp);
        } else {
            break;
        }
        good = off;
        records++;
    }
    free(data);
    if (good < len) {
        append_warning(warn, "alerts journal %s: damaged tail of %zu bytes cut off",
                       j->journal_path, len - good);
        keep_copy(j->journal_path, false, warn);
        if (truncate(j->journal_path, (off_t)good) < 0) {
            errbuf_set(err, "truncate %s: %s", j->journal_path, strerror(errno));
            return -1;
        }
    }
    j->fd = open(j->journal_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (j->fd < 0) {
        errbuf_set(err, "%s: %s", j->journal_path, strerror(errno));
        return -1;
    }
    j->gen = gen;
    j->file_size = good;
    return 0;
}

static void on_put(void *ud, struct alert *a)
{
    struct alert_journal *j = ud;
    enc_put(&j->pending, a);
    if (j->pending.len >= FLUSH_AT) {
        struct errbuf err;
        if (alert_journal_flush(j, &err) < 0)
            log_error("Failed to write alerts journal", "err", err.msg);
    }
}

struct alert_journal *alert_journal_open(const char *dir, struct alert_store *st,
                                         struct errbuf *warn, struct errbuf *err)
{
    warn->msg[0] = '\0';
    struct stat sb;
    if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        errbuf_set(err, "%s: %s", dir, errno ? strerror(errno) : "not a directory");
        return NULL;
    }
    struct alert_journal *j = xcalloc(1, sizeof *j);
    j->st = st;
    j->fd = -1;
    size_t n = strlen(dir);
    const char *sep = n && dir[n - 1] == '/' ? "" : "/";
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s%salerts.journal", dir, sep);
    j->journal_path = buf_steal(&b);
    buf_printf(&b, "%s%salerts.snap", dir, sep);
    j->snap_path = buf_steal(&b);

    struct buf w = BUF_INIT;
    uint64_t snap_gen = load_snapshot(j, &w);
    if (load_journal(j, snap_gen, &w, err) < 0) {
        buf_deinit(&w);
        alert_journal_close(j);
        return NULL;
    }
    if (w.len)
        errbuf_set(warn, "%s", buf_str(&w));
    buf_deinit(&w);
    alert_store_subscribe(st, on_put, j);
    return j;
}

void alert_journal_close(struct alert_journal *j)
{
    if (!j)
        return;
    if (j->fd >= 0) {
        struct errbuf err;
        if (alert_journal_flush(j, &err) < 0)
            log_error("Failed to write alerts journal", "err", err.msg);
        close(j->fd);
    }
    alert_store_unsubscribe(j->st, on_put, j);
    buf_deinit(&j->pending);
    free(j->journal_path);
    free(j->snap_path);
    free(j);
}

void alert_journal_note_gc(struct alert_journal *j, uint64_t fp)
{
    enc_fp(&j->pending, REC_DELETE, fp);
}

/* Beyond this much unwritable backlog the records are dropped: the next
 * successful compaction writes the whole store again anyway. */
#define MAX_BACKLOG (64u << 20)

int alert_journal_flush(struct alert_journal *j, struct errbuf *err)
{
    if (j->stale) {
        if (j->pending.len > MAX_BACKLOG)
            buf_reset(&j->pending);
        errbuf_set(err, "%s: waiting for a successful compaction", j->journal_path);
        return -1;
    }
    size_t done = 0;
    int rc = 0;
    while (done < j->pending.len) {
        ssize_t w = write(j->fd, j->pending.p + done, j->pending.len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            errbuf_set(err, "%s: %s", j->journal_path, strerror(errno));
            rc = -1;
            break;
        }
        done += (size_t)w;
    }
    j->file_size += done;
    if (done == j->pending.len) {
        buf_reset(&j->pending);
    } else if (j->pending.len - done > MAX_BACKLOG) {
        buf_reset(&j->pending);
        j->stale = true;
    } else if (done) {
        memmove(j->pending.p, j->pending.p + done, j->pending.len - done);
        j->pending.len -= done;
        j->pending.p[j->pending.len] = '\0';
    }
    return rc;
}

int alert_journal_compact(struct alert_journal *j, struct errbuf *err)
{
    /* Pending records need not be written: the snapshot is taken from the
     * store, which already holds what they describe.  They are dropped only
     * once the snapshot and the new journal are in place.
     *
     * The next journal is prepared first, so that once the snapshot is in
     * place nothing can fail but a rename in the same directory. */
    struct buf b = BUF_INIT;
    enc_header(&b, j->gen + 1);
    int rc = write_file_atomic(j->journal_path, &b, true, err);
    uint64_t jsize = b.len;
    buf_reset(&b);
    if (rc < 0) {
        buf_deinit(&b);
        return -1;
    }
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp", j->journal_path);

    enc_header(&b, j->gen);
    size_t pos = 0, count = 0;
    struct alert *a;
    while (alert_store_next(j->st, &pos, &a)) {
        enc_put(&b, a);
        count++;
    }
    enc_fp(&b, REC_END, count);
    rc = write_file_atomic(j->snap_path, &b, false, err);
    buf_deinit(&b);
    if (rc < 0) {
        unlink(buf_str(&tmp));
        buf_deinit(&tmp);
        return -1;
    }
    /* From here on the old journal is covered by the snapshot: appending
     * to it would lose records on the next load, so any failure leaves the
     * journal stale until a compaction succeeds. */
    if (rename(buf_str(&tmp), j->journal_path) < 0) {
        errbuf_set(err, "rename %s: %s", buf_str(&tmp), strerror(errno));
        unlink(buf_str(&tmp));
        buf_deinit(&tmp);
        j->stale = true;
        return -1;
    }
    buf_deinit(&tmp);
    fsync_dir(j->journal_path);
    int fd = open(j->journal_path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        errbuf_set(err, "%s: %s", j->journal_path, strerror(errno));
        j->stale = true;
        return -1;
    }
    close(j->fd);
    j->fd = fd;
    j->gen++;
    j->file_size = jsize;
    j->stale = false;
    buf_reset(&j->pending);
    return 0;
}

uint64_t alert_journal_size(const struct alert_journal *j)
{
    return j->file_size + j->pending.len;
}

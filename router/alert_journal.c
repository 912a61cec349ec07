/* alert_journal.c -- see alert_journal.h.
 *
 * Invariant: the snapshot of generation G plus the journals N > G, replayed
 * in order, give the store's state as of the last flushed record.  Records
 * are exact (alert_store_restore, no merge), so each fingerprint ends in
 * the state of its last record, or the snapshot's if no later record
 * touched it.  That is also why records still buffered when a compaction
 * starts may be written into the next generation: order is all that
 * matters. */
#include "alert_journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alert_record.h"
#include "fileio.h"
#include "log.h"
#include "mem.h"

#define JOURNAL_PREFIX "alerts.journal."
#define FLUSH_AT (256u << 10)   /* flush by itself beyond this much */
#define MAX_BACKLOG (64u << 20) /* unwritable records dropped beyond this */

struct alert_journal {
    struct alert_store *st;
    char *dir;
    char *snap_path;
    int fd;              /* current journal, O_APPEND */
    uint64_t gen;        /* its generation */
    uint64_t bytes;      /* in all journal files */
    uint64_t snap_bytes; /* size of the last snapshot */
    struct buf pending;  /* encoded records not yet written */
    uint64_t stale_gen;  /* records of this generation were dropped (0 = none) */
    /* background compaction */
    ev_child child;
    struct ev_loop *loop;
    pid_t pid;         /* 0 = none running */
    uint64_t covering; /* generation the running compaction covers */
};

static void journal_path(const struct alert_journal *j, uint64_t gen, struct buf *out)
{
    buf_reset(out);
    buf_printf(out, "%s/" JOURNAL_PREFIX "%llu", j->dir, (unsigned long long)gen);
}

static void __attribute__((format(printf, 2, 3))) add_warning(struct buf *w, const char *fmt, ...)
{
    if (w->len)
        buf_puts(w, "; ");
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(w, fmt, ap);
    va_end(ap);
}

/* Keeps a damaged file for a human (fileio_keep_copy) and says where in
 * the warnings. */
static void keep_copy(const char *path, bool move, struct buf *warn)
{
    struct buf name = BUF_INIT;
    if (fileio_keep_copy(path, move, &name) == 0)
        buf_printf(warn, "; kept as %s", buf_str(&name));
    else
        buf_printf(warn, "; could not keep a copy: %s", strerror(errno));
    buf_deinit(&name);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The generations of the journal files in the directory, ascending. */
static size_t list_journals(const struct alert_journal *j, uint64_t **out)
{
    size_t n = 0, cap = 0;
    uint64_t *v = NULL;
    DIR *d = opendir(j->dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *s = e->d_name;
        if (strncmp(s, JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) != 0)
            continue;
        s += strlen(JOURNAL_PREFIX);
        if (*s < '1' || *s > '9' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19)
            continue; /* also skips .tmp and .corrupt-* names */
        v = xgrow(v, &cap, n + 1, sizeof *v);
        v[n++] = strtoull(s, NULL, 10);
    }
    if (d)
        closedir(d);
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_u64);
    *out = v;
    return n;
}

/* Loads the snapshot; returns the generation it covers, 0 if there is
 * none or it is damaged (then every journal is replayed). */
static uint64_t load_snapshot(struct alert_journal *j, struct buf *warn)
{
    unsigned char *data;
    size_t len, off = 0, pn;
    const unsigned char *p;
    struct errbuf e;
    int rc = fileio_read(j->snap_path, &data, &len, &e);
    if (rc == 1)
        return 0;
    if (rc < 0) {
        add_warning(warn, "alerts snapshot unreadable: %s", e.msg);
        return 0;
    }
    uint64_t gen = 0, puts = 0, end = 0;
    bool complete = false;
    if (arec_next(data, len, &off, &p, &pn) == AREC_HEADER && arec_parse_header(p, pn, &gen) == 0) {
        int type;
        while ((type = arec_next(data, len, &off, &p, &pn)) >= 0) {
            if (type == AREC_END) {
                complete = arec_parse_u64(p, pn, &end) == 0 && end == puts && off == len;
                break;
            }
            struct alert *a = type == AREC_PUT ? arec_parse_put(p, pn) : NULL;
            if (!a)
                break;
            alert_store_restore(j->st, a);
            alert_unref(a);
            puts++;
        }
    }
    free(data);
    if (complete && gen > 0) {
        j->snap_bytes = len;
        return gen;
    }
    add_warning(warn, "alerts snapshot %s is damaged (%llu alerts recovered from it)", j->snap_path,
                (unsigned long long)puts);
    keep_copy(j->snap_path, true, warn);
    return 0;
}

/* Replays one journal; a damaged tail is cut off (after keeping a copy). */
static void replay_journal(struct alert_journal *j, uint64_t gen, struct buf *warn)
{
    struct buf path = BUF_INIT;
    journal_path(j, gen, &path);
    unsigned char *data;
    size_t len, off = 0, pn;
    const unsigned char *p;
    struct errbuf e;
    if (fileio_read(buf_str(&path), &data, &len, &e) != 0) {
        add_warning(warn, "alerts journal unreadable: %s", e.msg);
        buf_deinit(&path);
        return;
    }
    uint64_t hgen = 0;
    if (arec_next(data, len, &off, &p, &pn) != AREC_HEADER || arec_parse_header(p, pn, &hgen) < 0 ||
        hgen != gen) {
        free(data);
        add_warning(warn, "alerts journal %s has no valid header", buf_str(&path));
        keep_copy(buf_str(&path), true, warn);
        buf_deinit(&path);
        return;
    }
    size_t good = off;
    int type;
    while ((type = arec_next(data, len, &off, &p, &pn)) >= 0) {
        uint64_t fp;
        if (type == AREC_PUT) {
            struct alert *a = arec_parse_put(p, pn);
            if (!a)
                break;
            alert_store_restore(j->st, a);
            alert_unref(a);
        } else if (type == AREC_DELETE && arec_parse_u64(p, pn, &fp) == 0) {
            alert_store_remove(j->st, fp);
        } else {
            break;
        }
        good = off;
    }
    free(data);
    if (good < len) {
        add_warning(warn, "alerts journal %s: damaged tail of %zu bytes cut off", buf_str(&path),
                    len - good);
        keep_copy(buf_str(&path), false, warn);
        if (truncate(buf_str(&path), (off_t)good) < 0)
            add_warning(warn, "truncate: %s", strerror(errno));
    }
    j->bytes += good;
    buf_deinit(&path);
}

/* Starts journal generation gen and makes it the one appended to.  No
 * fsync: its records are not fsync'ed either (write(2) is what survives
 * kill -9), and a header lost to a power cut only loses what followed it. */
static int start_journal(struct alert_journal *j, uint64_t gen, struct errbuf *err)
{
    struct buf b = BUF_INIT, path = BUF_INIT;
    arec_header(&b, gen);
    journal_path(j, gen, &path);
    int rc = -1;
    int fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0 || fileio_write_all(fd, b.p, b.len) < 0) {
        errbuf_set(err, "%s: %s", buf_str(&path), strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(buf_str(&path));
        }
    } else {
        if (j->fd >= 0)
            close(j->fd);
        j->fd = fd;
        j->gen = gen;
        j->bytes += b.len;
        rc = 0;
    }
    buf_deinit(&b);
    buf_deinit(&path);
    return rc;
}

/* Deletes the journals a snapshot now covers. */
static void drop_journals_upto(struct alert_journal *j, uint64_t gen)
{
    uint64_t *v;
    size_t n = list_journals(j, &v);
    struct buf path = BUF_INIT;
    struct stat sb;
    for (size_t i = 0; i < n && v[i] <= gen; i++) {
        journal_path(j, v[i], &path);
        if (stat(buf_str(&path), &sb) == 0)
            j->bytes -= (uint64_t)sb.st_size < j->bytes ? (uint64_t)sb.st_size : j->bytes;
        unlink(buf_str(&path));
    }
    buf_deinit(&path);
    free(v);
}

static void on_put(void *ud, struct alert *a)
{
    struct alert_journal *j = ud;
    arec_put(&j->pending, a);
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
    j->dir = xstrdup(dir);
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s/alerts.snap", dir);
    j->snap_path = buf_steal(&b);

    struct buf w = BUF_INIT;
    uint64_t snap_gen = load_snapshot(j, &w);
    uint64_t *gens;
    size_t n = list_journals(j, &gens);
    uint64_t last = snap_gen;
    for (size_t i = 0; i < n; i++) {
        if (gens[i] <= snap_gen) {
            continue; /* covered; deleted below */
        }
        replay_journal(j, gens[i], &w);
        last = gens[i];
    }
    free(gens);
    if (snap_gen)
        drop_journals_upto(j, snap_gen);
    if (w.len)
        errbuf_set(warn, "%s", buf_str(&w));
    buf_deinit(&w);
    if (start_journal(j, last + 1, err) < 0) {
        alert_journal_close(j);
        return NULL;
    }
    alert_store_subscribe(st, on_put, j);
    return j;
}

static void compaction_done(struct alert_journal *j, bool ok, const char *why)
{
    if (ok) {
        drop_journals_upto(j, j->covering);
        struct stat sb;
        if (stat(j->snap_path, &sb) == 0)
            j->snap_bytes = (uint64_t)sb.st_size;
        if (j->stale_gen && j->stale_gen <= j->covering)
            j->stale_gen = 0;
    } else {
        log_error("Alerts snapshot failed; the journals are kept", "err", why);
    }
}

void alert_journal_close(struct alert_journal *j)
{
    if (!j)
        return;
    if (j->pid > 0) {
        int status = 0;
        ev_child_stop(j->loop, &j->child);
        pid_t r = waitpid(j->pid, &status, 0);
        /* ECHILD: libev reaped it first; without its status the journals
         * are kept, which is always safe. */
        compaction_done(j, r == j->pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
                        "compaction interrupted by shutdown");
        j->pid = 0;
    }
    if (j->fd >= 0) {
        struct errbuf err;
        if (alert_journal_flush(j, &err) < 0)
            log_error("Failed to write alerts journal", "err", err.msg);
        close(j->fd);
    }
    alert_store_unsubscribe(j->st, on_put, j);
    buf_deinit(&j->pending);
    free(j->dir);
    free(j->snap_path);
    free(j);
}

void alert_journal_note_gc(struct alert_journal *j, uint64_t fp)
{
    arec_u64(&j->pending, AREC_DELETE, fp);
}

int alert_journal_flush(struct alert_journal *j, struct errbuf *err)
{
    size_t done = 0;
    int rc = 0;
    while (done < j->pending.len) {
        ssize_t w = write(j->fd, j->pending.p + done, j->pending.len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            errbuf_set(err, "journal generation %llu: %s", (unsigned long long)j->gen,
                       strerror(errno));
            rc = -1;
            break;
        }
        done += (size_t)w;
    }
    j->bytes += done;
    if (done == j->pending.len) {
        buf_reset(&j->pending);
    } else if (j->pending.len - done > MAX_BACKLOG) {
        buf_reset(&j->pending);
        j->stale_gen = j->gen;
    } else if (done) {
        memmove(j->pending.p, j->pending.p + done, j->pending.len - done);
        j->pending.len -= done;
        j->pending.p[j->pending.len] = '\0';
    }
    return rc;
}

bool alert_journal_needs_compaction(const struct alert_journal *j, uint64_t max_bytes)
{
    uint64_t size = alert_journal_size(j);
    return j->stale_gen != 0 || (size > max_bytes && size > j->snap_bytes);
}

/* The whole store as a snapshot covering generation `covering`. */
static void encode_snapshot(const struct alert_journal *j, uint64_t covering, struct buf *b)
{
    arec_header(b, covering);
    size_t pos = 0, count = 0;
    struct alert *a;
    while (alert_store_next(j->st, &pos, &a)) {
        arec_put(b, a);
        count++;
    }
    arec_u64(b, AREC_END, count);
}

/* Common first step: later records go to a new generation; the snapshot
 * will cover everything before it. */
static int begin_compaction(struct alert_journal *j, struct errbuf *err)
{
    uint64_t covering = j->gen;
    struct errbuf ferr;
    if (alert_journal_flush(j, &ferr) < 0)
        log_warn("Alerts journal flush failed; records move to the next generation", "err",
                 ferr.msg);
    if (start_journal(j, covering + 1, err) < 0)
        return -1;
    j->covering = covering;
    return 0;
}

int alert_journal_compact(struct alert_journal *j, struct errbuf *err)
{
    if (j->pid > 0) {
        errbuf_set(err, "a background compaction is running");
        return -1;
    }
    if (begin_compaction(j, err) < 0)
        return -1;
    struct buf b = BUF_INIT;
    encode_snapshot(j, j->covering, &b);
    int rc = fileio_replace(j->snap_path, b.p, b.len, err);
    buf_deinit(&b);
    compaction_done(j, rc == 0, err->msg);
    return rc;
}

static void on_child(EV_P_ ev_child *w, int revents)
{
    (void)revents;
    struct alert_journal *j = w->data;
    ev_child_stop(EV_A_ w);
    int st = w->rstatus;
    j->pid = 0;
    compaction_done(j, WIFEXITED(st) && WEXITSTATUS(st) == 0, "snapshot writer failed");
}

int alert_journal_compact_start(struct alert_journal *j, struct ev_loop *loop, struct errbuf *err)
{
    if (j->pid > 0)
        return 0;
    if (begin_compaction(j, err) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        errbuf_set(err, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* The child has a copy-on-write image of the store: write it and
         * leave with _exit (no atexit handlers, no stdio flush, nothing of
         * the parent's loop or sockets touched). */
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        struct buf b = BUF_INIT;
        struct errbuf cerr;
        encode_snapshot(j, j->covering, &b);
        int rc = fileio_replace(j->snap_path, b.p, b.len, &cerr);
        if (rc < 0)
            log_error("Failed to write alerts snapshot", "err", cerr.msg);
        _exit(rc == 0 ? 0 : 1);
    }
    j->pid = pid;
    j->loop = loop;
    ev_child_init(&j->child, on_child, pid, 0);
    j->child.data = j;
    ev_child_start(loop, &j->child);
    return 0;
}

bool alert_journal_compacting(const struct alert_journal *j)
{
    return j->pid > 0;
}

uint64_t alert_journal_size(const struct alert_journal *j)
{
    return j->bytes + j->pending.len;
}

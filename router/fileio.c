/* fileio.c -- see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"

int fileio_read(const char *path, unsigned char **out, size_t *len, struct errbuf *err)
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

int fileio_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

void fileio_fsync_dir(const char *path)
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

int fileio_replace(const char *path, const void *data, size_t n, struct errbuf *err)
{
    struct buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp", path);
    int rc = -1;
    int fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        errbuf_set(err, "%s: %s", buf_str(&tmp), strerror(errno));
        goto out;
    }
    const char *step = fileio_write_all(fd, data, n) < 0 ? "write" : fsync(fd) < 0 ? "fsync" : NULL;
    if (step) {
        errbuf_set(err, "%s: %s: %s", buf_str(&tmp), step, strerror(errno));
        close(fd);
        unlink(buf_str(&tmp));
        goto out;
    }
    close(fd);
    if (rename(buf_str(&tmp), path) < 0) {
        errbuf_set(err, "rename %s -> %s: %s", buf_str(&tmp), path, strerror(errno));
        unlink(buf_str(&tmp));
        goto out;
    }
    fileio_fsync_dir(path);
    rc = 0;
out:
    buf_deinit(&tmp);
    return rc;
}

/* A copy that never replaces an earlier one: link(2) refuses an existing
 * name by itself; plain rename(2) would overwrite it (or do nothing when
 * the name is a hard link to the same file), hence RENAME_NOREPLACE. */
static int place_copy(const char *path, const char *name, bool move)
{
    if (!move)
        return link(path, name);
    int rc = renameat2(AT_FDCWD, path, AT_FDCWD, name, RENAME_NOREPLACE);
    if (rc < 0 && (errno == EINVAL || errno == ENOSYS))
        rc = rename(path, name); /* a file system without the flag */
    return rc;
}

int fileio_keep_copy(const char *path, bool move, struct buf *name)
{
    buf_reset(name);
    buf_printf(name, "%s.corrupt-%lld", path, (long long)time(NULL));
    int rc = place_copy(path, buf_str(name), move);
    if (rc < 0 && errno == EEXIST) {
        /* a second damaged file within the same second */
        buf_reset(name);
        buf_printf(name, "%s.corrupt-%lld-%d", path, (long long)time(NULL), rand());
        rc = place_copy(path, buf_str(name), move);
    }
    return rc;
}

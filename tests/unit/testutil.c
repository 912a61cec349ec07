/* testutil.c -- see testutil.h. */
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "mem.h"

void tu_mkdtemp(char *dir, size_t cap, const char *tag)
{
    int n = snprintf(dir, cap, "%s/ar-%s-XXXXXX",
                     access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", tag);
    ck_assert(n > 0 && (size_t)n < cap);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

void tu_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    char p[600];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    ck_assert_int_eq(rmdir(dir), 0);
}

int tu_count_files(const char *dir, const char *pattern)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (fnmatch(pattern, e->d_name, 0) == 0)
            n++;
    closedir(d);
    return n;
}

size_t tu_read_file(const char *dir, const char *name, char *out, size_t cap)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(out, 1, cap, f);
    ck_assert(n < cap);
    fclose(f);
    return n;
}

void tu_write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

struct config *tu_parse_config(const char *yaml)
{
    struct cfg_diag d;
    cfg_diag_init(&d);
    struct config *cfg = config_parse(yaml, strlen(yaml), "t.yml", ".", &d);
    if (!cfg)
        for (size_t i = 0; i < d.n; i++)
            fprintf(stderr, "%s\n", d.msgs[i]);
    cfg_diag_deinit(&d);
    ck_assert_ptr_nonnull(cfg);
    return cfg;
}

struct labels tu_labels(const char *spec, char **store)
{
    struct labels ls = {0, NULL};
    *store = xstrdup(spec);
    size_t cap = 0;
    for (char *tok = strtok(*store, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        ls.v = xgrow(ls.v, &cap, ls.n + 1, sizeof *ls.v);
        ls.v[ls.n++] = (struct label){tok, eq + 1};
    }
    labels_sort(&ls);
    return ls;
}

char *tu_slurp_opt(const char *path, size_t *len)
{
    unsigned char *p = NULL;
    size_t n = 0;
    struct errbuf err;
    int rc = fileio_read(path, &p, &n, &err);
    ck_assert_msg(rc >= 0, "%s", err.msg);
    if (rc == 1)
        return NULL;
    if (len)
        *len = n;
    return (char *)p;
}

char *tu_slurp(const char *path, size_t *len)
{
    char *s = tu_slurp_opt(path, len);
    ck_assert_msg(s != NULL, "cannot open %s (run from the repository root)", path);
    return s;
}

/* testutil.h -- helpers the unit suites share: for tests that touch the
 * file system, a private temporary directory, files in it read and written
 * whole, and a count of the names matching a pattern; for tests of the
 * routing tree, inhibition and time intervals, a configuration parsed from
 * a YAML string and a label set written as "a=x,b=y".  Every helper fails
 * the running test (ck_assert) instead of returning an error. */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <stddef.h>

#include "config.h"
#include "labels.h"

/* Makes a new directory <tmpfs or /tmp>/ar-<tag>-XXXXXX and writes its
 * name to dir.  tmpfs when there is one: the state-file tests fsync, and on
 * a busy disk each fsync can take a good fraction of a second. */
void tu_mkdtemp(char *dir, size_t cap, const char *tag);

/* Removes the files in dir, then dir itself (one level: the tests make no
 * subdirectories). */
void tu_rmdir(const char *dir);

/* How many entries of dir match the fnmatch(3) pattern. */
int tu_count_files(const char *dir, const char *pattern);

/* Reads dir/name whole into out (it must be shorter than cap); returns its
 * length. */
size_t tu_read_file(const char *dir, const char *name, char *out, size_t cap);

/* Writes data[0..n) to dir/name, replacing it. */
void tu_write_file(const char *dir, const char *name, const void *data, size_t n);

/* The whole file at path, NUL-terminated (free()); *len gets its size when
 * len is not NULL.  tu_slurp fails the test when the file cannot be read
 * (run the tests from the repository root); tu_slurp_opt returns NULL when
 * it does not exist. */
char *tu_slurp(const char *path, size_t *len);
char *tu_slurp_opt(const char *path, size_t *len);

/* The configuration in yaml (named "t.yml", base directory "."); its
 * diagnostics go to stderr when it does not parse. */
struct config *tu_parse_config(const char *yaml);

/* A sorted label set from "a=x,b=y" (no escapes); the strings live in
 * *store, which the caller frees together with the returned .v. */
struct labels tu_labels(const char *spec, char **store);

#endif

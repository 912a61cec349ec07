/* config.h -- the Alertmanager configuration model: typed structs for the
 * whole schema, strict validation, every error as file:line:col.
 *
 * ENTRY POINTS below are the contract other modules (main.c, the API's
 * reload and status) code against; the struct definitions are filled in by
 * the config module. */
#ifndef ROUTER_CONFIG_H
#define ROUTER_CONFIG_H

#include <stddef.h>

/* Every problem found while loading, in file order: "file:line:col: message".
 * Loading never stops at the first error. */
struct cfg_diag {
    size_t n, cap;
    char **msgs;      /* owned */
};

void cfg_diag_init(struct cfg_diag *d);
void cfg_diag_deinit(struct cfg_diag *d);
void cfg_diag_add(struct cfg_diag *d, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

struct config;

/* Parses and validates YAML text.  `filename` is used in messages,
 * `basedir` resolves relative paths (templates, *_file fields).  Returns a
 * new config (free with config_free) or NULL with every error in *diag. */
struct config *config_parse(const char *text, size_t len, const char *filename,
                            const char *basedir, struct cfg_diag *diag);
/* Reads the file and calls config_parse. */
struct config *config_load_file(const char *path, struct cfg_diag *diag);
void config_free(struct config *cfg);   /* accepts NULL */

/* The config as YAML with every secret shown as "<secret>" (for
 * GET /api/v2/status config.original).  Returns a new string. */
char *config_dump_redacted(const struct config *cfg);

#endif

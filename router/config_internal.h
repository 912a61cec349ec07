/* config_internal.h -- shared by the config family: config.c (entry points,
 * value readers, global, top level), config_route.c (routes, inhibit rules,
 * time intervals), config_receivers.c (receivers), config_http.c
 * (http_config, tls_config) and config_dump.c (the redacted YAML dump).
 * Not for other modules. */
#ifndef ROUTER_CONFIG_INTERNAL_H
#define ROUTER_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "config_yaml.h"

/* One collected problem; sorted into file order before it is reported. */
struct cerr {
    int line, col;
    size_t seq;
    char *msg;
};

/* The state of one config_parse call. */
struct cctx {
    const char *file, *basedir;
    struct config *cfg;
    size_t nerr, caperr;
    struct cerr *errs;
};

/* Records "message" at the node's position (the document start when at is
 * NULL). */
void cerrf(struct cctx *c, const struct ynode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- table-driven mapping reader ------------------------------------------ */

enum ckind {
    CK_STR,     /* any scalar -> char * */
    CK_BOOL,    /* YAML 1.1 bool -> bool */
    CK_DUR,     /* duration -> int64_t ms */
    CK_UINT,    /* unsigned integer -> uint64_t */
    CK_URL,     /* http(s) URL with a host -> char * */
    CK_STRLIST, /* sequence of scalars -> struct strlist */
    CK_STRMAP,  /* mapping of scalars -> struct kvlist */
    CK_CUSTOM,  /* the hook reads the node */
};

struct cctx;
typedef void ckey_fn(struct cctx *c, const struct ynode *key, const struct ynode *val, void *obj);

struct ckey {
    const char *name;
    enum ckind kind;
    size_t off;  /* offset of the field in obj (not for CK_CUSTOM) */
    ckey_fn *fn; /* CK_CUSTOM */
};

/* Reads mapping `n` into obj: every key must be in tab ("unknown field"),
 * values must have the key's type.  A null value leaves the field as it
 * was, as Go's yaml.v2 does.  `what` names the section in messages.
 * Returns false (after reporting) when n is not a mapping. */
bool cread_map(struct cctx *c, const struct ynode *n, const struct ckey *tab, void *obj,
               const char *what);
/* True when `key` is present in mapping n with a non-null value. */
bool chas(const struct ynode *n, const char *key);
/* Value readers for hooks; each reports its own type error and returns -1. */
int cread_str(struct cctx *c, const struct ynode *v, char **out);
int cread_strlist(struct cctx *c, const struct ynode *v, struct strlist *out);
int cread_url(struct cctx *c, const struct ynode *v, char **out);
/* Checks an http(s) URL as Alertmanager's config.URL does; NULL when fine,
 * else a static message. */
const char *curl_check(const char *s);
/* "host:port" with a non-empty port; 0 or -1 with a message in err. */
int chostport_check(const char *s, struct errbuf *err);

void strlist_push(struct strlist *l, const char *s);
void strlist_copy(struct strlist *dst, const struct strlist *src);
void strlist_deinit(struct strlist *l);
void kvlist_push(struct kvlist *l, const char *k, const char *v);
void kvlist_deinit(struct kvlist *l);
char *xstrdup_opt(const char *s); /* NULL stays NULL */

/* ---- the sections ---------------------------------------------------------- */

void cparse_http(struct cctx *c, const struct ynode *n, struct http_cfg *h);
void http_cfg_defaults(struct http_cfg *h);
void http_cfg_copy(struct http_cfg *dst, const struct http_cfg *src);
void http_cfg_deinit(struct http_cfg *h);
void tls_cfg_deinit(struct tls_cfg *t);
void cparse_tls(struct cctx *c, const struct ynode *n, struct tls_cfg *t);

void cparse_receivers(struct cctx *c, const struct ynode *n);
void receiver_cfg_deinit(struct receiver_cfg *r);

void cparse_time_intervals(struct cctx *c, const struct ynode *n, bool mute_key);
void time_interval_cfg_deinit(struct time_interval_cfg *t);
/* parent NULL: the root route.  Inheritance from parent is applied here. */
void cparse_route(struct cctx *c, const struct ynode *n, struct route_cfg *r,
                  const struct route_cfg *parent);
void route_cfg_deinit(struct route_cfg *r);
void cparse_inhibit_rules(struct cctx *c, const struct ynode *n);
void inhibit_rule_cfg_deinit(struct inhibit_rule_cfg *r);

/* Appends `key: value` lines for the dump (config_dump.c). */
void cdump(const struct config *cfg, struct buf *out);

#endif

/* config_yaml.h -- libyaml events folded into a node tree that carries the
 * line:column of every node.
 *
 * The first stage of config loading (config.c reads the typed model from
 * this tree).  libyaml does no typing: every scalar is text plus a style, so
 * deciding what is a bool, a null or a duration is the reader's job; helpers
 * below apply YAML 1.1 rules as Go's yaml.v2 (Alertmanager's parser) does.
 * Anchors and aliases are resolved by copying, with a node budget so that
 * "billion laughs" input fails instead of exhausting memory; `<<` merge keys
 * are applied; a key repeated in one mapping is an error. */
#ifndef ROUTER_CONFIG_YAML_H
#define ROUTER_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
    enum ynode_kind kind;
    int line, col; /* 1-based, where the node starts */
    char *str;     /* scalar text (NUL-terminated, may hold NULs: see len) */
    size_t len;
    bool plain;          /* unquoted scalar: YAML 1.1 null/bool resolution applies */
    char *tag;           /* explicit tag ("!!str"), or NULL */
    size_t n;            /* seq: number of items; map: number of pairs */
    struct ynode **kids; /* seq: items; map: key0, val0, key1, val1, ... */
};

/* Parses one YAML document.  Returns 0 and sets *root (NULL for an empty
 * document), or -1 with the syntax error(s) added to diag as
 * "file:line:col: ...".  Returns a new tree: free with ynode_free(). */
int ynode_load(const char *text, size_t len, const char *file, struct cfg_diag *diag,
               struct ynode **root);
void ynode_free(struct ynode *n); /* accepts NULL */

/* The value node for `key` in a mapping, or NULL (also when map is not a
 * mapping).  Borrowed. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* A plain "", "~", "null" (any case form yaml.v2 knows) or a !!null tag. */
bool ynode_is_null(const struct ynode *n);
/* YAML 1.1 booleans (y, yes, on, true, ... in their three case forms).
 * Returns 0 and sets *out, or -1 when the scalar is not a bool. */
int ynode_bool(const struct ynode *n, bool *out);
/* "!!str", "!!map", "!!seq", "!!int", "!!bool", "!!null", "!!float": the tag
 * yaml.v2 would resolve, used in "cannot unmarshal" messages. */
const char *ynode_tag(const struct ynode *n);

#endif

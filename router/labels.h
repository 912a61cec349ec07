/* labels.h -- label sets: canonical order, fingerprint, name validity.
 *
 * An alert's identity is its label set.  Label sets here are arrays of
 * (name, value) pairs sorted by name, with borrowed strings (the alert store
 * interns them).  The fingerprint is Alertmanager's: 64-bit FNV-1a over each
 * pair in name order, hashing name bytes, 0xFF, value bytes, 0xFF; shown as
 * 16 lowercase hex digits.  The same function identifies aggregation groups. */
#ifndef ROUTER_LABELS_H
#define ROUTER_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct label {
    const char *name;
    const char *value;
};

struct labels {
    size_t n;
    struct label *v;
};

/* Sorts by name (byte order, as Go's sort.Strings). */
void labels_sort(struct labels *ls);
/* The value of `name`, or NULL when absent.  Linear: label sets are small. */
const char *labels_get(const struct labels *ls, const char *name);
/* ls must be sorted. */
uint64_t labels_fingerprint(const struct labels *ls);
/* Writes 16 hex digits and a NUL. */
void fingerprint_format(uint64_t fp, char out[17]);
/* Parses 16 hex digits; -1 if s is not one. */
int fingerprint_parse(const char *s, uint64_t *fp);

/* Classic Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*. */
bool label_name_valid(const char *s);
/* Valid UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t n);

#endif

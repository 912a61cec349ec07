/* alert_shape.h -- the label and annotation NAMES of an alert, shared.
 *
 * Alerts from one rule carry the same names ("alertname", "instance",
 * "job", "severity"...; "summary", "description") and differ in values.
 * A shape is one such list of names, interned like a string: alerts with
 * the same names point at one shape and store only their values, which
 * halves the per-pair cost of an alert (4 bytes, a value id, instead of 8).
 * At 100k alerts of 10 pairs that is 4 MB.  The price is one more load to
 * read a name, and one table lookup when an alert is built from parsed
 * input (copies of a stored alert share its shape for free).
 *
 * A shape lists the label names, sorted, then the annotation names,
 * sorted, as intern ids.  The table is process-wide and refcounted like
 * intern.h; the last alert_shape_unref() frees a shape and releases its
 * names.  A sender that gives every alert different label names gets one
 * shape per alert: that costs about a header (24 bytes) more per alert
 * than storing names in the alert, which is the worst case. */
#ifndef ROUTER_ALERT_SHAPE_H
#define ROUTER_ALERT_SHAPE_H

#include <stddef.h>
#include <stdint.h>

struct alert_shape {
    uint32_t refs;
    uint32_t hash;
    uint32_t nlabels;
    uint32_t nannots;
    struct alert_shape *next; /* hash chain */
    uint32_t names[];         /* intern ids: label names, then annotation names */
};

/* The shape with these names (nl label names then na annotation names,
 * intern ids); a new reference.  Consumes the caller's reference to each
 * of the nl + na ids: the shape keeps one per name. */
const struct alert_shape *alert_shape_get(const uint32_t *names, size_t nl, size_t na);
/* Takes one more reference; returns s. */
const struct alert_shape *alert_shape_ref(const struct alert_shape *s);
/* Drops one reference; the last one frees the shape and its names. */
void alert_shape_unref(const struct alert_shape *s);

/* Shapes alive, and the bytes they use (malloc overhead excluded). */
size_t alert_shape_count(void);
size_t alert_shape_bytes(void);

#endif

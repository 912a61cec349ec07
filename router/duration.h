/* duration.h -- Prometheus/Alertmanager durations: "30s", "1h30m", "1d", "0".
 *
 * Grammar: ((N)y)?((N)w)?((N)d)?((N)h)?((N)m)?((N)s)?((N)ms)? or "0",
 * integers only, units in that order, y = 365d, w = 7d. */
#ifndef ROUTER_DURATION_H
#define ROUTER_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Milliseconds.  Returns -1 with `not a valid duration string: "5 minutes"`. */
int duration_parse(const char *s, int64_t *ms, struct errbuf *err);
/* Prometheus' String(): "1h30m", "5m", "0s", "1d" ... largest units first.
 * Writes at most n bytes including the NUL; returns the length. */
size_t duration_format(int64_t ms, char *out, size_t n);

#endif

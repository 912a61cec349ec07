/* tz.h -- time zones from the system tz database, without touching TZ.
 *
 * Time intervals (timeinterval.c) are evaluated in a configured location
 * ("Europe/Berlin", "Local", "UTC").  libc's localtime_r only knows the
 * zone named by the process-wide TZ variable, and switching it with
 * setenv+tzset on every evaluation is neither cheap nor safe on the loop.
 * So a zone is loaded once per config load: its TZif file
 * (/usr/share/zoneinfo/NAME, RFC 8536, versions 1-4) is read, bounded and
 * validated, and offsets are looked up in memory -- the transition table,
 * then the POSIX TZ rule of the footer for instants after the last
 * transition (as Go's time package does).  "Local" follows Go: $TZ when
 * set (empty = UTC), else /etc/localtime; if that cannot be loaded, UTC. */
#ifndef ROUTER_TZ_H
#define ROUTER_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct tz;

/* Loads "UTC", "Local" or an IANA name.  Returns a new zone (tz_free) or
 * NULL with a message. */
struct tz *tz_load(const char *name, struct errbuf *err);
/* Parses TZif data (tests, fuzzing).  NULL with a message when invalid. */
struct tz *tz_parse(const unsigned char *data, size_t len, struct errbuf *err);
/* A zone from a POSIX TZ string alone ("CET-1CEST,M3.5.0,M10.5.0/3"). */
struct tz *tz_from_posix(const char *rule, struct errbuf *err);
void tz_free(struct tz *z); /* accepts NULL */

/* Seconds east of UTC in effect at unix time t. */
int32_t tz_offset(const struct tz *z, int64_t t);

/* A broken-down local time. */
struct civil {
    int64_t year;
    int month;  /* 1..12 */
    int day;    /* 1..31 */
    int hour;   /* 0..23 */
    int minute; /* 0..59 */
    int second; /* 0..59 */
    int wday;   /* 0 = Sunday */
};

/* Unix time t as local time in z (z NULL: UTC). */
void tz_civil(const struct tz *z, int64_t t, struct civil *out);
/* Days in that month of that (proleptic Gregorian) year. */
int days_in_month(int64_t year, int month);

#endif

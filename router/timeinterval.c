/* timeinterval.c -- evaluation of time intervals (see timeinterval.h).
 *
 * One loaded zone per spec that names a location, shared between specs
 * naming the same zone; the spec array mirrors the config's. */
#include "timeinterval.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "tz.h"

struct zone {
    char *name; /* borrowed from the config */
    struct tz *tz;
};

struct timeintervals {
    const struct config *cfg;
    const struct tz ***spec_tz; /* [interval][spec]; NULL = UTC */
    size_t n_zones;
    struct zone *zones;
};

static const struct tz *zone_get(struct timeintervals *ti, const char *name, struct errbuf *err)
{
    for (size_t i = 0; i < ti->n_zones; i++)
        if (strcmp(ti->zones[i].name, name) == 0)
            return ti->zones[i].tz;
    struct tz *z = tz_load(name, err);
    if (!z)
        return NULL;
    ti->zones = xrealloc(ti->zones, (ti->n_zones + 1) * sizeof *ti->zones);
    ti->zones[ti->n_zones++] = (struct zone){(char *)name, z};
    return z;
}

struct timeintervals *timeintervals_build(const struct config *cfg, struct errbuf *err)
{
    struct timeintervals *ti = xcalloc(1, sizeof *ti);
    ti->cfg = cfg;
    ti->spec_tz = xcalloc(cfg->n_time_intervals + 1, sizeof *ti->spec_tz);
    for (size_t i = 0; i < cfg->n_time_intervals; i++) {
        const struct time_interval_cfg *iv = &cfg->time_intervals[i];
        ti->spec_tz[i] = xcalloc(iv->n_specs + 1, sizeof **ti->spec_tz);
        for (size_t j = 0; j < iv->n_specs; j++) {
            const char *loc = iv->specs[j].location;
            if (!loc)
                continue;
            if (!(ti->spec_tz[i][j] = zone_get(ti, loc, err))) {
                errbuf_prefix(err, "time interval \"%s\"", iv->name ? iv->name : "");
                timeintervals_free(ti);
                return NULL;
            }
        }
    }
    return ti;
}

void timeintervals_free(struct timeintervals *ti)
{
    if (!ti)
        return;
    for (size_t i = 0; i < ti->cfg->n_time_intervals; i++)
        free(ti->spec_tz[i]);
    free(ti->spec_tz);
    for (size_t i = 0; i < ti->n_zones; i++)
        tz_free(ti->zones[i].tz);
    free(ti->zones);
    free(ti);
}

static bool in_ranges(const struct int_range *r, size_t n, int v)
{
    for (size_t i = 0; i < n; i++)
        if (v >= r[i].begin && v <= r[i].end)
            return true;
    return false;
}

static int clamp(int n, int lo, int hi)
{
    return n <= lo ? lo : n >= hi ? hi : n;
}

/* Days of the month, Alertmanager's way: negative ends count back from the
 * month's last day (-1 = last); a range beginning after the last day is
 * skipped; both ends are then clamped to +-days (a begin that stays
 * negative, e.g. -31 in February, covers the whole start of the month). */
static bool in_days(const struct int_range *r, size_t n, const struct civil *c)
{
    int dim = days_in_month(c->year, c->month);
    for (size_t i = 0; i < n; i++) {
        int b = r[i].begin < 0 ? dim + r[i].begin + 1 : r[i].begin;
        int e = r[i].end < 0 ? dim + r[i].end + 1 : r[i].end;
        if (b > dim)
            continue;
        b = clamp(b, -dim, dim);
        e = clamp(e, -dim, dim);
        if (c->day >= b && c->day <= e)
            return true;
    }
    return false;
}

/* A field is "present" when its array exists, even with no element: the
 * config allocates one for every key written, as Go's yaml.v2 makes a
 * non-nil slice for `[]`. */
static bool spec_contains(const struct time_spec *sp, const struct tz *z, int64_t unix_ms)
{
    struct civil c;
    int64_t s = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
    tz_civil(z, s, &c);
    if (sp->times) {
        int m = c.hour * 60 + c.minute;
        bool in = false;
        for (size_t i = 0; i < sp->n_times && !in; i++)
            in = m >= sp->times[i].begin && m < sp->times[i].end;
        if (!in)
            return false;
    }
    if (sp->days_of_month && !in_days(sp->days_of_month, sp->n_days_of_month, &c))
        return false;
    if (sp->months && !in_ranges(sp->months, sp->n_months, c.month))
        return false;
    if (sp->weekdays && !in_ranges(sp->weekdays, sp->n_weekdays, c.wday))
        return false;
    if (sp->years && (c.year < -2000000000 || c.year > 2000000000 ||
                      !in_ranges(sp->years, sp->n_years, (int)c.year)))
        return false;
    return true;
}

bool time_interval_contains(const struct timeintervals *ti, const struct time_interval_cfg *iv,
                            int64_t unix_ms)
{
    const struct config *cfg = ti->cfg;
    if (iv < cfg->time_intervals || iv >= cfg->time_intervals + cfg->n_time_intervals)
        return false;
    size_t k = (size_t)(iv - cfg->time_intervals);
    for (size_t j = 0; j < iv->n_specs; j++)
        if (spec_contains(&iv->specs[j], ti->spec_tz[k][j], unix_ms))
            return true;
    return false;
}

bool timeintervals_contains(const struct timeintervals *ti, const char *name, int64_t unix_ms)
{
    const struct time_interval_cfg *iv = config_time_interval(ti->cfg, name);
    return iv && time_interval_contains(ti, iv, unix_ms);
}

bool intervals_any_contains(const struct timeintervals *ti, const struct strlist *names,
                            int64_t unix_ms)
{
    for (size_t i = 0; i < names->n; i++)
        if (timeintervals_contains(ti, names->v[i], unix_ms))
            return true;
    return false;
}

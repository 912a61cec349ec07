/* tz.c -- TZif files and POSIX TZ rules (see tz.h).
 *
 * Everything read from a file is checked before use: the size is capped,
 * counts are bounded as the reference implementation bounds them
 * (tzfile.h's TZ_MAX_TIMES and friends, with slack), every type index is
 * range-checked and offsets must lie within a day.  Civil dates use the
 * days-from-civil arithmetic of the proleptic Gregorian calendar, so the
 * result does not depend on libc's time_t range or on TZ. */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

#define TZ_DIR "/usr/share/zoneinfo/"
#define TZ_MAX_FILE (256 * 1024)
#define TZ_MAX_TIMES 4000
#define TZ_MAX_TYPES 256
#define TZ_MAX_CHARS 512
#define TZ_MAX_LEAPS 100
#define MAX_OFFSET (26 * 3600)

/* A POSIX TZ rule date: Jn (julian, no Feb 29), n (zero-based, with leap
 * day) or Mm.w.d; `secs` is the local time of day of the change. */
enum rule_kind { RULE_JULIAN, RULE_DOY, RULE_MWD };
struct rule {
    enum rule_kind kind;
    int day, week, mon;
    int32_t secs;
};

struct posix_tz {
    bool valid, has_dst;
    int32_t std_off, dst_off; /* seconds EAST of UTC (POSIX writes west) */
    struct rule start, end;
};

struct tz {
    size_t n_trans;
    int64_t *trans_at;    /* ascending */
    int32_t *trans_off;   /* offset in effect from trans_at[i] */
    int32_t first_off;    /* before the first transition */
    struct posix_tz rule; /* after the last transition (or always) */
};

/* ---- calendar ------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Days since 1970-01-01 of y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int64_t year, int month)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && is_leap(year) ? 29 : dm[month - 1];
}

/* ---- POSIX TZ rules ------------------------------------------------------- */

/* Zone abbreviation: alphabetic (>= 3) or <quoted>. */
static const char *p_name(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e && e - s >= 4 ? e + 1 : NULL;
    }
    const char *p = s;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
        p++;
    return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]], hh up to max_h; *out in seconds. */
static const char *p_time(const char *s, int max_h, int32_t *out)
{
    int sign = 1, part[3] = {0, 0, 0};
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    for (int i = 0; i < 3; i++) {
        if (i && *s != ':')
            break;
        if (i)
            s++;
        if (*s < '0' || *s > '9')
            return NULL;
        int v = 0, nd = 0;
        while (*s >= '0' && *s <= '9' && nd < 3)
            v = v * 10 + (*s++ - '0'), nd++;
        if ((i == 0 && v > max_h) || (i > 0 && v > 59))
            return NULL;
        part[i] = v;
    }
    *out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return s;
}

static const char *p_num(const char *s, int lo, int hi, int *out)
{
    int v = 0, nd = 0;
    while (*s >= '0' && *s <= '9' && nd < 4)
        v = v * 10 + (*s++ - '0'), nd++;
    if (nd == 0 || v < lo || v > hi)
        return NULL;
    *out = v;
    return s;
}

static const char *p_rule(const char *s, struct rule *r)
{
    if (*s == 'J') {
        r->kind = RULE_JULIAN;
        s = p_num(s + 1, 1, 365, &r->day);
    } else if (*s == 'M') {
        r->kind = RULE_MWD;
        if (!(s = p_num(s + 1, 1, 12, &r->mon)) || *s++ != '.' || !(s = p_num(s, 1, 5, &r->week)) ||
            *s++ != '.')
            return NULL;
        s = p_num(s, 0, 6, &r->day);
    } else {
        r->kind = RULE_DOY;
        s = p_num(s, 0, 365, &r->day);
    }
    if (!s)
        return NULL;
    r->secs = 2 * 3600;
    if (*s == '/')
        s = p_time(s + 1, 167, &r->secs);
    return s;
}

static bool posix_parse(const char *s, struct posix_tz *p)
{
    memset(p, 0, sizeof *p);
    int32_t off;
    if (!(s = p_name(s)) || !(s = p_time(s, 24, &off)))
        return false;
    p->std_off = -off;
    if (*s == '\0') {
        p->valid = true;
        return true;
    }
    if (!(s = p_name(s)))
        return false;
    p->has_dst = true;
    p->dst_off = p->std_off + 3600;
    if (*s && *s != ',') {
        if (!(s = p_time(s, 24, &off)))
            return false;
        p->dst_off = -off;
    }
    if (*s == '\0') { /* no rule: the US default, as Go assumes */
        p->start = (struct rule){RULE_MWD, 0, 2, 3, 7200};
        p->end = (struct rule){RULE_MWD, 0, 1, 11, 7200};
    } else if (*s++ != ',' || !(s = p_rule(s, &p->start)) || *s++ != ',' ||
               !(s = p_rule(s, &p->end)) || *s != '\0')
        return false;
    p->valid = true;
    return true;
}

/* Seconds from the start of `year` (UTC-naive) to the rule's instant, in
 * the local time that is in effect before the change. */
static int64_t rule_time(const struct rule *r, int64_t year)
{
    int64_t day; /* zero-based day of year */
    switch (r->kind) {
    case RULE_JULIAN:
        day = r->day - 1;
        if (is_leap(year) && r->day >= 60)
            day++;
        break;
    case RULE_DOY:
        day = r->day;
        break;
    default: {
        int64_t first = days_from_civil(year, r->mon, 1);
        int wd = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
        int d = 1 + (r->day - wd + 7) % 7 + (r->week - 1) * 7;
        while (d > days_in_month(year, r->mon))
            d -= 7;
        day = first + d - 1 - days_from_civil(year, 1, 1);
    }
    }
    return day * 86400 + r->secs;
}

static int32_t posix_offset(const struct posix_tz *p, int64_t t)
{
    if (!p->has_dst)
        return p->std_off;
    int64_t y;
    int m, d;
    civil_from_days(floor_div(t + p->std_off, 86400), &y, &m, &d);
    int64_t ys = days_from_civil(y, 1, 1) * 86400;
    int64_t start = ys + rule_time(&p->start, y) - p->std_off; /* given in std time */
    int64_t end = ys + rule_time(&p->end, y) - p->dst_off;     /* given in dst time */
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? p->dst_off : p->std_off;
}

struct tz *tz_from_posix(const char *rule, struct errbuf *err)
{
    struct tz *z = xcalloc(1, sizeof *z);
    if (!posix_parse(rule, &z->rule)) {
        errbuf_set(err, "invalid POSIX time zone rule \"%s\"", rule);
        free(z);
        return NULL;
    }
    z->first_off = z->rule.std_off;
    return z;
}

/* ---- TZif ----------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
    int version;
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int read_hdr(const unsigned char *p, size_t len, struct tzif_hdr *h, struct errbuf *err)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0) {
        errbuf_set(err, "not a TZif file");
        return -1;
    }
    h->version = p[4] ? p[4] - '0' : 1;
    h->isutcnt = be32(p + 20), h->isstdcnt = be32(p + 24), h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32), h->typecnt = be32(p + 36), h->charcnt = be32(p + 40);
    if (h->version < 1 || h->version > 9 || h->typecnt == 0 || h->typecnt > TZ_MAX_TYPES ||
        h->timecnt > TZ_MAX_TIMES || h->charcnt > TZ_MAX_CHARS || h->leapcnt > TZ_MAX_LEAPS ||
        (h->isutcnt && h->isutcnt != h->typecnt) || (h->isstdcnt && h->isstdcnt != h->typecnt)) {
        errbuf_set(err, "TZif header out of bounds");
        return -1;
    }
    return 0;
}

static size_t block_len(const struct tzif_hdr *h, int tsize)
{
    return (size_t)h->timecnt * (tsize + 1) + (size_t)h->typecnt * 6 + h->charcnt +
           (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

struct tz *tz_parse(const unsigned char *data, size_t len, struct errbuf *err)
{
    struct tzif_hdr h;
    if (len > TZ_MAX_FILE) {
        errbuf_set(err, "TZif file too large");
        return NULL;
    }
    if (read_hdr(data, len, &h, err) < 0)
        return NULL;
    int tsize = 4;
    const unsigned char *p = data + 44, *end = data + len;
    if (block_len(&h, 4) > (size_t)(end - p)) {
        errbuf_set(err, "TZif file truncated");
        return NULL;
    }
    if (h.version >= 2) { /* skip the 32-bit block, use the 64-bit one */
        p += block_len(&h, 4);
        if (read_hdr(p, (size_t)(end - p), &h, err) < 0)
            return NULL;
        p += 44;
        tsize = 8;
        if (block_len(&h, 8) > (size_t)(end - p)) {
            errbuf_set(err, "TZif file truncated");
            return NULL;
        }
    }
    const unsigned char *times = p, *idx = p + (size_t)h.timecnt * tsize;
    const unsigned char *types = idx + h.timecnt;
    int32_t offs[TZ_MAX_TYPES];
    bool isdst[TZ_MAX_TYPES];
    for (uint32_t i = 0; i < h.typecnt; i++) {
        offs[i] = (int32_t)be32(types + 6 * i);
        isdst[i] = types[6 * i + 4] != 0;
        if (offs[i] < -MAX_OFFSET || offs[i] > MAX_OFFSET || types[6 * i + 4] > 1 ||
            types[6 * i + 5] >= (h.charcnt ? h.charcnt : 1)) {
            errbuf_set(err, "TZif local time type out of range");
            return NULL;
        }
    }
    struct tz *z = xcalloc(1, sizeof *z);
    z->n_trans = h.timecnt;
    z->trans_at = xcalloc(h.timecnt + 1, sizeof *z->trans_at);
    z->trans_off = xcalloc(h.timecnt + 1, sizeof *z->trans_off);
    for (uint32_t i = 0; i < h.timecnt; i++) {
        z->trans_at[i] = tsize == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
        if (idx[i] >= h.typecnt || (i && z->trans_at[i] <= z->trans_at[i - 1])) {
            errbuf_set(err, "TZif transitions invalid");
            tz_free(z);
            return NULL;
        }
        z->trans_off[i] = offs[idx[i]];
    }
    /* Before the first transition: as Go's lookupFirstZone, the first
     * standard-time type (type 0 unless it is a DST one). */
    z->first_off = offs[0];
    if (isdst[0])
        for (uint32_t i = 0; i < h.typecnt; i++)
            if (!isdst[i]) {
                z->first_off = offs[i];
                break;
            }
    /* The footer: "\n<POSIX rule>\n" (version 2+). */
    p += block_len(&h, tsize);
    if (tsize == 8 && p < end && *p == '\n') {
        const unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
        if (nl && nl > p + 1 && nl - p < 128) {
            char rule[128];
            memcpy(rule, p + 1, (size_t)(nl - p - 1));
            rule[nl - p - 1] = '\0';
            if (!posix_parse(rule, &z->rule)) {
                errbuf_set(err, "TZif footer has an invalid rule");
                tz_free(z);
                return NULL;
            }
        }
    }
    return z;
}

static struct tz *load_file(const char *path, struct errbuf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        errbuf_set(err, "unknown time zone: %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    unsigned char *data = NULL;
    struct tz *z = NULL;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > TZ_MAX_FILE) {
        errbuf_set(err, "%s: not a time zone file", path);
        goto out;
    }
    data = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    z = tz_parse(data, got, err);
    if (!z)
        errbuf_prefix(err, "%s", path);
out:
    free(data);
    close(fd);
    return z;
}

static bool name_safe(const char *n)
{
    return *n && *n != '/' && !strstr(n, "..") && !strchr(n, '\\') && strlen(n) < 200;
}

struct tz *tz_load(const char *name, struct errbuf *err)
{
    if (strcmp(name, "UTC") == 0)
        return tz_from_posix("UTC0", err);
    char path[256];
    if (strcmp(name, "Local") == 0) {
        const char *env = getenv("TZ");
        if (!env) {
            struct tz *z = load_file("/etc/localtime", err);
            return z ? z : tz_from_posix("UTC0", err);
        }
        if (*env == ':')
            env++;
        if (!*env || strcmp(env, "UTC") == 0 || !name_safe(env))
            return tz_from_posix("UTC0", err);
        snprintf(path, sizeof path, TZ_DIR "%s", env);
        struct tz *z = load_file(path, err);
        return z ? z : tz_from_posix("UTC0", err);
    }
    if (!name_safe(name)) {
        errbuf_set(err, "unknown time zone %s", name);
        return NULL;
    }
    snprintf(path, sizeof path, TZ_DIR "%s", name);
    return load_file(path, err);
}

void tz_free(struct tz *z)
{
    if (!z)
        return;
    free(z->trans_at);
    free(z->trans_off);
    free(z);
}

int32_t tz_offset(const struct tz *z, int64_t t)
{
    if (!z)
        return 0;
    if (z->n_trans == 0)
        return z->rule.valid ? posix_offset(&z->rule, t) : z->first_off;
    if (t < z->trans_at[0])
        return z->first_off;
    size_t lo = 0, hi = z->n_trans; /* last transition <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans_at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (lo == z->n_trans - 1 && z->rule.valid)
        return posix_offset(&z->rule, t);
    return z->trans_off[lo];
}

void tz_civil(const struct tz *z, int64_t t, struct civil *out)
{
    int64_t local = t + tz_offset(z, t);
    int64_t days = floor_div(local, 86400), secs = local - days * 86400;
    civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(secs / 3600);
    out->minute = (int)(secs / 60 % 60);
    out->second = (int)(secs % 60);
    out->wday = (int)((days % 7 + 11) % 7);
}

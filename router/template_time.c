/* template_time.c -- Go's time.Time and time.Duration as templates see them.
 *
 * Alert times print the way Go prints them ("2024-05-01 10:00:00 +0000 UTC"),
 * .StartsAt.Format and the `date` function take Go reference layouts
 * ("2006-01-02 15:04:05"), durations print as "1h2m3.5s", and `tz` converts
 * a time into an IANA zone by reading the system's TZif file
 * (/usr/share/zoneinfo), as Go's time.LoadLocation does.  Beyond a zone's
 * last listed transition (2037 in Debian's "fat" files) the last offset is
 * kept. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template_internal.h"
#include "tz.h"

#define GO_ZERO_UNIX (-62135596800LL) /* 0001-01-01T00:00:00Z */

struct ttime ttime_from_ms(int64_t ms)
{
    struct ttime t = {GO_ZERO_UNIX, 0, 0, "UTC"};
    if (ms == TMPL_TIME_ZERO)
        return t;
    int64_t s = ms / 1000, r = ms % 1000;
    if (r < 0) {
        s--;
        r += 1000;
    }
    t.sec = s;
    t.nsec = (int32_t)(r * 1000000);
    return t;
}

bool ttime_is_zero(const struct ttime *t)
{
    return t->sec == GO_ZERO_UNIX && t->nsec == 0;
}

struct parts {
    int64_t year;
    int mon, day, hour, min, sec, wday, yday;
};

/* The wall-clock fields of t at its own offset (tz_civil, in UTC). */
static struct parts split(const struct ttime *t)
{
    struct civil c;
    tz_civil(NULL, t->sec + t->off, &c);
    struct parts p = {c.year, c.month, c.day, c.hour, c.minute, c.second, c.wday, 0};
    static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    p.yday = cum[p.mon - 1] + p.day + (p.mon > 2 && days_in_month(p.year, 2) == 29);
    return p;
}

static const char *month_names[] = {"January",   "February", "March",    "April",
                                    "May",       "June",     "July",     "August",
                                    "September", "October",  "November", "December"};
static const char *day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                  "Thursday", "Friday", "Saturday"};

static bool lhas(const char *l, size_t n, size_t i, const char *lit)
{
    size_t k = strlen(lit);
    return n - i >= k && memcmp(l + i, lit, k) == 0;
}

static void zone_offset(struct buf *b, int off, bool colon, bool secs, bool hours_only, bool z)
{
    if (z && off == 0) {
        buf_putc(b, 'Z');
        return;
    }
    int a = off < 0 ? -off : off;
    buf_putc(b, off < 0 ? '-' : '+');
    buf_printf(b, "%02d", a / 3600);
    if (hours_only)
        return;
    buf_printf(b, "%s%02d", colon ? ":" : "", a / 60 % 60);
    if (secs)
        buf_printf(b, "%s%02d", colon ? ":" : "", a % 60);
}

/* Appends t formatted with Go layout l[0..n). */
void ttime_format(struct buf *b, const struct ttime *t, const char *l, size_t n)
{
    struct parts p = split(t);
    int h12 = p.hour % 12 == 0 ? 12 : p.hour % 12;
    for (size_t i = 0; i < n;) {
        char c = l[i];
        if (lhas(l, n, i, "January")) {
            buf_puts(b, month_names[p.mon - 1]);
            i += 7;
        } else if (lhas(l, n, i, "Jan")) {
            buf_printf(b, "%.3s", month_names[p.mon - 1]);
            i += 3;
        } else if (lhas(l, n, i, "Monday")) {
            buf_puts(b, day_names[p.wday]);
            i += 6;
        } else if (lhas(l, n, i, "Mon")) {
            buf_printf(b, "%.3s", day_names[p.wday]);
            i += 3;
        } else if (lhas(l, n, i, "MST")) {
            if (t->zone && t->zone[0])
                buf_puts(b, t->zone);
            else
                zone_offset(b, t->off, false, false, false, false);
            i += 3;
        } else if (lhas(l, n, i, "2006")) {
            buf_printf(b, "%04lld", (long long)p.year);
            i += 4;
        } else if (lhas(l, n, i, "002")) {
            buf_printf(b, "%03d", p.yday);
            i += 3;
        } else if (lhas(l, n, i, "__2")) {
            buf_printf(b, "%3d", p.yday);
            i += 3;
        } else if (lhas(l, n, i, "_2") && !lhas(l, n, i, "_2006")) {
            buf_printf(b, "%2d", p.day);
            i += 2;
        } else if (lhas(l, n, i, "01")) {
            buf_printf(b, "%02d", p.mon);
            i += 2;
        } else if (lhas(l, n, i, "02")) {
            buf_printf(b, "%02d", p.day);
            i += 2;
        } else if (lhas(l, n, i, "03")) {
            buf_printf(b, "%02d", h12);
            i += 2;
        } else if (lhas(l, n, i, "04")) {
            buf_printf(b, "%02d", p.min);
            i += 2;
        } else if (lhas(l, n, i, "05")) {
            buf_printf(b, "%02d", p.sec);
            i += 2;
        } else if (lhas(l, n, i, "06")) {
            buf_printf(b, "%02d", (int)(((p.year % 100) + 100) % 100));
            i += 2;
        } else if (lhas(l, n, i, "15")) {
            buf_printf(b, "%02d", p.hour);
            i += 2;
        } else if (c == '1') {
            buf_printf(b, "%d", p.mon);
            i++;
        } else if (c == '2') {
            buf_printf(b, "%d", p.day);
            i++;
        } else if (c == '3') {
            buf_printf(b, "%d", h12);
            i++;
        } else if (c == '4') {
            buf_printf(b, "%d", p.min);
            i++;
        } else if (c == '5') {
            buf_printf(b, "%d", p.sec);
            i++;
        } else if (lhas(l, n, i, "PM")) {
            buf_puts(b, p.hour >= 12 ? "PM" : "AM");
            i += 2;
        } else if (lhas(l, n, i, "pm")) {
            buf_puts(b, p.hour >= 12 ? "pm" : "am");
            i += 2;
        } else if (lhas(l, n, i, "-07:00:00")) {
            zone_offset(b, t->off, true, true, false, false);
            i += 9;
        } else if (lhas(l, n, i, "-070000")) {
            zone_offset(b, t->off, false, true, false, false);
            i += 7;
        } else if (lhas(l, n, i, "-07:00")) {
            zone_offset(b, t->off, true, false, false, false);
            i += 6;
        } else if (lhas(l, n, i, "-0700")) {
            zone_offset(b, t->off, false, false, false, false);
            i += 5;
        } else if (lhas(l, n, i, "-07")) {
            zone_offset(b, t->off, false, false, true, false);
            i += 3;
        } else if (lhas(l, n, i, "Z07:00:00")) {
            zone_offset(b, t->off, true, true, false, true);
            i += 9;
        } else if (lhas(l, n, i, "Z070000")) {
            zone_offset(b, t->off, false, true, false, true);
            i += 7;
        } else if (lhas(l, n, i, "Z07:00")) {
            zone_offset(b, t->off, true, false, false, true);
            i += 6;
        } else if (lhas(l, n, i, "Z0700")) {
            zone_offset(b, t->off, false, false, false, true);
            i += 5;
        } else if (lhas(l, n, i, "Z07")) {
            zone_offset(b, t->off, false, false, true, true);
            i += 3;
        } else if ((c == '.' || c == ',') && i + 1 < n && (l[i + 1] == '0' || l[i + 1] == '9')) {
            char d = l[i + 1];
            size_t j = i + 1;
            while (j < n && l[j] == d)
                j++;
            if (j < n && l[j] >= '0' && l[j] <= '9') { /* not a fraction: literal */
                buf_putc(b, c);
                i++;
                continue;
            }
            size_t digits = j - i - 1;
            if (digits > 9)
                digits = 9;
            char frac[10];
            snprintf(frac, sizeof frac, "%09d", (int)t->nsec);
            frac[digits] = 0;
            if (d == '9') {
                size_t k = strlen(frac);
                while (k > 0 && frac[k - 1] == '0')
                    frac[--k] = 0;
                if (k > 0)
                    buf_printf(b, "%c%s", c, frac);
            } else {
                buf_printf(b, "%c%s", c, frac);
            }
            i = j;
        } else {
            buf_putc(b, c);
            i++;
        }
    }
}

void ttime_string(struct buf *b, const struct ttime *t)
{
    static const char lay[] = "2006-01-02 15:04:05.999999999 -0700 MST";
    ttime_format(b, t, lay, sizeof lay - 1);
}

void ttime_rfc3339(struct buf *b, const struct ttime *t)
{
    static const char lay[] = "2006-01-02T15:04:05.999999999Z07:00";
    ttime_format(b, t, lay, sizeof lay - 1);
}

/* Go's fmtFrac: the fraction of v/10^prec without trailing zeros. */
static void frac(char *buf, size_t *w, uint64_t *v, int prec)
{
    bool print = false;
    for (int i = 0; i < prec; i++) {
        int digit = (int)(*v % 10);
        print = print || digit != 0;
        if (print)
            buf[--*w] = (char)('0' + digit);
        *v /= 10;
    }
    if (print)
        buf[--*w] = '.';
}

static void fint(char *buf, size_t *w, uint64_t v)
{
    if (v == 0) {
        buf[--*w] = '0';
        return;
    }
    while (v > 0) {
        buf[--*w] = (char)('0' + v % 10);
        v /= 10;
    }
}

void tdur_string(struct buf *b, int64_t d)
{
    char buf[40];
    size_t w = sizeof buf;
    uint64_t u = (uint64_t)d;
    bool neg = d < 0;
    if (neg)
        u = 0 - u;
    if (u < 1000000000ULL) {
        int prec;
        buf[--w] = 's';
        if (u == 0) {
            buf_puts(b, "0s");
            return;
        } else if (u < 1000) {
            prec = 0;
            buf[--w] = 'n';
        } else if (u < 1000000) {
            prec = 3;
            w -= 2;
            memcpy(buf + w, "\xc2\xb5", 2); /* µ */
        } else {
            prec = 6;
            buf[--w] = 'm';
        }
        frac(buf, &w, &u, prec);
        fint(buf, &w, u);
    } else {
        buf[--w] = 's';
        frac(buf, &w, &u, 9);
        fint(buf, &w, u % 60);
        u /= 60;
        if (u > 0) {
            buf[--w] = 'm';
            fint(buf, &w, u % 60);
            u /= 60;
            if (u > 0) {
                buf[--w] = 'h';
                fint(buf, &w, u);
            }
        }
    }
    if (neg)
        buf[--w] = '-';
    buf_append(b, buf + w, sizeof buf - w);
}

/* ---- zones ------------------------------------------------------------- */

static int64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static bool zone_name_ok(const char *name)
{
    if (!name[0] || name[0] == '/' || strstr(name, "..") || strlen(name) > 100)
        return false;
    for (const char *p = name; *p; p++)
        if (!(*p == '/' || *p == '_' || *p == '-' || *p == '+' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* Finds offset and abbreviation for instant `sec` in TZif data; 0 or -1. */
static int tzif_lookup(const unsigned char *d, size_t n, int64_t sec, int32_t *off, char *abbr,
                       size_t abbrsz)
{
    if (n < 44 || memcmp(d, "TZif", 4) != 0)
        return -1;
    int tsz = 4;
    const unsigned char *h = d;
    for (int pass = 0; pass < 2; pass++) {
        int64_t isutc = be(h + 20, 4), isstd = be(h + 24, 4), leapc = be(h + 28, 4);
        int64_t timec = be(h + 32, 4), typec = be(h + 36, 4), charc = be(h + 40, 4);
        if (isutc < 0 || isstd < 0 || leapc < 0 || timec < 0 || typec <= 0 || charc < 0 ||
            timec > 100000 || typec > 256 || charc > 10000 || leapc > 10000)
            return -1;
        size_t body =
            (size_t)(timec * tsz + timec + typec * 6 + charc + leapc * (tsz + 4) + isstd + isutc);
        const unsigned char *p = h + 44;
        if ((size_t)(p - d) + body > n)
            return -1;
        if (pass == 0 && h[4] >= '2') { /* skip to the 64-bit block */
            h = p + body;
            tsz = 8;
            if ((size_t)(h - d) + 44 > n || memcmp(h, "TZif", 4) != 0)
                return -1;
            continue;
        }
        const unsigned char *times = p, *idx = p + timec * tsz, *types = idx + timec;
        const unsigned char *chars = types + typec * 6;
        int64_t ti = 0;
        if (timec > 0 && sec >= be(times, tsz)) {
            int64_t lo = 0, hi = timec - 1; /* last transition <= sec */
            while (lo < hi) {
                int64_t mid = (lo + hi + 1) / 2;
                if (be(times + mid * tsz, tsz) <= sec)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            ti = idx[lo];
        } else {
            for (ti = 0; ti < typec && types[ti * 6 + 4]; ti++) /* first standard type */
                ;
            if (ti == typec)
                ti = 0;
        }
        if (ti >= typec)
            return -1;
        *off = (int32_t)be(types + ti * 6, 4);
        int ai = types[ti * 6 + 5];
        if (ai >= charc)
            return -1;
        size_t k = 0;
        while (ai + (int64_t)k < charc && chars[ai + k] && k + 1 < abbrsz) {
            abbr[k] = (char)chars[ai + k];
            k++;
        }
        abbr[k] = 0;
        return 0;
    }
    return -1;
}

int ttime_in_zone(struct tx *x, struct ttime *t, const char *name)
{
    if (name[0] == 0 || strcmp(name, "UTC") == 0 || strcmp(name, "Local") == 0) {
        t->off = 0;
        t->zone = "UTC";
        return 0;
    }
    if (!zone_name_ok(name))
        return -1;
    char path[160];
    const char *dir = getenv("ZONEINFO");
    snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", name);
    unsigned char *d = tx_alloc(x, 1 << 16); /* before fopen: tx_alloc may longjmp */
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(d, 1, 1 << 16, f);
    fclose(f);
    char abbr[32];
    int32_t off;
    if (tzif_lookup(d, n, t->sec, &off, abbr, sizeof abbr) < 0)
        return -1;
    t->off = off;
    t->zone = tx_strndup(x, abbr, strlen(abbr));
    return 0;
}

/* ---- the time functions (Alertmanager 0.28+) and toJson ------------------ */

static const struct ttime *want_time(struct tx *x, const struct tval *v, const char *fn)
{
    if (v->k != TV_TIME)
        tx_fail(x, "error calling %s: wrong type for value; expected time.Time; got %s", fn,
                tv_typename(v));
    return &v->u.t;
}

static int64_t now_ms(struct tx *x)
{
    if (x->now_ms)
        return x->now_ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct tval tf_date(struct tx *x, const struct tval *a, size_t n)
{
    struct tval l = tv_want_string(x, &a[0], "date");
    const struct ttime *t = want_time(x, &a[1], "date");
    struct buf b;
    tx_sbuf(&b);
    ttime_format(&b, t, l.u.s.p, l.u.s.n);
    return tx_take(x, &b, TV_STRING);
}

struct tval tf_tz(struct tx *x, const struct tval *a, size_t n)
{
    struct tval name = tv_want_string(x, &a[0], "tz");
    struct tval r = a[1];
    want_time(x, &a[1], "tz");
    const char *nm = tx_strndup(x, name.u.s.p, name.u.s.n);
    if (strlen(nm) != name.u.s.n || ttime_in_zone(x, &r.u.t, nm) < 0)
        tx_fail(x, "error calling tz: unknown time zone %s", nm);
    return r;
}

struct tval tf_now(struct tx *x, const struct tval *a, size_t n)
{
    struct tval v = {.k = TV_TIME};
    v.u.t = ttime_from_ms(now_ms(x));
    return v;
}

struct tval tf_since(struct tx *x, const struct tval *a, size_t n)
{
    const struct ttime *t = want_time(x, &a[0], "since");
    int64_t now = now_ms(x);
    double d = ((double)now / 1000.0 - (double)t->sec) * 1e9 - t->nsec;
    struct tval v = {.k = TV_DURATION};
    v.u.i = d >= 9.2e18    ? INT64_MAX
            : d <= -9.2e18 ? INT64_MIN
                           : (now / 1000 - t->sec) * 1000000000 + (now % 1000) * 1000000 - t->nsec;
    return v;
}

/* Prometheus' humanizeDuration: seconds as "1d 2h 3m 4s" or "1.5ms". */
struct tval tf_humanizeduration(struct tx *x, const struct tval *a, size_t n)
{
    double v;
    switch (a[0].k) {
    case TV_INT:
        v = (double)a[0].u.i;
        break;
    case TV_FLOAT:
        v = a[0].u.f;
        break;
    case TV_DURATION:
        v = (double)a[0].u.i / 1e9;
        break;
    case TV_STRING: {
        char *s = tx_strndup(x, a[0].u.s.p, a[0].u.s.n), *e;
        v = strtod(s, &e);
        if (*e || e == s)
            tx_fail(x,
                    "error calling humanizeDuration: strconv.ParseFloat: parsing \"%s\": "
                    "invalid syntax",
                    s);
        break;
    }
    default:
        tx_fail(x, "error calling humanizeDuration: can't convert %s to float", tv_typename(&a[0]));
    }
    struct buf b;
    tx_sbuf(&b);
    if (isnan(v) || isinf(v)) {
        tfmt_float(&b, v, 'g', 4);
    } else if (v == 0) {
        buf_puts(&b, "0s");
    } else if (fabs(v) >= 1) {
        const char *sign = v < 0 ? "-" : "";
        double av = fabs(v);
        int64_t d = av > 9e18 ? INT64_MAX : (int64_t)av;
        int64_t sec = d % 60, min = d / 60 % 60, hr = d / 3600 % 24, days = d / 86400;
        if (days)
            buf_printf(&b, "%s%lldd %lldh %lldm %llds", sign, (long long)days, (long long)hr,
                       (long long)min, (long long)sec);
        else if (hr)
            buf_printf(&b, "%s%lldh %lldm %llds", sign, (long long)hr, (long long)min,
                       (long long)sec);
        else if (min)
            buf_printf(&b, "%s%lldm %llds", sign, (long long)min, (long long)sec);
        else {
            buf_puts(&b, sign);
            tfmt_float(&b, av, 'g', 4);
            buf_putc(&b, 's');
        }
    } else {
        static const char *pre[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
        const char *prefix = "";
        for (size_t i = 0; i < 8 && fabs(v) < 1; i++) {
            prefix = pre[i];
            v *= 1000;
        }
        tfmt_float(&b, v, 'g', 4);
        buf_printf(&b, "%ss", prefix);
    }
    return tx_take(x, &b, TV_STRING);
}

struct tval tf_tojson(struct tx *x, const struct tval *a, size_t n)
{
    struct buf b;
    tx_sbuf(&b);
    if (a[0].k == TV_FLOAT && (isnan(a[0].u.f) || isinf(a[0].u.f))) {
        buf_deinit(&b);
        tx_fail(x, "error calling toJson: json: unsupported value");
    }
    tfmt_json(x, &b, &a[0]);
    return tx_take(x, &b, TV_STRING);
}

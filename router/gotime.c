/* gotime.c -- see gotime.h.
 *
 * A layout is a list of elements, as Go's nextStdChunk would split the
 * layout string; parse() then follows time.Parse element by element, with
 * its leniencies (fractional seconds accepted after "05" even when the
 * layout has none, one-digit hours) and its error reports (the element and
 * the rest of the value at the point of failure, range errors, "extra
 * text"). */
#include "gotime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum elem { E_LIT, E_YEAR, E_MONTH, E_DAY, E_HOUR, E_MIN, E_SEC, E_FRAC0, E_FRAC9, E_TZC, E_TZ };

struct chunk {
    enum elem e;
    const char *s; /* literal text, or the element as written ("2006") */
    int ndigits;   /* E_FRAC0 */
};

struct layout {
    const char *text;
    struct chunk c[16];
};

#define DATE                                                                                       \
    {E_YEAR, "2006", 0}, {E_LIT, "-", 0}, {E_MONTH, "01", 0}, {E_LIT, "-", 0},                     \
    {                                                                                              \
        E_DAY, "02", 0                                                                             \
    }
#define HM                                                                                         \
    {E_HOUR, "15", 0}, {E_LIT, ":", 0},                                                            \
    {                                                                                              \
        E_MIN, "04", 0                                                                             \
    }
#define HMS                                                                                        \
    HM, {E_LIT, ":", 0},                                                                           \
    {                                                                                              \
        E_SEC, "05", 0                                                                             \
    }
#define T                                                                                          \
    {                                                                                              \
        E_LIT, "T", 0                                                                              \
    }
#define END                                                                                        \
    {                                                                                              \
        E_LIT, NULL, 0                                                                             \
    }

/* strfmt's DateTimeFormats (go-openapi/strfmt 0.21, Alertmanager 0.25),
 * in the order they are tried. */
static const struct layout strfmt_layouts[] = {
    {"2006-01-02T15:04:05.000000Z07:00",
     {DATE, T, HMS, {E_FRAC0, ".000000", 6}, {E_TZC, "Z07:00", 0}, END}},
    {"2006-01-02T15:04:05.000000Z0700",
     {DATE, T, HMS, {E_FRAC0, ".000000", 6}, {E_TZ, "Z0700", 0}, END}},
    {"2006-01-02T15:04:05.000Z07:00",
     {DATE, T, HMS, {E_FRAC0, ".000", 3}, {E_TZC, "Z07:00", 0}, END}},
    {"2006-01-02T15:04:05.000Z0700", {DATE, T, HMS, {E_FRAC0, ".000", 3}, {E_TZ, "Z0700", 0}, END}},
    {"2006-01-02T15:04:05Z07:00", {DATE, T, HMS, {E_TZC, "Z07:00", 0}, END}},
    {"2006-01-02T15:04:05.999999999Z07:00",
     {DATE, T, HMS, {E_FRAC9, ".999999999", 0}, {E_TZC, "Z07:00", 0}, END}},
    {"2006-01-02T15:04:05", {DATE, T, HMS, END}},
    {"2006-01-02T15:04Z", {DATE, T, HM, {E_LIT, "Z", 0}, END}},
    {"2006-01-02T15:04", {DATE, T, HM, END}},
    {"2006-01-02 15:04:05", {DATE, {E_LIT, " ", 0}, HMS, END}},
};

static const struct layout json_rfc3339 = {
    "\"2006-01-02T15:04:05Z07:00\"",
    {{E_LIT, "\"", 0}, DATE, T, HMS, {E_TZC, "Z07:00", 0}, {E_LIT, "\"", 0}, END}};

/* time's quote(): bytes outside printable ASCII as \xNN. */
static void tquote(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || c < ' ') {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
            buf_append(b, e, 4);
        } else {
            if (c == '"' || c == '\\')
                buf_putc(b, '\\');
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

/* Go's ParseError.Error(). */
static void parse_error(struct errbuf *err, const char *value, size_t vlen, const char *layout,
                        const char *velem, size_t velen, const char *lelem, const char *msg)
{
    if (!err)
        return; /* a layout that is not the last one: its text is never shown */
    struct buf b = BUF_INIT;
    buf_puts(&b, "parsing time ");
    tquote(&b, value, vlen);
    if (msg) {
        buf_puts(&b, msg);
    } else {
        buf_puts(&b, " as ");
        tquote(&b, layout, strlen(layout));
        buf_puts(&b, ": cannot parse ");
        tquote(&b, velem, velen);
        buf_puts(&b, " as ");
        tquote(&b, lelem, strlen(lelem));
    }
    errbuf_set(err, "%s", buf_str(&b));
    buf_deinit(&b);
}

static bool digit_at(const char *s, size_t n, size_t i)
{
    return i < n && s[i] >= '0' && s[i] <= '9';
}

/* getnum: one or two digits (exactly two when fixed). */
static int getnum(const char **s, size_t *n, bool fixed, int *out)
{
    if (!digit_at(*s, *n, 0))
        return -1;
    if (!digit_at(*s, *n, 1)) {
        if (fixed)
            return -1;
        *out = (*s)[0] - '0';
        (*s)++, (*n)--;
        return 0;
    }
    *out = ((*s)[0] - '0') * 10 + (*s)[1] - '0';
    *s += 2, *n -= 2;
    return 0;
}

/* Go's atoi on a short string: optional sign, digits only. */
static int atoi_go(const char *s, size_t n, long long *out)
{
    bool neg = false;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++, n--;
    }
    if (n == 0)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v > 100000000000LL)
            return -1; /* Go: errLeadingInt overflow */
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 0;
}

/* parseNanoseconds(value, nbytes): value[0] is '.' or ','. */
static int parse_nanos(const char *s, size_t nbytes, long long *ns, const char **range)
{
    if (s[0] != '.' && s[0] != ',')
        return -1;
    if (nbytes > 10)
        nbytes = 10;
    if (atoi_go(s + 1, nbytes - 1, ns) < 0)
        return -1;
    if (*ns < 0) {
        *range = "fractional second";
        return 0;
    }
    for (size_t i = 0; i < 10 - nbytes; i++)
        *ns *= 10;
    return 0;
}

static bool leap(long long y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in(int month, long long year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && leap(year) ? 29 : d[month - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

#define NS_MIN_SEC (-9223372036LL)
#define NS_MAX_SEC 9223372035LL

/* time.Parse(layout, value) for one layout. */
static int parse(const struct layout *l, const char *value, size_t vlen, int64_t *out_ns,
                 bool *zero, struct errbuf *err)
{
    const char *v = value;
    size_t n = vlen;
    long long year = 1, nsec = 0;
    int month = 1, day = 1, hour = 0, min = 0, sec = 0, tzoff = 0;

    for (const struct chunk *c = l->c;; c++) {
        if (c->e == E_LIT) {
            if (!c->s) {
                if (n != 0 && !err)
                    return -1;
                if (n != 0) {
                    struct buf m = BUF_INIT;
                    buf_puts(&m, ": extra text: ");
                    tquote(&m, v, n);
                    parse_error(err, value, vlen, l->text, NULL, 0, NULL, buf_str(&m));
                    buf_deinit(&m);
                    return -1;
                }
                break;
            }
            /* skip(): a space in the layout matches any run of spaces */
            const char *p = c->s;
            const char *hold_v = v;
            size_t hold_n = n;
            while (*p) {
                if (*p == ' ') {
                    if (n > 0 && *v != ' ')
                        goto bad_lit;
                    while (*p == ' ')
                        p++;
                    while (n > 0 && *v == ' ')
                        v++, n--;
                    continue;
                }
                if (n == 0 || *v != *p)
                    goto bad_lit;
                p++, v++, n--;
            }
            continue;
        bad_lit:
            (void)hold_v, (void)hold_n;
            parse_error(err, value, vlen, l->text, v, n, c->s, NULL);
            return -1;
        }
        const char *hold = v;
        size_t hold_n = n;
        const char *range = NULL;
        int rc = 0;
        switch (c->e) {
        case E_YEAR:
            if (n < 4) {
                rc = -1;
                break;
            }
            rc = atoi_go(v, 4, &year);
            v += 4, n -= 4;
            break;
        case E_MONTH:
            rc = getnum(&v, &n, true, &month);
            if (rc == 0 && (month <= 0 || month > 12))
                range = "month";
            break;
        case E_DAY:
            rc = getnum(&v, &n, true, &day);
            break;
        case E_HOUR:
            rc = getnum(&v, &n, false, &hour);
            if (hour < 0 || hour >= 24)
                range = "hour";
            break;
        case E_MIN:
            rc = getnum(&v, &n, true, &min);
            if (min < 0 || min >= 60)
                range = "minute";
            break;
        case E_SEC:
            rc = getnum(&v, &n, true, &sec);
            if (rc < 0)
                break;
            if (sec < 0 || sec >= 60) {
                range = "second";
                break;
            }
            /* a fraction the layout does not ask for is taken anyway */
            if (n >= 2 && (v[0] == '.' || v[0] == ',') && digit_at(v, n, 1) && c[1].e != E_FRAC0 &&
                c[1].e != E_FRAC9) {
                size_t k = 2;
                while (digit_at(v, n, k))
                    k++;
                rc = parse_nanos(v, k, &nsec, &range);
                v += k, n -= k;
            }
            break;
        case E_FRAC0: {
            size_t nd = 1 + (size_t)c->ndigits;
            if (n < nd) {
                rc = -1;
                break;
            }
            rc = parse_nanos(v, nd, &nsec, &range);
            v += nd, n -= nd;
            break;
        }
        case E_FRAC9: {
            if (n < 2 || (v[0] != '.' && v[0] != ',') || !digit_at(v, n, 1))
                break; /* omitted */
            size_t k = 0;
            while (digit_at(v, n, k + 1))
                k++;
            rc = parse_nanos(v, 1 + k, &nsec, &range);
            v += 1 + k, n -= 1 + k;
            break;
        }
        case E_TZC:
        case E_TZ: {
            if (n >= 1 && v[0] == 'Z') {
                v++, n--;
                tzoff = 0;
                break;
            }
            size_t need = c->e == E_TZC ? 6 : 5;
            if (n < need || (c->e == E_TZC && v[3] != ':')) {
                rc = -1;
                break;
            }
            const char *hh = v + 1, *mm = v + (c->e == E_TZC ? 4 : 3);
            size_t hn = 2, mn = 2;
            int h, m;
            char sign = v[0];
            v += need, n -= need;
            if (getnum(&hh, &hn, true, &h) < 0 || getnum(&mm, &mn, true, &m) < 0 ||
                (sign != '+' && sign != '-')) {
                rc = -1;
                break;
            }
            tzoff = (h * 60 + m) * 60;
            if (sign == '-')
                tzoff = -tzoff;
            break;
        }
        default:
            break;
        }
        if (range) {
            if (err) {
                char m[64];
                snprintf(m, sizeof m, ": %s out of range", range);
                parse_error(err, value, vlen, l->text, NULL, 0, NULL, m);
            }
            return -1;
        }
        if (rc < 0) {
            parse_error(err, value, vlen, l->text, hold, hold_n, c->s, NULL);
            return -1;
        }
    }
    if (day < 1 || day > days_in(month, year)) {
        parse_error(err, value, vlen, l->text, NULL, 0, NULL, ": day out of range");
        return -1;
    }
    long long secs =
        days_from_civil(year, month, day) * 86400LL + hour * 3600 + min * 60 + sec - tzoff;
    *zero = secs == GOTIME_ZERO_UNIX && nsec == 0;
    if (secs < NS_MIN_SEC)
        *out_ns = (int64_t)NS_MIN_SEC * 1000000000LL;
    else if (secs > NS_MAX_SEC)
        *out_ns = (int64_t)NS_MAX_SEC * 1000000000LL;
    else
        *out_ns = (int64_t)secs * 1000000000LL + nsec;
    return 0;
}

int gotime_parse_datetime(const char *s, int64_t *ns, bool *zero, struct errbuf *err)
{
    size_t n = strlen(s);
    *zero = false;
    if (n == 0) {
        *ns = 0; /* the epoch */
        return 0;
    }
    /* Every layout that accepts a value reads the same fields from it, so
     * the order only decides which error is shown.  Try RFC3339Nano first:
     * it is what Prometheus sends and accepts any fraction. */
    size_t nl = sizeof strfmt_layouts / sizeof strfmt_layouts[0];
    if (parse(&strfmt_layouts[5], s, n, ns, zero, NULL) == 0)
        return 0;
    for (size_t i = 0; i < nl; i++)
        if (parse(&strfmt_layouts[i], s, n, ns, zero, i + 1 == nl ? err : NULL) == 0)
            return 0;
    return -1; /* err holds the last layout's error, as strfmt reports */
}

int gotime_parse_json_rfc3339(const char *raw, size_t n, int64_t *ns, bool *zero,
                              struct errbuf *err)
{
    if (n == 4 && !memcmp(raw, "null", 4))
        return 1;
    return parse(&json_rfc3339, raw, n, ns, zero, err);
}

void gotime_format_ms(struct buf *b, int64_t ns)
{
    long long secs = ns / 1000000000LL, rem = ns % 1000000000LL;
    if (rem < 0) {
        rem += 1000000000LL;
        secs--;
    }
    long long days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    /* civil_from_days (Howard Hinnant) */
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    buf_printf(b, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", y, m, d, sod / 3600,
               sod / 60 % 60, sod % 60, rem / 1000000);
}

int64_t gotime_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

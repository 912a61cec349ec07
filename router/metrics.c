/* metrics.c -- the metric registry and the Prometheus text format 0.0.4.
 *
 * Everything here is shaped by two needs.  Increments sit on hot paths
 * (every received alert, every notification), so a series is a small
 * struct that never moves once created and an increment is one add on a
 * pointer the caller kept.  The output must read as Go's client_golang
 * writes it (Prometheus parses either, but people diff them, and tests
 * compare against Alertmanager), so ordering and float spelling follow Go:
 * families by name, label pairs by name with `le` last, series by label
 * values byte-wise, floats in the shortest form that round-trips.
 *
 * Families are kept sorted by name and each family's children sorted by
 * label values, both by insertion into arrays: registration and first use
 * of a label combination are rare, renders are frequent, so the cost sits
 * on the rare side and rendering is one walk. */
#include "metrics.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "log.h"
#include "mem.h"

/* The head of every child; the typed series embed it first, so a
 * `struct series *` points at the typed series too. */
struct series {
    char **values;        /* one per label, declared order; owned */
    metrics_value_fn *fn; /* counters and gauges: value at scrape time */
    void *ctx;
};

struct metric_counter {
    struct series s;
    double v;
};

struct metric_gauge {
    struct series s;
    double v;
};

struct metric_histogram {
    struct series s;
    const double *bounds; /* the family's; nb of them, +Inf implied */
    size_t nb;
    uint64_t *counts; /* nb + 1, per bucket (not cumulative) */
    uint64_t count;
    double sum;
};

struct metric_family {
    enum metric_type type;
    char *name;
    char *help;
    size_t nlabels;
    char **labels;  /* declared order */
    size_t *order;  /* order[i]: index of the i-th label by name */
    double *bounds; /* histograms */
    size_t nb;
    struct series **kids; /* sorted by label values in name order */
    size_t n, cap;
    bool full_logged;
};

struct collector {
    metrics_collect_fn *fn;
    void *ctx;
};

struct metrics_registry {
    struct metric_family **fams; /* sorted by name */
    size_t n, cap;
    struct collector *cols;
    size_t ncols, capcols;
};

/* Alertmanager's widest family (build_info) has six labels. */
#define METRICS_MAX_LABELS 16

static const char *const type_names[] = {"counter", "gauge", "histogram", "summary"};

/* A bad definition is a bug in the caller's constant table, found the first
 * time the router starts; say which one and stop. */
_Noreturn static void bad_definition(const char *name, const char *why)
{
    log_error("bad metric definition", "metric", name, "err", why);
    abort();
}

/* ---- registry ------------------------------------------------------------ */

struct metrics_registry *metrics_registry_new(void)
{
    return xcalloc(1, sizeof(struct metrics_registry));
}

static void series_free(struct series *s, size_t nlabels, enum metric_type type)
{
    for (size_t i = 0; i < nlabels; i++)
        free(s->values[i]);
    free(s->values);
    if (type == METRIC_HISTOGRAM || type == METRIC_SUMMARY)
        free(((struct metric_histogram *)s)->counts);
    free(s);
}

static void family_free(struct metric_family *f)
{
    for (size_t i = 0; i < f->n; i++)
        series_free(f->kids[i], f->nlabels, f->type);
    for (size_t i = 0; i < f->nlabels; i++)
        free(f->labels[i]);
    free(f->kids);
    free(f->labels);
    free(f->order);
    free(f->bounds);
    free(f->name);
    free(f->help);
    free(f);
}

void metrics_registry_free(struct metrics_registry *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        family_free(r->fams[i]);
    free(r->fams);
    free(r->cols);
    free(r);
}

void metrics_registry_on_collect(struct metrics_registry *r, metrics_collect_fn *fn, void *ctx)
{
    r->cols = xgrow(r->cols, &r->capcols, r->ncols + 1, sizeof(*r->cols));
    r->cols[r->ncols++] = (struct collector){fn, ctx};
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* */
static bool metric_name_valid(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == ':'))
            return false;
    }
    return true;
}

/* Same type, labels and buckets: a repeated declaration, not a clash. */
static bool family_same(const struct metric_family *f, enum metric_type type,
                        const char *const *labels, size_t nlabels, const double *b, size_t nb)
{
    if (f->type != type || f->nlabels != nlabels || f->nb != nb)
        return false;
    for (size_t i = 0; i < nlabels; i++)
        if (strcmp(f->labels[i], labels[i]) != 0)
            return false;
    for (size_t i = 0; i < nb; i++)
        if (f->bounds[i] != b[i])
            return false;
    return true;
}

/* Position of `name` in r->fams, or where it would go (*found false). */
static size_t family_find(const struct metrics_registry *r, const char *name, bool *found)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r->fams[mid]->name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* The names a family's series will carry, besides its own name. */
static bool name_taken_by_suffix(const struct metrics_registry *r, const char *name)
{
    static const char *const sfx[] = {"_bucket", "_sum", "_count"};
    size_t len = strlen(name);
    for (size_t i = 0; i < r->n; i++) {
        const struct metric_family *f = r->fams[i];
        if (f->type != METRIC_HISTOGRAM && f->type != METRIC_SUMMARY)
            continue;
        size_t fl = strlen(f->name);
        for (size_t k = 0; k < 3; k++)
            if (len == fl + strlen(sfx[k]) && strncmp(name, f->name, fl) == 0 &&
                strcmp(name + fl, sfx[k]) == 0)
                return true;
    }
    return false;
}

static struct metric_family *family_declare(struct metrics_registry *r, enum metric_type type,
                                            const char *name, const char *help,
                                            const char *const *labels, const double *b, size_t nb)
{
    size_t nlabels = 0;
    while (labels && labels[nlabels])
        nlabels++;
    if (nb && isinf(b[nb - 1]) && b[nb - 1] > 0)
        nb--; /* +Inf is implied */

    bool found;
    size_t at = family_find(r, name, &found);
    if (found) {
        if (!family_same(r->fams[at], type, labels, nlabels, b, nb))
            bad_definition(name, "declared twice with different type, labels or buckets");
        return r->fams[at];
    }
    if (!metric_name_valid(name))
        bad_definition(name, "invalid metric name");
    if (name_taken_by_suffix(r, name))
        bad_definition(name, "clashes with a histogram's or summary's series");
    if (nlabels > METRICS_MAX_LABELS)
        bad_definition(name, "too many labels");
    for (size_t i = 0; i < nlabels; i++) {
        if (!label_name_valid(labels[i]) || strncmp(labels[i], "__", 2) == 0)
            bad_definition(name, "invalid label name");
        if (type == METRIC_HISTOGRAM && strcmp(labels[i], "le") == 0)
            bad_definition(name, "label \"le\" is reserved in histograms");
        if (type == METRIC_SUMMARY && strcmp(labels[i], "quantile") == 0)
            bad_definition(name, "label \"quantile\" is reserved in summaries");
        for (size_t j = 0; j < i; j++)
            if (strcmp(labels[i], labels[j]) == 0)
                bad_definition(name, "duplicate label name");
    }
    for (size_t i = 0; i < nb; i++)
        if (isnan(b[i]) || (i > 0 && !(b[i] > b[i - 1])))
            bad_definition(name, "histogram buckets must be strictly increasing");

    struct metric_family *f = xcalloc(1, sizeof(*f));
    f->type = type;
    f->name = xstrdup(name);
    f->help = xstrdup(help ? help : "");
    f->nlabels = nlabels;
    f->labels = xcalloc(nlabels ? nlabels : 1, sizeof(char *));
    f->order = xcalloc(nlabels ? nlabels : 1, sizeof(size_t));
    for (size_t i = 0; i < nlabels; i++) {
        f->labels[i] = xstrdup(labels[i]);
        f->order[i] = i;
    }
    /* Insertion sort of the index by label name: a handful of labels. */
    for (size_t i = 1; i < nlabels; i++)
        for (size_t j = i; j > 0 && strcmp(labels[f->order[j - 1]], labels[f->order[j]]) > 0; j--) {
            size_t t = f->order[j];
            f->order[j] = f->order[j - 1];
            f->order[j - 1] = t;
        }
    if (type == METRIC_HISTOGRAM) {
        f->nb = nb;
        f->bounds = xcalloc(nb ? nb : 1, sizeof(double));
        if (nb)
            memcpy(f->bounds, b, nb * sizeof(double));
    }

    r->fams = xgrow(r->fams, &r->cap, r->n + 1, sizeof(*r->fams));
    memmove(&r->fams[at + 1], &r->fams[at], (r->n - at) * sizeof(*r->fams));
    r->fams[at] = f;
    r->n++;
    return f;
}

struct metric_family *metrics_family(struct metrics_registry *r, enum metric_type type,
                                     const char *name, const char *help, const char *const *labels)
{
    if (type == METRIC_HISTOGRAM)
        bad_definition(name, "histograms are declared with metrics_histogram_family");
    return family_declare(r, type, name, help, labels, NULL, 0);
}

struct metric_family *metrics_histogram_family(struct metrics_registry *r, const char *name,
                                               const char *help, const char *const *labels,
                                               const double *buckets, size_t n)
{
    return family_declare(r, METRIC_HISTOGRAM, name, help, labels, buckets, n);
}

/* ---- children ------------------------------------------------------------ */

/* Label values must be UTF-8 in the text format.  Input-fed values (a
 * handler path, an integration name) may not be, so each bad byte becomes
 * U+FFFD, as Go's strings.ToValidUTF8 would do per invalid sequence.
 * Returns a new string. */
static char *utf8_sanitize(const char *s)
{
    size_t len = strlen(s);
    if (utf8_valid(s, len))
        return xstrdup(s);
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < len;) {
        size_t k = 1;
        while (k <= 4 && i + k <= len && !utf8_valid(s + i, k))
            k++;
        if (k <= 4 && i + k <= len) {
            buf_append(&b, s + i, k);
            i += k;
        } else {
            buf_puts(&b, "\xef\xbf\xbd");
            i++;
        }
    }
    return buf_steal(&b);
}

/* Orders two value tuples (declared order) by values in label-name order,
 * byte-wise, as Go sorts the series of a family. */
static int values_cmp(const struct metric_family *f, char *const *a, const char *const *b)
{
    for (size_t i = 0; i < f->nlabels; i++) {
        int c = strcmp(a[f->order[i]], b[f->order[i]]);
        if (c)
            return c;
    }
    return 0;
}

static struct series *child_get(struct metric_family *f, enum metric_type want,
                                const char *const *values)
{
    bool want_ok = f->type == want || (want == METRIC_HISTOGRAM && f->type == METRIC_SUMMARY);
    if (!want_ok)
        bad_definition(f->name, "series requested with the wrong type");

    char *clean[METRICS_MAX_LABELS];
    for (size_t i = 0; i < f->nlabels; i++)
        clean[i] = utf8_sanitize(values[i] ? values[i] : "");

    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = values_cmp(f, f->kids[mid]->values, (const char *const *)clean);
        if (c == 0) {
            for (size_t i = 0; i < f->nlabels; i++)
                free(clean[i]);
            return f->kids[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (f->n >= METRICS_MAX_SERIES) {
        for (size_t i = 0; i < f->nlabels; i++)
            free(clean[i]);
        if (!f->full_logged) {
            log_warn("metric family has too many series; new label values are not recorded",
                     "metric", f->name);
            f->full_logged = true;
        }
        return NULL;
    }

    struct series *s;
    if (f->type == METRIC_COUNTER) {
        s = xcalloc(1, sizeof(struct metric_counter));
    } else if (f->type == METRIC_GAUGE) {
        s = xcalloc(1, sizeof(struct metric_gauge));
    } else {
        struct metric_histogram *h = xcalloc(1, sizeof(*h));
        h->bounds = f->bounds;
        h->nb = f->nb;
        h->counts = xcalloc(f->nb + 1, sizeof(uint64_t));
        s = &h->s;
    }
    s->values = xcalloc(f->nlabels ? f->nlabels : 1, sizeof(char *));
    for (size_t i = 0; i < f->nlabels; i++)
        s->values[i] = clean[i];

    f->kids = xgrow(f->kids, &f->cap, f->n + 1, sizeof(*f->kids));
    memmove(&f->kids[lo + 1], &f->kids[lo], (f->n - lo) * sizeof(*f->kids));
    f->kids[lo] = s;
    f->n++;
    return s;
}

struct metric_counter *metrics_counter_with(struct metric_family *f, const char *const *values)
{
    return (struct metric_counter *)child_get(f, METRIC_COUNTER, values);
}

struct metric_gauge *metrics_gauge_with(struct metric_family *f, const char *const *values)
{
    return (struct metric_gauge *)child_get(f, METRIC_GAUGE, values);
}

struct metric_histogram *metrics_histogram_with(struct metric_family *f, const char *const *values)
{
    return (struct metric_histogram *)child_get(f, METRIC_HISTOGRAM, values);
}

struct metric_counter *metrics_counter_new(struct metrics_registry *r, const char *name,
                                           const char *help)
{
    return metrics_counter_with(metrics_family(r, METRIC_COUNTER, name, help, NULL), NULL);
}

struct metric_gauge *metrics_gauge_new(struct metrics_registry *r, const char *name,
                                       const char *help)
{
    return metrics_gauge_with(metrics_family(r, METRIC_GAUGE, name, help, NULL), NULL);
}

struct metric_histogram *metrics_histogram_new(struct metrics_registry *r, const char *name,
                                               const char *help, const double *buckets, size_t n)
{
    return metrics_histogram_with(metrics_histogram_family(r, name, help, NULL, buckets, n), NULL);
}

struct metric_histogram *metrics_summary_new(struct metrics_registry *r, const char *name,
                                             const char *help)
{
    return metrics_histogram_with(metrics_family(r, METRIC_SUMMARY, name, help, NULL), NULL);
}

/* ---- updates ------------------------------------------------------------- */

void metrics_counter_inc(struct metric_counter *c)
{
    if (c)
        c->v += 1.0;
}

void metrics_counter_add(struct metric_counter *c, double v)
{
    if (c && v >= 0) /* false for NaN too */
        c->v += v;
}

double metrics_counter_value(const struct metric_counter *c)
{
    if (!c)
        return 0;
    return c->s.fn ? c->s.fn(c->s.ctx) : c->v;
}

void metrics_counter_set_fn(struct metric_counter *c, metrics_value_fn *fn, void *ctx)
{
    if (c) {
        c->s.fn = fn;
        c->s.ctx = ctx;
    }
}

void metrics_gauge_set(struct metric_gauge *g, double v)
{
    if (g)
        g->v = v;
}

void metrics_gauge_add(struct metric_gauge *g, double v)
{
    if (g)
        g->v += v;
}

void metrics_gauge_inc(struct metric_gauge *g)
{
    if (g)
        g->v += 1.0;
}

void metrics_gauge_dec(struct metric_gauge *g)
{
    if (g)
        g->v -= 1.0;
}

double metrics_gauge_value(const struct metric_gauge *g)
{
    if (!g)
        return 0;
    return g->s.fn ? g->s.fn(g->s.ctx) : g->v;
}

void metrics_gauge_set_fn(struct metric_gauge *g, metrics_value_fn *fn, void *ctx)
{
    if (g) {
        g->s.fn = fn;
        g->s.ctx = ctx;
    }
}

/* Linear scan: bucket lists are short (Alertmanager's have 5 to 12), and a
 * scan over a few doubles beats a binary search's branches at that size. */
void metrics_histogram_observe(struct metric_histogram *h, double v)
{
    if (!h)
        return;
    size_t i = 0;
    while (i < h->nb && !(v <= h->bounds[i]))
        i++;
    h->counts[i]++;
    h->count++;
    h->sum += v;
}

uint64_t metrics_histogram_count(const struct metric_histogram *h)
{
    return h ? h->count : 0;
}

double metrics_histogram_sum(const struct metric_histogram *h)
{
    return h ? h->sum : 0;
}

/* ---- the text format ----------------------------------------------------- */

/* Go's FormatFloat(v, 'g', -1, 64): the shortest digits that read back as
 * v, written in %e notation when the decimal exponent is < -4 or >= 6 (Go
 * takes 6 as the precision for that choice when digits are shortest), so
 * 100000 but 1e+06 and 1.234567e+06, 0.0001 but 1e-05.  The exponent has
 * at least two digits.  glibc's %.*e is correctly rounded, so the first
 * precision whose output round-trips gives Go's digits. */
void metrics_format_float(double v, char out[METRICS_FLOAT_MAX])
{
    if (isnan(v)) {
        snprintf(out, METRICS_FLOAT_MAX, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, METRICS_FLOAT_MAX, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    /* Most samples are counts: integers below 1e6 print as themselves,
     * which skips the digit search below (it dominates a scrape). */
    if (v > -1e6 && v < 1e6 && v == (double)(long)v) {
        snprintf(out, METRICS_FLOAT_MAX, "%ld", (long)v); /* -0 prints "0" */
        return;
    }
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* tmp is [-]d[.ddd]e(+|-)dd[d] */
    const char *p = tmp;
    bool neg = *p == '-';
    if (neg)
        p++;
    char digits[20];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.' && nd < sizeof digits - 1)
            digits[nd++] = *p;
    digits[nd] = '\0';
    int exp = (int)strtol(p + 1, NULL, 10);

    size_t o = 0;
    char *w = out;
#define PUT(c) (o < METRICS_FLOAT_MAX - 1 ? (void)(w[o++] = (c)) : (void)0)
    if (neg)
        PUT('-');
    if (exp < -4 || exp >= 6) {
        PUT(digits[0]);
        if (nd > 1) {
            PUT('.');
            for (size_t i = 1; i < nd; i++)
                PUT(digits[i]);
        }
        PUT('e');
        PUT(exp < 0 ? '-' : '+');
        int ae = exp < 0 ? -exp : exp;
        char eb[8];
        int el = snprintf(eb, sizeof eb, "%02d", ae);
        for (int i = 0; i < el; i++)
            PUT(eb[i]);
    } else if (exp < 0) {
        PUT('0');
        PUT('.');
        for (int i = -1; i > exp; i--)
            PUT('0');
        for (size_t i = 0; i < nd; i++)
            PUT(digits[i]);
    } else {
        /* exp + 1 digits before the point, padded with zeros */
        for (int i = 0; i <= exp; i++)
            PUT((size_t)i < nd ? digits[i] : '0');
        if (nd > (size_t)exp + 1) {
            PUT('.');
            for (size_t i = (size_t)exp + 1; i < nd; i++)
                PUT(digits[i]);
        }
    }
#undef PUT
    out[o] = '\0';
}

/* HELP text escapes backslash and newline; label values also the double
 * quote. */
static void put_escaped(struct buf *out, const char *s, bool quote)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        if (*s == '\\')
            rep = "\\\\";
        else if (*s == '\n')
            rep = "\\n";
        else if (*s == '"' && quote)
            rep = "\\\"";
        if (rep) {
            buf_append(out, run, (size_t)(s - run));
            buf_puts(out, rep);
            run = s + 1;
        }
    }
    buf_append(out, run, (size_t)(s - run));
}

static void put_float(struct buf *out, double v)
{
    char fb[METRICS_FLOAT_MAX];
    metrics_format_float(v, fb);
    buf_puts(out, fb);
}

/* One sample line: name+suffix, the series' labels in name order, then an
 * extra pair (`le`) if given, and the value. */
static void put_sample(struct buf *out, const struct metric_family *f, const char *suffix,
                       const struct series *s, const char *xname, const char *xval, double v)
{
    buf_puts(out, f->name);
    buf_puts(out, suffix);
    if (f->nlabels || xname) {
        buf_putc(out, '{');
        for (size_t i = 0; i < f->nlabels; i++) {
            size_t k = f->order[i];
            if (i)
                buf_putc(out, ',');
            buf_puts(out, f->labels[k]);
            buf_puts(out, "=\"");
            put_escaped(out, s->values[k], true);
            buf_putc(out, '"');
        }
        if (xname) {
            if (f->nlabels)
                buf_putc(out, ',');
            buf_puts(out, xname);
            buf_puts(out, "=\"");
            buf_puts(out, xval);
            buf_putc(out, '"');
        }
        buf_putc(out, '}');
    }
    buf_putc(out, ' ');
    put_float(out, v);
    buf_putc(out, '\n');
}

static void render_family(struct buf *out, const struct metric_family *f)
{
    buf_puts(out, "# HELP ");
    buf_puts(out, f->name);
    buf_putc(out, ' ');
    put_escaped(out, f->help, false);
    buf_printf(out, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
    for (size_t i = 0; i < f->n; i++) {
        const struct series *s = f->kids[i];
        if (f->type == METRIC_COUNTER) {
            put_sample(out, f, "", s, NULL, NULL,
                       metrics_counter_value((const struct metric_counter *)s));
        } else if (f->type == METRIC_GAUGE) {
            put_sample(out, f, "", s, NULL, NULL,
                       metrics_gauge_value((const struct metric_gauge *)s));
        } else {
            const struct metric_histogram *h = (const struct metric_histogram *)s;
            if (f->type == METRIC_HISTOGRAM) {
                uint64_t cum = 0;
                char le[METRICS_FLOAT_MAX];
                for (size_t b = 0; b <= h->nb; b++) {
                    cum += h->counts[b];
                    if (b < h->nb)
                        metrics_format_float(h->bounds[b], le);
                    else
                        snprintf(le, sizeof le, "+Inf");
                    put_sample(out, f, "_bucket", s, "le", le, (double)cum);
                }
            }
            put_sample(out, f, "_sum", s, NULL, NULL, h->sum);
            put_sample(out, f, "_count", s, NULL, NULL, (double)h->count);
        }
    }
}

int metrics_registry_render(struct metrics_registry *r, struct buf *out)
{
    for (size_t i = 0; i < r->ncols; i++)
        r->cols[i].fn(r->cols[i].ctx);
    for (size_t i = 0; i < r->n; i++)
        if (r->fams[i]->n)
            render_family(out, r->fams[i]);
    return out->overflow ? -1 : 0;
}

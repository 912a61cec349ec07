/* template_value.c -- the data model templates see, and how values print.
 *
 * Alertmanager's template.Data / Alert / KV / Pairs with their fields and
 * methods (.Alerts.Firing, .CommonLabels.SortedPairs, .Remove, ...), plus
 * the Go time.Time and time.Duration methods people use in templates.  Field
 * lookup follows Go: a method of the type wins, then a struct field, then,
 * for maps, the key (missing keys give "" as with missingkey=zero).
 * Printing is Go's fmt %v for these types (map[k:v], [a b], {...}). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "template_internal.h"

struct tval tv_str(const char *p, size_t n)
{
    struct tval v = {.k = TV_STRING};
    v.u.s.p = p ? p : "";
    v.u.s.n = p ? n : 0;
    return v;
}

struct tval tv_cstr(const char *s)
{
    return tv_str(s, s ? strlen(s) : 0);
}

struct tval tv_int(int64_t i)
{
    struct tval v = {.k = TV_INT};
    v.u.i = i;
    return v;
}

struct tval tv_kv(const struct labels *ls)
{
    struct tval v = {.k = TV_KV};
    v.u.kv.v = ls->v;
    v.u.kv.n = ls->v ? ls->n : 0;
    return v;
}

static struct tval tv_time_ms(int64_t ms)
{
    struct tval v = {.k = TV_TIME};
    v.u.t = ttime_from_ms(ms);
    return v;
}

static struct tval tv_float(double f)
{
    struct tval v = {.k = TV_FLOAT};
    v.u.f = f;
    return v;
}

static struct tval tv_dur(int64_t ns)
{
    struct tval v = {.k = TV_DURATION};
    v.u.i = ns;
    return v;
}

/* Go's truth: false, 0, nil and empty strings, slices and maps are false;
 * structs (alerts, data, times) are true. */
bool tv_truth(const struct tval *v)
{
    switch (v->k) {
    case TV_NIL:
        return false;
    case TV_BOOL:
        return v->u.b;
    case TV_INT:
    case TV_DURATION:
        return v->u.i != 0;
    case TV_FLOAT:
        return v->u.f != 0;
    case TV_STRING:
    case TV_HTML:
        return v->u.s.n > 0;
    case TV_KV:
    case TV_PAIRS:
        return v->u.kv.n > 0;
    case TV_STRINGS:
        return v->u.strs.n > 0;
    case TV_ALERTS:
        return v->u.alerts.n > 0;
    default:
        return true;
    }
}

const char *tv_typename(const struct tval *v)
{
    static const char *names[] = {[TV_NIL] = "<nil>",
                                  [TV_BOOL] = "bool",
                                  [TV_INT] = "int",
                                  [TV_FLOAT] = "float64",
                                  [TV_STRING] = "string",
                                  [TV_HTML] = "template.HTML",
                                  [TV_KV] = "template.KV",
                                  [TV_PAIRS] = "template.Pairs",
                                  [TV_PAIR] = "template.Pair",
                                  [TV_STRINGS] = "[]string",
                                  [TV_ALERTS] = "template.Alerts",
                                  [TV_ALERT] = "template.Alert",
                                  [TV_DATA] = "*template.Data",
                                  [TV_TIME] = "time.Time",
                                  [TV_DURATION] = "time.Duration"};
    return names[v->k];
}

bool tv_len(const struct tval *v, size_t *n)
{
    switch (v->k) {
    case TV_STRING:
    case TV_HTML:
        *n = v->u.s.n;
        return true;
    case TV_KV:
    case TV_PAIRS:
        *n = v->u.kv.n;
        return true;
    case TV_STRINGS:
        *n = v->u.strs.n;
        return true;
    case TV_ALERTS:
        *n = v->u.alerts.n;
        return true;
    default:
        return false;
    }
}

struct tval tv_want_string(struct tx *x, const struct tval *v, const char *fn)
{
    if (v->k == TV_STRING || v->k == TV_HTML)
        return tv_str(v->u.s.p, v->u.s.n);
    tx_fail(x, "error calling %s: wrong type for value; expected string; got %s", fn,
            tv_typename(v));
}

/* ---- printing (fmt %v) ------------------------------------------------- */

static void print_kv(struct buf *b, const struct label *v, size_t n)
{
    buf_puts(b, "map[");
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%s:%s", i ? " " : "", v[i].name, v[i].value);
    buf_putc(b, ']');
}

static void print_alert(struct buf *b, const struct tmpl_alert *a)
{
    struct ttime t;
    buf_printf(b, "{%s ", a->status ? a->status : "");
    print_kv(b, a->labels.v, a->labels.v ? a->labels.n : 0);
    buf_putc(b, ' ');
    print_kv(b, a->annotations.v, a->annotations.v ? a->annotations.n : 0);
    buf_putc(b, ' ');
    t = ttime_from_ms(a->starts_at_ms);
    ttime_string(b, &t);
    buf_putc(b, ' ');
    t = ttime_from_ms(a->ends_at_ms);
    ttime_string(b, &t);
    buf_printf(b, " %s %s}", a->generator_url ? a->generator_url : "",
               a->fingerprint ? a->fingerprint : "");
}

void tv_print(struct tx *x, struct buf *b, const struct tval *v)
{
    (void)x;
    switch (v->k) {
    case TV_NIL:
        buf_puts(b, "<nil>");
        break;
    case TV_BOOL:
        buf_puts(b, v->u.b ? "true" : "false");
        break;
    case TV_INT:
        buf_printf(b, "%lld", (long long)v->u.i);
        break;
    case TV_FLOAT:
        tfmt_float(b, v->u.f, 'v', -1);
        break;
    case TV_STRING:
    case TV_HTML:
        buf_append(b, v->u.s.p, v->u.s.n);
        break;
    case TV_KV:
        print_kv(b, v->u.kv.v, v->u.kv.n);
        break;
    case TV_PAIR:
        buf_printf(b, "{%s %s}", v->u.kv.v[0].name, v->u.kv.v[0].value);
        break;
    case TV_PAIRS:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->u.kv.n; i++)
            buf_printf(b, "%s{%s %s}", i ? " " : "", v->u.kv.v[i].name, v->u.kv.v[i].value);
        buf_putc(b, ']');
        break;
    case TV_STRINGS:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->u.strs.n; i++)
            buf_printf(b, "%s%s", i ? " " : "", v->u.strs.v[i]);
        buf_putc(b, ']');
        break;
    case TV_ALERT:
        print_alert(b, v->u.alert);
        break;
    case TV_ALERTS:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->u.alerts.n; i++) {
            if (i)
                buf_putc(b, ' ');
            print_alert(b, v->u.alerts.v[i]);
        }
        buf_putc(b, ']');
        break;
    case TV_DATA: {
        const struct tmpl_data *d = v->u.data;
        buf_printf(b, "&{%s %s [", d->receiver ? d->receiver : "", d->status ? d->status : "");
        for (size_t i = 0; i < d->nalerts; i++) {
            if (i)
                buf_putc(b, ' ');
            print_alert(b, &d->alerts[i]);
        }
        buf_puts(b, "] ");
        print_kv(b, d->group_labels.v, d->group_labels.v ? d->group_labels.n : 0);
        buf_putc(b, ' ');
        print_kv(b, d->common_labels.v, d->common_labels.v ? d->common_labels.n : 0);
        buf_putc(b, ' ');
        print_kv(b, d->common_annotations.v, d->common_annotations.v ? d->common_annotations.n : 0);
        buf_printf(b, " %s}", d->external_url ? d->external_url : "");
        break;
    }
    case TV_TIME:
        ttime_string(b, &v->u.t);
        break;
    case TV_DURATION:
        tdur_string(b, v->u.i);
        break;
    }
}

/* ---- data model -------------------------------------------------------- */

struct tval tv_sorted_pairs(struct tx *x, const struct tval *kv)
{
    size_t n = kv->u.kv.n;
    struct label *p = tx_alloc(x, (n ? n : 1) * sizeof *p);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv->u.kv.v[i].name, "alertname") == 0)
            p[k++] = kv->u.kv.v[i];
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv->u.kv.v[i].name, "alertname") != 0)
            p[k++] = kv->u.kv.v[i];
    struct tval v = {.k = TV_PAIRS};
    v.u.kv.v = p;
    v.u.kv.n = n;
    return v;
}

static struct tval pairs_column(struct tx *x, const struct tval *pairs, bool names)
{
    size_t n = pairs->u.kv.n;
    const char **s = tx_alloc(x, (n ? n : 1) * sizeof *s);
    for (size_t i = 0; i < n; i++)
        s[i] = names ? pairs->u.kv.v[i].name : pairs->u.kv.v[i].value;
    struct tval v = {.k = TV_STRINGS};
    v.u.strs.v = s;
    v.u.strs.n = n;
    return v;
}

static struct tval kv_remove(struct tx *x, const struct tval *kv, const struct tval *keys)
{
    if (keys->k != TV_STRINGS && keys->k != TV_NIL)
        tx_fail(x, "wrong type for value; expected []string; got %s", tv_typename(keys));
    size_t n = kv->u.kv.n, k = 0;
    struct label *o = tx_alloc(x, (n ? n : 1) * sizeof *o);
    for (size_t i = 0; i < n; i++) {
        bool drop = false;
        for (size_t j = 0; keys->k == TV_STRINGS && j < keys->u.strs.n && !drop; j++)
            drop = strcmp(kv->u.kv.v[i].name, keys->u.strs.v[j]) == 0;
        if (!drop)
            o[k++] = kv->u.kv.v[i];
    }
    struct tval v = {.k = TV_KV};
    v.u.kv.v = o;
    v.u.kv.n = k;
    return v;
}

struct tval tv_alerts_filter(struct tx *x, const struct tval *as, const char *status)
{
    bool firing = strcmp(status, "firing") == 0;
    struct tval v = {.k = TV_ALERTS};
    if (as->u.alerts.v == (const struct tmpl_alert *const *)x->all) {
        v.u.alerts.v = firing ? x->firing : x->resolved;
        v.u.alerts.n = firing ? x->nfiring : x->nresolved;
        return v;
    }
    const struct tmpl_alert **o = tx_alloc(x, (as->u.alerts.n + 1) * sizeof *o);
    size_t k = 0;
    for (size_t i = 0; i < as->u.alerts.n; i++) {
        const char *st = as->u.alerts.v[i]->status;
        if (st && strcmp(st, status) == 0)
            o[k++] = as->u.alerts.v[i];
    }
    v.u.alerts.v = o;
    v.u.alerts.n = k;
    return v;
}

static void want_args(struct tx *x, const char *name, size_t want, size_t got)
{
    if (want != got)
        tx_fail(x, "wrong number of args for %s: want %zu got %zu", name, want, got);
}

static int64_t int_arg(struct tx *x, const struct tval *v, const char *name)
{
    if (v->k == TV_INT || v->k == TV_DURATION)
        return v->u.i;
    if (v->k == TV_FLOAT && v->u.f == floor(v->u.f) && fabs(v->u.f) < 9.2e18)
        return (int64_t)v->u.f;
    tx_fail(x, "wrong type for value in %s; expected int; got %s", name, tv_typename(v));
}

static struct tval time_method(struct tx *x, const struct tval *v, const char *name,
                               const struct tval *args, size_t nargs)
{
    const struct ttime *t = &v->u.t;
    struct tval r = *v;
    if (strcmp(name, "Format") == 0) {
        want_args(x, name, 1, nargs);
        struct tval l = tv_want_string(x, &args[0], "Format");
        struct buf b;
        buf_init(&b, 0);
        ttime_format(&b, t, l.u.s.p, l.u.s.n);
        char *s = tx_strndup(x, buf_str(&b), b.len);
        size_t n = b.len;
        buf_deinit(&b);
        return tv_str(s, n);
    }
    if (strcmp(name, "Sub") == 0 || strcmp(name, "Before") == 0 || strcmp(name, "After") == 0 ||
        strcmp(name, "Equal") == 0) {
        want_args(x, name, 1, nargs);
        if (args[0].k != TV_TIME)
            tx_fail(x, "wrong type for value; expected time.Time; got %s", tv_typename(&args[0]));
        const struct ttime *u = &args[0].u.t;
        double dsec = (double)t->sec - (double)u->sec;
        int64_t d;
        if (dsec > 9.2e9)
            d = INT64_MAX;
        else if (dsec < -9.2e9)
            d = INT64_MIN;
        else
            d = (t->sec - u->sec) * 1000000000 + (t->nsec - u->nsec);
        struct tval b = {.k = TV_BOOL};
        if (name[0] == 'S')
            return tv_dur(d);
        b.u.b = name[0] == 'B' ? d < 0 : name[0] == 'A' ? d > 0 : d == 0;
        return b;
    }
    want_args(x, name, 0, nargs);
    if (strcmp(name, "Unix") == 0)
        return tv_int(t->sec);
    if (strcmp(name, "UnixMilli") == 0)
        return tv_int(t->sec * 1000 + t->nsec / 1000000);
    if (strcmp(name, "UnixNano") == 0)
        return tv_int(t->sec * 1000000000 + t->nsec);
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Local") == 0) {
        r.u.t.off = 0;
        r.u.t.zone = "UTC";
        return r;
    }
    if (strcmp(name, "IsZero") == 0) {
        struct tval b = {.k = TV_BOOL};
        b.u.b = ttime_is_zero(t);
        return b;
    }
    if (strcmp(name, "String") == 0) {
        struct buf b;
        buf_init(&b, 0);
        ttime_string(&b, t);
        char *s = tx_strndup(x, buf_str(&b), b.len);
        size_t n = b.len;
        buf_deinit(&b);
        return tv_str(s, n);
    }
    static const char *parts[] = {"Year",   "Month",   "Day",        "Hour",   "Minute",
                                  "Second", "YearDay", "Nanosecond", "Weekday"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (strcmp(name, parts[i]) != 0)
            continue;
        if (i == 7)
            return tv_int(t->nsec);
        struct buf b;
        buf_init(&b, 0);
        static const char *lay[] = {"2006", "1", "2", "15", "4", "5", "__2", "", "Monday"};
        ttime_format(&b, t, lay[i], strlen(lay[i]));
        struct tval out;
        if (i == 8) {
            out = tv_cstr(tx_strndup(x, buf_str(&b), b.len));
        } else {
            long long n = 0;
            sscanf(buf_str(&b), "%lld", &n);
            out = tv_int(n);
        }
        buf_deinit(&b);
        return out;
    }
    tx_fail(x, "can't evaluate field %s in type time.Time", name);
}

static struct tval duration_method(struct tx *x, const struct tval *v, const char *name,
                                   const struct tval *args, size_t nargs)
{
    int64_t d = v->u.i;
    if (strcmp(name, "Round") == 0 || strcmp(name, "Truncate") == 0) {
        want_args(x, name, 1, nargs);
        int64_t m = int_arg(x, &args[0], name);
        if (m <= 0)
            return *v;
        int64_t r = d % m;
        if (name[0] == 'T')
            return tv_dur(d - r);
        int64_t ar = r < 0 ? -r : r;
        if (ar + ar < m)
            return tv_dur(d - r);
        int64_t up = d < 0 ? d - r - m : d - r + m;
        return tv_dur(up);
    }
    want_args(x, name, 0, nargs);
    if (strcmp(name, "Seconds") == 0)
        return tv_float((double)d / 1e9);
    if (strcmp(name, "Minutes") == 0)
        return tv_float((double)d / 6e10);
    if (strcmp(name, "Hours") == 0)
        return tv_float((double)d / 3.6e12);
    if (strcmp(name, "Milliseconds") == 0)
        return tv_int(d / 1000000);
    if (strcmp(name, "Microseconds") == 0)
        return tv_int(d / 1000);
    if (strcmp(name, "Nanoseconds") == 0)
        return tv_int(d);
    if (strcmp(name, "String") == 0) {
        char tmp[64];
        struct buf b;
        buf_init(&b, 0);
        tdur_string(&b, d);
        snprintf(tmp, sizeof tmp, "%s", buf_str(&b));
        buf_deinit(&b);
        return tv_cstr(tx_strndup(x, tmp, strlen(tmp)));
    }
    tx_fail(x, "can't evaluate field %s in type time.Duration", name);
}

static void no_args(struct tx *x, const char *name, size_t nargs)
{
    if (nargs)
        tx_fail(x, "%s has arguments but cannot be invoked as function", name);
}

static struct tval data_field(struct tx *x, const struct tmpl_data *d, const char *name,
                              size_t nargs)
{
    no_args(x, name, nargs);
    if (strcmp(name, "Receiver") == 0)
        return tv_cstr(d->receiver);
    if (strcmp(name, "Status") == 0)
        return tv_cstr(d->status);
    if (strcmp(name, "ExternalURL") == 0)
        return tv_cstr(d->external_url);
    if (strcmp(name, "GroupLabels") == 0)
        return tv_kv(&d->group_labels);
    if (strcmp(name, "CommonLabels") == 0)
        return tv_kv(&d->common_labels);
    if (strcmp(name, "CommonAnnotations") == 0)
        return tv_kv(&d->common_annotations);
    if (strcmp(name, "Alerts") == 0) {
        struct tval v = {.k = TV_ALERTS};
        if (d == x->data) {
            v.u.alerts.v = x->all;
            v.u.alerts.n = x->nall;
            return v;
        }
        const struct tmpl_alert **o = tx_alloc(x, (d->nalerts + 1) * sizeof *o);
        for (size_t i = 0; i < d->nalerts; i++)
            o[i] = &d->alerts[i];
        v.u.alerts.v = o;
        v.u.alerts.n = d->nalerts;
        return v;
    }
    tx_fail(x, "can't evaluate field %s in type *template.Data", name);
}

static struct tval alert_field(struct tx *x, const struct tmpl_alert *a, const char *name,
                               size_t nargs)
{
    no_args(x, name, nargs);
    if (strcmp(name, "Status") == 0)
        return tv_cstr(a->status);
    if (strcmp(name, "Labels") == 0)
        return tv_kv(&a->labels);
    if (strcmp(name, "Annotations") == 0)
        return tv_kv(&a->annotations);
    if (strcmp(name, "StartsAt") == 0)
        return tv_time_ms(a->starts_at_ms);
    if (strcmp(name, "EndsAt") == 0)
        return tv_time_ms(a->ends_at_ms);
    if (strcmp(name, "GeneratorURL") == 0)
        return tv_cstr(a->generator_url);
    if (strcmp(name, "Fingerprint") == 0)
        return tv_cstr(a->fingerprint);
    tx_fail(x, "can't evaluate field %s in type template.Alert", name);
}

struct tval tv_field(struct tx *x, const struct tval *v, const char *name, const struct tval *args,
                     size_t nargs)
{
    switch (v->k) {
    case TV_DATA:
        return data_field(x, v->u.data, name, nargs);
    case TV_ALERT:
        return alert_field(x, v->u.alert, name, nargs);
    case TV_ALERTS:
        if (strcmp(name, "Firing") == 0 || strcmp(name, "Resolved") == 0) {
            want_args(x, name, 0, nargs);
            return tv_alerts_filter(x, v, name[0] == 'F' ? "firing" : "resolved");
        }
        break;
    case TV_KV:
        if (strcmp(name, "SortedPairs") == 0) {
            want_args(x, name, 0, nargs);
            return tv_sorted_pairs(x, v);
        }
        if (strcmp(name, "Names") == 0 || strcmp(name, "Values") == 0) {
            want_args(x, name, 0, nargs);
            struct tval p = tv_sorted_pairs(x, v);
            return pairs_column(x, &p, name[0] == 'N');
        }
        if (strcmp(name, "Remove") == 0) {
            want_args(x, name, 1, nargs);
            return kv_remove(x, v, &args[0]);
        }
        if (nargs)
            tx_fail(x, "%s is not a method but has arguments", name);
        for (size_t i = 0; i < v->u.kv.n; i++)
            if (strcmp(v->u.kv.v[i].name, name) == 0)
                return tv_cstr(v->u.kv.v[i].value);
        return tv_str("", 0); /* missingkey=zero */
    case TV_PAIRS:
        if (strcmp(name, "Names") == 0 || strcmp(name, "Values") == 0) {
            want_args(x, name, 0, nargs);
            return pairs_column(x, v, name[0] == 'N');
        }
        break;
    case TV_PAIR:
        no_args(x, name, nargs);
        if (strcmp(name, "Name") == 0)
            return tv_cstr(v->u.kv.v[0].name);
        if (strcmp(name, "Value") == 0)
            return tv_cstr(v->u.kv.v[0].value);
        break;
    case TV_STRINGS:
        if (strcmp(name, "Join") == 0) { /* Alertmanager 0.27+ Strings.Join */
            want_args(x, name, 1, nargs);
            struct tval sep = tv_want_string(x, &args[0], "Join");
            struct buf b;
            buf_init(&b, TMPL_SCRATCH_MAX);
            for (size_t i = 0; i < v->u.strs.n; i++) {
                if (i)
                    buf_append(&b, sep.u.s.p, sep.u.s.n);
                buf_puts(&b, v->u.strs.v[i]);
            }
            bool over = b.overflow;
            char *s = over ? NULL : tx_strndup(x, buf_str(&b), b.len);
            size_t n = b.len;
            buf_deinit(&b);
            if (over)
                tx_fail(x, "template scratch memory exceeds limit");
            return tv_str(s, n);
        }
        break;
    case TV_TIME:
        return time_method(x, v, name, args, nargs);
    case TV_DURATION:
        return duration_method(x, v, name, args, nargs);
    case TV_NIL:
        return *v; /* Go: a field of untyped nil data is the zero value */
    default:
        break;
    }
    tx_fail(x, "can't evaluate field %s in type %s", name, tv_typename(v));
}

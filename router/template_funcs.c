/* template_funcs.c -- the functions a template may call.
 *
 * Go's built-ins (eq ne lt le gt ge, and or not, len index, print printf
 * println, html js urlquery) with Go's typing rules for comparisons, and
 * Alertmanager's own: toUpper toLower title trimSpace join match
 * reReplaceAll safeHtml safeUrl urlUnescape stringSlice (all versions up to
 * 0.26) plus date tz since humanizeDuration toJson now (0.28-0.33).  `call`
 * is deliberately absent: templates here have no function values.  The
 * table is consulted at parse time, so an unknown name is a config error.
 *
 * Regular expressions (match, reReplaceAll) are Go/RE2 syntax, checked and
 * translated by regex.c (as matchers are) and run by PCRE2 under limits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcre2.h>

#include "regex.h"
#include "template_internal.h"

static struct tval tv_bool(bool b)
{
    struct tval v = {.k = TV_BOOL};
    v.u.b = b;
    return v;
}

/* Copies a finished scratch buffer into the arena as a string value; fails
 * (after freeing b) if the buffer hit its cap. */
struct tval tx_take(struct tx *x, struct buf *b, enum tv_kind k)
{
    bool over = b->overflow;
    size_t n = b->len;
    char *s = NULL;
    if (!over) {
        s = arena_alloc(&x->scratch, n + 1);
        if (s) {
            memcpy(s, buf_str(b), n);
            s[n] = 0;
        }
    }
    buf_deinit(b);
    if (!s)
        tx_fail(x, "template scratch memory exceeds limit (%u bytes)", TMPL_SCRATCH_MAX);
    struct tval v = tv_str(s, n);
    v.k = k;
    return v;
}

void tx_sbuf(struct buf *b)
{
    buf_init(b, TMPL_OUTPUT_MAX * 4);
}

/* ---- comparison -------------------------------------------------------- */

enum kind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING, K_OTHER };

static enum kind basic(const struct tval *v)
{
    switch (v->k) {
    case TV_NIL:
        return K_INVALID;
    case TV_BOOL:
        return K_BOOL;
    case TV_INT:
    case TV_DURATION:
        return K_INT;
    case TV_FLOAT:
        return K_FLOAT;
    case TV_STRING:
    case TV_HTML:
        return K_STRING;
    default:
        return K_OTHER;
    }
}

static int scmp(const struct tval *a, const struct tval *b)
{
    size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
    int c = n ? memcmp(a->u.s.p, b->u.s.p, n) : 0;
    if (c)
        return c;
    return a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
}

static bool eq2(struct tx *x, const char *fn, const struct tval *a, const struct tval *b)
{
    enum kind ka = basic(a), kb = basic(b);
    if (ka != kb) {
        if (ka != K_INVALID && kb != K_INVALID)
            tx_fail(x, "error calling %s: incompatible types for comparison", fn);
        return false;
    }
    switch (ka) {
    case K_INVALID:
        return true;
    case K_BOOL:
        return a->u.b == b->u.b;
    case K_INT:
        return a->u.i == b->u.i;
    case K_FLOAT:
        return a->u.f == b->u.f;
    case K_STRING:
        return scmp(a, b) == 0;
    default:
        if (a->k != b->k)
            return false;
        if (a->k == TV_ALERT)
            return a->u.alert == b->u.alert;
        if (a->k == TV_DATA)
            return a->u.data == b->u.data;
        if (a->k == TV_TIME)
            return a->u.t.sec == b->u.t.sec && a->u.t.nsec == b->u.t.nsec &&
                   a->u.t.off == b->u.t.off;
        if (a->k == TV_PAIR)
            return strcmp(a->u.kv.v[0].name, b->u.kv.v[0].name) == 0 &&
                   strcmp(a->u.kv.v[0].value, b->u.kv.v[0].value) == 0;
        tx_fail(x, "error calling %s: non-comparable type %s", fn, tv_typename(a));
    }
}

static struct tval f_eq(struct tx *x, const struct tval *a, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (eq2(x, "eq", &a[0], &a[i]))
            return tv_bool(true);
    return tv_bool(false);
}

static struct tval f_ne(struct tx *x, const struct tval *a, size_t n)
{
    return tv_bool(!eq2(x, "ne", &a[0], &a[1]));
}

static bool lt2(struct tx *x, const char *fn, const struct tval *a, const struct tval *b)
{
    enum kind ka = basic(a), kb = basic(b);
    if (ka == K_BOOL || ka == K_OTHER || ka == K_INVALID || kb == K_BOOL || kb == K_OTHER ||
        kb == K_INVALID)
        tx_fail(x, "error calling %s: invalid type for comparison", fn);
    if (ka != kb)
        tx_fail(x, "error calling %s: incompatible types for comparison", fn);
    switch (ka) {
    case K_INT:
        return a->u.i < b->u.i;
    case K_FLOAT:
        return a->u.f < b->u.f;
    default:
        return scmp(a, b) < 0;
    }
}

static struct tval f_lt(struct tx *x, const struct tval *a, size_t n)
{
    return tv_bool(lt2(x, "lt", &a[0], &a[1]));
}
static struct tval f_le(struct tx *x, const struct tval *a, size_t n)
{
    return tv_bool(lt2(x, "le", &a[0], &a[1]) || eq2(x, "le", &a[0], &a[1]));
}
static struct tval f_gt(struct tx *x, const struct tval *a, size_t n)
{
    return tv_bool(!(lt2(x, "gt", &a[0], &a[1]) || eq2(x, "gt", &a[0], &a[1])));
}
static struct tval f_ge(struct tx *x, const struct tval *a, size_t n)
{
    return tv_bool(!lt2(x, "ge", &a[0], &a[1]));
}

/* and/or are evaluated lazily by the executor; these are never called. */
static struct tval f_andor(struct tx *x, const struct tval *a, size_t n)
{
    return a[n - 1];
}
const struct tfunc tfunc_and = {"and", f_andor, 1, -1};
const struct tfunc tfunc_or = {"or", f_andor, 1, -1};

static struct tval f_not(struct tx *x, const struct tval *a, size_t n)
{
    return tv_bool(!tv_truth(&a[0]));
}

/* ---- len, index -------------------------------------------------------- */

static struct tval f_len(struct tx *x, const struct tval *a, size_t n)
{
    size_t len;
    if (a[0].k == TV_NIL)
        tx_fail(x, "error calling len: len of nil pointer");
    if (!tv_len(&a[0], &len))
        tx_fail(x, "error calling len: len of type %s", tv_typename(&a[0]));
    return tv_int((int64_t)len);
}

static struct tval f_index(struct tx *x, const struct tval *a, size_t n)
{
    struct tval item = a[0];
    for (size_t k = 1; k < n; k++) {
        const struct tval *ix = &a[k];
        if (item.k == TV_NIL)
            tx_fail(x, "error calling index: index of untyped nil");
        if (item.k == TV_KV) {
            if (ix->k != TV_STRING && ix->k != TV_HTML)
                tx_fail(x, "error calling index: value has type %s; should be string",
                        tv_typename(ix));
            struct tval r = tv_str("", 0);
            for (size_t i = 0; i < item.u.kv.n; i++)
                if (strlen(item.u.kv.v[i].name) == ix->u.s.n &&
                    memcmp(item.u.kv.v[i].name, ix->u.s.p, ix->u.s.n) == 0)
                    r = tv_cstr(item.u.kv.v[i].value);
            item = r;
            continue;
        }
        size_t len; /* item is not a map here: those were indexed above */
        if (!tv_len(&item, &len))
            tx_fail(x, "error calling index: can't index item of type %s", tv_typename(&item));
        if (ix->k != TV_INT)
            tx_fail(x, "error calling index: cannot index slice/array with type %s",
                    tv_typename(ix));
        if (ix->u.i < 0 || (uint64_t)ix->u.i >= len)
            tx_fail(x, "error calling index: index out of range: %lld", (long long)ix->u.i);
        size_t i = (size_t)ix->u.i;
        switch (item.k) {
        case TV_STRINGS:
            item = tv_cstr(item.u.strs.v[i]);
            break;
        case TV_ALERTS: {
            const struct tmpl_alert *al = item.u.alerts.v[i];
            item.k = TV_ALERT;
            item.u.alert = al;
            break;
        }
        case TV_PAIRS:
            item.k = TV_PAIR;
            item.u.kv.v = &item.u.kv.v[i];
            item.u.kv.n = 1;
            break;
        default:
            item = tv_int((unsigned char)item.u.s.p[i]);
            break;
        }
    }
    return item;
}

/* ---- printing ---------------------------------------------------------- */

static bool is_str(const struct tval *v)
{
    return v->k == TV_STRING || v->k == TV_HTML;
}

/* fmt.Sprint (spaces between operands when neither is a string) or
 * fmt.Sprintln (always spaces, final newline). */
static void sprint(struct tx *x, struct buf *b, const struct tval *a, size_t n, bool ln)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (ln || (!is_str(&a[i - 1]) && !is_str(&a[i]))))
            buf_putc(b, ' ');
        tv_print(x, b, &a[i]);
    }
    if (ln)
        buf_putc(b, '\n');
}

static struct tval f_print(struct tx *x, const struct tval *a, size_t n)
{
    struct buf b;
    tx_sbuf(&b);
    sprint(x, &b, a, n, false);
    return tx_take(x, &b, TV_STRING);
}

static struct tval f_println(struct tx *x, const struct tval *a, size_t n)
{
    struct buf b;
    tx_sbuf(&b);
    sprint(x, &b, a, n, true);
    return tx_take(x, &b, TV_STRING);
}

static struct tval f_printf(struct tx *x, const struct tval *a, size_t n)
{
    struct tval f = tv_want_string(x, &a[0], "printf");
    struct buf b;
    tx_sbuf(&b);
    tfmt_printf(x, &b, f.u.s.p, f.u.s.n, a + 1, n - 1);
    return tx_take(x, &b, TV_STRING);
}

/* The escapers' argument: the string itself, or fmt.Sprint of all. */
static struct tval esc_arg(struct tx *x, const struct tval *a, size_t n)
{
    if (n == 1 && is_str(&a[0]))
        return a[0];
    struct buf b;
    tx_sbuf(&b);
    sprint(x, &b, a, n, false);
    return tx_take(x, &b, TV_STRING);
}

static struct tval f_html(struct tx *x, const struct tval *a, size_t n)
{
    struct tval s = esc_arg(x, a, n);
    struct buf b;
    tx_sbuf(&b);
    tfmt_html_escape(&b, s.u.s.p, s.u.s.n, false);
    return tx_take(x, &b, TV_STRING);
}

static struct tval f_js(struct tx *x, const struct tval *a, size_t n)
{
    struct tval s = esc_arg(x, a, n);
    struct buf b;
    tx_sbuf(&b);
    tfmt_js_escape(&b, s.u.s.p, s.u.s.n);
    return tx_take(x, &b, TV_STRING);
}

static struct tval f_urlquery(struct tx *x, const struct tval *a, size_t n)
{
    struct tval s = esc_arg(x, a, n);
    struct buf b;
    tx_sbuf(&b);
    tfmt_query_escape(&b, s.u.s.p, s.u.s.n);
    return tx_take(x, &b, TV_STRING);
}

/* ---- strings ----------------------------------------------------------- */

/* Simple case mapping of one rune: ASCII, Latin-1, Greek and Cyrillic. */
static uint32_t map_case(uint32_t r, bool upper)
{
    if (upper) {
        if ((r >= 'a' && r <= 'z') || (r >= 0xE0 && r <= 0xFE && r != 0xF7) ||
            (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2) || (r >= 0x430 && r <= 0x44F))
            return r - (r >= 0x430 ? 0x20 : r >= 0x3B1 ? 0x20 : 0x20);
        if (r == 0x3C2)
            return 0x3A3;
        if (r >= 0x450 && r <= 0x45F)
            return r - 0x50;
        return r;
    }
    if ((r >= 'A' && r <= 'Z') || (r >= 0xC0 && r <= 0xDE && r != 0xD7) ||
        (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) || (r >= 0x410 && r <= 0x42F))
        return r + 0x20;
    if (r >= 0x400 && r <= 0x40F)
        return r + 0x50;
    return r;
}

/* Decodes the rune at s[i]; returns its byte length (1 for invalid bytes,
 * which are then copied unchanged). */
static size_t rune(const char *s, size_t n, size_t i, uint32_t *r)
{
    const unsigned char *u = (const unsigned char *)s + i;
    size_t left = n - i;
    if (u[0] >= 0xC2 && u[0] < 0xE0 && left >= 2 && (u[1] & 0xC0) == 0x80) {
        *r = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
        return 2;
    }
    if (u[0] >= 0xE0 && u[0] < 0xF0 && left >= 3 && utf8_valid((const char *)u, 3)) {
        *r = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
        return 3;
    }
    *r = u[0] < 0x80 ? u[0] : 0xFFFFFFFF;
    if (u[0] >= 0xF0 && left >= 4 && utf8_valid((const char *)u, 4))
        return 4;
    return 1;
}

static void put_rune(struct buf *b, uint32_t r)
{
    if (r < 0x80) {
        buf_putc(b, (char)r);
    } else if (r < 0x800) {
        buf_putc(b, (char)(0xC0 | (r >> 6)));
        buf_putc(b, (char)(0x80 | (r & 0x3F)));
    } else {
        buf_putc(b, (char)(0xE0 | (r >> 12)));
        buf_putc(b, (char)(0x80 | ((r >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (r & 0x3F)));
    }
}

static struct tval change_case(struct tx *x, const struct tval *a, const char *fn, int mode)
{
    struct tval s = tv_want_string(x, &a[0], fn);
    struct buf b;
    tx_sbuf(&b);
    bool in_word = false;
    uint32_t prev = 0;
    for (size_t i = 0; i < s.u.s.n;) {
        uint32_t r;
        size_t l = rune(s.u.s.p, s.u.s.n, i, &r);
        bool upper = mode == 1;
        if (mode == 2) { /* title: Unicode word starts upper, the rest lower */
            bool alnum = r == '_' || (r < 0x80 && ((r | 0x20) - 'a' < 26 || r - '0' < 10)) ||
                         (r >= 0x80 && r != 0xFFFFFFFF);
            uint32_t next = 0;
            if (i + l < s.u.s.n)
                rune(s.u.s.p, s.u.s.n, i + l, &next);
            bool prev_alpha = prev < 0x80 && (prev | 0x20) - 'a' < 26;
            bool next_alpha = next < 0x80 && (next | 0x20) - 'a' < 26;
            bool prev_digit = prev - '0' < 10, next_digit = next - '0' < 10;
            bool joiner =
                in_word &&
                (((r == ':' || r == '.' || r == '\'') && prev_alpha && next_alpha) ||
                 ((r == '.' || r == ',' || r == ';' || r == '\'') && prev_digit && next_digit));
            upper = alnum && !in_word;
            if (alnum)
                in_word = true;
            else if (!joiner)
                in_word = false;
        }
        if (r == 0xFFFFFFFF || l == 4)
            buf_append(&b, s.u.s.p + i, l);
        else
            put_rune(&b, map_case(r, upper));
        prev = r;
        i += l;
    }
    return tx_take(x, &b, TV_STRING);
}

static struct tval f_upper(struct tx *x, const struct tval *a, size_t n)
{
    return change_case(x, a, "toUpper", 1);
}
static struct tval f_lower(struct tx *x, const struct tval *a, size_t n)
{
    return change_case(x, a, "toLower", 0);
}
static struct tval f_title(struct tx *x, const struct tval *a, size_t n)
{
    return change_case(x, a, "title", 2);
}

static size_t space_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return 1;
    if (n >= 2 && c == 0xC2 && ((unsigned char)s[1] == 0x85 || (unsigned char)s[1] == 0xA0))
        return 2;
    return 0;
}

static struct tval f_trimspace(struct tx *x, const struct tval *a, size_t n)
{
    struct tval s = tv_want_string(x, &a[0], "trimSpace");
    const char *p = s.u.s.p;
    size_t len = s.u.s.n, l;
    while (len > 0 && (l = space_len(p, len)) > 0) {
        p += l;
        len -= l;
    }
    for (;;) {
        if (len >= 1 && space_len(p + len - 1, 1) == 1)
            len--;
        else if (len >= 2 && space_len(p + len - 2, 2) == 2)
            len -= 2;
        else
            break;
    }
    return tv_str(p, len);
}

static struct tval f_join(struct tx *x, const struct tval *a, size_t n)
{
    struct tval sep = tv_want_string(x, &a[0], "join");
    if (a[1].k != TV_STRINGS && a[1].k != TV_NIL)
        tx_fail(x, "error calling join: wrong type for value; expected []string; got %s",
                tv_typename(&a[1]));
    struct buf b;
    tx_sbuf(&b);
    for (size_t i = 0; a[1].k == TV_STRINGS && i < a[1].u.strs.n; i++) {
        if (i)
            buf_append(&b, sep.u.s.p, sep.u.s.n);
        buf_puts(&b, a[1].u.strs.v[i]);
    }
    return tx_take(x, &b, TV_STRING);
}

static struct tval f_stringslice(struct tx *x, const struct tval *a, size_t n)
{
    const char **v = tx_alloc(x, (n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        struct tval s = tv_want_string(x, &a[i], "stringSlice");
        v[i] = tx_strndup(x, s.u.s.p, s.u.s.n);
    }
    struct tval r = {.k = TV_STRINGS};
    r.u.strs.v = v;
    r.u.strs.n = n;
    return r;
}

static struct tval f_safehtml(struct tx *x, const struct tval *a, size_t n)
{
    struct tval s = tv_want_string(x, &a[0], "safeHtml");
    s.k = TV_HTML;
    return s;
}

static struct tval f_safeurl(struct tx *x, const struct tval *a, size_t n)
{
    return tv_want_string(x, &a[0], "safeUrl");
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static struct tval f_urlunescape(struct tx *x, const struct tval *a, size_t n)
{
    struct tval s = tv_want_string(x, &a[0], "urlUnescape");
    char *o = tx_alloc(x, s.u.s.n + 1), *w = o;
    for (size_t i = 0; i < s.u.s.n; i++) {
        char c = s.u.s.p[i];
        if (c == '+') {
            *w++ = ' ';
        } else if (c == '%') {
            int hi = i + 1 < s.u.s.n ? hexval(s.u.s.p[i + 1]) : -1;
            int lo = i + 2 < s.u.s.n ? hexval(s.u.s.p[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                size_t k = s.u.s.n - i < 3 ? s.u.s.n - i : 3;
                tx_fail(x, "error calling urlUnescape: invalid URL escape \"%.*s\"", (int)k,
                        s.u.s.p + i);
            }
            *w++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *w++ = c;
        }
    }
    *w = 0;
    return tv_str(o, (size_t)(w - o));
}

/* ---- regular expressions ----------------------------------------------- */

/* Compiles a Go/RE2 pattern (unanchored, as Go's regexp.MatchString) with
 * the shared RE2 front end, so syntax and error texts are Go's. */
static pcre2_code *re_compile(struct tx *x, const char *fn, const struct tval *pat)
{
    struct errbuf err;
    const char *p = tx_strndup(x, pat->u.s.p, pat->u.s.n);
    pcre2_code *re = regex_compile(p, false, &err);
    if (!re)
        tx_fail(x, "error calling %s: %s", fn, err.msg);
    return re;
}

static pcre2_match_context *re_limits(void)
{
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    if (mc) {
        pcre2_set_match_limit(mc, 1000000);
        pcre2_set_depth_limit(mc, 10000);
    }
    return mc;
}

static struct tval f_match(struct tx *x, const struct tval *a, size_t n)
{
    struct tval pat = tv_want_string(x, &a[0], "match");
    struct tval s = tv_want_string(x, &a[1], "match");
    pcre2_code *re = re_compile(x, "match", &pat);
    bool m = regex_match(re, s.u.s.p, s.u.s.n);
    regex_free(re);
    return tv_bool(m);
}

/* The number of the first capture group named `name` in Go pattern p (the
 * PCRE2 translation drops names, keeping the numbering); -1 if none. */
static int group_by_name(const char *p, size_t n, const char *name)
{
    int idx = 0;
    size_t nl = strlen(name);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\') {
            i++;
        } else if (p[i] == '[') { /* skip a class: []...] and [^]...] keep the first ] */
            i++;
            if (i < n && p[i] == '^')
                i++;
            if (i < n && p[i] == ']')
                i++;
            while (i < n && p[i] != ']') {
                if (p[i] == '\\')
                    i++;
                else if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
                    const char *e = strstr(p + i + 2, ":]");
                    if (e && (size_t)(e - p) < n)
                        i = (size_t)(e - p) + 1;
                }
                i++;
            }
        } else if (p[i] == '(') {
            if (i + 1 < n && p[i + 1] == '?') {
                if (i + 3 < n && p[i + 2] == 'P' && p[i + 3] == '<') {
                    idx++;
                    if (n - (i + 4) > nl && memcmp(p + i + 4, name, nl) == 0 &&
                        p[i + 4 + nl] == '>')
                        return idx;
                }
            } else {
                idx++;
            }
        }
    }
    return -1;
}

/* Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
static void expand(struct buf *b, const char *t, size_t tn, const char *subj, PCRE2_SIZE *ov,
                   int groups, const struct tval *pat)
{
    for (size_t i = 0; i < tn;) {
        if (t[i] != '$' || i + 1 >= tn) {
            buf_putc(b, t[i++]);
            continue;
        }
        i++;
        if (t[i] == '$') {
            buf_putc(b, '$');
            i++;
            continue;
        }
        size_t ns, ne;
        if (t[i] == '{') {
            ns = i + 1;
            ne = ns;
            while (ne < tn && t[ne] != '}' &&
                   (t[ne] == '_' || (unsigned)((t[ne] | 0x20) - 'a') < 26 ||
                    (unsigned)(t[ne] - '0') < 10))
                ne++;
            if (ne >= tn || t[ne] != '}' || ne == ns) { /* malformed: literal $ */
                buf_putc(b, '$');
                continue;
            }
            i = ne + 1;
        } else {
            ns = ne = i;
            while (ne < tn && (t[ne] == '_' || (unsigned)((t[ne] | 0x20) - 'a') < 26 ||
                               (unsigned)(t[ne] - '0') < 10))
                ne++;
            if (ne == ns) {
                buf_putc(b, '$');
                continue;
            }
            i = ne;
        }
        char name[64];
        size_t nl = ne - ns < sizeof name - 1 ? ne - ns : sizeof name - 1;
        memcpy(name, t + ns, nl);
        name[nl] = 0;
        int g = -1;
        bool numeric = true;
        for (size_t k = 0; k < nl; k++)
            numeric = numeric && name[k] >= '0' && name[k] <= '9';
        if (numeric && nl < 9)
            g = (int)strtol(name, NULL, 10);
        else if (!numeric)
            g = group_by_name(pat->u.s.p, pat->u.s.n, name);
        if (g >= 0 && g < groups && ov[2 * g] != PCRE2_UNSET)
            buf_append(b, subj + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    }
}

static struct tval f_rereplaceall(struct tx *x, const struct tval *a, size_t n)
{
    struct tval pat = tv_want_string(x, &a[0], "reReplaceAll");
    struct tval repl = tv_want_string(x, &a[1], "reReplaceAll");
    struct tval s = tv_want_string(x, &a[2], "reReplaceAll");
    pcre2_code *re = re_compile(x, "reReplaceAll", &pat);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    pcre2_match_context *mc = re_limits();
    struct buf b;
    tx_sbuf(&b);
    size_t pos = 0, last = 0;
    int rc = 0;
    uint64_t iters = 0;
    while (md && pos <= s.u.s.n && !b.overflow && ++iters < 10000000) {
        rc = pcre2_match(re, (PCRE2_SPTR)s.u.s.p, s.u.s.n, pos, 0, md, mc);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t ms = ov[0], me = ov[1];
        if (me < ms) /* \K can produce this; treat as empty at ms */
            me = ms;
        buf_append(&b, s.u.s.p + last, ms > last ? ms - last : 0);
        if (me > last || ms == 0)
            expand(&b, repl.u.s.p, repl.u.s.n, s.u.s.p, ov, rc, &pat);
        last = me > last ? me : last;
        uint32_t r;
        size_t w = pos < s.u.s.n ? rune(s.u.s.p, s.u.s.n, pos, &r) : 0;
        if (pos + w > me)
            pos += w;
        else if (pos + 1 > me)
            pos++;
        else
            pos = me;
    }
    if (last < s.u.s.n)
        buf_append(&b, s.u.s.p + last, s.u.s.n - last);
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    regex_free(re);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
        buf_deinit(&b);
        tx_fail(x, "error calling reReplaceAll: regexp match failed (%d)", rc);
    }
    return tx_take(x, &b, TV_STRING);
}

/* ---- the table --------------------------------------------------------- */

static const struct tfunc funcs[] = {
    {"eq", f_eq, 2, -1},
    {"ne", f_ne, 2, 2},
    {"lt", f_lt, 2, 2},
    {"le", f_le, 2, 2},
    {"gt", f_gt, 2, 2},
    {"ge", f_ge, 2, 2},
    {"not", f_not, 1, 1},
    {"len", f_len, 1, 1},
    {"index", f_index, 1, -1},
    {"print", f_print, 0, -1},
    {"printf", f_printf, 1, -1},
    {"println", f_println, 0, -1},
    {"html", f_html, 0, -1},
    {"js", f_js, 0, -1},
    {"urlquery", f_urlquery, 0, -1},
    {"toUpper", f_upper, 1, 1},
    {"toLower", f_lower, 1, 1},
    {"title", f_title, 1, 1},
    {"trimSpace", f_trimspace, 1, 1},
    {"join", f_join, 2, 2},
    {"match", f_match, 2, 2},
    {"reReplaceAll", f_rereplaceall, 3, 3},
    {"safeHtml", f_safehtml, 1, 1},
    {"safeUrl", f_safeurl, 1, 1},
    {"urlUnescape", f_urlunescape, 1, 1},
    {"stringSlice", f_stringslice, 0, -1},
    {"date", tf_date, 2, 2},
    {"tz", tf_tz, 2, 2},
    {"since", tf_since, 1, 1},
    {"now", tf_now, 0, 0},
    {"humanizeDuration", tf_humanizeduration, 1, 1},
    {"toJson", tf_tojson, 1, 1},
};

const struct tfunc *tfunc_find(const char *name, size_t n)
{
    if (n == 3 && memcmp(name, "and", 3) == 0)
        return &tfunc_and;
    if (n == 2 && memcmp(name, "or", 2) == 0)
        return &tfunc_or;
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (strlen(funcs[i].name) == n && memcmp(funcs[i].name, name, n) == 0)
            return &funcs[i];
    return NULL;
}

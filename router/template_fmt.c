/* template_fmt.c -- printf with Go's verbs, the escapers, and JSON.
 *
 * Templates call printf "%s: %.2f" ... expecting Go's fmt: %v prints any
 * value in its default form, a verb that does not fit the operand prints
 * "%!d(string=x)" instead of failing, and missing or extra operands are
 * reported inline.  Floats print in Go's shortest form ("1.5", "1e+06").
 * The escapers are Go's html (text/template and html/template flavours),
 * js, urlquery (url.QueryEscape) and encoding/json's string escaping. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_internal.h"

/* Numeric verbs are rendered by building a C format from a whitelisted
 * verb and flag set (never from template text), hence non-literal formats. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* ---- floats ------------------------------------------------------------ */

/* Shortest decimal digits that round-trip: returns digit count, fills
 * digits (no dot) and the decimal exponent of the first digit. */
static int shortest(double f, char *digits, int *exp10)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, f);
        if (strtod(tmp, NULL) == f || prec == 17) {
            const char *p = tmp + (tmp[0] == '-');
            int k = 0;
            for (; *p && *p != 'e'; p++)
                if (*p != '.')
                    digits[k++] = *p;
            while (k > 1 && digits[k - 1] == '0')
                k--;
            digits[k] = 0;
            *exp10 = (int)strtol(p + 1, NULL, 10); /* snprintf's output: always a number */
            return k;
        }
    }
    return 0;
}

/* Go's strconv shortest formatting: %e form when exp < lo || exp >= hi. */
static void float_shortest(struct buf *b, double f, int lo, int hi, bool json)
{
    char d[40];
    int e;
    int nd = shortest(f, d, &e);
    if (signbit(f))
        buf_putc(b, '-');
    if (e < lo || e >= hi) {
        buf_putc(b, d[0]);
        if (nd > 1)
            buf_printf(b, ".%s", d + 1);
        if (json)
            buf_printf(b, "e%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        else
            buf_printf(b, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
        return;
    }
    if (e < 0) {
        buf_puts(b, "0.");
        for (int i = 0; i < -e - 1; i++)
            buf_putc(b, '0');
        buf_puts(b, d);
        return;
    }
    for (int i = 0; i <= e; i++)
        buf_putc(b, i < nd ? d[i] : '0');
    if (nd > e + 1)
        buf_printf(b, ".%s", d + e + 1);
}

void tfmt_float(struct buf *b, double f, char verb, int prec)
{
    if (isnan(f)) {
        buf_puts(b, "NaN");
        return;
    }
    if (isinf(f)) {
        buf_puts(b, f > 0 ? "+Inf" : "-Inf");
        return;
    }
    if ((verb == 'v' || verb == 'g' || verb == 'G') && prec < 0) {
        float_shortest(b, f, -4, 6, false); /* Go: %e when exp < -4 || exp >= 6 */
        return;
    }
    char fmt[8] = {'%', '.', '*', verb, 0};
    buf_printf(b, fmt, prec < 0 ? 6 : prec, f);
}

/* ---- escapers ---------------------------------------------------------- */

void tfmt_html_escape(struct buf *b, const char *s, size_t n, bool template_html)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '"':
            buf_puts(b, "&#34;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '+':
            if (template_html)
                buf_puts(b, "&#43;");
            else
                buf_putc(b, '+');
            break;
        case 0:
            buf_puts(b, "\xef\xbf\xbd");
            break;
        default:
            buf_putc(b, s[i]);
        }
    }
}

void tfmt_js_escape(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\\':
            buf_puts(b, "\\\\");
            break;
        case '\'':
            buf_puts(b, "\\'");
            break;
        case '"':
            buf_puts(b, "\\\"");
            break;
        case '<':
            buf_puts(b, "\\u003C");
            break;
        case '>':
            buf_puts(b, "\\u003E");
            break;
        case '&':
            buf_puts(b, "\\u0026");
            break;
        case '=':
            buf_puts(b, "\\u003D");
            break;
        default:
            if (c < ' ')
                buf_printf(b, "\\u%04X", c);
            else
                buf_putc(b, (char)c);
        }
    }
}

void tfmt_query_escape(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            buf_putc(b, (char)c);
        else if (c == ' ')
            buf_putc(b, '+');
        else
            buf_printf(b, "%%%02X", c);
    }
}

/* Length of a valid UTF-8 sequence at s (0 if invalid). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t l = (s[0] & 0xE0) == 0xC0   ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (l == 0 || l > n || !utf8_valid((const char *)s, l))
        return 0;
    return l;
}

void tfmt_quote(struct buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '\a':
            esc = "\\a";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\v':
            esc = "\\v";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '"':
            esc = "\\\"";
            break;
        }
        if (esc) {
            buf_puts(b, esc);
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7f) {
            buf_printf(b, "\\x%02x", c);
            i++;
            continue;
        }
        size_t l = utf8_len((const unsigned char *)s + i, n - i);
        if (l == 0) {
            buf_printf(b, "\\x%02x", c);
            i++;
            continue;
        }
        buf_append(b, s + i, l);
        i += l;
    }
    buf_putc(b, '"');
}

/* ---- JSON -------------------------------------------------------------- */

void tfmt_json_string(struct buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_printf(b, "\\%c", c);
            i++;
        } else if (c == '\n') {
            buf_puts(b, "\\n"), i++;
        } else if (c == '\r') {
            buf_puts(b, "\\r"), i++;
        } else if (c == '\t') {
            buf_puts(b, "\\t"), i++;
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            buf_printf(b, "\\u%04x", c);
            i++;
        } else {
            size_t l = utf8_len((const unsigned char *)s + i, n - i);
            if (l == 0) {
                buf_puts(b, "\\ufffd");
                i++;
            } else if (l == 3 && (unsigned char)s[i] == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
                       ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
                buf_printf(b, "\\u202%c", (unsigned char)s[i + 2] == 0xA8 ? '8' : '9');
                i += 3;
            } else {
                buf_append(b, s + i, l);
                i += l;
            }
        }
    }
    buf_putc(b, '"');
}

static void json_kv(struct buf *b, const struct label *v, size_t n)
{
    buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(b, ',');
        tfmt_json_string(b, v[i].name, strlen(v[i].name));
        buf_putc(b, ':');
        tfmt_json_string(b, v[i].value, strlen(v[i].value));
    }
    buf_putc(b, '}');
}

static void json_cstr(struct buf *b, const char *s)
{
    tfmt_json_string(b, s ? s : "", s ? strlen(s) : 0);
}

static void json_alert(struct buf *b, const struct tmpl_alert *a)
{
    struct ttime t;
    buf_puts(b, "{\"status\":");
    json_cstr(b, a->status);
    buf_puts(b, ",\"labels\":");
    json_kv(b, a->labels.v, a->labels.v ? a->labels.n : 0);
    buf_puts(b, ",\"annotations\":");
    json_kv(b, a->annotations.v, a->annotations.v ? a->annotations.n : 0);
    buf_puts(b, ",\"startsAt\":\"");
    t = ttime_from_ms(a->starts_at_ms);
    ttime_rfc3339(b, &t);
    buf_puts(b, "\",\"endsAt\":\"");
    t = ttime_from_ms(a->ends_at_ms);
    ttime_rfc3339(b, &t);
    buf_puts(b, "\",\"generatorURL\":");
    json_cstr(b, a->generator_url);
    buf_puts(b, ",\"fingerprint\":");
    json_cstr(b, a->fingerprint);
    buf_putc(b, '}');
}

void tfmt_json(struct tx *x, struct buf *b, const struct tval *v)
{
    switch (v->k) {
    case TV_NIL:
        buf_puts(b, "null");
        break;
    case TV_BOOL:
        buf_puts(b, v->u.b ? "true" : "false");
        break;
    case TV_INT:
    case TV_DURATION:
        buf_printf(b, "%lld", (long long)v->u.i);
        break;
    case TV_FLOAT:
        if (isnan(v->u.f) || isinf(v->u.f))
            tx_fail(x, "error calling toJson: json: unsupported value: %g", v->u.f);
        float_shortest(b, v->u.f, -6, 21, true);
        break;
    case TV_STRING:
    case TV_HTML:
        tfmt_json_string(b, v->u.s.p, v->u.s.n);
        break;
    case TV_KV:
        json_kv(b, v->u.kv.v, v->u.kv.n);
        break;
    case TV_PAIR:
    case TV_PAIRS:
        if (v->k == TV_PAIRS)
            buf_putc(b, '[');
        for (size_t i = 0; i < v->u.kv.n; i++) {
            buf_puts(b, i ? ",{\"Name\":" : "{\"Name\":");
            json_cstr(b, v->u.kv.v[i].name);
            buf_puts(b, ",\"Value\":");
            json_cstr(b, v->u.kv.v[i].value);
            buf_putc(b, '}');
        }
        if (v->k == TV_PAIRS)
            buf_putc(b, ']');
        break;
    case TV_STRINGS:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->u.strs.n; i++) {
            if (i)
                buf_putc(b, ',');
            json_cstr(b, v->u.strs.v[i]);
        }
        buf_putc(b, ']');
        break;
    case TV_ALERT:
        json_alert(b, v->u.alert);
        break;
    case TV_ALERTS:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->u.alerts.n; i++) {
            if (i)
                buf_putc(b, ',');
            json_alert(b, v->u.alerts.v[i]);
        }
        buf_putc(b, ']');
        break;
    case TV_DATA: {
        const struct tmpl_data *d = v->u.data;
        buf_puts(b, "{\"receiver\":");
        json_cstr(b, d->receiver);
        buf_puts(b, ",\"status\":");
        json_cstr(b, d->status);
        buf_puts(b, ",\"alerts\":[");
        for (size_t i = 0; i < d->nalerts; i++) {
            if (i)
                buf_putc(b, ',');
            json_alert(b, &d->alerts[i]);
        }
        buf_puts(b, "],\"groupLabels\":");
        json_kv(b, d->group_labels.v, d->group_labels.v ? d->group_labels.n : 0);
        buf_puts(b, ",\"commonLabels\":");
        json_kv(b, d->common_labels.v, d->common_labels.v ? d->common_labels.n : 0);
        buf_puts(b, ",\"commonAnnotations\":");
        json_kv(b, d->common_annotations.v, d->common_annotations.v ? d->common_annotations.n : 0);
        buf_puts(b, ",\"externalURL\":");
        json_cstr(b, d->external_url);
        buf_putc(b, '}');
        break;
    }
    case TV_TIME:
        buf_putc(b, '"');
        ttime_rfc3339(b, &v->u.t);
        buf_putc(b, '"');
        break;
    }
}

/* ---- printf ------------------------------------------------------------ */

struct spec {
    bool minus, plus, sharp, zero, space;
    int width, prec; /* -1 = absent */
};

static size_t rune_count(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Appends s padded to the spec's width (in runes, as Go counts). */
static void pad(struct buf *b, const struct spec *sp, const char *s, size_t n)
{
    size_t w = rune_count(s, n);
    size_t fill = sp->width > 0 && (size_t)sp->width > w ? (size_t)sp->width - w : 0;
    if (!sp->minus)
        for (size_t i = 0; i < fill; i++)
            buf_putc(b, sp->zero ? '0' : ' ');
    buf_append(b, s, n);
    if (sp->minus)
        for (size_t i = 0; i < fill; i++)
            buf_putc(b, ' ');
}

static void bad_verb(struct tx *x, struct buf *b, char verb, const struct tval *v)
{
    buf_printf(b, "%%!%c(", verb);
    if (v->k == TV_NIL) {
        buf_puts(b, "<nil>)");
        return;
    }
    buf_printf(b, "%s=", tv_typename(v));
    tv_print(x, b, v);
    buf_putc(b, ')');
}

static void fmt_int(struct buf *b, const struct spec *sp, char verb, int64_t i)
{
    char f[32], *p = f;
    *p++ = '%';
    if (sp->minus)
        *p++ = '-';
    if (sp->plus)
        *p++ = '+';
    if (sp->space)
        *p++ = ' ';
    if (sp->zero && sp->prec < 0)
        *p++ = '0';
    if (sp->sharp && verb != 'd')
        *p++ = '#';
    *p++ = '*';
    if (sp->prec >= 0) {
        *p++ = '.';
        *p++ = '*';
    }
    bool neg = i < 0 && verb != 'd';
    uint64_t u = neg ? 0 - (uint64_t)i : (uint64_t)i;
    *p++ = 'l';
    *p++ = 'l';
    *p++ = verb == 'd' ? 'd' : verb == 'O' ? 'o' : verb;
    *p = 0;
    if (verb == 'b') { /* C has no %b */
        char bits[70];
        int k = 0;
        do
            bits[k++] = (char)('0' + (u & 1));
        while ((u >>= 1) && k < 64);
        char out[72];
        int o = 0;
        if (neg)
            out[o++] = '-';
        while (k)
            out[o++] = bits[--k];
        pad(b, sp, out, (size_t)o);
        return;
    }
    struct buf t;
    buf_init(&t, 0);
    if (neg)
        buf_putc(&t, '-');
    if (verb == 'O')
        buf_puts(&t, "0o");
    int w = sp->width;
    if (neg && w > 0)
        w--;
    if (verb == 'd') {
        if (sp->prec >= 0)
            buf_printf(&t, f, w, sp->prec, (long long)i);
        else
            buf_printf(&t, f, w, (long long)i);
    } else if (sp->prec >= 0) {
        buf_printf(&t, f, w, sp->prec, (unsigned long long)u);
    } else {
        buf_printf(&t, f, w, (unsigned long long)u);
    }
    buf_append(b, buf_str(&t), t.len);
    buf_deinit(&t);
}

static void put_rune(struct buf *b, int64_t r)
{
    if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = 0xFFFD;
    if (r < 0x80) {
        buf_putc(b, (char)r);
    } else if (r < 0x800) {
        buf_putc(b, (char)(0xC0 | (r >> 6)));
        buf_putc(b, (char)(0x80 | (r & 0x3F)));
    } else if (r < 0x10000) {
        buf_putc(b, (char)(0xE0 | (r >> 12)));
        buf_putc(b, (char)(0x80 | ((r >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (r & 0x3F)));
    } else {
        buf_putc(b, (char)(0xF0 | (r >> 18)));
        buf_putc(b, (char)(0x80 | ((r >> 12) & 0x3F)));
        buf_putc(b, (char)(0x80 | ((r >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (r & 0x3F)));
    }
}

static void fmt_one(struct tx *x, struct buf *b, const struct spec *sp, char verb,
                    const struct tval *v)
{
    struct buf t;
    buf_init(&t, 0);
    bool is_str = v->k == TV_STRING || v->k == TV_HTML;
    bool is_int = v->k == TV_INT || v->k == TV_DURATION;
    switch (verb) {
    case 'v':
    case 's':
        if (verb == 's' && !(is_str || v->k == TV_STRINGS || v->k == TV_KV || v->k == TV_TIME ||
                             v->k == TV_DURATION || v->k == TV_PAIRS || v->k == TV_PAIR)) {
            bad_verb(x, &t, verb, v);
        } else if (verb == 'v' && sp->sharp && is_str) {
            tfmt_quote(&t, v->u.s.p, v->u.s.n);
        } else if (verb == 'v' && v->k == TV_FLOAT && sp->prec >= 0) {
            tfmt_float(&t, v->u.f, 'g', sp->prec);
        } else {
            tv_print(x, &t, v);
            if (is_str && sp->prec >= 0) { /* precision truncates, in runes */
                size_t keep = 0, runes = 0;
                while (keep < t.len) {
                    if (((unsigned char)t.p[keep] & 0xC0) != 0x80 && runes++ == (size_t)sp->prec)
                        break;
                    keep++;
                }
                t.len = keep;
            }
        }
        pad(b, sp, buf_str(&t), t.len);
        break;
    case 'q':
        if (is_str)
            tfmt_quote(&t, v->u.s.p, v->u.s.n);
        else if (v->k == TV_INT) {
            buf_putc(&t, '\'');
            put_rune(&t, v->u.i);
            buf_putc(&t, '\'');
        } else if (v->k == TV_STRINGS) {
            buf_putc(&t, '[');
            for (size_t i = 0; i < v->u.strs.n; i++) {
                if (i)
                    buf_putc(&t, ' ');
                tfmt_quote(&t, v->u.strs.v[i], strlen(v->u.strs.v[i]));
            }
            buf_putc(&t, ']');
        } else
            bad_verb(x, &t, verb, v);
        pad(b, sp, buf_str(&t), t.len);
        break;
    case 'x':
    case 'X':
        if (is_str) {
            for (size_t i = 0; i < v->u.s.n; i++)
                buf_printf(&t, verb == 'x' ? "%02x" : "%02X", (unsigned char)v->u.s.p[i]);
            pad(b, sp, buf_str(&t), t.len);
            break;
        }
        /* fall through */
    case 'd':
    case 'o':
    case 'O':
    case 'b':
    case 'c':
    case 'U':
        if (!is_int) {
            bad_verb(x, &t, verb, v);
            pad(b, sp, buf_str(&t), t.len);
        } else if (verb == 'c') {
            put_rune(&t, v->u.i);
            pad(b, sp, buf_str(&t), t.len);
        } else if (verb == 'U') {
            buf_printf(&t, "U+%04llX", (unsigned long long)v->u.i);
            pad(b, sp, buf_str(&t), t.len);
        } else {
            fmt_int(b, sp, verb, v->u.i);
        }
        break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
        if (v->k != TV_FLOAT) {
            bad_verb(x, &t, verb, v);
            pad(b, sp, buf_str(&t), t.len);
            break;
        }
        {
            char f[16], *p = f;
            *p++ = '%';
            if (sp->plus)
                *p++ = '+';
            if (sp->space)
                *p++ = ' ';
            if (sp->sharp)
                *p++ = '#';
            *p++ = '.';
            *p++ = '*';
            *p++ = verb;
            *p = 0;
            if ((verb == 'g' || verb == 'G') && sp->prec < 0)
                tfmt_float(&t, v->u.f, verb, -1);
            else if (isnan(v->u.f) || isinf(v->u.f))
                tfmt_float(&t, v->u.f, verb, 0);
            else
                buf_printf(&t, f, sp->prec < 0 ? 6 : sp->prec, v->u.f);
            struct spec s2 = *sp;
            if (s2.zero && !s2.minus && t.len && (t.p[0] == '-' || t.p[0] == '+')) {
                buf_putc(b, t.p[0]); /* zero padding goes after the sign */
                if (s2.width > 0)
                    s2.width--;
                pad(b, &s2, t.p + 1, t.len - 1);
            } else {
                pad(b, &s2, buf_str(&t), t.len);
            }
        }
        break;
    case 'T':
        buf_puts(&t, tv_typename(v));
        pad(b, sp, buf_str(&t), t.len);
        break;
    case 't':
        if (v->k == TV_BOOL)
            buf_puts(&t, v->u.b ? "true" : "false");
        else
            bad_verb(x, &t, verb, v);
        pad(b, sp, buf_str(&t), t.len);
        break;
    default:
        bad_verb(x, &t, verb, v);
        buf_append(b, buf_str(&t), t.len);
    }
    buf_deinit(&t);
}

/* Go's fmt.Sprintf for the value types templates have. */
void tfmt_printf(struct tx *x, struct buf *b, const char *f, size_t n, const struct tval *args,
                 size_t nargs)
{
    size_t ai = 0;
    for (size_t i = 0; i < n;) {
        if (f[i] != '%') {
            buf_putc(b, f[i++]);
            continue;
        }
        i++;
        struct spec sp = {false, false, false, false, false, -1, -1};
        for (; i < n; i++) {
            if (f[i] == '-')
                sp.minus = true;
            else if (f[i] == '+')
                sp.plus = true;
            else if (f[i] == '#')
                sp.sharp = true;
            else if (f[i] == '0')
                sp.zero = !sp.minus;
            else if (f[i] == ' ')
                sp.space = true;
            else
                break;
        }
        if (i < n && f[i] == '*') {
            i++;
            if (ai < nargs && args[ai].k == TV_INT && args[ai].u.i > -1000000 &&
                args[ai].u.i < 1000000) {
                sp.width = (int)args[ai++].u.i;
                if (sp.width < 0) {
                    sp.minus = true;
                    sp.width = -sp.width;
                }
            } else {
                buf_puts(b, "%!(BADWIDTH)");
                ai++;
            }
        } else {
            while (i < n && f[i] >= '0' && f[i] <= '9' && sp.width < 1000000)
                sp.width = (sp.width < 0 ? 0 : sp.width * 10) + (f[i++] - '0');
        }
        if (i < n && f[i] == '.') {
            i++;
            sp.prec = 0;
            if (i < n && f[i] == '*') {
                i++;
                if (ai < nargs && args[ai].k == TV_INT && args[ai].u.i >= 0 &&
                    args[ai].u.i < 1000000)
                    sp.prec = (int)args[ai++].u.i;
                else {
                    buf_puts(b, "%!(BADPREC)");
                    ai++;
                }
            } else {
                while (i < n && f[i] >= '0' && f[i] <= '9' && sp.prec < 1000000)
                    sp.prec = sp.prec * 10 + (f[i++] - '0');
            }
        }
        if (sp.width > 100000)
            sp.width = 100000; /* bounded: output is capped anyway */
        if (sp.prec > 100000)
            sp.prec = 100000;
        if (i >= n) {
            buf_puts(b, "%!(NOVERB)");
            break;
        }
        char verb = f[i++];
        if (verb == '%') {
            buf_putc(b, '%');
            continue;
        }
        if (ai >= nargs) {
            buf_printf(b, "%%!%c(MISSING)", verb);
            continue;
        }
        fmt_one(x, b, &sp, verb, &args[ai++]);
    }
    if (ai < nargs) {
        buf_puts(b, "%!(EXTRA ");
        for (size_t k = ai; k < nargs; k++) {
            if (k > ai)
                buf_puts(b, ", ");
            if (args[k].k == TV_NIL) {
                buf_puts(b, "<nil>");
                continue;
            }
            buf_printf(b, "%s=", tv_typename(&args[k]));
            tv_print(x, b, &args[k]);
        }
        buf_putc(b, ')');
    }
}

/* gojson.c -- see gojson.h. */
#include "gojson.h"

#include <string.h>
#include <time.h>

#include "utf8.h"

static const char hexdig[] = "0123456789abcdef";

void gojson_string(struct buf *out, const char *s, size_t n)
{
    buf_putc(out, '"');
    size_t start = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                i++;
                continue;
            }
            buf_append(out, s + start, i - start);
            switch (c) {
            case '"':
            case '\\':
                buf_putc(out, '\\');
                buf_putc(out, (char)c);
                break;
            case '\n':
                buf_puts(out, "\\n");
                break;
            case '\r':
                buf_puts(out, "\\r");
                break;
            case '\t':
                buf_puts(out, "\\t");
                break;
            default: /* other controls and the HTML-sensitive <, >, & */
                buf_puts(out, "\\u00");
                buf_putc(out, hexdig[c >> 4]);
                buf_putc(out, hexdig[c & 0xf]);
            }
            start = ++i;
            continue;
        }
        uint32_t r;
        size_t w = utf8_decode(s + i, n - i, &r);
        if (r == UTF8_RUNE_ERROR && w == 1) {
            buf_append(out, s + start, i - start);
            buf_puts(out, "\\ufffd");
            start = ++i;
            continue;
        }
        if (r == 0x2028 || r == 0x2029) {
            buf_append(out, s + start, i - start);
            buf_puts(out, r == 0x2028 ? "\\u2028" : "\\u2029");
            start = i + w;
        }
        i += w;
    }
    buf_append(out, s + start, n - start);
    buf_putc(out, '"');
}

void gojson_str(struct buf *out, const char *s)
{
    if (!s)
        s = "";
    gojson_string(out, s, strlen(s));
}

void gojson_time(struct buf *out, int64_t ns)
{
    if (ns == 0) {
        buf_puts(out, "\"0001-01-01T00:00:00Z\"");
        return;
    }
    /* Floor division, so times before 1970 get a positive fraction. */
    int64_t sec = ns / 1000000000LL, frac = ns % 1000000000LL;
    if (frac < 0) {
        frac += 1000000000LL;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    buf_printf(out, "\"%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
               tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (frac) {
        char digits[10];
        int nd = 9;
        for (int k = 8; k >= 0; k--) {
            digits[k] = (char)('0' + frac % 10);
            frac /= 10;
        }
        while (nd > 0 && digits[nd - 1] == '0')
            nd--;
        buf_putc(out, '.');
        buf_append(out, digits, (size_t)nd);
    }
    buf_puts(out, "Z\"");
}

void gojson_labels(struct buf *out, const struct labels *ls)
{
    buf_putc(out, '{');
    for (size_t i = 0; i < ls->n; i++) {
        if (i)
            buf_putc(out, ',');
        gojson_str(out, ls->v[i].name);
        buf_putc(out, ':');
        gojson_str(out, ls->v[i].value);
    }
    buf_putc(out, '}');
}

/* goquote.c -- see goquote.h.
 *
 * unicode.IsPrint needs the Unicode category tables; PCRE2 already carries
 * them, so a one-class pattern answers the question for non-ASCII runes
 * (PCRE2 10.42 has Unicode 14, Go 1.19 Unicode 13: runes assigned in 14
 * print verbatim here and escaped by Go, a difference nobody will meet). */
#include "goquote.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "mem.h"
#include "utf8.h"

static pcre2_code *printable;
static pcre2_match_data *printable_md;

bool go_isprint(uint32_t r)
{
    if (r < 0x80)
        return r >= 0x20 && r < 0x7f;
    if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
        return false;
    if (!printable) {
        int ec;
        PCRE2_SIZE off;
        printable =
            pcre2_compile((PCRE2_SPTR) "[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}]", PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_ANCHORED, &ec, &off, NULL);
        printable_md = pcre2_match_data_create(1, NULL);
        ROUTER_ASSERT(printable && printable_md);
    }
    struct buf b = BUF_INIT;
    utf8_put(&b, r);
    int rc =
        pcre2_match(printable, (PCRE2_SPTR)b.p, b.len, 0, PCRE2_NO_UTF_CHECK, printable_md, NULL);
    buf_deinit(&b);
    return rc >= 0;
}

bool go_isspace(uint32_t r)
{
    switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
        return true;
    default:
        return r >= 0x2000 && r <= 0x200a;
    }
}

void go_quote(struct buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(out, '"');
    size_t i = 0;
    while (i < n) {
        uint32_t r;
        size_t w = utf8_decode(s + i, n - i, &r);
        if (r == UTF8_RUNE_ERROR && w == 1) {
            unsigned char c = (unsigned char)s[i];
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            buf_append(out, e, 4);
            i++;
            continue;
        }
        i += w;
        if (r == '"' || r == '\\') {
            buf_putc(out, '\\');
            buf_putc(out, (char)r);
            continue;
        }
        if (r < 0x80 ? (r >= 0x20 && r < 0x7f) : go_isprint(r)) {
            buf_append(out, s + i - w, w);
            continue;
        }
        switch (r) {
        case '\a':
            buf_puts(out, "\\a");
            break;
        case '\b':
            buf_puts(out, "\\b");
            break;
        case '\f':
            buf_puts(out, "\\f");
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
        case '\v':
            buf_puts(out, "\\v");
            break;
        default:
            if (r < 0x20 || r == 0x7f)
                buf_printf(out, "\\x%c%c", hex[r >> 4], hex[r & 15]);
            else if (r < 0x10000)
                buf_printf(out, "\\u%04x", (unsigned)r);
            else
                buf_printf(out, "\\U%08x", (unsigned)r);
        }
    }
    buf_putc(out, '"');
}

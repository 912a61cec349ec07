/* utf8.c -- see utf8.h. */
#include "utf8.h"

size_t utf8_decode(const char *str, size_t n, uint32_t *r)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0) {
        *r = UTF8_RUNE_ERROR;
        return 0;
    }
    unsigned char c = s[0];
    if (c < 0x80) {
        *r = c;
        return 1;
    }
    size_t len;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        *r = UTF8_RUNE_ERROR;
        return 1;
    }
    if (len > n)
        goto bad;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xc0) != 0x80)
            goto bad;
        cp = (cp << 6) | (s[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        goto bad;
    *r = cp;
    return len;
bad:
    *r = UTF8_RUNE_ERROR;
    return 1;
}

void utf8_put(struct buf *out, uint32_t r)
{
    char b[4];
    size_t n;
    if (r < 0x80) {
        b[0] = (char)r, n = 1;
    } else if (r < 0x800) {
        b[0] = (char)(0xc0 | (r >> 6));
        b[1] = (char)(0x80 | (r & 0x3f));
        n = 2;
    } else if (r < 0x10000) {
        b[0] = (char)(0xe0 | (r >> 12));
        b[1] = (char)(0x80 | ((r >> 6) & 0x3f));
        b[2] = (char)(0x80 | (r & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (r >> 18));
        b[1] = (char)(0x80 | ((r >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((r >> 6) & 0x3f));
        b[3] = (char)(0x80 | (r & 0x3f));
        n = 4;
    }
    buf_append(out, b, n);
}

void utf8_sanitize(struct buf *out, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t r;
        size_t w = utf8_decode(s + i, n - i, &r);
        if (r == UTF8_RUNE_ERROR && w == 1)
            utf8_put(out, UTF8_RUNE_ERROR);
        else
            buf_append(out, s + i, w);
        i += w;
    }
}

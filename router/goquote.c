/* goquote.c -- see goquote.h. */
#include "goquote.h"

#include <string.h>

#include "labels.h"

/* Length of the valid UTF-8 sequence starting at s (at most n bytes), or
 * 0 if the bytes there are not one. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (len > n)
        return 0;
    return utf8_valid((const char *)s, len) ? len : 0;
}

void goquote_append(struct buf *out, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    buf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t len = utf8_seq_len(s + i, n - i);
            if (len) {
                buf_append(out, s + i, len);
                i += len;
            } else {
                buf_printf(out, "\\x%02x", c);
                i++;
            }
            continue;
        }
        switch (c) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\a': buf_puts(out, "\\a"); break;
        case '\b': buf_puts(out, "\\b"); break;
        case '\f': buf_puts(out, "\\f"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        case '\v': buf_puts(out, "\\v"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                buf_printf(out, "\\x%02x", c);
            else
                buf_putc(out, (char)c);
        }
        i++;
    }
    buf_putc(out, '"');
}

/* mime.c -- quoted-printable, folded and encoded header fields, address
 * lists, dates.  See mime.h. */
#include "mime.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "mem.h"
#include "utf8.h"

static const char hex[] = "0123456789ABCDEF";

/* Length of the UTF-8 sequence starting at s (at most n bytes), or 1 for a
 * byte that does not start a valid one: soft breaks and encoded-words are
 * cut between the units this returns. */
static size_t char_len(const char *s, size_t n)
{
    uint32_t r;
    size_t w = utf8_decode(s, n, &r);
    return w ? w : 1;
}

/* ---- quoted-printable --------------------------------------------------------- */

/* Encodes one line (no line break inside) with soft breaks.  `col` counts
 * the characters on the current output line. */
static void qp_line(struct buf *out, const char *s, size_t len)
{
    size_t col = 0;
    for (size_t i = 0; i < len;) {
        size_t w = char_len(s + i, len - i);
        char enc[12];
        size_t elen = 0;
        for (size_t k = 0; k < w; k++) {
            unsigned char c = (unsigned char)s[i + k];
            bool last = i + w == len;
            bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
            if (literal) {
                enc[elen++] = (char)c;
            } else {
                enc[elen++] = '=';
                enc[elen++] = hex[c >> 4];
                enc[elen++] = hex[c & 15];
            }
        }
        /* The last unit of the line may use all MIME_QP_LINE columns;
         * any other must leave room for the soft break's '='. */
        size_t limit = i + w == len ? MIME_QP_LINE : MIME_QP_LINE - 1;
        if (col + elen > limit) {
            buf_puts(out, "=\r\n");
            col = 0;
        }
        buf_append(out, enc, elen);
        col += elen;
        i += w;
    }
}

void mime_qp_encode(struct buf *out, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\n')
            continue;
        size_t end = i;
        if (end > start && s[end - 1] == '\r')
            end--;
        qp_line(out, s + start, end - start);
        buf_puts(out, "\r\n");
        start = i + 1;
    }
    if (start < len)
        qp_line(out, s + start, len - start);
}

/* ---- header fields -------------------------------------------------------------- */

bool mime_header_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 76)
        return false;
    for (size_t i = 0; i < n; i++)
        if (name[i] < 33 || name[i] > 126 || name[i] == ':')
            return false;
    return true;
}

/* Current column of the last line in out. */
static size_t cur_col(const struct buf *out)
{
    size_t c = 0;
    while (c < out->len && out->p[out->len - 1 - c] != '\n')
        c++;
    return c;
}

/* RFC 2047 5(3): in Q, only these may stand for themselves anywhere an
 * encoded-word is allowed (a phrase included); space is written '_'. */
static bool q_literal(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '!' ||
           c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t q_len(const char *s, size_t n)
{
    size_t l = 0;
    for (size_t i = 0; i < n; i++)
        l += (q_literal((unsigned char)s[i]) || s[i] == ' ') ? 1 : 3;
    return l;
}

static size_t b_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

static void b64(struct buf *out, const unsigned char *s, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        buf_putc(out, tab[(v >> 18) & 63]);
        buf_putc(out, tab[(v >> 12) & 63]);
        buf_putc(out, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < n ? tab[v & 63] : '=');
    }
}

/* Appends `s` as encoded-words, each at most 75 characters and each line
 * at most 76 (RFC 2047 2), separated by folding white space, which readers
 * drop between adjacent encoded-words.  The caller has written what comes
 * before on the current line. */
static void encode_words(struct buf *out, const char *s, size_t n)
{
    /* Q keeps mostly-ASCII text readable in raw form; B only when it is
     * clearly shorter. */
    bool use_b = b_len(n) * 4 < q_len(s, n) * 3;
    const char *pre = use_b ? "=?UTF-8?B?" : "=?UTF-8?Q?";
    size_t overhead = strlen(pre) + 2;
    size_t i = 0;
    bool first = true;
    while (i < n) {
        size_t col = cur_col(out);
        if (!first || col + overhead + 12 > 76) {
            /* A new line for this word; the fold replaces a space the
             * caller may have written, so no line ends in white space. */
            if (out->len && out->p[out->len - 1] == ' ')
                out->len--, out->p[out->len] = '\0';
            buf_puts(out, "\r\n ");
            col = 1;
        }
        size_t room = (76 - col < 75 ? 76 - col : 75) - overhead;
        /* Take whole characters while they fit. */
        size_t j = i, used = 0;
        while (j < n) {
            size_t w = char_len(s + j, n - j);
            size_t add = use_b ? b_len(j + w - i) - used : q_len(s + j, w);
            if (used + add > room && j > i)
                break;
            used += add;
            j += w;
        }
        buf_puts(out, pre);
        if (use_b) {
            b64(out, (const unsigned char *)s + i, j - i);
        } else {
            for (size_t k = i; k < j; k++) {
                unsigned char c = (unsigned char)s[k];
                if (c == ' ')
                    buf_putc(out, '_');
                else if (q_literal(c))
                    buf_putc(out, (char)c);
                else
                    buf_printf(out, "=%c%c", hex[c >> 4], hex[c & 15]);
            }
        }
        buf_puts(out, "?=");
        i = j;
        first = false;
    }
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* Whether an unstructured ASCII value can be written as is: printable
 * characters and tabs only, nothing that looks like an encoded-word, and
 * no run without white space so long that its line would pass 998. */
static bool plain_ok(const char *s, size_t n, size_t first_col)
{
    size_t run = first_col;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 32 && c != '\t') || c >= 127)
            return false;
        if (c == '=' && i + 1 < n && s[i + 1] == '?')
            return false;
        run = is_wsp(s[i]) ? 0 : run + 1;
        if (run > 900)
            return false;
    }
    return true;
}

/* Writes an ASCII value, breaking before white space once a line would
 * pass MIME_HEADER_LINE.  A fold point is taken only where the next line
 * gets something besides white space. */
static void fold_plain(struct buf *out, const char *s, size_t n)
{
    size_t col = cur_col(out);
    size_t i = 0;
    while (i < n) {
        /* The next segment: white space then a word. */
        size_t j = i;
        while (j < n && is_wsp(s[j]))
            j++;
        while (j < n && !is_wsp(s[j]))
            j++;
        size_t seg = j - i;
        if (col + seg > MIME_HEADER_LINE && i > 0 && is_wsp(s[i]) && col > 0) {
            buf_puts(out, "\r\n");
            col = 0;
        }
        buf_append(out, s + i, seg);
        col += seg;
        i = j;
    }
}

int mime_header_text(struct buf *out, const char *name, const char *value, struct errbuf *err)
{
    if (!mime_header_name_valid(name)) {
        errbuf_set(err, "invalid header name \"%.80s\"", name);
        return -1;
    }
    size_t n = strlen(value);
    while (n && (is_wsp(value[n - 1]) || value[n - 1] == '\r' || value[n - 1] == '\n'))
        n--;
    while (n && (is_wsp(*value) || *value == '\r' || *value == '\n')) {
        value++;
        n--;
    }
    if (memchr(value, '\r', n) || memchr(value, '\n', n)) {
        errbuf_set(err, "header %s: value contains a line break", name);
        return -1;
    }
    if (!utf8_valid(value, n)) {
        errbuf_set(err, "header %s: value is not valid UTF-8", name);
        return -1;
    }
    buf_printf(out, n ? "%s: " : "%s:", name);
    if (plain_ok(value, n, strlen(name) + 2))
        fold_plain(out, value, n);
    else
        encode_words(out, value, n);
    buf_puts(out, "\r\n");
    return 0;
}

/* ---- dates ------------------------------------------------------------------------ */

void mime_date(struct buf *out, time_t t)
{
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    localtime_r(&t, &tm);
    long off = tm.tm_gmtoff / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    buf_printf(out, "%.3s, %02d %.3s %04d %02d:%02d:%02d %c%02ld%02ld", days + 3 * tm.tm_wday,
               tm.tm_mday, months + 3 * tm.tm_mon, tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
               tm.tm_sec, sign, off / 60, off % 60);
}

/* ---- address lists ------------------------------------------------------------- */

struct aparse {
    const char *s, *p;
    struct errbuf *err;
    bool failed;
};

static void afail(struct aparse *a, const char *what)
{
    if (!a->failed)
        errbuf_set(a->err, "%s at offset %zu", what, (size_t)(a->p - a->s));
    a->failed = true;
}

/* RFC 5322 atext, plus UTF-8 (RFC 6532) where the caller allows it. */
static bool atext(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-/=?^_`{|}~", c)) || c >= 0x80;
}

/* Skips white space and (nested) comments. */
static void skip_cfws(struct aparse *a)
{
    for (;;) {
        while (is_wsp(*a->p))
            a->p++;
        if (*a->p != '(')
            return;
        int depth = 0;
        do {
            if (*a->p == '\\' && a->p[1])
                a->p++;
            else if (*a->p == '(')
                depth++;
            else if (*a->p == ')')
                depth--;
            else if (*a->p == '\0') {
                afail(a, "unterminated comment");
                return;
            }
            a->p++;
        } while (depth > 0);
    }
}

/* An atom (into out, unchanged).  Returns false if none is here. */
static bool parse_atom(struct aparse *a, struct buf *out)
{
    const char *b = a->p;
    while (atext((unsigned char)*a->p))
        a->p++;
    buf_append(out, b, (size_t)(a->p - b));
    return a->p > b;
}

/* A quoted string (its content, unescaped, into out).  *a->p is '"'. */
static bool parse_quoted(struct aparse *a, struct buf *out)
{
    a->p++;
    for (;;) {
        unsigned char c = (unsigned char)*a->p;
        if (c == '"') {
            a->p++;
            return true;
        }
        if (c == '\\' && a->p[1] && a->p[1] != '\r' && a->p[1] != '\n')
            a->p++;
        else if (c == '\0' || c == '\r' || c == '\n' || (c < 32 && c != '\t') || c == 127) {
            afail(a, c ? "control character in quoted string" : "unterminated quoted string");
            return false;
        }
        buf_putc(out, *a->p++);
    }
}

static bool ascii_only(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* addr-spec: local-part "@" domain, written canonically into out. */
static bool parse_addr_spec(struct aparse *a, struct buf *out)
{
    struct buf local = BUF_INIT;
    skip_cfws(a);
    for (;;) {
        if (*a->p == '"') {
            if (!parse_quoted(a, &local))
                break;
        } else if (!parse_atom(a, &local)) {
            afail(a, "expected local part");
            break;
        }
        skip_cfws(a);
        if (*a->p != '.')
            break;
        buf_putc(&local, *a->p++);
        skip_cfws(a);
    }
    if (!a->failed && *a->p != '@')
        afail(a, "missing @ in address");
    if (a->failed) {
        buf_deinit(&local);
        return false;
    }
    a->p++;
    skip_cfws(a);
    const char *l = buf_str(&local);
    /* Quote the local part only when it is not a valid dot-atom. */
    bool need_quote =
        l[0] == '.' || (local.len && l[local.len - 1] == '.') || strstr(l, "..") || local.len == 0;
    for (size_t i = 0; i < local.len && !need_quote; i++)
        need_quote = !atext((unsigned char)l[i]) && l[i] != '.';
    if (need_quote) {
        buf_putc(out, '"');
        for (size_t i = 0; i < local.len; i++) {
            if (l[i] == '"' || l[i] == '\\')
                buf_putc(out, '\\');
            buf_putc(out, l[i]);
        }
        buf_putc(out, '"');
    } else {
        buf_append(out, l, local.len);
    }
    buf_deinit(&local);
    buf_putc(out, '@');
    if (*a->p == '[') {
        const char *b = a->p++;
        while (*a->p && *a->p != ']' && *a->p != '[' && *a->p != '\\' && *a->p > 32 && *a->p < 127)
            a->p++;
        if (*a->p != ']') {
            afail(a, "bad domain literal");
            return false;
        }
        a->p++;
        buf_append(out, b, (size_t)(a->p - b));
    } else {
        for (;;) {
            if (!parse_atom(a, out)) {
                afail(a, "expected domain");
                return false;
            }
            skip_cfws(a);
            if (*a->p != '.')
                break;
            buf_putc(out, *a->p++);
            skip_cfws(a);
        }
    }
    skip_cfws(a);
    return true;
}

/* A phrase: words (atoms or quoted strings) joined by one space. */
static void parse_phrase(struct aparse *a, struct buf *out)
{
    for (;;) {
        skip_cfws(a);
        size_t before = out->len;
        if (out->len)
            buf_putc(out, ' ');
        bool ok = *a->p == '"' ? parse_quoted(a, out) : parse_atom(a, out);
        /* obs-phrase allows dots in display names (J. Smith). */
        while (ok && *a->p == '.')
            buf_putc(out, *a->p++), parse_atom(a, out);
        if (!ok || a->failed) {
            out->len = before;
            if (out->p)
                out->p[before] = '\0';
            return;
        }
    }
}

static void push_addr(struct mime_addr_list *l, const char *name, struct buf *addr)
{
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n].name = name && *name ? xstrdup(name) : NULL;
    l->v[l->n].addr = buf_steal(addr);
    l->n++;
}

/* One mailbox, or one group (in_group false), appended to l. */
static void parse_address(struct aparse *a, struct mime_addr_list *l, bool in_group)
{
    struct buf addr = BUF_INIT, name = BUF_INIT;
    const char *start = a->p;
    /* A bare addr-spec is tried first; if what follows is not the end of
     * the element, it was a display name. */
    if (parse_addr_spec(a, &addr) &&
        (*a->p == ',' || *a->p == '\0' || (in_group && *a->p == ';'))) {
        push_addr(l, NULL, &addr);
        goto out;
    }
    a->failed = false;
    a->p = start;
    buf_reset(&addr);
    parse_phrase(a, &name);
    skip_cfws(a);
    if (a->failed) {
        goto out;
    } else if (*a->p == '<') {
        a->p++;
        if (parse_addr_spec(a, &addr)) {
            if (*a->p != '>')
                afail(a, "expected >");
            else {
                a->p++;
                skip_cfws(a);
                push_addr(l, buf_str(&name), &addr);
            }
        }
    } else if (*a->p == ':' && !in_group && name.len) {
        a->p++;
        for (;;) {
            skip_cfws(a);
            if (*a->p == ';')
                break;
            if (*a->p == ',') {
                a->p++;
                continue;
            }
            parse_address(a, l, true);
            if (a->failed)
                goto out;
            if (*a->p == ',')
                a->p++;
            else if (*a->p != ';') {
                afail(a, "expected , or ; in group");
                goto out;
            }
        }
        a->p++;
        skip_cfws(a);
    } else {
        afail(a, name.len ? "expected <address> after display name" : "expected address");
    }
out:
    buf_deinit(&addr);
    buf_deinit(&name);
}

int mime_addr_list_parse(const char *s, struct mime_addr_list *out, struct errbuf *err)
{
    struct aparse a = {s, s, err, false};
    out->n = 0;
    out->v = NULL;
    if (strpbrk(s, "\r\n")) {
        errbuf_set(err, "address list contains a line break");
        return -1;
    }
    while (!a.failed) {
        skip_cfws(&a);
        if (*a.p == '\0')
            break;
        if (*a.p == ',') {
            a.p++;
            continue;
        }
        parse_address(&a, out, false);
        if (!a.failed && *a.p != ',' && *a.p != '\0')
            afail(&a, "expected , between addresses");
    }
    if (!a.failed && out->n == 0)
        afail(&a, "no address");
    for (size_t i = 0; i < out->n && !a.failed; i++)
        if (!ascii_only(out->v[i].addr)) {
            errbuf_set(err, "non-ASCII address %s is not supported", out->v[i].addr);
            a.failed = true;
        }
    if (!a.failed && !utf8_valid(s, strlen(s))) {
        errbuf_set(err, "address list is not valid UTF-8");
        a.failed = true;
    }
    if (a.failed) {
        mime_addr_list_deinit(out);
        return -1;
    }
    return 0;
}

void mime_addr_list_deinit(struct mime_addr_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].addr);
    }
    free(l->v);
    l->n = 0;
    l->v = NULL;
}

/* A display name as atoms when it is nothing but atoms and single spaces,
 * as a quoted string when it is other ASCII, as encoded-words otherwise. */
static void put_display(struct buf *out, const char *name)
{
    size_t n = strlen(name);
    bool ascii = true, atoms = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 127 || (c < 32 && c != '\t'))
            ascii = false;
        if (!(atext(c) && c < 128) && !(c == ' ' && i > 0 && i + 1 < n && name[i + 1] != ' '))
            atoms = false;
    }
    if (!ascii) {
        encode_words(out, name, n);
        return;
    }
    if (atoms) {
        buf_append(out, name, n);
        return;
    }
    buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (name[i] == '"' || name[i] == '\\')
            buf_putc(out, '\\');
        buf_putc(out, name[i]);
    }
    buf_putc(out, '"');
}

void mime_header_addrs(struct buf *out, const char *name, const struct mime_addr_list *l)
{
    buf_printf(out, "%s:", name);
    for (size_t i = 0; i < l->n; i++) {
        struct buf one = BUF_INIT;
        if (l->v[i].name) {
            buf_puts(&one, "X: "); /* a stand-in prefix so encode_words folds sanely */
            put_display(&one, l->v[i].name);
            buf_printf(&one, " <%s>", l->v[i].addr);
        } else {
            buf_printf(&one, "X: %s", l->v[i].addr);
        }
        const char *txt = buf_str(&one) + 3;
        size_t tlen = one.len - 3;
        const char *nl = strchr(txt, '\n');
        size_t first_line = nl ? (size_t)(nl - txt) : tlen;
        bool last = i + 1 == l->n;
        if (cur_col(out) + 1 + first_line + !last > 76 && i > 0)
            buf_puts(out, "\r\n");
        buf_putc(out, ' ');
        buf_append(out, txt, tlen);
        if (!last)
            buf_putc(out, ',');
        buf_deinit(&one);
    }
    buf_puts(out, "\r\n");
}

/* regex_go.c -- the Go/RE2 syntax front end of regex.h: regex_translate().
 *
 * Routes, inhibit rules and silences all carry regexes written for Go.  The
 * front end below walks the Go expression with the grammar of Go's
 * regexp/syntax (Perl flags, as regexp.Compile uses), so that:
 *   - what Go rejects we reject, with Go's message and the same quoted
 *     fragment, and constructs PCRE2 has but RE2 lacks (backreferences,
 *     lookaround, atomic groups, possessive quantifiers, recursion,
 *     conditionals, \C, \K, \G, \Z, \R, ...) fall out as Go's own errors;
 *   - what means something else in PCRE2 is rewritten: Go's \s has no \v;
 *     `\12` is octal in Go but may be a backreference in PCRE2; `{,3}` is a
 *     literal in Go; `(?P<1>x)` is a valid name in Go only; assertions may be
 *     quantified in Go.  Literal punctuation and every character inside a
 *     class is emitted as \x{...}, so no PCRE2-only class syntax
 *     ([.a.], [=a=], \N, ...) can sneak through.
 * The compile options in regex.c finish the job ($, (?m)^, ., \d \w \b). */
#include "regex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "utf8.h"

#define MAX_NEST 1000   /* Go's maxHeight: "expression nests too deeply" */
#define MAX_REPEAT 1000 /* Go's limit on {n,m} counts, also nested */

enum last { LAST_NONE, LAST_ATOM, LAST_ASSERT, LAST_REPEAT };

struct xlate {
    const char *s; /* the whole Go expression */
    size_t n, i;
    struct buf *out;
    struct errbuf *err;
    enum last last;
    size_t last_out;  /* output offset where the last atom starts */
    size_t rep_start; /* input offset of the last repetition operator */
    unsigned last_w;  /* nested repeat product of the last atom */
    unsigned *grp_w;  /* per open group: largest product inside */
    size_t depth, grp_cap;
};

static int go_error(struct xlate *x, const char *code, const char *expr, size_t len)
{
    errbuf_set(x->err, "error parsing regexp: %s: `%.*s`", code, (int)len, expr);
    return -1;
}

static int go_error_whole(struct xlate *x, const char *code)
{
    return go_error(x, code, x->s, x->n);
}

static bool is_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int unhex(uint32_t c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    return -1;
}

/* Reads the rune at x->i without consuming it; 0 width at the end. */
static size_t peek(const struct xlate *x, size_t at, uint32_t *r)
{
    return utf8_decode(x->s + at, x->n - at, r);
}

static void emit_hex(struct xlate *x, uint32_t c)
{
    buf_printf(x->out, "\\x{%x}", (unsigned)c);
}

static bool is_surrogate(uint32_t c)
{
    return c >= 0xd800 && c <= 0xdfff;
}

/* A literal rune outside a class.  Go accepts \x{D800}..\x{DFFF} and they
 * never match (input decodes to valid runes or U+FFFD); PCRE2 refuses them
 * in UTF mode, so they become an empty set. */
static void emit_literal(struct xlate *x, uint32_t c)
{
    if (is_surrogate(c))
        buf_puts(x->out, "[^\\x{0}-\\x{10ffff}]");
    else if (c < 0x80 && is_alnum(c))
        buf_putc(x->out, (char)c);
    else if (c < 0x80)
        emit_hex(x, c);
    else
        utf8_put(x->out, c);
}

/* Go's parseEscape: the single-character escapes.  x->i is at the
 * backslash; on success consumes the escape and stores the rune. */
static int parse_escape(struct xlate *x, uint32_t *out)
{
    size_t start = x->i, p = x->i + 1;
    uint32_t c;
    if (p >= x->n)
        return go_error(x, "trailing backslash at end of expression", "", 0);
    p += peek(x, p, &c);
    switch (c) {
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
        /* A single non-zero digit is a backreference: not in RE2. */
        if (p >= x->n || x->s[p] < '0' || x->s[p] > '7')
            break;
        /* fall through */
    case '0': {
        uint32_t r = c - '0';
        for (int k = 1; k < 3 && p < x->n && x->s[p] >= '0' && x->s[p] <= '7'; k++)
            r = r * 8 + (uint32_t)(x->s[p++] - '0');
        *out = r;
        x->i = p;
        return 0;
    }
    case 'x': {
        if (p >= x->n)
            break;
        p += peek(x, p, &c);
        if (c == '{') {
            uint32_t r = 0;
            int nhex = 0;
            for (;;) {
                if (p >= x->n)
                    goto bad;
                p += peek(x, p, &c);
                if (c == '}')
                    break;
                int v = unhex(c);
                if (v < 0)
                    goto bad;
                r = r * 16 + (uint32_t)v;
                if (r > 0x10ffff)
                    goto bad;
                nhex++;
            }
            if (nhex == 0)
                break;
            *out = r;
            x->i = p;
            return 0;
        }
        int hi = unhex(c), lo = -1;
        if (p < x->n) {
            p += peek(x, p, &c);
            lo = unhex(c);
        }
        if (hi < 0 || lo < 0)
            break;
        *out = (uint32_t)(hi * 16 + lo);
        x->i = p;
        return 0;
    }
    case 'a':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
        *out = (uint32_t) "\a\f\n\r\t\v"[strchr("afnrtv", (int)c) - "afnrtv"];
        x->i = p;
        return 0;
    default:
        if (c < 0x80 && !is_alnum(c)) {
            *out = c;
            x->i = p;
            return 0;
        }
        break;
    }
bad:
    return go_error(x, "invalid escape sequence", x->s + start, p - start);
}

/* Go's Unicode tables (Go 1.19, Unicode 13): general categories and
 * scripts.  PCRE2 knows more names (binary properties, Bidi classes, loose
 * spellings); only these are RE2. */
static const char unicode_names[] =
    "|Any|C|Cc|Cf|Co|Cs|L|Ll|Lm|Lo|Lt|Lu|M|Mc|Me|Mn|N|Nd|Nl|No|P|Pc|Pd|Pe|Pf|Pi|Po|Ps|S|"
    "Sc|Sk|Sm|So|Z|Zl|Zp|Zs|Adlam|Ahom|Anatolian_Hieroglyphs|Arabic|Armenian|Avestan|"
    "Balinese|Bamum|Bassa_Vah|Batak|Bengali|Bhaiksuki|Bopomofo|Brahmi|Braille|Buginese|"
    "Buhid|Canadian_Aboriginal|Carian|Caucasian_Albanian|Chakma|Cham|Cherokee|Chorasmian|"
    "Common|Coptic|Cuneiform|Cypriot|Cyrillic|Deseret|Devanagari|Dives_Akuru|Dogra|"
    "Duployan|Egyptian_Hieroglyphs|Elbasan|Elymaic|Ethiopic|Georgian|Glagolitic|Gothic|"
    "Grantha|Greek|Gujarati|Gunjala_Gondi|Gurmukhi|Han|Hangul|Hanifi_Rohingya|Hanunoo|"
    "Hatran|Hebrew|Hiragana|Imperial_Aramaic|Inherited|Inscriptional_Pahlavi|"
    "Inscriptional_Parthian|Javanese|Kaithi|Kannada|Katakana|Kayah_Li|Kharoshthi|"
    "Khitan_Small_Script|Khmer|Khojki|Khudawadi|Lao|Latin|Lepcha|Limbu|Linear_A|Linear_B|"
    "Lisu|Lycian|Lydian|Mahajani|Makasar|Malayalam|Mandaic|Manichaean|Marchen|"
    "Masaram_Gondi|Medefaidrin|Meetei_Mayek|Mende_Kikakui|Meroitic_Cursive|"
    "Meroitic_Hieroglyphs|Miao|Modi|Mongolian|Mro|Multani|Myanmar|Nabataean|Nandinagari|"
    "New_Tai_Lue|Newa|Nko|Nushu|Nyiakeng_Puachue_Hmong|Ogham|Ol_Chiki|Old_Hungarian|"
    "Old_Italic|Old_North_Arabian|Old_Permic|Old_Persian|Old_Sogdian|Old_South_Arabian|"
    "Old_Turkic|Oriya|Osage|Osmanya|Pahawh_Hmong|Palmyrene|Pau_Cin_Hau|Phags_Pa|"
    "Phoenician|Psalter_Pahlavi|Rejang|Runic|Samaritan|Saurashtra|Sharada|Shavian|"
    "Siddham|SignWriting|Sinhala|Sogdian|Sora_Sompeng|Soyombo|Sundanese|Syloti_Nagri|"
    "Syriac|Tagalog|Tagbanwa|Tai_Le|Tai_Tham|Tai_Viet|Takri|Tamil|Tangut|Telugu|Thaana|"
    "Thai|Tibetan|Tifinagh|Tirhuta|Ugaritic|Vai|Wancho|Warang_Citi|Yezidi|Yi|"
    "Zanabazar_Square|";

static bool unicode_name_known(const char *name, size_t len)
{
    char key[64];
    if (len == 0 || len + 3 > sizeof key || memchr(name, '|', len))
        return false;
    key[0] = '|';
    memcpy(key + 1, name, len);
    key[len + 1] = '|';
    key[len + 2] = '\0';
    return strstr(unicode_names, key) != NULL;
}

/* Go's parseUnicodeClass: \pL, \PL, \p{Greek}, \p{^Greek}.  x->i is at the
 * backslash.  Emits \p{Name} or \P{Name}. */
static int parse_unicode_class(struct xlate *x)
{
    size_t start = x->i, p = x->i + 2;
    bool neg = x->s[x->i + 1] == 'P';
    uint32_t c;
    size_t w = peek(x, p, &c);
    const char *name;
    size_t nlen, end;
    if (c != '{' || w == 0) {
        name = x->s + p;
        nlen = w;
        end = p + w;
    } else {
        const char *close = memchr(x->s + p, '}', x->n - p);
        if (!close)
            return go_error(x, "invalid character class range", x->s + start, x->n - start);
        name = x->s + p + 1;
        nlen = (size_t)(close - name);
        end = (size_t)(close - x->s) + 1;
    }
    if (nlen > 0 && name[0] == '^') {
        neg = !neg;
        name++, nlen--;
    }
    if (!unicode_name_known(name, nlen))
        return go_error(x, "invalid character class range", x->s + start, end - start);
    buf_printf(x->out, "\\%c{%.*s}", neg ? 'P' : 'p', (int)nlen, name);
    x->i = end;
    return 0;
}

/* \d \D \s \S \w \W: Go's Perl classes, all ASCII.  PCRE2's \s also has
 * \v, so \s is spelled out.  `in_class` selects the form that goes inside
 * brackets. */
static bool perl_class(struct xlate *x, bool in_class)
{
    if (x->i + 1 >= x->n)
        return false;
    char c = x->s[x->i + 1];
    switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
        buf_printf(x->out, "\\%c", c);
        break;
    case 's':
        buf_puts(x->out, in_class ? "\\t\\n\\f\\r\\x{20}" : "[\\t\\n\\f\\r\\x{20}]");
        break;
    case 'S':
        buf_puts(x->out, in_class ? "\\x{0}-\\x{8}\\x{b}\\x{e}-\\x{1f}\\x{21}-\\x{10ffff}"
                                  : "[^\\t\\n\\f\\r\\x{20}]");
        break;
    default:
        return false;
    }
    x->i += 2;
    return true;
}

static const char *const posix_names[] = {
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
    "lower", "print", "punct", "space", "upper", "word",  "xdigit",
};

/* Go's parseNamedClass: [:alpha:] inside brackets.  Returns 1 if one was
 * consumed, 0 if the text is not one, -1 on error. */
static int posix_class(struct xlate *x)
{
    if (x->n - x->i < 2 || x->s[x->i] != '[' || x->s[x->i + 1] != ':')
        return 0;
    const char *p = x->s + x->i + 2, *endp = x->s + x->n, *close = NULL;
    for (const char *q = p; q + 1 < endp; q++)
        if (q[0] == ':' && q[1] == ']') {
            close = q;
            break;
        }
    if (!close)
        return 0;
    const char *name = p;
    size_t len = (size_t)(close - p);
    bool neg = len > 0 && name[0] == '^';
    if (neg)
        name++, len--;
    for (size_t k = 0; k < sizeof posix_names / sizeof posix_names[0]; k++) {
        if (strlen(posix_names[k]) == len && memcmp(posix_names[k], name, len) == 0) {
            buf_printf(x->out, "[:%s%s:]", neg ? "^" : "", posix_names[k]);
            x->i = (size_t)(close - x->s) + 2;
            return 1;
        }
    }
    return go_error(x, "invalid character class range", x->s + x->i,
                    (size_t)(close - x->s) + 2 - x->i);
}

/* One class character (literal or escape) for a range end. */
static int class_char(struct xlate *x, size_t cls_start, uint32_t *r)
{
    if (x->i >= x->n)
        return go_error(x, "missing closing ]", x->s + cls_start, x->n - cls_start);
    if (x->s[x->i] == '\\')
        return parse_escape(x, r);
    x->i += peek(x, x->i, r);
    return 0;
}

/* Go's parseClass.  x->i is at '['. */
static int parse_class(struct xlate *x)
{
    size_t start = x->i;
    x->i++;
    buf_putc(x->out, '[');
    if (x->i < x->n && x->s[x->i] == '^') {
        buf_putc(x->out, '^');
        x->i++;
    }
    bool first = true; /* ']' is a literal as the first character */
    bool neg = x->s[x->i - 1] == '^' && x->i - 1 > start;
    size_t items = x->out->len;
    for (;;) {
        if (x->i >= x->n)
            return go_error(x, "missing closing ]", x->s + start, x->n - start);
        if (x->s[x->i] == ']' && !first)
            break;
        first = false;
        int rc = posix_class(x);
        if (rc < 0)
            return -1;
        if (rc > 0)
            continue;
        if (x->s[x->i] == '\\' && x->i + 1 < x->n &&
            (x->s[x->i + 1] == 'p' || x->s[x->i + 1] == 'P')) {
            if (parse_unicode_class(x) < 0)
                return -1;
            continue;
        }
        if (x->s[x->i] == '\\' && perl_class(x, true))
            continue;
        size_t rng = x->i;
        uint32_t lo, hi;
        if (class_char(x, start, &lo) < 0)
            return -1;
        hi = lo;
        if (x->n - x->i >= 2 && x->s[x->i] == '-' && x->s[x->i + 1] != ']') {
            x->i++;
            if (class_char(x, start, &hi) < 0)
                return -1;
            if (hi < lo)
                return go_error(x, "invalid character class range", x->s + rng, x->i - rng);
        }
        /* PCRE2 (UTF mode) refuses surrogate code points; Go lets them in
         * and they never match, so clip them off the range. */
        if (is_surrogate(lo))
            lo = 0xe000;
        if (is_surrogate(hi))
            hi = 0xd7ff;
        if (lo > hi)
            continue;
        emit_hex(x, lo);
        if (hi != lo) {
            buf_putc(x->out, '-');
            emit_hex(x, hi);
        }
    }
    x->i++; /* ']' */
    if (x->out->len == items) {
        /* nothing left: [x] matches no rune, [^x] every rune */
        x->out->len -= neg ? 2 : 1;
        buf_puts(x->out, neg ? "[\\x{0}-\\x{10ffff}]" : "[^\\x{0}-\\x{10ffff}]");
        return 0;
    }
    buf_putc(x->out, ']');
    return 0;
}

static void push_group(struct xlate *x)
{
    x->grp_w = xgrow(x->grp_w, &x->grp_cap, x->depth + 1, sizeof *x->grp_w);
    x->grp_w[x->depth++] = 1;
}

static void note_atom(struct xlate *x, enum last kind, size_t out_start, unsigned w)
{
    x->last = kind;
    x->last_out = out_start;
    x->last_w = w;
    if (x->depth && w > x->grp_w[x->depth - 1])
        x->grp_w[x->depth - 1] = w;
}

static bool name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t k = 0; k < n; k++)
        if (!(is_alnum((unsigned char)s[k]) || s[k] == '_'))
            return false;
    return true;
}

/* "(?" group openers: flags, named captures; everything else (lookaround,
 * atomic groups, recursion, conditionals, comments, ...) is Go's "invalid
 * or unsupported Perl syntax". */
static int parse_perl_group(struct xlate *x)
{
    size_t start = x->i, p = x->i + 2;
    const char *s = x->s;
    bool named = false;
    /* Only (?P<name>: Go 1.19, which Alertmanager 0.25 is built with, has
     * no (?<name>, and accepts duplicate names. */
    if (p + 2 < x->n && s[p] == 'P' && s[p + 1] == '<')
        named = true, p += 2;
    if (named) {
        const char *close = memchr(s + p, '>', x->n - p);
        if (!close)
            return go_error(x, "invalid named capture", s + start, x->n - start);
        size_t nlen = (size_t)(close - (s + p)), end = (size_t)(close - s) + 1;
        if (!name_ok(s + p, nlen))
            return go_error(x, "invalid named capture", s + start, end - start);
        /* PCRE2 names may not start with a digit; the name is never used. */
        buf_putc(x->out, '(');
        push_group(x);
        x->last = LAST_NONE;
        x->i = end;
        return 0;
    }
    bool neg = false, saw = false;
    for (;;) {
        if (p >= x->n)
            return go_error(x, "missing closing )", x->s, x->n);
        uint32_t c;
        size_t w = peek(x, p, &c);
        p += w;
        if (c == 'i' || c == 'm' || c == 's' || c == 'U') {
            saw = true;
            continue;
        }
        if (c == '-' && !neg) {
            neg = true, saw = false;
            continue;
        }
        if ((c == ':' || c == ')') && !(neg && !saw)) {
            size_t flen = p - 1 - (start + 2);
            if (c == ':') {
                buf_printf(x->out, "(?%.*s:", (int)flen, s + start + 2);
                push_group(x);
                x->last = LAST_NONE;
            } else if (flen > 0) {
                /* Go's flag group leaves nothing to repeat behind it (we do
                 * not follow Go into repeating the atom before it). */
                buf_printf(x->out, "(?%.*s)", (int)flen, s + start + 2);
                x->last = LAST_NONE;
            }
            x->i = p;
            return 0;
        }
        return go_error(x, "invalid or unsupported Perl syntax", s + start, p - start);
    }
}

/* *, +, ?, {n,m} with Go's checks.  `op_len` is the operator's length in
 * the input (without a trailing '?'). */
static int repeat(struct xlate *x, size_t op_len, long min, long max, bool counted)
{
    size_t before = x->i, after = x->i + op_len;
    bool lazy = after < x->n && x->s[after] == '?';
    if (lazy)
        after++;
    if (x->last == LAST_REPEAT)
        return go_error(x, "invalid nested repetition operator", x->s + x->rep_start,
                        after - x->rep_start);
    if (x->last == LAST_NONE)
        return go_error(x, "missing argument to repetition operator", x->s + before,
                        after - before);
    unsigned w = x->last_w;
    if (counted && (min >= 2 || max >= 2)) {
        long m = max < 0 ? min : max;
        if (m > 0 && (unsigned long)w * (unsigned long)m > MAX_REPEAT)
            return go_error(x, "invalid repeat count", x->s + before, after - before);
        if (m > 0)
            w *= (unsigned)m;
    }
    if (x->last == LAST_ASSERT) {
        /* Go repeats empty-width assertions; PCRE2 wants a group. */
        size_t tail = x->out->len - x->last_out;
        char *copy = xstrndup(x->out->p + x->last_out, tail);
        x->out->len = x->last_out;
        buf_printf(x->out, "(?:%s)", copy);
        free(copy);
    }
    if (counted) {
        if (max == min)
            buf_printf(x->out, "{%ld}", min);
        else if (max < 0)
            buf_printf(x->out, "{%ld,}", min);
        else
            buf_printf(x->out, "{%ld,%ld}", min, max);
    } else {
        buf_append(x->out, x->s + before, op_len);
    }
    if (lazy)
        buf_putc(x->out, '?');
    note_atom(x, LAST_REPEAT, x->last_out, w);
    x->rep_start = before;
    x->i = after;
    return 0;
}

/* Go's parseInt: no leading zeros; -1 for "too big". */
static bool parse_int(const struct xlate *x, size_t *p, long *v)
{
    size_t q = *p;
    if (q >= x->n || x->s[q] < '0' || x->s[q] > '9')
        return false;
    if (x->n - q >= 2 && x->s[q] == '0' && x->s[q + 1] >= '0' && x->s[q + 1] <= '9')
        return false;
    long r = 0;
    while (q < x->n && x->s[q] >= '0' && x->s[q] <= '9') {
        if (r < 100000000)
            r = r * 10 + (x->s[q] - '0');
        q++;
    }
    *v = r >= 100000000 ? -1 : r;
    *p = q;
    return true;
}

/* Go's parseRepeat: {n}, {n,}, {n,m}; anything else makes '{' a literal. */
static int counted_repeat(struct xlate *x, bool *literal)
{
    size_t p = x->i + 1;
    long min, max;
    *literal = true;
    if (!parse_int(x, &p, &min) || p >= x->n)
        return 0;
    if (x->s[p] != ',') {
        max = min;
    } else {
        p++;
        if (p >= x->n)
            return 0;
        if (x->s[p] == '}')
            max = -1;
        else if (!parse_int(x, &p, &max))
            return 0;
        else if (max < 0)
            min = -1;
    }
    if (p >= x->n || x->s[p] != '}')
        return 0;
    p++;
    *literal = false;
    if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max))
        return go_error(x, "invalid repeat count", x->s + x->i, p - x->i);
    return repeat(x, p - x->i, min, max, true);
}

static int parse_backslash(struct xlate *x)
{
    size_t out0 = x->out->len;
    char c = x->i + 1 < x->n ? x->s[x->i + 1] : '\0';
    switch (c) {
    case 'A':
    case 'b':
    case 'B':
    case 'z':
        buf_printf(x->out, "\\%c", c);
        x->i += 2;
        note_atom(x, LAST_ASSERT, out0, 1);
        return 0;
    case 'C':
        return go_error(x, "invalid escape sequence", x->s + x->i, 2);
    case 'Q': {
        size_t p = x->i + 2, end = x->n, next = x->n;
        for (size_t q = p; q + 1 < x->n; q++)
            if (x->s[q] == '\\' && x->s[q + 1] == 'E') {
                end = q, next = q + 2;
                break;
            }
        while (p < end) {
            uint32_t r;
            size_t w = utf8_decode(x->s + p, end - p, &r);
            size_t at = x->out->len;
            emit_literal(x, r);
            note_atom(x, LAST_ATOM, at, 1);
            p += w;
        }
        x->i = next;
        return 0;
    }
    case 'p':
    case 'P':
        if (parse_unicode_class(x) < 0)
            return -1;
        note_atom(x, LAST_ATOM, out0, 1);
        return 0;
    default:
        break;
    }
    if (perl_class(x, false)) {
        note_atom(x, LAST_ATOM, out0, 1);
        return 0;
    }
    uint32_t r;
    if (parse_escape(x, &r) < 0)
        return -1;
    emit_literal(x, r);
    note_atom(x, LAST_ATOM, out0, 1);
    return 0;
}

static int translate(struct xlate *x)
{
    while (x->i < x->n) {
        size_t out0 = x->out->len;
        uint32_t r;
        size_t w = peek(x, x->i, &r);
        if (r == UTF8_RUNE_ERROR && w == 1)
            return go_error(x, "invalid UTF-8", x->s + x->i, x->n - x->i);
        switch (r) {
        case '(':
            if (x->depth >= MAX_NEST)
                return go_error_whole(x, "expression nests too deeply");
            if (x->i + 1 < x->n && x->s[x->i + 1] == '?') {
                if (parse_perl_group(x) < 0)
                    return -1;
                continue;
            }
            buf_putc(x->out, '(');
            push_group(x);
            x->last = LAST_NONE;
            x->i++;
            continue;
        case ')': {
            if (x->depth == 0)
                return go_error_whole(x, "unexpected )");
            buf_putc(x->out, ')');
            unsigned gw = x->grp_w[--x->depth];
            x->i++;
            /* last_out is not needed for groups: only assertions get wrapped */
            note_atom(x, LAST_ATOM, out0, gw);
            continue;
        }
        case '|':
            buf_putc(x->out, '|');
            x->last = LAST_NONE;
            x->i++;
            continue;
        case '^':
        case '$':
            buf_putc(x->out, (char)r);
            x->i++;
            note_atom(x, LAST_ASSERT, out0, 1);
            continue;
        case '.':
            buf_putc(x->out, '.');
            x->i++;
            note_atom(x, LAST_ATOM, out0, 1);
            continue;
        case '*':
        case '+':
        case '?':
            if (repeat(x, 1, 0, 0, false) < 0)
                return -1;
            continue;
        case '{': {
            bool literal;
            if (counted_repeat(x, &literal) < 0)
                return -1;
            if (!literal)
                continue;
            emit_literal(x, '{');
            x->i++;
            note_atom(x, LAST_ATOM, out0, 1);
            continue;
        }
        case '[':
            if (parse_class(x) < 0)
                return -1;
            note_atom(x, LAST_ATOM, out0, 1);
            continue;
        case '\\':
            if (parse_backslash(x) < 0)
                return -1;
            continue;
        default:
            emit_literal(x, r);
            x->i += w;
            note_atom(x, LAST_ATOM, out0, 1);
            continue;
        }
    }
    if (x->depth > 0)
        return go_error_whole(x, "missing closing )");
    return 0;
}

int regex_translate(const char *expr, size_t n, struct buf *out, struct errbuf *err)
{
    struct xlate x = {.s = expr, .n = n, .out = out, .err = err};
    int rc = translate(&x);
    free(x.grp_w);
    return rc;
}

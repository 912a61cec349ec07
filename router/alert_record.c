/* alert_record.c -- see alert_record.h. */
#include "alert_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define MAGIC "ARJ1"
#define MAX_RECORD (16u << 20)

/* ---- encoding ------------------------------------------------------- */

/* CRC-32 (IEEE 802.3, the zlib one), slicing-by-8: a journal record is a
 * few hundred bytes and the byte-at-a-time loop was a fifth of the cost of
 * journaling an alert. */
static uint32_t crc_tab[8][256];

static void crc_init(void)
{
    if (crc_tab[0][1])
        return;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xff];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    crc_init();
    uint32_t c = 0xffffffffu;
    while (n >= 8) {
        uint32_t a = c ^ le32(p), b = le32(p + 4);
        c = crc_tab[7][a & 0xff] ^ crc_tab[6][(a >> 8) & 0xff] ^ crc_tab[5][(a >> 16) & 0xff] ^
            crc_tab[4][a >> 24] ^ crc_tab[3][b & 0xff] ^ crc_tab[2][(b >> 8) & 0xff] ^
            crc_tab[1][(b >> 16) & 0xff] ^ crc_tab[0][b >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = crc_tab[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static void put_le(struct buf *b, uint64_t v, int bytes)
{
    unsigned char t[8];
    for (int i = 0; i < bytes; i++)
        t[i] = (unsigned char)(v >> (8 * i));
    buf_append(b, t, (size_t)bytes);
}

static void put_str(struct buf *b, const char *s)
{
    size_t n = strlen(s);
    put_le(b, n, 4);
    buf_append(b, s, n);
}

/* Starts a record: reserves its 8-byte frame; returns the frame offset. */
static size_t rec_begin(struct buf *b, int type)
{
    size_t at = b->len;
    put_le(b, 0, 8);
    put_le(b, (uint64_t)type, 1);
    return at;
}

static void rec_end(struct buf *b, size_t at)
{
    size_t n = b->len - at - 8;
    unsigned char *p = (unsigned char *)b->p + at;
    uint32_t crc = crc32_of(p + 8, n);
    for (int i = 0; i < 4; i++) {
        p[i] = (unsigned char)(n >> (8 * i));
        p[4 + i] = (unsigned char)(crc >> (8 * i));
    }
}

void arec_header(struct buf *b, uint64_t gen)
{
    size_t at = rec_begin(b, AREC_HEADER);
    buf_append(b, MAGIC, 4);
    put_le(b, gen, 8);
    rec_end(b, at);
}

void arec_put(struct buf *b, const struct alert *a)
{
    size_t at = rec_begin(b, AREC_PUT);
    put_le(b, a->fingerprint, 8);
    put_le(b, a->timeout, 1);
    put_le(b, (uint64_t)a->starts_at, 8);
    put_le(b, (uint64_t)a->ends_at, 8);
    put_le(b, (uint64_t)a->updated_at, 8);
    put_str(b, alert_generator_url(a));
    put_le(b, alert_nlabels(a), 4);
    for (size_t i = 0; i < alert_nlabels(a); i++) {
        put_str(b, alert_label_name(a, i));
        put_str(b, alert_label_value(a, i));
    }
    put_le(b, alert_nannots(a), 4);
    for (size_t i = 0; i < alert_nannots(a); i++) {
        put_str(b, alert_annot_name(a, i));
        put_str(b, alert_annot_value(a, i));
    }
    rec_end(b, at);
}

void arec_u64(struct buf *b, int type, uint64_t v)
{
    size_t at = rec_begin(b, type);
    put_le(b, v, 8);
    rec_end(b, at);
}

/* ---- decoding ------------------------------------------------------- */

struct reader {
    const unsigned char *p;
    size_t n, off;
    bool bad;
};

static uint64_t get_le(struct reader *r, int bytes)
{
    if (r->bad || r->n - r->off < (size_t)bytes) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->off + (size_t)i] << (8 * i);
    r->off += (size_t)bytes;
    return v;
}

/* A new NUL-terminated copy of the next str; NULL if bad or containing
 * a NUL. */
static char *get_str(struct reader *r)
{
    uint64_t n = get_le(r, 4);
    if (r->bad || r->n - r->off < n || memchr(r->p + r->off, '\0', n)) {
        r->bad = true;
        return NULL;
    }
    char *s = xstrndup((const char *)r->p + r->off, n);
    r->off += n;
    return s;
}

/* Frames the record at data[*off]: on success points rec at its payload,
 * advances *off, returns 0.  -1 for a short, oversized or damaged one. */
static int next_record(const unsigned char *data, size_t len, size_t *off, struct reader *rec)
{
    struct reader f = {data, len, *off, false};
    uint64_t n = get_le(&f, 4);
    uint32_t crc = (uint32_t)get_le(&f, 4);
    if (f.bad || n == 0 || n > MAX_RECORD || len - f.off < n)
        return -1;
    if (crc32_of(data + f.off, n) != crc)
        return -1;
    rec->p = data + f.off;
    rec->n = n;
    rec->off = 0;
    rec->bad = false;
    *off = f.off + n;
    return 0;
}

static void free_pairs(struct label *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)v[i].name);
        free((char *)v[i].value);
    }
    free(v);
}

/* Reads n (name, value) pairs; NULL (and r->bad) on damage. */
static struct label *get_pairs(struct reader *r, size_t *n)
{
    uint64_t cnt = get_le(r, 4);
    if (r->bad || cnt > r->n) { /* each pair takes at least 8 bytes */
        r->bad = true;
        return NULL;
    }
    struct label *v = xcalloc(cnt ? cnt : 1, sizeof *v);
    for (size_t i = 0; i < cnt; i++) {
        v[i].name = get_str(r);
        v[i].value = get_str(r);
        if (r->bad) {
            free_pairs(v, cnt);
            return NULL;
        }
    }
    *n = cnt;
    return v;
}

/* Decodes a PUT payload (after the type byte) into a new alert, or NULL. */
static struct alert *dec_put(struct reader *r)
{
    uint64_t fp = get_le(r, 8);
    uint64_t timeout = get_le(r, 1);
    int64_t starts = (int64_t)get_le(r, 8);
    int64_t ends = (int64_t)get_le(r, 8);
    int64_t updated = (int64_t)get_le(r, 8);
    char *url = get_str(r);
    size_t nl = 0, na = 0;
    struct label *l = r->bad ? NULL : get_pairs(r, &nl);
    struct label *an = r->bad ? NULL : get_pairs(r, &na);
    struct alert *a = NULL;
    if (!r->bad && r->off == r->n && timeout <= 1) {
        a = alert_new(l, nl, an, na, url);
        a->timeout = timeout;
        a->starts_at = starts;
        a->ends_at = ends;
        a->updated_at = updated;
        /* the labels must still hash to the recorded identity */
        if (a->fingerprint != fp || alert_nlabels(a) != nl) {
            alert_unref(a);
            a = NULL;
        }
    }
    free(url);
    if (l)
        free_pairs(l, nl);
    if (an)
        free_pairs(an, na);
    return a;
}

int arec_next(const unsigned char *data, size_t len, size_t *off, const unsigned char **payload,
              size_t *n)
{
    size_t o = *off;
    struct reader rec;
    if (o >= len || next_record(data, len, &o, &rec) < 0)
        return -1;
    *payload = rec.p;
    *n = rec.n;
    *off = o;
    return rec.p[0];
}

int arec_parse_header(const unsigned char *p, size_t n, uint64_t *gen)
{
    struct reader r = {p, n, 1, false};
    if (n != 13 || p[0] != AREC_HEADER || memcmp(p + 1, MAGIC, 4) != 0)
        return -1;
    r.off = 5;
    *gen = get_le(&r, 8);
    return 0;
}

int arec_parse_u64(const unsigned char *p, size_t n, uint64_t *v)
{
    struct reader r = {p, n, 1, false};
    *v = get_le(&r, 8);
    return r.bad || r.off != n ? -1 : 0;
}

struct alert *arec_parse_put(const unsigned char *p, size_t n)
{
    struct reader r = {p, n, 1, false};
    if (n < 1 || p[0] != AREC_PUT)
        return NULL;
    return dec_put(&r);
}

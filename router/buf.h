/* buf.h -- growable byte buffer with a hard cap, and the error buffer.
 *
 * Every buffer that holds untrusted or unbounded data (request bodies,
 * rendered templates, peer responses) has a cap: appending past it fails
 * (returns -1, sets `overflow`) instead of growing without limit.  The
 * content is always NUL-terminated, so `b->p` can be used as a C string when
 * the data has no NUL bytes. */
#ifndef ROUTER_BUF_H
#define ROUTER_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *p;        /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;     /* 0 = unlimited */
    bool overflow;  /* an append was refused because of max */
};

#define BUF_INIT {NULL, 0, 0, 0, false}

void buf_init(struct buf *b, size_t max);
void buf_deinit(struct buf *b);     /* frees; the buffer may be reused */
void buf_reset(struct buf *b);      /* len = 0, keeps memory */
int buf_append(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Returns the content as a new string (caller frees) and empties b. */
char *buf_steal(struct buf *b);
/* The content as a C string ("" when empty); borrowed. */
const char *buf_str(const struct buf *b);

/* An error message for a human: filled by a failing call, read by its
 * caller (API answers, config loading, log lines).  curl's error-buffer
 * idea. */
struct errbuf {
    char msg[512];
};

void errbuf_set(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepends "prefix: " to the message already in e. */
void errbuf_prefix(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

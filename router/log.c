/* log.c -- see log.h.  Lines are assembled in one buffer and written with a
 * single write(2), so concurrent writers (tests, other processes sharing the
 * terminal) never interleave half lines. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

static enum log_level min_level = LOG_INFO;
static enum log_format format = LOG_LOGFMT;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_set_level(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0) {
            min_level = (enum log_level)i;
            return 0;
        }
    return -1;
}

int log_set_format(const char *s)
{
    if (strcmp(s, "logfmt") == 0)
        format = LOG_LOGFMT;
    else if (strcmp(s, "json") == 0)
        format = LOG_JSON;
    else
        return -1;
    return 0;
}

bool log_enabled(enum log_level lvl)
{
    return lvl >= min_level;
}

/* logfmt quotes a value when it is empty or holds a space, '=', '"' or a
 * control character; JSON always quotes.  Both escape '"', '\' and control
 * characters, so a hostile label value cannot forge a log line. */
static void put_value(struct buf *b, const char *v, bool always_quote)
{
    bool quote = always_quote || *v == '\0';
    for (const char *p = v; !quote && *p; p++)
        if (*p == ' ' || *p == '=' || *p == '"' || (unsigned char)*p < 0x20 || *p == 0x7f)
            quote = true;
    if (!quote) {
        buf_puts(b, v);
        return;
    }
    buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)*p);
        } else if (*p == '\n') {
            buf_puts(b, "\\n");
        } else if (*p == '\t') {
            buf_puts(b, "\\t");
        } else if (*p < 0x20 || *p == 0x7f) {
            buf_printf(b, "\\u%04x", *p);
        } else {
            buf_putc(b, (char)*p);
        }
    }
    buf_putc(b, '"');
}

static void put_pair(struct buf *b, bool first, const char *k, const char *v)
{
    if (format == LOG_JSON) {
        if (!first)
            buf_putc(b, ',');
        put_value(b, k, true);
        buf_putc(b, ':');
        put_value(b, v, true);
    } else {
        if (!first)
            buf_putc(b, ' ');
        buf_puts(b, k);
        buf_putc(b, '=');
        put_value(b, v, false);
    }
}

void log_kv_at(const char *file, int line, enum log_level lvl, const char *msg, ...)
{
    if (lvl < min_level)
        return;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[96];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(tv.tv_usec / 1000));
    const char *base = strrchr(file, '/');
    char caller[128];
    snprintf(caller, sizeof caller, "%s:%d", base ? base + 1 : file, line);

    struct buf b;
    buf_init(&b, 64 * 1024);
    if (format == LOG_JSON)
        buf_putc(&b, '{');
    put_pair(&b, true, "ts", ts);
    put_pair(&b, false, "caller", caller);
    put_pair(&b, false, "level", level_names[lvl]);
    put_pair(&b, false, "msg", msg);
    va_list ap;
    va_start(ap, msg);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        const char *v = va_arg(ap, const char *);
        put_pair(&b, false, k, v ? v : "");
    }
    va_end(ap);
    if (format == LOG_JSON)
        buf_putc(&b, '}');
    buf_putc(&b, '\n');
    if (b.overflow) {
        buf_reset(&b);
        buf_puts(&b, "level=error msg=\"log line too long, dropped\"\n");
    }
    ssize_t w = write(2, b.p, b.len);
    (void)w;
    buf_deinit(&b);
}

/* duration.c -- see duration.h.  The grammar is Prometheus'
 * model.ParseDuration: unit order is fixed, each unit at most once,
 * integers only, and the total must not overflow. */
#include "duration.h"

#include <stdio.h>
#include <string.h>

struct unit {
    const char *name;
    int64_t ms;
};

/* In the order they must appear; "ms" before "m" would be ambiguous, so the
 * matcher below checks two-letter units first. */
static const struct unit units[] = {
    {"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},       {"h", 3600LL * 1000},
    {"m", 60LL * 1000},              {"s", 1000},
    {"ms", 1},
};
#define NUNITS (sizeof units / sizeof units[0])

int duration_parse(const char *s, int64_t *out, struct errbuf *err)
{
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return 0;
    }
    const char *p = s;
    size_t next = 0;    /* the first unit still allowed */
    int64_t total = 0;
    if (!*p)
        goto bad;
    while (*p) {
        if (*p < '0' || *p > '9')
            goto bad;
        int64_t n = 0;
        while (*p >= '0' && *p <= '9') {
            if (n > (INT64_MAX - 9) / 10)
                goto bad;
            n = n * 10 + (*p - '0');
            p++;
        }
        size_t u;
        if (p[0] == 'm' && p[1] == 's')
            u = 6;
        else {
            for (u = 0; u < NUNITS - 1; u++)
                if (*p == units[u].name[0])
                    break;
            if (u == NUNITS - 1)
                goto bad;
        }
        if (u < next)
            goto bad;
        next = u + 1;
        p += strlen(units[u].name);
        if (n > INT64_MAX / units[u].ms || total > INT64_MAX - n * units[u].ms)
            goto bad;
        total += n * units[u].ms;
    }
    *out = total;
    return 0;
bad:
    errbuf_set(err, "not a valid duration string: \"%s\"", s);
    return -1;
}

size_t duration_format(int64_t ms, char *out, size_t n)
{
    if (ms == 0)
        return (size_t)snprintf(out, n, "0s");
    size_t len = 0;
    const char *sign = "";
    if (ms < 0) {
        sign = "-";
        ms = -ms;
    }
    len += (size_t)snprintf(out, n, "%s", sign);
    for (size_t u = 0; u < NUNITS; u++) {
        if (ms >= units[u].ms) {
            int64_t k = ms / units[u].ms;
            ms -= k * units[u].ms;
            if (len < n)
                len += (size_t)snprintf(out + len, n - len, "%lld%s", (long long)k,
                                        units[u].name);
        }
    }
    return len;
}

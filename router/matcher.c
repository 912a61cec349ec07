/* matcher.c -- label matchers: build, match, sort, print (see matcher.h).
 *
 * Matchers decide everything downstream of the alert store: which route an
 * alert takes, which alerts inhibit others, which are silenced.  The text
 * forms they are parsed from live in matcher_parse.c; this file holds the
 * semantics (a missing label is ""), the order Alertmanager sorts them in
 * (route keys and group keys depend on it) and their printed form, which
 * must equal Alertmanager's byte for byte because it ends up in group keys. */
#include "matcher.h"

#include <stdlib.h>
#include <string.h>

#include "goquote.h"
#include "mem.h"
#include "utf8.h"

int matcher_init(struct matcher *m, enum match_type t, const char *name, const char *value,
                 struct errbuf *err)
{
    void *re = NULL;
    if (t == MATCH_RE || t == MATCH_NRE) {
        re = regex_compile(value, true, err);
        if (!re)
            return -1;
    }
    m->type = t;
    m->name = xstrdup(name);
    m->value = xstrdup(value);
    m->re = re;
    return 0;
}

void matcher_deinit(struct matcher *m)
{
    free(m->name);
    free(m->value);
    regex_free(m->re);
    m->name = m->value = NULL;
    m->re = NULL;
}

bool matcher_matches(const struct matcher *m, const char *value)
{
    if (!value)
        value = "";
    switch (m->type) {
    case MATCH_EQ:
        return strcmp(value, m->value) == 0;
    case MATCH_NE:
        return strcmp(value, m->value) != 0;
    case MATCH_RE:
        return regex_match(m->re, value, strlen(value));
    case MATCH_NRE:
        return !regex_match(m->re, value, strlen(value));
    }
    return false;
}

const char *match_type_str(enum match_type t)
{
    switch (t) {
    case MATCH_EQ:
        return "=";
    case MATCH_NE:
        return "!=";
    case MATCH_RE:
        return "=~";
    case MATCH_NRE:
        return "!~";
    }
    return "?";
}

/* Alertmanager 0.27+ quotes a name only when it could not be read back
 * unquoted (it holds whitespace or one of {}!=~,\"'`); classic names never
 * do, so 0.25's output is unchanged. */
static bool name_needs_quotes(const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t r;
        i += utf8_decode(s + i, n - i, &r);
        if (go_isspace(r) || (r < 0x80 && strchr("{}!=~,\\\"'`", (int)r)))
            return true;
    }
    return false;
}

/* OpenMetrics escaping: only \\, \n and \" are escaped, everything else
 * (tabs, control bytes, invalid UTF-8) is copied as is. */
static void openmetrics_quote(struct buf *out, const char *s)
{
    buf_putc(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '\\')
            buf_puts(out, "\\\\");
        else if (*p == '\n')
            buf_puts(out, "\\n");
        else if (*p == '"')
            buf_puts(out, "\\\"");
        else
            buf_putc(out, *p);
    }
    buf_putc(out, '"');
}

/* Alertmanager's Matcher.String(), verified with amtool 0.25: the value is
 * OpenMetrics-escaped, not %q (a tab stays a tab), unless the name needs
 * quoting, and then both are strconv.Quote'd. */
void matcher_format(const struct matcher *m, struct buf *out)
{
    if (name_needs_quotes(m->name)) {
        go_quote(out, m->name, strlen(m->name));
        buf_puts(out, match_type_str(m->type));
        go_quote(out, m->value, strlen(m->value));
        return;
    }
    buf_puts(out, m->name);
    buf_puts(out, match_type_str(m->type));
    openmetrics_quote(out, m->value);
}

void matchers_push(struct matchers *ms, struct matcher *m)
{
    ms->v = xgrow(ms->v, &ms->cap, ms->n + 1, sizeof *ms->v);
    ms->v[ms->n++] = *m;
    m->name = m->value = NULL;
    m->re = NULL;
}

bool matchers_match(const struct matchers *ms, const struct labels *ls)
{
    for (size_t i = 0; i < ms->n; i++)
        if (!matcher_matches(&ms->v[i], labels_get(ls, ms->v[i].name)))
            return false;
    return true;
}

/* Alertmanager's Matchers.Less: name, then value, then type (= != =~ !~). */
static int cmp_matcher(const void *a, const void *b)
{
    const struct matcher *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    c = strcmp(x->value, y->value);
    if (c)
        return c;
    return (int)x->type - (int)y->type;
}

void matchers_sort(struct matchers *ms)
{
    if (ms->n > 1)
        qsort(ms->v, ms->n, sizeof *ms->v, cmp_matcher);
}

void matchers_format(const struct matchers *ms, struct buf *out)
{
    buf_putc(out, '{');
    for (size_t i = 0; i < ms->n; i++) {
        if (i)
            buf_putc(out, ',');
        matcher_format(&ms->v[i], out);
    }
    buf_putc(out, '}');
}

void matchers_deinit(struct matchers *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        matcher_deinit(&ms->v[i]);
    free(ms->v);
    ms->v = NULL;
    ms->n = ms->cap = 0;
}

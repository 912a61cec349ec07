/* config_route.c -- the routing tree, inhibit rules and time intervals.
 *
 * The route tree decides which receiver an alert goes to and how alerts
 * are grouped; inheritance (receiver, group_by and the three timers flow
 * from parent to child unless the child sets them; continue and time
 * intervals never do) is applied while the tree is read, parent first, so
 * route.c and dispatch.c see final values.  Legacy match / match_re maps
 * become ordinary matchers (a match_re value kept as "^(?:re)$", the text
 * Alertmanager shows in route keys).  Time intervals are parsed here into
 * ranges; timeinterval.c evaluates them. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_internal.h"
#include "labels.h"
#include "mem.h"

#define MS_SECOND 1000LL
#define MS_MINUTE (60 * MS_SECOND)

/* ---- matchers shared by routes and inhibit rules ---------------------------- */

/* `match` / `match_re` maps (legacy): label -> value or regex. */
static void read_match_map(struct cctx *c, const struct ynode *v, bool re, struct matchers *out)
{
    if (v->kind != YNODE_MAP) {
        cerrf(c, v, "cannot unmarshal %s into map[string]string", ynode_tag(v));
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *k = v->kids[2 * i], *val = v->kids[2 * i + 1];
        if (k->kind != YNODE_SCALAR || val->kind != YNODE_SCALAR) {
            cerrf(c, k->kind != YNODE_SCALAR ? k : val, "cannot unmarshal %s into string",
                  ynode_tag(k->kind != YNODE_SCALAR ? k : val));
            continue;
        }
        if (!label_name_valid(k->str)) {
            cerrf(c, k, "invalid label name \"%s\"", k->str);
            continue;
        }
        struct matcher m;
        struct errbuf e;
        const char *s = ynode_is_null(val) ? "" : val->str;
        if (matcher_init(&m, re ? MATCH_RE : MATCH_EQ, k->str, s, &e) < 0) {
            cerrf(c, val, "%s", e.msg);
            continue;
        }
        if (re) {
            /* Alertmanager builds this matcher from config.Regexp's String(),
             * the anchored "^(?:re)$": that text is what route keys (and so
             * webhook groupKeys) show, and what matchers sort by.  Matching
             * is unchanged, the pattern being anchored already. */
            struct buf b = BUF_INIT;
            buf_printf(&b, "^(?:%s)$", s);
            free(m.value);
            m.value = buf_steal(&b);
        }
        matchers_push(out, &m);
    }
}

/* `matchers:` lists: each string may hold several comma-separated ones. */
static void read_matcher_list(struct cctx *c, const struct ynode *v, struct matchers *out)
{
    if (v->kind != YNODE_SEQ) {
        cerrf(c, v, "cannot unmarshal %s into []string", ynode_tag(v));
        return;
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *it = v->kids[i];
        struct errbuf e;
        if (it->kind != YNODE_SCALAR) {
            cerrf(c, it, "cannot unmarshal %s into string", ynode_tag(it));
            continue;
        }
        if (matchers_parse(it->str, out, &e) < 0)
            cerrf(c, it, "%s", e.msg);
    }
}

/* ---- routes ------------------------------------------------------------------ */

struct route_tmp {
    struct route_cfg *r;
    char *receiver;
    int64_t group_wait, group_interval, repeat_interval;
};

static void r_group_by(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct route_cfg *r = ((struct route_tmp *)obj)->r;
    if (cread_strlist(c, v, &r->group_by) < 0)
        return;
    size_t named = 0;
    for (size_t i = 0; i < r->group_by.n; i++) {
        const char *l = r->group_by.v[i];
        const struct ynode *at = v->kids[i];
        if (strcmp(l, "...") == 0) {
            r->group_by_all = true;
            continue;
        }
        named++;
        if (!label_name_valid(l)) {
            cerrf(c, at, "invalid label name \"%s\" in group_by list", l);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->group_by.v[j], l) == 0) {
                cerrf(c, at, "duplicated label \"%s\" in group_by", l);
                break;
            }
    }
    if (r->group_by_all && named)
        cerrf(c, v,
              "cannot have wildcard group_by (`...`) and other other labels at the same time");
}

static void r_match(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    read_match_map(c, v, strcmp(k->str, "match_re") == 0, &((struct route_tmp *)obj)->r->matchers);
}

static void r_matchers(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    read_matcher_list(c, v, &((struct route_tmp *)obj)->r->matchers);
}

static void r_intervals(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct route_cfg *r = ((struct route_tmp *)obj)->r;
    struct strlist *l = strcmp(k->str, "mute_time_intervals") == 0 ? &r->mute_time_intervals
                                                                   : &r->active_time_intervals;
    if (cread_strlist(c, v, l) < 0)
        return;
    for (size_t i = 0; i < l->n; i++)
        if (!config_time_interval(c->cfg, l->v[i]))
            cerrf(c, v->kids[i], "undefined time interval \"%s\" used in route", l->v[i]);
}

static void r_bool(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    if (ynode_bool(v, &((struct route_tmp *)obj)->r->cont) < 0)
        cerrf(c, v, "cannot unmarshal %s `%s` into bool", ynode_tag(v),
              v->kind == YNODE_SCALAR ? v->str : "");
}

static void r_skip(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
}

/* clang-format off */
#define RT(name, kind) {#name, kind, offsetof(struct route_tmp, name), NULL}
/* clang-format on */
static const struct ckey route_keys[] = {
    RT(receiver, CK_STR),
    {"group_by", CK_CUSTOM, 0, r_group_by},
    {"continue", CK_CUSTOM, 0, r_bool},
    {"match", CK_CUSTOM, 0, r_match},
    {"match_re", CK_CUSTOM, 0, r_match},
    {"matchers", CK_CUSTOM, 0, r_matchers},
    RT(group_wait, CK_DUR),
    RT(group_interval, CK_DUR),
    RT(repeat_interval, CK_DUR),
    {"mute_time_intervals", CK_CUSTOM, 0, r_intervals},
    {"active_time_intervals", CK_CUSTOM, 0, r_intervals},
    {"routes", CK_CUSTOM, 0, r_skip},
    {NULL, 0, 0, NULL},
};
#undef RT

static void root_rules(struct cctx *c, const struct ynode *n, const struct route_cfg *r)
{
    static const char *const mkeys[] = {"match", "match_re", "matchers", NULL};
    if (!r->receiver || !*r->receiver)
        cerrf(c, n, "root route must specify a default receiver");
    for (const char *const *k = mkeys; *k; k++) {
        const struct ynode *v = ynode_get(n, *k);
        if (v && v->kind != YNODE_SCALAR && v->n > 0) {
            cerrf(c, v, "root route must not have any matchers");
            break;
        }
    }
    if (r->cont)
        cerrf(c, ynode_get(n, "continue"), "cannot have continue in root route");
    if (r->mute_time_intervals.n)
        cerrf(c, ynode_get(n, "mute_time_intervals"),
              "root route must not have any mute time intervals");
    if (r->active_time_intervals.n)
        cerrf(c, ynode_get(n, "active_time_intervals"),
              "root route must not have any active time intervals");
}

void cparse_route(struct cctx *c, const struct ynode *n, struct route_cfg *r,
                  const struct route_cfg *parent)
{
    struct route_tmp t = {r, NULL, -1, -1, -1};
    r->loc = (struct cfg_loc){n->line, n->col};
    if (!cread_map(c, n, route_keys, &t, "route"))
        return;
    const struct ynode *v;
    if (t.group_interval == 0)
        cerrf(c, ynode_get(n, "group_interval"), "group_interval cannot be zero");
    if (t.repeat_interval == 0)
        cerrf(c, ynode_get(n, "repeat_interval"), "repeat_interval cannot be zero");
    if (t.receiver && *t.receiver && !config_receiver(c->cfg, t.receiver))
        cerrf(c, ynode_get(n, "receiver"), "undefined receiver \"%s\" used in route", t.receiver);
    r->receiver = t.receiver;
    if (parent == NULL)
        root_rules(c, n, r);
    matchers_sort(&r->matchers);

    /* Inheritance: what the route did not set comes from its parent (the
     * root from Alertmanager's defaults). */
    if ((!r->receiver || !*r->receiver) && parent && parent->receiver) {
        free(r->receiver);
        r->receiver = xstrdup(parent->receiver);
    }
    /* An empty group_by list inherits too (Alertmanager before 0.31). */
    if (r->group_by.n == 0 && parent) {
        strlist_copy(&r->group_by, &parent->group_by);
        r->group_by_all = parent->group_by_all;
    }
    r->group_wait_ms = t.group_wait >= 0 ? t.group_wait
                       : parent          ? parent->group_wait_ms
                                         : 30 * MS_SECOND;
    r->group_interval_ms = t.group_interval >= 0 ? t.group_interval
                           : parent              ? parent->group_interval_ms
                                                 : 5 * MS_MINUTE;
    r->repeat_interval_ms = t.repeat_interval >= 0 ? t.repeat_interval
                            : parent               ? parent->repeat_interval_ms
                                                   : 4 * 60 * MS_MINUTE;

    if ((v = ynode_get(n, "routes")) == NULL || ynode_is_null(v))
        return;
    if (v->kind != YNODE_SEQ) {
        cerrf(c, v, "cannot unmarshal %s into []*config.Route", ynode_tag(v));
        return;
    }
    r->routes = xcalloc(v->n ? v->n : 1, sizeof *r->routes);
    for (size_t i = 0; i < v->n; i++) {
        struct route_cfg *child = &r->routes[r->n_routes++];
        if (ynode_is_null(v->kids[i]))
            cerrf(c, v->kids[i], "empty route");
        else
            cparse_route(c, v->kids[i], child, r);
    }
}

void route_cfg_deinit(struct route_cfg *r)
{
    free(r->receiver);
    strlist_deinit(&r->group_by);
    matchers_deinit(&r->matchers);
    strlist_deinit(&r->mute_time_intervals);
    strlist_deinit(&r->active_time_intervals);
    for (size_t i = 0; i < r->n_routes; i++)
        route_cfg_deinit(&r->routes[i]);
    free(r->routes);
    memset(r, 0, sizeof *r);
}

/* ---- inhibit rules ------------------------------------------------------------ */

static void i_match(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct inhibit_rule_cfg *ir = obj;
    struct matchers *m = strncmp(k->str, "source", 6) == 0 ? &ir->source : &ir->target;
    if (strstr(k->str, "_matchers"))
        read_matcher_list(c, v, m);
    else
        read_match_map(c, v, strstr(k->str, "_re") != NULL, m);
}

static void i_equal(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct inhibit_rule_cfg *ir = obj;
    if (cread_strlist(c, v, &ir->equal) < 0)
        return;
    for (size_t i = 0; i < ir->equal.n; i++)
        if (!label_name_valid(ir->equal.v[i]))
            cerrf(c, v->kids[i], "\"%s\" is not a valid label name", ir->equal.v[i]);
}

static const struct ckey inhibit_keys[] = {
    {"source_match", CK_CUSTOM, 0, i_match},    {"source_match_re", CK_CUSTOM, 0, i_match},
    {"source_matchers", CK_CUSTOM, 0, i_match}, {"target_match", CK_CUSTOM, 0, i_match},
    {"target_match_re", CK_CUSTOM, 0, i_match}, {"target_matchers", CK_CUSTOM, 0, i_match},
    {"equal", CK_CUSTOM, 0, i_equal},           {NULL, 0, 0, NULL},
};

void cparse_inhibit_rules(struct cctx *c, const struct ynode *n)
{
    struct config *cfg = c->cfg;
    if (n->kind != YNODE_SEQ) {
        cerrf(c, n, "cannot unmarshal %s into []*config.InhibitRule", ynode_tag(n));
        return;
    }
    cfg->inhibit_rules = xcalloc(n->n ? n->n : 1, sizeof *cfg->inhibit_rules);
    for (size_t i = 0; i < n->n; i++) {
        struct inhibit_rule_cfg *ir = &cfg->inhibit_rules[cfg->n_inhibit_rules++];
        ir->loc = (struct cfg_loc){n->kids[i]->line, n->kids[i]->col};
        if (!ynode_is_null(n->kids[i]))
            cread_map(c, n->kids[i], inhibit_keys, ir, "inhibit rule");
        matchers_sort(&ir->source);
        matchers_sort(&ir->target);
    }
}

void inhibit_rule_cfg_deinit(struct inhibit_rule_cfg *r)
{
    matchers_deinit(&r->source);
    matchers_deinit(&r->target);
    strlist_deinit(&r->equal);
}

/* ---- time intervals ----------------------------------------------------------- */

static const char *const weekday_names[] = {"sunday",   "monday", "tuesday",  "wednesday",
                                            "thursday", "friday", "saturday", NULL};
static const char *const month_names[] = {"january",  "february", "march",  "april",     "may",
                                          "june",     "july",     "august", "september", "october",
                                          "november", "december", NULL};

/* An integer in [lo, hi] from the whole of s. */
static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    if (*s == '\0' || isspace((unsigned char)*s))
        return -1;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int name_index(const char *s, const char *const *names, int base)
{
    for (int i = 0; names[i]; i++)
        if (strcasecmp(s, names[i]) == 0)
            return i + base;
    return -1;
}

enum range_kind { RK_WEEKDAY, RK_DOM, RK_MONTH, RK_YEAR };

/* One element of weekdays / days_of_month / months / years: "x" or "x:y". */
static int parse_range(struct cctx *c, const struct ynode *it, enum range_kind kind,
                       struct int_range *out)
{
    char *s = xstrdup(it->str), *colon = strchr(s, ':');
    char *parts[2] = {s, colon ? colon + 1 : s};
    int val[2];
    if (colon)
        *colon = '\0';
    if (colon && strchr(colon + 1, ':')) {
        cerrf(c, it, "invalid range \"%s\": more than one colon", it->str);
        free(s);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        const char *p = parts[i];
        int ok = -1;
        switch (kind) {
        case RK_WEEKDAY:
            ok = (val[i] = name_index(p, weekday_names, 0)) >= 0 ? 0 : -1;
            if (ok < 0)
                cerrf(c, it, "%s is not a valid weekday", p);
            break;
        case RK_MONTH:
            if ((val[i] = name_index(p, month_names, 1)) < 0 && parse_int(p, 1, 12, &val[i]) < 0)
                cerrf(c, it, "%s is not a valid month", p);
            else
                ok = 0;
            break;
        case RK_DOM:
            if (parse_int(p, -31, 31, &val[i]) < 0 || val[i] == 0)
                cerrf(c, it, "%s is not a valid day of the month: out of range", p);
            else
                ok = 0;
            break;
        case RK_YEAR:
            if (parse_int(p, 1, 9999, &val[i]) < 0)
                cerrf(c, it, "%s is not a valid year", p);
            else
                ok = 0;
            break;
        }
        if (ok < 0) {
            free(s);
            return -1;
        }
    }
    free(s);
    if (kind == RK_DOM && val[0] < 0 && val[1] > 0) {
        cerrf(c, it, "end day must be negative if start day is negative");
        return -1;
    }
    if (!(kind == RK_DOM && val[0] > 0 && val[1] < 0) && val[0] > val[1]) {
        static const char *const what[] = {"day", "day", "month", "year"};
        cerrf(c, it, "start %s cannot be after end %s", what[kind], what[kind]);
        return -1;
    }
    out->begin = val[0];
    out->end = val[1];
    return 0;
}

static void read_ranges(struct cctx *c, const struct ynode *v, enum range_kind kind,
                        struct int_range **out, size_t *n)
{
    if (v->kind != YNODE_SEQ) {
        cerrf(c, v, "cannot unmarshal %s into []string", ynode_tag(v));
        return;
    }
    *out = xcalloc(v->n ? v->n : 1, sizeof **out);
    for (size_t i = 0; i < v->n; i++) {
        if (v->kids[i]->kind != YNODE_SCALAR) {
            cerrf(c, v->kids[i], "cannot unmarshal %s into string", ynode_tag(v->kids[i]));
            continue;
        }
        if (parse_range(c, v->kids[i], kind, &(*out)[*n]) == 0)
            (*n)++;
    }
}

/* "HH:MM", 00:00 .. 23:59, or 24:00; minutes since midnight. */
static int parse_clock(const char *s)
{
    if (strcmp(s, "24:00") == 0)
        return 24 * 60;
    if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
        !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

struct clock_tmp {
    char *start_time, *end_time;
};
static const struct ckey clock_keys[] = {
    {"start_time", CK_STR, offsetof(struct clock_tmp, start_time), NULL},
    {"end_time", CK_STR, offsetof(struct clock_tmp, end_time), NULL},
    {NULL, 0, 0, NULL},
};

static void read_times(struct cctx *c, const struct ynode *v, struct time_spec *sp)
{
    if (v->kind != YNODE_SEQ) {
        cerrf(c, v, "cannot unmarshal %s into []timeinterval.TimeRange", ynode_tag(v));
        return;
    }
    sp->times = xcalloc(v->n ? v->n : 1, sizeof *sp->times);
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *it = v->kids[i];
        struct clock_tmp t = {NULL, NULL};
        if (cread_map(c, it, clock_keys, &t, "time range")) {
            int a = t.start_time ? parse_clock(t.start_time) : -2;
            int b = t.end_time ? parse_clock(t.end_time) : -2;
            if (a == -2 || b == -2)
                cerrf(c, it, "both start and end times must be provided");
            else if (a < 0)
                cerrf(c, ynode_get(it, "start_time"), "couldn't parse timestamp %s, invalid format",
                      t.start_time);
            else if (b < 0)
                cerrf(c, ynode_get(it, "end_time"), "couldn't parse timestamp %s, invalid format",
                      t.end_time);
            else if (a >= b)
                cerrf(c, it, "start time cannot be equal or greater than end time");
            else
                sp->times[sp->n_times++] = (struct int_range){a, b};
        }
        free(t.start_time);
        free(t.end_time);
    }
}

/* 'Local', 'UTC' or a zone in the system's tz database (as Go's
 * time.LoadLocation with its default search). */
static bool location_valid(const char *name)
{
    if (strcmp(name, "Local") == 0 || strcmp(name, "UTC") == 0)
        return true;
    if (*name == '\0' || *name == '/' || strstr(name, "..") || strchr(name, '\\'))
        return false;
    struct buf b = BUF_INIT;
    buf_printf(&b, "/usr/share/zoneinfo/%s", name);
    struct stat st;
    bool ok = stat(buf_str(&b), &st) == 0 && S_ISREG(st.st_mode);
    buf_deinit(&b);
    return ok;
}

static void spec_hook(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct time_spec *sp = obj;
    if (strcmp(k->str, "times") == 0)
        read_times(c, v, sp);
    else if (strcmp(k->str, "weekdays") == 0)
        read_ranges(c, v, RK_WEEKDAY, &sp->weekdays, &sp->n_weekdays);
    else if (strcmp(k->str, "days_of_month") == 0)
        read_ranges(c, v, RK_DOM, &sp->days_of_month, &sp->n_days_of_month);
    else if (strcmp(k->str, "months") == 0)
        read_ranges(c, v, RK_MONTH, &sp->months, &sp->n_months);
    else if (strcmp(k->str, "years") == 0)
        read_ranges(c, v, RK_YEAR, &sp->years, &sp->n_years);
    else if (cread_str(c, v, &sp->location) == 0 && !location_valid(sp->location))
        cerrf(c, v, "unknown time zone %s", sp->location);
}

static const struct ckey spec_keys[] = {
    {"times", CK_CUSTOM, 0, spec_hook},
    {"weekdays", CK_CUSTOM, 0, spec_hook},
    {"days_of_month", CK_CUSTOM, 0, spec_hook},
    {"months", CK_CUSTOM, 0, spec_hook},
    {"years", CK_CUSTOM, 0, spec_hook},
    {"location", CK_CUSTOM, 0, spec_hook},
    {NULL, 0, 0, NULL},
};

static void ti_specs(struct cctx *c, const struct ynode *k, const struct ynode *v, void *obj)
{
    struct time_interval_cfg *ti = obj;
    if (v->kind != YNODE_SEQ) {
        cerrf(c, v, "cannot unmarshal %s into []timeinterval.TimeInterval", ynode_tag(v));
        return;
    }
    ti->specs = xcalloc(v->n ? v->n : 1, sizeof *ti->specs);
    for (size_t i = 0; i < v->n; i++) {
        struct time_spec *sp = &ti->specs[ti->n_specs++];
        if (!ynode_is_null(v->kids[i]))
            cread_map(c, v->kids[i], spec_keys, sp, "time interval");
    }
}

static const struct ckey ti_keys[] = {
    {"name", CK_STR, offsetof(struct time_interval_cfg, name), NULL},
    {"time_intervals", CK_CUSTOM, 0, ti_specs},
    {NULL, 0, 0, NULL},
};

void cparse_time_intervals(struct cctx *c, const struct ynode *n, bool mute_key)
{
    struct config *cfg = c->cfg;
    const char *what = mute_key ? "mute time interval" : "time interval";
    if (n->kind != YNODE_SEQ) {
        cerrf(c, n, "cannot unmarshal %s into []config.TimeInterval", ynode_tag(n));
        return;
    }
    cfg->time_intervals = xrealloc(cfg->time_intervals, (cfg->n_time_intervals + n->n + 1) *
                                                            sizeof *cfg->time_intervals);
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *it = n->kids[i];
        struct time_interval_cfg *ti = &cfg->time_intervals[cfg->n_time_intervals];
        memset(ti, 0, sizeof *ti);
        ti->loc = (struct cfg_loc){it->line, it->col};
        ti->from_mute_key = mute_key;
        if (!cread_map(c, it, ti_keys, ti, what)) {
            time_interval_cfg_deinit(ti);
            continue;
        }
        if (!ti->name || !*ti->name)
            cerrf(c, it, "missing name in %s", what);
        else if (config_time_interval(cfg, ti->name))
            cerrf(c, ynode_get(it, "name"), "%s \"%s\" is not unique", what, ti->name);
        cfg->n_time_intervals++;
    }
}

void time_interval_cfg_deinit(struct time_interval_cfg *t)
{
    for (size_t i = 0; i < t->n_specs; i++) {
        struct time_spec *sp = &t->specs[i];
        free(sp->times), free(sp->weekdays), free(sp->days_of_month), free(sp->months);
        free(sp->years), free(sp->location);
    }
    free(t->specs);
    free(t->name);
    memset(t, 0, sizeof *t);
}

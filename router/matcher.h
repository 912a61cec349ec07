/* matcher.h -- label matchers: = != =~ !~, Alertmanager's text syntax, and
 * Go/RE2-compatible regular expressions on PCRE2.
 *
 * Used by routes, inhibit rules, silences and the API's `filter` parameter.
 * Semantics are Alertmanager's: a missing label matches as the empty string;
 * regexes are fully anchored (`^(?:re)$`); a list of matchers is an AND.
 * Regexes run with match and depth limits, so a hostile silence regex cannot
 * stall the loop, and constructs RE2 does not have (backreferences,
 * lookaround, possessive quantifiers, atomic groups, ...) are rejected. */
#ifndef ROUTER_MATCHER_H
#define ROUTER_MATCHER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "labels.h"
#include "regex.h" /* regex_compile, regex_match, regex_free */

enum match_type { MATCH_EQ, MATCH_NE, MATCH_RE, MATCH_NRE };

struct matcher {
    enum match_type type;
    char *name;    /* owned */
    char *value;   /* owned; for regex types the pattern as written */
    void *re;      /* pcre2_code *, owned; NULL for EQ/NE */
};

struct matchers {
    size_t n, cap;
    struct matcher *v;
};

/* Initialises m (copies name and value); compiles the regex for RE/NRE.
 * Returns -1 with Go's message for a bad regex, which quotes the anchored
 * expression as Alertmanager compiles it: "error parsing regexp: missing
 * closing ): `^(?:()$`". */
int matcher_init(struct matcher *m, enum match_type t, const char *name, const char *value,
                 struct errbuf *err);
void matcher_deinit(struct matcher *m);
/* value NULL means the label is absent and matches as "". */
bool matcher_matches(const struct matcher *m, const char *value);
/* Appends `name="value"` as Alertmanager's Matcher.String(): the value in
 * double quotes with only \\ \" and \n escaped (OpenMetrics escaping, not
 * Go's %q: a tab stays a raw tab); a name holding whitespace or one of
 * {}!=~,\"'` (possible with the UTF-8 grammar only) and then the value too
 * are strconv.Quote'd (goquote.h). */
void matcher_format(const struct matcher *m, struct buf *out);
/* The operator as text: "=", "!=", "=~", "!~". */
const char *match_type_str(enum match_type t);

/* Parses one matcher string as it appears in `matchers:` lists, amtool and
 * the API filter: `a="b"`, `a=~b`, or a list `{a="b", c!~"d"}` (braces
 * optional).  Appends to out.  Returns -1 with a message naming the input
 * ("bad matcher format: ...") on error; out is then unchanged. */
int matchers_parse(const char *s, struct matchers *out, struct errbuf *err);
/* The grammars of Alertmanager's --enable-feature flags: FALLBACK (the
 * default, what matchers_parse uses: the classic answer whenever the classic
 * parser accepts the input, else the UTF-8 one; a warning is logged when the
 * two disagree or only classic accepts; on failure the classic error),
 * UTF8 (utf8-strict-mode; errors like "3:4: unexpected end of input,
 * expected one of '=~'") and CLASSIC (classic-mode, Alertmanager 0.25). */
enum matcher_syntax { MATCHER_SYNTAX_FALLBACK, MATCHER_SYNTAX_UTF8, MATCHER_SYNTAX_CLASSIC };
int matchers_parse_syntax(const char *s, enum matcher_syntax syn, struct matchers *out,
                          struct errbuf *err);
/* Takes ownership of m's contents. */
void matchers_push(struct matchers *ms, struct matcher *m);
bool matchers_match(const struct matchers *ms, const struct labels *ls);
/* Sorts by (name, value, type), the order Alertmanager prints route keys in. */
void matchers_sort(struct matchers *ms);
/* Appends `{a="b",c=~"d"}` to out (no spaces, as Alertmanager's String()). */
void matchers_format(const struct matchers *ms, struct buf *out);
void matchers_deinit(struct matchers *ms);


#endif

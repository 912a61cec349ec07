/* regex.h -- Go/RE2 regular expressions, executed by PCRE2.
 *
 * Alertmanager compiles matcher regexes with Go's regexp package (RE2
 * syntax, linear time).  We run them on PCRE2 (JIT), so a pattern is first
 * checked and translated by a small RE2-syntax front end: it rejects what Go
 * rejects, with Go's error text ("error parsing regexp: missing closing ):
 * `^(?:()$`"), and rewrites the few constructs whose meaning differs (\s,
 * octal and hex escapes, literal punctuation, quantified assertions).  Every
 * match runs under a match limit, so a hostile pattern cannot stall the loop:
 * a match that backtracks too long is finished by PCRE2's non-backtracking
 * DFA matcher instead (still Go's answer); only if that also gives up does it
 * count as "no match" (regex_limit_hits()).
 *
 * Declared through matcher.h as well; the signatures are the matcher
 * contract. */
#ifndef ROUTER_REGEX_H
#define ROUTER_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Compiles a Go/RE2 regex anchored as Alertmanager does, by compiling the Go
 * expression "^(?:" pattern ")$" (so even its quirks carry over: `a)|(b` is
 * accepted and means "starts with a or ends with b"), or unanchored if
 * `anchor` is false.  Returns a pcre2_code * or NULL with Go's message.
 * Free with regex_free(). */
void *regex_compile(const char *pattern, bool anchor, struct errbuf *err);
/* True if re matches s[0..len).  Invalid UTF-8 in s is matched as U+FFFD
 * per bad byte, as Go does.  Giving up on limits counts as no match. */
bool regex_match(const void *re, const char *s, size_t len);
void regex_free(void *re);
/* Since start: matches abandoned on limits (answered "no match"), and
 * matches that hit the backtracking limit and went to the DFA matcher. */
unsigned long regex_limit_hits(void);
unsigned long regex_dfa_runs(void);

/* Translates a Go/RE2 expression into the equivalent PCRE2 pattern
 * (appended to out).  Returns -1 with Go's error message.  Exposed for
 * tests and the fuzzer. */
int regex_translate(const char *expr, size_t n, struct buf *out, struct errbuf *err);

#endif

/* regex.c -- Go/RE2 regular expressions executed by PCRE2 (see regex.h).
 *
 * regex_go.c turns the Go expression into an equivalent PCRE2 pattern; this
 * file compiles it (JIT when available) and runs it under limits.  The
 * compile options complete the translation: DOLLAR_ENDONLY (Go's $ is end of
 * text), ALT_CIRCUMFLEX (Go's (?m)^ also matches after a final \n),
 * NEWLINE_LF (Go's . excludes only \n), NEVER_UCP (Go's \d \w \b are
 * ASCII).  Subjects with invalid UTF-8 are matched as Go sees them: one
 * U+FFFD per bad byte. */
#include "regex.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <stdlib.h>

#include "labels.h"
#include "mem.h"
#include "utf8.h"

/* The backtracking matcher (JIT) answers almost every match in well under a
 * microsecond.  A pattern that backtracks exponentially ((a+)+$ against
 * "aaaa...!") is stopped after MATCH_LIMIT steps (about 0.25 ms) and then
 * re-run on PCRE2's DFA matcher, which does not backtrack: it follows all
 * alternatives in parallel, in time linear in the subject for a fixed
 * pattern, like RE2 -- so the answer is still Go's, not a guess.  Its cost
 * is about (subject length x compiled pattern size) x 5..40 ns, so it only
 * runs within DFA_BUDGET (about 2 ms at worst: a 300-byte label against a
 * 150-byte pattern); beyond that, or if it gives up on its workspace, the
 * match counts as "no match" (and in regex_limit_hits()), which is what
 * FINDINGS.md §4 measured Go answering for such bombs anyway. */
#define MATCH_LIMIT 100000
#define DEPTH_LIMIT 10000
#define DFA_WORKSPACE 4096
#define DFA_BUDGET 50000 /* subject bytes x pattern bytes */
#define MAX_NEST 1000

static unsigned long limit_hits, dfa_runs;

static pcre2_compile_context *cctx;
static pcre2_match_context *mctx;
static pcre2_match_data *mdata;
static pcre2_jit_stack *jit_stack;
static int dfa_ws[DFA_WORKSPACE];

/* Single-threaded: the loop thread owns these for the process lifetime. */
static void init_pcre2(void)
{
    if (mctx)
        return;
    cctx = pcre2_compile_context_create(NULL);
    mctx = pcre2_match_context_create(NULL);
    mdata = pcre2_match_data_create(1, NULL);
    if (!cctx || !mctx || !mdata)
        ROUTER_ASSERT(!"pcre2: out of memory");
    pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
    pcre2_set_parens_nest_limit(cctx, MAX_NEST + 10);
    pcre2_set_match_limit(mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(mctx, DEPTH_LIMIT);
    jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    if (jit_stack)
        pcre2_jit_stack_assign(mctx, NULL, jit_stack);
}

void *regex_compile(const char *pattern, bool anchor, struct errbuf *err)
{
    init_pcre2();
    struct buf go = BUF_INIT, pc = BUF_INIT;
    if (anchor)
        buf_printf(&go, "^(?:%s)$", pattern);
    else
        buf_puts(&go, pattern);
    pcre2_code *code = NULL;
    if (regex_translate(buf_str(&go), go.len, &pc, err) == 0) {
        int ec;
        PCRE2_SIZE off;
        code = pcre2_compile((PCRE2_SPTR)buf_str(&pc), pc.len,
                             PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_DOLLAR_ENDONLY |
                                 PCRE2_ALT_CIRCUMFLEX | PCRE2_NEVER_BACKSLASH_C | PCRE2_NEVER_UCP,
                             &ec, &off, cctx);
        if (!code) {
            /* The front end lets through only RE2 syntax, so what PCRE2
             * still refuses is about size. */
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(ec, msg, sizeof msg);
            if (ec == PCRE2_ERROR_PATTERN_TOO_LARGE || ec == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP)
                errbuf_set(err, "error parsing regexp: expression too large");
            else
                errbuf_set(err, "error parsing regexp: %s (pcre2 offset %zu)", (char *)msg,
                           (size_t)off);
        } else {
            pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* optional: falls back */
        }
    }
    buf_deinit(&go);
    buf_deinit(&pc);
    return code;
}

bool regex_match(const void *re, const char *s, size_t len)
{
    init_pcre2();
    struct buf clean = BUF_INIT;
    if (!utf8_valid(s, len)) {
        utf8_sanitize(&clean, s, len);
        s = buf_str(&clean);
        len = clean.len;
    }
    int rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, mdata, mctx);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
        size_t size = 0;
        pcre2_pattern_info(re, PCRE2_INFO_SIZE, &size);
        if (len == 0 || size <= DFA_BUDGET / len) {
            dfa_runs++;
            rc = pcre2_dfa_match(re, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, mdata, mctx, dfa_ws,
                                 DFA_WORKSPACE);
        }
        if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
            limit_hits++;
    }
    buf_deinit(&clean);
    return rc >= 0;
}

void regex_free(void *re)
{
    pcre2_code_free(re);
}

unsigned long regex_limit_hits(void)
{
    return limit_hits;
}

unsigned long regex_dfa_runs(void)
{
    return dfa_runs;
}

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

/* PCRE2 counts backtracking steps; 10^6 bounds a pathological match to a
 * few milliseconds (FINDINGS.md §4: (a+)+$ hits it after 2.3 ms). */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000
#define MAX_NEST 1000

static unsigned long limit_hits;

static pcre2_compile_context *cctx;
static pcre2_match_context *mctx;
static pcre2_match_data *mdata;
static pcre2_jit_stack *jit_stack;

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
    buf_deinit(&clean);
    if (rc >= 0)
        return true;
    if (rc != PCRE2_ERROR_NOMATCH)
        limit_hits++;
    return false;
}

void regex_free(void *re)
{
    pcre2_code_free(re);
}

unsigned long regex_limit_hits(void)
{
    return limit_hits;
}

/* driver_util.h -- what the integration drivers (tests/integration/X_driver.c)
 * share: the check() that prints "ok: ..." / "FAIL: ..." lines and counts
 * failures, and the closing summary line.
 *
 * Header-only (static inline) because the Makefile builds each
 * tests/integration/X.c alone into $(BUILD)/X; a shared .c would need its
 * own rule.  Each driver is one translation unit, so the counter below is
 * one per program. */
#ifndef TESTS_INTEGRATION_DRIVER_UTIL_H
#define TESTS_INTEGRATION_DRIVER_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int failures;

static inline void check(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void check(bool cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", cond ? "ok" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (!cond)
        failures++;
    fflush(stdout);
}

/* Prints "<word>: N failure(s)" (word: "ok" or `pass_word` when none
 * failed, "FAIL" otherwise); returns the exit status, 1 if any failed. */
static inline int driver_finish(const char *pass_word)
{
    printf("%s: %d failure(s)\n", failures ? "FAIL" : pass_word, failures);
    return failures ? 1 : 0;
}

#endif

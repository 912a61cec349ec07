/* check_main.c -- the one Check runner: every module's suite, one summary
 * line ("100%: Checks: N, Failures: 0, Errors: 0").  suites.h is generated
 * by the Makefile from the tests/unit/test_*.c file names. */
#include <stdlib.h>

#include "check_main.h"

#include "suites.h"
#undef SUITE

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, name##_suite());
#include "suites.h"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

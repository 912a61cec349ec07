/* check_main.h -- shared helpers for the unit test suites. */
#ifndef TESTS_CHECK_MAIN_H
#define TESTS_CHECK_MAIN_H

#include <check.h>

/* Each tests/unit/test_X.c defines this; the Makefile lists them. */
#define SUITE(name) Suite *name##_suite(void);

#endif

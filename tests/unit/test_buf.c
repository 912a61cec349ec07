/* test_buf.c -- the cap is the point of struct buf. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check_main.h"

START_TEST(append_and_cap)
{
    struct buf b;
    buf_init(&b, 10);
    ck_assert_str_eq(buf_str(&b), "");
    ck_assert_int_eq(buf_puts(&b, "hello"), 0);
    ck_assert_int_eq(buf_printf(&b, "%d", 1234), 0);
    ck_assert_str_eq(b.p, "hello1234");
    ck_assert_int_eq(buf_puts(&b, "ab"), -1);   /* 11 > 10 */
    ck_assert(b.overflow);
    ck_assert_str_eq(b.p, "hello1234");        /* unchanged on refusal */
    ck_assert_int_eq(buf_putc(&b, '!'), 0);     /* exactly 10 fits */
    ck_assert_uint_eq(b.len, 10);
    char *s = buf_steal(&b);
    ck_assert_str_eq(s, "hello1234!");
    free(s);
    ck_assert_ptr_null(b.p);
    buf_deinit(&b);
}
END_TEST

START_TEST(errbuf_prefixing)
{
    struct errbuf e;
    errbuf_set(&e, "bad %s", "thing");
    errbuf_prefix(&e, "file.yml:%d:%d", 3, 7);
    ck_assert_str_eq(e.msg, "file.yml:3:7: bad thing");
}
END_TEST

Suite *buf_suite(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, append_and_cap);
    tcase_add_test(tc, errbuf_prefixing);
    suite_add_tcase(s, tc);
    return s;
}

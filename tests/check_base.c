/* check_base.c - the floor every module stands on: the error carrier keeps
 * its message one line and within its buffer whatever it quotes, I/O
 * errors carry errno and its text, context added on the way up stays one
 * line; codes have text; arrays grow by doubling and refuse overflowing
 * sizes. (Time text is tested in check_csvwrite.c, where the files use it.) */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_error.h"

START_TEST(set_keeps_one_line)
{
	struct bs_err e;
	int rc = bs_err_set(&e, -BS_EFORMAT, "%s: bad cell '%s'", "a\nb.csv", "x\r\x01\x7f");
	ck_assert_int_eq(rc, -BS_EFORMAT);
	ck_assert_int_eq(e.code, -BS_EFORMAT);
	ck_assert_int_eq(e.sys_errno, 0);
	ck_assert_str_eq(e.msg, "a?b.csv: bad cell 'x\?\?\?'");
	ck_assert_str_eq(bs_err_text(&e), e.msg);
}
END_TEST

START_TEST(set_cuts_long_messages)
{
	struct bs_err e;
	char *big = malloc(3 * BS_ERR_MSGLEN);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 3 * BS_ERR_MSGLEN - 1);
	big[3 * BS_ERR_MSGLEN - 1] = '\0';
	bs_err_set(&e, -BS_EINVAL, "%s", big);
	ck_assert_uint_eq(strlen(e.msg), BS_ERR_MSGLEN - 1);
	free(big);
}
END_TEST

START_TEST(null_carrier_returns_code)
{
	ck_assert_int_eq(bs_err_set(NULL, -BS_ERANGE, "x"), -BS_ERANGE);
	ck_assert_int_eq(bs_err_io(NULL, ENOENT, "x"), -BS_EIO);
	bs_err_prefix(NULL, "x");
	bs_err_clear(NULL);
}
END_TEST

START_TEST(io_appends_strerror)
{
	struct bs_err e;
	ck_assert_int_eq(bs_err_io(&e, ENOENT, "%s", "dir\n/summary.json"), -BS_EIO);
	ck_assert_int_eq(e.code, -BS_EIO);
	ck_assert_int_eq(e.sys_errno, ENOENT);
	char want[256];
	snprintf(want, sizeof want, "dir?/summary.json: %s", strerror(ENOENT));
	ck_assert_str_eq(e.msg, want);
}
END_TEST

START_TEST(prefix_adds_context)
{
	struct bs_err e;
	bs_err_set(&e, -BS_EFORMAT, "line 2: bad");
	bs_err_prefix(&e, "shard %s", "a\tb");
	ck_assert_str_eq(e.msg, "shard a?b: line 2: bad");
	ck_assert_int_eq(e.code, -BS_EFORMAT);
}
END_TEST

START_TEST(text_falls_back_to_code)
{
	struct bs_err e;
	bs_err_clear(&e);
	ck_assert_int_eq(e.code, 0);
	ck_assert_str_eq(e.msg, "");
	e.code = -BS_ENOMEM;
	ck_assert_str_eq(bs_err_text(&e), "out of memory");
	ck_assert_str_eq(bs_strerror(BS_EIO), bs_strerror(-BS_EIO));
	ck_assert_str_eq(bs_strerror(-9999), "unknown error");
	for (int c = 0; c < BS_ERROR_COUNT; c++)
		ck_assert_ptr_nonnull(bs_strerror(c));
}
END_TEST

START_TEST(array_doubles)
{
	uint32_t *a = NULL;
	size_t cap = 0;
	ck_assert_int_eq(bs_array_reserve(&a, &cap, 1, sizeof *a), 0);
	ck_assert_uint_eq(cap, BS_ARRAY_MIN);
	a[0] = 7;
	ck_assert_int_eq(bs_array_reserve(&a, &cap, BS_ARRAY_MIN + 1, sizeof *a), 0);
	ck_assert_uint_eq(cap, 2 * BS_ARRAY_MIN);
	ck_assert_uint_eq(a[0], 7);
	ck_assert_int_eq(bs_array_reserve(&a, &cap, 3, sizeof *a), 0);
	ck_assert_uint_eq(cap, 2 * BS_ARRAY_MIN);
	free(a);
}
END_TEST

START_TEST(array_refuses_overflow)
{
	uint64_t *a = NULL;
	size_t cap = 0;
	ck_assert_int_eq(bs_array_reserve(&a, &cap, SIZE_MAX / 4, sizeof *a), -BS_ENOMEM);
	ck_assert_ptr_null(a);
	ck_assert_uint_eq(cap, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("base");
	TCase *err = tcase_create("error carrier");
	tcase_add_test(err, set_keeps_one_line);
	tcase_add_test(err, set_cuts_long_messages);
	tcase_add_test(err, null_carrier_returns_code);
	tcase_add_test(err, io_appends_strerror);
	tcase_add_test(err, prefix_adds_context);
	tcase_add_test(err, text_falls_back_to_code);
	suite_add_tcase(s, err);
	TCase *arr = tcase_create("array");
	tcase_add_test(arr, array_doubles);
	tcase_add_test(arr, array_refuses_overflow);
	suite_add_tcase(s, arr);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

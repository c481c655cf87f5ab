/* check_options.c - strict number parsing and the option table. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "src/options.h"

START_TEST(rejects_junk)
{
	static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5", "abc"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint32_t v = 7;
		ck_assert_int_eq(parse_u32(bad[i], 0, 100, &v), -BS_EINVAL);
		ck_assert_uint_eq(v, 0);
	}
	uint32_t v;
	ck_assert_int_eq(parse_u32(NULL, 0, 100, &v), -BS_EINVAL);
}
END_TEST

START_TEST(range_and_overflow)
{
	uint32_t v;
	ck_assert_int_eq(parse_u32("0", 1, 10, &v), -BS_ERANGE);
	ck_assert_int_eq(parse_u32("11", 1, 10, &v), -BS_ERANGE);
	ck_assert_int_eq(parse_u32("4294967296", 0, UINT32_MAX, &v), -BS_ERANGE);
	ck_assert_int_eq(parse_u32("99999999999999999999999", 0, UINT32_MAX, &v), -BS_ERANGE);
	ck_assert_int_eq(parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT32_MAX);
	ck_assert_int_eq(parse_u32("10", 1, 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(parse_u32("007", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(table_builds_getopt_array)
{
	static const struct opt_spec specs[] = {
	    {"out", 'o', "DIR", "where"},
	    {"quiet", 300, NULL, "hush"},
	};
	struct option lo[3];
	opt_build_long(specs, 2, lo);
	ck_assert_str_eq(lo[0].name, "out");
	ck_assert_int_eq(lo[0].has_arg, required_argument);
	ck_assert_int_eq(lo[0].val, 'o');
	ck_assert_int_eq(lo[1].has_arg, no_argument);
	ck_assert_int_eq(lo[1].val, 300);
	ck_assert_ptr_null(lo[2].name);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("numbers");
	tcase_add_test(tc, rejects_junk);
	tcase_add_test(tc, range_and_overflow);
	suite_add_tcase(s, tc);
	tc = tcase_create("table");
	tcase_add_test(tc, table_builds_getopt_array);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

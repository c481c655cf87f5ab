/* check_csvwrite.c - RFC 4180 field quoting, number text, and the ISO 8601 time
 * format and parser that every output file relies on. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "base/bs_time.h"
#include "outdir/csvwrite.h"

#define US 1000000ull

/* Runs csvwrite_write_field(s) into memory and returns the bytes (caller frees). */
static char *field_text(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(csvwrite_write_field(f, s), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void assert_field(const char *in, const char *want)
{
	char *got = field_text(in);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(field_failing_stream_is_eio)
{
	/* /dev/full fails every write with ENOSPC; unbuffered so the field
	 * writer sees it, not a later fflush. */
	FILE *f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	ck_assert_int_eq(csvwrite_write_field(f, "plain"), -BS_EIO);
	ck_assert_int_eq(csvwrite_write_field(f, "needs,quotes"), -BS_EIO);
	const char *row[] = {"a", "b"};
	ck_assert_int_eq(csvwrite_write_row(f, row, 2), -BS_EIO);
	fclose(f);
}
END_TEST

START_TEST(field_empty_and_null)
{
	assert_field("", "");
	assert_field(NULL, "");
}
END_TEST

START_TEST(field_plain_unquoted)
{
	assert_field("Bredband2 AB", "Bredband2 AB");
	assert_field("TCP_SYNACK|TCP_RST", "TCP_SYNACK|TCP_RST");
}
END_TEST

START_TEST(field_comma_quoted)
{
	assert_field("Google, Inc.", "\"Google, Inc.\"");
	assert_field(",", "\",\"");
}
END_TEST

START_TEST(field_quote_doubled)
{
	assert_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	assert_field("\"", "\"\"\"\"");
}
END_TEST

START_TEST(field_newlines_quoted)
{
	assert_field("a\nb", "\"a\nb\"");
	assert_field("a\r\nb", "\"a\r\nb\"");
	assert_field("\r", "\"\r\"");
}
END_TEST

START_TEST(row_separators)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	const char *row[] = {"1", NULL, "a,b", "", "x\"y"};
	ck_assert_int_eq(csvwrite_write_row(f, row, 5), 0);
	ck_assert_int_eq(csvwrite_write_row(f, row, 0), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(buf, "1,,\"a,b\",,\"x\"\"y\"\n\n");
	free(buf);
}
END_TEST

START_TEST(number_formats)
{
	char buf[CSVWRITE_NUM_STRLEN];
	ck_assert_int_eq(csvwrite_fmt_u64(buf, sizeof buf, 0), 0);
	ck_assert_str_eq(buf, "0");
	ck_assert_int_eq(csvwrite_fmt_u64(buf, sizeof buf, UINT64_MAX), 0);
	ck_assert_str_eq(buf, "18446744073709551615");
	ck_assert_int_eq(csvwrite_fmt_double(buf, sizeof buf, 6, 2.5), 0);
	ck_assert_str_eq(buf, "2.500000");
	ck_assert_int_eq(csvwrite_fmt_double(buf, sizeof buf, 1, 1099511627776.0), 0);
	ck_assert_str_eq(buf, "1099511627776.0");
	ck_assert_int_eq(csvwrite_fmt_double(buf, sizeof buf, 4, NAN), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(csvwrite_fmt_double(buf, sizeof buf, 4, INFINITY), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(number_too_long_is_erange)
{
	char small[4] = "zzz";
	ck_assert_int_eq(csvwrite_fmt_u64(small, sizeof small, 12345), -BS_ERANGE);
	ck_assert_str_eq(small, "");
	char buf[CSVWRITE_NUM_STRLEN] = "zzz";
	ck_assert_int_eq(csvwrite_fmt_double(buf, sizeof buf, 1, 1e100), -BS_ERANGE);
	ck_assert_str_eq(buf, "");
	strcpy(buf, "zzz");
	ck_assert_int_eq(csvwrite_fmt_double(buf, sizeof buf, -1, 1.0), -BS_EINVAL);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(csvwrite_fmt_double(buf, sizeof buf, 18, 1.0), -BS_EINVAL);
}
END_TEST

static void assert_time(uint64_t us, const char *want)
{
	char buf[BS_TIME_STRLEN];
	ck_assert_int_eq(bs_format_time(us, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, want);
}

START_TEST(time_small_buffer_is_einval)
{
	char buf[BS_TIME_STRLEN - 1] = "zzz";
	ck_assert_int_eq(bs_format_time(0, buf, sizeof buf), -BS_EINVAL);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(time_past_9999_is_erange)
{
	char buf[BS_TIME_STRLEN] = "zzz";
	ck_assert_int_eq(bs_format_time(BS_TIME_MAX_US + 1, buf, sizeof buf), -BS_ERANGE);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(bs_format_time(UINT64_MAX, buf, sizeof buf), -BS_ERANGE);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(time_epoch)
{
	assert_time(0, "1970-01-01T00:00:00.000000Z");
	assert_time(1, "1970-01-01T00:00:00.000001Z");
}
END_TEST

START_TEST(time_interface_example)
{
	assert_time(1795489205ull * US + 123456, "2026-11-24T03:00:05.123456Z");
}
END_TEST

START_TEST(time_leap_days)
{
	assert_time(1709210096ull * US, "2024-02-29T12:34:56.000000Z");
	assert_time(951782400ull * US, "2000-02-29T00:00:00.000000Z"); /* 400-year rule */
	/* 2100 is not a leap year: one second after Feb 28 ends is March 1. */
	assert_time(4107542400ull * US, "2100-03-01T00:00:00.000000Z");
}
END_TEST

START_TEST(time_fraction_never_carries)
{
	assert_time(1795489205ull * US + 999999, "2026-11-24T03:00:05.999999Z");
	assert_time(59ull * US + 999999, "1970-01-01T00:00:59.999999Z");
}
END_TEST

START_TEST(time_9999_limit)
{
	assert_time(BS_TIME_MAX_US, "9999-12-31T23:59:59.999999Z");
	assert_time(253402300799ull * US, "9999-12-31T23:59:59.000000Z");
}
END_TEST

static void assert_parse_err(const char *s, int want)
{
	uint64_t us = 42;
	ck_assert_msg(bs_parse_time(s, &us) == want, "parse \"%s\"", s);
	ck_assert_uint_eq(us, 0);
}

START_TEST(parse_rejects_malformed)
{
	assert_parse_err("", -BS_EINVAL);
	assert_parse_err("2026", -BS_EINVAL);
	assert_parse_err("2026-11-24T03:00:05.123456", -BS_EINVAL); /* no Z */
	assert_parse_err("2026-11-24T03:00:05.Z", -BS_EINVAL);
	assert_parse_err("2026-11-24T03:00:05.1234567Z", -BS_EINVAL); /* 7 digits */
	assert_parse_err("2026-11-24T03:00:05.123456Zx", -BS_EINVAL);
	assert_parse_err("2026-11-24 03:00:05.123456Z", -BS_EINVAL);
	assert_parse_err("2026-11-24T03:00:05.123456z", -BS_EINVAL);
	assert_parse_err("2026-11-24T03:00:05+00:00", -BS_EINVAL);
	assert_parse_err("2026-1-24T03:00:05Z", -BS_EINVAL);
	assert_parse_err("+026-11-24T03:00:05Z", -BS_EINVAL);
	assert_parse_err("2026-11-24T03:0a:05Z", -BS_EINVAL);
}
END_TEST

START_TEST(parse_rejects_impossible_dates)
{
	assert_parse_err("2023-02-29T00:00:00Z", -BS_EINVAL);
	assert_parse_err("2100-02-29T00:00:00Z", -BS_EINVAL);
	assert_parse_err("2026-04-31T00:00:00Z", -BS_EINVAL);
	assert_parse_err("2026-13-01T00:00:00Z", -BS_EINVAL);
	assert_parse_err("2026-00-01T00:00:00Z", -BS_EINVAL);
	assert_parse_err("2026-01-00T00:00:00Z", -BS_EINVAL);
	assert_parse_err("2026-01-01T24:00:00Z", -BS_EINVAL);
	assert_parse_err("2026-01-01T00:60:00Z", -BS_EINVAL);
	assert_parse_err("2016-12-31T23:59:60Z", -BS_EINVAL); /* leap second */
}
END_TEST

START_TEST(parse_before_epoch_is_erange)
{
	assert_parse_err("1969-12-31T23:59:59.999999Z", -BS_ERANGE);
	assert_parse_err("0000-01-01T00:00:00Z", -BS_ERANGE);
}
END_TEST

START_TEST(parse_fraction_lengths)
{
	uint64_t us;
	ck_assert_int_eq(bs_parse_time("1970-01-01T00:00:01Z", &us), 0);
	ck_assert_uint_eq(us, US);
	ck_assert_int_eq(bs_parse_time("1970-01-01T00:00:01.5Z", &us), 0);
	ck_assert_uint_eq(us, US + 500000);
	ck_assert_int_eq(bs_parse_time("1970-01-01T00:00:01.000007Z", &us), 0);
	ck_assert_uint_eq(us, US + 7);
	ck_assert_int_eq(bs_parse_time("2024-02-29T12:34:56Z", &us), 0);
	ck_assert_uint_eq(us, 1709210096ull * US);
	ck_assert_int_eq(bs_parse_time("9999-12-31T23:59:59.999999Z", &us), 0);
	ck_assert_uint_eq(us, BS_TIME_MAX_US);
}
END_TEST

/* Formatting (gmtime_r) and parsing (days-from-civil arithmetic) are
 * independent code: agreement over the whole range checks both. */
START_TEST(parse_round_trip)
{
	uint64_t x = 88172645463325252ull; /* xorshift64 seed */
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t us = x % (BS_TIME_MAX_US + 1);
		char buf[BS_TIME_STRLEN];
		uint64_t back;
		ck_assert_int_eq(bs_format_time(us, buf, sizeof buf), 0);
		ck_assert_int_eq(bs_parse_time(buf, &back), 0);
		ck_assert_msg(back == us, "%s: %llu != %llu", buf, (unsigned long long)back,
		              (unsigned long long)us);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("fields");
	tcase_add_test(tc, field_failing_stream_is_eio);
	tcase_add_test(tc, field_empty_and_null);
	tcase_add_test(tc, field_plain_unquoted);
	tcase_add_test(tc, field_comma_quoted);
	tcase_add_test(tc, field_quote_doubled);
	tcase_add_test(tc, field_newlines_quoted);
	tcase_add_test(tc, row_separators);
	suite_add_tcase(s, tc);
	tc = tcase_create("numbers");
	tcase_add_test(tc, number_too_long_is_erange);
	tcase_add_test(tc, number_formats);
	suite_add_tcase(s, tc);
	tc = tcase_create("time_format");
	tcase_add_test(tc, time_small_buffer_is_einval);
	tcase_add_test(tc, time_past_9999_is_erange);
	tcase_add_test(tc, time_epoch);
	tcase_add_test(tc, time_interface_example);
	tcase_add_test(tc, time_leap_days);
	tcase_add_test(tc, time_fraction_never_carries);
	tcase_add_test(tc, time_9999_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("time_parse");
	tcase_add_test(tc, parse_rejects_malformed);
	tcase_add_test(tc, parse_rejects_impossible_dates);
	tcase_add_test(tc, parse_before_epoch_is_erange);
	tcase_add_test(tc, parse_fraction_lengths);
	tcase_add_test(tc, parse_round_trip);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

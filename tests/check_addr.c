/* check_addr.c - tests for addresses and the telescope prefix set: strict
 * parsing (errors first), text round trips, membership on both the linear
 * and the binary-search path, telescope size and positions. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telescope/addr.h"
#include "base/bs_error.h"

/* Enough /24s to take the binary-search path of bs_prefixes_contains. */
#define MANY_PREFIXES 40

static bs_addr_t addr(const char *text)
{
	bs_addr_t a;
	ck_assert_int_eq(bs_addr_parse(text, &a), 0);
	return a;
}

static bool contains(const bs_prefixes_t *p, const char *text)
{
	bs_addr_t a = addr(text);
	return bs_prefixes_contains(p, &a);
}

static double position(const bs_prefixes_t *p, const char *text)
{
	bs_addr_t a = addr(text);
	double u = -1.0;
	ck_assert_int_eq(bs_prefixes_position(p, &a, &u), 0);
	return u;
}

START_TEST(addr_parse_rejects_bad_text)
{
	static const char *const bad[] = {
	    "",         "foo",        "1.2.3", "1.2.3.4.5",         "300.1.2.3", "1.2.3.4 ",
	    " 1.2.3.4", "1.2.3.4/32", "::g",   "1:2:3:4:5:6:7:8:9", "01.2.3.4",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bs_addr_t a;
		memset(&a, 0xa5, sizeof a);
		ck_assert_msg(bs_addr_parse(bad[i], &a) == -BS_EINVAL, "accepted '%s'", bad[i]);
		bs_addr_t zero;
		memset(&zero, 0, sizeof zero);
		ck_assert_mem_eq(&a, &zero, sizeof a);
	}
	bs_addr_t a;
	ck_assert_int_eq(bs_addr_parse(NULL, &a), -BS_EINVAL);
}
END_TEST

START_TEST(addr_round_trip)
{
	static const char *const good[] = {
	    "0.0.0.0",     "44.1.2.3",      "255.255.255.255", "::",
	    "2001:db8::1", "fe80::1:2:3:4", "::ffff:1.2.3.4",
	};
	char buf[BS_ADDR_STRLEN];
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		bs_addr_t a = addr(good[i]);
		ck_assert_str_eq(bs_addr_format(&a, buf, sizeof buf), good[i]);
	}
	/* Non-canonical IPv6 comes back canonical. */
	bs_addr_t a = addr("2001:0DB8:0:0::0001");
	ck_assert_str_eq(bs_addr_format(&a, buf, sizeof buf), "2001:db8::1");
}
END_TEST

START_TEST(addr_v4_helpers)
{
	bs_addr_t a, b;
	memset(&a, 0xff, sizeof a);
	bs_addr_from_v4(&a, 0x2c010203u);
	b = addr("44.1.2.3");
	ck_assert_mem_eq(&a, &b, sizeof a); /* zero-filled: hashable as bytes */
	ck_assert_uint_eq(bs_addr_v4(&a), 0x2c010203u);
	ck_assert_uint_eq(bs_addr_v4(&(bs_addr_t){0}), 0);
	bs_addr_t v6 = addr("::1");
	ck_assert_uint_eq(bs_addr_v4(&v6), 0);
}
END_TEST

START_TEST(addr_format_small_buffer)
{
	bs_addr_t a = addr("2001:db8::1");
	char buf[4] = "xyz";
	ck_assert_str_eq(bs_addr_format(&a, buf, sizeof buf), "");
	bs_addr_t bad = {.family = 9};
	char big[BS_ADDR_STRLEN];
	ck_assert_str_eq(bs_addr_format(&bad, big, sizeof big), "");
}
END_TEST

START_TEST(addr_cmp_orders_family_then_bytes)
{
	bs_addr_t a = addr("1.2.3.4"), b = addr("1.2.3.5"), c = addr("::1");
	ck_assert_int_lt(bs_addr_cmp(&a, &b), 0);
	ck_assert_int_gt(bs_addr_cmp(&b, &a), 0);
	ck_assert_int_eq(bs_addr_cmp(&a, &a), 0);
	ck_assert_int_lt(bs_addr_cmp(&b, &c), 0); /* every IPv4 before IPv6 */
}
END_TEST

START_TEST(prefix_parse_errors)
{
	static const struct {
		const char *text;
		int rc;
	} cases[] = {
	    {"44.0.0.0/33", -BS_ERANGE},
	    {"2001:db8::/129", -BS_ERANGE},
	    {"10.0.0.0/99999999999999999999", -BS_ERANGE},
	    {"300.1.2.3/8", -BS_EINVAL},
	    {"foo", -BS_EINVAL},
	    {"10.0.0.1/8", -BS_EINVAL}, /* host bits set */
	    {"2001:db8::1/32", -BS_EINVAL},
	    {"", -BS_EINVAL},
	    {",", -BS_EINVAL},
	    {"1.2.3.0/24,", -BS_EINVAL},
	    {",1.2.3.0/24", -BS_EINVAL},
	    {"1.2.3.0/24,,1.2.4.0/24", -BS_EINVAL},
	    {"1.2.3.0/", -BS_EINVAL},
	    {"1.2.3.0/24x", -BS_EINVAL},
	    {"1.2.3.0/2 4", -BS_EINVAL},
	    {"1.2.3.0/-1", -BS_EINVAL},
	    {"1.2.3.0/+24", -BS_EINVAL},
	    {"1.2.3.0/24/24", -BS_EINVAL},
	    {" 1.2.3.0/24", -BS_EINVAL},
	    {"1.2.3.0 /24", -BS_EINVAL},
	    {"1.2.3.0/24 ", -BS_EINVAL},
	    {"1.2.3.0/24,1.2.3.128/25", -BS_EEXIST},
	    {"10.0.0.0/8,10.1.0.0/16", -BS_EEXIST},
	    {"10.1.0.0/16,10.0.0.0/8", -BS_EEXIST},
	    {"1.2.3.0/24,1.2.3.0/24", -BS_EEXIST},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bs_prefixes_t *p = bs_prefixes_create();
		ck_assert_ptr_nonnull(p);
		ck_assert_msg(bs_prefixes_add(p, cases[i].text) == cases[i].rc, "'%s'",
		              cases[i].text);
		ck_assert_uint_eq(bs_prefixes_count(p), 0);
		bs_prefixes_free(p);
	}
	bs_prefixes_t *p = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(p, NULL), -BS_EINVAL);
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_error_adds_nothing)
{
	bs_prefixes_t *p = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(p, "44.0.0.0/8"), 0);
	/* Valid items before the bad one must not stay behind. */
	ck_assert_int_eq(bs_prefixes_add(p, "45.0.0.0/8,46.0.0.0/8,44.1.0.0/16"), -BS_EEXIST);
	ck_assert_int_eq(bs_prefixes_add(p, "45.0.0.0/8,bad"), -BS_EINVAL);
	ck_assert_uint_eq(bs_prefixes_count(p), 1);
	ck_assert(!contains(p, "45.0.0.1"));
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET), 16777216.0);
	/* ...and the failed items are free to be added afterwards. */
	ck_assert_int_eq(bs_prefixes_add(p, "45.0.0.0/8"), 0);
	ck_assert(contains(p, "45.0.0.1"));
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_text_is_canonical)
{
	bs_prefixes_t *p = bs_prefixes_create();
	char buf[BS_ADDR_STRLEN + 4];
	ck_assert_int_eq(bs_prefixes_add(p, "44.0.0.0/8,2001:DB8:0::/32,192.0.2.7"), 0);
	ck_assert_int_eq(bs_prefixes_add(p, "::/0"), -BS_EEXIST);
	ck_assert_uint_eq(bs_prefixes_count(p), 3);
	ck_assert_str_eq(bs_prefixes_text(p, 0, buf, sizeof buf), "44.0.0.0/8");
	ck_assert_str_eq(bs_prefixes_text(p, 1, buf, sizeof buf), "2001:db8::/32");
	ck_assert_str_eq(bs_prefixes_text(p, 2, buf, sizeof buf), "192.0.2.7/32");
	ck_assert_str_eq(bs_prefixes_text(p, 3, buf, sizeof buf), "");
	char small[6];
	ck_assert_str_eq(bs_prefixes_text(p, 0, small, sizeof small), "");
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_contains_few)
{
	bs_prefixes_t *p = bs_prefixes_create();
	ck_assert(!contains(p, "44.0.0.1")); /* empty set */
	ck_assert_int_eq(bs_prefixes_add(p, "44.0.0.0/8,192.0.2.0/24"), 0);
	ck_assert_int_eq(bs_prefixes_add(p, "198.51.100.9"), 0);
	ck_assert(contains(p, "44.0.0.0"));
	ck_assert(contains(p, "44.255.255.255"));
	ck_assert(!contains(p, "43.255.255.255"));
	ck_assert(!contains(p, "45.0.0.0"));
	ck_assert(contains(p, "192.0.2.128"));
	ck_assert(!contains(p, "192.0.3.0"));
	ck_assert(contains(p, "198.51.100.9"));
	ck_assert(!contains(p, "198.51.100.8"));
	ck_assert(!contains(p, "::ffff:44.0.0.1")); /* other family */
	bs_addr_t junk = {.family = 0};
	ck_assert(!bs_prefixes_contains(p, &junk));
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_contains_many)
{
	bs_prefixes_t *p = bs_prefixes_create();
	char text[64];
	/* Added in an order unlike the sorted one: every third /24 of 10.0.x. */
	for (int i = MANY_PREFIXES - 1; i >= 0; i--) {
		snprintf(text, sizeof text, "10.0.%d.0/24", i * 3);
		ck_assert_int_eq(bs_prefixes_add(p, text), 0);
	}
	ck_assert_int_eq(bs_prefixes_add(p, "10.0.3.0/24"), -BS_EEXIST);
	ck_assert_int_eq(bs_prefixes_add(p, "10.0.0.0/16"), -BS_EEXIST);
	for (int x = 0; x < 256; x++) {
		snprintf(text, sizeof text, "10.0.%d.77", x);
		bool want = x % 3 == 0 && x / 3 < MANY_PREFIXES;
		ck_assert_msg(contains(p, text) == want, "%s", text);
	}
	ck_assert(!contains(p, "9.255.255.255"));
	ck_assert(!contains(p, "0.0.0.0"));
	ck_assert(!contains(p, "255.255.255.255"));
	ck_assert(contains(p, "10.0.0.0"));
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET), 256.0 * MANY_PREFIXES);
	/* Added last, so last in order, though first by address. */
	ck_assert_double_eq(position(p, "10.0.0.0"),
	                    (256.0 * (MANY_PREFIXES - 1) + 0.5) / (256.0 * MANY_PREFIXES));
	snprintf(text, sizeof text, "10.0.%d.0", (MANY_PREFIXES - 1) * 3);
	ck_assert_double_eq(position(p, text), 0.5 / (256.0 * MANY_PREFIXES));
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_contains_ipv6)
{
	bs_prefixes_t *p = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(p, "2001:db8::/32,2001:db9:1::/48,44.0.0.0/8"), 0);
	ck_assert(contains(p, "2001:db8::"));
	ck_assert(contains(p, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	ck_assert(!contains(p, "2001:db9::1"));
	ck_assert(contains(p, "2001:db9:1:2::3"));
	ck_assert(!contains(p, "2001:db7:ffff::"));
	ck_assert(!contains(p, "::2c00:1")); /* IPv4 bits in an IPv6 address */
	ck_assert(contains(p, "44.0.0.1"));
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_size)
{
	bs_prefixes_t *p = bs_prefixes_create();
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET), 0.0);
	ck_assert_int_eq(bs_prefixes_add(p, "44.0.0.0/8,10.1.0.0/16"), 0);
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET), 16842752.0);
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET6), 0.0);
	ck_assert_double_eq(bs_prefixes_size(p, 5), 0.0);
	ck_assert_int_eq(bs_prefixes_add(p, "2001:db8::/64,2001:db9::/128"), 0);
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET6), ldexp(1.0, 64) + 1.0);
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET), 16842752.0);
	bs_prefixes_free(p);

	p = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(p, "0.0.0.0/0,::/0"), 0);
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET), 4294967296.0);
	ck_assert_double_eq(bs_prefixes_size(p, BS_AF_INET6), ldexp(1.0, 128));
	ck_assert(contains(p, "255.255.255.255"));
	ck_assert(contains(p, "::"));
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_position_v4)
{
	bs_prefixes_t *p = bs_prefixes_create();
	const double n = 16842752.0;
	ck_assert_int_eq(bs_prefixes_add(p, "44.0.0.0/8,10.1.0.0/16"), 0);
	ck_assert_double_eq(position(p, "44.0.0.0"), 0.5 / n);
	ck_assert_double_eq(position(p, "44.0.0.1"), 1.5 / n);
	ck_assert_double_eq(position(p, "44.255.255.255"), (16777215.0 + 0.5) / n);
	/* Insertion order, not address order: 10.1/16 follows 44/8. */
	ck_assert_double_eq(position(p, "10.1.0.0"), (16777216.0 + 0.5) / n);
	ck_assert_double_eq(position(p, "10.1.255.255"), (n - 0.5) / n);

	bs_addr_t out = addr("10.2.0.0");
	double u = 7.0;
	ck_assert_int_eq(bs_prefixes_position(p, &out, &u), -BS_ENOTFOUND);
	ck_assert_double_eq(u, 0.0);
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_position_v6)
{
	bs_prefixes_t *p = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(p, "2001:db8::/64,192.0.2.0/24,2001:db8:0:1::/127"), 0);
	const double n = ldexp(1.0, 64) + 2.0;
	/* Families are separate spaces: the IPv4 /24 does not shift IPv6. */
	ck_assert_double_eq(position(p, "2001:db8::"), 0.5 / n);
	ck_assert_double_eq(position(p, "192.0.2.0"), 0.5 / 256.0);
	double mid = position(p, "2001:db8::8000:0:0:0");
	ck_assert_double_eq_tol(mid, 0.5, 1e-12);
	double last = position(p, "2001:db8::ffff:ffff:ffff:ffff");
	ck_assert(last < 1.0 && last > 0.99);
	ck_assert(position(p, "2001:db8:0:1::1") < 1.0);
	ck_assert(position(p, "2001:db8:0:1::") > mid);

	/* The whole space: the last address must stay below 1. */
	bs_prefixes_t *all = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(all, "::/0"), 0);
	double top = position(all, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert(top < 1.0 && top > 0.999);
	ck_assert(position(all, "::") > 0.0);
	bs_prefixes_free(all);
	bs_prefixes_free(p);
}
END_TEST

START_TEST(prefix_free_null)
{
	bs_prefixes_free(NULL);
}
END_TEST

/* bs_addr_mask(): bits past the length zeroed, across byte boundaries. */
START_TEST(addr_mask)
{
	static const struct {
		const char *in;
		unsigned len;
		const char *out;
	} cases[] = {
	    {"198.51.100.77", 24, "198.51.100.0"},
	    {"198.51.100.77", 20, "198.51.96.0"},
	    {"198.51.100.77", 0, "0.0.0.0"},
	    {"198.51.100.77", 32, "198.51.100.77"},
	    {"198.51.100.77", 40, "198.51.100.77"},
	    {"198.51.100.255", 31, "198.51.100.254"},
	    {"2001:db8:1234:5678::1", 48, "2001:db8:1234::"},
	    {"2001:db8:1234:5678::1", 52, "2001:db8:1234:5000::"},
	    {"2001:db8:1234:5678::1", 128, "2001:db8:1234:5678::1"},
	    {"2001:db8:1234:5678::1", 1, "::"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bs_addr_t a, want;
		ck_assert_int_eq(bs_addr_parse(cases[i].in, &a), 0);
		ck_assert_int_eq(bs_addr_parse(cases[i].out, &want), 0);
		bs_addr_mask(&a, cases[i].len);
		ck_assert_msg(bs_addr_cmp(&a, &want) == 0, "%s/%u", cases[i].in, cases[i].len);
	}
}
END_TEST

int main(void)
{

	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("addr");
	tcase_add_test(tc, addr_parse_rejects_bad_text);
	tcase_add_test(tc, addr_round_trip);
	tcase_add_test(tc, addr_v4_helpers);
	tcase_add_test(tc, addr_format_small_buffer);
	tcase_add_test(tc, addr_cmp_orders_family_then_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("prefixes");
	tcase_add_test(tc, prefix_parse_errors);
	tcase_add_test(tc, prefix_error_adds_nothing);
	tcase_add_test(tc, prefix_text_is_canonical);
	tcase_add_test(tc, prefix_contains_few);
	tcase_add_test(tc, prefix_contains_many);
	tcase_add_test(tc, prefix_contains_ipv6);
	tcase_add_test(tc, prefix_size);
	tcase_add_test(tc, prefix_position_v4);
	tcase_add_test(tc, prefix_position_v6);
	tcase_add_test(tc, prefix_free_null);
	tcase_add_test(tc, addr_mask);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

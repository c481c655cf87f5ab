/* check_vgroup.c - multi-vector groups: one attack alone, a chain whose
 * ends do not overlap, touching and one microsecond apart, nested
 * intervals, ties, victims of both families (the same bytes in another
 * family are another victim), a reversed interval, the smallest index
 * whatever the order, and random sets against a quadratic reference. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "outdir/vgroup.h"

#define S 1000000u /* one second in microseconds */

static struct vgroup_attack v4(uint32_t addr, uint64_t start, uint64_t end)
{
	struct vgroup_attack a = {.start_us = start, .end_us = end};
	bs_addr_from_v4(&a.victim, addr);
	return a;
}

static struct vgroup_attack v6(const char *text, uint64_t start, uint64_t end)
{
	struct vgroup_attack a = {.start_us = start, .end_us = end};
	ck_assert_int_eq(bs_addr_parse(text, &a.victim), 0);
	return a;
}

/* Groups a[0..n) and compares with want[] (the expected first indices). */
static void expect(const struct vgroup_attack *a, size_t n, const size_t *want)
{
	size_t got[16];
	ck_assert_uint_le(n, 16);
	ck_assert_int_eq(vgroup_assign(a, n, got), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "attack %zu: group %zu, want %zu", i, got[i],
		              want[i]);
}

START_TEST(none_and_one)
{
	ck_assert_int_eq(vgroup_assign(NULL, 0, NULL), 0);
	struct vgroup_attack a[] = {v4(0x0a000001, 10 * S, 70 * S)};
	expect(a, 1, (size_t[]){0});
}
END_TEST

/* A-B-C: A and C do not overlap, B overlaps both: one group. D on the same
 * victim after all of them: its own. */
START_TEST(chain)
{
	struct vgroup_attack a[] = {
	    v4(0x0a000001, 0, 100 * S),         /* A, TCP */
	    v4(0x0a000001, 90 * S, 300 * S),    /* B, ICMP */
	    v4(0x0a000001, 200 * S, 400 * S),   /* C, TCP again */
	    v4(0x0a000001, 1000 * S, 1100 * S), /* D */
	};
	expect(a, 4, (size_t[]){0, 0, 0, 3});
}
END_TEST

/* Closed intervals: ending in the microsecond another starts links them;
 * one microsecond later does not. */
START_TEST(touching)
{
	struct vgroup_attack a[] = {
	    v4(0x0a000001, 0, 100 * S),
	    v4(0x0a000001, 100 * S, 200 * S),
	    v4(0x0a000002, 0, 100 * S),
	    v4(0x0a000002, 100 * S + 1, 200 * S),
	};
	expect(a, 4, (size_t[]){0, 0, 2, 3});
}
END_TEST

/* A long attack holds two short ones that do not overlap each other; a
 * fourth starts after the second short one ended but inside the long one. */
START_TEST(nested)
{
	struct vgroup_attack a[] = {
	    v4(0x0a000001, 0, 1000 * S),
	    v4(0x0a000001, 10 * S, 20 * S),
	    v4(0x0a000001, 500 * S, 600 * S),
	    v4(0x0a000001, 900 * S, 2000 * S),
	    v4(0x0a000001, 2000 * S + 1, 2100 * S),
	};
	expect(a, 5, (size_t[]){0, 0, 0, 0, 4});
}
END_TEST

/* The group is named by its smallest index, not by its earliest start; two
 * attacks with the same start are ordered by index. */
START_TEST(smallest_index)
{
	struct vgroup_attack a[] = {
	    v4(0x0a000001, 50 * S, 150 * S),
	    v4(0x0a000003, 0, 10 * S),
	    v4(0x0a000001, 0, 60 * S),
	    v4(0x0a000001, 0, 60 * S),
	};
	expect(a, 4, (size_t[]){0, 1, 0, 0});
	struct vgroup_attack b[] = {a[2], a[1], a[0]};
	expect(b, 3, (size_t[]){0, 1, 0});
}
END_TEST

/* Other victims never join, whatever the time: the next address, and the
 * IPv6 address holding the same first four bytes. IPv6 victims group among
 * themselves. */
START_TEST(victims_and_families)
{
	struct vgroup_attack a[] = {
	    v4(0x0a000001, 0, 100 * S),         v4(0x0a000002, 0, 100 * S),
	    v6("a00:1::", 0, 100 * S),          v6("2001:db8::1", 50 * S, 150 * S),
	    v6("2001:db8::2", 50 * S, 150 * S), v6("2001:db8::1", 120 * S, 130 * S),
	    v6("2001:db8::1", 0, 60 * S),
	};
	expect(a, 7, (size_t[]){0, 1, 2, 3, 4, 3, 3});
}
END_TEST

/* An end before the start is a zero-length interval at the start. */
START_TEST(reversed)
{
	struct vgroup_attack a[] = {
	    v4(0x0a000001, 100 * S, 50 * S),
	    v4(0x0a000001, 60 * S, 99 * S),
	    v4(0x0a000001, 100 * S, 200 * S),
	};
	expect(a, 3, (size_t[]){0, 1, 0});
}
END_TEST

/* splitmix64: a fixed pseudo-random sequence. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* The definition, quadratically: link overlapping pairs of one victim
 * until nothing changes, each attack carrying the smallest index it
 * reaches. */
static void reference(const struct vgroup_attack *a, size_t n, size_t *want)
{
	for (size_t i = 0; i < n; i++)
		want[i] = i;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				if (bs_addr_cmp(&a[i].victim, &a[j].victim) != 0 ||
				    a[i].start_us > a[j].end_us || a[j].start_us > a[i].end_us)
					continue;
				if (want[j] < want[i]) {
					want[i] = want[j];
					changed = true;
				}
			}
	}
}

START_TEST(random_sets)
{
	uint64_t seed = 12;
	size_t groups_seen = 0;
	for (int round = 0; round < 2000; round++) {
		struct vgroup_attack a[16];
		size_t n = 1 + next_rand(&seed) % 16, want[16], got[16];
		for (size_t i = 0; i < n; i++) {
			uint64_t start = next_rand(&seed) % 50, len = next_rand(&seed) % 12;
			a[i] =
			    v4(0x0a000000u + (uint32_t)(next_rand(&seed) % 3), start, start + len);
		}
		reference(a, n, want);
		ck_assert_int_eq(vgroup_assign(a, n, got), 0);
		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_eq(got[i], want[i]);
			groups_seen += got[i] != i;
		}
	}
	ck_assert_uint_gt(groups_seen, 1000); /* the sets did hold groups */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vgroup");
	TCase *tc = tcase_create("groups");
	tcase_add_test(tc, none_and_one);
	tcase_add_test(tc, chain);
	tcase_add_test(tc, touching);
	tcase_add_test(tc, nested);
	tcase_add_test(tc, smallest_index);
	tcase_add_test(tc, victims_and_families);
	tcase_add_test(tc, reversed);
	tcase_add_test(tc, random_sets);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

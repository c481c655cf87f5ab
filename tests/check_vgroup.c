/* check_vgroup.c - multi-vector groups: one attack alone, a chain whose
 * ends do not overlap, touching and one microsecond apart, nested
 * intervals, ties, other victims, a reversed interval, the smallest id
 * whatever the order, and random sets against a quadratic reference.
 * Victims are dense ids here; check_attack_list shows addresses of both
 * families reaching them. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "outdir/vgroup.h"

#define S 1000000u /* one second in microseconds */

static struct vgroup_attack at(uint32_t victim, uint64_t start, uint64_t end)
{
	return (struct vgroup_attack){.start_us = start, .end_us = end, .victim = victim};
}

/* Numbers a[0..n) 1..n in array order, groups them and compares each
 * attack's group with want[] (by array position, 1-based ids). */
static void expect(struct vgroup_attack *a, size_t n, const uint32_t *want)
{
	uint32_t got[16] = {0};
	ck_assert_uint_le(n, 16);
	for (size_t i = 0; i < n; i++)
		a[i].id = (uint32_t)i + 1;
	vgroup_assign(a, n);
	for (size_t i = 0; i < n; i++)
		got[a[i].id - 1] = a[i].group;
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "attack %zu: group %u, want %u", i + 1, got[i],
		              want[i]);
}

START_TEST(none_and_one)
{
	vgroup_assign(NULL, 0);
	struct vgroup_attack a[] = {at(1, 10 * S, 70 * S)};
	expect(a, 1, (uint32_t[]){1});
}
END_TEST

/* A-B-C: A and C do not overlap, B overlaps both: one group. D on the same
 * victim after all of them: its own. */
START_TEST(chain)
{
	struct vgroup_attack a[] = {
	    at(1, 0, 100 * S),         /* A, TCP */
	    at(1, 90 * S, 300 * S),    /* B, ICMP */
	    at(1, 200 * S, 400 * S),   /* C, TCP again */
	    at(1, 1000 * S, 1100 * S), /* D */
	};
	expect(a, 4, (uint32_t[]){1, 1, 1, 4});
}
END_TEST

/* Closed intervals: ending in the microsecond another starts links them;
 * one microsecond later does not. */
START_TEST(touching)
{
	struct vgroup_attack a[] = {
	    at(1, 0, 100 * S),
	    at(1, 100 * S, 200 * S),
	    at(2, 0, 100 * S),
	    at(2, 100 * S + 1, 200 * S),
	};
	expect(a, 4, (uint32_t[]){1, 1, 3, 4});
}
END_TEST

/* A long attack holds two short ones that do not overlap each other; a
 * fourth starts after the second short one ended but inside the long one. */
START_TEST(nested)
{
	struct vgroup_attack a[] = {
	    at(1, 0, 1000 * S),       at(1, 10 * S, 20 * S),         at(1, 500 * S, 600 * S),
	    at(1, 900 * S, 2000 * S), at(1, 2000 * S + 1, 2100 * S),
	};
	expect(a, 5, (uint32_t[]){1, 1, 1, 1, 5});
}
END_TEST

/* The group is named by its smallest id, not by its earliest start; two
 * attacks with the same start are ordered by id. */
START_TEST(smallest_index)
{
	struct vgroup_attack a[] = {
	    at(1, 50 * S, 150 * S),
	    at(3, 0, 10 * S),
	    at(1, 0, 60 * S),
	    at(1, 0, 60 * S),
	};
	struct vgroup_attack b[] = {a[2], a[1], a[0]};
	expect(a, 4, (uint32_t[]){1, 2, 1, 1});
	expect(b, 3, (uint32_t[]){1, 2, 1});
}
END_TEST

/* Other victims never join, whatever the time; each victim's attacks
 * group among themselves. */
START_TEST(victims)
{
	struct vgroup_attack a[] = {
	    at(7, 0, 100 * S),      at(8, 0, 100 * S),      at(9, 0, 100 * S),
	    at(2, 50 * S, 150 * S), at(3, 50 * S, 150 * S), at(2, 120 * S, 130 * S),
	    at(2, 0, 60 * S),
	};
	expect(a, 7, (uint32_t[]){1, 2, 3, 4, 5, 4, 4});
}
END_TEST

/* An end before the start is a zero-length interval at the start. */
START_TEST(reversed)
{
	struct vgroup_attack a[] = {
	    at(1, 100 * S, 50 * S),
	    at(1, 60 * S, 99 * S),
	    at(1, 100 * S, 200 * S),
	};
	expect(a, 3, (uint32_t[]){1, 2, 1});
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
static void reference(const struct vgroup_attack *a, size_t n, uint32_t *want)
{
	for (size_t i = 0; i < n; i++)
		want[i] = (uint32_t)i + 1;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				if (a[i].victim != a[j].victim || a[i].start_us > a[j].end_us ||
				    a[j].start_us > a[i].end_us)
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
		size_t n = 1 + next_rand(&seed) % 16;
		uint32_t want[16];
		for (size_t i = 0; i < n; i++) {
			uint64_t start = next_rand(&seed) % 50, len = next_rand(&seed) % 12;
			a[i] = at((uint32_t)(next_rand(&seed) % 3), start, start + len);
			a[i].id = (uint32_t)i + 1;
		}
		reference(a, n, want);
		vgroup_assign(a, n);
		for (size_t i = 0; i < n; i++) {
			ck_assert_uint_eq(a[i].group, want[a[i].id - 1]);
			groups_seen += a[i].group != a[i].id;
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
	tcase_add_test(tc, victims);
	tcase_add_test(tc, reversed);
	tcase_add_test(tc, random_sets);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

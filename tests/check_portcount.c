/* check_portcount.c - exact per-port counts: distinct ports, top port with
 * ties to the lowest, promotion to the full array, order independence and
 * merge equal to adding everything to one counter. */
#include <check.h>
#include <stdlib.h>

#include "base/bs_error.h"
#include "telescope/portcount.h"

/* splitmix64: a fixed pseudo-random sequence. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Adds `rounds` rounds of nports ports (p * 127 + 1 for p < nports <= 516,
 * spread over the port space), port p (p % 3 + 1) times per round so
 * counts differ; shuffled when seed is not 0. */
static void add_stream(portcount_t *pc, uint32_t nports, uint32_t rounds, uint64_t seed)
{
	uint32_t n = 0;
	uint16_t *ports = malloc((size_t)nports * 3 * rounds * sizeof *ports);
	ck_assert_ptr_nonnull(ports);
	for (uint32_t r = 0; r < rounds; r++)
		for (uint32_t p = 0; p < nports; p++)
			for (uint32_t k = 0; k <= p % 3; k++)
				ports[n++] = (uint16_t)(p * 127u + 1u);
	for (uint32_t i = n; seed != 0 && i > 1; i--) {
		uint32_t j = (uint32_t)(next_rand(&seed) % i);
		uint16_t tmp = ports[i - 1];
		ports[i - 1] = ports[j];
		ports[j] = tmp;
	}
	for (uint32_t i = 0; i < n; i++)
		ck_assert_int_eq(portcount_add(pc, ports[i]), 0);
	free(ports);
}

START_TEST(empty)
{
	portcount_t a = {0}, b = {0};
	ck_assert_uint_eq(portcount_distinct(&a), 0);
	ck_assert_int_eq(portcount_top(&a), -1);
	ck_assert_int_eq(portcount_merge(&a, &b), 0);
	ck_assert(portcount_equal(&a, &b));
	portcount_clear(&a);
	portcount_clear(&a);
}
END_TEST

START_TEST(extreme_ports)
{
	portcount_t pc = {0};
	ck_assert_int_eq(portcount_add(&pc, 65535), 0);
	ck_assert_int_eq(portcount_top(&pc), 65535);
	ck_assert_int_eq(portcount_add(&pc, 0), 0);
	ck_assert_uint_eq(portcount_distinct(&pc), 2);
	ck_assert_int_eq(portcount_top(&pc), 0); /* tie: lowest port */
	portcount_clear(&pc);
}
END_TEST

START_TEST(top_ties_lowest)
{
	static const uint16_t ports[] = {443, 80, 22, 80, 22, 443, 80, 22, 8080};
	portcount_t pc = {0};
	for (size_t i = 0; i < sizeof ports / sizeof *ports; i++)
		ck_assert_int_eq(portcount_add(&pc, ports[i]), 0);
	ck_assert_uint_eq(portcount_distinct(&pc), 4);
	ck_assert_int_eq(portcount_top(&pc), 22); /* 22 and 80 three times each */
	ck_assert_int_eq(portcount_add(&pc, 80), 0);
	ck_assert_int_eq(portcount_top(&pc), 80);
	portcount_clear(&pc);
}
END_TEST

START_TEST(saturates)
{
	portcount_t pc = {0};
	ck_assert_int_eq(portcount_add(&pc, 80), 0);
	ck_assert_int_eq(portcount_add(&pc, 443), 0);
	pc.small[0].count = UINT32_MAX - 1; /* port 80, as if 4 G packets in */
	ck_assert_int_eq(portcount_add(&pc, 80), 0);
	ck_assert_int_eq(portcount_add(&pc, 80), 0);
	ck_assert_uint_eq(pc.small[0].count, UINT32_MAX);
	portcount_t other = {0};
	ck_assert_int_eq(portcount_add(&other, 80), 0);
	ck_assert_int_eq(portcount_merge(&pc, &other), 0);
	ck_assert_uint_eq(pc.small[0].count, UINT32_MAX);
	ck_assert_int_eq(portcount_top(&pc), 80);
	portcount_clear(&pc);
	portcount_clear(&other);
}
END_TEST

START_TEST(promotes_to_full_exactly)
{
	portcount_t pc = {0};
	add_stream(&pc, PORTCOUNT_SMALL_MAX, 1, 0);
	ck_assert_ptr_null(pc.full);
	ck_assert_uint_eq(portcount_distinct(&pc), PORTCOUNT_SMALL_MAX);
	ck_assert_int_eq(portcount_add(&pc, 2), 0); /* 2 is not 1 mod 127: new */
	ck_assert_ptr_nonnull(pc.full);
	ck_assert_uint_eq(portcount_distinct(&pc), PORTCOUNT_SMALL_MAX + 1);
	/* Port p*127+1 with p % 3 == 2 has the top count 3; lowest is p = 2. */
	ck_assert_int_eq(portcount_top(&pc), 2 * 127 + 1);
	ck_assert_int_eq(portcount_add(&pc, 2), 0);
	ck_assert_int_eq(portcount_add(&pc, 2), 0);
	ck_assert_int_eq(portcount_top(&pc), 2); /* 3 packets, lower port */
	ck_assert_uint_eq(portcount_distinct(&pc), PORTCOUNT_SMALL_MAX + 1);
	portcount_clear(&pc);
}
END_TEST

START_TEST(order_independent)
{
	static const uint32_t sizes[] = {1, 5, PORTCOUNT_SMALL_MAX, PORTCOUNT_SMALL_MAX + 1, 516};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		portcount_t a = {0}, b = {0};
		add_stream(&a, sizes[k], 2, 0);
		add_stream(&b, sizes[k], 2, 11 + k);
		ck_assert(portcount_equal(&a, &b));
		ck_assert_int_eq(portcount_top(&a), portcount_top(&b));
		portcount_clear(&a);
		portcount_clear(&b);
	}
}
END_TEST

/* merge(stream(n1), stream(n2)) equals adding both streams to one. */
static void check_merge(uint32_t n1, uint32_t n2)
{
	portcount_t a = {0}, b = {0}, seq = {0};
	add_stream(&a, n1, 1, 5);
	add_stream(&b, n2, 1, 6);
	add_stream(&seq, n1, 1, 0);
	add_stream(&seq, n2, 1, 0);
	ck_assert_int_eq(portcount_merge(&a, &b), 0);
	ck_assert_msg(portcount_equal(&a, &seq), "merge %u + %u", n1, n2);
	ck_assert_uint_eq(portcount_distinct(&a), portcount_distinct(&seq));
	ck_assert_int_eq(portcount_top(&a), portcount_top(&seq));
	portcount_clear(&a);
	portcount_clear(&b);
	portcount_clear(&seq);
}

START_TEST(merge_equals_sequential)
{
	const uint32_t max = PORTCOUNT_SMALL_MAX;
	check_merge(0, 3);
	check_merge(3, 0);
	check_merge(3, 10);        /* shared ports: counts add */
	check_merge(max, max);     /* same ports, stays small */
	check_merge(max + 1, 2);   /* full + small */
	check_merge(2, max + 1);   /* small + full */
	check_merge(max + 1, 516); /* full + full */
}
END_TEST

START_TEST(merge_small_overflowing_to_full)
{
	/* Disjoint small tables whose union passes the small maximum. */
	portcount_t a = {0}, b = {0}, seq = {0};
	for (uint32_t p = 0; p < PORTCOUNT_SMALL_MAX; p++) {
		ck_assert_int_eq(portcount_add(&a, (uint16_t)p), 0);
		ck_assert_int_eq(portcount_add(&seq, (uint16_t)p), 0);
	}
	ck_assert_int_eq(portcount_add(&b, 60000), 0);
	ck_assert_int_eq(portcount_add(&b, 60000), 0);
	ck_assert_int_eq(portcount_add(&seq, 60000), 0);
	ck_assert_int_eq(portcount_add(&seq, 60000), 0);
	ck_assert_int_eq(portcount_merge(&a, &b), 0);
	ck_assert_ptr_nonnull(a.full);
	ck_assert(portcount_equal(&a, &seq));
	ck_assert_uint_eq(portcount_distinct(&a), PORTCOUNT_SMALL_MAX + 1);
	ck_assert_int_eq(portcount_top(&a), 60000);
	portcount_clear(&a);
	portcount_clear(&b);
	portcount_clear(&seq);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("portcount");
	TCase *edge = tcase_create("edge");
	tcase_add_test(edge, empty);
	tcase_add_test(edge, extreme_ports);
	tcase_add_test(edge, top_ties_lowest);
	tcase_add_test(edge, saturates);
	tcase_add_test(edge, promotes_to_full_exactly);
	suite_add_tcase(s, edge);
	TCase *merge = tcase_create("merge");
	tcase_add_test(merge, order_independent);
	tcase_add_test(merge, merge_equals_sequential);
	tcase_add_test(merge, merge_small_overflowing_to_full);
	suite_add_tcase(s, merge);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_portcount.c - exact per-port counts: distinct ports, top port with
 * ties to the lowest, promotion to the full array, order independence,
 * merge equal to adding everything to one counter, and the counts as
 * bytes: decoded equal, re-encoded identical, merged alike, truncations
 * and corruptions refused. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/bs_error.h"
#include "check_codec.h"
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

/* codec_try for portcount_decode(); a refused state must be left empty. */
static int try_decode(const uint8_t *p, size_t len, const char **why)
{
	struct bs_buf_reader r;
	portcount_t pc = {0}, none = {0};
	bs_buf_reader_init(&r, p, len);
	int rc = portcount_decode(&pc, &r);
	*why = r.why;
	if (rc < 0)
		ck_assert(portcount_equal(&pc, &none) && pc.small == NULL && pc.full == NULL);
	else if (bs_buf_left(&r) != 0)
		rc = 1;
	portcount_clear(&pc);
	return rc;
}

/* pc's bytes, checked: decoded equal (same form, distinct count and top
 * port), re-encoded identical, and, when truncations, every truncation
 * refused. Returns the decoded copy. */
static portcount_t round_trip(const portcount_t *pc, struct bs_buf *bytes, bool truncations)
{
	struct bs_buf again = {0};
	struct bs_buf_reader r;
	portcount_t back = {0};

	ck_assert_int_eq(portcount_encode(pc, bytes), 0);
	ck_assert_uint_eq(bytes->len, 4 + 6 * (size_t)portcount_distinct(pc));
	bs_buf_reader_init(&r, bytes->data, bytes->len);
	ck_assert_int_eq(portcount_decode(&back, &r), 0);
	ck_assert_uint_eq(bs_buf_left(&r), 0);
	ck_assert(portcount_equal(&back, pc));
	ck_assert_int_eq(back.full != NULL, pc->full != NULL);
	ck_assert_uint_eq(portcount_distinct(&back), portcount_distinct(pc));
	ck_assert_int_eq(portcount_top(&back), portcount_top(pc));
	ck_assert_int_eq(portcount_encode(&back, &again), 0);
	codec_assert_same(bytes, &again);
	if (truncations)
		codec_assert_truncations(bytes, try_decode);
	bs_buf_free(&again);
	return back;
}

START_TEST(codec_round_trip)
{
	/* Empty, one port, the table at its max, one past (a fresh array). */
	static const uint32_t sizes[] = {0, 1, 5, PORTCOUNT_SMALL_MAX, PORTCOUNT_SMALL_MAX + 1};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		portcount_t pc = {0};
		struct bs_buf b = {0};
		add_stream(&pc, sizes[k], 2, k + 1);
		portcount_t back = round_trip(&pc, &b, true);
		add_stream(&pc, 7, 1, 0); /* goes on like the original */
		add_stream(&back, 7, 1, 0);
		ck_assert(portcount_equal(&back, &pc));
		portcount_clear(&pc);
		portcount_clear(&back);
		bs_buf_free(&b);
	}
	/* Every port, the extremes and a saturated count. */
	portcount_t pc = {0};
	struct bs_buf b = {0};
	for (uint32_t p = 0; p < PORTCOUNT_PORTS; p++)
		ck_assert_int_eq(portcount_add(&pc, (uint16_t)p), 0);
	pc.full[65535] = UINT32_MAX;
	portcount_t back = round_trip(&pc, &b, false);
	ck_assert_int_eq(portcount_top(&back), 65535);
	portcount_clear(&pc);
	portcount_clear(&back);
	bs_buf_free(&b);
}
END_TEST

/* Merging decoded counts gives what merging the originals gives. */
static void check_decoded_merge(uint32_t n1, uint32_t n2)
{
	portcount_t a = {0}, b = {0};
	struct bs_buf ba = {0}, bb = {0};
	add_stream(&a, n1, 1, 5);
	add_stream(&b, n2, 1, 6);
	portcount_t a2 = round_trip(&a, &ba, false), b2 = round_trip(&b, &bb, false);
	ck_assert_int_eq(portcount_merge(&a, &b), 0);
	ck_assert_int_eq(portcount_merge(&a2, &b2), 0);
	ck_assert(portcount_equal(&a, &a2));
	ck_assert_int_eq(portcount_top(&a), portcount_top(&a2));
	portcount_clear(&a);
	portcount_clear(&b);
	portcount_clear(&a2);
	portcount_clear(&b2);
	bs_buf_free(&ba);
	bs_buf_free(&bb);
}

START_TEST(codec_merge_of_decoded)
{
	check_decoded_merge(3, 10);
	check_decoded_merge(PORTCOUNT_SMALL_MAX, 2);
	check_decoded_merge(PORTCOUNT_SMALL_MAX + 1, 2);
	check_decoded_merge(PORTCOUNT_SMALL_MAX + 1, 516);
}
END_TEST

START_TEST(codec_refuses_corruption)
{
	portcount_t pc = {0};
	struct bs_buf b = {0};
	add_stream(&pc, 3, 1, 0); /* ports 1, 128, 255 */
	ck_assert_int_eq(portcount_encode(&pc, &b), 0);
	/* Entries at bytes 4, 10, 16: u16 port, u32 count. */
	codec_poke_u32(b.data, 12, 0);
	codec_assert_refused(try_decode, b.data, b.len, "zero times");
	codec_poke_u32(b.data, 12, 1);
	b.data[10] = 1; /* port 1 again */
	b.data[11] = 0;
	codec_assert_refused(try_decode, b.data, b.len, "strictly increasing");
	b.data[10] = 0; /* port 0 after port 1 */
	codec_assert_refused(try_decode, b.data, b.len, "strictly increasing");
	/* More ports than exist, with the bytes to back them. */
	bs_buf_free(&b);
	bs_buf_put_u32(&b, PORTCOUNT_PORTS + 1);
	for (uint32_t p = 0; p <= PORTCOUNT_PORTS; p++) {
		bs_buf_put_u16(&b, (uint16_t)p);
		bs_buf_put_u32(&b, 1);
	}
	codec_assert_refused(try_decode, b.data, b.len, "more ports");
	/* Out of order in the array form too. */
	bs_buf_free(&b);
	portcount_clear(&pc);
	add_stream(&pc, PORTCOUNT_SMALL_MAX + 1, 1, 0);
	ck_assert_int_eq(portcount_encode(&pc, &b), 0);
	b.data[4 + 6 * 300] = b.data[4 + 6 * 299];
	b.data[4 + 6 * 300 + 1] = b.data[4 + 6 * 299 + 1];
	codec_assert_refused(try_decode, b.data, b.len, "strictly increasing");
	portcount_clear(&pc);
	bs_buf_free(&b);
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
	TCase *codec = tcase_create("codec");
	tcase_set_timeout(codec, 60);
	tcase_add_test(codec, codec_round_trip);
	tcase_add_test(codec, codec_merge_of_decoded);
	tcase_add_test(codec, codec_refuses_corruption);
	suite_add_tcase(s, codec);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

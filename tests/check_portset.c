/* check_portset.c - distinct ports without counts: repeats counted once,
 * the extremes, promotion to the bitmap, order independence, merge equal
 * to adding everything to one set (table and bitmap, either side), and
 * the set as bytes: decoded equal, re-encoded identical, merged alike,
 * truncations and corruptions refused. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/bs_error.h"
#include "check_codec.h"
#include "telescope/portset.h"

/* splitmix64: a fixed pseudo-random sequence. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Adds ports p * 127 + 1 for p < nports (<= 516, spread over the port
 * space), port p (p % 3 + 1) times; shuffled when seed is not 0. */
static void add_stream(portset_t *ps, uint32_t nports, uint64_t seed)
{
	uint32_t n = 0;
	uint16_t *ports = malloc((size_t)nports * 3 * sizeof *ports + 1);
	ck_assert_ptr_nonnull(ports);
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
		ck_assert_int_eq(portset_add(ps, ports[i]), 0);
	free(ports);
}

START_TEST(empty)
{
	portset_t a = {0}, b = {0};
	ck_assert_uint_eq(portset_count(&a), 0);
	ck_assert_int_eq(portset_merge(&a, &b), 0);
	ck_assert(portset_equal(&a, &b));
	portset_clear(&a);
	portset_clear(&a);
}
END_TEST

START_TEST(repeats_count_once)
{
	static const uint16_t ports[] = {443, 80, 22, 80, 22, 443, 80, 22, 8080, 0, 65535, 0};
	portset_t ps = {0};
	for (size_t i = 0; i < sizeof ports / sizeof *ports; i++)
		ck_assert_int_eq(portset_add(&ps, ports[i]), 0);
	ck_assert_uint_eq(portset_count(&ps), 6);
	ck_assert_ptr_null(ps.bits);
	/* Encoded in port order, whatever the order they came in. */
	static const uint16_t sorted[] = {0, 22, 80, 443, 8080, 65535};
	struct bs_buf b = {0};
	ck_assert_int_eq(portset_encode(&ps, &b), 0);
	ck_assert_uint_eq(b.len, 4 + sizeof sorted);
	for (size_t i = 0; i < sizeof sorted / sizeof *sorted; i++)
		ck_assert_uint_eq(b.data[4 + 2 * i] | b.data[5 + 2 * i] << 8, sorted[i]);
	bs_buf_free(&b);
	portset_clear(&ps);
}
END_TEST

START_TEST(promotes_to_bitmap_exactly)
{
	portset_t ps = {0};
	add_stream(&ps, PORTSET_SMALL_MAX, 0);
	ck_assert_ptr_null(ps.bits);
	ck_assert_uint_eq(portset_count(&ps), PORTSET_SMALL_MAX);
	ck_assert_int_eq(portset_add(&ps, 1), 0); /* already there: no promotion */
	ck_assert_ptr_null(ps.bits);
	ck_assert_int_eq(portset_add(&ps, 2), 0); /* 2 is not 1 mod 127: new */
	ck_assert_ptr_nonnull(ps.bits);
	ck_assert_ptr_null(ps.small);
	ck_assert_uint_eq(portset_count(&ps), PORTSET_SMALL_MAX + 1);
	ck_assert_int_eq(portset_add(&ps, 2), 0);
	ck_assert_int_eq(portset_add(&ps, 128), 0);
	ck_assert_uint_eq(portset_count(&ps), PORTSET_SMALL_MAX + 1);
	ck_assert_int_eq(portset_add(&ps, 65535), 0);
	ck_assert_int_eq(portset_add(&ps, 0), 0);
	ck_assert_uint_eq(portset_count(&ps), PORTSET_SMALL_MAX + 3);
	portset_clear(&ps);
}
END_TEST

START_TEST(every_port)
{
	portset_t ps = {0};
	for (uint32_t round = 0; round < 2; round++)
		for (uint32_t p = 0; p < PORTSET_PORTS; p++)
			ck_assert_int_eq(portset_add(&ps, (uint16_t)p), 0);
	ck_assert_uint_eq(portset_count(&ps), PORTSET_PORTS);
	portset_clear(&ps);
}
END_TEST

START_TEST(order_independent)
{
	static const uint32_t sizes[] = {1, 5, PORTSET_SMALL_MAX, PORTSET_SMALL_MAX + 1, 516};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		portset_t a = {0}, b = {0};
		add_stream(&a, sizes[k], 0);
		add_stream(&b, sizes[k], 11 + k);
		ck_assert(portset_equal(&a, &b));
		ck_assert_uint_eq(portset_count(&a), sizes[k]);
		/* The same bytes too, though the tables' layouts differ. */
		struct bs_buf ba = {0}, bb = {0};
		ck_assert_int_eq(portset_encode(&a, &ba), 0);
		ck_assert_int_eq(portset_encode(&b, &bb), 0);
		ck_assert_uint_eq(ba.len, bb.len);
		ck_assert(memcmp(ba.data, bb.data, ba.len) == 0);
		bs_buf_free(&ba);
		bs_buf_free(&bb);
		/* One port swapped for another: no longer equal. */
		if (sizes[k] <= PORTSET_SMALL_MAX) {
			portset_t c = {0};
			add_stream(&c, sizes[k] - 1, 3);
			ck_assert_int_eq(portset_add(&c, 2), 0); /* not 1 mod 127 */
			ck_assert_uint_eq(portset_count(&c), sizes[k]);
			ck_assert(!portset_equal(&a, &c) && !portset_equal(&c, &a));
			portset_clear(&c);
		}
		portset_clear(&a);
		portset_clear(&b);
	}
}
END_TEST

/* merge(stream(n1), stream(n2)) equals adding both streams to one. */
static void check_merge(uint32_t n1, uint32_t n2)
{
	portset_t a = {0}, b = {0}, seq = {0};
	add_stream(&a, n1, 5);
	add_stream(&b, n2, 6);
	add_stream(&seq, n1, 0);
	add_stream(&seq, n2, 0);
	ck_assert_int_eq(portset_merge(&a, &b), 0);
	ck_assert_msg(portset_equal(&a, &seq), "merge %u + %u", n1, n2);
	ck_assert_uint_eq(portset_count(&a), n1 > n2 ? n1 : n2); /* the streams nest */
	portset_clear(&a);
	portset_clear(&b);
	portset_clear(&seq);
}

START_TEST(merge_equals_sequential)
{
	const uint32_t max = PORTSET_SMALL_MAX;
	check_merge(0, 3);
	check_merge(3, 0);
	check_merge(3, 10);        /* shared ports count once */
	check_merge(max, max);     /* same ports, stays small */
	check_merge(max + 1, 2);   /* bitmap + table */
	check_merge(2, max + 1);   /* table + bitmap */
	check_merge(max + 1, 516); /* bitmap + bitmap */
}
END_TEST

START_TEST(merge_small_overflowing_to_bitmap)
{
	/* Disjoint tables whose union passes the table's maximum. */
	portset_t a = {0}, b = {0}, seq = {0};
	for (uint32_t p = 0; p < PORTSET_SMALL_MAX; p++) {
		ck_assert_int_eq(portset_add(&a, (uint16_t)p), 0);
		ck_assert_int_eq(portset_add(&seq, (uint16_t)p), 0);
	}
	ck_assert_int_eq(portset_add(&b, 60000), 0);
	ck_assert_int_eq(portset_add(&b, 0), 0); /* shared */
	ck_assert_int_eq(portset_add(&seq, 60000), 0);
	ck_assert_int_eq(portset_merge(&a, &b), 0);
	ck_assert_ptr_nonnull(a.bits);
	ck_assert(portset_equal(&a, &seq));
	ck_assert_uint_eq(portset_count(&a), PORTSET_SMALL_MAX + 1);
	portset_clear(&a);
	portset_clear(&b);
	portset_clear(&seq);
}
END_TEST

/* codec_try for portset_decode(); a refused set must be left empty. */
static int try_decode(const uint8_t *p, size_t len, const char **why)
{
	struct bs_buf_reader r;
	portset_t ps = {0}, none = {0};
	bs_buf_reader_init(&r, p, len);
	int rc = portset_decode(&ps, &r);
	*why = r.why;
	if (rc < 0)
		ck_assert(portset_equal(&ps, &none) && ps.small == NULL && ps.bits == NULL);
	else if (bs_buf_left(&r) != 0)
		rc = 1;
	portset_clear(&ps);
	return rc;
}

/* ps's bytes, checked: decoded equal (same form and count), re-encoded
 * identical, and, when truncations, every truncation refused. Returns the
 * decoded copy. */
static portset_t round_trip(const portset_t *ps, struct bs_buf *bytes, bool truncations)
{
	struct bs_buf again = {0};
	struct bs_buf_reader r;
	portset_t back = {0};

	ck_assert_int_eq(portset_encode(ps, bytes), 0);
	size_t n = portset_count(ps);
	ck_assert_uint_eq(bytes->len, 4 + (n > PORTSET_SMALL_MAX ? 8 * PORTSET_WORDS : 2 * n));
	bs_buf_reader_init(&r, bytes->data, bytes->len);
	ck_assert_int_eq(portset_decode(&back, &r), 0);
	ck_assert_uint_eq(bs_buf_left(&r), 0);
	ck_assert(portset_equal(&back, ps));
	ck_assert_int_eq(back.bits != NULL, ps->bits != NULL);
	ck_assert_uint_eq(portset_count(&back), portset_count(ps));
	ck_assert_int_eq(portset_encode(&back, &again), 0);
	codec_assert_same(bytes, &again);
	if (truncations)
		codec_assert_truncations(bytes, try_decode);
	bs_buf_free(&again);
	return back;
}

START_TEST(codec_round_trip)
{
	/* Empty, one port, the table at its max, one past (a fresh bitmap). */
	static const uint32_t sizes[] = {0, 1, 5, PORTSET_SMALL_MAX, PORTSET_SMALL_MAX + 1};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		portset_t ps = {0};
		struct bs_buf b = {0};
		add_stream(&ps, sizes[k], k + 1);
		portset_t back = round_trip(&ps, &b, true);
		ck_assert_int_eq(portset_add(&ps, 7), 0); /* goes on like the original */
		ck_assert_int_eq(portset_add(&back, 7), 0);
		ck_assert(portset_equal(&back, &ps));
		portset_clear(&ps);
		portset_clear(&back);
		bs_buf_free(&b);
	}
	/* Every port, the extremes included. */
	portset_t ps = {0};
	struct bs_buf b = {0};
	for (uint32_t p = 0; p < PORTSET_PORTS; p++)
		ck_assert_int_eq(portset_add(&ps, (uint16_t)p), 0);
	portset_t back = round_trip(&ps, &b, false);
	ck_assert_uint_eq(portset_count(&back), PORTSET_PORTS);
	portset_clear(&ps);
	portset_clear(&back);
	bs_buf_free(&b);
}
END_TEST

/* Merging decoded sets gives what merging the originals gives. */
static void check_decoded_merge(uint32_t n1, uint32_t n2)
{
	portset_t a = {0}, b = {0};
	struct bs_buf ba = {0}, bb = {0};
	add_stream(&a, n1, 5);
	add_stream(&b, n2, 6);
	portset_t a2 = round_trip(&a, &ba, false), b2 = round_trip(&b, &bb, false);
	ck_assert_int_eq(portset_merge(&a, &b), 0);
	ck_assert_int_eq(portset_merge(&a2, &b2), 0);
	ck_assert(portset_equal(&a, &a2));
	portset_clear(&a);
	portset_clear(&b);
	portset_clear(&a2);
	portset_clear(&b2);
	bs_buf_free(&ba);
	bs_buf_free(&bb);
}

START_TEST(codec_merge_of_decoded)
{
	check_decoded_merge(3, 10);
	check_decoded_merge(PORTSET_SMALL_MAX, 2);
	check_decoded_merge(PORTSET_SMALL_MAX + 1, 2);
	check_decoded_merge(PORTSET_SMALL_MAX + 1, 516);
}
END_TEST

START_TEST(codec_refuses_corruption)
{
	portset_t ps = {0};
	struct bs_buf b = {0};
	add_stream(&ps, 3, 0); /* ports 1, 128, 255 */
	ck_assert_int_eq(portset_encode(&ps, &b), 0);
	/* Ports at bytes 4, 6, 8. */
	b.data[6] = 1; /* port 1 again */
	b.data[7] = 0;
	codec_assert_refused(try_decode, b.data, b.len, "strictly increasing");
	b.data[6] = 0; /* port 0 after port 1 */
	codec_assert_refused(try_decode, b.data, b.len, "strictly increasing");
	/* More ports than exist. */
	codec_poke_u32(b.data, 0, PORTSET_PORTS + 1);
	codec_assert_refused(try_decode, b.data, b.len, "more ports");
	/* A bitmap whose bits do not add up to the count. */
	bs_buf_free(&b);
	portset_clear(&ps);
	add_stream(&ps, PORTSET_SMALL_MAX + 1, 0);
	ck_assert_int_eq(portset_encode(&ps, &b), 0);
	b.data[4 + 100] ^= 0x10;
	codec_assert_refused(try_decode, b.data, b.len, "bits set");
	b.data[4 + 100] ^= 0x10;
	codec_poke_u32(b.data, 0, PORTSET_SMALL_MAX + 2);
	codec_assert_refused(try_decode, b.data, b.len, "bits set");
	portset_clear(&ps);
	bs_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("portset");
	TCase *edge = tcase_create("edge");
	tcase_add_test(edge, empty);
	tcase_add_test(edge, repeats_count_once);
	tcase_add_test(edge, promotes_to_bitmap_exactly);
	tcase_add_test(edge, every_port);
	suite_add_tcase(s, edge);
	TCase *merge = tcase_create("merge");
	tcase_add_test(merge, order_independent);
	tcase_add_test(merge, merge_equals_sequential);
	tcase_add_test(merge, merge_small_overflowing_to_bitmap);
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

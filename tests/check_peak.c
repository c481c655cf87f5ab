/* check_peak.c - the sliding-window peak: the definition at its edges,
 * agreement with a brute-force count on long random streams, order
 * independence within the documented lateness, merge at a boundary
 * equal (bit for bit) to one sequential pass, and the state as bytes:
 * decoded equal, re-encoded identical, merged alike, truncations and
 * corruptions refused. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "check_codec.h"
#include "telescope/peak.h"

#define US 1000000u
/* Packets per random stream. */
#define STREAM_MAX 3000u

/* splitmix64: a fixed pseudo-random sequence. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Independent brute force: the most packets whose whole seconds lie in
 * [s, s + 59] for s ranging over every packet's second (a best window can
 * always be slid right until it starts at a packet). */
static uint64_t brute_peak(const uint64_t *ts, size_t n)
{
	uint64_t *sec = malloc((n + 1) * sizeof *sec), best = 0;
	ck_assert_ptr_nonnull(sec);
	for (size_t i = 0; i < n; i++)
		sec[i] = ts[i] / US;
	qsort(sec, n, sizeof *sec, cmp_u64);
	for (size_t i = 0; i < n; i++) {
		uint64_t c = 0;
		for (size_t j = i; j < n && sec[j] < sec[i] + PEAK_WINDOW_S; j++)
			c++;
		if (c > best)
			best = c;
	}
	free(sec);
	return best;
}

/* A sorted stream mixing bursts, steady packets, gaps near the window and
 * tail sizes, and the odd gap of days. Returns the number of packets. */
static size_t gen_stream(uint64_t *ts, size_t n, uint64_t start_s, uint64_t seed)
{
	uint64_t t = start_s * US;
	for (size_t i = 0; i < n; i++) {
		uint64_t r = next_rand(&seed) % 1000;
		if (r < 600)
			t += next_rand(&seed) % (US / 2); /* burst */
		else if (r < 900)
			t += next_rand(&seed) % (10 * US);
		else if (r < 995)
			t += (50 + next_rand(&seed) % 100) * US; /* around 60 and 120 s */
		else
			t += (next_rand(&seed) % 5) * 86400ull * US;
		ts[i] = t;
	}
	return n;
}

static void add_all(peak_t *p, const uint64_t *ts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(peak_add(p, ts[i]), 0);
}

START_TEST(empty)
{
	peak_t a = {0}, b = {0};
	ck_assert_uint_eq(peak_value(&a), 0);
	ck_assert_int_eq(peak_merge(&a, &b), 0);
	ck_assert(peak_equal(&a, &b));
	ck_assert_uint_eq(peak_value(&a), 0);
	peak_clear(&a);
	peak_clear(&a);
}
END_TEST

START_TEST(window_edges)
{
	peak_t p = {0};
	ck_assert_int_eq(peak_add(&p, 0), 0); /* the epoch itself */
	ck_assert_uint_eq(peak_value(&p), 1);
	ck_assert_int_eq(peak_add(&p, 59 * US + 999999), 0); /* second 59: same window */
	ck_assert_uint_eq(peak_value(&p), 2);
	peak_clear(&p);

	ck_assert_int_eq(peak_add(&p, 0), 0);
	ck_assert_int_eq(peak_add(&p, 60 * US), 0); /* second 60: 61 seconds apart */
	ck_assert_uint_eq(peak_value(&p), 1);
	peak_clear(&p);
}
END_TEST

START_TEST(window_edges_with_rings)
{
	/* Same edges past PEAK_INLINE_MAX packets, at a realistic epoch. */
	const uint64_t base = 1700000000ull * US;
	peak_t p = {0};
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(peak_add(&p, base + 1000 * US), 0);
	ck_assert_int_eq(peak_add(&p, base + 1059 * US + 999999), 0);
	ck_assert_uint_eq(peak_value(&p), 11);
	ck_assert_int_eq(peak_add(&p, base + 1060 * US), 0);
	ck_assert_int_eq(peak_add(&p, base + 1060 * US), 0);
	ck_assert_uint_eq(peak_value(&p), 11); /* [1001, 1060] has 3 */
	peak_clear(&p);
}
END_TEST

START_TEST(burst_straddling_minute)
{
	/* 15 packets in each of two calendar minutes: fixed per-minute bins
	 * see 15, the sliding window sees 30. */
	const uint64_t base = 1700000040ull * US; /* second 40 of a minute */
	uint64_t ts[30];
	peak_t p = {0};
	for (int i = 0; i < 30; i++)
		ts[i] = base + (uint64_t)(10 + i) * US; /* seconds 50 .. 79 */
	add_all(&p, ts, 30);
	ck_assert_uint_eq(peak_value(&p), 30);
	ck_assert_uint_eq(brute_peak(ts, 30), 30);
	peak_clear(&p);
}
END_TEST

START_TEST(inline_any_order)
{
	const uint64_t ts[4] = {500 * US, 3 * US, 559 * US + 999999, 530 * US};
	const int orders[3][4] = {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}};
	peak_t ref = {0};
	add_all(&ref, ts, 4);
	ck_assert_uint_eq(peak_value(&ref), 3); /* 500, 530, 559 */
	for (int k = 0; k < 3; k++) {
		peak_t p = {0};
		for (int i = 0; i < 4; i++)
			ck_assert_int_eq(peak_add(&p, ts[orders[k][i]]), 0);
		ck_assert(peak_equal(&p, &ref));
		/* The fifth packet promotes to rings; the state stays canonical. */
		ck_assert_int_eq(peak_add(&p, 540 * US), 0);
		peak_t q = {0};
		const uint64_t sorted[5] = {3 * US, 500 * US, 530 * US, 540 * US,
		                            559 * US + 999999};
		add_all(&q, sorted, 5);
		ck_assert(peak_equal(&p, &q));
		ck_assert_uint_eq(peak_value(&p), 4);
		peak_clear(&p);
		peak_clear(&q);
	}
	peak_clear(&ref);
}
END_TEST

START_TEST(random_streams_match_brute_force)
{
	static uint64_t ts[STREAM_MAX];
	for (uint64_t seed = 1; seed <= 20; seed++) {
		uint64_t start = seed % 2 ? 0 : 1700000000ull; /* near the epoch, and now */
		size_t n = gen_stream(ts, STREAM_MAX, start, seed);
		peak_t p = {0};
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_eq(peak_add(&p, ts[i]), 0);
			if (i % 97 == 0 || i < 8)
				ck_assert_uint_eq(peak_value(&p), brute_peak(ts, i + 1));
		}
		ck_assert_uint_eq(peak_value(&p), brute_peak(ts, n));
		peak_clear(&p);
	}
}
END_TEST

/* Shuffles ts within consecutive 61-second spans: no packet is then more
 * than 60 s behind the newest second seen before it. */
static void shuffle_bounded(uint64_t *ts, size_t n, uint64_t seed)
{
	for (size_t lo = 0; lo < n;) {
		size_t hi = lo;
		while (hi < n && ts[hi] / US / 61 == ts[lo] / US / 61)
			hi++;
		for (size_t i = hi - lo; i > 1; i--) {
			size_t j = lo + next_rand(&seed) % i;
			uint64_t tmp = ts[lo + i - 1];
			ts[lo + i - 1] = ts[j];
			ts[j] = tmp;
		}
		lo = hi;
	}
}

START_TEST(out_of_order_within_window_is_exact)
{
	static uint64_t ts[STREAM_MAX], shuffled[STREAM_MAX];
	for (uint64_t seed = 1; seed <= 10; seed++) {
		size_t n = gen_stream(ts, STREAM_MAX, 1700000000ull, seed + 100);
		memcpy(shuffled, ts, n * sizeof *ts);
		shuffle_bounded(shuffled, n, seed);
		peak_t a = {0}, b = {0};
		add_all(&a, ts, n);
		add_all(&b, shuffled, n);
		ck_assert(peak_equal(&a, &b));
		ck_assert_uint_eq(peak_value(&b), brute_peak(ts, n));
		peak_clear(&a);
		peak_clear(&b);
	}
}
END_TEST

START_TEST(late_by_exactly_60s_is_exact)
{
	/* 30 packets at second 41, the newest at 160, then one for second 100
	 * (60 s late): only window [41, 100] holds the burst and the late
	 * packet, and it must still be open. */
	uint64_t ts[32];
	for (int i = 0; i < 30; i++)
		ts[i] = 41 * US;
	ts[30] = 160 * US;
	ts[31] = 100 * US + 5;
	peak_t p = {0}, sorted = {0};
	add_all(&p, ts, 32);
	ck_assert_uint_eq(brute_peak(ts, 32), 31);
	ck_assert_uint_eq(peak_value(&p), 31);
	qsort(ts, 32, sizeof *ts, cmp_u64);
	add_all(&sorted, ts, 32);
	ck_assert(peak_equal(&p, &sorted));
	peak_clear(&p);
	peak_clear(&sorted);
}
END_TEST

START_TEST(later_than_60s_is_a_lower_bound)
{
	/* The documented limit: 30 packets at second 40, the newest at 160;
	 * a packet for second 99 (61 s late) belongs with the burst in window
	 * [40, 99], which was settled when second 160 arrived. The packet is
	 * still counted (packets, head, tail), the peak stays 30, not 31. */
	uint64_t ts[32];
	for (int i = 0; i < 30; i++)
		ts[i] = 40 * US;
	ts[30] = 160 * US;
	ts[31] = 99 * US;
	peak_t p = {0};
	add_all(&p, ts, 32);
	ck_assert_uint_eq(p.packets, 32);
	ck_assert_uint_eq(brute_peak(ts, 32), 31);
	ck_assert_uint_eq(peak_value(&p), 30);
	peak_clear(&p);
}
END_TEST

/* Checks merge(A, B) and merge(B, A), A = ts[0, split), B = the rest,
 * against one pass over all of ts. */
static void check_split(const uint64_t *ts, size_t n, size_t split)
{
	peak_t a = {0}, b = {0}, a2 = {0}, b2 = {0}, seq = {0};
	add_all(&a, ts, split);
	add_all(&a2, ts, split);
	add_all(&b, ts + split, n - split);
	add_all(&b2, ts + split, n - split);
	add_all(&seq, ts, n);
	ck_assert_int_eq(peak_merge(&a, &b), 0);
	ck_assert_msg(peak_equal(&a, &seq), "merge at %zu of %zu", split, n);
	ck_assert_int_eq(peak_merge(&b2, &a2), 0);
	ck_assert_msg(peak_equal(&b2, &seq), "reverse merge at %zu of %zu", split, n);
	ck_assert_uint_eq(peak_value(&a), brute_peak(ts, n));
	peak_clear(&a);
	peak_clear(&a2);
	peak_clear(&b);
	peak_clear(&b2);
	peak_clear(&seq);
}

START_TEST(merge_at_boundary_equals_sequential)
{
	static uint64_t ts[400];
	for (uint64_t seed = 1; seed <= 6; seed++) {
		size_t n = gen_stream(ts, 400, seed % 2 ? 0 : 1700000000ull, seed + 200);
		for (size_t split = 0; split <= n; split++)
			check_split(ts, n, split);
	}
	/* Small flows (inline states) and a shared boundary second. */
	const uint64_t small[7] = {10 * US,     10 * US,     11 * US, 70 * US,
	                           70 * US + 1, 70 * US + 2, 200 * US};
	for (size_t n = 0; n <= 7; n++)
		for (size_t split = 0; split <= n; split++)
			check_split(small, n, split);
}
END_TEST

START_TEST(merge_overlapping)
{
	/* Interleaved flows: exact while every second is still covered by
	 * head or tail (here, spans under 120 s)... */
	static uint64_t ts[STREAM_MAX];
	peak_t a = {0}, b = {0}, seq = {0};
	for (int i = 0; i < 100; i++) {
		ts[i] = 5000 * US + (uint64_t)i * 1100000u; /* 110 s */
		ck_assert_int_eq(peak_add(i % 2 ? &a : &b, ts[i]), 0);
		ck_assert_int_eq(peak_add(&seq, ts[i]), 0);
	}
	ck_assert_int_eq(peak_merge(&a, &b), 0);
	ck_assert(peak_equal(&a, &seq));
	peak_clear(&a);
	peak_clear(&b);
	peak_clear(&seq);

	/* ...and otherwise a lower bound that never exceeds the truth. */
	uint64_t rng = 42;
	for (uint64_t seed = 1; seed <= 5; seed++) {
		size_t n = gen_stream(ts, STREAM_MAX, 1700000000ull, seed + 300);
		for (size_t i = 0; i < n; i++)
			ck_assert_int_eq(peak_add(next_rand(&rng) % 2 ? &a : &b, ts[i]), 0);
		ck_assert_int_eq(peak_merge(&a, &b), 0);
		ck_assert_uint_eq(a.packets, n);
		ck_assert_uint_le(peak_value(&a), brute_peak(ts, n));
		peak_clear(&a);
		peak_clear(&b);
	}
}
END_TEST

/* codec_try for peak_decode(); a refused state must be left empty. */
static int try_decode(const uint8_t *p, size_t len, const char **why)
{
	struct bs_buf_reader r;
	peak_t pk = {0}, none = {0};
	bs_buf_reader_init(&r, p, len);
	int rc = peak_decode(&pk, &r);
	*why = r.why;
	if (rc < 0)
		ck_assert(peak_equal(&pk, &none) && pk.rings == NULL);
	else if (bs_buf_left(&r) != 0)
		rc = 1;
	peak_clear(&pk);
	return rc;
}

/* Bytes of an encoded state: packets, then 8 per second inline; or first,
 * last and settled, then the u32 head and tail. */
#define PEAK_RINGS_BYTES (4 * 8 + 4 * (PEAK_WINDOW_S + PEAK_TAIL_S))
#define PEAK_HEAD_AT     32u
#define PEAK_TAIL_AT     (PEAK_HEAD_AT + 4 * PEAK_WINDOW_S)

/* p's bytes, checked: decoded equal with the same value, re-encoded
 * identical, and, when truncations, every truncation refused. Returns the
 * decoded copy. */
static peak_t round_trip(const peak_t *p, struct bs_buf *bytes, bool truncations)
{
	struct bs_buf again = {0};
	struct bs_buf_reader r;
	peak_t back = {0};

	ck_assert_int_eq(peak_encode(p, bytes), 0);
	ck_assert_uint_eq(bytes->len,
	                  p->rings != NULL ? PEAK_RINGS_BYTES : 8 + 8 * (size_t)p->packets);
	bs_buf_reader_init(&r, bytes->data, bytes->len);
	ck_assert_int_eq(peak_decode(&back, &r), 0);
	ck_assert_uint_eq(bs_buf_left(&r), 0);
	ck_assert(peak_equal(&back, p)); /* the running window sum included */
	ck_assert_uint_eq(peak_value(&back), peak_value(p));
	ck_assert_int_eq(peak_encode(&back, &again), 0);
	codec_assert_same(bytes, &again);
	if (truncations)
		codec_assert_truncations(bytes, try_decode);
	bs_buf_free(&again);
	return back;
}

START_TEST(codec_round_trip)
{
	static uint64_t ts[STREAM_MAX];
	/* Empty, inline up to the max, just promoted. */
	for (size_t n = 0; n <= PEAK_INLINE_MAX + 1; n++) {
		peak_t p = {0};
		struct bs_buf b = {0};
		for (size_t i = 0; i < n; i++)
			ck_assert_int_eq(peak_add(&p, 1700000000ull * US + (n - i) * 7 * US), 0);
		peak_t back = round_trip(&p, &b, true);
		peak_clear(&back);
		peak_clear(&p);
		bs_buf_free(&b);
	}
	/* Random streams near the epoch (a tail not yet full) and now (the
	 * ring wrapped many times), stopped at many lengths; each decoded
	 * state goes on like the original. */
	for (uint64_t seed = 1; seed <= 6; seed++) {
		size_t n = gen_stream(ts, 400, seed % 2 ? 0 : 1700000000ull, seed + 500);
		for (size_t stop = 5; stop < n; stop += 37) {
			peak_t p = {0};
			struct bs_buf b = {0};
			add_all(&p, ts, stop);
			peak_t back = round_trip(&p, &b, stop == 5 + 37);
			add_all(&p, ts + stop, n - stop);
			add_all(&back, ts + stop, n - stop);
			ck_assert(peak_equal(&back, &p));
			ck_assert_uint_eq(peak_value(&back), brute_peak(ts, n));
			peak_clear(&back);
			peak_clear(&p);
			bs_buf_free(&b);
		}
	}
}
END_TEST

START_TEST(codec_merge_of_decoded)
{
	/* Split a stream at several points: merging the decoded halves
	 * equals merging the originals, and one pass. */
	static uint64_t ts[400];
	for (uint64_t seed = 1; seed <= 4; seed++) {
		size_t n = gen_stream(ts, 400, seed % 2 ? 0 : 1700000000ull, seed + 600);
		for (size_t split = 0; split <= n; split += 23) {
			peak_t a = {0}, b = {0}, seq = {0};
			struct bs_buf ba = {0}, bb = {0};
			add_all(&a, ts, split);
			add_all(&b, ts + split, n - split);
			add_all(&seq, ts, n);
			peak_t a2 = round_trip(&a, &ba, false), b2 = round_trip(&b, &bb, false);
			ck_assert_int_eq(peak_merge(&a, &b), 0);
			ck_assert_int_eq(peak_merge(&a2, &b2), 0);
			ck_assert(peak_equal(&a2, &a));
			ck_assert(peak_equal(&a2, &seq));
			/* A merged state encodes and decodes like any. */
			bs_buf_free(&ba);
			peak_t a3 = round_trip(&a2, &ba, false);
			peak_clear(&a3);
			peak_clear(&a);
			peak_clear(&b);
			peak_clear(&a2);
			peak_clear(&b2);
			peak_clear(&seq);
			bs_buf_free(&ba);
			bs_buf_free(&bb);
		}
	}
}
END_TEST

/* The encoding of a rings state of 30 packets, one a second from second
 * start_s, and its first tail slot. */
static void rings_bytes(uint64_t start_s, struct bs_buf *b)
{
	peak_t p = {0};
	for (uint64_t i = 0; i < 30; i++)
		ck_assert_int_eq(peak_add(&p, (start_s + i) * US), 0);
	ck_assert_int_eq(peak_encode(&p, b), 0);
	peak_clear(&p);
}

START_TEST(codec_refuses_corruption)
{
	struct bs_buf b = {0};
	const char *why;
	/* Inline: two seconds out of order, a second past any u64 time. */
	bs_buf_put_u64(&b, 2);
	bs_buf_put_u64(&b, 5);
	bs_buf_put_u64(&b, 3);
	codec_assert_refused(try_decode, b.data, b.len, "increasing order");
	codec_poke_u64(b.data, 16, PEAK_SECOND_MAX);
	ck_assert_int_eq(codec_run(try_decode, b.data, b.len, &why), 0);
	codec_poke_u64(b.data, 16, PEAK_SECOND_MAX + 1);
	codec_assert_refused(try_decode, b.data, b.len, "second out of range");
	bs_buf_free(&b);

	/* Rings 30 s long at second 1000: the head covers 1000 .. 1059,
	 * the tail 881 .. 1000 + 29. */
	rings_bytes(1000, &b);
	uint8_t *p = b.data;
	ck_assert_int_eq(codec_run(try_decode, p, b.len, &why), 0);
	codec_poke_u32(p, PEAK_HEAD_AT + 4 * 59, 1); /* second 1059, after the last */
	codec_assert_refused(try_decode, p, b.len, "after the last second");
	codec_poke_u32(p, PEAK_HEAD_AT + 4 * 59, 0);
	codec_poke_u32(p, PEAK_HEAD_AT, 2); /* second 1000: the tail says 1 */
	codec_assert_refused(try_decode, p, b.len, "disagree");
	codec_poke_u32(p, PEAK_HEAD_AT, 1);
	codec_poke_u64(p, 24, 31); /* settled above the 30 packets */
	codec_assert_refused(try_decode, p, b.len, "more packets in a window");
	codec_poke_u64(p, 24, 0);
	codec_poke_u64(p, 8, 1030); /* first after last */
	codec_assert_refused(try_decode, p, b.len, "out of range");
	codec_poke_u64(p, 8, PEAK_SECOND_MAX + 1);
	codec_poke_u64(p, 16, PEAK_SECOND_MAX + 2);
	codec_assert_refused(try_decode, p, b.len, "out of range");
	bs_buf_free(&b);

	/* Near the epoch the tail covers seconds 0 .. 29 only: slot 100
	 * stands for no second yet. */
	rings_bytes(0, &b);
	ck_assert_int_eq(codec_run(try_decode, b.data, b.len, &why), 0);
	codec_poke_u32(b.data, PEAK_TAIL_AT + 4 * 100, 1);
	codec_assert_refused(try_decode, b.data, b.len, "outside the tail");
	bs_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("peak");
	TCase *edge = tcase_create("edge");
	tcase_add_test(edge, empty);
	tcase_add_test(edge, window_edges);
	tcase_add_test(edge, window_edges_with_rings);
	tcase_add_test(edge, burst_straddling_minute);
	tcase_add_test(edge, inline_any_order);
	suite_add_tcase(s, edge);
	TCase *order = tcase_create("order");
	tcase_set_timeout(order, 60);
	tcase_add_test(order, random_streams_match_brute_force);
	tcase_add_test(order, out_of_order_within_window_is_exact);
	tcase_add_test(order, late_by_exactly_60s_is_exact);
	tcase_add_test(order, later_than_60s_is_a_lower_bound);
	suite_add_tcase(s, order);
	TCase *merge = tcase_create("merge");
	tcase_set_timeout(merge, 60);
	tcase_add_test(merge, merge_at_boundary_equals_sequential);
	tcase_add_test(merge, merge_overlapping);
	suite_add_tcase(s, merge);
	TCase *codec = tcase_create("codec");
	tcase_set_timeout(codec, 120);
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

/* check_distinct.c - the distinct counter: exact below DISTINCT_EXACT_MAX,
 * HyperLogLog above, the same state whatever the insertion order, merge
 * equal to adding everything to one counter, and the state as bytes:
 * decoded equal, re-encoded identical, merged alike, truncations and
 * corruptions refused. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <xxhash.h>

#include "base/bs_error.h"
#include "check_codec.h"
#include "telescope/distinct.h"

/* Item i's hash, as attack.c hashes destinations. */
static uint64_t item(uint64_t i)
{
	return XXH3_64bits(&i, sizeof i);
}

/* splitmix64: a fixed pseudo-random sequence for shuffles. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Adds items lo .. hi-1, in a shuffled order when seed is not 0. */
static void add_range(distinct_t *d, uint64_t lo, uint64_t hi, uint64_t seed)
{
	uint64_t n = hi - lo;
	uint64_t *order = malloc(n * sizeof *order);
	ck_assert_ptr_nonnull(order);
	for (uint64_t i = 0; i < n; i++)
		order[i] = lo + i;
	for (uint64_t i = n; seed != 0 && i > 1; i--) {
		uint64_t j = next_rand(&seed) % i, tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
	for (uint64_t i = 0; i < n; i++)
		ck_assert_int_eq(distinct_add(d, item(order[i])), 0);
	free(order);
}

START_TEST(empty)
{
	distinct_t a = {0}, b = {0};
	ck_assert_uint_eq(distinct_count(&a), 0);
	ck_assert(distinct_is_exact(&a));
	ck_assert(distinct_equal(&a, &b));
	ck_assert_int_eq(distinct_merge(&a, &b), 0);
	ck_assert_uint_eq(distinct_count(&a), 0);
	distinct_clear(&a);
	distinct_clear(&a); /* twice is fine */
}
END_TEST

START_TEST(duplicates_count_once)
{
	distinct_t d = {0};
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(distinct_add(&d, item(7)), 0);
	ck_assert_int_eq(distinct_add(&d, 0), 0); /* hash 0 is an item like any */
	ck_assert_int_eq(distinct_add(&d, UINT64_MAX), 0);
	ck_assert_uint_eq(distinct_count(&d), 3);
	distinct_clear(&d);
	ck_assert_uint_eq(distinct_count(&d), 0);
}
END_TEST

START_TEST(exact_up_to_max)
{
	distinct_t d = {0};
	add_range(&d, 0, DISTINCT_EXACT_MAX, 1);
	add_range(&d, 0, DISTINCT_EXACT_MAX, 2); /* all again: still exact */
	ck_assert(distinct_is_exact(&d));
	ck_assert_uint_eq(distinct_count(&d), DISTINCT_EXACT_MAX);
	ck_assert_int_eq(distinct_add(&d, item(DISTINCT_EXACT_MAX)), 0);
	ck_assert(!distinct_is_exact(&d));
	/* 513 items: the estimate is within 3 standard errors (3 x 1.6%). */
	ck_assert_uint_ge(distinct_count(&d), 488); /* 513 - 4.9% */
	ck_assert_uint_le(distinct_count(&d), 538); /* 513 + 4.9% */
	distinct_clear(&d);
}
END_TEST

/* Hashes that share their low bits, 0 among them, all land in one slot of
 * the exact set's table: the set must still count each once, in any
 * order, and encode them alike. */
START_TEST(colliding_hashes)
{
	distinct_t up = {0}, down = {0};
	for (uint64_t k = 0; k < DISTINCT_EXACT_MAX; k++) {
		ck_assert_int_eq(distinct_add(&up, k << 40), 0);
		ck_assert_int_eq(distinct_add(&up, k << 40), 0);
		ck_assert_int_eq(distinct_add(&down, (DISTINCT_EXACT_MAX - 1 - k) << 40), 0);
	}
	ck_assert(distinct_is_exact(&up));
	ck_assert_uint_eq(distinct_count(&up), DISTINCT_EXACT_MAX);
	ck_assert(distinct_equal(&up, &down));
	struct bs_buf a = {0}, b = {0};
	ck_assert_int_eq(distinct_encode(&up, &a), 0);
	ck_assert_int_eq(distinct_encode(&down, &b), 0);
	codec_assert_same(&a, &b);
	bs_buf_free(&a);
	bs_buf_free(&b);
	ck_assert_int_eq(distinct_add(&up, (uint64_t)DISTINCT_EXACT_MAX << 40), 0);
	ck_assert(!distinct_is_exact(&up));
	ck_assert(!distinct_equal(&up, &down));
	distinct_clear(&up);
	distinct_clear(&down);
}
END_TEST

START_TEST(sketch_accuracy)
{
	/* Deterministic hashes, so each estimate is fixed; 3 standard errors
	 * (4.9%) is a bound any correct HLL with p = 12 meets for most item
	 * sets, and the mid range (~2.5 m) is where estimators tend to be
	 * biased. */
	static const uint64_t sizes[] = {600, 3000, 10000, 20000, 100000, 1000000};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		distinct_t d = {0};
		add_range(&d, 1000000000u * k, 1000000000u * k + sizes[k], 0);
		double est = (double)distinct_count(&d);
		ck_assert_msg(fabs(est - sizes[k]) <= 0.049 * sizes[k], "n=%llu est=%.0f",
		              (unsigned long long)sizes[k], est);
		distinct_clear(&d);
	}
}
END_TEST

START_TEST(order_independent)
{
	static const uint64_t sizes[] = {1, 10, DISTINCT_EXACT_MAX, DISTINCT_EXACT_MAX + 1, 5000};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		distinct_t a = {0}, b = {0};
		add_range(&a, 0, sizes[k], 0);
		add_range(&b, 0, sizes[k], 99 + k);
		add_range(&b, 0, sizes[k] / 2, 7); /* repeats change nothing */
		ck_assert(distinct_equal(&a, &b));
		ck_assert_uint_eq(distinct_count(&a), distinct_count(&b));
		distinct_clear(&a);
		distinct_clear(&b);
	}
}
END_TEST

/* merge(items lo1..hi1, items lo2..hi2) equals adding both to one. */
static void check_merge(uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2)
{
	distinct_t a = {0}, b = {0}, seq = {0};
	add_range(&a, lo1, hi1, 3);
	add_range(&b, lo2, hi2, 4);
	add_range(&seq, lo1, hi1, 0);
	add_range(&seq, lo2, hi2, 0);
	ck_assert_int_eq(distinct_merge(&a, &b), 0);
	ck_assert_msg(distinct_equal(&a, &seq), "merge [%llu,%llu) + [%llu,%llu)",
	              (unsigned long long)lo1, (unsigned long long)hi1, (unsigned long long)lo2,
	              (unsigned long long)hi2);
	ck_assert_uint_eq(distinct_count(&a), distinct_count(&seq));
	distinct_clear(&a);
	distinct_clear(&b);
	distinct_clear(&seq);
}

START_TEST(merge_equals_sequential)
{
	const uint64_t max = DISTINCT_EXACT_MAX;
	check_merge(0, 0, 0, 10);                  /* empty + exact */
	check_merge(0, 10, 0, 0);                  /* exact + empty */
	check_merge(0, 10, 5, 20);                 /* overlapping exact sets */
	check_merge(0, max / 2, max / 2, max);     /* union exactly at the max */
	check_merge(0, max / 2, max / 2, max + 1); /* union one past: sketch */
	check_merge(0, max, 0, max);               /* same full set */
	check_merge(0, 3000, 0, 10);               /* sketch + exact */
	check_merge(0, 10, 5, 3000);               /* exact + sketch */
	check_merge(0, 3000, 2000, 9000);          /* sketch + sketch */
}
END_TEST

/* codec_try for distinct_decode(); a refused state must be left empty. */
static int try_decode(const uint8_t *p, size_t len, const char **why)
{
	struct bs_buf_reader r;
	distinct_t d = {0}, none = {0};
	bs_buf_reader_init(&r, p, len);
	int rc = distinct_decode(&d, &r);
	*why = r.why;
	if (rc < 0)
		ck_assert(distinct_equal(&d, &none) && d.set == NULL && d.regs == NULL);
	else if (bs_buf_left(&r) != 0)
		rc = 1;
	distinct_clear(&d);
	return rc;
}

/* d's bytes, checked: decoded equal with the same count, re-encoded
 * identical, every truncation refused. Returns the decoded copy. */
static distinct_t round_trip(const distinct_t *d, struct bs_buf *bytes)
{
	struct bs_buf again = {0};
	struct bs_buf_reader r;
	distinct_t back = {0};

	ck_assert_int_eq(distinct_encode(d, bytes), 0);
	bs_buf_reader_init(&r, bytes->data, bytes->len);
	ck_assert_int_eq(distinct_decode(&back, &r), 0);
	ck_assert_uint_eq(bs_buf_left(&r), 0);
	ck_assert(distinct_equal(&back, d));
	ck_assert_uint_eq(distinct_count(&back), distinct_count(d));
	ck_assert_int_eq(distinct_is_exact(&back), distinct_is_exact(d));
	ck_assert_int_eq(distinct_encode(&back, &again), 0);
	codec_assert_same(bytes, &again);
	codec_assert_truncations(bytes, try_decode);
	bs_buf_free(&again);
	return back;
}

START_TEST(codec_round_trip)
{
	/* Empty, one item, exact at the max, one past (a fresh sketch),
	 * a large sketch. */
	static const uint64_t sizes[] = {0,     1, 7, DISTINCT_EXACT_MAX, DISTINCT_EXACT_MAX + 1,
	                                 100000};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		distinct_t d = {0};
		struct bs_buf b = {0};
		add_range(&d, 0, sizes[k], k + 1);
		distinct_t back = round_trip(&d, &b);
		/* The decoded state goes on like the original (the sketch's
		 * floor is rebuilt from the registers). */
		add_range(&d, 5000000, 5003000, 0);
		add_range(&back, 5000000, 5003000, 0);
		ck_assert(distinct_equal(&back, &d));
		distinct_clear(&d);
		distinct_clear(&back);
		bs_buf_free(&b);
	}
	/* Bytes: mode, count and hashes; mode and registers. */
	distinct_t d = {0};
	struct bs_buf b = {0};
	ck_assert_int_eq(distinct_encode(&d, &b), 0);
	ck_assert_uint_eq(b.len, 5);
	add_range(&d, 0, DISTINCT_EXACT_MAX + 1, 0);
	b.len = 0;
	ck_assert_int_eq(distinct_encode(&d, &b), 0);
	ck_assert_uint_eq(b.len, 1 + DISTINCT_HLL_M);
	distinct_clear(&d);
	bs_buf_free(&b);
}
END_TEST

/* Merging decoded states gives what merging the originals gives. */
static void check_decoded_merge(uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2)
{
	distinct_t a = {0}, b = {0};
	struct bs_buf ba = {0}, bb = {0};
	add_range(&a, lo1, hi1, 0);
	add_range(&b, lo2, hi2, 0);
	distinct_t a2 = round_trip(&a, &ba), b2 = round_trip(&b, &bb);
	ck_assert_int_eq(distinct_merge(&a, &b), 0);
	ck_assert_int_eq(distinct_merge(&a2, &b2), 0);
	ck_assert(distinct_equal(&a, &a2));
	ck_assert_uint_eq(distinct_count(&a), distinct_count(&a2));
	distinct_clear(&a);
	distinct_clear(&b);
	distinct_clear(&a2);
	distinct_clear(&b2);
	bs_buf_free(&ba);
	bs_buf_free(&bb);
}

START_TEST(codec_merge_of_decoded)
{
	const uint64_t max = DISTINCT_EXACT_MAX;
	check_decoded_merge(0, 10, 5, 20);
	check_decoded_merge(0, max / 2, max / 2, max + 1);
	check_decoded_merge(0, 3000, 0, 10);
	check_decoded_merge(0, 3000, 2000, 9000);
}
END_TEST

START_TEST(codec_refuses_corruption)
{
	distinct_t d = {0};
	struct bs_buf b = {0};
	add_range(&d, 0, 3, 0);
	ck_assert_int_eq(distinct_encode(&d, &b), 0);
	ck_assert_uint_eq(b.len, 5 + 3 * 8);
	/* Bytes 5, 13, 21: the three hashes in increasing order. */
	uint8_t *p = b.data;
	uint8_t tmp[8];
	memcpy(tmp, p + 5, 8);
	memcpy(p + 5, p + 13, 8);
	memcpy(p + 13, tmp, 8);
	codec_assert_refused(try_decode, p, b.len, "strictly increasing");
	memcpy(p + 13, p + 5, 8); /* a duplicate */
	codec_assert_refused(try_decode, p, b.len, "strictly increasing");
	p[0] = 2;
	codec_assert_refused(try_decode, p, b.len, "unknown mode");
	/* A count over the exact max, with the bytes to back it. */
	bs_buf_free(&b);
	bs_buf_put_u8(&b, 0);
	bs_buf_put_u32(&b, DISTINCT_EXACT_MAX + 1);
	for (uint64_t i = 0; i <= DISTINCT_EXACT_MAX; i++)
		bs_buf_put_u64(&b, i);
	codec_assert_refused(try_decode, b.data, b.len, "more hashes");
	/* A register above the largest rank. */
	bs_buf_free(&b);
	distinct_clear(&d);
	add_range(&d, 0, 2000, 0);
	ck_assert_int_eq(distinct_encode(&d, &b), 0);
	b.data[1 + 77] = DISTINCT_HLL_RANK_MAX;
	const char *why;
	ck_assert_int_eq(codec_run(try_decode, b.data, b.len, &why), 0);
	b.data[1 + 77] = DISTINCT_HLL_RANK_MAX + 1;
	codec_assert_refused(try_decode, b.data, b.len, "register out of range");
	distinct_clear(&d);
	bs_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("distinct");
	TCase *edge = tcase_create("edge");
	tcase_add_test(edge, empty);
	tcase_add_test(edge, duplicates_count_once);
	tcase_add_test(edge, exact_up_to_max);
	tcase_add_test(edge, colliding_hashes);
	suite_add_tcase(s, edge);
	TCase *sketch = tcase_create("sketch");
	tcase_set_timeout(sketch, 60);
	tcase_add_test(sketch, sketch_accuracy);
	suite_add_tcase(s, sketch);
	TCase *merge = tcase_create("merge");
	tcase_add_test(merge, order_independent);
	tcase_add_test(merge, merge_equals_sequential);
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

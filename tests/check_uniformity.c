/* check_uniformity.c - the bottom-k sample and the Anderson-Darling A^2:
 * invalid input, too few samples, A^2 against values computed
 * independently, order independence, merge, and the sample as bytes:
 * decoded equal, re-encoded identical, merged alike, truncations and
 * corruptions refused. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "check_codec.h"
#include "telescope/uniformity.h"

/* Reference values were computed in Python 3 with only the math module,
 * directly from the definition (scipy is not available):
 *
 *   def a2(us, eps=1e-12):
 *       u = sorted(min(max(x, eps), 1 - eps) for x in us); n = len(u)
 *       s = sum((2*i - 1) * (math.log(u[i-1]) + math.log(1 - u[n-i]))
 *               for i in range(1, n + 1))
 *       return -n - s / n
 *
 * Cross-check by hand for the constant sample: all u = 1/2 gives
 * A^2 = -n + (1/n) n^2 (2 ln 2) = n (2 ln 2 - 1) = 0.386294 n. */
#define A2_TENTHS  0.1549468374689411   /* a2([i/10 for i in 1..9]) */
#define A2_MID10   0.07657971407557085  /* a2([(2i-1)/20 for i in 1..10]) */
#define A2_SAME20  7.725887222397812    /* a2([0.5] * 20) = 20 (2 ln 2 - 1) */
#define A2_LOW5    11.785135442842353   /* a2([0.01, 0.02, 0.03, 0.04, 0.05]) */
#define A2_EDGES   9.90777026809673     /* a2([0, 1, 0.5, 0.25, 0.75]), clamped */
#define A2_GRID256 0.005102268511450347 /* a2([(i+0.5)/256 for i in 0..255]) */
#define A2_LOWHALF 98.89429597484997    /* a2([(i+0.5)/512 for i in 0..255]) */
/* Relative tolerance: the C and Python sums differ only by rounding. */
#define A2_TOL 1e-12

/* splitmix64: a fixed pseudo-random sequence. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A^2 of the positions u[0..n) offered with keys 1..n (all kept: n is at
 * most the sample size). */
static double a2_of(const double *u, size_t n)
{
	uniformity_t s = {0};
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(uniformity_add(&s, n - i, u[i]), 0);
	ck_assert_uint_eq(uniformity_size(&s), n);
	double a2 = uniformity_a2(&s);
	uniformity_clear(&s);
	return a2;
}

static void assert_a2(double got, double want)
{
	ck_assert_msg(fabs(got - want) <= A2_TOL * want, "A^2 %.17g, expected %.17g", got, want);
}

START_TEST(rejects_invalid_positions)
{
	uniformity_t s = {0};
	ck_assert_int_eq(uniformity_add(&s, 1, NAN), -BS_EINVAL);
	ck_assert_int_eq(uniformity_add(&s, 1, -0.1), -BS_EINVAL);
	ck_assert_int_eq(uniformity_add(&s, 1, 1.0000001), -BS_EINVAL);
	ck_assert_int_eq(uniformity_add(&s, 1, INFINITY), -BS_EINVAL);
	ck_assert_uint_eq(uniformity_size(&s), 0);
	ck_assert_int_eq(uniformity_add(&s, 1, 0.0), 0);
	ck_assert_int_eq(uniformity_add(&s, 2, 1.0), 0);
	ck_assert_uint_eq(uniformity_size(&s), 2);
	uniformity_clear(&s);
	uniformity_clear(&s);
}
END_TEST

START_TEST(too_few_samples)
{
	const double u[4] = {0.2, 0.4, 0.6, 0.8};
	uniformity_t s = {0};
	ck_assert(isnan(uniformity_a2(&s)));
	for (size_t n = 1; n < UNIFORMITY_MIN_SAMPLES; n++) {
		ck_assert(isnan(a2_of(u, n)));
	}
	ck_assert(!uniformity_pass(NAN));
	ck_assert(uniformity_pass(0.0));
	ck_assert(uniformity_pass(2.4919));
	ck_assert(!uniformity_pass(UNIFORMITY_A2_CRIT_05));
}
END_TEST

START_TEST(clamps_edges)
{
	const double u[5] = {0.0, 1.0, 0.5, 0.25, 0.75};
	double a2 = a2_of(u, 5);
	ck_assert(isfinite(a2));
	assert_a2(a2, A2_EDGES);
}
END_TEST

START_TEST(matches_reference_values)
{
	double u[256];
	for (int i = 0; i < 9; i++)
		u[i] = (i + 1) / 10.0;
	assert_a2(a2_of(u, 9), A2_TENTHS);
	for (int i = 0; i < 10; i++)
		u[i] = (2 * (i + 1) - 1) / 20.0;
	assert_a2(a2_of(u, 10), A2_MID10);
	for (int i = 0; i < 5; i++)
		u[i] = (i + 1) / 100.0;
	assert_a2(a2_of(u, 5), A2_LOW5);
	ck_assert(!uniformity_pass(A2_LOW5));
}
END_TEST

START_TEST(same_destination_fails)
{
	double u[20];
	for (int i = 0; i < 20; i++)
		u[i] = 0.5;
	double a2 = a2_of(u, 20);
	assert_a2(a2, A2_SAME20);
	assert_a2(a2, 20 * (2 * log(2.0) - 1)); /* by hand */
	ck_assert(!uniformity_pass(a2));
}
END_TEST

START_TEST(uniform_grid_passes_half_fails)
{
	double u[256];
	for (int i = 0; i < 256; i++)
		u[i] = (i + 0.5) / 256;
	double a2 = a2_of(u, 256);
	assert_a2(a2, A2_GRID256);
	ck_assert(uniformity_pass(a2));
	for (int i = 0; i < 256; i++)
		u[i] = (i + 0.5) / 512; /* only the lower half of the telescope */
	a2 = a2_of(u, 256);
	assert_a2(a2, A2_LOWHALF);
	ck_assert(!uniformity_pass(a2));
}
END_TEST

/* The sample's items in the order they are encoded, by (key, u): the
 * sample's own order is internal (uniformity.c keeps a heap once full). */
static uint32_t sample_items(const uniformity_t *s, struct uniformity_item *out)
{
	struct bs_buf b = {0};
	struct bs_buf_reader r;
	ck_assert_int_eq(uniformity_encode(s, &b), 0);
	bs_buf_reader_init(&r, b.data, b.len);
	uint32_t n = bs_buf_get_u32(&r);
	ck_assert_uint_le(n, UNIFORMITY_SAMPLE_MAX);
	for (uint32_t i = 0; i < n; i++) {
		out[i].key = bs_buf_get_u64(&r);
		out[i].u = bs_buf_get_f64(&r);
	}
	ck_assert(!bs_buf_failed(&r));
	bs_buf_free(&b);
	return n;
}

START_TEST(keeps_smallest_keys)
{
	uniformity_t s = {0};
	struct uniformity_item it[UNIFORMITY_SAMPLE_MAX];
	for (uint64_t k = 1000; k > 0; k--) /* keys 1000 .. 1, position k/2000 */
		ck_assert_int_eq(uniformity_add(&s, k, k / 2000.0), 0);
	ck_assert_uint_eq(uniformity_size(&s), UNIFORMITY_SAMPLE_MAX);
	ck_assert_uint_eq(sample_items(&s, it), UNIFORMITY_SAMPLE_MAX);
	for (uint32_t i = 0; i < UNIFORMITY_SAMPLE_MAX; i++) {
		ck_assert_uint_eq(it[i].key, i + 1);
		ck_assert(it[i].u == (i + 1) / 2000.0);
	}
	/* A key above the largest kept is rejected; equal keys order by u. */
	ck_assert_int_eq(uniformity_add(&s, UNIFORMITY_SAMPLE_MAX + 1, 0.0), 0);
	sample_items(&s, it);
	ck_assert_uint_eq(it[UNIFORMITY_SAMPLE_MAX - 1].key, UNIFORMITY_SAMPLE_MAX);
	ck_assert_int_eq(uniformity_add(&s, 5, 0.001), 0);
	sample_items(&s, it);
	ck_assert_uint_eq(it[4].key, 5);
	ck_assert(it[4].u == 0.001);
	ck_assert(it[5].u == 5 / 2000.0);
	/* The largest item fell out: key 256 once, 255 now last. */
	ck_assert_uint_eq(it[UNIFORMITY_SAMPLE_MAX - 1].key, UNIFORMITY_SAMPLE_MAX - 1);
	uniformity_clear(&s);
}
END_TEST

/* Offers packets lo .. hi-1 with pseudo-random keys and positions (a
 * function of the packet index), shuffled when seed is not 0. Packet 7m
 * repeats packet m exactly (when m is not itself a multiple of 7), so
 * the multiset has duplicates. */
static void add_packets(uniformity_t *s, uint64_t lo, uint64_t hi, uint64_t seed)
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
	for (uint64_t i = 0; i < n; i++) {
		uint64_t st = order[i] % 7 == 0 ? order[i] / 7 : order[i];
		uint64_t key = next_rand(&st);
		double u = (double)(next_rand(&st) >> 11) / 9007199254740992.0;
		ck_assert_int_eq(uniformity_add(s, key, u), 0);
	}
	free(order);
}

/* Offering only what uniformity_takes() accepts gives the sample of
 * offering everything: keys drawn from a small range so that many equal
 * the largest kept, where u decides. */
START_TEST(takes_is_exact)
{
	uniformity_t all = {0}, taken = {0};
	uint64_t st = 42, skipped = 0;
	for (uint32_t i = 0; i < 20000; i++) {
		uint64_t key = next_rand(&st) % 600;
		double u = (double)(next_rand(&st) >> 11) / 9007199254740992.0;
		ck_assert_int_eq(uniformity_add(&all, key, u), 0);
		if (uniformity_takes(&taken, key))
			ck_assert_int_eq(uniformity_add(&taken, key, u), 0);
		else
			skipped++;
		if (i % 997 == 0)
			ck_assert(uniformity_equal(&all, &taken));
	}
	ck_assert(uniformity_equal(&all, &taken));
	ck_assert_uint_gt(skipped, 10000); /* most are turned away on their key */
	uniformity_clear(&all);
	uniformity_clear(&taken);
}
END_TEST

START_TEST(order_independent)
{
	static const uint64_t sizes[] = {3, UNIFORMITY_SAMPLE_MAX, UNIFORMITY_SAMPLE_MAX + 1, 5000};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		uniformity_t a = {0}, b = {0};
		add_packets(&a, 0, sizes[k], 0);
		add_packets(&b, 0, sizes[k], 17 + k);
		ck_assert(uniformity_equal(&a, &b));
		ck_assert(uniformity_a2(&a) == uniformity_a2(&b) || sizes[k] < 5);
		uniformity_clear(&a);
		uniformity_clear(&b);
	}
}
END_TEST

static void check_merge(uint64_t lo1, uint64_t hi1, uint64_t lo2, uint64_t hi2)
{
	uniformity_t a = {0}, b = {0}, seq = {0};
	add_packets(&a, lo1, hi1, 8);
	add_packets(&b, lo2, hi2, 9);
	add_packets(&seq, lo1, hi1, 0);
	add_packets(&seq, lo2, hi2, 0);
	ck_assert_int_eq(uniformity_merge(&a, &b), 0);
	ck_assert_msg(uniformity_equal(&a, &seq), "merge [%llu,%llu) + [%llu,%llu)",
	              (unsigned long long)lo1, (unsigned long long)hi1, (unsigned long long)lo2,
	              (unsigned long long)hi2);
	uniformity_clear(&a);
	uniformity_clear(&b);
	uniformity_clear(&seq);
}

START_TEST(merge_equals_sequential)
{
	const uint64_t k = UNIFORMITY_SAMPLE_MAX;
	check_merge(0, 0, 0, 10);
	check_merge(0, 10, 0, 0);
	check_merge(0, 10, 10, 20);
	check_merge(0, k / 2, k / 2, k);     /* exactly full */
	check_merge(0, k / 2, k / 2, k + 1); /* one over */
	check_merge(0, 3000, 3000, 3010);    /* full + small */
	check_merge(0, 10, 10, 3000);        /* small + full */
	check_merge(0, 3000, 3000, 9000);    /* full + full */
	check_merge(0, 3000, 0, 3000);       /* the same packets twice */
}
END_TEST

/* codec_try for uniformity_decode(); a refused sample must be left empty. */
static int try_decode(const uint8_t *p, size_t len, const char **why)
{
	struct bs_buf_reader r;
	uniformity_t u = {0};
	bs_buf_reader_init(&r, p, len);
	int rc = uniformity_decode(&u, &r);
	*why = r.why;
	if (rc < 0)
		ck_assert(uniformity_size(&u) == 0 && u.items == NULL);
	else if (bs_buf_left(&r) != 0)
		rc = 1;
	uniformity_clear(&u);
	return rc;
}

/* s's bytes, checked: decoded equal with the same A^2 (bit for bit),
 * re-encoded identical, every truncation refused. Returns the decoded
 * copy. */
static uniformity_t round_trip(const uniformity_t *s, struct bs_buf *bytes)
{
	struct bs_buf again = {0};
	struct bs_buf_reader r;
	uniformity_t back = {0};

	ck_assert_int_eq(uniformity_encode(s, bytes), 0);
	ck_assert_uint_eq(bytes->len, 4 + 16 * (size_t)uniformity_size(s));
	bs_buf_reader_init(&r, bytes->data, bytes->len);
	ck_assert_int_eq(uniformity_decode(&back, &r), 0);
	ck_assert_uint_eq(bs_buf_left(&r), 0);
	ck_assert(uniformity_equal(&back, s));
	double a = uniformity_a2(s), b = uniformity_a2(&back);
	ck_assert(memcmp(&a, &b, sizeof a) == 0);
	ck_assert_int_eq(uniformity_encode(&back, &again), 0);
	codec_assert_same(bytes, &again);
	codec_assert_truncations(bytes, try_decode);
	bs_buf_free(&again);
	return back;
}

START_TEST(codec_round_trip)
{
	/* Empty, one item, below the minimum, at the cap, far past it
	 * (duplicates included, see add_packets()). */
	static const uint64_t sizes[] = {0, 1, 4, UNIFORMITY_SAMPLE_MAX, 5000};
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		uniformity_t s = {0};
		struct bs_buf b = {0};
		add_packets(&s, 0, sizes[k], k + 1);
		uniformity_t back = round_trip(&s, &b);
		add_packets(&s, 9000, 9400, 0); /* goes on like the original */
		add_packets(&back, 9000, 9400, 0);
		ck_assert(uniformity_equal(&back, &s));
		uniformity_clear(&s);
		uniformity_clear(&back);
		bs_buf_free(&b);
	}
	/* The edges of [0, 1]. */
	uniformity_t s = {0};
	struct bs_buf b = {0};
	ck_assert_int_eq(uniformity_add(&s, 1, 0.0), 0);
	ck_assert_int_eq(uniformity_add(&s, 1, 1.0), 0);
	ck_assert_int_eq(uniformity_add(&s, UINT64_MAX, 0.5), 0);
	uniformity_t back = round_trip(&s, &b);
	uniformity_clear(&s);
	uniformity_clear(&back);
	bs_buf_free(&b);
}
END_TEST

START_TEST(codec_merge_of_decoded)
{
	static const uint64_t cuts[][4] = {
	    {0, 10, 10, 20}, {0, 128, 128, 257}, {0, 3000, 3000, 3010}, {0, 3000, 3000, 9000}};
	for (size_t k = 0; k < sizeof cuts / sizeof *cuts; k++) {
		uniformity_t a = {0}, b = {0};
		struct bs_buf ba = {0}, bb = {0};
		add_packets(&a, cuts[k][0], cuts[k][1], 3);
		add_packets(&b, cuts[k][2], cuts[k][3], 4);
		uniformity_t a2 = round_trip(&a, &ba), b2 = round_trip(&b, &bb);
		ck_assert_int_eq(uniformity_merge(&a, &b), 0);
		ck_assert_int_eq(uniformity_merge(&a2, &b2), 0);
		ck_assert(uniformity_equal(&a, &a2));
		uniformity_clear(&a);
		uniformity_clear(&b);
		uniformity_clear(&a2);
		uniformity_clear(&b2);
		bs_buf_free(&ba);
		bs_buf_free(&bb);
	}
}
END_TEST

START_TEST(codec_refuses_corruption)
{
	uniformity_t s = {0};
	struct bs_buf b = {0};
	const char *why;
	add_packets(&s, 0, 3, 0);
	ck_assert_int_eq(uniformity_encode(&s, &b), 0);
	/* Items at bytes 4, 20, 36: u64 key, f64 u. */
	uint8_t *p = b.data, tmp[16];
	memcpy(tmp, p + 4, 16);
	memcpy(p + 4, p + 20, 16);
	memcpy(p + 20, tmp, 16);
	codec_assert_refused(try_decode, p, b.len, "out of order");
	memcpy(p + 4, p + 20, 16); /* equal items are a multiset's right */
	ck_assert_int_eq(codec_run(try_decode, p, b.len, &why), 0);
	static const double bad[] = {NAN, -NAN, INFINITY, -0.001, 1.0000001};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		uint64_t bits;
		memcpy(&bits, &bad[i], sizeof bits);
		codec_poke_u64(p, 44, bits);
		codec_assert_refused(try_decode, p, b.len, "outside [0, 1]");
	}
	/* More items than the sample holds, with the bytes to back them. */
	bs_buf_free(&b);
	bs_buf_put_u32(&b, UNIFORMITY_SAMPLE_MAX + 1);
	for (uint32_t i = 0; i <= UNIFORMITY_SAMPLE_MAX; i++) {
		bs_buf_put_u64(&b, i);
		bs_buf_put_f64(&b, 0.5);
	}
	codec_assert_refused(try_decode, b.data, b.len, "more items");
	uniformity_clear(&s);
	bs_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("uniformity");
	TCase *edge = tcase_create("edge");
	tcase_add_test(edge, rejects_invalid_positions);
	tcase_add_test(edge, too_few_samples);
	tcase_add_test(edge, clamps_edges);
	suite_add_tcase(s, edge);
	TCase *stat = tcase_create("statistic");
	tcase_add_test(stat, matches_reference_values);
	tcase_add_test(stat, same_destination_fails);
	tcase_add_test(stat, uniform_grid_passes_half_fails);
	suite_add_tcase(s, stat);
	TCase *sample = tcase_create("sample");
	tcase_add_test(sample, keeps_smallest_keys);
	tcase_add_test(sample, order_independent);
	tcase_add_test(sample, takes_is_exact);
	tcase_add_test(sample, merge_equals_sequential);
	suite_add_tcase(s, sample);
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

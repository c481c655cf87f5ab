/* uniformity.c - bottom-k sample of destination positions and the
 * Anderson-Darling statistic.
 *
 * The sample is kept sorted by (key, u), so once it is full a packet whose
 * key is not below the largest is rejected with one comparison: with
 * random keys almost every packet of a large flood takes that path. */
#include "telescope/uniformity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

/* First allocation: 64 bytes. Grows by doubling up to the sample size. */
#define UNIFORMITY_INITIAL_CAP 4u

/* Capacities are powers of two no larger than UNIFORMITY_SAMPLE_MAX
 * (4 KiB of items), so cap * sizeof(item) cannot overflow. */
_Static_assert((UNIFORMITY_SAMPLE_MAX & (UNIFORMITY_SAMPLE_MAX - 1)) == 0,
               "UNIFORMITY_SAMPLE_MAX must be a power of two");
_Static_assert(UNIFORMITY_MIN_SAMPLES <= UNIFORMITY_SAMPLE_MAX, "sample too small for the test");

static uint32_t cap_for(uint32_t n)
{
	uint32_t cap = UNIFORMITY_INITIAL_CAP;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* Sample order: by key, ties by position, so equal multisets give equal
 * samples. No short circuits: it decides the steps of lower_bound(). */
static bool item_less(const struct uniformity_item *a, const struct uniformity_item *b)
{
	return (a->key < b->key) | ((a->key == b->key) & (a->u < b->u));
}

/* Index of the first item not below it. Branch-free halving (the step
 * compiles to a conditional move): with random keys every branch of a
 * classic binary search is a coin toss the CPU mispredicts. */
static uint32_t lower_bound(const struct uniformity_item *items, uint32_t n,
                            const struct uniformity_item *it)
{
	const struct uniformity_item *base = items;

	if (n == 0)
		return 0;
	while (n > 1) {
		uint32_t half = n / 2;
		base = item_less(&base[half], it) ? base + half : base;
		n -= half;
	}
	return (uint32_t)(base - items) + item_less(base, it);
}

int uniformity_add(uniformity_t *s, uint64_t key, double u)
{
	struct uniformity_item it = {.key = key, .u = u};

	if (!(u >= 0.0 && u <= 1.0))
		return -BS_EINVAL;
	if (s->n == UNIFORMITY_SAMPLE_MAX && !item_less(&it, &s->items[s->n - 1]))
		return 0;
	if (s->n < UNIFORMITY_SAMPLE_MAX && s->n == s->cap) {
		uint32_t cap = cap_for(s->n + 1);
		struct uniformity_item *items = realloc(s->items, cap * sizeof *items);
		if (items == NULL)
			return -BS_ENOMEM;
		s->items = items;
		s->cap = cap;
	}
	uint32_t lo = lower_bound(s->items, s->n, &it);
	if (s->n < UNIFORMITY_SAMPLE_MAX)
		s->n++; /* else the largest item falls off the end */
	memmove(s->items + lo + 1, s->items + lo, (s->n - 1 - lo) * sizeof *s->items);
	s->items[lo] = it;
	return 0;
}

int uniformity_merge(uniformity_t *dst, const uniformity_t *src)
{
	if (src->n == 0)
		return 0;
	uint32_t n = dst->n + src->n;
	if (n > UNIFORMITY_SAMPLE_MAX)
		n = UNIFORMITY_SAMPLE_MAX;
	uint32_t cap = cap_for(n);
	struct uniformity_item *items = malloc(cap * sizeof *items);
	if (items == NULL)
		return -BS_ENOMEM;
	for (uint32_t i = 0, j = 0, k = 0; k < n; k++) {
		if (j == src->n || (i < dst->n && !item_less(&src->items[j], &dst->items[i])))
			items[k] = dst->items[i++];
		else
			items[k] = src->items[j++];
	}
	free(dst->items);
	dst->items = items;
	dst->n = n;
	dst->cap = cap;
	return 0;
}

uint32_t uniformity_size(const uniformity_t *s)
{
	return s->n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double uniformity_a2(const uniformity_t *s)
{
	double u[UNIFORMITY_SAMPLE_MAX];
	uint32_t n = s->n;

	if (n < UNIFORMITY_MIN_SAMPLES)
		return NAN;
	for (uint32_t i = 0; i < n; i++)
		u[i] = fmin(fmax(s->items[i].u, UNIFORMITY_U_EPS), 1.0 - UNIFORMITY_U_EPS);
	qsort(u, n, sizeof *u, cmp_double);
	double sum = 0.0;
	for (uint32_t i = 1; i <= n; i++)
		sum += (2.0 * i - 1.0) * (log(u[i - 1]) + log1p(-u[n - i]));
	return -(double)n - sum / n;
}

bool uniformity_pass(double a2)
{
	return a2 < UNIFORMITY_A2_CRIT_05; /* false for NAN */
}

bool uniformity_equal(const uniformity_t *a, const uniformity_t *b)
{
	if (a->n != b->n)
		return false;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->items[i].key != b->items[i].key || a->items[i].u != b->items[i].u)
			return false;
	return true;
}

void uniformity_clear(uniformity_t *s)
{
	free(s->items);
	memset(s, 0, sizeof *s);
}

int uniformity_encode(const uniformity_t *s, struct bs_buf *b)
{
	bs_buf_put_u32(b, s->n);
	for (uint32_t i = 0; i < s->n; i++) {
		bs_buf_put_u64(b, s->items[i].key);
		bs_buf_put_f64(b, s->items[i].u);
	}
	return bs_buf_status(b);
}

/* Bytes of one encoded item: u64 key, f64 u. */
#define UNIFORMITY_ITEM_BYTES 16u

int uniformity_decode(uniformity_t *s, struct bs_buf_reader *r)
{
	uint32_t n = bs_buf_get_u32(r);
	int rc = 0;

	if (n > UNIFORMITY_SAMPLE_MAX)
		rc = bs_buf_fail(r, "uniformity: more items than the sample holds");
	else if (n > bs_buf_left(r) / UNIFORMITY_ITEM_BYTES)
		rc = bs_buf_fail(r, "ends early");
	else if (n > 0 && (s->items = malloc(cap_for(n) * sizeof *s->items)) == NULL)
		rc = -BS_ENOMEM;
	else if (n > 0)
		s->cap = cap_for(n);
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		struct uniformity_item *it = &s->items[i];
		it->key = bs_buf_get_u64(r);
		it->u = bs_buf_get_f64(r);
		if (!(it->u >= 0.0 && it->u <= 1.0)) /* NaN too */
			rc = bs_buf_fail(r, "uniformity: position outside [0, 1]");
		else if (i > 0 && item_less(it, it - 1))
			rc = bs_buf_fail(r, "uniformity: items out of order");
	}
	if (rc == 0 && bs_buf_failed(r))
		rc = -BS_EFORMAT;
	if (rc == 0)
		s->n = n;
	else
		uniformity_clear(s);
	return rc;
}

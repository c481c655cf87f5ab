/* uniformity.c - bottom-k sample of destination positions and the
 * Anderson-Darling statistic.
 *
 * Until the sample is full its items are kept in arrival order: a flow
 * below UNIFORMITY_SAMPLE_MAX packets (most attacks) keeps every packet,
 * and an append is all it costs. Once full, the items form a max-heap by
 * (key, u): a packet whose key is not below the root, the largest item, is
 * rejected with one comparison (with random keys almost every packet of a
 * large flood takes that path), and one that is replaces the root in
 * log2(k) steps. Keeping the sample sorted instead cost a binary search
 * and a memmove of half the sample per packet, the largest part of the
 * flow table's per-packet time (bench/RESULTS.md, issue 11). The sorted
 * order that the encoding, comparisons and merges need is made on demand
 * (sorted_items()); the sample itself, a multiset, is the same either way. */
#include "telescope/uniformity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

/* First allocation: 32 items (512 bytes), so that a flow's statistics,
 * built once it has --min-packets packets (25 with the rsdos preset, see
 * attack.c), take them without growing. Doubles up to the sample size. */
#define UNIFORMITY_INITIAL_CAP 32u

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
 * samples. */
static bool item_less(const struct uniformity_item *a, const struct uniformity_item *b)
{
	return (a->key < b->key) | ((a->key == b->key) & (a->u < b->u));
}

/* Restores the max-heap property below items[i] of a heap of n items. */
static void sift_down(struct uniformity_item *items, uint32_t n, uint32_t i)
{
	struct uniformity_item it = items[i];
	for (;;) {
		uint32_t child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && item_less(&items[child], &items[child + 1]))
			child++;
		if (!item_less(&it, &items[child]))
			break;
		items[i] = items[child];
		i = child;
	}
	items[i] = it;
}

static void heapify(struct uniformity_item *items, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(items, n, i);
}

static int item_cmp(const void *a, const void *b)
{
	const struct uniformity_item *x = a, *y = b;
	return item_less(x, y) ? -1 : item_less(y, x);
}

/* The items of s in ascending (key, u) order, into out (room for
 * UNIFORMITY_SAMPLE_MAX items). Equal items are identical, so the order is
 * unique. */
static void sorted_items(const uniformity_t *s, struct uniformity_item *out)
{
	if (s->n == 0)
		return;
	memcpy(out, s->items, s->n * sizeof *out);
	qsort(out, s->n, sizeof *out, item_cmp);
}

/* Puts the n items of a sample, given in ascending order, in the order the
 * sample keeps them: descending order is a max-heap when it is full. */
static void keep_sorted(struct uniformity_item *items, uint32_t n)
{
	if (n < UNIFORMITY_SAMPLE_MAX)
		return;
	for (uint32_t i = 0, j = n - 1; i < j; i++, j--) {
		struct uniformity_item t = items[i];
		items[i] = items[j];
		items[j] = t;
	}
}

bool uniformity_takes(const uniformity_t *s, uint64_t key)
{
	/* The root is the largest item; a key equal to its key may still go
	 * in, on u. */
	return s->n < UNIFORMITY_SAMPLE_MAX || key <= s->items[0].key;
}

int uniformity_add(uniformity_t *s, uint64_t key, double u)
{
	struct uniformity_item it = {.key = key, .u = u};

	if (!(u >= 0.0 && u <= 1.0))
		return -BS_EINVAL;
	if (s->n == UNIFORMITY_SAMPLE_MAX) {
		if (item_less(&it, &s->items[0])) {
			s->items[0] = it;
			sift_down(s->items, s->n, 0);
		}
		return 0;
	}
	if (s->n == s->cap) {
		uint32_t cap = cap_for(s->n + 1);
		struct uniformity_item *items = realloc(s->items, cap * sizeof *items);
		if (items == NULL)
			return -BS_ENOMEM;
		s->items = items;
		s->cap = cap;
	}
	s->items[s->n++] = it;
	if (s->n == UNIFORMITY_SAMPLE_MAX)
		heapify(s->items, s->n);
	return 0;
}

int uniformity_merge(uniformity_t *dst, const uniformity_t *src)
{
	struct uniformity_item a[UNIFORMITY_SAMPLE_MAX], b[UNIFORMITY_SAMPLE_MAX];
	if (src->n == 0)
		return 0;
	uint32_t n = dst->n + src->n;
	if (n > UNIFORMITY_SAMPLE_MAX)
		n = UNIFORMITY_SAMPLE_MAX;
	uint32_t cap = cap_for(n);
	struct uniformity_item *items = malloc(cap * sizeof *items);
	if (items == NULL)
		return -BS_ENOMEM;
	sorted_items(dst, a);
	sorted_items(src, b);
	for (uint32_t i = 0, j = 0, k = 0; k < n; k++) {
		if (j == src->n || (i < dst->n && !item_less(&b[j], &a[i])))
			items[k] = a[i++];
		else
			items[k] = b[j++];
	}
	keep_sorted(items, n);
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
	struct uniformity_item x[UNIFORMITY_SAMPLE_MAX], y[UNIFORMITY_SAMPLE_MAX];
	if (a->n != b->n)
		return false;
	sorted_items(a, x);
	sorted_items(b, y);
	for (uint32_t i = 0; i < a->n; i++)
		if (x[i].key != y[i].key || x[i].u != y[i].u)
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
	struct uniformity_item items[UNIFORMITY_SAMPLE_MAX];
	sorted_items(s, items);
	bs_buf_put_u32(b, s->n);
	for (uint32_t i = 0; i < s->n; i++) {
		bs_buf_put_u64(b, items[i].key);
		bs_buf_put_f64(b, items[i].u);
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
	if (rc == 0) {
		keep_sorted(s->items, n);
		s->n = n;
	} else {
		uniformity_clear(s);
	}
	return rc;
}

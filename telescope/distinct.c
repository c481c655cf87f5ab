/* distinct.c - exact small sets that turn into HyperLogLog sketches.
 *
 * The sketch follows Flajolet et al. 2007: bucket = top p bits of the hash,
 * register = the largest rank (leading zeros + 1) of the remaining bits.
 * With a 64-bit hash no large-range correction is needed (Heule, Nunkesser,
 * Hall, "HyperLogLog in practice", EDBT 2013, section 5.1). For the
 * estimate we use Ertl's improved raw estimator (O. Ertl, "New cardinality
 * estimation algorithms for HyperLogLog sketches", arXiv:1702.01284, 2017,
 * algorithm 6): it needs no empirical bias tables, and in our simulation
 * (200 runs per size, p = 12) it stayed within 0.2% bias and 1.6% RMSE
 * from 513 to 10^6 items, where the classic linear-counting switch at
 * 2.5 m has a 1.4% bias and 3% RMSE around 10^4 items. */
#include "telescope/distinct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

/* First allocation of the exact set: room for the few destinations a
 * short flow reaches, 32 bytes. Grows by doubling up to the exact max. */
#define DISTINCT_INITIAL_CAP 4u
/* Hash bits left after the bucket index; ranks run from 1 to HLL_Q + 1. */
#define HLL_Q (64u - DISTINCT_HLL_P)
_Static_assert(DISTINCT_HLL_RANK_MAX == HLL_Q + 1, "the largest rank hll_add() stores");
/* Modes of the encoded state (distinct.h). */
enum { DISTINCT_MODE_EXACT = 0, DISTINCT_MODE_SKETCH = 1 };

/* Capacities are powers of two no larger than DISTINCT_EXACT_MAX, so
 * cap * sizeof(uint64_t) is at most 4 KiB and cannot overflow. */
_Static_assert((DISTINCT_EXACT_MAX & (DISTINCT_EXACT_MAX - 1)) == 0,
               "DISTINCT_EXACT_MAX must be a power of two");

/* The sketch's allocation: the registers (d->regs points at them, the
 * first member) and their floor, the smallest register value and how many
 * registers hold it. An item whose rank is not above the floor cannot
 * raise any register, so it is dropped without reading the register it
 * falls in, a cache miss per packet otherwise: in a flood of n distinct
 * destinations every register soon holds about log2(n / m), and half of
 * all items have rank 1, a quarter rank 2. The floor is derived from the
 * registers alone, so the state stays a function of the set. */
struct hll {
	uint8_t regs[DISTINCT_HLL_M];
	uint8_t floor;
	uint16_t at_floor;
};

_Static_assert(DISTINCT_HLL_M <= UINT16_MAX, "at_floor counts registers");

static struct hll *hll_of(uint8_t *regs)
{
	return (struct hll *)(void *)regs;
}

/* Recomputes the floor after the last register at it was raised. */
static void hll_refloor(struct hll *s)
{
	uint8_t low = UINT8_MAX;
	uint16_t n = 0;

	for (uint32_t i = 0; i < DISTINCT_HLL_M; i++) {
		if (s->regs[i] < low) {
			low = s->regs[i];
			n = 0;
		}
		n += s->regs[i] == low;
	}
	s->floor = low;
	s->at_floor = n;
}

static void hll_add(struct hll *s, uint64_t h)
{
	uint32_t bucket = (uint32_t)(h >> HLL_Q);
	uint64_t w = h << DISTINCT_HLL_P;
	uint8_t rank = 1;

	while (rank <= HLL_Q && (w >> 63) == 0) {
		w <<= 1;
		rank++;
	}
	if (rank <= s->floor || s->regs[bucket] >= rank)
		return;
	bool was_floor = s->regs[bucket] == s->floor;
	s->regs[bucket] = rank;
	if (was_floor && --s->at_floor == 0)
		hll_refloor(s);
}

/* A new sketch: all registers 0 (the floor), then the items of set. */
static uint8_t *hll_from_set(const uint64_t *set, uint32_t n)
{
	struct hll *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->at_floor = DISTINCT_HLL_M;
	for (uint32_t i = 0; i < n; i++)
		hll_add(s, set[i]);
	return s->regs;
}

/* Ertl 2017, eq. for sigma(x) = x + sum_k x^(2^k) 2^(k-1): the
 * contribution of empty registers. */
static double hll_sigma(double x)
{
	if (x == 1.0)
		return INFINITY;
	double y = 1.0, z = x, prev;
	do {
		x *= x;
		prev = z;
		z += x * y;
		y += y;
	} while (z != prev);
	return z;
}

/* Ertl 2017, tau(x): the contribution of saturated registers. */
static double hll_tau(double x)
{
	if (x == 0.0 || x == 1.0)
		return 0.0;
	double y = 1.0, z = 1.0 - x, prev;
	do {
		x = sqrt(x);
		prev = z;
		y *= 0.5;
		z -= (1.0 - x) * (1.0 - x) * y;
	} while (z != prev);
	return z / 3.0;
}

static double hll_estimate(const uint8_t *regs)
{
	uint32_t hist[HLL_Q + 2] = {0};
	const double m = DISTINCT_HLL_M;

	for (uint32_t i = 0; i < DISTINCT_HLL_M; i++)
		hist[regs[i]]++;
	double z = m * hll_tau(1.0 - hist[HLL_Q + 1] / m);
	for (uint32_t k = HLL_Q; k >= 1; k--)
		z = (z + hist[k]) * 0.5;
	z += m * hll_sigma(hist[0] / m);
	return m * m / (2.0 * log(2.0) * z); /* alpha_inf = 1 / (2 ln 2) */
}

/* Smallest power-of-two capacity holding n items. */
static uint32_t cap_for(uint32_t n)
{
	uint32_t cap = DISTINCT_INITIAL_CAP;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* Index of the first hash in set[0..n) not below h. Branch-free halving
 * (the step compiles to a conditional move): with random hashes every
 * branch of a classic binary search is a coin toss the CPU mispredicts. */
static uint32_t lower_bound(const uint64_t *set, uint32_t n, uint64_t h)
{
	const uint64_t *base = set;

	if (n == 0)
		return 0;
	while (n > 1) {
		uint32_t half = n / 2;
		base = base[half] < h ? base + half : base;
		n -= half;
	}
	return (uint32_t)(base - set) + (*base < h);
}

/* Replaces d's exact set by the sketch regs (d takes ownership). */
static void use_sketch(distinct_t *d, uint8_t *regs)
{
	free(d->set);
	d->set = NULL;
	d->n = d->cap = 0;
	d->regs = regs;
}

int distinct_add(distinct_t *d, uint64_t h)
{
	if (d->regs != NULL) {
		hll_add(hll_of(d->regs), h);
		return 0;
	}
	uint32_t i = lower_bound(d->set, d->n, h);
	if (i < d->n && d->set[i] == h)
		return 0;
	if (d->n == DISTINCT_EXACT_MAX) {
		uint8_t *regs = hll_from_set(d->set, d->n);
		if (regs == NULL)
			return -BS_ENOMEM;
		hll_add(hll_of(regs), h);
		use_sketch(d, regs);
		return 0;
	}
	if (d->n == d->cap) {
		uint32_t cap = cap_for(d->n + 1);
		uint64_t *set = realloc(d->set, cap * sizeof *set);
		if (set == NULL)
			return -BS_ENOMEM;
		d->set = set;
		d->cap = cap;
	}
	memmove(d->set + i + 1, d->set + i, (d->n - i) * sizeof *d->set);
	d->set[i] = h;
	d->n++;
	return 0;
}

/* Walks the union of the sorted unique arrays a and b in order, storing it
 * in out unless out is NULL, and stops after limit + 1 items (counting
 * past the limit only tells the caller it does not fit). Returns the count. */
static uint32_t set_union(const uint64_t *a, uint32_t na, const uint64_t *b, uint32_t nb,
                          uint64_t *out, uint32_t limit)
{
	uint32_t i = 0, j = 0, n = 0;
	while ((i < na || j < nb) && n <= limit) {
		uint64_t v;
		if (j == nb || (i < na && a[i] <= b[j])) {
			v = a[i++];
			if (j < nb && b[j] == v)
				j++;
		} else {
			v = b[j++];
		}
		if (out != NULL)
			out[n] = v;
		n++;
	}
	return n;
}

int distinct_merge(distinct_t *dst, const distinct_t *src)
{
	if (dst->regs == NULL && src->regs == NULL) {
		uint32_t n =
		    set_union(dst->set, dst->n, src->set, src->n, NULL, DISTINCT_EXACT_MAX);
		if (n == dst->n)
			return 0;
		if (n <= DISTINCT_EXACT_MAX) {
			uint32_t cap = cap_for(n);
			uint64_t *set = malloc(cap * sizeof *set);
			if (set == NULL)
				return -BS_ENOMEM;
			set_union(dst->set, dst->n, src->set, src->n, set, DISTINCT_EXACT_MAX);
			free(dst->set);
			dst->set = set;
			dst->n = n;
			dst->cap = cap;
			return 0;
		}
	}
	uint8_t *regs = dst->regs;
	if (regs == NULL && (regs = hll_from_set(dst->set, dst->n)) == NULL)
		return -BS_ENOMEM;
	if (src->regs != NULL) {
		for (uint32_t i = 0; i < DISTINCT_HLL_M; i++)
			if (regs[i] < src->regs[i])
				regs[i] = src->regs[i];
		hll_refloor(hll_of(regs));
	} else {
		for (uint32_t i = 0; i < src->n; i++)
			hll_add(hll_of(regs), src->set[i]);
	}
	if (regs != dst->regs)
		use_sketch(dst, regs);
	return 0;
}

uint64_t distinct_count(const distinct_t *d)
{
	if (d->regs == NULL)
		return d->n;
	return (uint64_t)llround(hll_estimate(d->regs));
}

bool distinct_is_exact(const distinct_t *d)
{
	return d->regs == NULL;
}

bool distinct_equal(const distinct_t *a, const distinct_t *b)
{
	if ((a->regs == NULL) != (b->regs == NULL))
		return false;
	if (a->regs != NULL)
		return memcmp(a->regs, b->regs, DISTINCT_HLL_M) == 0;
	return a->n == b->n && (a->n == 0 || memcmp(a->set, b->set, a->n * sizeof *a->set) == 0);
}

void distinct_clear(distinct_t *d)
{
	free(d->set);
	free(d->regs);
	memset(d, 0, sizeof *d);
}

int distinct_encode(const distinct_t *d, struct bs_buf *b)
{
	if (d->regs != NULL) {
		bs_buf_put_u8(b, DISTINCT_MODE_SKETCH);
		bs_buf_put_bytes(b, d->regs, DISTINCT_HLL_M);
	} else {
		bs_buf_put_u8(b, DISTINCT_MODE_EXACT);
		bs_buf_put_u32(b, d->n);
		for (uint32_t i = 0; i < d->n; i++)
			bs_buf_put_u64(b, d->set[i]);
	}
	return bs_buf_status(b);
}

/* The exact set of n hashes from r: sorted and unique, as lower_bound()
 * and set_union() need. */
static int decode_set(distinct_t *d, struct bs_buf_reader *r)
{
	uint32_t n = bs_buf_get_u32(r);

	if (n > DISTINCT_EXACT_MAX)
		return bs_buf_fail(r, "distinct: more hashes than the exact set holds");
	if (n > bs_buf_left(r) / sizeof(uint64_t))
		return bs_buf_fail(r, "ends early");
	if (n == 0)
		return 0;
	uint32_t cap = cap_for(n);
	d->set = malloc(cap * sizeof *d->set);
	if (d->set == NULL)
		return -BS_ENOMEM;
	d->cap = cap;
	for (uint32_t i = 0; i < n; i++) {
		d->set[i] = bs_buf_get_u64(r);
		if (i > 0 && d->set[i] <= d->set[i - 1])
			return bs_buf_fail(r, "distinct: hashes not in strictly increasing order");
	}
	d->n = n;
	return 0;
}

/* The sketch's registers from r, each a rank hll_add() can store (the
 * estimate's histogram has a slot per rank); the floor follows from them. */
static int decode_sketch(distinct_t *d, struct bs_buf_reader *r)
{
	const uint8_t *regs = bs_buf_get_bytes(r, DISTINCT_HLL_M);

	if (regs == NULL)
		return -BS_EFORMAT;
	for (uint32_t i = 0; i < DISTINCT_HLL_M; i++)
		if (regs[i] > DISTINCT_HLL_RANK_MAX)
			return bs_buf_fail(r, "distinct: register out of range");
	struct hll *s = malloc(sizeof *s);
	if (s == NULL)
		return -BS_ENOMEM;
	memcpy(s->regs, regs, DISTINCT_HLL_M);
	hll_refloor(s);
	d->regs = s->regs;
	return 0;
}

int distinct_decode(distinct_t *d, struct bs_buf_reader *r)
{
	uint8_t mode = bs_buf_get_u8(r);
	int rc;

	if (bs_buf_failed(r))
		rc = -BS_EFORMAT;
	else if (mode == DISTINCT_MODE_EXACT)
		rc = decode_set(d, r);
	else if (mode == DISTINCT_MODE_SKETCH)
		rc = decode_sketch(d, r);
	else
		rc = bs_buf_fail(r, "distinct: unknown mode");
	if (rc == 0 && bs_buf_failed(r))
		rc = -BS_EFORMAT;
	if (rc < 0)
		distinct_clear(d);
	return rc;
}

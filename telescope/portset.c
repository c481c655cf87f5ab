/* portset.c - distinct ports: a sorted table, then a bitmap.
 *
 * The table is kept sorted so that its contents are canonical whatever
 * the order ports were added in, and a port already there is found by
 * halving; the bitmap is canonical by construction. */
#include "telescope/portset.h"

#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

/* First allocation of the table: 8 bytes. Grows by doubling up to
 * PORTSET_SMALL_MAX. */
#define PORTSET_INITIAL_CAP 4u

/* Capacities are powers of two no larger than PORTSET_SMALL_MAX, so
 * cap * sizeof(uint16_t) cannot overflow. */
_Static_assert((PORTSET_SMALL_MAX & (PORTSET_SMALL_MAX - 1)) == 0,
               "PORTSET_SMALL_MAX must be a power of two");

static uint32_t cap_for(uint32_t n)
{
	uint32_t cap = PORTSET_INITIAL_CAP;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* Index of the first port not below port; branch-free halving, as in
 * portcount.c (random attacker ports make every branch a guess). */
static uint32_t lower_bound(const uint16_t *e, uint32_t n, uint16_t port)
{
	const uint16_t *base = e;

	if (n == 0)
		return 0;
	while (n > 1) {
		uint32_t half = n / 2;
		base = base[half] < port ? base + half : base;
		n -= half;
	}
	return (uint32_t)(base - e) + (*base < port);
}

static bool bit_test(const uint64_t *bits, uint32_t port)
{
	return (bits[port / 64] >> (port % 64)) & 1u;
}

static void bit_set(uint64_t *bits, uint32_t port)
{
	bits[port / 64] |= (uint64_t)1 << (port % 64);
}

static uint64_t *bits_from_small(const uint16_t *e, uint32_t n)
{
	uint64_t *bits = calloc(PORTSET_WORDS, sizeof *bits);
	if (bits == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		bit_set(bits, e[i]);
	return bits;
}

/* Replaces ps's table by the bitmap bits (ps takes ownership). */
static void use_bits(portset_t *ps, uint64_t *bits, uint32_t n)
{
	free(ps->small);
	ps->small = NULL;
	ps->cap = 0;
	ps->bits = bits;
	ps->n = n;
}

void portset_prefetch(const portset_t *ps, uint16_t port)
{
	if (ps->bits != NULL)
		__builtin_prefetch(&ps->bits[port / 64u]);
	else if (ps->small != NULL)
		__builtin_prefetch(ps->small);
}

int portset_add(portset_t *ps, uint16_t port)
{
	if (ps->bits != NULL) {
		if (!bit_test(ps->bits, port)) {
			bit_set(ps->bits, port);
			ps->n++;
		}
		return 0;
	}
	uint32_t i = lower_bound(ps->small, ps->n, port);
	if (i < ps->n && ps->small[i] == port)
		return 0;
	if (ps->n == PORTSET_SMALL_MAX) {
		uint64_t *bits = bits_from_small(ps->small, ps->n);
		if (bits == NULL)
			return -BS_ENOMEM;
		bit_set(bits, port);
		use_bits(ps, bits, ps->n + 1);
		return 0;
	}
	if (ps->n == ps->cap) {
		uint32_t cap = cap_for(ps->n + 1);
		uint16_t *small = realloc(ps->small, cap * sizeof *small);
		if (small == NULL)
			return -BS_ENOMEM;
		ps->small = small;
		ps->cap = cap;
	}
	memmove(ps->small + i + 1, ps->small + i, (ps->n - i) * sizeof *ps->small);
	ps->small[i] = port;
	ps->n++;
	return 0;
}

/* Walks the union of the sorted tables a and b in port order, writing it
 * to out unless out is NULL; stops after limit + 1 ports. Returns the
 * number of distinct ports walked. */
static uint32_t table_union(const uint16_t *a, uint32_t na, const uint16_t *b, uint32_t nb,
                            uint16_t *out, uint32_t limit)
{
	uint32_t i = 0, j = 0, n = 0;
	while ((i < na || j < nb) && n <= limit) {
		uint16_t p;
		if (j == nb || (i < na && a[i] <= b[j])) {
			p = a[i++];
			if (j < nb && b[j] == p)
				j++;
		} else {
			p = b[j++];
		}
		if (out != NULL)
			out[n] = p;
		n++;
	}
	return n;
}

static uint32_t popcount64(uint64_t w)
{
	return (uint32_t)__builtin_popcountll(w);
}

int portset_merge(portset_t *dst, const portset_t *src)
{
	if (src->n == 0)
		return 0;
	if (dst->bits == NULL && src->bits == NULL) {
		uint32_t n =
		    table_union(dst->small, dst->n, src->small, src->n, NULL, PORTSET_SMALL_MAX);
		if (n <= PORTSET_SMALL_MAX) {
			uint32_t cap = cap_for(n);
			uint16_t *small = malloc(cap * sizeof *small);
			if (small == NULL)
				return -BS_ENOMEM;
			table_union(dst->small, dst->n, src->small, src->n, small,
			            PORTSET_SMALL_MAX);
			free(dst->small);
			dst->small = small;
			dst->n = n;
			dst->cap = cap;
			return 0;
		}
	}
	uint64_t *bits = dst->bits;
	if (bits == NULL && (bits = bits_from_small(dst->small, dst->n)) == NULL)
		return -BS_ENOMEM;
	if (src->bits != NULL) {
		for (uint32_t w = 0; w < PORTSET_WORDS; w++)
			bits[w] |= src->bits[w];
	} else {
		for (uint32_t i = 0; i < src->n; i++)
			bit_set(bits, src->small[i]);
	}
	uint32_t n = 0;
	for (uint32_t w = 0; w < PORTSET_WORDS; w++)
		n += popcount64(bits[w]);
	if (bits != dst->bits)
		use_bits(dst, bits, n);
	else
		dst->n = n;
	return 0;
}

uint32_t portset_count(const portset_t *ps)
{
	return ps->n;
}

bool portset_equal(const portset_t *a, const portset_t *b)
{
	if (a->n != b->n || (a->bits == NULL) != (b->bits == NULL))
		return false;
	if (a->bits != NULL)
		return memcmp(a->bits, b->bits, PORTSET_WORDS * sizeof *a->bits) == 0;
	return a->n == 0 || memcmp(a->small, b->small, a->n * sizeof *a->small) == 0;
}

void portset_clear(portset_t *ps)
{
	free(ps->small);
	free(ps->bits);
	memset(ps, 0, sizeof *ps);
}

int portset_encode(const portset_t *ps, struct bs_buf *b)
{
	bs_buf_put_u32(b, ps->n);
	if (ps->bits != NULL) {
		for (uint32_t w = 0; w < PORTSET_WORDS; w++)
			bs_buf_put_u64(b, ps->bits[w]);
	} else {
		for (uint32_t i = 0; i < ps->n; i++)
			bs_buf_put_u16(b, ps->small[i]);
	}
	return bs_buf_status(b);
}

/* Bytes of the encoded bitmap. */
#define PORTSET_BITS_BYTES (PORTSET_WORDS * 8u)

static int decode_small(portset_t *ps, struct bs_buf_reader *r, uint32_t n)
{
	int32_t prev = -1;

	if (n > bs_buf_left(r) / 2)
		return bs_buf_fail(r, "ends early");
	if (n > 0 && (ps->small = malloc(cap_for(n) * sizeof *ps->small)) == NULL)
		return -BS_ENOMEM;
	if (ps->small != NULL)
		ps->cap = cap_for(n);
	for (uint32_t i = 0; i < n; i++) {
		uint16_t port = bs_buf_get_u16(r);
		if (port <= prev)
			return bs_buf_fail(r, "portset: ports not in strictly increasing order");
		ps->small[i] = port;
		prev = port;
	}
	return 0;
}

static int decode_bits(portset_t *ps, struct bs_buf_reader *r, uint32_t n)
{
	uint32_t set = 0;

	if (bs_buf_left(r) < PORTSET_BITS_BYTES)
		return bs_buf_fail(r, "ends early");
	if ((ps->bits = calloc(PORTSET_WORDS, sizeof *ps->bits)) == NULL)
		return -BS_ENOMEM;
	for (uint32_t w = 0; w < PORTSET_WORDS; w++) {
		ps->bits[w] = bs_buf_get_u64(r);
		set += popcount64(ps->bits[w]);
	}
	if (set != n)
		return bs_buf_fail(r, "portset: bitmap bits set differ from the port count");
	return 0;
}

int portset_decode(portset_t *ps, struct bs_buf_reader *r)
{
	uint32_t n = bs_buf_get_u32(r);
	int rc;

	if (bs_buf_failed(r))
		rc = -BS_EFORMAT;
	else if (n > PORTSET_PORTS)
		rc = bs_buf_fail(r, "portset: more ports than there are");
	else if (n > PORTSET_SMALL_MAX)
		rc = decode_bits(ps, r, n);
	else
		rc = decode_small(ps, r, n);
	if (rc == 0 && bs_buf_failed(r))
		rc = -BS_EFORMAT;
	if (rc == 0)
		ps->n = n;
	else
		portset_clear(ps);
	return rc;
}

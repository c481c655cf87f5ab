/* portset.c - distinct ports: a small hash table, then a bitmap.
 *
 * Why a hash table rather than a sorted array: a flood's attacker ports
 * are random, so a sorted array paid a mispredicted halving search and a
 * memmove of half the table per new port, 8% of the flow table thread's
 * time on the bench trace. The table is open-addressed with linear
 * probing on a multiplicative hash of the port, at most half full; port
 * 0, the empty slot's value, is a flag. Its layout depends on the order
 * ports came in, so everything that is seen outside (the encoding,
 * equality, merge) goes through its ports in port order (table_sorted()),
 * and the state stays a function of the set of ports added. The bitmap
 * is canonical by construction. */
#include "telescope/portset.h"

#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

/* First allocation of the table: 8 slots, 16 bytes. Doubles while the
 * ports would fill more than half of it, up to 2 * PORTSET_SMALL_MAX
 * slots (2 KiB, a quarter of the bitmap). */
#define PORTSET_INITIAL_CAP 8u

/* Capacities are powers of two no larger than 2 * PORTSET_SMALL_MAX, so
 * cap * sizeof(uint16_t) cannot overflow. */
_Static_assert((PORTSET_SMALL_MAX & (PORTSET_SMALL_MAX - 1)) == 0,
               "PORTSET_SMALL_MAX must be a power of two");

/* The table's slots for n ports: at most half full. */
static uint32_t cap_for(uint32_t n)
{
	uint32_t cap = PORTSET_INITIAL_CAP;
	while (cap < 2 * n)
		cap *= 2;
	return cap;
}

/* The port's first slot in a table of cap slots: Fibonacci hashing, whose
 * top bits spread runs of neighbouring ports. */
static uint32_t slot_of(uint16_t port, uint32_t cap)
{
	return (uint32_t)(((uint32_t)port * 0x9e3779b1u) >> 16) & (cap - 1);
}

/* True when port (not 0) is in the table. */
static bool table_has(const portset_t *ps, uint16_t port)
{
	uint32_t mask = ps->cap - 1;
	for (uint32_t i = slot_of(port, ps->cap); ps->small[i] != 0; i = (i + 1) & mask)
		if (ps->small[i] == port)
			return true;
	return false;
}

/* Puts port (not 0, not in it) into the table small of cap slots. */
static void table_put(uint16_t *small, uint32_t cap, uint16_t port)
{
	uint32_t i = slot_of(port, cap);
	while (small[i] != 0)
		i = (i + 1) & (cap - 1);
	small[i] = port;
}

/* A table of cap slots holding the nonzero ports of ports[0..n), or NULL. */
static uint16_t *table_of(const uint16_t *ports, uint32_t n, uint32_t cap)
{
	uint16_t *small = calloc(cap, sizeof *small);
	if (small == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (ports[i] != 0)
			table_put(small, cap, ports[i]);
	return small;
}

static int port_cmp(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

/* ps's ports (in its table form) in increasing order into out (room for
 * PORTSET_SMALL_MAX). Returns how many (ps->n). */
static uint32_t table_sorted(const portset_t *ps, uint16_t *out)
{
	uint32_t n = 0;
	if (ps->zero)
		out[n++] = 0;
	for (uint32_t i = 0; i < ps->cap; i++)
		if (ps->small[i] != 0)
			out[n++] = ps->small[i];
	qsort(out, n, sizeof *out, port_cmp);
	return n;
}

static bool bit_test(const uint64_t *bits, uint32_t port)
{
	return (bits[port / 64] >> (port % 64)) & 1u;
}

static void bit_set(uint64_t *bits, uint32_t port)
{
	bits[port / 64] |= (uint64_t)1 << (port % 64);
}

/* The bitmap of ps's ports (in its table form), or NULL. */
static uint64_t *bits_from_table(const portset_t *ps)
{
	uint64_t *bits = calloc(PORTSET_WORDS, sizeof *bits);
	if (bits == NULL)
		return NULL;
	if (ps->zero)
		bit_set(bits, 0);
	for (uint32_t i = 0; i < ps->cap; i++)
		if (ps->small[i] != 0)
			bit_set(bits, ps->small[i]);
	return bits;
}

/* Replaces ps's table by the bitmap bits (ps takes ownership). */
static void use_bits(portset_t *ps, uint64_t *bits, uint32_t n)
{
	free(ps->small);
	ps->small = NULL;
	ps->cap = 0;
	ps->zero = false;
	ps->bits = bits;
	ps->n = n;
}

/* Makes room in ps's table for one more port. 0 or -BS_ENOMEM. */
static int table_reserve(portset_t *ps)
{
	if (2 * (ps->n + 1) <= ps->cap)
		return 0;
	uint32_t cap = ps->cap == 0 ? PORTSET_INITIAL_CAP : 2 * ps->cap;
	uint16_t *small = calloc(cap, sizeof *small);
	if (small == NULL)
		return -BS_ENOMEM;
	for (uint32_t i = 0; i < ps->cap; i++)
		if (ps->small[i] != 0)
			table_put(small, cap, ps->small[i]);
	free(ps->small);
	ps->small = small;
	ps->cap = cap;
	return 0;
}

void portset_prefetch(const portset_t *ps, uint16_t port)
{
	if (ps->bits != NULL)
		__builtin_prefetch(&ps->bits[port / 64u]);
	else if (ps->small != NULL && port != 0)
		__builtin_prefetch(&ps->small[slot_of(port, ps->cap)]);
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
	if (port == 0 ? ps->zero : ps->cap > 0 && table_has(ps, port))
		return 0;
	if (ps->n == PORTSET_SMALL_MAX) {
		uint64_t *bits = bits_from_table(ps);
		if (bits == NULL)
			return -BS_ENOMEM;
		bit_set(bits, port);
		use_bits(ps, bits, ps->n + 1);
		return 0;
	}
	if (port == 0) {
		ps->zero = true;
	} else {
		int rc = table_reserve(ps);
		if (rc < 0)
			return rc;
		table_put(ps->small, ps->cap, port);
	}
	ps->n++;
	return 0;
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
		/* Port by port into a copy, which turns into the bitmap when
		 * the union passes PORTSET_SMALL_MAX as one set would have;
		 * dst is replaced only once it all worked. */
		uint16_t ports[PORTSET_SMALL_MAX];
		uint32_t n = table_sorted(dst, ports);
		portset_t u = {0};
		int rc = 0;
		for (uint32_t i = 0; rc == 0 && i < n; i++)
			rc = portset_add(&u, ports[i]);
		n = table_sorted(src, ports);
		for (uint32_t i = 0; rc == 0 && i < n; i++)
			rc = portset_add(&u, ports[i]);
		if (rc < 0) {
			portset_clear(&u);
			return rc;
		}
		portset_clear(dst);
		*dst = u;
		return 0;
	}
	uint64_t *bits = dst->bits;
	if (bits == NULL && (bits = bits_from_table(dst)) == NULL)
		return -BS_ENOMEM;
	if (src->bits != NULL) {
		for (uint32_t w = 0; w < PORTSET_WORDS; w++)
			bits[w] |= src->bits[w];
	} else {
		if (src->zero)
			bit_set(bits, 0);
		for (uint32_t i = 0; i < src->cap; i++)
			if (src->small[i] != 0)
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
	if (a->zero != b->zero)
		return false;
	for (uint32_t i = 0; i < a->cap; i++)
		if (a->small[i] != 0 && !table_has(b, a->small[i]))
			return false;
	return true;
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
		uint16_t ports[PORTSET_SMALL_MAX];
		uint32_t n = table_sorted(ps, ports);
		for (uint32_t i = 0; i < n; i++)
			bs_buf_put_u16(b, ports[i]);
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
	uint16_t ports[PORTSET_SMALL_MAX];
	for (uint32_t i = 0; i < n; i++) {
		ports[i] = bs_buf_get_u16(r);
		if (ports[i] <= prev)
			return bs_buf_fail(r, "portset: ports not in strictly increasing order");
		prev = ports[i];
	}
	ps->zero = n > 0 && ports[0] == 0;
	if (n > (uint32_t)ps->zero) {
		ps->cap = cap_for(n);
		if ((ps->small = table_of(ports, n, ps->cap)) == NULL)
			return -BS_ENOMEM;
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

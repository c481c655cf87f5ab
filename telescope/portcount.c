/* portcount.c - exact per-port counts: a sorted table, then a flat array.
 *
 * The table is kept sorted by port so that its contents (and the top-port
 * scan, which visits ports in increasing order) are canonical whatever the
 * order ports were added in. */
#include "telescope/portcount.h"

#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

/* First allocation of the table: a SYN flood's one or two ports, 32 bytes.
 * Grows by doubling up to PORTCOUNT_SMALL_MAX. */
#define PORTCOUNT_INITIAL_CAP 4u

/* Capacities are powers of two no larger than PORTCOUNT_SMALL_MAX (4 KiB),
 * so cap * sizeof(entry) cannot overflow. */
_Static_assert((PORTCOUNT_SMALL_MAX & (PORTCOUNT_SMALL_MAX - 1)) == 0,
               "PORTCOUNT_SMALL_MAX must be a power of two");

static uint32_t sat_add(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static uint32_t cap_for(uint32_t n)
{
	uint32_t cap = PORTCOUNT_INITIAL_CAP;
	while (cap < n)
		cap *= 2;
	return cap;
}

/* Index of the first entry whose port is not below port; branch-free
 * halving, as in distinct.c (spread ports make every branch a guess). */
static uint32_t lower_bound(const struct portcount_entry *e, uint32_t n, uint16_t port)
{
	const struct portcount_entry *base = e;

	if (n == 0)
		return 0;
	while (n > 1) {
		uint32_t half = n / 2;
		base = base[half].port < port ? base + half : base;
		n -= half;
	}
	return (uint32_t)(base - e) + (base->port < port);
}

static uint32_t *full_from_small(const struct portcount_entry *e, uint32_t n)
{
	uint32_t *full = calloc(PORTCOUNT_PORTS, sizeof *full);
	if (full == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		full[e[i].port] = e[i].count;
	return full;
}

/* Replaces pc's table by the array full (pc takes ownership). */
static void use_full(portcount_t *pc, uint32_t *full, uint32_t n)
{
	free(pc->small);
	pc->small = NULL;
	pc->cap = 0;
	pc->full = full;
	pc->n = n;
}

void portcount_prefetch(const portcount_t *pc, uint16_t port)
{
	if (pc->full != NULL)
		__builtin_prefetch(&pc->full[port]);
	else if (pc->small != NULL)
		__builtin_prefetch(pc->small);
}

int portcount_add(portcount_t *pc, uint16_t port)
{
	if (pc->full != NULL) {
		if (pc->full[port] == 0)
			pc->n++;
		pc->full[port] = sat_add(pc->full[port], 1);
		return 0;
	}
	uint32_t i = lower_bound(pc->small, pc->n, port);
	if (i < pc->n && pc->small[i].port == port) {
		pc->small[i].count = sat_add(pc->small[i].count, 1);
		return 0;
	}
	if (pc->n == PORTCOUNT_SMALL_MAX) {
		uint32_t *full = full_from_small(pc->small, pc->n);
		if (full == NULL)
			return -BS_ENOMEM;
		full[port] = 1;
		use_full(pc, full, pc->n + 1);
		return 0;
	}
	if (pc->n == pc->cap) {
		uint32_t cap = cap_for(pc->n + 1);
		struct portcount_entry *small = realloc(pc->small, cap * sizeof *small);
		if (small == NULL)
			return -BS_ENOMEM;
		pc->small = small;
		pc->cap = cap;
	}
	memmove(pc->small + i + 1, pc->small + i, (pc->n - i) * sizeof *pc->small);
	pc->small[i] = (struct portcount_entry){.count = 1, .port = port};
	pc->n++;
	return 0;
}

/* Walks the union of the port-sorted tables a and b in port order, summing
 * the counts of shared ports into out unless out is NULL; stops after
 * limit + 1 entries. Returns the number of distinct ports walked. */
static uint32_t table_union(const struct portcount_entry *a, uint32_t na,
                            const struct portcount_entry *b, uint32_t nb,
                            struct portcount_entry *out, uint32_t limit)
{
	uint32_t i = 0, j = 0, n = 0;
	while ((i < na || j < nb) && n <= limit) {
		struct portcount_entry e;
		if (j == nb || (i < na && a[i].port <= b[j].port)) {
			e = a[i++];
			if (j < nb && b[j].port == e.port)
				e.count = sat_add(e.count, b[j++].count);
		} else {
			e = b[j++];
		}
		if (out != NULL)
			out[n] = e;
		n++;
	}
	return n;
}

int portcount_merge(portcount_t *dst, const portcount_t *src)
{
	if (src->n == 0)
		return 0;
	if (dst->full == NULL && src->full == NULL) {
		uint32_t n =
		    table_union(dst->small, dst->n, src->small, src->n, NULL, PORTCOUNT_SMALL_MAX);
		if (n <= PORTCOUNT_SMALL_MAX) {
			uint32_t cap = cap_for(n);
			struct portcount_entry *small = malloc(cap * sizeof *small);
			if (small == NULL)
				return -BS_ENOMEM;
			table_union(dst->small, dst->n, src->small, src->n, small,
			            PORTCOUNT_SMALL_MAX);
			free(dst->small);
			dst->small = small;
			dst->n = n;
			dst->cap = cap;
			return 0;
		}
	}
	uint32_t *full = dst->full;
	if (full == NULL && (full = full_from_small(dst->small, dst->n)) == NULL)
		return -BS_ENOMEM;
	uint32_t n = dst->n;
	uint32_t src_ports = src->full != NULL ? PORTCOUNT_PORTS : src->n;
	for (uint32_t i = 0; i < src_ports; i++) {
		uint32_t port = src->full != NULL ? i : src->small[i].port;
		uint32_t count = src->full != NULL ? src->full[i] : src->small[i].count;
		if (count == 0)
			continue;
		if (full[port] == 0)
			n++;
		full[port] = sat_add(full[port], count);
	}
	if (full != dst->full)
		use_full(dst, full, n);
	else
		dst->n = n;
	return 0;
}

uint32_t portcount_distinct(const portcount_t *pc)
{
	return pc->n;
}

int32_t portcount_top(const portcount_t *pc)
{
	uint32_t slots = pc->full != NULL ? PORTCOUNT_PORTS : pc->n;
	uint32_t best = 0;
	int32_t top = -1;

	/* Ports are visited in increasing order and only a strictly larger
	 * count replaces the best, so ties go to the lowest port. */
	for (uint32_t i = 0; i < slots; i++) {
		uint32_t count = pc->full != NULL ? pc->full[i] : pc->small[i].count;
		if (count > best) {
			best = count;
			top = pc->full != NULL ? (int32_t)i : pc->small[i].port;
		}
	}
	return top;
}

bool portcount_equal(const portcount_t *a, const portcount_t *b)
{
	if (a->n != b->n || (a->full == NULL) != (b->full == NULL))
		return false;
	if (a->full != NULL)
		return memcmp(a->full, b->full, PORTCOUNT_PORTS * sizeof *a->full) == 0;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->small[i].port != b->small[i].port || a->small[i].count != b->small[i].count)
			return false;
	return true;
}

void portcount_clear(portcount_t *pc)
{
	free(pc->small);
	free(pc->full);
	memset(pc, 0, sizeof *pc);
}

int portcount_encode(const portcount_t *pc, struct bs_buf *b)
{
	uint32_t slots = pc->full != NULL ? PORTCOUNT_PORTS : pc->n;

	bs_buf_put_u32(b, pc->n);
	for (uint32_t i = 0; i < slots; i++) {
		uint32_t count = pc->full != NULL ? pc->full[i] : pc->small[i].count;
		if (count == 0)
			continue;
		bs_buf_put_u16(b, (uint16_t)(pc->full != NULL ? i : pc->small[i].port));
		bs_buf_put_u32(b, count);
	}
	return bs_buf_status(b);
}

/* Bytes of one encoded entry: u16 port, u32 count. */
#define PORTCOUNT_ENTRY_BYTES 6u

int portcount_decode(portcount_t *pc, struct bs_buf_reader *r)
{
	uint32_t n = bs_buf_get_u32(r);
	int32_t prev = -1;
	int rc = 0;

	if (n > PORTCOUNT_PORTS)
		rc = bs_buf_fail(r, "portcount: more ports than there are");
	else if (n > bs_buf_left(r) / PORTCOUNT_ENTRY_BYTES)
		rc = bs_buf_fail(r, "ends early");
	else if (n > PORTCOUNT_SMALL_MAX &&
	         (pc->full = calloc(PORTCOUNT_PORTS, sizeof *pc->full)) == NULL)
		rc = -BS_ENOMEM;
	else if (n > 0 && n <= PORTCOUNT_SMALL_MAX &&
	         (pc->small = malloc(cap_for(n) * sizeof *pc->small)) == NULL)
		rc = -BS_ENOMEM;
	else if (pc->small != NULL)
		pc->cap = cap_for(n);
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		uint16_t port = bs_buf_get_u16(r);
		uint32_t count = bs_buf_get_u32(r);
		if (port <= prev)
			rc = bs_buf_fail(r, "portcount: ports not in strictly increasing order");
		else if (count == 0)
			rc = bs_buf_fail(r, "portcount: a port counted zero times");
		else if (pc->full != NULL)
			pc->full[port] = count;
		else
			pc->small[i] = (struct portcount_entry){.count = count, .port = port};
		prev = port;
	}
	if (rc == 0 && bs_buf_failed(r))
		rc = -BS_EFORMAT;
	if (rc == 0)
		pc->n = n;
	else
		portcount_clear(pc);
	return rc;
}

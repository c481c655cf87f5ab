/* bs_buf.c - see bs_buf.h. Values are assembled byte by byte with shifts,
 * which is the little-endian layout on any host and compiles to a plain
 * load or store on the little-endian ones once the length is a constant:
 * put_le() is inlined into each fixed-size put for that (a flow's state
 * is thousands of puts, issue 11). */
#include "base/bs_buf.h"

#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_error.h"

_Static_assert(sizeof(double) == sizeof(uint64_t), "doubles are stored as their 64 bits");

/* Room for n more bytes at the end; false (and a failed buffer) if none. */
static bool reserve(struct bs_buf *b, size_t n)
{
	if (b->err != 0)
		return false;
	if (n > SIZE_MAX - b->len || bs_array_reserve(&b->data, &b->cap, b->len + n, 1) != 0) {
		b->err = -BS_ENOMEM;
		return false;
	}
	return true;
}

/* Stores the low n bytes of v at p, least significant first. */
static inline void store_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline __attribute__((always_inline)) void put_le(struct bs_buf *b, uint64_t v, size_t n)
{
	if (!reserve(b, n))
		return;
	store_le(b->data + b->len, v, n);
	b->len += n;
}

void bs_buf_put_u8(struct bs_buf *b, uint8_t v)
{
	put_le(b, v, 1);
}

void bs_buf_put_u16(struct bs_buf *b, uint16_t v)
{
	put_le(b, v, 2);
}

void bs_buf_put_u32(struct bs_buf *b, uint32_t v)
{
	put_le(b, v, 4);
}

void bs_buf_put_u64(struct bs_buf *b, uint64_t v)
{
	put_le(b, v, 8);
}

void bs_buf_put_f64(struct bs_buf *b, double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	put_le(b, bits, 8);
}

void bs_buf_put_bytes(struct bs_buf *b, const void *p, size_t n)
{
	if (n == 0 || !reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void bs_buf_patch_u32(struct bs_buf *b, size_t at, uint32_t v)
{
	if (b->err == 0 && at <= b->len && b->len - at >= 4)
		store_le(b->data + at, v, 4);
}

void bs_buf_patch_u64(struct bs_buf *b, size_t at, uint64_t v)
{
	if (b->err == 0 && at <= b->len && b->len - at >= 8)
		store_le(b->data + at, v, 8);
}

int bs_buf_status(const struct bs_buf *b)
{
	return b->err;
}

void bs_buf_free(struct bs_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void bs_buf_reader_init(struct bs_buf_reader *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
	r->why = NULL;
}

const uint8_t *bs_buf_get_bytes(struct bs_buf_reader *r, size_t n)
{
	if (r->why != NULL)
		return NULL;
	if (n > r->len - r->pos) {
		bs_buf_fail(r, "ends early");
		return NULL;
	}
	const uint8_t *p = r->p + r->pos;
	r->pos += n;
	return p;
}

static uint64_t get_le(struct bs_buf_reader *r, size_t n)
{
	const uint8_t *p = bs_buf_get_bytes(r, n);
	uint64_t v = 0;

	for (size_t i = 0; p != NULL && i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint8_t bs_buf_get_u8(struct bs_buf_reader *r)
{
	return (uint8_t)get_le(r, 1);
}

uint16_t bs_buf_get_u16(struct bs_buf_reader *r)
{
	return (uint16_t)get_le(r, 2);
}

uint32_t bs_buf_get_u32(struct bs_buf_reader *r)
{
	return (uint32_t)get_le(r, 4);
}

uint64_t bs_buf_get_u64(struct bs_buf_reader *r)
{
	return get_le(r, 8);
}

double bs_buf_get_f64(struct bs_buf_reader *r)
{
	uint64_t bits = get_le(r, 8);
	double v;
	memcpy(&v, &bits, sizeof v);
	return v;
}

int bs_buf_fail(struct bs_buf_reader *r, const char *why)
{
	if (r->why == NULL)
		r->why = why;
	return -BS_EFORMAT;
}

bool bs_buf_failed(const struct bs_buf_reader *r)
{
	return r->why != NULL;
}

size_t bs_buf_left(const struct bs_buf_reader *r)
{
	return r->why != NULL ? 0 : r->len - r->pos;
}

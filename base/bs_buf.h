/* bs_buf.h - bytes in a fixed little-endian layout: a growing buffer to
 * write them, a bounded reader to parse them back.
 *
 * One pair for every binary encoding of the library (the per-flow blocks
 * of telescope/, the flow state file of outdir/flowstate.h) instead of a
 * near-copy per module. The byte order is fixed (little-endian, doubles as
 * their IEEE 754 bits), so a file written on one machine reads on any
 * other.
 *
 * Both sides keep their first failure and ignore what follows it (sticky
 * errors), so an encoder is a plain run of puts checked once at the end,
 * and a decoder may read a whole structure before asking whether it was
 * there: a get past the end returns 0, which is safe as a count (nothing
 * is allocated or looped over for it). A decoder still checks every value
 * it uses for a size or an index against its own limits before using it.
 *
 * Hand-written: a few dozen lines, where a serialization library
 * (protobuf-c, msgpack) would bring a schema compiler or a dependency for
 * fields that are fixed-width integers, and would not give the canonical
 * bytes the flow state needs (telescope/attack.h). */
#ifndef BASE_BS_BUF_H
#define BASE_BS_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A growing byte buffer. Zero-filled is empty and valid; free the data
 * with bs_buf_free(). */
struct bs_buf {
	uint8_t *data;
	size_t len, cap;
	int err; /* 0, or -BS_ENOMEM once a put failed (then nothing more is added) */
};

/** Appends v, little-endian. On allocation failure the buffer keeps what
 * it had and every later put does nothing; bs_buf_status() tells. */
void bs_buf_put_u8(struct bs_buf *b, uint8_t v);
void bs_buf_put_u16(struct bs_buf *b, uint16_t v);
void bs_buf_put_u32(struct bs_buf *b, uint32_t v);
void bs_buf_put_u64(struct bs_buf *b, uint64_t v);
/** v's IEEE 754 binary64 bits as a u64: every double, NaN payloads and the
 * sign of zero included, reads back bit for bit. */
void bs_buf_put_f64(struct bs_buf *b, double v);
/** Appends n bytes of p (p may be NULL when n is 0). */
void bs_buf_put_bytes(struct bs_buf *b, const void *p, size_t n);
/** Overwrites the 4 or 8 bytes at offset at (written earlier) with v,
 * little-endian: a length known only after what it measures. Does nothing
 * after a failed put. */
void bs_buf_patch_u32(struct bs_buf *b, size_t at, uint32_t v);
void bs_buf_patch_u64(struct bs_buf *b, size_t at, uint64_t v);
/** 0, or -BS_ENOMEM when a put failed. */
int bs_buf_status(const struct bs_buf *b);
/** Frees the data; b is empty afterwards. */
void bs_buf_free(struct bs_buf *b);

/** Reads len bytes at p (borrowed) from the start. */
struct bs_buf_reader {
	const uint8_t *p;
	size_t len, pos;
	const char *why; /* NULL, or why the bytes were refused (static text) */
};

/** A reader over p[0..len). */
void bs_buf_reader_init(struct bs_buf_reader *r, const uint8_t *p, size_t len);
/** The next value, little-endian; 0 when fewer bytes are left than it
 * takes, which fails the reader ("ends early"). After a failure every get
 * returns 0 and reads nothing. */
uint8_t bs_buf_get_u8(struct bs_buf_reader *r);
uint16_t bs_buf_get_u16(struct bs_buf_reader *r);
uint32_t bs_buf_get_u32(struct bs_buf_reader *r);
uint64_t bs_buf_get_u64(struct bs_buf_reader *r);
/** The double whose IEEE 754 bits are the next u64: any value, NaN and
 * infinities included; the caller checks its range. */
double bs_buf_get_f64(struct bs_buf_reader *r);
/** The next n bytes, borrowed from the input, or NULL (and a failed
 * reader) when fewer are left. */
const uint8_t *bs_buf_get_bytes(struct bs_buf_reader *r, size_t n);
/** Fails the reader with why (static text saying what is wrong, e.g.
 * "ports not in increasing order"), unless it failed already: the first
 * failure is the one reported. Returns -BS_EFORMAT. */
int bs_buf_fail(struct bs_buf_reader *r, const char *why);
/** True once a get ran short or bs_buf_fail() was called. */
bool bs_buf_failed(const struct bs_buf_reader *r);
/** Bytes not read yet (0 after a failure). */
size_t bs_buf_left(const struct bs_buf_reader *r);

#endif

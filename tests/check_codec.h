/* check_codec.h - what every binary encoding of the library must do
 * (base/bs_buf.h), checked the same way in the suites of the per-flow
 * blocks, the flow table and the flow state file: re-encoding gives the
 * same bytes, every truncation is refused with a reason, and a planted
 * corruption is refused with the expected one.
 *
 * A suite passes its decoder as a codec_try function, which decodes
 * p[0..len) into a state of its own, drops the state, and returns the
 * decoder's code (1 when it succeeded without reading every byte) and the
 * reader's reason. Inputs are copied to a heap block of exactly len bytes
 * first, so a read past the end shows under AddressSanitizer.
 *
 * Header-only so each suite stays one binary; static inline so a suite
 * that uses only some helpers compiles without unused-function warnings. */
#ifndef TESTS_CHECK_CODEC_H
#define TESTS_CHECK_CODEC_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_buf.h"
#include "base/bs_error.h"

typedef int (*codec_try)(const uint8_t *p, size_t len, const char **why);

/** Runs try on a heap copy of exactly p[0..len). */
static inline int codec_run(codec_try try, const uint8_t *p, size_t len, const char **why)
{
	uint8_t *copy = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(copy);
	if (len > 0)
		memcpy(copy, p, len);
	*why = NULL;
	int rc = try(copy, len, why);
	free(copy);
	return rc;
}

/** a and b hold the same bytes. */
static inline void codec_assert_same(const struct bs_buf *a, const struct bs_buf *b)
{
	ck_assert_uint_eq(a->len, b->len);
	ck_assert_msg(a->len == 0 || memcmp(a->data, b->data, a->len) == 0, "bytes differ");
}

/** The whole of b decodes; every proper prefix of it is refused with
 * -BS_EFORMAT and a reason. */
static inline void codec_assert_truncations(const struct bs_buf *b, codec_try try)
{
	const char *why;
	ck_assert_int_eq(codec_run(try, b->data, b->len, &why), 0);
	for (size_t cut = 0; cut < b->len; cut++) {
		int rc = codec_run(try, b->data, cut, &why);
		ck_assert_msg(rc == -BS_EFORMAT, "cut at %zu of %zu bytes: code %d", cut, b->len,
		              rc);
		ck_assert_msg(why != NULL && why[0] != '\0', "cut at %zu: no reason", cut);
	}
}

/** p[0..len) is refused with -BS_EFORMAT and a reason containing want. */
static inline void codec_assert_refused(codec_try try, const uint8_t *p, size_t len,
                                        const char *want)
{
	const char *why;
	int rc = codec_run(try, p, len, &why);
	ck_assert_msg(rc == -BS_EFORMAT, "accepted (code %d), expected \"%s\"", rc, want);
	ck_assert_msg(why != NULL && strstr(why, want) != NULL, "reason \"%s\", expected \"%s\"",
	              why ? why : "(none)", want);
}

/** Overwrites the little-endian u32 or u64 at p + at. */
static inline void codec_poke_u32(uint8_t *p, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static inline void codec_poke_u64(uint8_t *p, size_t at, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

#endif

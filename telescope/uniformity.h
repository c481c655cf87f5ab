/* uniformity.h - is a flow's backscatter spread uniformly over the
 * telescope? The Anderson-Darling test of destination positions against
 * Uniform(0, 1), as Moore et al. (2001, 2006) used to check the
 * uniform-spoofing assumption behind the rate estimate (METHOD.md 4).
 *
 * Input per packet: a 64-bit key and the position u in (0, 1) of its
 * destination in the telescope (bs_prefixes_position()). The flow keeps a
 * bottom-k sample: the UNIFORMITY_SAMPLE_MAX packets with the smallest
 * keys (ties by u). With keys from a hash of (destination, time) the
 * sample is a uniform random sample of the packets, yet a deterministic
 * function of the multiset of packets: insertion order does not matter and
 * uniformity_merge() yields exactly the sample of the union (parallel
 * files, flows stitched at file boundaries).
 *
 * Hand-written rather than a library: it is on the per-packet path (an
 * O(1) rejection once the sample is full), embeds in the flow record
 * without an allocation of its own, and must merge exactly; the test
 * itself is a dozen lines (no statistics library is a dependency). The
 * struct is public only so it can be embedded; treat the fields as
 * private. A zero-filled uniformity_t is a valid empty sample. */
#ifndef TELESCOPE_UNIFORMITY_H
#define TELESCOPE_UNIFORMITY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bs_buf.h"

/* Sample size k. Capping the sample fixes the test's power whatever the
 * attack's size: with all packets, a multi-million-packet flood would be
 * rejected for deviations far too small to matter for a rate estimate,
 * while a 25-packet flow could hardly be rejected at all. With n = 256 the
 * test detects CDF deviations of about 1.36 / sqrt(256) = 8.5% (the
 * Kolmogorov-Smirnov 5% scale, a rough guide for A^2), and the sample
 * costs 4 KiB, the size of the destination sketch. */
#define UNIFORMITY_SAMPLE_MAX 256u
/* Fewest samples for a statistic: Stephens (1974) gives the asymptotic
 * critical values as adequate for n >= 5 in the fully specified case. */
#define UNIFORMITY_MIN_SAMPLES 5u
/* 5% critical value of A^2 for a fully specified distribution ("case 0",
 * asymptotic; 15%/10%/5%/2.5%/1%: 1.610/1.933/2.492/3.070/3.857):
 * Stephens, "EDF statistics for goodness of fit and some comparisons",
 * JASA 69 (1974); D'Agostino & Stephens, Goodness-of-Fit Techniques
 * (1986), chapter 4, case 0. */
#define UNIFORMITY_A2_CRIT_05 2.492
/* Positions are clamped to [EPS, 1 - EPS] so ln u and ln (1 - u) stay
 * finite; 1e-12 is below the spacing 1 / n of any telescope up to 2^40
 * addresses, so only positions that round to an edge move. */
#define UNIFORMITY_U_EPS 1e-12

struct uniformity_item {
	uint64_t key;
	double u;
};

typedef struct uniformity {
	uint32_t n;                    /* items in the sample */
	uint32_t cap;                  /* items allocated */
	struct uniformity_item *items; /* in arrival order; a max-heap once full */
} uniformity_t;

/** Offers one packet with sample key `key` and position u in [0, 1].
 * 0; -BS_EINVAL if u is outside [0, 1] or NaN; -BS_ENOMEM. s is unchanged
 * on error. */
int uniformity_add(uniformity_t *s, uint64_t key, double u);
/** False when uniformity_add() with this key would leave s unchanged
 * whatever u is (s is full and key is above all its keys), so that the
 * caller can skip working out u: true for most packets of a long flow. */
bool uniformity_takes(const uniformity_t *s, uint64_t key);
/** dst becomes the bottom-k sample of the union with src (borrowed).
 * 0, or -BS_ENOMEM with dst unchanged. */
int uniformity_merge(uniformity_t *dst, const uniformity_t *src);
/** Items in the sample (min(packets offered, UNIFORMITY_SAMPLE_MAX)). */
uint32_t uniformity_size(const uniformity_t *s);
/** Anderson-Darling A^2 of the sample against Uniform(0, 1):
 * A^2 = -n - (1/n) sum_{i=1..n} (2i - 1) [ln u_(i) + ln(1 - u_(n+1-i))]
 * with u_(i) the sorted positions. NAN with fewer than
 * UNIFORMITY_MIN_SAMPLES items. */
double uniformity_a2(const uniformity_t *s);
/** True when a2 is below UNIFORMITY_A2_CRIT_05 (not rejected at 5%).
 * False for NAN: without a test, the rate estimate is not vouched for. */
bool uniformity_pass(double a2);
/** True when a and b hold the same sample. */
bool uniformity_equal(const uniformity_t *a, const uniformity_t *b);
/** Frees the storage; s is empty afterwards. */
void uniformity_clear(uniformity_t *s);

/* The sample as bytes (base/bs_buf.h), to carry a flow from one run to
 * another (outdir/flowstate.h): u32 n, at most UNIFORMITY_SAMPLE_MAX,
 * then n items of u64 key and f64 u (IEEE 754 bits, in [0, 1]) in the
 * sample's order: by key, ties by u, equal items allowed (two packets to
 * one address in one microsecond). Equal samples give equal bytes. */

/** Appends s's sample to b. 0, or -BS_ENOMEM (bs_buf_status(b)). */
int uniformity_encode(const uniformity_t *s, struct bs_buf *b);
/** Reads a sample written by uniformity_encode() into s, which must be
 * empty (zero-filled or cleared). 0; -BS_EFORMAT (r fails, saying why)
 * when the bytes end early or break a rule above (too many items, a
 * position outside [0, 1] or NaN, items out of order); -BS_ENOMEM. s is
 * empty after an error. */
int uniformity_decode(uniformity_t *s, struct bs_buf_reader *r);

#endif

/* distinct.h - count distinct 64-bit item hashes (telescope destinations of
 * one flow): exact while small, HyperLogLog beyond.
 *
 * Most flows reach a handful of destinations, so the set starts empty,
 * holds the hashes in a small hash table that grows by doubling, and only past
 * DISTINCT_EXACT_MAX items becomes a 4 KiB HyperLogLog sketch (Flajolet,
 * Fusy, Gandouet, Meunier, "HyperLogLog: the analysis of a near-optimal
 * cardinality estimation algorithm", AofA 2007). A flood covering a whole
 * /8 therefore costs 4 KiB, not 16 M entries.
 *
 * The state is a function of the *set* of items added, whatever the order:
 * the exact set (encoded sorted, so even its bytes are canonical) while it has at
 * most DISTINCT_EXACT_MAX items, else the sketch of the set, whose
 * registers are per-bucket maxima. distinct_merge() of two states is thus
 * exactly the state of adding every item to one, which lets files be
 * processed in parallel and flows stitched at file boundaries bit for bit.
 *
 * Hand-written rather than a library: it sits on the per-packet path,
 * must be embeddable in a flow record without an allocation of its own,
 * and must merge exactly; no packaged HLL offers the exact small mode with
 * a canonical merge. The struct is public only so it can be embedded
 * (one allocation per flow, not one per block); treat the fields as
 * private. A zero-filled distinct_t is a valid empty counter. */
#ifndef TELESCOPE_DISTINCT_H
#define TELESCOPE_DISTINCT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bs_buf.h"

/* Largest exact set: every count up to 512 is exact (including the
 * min-dests threshold of any sensible setting); the table of 512 hashes
 * takes 8 KiB (distinct.c), the sketch that follows 4 KiB. */
#define DISTINCT_EXACT_MAX 512u
/* HyperLogLog precision p: m = 2^12 one-byte registers (4 KiB), standard
 * error 1.04 / sqrt(m) = 1.6% (Flajolet et al. 2007). */
#define DISTINCT_HLL_P 12u
#define DISTINCT_HLL_M (1u << DISTINCT_HLL_P)

typedef struct distinct {
	uint32_t n;    /* items in the exact set; unused once regs is set */
	uint32_t cap;  /* slots allocated in set, a power of two */
	uint64_t *set; /* hash table of the nonzero hashes (0: empty slot);
	                  NULL while it has none or once sketched */
	uint8_t *regs; /* DISTINCT_HLL_M registers once past the exact max */
	bool zero;     /* the hash 0 is in the exact set */
} distinct_t;

/** Adds the item hash h (use a well-mixed 64-bit hash such as XXH3_64bits:
 * the sketch takes its bucket and rank from h's bits). 0, or -BS_ENOMEM
 * with d unchanged. */
int distinct_add(distinct_t *d, uint64_t h);
/** Asks the CPU to fetch the memory distinct_add(d, h) will touch: a hint,
 * for a caller that knows its next items ahead (attack.c's batches). */
void distinct_prefetch(const distinct_t *d, uint64_t h);
/** Adds every item of src (borrowed) to dst: dst becomes the state of the
 * union. 0, or -BS_ENOMEM with dst unchanged. */
int distinct_merge(distinct_t *dst, const distinct_t *src);
/** Distinct items: exact up to DISTINCT_EXACT_MAX, else the rounded
 * HyperLogLog estimate. */
uint64_t distinct_count(const distinct_t *d);
/** True while the count is exact (no sketch yet). */
bool distinct_is_exact(const distinct_t *d);
/** True when a and b hold the same state (same set, or same sketch). */
bool distinct_equal(const distinct_t *a, const distinct_t *b);
/** Frees the storage; d is empty afterwards. */
void distinct_clear(distinct_t *d);

/* The state as bytes (base/bs_buf.h), to carry a flow from one run to
 * another (outdir/flowstate.h): u8 0 and an exact set of u32 n (at most
 * DISTINCT_EXACT_MAX) hashes as u64, in increasing order; or u8 1 and the
 * DISTINCT_HLL_M registers as bytes, each at most DISTINCT_HLL_RANK_MAX.
 * The state is canonical (see above), so equal states give equal bytes. */

/* Largest register value: the rank of a hash whose bits after the bucket
 * index are all zero (64 - DISTINCT_HLL_P zeros, plus one). */
#define DISTINCT_HLL_RANK_MAX (64u - DISTINCT_HLL_P + 1u)

/** Appends d's state to b. 0, or -BS_ENOMEM (bs_buf_status(b)). */
int distinct_encode(const distinct_t *d, struct bs_buf *b);
/** Reads a state written by distinct_encode() into d, which must be empty
 * (zero-filled or cleared). 0; -BS_EFORMAT (r fails, saying why) when the
 * bytes end early or break a rule above (unknown mode, too many hashes,
 * hashes not strictly increasing, a register out of range); -BS_ENOMEM.
 * d is empty after an error. */
int distinct_decode(distinct_t *d, struct bs_buf_reader *r);

#endif

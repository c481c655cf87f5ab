/* portcount.h - exact per-port packet counts of one flow: how many distinct
 * victim ports it hit and which one it hit most.
 *
 * A SYN flood usually targets one or a few ports (80, 443); a flood that
 * sprays ports touches thousands. So counts start in a small table sorted
 * by port that grows by doubling, and past PORTCOUNT_SMALL_MAX distinct
 * ports become one 65536-entry array. Both are exact, so the state is a
 * function of the multiset of ports added, whatever the order, and
 * portcount_merge() yields exactly the state of adding everything to one
 * counter (parallel files, flows stitched at file boundaries).
 *
 * Hand-written rather than a library: it is on the per-packet path, must
 * embed in a flow record without an allocation of its own, and must merge
 * exactly. The struct is public only so it can be embedded; treat the
 * fields as private. A zero-filled portcount_t is a valid empty counter. */
#ifndef TELESCOPE_PORTCOUNT_H
#define TELESCOPE_PORTCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bs_buf.h"

/* Distinct ports kept in the sorted table: 512 entries are 4 KiB, 1/64 of
 * the full array, and inserting into a sorted table costs a memmove that
 * grows with its size; beyond a few hundred ports the flood sprays ports
 * and the flat array is both faster and bounded. */
#define PORTCOUNT_SMALL_MAX 512u
/* Entries of the full array: every 16-bit port. */
#define PORTCOUNT_PORTS 65536u

struct portcount_entry {
	uint32_t count; /* packets, saturating at UINT32_MAX */
	uint16_t port;
};

typedef struct portcount {
	uint32_t n;                    /* distinct ports */
	uint32_t cap;                  /* entries allocated in small */
	struct portcount_entry *small; /* sorted by port while n <= PORTCOUNT_SMALL_MAX */
	uint32_t *full;                /* PORTCOUNT_PORTS counts beyond */
} portcount_t;

/** Counts one packet to port. Counts saturate at UINT32_MAX (a per-port
 * count that large is 4 G packets; saturation keeps adds commutative).
 * 0, or -BS_ENOMEM with pc unchanged. */
int portcount_add(portcount_t *pc, uint16_t port);
/** Asks the CPU to fetch the memory portcount_add(pc, port) will touch
 * (a hint, as distinct_prefetch()). */
void portcount_prefetch(const portcount_t *pc, uint16_t port);
/** Adds every count of src (borrowed) to dst. 0, or -BS_ENOMEM with dst
 * unchanged. */
int portcount_merge(portcount_t *dst, const portcount_t *src);
/** Distinct ports counted. */
uint32_t portcount_distinct(const portcount_t *pc);
/** The port with the most packets, the lowest such port on a tie; -1 when
 * empty. */
int32_t portcount_top(const portcount_t *pc);
/** True when a and b hold the same counts. */
bool portcount_equal(const portcount_t *a, const portcount_t *b);
/** Frees the storage; pc is empty afterwards. */
void portcount_clear(portcount_t *pc);

/* The counts as bytes (base/bs_buf.h), to carry a flow from one run to
 * another (outdir/flowstate.h): u32 n, the distinct ports (at most
 * PORTCOUNT_PORTS), then n entries of u16 port and u32 count (at least 1)
 * in strictly increasing port order, whether pc holds the table or the
 * array: which one follows from n (the array exactly when n is over
 * PORTCOUNT_SMALL_MAX), and a flooded array costs 6 bytes per port hit
 * rather than 256 KiB. Equal counts give equal bytes. */

/** Appends pc's counts to b. 0, or -BS_ENOMEM (bs_buf_status(b)). */
int portcount_encode(const portcount_t *pc, struct bs_buf *b);
/** Reads counts written by portcount_encode() into pc, which must be empty
 * (zero-filled or cleared). 0; -BS_EFORMAT (r fails, saying why) when the
 * bytes end early or break a rule above (too many ports, ports not
 * strictly increasing, a zero count); -BS_ENOMEM. pc is empty after an
 * error. */
int portcount_decode(portcount_t *pc, struct bs_buf_reader *r);

#endif

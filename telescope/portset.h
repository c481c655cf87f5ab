/* portset.h - the distinct 16-bit ports of one flow, without counts: how
 * many attacker ports (the source ports a spoofed flood forged) it used.
 *
 * Why not portcount.h, which counts victim ports the same way: a flood
 * draws a random source port per packet, so a flow past a few hundred
 * packets has about as many attacker ports as packets, up to all 65536.
 * portcount's per-port counts then take its 256 KiB array in every large
 * flow (they took the peak memory of collect on the bench trace from 47
 * to 67 MB, past its 64 MB budget), where whether a port was seen takes
 * one bit. So ports
 * start in a small hash table that grows by doubling, and past
 * PORTSET_SMALL_MAX distinct ports become a bitmap of every port (8 KiB).
 * Both are exact, so the state is a function of the set of ports added,
 * whatever the order and however often, and portset_merge() yields
 * exactly the state of adding everything to one set (parallel files,
 * flows stitched at file boundaries, merge).
 *
 * The struct is public only so it can be embedded; treat the fields as
 * private. A zero-filled portset_t is a valid empty set. */
#ifndef TELESCOPE_PORTSET_H
#define TELESCOPE_PORTSET_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bs_buf.h"

/* Distinct ports kept in the table: its 1,024 slots at most are 2 KiB, a
 * quarter of the bitmap. Also fixes the encoding's form (below). */
#define PORTSET_SMALL_MAX 512u
/* Every 16-bit port. */
#define PORTSET_PORTS 65536u
/* 64-bit words of the bitmap. */
#define PORTSET_WORDS (PORTSET_PORTS / 64u)

typedef struct portset {
	uint32_t n;      /* distinct ports */
	uint32_t cap;    /* slots allocated in small, a power of two */
	uint16_t *small; /* while n <= PORTSET_SMALL_MAX: hash table of the nonzero
	                    ports (0: empty slot), NULL while it has none */
	uint64_t *bits;  /* PORTSET_WORDS words beyond: port p is bit p % 64 of word p / 64 */
	bool zero;       /* port 0 is in the table */
} portset_t;

/** Adds port (again: no change). 0, or -BS_ENOMEM with ps unchanged. */
int portset_add(portset_t *ps, uint16_t port);
/** Asks the CPU to fetch the memory portset_add(ps, port) will touch (a
 * hint, as distinct_prefetch()). */
void portset_prefetch(const portset_t *ps, uint16_t port);
/** Adds every port of src (borrowed) to dst. 0, or -BS_ENOMEM with dst
 * unchanged. */
int portset_merge(portset_t *dst, const portset_t *src);
/** Distinct ports added. */
uint32_t portset_count(const portset_t *ps);
/** True when a and b hold the same ports. */
bool portset_equal(const portset_t *a, const portset_t *b);
/** Frees the storage; ps is empty afterwards. */
void portset_clear(portset_t *ps);

/* The set as bytes (base/bs_buf.h), to carry a flow from one run to
 * another (outdir/flowstate.h): u32 n, the distinct ports (at most
 * PORTSET_PORTS), then, as ps holds them (which follows from n): while n
 * is at most PORTSET_SMALL_MAX, the n ports as u16 in strictly increasing
 * order; beyond, the bitmap as PORTSET_WORDS u64 words (8 KiB), n of its
 * bits set. Equal sets give equal bytes. */

/** Appends ps's ports to b. 0, or -BS_ENOMEM (bs_buf_status(b)). */
int portset_encode(const portset_t *ps, struct bs_buf *b);
/** Reads a set written by portset_encode() into ps, which must be empty
 * (zero-filled or cleared). 0; -BS_EFORMAT (r fails, saying why) when the
 * bytes end early or break a rule above (too many ports, ports not
 * strictly increasing, a bitmap with other than n bits set); -BS_ENOMEM.
 * ps is empty after an error. */
int portset_decode(portset_t *ps, struct bs_buf_reader *r);

#endif

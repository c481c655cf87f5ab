/* peak.h - the peak rate of one flow: most packets in any window of
 * PEAK_WINDOW_S consecutive whole UTC seconds.
 *
 * Definition. Let c(s) be the packets whose time falls in second s
 * (floor(ts_us / 10^6)). The peak is max over every integer t of
 * c(t) + ... + c(t + PEAK_WINDOW_S - 1): a window sliding in 1 s steps,
 * exact at 1 s resolution. corsaro slides its window in 10 s steps and so
 * misses bursts that straddle its step boundaries (METHOD.md section 3).
 *
 * State, for a flow whose seconds run from first_s to last_s:
 *  - up to PEAK_INLINE_MAX packets: their sorted seconds, no allocation
 *    (most flows are a few scanner packets);
 *  - beyond: "head" counts of seconds first_s .. first_s + 59, "tail"
 *    counts of the last PEAK_TAIL_S = 120 seconds (a ring), and "settled",
 *    the largest window that starts 120 s or more before last_s, whose
 *    sum no packet arriving in the exact regime below can change.
 * Windows are settled as they leave the tail, so memory is fixed (728
 * bytes) however long the flow lasts.
 *
 * Exactness. Head and tail are always exact. The peak is exact for any
 * arrival order as long as every packet is at most PEAK_WINDOW_S = 60 s
 * older than the newest second seen before it (all windows containing
 * such a packet are still in the tail); a packet later than that is
 * counted in head and tail but cannot raise windows already settled, so
 * the peak may then be lower than the truth, never higher. In particular
 * the first PEAK_INLINE_MAX packets may arrive in any order.
 *
 * Merge. peak_merge(A, B) gives exactly the state of adding every packet
 * of both to one peak_t (bit for bit) when one flow's first second is at
 * or after the other's last second: the windows straddling the boundary
 * are evaluated from the earlier flow's tail and the later flow's head,
 * which is what stitching a flow across consecutive trace files needs.
 * For flows that overlap in time the merged peak is a lower bound.
 *
 * Hand-written rather than a library: no library computes an exact,
 * mergeable sliding-window maximum in fixed memory, and this sits on the
 * per-packet path embedded in the flow record. The struct is public only
 * so it can be embedded; treat the fields as private. A zero-filled peak_t
 * is a valid empty state. */
#ifndef TELESCOPE_PEAK_H
#define TELESCOPE_PEAK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bs_buf.h"

/* Window width, seconds: corsaro's packets per minute (equal to
 * ATTACK_PEAK_WINDOW_S; attack.c checks). */
#define PEAK_WINDOW_S 60u
/* Seconds kept in the tail ring: two windows, so that every window holding
 * a packet up to one window late is still open. */
#define PEAK_TAIL_S (2u * PEAK_WINDOW_S)
/* Packets kept as plain sorted seconds before the rings are allocated:
 * 32 bytes, covering the one- to four-packet flows of scanner noise. */
#define PEAK_INLINE_MAX 4u

/** Per-second counts of a flow past PEAK_INLINE_MAX packets (a telescope
 * cannot receive 2^32 packets in one second, so uint32 never wraps). */
struct peak_rings {
	uint32_t head[PEAK_WINDOW_S]; /* second first_s + i */
	uint32_t tail[PEAK_TAIL_S];   /* second s at s % PEAK_TAIL_S, s > last_s - PEAK_TAIL_S */
	uint64_t oldest_window;       /* the window starting at the tail's oldest second */
};

typedef struct peak {
	uint64_t packets;
	uint64_t first_s, last_s;      /* smallest and largest second seen */
	uint64_t settled;              /* best window starting at or before last_s - PEAK_TAIL_S */
	uint64_t sec[PEAK_INLINE_MAX]; /* sorted seconds while packets <= PEAK_INLINE_MAX */
	struct peak_rings *rings;      /* beyond that */
} peak_t;

/** Counts one packet at ts_us (microseconds since the Unix epoch, UTC).
 * 0, or -BS_ENOMEM with p unchanged. */
int peak_add(peak_t *p, uint64_t ts_us);
/** Adds every packet of src (borrowed) to dst; exact when the two do not
 * overlap in time (see above). 0, or -BS_ENOMEM with dst unchanged. */
int peak_merge(peak_t *dst, const peak_t *src);
/** Most packets in any PEAK_WINDOW_S window; 0 when empty, UINT32_MAX if
 * larger. */
uint32_t peak_value(const peak_t *p);
/** True when a and b hold the same state. */
bool peak_equal(const peak_t *a, const peak_t *b);
/** Frees the storage; p is empty afterwards. */
void peak_clear(peak_t *p);

/* The state as bytes (base/bs_buf.h), to carry a flow from one run to
 * another (outdir/flowstate.h): u64 packets, then, up to PEAK_INLINE_MAX
 * packets, their seconds as u64 in increasing order (ties allowed);
 * beyond, u64 first_s, last_s and settled, the PEAK_WINDOW_S head counts
 * and the PEAK_TAIL_S tail slots (in ring order, slot 0 first) as u32.
 * Which form follows from packets, as in peak_t. The running sum of the
 * oldest tail window is not stored: it follows from the tail. Decoding
 * checks what the rings rely on: seconds no later than PEAK_SECOND_MAX,
 * first_s <= last_s, nothing counted in a head or tail slot that stands
 * for no second of the flow (after last_s, or outside the tail's span),
 * head and tail agreeing on the seconds both cover, and no count or
 * settled window above packets. */

/* Latest second a microsecond time since the epoch can fall in (a u64 of
 * microseconds): the bound that keeps window arithmetic from wrapping. */
#define PEAK_SECOND_MAX (UINT64_MAX / 1000000u)

/** Appends p's state to b. 0, or -BS_ENOMEM (bs_buf_status(b)). */
int peak_encode(const peak_t *p, struct bs_buf *b);
/** Reads a state written by peak_encode() into p, which must be empty
 * (zero-filled or cleared). 0; -BS_EFORMAT (r fails, saying why) when the
 * bytes end early or break a rule above; -BS_ENOMEM. p is empty after an
 * error. */
int peak_decode(peak_t *p, struct bs_buf_reader *r);

#endif

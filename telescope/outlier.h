/* outlier.h - the time-outlier rule, and the look-ahead that applies it to
 * a file's packets as they are read.
 *
 * A packet whose time is more than OUTLIER_MAX_JUMP_S from both its
 * neighbours in the file is a corrupt timestamp, not traffic: it is counted
 * as a time outlier and skipped, so that it cannot stretch an attack or
 * the time series over decades (issue 4). Its neighbours are the last
 * packet accepted and the packet after it, so a packet can be judged only
 * once the next one is read: the look-ahead holds it until then. Before
 * any packet is accepted, at the start of a file, it holds two, so that
 * the packet after next can vote in place of an accepted one and a bogus
 * second packet does not take the genuine first one with it.
 *
 * The look-ahead holds timestamps only. The caller keeps what it made of
 * each packet in an array of OUTLIER_SLOTS entries, and the look-ahead
 * says which slot a new packet goes in and which slot to accept or drop:
 * nothing is copied. Everything here runs for every packet read, so it is
 * static inline (the collector's per-packet path was tuned with
 * callgrind). */
#ifndef TELESCOPE_OUTLIER_H
#define TELESCOPE_OUTLIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bs_time.h"

/* The gap that makes a packet a time outlier when it parts it from both
 * neighbours. A telescope sees packets every few ms; a real gap of a day
 * on both sides of one packet does not happen. */
#define OUTLIER_MAX_JUMP_S 86400u
/* Packets the look-ahead holds at most: one once a packet has been
 * accepted, two before. */
#define OUTLIER_SLOTS 2u
/* Packets at the head of a file that decide its first genuine time
 * (outlier_first_kept()): the first two and the one after, which votes on
 * the second. */
#define OUTLIER_PROBE_PACKETS 3u

#define OUTLIER_MAX_JUMP_US ((uint64_t)OUTLIER_MAX_JUMP_S * BS_US_PER_S)

/** What outlier_settle() decided about a held packet. */
enum outlier_decision {
	OUTLIER_WAIT,   /* nothing can be decided before the packet arriving */
	OUTLIER_ACCEPT, /* the packet in *slot is genuine: count it */
	OUTLIER_DROP,   /* the packet in *slot is a time outlier: skip it */
};

/** Packets of one file waiting for their neighbours. Zeroed (or
 * outlier_init()) at the start of every file. */
struct outlier_lookahead {
	uint64_t pending_us[OUTLIER_SLOTS]; /* times of the held packets, by slot */
	unsigned n_pending;
	unsigned oldest;      /* slot of the oldest held packet */
	uint64_t accepted_us; /* time of the last accepted packet */
	bool has_accepted;
};

static inline uint64_t outlier_gap(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/** The rule: true when the packet at ts_us is a time outlier, that is far
 * from the last accepted packet (accepted_us, NULL when none yet) and from
 * the packet after it (next_us, NULL at the end of the file). With no
 * accepted packet yet the packet after next (after_us, NULL when none)
 * stands in for the accepted one; a lone packet is kept. */
static inline bool outlier_test(uint64_t ts_us, const uint64_t *accepted_us,
                                const uint64_t *next_us, const uint64_t *after_us)
{
	/* Near the accepted packet is the answer for nearly every packet. */
	if (accepted_us != NULL && outlier_gap(ts_us, *accepted_us) <= OUTLIER_MAX_JUMP_US)
		return false;
	bool far_next = next_us == NULL || outlier_gap(ts_us, *next_us) > OUTLIER_MAX_JUMP_US;
	if (accepted_us != NULL)
		return far_next;
	if (next_us == NULL)
		return false;
	return far_next &&
	       (after_us == NULL || outlier_gap(ts_us, *after_us) > OUTLIER_MAX_JUMP_US);
}

static inline void outlier_init(struct outlier_lookahead *la)
{
	*la = (struct outlier_lookahead){0};
}

/** Before a packet at *arriving_us joins (arriving_us NULL: the file
 * ended), decides the oldest held packet if its neighbours are known:
 * OUTLIER_ACCEPT or OUTLIER_DROP, with *slot the caller's slot of that
 * packet, which is free from then on. OUTLIER_WAIT when nothing is due.
 * The caller calls it until it returns OUTLIER_WAIT, then outlier_push(). */
static inline enum outlier_decision outlier_settle(struct outlier_lookahead *la,
                                                   const uint64_t *arriving_us, unsigned *slot)
{
	/* Once a packet is accepted one held packet is enough, so the steady
	 * state holds one; at the end of the file every held packet is due. */
	bool due = arriving_us == NULL
	               ? la->n_pending > 0
	               : la->n_pending == OUTLIER_SLOTS || (la->n_pending == 1 && la->has_accepted);
	if (!due)
		return OUTLIER_WAIT;
	unsigned s = la->oldest;
	const uint64_t *next_us = la->n_pending > 1 ? &la->pending_us[s ^ 1u] : arriving_us;
	const uint64_t *after_us = la->n_pending > 1 ? arriving_us : NULL;
	bool drop = outlier_test(la->pending_us[s], la->has_accepted ? &la->accepted_us : NULL,
	                         next_us, after_us);
	if (!drop) {
		la->accepted_us = la->pending_us[s];
		la->has_accepted = true;
	}
	la->oldest = s ^ 1u;
	la->n_pending--;
	*slot = s;
	return drop ? OUTLIER_DROP : OUTLIER_ACCEPT;
}

/** Holds the packet at ts_us, once outlier_settle() returned OUTLIER_WAIT
 * for it; returns the slot where the caller keeps what it made of it. */
static inline unsigned outlier_push(struct outlier_lookahead *la, uint64_t ts_us)
{
	unsigned s = la->n_pending == 0 ? la->oldest : la->oldest ^ 1u;
	la->pending_us[s] = ts_us;
	la->n_pending++;
	return s;
}

/** The first time the look-ahead accepts when a file holds only the
 * packets at ts[0..n): the time that orders a file among others, from its
 * first OUTLIER_PROBE_PACKETS. False when it accepts none (n is 0). */
bool outlier_first_kept(const uint64_t *ts, size_t n, uint64_t *first_us);

#endif

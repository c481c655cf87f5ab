/* vgroup.h - multi-vector groups: the attacks one victim suffered at once.
 *
 * Attacks on one victim over several protocols at the same time
 * ("multi-vector" or "joint" attacks in the DoS-ecosystem literature) are
 * separate rows of attacks.csv, because a flow is keyed on (victim,
 * protocol) (telescope/attack.h). The vector_group column ties them:
 *
 *   Two attacks are linked when they have the same victim (the same
 *   address, family included) and their closed intervals [start, end]
 *   intersect: they overlap, or one ends in the very microsecond the other
 *   starts. A group is a connected component of that relation, so a chain
 *   A-B-C where A and C do not overlap but both overlap B is one group.
 *
 * Two attacks of one (victim, protocol) key never overlap: a flow ends
 * only after a gap longer than the flow timeout, and the next flow of the
 * key starts after that gap. A group with attacks of several protocols is
 * "multi-vector"; an attack that overlaps no other is a group of its own.
 *
 * The groups depend on the final list only (victims and intervals), never
 * on how it was cut into pieces, so a merge of shards gives one collect's
 * groups: collect and merge compute them where attacks.csv is written
 * (attack_list.c), report over the attacks of its period (report.c). */
#ifndef OUTDIR_VGROUP_H
#define OUTDIR_VGROUP_H

#include <stddef.h>
#include <stdint.h>

/** One attack to group. 32 bytes: report groups 10^6 attacks at once. */
struct vgroup_attack {
	uint64_t start_us, end_us; /* end_us < start_us reads as end_us = start_us */
	uint32_t victim;           /* the victim as a dense id: equal ids, same
	                              address (family included; bs_intern.h) */
	uint32_t id;               /* the caller's number of the attack (attack_id) */
	uint32_t group;            /* out: the smallest id of the attack's group */
};

/** Groups a[0..n): sorts a[] by (victim, start_us, id) and sets each
 * attack's group to the smallest id of its group (with attack_ids as ids,
 * vector_group); an attack that overlaps no other is its own group. No
 * allocation; O(n log n). */
void vgroup_assign(struct vgroup_attack *a, size_t n);

#endif

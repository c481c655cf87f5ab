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

#include "telescope/addr.h"

/** What grouping needs of one attack. end_us < start_us is read as
 * end_us = start_us (a zero-length interval). */
struct vgroup_attack {
	bs_addr_t victim;
	uint64_t start_us, end_us;
};

/** Groups a[0..n): first[i] receives the smallest index j such that a[j]
 * is in a[i]'s group (i itself when a[i] overlaps no other attack). With
 * a[] in attacks.csv order, first[i] + 1 is the group's smallest attack_id.
 * O(n log n) time, O(n) scratch memory. 0, or -BS_ENOMEM (first[]
 * unspecified). */
int vgroup_assign(const struct vgroup_attack *a, size_t n, size_t *first);

#endif

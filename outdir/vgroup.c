/* vgroup.c - multi-vector groups (vgroup.h).
 *
 * The components of an interval-overlap relation are runs in start order:
 * sorted by (victim, start), an attack joins the group before it exactly
 * when it starts no later than the latest end seen in that group. One
 * sort and one sweep, no union-find and no scratch memory. */
#include "outdir/vgroup.h"

#include <stdlib.h>

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int attack_cmp(const void *pa, const void *pb)
{
	const struct vgroup_attack *a = pa, *b = pb;
	int c = CMP(a->victim, b->victim);
	if (c == 0)
		c = CMP(a->start_us, b->start_us);
	if (c == 0)
		c = CMP(a->id, b->id);
	return c;
}

static uint64_t end_of(const struct vgroup_attack *a)
{
	return a->end_us < a->start_us ? a->start_us : a->end_us;
}

void vgroup_assign(struct vgroup_attack *a, size_t n)
{
	if (n > 1)
		qsort(a, n, sizeof *a, attack_cmp);
	for (size_t k = 0; k < n;) {
		size_t next = k + 1;
		uint32_t lo = a[k].id;
		uint64_t reach = end_of(&a[k]);
		for (; next < n && a[next].victim == a[k].victim && a[next].start_us <= reach;
		     next++) {
			if (end_of(&a[next]) > reach)
				reach = end_of(&a[next]);
			if (a[next].id < lo)
				lo = a[next].id;
		}
		for (; k < next; k++)
			a[k].group = lo;
	}
}

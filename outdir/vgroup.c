/* vgroup.c - multi-vector groups (vgroup.h).
 *
 * The components of an interval-overlap relation are runs in start order:
 * sorted by (victim, start), an attack joins the group before it exactly
 * when it starts no later than the latest end seen in that group. One
 * sort and two sweeps, no union-find. */
#include "outdir/vgroup.h"

#include <stdlib.h>

#include "base/bs_error.h"

/* One attack in sort order, with its place in the caller's array. */
struct item {
	bs_addr_t victim;
	uint64_t start, end;
	size_t i;
};

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = bs_addr_cmp(&a->victim, &b->victim);
	if (c == 0)
		c = CMP(a->start, b->start);
	if (c == 0)
		c = CMP(a->i, b->i);
	return c;
}

int vgroup_assign(const struct vgroup_attack *a, size_t n, size_t *first)
{
	if (n == 0)
		return 0;
	struct item *s = malloc(n * sizeof *s);
	if (s == NULL)
		return -BS_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint64_t end = a[i].end_us < a[i].start_us ? a[i].start_us : a[i].end_us;
		s[i] = (struct item){a[i].victim, a[i].start_us, end, i};
	}
	qsort(s, n, sizeof *s, item_cmp);
	for (size_t k = 0; k < n;) {
		size_t lo = s[k].i, end_k = k + 1;
		uint64_t reach = s[k].end;
		while (end_k < n && bs_addr_cmp(&s[end_k].victim, &s[k].victim) == 0 &&
		       s[end_k].start <= reach) {
			if (s[end_k].end > reach)
				reach = s[end_k].end;
			if (s[end_k].i < lo)
				lo = s[end_k].i;
			end_k++;
		}
		for (; k < end_k; k++)
			first[s[k].i] = lo;
	}
	free(s);
	return 0;
}

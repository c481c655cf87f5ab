/* peak.c - exact sliding-window peak in fixed memory, mergeable at file
 * boundaries. See peak.h for the definition and the exactness limits.
 *
 * Every window sum here is computed from known_count(), which returns the
 * exact count of a second when head or tail covers it (or it lies beyond
 * last_s) and 0 otherwise. A sum can therefore fall short of the truth but
 * never exceed it, and in the exact regimes every second it reads is
 * covered. */
#include "telescope/peak.h"

#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

/* Packets of second s as far as p's rings know (0 when not covered). */
static uint64_t known_count(const peak_t *p, uint64_t s)
{
	if (s <= p->last_s && p->last_s - s < PEAK_TAIL_S)
		return p->rings->tail[s % PEAK_TAIL_S];
	if (s >= p->first_s && s - p->first_s < PEAK_WINDOW_S)
		return p->rings->head[s - p->first_s];
	return 0;
}

/* Known count of second s in a plus b (b may be NULL). */
static uint64_t count2(const peak_t *a, const peak_t *b, uint64_t s)
{
	return known_count(a, s) + (b != NULL ? known_count(b, s) : 0);
}

/* Largest window sum over window starts lo .. hi (lo <= hi), counting
 * a's and b's packets; one pass with a running sum. */
static uint64_t max_window(const peak_t *a, const peak_t *b, uint64_t lo, uint64_t hi)
{
	uint64_t sum = 0, best = 0;

	for (uint64_t s = lo; s < lo + PEAK_WINDOW_S; s++)
		sum += count2(a, b, s);
	for (uint64_t t = lo;; t++) {
		if (sum > best)
			best = sum;
		if (t == hi)
			return best;
		sum -= count2(a, b, t);
		sum += count2(a, b, t + PEAK_WINDOW_S);
	}
}

/* Oldest second the tail covers when the newest is last (seconds before
 * the epoch do not exist). */
static uint64_t tail_start(uint64_t last)
{
	return last >= PEAK_TAIL_S - 1 ? last - (PEAK_TAIL_S - 1) : 0;
}

/* Sum of tail slots for seconds from .. to (from <= to, both covered by
 * the tail): at most two contiguous runs of the ring. */
static uint64_t tail_sum(const uint32_t *tail, uint64_t from, uint64_t to)
{
	uint32_t i = (uint32_t)(from % PEAK_TAIL_S);
	uint32_t n = (uint32_t)(to - from + 1);
	uint32_t first = n < PEAK_TAIL_S - i ? n : PEAK_TAIL_S - i;
	uint64_t sum = 0;

	for (uint32_t k = 0; k < first; k++)
		sum += tail[i + k];
	for (uint32_t k = 0; k < n - first; k++)
		sum += tail[k];
	return sum;
}

/* max_window(p, NULL, lo, hi) for windows that start in the tail
 * (tail_start(last_s) <= lo <= hi <= last_s), the case of every packet
 * that moves last_s: known_count() is then the tail slot for seconds up to
 * last_s and 0 after, so the first sum is a plain run over the ring and
 * each later window differs from it by the second it drops and the one it
 * gains. */
static uint64_t tail_max_window(const peak_t *p, uint64_t lo, uint64_t hi)
{
	const uint32_t *tail = p->rings->tail;
	uint64_t top = lo + (PEAK_WINDOW_S - 1);
	uint64_t sum = tail_sum(tail, lo, top < p->last_s ? top : p->last_s);
	uint64_t best = sum;

	for (uint64_t t = lo; t < hi; t++) {
		sum -= tail[t % PEAK_TAIL_S];
		if (t + PEAK_WINDOW_S <= p->last_s)
			sum += tail[(t + PEAK_WINDOW_S) % PEAK_TAIL_S];
		if (sum > best)
			best = sum;
	}
	return best;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Packets of the window that starts at the tail's oldest second, from the
 * tail (the running sum rings_add() and advance() keep up to date). */
static uint64_t oldest_window(const peak_t *p)
{
	uint64_t lo = tail_start(p->last_s);
	uint64_t top = lo + (PEAK_WINDOW_S - 1);
	return tail_sum(p->rings->tail, lo, top < p->last_s ? top : p->last_s);
}

/* Moves the newest second to s > last_s: windows starting at seconds that
 * leave the tail are settled, and their slots cleared for reuse. Windows
 * starting after the old last_s but before the new tail are empty. The
 * window sum slides from the running one, one step per second that
 * leaves, rather than being summed afresh: a flow at a packet a second
 * would otherwise add up 60 slots per packet. */
static void advance(peak_t *p, uint64_t s)
{
	uint32_t *tail = p->rings->tail;
	uint64_t lo = tail_start(p->last_s);

	/* Below PEAK_TAIL_S the tail still starts at second 0: nothing leaves. */
	if (s >= PEAK_TAIL_S) {
		/* hi >= lo: s > last_s, so s - PEAK_TAIL_S >= last_s - (PEAK_TAIL_S - 1). */
		uint64_t hi = s - PEAK_TAIL_S < p->last_s ? s - PEAK_TAIL_S : p->last_s;
		uint64_t sum = p->rings->oldest_window, best = sum;
		for (uint64_t t = lo; t <= hi; t++) {
			best = max_u64(best, sum);
			sum -= tail[t % PEAK_TAIL_S];
			if (t + PEAK_WINDOW_S <= p->last_s)
				sum += tail[(t + PEAK_WINDOW_S) % PEAK_TAIL_S];
			tail[t % PEAK_TAIL_S] = 0;
		}
		p->settled = max_u64(p->settled, best);
		/* The window at hi + 1: the new oldest second, or one past the old
		 * last_s and then empty, like every window up to the new tail. */
		p->rings->oldest_window = sum;
	}
	p->last_s = s;
}

/* Moves the first second back to s < first_s, dropping head counts that
 * fall out of the first window. */
static void shift_head(peak_t *p, uint64_t s)
{
	uint64_t d = p->first_s - s;
	uint32_t *head = p->rings->head;

	if (d >= PEAK_WINDOW_S) {
		memset(head, 0, sizeof p->rings->head);
	} else {
		memmove(head + d, head, (PEAK_WINDOW_S - d) * sizeof *head);
		memset(head, 0, d * sizeof *head);
	}
	p->first_s = s;
}

/* Counts second s in the rings (the caller counts the packet). */
static void rings_add(peak_t *p, uint64_t s)
{
	if (s > p->last_s)
		advance(p, s);
	if (p->last_s - s < PEAK_TAIL_S) {
		p->rings->tail[s % PEAK_TAIL_S]++;
		if (s - tail_start(p->last_s) < PEAK_WINDOW_S)
			p->rings->oldest_window++;
	}
	if (s < p->first_s)
		shift_head(p, s);
	if (s - p->first_s < PEAK_WINDOW_S)
		p->rings->head[s - p->first_s]++;
}

/* Switches a non-empty inline state to rings by replaying its seconds in
 * order, which yields the exact state whatever order they came in. */
static int promote(peak_t *p)
{
	struct peak_rings *rings = calloc(1, sizeof *rings);
	uint64_t sec[PEAK_INLINE_MAX];

	if (rings == NULL)
		return -BS_ENOMEM;
	memcpy(sec, p->sec, sizeof sec);
	memset(p->sec, 0, sizeof p->sec);
	p->rings = rings;
	p->first_s = p->last_s = sec[0];
	p->settled = 0;
	for (uint64_t i = 0; i < p->packets; i++)
		rings_add(p, sec[i]);
	return 0;
}

/* Merges two sorted second lists of at most PEAK_INLINE_MAX in total. */
static void inline_merge(peak_t *dst, const peak_t *src)
{
	uint64_t out[PEAK_INLINE_MAX];
	uint64_t i = 0, j = 0, k = 0;

	while (i < dst->packets || j < src->packets) {
		if (j == src->packets || (i < dst->packets && dst->sec[i] <= src->sec[j]))
			out[k++] = dst->sec[i++];
		else
			out[k++] = src->sec[j++];
	}
	memcpy(dst->sec, out, k * sizeof *out);
	dst->packets = k;
	dst->first_s = out[0];
	dst->last_s = out[k - 1];
}

int peak_add(peak_t *p, uint64_t ts_us)
{
	uint64_t s = ts_us / 1000000u;

	if (p->rings == NULL && p->packets < PEAK_INLINE_MAX) {
		peak_t one = {.packets = 1, .first_s = s, .last_s = s, .sec = {s}};
		inline_merge(p, &one);
		return 0;
	}
	if (p->rings == NULL && promote(p) < 0)
		return -BS_ENOMEM;
	rings_add(p, s);
	p->packets++;
	return 0;
}

/* dst += src, both in ring mode and non-empty. New head and tail are the
 * known counts of both (exact: see the file comment in peak.h). Settled
 * windows of either stay settled; the windows that start in the tail of
 * the flow that ends first (x) and leave the merged tail are evaluated
 * from both flows' known counts: for consecutive flows the earlier one's
 * tail and the later one's head cover them. */
static void rings_merge(peak_t *dst, const peak_t *src)
{
	struct peak_rings out = {{0}, {0}, 0};
	uint64_t first = dst->first_s < src->first_s ? dst->first_s : src->first_s;
	uint64_t last = max_u64(dst->last_s, src->last_s);
	const peak_t *x = dst->last_s <= src->last_s ? dst : src;
	const peak_t *y = x == dst ? src : dst;
	uint64_t settled = max_u64(dst->settled, src->settled);

	for (uint64_t i = 0; i < PEAK_WINDOW_S; i++)
		out.head[i] = (uint32_t)count2(dst, src, first + i);
	for (uint64_t s = tail_start(last); s <= last; s++)
		out.tail[s % PEAK_TAIL_S] = (uint32_t)count2(dst, src, s);
	if (y->last_s >= PEAK_TAIL_S) {
		uint64_t lo = tail_start(x->last_s);
		uint64_t hi =
		    y->last_s - PEAK_TAIL_S < x->last_s ? y->last_s - PEAK_TAIL_S : x->last_s;
		if (hi >= lo)
			settled = max_u64(settled, max_window(dst, src, lo, hi));
	}
	*dst->rings = out;
	dst->packets += src->packets;
	dst->first_s = first;
	dst->last_s = last;
	dst->settled = settled;
	dst->rings->oldest_window = oldest_window(dst);
}

int peak_merge(peak_t *dst, const peak_t *src)
{
	if (src->packets == 0)
		return 0;
	if (dst->rings == NULL && src->rings == NULL &&
	    dst->packets + src->packets <= PEAK_INLINE_MAX) {
		inline_merge(dst, src);
		return 0;
	}
	if (dst->packets == 0) { /* src has rings: more than PEAK_INLINE_MAX packets */
		struct peak_rings *rings = malloc(sizeof *rings);
		if (rings == NULL)
			return -BS_ENOMEM;
		*rings = *src->rings;
		*dst = *src;
		dst->rings = rings;
		return 0;
	}
	peak_t copy = {0};
	if (src->rings == NULL) {
		copy = *src;
		if (promote(&copy) < 0)
			return -BS_ENOMEM;
		src = &copy;
	}
	int rc = 0;
	if (dst->rings == NULL && promote(dst) < 0)
		rc = -BS_ENOMEM;
	else
		rings_merge(dst, src);
	peak_clear(&copy);
	return rc;
}

uint32_t peak_value(const peak_t *p)
{
	uint64_t best = 0;

	if (p->packets == 0)
		return 0;
	if (p->rings == NULL) {
		/* Some best window starts at a packet's second. */
		for (uint64_t i = 0, j = 0; i < p->packets; i++) {
			while (p->sec[i] - p->sec[j] >= PEAK_WINDOW_S)
				j++;
			best = max_u64(best, i - j + 1);
		}
	} else {
		best = max_u64(p->settled, tail_max_window(p, tail_start(p->last_s), p->last_s));
	}
	return best > UINT32_MAX ? UINT32_MAX : (uint32_t)best;
}

bool peak_equal(const peak_t *a, const peak_t *b)
{
	if (a->packets != b->packets || (a->rings == NULL) != (b->rings == NULL))
		return false;
	if (a->rings == NULL)
		return memcmp(a->sec, b->sec, a->packets * sizeof *a->sec) == 0;
	return a->first_s == b->first_s && a->last_s == b->last_s && a->settled == b->settled &&
	       memcmp(a->rings, b->rings, sizeof *a->rings) == 0;
}

void peak_clear(peak_t *p)
{
	free(p->rings);
	memset(p, 0, sizeof *p);
}

int peak_encode(const peak_t *p, struct bs_buf *b)
{
	bs_buf_put_u64(b, p->packets);
	if (p->rings == NULL) {
		for (uint64_t i = 0; i < p->packets; i++)
			bs_buf_put_u64(b, p->sec[i]);
		return bs_buf_status(b);
	}
	bs_buf_put_u64(b, p->first_s);
	bs_buf_put_u64(b, p->last_s);
	bs_buf_put_u64(b, p->settled);
	for (uint32_t i = 0; i < PEAK_WINDOW_S; i++)
		bs_buf_put_u32(b, p->rings->head[i]);
	for (uint32_t i = 0; i < PEAK_TAIL_S; i++)
		bs_buf_put_u32(b, p->rings->tail[i]);
	return bs_buf_status(b);
}

/* The inline seconds of p (p->packets of them): sorted, as inline_merge()
 * and peak_value() need. */
static int decode_inline(peak_t *p, struct bs_buf_reader *r)
{
	for (uint64_t i = 0; i < p->packets; i++) {
		p->sec[i] = bs_buf_get_u64(r);
		if (p->sec[i] > PEAK_SECOND_MAX)
			return bs_buf_fail(r, "peak: second out of range");
		if (i > 0 && p->sec[i] < p->sec[i - 1])
			return bs_buf_fail(r, "peak: seconds not in increasing order");
	}
	if (p->packets > 0) {
		p->first_s = p->sec[0];
		p->last_s = p->sec[p->packets - 1];
	}
	return 0;
}

/* Checks decoded rings against what known_count(), advance() and
 * rings_merge() rely on (see peak.h). */
static int check_rings(const peak_t *p, struct bs_buf_reader *r)
{
	const struct peak_rings *g = p->rings;
	uint64_t lo = tail_start(p->last_s), head_sum = 0, tail_sum_all = 0;

	if (p->first_s > p->last_s || p->last_s > PEAK_SECOND_MAX)
		return bs_buf_fail(r, "peak: first or last second out of range");
	for (uint32_t i = 0; i < PEAK_WINDOW_S; i++) {
		uint64_t s = p->first_s + i;
		head_sum += g->head[i];
		if (s > p->last_s && g->head[i] != 0)
			return bs_buf_fail(r, "peak: a head count after the last second");
		if (s <= p->last_s && s >= lo && g->head[i] != g->tail[s % PEAK_TAIL_S])
			return bs_buf_fail(r, "peak: head and tail disagree on a second");
	}
	/* The tail covers seconds lo .. last_s: all slots, or the first
	 * last_s + 1 while last_s < PEAK_TAIL_S - 1 (lo is then 0). */
	for (uint32_t i = 0; i < PEAK_TAIL_S; i++) {
		tail_sum_all += g->tail[i];
		if (i > p->last_s - lo && g->tail[i] != 0)
			return bs_buf_fail(r, "peak: a tail slot outside the tail counts packets");
	}
	if (head_sum > p->packets || tail_sum_all > p->packets || p->settled > p->packets)
		return bs_buf_fail(r, "peak: more packets in a window than in the flow");
	return 0;
}

int peak_decode(peak_t *p, struct bs_buf_reader *r)
{
	int rc;

	p->packets = bs_buf_get_u64(r);
	if (bs_buf_failed(r)) {
		rc = -BS_EFORMAT;
	} else if (p->packets <= PEAK_INLINE_MAX) {
		rc = decode_inline(p, r);
	} else if ((p->rings = calloc(1, sizeof *p->rings)) == NULL) {
		rc = -BS_ENOMEM;
	} else {
		p->first_s = bs_buf_get_u64(r);
		p->last_s = bs_buf_get_u64(r);
		p->settled = bs_buf_get_u64(r);
		for (uint32_t i = 0; i < PEAK_WINDOW_S; i++)
			p->rings->head[i] = bs_buf_get_u32(r);
		for (uint32_t i = 0; i < PEAK_TAIL_S; i++)
			p->rings->tail[i] = bs_buf_get_u32(r);
		rc = bs_buf_failed(r) ? -BS_EFORMAT : check_rings(p, r);
		if (rc == 0)
			p->rings->oldest_window = oldest_window(p);
	}
	if (rc == 0 && bs_buf_failed(r))
		rc = -BS_EFORMAT;
	if (rc < 0)
		peak_clear(p);
	return rc;
}

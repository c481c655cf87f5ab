/* tseries.c - packet counts per bin in a growable array, attack counts
 * folded in at write time with difference arrays.
 *
 * The bin array covers bin numbers [base, base + cap) and grows (the only
 * allocation) when a packet falls outside; slack goes on the side that
 * grew, so a capture read forwards or backwards reallocates O(log bins)
 * times. Attack counts are computed once at write time: attacks sorted by
 * victim then start, each attack adds +1/-1 at its first/after-last bin of
 * an "active" difference array, and each victim's overlapping attacks are
 * merged into disjoint bin ranges for the "victims" one, so one prefix sum
 * per array gives every bin in O(attacks + bins). */
#include "outdir/tseries.h"

#include "outdir/names.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_time.h"
#include "outdir/csvwrite.h"
#include "outdir/outfile.h"

/* First bin array: one day of the default 300 s bins. */
#define TSERIES_INITIAL_BINS 288u

struct bin {
	uint64_t packets[BS_PROTO_COUNT];
};

struct span {
	bs_addr_t victim;
	uint64_t start_us, end_us;
};

struct tseries {
	uint64_t interval_us;
	struct bin *bins; /* bins[i] is bin number base + i */
	uint64_t base;
	size_t cap;
	bool has_packets;
	uint64_t first, last; /* bin numbers of the earliest and latest packet */
	uint64_t end_bin;     /* first bin number whose end is past BS_TIME_MAX_US */
	/* The last packet's bin, so that the packets that follow it in the
	 * same bin (nearly all of them) skip the division; NULL after the
	 * array moves. */
	struct bin *cur;
	uint64_t cur_start_us;
	struct span *attacks;
	size_t n_attacks, cap_attacks;
};

tseries_t *tseries_create(uint32_t interval_s)
{
	if (interval_s == 0)
		return NULL;
	tseries_t *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->interval_us = (uint64_t)interval_s * BS_US_PER_S;
	t->end_bin = BS_TIME_MAX_US / t->interval_us;
	return t;
}

void tseries_free(tseries_t *t)
{
	if (t == NULL)
		return;
	free(t->bins);
	free(t->attacks);
	free(t);
}

/* Reallocates the bin array so it covers bin b as well as first..last. */
static int cover(tseries_t *t, uint64_t b)
{
	uint64_t lo = t->has_packets && t->first < b ? t->first : b;
	uint64_t hi = t->has_packets && t->last > b ? t->last : b;
	if (hi - lo >= TSERIES_MAX_BINS)
		return -BS_ERANGE;
	uint64_t span = hi - lo + 1;
	uint64_t cap = t->cap * 2;
	if (cap < TSERIES_INITIAL_BINS)
		cap = TSERIES_INITIAL_BINS;
	if (cap > TSERIES_MAX_BINS)
		cap = TSERIES_MAX_BINS;
	if (cap < span)
		cap = span;
	struct bin *bins = calloc((size_t)cap, sizeof *bins);
	if (bins == NULL)
		return -BS_ENOMEM;
	uint64_t base = lo;
	if (t->has_packets && b < t->first) /* growing backwards: slack in front */
		base = hi + 1 >= cap ? hi + 1 - cap : 0;
	if (t->has_packets)
		memcpy(bins + (t->first - base), t->bins + (t->first - t->base),
		       (size_t)(t->last - t->first + 1) * sizeof *bins);
	free(t->bins);
	t->bins = bins;
	t->cur = NULL;
	t->base = base;
	t->cap = (size_t)cap;
	return 0;
}

/* The bin numbered b, growing the array to cover it. */
static int bin_at(tseries_t *t, uint64_t b, struct bin **out)
{
	if (!t->has_packets || b < t->base || b - t->base >= t->cap) {
		int rc = cover(t, b);
		if (rc < 0)
			return rc;
	}
	if (!t->has_packets) {
		t->first = t->last = b;
		t->has_packets = true;
	} else if (b < t->first) {
		t->first = b;
	} else if (b > t->last) {
		t->last = b;
	}
	*out = &t->bins[b - t->base];
	return 0;
}

/* Adds n packets of proto to the bin of ts_us: the path of a packet whose
 * bin is not the last one used. */
static int add_to_bin(tseries_t *t, uint64_t ts_us, int proto, uint64_t n)
{
	uint64_t b = ts_us / t->interval_us;
	/* Its bin_end, (b + 1) * interval, must be writable (bs_format_time). */
	if (b >= t->end_bin)
		return -BS_ERANGE;
	if (t->has_packets && b >= t->base && b - t->base < t->cap &&
	    t->bins[b - t->base].packets[proto] > UINT64_MAX - n)
		return -BS_ERANGE;
	struct bin *bin;
	int rc = bin_at(t, b, &bin);
	if (rc < 0)
		return rc;
	bin->packets[proto] += n;
	t->cur = bin;
	t->cur_start_us = b * t->interval_us;
	return 0;
}

int tseries_add_packet(tseries_t *t, uint64_t ts_us, int proto)
{
	if (proto < 0 || proto >= BS_PROTO_COUNT)
		return -BS_EINVAL;
	if (t->cur != NULL && ts_us - t->cur_start_us < t->interval_us) {
		t->cur->packets[proto]++;
		return 0;
	}
	return add_to_bin(t, ts_us, proto, 1);
}

int tseries_add_packets(tseries_t *t, uint64_t ts_us, int proto, uint64_t n)
{
	if (proto < 0 || proto >= BS_PROTO_COUNT)
		return -BS_EINVAL;
	return n == 0 ? 0 : add_to_bin(t, ts_us, proto, n);
}

int tseries_merge(tseries_t *dst, const tseries_t *src)
{
	if (dst->interval_us != src->interval_us)
		return -BS_EINVAL;
	for (uint64_t b = src->first; src->has_packets && b <= src->last; b++) {
		const struct bin *from = &src->bins[b - src->base];
		struct bin *to;
		int rc = bin_at(dst, b, &to);
		if (rc < 0)
			return rc;
		for (int p = 0; p < BS_PROTO_COUNT; p++)
			to->packets[p] += from->packets[p];
	}
	return 0;
}

int tseries_add_attack(tseries_t *t, const struct attack_record *rec)
{
	if (bs_array_reserve(&t->attacks, &t->cap_attacks, t->n_attacks + 1, sizeof *t->attacks) !=
	    0)
		return -BS_ENOMEM;
	struct span *s = &t->attacks[t->n_attacks++];
	s->victim = rec->victim;
	s->start_us = rec->start_us;
	/* Attack records never end before they start; guard anyway so a bad
	 * record cannot turn into a negative bin range. */
	s->end_us = rec->end_us > rec->start_us ? rec->end_us : rec->start_us;
	return 0;
}

static int span_cmp(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;
	int c = bs_addr_cmp(&a->victim, &b->victim);
	if (c == 0)
		c = (a->start_us > b->start_us) - (a->start_us < b->start_us);
	return c;
}

/* Per-bin attack counts over first..last: n bins, n + 1 difference slots. */
struct counts {
	int64_t *active, *victims;
	uint64_t *started;
};

/* Adds +1 over bins [lo, hi] (bin numbers) of diff, clipped to the series. */
static void add_range(const tseries_t *t, int64_t *diff, uint64_t lo, uint64_t hi)
{
	if (hi < t->first || lo > t->last)
		return;
	if (lo < t->first)
		lo = t->first;
	if (hi > t->last)
		hi = t->last;
	diff[lo - t->first]++;
	diff[hi - t->first + 1]--;
}

static void count_attacks(tseries_t *t, struct counts *c)
{
	if (t->n_attacks > 1)
		qsort(t->attacks, t->n_attacks, sizeof *t->attacks, span_cmp);
	uint64_t run_lo = 0, run_hi = 0; /* merged bins of the current victim */
	for (size_t i = 0; i < t->n_attacks; i++) {
		const struct span *s = &t->attacks[i];
		uint64_t lo = s->start_us / t->interval_us, hi = s->end_us / t->interval_us;
		add_range(t, c->active, lo, hi);
		if (lo >= t->first && lo <= t->last)
			c->started[lo - t->first]++;
		bool same_victim = i > 0 && bs_addr_cmp(&s->victim, &t->attacks[i - 1].victim) == 0;
		if (same_victim && lo <= run_hi) {
			if (hi > run_hi)
				run_hi = hi;
			continue;
		}
		if (i > 0)
			add_range(t, c->victims, run_lo, run_hi);
		run_lo = lo;
		run_hi = hi;
	}
	if (t->n_attacks > 0)
		add_range(t, c->victims, run_lo, run_hi);
}

enum col {
	COL_BIN_START,
	COL_BIN_END,
	COL_PACKETS,
	COL_ATTACKS_ACTIVE,
	COL_ATTACKS_STARTED,
	COL_VICTIMS,
	COL_PACKETS_TCP, /* then one column per enum bs_proto, in order */
	COL_COUNT = COL_PACKETS_TCP + BS_PROTO_COUNT
};

static const char *const col_names[COL_COUNT] = {
    [COL_BIN_START] = "bin_start",
    [COL_BIN_END] = "bin_end",
    [COL_PACKETS] = "packets",
    [COL_ATTACKS_ACTIVE] = "attacks_active",
    [COL_ATTACKS_STARTED] = "attacks_started",
    [COL_VICTIMS] = "victims",
    [COL_PACKETS_TCP + BS_PROTO_TCP] = "packets_tcp",
    [COL_PACKETS_TCP + BS_PROTO_UDP] = "packets_udp",
    [COL_PACKETS_TCP + BS_PROTO_ICMP] = "packets_icmp",
    [COL_PACKETS_TCP + BS_PROTO_OTHER] = "packets_other",
};

/* One text buffer per column holds the times too. */
_Static_assert(CSVWRITE_NUM_STRLEN >= BS_TIME_STRLEN, "time text must fit a column buffer");

static int write_rows(const tseries_t *t, const struct counts *c, FILE *f)
{
	char text[COL_COUNT][CSVWRITE_NUM_STRLEN];
	const char *fields[COL_COUNT];
	for (size_t k = 0; k < COL_COUNT; k++)
		fields[k] = text[k];
	int64_t active = 0, victims = 0;
	size_t n = (size_t)(t->last - t->first + 1);
	for (size_t i = 0; i < n; i++) {
		const struct bin *b = &t->bins[t->first - t->base + i];
		uint64_t bin_us = (t->first + i) * t->interval_us;
		int rc = bs_format_time(bin_us, text[COL_BIN_START], CSVWRITE_NUM_STRLEN);
		if (rc == 0)
			rc = bs_format_time(bin_us + t->interval_us, text[COL_BIN_END],
			                    CSVWRITE_NUM_STRLEN);
		if (rc < 0)
			return rc;
		active += c->active[i];
		victims += c->victims[i];
		uint64_t total = 0;
		/* Any uint64 fits CSVWRITE_NUM_STRLEN: no error to check. */
		for (int p = 0; p < BS_PROTO_COUNT; p++) {
			total += b->packets[p];
			csvwrite_fmt_u64(text[COL_PACKETS_TCP + p], CSVWRITE_NUM_STRLEN,
			                 b->packets[p]);
		}
		csvwrite_fmt_u64(text[COL_PACKETS], CSVWRITE_NUM_STRLEN, total);
		csvwrite_fmt_u64(text[COL_ATTACKS_ACTIVE], CSVWRITE_NUM_STRLEN, (uint64_t)active);
		csvwrite_fmt_u64(text[COL_ATTACKS_STARTED], CSVWRITE_NUM_STRLEN, c->started[i]);
		csvwrite_fmt_u64(text[COL_VICTIMS], CSVWRITE_NUM_STRLEN, (uint64_t)victims);
		rc = csvwrite_write_row(f, fields, COL_COUNT);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int tseries_write_csv(tseries_t *t, const char *dir)
{
	if (t == NULL || dir == NULL)
		return -BS_EINVAL;
	size_t n = t->has_packets ? (size_t)(t->last - t->first + 1) : 0;
	struct counts c = {
	    .active = calloc(n + 1, sizeof *c.active),
	    .victims = calloc(n + 1, sizeof *c.victims),
	    .started = calloc(n + 1, sizeof *c.started),
	};
	outfile_t *out = NULL;
	int rc = c.active && c.victims && c.started ? 0 : -BS_ENOMEM;
	if (rc == 0)
		rc = outfile_open(dir, OUTDIR_TIMESERIES, &out);
	if (rc == 0)
		rc = csvwrite_write_row(outfile_stream(out), col_names, COL_COUNT);
	if (rc == 0 && t->has_packets) {
		count_attacks(t, &c);
		rc = write_rows(t, &c, outfile_stream(out));
	}
	free(c.active);
	free(c.victims);
	free(c.started);
	if (rc < 0) {
		outfile_abort(out);
		return rc;
	}
	return outfile_commit(out);
}

/* report.c - read collect directories back and compute the report's tables.
 *
 * Loading keeps one compact record per attack (victims, countries and AS
 * organisations are interned, base/bs_intern.h, and referred to by index), the
 * time-series bins and one coverage interval per directory. report_finish()
 * then sorts the attacks by (start, victim, protocol), which both drops
 * duplicates across directories and puts attacks in time order, so the
 * per-day and per-hour distinct-victim counts need only one pass with a
 * "last period seen" mark per victim instead of a set per period.
 *
 * Everything derived is computed once in report_finish(); the accessors
 * only hand out arrays. */
#include "analysis/report.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_intern.h"
#include "base/bs_time.h"
#include "analysis/merge.h"
#include "analysis/services.h"
#include "outdir/csvwrite.h"
#include "outdir/csvread.h"
#include "outdir/names.h"
#include "outdir/outdir.h"
#include "outdir/transaction.h"
#include "outdir/summary.h"
#include "outdir/vgroup.h"

/* "No attack" in attack-index fields. */
#define NO_ATTACK UINT32_MAX
/* Length of "YYYY-MM-DD", the date-only form of --since/--until. */
#define REPORT_DATE_LEN 10
/* Upper bounds of the repeat-attack buckets (issue 3: repeat attacks per
 * victim). Exact counts where most victims are, then widening ranges. */
static const uint64_t repeat_upper[] = {1, 2, 3, 4, 5, 10, 20, 50, 100, UINT64_MAX};
#define REPORT_N_REPEAT (sizeof repeat_upper / sizeof repeat_upper[0])
/* peak_ppm is a uint32: bucket 0 holds 0, bucket k >= 1 holds [2^(k-1), 2^k - 1]. */
#define REPORT_N_PPM_BUCKETS 33

_Static_assert(BS_RESP_COUNT <= 16, "responses are kept in 16 bits");
_Static_assert(BS_PROTO_COUNT <= 8, "protocol sets are kept in 8 bits");

/* One attack, as small as the report allows (10^6 per year of nights). */
struct rattack {
	uint64_t start_us, end_us;
	uint64_t packets;
	double est_pps;   /* NAN when unknown */
	uint32_t victim;  /* index into the victim table */
	uint32_t country; /* string index, 0 = unknown */
	uint32_t as_org;  /* string index, 0 = unknown */
	uint32_t asn;     /* 0 = unknown */
	uint32_t peak_ppm;
	uint16_t responses; /* bit per enum bs_response */
	uint16_t top_port;  /* valid when has_port */
	uint8_t proto;
	uint8_t uniform;
	uint8_t has_port; /* 0: the top_port cell was empty (ICMP) */
};

/* A prefix_attacks.csv row in the window. */
struct rprefix {
	bs_addr_t prefix;
	uint64_t start_us, packets, victims, victim_attacks;
	uint8_t len, proto;
};

/* A directory's own copies of what struct report_dir points to. */
struct dir_own {
	char *path;
	char **warnings;
};

struct interval {
	uint64_t a, b; /* [a, b) */
};

/* Per-victim sums over its attacks, built in report_finish(). */
struct vstat {
	uint64_t packets;
	uint32_t attacks;
	uint32_t first, last, max_rate; /* attack indices; max_rate NO_ATTACK = none */
	uint8_t protos;
};

struct report {
	uint64_t since, until;
	uint32_t top_n;
	bool finished;

	struct rattack *att;
	size_t n_att, cap_att;

	bs_intern_t *victims; /* bs_addr_t keys */
	bs_intern_t *strings; /* countries and AS organisations; 0 is "" */

	struct report_dir *dirs;
	struct dir_own *own; /* parallel to dirs */
	size_t n_dirs, cap_dirs, cap_own;

	struct interval *cover;
	size_t n_cover, cap_cover;

	struct report_bin *bins;
	size_t n_bins, cap_bins;

	struct rprefix *pfx;
	size_t n_pfx, cap_pfx;

	/* Results of report_finish(). */
	struct report_totals totals;
	struct report_period *days, *hours;
	size_t n_days, n_hours;
	struct report_mix mix;
	struct report_victim *top_victims, *top_rates;
	size_t n_top_victims, n_top_rates;
	struct report_bucket repeats[REPORT_N_REPEAT];
	size_t n_repeats;
	struct report_bucket ppm[REPORT_N_PPM_BUCKETS];
	size_t n_ppm;
	struct report_group *countries, *ases;
	size_t n_countries, n_ases;
	struct report_service *services;
	size_t n_services;
	struct report_combo *combos;
	size_t n_combos;
	struct report_prefix *prefixes;
	size_t n_prefixes;
	struct report_dist dist[REPORT_METRIC_COUNT];
	struct report_cdf_point *cdf[REPORT_METRIC_COUNT];
	size_t n_cdf[REPORT_METRIC_COUNT];
};

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

#define RESERVE(arr, cap, need) bs_array_reserve(&(arr), &(cap), (need), sizeof *(arr))

static const bs_addr_t *victim_at(const report_t *r, uint32_t v)
{
	return bs_intern_key(r->victims, v);
}

static size_t victim_count(const report_t *r)
{
	return bs_intern_count(r->victims);
}

static const char *str_at(const report_t *r, uint32_t idx)
{
	return bs_intern_key(r->strings, idx);
}

report_t *report_create(uint64_t since_us, uint64_t until_us, uint32_t top_n)
{
	if (since_us >= until_us || top_n == 0)
		return NULL;
	report_t *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->since = since_us;
	r->until = until_us;
	r->top_n = top_n;
	r->victims = bs_intern_create(sizeof(bs_addr_t));
	r->strings = bs_intern_create(BS_INTERN_STRINGS);
	/* String 0 is "", the unknown country or organisation. */
	uint32_t unknown;
	if (r->victims == NULL || r->strings == NULL ||
	    bs_intern_add(r->strings, "", &unknown) != 0) {
		report_free(r);
		return NULL;
	}
	return r;
}

/* Frees what directory i owns. */
static void free_dir(report_t *r, size_t i)
{
	free(r->own[i].path);
	for (size_t w = 0; w < r->dirs[i].n_warnings; w++)
		free(r->own[i].warnings[w]);
	free(r->own[i].warnings);
}

void report_free(report_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_dirs; i++)
		free_dir(r, i);
	free(r->dirs);
	free(r->own);
	free(r->att);
	bs_intern_free(r->victims);
	bs_intern_free(r->strings);
	free(r->cover);
	free(r->bins);
	free(r->days);
	free(r->hours);
	free(r->top_victims);
	free(r->top_rates);
	free(r->countries);
	free(r->services);
	free(r->combos);
	free(r->pfx);
	free(r->prefixes);
	free(r->ases);
	for (int m = 0; m < REPORT_METRIC_COUNT; m++)
		free(r->cdf[m]);
	free(r);
}

int report_parse_time(const char *s, uint64_t *us)
{
	*us = 0;
	if (s == NULL)
		return -BS_EINVAL;
	if (strlen(s) != REPORT_DATE_LEN)
		return bs_parse_time(s, us);
	char full[REPORT_DATE_LEN + sizeof "T00:00:00Z"];
	snprintf(full, sizeof full, "%sT00:00:00Z", s);
	return bs_parse_time(full, us);
}

/* loading.dir of the joined rows of report_add_joined(). */
#define LOADING_JOINED SIZE_MAX

/* A directory being read. Its rows go into r as they come and are dropped
 * again if a later file of the directory fails (report_add_dir). */
struct loading {
	report_t *r;
	size_t dir;      /* index of the new struct report_dir, or LOADING_JOINED */
	uint64_t lo, hi; /* extent of its data, [lo, hi); lo = UINT64_MAX: none */
};

static void extend(struct loading *ld, uint64_t a, uint64_t b)
{
	if (a < ld->lo)
		ld->lo = a;
	if (b > ld->hi)
		ld->hi = b;
}

static bool in_window(const report_t *r, uint64_t t)
{
	return t >= r->since && t < r->until;
}

static int add_attack(const struct csvread_attack *a, void *arg)
{
	struct loading *ld = arg;
	report_t *r = ld->r;
	extend(ld, a->start_us, a->end_us + 1);
	if (!in_window(r, a->start_us))
		return 0;
	if (r->n_att >= UINT32_MAX - 1 || RESERVE(r->att, r->cap_att, r->n_att + 1))
		return -BS_ENOMEM;
	struct rattack *t = &r->att[r->n_att];
	memset(t, 0, sizeof *t);
	t->start_us = a->start_us;
	t->end_us = a->end_us;
	t->packets = a->packets;
	t->est_pps = a->est_attack_pps;
	t->asn = a->asn;
	t->peak_ppm = a->peak_ppm;
	t->responses = (uint16_t)a->responses;
	t->proto = a->proto;
	t->uniform = a->uniform != 0;
	t->has_port = a->top_port >= 0 && a->top_port <= UINT16_MAX;
	t->top_port = t->has_port ? (uint16_t)a->top_port : 0;
	/* bs_addr_t has no padding and bs_addr_parse zero-fills unused bytes,
	 * so addresses intern as bytes. */
	int rc = bs_intern_add(r->victims, &a->victim, &t->victim);
	if (rc == 0)
		rc = bs_intern_add(r->strings, a->country, &t->country);
	if (rc == 0)
		rc = bs_intern_add(r->strings, a->as_org, &t->as_org);
	if (rc != 0)
		return rc;
	r->n_att++;
	if (ld->dir != LOADING_JOINED)
		r->dirs[ld->dir].rows++;
	return 0;
}

static int add_bin(const struct csvread_bin *b, void *arg)
{
	struct loading *ld = arg;
	report_t *r = ld->r;
	extend(ld, b->start_us, b->end_us);
	if (!in_window(r, b->start_us))
		return 0;
	if (RESERVE(r->bins, r->cap_bins, r->n_bins + 1))
		return -BS_ENOMEM;
	r->bins[r->n_bins++] = (struct report_bin){
	    .start_us = b->start_us,
	    .end_us = b->end_us,
	    .packets = b->packets,
	    .attacks_active = b->attacks_active,
	    .attacks_started = b->attacks_started,
	    .victims = b->victims,
	};
	if (ld->dir != LOADING_JOINED)
		r->dirs[ld->dir].bins++;
	return 0;
}

static int add_prefix(const struct csvread_prefix *p, void *arg)
{
	report_t *r = arg;
	if (!in_window(r, p->start_us))
		return 0;
	if (RESERVE(r->pfx, r->cap_pfx, r->n_pfx + 1))
		return -BS_ENOMEM;
	r->pfx[r->n_pfx++] = (struct rprefix){.prefix = p->prefix,
	                                      .start_us = p->start_us,
	                                      .packets = p->packets,
	                                      .victims = p->victims,
	                                      .victim_attacks = p->victim_attacks,
	                                      .len = p->len,
	                                      .proto = p->proto};
	return 0;
}

/* Joins dir and name into a new string; NULL on allocation failure. */
static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + 1 + strlen(name) + 1;
	char *p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Reads summary.json into r->dirs[ld->dir] and ld's extent. */
static int read_summary(struct loading *ld, const char *path, struct bs_err *err)
{
	report_t *r = ld->r;
	struct report_dir *d = &r->dirs[ld->dir];
	struct summary_doc *sum;
	int rc = summary_read(path, &sum, err);
	if (rc != 0)
		return rc;
	d->telescope_v4 = sum->telescope_size_v4;
	d->interval_s = sum->interval_s;
	d->complete = sum->complete;
	d->first_us = sum->first_us;
	d->last_us = sum->last_us;
	if (sum->first_us != 0)
		extend(ld, sum->first_us, sum->last_us + 1);
	size_t nw = sum->n_warnings;
	char **w = nw ? calloc(nw, sizeof *w) : NULL;
	if (nw && w == NULL)
		rc = -BS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < nw; i++) {
		w[i] = strdup(sum->warnings[i]);
		if (w[i] == NULL)
			rc = -BS_ENOMEM;
	}
	r->own[ld->dir].warnings = w;
	d->warnings = (const char *const *)w;
	d->n_warnings = nw;
	summary_doc_free(sum);
	return rc;
}

/* Opens DIR/name and streams it through reader into the loading state:
 * attacks.csv, timeseries.csv, or prefix_attacks.csv, which may be
 * missing (a directory collected without --prefix-view). */
static int read_file(struct loading *ld, const char *dir, const char *name, bool attacks,
                     struct bs_err *err)
{
	char *path = path_join(dir, name);
	if (path == NULL)
		return -BS_ENOMEM;
	int rc;
	bool prefixes = strcmp(name, OUTDIR_PREFIX_ATTACKS) == 0;
	FILE *f = fopen(path, "r");
	if (f == NULL && prefixes && errno == ENOENT) {
		rc = 0;
	} else if (f == NULL) {
		rc = bs_err_io(err, errno, "%s", path);
	} else {
		if (prefixes && ld->dir != LOADING_JOINED)
			ld->r->totals.dirs_prefix_view++;
		rc = prefixes  ? csvread_prefix_attacks(f, add_prefix, ld->r, err)
		     : attacks ? csvread_attacks(f, add_attack, ld, err)
		               : csvread_timeseries(f, add_bin, ld, err);
		int e = errno;
		fclose(f);
		if (rc != 0 && err != NULL && err->msg[0] != '\0')
			bs_err_prefix(err, "%s", path);
		errno = e;
	}
	free(path);
	return rc;
}

/* Reads dir: its summary, and its attacks and time series when data
 * (else its coverage is its summary's time range in whole bins, the bins
 * its backscatter fell into), and its prefix view when prefixes. */
static int add_dir(report_t *r, const char *dir, bool data, bool prefixes, struct bs_err *err)
{
	bs_err_clear(err);
	if (r == NULL || dir == NULL || r->finished)
		return -BS_EINVAL;
	if (RESERVE(r->dirs, r->cap_dirs, r->n_dirs + 1) ||
	    RESERVE(r->own, r->cap_own, r->n_dirs + 1) ||
	    RESERVE(r->cover, r->cap_cover, r->n_cover + 1))
		return -BS_ENOMEM;
	struct loading ld = {.r = r, .dir = r->n_dirs, .lo = UINT64_MAX, .hi = 0};
	struct report_dir *d = &r->dirs[ld.dir];
	memset(d, 0, sizeof *d);
	memset(&r->own[ld.dir], 0, sizeof r->own[ld.dir]);
	size_t n_att = r->n_att, n_bins = r->n_bins, n_pfx = r->n_pfx;
	size_t pv_dirs = r->totals.dirs_prefix_view;
	r->own[ld.dir].path = strdup(dir);
	char *summary = path_join(dir, OUTDIR_SUMMARY);
	int rc = r->own[ld.dir].path && summary ? 0 : -BS_ENOMEM;
	d->path = r->own[ld.dir].path;
	if (rc == 0)
		rc = read_summary(&ld, summary, err);
	free(summary);
	if (rc == 0 && data)
		rc = read_file(&ld, dir, OUTDIR_ATTACKS, true, err);
	if (rc == 0 && data)
		rc = read_file(&ld, dir, OUTDIR_TIMESERIES, false, err);
	if (rc == 0 && prefixes)
		rc = read_file(&ld, dir, OUTDIR_PREFIX_ATTACKS, false, err);
	if (rc != 0) {
		int e = errno;
		free_dir(r, ld.dir);
		r->n_att = n_att;
		r->n_bins = n_bins;
		r->n_pfx = n_pfx;
		r->totals.dirs_prefix_view = pv_dirs;
		errno = e;
		return rc;
	}
	if (!data && d->first_us != 0 && d->interval_s != 0) {
		uint64_t bin = (uint64_t)d->interval_s * BS_US_PER_S;
		extend(&ld, d->first_us - d->first_us % bin, d->last_us - d->last_us % bin + bin);
	}
	/* Coverage is the data's extent clipped to the window. */
	uint64_t a = ld.lo > r->since ? ld.lo : r->since;
	uint64_t b = ld.hi < r->until ? ld.hi : r->until;
	if (ld.lo != UINT64_MAX && a < b)
		r->cover[r->n_cover++] = (struct interval){a, b};
	r->n_dirs++;
	return 0;
}

int report_add_dir(report_t *r, const char *dir, struct bs_err *err)
{
	return add_dir(r, dir, true, true, err);
}

/* Whether DIR/name exists. */
static bool has_file(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	bool yes = path != NULL && access(path, F_OK) == 0;
	free(path);
	return yes;
}

/* The directory among dirs[first..] whose time range holds t (for a bin
 * start, the range in whole bins); the first such, or NULL. */
static struct report_dir *dir_holding(report_t *r, size_t first, uint64_t t, bool bin_start)
{
	for (size_t j = first; j < r->n_dirs; j++) {
		struct report_dir *d = &r->dirs[j];
		uint64_t bin = (uint64_t)d->interval_s * BS_US_PER_S;
		uint64_t lo = bin_start && bin != 0 ? d->first_us - d->first_us % bin : d->first_us;
		if (d->first_us != 0 && t >= lo && t <= d->last_us)
			return d;
	}
	return NULL;
}

/* Counts each joined row and bin in the directory that holds its start. */
static void attribute_joined(report_t *r, size_t first_dir, size_t n_att, size_t n_bins)
{
	for (size_t i = n_att; i < r->n_att; i++) {
		struct report_dir *d = dir_holding(r, first_dir, r->att[i].start_us, false);
		if (d != NULL)
			d->rows++;
	}
	for (size_t i = n_bins; i < r->n_bins; i++) {
		struct report_dir *d = dir_holding(r, first_dir, r->bins[i].start_us, true);
		if (d != NULL)
			d->bins++;
	}
}

int report_add_joined(report_t *r, const char *const *dirs, size_t n, const char *joined,
                      struct bs_err *err)
{
	if (r == NULL || joined == NULL || r->finished)
		return -BS_EINVAL;
	size_t first_dir = r->n_dirs, n_att = r->n_att, n_bins = r->n_bins, n_cover = r->n_cover;
	size_t n_pfx = r->n_pfx, pv_dirs = r->totals.dirs_prefix_view;
	/* merge joins the prefix view when every piece has it: its rows then
	 * replace the pieces', which hold an attack across a seam once per
	 * piece, each part with its own victims. */
	bool joined_pv = has_file(joined, OUTDIR_PREFIX_ATTACKS);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = add_dir(r, dirs[i], false, !joined_pv, err);
	struct loading ld = {.r = r, .dir = LOADING_JOINED, .lo = UINT64_MAX, .hi = 0};
	if (rc == 0)
		rc = read_file(&ld, joined, OUTDIR_ATTACKS, true, err);
	if (rc == 0)
		rc = read_file(&ld, joined, OUTDIR_TIMESERIES, false, err);
	if (rc == 0 && joined_pv) {
		rc = read_file(&ld, joined, OUTDIR_PREFIX_ATTACKS, false, err);
		r->totals.dirs_prefix_view += n;
	}
	if (rc != 0) {
		int e = errno;
		while (r->n_dirs > first_dir)
			free_dir(r, --r->n_dirs);
		r->n_att = n_att;
		r->n_bins = n_bins;
		r->n_cover = n_cover;
		r->n_pfx = n_pfx;
		r->totals.dirs_prefix_view = pv_dirs;
		errno = e;
		return rc;
	}
	attribute_joined(r, first_dir, n_att, n_bins);
	return 0;
}

/* Merges dirs into a new scratch directory under p->scratch_parent (its
 * path into scratch, PATH_MAX bytes) with merge's own code. 0, or a
 * negative BS_E* with why saying why they do not merge (nothing left). */
static int merge_pieces(const char *const *dirs, size_t n, const struct report_pieces *p,
                        char *scratch, struct bs_err *why)
{
	if ((size_t)snprintf(scratch, PATH_MAX, "%s/%sreport-XXXXXX", p->scratch_parent,
	                     TRANSACTION_PREFIX) >= PATH_MAX)
		return bs_err_set(why, -BS_EINVAL, "%s: path too long", p->scratch_parent);
	if (mkdtemp(scratch) == NULL)
		return bs_err_io(why, errno, "%s", scratch);
	merge_t *m = merge_create();
	int rc = m != NULL ? 0 : -BS_ENOMEM;
	if (m != NULL)
		merge_without_evidence(m); /* the report shows none */
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = merge_add_shard(m, dirs[i], why);
	if (rc == 0 && !merge_is_exact(m, why))
		rc = why->code != 0 ? why->code : -BS_EFORMAT;
	if (rc == 0)
		rc = merge_write(m, scratch, p->command_line, p->version, why);
	for (size_t i = 0; rc == 0 && p->warn != NULL && i < merge_warning_count(m); i++)
		p->warn(p->arg, merge_warning(m, i));
	if (rc != 0 && why->msg[0] == '\0')
		bs_err_set(why, rc, "%s", bs_strerror(rc));
	merge_free(m);
	if (rc != 0)
		outdir_discard(scratch);
	return rc;
}

int report_add_pieces(report_t *r, const char *const *dirs, size_t n, const struct report_pieces *p,
                      bool *joined, struct bs_err *why_apart, struct bs_err *err)
{
	struct bs_err why_local;
	struct bs_err *why = why_apart != NULL ? why_apart : &why_local;
	*joined = false;
	bs_err_clear(why);
	bs_err_clear(err);
	if (r == NULL || p == NULL || p->scratch_parent == NULL || r->finished)
		return -BS_EINVAL;
	if (n < 2) {
		bs_err_set(why, -BS_EINVAL, "fewer than two directories");
		return 0;
	}
	char scratch[PATH_MAX];
	if (merge_pieces(dirs, n, p, scratch, why) != 0)
		return 0;
	int rc = report_add_joined(r, dirs, n, scratch, err);
	outdir_discard(scratch);
	*joined = rc == 0;
	return rc;
}

/* Sort order of attacks: the duplicate key (start, victim, protocol), then
 * the copy to keep first: more packets, then the later end, then the higher
 * peak, so which copy survives does not depend on qsort or input order. */
static int attack_cmp(const void *pa, const void *pb)
{
	const struct rattack *a = pa, *b = pb;
	int c = CMP(a->start_us, b->start_us);
	if (c == 0)
		c = CMP(a->victim, b->victim);
	if (c == 0)
		c = CMP(a->proto, b->proto);
	if (c == 0)
		c = CMP(b->packets, a->packets);
	if (c == 0)
		c = CMP(b->end_us, a->end_us);
	if (c == 0)
		c = CMP(b->peak_ppm, a->peak_ppm);
	return c;
}

static void dedupe(report_t *r)
{
	if (r->n_att > 1)
		qsort(r->att, r->n_att, sizeof *r->att, attack_cmp);
	size_t w = 0;
	for (size_t i = 0; i < r->n_att; i++) {
		const struct rattack *a = &r->att[i];
		if (w > 0) {
			const struct rattack *k = &r->att[w - 1];
			if (k->start_us == a->start_us && k->victim == a->victim &&
			    k->proto == a->proto)
				continue;
		}
		r->att[w++] = *a;
	}
	r->totals.duplicates = r->n_att - w;
	r->n_att = w;
}

static int interval_cmp(const void *pa, const void *pb)
{
	const struct interval *a = pa, *b = pb;
	int c = CMP(a->a, b->a);
	return c ? c : CMP(a->b, b->b);
}

/* Replaces the coverage intervals by their union, in time order. */
static void merge_cover(report_t *r)
{
	if (r->n_cover > 1)
		qsort(r->cover, r->n_cover, sizeof *r->cover, interval_cmp);
	size_t w = 0;
	for (size_t i = 0; i < r->n_cover; i++) {
		if (w > 0 && r->cover[i].a <= r->cover[w - 1].b) {
			if (r->cover[i].b > r->cover[w - 1].b)
				r->cover[w - 1].b = r->cover[i].b;
			continue;
		}
		r->cover[w++] = r->cover[i];
	}
	r->n_cover = w;
	struct report_totals *t = &r->totals;
	for (size_t i = 0; i < w; i++)
		t->covered_us += r->cover[i].b - r->cover[i].a;
	if (w > 0) {
		t->first_us = r->cover[0].a;
		t->last_us = r->cover[w - 1].b;
	}
}

/* Periods of len_us over [lo, hi) (see span()), with their coverage,
 * attacks started and distinct victims. mark is scratch, one entry per
 * victim. */
static int fill_periods(report_t *r, uint64_t lo, uint64_t hi, uint64_t len_us, uint32_t *mark,
                        struct report_period **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (lo >= hi)
		return 0;
	uint64_t first = lo / len_us;
	size_t np = (size_t)((hi - 1) / len_us - first + 1);
	struct report_period *p = calloc(np, sizeof *p);
	if (p == NULL)
		return -BS_ENOMEM;
	for (size_t k = 0; k < np; k++)
		p[k].start_us = (first + k) * len_us;
	for (size_t i = 0; i < r->n_cover; i++) {
		const struct interval *c = &r->cover[i];
		for (uint64_t q = c->a / len_us; q <= (c->b - 1) / len_us; q++) {
			uint64_t from = q * len_us > c->a ? q * len_us : c->a;
			uint64_t to = (q + 1) * len_us < c->b ? (q + 1) * len_us : c->b;
			p[q - first].covered_us += to - from;
		}
	}
	memset(mark, 0, victim_count(r) * sizeof *mark);
	/* Attacks are in start order, so periods come in order and one mark per
	 * victim ("counted in period k - 1") finds each victim once per period. */
	for (size_t i = 0; i < r->n_att; i++) {
		const struct rattack *a = &r->att[i];
		size_t k = (size_t)(a->start_us / len_us - first);
		if (k >= np) /* cannot happen: the span includes every attack */
			continue;
		p[k].attacks++;
		if (mark[a->victim] != k + 1) {
			mark[a->victim] = (uint32_t)(k + 1);
			p[k].victims++;
		}
	}
	*out = p;
	*n = np;
	return 0;
}

/* The span of the per-day and per-hour tables, [lo, hi): the window where
 * the user bounded it (so days without data inside it show as gaps), else
 * the covered period. lo == hi when there is nothing to show. */
static void span(const report_t *r, uint64_t *lo, uint64_t *hi)
{
	*lo = r->since > 0 ? r->since : r->totals.first_us;
	*hi = r->until != REPORT_NO_UNTIL ? r->until : r->totals.last_us;
	if (*lo >= *hi)
		*lo = *hi = 0;
}

static int bin_cmp(const void *pa, const void *pb)
{
	const struct report_bin *a = pa, *b = pb;
	int c = CMP(a->start_us, b->start_us);
	return c ? c : CMP(a->end_us, b->end_us);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Sorts the bins and merges those with the same bounds column by column. */
static void merge_bins(report_t *r)
{
	if (r->n_bins > 1)
		qsort(r->bins, r->n_bins, sizeof *r->bins, bin_cmp);
	size_t w = 0;
	for (size_t i = 0; i < r->n_bins; i++) {
		const struct report_bin *b = &r->bins[i];
		struct report_bin *k = w > 0 ? &r->bins[w - 1] : NULL;
		if (k != NULL && k->start_us == b->start_us && k->end_us == b->end_us) {
			k->packets = max_u64(k->packets, b->packets);
			k->attacks_active = max_u64(k->attacks_active, b->attacks_active);
			k->attacks_started = max_u64(k->attacks_started, b->attacks_started);
			k->victims = max_u64(k->victims, b->victims);
			continue;
		}
		r->bins[w++] = *b;
	}
	r->n_bins = w;
	for (size_t i = 0; i < w; i++)
		r->totals.packets += r->bins[i].packets;
}

static void sum_dirs(report_t *r)
{
	struct report_totals *t = &r->totals;
	t->dirs = r->n_dirs;
	for (size_t i = 0; i < r->n_dirs; i++) {
		const struct report_dir *d = &r->dirs[i];
		t->dirs_incomplete += !d->complete;
		if (d->telescope_v4 > 0 &&
		    (t->telescope_min == 0 || d->telescope_v4 < t->telescope_min))
			t->telescope_min = d->telescope_v4;
		if (d->telescope_v4 > t->telescope_max)
			t->telescope_max = d->telescope_v4;
		if (d->interval_s > 0 && (t->interval_min == 0 || d->interval_s < t->interval_min))
			t->interval_min = d->interval_s;
		if (d->interval_s > t->interval_max)
			t->interval_max = d->interval_s;
	}
}

/* Per-victim sums, the protocol and response mix and the attack totals. */
static void sum_attacks(report_t *r, struct vstat *vs)
{
	struct report_totals *t = &r->totals;
	struct report_mix *m = &r->mix;
	for (size_t v = 0; v < victim_count(r); v++)
		vs[v].max_rate = NO_ATTACK;
	for (size_t i = 0; i < r->n_att; i++) {
		const struct rattack *a = &r->att[i];
		m->attacks[a->proto]++;
		m->packets[a->proto] += a->packets;
		m->uniform_failed[a->proto] += !a->uniform;
		for (int k = 0; k < BS_RESP_COUNT; k++)
			m->responses[k] += (a->responses >> k) & 1u;
		t->attack_packets += a->packets;
		t->uniform_failed += !a->uniform;
		t->rate_known += !isnan(a->est_pps);
		t->with_country += a->country != 0;
		t->with_asn += a->asn != 0;
		struct vstat *v = &vs[a->victim];
		if (v->attacks == 0)
			v->first = (uint32_t)i;
		v->attacks++;
		v->last = (uint32_t)i;
		v->packets += a->packets;
		v->protos |= (uint8_t)(1u << a->proto);
		if (!isnan(a->est_pps) &&
		    (v->max_rate == NO_ATTACK || a->est_pps > r->att[v->max_rate].est_pps))
			v->max_rate = (uint32_t)i;
	}
	t->attacks = r->n_att;
	for (size_t v = 0; v < victim_count(r); v++) {
		if (vs[v].attacks == 0)
			continue;
		t->victims++;
		t->victims_v6 += victim_at(r, (uint32_t)v)->family == BS_AF_INET6;
		for (int p = 0; p < BS_PROTO_COUNT; p++)
			m->victims[p] += (vs[v].protos >> p) & 1u;
	}
}

/* A victim with its ranking keys, for sorting without a context pointer. */
struct rank {
	double k1, k2; /* descending */
	const bs_addr_t *addr;
	uint32_t v;
};

static int rank_cmp(const void *pa, const void *pb)
{
	const struct rank *a = pa, *b = pb;
	int c = CMP(b->k1, a->k1);
	if (c == 0)
		c = CMP(b->k2, a->k2);
	return c ? c : bs_addr_cmp(a->addr, b->addr);
}

static void fill_victim(const report_t *r, const struct vstat *vs, uint32_t v,
                        struct report_victim *out)
{
	const struct vstat *s = &vs[v];
	const struct rattack *last = &r->att[s->last];
	memset(out, 0, sizeof *out);
	out->addr = *victim_at(r, v);
	out->attacks = s->attacks;
	out->packets = s->packets;
	out->protocols = s->protos;
	out->first_us = r->att[s->first].start_us;
	out->max_est_pps = NAN;
	if (s->max_rate != NO_ATTACK) {
		const struct rattack *m = &r->att[s->max_rate];
		out->max_est_pps = m->est_pps;
		out->max_start_us = m->start_us;
		out->max_proto = m->proto;
		out->max_uniform = m->uniform;
	}
	out->country = str_at(r, last->country);
	out->asn = last->asn;
	out->as_org = str_at(r, last->as_org);
}

/* The top_n victims by attacks (by_rate false) or by highest rate. */
static int top_victims(report_t *r, const struct vstat *vs, bool by_rate,
                       struct report_victim **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t nv = victim_count(r);
	struct rank *rk = nv ? calloc(nv, sizeof *rk) : NULL;
	if (nv && rk == NULL)
		return -BS_ENOMEM;
	size_t nr = 0;
	for (uint32_t v = 0; v < nv; v++) {
		if (vs[v].attacks == 0 || (by_rate && vs[v].max_rate == NO_ATTACK))
			continue;
		rk[nr].k1 = by_rate ? r->att[vs[v].max_rate].est_pps : (double)vs[v].attacks;
		rk[nr].k2 = by_rate ? 0 : (double)vs[v].packets;
		rk[nr].addr = victim_at(r, v);
		rk[nr].v = v;
		nr++;
	}
	if (nr > 1)
		qsort(rk, nr, sizeof *rk, rank_cmp);
	size_t keep = nr < r->top_n ? nr : r->top_n;
	struct report_victim *t = keep ? calloc(keep, sizeof *t) : NULL;
	if (keep && t == NULL) {
		free(rk);
		return -BS_ENOMEM;
	}
	for (size_t i = 0; i < keep; i++)
		fill_victim(r, vs, rk[i].v, &t[i]);
	free(rk);
	*out = t;
	*n = keep;
	return 0;
}

static void fill_repeats(report_t *r, const struct vstat *vs)
{
	uint64_t lo = 1;
	for (size_t b = 0; b < REPORT_N_REPEAT; b++) {
		r->repeats[b] = (struct report_bucket){.lo = lo, .hi = repeat_upper[b]};
		lo = repeat_upper[b] + 1;
	}
	for (size_t v = 0; v < victim_count(r); v++) {
		if (vs[v].attacks == 0)
			continue;
		size_t b = 0;
		while (vs[v].attacks > repeat_upper[b])
			b++;
		r->repeats[b].count++;
		r->repeats[b].attacks += vs[v].attacks;
	}
	r->n_repeats = 0;
	for (size_t b = 0; b < REPORT_N_REPEAT; b++)
		if (r->repeats[b].count > 0)
			r->n_repeats = b + 1;
}

static void fill_peak_ppm(report_t *r)
{
	struct report_bucket all[REPORT_N_PPM_BUCKETS];
	for (int k = 0; k < REPORT_N_PPM_BUCKETS; k++)
		all[k] = (struct report_bucket){
		    .lo = k == 0 ? 0 : 1ull << (k - 1),
		    .hi = k == 0 ? 0 : (1ull << k) - 1,
		};
	for (size_t i = 0; i < r->n_att; i++) {
		int k = 0;
		for (uint32_t p = r->att[i].peak_ppm; p != 0; p >>= 1)
			k++;
		all[k].count++;
		all[k].attacks++;
	}
	int lo = 0, hi = REPORT_N_PPM_BUCKETS - 1;
	while (lo <= hi && all[lo].count == 0)
		lo++;
	while (hi >= lo && all[hi].count == 0)
		hi--;
	r->n_ppm = lo <= hi ? (size_t)(hi - lo + 1) : 0;
	memcpy(r->ppm, all + lo, r->n_ppm * sizeof *r->ppm);
}

/* An attack's country or AS, for counting attacks and victims per group. */
struct gkey {
	uint32_t key, victim, attack;
};

static int gkey_cmp(const void *pa, const void *pb)
{
	const struct gkey *a = pa, *b = pb;
	int c = CMP(a->key, b->key);
	if (c == 0)
		c = CMP(a->victim, b->victim);
	return c ? c : CMP(a->attack, b->attack);
}

static int group_cmp(const void *pa, const void *pb)
{
	const struct report_group *a = pa, *b = pb;
	int c = CMP(b->attacks, a->attacks);
	if (c == 0)
		c = CMP(b->victims, a->victims);
	if (c == 0)
		c = a->country ? strcmp(a->country, b->country) : CMP(a->asn, b->asn);
	return c;
}

/* Top groups by country (by_asn false) or by AS. */
static int top_groups(report_t *r, bool by_asn, struct report_group **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct gkey *g = r->n_att ? calloc(r->n_att, sizeof *g) : NULL;
	if (r->n_att && g == NULL)
		return -BS_ENOMEM;
	size_t ng = 0;
	for (size_t i = 0; i < r->n_att; i++) {
		uint32_t key = by_asn ? r->att[i].asn : r->att[i].country;
		if (key != 0)
			g[ng++] = (struct gkey){key, r->att[i].victim, (uint32_t)i};
	}
	if (ng > 1)
		qsort(g, ng, sizeof *g, gkey_cmp);
	size_t groups = 0;
	for (size_t i = 0; i < ng; i++)
		groups += i == 0 || g[i].key != g[i - 1].key;
	struct report_group *t = groups ? calloc(groups, sizeof *t) : NULL;
	if (groups && t == NULL) {
		free(g);
		return -BS_ENOMEM;
	}
	size_t j = 0;
	uint32_t org_attack = NO_ATTACK; /* earliest attack of the group naming its AS */
	for (size_t i = 0; i < ng; i++) {
		if (i == 0 || g[i].key != g[i - 1].key) {
			j = i == 0 ? 0 : j + 1;
			org_attack = NO_ATTACK;
			t[j].country = by_asn ? NULL : str_at(r, g[i].key);
			t[j].asn = by_asn ? g[i].key : 0;
			t[j].as_org = by_asn ? "" : NULL;
		}
		t[j].attacks++;
		t[j].victims +=
		    i == 0 || g[i].key != g[i - 1].key || g[i].victim != g[i - 1].victim;
		uint32_t org = r->att[g[i].attack].as_org;
		if (by_asn && org != 0 && g[i].attack < org_attack) {
			org_attack = g[i].attack;
			t[j].as_org = str_at(r, org);
		}
	}
	free(g);
	if (groups > 1)
		qsort(t, groups, sizeof *t, group_cmp);
	*out = t;
	*n = groups < r->top_n ? groups : r->top_n;
	return 0;
}

/* An attack's (protocol, port) as one number: port + 1 for a port, 0 for
 * none, so "no port" sorts first here (and last in the table). */
static uint32_t service_key(const struct rattack *a)
{
	return (uint32_t)a->proto * (UINT16_MAX + 2u) + (a->has_port ? a->top_port + 1u : 0u);
}

static int service_cmp(const void *pa, const void *pb)
{
	const struct report_service *a = pa, *b = pb;
	int c = CMP(b->attacks, a->attacks);
	if (c == 0)
		c = CMP(b->victims, a->victims);
	if (c == 0)
		c = CMP(b->packets, a->packets);
	if (c == 0)
		c = CMP(a->proto, b->proto);
	if (c == 0) /* -1 (no port) after every port */
		c = CMP((uint32_t)a->port, (uint32_t)b->port);
	return c;
}

/* The attacked services: attacks grouped by (protocol, top_port). */
static int top_services(report_t *r)
{
	struct gkey *g = r->n_att ? calloc(r->n_att, sizeof *g) : NULL;
	if (r->n_att && g == NULL)
		return -BS_ENOMEM;
	for (size_t i = 0; i < r->n_att; i++)
		g[i] = (struct gkey){service_key(&r->att[i]), r->att[i].victim, (uint32_t)i};
	if (r->n_att > 1)
		qsort(g, r->n_att, sizeof *g, gkey_cmp);
	size_t groups = 0;
	for (size_t i = 0; i < r->n_att; i++)
		groups += i == 0 || g[i].key != g[i - 1].key;
	struct report_service *t = groups ? calloc(groups, sizeof *t) : NULL;
	if (groups && t == NULL) {
		free(g);
		return -BS_ENOMEM;
	}
	size_t j = 0;
	for (size_t i = 0; i < r->n_att; i++) {
		const struct rattack *a = &r->att[g[i].attack];
		bool first = i == 0 || g[i].key != g[i - 1].key;
		if (first) {
			j = i == 0 ? 0 : j + 1;
			t[j].proto = a->proto;
			t[j].port = a->has_port ? a->top_port : -1;
			t[j].name = a->has_port ? services_name(a->proto, a->top_port) : NULL;
		}
		t[j].attacks++;
		t[j].victims += first || g[i].victim != g[i - 1].victim;
		t[j].packets += a->packets;
	}
	free(g);
	if (groups > 1)
		qsort(t, groups, sizeof *t, service_cmp);
	r->services = t;
	r->totals.services = groups;
	r->n_services = groups < r->top_n ? groups : r->top_n;
	return 0;
}

static int combo_cmp(const void *pa, const void *pb)
{
	const struct report_combo *a = pa, *b = pb;
	int c = CMP(b->victims, a->victims);
	if (c == 0)
		c = CMP(b->groups, a->groups);
	if (c == 0)
		c = CMP(b->attacks, a->attacks);
	return c ? c : CMP(a->protocols, b->protocols);
}

/* Counts the multi-vector groups of ga[0..n), grouped and so in (victim,
 * start) order, into g[] (key: protocol set, attack: the group's attacks)
 * and the totals. Returns how many g[] received. */
static size_t multi_groups(report_t *r, const struct vgroup_attack *ga, size_t n, struct gkey *g)
{
	size_t m = 0;
	uint32_t last_victim = UINT32_MAX;
	for (size_t k = 0, next; k < n; k = next) {
		uint32_t protos = 0;
		for (next = k; next < n && ga[next].group == ga[k].group; next++)
			protos |= 1u << r->att[ga[next].id].proto;
		if ((protos & (protos - 1)) == 0) /* one protocol */
			continue;
		g[m++] = (struct gkey){protos, ga[k].victim, (uint32_t)(next - k)};
		r->totals.vector_groups++;
		r->totals.vector_attacks += next - k;
		r->totals.vector_victims += ga[k].victim != last_victim;
		last_victim = ga[k].victim;
	}
	return m;
}

/* Multi-vector groups by protocol set (report_combos()). */
static int top_combos(report_t *r)
{
	struct vgroup_attack *ga = calloc(r->n_att + 1, sizeof *ga);
	struct gkey *g = calloc(r->n_att / 2 + 1, sizeof *g); /* a group has >= 2 attacks */
	if (ga == NULL || g == NULL) {
		free(ga);
		free(g);
		return -BS_ENOMEM;
	}
	for (size_t i = 0; i < r->n_att; i++) {
		const struct rattack *a = &r->att[i];
		ga[i] = (struct vgroup_attack){a->start_us, a->end_us, a->victim, (uint32_t)i, 0};
	}
	vgroup_assign(ga, r->n_att);
	size_t m = multi_groups(r, ga, r->n_att, g);
	free(ga);
	if (m > 1)
		qsort(g, m, sizeof *g, gkey_cmp);
	size_t sets = 0;
	for (size_t i = 0; i < m; i++)
		sets += i == 0 || g[i].key != g[i - 1].key;
	struct report_combo *t = sets ? calloc(sets, sizeof *t) : NULL;
	if (sets && t == NULL) {
		free(g);
		return -BS_ENOMEM;
	}
	size_t j = 0;
	for (size_t i = 0; i < m; i++) {
		bool first = i == 0 || g[i].key != g[i - 1].key;
		j = first && i > 0 ? j + 1 : j;
		t[j].protocols = g[i].key;
		t[j].groups++;
		t[j].victims += first || g[i].victim != g[i - 1].victim;
		t[j].attacks += g[i].attack;
	}
	free(g);
	if (sets > 1)
		qsort(t, sets, sizeof *t, combo_cmp);
	r->combos = t;
	r->totals.vector_combos = sets;
	r->n_combos = sets < r->top_n ? sets : r->top_n;
	return 0;
}

/* Prefix attacks by prefix, then the duplicate key (protocol, start), then
 * the copy to keep first (more packets). */
static int rprefix_cmp(const void *pa, const void *pb)
{
	const struct rprefix *a = pa, *b = pb;
	int c = bs_addr_cmp(&a->prefix, &b->prefix);
	if (c == 0)
		c = CMP(a->len, b->len);
	if (c == 0)
		c = CMP(a->proto, b->proto);
	if (c == 0)
		c = CMP(a->start_us, b->start_us);
	return c != 0 ? c : CMP(b->packets, a->packets);
}

static int prefix_rank_cmp(const void *pa, const void *pb)
{
	const struct report_prefix *a = pa, *b = pb;
	int c = CMP(b->attacks, a->attacks);
	if (c == 0)
		c = CMP(b->packets, a->packets);
	if (c == 0)
		c = CMP(b->victims, a->victims);
	if (c == 0)
		c = bs_addr_cmp(&a->prefix, &b->prefix);
	return c != 0 ? c : CMP(a->len, b->len);
}

/* The most attacked prefixes: prefix attacks without duplicates, grouped
 * by prefix. */
static int top_prefixes(report_t *r)
{
	if (r->n_pfx > 1)
		qsort(r->pfx, r->n_pfx, sizeof *r->pfx, rprefix_cmp);
	struct report_prefix *t = r->n_pfx ? calloc(r->n_pfx, sizeof *t) : NULL;
	if (r->n_pfx && t == NULL)
		return -BS_ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < r->n_pfx; i++) {
		const struct rprefix *a = &r->pfx[i], *prev = i > 0 ? &r->pfx[i - 1] : NULL;
		bool same_prefix = prev != NULL && bs_addr_cmp(&prev->prefix, &a->prefix) == 0 &&
		                   prev->len == a->len;
		if (same_prefix && prev->proto == a->proto && prev->start_us == a->start_us)
			continue; /* a copy from another directory */
		if (!same_prefix)
			t[n++] = (struct report_prefix){.prefix = a->prefix, .len = a->len};
		struct report_prefix *g = &t[n - 1];
		g->protos |= (uint8_t)(1u << a->proto);
		g->attacks++;
		g->packets += a->packets;
		if (a->victims > g->victims ||
		    (a->victims == g->victims && a->victim_attacks > g->victim_attacks)) {
			g->victims = a->victims;
			g->victim_attacks = a->victim_attacks;
		}
		r->totals.prefix_attacks++;
	}
	if (n > 1)
		qsort(t, n, sizeof *t, prefix_rank_cmp);
	r->prefixes = t;
	r->totals.prefixes = n;
	r->n_prefixes = n < r->top_n ? n : r->top_n;
	return 0;
}

/* Quantile levels in thousandths, indexed by enum report_quantile: integer
 * ranks avoid 0.9 * n landing a hair above an integer in floating point. */
static const uint32_t quantile_permille[REPORT_Q_COUNT] = {
    [REPORT_Q_MIN] = 0,   [REPORT_Q_P10] = 100, [REPORT_Q_P25] = 250, [REPORT_Q_MEDIAN] = 500,
    [REPORT_Q_P75] = 750, [REPORT_Q_P90] = 900, [REPORT_Q_P99] = 990, [REPORT_Q_MAX] = 1000,
};

double report_quantile_level(enum report_quantile q)
{
	return q < REPORT_Q_COUNT ? quantile_permille[q] / 1000.0 : NAN;
}

static int double_cmp(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;
	return CMP(a, b);
}

/* The values of metric m into vals; returns how many. */
static size_t metric_values(const report_t *r, enum report_metric m, double *vals)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_att; i++) {
		const struct rattack *a = &r->att[i];
		switch (m) {
		case REPORT_DURATION:
			vals[n++] = (double)(a->end_us - a->start_us) / BS_US_PER_S;
			break;
		case REPORT_EST_PPS:
			if (!isnan(a->est_pps))
				vals[n++] = a->est_pps;
			break;
		case REPORT_EST_PPS_UNIF:
			if (!isnan(a->est_pps) && a->uniform)
				vals[n++] = a->est_pps;
			break;
		case REPORT_PEAK_PPM:
			vals[n++] = a->peak_ppm;
			break;
		case REPORT_PACKETS:
			vals[n++] = (double)a->packets;
			break;
		case REPORT_METRIC_COUNT:
			break;
		}
	}
	return n;
}

/* Distribution and CDF points of metric m; vals is scratch of n_att. */
static int fill_dist(report_t *r, enum report_metric m, double *vals)
{
	size_t n = metric_values(r, m, vals);
	struct report_dist *d = &r->dist[m];
	memset(d, 0, sizeof *d);
	if (n == 0)
		return 0;
	qsort(vals, n, sizeof *vals, double_cmp);
	d->n = n;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += vals[i];
	d->mean = sum / (double)n;
	for (int q = 0; q < REPORT_Q_COUNT; q++) {
		/* nearest rank: the smallest value with at least level * n values
		 * at or below it */
		uint64_t rank = ((uint64_t)n * quantile_permille[q] + 999) / 1000;
		d->q[q] = vals[rank > 0 ? rank - 1 : 0];
	}
	size_t np = n < REPORT_CDF_MAX_POINTS ? n : REPORT_CDF_MAX_POINTS;
	struct report_cdf_point *p = calloc(np, sizeof *p);
	if (p == NULL)
		return -BS_ENOMEM;
	for (size_t k = 0; k < np; k++) {
		/* evenly spaced ranks, the first and the last included */
		size_t i =
		    np == n ? k : (size_t)(((double)k * (double)(n - 1)) / (double)(np - 1) + 0.5);
		p[k].value = vals[i];
		p[k].fraction = (double)(i + 1) / (double)n;
	}
	r->cdf[m] = p;
	r->n_cdf[m] = np;
	return 0;
}

int report_finish(report_t *r, struct bs_err *err)
{
	bs_err_clear(err);
	if (r == NULL || r->finished)
		return -BS_EINVAL;
	r->finished = true;
	dedupe(r);
	merge_cover(r);
	uint64_t lo, hi;
	span(r, &lo, &hi);
	if (lo < hi) {
		uint64_t days = (hi - 1) / BS_US_PER_DAY - lo / BS_US_PER_DAY + 1;
		if (days > REPORT_MAX_SPAN_DAYS) {
			char a[BS_TIME_STRLEN], b[BS_TIME_STRLEN];
			bs_format_time(lo, a, sizeof a);
			bs_format_time(hi - 1, b, sizeof b);
			return bs_err_set(
			    err, -BS_ERANGE,
			    "period: %s to %s spans %llu days, more than %u; choose a "
			    "window with --since and --until",
			    a, b, (unsigned long long)days, REPORT_MAX_SPAN_DAYS);
		}
	}
	merge_bins(r);
	sum_dirs(r);
	/* First: its scratch (38 bytes an attack) is freed before the rest's. */
	int rc = top_combos(r);
	if (rc != 0)
		return rc;
	rc = -BS_ENOMEM;
	struct vstat *vs = calloc(victim_count(r) + 1, sizeof *vs);
	uint32_t *mark = calloc(victim_count(r) + 1, sizeof *mark);
	double *vals = calloc(r->n_att + 1, sizeof *vals);
	if (vs == NULL || mark == NULL || vals == NULL)
		goto out;
	sum_attacks(r, vs);
	fill_repeats(r, vs);
	fill_peak_ppm(r);
	rc = fill_periods(r, lo, hi, BS_US_PER_DAY, mark, &r->days, &r->n_days);
	if (rc == 0)
		rc = fill_periods(r, lo, hi, BS_US_PER_HOUR, mark, &r->hours, &r->n_hours);
	if (rc == 0)
		rc = top_victims(r, vs, false, &r->top_victims, &r->n_top_victims);
	if (rc == 0)
		rc = top_victims(r, vs, true, &r->top_rates, &r->n_top_rates);
	if (rc == 0)
		rc = top_groups(r, false, &r->countries, &r->n_countries);
	if (rc == 0)
		rc = top_groups(r, true, &r->ases, &r->n_ases);
	if (rc == 0)
		rc = top_services(r);
	if (rc == 0)
		rc = top_prefixes(r);
	for (int m = 0; rc == 0 && m < REPORT_METRIC_COUNT; m++)
		rc = fill_dist(r, (enum report_metric)m, vals);
out:
	free(vs);
	free(mark);
	free(vals);
	return rc;
}

const struct report_totals *report_totals(const report_t *r)
{
	return &r->totals;
}

size_t report_dirs(const report_t *r, const struct report_dir **out)
{
	*out = r->dirs;
	return r->n_dirs;
}

size_t report_days(const report_t *r, const struct report_period **out)
{
	*out = r->days;
	return r->n_days;
}

size_t report_hours(const report_t *r, const struct report_period **out)
{
	*out = r->hours;
	return r->n_hours;
}

size_t report_bins(const report_t *r, const struct report_bin **out)
{
	*out = r->bins;
	return r->n_bins;
}

const struct report_mix *report_mix(const report_t *r)
{
	return &r->mix;
}

size_t report_top_victims(const report_t *r, const struct report_victim **out)
{
	*out = r->top_victims;
	return r->n_top_victims;
}

size_t report_top_rates(const report_t *r, const struct report_victim **out)
{
	*out = r->top_rates;
	return r->n_top_rates;
}

size_t report_repeats(const report_t *r, const struct report_bucket **out)
{
	*out = r->repeats;
	return r->n_repeats;
}

size_t report_peak_ppm(const report_t *r, const struct report_bucket **out)
{
	*out = r->ppm;
	return r->n_ppm;
}

size_t report_top_countries(const report_t *r, const struct report_group **out)
{
	*out = r->countries;
	return r->n_countries;
}

size_t report_services(const report_t *r, const struct report_service **out)
{
	*out = r->services;
	return r->n_services;
}

size_t report_combos(const report_t *r, const struct report_combo **out)
{
	*out = r->combos;
	return r->n_combos;
}

size_t report_prefixes(const report_t *r, const struct report_prefix **out)
{
	*out = r->prefixes;
	return r->n_prefixes;
}

size_t report_top_ases(const report_t *r, const struct report_group **out)
{
	*out = r->ases;
	return r->n_ases;
}

const struct report_dist *report_dist(const report_t *r, enum report_metric m)
{
	return m < REPORT_METRIC_COUNT ? &r->dist[m] : NULL;
}

size_t report_cdf(const report_t *r, enum report_metric m, const struct report_cdf_point **out)
{
	*out = NULL;
	if (m >= REPORT_METRIC_COUNT)
		return 0;
	*out = r->cdf[m];
	return r->n_cdf[m];
}

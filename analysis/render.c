/* render.c - what goes in the report: its sections, tables and figures.
 *
 * Order of work: write each figure's TSV data (always: it is useful without
 * gnuplot too) and have gnuplot draw it (analysis/plot.h); then build the
 * document (analysis/document.h: headings, paragraphs, tables, images of
 * the figures actually made) and write it as report.md and report.html.
 *
 * gnuplot gets everything through variable assignments: datadir, tpldir,
 * period (the title's "when"), width/height (also written into the HTML,
 * so the page reserves the right space), per figure a few numbers (logx,
 * bins, gaps), and outfile from plot_make(). The templates decide
 * everything else. */
#include "analysis/render.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/document.h"
#include "analysis/plot.h"
#include "base/bs_error.h"
#include "base/bs_time.h"
#include "outdir/outfile.h"
#include "telescope/addr.h"
#include "telescope/event.h"

/* Size of every PNG, pixels: wide enough for a readable day-by-day axis,
 * the ~900 x 500 the issue asks for. */
#define RENDER_WIDTH  900
#define RENDER_HEIGHT 500
/* Longest per-hour table written out; a week would be 168 rows, which
 * nobody reads: longer periods get the plot and the TSV only. */
#define RENDER_MAX_HOUR_ROWS 48
/* Warnings listed per directory; the rest are in its summary.json. */
#define RENDER_MAX_WARNINGS 20
/* A CDF whose values span more than this factor gets a log x axis: two
 * decades on a linear axis squash most of the curve against the left edge. */
#define RENDER_LOGX_RATIO 100.0
/* Returned by figure data writers when there is nothing to plot. */
#define RENDER_EMPTY 1
/* Text buffer for one formatted cell or time. */
#define RENDER_CELL 128

const char *const render_templates[] = {
    "common.gp",   "per_day.gp",  "per_hour.gp", "timeseries.gp", "repeats.gp", "duration_cdf.gp",
    "rate_cdf.gp", "peak_ppm.gp", NULL,
};

bool render_templates_present(const char *dir)
{
	if (dir == NULL)
		return false;
	for (size_t i = 0; render_templates[i] != NULL; i++) {
		char path[PATH_MAX];
		int n = snprintf(path, sizeof path, "%s/%s", dir, render_templates[i]);
		if (n < 0 || (size_t)n >= sizeof path || access(path, R_OK) != 0)
			return false;
	}
	return true;
}

/* ---- number and time text ---- */

/* "2026-11-24 22:10:00", or with len 10 "2026-11-24", 16 "2026-11-24 22:10". */
static const char *time_text(uint64_t us, size_t len, char *buf)
{
	if (bs_format_time(us, buf, BS_TIME_STRLEN) != 0) {
		snprintf(buf, BS_TIME_STRLEN, "?");
		return buf;
	}
	buf[10] = ' ';
	buf[len] = '\0';
	return buf;
}

/* A measured value with as many digits as help: 2 decimals below 10, 1
 * below 100, none above. */
static const char *value_text(double v, char *buf)
{
	if (isnan(v))
		snprintf(buf, RENDER_CELL, "-");
	else
		snprintf(buf, RENDER_CELL, "%.*f", v < 10 ? 2 : v < 100 ? 1 : 0, v);
	return buf;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The protocols of bits, in enum order, joined by sep. */
static const char *protocols_text(uint32_t bits, const char *sep, char *buf)
{
	buf[0] = '\0';
	for (int p = 0; p < BS_PROTO_COUNT; p++)
		if (bits & (1u << p)) {
			size_t len = strlen(buf);
			snprintf(buf + len, RENDER_CELL - len, "%s%s", len ? sep : "",
			         bs_proto_name(p));
		}
	return buf;
}

static const char *as_text(uint32_t asn, const char *org, char *buf)
{
	if (asn == 0)
		snprintf(buf, RENDER_CELL, "-");
	else if (org == NULL || org[0] == '\0')
		snprintf(buf, RENDER_CELL, "AS%u", asn);
	else
		snprintf(buf, RENDER_CELL, "AS%u %.100s", asn, org);
	return buf;
}

/* "2026-11-24 22:00 to 2026-11-27 04:00 UTC", the period in titles. */
static void period_text(const report_t *r, char *buf, size_t len)
{
	const struct report_totals *t = report_totals(r);
	char a[BS_TIME_STRLEN], b[BS_TIME_STRLEN];
	if (t->covered_us == 0)
		snprintf(buf, len, "no data");
	else
		snprintf(buf, len, "%s to %s UTC", time_text(t->first_us, 16, a),
		         time_text(t->last_us, 16, b));
}

/* ---- figures: data files and gnuplot ---- */

struct fig_ctx {
	const report_t *r;                /* the report; NULL for render_days() */
	const struct report_period *days; /* render_days()'s days */
	size_t n_days;
	const char *dir;   /* OUT/plots */
	plot_vars_t *vars; /* gnuplot assignments of the figure */
};

/* Opens DIR/name for a TSV data file. */
static int tsv_open(struct fig_ctx *c, const char *name, outfile_t **o, FILE **f)
{
	int rc = outfile_open(c->dir, name, o);
	*f = rc == 0 ? outfile_stream(*o) : NULL;
	return rc;
}

static int tsv_close(outfile_t *o, FILE *f)
{
	if (ferror(f)) {
		outfile_abort(o);
		return -BS_EIO;
	}
	return outfile_commit(o);
}

/* Days or hours: start (epoch s), attacks, victims, gap_s. A period no
 * input covers has NaN counts, and the first of a run of such periods
 * carries the run's length in seconds in gap_s (NaN elsewhere), so the
 * template draws one grey band per gap. Gap runs are set off by blank
 * lines so line plots break there instead of joining across. */
static int write_periods(struct fig_ctx *c, const char *name, const struct report_period *p,
                         size_t n, uint64_t len_us)
{
	if (n == 0)
		return RENDER_EMPTY;
	outfile_t *o;
	FILE *f;
	int rc = tsv_open(c, name, &o, &f);
	if (rc != 0)
		return rc;
	fputs("# start_s\tattacks\tvictims\tgap_s\n", f);
	size_t gaps = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned long long start = p[i].start_us / BS_US_PER_S;
		bool gap = p[i].covered_us == 0;
		if (!gap) {
			fprintf(f, "%llu\t%llu\t%llu\tNaN\n", start,
			        (unsigned long long)p[i].attacks, (unsigned long long)p[i].victims);
			continue;
		}
		size_t run = 1;
		while (i + run < n && p[i + run].covered_us == 0)
			run++;
		gaps++;
		fprintf(f, "\n%llu\tNaN\tNaN\t%llu\n", start,
		        (unsigned long long)(run * len_us / BS_US_PER_S));
		for (size_t k = 1; k < run; k++)
			fprintf(f, "%llu\tNaN\tNaN\tNaN\n",
			        (unsigned long long)(p[i + k].start_us / BS_US_PER_S));
		fputc('\n', f);
		i += run - 1;
	}
	plot_vars_int(c->vars, "gaps", (long long)gaps);
	return tsv_close(o, f);
}

static int data_per_day(struct fig_ctx *c)
{
	const struct report_period *p;
	size_t n = report_days(c->r, &p);
	if (report_totals(c->r)->attacks == 0)
		return RENDER_EMPTY;
	return write_periods(c, "per_day.tsv", p, n, BS_US_PER_DAY);
}

static int data_per_hour(struct fig_ctx *c)
{
	const struct report_period *p;
	size_t n = report_hours(c->r, &p);
	if (report_totals(c->r)->attacks == 0)
		return RENDER_EMPTY;
	return write_periods(c, "per_hour.tsv", p, n, BS_US_PER_HOUR);
}

/* render_days(): the days as given, drawn by the per-day template. */
static int data_days(struct fig_ctx *c)
{
	return write_periods(c, "per_day.tsv", c->days, c->n_days, BS_US_PER_DAY);
}

/* timeseries.tsv: bin middle (epoch s), packets, active attacks, victims;
 * a blank line where bins are missing. timeseries_gaps.tsv: the missing
 * stretches, start and end (epoch s), for the grey bands. */
static int data_timeseries(struct fig_ctx *c)
{
	const struct report_bin *b;
	size_t n = report_bins(c->r, &b);
	if (n == 0)
		return RENDER_EMPTY;
	outfile_t *o, *og;
	FILE *f, *g;
	int rc = tsv_open(c, "timeseries.tsv", &o, &f);
	if (rc != 0)
		return rc;
	rc = tsv_open(c, "timeseries_gaps.tsv", &og, &g);
	if (rc != 0) {
		outfile_abort(o);
		return rc;
	}
	fputs("# bin_middle_s\tpackets\tattacks_active\tvictims\n", f);
	fputs("# gap_start_s\tgap_end_s\n", g);
	size_t gaps = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && b[i].start_us > b[i - 1].end_us) {
			gaps++;
			fputc('\n', f);
			fprintf(g, "%.6f\t%.6f\n", (double)b[i - 1].end_us / BS_US_PER_S,
			        (double)b[i].start_us / BS_US_PER_S);
		}
		fprintf(f, "%.6f\t%llu\t%llu\t%llu\n",
		        (double)(b[i].start_us + b[i].end_us) / 2 / BS_US_PER_S,
		        (unsigned long long)b[i].packets, (unsigned long long)b[i].attacks_active,
		        (unsigned long long)b[i].victims);
	}
	plot_vars_int(c->vars, "gaps", (long long)gaps);
	const struct report_totals *t = report_totals(c->r);
	char bins[RENDER_CELL];
	if (t->interval_min == t->interval_max)
		snprintf(bins, sizeof bins, "%u s", t->interval_min);
	else
		snprintf(bins, sizeof bins, "%u to %u s", t->interval_min, t->interval_max);
	plot_vars_string(c->vars, "bins", bins);
	rc = tsv_close(o, f);
	int rc2 = tsv_close(og, g);
	return rc != 0 ? rc : rc2;
}

/* "1", "6-10", "101+": the label of a count bucket. */
static const char *bucket_text(const struct report_bucket *b, char *buf)
{
	if (b->hi == UINT64_MAX)
		snprintf(buf, RENDER_CELL, "%llu+", (unsigned long long)b->lo);
	else if (b->lo == b->hi)
		snprintf(buf, RENDER_CELL, "%llu", (unsigned long long)b->lo);
	else
		snprintf(buf, RENDER_CELL, "%llu-%llu", (unsigned long long)b->lo,
		         (unsigned long long)b->hi);
	return buf;
}

static int data_repeats(struct fig_ctx *c)
{
	const struct report_bucket *b;
	size_t n = report_repeats(c->r, &b);
	if (n == 0)
		return RENDER_EMPTY;
	outfile_t *o;
	FILE *f;
	int rc = tsv_open(c, "repeats.tsv", &o, &f);
	if (rc != 0)
		return rc;
	fputs("# attacks_per_victim\tvictims\tattacks\n", f);
	char buf[RENDER_CELL];
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\t%llu\t%llu\n", bucket_text(&b[i], buf),
		        (unsigned long long)b[i].count, (unsigned long long)b[i].attacks);
	return tsv_close(o, f);
}

/* One CDF as value, fraction rows; sets logx when the values span more
 * than RENDER_LOGX_RATIO (and all are positive). */
static int write_cdf(struct fig_ctx *c, const char *name, enum report_metric m)
{
	const struct report_cdf_point *p;
	size_t n = report_cdf(c->r, m, &p);
	outfile_t *o;
	FILE *f;
	int rc = tsv_open(c, name, &o, &f);
	if (rc != 0)
		return rc;
	fputs("# value\tfraction\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%.17g\t%.17g\n", p[i].value, p[i].fraction);
	return tsv_close(o, f);
}

static void set_logx(struct fig_ctx *c, enum report_metric m)
{
	const struct report_dist *d = report_dist(c->r, m);
	bool logx =
	    d->q[REPORT_Q_MIN] > 0 && d->q[REPORT_Q_MAX] / d->q[REPORT_Q_MIN] > RENDER_LOGX_RATIO;
	plot_vars_int(c->vars, "logx", logx);
}

static int data_duration(struct fig_ctx *c)
{
	if (report_dist(c->r, REPORT_DURATION)->n == 0)
		return RENDER_EMPTY;
	set_logx(c, REPORT_DURATION);
	return write_cdf(c, "duration_cdf.tsv", REPORT_DURATION);
}

static int data_rate(struct fig_ctx *c)
{
	if (report_dist(c->r, REPORT_EST_PPS)->n == 0)
		return RENDER_EMPTY;
	set_logx(c, REPORT_EST_PPS);
	int rc = write_cdf(c, "rate_cdf.tsv", REPORT_EST_PPS);
	return rc != 0 ? rc : write_cdf(c, "rate_cdf_uniform.tsv", REPORT_EST_PPS_UNIF);
}

/* peak_ppm.tsv: geometric middle, attacks, bucket low and high edge (the
 * bar spans [lo, hi + 1) on a log axis; the bucket of 0 is drawn from 0.5). */
static int data_peak_ppm(struct fig_ctx *c)
{
	const struct report_bucket *b;
	size_t n = report_peak_ppm(c->r, &b);
	if (n == 0)
		return RENDER_EMPTY;
	outfile_t *o;
	FILE *f;
	int rc = tsv_open(c, "peak_ppm.tsv", &o, &f);
	if (rc != 0)
		return rc;
	fputs("# middle\tattacks\tlow\thigh\n", f);
	for (size_t i = 0; i < n; i++) {
		double lo = b[i].lo ? (double)b[i].lo : 0.5, hi = (double)b[i].hi + 1;
		fprintf(f, "%.6g\t%llu\t%.6g\t%.6g\n", sqrt(lo * hi),
		        (unsigned long long)b[i].count, lo, hi);
	}
	return tsv_close(o, f);
}

struct figure {
	const char *name;    /* NAME.gp makes plots/NAME.png */
	const char *caption; /* also the image's alt text */
	int (*data)(struct fig_ctx *c);
};

enum fig_id {
	FIG_PER_DAY,
	FIG_PER_HOUR,
	FIG_TIMESERIES,
	FIG_REPEATS,
	FIG_DURATION,
	FIG_RATE,
	FIG_PEAK_PPM,
	FIG_COUNT
};

static const struct figure figures[FIG_COUNT] = {
    [FIG_PER_DAY] = {"per_day", "Attacks and victims per UTC day; grey: no data", data_per_day},
    [FIG_PER_HOUR] = {"per_hour", "Attacks and victims per UTC hour; grey: no data", data_per_hour},
    [FIG_TIMESERIES] = {"timeseries",
                        "Backscatter packets and active attacks per time-series bin (UTC)",
                        data_timeseries},
    [FIG_REPEATS] = {"repeats", "Victims by number of attacks", data_repeats},
    [FIG_DURATION] = {"duration_cdf", "Cumulative distribution of attack duration", data_duration},
    [FIG_RATE] = {"rate_cdf", "Cumulative distribution of the estimated attack rate", data_rate},
    [FIG_PEAK_PPM] = {"peak_ppm", "Attacks by peak packets per minute", data_peak_ppm},
};

/* Per figure: -1 not attempted or failed, 0 empty, 1 made. */
typedef int fig_made_t[FIG_COUNT];

/* Sets err for the file DIR/NAME that could not be written (rc). */
static int file_error(struct bs_err *err, int rc, const char *dir, const char *name)
{
	if (rc == -BS_EIO)
		return bs_err_io(err, errno, "%.400s/%s", dir, name);
	return bs_err_set(err, rc, "%.400s/%s: %s", dir, name, bs_strerror(rc));
}

/* Sets err to rc alone: nothing more to say than the code's text. */
static int code_error(struct bs_err *err, int rc)
{
	return bs_err_set(err, rc, "%s", bs_strerror(rc));
}

/* Draws DIR/NAME.png (png) from the template NAME.gp with gnuplot. */
static int draw(const struct render_options *o, const char *dir, const char *name,
                const plot_vars_t *vars, const char *png, struct bs_err *err)
{
	char tpl[PATH_MAX];
	if ((size_t)snprintf(tpl, sizeof tpl, "%s/%s.gp", o->plots_dir, name) >= sizeof tpl)
		return bs_err_set(err, -BS_EIO, "%.400s: path too long", dir);
	return plot_make(o->gnuplot, tpl, vars, png, err);
}

/* Writes one figure's data (c->r or c->days; c->vars is set here) and,
 * when gnuplot is usable, its PNG; *made as fig_made_t says. */
static int make_figure(const struct render_options *o, const char *dir, const char *period,
                       const struct figure *fig, struct fig_ctx *c, int *made,
                       struct render_status *st, struct bs_err *err)
{
	*made = -1;
	c->dir = dir;
	c->vars = plot_vars_create();
	if (c->vars == NULL)
		return code_error(err, -BS_ENOMEM);
	plot_vars_string(c->vars, "datadir", dir);
	plot_vars_string(c->vars, "tpldir", o->plots_dir ? o->plots_dir : "");
	plot_vars_string(c->vars, "period", period);
	plot_vars_int(c->vars, "width", RENDER_WIDTH);
	plot_vars_int(c->vars, "height", RENDER_HEIGHT);
	int rc = fig->data(c);
	if (rc >= 0 && plot_vars_error(c->vars) != 0)
		rc = plot_vars_error(c->vars);
	if (rc < 0) {
		char tsv[RENDER_CELL];
		snprintf(tsv, sizeof tsv, "%s.tsv", fig->name);
		file_error(err, rc, dir, tsv); /* before free() may touch errno */
		plot_vars_free(c->vars);
		return rc;
	}
	char png[PATH_MAX];
	if ((size_t)snprintf(png, sizeof png, "%s/%s.png", dir, fig->name) >= sizeof png) {
		plot_vars_free(c->vars);
		return bs_err_set(err, -BS_EIO, "%.400s: path too long", dir);
	}
	if (rc == RENDER_EMPTY) {
		*made = 0;
		st->plots_empty++;
	} else if (o->plots_dir != NULL && st->plot_error.code != -BS_ENOTFOUND) {
		struct bs_err perr;
		int prc = draw(o, dir, fig->name, c->vars, png, &perr);
		if (prc == 0) {
			*made = 1;
			st->plots_made++;
		} else if (prc == -BS_ENOMEM) {
			plot_vars_free(c->vars);
			return code_error(err, prc);
		} else if (st->plot_error.code == 0) {
			st->plot_error = perr;
		}
	}
	plot_vars_free(c->vars);
	/* A PNG from an earlier run must not sit next to newer data. */
	if (*made != 1 && unlink(png) != 0 && errno != ENOENT)
		return bs_err_io(err, errno, "%.400s", png);
	return 0;
}

/* Writes every figure's data and, when gnuplot is usable, its PNG. */
static int make_figures(const report_t *r, const struct render_options *o, const char *dir,
                        const char *period, fig_made_t made, struct render_status *st,
                        struct bs_err *err)
{
	for (int i = 0; i < FIG_COUNT; i++) {
		struct fig_ctx c = {.r = r};
		int rc = make_figure(o, dir, period, &figures[i], &c, &made[i], st, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int render_days(const struct render_options *o, const struct report_period *days, size_t n,
                const char *period, bool *made, struct render_status *st, struct bs_err *err)
{
	static const struct figure fig = {"per_day", "", data_days};
	memset(st, 0, sizeof *st);
	bs_err_clear(err);
	*made = false;
	if (o == NULL || o->out_dir == NULL || period == NULL)
		return code_error(err, -BS_EINVAL);
	if (strpbrk(o->out_dir, "\r\n") != NULL ||
	    (o->plots_dir != NULL && strpbrk(o->plots_dir, "\r\n") != NULL))
		return bs_err_set(err, -BS_EINVAL,
		                  "a path with a line break cannot be given to gnuplot");
	if (mkdir(o->out_dir, 0777) != 0 && errno != EEXIST)
		return bs_err_io(err, errno, "%.400s", o->out_dir);
	struct fig_ctx c = {.days = days, .n_days = n};
	int m;
	int rc = make_figure(o, o->out_dir, period, &fig, &c, &m, st, err);
	*made = m == 1;
	return rc;
}

/* ---- the document ---- */

/* The figure as an image when it was made, else a line saying why not. */
static void figure_block(document_t *d, const fig_made_t made, const struct render_status *st,
                         enum fig_id id)
{
	char src[256];
	snprintf(src, sizeof src, RENDER_PLOTS_SUBDIR "/%s.png", figures[id].name);
	if (made[id] == 1)
		document_image(d, src, figures[id].caption, RENDER_WIDTH, RENDER_HEIGHT);
	else if (made[id] == 0)
		document_para(d, "(No plot: nothing to show in this period.)");
	else
		document_para(d,
		              "(Plot not made: %s. Its data is in " RENDER_PLOTS_SUBDIR "/%s.tsv.)",
		              st->plot_error.code == -BS_ENOTFOUND ? "gnuplot was not found"
		              : st->plot_error.code != 0           ? "gnuplot failed"
		                                                   : "plots were not asked for",
		              figures[id].name);
}

static void section_totals(document_t *d, const report_t *r, const struct render_options *o)
{
	const struct report_totals *t = report_totals(r);
	char a[BS_TIME_STRLEN], b[BS_TIME_STRLEN];
	static const char *const head[] = {"Quantity", "Value"};
	document_heading(d, 2, "Totals");
	document_table_t *tb = document_table(d, 2, head, "ll");
	const struct report_period *days;
	size_t nd = report_days(r, &days), gaps = 0;
	for (size_t i = 0; i < nd; i++)
		gaps += days[i].covered_us == 0;
	document_cell(tb, "Period covered");
	if (t->covered_us == 0)
		document_cell(tb, DOCUMENT_NODATA);
	else
		document_cell(tb, "%s to %s UTC: %.1f h of data over %zu day(s), %zu without data",
		              time_text(t->first_us, 19, a), time_text(t->last_us, 19, b),
		              (double)t->covered_us / BS_US_PER_HOUR, nd, gaps);
	if (o->since != NULL || o->until != NULL) {
		document_cell(tb, "Window");
		document_cell(tb, "attacks starting from %s until %s (UTC)",
		              o->since ? o->since : "the start", o->until ? o->until : "the end");
	}
	document_cell(tb, "Telescope size");
	if (t->telescope_max == 0)
		document_cell(tb, "unknown (no IPv4 prefix)");
	else if (t->telescope_min == t->telescope_max)
		document_cell(tb, "%.0f IPv4 addresses (/%.0f)", t->telescope_max,
		              32 - log2(t->telescope_max));
	else
		document_cell(tb, "%.0f to %.0f IPv4 addresses (differs between directories)",
		              t->telescope_min, t->telescope_max);
	document_cell(tb, "Attacks");
	document_cell(tb, "%llu (%llu duplicate rows across directories counted once)",
	              (unsigned long long)t->attacks, (unsigned long long)t->duplicates);
	document_cell(tb, "Distinct victims");
	document_cell(tb, "%llu (%llu IPv6)", (unsigned long long)t->victims,
	              (unsigned long long)t->victims_v6);
	document_cell(tb, "Backscatter packets");
	document_cell(tb, "%llu in the time series, %llu of them in attacks",
	              (unsigned long long)t->packets, (unsigned long long)t->attack_packets);
	document_cell(tb, "Failed the uniformity test");
	document_cell(tb, "%llu of %llu attacks (%.1f%%): their estimated rate is not valid",
	              (unsigned long long)t->uniform_failed, (unsigned long long)t->attacks,
	              pct(t->uniform_failed, t->attacks));
	document_cell(tb, "Time-series bin");
	if (t->interval_min == t->interval_max)
		document_cell(tb, "%u s", t->interval_min);
	else
		document_cell(tb, "%u to %u s (differs between directories)", t->interval_min,
		              t->interval_max);
	document_cell(tb, "Directories");
	document_cell(tb, "%zu (%zu incomplete)", t->dirs, t->dirs_incomplete);
}

static void section_inputs(document_t *d, const report_t *r)
{
	static const char *const head[] = {"Directory", "First packet (UTC)", "Last packet (UTC)",
	                                   "Attacks",   "Complete",           "Warnings"};
	const struct report_dir *dirs;
	size_t n = report_dirs(r, &dirs);
	char a[BS_TIME_STRLEN], b[BS_TIME_STRLEN];
	document_heading(d, 2, "Inputs");
	document_table_t *t = document_table(d, 6, head, "lllrlr");
	for (size_t i = 0; i < n; i++) {
		document_cell(t, "%s", dirs[i].path);
		document_cell(t, "%s", dirs[i].first_us ? time_text(dirs[i].first_us, 19, a) : "-");
		document_cell(t, "%s", dirs[i].last_us ? time_text(dirs[i].last_us, 19, b) : "-");
		document_cell(t, "%llu", (unsigned long long)dirs[i].rows);
		document_cell(t, "%s", dirs[i].complete ? "yes" : "NO");
		document_cell(t, "%zu", dirs[i].n_warnings);
	}
	for (size_t i = 0; i < n; i++) {
		size_t shown = dirs[i].n_warnings < RENDER_MAX_WARNINGS ? dirs[i].n_warnings
		                                                        : RENDER_MAX_WARNINGS;
		for (size_t w = 0; w < shown; w++)
			document_para(d, "Warning, %s: %s", dirs[i].path, dirs[i].warnings[w]);
		if (shown < dirs[i].n_warnings)
			document_para(d, "%s: %zu more warnings in its summary.json.", dirs[i].path,
			              dirs[i].n_warnings - shown);
	}
}

/* A per-day or per-hour table; tlen is the length of the time label. */
static void period_table(document_t *d, const struct report_period *p, size_t n, size_t tlen,
                         uint64_t len_us)
{
	static const char *const day_head[] = {"Day (UTC)", "Attacks", "Victims", "Data"};
	static const char *const hour_head[] = {"Hour (UTC)", "Attacks", "Victims", "Data"};
	document_table_t *t =
	    document_table(d, 4, len_us == BS_US_PER_DAY ? day_head : hour_head, "lrrr");
	char buf[BS_TIME_STRLEN];
	for (size_t i = 0; i < n; i++) {
		document_cell(t, "%s", time_text(p[i].start_us, tlen, buf));
		if (p[i].covered_us == 0) {
			document_cell(t, DOCUMENT_NODATA);
			document_cell(t, DOCUMENT_NODATA);
			document_cell(t, "none");
			continue;
		}
		document_cell(t, "%llu", (unsigned long long)p[i].attacks);
		document_cell(t, "%llu", (unsigned long long)p[i].victims);
		if (p[i].covered_us == len_us)
			document_cell(t, "all");
		else
			document_cell(t, "%.1f h", (double)p[i].covered_us / BS_US_PER_HOUR);
	}
}

static void section_time(document_t *d, const report_t *r, const fig_made_t made,
                         const struct render_status *st)
{
	const struct report_period *p;
	size_t n = report_days(r, &p);
	document_heading(d, 2, "Attacks and victims per day");
	document_para(d,
	              "Attacks counted on the UTC day they started; victims are distinct per day. "
	              "A day no input covers shows as \"" DOCUMENT_NODATA "\", not as zero.");
	figure_block(d, made, st, FIG_PER_DAY);
	period_table(d, p, n, 10, BS_US_PER_DAY);

	n = report_hours(r, &p);
	document_heading(d, 2, "Attacks and victims per hour");
	figure_block(d, made, st, FIG_PER_HOUR);
	if (n <= RENDER_MAX_HOUR_ROWS)
		period_table(d, p, n, 16, BS_US_PER_HOUR);
	else
		document_para(d,
		              "%zu hours: too many to list; the numbers are in " RENDER_PLOTS_SUBDIR
		              "/per_hour.tsv.",
		              n);

	const struct report_bin *b;
	n = report_bins(r, &b);
	document_heading(d, 2, "Time series");
	document_para(d,
	              "%zu bins from the collect runs' timeseries.csv (bins seen in several "
	              "directories count once). Data: " RENDER_PLOTS_SUBDIR "/timeseries.tsv.",
	              n);
	figure_block(d, made, st, FIG_TIMESERIES);
}

static void section_mix(document_t *d, const report_t *r)
{
	const struct report_mix *m = report_mix(r);
	const struct report_totals *t = report_totals(r);
	static const char *const head[] = {
	    "Protocol", "Attacks", "Share", "Victims", "Backscatter packets", "Failed uniformity"};
	document_heading(d, 2, "Attack protocols");
	document_table_t *tb = document_table(d, 6, head, "lrrrrr");
	for (int p = 0; p < BS_PROTO_COUNT; p++) {
		document_cell(tb, "%s", bs_proto_name(p));
		document_cell(tb, "%llu", (unsigned long long)m->attacks[p]);
		document_cell(tb, "%.1f%%", pct(m->attacks[p], t->attacks));
		document_cell(tb, "%llu", (unsigned long long)m->victims[p]);
		document_cell(tb, "%llu", (unsigned long long)m->packets[p]);
		document_cell(tb, "%llu", (unsigned long long)m->uniform_failed[p]);
	}
	static const char *const rhead[] = {"Response type", "Attacks", "Share of attacks"};
	document_heading(d, 2, "Response types");
	document_para(d, "What the victims sent back. One attack can show several types, so the "
	                 "shares can add up to more than 100%%.");
	tb = document_table(d, 3, rhead, "lrr");
	for (int k = 0; k < BS_RESP_COUNT; k++) {
		if (m->responses[k] == 0)
			continue;
		document_cell(tb, "%s", bs_response_name(k));
		document_cell(tb, "%llu", (unsigned long long)m->responses[k]);
		document_cell(tb, "%.1f%%", pct(m->responses[k], t->attacks));
	}
}

static void section_services(document_t *d, const report_t *r)
{
	const struct report_totals *t = report_totals(r);
	const struct report_service *v;
	size_t n = report_services(r, &v);
	document_heading(d, 2, "Attacked services");
	document_para(d,
	              "The victim port most of each attack's backscatter came from (top_port), "
	              "named by the IANA service registry; \"port N\" where IANA names none. "
	              "Attacks without a port (ICMP and other protocols) are one row per "
	              "protocol. %llu services in all; the top %zu by attacks.",
	              (unsigned long long)t->services, n);
	static const char *const head[] = {"#",       "Protocol", "Port",    "Service",
	                                   "Attacks", "Share",    "Victims", "Backscatter packets"};
	document_table_t *tb = document_table(d, 8, head, "rlrlrrrr");
	for (size_t i = 0; i < n; i++) {
		document_cell(tb, "%zu", i + 1);
		document_cell(tb, "%s", bs_proto_name(v[i].proto));
		if (v[i].port < 0) {
			document_cell(tb, "-");
			document_cell(tb, "no port");
		} else {
			document_cell(tb, "%d", (int)v[i].port);
			if (v[i].name != NULL)
				document_cell(tb, "%s", v[i].name);
			else
				document_cell(tb, "port %d", (int)v[i].port);
		}
		document_cell(tb, "%llu", (unsigned long long)v[i].attacks);
		document_cell(tb, "%.1f%%", pct(v[i].attacks, t->attacks));
		document_cell(tb, "%llu", (unsigned long long)v[i].victims);
		document_cell(tb, "%llu", (unsigned long long)v[i].packets);
	}
}

static void section_vectors(document_t *d, const report_t *r)
{
	const struct report_totals *t = report_totals(r);
	const struct report_combo *c;
	size_t n = report_combos(r, &c);
	char buf[RENDER_CELL];
	document_heading(d, 2, "Multi-vector attacks");
	document_para(d,
	              "Attacks on one victim that overlap in time form a group (attacks.csv's "
	              "vector_group, here over the attacks of this report); a group over two "
	              "protocols or more is a multi-vector attack. %llu of %llu victims (%.1f%%) "
	              "were hit by several vectors at once: %llu groups of %llu attacks.",
	              (unsigned long long)t->vector_victims, (unsigned long long)t->victims,
	              pct(t->vector_victims, t->victims), (unsigned long long)t->vector_groups,
	              (unsigned long long)t->vector_attacks);
	if (n == 0)
		return;
	document_para(d, "%llu combinations of protocols; the top %zu by victims.",
	              (unsigned long long)t->vector_combos, n);
	static const char *const head[] = {"#",      "Protocols", "Victims", "Share of victims",
	                                   "Groups", "Attacks"};
	document_table_t *tb = document_table(d, 6, head, "rlrrrr");
	for (size_t i = 0; i < n; i++) {
		document_cell(tb, "%zu", i + 1);
		document_cell(tb, "%s", protocols_text(c[i].protocols, "+", buf));
		document_cell(tb, "%llu", (unsigned long long)c[i].victims);
		document_cell(tb, "%.1f%%", pct(c[i].victims, t->victims));
		document_cell(tb, "%llu", (unsigned long long)c[i].groups);
		document_cell(tb, "%llu", (unsigned long long)c[i].attacks);
	}
}

/* Only for directories collected with --prefix-view: without one the
 * report is as it was. */
static void section_prefixes(document_t *d, const report_t *r)
{
	const struct report_totals *t = report_totals(r);
	if (t->dirs_prefix_view == 0)
		return;
	const struct report_prefix *v;
	size_t n = report_prefixes(r, &v);
	char buf[RENDER_CELL];
	document_heading(d, 2, "Most attacked prefixes");
	document_para(d,
	              "The prefix view (collect --prefix-view, prefix_attacks.csv): the same "
	              "method keyed on the victim's prefix, so that attacks spread over many "
	              "addresses of a prefix (carpet bombing), each below the thresholds, are "
	              "seen. %llu prefix attacks on %llu prefixes; the top %zu by attacks. "
	              "Victims: the most distinct addresses one of its attacks reached, of which "
	              "attacked on their own: how many of those were attacks in attacks.csv too.",
	              (unsigned long long)t->prefix_attacks, (unsigned long long)t->prefixes, n);
	static const char *const head[] = {
	    "#", "Prefix", "Attacks", "Protocols", "Packets", "Victims", "Attacked on their own"};
	document_table_t *tb = document_table(d, 7, head, "rlrlrrr");
	for (size_t i = 0; i < n; i++) {
		char addr[BS_ADDR_STRLEN];
		document_cell(tb, "%zu", i + 1);
		document_cell(tb, "%s/%u", bs_addr_format(&v[i].prefix, addr, sizeof addr),
		              (unsigned)v[i].len);
		document_cell(tb, "%llu", (unsigned long long)v[i].attacks);
		document_cell(tb, "%s", protocols_text(v[i].protos, ", ", buf));
		document_cell(tb, "%llu", (unsigned long long)v[i].packets);
		document_cell(tb, "%llu", (unsigned long long)v[i].victims);
		document_cell(tb, "%llu", (unsigned long long)v[i].victim_attacks);
	}
}

static void section_victims(document_t *d, const report_t *r)
{
	const struct report_victim *v;
	size_t n = report_top_victims(r, &v);
	char buf[RENDER_CELL], when[BS_TIME_STRLEN];
	static const char *const head[] = {"#",         "Victim",  "Attacks",
	                                   "Protocols", "Packets", "First attack (UTC)",
	                                   "Country",   "AS"};
	document_heading(d, 2, "Top victims by number of attacks");
	document_table_t *t = document_table(d, 8, head, "rlrlrlll");
	for (size_t i = 0; i < n; i++) {
		char addr[BS_ADDR_STRLEN];
		document_cell(t, "%zu", i + 1);
		document_cell(t, "%s", bs_addr_format(&v[i].addr, addr, sizeof addr));
		document_cell(t, "%llu", (unsigned long long)v[i].attacks);
		document_cell(t, "%s", protocols_text(v[i].protocols, ", ", buf));
		document_cell(t, "%llu", (unsigned long long)v[i].packets);
		document_cell(t, "%s", time_text(v[i].first_us, 19, when));
		document_cell(t, "%s", v[i].country[0] ? v[i].country : "-");
		document_cell(t, "%s", as_text(v[i].asn, v[i].as_org, buf));
	}
	n = report_top_rates(r, &v);
	static const char *const rhead[] = {"#",        "Victim",      "Est. attack rate (pps)",
	                                    "Protocol", "Start (UTC)", "Uniform",
	                                    "Country",  "AS"};
	document_heading(d, 2, "Top victims by estimated attack rate");
	document_para(
	    d, "The highest est_attack_pps of each victim (observed backscatter rate scaled "
	       "by 2^32 / telescope size; IPv4 only). \"no\" under Uniform: the spoofing did "
	       "not look uniform, so the estimate is not valid.");
	t = document_table(d, 8, rhead, "rlrlllll");
	for (size_t i = 0; i < n; i++) {
		char addr[BS_ADDR_STRLEN];
		document_cell(t, "%zu", i + 1);
		document_cell(t, "%s", bs_addr_format(&v[i].addr, addr, sizeof addr));
		document_cell(t, "%s", value_text(v[i].max_est_pps, buf));
		document_cell(t, "%s", bs_proto_name(v[i].max_proto));
		document_cell(t, "%s", time_text(v[i].max_start_us, 19, when));
		document_cell(t, "%s", v[i].max_uniform ? "yes" : "no");
		document_cell(t, "%s", v[i].country[0] ? v[i].country : "-");
		document_cell(t, "%s", as_text(v[i].asn, v[i].as_org, buf));
	}
}

static void section_repeats(document_t *d, const report_t *r, const fig_made_t made,
                            const struct render_status *st)
{
	const struct report_bucket *b;
	size_t n = report_repeats(r, &b);
	const struct report_totals *t = report_totals(r);
	static const char *const head[] = {"Attacks per victim", "Victims", "Share of victims",
	                                   "Attacks"};
	char buf[RENDER_CELL];
	document_heading(d, 2, "Repeat attacks");
	figure_block(d, made, st, FIG_REPEATS);
	document_table_t *tb = document_table(d, 4, head, "lrrr");
	for (size_t i = 0; i < n; i++) {
		document_cell(tb, "%s", bucket_text(&b[i], buf));
		document_cell(tb, "%llu", (unsigned long long)b[i].count);
		document_cell(tb, "%.1f%%", pct(b[i].count, t->victims));
		document_cell(tb, "%llu", (unsigned long long)b[i].attacks);
	}
}

static void section_geo(document_t *d, const report_t *r)
{
	const struct report_totals *t = report_totals(r);
	const struct report_group *g;
	size_t n = report_top_countries(r, &g);
	document_heading(d, 2, "Top countries");
	if (t->with_country == 0) {
		document_para(d, "No attack has a country: the collect runs had no --geo-db.");
	} else {
		document_para(d,
		              "Country of the victim (MaxMind). %llu attacks (%.1f%%) have none.",
		              (unsigned long long)(t->attacks - t->with_country),
		              pct(t->attacks - t->with_country, t->attacks));
		static const char *const head[] = {"#", "Country", "Attacks", "Share", "Victims"};
		document_table_t *tb = document_table(d, 5, head, "rlrrr");
		for (size_t i = 0; i < n; i++) {
			document_cell(tb, "%zu", i + 1);
			document_cell(tb, "%s", g[i].country);
			document_cell(tb, "%llu", (unsigned long long)g[i].attacks);
			document_cell(tb, "%.1f%%", pct(g[i].attacks, t->attacks));
			document_cell(tb, "%llu", (unsigned long long)g[i].victims);
		}
	}
	n = report_top_ases(r, &g);
	document_heading(d, 2, "Top ASes");
	if (t->with_asn == 0) {
		document_para(d, "No attack has an AS: the collect runs had no --asn-db.");
		return;
	}
	document_para(d, "Origin AS of the victim (MaxMind). %llu attacks (%.1f%%) have none.",
	              (unsigned long long)(t->attacks - t->with_asn),
	              pct(t->attacks - t->with_asn, t->attacks));
	static const char *const head[] = {"#",       "AS",    "Organisation",
	                                   "Attacks", "Share", "Victims"};
	document_table_t *tb = document_table(d, 6, head, "rllrrr");
	for (size_t i = 0; i < n; i++) {
		document_cell(tb, "%zu", i + 1);
		document_cell(tb, "AS%u", g[i].asn);
		document_cell(tb, "%s", g[i].as_org[0] ? g[i].as_org : "-");
		document_cell(tb, "%llu", (unsigned long long)g[i].attacks);
		document_cell(tb, "%.1f%%", pct(g[i].attacks, t->attacks));
		document_cell(tb, "%llu", (unsigned long long)g[i].victims);
	}
}

static void section_distributions(document_t *d, const report_t *r, const fig_made_t made,
                                  const struct render_status *st)
{
	static const struct {
		enum report_metric m;
		const char *label;
	} rows[] = {
	    {REPORT_DURATION, "Duration (s)"},
	    {REPORT_EST_PPS, "Est. attack rate (pps)"},
	    {REPORT_EST_PPS_UNIF, "Est. attack rate, uniform only (pps)"},
	    {REPORT_PEAK_PPM, "Peak packets per minute"},
	    {REPORT_PACKETS, "Backscatter packets"},
	};
	static const char *const head[] = {"Quantity", "n",   "min", "10%", "25%", "median",
	                                   "75%",      "90%", "99%", "max", "mean"};
	char buf[RENDER_CELL];
	document_heading(d, 2, "Distributions");
	document_para(d, "Quantiles over attacks (nearest rank).");
	document_table_t *t = document_table(d, 11, head, "lrrrrrrrrrr");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct report_dist *ds = report_dist(r, rows[i].m);
		document_cell(t, "%s", rows[i].label);
		document_cell(t, "%llu", (unsigned long long)ds->n);
		for (int q = 0; q < REPORT_Q_COUNT; q++)
			document_cell(t, "%s", ds->n ? value_text(ds->q[q], buf) : "-");
		document_cell(t, "%s", ds->n ? value_text(ds->mean, buf) : "-");
	}
	figure_block(d, made, st, FIG_DURATION);
	figure_block(d, made, st, FIG_RATE);
	figure_block(d, made, st, FIG_PEAK_PPM);
	const struct report_bucket *b;
	size_t n = report_peak_ppm(r, &b);
	static const char *const phead[] = {"Peak packets per minute", "Attacks", "Share"};
	t = document_table(d, 3, phead, "lrr");
	for (size_t i = 0; i < n; i++) {
		document_cell(t, "%s", bucket_text(&b[i], buf));
		document_cell(t, "%llu", (unsigned long long)b[i].count);
		document_cell(t, "%.1f%%", pct(b[i].count, report_totals(r)->attacks));
	}
}

static void section_uniformity(document_t *d, const report_t *r)
{
	const struct report_totals *t = report_totals(r);
	document_heading(d, 2, "Uniformity of spoofing");
	document_para(
	    d,
	    "%llu of %llu attacks (%.1f%%) failed the uniform-spoofing test (Anderson-Darling "
	    "A^2 of the telescope addresses reached, 5%% level). Their est_attack_pps assumes "
	    "uniform spoofing and is not valid; they are still counted everywhere else. Per "
	    "protocol: see Attack protocols.",
	    (unsigned long long)t->uniform_failed, (unsigned long long)t->attacks,
	    pct(t->uniform_failed, t->attacks));
}

static void build_doc(document_t *d, const report_t *r, const struct render_options *o,
                      const char *title, const fig_made_t made, const struct render_status *st)
{
	const struct report_totals *t = report_totals(r);
	document_heading(d, 1, "%s", title);
	document_para(d,
	              "DoS attacks inferred from darknet backscatter: %llu attacks on %llu victims "
	              "from %zu collect director%s.",
	              (unsigned long long)t->attacks, (unsigned long long)t->victims, t->dirs,
	              t->dirs == 1 ? "y" : "ies");
	if (t->dirs_incomplete > 0)
		document_para(
		    d,
		    "Warning: %zu input director%s incomplete (see Inputs); numbers cover "
		    "only what was read.",
		    t->dirs_incomplete, t->dirs_incomplete == 1 ? "y is" : "ies are");
	section_totals(d, r, o);
	section_time(d, r, made, st);
	section_mix(d, r);
	section_services(d, r);
	section_vectors(d, r);
	section_victims(d, r);
	section_prefixes(d, r);
	section_repeats(d, r, made, st);
	section_geo(d, r);
	section_distributions(d, r, made, st);
	section_uniformity(d, r);
	section_inputs(d, r);
	document_para(d, "Made by %s. Times are UTC.", o->tool ? o->tool : "backscatter");
}

/* Writes one document through outfile. */
static int write_doc(const document_t *d, const char *dir, const char *name, bool html,
                     const char *title, struct bs_err *err)
{
	outfile_t *o;
	int rc = outfile_open(dir, name, &o);
	if (rc == 0) {
		FILE *f = outfile_stream(o);
		rc = html ? document_write_html(d, f, title) : document_write_md(d, f);
		if (rc != 0)
			outfile_abort(o);
		else
			rc = outfile_commit(o);
	}
	return rc != 0 ? file_error(err, rc, dir, name) : 0;
}

/* Makes OUT/plots and its figures, then writes the documents. */
static int render(const report_t *r, const struct render_options *o, const char *dir,
                  struct render_status *st, struct bs_err *err)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return bs_err_io(err, errno, "%.400s", dir);
	char period[2 * BS_TIME_STRLEN + 16];
	period_text(r, period, sizeof period);
	fig_made_t made;
	int rc = make_figures(r, o, dir, period, made, st, err);
	if (rc != 0)
		return rc;
	char title[sizeof period + 32];
	snprintf(title, sizeof title, "Backscatter report: %s", period);
	document_t *d = document_create();
	if (d == NULL)
		return code_error(err, -BS_ENOMEM);
	build_doc(d, r, o, title, made, st);
	rc = document_error(d);
	if (rc != 0)
		code_error(err, rc);
	if (rc == 0 && o->md)
		rc = write_doc(d, o->out_dir, "report.md", false, title, err);
	if (rc == 0 && o->html)
		rc = write_doc(d, o->out_dir, "report.html", true, title, err);
	document_free(d);
	if (rc == 0)
		st->main_file = o->html ? "report.html" : o->md ? "report.md" : NULL;
	return rc;
}

int render_report(const report_t *r, const struct render_options *o, struct render_status *st,
                  struct bs_err *err)
{
	memset(st, 0, sizeof *st);
	bs_err_clear(err);
	if (r == NULL || o == NULL || o->out_dir == NULL)
		return code_error(err, -BS_EINVAL);
	if (strpbrk(o->out_dir, "\r\n") != NULL ||
	    (o->plots_dir != NULL && strpbrk(o->plots_dir, "\r\n") != NULL))
		return bs_err_set(err, -BS_EINVAL,
		                  "a path with a line break cannot be given to gnuplot");
	size_t dlen = strlen(o->out_dir) + sizeof "/" RENDER_PLOTS_SUBDIR;
	char *dir = malloc(dlen);
	if (dir == NULL)
		return code_error(err, -BS_ENOMEM);
	snprintf(dir, dlen, "%s/" RENDER_PLOTS_SUBDIR, o->out_dir);
	int rc = render(r, o, dir, st, err);
	free(dir);
	return rc;
}

/* render.h - write a computed report (report.h) as report.md, a
 * self-contained report.html, and PNG plots made by gnuplot.
 *
 * This module decides what the report says: its sections, tables and
 * figures. How a document is written in Markdown and HTML is
 * analysis/document.h (built once, written twice, so the two cannot
 * disagree); how gnuplot is run is analysis/plot.h. Each figure's data is
 * written as a TSV file under OUT/plots/ and drawn by a template
 * PLOTS_DIR/NAME.gp (C never builds gnuplot text). The HTML shows a plot
 * only when its PNG was made in this run, and links it relatively
 * (plots/NAME.png), so the report can be copied or served as a directory.
 *
 * gnuplot missing or failing never loses the tables: they are written
 * anyway and the status says what happened to the plots. */
#ifndef ANALYSIS_RENDER_H
#define ANALYSIS_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/report.h"
#include "base/bs_error.h"

/** Name of the subdirectory of the output directory for PNG and TSV files. */
#define RENDER_PLOTS_SUBDIR "plots"

struct render_options {
	const char *out_dir;       /* existing directory for report.md/.html and plots/ */
	const char *plots_dir;     /* directory of the *.gp templates; NULL: no plots */
	const char *gnuplot;       /* program name looked up in PATH, e.g. "gnuplot" */
	const char *tool;          /* "backscatter 1.0.0", named in the report's footer */
	bool md, html;             /* which documents to write */
	const char *since, *until; /* the window as the user gave it, or NULL */
};

/** What happened to the plots. */
struct render_status {
	size_t plots_made;        /* PNGs written */
	size_t plots_empty;       /* figures left out: nothing to plot */
	struct bs_err plot_error; /* the first plot that failed: code 0;
	                             -BS_ENOTFOUND: gnuplot not found (no more
	                             tried); -BS_EIO: gnuplot failed on a
	                             template; msg says which and why */
	const char *main_file;    /* report.html, or report.md without html
	                             (a static name, relative to out_dir); NULL
	                             when neither was asked for */
};

/** Templates render needs, NULL-terminated ("per_day.gp", ...). */
extern const char *const render_templates[];

/** True when dir holds every file of render_templates (readable): the
 * test for a usable --plots-dir. dir is borrowed. */
bool render_templates_present(const char *dir);

/** Writes the report r (finished, borrowed) as o asks (borrowed): the TSV
 * data files and, when o->plots_dir is set, the PNGs under
 * OUT/RENDER_PLOTS_SUBDIR/ (created if missing; a stale PNG of a figure not
 * made in this run is removed), then report.md and/or report.html. Returns
 * 0 when every document was written, whatever happened to the plots (see
 * st->plot_error); else, with err saying why in one line: -BS_EIO when a
 * file or the plots directory cannot be written ("PATH: reason",
 * err->sys_errno set); -BS_EINVAL when r, o or o->out_dir is NULL, or a
 * path holds a line break (it could not be passed to gnuplot as one
 * string); -BS_ENOMEM. st is always filled; err (may be NULL) is cleared
 * on success. */
int render_report(const report_t *r, const struct render_options *o, struct render_status *st,
                  struct bs_err *err);

/** The long view of an archive of nights (analysis/archive.h): days[0..n)
 * (borrowed; UTC days in order, covered_us 0 for a day without data, drawn
 * as a grey band) written as o->out_dir/per_day.tsv (o->out_dir is created
 * if missing) and, when o->plots_dir is set, drawn by per_day.gp as
 * per_day.png, titled with period; a stale per_day.png is removed when none
 * is made. *made says whether the PNG was made; st and the return value as
 * render_report() (only out_dir, plots_dir and gnuplot of o are used). */
int render_days(const struct render_options *o, const struct report_period *days, size_t n,
                const char *period, bool *made, struct render_status *st, struct bs_err *err);

#endif

/* archive.h - the browsable archive of nights: an output root holding one
 * directory per night (ROOT/YYYY-MM-DD, the UTC date of its captures, each
 * a collect or run output with its summary.json) gets an index (issue 13).
 *
 * archive_update() scans the root and writes, each file atomically
 * (outdir/outfile.h) and the rolling report as a whole directory swapped
 * into place:
 *  - ROOT/index.html and ROOT/index.md: one row per night, newest first
 *    (date, attacks, victims, backscatter packets, completeness as its
 *    summary.json says, a link to its report), built once as one document
 *    (analysis/document.h) so the two cannot disagree;
 *  - ROOT/last-N-days/: the report of the newest N days' nights, joined
 *    across midnights as `report DIR...` joins them (report_add_pieces()),
 *    rendered by analysis/render.h;
 *  - ROOT/plots/per_day.tsv and .png: attacks and victims of every night
 *    of the archive, a day without a night drawn as a gap.
 * Static files, no JavaScript, nothing fetched. A night whose summary.json
 * or attacks.csv cannot be read is listed as unreadable, with a warning;
 * it never stops the index. The same archive gives the same bytes: nothing
 * depends on the clock, only on the nights.
 *
 * Library code: nothing is printed; warnings are kept for the caller. */
#ifndef ANALYSIS_ARCHIVE_H
#define ANALYSIS_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bs_error.h"

/** Length of the rolling report, days: the "last 30 days". */
#define ARCHIVE_DEFAULT_DAYS 30u
/** Longest rolling report: report's own limit (REPORT_MAX_SPAN_DAYS). */
#define ARCHIVE_MAX_DAYS 3660u
/** The index, in ROOT. */
#define ARCHIVE_INDEX_HTML "index.html"
#define ARCHIVE_INDEX_MD   "index.md"
/** Subdirectory of ROOT for the long-view plot and its data. */
#define ARCHIVE_PLOTS_SUBDIR "plots"

struct archive_options {
	const char *plots_dir; /* directory of the *.gp templates; NULL: no plots */
	const char *gnuplot;   /* program name looked up in PATH */
	const char *tool;      /* "backscatter 1.0.0", named in the footers */
	const char *version;   /* PACKAGE_VERSION, for the scratch merge */
	uint32_t days;         /* rolling report, 1..ARCHIVE_MAX_DAYS */
};

/** One night of the archive, as its files say. */
struct archive_night {
	char date[11];         /* "2026-11-24", the directory's name */
	uint64_t day_us;       /* its midnight, microseconds since the epoch */
	char *error;           /* why it could not be read (one line), or NULL;
	                          owned by the archive */
	uint64_t attacks;      /* rows of its attacks.csv */
	uint64_t victims;      /* distinct victims of those rows */
	uint64_t packets;      /* backscatter packets (summary.json counters) */
	bool complete;         /* summary.json "complete" */
	char *partial;         /* summary.json partial_reason, or NULL; owned by
	                          the archive */
	size_t inputs;         /* input files it lists */
	size_t inputs_failed;  /* of which with an error */
	size_t warnings;       /* summary.json warnings */
	const char *report;    /* "report.html", "report.md" or NULL: what its
	                          directory holds (html preferred) */
	const char *report_md; /* "report.md" when present, else report */
};

typedef struct archive archive_t;

/** An archive handle for root (borrowed, copied) with options o (borrowed,
 * copied; strings must outlive the handle). NULL when out of memory or
 * when o->days is outside 1..ARCHIVE_MAX_DAYS. Free with archive_free(). */
archive_t *archive_create(const char *root, const struct archive_options *o);

/** Safe on NULL. */
void archive_free(archive_t *a);

/** Scans ROOT and writes the index, the rolling report and the long-view
 * plot (see above). Call once per handle. 0 when the index was written
 * (read the warnings: unreadable nights, a rolling report or plot not
 * made); -BS_EIO when ROOT cannot be read or an index file written (err
 * says "PATH: reason", sys_errno set); -BS_ENOMEM; -BS_EINVAL when called
 * twice. err (may be NULL) is cleared on success. */
int archive_update(archive_t *a, struct bs_err *err);

/** The nights read, newest first; valid after archive_update(). */
size_t archive_nights(const archive_t *a, const struct archive_night **out);

/** Warnings of archive_update(), one line each: their count, and warning
 * i (borrowed), NULL past the end. */
size_t archive_warning_count(const archive_t *a);
const char *archive_warning(const archive_t *a, size_t i);

/** The rolling report's directory name ("last-30-days"), relative to
 * ROOT, and whether archive_update() wrote it. */
const char *archive_rolling_dir(const archive_t *a);
bool archive_rolling_written(const archive_t *a);

/** PNGs made by archive_update() (the long view's and the rolling
 * report's), and the first plot that failed (code 0 when none; as
 * render_status.plot_error: -BS_ENOTFOUND when gnuplot is missing). */
size_t archive_plots_made(const archive_t *a);
const struct bs_err *archive_plot_error(const archive_t *a);

#endif

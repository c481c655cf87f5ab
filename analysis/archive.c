/* archive.c - the index of an archive of nights (archive.h).
 *
 * Order of work: find the night directories and read each one's
 * summary.json and attacks.csv through the readers report uses (one set of
 * rules for what a valid night is); draw the long view from those counts
 * (render_days()); build the rolling report in a staging directory and
 * swap it into place; write the index last, so that it never links a
 * report or plot that is not there yet. */
/* renameat2() and RENAME_EXCHANGE: the rolling report is swapped into
 * place in one step. */
#define _GNU_SOURCE
#include "analysis/archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/document.h"
#include "analysis/render.h"
#include "analysis/report.h"
#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_time.h"
#include "outdir/names.h"
#include "outdir/outfile.h"
#include "outdir/summary.h"
#include "outdir/transaction.h"

/* Length of a night directory's name, "2026-11-24". */
#define NIGHT_NAME_LEN 10
/* Depth of a rendered report's tree: its files and plots/ (render.h). */
#define REPORT_TREE_DEPTH 1
/* Size of the index's long-view image, as render.c draws every figure. */
#define LONG_VIEW_WIDTH  900
#define LONG_VIEW_HEIGHT 500

struct archive {
	char *root;
	struct archive_options o;
	char rolling[32]; /* "last-30-days" */
	struct archive_night *nights;
	size_t n_nights, cap_nights;
	char **warnings;
	size_t n_warnings, cap_warnings;
	bool updated, rolling_written, long_view_made;
	size_t rolling_nights;
	uint64_t rolling_first_us, rolling_last_us;
	size_t plots_made;
	struct bs_err plot_error;
	struct bs_err long_view_error; /* why the long view was not drawn */
	int rc;                        /* first allocation failure of a warning */
};

archive_t *archive_create(const char *root, const struct archive_options *o)
{
	if (root == NULL || o == NULL || o->days < 1 || o->days > ARCHIVE_MAX_DAYS)
		return NULL;
	archive_t *a = calloc(1, sizeof *a);
	if (a == NULL)
		return NULL;
	a->root = strdup(root);
	if (a->root == NULL) {
		free(a);
		return NULL;
	}
	a->o = *o;
	snprintf(a->rolling, sizeof a->rolling, "last-%u-days", o->days);
	return a;
}

void archive_free(archive_t *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n_nights; i++) {
		free(a->nights[i].error);
		free(a->nights[i].partial);
	}
	for (size_t i = 0; i < a->n_warnings; i++)
		free(a->warnings[i]);
	free(a->nights);
	free(a->warnings);
	free(a->root);
	free(a);
}

/* Keeps one warning line; an allocation failure is kept in a->rc. */
__attribute__((format(printf, 2, 3))) static void warn(archive_t *a, const char *fmt, ...)
{
	if (bs_array_reserve(&a->warnings, &a->cap_warnings, a->n_warnings + 1,
	                     sizeof *a->warnings) != 0) {
		a->rc = -BS_ENOMEM;
		return;
	}
	va_list ap, again;
	va_start(ap, fmt);
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s != NULL) {
		vsnprintf(s, (size_t)n + 1, fmt, again);
		bs_message_one_line(s);
		a->warnings[a->n_warnings++] = s;
	} else {
		a->rc = -BS_ENOMEM;
	}
	va_end(again);
	va_end(ap);
}

/* ---- reading the nights ---- */

/* The midnight of a night directory's name, when it is a canonical UTC
 * date "YYYY-MM-DD" (not "2026-2-1", not "2026-02-30"). */
static bool night_date(const char *name, uint64_t *day_us)
{
	char back[BS_TIME_STRLEN];
	if (strlen(name) != NIGHT_NAME_LEN || strspn(name, "0123456789-") != NIGHT_NAME_LEN ||
	    name[4] != '-' || name[7] != '-')
		return false;
	return report_parse_time(name, day_us) == 0 &&
	       bs_format_time(*day_us, back, sizeof back) == 0 &&
	       strncmp(back, name, NIGHT_NAME_LEN) == 0;
}

/* DIR/NAME into buf (PATH_MAX bytes); false when too long. */
static bool join_path(char *buf, const char *dir, const char *name)
{
	return (size_t)snprintf(buf, PATH_MAX, "%s/%s", dir, name) < PATH_MAX;
}

static bool file_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	return join_path(path, dir, name) && access(path, F_OK) == 0;
}

/* Marks n unreadable for the reason err gives. */
static void night_unreadable(archive_t *a, struct archive_night *n, const struct bs_err *err)
{
	n->error = strdup(bs_err_text(err));
	if (n->error == NULL)
		a->rc = -BS_ENOMEM;
	warn(a, "night %s not readable: %s", n->date, bs_err_text(err));
}

/* Reads what the index shows of the night in dir: summary.json as merge
 * and report read it, attacks.csv through the report model (its rows and
 * distinct victims). */
static void read_night(archive_t *a, struct archive_night *n, const char *dir)
{
	char path[PATH_MAX];
	struct bs_err err;
	struct summary_doc *sum;
	n->report = file_exists(dir, "report.html") ? "report.html"
	            : file_exists(dir, "report.md") ? "report.md"
	                                            : NULL;
	n->report_md = file_exists(dir, "report.md") ? "report.md" : n->report;
	if (!join_path(path, dir, OUTDIR_SUMMARY)) {
		bs_err_set(&err, -BS_EINVAL, "%s: path too long", dir);
		night_unreadable(a, n, &err);
		return;
	}
	if (summary_read(path, &sum, &err) != 0) {
		night_unreadable(a, n, &err);
		return;
	}
	n->packets = sum->counters.backscatter;
	n->complete = sum->complete;
	n->partial = sum->partial_reason != NULL ? strdup(sum->partial_reason) : NULL;
	if (sum->partial_reason != NULL && n->partial == NULL)
		a->rc = -BS_ENOMEM;
	n->inputs = sum->n_inputs;
	for (size_t i = 0; i < sum->n_inputs; i++)
		n->inputs_failed += sum->inputs[i].error != NULL;
	n->warnings = sum->n_warnings;
	summary_doc_free(sum);
	/* top_n 1: only the totals are wanted */
	report_t *r = report_create(0, REPORT_NO_UNTIL, 1);
	int rc = r != NULL ? report_add_dir(r, dir, &err)
	                   : bs_err_set(&err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
	if (rc == 0)
		rc = report_finish(r, &err);
	if (rc == 0) {
		n->attacks = report_totals(r)->attacks;
		n->victims = report_totals(r)->victims;
	} else {
		night_unreadable(a, n, &err);
	}
	report_free(r);
}

/* Newest first. */
static int night_cmp(const void *pa, const void *pb)
{
	const struct archive_night *x = pa, *y = pb;
	return (x->day_us < y->day_us) - (x->day_us > y->day_us);
}

/* Finds ROOT/YYYY-MM-DD directories that hold a summary.json and reads
 * them. */
static int scan(archive_t *a, struct bs_err *err)
{
	DIR *d = opendir(a->root);
	if (d == NULL)
		return bs_err_io(err, errno, "%s", a->root);
	struct dirent *e;
	char dir[PATH_MAX];
	int rc = 0;
	errno = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		uint64_t day;
		if (!night_date(e->d_name, &day) || !join_path(dir, a->root, e->d_name) ||
		    !file_exists(dir, OUTDIR_SUMMARY))
			continue;
		if (bs_array_reserve(&a->nights, &a->cap_nights, a->n_nights + 1,
		                     sizeof *a->nights) != 0) {
			rc = bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
			break;
		}
		struct archive_night *n = &a->nights[a->n_nights++];
		memset(n, 0, sizeof *n);
		memcpy(n->date, e->d_name, NIGHT_NAME_LEN + 1);
		n->day_us = day;
		read_night(a, n, dir);
		errno = 0;
	}
	if (rc == 0 && errno != 0)
		rc = bs_err_io(err, errno, "%s", a->root);
	closedir(d);
	if (rc == 0 && a->n_nights > 1) /* qsort() of a NULL array is undefined */
		qsort(a->nights, a->n_nights, sizeof *a->nights, night_cmp);
	return rc;
}

/* ---- the long view ---- */

/* "2026-11-24", the date of us. */
static const char *date_text(uint64_t us, char *buf)
{
	if (bs_format_time(us, buf, BS_TIME_STRLEN) != 0)
		snprintf(buf, BS_TIME_STRLEN, "?");
	buf[NIGHT_NAME_LEN] = '\0';
	return buf;
}

/* ROOT/plots/per_day.{tsv,png}: every day from the oldest night to the
 * newest, a day without a readable night a gap. */
static int long_view(archive_t *a, struct bs_err *err)
{
	/* the newest and the oldest readable night (newest first) */
	size_t newest = a->n_nights, oldest = a->n_nights;
	for (size_t i = 0; i < a->n_nights; i++)
		if (a->nights[i].error == NULL) {
			newest = newest == a->n_nights ? i : newest;
			oldest = i;
		}
	char dir[PATH_MAX];
	if (!join_path(dir, a->root, ARCHIVE_PLOTS_SUBDIR))
		return bs_err_set(err, -BS_EINVAL, "%s: path too long", a->root);
	size_t n_days = 0;
	struct report_period *days = NULL;
	if (newest < a->n_nights) {
		uint64_t lo = a->nights[oldest].day_us;
		n_days = (size_t)((a->nights[newest].day_us - lo) / BS_US_PER_DAY) + 1;
		days = calloc(n_days, sizeof *days);
		if (days == NULL)
			return bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
		for (size_t i = 0; i < n_days; i++)
			days[i].start_us = lo + i * BS_US_PER_DAY;
		for (size_t i = newest; i <= oldest; i++) {
			const struct archive_night *n = &a->nights[i];
			if (n->error != NULL)
				continue;
			struct report_period *p = &days[(n->day_us - lo) / BS_US_PER_DAY];
			p->covered_us = BS_US_PER_DAY;
			p->attacks = n->attacks;
			p->victims = n->victims;
		}
	}
	char from[BS_TIME_STRLEN], to[BS_TIME_STRLEN], period[96];
	snprintf(period, sizeof period, "every night, %s to %s",
	         n_days ? date_text(days[0].start_us, from) : "-",
	         n_days ? date_text(days[n_days - 1].start_us, to) : "-");
	struct render_options ro = {
	    .out_dir = dir, .plots_dir = a->o.plots_dir, .gnuplot = a->o.gnuplot};
	struct render_status st;
	int rc = render_days(&ro, days, n_days, period, &a->long_view_made, &st, err);
	free(days);
	a->plots_made += st.plots_made;
	a->long_view_error = st.plot_error;
	if (a->plot_error.code == 0)
		a->plot_error = st.plot_error;
	return rc;
}

/* ---- the rolling report ---- */

/* Removes dir, its files and those of its subdirectories down to depth
 * more levels: a rendered report (report.*, plots/). What cannot be
 * removed stays; the next update tries again. */
static void remove_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	char path[PATH_MAX];
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    !join_path(path, dir, e->d_name))
			continue;
		if (unlink(path) != 0 && errno == EISDIR && depth > 0)
			remove_tree(path, depth - 1);
	}
	closedir(d);
	rmdir(dir);
}

/* Puts the directory staged in place of final in one step (the old one
 * then sits at staged's name and is removed), so a reader sees the old
 * report or the new one, never a mix. A file system without
 * RENAME_EXCHANGE gets remove, then rename. */
static int swap_into_place(const char *staged, const char *final, struct bs_err *err)
{
	if (renameat2(AT_FDCWD, staged, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
		remove_tree(staged, REPORT_TREE_DEPTH);
		return 0;
	}
	if (errno == EINVAL || errno == ENOSYS)
		remove_tree(final, REPORT_TREE_DEPTH);
	else if (errno != ENOENT)
		return bs_err_io(err, errno, "%s", final);
	if (rename(staged, final) != 0)
		return bs_err_io(err, errno, "%s", final);
	return 0;
}

/* A merge warning of the joined nights. */
static void merge_warned(void *arg, const char *msg)
{
	archive_t *a = arg;
	warn(a, "%s: %s", a->rolling, msg);
}

/* Reads the nights of the window into r as `report DIR...` reads them:
 * joined when they are pieces of one capture, else one by one, a night
 * that cannot be read left out with a warning. */
static void read_window(archive_t *a, report_t *r, const char *const *dirs, size_t n)
{
	struct report_pieces pieces = {
	    .scratch_parent = a->root,
	    .command_line = "backscatter index",
	    .version = a->o.version,
	    .warn = merge_warned,
	    .arg = a,
	};
	struct bs_err err, why;
	bool joined = false;
	if (n > 1 && report_add_pieces(r, dirs, n, &pieces, &joined, &why, &err) != 0)
		warn(a, "%s: %s", a->rolling, bs_err_text(&err));
	if (joined) {
		a->rolling_nights = n;
		return;
	}
	if (n > 1)
		warn(a,
		     "%s: nights read one by one (%s): an attack across midnight counts once in "
		     "each",
		     a->rolling, bs_err_text(&why));
	for (size_t i = 0; i < n; i++) {
		if (report_add_dir(r, dirs[i], &err) == 0)
			a->rolling_nights++;
		else
			warn(a, "%s: night left out: %s", a->rolling, bs_err_text(&err));
	}
}

/* Renders r into a staging directory of ROOT and swaps it in as
 * ROOT/last-N-days. */
static int write_rolling(archive_t *a, const report_t *r, struct bs_err *err)
{
	char staged[PATH_MAX], final[PATH_MAX];
	if ((size_t)snprintf(staged, sizeof staged, "%s/%sXXXXXX", a->root, TRANSACTION_PREFIX) >=
	        sizeof staged ||
	    !join_path(final, a->root, a->rolling))
		return bs_err_set(err, -BS_EINVAL, "%s: path too long", a->root);
	if (mkdtemp(staged) == NULL)
		return bs_err_io(err, errno, "%s", staged);
	/* mkdtemp's 0700 would hide the report from other users' browsers */
	if (chmod(staged, 0755) != 0) {
		int rc = bs_err_io(err, errno, "%s", staged);
		remove_tree(staged, REPORT_TREE_DEPTH);
		return rc;
	}
	struct render_options ro = {
	    .out_dir = staged,
	    .plots_dir = a->o.plots_dir,
	    .gnuplot = a->o.gnuplot,
	    .tool = a->o.tool,
	    .md = true,
	    .html = true,
	};
	struct render_status st;
	int rc = render_report(r, &ro, &st, err);
	a->plots_made += st.plots_made;
	if (a->plot_error.code == 0)
		a->plot_error = st.plot_error;
	if (rc == 0)
		rc = swap_into_place(staged, final, err);
	if (rc != 0)
		remove_tree(staged, REPORT_TREE_DEPTH);
	return rc;
}

/* The report of the nights of the newest o.days days. */
static void rolling(archive_t *a)
{
	size_t n = 0;
	while (n < a->n_nights &&
	       a->nights[n].day_us + (uint64_t)a->o.days * BS_US_PER_DAY > a->nights[0].day_us)
		n++;
	char **dirs = calloc(n ? n : 1, sizeof *dirs);
	size_t k = 0;
	if (dirs == NULL) {
		a->rc = -BS_ENOMEM;
		return;
	}
	/* oldest first, readable nights only */
	for (size_t i = n; i-- > 0;) {
		const struct archive_night *night = &a->nights[i];
		char path[PATH_MAX];
		if (night->error == NULL && join_path(path, a->root, night->date) &&
		    (dirs[k] = strdup(path)) != NULL)
			k++;
	}
	if (k > 0) {
		a->rolling_first_us =
		    a->nights[0].day_us - (uint64_t)(a->o.days - 1) * BS_US_PER_DAY;
		a->rolling_last_us = a->nights[0].day_us;
	}
	report_t *r = k > 0 ? report_create(0, REPORT_NO_UNTIL, REPORT_DEFAULT_TOP) : NULL;
	struct bs_err err;
	if (r != NULL) {
		read_window(a, r, (const char *const *)dirs, k);
		int rc = a->rolling_nights == 0 ? bs_err_set(&err, -BS_EFORMAT, "no night readable")
		                                : report_finish(r, &err);
		if (rc == 0)
			rc = write_rolling(a, r, &err);
		if (rc == 0)
			a->rolling_written = true;
		else
			warn(a, "%s not written: %s", a->rolling, bs_err_text(&err));
	}
	report_free(r);
	for (size_t i = 0; i < k; i++)
		free(dirs[i]);
	free(dirs);
}

/* ---- the index ---- */

/* What summary.json says about lost or incomplete input. */
static void completeness(const struct archive_night *n, char *buf, size_t len)
{
	if (n->error != NULL) {
		snprintf(buf, len, "unreadable: %.300s", n->error);
		return;
	}
	int w = snprintf(buf, len, "%s",
	                 n->complete && n->inputs_failed == 0 ? "complete" : "incomplete");
	if (n->partial != NULL)
		w += snprintf(buf + w, len - (size_t)w, ", stopped (%.40s)", n->partial);
	if (n->inputs_failed > 0)
		w += snprintf(buf + w, len - (size_t)w, ", %zu of %zu inputs failed",
		              n->inputs_failed, n->inputs);
	if (n->warnings > 0)
		snprintf(buf + w, len - (size_t)w, ", %zu warning%s", n->warnings,
		         n->warnings == 1 ? "" : "s");
}

/* The index as one document; md picks report.md over report.html for the
 * links, so each format links its own kind. */
static void build_index(const archive_t *a, document_t *d, bool md, const char *title)
{
	static const char *const head[] = {"Night (UTC)",         "Attacks",      "Victims",
	                                   "Backscatter packets", "Completeness", "Report"};
	char from[BS_TIME_STRLEN], to[BS_TIME_STRLEN], href[PATH_MAX];
	const char *report = md ? "report.md" : "report.html";
	document_heading(d, 1, "%s", title);
	document_para(d,
	              "One row per night directory (the UTC date of its captures), newest first. "
	              "Attacks and victims are those of the night's attacks.csv, packets the "
	              "backscatter its summary.json counts: an attack across midnight is in "
	              "both nights' rows. The %u-day report joins the nights, so it counts such "
	              "an attack once.",
	              a->o.days);
	document_heading(d, 2, "Last %u days", a->o.days);
	if (a->rolling_written) {
		snprintf(href, sizeof href, "%s/%s", a->rolling, report);
		document_link_para(d, href, "Report of %s to %s (%zu night%s)",
		                   date_text(a->rolling_first_us, from),
		                   date_text(a->rolling_last_us, to), a->rolling_nights,
		                   a->rolling_nights == 1 ? "" : "s");
	} else {
		document_para(d, "(No report: %s.)",
		              a->n_nights ? "no night of the period could be read"
		                          : "no nights yet");
	}
	document_heading(d, 2, "Attacks per day");
	if (a->long_view_made)
		document_image(d, ARCHIVE_PLOTS_SUBDIR "/per_day.png",
		               "Attacks and victims per night of the archive; grey: no night",
		               LONG_VIEW_WIDTH, LONG_VIEW_HEIGHT);
	else
		document_para(d,
		              "(Plot not made: %s. Its data is in " ARCHIVE_PLOTS_SUBDIR
		              "/per_day.tsv when there is a night.)",
		              a->long_view_error.code != 0 ? bs_err_text(&a->long_view_error)
		              : a->o.plots_dir == NULL     ? "gnuplot templates not found"
		                                           : "no readable night");
	document_heading(d, 2, "Nights");
	document_table_t *t = document_table(d, 6, head, "lrrrll");
	for (size_t i = 0; i < a->n_nights; i++) {
		const struct archive_night *n = &a->nights[i];
		const char *file = md ? n->report_md : n->report;
		char text[512];
		snprintf(href, sizeof href, "%s/%s", n->date, file ? file : "");
		if (file != NULL)
			document_cell_link(t, href, "%s", n->date);
		else
			document_cell(t, "%s", n->date);
		if (n->error != NULL) {
			for (int c = 0; c < 3; c++)
				document_cell(t, "-");
		} else {
			document_cell(t, "%llu", (unsigned long long)n->attacks);
			document_cell(t, "%llu", (unsigned long long)n->victims);
			document_cell(t, "%llu", (unsigned long long)n->packets);
		}
		completeness(n, text, sizeof text);
		document_cell(t, "%s", text);
		if (file != NULL)
			document_cell_link(t, href, "%s", file);
		else
			document_cell(t, "none");
	}
	document_para(d, "Made by %s. Static files: no script, nothing fetched.",
	              a->o.tool ? a->o.tool : "backscatter");
}

/* Writes ROOT/name as the index in one format. */
static int write_index(const archive_t *a, const char *name, bool md, struct bs_err *err)
{
	char from[BS_TIME_STRLEN], to[BS_TIME_STRLEN], title[128];
	if (a->n_nights > 0)
		snprintf(title, sizeof title, "Backscatter archive: %zu night%s, %s to %s",
		         a->n_nights, a->n_nights == 1 ? "" : "s",
		         date_text(a->nights[a->n_nights - 1].day_us, from),
		         date_text(a->nights[0].day_us, to));
	else
		snprintf(title, sizeof title, "Backscatter archive: no nights yet");
	document_t *d = document_create();
	if (d == NULL)
		return bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
	build_index(a, d, md, title);
	outfile_t *o = NULL;
	int rc = document_error(d);
	if (rc == 0)
		rc = outfile_open(a->root, name, &o);
	if (rc == 0) {
		FILE *f = outfile_stream(o);
		rc = md ? document_write_md(d, f) : document_write_html(d, f, title);
		if (rc != 0)
			outfile_abort(o);
		else
			rc = outfile_commit(o);
	}
	document_free(d);
	if (rc == -BS_EIO)
		return bs_err_io(err, errno, "%s/%s", a->root, name);
	return rc != 0 ? bs_err_set(err, rc, "%s/%s: %s", a->root, name, bs_strerror(rc)) : 0;
}

int archive_update(archive_t *a, struct bs_err *err)
{
	bs_err_clear(err);
	if (a == NULL || a->updated)
		return bs_err_set(err, -BS_EINVAL, "%s", bs_strerror(-BS_EINVAL));
	a->updated = true;
	int rc = scan(a, err);
	if (rc == 0)
		rc = long_view(a, err);
	if (rc == 0)
		rolling(a);
	if (rc == 0)
		rc = write_index(a, ARCHIVE_INDEX_MD, true, err);
	if (rc == 0)
		rc = write_index(a, ARCHIVE_INDEX_HTML, false, err);
	if (rc == 0 && a->rc != 0)
		rc = bs_err_set(err, a->rc, "%s", bs_strerror(a->rc));
	return rc;
}

size_t archive_nights(const archive_t *a, const struct archive_night **out)
{
	*out = a->nights;
	return a->n_nights;
}

size_t archive_warning_count(const archive_t *a)
{
	return a->n_warnings;
}

const char *archive_warning(const archive_t *a, size_t i)
{
	return i < a->n_warnings ? a->warnings[i] : NULL;
}

const char *archive_rolling_dir(const archive_t *a)
{
	return a->rolling;
}

bool archive_rolling_written(const archive_t *a)
{
	return a->rolling_written;
}

size_t archive_plots_made(const archive_t *a)
{
	return a->plots_made;
}

const struct bs_err *archive_plot_error(const archive_t *a)
{
	return &a->plot_error;
}

/* cmd_report.c - "backscatter report": collect output directories in,
 * report.md, report.html and gnuplot plots out (issue 3).
 *
 * Parses the command line, finds the gnuplot templates, runs the report
 * model (analysis/report.h) and the renderer (analysis/render.h), and maps
 * what happened to the exit statuses of INTERFACE.md: 1 when no report was
 * written, 3 when it was written but plots are missing (gnuplot absent or
 * failing: the message names the Debian package) or an input directory
 * was incomplete. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bs_error.h"
#include "src/cmd.h"
#include "src/options.h"
#include "analysis/merge.h"
#include "analysis/render.h"
#include "analysis/report.h"
#include "outdir/outdir.h"

#ifndef BS_DATADIR
#error "BS_DATADIR (the installed pkgdatadir) must be defined by the build"
#endif

/* Most rows a top-N table may have: beyond this the table is a data dump,
 * which is what attacks.csv is for. */
#define REPORT_MAX_TOP 100000u
/* Debian package that provides gnuplot without X11, named when it is missing. */
#define GNUPLOT_PACKAGE "gnuplot-nox"
/* Environment variable naming the template directory, like --plots-dir. */
#define PLOTS_ENV "BACKSCATTER_PLOTS"

enum {
	OPT_OUT = 'o',
	OPT_HELP = 'h',
	OPT_TOP = 256,
	OPT_FORMAT,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_PLOTS_DIR,
	OPT_QUIET,
};

static const struct opt_spec report_opts[] = {
    {"out", OPT_OUT, "DIR", "where report.md, report.html and plots/ go (default: the one DIR)"},
    {"top", OPT_TOP, "N", "rows of the top-N tables (default " CMD_STR(REPORT_DEFAULT_TOP) ")"},
    {"format", OPT_FORMAT, "md,html", "documents to write (default md,html)"},
    {"since", OPT_SINCE, "TIME",
     "only attacks starting at or after TIME, UTC (2026-11-24[T22:00:00Z])"},
    {"until", OPT_UNTIL, "TIME", "only attacks starting before TIME, UTC"},
    {"plots-dir", OPT_PLOTS_DIR, "DIR",
     "gnuplot templates (default: $" PLOTS_ENV ", source tree, installed)"},
    {"quiet", OPT_QUIET, NULL, "nothing on stderr but errors"},
    {"help", OPT_HELP, NULL, "show this help"},
};
#define N_REPORT_OPTS (sizeof report_opts / sizeof report_opts[0])

struct report_args {
	const char *out;
	uint32_t top;
	bool md, html;
	const char *since_text, *until_text;
	uint64_t since, until;
	const char *plots_dir;
	bool quiet;
	char **dirs;
	int n_dirs;
};

static int parse_format(const char *s, struct report_args *a)
{
	a->md = a->html = false;
	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		if (len == 2 && strncmp(s, "md", 2) == 0)
			a->md = true;
		else if (len == 4 && strncmp(s, "html", 4) == 0)
			a->html = true;
		else
			return usage_error("report", "--format: '%.*s' is not md or html", (int)len,
			                   s);
		s += len;
		if (*s == ',' && *++s == '\0')
			return usage_error("report", "--format: empty entry after ','");
	}
	if (!a->md && !a->html)
		return usage_error("report", "--format: give md, html or md,html");
	return 0;
}

static int parse_time_opt(const char *name, const char *s, uint64_t *us)
{
	int rc = report_parse_time(s, us);
	if (rc == -BS_ERANGE)
		return usage_error("report", "--%s: '%s' is before 1970", name, s);
	if (rc != 0)
		return usage_error("report",
		                   "--%s: '%s' is not a UTC date or time (2026-11-24 or "
		                   "2026-11-24T22:00:00Z)",
		                   name, s);
	return 0;
}

/* Parses argv into a; returns 0 to go on, OPT_PARSED_HELP, or an exit status. */
static int parse_report_args(int argc, char **argv, struct report_args *a)
{
	struct option longopts[N_REPORT_OPTS + 1];
	opt_build_long(report_opts, N_REPORT_OPTS, longopts);
	a->top = REPORT_DEFAULT_TOP;
	a->md = a->html = true;
	a->until = REPORT_NO_UNTIL;
	int c, rc = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_OUT:
			a->out = optarg;
			break;
		case OPT_TOP:
			rc = parse_u32(optarg, 1, REPORT_MAX_TOP, &a->top);
			if (rc == -BS_EINVAL)
				return usage_error("report", "--top: '%s' is not a whole number",
				                   optarg);
			if (rc != 0)
				return usage_error("report", "--top: %s is outside 1..%u", optarg,
				                   REPORT_MAX_TOP);
			break;
		case OPT_FORMAT:
			rc = parse_format(optarg, a);
			break;
		case OPT_SINCE:
			a->since_text = optarg;
			rc = parse_time_opt("since", optarg, &a->since);
			break;
		case OPT_UNTIL:
			a->until_text = optarg;
			rc = parse_time_opt("until", optarg, &a->until);
			break;
		case OPT_PLOTS_DIR:
			a->plots_dir = optarg;
			break;
		case OPT_QUIET:
			a->quiet = true;
			break;
		case OPT_HELP:
			opt_print_help(
			    stdout, PROG " report [options] DIR...",
			    "Writes report.md, report.html and plots/*.png (gnuplot) from one or\n"
			    "more collect output directories, read as one period: an attack seen\n"
			    "in two directories counts once, days without data show as gaps.",
			    report_opts, N_REPORT_OPTS);
			return OPT_PARSED_HELP;
		default:
			return usage_bad_option("report", c, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (a->since_text && a->until_text && a->since >= a->until)
		return usage_error("report", "--since %s is not before --until %s", a->since_text,
		                   a->until_text);
	if (optind >= argc)
		return usage_error("report", "no collect output directory given");
	a->dirs = argv + optind;
	a->n_dirs = argc - optind;
	if (a->out == NULL && a->n_dirs > 1)
		return usage_error("report", "several directories given: say where the report goes "
		                             "with --out");
	if (a->out == NULL)
		a->out = a->dirs[0];
	return 0;
}

/* dir followed by sub, into buf, when that directory holds the templates. */
static bool try_plots(const char *dir, const char *sub, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", dir, sub);
	return n >= 0 && (size_t)n < len && render_templates_present(buf);
}

/* Finds the template directory: --plots-dir, then $BACKSCATTER_PLOTS, then
 * the source tree next to the program (a build tree: its own templates win
 * over an older installation's), then the installed BS_DATADIR/plots, then
 * the source tree this program was configured from (a build elsewhere).
 * Returns 0 with buf set, 0 with buf "" when none was found, or an exit
 * status when the directory the user named has no templates. */
static int find_plots_dir(const char *given, char *buf, size_t len)
{
	const char *env = getenv(PLOTS_ENV);
	buf[0] = '\0';
	if (given != NULL) {
		if (!try_plots(given, "", buf, len))
			return usage_error("report",
			                   "--plots-dir %s: no gnuplot templates there (%s...)",
			                   given, render_templates[0]);
		return 0;
	}
	if (env != NULL && env[0] != '\0') {
		if (!try_plots(env, "", buf, len))
			return usage_error("report", "%s=%s: no gnuplot templates there (%s...)",
			                   PLOTS_ENV, env, render_templates[0]);
		return 0;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (try_plots(exe, "/plots", buf, len) ||
			    try_plots(exe, "/../plots", buf, len))
				return 0;
		}
	}
	if (try_plots(BS_DATADIR, "/plots", buf, len) || try_plots(BS_SRCDIR, "/plots", buf, len))
		return 0;
	buf[0] = '\0';
	return 0;
}

/* "backscatter: report: MSG", MSG the model's (err may be NULL) or, when
 * it gave none, the code's text. */
static void report_failed(const struct bs_err *err, int rc)
{
	cmd_say("report: %s", err != NULL && err->msg[0] != '\0' ? err->msg : bs_strerror(rc));
}

/* Merges the directories into a new scratch directory (path in scratch,
 * PATH_MAX bytes) with merge's own code, so that report counts an attack
 * across them once, as one collect over everything counts it. 0, or a
 * negative BS_E* with err saying why they do not merge (nothing left). */
static int join_dirs(const struct report_args *a, char *scratch, struct bs_err *err)
{
	const char *tmp = getenv("TMPDIR");
	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(scratch, PATH_MAX, "%s/backscatter-report-XXXXXX", tmp) >= PATH_MAX)
		return bs_err_set(err, -BS_EINVAL, "%s: path too long", tmp);
	if (mkdtemp(scratch) == NULL)
		return bs_err_io(err, errno, "%s", scratch);
	merge_t *m = merge_create();
	int rc = m != NULL ? 0 : -BS_ENOMEM;
	if (m != NULL)
		merge_without_evidence(m);
	for (int i = 0; rc == 0 && i < a->n_dirs; i++)
		rc = merge_add_shard(m, a->dirs[i], err);
	if (rc == 0 && !merge_is_exact(m, err))
		rc = err->code != 0 ? err->code : -BS_EFORMAT;
	if (rc == 0)
		rc = merge_write(m, scratch, PROG " report", PACKAGE_VERSION, err);
	if (rc == 0 && !a->quiet)
		for (size_t i = 0; i < merge_warning_count(m); i++)
			cmd_say("warning: %s", merge_warning(m, i));
	if (rc != 0 && err->msg[0] == '\0')
		bs_err_set(err, rc, "%s", bs_strerror(rc));
	merge_free(m);
	if (rc != 0)
		outdir_discard(scratch);
	return rc;
}

/* Reads every directory and computes the tables; NULL after printing why.
 * Several directories that are pieces of one capture are joined by merge
 * first; others (written before flows.state, overlapping in time, other
 * telescopes or parameters) are read one by one, an attack seen in two of
 * them counted once, with a warning saying why. */
static report_t *build_report(const struct report_args *a)
{
	report_t *r = report_create(a->since, a->until, a->top);
	if (r == NULL) {
		report_failed(NULL, -BS_ENOMEM);
		return NULL;
	}
	struct bs_err err, why_apart = {0};
	char scratch[PATH_MAX];
	int rc = 0;
	bool joined = a->n_dirs > 1 && join_dirs(a, scratch, &why_apart) == 0;
	if (joined) {
		rc = report_add_joined(r, (const char *const *)a->dirs, (size_t)a->n_dirs, scratch,
		                       &err);
		outdir_discard(scratch);
	}
	for (int i = 0; !joined && rc == 0 && i < a->n_dirs; i++)
		rc = report_add_dir(r, a->dirs[i], &err);
	if (rc == 0)
		rc = report_finish(r, &err);
	if (rc != 0) {
		report_failed(&err, rc);
		report_free(r);
		return NULL;
	}
	if (a->n_dirs > 1 && !joined && !a->quiet)
		cmd_say("warning: directories read one by one (%s): an attack across them counts "
		        "once in each",
		        bs_err_text(&why_apart));
	return r;
}

static int run_report(const struct report_args *a)
{
	char plots[PATH_MAX];
	int status = find_plots_dir(a->plots_dir, plots, sizeof plots);
	if (status != 0)
		return status;
	report_t *r = build_report(a);
	if (r == NULL)
		return EXIT_FAILED;
	if (mkdir(a->out, 0777) != 0 && errno != EEXIST) {
		cmd_say("report: %s: %s", a->out, strerror(errno));
		report_free(r);
		return EXIT_FAILED;
	}
	struct render_options ro = {
	    .out_dir = a->out,
	    .plots_dir = plots[0] ? plots : NULL,
	    .gnuplot = "gnuplot",
	    .tool = PROG " " PACKAGE_VERSION,
	    .md = a->md,
	    .html = a->html,
	    .since = a->since_text,
	    .until = a->until_text,
	};
	struct render_status st;
	struct bs_err err;
	if (render_report(r, &ro, &st, &err) != 0) {
		cmd_say("report: %s", bs_err_text(&err));
		report_free(r);
		return EXIT_FAILED;
	}
	status = EXIT_OK;
	if (ro.plots_dir == NULL) {
		cmd_say(
		    "report: gnuplot templates not found (use --plots-dir or %s); tables written "
		    "without plots",
		    PLOTS_ENV);
		status = EXIT_WARNINGS;
	} else if (st.plot_error.code == -BS_ENOTFOUND) {
		cmd_say("report: gnuplot not found: tables written without plots (install "
		        "the Debian package %s)",
		        GNUPLOT_PACKAGE);
		status = EXIT_WARNINGS;
	} else if (st.plot_error.code != 0) {
		cmd_say("report: %s; tables written, %zu plot(s) made (gnuplot: Debian "
		        "package %s)",
		        bs_err_text(&st.plot_error), st.plots_made, GNUPLOT_PACKAGE);
		status = EXIT_WARNINGS;
	}
	const struct report_dir *dirs;
	size_t n = report_dirs(r, &dirs);
	for (size_t i = 0; i < n; i++) {
		if (dirs[i].complete)
			continue;
		if (!a->quiet)
			cmd_say("warning: %s is incomplete (see its summary.json); the report "
			        "covers what "
			        "it holds",
			        dirs[i].path);
		status = EXIT_WARNINGS;
	}
	if (!a->quiet) {
		const struct report_totals *t = report_totals(r);
		cmd_say("report: %llu attacks on %llu victims, %zu plots",
		        (unsigned long long)t->attacks, (unsigned long long)t->victims,
		        st.plots_made);
		printf("%s/%s\n", a->out, st.main_file);
	}
	report_free(r);
	return status;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = {0};
	int status = parse_report_args(argc, argv, &a);
	if (status == OPT_PARSED_HELP)
		return EXIT_OK;
	if (status != 0)
		return status;
	return run_report(&a);
}

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
#include "src/settings.h"
#include "analysis/merge.h"
#include "analysis/render.h"
#include "analysis/report.h"

#ifndef BS_DATADIR
#error "BS_DATADIR (the installed pkgdatadir) must be defined by the build"
#endif

/* Most rows a top-N table may have: beyond this the table is a data dump,
 * which is what attacks.csv is for. */
#define REPORT_MAX_TOP 100000u

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

const struct opt_spec report_opts[] = {
    {"out", OPT_OUT, "DIR", "where report.md, report.html and plots/ go (default: the one DIR)"},
    {"top", OPT_TOP, "N", "rows of the top-N tables (default " CMD_STR(REPORT_DEFAULT_TOP) ")"},
    {"format", OPT_FORMAT, "md,html", "documents to write (default md,html)"},
    {"since", OPT_SINCE, "TIME",
     "only attacks starting at or after TIME, UTC (2026-11-24[T22:00:00Z])"},
    {"until", OPT_UNTIL, "TIME", "only attacks starting before TIME, UTC"},
    {"plots-dir", OPT_PLOTS_DIR, "DIR",
     "gnuplot templates (default: $" PLOTS_ENV ", source tree, installed)"},
    {"quiet", OPT_QUIET, NULL, "nothing on stderr but errors"},
    OPT_CONFIG_SPEC,
    {"help", OPT_HELP, NULL, "show this help"},
};
const size_t n_report_opts = sizeof report_opts / sizeof report_opts[0];

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

/* One option into the struct report_args at arg (settings_take_fn). */
static int take_report_opt(void *arg, int key, const char *val)
{
	struct report_args *a = arg;
	switch (key) {
	case OPT_OUT:
		a->out = val;
		return 0;
	case OPT_TOP:
		return usage_number("report", "top", val, 1, REPORT_MAX_TOP, &a->top);
	case OPT_FORMAT:
		return parse_format(val, a);
	case OPT_SINCE:
		a->since_text = val;
		return parse_time_opt("since", val, &a->since);
	case OPT_UNTIL:
		a->until_text = val;
		return parse_time_opt("until", val, &a->until);
	case OPT_PLOTS_DIR:
		a->plots_dir = val;
		return 0;
	case OPT_QUIET:
		a->quiet = true;
		return 0;
	default: /* OPT_HELP: the table has no other key */
		opt_print_help(
		    stdout, PROG " report [options] DIR...",
		    "Writes report.md, report.html and plots/*.png (gnuplot) from one or\n"
		    "more collect output directories, read as one period: an attack seen\n"
		    "in two directories counts once, days without data show as gaps.",
		    report_opts, n_report_opts);
		return OPT_PARSED_HELP;
	}
}

/* report's defaults into a, and its settings (option table, the function
 * that takes each option) into s. */
static void report_settings(struct report_args *a, struct settings *s)
{
	*a = (struct report_args){
	    .top = REPORT_DEFAULT_TOP, .md = true, .html = true, .until = REPORT_NO_UNTIL};
	*s = (struct settings){.cmd = "report",
	                       .specs = report_opts,
	                       .n = n_report_opts,
	                       .shortopts = ":o:h",
	                       .take = take_report_opt,
	                       .arg = a};
}

/* What no single option can check. 0, or EXIT_USAGE after the message. */
static int check_period(const struct report_args *a)
{
	if (a->since_text && a->until_text && a->since >= a->until)
		return usage_error("report", "--since %s is not before --until %s", a->since_text,
		                   a->until_text);
	return 0;
}

/* Parses argv and the config file into a; returns 0 to go on,
 * OPT_PARSED_HELP, or an exit status. */
static int parse_report_args(int argc, char **argv, struct report_args *a, struct settings *s)
{
	int rc = settings_parse_argv(s, argc, argv);
	if (rc == 0)
		rc = settings_read_file(s, NULL);
	if (rc == 0)
		rc = check_period(a);
	if (rc != 0)
		return rc;
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

/* Finds the template directory (cmd.h): --plots-dir, then $BACKSCATTER_PLOTS, then
 * the source tree next to the program (a build tree in a checkout: its own
 * templates win over an older installation's), then the installed tree
 * next to the program (bin/../share/backscatter/plots, so an installation
 * copied or unpacked elsewhere finds its own), then the configured
 * BS_DATADIR/plots. The source tree a build came from is never looked at:
 * an installed program must not depend on it. Returns 0 with buf set, 0
 * with buf "" when none was found, or an exit status when the directory the
 * user named has no templates. */
int cmd_find_plots_dir(const char *cmd, const char *given, char *buf, size_t len)
{
	const char *env = getenv(PLOTS_ENV);
	buf[0] = '\0';
	if (given != NULL) {
		if (!try_plots(given, "", buf, len))
			return usage_error(cmd,
			                   "--plots-dir %s: no gnuplot templates there (%s...)",
			                   given, render_templates[0]);
		return 0;
	}
	if (env != NULL && env[0] != '\0') {
		if (!try_plots(env, "", buf, len))
			return usage_error(cmd, "%s=%s: no gnuplot templates there (%s...)",
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
			    try_plots(exe, "/../plots", buf, len) ||
			    try_plots(exe, "/../share/" PACKAGE "/plots", buf, len))
				return 0;
		}
	}
	if (try_plots(BS_DATADIR, "/plots", buf, len))
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

/* A merge warning of the joined directories, on stderr unless --quiet (arg). */
static void say_warning(void *arg, const char *msg)
{
	if (!*(const bool *)arg)
		cmd_say("warning: %s", msg);
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
	const char *tmp = getenv("TMPDIR");
	bool quiet = a->quiet;
	struct report_pieces pieces = {
	    .scratch_parent = tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp",
	    .command_line = PROG " report",
	    .version = PACKAGE_VERSION,
	    .warn = say_warning,
	    .arg = &quiet,
	};
	struct bs_err err, why_apart = {0};
	bool joined = false;
	int rc = 0;
	if (a->n_dirs > 1)
		rc = report_add_pieces(r, (const char *const *)a->dirs, (size_t)a->n_dirs, &pieces,
		                       &joined, &why_apart, &err);
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
	int status = cmd_find_plots_dir("report", a->plots_dir, plots, sizeof plots);
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

int cmd_report_check_config(const char *path)
{
	struct report_args a;
	struct settings s;
	report_settings(&a, &s);
	int rc = settings_read_file(&s, path);
	if (rc == 0)
		rc = check_period(&a);
	settings_release(&s);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a;
	struct settings s;
	report_settings(&a, &s);
	int status = parse_report_args(argc, argv, &a, &s);
	if (status == 0)
		status = run_report(&a);
	settings_release(&s);
	return status == OPT_PARSED_HELP ? EXIT_OK : status;
}

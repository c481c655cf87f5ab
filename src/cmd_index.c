/* cmd_index.c - "backscatter index": the browsable archive of nights
 * (issue 13). An output root holding one directory per night
 * (ROOT/YYYY-MM-DD) gets index.html and index.md, the rolling report of
 * the last N days and the long-view plot (analysis/archive.h).
 *
 * Exit statuses (INTERFACE.md): 1 when the index could not be written, 3
 * when it was written but a night could not be read, the rolling report
 * or a plot was not made (gnuplot missing: the message names the Debian
 * package). cmd_index_root() is the same work for the nightly run. */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/bs_error.h"
#include "src/cmd.h"
#include "src/options.h"
#include "src/settings.h"
#include "analysis/archive.h"

enum {
	OPT_HELP = 'h',
	OPT_DAYS = 256,
	OPT_PLOTS_DIR,
	OPT_QUIET,
};

const struct opt_spec index_opts[] = {
    {"days", OPT_DAYS, "N",
     "length of the rolling report, days (default " CMD_STR(ARCHIVE_DEFAULT_DAYS) ")"},
    {"plots-dir", OPT_PLOTS_DIR, "DIR",
     "gnuplot templates (default: $" PLOTS_ENV ", source tree, installed)"},
    {"quiet", OPT_QUIET, NULL, "nothing on stderr but errors"},
    OPT_CONFIG_SPEC,
    {"help", OPT_HELP, NULL, "show this help"},
};
const size_t n_index_opts = sizeof index_opts / sizeof index_opts[0];

struct index_args {
	uint32_t days;
	const char *plots_dir;
	bool quiet;
};

/* Updates the index of root with templates found from plots_given. */
static int run_index(const char *root, uint32_t days, const char *plots_given, bool quiet)
{
	char plots[PATH_MAX];
	int status = cmd_find_plots_dir("index", plots_given, plots, sizeof plots);
	if (status != 0)
		return status;
	struct archive_options o = {
	    .plots_dir = plots[0] ? plots : NULL,
	    .gnuplot = "gnuplot",
	    .tool = PROG " " PACKAGE_VERSION,
	    .version = PACKAGE_VERSION,
	    .days = days,
	};
	archive_t *a = archive_create(root, &o);
	if (a == NULL) {
		cmd_say("index: %s", bs_strerror(-BS_ENOMEM));
		return EXIT_FAILED;
	}
	struct bs_err err;
	if (archive_update(a, &err) != 0) {
		cmd_say("index: %s", bs_err_text(&err));
		archive_free(a);
		return EXIT_FAILED;
	}
	status = archive_warning_count(a) > 0 ? EXIT_WARNINGS : EXIT_OK;
	for (size_t i = 0; !quiet && i < archive_warning_count(a); i++)
		cmd_say("warning: %s", archive_warning(a, i));
	const struct bs_err *plot = archive_plot_error(a);
	if (o.plots_dir == NULL) {
		cmd_say("index: gnuplot templates not found (use --plots-dir or %s); index written "
		        "without plots",
		        PLOTS_ENV);
		status = EXIT_WARNINGS;
	} else if (plot->code == -BS_ENOTFOUND) {
		cmd_say("index: gnuplot not found: index written without plots (install the Debian "
		        "package %s)",
		        GNUPLOT_PACKAGE);
		status = EXIT_WARNINGS;
	} else if (plot->code != 0) {
		cmd_say("index: %s; index written, %zu plot(s) made (gnuplot: Debian package %s)",
		        bs_err_text(plot), archive_plots_made(a), GNUPLOT_PACKAGE);
		status = EXIT_WARNINGS;
	}
	if (!quiet) {
		const struct archive_night *n;
		cmd_say("index: %zu nights, %s %s, %zu plots", archive_nights(a, &n),
		        archive_rolling_dir(a),
		        archive_rolling_written(a) ? "written" : "not written",
		        archive_plots_made(a));
		printf("%s/%s\n", root, ARCHIVE_INDEX_HTML);
	}
	archive_free(a);
	return status;
}

int cmd_index_root(const char *root, unsigned days, bool quiet)
{
	return run_index(root, days, NULL, quiet);
}

/* One option into the struct index_args at arg (settings_take_fn). */
static int take_index_opt(void *arg, int key, const char *val)
{
	struct index_args *a = arg;
	switch (key) {
	case OPT_DAYS:
		return usage_number("index", "days", val, 1, ARCHIVE_MAX_DAYS, &a->days);
	case OPT_PLOTS_DIR:
		a->plots_dir = val;
		return 0;
	case OPT_QUIET:
		a->quiet = true;
		return 0;
	default: /* OPT_HELP: the table has no other key */
		opt_print_help(
		    stdout, PROG " index [options] ROOT",
		    "Writes ROOT/index.html and ROOT/index.md for an archive of nights\n"
		    "(ROOT/YYYY-MM-DD directories of collect or run output): one row per\n"
		    "night, the report of the last N days joined across midnights\n"
		    "(ROOT/last-N-days/) and attacks per day over the whole archive\n"
		    "(ROOT/plots/per_day.png). Static files, no script, nothing fetched.",
		    index_opts, n_index_opts);
		return OPT_PARSED_HELP;
	}
}

int cmd_index(int argc, char **argv)
{
	struct index_args a = {.days = ARCHIVE_DEFAULT_DAYS};
	struct settings s = {.cmd = "index",
	                     .specs = index_opts,
	                     .n = n_index_opts,
	                     .shortopts = ":h",
	                     .take = take_index_opt,
	                     .arg = &a};
	int status = settings_parse_argv(&s, argc, argv);
	if (status == 0)
		status = settings_read_file(&s, NULL);
	if (status == 0 && optind >= argc)
		status = usage_error("index", "no archive root directory given");
	else if (status == 0 && optind + 1 < argc)
		status = usage_error("index", "one archive root directory, not %d", argc - optind);
	if (status == 0)
		status = run_index(argv[optind], a.days, a.plots_dir, a.quiet);
	settings_release(&s);
	return status == OPT_PARSED_HELP ? EXIT_OK : status;
}

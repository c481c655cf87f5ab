/* cmd_run.c - "backscatter run": collect, then report on the same
 * directory, for the nightly cron job. Takes collect's options; the report
 * uses its defaults (all tables, md and html, plots). */
#include "config.h"

#include <stddef.h>

#include "src/cmd.h"

/* Worst of two statuses: failure, then usage, then warnings. */
static int worse(int a, int b)
{
	static const int rank[] = {
	    [EXIT_OK] = 0, [EXIT_WARNINGS] = 1, [EXIT_USAGE] = 2, [EXIT_FAILED] = 3};
	return rank[b] > rank[a] ? b : a;
}

int cmd_run(int argc, char **argv)
{
	struct collect_outcome out;
	int status = collect_command("run", argc, argv, &out);
	if (out.help || (status != EXIT_OK && status != EXIT_WARNINGS))
		return status;
	/* report's output directory defaults to its one input directory. */
	char *report_argv[] = {"report", "--quiet", out.out_dir, NULL};
	int skip_quiet = out.quiet ? 0 : 1;
	report_argv[skip_quiet] = "report";
	return worse(status, cmd_report(3 - skip_quiet, report_argv + skip_quiet));
}

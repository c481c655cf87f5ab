/* cmd_run.c - "backscatter run": collect, then report on the same
 * directory, for the nightly cron job. Takes collect's options; the report
 * uses its defaults (all tables, md and html, plots).
 *
 * With --previous DIR (the night before's output), the report joins the
 * two nights as merge does and starts at this night's first time-series
 * bin: an attack that crosses midnight is one attack, reported on the
 * night it started and not again as a new one on this night. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "base/bs_time.h"
#include "outdir/names.h"
#include "outdir/summary.h"
#include "src/cmd.h"

/* Worst of two statuses: failure, then usage, then warnings. */
static int worse(int a, int b)
{
	static const int rank[] = {
	    [EXIT_OK] = 0, [EXIT_WARNINGS] = 1, [EXIT_USAGE] = 2, [EXIT_FAILED] = 3};
	return rank[b] > rank[a] ? b : a;
}

/* The start of the first time-series bin of the output in dir, as
 * report's --since takes it, into since; false when it has no packet. */
static bool first_bin(const char *dir, char *since, size_t len)
{
	char path[4096];
	struct summary_doc *sum;
	struct bs_err err;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, OUTDIR_SUMMARY) >= sizeof path ||
	    summary_read(path, &sum, &err) != 0)
		return false;
	uint64_t bin = (uint64_t)sum->interval_s * BS_US_PER_S;
	bool any = sum->first_us != 0 &&
	           bs_format_time(sum->first_us - sum->first_us % bin, since, len) == 0;
	summary_doc_free(sum);
	return any;
}

int cmd_run(int argc, char **argv)
{
	struct collect_outcome out;
	int status = collect_command("run", argc, argv, &out);
	if (out.help || (status != EXIT_OK && status != EXIT_WARNINGS))
		return status;
	/* report's output directory defaults to its one input directory. */
	char since[BS_TIME_STRLEN];
	char *report_argv[9]; /* report --quiet --since T --out DIR PREVIOUS DIR, NULL */
	int n = 0;
	report_argv[n++] = "report";
	if (out.quiet)
		report_argv[n++] = "--quiet";
	if (out.previous != NULL && first_bin(out.out_dir, since, sizeof since)) {
		report_argv[n++] = "--since";
		report_argv[n++] = since;
		report_argv[n++] = "--out";
		report_argv[n++] = out.out_dir;
		report_argv[n++] = out.previous;
	}
	report_argv[n++] = out.out_dir;
	report_argv[n] = NULL;
	return worse(status, cmd_report(n, report_argv));
}

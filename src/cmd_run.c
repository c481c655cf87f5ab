/* cmd_run.c - "backscatter run": collect, then report on the same
 * directory, for the nightly cron job. Takes collect's options; the report
 * takes report's options (top, format, plots-dir, since, until) from the
 * config file run read (--config, or run --night's default), checked
 * before collecting, and report's defaults for the others; it is written
 * into the collect output directory, whatever out the file names.
 *
 * With --previous DIR (the night before's output), the report joins the
 * two nights as merge does and starts at this night's first time-series
 * bin: an attack that crosses midnight is one attack, reported on the
 * night it started and not again as a new one on this night. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "base/bs_error.h"
#include "base/bs_time.h"
#include "analysis/archive.h"
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

/* DIR/summary.json, read. 0, or an error with err naming the file. */
static int dir_summary(const char *dir, struct summary_doc **sum, struct bs_err *err)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, OUTDIR_SUMMARY) >= sizeof path)
		return bs_err_set(err, -BS_EINVAL, "%s: path too long", dir);
	return summary_read(path, sum, err);
}

/* The start of the first time-series bin of the output in dir, as
 * report's --since takes it, into since; false when it has no packet. */
static bool first_bin(const char *dir, char *since, size_t len)
{
	struct summary_doc *sum;
	struct bs_err err;
	if (dir_summary(dir, &sum, &err) != 0)
		return false;
	uint64_t bin = (uint64_t)sum->interval_s * BS_US_PER_S;
	bool any = sum->first_us != 0 &&
	           bs_format_time(sum->first_us - sum->first_us % bin, since, len) == 0;
	summary_doc_free(sum);
	return any;
}

/* Whether the night before can be joined: a night that was not written
 * (the first of a deployment, one that failed) is a warning, not a reason
 * to leave this night without its report. */
static bool previous_readable(const struct collect_outcome *out, int *status)
{
	struct summary_doc *sum;
	struct bs_err err;
	if (dir_summary(out->previous, &sum, &err) == 0) {
		summary_doc_free(sum);
		return true;
	}
	if (!out->quiet)
		cmd_say("warning: --previous: %s; the night is reported alone", bs_err_text(&err));
	*status = worse(*status, EXIT_WARNINGS);
	return false;
}

int cmd_run(int argc, char **argv)
{
	struct collect_outcome out;
	int status = collect_command("run", argc, argv, &out);
	if (out.help || out.done || (status != EXIT_OK && status != EXIT_WARNINGS)) {
		collect_outcome_release(&out);
		return status;
	}
	/* The report goes into the output directory: given on its command
	 * line, which wins over an out the config file may name (collect's). */
	char since[BS_TIME_STRLEN];
	/* report --quiet --config FILE --out DIR --since T PREVIOUS DIR, NULL */
	char *report_argv[11];
	int n = 0;
	report_argv[n++] = "report";
	if (out.quiet)
		report_argv[n++] = "--quiet";
	if (out.config != NULL) {
		report_argv[n++] = "--config";
		report_argv[n++] = out.config;
	}
	report_argv[n++] = "--out";
	report_argv[n++] = out.out_dir;
	if (out.previous != NULL && previous_readable(&out, &status) &&
	    first_bin(out.out_dir, since, sizeof since)) {
		report_argv[n++] = "--since";
		report_argv[n++] = since;
		report_argv[n++] = out.previous;
	}
	report_argv[n++] = out.out_dir;
	report_argv[n] = NULL;
	status = worse(status, cmd_report(n, report_argv));
	/* The nightly job keeps the archive's index up to date (issue 13). */
	if (out.out_root != NULL)
		status =
		    worse(status, cmd_index_root(out.out_root, ARCHIVE_DEFAULT_DAYS, out.quiet));
	collect_outcome_release(&out);
	return status;
}

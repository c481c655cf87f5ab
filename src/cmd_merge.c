/* cmd_merge.c - "backscatter merge": shard directories (one collect run
 * each over pieces of one capture) in, the attacks.csv, timeseries.csv
 * and summary.json one collect over all the pieces would write out.
 *
 * Parses the command line, feeds the shards to the merge library
 * (analysis/merge.h), prints its warnings and maps the outcome to the exit
 * statuses of INTERFACE.md: 1 when nothing was written (a shard missing,
 * malformed or inconsistent with the others, the output not writable), 3
 * when the result was written but a shard had lost data (partial, or an
 * input file that failed). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "src/cmd.h"
#include "analysis/merge.h"
#include "src/options.h"
#include "outdir/outdir.h"

enum {
	OPT_OUT = 'o',
	OPT_HELP = 'h',
	OPT_QUIET = 256,
};

static const struct opt_spec merge_opts[] = {
    {"out", OPT_OUT, "DIR", "output directory (created if missing)"},
    {"quiet", OPT_QUIET, NULL, "no warnings on stderr, only errors"},
    {"help", OPT_HELP, NULL, "show this help"},
};
#define N_MERGE_OPTS (sizeof merge_opts / sizeof merge_opts[0])

struct merge_args {
	const char *out;
	bool quiet;
	char **shards;
	int n_shards;
};

/* Parses argv into a; returns 0 to go on, OPT_PARSED_HELP, or an exit status. */
static int parse_merge_args(int argc, char **argv, struct merge_args *a)
{
	struct option longopts[N_MERGE_OPTS + 1];
	opt_build_long(merge_opts, N_MERGE_OPTS, longopts);
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_OUT:
			a->out = optarg;
			break;
		case OPT_QUIET:
			a->quiet = true;
			break;
		case OPT_HELP:
			opt_print_help(
			    stdout, PROG " merge --out DIR SHARD_DIR...",
			    "Joins the outputs of collect runs over consecutive pieces of one "
			    "capture\n"
			    "(e.g. one per hourly file) into the attacks.csv, timeseries.csv and\n"
			    "summary.json one collect over all the pieces would write. Attacks "
			    "that\n"
			    "continue across a seam (gap <= the flow timeout) become one row.\n"
			    "Shards collected with --evidence give the evidence.pcapng of that "
			    "collect.",
			    merge_opts, N_MERGE_OPTS);
			return OPT_PARSED_HELP;
		default:
			return usage_bad_option("merge", c, argv);
		}
	}
	if (a->out == NULL || a->out[0] == '\0')
		return usage_error("merge", "--out DIR is required");
	if (optind >= argc)
		return usage_error("merge", "no shard directory given");
	a->shards = argv + optind;
	a->n_shards = argc - optind;
	return 0;
}

/* "backscatter: merge: MSG", MSG the library's (err may be NULL) or, when
 * it gave none, the code's text. */
static int failed(const struct bs_err *err, int rc)
{
	cmd_say("merge: %s", err != NULL && err->msg[0] != '\0' ? err->msg : bs_strerror(rc));
	return EXIT_FAILED;
}

static int run_merge(const struct merge_args *a, const char *command_line)
{
	merge_t *m = merge_create();
	if (m == NULL)
		return failed(NULL, -BS_ENOMEM);
	struct bs_err err;
	int rc = 0;
	/* Every shard is read and checked before anything is written. */
	for (int i = 0; rc == 0 && i < a->n_shards; i++)
		rc = merge_add_shard(m, a->shards[i], &err);
	if (rc == 0)
		rc = outdir_make_dir(a->out, &err);
	if (rc == 0)
		rc = merge_write(m, a->out, command_line, PACKAGE_VERSION, &err);
	if (rc != 0) {
		merge_free(m);
		return failed(&err, rc);
	}
	enum merge_status st = merge_status(m);
	if (!a->quiet) {
		for (size_t i = 0; i < merge_warning_count(m); i++)
			cmd_say("warning: %s", merge_warning(m, i));
		cmd_say("merged %zu shards: %zu attacks (%zu joined across seams); results in %s/",
		        merge_shard_count(m), merge_attack_count(m), merge_join_count(m), a->out);
	}
	merge_free(m);
	return st == MERGE_OK ? EXIT_OK : EXIT_WARNINGS;
}

int cmd_merge(int argc, char **argv)
{
	struct merge_args a = {0};
	int status = parse_merge_args(argc, argv, &a);
	if (status == OPT_PARSED_HELP)
		return EXIT_OK;
	if (status != 0)
		return status;
	char *cl = cmd_line(argc, argv);
	if (cl == NULL)
		return failed(NULL, -BS_ENOMEM);
	status = run_merge(&a, cl);
	free(cl);
	return status;
}

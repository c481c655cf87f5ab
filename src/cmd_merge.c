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
#include "src/settings.h"
#include "outdir/outdir.h"

enum {
	OPT_OUT = 'o',
	OPT_HELP = 'h',
	OPT_QUIET = 256,
};

const struct opt_spec merge_opts[] = {
    {"out", OPT_OUT, "DIR", "output directory (created if missing)"},
    {"quiet", OPT_QUIET, NULL, "no warnings on stderr, only errors"},
    OPT_CONFIG_SPEC,
    {"help", OPT_HELP, NULL, "show this help"},
};
const size_t n_merge_opts = sizeof merge_opts / sizeof merge_opts[0];

struct merge_args {
	const char *out;
	bool quiet;
	char **shards;
	int n_shards;
};

/* One option into the struct merge_args at arg (settings_take_fn). */
static int take_merge_opt(void *arg, int key, const char *val)
{
	struct merge_args *a = arg;
	switch (key) {
	case OPT_OUT:
		a->out = val;
		break;
	case OPT_QUIET:
		a->quiet = true;
		break;
	default: /* OPT_HELP: the table has no other key */
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
		    merge_opts, n_merge_opts);
		return OPT_PARSED_HELP;
	}
	return 0;
}

/* Parses argv and the config file into a; returns 0 to go on,
 * OPT_PARSED_HELP, or an exit status. */
static int parse_merge_args(int argc, char **argv, struct merge_args *a, struct settings *s)
{
	int rc = settings_parse_argv(s, argc, argv);
	if (rc == 0)
		rc = settings_read_file(s, NULL);
	if (rc != 0)
		return rc;
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
	struct settings s = {.cmd = "merge",
	                     .specs = merge_opts,
	                     .n = n_merge_opts,
	                     .shortopts = ":o:h",
	                     .take = take_merge_opt,
	                     .arg = &a};
	int status = parse_merge_args(argc, argv, &a, &s);
	if (status == 0) {
		char *cl = cmd_line(argc, argv);
		status = cl ? run_merge(&a, cl) : failed(NULL, -BS_ENOMEM);
		free(cl);
	}
	settings_release(&s);
	return status == OPT_PARSED_HELP ? EXIT_OK : status;
}

/* cmd_collect.c - "backscatter collect": traces in, attacks.csv,
 * timeseries.csv and summary.json out. Parses and checks the command
 * line, wires the collector, reports progress and problems, and maps the
 * outcome to the exit statuses of INTERFACE.md. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_time.h"
#include "src/cmd.h"
#include "analysis/collector.h"
#include "analysis/evidence.h"
#include "telescope/geo.h"
#include "telescope/pfx2as.h"
#include "src/options.h"
#include "src/nightly.h"
#include "src/settings.h"
#include "telescope/reader.h"
#include "outdir/outdir.h"

/* Bounds for options given in seconds: one week is longer than any flow
 * timeout or bin anyone has asked for, and keeps products in range. */
#define COLLECT_MAX_SECONDS (7u * 24u * 3600u)
/* Longest path of a night's directory: PATH_MAX on Linux. */
#define COLLECT_PATH_MAX 4096
/* Room for one --help line formatted with its defaults (help_text()). */
#define COLLECT_HELP_LEN 128

/* --help quotes one --min-duration default for both presets. */
_Static_assert(ATTACK_RSDOS_MIN_DURATION_S == ATTACK_MOORE_MIN_DURATION_S,
               "--min-duration's help needs the default of each preset");

enum {
	OPT_TELESCOPE = 't',
	OPT_OUT = 'o',
	OPT_HELP = 'h',
	OPT_PRESET = 256,
	OPT_FLOW_TIMEOUT,
	OPT_MIN_PACKETS,
	OPT_MIN_DURATION,
	OPT_MIN_PPM,
	OPT_MIN_DESTS,
	OPT_INTERVAL,
	OPT_GEO_DB,
	OPT_ASN_DB,
	OPT_PFX2AS,
	OPT_FILTER,
	OPT_JOBS,
	OPT_PROGRESS,
	OPT_QUIET,
	OPT_PREVIOUS,
	OPT_NIGHT,
	OPT_REDO,
	OPT_CAPTURES,
	OPT_OUT_ROOT,
	OPT_EXPECT_FILES,
	OPT_SETTLE,
	OPT_PREFIX_VIEW,
	OPT_PREFIX_MIN_VICTIMS,
	OPT_EVIDENCE,
};

/* A NULL help is formatted by help_text() from the constants behind the
 * defaults it quotes, so that --help cannot drift from them. */
const struct opt_spec collect_opts[] = {
    {"telescope", OPT_TELESCOPE, "PREFIX[,PREFIX]",
     "telescope prefixes (repeatable); their size is n"},
    {"out", OPT_OUT, "DIR", "output directory (created if missing)"},
    {"preset", OPT_PRESET, "rsdos|moore",
     "threshold preset (default " COLLECTOR_DEFAULT_PRESET ")"},
    {"flow-timeout", OPT_FLOW_TIMEOUT, "SECONDS", NULL},
    {"min-packets", OPT_MIN_PACKETS, "N", NULL},
    {"min-duration", OPT_MIN_DURATION, "SECONDS", NULL},
    {"min-ppm", OPT_MIN_PPM, "N", NULL},
    {"min-dests", OPT_MIN_DESTS, "N", NULL},
    {"interval", OPT_INTERVAL, "SECONDS", NULL},
    {"geo-db", OPT_GEO_DB, "FILE.mmdb", "MaxMind country or city database"},
    {"asn-db", OPT_ASN_DB, "FILE.mmdb", "MaxMind ASN database"},
    {"pfx2as", OPT_PFX2AS, "FILE",
     "RouteViews prefix-to-AS file, plain or .gz (repeatable); its AS wins over --asn-db"},
    {"filter", OPT_FILTER, "BPF", "only read packets matching this BPF expression"},
    {"jobs", OPT_JOBS, "N", NULL},
    {"prefix-view", OPT_PREFIX_VIEW, "LEN4,LEN6",
     "also find attacks on victim prefixes (carpet bombing), e.g. 24,48: prefix_attacks.csv"},
    {"prefix-min-victims", OPT_PREFIX_MIN_VICTIMS, "N", NULL},
    {"progress", OPT_PROGRESS, NULL, "show progress even when stderr is not a terminal"},
    {"quiet", OPT_QUIET, NULL, "no progress and no warnings on stderr"},
    {"evidence", OPT_EVIDENCE, "N", NULL},
    OPT_CONFIG_SPEC,
    {"help", OPT_HELP, NULL, "show this help"},
};
const size_t n_collect_opts = sizeof collect_opts / sizeof collect_opts[0];
/* --config and --help end collect's table; run's own options go before them. */
#define N_COLLECT_TAIL 2

/* run's options besides collect's. */
const struct opt_spec run_opts[] = {
    {"previous", OPT_PREVIOUS, "DIR",
     "the night before's output; an attack across midnight counts once"},
    {"night", OPT_NIGHT, "DATE",
     "nightly job: yesterday or YYYY-MM-DD (UTC), from the config file"},
    {"redo", OPT_REDO, NULL, "--night: do a night again that is done already"},
    {"captures", OPT_CAPTURES, "LAYOUT",
     "--night: the night's files, strftime fields then a glob (/c/%Y-%m-%d/*.pcap.gz)"},
    {"out-root", OPT_OUT_ROOT, "DIR", "--night: the night is written to DIR/YYYY-MM-DD"},
    {"expect-files", OPT_EXPECT_FILES, "N",
     "--night: capture files a complete night has (default 0: any)"},
    {"settle", OPT_SETTLE, "SECONDS", NULL},
};
const size_t n_run_opts = sizeof run_opts / sizeof run_opts[0];
/* Most options run takes: collect's and its own. */
#define N_COLLECT_RUN_OPTS                                                                         \
	(sizeof collect_opts / sizeof collect_opts[0] + sizeof run_opts / sizeof run_opts[0])
_Static_assert(N_COLLECT_RUN_OPTS <= SETTINGS_MAX_OPTS, "run's options outgrow settings.h");
/* The config file of run --night when no --config is given (issue 13). */
#define DEFAULT_CONFIG BS_SYSCONFDIR "/backscatter/backscatter.conf"

/* The help of option key whose table entry is NULL, into buf. */
static const char *help_text(int key, char *buf, size_t len)
{
	switch (key) {
	case OPT_FLOW_TIMEOUT:
		snprintf(buf, len, "gap that ends a flow (default %u)", ATTACK_FLOW_TIMEOUT_S);
		break;
	case OPT_MIN_PACKETS:
		snprintf(buf, len, "packets an attack needs (rsdos %u, moore %u)",
		         ATTACK_RSDOS_MIN_PACKETS, ATTACK_MOORE_MIN_PACKETS);
		break;
	case OPT_MIN_DURATION:
		snprintf(buf, len, "duration an attack needs (default %u)",
		         ATTACK_RSDOS_MIN_DURATION_S);
		break;
	case OPT_MIN_PPM:
		snprintf(buf, len, "peak packets in a %u s window (rsdos %u, moore %u%s)",
		         ATTACK_PEAK_WINDOW_S, ATTACK_RSDOS_MIN_PPM, ATTACK_MOORE_MIN_PPM,
		         ATTACK_MOORE_MIN_PPM == 0 ? " = none" : "");
		break;
	case OPT_MIN_DESTS:
		snprintf(buf, len, "distinct telescope addresses an attack needs (default %u)",
		         ATTACK_MIN_DESTS);
		break;
	case OPT_INTERVAL:
		snprintf(buf, len, "time-series bin (default %u)", COLLECTOR_DEFAULT_INTERVAL_S);
		break;
	case OPT_JOBS:
		snprintf(buf, len, "threads (default: CPUs, at most %u); same results for any N",
		         COLLECTOR_DEFAULT_JOBS_MAX);
		break;
	case OPT_PREFIX_MIN_VICTIMS:
		snprintf(buf, len, "distinct victims a prefix attack needs (default %u)",
		         ATTACK_PREFIX_MIN_VICTIMS);
		break;
	case OPT_SETTLE:
		snprintf(buf, len,
		         "--night: a file modified more recently is unfinished (default %u)",
		         NIGHT_SETTLE_S);
		break;
	case OPT_EVIDENCE:
		snprintf(buf, len,
		         "first N packets (%u bytes each) of every attack into evidence.pcapng, "
		         "on a second read (default 0 = none, at most %u)",
		         EVIDENCE_SNAPLEN, EVIDENCE_MAX_PACKETS);
		break;
	default: /* every NULL entry has its case above (tests/check_collect_help) */
		buf[0] = '\0';
		break;
	}
	return buf;
}

struct collect_args {
	const char *cmd; /* "collect" or "run", for messages */
	bs_prefixes_t *telescope;
	const char *out;
	const char *preset;
	struct attack_params params;
	uint32_t interval_s;
	uint32_t jobs;
	bool prefix_on; /* --prefix-view */
	struct attack_prefix_view prefix_view;
	uint32_t evidence; /* --evidence N, 0 for none */
	const char *geo_db, *asn_db, *filter;
	const char **pfx2as; /* --pfx2as files, in the order given */
	size_t n_pfx2as, cap_pfx2as;
	bool progress, quiet;
	const char *previous; /* run --previous */
	char *const *traces;
	int n_traces;
	/* Explicit thresholds win over the preset whatever the order given. */
	uint32_t flow_timeout, min_packets, min_duration, min_ppm, min_dests;
	bool set_ft, set_mp, set_md, set_ppm, set_dests;
	/* The config file read (--config, or run --night's default); NULL if none. */
	const char *config;
	/* run --night and the options that go with it */
	const char *night, *captures, *out_root;
	bool redo;
	uint32_t expect_files, settle_s;
	/* What --night worked out: OUT-ROOT/DATE and the day before's */
	char night_out[COLLECT_PATH_MAX], night_previous[COLLECT_PATH_MAX];
	char **night_files;
	size_t n_night_files;
};

static volatile sig_atomic_t stop_flag;

/* First signal: stop reading and write what we have. Second: leave now
 * (outputs are written under temporary names, so nothing half-written
 * ever carries a final name). */
static void on_signal(int sig)
{
	if (stop_flag)
		_exit(128 + sig);
	stop_flag = sig;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

struct progress_state {
	struct timespec start;
	bool tty;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(const struct collector_progress *p, void *arg)
{
	struct progress_state *st = arg;
	double el = seconds_since(&st->start);
	double rate = el > 0 ? (double)p->packets / el : 0;
	char eta[32] = "?";
	if (p->bytes_total > 0 && p->bytes_done > 0) {
		double left = el * (double)(p->bytes_total - p->bytes_done) / (double)p->bytes_done;
		snprintf(eta, sizeof eta, "%.0fs", left);
	}
	fprintf(stderr, "%sfiles %zu/%zu  %llu packets  %.0f packets/s  elapsed %.0fs  ETA %s%s",
	        st->tty ? "\r" : "", p->files_done, p->n_files, (unsigned long long)p->packets,
	        rate, el, eta, st->tty ? "   " : "\n");
}

/* The options of cmd into specs (N_COLLECT_RUN_OPTS of room): collect's,
 * and for run its own before --config and --help. Returns how many. */
static size_t command_specs(const char *cmd, struct opt_spec *specs)
{
	size_t n = 0, head = n_collect_opts - N_COLLECT_TAIL;
	for (size_t i = 0; i < head; i++)
		specs[n++] = collect_opts[i];
	for (size_t i = 0; strcmp(cmd, "run") == 0 && i < n_run_opts; i++)
		specs[n++] = run_opts[i];
	for (size_t i = head; i < n_collect_opts; i++)
		specs[n++] = collect_opts[i];
	return n;
}

static void print_collect_help(const char *cmd)
{
	struct opt_spec opts[N_COLLECT_RUN_OPTS];
	size_t n = command_specs(cmd, opts);
	char text[N_COLLECT_RUN_OPTS][COLLECT_HELP_LEN];
	for (size_t i = 0; i < n; i++)
		if (opts[i].help == NULL)
			opts[i].help = help_text(opts[i].key, text[i], sizeof text[i]);
	char usage[256];
	snprintf(
	    usage, sizeof usage, PROG " %s --telescope PREFIX --out DIR [options] TRACE...%s", cmd,
	    strcmp(cmd, "run") == 0 ? "\n       " PROG " run --night DATE [--config FILE] [--redo]"
	                            : "");
	opt_print_help(
	    stdout, usage,
	    strcmp(cmd, "run") == 0
	        ? "Collects (as 'collect'), then reports on DIR (as 'report'): the nightly job.\n"
	          "--night DATE writes OUT-ROOT/DATE from the captures of that UTC day, with\n"
	          "options from --config FILE (default " DEFAULT_CONFIG "), which\n"
	          "the report reads too; exit 75 when they are not complete yet or another\n"
	          "run holds OUT-ROOT/" NIGHT_LOCK_NAME "."
	        : "Infers DoS attacks from the backscatter in darknet traces.\n"
	          "TRACE is a path or libtrace URI (pcap, pcapng, ERF; gzip/bzip2/xz), or - for "
	          "stdin.",
	    opts, n);
}

static uint32_t default_jobs(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		return 1;
	return cpus < (long)COLLECTOR_DEFAULT_JOBS_MAX ? (uint32_t)cpus
	                                               : COLLECTOR_DEFAULT_JOBS_MAX;
}

/* --prefix-view LEN4,LEN6 into a. */
static int set_prefix_view(const char *cmd, const char *val, struct collect_args *a)
{
	const char *comma = strchr(val, ',');
	char len4[16];
	uint32_t v4, v6;
	if (comma == NULL || (size_t)(comma - val) >= sizeof len4)
		return usage_error(cmd, "--prefix-view: '%s' is not LEN4,LEN6 (e.g. 24,48)", val);
	memcpy(len4, val, (size_t)(comma - val));
	len4[comma - val] = '\0';
	int rc = usage_number(cmd, "prefix-view IPv4 length", len4, 0, 32, &v4);
	if (rc == 0)
		rc = usage_number(cmd, "prefix-view IPv6 length", comma + 1, 0, 128, &v6);
	if (rc != 0)
		return rc;
	a->prefix_on = true;
	a->prefix_view.len4 = (uint8_t)v4;
	a->prefix_view.len6 = (uint8_t)v6;
	return 0;
}

/* One option into the struct collect_args at arg (settings_take_fn). */
static int take_collect_opt(void *arg, int key, const char *val)
{
	struct collect_args *a = arg;
	const char *cmd = a->cmd;
	int rc;
	switch (key) {
	case OPT_TELESCOPE:
		rc = bs_prefixes_add(a->telescope, val);
		if (rc == -BS_ENOMEM) {
			cmd_say("%s: %s", cmd, bs_strerror(rc));
			return EXIT_FAILED;
		}
		if (rc == -BS_EEXIST)
			return usage_error(cmd, "--telescope %s overlaps a prefix already given",
			                   val);
		if (rc != 0)
			return usage_error(cmd, "--telescope: '%s' is not a valid prefix list (%s)",
			                   val, bs_strerror(rc));
		return 0;
	case OPT_OUT:
		a->out = val;
		return 0;
	case OPT_PRESET: {
		struct attack_params p;
		if (attack_params_preset(&p, val) != 0)
			return usage_error(cmd, "--preset: '%s' is not rsdos or moore", val);
		a->preset = val;
		return 0;
	}
	case OPT_FLOW_TIMEOUT:
		a->set_ft = true;
		return usage_number(cmd, "flow-timeout", val, 1, COLLECT_MAX_SECONDS,
		                    &a->flow_timeout);
	case OPT_MIN_PACKETS:
		a->set_mp = true;
		return usage_number(cmd, "min-packets", val, 1, UINT32_MAX, &a->min_packets);
	case OPT_MIN_DURATION:
		a->set_md = true;
		return usage_number(cmd, "min-duration", val, 0, COLLECT_MAX_SECONDS,
		                    &a->min_duration);
	case OPT_MIN_PPM:
		a->set_ppm = true;
		return usage_number(cmd, "min-ppm", val, 0, UINT32_MAX, &a->min_ppm);
	case OPT_MIN_DESTS:
		a->set_dests = true;
		return usage_number(cmd, "min-dests", val, 1, UINT32_MAX, &a->min_dests);
	case OPT_INTERVAL:
		return usage_number(cmd, "interval", val, 1, COLLECT_MAX_SECONDS, &a->interval_s);
	case OPT_JOBS:
		return usage_number(cmd, "jobs", val, 1, COLLECTOR_MAX_JOBS, &a->jobs);
	case OPT_GEO_DB:
		a->geo_db = val;
		return 0;
	case OPT_ASN_DB:
		a->asn_db = val;
		return 0;
	case OPT_PFX2AS:
		if (bs_array_reserve(&a->pfx2as, &a->cap_pfx2as, a->n_pfx2as + 1,
		                     sizeof *a->pfx2as) != 0) {
			cmd_say("%s: %s", cmd, bs_strerror(-BS_ENOMEM));
			return EXIT_FAILED;
		}
		a->pfx2as[a->n_pfx2as++] = val;
		return 0;
	case OPT_PREFIX_VIEW:
		return set_prefix_view(cmd, val, a);
	case OPT_EVIDENCE:
		return usage_number(cmd, "evidence", val, 0, EVIDENCE_MAX_PACKETS, &a->evidence);
	case OPT_PREFIX_MIN_VICTIMS:
		return usage_number(cmd, "prefix-min-victims", val, 1, UINT32_MAX,
		                    &a->prefix_view.min_victims);
	case OPT_FILTER: {
		struct bs_err err;
		if (reader_check_filter(val, &err) != 0)
			return usage_error(cmd, "--filter: %s", bs_err_text(&err));
		a->filter = val;
		return 0;
	}
	case OPT_PROGRESS:
		a->progress = true;
		return 0;
	case OPT_QUIET:
		a->quiet = true;
		return 0;
	case OPT_PREVIOUS:
		a->previous = val;
		return 0;
	case OPT_NIGHT: {
		uint64_t day;
		if (night_parse(val, time(NULL), &day) != 0)
			return usage_error(
			    cmd, "--night: '%s' is not yesterday or a date YYYY-MM-DD", val);
		a->night = val;
		return 0;
	}
	case OPT_REDO:
		a->redo = true;
		return 0;
	case OPT_CAPTURES:
		a->captures = val;
		return 0;
	case OPT_OUT_ROOT:
		a->out_root = val;
		return 0;
	case OPT_EXPECT_FILES:
		return usage_number(cmd, "expect-files", val, 0, UINT32_MAX, &a->expect_files);
	case OPT_SETTLE:
		return usage_number(cmd, "settle", val, 0, COLLECT_MAX_SECONDS, &a->settle_s);
	default: /* OPT_HELP: the tables have no other key */
		print_collect_help(cmd);
		return OPT_PARSED_HELP;
	}
}

/* Parses argv and the config file into a; returns 0 to go on,
 * OPT_PARSED_HELP, or an exit status. */
static int parse_collect_args(int argc, char **argv, struct collect_args *a, struct settings *s)
{
	a->preset = COLLECTOR_DEFAULT_PRESET;
	a->interval_s = COLLECTOR_DEFAULT_INTERVAL_S;
	a->jobs = default_jobs();
	a->settle_s = NIGHT_SETTLE_S;
	a->prefix_view.min_victims = ATTACK_PREFIX_MIN_VICTIMS;
	int rc = settings_parse_argv(s, argc, argv);
	/* The nightly job reads the installed config file unless told another. */
	a->config = s->config != NULL ? s->config : a->night ? DEFAULT_CONFIG : NULL;
	if (rc == 0)
		rc = settings_read_file(s, a->config);
	/* run's report takes report's options from the same file: checked
	 * now, not after hours of collecting. */
	if (rc == 0 && a->config != NULL && strcmp(a->cmd, "run") == 0)
		rc = cmd_report_check_config(a->config);
	if (rc != 0)
		return rc;
	const char *cmd = a->cmd;
	attack_params_preset(&a->params, a->preset); /* checked when given */
	if (a->set_ft)
		a->params.flow_timeout_s = a->flow_timeout;
	if (a->set_mp)
		a->params.min_packets = a->min_packets;
	if (a->set_md)
		a->params.min_duration_s = a->min_duration;
	if (a->set_ppm)
		a->params.min_ppm = a->min_ppm;
	if (a->set_dests)
		a->params.min_dests = a->min_dests;
	if (bs_prefixes_count(a->telescope) == 0)
		return usage_error(cmd, "--telescope is required");
	if (a->night != NULL)
		return optind < argc ? usage_error(cmd, "--night takes no trace: --captures "
		                                        "names the night's files")
		                     : 0;
	if (a->out == NULL || a->out[0] == '\0')
		return usage_error(cmd, "--out DIR is required");
	if (optind >= argc)
		return usage_error(cmd, "no trace given");
	a->traces = argv + optind;
	a->n_traces = argc - optind;
	/* The evidence is kept on a second read, which a stream cannot give. */
	for (int i = 0; a->evidence > 0 && i < a->n_traces; i++)
		if (reader_is_stream(a->traces[i]))
			return usage_error(cmd,
			                   "--evidence reads the traces twice: '%s' is a stream, "
			                   "which can be read once",
			                   a->traces[i]);
	return 0;
}

/* Whether run --night has nothing to do: the night's directory holds a
 * finished night and --redo was not given (said unless --quiet). */
static bool done_already(const struct collect_args *a, struct collect_outcome *out,
                         const char *date)
{
	if (a->redo || !night_done(a->out))
		return false;
	if (!a->quiet)
		cmd_say("%s: night %s is done already (%s); --redo does it again", a->cmd, date,
		        a->out);
	out->done = true;
	return true;
}

/* run --night: the night's directory, the night before's when it was
 * written, and the capture files, into a, and the out-root's lock into
 * out; returns 0 to go on, or an exit status with out->done set when the
 * night is done already. */
static int resolve_night(struct collect_args *a, struct collect_outcome *out)
{
	const char *cmd = a->cmd;
	if (a->out != NULL || a->previous != NULL)
		return usage_error(cmd, "--night writes OUT-ROOT/DATE after OUT-ROOT/DATE-1: "
		                        "give no --out or --previous");
	if (a->captures == NULL || a->out_root == NULL)
		return usage_error(cmd, "--night needs captures and out-root (in the config file "
		                        "or as --captures and --out-root)");
	uint64_t day;
	night_parse(a->night, time(NULL), &day); /* checked when given */
	char date[NIGHT_DATE_LEN + 1], before[NIGHT_DATE_LEN + 1];
	if (night_date(day, date, sizeof date) != 0 ||
	    night_date(day - BS_US_PER_DAY, before, sizeof before) != 0)
		return usage_error(cmd, "--night: '%s' is out of range", a->night);
	if ((size_t)snprintf(a->night_out, sizeof a->night_out, "%s/%s", a->out_root, date) >=
	        sizeof a->night_out ||
	    (size_t)snprintf(a->night_previous, sizeof a->night_previous, "%s/%s", a->out_root,
	                     before) >= sizeof a->night_previous)
		return usage_error(cmd, "--out-root: '%s' is too long", a->out_root);
	a->out = a->night_out;
	if (done_already(a, out, date))
		return EXIT_OK;
	/* The first night of a deployment has no night before: not a warning. */
	struct stat st;
	if (stat(a->night_previous, &st) == 0 && S_ISDIR(st.st_mode))
		a->previous = a->night_previous;
	char pattern[4096];
	struct bs_err err;
	if (night_captures(a->captures, day, pattern, sizeof pattern, &a->night_files,
	                   &a->n_night_files, &err) != 0) {
		cmd_say("%s: %s", cmd, bs_err_text(&err));
		return err.code == -BS_EINVAL ? EXIT_USAGE : EXIT_FAILED;
	}
	bool ready;
	if (night_ready(a->night_files, a->n_night_files, a->expect_files, a->settle_s, time(NULL),
	                &ready, &err) != 0) {
		cmd_say("%s: %s", cmd, bs_err_text(&err));
		return EXIT_FAILED;
	}
	if (!ready) {
		/* Said even with --quiet: it is why the status is not 0. */
		cmd_say("%s: night %s not complete (%s: %s); nothing written, try again later", cmd,
		        date, pattern, bs_err_text(&err));
		return EXIT_TEMPFAIL;
	}
	/* One run at a time writes under the out-root (the timer's, and one
	 * started by hand): held until run ends, its report and the index
	 * included. A second run does not wait for it: it exits 75 and the
	 * service tries again later, when it finds the night done. */
	char lock[COLLECT_PATH_MAX];
	int rc = night_lock(a->out_root, lock, sizeof lock, &out->lock_fd, &err);
	if (rc == -BS_EBUSY) {
		cmd_say("%s: night %s: %s; nothing written, try again later", cmd, date,
		        bs_err_text(&err));
		return EXIT_TEMPFAIL;
	}
	if (rc != 0) {
		cmd_say("%s: %s", cmd, bs_err_text(&err));
		return EXIT_FAILED;
	}
	/* The run that held the lock may have done this night meanwhile. */
	if (done_already(a, out, date))
		return EXIT_OK;
	a->traces = a->night_files;
	a->n_traces = (int)a->n_night_files;
	return 0;
}

/* Opens the MaxMind databases and loads the prefix-to-AS table, those
 * given; a file that fails is one line and exit 1, before anything is
 * written. */
static int open_geo(const char *cmd, const struct collect_args *a, geo_t **geo, pfx2as_t **pfx2as)
{
	*geo = NULL;
	*pfx2as = NULL;
	struct bs_err err;
	int rc = 0;
	if (a->geo_db != NULL || a->asn_db != NULL)
		rc = geo_open(a->geo_db, a->asn_db, geo, &err);
	if (rc == 0 && a->n_pfx2as > 0)
		rc = pfx2as_load(a->pfx2as, a->n_pfx2as, pfx2as, &err);
	if (rc != 0) {
		geo_free(*geo);
		*geo = NULL;
		cmd_say("%s: %s", cmd, bs_err_text(&err));
		return EXIT_FAILED;
	}
	return 0;
}

/* Runs the collection; returns an exit status. */
/* libtrace 3.0.22's "pcap:" format, which reads pcapng, never closes its
 * file: one descriptor per pcapng input, two with the ordering pass. The
 * usual soft limit of 1024 would stop a night of 5-minute pcapng files
 * (288 a day) after about 500, so the soft limit is raised to the hard
 * one, which is what the hard limit is there for. */
static void raise_descriptor_limit(void)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
}

static int run_collect(const char *cmd, const struct collect_args *a, const char *command_line)
{
	raise_descriptor_limit();
	geo_t *geo;
	pfx2as_t *pfx2as;
	int status = open_geo(cmd, a, &geo, &pfx2as);
	if (status != 0)
		return status;
	struct bs_err err;
	if (outdir_make_dir(a->out, &err) != 0) {
		cmd_say("%s: %s", cmd, bs_err_text(&err));
		geo_free(geo);
		pfx2as_free(pfx2as);
		return EXIT_FAILED;
	}
	struct progress_state ps = {.tty = isatty(STDERR_FILENO)};
	clock_gettime(CLOCK_MONOTONIC, &ps.start);
	struct collector_config cfg = {
	    .telescope = a->telescope,
	    .params = a->params,
	    .preset = a->preset,
	    .interval_s = a->interval_s,
	    .filter = a->filter,
	    .geo = geo,
	    .geo_db = a->geo_db,
	    .asn_db = a->asn_db,
	    .pfx2as = pfx2as,
	    .pfx2as_files = a->pfx2as,
	    .n_pfx2as_files = a->n_pfx2as,
	    .stop = &stop_flag,
	    .jobs = a->jobs,
	    .prefix_view = a->prefix_on ? &a->prefix_view : NULL,
	    .evidence = a->evidence,
	    .progress = (!a->quiet && (a->progress || ps.tty)) ? show_progress : NULL,
	    .progress_arg = &ps,
	};
	collector_t *c = collector_create(&cfg);
	int rc = c ? 0 : -BS_ENOMEM;
	for (int i = 0; rc == 0 && i < a->n_traces; i++)
		rc = collector_add_input(c, a->traces[i]);
	install_signals();
	if (rc == 0)
		rc = collector_run(c);
	if (cfg.progress && ps.tty)
		fputc('\n', stderr);
	if (rc != 0) {
		cmd_say("%s: %s", cmd, bs_strerror(rc));
		status = EXIT_FAILED;
		goto out;
	}
	enum collector_status cs = collector_status(c);
	/* --quiet hides warnings, but never the reason a run failed. */
	if (!a->quiet || cs == COLLECTOR_NO_INPUT)
		for (size_t i = 0; i < collector_warning_count(c); i++)
			cmd_say("%s: %s", "warning", collector_warning(c, i));
	if (cs == COLLECTOR_NO_INPUT) {
		cmd_say("%s: %s", cmd, "no trace could be read; nothing written");
		status = EXIT_FAILED;
		goto out;
	}
	rc = collector_write(c, a->out, command_line, PACKAGE_VERSION, &err);
	if (rc != 0) {
		cmd_say("%s: %s", cmd, bs_err_text(&err));
		status = EXIT_FAILED;
		goto out;
	}
	if (!a->quiet)
		cmd_say("%zu attacks; results in %s/", collector_attack_count(c), a->out);
	status = cs == COLLECTOR_OK ? EXIT_OK : EXIT_WARNINGS;
out:
	collector_free(c);
	geo_free(geo);
	pfx2as_free(pfx2as);
	return status;
}

/* Copies what a following report needs into out (owned copies: the
 * values may live in the config file, released before the report runs). */
static int keep_outcome(const struct collect_args *a, struct collect_outcome *out)
{
	out->quiet = a->quiet;
	out->out_dir = strdup(a->out);
	out->previous = a->previous ? strdup(a->previous) : NULL;
	out->out_root = a->night ? strdup(a->out_root) : NULL;
	out->config = a->config ? strdup(a->config) : NULL;
	if (out->out_dir != NULL && (a->previous == NULL || out->previous != NULL) &&
	    (a->night == NULL || out->out_root != NULL) &&
	    (a->config == NULL || out->config != NULL))
		return 0;
	cmd_say("%s: %s", a->cmd, bs_strerror(-BS_ENOMEM));
	return EXIT_FAILED;
}

int collect_command(const char *cmd, int argc, char **argv, struct collect_outcome *out)
{
	struct collect_args a = {.cmd = cmd};
	memset(out, 0, sizeof *out);
	out->lock_fd = -1;
	a.telescope = bs_prefixes_create();
	if (a.telescope == NULL) {
		cmd_say("%s: %s", cmd, bs_strerror(-BS_ENOMEM));
		return EXIT_FAILED;
	}
	struct opt_spec specs[N_COLLECT_RUN_OPTS];
	static const int repeatable[] = {OPT_TELESCOPE, OPT_PFX2AS, 0};
	struct settings s = {.cmd = cmd,
	                     .specs = specs,
	                     .n = command_specs(cmd, specs),
	                     .shortopts = ":t:o:h",
	                     .repeat_keys = repeatable,
	                     .take = take_collect_opt,
	                     .arg = &a};
	int status = parse_collect_args(argc, argv, &a, &s);
	if (status == 0 && a.night != NULL)
		status = resolve_night(&a, out);
	if (status == OPT_PARSED_HELP) {
		out->help = true;
		status = EXIT_OK;
	} else if (status == 0 && !out->done) {
		char *cl = cmd_line(argc, argv);
		status = cl ? run_collect(cmd, &a, cl) : EXIT_FAILED;
		free(cl);
		if (status == EXIT_OK || status == EXIT_WARNINGS) {
			int kept = keep_outcome(&a, out);
			status = kept != 0 ? kept : status;
		}
	}
	settings_release(&s);
	night_captures_free(a.night_files, a.n_night_files);
	bs_prefixes_free(a.telescope);
	free(a.pfx2as);
	return status;
}

void collect_outcome_release(struct collect_outcome *out)
{
	free(out->out_dir);
	free(out->previous);
	free(out->out_root);
	free(out->config);
	out->out_dir = out->previous = out->out_root = out->config = NULL;
	night_unlock(out->lock_fd);
	out->lock_fd = -1;
}

int cmd_collect(int argc, char **argv)
{
	struct collect_outcome out;
	int status = collect_command("collect", argc, argv, &out);
	collect_outcome_release(&out);
	return status;
}

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
#include <time.h>
#include <unistd.h>

#include "base/bs_error.h"
#include "src/cmd.h"
#include "analysis/collector.h"
#include "analysis/evidence.h"
#include "telescope/geo.h"
#include "src/options.h"
#include "telescope/reader.h"
#include "outdir/outdir.h"

/* Bounds for options given in seconds: one week is longer than any flow
 * timeout or bin anyone has asked for, and keeps products in range. */
#define COLLECT_MAX_SECONDS (7u * 24u * 3600u)
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
	OPT_FILTER,
	OPT_JOBS,
	OPT_PROGRESS,
	OPT_QUIET,
	OPT_PREVIOUS,
	OPT_EVIDENCE,
};

/* A NULL help is formatted by help_text() from the constants behind the
 * defaults it quotes, so that --help cannot drift from them. */
static const struct opt_spec collect_opts[] = {
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
    {"filter", OPT_FILTER, "BPF", "only read packets matching this BPF expression"},
    {"jobs", OPT_JOBS, "N", NULL},
    {"progress", OPT_PROGRESS, NULL, "show progress even when stderr is not a terminal"},
    {"quiet", OPT_QUIET, NULL, "no progress and no warnings on stderr"},
    {"previous", OPT_PREVIOUS, "DIR",
     "run only: the night before's output; an attack across midnight counts once"},
    {"evidence", OPT_EVIDENCE, "N", NULL},
    {"help", OPT_HELP, NULL, "show this help"},
};
#define N_COLLECT_OPTS (sizeof collect_opts / sizeof collect_opts[0])

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
	bs_prefixes_t *telescope;
	char *out;
	const char *preset;
	struct attack_params params;
	uint32_t interval_s;
	uint32_t jobs;
	uint32_t evidence; /* --evidence N, 0 for none */
	const char *geo_db, *asn_db, *filter;
	bool progress, quiet;
	char *previous; /* run --previous */
	char **traces;
	int n_traces;
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

static int set_number(const char *cmd, const char *name, const char *val, uint32_t min,
                      uint32_t max, uint32_t *out)
{
	int rc = parse_u32(val, min, max, out);
	if (rc == -BS_EINVAL)
		return usage_error(cmd, "--%s: '%s' is not a whole number", name, val);
	if (rc != 0)
		return usage_error(cmd, "--%s: %s is outside %u..%u", name, val, min, max);
	return 0;
}

static void print_collect_help(const char *cmd)
{
	struct opt_spec opts[N_COLLECT_OPTS];
	char text[N_COLLECT_OPTS][COLLECT_HELP_LEN];
	for (size_t i = 0; i < N_COLLECT_OPTS; i++) {
		opts[i] = collect_opts[i];
		if (opts[i].help == NULL)
			opts[i].help = help_text(opts[i].key, text[i], sizeof text[i]);
	}
	char usage[128];
	snprintf(usage, sizeof usage, PROG " %s --telescope PREFIX --out DIR [options] TRACE...",
	         cmd);
	opt_print_help(
	    stdout, usage,
	    strcmp(cmd, "run") == 0
	        ? "Collects (as 'collect'), then reports on DIR (as 'report'): the nightly job."
	        : "Infers DoS attacks from the backscatter in darknet traces.\n"
	          "TRACE is a path or libtrace URI (pcap, pcapng, ERF; gzip/bzip2/xz), or - for "
	          "stdin.",
	    opts, N_COLLECT_OPTS);
}

static uint32_t default_jobs(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		return 1;
	return cpus < (long)COLLECTOR_DEFAULT_JOBS_MAX ? (uint32_t)cpus
	                                               : COLLECTOR_DEFAULT_JOBS_MAX;
}

/* Parses argv into a; returns 0 to go on, OPT_PARSED_HELP, or an exit status. */
static int parse_collect_args(const char *cmd, int argc, char **argv, struct collect_args *a)
{
	struct option longopts[N_COLLECT_OPTS + 1];
	opt_build_long(collect_opts, N_COLLECT_OPTS, longopts);
	/* Explicit thresholds win over the preset whatever the order given. */
	uint32_t flow_timeout = 0, min_packets = 0, min_duration = 0, min_ppm = 0, min_dests = 0;
	bool set_ft = false, set_mp = false, set_md = false, set_ppm = false, set_dests = false;
	a->preset = COLLECTOR_DEFAULT_PRESET;
	a->interval_s = COLLECTOR_DEFAULT_INTERVAL_S;
	a->jobs = default_jobs();
	int c, rc = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TELESCOPE:
			rc = bs_prefixes_add(a->telescope, optarg);
			if (rc == -BS_ENOMEM)
				return EXIT_FAILED;
			if (rc == -BS_EEXIST)
				return usage_error(
				    cmd, "--telescope %s overlaps a prefix already given", optarg);
			if (rc != 0)
				return usage_error(
				    cmd, "--telescope: '%s' is not a valid prefix list (%s)",
				    optarg, bs_strerror(rc));
			break;
		case OPT_OUT:
			a->out = optarg;
			break;
		case OPT_PRESET:
			a->preset = optarg;
			break;
		case OPT_FLOW_TIMEOUT:
			rc = set_number(cmd, "flow-timeout", optarg, 1, COLLECT_MAX_SECONDS,
			                &flow_timeout);
			set_ft = true;
			break;
		case OPT_MIN_PACKETS:
			rc = set_number(cmd, "min-packets", optarg, 1, UINT32_MAX, &min_packets);
			set_mp = true;
			break;
		case OPT_MIN_DURATION:
			rc = set_number(cmd, "min-duration", optarg, 0, COLLECT_MAX_SECONDS,
			                &min_duration);
			set_md = true;
			break;
		case OPT_MIN_PPM:
			rc = set_number(cmd, "min-ppm", optarg, 0, UINT32_MAX, &min_ppm);
			set_ppm = true;
			break;
		case OPT_MIN_DESTS:
			rc = set_number(cmd, "min-dests", optarg, 1, UINT32_MAX, &min_dests);
			set_dests = true;
			break;
		case OPT_INTERVAL:
			rc = set_number(cmd, "interval", optarg, 1, COLLECT_MAX_SECONDS,
			                &a->interval_s);
			break;
		case OPT_JOBS:
			rc = set_number(cmd, "jobs", optarg, 1, COLLECTOR_MAX_JOBS, &a->jobs);
			break;
		case OPT_EVIDENCE:
			rc = set_number(cmd, "evidence", optarg, 0, EVIDENCE_MAX_PACKETS,
			                &a->evidence);
			break;
		case OPT_GEO_DB:
			a->geo_db = optarg;
			break;
		case OPT_ASN_DB:
			a->asn_db = optarg;
			break;
		case OPT_FILTER:
			a->filter = optarg;
			break;
		case OPT_PROGRESS:
			a->progress = true;
			break;
		case OPT_QUIET:
			a->quiet = true;
			break;
		case OPT_PREVIOUS:
			if (strcmp(cmd, "run") != 0)
				return usage_error(cmd, "--previous is an option of run");
			a->previous = optarg;
			break;
		case OPT_HELP:
			print_collect_help(cmd);
			return OPT_PARSED_HELP;
		default:
			return usage_bad_option(cmd, c, argv);
		}
		if (rc != 0)
			return rc;
	}
	if (attack_params_preset(&a->params, a->preset) != 0)
		return usage_error(cmd, "--preset: '%s' is not rsdos or moore", a->preset);
	if (set_ft)
		a->params.flow_timeout_s = flow_timeout;
	if (set_mp)
		a->params.min_packets = min_packets;
	if (set_md)
		a->params.min_duration_s = min_duration;
	if (set_ppm)
		a->params.min_ppm = min_ppm;
	if (set_dests)
		a->params.min_dests = min_dests;
	if (bs_prefixes_count(a->telescope) == 0)
		return usage_error(cmd, "--telescope is required");
	if (a->out == NULL || a->out[0] == '\0')
		return usage_error(cmd, "--out DIR is required");
	if (optind >= argc)
		return usage_error(cmd, "no trace given");
	if (a->filter != NULL) {
		struct bs_err err;
		if (reader_check_filter(a->filter, &err) != 0)
			return usage_error(cmd, "--filter: %s", bs_err_text(&err));
	}
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

static int open_geo(const char *cmd, const struct collect_args *a, geo_t **geo)
{
	*geo = NULL;
	if (a->geo_db == NULL && a->asn_db == NULL)
		return 0;
	struct bs_err err;
	if (geo_open(a->geo_db, a->asn_db, geo, &err) != 0) {
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
	int status = open_geo(cmd, a, &geo);
	if (status != 0)
		return status;
	struct bs_err err;
	if (outdir_make_dir(a->out, &err) != 0) {
		cmd_say("%s: %s", cmd, bs_err_text(&err));
		geo_free(geo);
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
	    .stop = &stop_flag,
	    .jobs = a->jobs,
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
	return status;
}

int collect_command(const char *cmd, int argc, char **argv, struct collect_outcome *out)
{
	struct collect_args a = {0};
	memset(out, 0, sizeof *out);
	a.telescope = bs_prefixes_create();
	if (a.telescope == NULL) {
		cmd_say("%s: %s", cmd, bs_strerror(-BS_ENOMEM));
		return EXIT_FAILED;
	}
	int status = parse_collect_args(cmd, argc, argv, &a);
	if (status == OPT_PARSED_HELP) {
		out->help = true;
		status = EXIT_OK;
	} else if (status == 0) {
		char *cl = cmd_line(argc, argv);
		status = cl ? run_collect(cmd, &a, cl) : EXIT_FAILED;
		free(cl);
		out->out_dir = a.out;
		out->quiet = a.quiet;
		out->previous = a.previous;
	}
	bs_prefixes_free(a.telescope);
	return status;
}

int cmd_collect(int argc, char **argv)
{
	struct collect_outcome out;
	return collect_command("collect", argc, argv, &out);
}

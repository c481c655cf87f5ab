/* collector.h - the collect pipeline: traces -> classifier -> attack table
 * and time series -> attacks.csv, timeseries.csv, summary.json.
 *
 * Several inputs are consecutive pieces of one capture: the collector
 * orders them by their first packet time and feeds one attack table, so
 * flows carry across files and an attack spanning hourly files is one
 * attack. A file that cannot be read, or is cut short, is recorded (with
 * what was read from it kept) and the run goes on; the caller learns it
 * from collector_status(). Lives in the library so tests can drive it
 * without the command line. */
#ifndef ANALYSIS_COLLECTOR_H
#define ANALYSIS_COLLECTOR_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bs_error.h"
#include "telescope/addr.h"
#include "telescope/attack.h"
#include "telescope/geo.h"
#include "telescope/pfx2as.h"
#include "outdir/summary.h"

/* How often (ms) the progress callback runs while files are read. */
#define COLLECTOR_PROGRESS_MS 500u
/* Most reader threads: more only add contention when reading is bound by
 * I/O and decompression. */
#define COLLECTOR_MAX_JOBS 64u

/* Defaults for a caller whose user says nothing (src/cmd_collect.c and its
 * --help). The threshold preset: CAIDA's RSDoS feed (attack.h). */
#define COLLECTOR_DEFAULT_PRESET "rsdos"
/* Time-series bin: corsaro's 300 s interval (METHOD.md section 4). */
#define COLLECTOR_DEFAULT_INTERVAL_S 300u
/* Threads: the CPUs, but no more than this, as every file read at once
 * holds its own flow table (about 45 MB for the bench trace's hour of 100k
 * victims, bench/RESULTS.md): a big server's default stays modest. */
#define COLLECTOR_DEFAULT_JOBS_MAX 4u

struct collector_progress {
	size_t files_done, n_files;
	uint64_t packets;                /* packets read so far, all files */
	int64_t bytes_done, bytes_total; /* sizes of finished / all regular files */
};

struct collector_config {
	const bs_prefixes_t *telescope; /* borrowed */
	struct attack_params params;
	const char *preset;              /* for summary.json */
	uint32_t interval_s;             /* time-series bin, seconds */
	const char *filter;              /* BPF, checked by reader_check_filter(); NULL for none */
	const geo_t *geo;                /* borrowed; NULL without databases */
	const char *geo_db, *asn_db;     /* paths, for summary.json; may be NULL */
	const pfx2as_t *pfx2as;          /* borrowed; NULL without --pfx2as */
	const char *const *pfx2as_files; /* its paths, for summary.json */
	size_t n_pfx2as_files;
	const volatile sig_atomic_t *stop; /* nonzero asks the run to stop; may be NULL */
	uint32_t jobs; /* threads working on packets, 1..COLLECTOR_MAX_JOBS (collector.c) */
	/* The prefix view (attack.h, prefix_attacks.csv); NULL for none. */
	const struct attack_prefix_view *prefix_view;
	/* Packets kept per attack and edge flow for evidence.pcapng, on a
	 * second reading of the inputs (analysis/evidence.h); 0 for none. No
	 * input may then be a stream. */
	uint32_t evidence;
	/* Called from the thread that runs collector_run(), never concurrently. */
	void (*progress)(const struct collector_progress *p, void *arg); /* may be NULL */
	void *progress_arg;
};

/** How a run ended, worst last. */
enum collector_status {
	COLLECTOR_OK = 0,       /* every input read completely */
	COLLECTOR_WARNINGS = 1, /* some input lost or cut short, or stopped by a signal */
	COLLECTOR_NO_INPUT = 2, /* no input could be read at all */
};

typedef struct collector collector_t;

/** cfg is copied (its pointers stay borrowed). NULL on allocation failure
 * or jobs outside 1..COLLECTOR_MAX_JOBS. */
collector_t *collector_create(const struct collector_config *cfg);
/** Safe on NULL. */
void collector_free(collector_t *c);
/** Queues an input (path, libtrace URI or "-"); uri is copied. 0 or -BS_ENOMEM. */
int collector_add_input(collector_t *c, const char *uri);
/** Reads every input in first-packet order and ends all flows.
 * 0, or -BS_ENOMEM (the run cannot be trusted). Per-file problems are not
 * errors here: see collector_status() and collector_warning(). */
int collector_run(collector_t *c);
/** Outcome of collector_run(). */
enum collector_status collector_status(const collector_t *c);
/** Number of warnings, and warning i ("FILE: what went wrong"), borrowed. */
size_t collector_warning_count(const collector_t *c);
const char *collector_warning(const collector_t *c, size_t i);
/** Attacks found by the run. */
size_t collector_attack_count(const collector_t *c);
/** Writes the output directory dir (which must exist; outdir.h):
 * attacks.csv, timeseries.csv and summary.json, together. command_line
 * and version go into the summary. 0 or a negative BS_E* with err naming
 * the file that failed. */
int collector_write(collector_t *c, const char *dir, const char *command_line, const char *version,
                    struct bs_err *err);

#endif

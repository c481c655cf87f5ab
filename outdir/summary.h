/* summary.h - summary.json: what a collect run read, with which
 * parameters, and what it counted, so the run can be reproduced and a
 * reader can tell a complete night from a partial one (INTERFACE.md).
 * Written with jansson through outfile (atomic). */
#ifndef OUTDIR_SUMMARY_H
#define OUTDIR_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "telescope/addr.h"
#include "telescope/attack.h"
#include "telescope/packet_counters.h"

struct summary_input {
	const char *uri;            /* as given on the command line */
	int64_t size_bytes;         /* file size, -1 when not a regular file */
	uint64_t packets;           /* packets read from it */
	uint64_t first_us, last_us; /* packet time range; 0 when no packet */
	const char *error;          /* NULL, or what went wrong (e.g. "cut short") */
	bool skipped;               /* not processed (duplicate, unreadable) */
};

struct summary {
	const char *version;      /* PACKAGE_VERSION */
	const char *command_line; /* argv joined by spaces */
	const char *preset;       /* "rsdos", "moore" */
	struct attack_params params;
	uint32_t interval_s;                  /* time-series bin */
	const bs_prefixes_t *telescope;       /* borrowed */
	const char *geo_db, *asn_db, *filter; /* NULL when not given */
	const struct summary_input *inputs;   /* borrowed array */
	size_t n_inputs;
	struct packet_counters counters;
	struct attack_stats attack_stats;
	uint64_t first_us, last_us;  /* packet time range of the run; 0 if none */
	bool partial;                /* stopped early (signal) */
	const char *partial_reason;  /* e.g. "SIGINT", NULL when complete */
	const char *const *warnings; /* borrowed array of one-line messages */
	size_t n_warnings;
	/* merge only: the shard directories joined, in merge order (borrowed);
	 * NULL for collect, which writes no "merged_from" key at all. */
	const char *const *merged_from;
	size_t n_merged_from;
};

/** Writes DIR/summary.json atomically. 0, -BS_ENOMEM or -BS_EIO (errno set). */
int summary_write(const char *dir, const struct summary *s);

#endif

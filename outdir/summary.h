/* summary.h - summary.json: what a collect run read, with which
 * parameters, and what it counted, so the run can be reproduced and a
 * reader can tell a complete night from a partial one (INTERFACE.md).
 * Written with jansson through outfile (atomic), and read back here too:
 * merge and report both call summary_read(), so one set of rules decides
 * what a valid summary.json is and one set of messages says what is not. */
#ifndef OUTDIR_SUMMARY_H
#define OUTDIR_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bs_error.h"
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
	/* --pfx2as files as given (borrowed), n_pfx2as 0 without; the AS
	 * columns' source follows: "pfx2as" with files, else "maxmind" with
	 * asn_db, else none (telescope/pfx2as.h) */
	const char *const *pfx2as;
	size_t n_pfx2as;
	const struct summary_input *inputs; /* borrowed array */
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
	/* collect --prefix-view, and merge of its shards (NULL without: no
	 * "prefix_view" key):
	 * its lengths and minimum of victims, and its flow table's counts. */
	const struct attack_prefix_view *prefix_view;
	struct attack_stats prefix_stats;
};

/** Writes DIR/summary.json atomically. 0, -BS_ENOMEM or -BS_EIO (errno set). */
int summary_write(const char *dir, const struct summary *s);

/** A summary.json read back by summary_read(). Every string and array
 * lives as long as the document; a string is NULL where the file has null
 * or leaves an optional key out. */
struct summary_doc {
	const char *version;      /* tool.version */
	const char *command_line; /* command_line */
	const char *preset;
	struct attack_params params;
	uint32_t interval_s;          /* > 0 */
	const char *const *telescope; /* prefix texts as written (unchecked:
	                                 summary_prefixes() parses them) */
	size_t n_telescope;           /* > 0 */
	const char *telescope_json;   /* the list as compact JSON, for
	                                 comparing and quoting it */
	double telescope_size_v4;     /* IPv4 addresses of the telescope */
	const char *geo_db, *asn_db, *filter;
	const char *const *pfx2as; /* NULL (n_pfx2as 0) for null or absent */
	size_t n_pfx2as;
	const char *pfx2as_json; /* the list as compact JSON, NULL without:
	                            for comparing and quoting it */
	const struct summary_input *inputs;
	size_t n_inputs;
	struct packet_counters counters;  /* absent counters are 0 */
	struct attack_stats attack_stats; /* "flows"; absent ones are 0 */
	uint64_t first_us, last_us;       /* time_range; 0 for null */
	bool complete;
	const char *partial_reason;
	const char *const *warnings;
	size_t n_warnings;
	const char *const *merged_from; /* NULL when there is no such key */
	size_t n_merged_from;
	/* "prefix_view" (collect --prefix-view): has_prefix_view false
	 * without the key or with null */
	bool has_prefix_view;
	struct attack_prefix_view prefix_view;
	struct attack_stats prefix_stats; /* its "flows" */
};

/** Reads and checks the summary.json at path. The rules are the strictest
 * any reader had: a duplicate key is a syntax error; parameters (preset,
 * the thresholds, interval_s and flow_timeout_s > 0, a non-empty list of
 * telescope prefixes, telescope_size_v4), inputs (uri required, sizes,
 * counts and times typed), counters and flows (whole numbers, absent ones
 * 0), time_range (both times present, text or null, last not before first),
 * complete, prefix_view when present (lengths at most 32 and 128, a
 * minimum of victims of at least 1, flows as above), and the lists of
 * strings must all be what summary_write()
 * writes; optional keys may be absent or null. 0 with *out set (free it
 * with summary_doc_free()) and err cleared (it may be NULL); else *out is
 * NULL and err holds one line naming the file: -BS_EIO (cannot open or
 * read it, errno's text), -BS_EFORMAT ("PATH: line N: ..." for JSON
 * syntax, "PATH: KEY is WHAT" for the first key that is wrong), or
 * -BS_ENOMEM (possibly without a message). */
int summary_read(const char *path, struct summary_doc **out, struct bs_err *err);

/** Safe on NULL. */
void summary_doc_free(struct summary_doc *doc);

/** Adds the prefixes of doc->telescope to into, in order. 0 (err
 * cleared); -BS_EFORMAT with "PATH: parameters.telescope: 'TEXT' is not a
 * valid prefix (WHY)" in err, PATH the one doc was read from; -BS_ENOMEM.
 * Kept apart from summary_read() so that merge can first compare a later
 * shard's list with the first shard's as written. */
int summary_prefixes(const struct summary_doc *doc, bs_prefixes_t *into, struct bs_err *err);

#endif

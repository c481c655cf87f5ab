/* merge.h - join the outputs of several collect runs ("shards") over
 * pieces of one capture into the result one collect over all the pieces'
 * inputs writes, byte for byte.
 *
 * A site that collects each hourly file as it arrives merges the 24
 * hourly shards at the end of the day; a month of nights merges the same
 * way, and so do merged results (hours into nights into months). Each
 * shard is a collect or merge output directory (attacks.csv,
 * timeseries.csv, summary.json, flows.state); merge reads them back
 * through the user contract (csvread.h, summary.json, flowstate.h), so
 * shards copied from other machines merge too.
 *
 * What merge does (README "merge", man page):
 *  - Every shard must have the same telescope prefixes (in the same
 *    order: they map destinations for the uniformity test), interval_s and
 *    attack parameters (preset and thresholds), and prefix view when it
 *    has one; otherwise -BS_EFORMAT naming the shard and the field. Its
 *    flows.state must agree with its summary.json.
 *  - A shard whose inputs (uri, size, first and last packet time) are
 *    exactly those of an earlier shard is the same data given twice: it is
 *    skipped with a warning. Shards that share some but not all inputs
 *    are -BS_EEXIST: their packets would count twice.
 *  - Shards are ordered by their first packet time, whatever the order
 *    given. The edge flows of every shard (flows.state: the flows that may
 *    continue from the piece before or into the piece after, with every
 *    statistic in full) are adopted in that order into one stitching
 *    table, which expires at each shard's last packet what the next one
 *    can no longer continue, exactly as collect stitches the files of one
 *    run (telescope/attack.h); the shards' rows of those flows are
 *    replaced by the stitched attacks, the other rows are final. So
 *    attacks that span three shards, flows below the thresholds in every
 *    piece, and peaks whose busiest minute straddles a seam come out as
 *    one collect finds them. The merged result has its own flows.state.
 *  - timeseries.csv: packet counts summed bin by bin; attack columns
 *    recomputed from the merged attack list.
 *  - summary.json: inputs, counters and warnings of all shards, one line
 *    per merge warning, and "merged_from" listing the shards.
 *  - evidence.pcapng (collect --evidence N), when every shard has one:
 *    the merged attacks (numbered as the merged attacks.csv) and edge
 *    flows are the targets of analysis/evidence.c, and the shards'
 *    packets, in merge order, are offered to them as collect's second
 *    reading offers the inputs' (an attack across seams takes the packets
 *    its shards kept of their edge flows), so the file is the one collect
 *    writes, byte for byte. Shards keeping different N give the smallest,
 *    with a warning. When a shard has none (or no flows.state) while
 *    others have one: one warning, MERGE_WARNINGS, no evidence.pcapng.
 *  - prefix_attacks.csv (collect --prefix-view), when every shard has
 *    the view: its edge flows (in flows.state, with their victims) are
 *    stitched in a table keyed on the prefix as the per-victim ones are,
 *    and replace the shards' rows of them, so the file is the one collect
 *    writes. Shards with other lengths or minimum of victims are
 *    -BS_EFORMAT naming the shard's summary.json and the field. A shard
 *    without the view among shards with it, one whose flows.state has no
 *    prefix flows (an earlier version), or a join from rows: one warning,
 *    MERGE_WARNINGS, no prefix_attacks.csv (it would pass for complete).
 *
 * Shards written before flows.state existed merge from their rows: the
 * parts of an attack across a seam are joined (merge.c says how, column
 * by column), with one warning that telescope_addrs, victim_ports,
 * attack_ports, top_port, peak_ppm and uniformity_a2 of joined attacks
 * are estimates
 * and that a flow whose parts were each below the thresholds is lost.
 * Such a merge writes no flows.state.
 *
 * Library code: nothing is printed; errors are BS_E* codes with a
 * one-line message in the caller's struct bs_err (base/bs_error.h). */
#ifndef ANALYSIS_MERGE_H
#define ANALYSIS_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/bs_error.h"

/** How the merged result stands. */
enum merge_status {
	MERGE_OK = 0,       /* every shard complete */
	MERGE_WARNINGS = 1, /* a shard is partial or lost input files: results affected */
};

typedef struct merge merge_t;

/** Empty merge; NULL on allocation failure. Free with merge_free(). */
merge_t *merge_create(void);

/** Safe on NULL. */
void merge_free(merge_t *m);

/** Reads the shard in directory dir (borrowed, copied): summary.json, then
 * attacks.csv and timeseries.csv, checking it against the shards added
 * before. A shard with the same inputs as an earlier one is skipped: 0,
 * and merge_warning() says so. Errors, with a one-line message naming the
 * file or shard in err (cleared on success; err may be NULL; -BS_ENOMEM
 * and -BS_EINVAL may come without a message): -BS_EIO (a file cannot be
 * opened or read; errno's text),
 * -BS_EFORMAT (a file does not parse, a value is missing or wrong, a
 * parameter differs from the first shard's, or an evidence.pcapng's
 * comments name no target), -BS_EEXIST (some but not all inputs are an
 * earlier shard's), -BS_ERANGE (the shards span more bins
 * than a time series may), -BS_ENOMEM. After an error m may only be
 * freed. */
int merge_add_shard(merge_t *m, const char *dir, struct bs_err *err);

/** Joins the shards added and writes attacks.csv, timeseries.csv,
 * summary.json, flows.state and evidence.pcapng (see above) into dir
 * (which must exist), staged and renamed together (transaction.h): on
 * error none of them is replaced. command_line and version (borrowed) go
 * into summary.json. 0; -BS_EINVAL (no shard added, or called twice);
 * -BS_EIO (errno set), -BS_EFORMAT (a shard's evidence.pcapng changed
 * since it was added), -BS_ERANGE, -BS_ENOMEM, with err naming the file
 * that failed. */
int merge_write(merge_t *m, const char *dir, const char *command_line, const char *version,
                struct bs_err *err);

/** Whether the shards added are pieces of one capture that merge joins
 * exactly: each has a flows.state and no two overlap in packet time. When
 * not, why (may be NULL) says which shard is not, in one line. report
 * joins directories through merge only then (report.h). */
bool merge_is_exact(const merge_t *m, struct bs_err *why);

/** MERGE_WARNINGS when a shard added is partial or lost input files. */
enum merge_status merge_status(const merge_t *m);

/** Before the first merge_add_shard(): the shards' evidence.pcapng is
 * neither read nor joined, and the result has none (report, which reads
 * no evidence, merges pieces this way). */
void merge_without_evidence(merge_t *m);

/** Merge's own warnings (a skipped duplicate, an incomplete shard...),
 * also written to summary.json after the shards' warnings: their count,
 * and warning i, borrowed, NULL past the end. */
size_t merge_warning_count(const merge_t *m);
const char *merge_warning(const merge_t *m, size_t i);

/** Shards added and kept (duplicates excluded). */
size_t merge_shard_count(const merge_t *m);

/** After merge_write(): rows of the merged attacks.csv, and how many
 * times two parts were joined across a seam. */
size_t merge_attack_count(const merge_t *m);
size_t merge_join_count(const merge_t *m);

#endif

/* merge.h - join the outputs of several collect runs ("shards") over
 * consecutive pieces of one capture into the result one collect over all
 * the pieces would have written, as closely as the CSV files allow.
 *
 * A site that collects each hourly file as it arrives merges the 24
 * hourly shards at the end of the day. Each shard is a collect output
 * directory (attacks.csv, timeseries.csv, summary.json); merge reads them
 * back through the user contract (csvread.h, summary.json), so shards
 * copied from other machines or made by older versions merge too.
 *
 * What merge does (README "merge", man page):
 *  - Every shard must have the same telescope prefixes (in the same
 *    order: they map destinations for the uniformity test), interval_s and
 *    attack parameters (preset and thresholds); otherwise -BS_EFORMAT
 *    naming the shard and the field.
 *  - A shard whose inputs (uri, size, first and last packet time) are
 *    exactly those of an earlier shard is the same data given twice: it is
 *    skipped with a warning. Shards that share some but not all inputs
 *    are -BS_EEXIST: their packets would count twice.
 *  - Shards are ordered by their first packet time. Attacks of the same
 *    (victim, protocol) in different shards are one attack when the later
 *    starts no more than flow_timeout_s after the earlier ends: the idle
 *    timeout of METHOD.md section 3, for a flow that continues across the
 *    seam between two pieces. The joined row is rebuilt from the parts
 *    (merge.c says how, column by column); rows are then renumbered in
 *    the order collect writes them (attack_list.h).
 *  - timeseries.csv: packet counts summed bin by bin; attack columns
 *    recomputed from the merged attack list.
 *  - summary.json: inputs, counters and warnings of all shards, one line
 *    per merge warning, and "merged_from" listing the shards.
 *
 * What merge cannot do: a flow cut by a seam whose parts were each below
 * the thresholds was never written by either shard, so it cannot be
 * found; when only one part passed, the row holds that part only. The
 * peak_ppm of a joined attack is the larger part's, low when the busiest
 * 60 s straddles the seam; telescope_addrs is the expected size of the
 * union of independent samples, not a count.
 *
 * Library code: nothing is printed; errors are BS_E* codes with a
 * one-line message in the caller's struct bs_err (base/bs_error.h). */
#ifndef ANALYSIS_MERGE_H
#define ANALYSIS_MERGE_H

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
 * -BS_EFORMAT (a file does not parse, a value is missing or wrong, or a
 * parameter differs from the first shard's), -BS_EEXIST (some but not all
 * inputs are an earlier shard's), -BS_ERANGE (the shards span more bins
 * than a time series may), -BS_ENOMEM. After an error m may only be
 * freed. */
int merge_add_shard(merge_t *m, const char *dir, struct bs_err *err);

/** Joins the shards added and writes attacks.csv, timeseries.csv and
 * summary.json into dir (which must exist), staged and renamed together
 * (transaction.h): on error none of the three is replaced. command_line and
 * version (borrowed) go into summary.json. 0; -BS_EINVAL (no shard added,
 * or called twice); -BS_EIO (errno set), -BS_ERANGE, -BS_ENOMEM, with err
 * naming the file that failed. */
int merge_write(merge_t *m, const char *dir, const char *command_line, const char *version,
                struct bs_err *err);

/** MERGE_WARNINGS when a shard added is partial or lost input files. */
enum merge_status merge_status(const merge_t *m);

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

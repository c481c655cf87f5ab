/* fuzz_outdir.h - the per-input work of the fuzz targets for the files of a
 * collect output directory (attacks.csv, timeseries.csv, summary.json),
 * shared with the regression test.
 *
 * `report` and `merge` read these files back, and users edit, cut and copy
 * them between machines, so their readers (outdir/csvread.c,
 * outdir/summary.c, analysis/merge.c, analysis/report.c) take hostile
 * input. fuzz_csvread.c, fuzz_merge.c, fuzz_report.c and
 * tests/check_fuzz_regress.c call these functions, so a crash fixed once
 * stays fixed on the code path that found it. Kept apart from fuzz_run.c,
 * which links libtrace: these targets need the outdir/ and analysis/
 * library instead. Besides the sanitizers' "no crash, no leak", each
 * function checks what csvread.h, merge.h and report.h promise and returns
 * the first broken promise. Every call that fills a struct bs_err is held
 * to its rules: the codes its header lists, cleared on success, and on
 * error one line that is not empty (but for -BS_ENOMEM). */
#ifndef TESTS_FUZZ_OUTDIR_H
#define TESTS_FUZZ_OUTDIR_H

#include <stddef.h>
#include <stdint.h>

/** Reads data (borrowed, size bytes) through fmemopen() as attacks.csv with
 * csvread_attacks() and csvread_attacks_full(), as timeseries.csv with
 * csvread_timeseries() and csvread_timeseries_full(), and as
 * prefix_attacks.csv with csvread_prefix_attacks() and
 * csvread_prefix_attacks_full(), each with a
 * struct bs_err and with none (NULL), and once more with a callback that
 * fails half way. Checks every row passed against csvread.h (values in
 * range, times that format back, "unknown" values where the report reader
 * does not read), the message, that a failing callback's code comes back
 * at once with err left alone, and that a file the full reader accepts
 * gives the report reader the same rows. Returns NULL, or a static
 * description of the first contract broken. */
const char *fuzz_run_csvread(const uint8_t *data, size_t size);

/** Splits data (borrowed) at its NUL bytes into up to eight files: the
 * summary.json, attacks.csv and timeseries.csv of a first shard, then of a
 * second, then the prefix_attacks.csv of the first and of the second (a
 * missing part is a missing file; a second shard exists when there are
 * more than three parts). Writes them into a private directory
 * under $TMPDIR (or /tmp), removed before returning unless the process
 * dies first; runs merge_add_shard() on each shard and merge_write() into
 * an empty directory, then reads the merged output back. Checks the
 * messages, one-line warnings, nothing written on error and exactly the
 * three files on success, which the full readers and merge_add_shard()
 * read again; rows written plus joins equal the rows of the shards kept,
 * and the merged series holds their packets. Returns NULL, or a static
 * description of the first contract broken (a failure to set up the
 * directory included). */
const char *fuzz_run_merge(const uint8_t *data, size_t size);

/** Splits data into one or two collect output directories as
 * fuzz_run_merge() does, runs report_add_dir() on each (going on after one
 * is refused, as the library allows) and report_finish(). Checks the
 * messages and, on success, what report.h promises of the tables: the
 * directories read, attacks plus duplicates equal the rows read, days and
 * hours consecutive and holding the covered time and every attack, bins in
 * order adding up to the packets, the protocol mix and the repeat and
 * peak-rate buckets adding up to the totals, top tables of at most top_n
 * rows in their order, quantiles in order and CDFs from the minimum to the
 * maximum at 1. When one directory was refused, a report over the other
 * alone has the same totals (a refused directory contributes nothing).
 * Returns NULL, or a static description of the first contract broken. */
const char *fuzz_run_report(const uint8_t *data, size_t size);

#endif

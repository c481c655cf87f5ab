/* fuzz_report.c - libFuzzer target for `report`'s reading: the input, split
 * at its NUL bytes, is the summary.json, attacks.csv and timeseries.csv of
 * one or two collect output directories, read by analysis/report.h
 * (summary_read(), the report CSV readers and the interning tables
 * underneath) and summed up into every table. The work is in
 * fuzz_outdir.c so tests/check_fuzz_regress.c replays crashes on the same
 * path. A broken contract aborts, which libFuzzer saves as a crash. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_outdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_report(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_report: %s\n", why);
		abort();
	}
	return 0;
}

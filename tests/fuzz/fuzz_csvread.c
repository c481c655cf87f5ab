/* fuzz_csvread.c - libFuzzer target for the CSV readers of `report` and
 * `merge`: the input is read as attacks.csv, timeseries.csv and
 * prefix_attacks.csv by the readers of analysis/csvread.h (libcsv
 * underneath). The work is in
 * fuzz_outdir.c so tests/check_fuzz_regress.c replays crashes on the same
 * path. A broken contract aborts, which libFuzzer saves as a crash. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_outdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_csvread(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_csvread: %s\n", why);
		abort();
	}
	return 0;
}

/* fuzz_merge.c - libFuzzer target for `merge`: the input, split at its NUL
 * bytes, is the summary.json, attacks.csv and timeseries.csv of one or two
 * shard directories, merged by analysis/merge.h (jansson and libcsv
 * underneath) and read back. The work is in fuzz_outdir.c so
 * tests/check_fuzz_regress.c replays crashes on the same path. A broken
 * contract aborts, which libFuzzer saves as a crash. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_outdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_merge(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_merge: %s\n", why);
		abort();
	}
	return 0;
}

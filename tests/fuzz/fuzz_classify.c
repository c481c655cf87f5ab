/* fuzz_classify.c - libFuzzer target for the packet parser, the classifier
 * and the prefix parser: bytes in, no file, no libtrace. The work is in
 * fuzz_run.c so tests/check_fuzz_regress.c replays crashes on the same path.
 * A broken contract aborts, which libFuzzer saves as a crash. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_classify(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_classify: %s\n", why);
		abort();
	}
	return 0;
}

/* fuzz_config.c - libFuzzer target for the config file parser
 * (src/conffile.c), which reads bytes an operator (or anyone who can
 * write /etc/backscatter) wrote. The contract is in fuzz_config_run.c,
 * which tests/check_conffile.c replays on the seeds; a broken contract
 * aborts, which libFuzzer saves as a crash. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_config_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_config(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_config: %s\n", why);
		abort();
	}
	return 0;
}

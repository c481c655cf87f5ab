/* fuzz_walk.c - libFuzzer target for the record walker (telescope/pcapwalk.c
 * over telescope/bytesource.c): the input is a trace file (pcap, pcapng,
 * gzip or zstd). It is walked in small and in large blocks, which must
 * agree, and an uncompressed one through reader.c with the walker and
 * with libtrace, which must agree packet by packet (fuzz_run.c). A
 * difference or a broken contract aborts, which libFuzzer saves. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/* As in fuzz_reader.c: the libpcap leak suppression needs full stacks. */
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_walk(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_walk: %s\n", why);
		abort();
	}
	return 0;
}

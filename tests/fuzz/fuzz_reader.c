/* fuzz_reader.c - libFuzzer target for reading a whole trace file through
 * reader_open()/reader_next() (libtrace and wandio underneath) and
 * classifying every packet. The input is the file: pcap, pcapng, ERF, or
 * any of them compressed. The work is in fuzz_run.c so
 * tests/check_fuzz_regress.c replays crashes on the same path. A broken
 * contract aborts, which libFuzzer saves as a crash. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/* libpcap and libtrace are built without frame pointers, so the fast
 * unwinder stops inside them and the leak suppression in fuzz_run.c, which
 * names a libpcap function, would never match. The hook's name is fixed by
 * AddressSanitizer (sanitizer/asan_interface.h). */
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_reader(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_reader: %s\n", why);
		abort();
	}
	return 0;
}

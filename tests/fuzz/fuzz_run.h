/* fuzz_run.h - the per-input work of the fuzz targets, shared with the
 * regression test.
 *
 * The libFuzzer entry points (fuzz_classify.c, fuzz_reader.c) and the Check
 * suite that replays saved crashes and the seed corpora
 * (tests/check_fuzz_regress.c) call these same functions, so a crash fixed
 * once stays fixed on exactly the code path that found it. Besides "no
 * crash, no leak, no out-of-bounds read" (the sanitizers' job) each function
 * checks the contracts the headers promise, so the fuzzer also finds logic
 * errors: views inside the packet, zeroed outputs on failure, results in
 * range, prefix text that parses back. */
#ifndef TESTS_FUZZ_RUN_H
#define TESTS_FUZZ_RUN_H

#include <stddef.h>
#include <stdint.h>

/** Feeds data (borrowed, size bytes) to classify_packet(), the parse_*()
 * functions and bs_prefixes_add(). The first byte picks the ethertype
 * (0: IPv4, 1: IPv6, 2: anything else, modulo 3); the rest is the layer-3
 * packet. The whole input, cut at its first NUL, is the prefix text.
 * Returns NULL, or a static description of the first contract broken. */
const char *fuzz_run_classify(const uint8_t *data, size_t size);

/** Writes data (borrowed) to an anonymous in-memory file, reads it to the end
 * through reader_open() and reader_next() as a plain path, and classifies
 * every packet. Returns NULL, or a static description of the first contract
 * broken (a failure to set up the temporary file is reported the same way,
 * so it cannot pass unnoticed). */
const char *fuzz_run_reader(const uint8_t *data, size_t size);

/** Walks data (borrowed) as a pcap or pcapng file with the record walker
 * (telescope/pcapwalk.h) from memory, in small blocks (their size picked
 * by the input's length, so records straddle blocks) and in one block,
 * which must agree; then, for uncompressed data the walker reads, through
 * reader_open() with the walker and with libtrace, which must agree packet
 * by packet and in how the read ends (its message included). Returns
 * NULL, or a static description of the first difference or contract
 * broken. */
const char *fuzz_run_walk(const uint8_t *data, size_t size);

#endif

/* fuzz_pfx2as.h - the per-input work of the prefix-to-AS fuzz target,
 * shared with the Check suite that replays its seeds and findings
 * (tests/check_pfx2as.c), so a fix stays fixed on the path that found the
 * bug. */
#ifndef TESTS_FUZZ_PFX2AS_H
#define TESTS_FUZZ_PFX2AS_H

#include <stddef.h>
#include <stdint.h>

/** Reads data (borrowed, size bytes) as a prefix-to-AS table with
 * pfx2as_add_text() and pfx2as_finish(). Refused: the code is
 * -BS_EFORMAT (or -BS_ENOMEM) and the message one line, starting with
 * "fuzz.pfx2as: ". Accepted: every line that is not empty or a comment is
 * a prefix the table counts, and for the first, last, next and previous
 * address of each prefix pfx2as_lookup() gives the origin field of the
 * longest prefix holding it, as a brute-force scan of the lines finds it,
 * and pfx2as_fill() sets asn, origins and as_org from that field as
 * pfx2as.h says. The whole input is also checked as one origin field.
 * Returns NULL, or a static description of the first contract broken. */
const char *fuzz_run_pfx2as(const uint8_t *data, size_t size);

#endif

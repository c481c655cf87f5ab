/* fuzz_flowstate.h - the per-input work of the flows.state fuzz target,
 * shared with the Check suite that replays its seeds and findings
 * (tests/check_flowstate.c), so a fix stays fixed on the path that found
 * the bug. */
#ifndef TESTS_FUZZ_FLOWSTATE_H
#define TESTS_FUZZ_FLOWSTATE_H

#include <stddef.h>
#include <stdint.h>

/** Parses data (borrowed, size bytes) as a flows.state file with
 * flowstate_parse(), then, when it passes those checks, once more with
 * its length field and checksum rewritten to match (so that mutations of
 * the records reach the decoders). On error: a code flowstate.h lists, nothing
 * returned, and a one-line, non-empty message that names every reason.
 * On success: flowstate_encode() of what was read (flows, reported
 * flags, geography) gives back exactly the input (the format is
 * canonical), and a stitching table with the file's parameters adopts
 * every flow (the prefix view's into a table keyed on the file's view),
 * expires and flushes without error, and reports sane attacks
 * (whatever the decoder lets through, the table must take); watched as a
 * piece's table is (attack_table_watch_edges()), it shows every flow open
 * at flush, and what it shows a flowstate writer writes under the file's
 * header and flowstate_parse() reads back whole. Returns NULL, or a
 * static description of the first contract broken. */
const char *fuzz_run_flowstate(const uint8_t *data, size_t size);

#endif

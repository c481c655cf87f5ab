/* flowstate.h - flows.state: the flows at the edges of a collect run's
 * input, in full, so that `merge` can stitch runs over pieces of one
 * capture exactly as collect stitches its files.
 *
 * Why. Users cut a capture into pieces (hourly files, nights, machines),
 * collect each and merge the outputs. An attack that spans a cut is two
 * partial flows, one in each piece; from the CSV rows alone merge can
 * only estimate what the whole flow would have been (distinct
 * destinations, peak rate, uniformity). This file holds those partial
 * flows with every statistic they carry (telescope/attack.h, "Stitching
 * pieces"), so merge adopts them into one stitching table and reports
 * what one collect over everything reports, byte for byte.
 *
 * Format, version 1. All integers little-endian; offsets in bytes.
 *
 *   0   8  magic "BSFLOWS" and a NUL byte
 *   8   4  u32 format version: 1
 *   12  8  u64 length of the whole file, checksum included
 *   20  4  u32 flow_timeout_s  \
 *   24  4  u32 min_packets      | the attack parameters the flows were
 *   28  4  u32 min_duration_s   | made with (telescope/attack.h struct
 *   32  4  u32 min_ppm          | attack_params); flow_timeout_s > 0
 *   36  4  u32 min_dests       /
 *   40  8  u64 telescope hash (flowstate_telescope_hash())
 *   48  8  u64 first_us: time of the piece's first packet, microseconds
 *              since the epoch
 *   56  8  u64 last_us: time of its last packet (>= first_us)
 *   64  8  u64 n, the number of flows
 *   72     n records, each u32 length and that many bytes: one partial
 *          flow as attack_flow_encode() writes it (the layout is in
 *          telescope/attack.h), with first_us <= its start and its last
 *          update (touch) <= last_us; records in the order of
 *          attack_flow_cmp() (start time, victim, protocol; ties kept in
 *          the order given), the order attack_table_adopt() takes them in
 *   L-8 8  u64 XXH3_64bits (seed 0) of bytes 0 .. L-9, L the file length
 *
 * The parameters and the telescope hash say what the flows belong to:
 * pieces merge only when they agree (other parameters or another
 * telescope give other flows and other positions for the uniformity
 * test). first_us and last_us place the piece in time: its flows that
 * start within a flow timeout of first_us may continue the previous
 * piece's, and the stitching table expires at last_us what the next piece
 * can no longer continue.
 *
 * Reading trusts nothing: the length, checksum and record lengths are
 * checked before a flow is decoded, every flow is checked by
 * attack_flow_decode(), and a file is taken whole or not at all.
 *
 * Hand-written rather than a serialization library: the flows' blocks are
 * fixed-width fields with invariants of their own to check, and the bytes
 * must be canonical (equal flows, equal files) so that outputs compare
 * byte for byte. */
#ifndef OUTDIR_FLOWSTATE_H
#define OUTDIR_FLOWSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/bs_buf.h"
#include "base/bs_error.h"
#include "outdir/names.h"
#include "telescope/addr.h"
#include "telescope/attack.h"

/* The version this program writes and reads. */
#define FLOWSTATE_VERSION 1u

/** What the flows of a file belong to (see the format above). */
struct flowstate_header {
	struct attack_params params;
	uint64_t telescope_hash;
	uint64_t first_us, last_us;
};

/** The telescope's hash for the header: h = 0, then for each prefix in the
 * order given, h = XXH3_64bits_withSeed(text, strlen(text), h) with text
 * its canonical form ("44.0.0.0/8", as summary.json lists it). */
uint64_t flowstate_telescope_hash(const bs_prefixes_t *telescope);

/** Appends the file for header h and flows[0..n) (borrowed, any order) to
 * out. 0; -BS_EINVAL when h or a flow breaks a rule above (a flow outside
 * the time span, flow_timeout_s 0), with a one-line message; -BS_ENOMEM. */
int flowstate_encode(const struct flowstate_header *h, attack_flow_t *const *flows, size_t n,
                     struct bs_buf *out, struct bs_err *err);

/** Writes DIR/flows.state atomically (outdir/outfile.h): a failure leaves
 * an existing file as it was. 0, or flowstate_encode()'s errors, or
 * -BS_EIO; the message names the file. */
int flowstate_write(const char *dir, const struct flowstate_header *h, attack_flow_t *const *flows,
                    size_t n, struct bs_err *err);

/** Parses a whole file held in p[0..len) (borrowed). On success fills h,
 * *flows (an array of *n new partial flows, each for attack_table_adopt()
 * or attack_flow_free(); free the rest and the array with
 * flowstate_flows_free()) and *n. Errors, each with a one-line message
 * (not naming a file: the caller knows it): -BS_EFORMAT for bytes that are
 * truncated, not a flow state file, another format version, a checksum
 * mismatch, a record that does not decode (its number says which),
 * or bytes after the end; -BS_ENOMEM. On error *flows is NULL and *n 0. */
int flowstate_parse(const uint8_t *p, size_t len, struct flowstate_header *h,
                    attack_flow_t ***flows, size_t *n, struct bs_err *err);

/** flowstate_parse() of the file at path; the message names it. -BS_EIO
 * when it cannot be read. */
int flowstate_read(const char *path, struct flowstate_header *h, attack_flow_t ***flows, size_t *n,
                   struct bs_err *err);

/** Frees flows[0..n) (NULL entries are skipped: flows handed on) and the
 * array. Safe on NULL. */
void flowstate_flows_free(attack_flow_t **flows, size_t n);

#endif

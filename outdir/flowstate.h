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
 * Format, versions 1 and 2. All integers little-endian; offsets in bytes.
 *
 *   0   8  magic "BSFLOWS" and a NUL byte
 *   8   4  u32 format version: 1, or 2 for a run with the prefix view
 *   12  8  u64 length of the whole file, checksum included
 *   20  4  u32 flow_timeout_s  \
 *   24  4  u32 min_packets      | the attack parameters the flows were
 *   28  4  u32 min_duration_s   | made with (telescope/attack.h struct
 *   32  4  u32 min_ppm          | attack_params); flow_timeout_s > 0
 *   36  4  u32 min_dests       /
 *   40  8  u64 telescope hash (flowstate_telescope_hash())
 *   48  8  u64 first_us: the piece's first packet time in capture order,
 *              microseconds since the epoch: its flows that start at or
 *              before first_us + flow_timeout_s may continue the previous
 *              piece's (a flow may start a little before first_us when
 *              packets come out of order)
 *   56  8  u64 last_us: its latest packet time; every flow's last update
 *              (touch) is at or before it
 *   64  8  u64 n, the number of flows
 *   72     n records, each u32 length and that many bytes:
 *            one partial flow as attack_flow_encode() writes it (the
 *              layout is in telescope/attack.h);
 *            u8 reported: 1 when the piece judged the flow an attack (its
 *              attacks.csv has the row), else 0;
 *            the victim's geography as the piece looked it up: u8 length
 *              (< GEO_COUNTRY_LEN) and the country code, u32 asn, u16
 *              length (< GEO_ORG_LEN) and the AS organisation (UTF-8, no
 *              NUL; lengths 0 and asn 0 without databases), u16 length
 *              (< GEO_ORIGINS_LEN) and the --pfx2as origin field when it
 *              names several ASes, the first of them asn (0 otherwise:
 *              telescope/pfx2as.h);
 *          records in the order of attack_flow_cmp() (start time, victim,
 *          protocol; ties kept in the order given), the order
 *          attack_table_adopt() takes them in
 *   version 2 only, the prefix view (collect --prefix-view):
 *       1  u8 len4, IPv4 prefix length, at most 32
 *       1  u8 len6, IPv6 prefix length, at most 128
 *       4  u32 min_victims, at least 1 (struct attack_prefix_view)
 *       8  u64 m, the number of prefix flows
 *          m records, each u32 length and that many bytes: one partial
 *          flow of the prefix-view table as attack_flow_encode() writes it
 *          (victim: the prefix, no bits past its length; its victims
 *          follow, telescope/attack.h), then u8 reported (the piece's
 *          prefix_attacks.csv has its row); no geography (a prefix has
 *          none); in the order of attack_flow_cmp()
 *   L-8 8  u64 XXH3_64bits (seed 0) of bytes 0 .. L-9, L the file length
 *
 * Which flows: those that touch the edges of the piece, each judged by the
 * piece as usual (attack.h, attack_table_watch_edges()): every flow that
 * started at or before first_us + flow_timeout_s, and every flow still open
 * at the end. A flow in between can neither continue nor be continued by
 * another piece, so its row in attacks.csv is already final. The same
 * holds of the prefix-view table's flows and prefix_attacks.csv.
 *
 * Why two versions: a run without the prefix view writes version 1, the
 * very bytes it wrote before the prefix view had a part here, so that its
 * files compare byte for byte across versions and earlier programs still
 * merge them; a run with the view writes version 2 (an earlier program
 * refuses it as another version rather than lose the view). Both are
 * read.
 *
 * The parameters and the telescope hash say what the flows belong to:
 * pieces merge only when they agree (other parameters or another
 * telescope give other flows and other positions for the uniformity
 * test). first_us and last_us place the piece in time: merge adopts the
 * pieces' flows in order and expires at each last_us what the next piece
 * can no longer continue. The geography travels with the flows because
 * merge has no databases: a flow that passes only once joined gets the
 * geography its piece looked up.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bs_buf.h"
#include "base/bs_error.h"
#include "outdir/names.h"
#include "telescope/addr.h"
#include "telescope/attack.h"
#include "telescope/geo.h"

/* The versions this program writes and reads: with the prefix view's
 * part, and without (see the format above). */
#define FLOWSTATE_VERSION       2u
#define FLOWSTATE_VERSION_PLAIN 1u

/** What the flows of a file belong to (see the format above). */
struct flowstate_header {
	struct attack_params params;
	uint64_t telescope_hash;
	uint64_t first_us, last_us;
	bool has_prefix_view;                  /* version 2: the run had the prefix view */
	struct attack_prefix_view prefix_view; /* with has_prefix_view */
};

/** One flow of a file, with what its piece knew of it. A prefix-view
 * flow (attack_flow_is_prefix()) is one of the prefix view's part. */
struct flowstate_flow {
	attack_flow_t *flow;
	bool reported;       /* the piece's attacks.csv (prefix_attacks.csv) has its row */
	struct geo_info geo; /* the victim's; empty without databases, and for a prefix */
};

/** The telescope's hash for the header: h = 0, then for each prefix in the
 * order given, h = XXH3_64bits_withSeed(text, strlen(text), h) with text
 * its canonical form ("44.0.0.0/8", as summary.json lists it). */
uint64_t flowstate_telescope_hash(const bs_prefixes_t *telescope);

/* Writing. Flows are encoded as they are added (a table shows its edge
 * flows one at a time and frees them after), so the writer holds bytes,
 * a few dozen per small flow, and an index to sort them by at the end. */
typedef struct flowstate_writer flowstate_writer_t;

/** An empty writer; NULL when out of memory. */
flowstate_writer_t *flowstate_writer_create(void);
/** Safe on NULL. */
void flowstate_writer_free(flowstate_writer_t *w);
/** Encodes f (borrowed) with reported and geo (NULL: empty) as the next
 * record: of the prefix view's part when f is a prefix-view flow. 0,
 * -BS_EINVAL (a geography longer than the format allows, or any for a
 * prefix-view flow), -BS_ENOMEM. */
int flowstate_writer_add(flowstate_writer_t *w, const attack_flow_t *f, bool reported,
                         const struct geo_info *geo);
/** Flows added so far. */
size_t flowstate_writer_count(const flowstate_writer_t *w);
/** Appends the file for header h and the flows added to out: version 2
 * when h->has_prefix_view, else 1. 0; -BS_EINVAL when h or a flow breaks
 * a rule above (a flow updated after last_us, flow_timeout_s 0, a
 * prefix-view flow without the view in h or of other lengths), with a
 * one-line message; -BS_ENOMEM. */
int flowstate_writer_encode(const flowstate_writer_t *w, const struct flowstate_header *h,
                            struct bs_buf *out, struct bs_err *err);
/** Writes DIR/flows.state atomically (outdir/outfile.h): a failure leaves
 * an existing file as it was. 0, flowstate_writer_encode()'s errors, or
 * -BS_EIO; the message names the file. */
int flowstate_writer_save(const flowstate_writer_t *w, const struct flowstate_header *h,
                          const char *dir, struct bs_err *err);

/** flowstate_writer_encode() of flows[0..n) (borrowed), added in order. */
int flowstate_encode(const struct flowstate_header *h, const struct flowstate_flow *flows, size_t n,
                     struct bs_buf *out, struct bs_err *err);

/* Reading. */

/** Parses a whole file held in p[0..len) (borrowed), of either version.
 * On success fills h, *flows (an array of *n: the per-victim flows, then
 * the prefix view's; each flow is new, for attack_table_adopt() or
 * attack_flow_free(); free the rest and the array with
 * flowstate_flows_free()) and *n. Errors, each with a one-line message
 * (not naming a file: the caller knows it): -BS_EFORMAT for bytes that are
 * truncated, not a flow state file, another format version, a checksum
 * mismatch, a record that does not decode (its number says which),
 * or bytes after the end; -BS_ENOMEM. On error *flows is NULL and *n 0. */
int flowstate_parse(const uint8_t *p, size_t len, struct flowstate_header *h,
                    struct flowstate_flow **flows, size_t *n, struct bs_err *err);

/** flowstate_parse() of the file at path; the message names it. -BS_EIO
 * when it cannot be read. */
int flowstate_read(const char *path, struct flowstate_header *h, struct flowstate_flow **flows,
                   size_t *n, struct bs_err *err);

/** Frees the flows of flows[0..n) (NULL ones are skipped: flows handed
 * on) and the array. Safe on NULL. */
void flowstate_flows_free(struct flowstate_flow *flows, size_t n);

#endif

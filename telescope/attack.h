/* attack.h - group classified backscatter into flows and infer attacks.
 *
 * A flow ("attack vector") is the run of backscatter events for one key
 * (victim, attack protocol) with no gap longer than the flow timeout
 * (corsaro3 and Moore et al. key on victim and protocol; METHOD.md
 * section 3). When a flow ends (idle past the timeout in packet time, or at
 * attack_table_flush()) it is tested against the thresholds and, if it
 * passes, handed to the callback exactly once as an attack_record.
 *
 * Time is packet time only. "Now" is the largest packet time seen, so
 * packets out of order never move time backwards; a flow's start is its
 * smallest and its end its largest packet time.
 *
 * Memory grows with concurrent flows only: a flow with one packet costs one
 * small fixed record; the distinct-count, port and uniformity structures
 * grow only as the flow does and are capped (sketches) beyond that. */
#ifndef TELESCOPE_ATTACK_H
#define TELESCOPE_ATTACK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bs_buf.h"
#include "telescope/addr.h"
#include "telescope/event.h"

/* Defaults, METHOD.md section 3. */
#define ATTACK_FLOW_TIMEOUT_S       300u /* corsaro CORSARO_DOS_VECTOR_TIMEOUT; Moore et al. */
#define ATTACK_RSDOS_MIN_PACKETS    25u  /* corsaro dos plugin default, CAIDA RSDoS */
#define ATTACK_RSDOS_MIN_DURATION_S 60u  /* corsaro dos plugin default */
#define ATTACK_RSDOS_MIN_PPM        30u  /* corsaro: 30 packets in a 60 s window */
#define ATTACK_MOORE_MIN_PACKETS    100u /* Moore et al. 2001 */
#define ATTACK_MOORE_MIN_DURATION_S 60u  /* Moore et al. 2001 */
#define ATTACK_MOORE_MIN_PPM        0u   /* Moore et al. 2001: no rate threshold */
/* Spread check (ours, METHOD.md section 5: "80 SYN+ACKs to a single
 * telescope address were reported as an attack" by corsaro v2). A randomly
 * spoofed flood of >= 25 packets reaches ~25 distinct addresses of any
 * telescope of /24 or larger; a scanner answering to one host does not. */
#define ATTACK_MIN_DESTS 5u
/* Width of the peak-rate window, seconds (corsaro: packets per minute). */
#define ATTACK_PEAK_WINDOW_S 60u
/* Prefix view (ours, issue 12: "carpet bombing", an attack spread over
 * many addresses of one prefix, each below the thresholds): a prefix flow
 * is an attack only when it reached at least this many distinct victims.
 * Fewer are a handful of busy hosts that happen to be neighbours, which
 * attacks.csv already shows; 5 is the same spread ATTACK_MIN_DESTS asks
 * of destinations. */
#define ATTACK_PREFIX_MIN_VICTIMS 5u

struct attack_params {
	uint32_t flow_timeout_s; /* gap that ends a flow, seconds (> 0) */
	uint32_t min_packets;    /* backscatter packets */
	uint32_t min_duration_s; /* end - start, seconds */
	uint32_t min_ppm;        /* peak packets in a 60 s window; 0 = none */
	uint32_t min_dests;      /* distinct telescope destinations */
};

/** Fills p with a named preset: "rsdos" (default) or "moore".
 * 0, or -BS_EINVAL for an unknown name (p untouched). */
int attack_params_preset(struct attack_params *p, const char *name);

/** One inferred attack. Plain data; the callback may copy it. */
struct attack_record {
	bs_addr_t victim;
	bs_addr_t responder;       /* valid when has_responder: the outer source
	                              of router-generated ICMP errors */
	uint64_t start_us, end_us; /* first and last packet time, us since epoch */
	uint64_t packets, bytes;
	uint64_t telescope_addrs; /* distinct destinations; HLL estimate when large */
	uint32_t victim_ports;    /* distinct victim ports */
	int32_t top_port;         /* most frequent victim port, -1 for none */
	int32_t attack_ports;     /* distinct attacker ports (the spoofed source
	                             ports, event.h aport); -1 unknown (merge: a row
	                             written before the column existed) */
	uint32_t responses;       /* bit (1u << BS_RESP_*) per response type seen */
	uint32_t peak_ppm;        /* most packets in any ATTACK_PEAK_WINDOW_S window */
	uint64_t icmp_mismatches;
	double uniformity_a2; /* Anderson-Darling A^2, NAN when not computable */
	bool uniform;         /* A^2 below the 5% critical value */
	bool has_responder;
	uint8_t proto;    /* enum bs_proto */
	uint64_t victims; /* prefix view only (victim is then the prefix, its
	                     bits past the length zero): distinct victim
	                     addresses; 0 in a table keyed on the victim */
};

/** Receives each attack once. Returns 0, or a negative BS_E* code that
 * stops the update/flush that called it and is returned from there. */
typedef int (*attack_cb)(const struct attack_record *rec, void *arg);

struct attack_stats {
	uint64_t flows;           /* flows started */
	uint64_t attacks;         /* flows that passed every threshold */
	uint64_t rejected;        /* flows ended below a threshold */
	uint64_t open_flows;      /* flows open now */
	uint64_t peak_open_flows; /* most flows open at once */
	uint64_t stitched;        /* partial flows joined across a file boundary */
};

typedef struct attack_table attack_table_t;

/** p is copied; telescope is borrowed and must outlive the table (it maps
 * destinations for the uniformity test). cb/arg receive finished attacks.
 * NULL on allocation failure or invalid arguments (NULL p, telescope or
 * cb; flow_timeout_s == 0). */
attack_table_t *attack_table_create(const struct attack_params *p, const bs_prefixes_t *telescope,
                                    attack_cb cb, void *arg);
/* The prefix view (carpet bombing). A table keyed on the victim's prefix
 * rather than the victim: the same events, the same thresholds, plus a
 * minimum of distinct victims in the prefix. Its flows count their victims
 * (distinct.h on a 32-bit hash of the full address) and build their
 * statistics from their second packet, as a held packet has no room for
 * the victim. */
struct attack_prefix_view {
	uint8_t len4, len6;   /* prefix lengths, 0..32 and 0..128 */
	uint32_t min_victims; /* distinct victims a prefix attack needs */
};

/** Drops open flows without reporting them. Safe on NULL. */
void attack_table_free(attack_table_t *t);
/** Adds one event (borrowed). First ends every flow idle for longer than the
 * timeout at the new "now", reporting those that qualify. O(1) amortised,
 * no allocation unless the flow is new or grows past its inline capacity.
 * 0, -BS_EINVAL (proto or response out of range; nothing changed),
 * -BS_ENOMEM, or the callback's error. */
int attack_table_update(attack_table_t *t, const struct bs_event *ev);
/** attack_table_update() of n events in order, faster: each event's
 * bucket and flow are fetched from memory while earlier events are
 * updated. Stops at the first error and returns it (the events before it
 * are in the table). */
int attack_table_update_batch(attack_table_t *t, const struct bs_event *evs, size_t n);
/** Ends every open flow as of the last packet (end of input) and reports
 * those that qualify, in order of start time, victim, protocol. 0 or the
 * callback's error; after an error the flows not yet ended stay open and
 * the table may only be flushed again or freed. */
int attack_table_flush(attack_table_t *t);
/** Keys t on (victim prefix, protocol) as pv says (copied). Call before
 * the first update; a stitching table of prefix flows needs it too. */
void attack_table_key_prefix(attack_table_t *t, const struct attack_prefix_view *pv);

/** Counters so far. */
void attack_table_stats(const attack_table_t *t, struct attack_stats *out);
/** Adds the counters of a piece read separately (a file of a run, a
 * merged shard) to sum: every count is summed, peak_open_flows is the
 * larger, as the pieces' tables never held their flows at once. */
void attack_stats_add(struct attack_stats *sum, const struct attack_stats *piece);

/* Stitching pieces of one capture read separately (collector --jobs).
 *
 * Each file gets its own table in "hold" mode: flows that start within one
 * timeout of the file's first packet may continue a flow of the previous
 * file, and flows still open at its end may continue into the next, so
 * instead of being judged they are handed out as partial flows. A single
 * stitching table then adopts the partial flows file by file, in capture
 * order: a partial flow that starts within the timeout of an adopted flow
 * with the same key is merged into it (every per-flow statistic merges
 * exactly, see distinct.h, portcount.h, portset.h, peak.h, uniformity.h), and
 * attack_table_expire() ends what the next file can no longer continue.
 * For pieces that follow each other in time, the attacks equal those of
 * one table fed the whole capture. */

typedef struct attack_flow attack_flow_t;

/** Receives a partial flow; takes ownership (free with attack_flow_free()).
 * Returns 0 or a negative BS_E* code that stops the caller. */
typedef int (*attack_partial_cb)(attack_flow_t *f, void *arg);

/** Where a piece sits in the capture. The first piece has no previous
 * one and the last no next one: their flows are judged in their own
 * table, which spares the stitching table work it would do alone. */
struct attack_hold {
	bool after_previous; /* a piece comes before this one */
	uint64_t until_us;   /* with after_previous: flows starting at or before may continue
	                        it; 0: one flow timeout after the first event the table is
	                        fed (a stream, whose first packet is not known before) */
	bool before_next;    /* a piece comes after: flows open at the end may continue into it */
};

/** Puts t in hold mode: with hold->after_previous, flows starting at or
 * before hold->until_us, when they end; with hold->before_next, every
 * flow open at attack_table_flush(); these go to cb instead of being
 * judged. hold is copied. Call before the first update. */
void attack_table_hold(attack_table_t *t, const struct attack_hold *hold, attack_partial_cb cb,
                       void *arg);

/** Receives a flow of a watched table that has just been judged
 * (borrowed: encode or copy it, do not keep it); reported says whether it
 * became an attack. Returns 0 or a negative BS_E* code that stops the
 * caller. */
typedef int (*attack_edge_cb)(const attack_flow_t *f, bool reported, void *arg);

/** Watches the edges of a piece (for outdir/flowstate.h): every flow that
 * ends in t and started at or before leading_until_us (it may continue a
 * flow of the piece before), and every flow ended by attack_table_flush()
 * (it may go on into the next piece), is judged and reported as always,
 * then shown to cb. Call before the first update or adoption. */
void attack_table_watch_edges(attack_table_t *t, uint64_t leading_until_us, attack_edge_cb cb,
                              void *arg);

/** The hold's until_us as the table applies it (set by its first event
 * when the hold gave 0); 0 before that. */
uint64_t attack_table_hold_until(const attack_table_t *t);

/** Adds partial flow f (ownership taken, even on error) to a stitching
 * table: merged into the open flow with the same key when f starts no
 * more than the timeout after that flow's last update, otherwise that flow
 * is ended (judged) and f takes its place. A table fed by adopt must not be
 * fed by attack_table_update(). 0, -BS_ENOMEM or the callback's error. */
int attack_table_adopt(attack_table_t *t, attack_flow_t *f);

/** Ends every flow of a stitching table idle for longer than the timeout
 * at now_us (a full pass: called once per file). 0 or the callback's error. */
int attack_table_expire(attack_table_t *t, uint64_t now_us);

/** Packets of a partial flow. */
uint64_t attack_flow_packets(const attack_flow_t *f);
/** First packet time of a partial flow, microseconds. */
uint64_t attack_flow_start(const attack_flow_t *f);
/** Last packet time of a partial flow, microseconds. */
uint64_t attack_flow_end(const attack_flow_t *f);
/** The table's "now" when the flow was last updated, microseconds (>= its
 * end): attack_table_adopt() and attack_table_expire() measure the
 * timeout from it. */
uint64_t attack_flow_touch(const attack_flow_t *f);
/** The flow's key. */
void attack_flow_key(const attack_flow_t *f, bs_addr_t *victim, uint8_t *proto);
/** Flush order, memcmp-style: start time, then victim, then protocol. Two
 * flows tie only when they share a key and a start, which in one table
 * takes packets that arrive more than a timeout out of order. */
int attack_flow_cmp(const attack_flow_t *a, const attack_flow_t *b);

/** Safe on NULL. */
void attack_flow_free(attack_flow_t *f);
/** True when f is a flow of a prefix-view table (it must only be adopted
 * by one, and is read back by attack_prefix_flow_decode()). */
bool attack_flow_is_prefix(const attack_flow_t *f);

/* Partial flows as bytes (base/bs_buf.h), so that pieces collected by
 * separate runs can be stitched by `merge` exactly as collect stitches
 * its files (outdir/flowstate.h holds the file around them).
 *
 * Layout (little-endian; an address is u8 family, 4 or 6, then 4 or 16
 * bytes):
 *   address victim; u8 proto (< BS_PROTO_COUNT);
 *   u32 responses (1 << BS_RESP_* per type seen, at least one, none above
 *   BS_RESP_COUNT); u64 touch_us; u64 bytes; u8 form, then by form:
 *   0, one packet: u64 start_us (the end too); address dst; u8 flags
 *      (no bits but BS_EV_HAS_PORT, BS_EV_HAS_APORT: the victim port,
 *      the attacker port is valid); u16 port (victim); u16 aport
 *      (attacker);
 *   1, held packets (their statistics not built yet): u16 n, 2 to
 *      ATTACK_HELD_MAX, then n times u64 ts_us, address dst, u8 flags,
 *      u16 port, u16 aport, in arrival order; start and end are the
 *      smallest and largest ts_us;
 *   2, built: u64 start_us, end_us, packets, icmp_mismatches; u8
 *      has_responder (0 or 1) and, when 1, address responder; then the
 *      blocks as distinct_encode() (destinations), portcount_encode()
 *      (victim ports), portset_encode() (attacker ports), peak_encode()
 *      and uniformity_encode() write them.
 * The form is the flow's own: held packets stay held, and are replayed
 * into the blocks only where the flow is merged or judged, as in the
 * table that made it. Building them before encoding would give the same
 * statistics (the blocks are deterministic functions of the packets
 * replayed in arrival order, peak.h), but it needs the telescope, and a
 * held packet takes 18 to 30 bytes where the built blocks take a kilobyte;
 * keeping the form makes the decoded flow the original, field for field,
 * with no argument needed.
 * A flow of the prefix view (attack_table_key_prefix()) is written the
 * same way, its victim being the prefix, and adds its victims (32-bit
 * hashes, see attack_table_key_prefix()): form 0 ends with u32 the hash
 * of its one victim; form 2 ends with the victims' block as
 * distinct_encode() writes it; it has no form 1 (its packets are never
 * held: a held packet has no room for the victim). Nothing in the bytes
 * says which kind a flow is: the file around them does
 * (outdir/flowstate.h keeps them apart).
 * Decoding checks start <= end <= touch, bytes
 * possible for the packets (at most UINT32_MAX each), mismatches
 * possible (at most one per packet, a responder exactly when there are
 * some), a destination count, attacker ports and sample no larger than
 * the packets, and each block's own rules; for a prefix flow also a
 * prefix with no bits set past the view's length and, built, from one
 * victim to as many as packets. Equal flows give equal bytes. */

/** Appends f (either kind) to b. 0, -BS_ENOMEM (bs_buf_status(b)), or
 * -BS_EINVAL for a prefix flow holding packets (none does). */
int attack_flow_encode(const attack_flow_t *f, struct bs_buf *b);
/** Reads one flow written by attack_flow_encode() from r into a new
 * partial flow *out (free with attack_flow_free(), or pass to
 * attack_table_adopt()). 0; -BS_EFORMAT when the bytes end early or break
 * a rule above (r fails, saying why); -BS_ENOMEM. *out is NULL after an
 * error. */
int attack_flow_decode(struct bs_buf_reader *r, attack_flow_t **out);
/** As attack_flow_decode(), for a flow of a prefix-view table keyed as pv
 * (borrowed) says: the flow read is one (attack_flow_is_prefix()), to be
 * adopted by a table keyed on pv. */
int attack_prefix_flow_decode(struct bs_buf_reader *r, const struct attack_prefix_view *pv,
                              attack_flow_t **out);
/** True when a and b are the same partial flow for everything a table
 * does with them (adopt, merge, judge, report): key, times, counters,
 * held packets or built blocks. */
bool attack_flow_equal(const attack_flow_t *a, const attack_flow_t *b);

#endif

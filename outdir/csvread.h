/* csvread.h - read attacks.csv, timeseries.csv and prefix_attacks.csv
 * back, as `report` does.
 *
 * The CSV files are the user contract (INTERFACE.md), so `report` reads
 * what users read rather than a private format: a report can be made from
 * any collect output directory, including ones copied from another machine
 * or made by an older version. Columns are found by their header name, so
 * columns added at the end of a later version do not disturb an older
 * reader. Parsing is strict: a malformed cell is an error naming its row
 * and column, never a silently wrong number in a report.
 *
 * `merge` reads every column the collector writes, to write the rows
 * again: csvread_attacks_full() and csvread_timeseries_full() require
 * them all, while csvread_attacks() and csvread_timeseries() (report)
 * ignore the columns report does not use, so a malformed cell there never
 * stops a report.
 *
 * Rows are streamed to a callback one at a time: a year of nights holds
 * about 10^6 attacks and the reader never keeps more than one row. The
 * parser is libcsv (RFC 4180: quoted fields with commas, doubled quotes
 * and line breaks, as as_org may contain). */
#ifndef OUTDIR_CSVREAD_H
#define OUTDIR_CSVREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/bs_error.h"
#include "telescope/addr.h"
#include "telescope/event.h"

/** One row of attacks.csv. The first group is what `report` uses; the
 * second is read only by csvread_attacks_full() and keeps its "unknown"
 * value (0, -1, NAN, false) from csvread_attacks(). attack_id, duration_s
 * and mean_pps are never read: they follow from the others (attack_list.c). */
struct csvread_attack {
	bs_addr_t victim;
	uint64_t start_us, end_us; /* microseconds since the epoch, UTC */
	uint64_t packets;          /* backscatter packets */
	double est_attack_pps;     /* NAN when the cell is empty (IPv6, no size) */
	uint32_t responses;        /* bit (1u << BS_RESP_*) per response type */
	uint32_t peak_ppm;         /* packets in the busiest 60 s window */
	uint32_t asn;              /* 0 when unknown */
	uint8_t proto;             /* enum bs_proto */
	bool uniform;              /* passed the uniform-spoofing test */
	const char *country;       /* "" when unknown; valid during the callback */
	const char *as_org;        /* "" when unknown; valid during the callback */
	const char *asn_origins;   /* the asn cell when it names several ASes
	                              ("30_10_20", --pfx2as; asn is then the
	                              first), else ""; valid during the callback */
	int32_t top_port;          /* -1 when the cell is empty (ICMP) or absent */
	/* csvread_attacks_full() only: */
	uint64_t bytes;           /* IP total length of the backscatter */
	uint64_t telescope_addrs; /* distinct telescope destinations */
	uint32_t victim_ports;    /* distinct victim ports */
	double uniformity_a2;     /* NAN when the cell is empty */
	uint64_t icmp_mismatches; /* router-generated ICMP errors */
	bs_addr_t responder;      /* valid when has_responder */
	bool has_responder;       /* the responder cell is not empty */
	int32_t attack_ports;     /* distinct attacker ports; -1 when the cell is
	                             empty or the column absent (written by a
	                             version before it) */
};

/** One row of timeseries.csv. packets_proto is read only by
 * csvread_timeseries_full() (all zero from csvread_timeseries()). */
struct csvread_bin {
	uint64_t start_us, end_us;              /* bin bounds, end exclusive */
	uint64_t packets;                       /* backscatter packets */
	uint64_t attacks_active;                /* attacks overlapping the bin */
	uint64_t attacks_started;               /* attacks that started in the bin */
	uint64_t victims;                       /* distinct victims of the active attacks */
	uint64_t packets_proto[BS_PROTO_COUNT]; /* per enum bs_proto; sum = packets */
};

/** One row of prefix_attacks.csv (collect --prefix-view). The first
 * group is what `report` uses of it; the second is read only by
 * csvread_prefix_attacks_full() (merge) and keeps its "unknown" value
 * (0, -1, NAN, false) from csvread_prefix_attacks(). */
struct csvread_prefix {
	bs_addr_t prefix;          /* bits past len zero */
	uint8_t len;               /* prefix length */
	uint8_t proto;             /* enum bs_proto */
	uint64_t start_us, end_us; /* microseconds since the epoch, UTC */
	uint64_t packets;          /* backscatter packets */
	uint64_t victims;          /* distinct victim addresses */
	uint64_t victim_attacks;   /* of which attacked on their own */
	/* csvread_prefix_attacks_full() only, as in struct csvread_attack: */
	uint64_t bytes;
	uint64_t telescope_addrs;
	uint32_t victim_ports;
	int32_t top_port; /* -1 when the cell is empty */
	uint32_t responses;
	uint32_t peak_ppm;
	double uniformity_a2; /* NAN when the cell is empty */
	bool uniform;
	int32_t attack_ports; /* -1 when the cell is empty */
};

/** Receives each row once, in file order; the row is borrowed. Returns 0 to
 * go on, or a negative BS_E* code that stops reading and is returned, with
 * the reader's err as the callback left it: a callback that knows more
 * than its code writes its message there (through its arg). */
typedef int (*csvread_attack_cb)(const struct csvread_attack *row, void *arg);
/** As csvread_attack_cb, for timeseries.csv rows. */
typedef int (*csvread_bin_cb)(const struct csvread_bin *row, void *arg);

/** Reads attacks.csv from f (borrowed, read to its end or to the first
 * error) and passes each data row to cb. The header row must name at least
 * victim, protocol, start_time, end_time, packets, responses, peak_ppm,
 * est_attack_pps and uniform; country, asn, as_org and top_port are
 * optional (empty, top_port -1, when absent; top_port empty or 0..65535);
 * other columns are ignored. Returns 0; -BS_EFORMAT for a
 * missing column, a row whose field count differs from the header's, or a
 * cell that does not parse (err then says "row N: ..." with the column and
 * the cell, quoted on one line); -BS_EIO when reading fails (err holds
 * errno's text); -BS_ENOMEM (err cleared); or cb's error (see
 * csvread_attack_cb). err is cleared first and on success; it may be NULL.
 * Its messages do not name the file: the caller, who opened it, does. */
int csvread_attacks(FILE *f, csvread_attack_cb cb, void *arg, struct bs_err *err);

/** Reads timeseries.csv from f like csvread_attacks(). Required columns:
 * bin_start, bin_end, packets, attacks_active, attacks_started, victims;
 * a bin whose end is not after its start is -BS_EFORMAT. */
int csvread_timeseries(FILE *f, csvread_bin_cb cb, void *arg, struct bs_err *err);

/** Receives each prefix_attacks.csv row, as csvread_attack_cb. */
typedef int (*csvread_prefix_cb)(const struct csvread_prefix *row, void *arg);
/** Reads prefix_attacks.csv from f like csvread_attacks(). Required
 * columns: prefix (ADDRESS/LEN, no bits past LEN), protocol, start_time,
 * end_time, packets, victims, victim_attacks (at most victims). */
int csvread_prefix_attacks(FILE *f, csvread_prefix_cb cb, void *arg, struct bs_err *err);
/** As csvread_prefix_attacks(), but every column attack_list.c writes
 * but the derived prefix_id, duration_s and mean_pps is required and
 * parsed, as csvread_attacks_full() parses the same columns of
 * attacks.csv (responses a |-separated list, peak_ppm a whole number,
 * uniform 0 or 1, attack_ports empty or 0..65536). Same errors. */
int csvread_prefix_attacks_full(FILE *f, csvread_prefix_cb cb, void *arg, struct bs_err *err);

/** As csvread_attacks(), but every column attack_list.c writes except the
 * derived attack_id, duration_s and mean_pps is required (country, asn
 * and as_org included) and parsed into the whole struct csvread_attack:
 * bytes, telescope_addrs, victim_ports, icmp_mismatches whole numbers,
 * top_port empty or 0..65535, uniformity_a2 empty or a number, responder
 * empty or an address. attack_ports, empty or 0..65536, is the one column
 * that may be missing: it came later, and the files of older versions
 * (merged again, or next to new ones) have none. Same errors as
 * csvread_attacks(). */
int csvread_attacks_full(FILE *f, csvread_attack_cb cb, void *arg, struct bs_err *err);

/** As csvread_timeseries(), but the per-protocol columns packets_tcp,
 * packets_udp, packets_icmp and packets_other are required too and must
 * add up to packets (-BS_EFORMAT otherwise). */
int csvread_timeseries_full(FILE *f, csvread_bin_cb cb, void *arg, struct bs_err *err);

#endif

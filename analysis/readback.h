/* readback.h - read attacks.csv and timeseries.csv back, as `report` does.
 *
 * The CSV files are the user contract (INTERFACE.md), so `report` reads
 * what users read rather than a private format: a report can be made from
 * any collect output directory, including ones copied from another machine
 * or made by an older version. Columns are found by their header name, so
 * columns added at the end of a later version do not disturb an older
 * reader. Parsing is strict: a malformed cell is an error naming its row
 * and column, never a silently wrong number in a report.
 *
 * Rows are streamed to a callback one at a time: a year of nights holds
 * about 10^6 attacks and the reader never keeps more than one row. The
 * parser is libcsv (RFC 4180: quoted fields with commas, doubled quotes
 * and line breaks, as as_org may contain). */
#ifndef ANALYSIS_READBACK_H
#define ANALYSIS_READBACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"

/** Size of an error text buffer that fits every message of this module
 * (row number, column name and the offending cell, shortened). */
#define READBACK_ERRLEN 256

/** One row of attacks.csv, the columns `report` uses. */
struct readback_attack {
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
};

/** One row of timeseries.csv, the columns `report` uses. */
struct readback_bin {
	uint64_t start_us, end_us; /* bin bounds, end exclusive */
	uint64_t packets;          /* backscatter packets */
	uint64_t attacks_active;   /* attacks overlapping the bin */
	uint64_t attacks_started;  /* attacks that started in the bin */
	uint64_t victims;          /* distinct victims of the active attacks */
};

/** Receives each row once, in file order; the row is borrowed. Returns 0 to
 * go on, or a negative BS_E* code that stops reading and is returned. */
typedef int (*readback_attack_cb)(const struct readback_attack *row, void *arg);
/** As readback_attack_cb, for timeseries.csv rows. */
typedef int (*readback_bin_cb)(const struct readback_bin *row, void *arg);

/** Reads attacks.csv from f (borrowed, read to its end or to the first
 * error) and passes each data row to cb. The header row must name at least
 * victim, protocol, start_time, end_time, packets, responses, peak_ppm,
 * est_attack_pps and uniform; country, asn and as_org are optional (empty
 * when absent); other columns are ignored. Returns 0; -BS_EFORMAT for a
 * missing column, a row whose field count differs from the header's, or a
 * cell that does not parse (err then says which row and column); -BS_EIO
 * when reading fails (errno set); -BS_ENOMEM; or cb's error. err (errlen
 * bytes, READBACK_ERRLEN fits all) receives a one-line message on
 * -BS_EFORMAT and is "" otherwise; it may be NULL when errlen is 0. */
int readback_attacks(FILE *f, readback_attack_cb cb, void *arg, char *err, size_t errlen);

/** Reads timeseries.csv from f like readback_attacks(). Required columns:
 * bin_start, bin_end, packets, attacks_active, attacks_started, victims;
 * a bin whose end is not after its start is -BS_EFORMAT. */
int readback_timeseries(FILE *f, readback_bin_cb cb, void *arg, char *err, size_t errlen);

#endif

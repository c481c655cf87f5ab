/* csvout.h - RFC 4180 output and the UTC time text of every output file.
 *
 * Named csvout, not csv, because libcsv (used by readback.c to read the
 * files back) installs <csv.h>, and -I analysis would shadow it.
 *
 * Users load attacks.csv and timeseries.csv into pandas, R and DuckDB for
 * years (INTERFACE.md), so the dialect is fixed here once: comma between
 * fields, '\n' after each row (RFC 4180 says CRLF; INTERFACE.md chose '\n'
 * and every reader above accepts it), double quotes only around fields that
 * need them, an empty field for "unknown". Times are UTC ISO 8601 with
 * exactly six fractional digits, so they sort as text and parse back
 * exactly (bs_parse_time, used when `report` reads a directory back).
 *
 * Numbers go through the C locale's printf: the program never calls
 * setlocale() for LC_NUMERIC, so the decimal point is always '.'. */
#ifndef ANALYSIS_CSVOUT_H
#define ANALYSIS_CSVOUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Microseconds per second: packet times are microseconds since the epoch. */
#define BS_US_PER_S 1000000u
/** Size of a time text buffer: "2026-11-24T03:00:05.123456Z" plus NUL. */
#define BS_TIME_STRLEN 28
/** Last representable instant, 9999-12-31T23:59:59.999999Z, in microseconds
 * since the Unix epoch: ISO 8601's four-digit year ends there, and a wider
 * year would break fixed-width sorting of the text. */
#define BS_TIME_MAX_US 253402300799999999ull
/** Buffer size that fits any number the output files write: a uint64 and
 * "%.1f" of any rate derivable from uint64 counts over microsecond
 * durations (< 1e35). */
#define CSVOUT_NUM_STRLEN 64

/** Writes one field (no separator) to f, quoted when s contains a comma,
 * a double quote, CR or LF, with inner quotes doubled. NULL or "" writes an
 * empty field. s is borrowed. 0, or -BS_EIO when the stream fails (errno set). */
int csvout_write_field(FILE *f, const char *s);

/** Writes fields[0..n-1] (borrowed; NULL entries are empty fields) as one
 * row: fields joined by ',' and ended by '\n'. 0 or -BS_EIO (errno set). */
int csvout_write_row(FILE *f, const char *const *fields, size_t n);

/** Decimal text of v into buf (len >= 21 always fits). 0, or -BS_ERANGE when
 * it does not fit (buf is then "" if len > 0). */
int csvout_fmt_u64(char *buf, size_t len, uint64_t v);

/** v with 'decimals' (0..17) digits after the point ("%.*f") into buf.
 * Non-finite v (NAN, infinity) gives "", the CSV "unknown". 0, -BS_EINVAL
 * for bad decimals, or -BS_ERANGE when the text does not fit in len (use
 * CSVOUT_NUM_STRLEN); buf is "" on error when len > 0. */
int csvout_fmt_double(char *buf, size_t len, int decimals, double v);

/** Formats us (microseconds since the Unix epoch) as UTC ISO 8601 with
 * microseconds, "2026-11-24T03:00:05.123456Z", into buf. Exact: the
 * fraction is us % 10^6, never rounded, so it never carries into seconds.
 * Years past 9999 are rejected, not clamped, because a clamped time would be
 * a wrong time. 0, -BS_EINVAL when len < BS_TIME_STRLEN, -BS_ERANGE when
 * us > BS_TIME_MAX_US (or does not fit the platform's time_t); buf is ""
 * on error when len > 0. */
int bs_format_time(uint64_t us, char *buf, size_t len);

/** Parses the text bs_format_time() writes: "YYYY-MM-DDTHH:MM:SS" followed
 * by an optional '.' and 1 to 6 fraction digits, then 'Z'. Nothing else is
 * accepted (no offsets, no spaces, no leap second 60), so a malformed cell
 * is an error rather than a silently wrong time. *us receives microseconds
 * since the epoch. 0, -BS_EINVAL for bad syntax or an impossible date
 * (Feb 30), -BS_ERANGE for a time before 1970; *us = 0 on error. */
int bs_parse_time(const char *s, uint64_t *us);

#endif

/* csvwrite.h - RFC 4180 output and the UTC time text of every output file.
 *
 * Named csvout, not csv, because libcsv (used by csvread.c to read the
 * files back) installs <csv.h>, and -I analysis would shadow it.
 *
 * Users load attacks.csv and timeseries.csv into pandas, R and DuckDB for
 * years (INTERFACE.md), so the dialect is fixed here once: comma between
 * fields, '\n' after each row (RFC 4180 says CRLF; INTERFACE.md chose '\n'
 * and every reader above accepts it), double quotes only around fields that
 * need them, an empty field for "unknown". Times are written by bs_format_time()
 * (base/bs_time.h).
 *
 * Numbers go through the C locale's printf: the program never calls
 * setlocale() for LC_NUMERIC, so the decimal point is always '.'. */
#ifndef OUTDIR_CSVWRITE_H
#define OUTDIR_CSVWRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Buffer size that fits any number the output files write: a uint64 and
 * "%.1f" of any rate derivable from uint64 counts over microsecond
 * durations (< 1e35). */
#define CSVWRITE_NUM_STRLEN 64

/** Writes one field (no separator) to f, quoted when s contains a comma,
 * a double quote, CR or LF, with inner quotes doubled. NULL or "" writes an
 * empty field. s is borrowed. 0, or -BS_EIO when the stream fails (errno set). */
int csvwrite_write_field(FILE *f, const char *s);

/** Writes fields[0..n-1] (borrowed; NULL entries are empty fields) as one
 * row: fields joined by ',' and ended by '\n'. 0 or -BS_EIO (errno set). */
int csvwrite_write_row(FILE *f, const char *const *fields, size_t n);

/** Decimal text of v into buf (len >= 21 always fits). 0, or -BS_ERANGE when
 * it does not fit (buf is then "" if len > 0). */
int csvwrite_fmt_u64(char *buf, size_t len, uint64_t v);

/** v with 'decimals' (0..17) digits after the point ("%.*f") into buf.
 * Non-finite v (NAN, infinity) gives "", the CSV "unknown". 0, -BS_EINVAL
 * for bad decimals, or -BS_ERANGE when the text does not fit in len (use
 * CSVWRITE_NUM_STRLEN); buf is "" on error when len > 0. */
int csvwrite_fmt_double(char *buf, size_t len, int decimals, double v);

#endif

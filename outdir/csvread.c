/* csvread.c - attacks.csv and timeseries.csv rows back into numbers.
 *
 * libcsv splits records (it handles quoting, doubled quotes and line breaks
 * inside quotes, which as_org can contain); this file maps header names to
 * the columns it wants, keeps only those cells of the current row, and
 * parses each one strictly: digits only for counts, the exact time text
 * bs_format_time() writes, the protocol and response names of event.c.
 *
 * libcsv reports fields and row ends through callbacks that cannot return
 * an error, so the first error is kept in the reader and every later
 * callback does nothing; the read loop stops at the end of that block. */
#include "outdir/csvread.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_time.h"
#include "outdir/csvwrite.h"
#include "telescope/event.h"
#include "telescope/pfx2as.h"

/* Bytes read per fread(): large enough that the per-call overhead of
 * csv_parse() vanishes, small enough to sit in L2. */
#define CSVREAD_BLOCK 65536
/* Longest cell quoted back in an error message, in bytes. */
#define CSVREAD_CELL_QUOTE 40

/* A column the caller wants: its header name and whether it must exist.
 * A NULL name is a column this reader ignores (its cell stays ""): the
 * report and full readers share one column enum and one row parser. */
struct column {
	const char *name;
	bool required;
};

struct reader;
/* Called with the wanted cells of one data row in rd->cells. */
typedef int (*row_fn)(struct reader *rd);

/* The caller's callback, whichever file is read. */
union row_cb {
	csvread_attack_cb attack;
	csvread_bin_cb bin;
	csvread_prefix_cb prefix;
};

struct reader {
	const struct column *cols;
	size_t n_cols;
	int *map;        /* header field index -> wanted column, -1 = ignored */
	size_t n_header; /* fields in the header row */
	size_t map_cap;
	size_t *off;        /* per wanted column: offset of its cell in buf */
	bool *present;      /* per wanted column: found in the header */
	const char **cells; /* per wanted column, set before row_fn; "" when absent */
	char *buf;          /* the wanted cells of the current row, NUL-separated */
	size_t len, cap;
	size_t field;           /* index of the next field in the current row */
	unsigned long long row; /* 1 = header, data rows from 2 */
	row_fn on_row;
	union row_cb cb; /* the caller's callback, called by on_row */
	void *arg;
	int rc; /* first error; callbacks do nothing once set */
	struct bs_err *err;
};

/* Records the first error, a -BS_EFORMAT one with "row N: ..." in rd->err.
 * Returns rc so callers can `return fail(...)`. */
__attribute__((format(printf, 3, 4))) static int fail(struct reader *rd, int rc, const char *fmt,
                                                      ...)
{
	if (rd->rc != 0)
		return rd->rc;
	rd->rc = rc;
	if (rc == -BS_EFORMAT) {
		char what[BS_ERR_MSGLEN];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		bs_err_set(rd->err, rc, "row %llu: %s", rd->row, what);
	}
	return rc;
}

/* "column C: 'cell' is not WHAT" for the wanted column i. A quoted cell
 * may hold a line break (found by fuzz_readback): bs_err_set() makes it
 * '?'. */
static int bad_cell(struct reader *rd, size_t i, const char *what)
{
	const char *cell = rd->cells[i];
	size_t n = strnlen(cell, CSVREAD_CELL_QUOTE);
	return fail(rd, -BS_EFORMAT, "column %s: '%.*s%s' is not %s", rd->cols[i].name, (int)n,
	            cell, cell[n] != '\0' ? "..." : "", what);
}

/* UTF-8 byte order mark, which spreadsheet programs put in front of a CSV
 * file they save: part of no column name. */
static const char UTF8_BOM[] = "\xef\xbb\xbf";
#define UTF8_BOM_LEN (sizeof UTF8_BOM - 1)

static void header_field(struct reader *rd, const char *s, size_t len)
{
	if (rd->field == 0 && len >= UTF8_BOM_LEN && memcmp(s, UTF8_BOM, UTF8_BOM_LEN) == 0) {
		s += UTF8_BOM_LEN;
		len -= UTF8_BOM_LEN;
	}
	if (bs_array_reserve(&rd->map, &rd->map_cap, rd->field + 1, sizeof *rd->map) != 0) {
		fail(rd, -BS_ENOMEM, "out of memory");
		return;
	}
	rd->map[rd->field] = -1;
	for (size_t i = 0; i < rd->n_cols; i++) {
		if (rd->cols[i].name == NULL || strlen(rd->cols[i].name) != len ||
		    memcmp(rd->cols[i].name, s, len) != 0)
			continue;
		if (rd->present[i]) {
			fail(rd, -BS_EFORMAT, "column %s appears twice in the header",
			     rd->cols[i].name);
			return;
		}
		rd->present[i] = true;
		rd->map[rd->field] = (int)i;
	}
}

static void on_field(void *field, size_t len, void *data)
{
	struct reader *rd = data;
	const char *s = field ? field : "";
	if (rd->rc != 0)
		return;
	if (memchr(s, '\0', len) != NULL) {
		fail(rd, -BS_EFORMAT, "field %zu contains a NUL byte", rd->field + 1);
		return;
	}
	if (rd->row == 1) {
		header_field(rd, s, len);
	} else if (rd->field < rd->n_header && rd->map[rd->field] >= 0) {
		if (len > SIZE_MAX - rd->len - 1 ||
		    bs_array_reserve(&rd->buf, &rd->cap, rd->len + len + 1, 1) != 0) {
			fail(rd, -BS_ENOMEM, "out of memory");
			return;
		}
		rd->off[rd->map[rd->field]] = rd->len;
		memcpy(rd->buf + rd->len, s, len);
		rd->buf[rd->len + len] = '\0';
		rd->len += len + 1;
	}
	rd->field++;
}

static void end_header(struct reader *rd)
{
	rd->n_header = rd->field;
	for (size_t i = 0; i < rd->n_cols; i++)
		if (rd->cols[i].required && !rd->present[i]) {
			fail(rd, -BS_EFORMAT, "the header has no column %s", rd->cols[i].name);
			return;
		}
}

static void on_row_end(int c, void *data)
{
	(void)c;
	struct reader *rd = data;
	if (rd->rc != 0)
		return;
	if (rd->row == 1) {
		end_header(rd);
	} else if (rd->field != rd->n_header) {
		fail(rd, -BS_EFORMAT, "%zu fields, the header has %zu", rd->field, rd->n_header);
		return;
	} else {
		for (size_t i = 0; i < rd->n_cols; i++)
			rd->cells[i] = rd->present[i] ? rd->buf + rd->off[i] : "";
		int rc = rd->on_row(rd);
		if (rc != 0) {
			/* Ours (bad_cell) or the caller's callback's, with its
			 * message, if any, already in rd->err. */
			rd->rc = rc;
			return;
		}
	}
	rd->row++;
	rd->field = 0;
	rd->len = 0;
}

/* libcsv trims blanks around unquoted fields by default; our files never
 * have any, and " 768" is not the number our writer would write. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* Streams f through libcsv into rd->on_row. */
static int read_csv(FILE *f, struct reader *rd)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return -BS_ENOMEM;
	csv_set_space_func(&p, no_space);
	char *block = malloc(CSVREAD_BLOCK);
	if (block == NULL) {
		csv_free(&p);
		return -BS_ENOMEM;
	}
	while (rd->rc == 0) {
		size_t n = fread(block, 1, CSVREAD_BLOCK, f);
		if (n > 0 && csv_parse(&p, block, n, on_field, on_row_end, rd) != n && rd->rc == 0)
			fail(rd, csv_error(&p) == CSV_ENOMEM ? -BS_ENOMEM : -BS_EFORMAT,
			     "malformed CSV (%s)", csv_strerror(csv_error(&p)));
		if (n < CSVREAD_BLOCK)
			break;
	}
	if (rd->rc == 0 && ferror(f)) {
		int e = errno;
		rd->rc = bs_err_set(rd->err, -BS_EIO, "%s", strerror(e));
		if (rd->err != NULL)
			rd->err->sys_errno = e;
		errno = e;
	}
	if (rd->rc == 0 && csv_fini(&p, on_field, on_row_end, rd) != 0)
		fail(rd, -BS_EFORMAT, "malformed CSV at the end of the file (%s)",
		     csv_strerror(csv_error(&p)));
	if (rd->rc == 0 && rd->row == 1)
		fail(rd, -BS_EFORMAT, "the file is empty: no header row");
	free(block);
	csv_free(&p);
	return rd->rc;
}

/* Sets up rd for cols, runs it over f, frees what it allocated. */
static int run_reader(FILE *f, const struct column *cols, size_t n_cols, row_fn on_row,
                      union row_cb cb, void *arg, struct bs_err *err)
{
	bs_err_clear(err);
	struct reader rd = {
	    .cols = cols,
	    .n_cols = n_cols,
	    .row = 1,
	    .on_row = on_row,
	    .cb = cb,
	    .arg = arg,
	    .err = err,
	};
	rd.off = calloc(n_cols, sizeof *rd.off);
	rd.present = calloc(n_cols, sizeof *rd.present);
	rd.cells = calloc(n_cols, sizeof *rd.cells);
	int rc = -BS_ENOMEM;
	if (rd.off != NULL && rd.present != NULL && rd.cells != NULL)
		rc = read_csv(f, &rd);
	free(rd.off);
	free(rd.present);
	free(rd.cells);
	free(rd.buf);
	free(rd.map);
	return rc;
}

/* Cell parsers: 0 when the whole cell is a valid value, else nonzero. */

static int cell_u64(const char *s, uint64_t *v)
{
	*v = 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		uint64_t d = (uint64_t)(*s - '0');
		if (*v > (UINT64_MAX - d) / 10)
			return -1;
		*v = *v * 10 + d;
	}
	return 0;
}

static int cell_u32(const char *s, uint32_t *v)
{
	uint64_t w;
	*v = 0;
	if (cell_u64(s, &w) != 0 || w > UINT32_MAX)
		return -1;
	*v = (uint32_t)w;
	return 0;
}

/* A non-negative finite decimal number as csv_fmt_double() writes it;
 * strtod alone would also take blanks, signs, hex, "inf" and "nan". */
static int cell_double(const char *s, double *v)
{
	*v = NAN;
	if (*s < '0' || *s > '9' || strspn(s, "0123456789.eE+-") != strlen(s))
		return -1;
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(d))
		return -1;
	*v = d;
	return 0;
}

/* A number as csv_fmt_double() writes it, with an optional leading '-'
 * (uniformity_a2 is a statistic, not a count). */
static int cell_signed_double(const char *s, double *v)
{
	int rc = cell_double(s[0] == '-' ? s + 1 : s, v);
	if (rc == 0 && s[0] == '-')
		*v = -*v;
	return rc;
}

static int cell_proto(const char *s, uint8_t *proto)
{
	for (int i = 0; i < BS_PROTO_COUNT; i++)
		if (strcmp(s, bs_proto_name(i)) == 0) {
			*proto = (uint8_t)i;
			return 0;
		}
	return -1;
}

/* "TCP_SYNACK|TCP_RST" into bits; "" is no response type. */
static int cell_responses(const char *s, uint32_t *bits)
{
	*bits = 0;
	while (*s != '\0') {
		size_t len = strcspn(s, "|");
		int found = -1;
		for (int i = 0; i < BS_RESP_COUNT && found < 0; i++) {
			const char *name = bs_response_name(i);
			if (strlen(name) == len && memcmp(name, s, len) == 0)
				found = i;
		}
		if (found < 0)
			return -1;
		*bits |= 1u << found;
		s += len;
		if (*s == '|' && *++s == '\0')
			return -1; /* trailing separator */
	}
	return 0;
}

enum attack_col {
	AC_VICTIM,
	AC_PROTOCOL,
	AC_START,
	AC_END,
	AC_PACKETS,
	AC_RESPONSES,
	AC_PEAK_PPM,
	AC_EST_PPS,
	AC_UNIFORM,
	AC_COUNTRY,
	AC_ASN,
	AC_AS_ORG,
	/* read by csvread_attacks_full() only */
	AC_BYTES,
	AC_TELESCOPE_ADDRS,
	AC_VICTIM_PORTS,
	AC_TOP_PORT,
	AC_UNIFORMITY_A2,
	AC_ICMP_MISMATCHES,
	AC_RESPONDER,
	AC_ATTACK_PORTS,
	AC_COUNT
};

/* What report reads: the columns after AC_AS_ORG are ignored but for
 * top_port (the attacked-services table). */
static const struct column attack_cols[AC_COUNT] = {
    [AC_VICTIM] = {"victim", true},      [AC_PROTOCOL] = {"protocol", true},
    [AC_START] = {"start_time", true},   [AC_END] = {"end_time", true},
    [AC_PACKETS] = {"packets", true},    [AC_RESPONSES] = {"responses", true},
    [AC_PEAK_PPM] = {"peak_ppm", true},  [AC_EST_PPS] = {"est_attack_pps", true},
    [AC_UNIFORM] = {"uniform", true},    [AC_COUNTRY] = {"country", false},
    [AC_ASN] = {"asn", false},           [AC_AS_ORG] = {"as_org", false},
    [AC_TOP_PORT] = {"top_port", false},
};

/* What merge reads: every column it writes again. */
static const struct column attack_cols_full[AC_COUNT] = {
    [AC_VICTIM] = {"victim", true},
    [AC_PROTOCOL] = {"protocol", true},
    [AC_START] = {"start_time", true},
    [AC_END] = {"end_time", true},
    [AC_PACKETS] = {"packets", true},
    [AC_RESPONSES] = {"responses", true},
    [AC_PEAK_PPM] = {"peak_ppm", true},
    [AC_EST_PPS] = {"est_attack_pps", true},
    [AC_UNIFORM] = {"uniform", true},
    [AC_COUNTRY] = {"country", true},
    [AC_ASN] = {"asn", true},
    [AC_AS_ORG] = {"as_org", true},
    [AC_BYTES] = {"bytes", true},
    [AC_TELESCOPE_ADDRS] = {"telescope_addrs", true},
    [AC_VICTIM_PORTS] = {"victim_ports", true},
    [AC_TOP_PORT] = {"top_port", true},
    [AC_UNIFORMITY_A2] = {"uniformity_a2", true},
    [AC_ICMP_MISMATCHES] = {"icmp_mismatches", true},
    [AC_RESPONDER] = {"responder", true},
    /* Added after the others: files written before have none. */
    [AC_ATTACK_PORTS] = {"attack_ports", false},
};

/* Largest port number, for top_port. */
#define CSVREAD_MAX_PORT 65535u
/* Most distinct ports, for attack_ports: every 16-bit port. */
#define CSVREAD_PORTS 65536u

/* The columns only the full reader has; present[] is false for the rest. */
static int attack_row_full(struct reader *rd, struct csvread_attack *a)
{
	const char *const *c = rd->cells;
	if (rd->present[AC_BYTES] && cell_u64(c[AC_BYTES], &a->bytes) != 0)
		return bad_cell(rd, AC_BYTES, "a whole number");
	if (rd->present[AC_TELESCOPE_ADDRS] &&
	    cell_u64(c[AC_TELESCOPE_ADDRS], &a->telescope_addrs) != 0)
		return bad_cell(rd, AC_TELESCOPE_ADDRS, "a whole number");
	if (rd->present[AC_VICTIM_PORTS] && cell_u32(c[AC_VICTIM_PORTS], &a->victim_ports) != 0)
		return bad_cell(rd, AC_VICTIM_PORTS, "a whole number");
	if (c[AC_TOP_PORT][0] != '\0') {
		uint32_t port;
		if (cell_u32(c[AC_TOP_PORT], &port) != 0 || port > CSVREAD_MAX_PORT)
			return bad_cell(rd, AC_TOP_PORT, "empty or a port number");
		a->top_port = (int32_t)port;
	}
	if (c[AC_UNIFORMITY_A2][0] != '\0' &&
	    cell_signed_double(c[AC_UNIFORMITY_A2], &a->uniformity_a2) != 0)
		return bad_cell(rd, AC_UNIFORMITY_A2, "empty or a number");
	if (rd->present[AC_ICMP_MISMATCHES] &&
	    cell_u64(c[AC_ICMP_MISMATCHES], &a->icmp_mismatches) != 0)
		return bad_cell(rd, AC_ICMP_MISMATCHES, "a whole number");
	if (c[AC_RESPONDER][0] != '\0') {
		if (bs_addr_parse(c[AC_RESPONDER], &a->responder) != 0)
			return bad_cell(rd, AC_RESPONDER, "empty or an IPv4 or IPv6 address");
		a->has_responder = true;
	}
	if (c[AC_ATTACK_PORTS][0] != '\0') {
		uint32_t ports;
		if (cell_u32(c[AC_ATTACK_PORTS], &ports) != 0 || ports > CSVREAD_PORTS)
			return bad_cell(rd, AC_ATTACK_PORTS, "empty or a number of ports");
		a->attack_ports = (int32_t)ports;
	}
	return 0;
}

static int attack_row(struct reader *rd)
{
	const char *const *c = rd->cells;
	struct csvread_attack a = {
	    .est_attack_pps = NAN, .top_port = -1, .uniformity_a2 = NAN, .attack_ports = -1};
	if (bs_addr_parse(c[AC_VICTIM], &a.victim) != 0)
		return bad_cell(rd, AC_VICTIM, "an IPv4 or IPv6 address");
	if (cell_proto(c[AC_PROTOCOL], &a.proto) != 0)
		return bad_cell(rd, AC_PROTOCOL, "TCP, UDP, ICMP or OTHER");
	if (bs_parse_time(c[AC_START], &a.start_us) != 0)
		return bad_cell(rd, AC_START, "a UTC time like 2026-11-24T03:00:05.123456Z");
	if (bs_parse_time(c[AC_END], &a.end_us) != 0)
		return bad_cell(rd, AC_END, "a UTC time like 2026-11-24T03:00:05.123456Z");
	if (a.end_us < a.start_us)
		return bad_cell(rd, AC_END, "at or after start_time");
	if (cell_u64(c[AC_PACKETS], &a.packets) != 0)
		return bad_cell(rd, AC_PACKETS, "a whole number");
	if (cell_responses(c[AC_RESPONSES], &a.responses) != 0)
		return bad_cell(rd, AC_RESPONSES, "a |-separated list of response types");
	if (cell_u32(c[AC_PEAK_PPM], &a.peak_ppm) != 0)
		return bad_cell(rd, AC_PEAK_PPM, "a whole number");
	if (c[AC_EST_PPS][0] != '\0' && cell_double(c[AC_EST_PPS], &a.est_attack_pps) != 0)
		return bad_cell(rd, AC_EST_PPS, "empty or a non-negative number");
	if (strcmp(c[AC_UNIFORM], "0") != 0 && strcmp(c[AC_UNIFORM], "1") != 0)
		return bad_cell(rd, AC_UNIFORM, "0 or 1");
	a.uniform = c[AC_UNIFORM][0] == '1';
	/* an AS number, or the origin field of a multi-origin prefix or AS
	 * set as --pfx2as writes it (telescope/pfx2as.h) */
	size_t n_as = 0;
	if (c[AC_ASN][0] != '\0' &&
	    pfx2as_parse_origins(c[AC_ASN], strlen(c[AC_ASN]), &a.asn, &n_as) != 0)
		return bad_cell(rd, AC_ASN, "empty, an AS number or ASes joined by _ or ,");
	a.asn_origins = n_as > 1 ? c[AC_ASN] : "";
	a.country = c[AC_COUNTRY];
	a.as_org = c[AC_AS_ORG];
	int rc = attack_row_full(rd, &a);
	if (rc != 0)
		return rc;
	return rd->cb.attack(&a, rd->arg);
}

enum bin_col {
	BC_START,
	BC_END,
	BC_PACKETS,
	BC_ACTIVE,
	BC_STARTED,
	BC_VICTIMS,
	BC_PACKETS_TCP, /* then one per enum bs_proto, full reader only */
	BC_COUNT = BC_PACKETS_TCP + BS_PROTO_COUNT
};

static const struct column bin_cols[BC_COUNT] = {
    [BC_START] = {"bin_start", true},         [BC_END] = {"bin_end", true},
    [BC_PACKETS] = {"packets", true},         [BC_ACTIVE] = {"attacks_active", true},
    [BC_STARTED] = {"attacks_started", true}, [BC_VICTIMS] = {"victims", true},
};

static const struct column bin_cols_full[BC_COUNT] = {
    [BC_START] = {"bin_start", true},
    [BC_END] = {"bin_end", true},
    [BC_PACKETS] = {"packets", true},
    [BC_ACTIVE] = {"attacks_active", true},
    [BC_STARTED] = {"attacks_started", true},
    [BC_VICTIMS] = {"victims", true},
    [BC_PACKETS_TCP + BS_PROTO_TCP] = {"packets_tcp", true},
    [BC_PACKETS_TCP + BS_PROTO_UDP] = {"packets_udp", true},
    [BC_PACKETS_TCP + BS_PROTO_ICMP] = {"packets_icmp", true},
    [BC_PACKETS_TCP + BS_PROTO_OTHER] = {"packets_other", true},
};

static int bin_row(struct reader *rd)
{
	const char *const *c = rd->cells;
	struct csvread_bin b = {0};
	if (bs_parse_time(c[BC_START], &b.start_us) != 0)
		return bad_cell(rd, BC_START, "a UTC time like 2026-11-24T03:00:00.000000Z");
	if (bs_parse_time(c[BC_END], &b.end_us) != 0)
		return bad_cell(rd, BC_END, "a UTC time like 2026-11-24T03:05:00.000000Z");
	if (b.end_us <= b.start_us)
		return bad_cell(rd, BC_END, "after bin_start");
	if (cell_u64(c[BC_PACKETS], &b.packets) != 0)
		return bad_cell(rd, BC_PACKETS, "a whole number");
	if (cell_u64(c[BC_ACTIVE], &b.attacks_active) != 0)
		return bad_cell(rd, BC_ACTIVE, "a whole number");
	if (cell_u64(c[BC_STARTED], &b.attacks_started) != 0)
		return bad_cell(rd, BC_STARTED, "a whole number");
	if (cell_u64(c[BC_VICTIMS], &b.victims) != 0)
		return bad_cell(rd, BC_VICTIMS, "a whole number");
	if (rd->present[BC_PACKETS_TCP]) {
		uint64_t sum = 0;
		for (size_t p = 0; p < BS_PROTO_COUNT; p++) {
			if (cell_u64(c[BC_PACKETS_TCP + p], &b.packets_proto[p]) != 0 ||
			    b.packets_proto[p] > UINT64_MAX - sum)
				return bad_cell(rd, BC_PACKETS_TCP + p, "a whole number");
			sum += b.packets_proto[p];
		}
		if (sum != b.packets)
			return bad_cell(rd, BC_PACKETS, "the sum of the per-protocol columns");
	}
	return rd->cb.bin(&b, rd->arg);
}

int csvread_attacks(FILE *f, csvread_attack_cb cb, void *arg, struct bs_err *err)
{
	return run_reader(f, attack_cols, AC_COUNT, attack_row, (union row_cb){.attack = cb}, arg,
	                  err);
}

int csvread_timeseries(FILE *f, csvread_bin_cb cb, void *arg, struct bs_err *err)
{
	return run_reader(f, bin_cols, BC_COUNT, bin_row, (union row_cb){.bin = cb}, arg, err);
}

int csvread_attacks_full(FILE *f, csvread_attack_cb cb, void *arg, struct bs_err *err)
{
	return run_reader(f, attack_cols_full, AC_COUNT, attack_row, (union row_cb){.attack = cb},
	                  arg, err);
}

int csvread_timeseries_full(FILE *f, csvread_bin_cb cb, void *arg, struct bs_err *err)
{
	return run_reader(f, bin_cols_full, BC_COUNT, bin_row, (union row_cb){.bin = cb}, arg, err);
}

enum prefix_col {
	PC_PREFIX,
	PC_PROTOCOL,
	PC_START,
	PC_END,
	PC_PACKETS,
	PC_VICTIMS,
	PC_VICTIM_ATTACKS,
	/* read by csvread_prefix_attacks_full() only */
	PC_BYTES,
	PC_TELESCOPE_ADDRS,
	PC_VICTIM_PORTS,
	PC_TOP_PORT,
	PC_RESPONSES,
	PC_PEAK_PPM,
	PC_UNIFORMITY_A2,
	PC_UNIFORM,
	PC_ATTACK_PORTS,
	PC_COUNT
};

/* What report reads. */
static const struct column prefix_cols[PC_COUNT] = {
    [PC_PREFIX] = {"prefix", true},
    [PC_PROTOCOL] = {"protocol", true},
    [PC_START] = {"start_time", true},
    [PC_END] = {"end_time", true},
    [PC_PACKETS] = {"packets", true},
    [PC_VICTIMS] = {"victims", true},
    [PC_VICTIM_ATTACKS] = {"victim_attacks", true},
};

/* What merge reads: every column it writes again. */
static const struct column prefix_cols_full[PC_COUNT] = {
    [PC_PREFIX] = {"prefix", true},
    [PC_PROTOCOL] = {"protocol", true},
    [PC_START] = {"start_time", true},
    [PC_END] = {"end_time", true},
    [PC_PACKETS] = {"packets", true},
    [PC_VICTIMS] = {"victims", true},
    [PC_VICTIM_ATTACKS] = {"victim_attacks", true},
    [PC_BYTES] = {"bytes", true},
    [PC_TELESCOPE_ADDRS] = {"telescope_addrs", true},
    [PC_VICTIM_PORTS] = {"victim_ports", true},
    [PC_TOP_PORT] = {"top_port", true},
    [PC_RESPONSES] = {"responses", true},
    [PC_PEAK_PPM] = {"peak_ppm", true},
    [PC_UNIFORMITY_A2] = {"uniformity_a2", true},
    [PC_UNIFORM] = {"uniform", true},
    [PC_ATTACK_PORTS] = {"attack_ports", true},
};

/* "ADDRESS/LEN" with no bits set past LEN. 0 or nonzero. */
static int cell_prefix(const char *s, bs_addr_t *a, uint8_t *len)
{
	const char *slash = strchr(s, '/');
	char addr[BS_ADDR_STRLEN];
	uint32_t n;
	if (slash == NULL || (size_t)(slash - s) >= sizeof addr)
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (bs_addr_parse(addr, a) != 0 || cell_u32(slash + 1, &n) != 0 ||
	    n > (a->family == BS_AF_INET ? 32u : 128u))
		return -1;
	bs_addr_t masked = *a;
	bs_addr_mask(&masked, n);
	*len = (uint8_t)n;
	return bs_addr_cmp(&masked, a) != 0;
}

/* The columns only the full reader has (all present with it). */
static int prefix_row_full(struct reader *rd, struct csvread_prefix *p)
{
	const char *const *c = rd->cells;
	uint32_t n = 0;
	if (cell_u64(c[PC_BYTES], &p->bytes) != 0)
		return bad_cell(rd, PC_BYTES, "a whole number");
	if (cell_u64(c[PC_TELESCOPE_ADDRS], &p->telescope_addrs) != 0)
		return bad_cell(rd, PC_TELESCOPE_ADDRS, "a whole number");
	if (cell_u32(c[PC_VICTIM_PORTS], &p->victim_ports) != 0)
		return bad_cell(rd, PC_VICTIM_PORTS, "a whole number");
	if (c[PC_TOP_PORT][0] != '\0' &&
	    (cell_u32(c[PC_TOP_PORT], &n) != 0 || n > CSVREAD_MAX_PORT))
		return bad_cell(rd, PC_TOP_PORT, "empty or a port number");
	p->top_port = c[PC_TOP_PORT][0] != '\0' ? (int32_t)n : -1;
	if (cell_responses(c[PC_RESPONSES], &p->responses) != 0)
		return bad_cell(rd, PC_RESPONSES, "a |-separated list of response types");
	if (cell_u32(c[PC_PEAK_PPM], &p->peak_ppm) != 0)
		return bad_cell(rd, PC_PEAK_PPM, "a whole number");
	p->uniformity_a2 = NAN;
	if (c[PC_UNIFORMITY_A2][0] != '\0' &&
	    cell_signed_double(c[PC_UNIFORMITY_A2], &p->uniformity_a2) != 0)
		return bad_cell(rd, PC_UNIFORMITY_A2, "empty or a number");
	if (strcmp(c[PC_UNIFORM], "0") != 0 && strcmp(c[PC_UNIFORM], "1") != 0)
		return bad_cell(rd, PC_UNIFORM, "0 or 1");
	p->uniform = c[PC_UNIFORM][0] == '1';
	if (c[PC_ATTACK_PORTS][0] != '\0' &&
	    (cell_u32(c[PC_ATTACK_PORTS], &n) != 0 || n > CSVREAD_PORTS))
		return bad_cell(rd, PC_ATTACK_PORTS, "empty or a number of ports");
	p->attack_ports = c[PC_ATTACK_PORTS][0] != '\0' ? (int32_t)n : -1;
	return 0;
}

static int prefix_row(struct reader *rd)
{
	const char *const *c = rd->cells;
	struct csvread_prefix p = {.top_port = -1, .uniformity_a2 = NAN, .attack_ports = -1};
	if (cell_prefix(c[PC_PREFIX], &p.prefix, &p.len) != 0)
		return bad_cell(rd, PC_PREFIX, "a prefix like 192.0.2.0/24");
	if (cell_proto(c[PC_PROTOCOL], &p.proto) != 0)
		return bad_cell(rd, PC_PROTOCOL, "TCP, UDP, ICMP or OTHER");
	if (bs_parse_time(c[PC_START], &p.start_us) != 0)
		return bad_cell(rd, PC_START, "a UTC time like 2026-11-24T03:00:05.123456Z");
	if (bs_parse_time(c[PC_END], &p.end_us) != 0 || p.end_us < p.start_us)
		return bad_cell(rd, PC_END, "a UTC time at or after start_time");
	if (cell_u64(c[PC_PACKETS], &p.packets) != 0)
		return bad_cell(rd, PC_PACKETS, "a whole number");
	if (cell_u64(c[PC_VICTIMS], &p.victims) != 0)
		return bad_cell(rd, PC_VICTIMS, "a whole number");
	if (cell_u64(c[PC_VICTIM_ATTACKS], &p.victim_attacks) != 0 || p.victim_attacks > p.victims)
		return bad_cell(rd, PC_VICTIM_ATTACKS, "a whole number, at most victims");
	int rc = rd->present[PC_BYTES] ? prefix_row_full(rd, &p) : 0;
	return rc != 0 ? rc : rd->cb.prefix(&p, rd->arg);
}

int csvread_prefix_attacks(FILE *f, csvread_prefix_cb cb, void *arg, struct bs_err *err)
{
	return run_reader(f, prefix_cols, PC_COUNT, prefix_row, (union row_cb){.prefix = cb}, arg,
	                  err);
}

int csvread_prefix_attacks_full(FILE *f, csvread_prefix_cb cb, void *arg, struct bs_err *err)
{
	return run_reader(f, prefix_cols_full, PC_COUNT, prefix_row, (union row_cb){.prefix = cb},
	                  arg, err);
}

/* check_csvread.c - tests for reading attacks.csv and timeseries.csv back:
 * malformed files first (missing columns, ragged rows, bad cells, broken
 * quoting, empty files), then quoting, column order independence, optional
 * columns (attack_ports, added last, absent from the files of older
 * versions), callback errors and the committed fixtures. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "telescope/event.h"
#include "outdir/csvread.h"

#define HEADER                                                                                     \
	"attack_id,victim,protocol,start_time,end_time,duration_s,packets,bytes,telescope_addrs,"  \
	"victim_ports,top_port,responses,peak_ppm,mean_pps,est_attack_pps,uniformity_a2,uniform,"  \
	"icmp_mismatches,responder,country,asn,as_org\n"
#define ROW1                                                                                       \
	"1,192.0.2.1,TCP,2026-11-24T22:10:00.000000Z,2026-11-24T22:40:00.000000Z,1800.000000,"     \
	"5400,"                                                                                    \
	"216000,5000,1,80,TCP_SYNACK,200,3.000000,768.0,0.4000,1,0,,US,64500,\"Example Net, "      \
	"Inc.\"\n"
#define TS_HEADER                                                                                  \
	"bin_start,bin_end,packets,attacks_active,attacks_started,victims,packets_tcp,packets_"    \
	"udp,"                                                                                     \
	"packets_icmp,packets_other\n"
#define TS_ROW "2026-11-24T22:00:00.000000Z,2026-11-24T22:05:00.000000Z,10,2,1,2,10,0,0,0\n"
/* 2026-11-24T22:10:00Z in microseconds since the epoch. */
#define T_2210 1795558200000000ull

/* Collected rows: counts and a copy of the last one. */
struct got {
	size_t rows;
	struct csvread_attack last;
	char country[16], as_org[64], origins[64];
	struct csvread_bin bin;
	int fail_at; /* row number at which the callback fails, 0 = never */
};

static int on_attack(const struct csvread_attack *a, void *arg)
{
	struct got *g = arg;
	g->rows++;
	if (g->fail_at != 0 && (int)g->rows == g->fail_at)
		return -BS_ENOMEM;
	g->last = *a;
	snprintf(g->country, sizeof g->country, "%s", a->country);
	snprintf(g->as_org, sizeof g->as_org, "%s", a->as_org);
	g->last.country = g->country;
	g->last.as_org = g->as_org;
	snprintf(g->origins, sizeof g->origins, "%s", a->asn_origins);
	g->last.asn_origins = g->origins;
	return 0;
}

static int on_bin(const struct csvread_bin *b, void *arg)
{
	struct got *g = arg;
	g->rows++;
	g->bin = *b;
	return 0;
}

/* Runs csvread_attacks over text; the message goes to err. */
static int read_attacks(const char *text, struct got *g, struct bs_err *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	int rc = csvread_attacks(f, on_attack, g, err);
	fclose(f);
	return rc;
}

static int read_bins(const char *text, struct got *g, struct bs_err *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	int rc = csvread_timeseries(f, on_bin, g, err);
	fclose(f);
	return rc;
}

/* Expects -BS_EFORMAT with a message containing want. */
static void expect_format_error(const char *text, const char *want)
{
	struct got g = {0};
	struct bs_err err;
	int rc = read_attacks(text, &g, &err);
	ck_assert_msg(rc == -BS_EFORMAT, "rc %d for <%s>", rc, text);
	ck_assert_msg(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
}

START_TEST(empty_file_is_an_error)
{
	expect_format_error("", "empty");
}
END_TEST

START_TEST(missing_required_column)
{
	expect_format_error("victim,protocol,start_time,end_time,packets,responses,peak_ppm,"
	                    "est_attack_pps\n",
	                    "no column uniform");
}
END_TEST

START_TEST(duplicate_column)
{
	expect_format_error("victim,protocol,start_time,end_time,packets,responses,peak_ppm,"
	                    "est_attack_pps,uniform,victim\n",
	                    "victim appears twice");
}
END_TEST

START_TEST(ragged_rows)
{
	expect_format_error(HEADER "1,192.0.2.1,TCP\n", "row 2: 3 fields, the header has 22");
	expect_format_error(HEADER ROW1
	                    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23\n",
	                    "row 3: 23 fields");
}
END_TEST

START_TEST(bad_cells_name_row_and_column)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
	    {"192.0.2.1,", "192.0.2.300,", "column victim: '192.0.2.300'"},
	    {",TCP,", ",tcp,", "column protocol"},
	    {"22:10:00.000000Z", "22:10:00+01:00", "column start_time"},
	    {"2026-11-24T22:40:00.000000Z", "2026-11-24T22:00:00.000000Z", "column end_time"},
	    {",5400,", ",-5400,", "column packets"},
	    {",5400,", ",54e2,", "column packets"},
	    {",5400,", ",99999999999999999999,", "column packets"},
	    {"TCP_SYNACK", "TCP_SYN", "column responses"},
	    {"TCP_SYNACK", "TCP_SYNACK|", "column responses"},
	    {",200,", ",4294967296,", "column peak_ppm"},
	    {",768.0,", ",nan,", "column est_attack_pps"},
	    {",768.0,", ",inf,", "column est_attack_pps"},
	    {",768.0,", ",-1,", "column est_attack_pps"},
	    {",768.0,", ",0x10,", "column est_attack_pps"},
	    {",768.0,", ", 768,", "column est_attack_pps"},
	    {",1,0,,US", ",yes,0,,US", "column uniform"},
	    {",64500,", ",AS64500,", "column asn"},
	    {",64500,", ",0,", "column asn"},
	    {",64500,", ",64500_,", "column asn"},
	    {",64500,", ",\"64500,,1\",", "column asn"},
	    {",64500,", ",64500 64501,", "column asn"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char row[1024];
		const char *at = strstr(ROW1, cases[i].from);
		ck_assert_ptr_nonnull(at);
		snprintf(row, sizeof row, "%s%.*s%s%s", HEADER, (int)(at - ROW1), ROW1, cases[i].to,
		         at + strlen(cases[i].from));
		char want[128];
		snprintf(want, sizeof want, "row 2: %s", cases[i].want);
		expect_format_error(row, want);
	}
}
END_TEST

START_TEST(broken_quoting)
{
	/* a quote inside an unquoted field, and an unterminated quote at EOF */
	expect_format_error(HEADER "1,192.0.2.1,TCP,a\"b\n", "malformed CSV");
	expect_format_error(HEADER "1,192.0.2.1,\"TCP", "malformed CSV");
}
END_TEST

START_TEST(nul_byte_is_an_error)
{
	static const char text[] = "victim\0x,protocol\n";
	FILE *f = fmemopen((void *)(uintptr_t)text, sizeof text - 1, "r");
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(csvread_attacks(f, on_attack, &g, &err), -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "NUL"));
	fclose(f);
}
END_TEST

START_TEST(callback_error_stops_reading)
{
	struct got g = {.fail_at = 2};
	struct bs_err err;
	ck_assert_int_eq(read_attacks(HEADER ROW1 ROW1 ROW1, &g, &err), -BS_ENOMEM);
	ck_assert_uint_eq(g.rows, 2);
	ck_assert_str_eq(err.msg, "");
}
END_TEST

START_TEST(header_only_has_no_rows)
{
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(read_attacks(HEADER, &g, &err), 0);
	ck_assert_uint_eq(g.rows, 0);
	ck_assert_int_eq(read_bins(TS_HEADER, &g, &err), 0);
	ck_assert_uint_eq(g.rows, 0);
}
END_TEST

START_TEST(row_parses)
{
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(read_attacks(HEADER ROW1, &g, &err), 0);
	ck_assert_uint_eq(g.rows, 1);
	char buf[BS_ADDR_STRLEN];
	ck_assert_str_eq(bs_addr_format(&g.last.victim, buf, sizeof buf), "192.0.2.1");
	ck_assert_uint_eq(g.last.proto, BS_PROTO_TCP);
	ck_assert_uint_eq(g.last.start_us, T_2210);
	ck_assert_uint_eq(g.last.end_us, T_2210 + 1800000000ull);
	ck_assert_uint_eq(g.last.packets, 5400);
	ck_assert_uint_eq(g.last.responses, 1u << BS_RESP_TCP_SYNACK);
	ck_assert_uint_eq(g.last.peak_ppm, 200);
	ck_assert_double_eq(g.last.est_attack_pps, 768.0);
	ck_assert(g.last.uniform);
	ck_assert_str_eq(g.last.country, "US");
	ck_assert_uint_eq(g.last.asn, 64500);
	ck_assert_str_eq(g.last.as_org, "Example Net, Inc.");
	ck_assert_str_eq(g.last.asn_origins, "");
}
END_TEST

/* --pfx2as writes a multi-origin prefix's or AS set's origin field: asn is
 * its first AS, asn_origins the whole field. */
START_TEST(multi_origin_asn_cells)
{
	static const char *const cells[][2] = {
	    {"64501_64500", "64501"},
	    {"\"64502,64500\"", "64502"},
	    {"\"7_8,9\"", "7"},
	};
	for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
		char text[1024];
		const char *at = strstr(ROW1, ",64500,");
		snprintf(text, sizeof text, "%s%.*s,%s,%s", HEADER, (int)(at - ROW1), ROW1,
		         cells[i][0], at + strlen(",64500,"));
		struct got g = {0};
		struct bs_err err;
		ck_assert_int_eq(read_attacks(text, &g, &err), 0);
		ck_assert_uint_eq(g.last.asn, strtoul(cells[i][1], NULL, 10));
		const char *field = cells[i][0] + (cells[i][0][0] == '"');
		ck_assert_int_eq(strncmp(g.last.asn_origins, field, strlen(g.last.asn_origins)), 0);
		ck_assert_uint_eq(strlen(g.last.asn_origins),
		                  strlen(field) - (cells[i][0][0] == '"'));
	}
}
END_TEST

START_TEST(empty_cells_are_unknown)
{
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(
	    read_attacks(HEADER "5,2001:db8::1,TCP,2026-11-25T03:00:00.000000Z,"
	                        "2026-11-25T03:10:00.000000Z,600.000000,100,4000,100,1,80,,30,"
	                        "0.166667,,,0,0,,,,\n",
	                 &g, &err),
	    0);
	ck_assert(isnan(g.last.est_attack_pps));
	ck_assert_uint_eq(g.last.responses, 0);
	ck_assert(!g.last.uniform);
	ck_assert_str_eq(g.last.country, "");
	ck_assert_uint_eq(g.last.asn, 0);
	ck_assert_str_eq(g.last.as_org, "");
	ck_assert_uint_eq(g.last.victim.family, BS_AF_INET6);
}
END_TEST

START_TEST(columns_found_by_name)
{
	/* reordered, optional geo columns absent, an unknown column added,
	 * doubled quotes, a quoted line break, CRLF and no final newline */
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(
	    read_attacks("uniform,est_attack_pps,peak_ppm,responses,packets,end_time,"
	                 "start_time,protocol,victim,future_column\r\n"
	                 "0,1.5,31,ICMP_UNREACH|ICMP6_UNREACH,26,"
	                 "2026-11-24T22:11:00Z,2026-11-24T22:10:00Z,OTHER,198.51.100.7,"
	                 "\"a \"\"quoted\"\"\nvalue\"",
	                 &g, &err),
	    0);
	ck_assert_uint_eq(g.rows, 1);
	ck_assert_uint_eq(g.last.proto, BS_PROTO_OTHER);
	ck_assert_uint_eq(g.last.responses,
	                  (1u << BS_RESP_ICMP_UNREACH) | (1u << BS_RESP_ICMP6_UNREACH));
	ck_assert_double_eq(g.last.est_attack_pps, 1.5);
	ck_assert_uint_eq(g.last.start_us, T_2210);
	ck_assert_str_eq(g.last.country, "");
}
END_TEST

START_TEST(timeseries_errors_and_row)
{
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(read_bins("bin_start,bin_end,packets\n", &g, &err), -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no column attacks_active"));
	ck_assert_int_eq(read_bins(TS_HEADER
	                           "2026-11-24T22:05:00.000000Z,2026-11-24T22:05:00.000000Z,"
	                           "10,2,1,2,10,0,0,0\n",
	                           &g, &err),
	                 -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "row 2: column bin_end"));
	ck_assert_int_eq(read_bins(TS_HEADER
	                           "2026-11-24T22:00:00.000000Z,2026-11-24T22:05:00.000000Z,"
	                           "ten,2,1,2,10,0,0,0\n",
	                           &g, &err),
	                 -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "column packets: 'ten'"));
	ck_assert_int_eq(read_bins(TS_HEADER TS_ROW, &g, &err), 0);
	ck_assert_uint_eq(g.rows, 1);
	ck_assert_uint_eq(g.bin.start_us, T_2210 - 600000000ull);
	ck_assert_uint_eq(g.bin.end_us, T_2210 - 300000000ull);
	ck_assert_uint_eq(g.bin.packets, 10);
	ck_assert_uint_eq(g.bin.attacks_active, 2);
	ck_assert_uint_eq(g.bin.attacks_started, 1);
	ck_assert_uint_eq(g.bin.victims, 2);
}
END_TEST

/* A file saved by a spreadsheet program starts with a UTF-8 byte order
 * mark; only there is it not part of the first column's name. */
START_TEST(byte_order_mark_is_skipped)
{
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(read_bins("\xef\xbb\xbf" TS_HEADER TS_ROW, &g, &err), 0);
	ck_assert_uint_eq(g.rows, 1);
	ck_assert_uint_eq(g.bin.packets, 10);
	memset(&g, 0, sizeof g);
	ck_assert_int_eq(read_bins("\xef\xbb\xbf\xef\xbb\xbf" TS_HEADER TS_ROW, &g, &err),
	                 -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "no column bin_start"));
}
END_TEST

START_TEST(long_cell_is_shortened_in_message)
{
	char text[4096];
	char longv[200];
	memset(longv, 'x', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	snprintf(text, sizeof text, HEADER "1,%s,TCP,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s\n",
	         longv);
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(read_attacks(text, &g, &err), -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "...'"));
	ck_assert_uint_lt(strlen(err.msg), sizeof longv); /* shortened, not whole */
}
END_TEST

static int read_attacks_full(const char *text, struct got *g, struct bs_err *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	int rc = csvread_attacks_full(f, on_attack, g, err);
	fclose(f);
	return rc;
}

START_TEST(full_reader_needs_every_column)
{
	/* What report accepts (columns_found_by_name) is not enough for merge. */
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(read_attacks_full("victim,protocol,start_time,end_time,packets,responses,"
	                                   "peak_ppm,est_attack_pps,uniform,country,asn,as_org\n",
	                                   &g, &err),
	                 -BS_EFORMAT);
	ck_assert_str_eq(err.msg, "row 1: the header has no column bytes");
}
END_TEST

START_TEST(full_reader_bad_cells)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
	    {",216000,", ",2.5,", "column bytes"},
	    {",5000,1,", ",-5000,1,", "column telescope_addrs"},
	    {",1,80,", ",4294967296,80,", "column victim_ports"},
	    {",80,", ",65536,", "column top_port"},
	    {",0.4000,", ",a2,", "column uniformity_a2"},
	    {",1,0,,US", ",1,x,,US", "column icmp_mismatches"},
	    {",1,0,,US", ",1,0,router,US", "column responder"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[1024];
		const char *at = strstr(ROW1, cases[i].from);
		ck_assert_ptr_nonnull(at);
		snprintf(text, sizeof text, "%s%.*s%s%s", HEADER, (int)(at - ROW1), ROW1,
		         cases[i].to, at + strlen(cases[i].from));
		struct got g = {0};
		struct bs_err err;
		ck_assert_int_eq(read_attacks_full(text, &g, &err), -BS_EFORMAT);
		ck_assert_msg(strstr(err.msg, cases[i].want) != NULL, "'%s' lacks '%s'", err.msg,
		              cases[i].want);
		/* report ignores these columns but top_port (the attacked-services
		 * table): the same text reads fine there. */
		if (strcmp(cases[i].want, "column top_port") == 0) {
			ck_assert_int_eq(read_attacks(text, &g, &err), -BS_EFORMAT);
			ck_assert_msg(strstr(err.msg, "column top_port") != NULL, "'%s'", err.msg);
		} else {
			ck_assert_int_eq(read_attacks(text, &g, &err), 0);
		}
	}
}
END_TEST

/* HEADER and ROW1 are a file of a version before attack_ports; with the
 * column appended, cell holds its value. */
static void with_attack_ports(char *text, size_t len, const char *cell)
{
	snprintf(text, len, "%.*s,attack_ports\n%.*s,%s\n", (int)strlen(HEADER) - 1, HEADER,
	         (int)strlen(ROW1) - 1, ROW1, cell);
}

START_TEST(attack_ports_column)
{
	char text[1024];
	struct got g = {0};
	struct bs_err err;
	/* Written by an older version: no column, unknown. */
	ck_assert_int_eq(read_attacks_full(HEADER ROW1, &g, &err), 0);
	ck_assert_int_eq(g.last.attack_ports, -1);
	static const struct {
		const char *cell;
		int32_t want;
	} ok[] = {{"1234", 1234}, {"0", 0}, {"65536", 65536}, {"", -1}};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		with_attack_ports(text, sizeof text, ok[i].cell);
		ck_assert_int_eq(read_attacks_full(text, &g, &err), 0);
		ck_assert_int_eq(g.last.attack_ports, ok[i].want);
		ck_assert_uint_eq(g.last.packets, 5400); /* the other columns as before */
		ck_assert_str_eq(g.as_org, "Example Net, Inc.");
		/* report does not read it. */
		ck_assert_int_eq(read_attacks(text, &g, &err), 0);
		ck_assert_int_eq(g.last.attack_ports, -1);
	}
	static const char *const bad[] = {"65537", "-1", "x", "1.5", "4294967296"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		with_attack_ports(text, sizeof text, bad[i]);
		ck_assert_int_eq(read_attacks_full(text, &g, &err), -BS_EFORMAT);
		ck_assert_msg(strstr(err.msg, "row 2: column attack_ports: ") != NULL &&
		                  strstr(err.msg, "is not empty or a number of ports") != NULL,
		              "%s", err.msg);
		ck_assert_int_eq(read_attacks(text, &g, &err), 0);
	}
	/* Found by name, wherever it is. */
	ck_assert_int_eq(read_attacks_full("attack_ports,victim,protocol,start_time,end_time,"
	                                   "packets,bytes,telescope_addrs,victim_ports,top_port,"
	                                   "responses,peak_ppm,est_attack_pps,uniformity_a2,"
	                                   "uniform,icmp_mismatches,responder,country,asn,as_org\n"
	                                   "77,192.0.2.1,UDP,2026-11-24T22:10:00.000000Z,"
	                                   "2026-11-24T22:40:00.000000Z,100,4000,90,1,53,"
	                                   "ICMP_UNREACH,40,,,0,0,,,,\n",
	                                   &g, &err),
	                 0);
	ck_assert_int_eq(g.last.attack_ports, 77);
}
END_TEST

START_TEST(full_reader_row_parses)
{
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(read_attacks_full(HEADER ROW1, &g, &err), 0);
	ck_assert_uint_eq(g.last.packets, 5400);
	ck_assert_uint_eq(g.last.bytes, 216000);
	ck_assert_uint_eq(g.last.telescope_addrs, 5000);
	ck_assert_uint_eq(g.last.victim_ports, 1);
	ck_assert_int_eq(g.last.top_port, 80);
	ck_assert_double_eq_tol(g.last.uniformity_a2, 0.4, 1e-12);
	ck_assert_uint_eq(g.last.icmp_mismatches, 0);
	ck_assert(!g.last.has_responder);
	ck_assert_str_eq(g.as_org, "Example Net, Inc.");
	ck_assert_int_eq(read_attacks_full(HEADER "7,2001:db8::1,ICMP,2026-11-25T03:00:00.000000Z,"
	                                          "2026-11-25T03:10:00.000000Z,600.000000,100,"
	                                          "4000,100,0,,ICMP6_UNREACH,30,0.166667,,,0,100,"
	                                          "2001:db8::fe,,,\n",
	                                   &g, &err),
	                 0);
	ck_assert_int_eq(g.last.top_port, -1);
	ck_assert(isnan(g.last.uniformity_a2));
	ck_assert_uint_eq(g.last.icmp_mismatches, 100);
	ck_assert(g.last.has_responder);
	char buf[BS_ADDR_STRLEN];
	ck_assert_str_eq(bs_addr_format(&g.last.responder, buf, sizeof buf), "2001:db8::fe");
	/* report's reader leaves the extra fields unknown but top_port. */
	ck_assert_int_eq(read_attacks(HEADER ROW1, &g, &err), 0);
	ck_assert_uint_eq(g.last.bytes, 0);
	ck_assert_int_eq(g.last.top_port, 80);
	ck_assert(isnan(g.last.uniformity_a2));
}
END_TEST

static int read_bins_full(const char *text, struct got *g, struct bs_err *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	int rc = csvread_timeseries_full(f, on_bin, g, err);
	fclose(f);
	return rc;
}

START_TEST(full_timeseries)
{
	struct got g = {0};
	struct bs_err err;
	ck_assert_int_eq(read_bins_full("bin_start,bin_end,packets,attacks_active,attacks_started,"
	                                "victims\n",
	                                &g, &err),
	                 -BS_EFORMAT);
	ck_assert_str_eq(err.msg, "row 1: the header has no column packets_tcp");
	ck_assert_int_eq(read_bins_full(TS_HEADER
	                                "2026-11-24T22:00:00Z,2026-11-24T22:05:00Z,10,2,1,"
	                                "2,9,0,0,0\n",
	                                &g, &err),
	                 -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "row 2: column packets: '10' is not the sum"));
	ck_assert_int_eq(read_bins_full(TS_HEADER
	                                "2026-11-24T22:00:00Z,2026-11-24T22:05:00Z,10,2,1,"
	                                "2,4,3,2,1\n",
	                                &g, &err),
	                 0);
	ck_assert_uint_eq(g.bin.packets_proto[BS_PROTO_TCP], 4);
	ck_assert_uint_eq(g.bin.packets_proto[BS_PROTO_UDP], 3);
	ck_assert_uint_eq(g.bin.packets_proto[BS_PROTO_ICMP], 2);
	ck_assert_uint_eq(g.bin.packets_proto[BS_PROTO_OTHER], 1);
	ck_assert_int_eq(read_bins(TS_HEADER TS_ROW, &g, &err), 0);
	ck_assert_uint_eq(g.bin.packets_proto[BS_PROTO_TCP], 0);
}
END_TEST

/* The committed fixture files parse whole (they come from make_fixtures.py). */
START_TEST(fixtures_parse)
{
	const char *dir = getenv("TESTDATA");
	ck_assert_msg(dir != NULL, "TESTDATA must point at tests/data");
	static const struct {
		const char *night;
		size_t attacks, bins;
	} want[] = {{"night1", 6, 96}, {"shard", 3, 48}, {"night2", 2, 48}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		char path[4096];
		struct bs_err err;
		struct got g = {0};
		snprintf(path, sizeof path, "%s/report/%s/attacks.csv", dir, want[i].night);
		FILE *f = fopen(path, "r");
		ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
		ck_assert_int_eq(csvread_attacks(f, on_attack, &g, &err), 0);
		fclose(f);
		ck_assert_uint_eq(g.rows, want[i].attacks);
		g.rows = 0;
		snprintf(path, sizeof path, "%s/report/%s/timeseries.csv", dir, want[i].night);
		f = fopen(path, "r");
		ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
		ck_assert_int_eq(csvread_timeseries(f, on_bin, &g, &err), 0);
		fclose(f);
		ck_assert_uint_eq(g.rows, want[i].bins);
	}
}
END_TEST

/* prefix_attacks.csv: a row read back; a bad prefix, a bad count and a
 * missing column refused with the row and column named. */
static int on_prefix(const struct csvread_prefix *p, void *arg)
{
	*(struct csvread_prefix *)arg = *p;
	return 0;
}

static int read_prefixes(const char *text, struct csvread_prefix *p, struct bs_err *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	int rc = csvread_prefix_attacks(f, on_prefix, p, err);
	fclose(f);
	return rc;
}

#define PFX_HEADER                                                                                 \
	"prefix_id,prefix,protocol,start_time,end_time,duration_s,packets,bytes,telescope_addrs,"  \
	"victim_ports,top_port,responses,peak_ppm,mean_pps,uniformity_a2,uniform,attack_ports,"    \
	"victims,victim_attacks\n"

START_TEST(prefix_attacks)
{
	struct csvread_prefix p = {0};
	struct bs_err err;
	ck_assert_int_eq(read_prefixes(PFX_HEADER
	                               "1,2001:db8:1::/48,UDP,2026-11-24T22:10:00.000000Z,"
	                               "2026-11-24T22:11:40.000000Z,100.000000,50,2000,50,0,,"
	                               "ICMP6_UNREACH,30,0.500000,,0,,7,1\n",
	                               &p, &err),
	                 0);
	bs_addr_t want;
	ck_assert_int_eq(bs_addr_parse("2001:db8:1::", &want), 0);
	ck_assert_int_eq(bs_addr_cmp(&p.prefix, &want), 0);
	ck_assert_uint_eq(p.len, 48);
	ck_assert_uint_eq(p.proto, BS_PROTO_UDP);
	ck_assert_uint_eq(p.start_us, T_2210);
	ck_assert_uint_eq(p.end_us, T_2210 + 100000000ull);
	ck_assert_uint_eq(p.packets, 50);
	ck_assert_uint_eq(p.victims, 7);
	ck_assert_uint_eq(p.victim_attacks, 1);
	static const struct {
		const char *row, *want;
	} bad[] = {
	    {"1,198.51.100.1/"
	     "24,TCP,2026-11-24T22:10:00Z,2026-11-24T22:10:00Z,0,9,0,0,0,,,0,,,0,,5,0",
	     "row 2: column prefix"},
	    {"1,198.51.100.0/"
	     "33,TCP,2026-11-24T22:10:00Z,2026-11-24T22:10:00Z,0,9,0,0,0,,,0,,,0,,5,0",
	     "row 2: column prefix"},
	    {"1,198.51.100.0,TCP,2026-11-24T22:10:00Z,2026-11-24T22:10:00Z,0,9,0,0,0,,,0,,,0,,5,0",
	     "row 2: column prefix"},
	    {"1,198.51.100.0/"
	     "24,TCP,2026-11-24T22:10:00Z,2026-11-24T22:10:00Z,0,9,0,0,0,,,0,,,0,,5,6",
	     "row 2: column victim_attacks"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "%s%s\n", PFX_HEADER, bad[i].row);
		ck_assert_int_eq(read_prefixes(text, &p, &err), -BS_EFORMAT);
		ck_assert_msg(strstr(err.msg, bad[i].want) != NULL, "%s: %s", bad[i].row, err.msg);
	}
	ck_assert_int_eq(read_prefixes("prefix,protocol\n", &p, &err), -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "start_time"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csvread");
	TCase *bad = tcase_create("malformed");
	tcase_add_test(bad, empty_file_is_an_error);
	tcase_add_test(bad, missing_required_column);
	tcase_add_test(bad, duplicate_column);
	tcase_add_test(bad, ragged_rows);
	tcase_add_test(bad, bad_cells_name_row_and_column);
	tcase_add_test(bad, broken_quoting);
	tcase_add_test(bad, nul_byte_is_an_error);
	tcase_add_test(bad, callback_error_stops_reading);
	tcase_add_test(bad, byte_order_mark_is_skipped);
	tcase_add_test(bad, long_cell_is_shortened_in_message);
	suite_add_tcase(s, bad);
	TCase *good = tcase_create("rows");
	tcase_add_test(good, header_only_has_no_rows);
	tcase_add_test(good, row_parses);
	tcase_add_test(good, empty_cells_are_unknown);
	tcase_add_test(good, multi_origin_asn_cells);
	tcase_add_test(good, columns_found_by_name);
	tcase_add_test(good, timeseries_errors_and_row);
	tcase_add_test(good, fixtures_parse);
	suite_add_tcase(s, good);
	TCase *full = tcase_create("full");
	tcase_add_test(full, full_reader_needs_every_column);
	tcase_add_test(full, full_reader_bad_cells);
	tcase_add_test(full, full_reader_row_parses);
	tcase_add_test(full, attack_ports_column);
	tcase_add_test(full, full_timeseries);
	tcase_add_test(full, prefix_attacks);
	suite_add_tcase(s, full);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

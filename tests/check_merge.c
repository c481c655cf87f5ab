/* check_merge.c - tests for joining shard outputs (analysis/merge.h):
 * malformed and inconsistent shards first (missing files, bad JSON,
 * missing keys, bad CSV cells, mismatched parameters, shared inputs, an
 * unwritable output), then the join rule across a seam (gap up to the flow
 * timeout, a microsecond more, another protocol, the same shard), every
 * column of a joined row, the union estimate of telescope_addrs, a chain
 * over three shards, duplicate and empty shards, the summed time series
 * and the merged summary.json; the prefix view: shards that disagree on
 * it, shards that lack it or its flows, a row of another length, and a
 * prefix attack that passes only once its two pieces' flows are joined.
 *
 * Shards are hand-made directories: a summary.json from a template and
 * CSV rows written out in full, so each expected number can be checked by
 * hand. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "check_outdir.h"
#include "telescope/attack.h"
#include "telescope/event.h"
#include "analysis/merge.h"
#include "outdir/csvread.h"
#include "outdir/flowstate.h"

#define ATTACKS_HEADER                                                                             \
	"attack_id,victim,protocol,start_time,end_time,duration_s,packets,bytes,telescope_addrs,"  \
	"victim_ports,top_port,responses,peak_ppm,mean_pps,est_attack_pps,uniformity_a2,uniform,"  \
	"icmp_mismatches,responder,country,asn,as_org\n"
#define TS_HEADER                                                                                  \
	"bin_start,bin_end,packets,attacks_active,attacks_started,victims,packets_tcp,"            \
	"packets_udp,packets_icmp,packets_other\n"
/* attack_id, duration_s and mean_pps are recomputed by merge: the "9" and
 * "0" placeholders below must never reach the output. */
#define ROW(victim, proto, start, end, rest)                                                       \
	"9," victim "," proto ",2026-11-24T" start "Z,2026-11-24T" end "Z,0," rest "\n"
/* 2026-11-24T00:00:00Z in microseconds since the epoch. */
#define T0 1795478400000000ull
#define S  1000000ull

/* The parts of a summary.json that tests vary. */
struct sfx {
	const char *telescope; /* JSON list */
	unsigned interval_s, flow_timeout_s, min_ppm;
	const char *preset;
	const char *inputs; /* JSON list */
	const char *first, *last;
	const char *complete; /* "true" or "false" */
	unsigned files_failed;
	unsigned packets, flows, attacks;
	const char *filter; /* JSON value */
	const char *warnings;
	const char *prefix_view; /* JSON object, or NULL: no such key */
};

/* A one-input shard named uri with packets between first and last (times
 * after 2026-11-24T). */
static struct sfx sfx_default(const char *uri, const char *first, const char *last)
{
	static char inputs[4][512];
	static int next;
	char *in = inputs[next++ % 4];
	snprintf(in, sizeof inputs[0],
	         "[{\"uri\": \"%s\", \"size_bytes\": 1000, \"packets\": 100, "
	         "\"first_packet\": \"2026-11-24T%sZ\", \"last_packet\": \"2026-11-24T%sZ\", "
	         "\"error\": null, \"skipped\": false}]",
	         uri, first, last);
	return (struct sfx){
	    .telescope = "[\"10.0.0.0/24\"]",
	    .interval_s = 300,
	    .flow_timeout_s = 300,
	    .min_ppm = 30,
	    .preset = "rsdos",
	    .inputs = in,
	    .first = first,
	    .last = last,
	    .complete = "true",
	    .packets = 100,
	    .flows = 3,
	    .attacks = 1,
	    .filter = "null",
	    .warnings = "[]",
	};
}

static char *summary_text(const struct sfx *f)
{
	char *buf = malloc(8192);
	ck_assert_ptr_nonnull(buf);
	int n = snprintf(
	    buf, 8192,
	    "{\"tool\": {\"name\": \"backscatter\", \"version\": \"0.1.0\"},\n"
	    " \"command_line\": \"backscatter collect\",\n"
	    " \"parameters\": {\"preset\": \"%s\", \"flow_timeout_s\": %u, \"min_packets\": 25,\n"
	    "   \"min_duration_s\": 60, \"min_ppm\": %u, \"min_dests\": 5, \"interval_s\": %u,\n"
	    "   \"telescope\": %s, \"telescope_size_v4\": 256.0, \"telescope_size_v6\": 0.0,\n"
	    "   \"geo_db\": null, \"asn_db\": null, \"filter\": %s},\n"
	    " \"inputs\": %s,\n"
	    " \"time_range\": {\"first_packet\": \"2026-11-24T%sZ\", \"last_packet\": "
	    "\"2026-11-24T%sZ\"},\n"
	    " \"counters\": {\"packets\": %u, \"non_ip\": 1, \"malformed\": 0, \"truncated\": 0,\n"
	    "   \"fragments\": 0, \"outside_telescope\": 0, \"not_backscatter\": 0,\n"
	    "   \"backscatter\": %u, \"filtered\": 0, \"out_of_order\": 0, \"time_outliers\": 0,\n"
	    "   \"files_failed\": %u},\n"
	    " \"flows\": {\"flows\": %u, \"attacks\": %u, \"rejected\": %u, \"open_flows\": 0,\n"
	    "   \"peak_open_flows\": 7, \"stitched\": 0},\n"
	    " \"complete\": %s, \"partial_reason\": %s, \"warnings\": %s%s%s}\n",
	    f->preset, f->flow_timeout_s, f->min_ppm, f->interval_s, f->telescope, f->filter,
	    f->inputs, f->first, f->last, f->packets, f->packets, f->files_failed, f->flows,
	    f->attacks, f->flows - f->attacks, f->complete,
	    strcmp(f->complete, "true") == 0 ? "null" : "\"stopped by a signal\"", f->warnings,
	    f->prefix_view ? ",\n \"prefix_view\": " : "", f->prefix_view ? f->prefix_view : "");
	ck_assert_int_lt(n, 8192);
	return buf;
}

/* A shard directory; a NULL text leaves that file out. */
static char *shard(const struct sfx *f, const char *attacks, const char *ts)
{
	char *dir = outdir_create();
	if (f != NULL) {
		char *s = summary_text(f);
		outdir_write(dir, "summary.json", s);
		free(s);
	}
	if (attacks != NULL)
		outdir_write(dir, "attacks.csv", attacks);
	if (ts != NULL)
		outdir_write(dir, "timeseries.csv", ts);
	return dir;
}

/* The usual two shards: hour 0 and hour 1, one input each. */
static char *hour_shard(int hour, const char *attacks, const char *ts)
{
	struct sfx f = hour == 0 ? sfx_default("h0.pcap", "00:00:00.000000", "00:59:59.000000")
	                         : sfx_default("h1.pcap", "01:00:00.000000", "01:59:59.000000");
	return shard(&f, attacks, ts);
}

/* Adds dirs[0..n-1]; expects rc from the last, 0 from the others. */
static merge_t *add_all(char **dirs, size_t n, int want_rc, struct bs_err *err)
{
	merge_t *m = merge_create();
	ck_assert_ptr_nonnull(m);
	for (size_t i = 0; i < n; i++) {
		int rc = merge_add_shard(m, dirs[i], err);
		ck_assert_msg(rc == (i + 1 == n ? want_rc : 0), "shard %zu: rc %d: %s", i, rc,
		              err->msg);
	}
	return m;
}

/* Expects adding dirs to fail on the last one with rc and a message
 * holding want (and the path of the last shard when path is true). */
static void expect_add_error(char **dirs, size_t n, int rc, const char *want)
{
	struct bs_err err;
	merge_t *m = add_all(dirs, n, rc, &err);
	ck_assert_msg(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
	ck_assert_msg(strstr(err.msg, dirs[n - 1]) != NULL, "message '%s' lacks the shard",
	              err.msg);
	merge_free(m);
}

static void remove_all(char **dirs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outdir_remove(dirs[i]);
}

/* Rows of a merged attacks.csv. */
#define MAX_ROWS 16
struct rows {
	size_t n;
	struct csvread_attack a[MAX_ROWS];
	char country[MAX_ROWS][4], as_org[MAX_ROWS][64];
};

static int keep_row(const struct csvread_attack *a, void *arg)
{
	struct rows *r = arg;
	ck_assert_uint_lt(r->n, MAX_ROWS);
	r->a[r->n] = *a;
	snprintf(r->country[r->n], sizeof r->country[0], "%s", a->country);
	snprintf(r->as_org[r->n], sizeof r->as_org[0], "%s", a->as_org);
	r->n++;
	return 0;
}

/* Merges dirs into a new directory; returns it, with its rows in *rows. */
static char *merge_into(char **dirs, size_t n, struct rows *rows, merge_t **keep)
{
	struct bs_err err;
	merge_t *m = add_all(dirs, n, 0, &err);
	char *out = outdir_create();
	ck_assert_msg(merge_write(m, out, "backscatter merge", "9.9", &err) == 0, "%s", err.msg);
	char *text = outdir_read(out, "attacks.csv");
	ck_assert_ptr_nonnull(text);
	FILE *f = fmemopen(text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	memset(rows, 0, sizeof *rows);
	ck_assert_int_eq(csvread_attacks_full(f, keep_row, rows, NULL), 0);
	fclose(f);
	free(text);
	if (keep != NULL)
		*keep = m;
	else
		merge_free(m);
	return out;
}

/* Line i (0 = header) of DIR/NAME, without its newline; caller frees. */
static char *line_of(const char *dir, const char *name, int i)
{
	char *text = outdir_read(dir, name);
	ck_assert_ptr_nonnull(text);
	char *p = text;
	for (; i > 0 && p != NULL; i--) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	ck_assert_ptr_nonnull(p);
	char *line = strndup(p, strcspn(p, "\n"));
	free(text);
	ck_assert_ptr_nonnull(line);
	return line;
}

static json_t *load_summary(const char *dir)
{
	char *text = outdir_read(dir, "summary.json");
	ck_assert_ptr_nonnull(text);
	json_error_t je;
	json_t *root = json_loads(text, 0, &je);
	ck_assert_msg(root != NULL, "%s", je.text);
	free(text);
	return root;
}

static long long jint(json_t *root, const char *obj, const char *key)
{
	json_t *v = json_object_get(obj ? json_object_get(root, obj) : root, key);
	ck_assert_msg(json_is_integer(v), "%s.%s", obj ? obj : "", key);
	return json_integer_value(v);
}

/* One attack each side of the hour-1 seam, on the same key. */
#define A0_BEFORE                                                                                  \
	ROW("192.0.2.1", "TCP", "00:50:00.000000", "00:59:00.000000",                              \
	    "1000,40000,100,3,80,TCP_SYNACK,120,0,1.0,1.0000,1,2,198.51.100.9,US,,")
#define A0_AFTER_180S                                                                              \
	ROW("192.0.2.1", "TCP", "01:02:00.000000", "01:10:00.000000",                              \
	    "3000,120000,100,5,443,TCP_SYNACK|TCP_RST,150,0,1.0,3.5000,0,1,198.51.100.7,DE,"       \
	    "64500,\"Example, Inc.\"")
#define TS_H0                                                                                      \
	TS_HEADER "2026-11-24T00:55:00.000000Z,2026-11-24T01:00:00.000000Z,1000,1,0,1,1000,0,0,"   \
	          "0\n"
#define TS_H1                                                                                      \
	TS_HEADER "2026-11-24T01:00:00.000000Z,2026-11-24T01:05:00.000000Z,3000,1,1,1,2990,0,10,"  \
	          "0\n"

/* ---- malformed and inconsistent shards ---- */

START_TEST(missing_shard_dir)
{
	char *dirs[] = {"/nonexistent/shard"};
	struct bs_err err;
	merge_t *m = add_all(dirs, 1, -BS_EIO, &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/shard/summary.json"));
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
	ck_assert_uint_eq(merge_shard_count(m), 0);
	ck_assert_int_eq(merge_write(m, "/tmp", "x", "x", &err), -BS_EINVAL);
	merge_free(m);
	merge_free(NULL);
}
END_TEST

START_TEST(malformed_summary)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"{\"tool\": ", "summary.json: line"},
	    {"[1, 2]", "not a JSON object"},
	    {"{\"a\": 1, \"a\": 2}", "summary.json: line"}, /* duplicate key */
	    {"{}", "parameters is missing or not an object"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dir = outdir_create();
		outdir_write(dir, "summary.json", cases[i].text);
		expect_add_error(&dir, 1, -BS_EFORMAT, cases[i].want);
		outdir_remove(dir);
	}
	/* Values of the wrong kind, each naming the key. */
	static const struct {
		const char *from, *to, *want;
	} edits[] = {
	    {"\"interval_s\": 300", "\"interval_s\": \"300\"", "parameters.interval_s is missing"},
	    {"\"interval_s\": 300", "\"interval_s\": 0", "parameters.interval_s is 0"},
	    {"\"min_ppm\": 30", "\"min_ppm\": -1", "parameters.min_ppm"},
	    {"\"telescope\": [", "\"telescope\": [1, ", "parameters.telescope is not a list"},
	    {"\"first_packet\": \"2026-11-24T00:00:00.000000Z\", \"last",
	     "\"first_packet\": \"yesterday\", \"last", "inputs[0].first_packet"},
	    {"\"complete\": true", "\"complete\": 1", "complete is missing or not true"},
	    {"\"warnings\": []", "\"warnings\": [3]", "warnings is not a list of strings"},
	    {"\"packets\": 100, \"non_ip\"", "\"packets\": 1.5, \"non_ip\"", "counters.packets"},
	};
	struct sfx f = sfx_default("h0.pcap", "00:00:00.000000", "00:59:59.000000");
	char *good = summary_text(&f);
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		const char *at = strstr(good, edits[i].from);
		ck_assert_msg(at != NULL, "%s", edits[i].from);
		char text[8192];
		snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, edits[i].to,
		         at + strlen(edits[i].from));
		char *dir = outdir_create();
		outdir_write(dir, "summary.json", text);
		expect_add_error(&dir, 1, -BS_EFORMAT, edits[i].want);
		outdir_remove(dir);
	}
	free(good);
}
END_TEST

START_TEST(malformed_csv)
{
	static const struct {
		const char *attacks, *ts, *want;
	} cases[] = {
	    {NULL, TS_H0, "attacks.csv: No such file"},
	    {ATTACKS_HEADER, NULL, "timeseries.csv: No such file"},
	    {"victim,protocol,start_time,end_time,packets,responses,peak_ppm,est_attack_pps,"
	     "uniform\n",
	     TS_H0, "attacks.csv: row 1: the header has no column country"},
	    {ATTACKS_HEADER ROW("192.0.2.1", "TCP", "00:50:00", "00:59:00",
	                        "1000,x,100,3,80,TCP_SYNACK,120,0,1.0,1.0,1,0,,,,"),
	     TS_H0, "attacks.csv: row 2: column bytes"},
	    {ATTACKS_HEADER ROW("192.0.2.1", "TCP", "00:50:00", "00:59:00",
	                        "1000,1,100,3,80,TCP_SYNACK,120,0,1.0,1.0,1,0,,USA,,"),
	     TS_H0, "attacks.csv: row 2: column country: longer than 2 bytes"},
	    {ATTACKS_HEADER,
	     TS_HEADER "2026-11-24T00:55:00Z,2026-11-24T00:56:00Z,0,0,0,0,0,0,0,0\n",
	     "timeseries.csv: row 2: not a bin of interval_s 300 s"},
	    {ATTACKS_HEADER,
	     TS_HEADER "2026-11-24T00:55:01Z,2026-11-24T01:00:01Z,0,0,0,0,0,0,0,0\n",
	     "timeseries.csv: row 2: not a bin"},
	    {ATTACKS_HEADER,
	     TS_HEADER "2026-11-24T00:55:00Z,2026-11-24T01:00:00Z,5,0,0,0,1,1,1,1\n",
	     "timeseries.csv: row 2: column packets"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dir = hour_shard(0, cases[i].attacks, cases[i].ts);
		expect_add_error(&dir, 1, i < 2 ? -BS_EIO : -BS_EFORMAT, cases[i].want);
		outdir_remove(dir);
	}
}
END_TEST

START_TEST(mismatched_parameters)
{
	static const struct {
		const char *field, *want;
	} cases[] = {
	    {"telescope", "telescope [\"10.0.1.0/24\"] differs from [\"10.0.0.0/24\"]"},
	    {"interval_s", "interval_s 60 differs from 300"},
	    {"flow_timeout_s", "flow_timeout_s 600 differs from 300"},
	    {"min_ppm", "min_ppm 0 differs from 30"},
	    {"preset", "preset moore differs from rsdos"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sfx f = sfx_default("h1.pcap", "01:00:00.000000", "01:59:59.000000");
		if (strcmp(cases[i].field, "telescope") == 0)
			f.telescope = "[\"10.0.1.0/24\"]";
		else if (strcmp(cases[i].field, "interval_s") == 0)
			f.interval_s = 60;
		else if (strcmp(cases[i].field, "flow_timeout_s") == 0)
			f.flow_timeout_s = 600;
		else if (strcmp(cases[i].field, "min_ppm") == 0)
			f.min_ppm = 0;
		else
			f.preset = "moore";
		char *dirs[2] = {hour_shard(0, ATTACKS_HEADER, TS_H0),
		                 shard(&f, ATTACKS_HEADER, TS_H1)};
		expect_add_error(dirs, 2, -BS_EFORMAT, cases[i].want);
		remove_all(dirs, 2);
	}
}
END_TEST

START_TEST(bad_telescope_prefix)
{
	struct sfx f = sfx_default("h0.pcap", "00:00:00.000000", "00:59:59.000000");
	f.telescope = "[\"10.0.0.1/24\"]";
	char *dir = shard(&f, ATTACKS_HEADER, TS_H0);
	expect_add_error(&dir, 1, -BS_EFORMAT, "'10.0.0.1/24' is not a valid prefix");
	outdir_remove(dir);
}
END_TEST

START_TEST(shared_input_is_eexist)
{
	/* The second shard read h0.pcap too, and h1.pcap. */
	struct sfx f = sfx_default("h1.pcap", "01:00:00.000000", "01:59:59.000000");
	f.inputs = "[{\"uri\": \"h0.pcap\", \"size_bytes\": 1000, \"packets\": 100, "
	           "\"first_packet\": \"2026-11-24T00:00:00.000000Z\", "
	           "\"last_packet\": \"2026-11-24T00:59:59.000000Z\"},"
	           " {\"uri\": \"h1.pcap\", \"size_bytes\": 1000, \"packets\": 100, "
	           "\"first_packet\": \"2026-11-24T01:00:00.000000Z\", "
	           "\"last_packet\": \"2026-11-24T01:59:59.000000Z\"}]";
	char *dirs[2] = {hour_shard(0, ATTACKS_HEADER, TS_H0), shard(&f, ATTACKS_HEADER, TS_H1)};
	expect_add_error(dirs, 2, -BS_EEXIST, "share the input h0.pcap");
	struct bs_err err;
	merge_t *m = add_all(dirs, 2, -BS_EEXIST, &err);
	ck_assert_ptr_nonnull(strstr(err.msg, dirs[0]));
	merge_free(m);
	remove_all(dirs, 2);
}
END_TEST

START_TEST(unwritable_out_writes_nothing)
{
	char *dirs[2] = {hour_shard(0, ATTACKS_HEADER A0_BEFORE, TS_H0),
	                 hour_shard(1, ATTACKS_HEADER A0_AFTER_180S, TS_H1)};
	struct bs_err err;
	merge_t *m = add_all(dirs, 2, 0, &err);
	ck_assert_int_eq(merge_write(m, "/nonexistent/out", "c", "v", &err), -BS_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/out"));
	merge_free(m);
	remove_all(dirs, 2);
}
END_TEST

/* ---- joining ---- */

START_TEST(join_across_seam)
{
	char *dirs[2] = {hour_shard(1, ATTACKS_HEADER A0_AFTER_180S, TS_H1),
	                 hour_shard(0, ATTACKS_HEADER A0_BEFORE, TS_H0)}; /* out of order */
	struct rows r;
	merge_t *m;
	char *out = merge_into(dirs, 2, &r, &m);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(merge_join_count(m), 1);
	ck_assert_uint_eq(merge_attack_count(m), 1);
	const struct csvread_attack *a = &r.a[0];
	ck_assert_uint_eq(a->start_us, T0 + 50 * 60 * S);
	ck_assert_uint_eq(a->end_us, T0 + 70 * 60 * S);
	ck_assert_uint_eq(a->packets, 4000);
	ck_assert_uint_eq(a->bytes, 160000);
	/* 100 + 100 - 100 * 100 / 256 = 160.94 */
	ck_assert_uint_eq(a->telescope_addrs, 161);
	ck_assert_uint_eq(a->victim_ports, 5);
	ck_assert_int_eq(a->top_port, 443); /* the part with 3000 packets */
	ck_assert_double_eq_tol(a->uniformity_a2, 3.5, 1e-9);
	ck_assert(!a->uniform);
	ck_assert_uint_eq(a->responses, (1u << BS_RESP_TCP_SYNACK) | (1u << BS_RESP_TCP_RST));
	ck_assert_uint_eq(a->peak_ppm, 150);
	ck_assert_uint_eq(a->icmp_mismatches, 3);
	char buf[BS_ADDR_STRLEN];
	ck_assert(a->has_responder);
	ck_assert_str_eq(bs_addr_format(&a->responder, buf, sizeof buf), "198.51.100.7");
	ck_assert_str_eq(r.country[0], "US"); /* the first part's */
	ck_assert_uint_eq(a->asn, 64500);     /* the first part that has one */
	ck_assert_str_eq(r.as_org[0], "Example, Inc.");
	/* Derived columns as attack_list.c computes them: 4000 packets in 1200 s,
	 * times 2^32 / 256. */
	char *line = line_of(out, "attacks.csv", 1);
	ck_assert_str_eq(line, "1,192.0.2.1,TCP,2026-11-24T00:50:00.000000Z,"
	                       "2026-11-24T01:10:00.000000Z,1200.000000,4000,160000,161,5,443,"
	                       "TCP_SYNACK|TCP_RST,150,3.333333,55924053.3,3.5000,0,3,198.51.100.7,"
	                       "US,64500,\"Example, Inc.\",,1");
	/* Rows of a version before attack_ports: unknown, an empty cell. */
	ck_assert_int_eq(a->attack_ports, -1);
	free(line);
	merge_free(m);
	outdir_remove(out);
	remove_all(dirs, 2);
}
END_TEST

/* Merges an attack ending at 00:59:00 with one starting gap_us later. */
static size_t rows_with_gap(uint64_t gap_s, unsigned gap_frac_us, const char *proto2)
{
	char second[512];
	unsigned long long t = 59 * 60 + gap_s;
	snprintf(second, sizeof second,
	         ATTACKS_HEADER "9,192.0.2.1,%s,2026-11-24T%02llu:%02llu:%02llu.%06uZ,"
	                        "2026-11-24T01:30:00.000000Z,0,500,1,50,1,80,TCP_RST,40,0,1.0,"
	                        "1.0,1,0,,,,\n",
	         proto2, t / 3600, t / 60 % 60, t % 60, gap_frac_us);
	char *dirs[2] = {hour_shard(0, ATTACKS_HEADER A0_BEFORE, TS_H0),
	                 hour_shard(1, second, TS_H1)};
	struct rows r;
	char *out = merge_into(dirs, 2, &r, NULL);
	outdir_remove(out);
	remove_all(dirs, 2);
	return r.n;
}

START_TEST(gap_equal_to_timeout_joins)
{
	ck_assert_uint_eq(rows_with_gap(300, 0, "TCP"), 1);
}
END_TEST

START_TEST(gap_beyond_timeout_does_not_join)
{
	ck_assert_uint_eq(rows_with_gap(300, 1, "TCP"), 2);
	ck_assert_uint_eq(rows_with_gap(1800, 0, "TCP"), 2);
}
END_TEST

START_TEST(same_victim_other_protocol_does_not_join)
{
	ck_assert_uint_eq(rows_with_gap(10, 0, "ICMP"), 2);
}
END_TEST

START_TEST(same_shard_never_joins)
{
	/* Two rows of one key 60 s apart in one shard: the collector already
	 * decided they are separate flows (or was told so); merge keeps them. */
	char *dir = hour_shard(
	    0,
	    ATTACKS_HEADER A0_BEFORE ROW("192.0.2.1", "TCP", "00:59:30.000000", "00:59:50.000000",
	                                 "30,1,10,1,80,TCP_SYNACK,30,0,1.0,1.0,1,0,,,,"),
	    TS_H0);
	struct rows r;
	char *out = merge_into(&dir, 1, &r, NULL);
	ck_assert_uint_eq(r.n, 2);
	outdir_remove(out);
	outdir_remove(dir);
}
END_TEST

START_TEST(union_estimate)
{
	/* Three parts over three hours: 200, 200 and 256 of 256 addresses.
	 * 200 + 200 - 200 * 200 / 256 = 243.75, then with 256: all 256. */
	struct sfx f2 = sfx_default("h2.pcap", "02:00:00.000000", "02:59:59.000000");
	char *dirs[3] = {
	    hour_shard(0,
	               ATTACKS_HEADER ROW("192.0.2.1", "UDP", "00:40:00.000000", "00:59:59.000000",
	                                  "100,1,200,1,53,ICMP_UNREACH,30,0,1.0,1.0,1,0,,,,"),
	               TS_H0),
	    hour_shard(1,
	               ATTACKS_HEADER ROW("192.0.2.1", "UDP", "01:00:00.000000", "01:59:59.000000",
	                                  "100,1,200,1,53,ICMP_UNREACH,30,0,1.0,1.0,1,0,,,,"),
	               TS_H1),
	    shard(&f2,
	          ATTACKS_HEADER ROW("192.0.2.1", "UDP", "02:00:00.000000", "02:10:00.000000",
	                             "100,1,256,1,53,ICMP_UNREACH,30,0,1.0,1.0,1,0,,,,"),
	          TS_HEADER),
	};
	struct rows r;
	merge_t *m;
	char *out = merge_into(dirs, 2, &r, &m);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.a[0].telescope_addrs, 244);
	merge_free(m);
	outdir_remove(out);
	out = merge_into(dirs, 3, &r, &m);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(merge_join_count(m), 2);
	ck_assert_uint_eq(r.a[0].packets, 300);
	ck_assert_uint_eq(r.a[0].telescope_addrs, 256);
	ck_assert_uint_eq(r.a[0].start_us, T0 + 40 * 60 * S);
	ck_assert_uint_eq(r.a[0].end_us, T0 + 130 * 60 * S);
	merge_free(m);
	outdir_remove(out);
	remove_all(dirs, 3);
}
END_TEST

START_TEST(unjoined_rows_keep_their_text)
{
	const char *row = "192.0.2.5,ICMP,2026-11-24T00:10:00.000000Z,2026-11-24T00:20:00.000000Z,"
	                  "600.000000,1200,67200,800,0,,ICMP_ECHO_REPLY,130,2.000000,33554432.0,"
	                  ",0,0,,NA,,";
	char attacks[1024];
	snprintf(attacks, sizeof attacks, ATTACKS_HEADER "1,%s\n", row);
	char *dirs[2] = {hour_shard(0, attacks, TS_H0),
	                 hour_shard(1, ATTACKS_HEADER A0_AFTER_180S, TS_H1)};
	struct rows r;
	char *out = merge_into(dirs, 2, &r, NULL);
	ck_assert_uint_eq(r.n, 2);
	char *line = line_of(out, "attacks.csv", 1);
	char want[1024];
	/* and attack_ports, unknown, and vector_group, its own attack_id */
	snprintf(want, sizeof want, "1,%s,,1", row);
	ck_assert_str_eq(line, want);
	free(line);
	line = line_of(out, "attacks.csv", 2);
	ck_assert_ptr_nonnull(strstr(line, "2,192.0.2.1,TCP,2026-11-24T01:02:00.000000Z"));
	free(line);
	outdir_remove(out);
	remove_all(dirs, 2);
}
END_TEST

/* vector_group is computed from the joined list, not per shard: an ICMP
 * attack in the first shard and a UDP attack in the second overlap
 * neither each other nor any attack of their own shard, but both overlap
 * the TCP attack joined across the seam (00:50 to 01:10): one group of
 * three, named by the ICMP attack, the first of them. Another victim at
 * the same time is a group of its own. */
START_TEST(vector_group_across_seam)
{
	char *dirs[2] = {
	    hour_shard(0,
	               ATTACKS_HEADER ROW("192.0.2.1", "ICMP", "00:45:00.000000", "00:51:00.000000",
	                                  "600,33600,300,0,,ICMP_ECHO_REPLY,70,0,1.0,,0,0,,US,,")
	                   A0_BEFORE,
	               TS_H0),
	    hour_shard(1,
	               ATTACKS_HEADER A0_AFTER_180S ROW(
	                   "192.0.2.1", "UDP", "01:09:00.000000", "01:15:00.000000",
	                   "500,28000,300,1,53,ICMP_UNREACH,60,0,1.0,,0,0,,US,,")
	                   ROW("192.0.2.2", "TCP", "01:09:00.000000", "01:15:00.000000",
	                       "500,20000,300,1,80,TCP_SYNACK,60,0,1.0,,0,0,,,,"),
	               TS_H1)};
	struct rows r;
	char *out = merge_into(dirs, 2, &r, NULL);
	ck_assert_uint_eq(r.n, 4);
	static const char *const want[] = {"1,192.0.2.1,ICMP,", "2,192.0.2.1,TCP,",
	                                   "3,192.0.2.1,UDP,", "4,192.0.2.2,TCP,"};
	static const char *const group[] = {",1", ",1", ",1", ",4"};
	for (size_t i = 0; i < 4; i++) {
		char *line = line_of(out, "attacks.csv", i + 1);
		ck_assert_msg(strncmp(line, want[i], strlen(want[i])) == 0, "row %zu: %s", i + 1,
		              line);
		ck_assert_str_eq(strrchr(line, ','), group[i]);
		free(line);
	}
	outdir_remove(out);
	remove_all(dirs, 2);
}
END_TEST

/* The same two parts with attack_ports, the column of later versions. */
#define ATTACKS_HEADER_AP                                                                          \
	"attack_id,victim,protocol,start_time,end_time,duration_s,packets,bytes,telescope_addrs,"  \
	"victim_ports,top_port,responses,peak_ppm,mean_pps,est_attack_pps,uniformity_a2,uniform,"  \
	"icmp_mismatches,responder,country,asn,as_org,attack_ports\n"
#define A0_BEFORE_AP                                                                               \
	ROW("192.0.2.1", "TCP", "00:50:00.000000", "00:59:00.000000",                              \
	    "1000,40000,100,3,80,TCP_SYNACK,120,0,1.0,1.0000,1,2,198.51.100.9,US,,,300")
#define A0_AFTER_180S_AP                                                                           \
	ROW("192.0.2.1", "TCP", "01:02:00.000000", "01:10:00.000000",                              \
	    "3000,120000,100,5,443,TCP_SYNACK|TCP_RST,150,0,1.0,3.5000,0,1,198.51.100.7,DE,"       \
	    "64500,\"Example, Inc.\",1200")

/* attack_ports of a joined row: the larger part's (a lower bound, as
 * victim_ports), unknown when a part does not know it; a row alone keeps
 * its own. */
static int32_t joined_attack_ports(const char *before, const char *after, size_t n_rows)
{
	char *dirs[2] = {hour_shard(0, before, TS_H0), hour_shard(1, after, TS_H1)};
	struct rows r;
	char *out = merge_into(dirs, 2, &r, NULL);
	ck_assert_uint_eq(r.n, n_rows);
	char *line = line_of(out, "attacks.csv", 0);
	ck_assert_str_eq(line, "attack_id,victim,protocol,start_time,end_time,duration_s,packets,"
	                       "bytes,telescope_addrs,victim_ports,top_port,responses,peak_ppm,"
	                       "mean_pps,est_attack_pps,uniformity_a2,uniform,icmp_mismatches,"
	                       "responder,country,asn,as_org,attack_ports,vector_group");
	free(line);
	outdir_remove(out);
	remove_all(dirs, 2);
	return r.a[0].attack_ports;
}

START_TEST(join_attack_ports)
{
	ck_assert_int_eq(joined_attack_ports(ATTACKS_HEADER_AP A0_BEFORE_AP,
	                                     ATTACKS_HEADER_AP A0_AFTER_180S_AP, 1),
	                 1200); /* not the sum */
	ck_assert_int_eq(joined_attack_ports(ATTACKS_HEADER_AP A0_AFTER_180S_AP,
	                                     ATTACKS_HEADER_AP A0_BEFORE_AP, 1),
	                 1200);
	/* An older shard beside a newer one. */
	ck_assert_int_eq(
	    joined_attack_ports(ATTACKS_HEADER_AP A0_BEFORE_AP, ATTACKS_HEADER A0_AFTER_180S, 1),
	    -1);
	ck_assert_int_eq(
	    joined_attack_ports(ATTACKS_HEADER A0_BEFORE, ATTACKS_HEADER_AP A0_AFTER_180S_AP, 1),
	    -1);
	/* Not joined (the second on another victim): each keeps its own. */
	ck_assert_int_eq(joined_attack_ports(ATTACKS_HEADER_AP A0_BEFORE_AP,
	                                     ATTACKS_HEADER_AP
	                                     "9,192.0.2.2,TCP,2026-11-24T01:02:00.000000Z,"
	                                     "2026-11-24T01:10:00.000000Z,0,30,1,10,1,80,"
	                                     "TCP_SYNACK,30,0,1.0,1.0,1,0,,,,,7\n",
	                                     2),
	                 300);
}
END_TEST

/* ---- duplicate and empty shards ---- */

START_TEST(duplicate_shard_is_skipped)
{
	char *dirs[3] = {hour_shard(0, ATTACKS_HEADER A0_BEFORE, TS_H0),
	                 hour_shard(1, ATTACKS_HEADER A0_AFTER_180S, TS_H1), NULL};
	dirs[2] = dirs[0];
	struct rows r;
	merge_t *m;
	char *out = merge_into(dirs, 3, &r, &m);
	ck_assert_uint_eq(merge_shard_count(m), 2);
	ck_assert_uint_eq(r.n, 1);
	ck_assert_uint_eq(r.a[0].packets, 4000);
	/* and the shards, made by hand, have no flows.state */
	ck_assert_uint_eq(merge_warning_count(m), 2);
	ck_assert_ptr_nonnull(strstr(merge_warning(m, 0), "the same inputs as"));
	ck_assert_ptr_nonnull(strstr(merge_warning(m, 1), "has no flows.state"));
	ck_assert_ptr_null(merge_warning(m, 2));
	ck_assert_int_eq(merge_status(m), MERGE_OK);
	json_t *root = load_summary(out);
	ck_assert_int_eq(jint(root, "counters", "packets"), 200);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "inputs")), 2);
	ck_assert_uint_eq(json_array_size(json_object_get(root, "merged_from")), 2);
	json_decref(root);
	merge_free(m);
	outdir_remove(out);
	remove_all(dirs, 2);
}
END_TEST

START_TEST(empty_shard)
{
	struct sfx f = sfx_default("h2.pcap", "02:00:00.000000", "02:59:59.000000");
	f.attacks = 0;
	char *dirs[2] = {shard(&f, ATTACKS_HEADER, TS_HEADER),
	                 hour_shard(0, ATTACKS_HEADER A0_BEFORE, TS_H0)};
	struct rows r;
	char *out = merge_into(dirs, 1, &r, NULL);
	ck_assert_uint_eq(r.n, 0);
	char *ts = outdir_read(out, "timeseries.csv");
	ck_assert_str_eq(ts, TS_HEADER);
	free(ts);
	outdir_remove(out);
	out = merge_into(dirs, 2, &r, NULL);
	ck_assert_uint_eq(r.n, 1);
	outdir_remove(out);
	remove_all(dirs, 2);
}
END_TEST

/* ---- time series and summary ---- */

START_TEST(timeseries_summed)
{
	/* Both shards have packets in the 01:00 bin (a seam inside a bin). */
	const char *ts1 = TS_HEADER
	    "2026-11-24T00:55:00.000000Z,2026-11-24T01:00:00.000000Z,1000,1,0,1,1000,0,0,0\n"
	    "2026-11-24T01:00:00.000000Z,2026-11-24T01:05:00.000000Z,7,0,0,0,0,7,0,0\n";
	char *dirs[2] = {hour_shard(0, ATTACKS_HEADER A0_BEFORE, ts1),
	                 hour_shard(1, ATTACKS_HEADER A0_AFTER_180S, TS_H1)};
	struct rows r;
	char *out = merge_into(dirs, 2, &r, NULL);
	char *ts = outdir_read(out, "timeseries.csv");
	/* One joined attack 00:50-01:10, active in both bins, started in the first. */
	ck_assert_str_eq(
	    ts, TS_HEADER
	    "2026-11-24T00:55:00.000000Z,2026-11-24T01:00:00.000000Z,1000,1,0,1,1000,0,0,0\n"
	    "2026-11-24T01:00:00.000000Z,2026-11-24T01:05:00.000000Z,3007,1,0,1,2990,7,10,0\n");
	free(ts);
	outdir_remove(out);
	remove_all(dirs, 2);
}
END_TEST

START_TEST(summary_merged)
{
	struct sfx f1 = sfx_default("h1.pcap", "01:00:00.000000", "01:59:59.000000");
	f1.complete = "false";
	f1.files_failed = 1;
	f1.filter = "\"tcp\"";
	f1.warnings = "[\"h1.pcap: cut short\"]";
	char *dirs[2] = {hour_shard(0, ATTACKS_HEADER A0_BEFORE, TS_H0),
	                 shard(&f1, ATTACKS_HEADER A0_AFTER_180S, TS_H1)};
	struct rows r;
	merge_t *m;
	char *out = merge_into(dirs, 2, &r, &m);
	ck_assert_int_eq(merge_status(m), MERGE_WARNINGS);
	/* filter differs, shard 2 incomplete, and lost a file; no flows.state */
	ck_assert_uint_eq(merge_warning_count(m), 4);
	json_t *root = load_summary(out);
	ck_assert_str_eq(json_string_value(json_object_get(root, "command_line")),
	                 "backscatter merge");
	ck_assert_str_eq(
	    json_string_value(json_object_get(json_object_get(root, "tool"), "version")), "9.9");
	ck_assert_int_eq(jint(root, "counters", "packets"), 200);
	ck_assert_int_eq(jint(root, "counters", "non_ip"), 2);
	ck_assert_int_eq(jint(root, "counters", "files_failed"), 1);
	ck_assert_int_eq(jint(root, "flows", "flows"), 5); /* 3 + 3, one joined */
	ck_assert_int_eq(jint(root, "flows", "attacks"), 1);
	ck_assert_int_eq(jint(root, "flows", "rejected"), 4);
	ck_assert_int_eq(jint(root, "flows", "stitched"), 1);
	ck_assert_int_eq(jint(root, "flows", "peak_open_flows"), 7);
	ck_assert(json_is_false(json_object_get(root, "complete")));
	ck_assert_str_eq(json_string_value(json_object_get(root, "partial_reason")),
	                 "stopped by a signal");
	json_t *range = json_object_get(root, "time_range");
	ck_assert_str_eq(json_string_value(json_object_get(range, "first_packet")),
	                 "2026-11-24T00:00:00.000000Z");
	ck_assert_str_eq(json_string_value(json_object_get(range, "last_packet")),
	                 "2026-11-24T01:59:59.000000Z");
	json_t *p = json_object_get(root, "parameters");
	ck_assert_int_eq(jint(p, NULL, "interval_s"), 300);
	ck_assert(json_is_null(json_object_get(p, "filter"))); /* the earliest shard's */
	json_t *ins = json_object_get(root, "inputs");
	ck_assert_uint_eq(json_array_size(ins), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(ins, 0), "uri")),
	                 "h0.pcap");
	json_t *w = json_object_get(root, "warnings");
	ck_assert_uint_eq(json_array_size(w), 5);
	ck_assert_str_eq(json_string_value(json_array_get(w, 0)), "h1.pcap: cut short");
	json_t *from = json_object_get(root, "merged_from");
	ck_assert_uint_eq(json_array_size(from), 2);
	ck_assert_str_eq(json_string_value(json_array_get(from, 0)), dirs[0]);
	json_decref(root);
	merge_free(m);
	/* Nothing but the three files, no staging directory left. */
	ck_assert_int_eq(outdir_count(out), 3);
	outdir_remove(out);
	remove_all(dirs, 2);
}
END_TEST

/* ---- the prefix view ---- */

#define PREFIX_HEADER                                                                              \
	"prefix_id,prefix,protocol,start_time,end_time,duration_s,packets,bytes,telescope_addrs,"  \
	"victim_ports,top_port,responses,peak_ppm,mean_pps,uniformity_a2,uniform,attack_ports,"    \
	"victims,victim_attacks\n"
#define PV_24_48                                                                                   \
	"{\"ipv4_length\": 24, \"ipv6_length\": 48, \"min_victims\": 5, \"flows\": {\"flows\": "   \
	"1, "                                                                                      \
	"\"attacks\": 0, \"rejected\": 1, \"open_flows\": 0, \"peak_open_flows\": 1, "             \
	"\"stitched\": 0}}"

/* Hour h's shard with the prefix view pv (JSON) and prefix_attacks.csv
 * text prefixes. */
static char *prefix_shard(int hour, const char *pv, const char *prefixes)
{
	struct sfx f = hour == 0 ? sfx_default("h0.pcap", "00:00:00.000000", "00:59:59.000000")
	                         : sfx_default("h1.pcap", "01:00:00.000000", "01:59:59.000000");
	f.prefix_view = pv;
	char *dir = shard(&f, ATTACKS_HEADER, hour == 0 ? TS_H0 : TS_H1);
	if (prefixes != NULL)
		outdir_write(dir, "prefix_attacks.csv", prefixes);
	return dir;
}

START_TEST(prefix_view_mismatch)
{
	static const struct {
		const char *pv, *want;
	} cases[] = {
	    {"{\"ipv4_length\": 16, \"ipv6_length\": 48, \"min_victims\": 5, \"flows\": {}}",
	     "summary.json: prefix_view.ipv4_length 16 differs from 24 in "},
	    {"{\"ipv4_length\": 24, \"ipv6_length\": 64, \"min_victims\": 5, \"flows\": {}}",
	     "summary.json: prefix_view.ipv6_length 64 differs from 48 in "},
	    {"{\"ipv4_length\": 24, \"ipv6_length\": 48, \"min_victims\": 9, \"flows\": {}}",
	     "summary.json: prefix_view.min_victims 9 differs from 5 in "},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dirs[2] = {prefix_shard(0, PV_24_48, PREFIX_HEADER),
		                 prefix_shard(1, cases[i].pv, PREFIX_HEADER)};
		expect_add_error(dirs, 2, -BS_EFORMAT, cases[i].want);
		remove_all(dirs, 2);
	}
}
END_TEST

/* A prefix_attacks.csv row of another length than its summary says. */
START_TEST(prefix_row_of_other_length)
{
	char *dir = prefix_shard(0, PV_24_48,
	                         PREFIX_HEADER "1,192.0.2.0/23,TCP,2026-11-24T00:10:00.000000Z,"
	                                       "2026-11-24T00:20:00.000000Z,600.000000,100,4000,"
	                                       "50,3,80,TCP_SYNACK,30,0.166667,1.0000,1,40,6,0\n");
	expect_add_error(&dir, 1, -BS_EFORMAT,
	                 "prefix_attacks.csv: row 2: column prefix: /23, where the summary's "
	                 "prefix view says /24");
	outdir_remove(dir);
}
END_TEST

/* Merges dirs: status MERGE_WARNINGS, one warning holding want, and no
 * prefix_attacks.csv in the result. */
static void expect_prefix_left_out(char **dirs, size_t n, const char *want)
{
	struct bs_err err;
	merge_t *m = add_all(dirs, n, 0, &err);
	char *out = outdir_create();
	ck_assert_msg(merge_write(m, out, "backscatter merge", "9.9", &err) == 0, "%s", err.msg);
	ck_assert_int_eq(merge_status(m), MERGE_WARNINGS);
	size_t found = 0;
	for (size_t i = 0; i < merge_warning_count(m); i++)
		found += strstr(merge_warning(m, i), want) != NULL;
	ck_assert_msg(found == 1, "no warning '%s'", want);
	char *text = outdir_read(out, "prefix_attacks.csv");
	ck_assert_ptr_null(text);
	merge_free(m);
	outdir_remove(out);
}

START_TEST(prefix_view_left_out)
{
	/* A shard without the view. */
	char *dirs[2] = {prefix_shard(0, PV_24_48, PREFIX_HEADER),
	                 hour_shard(1, ATTACKS_HEADER, TS_H1)};
	char want[512];
	snprintf(want, sizeof want,
	         "no prefix_attacks.csv written: %s was collected without --prefix-view", dirs[1]);
	expect_prefix_left_out(dirs, 2, want);
	outdir_remove(dirs[1]);
	/* Both with it, neither with flows.state (the rows' join). */
	dirs[1] = prefix_shard(1, PV_24_48, PREFIX_HEADER);
	expect_prefix_left_out(dirs, 2,
	                       "no prefix_attacks.csv written: a shard has no flows.state");
	remove_all(dirs, 2);
}
END_TEST

#define PV_VICTIMS 0xc6336400u /* 198.51.100.0/24 */

static int no_attack(const struct attack_record *rec, void *arg)
{
	(void)rec;
	(void)arg;
	return 0;
}

struct held_flows {
	struct flowstate_flow f[8];
	size_t n;
};

static int keep_flow(attack_flow_t *f, void *arg)
{
	struct held_flows *h = arg;
	ck_assert_uint_lt(h->n, 8);
	h->f[h->n++] = (struct flowstate_flow){.flow = f};
	return 0;
}

/* DIR/flows.state of a piece from first_us to last_us with the prefix
 * view 24,48,5 whose prefix table saw n packets, one a second from
 * start_us, of victims 198.51.100.v0 to v0 + 2 in turn: its flows at
 * the piece's edge (open at its end: tail; else starting at its head). */
static void write_prefix_state(const char *dir, uint64_t first_us, uint64_t last_us,
                               uint64_t start_us, unsigned n, uint32_t v0, bool tail)
{
	static const struct attack_prefix_view pv = {.len4 = 24, .len6 = 48, .min_victims = 5};
	bs_prefixes_t *tel = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(tel, "10.0.0.0/24"), 0);
	struct flowstate_header h = {.telescope_hash = flowstate_telescope_hash(tel),
	                             .first_us = first_us,
	                             .last_us = last_us,
	                             .has_prefix_view = true,
	                             .prefix_view = pv};
	ck_assert_int_eq(attack_params_preset(&h.params, "rsdos"), 0);
	attack_table_t *t = attack_table_create(&h.params, tel, no_attack, NULL);
	attack_table_key_prefix(t, &pv);
	struct held_flows held = {.n = 0};
	const struct attack_hold hold = {
	    .after_previous = !tail, .until_us = first_us + 300 * S, .before_next = tail};
	attack_table_hold(t, &hold, keep_flow, &held);
	for (unsigned i = 0; i < n; i++) {
		struct bs_event ev = {.ts_us = start_us + i * S,
		                      .ip_len = 40,
		                      .port = 80,
		                      .aport = (uint16_t)(1024 + i),
		                      .proto = BS_PROTO_TCP,
		                      .response = BS_RESP_TCP_SYNACK,
		                      .flags = BS_EV_HAS_PORT | BS_EV_HAS_APORT};
		bs_addr_from_v4(&ev.victim, PV_VICTIMS + v0 + i % 3);
		bs_addr_from_v4(&ev.dst, 0x0a000000u + i % 200);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	ck_assert_int_eq(attack_table_flush(t), 0);
	ck_assert_uint_eq(held.n, 1);
	struct bs_buf b = {0};
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_encode(&h, held.f, held.n, &b, &err), 0);
	char path[4096];
	snprintf(path, sizeof path, "%s/flows.state", dir);
	FILE *out = fopen(path, "wb");
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(fwrite(b.data, 1, b.len, out), b.len);
	ck_assert_int_eq(fclose(out), 0);
	bs_buf_free(&b);
	attack_flow_free(held.f[0].flow);
	attack_table_free(t);
	bs_prefixes_free(tel);
}

/* Three victims at the end of hour 0 and three others at the start of
 * hour 1, 30 s each: each piece alone is below every threshold, joined
 * they are a prefix attack of six victims, which only the flows tell. */
START_TEST(prefix_attack_joined_from_flows)
{
	char *dirs[2] = {prefix_shard(0, PV_24_48, PREFIX_HEADER),
	                 prefix_shard(1, PV_24_48, PREFIX_HEADER)};
	const uint64_t h1 = T0 + 3600 * S;
	write_prefix_state(dirs[0], T0, h1 - S, h1 - 30 * S, 30, 1, true);
	write_prefix_state(dirs[1], h1, h1 + 3599 * S, h1, 31, 4, false);
	struct rows r;
	merge_t *m;
	char *out = merge_into(dirs, 2, &r, &m);
	ck_assert_int_eq(merge_status(m), MERGE_OK);
	ck_assert_uint_eq(r.n, 0);
	char *row = line_of(out, "prefix_attacks.csv", 1);
	const char *want = "1,198.51.100.0/24,TCP,2026-11-24T00:59:30.000000Z,"
	                   "2026-11-24T01:00:30.000000Z,60.000000,61,2440,";
	ck_assert_msg(strncmp(row, want, strlen(want)) == 0, "row %s", row);
	/* 6 victims, none attacked on its own */
	ck_assert_str_eq(row + strlen(row) - 4, ",6,0");
	free(row);
	json_t *root = load_summary(out);
	json_t *pv = json_object_get(root, "prefix_view");
	ck_assert_int_eq(jint(pv, NULL, "ipv4_length"), 24);
	ck_assert_int_eq(jint(pv, "flows", "flows"), 1);
	ck_assert_int_eq(jint(pv, "flows", "attacks"), 1);
	ck_assert_int_eq(jint(pv, "flows", "rejected"), 0);
	ck_assert_int_eq(jint(pv, "flows", "stitched"), 1);
	json_decref(root);
	merge_free(m);
	outdir_remove(out);
	remove_all(dirs, 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("errors");
	tcase_add_test(tc, missing_shard_dir);
	tcase_add_test(tc, malformed_summary);
	tcase_add_test(tc, malformed_csv);
	tcase_add_test(tc, mismatched_parameters);
	tcase_add_test(tc, bad_telescope_prefix);
	tcase_add_test(tc, shared_input_is_eexist);
	tcase_add_test(tc, unwritable_out_writes_nothing);
	suite_add_tcase(s, tc);
	tc = tcase_create("join");
	tcase_add_test(tc, join_across_seam);
	tcase_add_test(tc, gap_equal_to_timeout_joins);
	tcase_add_test(tc, gap_beyond_timeout_does_not_join);
	tcase_add_test(tc, same_victim_other_protocol_does_not_join);
	tcase_add_test(tc, same_shard_never_joins);
	tcase_add_test(tc, union_estimate);
	tcase_add_test(tc, unjoined_rows_keep_their_text);
	tcase_add_test(tc, join_attack_ports);
	tcase_add_test(tc, vector_group_across_seam);
	suite_add_tcase(s, tc);
	tc = tcase_create("shards");
	tcase_add_test(tc, duplicate_shard_is_skipped);
	tcase_add_test(tc, empty_shard);
	tcase_add_test(tc, timeseries_summed);
	tcase_add_test(tc, summary_merged);
	suite_add_tcase(s, tc);
	tc = tcase_create("prefix_view");
	tcase_add_test(tc, prefix_view_mismatch);
	tcase_add_test(tc, prefix_row_of_other_length);
	tcase_add_test(tc, prefix_view_left_out);
	tcase_add_test(tc, prefix_attack_joined_from_flows);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

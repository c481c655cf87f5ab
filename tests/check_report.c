/* check_report.c - tests for the report model on the hand-made collect
 * directories in tests/data/report/ (made by make_fixtures.py; the
 * expected numbers below are worked out by hand from its attack list):
 * errors first (missing and malformed files, bad windows, a period too
 * long), then deduplication across directories, --since/--until, days and
 * hours with gaps, mixes, top tables, repeat and peak-rate buckets,
 * distributions and a many-victim run that grows the hash tables. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "check_outdir.h"
#include "telescope/event.h"
#include "analysis/report.h"
#include "analysis/services.h"

#define US   1000000ull
#define HOUR (3600ull * US)
#define DAY  (86400ull * US)
/* Midnights (UTC) of the fixture days, in microseconds since the epoch. */
#define NOV24 (1795478400ull * US)
#define NOV25 (1795564800ull * US)
#define NOV26 (1795651200ull * US)
#define NOV27 (1795737600ull * US)
/* Attacks of the fixtures: night1 has 6, shard 3 (2 of them night1's
 * again), night2 2. */
#define ALL_ATTACKS 9u

static char *fixture(const char *night)
{
	const char *dir = getenv("TESTDATA");
	ck_assert_msg(dir != NULL, "TESTDATA must point at tests/data");
	static char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/report/%s", dir, night);
	return path;
}

/* A finished report over the named fixture nights (NULL-terminated). */
static report_t *load(uint64_t since, uint64_t until, uint32_t top, const char *const *nights)
{
	report_t *r = report_create(since, until, top);
	ck_assert_ptr_nonnull(r);
	struct bs_err err;
	for (size_t i = 0; nights[i] != NULL; i++)
		ck_assert_msg(report_add_dir(r, fixture(nights[i]), &err) == 0, "%s", err.msg);
	ck_assert_msg(report_finish(r, &err) == 0, "%s", err.msg);
	return r;
}

static report_t *load_all(void)
{
	static const char *const all[] = {"night1", "shard", "night2", NULL};
	return load(0, REPORT_NO_UNTIL, REPORT_DEFAULT_TOP, all);
}

static const char *addr_text(const bs_addr_t *a)
{
	static char buf[BS_ADDR_STRLEN];
	return bs_addr_format(a, buf, sizeof buf);
}

/* Copies the fixture night into a scratch dir, replacing file name by text
 * when name is not NULL. */
static char *scratch_night(const char *name, const char *text)
{
	char *dir = outdir_create();
	static const char *const files[] = {"summary.json", "attacks.csv", "timeseries.csv"};
	for (size_t i = 0; i < 3; i++) {
		char *body = outdir_read(fixture("night1"), files[i]);
		ck_assert_ptr_nonnull(body);
		outdir_write(dir, files[i], name && strcmp(name, files[i]) == 0 ? text : body);
		free(body);
	}
	return dir;
}

START_TEST(create_rejects_bad_arguments)
{
	ck_assert_ptr_null(report_create(5, 5, 10));
	ck_assert_ptr_null(report_create(6, 5, 10));
	ck_assert_ptr_null(report_create(0, REPORT_NO_UNTIL, 0));
	report_free(NULL);
}
END_TEST

START_TEST(missing_directory_names_the_file)
{
	report_t *r = report_create(0, REPORT_NO_UNTIL, 10);
	struct bs_err err;
	ck_assert_int_eq(report_add_dir(r, "/nonexistent/night", &err), -BS_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/night/summary.json"));
	report_free(r);
}
END_TEST

START_TEST(malformed_summary)
{
	/* summary.json by the rules of summary_read(), as merge reads it:
	 * each message names the file and the key. */
	static const struct {
		const char *from, *to, *want;
	} edits[] = {
	    {NULL, "{", "summary.json: line"}, /* NULL: the whole file */
	    {NULL, "[]", "summary.json: not a JSON object"},
	    {"\"complete\": true,", "\"complete\": true, \"complete\": true,",
	     "summary.json: line 60: duplicate object key"},
	    {"\"telescope_size_v4\": 16777216.0,", "",
	     "summary.json: parameters.telescope_size_v4 is missing or not a number"},
	    {"\"time_range\": {\n    \"first_packet\": \"2026-11-24T22:00:00.000000Z\"",
	     "\"time_range\": {\n    \"first_packet\": \"yesterday\"",
	     "summary.json: time_range.first_packet is not a UTC time"},
	    {"\"time_range\": {\n    \"first_packet\": \"2026-11-24T22:00:00.000000Z\"",
	     "\"time_range\": {\n    \"first_packet\": \"2026-11-25T22:00:00.000000Z\"",
	     "summary.json: time_range.last_packet is before first_packet"},
	    {"\"complete\": true", "\"complete\": \"yes\"",
	     "summary.json: complete is missing or not true or false"},
	    {"\"warnings\": []", "\"warnings\": [3]",
	     "summary.json: warnings is not a list of strings"},
	};
	char *good = outdir_read(fixture("night1"), "summary.json");
	ck_assert_ptr_nonnull(good);
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		char text[8192];
		if (edits[i].from == NULL) {
			snprintf(text, sizeof text, "%s", edits[i].to);
		} else {
			const char *at = strstr(good, edits[i].from);
			ck_assert_msg(at != NULL, "%s", edits[i].from);
			snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, edits[i].to,
			         at + strlen(edits[i].from));
		}
		char *dir = scratch_night("summary.json", text);
		report_t *r = report_create(0, REPORT_NO_UNTIL, 10);
		struct bs_err err;
		ck_assert_int_eq(report_add_dir(r, dir, &err), -BS_EFORMAT);
		ck_assert_msg(strstr(err.msg, edits[i].want) != NULL, "'%s' lacks '%s'", err.msg,
		              edits[i].want);
		report_free(r);
		outdir_remove(dir);
	}
	free(good);
}
END_TEST

START_TEST(failed_directory_contributes_nothing)
{
	/* a good attacks.csv and a timeseries.csv broken on its last row */
	char *ts = outdir_read(fixture("night1"), "timeseries.csv");
	ck_assert_ptr_nonnull(ts);
	size_t len = strlen(ts);
	char *bad = malloc(len + 64);
	snprintf(bad, len + 64, "%s2026-11-25T06:00:00Z,2026-11-25T06:05:00Z,x,0,0,0,0,0,0,0\n",
	         ts);
	char *dir = scratch_night("timeseries.csv", bad);
	report_t *r = report_create(0, REPORT_NO_UNTIL, 10);
	struct bs_err err;
	ck_assert_int_eq(report_add_dir(r, dir, &err), -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "timeseries.csv: row 98: column packets: 'x'"));
	ck_assert_int_eq(report_add_dir(r, fixture("night2"), &err), 0);
	ck_assert_int_eq(report_finish(r, &err), 0);
	const struct report_dir *dirs;
	ck_assert_uint_eq(report_dirs(r, &dirs), 1);
	ck_assert_uint_eq(report_totals(r)->attacks, 2);
	ck_assert_uint_eq(report_totals(r)->packets, 480);
	const struct report_period *days;
	ck_assert_uint_eq(report_days(r, &days), 1);
	ck_assert_uint_eq(days[0].start_us, NOV27);
	report_free(r);
	outdir_remove(dir);
	free(bad);
	free(ts);
}
END_TEST

START_TEST(calls_out_of_order)
{
	report_t *r = report_create(0, REPORT_NO_UNTIL, 10);
	struct bs_err err;
	ck_assert_int_eq(report_finish(r, &err), 0);
	ck_assert_int_eq(report_finish(r, &err), -BS_EINVAL);
	ck_assert_int_eq(report_add_dir(r, fixture("night1"), &err), -BS_EINVAL);
	/* nothing read: every table is empty */
	const struct report_period *p;
	ck_assert_uint_eq(report_days(r, &p), 0);
	ck_assert_uint_eq(report_totals(r)->attacks, 0);
	ck_assert_uint_eq(report_dist(r, REPORT_DURATION)->n, 0);
	const struct report_cdf_point *c;
	ck_assert_uint_eq(report_cdf(r, REPORT_DURATION, &c), 0);
	ck_assert_ptr_null(report_dist(r, REPORT_METRIC_COUNT));
	report_free(r);
}
END_TEST

START_TEST(period_too_long)
{
	report_t *r = report_create(NOV24 - 4000ull * DAY, REPORT_NO_UNTIL, 10);
	struct bs_err err;
	ck_assert_int_eq(report_add_dir(r, fixture("night1"), &err), 0);
	ck_assert_int_eq(report_finish(r, &err), -BS_ERANGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "--since"));
	report_free(r);
}
END_TEST

START_TEST(parse_time)
{
	uint64_t us = 1;
	ck_assert_int_eq(report_parse_time("2026-11-25", &us), 0);
	ck_assert_uint_eq(us, NOV25);
	ck_assert_int_eq(report_parse_time("2026-11-24T22:00:00Z", &us), 0);
	ck_assert_uint_eq(us, NOV24 + 22 * HOUR);
	ck_assert_int_eq(report_parse_time("2026-11-24T22:00:00.5Z", &us), 0);
	ck_assert_uint_eq(us, NOV24 + 22 * HOUR + US / 2);
	static const char *const bad[] = {
	    "",           "2026-11-31",          "2026-11-2",
	    "2026/11/24", "2026-11-24T22:00:00", "2026-11-24 22:00:00Z",
	    "today"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		us = 1;
		ck_assert_msg(report_parse_time(bad[i], &us) == -BS_EINVAL, "accepted '%s'",
		              bad[i]);
		ck_assert_uint_eq(us, 0);
	}
	ck_assert_int_eq(report_parse_time("1969-12-31", &us), -BS_ERANGE);
	ck_assert_int_eq(report_parse_time(NULL, &us), -BS_EINVAL);
}
END_TEST

START_TEST(one_night)
{
	static const char *const n1[] = {"night1", NULL};
	report_t *r = load(0, REPORT_NO_UNTIL, 10, n1);
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->attacks, 6);
	ck_assert_uint_eq(t->duplicates, 0);
	ck_assert_uint_eq(t->victims, 4);
	ck_assert_uint_eq(t->victims_v6, 1);
	ck_assert_uint_eq(t->packets, 96 * 10);
	ck_assert_uint_eq(t->first_us, NOV24 + 22 * HOUR);
	ck_assert_uint_eq(t->last_us, NOV25 + 6 * HOUR);
	ck_assert_uint_eq(t->covered_us, 8 * HOUR);
	ck_assert_double_eq(t->telescope_min, 16777216.0);
	ck_assert_double_eq(t->telescope_max, 16777216.0);
	ck_assert_uint_eq(t->interval_min, 300);
	ck_assert_uint_eq(t->dirs, 1);
	ck_assert_uint_eq(t->dirs_incomplete, 0);
	const struct report_period *d;
	ck_assert_uint_eq(report_days(r, &d), 2);
	ck_assert_uint_eq(d[0].start_us, NOV24);
	ck_assert_uint_eq(d[0].covered_us, 2 * HOUR);
	ck_assert_uint_eq(d[0].attacks, 2);
	ck_assert_uint_eq(d[0].victims, 1);
	ck_assert_uint_eq(d[1].covered_us, 6 * HOUR);
	ck_assert_uint_eq(d[1].attacks, 4);
	ck_assert_uint_eq(d[1].victims, 4);
	const struct report_bin *b;
	ck_assert_uint_eq(report_bins(r, &b), 96);
	ck_assert_uint_eq(b[0].start_us, NOV24 + 22 * HOUR);
	ck_assert_uint_eq(b[95].end_us, NOV25 + 6 * HOUR);
	report_free(r);
}
END_TEST

START_TEST(dedupe_across_dirs)
{
	report_t *r = load_all();
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->attacks, ALL_ATTACKS);
	ck_assert_uint_eq(t->duplicates, 2);
	ck_assert_uint_eq(t->victims, 5);
	/* the copy of attack 6 with 1800 packets is kept, not the shard's 1700 */
	ck_assert_uint_eq(t->attack_packets, 45100);
	/* overlapping bins merge by maximum: 48 x 10 + 48 x 12 + 48 x 10 */
	ck_assert_uint_eq(t->packets, 1536);
	const struct report_bin *b;
	ck_assert_uint_eq(report_bins(r, &b), 144);
	ck_assert_uint_eq(t->dirs, 3);
	ck_assert_uint_eq(t->dirs_incomplete, 1);
	const struct report_dir *dirs;
	ck_assert_uint_eq(report_dirs(r, &dirs), 3);
	ck_assert(!dirs[1].complete);
	ck_assert_uint_eq(dirs[1].n_warnings, 1);
	ck_assert_str_eq(dirs[1].warnings[0], "trace.pcap.gz: cut short after 1000 packets");
	ck_assert_uint_eq(dirs[1].rows, 3);
	ck_assert_uint_eq(dirs[1].bins, 48);
	report_free(r);

	/* the same directories in another order give the same numbers */
	static const char *const rev[] = {"night2", "shard", "night1", NULL};
	r = load(0, REPORT_NO_UNTIL, 10, rev);
	ck_assert_uint_eq(report_totals(r)->attacks, ALL_ATTACKS);
	ck_assert_uint_eq(report_totals(r)->attack_packets, 45100);
	ck_assert_uint_eq(report_totals(r)->packets, 1536);
	report_free(r);

	/* the same directory twice counts once */
	static const char *const twice[] = {"night1", "night1", NULL};
	r = load(0, REPORT_NO_UNTIL, 10, twice);
	ck_assert_uint_eq(report_totals(r)->attacks, 6);
	ck_assert_uint_eq(report_totals(r)->duplicates, 6);
	ck_assert_uint_eq(report_totals(r)->packets, 960);
	report_free(r);
}
END_TEST

START_TEST(days_with_gaps)
{
	report_t *r = load_all();
	const struct report_period *d;
	ck_assert_uint_eq(report_days(r, &d), 4);
	static const struct {
		uint64_t start, covered, attacks, victims;
	} want[] = {
	    {NOV24, 2 * HOUR, 2, 1},
	    {NOV25, 6 * HOUR, 5, 4},
	    {NOV26, 0, 0, 0}, /* no directory covers it: a gap */
	    {NOV27, 4 * HOUR, 2, 2},
	};
	for (size_t i = 0; i < 4; i++) {
		ck_assert_uint_eq(d[i].start_us, want[i].start);
		ck_assert_uint_eq(d[i].covered_us, want[i].covered);
		ck_assert_uint_eq(d[i].attacks, want[i].attacks);
		ck_assert_uint_eq(d[i].victims, want[i].victims);
	}
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->covered_us, 12 * HOUR);
	ck_assert_uint_eq(t->first_us, NOV24 + 22 * HOUR);
	ck_assert_uint_eq(t->last_us, NOV27 + 4 * HOUR);

	const struct report_period *h;
	/* 22:00 on the 24th to 03:00 on the 27th */
	ck_assert_uint_eq(report_hours(r, &h), 2 + 24 + 24 + 4);
	ck_assert_uint_eq(h[0].start_us, NOV24 + 22 * HOUR);
	ck_assert_uint_eq(h[0].attacks, 1);
	ck_assert_uint_eq(h[0].covered_us, HOUR);
	ck_assert_uint_eq(h[2 + 6].covered_us, 0); /* 06:00 on the 25th */
	ck_assert_uint_eq(h[2 + 24 + 24].start_us, NOV27);
	ck_assert_uint_eq(h[2 + 24 + 24].attacks, 1);
	ck_assert_uint_eq(h[2 + 24 + 24 + 2].attacks, 1);
	uint64_t sum = 0;
	for (size_t i = 0; i < 54; i++)
		sum += h[i].attacks;
	ck_assert_uint_eq(sum, ALL_ATTACKS);
	report_free(r);
}
END_TEST

START_TEST(since_until_window)
{
	static const char *const all[] = {"night1", "shard", "night2", NULL};
	report_t *r = load(NOV25, NOV27, 10, all);
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->attacks, 5);
	ck_assert_uint_eq(t->duplicates, 2);
	ck_assert_uint_eq(t->victims, 4);
	ck_assert_uint_eq(t->first_us, NOV25);
	ck_assert_uint_eq(t->last_us, NOV25 + 6 * HOUR);
	/* 24 bins of night1 alone, 48 where the shard's 12 beat night1's 10 */
	ck_assert_uint_eq(t->packets, 24 * 10 + 48 * 12);
	const struct report_period *d;
	/* the window is bounded: its empty day shows as a gap */
	ck_assert_uint_eq(report_days(r, &d), 2);
	ck_assert_uint_eq(d[0].start_us, NOV25);
	ck_assert_uint_eq(d[0].attacks, 5);
	ck_assert_uint_eq(d[1].start_us, NOV26);
	ck_assert_uint_eq(d[1].covered_us, 0);
	const struct report_period *h;
	ck_assert_uint_eq(report_hours(r, &h), 48);
	report_free(r);

	/* since only: from the window start to the last covered day */
	r = load(NOV25 + 3 * HOUR, REPORT_NO_UNTIL, 10, all);
	ck_assert_uint_eq(report_totals(r)->attacks, 5); /* 5 (at 03:00 sharp), 6, 7, 8, 9 */
	ck_assert_uint_eq(report_days(r, &d), 3);
	ck_assert_uint_eq(d[0].covered_us, 3 * HOUR);
	ck_assert_uint_eq(d[0].attacks, 3);
	report_free(r);

	/* a window with no data at all: every day a gap, every table empty */
	r = load(NOV27 + 10 * DAY, NOV27 + 12 * DAY, 10, all);
	t = report_totals(r);
	ck_assert_uint_eq(t->attacks, 0);
	ck_assert_uint_eq(t->covered_us, 0);
	ck_assert_uint_eq(report_days(r, &d), 2);
	ck_assert_uint_eq(d[0].covered_us + d[1].covered_us, 0);
	const struct report_victim *v;
	ck_assert_uint_eq(report_top_victims(r, &v), 0);
	const struct report_bucket *bk;
	ck_assert_uint_eq(report_repeats(r, &bk), 0);
	ck_assert_uint_eq(report_peak_ppm(r, &bk), 0);
	ck_assert_uint_eq(report_dist(r, REPORT_EST_PPS)->n, 0);
	report_free(r);
}
END_TEST

START_TEST(protocol_and_response_mix)
{
	report_t *r = load_all();
	const struct report_mix *m = report_mix(r);
	ck_assert_uint_eq(m->attacks[BS_PROTO_TCP], 6);
	ck_assert_uint_eq(m->attacks[BS_PROTO_UDP], 2);
	ck_assert_uint_eq(m->attacks[BS_PROTO_ICMP], 1);
	ck_assert_uint_eq(m->attacks[BS_PROTO_OTHER], 0);
	ck_assert_uint_eq(m->victims[BS_PROTO_TCP], 4);
	ck_assert_uint_eq(m->victims[BS_PROTO_UDP], 2);
	ck_assert_uint_eq(m->packets[BS_PROTO_UDP], 900 + 1800);
	ck_assert_uint_eq(m->uniform_failed[BS_PROTO_UDP], 1);
	ck_assert_uint_eq(m->uniform_failed[BS_PROTO_TCP], 1);
	ck_assert_uint_eq(m->responses[BS_RESP_TCP_SYNACK], 4);
	ck_assert_uint_eq(m->responses[BS_RESP_TCP_RST], 3);
	ck_assert_uint_eq(m->responses[BS_RESP_ICMP_UNREACH], 2);
	ck_assert_uint_eq(m->responses[BS_RESP_ICMP_ECHO_REPLY], 1);
	ck_assert_uint_eq(m->responses[BS_RESP_ICMP6_UNREACH], 0);
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->uniform_failed, 2);
	ck_assert_uint_eq(t->rate_known, 8);
	ck_assert_uint_eq(t->with_country, 7);
	ck_assert_uint_eq(t->with_asn, 7);
	report_free(r);
}
END_TEST

START_TEST(top_victims)
{
	report_t *r = load_all();
	const struct report_victim *v;
	ck_assert_uint_eq(report_top_victims(r, &v), 5);
	ck_assert_str_eq(addr_text(&v[0].addr), "192.0.2.1");
	ck_assert_uint_eq(v[0].attacks, 4);
	ck_assert_uint_eq(v[0].packets, 5400 + 300 + 1800 + 36000);
	ck_assert_uint_eq(v[0].protocols, (1u << BS_PROTO_TCP) | (1u << BS_PROTO_UDP));
	ck_assert_uint_eq(v[0].first_us, NOV24 + 22 * HOUR + 600 * US);
	ck_assert_double_eq(v[0].max_est_pps, 2560.0);
	ck_assert_uint_eq(v[0].max_start_us, NOV27 + HOUR / 2);
	ck_assert_str_eq(v[0].country, "US");
	ck_assert_uint_eq(v[0].asn, 64500);
	ck_assert_str_eq(v[0].as_org, "Example Net, Inc.");
	ck_assert_str_eq(addr_text(&v[1].addr), "198.51.100.7");
	ck_assert_uint_eq(v[1].attacks, 2);
	/* one attack each: more packets first */
	ck_assert_str_eq(addr_text(&v[2].addr), "192.0.2.77");
	ck_assert_str_eq(addr_text(&v[3].addr), "2001:db8::1");
	ck_assert(isnan(v[3].max_est_pps));
	ck_assert_str_eq(v[3].country, "");
	ck_assert_str_eq(addr_text(&v[4].addr), "203.0.113.9");

	ck_assert_uint_eq(report_top_rates(r, &v), 4); /* the IPv6 victim has no rate */
	ck_assert_str_eq(addr_text(&v[0].addr), "192.0.2.1");
	ck_assert_str_eq(addr_text(&v[1].addr), "198.51.100.7");
	ck_assert_double_eq(v[1].max_est_pps, 768.0);
	ck_assert(!v[1].max_uniform);
	ck_assert_uint_eq(v[1].max_proto, BS_PROTO_UDP);
	ck_assert_str_eq(addr_text(&v[2].addr), "192.0.2.77");
	ck_assert_str_eq(addr_text(&v[3].addr), "203.0.113.9");
	report_free(r);

	static const char *const all[] = {"night1", "shard", "night2", NULL};
	r = load(0, REPORT_NO_UNTIL, 2, all);
	ck_assert_uint_eq(report_top_victims(r, &v), 2);
	ck_assert_uint_eq(report_top_rates(r, &v), 2);
	const struct report_group *g;
	ck_assert_uint_eq(report_top_countries(r, &g), 2);
	report_free(r);
}
END_TEST

START_TEST(repeats_and_peak_ppm)
{
	report_t *r = load_all();
	const struct report_bucket *b;
	ck_assert_uint_eq(report_repeats(r, &b), 4);
	ck_assert_uint_eq(b[0].lo, 1);
	ck_assert_uint_eq(b[0].count, 3);
	ck_assert_uint_eq(b[0].attacks, 3);
	ck_assert_uint_eq(b[1].count, 1);
	ck_assert_uint_eq(b[1].attacks, 2);
	ck_assert_uint_eq(b[2].count, 0);
	ck_assert_uint_eq(b[3].lo, 4);
	ck_assert_uint_eq(b[3].count, 1);
	ck_assert_uint_eq(b[3].attacks, 4);

	/* peaks 30 | 60 | 70 120 | 150 160 190 200 | - | 900 */
	ck_assert_uint_eq(report_peak_ppm(r, &b), 6);
	static const uint64_t lo[] = {16, 32, 64, 128, 256, 512};
	static const uint64_t count[] = {1, 1, 2, 4, 0, 1};
	for (size_t i = 0; i < 6; i++) {
		ck_assert_uint_eq(b[i].lo, lo[i]);
		ck_assert_uint_eq(b[i].hi, 2 * lo[i] - 1);
		ck_assert_uint_eq(b[i].count, count[i]);
	}
	report_free(r);
}
END_TEST

START_TEST(countries_and_ases)
{
	report_t *r = load_all();
	const struct report_group *g;
	ck_assert_uint_eq(report_top_countries(r, &g), 3);
	ck_assert_str_eq(g[0].country, "US");
	ck_assert_uint_eq(g[0].attacks, 4);
	ck_assert_uint_eq(g[0].victims, 1);
	ck_assert_str_eq(g[1].country, "DE");
	ck_assert_uint_eq(g[1].attacks, 2);
	ck_assert_str_eq(g[2].country, "FR");
	ck_assert_ptr_null(g[0].as_org);
	ck_assert_uint_eq(report_top_ases(r, &g), 3);
	ck_assert_uint_eq(g[0].asn, 64500);
	ck_assert_str_eq(g[0].as_org, "Example Net, Inc.");
	ck_assert_uint_eq(g[1].asn, 64501);
	ck_assert_str_eq(g[1].as_org, "Beispiel \"GmbH\"");
	ck_assert_uint_eq(g[1].victims, 1);
	ck_assert_uint_eq(g[2].asn, 64502);
	ck_assert_ptr_null(g[2].country);
	report_free(r);
}
END_TEST

START_TEST(distributions)
{
	report_t *r = load_all();
	const struct report_dist *d = report_dist(r, REPORT_DURATION);
	/* 60 120 120 120 300 600 1800 1800 3600 */
	ck_assert_uint_eq(d->n, 9);
	ck_assert_double_eq(d->q[REPORT_Q_MIN], 60);
	ck_assert_double_eq(d->q[REPORT_Q_P10], 60);
	ck_assert_double_eq(d->q[REPORT_Q_P25], 120);
	ck_assert_double_eq(d->q[REPORT_Q_MEDIAN], 300);
	ck_assert_double_eq(d->q[REPORT_Q_P75], 1800);
	ck_assert_double_eq(d->q[REPORT_Q_P90], 3600);
	ck_assert_double_eq(d->q[REPORT_Q_MAX], 3600);
	ck_assert_double_eq_tol(d->mean, 8520.0 / 9, 1e-9);
	ck_assert_uint_eq(report_dist(r, REPORT_EST_PPS)->n, 8);
	ck_assert_uint_eq(report_dist(r, REPORT_EST_PPS_UNIF)->n, 6);
	ck_assert_double_eq(report_dist(r, REPORT_EST_PPS)->q[REPORT_Q_MAX], 2560.0);
	ck_assert_double_eq(report_dist(r, REPORT_PEAK_PPM)->q[REPORT_Q_MEDIAN], 150);
	ck_assert_double_eq(report_dist(r, REPORT_PACKETS)->q[REPORT_Q_MIN], 60);
	ck_assert_double_eq(report_quantile_level(REPORT_Q_P90), 0.9);
	const struct report_cdf_point *c;
	ck_assert_uint_eq(report_cdf(r, REPORT_DURATION, &c), 9);
	ck_assert_double_eq(c[0].value, 60);
	ck_assert_double_eq_tol(c[0].fraction, 1.0 / 9, 1e-12);
	ck_assert_double_eq(c[8].value, 3600);
	ck_assert_double_eq(c[8].fraction, 1.0);
	for (size_t i = 1; i < 9; i++)
		ck_assert(c[i].value >= c[i - 1].value && c[i].fraction > c[i - 1].fraction);
	report_free(r);
}
END_TEST

/* Writes a night with n_victims IPv4 victims (10.0.0.0 on): victim i is
 * attacked i % 7 + 1 times on 2026-11-24, 60 s each with 100 + i packets,
 * in country "C<i % 50>" and AS 64000 + i % 300. No time range and no bins:
 * the coverage comes from the attacks. Returns the scratch dir. */
START_TEST(service_names)
{
	ck_assert_str_eq(services_name(BS_PROTO_TCP, 80), "http");
	ck_assert_str_eq(services_name(BS_PROTO_TCP, 443), "https");
	ck_assert_str_eq(services_name(BS_PROTO_UDP, 53), "domain");
	ck_assert_str_eq(services_name(BS_PROTO_UDP, 123), "ntp");
	ck_assert_str_eq(services_name(BS_PROTO_TCP, 3389), "ms-wbt-server");
	ck_assert_str_eq(services_name(BS_PROTO_TCP, 8443), "pcsync-https");
	ck_assert_str_eq(services_name(BS_PROTO_TCP, 7), "echo");         /* first entry */
	ck_assert_str_eq(services_name(BS_PROTO_UDP, 11211), "memcache"); /* last entry */
	/* IANA names 465 for TCP only (submissions; UDP 465 is another service) */
	ck_assert_str_eq(services_name(BS_PROTO_TCP, 465), "submissions");
	ck_assert_ptr_null(services_name(BS_PROTO_UDP, 465));
	/* not named by IANA */
	ck_assert_ptr_null(services_name(BS_PROTO_TCP, 25565));
	ck_assert_ptr_null(services_name(BS_PROTO_UDP, 27015));
	ck_assert_ptr_null(services_name(BS_PROTO_TCP, 0));
	ck_assert_ptr_null(services_name(BS_PROTO_TCP, 65535));
	/* no ports */
	ck_assert_ptr_null(services_name(BS_PROTO_ICMP, 80));
	ck_assert_ptr_null(services_name(BS_PROTO_OTHER, 80));
	ck_assert_ptr_null(services_name(-1, 80));
	/* every entry is found: a table out of port order would lose some to
	 * the search by halves (44 entries, one of them TCP only) */
	unsigned tcp = 0, udp = 0;
	for (uint32_t port = 0; port <= 65535; port++) {
		tcp += services_name(BS_PROTO_TCP, (uint16_t)port) != NULL;
		udp += services_name(BS_PROTO_UDP, (uint16_t)port) != NULL;
	}
	ck_assert_uint_eq(tcp, 44);
	ck_assert_uint_eq(udp, 43);
}
END_TEST

START_TEST(services_on_fixtures)
{
	report_t *r = load_all();
	const struct report_service *s;
	size_t n = report_services(r, &s);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(report_totals(r)->services, 3);
	ck_assert_uint_eq(s[0].proto, BS_PROTO_TCP);
	ck_assert_int_eq(s[0].port, 80);
	ck_assert_str_eq(s[0].name, "http");
	ck_assert_uint_eq(s[0].attacks, 6);
	ck_assert_uint_eq(s[0].victims, 4);
	ck_assert_uint_eq(s[0].packets, 5400 + 300 + 100 + 240 + 36000 + 300);
	ck_assert_uint_eq(s[1].proto, BS_PROTO_UDP);
	ck_assert_int_eq(s[1].port, 80);
	ck_assert_uint_eq(s[1].attacks, 2);
	ck_assert_uint_eq(s[1].victims, 2);
	ck_assert_uint_eq(s[1].packets, 900 + 1800);
	ck_assert_uint_eq(s[2].proto, BS_PROTO_ICMP);
	ck_assert_int_eq(s[2].port, -1);
	ck_assert_ptr_null(s[2].name);
	ck_assert_uint_eq(s[2].attacks, 1);
	ck_assert_uint_eq(s[2].victims, 1);
	ck_assert_uint_eq(s[2].packets, 60);
	report_free(r);
}
END_TEST

static void night_files(const char *dir);

/* A night whose attacks are rows "victim,protocol,top_port,packets" (port
 * may be empty), each starting a minute after the one before. */
static char *services_night(const char *const *rows, size_t n, bool port_column)
{
	char *dir = outdir_create();
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/attacks.csv", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "victim,protocol,%spackets,start_time,end_time,responses,peak_ppm,"
	        "est_attack_pps,uniform\n",
	        port_column ? "top_port," : "");
	for (size_t i = 0; i < n; i++) {
		char victim[64], proto[16], port[16];
		unsigned packets;
		ck_assert_int_eq(
		    sscanf(rows[i], "%63[^,],%15[^,],%15[^,],%u", victim, proto, port, &packets),
		    4);
		fprintf(f, "%s,%s,", victim, proto);
		if (port_column)
			fprintf(f, "%s,", strcmp(port, "-") == 0 ? "" : port);
		fprintf(f, "%u,2026-11-24T01:%02zu:00Z,2026-11-24T01:%02zu:30Z,TCP_SYNACK,30,,1\n",
		        packets, i, i);
	}
	ck_assert_int_eq(fclose(f), 0);
	night_files(dir);
	return dir;
}

/* The timeseries.csv (no bins) and summary.json of a scratch night. */
static void night_files(const char *dir)
{
	outdir_write(dir, "timeseries.csv",
	             "bin_start,bin_end,packets,attacks_active,attacks_started,victims\n");
	outdir_write(dir, "summary.json",
	             "{\"parameters\": {\"preset\": \"rsdos\", \"flow_timeout_s\": 300,"
	             " \"min_packets\": 25, \"min_duration_s\": 60, \"min_ppm\": 30,"
	             " \"min_dests\": 5, \"interval_s\": 300, \"telescope\": [\"10.0.0.0/8\"],"
	             " \"telescope_size_v4\": 16777216.0}, \"inputs\": [], \"counters\": {},"
	             " \"flows\": {},"
	             " \"time_range\": {\"first_packet\": null, \"last_packet\": null},"
	             " \"complete\": true, \"warnings\": []}");
}

static report_t *load_scratch(const char *dir, uint32_t top)
{
	report_t *r = report_create(0, REPORT_NO_UNTIL, top);
	ck_assert_ptr_nonnull(r);
	struct bs_err err;
	ck_assert_msg(report_add_dir(r, dir, &err) == 0, "%s", err.msg);
	ck_assert_msg(report_finish(r, &err) == 0, "%s", err.msg);
	return r;
}

/* "-" for no port (an empty cell) */
static const char *const service_rows[] = {
    "10.0.0.1,TCP,443,100", "10.0.0.1,TCP,443,100",  "10.0.0.2,TCP,443,50",   "10.0.0.3,UDP,53,10",
    "10.0.0.4,UDP,53,10",   "10.0.0.5,TCP,25565,30", "10.0.0.6,TCP,25565,30", "10.0.0.7,TCP,23,5",
    "10.0.0.7,TCP,22,5",    "10.0.0.8,ICMP,-,7",     "10.0.0.9,UDP,27015,5",  "10.0.0.10,OTHER,-,5",
    "10.0.0.11,TCP,-,5",
};
#define N_SERVICE_ROWS (sizeof service_rows / sizeof service_rows[0])

START_TEST(services_ranked)
{
	char *dir = services_night(service_rows, N_SERVICE_ROWS, true);
	report_t *r = load_scratch(dir, REPORT_DEFAULT_TOP);
	const struct report_service *s;
	size_t n = report_services(r, &s);
	/* by attacks, then victims, then packets, then protocol and port with
	 * "no port" after every port */
	static const struct {
		uint8_t proto;
		int32_t port;
		const char *name;
		uint64_t attacks, victims, packets;
	} want[] = {
	    {BS_PROTO_TCP, 443, "https", 3, 2, 250}, {BS_PROTO_TCP, 25565, NULL, 2, 2, 60},
	    {BS_PROTO_UDP, 53, "domain", 2, 2, 20},  {BS_PROTO_ICMP, -1, NULL, 1, 1, 7},
	    {BS_PROTO_TCP, 22, "ssh", 1, 1, 5},      {BS_PROTO_TCP, 23, "telnet", 1, 1, 5},
	    {BS_PROTO_TCP, -1, NULL, 1, 1, 5},       {BS_PROTO_UDP, 27015, NULL, 1, 1, 5},
	    {BS_PROTO_OTHER, -1, NULL, 1, 1, 5},
	};
	ck_assert_uint_eq(n, sizeof want / sizeof want[0]);
	ck_assert_uint_eq(report_totals(r)->services, n);
	ck_assert_uint_eq(report_totals(r)->attacks, N_SERVICE_ROWS);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(s[i].proto == want[i].proto && s[i].port == want[i].port,
		              "row %zu: %d/%d", i, s[i].proto, (int)s[i].port);
		if (want[i].name)
			ck_assert_str_eq(s[i].name, want[i].name);
		else
			ck_assert_ptr_null(s[i].name);
		ck_assert_uint_eq(s[i].attacks, want[i].attacks);
		ck_assert_uint_eq(s[i].victims, want[i].victims);
		ck_assert_uint_eq(s[i].packets, want[i].packets);
	}
	report_free(r);

	/* --top cuts the table, the count stays */
	r = load_scratch(dir, 2);
	ck_assert_uint_eq(report_services(r, &s), 2);
	ck_assert_uint_eq(report_totals(r)->services, 9);
	ck_assert_int_eq(s[1].port, 25565);
	report_free(r);
	outdir_remove(dir);

	/* a file without the top_port column: every attack is "no port" */
	dir = services_night(service_rows, N_SERVICE_ROWS, false);
	r = load_scratch(dir, REPORT_DEFAULT_TOP);
	n = report_services(r, &s);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(s[0].proto, BS_PROTO_TCP);
	ck_assert_int_eq(s[0].port, -1);
	ck_assert_uint_eq(s[0].attacks, 8);
	ck_assert_uint_eq(s[0].victims, 6);
	report_free(r);
	outdir_remove(dir);
}
END_TEST

static char *many_victims_night(unsigned n_victims, uint64_t *attacks)
{
	char *dir = outdir_create();
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/attacks.csv", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("victim,protocol,start_time,end_time,packets,responses,peak_ppm,est_attack_pps,"
	      "uniform,country,asn,as_org\n",
	      f);
	*attacks = 0;
	for (unsigned i = 0; i < n_victims; i++)
		for (unsigned k = 0; k <= i % 7; k++) {
			unsigned m = (i + k * 13) % 1380; /* minute of the day it starts */
			fprintf(
			    f,
			    "10.%u.%u.%u,TCP,2026-11-24T%02u:%02u:00Z,2026-11-24T%02u:%02u:00Z,%u,"
			    "TCP_SYNACK,%u,%u.5,1,C%u,%u,\"AS, %u\"\n",
			    i >> 16, (i >> 8) & 255, i & 255, m / 60, m % 60, (m + 1) / 60,
			    (m + 1) % 60, 100 + i, 30 + k, i, i % 50, 64000 + i % 300, i % 300);
			(*attacks)++;
		}
	ck_assert_int_eq(fclose(f), 0);
	night_files(dir);
	return dir;
}

/* The fixtures have no multi-vector attack: an attack seen in two
 * directories is one attack, not a group. */
START_TEST(vectors_on_fixtures)
{
	report_t *r = load_all();
	const struct report_combo *c;
	ck_assert_uint_eq(report_combos(r, &c), 0);
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->vector_groups + t->vector_victims + t->vector_attacks, 0);
	ck_assert_uint_eq(t->vector_combos, 0);
	report_free(r);
}
END_TEST

/* A night of attacks "victim,protocol,start,end" (times of 2026-11-24). */
static char *vectors_night(const char *const *rows, size_t n)
{
	char *dir = outdir_create();
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/attacks.csv", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "victim,protocol,packets,start_time,end_time,responses,peak_ppm,"
	           "est_attack_pps,uniform\n");
	for (size_t i = 0; i < n; i++) {
		char victim[64], proto[16], start[16], end[16];
		ck_assert_int_eq(
		    sscanf(rows[i], "%63[^,],%15[^,],%15[^,],%15s", victim, proto, start, end), 4);
		fprintf(f, "%s,%s,100,2026-11-24T%sZ,2026-11-24T%sZ,TCP_SYNACK,30,,1\n", victim,
		        proto, start, end);
	}
	ck_assert_int_eq(fclose(f), 0);
	night_files(dir);
	return dir;
}

static const char *const vector_rows[] = {
    /* 10.0.0.1: TCP+ICMP, then UDP alone, then TCP+UDP touching */
    "10.0.0.1,TCP,01:00:00,01:10:00",
    "10.0.0.1,ICMP,01:05:00,01:20:00",
    "10.0.0.1,UDP,02:00:00,02:10:00",
    "10.0.0.1,TCP,03:00:00,03:10:00",
    "10.0.0.1,UDP,03:10:00,03:20:00",
    /* 10.0.0.2: TCP+ICMP */
    "10.0.0.2,TCP,01:00:00,01:10:00",
    "10.0.0.2,ICMP,01:02:00,01:03:00",
    /* 2001:db8::3: UDP and ICMP do not overlap, both overlap TCP */
    "2001:db8::3,TCP,01:00:00,01:30:00",
    "2001:db8::3,UDP,01:10:00,01:15:00",
    "2001:db8::3,ICMP,01:20:00,01:40:00",
    /* 10.0.0.4: ICMP a second after TCP ended; 10.0.0.5 alone */
    "10.0.0.4,TCP,01:00:00,01:10:00",
    "10.0.0.4,ICMP,01:10:01,01:20:00",
    "10.0.0.5,TCP,01:00:00,01:10:00",
};

#define P(x) (1u << BS_PROTO_##x)

START_TEST(vectors_ranked)
{
	char *dir = vectors_night(vector_rows, sizeof vector_rows / sizeof vector_rows[0]);
	report_t *r = load_scratch(dir, REPORT_DEFAULT_TOP);
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->victims, 5);
	ck_assert_uint_eq(t->vector_victims, 3);
	ck_assert_uint_eq(t->vector_groups, 4);
	ck_assert_uint_eq(t->vector_attacks, 9);
	ck_assert_uint_eq(t->vector_combos, 3);
	/* by victims, then groups, then attacks */
	static const struct report_combo want[] = {
	    {P(TCP) | P(ICMP), 2, 2, 4},
	    {P(TCP) | P(UDP) | P(ICMP), 1, 1, 3},
	    {P(TCP) | P(UDP), 1, 1, 2},
	};
	const struct report_combo *c;
	ck_assert_uint_eq(report_combos(r, &c), 3);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_msg(c[i].protocols == want[i].protocols, "row %zu: %x", i,
		              c[i].protocols);
		ck_assert_uint_eq(c[i].groups, want[i].groups);
		ck_assert_uint_eq(c[i].victims, want[i].victims);
		ck_assert_uint_eq(c[i].attacks, want[i].attacks);
	}
	report_free(r);

	/* --top cuts the table, the counts stay */
	r = load_scratch(dir, 1);
	ck_assert_uint_eq(report_combos(r, &c), 1);
	ck_assert_uint_eq(c[0].protocols, P(TCP) | P(ICMP));
	ck_assert_uint_eq(report_totals(r)->vector_combos, 3);
	report_free(r);

	/* Groups are made of the period's attacks: from 01:01 on, only
	 * 10.0.0.1's TCP+UDP at 03:00 is left whole. */
	r = report_create(NOV24 + HOUR + 60 * US, REPORT_NO_UNTIL, REPORT_DEFAULT_TOP);
	struct bs_err err;
	ck_assert_msg(report_add_dir(r, dir, &err) == 0, "%s", err.msg);
	ck_assert_msg(report_finish(r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(report_combos(r, &c), 1);
	ck_assert_uint_eq(c[0].protocols, P(TCP) | P(UDP));
	ck_assert_uint_eq(report_totals(r)->vector_groups, 1);
	report_free(r);
	outdir_remove(dir);
}
END_TEST

/* A night (one attack, at 01:00) with prefix_attacks.csv rows
 * "prefix,protocol,start,packets,victims,victim_attacks". */
static char *prefixes_night(const char *const *rows, size_t n)
{
	static const char *const one[] = {"10.0.0.1,TCP,01:00:00,01:10:00"};
	char *dir = vectors_night(one, 1);
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/prefix_attacks.csv", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
	        "prefix_id,prefix,protocol,start_time,end_time,packets,victims,victim_attacks\n");
	for (size_t i = 0; i < n; i++) {
		char prefix[64], proto[16], start[16];
		unsigned packets, victims, victim_attacks;
		ck_assert_int_eq(sscanf(rows[i], "%63[^,],%15[^,],%15[^,],%u,%u,%u", prefix, proto,
		                        start, &packets, &victims, &victim_attacks),
		                 6);
		fprintf(f, "%zu,%s,%s,2026-11-24T%sZ,2026-11-24T%sZ,%u,%u,%u\n", i + 1, prefix,
		        proto, start, start, packets, victims, victim_attacks);
	}
	ck_assert_int_eq(fclose(f), 0);
	return dir;
}

static const char *const prefix_rows[] = {
    "192.0.2.0/24,TCP,01:00:00,100,10,2",   "192.0.2.0/24,UDP,02:00:00,50,12,0",
    "198.51.100.0/24,TCP,01:00:00,500,6,0", "2001:db8:1::/48,ICMP,01:30:00,30,5,1",
    "192.0.2.0/23,TCP,03:00:00,900,40,0", /* another length: another prefix */
};
/* The first row again, in another directory, with fewer packets. */
static const char *const prefix_copy[] = {"192.0.2.0/24,TCP,01:00:00,90,9,1"};

/* The "Most attacked prefixes" table: by attacks, then packets; an
 * attack in two directories counted once (the copy with more packets); a
 * prefix's victims those of its attack with the most; --top; the window;
 * a directory without the view. */
START_TEST(prefixes_ranked)
{
	char *dirs[3] = {prefixes_night(prefix_rows, sizeof prefix_rows / sizeof prefix_rows[0]),
	                 prefixes_night(prefix_copy, 1), vectors_night(NULL, 0)};
	report_t *r = report_create(0, REPORT_NO_UNTIL, REPORT_DEFAULT_TOP);
	struct bs_err err;
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(report_add_dir(r, dirs[i], &err) == 0, "%s", err.msg);
	ck_assert_msg(report_finish(r, &err) == 0, "%s", err.msg);
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->dirs_prefix_view, 2);
	ck_assert_uint_eq(t->prefixes, 4);
	ck_assert_uint_eq(t->prefix_attacks, 5);
	static const struct {
		const char *prefix;
		uint8_t len, protos;
		uint64_t attacks, packets, victims, victim_attacks;
	} want[] = {
	    {"192.0.2.0", 24, P(TCP) | P(UDP), 2, 150, 12, 0},
	    {"192.0.2.0", 23, P(TCP), 1, 900, 40, 0},
	    {"198.51.100.0", 24, P(TCP), 1, 500, 6, 0},
	    {"2001:db8:1::", 48, P(ICMP), 1, 30, 5, 1},
	};
	const struct report_prefix *p;
	ck_assert_uint_eq(report_prefixes(r, &p), 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(addr_text(&p[i].prefix), want[i].prefix);
		ck_assert_uint_eq(p[i].len, want[i].len);
		ck_assert_uint_eq(p[i].protos, want[i].protos);
		ck_assert_uint_eq(p[i].attacks, want[i].attacks);
		ck_assert_uint_eq(p[i].packets, want[i].packets);
		ck_assert_uint_eq(p[i].victims, want[i].victims);
		ck_assert_uint_eq(p[i].victim_attacks, want[i].victim_attacks);
	}
	report_free(r);

	/* --top 1 cuts the table; from 01:45, the UDP attack and the /23 only. */
	r = report_create(NOV24 + HOUR + 45 * 60 * US, REPORT_NO_UNTIL, 1);
	ck_assert_msg(report_add_dir(r, dirs[0], &err) == 0, "%s", err.msg);
	ck_assert_msg(report_finish(r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(report_prefixes(r, &p), 1);
	ck_assert_str_eq(addr_text(&p[0].prefix), "192.0.2.0");
	ck_assert_uint_eq(p[0].len, 23);
	ck_assert_uint_eq(report_totals(r)->prefixes, 2);
	ck_assert_uint_eq(report_totals(r)->prefix_attacks, 2);
	report_free(r);

	/* Without the view: no table. */
	r = load_scratch(dirs[2], REPORT_DEFAULT_TOP);
	ck_assert_uint_eq(report_prefixes(r, &p), 0);
	ck_assert_uint_eq(report_totals(r)->dirs_prefix_view, 0);
	report_free(r);
	for (size_t i = 0; i < 3; i++)
		outdir_remove(dirs[i]);
}
END_TEST

START_TEST(many_victims_grow_the_tables)
{
	const unsigned n = 7000; /* victims: well past the first hash table size */
	uint64_t attacks;
	char *dir = many_victims_night(n, &attacks);
	report_t *r = report_create(0, REPORT_NO_UNTIL, 10);
	struct bs_err err;
	ck_assert_msg(report_add_dir(r, dir, &err) == 0, "%s", err.msg);
	ck_assert_msg(report_finish(r, &err) == 0, "%s", err.msg);
	const struct report_totals *t = report_totals(r);
	ck_assert_uint_eq(t->attacks, attacks);
	ck_assert_uint_eq(t->victims, n);
	ck_assert_uint_eq(t->with_asn, attacks);
	const struct report_period *d;
	ck_assert_uint_eq(report_days(r, &d), 1);
	ck_assert_uint_eq(d[0].attacks, attacks);
	ck_assert_uint_eq(d[0].victims, n);
	/* i % 7 + 1 attacks: 1000 victims each for 1..7 */
	const struct report_bucket *b;
	ck_assert_uint_eq(report_repeats(r, &b), 6);
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(b[i].count, n / 7);
	ck_assert_uint_eq(b[5].lo, 6);
	ck_assert_uint_eq(b[5].count, 2 * n / 7);
	ck_assert_uint_eq(b[5].attacks, 13 * n / 7);
	/* seven attacks, most packets: i = 6999 */
	const struct report_victim *v;
	ck_assert_uint_eq(report_top_victims(r, &v), 10);
	ck_assert_str_eq(addr_text(&v[0].addr), "10.0.27.87");
	ck_assert_uint_eq(v[0].attacks, 7);
	ck_assert_str_eq(v[0].as_org, "AS, 99");
	const struct report_group *g;
	ck_assert_uint_eq(report_top_countries(r, &g), 10);
	ck_assert_uint_eq(report_top_ases(r, &g), 10);
	report_free(r);
	outdir_remove(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *err = tcase_create("errors");
	tcase_add_test(err, create_rejects_bad_arguments);
	tcase_add_test(err, missing_directory_names_the_file);
	tcase_add_test(err, malformed_summary);
	tcase_add_test(err, failed_directory_contributes_nothing);
	tcase_add_test(err, calls_out_of_order);
	tcase_add_test(err, period_too_long);
	tcase_add_test(err, parse_time);
	suite_add_tcase(s, err);
	TCase *tab = tcase_create("tables");
	tcase_add_test(tab, one_night);
	tcase_add_test(tab, dedupe_across_dirs);
	tcase_add_test(tab, days_with_gaps);
	tcase_add_test(tab, since_until_window);
	tcase_add_test(tab, protocol_and_response_mix);
	tcase_add_test(tab, top_victims);
	tcase_add_test(tab, repeats_and_peak_ppm);
	tcase_add_test(tab, countries_and_ases);
	tcase_add_test(tab, service_names);
	tcase_add_test(tab, services_on_fixtures);
	tcase_add_test(tab, services_ranked);
	tcase_add_test(tab, vectors_on_fixtures);
	tcase_add_test(tab, vectors_ranked);
	tcase_add_test(tab, prefixes_ranked);
	tcase_add_test(tab, distributions);
	tcase_add_test(tab, many_victims_grow_the_tables);
	suite_add_tcase(s, tab);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_summary.c - tests for summary_read(), the one reader of
 * summary.json (merge and report): what summary_write() writes comes back
 * field for field, optional keys may be absent, and every fault is refused
 * with one line naming the file and the key (a duplicate key, a wrong
 * type, a cut file, a JSON error quoting a line break), the first fault
 * in the file's order winning. summary_write() itself is tested in
 * check_attack_list.c with the other writers. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "check_outdir.h"
#include "outdir/summary.h"
#include "telescope/addr.h"

/* 2026-11-24T00:00:00Z in microseconds since the epoch. */
#define T0 1795478400000000ull
#define S  1000000ull

/* A summary.json as collect writes it, by summary_write(), into a new
 * scratch directory; returns the directory. */
static char *written_summary(void)
{
	bs_prefixes_t *tel = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(tel, "44.0.0.0/8,2001:db8::/64"), 0);
	const struct summary_input inputs[] = {
	    {"a.pcap.gz", 1234, 10, T0, T0 + 60 * S, NULL, false},
	    {"pcapfile:-", -1, 0, 0, 0, "cut short", true},
	};
	const char *const warnings[] = {"pcapfile:-: cut short"};
	const char *const from[] = {"shard-1", "shard-2"};
	struct summary s = {
	    .version = "1.2.3",
	    .command_line = "backscatter merge --out o shard-1 shard-2",
	    .preset = "moore",
	    .params = {.flow_timeout_s = 300,
	               .min_packets = 25,
	               .min_duration_s = 60,
	               .min_ppm = 30,
	               .min_dests = 5},
	    .interval_s = 60,
	    .telescope = tel,
	    .geo_db = "GeoIP2-Country-Test.mmdb",
	    .filter = "tcp",
	    .inputs = inputs,
	    .n_inputs = 2,
	    .counters = {.packets = 10,
	                 .backscatter = 7,
	                 .files_failed = 1,
	                 .time_outliers = 1ull << 63},
	    .attack_stats =
	        {.flows = 4, .attacks = 2, .rejected = 2, .peak_open_flows = 3, .stitched = 1},
	    .first_us = T0,
	    .last_us = T0 + 60 * S,
	    .partial = true,
	    .partial_reason = "SIGINT",
	    .warnings = warnings,
	    .n_warnings = 1,
	    .merged_from = from,
	    .n_merged_from = 2,
	};
	char *dir = outdir_create();
	ck_assert_int_eq(summary_write(dir, &s), 0);
	bs_prefixes_free(tel);
	return dir;
}

static char *path_of(const char *dir)
{
	static char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	return path;
}

/* Reads dir's summary.json, expecting rc; returns the document (NULL on
 * error) and the message in err. */
static struct summary_doc *read_dir(const char *dir, int rc, struct bs_err *err)
{
	struct summary_doc *doc = (struct summary_doc *)1;
	ck_assert_int_eq(summary_read(path_of(dir), &doc, err), rc);
	if (rc != 0) {
		ck_assert_ptr_null(doc);
		ck_assert_ptr_null(strpbrk(err->msg, "\r\n"));
		ck_assert_int_eq(err->code, rc);
	}
	return doc;
}

/* Expects the summary.json text to be refused with exactly "PATH: want". */
static void expect_refused(const char *text, const char *want)
{
	char *dir = outdir_create();
	outdir_write(dir, "summary.json", text);
	struct bs_err err;
	read_dir(dir, -BS_EFORMAT, &err);
	char full[OUTDIR_PATH_LEN + 512];
	snprintf(full, sizeof full, "%s: %s", path_of(dir), want);
	ck_assert_str_eq(err.msg, full);
	outdir_remove(dir);
}

/* The written summary with its first from replaced by to. */
static char *edited(const char *from, const char *to)
{
	char *dir = written_summary();
	char *good = outdir_read(dir, "summary.json");
	outdir_remove(dir);
	const char *at = strstr(good, from);
	ck_assert_msg(at != NULL, "no '%s' in the written summary", from);
	size_t n = strlen(good) + strlen(to) + 1;
	char *text = malloc(n);
	ck_assert_ptr_nonnull(text);
	snprintf(text, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	free(good);
	return text;
}

static void expect_edit_refused(const char *from, const char *to, const char *want)
{
	char *text = edited(from, to);
	expect_refused(text, want);
	free(text);
}

START_TEST(what_is_written_reads_back)
{
	char *dir = written_summary();
	struct bs_err err;
	struct summary_doc *d = read_dir(dir, 0, &err);
	ck_assert_int_eq(err.code, 0);
	ck_assert_str_eq(err.msg, "");
	ck_assert_str_eq(d->version, "1.2.3");
	ck_assert_str_eq(d->command_line, "backscatter merge --out o shard-1 shard-2");
	ck_assert_str_eq(d->preset, "moore");
	ck_assert_uint_eq(d->params.flow_timeout_s, 300);
	ck_assert_uint_eq(d->params.min_packets, 25);
	ck_assert_uint_eq(d->params.min_duration_s, 60);
	ck_assert_uint_eq(d->params.min_ppm, 30);
	ck_assert_uint_eq(d->params.min_dests, 5);
	ck_assert_uint_eq(d->interval_s, 60);
	ck_assert_uint_eq(d->n_telescope, 2);
	ck_assert_str_eq(d->telescope[0], "44.0.0.0/8");
	ck_assert_str_eq(d->telescope[1], "2001:db8::/64");
	ck_assert_str_eq(d->telescope_json, "[\"44.0.0.0/8\",\"2001:db8::/64\"]");
	ck_assert_double_eq(d->telescope_size_v4, 16777216.0);
	ck_assert_str_eq(d->geo_db, "GeoIP2-Country-Test.mmdb");
	ck_assert_ptr_null(d->asn_db);
	ck_assert_str_eq(d->filter, "tcp");
	ck_assert_uint_eq(d->n_inputs, 2);
	ck_assert_str_eq(d->inputs[0].uri, "a.pcap.gz");
	ck_assert_int_eq(d->inputs[0].size_bytes, 1234);
	ck_assert_uint_eq(d->inputs[0].packets, 10);
	ck_assert_uint_eq(d->inputs[0].first_us, T0);
	ck_assert_uint_eq(d->inputs[0].last_us, T0 + 60 * S);
	ck_assert_ptr_null(d->inputs[0].error);
	ck_assert(!d->inputs[0].skipped);
	ck_assert_int_eq(d->inputs[1].size_bytes, -1);
	ck_assert_uint_eq(d->inputs[1].first_us, 0);
	ck_assert_str_eq(d->inputs[1].error, "cut short");
	ck_assert(d->inputs[1].skipped);
	ck_assert_uint_eq(d->counters.packets, 10);
	ck_assert_uint_eq(d->counters.backscatter, 7);
	ck_assert_uint_eq(d->counters.files_failed, 1);
	ck_assert_uint_eq(d->counters.time_outliers, 1ull << 63); /* written as a real */
	ck_assert_uint_eq(d->attack_stats.flows, 4);
	ck_assert_uint_eq(d->attack_stats.attacks, 2);
	ck_assert_uint_eq(d->attack_stats.rejected, 2);
	ck_assert_uint_eq(d->attack_stats.peak_open_flows, 3);
	ck_assert_uint_eq(d->attack_stats.stitched, 1);
	ck_assert_uint_eq(d->first_us, T0);
	ck_assert_uint_eq(d->last_us, T0 + 60 * S);
	ck_assert(!d->complete);
	ck_assert_str_eq(d->partial_reason, "SIGINT");
	ck_assert_uint_eq(d->n_warnings, 1);
	ck_assert_str_eq(d->warnings[0], "pcapfile:-: cut short");
	ck_assert_uint_eq(d->n_merged_from, 2);
	ck_assert_str_eq(d->merged_from[1], "shard-2");
	summary_doc_free(d);
	summary_doc_free(NULL);
	outdir_remove(dir);
}
END_TEST

START_TEST(optional_keys_may_be_absent)
{
	/* What an older version or a hand-made file may leave out. */
	char *dir = outdir_create();
	outdir_write(dir, "summary.json",
	             "{\"parameters\": {\"preset\": null, \"flow_timeout_s\": 300,"
	             " \"min_packets\": 25, \"min_duration_s\": 60, \"min_ppm\": 0,"
	             " \"min_dests\": 5, \"interval_s\": 300, \"telescope\": [\"10.0.0.0/8\"],"
	             " \"telescope_size_v4\": 16777216},"
	             " \"inputs\": [{\"uri\": \"a.pcap\"}], \"counters\": {}, \"flows\": {},"
	             " \"time_range\": {\"first_packet\": null, \"last_packet\": null},"
	             " \"complete\": true}");
	struct bs_err err;
	struct summary_doc *d = read_dir(dir, 0, &err);
	ck_assert_ptr_null(d->version);
	ck_assert_ptr_null(d->command_line);
	ck_assert_ptr_null(d->preset);
	ck_assert_ptr_null(d->geo_db);
	ck_assert_ptr_null(d->filter);
	ck_assert_int_eq(d->inputs[0].size_bytes, -1);
	ck_assert_uint_eq(d->inputs[0].packets, 0);
	ck_assert_uint_eq(d->counters.packets, 0);
	ck_assert_uint_eq(d->attack_stats.stitched, 0);
	ck_assert_uint_eq(d->first_us, 0);
	ck_assert(d->complete);
	ck_assert_ptr_null(d->partial_reason);
	ck_assert_uint_eq(d->n_warnings, 0);
	ck_assert_ptr_null(d->merged_from);
	ck_assert_uint_eq(d->n_merged_from, 0);
	summary_doc_free(d);
	outdir_remove(dir);
}
END_TEST

START_TEST(missing_file_is_eio)
{
	char *dir = outdir_create();
	struct bs_err err;
	read_dir(dir, -BS_EIO, &err);
	char want[OUTDIR_PATH_LEN + 64];
	snprintf(want, sizeof want, "%s: %s", path_of(dir), strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	outdir_remove(dir);
}
END_TEST

START_TEST(duplicate_key_is_refused)
{
	expect_edit_refused("\"complete\": false,", "\"complete\": false,\n  \"complete\": true,",
	                    "line 74: duplicate object key near '\"complete\"'");
	expect_edit_refused("\"min_ppm\": 30,", "\"min_ppm\": 30, \"min_ppm\": 30,",
	                    "line 12: duplicate object key near '\"min_ppm\"'");
}
END_TEST

START_TEST(wrong_type_names_the_key)
{
	expect_edit_refused("\"min_ppm\": 30", "\"min_ppm\": \"30\"",
	                    "parameters.min_ppm is missing or not a whole number");
	expect_edit_refused("\"interval_s\": 60", "\"interval_s\": 0",
	                    "parameters.interval_s is 0");
	expect_edit_refused("\"telescope\": [", "\"telescope\": [1, ",
	                    "parameters.telescope is not a list of prefixes");
	expect_edit_refused("\"packets\": 10,\n      \"first", "\"packets\": -1,\n      \"first",
	                    "inputs[0].packets is missing or not a whole number");
	expect_edit_refused("\"skipped\": true", "\"skipped\": 1",
	                    "inputs[1].skipped is missing or not true or false");
	expect_edit_refused("\"backscatter\": 7", "\"backscatter\": 7.5",
	                    "counters.backscatter is missing or not a whole number");
	expect_edit_refused("\"complete\": false", "\"complete\": null",
	                    "complete is missing or not true or false");
	expect_edit_refused("\"warnings\": [", "\"warnings\": [3, ",
	                    "warnings is not a list of strings");
	expect_edit_refused("\"telescope_size_v4\": 16777216.0", "\"telescope_size_v4\": \"big\"",
	                    "parameters.telescope_size_v4 is missing or not a number");
	expect_edit_refused("\"merged_from\": [", "\"merged_from\": [null, ",
	                    "merged_from is not a list of strings");
	expect_edit_refused("\"command_line\": \"backscatter merge --out o shard-1 shard-2\"",
	                    "\"command_line\": 7", "command_line is not a string or null");
}
END_TEST

START_TEST(first_fault_in_file_order_wins)
{
	/* telescope_size_v4 is checked after everything merge always checked,
	 * so this file is named for its input, as merge named it. */
	char *text = edited("\"telescope_size_v4\": 16777216.0,", "");
	char *dir = outdir_create();
	outdir_write(dir, "summary.json", text);
	free(text);
	struct bs_err err;
	read_dir(dir, -BS_EFORMAT, &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "parameters.telescope_size_v4 is missing"));
	text = outdir_read(dir, "summary.json");
	outdir_remove(dir);
	char *both = strstr(text, "\"uri\": \"a.pcap.gz\"");
	ck_assert_ptr_nonnull(both);
	memcpy(both, "\"uri\": 12345678901", strlen("\"uri\": 12345678901"));
	expect_refused(text, "inputs[0].uri is missing or not a string");
	free(text);
}
END_TEST

START_TEST(cut_file_is_refused)
{
	char *dir = written_summary();
	char *good = outdir_read(dir, "summary.json");
	outdir_remove(dir);
	good[strlen(good) / 2] = '\0';
	dir = outdir_create();
	outdir_write(dir, "summary.json", good);
	struct bs_err err;
	read_dir(dir, -BS_EFORMAT, &err);
	char want[OUTDIR_PATH_LEN + 16];
	snprintf(want, sizeof want, "%s: line ", path_of(dir));
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
	outdir_remove(dir);
	free(good);
	expect_refused("", "line 1: '[' or '{' expected near end of file");
}
END_TEST

START_TEST(json_error_quoting_a_line_break_is_one_line)
{
	/* '"\' and a line break: jansson quotes the token it stopped at, line
	 * break included (the finding of fuzz_merge, and report's two-line
	 * message). */
	expect_refused("\"\\\n", "line 2: invalid escape near '\"\\?'");
}
END_TEST

START_TEST(prefixes_are_parsed_apart)
{
	char *dir = written_summary();
	struct bs_err err;
	struct summary_doc *d = read_dir(dir, 0, &err);
	bs_prefixes_t *p = bs_prefixes_create();
	ck_assert_int_eq(summary_prefixes(d, p, &err), 0);
	ck_assert_uint_eq(bs_prefixes_count(p), 2);
	bs_prefixes_free(p);
	summary_doc_free(d);
	outdir_remove(dir);

	/* A prefix with host bits passes summary_read() (merge compares the
	 * lists as written first) and is refused by summary_prefixes(). */
	char *text = edited("\"44.0.0.0/8\"", "\"44.0.0.1/8\\n\"");
	dir = outdir_create();
	outdir_write(dir, "summary.json", text);
	free(text);
	d = read_dir(dir, 0, &err);
	p = bs_prefixes_create();
	ck_assert_int_eq(summary_prefixes(d, p, &err), -BS_EFORMAT);
	char want[OUTDIR_PATH_LEN + 128];
	snprintf(want, sizeof want, "%s: parameters.telescope: '44.0.0.1/8?' is not a valid prefix",
	         path_of(dir));
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
	bs_prefixes_free(p);
	summary_doc_free(d);
	outdir_remove(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("summary");
	TCase *ok = tcase_create("reads");
	tcase_add_test(ok, what_is_written_reads_back);
	tcase_add_test(ok, optional_keys_may_be_absent);
	tcase_add_test(ok, prefixes_are_parsed_apart);
	suite_add_tcase(s, ok);
	TCase *bad = tcase_create("refuses");
	tcase_add_test(bad, missing_file_is_eio);
	tcase_add_test(bad, duplicate_key_is_refused);
	tcase_add_test(bad, wrong_type_names_the_key);
	tcase_add_test(bad, first_fault_in_file_order_wins);
	tcase_add_test(bad, cut_file_is_refused);
	tcase_add_test(bad, json_error_quoting_a_line_break_is_one_line);
	suite_add_tcase(s, bad);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_fuzz_regress.c - replays what the fuzzers found, and their seeds.
 *
 * Every input in $TESTDATA/fuzz-regress/{classify,reader,csvread,merge,report}/
 * once crashed, leaked or aborted a fuzz target (tests/fuzz/); each is run
 * again through exactly the code the target runs (tests/fuzz/fuzz_run.c,
 * tests/fuzz/fuzz_outdir.c), so a fix that regresses fails here, under the
 * sanitizers in the ASan build. The seed corpora (tests/fuzz/corpus/) are
 * replayed the same way, so the contracts the fuzz targets check hold on
 * every real trace, packet and output file we ship.
 *
 * What csvread.c, merge.c and report.c now do with the inputs that broke
 * their contracts is checked one by one as well (the outdir_findings case).
 *
 * The reader inputs that libtrace 3.0.22 aborted or crashed on are also
 * checked one by one for what reader.c now does with them: the guard tests
 * come first, as they name the finding when they fail. wandio runs without
 * its reader thread, as in the fuzzer: with the thread, errno is usually
 * non-zero by chance and libtrace's abort on a cut record hides. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "check_outdir.h"
#include "telescope/classify.h"
#include "tests/fuzz/fuzz_outdir.h"
#include "tests/fuzz/fuzz_run.h"
#include "analysis/merge.h"
#include "analysis/report.h"
#include "outdir/csvread.h"
#include "telescope/reader.h"

/* Largest input replayed: the fuzzers run with -max_len 65536, the seed
 * traces are a few KiB. */
#define REGRESS_MAX_INPUT (1u << 20)
#define REGRESS_PATH_MAX  4096

const char *__asan_default_options(void);

/* As in tests/fuzz/fuzz_reader.c: libpcap and libtrace have no frame
 * pointers, and the known-leak suppression in fuzz_run.c names a libpcap
 * frame the fast unwinder never reaches. Name fixed by AddressSanitizer. */
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

/* $TESTDATA/rel in a static buffer (one at a time). */
static const char *data_path(const char *rel)
{
	static char path[REGRESS_PATH_MAX];
	const char *dir = getenv("TESTDATA");
	ck_assert_msg(dir != NULL, "TESTDATA must name tests/data");
	int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
	ck_assert_msg(n > 0 && (size_t)n < sizeof path, "path too long: %s/%s", dir, rel);
	return path;
}

/* Reads a whole file into a heap buffer of exactly its size, so a read past
 * the end of the input shows up under AddressSanitizer as in the fuzzer. */
static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	uint8_t *tmp = malloc(REGRESS_MAX_INPUT);
	ck_assert_ptr_nonnull(tmp);
	size_t n = fread(tmp, 1, REGRESS_MAX_INPUT, f);
	ck_assert_msg(!ferror(f) && feof(f), "%s: unreadable or over %u bytes", path,
	              REGRESS_MAX_INPUT);
	fclose(f);
	uint8_t *data = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(data);
	memcpy(data, tmp, n);
	free(tmp);
	*size = n;
	return data;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Runs every file of $TESTDATA/rel through run; fails naming the first file
 * that breaks a contract. A seed directory must hold inputs, since a replay
 * of nothing would pass whatever the code does; a crash directory may be
 * missing (git keeps no empty directory) while its fuzzer has found
 * nothing. */
static void replay_dir(const char *rel, bool required, const char *(*run)(const uint8_t *, size_t))
{
	char dir[REGRESS_PATH_MAX];
	struct dirent **names;

	snprintf(dir, sizeof dir, "%s", data_path(rel));
	int n = scandir(dir, &names, not_hidden, by_name);
	if (n <= 0 && !required)
		return;
	ck_assert_msg(n > 0, "no inputs in %s", dir);
	for (int i = 0; i < n; i++) {
		char path[REGRESS_PATH_MAX * 2];
		size_t size;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		uint8_t *data = slurp(path, &size);
		const char *why = run(data, size);
		ck_assert_msg(why == NULL, "%s: %s", path, why);
		free(data);
		free(names[i]);
	}
	free(names);
}

/* Opens $TESTDATA/fuzz-regress/reader/name, which must open. */
static reader_t *open_regress(const char *name)
{
	char rel[REGRESS_PATH_MAX];
	struct bs_err err;
	reader_t *r;

	snprintf(rel, sizeof rel, "fuzz-regress/reader/%s", name);
	int rc = reader_open(data_path(rel), NULL, &r, &err);
	ck_assert_msg(rc == 0, "%s: %s", name, bs_err_text(&err));
	return r;
}

/* Counts the packets of r with and without layer 3 up to the end or an
 * error; returns the last reader_next() code. */
static int read_all(reader_t *r, int *with_l3, int *without_l3)
{
	struct reader_packet pkt;
	int rc;

	*with_l3 = *without_l3 = 0;
	/* reader_next() must not depend on what errno the caller left. */
	for (errno = 0; (rc = reader_next(r, &pkt)) == 1; errno = 0) {
		if (pkt.l3 == NULL) {
			++*without_l3;
			continue;
		}
		++*with_l3;
	}
	return rc;
}

START_TEST(text_file_is_refused_before_libtrace)
{
	/* libtrace's format guess leaked ~50 MiB and a descriptor here. */
	static char stale; /* stands for a stale handle reader_open must clear */
	struct bs_err err;
	reader_t *r = (reader_t *)(void *)&stale;
	int rc = reader_open(data_path("fuzz-regress/reader/text-not-a-trace.txt"), NULL, &r, &err);
	ck_assert_int_eq(rc, -BS_EFORMAT);
	ck_assert_int_eq(err.code, -BS_EFORMAT);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err.msg, "not a packet trace libtrace can read (pcap, pcapng, ERF, ...)");
}
END_TEST

START_TEST(pcap_wire_length_over_64k_skips_layer3)
{
	/* Big-endian pcap, one record claiming 65536 bytes on the wire:
	 * libtrace asserted in trace_get_wire_length(). */
	int with, without;
	reader_t *r = open_regress("pcap-be-wirelen-over-64k.pcap");
	ck_assert_int_eq(read_all(r, &with, &without), 0);
	ck_assert_int_eq(with, 0);
	ck_assert_int_eq(without, 1);
	reader_free(r);
}
END_TEST

START_TEST(pcapng_original_length_over_64k_skips_layer3)
{
	/* Same through libpcap ("pcap:" format): the second, normal packet is
	 * still read and classified. */
	struct reader_packet pkt;
	struct bs_event ev = {0};
	reader_t *r = open_regress("pcapng-origlen-over-64k.pcapng");
	ck_assert_int_eq(reader_next(r, &pkt), 1);
	ck_assert_ptr_null(pkt.l3);
	ck_assert_int_eq(reader_next(r, &pkt), 1);
	ck_assert_ptr_nonnull(pkt.l3);
	ck_assert_int_eq(classify_packet(pkt.l3, pkt.l3_len, pkt.ethertype, &ev),
	                 CLASSIFY_BACKSCATTER);
	ck_assert_int_eq(reader_next(r, &pkt), 0);
	reader_free(r);
}
END_TEST

START_TEST(pcap_link_type_out_of_table_is_an_error)
{
	/* Link type 0x0e00007f: libtrace asserted in rt_to_pcap_linktype(). */
	struct reader_packet pkt;
	reader_t *r = open_regress("pcap-linktype-out-of-table.pcap");
	ck_assert_int_eq(reader_next(r, &pkt), -BS_EIO);
	ck_assert_str_eq(bs_err_text(reader_error(r)), "unsupported pcap link type 234881151");
	reader_free(r);
}
END_TEST

START_TEST(pcap_raw_zero_caplen_has_no_layer3)
{
	/* Raw IP record with nothing captured: libtrace dereferenced NULL in
	 * trace_get_payload_from_layer2(). */
	struct reader_packet pkt;
	reader_t *r = open_regress("pcap-raw-zero-caplen.pcap");
	ck_assert_int_eq(reader_next(r, &pkt), 1);
	ck_assert_ptr_null(pkt.l3);
	reader_free(r);
}
END_TEST

START_TEST(pcap_last_record_cut_is_an_error_not_an_abort)
{
	/* libtrace passed a zero errno to trace_set_err(), which asserts. */
	int with, without;
	reader_t *r = open_regress("pcap-last-record-cut.pcap");
	ck_assert_int_eq(read_all(r, &with, &without), -BS_EIO);
	ck_assert_int_eq(with, 5);
	ck_assert_ptr_nonnull(strstr(bs_err_text(reader_error(r)), "Incomplete pcap packet body"));
	reader_free(r);
}
END_TEST

START_TEST(erf_legacy_record_with_rx_error_has_no_layer3)
{
	/* Type 0 record flagged as a receive error: libtrace left the payload
	 * NULL and dereferenced it in trace_get_link_type(). */
	int with, without;
	reader_t *r = open_regress("erf-legacy-rxerror.erf");
	ck_assert_int_eq(read_all(r, &with, &without), 0);
	ck_assert_int_eq(with, 1);
	ck_assert_int_eq(without, 1);
	reader_free(r);
}
END_TEST

START_TEST(erf_record_shorter_than_header_has_no_layer3)
{
	/* 17 bytes that pass for ERF: an Ethernet record whose length (16) does
	 * not cover its header and padding. libtrace computed a capture length
	 * of -2 and asserted in trace_get_packet_buffer(). */
	struct reader_packet pkt;
	reader_t *r = open_regress("erf-record-shorter-than-padding.erf");
	ck_assert_int_eq(reader_next(r, &pkt), 1);
	ck_assert_ptr_null(pkt.l3);
	ck_assert_int_eq(reader_next(r, &pkt), -BS_EIO);
	reader_free(r);
}
END_TEST

static int count_row(const struct csvread_attack *a, void *arg)
{
	(void)a;
	++*(int *)arg;
	return 0;
}

START_TEST(csvread_cell_with_line_break_is_quoted_on_one_line)
{
	/* A quoted protocol cell holding only a line break: the message
	 * quoted it verbatim and became two lines. */
	struct bs_err err;
	int rows = 0;
	FILE *f = fopen(data_path("fuzz-regress/csvread/cell-with-line-break.csv"), "rb");
	ck_assert_ptr_nonnull(f);
	int rc = csvread_attacks(f, count_row, &rows, &err);
	fclose(f);
	ck_assert_int_eq(rc, -BS_EFORMAT);
	ck_assert_int_eq(rows, 0);
	ck_assert_str_eq(err.msg, "row 2: column protocol: '?' is not TCP, UDP, ICMP or OTHER");
}
END_TEST

/* Writes the first three NUL-separated parts of $TESTDATA/rel as the
 * summary.json, attacks.csv and timeseries.csv of a new scratch directory,
 * as fuzz_run_merge() does (missing parts are missing files); returns the
 * directory, to outdir_remove(). */
static char *shard_from(const char *rel)
{
	static const char *const files[] = {"summary.json", "attacks.csv", "timeseries.csv"};
	size_t size;
	uint8_t *data = slurp(data_path(rel), &size);
	char *text = malloc(size + 1);
	ck_assert_ptr_nonnull(text);
	memcpy(text, data, size);
	text[size] = '\0';
	char *dir = outdir_create();
	const char *p = text;
	for (size_t i = 0; i < sizeof files / sizeof files[0] && p <= text + size; i++) {
		outdir_write(dir, files[i], p);
		p += strlen(p) + 1;
	}
	free(text);
	free(data);
	return dir;
}

/* Adds the shard of $TESTDATA/fuzz-regress/merge/name to a new merge;
 * returns merge_add_shard()'s code, the merge in *m and the message in
 * err. */
static int add_regress_shard(const char *name, merge_t **m, struct bs_err *err)
{
	char rel[REGRESS_PATH_MAX];
	snprintf(rel, sizeof rel, "fuzz-regress/merge/%s", name);
	char *dir = shard_from(rel);
	*m = merge_create();
	ck_assert_ptr_nonnull(*m);
	int rc = merge_add_shard(*m, dir, err);
	outdir_remove(dir);
	return rc;
}

START_TEST(merge_json_error_near_line_break_is_one_line)
{
	/* summary.json is '"\' and a line break: jansson's message quotes the
	 * token it stopped at, line break included, and merge passed it on. */
	merge_t *m;
	struct bs_err err;
	ck_assert_int_eq(add_regress_shard("json-error-near-line-break", &m, &err), -BS_EFORMAT);
	ck_assert_ptr_null(strpbrk(err.msg, "\r\n"));
	ck_assert_ptr_nonnull(
	    strstr(err.msg, "/summary.json: line 2: invalid escape near '\"\\?'"));
	merge_free(m);
}
END_TEST

START_TEST(merge_prefix_with_line_break_is_one_line)
{
	/* Telescope "10.0.0.0/8\n": the message quotes the prefix. */
	merge_t *m;
	struct bs_err err;
	ck_assert_int_eq(add_regress_shard("prefix-with-line-break", &m, &err), -BS_EFORMAT);
	ck_assert_ptr_null(strpbrk(err.msg, "\r\n"));
	ck_assert_ptr_nonnull(strstr(
	    err.msg, "/summary.json: parameters.telescope: '10.0.0.0/8?' is not a valid prefix"));
	merge_free(m);
}
END_TEST

START_TEST(merge_partial_reason_with_line_break_is_one_line)
{
	/* An incomplete shard's partial_reason "SIG\nINT" is quoted in a
	 * warning, which summary.json and stderr show one per line. */
	merge_t *m;
	struct bs_err err;
	ck_assert_int_eq(add_regress_shard("partial-reason-with-line-break", &m, &err), 0);
	ck_assert_uint_eq(merge_warning_count(m), 1);
	ck_assert_ptr_nonnull(strstr(
	    merge_warning(m, 0), " is incomplete (SIG?INT): the merged result lacks what it lost"));
	ck_assert_int_eq(merge_status(m), MERGE_WARNINGS);
	merge_free(m);
}
END_TEST

START_TEST(report_json_error_near_line_break_is_one_line)
{
	/* The summary.json of merge's finding: report printed jansson's text
	 * as it was, over two lines (scripts/outputs.sh, bad.report.err), until
	 * both read it through summary_read(). fuzz_report's message check
	 * catches it too. */
	char *dir = shard_from("fuzz-regress/report/json-error-near-line-break");
	report_t *r = report_create(0, REPORT_NO_UNTIL, REPORT_DEFAULT_TOP);
	ck_assert_ptr_nonnull(r);
	struct bs_err err;
	ck_assert_int_eq(report_add_dir(r, dir, &err), -BS_EFORMAT);
	ck_assert_ptr_null(strpbrk(err.msg, "\r\n"));
	ck_assert_ptr_nonnull(
	    strstr(err.msg, "/summary.json: line 2: invalid escape near '\"\\?'"));
	report_free(r);
	outdir_remove(dir);
}
END_TEST

START_TEST(replay_readback_crashes)
{
	replay_dir("fuzz-regress/csvread", false, fuzz_run_csvread);
}
END_TEST

START_TEST(replay_merge_crashes)
{
	replay_dir("fuzz-regress/merge", false, fuzz_run_merge);
}
END_TEST

START_TEST(replay_report_crashes)
{
	replay_dir("fuzz-regress/report", false, fuzz_run_report);
}
END_TEST

START_TEST(replay_readback_seeds)
{
	replay_dir("../fuzz/corpus/csvread", true, fuzz_run_csvread);
}
END_TEST

START_TEST(replay_merge_seeds)
{
	replay_dir("../fuzz/corpus/merge", true, fuzz_run_merge);
}
END_TEST

START_TEST(replay_report_seeds)
{
	replay_dir("../fuzz/corpus/report", true, fuzz_run_report);
}
END_TEST

START_TEST(replay_classify_crashes)
{
	replay_dir("fuzz-regress/classify", false, fuzz_run_classify);
}
END_TEST

START_TEST(replay_reader_crashes)
{
	replay_dir("fuzz-regress/reader", false, fuzz_run_reader);
}
END_TEST

START_TEST(replay_walk_crashes)
{
	replay_dir("fuzz-regress/walk", false, fuzz_run_walk);
}
END_TEST

START_TEST(replay_walk_seeds)
{
	replay_dir("../fuzz/corpus/walk", true, fuzz_run_walk);
}
END_TEST

/* The guards protect libtrace's path, which a plain pcap takes only with a
 * filter or the walker turned off. */
static void walker_off(void)
{
	reader_walk_enable(false);
}

static void walker_on(void)
{
	reader_walk_enable(true);
}

START_TEST(replay_classify_seeds)
{
	replay_dir("../fuzz/corpus/classify", true, fuzz_run_classify);
}
END_TEST

START_TEST(replay_reader_seeds)
{
	replay_dir("../fuzz/corpus/reader", true, fuzz_run_reader);
}
END_TEST

int main(void)
{
	setenv("LIBTRACEIO", "nothreads", 1);
	Suite *s = suite_create("fuzz_regress");
	TCase *guards = tcase_create("reader_guards");
	tcase_add_checked_fixture(guards, walker_off, walker_on);
	tcase_add_test(guards, text_file_is_refused_before_libtrace);
	tcase_add_test(guards, pcap_wire_length_over_64k_skips_layer3);
	tcase_add_test(guards, pcapng_original_length_over_64k_skips_layer3);
	tcase_add_test(guards, pcap_link_type_out_of_table_is_an_error);
	tcase_add_test(guards, pcap_raw_zero_caplen_has_no_layer3);
	tcase_add_test(guards, pcap_last_record_cut_is_an_error_not_an_abort);
	tcase_add_test(guards, erf_legacy_record_with_rx_error_has_no_layer3);
	tcase_add_test(guards, erf_record_shorter_than_header_has_no_layer3);
	suite_add_tcase(s, guards);
	TCase *outdir = tcase_create("outdir_findings");
	tcase_add_test(outdir, csvread_cell_with_line_break_is_quoted_on_one_line);
	tcase_add_test(outdir, merge_json_error_near_line_break_is_one_line);
	tcase_add_test(outdir, merge_prefix_with_line_break_is_one_line);
	tcase_add_test(outdir, merge_partial_reason_with_line_break_is_one_line);
	tcase_add_test(outdir, report_json_error_near_line_break_is_one_line);
	suite_add_tcase(s, outdir);
	TCase *replay = tcase_create("replay");
	tcase_add_test(replay, replay_classify_crashes);
	tcase_add_test(replay, replay_reader_crashes);
	tcase_add_test(replay, replay_classify_seeds);
	tcase_add_test(replay, replay_reader_seeds);
	tcase_add_test(replay, replay_walk_crashes);
	tcase_add_test(replay, replay_walk_seeds);
	tcase_add_test(replay, replay_readback_crashes);
	tcase_add_test(replay, replay_merge_crashes);
	tcase_add_test(replay, replay_readback_seeds);
	tcase_add_test(replay, replay_merge_seeds);
	tcase_add_test(replay, replay_report_crashes);
	tcase_add_test(replay, replay_report_seeds);
	suite_add_tcase(s, replay);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

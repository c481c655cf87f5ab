/* check_archive.c - tests for the archive index (analysis/archive.h): an
 * output root with the report fixtures as nights (tests/data/report:
 * night1 as 2026-11-24, shard as 2026-11-25, incomplete, night2 as
 * 2026-11-27) and directories that are not nights. Checks which nights are
 * found and in what order, that each night's numbers are those the report
 * model reads from it, the completeness its summary.json gives, an
 * unreadable night listed with a warning, links only to reports that
 * exist, the rolling window, the same bytes from a second update, and the
 * errors: bad options, a missing root, a second update on one handle.
 * No gnuplot here (plots_dir NULL): e2e_archive.sh draws. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/archive.h"
#include "analysis/report.h"
#include "base/bs_error.h"
#include "check_outdir.h"

static const char *const files[] = {"summary.json", "attacks.csv", "timeseries.csv"};

static char *fixture(const char *night)
{
	const char *dir = getenv("TESTDATA");
	ck_assert_msg(dir != NULL, "TESTDATA must point at tests/data");
	static char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/report/%s", dir, night);
	return path;
}

/* ROOT/sub, made; its path in a static buffer. */
static const char *subdir(const char *root, const char *sub)
{
	static char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", root, sub);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	return path;
}

/* Copies the fixture night into ROOT/date. */
static void add_night(const char *root, const char *date, const char *night)
{
	const char *dir = subdir(root, date);
	for (size_t i = 0; i < 3; i++) {
		char *body = outdir_read(fixture(night), files[i]);
		ck_assert_ptr_nonnull(body);
		outdir_write(dir, files[i], body);
		free(body);
	}
}

/* The archive of the header comment, plus a night with a broken
 * summary.json and directories the index must pass over. */
static char *make_root(void)
{
	char *root = outdir_create();
	add_night(root, "2026-11-24", "night1");
	add_night(root, "2026-11-25", "shard");
	add_night(root, "2026-11-27", "night2");
	outdir_write(subdir(root, "2026-11-20"), "summary.json", "{");
	outdir_write(subdir(root, "2026-11-24-copy"), "summary.json", "{}");
	outdir_write(subdir(root, "2026-02-30"), "summary.json", "{}");
	subdir(root, "2026-11-26"); /* a night without summary.json: not a result */
	outdir_write(root, "notes", "not a night");
	return root;
}

/* rm -r of what the tests and the archive made (three levels). */
static void remove_root(char *root)
{
	char cmd[OUTDIR_PATH_LEN + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
	free(root);
}

static archive_t *updated(const char *root, uint32_t days)
{
	struct archive_options o = {
	    .gnuplot = "gnuplot", .tool = "backscatter test", .version = "0", .days = days};
	archive_t *a = archive_create(root, &o);
	ck_assert_ptr_nonnull(a);
	struct bs_err err;
	ck_assert_msg(archive_update(a, &err) == 0, "%s", err.msg);
	return a;
}

/* What the report model says of one fixture night. */
static void fixture_totals(const char *night, uint64_t *attacks, uint64_t *victims)
{
	report_t *r = report_create(0, REPORT_NO_UNTIL, 1);
	struct bs_err err;
	ck_assert_int_eq(report_add_dir(r, fixture(night), &err), 0);
	ck_assert_int_eq(report_finish(r, &err), 0);
	*attacks = report_totals(r)->attacks;
	*victims = report_totals(r)->victims;
	ck_assert_uint_gt(*attacks, 0);
	report_free(r);
}

START_TEST(create_rejects_bad_options)
{
	struct archive_options o = {.days = 0};
	ck_assert_ptr_null(archive_create("/tmp", &o));
	o.days = ARCHIVE_MAX_DAYS + 1;
	ck_assert_ptr_null(archive_create("/tmp", &o));
	ck_assert_ptr_null(archive_create(NULL, &o));
	archive_free(NULL);
}
END_TEST

START_TEST(nights_newest_first_with_their_numbers)
{
	char *root = make_root();
	archive_t *a = updated(root, ARCHIVE_DEFAULT_DAYS);
	const struct archive_night *n;
	ck_assert_uint_eq(archive_nights(a, &n), 4);
	static const char *const dates[] = {"2026-11-27", "2026-11-25", "2026-11-24", "2026-11-20"};
	static const char *const fixtures[] = {"night2", "shard", "night1", NULL};
	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(n[i].date, dates[i]);
		if (fixtures[i] == NULL)
			continue;
		uint64_t attacks, victims;
		fixture_totals(fixtures[i], &attacks, &victims);
		ck_assert_ptr_null(n[i].error);
		ck_assert_uint_eq(n[i].attacks, attacks);
		ck_assert_uint_eq(n[i].victims, victims);
		ck_assert_ptr_null(n[i].report); /* the fixtures have no report */
	}
	ck_assert(n[0].complete);
	ck_assert(!n[1].complete);
	/* the broken night is listed, with a warning naming its file */
	ck_assert_ptr_nonnull(n[3].error);
	ck_assert_ptr_nonnull(strstr(n[3].error, "2026-11-20/summary.json"));
	bool warned = false;
	for (size_t i = 0; i < archive_warning_count(a); i++)
		warned |= strstr(archive_warning(a, i), "night 2026-11-20 not readable") != NULL;
	ck_assert(warned);
	ck_assert_ptr_null(archive_warning(a, archive_warning_count(a)));
	archive_free(a);
	remove_root(root);
}
END_TEST

START_TEST(index_rows_and_links)
{
	char *root = make_root();
	char night[OUTDIR_PATH_LEN];
	snprintf(night, sizeof night, "%s/2026-11-24", root);
	outdir_write(night, "report.html", "<html></html>");
	outdir_write(night, "report.md", "# r");
	snprintf(night, sizeof night, "%s/2026-11-25", root);
	outdir_write(night, "report.md", "# r");
	archive_free(updated(root, ARCHIVE_DEFAULT_DAYS));
	char *html = outdir_read(root, ARCHIVE_INDEX_HTML);
	char *md = outdir_read(root, ARCHIVE_INDEX_MD);
	ck_assert_ptr_nonnull(html);
	ck_assert_ptr_nonnull(md);
	/* each format links its own kind of report, the other when alone */
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"2026-11-24/report.html\">2026-11-24</a>"));
	ck_assert_ptr_nonnull(strstr(md, "[2026-11-24](2026-11-24/report.md)"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"2026-11-25/report.md\">2026-11-25</a>"));
	ck_assert_ptr_null(strstr(html, "2026-11-27/report"));
	ck_assert_ptr_nonnull(strstr(html, "<a href=\"last-30-days/report.html\">"));
	ck_assert_ptr_nonnull(strstr(md, "(last-30-days/report.md)"));
	/* no plots without templates, and no script */
	ck_assert_ptr_null(strstr(html, "<img"));
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_nonnull(strstr(html, "<td>incomplete"));
	ck_assert_ptr_nonnull(strstr(html, "<td>unreadable: "));
	free(html);
	free(md);
	char *rolling = outdir_read(root, "last-30-days/report.md");
	ck_assert_ptr_nonnull(rolling);
	free(rolling);
	remove_root(root);
}
END_TEST

START_TEST(second_update_same_bytes)
{
	char *root = make_root();
	archive_free(updated(root, ARCHIVE_DEFAULT_DAYS));
	char *html = outdir_read(root, ARCHIVE_INDEX_HTML);
	char *rolling = outdir_read(root, "last-30-days/report.md");
	archive_free(updated(root, ARCHIVE_DEFAULT_DAYS));
	char *html2 = outdir_read(root, ARCHIVE_INDEX_HTML);
	char *rolling2 = outdir_read(root, "last-30-days/report.md");
	ck_assert_str_eq(html, html2);
	ck_assert_str_eq(rolling, rolling2);
	/* no staging directory left behind */
	int entries = outdir_count(root);
	archive_free(updated(root, ARCHIVE_DEFAULT_DAYS));
	ck_assert_int_eq(outdir_count(root), entries);
	free(html);
	free(html2);
	free(rolling);
	free(rolling2);
	remove_root(root);
}
END_TEST

START_TEST(rolling_window_holds_newest_days)
{
	char *root = make_root();
	/* 3 days back from 2026-11-27: 11-25 and 11-27, not 11-24 */
	archive_free(updated(root, 3));
	char *md = outdir_read(root, "last-3-days/report.md");
	ck_assert_ptr_nonnull(md);
	ck_assert_ptr_null(strstr(md, "2026-11-24"));
	ck_assert_ptr_nonnull(strstr(md, "2026-11-25"));
	free(md);
	char *index = outdir_read(root, ARCHIVE_INDEX_MD);
	ck_assert_ptr_nonnull(strstr(index, "2026-11-25 to 2026-11-27 (2 nights)"));
	free(index);
	remove_root(root);
}
END_TEST

START_TEST(empty_root_gets_an_index)
{
	char *root = outdir_create();
	archive_t *a = updated(root, ARCHIVE_DEFAULT_DAYS);
	ck_assert(!archive_rolling_written(a));
	ck_assert_uint_eq(archive_warning_count(a), 0);
	archive_free(a);
	char *html = outdir_read(root, ARCHIVE_INDEX_HTML);
	ck_assert_ptr_nonnull(strstr(html, "no nights yet"));
	free(html);
	remove_root(root);
}
END_TEST

START_TEST(errors)
{
	struct archive_options o = {.days = 1};
	archive_t *a = archive_create("/nonexistent/archive", &o);
	struct bs_err err;
	ck_assert_int_eq(archive_update(a, &err), -BS_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/archive: "));
	ck_assert_int_eq(archive_update(a, &err), -BS_EINVAL);
	archive_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("archive");
	TCase *tc = tcase_create("index");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, create_rejects_bad_options);
	tcase_add_test(tc, nights_newest_first_with_their_numbers);
	tcase_add_test(tc, index_rows_and_links);
	tcase_add_test(tc, second_update_same_bytes);
	tcase_add_test(tc, rolling_window_holds_newest_days);
	tcase_add_test(tc, empty_root_gets_an_index);
	tcase_add_test(tc, errors);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

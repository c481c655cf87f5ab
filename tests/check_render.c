/* check_render.c - tests for writing the report: bad arguments and an
 * unwritable output first, then what gnuplot's absence or failure leaves
 * (programs "false" and "true" stand in for a failing gnuplot, so no test
 * depends on gnuplot being installed), then the documents: gaps as
 * "no data", Markdown and HTML escaping of AS names, the TSV data files.
 * Real gnuplot runs are covered by check_plot and tests/e2e_report.sh. */
#include <errno.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/bs_error.h"
#include "check_outdir.h"
#include "analysis/render.h"
#include "analysis/report.h"

static const char *testdata(void)
{
	const char *dir = getenv("TESTDATA");
	ck_assert_msg(dir != NULL, "TESTDATA must point at tests/data");
	return dir;
}

/* The source tree's plots/ (TESTDATA is tests/data). */
static const char *templates(void)
{
	static char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/../../plots", testdata());
	return path;
}

/* A finished report over the given directories (NULL-terminated). */
static report_t *load(const char *const *dirs)
{
	report_t *r = report_create(0, REPORT_NO_UNTIL, 10);
	struct bs_err err;
	for (size_t i = 0; dirs[i] != NULL; i++)
		ck_assert_msg(report_add_dir(r, dirs[i], &err) == 0, "%s", err.msg);
	ck_assert_msg(report_finish(r, &err) == 0, "%s", err.msg);
	return r;
}

static report_t *load_fixtures(void)
{
	static char n1[OUTDIR_PATH_LEN], n2[OUTDIR_PATH_LEN];
	snprintf(n1, sizeof n1, "%s/report/night1", testdata());
	snprintf(n2, sizeof n2, "%s/report/night2", testdata());
	const char *const dirs[] = {n1, n2, NULL};
	return load(dirs);
}

/* Removes out/plots/ and its files, then out itself. */
static void remove_out(char *out)
{
	char plots[OUTDIR_PATH_LEN];
	snprintf(plots, sizeof plots, "%s/" RENDER_PLOTS_SUBDIR, out);
	if (access(plots, F_OK) == 0)
		outdir_remove(strdup(plots));
	outdir_remove(out);
}

static struct render_options options(const char *out)
{
	return (struct render_options){
	    .out_dir = out, .gnuplot = "gnuplot", .tool = "check_render", .md = true, .html = true};
}

START_TEST(bad_arguments)
{
	report_t *r = load_fixtures();
	struct render_status st;
	struct bs_err err;
	struct render_options o = options(NULL);
	ck_assert_int_eq(render_report(NULL, &o, &st, &err), -BS_EINVAL);
	ck_assert_int_eq(err.code, -BS_EINVAL);
	ck_assert_int_eq(render_report(r, NULL, &st, &err), -BS_EINVAL);
	ck_assert_int_eq(render_report(r, &o, &st, &err), -BS_EINVAL);
	ck_assert_int_eq(render_report(r, &o, &st, NULL), -BS_EINVAL);
	o.out_dir = "/tmp/two\nlines";
	ck_assert_int_eq(render_report(r, &o, &st, &err), -BS_EINVAL);
	ck_assert_str_eq(err.msg, "a path with a line break cannot be given to gnuplot");
	report_free(r);
}
END_TEST

START_TEST(unwritable_output)
{
	report_t *r = load_fixtures();
	struct render_status st;
	struct bs_err err;
	struct render_options o = options("/nonexistent/out");
	ck_assert_int_eq(render_report(r, &o, &st, &err), -BS_EIO);
	ck_assert_int_eq(err.code, -BS_EIO);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	ck_assert_str_eq(err.msg, "/nonexistent/out/plots: No such file or directory");
	ck_assert_ptr_null(st.main_file);
	report_free(r);
}
END_TEST

START_TEST(templates_present)
{
	ck_assert(render_templates_present(templates()));
	ck_assert(!render_templates_present(testdata()));
	ck_assert(!render_templates_present(NULL));
}
END_TEST

/* Runs render with program as "gnuplot"; returns the status. */
static struct render_status render_with(const char *program, char **out_dir)
{
	report_t *r = load_fixtures();
	*out_dir = outdir_create();
	struct render_options o = options(*out_dir);
	o.plots_dir = templates();
	o.gnuplot = program;
	struct render_status st;
	struct bs_err err;
	ck_assert_int_eq(render_report(r, &o, &st, &err), 0);
	ck_assert_int_eq(err.code, 0);
	report_free(r);
	return st;
}

START_TEST(gnuplot_not_found)
{
	char *out;
	struct render_status st = render_with("no-such-gnuplot-for-check-render", &out);
	ck_assert_int_eq(st.plot_error.code, -BS_ENOTFOUND);
	ck_assert_uint_eq(st.plots_made, 0);
	ck_assert_str_eq(st.plot_error.msg,
	                 "cannot run no-such-gnuplot-for-check-render: No such file or directory");
	ck_assert_str_eq(st.main_file, "report.html");
	char *md = outdir_read(out, "report.md");
	ck_assert_ptr_nonnull(strstr(md, "(Plot not made: gnuplot was not found."));
	free(md);
	remove_out(out);
}
END_TEST

START_TEST(gnuplot_fails)
{
	char *out;
	struct render_status st = render_with("false", &out);
	ck_assert_int_eq(st.plot_error.code, -BS_EIO);
	ck_assert_str_eq(st.plot_error.msg,
	                 "gnuplot failed on per_day.gp: gnuplot failed without a message");
	ck_assert_uint_eq(st.plots_made, 0);
	char *html = outdir_read(out, "report.html");
	ck_assert_ptr_null(strstr(html, "<img"));
	free(html);
	remove_out(out);
}
END_TEST

START_TEST(gnuplot_writes_nothing)
{
	char *out;
	struct render_status st = render_with("true", &out);
	ck_assert_int_eq(st.plot_error.code, -BS_EIO);
	ck_assert_str_eq(st.plot_error.msg, "gnuplot wrote no image for per_day.gp");
	/* no temporary image is left behind, and no PNG under its final name */
	char plots[OUTDIR_PATH_LEN];
	snprintf(plots, sizeof plots, "%s/" RENDER_PLOTS_SUBDIR, out);
	char *tsv = outdir_read(plots, "per_day.tsv");
	ck_assert_ptr_nonnull(tsv);
	free(tsv);
	ck_assert_ptr_null(outdir_read(plots, "per_day.png"));
	ck_assert_int_eq(outdir_count(plots), 9); /* the TSV files only */
	remove_out(out);
}
END_TEST

START_TEST(documents_and_data)
{
	report_t *r = load_fixtures();
	char *out = outdir_create();
	struct render_options o = options(out);
	struct render_status st;
	struct bs_err err;
	ck_assert_int_eq(render_report(r, &o, &st, &err), 0);
	ck_assert_int_eq(st.plot_error.code, 0);
	ck_assert_str_eq(st.main_file, "report.html");
	char *md = outdir_read(out, "report.md");
	char *html = outdir_read(out, "report.html");
	ck_assert_ptr_nonnull(md);
	ck_assert_ptr_nonnull(html);
	/* the day between the nights is a gap, in both documents */
	ck_assert_ptr_nonnull(strstr(md, "| 2026-11-26 | no data | no data | none |"));
	ck_assert_ptr_nonnull(strstr(md, "| 2026-11-24 | 2 | 1 | 2.0 h |"));
	ck_assert_ptr_nonnull(
	    strstr(html, "<tr><td>2026-11-26</td><td class=\"nodata\">no data</td>"));
	/* escaping: Markdown specials, HTML specials */
	ck_assert_ptr_nonnull(strstr(md, "| AS64501 | Beispiel \"GmbH\" |"));
	ck_assert_ptr_nonnull(strstr(md, "TCP\\_SYNACK"));
	ck_assert_ptr_nonnull(strstr(html, "Beispiel &quot;GmbH&quot;"));
	ck_assert_ptr_nonnull(strstr(html, "Example Net, Inc."));
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_nonnull(strstr(md, "(Plot not made: plots were not asked for."));
	/* per_day.tsv: one grey band of one day between the nights */
	char plots[OUTDIR_PATH_LEN];
	snprintf(plots, sizeof plots, "%s/" RENDER_PLOTS_SUBDIR, out);
	char *tsv = outdir_read(plots, "per_day.tsv");
	ck_assert_str_eq(tsv, "# start_s\tattacks\tvictims\tgap_s\n"
	                      "1795478400\t2\t1\tNaN\n"
	                      "1795564800\t4\t4\tNaN\n"
	                      "\n1795651200\tNaN\tNaN\t86400\n\n"
	                      "1795737600\t2\t2\tNaN\n");
	free(tsv);
	tsv = outdir_read(plots, "repeats.tsv");
	ck_assert_str_eq(tsv, "# attacks_per_victim\tvictims\tattacks\n1\t4\t4\n2\t0\t0\n3\t0\t0\n"
	                      "4\t1\t4\n");
	free(tsv);
	free(md);
	free(html);
	report_free(r);
	remove_out(out);
}
END_TEST

START_TEST(markup_in_names_is_escaped)
{
	char *night = outdir_create();
	outdir_write(
	    night, "attacks.csv",
	    "victim,protocol,start_time,end_time,packets,responses,peak_ppm,est_attack_pps,"
	    "uniform,country,asn,as_org\n"
	    "192.0.2.9,TCP,2026-11-24T01:00:00Z,2026-11-24T01:02:00Z,100,TCP_RST,50,213.3,1,"
	    "X<,64999,\"Evil | <b>Org</b> & *Co*\"\n");
	outdir_write(night, "timeseries.csv",
	             "bin_start,bin_end,packets,attacks_active,attacks_started,victims\n");
	outdir_write(night, "summary.json",
	             "{\"parameters\": {\"telescope_size_v4\": 256.0, \"interval_s\": 60,"
	             " \"preset\": \"rsdos\", \"flow_timeout_s\": 300, \"min_packets\": 25,"
	             " \"min_duration_s\": 60, \"min_ppm\": 30, \"min_dests\": 5,"
	             " \"telescope\": [\"10.0.0.0/24\"]}, \"inputs\": [], \"counters\": {},"
	             " \"flows\": {},"
	             " \"time_range\": {\"first_packet\": \"2026-11-24T00:00:00Z\","
	             " \"last_packet\": \"2026-11-24T02:00:00Z\"}, \"complete\": true,"
	             " \"warnings\": [\"<trace> & friends\"]}");
	const char *const dirs[] = {night, NULL};
	report_t *r = load(dirs);
	char *out = outdir_create();
	struct render_options o = options(out);
	struct render_status st;
	ck_assert_int_eq(render_report(r, &o, &st, NULL), 0);
	char *md = outdir_read(out, "report.md");
	char *html = outdir_read(out, "report.html");
	ck_assert_ptr_nonnull(strstr(md, "| AS64999 | Evil \\| \\<b\\>Org\\</b\\> & \\*Co\\* |"));
	ck_assert_ptr_nonnull(strstr(html, "<td>Evil | &lt;b&gt;Org&lt;/b&gt; &amp; *Co*</td>"));
	ck_assert_ptr_nonnull(strstr(html, "<td>X&lt;</td>"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;trace&gt; &amp; friends"));
	ck_assert_ptr_null(strstr(html, "<b>"));
	ck_assert_ptr_nonnull(strstr(md, "| Telescope size | 256 IPv4 addresses (/24) |"));
	free(md);
	free(html);
	report_free(r);
	remove_out(out);
	outdir_remove(night);
}
END_TEST

START_TEST(no_documents_asked)
{
	report_t *r = load_fixtures();
	char *out = outdir_create();
	struct render_options o = options(out);
	o.md = o.html = false;
	struct render_status st;
	ck_assert_int_eq(render_report(r, &o, &st, NULL), 0);
	ck_assert_ptr_null(st.main_file);
	ck_assert_ptr_null(outdir_read(out, "report.md"));
	ck_assert_ptr_null(outdir_read(out, "report.html"));
	report_free(r);
	remove_out(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render");
	TCase *err = tcase_create("errors");
	tcase_add_test(err, bad_arguments);
	tcase_add_test(err, unwritable_output);
	tcase_add_test(err, templates_present);
	tcase_add_test(err, gnuplot_not_found);
	tcase_add_test(err, gnuplot_fails);
	tcase_add_test(err, gnuplot_writes_nothing);
	suite_add_tcase(s, err);
	TCase *doc = tcase_create("documents");
	tcase_add_test(doc, documents_and_data);
	tcase_add_test(doc, markup_in_names_is_escaped);
	tcase_add_test(doc, no_documents_asked);
	suite_add_tcase(s, doc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_plot.c - tests for running gnuplot on a template.
 *
 * Without gnuplot: a missing program (by name, and gnuplot taken away
 * through PATH) is -BS_ENOTFOUND; "false" and "true" stand in for a
 * gnuplot that fails silently or writes nothing; bad assignments are
 * refused; a failure leaves no temporary file and an earlier PNG whole.
 * With the real gnuplot (a second test case, left out with a note when
 * gnuplot is not in PATH): a PNG is made and renamed into place, a value
 * with quotes reaches the template as one string and nothing else, and a
 * broken template gives one line ending in gnuplot's own message. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/plot.h"
#include "check_outdir.h"
#include "outdir/outfile.h"

/* A template that draws a small real PNG. */
static const char png_template[] =
    "set terminal pngcairo size width,height\nset output outfile\nplot x\n";

/* True when an executable named gnuplot is in PATH (outside any test:
 * no ck_assert here). */
static bool gnuplot_in_path(void)
{
	const char *path = getenv("PATH");
	if (path == NULL)
		return false;
	char *dirs = strdup(path);
	bool found = false;
	for (char *save, *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d != NULL && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char exe[OUTDIR_PATH_LEN];
		snprintf(exe, sizeof exe, "%s/gnuplot", d);
		found = access(exe, X_OK) == 0;
	}
	free(dirs);
	return found;
}

/* DIR/NAME into buf (OUTDIR_PATH_LEN bytes). */
static char *path_in(char *buf, const char *dir, const char *name)
{
	ck_assert_int_lt(snprintf(buf, OUTDIR_PATH_LEN, "%s/%s", dir, name), OUTDIR_PATH_LEN);
	return buf;
}

/* Assignments every test passes: the image size. */
static plot_vars_t *size_vars(void)
{
	plot_vars_t *v = plot_vars_create();
	ck_assert_ptr_nonnull(v);
	plot_vars_int(v, "width", 200);
	plot_vars_int(v, "height", 100);
	ck_assert_int_eq(plot_vars_error(v), 0);
	return v;
}

/* Runs program on template text (saved as DIR/t.gp) to make DIR/t.png. */
static int make(const char *program, const char *dir, const char *template_text,
                const plot_vars_t *v, struct bs_err *err)
{
	char tpl[OUTDIR_PATH_LEN], png[OUTDIR_PATH_LEN];
	outdir_write(dir, "t.gp", template_text);
	return plot_make(program, path_in(tpl, dir, "t.gp"), v, path_in(png, dir, "t.png"), err);
}

START_TEST(missing_program)
{
	char *dir = outdir_create();
	plot_vars_t *v = size_vars();
	struct bs_err err;
	ck_assert_int_eq(make("no-such-plot-program", dir, png_template, v, &err), -BS_ENOTFOUND);
	ck_assert_int_eq(err.code, -BS_ENOTFOUND);
	ck_assert_str_eq(err.msg, "cannot run no-such-plot-program: No such file or directory");
	ck_assert_int_eq(outdir_count(dir), 1); /* the template only */
	plot_vars_free(v);
	outdir_remove(dir);
}
END_TEST

/* gnuplot is looked up in PATH when it runs: an empty PATH hides it. */
START_TEST(missing_from_path)
{
	char *dir = outdir_create();
	char *empty = outdir_create();
	plot_vars_t *v = size_vars();
	struct bs_err err;
	char *path = strdup(getenv("PATH"));
	ck_assert_int_eq(setenv("PATH", empty, 1), 0);
	int rc = make("gnuplot", dir, png_template, v, &err);
	ck_assert_int_eq(setenv("PATH", path, 1), 0);
	free(path);
	ck_assert_int_eq(rc, -BS_ENOTFOUND);
	ck_assert_str_eq(err.msg, "cannot run gnuplot: No such file or directory");
	ck_assert_int_eq(outdir_count(dir), 1);
	plot_vars_free(v);
	outdir_remove(empty);
	outdir_remove(dir);
}
END_TEST

START_TEST(program_fails_silently)
{
	char *dir = outdir_create();
	outdir_write(dir, "t.png", "earlier image");
	plot_vars_t *v = size_vars();
	struct bs_err err;
	ck_assert_int_eq(make("false", dir, png_template, v, &err), -BS_EIO);
	ck_assert_str_eq(err.msg, "gnuplot failed on t.gp: gnuplot failed without a message");
	char *png = outdir_read(dir, "t.png");
	ck_assert_str_eq(png, "earlier image");
	free(png);
	ck_assert_int_eq(outdir_count(dir), 2); /* no temporary file left */
	plot_vars_free(v);
	outdir_remove(dir);
}
END_TEST

START_TEST(program_writes_nothing)
{
	char *dir = outdir_create();
	plot_vars_t *v = size_vars();
	struct bs_err err;
	ck_assert_int_eq(make("true", dir, png_template, v, &err), -BS_EIO);
	ck_assert_str_eq(err.msg, "gnuplot wrote no image for t.gp");
	ck_assert_ptr_null(outdir_read(dir, "t.png"));
	ck_assert_int_eq(outdir_count(dir), 1);
	plot_vars_free(v);
	outdir_remove(dir);
}
END_TEST

START_TEST(bad_assignments)
{
	char *dir = outdir_create();
	static const char *const bad_names[] = {"", "1x", "a-b", "a b", "x;system", "a=1"};
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		plot_vars_t *v = size_vars();
		plot_vars_int(v, bad_names[i], 1);
		ck_assert_int_eq(plot_vars_error(v), -BS_EINVAL);
		plot_vars_free(v);
		v = size_vars();
		plot_vars_string(v, bad_names[i], "x");
		ck_assert_int_eq(plot_vars_error(v), -BS_EINVAL);
		plot_vars_free(v);
	}
	plot_vars_t *v = size_vars();
	plot_vars_string(v, "title", "two\nlines");
	ck_assert_int_eq(plot_vars_error(v), -BS_EINVAL);
	plot_vars_string(v, "ok", "later assignments do nothing");
	ck_assert_int_eq(plot_vars_error(v), -BS_EINVAL);
	struct bs_err err;
	/* refused before anything runs: "false" would fail differently */
	ck_assert_int_eq(make("false", dir, png_template, v, &err), -BS_EINVAL);
	ck_assert_int_eq(err.code, -BS_EINVAL);
	ck_assert_int_eq(outdir_count(dir), 1);
	plot_vars_free(v);
	plot_vars_free(NULL);
	v = plot_vars_create();
	plot_vars_int(v, "_a9", -3);
	plot_vars_string(v, "Name_2", "");
	ck_assert_int_eq(plot_vars_error(v), 0);
	plot_vars_free(v);
	outdir_remove(dir);
}
END_TEST

START_TEST(makes_png)
{
	char *dir = outdir_create();
	plot_vars_t *v = size_vars();
	struct bs_err err;
	ck_assert_msg(make("gnuplot", dir, png_template, v, &err) == 0, "%s", err.msg);
	char png[OUTDIR_PATH_LEN];
	struct stat st;
	ck_assert_int_eq(stat(path_in(png, dir, "t.png"), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, OUTFILE_MODE);
	FILE *f = fopen(png, "rb");
	unsigned char magic[8];
	ck_assert_uint_eq(fread(magic, 1, sizeof magic, f), sizeof magic);
	fclose(f);
	ck_assert_int_eq(memcmp(magic, "\x89PNG\r\n\x1a\n", sizeof magic), 0);
	ck_assert_int_eq(outdir_count(dir), 2); /* template and PNG, no temporary file */
	plot_vars_free(v);
	outdir_remove(dir);
}
END_TEST

/* A value with quotes, a semicolon and commands reaches the template as
 * one string, byte for byte, and runs nothing. */
START_TEST(value_with_quotes)
{
	char *dir = outdir_create();
	char value[OUTDIR_PATH_LEN];
	snprintf(value, sizeof value, "it's \"x\"; system('touch %s/pwned') `touch %s/pwned`; '",
	         dir, dir);
	plot_vars_t *v = plot_vars_create();
	plot_vars_string(v, "title", value);
	plot_vars_int(v, "n", -42);
	struct bs_err err;
	ck_assert_msg(make("gnuplot", dir, "set print outfile\nprint title\nprint n\n", v, &err) ==
	                  0,
	              "%s", err.msg);
	char *text = outdir_read(dir, "t.png");
	char want[sizeof value + 8];
	snprintf(want, sizeof want, "%s\n-42\n", value);
	ck_assert_str_eq(text, want);
	free(text);
	ck_assert_ptr_null(outdir_read(dir, "pwned"));
	ck_assert_int_eq(outdir_count(dir), 2);
	plot_vars_free(v);
	outdir_remove(dir);
}
END_TEST

/* gnuplot 5.4 cannot read two doubled quotes in a row ('a''''b') nor a
 * string that starts with one: such a value fails as a plot, and still
 * runs nothing. */
START_TEST(unreadable_value_runs_nothing)
{
	char *dir = outdir_create();
	char value[OUTDIR_PATH_LEN];
	snprintf(value, sizeof value, "'' ; system('touch %s/pwned') ; ''", dir);
	plot_vars_t *v = plot_vars_create();
	plot_vars_string(v, "title", value);
	struct bs_err err;
	int rc = make("gnuplot", dir, "set print outfile\nprint title\n", v, &err);
	ck_assert(rc == 0 || rc == -BS_EIO);
	ck_assert_ptr_null(outdir_read(dir, "pwned"));
	ck_assert_int_eq(outdir_count(dir), rc == 0 ? 2 : 1);
	plot_vars_free(v);
	outdir_remove(dir);
}
END_TEST

START_TEST(template_fails)
{
	char *dir = outdir_create();
	outdir_write(dir, "t.png", "earlier image");
	plot_vars_t *v = size_vars();
	struct bs_err err;
	ck_assert_int_eq(make("gnuplot", dir, "plot undefined_function(\n", v, &err), -BS_EIO);
	ck_assert_int_eq(err.code, -BS_EIO);
	/* one line: what failed, then gnuplot's last line naming the template */
	const char prefix[] = "gnuplot failed on t.gp: ";
	ck_assert_int_eq(strncmp(err.msg, prefix, strlen(prefix)), 0);
	ck_assert_ptr_null(strchr(err.msg, '\n'));
	char tpl[OUTDIR_PATH_LEN];
	ck_assert_ptr_nonnull(strstr(err.msg, path_in(tpl, dir, "t.gp")));
	ck_assert_ptr_nonnull(strstr(err.msg, "line 1:"));
	char *png = outdir_read(dir, "t.png");
	ck_assert_str_eq(png, "earlier image");
	free(png);
	ck_assert_int_eq(outdir_count(dir), 2);
	plot_vars_free(v);
	outdir_remove(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plot");
	TCase *without = tcase_create("without gnuplot");
	tcase_add_test(without, missing_program);
	tcase_add_test(without, missing_from_path);
	tcase_add_test(without, program_fails_silently);
	tcase_add_test(without, program_writes_nothing);
	tcase_add_test(without, bad_assignments);
	suite_add_tcase(s, without);
	if (gnuplot_in_path()) {
		TCase *with = tcase_create("gnuplot");
		tcase_set_timeout(with, 30);
		tcase_add_test(with, makes_png);
		tcase_add_test(with, value_with_quotes);
		tcase_add_test(with, unreadable_value_runs_nothing);
		tcase_add_test(with, template_fails);
		suite_add_tcase(s, with);
	} else {
		fprintf(stderr, "check_plot: gnuplot not in PATH: real gnuplot runs left out\n");
	}
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

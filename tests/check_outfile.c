/* check_outfile.c - atomic output: nothing under the final name until a
 * commit succeeds, an existing file untouched by abort or a failed commit,
 * and lost writes detected.
 *
 * Write failures are produced with RLIMIT_FSIZE, which the kernel enforces
 * for root too (CI runs as root, so permission tricks would not fail): a
 * write past the limit fails with EFBIG, through the same stdio, fflush and
 * fsync path as a full disk's ENOSPC. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "base/bs_error.h"
#include "check_outdir.h"
#include "outdir/outfile.h"

#define NAME "attacks.csv"

START_TEST(open_rejects_bad_names)
{
	static const char *const bad[] = {"", "a/b", "/x", ".", ".."};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		outfile_t *o = (outfile_t *)1;
		ck_assert_int_eq(outfile_open("/tmp", bad[i], &o), -BS_EINVAL);
		ck_assert_ptr_null(o);
	}
	outfile_t *o = (outfile_t *)1;
	ck_assert_int_eq(outfile_open("", NAME, &o), -BS_EINVAL);
	ck_assert_ptr_null(o);
}
END_TEST

START_TEST(open_missing_dir_is_eio)
{
	char *dir = outdir_create();
	char missing[OUTDIR_PATH_LEN];
	snprintf(missing, sizeof missing, "%s/no/such", dir);
	outfile_t *o = (outfile_t *)1;
	ck_assert_int_eq(outfile_open(missing, NAME, &o), -BS_EIO);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(o);
	outdir_remove(dir);
}
END_TEST

START_TEST(commit_null_is_einval)
{
	ck_assert_int_eq(outfile_commit(NULL), -BS_EINVAL);
	outfile_abort(NULL);
}
END_TEST

START_TEST(temp_is_hidden_in_same_dir)
{
	char *dir = outdir_create();
	outfile_t *o;
	ck_assert_int_eq(outfile_open(dir, NAME, &o), 0);
	ck_assert_int_eq(outdir_count(dir), 1);
	ck_assert_ptr_null(outdir_read(dir, NAME));
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)) != NULL && e->d_name[0] == '.' &&
	       (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0))
		;
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(strncmp(e->d_name, "." NAME ".", strlen("." NAME ".")), 0);
	ck_assert_uint_eq(strlen(e->d_name), strlen("." NAME ".XXXXXX"));
	closedir(d);
	outfile_abort(o);
	outdir_remove(dir);
}
END_TEST

START_TEST(abort_leaves_nothing)
{
	char *dir = outdir_create();
	outfile_t *o;
	ck_assert_int_eq(outfile_open(dir, NAME, &o), 0);
	fputs("half a file", outfile_stream(o));
	errno = ENOSPC;
	outfile_abort(o);
	ck_assert_int_eq(errno, ENOSPC); /* preserved for the caller's message */
	ck_assert_int_eq(outdir_count(dir), 0);
	outdir_remove(dir);
}
END_TEST

START_TEST(abort_keeps_existing)
{
	char *dir = outdir_create();
	outdir_write(dir, NAME, "old\n");
	outfile_t *o;
	ck_assert_int_eq(outfile_open(dir, NAME, &o), 0);
	fputs("new\n", outfile_stream(o));
	outfile_abort(o);
	ck_assert_int_eq(outdir_count(dir), 1);
	char *text = outdir_read(dir, NAME);
	ck_assert_str_eq(text, "old\n");
	free(text);
	outdir_remove(dir);
}
END_TEST

START_TEST(commit_creates_readable_file)
{
	char *dir = outdir_create();
	outfile_t *o;
	ck_assert_int_eq(outfile_open(dir, NAME, &o), 0);
	fputs("a,b\n1,2\n", outfile_stream(o));
	ck_assert_int_eq(outfile_commit(o), 0);
	ck_assert_int_eq(outdir_count(dir), 1);
	char *text = outdir_read(dir, NAME);
	ck_assert_str_eq(text, "a,b\n1,2\n");
	free(text);
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", dir, NAME);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, OUTFILE_MODE);
	outdir_remove(dir);
}
END_TEST

START_TEST(commit_replaces_existing)
{
	char *dir = outdir_create();
	outdir_write(dir, NAME, "old contents that are longer\n");
	outfile_t *o;
	ck_assert_int_eq(outfile_open(dir, NAME, &o), 0);
	fputs("new\n", outfile_stream(o));
	ck_assert_int_eq(outfile_commit(o), 0);
	ck_assert_int_eq(outdir_count(dir), 1);
	char *text = outdir_read(dir, NAME);
	ck_assert_str_eq(text, "new\n");
	free(text);
	outdir_remove(dir);
}
END_TEST

/* Runs one write-then-commit under a file-size limit of limit bytes and
 * checks the failure is reported and nothing but the old file remains. */
static void commit_over_limit(rlim_t limit, size_t bytes)
{
	char *dir = outdir_create();
	outdir_write(dir, NAME, "old\n");
	struct rlimit saved, lim;
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
	lim = saved;
	lim.rlim_cur = limit;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG, not death */
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);

	outfile_t *o;
	ck_assert_int_eq(outfile_open(dir, NAME, &o), 0);
	FILE *f = outfile_stream(o);
	for (size_t i = 0; i < bytes; i++)
		putc('x', f);
	errno = 0;
	int rc = outfile_commit(o);
	int err = errno;

	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, old_handler);
	ck_assert_int_eq(rc, -BS_EIO);
	ck_assert_int_eq(err, EFBIG);
	ck_assert_int_eq(outdir_count(dir), 1);
	char *text = outdir_read(dir, NAME);
	ck_assert_str_eq(text, "old\n");
	free(text);
	outdir_remove(dir);
}

START_TEST(commit_detects_failed_write)
{
	/* Far past the stdio buffer: the error happens during the writes and
	 * survives only as the stream's error flag. */
	commit_over_limit(1024, 64 * 1024);
}
END_TEST

START_TEST(commit_detects_failed_flush)
{
	/* Still in the stdio buffer when commit starts: only fflush sees it. */
	commit_over_limit(16, 100);
}
END_TEST

START_TEST(commit_rename_failure_cleans_up)
{
	char *dir = outdir_create();
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", dir, NAME);
	ck_assert_int_eq(mkdir(path, 0755), 0); /* a directory cannot be replaced */
	outfile_t *o;
	ck_assert_int_eq(outfile_open(dir, NAME, &o), 0);
	fputs("new\n", outfile_stream(o));
	errno = 0;
	ck_assert_int_eq(outfile_commit(o), -BS_EIO);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_int_eq(outdir_count(dir), 1);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	outdir_remove(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outfile");
	TCase *tc = tcase_create("errors");
	tcase_add_test(tc, open_rejects_bad_names);
	tcase_add_test(tc, open_missing_dir_is_eio);
	tcase_add_test(tc, commit_null_is_einval);
	tcase_add_test(tc, commit_detects_failed_write);
	tcase_add_test(tc, commit_detects_failed_flush);
	tcase_add_test(tc, commit_rename_failure_cleans_up);
	suite_add_tcase(s, tc);
	tc = tcase_create("atomicity");
	tcase_add_test(tc, temp_is_hidden_in_same_dir);
	tcase_add_test(tc, abort_leaves_nothing);
	tcase_add_test(tc, abort_keeps_existing);
	tcase_add_test(tc, commit_creates_readable_file);
	tcase_add_test(tc, commit_replaces_existing);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_nightly.c - run --night's groundwork (src/nightly.h): which day a
 * night is, which files its layout names, when they are complete, when a
 * night is done, and the out-root's lock. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bs_error.h"
#include "base/bs_time.h"
#include "src/nightly.h"

#define CHECK_PATH_MAX 4096
/* 2026-11-24T00:00:00Z and 2026-11-25T13:14:15Z, seconds since the epoch. */
#define DAY_2026_11_24 1795478400ll
#define NOW_2026_11_25 (DAY_2026_11_24 + 86400 + 13 * 3600 + 14 * 60 + 15)

START_TEST(which_night)
{
	uint64_t day;
	ck_assert_int_eq(night_parse("2026-11-24", 0, &day), 0);
	ck_assert_uint_eq(day, (uint64_t)DAY_2026_11_24 * BS_US_PER_S);
	ck_assert_int_eq(night_parse("yesterday", (time_t)NOW_2026_11_25, &day), 0);
	ck_assert_uint_eq(day, (uint64_t)DAY_2026_11_24 * BS_US_PER_S);
	/* One second into a day, yesterday is still the day before. */
	ck_assert_int_eq(night_parse("yesterday", (time_t)DAY_2026_11_24 + 86400, &day), 0);
	ck_assert_uint_eq(day, (uint64_t)DAY_2026_11_24 * BS_US_PER_S);
	static const char *const bad[] = {"",           "today",       "2026-11-24T00:00:00Z",
	                                  "2026-02-30", "2026-1-01",   "26-11-24",
	                                  "1969-12-31", "2026-11-24 ", "Yesterday"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		day = 7;
		ck_assert_msg(night_parse(bad[i], (time_t)NOW_2026_11_25, &day) == -BS_EINVAL, "%s",
		              bad[i]);
		ck_assert_uint_eq(day, 0);
	}
	char name[NIGHT_DATE_LEN + 1];
	ck_assert_int_eq(night_date((uint64_t)DAY_2026_11_24 * BS_US_PER_S, name, sizeof name), 0);
	ck_assert_str_eq(name, "2026-11-24");
	ck_assert_int_eq(night_date(0, name, NIGHT_DATE_LEN), -BS_ERANGE);
}
END_TEST

static char dir[] = "/tmp/check_nightly.XXXXXX";

static const char *in_dir(const char *rel)
{
	static char path[CHECK_PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	return path;
}

/* An empty file at dir/rel, last modified at mtime. */
static void make_file(const char *rel, time_t mtime)
{
	int fd = open(in_dir(rel), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	struct timespec t[2] = {{.tv_sec = mtime}, {.tv_sec = mtime}};
	ck_assert_int_eq(futimens(fd, t), 0);
	close(fd);
}

START_TEST(captures_and_completeness)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(mkdir(in_dir("2026-11-24"), 0755), 0);
	ck_assert_int_eq(mkdir(in_dir("2026-11-25"), 0755), 0);
	time_t old = (time_t)NOW_2026_11_25 - 3600;
	make_file("2026-11-24/h01.pcap.gz", old);
	make_file("2026-11-24/h00.pcap.gz", old);
	make_file("2026-11-24/notes.txt", old);
	make_file("2026-11-25/h00.pcap.gz", old);
	char layout[CHECK_PATH_MAX], pattern[CHECK_PATH_MAX];
	snprintf(layout, sizeof layout, "%s/%%Y-%%m-%%d/*.pcap.gz", dir);
	uint64_t day = (uint64_t)DAY_2026_11_24 * BS_US_PER_S;
	char **paths;
	size_t n;
	struct bs_err err;
	ck_assert_int_eq(night_captures(layout, day, pattern, sizeof pattern, &paths, &n, &err), 0);
	ck_assert_str_eq(pattern, in_dir("2026-11-24/*.pcap.gz"));
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(paths[0], in_dir("2026-11-24/h00.pcap.gz")); /* sorted */
	ck_assert_str_eq(paths[1], in_dir("2026-11-24/h01.pcap.gz"));

	bool ready = false;
	time_t now = (time_t)NOW_2026_11_25;
	ck_assert_int_eq(night_ready(paths, n, 0, NIGHT_SETTLE_S, now, &ready, &err), 0);
	ck_assert(ready);
	ck_assert_int_eq(night_ready(paths, n, 2, NIGHT_SETTLE_S, now, &ready, &err), 0);
	ck_assert(ready);
	ck_assert_int_eq(night_ready(paths, n, 3, NIGHT_SETTLE_S, now, &ready, &err), 0);
	ck_assert(!ready);
	ck_assert_str_eq(err.msg, "2 of the 3 capture files expected (expect-files)");
	/* A file written 59 s ago is still being written; with no settling
	 * time asked for, it is not. */
	make_file("2026-11-24/h01.pcap.gz", now - 59);
	ck_assert_int_eq(night_ready(paths, n, 0, 60, now, &ready, &err), 0);
	ck_assert(!ready);
	char want[CHECK_PATH_MAX + 128];
	snprintf(want, sizeof want, "%s was modified 59s ago (settle 60 s): still being written",
	         paths[1]);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(night_ready(paths, n, 0, 59, now, &ready, &err), 0);
	ck_assert(ready);
	ck_assert_int_eq(night_ready(paths, n, 0, 0, now, &ready, &err), 0);
	ck_assert(ready);
	/* A file gone between the glob and the look: not there yet. */
	unlink(paths[1]);
	ck_assert_int_eq(night_ready(paths, n, 0, 0, now, &ready, &err), 0);
	ck_assert(!ready);
	night_captures_free(paths, n);
	ck_assert_int_eq(night_ready(NULL, 0, 0, 0, now, &ready, &err), 0);
	ck_assert(!ready);
	ck_assert_str_eq(err.msg, "no capture file yet");

	/* A day whose directory does not exist yet has no files. */
	ck_assert_int_eq(night_captures(layout, day + 7 * BS_US_PER_DAY, pattern, sizeof pattern,
	                                &paths, &n, &err),
	                 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(paths);

	/* A layout without the day in it names the same files every night. */
	snprintf(layout, sizeof layout, "%s/*/*.pcap.gz", dir);
	ck_assert_int_eq(night_captures(layout, day, pattern, sizeof pattern, &paths, &n, &err),
	                 -BS_EINVAL);
	snprintf(want, sizeof want,
	         "captures: '%s' names the same files every night: give the night's date with "
	         "strftime fields (%%Y-%%m-%%d)",
	         layout);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(night_captures("", day, pattern, sizeof pattern, &paths, &n, &err),
	                 -BS_EINVAL);
	/* Too long for the pattern buffer. */
	ck_assert_int_eq(night_captures("%Y-%m-%d-long", day, pattern, 8, &paths, &n, &err),
	                 -BS_EINVAL);
	char rm[CHECK_PATH_MAX + 16];
	snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(rm), 0);
}
END_TEST

START_TEST(done_nights)
{
	static char d2[] = "/tmp/check_nightly_done.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(d2));
	ck_assert(!night_done(d2)); /* no summary.json */
	char path[CHECK_PATH_MAX];
	snprintf(path, sizeof path, "%s/summary.json", d2);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"complete\": true}", f); /* not a summary summary_read() accepts */
	fclose(f);
	ck_assert(!night_done(d2));
	unlink(path);
	rmdir(d2);
	ck_assert(!night_done("/nonexistent/backscatter/night"));
}
END_TEST

START_TEST(one_run_holds_the_lock)
{
	static char d3[] = "/tmp/check_nightly_lock.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(d3));
	/* an out-root not made yet is made, with the lock file in it */
	char root[CHECK_PATH_MAX], path[CHECK_PATH_MAX], again[CHECK_PATH_MAX];
	snprintf(root, sizeof root, "%s/nights", d3);
	struct bs_err err;
	int fd, fd2;
	ck_assert_int_eq(night_lock(root, path, sizeof path, &fd, &err), 0);
	ck_assert_int_ge(fd, 0);
	char want[CHECK_PATH_MAX];
	snprintf(want, sizeof want, "%s/" NIGHT_LOCK_NAME, root);
	ck_assert_str_eq(path, want);
	/* a second holder (its own open file, as another process has) waits
	 * for nothing: busy, named */
	ck_assert_int_eq(night_lock(root, again, sizeof again, &fd2, &err), -BS_EBUSY);
	ck_assert_int_eq(fd2, -1);
	snprintf(want, sizeof want, "%s/" NIGHT_LOCK_NAME " is held by another run", root);
	ck_assert_str_eq(err.msg, want);
	night_unlock(fd);
	ck_assert_int_eq(night_lock(root, again, sizeof again, &fd2, &err), 0);
	night_unlock(fd2);
	night_unlock(-1);
	/* an out-root that cannot be made: the reason, no lock */
	char under_file[CHECK_PATH_MAX + 32];
	snprintf(under_file, sizeof under_file, "%s/" NIGHT_LOCK_NAME "/x", root);
	ck_assert_int_eq(night_lock(under_file, again, sizeof again, &fd, &err), -BS_EIO);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(err.sys_errno, ENOTDIR);
	char rm[CHECK_PATH_MAX + 16];
	snprintf(rm, sizeof rm, "rm -rf '%s'", d3);
	ck_assert_int_eq(system(rm), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nightly");
	TCase *tc = tcase_create("nightly");
	tcase_add_test(tc, which_night);
	tcase_add_test(tc, captures_and_completeness);
	tcase_add_test(tc, done_nights);
	tcase_add_test(tc, one_run_holds_the_lock);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

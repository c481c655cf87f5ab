/* check_outdir.h - scratch output directories for the Check suites of the
 * output modules (outfile, results, tseries): they write real files through
 * the atomic path and read them back byte for byte.
 *
 * Header-only so each suite stays one binary; static inline so a suite
 * that uses only some helpers compiles without unused-function warnings.
 * Failures abort the test through ck_assert. */
#ifndef TESTS_CHECK_OUTDIR_H
#define TESTS_CHECK_OUTDIR_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Path buffer for DIR/NAME in a scratch directory. */
#define OUTDIR_PATH_LEN 4096

/** New empty directory under $TMPDIR (or /tmp); caller frees with
 * outdir_remove(). */
static inline char *outdir_create(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[OUTDIR_PATH_LEN];
	ck_assert_int_lt(
	    snprintf(path, sizeof path, "%s/bs-check-XXXXXX", tmp && *tmp ? tmp : "/tmp"),
	    (int)sizeof path);
	ck_assert_ptr_nonnull(mkdtemp(path));
	char *dir = strdup(path);
	ck_assert_ptr_nonnull(dir);
	return dir;
}

/** Number of entries in dir, "." and ".." excluded. */
static inline int outdir_count(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/** Removes dir and what the tests put in it (files, empty directories),
 * then frees dir. */
static inline void outdir_remove(char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[OUTDIR_PATH_LEN];
		ck_assert_int_lt(snprintf(path, sizeof path, "%s/%s", dir, e->d_name),
		                 (int)sizeof path);
		if (unlink(path) != 0)
			rmdir(path);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(dir), 0);
	free(dir);
}

/** Contents of DIR/NAME as a NUL-terminated string (caller frees), or NULL
 * when the file does not exist. */
static inline char *outdir_read(const char *dir, const char *name)
{
	char path[OUTDIR_PATH_LEN];
	ck_assert_int_lt(snprintf(path, sizeof path, "%s/%s", dir, name), (int)sizeof path);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	do {
		if (cap - len < BUFSIZ) {
			cap = cap ? cap * 2 : BUFSIZ + 1;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	ck_assert_int_eq(ferror(f), 0);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/** Writes text to DIR/NAME (replacing it). */
static inline void outdir_write(const char *dir, const char *name, const char *text)
{
	char path[OUTDIR_PATH_LEN];
	ck_assert_int_lt(snprintf(path, sizeof path, "%s/%s", dir, name), (int)sizeof path);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

#endif

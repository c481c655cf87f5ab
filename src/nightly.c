/* nightly.c - the night, its capture files and whether they are
 * complete, for run --night (nightly.h). */
#include "src/nightly.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bs_time.h"
#include "outdir/names.h"
#include "outdir/outdir.h"
#include "outdir/summary.h"

/* Mode of a new lock file (less the umask): readable by all, so that a
 * run as another user (root by hand, the service's user) can open and
 * lock it too; flock(2) needs no write access. */
#define NIGHT_LOCK_MODE 0644

/* The word that names the night before today (UTC). */
#define NIGHT_YESTERDAY "yesterday"

int night_parse(const char *s, time_t now, uint64_t *day_us)
{
	*day_us = 0;
	if (strcmp(s, NIGHT_YESTERDAY) == 0) {
		if (now < (time_t)BS_S_PER_DAY)
			return -BS_EINVAL;
		uint64_t today = (uint64_t)now - (uint64_t)now % BS_S_PER_DAY;
		*day_us = (today - BS_S_PER_DAY) * BS_US_PER_S;
		return 0;
	}
	/* Exactly YYYY-MM-DD: bs_parse_time checks the digits and the date. */
	if (strlen(s) != NIGHT_DATE_LEN)
		return -BS_EINVAL;
	char full[NIGHT_DATE_LEN + sizeof "T00:00:00Z"];
	snprintf(full, sizeof full, "%sT00:00:00Z", s);
	uint64_t us;
	if (bs_parse_time(full, &us) != 0)
		return -BS_EINVAL;
	*day_us = us;
	return 0;
}

int night_date(uint64_t day_us, char *buf, size_t len)
{
	char t[BS_TIME_STRLEN];
	if (len <= NIGHT_DATE_LEN || bs_format_time(day_us, t, sizeof t) != 0)
		return -BS_ERANGE;
	memcpy(buf, t, NIGHT_DATE_LEN);
	buf[NIGHT_DATE_LEN] = '\0';
	return 0;
}

/* layout with the strftime fields of day_us's UTC date, into buf. */
static int expand(const char *layout, uint64_t day_us, char *buf, size_t len)
{
	time_t t = (time_t)(day_us / BS_US_PER_S);
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL)
		return -BS_ERANGE;
	/* strftime returns 0 both when the text does not fit and when it is
	 * empty: an empty layout is refused before. The layout is a format
	 * the operator writes, by design; strftime has no argument for a
	 * field to read beyond the struct tm, so no field can misread. */
	if (layout[0] == '\0')
		return -BS_EINVAL;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	size_t n = strftime(buf, len, layout, &tm);
#pragma GCC diagnostic pop
	return n > 0 ? 0 : -BS_EINVAL;
}

/* The directory glob(3) could not read, for night_captures(): glob's
 * error callback takes no argument of ours. Set and read by the one
 * thread that runs the command. */
static char glob_failed_path[BS_ERR_MSGLEN];
static int glob_failed_errno;

static int on_glob_error(const char *path, int errnum)
{
	/* The night's directory not made yet: no files, the caller waits. */
	if (errnum == ENOENT || errnum == ENOTDIR)
		return 0;
	snprintf(glob_failed_path, sizeof glob_failed_path, "%s", path);
	glob_failed_errno = errnum;
	return 1;
}

int night_captures(const char *layout, uint64_t day_us, char *pattern, size_t len, char ***paths,
                   size_t *n, struct bs_err *err)
{
	*paths = NULL;
	*n = 0;
	char next[BS_ERR_MSGLEN];
	if (expand(layout, day_us, pattern, len) != 0 ||
	    expand(layout, day_us + BS_US_PER_DAY, next, sizeof next) != 0)
		return bs_err_set(err, -BS_EINVAL, "captures: '%s' is empty or too long", layout);
	if (strcmp(pattern, next) == 0)
		return bs_err_set(err, -BS_EINVAL,
		                  "captures: '%s' names the same files every night: give the "
		                  "night's date with strftime fields (%%Y-%%m-%%d)",
		                  layout);
	glob_t g;
	glob_failed_errno = 0;
	int rc = glob(pattern, 0, on_glob_error, &g); /* on_glob_error decides what aborts */
	if (rc == GLOB_NOMATCH) {
		globfree(&g);
		return 0;
	}
	if (rc != 0) {
		globfree(&g);
		if (rc == GLOB_NOSPACE)
			return bs_err_set(err, -BS_ENOMEM, "captures: %s", bs_strerror(-BS_ENOMEM));
		return bs_err_io(err, glob_failed_errno, "captures: %s", glob_failed_path);
	}
	char **list = calloc(g.gl_pathc, sizeof *list);
	for (size_t i = 0; list != NULL && i < g.gl_pathc; i++) {
		list[i] = strdup(g.gl_pathv[i]);
		if (list[i] == NULL) {
			night_captures_free(list, i);
			list = NULL;
		}
	}
	size_t count = g.gl_pathc;
	globfree(&g);
	if (list == NULL)
		return bs_err_set(err, -BS_ENOMEM, "captures: %s", bs_strerror(-BS_ENOMEM));
	*paths = list;
	*n = count;
	return 0;
}

void night_captures_free(char **paths, size_t n)
{
	for (size_t i = 0; paths != NULL && i < n; i++)
		free(paths[i]);
	free(paths);
}

int night_ready(char *const *paths, size_t n, uint32_t expect, uint32_t settle_s, time_t now,
                bool *ready, struct bs_err *why)
{
	*ready = false;
	if (n == 0) {
		bs_err_set(why, 0, "no capture file yet");
		return 0;
	}
	if (n < expect) {
		bs_err_set(why, 0, "%zu of the %u capture files expected (expect-files)", n,
		           expect);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			if (errno != ENOENT)
				return bs_err_io(why, errno, "%s", paths[i]);
			/* Gone since the glob: the writer is rotating files. */
			bs_err_set(why, 0, "%s vanished while being looked at", paths[i]);
			return 0;
		}
		long long age = (long long)now - (long long)st.st_mtime;
		if (age < (long long)settle_s) {
			bs_err_set(why, 0,
			           "%s was modified %llds ago (settle %u s): still being written",
			           paths[i], age, settle_s);
			return 0;
		}
	}
	*ready = true;
	return 0;
}

bool night_done(const char *dir)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, OUTDIR_SUMMARY) >= sizeof path)
		return false;
	struct summary_doc *sum;
	struct bs_err err;
	if (summary_read(path, &sum, &err) != 0)
		return false;
	bool done = sum->complete;
	summary_doc_free(sum);
	return done;
}

int night_lock(const char *out_root, char *path, size_t len, int *fd, struct bs_err *err)
{
	*fd = -1;
	if ((size_t)snprintf(path, len, "%s/%s", out_root, NIGHT_LOCK_NAME) >= len)
		return bs_err_set(err, -BS_EINVAL, "out-root: '%s' is too long", out_root);
	int rc = outdir_make_dir(out_root, err);
	if (rc != 0)
		return rc;
	/* Never removed: a lock file unlinked while another run waits to
	 * open it would let two runs hold two different files. */
	int f = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, NIGHT_LOCK_MODE);
	if (f < 0)
		return bs_err_io(err, errno, "%s", path);
	if (flock(f, LOCK_EX | LOCK_NB) != 0) {
		int errnum = errno;
		close(f);
		if (errnum == EWOULDBLOCK)
			return bs_err_set(err, -BS_EBUSY, "%s is held by another run", path);
		return bs_err_io(err, errnum, "%s: cannot lock", path);
	}
	*fd = f;
	return 0;
}

void night_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

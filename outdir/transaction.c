/* transaction.c - staging directory for outputs renamed into place together
 * (see transaction.h). Paths are built in PATH_MAX buffers: a name that does
 * not fit is ENAMETOOLONG, as the kernel would say. */
#include "outdir/transaction.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bs_error.h"

struct transaction {
	char dir[PATH_MAX];  /* the output directory */
	char path[PATH_MAX]; /* dir/.backscatter-XXXXXX */
	const char *const *names;
	size_t n;
};

/* dir/name into buf (PATH_MAX); false with errno ENAMETOOLONG if too long. */
static bool join(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);
	if (n < 0 || n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return false;
	}
	return true;
}

int transaction_open(const char *dir, const char *const *names, size_t n, transaction_t **out)
{
	*out = NULL;
	transaction_t *s = calloc(1, sizeof *s);
	if (s == NULL)
		return -BS_ENOMEM;
	size_t len = strlen(dir);
	if (len >= sizeof s->dir)
		errno = ENAMETOOLONG;
	if (len >= sizeof s->dir || !join(s->path, dir, TRANSACTION_PREFIX "XXXXXX") ||
	    mkdtemp(s->path) == NULL) {
		int saved = errno;
		free(s);
		errno = saved;
		return -BS_EIO;
	}
	memcpy(s->dir, dir, len + 1);
	s->names = names;
	s->n = n;
	*out = s;
	return 0;
}

const char *transaction_path(const transaction_t *s)
{
	return s->path;
}

/* Removes what is left of the staging directory and frees s. */
static void remove_stage(transaction_t *s)
{
	int saved = errno;
	char path[PATH_MAX];
	for (size_t i = 0; i < s->n; i++)
		if (join(path, s->path, s->names[i]))
			unlink(path);
	rmdir(s->path);
	free(s);
	errno = saved;
}

int transaction_commit(transaction_t *s, const char **failed)
{
	if (failed != NULL)
		*failed = NULL;
	if (s == NULL)
		return -BS_EINVAL;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < s->n; i++) {
		char from[PATH_MAX], to[PATH_MAX];
		if (!join(from, s->path, s->names[i]) || !join(to, s->dir, s->names[i]) ||
		    rename(from, to) != 0) {
			if (failed != NULL)
				*failed = s->names[i];
			rc = -BS_EIO;
		}
	}
	/* outfile_commit() synced each file and the staging directory; the
	 * renames live in DIR. Best effort: the files are complete either way,
	 * and a failure here would only say that a power cut might undo the
	 * renames. */
	int fd = open(s->dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		int saved = errno;
		fsync(fd);
		close(fd);
		errno = saved;
	}
	remove_stage(s);
	return rc;
}

void transaction_abort(transaction_t *s)
{
	if (s != NULL)
		remove_stage(s);
}

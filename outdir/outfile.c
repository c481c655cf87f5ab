/* outfile.c - temporary file, checked flush/sync/close, rename, directory
 * sync (see outfile.h for why each step is there). */
#include "outdir/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bs_error.h"

/* mkstemp's template suffix. */
#define OUTFILE_SUFFIX ".XXXXXX"

struct outfile {
	FILE *f;
	char *dir;        /* for the directory fsync */
	char *tmp_path;   /* DIR/.NAME.XXXXXX, filled in by mkstemp */
	char *final_path; /* DIR/NAME */
};

/* a + b + c + d as a new string; NULL on overflow or allocation failure. */
static char *concat4(const char *a, const char *b, const char *c, const char *d)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c), ld = strlen(d);
	if (la > SIZE_MAX - 1 - lb || la + lb > SIZE_MAX - 1 - lc ||
	    la + lb + lc > SIZE_MAX - 1 - ld)
		return NULL;
	char *s = malloc(la + lb + lc + ld + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc);
	memcpy(s + la + lb + lc, d, ld + 1);
	return s;
}

static void outfile_free(outfile_t *o)
{
	free(o->dir);
	free(o->tmp_path);
	free(o->final_path);
	free(o);
}

static bool valid_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

int outfile_open(const char *dir, const char *name, outfile_t **out)
{
	*out = NULL;
	if (dir == NULL || name == NULL || dir[0] == '\0' || !valid_name(name))
		return -BS_EINVAL;
	outfile_t *o = calloc(1, sizeof *o);
	if (o == NULL)
		return -BS_ENOMEM;
	o->dir = strdup(dir);
	o->tmp_path = concat4(dir, "/.", name, OUTFILE_SUFFIX);
	o->final_path = concat4(dir, "/", name, "");
	if (o->dir == NULL || o->tmp_path == NULL || o->final_path == NULL) {
		outfile_free(o);
		return -BS_ENOMEM;
	}
	int fd = mkstemp(o->tmp_path);
	if (fd < 0) {
		int saved = errno;
		outfile_free(o);
		errno = saved;
		return -BS_EIO;
	}
	/* The report module runs gnuplot: children must not inherit our files. */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(fd, OUTFILE_MODE) != 0 ||
	    (o->f = fdopen(fd, "w")) == NULL) {
		int saved = errno;
		close(fd);
		unlink(o->tmp_path);
		outfile_free(o);
		errno = saved;
		return saved == ENOMEM ? -BS_ENOMEM : -BS_EIO;
	}
	*out = o;
	return 0;
}

FILE *outfile_stream(outfile_t *o)
{
	return o->f;
}

/* Makes the rename durable. Some file systems cannot fsync a directory
 * (EINVAL); the rename is then as durable as they allow, which is not an
 * error of ours. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	if (rc != 0 && saved != EINVAL) {
		errno = saved;
		return -1;
	}
	return 0;
}

int outfile_commit(outfile_t *o)
{
	if (o == NULL)
		return -BS_EINVAL;
	FILE *f = o->f;
	o->f = NULL;
	/* A write error may have happened long before and left only the error
	 * flag; its errno is gone, so EIO stands in for it. */
	errno = 0;
	bool ok = fflush(f) == 0 && !ferror(f);
	if (!ok && errno == 0)
		errno = EIO;
	ok = ok && fsync(fileno(f)) == 0;
	int saved = errno;
	if (fclose(f) != 0 && ok) { /* NFS reports lost writes only here */
		ok = false;
		saved = errno;
	}
	if (ok && rename(o->tmp_path, o->final_path) != 0) {
		ok = false;
		saved = errno;
	}
	if (!ok) {
		unlink(o->tmp_path);
		outfile_free(o);
		errno = saved;
		return -BS_EIO;
	}
	int rc = sync_dir(o->dir) == 0 ? 0 : -BS_EIO;
	saved = errno;
	outfile_free(o);
	errno = saved;
	return rc;
}

void outfile_abort(outfile_t *o)
{
	if (o == NULL)
		return;
	int saved = errno;
	fclose(o->f);
	unlink(o->tmp_path);
	outfile_free(o);
	errno = saved;
}

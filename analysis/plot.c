/* plot.c - gnuplot as a child process: assignments in, one PNG out. */
#include "analysis/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/bs_array.h"
#include "outdir/outfile.h"

extern char **environ;

/* Longest line of gnuplot's output read at once: a longer one is read in
 * pieces, and its last piece is what a failure reports. */
#define PLOT_LINE_MAX 512
/* Most bytes of a path quoted in a message, so a long path leaves room
 * for what went wrong (the cut render.c's messages make too). */
#define PLOT_PATH_SHOWN 400

struct plot_vars {
	char *text; /* "a='x';b=2;", NUL-terminated once anything is added */
	size_t len, cap;
	int rc; /* first error; later assignments do nothing */
};

plot_vars_t *plot_vars_create(void)
{
	return calloc(1, sizeof(plot_vars_t));
}

void plot_vars_free(plot_vars_t *v)
{
	if (v == NULL)
		return;
	free(v->text);
	free(v);
}

int plot_vars_error(const plot_vars_t *v)
{
	return v->rc;
}

/* Appends len bytes of s. */
static void append(plot_vars_t *v, const char *s, size_t len)
{
	if (v->rc != 0)
		return;
	if (bs_array_reserve(&v->text, &v->cap, v->len + len + 1, 1) != 0) {
		v->rc = -BS_ENOMEM;
		return;
	}
	memcpy(v->text + v->len, s, len);
	v->len += len;
	v->text[v->len] = '\0';
}

/* Appends "name=" when name is a gnuplot identifier; false (error kept)
 * when it is not. */
static bool append_name(plot_vars_t *v, const char *name)
{
	static const char first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
	size_t len = strlen(name);
	if (len == 0 || strchr(first, name[0]) == NULL ||
	    strspn(name, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") !=
	        len) {
		if (v->rc == 0)
			v->rc = -BS_EINVAL;
		return false;
	}
	append(v, name, len);
	append(v, "=", 1);
	return v->rc == 0;
}

void plot_vars_string(plot_vars_t *v, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") != NULL) {
		if (v->rc == 0)
			v->rc = -BS_EINVAL;
		return;
	}
	if (!append_name(v, name))
		return;
	append(v, "'", 1);
	for (const char *p = value; *p != '\0'; p++) {
		size_t run = strcspn(p, "'");
		append(v, p, run);
		p += run;
		if (*p == '\0')
			break;
		append(v, "''", 2);
	}
	append(v, "';", 2);
}

void plot_vars_int(plot_vars_t *v, const char *name, long long value)
{
	if (!append_name(v, name))
		return;
	char num[32];
	int n = snprintf(num, sizeof num, "%lld;", value);
	append(v, num, (size_t)n);
}

/* The last non-blank line of gnuplot's output in f, into msg. */
static void last_line(FILE *f, char *msg, size_t len)
{
	char line[PLOT_LINE_MAX];
	msg[0] = '\0';
	rewind(f);
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strcspn(line, "\r\n");
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		line[n] = '\0';
		if (line[strspn(line, " \t^")] != '\0')
			snprintf(msg, len, "%s", line);
	}
}

/* Runs program -d -e vars template_path without a shell; its stdout and
 * stderr go to a temporary file, read back on failure. 0, -BS_ENOTFOUND
 * when the program cannot be found or run, -BS_EIO when it fails (err says
 * why), -BS_ENOMEM. */
static int run_gnuplot(const char *program, const char *vars, const char *template_path,
                       struct bs_err *err)
{
	char *argv[] = {strdup(program), strdup("-d"),          strdup("-e"),
	                strdup(vars),    strdup(template_path), NULL};
	FILE *out = tmpfile();
	posix_spawn_file_actions_t fa;
	bool fa_ok = false;
	const size_t argc = sizeof argv / sizeof argv[0] - 1;
	int rc = -BS_ENOMEM;
	for (size_t i = 0; i < argc; i++)
		if (argv[i] == NULL)
			goto done;
	if (out == NULL) {
		rc = bs_err_io(err, errno, "cannot create a temporary file");
		goto done;
	}
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto done;
	fa_ok = true;
	if (posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, fileno(out), STDOUT_FILENO) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, fileno(out), STDERR_FILENO) != 0)
		goto done;
	pid_t pid;
	int e = posix_spawnp(&pid, program, &fa, NULL, argv, environ);
	if (e == ENOENT || e == EACCES || e == ENOEXEC) {
		rc = bs_err_set(err, -BS_ENOTFOUND, "cannot run %s: %s", program, strerror(e));
		goto done;
	}
	if (e != 0) {
		rc = bs_err_io(err, e, "cannot run %s", program);
		goto done;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			rc = bs_err_io(err, errno, "waiting for %s", program);
			goto done;
		}
	rc = 0;
	if (WIFSIGNALED(status)) {
		rc = bs_err_set(err, -BS_EIO, "%s killed by signal %d", program, WTERMSIG(status));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char line[PLOT_LINE_MAX];
		last_line(out, line, sizeof line);
		rc = bs_err_set(err, -BS_EIO, "%s",
		                line[0] ? line : "gnuplot failed without a message");
	}
done:
	if (rc == -BS_ENOMEM)
		bs_err_set(err, rc, "%s", bs_strerror(rc));
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (out != NULL)
		fclose(out);
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	return rc;
}

/* The file name part of path. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash != NULL ? slash + 1 : path;
}

int plot_make(const char *program, const char *template_path, const plot_vars_t *v,
              const char *png_path, struct bs_err *err)
{
	if (v->rc != 0)
		return bs_err_set(err, v->rc, "%s", bs_strerror(v->rc));
	/* DIR/.NAME.XXXXXX next to DIR/NAME, so the rename is atomic */
	const char *name = base_name(png_path);
	int dirlen = (int)(name - png_path);
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof tmp, "%.*s.%s.XXXXXX", dirlen, png_path, name);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		int shown = dirlen > 0 ? dirlen - 1 : 0; /* the directory, without its '/' */
		return bs_err_set(err, -BS_EIO, "%.*s: path too long",
		                  shown < PLOT_PATH_SHOWN ? shown : PLOT_PATH_SHOWN, png_path);
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		return bs_err_io(err, errno, "%.*s", PLOT_PATH_SHOWN, tmp);
	close(fd);
	plot_vars_t *all = plot_vars_create();
	if (all != NULL) {
		append(all, v->text != NULL ? v->text : "", v->len);
		plot_vars_string(all, PLOT_OUTFILE_VAR, tmp);
	}
	int rc = all == NULL ? -BS_ENOMEM : all->rc;
	if (rc != 0)
		bs_err_set(err, rc, "%s", bs_strerror(rc));
	else
		rc = run_gnuplot(program, all->text, template_path, err);
	plot_vars_free(all);
	if (rc == -BS_EIO)
		bs_err_prefix(err, "gnuplot failed on %s", base_name(template_path));
	struct stat st;
	if (rc == 0 && (stat(tmp, &st) != 0 || st.st_size == 0))
		rc = bs_err_set(err, -BS_EIO, "gnuplot wrote no image for %s",
		                base_name(template_path));
	if (rc == 0 && (chmod(tmp, OUTFILE_MODE) != 0 || rename(tmp, png_path) != 0))
		rc = bs_err_io(err, errno, "%.*s", PLOT_PATH_SHOWN, png_path);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

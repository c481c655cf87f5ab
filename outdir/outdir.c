/* outdir.c - the three files of an output directory, staged and renamed
 * together (see outdir.h). */
#include "outdir/outdir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outdir/transaction.h"

static int make_dirs(const char *dir)
{
	char *path = strdup(dir);
	if (path == NULL)
		return -BS_ENOMEM;
	int rc = 0;
	for (char *p = path + 1; rc == 0 && *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			rc = -BS_EIO;
		*p = '/';
	}
	if (rc == 0 && mkdir(path, 0777) != 0 && errno != EEXIST)
		rc = -BS_EIO;
	int saved = errno;
	free(path);
	errno = saved;
	if (rc != 0)
		return rc;
	/* EEXIST above may have been a file of that name. */
	struct stat st;
	if (stat(dir, &st) != 0)
		return -BS_EIO;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -BS_EIO;
	}
	return 0;
}

int outdir_make_dir(const char *dir, struct bs_err *err)
{
	int rc = make_dirs(dir);
	if (rc == -BS_EIO)
		return bs_err_io(err, errno, "%s", dir);
	return rc == 0 ? 0 : bs_err_set(err, rc, "%s: %s", dir, bs_strerror(rc));
}

/* The files of a result, in the order they are renamed into place; the
 * first OUTDIR_N_ALWAYS always, the others only when there is what they
 * hold (edge flows, the prefix view, evidence). */
static const char *const OUTDIR_FILES[] = {OUTDIR_ATTACKS,        OUTDIR_TIMESERIES,
                                           OUTDIR_SUMMARY,        OUTDIR_FLOWSTATE,
                                           OUTDIR_PREFIX_ATTACKS, OUTDIR_EVIDENCE};
#define OUTDIR_N_FILES  (sizeof OUTDIR_FILES / sizeof OUTDIR_FILES[0])
#define OUTDIR_N_ALWAYS 3u

/* Writes the files into the staging directory; *failed names the one that
 * failed. */
static int write_files(const char *stage, attack_list_t *attacks, tseries_t *ts,
                       const struct summary *s, const struct outdir_state *state,
                       const struct outdir_prefix *prefix, const pcapng_t *evidence,
                       const char **failed, struct bs_err *err)
{
	*failed = OUTDIR_ATTACKS;
	int rc = attack_list_write_csv(attacks, stage, bs_prefixes_size(s->telescope, BS_AF_INET),
	                               bs_prefixes_size(s->telescope, BS_AF_INET6));
	if (rc != 0)
		return rc;
	*failed = OUTDIR_TIMESERIES;
	/* attack_list_write_csv() sorted the list: attacks.csv order. */
	for (size_t i = 0; rc == 0 && i < attack_list_count(attacks); i++)
		rc = tseries_add_attack(ts, attack_list_get(attacks, i));
	if (rc == 0)
		rc = tseries_write_csv(ts, stage);
	if (rc != 0)
		return rc;
	*failed = OUTDIR_SUMMARY;
	if ((rc = summary_write(stage, s)) != 0)
		return rc;
	*failed = OUTDIR_PREFIX_ATTACKS;
	if (prefix != NULL &&
	    (rc = attack_list_write_prefix_csv(prefix->attacks, attacks, prefix->view, stage)) != 0)
		return rc;
	*failed = OUTDIR_EVIDENCE;
	if (evidence != NULL && (rc = pcapng_write(evidence, stage, OUTDIR_EVIDENCE)) != 0)
		return rc;
	if (state == NULL)
		return 0;
	*failed = OUTDIR_FLOWSTATE;
	rc = flowstate_writer_save(state->flows, &state->header, stage, err);
	/* Its message begins with the staged path; keep "flows.state: why". */
	size_t skip = strlen(stage) + 1;
	if (rc != 0 && strncmp(err->msg, stage, skip - 1) == 0 && err->msg[skip - 1] == '/')
		memmove(err->msg, err->msg + skip, strlen(err->msg + skip) + 1);
	return rc;
}

/* Removes DIR/NAME, left by an earlier run whose results are no longer
 * there. */
static int remove_stale(const char *dir, const char *name, struct bs_err *err)
{
	char stale[4096];
	if ((size_t)snprintf(stale, sizeof stale, "%s/%s", dir, name) < sizeof stale &&
	    unlink(stale) != 0 && errno != ENOENT)
		return bs_err_io(err, errno, "%s", stale);
	return 0;
}

int outdir_write(const char *dir, attack_list_t *attacks, tseries_t *ts,
                 const struct summary *summary, const struct outdir_state *state,
                 const struct outdir_prefix *prefix, const pcapng_t *evidence, struct bs_err *err)
{
	transaction_t *st;
	const char *names[OUTDIR_N_FILES];
	size_t n_files = 0;
	for (size_t i = 0; i < OUTDIR_N_ALWAYS; i++)
		names[n_files++] = OUTDIR_FILES[i];
	if (state != NULL)
		names[n_files++] = OUTDIR_FLOWSTATE;
	if (prefix != NULL)
		names[n_files++] = OUTDIR_PREFIX_ATTACKS;
	if (evidence != NULL)
		names[n_files++] = OUTDIR_EVIDENCE;
	int rc = transaction_open(dir, names, n_files, &st);
	if (rc == -BS_EIO)
		return bs_err_io(err, errno, "%s/%sXXXXXX", dir, TRANSACTION_PREFIX);
	if (rc != 0)
		return bs_err_set(err, rc, "%s: %s", dir, bs_strerror(rc));
	const char *failed;
	struct bs_err state_err = {0};
	rc = write_files(transaction_path(st), attacks, ts, summary, state, prefix, evidence,
	                 &failed, &state_err);
	if (rc != 0) {
		int e = errno;
		transaction_abort(st);
		if (state_err.code != 0) {
			bs_err_set(err, rc, "%s/%s", dir, state_err.msg);
			if (err != NULL)
				err->sys_errno = state_err.sys_errno;
			return rc;
		}
		if (rc == -BS_EIO)
			return bs_err_io(err, e, "%s/%s", dir, failed);
		return bs_err_set(err, rc, "%s/%s: %s", dir, failed, bs_strerror(rc));
	}
	rc = transaction_commit(st, &failed);
	if (rc != 0)
		return bs_err_io(err, errno, "%s/%s", dir, failed ? failed : "?");
	if (state == NULL && (rc = remove_stale(dir, OUTDIR_FLOWSTATE, err)) != 0)
		return rc;
	if (prefix == NULL && (rc = remove_stale(dir, OUTDIR_PREFIX_ATTACKS, err)) != 0)
		return rc;
	if (evidence == NULL && (rc = remove_stale(dir, OUTDIR_EVIDENCE, err)) != 0)
		return rc;
	return 0;
}

void outdir_discard(const char *dir)
{
	char path[4096];
	for (size_t i = 0; i < OUTDIR_N_FILES; i++)
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, OUTDIR_FILES[i]) <
		    sizeof path)
			unlink(path);
	rmdir(dir);
}

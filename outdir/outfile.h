/* outfile.h - atomic output files: write under a temporary name, then
 * rename over the final name.
 *
 * INTERFACE.md promises that a crash, a kill or a full disk never leaves a
 * half-written file under its final name: nightly cron jobs read whatever
 * attacks.csv is there. The temporary file lives in the same directory as
 * the final one (".NAME.XXXXXX", hidden from `ls` and globs like *.csv) so
 * rename() is atomic. Commit checks every step that can report a lost
 * write (stream error, fflush, fsync, fclose) before the rename, and fsyncs
 * the directory after it, so a committed file survives a power cut.
 *
 * Files are created with mode OUTFILE_MODE rather than mkstemp's 0600: the
 * results are meant to be read by other users' notebooks, and the umask
 * cannot be read without umask(), which is process-wide and would race with
 * the collector's threads. */
#ifndef OUTDIR_OUTFILE_H
#define OUTDIR_OUTFILE_H

#include <stdio.h>

/** Permissions of a committed file: owner read/write, others read, as fopen()
 * gives under the common 022 umask. */
#define OUTFILE_MODE 0644

typedef struct outfile outfile_t;

/** Creates DIR/.NAME.XXXXXX for writing. name is a plain file name (no '/',
 * not "." or ".."); dir and name are borrowed (copied). On success *out
 * receives a handle to pass to exactly one of outfile_commit() or
 * outfile_abort(). Errors: -BS_EINVAL (bad name), -BS_ENOMEM, -BS_EIO
 * (errno from mkstemp/fchmod, e.g. ENOENT for a missing dir); *out = NULL. */
int outfile_open(const char *dir, const char *name, outfile_t **out);

/** The stream to write to; owned by the handle (do not fclose it). */
FILE *outfile_stream(outfile_t *o);

/** Flushes, syncs and closes the temporary file, checking each step, then
 * renames it to DIR/NAME (replacing any file there) and fsyncs DIR. Frees o
 * in every case. 0 on success. -BS_EIO with errno from the failing step
 * (ENOSPC, EFBIG, EIO...) when any step before the rename fails: the
 * temporary file is removed and an existing DIR/NAME is untouched. If only
 * the final directory fsync fails, DIR/NAME is already the new file but may
 * not survive a power cut; that is reported as -BS_EIO too. -BS_EINVAL when
 * o is NULL. */
int outfile_commit(outfile_t *o);

/** Closes and removes the temporary file, leaving any existing DIR/NAME as it
 * was, and frees o. Preserves errno, so it can run on an error path before
 * the caller reports the original error. Safe on NULL. */
void outfile_abort(outfile_t *o);

#endif

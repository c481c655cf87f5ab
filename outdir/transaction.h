/* transaction.h - an output directory whose files appear together.
 *
 * collect and merge each write three files that belong together
 * (attacks.csv, timeseries.csv, summary.json). Each is atomic on its own
 * (outfile.h), but a full disk after the first would leave a new
 * attacks.csv next to an old summary.json. So the files are first written
 * into a staging directory inside the output directory,
 * DIR/.backscatter-XXXXXX (hidden, same file system so rename() is
 * atomic), and renamed into place only when every one is complete.
 * outdir_write() (outdir.h), which collect and merge both call, uses it. */
#ifndef OUTDIR_TRANSACTION_H
#define OUTDIR_TRANSACTION_H

#include <stddef.h>

/** Name prefix of a staging directory: hidden from `ls` and globs. */
#define TRANSACTION_PREFIX ".backscatter-"

typedef struct transaction transaction_t;

/** Creates the staging directory DIR/.backscatter-XXXXXX (dir must exist)
 * for the files names[0..n-1]: plain file names, borrowed, which must
 * outlive the handle. On success *out receives a handle to pass to exactly
 * one of transaction_commit() or transaction_abort(). Errors: -BS_ENOMEM; -BS_EIO with
 * errno set (ENAMETOOLONG, or from mkdtemp: ENOENT, EACCES, ENOSPC...);
 * *out is then NULL. */
int transaction_open(const char *dir, const char *const *names, size_t n, transaction_t **out);

/** The staging directory's path, to write the files into. Borrowed, valid
 * until commit or abort. */
const char *transaction_path(const transaction_t *s);

/** Renames each staged file to DIR/NAME, in the order given, then removes
 * the staging directory and frees s. 0, or -BS_EIO with errno set and
 * *failed (may be NULL) naming the file whose rename failed; files renamed
 * before it stay in place (rename itself fails only when the directory
 * changes under us). -BS_EINVAL when s is NULL. */
int transaction_commit(transaction_t *s, const char **failed);

/** Removes the staged files and the staging directory, leaving DIR as it
 * was, and frees s. Preserves errno. Safe on NULL. */
void transaction_abort(transaction_t *s);

#endif

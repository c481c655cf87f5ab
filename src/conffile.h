/* conffile.h - the config file every command reads with --config FILE
 * (issue 13): its options, one per line, so that a nightly job's
 * telescope, capture layout and thresholds live in /etc rather than in a
 * command line written into a cron entry or a unit.
 *
 * Syntax (the whole of it; README "Config file"):
 *
 *     # a comment: a line whose first non-blank character is '#'
 *     telescope = 44.0.0.0/8        NAME = VALUE: the option --NAME VALUE
 *     quiet                         NAME alone: the flag --NAME
 *     quiet = false                 a flag also takes true or false
 *
 * NAME is a long option name (lower-case letters, digits and '-'); blanks
 * (space, tab) around NAME, '=' and VALUE are dropped; VALUE is the rest of
 * the line, '#' included (a glob or a BPF filter may hold one); a line may
 * end in CR LF. No quoting, no continuation lines, no includes. Any other
 * control character, a NUL byte, a line longer than CONFFILE_MAX_LINE or a
 * file larger than CONFFILE_MAX_BYTES is an error naming the file and line.
 *
 * This module is syntax only: which names exist, which repeat and what
 * their values mean is the command layer's business (src/cmd_config.c),
 * which checks them with the very code that checks the command line. */
#ifndef SRC_CONFFILE_H
#define SRC_CONFFILE_H

#include <stddef.h>

#include "base/bs_error.h"

/** Longest line, in bytes without its line end: a value is a path, a glob
 * or a prefix list, and PATH_MAX (4096 on Linux) bounds the longest of
 * them; a longer line is not a config file's. */
#define CONFFILE_MAX_LINE 4096u
/** Largest file: a config of every option of every command, commented at
 * length, is a few KiB; a megabyte is another kind of file given by
 * mistake (a capture), refused before it is read whole. */
#define CONFFILE_MAX_BYTES (1024u * 1024u)

typedef struct conffile conffile_t;

/** One NAME [= VALUE] line. Strings are borrowed from the conffile_t. */
struct conffile_entry {
	const char *name;  /* the long option name, without "--" */
	const char *value; /* NULL when the line is the name alone */
	unsigned line;     /* counted from 1 */
};

/** Parses len bytes of text (not NUL-terminated) as the config file path
 * (a name for messages; copied). 0 with *out set (caller frees), or
 * -BS_EINVAL with err "PATH:LINE: what is wrong" and *out NULL, or
 * -BS_ENOMEM. */
int conffile_parse(const char *path, const char *text, size_t len, conffile_t **out,
                   struct bs_err *err);

/** Reads and parses the file path. As conffile_parse(), plus -BS_EIO with
 * err "PATH: " and the system's reason when it cannot be read. */
int conffile_read(const char *path, conffile_t **out, struct bs_err *err);

/** The path given to conffile_parse() or conffile_read(). Borrowed. */
const char *conffile_path(const conffile_t *c);

/** Number of NAME lines, in file order. */
size_t conffile_count(const conffile_t *c);

/** Entry i (< conffile_count()). Borrowed. */
const struct conffile_entry *conffile_entry_at(const conffile_t *c, size_t i);

/** Frees c; NULL is a no-op. */
void conffile_free(conffile_t *c);

#endif

/* bs_error.h - error codes shared by every library module.
 *
 * Library functions return 0 on success or a negative BS_E* code; only the
 * command layer (src/cmd_*.c) turns a code into a message for the user.
 * One convention everywhere (libmaxminddb's MMDB_strerror, not redis'
 * mix of C_ERR and DICT_ERR). */
#ifndef BASE_BS_ERROR_H
#define BASE_BS_ERROR_H

enum bs_error {
	BS_OK = 0,
	BS_ENOMEM = 1,        /* allocation failed */
	BS_EINVAL = 2,        /* invalid argument or syntax */
	BS_ERANGE = 3,        /* number or prefix length out of range */
	BS_ETRUNC = 4,        /* bytes end before a header does */
	BS_EMALFORMED = 5,    /* header fields contradict each other */
	BS_EIO = 6,           /* read or write failed; see errno */
	BS_EFORMAT = 7,       /* file is not in a format we can read */
	BS_EEXIST = 8,        /* duplicate entry */
	BS_ENOTFOUND = 9,     /* lookup found nothing */
	BS_EINTERRUPTED = 10, /* stopped by a signal */
	BS_ERROR_COUNT
};

/** Static English text for a BS_E* code, positive or negative. Never NULL. */
const char *bs_strerror(int code);

/** Replaces the control characters of s (a NUL-terminated message that
 * quotes input: a file name, a CSV cell, a JSON token) with '?', so the
 * message stays one line however the input was made. */
void bs_message_one_line(char *s);

#endif

/* bs_error.h - error codes and the one error carrier of every module.
 *
 * Library functions return 0 on success or a negative BS_E* code (one
 * convention everywhere: libmaxminddb's MMDB_strerror, not redis' mix of
 * C_ERR and DICT_ERR). A function that can say more than its code takes a
 * struct bs_err and fills it: the code, the errno of a failed system call,
 * and one line naming the file and what is wrong. The command layer
 * (src/cmd_*.c) is the only one that prints it. Messages are made one line
 * here, where they are written, whatever input they quote (a file name, a
 * CSV cell, a JSON token), so no route can print a broken line. */
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
	BS_EBUSY = 11,        /* held by another process (a lock) */
	BS_ERROR_COUNT
};

/** Longest message of a struct bs_err, file names included; longer ones
 * are cut. merge's longest quote two shard paths and both telescope lists. */
#define BS_ERR_MSGLEN 2048

/** One error on its way to the user. */
struct bs_err {
	int code;                /* 0, or the negative BS_E* code returned with it */
	int sys_errno;           /* errno of the failed system call; 0 when none */
	char msg[BS_ERR_MSGLEN]; /* one line; "" when none */
};

/** Records code and the message printf-formats (control characters become
 * '?', see bs_message_one_line); sys_errno becomes 0. e may be NULL (the
 * caller does not want the text). Returns code, so a function can end
 * with `return bs_err_set(e, -BS_EFORMAT, "%s: ...", path);`. */
int bs_err_set(struct bs_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** An I/O error: code -BS_EIO, sys_errno = errnum, and the message
 * followed by ": " and strerror(errnum). Returns -BS_EIO. e may be NULL. */
int bs_err_io(struct bs_err *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Puts "PREFIX: " (formatted) before the message, which stays one line:
 * context added on the way up ("shard DIR: "). e may be NULL. */
void bs_err_prefix(struct bs_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** No error: code and sys_errno 0, message "". e may be NULL. */
void bs_err_clear(struct bs_err *e);

/** The message, or the code's text when the message is empty. Borrowed. */
const char *bs_err_text(const struct bs_err *e);

/** Static English text for a BS_E* code, positive or negative. Never NULL. */
const char *bs_strerror(int code);

/** Replaces the control characters of s (a NUL-terminated message that
 * quotes input: a file name, a CSV cell, a JSON token) with '?', so the
 * message stays one line however the input was made. */
void bs_message_one_line(char *s);

#endif

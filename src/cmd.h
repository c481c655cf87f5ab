/* cmd.h - the subcommands of the backscatter program and what they share.
 * Only this layer prints or exits; it turns library codes into
 * "backscatter: context: message" lines and the exit statuses of
 * INTERFACE.md. */
#ifndef SRC_CMD_H
#define SRC_CMD_H

/* Exit statuses, INTERFACE.md. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,   /* nothing trustworthy written */
	EXIT_USAGE = 2,    /* bad command line */
	EXIT_WARNINGS = 3, /* outputs written, but something affects results */
};

#define PROG "backscatter"

int cmd_collect(int argc, char **argv);

/** Prints "backscatter: <cmd>: <msg>" and a hint to use --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

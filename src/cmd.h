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
	/* run --night: the night's captures are not complete yet; nothing was
	 * written, try again later (sysexits.h's EX_TEMPFAIL, which systemd's
	 * RestartForceExitStatus= and cron wrappers know as "retry"). */
	EXIT_TEMPFAIL = 75,
};

#define PROG "backscatter"

/** The text of a numeric constant, for --help lines built at compile time
 * ("(default " CMD_STR(REPORT_DEFAULT_TOP) ")"), so they cannot drift. */
#define CMD_STR(x)  CMD_STR_(x)
#define CMD_STR_(x) #x

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Debian package that provides gnuplot without X11, named when it is missing. */
#define GNUPLOT_PACKAGE "gnuplot-nox"
/* Environment variable naming the template directory, like --plots-dir. */
#define PLOTS_ENV "BACKSCATTER_PLOTS"

#include "src/options.h"

int cmd_collect(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_index(int argc, char **argv);

/** Checks report's options in the config file at path as `report --config
 * path` would take them (run, before it collects: the report it makes
 * reads them, and a bad one must stop the run before anything is
 * written). 0, or EXIT_USAGE after one line naming the file and line. */
int cmd_report_check_config(const char *path);

/** Finds the directory of the gnuplot templates for cmd (its name in
 * messages): given (--plots-dir), else $BACKSCATTER_PLOTS, else plots/ next
 * to the program or its parent, the installed pkgdatadir, the source tree
 * configured from (cmd_report.c). Returns 0 with buf set, 0 with buf ""
 * when none was found, or EXIT_USAGE (message printed) when the directory
 * the user named holds no templates. */
int cmd_find_plots_dir(const char *cmd, const char *given, char *buf, size_t len);

/** Updates the archive index of ROOT (backscatter index): what the
 * nightly run calls after a night. days is the rolling report's length;
 * quiet keeps warnings off stderr. Returns an exit status (cmd_index.c). */
int cmd_index_root(const char *root, unsigned days, bool quiet);

/** The option tables of the commands (their getopt_long and --help), and
 * their lengths; run takes collect's and run's. */
extern const struct opt_spec collect_opts[], run_opts[], report_opts[], merge_opts[], index_opts[];
extern const size_t n_collect_opts, n_run_opts, n_report_opts, n_merge_opts, n_index_opts;

/** The option called name in any command's table, or NULL: a config file
 * may hold any command's options, but no other name. */
const struct opt_spec *cmd_find_option(const char *name);

/** What a collect run left for a following report (cmd_run). */
struct collect_outcome {
	char *out_dir;  /* owned (collect_outcome_release) */
	char *previous; /* run --previous DIR, owned; NULL if none */
	bool quiet;
	bool help;      /* --help was printed */
	bool done;      /* run --night: the night was done already; nothing ran */
	char *out_root; /* run --night: the root of the nights, owned; NULL otherwise */
	int lock_fd;    /* run --night: the out-root's lock (night_lock()), held until
	                   collect_outcome_release(); -1 otherwise */
	char *config;   /* the config file read (--config, or run --night's default),
	                   owned; NULL if none: run's report reads its options too */
};

/** Frees what out owns. */
void collect_outcome_release(struct collect_outcome *out);

/** Parses and runs collect with cmd ("collect" or "run") in messages;
 * returns an exit status. */
int collect_command(const char *cmd, int argc, char **argv, struct collect_outcome *out);

/** "backscatter ARGV[0] ARGV[1] ..." joined by spaces, for summary.json;
 * malloc'd (caller frees), NULL when out of memory. */
char *cmd_line(int argc, char **argv);

/** Prints "backscatter: " and the printf-formatted message on standard
 * error as one line: control characters a quoted name or value holds
 * become '?'. Every message of the program goes through it. */
void cmd_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Where the option being checked came from, for usage_error(): a config
 * file and its line (file borrowed until cleared), or NULL, 0 for the
 * command line. */
void cmd_set_origin(const char *file, unsigned line);

/** Prints "backscatter: <cmd>: <msg>" (after "FILE:LINE: " when the
 * option came from a config file, cmd_set_origin) and a hint to use --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Parses the value val of option --name (parse_u32()) into *out: 0, or
 * usage_error() naming it when it is no whole number in [min, max]. */
int usage_number(const char *cmd, const char *name, const char *val, uint32_t min, uint32_t max,
                 uint32_t *out);
/** usage_error() for what getopt_long() returned as c ('?' or ':', with
 * opterr 0 and a leading ':' in its option string): the option at
 * argv[optind - 1] is unknown or lacks its value. */
int usage_bad_option(const char *cmd, int c, char *const *argv);

#endif

/* settings.h - a command's options from its command line and its config
 * file (--config FILE, src/conffile.h), through one function per command
 * that checks and stores one option: the same code checks a value typed
 * on the command line and one read from the file, and its usage message
 * names the file and line when the value came from there.
 *
 * The command line wins: an option it gives is not taken from the file
 * (a repeatable one, such as --telescope, is taken from one or the other, never
 * both). Names in the file that another command takes are left to it, so
 * one file serves every command; a name no command takes, a flag with a
 * value other than true or false, an option without its value, or an
 * option that does not repeat given twice is a usage error (exit 2) before
 * anything runs. */
#ifndef SRC_SETTINGS_H
#define SRC_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "src/conffile.h"
#include "src/options.h"

/** Most options one command has: bounds the tables below. */
#define SETTINGS_MAX_OPTS 40

/** Checks and stores one option of the command: key from its table, val
 * its value (NULL for a flag). Returns 0, OPT_PARSED_HELP (--help was
 * printed), or an exit status after usage_error(). */
typedef int (*settings_take_fn)(void *arg, int key, const char *val);

struct settings {
	const char *cmd;              /* command name, for messages */
	const struct opt_spec *specs; /* the command's option table */
	size_t n;                     /* its length, at most SETTINGS_MAX_OPTS */
	const char *shortopts;        /* getopt_long's, starting with ':' */
	const int *repeat_keys;       /* options that may be given more than once (--telescope),
	                                 ending with 0; NULL when none may */
	settings_take_fn take;
	void *arg;
	/* Filled by settings_parse_argv() and settings_read_file(): */
	const char *config;           /* --config FILE, borrowed from argv; NULL if none */
	bool seen[SETTINGS_MAX_OPTS]; /* given on the command line */
	conffile_t *file;             /* the file read, owned: values point into it */
};

/** Runs getopt_long over argv with s->specs, handing each option but
 * --config to s->take; optind is then the first operand. 0,
 * OPT_PARSED_HELP, or an exit status (a message was printed). */
int settings_parse_argv(struct settings *s, int argc, char **argv);

/** Reads the config file path (NULL: s->config, and nothing when that is
 * NULL too) and hands s->take the options of this command the command
 * line did not give. 0, OPT_PARSED_HELP, or EXIT_USAGE after one line
 * naming the file and line (or the file and why it cannot be read). */
int settings_read_file(struct settings *s, const char *path);

/** Frees the file read: values taken from it are gone. */
void settings_release(struct settings *s);

#endif

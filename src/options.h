/* options.h - command-line helpers shared by every subcommand.
 *
 * One table of option specs per command drives both getopt_long and the
 * --help text, so the two cannot drift apart (git's and masscan's
 * table-driven options). Numbers are parsed strictly: no sign, no
 * trailing junk, no overflow (unlike atoi/strtoul(val, NULL, 0)). */
#ifndef SRC_OPTIONS_H
#define SRC_OPTIONS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

struct opt_spec {
	const char *name; /* long option name, without "--" */
	int key;          /* value getopt_long returns */
	const char *arg;  /* argument name for --help, NULL when it takes none */
	const char *help; /* one line */
};

/** What getopt_long returns for --config FILE, in every command's table
 * (OPT_CONFIG_SPEC): above every other key, which are a letter or 256 on. */
#define OPT_CONFIG_KEY 1024
/** The --config FILE row of an option table (src/settings.h reads it). */
#define OPT_CONFIG_SPEC                                                                            \
	{                                                                                          \
		"config", OPT_CONFIG_KEY, "FILE",                                                  \
		    "options from FILE, NAME = VALUE lines (command line wins)"                    \
	}

/** What a command's argument parser returns after printing --help: exit 0.
 * Exit statuses are not negative, so it cannot be mistaken for one. */
#define OPT_PARSED_HELP (-1)

/** Parses a decimal unsigned integer in [min, max]. 0, -BS_EINVAL for
 * anything but digits (sign, junk, empty), -BS_ERANGE outside the range. */
int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/** Fills out[0..n] (n specs plus the zero terminator) for getopt_long. */
void opt_build_long(const struct opt_spec *specs, size_t n, struct option *out);

/** Prints "usage: ..." and one line per option. */
void opt_print_help(FILE *f, const char *usage, const char *about, const struct opt_spec *specs,
                    size_t n);

#endif

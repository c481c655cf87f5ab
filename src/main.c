/* main.c - entry point: dispatches git-style subcommands from a table;
 * and the small helpers every subcommand shares (cmd.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/bs_error.h"
#include "src/cmd.h"
#include "src/options.h"

static const struct cmd {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
	const struct opt_spec *opts; /* its own options (run also takes collect's) */
	const size_t *n_opts;
} cmds[] = {
    {"collect", cmd_collect, "infer DoS attacks from darknet traces into CSV", collect_opts,
     &n_collect_opts},
    {"report", cmd_report, "tables and gnuplot plots from collect output", report_opts,
     &n_report_opts},
    {"merge", cmd_merge, "join shard outputs (collect directories) into one result", merge_opts,
     &n_merge_opts},
    {"run", cmd_run, "collect, then report: the nightly job", run_opts, &n_run_opts},
    {"index", cmd_index, "index.html of an archive of nights: table, last 30 days, plots",
     index_opts, &n_index_opts},
};

/* A config file's name and line while its option is checked (usage_error). */
static const char *origin_file;
static unsigned origin_line;

void cmd_set_origin(const char *file, unsigned line)
{
	origin_file = file;
	origin_line = line;
}

const struct opt_spec *cmd_find_option(const char *name)
{
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		for (size_t k = 0; k < *cmds[i].n_opts; k++)
			if (strcmp(cmds[i].opts[k].name, name) == 0)
				return &cmds[i].opts[k];
	return NULL;
}

char *cmd_line(int argc, char **argv)
{
	size_t n = sizeof PROG;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *s = malloc(n);
	if (s == NULL)
		return NULL;
	char *p = s + strlen(strcpy(s, PROG));
	for (int i = 0; i < argc; i++)
		p += sprintf(p, " %s", argv[i]);
	return s;
}

/* The printf text of fmt and ap in a buffer of its size (caller frees);
 * NULL when out of memory. */
__attribute__((format(printf, 1, 0))) static char *format(const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (text != NULL)
		vsnprintf(text, (size_t)n + 1, fmt, again);
	va_end(again);
	return text;
}

void cmd_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = format(fmt, ap);
	va_end(ap);
	if (text != NULL)
		bs_message_one_line(text);
	fprintf(stderr, "%s: %s\n", PROG, text ? text : bs_strerror(-BS_ENOMEM));
	free(text);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = format(fmt, ap);
	va_end(ap);
	if (origin_file != NULL)
		cmd_say("%s: %s:%u: %s", cmd, origin_file, origin_line,
		        what ? what : bs_strerror(-BS_ENOMEM));
	else
		cmd_say("%s: %s (see '%s %s --help')", cmd, what ? what : bs_strerror(-BS_ENOMEM),
		        PROG, cmd);
	free(what);
	return EXIT_USAGE;
}

int usage_number(const char *cmd, const char *name, const char *val, uint32_t min, uint32_t max,
                 uint32_t *out)
{
	int rc = parse_u32(val, min, max, out);
	if (rc == -BS_EINVAL)
		return usage_error(cmd, "--%s: '%s' is not a whole number", name, val);
	if (rc != 0)
		return usage_error(cmd, "--%s: %s is outside %u..%u", name, val, min, max);
	return 0;
}

int usage_bad_option(const char *cmd, int c, char *const *argv)
{
	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
	return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s <command> [options] ...\n\ncommands:\n", PROG);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f,
	        "\n'%s <command> --help' describes a command; '%s --version' prints the version.\n",
	        PROG, PROG);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PROG, PACKAGE_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	cmd_say("'%s' is not a command (see '%s --help')", argv[1], PROG);
	return EXIT_USAGE;
}

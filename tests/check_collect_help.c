/* check_collect_help.c - the defaults `backscatter collect --help` quotes
 * are the constants that set them: every number on the line of an option
 * with a default, in order, and the default preset's name. A literal
 * left in the help text, or a constant changed without it, fails here.
 * Runs the program named by $BACKSCATTER (make check sets it). */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/collector.h"
#include "telescope/attack.h"

#define HELP_MAX 8192

/* The whole --help text of `backscatter CMD`, in a static buffer. */
static const char *help_of(const char *cmd)
{
	static char text[HELP_MAX];
	const char *bin = getenv("BACKSCATTER");
	ck_assert_msg(bin != NULL, "BACKSCATTER must name the program");
	char command[4096];
	snprintf(command, sizeof command, "'%s' %s --help", bin, cmd);
	FILE *p = popen(command, "r");
	ck_assert_ptr_nonnull(p);
	size_t n = fread(text, 1, sizeof text - 1, p);
	text[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_lt(n, sizeof text - 1);
	return text;
}

/* The help text of option name in help: what follows "--name ARG" on its
 * line, copied into line. */
static const char *option_help(const char *help, const char *name, char *line, size_t len)
{
	char start[64];
	snprintf(start, sizeof start, "\n  --%s ", name);
	const char *p = strstr(help, start);
	ck_assert_msg(p != NULL, "--help has no line for --%s", name);
	p += strlen(start);
	const char *end = strchr(p, '\n');
	ck_assert_ptr_nonnull(end);
	/* Past the argument name and the padding. */
	while (p < end && *p != ' ')
		p++;
	while (p < end && *p == ' ')
		p++;
	ck_assert_uint_lt((size_t)(end - p), len);
	memcpy(line, p, (size_t)(end - p));
	line[end - p] = '\0';
	return line;
}

/* NULL when the numbers written in option name's help are want[0..n), in
 * that order, and no others; else what is wrong, in why. */
static const char *numbers_differ(const char *help, const char *name, const unsigned *want,
                                  size_t n, char *why, size_t len)
{
	char line[256];
	option_help(help, name, line, sizeof line);
	size_t found = 0;
	for (const char *p = line; *p != '\0';) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		char *end;
		unsigned long v = strtoul(p, &end, 10);
		if (found == n) {
			snprintf(why, len, "--%s: \"%s\" has more numbers than its defaults", name,
			         line);
			return why;
		}
		if (v != want[found]) {
			snprintf(why, len, "--%s: \"%s\" says %lu where the constant is %u", name,
			         line, v, want[found]);
			return why;
		}
		found++;
		p = end;
	}
	if (found != n) {
		snprintf(why, len, "--%s: \"%s\" quotes %zu of its %zu defaults", name, line, found,
		         n);
		return why;
	}
	return NULL;
}

#define NUMBERS_DIFFER(help, name, ...)                                                            \
	numbers_differ(help, name, (const unsigned[]){__VA_ARGS__},                                \
	               sizeof((const unsigned[]){__VA_ARGS__}) / sizeof(unsigned), why,            \
	               sizeof why)

#define CHECK_NUMBERS(help, name, ...)                                                             \
	do {                                                                                       \
		const char *w_ = NUMBERS_DIFFER(help, name, __VA_ARGS__);                          \
		ck_assert_msg(w_ == NULL, "%s", w_);                                               \
	} while (0)

static void check_defaults(const char *help)
{
	char why[512];
	CHECK_NUMBERS(help, "flow-timeout", ATTACK_FLOW_TIMEOUT_S);
	CHECK_NUMBERS(help, "min-packets", ATTACK_RSDOS_MIN_PACKETS, ATTACK_MOORE_MIN_PACKETS);
	CHECK_NUMBERS(help, "min-duration", ATTACK_RSDOS_MIN_DURATION_S);
	ck_assert_uint_eq(ATTACK_MOORE_MIN_DURATION_S, ATTACK_RSDOS_MIN_DURATION_S);
	CHECK_NUMBERS(help, "min-ppm", ATTACK_PEAK_WINDOW_S, ATTACK_RSDOS_MIN_PPM,
	              ATTACK_MOORE_MIN_PPM);
	CHECK_NUMBERS(help, "min-dests", ATTACK_MIN_DESTS);
	CHECK_NUMBERS(help, "interval", COLLECTOR_DEFAULT_INTERVAL_S);
	CHECK_NUMBERS(help, "jobs", COLLECTOR_DEFAULT_JOBS_MAX);
	char line[256];
	ck_assert_str_eq(option_help(help, "preset", line, sizeof line),
	                 "threshold preset (default " COLLECTOR_DEFAULT_PRESET ")");
}

START_TEST(collect_help_quotes_the_constants)
{
	check_defaults(help_of("collect"));
}
END_TEST

START_TEST(run_help_quotes_the_constants)
{
	check_defaults(help_of("run"));
}
END_TEST

START_TEST(the_check_can_fail)
{
	/* A stale number, one number short and one too many are found. */
	static const char help[] =
	    "usage: x\n\noptions:\n"
	    "  --flow-timeout SECONDS     gap that ends a flow (default 30)\n"
	    "  --min-packets N            packets (rsdos 25)\n"
	    "  --min-dests N              addresses (default 5 of 10)\n";
	char why[512];
	ck_assert_ptr_nonnull(NUMBERS_DIFFER(help, "flow-timeout", 300u));
	ck_assert_ptr_nonnull(strstr(why, "says 30 where the constant is 300"));
	ck_assert_ptr_null(NUMBERS_DIFFER(help, "flow-timeout", 30u));
	ck_assert_ptr_nonnull(NUMBERS_DIFFER(help, "min-packets", 25u, 100u));
	ck_assert_ptr_nonnull(NUMBERS_DIFFER(help, "min-dests", 5u));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("collect_help");
	TCase *tc = tcase_create("defaults");
	tcase_add_test(tc, collect_help_quotes_the_constants);
	tcase_add_test(tc, run_help_quotes_the_constants);
	tcase_add_test(tc, the_check_can_fail);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

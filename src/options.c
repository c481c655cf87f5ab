/* options.c - strict number parsing and table-driven option help. */
#include "src/options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	*out = 0;
	/* strtoul accepts leading blanks and a sign; we do not. */
	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -BS_EINVAL;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -BS_EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -BS_ERANGE;
	*out = (uint32_t)v;
	return 0;
}

void opt_build_long(const struct opt_spec *specs, size_t n, struct option *out)
{
	for (size_t i = 0; i < n; i++) {
		out[i].name = specs[i].name;
		out[i].has_arg = specs[i].arg ? required_argument : no_argument;
		out[i].flag = NULL;
		out[i].val = specs[i].key;
	}
	memset(&out[n], 0, sizeof out[n]);
}

void opt_print_help(FILE *f, const char *usage, const char *about, const struct opt_spec *specs,
                    size_t n)
{
	fprintf(f, "usage: %s\n\n%s\n\noptions:\n", usage, about);
	for (size_t i = 0; i < n; i++) {
		char left[64];
		snprintf(left, sizeof left, "--%s%s%s", specs[i].name, specs[i].arg ? " " : "",
		         specs[i].arg ? specs[i].arg : "");
		fprintf(f, "  %-26s %s\n", left, specs[i].help);
	}
}

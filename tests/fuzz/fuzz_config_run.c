/* fuzz_config_run.c - what conffile_parse() promises for any bytes:
 *   - it returns 0 or -BS_EINVAL (never crashes, never another code but
 *     -BS_ENOMEM), and on -BS_EINVAL one line that starts "PATH:" and
 *     names a line that exists;
 *   - every entry has a name of [a-z0-9-] not starting with '-', a value
 *     that is NULL or non-empty, free of control characters and of blanks
 *     at either end, and line numbers that rise;
 *   - written back as "NAME = VALUE" lines, the entries parse again to
 *     the same names and values (the syntax says what it means). */
#include "fuzz_config_run.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "src/conffile.h"

#define FUZZ_CONFIG_PATH "fuzz.conf"

static bool good_name(const char *s)
{
	if (s[0] == '\0' || s[0] == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static bool good_value(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return false;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return false;
	return true;
}

/* The entries of c as a config text (caller frees); NULL when out of memory. */
static char *write_back(const conffile_t *c, size_t *len)
{
	size_t n = 1;
	for (size_t i = 0; i < conffile_count(c); i++) {
		const struct conffile_entry *e = conffile_entry_at(c, i);
		n += strlen(e->name) + (e->value ? strlen(e->value) + 3 : 0) + 1;
	}
	char *text = malloc(n), *p = text;
	if (text == NULL)
		return NULL;
	for (size_t i = 0; i < conffile_count(c); i++) {
		const struct conffile_entry *e = conffile_entry_at(c, i);
		p += sprintf(p, "%s%s%s\n", e->name, e->value ? " = " : "",
		             e->value ? e->value : "");
	}
	*len = (size_t)(p - text);
	return text;
}

static const char *check_again(const conffile_t *c)
{
	size_t len;
	char *text = write_back(c, &len);
	if (text == NULL)
		return NULL;
	conffile_t *again;
	struct bs_err err;
	int rc = conffile_parse(FUZZ_CONFIG_PATH, text, len, &again, &err);
	free(text);
	if (rc == -BS_ENOMEM)
		return NULL;
	if (rc != 0)
		return "the entries written back do not parse";
	const char *why = NULL;
	if (conffile_count(again) != conffile_count(c))
		why = "the entries written back parse to another number of entries";
	for (size_t i = 0; why == NULL && i < conffile_count(c); i++) {
		const struct conffile_entry *a = conffile_entry_at(c, i);
		const struct conffile_entry *b = conffile_entry_at(again, i);
		if (strcmp(a->name, b->name) != 0 || (a->value == NULL) != (b->value == NULL) ||
		    (a->value && strcmp(a->value, b->value) != 0))
			why = "an entry written back parses to another name or value";
	}
	conffile_free(again);
	return why;
}

const char *fuzz_run_config(const uint8_t *data, size_t size)
{
	conffile_t *c;
	struct bs_err err;
	int rc = conffile_parse(FUZZ_CONFIG_PATH, (const char *)data, size, &c, &err);
	if (rc == -BS_ENOMEM)
		return NULL;
	if (rc != 0) {
		if (rc != -BS_EINVAL || c != NULL)
			return "failure is not -BS_EINVAL with no config";
		if (strncmp(err.msg, FUZZ_CONFIG_PATH ":", sizeof FUZZ_CONFIG_PATH) != 0)
			return "the message does not start with the file name";
		if (strchr(err.msg, '\n') != NULL)
			return "the message is not one line";
		unsigned line = 0, lines = 1;
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		if (sscanf(err.msg + sizeof FUZZ_CONFIG_PATH, "%u:", &line) != 1 || line == 0 ||
		    line > lines)
			return "the message names no line of the input";
		return NULL;
	}
	const char *why = NULL;
	unsigned last = 0;
	for (size_t i = 0; why == NULL && i < conffile_count(c); i++) {
		const struct conffile_entry *e = conffile_entry_at(c, i);
		if (!good_name(e->name))
			why = "an entry's name is not [a-z0-9-]";
		else if (e->value != NULL && !good_value(e->value))
			why = "an entry's value is empty, padded or holds a control character";
		else if (e->line <= last)
			why = "line numbers do not rise";
		last = e->line;
	}
	if (why == NULL && strcmp(conffile_path(c), FUZZ_CONFIG_PATH) != 0)
		why = "the path is not the one given";
	if (why == NULL)
		why = check_again(c);
	conffile_free(c);
	return why;
}

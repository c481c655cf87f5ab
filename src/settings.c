/* settings.c - the command line, then the config file, into a command's
 * options through its one take function (settings.h). */
#include "src/settings.h"

#include <string.h>

#include "base/bs_error.h"
#include "src/cmd.h"

/* The table index of the option named name (or, name NULL, of key), or -1. */
static int spec_index(const struct settings *s, const char *name, int key)
{
	for (size_t i = 0; i < s->n; i++)
		if (name ? strcmp(s->specs[i].name, name) == 0 : s->specs[i].key == key)
			return (int)i;
	return -1;
}

int settings_parse_argv(struct settings *s, int argc, char **argv)
{
	struct option longopts[SETTINGS_MAX_OPTS + 1];
	opt_build_long(s->specs, s->n, longopts);
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, s->shortopts, longopts, NULL)) != -1) {
		if (c == '?' || c == ':')
			return usage_bad_option(s->cmd, c, argv);
		if (c == OPT_CONFIG_KEY) {
			s->config = optarg;
			continue;
		}
		s->seen[spec_index(s, NULL, c)] = true; /* getopt returns table keys only */
		int rc = s->take(s->arg, c, optarg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The value of a flag line: true (NULL or "true"), false ("false"), or
 * neither (-1). */
static int flag_value(const char *v)
{
	if (v == NULL || strcmp(v, "true") == 0)
		return 1;
	return strcmp(v, "false") == 0 ? 0 : -1;
}

/* Whether key may be given more than once. */
static bool repeatable(const struct settings *s, int key)
{
	for (const int *k = s->repeat_keys; k != NULL && *k != 0; k++)
		if (*k == key)
			return true;
	return false;
}

/* Entry e of the file: checked, and taken unless the command line gave
 * it or it is another command's. first[] holds the line that gave each
 * option. 0, OPT_PARSED_HELP or an exit status. Messages go through
 * usage_error(), which puts the file and line first (cmd_set_origin). */
static int take_entry(struct settings *s, const struct conffile_entry *e, unsigned *first)
{
	if (strcmp(e->name, "config") == 0 || strcmp(e->name, "help") == 0)
		return usage_error(s->cmd, "%s cannot be set in a config file", e->name);
	int k = spec_index(s, e->name, 0);
	if (k < 0) {
		/* Another command's option is that command's to check. */
		if (cmd_find_option(e->name) == NULL)
			return usage_error(s->cmd, "'%s' is not an option of any command", e->name);
		return 0;
	}
	const struct opt_spec *spec = &s->specs[k];
	if (!repeatable(s, spec->key) && first[k] != 0)
		return usage_error(s->cmd, "%s given twice (first on line %u)", e->name, first[k]);
	first[k] = e->line;
	int flag = flag_value(e->value);
	if (spec->arg == NULL && flag < 0)
		return usage_error(s->cmd, "%s is a flag: give it alone, or = true or false",
		                   e->name);
	if (spec->arg != NULL && e->value == NULL)
		return usage_error(s->cmd, "%s needs a value (%s = %s)", e->name, e->name,
		                   spec->arg);
	if (s->seen[k] || (spec->arg == NULL && flag == 0))
		return 0;
	return s->take(s->arg, spec->key, e->value);
}

int settings_read_file(struct settings *s, const char *path)
{
	if (path == NULL)
		path = s->config;
	if (path == NULL)
		return 0;
	struct bs_err err;
	if (conffile_read(path, &s->file, &err) != 0) {
		cmd_say("%s: %s", s->cmd, bs_err_text(&err));
		return EXIT_USAGE;
	}
	unsigned first[SETTINGS_MAX_OPTS] = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < conffile_count(s->file); i++) {
		const struct conffile_entry *e = conffile_entry_at(s->file, i);
		cmd_set_origin(conffile_path(s->file), e->line);
		rc = take_entry(s, e, first);
		cmd_set_origin(NULL, 0);
	}
	return rc;
}

void settings_release(struct settings *s)
{
	conffile_free(s->file);
	s->file = NULL;
}

/* conffile.c - the config file's lines into (name, value, line) entries.
 * The text is copied once and cut in place: entries point into the copy,
 * so a config is two allocations however many lines it has. Every byte
 * is looked at against the length given, never against a terminator the
 * input might lack. */
#include "src/conffile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bs_array.h"

struct conffile {
	char *path;
	char *text; /* the file's bytes, lines cut with NULs */
	struct conffile_entry *entries;
	size_t n, cap;
};

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
}

/* One line, s[0..len) (line end excluded), NUL-terminated at s[len]:
 * nothing (blank or comment) or an entry appended to c. 0, -BS_EINVAL
 * with err, or -BS_ENOMEM. */
static int parse_line(conffile_t *c, char *s, size_t len, unsigned line, struct bs_err *err)
{
	if (len > 0 && s[len - 1] == '\r') /* CR LF line ends */
		s[--len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0' || ((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return bs_err_set(err, -BS_EINVAL, "%s:%u: control character 0x%02x",
			                  c->path, line, (unsigned char)s[i]);
	size_t i = 0;
	while (i < len && is_blank(s[i]))
		i++;
	if (i == len || s[i] == '#')
		return 0;
	size_t name_start = i;
	while (i < len && !is_blank(s[i]) && s[i] != '=')
		i++;
	char *name = s + name_start;
	size_t name_len = i - name_start;
	bool valid = name_len > 0 && name[0] != '-';
	for (size_t k = 0; k < name_len; k++)
		valid = valid && is_name_char(name[k]);
	if (!valid)
		return bs_err_set(err, -BS_EINVAL,
		                  "%s:%u: '%.*s' is not an option name (a-z, 0-9 and '-', "
		                  "without '--')",
		                  c->path, line, (int)name_len, name);
	size_t name_end = i;
	while (i < len && is_blank(s[i]))
		i++;
	char *value = NULL;
	if (i < len) {
		if (s[i] != '=')
			return bs_err_set(err, -BS_EINVAL,
			                  "%s:%u: expected '=' after '%.*s' (NAME = VALUE)",
			                  c->path, line, (int)name_len, name);
		i++;
		while (i < len && is_blank(s[i]))
			i++;
		size_t end = len;
		while (end > i && is_blank(s[end - 1]))
			end--;
		if (end == i)
			return bs_err_set(err, -BS_EINVAL, "%s:%u: '%.*s =' has no value", c->path,
			                  line, (int)name_len, name);
		s[end] = '\0';
		value = s + i;
	}
	s[name_end] = '\0';
	if (bs_array_reserve(&c->entries, &c->cap, c->n + 1, sizeof c->entries[0]) != 0)
		return -BS_ENOMEM;
	c->entries[c->n++] = (struct conffile_entry){.name = name, .value = value, .line = line};
	return 0;
}

int conffile_parse(const char *path, const char *text, size_t len, conffile_t **out,
                   struct bs_err *err)
{
	*out = NULL;
	conffile_t *c = calloc(1, sizeof *c);
	if (c == NULL || (c->path = strdup(path)) == NULL || (c->text = malloc(len + 1)) == NULL) {
		conffile_free(c);
		return bs_err_set(err, -BS_ENOMEM, "%s: %s", path, bs_strerror(-BS_ENOMEM));
	}
	if (len > 0)
		memcpy(c->text, text, len);
	c->text[len] = '\0';
	size_t start = 0;
	unsigned line = 1;
	int rc = 0;
	while (rc == 0 && start < len) {
		const char *nl = memchr(c->text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - c->text) : len;
		if (end - start > CONFFILE_MAX_LINE)
			rc = bs_err_set(err, -BS_EINVAL, "%s:%u: line longer than %u bytes", path,
			                line, CONFFILE_MAX_LINE);
		else {
			c->text[end] = '\0'; /* the '\n', or the terminator added above */
			rc = parse_line(c, c->text + start, end - start, line, err);
		}
		if (rc == -BS_ENOMEM)
			bs_err_set(err, rc, "%s: %s", path, bs_strerror(rc));
		start = end + 1;
		line++;
	}
	if (rc != 0) {
		conffile_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int conffile_read(const char *path, conffile_t **out, struct bs_err *err)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bs_err_io(err, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return bs_err_io(err, e, "%s", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return bs_err_set(err, -BS_EINVAL, "%s: not a regular file", path);
	}
	/* One byte past the limit tells a file that is too large from one
	 * that is exactly at it, whatever st_size said (it may be growing). */
	char *buf = malloc(CONFFILE_MAX_BYTES + 1);
	if (buf == NULL) {
		close(fd);
		return bs_err_set(err, -BS_ENOMEM, "%s: %s", path, bs_strerror(-BS_ENOMEM));
	}
	size_t len = 0;
	int rc = 0;
	while (len <= CONFFILE_MAX_BYTES) {
		ssize_t got = read(fd, buf + len, CONFFILE_MAX_BYTES + 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = bs_err_io(err, errno, "%s", path);
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (rc == 0 && len > CONFFILE_MAX_BYTES)
		rc = bs_err_set(err, -BS_EINVAL, "%s: larger than %u bytes: not a config file",
		                path, CONFFILE_MAX_BYTES);
	if (rc == 0)
		rc = conffile_parse(path, buf, len, out, err);
	free(buf);
	return rc;
}

const char *conffile_path(const conffile_t *c)
{
	return c->path;
}

size_t conffile_count(const conffile_t *c)
{
	return c->n;
}

const struct conffile_entry *conffile_entry_at(const conffile_t *c, size_t i)
{
	return &c->entries[i];
}

void conffile_free(conffile_t *c)
{
	if (c == NULL)
		return;
	free(c->entries);
	free(c->text);
	free(c->path);
	free(c);
}

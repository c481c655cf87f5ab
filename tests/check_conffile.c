/* check_conffile.c - the config file's syntax (src/conffile.h): what
 * each kind of line gives, what each mistake says (file and line), the
 * limits, reading files, and the fuzz contract (tests/fuzz/
 * fuzz_config_run.c) on every seed of tests/fuzz/corpus/config/. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bs_error.h"
#include "src/conffile.h"
#include "tests/fuzz/fuzz_config_run.h"

#define CHECK_PATH_MAX 4096

static conffile_t *parse_ok(const char *text)
{
	conffile_t *c;
	struct bs_err err;
	int rc = conffile_parse("t.conf", text, strlen(text), &c, &err);
	ck_assert_msg(rc == 0, "%s: %s", text, bs_err_text(&err));
	return c;
}

/* The message of parsing text, which must fail. */
static const char *parse_bad(const char *text, size_t len)
{
	static struct bs_err err;
	conffile_t *c = (conffile_t *)1;
	ck_assert_int_eq(conffile_parse("t.conf", text, len, &c, &err), -BS_EINVAL);
	ck_assert_ptr_null(c);
	return err.msg;
}

static void entry_is(const conffile_t *c, size_t i, const char *name, const char *value,
                     unsigned line)
{
	const struct conffile_entry *e = conffile_entry_at(c, i);
	ck_assert_str_eq(e->name, name);
	if (value == NULL)
		ck_assert_ptr_null(e->value);
	else
		ck_assert_str_eq(e->value, value);
	ck_assert_uint_eq(e->line, line);
}

START_TEST(lines_and_entries)
{
	conffile_t *c = parse_ok("# the telescope\n"
	                         "telescope = 44.0.0.0/8\n"
	                         "\n"
	                         "   \t\n"
	                         "  # indented comment\n"
	                         "\ttelescope=2001:db8::/32  \n"
	                         "quiet\n"
	                         "progress = false\n"
	                         "filter = not port 53 # kept: values may hold '#'\n"
	                         "captures = /c/%Y-%m-%d/*.pcap.gz");
	ck_assert_str_eq(conffile_path(c), "t.conf");
	ck_assert_uint_eq(conffile_count(c), 6);
	entry_is(c, 0, "telescope", "44.0.0.0/8", 2);
	entry_is(c, 1, "telescope", "2001:db8::/32", 6);
	entry_is(c, 2, "quiet", NULL, 7);
	entry_is(c, 3, "progress", "false", 8);
	entry_is(c, 4, "filter", "not port 53 # kept: values may hold '#'", 9);
	entry_is(c, 5, "captures", "/c/%Y-%m-%d/*.pcap.gz", 10);
	conffile_free(c);
}
END_TEST

START_TEST(crlf_and_empty)
{
	conffile_t *c = parse_ok("min-ppm = 0\r\nquiet\r\n\r\n# x\r\n");
	ck_assert_uint_eq(conffile_count(c), 2);
	entry_is(c, 0, "min-ppm", "0", 1);
	entry_is(c, 1, "quiet", NULL, 2);
	conffile_free(c);
	c = parse_ok("");
	ck_assert_uint_eq(conffile_count(c), 0);
	conffile_free(c);
	conffile_free(NULL);
}
END_TEST

START_TEST(mistakes_name_file_and_line)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
	    {"quiet\nmin-ppm 30\n", "t.conf:2: expected '=' after 'min-ppm' (NAME = VALUE)"},
	    {"out =\n", "t.conf:1: 'out =' has no value"},
	    {"out =  \t\n", "t.conf:1: 'out =' has no value"},
	    {"#\n--out = x\n", "t.conf:2: '--out' is not an option name (a-z, 0-9 and '-', "
	                       "without '--')"},
	    {"Out = x\n", "t.conf:1: 'Out' is not an option name (a-z, 0-9 and '-', without "
	                  "'--')"},
	    {"min_ppm = 3\n", "t.conf:1: 'min_ppm' is not an option name (a-z, 0-9 and '-', "
	                      "without '--')"},
	    {"= x\n", "t.conf:1: '' is not an option name (a-z, 0-9 and '-', without '--')"},
	    {"\n\nout = a\x01z\n", "t.conf:3: control character 0x01"},
	    {"out = a\rb\n", "t.conf:1: control character 0x0d"},
	    {"out = a\x7f\n", "t.conf:1: control character 0x7f"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_str_eq(parse_bad(bad[i].text, strlen(bad[i].text)), bad[i].msg);
	static const char nul[] = "quiet\nout = a\0b\n";
	ck_assert_str_eq(parse_bad(nul, sizeof nul - 1), "t.conf:2: control character 0x00");
}
END_TEST

START_TEST(line_limit)
{
	size_t len = CONFFILE_MAX_LINE + 1;
	char *text = malloc(len + 1);
	ck_assert_ptr_nonnull(text);
	memset(text, 'a', len);
	memcpy(text, "out = ", 6);
	text[len] = '\0';
	char want[64];
	snprintf(want, sizeof want, "t.conf:1: line longer than %u bytes", CONFFILE_MAX_LINE);
	ck_assert_str_eq(parse_bad(text, len), want);
	/* At the limit it is a line like any other. */
	conffile_t *c;
	struct bs_err err;
	ck_assert_int_eq(conffile_parse("t.conf", text, len - 1, &c, &err), 0);
	ck_assert_uint_eq(strlen(conffile_entry_at(c, 0)->value), CONFFILE_MAX_LINE - 6);
	conffile_free(c);
	free(text);
}
END_TEST

/* A new temporary file holding text, its name in path (a mkstemp template). */
static void temp_file(char *path, const char *text, size_t len)
{
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	if (text != NULL)
		ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	else /* len bytes of NULs: only the size matters */
		ck_assert_int_eq(ftruncate(fd, (off_t)len), 0);
	close(fd);
}

START_TEST(reading_files)
{
	conffile_t *c;
	struct bs_err err;
	ck_assert_int_eq(conffile_read("/nonexistent/backscatter.conf", &c, &err), -BS_EIO);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(err.msg, "/nonexistent/backscatter.conf: No such file or directory");
	ck_assert_int_eq(conffile_read("/tmp", &c, &err), -BS_EINVAL);
	ck_assert_str_eq(err.msg, "/tmp: not a regular file");

	char bad[] = "/tmp/check_conffile.XXXXXX";
	temp_file(bad, "jobs = 2\nbad line\n", 18);
	ck_assert_int_eq(conffile_read(bad, &c, &err), -BS_EINVAL);
	char want[CHECK_PATH_MAX];
	snprintf(want, sizeof want, "%s:2: expected '=' after 'bad' (NAME = VALUE)", bad);
	ck_assert_str_eq(err.msg, want);
	unlink(bad);

	/* One byte over the limit: refused before it is parsed. */
	char big[] = "/tmp/check_conffile.XXXXXX";
	temp_file(big, NULL, CONFFILE_MAX_BYTES + 1);
	ck_assert_int_eq(conffile_read(big, &c, &err), -BS_EINVAL);
	snprintf(want, sizeof want, "%s: larger than %u bytes: not a config file", big,
	         CONFFILE_MAX_BYTES);
	ck_assert_str_eq(err.msg, want);
	unlink(big);
}
END_TEST

START_TEST(fuzz_contract_on_seeds)
{
	const char *top = getenv("TOPSRC");
	ck_assert_msg(top != NULL, "TOPSRC must name the source tree");
	char corpus[CHECK_PATH_MAX];
	snprintf(corpus, sizeof corpus, "%s/tests/fuzz/corpus/config", top);
	DIR *d = opendir(corpus);
	ck_assert_msg(d != NULL, "%s", corpus);
	size_t seeds = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[CHECK_PATH_MAX * 2];
		snprintf(path, sizeof path, "%s/%s", corpus, de->d_name);
		FILE *f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		static uint8_t buf[CONFFILE_MAX_BYTES];
		size_t n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		const char *why = fuzz_run_config(buf, n);
		ck_assert_msg(why == NULL, "%s: %s", de->d_name, why);
		seeds++;
	}
	closedir(d);
	ck_assert_uint_gt(seeds, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conffile");
	TCase *tc = tcase_create("conffile");
	tcase_add_test(tc, lines_and_entries);
	tcase_add_test(tc, crlf_and_empty);
	tcase_add_test(tc, mistakes_name_file_and_line);
	tcase_add_test(tc, line_limit);
	tcase_add_test(tc, reading_files);
	tcase_add_test(tc, fuzz_contract_on_seeds);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

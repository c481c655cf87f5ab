/* check_document.c - tests for the document model and its two writers:
 * the Markdown and the HTML of a small document byte for byte (headings,
 * a paragraph, a table with a gap cell, an image, an empty table), links
 * (a paragraph and a cell, their text escaped as any text), the
 * escaping of every Markdown special and of & < > " ' in HTML, and the
 * errors: a bad heading level or column alignment, and a stream that
 * cannot be written. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/document.h"
#include "base/bs_error.h"

/* What a writer makes of d: md, or HTML titled title; *rc its return. */
static char *written(const document_t *d, const char *title, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	*rc = title == NULL ? document_write_md(d, f) : document_write_html(d, f, title);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* The small document of the byte-exact tests. */
static document_t *small_doc(void)
{
	static const char *const head[] = {"Name", "Count"};
	static const char *const empty_head[] = {"H"};
	document_t *d = document_create();
	ck_assert_ptr_nonnull(d);
	document_heading(d, 1, "Title: %s", "a_b");
	document_para(d, "Some *text* with <tags> & \"quotes\"\nnext");
	document_table_t *t = document_table(d, 2, head, "lr");
	document_cell(t, "%s", "a|b");
	document_cell(t, "%d", 1);
	document_cell(t, DOCUMENT_NODATA);
	document_cell(t, "O'Brien");
	document_image(d, "plots/x.png", "X [1] <&>", 900, 500);
	document_heading(d, 2, "Empty");
	document_table(d, 1, empty_head, "r");
	ck_assert_int_eq(document_error(d), 0);
	return d;
}

START_TEST(markdown_byte_exact)
{
	document_t *d = small_doc();
	int rc;
	char *md = written(d, NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(md, "# Title: a\\_b\n\n"
	                     "Some \\*text\\* with \\<tags\\> & \"quotes\" next\n\n"
	                     "| Name | Count |\n"
	                     "|---|---:|\n"
	                     "| a\\|b | 1 |\n"
	                     "| no data | O'Brien |\n"
	                     "\n"
	                     "![X \\[1\\] \\<&\\>](plots/x.png)\n\n"
	                     "## Empty\n\n"
	                     "| H |\n"
	                     "|---:|\n"
	                     "\n");
	free(md);
	document_free(d);
}
END_TEST

START_TEST(html_byte_exact)
{
	document_t *d = small_doc();
	int rc;
	char *html = written(d, "Report <1> & 'x'", &rc);
	ck_assert_int_eq(rc, 0);
	static const char head[] =
	    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>Report &lt;1&gt; &amp; &#39;x&#39;</title>\n<style>\n";
	ck_assert_int_eq(strncmp(html, head, strlen(head)), 0);
	/* the style sheet is inline and fetches nothing */
	const char *style_end = strstr(html, "</style>\n");
	ck_assert_ptr_nonnull(style_end);
	ck_assert_ptr_null(strstr(html, "url("));
	ck_assert_ptr_null(strstr(html, "@import"));
	ck_assert_ptr_nonnull(strstr(html, "td.nodata{"));
	ck_assert_str_eq(
	    style_end,
	    "</style>\n</head>\n<body>\n"
	    "<h1>Title: a_b</h1>\n"
	    "<p>Some *text* with &lt;tags&gt; &amp; &quot;quotes&quot;\nnext</p>\n"
	    "<table>\n<thead><tr><th>Name</th><th class=\"r\">Count</th></tr></thead>\n"
	    "<tbody>\n"
	    "<tr><td>a|b</td><td class=\"r\">1</td></tr>\n"
	    "<tr><td class=\"nodata\">no data</td><td class=\"r\">O&#39;Brien</td></tr>\n"
	    "</tbody>\n</table>\n"
	    "<figure><img src=\"plots/x.png\" alt=\"X [1] &lt;&amp;&gt;\" width=\"900\" "
	    "height=\"500\"><figcaption>X [1] &lt;&amp;&gt;</figcaption></figure>\n"
	    "<h2>Empty</h2>\n"
	    "<table>\n<thead><tr><th class=\"r\">H</th></tr></thead>\n<tbody>\n"
	    "</tbody>\n</table>\n"
	    "</body>\n</html>\n");
	free(html);
	document_free(d);
}
END_TEST

START_TEST(links_in_both_formats)
{
	static const char *const head[] = {"Night", "Attacks"};
	document_t *d = document_create();
	ck_assert_ptr_nonnull(d);
	document_link_para(d, "last-30-days/report.html", "Last %d days <all>", 30);
	document_table_t *t = document_table(d, 2, head, "lr");
	document_cell_link(t, "2026-11-24/report.html", "%s", "2026-11-24");
	document_cell(t, "%d", 7);
	document_cell(t, "2026-11-23");
	document_cell(t, "%d", 0);
	ck_assert_int_eq(document_error(d), 0);
	int rc;
	char *md = written(d, NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(md, "[Last 30 days \\<all\\>](last-30-days/report.html)\n\n"
	                     "| Night | Attacks |\n|---|---:|\n"
	                     "| [2026-11-24](2026-11-24/report.html) | 7 |\n"
	                     "| 2026-11-23 | 0 |\n\n");
	free(md);
	char *html = written(d, "t", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(html, "<p><a href=\"last-30-days/report.html\">Last 30 days "
	                                   "&lt;all&gt;</a></p>\n"));
	ck_assert_ptr_nonnull(strstr(html,
	                             "<tr><td><a href=\"2026-11-24/report.html\">2026-11-24</a>"
	                             "</td><td class=\"r\">7</td></tr>\n"
	                             "<tr><td>2026-11-23</td><td class=\"r\">0</td></tr>\n"));
	free(html);
	document_free(d);
}
END_TEST

START_TEST(every_special_is_escaped)
{
	static const char *const head[] = {"<h>|#"};
	document_t *d = document_create();
	document_heading(d, 3, "x<y>");
	document_table_t *t = document_table(d, 1, head, "l");
	document_cell(t, "%s", "\\`*_[]<>|#\r\"'&");
	int rc;
	char *md = written(d, NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(md, "### x\\<y\\>\n\n"
	                     "| \\<h\\>\\|\\# |\n|---|\n"
	                     "| \\\\\\`\\*\\_\\[\\]\\<\\>\\|\\# \"'& |\n\n");
	free(md);
	char *html = written(d, "t", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(html, "<h3>x&lt;y&gt;</h3>\n"));
	ck_assert_ptr_nonnull(strstr(html, "<th>&lt;h&gt;|#</th>"));
	ck_assert_ptr_nonnull(strstr(html, "<td>\\`*_[]&lt;&gt;|#\r&quot;&#39;&amp;</td>"));
	free(html);
	document_free(d);
}
END_TEST

START_TEST(bad_heading_level)
{
	document_t *d = document_create();
	document_heading(d, 0, "too high");
	ck_assert_int_eq(document_error(d), -BS_EINVAL);
	document_para(d, "ignored after the error");
	int rc;
	char *md = written(d, NULL, &rc);
	ck_assert_int_eq(rc, -BS_EINVAL);
	ck_assert_str_eq(md, "");
	free(md);
	char *html = written(d, "t", &rc);
	ck_assert_int_eq(rc, -BS_EINVAL);
	ck_assert_str_eq(html, "");
	free(html);
	document_free(d);

	d = document_create();
	document_heading(d, DOCUMENT_MAX_LEVEL + 1, "too deep");
	ck_assert_int_eq(document_error(d), -BS_EINVAL);
	document_free(d);
}
END_TEST

START_TEST(bad_alignment)
{
	static const char *const head[] = {"a", "b"};
	document_t *d = document_create();
	ck_assert_ptr_null(document_table(d, 2, head, "l"));
	ck_assert_int_eq(document_error(d), -BS_EINVAL);
	document_cell(NULL, "nothing happens");
	document_free(d);

	d = document_create();
	ck_assert_ptr_null(document_table(d, 2, head, "lx"));
	ck_assert_int_eq(document_error(d), -BS_EINVAL);
	document_free(d);
	document_free(NULL);
}
END_TEST

START_TEST(unwritable_stream)
{
	document_t *d = small_doc();
	FILE *f = fopen("/dev/null", "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(document_write_md(d, f), -BS_EIO);
	clearerr(f);
	ck_assert_int_eq(document_write_html(d, f, "t"), -BS_EIO);
	fclose(f);
	document_free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("document");
	TCase *w = tcase_create("writers");
	tcase_add_test(w, markdown_byte_exact);
	tcase_add_test(w, html_byte_exact);
	tcase_add_test(w, links_in_both_formats);
	tcase_add_test(w, every_special_is_escaped);
	suite_add_tcase(s, w);
	TCase *e = tcase_create("errors");
	tcase_add_test(e, bad_heading_level);
	tcase_add_test(e, bad_alignment);
	tcase_add_test(e, unwritable_stream);
	suite_add_tcase(s, e);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* document.c - the document model and its Markdown and HTML writers.
 *
 * A document is a list of blocks; a table block owns its cells, kept
 * row-major as formatted text. Both writers walk the same list. */
#include "analysis/document.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_error.h"

enum block_kind { BLOCK_HEADING, BLOCK_PARA, BLOCK_TABLE, BLOCK_IMAGE };

struct document_table {
	document_t *doc; /* where an error goes */
	size_t ncols;
	const char *const *head; /* borrowed */
	const char *align;       /* borrowed; one 'l' or 'r' per column */
	char **cells;            /* row-major, owned */
	char **links;            /* per cell: NULL or the URL it links to, owned */
	size_t n, cap, links_cap;
};

struct block {
	enum block_kind kind;
	int level;         /* heading level */
	char *text;        /* heading or paragraph text; image source */
	char *alt;         /* image caption */
	char *href;        /* paragraph: the URL the whole text links to, or NULL */
	int width, height; /* image size, pixels */
	struct document_table *t;
};

struct document {
	struct block *b;
	size_t n, cap;
	int rc; /* first error; every later addition does nothing */
};

document_t *document_create(void)
{
	return calloc(1, sizeof(document_t));
}

void document_free(document_t *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct block *b = &d->b[i];
		free(b->text);
		free(b->alt);
		free(b->href);
		if (b->t != NULL) {
			for (size_t c = 0; c < b->t->n; c++) {
				free(b->t->cells[c]);
				free(b->t->links[c]);
			}
			free(b->t->cells);
			free(b->t->links);
			free(b->t);
		}
	}
	free(d->b);
	free(d);
}

int document_error(const document_t *d)
{
	return d->rc;
}

__attribute__((format(printf, 1, 0))) static char *vformat(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s != NULL)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

/* A new zeroed block at the end, or NULL (the error kept in d). */
static struct block *add_block(document_t *d, enum block_kind kind)
{
	if (d->rc != 0)
		return NULL;
	if (bs_array_reserve(&d->b, &d->cap, d->n + 1, sizeof *d->b) != 0) {
		d->rc = -BS_ENOMEM;
		return NULL;
	}
	struct block *b = &d->b[d->n++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	return b;
}

/* A heading or paragraph block of formatted text; NULL after an error. */
__attribute__((format(printf, 4, 0))) static struct block *
add_text(document_t *d, enum block_kind kind, int level, const char *fmt, va_list ap)
{
	struct block *b = add_block(d, kind);
	if (b == NULL)
		return NULL;
	b->level = level;
	b->text = vformat(fmt, ap);
	if (b->text == NULL)
		d->rc = -BS_ENOMEM;
	return b->text != NULL ? b : NULL;
}

void document_heading(document_t *d, int level, const char *fmt, ...)
{
	if (level < 1 || level > DOCUMENT_MAX_LEVEL) {
		if (d->rc == 0)
			d->rc = -BS_EINVAL;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	add_text(d, BLOCK_HEADING, level, fmt, ap);
	va_end(ap);
}

void document_para(document_t *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_text(d, BLOCK_PARA, 0, fmt, ap);
	va_end(ap);
}

void document_link_para(document_t *d, const char *href, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct block *b = add_text(d, BLOCK_PARA, 0, fmt, ap);
	va_end(ap);
	if (b != NULL && (b->href = strdup(href)) == NULL)
		d->rc = -BS_ENOMEM;
}

void document_image(document_t *d, const char *src, const char *alt, int width, int height)
{
	struct block *b = add_block(d, BLOCK_IMAGE);
	if (b == NULL)
		return;
	b->text = strdup(src);
	b->alt = strdup(alt);
	b->width = width;
	b->height = height;
	if (b->text == NULL || b->alt == NULL)
		d->rc = -BS_ENOMEM;
}

/* True when align has one 'l' or 'r' for each of ncols columns. */
static bool align_ok(const char *align, size_t ncols)
{
	return strlen(align) == ncols && strspn(align, "lr") == ncols;
}

document_table_t *document_table(document_t *d, size_t ncols, const char *const *head,
                                 const char *align)
{
	if (ncols == 0 || !align_ok(align, ncols)) {
		if (d->rc == 0)
			d->rc = -BS_EINVAL;
		return NULL;
	}
	struct block *b = add_block(d, BLOCK_TABLE);
	if (b == NULL)
		return NULL;
	b->t = calloc(1, sizeof *b->t);
	if (b->t == NULL) {
		d->rc = -BS_ENOMEM;
		return NULL;
	}
	b->t->doc = d;
	b->t->ncols = ncols;
	b->t->head = head;
	b->t->align = align;
	return b->t;
}

/* Appends a cell of formatted text linking to href (NULL: no link). */
__attribute__((format(printf, 3, 0))) static void add_cell(document_table_t *t, const char *href,
                                                           const char *fmt, va_list ap)
{
	if (t == NULL || t->doc->rc != 0)
		return;
	if (bs_array_reserve(&t->cells, &t->cap, t->n + 1, sizeof *t->cells) != 0 ||
	    bs_array_reserve(&t->links, &t->links_cap, t->n + 1, sizeof *t->links) != 0) {
		t->doc->rc = -BS_ENOMEM;
		return;
	}
	t->cells[t->n] = vformat(fmt, ap);
	t->links[t->n] = href != NULL ? strdup(href) : NULL;
	if (t->cells[t->n] == NULL || (href != NULL && t->links[t->n] == NULL)) {
		free(t->cells[t->n]);
		free(t->links[t->n]);
		t->doc->rc = -BS_ENOMEM;
		return;
	}
	t->n++;
}

void document_cell(document_table_t *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_cell(t, NULL, fmt, ap);
	va_end(ap);
}

void document_cell_link(document_table_t *t, const char *href, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add_cell(t, href, fmt, ap);
	va_end(ap);
}

/* ---- Markdown ---- */

/* Markdown text: backslash before every character Markdown could take as
 * markup (paths and AS names contain '_', '*', '|', '<'), and no line
 * breaks inside a cell or paragraph. */
static void md_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (strchr("\\`*_[]<>|#", *s) != NULL)
			fputc('\\', f);
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
	}
}

/* Markdown text, as a link to href when there is one. */
static void md_linked(FILE *f, const char *s, const char *href)
{
	if (href != NULL)
		fputc('[', f);
	md_text(f, s);
	if (href != NULL)
		fprintf(f, "](%s)", href);
}

static void md_table(FILE *f, const struct document_table *t)
{
	for (size_t c = 0; c < t->ncols; c++) {
		fputs("| ", f);
		md_text(f, t->head[c]);
		fputc(' ', f);
	}
	fputs("|\n", f);
	for (size_t c = 0; c < t->ncols; c++)
		fputs(t->align[c] == 'r' ? "|---:" : "|---", f);
	fputs("|\n", f);
	for (size_t c = 0; c < t->n; c++) {
		fputs("| ", f);
		md_linked(f, t->cells[c], t->links[c]);
		fputs(c % t->ncols == t->ncols - 1 ? " |\n" : " ", f);
	}
	fputc('\n', f);
}

int document_write_md(const document_t *d, FILE *f)
{
	if (d->rc != 0)
		return d->rc;
	for (size_t i = 0; i < d->n; i++) {
		const struct block *b = &d->b[i];
		switch (b->kind) {
		case BLOCK_HEADING:
			fprintf(f, "%.*s ", b->level, "####");
			md_text(f, b->text);
			fputs("\n\n", f);
			break;
		case BLOCK_PARA:
			md_linked(f, b->text, b->href);
			fputs("\n\n", f);
			break;
		case BLOCK_IMAGE:
			fputs("![", f);
			md_text(f, b->alt);
			fprintf(f, "](%s)\n\n", b->text);
			break;
		case BLOCK_TABLE:
			md_table(f, b->t);
			break;
		}
	}
	return ferror(f) ? -BS_EIO : 0;
}

/* ---- HTML ---- */

static void html_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* Inline style only: the page must read well offline, with no fetches. */
static const char html_style[] =
    "body{font-family:\"DejaVu Sans\",\"Segoe UI\",Helvetica,Arial,sans-serif;max-width:70em;"
    "margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
    "h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}\n"
    "table{border-collapse:collapse;margin:.8em 0;font-size:.92em}\n"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#f3f3f3}.r{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.nodata{color:#888;font-style:italic}\n"
    "figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}\n"
    "figcaption{font-size:.9em;color:#555}\n";

/* HTML text, as a link to href when there is one. */
static void html_linked(FILE *f, const char *s, const char *href)
{
	if (href != NULL) {
		fputs("<a href=\"", f);
		html_text(f, href);
		fputs("\">", f);
	}
	html_text(f, s);
	if (href != NULL)
		fputs("</a>", f);
}

static void html_table(FILE *f, const struct document_table *t)
{
	fputs("<table>\n<thead><tr>", f);
	for (size_t c = 0; c < t->ncols; c++) {
		fputs(t->align[c] == 'r' ? "<th class=\"r\">" : "<th>", f);
		html_text(f, t->head[c]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t c = 0; c < t->n; c++) {
		const char *cls = strcmp(t->cells[c], DOCUMENT_NODATA) == 0 ? "nodata"
		                  : t->align[c % t->ncols] == 'r'           ? "r"
		                                                            : NULL;
		if (c % t->ncols == 0)
			fputs("<tr>", f);
		if (cls != NULL)
			fprintf(f, "<td class=\"%s\">", cls);
		else
			fputs("<td>", f);
		html_linked(f, t->cells[c], t->links[c]);
		fputs("</td>", f);
		if (c % t->ncols == t->ncols - 1)
			fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

int document_write_html(const document_t *d, FILE *f, const char *title)
{
	if (d->rc != 0)
		return d->rc;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	html_text(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", html_style);
	for (size_t i = 0; i < d->n; i++) {
		const struct block *b = &d->b[i];
		switch (b->kind) {
		case BLOCK_HEADING:
			fprintf(f, "<h%d>", b->level);
			html_text(f, b->text);
			fprintf(f, "</h%d>\n", b->level);
			break;
		case BLOCK_PARA:
			fputs("<p>", f);
			html_linked(f, b->text, b->href);
			fputs("</p>\n", f);
			break;
		case BLOCK_IMAGE:
			fputs("<figure><img src=\"", f);
			html_text(f, b->text);
			fputs("\" alt=\"", f);
			html_text(f, b->alt);
			fprintf(f, "\" width=\"%d\" height=\"%d\"><figcaption>", b->width,
			        b->height);
			html_text(f, b->alt);
			fputs("</figcaption></figure>\n", f);
			break;
		case BLOCK_TABLE:
			html_table(f, b->t);
			break;
		}
	}
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -BS_EIO : 0;
}

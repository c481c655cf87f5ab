/* document.h - a small document (headings, paragraphs, tables, images)
 * written as Markdown and as a self-contained HTML page.
 *
 * The report is built once into this model and written in both formats,
 * so report.md and report.html cannot disagree: every block and cell is
 * kept as plain text, and the two writers differ only in markup and
 * escaping (Markdown: a backslash before each character it could take as
 * markup, no line breaks inside a block; HTML: & < > " ' as entities).
 * The HTML page carries its style inline and fetches nothing, so it reads
 * the same offline, copied or served as a directory, with no JavaScript.
 *
 * Adding never fails loudly: the first failed allocation is kept, later
 * additions do nothing, and the writers return that error instead of
 * writing a document with holes (so building code reads top-down, without
 * a check after each cell). */
#ifndef ANALYSIS_DOCUMENT_H
#define ANALYSIS_DOCUMENT_H

#include <stddef.h>
#include <stdio.h>

/** Text of a cell with no data (a period no input covers: a gap, not a
 * zero; issue 3). A cell reading exactly this is greyed out in HTML. */
#define DOCUMENT_NODATA "no data"
/** Deepest heading level. */
#define DOCUMENT_MAX_LEVEL 4

typedef struct document document_t;
typedef struct document_table document_table_t;

/** An empty document; NULL when out of memory. */
document_t *document_create(void);

/** Frees d and everything added to it. Safe on NULL. */
void document_free(document_t *d);

/** 0, or the first error of an addition: -BS_ENOMEM, or -BS_EINVAL for a
 * heading level outside 1..DOCUMENT_MAX_LEVEL or a table whose align does
 * not have one letter per column. */
int document_error(const document_t *d);

/** A heading of level 1..DOCUMENT_MAX_LEVEL, printf-formatted. */
void document_heading(document_t *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** A paragraph, printf-formatted. */
void document_para(document_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** A paragraph, printf-formatted, whose whole text links to href (a
 * relative URL, written as is in Markdown and escaped in HTML; copied). */
void document_link_para(document_t *d, const char *href, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** An image: src (a relative URL, written as is in Markdown and escaped in
 * HTML), alt also its caption, width and height in pixels (HTML only, so
 * the page reserves the space before the image loads). Copied. */
void document_image(document_t *d, const char *src, const char *alt, int width, int height);

/** A table of ncols columns: head holds ncols header texts and align one
 * 'l' (left) or 'r' (right, numbers) per column; both are borrowed and
 * must outlive d (static strings). Rows are filled with document_cell().
 * Returns the table, or NULL after an error (document_cell() then does
 * nothing). */
document_table_t *document_table(document_t *d, size_t ncols, const char *const *head,
                                 const char *align);

/** Appends one cell, printf-formatted, to t: rows fill left to right, and
 * each row must get its ncols cells. t NULL does nothing. */
void document_cell(document_table_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** As document_cell(), the cell's text linking to href (a relative URL,
 * as document_link_para() takes it; copied). */
void document_cell_link(document_table_t *t, const char *href, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Writes d as Markdown to f. 0; the document's error without writing;
 * or -BS_EIO (errno from the failed write) when f has an error after. */
int document_write_md(const document_t *d, FILE *f);

/** Writes d as one HTML page titled title (escaped) to f. Returns as
 * document_write_md(). */
int document_write_html(const document_t *d, FILE *f, const char *title);

#endif

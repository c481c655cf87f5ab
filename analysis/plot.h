/* plot.h - make one PNG by running gnuplot on a template.
 *
 * House rule: C never builds gnuplot program text. The figure is drawn by
 * a template (plots/NAME.gp) that reads TSV data; the program passes only
 * variable assignments (name='string' or name=integer, collected in a
 * plot_vars_t), so no value can become a command, whatever it holds: a
 * single quote is doubled inside single quotes, gnuplot's only escape
 * there. gnuplot 5.4 cannot read every such string: one that starts with
 * a quote or holds two quotes in a row ('a''''b') is a syntax error, so
 * that figure fails (a message, never a command run; check_plot).
 *
 * gnuplot runs as a child process without a shell (no word splitting, no
 * second quoting layer), with -d so no user init file changes the figure,
 * stdin from /dev/null, and its output kept to report its last line when
 * it fails. The program is looked up in PATH when it runs, not when the
 * program was built, so a gnuplot installed later is found and a missing
 * one is a message, not a crash (tests take it away through PATH).
 *
 * The PNG is written under a temporary name in its own directory and
 * renamed when gnuplot succeeded and wrote something, as every other
 * output file is (outdir/outfile.h): a failed figure never leaves a half
 * image, and an earlier PNG stays whole until the new one replaces it. */
#ifndef ANALYSIS_PLOT_H
#define ANALYSIS_PLOT_H

#include "base/bs_error.h"

/** Name of the variable holding the file gnuplot must write (the
 * temporary PNG): plot_make() sets it, the template does `set output`. */
#define PLOT_OUTFILE_VAR "outfile"

typedef struct plot_vars plot_vars_t;

/** No assignments yet; NULL when out of memory. */
plot_vars_t *plot_vars_create(void);

/** Safe on NULL. */
void plot_vars_free(plot_vars_t *v);

/** Appends name='value' (value quoted for gnuplot; copied). */
void plot_vars_string(plot_vars_t *v, const char *name, const char *value);

/** Appends name=value. */
void plot_vars_int(plot_vars_t *v, const char *name, long long value);

/** 0, or the first error of an assignment: -BS_ENOMEM, or -BS_EINVAL for a
 * name that is not a gnuplot identifier ([A-Za-z_][A-Za-z0-9_]*) or a
 * string value with a line break (gnuplot would end the assignment
 * there). Later assignments after an error do nothing. */
int plot_vars_error(const plot_vars_t *v);

/** Runs `program -d -e VARS template_path`, VARS being v's assignments
 * followed by PLOT_OUTFILE_VAR='a temporary file next to png_path', and
 * renames that file to png_path (mode OUTFILE_MODE) when gnuplot exits 0
 * having written something. program is a name looked up in PATH, or a
 * path. All arguments are borrowed. Returns 0, or with err set (one
 * line; NAME.gp is the template's file name):
 *  -BS_ENOTFOUND  program cannot be found or run: "cannot run PROGRAM: reason"
 *  -BS_EIO        "gnuplot failed on NAME.gp: " and gnuplot's last line of
 *                 output (or why it stopped), "gnuplot wrote no image for
 *                 NAME.gp", or a file that cannot be made or renamed
 *                 ("PATH: reason", sys_errno set)
 *  -BS_ENOMEM, or v's error.
 * On error no file is left at png_path's temporary name and an existing
 * png_path is unchanged. */
int plot_make(const char *program, const char *template_path, const plot_vars_t *v,
              const char *png_path, struct bs_err *err);

#endif

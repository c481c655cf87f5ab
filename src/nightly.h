/* nightly.h - what `backscatter run --night DATE` works out before it
 * collects (issue 13): which UTC day the night is, which capture files
 * are its own (a layout such as "/captures/%Y-%m-%d/" followed by
 * "*.pcap.gz": strftime fields for the day, then a glob(3) pattern),
 * whether they are all there
 * and finished, and whether the night was done already.
 *
 * A night whose captures are not complete yet must not be reported as
 * final: the caller exits EXIT_TEMPFAIL and the timer's service tries
 * again later (systemd/backscatter-nightly.service). None of this prints;
 * the command layer says what these functions found. */
#ifndef SRC_NIGHTLY_H
#define SRC_NIGHTLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/bs_error.h"

/** A capture file modified less than this many seconds ago may still be
 * written (default of --settle). Capture writers (tcpdump -w -G, dumpcap
 * -b duration) close a rotated file at the end of its interval and write
 * it through a stdio buffer of a few KiB until then; a telescope that
 * receives at least one packet every few seconds fills that buffer well
 * within ten minutes, so a file untouched for ten minutes is finished.
 * The timer starts the run after the day's last file has had that long
 * (OnCalendar 00:30 UTC). */
#define NIGHT_SETTLE_S 600u

/** Length of a night's name, "2026-11-24" (UTC date), without the NUL. */
#define NIGHT_DATE_LEN 10u

/** The night s names: "yesterday" (the UTC day before now) or a UTC date
 * YYYY-MM-DD. *day_us: its 00:00:00 UTC, microseconds since the epoch.
 * 0, or -BS_EINVAL (*day_us 0). */
int night_parse(const char *s, time_t now, uint64_t *day_us);

/** The night's name "YYYY-MM-DD" into buf (at least NIGHT_DATE_LEN + 1
 * bytes). 0, or -BS_ERANGE for a day past year 9999. */
int night_date(uint64_t day_us, char *buf, size_t len);

/** The capture files of the night day_us: layout's strftime fields filled
 * with the day's UTC date, then expanded by glob(3), sorted. *paths (n of
 * them, NULL when none; free with night_captures_free()) and the expanded
 * pattern in pattern[len]. A directory of the pattern that does not exist
 * yet is no file, not an error. 0, -BS_EINVAL when the layout names the
 * same files for every day (no date field) or does not fit, -BS_EIO when
 * a directory cannot be read, -BS_ENOMEM; err says which. */
int night_captures(const char *layout, uint64_t day_us, char *pattern, size_t len, char ***paths,
                   size_t *n, struct bs_err *err);

/** Frees what night_captures() returned. */
void night_captures_free(char **paths, size_t n);

/** Whether the n capture files are the complete night: at least one, at
 * least expect of them (0: any number), and none modified less than
 * settle_s seconds before now. *ready false and why saying what is
 * missing when not (why may be NULL). 0, or -BS_EIO when a file cannot be
 * looked at (err names it). */
int night_ready(char *const *paths, size_t n, uint32_t expect, uint32_t settle_s, time_t now,
                bool *ready, struct bs_err *why);

/** Whether dir holds a finished night: a summary.json that reads and says
 * the run was complete (a night written with warnings is done again). */
bool night_done(const char *dir);

/** The lock file in the out-root that a nightly run holds while it writes
 * (flock(2), exclusive). */
#define NIGHT_LOCK_NAME ".backscatter.lock"

/** Takes the lock of out_root without waiting: the timer's run and one
 * started by hand for the same night must not both write the night (or
 * the archive's index, which every night updates). out_root is made
 * when missing, and the lock file in it; its path goes to path[len].
 * 0 with *fd the descriptor that holds the lock (closed on exec; give it
 * to night_unlock()); -BS_EBUSY when another process holds it; -BS_EIO
 * (err names the file and the reason), -BS_EINVAL (path too long). *fd
 * is -1 on failure. */
int night_lock(const char *out_root, char *path, size_t len, int *fd, struct bs_err *err);

/** Releases a lock night_lock() took. Safe on -1. */
void night_unlock(int fd);

#endif

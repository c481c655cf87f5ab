/* bs_time.h - time units and the UTC time text of every output file.
 *
 * Packet times are microseconds since the Unix epoch everywhere in the
 * program. Times in the output files are UTC ISO 8601 with exactly six
 * fractional digits, so they sort as text and parse back exactly
 * (bs_parse_time, used when `merge` and `report` read a directory back). */
#ifndef BASE_BS_TIME_H
#define BASE_BS_TIME_H

#include <stddef.h>
#include <stdint.h>

/** Microseconds per second: packet times are microseconds since the epoch. */
#define BS_US_PER_S 1000000ull
/** Seconds per UTC day (POSIX time has no leap seconds). */
#define BS_S_PER_DAY 86400u
/** Microseconds per hour and per UTC day. */
#define BS_US_PER_HOUR (3600ull * BS_US_PER_S)
#define BS_US_PER_DAY  ((uint64_t)BS_S_PER_DAY * BS_US_PER_S)
/** Size of a time text buffer: "2026-11-24T03:00:05.123456Z" plus NUL. */
#define BS_TIME_STRLEN 28
/** Last representable instant, 9999-12-31T23:59:59.999999Z, in microseconds
 * since the Unix epoch: ISO 8601's four-digit year ends there, and a wider
 * year would break fixed-width sorting of the text. */
#define BS_TIME_MAX_US 253402300799999999ull

/** Formats us (microseconds since the Unix epoch) as UTC ISO 8601 with
 * microseconds, "2026-11-24T03:00:05.123456Z", into buf. Exact: the
 * fraction is us % 10^6, never rounded, so it never carries into seconds.
 * Years past 9999 are rejected, not clamped, because a clamped time would be
 * a wrong time. 0, -BS_EINVAL when len < BS_TIME_STRLEN, -BS_ERANGE when
 * us > BS_TIME_MAX_US (or does not fit the platform's time_t); buf is ""
 * on error when len > 0. */
int bs_format_time(uint64_t us, char *buf, size_t len);

/** Parses the text bs_format_time() writes: "YYYY-MM-DDTHH:MM:SS" followed
 * by an optional '.' and 1 to 6 fraction digits, then 'Z'. Nothing else is
 * accepted (no offsets, no spaces, no leap second 60), so a malformed cell
 * is an error rather than a silently wrong time. *us receives microseconds
 * since the epoch. 0, -BS_EINVAL for bad syntax or an impossible date
 * (Feb 30), -BS_ERANGE for a time before 1970; *us = 0 on error. */
int bs_parse_time(const char *s, uint64_t *us);

#endif

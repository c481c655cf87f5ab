/* bs_time.c - UTC time text (see bs_time.h).
 *
 * Formatting uses gmtime_r (the C library's calendar); parsing uses the
 * closed-form days-from-civil arithmetic instead of timegm(), which is not
 * in C11 or POSIX. Two independent implementations let the round-trip test
 * check one against the other. */
#include "base/bs_time.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "base/bs_error.h"

/* Longest fraction bs_parse_time accepts: microseconds. */
#define TIME_FRAC_DIGITS 6

int bs_format_time(uint64_t us, char *buf, size_t len)
{
	if (len > 0)
		buf[0] = '\0';
	if (len < BS_TIME_STRLEN)
		return -BS_EINVAL;
	if (us > BS_TIME_MAX_US)
		return -BS_ERANGE;
	time_t secs = (time_t)(us / BS_US_PER_S);
	if ((uint64_t)secs != us / BS_US_PER_S) /* a 32-bit time_t ends in 2038 */
		return -BS_ERANGE;
	struct tm tm;
	if (gmtime_r(&secs, &tm) == NULL)
		return -BS_ERANGE;
	int n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900,
	                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	                 (unsigned)(us % BS_US_PER_S));
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -BS_ERANGE;
	}
	return 0;
}

/* Reads exactly n decimal digits at *p, advancing it. -1 on a non-digit. */
static int read_digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	return v;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, y >= 0): H. Hinnant's
 * days_from_civil, with March as the first month so Feb 29 ends the year. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = y / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int bs_parse_time(const char *s, uint64_t *us)
{
	*us = 0;
	const char *p = s;
	int year = read_digits(&p, 4);
	int mon = (year < 0 || expect(&p, '-')) ? -1 : read_digits(&p, 2);
	int day = (mon < 0 || expect(&p, '-')) ? -1 : read_digits(&p, 2);
	int hour = (day < 0 || expect(&p, 'T')) ? -1 : read_digits(&p, 2);
	int min = (hour < 0 || expect(&p, ':')) ? -1 : read_digits(&p, 2);
	int sec = (min < 0 || expect(&p, ':')) ? -1 : read_digits(&p, 2);
	if (sec < 0)
		return -BS_EINVAL;
	uint64_t frac = 0;
	if (*p == '.') {
		p++;
		int digits = 0;
		while (*p >= '0' && *p <= '9' && digits < TIME_FRAC_DIGITS) {
			frac = frac * 10 + (uint64_t)(*p - '0');
			p++;
			digits++;
		}
		if (digits == 0)
			return -BS_EINVAL;
		for (; digits < TIME_FRAC_DIGITS; digits++)
			frac *= 10;
	}
	if (expect(&p, 'Z') || *p != '\0')
		return -BS_EINVAL;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
	    min > 59 || sec > 59)
		return -BS_EINVAL;
	if (year < 1970)
		return -BS_ERANGE;
	int64_t days = days_from_civil(year, mon, day);
	uint64_t secs = (uint64_t)days * BS_S_PER_DAY + (uint64_t)(hour * 3600 + min * 60 + sec);
	*us = secs * BS_US_PER_S + frac;
	return 0;
}

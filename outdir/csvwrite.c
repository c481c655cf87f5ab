/* csvwrite.c - RFC 4180 field writing and number text (see csvwrite.h). */
#include "outdir/csvwrite.h"

#include <math.h>
#include <string.h>

#include "base/bs_error.h"

/* Most digits after the point csvwrite_fmt_double allows: 17 significant digits
 * round-trip any double (DBL_DECIMAL_DIG), more only adds noise. */
#define CSVWRITE_MAX_DECIMALS 17

static int put_or_eio(int rc)
{
	return rc == EOF ? -BS_EIO : 0;
}

int csvwrite_write_field(FILE *f, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return 0;
	if (strpbrk(s, ",\"\r\n") == NULL)
		return put_or_eio(fputs(s, f));
	if (putc('"', f) == EOF)
		return -BS_EIO;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == '"' && putc('"', f) == EOF)
			return -BS_EIO;
		if (putc(*p, f) == EOF)
			return -BS_EIO;
	}
	return put_or_eio(putc('"', f));
}

int csvwrite_write_row(FILE *f, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && putc(',', f) == EOF)
			return -BS_EIO;
		int rc = csvwrite_write_field(f, fields[i]);
		if (rc < 0)
			return rc;
	}
	return put_or_eio(putc('\n', f));
}

/* snprintf result to a return code; clears buf when the text did not fit. */
static int fitted(int n, char *buf, size_t len)
{
	if (n >= 0 && (size_t)n < len)
		return 0;
	if (len > 0)
		buf[0] = '\0';
	return -BS_ERANGE;
}

int csvwrite_fmt_u64(char *buf, size_t len, uint64_t v)
{
	return fitted(snprintf(buf, len, "%llu", (unsigned long long)v), buf, len);
}

int csvwrite_fmt_double(char *buf, size_t len, int decimals, double v)
{
	if (decimals < 0 || decimals > CSVWRITE_MAX_DECIMALS) {
		if (len > 0)
			buf[0] = '\0';
		return -BS_EINVAL;
	}
	if (!isfinite(v)) {
		if (len == 0)
			return -BS_ERANGE;
		buf[0] = '\0';
		return 0;
	}
	return fitted(snprintf(buf, len, "%.*f", decimals, v), buf, len);
}

/* bs_error.c - text for the BS_E* codes, and keeping messages one line. */
#include "base/bs_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *bs_strerror(int code)
{
	static const char *const text[BS_ERROR_COUNT] = {
	    [BS_OK] = "success",
	    [BS_ENOMEM] = "out of memory",
	    [BS_EINVAL] = "invalid argument",
	    [BS_ERANGE] = "value out of range",
	    [BS_ETRUNC] = "truncated",
	    [BS_EMALFORMED] = "malformed",
	    [BS_EIO] = "input/output error",
	    [BS_EFORMAT] = "unrecognised format",
	    [BS_EEXIST] = "already present",
	    [BS_ENOTFOUND] = "not found",
	    [BS_EINTERRUPTED] = "interrupted",
	    [BS_EBUSY] = "held by another process",
	};
	if (code < 0)
		code = -code;
	if (code >= BS_ERROR_COUNT)
		return "unknown error";
	return text[code];
}

void bs_message_one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int bs_err_set(struct bs_err *e, int code, const char *fmt, ...)
{
	if (e == NULL)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	bs_message_one_line(e->msg);
	e->code = code;
	e->sys_errno = 0;
	return code;
}

int bs_err_io(struct bs_err *e, int errnum, const char *fmt, ...)
{
	if (e == NULL)
		return -BS_EIO;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof e->msg)
		snprintf(e->msg + n, sizeof e->msg - (size_t)n, ": %s", strerror(errnum));
	bs_message_one_line(e->msg);
	e->code = -BS_EIO;
	e->sys_errno = errnum;
	return -BS_EIO;
}

void bs_err_prefix(struct bs_err *e, const char *fmt, ...)
{
	if (e == NULL)
		return;
	char prefix[BS_ERR_MSGLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	char joined[BS_ERR_MSGLEN];
	snprintf(joined, sizeof joined, "%s: %s", prefix, e->msg);
	memcpy(e->msg, joined, sizeof e->msg);
	bs_message_one_line(e->msg);
}

void bs_err_clear(struct bs_err *e)
{
	if (e == NULL)
		return;
	e->code = 0;
	e->sys_errno = 0;
	e->msg[0] = '\0';
}

const char *bs_err_text(const struct bs_err *e)
{
	return e->msg[0] != '\0' ? e->msg : bs_strerror(e->code);
}

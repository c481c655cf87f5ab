/* bs_error.c - text for the BS_E* codes, and keeping messages one line. */
#include "base/bs_error.h"

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

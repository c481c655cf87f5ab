/* bs_array.c - see bs_array.h. */
#include "base/bs_array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

int bs_array_reserve(void *pp, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : BS_ARRAY_MIN;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -BS_ENOMEM;
		n *= 2;
	}
	if (n > SIZE_MAX / size)
		return -BS_ENOMEM;
	void *p;
	memcpy(&p, pp, sizeof p);
	void *q = realloc(p, n * size);
	if (q == NULL)
		return -BS_ENOMEM;
	memcpy(pp, &q, sizeof q);
	*cap = n;
	return 0;
}

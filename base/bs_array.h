/* bs_array.h - growing a plain C array by doubling, overflow-checked.
 * One helper for every append-only list of the library (warnings, inputs,
 * partial flows, CSV fields...) instead of a near-copy per module. */
#ifndef BASE_BS_ARRAY_H
#define BASE_BS_ARRAY_H

#include <stddef.h>

/** Makes room for need items of size bytes in the array whose pointer
 * lives at pp (the address of a T* variable; moved with memcpy, so no T*
 * is accessed through a void * lvalue), doubling the capacity *cap from
 * BS_ARRAY_MIN. 0, or -BS_ENOMEM with nothing changed. */
int bs_array_reserve(void *pp, size_t *cap, size_t need, size_t size);

/* First capacity: small lists stay in one allocation. */
#define BS_ARRAY_MIN 16u

#endif

/* addr.h - IPv4/IPv6 addresses and the telescope's set of prefixes.
 *
 * One address type holds both families so every table keyed on a victim
 * works for IPv6 too (METHOD.md section 2, "beyond"). The struct has no
 * padding, so it can be hashed and compared as bytes once zero-filled.
 * The prefix set answers "is this destination in the telescope?" on the
 * per-packet path, and gives the telescope size n of the rate estimate and
 * the position of an address within the telescope space for the
 * uniformity test. */
#ifndef TELESCOPE_ADDR_H
#define TELESCOPE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { BS_AF_INET = 4, BS_AF_INET6 = 6 };

/** Longest text form plus NUL (INET6_ADDRSTRLEN). */
#define BS_ADDR_STRLEN 46

typedef struct bs_addr {
	uint8_t family;    /* BS_AF_INET or BS_AF_INET6 */
	uint8_t bytes[16]; /* network order; IPv4 uses bytes[0..3], rest 0 */
} bs_addr_t;

/** Sets *a to the IPv4 address v4 (host byte order); zero-fills the rest. */
void bs_addr_from_v4(bs_addr_t *a, uint32_t v4);
/** Sets *a to the IPv6 address in b (16 bytes, network order). */
void bs_addr_from_v6(bs_addr_t *a, const uint8_t *b);
/** IPv4 address of a in host byte order; 0 for IPv6. */
uint32_t bs_addr_v4(const bs_addr_t *a);
/** Parses dotted IPv4 or IPv6 text. 0, or -BS_EINVAL (a is zeroed). */
int bs_addr_parse(const char *text, bs_addr_t *a);
/** Writes the text form into buf (len >= BS_ADDR_STRLEN); returns buf. */
const char *bs_addr_format(const bs_addr_t *a, char *buf, size_t len);
/** memcmp-style total order: family first, then bytes. */
int bs_addr_cmp(const bs_addr_t *a, const bs_addr_t *b);
/** Zeroes every bit of a past its first len (the prefix of a /len); a len
 * of the family's width or more leaves a as it is. */
void bs_addr_mask(bs_addr_t *a, unsigned len);

typedef struct bs_prefixes bs_prefixes_t;

/** Empty set; NULL on allocation failure. Free with bs_prefixes_free(). */
bs_prefixes_t *bs_prefixes_create(void);
/** Safe on NULL. */
void bs_prefixes_free(bs_prefixes_t *p);
/** Adds one or more comma-separated prefixes ("44.0.0.0/8,2001:db8::/32";
 * a bare address is a /32 or /128). Strict: -BS_EINVAL for bad syntax or
 * host bits set, -BS_ERANGE for a length beyond the family's width,
 * -BS_EEXIST when it overlaps a prefix already in the set, -BS_ENOMEM.
 * On error nothing of text is added. */
int bs_prefixes_add(bs_prefixes_t *p, const char *text);
/** Number of prefixes added. */
size_t bs_prefixes_count(const bs_prefixes_t *p);
/** Canonical text of prefix i ("44.0.0.0/8") into buf; returns buf. */
const char *bs_prefixes_text(const bs_prefixes_t *p, size_t i, char *buf, size_t len);
/** True when a lies in one of the prefixes. Hot path: no allocation. */
bool bs_prefixes_contains(const bs_prefixes_t *p, const bs_addr_t *a);
/** Total addresses of one family (BS_AF_INET or BS_AF_INET6), the n of
 * METHOD.md section 4. 0 when the set has none of that family. */
double bs_prefixes_size(const bs_prefixes_t *p, int family);
/** Position of a within the union of its family's prefixes, taken in the
 * order added, as (index + 0.5) / n in (0, 1): uniform spoofing makes it
 * uniform. -BS_ENOTFOUND when a is outside the set. */
int bs_prefixes_position(const bs_prefixes_t *p, const bs_addr_t *a, double *u);

#endif

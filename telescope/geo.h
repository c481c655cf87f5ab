/* geo.h - country and origin AS of a victim, from MaxMind DB files.
 *
 * CAIDA's RSDoS feed and corsaro3 tag victims with country and AS
 * (METHOD.md section 6); we read the same MaxMind format with
 * libmaxminddb: a Country or City database (GeoIP2/GeoLite2, or a
 * compatible one such as DB-IP's) for country.iso_code, an ASN database for
 * autonomous_system_number/_organization. Either may be absent. The victim
 * is looked up, never the responder (corsaro3's mistake, METHOD.md
 * section 6), once per attack, so lookups need not be fast.
 *
 * Only country.iso_code is used, not registered_country: the question is
 * where the attacked host is, and an address with no country (anycast
 * ranges) stays unknown rather than borrowing its registrant's. */
#ifndef TELESCOPE_GEO_H
#define TELESCOPE_GEO_H

#include <stdint.h>

#include "telescope/addr.h"

/** ISO 3166-1 alpha-2 code plus NUL. */
#define GEO_COUNTRY_LEN 3
/** AS organisation buffer. GeoLite2 names are under 100 bytes; longer ones
 * are cut at a UTF-8 character boundary so the CSV stays valid UTF-8. */
#define GEO_ORG_LEN 256
/** Longest geo_last_error()/geo_error() text, file name included. */
#define GEO_ERR_LEN 1024

struct geo_info {
	char country[GEO_COUNTRY_LEN]; /* "SE"; "" when unknown */
	uint32_t asn;                  /* 0 when unknown (AS 0 is reserved, RFC 7607) */
	char as_org[GEO_ORG_LEN];      /* "Bredband2 AB"; "" when unknown */
};

typedef struct geo geo_t;

/** Opens the databases; either path may be NULL (that part of every lookup
 * is then empty). Paths are borrowed (copied for messages). On failure *out
 * is NULL and geo_last_error() gives "FILE: reason" for the file that
 * failed. Errors: -BS_EIO (cannot open or read; errno set), -BS_EFORMAT
 * (not a MaxMind DB, corrupt, or the wrong kind: an ASN database given as
 * the country one or the reverse), -BS_ENOMEM. */
int geo_open(const char *country_db, const char *asn_db, geo_t **out);

/** Closes the databases. Safe on NULL. */
void geo_free(geo_t *g);

/** Why the last geo_open() in the calling thread failed, as "FILE: reason"
 * (reason from libmaxminddb, or strerror for I/O errors); "" if none
 * failed. Thread-local storage, valid until the next geo_open() in the
 * same thread. */
const char *geo_last_error(void);

/** Looks a up (borrowed, IPv4 or IPv6) and fills *out; fields the
 * databases do not have for a stay empty ("" / 0), which is not an error.
 * 0, or -BS_EFORMAT when a database's data section is corrupt (*out is
 * then all empty and geo_error() says which file and why). The error slot
 * lives in g: one thread at a time per handle. */
int geo_lookup(geo_t *g, const bs_addr_t *a, struct geo_info *out);

/** "FILE: reason" of the last failed geo_lookup() on g; "" if none. */
const char *geo_error(const geo_t *g);

#endif

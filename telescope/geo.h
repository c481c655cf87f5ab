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

#include "base/bs_error.h"
#include "telescope/addr.h"

/** ISO 3166-1 alpha-2 code plus NUL. */
#define GEO_COUNTRY_LEN 3
/** AS organisation buffer. GeoLite2 names are under 100 bytes; longer ones
 * are cut at a UTF-8 character boundary so the CSV stays valid UTF-8. */
#define GEO_ORG_LEN 256
/** A prefix-to-AS origin field naming several ASes ("30_10_20", "64500,64501")
 * plus NUL: 255 bytes hold 23 ten-digit ASes, more than any multi-origin
 * prefix or AS set of a RouteViews table; a longer field is refused when the
 * table is loaded (telescope/pfx2as.h). */
#define GEO_ORIGINS_LEN 256

struct geo_info {
	char country[GEO_COUNTRY_LEN]; /* "SE"; "" when unknown */
	uint32_t asn;                  /* 0 when unknown (AS 0 is reserved, RFC 7607) */
	char as_org[GEO_ORG_LEN];      /* "Bredband2 AB"; "" when unknown */
	/* --pfx2as only: the origin field as the table writes it when it names
	 * several ASes (asn is then its first, the most seen origin), else "".
	 * attacks.csv writes it in place of asn (telescope/pfx2as.h). */
	char origins[GEO_ORIGINS_LEN];
};

typedef struct geo geo_t;

/** Opens the databases; either path may be NULL (that part of every lookup
 * is then empty). Paths are borrowed (copied for messages). On failure *out
 * is NULL and err (may be NULL) says "FILE: reason" for the file that
 * failed, the reason from libmaxminddb or strerror. Errors: -BS_EIO (cannot
 * open or read; err->sys_errno says why), -BS_EFORMAT (not a MaxMind DB,
 * corrupt, or the wrong kind: an ASN database given as the country one or
 * the reverse), -BS_ENOMEM. On success err is cleared. */
int geo_open(const char *country_db, const char *asn_db, geo_t **out, struct bs_err *err);

/** Closes the databases. Safe on NULL. */
void geo_free(geo_t *g);

/** Looks a up (borrowed, IPv4 or IPv6) and fills *out; fields the
 * databases do not have for a stay empty ("" / 0), which is not an error.
 * 0, or -BS_EFORMAT when a database's data section is corrupt: *out is
 * then all empty and err (may be NULL) says "FILE: reason". g is only
 * read. */
int geo_lookup(const geo_t *g, const bs_addr_t *a, struct geo_info *out, struct bs_err *err);

#endif

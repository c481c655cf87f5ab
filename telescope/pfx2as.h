/* pfx2as.h - the origin AS of a victim from CAIDA's RouteViews
 * prefix-to-AS tables (pfx2as), by longest-prefix match.
 *
 * The RSDoS feed tags each victim with the origin AS that RouteViews BGP
 * data gives for it (CAIDA's routeviews-prefix2as and routeviews6-prefix2as
 * data sets), which is what most papers use and what can be redistributed;
 * `--asn-db` reads a MaxMind ASN database instead (telescope/geo.h).
 *
 * Format (CAIDA's README for the data sets): one prefix a line, three
 * tab-separated fields, `prefix<TAB>length<TAB>origin`, e.g.
 * `192.0.2.0\t24\t64500`. The origin field is one AS number, several
 * joined by `_` (a multi-origin prefix, MOAS: since 2010-10-27 ordered by
 * how many RouteViews peers saw each origin, most first, so the first is
 * "the best" single choice), several joined by `,` (an AS set at the end
 * of the path), or both (`64500_64501,64502`). IPv4 and IPv6 come in
 * separate files; either kind of line may appear in any file given.
 * Empty lines and lines starting with '#' are skipped. A line that does
 * not parse, a prefix with host bits set, a length beyond the family's
 * width, an AS of 0 (reserved, RFC 7607) or beyond 2^32 - 1, and a prefix
 * given twice are errors naming the file and line.
 *
 * What attacks.csv gets: the origin field as the table writes it, like
 * the feed keeps it. A single origin is the AS number, as --asn-db writes
 * it; a multi-origin prefix or AS set is the field's text ("30_10_20",
 * "64500,64501"): struct geo_info's asn is then the first AS and origins
 * holds the text. An address no prefix holds has no AS (empty cells).
 *
 * Lookup structure, hand-written: the nested prefixes of each family are
 * flattened once at load into sorted, disjoint ranges (the start of each
 * and the origin that covers it; at most 2n + 1 for n prefixes), found by
 * binary search. A full IPv4 table (about 1 M prefixes) becomes 8 bytes a
 * range, an IPv6 one 20, so the table costs about what its text does and
 * a lookup is ~21 compares. Lookups are per reported attack and per edge
 * flow, not per packet, so a trie's speed is not needed and its nodes
 * (tens of bytes per prefix) would cost more. No Debian package fits:
 * Debian has patricia tries for Perl, Ruby, Go and OCaml but none for C,
 * and libcidr-dev parses and compares netblocks without a lookup table.
 * Origin fields repeat (one per origin AS or MOAS set, tens of thousands
 * in a million lines), so each is kept once (base/bs_intern.h).
 *
 * Files are plain, gzip or zstd, recognised by their first bytes and read
 * in blocks through telescope/bytesource.h (decompressed in a thread of
 * their own, as traces are); nothing is printed. */
#ifndef TELESCOPE_PFX2AS_H
#define TELESCOPE_PFX2AS_H

#include <stddef.h>
#include <stdint.h>

#include "base/bs_error.h"
#include "telescope/addr.h"
#include "telescope/geo.h"

/** Longest line accepted: an IPv6 address, a length and the longest origin
 * field (GEO_ORIGINS_LEN - 1) with their tabs, rounded up. */
#define PFX2AS_LINE_MAX 320

typedef struct pfx2as pfx2as_t;

/** Empty table, or NULL on allocation failure. */
pfx2as_t *pfx2as_create(void);

/** Safe on NULL. */
void pfx2as_free(pfx2as_t *t);

/** Adds the lines of the file at path (plain, gzip or zstd; a pipe too;
 * borrowed, copied for messages). 0; -BS_EIO (cannot open or read:
 * err->sys_errno, or "PATH: damaged or cut-short gzip|zstd data (WHY)"),
 * -BS_EFORMAT ("PATH: line N: WHAT" for the first bad line, or "PATH:
 * bzip2-compressed: ..." for a compression not read), -BS_ENOMEM, or -BS_EINVAL after
 * pfx2as_finish(). Lines are checked as they are read; prefixes given
 * twice are found by pfx2as_finish(). err may be NULL. */
int pfx2as_add_file(pfx2as_t *t, const char *path, struct bs_err *err);

/** Adds the lines of len bytes at text, named name in messages (a last
 * line may lack its '\n'). Same results as pfx2as_add_file(), without
 * -BS_EIO. */
int pfx2as_add_text(pfx2as_t *t, const char *name, const char *text, size_t len,
                    struct bs_err *err);

/** Builds the lookup ranges; the table is read-only afterwards. 0,
 * -BS_EFORMAT ("NAME: line N: prefix P/L already given at line M" or
 * "... in NAME2") or -BS_ENOMEM. err may be NULL. */
int pfx2as_finish(pfx2as_t *t, struct bs_err *err);

/** create, add_file for each of the n paths, finish. On failure *out is
 * NULL and err holds the one line of the first fault. */
int pfx2as_load(const char *const *paths, size_t n, pfx2as_t **out, struct bs_err *err);

/** Prefixes of family (BS_AF_INET or BS_AF_INET6) in the table. */
size_t pfx2as_count(const pfx2as_t *t, int family);

/** The origin field of the longest prefix of a finished table that holds
 * a (borrowed), or NULL when none does. Valid while t is. */
const char *pfx2as_lookup(const pfx2as_t *t, const bs_addr_t *a);

/** Checks the origin field of len bytes at s (see the format above): 0
 * with *first its first AS and *count how many it names; -BS_EINVAL when
 * it is not numbers joined by '_' or ',', -BS_ERANGE when an AS is 0 or
 * beyond 2^32 - 1 or the field is GEO_ORIGINS_LEN bytes or longer. first
 * and count may be NULL. */
int pfx2as_parse_origins(const char *s, size_t len, uint32_t *first, size_t *count);

/** Puts a's origin from t (finished) into geo, which holds what the
 * MaxMind databases gave (or is all empty): asn and origins from t, empty
 * when no prefix holds a; as_org is kept only when the table names one AS
 * and it equals the MaxMind one, so an organisation never labels another
 * AS. country is left alone. */
void pfx2as_fill(const pfx2as_t *t, const bs_addr_t *a, struct geo_info *geo);

#endif

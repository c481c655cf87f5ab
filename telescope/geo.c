/* geo.c - country/ASN lookups through libmaxminddb (see geo.h). */
#include "telescope/geo.h"

#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "base/bs_error.h"

struct geo {
	MMDB_s country, asn;
	bool has_country, has_asn;
	char *country_path, *asn_path; /* copies, for messages */
};

static void close_db(MMDB_s *db, bool *open)
{
	if (*open)
		MMDB_close(db);
	*open = false;
}

void geo_free(geo_t *g)
{
	if (g == NULL)
		return;
	close_db(&g->country, &g->has_country);
	close_db(&g->asn, &g->has_asn);
	free(g->country_path);
	free(g->asn_path);
	free(g);
}

/* Which kind of database a path must hold. A swapped pair (ASN database as
 * --geo-db) would open fine and then find nothing for every victim, so it is
 * caught here by the metadata's database_type. */
enum geo_kind { GEO_KIND_COUNTRY, GEO_KIND_ASN };

static int open_db(const char *path, enum geo_kind kind, MMDB_s *db, bool *open, struct bs_err *err)
{
	/* libmaxminddb maps the file: a directory fails with ENODEV and an
	 * empty file with EINVAL, neither of which tells the user anything. */
	struct stat st;
	if (stat(path, &st) != 0)
		return bs_err_io(err, errno, "%s", path);
	if (S_ISDIR(st.st_mode))
		return bs_err_io(err, EISDIR, "%s", path);
	if (!S_ISREG(st.st_mode))
		return bs_err_set(err, -BS_EFORMAT,
		                  "%s: not a regular file (a MaxMind DB is mapped)", path);
	if (st.st_size == 0)
		return bs_err_set(err, -BS_EFORMAT, "%s: empty file, not a MaxMind DB", path);
	int status = MMDB_open(path, MMDB_MODE_MMAP, db);
	if (status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR)
		return bs_err_io(err, errno, "%s", path);
	if (status == MMDB_OUT_OF_MEMORY_ERROR)
		return bs_err_set(err, -BS_ENOMEM, "%s: %s", path, bs_strerror(BS_ENOMEM));
	if (status == MMDB_INVALID_METADATA_ERROR)
		return bs_err_set(err, -BS_EFORMAT, "%s: not a MaxMind DB file (no valid metadata)",
		                  path);
	if (status != MMDB_SUCCESS)
		return bs_err_set(err, -BS_EFORMAT, "%s: %s", path, MMDB_strerror(status));
	*open = true;
	const char *type = db->metadata.database_type;
	if (type == NULL)
		type = "";
	bool wrong = kind == GEO_KIND_COUNTRY
	                 ? strstr(type, "ASN") != NULL
	                 : strstr(type, "Country") != NULL || strstr(type, "City") != NULL;
	if (wrong)
		return bs_err_set(err, -BS_EFORMAT, "%s: is a %s database, not %s", path, type,
		                  kind == GEO_KIND_COUNTRY ? "a country or city one"
		                                           : "an ASN one");
	return 0;
}

int geo_open(const char *country_db, const char *asn_db, geo_t **out, struct bs_err *err)
{
	*out = NULL;
	bs_err_clear(err);
	geo_t *g = calloc(1, sizeof *g);
	int rc = g ? 0 : -BS_ENOMEM;
	if (rc == 0 && country_db != NULL && (g->country_path = strdup(country_db)) == NULL)
		rc = -BS_ENOMEM;
	if (rc == 0 && asn_db != NULL && (g->asn_path = strdup(asn_db)) == NULL)
		rc = -BS_ENOMEM;
	if (rc != 0) {
		geo_free(g);
		return bs_err_set(err, rc, "%s", bs_strerror(rc));
	}
	if (country_db != NULL)
		rc = open_db(country_db, GEO_KIND_COUNTRY, &g->country, &g->has_country, err);
	if (rc == 0 && asn_db != NULL)
		rc = open_db(asn_db, GEO_KIND_ASN, &g->asn, &g->has_asn, err);
	if (rc != 0) {
		geo_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

/* A lookup failure in the database at path: -BS_EFORMAT. */
static int lookup_failed(struct bs_err *err, const char *path, int status)
{
	return bs_err_set(err, -BS_EFORMAT, "%s: %s", path, MMDB_strerror(status));
}

/* Finds a's record in db: MMDB_SUCCESS (res->found_entry says whether there
 * is one) or the failed MMDB status. */
static int find(const MMDB_s *db, const bs_addr_t *a, MMDB_lookup_result_s *res)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct sockaddr *sa;
	if (a->family == BS_AF_INET) {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->bytes, 4);
		sa = (const struct sockaddr *)&sin;
	} else {
		memset(&sin6, 0, sizeof sin6);
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, a->bytes, 16);
		sa = (const struct sockaddr *)&sin6;
	}
	int status = MMDB_SUCCESS;
	*res = MMDB_lookup_sockaddr(db, sa, &status);
	/* An IPv4-only database simply has no IPv6 addresses. */
	if (status == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
		res->found_entry = false;
		return MMDB_SUCCESS;
	}
	return status;
}

/* Fetches the value at path (NULL-terminated key list) of a found entry.
 * MMDB_SUCCESS with data->has_data false when the record lacks the key. */
static int get_value(MMDB_lookup_result_s *res, MMDB_entry_data_s *data, const char *const *path)
{
	int status = MMDB_aget_value(&res->entry, data, path);
	if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) {
		data->has_data = false;
		return MMDB_SUCCESS;
	}
	return status;
}

static void copy_country(const MMDB_entry_data_s *d, char out[GEO_COUNTRY_LEN])
{
	if (!d->has_data || d->type != MMDB_DATA_TYPE_UTF8_STRING ||
	    d->data_size != GEO_COUNTRY_LEN - 1)
		return;
	for (size_t i = 0; i < GEO_COUNTRY_LEN - 1; i++)
		if (d->utf8_string[i] < 'A' || d->utf8_string[i] > 'Z')
			return;
	memcpy(out, d->utf8_string, GEO_COUNTRY_LEN - 1);
	out[GEO_COUNTRY_LEN - 1] = '\0';
}

static uint32_t asn_of(const MMDB_entry_data_s *d)
{
	if (!d->has_data)
		return 0;
	switch (d->type) {
	case MMDB_DATA_TYPE_UINT16:
		return d->uint16;
	case MMDB_DATA_TYPE_UINT32:
		return d->uint32;
	case MMDB_DATA_TYPE_UINT64: /* AS numbers are 32-bit (RFC 6793) */
		return d->uint64 <= UINT32_MAX ? (uint32_t)d->uint64 : 0;
	default:
		return 0;
	}
}

static void copy_org(const MMDB_entry_data_s *d, char out[GEO_ORG_LEN])
{
	if (!d->has_data || d->type != MMDB_DATA_TYPE_UTF8_STRING)
		return;
	size_t n = d->data_size < GEO_ORG_LEN - 1 ? d->data_size : GEO_ORG_LEN - 1;
	/* Never end inside a multi-byte character: back up while the first byte
	 * left out is a continuation byte (10xxxxxx). */
	if (n < d->data_size)
		while (n > 0 && ((unsigned char)d->utf8_string[n] & 0xc0) == 0x80)
			n--;
	memcpy(out, d->utf8_string, n);
	out[n] = '\0';
}

static int lookup_country(const geo_t *g, const bs_addr_t *a, struct geo_info *out,
                          struct bs_err *err)
{
	static const char *const path[] = {"country", "iso_code", NULL};
	MMDB_lookup_result_s res;
	MMDB_entry_data_s d;
	int status = find(&g->country, a, &res);
	if (status == MMDB_SUCCESS && res.found_entry)
		status = get_value(&res, &d, path);
	if (status != MMDB_SUCCESS)
		return lookup_failed(err, g->country_path, status);
	if (res.found_entry)
		copy_country(&d, out->country);
	return 0;
}

static int lookup_asn(const geo_t *g, const bs_addr_t *a, struct geo_info *out, struct bs_err *err)
{
	static const char *const num_path[] = {"autonomous_system_number", NULL};
	static const char *const org_path[] = {"autonomous_system_organization", NULL};
	MMDB_lookup_result_s res;
	MMDB_entry_data_s num, org;
	int status = find(&g->asn, a, &res);
	if (status != MMDB_SUCCESS)
		return lookup_failed(err, g->asn_path, status);
	if (!res.found_entry)
		return 0;
	status = get_value(&res, &num, num_path);
	if (status == MMDB_SUCCESS)
		status = get_value(&res, &org, org_path);
	if (status != MMDB_SUCCESS)
		return lookup_failed(err, g->asn_path, status);
	out->asn = asn_of(&num);
	copy_org(&org, out->as_org);
	return 0;
}

int geo_lookup(const geo_t *g, const bs_addr_t *a, struct geo_info *out, struct bs_err *err)
{
	memset(out, 0, sizeof *out);
	int rc = 0;
	if (g->has_country)
		rc = lookup_country(g, a, out, err);
	if (rc == 0 && g->has_asn)
		rc = lookup_asn(g, a, out, err);
	if (rc < 0)
		memset(out, 0, sizeof *out);
	return rc;
}

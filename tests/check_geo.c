/* check_geo.c - country/ASN lookups against MaxMind's published test
 * databases (tests/data/mmdb, see SOURCE.md there for which ranges
 * resolve), and every way opening or reading a database can fail. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/bs_error.h"
#include "telescope/geo.h"

#define PATH_LEN 4096

/* Fixture path $TESTDATA/mmdb/NAME in a static buffer (one at a time per
 * slot: each test needs at most two paths). */
static const char *fixture(int slot, const char *name)
{
	static char buf[2][PATH_LEN];
	const char *dir = getenv("TESTDATA");
	ck_assert_msg(dir != NULL, "TESTDATA must name tests/data");
	snprintf(buf[slot], PATH_LEN, "%s/mmdb/%s", dir, name);
	return buf[slot];
}

#define COUNTRY_DB fixture(0, "GeoIP2-Country-Test.mmdb")
#define CITY_DB    fixture(0, "GeoIP2-City-Test.mmdb")
#define ASN_DB     fixture(1, "GeoLite2-ASN-Test.mmdb")
#define BROKEN_DB  fixture(1, "MaxMind-DB-test-broken-pointers-24.mmdb")

static geo_t *open_ok(const char *country, const char *asn)
{
	geo_t *g = NULL;
	struct bs_err err;
	memset(&err, 'x', sizeof err);
	int rc = geo_open(country, asn, &g, &err);
	ck_assert_msg(rc == 0, "geo_open: %s", bs_err_text(&err));
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(err.code, 0);
	ck_assert_str_eq(err.msg, "");
	return g;
}

/* Asserts geo_open fails with want and names path first in the message,
 * which it leaves in *err. */
static void open_fails(const char *country, const char *asn, const char *path, int want,
                       struct bs_err *err)
{
	geo_t *g = (geo_t *)1;
	ck_assert_int_eq(geo_open(country, asn, &g, err), want);
	ck_assert_int_eq(err->code, want);
	ck_assert_ptr_null(g);
	const char *msg = err->msg;
	ck_assert_msg(strncmp(msg, path, strlen(path)) == 0 && msg[strlen(path)] == ':',
	              "message \"%s\" does not start with \"%s:\"", msg, path);
	ck_assert_uint_gt(strlen(msg), strlen(path) + 2);
}

static struct geo_info lookup(geo_t *g, const char *ip)
{
	bs_addr_t a;
	ck_assert_int_eq(bs_addr_parse(ip, &a), 0);
	struct geo_info info;
	struct bs_err err = {0};
	memset(&info, 'x', sizeof info);
	ck_assert_msg(geo_lookup(g, &a, &info, &err) == 0, "%s: %s", ip, bs_err_text(&err));
	return info;
}

static void assert_geo(geo_t *g, const char *ip, const char *country, uint32_t asn, const char *org)
{
	struct geo_info info = lookup(g, ip);
	ck_assert_msg(strcmp(info.country, country) == 0, "%s: country \"%s\", want \"%s\"", ip,
	              info.country, country);
	ck_assert_msg(info.asn == asn, "%s: AS%u, want AS%u", ip, info.asn, asn);
	ck_assert_msg(strcmp(info.as_org, org) == 0, "%s: org \"%s\", want \"%s\"", ip, info.as_org,
	              org);
}

START_TEST(open_missing_file_is_eio)
{
	struct bs_err err;
	open_fails("/nonexistent/GeoIP2-Country.mmdb", NULL, "/nonexistent/GeoIP2-Country.mmdb",
	           -BS_EIO, &err);
	ck_assert_ptr_nonnull(strstr(err.msg, strerror(ENOENT)));
	ck_assert_int_eq(err.sys_errno, ENOENT);
	/* The second database fails after the first opened: no leak (ASan). */
	open_fails(COUNTRY_DB, "/nonexistent/asn.mmdb", "/nonexistent/asn.mmdb", -BS_EIO, &err);
	/* The caller may not want the message. */
	geo_t *g = (geo_t *)1;
	ck_assert_int_eq(geo_open("/nonexistent/GeoIP2-Country.mmdb", NULL, &g, NULL), -BS_EIO);
	ck_assert_ptr_null(g);
}
END_TEST

START_TEST(open_not_mmdb_is_eformat)
{
	const char *text = fixture(0, "LICENSE-MIT");
	struct bs_err err;
	open_fails(text, NULL, text, -BS_EFORMAT, &err);
	open_fails(NULL, text, text, -BS_EFORMAT, &err);
}
END_TEST

START_TEST(open_empty_file_fails)
{
	char path[] = "/tmp/bs-check-geo-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	geo_t *g = (geo_t *)1;
	struct bs_err err;
	int rc = geo_open(path, NULL, &g, &err);
	unlink(path);
	ck_assert_int_eq(rc, -BS_EFORMAT);
	ck_assert_ptr_null(g);
	ck_assert_int_eq(strncmp(err.msg, path, strlen(path)), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
}
END_TEST

START_TEST(open_directory_fails)
{
	const char *dir = getenv("TESTDATA");
	struct bs_err err;
	open_fails(dir, NULL, dir, -BS_EIO, &err);
	ck_assert_int_eq(err.sys_errno, EISDIR);
	ck_assert_ptr_nonnull(strstr(err.msg, strerror(EISDIR)));
}
END_TEST

START_TEST(open_swapped_databases_is_eformat)
{
	const char *asn = ASN_DB;
	struct bs_err err;
	open_fails(asn, NULL, asn, -BS_EFORMAT, &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "GeoLite2-ASN"));
	const char *country = COUNTRY_DB;
	open_fails(NULL, country, country, -BS_EFORMAT, &err);
	const char *city = CITY_DB;
	open_fails(NULL, city, city, -BS_EFORMAT, &err);
}
END_TEST

START_TEST(lookup_corrupt_data_is_eformat)
{
	geo_t *g = open_ok(NULL, BROKEN_DB);
	bs_addr_t a;
	struct geo_info info;
	static const char *const bad[] = {"1.1.1.16", "1.1.1.32"};
	for (size_t i = 0; i < 2; i++) {
		struct bs_err err = {0};
		ck_assert_int_eq(bs_addr_parse(bad[i], &a), 0);
		memset(&info, 'x', sizeof info);
		ck_assert_int_eq(geo_lookup(g, &a, &info, &err), -BS_EFORMAT);
		ck_assert_int_eq(err.code, -BS_EFORMAT);
		ck_assert_str_eq(info.country, "");
		ck_assert_uint_eq(info.asn, 0);
		ck_assert_str_eq(info.as_org, "");
		ck_assert_int_eq(strncmp(err.msg, BROKEN_DB, strlen(BROKEN_DB)), 0);
		/* Without a carrier: the same answer, no message. */
		memset(&info, 'x', sizeof info);
		ck_assert_int_eq(geo_lookup(g, &a, &info, NULL), -BS_EFORMAT);
		ck_assert_str_eq(info.country, "");
	}
	/* An IPv4-only database has no IPv6 addresses: not found, not an error. */
	assert_geo(g, "2001:218::1", "", 0, "");
	geo_free(g);
}
END_TEST

START_TEST(free_null_is_noop)
{
	geo_free(NULL);
}
END_TEST

START_TEST(no_databases_gives_empty)
{
	geo_t *g = open_ok(NULL, NULL);
	assert_geo(g, "89.160.20.115", "", 0, "");
	geo_free(g);
}
END_TEST

START_TEST(country_and_asn)
{
	geo_t *g = open_ok(COUNTRY_DB, ASN_DB);
	assert_geo(g, "89.160.20.112", "SE", 29518, "Bredband2 AB");
	assert_geo(g, "89.160.20.127", "SE", 29518, "Bredband2 AB");
	assert_geo(g, "89.160.20.200", "SE", 29518, "Bredband2 AB");
	assert_geo(g, "216.160.83.60", "US", 209, ""); /* AS without organisation */
	assert_geo(g, "214.78.121.1", "US", 721, "DoD Network Information Center");
	geo_free(g);
}
END_TEST

START_TEST(partial_and_missing)
{
	geo_t *g = open_ok(COUNTRY_DB, ASN_DB);
	assert_geo(g, "81.2.69.170", "GB", 0, ""); /* not in the ASN database */
	assert_geo(g, "8.8.8.8", "", 0, "");       /* in neither */
	assert_geo(g, "10.1.2.3", "", 0, "");
	/* Anycast range: a record without country (registered_country is not
	 * used), but an AS. */
	assert_geo(g, "214.1.1.1", "", 721, "DoD Network Information Center");
	geo_free(g);
}
END_TEST

START_TEST(ipv6_victim)
{
	geo_t *g = open_ok(COUNTRY_DB, ASN_DB);
	assert_geo(g, "2001:218::1", "JP", 0, "");
	assert_geo(g, "2001:db8::1", "", 0, "");
	geo_free(g);
}
END_TEST

START_TEST(city_database_as_country)
{
	geo_t *g = open_ok(CITY_DB, NULL);
	assert_geo(g, "89.160.20.115", "SE", 0, "");
	assert_geo(g, "81.2.69.170", "GB", 0, "");
	assert_geo(g, "214.78.121.1", "US", 0, "");
	assert_geo(g, "8.8.8.8", "", 0, "");
	geo_free(g);
}
END_TEST

START_TEST(asn_only)
{
	geo_t *g = open_ok(NULL, ASN_DB);
	assert_geo(g, "89.160.20.115", "", 29518, "Bredband2 AB");
	assert_geo(g, "1.0.0.1", "", 15169, "Google Inc.");
	geo_free(g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("geo");
	TCase *tc = tcase_create("errors");
	tcase_add_test(tc, open_missing_file_is_eio);
	tcase_add_test(tc, open_not_mmdb_is_eformat);
	tcase_add_test(tc, open_empty_file_fails);
	tcase_add_test(tc, open_directory_fails);
	tcase_add_test(tc, open_swapped_databases_is_eformat);
	tcase_add_test(tc, lookup_corrupt_data_is_eformat);
	tcase_add_test(tc, free_null_is_noop);
	suite_add_tcase(s, tc);
	tc = tcase_create("lookups");
	tcase_add_test(tc, no_databases_gives_empty);
	tcase_add_test(tc, country_and_asn);
	tcase_add_test(tc, partial_and_missing);
	tcase_add_test(tc, ipv6_victim);
	tcase_add_test(tc, city_database_as_country);
	tcase_add_test(tc, asn_only);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

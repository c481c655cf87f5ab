/* check_pfx2as.c - tests for telescope/pfx2as.h: every form of the origin
 * field (one AS, multi-origin, AS set, both) and every way it can be
 * wrong; each kind of bad line refused with its file and line number;
 * longest-prefix match for IPv4 and IPv6 over nested prefixes, /0, /32,
 * /128 and the ends of the address space, and against a brute-force
 * matcher on random tables; prefixes given twice, in one file or two;
 * plain, gzip and zstd files and a pipe, lines cut by read blocks,
 * files that cannot be read or are compressed otherwise; and how the table's AS combines with the
 * MaxMind one. The fuzz target's seeds and findings are replayed through its own checks. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "telescope/pfx2as.h"
#include "tests/fuzz/fuzz_pfx2as.h"

/* Random tables of the brute-force test: prefixes and probes. */
#define RANDOM_PREFIXES 400
#define RANDOM_PROBES   20000

static pfx2as_t *table_of(const char *text)
{
	pfx2as_t *t = pfx2as_create();
	ck_assert_ptr_nonnull(t);
	struct bs_err err;
	int rc = pfx2as_add_text(t, "t.pfx2as", text, strlen(text), &err);
	ck_assert_msg(rc == 0, "add: %s", err.msg);
	rc = pfx2as_finish(t, &err);
	ck_assert_msg(rc == 0, "finish: %s", err.msg);
	return t;
}

/* The origin field the table gives for ip ("-" for none). */
static const char *at(const pfx2as_t *t, const char *ip)
{
	bs_addr_t a;
	ck_assert_int_eq(bs_addr_parse(ip, &a), 0);
	const char *f = pfx2as_lookup(t, &a);
	return f ? f : "-";
}

START_TEST(origin_fields)
{
	static const struct {
		const char *s;
		int rc;
		uint32_t first;
		size_t count;
	} cases[] = {
	    {"64500", 0, 64500, 1},
	    {"1", 0, 1, 1},
	    {"4294967295", 0, 4294967295u, 1},
	    {"30_10_20", 0, 30, 3},
	    {"64500,64501", 0, 64500, 2},
	    {"64500_64501,64502", 0, 64500, 3},
	    {"7,8_9", 0, 7, 3},
	    {"", -BS_EINVAL, 0, 0},
	    {"_1", -BS_EINVAL, 0, 0},
	    {"1_", -BS_EINVAL, 0, 0},
	    {"1,", -BS_EINVAL, 0, 0},
	    {"1__2", -BS_EINVAL, 0, 0},
	    {"1;2", -BS_EINVAL, 0, 0},
	    {"1 2", -BS_EINVAL, 0, 0},
	    {" 1", -BS_EINVAL, 0, 0},
	    {"AS1", -BS_EINVAL, 0, 0},
	    {"01", -BS_EINVAL, 0, 0},
	    {"-1", -BS_EINVAL, 0, 0},
	    {"0", -BS_ERANGE, 0, 0},
	    {"5_0", -BS_ERANGE, 0, 0},
	    {"4294967296", -BS_ERANGE, 0, 0},
	    {"99999999999999999999", -BS_ERANGE, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t first = 99;
		size_t count = 99;
		int rc = pfx2as_parse_origins(cases[i].s, strlen(cases[i].s), &first, &count);
		ck_assert_msg(rc == cases[i].rc, "'%s': %d, want %d", cases[i].s, rc, cases[i].rc);
		if (rc == 0) {
			ck_assert_uint_eq(first, cases[i].first);
			ck_assert_uint_eq(count, cases[i].count);
		}
	}
	/* the length is what counts, not a NUL */
	ck_assert_int_eq(pfx2as_parse_origins("12_34", 2, NULL, NULL), 0);
	char longest[GEO_ORIGINS_LEN + 1];
	memset(longest, '1', sizeof longest);
	for (size_t i = 1; i < GEO_ORIGINS_LEN; i += 2)
		longest[i] = '_';
	ck_assert_int_eq(pfx2as_parse_origins(longest, GEO_ORIGINS_LEN - 1, NULL, NULL), 0);
	ck_assert_int_eq(pfx2as_parse_origins(longest, GEO_ORIGINS_LEN, NULL, NULL), -BS_ERANGE);
}
END_TEST

START_TEST(bad_lines_name_file_and_line)
{
	static const struct {
		const char *line, *why;
	} cases[] = {
	    {"10.0.0.0\t8", "not three tab-separated fields"},
	    {"10.0.0.0\t8\t1\t2", "not three tab-separated fields"},
	    {"10.0.0.0 8 1", "not three tab-separated fields"},
	    {"10.0.0.0\t8\t1\r", "origin is not AS numbers"},
	    {"10.0.0\t8\t1", "prefix is not an IPv4 or IPv6 address: '10.0.0'"},
	    {"\t8\t1", "prefix is not an IPv4 or IPv6 address"},
	    {"10.0.0.0/8\t8\t1", "prefix is not an IPv4 or IPv6 address"},
	    {"10.0.0.0\t\t1", "length is not a number"},
	    {"10.0.0.0\t-8\t1", "length is not a number from 0 to 128: '-8'"},
	    {"10.0.0.0\t0008\t1", "length is not a number"},
	    {"10.0.0.0\t33\t1", "length beyond 32 for an IPv4 prefix"},
	    {"2001:db8::\t129\t1", "length beyond 128 for an IPv6 prefix"},
	    {"10.0.0.1\t8\t1", "host bits set beyond the length: '10.0.0.1'"},
	    {"2001:db8::1\t64\t1", "host bits set beyond the length"},
	    {"10.0.0.0\t8\t", "origin is not AS numbers joined by '_' or ',': ''"},
	    {"10.0.0.0\t8\tAS1", "origin is not AS numbers"},
	    {"10.0.0.0\t8\t1 ", "origin is not AS numbers"},
	    {"10.0.0.0\t8\t0", "origin AS 0 (reserved) or beyond 4294967295: '0'"},
	    {"10.0.0.0\t8\t4294967296", "origin AS 0 (reserved) or beyond"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[256];
		/* two good lines, a comment and an empty line before it: line 5 */
		snprintf(text, sizeof text, "1.0.0.0\t24\t13335\n# c\n\n2.0.0.0\t8\t3215\n%s\n",
		         cases[i].line);
		pfx2as_t *t = pfx2as_create();
		struct bs_err err;
		int rc = pfx2as_add_text(t, "rv.pfx2as", text, strlen(text), &err);
		ck_assert_msg(rc == -BS_EFORMAT, "'%s': %d", cases[i].line, rc);
		ck_assert_msg(strncmp(err.msg, "rv.pfx2as: line 5: ", 19) == 0, "'%s': %s",
		              cases[i].line, err.msg);
		ck_assert_msg(strstr(err.msg, cases[i].why) != NULL, "'%s': %s", cases[i].line,
		              err.msg);
		ck_assert_ptr_null(strchr(err.msg, '\n'));
		pfx2as_free(t);
	}
}
END_TEST

START_TEST(overlong_fields_and_lines)
{
	char line[PFX2AS_LINE_MAX + 64];
	int n = snprintf(line, sizeof line, "10.0.0.0\t8\t");
	memset(line + n, '7', GEO_ORIGINS_LEN);
	line[n + GEO_ORIGINS_LEN] = '\0';
	pfx2as_t *t = pfx2as_create();
	struct bs_err err;
	ck_assert_int_eq(pfx2as_add_text(t, "x", line, strlen(line), &err), -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "x: line 1: origin field of 256 bytes or more"));
	ck_assert_ptr_nonnull(strstr(err.msg, "...")); /* quoted, cut short */
	memset(line, 'x', PFX2AS_LINE_MAX + 1);
	ck_assert_int_eq(pfx2as_add_text(t, "y", line, PFX2AS_LINE_MAX + 1, &err), -BS_EFORMAT);
	ck_assert_str_eq(err.msg, "y: line 1: longer than 320 bytes");
	pfx2as_free(t);
}
END_TEST

START_TEST(ipv4_longest_match_nested)
{
	pfx2as_t *t = table_of("10.0.0.0\t8\t100\n"
	                       "10.1.0.0\t16\t101_102\n"
	                       "10.1.2.0\t24\t103,104\n"
	                       "10.1.2.3\t32\t105\n"
	                       "10.1.2.128\t25\t106\n"
	                       "10.200.0.0\t16\t100\n" /* same AS as around it */
	                       "255.255.255.255\t32\t107\n"
	                       "255.0.0.0\t8\t108\n"
	                       "0.0.0.0\t32\t109");
	static const char *const want[][2] = {
	    {"9.255.255.255", "-"},     {"10.0.0.0", "100"},         {"10.0.255.255", "100"},
	    {"10.1.0.0", "101_102"},    {"10.1.2.2", "103,104"},     {"10.1.2.0", "103,104"},
	    {"10.1.1.255", "101_102"},  {"10.1.2.3", "105"},         {"10.1.2.4", "103,104"},
	    {"10.1.2.127", "103,104"},  {"10.1.2.128", "106"},       {"10.1.2.255", "106"},
	    {"10.1.3.0", "101_102"},    {"10.1.255.255", "101_102"}, {"10.2.0.0", "100"},
	    {"10.200.1.1", "100"},      {"10.255.255.255", "100"},   {"11.0.0.0", "-"},
	    {"254.255.255.255", "-"},   {"255.0.0.0", "108"},        {"255.255.255.254", "108"},
	    {"255.255.255.255", "107"}, {"0.0.0.0", "109"},          {"0.0.0.1", "-"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strcmp(at(t, want[i][0]), want[i][1]) == 0, "%s: %s, want %s",
		              want[i][0], at(t, want[i][0]), want[i][1]);
	ck_assert_uint_eq(pfx2as_count(t, BS_AF_INET), 9);
	ck_assert_uint_eq(pfx2as_count(t, BS_AF_INET6), 0);
	ck_assert_str_eq(at(t, "2001:db8::1"), "-");
	pfx2as_free(t);
}
END_TEST

START_TEST(default_routes_and_ipv6)
{
	/* one text with both families, in no order */
	pfx2as_t *t = table_of("2001:db8::\t32\t200\n"
	                       "0.0.0.0\t0\t1\n"
	                       "2001:db8::1\t128\t201_202\n"
	                       "::\t0\t2\n"
	                       "2001:db8:0:1::\t64\t203\n"
	                       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\t128\t204\n"
	                       "2001:db8:8000::\t33\t205\n"
	                       "10.0.0.0\t8\t3\n");
	static const char *const want[][2] = {
	    {"0.0.0.0", "1"},
	    {"255.255.255.255", "1"},
	    {"10.9.9.9", "3"},
	    {"11.0.0.0", "1"},
	    {"::", "2"},
	    {"::1", "2"},
	    {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2"},
	    {"2001:db8::", "200"},
	    {"2001:db8::1", "201_202"},
	    {"2001:db8::2", "200"},
	    {"2001:db8:0:1::", "203"},
	    {"2001:db8:0:1:ffff:ffff:ffff:ffff", "203"},
	    {"2001:db8:0:2::", "200"},
	    {"2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", "200"},
	    {"2001:db8:8000::", "205"},
	    {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "205"},
	    {"2001:db9::", "2"},
	    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "2"},
	    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "204"},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strcmp(at(t, want[i][0]), want[i][1]) == 0, "%s: %s, want %s",
		              want[i][0], at(t, want[i][0]), want[i][1]);
	ck_assert_uint_eq(pfx2as_count(t, BS_AF_INET), 2);
	ck_assert_uint_eq(pfx2as_count(t, BS_AF_INET6), 6);
	pfx2as_free(t);
}
END_TEST

START_TEST(empty_table_finds_nothing)
{
	pfx2as_t *t = table_of("# nothing but a comment\n\n");
	ck_assert_str_eq(at(t, "10.0.0.1"), "-");
	ck_assert_str_eq(at(t, "::1"), "-");
	pfx2as_free(t);
}
END_TEST

START_TEST(duplicates_named_with_both_lines)
{
	pfx2as_t *t = pfx2as_create();
	struct bs_err err;
	const char *a = "10.0.0.0\t8\t1\n10.1.0.0\t16\t2\n10.0.0.0\t8\t3\n";
	ck_assert_int_eq(pfx2as_add_text(t, "a", a, strlen(a), &err), 0);
	ck_assert_int_eq(pfx2as_finish(t, &err), -BS_EFORMAT);
	ck_assert_str_eq(err.msg, "a: line 3: prefix 10.0.0.0/8 already given at line 1");
	pfx2as_free(t);

	t = pfx2as_create();
	const char *b = "2001:db8::\t32\t1\n";
	const char *c = "\n2001:db8::\t32\t1\n";
	ck_assert_int_eq(pfx2as_add_text(t, "b", b, strlen(b), &err), 0);
	ck_assert_int_eq(pfx2as_add_text(t, "c", c, strlen(c), &err), 0);
	ck_assert_int_eq(pfx2as_finish(t, &err), -BS_EFORMAT);
	ck_assert_str_eq(err.msg, "c: line 2: prefix 2001:db8::/32 already given in b at line 1");
	/* the same network with another length is no duplicate */
	pfx2as_free(t);
	pfx2as_free(table_of("10.0.0.0\t8\t1\n10.0.0.0\t9\t1\n10.0.0.0\t32\t1\n"));
}
END_TEST

/* A random prefix of length 8..32 inside 10.0.0.0/8's first /12, so that
 * many nest and many repeat (repeats are skipped by the caller). */
static void random_prefix(unsigned *seed, uint32_t *net, unsigned *len)
{
	*len = 12 + (unsigned)(rand_r(seed) % 21);
	uint32_t bits = 0x0a000000u | ((uint32_t)rand_r(seed) & 0x000fffffu);
	*net = bits & (UINT32_MAX << (32 - *len));
}

START_TEST(random_tables_match_brute_force)
{
	unsigned seed = 12345;
	for (int round = 0; round < 20; round++) {
		uint32_t net[RANDOM_PREFIXES];
		unsigned len[RANDOM_PREFIXES];
		size_t n = 0;
		char *text = malloc(RANDOM_PREFIXES * 64);
		size_t used = 0;
		while (n < RANDOM_PREFIXES) {
			random_prefix(&seed, &net[n], &len[n]);
			bool repeat = false;
			for (size_t j = 0; j < n; j++)
				repeat |= net[j] == net[n] && len[j] == len[n];
			if (repeat)
				continue;
			used += (size_t)sprintf(text + used, "%u.%u.%u.%u\t%u\t%zu\n", net[n] >> 24,
			                        net[n] >> 16 & 255, net[n] >> 8 & 255, net[n] & 255,
			                        len[n], n + 1);
			n++;
		}
		pfx2as_t *t = pfx2as_create();
		struct bs_err err;
		ck_assert_int_eq(pfx2as_add_text(t, "r", text, used, &err), 0);
		ck_assert_int_eq(pfx2as_finish(t, &err), 0);
		size_t wrong = 0;
		for (int p = 0; p < RANDOM_PROBES; p++) {
			uint32_t ip = 0x0a000000u | ((uint32_t)rand_r(&seed) & 0x001fffffu);
			if (p % 4 == 0) { /* a prefix's first, last or next address */
				size_t j = (size_t)p / 4 % n;
				uint32_t size = len[j] == 32 ? 1u : 1u << (32 - len[j]);
				int k = p / 4 % 3;
				ip = net[j] + (k == 0 ? 0 : k == 1 ? size - 1 : size);
			}
			size_t best = 0;
			unsigned best_len = 0;
			for (size_t j = 0; j < n; j++) {
				uint32_t mask = UINT32_MAX << (32 - len[j]);
				if ((ip & mask) == net[j] && (best == 0 || len[j] > best_len)) {
					best = j + 1;
					best_len = len[j];
				}
			}
			bs_addr_t a;
			bs_addr_from_v4(&a, ip);
			const char *got = pfx2as_lookup(t, &a);
			char want[16];
			snprintf(want, sizeof want, "%zu", best);
			wrong += best == 0 ? got != NULL : (got == NULL || strcmp(got, want) != 0);
		}
		ck_assert_uint_eq(wrong, 0);
		pfx2as_free(t);
		free(text);
	}
}
END_TEST

START_TEST(fill_combines_with_maxmind)
{
	pfx2as_t *t = table_of("192.0.2.0\t24\t64500\n"
	                       "198.51.100.0\t24\t64500_64501\n"
	                       "203.0.113.0\t24\t64502,64500\n");
	static const struct {
		const char *ip;
		uint32_t mm_asn;
		const char *mm_org;
		uint32_t asn;
		const char *origins, *org;
	} cases[] = {
	    {"192.0.2.1", 64500, "Example", 64500, "", "Example"}, /* agree: org kept */
	    {"192.0.2.1", 64999, "Other", 64500, "", ""},          /* disagree: dropped */
	    {"192.0.2.1", 0, "", 64500, "", ""},                   /* no MaxMind */
	    {"198.51.100.7", 64500, "Example", 64500, "64500_64501", ""},
	    {"203.0.113.9", 64502, "Set", 64502, "64502,64500", ""},
	    {"10.0.0.1", 64500, "Example", 0, "", ""}, /* not in the table */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct geo_info g;
		memset(&g, 0, sizeof g);
		strcpy(g.country, "SE");
		g.asn = cases[i].mm_asn;
		strcpy(g.as_org, cases[i].mm_org);
		strcpy(g.origins, "stale");
		bs_addr_t a;
		ck_assert_int_eq(bs_addr_parse(cases[i].ip, &a), 0);
		pfx2as_fill(t, &a, &g);
		ck_assert_uint_eq(g.asn, cases[i].asn);
		ck_assert_str_eq(g.origins, cases[i].origins);
		ck_assert_str_eq(g.as_org, cases[i].org);
		ck_assert_str_eq(g.country, "SE");
	}
	pfx2as_free(t);
}
END_TEST

/* A temporary file name for the file tests. */
static char *temp_path(const char *suffix)
{
	static char buf[256];
	snprintf(buf, sizeof buf, "%s/check_pfx2as.%ld%s",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid(), suffix);
	return buf;
}

/* Lines enough to cross several read blocks: 10.x.y.0/24 for i. */
static size_t many_lines(char *buf, size_t n)
{
	size_t used = 0;
	for (size_t i = 0; i < n; i++)
		used += (size_t)sprintf(buf + used, "10.%zu.%zu.0\t24\t%zu_%zu\n", i / 256, i % 256,
		                        i + 1, i + 2);
	return used;
}

/* Writes len bytes at data to path. */
static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* text as one zstd frame in a new buffer; its length in *len. */
static void *zstd_of(const char *text, size_t *len)
{
	size_t cap = ZSTD_compressBound(*len);
	void *z = malloc(cap);
	ck_assert_ptr_nonnull(z);
	size_t n = ZSTD_compress(z, cap, text, *len, 3);
	ck_assert(!ZSTD_isError(n));
	*len = n;
	return z;
}

START_TEST(files_plain_gzip_and_zstd)
{
	/* about 1.6 MB: the reader's first block (64 KiB) and a full one
	 * (1 MiB) end inside lines */
	enum { LINES = 64000 };
	char *text = malloc((size_t)LINES * 40);
	size_t len = many_lines(text, LINES);
	char plain[256], packed[256], zst[256];
	snprintf(plain, sizeof plain, "%s", temp_path(".txt"));
	snprintf(packed, sizeof packed, "%s", temp_path(".gz"));
	snprintf(zst, sizeof zst, "%s", temp_path(".zst"));
	write_file(plain, text, len);
	gzFile g = gzopen(packed, "wb");
	ck_assert_int_eq(gzwrite(g, text, (unsigned)len), (int)len);
	gzclose(g);
	size_t zlen = len;
	void *z = zstd_of(text, &zlen);
	write_file(zst, z, zlen);
	for (int which = 0; which < 3; which++) {
		const char *paths[] = {which == 0 ? plain : which == 1 ? packed : zst};
		pfx2as_t *t;
		struct bs_err err;
		ck_assert_int_eq(pfx2as_load(paths, 1, &t, &err), 0);
		ck_assert_uint_eq(pfx2as_count(t, BS_AF_INET), LINES);
		size_t wrong = 0;
		for (size_t i = 0; i < LINES; i += 7) {
			char ip[32], want[32];
			snprintf(ip, sizeof ip, "10.%zu.%zu.77", i / 256, i % 256);
			snprintf(want, sizeof want, "%zu_%zu", i + 1, i + 2);
			wrong += strcmp(at(t, ip), want) != 0;
		}
		ck_assert_uint_eq(wrong, 0);
		pfx2as_free(t);
	}
	/* a bad line deep in the gzip file: its number is counted across
	 * blocks */
	memcpy(text + len - 5, "x\n", 3);
	g = gzopen(packed, "wb");
	gzwrite(g, text, (unsigned)(len - 3));
	gzclose(g);
	const char *paths[] = {packed};
	pfx2as_t *t;
	struct bs_err err;
	ck_assert_int_eq(pfx2as_load(paths, 1, &t, &err), -BS_EFORMAT);
	ck_assert_ptr_null(t);
	char want[300];
	snprintf(want, sizeof want, "%s: line %d: origin is not AS numbers", packed, LINES);
	ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
	/* a gzip file cut short */
	ck_assert_int_eq(truncate(packed, 1000), 0);
	ck_assert_int_eq(pfx2as_load(paths, 1, &t, &err), -BS_EIO);
	ck_assert_msg(strstr(err.msg, "damaged or cut-short gzip data (") != NULL, "%s", err.msg);
	/* a zstd file cut short, named as such */
	write_file(zst, z, zlen / 2);
	const char *zpaths[] = {zst};
	ck_assert_int_eq(pfx2as_load(zpaths, 1, &t, &err), -BS_EIO);
	snprintf(want, sizeof want, "%s: damaged or cut-short zstd data (cut short)", zst);
	ck_assert_str_eq(err.msg, want);
	unlink(plain);
	unlink(packed);
	unlink(zst);
	free(z);
	free(text);
}
END_TEST

/* A table read from a pipe, as from <(zcat x): its first bytes are read
 * to tell plain from gzip, and must not be lost. */
START_TEST(file_from_a_pipe)
{
	static const char text[] = "10.0.0.0\t8\t1\n10.1.0.0\t16\t2_3\n";
	for (int packed = 0; packed < 2; packed++) {
		size_t len = sizeof text - 1;
		void *z = packed ? zstd_of(text, &len) : NULL;
		int fd[2];
		ck_assert_int_eq(pipe(fd), 0);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(fd[0]);
			_exit(write(fd[1], packed ? z : text, len) == (ssize_t)len ? 0 : 1);
		}
		close(fd[1]);
		char path[64];
		snprintf(path, sizeof path, "/dev/fd/%d", fd[0]);
		const char *paths[] = {path};
		pfx2as_t *t;
		struct bs_err err;
		ck_assert_msg(pfx2as_load(paths, 1, &t, &err) == 0, "%s", err.msg);
		ck_assert_str_eq(at(t, "10.1.2.3"), "2_3");
		ck_assert_str_eq(at(t, "10.2.0.0"), "1");
		pfx2as_free(t);
		close(fd[0]);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		free(z);
	}
}
END_TEST

START_TEST(files_that_cannot_be_read)
{
	pfx2as_t *t;
	struct bs_err err;
	const char *missing[] = {"/nonexistent/rv2.pfx2as"};
	ck_assert_int_eq(pfx2as_load(missing, 1, &t, &err), -BS_EIO);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/rv2.pfx2as: "));
	const char *dir[] = {"/"};
	ck_assert_int_eq(pfx2as_load(dir, 1, &t, &err), -BS_EIO);
	ck_assert_int_eq(err.sys_errno, EISDIR);
	ck_assert_str_eq(err.msg, "/: Is a directory");
	/* a compression that is not read: said, not parsed as lines */
	char *bz = temp_path(".bz2");
	write_file(bz, "BZh91AY&SY", 10);
	const char *bzp[] = {bz};
	ck_assert_int_eq(pfx2as_load(bzp, 1, &t, &err), -BS_EFORMAT);
	char want[300];
	snprintf(want, sizeof want, "%s: bzip2-compressed: a table is read plain, gzip or zstd",
	         bz);
	ck_assert_str_eq(err.msg, want);
	unlink(bz);
	/* a line longer than PFX2AS_LINE_MAX with no end in the file */
	char *path = temp_path(".long");
	FILE *f = fopen(path, "w");
	fputs("10.0.0.0\t8\t1\n", f);
	for (int i = 0; i < 200000; i++)
		fputc('1', f);
	fclose(f);
	const char *paths[] = {path};
	ck_assert_int_eq(pfx2as_load(paths, 1, &t, &err), -BS_EFORMAT);
	ck_assert_msg(strstr(err.msg, ": line 2: longer than 320 bytes") != NULL, "%s", err.msg);
	unlink(path);
	/* nothing may be added once the table is built */
	t = table_of("10.0.0.0\t8\t1\n");
	ck_assert_int_eq(pfx2as_add_text(t, "late", "", 0, &err), -BS_EINVAL);
	pfx2as_free(t);
}
END_TEST

/* Runs every file of $TESTDATA/rel through the fuzz target's checks;
 * returns how many there were. */
static size_t replay(const char *rel)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/%s", getenv("TESTDATA"), rel);
	DIR *d = opendir(dir);
	size_t n = 0;
	for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		static uint8_t buf[1 << 16];
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		const char *why = fuzz_run_pfx2as(buf, len);
		ck_assert_msg(why == NULL, "%s: %s", path, why);
		n++;
	}
	if (d != NULL)
		closedir(d);
	return n;
}

START_TEST(fuzz_seeds_and_findings)
{
	ck_assert_ptr_nonnull(getenv("TESTDATA"));
	ck_assert_uint_ge(replay("../fuzz/corpus/pfx2as"), 6);
	replay("fuzz-regress/pfx2as");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pfx2as");
	TCase *tc = tcase_create("pfx2as");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, origin_fields);
	tcase_add_test(tc, bad_lines_name_file_and_line);
	tcase_add_test(tc, overlong_fields_and_lines);
	tcase_add_test(tc, ipv4_longest_match_nested);
	tcase_add_test(tc, default_routes_and_ipv6);
	tcase_add_test(tc, empty_table_finds_nothing);
	tcase_add_test(tc, duplicates_named_with_both_lines);
	tcase_add_test(tc, random_tables_match_brute_force);
	tcase_add_test(tc, fill_combines_with_maxmind);
	tcase_add_test(tc, files_plain_gzip_and_zstd);
	tcase_add_test(tc, file_from_a_pipe);
	tcase_add_test(tc, files_that_cannot_be_read);
	tcase_add_test(tc, fuzz_seeds_and_findings);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

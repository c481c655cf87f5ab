/* fuzz_pfx2as.c - libFuzzer target for the prefix-to-AS reader and its
 * longest-prefix match (telescope/pfx2as.h); the contract is in
 * fuzz_pfx2as.h. The matcher it is checked against scans every line for
 * every probe and compares address bits one by one: slow and obviously
 * right, which the flattened ranges are not. */
#include "tests/fuzz/fuzz_pfx2as.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "telescope/addr.h"
#include "telescope/pfx2as.h"

/* The name the input is read under; every refusal starts with it. */
#define FUZZ_NAME "fuzz.pfx2as"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One accepted line as the brute-force matcher sees it. */
struct line_pfx {
	bs_addr_t net;
	unsigned len;
	const char *field; /* into the input, not NUL-terminated */
	size_t field_len;
};

static unsigned width_bytes(const bs_addr_t *a)
{
	return a->family == BS_AF_INET ? 4 : 16;
}

static bool holds(const struct line_pfx *p, const bs_addr_t *a)
{
	if (a->family != p->net.family)
		return false;
	for (unsigned bit = 0; bit < p->len; bit++) {
		uint8_t m = (uint8_t)(0x80u >> (bit % 8));
		if ((a->bytes[bit / 8] & m) != (p->net.bytes[bit / 8] & m))
			return false;
	}
	return true;
}

/* a + 1 or a - 1 in its family's space, wrapping at the ends. */
static void step(bs_addr_t *a, bool up)
{
	for (unsigned i = width_bytes(a); i-- > 0;) {
		uint8_t before = a->bytes[i];
		a->bytes[i] = (uint8_t)(up ? before + 1 : before - 1);
		if (up ? a->bytes[i] != 0 : before != 0)
			break;
	}
}

static bs_addr_t last_of(const struct line_pfx *p)
{
	bs_addr_t a = p->net;
	for (unsigned bit = p->len; bit < width_bytes(&a) * 8; bit++)
		a.bytes[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
	return a;
}

/* Parses an accepted line "PREFIX\tLEN\tFIELD" (len bytes at s) into *p:
 * false when the table took a line that is not one. */
static bool parse_line(const char *s, size_t len, struct line_pfx *p)
{
	const char *t1 = memchr(s, '\t', len);
	const char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - s)) : NULL;
	char text[BS_ADDR_STRLEN], num[4];
	if (t2 == NULL || (size_t)(t1 - s) >= sizeof text || (size_t)(t2 - t1 - 1) >= sizeof num)
		return false;
	memcpy(text, s, (size_t)(t1 - s));
	text[t1 - s] = '\0';
	memcpy(num, t1 + 1, (size_t)(t2 - t1 - 1));
	num[t2 - t1 - 1] = '\0';
	p->len = (unsigned)strtoul(num, NULL, 10);
	p->field = t2 + 1;
	p->field_len = len - (size_t)(t2 + 1 - s);
	return bs_addr_parse(text, &p->net) == 0 && p->len <= width_bytes(&p->net) * 8;
}

/* The lookup and the fill for a agree with the brute-force scan. */
static const char *probe(const pfx2as_t *t, const struct line_pfx *lines, size_t n,
                         const bs_addr_t *a)
{
	const struct line_pfx *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (holds(&lines[i], a) && (best == NULL || lines[i].len > best->len))
			best = &lines[i];
	const char *got = pfx2as_lookup(t, a);
	if ((got == NULL) != (best == NULL))
		return best ? "an address a prefix holds not found"
		            : "an address no prefix holds found";
	struct geo_info g;
	memset(&g, 0, sizeof g);
	strcpy(g.country, "SE");
	strcpy(g.as_org, "org");
	strcpy(g.origins, "stale");
	uint32_t first = 0;
	size_t count = 0;
	if (best != NULL) {
		if (strlen(got) != best->field_len ||
		    memcmp(got, best->field, best->field_len) != 0)
			return "lookup is not the longest prefix's origin field";
		if (pfx2as_parse_origins(got, strlen(got), &first, &count) != 0 || count == 0)
			return "an accepted origin field does not parse";
		g.asn = first; /* MaxMind agrees with the first AS */
	}
	pfx2as_fill(t, a, &g);
	if (g.asn != first || strcmp(g.country, "SE") != 0)
		return "fill: asn not the field's first AS, or country changed";
	if (strcmp(g.origins, count > 1 ? got : "") != 0)
		return "fill: origins not the field of several ASes";
	if (strcmp(g.as_org, count == 1 ? "org" : "") != 0)
		return "fill: as_org kept other than for one agreeing AS";
	return NULL;
}

/* The accepted table t of data against its lines. */
static const char *check_table(const pfx2as_t *t, const char *data, size_t size)
{
	struct line_pfx *lines = malloc((size / 6 + 1) * sizeof *lines); /* a line is 6+ bytes */
	if (lines == NULL)
		return NULL;
	size_t n = 0, n4 = 0;
	const char *why = NULL;
	for (size_t at = 0; why == NULL && at < size;) {
		const char *nl = memchr(data + at, '\n', size - at);
		size_t end = nl ? (size_t)(nl - data) : size;
		if (end > at && data[at] != '#') {
			if (!parse_line(data + at, end - at, &lines[n]))
				why = "accepted a line that is not prefix, length and origin";
			else
				n4 += lines[n++].net.family == BS_AF_INET;
		}
		at = end + 1;
	}
	if (why == NULL &&
	    (pfx2as_count(t, BS_AF_INET) != n4 || pfx2as_count(t, BS_AF_INET6) != n - n4))
		why = "prefix counts differ from the lines";
	for (size_t i = 0; why == NULL && i < n; i++) {
		bs_addr_t a[4] = {lines[i].net, last_of(&lines[i]), last_of(&lines[i]),
		                  lines[i].net};
		step(&a[2], true);
		step(&a[3], false);
		for (int k = 0; why == NULL && k < 4; k++)
			why = probe(t, lines, n, &a[k]);
	}
	free(lines);
	return why;
}

/* Whether all size bytes at s are digits, '_' or ','. */
static bool origin_bytes(const char *s, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '_' && s[i] != ',')
			return false;
	return true;
}

const char *fuzz_run_pfx2as(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	uint32_t first;
	size_t count;
	if (pfx2as_parse_origins(text, size, &first, &count) == 0 &&
	    (first == 0 || count == 0 || size >= GEO_ORIGINS_LEN || !origin_bytes(text, size)))
		return "an origin field accepted that is not ASes joined by _ or ,";
	pfx2as_t *t = pfx2as_create();
	if (t == NULL)
		return NULL;
	struct bs_err err;
	int rc = pfx2as_add_text(t, FUZZ_NAME, text, size, &err);
	if (rc == 0)
		rc = pfx2as_finish(t, &err);
	const char *why = NULL;
	if (rc == 0)
		why = check_table(t, text, size);
	else if (rc != -BS_ENOMEM &&
	         (rc != -BS_EFORMAT ||
	          strncmp(err.msg, FUZZ_NAME ": ", strlen(FUZZ_NAME) + 2) != 0 ||
	          strchr(err.msg, '\n') != NULL || err.code != rc))
		why = "a refusal that is not one line naming the input";
	pfx2as_free(t);
	return why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_pfx2as(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_pfx2as: %s\n", why);
		abort();
	}
	return 0;
}

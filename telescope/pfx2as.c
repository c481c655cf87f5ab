/* pfx2as.c - prefix-to-AS tables read, checked and flattened into sorted
 * ranges (see pfx2as.h for the format and why ranges). */
#include "telescope/pfx2as.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_intern.h"
#include "telescope/bytesource.h"

/* Bytes of a bad field quoted in a message. */
#define PFX2AS_QUOTE 48
/* Decimal text of a constant, for messages. */
#define PFX2AS_STR_(x) #x
#define PFX2AS_STR(x)  PFX2AS_STR_(x)
/* Files a table can name in messages (uint16 in struct entry): a table is
 * one IPv4 and one IPv6 file. */
#define PFX2AS_MAX_FILES UINT16_MAX

/* An address as an unsigned 128-bit number, right-aligned: an IPv4
 * address is lo's low 32 bits, so +1 and comparisons need no family. */
struct u128 {
	uint64_t hi, lo;
};

/* A prefix as read, kept until pfx2as_finish() (32 bytes). */
struct entry {
	struct u128 net;
	uint32_t origin; /* index of its origin field in origins */
	uint32_t line;   /* for messages */
	uint16_t file;   /* index in files */
	uint8_t len;
	uint8_t family; /* BS_AF_INET or BS_AF_INET6 */
};

/* The flattened table of one family: range i covers [key i, key i+1)
 * (the last one, to the end of the family's space) and origin[i] is its
 * origin field's index + 1, 0 where no prefix holds it. Consecutive
 * ranges have different origins. */
struct ranges {
	uint32_t *key4;    /* IPv4 */
	struct u128 *key6; /* IPv6 */
	uint32_t *origin;
	size_t n, cap_key, cap_origin;
};

struct pfx2as {
	struct entry *entries;
	size_t n_entries, cap_entries;
	size_t count[2]; /* prefixes by family: [0] IPv4, [1] IPv6 */
	char **files;
	size_t n_files, cap_files;
	bs_intern_t *origins; /* the distinct origin fields, as written */
	bool finished;
	struct ranges fam[2]; /* [0] IPv4, [1] IPv6 */
};

static size_t fam_index(int family)
{
	return family == BS_AF_INET6 ? 1 : 0;
}

static unsigned family_width(int family)
{
	return family == BS_AF_INET6 ? 128 : 32;
}

pfx2as_t *pfx2as_create(void)
{
	pfx2as_t *t = calloc(1, sizeof *t);
	if (t != NULL && (t->origins = bs_intern_create(BS_INTERN_STRINGS)) == NULL) {
		free(t);
		t = NULL;
	}
	return t;
}

static void ranges_free(struct ranges *r)
{
	free(r->key4);
	free(r->key6);
	free(r->origin);
}

void pfx2as_free(pfx2as_t *t)
{
	if (t == NULL)
		return;
	free(t->entries);
	for (size_t i = 0; i < t->n_files; i++)
		free(t->files[i]);
	free(t->files);
	bs_intern_free(t->origins);
	ranges_free(&t->fam[0]);
	ranges_free(&t->fam[1]);
	free(t);
}

size_t pfx2as_count(const pfx2as_t *t, int family)
{
	return t->count[fam_index(family)];
}

static struct u128 key_of(const bs_addr_t *a)
{
	struct u128 k = {0, 0};
	if (a->family == BS_AF_INET) {
		k.lo = bs_addr_v4(a);
		return k;
	}
	for (int i = 0; i < 8; i++) {
		k.hi = k.hi << 8 | a->bytes[i];
		k.lo = k.lo << 8 | a->bytes[8 + i];
	}
	return k;
}

/* The low `bits` bits set (bits <= 128). */
static struct u128 low_ones(unsigned bits)
{
	struct u128 m;
	m.lo = bits >= 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
	m.hi = bits >= 128 ? UINT64_MAX : bits > 64 ? (UINT64_C(1) << (bits - 64)) - 1 : 0;
	return m;
}

static bool u128_lt(struct u128 a, struct u128 b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static bool u128_eq(struct u128 a, struct u128 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

static struct u128 u128_next(struct u128 a)
{
	a.lo++;
	if (a.lo == 0)
		a.hi++;
	return a;
}

/* The last address of e's prefix. */
static struct u128 last_of(const struct entry *e)
{
	struct u128 host = low_ones(family_width(e->family) - e->len);
	return (struct u128){e->net.hi | host.hi, e->net.lo | host.lo};
}

int pfx2as_parse_origins(const char *s, size_t len, uint32_t *first, size_t *count)
{
	if (len >= GEO_ORIGINS_LEN)
		return -BS_ERANGE;
	uint32_t head = 0;
	size_t n = 0;
	size_t i = 0;
	for (;;) {
		size_t start = i;
		uint64_t v = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (uint64_t)(s[i] - '0');
			if (v > UINT32_MAX)
				return -BS_ERANGE;
			i++;
		}
		/* no digits, or a leading zero: not an AS number as written */
		if (i == start || (s[start] == '0' && i - start > 1))
			return -BS_EINVAL;
		if (v == 0)
			return -BS_ERANGE;
		if (n++ == 0)
			head = (uint32_t)v;
		if (i == len)
			break;
		if (s[i] != '_' && s[i] != ',')
			return -BS_EINVAL;
		i++;
	}
	if (first != NULL)
		*first = head;
	if (count != NULL)
		*count = n;
	return 0;
}

/* A file being read: its name and the number of the line at hand. */
struct source {
	const char *name;
	uint16_t file;
	uint32_t line;
};

static int bad_line(struct bs_err *err, const struct source *src, const char *what,
                    const char *field, size_t len)
{
	if (field == NULL)
		return bs_err_set(err, -BS_EFORMAT, "%s: line %" PRIu32 ": %s", src->name,
		                  src->line, what);
	int shown = len > PFX2AS_QUOTE ? PFX2AS_QUOTE : (int)len;
	return bs_err_set(err, -BS_EFORMAT, "%s: line %" PRIu32 ": %s '%.*s%s'", src->name,
	                  src->line, what, shown, field, len > PFX2AS_QUOTE ? "..." : "");
}

/* A field of a line that is wrong, and what is wrong with it. */
struct fault {
	const char *why;
	const char *field;
	size_t len;
};

/* Parses the prefix (p) and length (l) fields into e (family, net, len).
 * 0, or -1 with *f saying which field is wrong and why. */
static int parse_prefix(const char *p, size_t plen, const char *l, size_t llen, struct entry *e,
                        struct fault *f)
{
	char text[BS_ADDR_STRLEN];
	bs_addr_t a;
	*f = (struct fault){"prefix is not an IPv4 or IPv6 address:", p, plen};
	if (plen == 0 || plen >= sizeof text || memchr(p, '\0', plen) != NULL)
		return -1;
	memcpy(text, p, plen);
	text[plen] = '\0';
	if (bs_addr_parse(text, &a) != 0)
		return -1;
	unsigned width = family_width(a.family);
	unsigned len = 0;
	*f = (struct fault){"length is not a number from 0 to 128:", l, llen};
	/* at most three digits: every length fits, and no digit string wraps */
	if (llen == 0 || llen > 3)
		return -1;
	for (size_t i = 0; i < llen; i++) {
		if (l[i] < '0' || l[i] > '9')
			return -1;
		len = len * 10 + (unsigned)(l[i] - '0');
	}
	if (len > width) {
		f->why = a.family == BS_AF_INET ? "length beyond 32 for an IPv4 prefix:"
		                                : "length beyond 128 for an IPv6 prefix:";
		return -1;
	}
	e->family = a.family;
	e->len = (uint8_t)len;
	e->net = key_of(&a);
	struct u128 host = low_ones(width - len);
	*f = (struct fault){"host bits set beyond the length:", p, plen};
	return (e->net.hi & host.hi) != 0 || (e->net.lo & host.lo) != 0 ? -1 : 0;
}

/* One line (without its '\n') of src. */
static int add_line(pfx2as_t *t, const struct source *src, const char *p, size_t len,
                    struct bs_err *err)
{
	if (len == 0 || p[0] == '#')
		return 0;
	if (len > PFX2AS_LINE_MAX)
		return bad_line(err, src, "longer than " PFX2AS_STR(PFX2AS_LINE_MAX) " bytes", NULL,
		                0);
	const char *tab1 = memchr(p, '\t', len);
	const char *tab2 = tab1 ? memchr(tab1 + 1, '\t', len - (size_t)(tab1 + 1 - p)) : NULL;
	if (tab2 == NULL || memchr(tab2 + 1, '\t', len - (size_t)(tab2 + 1 - p)) != NULL)
		return bad_line(err, src,
		                "not three tab-separated fields (prefix, length, origin AS):", p,
		                len);
	struct entry e = {.file = src->file, .line = src->line};
	size_t plen = (size_t)(tab1 - p), llen = (size_t)(tab2 - tab1 - 1);
	const char *o = tab2 + 1;
	size_t olen = len - (size_t)(o - p);
	struct fault f;
	if (parse_prefix(p, plen, tab1 + 1, llen, &e, &f) != 0)
		return bad_line(err, src, f.why, f.field, f.len);
	if (olen >= GEO_ORIGINS_LEN)
		return bad_line(err, src,
		                "origin field of " PFX2AS_STR(GEO_ORIGINS_LEN) " bytes or more:", o,
		                olen);
	int rc = pfx2as_parse_origins(o, olen, NULL, NULL);
	if (rc == -BS_ERANGE)
		return bad_line(err, src, "origin AS 0 (reserved) or beyond 4294967295:", o, olen);
	if (rc != 0)
		return bad_line(err, src, "origin is not AS numbers joined by '_' or ',':", o,
		                olen);
	char key[GEO_ORIGINS_LEN];
	memcpy(key, o, olen);
	key[olen] = '\0';
	if (bs_intern_add(t->origins, key, &e.origin) != 0 ||
	    bs_array_reserve(&t->entries, &t->cap_entries, t->n_entries + 1, sizeof e) != 0)
		return bs_err_set(err, -BS_ENOMEM, "%s: %s", src->name, bs_strerror(BS_ENOMEM));
	t->entries[t->n_entries++] = e;
	t->count[fam_index(e.family)]++;
	return 0;
}

/* Adds the lines of buf[0..len) that end in '\n' (all of them when last:
 * the final line may lack it); *used is the bytes taken. */
static int add_lines(pfx2as_t *t, struct source *src, const char *buf, size_t len, bool last,
                     size_t *used, struct bs_err *err)
{
	size_t at = 0;
	while (at < len) {
		const char *nl = memchr(buf + at, '\n', len - at);
		if (nl == NULL && !last)
			break;
		size_t end = nl ? (size_t)(nl - buf) : len;
		src->line++;
		int rc = add_line(t, src, buf + at, end - at, err);
		if (rc != 0)
			return rc;
		at = nl ? end + 1 : len;
	}
	*used = at;
	return 0;
}

/* Records path for messages; its index in *file. */
static int add_source(pfx2as_t *t, const char *name, struct source *src, struct bs_err *err)
{
	if (t->finished)
		return bs_err_set(err, -BS_EINVAL, "%s: the prefix-to-AS table is already built",
		                  name);
	if (t->n_files == PFX2AS_MAX_FILES)
		return bs_err_set(err, -BS_EINVAL, "%s: more than %u prefix-to-AS files", name,
		                  (unsigned)PFX2AS_MAX_FILES);
	char *copy = strdup(name);
	if (copy == NULL ||
	    bs_array_reserve(&t->files, &t->cap_files, t->n_files + 1, sizeof *t->files) != 0) {
		free(copy);
		return bs_err_set(err, -BS_ENOMEM, "%s: %s", name, bs_strerror(BS_ENOMEM));
	}
	*src = (struct source){.name = copy, .file = (uint16_t)t->n_files};
	t->files[t->n_files++] = copy;
	return 0;
}

int pfx2as_add_text(pfx2as_t *t, const char *name, const char *text, size_t len, struct bs_err *err)
{
	bs_err_clear(err);
	struct source src;
	size_t used;
	int rc = add_source(t, name, &src, err);
	return rc != 0 ? rc : add_lines(t, &src, text, len, true, &used, err);
}

/* "longer than PFX2AS_LINE_MAX bytes" for the line after the last one
 * read, which has no end within that many bytes. */
static int too_long(struct bs_err *err, struct source *src)
{
	src->line++;
	return bad_line(err, src, "longer than " PFX2AS_STR(PFX2AS_LINE_MAX) " bytes", NULL, 0);
}

/* The start of a line that a block of the file cut, kept until the block
 * that ends it. A line longer than PFX2AS_LINE_MAX is an error however it
 * ends, so that is all the room it needs. */
struct carry {
	char text[PFX2AS_LINE_MAX];
	size_t len;
};

/* Adds the lines of one block of a file: first the line carried from the
 * block before, ended by this one's first bytes; what follows the block's
 * last '\n' is carried to the next. */
static int add_block(pfx2as_t *t, struct source *src, struct carry *c, const char *p, size_t len,
                     struct bs_err *err)
{
	size_t at = 0;
	if (c->len > 0) {
		const char *nl = memchr(p, '\n', len);
		size_t head = nl != NULL ? (size_t)(nl - p) : len;
		if (head > PFX2AS_LINE_MAX - c->len)
			return too_long(err, src);
		memcpy(c->text + c->len, p, head);
		c->len += head;
		if (nl == NULL)
			return 0;
		src->line++;
		int rc = add_line(t, src, c->text, c->len, err);
		if (rc != 0)
			return rc;
		c->len = 0;
		at = head + 1;
	}
	size_t used;
	int rc = add_lines(t, src, p + at, len - at, false, &used, err);
	if (rc != 0)
		return rc;
	size_t rest = len - at - used;
	if (rest > PFX2AS_LINE_MAX)
		return too_long(err, src);
	memcpy(c->text, p + at + used, rest);
	c->len = rest;
	return 0;
}

/* The error of a file that could not be opened or read through in (NULL
 * when it did not open), why being bytesource's reason. */
static int read_failed(const bytesource_t *in, const char *path, int rc, const struct bs_err *why,
                       struct bs_err *err)
{
	if (rc == -BS_EIO && why->sys_errno != 0)
		return bs_err_io(err, why->sys_errno, "%s", path);
	if (rc == -BS_EFORMAT)
		return bs_err_set(err, rc, "%s: %s: a table is read plain, gzip or zstd", path,
		                  why->msg);
	if (rc != -BS_EIO || in == NULL)
		return bs_err_set(err, rc, "%s: %s", path, why->msg);
	/* bytesource says "gzip data cut short", "zstd data corrupt: ...":
	 * the kind is said once. */
	const char *kind = bytesource_kind(in) == BYTESOURCE_ZSTD ? "zstd" : "gzip";
	static const char said[] = " data ";
	const char *reason = why->msg;
	size_t k = strlen(kind);
	if (strncmp(reason, kind, k) == 0 && strncmp(reason + k, said, sizeof said - 1) == 0)
		reason += k + sizeof said - 1;
	return bs_err_set(err, -BS_EIO, "%s: damaged or cut-short %s data (%s)", path, kind,
	                  reason);
}

/* The lines of the file in, in blocks as telescope/bytesource.h decodes
 * them (in a thread of its own for gzip and zstd). */
static int read_file(pfx2as_t *t, bytesource_t *in, struct source *src, struct bs_err *err)
{
	struct carry c = {.len = 0};
	for (;;) {
		const uint8_t *data = NULL;
		size_t len = 0;
		struct bs_err why;
		int rc = bytesource_next(in, &data, &len, &why);
		if (rc < 0)
			return read_failed(in, src->name, rc, &why, err);
		if (rc == 0)
			break;
		rc = add_block(t, src, &c, (const char *)data, len, err);
		if (rc != 0)
			return rc;
	}
	if (c.len == 0)
		return 0;
	src->line++;
	return add_line(t, src, c.text, c.len, err);
}

int pfx2as_add_file(pfx2as_t *t, const char *path, struct bs_err *err)
{
	bs_err_clear(err);
	struct source src;
	int rc = add_source(t, path, &src, err);
	if (rc != 0)
		return rc;
	bytesource_t *in;
	struct bs_err why;
	rc = bytesource_open(path, &in, &why);
	if (rc != 0)
		return read_failed(NULL, path, rc, &why, err);
	rc = read_file(t, in, &src, err);
	bytesource_free(in);
	return rc;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (!u128_eq(a->net, b->net))
		return u128_lt(a->net, b->net) ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	/* the same prefix twice: the earlier line first, so it is the one the
	 * message names as already given */
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int duplicate(const pfx2as_t *t, const struct entry *was, const struct entry *again,
                     struct bs_err *err)
{
	bs_addr_t a = {.family = again->family};
	if (again->family == BS_AF_INET) {
		bs_addr_from_v4(&a, (uint32_t)again->net.lo);
	} else {
		for (int i = 0; i < 8; i++) {
			a.bytes[i] = (uint8_t)(again->net.hi >> (56 - 8 * i));
			a.bytes[8 + i] = (uint8_t)(again->net.lo >> (56 - 8 * i));
		}
	}
	char text[BS_ADDR_STRLEN];
	bs_addr_format(&a, text, sizeof text);
	const char *name = t->files[again->file];
	if (was->file == again->file)
		return bs_err_set(err, -BS_EFORMAT,
		                  "%s: line %" PRIu32
		                  ": prefix %s/%u already given at line %" PRIu32,
		                  name, again->line, text, again->len, was->line);
	return bs_err_set(err, -BS_EFORMAT,
	                  "%s: line %" PRIu32 ": prefix %s/%u already given in %s at line %" PRIu32,
	                  name, again->line, text, again->len, t->files[was->file], was->line);
}

/* Starts a range of family at key with origin (index + 1, or 0); a range
 * starting at the same key replaces the last one, and one with the last
 * one's origin is no new range. */
static int push_range(struct ranges *r, int family, struct u128 key, uint32_t origin)
{
	if (r->n > 0 && (family == BS_AF_INET ? r->key4[r->n - 1] == (uint32_t)key.lo
	                                      : u128_eq(r->key6[r->n - 1], key)))
		r->n--;
	if ((r->n > 0 ? r->origin[r->n - 1] : 0) == origin)
		return 0;
	int rc = bs_array_reserve(&r->origin, &r->cap_origin, r->n + 1, sizeof *r->origin);
	if (rc == 0)
		rc = family == BS_AF_INET
		         ? bs_array_reserve(&r->key4, &r->cap_key, r->n + 1, sizeof *r->key4)
		         : bs_array_reserve(&r->key6, &r->cap_key, r->n + 1, sizeof *r->key6);
	if (rc != 0)
		return rc;
	if (family == BS_AF_INET)
		r->key4[r->n] = (uint32_t)key.lo;
	else
		r->key6[r->n] = key;
	r->origin[r->n++] = origin;
	return 0;
}

/* Flattens the n (> 0) sorted, distinct prefixes of one family at e. A stack
 * holds the prefixes that contain the one at hand (each strictly inside
 * the one below, as prefixes nest or are disjoint and none repeats: at
 * most one per length); when a prefix ends, the one around it resumes. */
static int flatten(struct ranges *r, const struct entry *e, size_t n)
{
	struct {
		struct u128 last;
		uint32_t origin;
	} open[129];
	size_t depth = 0;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int family = e[i].family;
		while (rc == 0 && depth > 0 && u128_lt(open[depth - 1].last, e[i].net)) {
			depth--;
			rc = push_range(r, family, u128_next(open[depth].last),
			                depth > 0 ? open[depth - 1].origin : 0);
		}
		if (rc == 0)
			rc = push_range(r, family, e[i].net, e[i].origin + 1);
		open[depth].last = last_of(&e[i]);
		open[depth++].origin = e[i].origin + 1;
	}
	/* the ends of what is still open; the family's last address ends
	 * nothing after it */
	struct u128 end = low_ones(family_width(e[0].family));
	while (rc == 0 && depth > 0) {
		depth--;
		if (!u128_eq(open[depth].last, end))
			rc = push_range(r, e[0].family, u128_next(open[depth].last),
			                depth > 0 ? open[depth - 1].origin : 0);
	}
	return rc;
}

/* Gives back the doubling's spare room: the table lives as long as the
 * run. A failed shrink keeps the larger block, which is still valid. */
static void shrink(void *pp, size_t n, size_t size)
{
	void *p;
	memcpy(&p, pp, sizeof p);
	if (p == NULL || n == 0)
		return;
	void *q = realloc(p, n * size);
	if (q != NULL)
		memcpy(pp, &q, sizeof q);
}

int pfx2as_finish(pfx2as_t *t, struct bs_err *err)
{
	bs_err_clear(err);
	if (t->finished)
		return 0;
	struct entry *e = t->entries;
	size_t n = t->n_entries;
	if (n > 0)
		qsort(e, n, sizeof *e, cmp_entry);
	for (size_t i = 1; i < n; i++)
		if (e[i].family == e[i - 1].family && e[i].len == e[i - 1].len &&
		    u128_eq(e[i].net, e[i - 1].net))
			return duplicate(t, &e[i - 1], &e[i], err);
	/* e is NULL for a table without prefixes: no e + 0 (undefined) */
	size_t n4 = t->count[0];
	int rc = n4 > 0 ? flatten(&t->fam[0], e, n4) : 0;
	if (rc == 0 && n > n4)
		rc = flatten(&t->fam[1], e + n4, n - n4);
	if (rc != 0)
		return bs_err_set(err, rc, "prefix-to-AS table: %s", bs_strerror(rc));
	for (size_t f = 0; f < 2; f++) {
		struct ranges *r = &t->fam[f];
		shrink(&r->origin, r->n, sizeof *r->origin);
		if (f == 0)
			shrink(&r->key4, r->n, sizeof *r->key4);
		else
			shrink(&r->key6, r->n, sizeof *r->key6);
	}
	free(t->entries);
	t->entries = NULL;
	t->n_entries = t->cap_entries = 0;
	t->finished = true;
	return 0;
}

int pfx2as_load(const char *const *paths, size_t n, pfx2as_t **out, struct bs_err *err)
{
	*out = NULL;
	pfx2as_t *t = pfx2as_create();
	int rc = t ? 0 : bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(BS_ENOMEM));
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = pfx2as_add_file(t, paths[i], err);
	if (rc == 0)
		rc = pfx2as_finish(t, err);
	if (rc != 0) {
		pfx2as_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

const char *pfx2as_lookup(const pfx2as_t *t, const bs_addr_t *a)
{
	const struct ranges *r = &t->fam[fam_index(a->family)];
	struct u128 k = key_of(a);
	/* the number of ranges starting at or before k */
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		bool at_or_before = a->family == BS_AF_INET ? r->key4[mid] <= (uint32_t)k.lo
		                                            : !u128_lt(k, r->key6[mid]);
		if (at_or_before)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || r->origin[lo - 1] == 0)
		return NULL;
	return bs_intern_key(t->origins, r->origin[lo - 1] - 1);
}

void pfx2as_fill(const pfx2as_t *t, const bs_addr_t *a, struct geo_info *geo)
{
	const char *field = pfx2as_lookup(t, a);
	uint32_t maxmind = geo->asn, first = 0;
	size_t count = 0;
	/* every field in the table was checked when its line was read */
	if (field != NULL)
		pfx2as_parse_origins(field, strlen(field), &first, &count);
	geo->asn = first;
	if (count > 1)
		memcpy(geo->origins, field, strlen(field) + 1);
	else
		geo->origins[0] = '\0';
	if (count != 1 || first != maxmind)
		geo->as_org[0] = '\0';
}

/* addr.c - IPv4/IPv6 addresses and the telescope's prefix set.
 *
 * Text goes through inet_pton/inet_ntop, which are strict (no "1.2.3",
 * no octal, no trailing junk). Inside the prefix set both families use one
 * 128-bit, left-aligned key (IPv4 in the top 32 bits), so a single matcher
 * serves both and IPv6 costs no second code path.
 *
 * bs_prefixes_contains() runs for every packet. A telescope is usually a
 * few IPv4 prefixes, for which a linear scan of masked compares over a
 * handful of entries beats anything cleverer; past PREFIX_LINEAR_MAX the
 * prefixes of a family are kept sorted and found by binary search, which is
 * exact because the set never holds overlapping prefixes (bs_prefixes_add
 * refuses them). Adding is configuration-time work and may be slow. */
#include "telescope/addr.h"

#include <arpa/inet.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"

/* Entries per family scanned linearly before switching to binary search:
 * eight 64-byte entries fit in a few cache lines, and a typical telescope
 * (one /8, or a handful of /16s and /24s) stays below it. */
#define PREFIX_LINEAR_MAX 8u
/* Initial capacity of the prefix arrays; grows by doubling. */
#define PREFIX_INITIAL_CAP 8u
/* Longest prefix item we parse: an IPv6 address, '/', three digits. */
#define PREFIX_ITEM_MAX (BS_ADDR_STRLEN + 4)

struct u128 {
	uint64_t hi, lo;
};

struct prefix {
	struct u128 net;    /* first address, left-aligned key */
	struct u128 mask;   /* len leading one bits */
	long double before; /* addresses of the same family added earlier */
	uint8_t family;     /* BS_AF_INET or BS_AF_INET6 */
	uint8_t len;        /* prefix length in bits */
};

struct family_index {
	size_t first;     /* first entry of this family in sorted[] */
	size_t n;         /* entries of this family */
	long double size; /* addresses covered: n of the rate estimate */
	double inv_size;  /* 1 / size when size is a power of two, else 0 */
};

struct bs_prefixes {
	struct prefix *items;       /* in the order added (positions, text) */
	struct prefix *sorted;      /* same entries by family, then net: the lookup index */
	size_t n, cap;              /* both arrays hold cap entries */
	struct family_index fam[2]; /* [0] IPv4, [1] IPv6 */
};

void bs_addr_from_v4(bs_addr_t *a, uint32_t v4)
{
	memset(a, 0, sizeof *a);
	a->family = BS_AF_INET;
	a->bytes[0] = (uint8_t)(v4 >> 24);
	a->bytes[1] = (uint8_t)(v4 >> 16);
	a->bytes[2] = (uint8_t)(v4 >> 8);
	a->bytes[3] = (uint8_t)v4;
}

void bs_addr_from_v6(bs_addr_t *a, const uint8_t *b)
{
	a->family = BS_AF_INET6;
	memcpy(a->bytes, b, sizeof a->bytes);
}

uint32_t bs_addr_v4(const bs_addr_t *a)
{
	if (a->family != BS_AF_INET)
		return 0;
	return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
	       (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

int bs_addr_parse(const char *text, bs_addr_t *a)
{
	memset(a, 0, sizeof *a);
	if (text == NULL)
		return -BS_EINVAL;
	if (strchr(text, ':') != NULL) {
		if (inet_pton(AF_INET6, text, a->bytes) != 1)
			goto bad;
		a->family = BS_AF_INET6;
	} else {
		if (inet_pton(AF_INET, text, a->bytes) != 1)
			goto bad;
		a->family = BS_AF_INET;
	}
	return 0;
bad:
	memset(a, 0, sizeof *a);
	return -BS_EINVAL;
}

const char *bs_addr_format(const bs_addr_t *a, char *buf, size_t len)
{
	int af = a->family == BS_AF_INET ? AF_INET : a->family == BS_AF_INET6 ? AF_INET6 : -1;
	socklen_t n = len > INT_MAX ? INT_MAX : (socklen_t)len;

	if (len == 0)
		return buf;
	if (af < 0 || inet_ntop(af, a->bytes, buf, n) == NULL)
		buf[0] = '\0';
	return buf;
}

int bs_addr_cmp(const bs_addr_t *a, const bs_addr_t *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof a->bytes);
}

void bs_addr_mask(bs_addr_t *a, unsigned len)
{
	unsigned width = a->family == BS_AF_INET ? 32u : 128u;
	for (unsigned bit = len; bit < width; bit = (bit | 7u) + 1u)
		a->bytes[bit / 8] &= (uint8_t)(0xff00u >> (bit % 8));
}

/* Address width in bits, or 0 for an unknown family. */
static unsigned family_width(int family)
{
	return family == BS_AF_INET ? 32 : family == BS_AF_INET6 ? 128 : 0;
}

static int family_slot(int family)
{
	return family == BS_AF_INET ? 0 : family == BS_AF_INET6 ? 1 : -1;
}

/* Slot of a prefix already in the set, whose family is known to be valid. */
static size_t prefix_slot(const struct prefix *e)
{
	return e->family == BS_AF_INET6;
}

static uint64_t load_be64(const uint8_t *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static void store_be64(uint8_t *b, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

/* IPv4 reads only bytes[0..3], so stray bytes beyond cannot break a match. */
static struct u128 key_of(const bs_addr_t *a)
{
	struct u128 k = {0, 0};
	if (a->family == BS_AF_INET) {
		k.hi = (uint64_t)bs_addr_v4(a) << 32;
	} else {
		k.hi = load_be64(a->bytes);
		k.lo = load_be64(a->bytes + 8);
	}
	return k;
}

static void addr_of(struct u128 k, int family, bs_addr_t *a)
{
	if (family == BS_AF_INET) {
		bs_addr_from_v4(a, (uint32_t)(k.hi >> 32));
		return;
	}
	uint8_t b[16];
	store_be64(b, k.hi);
	store_be64(b + 8, k.lo);
	bs_addr_from_v6(a, b);
}

static struct u128 mask_of(unsigned len)
{
	struct u128 m;
	m.hi = len == 0 ? 0 : len >= 64 ? UINT64_MAX : UINT64_MAX << (64 - len);
	m.lo = len <= 64 ? 0 : UINT64_MAX << (128 - len);
	return m;
}

static bool in_prefix(struct u128 k, const struct prefix *e)
{
	return (k.hi & e->mask.hi) == e->net.hi && (k.lo & e->mask.lo) == e->net.lo;
}

static int u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

bs_prefixes_t *bs_prefixes_create(void)
{
	return calloc(1, sizeof(bs_prefixes_t));
}

void bs_prefixes_free(bs_prefixes_t *p)
{
	if (p == NULL)
		return;
	free(p->items);
	free(p->sorted);
	free(p);
}

/* Parses one "addr[/len]" item of exactly n characters into *e. */
static int parse_item(const char *s, size_t n, struct prefix *e)
{
	char text[PREFIX_ITEM_MAX + 1];
	bs_addr_t a;

	if (n == 0 || n > PREFIX_ITEM_MAX)
		return -BS_EINVAL;
	memcpy(text, s, n);
	text[n] = '\0';

	char *slash = strchr(text, '/');
	if (slash != NULL)
		*slash = '\0';
	if (bs_addr_parse(text, &a) < 0)
		return -BS_EINVAL;
	unsigned width = family_width(a.family);
	unsigned len = width;
	if (slash != NULL) {
		const char *d = slash + 1;
		if (*d == '\0')
			return -BS_EINVAL;
		len = 0;
		for (; *d != '\0'; d++) {
			if (*d < '0' || *d > '9')
				return -BS_EINVAL;
			len = len * 10 + (unsigned)(*d - '0');
			if (len > width) /* also stops the accumulation overflowing */
				return -BS_ERANGE;
		}
	}
	e->family = a.family;
	e->len = (uint8_t)len;
	e->mask = mask_of(len);
	e->net = key_of(&a);
	if ((e->net.hi & ~e->mask.hi) != 0 || (e->net.lo & ~e->mask.lo) != 0)
		return -BS_EINVAL; /* host bits set: probably a typo in the length */
	e->before = 0;
	return 0;
}

static bool overlaps(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return false;
	const struct prefix *wide = a->len <= b->len ? a : b;
	const struct prefix *narrow = wide == a ? b : a;
	return in_prefix(narrow->net, wide);
}

/* Both arrays grow together, so cap only changes when both succeeded and a
 * failure leaves the set as it was. */
static int grow(bs_prefixes_t *p)
{
	size_t cap = p->cap ? p->cap : PREFIX_INITIAL_CAP;
	if (p->n < p->cap)
		return 0;
	if (p->cap != 0) {
		if (cap > SIZE_MAX / 2 / sizeof(struct prefix))
			return -BS_ENOMEM;
		cap *= 2;
	}
	struct prefix *items = realloc(p->items, cap * sizeof *items);
	if (items == NULL)
		return -BS_ENOMEM;
	p->items = items;
	struct prefix *sorted = realloc(p->sorted, cap * sizeof *sorted);
	if (sorted == NULL)
		return -BS_ENOMEM;
	p->sorted = sorted;
	p->cap = cap;
	return 0;
}

static int sorted_cmp(const void *a, const void *b)
{
	const struct prefix *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return u128_cmp(x->net, y->net);
}

/* Recomputes positions and the lookup index after a successful add. */
static void reindex(bs_prefixes_t *p)
{
	memset(p->fam, 0, sizeof p->fam);
	for (size_t i = 0; i < p->n; i++) {
		struct family_index *f = &p->fam[prefix_slot(&p->items[i])];
		p->items[i].before = f->size;
		f->size += ldexpl(1.0L, (int)(family_width(p->items[i].family) - p->items[i].len));
		f->n++;
	}
	for (size_t i = 0; i < 2; i++) {
		int e;
		struct family_index *f = &p->fam[i];
		f->inv_size =
		    f->n > 0 && frexpl(f->size, &e) == 0.5L ? (double)(1.0L / f->size) : 0.0;
	}
	memcpy(p->sorted, p->items, p->n * sizeof *p->sorted);
	qsort(p->sorted, p->n, sizeof *p->sorted, sorted_cmp);
	p->fam[0].first = 0;
	p->fam[1].first = p->fam[0].n;
}

int bs_prefixes_add(bs_prefixes_t *p, const char *text)
{
	size_t old_n = p->n;
	int rc = 0;

	if (text == NULL)
		return -BS_EINVAL;
	for (const char *s = text;;) {
		size_t n = strcspn(s, ",");
		struct prefix e;
		rc = parse_item(s, n, &e);
		if (rc < 0)
			break;
		for (size_t i = 0; i < p->n && rc == 0; i++)
			if (overlaps(&p->items[i], &e))
				rc = -BS_EEXIST;
		if (rc == 0)
			rc = grow(p);
		if (rc < 0)
			break;
		p->items[p->n++] = e;
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	if (rc < 0) {
		p->n = old_n;
		return rc;
	}
	reindex(p);
	return 0;
}

size_t bs_prefixes_count(const bs_prefixes_t *p)
{
	return p->n;
}

const char *bs_prefixes_text(const bs_prefixes_t *p, size_t i, char *buf, size_t len)
{
	char addr[BS_ADDR_STRLEN];
	bs_addr_t a;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (i >= p->n)
		return buf;
	addr_of(p->items[i].net, p->items[i].family, &a);
	bs_addr_format(&a, addr, sizeof addr);
	int w = snprintf(buf, len, "%s/%u", addr, (unsigned)p->items[i].len);
	if (w < 0 || (size_t)w >= len)
		buf[0] = '\0'; /* a cut prefix would read as a different one */
	return buf;
}

/* The prefix holding a, or NULL. */
static const struct prefix *find(const bs_prefixes_t *p, const bs_addr_t *a)
{
	int slot = family_slot(a->family);
	if (slot < 0 || p->fam[slot].n == 0)
		return NULL;
	const struct prefix *s = p->sorted + p->fam[slot].first;
	size_t n = p->fam[slot].n;
	struct u128 k = key_of(a);

	if (n <= PREFIX_LINEAR_MAX) {
		for (size_t i = 0; i < n; i++)
			if (in_prefix(k, &s[i]))
				return &s[i];
		return NULL;
	}
	/* The last prefix starting at or below k is the only one that can hold
	 * it, since prefixes never overlap. */
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u128_cmp(s[mid].net, k) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && in_prefix(k, &s[lo - 1]) ? &s[lo - 1] : NULL;
}

bool bs_prefixes_contains(const bs_prefixes_t *p, const bs_addr_t *a)
{
	return find(p, a) != NULL;
}

double bs_prefixes_size(const bs_prefixes_t *p, int family)
{
	int slot = family_slot(family);
	return slot < 0 ? 0.0 : (double)p->fam[slot].size;
}

int bs_prefixes_position(const bs_prefixes_t *p, const bs_addr_t *a, double *u)
{
	const struct prefix *e = find(p, a);
	*u = 0.0;
	if (e == NULL)
		return -BS_ENOTFOUND;
	struct u128 k = key_of(a);
	const struct family_index *f = &p->fam[prefix_slot(e)];
	if (e->family == BS_AF_INET && f->inv_size != 0.0) {
		/* The usual telescope, a power-of-two number of IPv4 addresses
		 * (one prefix, or prefixes adding up to one), on the per-packet
		 * path: before + host + 0.5 has at most 34 significant bits and
		 * the scale is a power of two, so double arithmetic is exact and
		 * gives the value the long double division below would. */
		uint64_t h = (k.hi ^ e->net.hi) >> 32;
		*u = ((double)e->before + (double)h + 0.5) * f->inv_size;
		return 0;
	}
	/* Host part as a number: exact for IPv4 (an integer below 2^32),
	 * within the 64-bit mantissa of x86 long double for IPv6, so a /64
	 * does not collapse to a few values. */
	long double host;
	if (e->family == BS_AF_INET) {
		host = (long double)((k.hi ^ e->net.hi) >> 32);
	} else {
		host = (long double)(k.hi ^ e->net.hi) * 18446744073709551616.0L +
		       (long double)(k.lo ^ e->net.lo);
		host = ldexpl(host, -(int)(128 - family_width(e->family)));
	}
	double v = (double)((e->before + host + 0.5L) / f->size);
	/* Rounding can reach 1.0 for huge IPv6 spaces; the contract is (0, 1). */
	*u = v < 1.0 ? v : nextafter(1.0, 0.0);
	return 0;
}

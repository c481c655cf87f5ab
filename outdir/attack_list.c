/* attack_list.c - attack list, deterministic order, attacks.csv, and
 * prefix_attacks.csv for a list of prefix attacks (its columns below
 * attack_list_write_prefix_csv()).
 *
 * Column formats (INTERFACE.md; empty field = unknown):
 *   attack_id        1..N in sorted order
 *   victim           bs_addr_format text
 *   protocol         TCP, UDP, ICMP, OTHER
 *   start_time       bs_format_time, also end_time
 *   duration_s       end - start, exact to the microsecond ("%.6f")
 *   packets, bytes, telescope_addrs, victim_ports  integers
 *   top_port         empty when none (ICMP)
 *   responses        bs_response_name of each bit, in enum order, '|'-joined
 *   peak_ppm         integer
 *   mean_pps         packets / duration_s, "%.6f"; empty when duration is 0
 *   est_attack_pps   mean_pps * 2^32 / IPv4 telescope size, "%.1f"; empty
 *                    for IPv6 victims, without mean_pps, or without IPv4 size
 *   uniformity_a2    "%.4f"; empty when not computable (NAN)
 *   uniform          1 or 0
 *   icmp_mismatches  integer
 *   responder        address, empty unless has_responder
 *   country, asn, as_org  empty when unknown (asn 0 is unknown); asn is
 *                    the origin field of --pfx2as (geo.origins) when that
 *                    names several ASes, e.g. "30_10_20" (telescope/pfx2as.h)
 *   attack_ports     integer; empty when unknown (-1: merged from rows
 *                    written before the column)
 *   vector_group     the smallest attack_id of the attack's multi-vector
 *                    group (vgroup.h), its own attack_id when it overlaps
 *                    no other attack on its victim; computed from the
 *                    sorted list here, so collect and merge agree */
#include "outdir/attack_list.h"

#include "outdir/names.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_intern.h"
#include "base/bs_time.h"
#include "outdir/csvwrite.h"
#include "outdir/outfile.h"
#include "outdir/vgroup.h"

/* 2^32: the IPv4 address space the rate estimate scales to (METHOD.md s4). */
#define IPV4_SPACE 4294967296.0
/* Fits every response name joined by '|' (16 names of at most 26 bytes). */
#define RESPONSES_STRLEN 512

enum col {
	COL_ATTACK_ID,
	COL_VICTIM,
	COL_PROTOCOL,
	COL_START_TIME,
	COL_END_TIME,
	COL_DURATION_S,
	COL_PACKETS,
	COL_BYTES,
	COL_TELESCOPE_ADDRS,
	COL_VICTIM_PORTS,
	COL_TOP_PORT,
	COL_RESPONSES,
	COL_PEAK_PPM,
	COL_MEAN_PPS,
	COL_EST_ATTACK_PPS,
	COL_UNIFORMITY_A2,
	COL_UNIFORM,
	COL_ICMP_MISMATCHES,
	COL_RESPONDER,
	COL_COUNTRY,
	COL_ASN,
	COL_AS_ORG,
	COL_ATTACK_PORTS,
	COL_VECTOR_GROUP,
	COL_COUNT
};

static const char *const col_names[COL_COUNT] = {
    [COL_ATTACK_ID] = "attack_id",
    [COL_VICTIM] = "victim",
    [COL_PROTOCOL] = "protocol",
    [COL_START_TIME] = "start_time",
    [COL_END_TIME] = "end_time",
    [COL_DURATION_S] = "duration_s",
    [COL_PACKETS] = "packets",
    [COL_BYTES] = "bytes",
    [COL_TELESCOPE_ADDRS] = "telescope_addrs",
    [COL_VICTIM_PORTS] = "victim_ports",
    [COL_TOP_PORT] = "top_port",
    [COL_RESPONSES] = "responses",
    [COL_PEAK_PPM] = "peak_ppm",
    [COL_MEAN_PPS] = "mean_pps",
    [COL_EST_ATTACK_PPS] = "est_attack_pps",
    [COL_UNIFORMITY_A2] = "uniformity_a2",
    [COL_UNIFORM] = "uniform",
    [COL_ICMP_MISMATCHES] = "icmp_mismatches",
    [COL_RESPONDER] = "responder",
    [COL_COUNTRY] = "country",
    [COL_ASN] = "asn",
    [COL_AS_ORG] = "as_org",
    [COL_ATTACK_PORTS] = "attack_ports",
    [COL_VECTOR_GROUP] = "vector_group",
};

struct entry {
	struct attack_record rec;
	struct geo_info geo; /* all empty when none was given */
	size_t seq;          /* insertion index: the last tie-break */
};

struct attack_list {
	struct entry *e;
	size_t n, cap;
};

attack_list_t *attack_list_create(void)
{
	return calloc(1, sizeof(attack_list_t));
}

void attack_list_free(attack_list_t *r)
{
	if (r == NULL)
		return;
	free(r->e);
	free(r);
}

int attack_list_add(attack_list_t *r, const struct attack_record *rec, const struct geo_info *geo)
{
	if (bs_array_reserve(&r->e, &r->cap, r->n + 1, sizeof *r->e) != 0)
		return -BS_ENOMEM;
	struct entry *e = &r->e[r->n];
	memset(e, 0, sizeof *e);
	e->rec = *rec;
	if (geo != NULL)
		e->geo = *geo;
	e->seq = r->n;
	r->n++;
	return 0;
}

size_t attack_list_count(const attack_list_t *r)
{
	return r->n;
}

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = CMP(a->rec.start_us, b->rec.start_us);
	if (c == 0)
		c = bs_addr_cmp(&a->rec.victim, &b->rec.victim);
	if (c == 0)
		c = CMP(a->rec.proto, b->rec.proto);
	if (c == 0)
		c = CMP(a->rec.end_us, b->rec.end_us);
	if (c == 0)
		c = CMP(a->rec.packets, b->rec.packets);
	if (c == 0)
		c = CMP(a->seq, b->seq);
	return c;
}

void attack_list_sort(attack_list_t *r)
{
	if (r->n > 1)
		qsort(r->e, r->n, sizeof *r->e, entry_cmp);
}

const struct attack_record *attack_list_get(const attack_list_t *r, size_t i)
{
	return i < r->n ? &r->e[i].rec : NULL;
}

/* Text of one row; fields[] points into these buffers or at constants. */
struct row {
	const char *fields[COL_COUNT];
	char num[COL_COUNT][CSVWRITE_NUM_STRLEN];
	char victim[BS_ADDR_STRLEN], responder[BS_ADDR_STRLEN];
	char start[BS_TIME_STRLEN], end[BS_TIME_STRLEN];
	char responses[RESPONSES_STRLEN];
};

/* Number columns cannot fail: any uint64 fits CSVWRITE_NUM_STRLEN, and so
 * does every double a valid record yields (see CSVWRITE_NUM_STRLEN); an
 * impossible one would be written as "", unknown. */
static void put_u64(const char **field, char *num, uint64_t v)
{
	*field = num;
	csvwrite_fmt_u64(num, CSVWRITE_NUM_STRLEN, v);
}

static void put_double(const char **field, char *num, int decimals, double v)
{
	*field = num;
	csvwrite_fmt_double(num, CSVWRITE_NUM_STRLEN, decimals, v);
}

static void set_u64(struct row *row, enum col c, uint64_t v)
{
	put_u64(&row->fields[c], row->num[c], v);
}

static void set_double(struct row *row, enum col c, int decimals, double v)
{
	put_double(&row->fields[c], row->num[c], decimals, v);
}

static void format_responses(uint32_t bits, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < BS_RESP_COUNT; i++) {
		if (!(bits & (1u << i)))
			continue;
		int n =
		    snprintf(buf + used, len - used, "%s%s", used ? "|" : "", bs_response_name(i));
		if (n < 0 || (size_t)n >= len - used) /* RESPONSES_STRLEN fits all */
			return;
		used += (size_t)n;
	}
}

/* The start and end times and the duration of rec into start, end
 * (BS_TIME_STRLEN) and dur (CSVWRITE_NUM_STRLEN); *mean_pps is its mean
 * rate, NAN when the duration is 0. 0, or -BS_ERANGE for a time past year
 * 9999. */
static int format_span(const struct attack_record *rec, char *start, char *end, char *dur,
                       double *mean_pps)
{
	int rc = bs_format_time(rec->start_us, start, BS_TIME_STRLEN);
	if (rc == 0)
		rc = bs_format_time(rec->end_us, end, BS_TIME_STRLEN);
	if (rc < 0)
		return rc;
	uint64_t dur_us = rec->end_us >= rec->start_us ? rec->end_us - rec->start_us : 0;
	*mean_pps = dur_us ? (double)rec->packets * BS_US_PER_S / (double)dur_us : NAN;
	/* Integer arithmetic: exact to the microsecond, unlike "%.6f" of a double. */
	snprintf(dur, CSVWRITE_NUM_STRLEN, "%llu.%06u", (unsigned long long)(dur_us / BS_US_PER_S),
	         (unsigned)(dur_us % BS_US_PER_S));
	return 0;
}

/* 0, or -BS_ERANGE for a time past year 9999. group is the vector_group. */
static int format_row(const struct entry *e, uint64_t id, uint64_t group, double v4_size,
                      struct row *row)
{
	const struct attack_record *rec = &e->rec;
	double mean_pps;
	memset(row->fields, 0, sizeof row->fields);
	int rc = format_span(rec, row->start, row->end, row->num[COL_DURATION_S], &mean_pps);
	if (rc < 0)
		return rc;
	double est_pps =
	    rec->victim.family == BS_AF_INET && v4_size > 0 ? mean_pps * IPV4_SPACE / v4_size : NAN;
	set_u64(row, COL_ATTACK_ID, id);
	row->fields[COL_VICTIM] = bs_addr_format(&rec->victim, row->victim, sizeof row->victim);
	row->fields[COL_PROTOCOL] = bs_proto_name(rec->proto);
	row->fields[COL_START_TIME] = row->start;
	row->fields[COL_END_TIME] = row->end;
	row->fields[COL_DURATION_S] = row->num[COL_DURATION_S];
	set_u64(row, COL_PACKETS, rec->packets);
	set_u64(row, COL_BYTES, rec->bytes);
	set_u64(row, COL_TELESCOPE_ADDRS, rec->telescope_addrs);
	set_u64(row, COL_VICTIM_PORTS, rec->victim_ports);
	if (rec->top_port >= 0)
		set_u64(row, COL_TOP_PORT, (uint64_t)rec->top_port);
	format_responses(rec->responses, row->responses, sizeof row->responses);
	row->fields[COL_RESPONSES] = row->responses;
	set_u64(row, COL_PEAK_PPM, rec->peak_ppm);
	set_double(row, COL_MEAN_PPS, 6, mean_pps);
	set_double(row, COL_EST_ATTACK_PPS, 1, est_pps);
	set_double(row, COL_UNIFORMITY_A2, 4, rec->uniformity_a2);
	row->fields[COL_UNIFORM] = rec->uniform ? "1" : "0";
	set_u64(row, COL_ICMP_MISMATCHES, rec->icmp_mismatches);
	if (rec->has_responder)
		row->fields[COL_RESPONDER] =
		    bs_addr_format(&rec->responder, row->responder, sizeof row->responder);
	row->fields[COL_COUNTRY] = e->geo.country;
	if (e->geo.origins[0] != '\0')
		row->fields[COL_ASN] = e->geo.origins;
	else if (e->geo.asn != 0)
		set_u64(row, COL_ASN, e->geo.asn);
	row->fields[COL_AS_ORG] = e->geo.as_org;
	if (rec->attack_ports >= 0)
		set_u64(row, COL_ATTACK_PORTS, (uint64_t)rec->attack_ports);
	set_u64(row, COL_VECTOR_GROUP, group);
	return 0;
}

/* *group receives, per attack in the current (sorted) order, its
 * vector_group (vgroup.h); free() it. 0, -BS_ENOMEM, or -BS_ERANGE for
 * more attack_ids than vgroup's 32-bit ids hold. */
static int vector_groups(const attack_list_t *r, uint32_t **group)
{
	*group = NULL;
	if (r->n >= UINT32_MAX)
		return -BS_ERANGE;
	struct vgroup_attack *a = malloc((r->n + 1) * sizeof *a);
	bs_intern_t *victims = bs_intern_create(sizeof(bs_addr_t));
	*group = malloc((r->n + 1) * sizeof **group);
	int rc = a == NULL || victims == NULL || *group == NULL ? -BS_ENOMEM : 0;
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		const struct attack_record *rec = &r->e[i].rec;
		a[i] = (struct vgroup_attack){rec->start_us, rec->end_us, 0, (uint32_t)i + 1, 0};
		rc = bs_intern_add(victims, &rec->victim, &a[i].victim);
	}
	if (rc == 0) {
		vgroup_assign(a, r->n);
		for (size_t i = 0; i < r->n; i++)
			(*group)[a[i].id - 1] = a[i].group;
	}
	free(a);
	bs_intern_free(victims);
	if (rc < 0) {
		free(*group);
		*group = NULL;
	}
	return rc;
}

/* Formats row i of a file into fields (borrowed until the next call). */
typedef int (*row_fn)(size_t i, const char *const **fields, void *arg);

/* Writes DIR/name atomically: the header of n_cols columns, then rows
 * 0..n_rows through fn. */
static int write_file(const char *dir, const char *name, const char *const *header, size_t n_cols,
                      size_t n_rows, row_fn fn, void *arg)
{
	outfile_t *out;
	int rc = outfile_open(dir, name, &out);
	if (rc < 0)
		return rc;
	FILE *f = outfile_stream(out);
	rc = csvwrite_write_row(f, header, n_cols);
	for (size_t i = 0; rc == 0 && i < n_rows; i++) {
		const char *const *fields;
		rc = fn(i, &fields, arg);
		if (rc == 0)
			rc = csvwrite_write_row(f, fields, n_cols);
	}
	if (rc < 0) {
		outfile_abort(out);
		return rc;
	}
	return outfile_commit(out);
}

struct attacks_file {
	const attack_list_t *r;
	const uint32_t *group; /* vector_group by row */
	double v4_size;
	struct row row;
};

static int attack_row(size_t i, const char *const **fields, void *arg)
{
	struct attacks_file *a = arg;
	int rc = format_row(&a->r->e[i], (uint64_t)i + 1, a->group[i], a->v4_size, &a->row);
	*fields = a->row.fields;
	return rc;
}

int attack_list_write_csv(attack_list_t *r, const char *dir, double telescope_v4_size,
                          double telescope_v6_size)
{
	(void)telescope_v6_size; /* see attack_list.h: no IPv6 rate estimate */
	if (r == NULL || dir == NULL)
		return -BS_EINVAL;
	attack_list_sort(r);
	uint32_t *group;
	int rc = vector_groups(r, &group);
	if (rc < 0)
		return rc;
	struct attacks_file *a = malloc(sizeof *a);
	if (a == NULL) {
		free(group);
		return -BS_ENOMEM;
	}
	a->r = r;
	a->group = group;
	a->v4_size = telescope_v4_size;
	rc = write_file(dir, OUTDIR_ATTACKS, col_names, COL_COUNT, r->n, attack_row, a);
	free(a);
	free(group);
	return rc;
}

/* prefix_attacks.csv (attack_list_write_prefix_csv()): the columns of
 * attacks.csv that mean the same for a prefix, in the same order, then
 * the prefix view's own. */
enum pcol {
	PCOL_PREFIX_ID,
	PCOL_PREFIX,
	PCOL_PROTOCOL,
	PCOL_START_TIME,
	PCOL_END_TIME,
	PCOL_DURATION_S,
	PCOL_PACKETS,
	PCOL_BYTES,
	PCOL_TELESCOPE_ADDRS,
	PCOL_VICTIM_PORTS,
	PCOL_TOP_PORT,
	PCOL_RESPONSES,
	PCOL_PEAK_PPM,
	PCOL_MEAN_PPS,
	PCOL_UNIFORMITY_A2,
	PCOL_UNIFORM,
	PCOL_ATTACK_PORTS,
	PCOL_VICTIMS,
	PCOL_VICTIM_ATTACKS,
	PCOL_COUNT
};

static const char *const pcol_names[PCOL_COUNT] = {
    [PCOL_PREFIX_ID] = "prefix_id",
    [PCOL_PREFIX] = "prefix",
    [PCOL_PROTOCOL] = "protocol",
    [PCOL_START_TIME] = "start_time",
    [PCOL_END_TIME] = "end_time",
    [PCOL_DURATION_S] = "duration_s",
    [PCOL_PACKETS] = "packets",
    [PCOL_BYTES] = "bytes",
    [PCOL_TELESCOPE_ADDRS] = "telescope_addrs",
    [PCOL_VICTIM_PORTS] = "victim_ports",
    [PCOL_TOP_PORT] = "top_port",
    [PCOL_RESPONSES] = "responses",
    [PCOL_PEAK_PPM] = "peak_ppm",
    [PCOL_MEAN_PPS] = "mean_pps",
    [PCOL_UNIFORMITY_A2] = "uniformity_a2",
    [PCOL_UNIFORM] = "uniform",
    [PCOL_ATTACK_PORTS] = "attack_ports",
    [PCOL_VICTIMS] = "victims",
    [PCOL_VICTIM_ATTACKS] = "victim_attacks",
};

/* A per-address attack seen from its prefix, for victim_attacks. */
struct in_prefix {
	bs_addr_t prefix, victim;
	uint64_t start_us, end_us;
	uint8_t proto;
};

/* By prefix, protocol, victim, start. */
static int in_prefix_cmp(const void *pa, const void *pb)
{
	const struct in_prefix *a = pa, *b = pb;
	int c = bs_addr_cmp(&a->prefix, &b->prefix);
	if (c == 0)
		c = CMP(a->proto, b->proto);
	if (c == 0)
		c = bs_addr_cmp(&a->victim, &b->victim);
	if (c == 0)
		c = CMP(a->start_us, b->start_us);
	return c;
}

struct prefix_file {
	const attack_list_t *r;
	const struct attack_prefix_view *pv;
	struct in_prefix *members; /* every per-address attack, in_prefix_cmp() order */
	size_t n_members;
	const char *fields[PCOL_COUNT];
	char num[PCOL_COUNT][CSVWRITE_NUM_STRLEN];
	char prefix[BS_ADDR_STRLEN + 5]; /* "/128" */
	char start[BS_TIME_STRLEN], end[BS_TIME_STRLEN];
	char responses[RESPONSES_STRLEN];
};

/* Distinct victims of rec's prefix whose attacks on its protocol overlap
 * it in time. */
static uint64_t victim_attacks(const struct prefix_file *p, const struct attack_record *rec)
{
	size_t lo = 0, hi = p->n_members;
	while (lo < hi) { /* the first member of (prefix, protocol) */
		size_t mid = lo + (hi - lo) / 2;
		const struct in_prefix *m = &p->members[mid];
		int c = bs_addr_cmp(&m->prefix, &rec->victim);
		if (c == 0)
			c = CMP(m->proto, rec->proto);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint64_t n = 0;
	const bs_addr_t *counted = NULL;
	for (size_t i = lo; i < p->n_members; i++) {
		const struct in_prefix *m = &p->members[i];
		if (bs_addr_cmp(&m->prefix, &rec->victim) != 0 || m->proto != rec->proto)
			break;
		if (m->start_us > rec->end_us || m->end_us < rec->start_us ||
		    (counted != NULL && bs_addr_cmp(counted, &m->victim) == 0))
			continue;
		counted = &m->victim;
		n++;
	}
	return n;
}

static int prefix_row(size_t i, const char *const **fields, void *arg)
{
	struct prefix_file *p = arg;
	const struct attack_record *rec = &p->r->e[i].rec;
	double mean_pps;
	memset(p->fields, 0, sizeof p->fields);
	int rc = format_span(rec, p->start, p->end, p->num[PCOL_DURATION_S], &mean_pps);
	if (rc < 0)
		return rc;
	char addr[BS_ADDR_STRLEN];
	snprintf(p->prefix, sizeof p->prefix, "%s/%u",
	         bs_addr_format(&rec->victim, addr, sizeof addr),
	         rec->victim.family == BS_AF_INET ? p->pv->len4 : p->pv->len6);
	put_u64(&p->fields[PCOL_PREFIX_ID], p->num[PCOL_PREFIX_ID], (uint64_t)i + 1);
	p->fields[PCOL_PREFIX] = p->prefix;
	p->fields[PCOL_PROTOCOL] = bs_proto_name(rec->proto);
	p->fields[PCOL_START_TIME] = p->start;
	p->fields[PCOL_END_TIME] = p->end;
	p->fields[PCOL_DURATION_S] = p->num[PCOL_DURATION_S];
	put_u64(&p->fields[PCOL_PACKETS], p->num[PCOL_PACKETS], rec->packets);
	put_u64(&p->fields[PCOL_BYTES], p->num[PCOL_BYTES], rec->bytes);
	put_u64(&p->fields[PCOL_TELESCOPE_ADDRS], p->num[PCOL_TELESCOPE_ADDRS],
	        rec->telescope_addrs);
	put_u64(&p->fields[PCOL_VICTIM_PORTS], p->num[PCOL_VICTIM_PORTS], rec->victim_ports);
	if (rec->top_port >= 0)
		put_u64(&p->fields[PCOL_TOP_PORT], p->num[PCOL_TOP_PORT], (uint64_t)rec->top_port);
	format_responses(rec->responses, p->responses, sizeof p->responses);
	p->fields[PCOL_RESPONSES] = p->responses;
	put_u64(&p->fields[PCOL_PEAK_PPM], p->num[PCOL_PEAK_PPM], rec->peak_ppm);
	put_double(&p->fields[PCOL_MEAN_PPS], p->num[PCOL_MEAN_PPS], 6, mean_pps);
	put_double(&p->fields[PCOL_UNIFORMITY_A2], p->num[PCOL_UNIFORMITY_A2], 4,
	           rec->uniformity_a2);
	p->fields[PCOL_UNIFORM] = rec->uniform ? "1" : "0";
	if (rec->attack_ports >= 0)
		put_u64(&p->fields[PCOL_ATTACK_PORTS], p->num[PCOL_ATTACK_PORTS],
		        (uint64_t)rec->attack_ports);
	put_u64(&p->fields[PCOL_VICTIMS], p->num[PCOL_VICTIMS], rec->victims);
	put_u64(&p->fields[PCOL_VICTIM_ATTACKS], p->num[PCOL_VICTIM_ATTACKS],
	        victim_attacks(p, rec));
	*fields = p->fields;
	return 0;
}

int attack_list_write_prefix_csv(attack_list_t *prefixes, const attack_list_t *attacks,
                                 const struct attack_prefix_view *pv, const char *dir)
{
	if (prefixes == NULL || attacks == NULL || pv == NULL || dir == NULL)
		return -BS_EINVAL;
	attack_list_sort(prefixes);
	struct prefix_file *p = calloc(1, sizeof *p);
	if (p == NULL)
		return -BS_ENOMEM;
	p->r = prefixes;
	p->pv = pv;
	p->members = malloc((attacks->n ? attacks->n : 1) * sizeof *p->members);
	if (p->members == NULL) {
		free(p);
		return -BS_ENOMEM;
	}
	for (size_t i = 0; i < attacks->n; i++) {
		const struct attack_record *a = &attacks->e[i].rec;
		struct in_prefix *m = &p->members[p->n_members++];
		*m = (struct in_prefix){.prefix = a->victim,
		                        .victim = a->victim,
		                        .start_us = a->start_us,
		                        .end_us = a->end_us,
		                        .proto = a->proto};
		bs_addr_mask(&m->prefix, a->victim.family == BS_AF_INET ? pv->len4 : pv->len6);
	}
	if (p->n_members > 1)
		qsort(p->members, p->n_members, sizeof *p->members, in_prefix_cmp);
	int rc = write_file(dir, OUTDIR_PREFIX_ATTACKS, pcol_names, PCOL_COUNT, prefixes->n,
	                    prefix_row, p);
	free(p->members);
	free(p);
	return rc;
}

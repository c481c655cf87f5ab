/* attack_list.c - attack list, deterministic order, attacks.csv.
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
static void set_u64(struct row *row, enum col c, uint64_t v)
{
	row->fields[c] = row->num[c];
	csvwrite_fmt_u64(row->num[c], sizeof row->num[c], v);
}

static void set_double(struct row *row, enum col c, int decimals, double v)
{
	row->fields[c] = row->num[c];
	csvwrite_fmt_double(row->num[c], sizeof row->num[c], decimals, v);
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

/* 0, or -BS_ERANGE for a time past year 9999. group is the vector_group. */
static int format_row(const struct entry *e, uint64_t id, uint64_t group, double v4_size,
                      struct row *row)
{
	const struct attack_record *rec = &e->rec;
	memset(row->fields, 0, sizeof row->fields);
	int rc = bs_format_time(rec->start_us, row->start, sizeof row->start);
	if (rc == 0)
		rc = bs_format_time(rec->end_us, row->end, sizeof row->end);
	if (rc < 0)
		return rc;
	uint64_t dur_us = rec->end_us >= rec->start_us ? rec->end_us - rec->start_us : 0;
	double mean_pps = dur_us ? (double)rec->packets * BS_US_PER_S / (double)dur_us : NAN;
	double est_pps =
	    rec->victim.family == BS_AF_INET && v4_size > 0 ? mean_pps * IPV4_SPACE / v4_size : NAN;
	set_u64(row, COL_ATTACK_ID, id);
	row->fields[COL_VICTIM] = bs_addr_format(&rec->victim, row->victim, sizeof row->victim);
	row->fields[COL_PROTOCOL] = bs_proto_name(rec->proto);
	row->fields[COL_START_TIME] = row->start;
	row->fields[COL_END_TIME] = row->end;
	/* Integer arithmetic: exact to the microsecond, unlike "%.6f" of a double. */
	row->fields[COL_DURATION_S] = row->num[COL_DURATION_S];
	snprintf(row->num[COL_DURATION_S], CSVWRITE_NUM_STRLEN, "%llu.%06u",
	         (unsigned long long)(dur_us / BS_US_PER_S), (unsigned)(dur_us % BS_US_PER_S));
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
	struct row *row = malloc(sizeof *row);
	outfile_t *out = NULL;
	rc = row == NULL ? -BS_ENOMEM : outfile_open(dir, OUTDIR_ATTACKS, &out);
	if (rc < 0) {
		free(row);
		free(group);
		return rc;
	}
	FILE *f = outfile_stream(out);
	rc = csvwrite_write_row(f, col_names, COL_COUNT);
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		rc = format_row(&r->e[i], (uint64_t)i + 1, group[i], telescope_v4_size, row);
		if (rc == 0)
			rc = csvwrite_write_row(f, row->fields, COL_COUNT);
	}
	free(row);
	free(group);
	if (rc < 0) {
		outfile_abort(out);
		return rc;
	}
	return outfile_commit(out);
}

/* merge.c - shards read back, checked against each other, attacks joined
 * across seams, outputs written as collect writes them (see merge.h).
 *
 * Each shard's summary.json stays parsed (jansson) while the merge lives:
 * the input URIs, errors and warnings of the merged summary point into it.
 * Attack rows of every shard go into one array of parts; merge_write()
 * sorts them by (victim, protocol, start) and joins neighbours from
 * different shards whose gap is at most the flow timeout, the rule of
 * attack.c ("strictly older than the timeout ends a flow").
 *
 * A joined row, column by column:
 *   start_time, end_time   earliest start, latest end
 *   duration_s, mean_pps, est_attack_pps   recomputed by attack_list.c
 *   packets, bytes, icmp_mismatches   summed
 *   telescope_addrs   N (1 - (1 - a/N)(1 - b/N)) = a + b - ab/N, rounded at
 *                     the end: the expected size of the union of two
 *                     independent uniform samples of the N telescope
 *                     addresses of the victim's family (a spoofed flood's
 *                     answers land uniformly; METHOD.md section 4)
 *   victim_ports, peak_ppm   the larger of the two values (a lower bound)
 *   top_port, uniformity_a2, uniform   the part with more packets (the
 *                     earlier on a tie): its sample dominates the whole
 *   responses   union
 *   responder   the smaller address, as attack.c keeps the lowest
 *   country, asn/as_org   the first part that has them */
#include "analysis/merge.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "telescope/addr.h"
#include "telescope/attack.h"
#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_time.h"
#include "outdir/csvwrite.h"
#include "telescope/geo.h"
#include "outdir/csvread.h"
#include "outdir/attack_list.h"
#include "outdir/outdir.h"
#include "outdir/summary.h"
#include "outdir/tseries.h"

/* Longest dotted key name quoted in a message, "inputs[123].first_packet". */
#define MERGE_KEYLEN 64

struct shard {
	char *dir;
	size_t seq;   /* position among the shards added (kept ones) */
	json_t *root; /* summary.json; the strings below point into it */
	const char *preset;
	struct attack_params params;
	uint32_t interval_s;
	json_t *telescope; /* array of prefix texts, in root */
	const char *geo_db, *asn_db, *filter;
	struct summary_input *inputs;
	size_t n_inputs;
	struct packet_counters counters;
	struct attack_stats stats;
	uint64_t first_us, last_us; /* time_range: backscatter; 0 when none */
	uint64_t order_us;          /* earliest packet of its inputs: the merge order */
	bool complete;
	const char *partial_reason;
	const char **warnings;
	size_t n_warnings;
};

struct part {
	struct attack_record rec;
	struct geo_info geo;
	size_t shard; /* seq while reading, position in merge order after */
};

struct merge {
	struct shard *shards;
	size_t n_shards, cap_shards;
	struct part *parts;
	size_t n_parts, cap_parts;
	bs_prefixes_t *telescope; /* the first shard's */
	tseries_t *tseries;       /* created with the first shard's interval */
	attack_list_t *results;
	char **warnings;
	size_t n_warnings, cap_warnings;
	size_t joins;
	bool written;
	enum merge_status status;
};

/* Formats a one-line message into err (cut to errlen) and returns rc. */
__attribute__((format(printf, 4, 5))) static int seterr(int rc, char *err, size_t errlen,
                                                        const char *fmt, ...)
{
	if (errlen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		/* Messages quote text from the shards (the token jansson stopped
		 * at, a prefix, a preset, an input URI), which may hold a line
		 * break (found by fuzz_merge). */
		bs_message_one_line(err);
	}
	return rc;
}

/* "dir/name", malloc'd; NULL when out of memory. */
static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* Appends a one-line warning: like messages, warnings quote the shards
 * (a partial reason may hold a line break). */
__attribute__((format(printf, 2, 3))) static int add_warning(merge_t *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -BS_ENOMEM;
	char *w = malloc((size_t)n + 1);
	if (w == NULL || bs_array_reserve(&m->warnings, &m->cap_warnings, m->n_warnings + 1,
	                                  sizeof *m->warnings) != 0) {
		free(w);
		return -BS_ENOMEM;
	}
	va_start(ap, fmt);
	vsnprintf(w, (size_t)n + 1, fmt, ap);
	va_end(ap);
	bs_message_one_line(w);
	m->warnings[m->n_warnings++] = w;
	return 0;
}

merge_t *merge_create(void)
{
	merge_t *m = calloc(1, sizeof *m);
	if (m == NULL)
		return NULL;
	m->telescope = bs_prefixes_create();
	m->results = attack_list_create();
	if (m->telescope == NULL || m->results == NULL) {
		merge_free(m);
		return NULL;
	}
	return m;
}

static void shard_clear(struct shard *s)
{
	free(s->dir);
	free(s->inputs);
	free(s->warnings);
	json_decref(s->root);
	memset(s, 0, sizeof *s);
}

void merge_free(merge_t *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_shards; i++)
		shard_clear(&m->shards[i]);
	free(m->shards);
	free(m->parts);
	for (size_t i = 0; i < m->n_warnings; i++)
		free(m->warnings[i]);
	free(m->warnings);
	bs_prefixes_free(m->telescope);
	tseries_free(m->tseries);
	attack_list_free(m->results);
	free(m);
}

/* ---- summary.json ---- */

/* Reading one summary.json: the first error wins, later getters do nothing. */
struct jctx {
	const char *path;
	char *err;
	size_t errlen;
	int rc;
};

/* Records "PATH: KEY is WHAT" unless an earlier error was recorded. */
static void jfail(struct jctx *c, const char *key, const char *what)
{
	if (c->rc == 0)
		c->rc = seterr(-BS_EFORMAT, c->err, c->errlen, "%s: %s is %s", c->path, key, what);
}

/* obj[key] when it is an object (or array when array is true). */
static json_t *jget_container(struct jctx *c, json_t *obj, const char *key, const char *name,
                              bool array)
{
	json_t *v = json_object_get(obj, key);
	if (array ? json_is_array(v) : json_is_object(v))
		return v;
	jfail(c, name, array ? "missing or not a list" : "missing or not an object");
	return NULL;
}

/* obj[key] as a whole number in [0, max]; 0 when absent and not required. */
static uint64_t jget_uint(struct jctx *c, json_t *obj, const char *key, const char *name,
                          bool required, uint64_t max)
{
	json_t *v = json_object_get(obj, key);
	if (v == NULL && !required)
		return 0;
	/* ju64() of summary.c writes a count past 2^63 - 1 as a real. */
	double d = json_is_real(v) ? json_real_value(v) : -1;
	if (max == UINT64_MAX && d >= 0 && d < 0x1p64 && d == floor(d))
		return (uint64_t)d;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		jfail(c, name, "missing or not a whole number");
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

/* obj[key] as a string; NULL for null or, when not required, absence. */
static const char *jget_str(struct jctx *c, json_t *obj, const char *key, const char *name,
                            bool required)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_null(v) || (v == NULL && !required))
		return NULL;
	jfail(c, name, required ? "missing or not a string" : "not a string or null");
	return NULL;
}

/* obj[key] as a packet time; 0 for null or absence. */
static uint64_t jget_time(struct jctx *c, json_t *obj, const char *key, const char *name)
{
	json_t *v = json_object_get(obj, key);
	uint64_t us = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || bs_parse_time(json_string_value(v), &us) != 0)
		jfail(c, name, "not a UTC time like 2026-11-24T03:00:05.123456Z or null");
	return us;
}

static bool jget_bool(struct jctx *c, json_t *obj, const char *key, const char *name, bool required)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_boolean(v))
		return json_is_true(v);
	if (v != NULL || required)
		jfail(c, name, "missing or not true or false");
	return false;
}

static void read_parameters(struct jctx *c, struct shard *s)
{
	json_t *p = jget_container(c, s->root, "parameters", "parameters", false);
	s->preset = jget_str(c, p, "preset", "parameters.preset", true);
	s->params.flow_timeout_s = (uint32_t)jget_uint(
	    c, p, "flow_timeout_s", "parameters.flow_timeout_s", true, UINT32_MAX);
	s->params.min_packets =
	    (uint32_t)jget_uint(c, p, "min_packets", "parameters.min_packets", true, UINT32_MAX);
	s->params.min_duration_s = (uint32_t)jget_uint(
	    c, p, "min_duration_s", "parameters.min_duration_s", true, UINT32_MAX);
	s->params.min_ppm =
	    (uint32_t)jget_uint(c, p, "min_ppm", "parameters.min_ppm", true, UINT32_MAX);
	s->params.min_dests =
	    (uint32_t)jget_uint(c, p, "min_dests", "parameters.min_dests", true, UINT32_MAX);
	s->interval_s =
	    (uint32_t)jget_uint(c, p, "interval_s", "parameters.interval_s", true, UINT32_MAX);
	s->telescope = jget_container(c, p, "telescope", "parameters.telescope", true);
	s->geo_db = jget_str(c, p, "geo_db", "parameters.geo_db", false);
	s->asn_db = jget_str(c, p, "asn_db", "parameters.asn_db", false);
	s->filter = jget_str(c, p, "filter", "parameters.filter", false);
	if (c->rc != 0)
		return;
	if (s->interval_s == 0)
		jfail(c, "parameters.interval_s", "0");
	else if (s->params.flow_timeout_s == 0)
		jfail(c, "parameters.flow_timeout_s", "0");
	else if (json_array_size(s->telescope) == 0)
		jfail(c, "parameters.telescope", "empty");
	for (size_t i = 0; c->rc == 0 && i < json_array_size(s->telescope); i++)
		if (!json_is_string(json_array_get(s->telescope, i)))
			jfail(c, "parameters.telescope", "not a list of prefixes");
}

static void read_inputs(struct jctx *c, struct shard *s)
{
	json_t *list = jget_container(c, s->root, "inputs", "inputs", true);
	size_t n = json_array_size(list);
	if (c->rc != 0)
		return;
	s->inputs = calloc(n ? n : 1, sizeof *s->inputs);
	if (s->inputs == NULL) {
		c->rc = -BS_ENOMEM;
		return;
	}
	s->n_inputs = n;
	for (size_t i = 0; c->rc == 0 && i < n; i++) {
		json_t *o = json_array_get(list, i);
		struct summary_input *in = &s->inputs[i];
		char key[MERGE_KEYLEN];
#define KEY(k) (snprintf(key, sizeof key, "inputs[%zu]." k, i), key)
		if (!json_is_object(o)) {
			snprintf(key, sizeof key, "inputs[%zu]", i);
			jfail(c, key, "not an object");
			break;
		}
		in->uri = jget_str(c, o, "uri", KEY("uri"), true);
		json_t *size = json_object_get(o, "size_bytes");
		in->size_bytes = size == NULL || json_is_null(size)
		                     ? -1
		                     : (int64_t)jget_uint(c, o, "size_bytes", KEY("size_bytes"),
		                                          true, INT64_MAX);
		in->packets = jget_uint(c, o, "packets", KEY("packets"), false, UINT64_MAX);
		in->first_us = jget_time(c, o, "first_packet", KEY("first_packet"));
		in->last_us = jget_time(c, o, "last_packet", KEY("last_packet"));
		in->error = jget_str(c, o, "error", KEY("error"), false);
		in->skipped = jget_bool(c, o, "skipped", KEY("skipped"), false);
#undef KEY
		if (in->first_us != 0 && (s->order_us == 0 || in->first_us < s->order_us))
			s->order_us = in->first_us;
	}
}

static void read_counters(struct jctx *c, struct shard *s)
{
	json_t *o = jget_container(c, s->root, "counters", "counters", false);
	struct packet_counters *k = &s->counters;
	const struct {
		const char *key;
		uint64_t *to;
	} fields[] = {
	    {"packets", &k->packets},
	    {"non_ip", &k->non_ip},
	    {"malformed", &k->malformed},
	    {"truncated", &k->truncated},
	    {"fragments", &k->fragments},
	    {"outside_telescope", &k->outside_telescope},
	    {"not_backscatter", &k->not_backscatter},
	    {"backscatter", &k->backscatter},
	    {"filtered", &k->filtered},
	    {"out_of_order", &k->out_of_order},
	    {"time_outliers", &k->time_outliers},
	    {"files_failed", &k->files_failed},
	};
	/* Absent counters are 0: an older version may not have written them. */
	for (size_t i = 0; c->rc == 0 && i < sizeof fields / sizeof fields[0]; i++) {
		char name[MERGE_KEYLEN];
		snprintf(name, sizeof name, "counters.%s", fields[i].key);
		*fields[i].to = jget_uint(c, o, fields[i].key, name, false, UINT64_MAX);
	}
	json_t *f = jget_container(c, s->root, "flows", "flows", false);
	s->stats.flows = jget_uint(c, f, "flows", "flows.flows", false, UINT64_MAX);
	s->stats.attacks = jget_uint(c, f, "attacks", "flows.attacks", false, UINT64_MAX);
	s->stats.rejected = jget_uint(c, f, "rejected", "flows.rejected", false, UINT64_MAX);
	s->stats.open_flows = jget_uint(c, f, "open_flows", "flows.open_flows", false, UINT64_MAX);
	s->stats.peak_open_flows =
	    jget_uint(c, f, "peak_open_flows", "flows.peak_open_flows", false, UINT64_MAX);
	s->stats.stitched = jget_uint(c, f, "stitched", "flows.stitched", false, UINT64_MAX);
}

static void read_state(struct jctx *c, struct shard *s)
{
	json_t *range = jget_container(c, s->root, "time_range", "time_range", false);
	s->first_us = jget_time(c, range, "first_packet", "time_range.first_packet");
	s->last_us = jget_time(c, range, "last_packet", "time_range.last_packet");
	if (c->rc == 0 && s->last_us < s->first_us)
		jfail(c, "time_range.last_packet", "before first_packet");
	if (s->order_us == 0)
		s->order_us = s->first_us;
	s->complete = jget_bool(c, s->root, "complete", "complete", true);
	s->partial_reason = jget_str(c, s->root, "partial_reason", "partial_reason", false);
	json_t *w = json_object_get(s->root, "warnings");
	if (w != NULL && !json_is_array(w)) {
		jfail(c, "warnings", "not a list");
		return;
	}
	size_t n = json_array_size(w);
	if (c->rc != 0 || n == 0)
		return;
	s->warnings = calloc(n, sizeof *s->warnings);
	if (s->warnings == NULL) {
		c->rc = -BS_ENOMEM;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		s->warnings[i] = json_string_value(json_array_get(w, i));
		if (s->warnings[i] == NULL)
			jfail(c, "warnings", "not a list of strings");
	}
	s->n_warnings = n;
}

/* Parses DIR/summary.json into s (s->dir set). */
static int read_summary(struct shard *s, char *err, size_t errlen)
{
	char *path = path_join(s->dir, OUTDIR_SUMMARY);
	if (path == NULL)
		return -BS_ENOMEM;
	/* fopen() first so a missing file is told by errno, not by jansson's text. */
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		int rc = seterr(-BS_EIO, err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	json_error_t je;
	s->root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	struct jctx c = {.path = path, .err = err, .errlen = errlen};
	if (s->root == NULL)
		c.rc = seterr(-BS_EFORMAT, err, errlen, "%s: line %d: %s", path, je.line, je.text);
	else if (!json_is_object(s->root))
		c.rc = seterr(-BS_EFORMAT, err, errlen, "%s: not a JSON object", path);
	if (c.rc == 0)
		read_parameters(&c, s);
	if (c.rc == 0)
		read_inputs(&c, s);
	if (c.rc == 0)
		read_counters(&c, s);
	if (c.rc == 0)
		read_state(&c, s);
	free(path);
	return c.rc;
}

/* ---- checks between shards ---- */

/* "none" for a NULL string in messages. */
static const char *or_none(const char *s)
{
	return s ? s : "none";
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* s against the first shard f: every parameter that changes the attack
 * list or the series must agree. */
static int check_parameters(const struct shard *f, const struct shard *s, char *err, size_t errlen)
{
	const struct {
		const char *name;
		uint32_t mine, first;
	} nums[] = {
	    {"interval_s", s->interval_s, f->interval_s},
	    {"flow_timeout_s", s->params.flow_timeout_s, f->params.flow_timeout_s},
	    {"min_packets", s->params.min_packets, f->params.min_packets},
	    {"min_duration_s", s->params.min_duration_s, f->params.min_duration_s},
	    {"min_ppm", s->params.min_ppm, f->params.min_ppm},
	    {"min_dests", s->params.min_dests, f->params.min_dests},
	};
	if (!json_equal(f->telescope, s->telescope)) {
		char *a = json_dumps(s->telescope, JSON_COMPACT);
		char *b = json_dumps(f->telescope, JSON_COMPACT);
		int rc =
		    a && b ? seterr(-BS_EFORMAT, err, errlen,
		                    "%s: telescope %s differs from %s in %s", s->dir, a, b, f->dir)
		           : -BS_ENOMEM;
		free(a);
		free(b);
		return rc;
	}
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
		if (nums[i].mine != nums[i].first)
			return seterr(-BS_EFORMAT, err, errlen, "%s: %s %u differs from %u in %s",
			              s->dir, nums[i].name, nums[i].mine, nums[i].first, f->dir);
	if (!same_str(s->preset, f->preset))
		return seterr(-BS_EFORMAT, err, errlen, "%s: preset %s differs from %s in %s",
		              s->dir, or_none(s->preset), or_none(f->preset), f->dir);
	return 0;
}

/* Settings that do not change which attacks are found but what is in
 * them (geo columns) or which packets were read: a warning. */
static int check_settings(merge_t *m, const struct shard *f, const struct shard *s)
{
	const struct {
		const char *name, *mine, *first;
	} strs[] = {
	    {"geo_db", s->geo_db, f->geo_db},
	    {"asn_db", s->asn_db, f->asn_db},
	    {"filter", s->filter, f->filter},
	};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		if (same_str(strs[i].mine, strs[i].first))
			continue;
		int rc = add_warning(m,
		                     "%s: %s %s differs from %s in %s; summary.json lists the "
		                     "earliest shard's",
		                     s->dir, strs[i].name, or_none(strs[i].mine),
		                     or_none(strs[i].first), f->dir);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static bool same_input(const struct summary_input *a, const struct summary_input *b)
{
	return same_str(a->uri, b->uri) && a->size_bytes == b->size_bytes &&
	       a->first_us == b->first_us && a->last_us == b->last_us;
}

/* Index of the input of o equal to in, or -1. */
static long find_input(const struct shard *o, const struct summary_input *in)
{
	for (size_t i = 0; i < o->n_inputs; i++)
		if (same_input(&o->inputs[i], in))
			return (long)i;
	return -1;
}

/* Whether s repeats an earlier shard: *dup is then that shard. An input
 * shared without the whole list being equal is -BS_EEXIST. Inputs that
 * gave no packet (missing, unreadable) carry nothing that could count
 * twice, so sharing one of them alone is no conflict. */
static int check_inputs(const merge_t *m, const struct shard *s, const struct shard **dup,
                        char *err, size_t errlen)
{
	*dup = NULL;
	for (size_t j = 0; j < m->n_shards; j++) {
		const struct shard *o = &m->shards[j];
		size_t found = 0;
		const struct summary_input *shared = NULL;
		for (size_t i = 0; i < s->n_inputs; i++) {
			if (find_input(o, &s->inputs[i]) < 0)
				continue;
			found++;
			if (shared == NULL && s->inputs[i].first_us != 0)
				shared = &s->inputs[i];
		}
		if (found == s->n_inputs && s->n_inputs == o->n_inputs) {
			*dup = o;
			return 0;
		}
		if (shared != NULL)
			return seterr(-BS_EEXIST, err, errlen,
			              "%s and %s share the input %s but not all their inputs: its "
			              "packets would count twice",
			              s->dir, o->dir, or_none(shared->uri));
	}
	return 0;
}

/* ---- attacks.csv and timeseries.csv ---- */

/* State of one CSV read: the callbacks' own message, if they fail. */
struct csv_ctx {
	merge_t *m;
	size_t shard;
	uint64_t interval_us;
	unsigned long long row; /* data rows seen; the header is row 1 */
	char msg[CSVREAD_ERRLEN];
};

static int add_part(const struct csvread_attack *a, void *arg)
{
	struct csv_ctx *c = arg;
	merge_t *m = c->m;
	c->row++;
	/* struct geo_info's buffers: what geo.c can write, so a longer cell was
	 * not written by collect. */
	bool long_country = strlen(a->country) >= GEO_COUNTRY_LEN;
	if (long_country || strlen(a->as_org) >= GEO_ORG_LEN) {
		snprintf(c->msg, sizeof c->msg, "row %llu: column %s: longer than %d bytes",
		         c->row + 1, long_country ? "country" : "as_org",
		         long_country ? GEO_COUNTRY_LEN - 1 : GEO_ORG_LEN - 1);
		return -BS_EFORMAT;
	}
	if (bs_array_reserve(&m->parts, &m->cap_parts, m->n_parts + 1, sizeof *m->parts) != 0)
		return -BS_ENOMEM;
	struct part *p = &m->parts[m->n_parts++];
	memset(p, 0, sizeof *p);
	p->shard = c->shard;
	p->rec = (struct attack_record){
	    .victim = a->victim,
	    .responder = a->responder,
	    .start_us = a->start_us,
	    .end_us = a->end_us,
	    .packets = a->packets,
	    .bytes = a->bytes,
	    .telescope_addrs = a->telescope_addrs,
	    .victim_ports = a->victim_ports,
	    .top_port = a->top_port,
	    .responses = a->responses,
	    .peak_ppm = a->peak_ppm,
	    .icmp_mismatches = a->icmp_mismatches,
	    .uniformity_a2 = a->uniformity_a2,
	    .uniform = a->uniform,
	    .has_responder = a->has_responder,
	    .proto = a->proto,
	};
	memcpy(p->geo.country, a->country, strlen(a->country) + 1);
	memcpy(p->geo.as_org, a->as_org, strlen(a->as_org) + 1);
	p->geo.asn = a->asn;
	return 0;
}

static int add_bin(const struct csvread_bin *b, void *arg)
{
	struct csv_ctx *c = arg;
	c->row++;
	if (b->end_us - b->start_us != c->interval_us || b->start_us % c->interval_us != 0) {
		snprintf(c->msg, sizeof c->msg,
		         "row %llu: not a bin of interval_s %llu s aligned to the epoch, as the "
		         "summary says",
		         c->row + 1, (unsigned long long)(c->interval_us / BS_US_PER_S));
		return -BS_EFORMAT;
	}
	for (int p = 0; p < BS_PROTO_COUNT; p++) {
		int rc = tseries_add_packets(c->m->tseries, b->start_us, p, b->packets_proto[p]);
		if (rc == -BS_ERANGE) {
			snprintf(c->msg, sizeof c->msg,
			         "row %llu: the shards together span more than %u bins or reach "
			         "past year 9999",
			         c->row + 1, TSERIES_MAX_BINS);
			return rc;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Streams DIR/name through the full reader into the merge. */
static int read_csv(merge_t *m, const struct shard *s, bool attacks, char *err, size_t errlen)
{
	const char *name = attacks ? OUTDIR_ATTACKS : OUTDIR_TIMESERIES;
	char *path = path_join(s->dir, name);
	if (path == NULL)
		return -BS_ENOMEM;
	struct csv_ctx c = {
	    .m = m,
	    .shard = s->seq,
	    .interval_us = (uint64_t)s->interval_s * BS_US_PER_S,
	};
	int rc;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		rc = seterr(-BS_EIO, err, errlen, "%s: %s", path, strerror(errno));
	} else {
		char msg[CSVREAD_ERRLEN];
		rc = attacks ? csvread_attacks_full(f, add_part, &c, msg, sizeof msg)
		             : csvread_timeseries_full(f, add_bin, &c, msg, sizeof msg);
		int e = errno;
		fclose(f);
		/* A callback's own message is more precise than the reader's
		 * "row N: callback failed". */
		if (c.msg[0] != '\0')
			seterr(rc, err, errlen, "%s: %s", path, c.msg);
		else if (rc == -BS_EFORMAT)
			seterr(rc, err, errlen, "%s: %s", path, msg);
		else if (rc == -BS_EIO)
			seterr(rc, err, errlen, "%s: %s", path, strerror(e));
		errno = e;
	}
	free(path);
	return rc;
}

/* Records what a shard lost, which the merged result lacks too. */
static int note_losses(merge_t *m, const struct shard *s)
{
	int rc = 0;
	if (!s->complete) {
		m->status = MERGE_WARNINGS;
		rc = add_warning(m, "%s is incomplete (%s): the merged result lacks what it lost",
		                 s->dir, or_none(s->partial_reason));
	}
	if (rc == 0 && s->counters.files_failed > 0) {
		m->status = MERGE_WARNINGS;
		rc = add_warning(m, "%s: %llu input file(s) could not be read completely", s->dir,
		                 (unsigned long long)s->counters.files_failed);
	}
	return rc;
}

/* The first shard sets the telescope and the time series. */
static int adopt_first(merge_t *m, const struct shard *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < json_array_size(s->telescope); i++) {
		const char *text = json_string_value(json_array_get(s->telescope, i));
		int rc = bs_prefixes_add(m->telescope, text);
		if (rc == -BS_ENOMEM)
			return rc;
		if (rc != 0)
			return seterr(
			    -BS_EFORMAT, err, errlen,
			    "%s/%s: parameters.telescope: '%s' is not a valid prefix (%s)", s->dir,
			    OUTDIR_SUMMARY, text, bs_strerror(rc));
	}
	m->tseries = tseries_create(s->interval_s);
	return m->tseries ? 0 : -BS_ENOMEM;
}

int merge_add_shard(merge_t *m, const char *dir, char *err, size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	if (m->written)
		return -BS_EINVAL;
	if (bs_array_reserve(&m->shards, &m->cap_shards, m->n_shards + 1, sizeof *m->shards) != 0)
		return -BS_ENOMEM;
	struct shard *s = &m->shards[m->n_shards];
	memset(s, 0, sizeof *s);
	s->seq = m->n_shards;
	s->dir = strdup(dir);
	if (s->dir == NULL)
		return -BS_ENOMEM;
	int rc = read_summary(s, err, errlen);
	const struct shard *dup = NULL;
	if (rc == 0 && m->n_shards > 0)
		rc = check_parameters(&m->shards[0], s, err, errlen);
	if (rc == 0)
		rc = check_inputs(m, s, &dup, err, errlen);
	if (rc == 0 && dup != NULL) {
		rc = add_warning(m, "%s: the same inputs as %s: skipped", s->dir, dup->dir);
		shard_clear(s);
		return rc;
	}
	if (rc == 0 && m->n_shards > 0)
		rc = check_settings(m, &m->shards[0], s);
	if (rc == 0 && m->n_shards == 0)
		rc = adopt_first(m, s, err, errlen);
	if (rc == 0)
		rc = read_csv(m, s, true, err, errlen);
	if (rc == 0)
		rc = read_csv(m, s, false, err, errlen);
	if (rc == 0)
		rc = note_losses(m, s);
	if (rc != 0) {
		shard_clear(s);
		return rc;
	}
	m->n_shards++;
	return 0;
}

/* ---- joining ---- */

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

static int shard_cmp(const void *pa, const void *pb)
{
	const struct shard *a = pa, *b = pb;
	int c = CMP(a->order_us, b->order_us);
	return c ? c : CMP(a->seq, b->seq);
}

static int part_cmp(const void *pa, const void *pb)
{
	const struct part *a = pa, *b = pb;
	int c = bs_addr_cmp(&a->rec.victim, &b->rec.victim);
	if (c == 0)
		c = CMP(a->rec.proto, b->rec.proto);
	if (c == 0)
		c = CMP(a->rec.start_us, b->rec.start_us);
	if (c == 0)
		c = CMP(a->shard, b->shard);
	if (c == 0)
		c = CMP(a->rec.end_us, b->rec.end_us);
	if (c == 0)
		c = CMP(a->rec.packets, b->rec.packets);
	return c;
}

/* Sorts the shards into merge order and renumbers the parts' shards. */
static int order_shards(merge_t *m)
{
	qsort(m->shards, m->n_shards, sizeof *m->shards, shard_cmp);
	size_t *pos = calloc(m->n_shards, sizeof *pos);
	if (pos == NULL)
		return -BS_ENOMEM;
	for (size_t i = 0; i < m->n_shards; i++)
		pos[m->shards[i].seq] = i;
	for (size_t i = 0; i < m->n_parts; i++)
		m->parts[i].shard = pos[m->parts[i].shard];
	free(pos);
	return 0;
}

/* An attack being built from parts in start order. */
struct group {
	struct attack_record rec;
	struct geo_info geo;
	double dests;       /* expected distinct telescope addresses so far */
	uint64_t best;      /* packets of the part top_port and uniformity come from */
	size_t last_shard;  /* shard of the latest part */
	bool joined;        /* more than one part */
	double telescope_n; /* telescope addresses of the victim's family */
};

static void group_start(struct group *g, const struct part *p, double telescope_n)
{
	g->rec = p->rec;
	g->geo = p->geo;
	g->dests = (double)p->rec.telescope_addrs;
	g->best = p->rec.packets;
	g->last_shard = p->shard;
	g->joined = false;
	g->telescope_n = telescope_n;
}

/* Whether p continues g across a seam: another shard, same key, and a gap
 * of at most the timeout (a gap equal to it keeps the flow, as attack.c). */
static bool continues(const struct group *g, const struct part *p, uint64_t timeout_us)
{
	return p->shard != g->last_shard && bs_addr_cmp(&p->rec.victim, &g->rec.victim) == 0 &&
	       p->rec.proto == g->rec.proto &&
	       (p->rec.start_us <= g->rec.end_us || p->rec.start_us - g->rec.end_us <= timeout_us);
}

static void group_join(struct group *g, const struct part *p)
{
	struct attack_record *r = &g->rec;
	const struct attack_record *q = &p->rec;
	if (q->end_us > r->end_us)
		r->end_us = q->end_us;
	r->packets += q->packets;
	r->bytes += q->bytes;
	r->icmp_mismatches += q->icmp_mismatches;
	double b = (double)q->telescope_addrs;
	g->dests = g->telescope_n > 0 ? g->dests + b - g->dests * b / g->telescope_n : g->dests + b;
	if (q->victim_ports > r->victim_ports)
		r->victim_ports = q->victim_ports;
	if (q->peak_ppm > r->peak_ppm)
		r->peak_ppm = q->peak_ppm;
	if (q->packets > g->best) {
		g->best = q->packets;
		r->top_port = q->top_port;
		r->uniformity_a2 = q->uniformity_a2;
		r->uniform = q->uniform;
	}
	r->responses |= q->responses;
	if (q->has_responder &&
	    (!r->has_responder || bs_addr_cmp(&q->responder, &r->responder) < 0)) {
		r->responder = q->responder;
		r->has_responder = true;
	}
	if (g->geo.country[0] == '\0')
		memcpy(g->geo.country, p->geo.country, sizeof g->geo.country);
	if (g->geo.asn == 0 && g->geo.as_org[0] == '\0') {
		g->geo.asn = p->geo.asn;
		memcpy(g->geo.as_org, p->geo.as_org, sizeof g->geo.as_org);
	}
	g->last_shard = p->shard;
	g->joined = true;
}

static int group_end(merge_t *m, struct group *g)
{
	/* A part alone keeps its exact count; only a union is an estimate. */
	if (g->joined)
		g->rec.telescope_addrs = g->dests > 0 ? (uint64_t)llround(g->dests) : 0;
	return attack_list_add(m->results, &g->rec, &g->geo);
}

static int join_parts(merge_t *m)
{
	if (m->n_parts == 0)
		return 0;
	qsort(m->parts, m->n_parts, sizeof *m->parts, part_cmp);
	uint64_t timeout_us = (uint64_t)m->shards[0].params.flow_timeout_s * BS_US_PER_S;
	struct group *g = malloc(sizeof *g);
	if (g == NULL)
		return -BS_ENOMEM;
	const struct part *p = &m->parts[0];
	group_start(g, p, bs_prefixes_size(m->telescope, p->rec.victim.family));
	int rc = 0;
	for (size_t i = 1; rc == 0 && i < m->n_parts; i++) {
		p = &m->parts[i];
		if (continues(g, p, timeout_us)) {
			group_join(g, p);
			m->joins++;
			continue;
		}
		rc = group_end(m, g);
		group_start(g, p, bs_prefixes_size(m->telescope, p->rec.victim.family));
	}
	if (rc == 0)
		rc = group_end(m, g);
	free(g);
	return rc;
}

/* ---- writing ---- */

/* Lists of the merged summary, allocated together and freed by the caller. */
struct lists {
	struct summary_input *inputs;
	const char **warnings;
	const char **dirs;
};

/* Builds the merged summary and writes the output directory. */
static int write_outdir(merge_t *m, const char *dir, const char *command_line, const char *version,
                        struct bs_err *err)
{
	size_t n_in = 0, n_warn = m->n_warnings;
	for (size_t i = 0; i < m->n_shards; i++) {
		n_in += m->shards[i].n_inputs;
		n_warn += m->shards[i].n_warnings;
	}
	struct lists l = {
	    .inputs = calloc(n_in ? n_in : 1, sizeof *l.inputs),
	    .warnings = calloc(n_warn ? n_warn : 1, sizeof *l.warnings),
	    .dirs = calloc(m->n_shards, sizeof *l.dirs),
	};
	int rc = l.inputs && l.warnings && l.dirs ? 0 : -BS_ENOMEM;
	const struct shard *first = &m->shards[0];
	struct summary s = {
	    .version = version,
	    .command_line = command_line,
	    .preset = first->preset,
	    .params = first->params,
	    .interval_s = first->interval_s,
	    .telescope = m->telescope,
	    .geo_db = first->geo_db,
	    .asn_db = first->asn_db,
	    .filter = first->filter,
	    .inputs = l.inputs,
	    .warnings = l.warnings,
	    .merged_from = l.dirs,
	    .n_merged_from = m->n_shards,
	};
	for (size_t i = 0; rc == 0 && i < m->n_shards; i++) {
		const struct shard *sh = &m->shards[i];
		l.dirs[i] = sh->dir;
		memcpy(l.inputs + s.n_inputs, sh->inputs, sh->n_inputs * sizeof *l.inputs);
		s.n_inputs += sh->n_inputs;
		for (size_t w = 0; w < sh->n_warnings; w++)
			l.warnings[s.n_warnings++] = sh->warnings[w];
		packet_counters_add(&s.counters, &sh->counters);
		attack_stats_add(&s.attack_stats, &sh->stats);
		if (sh->first_us != 0 && (s.first_us == 0 || sh->first_us < s.first_us))
			s.first_us = sh->first_us;
		if (sh->last_us > s.last_us)
			s.last_us = sh->last_us;
		if (!sh->complete && !s.partial) {
			s.partial = true;
			s.partial_reason = sh->partial_reason ? sh->partial_reason
			                                      : "a shard is "
			                                        "incomplete";
		}
	}
	/* As collect counts a flow stitched across files: one flow, one attack. */
	s.attack_stats.stitched += m->joins;
	s.attack_stats.flows -= s.attack_stats.flows >= m->joins ? m->joins : s.attack_stats.flows;
	s.attack_stats.attacks -=
	    s.attack_stats.attacks >= m->joins ? m->joins : s.attack_stats.attacks;
	for (size_t w = 0; rc == 0 && w < m->n_warnings; w++)
		l.warnings[s.n_warnings++] = m->warnings[w];
	if (rc == 0)
		rc = outdir_write(dir, m->results, m->tseries, &s, err);
	else
		bs_err_set(err, rc, "%s", bs_strerror(rc));
	free(l.inputs);
	free(l.warnings);
	free(l.dirs);
	return rc;
}

int merge_write(merge_t *m, const char *dir, const char *command_line, const char *version,
                char *err, size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	if (m->n_shards == 0 || m->written)
		return -BS_EINVAL;
	m->written = true;
	int rc = order_shards(m);
	if (rc == 0)
		rc = join_parts(m);
	if (rc != 0)
		return rc;
	struct bs_err e;
	rc = write_outdir(m, dir, command_line, version, &e);
	if (rc != 0)
		snprintf(err, errlen, "%s", bs_err_text(&e));
	return rc;
}

enum merge_status merge_status(const merge_t *m)
{
	return m->status;
}

size_t merge_warning_count(const merge_t *m)
{
	return m->n_warnings;
}

const char *merge_warning(const merge_t *m, size_t i)
{
	return i < m->n_warnings ? m->warnings[i] : NULL;
}

size_t merge_shard_count(const merge_t *m)
{
	return m->n_shards;
}

size_t merge_attack_count(const merge_t *m)
{
	return attack_list_count(m->results);
}

size_t merge_join_count(const merge_t *m)
{
	return m->joins;
}

/* summary.c - summary.json (see summary.h), built with jansson and written
 * through outfile so a reader never sees half a file.
 *
 * Layout (stable: scripts read it; add keys, never rename or remove them).
 * Times are bs_format_time text, null when unknown (0). Strings given as
 * NULL are null. Keys appear in this order:
 *
 * {
 *   "tool": {"name": "backscatter", "version": "1.0.0"},
 *   "command_line": "backscatter collect ...",
 *   "parameters": {
 *     "preset": "rsdos", "flow_timeout_s": 300, "min_packets": 25,
 *     "min_duration_s": 60, "min_ppm": 30, "min_dests": 5, "interval_s": 300,
 *     "telescope": ["44.0.0.0/8", ...],
 *     "telescope_size_v4": 16777216.0, "telescope_size_v6": 0.0,
 *     "geo_db": null, "asn_db": null, "filter": null,
 *     "pfx2as": ["routeviews-rv2-20261124.pfx2as.gz", ...] (null without),
 *     "asn_source": "pfx2as", "maxmind" or null: where asn comes from
 *   },
 *   "inputs": [{"uri": "a.pcap.gz", "size_bytes": 1234 (null when not a
 *               regular file), "packets": 10, "first_packet": "...",
 *               "last_packet": "...", "error": null, "skipped": false}],
 *   "time_range": {"first_packet": "...", "last_packet": "..."},
 *   "counters": {"packets", "non_ip", "malformed", "truncated",
 *                "fragments", "outside_telescope", "not_backscatter",
 *                "backscatter", "filtered", "out_of_order",
 *                "time_outliers", "files_failed"},
 *   "flows": {"flows", "attacks", "rejected", "open_flows",
 *             "peak_open_flows", "stitched"},
 *   "complete": true,
 *   "partial_reason": null,
 *   "warnings": ["..."],
 *   "merged_from": ["shard1", ...]   (only from `merge`)
 *   "prefix_view": {"ipv4_length", "ipv6_length", "min_victims",
 *                   "flows": {as "flows" above}}   (only with --prefix-view)
 * }
 *
 * Counters are JSON integers; a count beyond 2^63 - 1 (which no run
 * reaches) would be written as a real rather than wrapped.
 *
 * Reading (summary_read) checks key by key in the order above and stops at
 * the first fault, which its message names ("PATH: KEY is WHAT"). Keys only
 * `report` used to require (telescope_size_v4, the presence of both
 * time_range times) and the ones neither engine needs (tool.version,
 * command_line, merged_from) come last, so a file with several faults is
 * named for the same one `merge` always named. */
#include "outdir/summary.h"

#include "outdir/names.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "base/bs_time.h"
#include "outdir/csvwrite.h"
#include "outdir/outfile.h"

#define SUMMARY_TOOL_NAME "backscatter"
/* Pretty-printed: people read this file as often as scripts do. */
#define SUMMARY_INDENT 2
/* Prefix text: address, '/', up to three digits of length, NUL. */
#define SUMMARY_PREFIX_STRLEN (BS_ADDR_STRLEN + 5)
/* Longest dotted key name quoted in a message, "inputs[123].first_packet". */
#define SUMMARY_KEYLEN 64

/* A JSON string for s, null for NULL. jansson refuses invalid UTF-8, and
 * file names and command lines are bytes: such a string is written with
 * every non-ASCII byte replaced by '?' rather than failing the summary. */
static json_t *jstr(const char *s)
{
	if (s == NULL)
		return json_null();
	json_t *j = json_string(s);
	if (j != NULL)
		return j;
	char *copy = strdup(s);
	if (copy == NULL)
		return NULL;
	for (char *p = copy; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *ju64(uint64_t v)
{
	return v <= INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

/* Packet time as text; null for 0 (no packet) and for a time that cannot be
 * written (past 9999): the summary must still be written, even for a run
 * that went wrong, so one bad time does not fail it. */
static json_t *jtime(uint64_t us)
{
	char buf[BS_TIME_STRLEN];
	if (us == 0 || bs_format_time(us, buf, sizeof buf) < 0)
		return json_null();
	return json_string(buf);
}

/* Sets obj[key] = val (taking val), recording allocation failure in *rc.
 * jansson accepts a NULL obj or val here and frees what it was given. */
static void set(json_t *obj, const char *key, json_t *val, int *rc)
{
	if (json_object_set_new(obj, key, val) != 0)
		*rc = -BS_ENOMEM;
}

static void append(json_t *arr, json_t *val, int *rc)
{
	if (json_array_append_new(arr, val) != 0)
		*rc = -BS_ENOMEM;
}

static json_t *parameters(const struct summary *s, int *rc)
{
	json_t *p = json_object();
	set(p, "preset", jstr(s->preset), rc);
	set(p, "flow_timeout_s", ju64(s->params.flow_timeout_s), rc);
	set(p, "min_packets", ju64(s->params.min_packets), rc);
	set(p, "min_duration_s", ju64(s->params.min_duration_s), rc);
	set(p, "min_ppm", ju64(s->params.min_ppm), rc);
	set(p, "min_dests", ju64(s->params.min_dests), rc);
	set(p, "interval_s", ju64(s->interval_s), rc);
	json_t *tel = json_array();
	size_t n = s->telescope ? bs_prefixes_count(s->telescope) : 0;
	for (size_t i = 0; i < n; i++) {
		char buf[SUMMARY_PREFIX_STRLEN];
		append(tel, json_string(bs_prefixes_text(s->telescope, i, buf, sizeof buf)), rc);
	}
	set(p, "telescope", tel, rc);
	set(p, "telescope_size_v4",
	    json_real(s->telescope ? bs_prefixes_size(s->telescope, BS_AF_INET) : 0), rc);
	set(p, "telescope_size_v6",
	    json_real(s->telescope ? bs_prefixes_size(s->telescope, BS_AF_INET6) : 0), rc);
	set(p, "geo_db", jstr(s->geo_db), rc);
	set(p, "asn_db", jstr(s->asn_db), rc);
	set(p, "filter", jstr(s->filter), rc);
	json_t *pfx = s->n_pfx2as > 0 ? json_array() : json_null();
	for (size_t i = 0; i < s->n_pfx2as; i++)
		append(pfx, jstr(s->pfx2as[i]), rc);
	set(p, "pfx2as", pfx, rc);
	set(p, "asn_source",
	    s->n_pfx2as > 0     ? json_string("pfx2as")
	    : s->asn_db != NULL ? json_string("maxmind")
	                        : json_null(),
	    rc);
	return p;
}

static json_t *input(const struct summary_input *in, int *rc)
{
	json_t *o = json_object();
	set(o, "uri", jstr(in->uri), rc);
	set(o, "size_bytes", in->size_bytes >= 0 ? json_integer(in->size_bytes) : json_null(), rc);
	set(o, "packets", ju64(in->packets), rc);
	set(o, "first_packet", jtime(in->first_us), rc);
	set(o, "last_packet", jtime(in->last_us), rc);
	set(o, "error", jstr(in->error), rc);
	set(o, "skipped", json_boolean(in->skipped), rc);
	return o;
}

static json_t *counters(const struct packet_counters *c, int *rc)
{
	json_t *o = json_object();
	set(o, "packets", ju64(c->packets), rc);
	set(o, "non_ip", ju64(c->non_ip), rc);
	set(o, "malformed", ju64(c->malformed), rc);
	set(o, "truncated", ju64(c->truncated), rc);
	set(o, "fragments", ju64(c->fragments), rc);
	set(o, "outside_telescope", ju64(c->outside_telescope), rc);
	set(o, "not_backscatter", ju64(c->not_backscatter), rc);
	set(o, "backscatter", ju64(c->backscatter), rc);
	set(o, "filtered", ju64(c->filtered), rc);
	set(o, "out_of_order", ju64(c->out_of_order), rc);
	set(o, "time_outliers", ju64(c->time_outliers), rc);
	set(o, "files_failed", ju64(c->files_failed), rc);
	return o;
}

static json_t *flows(const struct attack_stats *a, int *rc)
{
	json_t *o = json_object();
	set(o, "flows", ju64(a->flows), rc);
	set(o, "attacks", ju64(a->attacks), rc);
	set(o, "rejected", ju64(a->rejected), rc);
	set(o, "open_flows", ju64(a->open_flows), rc);
	set(o, "peak_open_flows", ju64(a->peak_open_flows), rc);
	set(o, "stitched", ju64(a->stitched), rc);
	return o;
}

static json_t *build(const struct summary *s, int *rc)
{
	json_t *root = json_object();
	json_t *tool = json_object();
	set(tool, "name", json_string(SUMMARY_TOOL_NAME), rc);
	set(tool, "version", jstr(s->version), rc);
	set(root, "tool", tool, rc);
	set(root, "command_line", jstr(s->command_line), rc);
	set(root, "parameters", parameters(s, rc), rc);
	json_t *inputs = json_array();
	for (size_t i = 0; i < s->n_inputs; i++)
		append(inputs, input(&s->inputs[i], rc), rc);
	set(root, "inputs", inputs, rc);
	json_t *range = json_object();
	set(range, "first_packet", jtime(s->first_us), rc);
	set(range, "last_packet", jtime(s->last_us), rc);
	set(root, "time_range", range, rc);
	set(root, "counters", counters(&s->counters, rc), rc);
	set(root, "flows", flows(&s->attack_stats, rc), rc);
	set(root, "complete", json_boolean(!s->partial), rc);
	set(root, "partial_reason", jstr(s->partial_reason), rc);
	json_t *warnings = json_array();
	for (size_t i = 0; i < s->n_warnings; i++)
		append(warnings, jstr(s->warnings[i]), rc);
	set(root, "warnings", warnings, rc);
	if (s->merged_from != NULL) {
		json_t *from = json_array();
		for (size_t i = 0; i < s->n_merged_from; i++)
			append(from, jstr(s->merged_from[i]), rc);
		set(root, "merged_from", from, rc);
	}
	if (s->prefix_view != NULL) {
		json_t *pv = json_object();
		set(pv, "ipv4_length", ju64(s->prefix_view->len4), rc);
		set(pv, "ipv6_length", ju64(s->prefix_view->len6), rc);
		set(pv, "min_victims", ju64(s->prefix_view->min_victims), rc);
		set(pv, "flows", flows(&s->prefix_stats, rc), rc);
		set(root, "prefix_view", pv, rc);
	}
	return root;
}

int summary_write(const char *dir, const struct summary *s)
{
	int rc = 0;
	json_t *root = build(s, &rc);
	if (root == NULL)
		rc = -BS_ENOMEM;
	outfile_t *out = NULL;
	if (rc == 0)
		rc = outfile_open(dir, OUTDIR_SUMMARY, &out);
	if (rc == 0) {
		FILE *f = outfile_stream(out);
		if (json_dumpf(root, f, JSON_INDENT(SUMMARY_INDENT)) != 0 || putc('\n', f) == EOF)
			rc = ferror(f) ? -BS_EIO : -BS_ENOMEM;
	}
	json_decref(root);
	if (rc < 0) {
		outfile_abort(out);
		return rc;
	}
	return outfile_commit(out);
}

/* ---- reading ---- */

/* A document and what its public part points into. */
struct doc {
	struct summary_doc pub; /* first: summary_doc_free() gets it back */
	char *path;             /* for summary_prefixes()' message */
	json_t *root;           /* the strings of pub point into it */
	char *telescope_json;
	const char **telescope;
	char *pfx2as_json;
	const char **pfx2as;
	struct summary_input *inputs;
	const char **warnings;
	const char **merged_from;
};

/* Reading one summary.json: the first fault wins, later getters do nothing
 * but return their "absent" value. */
struct jctx {
	const char *path;
	struct bs_err *err;
	int rc;
};

/* Records "PATH: KEY is WHAT" unless an earlier fault was recorded. */
static void jfail(struct jctx *c, const char *key, const char *what)
{
	if (c->rc == 0)
		c->rc = bs_err_set(c->err, -BS_EFORMAT, "%s: %s is %s", c->path, key, what);
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
	/* ju64() writes a count past 2^63 - 1 as a real. */
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

/* The strings of list (an array, or NULL for none) into a new array *out;
 * a non-string is "NAME is WHAT". Returns the count. */
static size_t jget_strings(struct jctx *c, json_t *list, const char *name, const char *what,
                           const char ***out)
{
	size_t n = json_array_size(list);
	*out = NULL;
	if (c->rc != 0 || n == 0)
		return 0;
	const char **s = calloc(n, sizeof *s);
	if (s == NULL) {
		c->rc = -BS_ENOMEM;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		s[i] = json_string_value(json_array_get(list, i));
		if (s[i] == NULL)
			jfail(c, name, what);
	}
	*out = s;
	return n;
}

/* parameters.pfx2as: null or absent (before --pfx2as), or a non-empty
 * list of file names. */
static void read_pfx2as(struct jctx *c, struct doc *d, json_t *list)
{
	if (list == NULL || json_is_null(list))
		return;
	if (json_array_size(list) == 0) {
		jfail(c, "parameters.pfx2as", "not null or a list of file names");
		return;
	}
	d->pub.n_pfx2as = jget_strings(c, list, "parameters.pfx2as",
	                               "not null or a list of file names", &d->pfx2as);
	d->pub.pfx2as = d->pfx2as;
	if (c->rc == 0 && (d->pfx2as_json = json_dumps(list, JSON_COMPACT)) == NULL)
		c->rc = -BS_ENOMEM;
	d->pub.pfx2as_json = d->pfx2as_json;
}

static void read_parameters(struct jctx *c, struct doc *d)
{
	struct summary_doc *s = &d->pub;
	json_t *p = jget_container(c, d->root, "parameters", "parameters", false);
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
	json_t *tel = jget_container(c, p, "telescope", "parameters.telescope", true);
	s->geo_db = jget_str(c, p, "geo_db", "parameters.geo_db", false);
	s->asn_db = jget_str(c, p, "asn_db", "parameters.asn_db", false);
	s->filter = jget_str(c, p, "filter", "parameters.filter", false);
	read_pfx2as(c, d, json_object_get(p, "pfx2as"));
	if (c->rc != 0)
		return;
	if (s->interval_s == 0)
		jfail(c, "parameters.interval_s", "0");
	else if (s->params.flow_timeout_s == 0)
		jfail(c, "parameters.flow_timeout_s", "0");
	else if (json_array_size(tel) == 0)
		jfail(c, "parameters.telescope", "empty");
	s->n_telescope =
	    jget_strings(c, tel, "parameters.telescope", "not a list of prefixes", &d->telescope);
	s->telescope = d->telescope;
	if (c->rc == 0 && (d->telescope_json = json_dumps(tel, JSON_COMPACT)) == NULL)
		c->rc = -BS_ENOMEM;
	s->telescope_json = d->telescope_json;
}

static void read_inputs(struct jctx *c, struct doc *d)
{
	json_t *list = jget_container(c, d->root, "inputs", "inputs", true);
	size_t n = json_array_size(list);
	if (c->rc != 0)
		return;
	d->inputs = calloc(n ? n : 1, sizeof *d->inputs);
	if (d->inputs == NULL) {
		c->rc = -BS_ENOMEM;
		return;
	}
	d->pub.inputs = d->inputs;
	d->pub.n_inputs = n;
	for (size_t i = 0; c->rc == 0 && i < n; i++) {
		json_t *o = json_array_get(list, i);
		struct summary_input *in = &d->inputs[i];
		char key[SUMMARY_KEYLEN];
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
	}
}

/* The flow counts under obj's "flows" (name: its name in messages, e.g.
 * "prefix_view.flows"); absent counts are 0. */
static void read_flows(struct jctx *c, json_t *obj, const char *name, struct attack_stats *a)
{
	static const char *const keys[] = {"flows",      "attacks",         "rejected",
	                                   "open_flows", "peak_open_flows", "stitched"};
	uint64_t *const to[] = {&a->flows,      &a->attacks,         &a->rejected,
	                        &a->open_flows, &a->peak_open_flows, &a->stitched};
	json_t *f = jget_container(c, obj, "flows", name, false);
	for (size_t i = 0; c->rc == 0 && i < sizeof keys / sizeof keys[0]; i++) {
		char full[SUMMARY_KEYLEN];
		snprintf(full, sizeof full, "%s.%s", name, keys[i]);
		*to[i] = jget_uint(c, f, keys[i], full, false, UINT64_MAX);
	}
}

static void read_counters(struct jctx *c, struct doc *d)
{
	json_t *o = jget_container(c, d->root, "counters", "counters", false);
	struct packet_counters *k = &d->pub.counters;
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
		char name[SUMMARY_KEYLEN];
		snprintf(name, sizeof name, "counters.%s", fields[i].key);
		*fields[i].to = jget_uint(c, o, fields[i].key, name, false, UINT64_MAX);
	}
	read_flows(c, d->root, "flows", &d->pub.attack_stats);
}

/* The prefix view (collect --prefix-view), when the file has one: its
 * lengths, at most 32 and 128, its minimum of victims, at least 1, and
 * its flow counts. */
static void read_prefix_view(struct jctx *c, struct doc *d)
{
	struct summary_doc *s = &d->pub;
	json_t *pv = json_object_get(d->root, "prefix_view");
	if (pv == NULL || json_is_null(pv))
		return;
	if (!json_is_object(pv)) {
		jfail(c, "prefix_view", "not an object");
		return;
	}
	s->has_prefix_view = true;
	s->prefix_view.len4 =
	    (uint8_t)jget_uint(c, pv, "ipv4_length", "prefix_view.ipv4_length", true, 32);
	s->prefix_view.len6 =
	    (uint8_t)jget_uint(c, pv, "ipv6_length", "prefix_view.ipv6_length", true, 128);
	s->prefix_view.min_victims =
	    (uint32_t)jget_uint(c, pv, "min_victims", "prefix_view.min_victims", true, UINT32_MAX);
	if (c->rc == 0 && s->prefix_view.min_victims == 0)
		jfail(c, "prefix_view.min_victims", "0");
	read_flows(c, pv, "prefix_view.flows", &s->prefix_stats);
}

static void read_state(struct jctx *c, struct doc *d)
{
	struct summary_doc *s = &d->pub;
	json_t *range = jget_container(c, d->root, "time_range", "time_range", false);
	s->first_us = jget_time(c, range, "first_packet", "time_range.first_packet");
	s->last_us = jget_time(c, range, "last_packet", "time_range.last_packet");
	if (c->rc == 0 && s->last_us < s->first_us)
		jfail(c, "time_range.last_packet", "before first_packet");
	s->complete = jget_bool(c, d->root, "complete", "complete", true);
	s->partial_reason = jget_str(c, d->root, "partial_reason", "partial_reason", false);
	json_t *w = json_object_get(d->root, "warnings");
	if (w != NULL && !json_is_array(w)) {
		jfail(c, "warnings", "not a list");
		return;
	}
	s->n_warnings = jget_strings(c, w, "warnings", "not a list of strings", &d->warnings);
	s->warnings = d->warnings;
}

/* The keys checked last (see the top of this file). */
static void read_rest(struct jctx *c, struct doc *d)
{
	struct summary_doc *s = &d->pub;
	json_t *size = json_object_get(json_object_get(d->root, "parameters"), "telescope_size_v4");
	if (!json_is_number(size))
		jfail(c, "parameters.telescope_size_v4", "missing or not a number");
	s->telescope_size_v4 = json_number_value(size);
	json_t *range = json_object_get(d->root, "time_range");
	if (json_object_get(range, "first_packet") == NULL)
		jfail(c, "time_range.first_packet", "missing");
	if (json_object_get(range, "last_packet") == NULL)
		jfail(c, "time_range.last_packet", "missing");
	json_t *tool = json_object_get(d->root, "tool");
	if (tool != NULL && !json_is_object(tool))
		jfail(c, "tool", "not an object");
	s->version = jget_str(c, tool, "version", "tool.version", false);
	s->command_line = jget_str(c, d->root, "command_line", "command_line", false);
	json_t *from = json_object_get(d->root, "merged_from");
	if (from != NULL && !json_is_array(from)) {
		jfail(c, "merged_from", "not a list");
		return;
	}
	s->n_merged_from =
	    jget_strings(c, from, "merged_from", "not a list of strings", &d->merged_from);
	s->merged_from = d->merged_from;
	read_prefix_view(c, d);
}

int summary_read(const char *path, struct summary_doc **out, struct bs_err *err)
{
	*out = NULL;
	bs_err_clear(err);
	/* fopen() first so a missing file is told by errno, not by jansson's text. */
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return bs_err_io(err, errno, "%s", path);
	struct doc *d = calloc(1, sizeof *d);
	if (d == NULL || (d->path = strdup(path)) == NULL) {
		fclose(f);
		free(d);
		return -BS_ENOMEM;
	}
	json_error_t je;
	d->root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	struct jctx c = {.path = path, .err = err};
	if (d->root == NULL)
		c.rc = bs_err_set(err, -BS_EFORMAT, "%s: line %d: %s", path, je.line, je.text);
	else if (!json_is_object(d->root))
		c.rc = bs_err_set(err, -BS_EFORMAT, "%s: not a JSON object", path);
	if (c.rc == 0)
		read_parameters(&c, d);
	if (c.rc == 0)
		read_inputs(&c, d);
	if (c.rc == 0)
		read_counters(&c, d);
	if (c.rc == 0)
		read_state(&c, d);
	if (c.rc == 0)
		read_rest(&c, d);
	if (c.rc != 0) {
		summary_doc_free(&d->pub);
		return c.rc;
	}
	*out = &d->pub;
	return 0;
}

void summary_doc_free(struct summary_doc *doc)
{
	if (doc == NULL)
		return;
	struct doc *d = (struct doc *)doc;
	free(d->path);
	json_decref(d->root);
	free(d->telescope_json);
	free(d->telescope);
	free(d->pfx2as_json);
	free(d->pfx2as);
	free(d->inputs);
	free(d->warnings);
	free(d->merged_from);
	free(d);
}

int summary_prefixes(const struct summary_doc *doc, bs_prefixes_t *into, struct bs_err *err)
{
	const struct doc *d = (const struct doc *)doc;
	bs_err_clear(err);
	for (size_t i = 0; i < doc->n_telescope; i++) {
		int rc = bs_prefixes_add(into, doc->telescope[i]);
		if (rc == -BS_ENOMEM)
			return rc;
		if (rc != 0)
			return bs_err_set(
			    err, -BS_EFORMAT,
			    "%s: parameters.telescope: '%s' is not a valid prefix (%s)", d->path,
			    doc->telescope[i], bs_strerror(rc));
	}
	return 0;
}

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
 *     "geo_db": null, "asn_db": null, "filter": null
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
 * }
 *
 * Counters are JSON integers; a count beyond 2^63 - 1 (which no run
 * reaches) would be written as a real rather than wrapped. */
#include "outdir/summary.h"

#include "outdir/names.h"

#include <errno.h>
#include <jansson.h>
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

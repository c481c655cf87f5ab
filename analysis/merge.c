/* merge.c - shards read back, checked against each other, attacks joined
 * across seams, outputs written as collect writes them (see merge.h).
 *
 * The exact join (join_exact()) stitches the shards' edge flows; what
 * follows describes the join from rows, for shards without flows.state.
 *
 * Each shard's summary.json stays read (summary_read) while the merge
 * lives: the input URIs, errors and warnings of the merged summary point
 * into it.
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
 *   victim_ports, attack_ports, peak_ppm   the larger of the two values
 *                     (a lower bound); attack_ports unknown (empty) when a
 *                     part does not know it (a row of a version before the
 *                     column)
 *   top_port, uniformity_a2, uniform   the part with more packets (the
 *                     earlier on a tie): its sample dominates the whole
 *   responses   union
 *   responder   the smaller address, as attack.c keeps the lowest
 *   country, asn/as_org   the first part that has them */
#include "analysis/merge.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/evidence.h"
#include "telescope/addr.h"
#include "telescope/attack.h"
#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_intern.h"
#include "base/bs_time.h"
#include "outdir/csvwrite.h"
#include "telescope/geo.h"
#include "outdir/csvread.h"
#include "outdir/flowstate.h"
#include "outdir/attack_list.h"
#include "outdir/outdir.h"
#include "outdir/summary.h"
#include "outdir/tseries.h"

/* A shard's edge flows of one kind (per victim, or the prefix view's). */
struct shard_edges {
	size_t n, n_reported;      /* edge flows, of which reported */
	struct edge_key *reported; /* the keys of the reported ones, in file order */
};

struct shard {
	char *dir;
	size_t seq;              /* position among the shards added (kept ones) */
	struct summary_doc *sum; /* its summary.json */
	uint64_t order_us;       /* earliest packet of its inputs: the merge order */
	bool has_state;          /* it has a flows.state */
	struct flowstate_header state;
	struct shard_edges edges;  /* its per-victim edge flows */
	struct shard_edges pedges; /* its prefix view's (state.has_prefix_view) */
	uint32_t evidence_n;       /* its evidence.pcapng's packets per target, 0: none */
};

/* A row of a shard's attacks.csv or prefix_attacks.csv (geo empty). */
struct part {
	struct attack_record rec;
	struct geo_info geo;
	size_t shard;    /* seq while reading, position in merge order after */
	bool superseded; /* the row of an edge flow: the flow is judged again */
};

/* The rows of one file of every shard. */
struct parts {
	struct part *p;
	size_t n, cap;
};

/* What identifies the row of a reported edge flow in its shard's
 * attacks.csv. The flows themselves are read again, shard by shard, when
 * they are stitched: memory holds the flows open at once, not every
 * shard's. */
struct edge_key {
	bs_addr_t victim;
	uint8_t proto;
	uint64_t start_us, end_us, packets;
};

/* The victims' geography, as the first edge flow of each carried it (merge
 * has no databases): victims are interned, each points at one of the
 * distinct geographies, interned by their text. */
struct geo_book {
	bs_intern_t *victims;
	uint32_t *geo_of; /* by victim index */
	size_t cap_geo_of;
	bs_intern_t *texts; /* "country asn org" of each distinct geography */
	struct geo_info *geos;
	size_t cap_geos;
};

struct merge {
	struct shard *shards;
	size_t n_shards, cap_shards;
	struct parts rows;        /* attacks.csv's */
	struct parts prows;       /* prefix_attacks.csv's */
	bs_prefixes_t *telescope; /* the first shard's */
	tseries_t *tseries;       /* created with the first shard's interval */
	attack_list_t *results;
	char **warnings;
	size_t n_warnings, cap_warnings;
	size_t joins;
	/* Evidence: shards with an evidence.pcapng, whether to read them
	 * (report does not), and the merged one while it is joined. */
	size_t evidence_shards;
	bool without_evidence;
	evidence_t *evidence;
	bool written;
	enum merge_status status;
	/* The exact join (every shard has a flows.state). */
	attack_table_t *stitch;
	flowstate_writer_t *edges; /* the merged result's edge flows */
	struct geo_book book;
	struct attack_stats stitch_stats;
	/* The prefix view, joined exactly as the per-victim flows are when
	 * every shard has it (plan_prefix_view()); NULL otherwise. */
	const struct attack_prefix_view *prefix_view;
	attack_table_t *pstitch;
	attack_list_t *presults;
	struct attack_stats pstitch_stats;
};

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
	summary_doc_free(s->sum);
	free(s->edges.reported);
	free(s->pedges.reported);
	memset(s, 0, sizeof *s);
}

void merge_free(merge_t *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_shards; i++)
		shard_clear(&m->shards[i]);
	free(m->shards);
	free(m->rows.p);
	free(m->prows.p);
	for (size_t i = 0; i < m->n_warnings; i++)
		free(m->warnings[i]);
	free(m->warnings);
	bs_prefixes_free(m->telescope);
	tseries_free(m->tseries);
	attack_list_free(m->results);
	attack_table_free(m->stitch);
	attack_table_free(m->pstitch);
	attack_list_free(m->presults);
	flowstate_writer_free(m->edges);
	evidence_free(m->evidence);
	bs_intern_free(m->book.victims);
	free(m->book.geo_of);
	bs_intern_free(m->book.texts);
	free(m->book.geos);
	free(m);
}

/* Reads DIR/summary.json into s (s->dir set) and finds its merge order:
 * the earliest packet of its inputs, else of its time range. */
static int read_summary(struct shard *s, struct bs_err *err)
{
	char *path = path_join(s->dir, OUTDIR_SUMMARY);
	if (path == NULL)
		return -BS_ENOMEM;
	int rc = summary_read(path, &s->sum, err);
	free(path);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < s->sum->n_inputs; i++) {
		uint64_t first = s->sum->inputs[i].first_us;
		if (first != 0 && (s->order_us == 0 || first < s->order_us))
			s->order_us = first;
	}
	if (s->order_us == 0)
		s->order_us = s->sum->first_us;
	return 0;
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
static int check_parameters(const struct shard *f, const struct shard *s, struct bs_err *err)
{
	const struct summary_doc *fs = f->sum, *ss = s->sum;
	const struct {
		const char *name;
		uint32_t mine, first;
	} nums[] = {
	    {"interval_s", ss->interval_s, fs->interval_s},
	    {"flow_timeout_s", ss->params.flow_timeout_s, fs->params.flow_timeout_s},
	    {"min_packets", ss->params.min_packets, fs->params.min_packets},
	    {"min_duration_s", ss->params.min_duration_s, fs->params.min_duration_s},
	    {"min_ppm", ss->params.min_ppm, fs->params.min_ppm},
	    {"min_dests", ss->params.min_dests, fs->params.min_dests},
	};
	/* The lists as written: equal JSON texts are equal lists. */
	if (strcmp(fs->telescope_json, ss->telescope_json) != 0)
		return bs_err_set(err, -BS_EFORMAT, "%s: telescope %s differs from %s in %s",
		                  s->dir, ss->telescope_json, fs->telescope_json, f->dir);
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
		if (nums[i].mine != nums[i].first)
			return bs_err_set(err, -BS_EFORMAT, "%s: %s %u differs from %u in %s",
			                  s->dir, nums[i].name, nums[i].mine, nums[i].first,
			                  f->dir);
	if (!same_str(ss->preset, fs->preset))
		return bs_err_set(err, -BS_EFORMAT, "%s: preset %s differs from %s in %s", s->dir,
		                  or_none(ss->preset), or_none(fs->preset), f->dir);
	/* Prefix views of other lengths hold other prefixes: nothing to join.
	 * A shard without the view is plan_prefix_view()'s warning. */
	if (!ss->has_prefix_view || !fs->has_prefix_view)
		return 0;
	const struct {
		const char *name;
		uint32_t mine, first;
	} pv[] = {
	    {"ipv4_length", ss->prefix_view.len4, fs->prefix_view.len4},
	    {"ipv6_length", ss->prefix_view.len6, fs->prefix_view.len6},
	    {"min_victims", ss->prefix_view.min_victims, fs->prefix_view.min_victims},
	};
	for (size_t i = 0; i < sizeof pv / sizeof pv[0]; i++)
		if (pv[i].mine != pv[i].first)
			return bs_err_set(err, -BS_EFORMAT,
			                  "%s/%s: prefix_view.%s %u differs from %u in %s/%s",
			                  s->dir, OUTDIR_SUMMARY, pv[i].name, pv[i].mine,
			                  pv[i].first, f->dir, OUTDIR_SUMMARY);
	return 0;
}

/* Settings that do not change which attacks are found but what is in
 * them (geo columns) or which packets were read: a warning. */
static int check_settings(merge_t *m, const struct shard *f, const struct shard *s)
{
	const struct {
		const char *name, *mine, *first;
	} strs[] = {
	    {"geo_db", s->sum->geo_db, f->sum->geo_db},
	    {"asn_db", s->sum->asn_db, f->sum->asn_db},
	    {"filter", s->sum->filter, f->sum->filter},
	    {"pfx2as", s->sum->pfx2as_json, f->sum->pfx2as_json},
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
	for (size_t i = 0; i < o->sum->n_inputs; i++)
		if (same_input(&o->sum->inputs[i], in))
			return (long)i;
	return -1;
}

/* Whether s repeats an earlier shard: *dup is then that shard. An input
 * shared without the whole list being equal is -BS_EEXIST. Inputs that
 * gave no packet (missing, unreadable) carry nothing that could count
 * twice, so sharing one of them alone is no conflict. */
static int check_inputs(const merge_t *m, const struct shard *s, const struct shard **dup,
                        struct bs_err *err)
{
	*dup = NULL;
	const struct summary_doc *ss = s->sum;
	for (size_t j = 0; j < m->n_shards; j++) {
		const struct shard *o = &m->shards[j];
		size_t found = 0;
		const struct summary_input *shared = NULL;
		for (size_t i = 0; i < ss->n_inputs; i++) {
			if (find_input(o, &ss->inputs[i]) < 0)
				continue;
			found++;
			if (shared == NULL && ss->inputs[i].first_us != 0)
				shared = &ss->inputs[i];
		}
		if (found == ss->n_inputs && ss->n_inputs == o->sum->n_inputs) {
			*dup = o;
			return 0;
		}
		if (shared != NULL)
			return bs_err_set(err, -BS_EEXIST,
			                  "%s and %s share the input %s but not all their inputs: "
			                  "its packets would count twice",
			                  s->dir, o->dir, or_none(shared->uri));
	}
	return 0;
}

/* ---- attacks.csv and timeseries.csv ---- */

/* State of one CSV read. A callback that fails says why in err, which
 * the reader then leaves as it is (csvread.h). */
struct csv_ctx {
	merge_t *m;
	size_t shard;
	uint64_t interval_us;
	const struct attack_prefix_view *view; /* prefix_attacks.csv's */
	unsigned long long row;                /* data rows seen; the header is row 1 */
	struct bs_err *err;
};

/* A new zeroed row of shard at the end of rows; NULL when out of memory. */
static struct part *new_part(struct parts *rows, size_t shard)
{
	if (bs_array_reserve(&rows->p, &rows->cap, rows->n + 1, sizeof *rows->p) != 0)
		return NULL;
	struct part *p = &rows->p[rows->n++];
	memset(p, 0, sizeof *p);
	p->shard = shard;
	return p;
}

static int add_part(const struct csvread_attack *a, void *arg)
{
	struct csv_ctx *c = arg;
	merge_t *m = c->m;
	c->row++;
	/* struct geo_info's buffers: what geo.c can write, so a longer cell was
	 * not written by collect. */
	bool long_country = strlen(a->country) >= GEO_COUNTRY_LEN;
	if (long_country || strlen(a->as_org) >= GEO_ORG_LEN) {
		return bs_err_set(c->err, -BS_EFORMAT, "row %llu: column %s: longer than %d bytes",
		                  c->row + 1, long_country ? "country" : "as_org",
		                  long_country ? GEO_COUNTRY_LEN - 1 : GEO_ORG_LEN - 1);
	}
	struct part *p = new_part(&m->rows, c->shard);
	if (p == NULL)
		return -BS_ENOMEM;
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
	    .attack_ports = a->attack_ports,
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
	/* csvread checked it: shorter than GEO_ORIGINS_LEN */
	memcpy(p->geo.origins, a->asn_origins, strlen(a->asn_origins) + 1);
	return 0;
}

/* A prefix_attacks.csv row, its prefix of the shard's view. */
static int add_prefix_part(const struct csvread_prefix *a, void *arg)
{
	struct csv_ctx *c = arg;
	c->row++;
	unsigned len = a->prefix.family == BS_AF_INET ? c->view->len4 : c->view->len6;
	if (a->len != len)
		return bs_err_set(c->err, -BS_EFORMAT,
		                  "row %llu: column prefix: /%u, where the summary's prefix view "
		                  "says /%u",
		                  c->row + 1, a->len, len);
	struct part *p = new_part(&c->m->prows, c->shard);
	if (p == NULL)
		return -BS_ENOMEM;
	p->rec = (struct attack_record){
	    .victim = a->prefix,
	    .start_us = a->start_us,
	    .end_us = a->end_us,
	    .packets = a->packets,
	    .bytes = a->bytes,
	    .telescope_addrs = a->telescope_addrs,
	    .victim_ports = a->victim_ports,
	    .top_port = a->top_port,
	    .attack_ports = a->attack_ports,
	    .responses = a->responses,
	    .peak_ppm = a->peak_ppm,
	    .uniformity_a2 = a->uniformity_a2,
	    .uniform = a->uniform,
	    .proto = a->proto,
	    .victims = a->victims,
	};
	return 0;
}

static int add_bin(const struct csvread_bin *b, void *arg)
{
	struct csv_ctx *c = arg;
	c->row++;
	if (b->end_us - b->start_us != c->interval_us || b->start_us % c->interval_us != 0) {
		return bs_err_set(c->err, -BS_EFORMAT,
		                  "row %llu: not a bin of interval_s %llu s aligned to the epoch, "
		                  "as the summary says",
		                  c->row + 1, (unsigned long long)(c->interval_us / BS_US_PER_S));
	}
	for (int p = 0; p < BS_PROTO_COUNT; p++) {
		int rc = tseries_add_packets(c->m->tseries, b->start_us, p, b->packets_proto[p]);
		if (rc == -BS_ERANGE)
			return bs_err_set(c->err, rc,
			                  "row %llu: the shards together span more than %u bins or "
			                  "reach past year 9999",
			                  c->row + 1, TSERIES_MAX_BINS);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Streams DIR/name (attacks.csv, timeseries.csv or prefix_attacks.csv)
 * through the full reader into the merge. */
static int read_csv(merge_t *m, const struct shard *s, const char *name, struct bs_err *err)
{
	char *path = path_join(s->dir, name);
	if (path == NULL)
		return -BS_ENOMEM;
	struct csv_ctx c = {
	    .m = m,
	    .shard = s->seq,
	    .interval_us = (uint64_t)s->sum->interval_s * BS_US_PER_S,
	    .view = &s->sum->prefix_view,
	    .err = err,
	};
	int rc;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		rc = bs_err_io(err, errno, "%s", path);
	} else {
		rc = strcmp(name, OUTDIR_ATTACKS) == 0 ? csvread_attacks_full(f, add_part, &c, err)
		     : strcmp(name, OUTDIR_PREFIX_ATTACKS) == 0
		         ? csvread_prefix_attacks_full(f, add_prefix_part, &c, err)
		         : csvread_timeseries_full(f, add_bin, &c, err);
		int e = errno;
		fclose(f);
		/* The reader's message or a callback's: "row N: ..." */
		if (rc != 0 && err != NULL && err->msg[0] != '\0')
			bs_err_prefix(err, "%s", path);
		errno = e;
	}
	free(path);
	return rc;
}

/* Counts the flows of edges[0..n) of one kind (prefix) into *into and
 * keeps the keys of the reported ones. */
static int note_edges(const struct flowstate_flow *edges, size_t n, bool prefix,
                      struct shard_edges *into)
{
	for (size_t i = 0; i < n; i++) {
		if (attack_flow_is_prefix(edges[i].flow) != prefix)
			continue;
		into->n++;
		into->n_reported += edges[i].reported;
	}
	if ((into->reported = calloc(into->n_reported + 1, sizeof *into->reported)) == NULL)
		return -BS_ENOMEM;
	for (size_t i = 0, j = 0; i < n; i++) {
		if (!edges[i].reported || attack_flow_is_prefix(edges[i].flow) != prefix)
			continue;
		struct edge_key *k = &into->reported[j++];
		attack_flow_key(edges[i].flow, &k->victim, &k->proto);
		k->start_us = attack_flow_start(edges[i].flow);
		k->end_us = attack_flow_end(edges[i].flow);
		k->packets = attack_flow_packets(edges[i].flow);
	}
	return 0;
}

/* Reads DIR/flows.state when there is one (an older version wrote
 * none) and checks that its flows belong to the shard's summary: the
 * same attack parameters, telescope and prefix view (a file without the
 * view's flows, of an older version, is plan_prefix_view()'s warning). */
static int read_state(merge_t *m, struct shard *s, struct bs_err *err)
{
	char *path = path_join(s->dir, OUTDIR_FLOWSTATE);
	if (path == NULL)
		return -BS_ENOMEM;
	struct flowstate_flow *edges = NULL;
	size_t n = 0;
	int rc = flowstate_read(path, &s->state, &edges, &n, err);
	if (rc == -BS_EIO && err != NULL && err->sys_errno == ENOENT) {
		bs_err_clear(err);
		free(path);
		return 0;
	}
	const struct attack_params *a = &s->state.params, *b = &s->sum->params;
	if (rc == 0 &&
	    (a->flow_timeout_s != b->flow_timeout_s || a->min_packets != b->min_packets ||
	     a->min_duration_s != b->min_duration_s || a->min_ppm != b->min_ppm ||
	     a->min_dests != b->min_dests))
		rc =
		    bs_err_set(err, -BS_EFORMAT,
		               "%s: attack parameters differ from those of its summary.json", path);
	if (rc == 0 && s->state.telescope_hash != flowstate_telescope_hash(m->telescope))
		rc = bs_err_set(err, -BS_EFORMAT, "%s: made for another telescope than %s", path,
		                s->sum->telescope_json);
	const struct attack_prefix_view *x = &s->state.prefix_view, *y = &s->sum->prefix_view;
	if (rc == 0 && s->state.has_prefix_view &&
	    (!s->sum->has_prefix_view || x->len4 != y->len4 || x->len6 != y->len6 ||
	     x->min_victims != y->min_victims))
		rc = bs_err_set(err, -BS_EFORMAT,
		                "%s: prefix view differs from that of its summary.json", path);
	if (rc == 0)
		rc = note_edges(edges, n, false, &s->edges);
	if (rc == 0)
		rc = note_edges(edges, n, true, &s->pedges);
	flowstate_flows_free(edges, n);
	free(path);
	s->has_state = rc == 0;
	return rc;
}

/* pcapng_read() callback of a shard's evidence read when added: every
 * packet's comment must name its victim and protocol. */
static int check_evidence_packet(const struct pcapng_packet *pkt, uint64_t number, void *arg)
{
	struct bs_err *err = arg;
	bs_addr_t victim;
	uint8_t proto;
	int rc = evidence_packet_key(pkt->comment, &victim, &proto, err);
	if (rc != 0)
		bs_err_prefix(err, "packet %llu", (unsigned long long)number);
	return rc;
}

/* Reads DIR/evidence.pcapng when there is one: its packets per target
 * (the section comment) and that every packet names its target. */
static int read_evidence(merge_t *m, struct shard *s, struct bs_err *err)
{
	char *path = path_join(s->dir, OUTDIR_EVIDENCE);
	if (path == NULL)
		return -BS_ENOMEM;
	char section[PCAPNG_COMMENT_MAX + 1];
	struct bs_err mine = {0};
	int rc = pcapng_read(path, section, check_evidence_packet, &mine, &mine);
	if (rc == -BS_EIO && mine.sys_errno == ENOENT) {
		free(path);
		return 0;
	}
	if (rc == 0 && evidence_per_target(section, &s->evidence_n) != 0)
		rc = bs_err_set(&mine, -BS_EFORMAT,
		                "%s: section comment \"%.60s\" does not say how many packets of "
		                "each attack it keeps",
		                path, section);
	if (rc == 0)
		m->evidence_shards++;
	else if (err != NULL)
		*err = mine;
	free(path);
	return rc;
}

/* Records what a shard lost, which the merged result lacks too. */
static int note_losses(merge_t *m, const struct shard *s)
{
	int rc = 0;
	if (!s->sum->complete) {
		m->status = MERGE_WARNINGS;
		rc = add_warning(m, "%s is incomplete (%s): the merged result lacks what it lost",
		                 s->dir, or_none(s->sum->partial_reason));
	}
	if (rc == 0 && s->sum->counters.files_failed > 0) {
		m->status = MERGE_WARNINGS;
		rc = add_warning(m, "%s: %llu input file(s) could not be read completely", s->dir,
		                 (unsigned long long)s->sum->counters.files_failed);
	}
	return rc;
}

/* The first shard sets the telescope and the time series. */
static int adopt_first(merge_t *m, const struct shard *s, struct bs_err *err)
{
	int rc = summary_prefixes(s->sum, m->telescope, err);
	if (rc != 0)
		return rc;
	m->tseries = tseries_create(s->sum->interval_s);
	return m->tseries ? 0 : -BS_ENOMEM;
}

int merge_add_shard(merge_t *m, const char *dir, struct bs_err *err)
{
	bs_err_clear(err);
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
	int rc = read_summary(s, err);
	const struct shard *dup = NULL;
	if (rc == 0 && m->n_shards > 0)
		rc = check_parameters(&m->shards[0], s, err);
	if (rc == 0)
		rc = check_inputs(m, s, &dup, err);
	if (rc == 0 && dup != NULL) {
		rc = add_warning(m, "%s: the same inputs as %s: skipped", s->dir, dup->dir);
		shard_clear(s);
		return rc;
	}
	if (rc == 0 && m->n_shards > 0)
		rc = check_settings(m, &m->shards[0], s);
	if (rc == 0 && m->n_shards == 0)
		rc = adopt_first(m, s, err);
	if (rc == 0)
		rc = read_state(m, s, err);
	if (rc == 0)
		rc = read_csv(m, s, OUTDIR_ATTACKS, err);
	if (rc == 0)
		rc = read_csv(m, s, OUTDIR_TIMESERIES, err);
	if (rc == 0 && s->sum->has_prefix_view)
		rc = read_csv(m, s, OUTDIR_PREFIX_ATTACKS, err);
	if (rc == 0)
		rc = note_losses(m, s);
	if (rc == 0 && !m->without_evidence)
		rc = read_evidence(m, s, err);
	if (rc != 0) {
		shard_clear(s);
		return rc;
	}
	m->n_shards++;
	return 0;
}

void merge_without_evidence(merge_t *m)
{
	m->without_evidence = true;
}

/* ---- joining ---- */

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* A shard's place in capture order. One without packets (order_us 0) has
 * none: it goes last, so that the merge's first shard, whose first packet
 * opens the run's leading edge (join_exact()), is one with packets. */
static uint64_t capture_order(const struct shard *s)
{
	return s->order_us != 0 ? s->order_us : UINT64_MAX;
}

static int shard_cmp(const void *pa, const void *pb)
{
	const struct shard *a = pa, *b = pb;
	int c = CMP(capture_order(a), capture_order(b));
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
	for (size_t i = 0; i < m->rows.n; i++)
		m->rows.p[i].shard = pos[m->rows.p[i].shard];
	for (size_t i = 0; i < m->prows.n; i++)
		m->prows.p[i].shard = pos[m->prows.p[i].shard];
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
	if (q->attack_ports < 0 || r->attack_ports < 0)
		r->attack_ports = -1;
	else if (q->attack_ports > r->attack_ports)
		r->attack_ports = q->attack_ports;
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
		memcpy(g->geo.origins, p->geo.origins, sizeof g->geo.origins);
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
	if (m->rows.n == 0)
		return 0;
	qsort(m->rows.p, m->rows.n, sizeof *m->rows.p, part_cmp);
	uint64_t timeout_us = (uint64_t)m->shards[0].sum->params.flow_timeout_s * BS_US_PER_S;
	struct group *g = malloc(sizeof *g);
	if (g == NULL)
		return -BS_ENOMEM;
	const struct part *p = &m->rows.p[0];
	group_start(g, p, bs_prefixes_size(m->telescope, p->rec.victim.family));
	int rc = 0;
	for (size_t i = 1; rc == 0 && i < m->rows.n; i++) {
		p = &m->rows.p[i];
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

/* ---- the exact join: edge flows stitched as collect stitches files ---- */

/* Records the geography an edge flow carried for its victim, unless an
 * earlier shard's flow did: the first wins, as in the rows' join. */
static int book_add(struct geo_book *b, const bs_addr_t *victim, const struct geo_info *geo)
{
	size_t known = bs_intern_count(b->victims);
	uint32_t v, g;
	int rc = bs_intern_add(b->victims, victim, &v);
	if (rc != 0 || v < known)
		return rc;
	char text[GEO_COUNTRY_LEN + GEO_ORIGINS_LEN + GEO_ORG_LEN + 16];
	snprintf(text, sizeof text, "%s %" PRIu32 " %s %s", geo->country, geo->asn, geo->origins,
	         geo->as_org);
	size_t geos = bs_intern_count(b->texts);
	if ((rc = bs_intern_add(b->texts, text, &g)) != 0)
		return rc;
	if (g == geos) {
		if (bs_array_reserve(&b->geos, &b->cap_geos, geos + 1, sizeof *b->geos) != 0)
			return -BS_ENOMEM;
		b->geos[g] = *geo;
	}
	if (bs_array_reserve(&b->geo_of, &b->cap_geo_of, (size_t)v + 1, sizeof *b->geo_of) != 0)
		return -BS_ENOMEM;
	b->geo_of[v] = g;
	return 0;
}

/* The geography recorded for victim (a victim of a flow the stitching
 * table holds, so recorded when the flow was adopted). */
static const struct geo_info *book_find(struct geo_book *b, const bs_addr_t *victim)
{
	size_t known = bs_intern_count(b->victims);
	uint32_t v;
	if (bs_intern_add(b->victims, victim, &v) != 0 || v >= known)
		return NULL;
	return &b->geos[b->geo_of[v]];
}

static int on_stitched_attack(const struct attack_record *rec, void *arg)
{
	merge_t *m = arg;
	return attack_list_add(m->results, rec, book_find(&m->book, &rec->victim));
}

static int on_merged_edge(const attack_flow_t *f, bool reported, void *arg)
{
	merge_t *m = arg;
	bs_addr_t victim;
	uint8_t proto;
	attack_flow_key(f, &victim, &proto);
	int rc = flowstate_writer_add(m->edges, f, reported, book_find(&m->book, &victim));
	if (rc == 0 && m->evidence != NULL)
		rc = evidence_add_flow(m->evidence, &victim, proto, attack_flow_start(f),
		                       attack_flow_end(f));
	return rc;
}

static int on_stitched_prefix_attack(const struct attack_record *rec, void *arg)
{
	merge_t *m = arg;
	return attack_list_add(m->presults, rec, NULL);
}

static int on_merged_prefix_edge(const attack_flow_t *f, bool reported, void *arg)
{
	merge_t *m = arg;
	return flowstate_writer_add(m->edges, f, reported, NULL);
}

/* Marks the row in rows (sorted by part_cmp) of each reported edge flow
 * of shard si in e, rows being those of its file name: the flow is
 * judged again once joined. A reported flow without its row is a shard
 * whose files do not belong together. */
static int supersede_rows(merge_t *m, struct parts *rows, size_t si, const struct shard_edges *e,
                          const char *name, struct bs_err *err)
{
	const struct shard *sh = &m->shards[si];
	for (size_t j = 0; j < e->n_reported; j++) {
		const struct edge_key *k = &e->reported[j];
		struct part key = {.shard = si};
		key.rec.victim = k->victim;
		key.rec.proto = k->proto;
		key.rec.start_us = k->start_us;
		/* The first part at or after (victim, proto, start, shard). */
		size_t lo = 0, hi = rows->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (part_cmp(&rows->p[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		struct part *p = NULL;
		for (; lo < rows->n; lo++) {
			struct part *q = &rows->p[lo];
			if (q->shard != si || q->rec.proto != k->proto ||
			    q->rec.start_us != k->start_us ||
			    bs_addr_cmp(&q->rec.victim, &k->victim) != 0)
				break;
			if (!q->superseded && q->rec.end_us == k->end_us &&
			    q->rec.packets == k->packets) {
				p = q;
				break;
			}
		}
		if (p == NULL)
			return bs_err_set(
			    err, -BS_EFORMAT,
			    "%s/%s: reported %sattack %zu of its flows is not in %s/%s", sh->dir,
			    OUTDIR_FLOWSTATE, rows == &m->prows ? "prefix " : "", j + 1, sh->dir,
			    name);
		p->superseded = true;
	}
	return 0;
}

/* Reads shard sh's edge flows again and adopts them, recording their
 * victims' geography. The file must be the one read by merge_add_shard(). */
static int adopt_edges(merge_t *m, const struct shard *sh, struct bs_err *err)
{
	char *path = path_join(sh->dir, OUTDIR_FLOWSTATE);
	if (path == NULL)
		return -BS_ENOMEM;
	struct flowstate_header h;
	struct flowstate_flow *edges;
	size_t n;
	int rc = flowstate_read(path, &h, &edges, &n, err);
	if (rc == 0 &&
	    (n != sh->edges.n + sh->pedges.n || h.first_us != sh->state.first_us ||
	     h.last_us != sh->state.last_us || h.telescope_hash != sh->state.telescope_hash))
		rc = bs_err_set(err, -BS_EFORMAT, "%s: changed while merge ran", path);
	for (size_t j = 0; rc == 0 && j < n; j++) {
		attack_flow_t *f = edges[j].flow;
		/* The prefix view's flows, when it is merged (else left). */
		if (attack_flow_is_prefix(f)) {
			if (m->pstitch == NULL)
				continue;
			edges[j].flow = NULL;
			rc = attack_table_adopt(m->pstitch, f);
			continue;
		}
		bs_addr_t victim;
		uint8_t proto;
		attack_flow_key(f, &victim, &proto);
		rc = book_add(&m->book, &victim, &edges[j].geo);
		edges[j].flow = NULL;
		if (rc == 0)
			rc = attack_table_adopt(m->stitch, f);
		else
			attack_flow_free(f);
	}
	flowstate_flows_free(edges, n); /* those not adopted */
	free(path);
	return rc;
}

/* The rows of every shard's file name (rows) that no edge flow
 * supersedes into list: they are final. */
static int keep_final_rows(merge_t *m, struct parts *rows, bool prefix, const char *name,
                           attack_list_t *list, struct bs_err *err)
{
	/* A file with no rows in any shard leaves p NULL, which qsort() must
	 * not be given even for no items. */
	if (rows->n > 1)
		qsort(rows->p, rows->n, sizeof *rows->p, part_cmp);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < m->n_shards; i++)
		rc = supersede_rows(m, rows, i, prefix ? &m->shards[i].pedges : &m->shards[i].edges,
		                    name, err);
	for (size_t i = 0; rc == 0 && i < rows->n; i++)
		if (!rows->p[i].superseded)
			rc =
			    attack_list_add(list, &rows->p[i].rec, prefix ? NULL : &rows->p[i].geo);
	return rc;
}

/* The prefix view's stitching table, as the per-victim one (join_exact()). */
static int start_prefix_join(merge_t *m, uint64_t leading_until_us, struct bs_err *err)
{
	const struct shard *first = &m->shards[0];
	m->presults = attack_list_create();
	m->pstitch =
	    attack_table_create(&first->sum->params, m->telescope, on_stitched_prefix_attack, m);
	if (m->presults == NULL || m->pstitch == NULL)
		return -BS_ENOMEM;
	attack_table_key_prefix(m->pstitch, m->prefix_view);
	attack_table_watch_edges(m->pstitch, leading_until_us, on_merged_prefix_edge, m);
	return keep_final_rows(m, &m->prows, true, OUTDIR_PREFIX_ATTACKS, m->presults, err);
}

/* Adopts every shard's edge flows, in merge order, into one stitching
 * table, expiring at each shard's last packet what the next can no longer
 * continue: what collect does with the files of one run. The rows of the
 * other flows are final. */
static int join_exact(merge_t *m, struct bs_err *err)
{
	int rc = keep_final_rows(m, &m->rows, false, OUTDIR_ATTACKS, m->results, err);
	if (rc != 0)
		return rc;
	const struct shard *first = &m->shards[0];
	m->stitch = attack_table_create(&first->sum->params, m->telescope, on_stitched_attack, m);
	m->edges = flowstate_writer_create();
	m->book.victims = bs_intern_create(sizeof(bs_addr_t));
	m->book.texts = bs_intern_create(BS_INTERN_STRINGS);
	if (m->stitch == NULL || m->edges == NULL || m->book.victims == NULL ||
	    m->book.texts == NULL)
		return -BS_ENOMEM;
	uint64_t timeout_us = (uint64_t)first->sum->params.flow_timeout_s * BS_US_PER_S;
	attack_table_watch_edges(m->stitch, first->state.first_us + timeout_us, on_merged_edge, m);
	if (m->prefix_view != NULL)
		rc = start_prefix_join(m, first->state.first_us + timeout_us, err);
	for (size_t i = 0; rc == 0 && i < m->n_shards; i++) {
		const struct shard *sh = &m->shards[i];
		rc = adopt_edges(m, sh, err);
		if (rc == 0)
			rc = attack_table_expire(m->stitch, sh->state.last_us);
		if (rc == 0 && m->pstitch != NULL)
			rc = attack_table_expire(m->pstitch, sh->state.last_us);
	}
	if (rc == 0)
		rc = attack_table_flush(m->stitch);
	if (rc == 0 && m->pstitch != NULL)
		rc = attack_table_flush(m->pstitch);
	attack_table_stats(m->stitch, &m->stitch_stats);
	if (m->pstitch != NULL)
		attack_table_stats(m->pstitch, &m->pstitch_stats);
	m->joins = m->stitch_stats.stitched;
	return rc;
}

/* Whether the prefix view is merged (m->prefix_view set): when every
 * shard has it (their lengths and minimum agree: check_parameters()) and
 * the join is exact, with the view's flows in every flows.state.
 * Otherwise, when some shard has it, one warning and no
 * prefix_attacks.csv: prefix attacks short of a shard's would pass for
 * complete in the next merge. */
static int plan_prefix_view(merge_t *m, bool exact)
{
	const struct shard *with = NULL, *without = NULL, *old = NULL;
	for (size_t i = 0; i < m->n_shards; i++) {
		const struct shard *s = &m->shards[i];
		if (!s->sum->has_prefix_view)
			without = without ? without : s;
		else if (!s->state.has_prefix_view)
			old = old ? old : s;
		else
			with = with ? with : s;
	}
	if (with == NULL && old == NULL)
		return 0;
	if (without == NULL && old == NULL && exact) {
		m->prefix_view = &with->sum->prefix_view;
		return 0;
	}
	m->status = MERGE_WARNINGS;
	if (without != NULL)
		return add_warning(m,
		                   "no %s written: %s was collected without --prefix-view, so "
		                   "the prefix attacks it holds are unknown",
		                   OUTDIR_PREFIX_ATTACKS, without->dir);
	if (old != NULL && old->has_state)
		return add_warning(m,
		                   "no %s written: %s/%s has no prefix-view flows (written by an "
		                   "older version), so prefix attacks across its seams cannot be "
		                   "joined",
		                   OUTDIR_PREFIX_ATTACKS, old->dir, OUTDIR_FLOWSTATE);
	return add_warning(m,
	                   "no %s written: a shard has no %s, so prefix attacks across its "
	                   "seams cannot be joined",
	                   OUTDIR_PREFIX_ATTACKS, OUTDIR_FLOWSTATE);
}

/* Whether every shard has its edge flows; else the one warning of the
 * estimated join. */
static int exact_or_warn(merge_t *m, bool *exact)
{
	size_t without = 0;
	const struct shard *one = NULL;
	for (size_t i = 0; i < m->n_shards; i++) {
		if (!m->shards[i].has_state) {
			without++;
			one = one ? one : &m->shards[i];
		}
	}
	*exact = without == 0;
	if (*exact)
		return 0;
	return add_warning(m,
	                   "%s%s has no %s (written by an older version): attacks across seams "
	                   "are joined from their attacks.csv rows, so telescope_addrs, "
	                   "victim_ports, attack_ports, top_port, peak_ppm and uniformity_a2 of "
	                   "joined attacks are estimates, and flows below the thresholds in "
	                   "every piece are lost",
	                   one->dir, without > 1 ? " (and other shards)" : "", OUTDIR_FLOWSTATE);
}

/* ---- evidence ---- */

/* Whether the merged result gets an evidence.pcapng, and with how many
 * packets per target; creates m->evidence when it does, before the join
 * (whose edge flows are targets). Every shard must have one, and the join
 * must be exact: the evidence of an attack across seams comes from its
 * shards' edge flows. Otherwise one warning, and none is written: an
 * evidence.pcapng short of a shard's packets would pass for complete in
 * the next merge. Shards keeping different counts give the smallest, whose
 * packets every shard has (the first N of a target are a prefix of its
 * first M > N); a warning says so. */
static int plan_evidence(merge_t *m, bool exact)
{
	if (m->evidence_shards == 0)
		return 0;
	const struct shard *without = NULL, *least = NULL, *most = NULL;
	for (size_t i = 0; i < m->n_shards; i++) {
		const struct shard *s = &m->shards[i];
		if (s->evidence_n == 0) {
			without = without ? without : s;
			continue;
		}
		if (least == NULL || s->evidence_n < least->evidence_n)
			least = s;
		if (most == NULL || s->evidence_n > most->evidence_n)
			most = s;
	}
	if (without != NULL || !exact) {
		m->status = MERGE_WARNINGS;
		return add_warning(m,
		                   "no %s written: %s has none%s, so the first packets of the "
		                   "attacks it holds are unknown",
		                   OUTDIR_EVIDENCE, without ? without->dir : "a shard",
		                   without ? "" : " of its edge flows");
	}
	if (least->evidence_n != most->evidence_n) {
		int rc = add_warning(m,
		                     "%s keeps %u packets of each attack in %s, %s keeps %u: the "
		                     "merged %s keeps %u",
		                     least->dir, least->evidence_n, OUTDIR_EVIDENCE, most->dir,
		                     most->evidence_n, OUTDIR_EVIDENCE, least->evidence_n);
		if (rc != 0)
			return rc;
	}
	m->evidence = evidence_create(least->evidence_n);
	return m->evidence != NULL ? 0 : -BS_ENOMEM;
}

/* pcapng_read() callback of a shard's evidence joined. */
static int offer_packet(const struct pcapng_packet *pkt, uint64_t number, void *arg)
{
	(void)number;
	merge_t *m = arg;
	return evidence_offer(m->evidence, pkt, NULL);
}

/* After the join: the merged attacks (numbered as attacks.csv numbers
 * them) and edge flows (added by on_merged_edge()) are the targets, and
 * the shards' packets, in merge order, are offered to them: collect's
 * second reading, over the packets the shards kept. */
static int join_evidence(merge_t *m, struct bs_err *err)
{
	int rc = evidence_add_attacks(m->evidence, m->results);
	if (rc != 0)
		return rc;
	evidence_ready(m->evidence, NULL);
	char section[PCAPNG_COMMENT_MAX + 1];
	for (size_t i = 0; rc == 0 && i < m->n_shards; i++) {
		char *path = path_join(m->shards[i].dir, OUTDIR_EVIDENCE);
		if (path == NULL)
			return -BS_ENOMEM;
		rc = pcapng_read(path, section, offer_packet, m, err);
		/* A file that passed merge_add_shard() and fails now. */
		if (rc == -BS_EFORMAT)
			rc = bs_err_set(err, rc, "%s: changed while merge ran", path);
		free(path);
	}
	return rc;
}

/* ---- writing ---- */

/* a - b, or 0 when b is larger (counts of a summary edited by hand). */
static uint64_t less(uint64_t a, uint64_t b)
{
	return a >= b ? a - b : 0;
}

/* The shards' counts sum (prefix: of the prefix view) with their edge
 * flows judged again here: each shard's judgement of them taken out,
 * the stitching table's (stitch) put in. */
static void rejudged(const merge_t *m, bool prefix, struct attack_stats *sum,
                     const struct attack_stats *stitch)
{
	for (size_t i = 0; i < m->n_shards; i++) {
		const struct shard_edges *e = prefix ? &m->shards[i].pedges : &m->shards[i].edges;
		sum->attacks = less(sum->attacks, e->n_reported);
		sum->rejected = less(sum->rejected, e->n - e->n_reported);
	}
	sum->attacks += stitch->attacks;
	sum->rejected += stitch->rejected;
}

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
		n_in += m->shards[i].sum->n_inputs;
		n_warn += m->shards[i].sum->n_warnings;
	}
	struct lists l = {
	    .inputs = calloc(n_in ? n_in : 1, sizeof *l.inputs),
	    .warnings = calloc(n_warn ? n_warn : 1, sizeof *l.warnings),
	    .dirs = calloc(m->n_shards, sizeof *l.dirs),
	};
	int rc = l.inputs && l.warnings && l.dirs ? 0 : -BS_ENOMEM;
	const struct summary_doc *first = m->shards[0].sum;
	struct summary s = {
	    .version = version,
	    .command_line = command_line,
	    .preset = first->preset,
	    .params = first->params,
	    .interval_s = first->interval_s,
	    .telescope = m->telescope,
	    .geo_db = first->geo_db,
	    .asn_db = first->asn_db,
	    .pfx2as = first->pfx2as,
	    .n_pfx2as = first->n_pfx2as,
	    .filter = first->filter,
	    .inputs = l.inputs,
	    .warnings = l.warnings,
	    .merged_from = l.dirs,
	    .n_merged_from = m->n_shards,
	};
	for (size_t i = 0; rc == 0 && i < m->n_shards; i++) {
		const struct summary_doc *sh = m->shards[i].sum;
		l.dirs[i] = m->shards[i].dir;
		memcpy(l.inputs + s.n_inputs, sh->inputs, sh->n_inputs * sizeof *l.inputs);
		s.n_inputs += sh->n_inputs;
		for (size_t w = 0; w < sh->n_warnings; w++)
			l.warnings[s.n_warnings++] = sh->warnings[w];
		packet_counters_add(&s.counters, &sh->counters);
		attack_stats_add(&s.attack_stats, &sh->attack_stats);
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
	if (m->stitch != NULL) {
		rejudged(m, false, &s.attack_stats, &m->stitch_stats);
	} else {
		s.attack_stats.attacks -=
		    s.attack_stats.attacks >= m->joins ? m->joins : s.attack_stats.attacks;
	}
	if (m->prefix_view != NULL) {
		s.prefix_view = m->prefix_view;
		for (size_t i = 0; i < m->n_shards; i++)
			attack_stats_add(&s.prefix_stats, &m->shards[i].sum->prefix_stats);
		s.prefix_stats.stitched += m->pstitch_stats.stitched;
		s.prefix_stats.flows = less(s.prefix_stats.flows, m->pstitch_stats.stitched);
		rejudged(m, true, &s.prefix_stats, &m->pstitch_stats);
	}
	struct outdir_state state = {.flows = m->edges};
	if (m->stitch != NULL) {
		state.header = m->shards[0].state;
		for (size_t i = 0; i < m->n_shards; i++)
			if (m->shards[i].state.last_us > state.header.last_us)
				state.header.last_us = m->shards[i].state.last_us;
		state.header.has_prefix_view = m->prefix_view != NULL;
		if (m->prefix_view != NULL)
			state.header.prefix_view = *m->prefix_view;
	}
	const struct outdir_prefix prefix = {.attacks = m->presults, .view = m->prefix_view};
	for (size_t w = 0; rc == 0 && w < m->n_warnings; w++)
		l.warnings[s.n_warnings++] = m->warnings[w];
	if (rc == 0)
		rc = outdir_write(dir, m->results, m->tseries, &s, m->stitch ? &state : NULL,
		                  m->prefix_view ? &prefix : NULL,
		                  m->evidence ? evidence_packets(m->evidence) : NULL, err);
	else
		bs_err_set(err, rc, "%s", bs_strerror(rc));
	free(l.inputs);
	free(l.warnings);
	free(l.dirs);
	return rc;
}

int merge_write(merge_t *m, const char *dir, const char *command_line, const char *version,
                struct bs_err *err)
{
	bs_err_clear(err);
	if (m->n_shards == 0 || m->written)
		return -BS_EINVAL;
	m->written = true;
	bool exact = false;
	int rc = order_shards(m);
	if (rc == 0)
		rc = exact_or_warn(m, &exact);
	if (rc == 0)
		rc = plan_evidence(m, exact);
	if (rc == 0)
		rc = plan_prefix_view(m, exact);
	if (rc == 0)
		rc = exact ? join_exact(m, err) : join_parts(m);
	if (rc == 0 && m->evidence != NULL)
		rc = join_evidence(m, err);
	if (rc != 0)
		return rc;
	return write_outdir(m, dir, command_line, version, err);
}

static int by_first_packet(const void *pa, const void *pb)
{
	const struct shard *const *a = pa, *const *b = pb;
	return CMP((*a)->sum->first_us, (*b)->sum->first_us);
}

bool merge_is_exact(const merge_t *m, struct bs_err *why)
{
	bs_err_clear(why);
	for (size_t i = 0; i < m->n_shards; i++)
		if (!m->shards[i].has_state) {
			bs_err_set(why, -BS_EFORMAT, "%s has no %s (written by an older version)",
			           m->shards[i].dir, OUTDIR_FLOWSTATE);
			return false;
		}
	const struct shard **by_time = malloc((m->n_shards ? m->n_shards : 1) * sizeof *by_time);
	if (by_time == NULL) {
		bs_err_set(why, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
		return false;
	}
	size_t n = 0;
	for (size_t i = 0; i < m->n_shards; i++)
		if (m->shards[i].sum->first_us != 0)
			by_time[n++] = &m->shards[i];
	qsort(by_time, n, sizeof *by_time, by_first_packet);
	bool exact = true;
	for (size_t i = 1; exact && i < n; i++) {
		if (by_time[i]->sum->first_us < by_time[i - 1]->sum->last_us) {
			bs_err_set(why, -BS_EEXIST, "%s overlaps %s in time", by_time[i]->dir,
			           by_time[i - 1]->dir);
			exact = false;
		}
	}
	free(by_time);
	return exact;
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

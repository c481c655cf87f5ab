/* collector.c - the collect pipeline (see collector.h).
 *
 * Every input is a job (collect_job.h) with its own reader, flow table,
 * time series and counters. --jobs is the number of threads that work on
 * packets: while files outnumber them, each reads a file and runs its flow
 * table inline; a job started when there are at least twice as many
 * threads as jobs left gets a second thread for its flow table, so one
 * file read alone still uses two CPUs. The thread that called
 * collector_run() stitches the jobs in capture order as they finish: it
 * adopts each job's partial flows into one stitching table, adds its time
 * series and counters to the run's, and frees the job. One code path
 * serves every --jobs value, so the attack list cannot depend on it. A
 * mutex guards the little the threads share: the attack list (attacks are
 * rare next to packets), the scheduling and the progress counts.
 *
 * In this file, in the order of a run: the warnings, the callbacks the
 * jobs call, creating the run and adding inputs, the ordering pass's
 * warnings, the threads and the stitching (read_all()), collector_run(),
 * and what the caller asks afterwards: status, warnings, the write. */
#include "analysis/collector.h"
#include "analysis/collect_job.h"
#include "analysis/evidence.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/bs_array.h"
#include "base/bs_error.h"
#include "base/bs_time.h"
#include "telescope/inputs.h"
#include "outdir/attack_list.h"
#include "outdir/flowstate.h"
#include "outdir/outdir.h"
#include "outdir/tseries.h"

/* Longest warning kept, file names included; longer ones are cut. */
#define COLLECTOR_WARNING_LEN 512

struct collector {
	struct collector_config cfg;
	inputs_t *inputs;
	char **warnings;
	size_t n_warnings, cap_warnings;
	struct packet_counters counters;
	struct attack_stats stats;
	uint64_t first_us, last_us; /* backscatter time range of the run */
	bool stopped;
	attack_table_t *stitch;
	attack_table_t *pstitch;    /* the prefix view's; NULL without */
	attack_list_t *presults;    /* its attacks */
	struct attack_stats pstats; /* its counts */
	flowstate_writer_t *edges;  /* the run's edge flows, for flows.state */
	uint64_t edges_first_us;    /* their header's first_us and last_us */
	uint64_t edges_last_us;
	bool watching;        /* the stitching table shows its edge flows */
	bool evidence_failed; /* an input could not be read again for evidence */
	attack_list_t *results;
	tseries_t *tseries;
	evidence_t *evidence; /* NULL without --evidence */
	int64_t bytes_total;
	struct collect_job_env env; /* what the jobs share */
	/* Shared with the reader threads, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct collect_job *jobs;
	size_t n_jobs, next_job, running, files_done;
	int64_t bytes_done;
	uint64_t packets_read;
	bool abort;
};

/* Adds a warning of the run ("FILE: what went wrong"), cut at
 * COLLECTOR_WARNING_LEN and made one line whatever the file names it
 * quotes, for stderr and summary.json alike. */
__attribute__((format(printf, 2, 3))) static int add_warning(collector_t *c, const char *fmt, ...)
{
	if (bs_array_reserve(&c->warnings, &c->cap_warnings, c->n_warnings + 1,
	                     sizeof *c->warnings))
		return -BS_ENOMEM;
	char buf[COLLECTOR_WARNING_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	bs_message_one_line(buf);
	char *copy = strdup(buf);
	if (copy == NULL)
		return -BS_ENOMEM;
	c->warnings[c->n_warnings++] = copy;
	return 0;
}

/* Counts an input that could not be read (fully) and warns of it. */
static int warn_failed(collector_t *c, const struct input *in)
{
	c->counters.files_failed++;
	return add_warning(c, "%s: %s", in->uri, in->error);
}

/* The victim's geography into *geo, or NULL without databases and
 * prefix-to-AS table. A corrupt record leaves the MaxMind part empty, as
 * for an address the databases do not have; the table then gives the AS
 * (it wins over --asn-db, pfx2as.h). */
static const struct geo_info *victim_geo(const collector_t *c, const bs_addr_t *victim,
                                         struct geo_info *geo)
{
	if (c->cfg.geo == NULL && c->cfg.pfx2as == NULL)
		return NULL;
	bool found = c->cfg.geo != NULL && geo_lookup(c->cfg.geo, victim, geo, NULL) == 0;
	if (c->cfg.pfx2as == NULL)
		return found ? geo : NULL;
	if (!found)
		memset(geo, 0, sizeof *geo);
	pfx2as_fill(c->cfg.pfx2as, victim, geo);
	return geo;
}

/* Attack callback of every table, from any thread. Geolocation happens
 * here, once per attack, on the victim. */
static int on_attack(const struct attack_record *rec, void *arg)
{
	collector_t *c = arg;
	struct geo_info geo;
	pthread_mutex_lock(&c->lock);
	int rc = attack_list_add(c->results, rec, victim_geo(c, &rec->victim, &geo));
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Attack callback of every prefix-view table, from any thread. */
static int on_prefix_attack(const struct attack_record *rec, void *arg)
{
	collector_t *c = arg;
	pthread_mutex_lock(&c->lock);
	int rc = attack_list_add(c->presults, rec, NULL);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Edge callback of every table, from any thread: the flow goes into
 * flows.state with the victim's geography, since merge has no databases. */
static int on_edge(const attack_flow_t *f, bool reported, void *arg)
{
	collector_t *c = arg;
	struct geo_info geo;
	bs_addr_t victim;
	uint8_t proto;
	attack_flow_key(f, &victim, &proto);
	pthread_mutex_lock(&c->lock);
	int rc = flowstate_writer_add(c->edges, f, reported, victim_geo(c, &victim, &geo));
	if (rc == 0 && c->evidence != NULL)
		rc = evidence_add_flow(c->evidence, &victim, proto, attack_flow_start(f),
		                       attack_flow_end(f));
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Edge callback of every prefix-view table, from any thread: a prefix
 * has no geography, nor evidence (its packets are its victims'). */
static int on_prefix_edge(const attack_flow_t *f, bool reported, void *arg)
{
	collector_t *c = arg;
	pthread_mutex_lock(&c->lock);
	int rc = flowstate_writer_add(c->edges, f, reported, NULL);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Watches the run's stitching tables from leading_until_us (see
 * stitch_job() and read_all()). */
static void watch_stitching(collector_t *c, uint64_t leading_until_us)
{
	attack_table_watch_edges(c->stitch, leading_until_us, on_edge, c);
	if (c->pstitch != NULL)
		attack_table_watch_edges(c->pstitch, leading_until_us, on_prefix_edge, c);
	c->watching = true;
}

static bool stop_requested(const collector_t *c)
{
	return c->cfg.stop != NULL && *c->cfg.stop;
}

/* A job's packet count, for progress; true when the run is to stop. */
static bool publish_packets(uint64_t packets, void *arg)
{
	collector_t *c = arg;
	pthread_mutex_lock(&c->lock);
	c->packets_read += packets;
	bool quit = c->abort;
	pthread_mutex_unlock(&c->lock);
	return quit || stop_requested(c);
}

collector_t *collector_create(const struct collector_config *cfg)
{
	if (cfg->jobs < 1 || cfg->jobs > COLLECTOR_MAX_JOBS)
		return NULL;
	collector_t *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->cfg = *cfg;
	c->env = (struct collect_job_env){
	    .params = &c->cfg.params,
	    .telescope = cfg->telescope,
	    .interval_s = cfg->interval_s,
	    .filter = cfg->filter,
	    .on_attack = on_attack,
	    .on_attack_arg = c,
	    .publish = publish_packets,
	    .publish_arg = c,
	    .prefix_view = cfg->prefix_view,
	    .on_prefix_attack = on_prefix_attack,
	    .on_prefix_edge = on_prefix_edge,
	};
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->changed, NULL);
	c->stitch = attack_table_create(&cfg->params, cfg->telescope, on_attack, c);
	c->edges = flowstate_writer_create();
	c->results = attack_list_create();
	c->tseries = tseries_create(cfg->interval_s);
	c->inputs = inputs_create();
	if (cfg->evidence > 0)
		c->evidence = evidence_create(cfg->evidence);
	if (c->stitch == NULL || c->edges == NULL || c->results == NULL || c->tseries == NULL ||
	    c->inputs == NULL || (cfg->evidence > 0 && c->evidence == NULL)) {
		collector_free(c);
		return NULL;
	}
	if (cfg->prefix_view != NULL) {
		c->pstitch = attack_table_create(&cfg->params, cfg->telescope, on_prefix_attack, c);
		c->presults = attack_list_create();
		if (c->pstitch == NULL || c->presults == NULL) {
			collector_free(c);
			return NULL;
		}
		attack_table_key_prefix(c->pstitch, cfg->prefix_view);
	}
	return c;
}

void collector_free(collector_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_jobs; i++)
		collect_job_clear(&c->jobs[i]);
	free(c->jobs);
	inputs_free(c->inputs);
	for (size_t i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	attack_table_free(c->stitch);
	attack_table_free(c->pstitch);
	attack_list_free(c->presults);
	flowstate_writer_free(c->edges);
	attack_list_free(c->results);
	tseries_free(c->tseries);
	evidence_free(c->evidence);
	pthread_cond_destroy(&c->changed);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int collector_add_input(collector_t *c, const char *uri)
{
	return inputs_add(c->inputs, uri);
}

/* Warns of the inputs the ordering pass left out, in the order given: a
 * duplicate is no loss, an input that could not be opened is. */
static int warn_skipped(collector_t *c)
{
	for (size_t i = 0; i < inputs_count(c->inputs); i++) {
		struct input *in = inputs_at(c->inputs, i);
		int rc = 0;
		if (in->duplicate)
			rc = add_warning(c, "%s: given twice (same data), read once", in->uri);
		else if (in->skipped)
			rc = warn_failed(c, in);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A thread of the run: takes the next job until none is left, a job
 * failed or a stop is asked. */
static void *reader_thread(void *arg)
{
	collector_t *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->lock);
		if (c->next_job >= c->n_jobs || c->abort || stop_requested(c)) {
			pthread_mutex_unlock(&c->lock);
			return NULL;
		}
		/* A thread per job while there are as many jobs as --jobs; the
		 * spare threads, once files run out, go to flow tables. */
		size_t active = c->running + (c->n_jobs - c->next_job);
		struct collect_job *jb = &c->jobs[c->next_job++];
		bool pipelined = 2 * active <= c->cfg.jobs;
		c->running++;
		pthread_mutex_unlock(&c->lock);
		collect_job_run(jb, &c->env, pipelined);
		pthread_mutex_lock(&c->lock);
		c->running--;
		jb->done = true;
		if (jb->in->size_bytes > 0)
			c->bytes_done += jb->in->size_bytes;
		c->files_done++;
		if (jb->rc != 0)
			c->abort = true;
		pthread_cond_broadcast(&c->changed);
		pthread_mutex_unlock(&c->lock);
	}
}

/* Joins a finished job into the run, in capture order, then frees it. */
static int stitch_job(collector_t *c, struct collect_job *jb)
{
	int rc = 0;
	if (jb->error.code != 0 && ((rc = inputs_fail(jb->in, bs_err_text(&jb->error))) != 0 ||
	                            (rc = warn_failed(c, jb->in)) != 0))
		return rc;
	/* A run with a stream learns where it starts from the first file
	 * that gave packets: its flows up to one timeout after its first
	 * packet may continue a previous run's. */
	if (!c->watching && jb->in->packets > 0) {
		uint64_t until = attack_table_hold_until(jb->table);
		uint64_t timeout_us = (uint64_t)c->cfg.params.flow_timeout_s * BS_US_PER_S;
		c->edges_first_us = until > timeout_us ? until - timeout_us : 0;
		watch_stitching(c, until);
	}
	if (jb->max_us > c->edges_last_us)
		c->edges_last_us = jb->max_us;
	for (size_t i = 0; i < jb->n_partials && rc == 0; i++) {
		attack_flow_t *f = jb->partials[i].flow;
		jb->partials[i].flow = NULL;
		rc = attack_table_adopt(attack_flow_is_prefix(f) ? c->pstitch : c->stitch, f);
	}
	if (rc == 0 && jb->in->packets > 0)
		rc = attack_table_expire(c->stitch, jb->max_us);
	if (rc == 0 && jb->in->packets > 0 && c->pstitch != NULL)
		rc = attack_table_expire(c->pstitch, jb->max_us);
	if (rc == 0)
		rc = tseries_merge(c->tseries, jb->tseries);
	packet_counters_add(&c->counters, &jb->counters);
	/* A job's table is flushed (no flow open) and adopts nothing (none
	 * stitched), so its counts add up as a merged shard's do. */
	attack_stats_add(&c->stats, &jb->stats);
	attack_stats_add(&c->pstats, &jb->pstats);
	if (jb->bs_first_us != 0 && (c->first_us == 0 || jb->bs_first_us < c->first_us))
		c->first_us = jb->bs_first_us;
	if (jb->bs_last_us > c->last_us)
		c->last_us = jb->bs_last_us;
	collect_job_clear(jb);
	return rc;
}

static void report_progress(collector_t *c)
{
	if (c->cfg.progress == NULL)
		return;
	struct collector_progress p = {.n_files = c->n_jobs};
	pthread_mutex_lock(&c->lock);
	p.files_done = c->files_done;
	p.packets = c->packets_read;
	p.bytes_done = c->bytes_done;
	pthread_mutex_unlock(&c->lock);
	p.bytes_total = c->bytes_total;
	c->cfg.progress(&p, c->cfg.progress_arg);
}

/* Waits for job i, reporting progress meanwhile; true if it ran. */
static bool wait_for_job(collector_t *c, size_t i)
{
	pthread_mutex_lock(&c->lock);
	while (!c->jobs[i].done && !(c->abort && i >= c->next_job) &&
	       !(stop_requested(c) && i >= c->next_job)) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)COLLECTOR_PROGRESS_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&c->changed, &c->lock, &until);
		pthread_mutex_unlock(&c->lock);
		report_progress(c);
		pthread_mutex_lock(&c->lock);
	}
	bool ran = c->jobs[i].done;
	pthread_mutex_unlock(&c->lock);
	return ran;
}

/* Warns when files overlap in time: flows across them are still stitched,
 * but a file that starts before its predecessor ends is out of order. */
static int warn_overlaps(collector_t *c)
{
	const struct input *prev = NULL;
	for (size_t i = 0; i < c->n_jobs; i++) {
		const struct input *in = c->jobs[i].in;
		if (in->packets == 0)
			continue;
		if (prev != NULL && in->first_us < prev->last_us) {
			int rc = add_warning(
			    c, "%s: overlaps %s in time; packets out of order across them", in->uri,
			    prev->uri);
			if (rc != 0)
				return rc;
		}
		prev = in;
	}
	return 0;
}

/* Makes a job of every input not skipped, in capture order, runs them on
 * up to cfg.jobs threads and stitches each as it finishes, in that order. */
static int read_all(collector_t *c)
{
	uint64_t timeout_us = (uint64_t)c->cfg.params.flow_timeout_s * BS_US_PER_S;
	bool streams = false;
	for (size_t i = 0; i < inputs_count(c->inputs); i++) {
		struct input *in = inputs_at(c->inputs, i);
		if (in->skipped)
			continue;
		struct collect_job *jb = &c->jobs[c->n_jobs++];
		memset(jb, 0, sizeof *jb);
		jb->in = in;
		/* A stream (first_us 0) learns its first packet time as it
		 * reads. */
		jb->hold.until_us = in->first_us != 0 ? in->first_us + timeout_us : 0;
		jb->hold.after_previous = true;
		jb->hold.before_next = true;
		streams |= in->first_us == 0;
	}
	/* The edges of the run go to flows.state. Where it starts is known
	 * from the ordering pass: the first file judges the flows it starts
	 * with and the last those open at its end in their own tables, as
	 * no file comes before or after them, and every table shows its edge
	 * flows. With a stream (or an empty file) that is known only once read,
	 * so every file hands out both edges and the stitching table, watched
	 * from the first file that gave packets (stitch_job()), judges them. */
	if (!streams && c->n_jobs > 0) {
		c->edges_first_us = c->jobs[0].in->first_us;
		c->env.leading_until_us = c->edges_first_us + timeout_us;
		c->env.on_edge = on_edge;
		c->env.on_edge_arg = c;
		watch_stitching(c, c->env.leading_until_us);
		c->jobs[0].hold.after_previous = false;
		c->jobs[c->n_jobs - 1].hold.before_next = false;
	}
	size_t n_threads = c->cfg.jobs < c->n_jobs ? c->cfg.jobs : c->n_jobs;
	pthread_t threads[COLLECTOR_MAX_JOBS];
	size_t started = 0;
	int rc = 0;
	while (started < n_threads &&
	       pthread_create(&threads[started], NULL, reader_thread, c) == 0)
		started++;
	if (started == 0 && n_threads > 0)
		rc = -BS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < c->n_jobs; i++) {
		if (!wait_for_job(c, i)) {
			c->stopped = true;
			break;
		}
		rc = c->jobs[i].rc;
		if (rc == 0)
			rc = stitch_job(c, &c->jobs[i]);
		if (stop_requested(c))
			c->stopped = true;
	}
	if (rc != 0) {
		pthread_mutex_lock(&c->lock);
		c->abort = true;
		pthread_mutex_unlock(&c->lock);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	report_progress(c);
	return rc;
}

/* Adds the counts of a flushed stitching table to the jobs' sum: its
 * attacks and rejections; a flow it stitched was counted by two jobs. */
static void add_stitched(struct attack_stats *sum, const attack_table_t *t)
{
	struct attack_stats st;
	attack_table_stats(t, &st);
	sum->attacks += st.attacks;
	sum->rejected += st.rejected;
	sum->stitched = st.stitched;
	sum->flows -= st.stitched;
}

/* The second pass of --evidence: every input read again, in capture
 * order, for the first packets of the attacks (in attacks.csv order, so
 * that attack i has attack_id i + 1) and of the edge flows. An input that
 * the first pass read fully and this one cannot is a warning naming it:
 * the first pass's results stand, its evidence is missing. */
static int read_evidence(collector_t *c)
{
	int rc = evidence_add_attacks(c->evidence, c->results);
	if (rc != 0)
		return rc;
	struct collect_replay rp;
	evidence_ready(c->evidence, &rp);
	for (size_t i = 0; i < c->n_jobs && !stop_requested(c); i++) {
		const struct input *in = c->jobs[i].in;
		struct bs_err err = {0};
		rc = collect_job_replay(in, &c->env, &rp, &err);
		if (rc == -BS_ENOMEM)
			return rc;
		/* A file cut short was warned of by the first pass; what was
		 * read of it again is kept. */
		if (rc != 0 && in->error == NULL) {
			c->evidence_failed = true;
			if ((rc = add_warning(c, "%s: evidence not kept: %s", in->uri,
			                      bs_err_text(&err))) != 0)
				return rc;
		}
	}
	return 0;
}

int collector_run(collector_t *c)
{
	int rc = inputs_probe(c->inputs, c->cfg.filter);
	if (rc == 0)
		rc = warn_skipped(c);
	if (rc != 0)
		return rc;
	inputs_sort(c->inputs);
	c->bytes_total = inputs_bytes_total(c->inputs);
	size_t n = inputs_count(c->inputs);
	c->jobs = calloc(n ? n : 1, sizeof *c->jobs);
	if (c->jobs == NULL)
		return -BS_ENOMEM;
	if ((rc = read_all(c)) != 0)
		return rc;
	if ((rc = warn_overlaps(c)) != 0)
		return rc;
	if (c->stopped &&
	    (rc = add_warning(c, "stopped by a signal: results cover the packets read so far")))
		return rc;
	/* Flows still open are ended as of their last packet, so a trace
	 * shorter than a timeout still reports its attacks. */
	if ((rc = attack_table_flush(c->stitch)) != 0)
		return rc;
	add_stitched(&c->stats, c->stitch);
	if (c->pstitch != NULL) {
		if ((rc = attack_table_flush(c->pstitch)) != 0)
			return rc;
		add_stitched(&c->pstats, c->pstitch);
	}
	if (c->evidence != NULL && !c->stopped)
		return read_evidence(c);
	return 0;
}

enum collector_status collector_status(const collector_t *c)
{
	bool any_read = false, all_ok = true;
	for (size_t i = 0; i < inputs_count(c->inputs); i++) {
		const struct input *in = inputs_at(c->inputs, i);
		if (in->duplicate)
			continue;
		if (in->error != NULL || in->skipped)
			all_ok = false;
		if (in->packets > 0 || (!in->skipped && in->error == NULL))
			any_read = true;
	}
	if (!any_read)
		return COLLECTOR_NO_INPUT;
	if (!all_ok || c->stopped || c->evidence_failed)
		return COLLECTOR_WARNINGS;
	return COLLECTOR_OK;
}

size_t collector_warning_count(const collector_t *c)
{
	return c->n_warnings;
}

const char *collector_warning(const collector_t *c, size_t i)
{
	return i < c->n_warnings ? c->warnings[i] : NULL;
}

size_t collector_attack_count(const collector_t *c)
{
	return attack_list_count(c->results);
}

/* The summary of the run: what was read, with which parameters, and what
 * became of it. */
int collector_write(collector_t *c, const char *dir, const char *command_line, const char *version,
                    struct bs_err *err)
{
	size_t n = inputs_count(c->inputs);
	struct summary_input *ins = calloc(n ? n : 1, sizeof *ins);
	if (ins == NULL)
		return bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
	for (size_t i = 0; i < n; i++) {
		const struct input *in = inputs_at(c->inputs, i);
		ins[i] = (struct summary_input){
		    .uri = in->uri,
		    .size_bytes = in->size_bytes,
		    .packets = in->packets,
		    .first_us = in->first_us,
		    .last_us = in->last_us,
		    .error = in->error,
		    .skipped = in->skipped,
		};
	}
	struct summary s = {
	    .version = version,
	    .command_line = command_line,
	    .preset = c->cfg.preset,
	    .params = c->cfg.params,
	    .interval_s = c->cfg.interval_s,
	    .telescope = c->cfg.telescope,
	    .geo_db = c->cfg.geo_db,
	    .asn_db = c->cfg.asn_db,
	    .pfx2as = c->cfg.pfx2as_files,
	    .n_pfx2as = c->cfg.n_pfx2as_files,
	    .filter = c->cfg.filter,
	    .inputs = ins,
	    .n_inputs = n,
	    .counters = c->counters,
	    .attack_stats = c->stats,
	    .first_us = c->first_us,
	    .last_us = c->last_us,
	    .partial = c->stopped,
	    .partial_reason = c->stopped ? "stopped by a signal" : NULL,
	    .warnings = (const char *const *)c->warnings,
	    .n_warnings = c->n_warnings,
	    .prefix_view = c->cfg.prefix_view,
	    .prefix_stats = c->pstats,
	};
	struct outdir_state state = {
	    .flows = c->edges,
	    .header = {.params = c->cfg.params,
	               .telescope_hash = flowstate_telescope_hash(c->cfg.telescope),
	               .first_us = c->edges_first_us,
	               .last_us = c->edges_last_us,
	               .has_prefix_view = c->cfg.prefix_view != NULL},
	};
	if (c->cfg.prefix_view != NULL)
		state.header.prefix_view = *c->cfg.prefix_view;
	const struct outdir_prefix prefix = {.attacks = c->presults, .view = c->cfg.prefix_view};
	int rc = outdir_write(dir, c->results, c->tseries, &s, &state,
	                      c->presults != NULL ? &prefix : NULL,
	                      c->evidence != NULL ? evidence_packets(c->evidence) : NULL, err);
	free(ins);
	return rc;
}

/* collector.c - the collect pipeline (see collector.h).
 *
 * Every input is a job: one reader, one flow table in hold mode, one time
 * series and its own counters, so jobs share nothing on the per-packet
 * path and --jobs threads can read files side by side. --jobs is the
 * number of threads that work on packets: while files outnumber them,
 * each reads a file and runs its flow table inline; a job started when
 * there are at least twice as many threads as jobs left gets a second
 * thread for its flow table (evqueue.h), so one file read alone still
 * uses two CPUs. The events reach the table in the same order either
 * way. The thread that
 * called collector_run() stitches the jobs in capture order as they
 * finish: it adopts each job's partial flows into one stitching table,
 * adds its time series and counters to the run's, and frees the job. One
 * code path serves every --jobs value, so the attack list cannot depend
 * on it. A results mutex guards the only shared state the readers touch:
 * the attack list (attacks are rare next to packets). */
#include "analysis/collector.h"

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
#include "telescope/evqueue.h"
#include "telescope/inputs.h"
#include "telescope/outlier.h"
#include "telescope/reader.h"
#include "telescope/verdict.h"
#include "outdir/attack_list.h"
#include "outdir/outdir.h"
#include "outdir/tseries.h"

/* Longest warning kept, file names included; longer ones are cut. */
#define COLLECTOR_WARNING_LEN 512

/* A flow handed out for stitching, with its start kept next to it so that
 * sorting does not chase pointers to cold flows. */
struct partial {
	uint64_t start_us;
	attack_flow_t *flow;
};

/* One input being read: everything its reader thread writes. */
struct job {
	struct input *in;
	struct attack_hold hold; /* its place among the files */
	attack_table_t *table;
	evqueue_t *queue; /* backscatter events on their way to a table thread; NULL inline */
	tseries_t *tseries;
	struct packet_counters counters;
	struct attack_stats stats;
	uint64_t max_us;                  /* latest accepted packet time */
	uint64_t bs_first_us, bs_last_us; /* backscatter time range; 0 if none */
	struct partial *partials;         /* sorted by start once the job is read */
	size_t n_partials, cap_partials;
	struct bs_err error; /* a problem with the file; code 0 if none */
	int rc;              /* fatal error: the run cannot be trusted */
	bool done;
};

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
	attack_list_t *results;
	tseries_t *tseries;
	int64_t bytes_total;
	/* Shared with the reader threads, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct job *jobs;
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

/* Attack callback of every table, from any thread. Geolocation happens
 * here, once per attack, on the victim. */
static int on_attack(const struct attack_record *rec, void *arg)
{
	collector_t *c = arg;
	struct geo_info geo;
	pthread_mutex_lock(&c->lock);
	const struct geo_info *g = NULL;
	/* A corrupt record leaves the victim's geography empty, as for an
	 * address the databases do not have. */
	if (c->cfg.geo != NULL && geo_lookup(c->cfg.geo, &rec->victim, &geo, NULL) == 0)
		g = &geo;
	int rc = attack_list_add(c->results, rec, g);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

static int on_partial(attack_flow_t *f, void *arg)
{
	struct job *jb = arg;
	if (bs_array_reserve(&jb->partials, &jb->cap_partials, jb->n_partials + 1,
	                     sizeof *jb->partials)) {
		attack_flow_free(f);
		return -BS_ENOMEM;
	}
	jb->partials[jb->n_partials++] = (struct partial){attack_flow_start(f), f};
	return 0;
}

collector_t *collector_create(const struct collector_config *cfg)
{
	if (cfg->jobs < 1 || cfg->jobs > COLLECTOR_MAX_JOBS)
		return NULL;
	collector_t *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	c->cfg = *cfg;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->changed, NULL);
	c->stitch = attack_table_create(&cfg->params, cfg->telescope, on_attack, c);
	c->results = attack_list_create();
	c->tseries = tseries_create(cfg->interval_s);
	c->inputs = inputs_create();
	if (c->stitch == NULL || c->results == NULL || c->tseries == NULL || c->inputs == NULL) {
		collector_free(c);
		return NULL;
	}
	return c;
}

static void job_clear(struct job *jb)
{
	attack_table_free(jb->table);
	jb->table = NULL;
	tseries_free(jb->tseries);
	jb->tseries = NULL;
	for (size_t i = 0; i < jb->n_partials; i++)
		attack_flow_free(jb->partials[i].flow);
	free(jb->partials);
	jb->partials = NULL;
	jb->n_partials = 0;
}

void collector_free(collector_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_jobs; i++)
		job_clear(&c->jobs[i]);
	free(c->jobs);
	inputs_free(c->inputs);
	for (size_t i = 0; i < c->n_warnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	attack_table_free(c->stitch);
	attack_list_free(c->results);
	tseries_free(c->tseries);
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

/* Counts an accepted packet and feeds backscatter to the job's table and
 * time series. 0 or a fatal error. */
static int commit_packet(struct job *jb, const struct verdict *v)
{
	struct packet_counters *k = &jb->counters;
	struct input *in = jb->in;
	if (v->ts_us < jb->max_us)
		k->out_of_order++;
	else
		jb->max_us = v->ts_us;
	if (in->packets == 0 || v->ts_us < in->first_us)
		in->first_us = v->ts_us;
	if (v->ts_us > in->last_us)
		in->last_us = v->ts_us;
	in->packets++;
	if (verdict_count(k, v->kind))
		return 0;
	int rc = tseries_add_packet(jb->tseries, v->ts_us, v->ev.proto);
	if (rc == -BS_ERANGE) {
		/* Beyond the time-series cap: a timestamp too far off to bin. */
		k->time_outliers++;
		return 0;
	}
	if (rc != 0)
		return rc;
	k->backscatter++;
	if (jb->bs_first_us == 0 || v->ts_us < jb->bs_first_us)
		jb->bs_first_us = v->ts_us;
	if (v->ts_us > jb->bs_last_us)
		jb->bs_last_us = v->ts_us;
	if (jb->queue != NULL)
		return evqueue_push(jb->queue, &v->ev);
	return attack_table_update(jb->table, &v->ev);
}

/* The flow table's side of the job's event queue (its own thread). */
static int feed_table(const struct bs_event *ev, void *arg)
{
	struct job *jb = arg;
	return attack_table_update(jb->table, ev);
}

/* Settles the held packets that are due before the packet arriving at
 * *arriving_us (NULL: the file ended): counts a time outlier, commits a
 * genuine packet. pending holds the verdicts, by look-ahead slot. */
static int settle_pending(struct job *jb, struct outlier_lookahead *la,
                          const struct verdict *pending, const uint64_t *arriving_us)
{
	int rc = 0;
	unsigned slot;
	enum outlier_decision d;
	while (rc == 0 && (d = outlier_settle(la, arriving_us, &slot)) != OUTLIER_WAIT) {
		if (d == OUTLIER_DROP)
			jb->counters.time_outliers++;
		else
			rc = commit_packet(jb, &pending[slot]);
	}
	return rc;
}

static bool stop_requested(const collector_t *c)
{
	return c->cfg.stop != NULL && *c->cfg.stop;
}

/* Reads one input to its end, a stop request or an abort. Runs in a reader
 * thread; touches only jb, jb->in and (under lock) the shared counts. */
static void read_job(collector_t *c, struct job *jb)
{
	struct input *in = jb->in;
	reader_t *r = inputs_take_reader(in);
	in->first_us = in->last_us = 0;
	if (r == NULL) {
		int rc = reader_open(in->uri, c->cfg.filter, &r, &jb->error);
		if (rc == -BS_ENOMEM)
			jb->rc = rc;
		if (rc != 0)
			return;
	}
	const bs_prefixes_t *telescope = c->cfg.telescope;
	struct outlier_lookahead la;
	struct verdict pending[OUTLIER_SLOTS]; /* by look-ahead slot */
	struct reader_packet pkt;
	uint32_t since_publish = 0;
	uint64_t packets = 0;
	int got, rc = 0;
	outlier_init(&la);
	while ((got = reader_next(r, &pkt)) == 1) {
		packets++;
		if ((rc = settle_pending(jb, &la, pending, &pkt.ts_us)) != 0)
			break;
		verdict_judge(&pkt, telescope, &pending[outlier_push(&la, pkt.ts_us)]);
		if (++since_publish == COLLECTOR_PROGRESS_EVERY) {
			since_publish = 0;
			pthread_mutex_lock(&c->lock);
			c->packets_read += COLLECTOR_PROGRESS_EVERY;
			bool quit = c->abort;
			pthread_mutex_unlock(&c->lock);
			if (quit || stop_requested(c))
				break;
		}
	}
	if (rc == 0)
		rc = settle_pending(jb, &la, pending, NULL);
	jb->rc = rc;
	jb->counters.packets = packets;
	if (got < 0)
		bs_err_set(&jb->error, got, "cut short or corrupt after %llu packets: %s",
		           (unsigned long long)packets, bs_err_text(reader_error(r)));
	reader_free(r);
	pthread_mutex_lock(&c->lock);
	c->packets_read += since_publish;
	pthread_mutex_unlock(&c->lock);
}

static int by_start(const void *a, const void *b)
{
	uint64_t x = ((const struct partial *)a)->start_us;
	uint64_t y = ((const struct partial *)b)->start_us;
	return x < y ? -1 : x > y;
}

/* Sets up and reads one job; the table and series are created here, in
 * the reader thread, so that memory is spent only while a file is read.
 * pipelined: the table gets a thread of its own. */
static void run_job(collector_t *c, struct job *jb, bool pipelined)
{
	jb->table = attack_table_create(&c->cfg.params, c->cfg.telescope, on_attack, c);
	jb->tseries = tseries_create(c->cfg.interval_s);
	if (jb->table == NULL || jb->tseries == NULL) {
		jb->rc = -BS_ENOMEM;
		return;
	}
	attack_table_hold(jb->table, &jb->hold, on_partial, jb);
	if (pipelined && (jb->queue = evqueue_start(feed_table, jb)) == NULL) {
		jb->rc = -BS_ENOMEM;
		return;
	}
	read_job(c, jb);
	int rc = evqueue_finish(jb->queue);
	jb->queue = NULL;
	if (jb->rc == 0)
		jb->rc = rc;
	if (jb->rc == 0)
		jb->rc = attack_table_flush(jb->table);
	attack_table_stats(jb->table, &jb->stats);
	/* Stitching adopts them in start order; sorting here, in the job's
	 * thread, keeps that work off the thread that stitches every job. */
	if (jb->n_partials > 1)
		qsort(jb->partials, jb->n_partials, sizeof *jb->partials, by_start);
}

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
		struct job *jb = &c->jobs[c->next_job++];
		bool pipelined = 2 * active <= c->cfg.jobs;
		c->running++;
		pthread_mutex_unlock(&c->lock);
		run_job(c, jb, pipelined);
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
static int stitch_job(collector_t *c, struct job *jb)
{
	int rc = 0;
	if (jb->error.code != 0 && ((rc = inputs_fail(jb->in, bs_err_text(&jb->error))) != 0 ||
	                            (rc = warn_failed(c, jb->in)) != 0))
		return rc;
	for (size_t i = 0; i < jb->n_partials && rc == 0; i++) {
		attack_flow_t *f = jb->partials[i].flow;
		jb->partials[i].flow = NULL;
		rc = attack_table_adopt(c->stitch, f);
	}
	if (rc == 0 && jb->in->packets > 0)
		rc = attack_table_expire(c->stitch, jb->max_us);
	if (rc == 0)
		rc = tseries_merge(c->tseries, jb->tseries);
	packet_counters_add(&c->counters, &jb->counters);
	/* A job's table is flushed (no flow open) and adopts nothing (none
	 * stitched), so its counts add up as a merged shard's do. */
	attack_stats_add(&c->stats, &jb->stats);
	if (jb->bs_first_us != 0 && (c->first_us == 0 || jb->bs_first_us < c->first_us))
		c->first_us = jb->bs_first_us;
	if (jb->bs_last_us > c->last_us)
		c->last_us = jb->bs_last_us;
	job_clear(jb);
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

static int read_all(collector_t *c)
{
	for (size_t i = 0; i < inputs_count(c->inputs); i++) {
		struct input *in = inputs_at(c->inputs, i);
		if (in->skipped)
			continue;
		struct job *jb = &c->jobs[c->n_jobs++];
		memset(jb, 0, sizeof *jb);
		jb->in = in;
		jb->hold.until_us =
		    jb->in->first_us + (uint64_t)c->cfg.params.flow_timeout_s * BS_US_PER_S;
		jb->hold.after_previous = c->n_jobs > 1;
		jb->hold.before_next = true;
	}
	if (c->n_jobs > 0)
		c->jobs[c->n_jobs - 1].hold.before_next = false;
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
	struct attack_stats st;
	attack_table_stats(c->stitch, &st);
	c->stats.attacks += st.attacks;
	c->stats.rejected += st.rejected;
	c->stats.stitched = st.stitched;
	c->stats.flows -= st.stitched;
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
	if (!all_ok || c->stopped)
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
	};
	int rc = outdir_write(dir, c->results, c->tseries, &s, err);
	free(ins);
	return rc;
}

/* collect_job.c - one input read into its own table and series (see
 * collect_job.h). */
#include "analysis/collect_job.h"

#include <stdlib.h>

#include "base/bs_array.h"
#include "telescope/outlier.h"
#include "telescope/reader.h"
#include "telescope/verdict.h"

/* The table's partial flows, kept for stitching. */
static int on_partial(attack_flow_t *f, void *arg)
{
	struct collect_job *jb = arg;
	if (bs_array_reserve(&jb->partials, &jb->cap_partials, jb->n_partials + 1,
	                     sizeof *jb->partials)) {
		attack_flow_free(f);
		return -BS_ENOMEM;
	}
	jb->partials[jb->n_partials++] = (struct collect_partial){attack_flow_start(f), f};
	return 0;
}

/* Updates the job's tables with a batch of events: on the table thread
 * (the queue's consumer), or inline. */
static int feed_table(const struct bs_event *evs, size_t n, void *arg)
{
	struct collect_job *jb = arg;
	int rc = attack_table_update_batch(jb->table, evs, n);
	/* Off by default: kept off the straight path. */
	if (__builtin_expect(jb->ptable != NULL, 0) && rc == 0)
		rc = attack_table_update_batch(jb->ptable, evs, n);
	return rc;
}

/* Hands the inline batch to the tables. */
static int feed_batch(struct collect_job *jb)
{
	size_t n = jb->n_batch;
	jb->n_batch = 0;
	return n > 0 ? feed_table(jb->batch, n, jb) : 0;
}

/* Counts an accepted packet and feeds backscatter to the job's table and
 * time series. 0 or a fatal error. */
static int commit_packet(struct collect_job *jb, const struct verdict *v)
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
	jb->batch[jb->n_batch++] = v->ev;
	return jb->n_batch == COLLECT_JOB_BATCH ? feed_batch(jb) : 0;
}

/* Settles the held packets that are due before the packet arriving at
 * *arriving_us (NULL: the file ended): counts a time outlier, commits a
 * genuine packet, to the job's table or, replaying (rp not NULL), to the
 * replay's consumer. pending holds the verdicts, by look-ahead slot. */
static inline __attribute__((always_inline)) int
settle_pending(struct collect_job *jb, struct outlier_lookahead *la, const struct verdict *pending,
               const uint64_t *arriving_us, const struct collect_replay *rp)
{
	int rc = 0;
	unsigned slot;
	enum outlier_decision d;
	while (rc == 0 && (d = outlier_settle(la, arriving_us, &slot)) != OUTLIER_WAIT) {
		if (d == OUTLIER_DROP)
			jb->counters.time_outliers++;
		else if (rp == NULL)
			rc = commit_packet(jb, &pending[slot]);
		else
			rc = rp->commit(&pending[slot], slot, rp->arg);
	}
	return rc;
}

/* Reads the job's input to its end or a stop: every packet is judged,
 * held until the outlier rule decides on its time, then committed. rp:
 * NULL for the first pass, or a replay's consumer (collect_job_replay()),
 * which also sees each packet as it is read. Forced inline, with
 * settle_pending(), so that each caller gets its own copy: the first
 * pass's, with rp a constant NULL, then has no replay branch per packet
 * (callgrind: 40 instructions a packet). */
static inline __attribute__((always_inline)) void read_input(struct collect_job *jb,
                                                             const struct collect_job_env *env,
                                                             const struct collect_replay *rp)
{
	struct input *in = jb->in;
	reader_t *r = inputs_take_reader(in);
	in->first_us = in->last_us = 0;
	if (r == NULL) {
		int rc = reader_open(in->uri, env->filter, &r, &jb->error);
		if (rc == -BS_ENOMEM)
			jb->rc = rc;
		if (rc != 0)
			return;
	}
	const bs_prefixes_t *telescope = env->telescope;
	struct outlier_lookahead la;
	struct verdict pending[OUTLIER_SLOTS]; /* by look-ahead slot */
	struct reader_packet pkt;
	uint32_t since_publish = 0;
	uint64_t packets = 0;
	int got, rc = 0;
	outlier_init(&la);
	while ((got = reader_next(r, &pkt)) == 1) {
		packets++;
		if ((rc = settle_pending(jb, &la, pending, &pkt.ts_us, rp)) != 0)
			break;
		unsigned slot = outlier_push(&la, pkt.ts_us);
		verdict_judge(&pkt, telescope, &pending[slot]);
		if (rp != NULL && (rc = rp->seen(r, &pkt, &pending[slot], slot, rp->arg)) != 0)
			break;
		if (++since_publish == COLLECT_JOB_PUBLISH_EVERY) {
			since_publish = 0;
			if (env->publish(COLLECT_JOB_PUBLISH_EVERY, env->publish_arg))
				break;
		}
	}
	if (rc == 0)
		rc = settle_pending(jb, &la, pending, NULL, rp);
	jb->rc = rc;
	jb->counters.packets = packets;
	if (got < 0)
		bs_err_set(&jb->error, got, "cut short or corrupt after %llu packets: %s",
		           (unsigned long long)packets, bs_err_text(reader_error(r)));
	reader_free(r);
	env->publish(since_publish, env->publish_arg);
}

static int by_start(const void *a, const void *b)
{
	uint64_t x = ((const struct collect_partial *)a)->start_us;
	uint64_t y = ((const struct collect_partial *)b)->start_us;
	return x < y ? -1 : x > y;
}

void collect_job_run(struct collect_job *jb, const struct collect_job_env *env, bool pipelined)
{
	jb->table =
	    attack_table_create(env->params, env->telescope, env->on_attack, env->on_attack_arg);
	jb->tseries = tseries_create(env->interval_s);
	if (jb->table == NULL || jb->tseries == NULL) {
		jb->rc = -BS_ENOMEM;
		return;
	}
	attack_table_hold(jb->table, &jb->hold, on_partial, jb);
	if (env->prefix_view != NULL) {
		jb->ptable = attack_table_create(env->params, env->telescope, env->on_prefix_attack,
		                                 env->on_attack_arg);
		if (jb->ptable == NULL) {
			jb->rc = -BS_ENOMEM;
			return;
		}
		attack_table_key_prefix(jb->ptable, env->prefix_view);
		attack_table_hold(jb->ptable, &jb->hold, on_partial, jb);
	}
	if (env->on_edge != NULL)
		attack_table_watch_edges(jb->table, env->leading_until_us, env->on_edge,
		                         env->on_edge_arg);
	if (env->on_edge != NULL && jb->ptable != NULL)
		attack_table_watch_edges(jb->ptable, env->leading_until_us, env->on_prefix_edge,
		                         env->on_edge_arg);
	if (pipelined && (jb->queue = evqueue_start(feed_table, jb)) == NULL) {
		jb->rc = -BS_ENOMEM;
		return;
	}
	read_input(jb, env, NULL);
	int rc = evqueue_finish(jb->queue);
	if (rc == 0)
		rc = feed_batch(jb);
	jb->queue = NULL;
	if (jb->rc == 0)
		jb->rc = rc;
	if (jb->rc == 0)
		jb->rc = attack_table_flush(jb->table);
	if (jb->rc == 0 && jb->ptable != NULL)
		jb->rc = attack_table_flush(jb->ptable);
	attack_table_stats(jb->table, &jb->stats);
	if (jb->ptable != NULL)
		attack_table_stats(jb->ptable, &jb->pstats);
	/* Stitching adopts them in start order; sorting here, in the job's
	 * thread, keeps that work off the thread that stitches every job. */
	if (jb->n_partials > 1)
		qsort(jb->partials, jb->n_partials, sizeof *jb->partials, by_start);
}

int collect_job_replay(const struct input *in, const struct collect_job_env *env,
                       const struct collect_replay *rp, struct bs_err *err)
{
	/* A copy: the read restarts the input's time range, which the first
	 * pass's summary reports. */
	struct input again = *in;
	struct collect_job jb = {.in = &again};
	read_input(&jb, env, rp);
	if (jb.error.code != 0) {
		*err = jb.error;
		return jb.rc != 0 ? jb.rc : jb.error.code;
	}
	if (jb.rc != 0)
		bs_err_set(err, jb.rc, "%s", bs_strerror(jb.rc));
	return jb.rc;
}

void collect_job_clear(struct collect_job *jb)
{
	attack_table_free(jb->table);
	jb->table = NULL;
	attack_table_free(jb->ptable);
	jb->ptable = NULL;
	tseries_free(jb->tseries);
	jb->tseries = NULL;
	for (size_t i = 0; i < jb->n_partials; i++)
		attack_flow_free(jb->partials[i].flow);
	free(jb->partials);
	jb->partials = NULL;
	jb->n_partials = 0;
}

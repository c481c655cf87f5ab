/* collect_job.h - one input of a collect run read by one thread: the
 * per-packet path (reader -> verdict -> outlier look-ahead -> flow table)
 * and what it fills.
 *
 * A job has its own reader, flow table (in hold mode: flows that may go on
 * in the neighbouring files are handed out as partials), time series and
 * counters, so that jobs share nothing on the per-packet path and several
 * files can be read side by side. The collector (collector.h) runs the
 * jobs on its threads and stitches them in capture order. This is the
 * code every packet goes through, tuned with callgrind: keep it in one
 * file, with the hot helpers static or static inline. */
#ifndef ANALYSIS_COLLECT_JOB_H
#define ANALYSIS_COLLECT_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bs_error.h"
#include "telescope/addr.h"
#include "telescope/attack.h"
#include "telescope/evqueue.h"
#include "telescope/inputs.h"
#include "telescope/packet_counters.h"
#include "telescope/reader.h"
#include "telescope/verdict.h"
#include "outdir/tseries.h"

/* How often (packets) a job publishes its count and asks whether to stop:
 * rare enough to cost nothing per packet. */
#define COLLECT_JOB_PUBLISH_EVERY (1u << 16)
/* Events a job without a table thread gathers before updating its table:
 * enough for the table to fetch flows ahead (telescope/attack.c), few
 * enough to stay in L1 (4 KiB). */
#define COLLECT_JOB_BATCH 64u

/** What every job of a run shares, read only while they run. */
struct collect_job_env {
	const struct attack_params *params;
	const bs_prefixes_t *telescope; /* must outlive the jobs' tables */
	uint32_t interval_s;            /* time-series bin */
	const char *filter;             /* BPF or NULL */
	attack_cb on_attack;            /* the tables' finished attacks, from any job's thread */
	void *on_attack_arg;
	/* When not NULL, every job's table shows its edge flows to on_edge
	 * (attack_table_watch_edges()), from the job's thread. */
	attack_edge_cb on_edge;
	void *on_edge_arg;
	uint64_t leading_until_us;
	/* When not NULL, every job also runs a prefix-view table (attack.h)
	 * on the same events, reporting to on_prefix_attack; its partial
	 * flows join the job's partials (attack_flow_is_prefix() tells them
	 * apart). With on_edge, its edge flows go to on_prefix_edge. */
	const struct attack_prefix_view *prefix_view;
	attack_cb on_prefix_attack;
	attack_edge_cb on_prefix_edge;
	/* Called from the job's thread with packets read since its last call,
	 * every COLLECT_JOB_PUBLISH_EVERY packets and at the end of the file;
	 * true stops the read there. */
	bool (*publish)(uint64_t packets, void *arg);
	void *publish_arg;
};

/* A flow handed out for stitching, with its start kept next to it so that
 * sorting does not chase pointers to cold flows. */
struct collect_partial {
	uint64_t start_us;
	attack_flow_t *flow;
};

/** One input being read: everything its thread writes. The caller zeroes
 * it and sets in and hold; collect_job_run() fills the rest. */
struct collect_job {
	struct input *in;        /* the input; its packets, first_us and last_us are set */
	struct attack_hold hold; /* its place among the files */
	attack_table_t *table;   /* flushed: closed attacks reported, partials handed out */
	attack_table_t *ptable;  /* the prefix view's, as table; NULL without one */
	tseries_t *tseries;
	struct packet_counters counters;
	struct attack_stats stats;
	struct attack_stats pstats;       /* ptable's */
	uint64_t max_us;                  /* latest accepted packet time */
	uint64_t bs_first_us, bs_last_us; /* backscatter time range; 0 if none */
	struct collect_partial *partials; /* sorted by start */
	size_t n_partials, cap_partials;
	struct bs_err error; /* a problem with the file (what was read counts); code 0 if none */
	int rc;              /* fatal error: the run cannot be trusted */
	bool done;           /* the collector's: the job has run (under its lock) */
	evqueue_t *queue;    /* private: events on their way to a table thread; NULL inline */
	/* private: without a queue, the events not yet given to the table,
	 * which takes them a batch at a time (attack_table_update_batch()) */
	struct bs_event batch[COLLECT_JOB_BATCH];
	size_t n_batch;
};

/** Reads jb->in through its own table and series, to the end of the file
 * or a stop asked by env->publish. The table and series are made here, in
 * the job's thread, so that memory is spent only while a file is read.
 * pipelined: the table gets a thread of its own (evqueue.h); the events
 * reach it in the same order either way. */
void collect_job_run(struct collect_job *jb, const struct collect_job_env *env, bool pipelined);

/** A second reading of an input (`collect --evidence`): every packet read,
 * judged and settled by the outlier rule as in the first pass, goes to
 * these instead of a table and series. Both return 0 or an error that
 * stops the read. */
struct collect_replay {
	/* Each packet as it is read, its verdict in look-ahead slot slot; the
	 * reader still holds its bytes (reader_frame()). */
	int (*seen)(const reader_t *r, const struct reader_packet *pkt, const struct verdict *v,
	            unsigned slot, void *arg);
	/* Each packet the outlier rule accepted, in the order read, with the
	 * slot it was seen in. */
	int (*commit)(const struct verdict *v, unsigned slot, void *arg);
	void *arg;
};

/** Reads in (borrowed, left as it is) again through rp, in this thread.
 * env->publish is called as in the first pass and may stop the read.
 * 0, or a negative BS_E* with err saying why, the file left out ("FILE: "
 * is the caller's): the file cannot be opened any more, or is cut short. */
int collect_job_replay(const struct input *in, const struct collect_job_env *env,
                       const struct collect_replay *rp, struct bs_err *err);

/** Frees the job's table, series and partials not taken. */
void collect_job_clear(struct collect_job *jb);

#endif

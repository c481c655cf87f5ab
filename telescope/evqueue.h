/* evqueue.h - hands backscatter events from a reader thread to a thread
 * that runs the flow table, in order.
 *
 * Reading and classifying a trace and updating the flow table cost about
 * the same per packet (bench/RESULTS.md), so running them on two threads
 * makes a file's wall time the longer of the two rather than their sum.
 * Events travel in batches through a small ring of batches, so the lock is
 * taken once per EVQUEUE_BATCH events, and the ring's size bounds memory:
 * a reader that runs ahead waits. One producer, one consumer. */
#ifndef TELESCOPE_EVQUEUE_H
#define TELESCOPE_EVQUEUE_H

#include <stddef.h>

#include "telescope/event.h"

/* Events per batch: one lock round trip per batch keeps the hand-over a
 * small fraction of the flow table's cost. */
#define EVQUEUE_BATCH 1024u
/* Batches in flight: enough to ride out bursts; 8 x 1024 events is about
 * 600 KiB per file being read. */
#define EVQUEUE_BATCHES 8u

typedef struct evqueue evqueue_t;

/** Called on the consumer thread with every batch of events (n >= 1), in
 * push order: a whole batch lets the flow table fetch its flows ahead
 * (attack_table_update_batch()). Returns 0, or a negative BS_E* code: the
 * consumer then drops the rest and the code comes back from evqueue_push()
 * and evqueue_finish(). */
typedef int (*evqueue_fn)(const struct bs_event *evs, size_t n, void *arg);

/** Starts the consumer thread. NULL when memory or a thread is lacking. */
evqueue_t *evqueue_start(evqueue_fn fn, void *arg);

/** Appends a copy of ev. 0, or the consumer's error. */
int evqueue_push(evqueue_t *q, const struct bs_event *ev);

/** Hands over the last batch, waits until the consumer has seen every
 * event, joins it and frees q. Returns the consumer's error or 0.
 * Safe on NULL (returns 0). */
int evqueue_finish(evqueue_t *q);

#endif

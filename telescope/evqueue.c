/* evqueue.c - see evqueue.h. */
#include "telescope/evqueue.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/bs_error.h"

struct evqueue {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_t consumer;
	evqueue_fn fn;
	void *arg;
	struct bs_event *slots;         /* EVQUEUE_BATCHES batches of EVQUEUE_BATCH */
	size_t counts[EVQUEUE_BATCHES]; /* events in each published batch */
	size_t head, tail;              /* batches published: [head, tail) */
	size_t filling;                 /* events in batch tail, not yet published */
	bool closed;
	int rc; /* the consumer's first error */
};

static struct bs_event *batch(evqueue_t *q, size_t n)
{
	return q->slots + (n % EVQUEUE_BATCHES) * EVQUEUE_BATCH;
}

static void *consume(void *arg)
{
	evqueue_t *q = arg;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (q->head == q->tail && !q->closed)
			pthread_cond_wait(&q->changed, &q->lock);
		if (q->head == q->tail)
			break;
		size_t n = q->counts[q->head % EVQUEUE_BATCHES];
		const struct bs_event *ev = batch(q, q->head);
		int rc = q->rc;
		pthread_mutex_unlock(&q->lock);
		if (rc == 0 && n > 0)
			rc = q->fn(ev, n, q->arg);
		pthread_mutex_lock(&q->lock);
		if (q->rc == 0)
			q->rc = rc;
		q->head++;
		pthread_cond_broadcast(&q->changed);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

evqueue_t *evqueue_start(evqueue_fn fn, void *arg)
{
	evqueue_t *q = calloc(1, sizeof *q);
	if (q == NULL)
		return NULL;
	q->slots = calloc((size_t)EVQUEUE_BATCHES * EVQUEUE_BATCH, sizeof *q->slots);
	q->fn = fn;
	q->arg = arg;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->changed, NULL);
	if (q->slots == NULL || pthread_create(&q->consumer, NULL, consume, q) != 0) {
		pthread_cond_destroy(&q->changed);
		pthread_mutex_destroy(&q->lock);
		free(q->slots);
		free(q);
		return NULL;
	}
	return q;
}

/* Publishes the batch being filled, then waits until the next one is free. */
static int publish(evqueue_t *q)
{
	pthread_mutex_lock(&q->lock);
	q->counts[q->tail % EVQUEUE_BATCHES] = q->filling;
	q->tail++;
	q->filling = 0;
	pthread_cond_broadcast(&q->changed);
	while (q->tail - q->head == EVQUEUE_BATCHES)
		pthread_cond_wait(&q->changed, &q->lock);
	int rc = q->rc;
	pthread_mutex_unlock(&q->lock);
	return rc;
}

int evqueue_push(evqueue_t *q, const struct bs_event *ev)
{
	batch(q, q->tail)[q->filling++] = *ev;
	return q->filling == EVQUEUE_BATCH ? publish(q) : 0;
}

int evqueue_finish(evqueue_t *q)
{
	if (q == NULL)
		return 0;
	if (q->filling > 0)
		publish(q);
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->consumer, NULL);
	int rc = q->rc;
	pthread_cond_destroy(&q->changed);
	pthread_mutex_destroy(&q->lock);
	free(q->slots);
	free(q);
	return rc;
}

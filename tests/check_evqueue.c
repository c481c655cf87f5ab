/* check_evqueue.c - the reader-to-flow-table hand-over: every event
 * arrives once and in order across many batches, a consumer error stops
 * the consumer and reaches the producer, and finishing an empty queue. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "telescope/evqueue.h"

struct seen {
	uint64_t next; /* ts_us expected next */
	uint64_t count;
	uint64_t fail_at; /* fail on this ts_us; UINT64_MAX never */
};

static int check_order(const struct bs_event *evs, size_t n, void *arg)
{
	struct seen *s = arg;
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_le(n, EVQUEUE_BATCH);
	for (size_t i = 0; i < n; i++) {
		if (evs[i].ts_us == s->fail_at)
			return -BS_ENOMEM;
		ck_assert_uint_eq(evs[i].ts_us, s->next);
		s->next++;
		s->count++;
	}
	return 0;
}

static struct bs_event event_at(uint64_t ts)
{
	struct bs_event ev;
	memset(&ev, 0, sizeof ev);
	ev.ts_us = ts;
	return ev;
}

START_TEST(empty_queue_finishes)
{
	struct seen s = {0, 0, UINT64_MAX};
	evqueue_t *q = evqueue_start(check_order, &s);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(evqueue_finish(q), 0);
	ck_assert_uint_eq(s.count, 0);
	ck_assert_int_eq(evqueue_finish(NULL), 0);
}
END_TEST

START_TEST(every_event_once_in_order)
{
	/* Many more events than the ring holds, ending mid-batch. */
	const uint64_t n = (uint64_t)EVQUEUE_BATCH * EVQUEUE_BATCHES * 5 + 17;
	struct seen s = {0, 0, UINT64_MAX};
	evqueue_t *q = evqueue_start(check_order, &s);
	ck_assert_ptr_nonnull(q);
	for (uint64_t i = 0; i < n; i++) {
		struct bs_event ev = event_at(i);
		ck_assert_int_eq(evqueue_push(q, &ev), 0);
	}
	ck_assert_int_eq(evqueue_finish(q), 0);
	ck_assert_uint_eq(s.count, n);
}
END_TEST

START_TEST(consumer_error_reaches_producer)
{
	struct seen s = {0, 0, 3 * EVQUEUE_BATCH + 5};
	evqueue_t *q = evqueue_start(check_order, &s);
	ck_assert_ptr_nonnull(q);
	int rc = 0;
	for (uint64_t i = 0; rc == 0 && i < 100u * EVQUEUE_BATCH; i++) {
		struct bs_event ev = event_at(i);
		rc = evqueue_push(q, &ev);
	}
	ck_assert_int_eq(rc, -BS_ENOMEM);
	ck_assert_int_eq(evqueue_finish(q), -BS_ENOMEM);
	ck_assert_uint_eq(s.count, 3 * EVQUEUE_BATCH + 5); /* nothing after the error */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evqueue");
	TCase *tc = tcase_create("queue");
	tcase_add_test(tc, empty_queue_finishes);
	tcase_add_test(tc, every_event_once_in_order);
	tcase_add_test(tc, consumer_error_reaches_producer);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

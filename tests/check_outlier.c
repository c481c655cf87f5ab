/* check_outlier.c - the time-outlier rule and its look-ahead over
 * hand-made timestamp sequences: a lone bogus packet anywhere in a file,
 * at its start and at its end, files of one and two packets, equal times,
 * and gaps one microsecond either side of OUTLIER_MAX_JUMP_S; the slots
 * the look-ahead hands out; and the first time that orders a file. */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_time.h"
#include "telescope/outlier.h"

#define MAX_PACKETS 16
/* 2023-11-14T22:13:20Z, and a jump no real gap makes. */
#define T    (1700000000ull * BS_US_PER_S)
#define S    BS_US_PER_S
#define J    OUTLIER_MAX_JUMP_US
#define YEAR (365ull * BS_US_PER_DAY)

/* Feeds ts[0..n) to a look-ahead as one file, as the collector does, and
 * returns what became of each packet as a string: 'k' kept, 'd' dropped.
 * Checks on the way that every packet is decided once, oldest first, and
 * that no slot is handed out while it holds an undecided packet. */
static const char *run(const uint64_t *ts, size_t n)
{
	static char verdicts[MAX_PACKETS + 1];
	size_t slot_packet[OUTLIER_SLOTS]; /* which packet each slot holds */
	bool slot_busy[OUTLIER_SLOTS] = {false};
	size_t decided = 0;
	struct outlier_lookahead la;
	ck_assert_uint_le(n, MAX_PACKETS);
	memset(verdicts, 0, sizeof verdicts);
	outlier_init(&la);
	for (size_t i = 0; i <= n; i++) {
		const uint64_t *arriving = i < n ? &ts[i] : NULL;
		enum outlier_decision d;
		unsigned slot;
		while ((d = outlier_settle(&la, arriving, &slot)) != OUTLIER_WAIT) {
			ck_assert_uint_lt(slot, OUTLIER_SLOTS);
			ck_assert_msg(slot_busy[slot], "slot %u settled while empty", slot);
			ck_assert_uint_eq(slot_packet[slot], decided); /* oldest first */
			verdicts[decided++] = d == OUTLIER_ACCEPT ? 'k' : 'd';
			slot_busy[slot] = false;
		}
		if (arriving == NULL)
			break;
		unsigned slot2 = outlier_push(&la, ts[i]);
		ck_assert_uint_lt(slot2, OUTLIER_SLOTS);
		ck_assert_msg(!slot_busy[slot2], "packet %zu given a busy slot", i);
		slot_busy[slot2] = true;
		slot_packet[slot2] = i;
	}
	ck_assert_uint_eq(decided, n); /* the end of the file settles all */
	return verdicts;
}

#define CHECK_RUN(want, ...)                                                                       \
	do {                                                                                       \
		const uint64_t ts_[] = {__VA_ARGS__};                                              \
		ck_assert_str_eq(run(ts_, sizeof ts_ / sizeof ts_[0]), want);                      \
	} while (0)

START_TEST(steady_traffic_is_kept)
{
	CHECK_RUN("kkkkk", T, T + 1, T + S, T + 2 * S, T + 3 * S);
	/* Small steps back are reordering, not outliers. */
	CHECK_RUN("kkkk", T + 5 * S, T, T + 9 * S, T + 2 * S);
}
END_TEST

START_TEST(lone_bogus_packet_mid_file_is_dropped)
{
	CHECK_RUN("kkdkk", T, T + S, T + 30 * YEAR, T + 2 * S, T + 3 * S);
	CHECK_RUN("kkdkk", T, T + S, T - 30 * YEAR, T + 2 * S, T + 3 * S);
	CHECK_RUN("kkdkk", T, T + S, 0, T + 2 * S, T + 3 * S); /* the epoch */
	/* Two in a row: each is the other's near neighbour once the first
	 * is judged, so the rule (lone packets) lets the pair through. */
	CHECK_RUN("kkkkkk", T, T + S, T + 30 * YEAR, T + 30 * YEAR, T + 2 * S, T + 3 * S);
}
END_TEST

START_TEST(bogus_first_packet_is_dropped)
{
	CHECK_RUN("dkkk", 0, T, T + S, T + 2 * S);
	CHECK_RUN("dkkk", T + 30 * YEAR, T, T + S, T + 2 * S);
	/* Three packets: the packet after next votes in place of an
	 * accepted one. */
	CHECK_RUN("dkk", 0, T, T + S);
}
END_TEST

START_TEST(bogus_second_packet_keeps_the_first)
{
	CHECK_RUN("kdkk", T, T + 30 * YEAR, T + S, T + 2 * S);
	CHECK_RUN("kdkk", T, 0, T + S, T + 2 * S);
	CHECK_RUN("kdk", T, T + 30 * YEAR, T + S);
}
END_TEST

START_TEST(bogus_last_packet_is_dropped)
{
	CHECK_RUN("kkd", T, T + S, T + 30 * YEAR);
	CHECK_RUN("kkkd", T, T + S, T + 2 * S, 0);
}
END_TEST

START_TEST(lone_packet_is_kept)
{
	CHECK_RUN("k", T);
	CHECK_RUN("k", 0);
	ck_assert_str_eq(run(NULL, 0), ""); /* no packet: nothing decided */
}
END_TEST

START_TEST(two_packet_files)
{
	CHECK_RUN("kk", T, T + S);
	CHECK_RUN("kk", T, T + J);
	/* Nothing says which of two far packets is genuine: the first is
	 * judged against the second alone and goes, the second is then
	 * alone and stays. */
	CHECK_RUN("dk", T, T + 30 * YEAR);
	CHECK_RUN("dk", T, T + J + 1);
}
END_TEST

START_TEST(equal_times_are_kept)
{
	CHECK_RUN("kkkk", T, T, T, T);
	CHECK_RUN("kk", 0, 0);
	CHECK_RUN("kkkk", 0, 0, 0, 0);
}
END_TEST

START_TEST(gap_at_the_limit_is_not_an_outlier)
{
	/* Exactly OUTLIER_MAX_JUMP_S after the accepted packet, far from the
	 * next: kept; one microsecond more: dropped. */
	CHECK_RUN("kkkkk", T + 10 * S, T + 11 * S, T + 11 * S + J, T + 5 * S, T + 6 * S);
	CHECK_RUN("kkdkk", T + 10 * S, T + 11 * S, T + 11 * S + J + 1, T + 5 * S, T + 6 * S);
	/* The last packet has only the accepted one to go by. */
	CHECK_RUN("kkk", T, T + S, T + S + J);
	CHECK_RUN("kkd", T, T + S, T + S + J + 1);
	/* Far from the accepted packet, exactly the limit from the next. */
	CHECK_RUN("kkkk", T, T + S, T + 2 * S + J, T + 2 * S);
	CHECK_RUN("kkdk", T, T + S, T + 2 * S + J + 1, T + 2 * S);
	/* In the past as well. */
	CHECK_RUN("kkkk", T + 10 * S, T + 11 * S, T + 10 * S - J, T + 10 * S);
	CHECK_RUN("kkdk", T + 10 * S, T + 11 * S, T + 10 * S - J - 1, T + 10 * S);
	/* At the start of a file, next and after next decide. */
	CHECK_RUN("kkk", T, T + J, T + J + 1);
	CHECK_RUN("dkk", T, T + J + 1, T + J + 2);
	CHECK_RUN("kkk", T, T + J + 1, T + J);
}
END_TEST

START_TEST(rule_itself)
{
	uint64_t acc = T, near = T + S, far = T + 2 * J, edge = T + J;
	ck_assert(!outlier_test(near, &acc, &near, NULL));
	ck_assert(!outlier_test(edge, &acc, &far, NULL));
	ck_assert(!outlier_test(far, &acc, &far, NULL)); /* the next agrees */
	ck_assert(outlier_test(far, &acc, &near, NULL));
	ck_assert(outlier_test(far, &acc, NULL, NULL));   /* last packet */
	ck_assert(!outlier_test(far, NULL, NULL, NULL));  /* lone packet */
	ck_assert(outlier_test(far, NULL, &near, NULL));  /* first of two */
	ck_assert(outlier_test(far, NULL, &near, &near)); /* first of more */
	ck_assert(!outlier_test(far, NULL, &near, &far)); /* after next agrees */
}
END_TEST

START_TEST(steady_state_holds_one_packet)
{
	struct outlier_lookahead la;
	unsigned slot;
	outlier_init(&la);
	uint64_t t = T;
	ck_assert_int_eq(outlier_settle(&la, &t, &slot), OUTLIER_WAIT);
	outlier_push(&la, t);
	t++;
	/* Nothing accepted yet: the second packet waits with the first. */
	ck_assert_int_eq(outlier_settle(&la, &t, &slot), OUTLIER_WAIT);
	outlier_push(&la, t);
	ck_assert_uint_eq(la.n_pending, 2);
	for (int i = 0; i < 5; i++) {
		t++;
		ck_assert_int_eq(outlier_settle(&la, &t, &slot), OUTLIER_ACCEPT);
		if (i == 0) /* the first packet's turn ... */
			ck_assert_int_eq(outlier_settle(&la, &t, &slot), OUTLIER_ACCEPT);
		ck_assert_int_eq(outlier_settle(&la, &t, &slot), OUTLIER_WAIT);
		ck_assert_uint_eq(la.n_pending, 0);
		outlier_push(&la, t);
		ck_assert_uint_eq(la.n_pending, 1); /* ... then one at a time */
	}
	ck_assert_int_eq(outlier_settle(&la, NULL, &slot), OUTLIER_ACCEPT);
	ck_assert_int_eq(outlier_settle(&la, NULL, &slot), OUTLIER_WAIT);
}
END_TEST

static uint64_t first_kept(const uint64_t *ts, size_t n)
{
	uint64_t first = 12345;
	ck_assert(outlier_first_kept(ts, n, &first));
	return first;
}

START_TEST(first_kept_orders_files)
{
	uint64_t first = 12345;
	ck_assert(!outlier_first_kept(NULL, 0, &first));
	ck_assert_uint_eq(first, 12345);
	const uint64_t plain[] = {T + S, T, T + 2 * S};
	ck_assert_uint_eq(first_kept(plain, 3), T + S);
	const uint64_t epoch_first[] = {0, T, T + S};
	ck_assert_uint_eq(first_kept(epoch_first, 3), T);
	const uint64_t bogus_second[] = {T, T + 30 * YEAR, T + S};
	ck_assert_uint_eq(first_kept(bogus_second, 3), T);
	const uint64_t one[] = {T};
	ck_assert_uint_eq(first_kept(one, 1), T);
	const uint64_t two_far[] = {T, T + 30 * YEAR};
	ck_assert_uint_eq(first_kept(two_far, 2), T + 30 * YEAR);
	/* The head of a longer file: the third packet votes on the second
	 * alone, as if the file ended there. */
	const uint64_t two_bogus[] = {0, T + 30 * YEAR, T};
	ck_assert_uint_eq(first_kept(two_bogus, 3), T);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("outlier");
	TCase *tc = tcase_create("files");
	tcase_add_test(tc, steady_traffic_is_kept);
	tcase_add_test(tc, lone_bogus_packet_mid_file_is_dropped);
	tcase_add_test(tc, bogus_first_packet_is_dropped);
	tcase_add_test(tc, bogus_second_packet_keeps_the_first);
	tcase_add_test(tc, bogus_last_packet_is_dropped);
	tcase_add_test(tc, lone_packet_is_kept);
	tcase_add_test(tc, two_packet_files);
	tcase_add_test(tc, equal_times_are_kept);
	tcase_add_test(tc, gap_at_the_limit_is_not_an_outlier);
	suite_add_tcase(s, tc);
	tc = tcase_create("parts");
	tcase_add_test(tc, rule_itself);
	tcase_add_test(tc, steady_state_holds_one_packet);
	tcase_add_test(tc, first_kept_orders_files);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_tseries.c - timeseries.csv: bin alignment, per-protocol packet
 * counts, zero rows inside the covered period, the bin cap, and the attack
 * columns (active, started, distinct victims) with overlapping attacks of
 * one victim. Expected files are written out in full. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "base/bs_time.h"
#include "check_outdir.h"
#include "outdir/csvwrite.h"
#include "outdir/tseries.h"

#define US 1000000ull
/* 2026-11-24T03:00:00Z, a multiple of 60 and of 300 seconds. */
#define T0    1795489200ull
#define AT(s) ((T0 + (s)) * US)
#define HEADER                                                                                     \
	"bin_start,bin_end,packets,attacks_active,attacks_started,victims,packets_tcp,"            \
	"packets_udp,packets_icmp,packets_other\n"

/* Writes t to a scratch directory and compares timeseries.csv with want. */
static void assert_csv(tseries_t *t, const char *want)
{
	char *dir = outdir_create();
	ck_assert_int_eq(tseries_write_csv(t, dir), 0);
	char *got = outdir_read(dir, "timeseries.csv");
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
	ck_assert_int_eq(outdir_count(dir), 1);
	outdir_remove(dir);
}

static void add_attack(tseries_t *t, const char *victim, uint64_t start_us, uint64_t end_us)
{
	struct attack_record rec;
	memset(&rec, 0, sizeof rec);
	ck_assert_int_eq(bs_addr_parse(victim, &rec.victim), 0);
	rec.start_us = start_us;
	rec.end_us = end_us;
	ck_assert_int_eq(tseries_add_attack(t, &rec), 0);
}

START_TEST(zero_interval_is_null)
{
	ck_assert_ptr_null(tseries_create(0));
	tseries_free(NULL);
}
END_TEST

START_TEST(bad_proto_is_einval)
{
	tseries_t *t = tseries_create(60);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), -1), -BS_EINVAL);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), BS_PROTO_COUNT), -BS_EINVAL);
	assert_csv(t, HEADER);
	tseries_free(t);
}
END_TEST

START_TEST(bin_cap_is_erange)
{
	tseries_t *t = tseries_create(1);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), BS_PROTO_TCP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(TSERIES_MAX_BINS), BS_PROTO_TCP), -BS_ERANGE);
	ck_assert_int_eq(tseries_add_packet(t, AT(0) - TSERIES_MAX_BINS * US, BS_PROTO_TCP),
	                 -BS_ERANGE);
	/* The last bin inside the cap is accepted; then the other side is full. */
	ck_assert_int_eq(tseries_add_packet(t, AT(TSERIES_MAX_BINS - 1), BS_PROTO_TCP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(0) - US, BS_PROTO_TCP), -BS_ERANGE);
	ck_assert_int_eq(tseries_add_packet(t, 0, BS_PROTO_TCP),
	                 -BS_ERANGE); /* clock reset to 1970 */
	tseries_free(t);
}
END_TEST

START_TEST(refused_packet_changes_nothing)
{
	tseries_t *t = tseries_create(3600);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), BS_PROTO_UDP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(TSERIES_MAX_BINS * 3600ull), BS_PROTO_TCP),
	                 -BS_ERANGE);
	assert_csv(t, HEADER "2026-11-24T03:00:00.000000Z,2026-11-24T04:00:00.000000Z,1,0,0,0,"
	                     "0,1,0,0\n");
	tseries_free(t);
}
END_TEST

START_TEST(past_year_9999_is_erange)
{
	tseries_t *t = tseries_create(60);
	ck_assert_int_eq(tseries_add_packet(t, BS_TIME_MAX_US, BS_PROTO_TCP), -BS_ERANGE);
	ck_assert_int_eq(tseries_add_packet(t, UINT64_MAX, BS_PROTO_TCP), -BS_ERANGE);
	/* The last whole bin of 9999 ends at 9999-12-31T23:59:00Z + 60 s: no
	 * representable end, so it is refused too; the one before is fine. */
	ck_assert_int_eq(tseries_add_packet(t, BS_TIME_MAX_US - 60 * US, BS_PROTO_TCP), 0);
	assert_csv(t, HEADER "9999-12-31T23:58:00.000000Z,9999-12-31T23:59:00.000000Z,1,0,0,0,"
	                     "1,0,0,0\n");
	tseries_free(t);
}
END_TEST

START_TEST(no_packets_header_only)
{
	tseries_t *t = tseries_create(300);
	add_attack(t, "192.0.2.1", AT(0), AT(100)); /* no packet: no covered period */
	assert_csv(t, HEADER);
	tseries_free(t);
}
END_TEST

START_TEST(packets_per_protocol)
{
	tseries_t *t = tseries_create(60);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), BS_PROTO_TCP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), BS_PROTO_TCP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(10), BS_PROTO_UDP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(60) - 1, BS_PROTO_ICMP), 0); /* last us */
	ck_assert_int_eq(tseries_add_packet(t, AT(60), BS_PROTO_OTHER), 0);
	assert_csv(t, HEADER
	           "2026-11-24T03:00:00.000000Z,2026-11-24T03:01:00.000000Z,4,0,0,0,2,1,1,0\n"
	           "2026-11-24T03:01:00.000000Z,2026-11-24T03:02:00.000000Z,1,0,0,0,0,0,0,1\n");
	tseries_free(t);
}
END_TEST

START_TEST(empty_bins_are_zero_rows)
{
	tseries_t *t = tseries_create(60);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), BS_PROTO_TCP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(185), BS_PROTO_TCP), 0);
	assert_csv(t, HEADER
	           "2026-11-24T03:00:00.000000Z,2026-11-24T03:01:00.000000Z,1,0,0,0,1,0,0,0\n"
	           "2026-11-24T03:01:00.000000Z,2026-11-24T03:02:00.000000Z,0,0,0,0,0,0,0,0\n"
	           "2026-11-24T03:02:00.000000Z,2026-11-24T03:03:00.000000Z,0,0,0,0,0,0,0,0\n"
	           "2026-11-24T03:03:00.000000Z,2026-11-24T03:04:00.000000Z,1,0,0,0,1,0,0,0\n");
	tseries_free(t);
}
END_TEST

START_TEST(bins_aligned_to_epoch)
{
	tseries_t *t = tseries_create(300);
	ck_assert_int_eq(tseries_add_packet(t, AT(5) + 123456, BS_PROTO_TCP), 0);
	assert_csv(t, HEADER "2026-11-24T03:00:00.000000Z,2026-11-24T03:05:00.000000Z,1,0,0,0,1,"
	                     "0,0,0\n");
	tseries_free(t);
	/* 7 s bins: T0 = 7 * 256498457 + 1, so bins start at T0 - 1 and
	 * T0 + 6, whatever the first packet's time. */
	t = tseries_create(7);
	ck_assert_int_eq(tseries_add_packet(t, AT(6), BS_PROTO_UDP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(6) - 1, BS_PROTO_UDP), 0);
	assert_csv(t, HEADER
	           "2026-11-24T02:59:59.000000Z,2026-11-24T03:00:06.000000Z,1,0,0,0,0,1,0,0\n"
	           "2026-11-24T03:00:06.000000Z,2026-11-24T03:00:13.000000Z,1,0,0,0,0,1,0,0\n");
	tseries_free(t);
}
END_TEST

/* Packets arriving backwards by far more than the initial array, then
 * forwards: every bin still lands in its own row. */
START_TEST(out_of_order_growth)
{
	enum { BINS = 2000 };
	tseries_t *t = tseries_create(1);
	for (int i = BINS / 2; i >= 0; i--)
		ck_assert_int_eq(tseries_add_packet(t, AT(i), BS_PROTO_TCP), 0);
	for (int i = BINS / 2 + 1; i < BINS; i++)
		ck_assert_int_eq(tseries_add_packet(t, AT(i), BS_PROTO_ICMP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(BINS / 2), BS_PROTO_UDP), 0);
	char *dir = outdir_create();
	ck_assert_int_eq(tseries_write_csv(t, dir), 0);
	char *text = outdir_read(dir, "timeseries.csv");
	ck_assert_ptr_nonnull(text);
	char *line = strtok(text, "\n");
	ck_assert_str_eq(line, "bin_start,bin_end,packets,attacks_active,attacks_started,"
	                       "victims,packets_tcp,packets_udp,packets_icmp,packets_other");
	int rows = 0;
	while ((line = strtok(NULL, "\n")) != NULL) {
		const char *want = rows < BINS / 2    ? ",1,0,0,0,1,0,0,0"
		                   : rows == BINS / 2 ? ",2,0,0,0,1,1,0,0"
		                                      : ",1,0,0,0,0,0,1,0";
		const char *counts = line + 2 * (BS_TIME_STRLEN - 1) + 1; /* after the times */
		ck_assert_msg(strcmp(counts, want) == 0, "row %d: %s", rows, line);
		rows++;
	}
	ck_assert_int_eq(rows, BINS);
	free(text);
	outdir_remove(dir);
	tseries_free(t);
}
END_TEST

/* Victim A has two overlapping attacks (bins 0-2 and 1-3) and a third
 * after a gap (bin 5); B has one in bin 1. Victims counts A once per bin. */
START_TEST(attacks_active_started_victims)
{
	tseries_t *t = tseries_create(60);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), BS_PROTO_TCP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(359), BS_PROTO_TCP), 0);
	add_attack(t, "192.0.2.1", AT(300), AT(300));
	add_attack(t, "2001:db8::1", AT(70), AT(70));
	add_attack(t, "192.0.2.1", AT(100), AT(200));
	add_attack(t, "192.0.2.1", AT(10), AT(130));
	assert_csv(t, HEADER
	           "2026-11-24T03:00:00.000000Z,2026-11-24T03:01:00.000000Z,1,1,1,1,1,0,0,0\n"
	           "2026-11-24T03:01:00.000000Z,2026-11-24T03:02:00.000000Z,0,3,2,2,0,0,0,0\n"
	           "2026-11-24T03:02:00.000000Z,2026-11-24T03:03:00.000000Z,0,2,0,1,0,0,0,0\n"
	           "2026-11-24T03:03:00.000000Z,2026-11-24T03:04:00.000000Z,0,1,0,1,0,0,0,0\n"
	           "2026-11-24T03:04:00.000000Z,2026-11-24T03:05:00.000000Z,0,0,0,0,0,0,0,0\n"
	           "2026-11-24T03:05:00.000000Z,2026-11-24T03:06:00.000000Z,1,1,1,1,1,0,0,0\n");
	tseries_free(t);
}
END_TEST

/* Bin edges. .7: an attack ending exactly on a bin boundary is active in
 * the bin of its last packet, and its next attack in the adjacent bin does
 * not double-count it. .8: its second attack starts in the bin where the
 * first ends, so that bin has both attacks but one victim. */
START_TEST(attack_bin_edges)
{
	tseries_t *t = tseries_create(60);
	ck_assert_int_eq(tseries_add_packet(t, AT(0), BS_PROTO_UDP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(179), BS_PROTO_UDP), 0);
	add_attack(t, "198.51.100.7", AT(0), AT(60));
	add_attack(t, "198.51.100.7", AT(120), AT(150));
	add_attack(t, "198.51.100.8", AT(90), AT(130));
	add_attack(t, "198.51.100.8", AT(0), AT(70));
	assert_csv(t, HEADER
	           "2026-11-24T03:00:00.000000Z,2026-11-24T03:01:00.000000Z,1,2,2,2,0,1,0,0\n"
	           "2026-11-24T03:01:00.000000Z,2026-11-24T03:02:00.000000Z,0,3,1,2,0,0,0,0\n"
	           "2026-11-24T03:02:00.000000Z,2026-11-24T03:03:00.000000Z,1,2,1,2,0,1,0,0\n");
	tseries_free(t);
}
END_TEST

/* Only the covered period has rows: an attack reaching outside it counts
 * where it overlaps, and its start outside is not counted anywhere. */
START_TEST(attack_clipped_to_packet_range)
{
	tseries_t *t = tseries_create(60);
	ck_assert_int_eq(tseries_add_packet(t, AT(60), BS_PROTO_ICMP), 0);
	ck_assert_int_eq(tseries_add_packet(t, AT(61), BS_PROTO_ICMP), 0);
	add_attack(t, "203.0.113.9", AT(0), AT(200));
	add_attack(t, "203.0.113.10", AT(500), AT(600)); /* entirely after */
	assert_csv(t, HEADER "2026-11-24T03:01:00.000000Z,2026-11-24T03:02:00.000000Z,2,1,0,1,"
	                     "0,0,2,0\n");
	tseries_free(t);
}
END_TEST

START_TEST(merge_equals_one_series)
{
	tseries_t *whole = tseries_create(60), *a = tseries_create(60), *b = tseries_create(60);
	static const struct {
		uint64_t at;
		int proto;
	} pkts[] = {{0, BS_PROTO_TCP},   {70, BS_PROTO_UDP},    {130, BS_PROTO_TCP},
	            {65, BS_PROTO_ICMP}, {300, BS_PROTO_OTHER}, {10, BS_PROTO_TCP}};
	for (size_t i = 0; i < sizeof pkts / sizeof pkts[0]; i++) {
		ck_assert_int_eq(tseries_add_packet(whole, AT(pkts[i].at), pkts[i].proto), 0);
		ck_assert_int_eq(tseries_add_packet(i < 3 ? a : b, AT(pkts[i].at), pkts[i].proto),
		                 0);
	}
	tseries_t *empty = tseries_create(60);
	ck_assert_int_eq(tseries_merge(empty, a), 0);
	ck_assert_int_eq(tseries_merge(empty, b), 0);
	char *dir = outdir_create();
	ck_assert_int_eq(tseries_write_csv(whole, dir), 0);
	char *want = outdir_read(dir, "timeseries.csv");
	outdir_remove(dir);
	assert_csv(empty, want);
	free(want);
	tseries_t *other = tseries_create(300);
	ck_assert_int_eq(tseries_merge(other, a), -BS_EINVAL);
	tseries_free(other);
	tseries_free(empty);
	tseries_free(whole);
	tseries_free(a);
	tseries_free(b);
}
END_TEST

START_TEST(add_packets_equals_add_packet)
{
	tseries_t *one = tseries_create(60), *many = tseries_create(60);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(tseries_add_packet(one, AT(70), BS_PROTO_UDP), 0);
	ck_assert_int_eq(tseries_add_packet(one, AT(0), BS_PROTO_TCP), 0);
	ck_assert_int_eq(tseries_add_packets(many, AT(70), BS_PROTO_UDP, 5), 0);
	ck_assert_int_eq(tseries_add_packets(many, AT(0), BS_PROTO_TCP, 1), 0);
	/* n = 0 neither counts nor stretches the series */
	ck_assert_int_eq(tseries_add_packets(many, AT(600), BS_PROTO_TCP, 0), 0);
	ck_assert_int_eq(tseries_add_packets(many, AT(0), BS_PROTO_COUNT, 1), -BS_EINVAL);
	char *dir = outdir_create();
	ck_assert_int_eq(tseries_write_csv(one, dir), 0);
	char *want = outdir_read(dir, "timeseries.csv");
	outdir_remove(dir);
	assert_csv(many, want);
	free(want);
	tseries_free(one);
	tseries_free(many);
}
END_TEST

START_TEST(add_packets_overflow_is_erange)
{
	tseries_t *t = tseries_create(60);
	ck_assert_int_eq(tseries_add_packets(t, AT(0), BS_PROTO_TCP, UINT64_MAX), 0);
	ck_assert_int_eq(tseries_add_packets(t, AT(1), BS_PROTO_TCP, 1), -BS_ERANGE);
	ck_assert_int_eq(tseries_add_packets(t, AT(1), BS_PROTO_UDP, 1), 0);
	tseries_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tseries");
	TCase *tc = tcase_create("errors");
	tcase_add_test(tc, zero_interval_is_null);
	tcase_add_test(tc, bad_proto_is_einval);
	tcase_add_test(tc, bin_cap_is_erange);
	tcase_add_test(tc, refused_packet_changes_nothing);
	tcase_add_test(tc, past_year_9999_is_erange);
	suite_add_tcase(s, tc);
	tc = tcase_create("packets");
	tcase_add_test(tc, no_packets_header_only);
	tcase_add_test(tc, packets_per_protocol);
	tcase_add_test(tc, empty_bins_are_zero_rows);
	tcase_add_test(tc, bins_aligned_to_epoch);
	tcase_add_test(tc, out_of_order_growth);
	tcase_add_test(tc, merge_equals_one_series);
	tcase_add_test(tc, add_packets_equals_add_packet);
	tcase_add_test(tc, add_packets_overflow_is_erange);
	suite_add_tcase(s, tc);
	tc = tcase_create("attacks");
	tcase_add_test(tc, attacks_active_started_victims);
	tcase_add_test(tc, attack_bin_edges);
	tcase_add_test(tc, attack_clipped_to_packet_range);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

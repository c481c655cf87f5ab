/* check_attack.c - the flow table: presets and invalid input, the flow
 * timeout and every threshold on its boundary, the sliding peak, packets
 * out of order, (victim, protocol) keying, one report per attack, flush,
 * bounded open flows, large floods, attacker ports (counted once each,
 * held or built, merged as a union), stitching, the edges of a watched
 * table, and partial flows as bytes (decoded equal, re-encoded identical,
 * stitched alike, truncations and corruptions refused, packets counted),
 * and the prefix view (keyed on /24 and /48, distinct victims and their
 * minimum, stitched alike, never encoded). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "telescope/addr.h"
#include "telescope/attack.h"
#include "base/bs_error.h"
#include "check_codec.h"
#include "telescope/event.h"

#define US 1000000ull
/* A realistic epoch (2023-11-14) so no time is near zero. */
#define T0        (1700000000ull * US)
#define VICTIM    0xc6336401u /* 198.51.100.1 */
#define VICTIM2   0xc6336402u /* 198.51.100.2 */
#define TELESCOPE "10.0.0.0/8"
#define NET       0x0a000000u

/* The i-th of up to 2^24 distinct telescope addresses, spread over the
 * /8 (an odd multiplier permutes the low 24 bits). */
static uint32_t dst(uint32_t i)
{
	return NET | ((i * 2654435761u) & 0xffffffu);
}

struct sink {
	struct attack_record *recs;
	size_t n, cap;
	int fail_with; /* returned by the callback when not 0 */
};

static int collect(const struct attack_record *rec, void *arg)
{
	struct sink *s = arg;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->recs = realloc(s->recs, s->cap * sizeof *s->recs);
		ck_assert_ptr_nonnull(s->recs);
	}
	s->recs[s->n++] = *rec;
	return s->fail_with;
}

/* Per-test state (a checked fixture: set up in each forked test). */
static bs_prefixes_t *tel;
static struct sink sink;
static attack_table_t *table;

static void setup(void)
{
	tel = bs_prefixes_create();
	ck_assert_ptr_nonnull(tel);
	ck_assert_int_eq(bs_prefixes_add(tel, TELESCOPE), 0);
	memset(&sink, 0, sizeof sink);
	table = NULL;
}

static void teardown(void)
{
	attack_table_free(table);
	bs_prefixes_free(tel);
	free(sink.recs);
}

/* Opens the table with a preset, optionally changed by the caller. */
static void open_table(const struct attack_params *p)
{
	table = attack_table_create(p, tel, collect, &sink);
	ck_assert_ptr_nonnull(table);
}

/* Drops the table and the collected records, for a second run. */
static void reset(void)
{
	attack_table_free(table);
	table = NULL;
	sink.n = 0;
}

static struct attack_params preset(const char *name)
{
	struct attack_params p;
	ck_assert_int_eq(attack_params_preset(&p, name), 0);
	return p;
}

/* The attacker port ev_make() gives a packet to telescope address to. */
static uint16_t aport_of(uint32_t to)
{
	return (uint16_t)(1024 + to % 64512);
}

/* A TCP SYN+ACK from victim port 80 to telescope address dst at ts, on
 * attacker port aport_of(dst). */
static struct bs_event ev_make(uint32_t victim, uint32_t to, uint64_t ts)
{
	struct bs_event ev;
	memset(&ev, 0, sizeof ev);
	ev.ts_us = ts;
	bs_addr_from_v4(&ev.victim, victim);
	bs_addr_from_v4(&ev.dst, to);
	ev.responder = ev.victim;
	ev.ip_len = 44;
	ev.port = 80;
	ev.aport = aport_of(to);
	ev.proto = BS_PROTO_TCP;
	ev.response = BS_RESP_TCP_SYNACK;
	ev.flags = BS_EV_HAS_PORT | BS_EV_HAS_APORT;
	return ev;
}

static void update(const struct bs_event *ev)
{
	ck_assert_int_eq(attack_table_update(table, ev), 0);
}

/* n packets from victim to n distinct destinations (offset by first),
 * evenly spaced from start to end inclusive. */
static void flood(uint32_t victim, uint32_t n, uint32_t first, uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ts = n == 1 ? start : start + (end - start) * i / (n - 1);
		struct bs_event ev = ev_make(victim, dst(first + i), ts);
		update(&ev);
	}
}

static struct attack_stats stats(void)
{
	struct attack_stats s;
	attack_table_stats(table, &s);
	return s;
}

static void flush(void)
{
	ck_assert_int_eq(attack_table_flush(table), 0);
}

START_TEST(presets)
{
	struct attack_params p = preset("rsdos");
	ck_assert_uint_eq(p.flow_timeout_s, 300);
	ck_assert_uint_eq(p.min_packets, 25);
	ck_assert_uint_eq(p.min_duration_s, 60);
	ck_assert_uint_eq(p.min_ppm, 30);
	ck_assert_uint_eq(p.min_dests, ATTACK_MIN_DESTS);
	p = preset("moore");
	ck_assert_uint_eq(p.flow_timeout_s, 300);
	ck_assert_uint_eq(p.min_packets, 100);
	ck_assert_uint_eq(p.min_duration_s, 60);
	ck_assert_uint_eq(p.min_ppm, 0);
	ck_assert_uint_eq(p.min_dests, ATTACK_MIN_DESTS);
	struct attack_params q = p;
	ck_assert_int_eq(attack_params_preset(&q, "corsaro"), -BS_EINVAL);
	ck_assert_int_eq(attack_params_preset(&q, ""), -BS_EINVAL);
	ck_assert_int_eq(attack_params_preset(&q, NULL), -BS_EINVAL);
	ck_assert_mem_eq(&q, &p, sizeof p); /* untouched */
}
END_TEST

START_TEST(create_rejects_bad_arguments)
{
	struct attack_params p = preset("rsdos");
	p.flow_timeout_s = 0;
	ck_assert_ptr_null(attack_table_create(&p, tel, collect, &sink));
	p.flow_timeout_s = 300;
	ck_assert_ptr_null(attack_table_create(NULL, tel, collect, &sink));
	ck_assert_ptr_null(attack_table_create(&p, NULL, collect, &sink));
	ck_assert_ptr_null(attack_table_create(&p, tel, NULL, &sink));
	attack_table_free(NULL);
}
END_TEST

START_TEST(update_rejects_bad_event)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	struct bs_event ev = ev_make(VICTIM, dst(0), T0);
	ev.proto = BS_PROTO_COUNT;
	ck_assert_int_eq(attack_table_update(table, &ev), -BS_EINVAL);
	ev = ev_make(VICTIM, dst(0), T0);
	ev.response = BS_RESP_COUNT;
	ck_assert_int_eq(attack_table_update(table, &ev), -BS_EINVAL);
	ck_assert_uint_eq(stats().flows, 0);
}
END_TEST

START_TEST(empty_flush)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	flush();
	ck_assert_uint_eq(sink.n, 0);
	struct attack_stats s = stats();
	ck_assert_uint_eq(s.flows + s.attacks + s.rejected + s.open_flows, 0);
}
END_TEST

START_TEST(basic_attack_record)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < 40; i++) {
		struct bs_event ev = ev_make(VICTIM, dst(i % 35), T0 + i * 1538462ull);
		ev.ip_len = 40 + i;
		ev.aport = (uint16_t)(50000 + i % 17);
		if (i % 4 == 0) {
			ev.port = 443;
			ev.response = BS_RESP_TCP_RST;
		}
		update(&ev);
	}
	ck_assert_uint_eq(sink.n, 0); /* still open */
	flush();
	ck_assert_uint_eq(sink.n, 1);
	const struct attack_record *r = &sink.recs[0];
	ck_assert_uint_eq(bs_addr_v4(&r->victim), VICTIM);
	ck_assert_uint_eq(r->proto, BS_PROTO_TCP);
	ck_assert_uint_eq(r->start_us, T0);
	ck_assert_uint_eq(r->end_us, T0 + 39 * 1538462ull);
	ck_assert_uint_eq(r->packets, 40);
	ck_assert_uint_eq(r->bytes, 40 * 40 + 39 * 40 / 2);
	ck_assert_uint_eq(r->telescope_addrs, 35);
	ck_assert_uint_eq(r->victim_ports, 2);
	ck_assert_int_eq(r->top_port, 80);
	ck_assert_int_eq(r->attack_ports, 17);
	ck_assert_uint_eq(r->responses, 1u << BS_RESP_TCP_SYNACK | 1u << BS_RESP_TCP_RST);
	ck_assert_uint_eq(r->peak_ppm, 39); /* all but the last, at second 60 */
	ck_assert_uint_eq(r->icmp_mismatches, 0);
	ck_assert(!r->has_responder);
	ck_assert(isfinite(r->uniformity_a2));
	struct attack_stats s = stats();
	ck_assert_uint_eq(s.flows, 1);
	ck_assert_uint_eq(s.attacks, 1);
	ck_assert_uint_eq(s.rejected, 0);
	ck_assert_uint_eq(s.open_flows, 0);
	ck_assert_uint_eq(s.peak_open_flows, 1);
}
END_TEST

/* Two 40-packet, 60 s floods from one victim, the second starting `gap`
 * after the first's last packet. Returns the attacks reported. */
static size_t two_floods(uint64_t gap)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	flood(VICTIM, 40, 0, T0, T0 + 60 * US);
	uint64_t t1 = T0 + 60 * US + gap;
	flood(VICTIM, 40, 100, t1, t1 + 60 * US);
	flush();
	return sink.n;
}

START_TEST(timeout_exactly_300s_keeps_flow)
{
	ck_assert_uint_eq(two_floods(300 * US), 1);
	ck_assert_uint_eq(sink.recs[0].packets, 80);
	ck_assert_uint_eq(stats().flows, 1);
}
END_TEST

START_TEST(timeout_past_300s_splits_flow)
{
	ck_assert_uint_eq(two_floods(300 * US + 1), 2);
	ck_assert_uint_eq(sink.recs[0].packets, 40);
	ck_assert_uint_eq(sink.recs[1].packets, 40);
	ck_assert_uint_eq(sink.recs[1].start_us, T0 + 360 * US + 1);
	ck_assert_uint_eq(stats().flows, 2);
}
END_TEST

START_TEST(expiry_reports_before_flush)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	flood(VICTIM, 40, 0, T0, T0 + 60 * US);
	/* Another victim's packet moves now past the timeout: the first
	 * flow ends on this update, not at flush. */
	struct bs_event ev = ev_make(VICTIM2, dst(0), T0 + 360 * US + 1);
	update(&ev);
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(stats().open_flows, 1);
	flush();
	ck_assert_uint_eq(sink.n, 1); /* the one-packet flow is rejected */
	ck_assert_uint_eq(stats().rejected, 1);
}
END_TEST

/* The attacks from one flood with the given parameters. */
static size_t flood_attacks(struct attack_params *p, uint32_t n, uint64_t duration_us)
{
	open_table(p);
	flood(VICTIM, n, 0, T0, T0 + duration_us);
	flush();
	return sink.n;
}

START_TEST(min_packets_boundary)
{
	struct attack_params p = preset("rsdos");
	p.min_ppm = 0; /* 24 packets can never reach 30 per minute */
	ck_assert_uint_eq(flood_attacks(&p, 24, 60 * US), 0);
	reset();
	ck_assert_uint_eq(flood_attacks(&p, 25, 60 * US), 1);
}
END_TEST

/* The packets a flow holds before building its statistics depend on
 * --min-packets (8 at least, 128 at most): the statistics must not. */
START_TEST(statistics_do_not_depend_on_holding)
{
	static const uint32_t min_packets[] = {1, 25, 100, 300};
	struct attack_record first = {0};
	for (size_t i = 0; i < sizeof min_packets / sizeof min_packets[0]; i++) {
		struct attack_params p = preset("rsdos");
		p.min_packets = min_packets[i];
		reset();
		ck_assert_uint_eq(flood_attacks(&p, 400, 120 * US), 1);
		struct attack_record r = sink.recs[0];
		ck_assert_uint_eq(r.packets, 400);
		ck_assert_uint_eq(r.telescope_addrs, 400);
		if (i == 0) {
			first = r;
			continue;
		}
		ck_assert_uint_eq(r.peak_ppm, first.peak_ppm);
		ck_assert_uint_eq(r.victim_ports, first.victim_ports);
		ck_assert_uint_eq(r.top_port, first.top_port);
		ck_assert_int_eq(r.attack_ports, first.attack_ports);
		ck_assert(r.uniformity_a2 == first.uniformity_a2);
	}
}
END_TEST

START_TEST(min_duration_boundary)
{
	struct attack_params p = preset("rsdos");
	ck_assert_uint_eq(flood_attacks(&p, 40, 60 * US - 1), 0);
	ck_assert_uint_eq(stats().rejected, 1);
	reset();
	ck_assert_uint_eq(flood_attacks(&p, 40, 60 * US), 1);
	ck_assert_uint_eq(sink.recs[0].end_us - sink.recs[0].start_us, 60 * US);
}
END_TEST

/* n packets in seconds 0 .. n-1, then one at second 100. */
static size_t window_attacks(uint32_t n)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	flood(VICTIM, n, 0, T0, T0 + (n - 1) * US);
	struct bs_event ev = ev_make(VICTIM, dst(n), T0 + 100 * US);
	update(&ev);
	flush();
	return sink.n;
}

START_TEST(min_ppm_boundary)
{
	ck_assert_uint_eq(window_attacks(29), 0);
	ck_assert_uint_eq(stats().rejected, 1);
	reset();
	ck_assert_uint_eq(window_attacks(30), 1);
	ck_assert_uint_eq(sink.recs[0].peak_ppm, 30);
}
END_TEST

/* 40 packets over 60 s cycling over `dests` destinations. */
static size_t dests_attacks(uint32_t dests)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < 40; i++) {
		struct bs_event ev = ev_make(VICTIM, dst(i % dests), T0 + i * 1538462ull);
		update(&ev);
	}
	flush();
	return sink.n;
}

START_TEST(min_dests_boundary)
{
	/* The spread check: 40 SYN+ACKs to 4 addresses look like a scanner. */
	ck_assert_uint_eq(dests_attacks(4), 0);
	reset();
	ck_assert_uint_eq(dests_attacks(5), 1);
	ck_assert_uint_eq(sink.recs[0].telescope_addrs, 5);
}
END_TEST

START_TEST(sliding_window_catches_spread_burst)
{
	/* 31 packets: second 35, 28 at 36, 38, .., 90, then 94.5 and 95.
	 * Windows [35, 94] and [36, 95] hold 30; windows starting on 10 s
	 * steps (corsaro) hold at most 28, so only the sliding one passes. */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	struct bs_event ev = ev_make(VICTIM, dst(0), T0 + 35 * US);
	update(&ev);
	for (uint32_t k = 0; k < 28; k++) {
		ev = ev_make(VICTIM, dst(1 + k), T0 + (36 + 2 * k) * US);
		update(&ev);
	}
	ev = ev_make(VICTIM, dst(29), T0 + 94 * US + US / 2);
	update(&ev);
	ev = ev_make(VICTIM, dst(30), T0 + 95 * US);
	update(&ev);
	flush();
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(sink.recs[0].peak_ppm, 30);
	ck_assert_uint_eq(sink.recs[0].packets, 31);
}
END_TEST

START_TEST(burst_straddling_minute_boundary)
{
	/* T0 is second 20 of its minute: 30 packets, one per second in
	 * seconds 45 .. 74 of that minute, straddle the minute boundary (15
	 * per calendar minute), plus one packet 75 s later for the duration. */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	ck_assert_uint_eq(T0 / US % 60, 20);
	flood(VICTIM, 30, 0, T0 + 25 * US, T0 + 54 * US);
	struct bs_event ev = ev_make(VICTIM, dst(30), T0 + 100 * US);
	update(&ev);
	flush();
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(sink.recs[0].peak_ppm, 30);
}
END_TEST

static void assert_same_record(const struct attack_record *a, const struct attack_record *b)
{
	ck_assert_int_eq(bs_addr_cmp(&a->victim, &b->victim), 0);
	ck_assert_int_eq(a->has_responder, b->has_responder);
	if (a->has_responder)
		ck_assert_int_eq(bs_addr_cmp(&a->responder, &b->responder), 0);
	ck_assert_uint_eq(a->start_us, b->start_us);
	ck_assert_uint_eq(a->end_us, b->end_us);
	ck_assert_uint_eq(a->packets, b->packets);
	ck_assert_uint_eq(a->bytes, b->bytes);
	ck_assert_uint_eq(a->telescope_addrs, b->telescope_addrs);
	ck_assert_uint_eq(a->victim_ports, b->victim_ports);
	ck_assert_int_eq(a->top_port, b->top_port);
	ck_assert_int_eq(a->attack_ports, b->attack_ports);
	ck_assert_uint_eq(a->responses, b->responses);
	ck_assert_uint_eq(a->peak_ppm, b->peak_ppm);
	ck_assert_uint_eq(a->icmp_mismatches, b->icmp_mismatches);
	ck_assert(a->uniformity_a2 == b->uniformity_a2 ||
	          (isnan(a->uniformity_a2) && isnan(b->uniformity_a2)));
	ck_assert_int_eq(a->uniform, b->uniform);
	ck_assert_uint_eq(a->proto, b->proto);
}

START_TEST(shuffled_burst_same_record)
{
	enum { N = 300 };
	static struct bs_event evs[N];
	for (uint32_t i = 0; i < N; i++) {
		/* 300 packets over 80 s, 7 ports, some ICMP-style mismatches
		 * from varying responders. */
		evs[i] = ev_make(VICTIM, dst(i % 250), T0 + i * 267000ull);
		evs[i].port = (uint16_t)(1000 + i % 7);
		if (i % 10 == 3) {
			evs[i].flags |= BS_EV_MISMATCH;
			bs_addr_from_v4(&evs[i].responder, 0xcb007100u + (i * 37) % 200);
		}
	}
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < N; i++)
		update(&evs[i]);
	flush();
	ck_assert_uint_eq(sink.n, 1);
	struct attack_record in_order = sink.recs[0];
	ck_assert_uint_eq(in_order.icmp_mismatches, 30);
	ck_assert(in_order.has_responder);
	uint32_t smallest = UINT32_MAX;
	for (uint32_t i = 3; i < N; i += 10)
		if (0xcb007100u + (i * 37) % 200 < smallest)
			smallest = 0xcb007100u + (i * 37) % 200;
	ck_assert_uint_eq(bs_addr_v4(&in_order.responder), smallest);

	uint64_t seed = 12345;
	for (uint32_t i = N; i > 1; i--) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t j = (uint32_t)((seed >> 33) % i);
		struct bs_event tmp = evs[i - 1];
		evs[i - 1] = evs[j];
		evs[j] = tmp;
	}
	reset();
	open_table(&p);
	for (uint32_t i = 0; i < N; i++)
		update(&evs[i]);
	flush();
	ck_assert_uint_eq(sink.n, 1);
	assert_same_record(&sink.recs[0], &in_order);
}
END_TEST

START_TEST(late_packet_moves_start_back)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	flood(VICTIM, 40, 0, T0 + 100 * US, T0 + 170 * US);
	struct bs_event ev = ev_make(VICTIM, dst(50), T0 + 95 * US);
	update(&ev);
	flush();
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(sink.recs[0].start_us, T0 + 95 * US);
	ck_assert_uint_eq(sink.recs[0].end_us, T0 + 170 * US);
	ck_assert_uint_eq(sink.recs[0].packets, 41);
}
END_TEST

START_TEST(late_packet_keeps_flow_alive)
{
	/* Idle time is measured in stream time: a late packet still counts
	 * as activity at the stream's "now" when it arrived. */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	flood(VICTIM, 40, 0, T0, T0 + 60 * US);
	struct bs_event ev = ev_make(VICTIM2, dst(0), T0 + 300 * US);
	update(&ev);
	ev = ev_make(VICTIM, dst(99), T0 + 10 * US); /* late by 290 s */
	update(&ev);
	ev = ev_make(VICTIM2, dst(1), T0 + 500 * US);
	update(&ev);
	ck_assert_uint_eq(sink.n, 0); /* idle 200 s, not 490 s */
	ev = ev_make(VICTIM2, dst(2), T0 + 600 * US);
	update(&ev);
	ck_assert_uint_eq(sink.n, 0); /* idle exactly 300 s: still open */
	ev = ev_make(VICTIM2, dst(3), T0 + 600 * US + 1);
	update(&ev);
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(sink.recs[0].packets, 41);
	ck_assert_uint_eq(sink.recs[0].end_us, T0 + 60 * US);
}
END_TEST

START_TEST(reversed_burst_is_not_an_attack)
{
	/* corsaro v2 took the first packet as start and the last as latest:
	 * a 30-packet, 20 s burst in reverse order had a negative duration
	 * and passed. Here start is the minimum and end the maximum. */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 30; i-- > 0;) {
		struct bs_event ev = ev_make(VICTIM, dst(i), T0 + i * 689655ull);
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 0);
	ck_assert_uint_eq(stats().rejected, 1);
}
END_TEST

START_TEST(each_attack_reported_once)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	/* Ten victims attacked in turn, each expiring as the next starts,
	 * and the last still open at flush. */
	for (uint32_t v = 0; v < 10; v++) {
		uint64_t start = T0 + v * 400 * US;
		flood(VICTIM + v, 40, 0, start, start + 60 * US);
		ck_assert_uint_eq(sink.n, v); /* the previous ones, exactly */
	}
	flush();
	flush(); /* nothing left to report */
	ck_assert_uint_eq(sink.n, 10);
	for (uint32_t v = 0; v < 10; v++)
		ck_assert_uint_eq(bs_addr_v4(&sink.recs[v].victim), VICTIM + v);
	struct attack_stats s = stats();
	ck_assert_uint_eq(s.flows, 10);
	ck_assert_uint_eq(s.attacks, 10);
	ck_assert_uint_eq(s.open_flows, 0);
	ck_assert_uint_le(s.peak_open_flows, 2);
}
END_TEST

START_TEST(flush_reports_open_flows_in_order)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	/* Interleaved packets of three victims; the one that starts last
	 * sends first. Flush order is by start, then victim. */
	for (uint32_t i = 0; i < 40; i++) {
		uint64_t ts = T0 + 10 * US + i * 2 * US;
		struct bs_event ev = ev_make(VICTIM + 2, dst(i), ts + 5 * US);
		update(&ev);
		ev = ev_make(VICTIM + 1, dst(i), ts);
		update(&ev);
		ev = ev_make(VICTIM, dst(i), ts);
		update(&ev);
	}
	ck_assert_uint_eq(sink.n, 0);
	ck_assert_uint_eq(stats().open_flows, 3);
	flush();
	ck_assert_uint_eq(sink.n, 3);
	ck_assert_uint_eq(bs_addr_v4(&sink.recs[0].victim), VICTIM);
	ck_assert_uint_eq(bs_addr_v4(&sink.recs[1].victim), VICTIM + 1);
	ck_assert_uint_eq(bs_addr_v4(&sink.recs[2].victim), VICTIM + 2);
	ck_assert_uint_eq(stats().open_flows, 0);
}
END_TEST

START_TEST(flush_sorts_many_flows)
{
	/* 1000 open attacks whose start order is a permutation of their
	 * creation order (starts 1 ms apart, packets 2 s apart). */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t k = 0; k < 40; k++) {
		for (uint32_t v = 0; v < 1000; v++) {
			uint64_t offset_ms = (v * 7919u) % 1000;
			struct bs_event ev =
			    ev_make(0x14000000u + v, dst(k), T0 + k * 2 * US + offset_ms * 1000);
			update(&ev);
		}
	}
	flush();
	ck_assert_uint_eq(sink.n, 1000);
	for (size_t i = 1; i < sink.n; i++)
		ck_assert_uint_lt(sink.recs[i - 1].start_us, sink.recs[i].start_us);
}
END_TEST

START_TEST(callback_error_stops_and_is_returned)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	flood(VICTIM, 40, 0, T0, T0 + 60 * US);
	flood(VICTIM2, 40, 0, T0, T0 + 60 * US);
	sink.fail_with = -BS_EIO;
	ck_assert_int_eq(attack_table_flush(table), -BS_EIO);
	ck_assert_uint_eq(sink.n, 1);
	sink.fail_with = 0;
	flush(); /* the other flow; the failed one is not reported again */
	ck_assert_uint_eq(sink.n, 2);
	ck_assert_int_ne(bs_addr_cmp(&sink.recs[0].victim, &sink.recs[1].victim), 0);

	/* From an update's expiry too. */
	flood(VICTIM, 40, 0, T0 + 1000 * US, T0 + 1060 * US);
	sink.fail_with = -BS_EIO;
	struct bs_event ev = ev_make(VICTIM2, dst(0), T0 + 2000 * US);
	ck_assert_int_eq(attack_table_update(table, &ev), -BS_EIO);
	ck_assert_uint_eq(sink.n, 3);
}
END_TEST

START_TEST(million_one_packet_flows_stay_bounded)
{
	/* Scanner noise: a million victims with one packet each, 10 ms
	 * apart. Flows expire 300 s after their packet, so at most
	 * 300 s / 10 ms + 1 are ever open. */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < 1000000; i++) {
		struct bs_event ev = ev_make(0x14000000u + i, dst(i), T0 + i * 10000ull);
		update(&ev);
	}
	struct attack_stats s = stats();
	ck_assert_uint_eq(s.flows, 1000000);
	ck_assert_uint_le(s.peak_open_flows, 30001);
	ck_assert_uint_le(s.open_flows, 30001);
	ck_assert_uint_eq(s.rejected + s.open_flows, 1000000);
	flush();
	s = stats();
	ck_assert_uint_eq(s.rejected, 1000000);
	ck_assert_uint_eq(s.open_flows, 0);
	ck_assert_uint_eq(sink.n, 0);
}
END_TEST

START_TEST(victim_and_protocol_are_the_key)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < 40; i++) {
		struct bs_event ev = ev_make(VICTIM, dst(i), T0 + i * 2 * US);
		update(&ev);
		ev.proto = BS_PROTO_ICMP;
		ev.response = BS_RESP_ICMP_ECHO_REPLY;
		ev.flags = 0;
		update(&ev);
		/* The same address bytes as IPv6 are another victim. */
		uint8_t v6[16] = {0xc6, 0x33, 0x64, 0x01};
		ev = ev_make(VICTIM, dst(i), T0 + i * 2 * US);
		bs_addr_from_v6(&ev.victim, v6);
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 3);
	int tcp4 = 0, icmp4 = 0, tcp6 = 0;
	for (size_t i = 0; i < 3; i++) {
		const struct attack_record *r = &sink.recs[i];
		ck_assert_uint_eq(r->packets, 40);
		if (r->victim.family == BS_AF_INET6)
			tcp6 += r->proto == BS_PROTO_TCP;
		else if (r->proto == BS_PROTO_TCP)
			tcp4 += r->top_port == 80;
		else
			icmp4 += r->proto == BS_PROTO_ICMP && r->top_port == -1 &&
			         r->victim_ports == 0 && r->attack_ports == 0 &&
			         r->responses == 1u << BS_RESP_ICMP_ECHO_REPLY;
	}
	ck_assert_int_eq(tcp4 + icmp4 + tcp6, 3);
	ck_assert_int_eq(tcp4 * icmp4 * tcp6, 1);
}
END_TEST

START_TEST(moore_preset)
{
	/* 100 packets over 200 s: at most 30 in a minute, so rsdos needs
	 * the rate and moore does not; 99 packets fail moore. */
	struct attack_params p = preset("moore");
	ck_assert_uint_eq(flood_attacks(&p, 99, 200 * US), 0);
	reset();
	ck_assert_uint_eq(flood_attacks(&p, 100, 200 * US), 1);
	ck_assert_uint_lt(sink.recs[0].peak_ppm, 31);
	reset();
	p = preset("rsdos");
	p.min_ppm = 31;
	ck_assert_uint_eq(flood_attacks(&p, 100, 200 * US), 0);
}
END_TEST

START_TEST(one_packet_flow_can_be_reported)
{
	/* With every threshold at its minimum a single packet is an attack;
	 * its statistics come from the inline first packet. */
	struct attack_params p = {.flow_timeout_s = 300, .min_packets = 1, .min_dests = 1};
	open_table(&p);
	struct bs_event ev = ev_make(VICTIM, dst(7), T0);
	ev.port = 22;
	update(&ev);
	flush();
	ck_assert_uint_eq(sink.n, 1);
	const struct attack_record *r = &sink.recs[0];
	ck_assert_uint_eq(r->packets, 1);
	ck_assert_uint_eq(r->bytes, 44);
	ck_assert_uint_eq(r->telescope_addrs, 1);
	ck_assert_uint_eq(r->victim_ports, 1);
	ck_assert_int_eq(r->top_port, 22);
	ck_assert_int_eq(r->attack_ports, 1);
	ck_assert_uint_eq(r->peak_ppm, 1);
	ck_assert(isnan(r->uniformity_a2));
	ck_assert(!r->uniform);
}
END_TEST

/* Attacker ports count once each, only from packets that carry one, in
 * the table and past it in the bitmap, up to every port there is. */
START_TEST(attacker_ports_counted)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < 40; i++) {
		struct bs_event ev = ev_make(VICTIM, dst(i), T0 + i * 2 * US);
		ev.aport = (uint16_t)(40000 + i % 7);
		if (i % 5 == 4) { /* a port the flags do not vouch for */
			ev.flags &= (uint8_t)~BS_EV_HAS_APORT;
			ev.aport = 9;
		}
		update(&ev);
		/* A UDP flood answered by a router: ports of the quotes. */
		ev = ev_make(VICTIM, dst(i), T0 + i * 2 * US);
		ev.proto = BS_PROTO_UDP;
		ev.response = BS_RESP_ICMP_UNREACH;
		ev.flags |= BS_EV_MISMATCH;
		ev.aport = (uint16_t)(i < 20 ? 0 : 65535);
		update(&ev);
		/* Echo replies carry none. */
		ev = ev_make(VICTIM2, dst(i), T0 + i * 2 * US);
		ev.proto = BS_PROTO_ICMP;
		ev.response = BS_RESP_ICMP_ECHO_REPLY;
		ev.flags = 0;
		ev.aport = 0;
		update(&ev);
	}
	/* Past the table: 1,500 ports in 3,000 packets, then every port. */
	for (uint32_t i = 0; i < 3000; i++) {
		struct bs_event ev = ev_make(VICTIM + 5, dst(i), T0 + i * 25000ull + 120 * US);
		ev.aport = (uint16_t)(2000 + i % 1500);
		update(&ev);
	}
	for (uint32_t i = 0; i < 70000; i++) {
		struct bs_event ev = ev_make(VICTIM + 6, dst(i), T0 + i * 1000ull);
		ev.aport = (uint16_t)i;
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 5);
	for (size_t i = 0; i < sink.n; i++) {
		const struct attack_record *r = &sink.recs[i];
		uint32_t v = bs_addr_v4(&r->victim);
		if (v == VICTIM && r->proto == BS_PROTO_TCP)
			ck_assert_int_eq(r->attack_ports, 7);
		else if (v == VICTIM)
			ck_assert_int_eq(r->attack_ports, 2);
		else if (v == VICTIM2)
			ck_assert_int_eq(r->attack_ports, 0);
		else if (v == VICTIM + 5)
			ck_assert_int_eq(r->attack_ports, 1500);
		else
			ck_assert_int_eq(r->attack_ports, 65536);
	}
}
END_TEST

START_TEST(mismatches_are_64_bit)
{
	/* corsaro's 16-bit counter wraps at 65536; 70000 router errors. */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < 70000; i++) {
		struct bs_event ev = ev_make(VICTIM, dst(i), T0 + i * 1000ull);
		ev.proto = BS_PROTO_UDP;
		ev.response = BS_RESP_ICMP_UNREACH;
		ev.flags = BS_EV_HAS_PORT | BS_EV_MISMATCH;
		bs_addr_from_v4(&ev.responder, 0xcb007101u + i % 3);
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(sink.recs[0].icmp_mismatches, 70000);
	ck_assert(sink.recs[0].has_responder);
	ck_assert_uint_eq(bs_addr_v4(&sink.recs[0].responder), 0xcb007101u);
}
END_TEST

START_TEST(flood_over_100k_destinations)
{
	/* 200000 packets to 100000 destinations spread over the /8, 100 s:
	 * the count comes from the sketch, within 3 standard errors (4.9%),
	 * and the spread passes the uniformity test. */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < 200000; i++) {
		struct bs_event ev = ev_make(VICTIM, dst(i % 100000), T0 + i * 500ull);
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 1);
	const struct attack_record *r = &sink.recs[0];
	ck_assert_uint_eq(r->packets, 200000);
	ck_assert_uint_ge(r->telescope_addrs, 95100);
	ck_assert_uint_le(r->telescope_addrs, 104900);
	ck_assert(r->uniform);
}
END_TEST

START_TEST(concentrated_flood_is_not_uniform)
{
	/* The same flood aimed into one /16 of the /8. */
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (uint32_t i = 0; i < 20000; i++) {
		struct bs_event ev =
		    ev_make(VICTIM, NET | 0x420000u | (i & 0xffffu), T0 + i * 5000ull);
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 1);
	ck_assert(sink.recs[0].uniformity_a2 > 100.0);
	ck_assert(!sink.recs[0].uniform);
}
END_TEST

START_TEST(destination_outside_telescope_is_not_sampled)
{
	/* The classifier only passes telescope destinations; if one slips
	 * through it counts as a destination but not in the uniformity
	 * sample, leaving too few samples for a statistic. */
	struct attack_params p = preset("rsdos");
	p.min_dests = 1;
	open_table(&p);
	for (uint32_t i = 0; i < 40; i++) {
		uint32_t to = i < 36 ? 0x0b000000u + i : dst(i);
		struct bs_event ev = ev_make(VICTIM, to, T0 + i * 1538462ull);
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(sink.recs[0].telescope_addrs, 40);
	ck_assert(isnan(sink.recs[0].uniformity_a2));
}
END_TEST

/* Stitching: a capture cut at any packet, read as two pieces with hold
 * mode and joined by a stitching table, gives the records one table gives
 * for the whole capture. */
struct partials {
	attack_flow_t *f[4096];
	size_t n;
};

static int keep_partial(attack_flow_t *f, void *arg)
{
	struct partials *p = arg;
	ck_assert_uint_lt(p->n, 4096);
	p->f[p->n++] = f;
	return 0;
}

static int by_flow_start(const void *a, const void *b)
{
	uint64_t x = attack_flow_start(*(attack_flow_t *const *)a);
	uint64_t y = attack_flow_start(*(attack_flow_t *const *)b);
	return x < y ? -1 : x > y;
}

static int by_record(const void *a, const void *b)
{
	const struct attack_record *x = a, *y = b;
	if (x->start_us != y->start_us)
		return x->start_us < y->start_us ? -1 : 1;
	return bs_addr_cmp(&x->victim, &y->victim);
}

/* The capture: one victim's flood that any cut may split, a second attack
 * on it 400 s after (a new flow), a burst that ends inside the first piece,
 * and a flood starting right after a cut. */
static size_t stitch_capture(struct bs_event *evs)
{
	size_t n = 0;
	for (uint32_t i = 0; i < 90; i++)
		evs[n++] = ev_make(VICTIM, dst(i), T0 + i * US);
	for (uint32_t i = 0; i < 40; i++)
		evs[n++] = ev_make(VICTIM2, dst(100 + i), T0 + 10 * US + i * 2 * US);
	for (uint32_t i = 0; i < 70; i++)
		evs[n++] = ev_make(VICTIM, dst(200 + i), T0 + 500 * US + i * US);
	for (uint32_t i = 0; i < 40; i++)
		evs[n++] = ev_make(VICTIM + 7, dst(300 + i), T0 + 120 * US + i * 2 * US);
	/* In time order, as one file would hold them. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && evs[j].ts_us < evs[j - 1].ts_us; j--) {
			struct bs_event t = evs[j];
			evs[j] = evs[j - 1];
			evs[j - 1] = t;
		}
	return n;
}

static void adopt_all(attack_table_t *st, struct partials *p, uint64_t last_us)
{
	qsort(p->f, p->n, sizeof p->f[0], by_flow_start);
	for (size_t i = 0; i < p->n; i++)
		ck_assert_int_eq(attack_table_adopt(st, p->f[i]), 0);
	p->n = 0;
	ck_assert_int_eq(attack_table_expire(st, last_us), 0);
}

/* evs[0..n) cut at cut into two held tables whose partial flows one
 * stitching table adopts, as the collector does; attacks go to sink
 * (emptied first). pv: the tables are the prefix view's. */
static void stitch_at(const struct attack_params *p, const struct attack_prefix_view *pv,
                      const struct bs_event *evs, size_t n, size_t cut)
{
	static struct partials parts;
	reset();
	attack_table_t *st = attack_table_create(p, tel, collect, &sink);
	attack_table_t *a = attack_table_create(p, tel, collect, &sink);
	attack_table_t *b = attack_table_create(p, tel, collect, &sink);
	if (pv != NULL) {
		attack_table_key_prefix(st, pv);
		attack_table_key_prefix(a, pv);
		attack_table_key_prefix(b, pv);
	}
	const struct attack_hold first = {.before_next = true};
	const struct attack_hold last = {.after_previous = true,
	                                 .until_us = evs[cut].ts_us + 300 * US};
	attack_table_hold(a, &first, keep_partial, &parts);
	attack_table_hold(b, &last, keep_partial, &parts);
	for (size_t i = 0; i < cut; i++)
		ck_assert_int_eq(attack_table_update(a, &evs[i]), 0);
	ck_assert_int_eq(attack_table_flush(a), 0);
	adopt_all(st, &parts, evs[cut - 1].ts_us);
	for (size_t i = cut; i < n; i++)
		ck_assert_int_eq(attack_table_update(b, &evs[i]), 0);
	ck_assert_int_eq(attack_table_flush(b), 0);
	adopt_all(st, &parts, evs[n - 1].ts_us);
	ck_assert_int_eq(attack_table_flush(st), 0);
	attack_table_free(a);
	attack_table_free(b);
	attack_table_free(st);
}

START_TEST(stitched_pieces_equal_one_table)
{
	static struct bs_event evs[256];
	size_t n = stitch_capture(evs);
	struct attack_params p = preset("rsdos");
	open_table(&p);
	for (size_t i = 0; i < n; i++)
		update(&evs[i]);
	flush();
	size_t whole = sink.n;
	ck_assert_uint_eq(whole, 4);
	struct attack_record *expect = malloc(whole * sizeof *expect);
	memcpy(expect, sink.recs, whole * sizeof *expect);
	qsort(expect, whole, sizeof *expect, by_record);

	for (size_t cut = 1; cut < n; cut++) {
		stitch_at(&p, NULL, evs, n, cut);
		ck_assert_uint_eq(sink.n, whole);
		qsort(sink.recs, sink.n, sizeof *sink.recs, by_record);
		for (size_t i = 0; i < whole; i++)
			ck_assert_msg(memcmp(&sink.recs[i], &expect[i], sizeof *expect) == 0,
			              "cut at %zu: record %zu differs", cut, i);
	}
	free(expect);
}
END_TEST

/* The prefix view (attack_table_key_prefix()): /24 and /48. */
static const struct attack_prefix_view PV = {.len4 = 24, .len6 = 48, .min_victims = 5};
#define CARPET 0xc6336400u /* 198.51.100.0/24 */

/* A deterministic stream for batch_equals_one_by_one: `victims` victims
 * (a power of two) of which one in four floods, over both families and
 * three protocols, with ports that pass the sketches' exact limits, in
 * time order with ties, so that flows open, grow past the held room,
 * expire and the table doubles. */
static size_t batch_stream(struct bs_event *evs, size_t n, uint32_t victims)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, ts = T0;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
		uint32_t v = (uint32_t)(x >> 32) & (victims - 1);
		if ((x & 3) != 0)
			v &= 7; /* three packets in four go to the eight floods */
		ts += (x >> 8) % 3 == 0 ? 0 : (x >> 12) % (200 * 1000);
		evs[i] = ev_make(VICTIM + v, dst((uint32_t)(x >> 20)), ts);
		evs[i].port = (uint16_t)(x >> 40);
		if (v % 3 == 1) {
			evs[i].proto = BS_PROTO_UDP;
			evs[i].response = BS_RESP_ICMP_UNREACH;
		}
		if (v % 5 == 2) {
			uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
			memcpy(v6 + 12, &v, sizeof v);
			bs_addr_from_v6(&evs[i].victim, v6);
		}
	}
	return n;
}

START_TEST(batch_equals_one_by_one)
{
	enum { N = 60000 };
	static struct bs_event evs[N];
	size_t n = batch_stream(evs, N, 4096);
	for (int view = 0; view < 2; view++) {
		struct attack_params p = preset("rsdos");
		p.min_duration_s = 1;
		p.min_ppm = 1;
		reset();
		open_table(&p);
		if (view)
			attack_table_key_prefix(table, &PV);
		for (size_t i = 0; i < n; i++)
			update(&evs[i]);
		flush();
		size_t one_by_one = sink.n;
		ck_assert_uint_ge(one_by_one, view ? 2 : 8);
		struct attack_record *expect = malloc(one_by_one * sizeof *expect);
		ck_assert_ptr_nonnull(expect);
		memcpy(expect, sink.recs, one_by_one * sizeof *expect);

		/* Batches of every size from 1 to past the prefetch ring. */
		reset();
		open_table(&p);
		if (view)
			attack_table_key_prefix(table, &PV);
		for (size_t i = 0, len = 1; i < n; i += len, len = len % 97 + 1) {
			size_t m = n - i < len ? n - i : len;
			ck_assert_int_eq(attack_table_update_batch(table, &evs[i], m), 0);
		}
		flush();
		ck_assert_uint_eq(sink.n, one_by_one);
		for (size_t i = 0; i < one_by_one; i++)
			ck_assert_msg(memcmp(&sink.recs[i], &expect[i], sizeof *expect) == 0,
			              "view %d: record %zu differs", view, i);
		free(expect);
	}
}
END_TEST

START_TEST(batch_stops_at_bad_event)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	struct bs_event evs[3];
	for (uint32_t i = 0; i < 3; i++)
		evs[i] = ev_make(VICTIM, dst(i), T0 + i * US);
	evs[1].proto = BS_PROTO_COUNT;
	ck_assert_int_eq(attack_table_update_batch(table, evs, 3), -BS_EINVAL);
	struct attack_stats st;
	attack_table_stats(table, &st);
	ck_assert_uint_eq(st.flows, 1); /* the first event only */
	ck_assert_int_eq(attack_table_update_batch(table, evs, 0), 0);
}
END_TEST

/* A carpet: victims 1..n of CARPET, each 20 packets (below rsdos's 25),
 * one every 4 s, interleaved, each to 10 destinations of its own; into
 * evs. */
static size_t carpet(struct bs_event *evs, uint32_t n)
{
	size_t k = 0;
	for (uint32_t p = 0; p < 20; p++)
		for (uint32_t v = 1; v <= n; v++)
			evs[k++] =
			    ev_make(CARPET | v, dst(v * 100 + p % 10), T0 + p * 4 * US + v * 10000);
	return k;
}

/* evs[0..n) through a fresh table, the prefix view's when pv is set,
 * flushed: its attacks in sink. */
static void run_table(const struct attack_params *p, const struct attack_prefix_view *pv,
                      const struct bs_event *evs, size_t n)
{
	reset();
	open_table(p);
	if (pv != NULL)
		attack_table_key_prefix(table, pv);
	for (size_t i = 0; i < n; i++)
		update(&evs[i]);
	flush();
}

START_TEST(prefix_view_sees_the_carpet)
{
	static struct bs_event evs[20 * 40];
	size_t n = carpet(evs, 40);
	struct attack_params p = preset("rsdos");
	run_table(&p, NULL, evs, n);
	ck_assert_uint_eq(sink.n, 0); /* per address: 20 packets each */
	run_table(&p, &PV, evs, n);
	ck_assert_uint_eq(sink.n, 1);
	const struct attack_record *r = &sink.recs[0];
	bs_addr_t net;
	bs_addr_from_v4(&net, CARPET);
	ck_assert_int_eq(bs_addr_cmp(&r->victim, &net), 0);
	ck_assert_uint_eq(r->victims, 40);
	ck_assert_uint_eq(r->packets, 800);
	ck_assert_uint_eq(r->telescope_addrs, 400);
	ck_assert_uint_eq(r->start_us, evs[0].ts_us);
	ck_assert_uint_eq(r->end_us, evs[n - 1].ts_us);
}
END_TEST

START_TEST(prefix_view_needs_min_victims)
{
	static struct bs_event evs[20 * 40];
	struct attack_params p = preset("rsdos");
	for (uint32_t victims = 4; victims <= 5; victims++) {
		run_table(&p, &PV, evs, carpet(evs, victims));
		ck_assert_uint_eq(sink.n, victims == 5 ? 1 : 0);
	}
	/* One victim with a real attack: its prefix has one victim. */
	reset();
	open_table(&p);
	attack_table_key_prefix(table, &PV);
	flood(VICTIM, 100, 0, T0, T0 + 120 * US);
	flush();
	ck_assert_uint_eq(sink.n, 0);
}
END_TEST

START_TEST(prefix_view_masks_ipv6_to_48)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	attack_table_key_prefix(table, &PV);
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb9, 0x12, 0x34, 0x56};
	for (uint32_t i = 0; i < 60; i++) {
		struct bs_event ev = ev_make(VICTIM, dst(i), T0 + i * 2 * US);
		a[15] = (uint8_t)(i % 10 + 1); /* ten hosts, past the /48 */
		a[8] = (uint8_t)i;
		bs_addr_from_v6(&ev.victim, a);
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(sink.recs[0].victims, 60);
	uint8_t net[16] = {0x20, 0x01, 0x0d, 0xb9, 0x12, 0x34};
	bs_addr_t want;
	bs_addr_from_v6(&want, net);
	ck_assert_int_eq(bs_addr_cmp(&sink.recs[0].victim, &want), 0);
}
END_TEST

START_TEST(prefix_view_stitches_like_one_table)
{
	static struct bs_event evs[20 * 40];
	size_t n = carpet(evs, 40);
	struct attack_params p = preset("rsdos");
	run_table(&p, &PV, evs, n);
	ck_assert_uint_eq(sink.n, 1);
	struct attack_record expect = sink.recs[0];
	for (size_t cut = 1; cut < n; cut += 37) {
		stitch_at(&p, &PV, evs, n, cut);
		ck_assert_uint_eq(sink.n, 1);
		ck_assert_msg(memcmp(&sink.recs[0], &expect, sizeof expect) == 0,
		              "cut at %zu: the record differs", cut);
	}
}
END_TEST

/* Prefix flows go through their bytes and back (attack.h), victims
 * included; a view with other lengths refuses them. */
static int prefix_round_trip(attack_flow_t *f, void *arg)
{
	size_t *seen = arg;
	ck_assert(attack_flow_is_prefix(f));
	struct bs_buf b = {0};
	ck_assert_int_eq(attack_flow_encode(f, &b), 0);
	struct bs_buf_reader r;
	bs_buf_reader_init(&r, b.data, b.len);
	attack_flow_t *back = NULL;
	ck_assert_int_eq(attack_prefix_flow_decode(&r, &PV, &back), 0);
	ck_assert_uint_eq(bs_buf_left(&r), 0);
	ck_assert(attack_flow_is_prefix(back));
	ck_assert(attack_flow_equal(f, back));
	struct bs_buf again = {0};
	ck_assert_int_eq(attack_flow_encode(back, &again), 0);
	ck_assert_uint_eq(again.len, b.len);
	ck_assert(memcmp(again.data, b.data, b.len) == 0);
	attack_flow_free(back);
	const struct attack_prefix_view wider = {.len4 = 16, .len6 = 32, .min_victims = 5};
	bs_buf_reader_init(&r, b.data, b.len);
	ck_assert_int_eq(attack_prefix_flow_decode(&r, &wider, &back), -BS_EFORMAT);
	ck_assert_ptr_null(back);
	bs_buf_free(&again);
	bs_buf_free(&b);
	attack_flow_free(f);
	(*seen)++;
	return 0;
}

START_TEST(prefix_flows_round_trip)
{
	static struct bs_event evs[20 * 40];
	size_t n = carpet(evs, 40);
	struct attack_params p = preset("rsdos");
	open_table(&p);
	attack_table_key_prefix(table, &PV);
	size_t seen = 0;
	const struct attack_hold h = {.before_next = true};
	attack_table_hold(table, &h, prefix_round_trip, &seen);
	struct bs_event lone = ev_make(0xcb007101u, dst(0), T0); /* 203.0.113.1: one packet */
	update(&lone);
	for (size_t i = 0; i < n; i++)
		update(&evs[i]);
	flush();
	ck_assert_uint_eq(seen, 2);
	ck_assert_uint_eq(sink.n, 0);
}
END_TEST

START_TEST(adopt_after_gap_starts_new_flow)
{
	struct attack_params p = preset("rsdos");
	p.min_packets = 1;
	p.min_duration_s = 0;
	p.min_ppm = 0;
	p.min_dests = 1;
	open_table(&p);
	static struct partials parts;
	attack_table_t *a = attack_table_create(&p, tel, collect, &sink);
	const struct attack_hold middle = {
	    .after_previous = true, .until_us = UINT64_MAX, .before_next = true};
	attack_table_hold(a, &middle, keep_partial, &parts);
	struct bs_event e1 = ev_make(VICTIM, dst(1), T0);
	struct bs_event e2 = ev_make(VICTIM, dst(2), T0 + 300 * US + 1);
	ck_assert_int_eq(attack_table_update(a, &e1), 0);
	ck_assert_int_eq(attack_table_flush(a), 0);
	ck_assert_int_eq(attack_table_update(a, &e2), 0);
	ck_assert_int_eq(attack_table_flush(a), 0);
	ck_assert_uint_eq(parts.n, 2);
	ck_assert_uint_eq(sink.n, 0);
	ck_assert_int_eq(attack_table_adopt(table, parts.f[0]), 0);
	ck_assert_int_eq(attack_table_adopt(table, parts.f[1]), 0);
	flush();
	ck_assert_uint_eq(sink.n, 2); /* 300 s + 1 us apart: two flows */
	ck_assert_uint_eq(stats().stitched, 0);
	attack_table_free(a);
}
END_TEST

/* A piece with no neighbour judges its own flows: nothing is handed out,
 * and the attacks are those of a table not in hold mode. */
START_TEST(lone_piece_hands_out_nothing)
{
	static struct bs_event evs[256];
	size_t n = stitch_capture(evs);
	struct attack_params p = preset("rsdos");
	open_table(&p);
	static struct partials parts;
	parts.n = 0;
	const struct attack_hold lone = {.until_us = UINT64_MAX};
	attack_table_hold(table, &lone, keep_partial, &parts);
	for (size_t i = 0; i < n; i++)
		update(&evs[i]);
	flush();
	ck_assert_uint_eq(parts.n, 0);
	ck_assert_uint_eq(sink.n, 4);
}
END_TEST

/* Partial flows as bytes. */

#define TELESCOPE6 "2001:db8::/32"

/* An IPv6 address in 2001:db8::/32 with i in its last four bytes. */
static void addr6(bs_addr_t *a, uint32_t i)
{
	uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0};
	b[12] = (uint8_t)(i >> 24);
	b[13] = (uint8_t)(i >> 16);
	b[14] = (uint8_t)(i >> 8);
	b[15] = (uint8_t)i;
	bs_addr_from_v6(a, b);
}

/* codec_try for attack_flow_decode(). */
static int try_flow(const uint8_t *p, size_t len, const char **why)
{
	struct bs_buf_reader r;
	attack_flow_t *f = NULL;
	bs_buf_reader_init(&r, p, len);
	int rc = attack_flow_decode(&r, &f);
	*why = r.why;
	if (rc < 0)
		ck_assert_ptr_null(f);
	else if (bs_buf_left(&r) != 0)
		rc = 1;
	attack_flow_free(f);
	return rc;
}

/* f's bytes into *bytes (appended), checked: decoded equal, with the
 * same key and times, re-encoded identical. Returns the decoded copy. */
static attack_flow_t *flow_round_trip(const attack_flow_t *f, struct bs_buf *bytes)
{
	struct bs_buf again = {0};
	struct bs_buf_reader r;
	attack_flow_t *back;
	size_t at = bytes->len;

	ck_assert_int_eq(attack_flow_encode(f, bytes), 0);
	bs_buf_reader_init(&r, bytes->data + at, bytes->len - at);
	ck_assert_int_eq(attack_flow_decode(&r, &back), 0);
	ck_assert_uint_eq(bs_buf_left(&r), 0);
	ck_assert(attack_flow_equal(back, f));
	ck_assert_int_eq(attack_flow_cmp(back, f), 0);
	ck_assert_uint_eq(attack_flow_start(back), attack_flow_start(f));
	ck_assert_uint_eq(attack_flow_end(back), attack_flow_end(f));
	ck_assert_uint_eq(attack_flow_touch(back), attack_flow_touch(f));
	bs_addr_t v1, v2;
	uint8_t p1, p2;
	attack_flow_key(f, &v1, &p1);
	attack_flow_key(back, &v2, &p2);
	ck_assert_int_eq(bs_addr_cmp(&v1, &v2), 0);
	ck_assert_uint_eq(p1, p2);
	ck_assert_int_eq(attack_flow_encode(back, &again), 0);
	ck_assert_uint_eq(again.len, bytes->len - at);
	ck_assert(memcmp(again.data, bytes->data + at, again.len) == 0);
	bs_buf_free(&again);
	return back;
}

/* A capture with every form of partial flow, in time order: scanner
 * noise (one packet, IPv4 and IPv6 victims), short flows whose packets
 * stay held, a flood to 700 destinations and 600 ports (built: a sketch,
 * the full port array, rings, a full sample), router errors from several
 * responders (built at once), an IPv6 flood, and a flow whose one packet
 * is a router error. */
static size_t codec_capture(struct bs_event *evs)
{
	size_t n = 0;
	for (uint32_t i = 0; i < 300; i++) {
		evs[n] = ev_make(0x14000000u + i, dst(i), T0 + i * US + 1000 * (i % 7));
		if (i % 5 == 0) {
			addr6(&evs[n].victim, 0x10000 + i);
			addr6(&evs[n].dst, i);
			evs[n].responder = evs[n].victim;
		}
		n++;
	}
	for (uint32_t v = 0; v < 20; v++)
		for (uint32_t i = 0; i < 2 + v; i++)
			evs[n++] =
			    ev_make(0x15000000u + v, dst(1000 + i), T0 + (v * 15 + i * 3) * US);
	for (uint32_t i = 0; i < 800; i++) {
		evs[n] = ev_make(VICTIM, dst(2000 + i % 700), T0 + 30 * US + i * 250000ull);
		evs[n].port = (uint16_t)(1024 + i % 600);
		evs[n++].ip_len = 40 + i % 20;
	}
	for (uint32_t i = 0; i < 60; i++) {
		struct bs_event *e = &evs[n++];
		*e = ev_make(VICTIM2, dst(3000 + i), T0 + 100 * US + i * 2 * US);
		e->proto = BS_PROTO_UDP;
		e->response = BS_RESP_ICMP_UNREACH;
		e->port = 53;
		if (i % 3 != 0) {
			e->flags |= BS_EV_MISMATCH;
			bs_addr_from_v4(&e->responder, 0xcb007100u + i % 4);
		}
	}
	for (uint32_t i = 0; i < 90; i++) {
		struct bs_event *e = &evs[n++];
		*e = ev_make(0, 0, T0 + 50 * US + i * US);
		addr6(&e->victim, 0xabcdef);
		addr6(&e->dst, 5000 + i * 7919);
		e->responder = e->victim;
	}
	evs[n] = ev_make(VICTIM + 9, dst(4000), T0 + 77 * US);
	evs[n].proto = BS_PROTO_ICMP;
	evs[n].response = BS_RESP_ICMP_TIME_EXCEEDED;
	evs[n].flags = BS_EV_MISMATCH;
	bs_addr_from_v4(&evs[n++].responder, 0xcb007199u);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && evs[j].ts_us < evs[j - 1].ts_us; j--) {
			struct bs_event t = evs[j];
			evs[j] = evs[j - 1];
			evs[j - 1] = t;
		}
	return n;
}

/* The records of a stitching table fed the pieces' partial flows. */
static void stitch(const struct attack_params *p, struct partials *pieces, size_t n_pieces,
                   const uint64_t *last_us, struct sink *out)
{
	attack_table_t *st = attack_table_create(p, tel, collect, out);
	ck_assert_ptr_nonnull(st);
	for (size_t k = 0; k < n_pieces; k++)
		adopt_all(st, &pieces[k], last_us[k]);
	ck_assert_int_eq(attack_table_flush(st), 0);
	attack_table_free(st);
}

/* The capture cut in two at cut: every partial flow round-trips, and the
 * decoded flows stitch into the records the originals stitch into, which
 * are those of one table over the whole capture. */
static void check_cut(const struct attack_params *p, const struct bs_event *evs, size_t n,
                      size_t cut, const struct sink *whole, size_t *forms)
{
	static struct partials orig[2], dec[2];
	attack_table_t *a = attack_table_create(p, tel, collect, &sink);
	attack_table_t *b = attack_table_create(p, tel, collect, &sink);
	const struct attack_hold first = {.before_next = true};
	const struct attack_hold last = {.after_previous = true,
	                                 .until_us = evs[cut].ts_us + 300 * US};
	attack_table_hold(a, &first, keep_partial, &orig[0]);
	attack_table_hold(b, &last, keep_partial, &orig[1]);
	sink.n = 0;
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(attack_table_update(i < cut ? a : b, &evs[i]), 0);
	ck_assert_int_eq(attack_table_flush(a), 0);
	ck_assert_int_eq(attack_table_flush(b), 0);
	for (size_t k = 0; k < 2; k++) {
		dec[k].n = 0;
		for (size_t i = 0; i < orig[k].n; i++) {
			struct bs_buf bytes = {0};
			dec[k].f[dec[k].n++] = flow_round_trip(orig[k].f[i], &bytes);
			/* form byte: after victim, proto, responses, touch, bytes */
			size_t form_at = (bytes.data[0] == BS_AF_INET ? 5 : 17) + 1 + 4 + 8 + 8;
			forms[bytes.data[form_at]]++;
			bs_buf_free(&bytes);
		}
	}
	const uint64_t last_us[2] = {evs[cut - 1].ts_us, evs[n - 1].ts_us};
	struct sink from_orig = {0}, from_dec = {0};
	stitch(p, orig, 2, last_us, &from_orig);
	stitch(p, dec, 2, last_us, &from_dec);
	/* sink holds the pieces' own attacks (flows judged in a piece). */
	ck_assert_uint_eq(from_dec.n, from_orig.n);
	ck_assert_uint_eq(from_dec.n + sink.n, whole->n);
	for (size_t i = 0; i < from_dec.n; i++)
		assert_same_record(&from_dec.recs[i], &from_orig.recs[i]);
	for (size_t i = 0; i < sink.n; i++) {
		if (from_dec.n == from_dec.cap) {
			from_dec.cap = from_dec.cap ? 2 * from_dec.cap : 16;
			from_dec.recs =
			    realloc(from_dec.recs, from_dec.cap * sizeof *from_dec.recs);
			ck_assert_ptr_nonnull(from_dec.recs);
		}
		from_dec.recs[from_dec.n++] = sink.recs[i];
	}
	qsort(from_dec.recs, from_dec.n, sizeof *from_dec.recs, by_record);
	for (size_t i = 0; i < whole->n; i++)
		assert_same_record(&from_dec.recs[i], &whole->recs[i]);
	free(from_orig.recs);
	free(from_dec.recs);
	attack_table_free(a);
	attack_table_free(b);
}

/* Every flow reported (a one-packet flow is an attack) and the rsdos
 * preset, over cuts through the capture. */
START_TEST(decoded_partials_stitch_like_originals)
{
	static struct bs_event evs[2048];
	size_t n = codec_capture(evs);
	ck_assert_int_eq(bs_prefixes_add(tel, TELESCOPE6), 0);
	struct attack_params all = {.flow_timeout_s = 300, .min_packets = 1, .min_dests = 1};
	const struct attack_params params[2] = {all, preset("rsdos")};
	size_t forms[3] = {0};
	for (size_t k = 0; k < 2; k++) {
		reset();
		open_table(&params[k]);
		for (size_t i = 0; i < n; i++)
			update(&evs[i]);
		flush();
		struct sink whole = sink;
		whole.recs = malloc(sink.n * sizeof *sink.recs);
		memcpy(whole.recs, sink.recs, sink.n * sizeof *sink.recs);
		qsort(whole.recs, whole.n, sizeof *whole.recs, by_record);
		ck_assert_uint_ge(whole.n, k == 0 ? 300 : 3);
		for (size_t cut = 1; cut < n; cut += 97)
			check_cut(&params[k], evs, n, cut, &whole, forms);
		check_cut(&params[k], evs, n, n - 1, &whole, forms);
		free(whole.recs);
	}
	/* Every form was seen, many times. */
	ck_assert_uint_ge(forms[0], 100);
	ck_assert_uint_ge(forms[1], 20);
	ck_assert_uint_ge(forms[2], 20);
}
END_TEST

/* One flood on one victim, cut in two pieces that share some attacker
 * ports: the stitched flow counts their union, as one table does (not
 * the sum, not the larger), whether the pieces' ports are in their tables
 * or bitmaps, and whether the partial flows went through bytes first. */
static void check_attacker_port_union(uint32_t per_piece, uint32_t shift, bool as_bytes)
{
	struct attack_params p = preset("rsdos");
	const uint64_t step = 70 * US / (2 * per_piece); /* 70 s in all */
	static struct partials parts;
	attack_table_t *one = attack_table_create(&p, tel, collect, &sink);
	attack_table_t *piece[2];
	const struct attack_hold hold[2] = {{.before_next = true},
	                                    {.after_previous = true, .until_us = UINT64_MAX}};
	struct sink stitched = {0};
	attack_table_t *st = attack_table_create(&p, tel, collect, &stitched);
	sink.n = 0;
	parts.n = 0;
	for (uint32_t k = 0; k < 2; k++) {
		piece[k] = attack_table_create(&p, tel, collect, &sink);
		attack_table_hold(piece[k], &hold[k], keep_partial, &parts);
		for (uint32_t i = 0; i < per_piece; i++) {
			uint32_t at = k * per_piece + i;
			struct bs_event ev = ev_make(VICTIM, dst(at), T0 + at * step);
			ev.aport = (uint16_t)(1000 + k * shift + i);
			ck_assert_int_eq(attack_table_update(piece[k], &ev), 0);
			ck_assert_int_eq(attack_table_update(one, &ev), 0);
		}
		ck_assert_int_eq(attack_table_flush(piece[k]), 0);
		ck_assert_uint_eq(parts.n, 1);
		if (as_bytes) {
			struct bs_buf b = {0};
			attack_flow_t *back = flow_round_trip(parts.f[0], &b);
			attack_flow_free(parts.f[0]);
			parts.f[0] = back;
			bs_buf_free(&b);
		}
		adopt_all(st, &parts, T0 + ((k + 1) * per_piece - 1) * step);
		attack_table_free(piece[k]);
	}
	ck_assert_int_eq(attack_table_flush(st), 0);
	ck_assert_int_eq(attack_table_flush(one), 0);
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(stitched.n, 1);
	ck_assert_int_eq(stitched.recs[0].attack_ports, (int32_t)(shift + per_piece));
	assert_same_record(&stitched.recs[0], &sink.recs[0]);
	free(stitched.recs);
	attack_table_free(st);
	attack_table_free(one);
}

START_TEST(attacker_ports_merge_as_union)
{
	for (int as_bytes = 0; as_bytes < 2; as_bytes++) {
		check_attacker_port_union(30, 10, as_bytes);   /* tables: 50, not 60 or 30 */
		check_attacker_port_union(600, 300, as_bytes); /* bitmaps: 900 */
		check_attacker_port_union(400, 200, as_bytes); /* tables, union past them */
	}
}
END_TEST

/* One partial flow of each kind from a table in hold mode, in flush
 * order (all start at T0: by victim): one packet, built with a
 * responder, held with an IPv6 victim; their bytes in *out, one encoding
 * after the other. */
static size_t sample_flows(attack_flow_t **flows, struct bs_buf *out)
{
	static struct partials parts;
	struct attack_params p = preset("rsdos");
	attack_table_t *t = attack_table_create(&p, tel, collect, &sink);
	const struct attack_hold h = {.before_next = true};
	attack_table_hold(t, &h, keep_partial, &parts);
	parts.n = 0;
	struct bs_event ev = ev_make(VICTIM, dst(1), T0); /* one packet */
	ck_assert_int_eq(attack_table_update(t, &ev), 0);
	for (uint32_t i = 0; i < 3; i++) { /* held, IPv6 */
		ev = ev_make(0, 0, T0 + i * US);
		addr6(&ev.victim, 7);
		addr6(&ev.dst, 100 + i);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	for (uint32_t i = 0; i < 30; i++) { /* built, with a responder */
		ev = ev_make(VICTIM2, dst(i), T0 + i * US);
		ev.proto = BS_PROTO_UDP;
		ev.flags |= BS_EV_MISMATCH;
		bs_addr_from_v4(&ev.responder, 0xcb007100u + i);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	ck_assert_int_eq(attack_table_flush(t), 0);
	attack_table_free(t);
	ck_assert_uint_eq(parts.n, 3);
	for (size_t i = 0; i < parts.n; i++) {
		flows[i] = parts.f[i];
		ck_assert_int_eq(attack_flow_encode(flows[i], out), 0);
	}
	return parts.n;
}

START_TEST(flow_bytes_truncated_are_refused)
{
	attack_flow_t *flows[3];
	struct bs_buf all = {0};
	ck_assert_uint_eq(sample_flows(flows, &all), 3);
	for (size_t i = 0; i < 3; i++) {
		struct bs_buf one = {0};
		attack_flow_t *back = flow_round_trip(flows[i], &one);
		codec_assert_truncations(&one, try_flow);
		/* One byte more is left over, not taken. */
		bs_buf_put_u8(&one, 0);
		const char *why;
		ck_assert_int_eq(codec_run(try_flow, one.data, one.len, &why), 1);
		attack_flow_free(back);
		attack_flow_free(flows[i]);
		bs_buf_free(&one);
	}
	bs_buf_free(&all);
}
END_TEST

/* The sizes a state file pays per flow. */
START_TEST(flow_bytes_sizes)
{
	attack_flow_t *flows[3];
	struct bs_buf all = {0};
	sample_flows(flows, &all);
	size_t size[3];
	for (size_t i = 0; i < 3; i++) {
		struct bs_buf one = {0};
		ck_assert_int_eq(attack_flow_encode(flows[i], &one), 0);
		size[i] = one.len;
		attack_flow_free(flows[i]);
		bs_buf_free(&one);
	}
	/* IPv4 one-packet flow: victim 5, proto 1, responses 4, touch 8,
	 * bytes 8, form 1, start 8, dst 5, flags 1, port 2, attacker port 2. */
	ck_assert_uint_eq(size[0], 45);
	ck_assert_uint_le(size[1], 1664); /* 30 packets, built: 30 attacker ports 64 */
	/* IPv6, 3 held packets: 17 + 1 + 4 + 8 + 8 + 1 + 2 + 3 x 30. */
	ck_assert_uint_eq(size[2], 131);
	bs_buf_free(&all);
}
END_TEST

/* The bytes of flow i of sample_flows(), in a buffer of their own. */
static struct bs_buf sample_bytes(size_t which)
{
	attack_flow_t *flows[3];
	struct bs_buf all = {0}, one = {0};
	sample_flows(flows, &all);
	ck_assert_int_eq(attack_flow_encode(flows[which], &one), 0);
	for (size_t i = 0; i < 3; i++)
		attack_flow_free(flows[i]);
	bs_buf_free(&all);
	return one;
}

START_TEST(flow_bytes_corrupted_are_refused)
{
	const char *why;
	/* One packet, IPv4: family 0, victim 1-4, proto 5, responses 6-9,
	 * touch 10-17, bytes 18-25, form 26, start 27-34, dst family 35,
	 * dst 36-39, flags 40, port 41-42, attacker port 43-44. */
	struct bs_buf b = sample_bytes(0);
	uint8_t *p = b.data;
	ck_assert_uint_eq(b.len, 45);
	ck_assert_int_eq(codec_run(try_flow, p, b.len, &why), 0);
	p[0] = 5;
	codec_assert_refused(try_flow, p, b.len, "family");
	p[0] = BS_AF_INET;
	p[5] = BS_PROTO_COUNT;
	codec_assert_refused(try_flow, p, b.len, "protocol");
	p[5] = BS_PROTO_TCP;
	codec_poke_u32(p, 6, 0);
	codec_assert_refused(try_flow, p, b.len, "responses");
	codec_poke_u32(p, 6, 1u << BS_RESP_COUNT);
	codec_assert_refused(try_flow, p, b.len, "responses");
	codec_poke_u32(p, 6, 1);
	p[26] = 3;
	codec_assert_refused(try_flow, p, b.len, "form");
	p[26] = 0;
	codec_poke_u64(p, 10, T0 - 1); /* touched before its packet */
	codec_assert_refused(try_flow, p, b.len, "last update");
	codec_poke_u64(p, 10, T0);
	codec_poke_u64(p, 18, 1ull << 32); /* one packet of 4 GiB */
	codec_assert_refused(try_flow, p, b.len, "bytes");
	codec_poke_u64(p, 18, 44);
	p[40] = BS_EV_MISMATCH;
	codec_assert_refused(try_flow, p, b.len, "flags");
	p[40] = BS_EV_HAS_PORT | BS_EV_HAS_APORT | BS_EV_QUOTE_SHORT;
	codec_assert_refused(try_flow, p, b.len, "flags");
	for (uint8_t flags = 0; flags <= (BS_EV_HAS_PORT | BS_EV_HAS_APORT); flags++) {
		p[40] = flags & (BS_EV_HAS_PORT | BS_EV_HAS_APORT);
		ck_assert_int_eq(codec_run(try_flow, p, b.len, &why), 0);
	}
	p[40] = BS_EV_HAS_PORT | BS_EV_HAS_APORT;
	ck_assert_int_eq(codec_run(try_flow, p, b.len, &why), 0);
	bs_buf_free(&b);

	/* Held, IPv6 victim: the count at 17 + 1 + 4 + 8 + 8 + 1 = 39. */
	b = sample_bytes(2);
	p = b.data;
	ck_assert_int_eq(codec_run(try_flow, p, b.len, &why), 0);
	p[39] = 1;
	codec_assert_refused(try_flow, p, b.len, "held packets");
	bs_buf_free(&b);

	/* Built, IPv4: start 27, end 35, packets 43, mismatches 51,
	 * has-responder 59, responder 60-64. */
	b = sample_bytes(1);
	p = b.data;
	ck_assert_int_eq(codec_run(try_flow, p, b.len, &why), 0);
	codec_poke_u64(p, 27, T0 + 30 * US); /* start after the end */
	codec_assert_refused(try_flow, p, b.len, "start after the end");
	codec_poke_u64(p, 27, T0);
	codec_poke_u64(p, 51, 31); /* more router errors than packets */
	codec_assert_refused(try_flow, p, b.len, "mismatches");
	codec_poke_u64(p, 51, 30);
	p[59] = 2;
	codec_assert_refused(try_flow, p, b.len, "has-responder");
	p[59] = 1;
	codec_poke_u64(p, 43, 29); /* 30 destinations from 29 packets */
	codec_poke_u64(p, 51, 29);
	codec_assert_refused(try_flow, p, b.len, "destinations");
	codec_poke_u64(p, 43, 30);
	codec_poke_u64(p, 51, 30);
	ck_assert_int_eq(codec_run(try_flow, p, b.len, &why), 0);
	bs_buf_free(&b);
}
END_TEST

/* A built flow cannot have more attacker ports than packets. */
START_TEST(flow_bytes_more_attacker_ports_than_packets)
{
	static struct partials parts;
	struct attack_params p = preset("rsdos");
	attack_table_t *t = attack_table_create(&p, tel, collect, &sink);
	const struct attack_hold h = {.before_next = true};
	attack_table_hold(t, &h, keep_partial, &parts);
	parts.n = 0;
	for (uint32_t i = 0; i < 30; i++) { /* 10 destinations, 30 attacker ports */
		struct bs_event ev = ev_make(VICTIM2, dst(i % 10), T0 + i * US);
		ev.aport = (uint16_t)(3000 + i);
		ev.flags |= BS_EV_MISMATCH; /* built at once */
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	ck_assert_int_eq(attack_table_flush(t), 0);
	attack_table_free(t);
	ck_assert_uint_eq(parts.n, 1);
	struct bs_buf b = {0};
	ck_assert_int_eq(attack_flow_encode(parts.f[0], &b), 0);
	attack_flow_free(parts.f[0]);
	const char *why;
	ck_assert_int_eq(codec_run(try_flow, b.data, b.len, &why), 0);
	/* Built, IPv4: packets 43, mismatches 51 (see above). */
	codec_poke_u64(b.data, 43, 29);
	codec_poke_u64(b.data, 51, 29);
	codec_assert_refused(try_flow, b.data, b.len, "attacker ports");
	bs_buf_free(&b);
}
END_TEST

/* Watching the edges of a piece (attack_table_watch_edges()): a flow
 * that ends and started at or before the leading limit, and every flow
 * ended by flush, is shown once after it is judged, with reported saying
 * whether the attack callback got it; other flows are not shown, and the
 * attacks are those of a table not watched. */
#define SHOWN_MAX 64

struct shown {
	bs_addr_t victim;
	uint8_t proto;
	uint64_t start_us, end_us, packets;
	bool reported;
	bool at_flush; /* shown by attack_table_flush() */
};

struct edges {
	struct shown s[SHOWN_MAX];
	size_t n;
	const struct sink *attacks; /* the table's attack callback's */
	bool flushing;
	int fail_with; /* returned by the callback when not 0 */
};

static int show_edge(const attack_flow_t *f, bool reported, void *arg)
{
	struct edges *e = arg;
	ck_assert_uint_lt(e->n, SHOWN_MAX);
	struct shown *s = &e->s[e->n++];
	attack_flow_key(f, &s->victim, &s->proto);
	s->start_us = attack_flow_start(f);
	s->end_us = attack_flow_end(f);
	s->packets = attack_flow_packets(f);
	s->reported = reported;
	s->at_flush = e->flushing;
	/* Judged just before: a reported flow is the last attack. */
	if (reported) {
		ck_assert_uint_gt(e->attacks->n, 0);
		const struct attack_record *r = &e->attacks->recs[e->attacks->n - 1];
		ck_assert_int_eq(bs_addr_cmp(&r->victim, &s->victim), 0);
		ck_assert_uint_eq(r->proto, s->proto);
		ck_assert_uint_eq(r->start_us, s->start_us);
		ck_assert_uint_eq(r->end_us, s->end_us);
		ck_assert_uint_eq(r->packets, s->packets);
	}
	return e->fail_with;
}

static int by_event_time(const void *a, const void *b)
{
	const struct bs_event *x = a, *y = b;
	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return bs_addr_cmp(&x->victim, &y->victim);
}

/* n events of victim (proto UDP when udp) evenly spaced from start to end
 * inclusive, to n destinations picked by the victim's last byte, appended
 * to evs at *at. */
static void edge_flow(struct bs_event *evs, size_t *at, uint32_t victim, bool udp, uint32_t n,
                      uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ts = n == 1 ? start : start + (end - start) * i / (n - 1);
		struct bs_event ev = ev_make(victim, dst(1000 * (victim & 0xff) + i), ts);
		if (udp) {
			ev.proto = BS_PROTO_UDP;
			ev.response = BS_RESP_ICMP_UNREACH;
		}
		evs[(*at)++] = ev;
	}
}

/* A flow the watch test expects to be shown. */
struct edge_want {
	uint32_t victim;
	uint8_t proto;
	uint64_t start_us;
	bool reported, at_flush;
};

#define EDGE_T (T0 + 300 * US) /* the leading limit */

/* The capture of the watch test, in time order; *want gets the flows to
 * be shown and *n_want their count. Floods of 40 packets over 60 s are
 * attacks, a few packets are not. */
static size_t edge_capture(struct bs_event *evs, struct edge_want *want, size_t *n_want)
{
	size_t n = 0, w = 0;
	/* Started before the limit, ended idle mid-run: shown. */
	edge_flow(evs, &n, VICTIM, false, 40, T0, T0 + 60 * US);
	want[w++] = (struct edge_want){VICTIM, BS_PROTO_TCP, T0, true, false};
	edge_flow(evs, &n, VICTIM + 1, false, 3, T0 + 10 * US, T0 + 12 * US);
	want[w++] = (struct edge_want){VICTIM + 1, BS_PROTO_TCP, T0 + 10 * US, false, false};
	edge_flow(evs, &n, VICTIM, true, 40, T0 + 5 * US, T0 + 65 * US); /* another key */
	want[w++] = (struct edge_want){VICTIM, BS_PROTO_UDP, T0 + 5 * US, true, false};
	/* Started at the limit exactly: shown. */
	edge_flow(evs, &n, VICTIM + 2, false, 40, EDGE_T, EDGE_T + 60 * US);
	want[w++] = (struct edge_want){VICTIM + 2, BS_PROTO_TCP, EDGE_T, true, false};
	edge_flow(evs, &n, VICTIM + 3, false, 1, EDGE_T, EDGE_T);
	want[w++] = (struct edge_want){VICTIM + 3, BS_PROTO_TCP, EDGE_T, false, false};
	/* Started after it, ended mid-run: not shown, reported or not. */
	edge_flow(evs, &n, VICTIM + 4, false, 40, EDGE_T + 1, EDGE_T + 1 + 60 * US);
	edge_flow(evs, &n, VICTIM + 5, false, 2, EDGE_T + 1, EDGE_T + 5 * US);
	edge_flow(evs, &n, VICTIM, false, 40, T0 + 1000 * US, T0 + 1060 * US); /* key again */
	/* Open at the end: shown by flush, once even when it started before
	 * the limit (a packet every 250 s from T0 + 100 s, 12 in all). */
	edge_flow(evs, &n, VICTIM + 6, false, 12, T0 + 100 * US, T0 + 2850 * US);
	want[w++] = (struct edge_want){VICTIM + 6, BS_PROTO_TCP, T0 + 100 * US, false, true};
	edge_flow(evs, &n, VICTIM + 7, false, 40, T0 + 2800 * US, T0 + 2860 * US);
	want[w++] = (struct edge_want){VICTIM + 7, BS_PROTO_TCP, T0 + 2800 * US, true, true};
	edge_flow(evs, &n, VICTIM + 8, false, 1, T0 + 2900 * US, T0 + 2900 * US);
	want[w++] = (struct edge_want){VICTIM + 8, BS_PROTO_TCP, T0 + 2900 * US, false, true};
	qsort(evs, n, sizeof *evs, by_event_time);
	*n_want = w;
	return n;
}

START_TEST(watched_edges_are_shown_once)
{
	static struct bs_event evs[512];
	struct edge_want want[16];
	size_t n_want;
	size_t n = edge_capture(evs, want, &n_want);
	struct attack_params p = preset("rsdos");
	open_table(&p);
	static struct edges e;
	memset(&e, 0, sizeof e);
	e.attacks = &sink;
	attack_table_watch_edges(table, EDGE_T, show_edge, &e);
	for (size_t i = 0; i < n; i++)
		update(&evs[i]);
	e.flushing = true;
	flush();

	/* The attacks and counters of a table not watched. */
	struct sink plain = {0};
	attack_table_t *t = attack_table_create(&p, tel, collect, &plain);
	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(attack_table_update(t, &evs[i]), 0);
	ck_assert_int_eq(attack_table_flush(t), 0);
	ck_assert_uint_eq(sink.n, plain.n);
	ck_assert_uint_eq(sink.n, 6);
	for (size_t i = 0; i < sink.n; i++)
		assert_same_record(&sink.recs[i], &plain.recs[i]);
	/* Among them the two that start after the limit and are not shown. */
	size_t late = 0;
	for (size_t i = 0; i < sink.n; i++)
		late += sink.recs[i].start_us > EDGE_T && sink.recs[i].start_us < T0 + 2000 * US;
	ck_assert_uint_eq(late, 2);
	struct attack_stats a = stats(), b;
	attack_table_stats(t, &b);
	ck_assert_uint_eq(a.flows, b.flows);
	ck_assert_uint_eq(a.attacks, b.attacks);
	ck_assert_uint_eq(a.rejected, b.rejected);
	ck_assert_uint_eq(a.peak_open_flows, b.peak_open_flows);
	attack_table_free(t);
	free(plain.recs);

	/* Exactly the flows wanted, each once, as wanted. */
	ck_assert_uint_eq(e.n, n_want);
	for (size_t i = 0; i < n_want; i++) {
		size_t found = 0;
		for (size_t j = 0; j < e.n; j++) {
			const struct shown *s = &e.s[j];
			if (bs_addr_v4(&s->victim) != want[i].victim || s->proto != want[i].proto ||
			    s->start_us != want[i].start_us)
				continue;
			found++;
			ck_assert_msg(s->reported == want[i].reported, "flow %zu: reported %d", i,
			              s->reported);
			ck_assert_msg(s->at_flush == want[i].at_flush, "flow %zu: at flush %d", i,
			              s->at_flush);
		}
		ck_assert_msg(found == 1, "flow %zu shown %zu times", i, found);
	}
	/* reported is whether the attack callback got the flow. */
	for (size_t j = 0; j < e.n; j++) {
		const struct shown *s = &e.s[j];
		bool attack = false;
		for (size_t i = 0; i < sink.n; i++)
			attack |= bs_addr_cmp(&sink.recs[i].victim, &s->victim) == 0 &&
			          sink.recs[i].proto == s->proto &&
			          sink.recs[i].start_us == s->start_us &&
			          sink.recs[i].end_us == s->end_us;
		ck_assert_int_eq(attack, s->reported);
	}
	/* The flows shown at flush come in flush order. */
	for (size_t j = 1; j < e.n; j++)
		if (e.s[j - 1].at_flush)
			ck_assert_uint_le(e.s[j - 1].start_us, e.s[j].start_us);
}
END_TEST

/* A leading limit of 0 shows only what flush ends; UINT64_MAX shows
 * every flow. */
START_TEST(watch_limits)
{
	static struct bs_event evs[512];
	struct edge_want want[16];
	size_t n_want;
	size_t n = edge_capture(evs, want, &n_want);
	struct attack_params p = preset("rsdos");
	static struct edges e;
	const uint64_t limits[] = {0, UINT64_MAX};
	for (size_t k = 0; k < 2; k++) {
		reset();
		open_table(&p);
		memset(&e, 0, sizeof e);
		e.attacks = &sink;
		attack_table_watch_edges(table, limits[k], show_edge, &e);
		for (size_t i = 0; i < n; i++)
			update(&evs[i]);
		size_t mid_run = e.n;
		e.flushing = true;
		flush();
		ck_assert_uint_eq(e.n - mid_run, 3); /* the three open at the end */
		ck_assert_uint_eq(stats().flows, 11);
		ck_assert_uint_eq(e.n, k == 0 ? 3 : 11);
		ck_assert_uint_eq(sink.n, 6);
	}
}
END_TEST

START_TEST(watch_callback_error_stops_and_is_returned)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	static struct edges e;
	memset(&e, 0, sizeof e);
	e.attacks = &sink;
	attack_table_watch_edges(table, T0 + 1000 * US, show_edge, &e);
	flood(VICTIM, 40, 0, T0, T0 + 60 * US);
	/* The flood ends on this update: judged, shown, and the error
	 * returned (the packet is not added). */
	e.fail_with = -BS_EIO;
	struct bs_event ev = ev_make(VICTIM2, dst(0), T0 + 400 * US);
	ck_assert_int_eq(attack_table_update(table, &ev), -BS_EIO);
	ck_assert_uint_eq(sink.n, 1);
	ck_assert_uint_eq(e.n, 1);
	ck_assert(e.s[0].reported);
	e.fail_with = 0;
	update(&ev); /* the flood is not shown again */
	ck_assert_uint_eq(e.n, 1);
	e.fail_with = -BS_EIO;
	ck_assert_int_eq(attack_table_flush(table), -BS_EIO);
	ck_assert_uint_eq(e.n, 2);
	ck_assert_uint_eq(bs_addr_v4(&e.s[1].victim), VICTIM2);
	ck_assert(!e.s[1].reported);
	e.fail_with = 0;
	flush(); /* nothing left */
	ck_assert_uint_eq(e.n, 2);
	ck_assert_uint_eq(sink.n, 1);
}
END_TEST

/* attack_flow_packets() of partial flows of every form: one packet, held
 * packets (one destination hit twice counts twice), built, and after a
 * round trip through bytes. */
START_TEST(partial_flow_packets)
{
	struct attack_params p = preset("rsdos");
	open_table(&p);
	static struct partials parts;
	parts.n = 0;
	const struct attack_hold next = {.before_next = true};
	attack_table_hold(table, &next, keep_partial, &parts);
	struct bs_event ev = ev_make(VICTIM, dst(0), T0);
	update(&ev);
	for (uint32_t i = 0; i < 5; i++) {
		ev = ev_make(VICTIM + 1, dst(i % 3), T0 + 1 * US + i * US);
		update(&ev);
	}
	flood(VICTIM + 2, 40, 0, T0 + 2 * US, T0 + 62 * US);
	/* Router errors are built at once. */
	for (uint32_t i = 0; i < 3; i++) {
		ev = ev_make(VICTIM + 3, dst(i), T0 + 3 * US + i * US);
		ev.flags |= BS_EV_MISMATCH;
		bs_addr_from_v4(&ev.responder, 0xcb007101u);
		update(&ev);
	}
	flush();
	ck_assert_uint_eq(sink.n, 0);
	ck_assert_uint_eq(parts.n, 4);
	const uint64_t want[] = {1, 5, 40, 3};
	for (size_t i = 0; i < parts.n; i++) {
		ck_assert_uint_eq(attack_flow_packets(parts.f[i]), want[i]);
		struct bs_buf b = {0};
		attack_flow_t *back = flow_round_trip(parts.f[i], &b);
		ck_assert_uint_eq(attack_flow_packets(back), want[i]);
		attack_flow_free(back);
		attack_flow_free(parts.f[i]);
		bs_buf_free(&b);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("attack");
	TCase *edge = tcase_create("edge");
	tcase_add_checked_fixture(edge, setup, teardown);
	tcase_add_test(edge, presets);
	tcase_add_test(edge, create_rejects_bad_arguments);
	tcase_add_test(edge, update_rejects_bad_event);
	tcase_add_test(edge, batch_stops_at_bad_event);
	tcase_add_test(edge, empty_flush);
	tcase_add_test(edge, basic_attack_record);
	tcase_add_test(edge, one_packet_flow_can_be_reported);
	tcase_add_test(edge, destination_outside_telescope_is_not_sampled);
	suite_add_tcase(s, edge);
	TCase *thr = tcase_create("thresholds");
	tcase_add_checked_fixture(thr, setup, teardown);
	tcase_add_test(thr, timeout_exactly_300s_keeps_flow);
	tcase_add_test(thr, timeout_past_300s_splits_flow);
	tcase_add_test(thr, expiry_reports_before_flush);
	tcase_add_test(thr, min_packets_boundary);
	tcase_add_test(thr, statistics_do_not_depend_on_holding);
	tcase_add_test(thr, min_duration_boundary);
	tcase_add_test(thr, min_ppm_boundary);
	tcase_add_test(thr, min_dests_boundary);
	tcase_add_test(thr, moore_preset);
	suite_add_tcase(s, thr);
	TCase *time = tcase_create("time");
	tcase_add_checked_fixture(time, setup, teardown);
	tcase_add_test(time, sliding_window_catches_spread_burst);
	tcase_add_test(time, burst_straddling_minute_boundary);
	tcase_add_test(time, shuffled_burst_same_record);
	tcase_add_test(time, late_packet_moves_start_back);
	tcase_add_test(time, late_packet_keeps_flow_alive);
	tcase_add_test(time, reversed_burst_is_not_an_attack);
	suite_add_tcase(s, time);
	TCase *table_tc = tcase_create("table");
	tcase_add_checked_fixture(table_tc, setup, teardown);
	tcase_set_timeout(table_tc, 120);
	tcase_add_test(table_tc, each_attack_reported_once);
	tcase_add_test(table_tc, flush_reports_open_flows_in_order);
	tcase_add_test(table_tc, flush_sorts_many_flows);
	tcase_add_test(table_tc, callback_error_stops_and_is_returned);
	tcase_add_test(table_tc, million_one_packet_flows_stay_bounded);
	tcase_add_test(table_tc, victim_and_protocol_are_the_key);
	tcase_add_test(table_tc, mismatches_are_64_bit);
	tcase_add_test(table_tc, attacker_ports_counted);
	tcase_add_test(table_tc, flood_over_100k_destinations);
	tcase_add_test(table_tc, concentrated_flood_is_not_uniform);
	tcase_add_test(table_tc, stitched_pieces_equal_one_table);
	tcase_add_test(table_tc, batch_equals_one_by_one);
	tcase_add_test(table_tc, adopt_after_gap_starts_new_flow);
	tcase_add_test(table_tc, prefix_view_sees_the_carpet);
	tcase_add_test(table_tc, prefix_view_needs_min_victims);
	tcase_add_test(table_tc, prefix_view_masks_ipv6_to_48);
	tcase_add_test(table_tc, prefix_view_stitches_like_one_table);
	tcase_add_test(table_tc, prefix_flows_round_trip);
	tcase_add_test(table_tc, lone_piece_hands_out_nothing);
	tcase_add_test(table_tc, watched_edges_are_shown_once);
	tcase_add_test(table_tc, watch_limits);
	tcase_add_test(table_tc, watch_callback_error_stops_and_is_returned);
	suite_add_tcase(s, table_tc);
	TCase *codec = tcase_create("codec");
	tcase_add_checked_fixture(codec, setup, teardown);
	tcase_set_timeout(codec, 300);
	tcase_add_test(codec, decoded_partials_stitch_like_originals);
	tcase_add_test(codec, attacker_ports_merge_as_union);
	tcase_add_test(codec, flow_bytes_truncated_are_refused);
	tcase_add_test(codec, flow_bytes_sizes);
	tcase_add_test(codec, flow_bytes_corrupted_are_refused);
	tcase_add_test(codec, flow_bytes_more_attacker_ports_than_packets);
	tcase_add_test(codec, partial_flow_packets);
	suite_add_tcase(s, codec);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_attack_list.c - attacks.csv byte for byte from hand-made records
 * (IPv4 and IPv6 victims, an ICMP attack with a responder, AS names that
 * need quoting, zero duration, attack_ports: a count, every port, none,
 * unknown; vector_group last: a TCP and a UDP attack on one victim at
 * once share the smaller attack_id), its order and attack ids, failure
 * paths; prefix_attacks.csv (its victim_attacks counted from the attack
 * list);
 * and summary.json (summary.h), the other per-run file, read back with
 * jansson. */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "base/bs_time.h"
#include "check_outdir.h"
#include "outdir/csvwrite.h"
#include "outdir/attack_list.h"
#include "outdir/summary.h"

#define US 1000000ull
/* 2026-11-24T03:00:00Z */
#define T0    1795489200ull
#define AT(s) ((T0 + (s)) * US)
/* A /8 telescope: est_attack_pps = mean_pps * 256. */
#define SLASH8 16777216.0
#define HEADER                                                                                     \
	"attack_id,victim,protocol,start_time,end_time,duration_s,packets,bytes,telescope_addrs,"  \
	"victim_ports,top_port,responses,peak_ppm,mean_pps,est_attack_pps,uniformity_a2,"          \
	"uniform,icmp_mismatches,responder,country,asn,as_org,attack_ports,vector_group\n"
#define RESP(x) (1u << BS_RESP_##x)

static struct attack_record record(const char *victim, int proto, uint64_t start_us,
                                   uint64_t end_us, uint64_t packets)
{
	struct attack_record r;
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(bs_addr_parse(victim, &r.victim), 0);
	r.proto = (uint8_t)proto;
	r.start_us = start_us;
	r.end_us = end_us;
	r.packets = packets;
	r.bytes = packets * 40;
	r.top_port = -1;
	r.uniformity_a2 = NAN;
	return r;
}

static struct geo_info geo(const char *country, uint32_t asn, const char *org)
{
	struct geo_info g;
	memset(&g, 0, sizeof g);
	strcpy(g.country, country);
	g.asn = asn;
	strcpy(g.as_org, org);
	return g;
}

static void assert_csv(attack_list_t *r, double v4_size, const char *want)
{
	char *dir = outdir_create();
	ck_assert_int_eq(attack_list_write_csv(r, dir, v4_size, 0), 0);
	char *got = outdir_read(dir, "attacks.csv");
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
	ck_assert_int_eq(outdir_count(dir), 1);
	outdir_remove(dir);
}

START_TEST(write_missing_dir_is_eio)
{
	attack_list_t *r = attack_list_create();
	struct attack_record a = record("192.0.2.1", BS_PROTO_TCP, AT(0), AT(60), 30);
	ck_assert_int_eq(attack_list_add(r, &a, NULL), 0);
	errno = 0;
	ck_assert_int_eq(attack_list_write_csv(r, "/nonexistent/dir", SLASH8, 0), -BS_EIO);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(attack_list_write_csv(r, NULL, SLASH8, 0), -BS_EINVAL);
	ck_assert_int_eq(attack_list_write_csv(NULL, "/tmp", SLASH8, 0), -BS_EINVAL);
	attack_list_free(r);
	attack_list_free(NULL);
}
END_TEST

START_TEST(time_past_9999_keeps_old_file)
{
	char *dir = outdir_create();
	outdir_write(dir, "attacks.csv", "old\n");
	attack_list_t *r = attack_list_create();
	struct attack_record a = record("192.0.2.1", BS_PROTO_TCP, AT(0), BS_TIME_MAX_US + 1, 30);
	ck_assert_int_eq(attack_list_add(r, &a, NULL), 0);
	ck_assert_int_eq(attack_list_write_csv(r, dir, SLASH8, 0), -BS_ERANGE);
	char *text = outdir_read(dir, "attacks.csv");
	ck_assert_str_eq(text, "old\n");
	free(text);
	ck_assert_int_eq(outdir_count(dir), 1);
	attack_list_free(r);
	outdir_remove(dir);
}
END_TEST

START_TEST(empty_is_header_only)
{
	attack_list_t *r = attack_list_create();
	ck_assert_uint_eq(attack_list_count(r), 0);
	ck_assert_ptr_null(attack_list_get(r, 0));
	assert_csv(r, SLASH8, HEADER);
	attack_list_free(r);
}
END_TEST

/* Four attacks added out of order; every column format at least once. */
START_TEST(exact_text)
{
	attack_list_t *r = attack_list_create();

	/* UDP flood seen as port unreachables, zero duration: no rates. */
	struct attack_record udp =
	    record("192.0.2.10", BS_PROTO_UDP, AT(5) + 500000, AT(5) + 500000, 25);
	udp.telescope_addrs = 25;
	udp.victim_ports = 1;
	udp.top_port = 53;
	udp.responses = RESP(ICMP_UNREACH);
	udp.peak_ppm = 25;
	udp.attack_ports = -1; /* unknown: merged from rows of an older version */
	struct geo_info udp_geo = geo("", 64501, "Quote \"Net\" AB");
	ck_assert_int_eq(attack_list_add(r, &udp, &udp_geo), 0);

	/* Router-generated ICMP errors: responder, mismatches, no port. */
	struct attack_record icmp =
	    record("198.51.100.20", BS_PROTO_ICMP, AT(5) + 500000, AT(65) + 750000, 30);
	icmp.telescope_addrs = 29;
	icmp.responses = RESP(ICMP_UNREACH) | RESP(ICMP_TIME_EXCEEDED);
	icmp.peak_ppm = 30;
	icmp.icmp_mismatches = 12;
	icmp.has_responder = true;
	ck_assert_int_eq(bs_addr_parse("203.0.113.1", &icmp.responder), 0);
	struct geo_info icmp_geo = geo("US", 64500, "Example, Inc.");
	ck_assert_int_eq(attack_list_add(r, &icmp, &icmp_geo), 0);

	/* IPv6 victim: observed rate, no estimate; no geo databases. */
	struct attack_record v6 = record("2001:db8::5", BS_PROTO_TCP, AT(0), AT(90), 45);
	v6.telescope_addrs = 40;
	v6.victim_ports = 2;
	v6.top_port = 443;
	v6.responses = RESP(TCP_RST);
	v6.peak_ppm = 31;
	v6.uniformity_a2 = 2.5;
	v6.attack_ports = 41;
	ck_assert_int_eq(attack_list_add(r, &v6, NULL), 0);

	/* SYN flood on a web server, uniform spoofing. */
	struct attack_record tcp =
	    record("192.0.2.10", BS_PROTO_TCP, AT(5) + 500000, AT(125) + 500000, 240);
	tcp.telescope_addrs = 230;
	tcp.victim_ports = 1;
	tcp.top_port = 80;
	tcp.responses = RESP(TCP_RST) | RESP(TCP_SYNACK);
	tcp.peak_ppm = 130;
	tcp.uniformity_a2 = 0.53;
	tcp.uniform = true;
	tcp.attack_ports = 65536; /* every port */
	struct geo_info tcp_geo = geo("SE", 29518, "Bredband2 AB");
	ck_assert_int_eq(attack_list_add(r, &tcp, &tcp_geo), 0);

	ck_assert_uint_eq(attack_list_count(r), 4);
	assert_csv(r, SLASH8,
	           HEADER "1,2001:db8::5,TCP,2026-11-24T03:00:00.000000Z,"
	                  "2026-11-24T03:01:30.000000Z,90.000000,45,1800,40,2,443,TCP_RST,31,"
	                  "0.500000,,2.5000,0,0,,,,,41,1\n"
	                  "2,192.0.2.10,TCP,2026-11-24T03:00:05.500000Z,"
	                  "2026-11-24T03:02:05.500000Z,120.000000,240,9600,230,1,80,"
	                  "TCP_SYNACK|TCP_RST,130,2.000000,512.0,0.5300,1,0,,SE,29518,"
	                  "Bredband2 AB,65536,2\n"
	                  "3,192.0.2.10,UDP,2026-11-24T03:00:05.500000Z,"
	                  "2026-11-24T03:00:05.500000Z,0.000000,25,1000,25,1,53,ICMP_UNREACH,25,,,"
	                  ",0,0,,,64501,\"Quote \"\"Net\"\" AB\",,2\n"
	                  "4,198.51.100.20,ICMP,2026-11-24T03:00:05.500000Z,"
	                  "2026-11-24T03:01:05.750000Z,60.250000,30,1200,29,0,,"
	                  "ICMP_UNREACH|ICMP_TIME_EXCEEDED,30,0.497925,127.5,,0,12,203.0.113.1,US,"
	                  "64500,\"Example, Inc.\",0,4\n");
	attack_list_free(r);
}
END_TEST

START_TEST(no_ipv4_telescope_no_estimate)
{
	attack_list_t *r = attack_list_create();
	struct attack_record a = record("192.0.2.1", BS_PROTO_TCP, AT(0), AT(60), 30);
	ck_assert_int_eq(attack_list_add(r, &a, NULL), 0);
	assert_csv(r, 0,
	           HEADER "1,192.0.2.1,TCP,2026-11-24T03:00:00.000000Z,2026-11-24T03:01:00.000000Z,"
	                  "60.000000,30,1200,0,0,,,0,0.500000,,,0,0,,,,,0,1\n");
	attack_list_free(r);
}
END_TEST

/* Order: start time, then victim (IPv4 before IPv6, then by bytes), then
 * protocol; attack_id i + 1 is attack_list_get(r, i). */
START_TEST(sort_order_and_ids)
{
	static const struct {
		const char *victim;
		int proto;
		uint64_t start_s;
	} in[] = {
	    {"10.0.0.2", BS_PROTO_TCP, 10},     {"::1", BS_PROTO_TCP, 5},
	    {"10.0.0.1", BS_PROTO_ICMP, 5},     {"10.0.0.1", BS_PROTO_TCP, 5},
	    {"9.255.255.255", BS_PROTO_UDP, 5}, {"10.0.0.1", BS_PROTO_UDP, 5},
	};
	/* Indexes into in[] in the expected order. */
	static const size_t want[] = {4, 3, 5, 2, 1, 0};
	attack_list_t *r = attack_list_create();
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		struct attack_record a =
		    record(in[i].victim, in[i].proto, AT(in[i].start_s), AT(100), 30);
		ck_assert_int_eq(attack_list_add(r, &a, NULL), 0);
	}
	/* Insertion order until sorted. */
	ck_assert_uint_eq(attack_list_get(r, 0)->start_us, AT(10));
	attack_list_sort(r);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct attack_record *a = attack_list_get(r, i);
		bs_addr_t v;
		ck_assert_int_eq(bs_addr_parse(in[want[i]].victim, &v), 0);
		ck_assert_msg(bs_addr_cmp(&a->victim, &v) == 0 && a->proto == in[want[i]].proto,
		              "position %zu", i);
	}
	ck_assert_ptr_null(attack_list_get(r, 6));

	char *dir = outdir_create();
	ck_assert_int_eq(attack_list_write_csv(r, dir, SLASH8, 0), 0);
	char *text = outdir_read(dir, "attacks.csv");
	char *line = strtok(text, "\n"); /* header */
	for (size_t i = 0; (line = strtok(NULL, "\n")) != NULL; i++) {
		char prefix[64];
		snprintf(prefix, sizeof prefix, "%zu,%s,", i + 1, in[want[i]].victim);
		ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0, "row %zu: %s", i, line);
	}
	free(text);
	outdir_remove(dir);
	attack_list_free(r);
}
END_TEST

/* vector_group through the victims' addresses: an IPv6 address holding an
 * IPv4 victim's bytes (a00:1:: and 10.0.0.1) is another victim; an IPv6
 * victim's overlapping attacks group; an attack touching an earlier one of
 * its victim joins it, one starting a microsecond after the end does not. */
START_TEST(vector_group_victims)
{
	static const struct {
		const char *victim;
		int proto;
		uint64_t start_us, end_us;
		const char *group; /* the last cell */
	} in[] = {
	    {"10.0.0.1", BS_PROTO_TCP, AT(0), AT(100), ",1"},
	    {"a00:1::", BS_PROTO_ICMP, AT(10), AT(50), ",2"},
	    {"2001:db8::7", BS_PROTO_TCP, AT(20), AT(80), ",3"},
	    {"10.0.0.1", BS_PROTO_ICMP, AT(30), AT(200), ",1"},
	    {"2001:db8::7", BS_PROTO_UDP, AT(80), AT(90), ",3"},
	    {"2001:db8::7", BS_PROTO_ICMP, AT(90) + 1, AT(95), ",6"},
	    {"10.0.0.1", BS_PROTO_UDP, AT(200), AT(300), ",1"},
	};
	attack_list_t *r = attack_list_create();
	for (size_t i = sizeof in / sizeof in[0]; i-- > 0;) { /* added backwards */
		struct attack_record a =
		    record(in[i].victim, in[i].proto, in[i].start_us, in[i].end_us, 30);
		ck_assert_int_eq(attack_list_add(r, &a, NULL), 0);
	}
	char *dir = outdir_create();
	ck_assert_int_eq(attack_list_write_csv(r, dir, SLASH8, 0), 0);
	char *text = outdir_read(dir, "attacks.csv");
	char *line = strtok(text, "\n"); /* header */
	size_t rows = 0;
	for (; (line = strtok(NULL, "\n")) != NULL; rows++) {
		char prefix[64];
		snprintf(prefix, sizeof prefix, "%zu,%s,", rows + 1, in[rows].victim);
		ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0, "row %zu: %s", rows,
		              line);
		ck_assert_str_eq(strrchr(line, ','), in[rows].group);
	}
	ck_assert_uint_eq(rows, sizeof in / sizeof in[0]);
	free(text);
	outdir_remove(dir);
	attack_list_free(r);
}
END_TEST

/* More attacks than the first allocation; copies survive the growth. */
START_TEST(many_attacks)
{
	enum { N = 1000 };
	attack_list_t *r = attack_list_create();
	for (unsigned i = 0; i < N; i++) {
		struct attack_record a =
		    record("192.0.2.1", BS_PROTO_TCP, AT(N - i), AT(N - i + 60), 25 + i);
		ck_assert_int_eq(attack_list_add(r, &a, NULL), 0);
	}
	attack_list_sort(r);
	ck_assert_uint_eq(attack_list_count(r), N);
	for (unsigned i = 0; i < N; i++)
		ck_assert_uint_eq(attack_list_get(r, i)->packets, 25 + (N - 1 - i));
	attack_list_free(r);
}
END_TEST

/* summary.json --------------------------------------------------------- */

static json_t *write_and_load(const struct summary *s)
{
	char *dir = outdir_create();
	ck_assert_int_eq(summary_write(dir, s), 0);
	ck_assert_int_eq(outdir_count(dir), 1);
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/summary.json", dir);
	json_error_t err;
	json_t *root = json_load_file(path, 0, &err);
	ck_assert_msg(root != NULL, "summary.json: %s", err.text);
	outdir_remove(dir);
	return root;
}

static const char *jget_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

static json_int_t jget_int(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return json_integer_value(v);
}

static void assert_null(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	ck_assert_msg(v != NULL && json_is_null(v), "%s is not null", key);
}

/* prefix_attacks.csv byte for byte: two prefix attacks added out of
 * order, victim_attacks counted from the per-address list: a victim of the
 * prefix counts once (two attacks), when it overlaps in time and is on
 * the same protocol; other prefixes, protocols and times do not count. */
START_TEST(prefix_csv_exact_text)
{
	const struct attack_prefix_view pv = {.len4 = 24, .len6 = 48, .min_victims = 5};
	attack_list_t *pfx = attack_list_create(), *att = attack_list_create();
	struct attack_record a = record("2001:db8:1::", BS_PROTO_UDP, AT(600), AT(700), 50);
	a.victims = 7;
	a.telescope_addrs = 50;
	a.peak_ppm = 30;
	a.responses = RESP(ICMP6_UNREACH);
	a.attack_ports = -1;
	ck_assert_int_eq(attack_list_add(pfx, &a, NULL), 0);
	struct attack_record b = record("198.51.100.0", BS_PROTO_TCP, AT(0), AT(100), 1000);
	b.victims = 40;
	b.telescope_addrs = 990;
	b.victim_ports = 1;
	b.top_port = 80;
	b.peak_ppm = 600;
	b.responses = RESP(TCP_SYNACK);
	b.uniformity_a2 = 0.5;
	b.uniform = true;
	b.attack_ports = 900;
	ck_assert_int_eq(attack_list_add(pfx, &b, NULL), 0);
	static const struct {
		const char *victim;
		int proto;
		uint64_t start, end;
	} own[] = {
	    {"198.51.100.7", BS_PROTO_TCP, 10, 50},      {"198.51.100.7", BS_PROTO_TCP, 60, 90},
	    {"198.51.100.9", BS_PROTO_TCP, 100, 200},    {"198.51.100.8", BS_PROTO_UDP, 10, 50},
	    {"198.51.101.7", BS_PROTO_TCP, 10, 50},      {"198.51.100.10", BS_PROTO_TCP, 101, 200},
	    {"2001:db8:1:2::5", BS_PROTO_UDP, 650, 800},
	};
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
		struct attack_record r =
		    record(own[i].victim, own[i].proto, AT(own[i].start), AT(own[i].end), 100);
		ck_assert_int_eq(attack_list_add(att, &r, NULL), 0);
	}
	char *dir = outdir_create();
	ck_assert_int_eq(attack_list_write_prefix_csv(pfx, att, &pv, dir), 0);
	char *got = outdir_read(dir, "prefix_attacks.csv");
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(
	    got, "prefix_id,prefix,protocol,start_time,end_time,duration_s,packets,bytes,"
	         "telescope_addrs,victim_ports,top_port,responses,peak_ppm,mean_pps,"
	         "uniformity_a2,uniform,attack_ports,victims,victim_attacks\n"
	         "1,198.51.100.0/24,TCP,2026-11-24T03:00:00.000000Z,2026-11-24T03:01:40.000000Z,"
	         "100.000000,1000,40000,990,1,80,TCP_SYNACK,600,10.000000,0.5000,1,900,40,2\n"
	         "2,2001:db8:1::/48,UDP,2026-11-24T03:10:00.000000Z,2026-11-24T03:11:40.000000Z,"
	         "100.000000,50,2000,50,0,,ICMP6_UNREACH,30,0.500000,,0,,7,1\n");
	free(got);
	outdir_remove(dir);
	attack_list_free(pfx);
	attack_list_free(att);
}
END_TEST

START_TEST(summary_missing_dir_is_eio)
{
	struct summary s;
	memset(&s, 0, sizeof s);
	errno = 0;
	ck_assert_int_eq(summary_write("/nonexistent/dir", &s), -BS_EIO);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(summary_empty_run)
{
	struct summary s;
	memset(&s, 0, sizeof s);
	s.version = "0.1";
	s.partial = true;
	s.partial_reason = "SIGINT";
	json_t *root = write_and_load(&s);
	ck_assert_str_eq(jget_str(json_object_get(root, "tool"), "name"), "backscatter");
	assert_null(root, "command_line");
	json_t *p = json_object_get(root, "parameters");
	ck_assert_uint_eq(json_array_size(json_object_get(p, "telescope")), 0);
	assert_null(p, "preset");
	assert_null(p, "geo_db");
	ck_assert_uint_eq(json_array_size(json_object_get(root, "inputs")), 0);
	assert_null(json_object_get(root, "time_range"), "first_packet");
	assert_null(json_object_get(root, "time_range"), "last_packet");
	ck_assert(json_is_false(json_object_get(root, "complete")));
	ck_assert_str_eq(jget_str(root, "partial_reason"), "SIGINT");
	ck_assert_uint_eq(json_array_size(json_object_get(root, "warnings")), 0);
	json_decref(root);
}
END_TEST

START_TEST(summary_full_run)
{
	bs_prefixes_t *tel = bs_prefixes_create();
	ck_assert_int_eq(bs_prefixes_add(tel, "44.0.0.0/8,2001:db8::/64"), 0);
	const struct summary_input inputs[] = {
	    {"a.pcap.gz", 1234, 10, AT(0), AT(60) + 1, NULL, false},
	    {"pcapfile:-", -1, 0, 0, 0, "cut short", false},
	    {"bad\xff"
	     "name.pcap",
	     5, 0, 0, 0, "duplicate", true}, /* not UTF-8 */
	};
	const char *const warnings[] = {"pcapfile:-: cut short"};
	struct summary s;
	memset(&s, 0, sizeof s);
	s.version = "1.2.3";
	s.command_line = "backscatter collect --telescope 44.0.0.0/8 --out o a.pcap.gz";
	s.preset = "rsdos";
	s.params = (struct attack_params){.flow_timeout_s = 300,
	                                  .min_packets = 25,
	                                  .min_duration_s = 60,
	                                  .min_ppm = 30,
	                                  .min_dests = 5};
	s.interval_s = 300;
	s.telescope = tel;
	s.geo_db = "GeoIP2-Country-Test.mmdb";
	s.filter = "tcp";
	s.inputs = inputs;
	s.n_inputs = 3;
	s.counters.packets = 10;
	s.counters.backscatter = 7;
	s.counters.time_outliers = 1;
	s.counters.files_failed = 1;
	s.attack_stats.flows = 3;
	s.attack_stats.attacks = 1;
	s.attack_stats.peak_open_flows = UINT64_MAX; /* beyond JSON integers */
	s.first_us = AT(0);
	s.last_us = AT(60) + 1;
	s.warnings = warnings;
	s.n_warnings = 1;
	json_t *root = write_and_load(&s);

	/* Top-level keys in the documented order. */
	static const char *const keys[] = {
	    "tool",     "command_line", "parameters", "inputs",         "time_range",
	    "counters", "flows",        "complete",   "partial_reason", "warnings"};
	size_t k = 0;
	const char *key;
	json_t *val;
	json_object_foreach(root, key, val)
	{
		ck_assert_uint_lt(k, sizeof keys / sizeof keys[0]);
		ck_assert_str_eq(key, keys[k++]);
	}
	ck_assert_uint_eq(k, sizeof keys / sizeof keys[0]);

	ck_assert_str_eq(jget_str(json_object_get(root, "tool"), "version"), "1.2.3");
	json_t *p = json_object_get(root, "parameters");
	ck_assert_str_eq(jget_str(p, "preset"), "rsdos");
	ck_assert_int_eq(jget_int(p, "flow_timeout_s"), 300);
	ck_assert_int_eq(jget_int(p, "min_packets"), 25);
	ck_assert_int_eq(jget_int(p, "min_duration_s"), 60);
	ck_assert_int_eq(jget_int(p, "min_ppm"), 30);
	ck_assert_int_eq(jget_int(p, "min_dests"), 5);
	ck_assert_int_eq(jget_int(p, "interval_s"), 300);
	json_t *tarr = json_object_get(p, "telescope");
	ck_assert_uint_eq(json_array_size(tarr), 2);
	ck_assert_str_eq(json_string_value(json_array_get(tarr, 0)), "44.0.0.0/8");
	ck_assert_str_eq(json_string_value(json_array_get(tarr, 1)), "2001:db8::/64");
	ck_assert(json_real_value(json_object_get(p, "telescope_size_v4")) == 16777216.0);
	ck_assert(json_real_value(json_object_get(p, "telescope_size_v6")) ==
	          18446744073709551616.0);
	ck_assert_str_eq(jget_str(p, "geo_db"), "GeoIP2-Country-Test.mmdb");
	assert_null(p, "asn_db");
	ck_assert_str_eq(jget_str(p, "filter"), "tcp");

	json_t *ins = json_object_get(root, "inputs");
	ck_assert_uint_eq(json_array_size(ins), 3);
	json_t *in0 = json_array_get(ins, 0);
	ck_assert_str_eq(jget_str(in0, "uri"), "a.pcap.gz");
	ck_assert_int_eq(jget_int(in0, "size_bytes"), 1234);
	ck_assert_int_eq(jget_int(in0, "packets"), 10);
	ck_assert_str_eq(jget_str(in0, "first_packet"), "2026-11-24T03:00:00.000000Z");
	ck_assert_str_eq(jget_str(in0, "last_packet"), "2026-11-24T03:01:00.000001Z");
	assert_null(in0, "error");
	ck_assert(json_is_false(json_object_get(in0, "skipped")));
	json_t *in1 = json_array_get(ins, 1);
	assert_null(in1, "size_bytes");
	assert_null(in1, "first_packet");
	ck_assert_str_eq(jget_str(in1, "error"), "cut short");
	json_t *in2 = json_array_get(ins, 2);
	ck_assert_str_eq(jget_str(in2, "uri"), "bad?name.pcap");
	ck_assert(json_is_true(json_object_get(in2, "skipped")));

	json_t *range = json_object_get(root, "time_range");
	ck_assert_str_eq(jget_str(range, "first_packet"), "2026-11-24T03:00:00.000000Z");
	json_t *c = json_object_get(root, "counters");
	ck_assert_uint_eq(json_object_size(c), 12);
	ck_assert_int_eq(jget_int(c, "packets"), 10);
	ck_assert_int_eq(jget_int(c, "backscatter"), 7);
	ck_assert_int_eq(jget_int(c, "time_outliers"), 1);
	ck_assert_int_eq(jget_int(c, "files_failed"), 1);
	ck_assert_int_eq(jget_int(c, "non_ip"), 0);
	json_t *f = json_object_get(root, "flows");
	ck_assert_uint_eq(json_object_size(f), 6);
	ck_assert_int_eq(jget_int(f, "flows"), 3);
	ck_assert_int_eq(jget_int(f, "attacks"), 1);
	ck_assert_int_eq(jget_int(f, "stitched"), 0);
	ck_assert(json_is_real(json_object_get(f, "peak_open_flows")));
	ck_assert(json_is_true(json_object_get(root, "complete")));
	assert_null(root, "partial_reason");
	json_t *w = json_object_get(root, "warnings");
	ck_assert_uint_eq(json_array_size(w), 1);
	ck_assert_str_eq(json_string_value(json_array_get(w, 0)), "pcapfile:-: cut short");
	json_decref(root);
	bs_prefixes_free(tel);
}
END_TEST

START_TEST(summary_merged_from_last)
{
	const char *const dirs[] = {"shard-00", "shard-01"};
	struct summary s;
	memset(&s, 0, sizeof s);
	s.merged_from = dirs;
	s.n_merged_from = 2;
	json_t *root = write_and_load(&s);
	const char *key = NULL;
	json_t *val, *last = NULL;
	json_object_foreach(root, key, val)
	{
		last = val;
		if (strcmp(key, "merged_from") == 0)
			break;
	}
	ck_assert_str_eq(key, "merged_from");
	ck_assert_ptr_null(json_object_iter_next(root, json_object_key_to_iter(key)));
	ck_assert_uint_eq(json_array_size(last), 2);
	ck_assert_str_eq(json_string_value(json_array_get(last, 1)), "shard-01");
	json_decref(root);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("results");
	TCase *tc = tcase_create("errors");
	tcase_add_test(tc, write_missing_dir_is_eio);
	tcase_add_test(tc, time_past_9999_keeps_old_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("attacks_csv");
	tcase_add_test(tc, empty_is_header_only);
	tcase_add_test(tc, exact_text);
	tcase_add_test(tc, no_ipv4_telescope_no_estimate);
	tcase_add_test(tc, sort_order_and_ids);
	tcase_add_test(tc, vector_group_victims);
	tcase_add_test(tc, many_attacks);
	tcase_add_test(tc, prefix_csv_exact_text);
	suite_add_tcase(s, tc);
	tc = tcase_create("summary_json");
	tcase_add_test(tc, summary_missing_dir_is_eio);
	tcase_add_test(tc, summary_empty_run);
	tcase_add_test(tc, summary_full_run);
	tcase_add_test(tc, summary_merged_from_last);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

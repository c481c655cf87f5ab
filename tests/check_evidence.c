/* check_evidence.c - analysis/evidence.c without traces: the tags a
 * packet's comment carries parsed back strictly (only what evidence
 * writes), the section comment that records N, and evidence_offer(), by
 * which merge keeps the first N packets of each merged target out of its
 * shards' packets, re-tagged. (The second reading of traces is tested end
 * to end: tests/e2e_evidence.sh.) */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/evidence.h"
#include "base/bs_error.h"
#include "check_outdir.h"
#include "telescope/event.h"

START_TEST(packet_key_parses_what_evidence_writes)
{
	bs_addr_t v, want;
	uint8_t proto = 99;
	struct bs_err err;
	ck_assert_int_eq(bs_addr_parse("10.1.2.3", &want), 0);
	ck_assert_int_eq(
	    evidence_packet_key("attack_id=12 victim=10.1.2.3 proto=UDP", &v, &proto, &err), 0);
	ck_assert_int_eq(bs_addr_cmp(&v, &want), 0);
	ck_assert_uint_eq(proto, BS_PROTO_UDP);
	ck_assert_int_eq(
	    evidence_packet_key("flow=10.1.2.3/ICMP/1700000000000001", &v, &proto, &err), 0);
	ck_assert_uint_eq(proto, BS_PROTO_ICMP);
	ck_assert_int_eq(evidence_packet_key("attack_id=3 victim=2001:db8::1 proto=TCP "
	                                     "flow=2001:db8::1/TCP/5",
	                                     &v, &proto, &err),
	                 0);
	ck_assert_int_eq(bs_addr_parse("2001:db8::1", &want), 0);
	ck_assert_int_eq(bs_addr_cmp(&v, &want), 0);
	ck_assert_uint_eq(proto, BS_PROTO_TCP);
	/* Anything evidence does not write is refused. */
	static const char *const bad[] = {
	    NULL,
	    "",
	    "attack_id=1",
	    "attack_id=01 victim=10.1.2.3 proto=UDP",
	    "attack_id=-1 victim=10.1.2.3 proto=UDP",
	    "attack_id= 1 victim=10.1.2.3 proto=UDP",
	    "attack_id=0 victim=10.1.2.3 proto=UDP",
	    "attack_id=1 victim=10.1.2.3 proto=udp",
	    "attack_id=1 victim=10.1.2.300 proto=UDP",
	    "attack_id=1 victim=10.1.2.3 proto=UDP ",
	    "attack_id=1 victim=10.1.2.3 proto=UDPX",
	    "attack_id=1 victim=10.1.2.3  proto=UDP",
	    "attack_id=1 victim=10.1.2.3 proto=UDP  flow=10.1.2.3/UDP/1",
	    "attack_id=1 victim=10.1.2.3 proto=UDP flow=10.1.2.4/UDP/1",
	    "attack_id=1 victim=10.1.2.3 proto=UDP flow=10.1.2.3/TCP/1",
	    "attack_id=1 victim=10.1.2.3 proto=UDPflow=10.1.2.3/UDP/1",
	    "flow=10.1.2.3/UDP/",
	    "flow=10.1.2.3/UDP/1x",
	    "flow=10.1.2.3//1",
	    "flow=10.1.2.3/UDP/1/2",
	    "flow=10.1.2.3/UDP/18446744073709551616",
	    "victim=10.1.2.3 proto=UDP",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err.msg[0] = '\0';
		ck_assert_msg(evidence_packet_key(bad[i], &v, &proto, &err) == -BS_EFORMAT, "%s",
		              bad[i] ? bad[i] : "NULL");
		ck_assert_ptr_nonnull(strstr(err.msg, "comment"));
	}
}
END_TEST

START_TEST(section_records_n)
{
	char buf[PCAPNG_COMMENT_MAX + 1];
	uint32_t n = 0;
	for (uint32_t k = 1; k <= EVIDENCE_MAX_PACKETS; k += 333) {
		ck_assert_int_gt(evidence_section(k, buf, sizeof buf), 0);
		ck_assert_int_eq(evidence_per_target(buf, &n), 0);
		ck_assert_uint_eq(n, k);
	}
	/* Out of range, or not the text written. */
	evidence_section(0, buf, sizeof buf);
	ck_assert_int_eq(evidence_per_target(buf, &n), -BS_EFORMAT);
	evidence_section(EVIDENCE_MAX_PACKETS + 1, buf, sizeof buf);
	ck_assert_int_eq(evidence_per_target(buf, &n), -BS_EFORMAT);
	evidence_section(7, buf, sizeof buf);
	strcat(buf, "!");
	ck_assert_int_eq(evidence_per_target(buf, &n), -BS_EFORMAT);
	ck_assert_int_eq(evidence_per_target("", &n), -BS_EFORMAT);
	ck_assert_int_eq(evidence_per_target("10", &n), -BS_EFORMAT);
}
END_TEST

/* What the file holds, packet by packet: comment and time. */
struct seen {
	char comments[16][EVIDENCE_COMMENT_LEN];
	uint64_t ts[16];
	size_t n;
};

static int see(const struct pcapng_packet *pk, uint64_t number, void *arg)
{
	(void)number;
	struct seen *s = arg;
	ck_assert_uint_lt(s->n, 16);
	snprintf(s->comments[s->n], sizeof s->comments[s->n], "%s", pk->comment);
	s->ts[s->n++] = pk->ts_us;
	return 0;
}

START_TEST(offer_keeps_the_first_n_of_each_target)
{
	evidence_t *e = evidence_create(2);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_null(evidence_create(0));
	ck_assert_ptr_null(evidence_create(EVIDENCE_MAX_PACKETS + 1));
	struct attack_record a = {.proto = BS_PROTO_TCP, .start_us = 100, .end_us = 200};
	ck_assert_int_eq(bs_addr_parse("10.0.0.9", &a.victim), 0);
	ck_assert_int_eq(evidence_add_attack(e, &a, 4), 0);
	/* An edge flow of the same victim later, one of another victim. */
	ck_assert_int_eq(evidence_add_flow(e, &a.victim, BS_PROTO_TCP, 150, 400), 0);
	bs_addr_t other;
	ck_assert_int_eq(bs_addr_parse("10.0.0.10", &other), 0);
	ck_assert_int_eq(evidence_add_flow(e, &other, BS_PROTO_UDP, 0, 1000), 0);
	evidence_ready(e, NULL);
	uint8_t bytes[4] = {1, 2, 3, 4};
	/* Times offered in this order, with the tags the shards gave them. */
	static const struct {
		uint64_t ts;
		const char *tags;
	} offered[] = {
	    {90, "flow=10.0.0.9/TCP/90"},                   /* before both */
	    {100, "attack_id=1 victim=10.0.0.9 proto=TCP"}, /* attack */
	    {160, "flow=10.0.0.9/TCP/150"},                 /* attack and flow */
	    {5, "flow=10.0.0.10/UDP/0"},                    /* the other victim */
	    {170, "attack_id=2 victim=10.0.0.9 proto=TCP"}, /* flow only: attack full */
	    {180, "flow=10.0.0.9/TCP/150"},                 /* both full */
	    {150, "attack_id=9 victim=10.0.0.9 proto=UDP"}, /* another protocol */
	    {6, "flow=10.0.0.10/UDP/0"},                    /* the other, second */
	    {7, "flow=10.0.0.10/UDP/0"},                    /* the other, full */
	};
	struct bs_err err;
	for (size_t i = 0; i < sizeof offered / sizeof offered[0]; i++) {
		struct pcapng_packet pk = {.ts_us = offered[i].ts,
		                           .linktype = 101,
		                           .wirelen = 40,
		                           .caplen = sizeof bytes,
		                           .bytes = bytes,
		                           .comment = offered[i].tags};
		ck_assert_int_eq(evidence_offer(e, &pk, &err), 0);
	}
	struct pcapng_packet untagged = {.ts_us = 1, .caplen = 1, .bytes = bytes};
	ck_assert_int_eq(evidence_offer(e, &untagged, &err), -BS_EFORMAT);
	const pcapng_t *out = evidence_packets(e);
	ck_assert_uint_eq(pcapng_count(out), 5);
	char *dir = outdir_create();
	ck_assert_int_eq(pcapng_write(out, dir, "e.pcapng"), 0);
	char path[OUTDIR_PATH_LEN], section[PCAPNG_COMMENT_MAX + 1];
	snprintf(path, sizeof path, "%s/e.pcapng", dir);
	struct seen s = {0};
	ck_assert_int_eq(pcapng_read(path, section, see, &s, &err), 0);
	uint32_t n;
	ck_assert_int_eq(evidence_per_target(section, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s.n, 5);
	static const char *const want[] = {
	    "attack_id=4 victim=10.0.0.9 proto=TCP",
	    "attack_id=4 victim=10.0.0.9 proto=TCP flow=10.0.0.9/TCP/150",
	    "flow=10.0.0.10/UDP/0",
	    "flow=10.0.0.9/TCP/150",
	    "flow=10.0.0.10/UDP/0",
	};
	static const uint64_t want_ts[] = {100, 160, 5, 170, 6};
	for (size_t i = 0; i < 5; i++) {
		ck_assert_str_eq(s.comments[i], want[i]);
		ck_assert_uint_eq(s.ts[i], want_ts[i]);
	}
	evidence_free(e);
	evidence_free(NULL);
	outdir_remove(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evidence");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, packet_key_parses_what_evidence_writes);
	tcase_add_test(tc, section_records_n);
	tcase_add_test(tc, offer_keeps_the_first_n_of_each_target);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* check_classify.c - tests for the backscatter classifier: each row of the
 * table in METHOD.md section 2, its IPv6 counterparts, and the edge cases
 * decided in classify.h. Errors come first: cut and malformed packets.
 *
 * Packets are assembled from header builders so every ICMP type can be
 * combined with every quoted protocol; each builder writes a fixed layout
 * checked by hand against the RFC. Every event is checked for both ports:
 * the victim's and the attacker's (the spoofed source port: the
 * destination port of TCP backscatter, the source port of a quoted TCP or
 * UDP header). Also covers the names of event.h. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "telescope/classify.h"
#include "telescope/parse.h"

#define TS_US   1764000000123456ull /* arbitrary capture time, must survive */
#define BUF_MAX 256u

/* Addresses: a victim, a telescope address, a router in front of the victim. */
#define VICTIM  "198.51.100.7"
#define SCOPE   "44.1.2.3"
#define ROUTER  "203.0.113.1"
#define VICTIM6 "2001:db8::7"
#define SCOPE6  "2001:db8:1::3"
#define ROUTER6 "2001:db8:ffff::1"

static bs_addr_t addr(const char *text)
{
	bs_addr_t a;
	ck_assert_int_eq(bs_addr_parse(text, &a), 0);
	return a;
}

static void put16(uint8_t *b, unsigned v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* IPv4 header (IHL 5, total length 20 + plen, DF clear) and payload. */
static size_t put_ipv4(uint8_t *b, uint8_t proto, const char *src, const char *dst,
                       const uint8_t *payload, size_t plen)
{
	bs_addr_t s = addr(src), d = addr(dst);
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (unsigned)(20 + plen));
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, s.bytes, 4);
	memcpy(b + 16, d.bytes, 4);
	memcpy(b + 20, payload, plen);
	return 20 + plen;
}

/* IPv6 header with next header nh and payload. */
static size_t put_ipv6(uint8_t *b, uint8_t nh, const char *src, const char *dst,
                       const uint8_t *payload, size_t plen)
{
	bs_addr_t s = addr(src), d = addr(dst);
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, (unsigned)plen);
	b[6] = nh;
	b[7] = 64;
	memcpy(b + 8, s.bytes, 16);
	memcpy(b + 24, d.bytes, 16);
	memcpy(b + 40, payload, plen);
	return 40 + plen;
}

/* 20-byte TCP header, data offset 5. */
static size_t put_tcp(uint8_t *b, unsigned sport, unsigned dport, uint8_t flags)
{
	memset(b, 0, 20);
	put16(b, sport);
	put16(b + 2, dport);
	b[12] = 0x50;
	b[13] = flags;
	return 20;
}

static size_t put_udp(uint8_t *b, unsigned sport, unsigned dport)
{
	memset(b, 0, 8);
	put16(b, sport);
	put16(b + 2, dport);
	put16(b + 4, 8);
	return 8;
}

/* ICMP or ICMPv6 header (8 bytes, rest-of-header zero) and body. */
static size_t put_icmp(uint8_t *b, uint8_t type, uint8_t code, const uint8_t *body, size_t blen)
{
	memset(b, 0, 8);
	b[0] = type;
	b[1] = code;
	if (blen > 0)
		memcpy(b + 8, body, blen);
	return 8 + blen;
}

/* The attack packet a victim answers, as an ICMP error quotes it: an IP
 * header from the spoofed telescope address to the victim plus the first 8
 * bytes of its transport header, the header claiming 100 bytes more than
 * is quoted. Attacker ports: TCP 40000, UDP 40001. */
static size_t put_quote(uint8_t *b, int version, uint8_t proto, const char *victim)
{
	uint8_t l4[20];
	size_t n;
	switch (proto) {
	case PARSE_PROTO_TCP:
		put_tcp(l4, 40000, 80, PARSE_TCP_SYN);
		break;
	case PARSE_PROTO_UDP:
		put_udp(l4, 40001, 53);
		break;
	default: /* ICMP or ICMPv6 echo request */
		put_icmp(l4, version == 4 ? 8 : 128, 0, NULL, 0);
		break;
	}
	if (version == 4) {
		n = put_ipv4(b, proto, SCOPE, victim, l4, 8);
		put16(b + 2, (unsigned)n + 100);
	} else {
		n = put_ipv6(b, proto, SCOPE6, victim, l4, 8);
		put16(b + 4, 8 + 100);
	}
	return n;
}

/* Classifies with *ev full of garbage except the time, which must survive. */
static int run(const uint8_t *b, size_t n, uint16_t ethertype, struct bs_event *ev)
{
	memset(ev, 0xa5, sizeof *ev);
	ev->ts_us = TS_US;
	int rc = classify_packet(b, n, ethertype, ev);
	ck_assert_uint_eq(ev->ts_us, TS_US);
	if (rc != CLASSIFY_BACKSCATTER) {
		struct bs_event zero;
		memset(&zero, 0, sizeof zero);
		zero.ts_us = TS_US;
		ck_assert_mem_eq(ev, &zero, sizeof zero);
	}
	return rc;
}

struct want {
	const char *victim, *responder, *dst;
	uint8_t proto, response, flags;
	int port;  /* victim port, -1: none */
	int aport; /* attacker port, -1: none */
};

static void check_event(const struct bs_event *ev, const struct want *w)
{
	bs_addr_t victim = addr(w->victim), responder = addr(w->responder), dst = addr(w->dst);
	/* Whole-struct compare: zero-filled, so it hashes as bytes. */
	ck_assert_mem_eq(&ev->victim, &victim, sizeof victim);
	ck_assert_mem_eq(&ev->responder, &responder, sizeof responder);
	ck_assert_mem_eq(&ev->dst, &dst, sizeof dst);
	ck_assert_str_eq(bs_proto_name(ev->proto), bs_proto_name(w->proto));
	ck_assert_str_eq(bs_response_name(ev->response), bs_response_name(w->response));
	ck_assert_uint_eq(ev->flags, w->flags | (w->port >= 0 ? BS_EV_HAS_PORT : 0) |
	                                 (w->aport >= 0 ? BS_EV_HAS_APORT : 0));
	ck_assert_uint_eq(ev->port, w->port >= 0 ? (unsigned)w->port : 0);
	ck_assert_uint_eq(ev->aport, w->aport >= 0 ? (unsigned)w->aport : 0);
}

/* IPv4 TCP segment from VICTIM:80 to SCOPE:40000 with the given flags:
 * 40000 is the port the attacker spoofed. */
static size_t v4_tcp(uint8_t *b, uint8_t flags)
{
	uint8_t tcp[20];
	put_tcp(tcp, 80, 40000, flags);
	return put_ipv4(b, PARSE_PROTO_TCP, VICTIM, SCOPE, tcp, sizeof tcp);
}

static size_t v6_tcp(uint8_t *b, uint8_t flags)
{
	uint8_t tcp[20];
	put_tcp(tcp, 443, 40000, flags);
	return put_ipv6(b, PARSE_PROTO_TCP, VICTIM6, SCOPE6, tcp, sizeof tcp);
}

/* An ICMP error of the outer version from src, quoting an attack packet of
 * protocol qproto to the victim. */
static size_t icmp_error(uint8_t *b, int version, uint8_t type, const char *src, uint8_t qproto)
{
	uint8_t quote[BUF_MAX], icmp[BUF_MAX];
	size_t qn = put_quote(quote, version, qproto, version == 4 ? VICTIM : VICTIM6);
	size_t in = put_icmp(icmp, type, 0, quote, qn);
	return version == 4 ? put_ipv4(b, PARSE_PROTO_ICMP, src, SCOPE, icmp, in)
	                    : put_ipv6(b, PARSE_PROTO_ICMPV6, src, SCOPE6, icmp, in);
}

/* Cuts each packet at every length into an exact-size heap copy (ASan sees
 * over-reads) and checks the outcome expected at that length. */
START_TEST(cut_tcp_at_every_length)
{
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	size_t n = v4_tcp(b, PARSE_TCP_SYN | PARSE_TCP_ACK);
	for (size_t len = 0; len <= n; len++) {
		uint8_t *c = malloc(len ? len : 1);
		memcpy(c, b, len);
		int rc = run(c, len, CLASSIFY_ETHERTYPE_IPV4, &ev);
		ck_assert_int_eq(rc,
		                 len < 20 + PARSE_TCP_MIN_LEN ? -BS_ETRUNC : CLASSIFY_BACKSCATTER);
		free(c);
	}
	n = v6_tcp(b, PARSE_TCP_RST);
	for (size_t len = 0; len <= n; len++) {
		uint8_t *c = malloc(len ? len : 1);
		memcpy(c, b, len);
		int rc = run(c, len, CLASSIFY_ETHERTYPE_IPV6, &ev);
		ck_assert_int_eq(rc,
		                 len < 40 + PARSE_TCP_MIN_LEN ? -BS_ETRUNC : CLASSIFY_BACKSCATTER);
		free(c);
	}
}
END_TEST

START_TEST(cut_icmp_error_at_every_length)
{
	const int version = _i == 0 ? 4 : 6;
	const size_t iph = version == 4 ? 20 : 40;
	const char *victim = version == 4 ? VICTIM : VICTIM6;
	const char *scope = version == 4 ? SCOPE : SCOPE6;
	const char *router = version == 4 ? ROUTER : ROUTER6;
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	size_t n = icmp_error(b, version, version == 4 ? 3 : 1, router, PARSE_PROTO_UDP);
	for (size_t len = 0; len <= n; len++) {
		uint8_t *c = malloc(len ? len : 1);
		memcpy(c, b, len);
		int rc = run(c, len,
		             version == 4 ? CLASSIFY_ETHERTYPE_IPV4 : CLASSIFY_ETHERTYPE_IPV6, &ev);
		size_t quoted = len > iph + 8 ? len - iph - 8 : 0;
		if (len < iph + PARSE_ICMP_MIN_LEN) {
			ck_assert_int_eq(rc, -BS_ETRUNC);
		} else if (quoted < iph) { /* no usable quote: outer source */
			ck_assert_int_eq(rc, CLASSIFY_BACKSCATTER);
			ck_assert_uint_eq(ev.flags, BS_EV_QUOTE_SHORT);
			ck_assert_int_eq(bs_addr_cmp(&ev.victim, &ev.responder), 0);
			ck_assert_uint_eq(ev.proto, BS_PROTO_ICMP);
		} else { /* quoted victim; its port once 4 bytes are quoted */
			ck_assert_int_eq(rc, CLASSIFY_BACKSCATTER);
			bs_addr_t v = addr(victim);
			ck_assert_int_eq(bs_addr_cmp(&ev.victim, &v), 0);
			ck_assert_uint_eq(ev.proto, BS_PROTO_UDP);
			bool port = quoted >= iph + PARSE_PORTS_LEN;
			ck_assert_uint_eq(ev.flags,
			                  BS_EV_MISMATCH |
			                      (port ? BS_EV_HAS_PORT | BS_EV_HAS_APORT : 0));
			ck_assert_uint_eq(ev.port, port ? 53 : 0);
			ck_assert_uint_eq(ev.aport, port ? 40001 : 0);
		}
		if (rc == CLASSIFY_BACKSCATTER) {
			bs_addr_t d = addr(scope);
			ck_assert_int_eq(bs_addr_cmp(&ev.dst, &d), 0);
		}
		free(c);
	}
}
END_TEST

START_TEST(not_ip)
{
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	size_t n = v4_tcp(b, PARSE_TCP_RST);
	ck_assert_int_eq(run(b, n, 0x0806, &ev), CLASSIFY_NOT_IP); /* ARP */
	ck_assert_int_eq(run(b, n, 0x8100, &ev), CLASSIFY_NOT_IP); /* VLAN tag left on */
	ck_assert_int_eq(run(NULL, 0, 0x0806, &ev), CLASSIFY_NOT_IP);
}
END_TEST

START_TEST(ethertype_contradicts_version)
{
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	size_t n = v4_tcp(b, PARSE_TCP_RST);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), -BS_EMALFORMED);
	n = v6_tcp(b, PARSE_TCP_RST);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), -BS_EMALFORMED);
}
END_TEST

START_TEST(malformed_headers)
{
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	size_t n = v4_tcp(b, PARSE_TCP_SYN | PARSE_TCP_ACK);
	b[0] = 0x44; /* IHL 4 */
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), -BS_EMALFORMED);
	b[0] = 0x45;
	put16(b + 2, 19); /* total length below IHL */
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), -BS_EMALFORMED);
	/* Fully captured, but the IP length leaves 10 bytes for TCP. */
	put16(b + 2, 30);
	ck_assert_int_eq(run(b, 30, CLASSIFY_ETHERTYPE_IPV4, &ev), -BS_EMALFORMED);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), -BS_EMALFORMED);
	put16(b + 2, (unsigned)n);
	b[32] = 0x40; /* TCP data offset 4 */
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), -BS_EMALFORMED);

	/* ICMP message of 3 bytes within a 23-byte IP packet. */
	uint8_t icmp[3] = {0, 0, 0};
	n = put_ipv4(b, PARSE_PROTO_ICMP, VICTIM, SCOPE, icmp, sizeof icmp);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), -BS_EMALFORMED);
}
END_TEST

START_TEST(fragments)
{
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	size_t n = v4_tcp(b, PARSE_TCP_SYN | PARSE_TCP_ACK);
	b[6] = 0x20; /* MF, offset 0: first fragment, classified */
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM, VICTIM, SCOPE, BS_PROTO_TCP, BS_RESP_TCP_SYNACK, 0,
	                                80, 40000});
	b[7] = 0xb9; /* offset 185: no transport header */
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_FRAGMENT);
	b[6] = 0x00; /* last fragment */
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_FRAGMENT);

	/* IPv6: fragment header, then a SYN+ACK or later data. */
	uint8_t frag[8 + 20] = {PARSE_PROTO_TCP, 0, 0x00, 0x01, 0, 0, 0, 7};
	put_tcp(frag + 8, 443, 40000, PARSE_TCP_SYN | PARSE_TCP_ACK);
	n = put_ipv6(b, 44, VICTIM6, SCOPE6, frag, sizeof frag);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM6, VICTIM6, SCOPE6, BS_PROTO_TCP, BS_RESP_TCP_SYNACK,
	                                0, 443, 40000});
	b[42] = 0x05; /* offset 1280 */
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_FRAGMENT);
}
END_TEST

/* All 64 combinations of FIN SYN RST PSH ACK URG: backscatter exactly when
 * RST is set (TCP_RST) or SYN and ACK are (TCP_SYNACK). */
START_TEST(tcp_flag_combinations)
{
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	for (unsigned f = 0; f < 64; f++) {
		bool rst = f & PARSE_TCP_RST;
		bool synack = (f & PARSE_TCP_SYN) && (f & PARSE_TCP_ACK);
		for (int version = 4; version <= 6; version += 2) {
			size_t n = version == 4 ? v4_tcp(b, (uint8_t)f) : v6_tcp(b, (uint8_t)f);
			int rc = run(
			    b, n, version == 4 ? CLASSIFY_ETHERTYPE_IPV4 : CLASSIFY_ETHERTYPE_IPV6,
			    &ev);
			if (!rst && !synack) {
				ck_assert_msg(rc == CLASSIFY_NOT_BACKSCATTER, "flags 0x%02x", f);
				continue;
			}
			ck_assert_msg(rc == CLASSIFY_BACKSCATTER, "flags 0x%02x", f);
			ck_assert_uint_eq(ev.response, rst ? BS_RESP_TCP_RST : BS_RESP_TCP_SYNACK);
			ck_assert_uint_eq(ev.proto, BS_PROTO_TCP);
		}
	}
}
END_TEST

START_TEST(tcp_synack_and_rst)
{
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	size_t n = v4_tcp(b, PARSE_TCP_SYN | PARSE_TCP_ACK);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM, VICTIM, SCOPE, BS_PROTO_TCP, BS_RESP_TCP_SYNACK, 0,
	                                80, 40000});
	ck_assert_uint_eq(ev.ip_len, 40);

	n = v4_tcp(b, PARSE_TCP_RST | PARSE_TCP_ACK);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM, VICTIM, SCOPE, BS_PROTO_TCP, BS_RESP_TCP_RST, 0, 80,
	                                40000});

	n = v6_tcp(b, PARSE_TCP_SYN | PARSE_TCP_ACK);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM6, VICTIM6, SCOPE6, BS_PROTO_TCP, BS_RESP_TCP_SYNACK,
	                                0, 443, 40000});
	ck_assert_uint_eq(ev.ip_len, 60);
}
END_TEST

START_TEST(ip_len_is_claimed_length)
{
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	size_t n = v4_tcp(b, PARSE_TCP_RST);
	memset(b + n, 0, 20); /* Ethernet padding is not counted */
	ck_assert_int_eq(run(b, n + 20, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	ck_assert_uint_eq(ev.ip_len, 40);
	put16(b + 2, 1500); /* a snap length does not shrink it */
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	ck_assert_uint_eq(ev.ip_len, 1500);

	n = v6_tcp(b, PARSE_TCP_RST);
	put16(b + 4, 1460);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_BACKSCATTER);
	ck_assert_uint_eq(ev.ip_len, 1500);
}
END_TEST

START_TEST(tcp_with_ipv6_ext_headers)
{
	uint8_t b[BUF_MAX], pl[16 + 20];
	struct bs_event ev;
	memset(pl, 0, sizeof pl);
	pl[0] = 60; /* hop-by-hop -> destination options -> TCP */
	pl[8] = PARSE_PROTO_TCP;
	put_tcp(pl + 16, 443, 40000, PARSE_TCP_RST);
	size_t n = put_ipv6(b, 0, VICTIM6, SCOPE6, pl, sizeof pl);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM6, VICTIM6, SCOPE6, BS_PROTO_TCP, BS_RESP_TCP_RST, 0,
	                                443, 40000});
}
END_TEST

START_TEST(icmp_replies)
{
	static const struct {
		int version;
		uint8_t type, response;
	} cases[] = {
	    {4, 0, BS_RESP_ICMP_ECHO_REPLY},    {4, 14, BS_RESP_ICMP_TSTAMP_REPLY},
	    {4, 16, BS_RESP_ICMP_INFO_REPLY},   {4, 18, BS_RESP_ICMP_MASK_REPLY},
	    {6, 129, BS_RESP_ICMP6_ECHO_REPLY},
	};
	uint8_t b[BUF_MAX], icmp[BUF_MAX], body[12] = {0};
	struct bs_event ev;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool v4 = cases[i].version == 4;
		size_t in = put_icmp(icmp, cases[i].type, 0, body, sizeof body);
		size_t n = v4 ? put_ipv4(b, PARSE_PROTO_ICMP, VICTIM, SCOPE, icmp, in)
		              : put_ipv6(b, PARSE_PROTO_ICMPV6, VICTIM6, SCOPE6, icmp, in);
		ck_assert_int_eq(
		    run(b, n, v4 ? CLASSIFY_ETHERTYPE_IPV4 : CLASSIFY_ETHERTYPE_IPV6, &ev),
		    CLASSIFY_BACKSCATTER);
		const char *victim = v4 ? VICTIM : VICTIM6, *scope = v4 ? SCOPE : SCOPE6;
		check_event(&ev, &(struct want){victim, victim, scope, BS_PROTO_ICMP,
		                                cases[i].response, 0, -1, -1});
	}
	/* A reply needs only type and code. */
	put_icmp(icmp, 0, 0, NULL, 0);
	size_t n = put_ipv4(b, PARSE_PROTO_ICMP, VICTIM, SCOPE, icmp, PARSE_ICMP_MIN_LEN);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
}
END_TEST

/* Every ICMP error type, each quoting TCP, UDP and ICMP, sent by the victim
 * itself (no mismatch) and by a router (mismatch, responder kept). */
START_TEST(icmp_errors)
{
	static const struct {
		int version;
		uint8_t type, response;
	} types[] = {
	    {4, 3, BS_RESP_ICMP_UNREACH},        {4, 4, BS_RESP_ICMP_SOURCE_QUENCH},
	    {4, 5, BS_RESP_ICMP_REDIRECT},       {4, 11, BS_RESP_ICMP_TIME_EXCEEDED},
	    {4, 12, BS_RESP_ICMP_PARAM_PROBLEM}, {6, 1, BS_RESP_ICMP6_UNREACH},
	    {6, 2, BS_RESP_ICMP6_TOO_BIG},       {6, 3, BS_RESP_ICMP6_TIME_EXCEEDED},
	    {6, 4, BS_RESP_ICMP6_PARAM_PROBLEM},
	};
	static const struct {
		uint8_t proto4, proto6, attack;
		int port, aport;
	} quoted[] = {
	    {PARSE_PROTO_TCP, PARSE_PROTO_TCP, BS_PROTO_TCP, 80, 40000},
	    {PARSE_PROTO_UDP, PARSE_PROTO_UDP, BS_PROTO_UDP, 53, 40001},
	    {PARSE_PROTO_ICMP, PARSE_PROTO_ICMPV6, BS_PROTO_ICMP, -1, -1},
	};
	uint8_t b[BUF_MAX];
	struct bs_event ev;
	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
		int version = types[t].version;
		bool v4 = version == 4;
		const char *victim = v4 ? VICTIM : VICTIM6, *scope = v4 ? SCOPE : SCOPE6;
		const char *router = v4 ? ROUTER : ROUTER6;
		uint16_t et = v4 ? CLASSIFY_ETHERTYPE_IPV4 : CLASSIFY_ETHERTYPE_IPV6;
		for (size_t q = 0; q < sizeof quoted / sizeof quoted[0]; q++) {
			uint8_t qp = v4 ? quoted[q].proto4 : quoted[q].proto6;
			size_t n = icmp_error(b, version, types[t].type, victim, qp);
			ck_assert_int_eq(run(b, n, et, &ev), CLASSIFY_BACKSCATTER);
			check_event(&ev, &(struct want){victim, victim, scope, quoted[q].attack,
			                                types[t].response, 0, quoted[q].port,
			                                quoted[q].aport});

			n = icmp_error(b, version, types[t].type, router, qp);
			ck_assert_int_eq(run(b, n, et, &ev), CLASSIFY_BACKSCATTER);
			check_event(&ev, &(struct want){victim, router, scope, quoted[q].attack,
			                                types[t].response, BS_EV_MISMATCH,
			                                quoted[q].port, quoted[q].aport});
		}
	}
}
END_TEST

START_TEST(icmp_error_short_quote_falls_back)
{
	uint8_t b[BUF_MAX], icmp[BUF_MAX], quote[BUF_MAX];
	struct bs_event ev;
	const struct want fallback = {
	    ROUTER, ROUTER, SCOPE, BS_PROTO_ICMP, BS_RESP_ICMP_UNREACH, BS_EV_QUOTE_SHORT, -1, -1};

	/* 12 bytes of a quoted header. */
	size_t qn = put_quote(quote, 4, PARSE_PROTO_TCP, VICTIM);
	size_t in = put_icmp(icmp, 3, 1, quote, 12);
	size_t n = put_ipv4(b, PARSE_PROTO_ICMP, ROUTER, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &fallback);

	/* No quote at all: a bare 8-byte ICMP header. */
	in = put_icmp(icmp, 3, 1, NULL, 0);
	n = put_ipv4(b, PARSE_PROTO_ICMP, ROUTER, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &fallback);

	/* A malformed quote (IHL 4). */
	quote[0] = 0x44;
	in = put_icmp(icmp, 3, 1, quote, qn);
	n = put_ipv4(b, PARSE_PROTO_ICMP, ROUTER, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &fallback);

	/* ICMPv4 quoting IPv6, and ICMPv6 quoting IPv4. */
	qn = put_quote(quote, 6, PARSE_PROTO_TCP, VICTIM6);
	in = put_icmp(icmp, 3, 1, quote, qn);
	n = put_ipv4(b, PARSE_PROTO_ICMP, ROUTER, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &fallback);
	qn = put_quote(quote, 4, PARSE_PROTO_TCP, VICTIM);
	in = put_icmp(icmp, 1, 4, quote, qn);
	n = put_ipv6(b, PARSE_PROTO_ICMPV6, ROUTER6, SCOPE6, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){ROUTER6, ROUTER6, SCOPE6, BS_PROTO_ICMP,
	                                BS_RESP_ICMP6_UNREACH, BS_EV_QUOTE_SHORT, -1, -1});
}
END_TEST

START_TEST(icmp_error_quote_without_port)
{
	uint8_t b[BUF_MAX], icmp[BUF_MAX], quote[BUF_MAX];
	struct bs_event ev;

	/* IP header and 2 bytes of TCP: the victim is known, its port is not,
	 * and neither is the attacker's, which those 2 bytes hold: a port
	 * counts only with both. */
	put_quote(quote, 4, PARSE_PROTO_TCP, VICTIM);
	size_t in = put_icmp(icmp, 11, 0, quote, 22);
	size_t n = put_ipv4(b, PARSE_PROTO_ICMP, ROUTER, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM, ROUTER, SCOPE, BS_PROTO_TCP,
	                                BS_RESP_ICMP_TIME_EXCEEDED, BS_EV_MISMATCH, -1, -1});
	/* 4 bytes: both ports. */
	in = put_icmp(icmp, 11, 0, quote, 24);
	n = put_ipv4(b, PARSE_PROTO_ICMP, ROUTER, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM, ROUTER, SCOPE, BS_PROTO_TCP,
	                                BS_RESP_ICMP_TIME_EXCEEDED, BS_EV_MISMATCH, 80, 40000});

	/* A quoted later fragment has no ports even with bytes to spare. */
	size_t qn = put_quote(quote, 4, PARSE_PROTO_UDP, VICTIM);
	quote[7] = 0x10;
	in = put_icmp(icmp, 3, 3, quote, qn);
	n = put_ipv4(b, PARSE_PROTO_ICMP, VICTIM, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM, VICTIM, SCOPE, BS_PROTO_UDP, BS_RESP_ICMP_UNREACH,
	                                0, -1, -1});

	/* Another protocol (GRE) is OTHER and portless. */
	qn = put_quote(quote, 4, 47, VICTIM);
	in = put_icmp(icmp, 3, 2, quote, qn);
	n = put_ipv4(b, PARSE_PROTO_ICMP, VICTIM, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){VICTIM, VICTIM, SCOPE, BS_PROTO_OTHER, BS_RESP_ICMP_UNREACH,
	                                0, -1, -1});
}
END_TEST

/* An error quoting an ICMP error is not followed: the quoted ICMP names
 * the protocol, and the victim is the first quote's destination. */
START_TEST(icmp_quote_depth_is_one)
{
	uint8_t b[BUF_MAX], inner[BUF_MAX], icmp[BUF_MAX];
	struct bs_event ev;
	size_t n = icmp_error(inner, 4, 3, VICTIM, PARSE_PROTO_TCP); /* victim -> scope */
	/* Router's time-exceeded quoting that whole error, addressed back. */
	size_t in = put_icmp(icmp, 11, 0, inner, n);
	n = put_ipv4(b, PARSE_PROTO_ICMP, ROUTER, SCOPE, icmp, in);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_BACKSCATTER);
	check_event(&ev, &(struct want){SCOPE, ROUTER, SCOPE, BS_PROTO_ICMP,
	                                BS_RESP_ICMP_TIME_EXCEEDED, BS_EV_MISMATCH, -1, -1});
}
END_TEST

START_TEST(not_backscatter)
{
	static const uint8_t tcp_flags[] = {
	    PARSE_TCP_SYN,
	    PARSE_TCP_ACK,
	    PARSE_TCP_FIN | PARSE_TCP_ACK,
	    PARSE_TCP_PSH | PARSE_TCP_ACK,
	    0 /* NULL scan */,
	    PARSE_TCP_FIN | PARSE_TCP_PSH | PARSE_TCP_URG /* Xmas */,
	};
	static const uint8_t icmp4_types[] = {8, 13, 15, 17, 9, 10, 6, 30, 255};
	static const uint8_t icmp6_types[] = {128, 133, 134, 135, 136, 0, 5, 127};
	uint8_t b[BUF_MAX], pl[BUF_MAX];
	struct bs_event ev;
	size_t n;

	for (size_t i = 0; i < sizeof tcp_flags; i++) {
		n = v4_tcp(b, tcp_flags[i]);
		ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_NOT_BACKSCATTER);
		n = v6_tcp(b, tcp_flags[i]);
		ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_NOT_BACKSCATTER);
	}
	n = put_ipv4(b, PARSE_PROTO_UDP, VICTIM, SCOPE, pl, put_udp(pl, 53, 40000));
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_NOT_BACKSCATTER);
	n = put_ipv6(b, PARSE_PROTO_UDP, VICTIM6, SCOPE6, pl, put_udp(pl, 53, 40000));
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_NOT_BACKSCATTER);
	for (size_t i = 0; i < sizeof icmp4_types; i++) {
		n = put_ipv4(b, PARSE_PROTO_ICMP, VICTIM, SCOPE, pl,
		             put_icmp(pl, icmp4_types[i], 0, NULL, 0));
		ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_NOT_BACKSCATTER);
	}
	for (size_t i = 0; i < sizeof icmp6_types; i++) {
		n = put_ipv6(b, PARSE_PROTO_ICMPV6, VICTIM6, SCOPE6, pl,
		             put_icmp(pl, icmp6_types[i], 0, NULL, 0));
		ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_NOT_BACKSCATTER);
	}
	/* ICMP types are per IP version: an echo reply in the wrong one. */
	n = put_ipv6(b, PARSE_PROTO_ICMP, VICTIM6, SCOPE6, pl, put_icmp(pl, 0, 0, NULL, 0));
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_NOT_BACKSCATTER);
	n = put_ipv4(b, PARSE_PROTO_ICMPV6, VICTIM, SCOPE, pl, put_icmp(pl, 129, 0, NULL, 0));
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_NOT_BACKSCATTER);
	/* Other protocols, even cut to nothing after the IP header. */
	n = put_ipv4(b, 2 /* IGMP */, VICTIM, SCOPE, pl, 0);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV4, &ev), CLASSIFY_NOT_BACKSCATTER);
	n = put_ipv6(b, 59 /* no next header */, VICTIM6, SCOPE6, pl, 0);
	ck_assert_int_eq(run(b, n, CLASSIFY_ETHERTYPE_IPV6, &ev), CLASSIFY_NOT_BACKSCATTER);
}
END_TEST

START_TEST(names)
{
	static const char *const resp[BS_RESP_COUNT] = {
	    "TCP_SYNACK",          "TCP_RST",
	    "ICMP_ECHO_REPLY",     "ICMP_UNREACH",
	    "ICMP_SOURCE_QUENCH",  "ICMP_REDIRECT",
	    "ICMP_TIME_EXCEEDED",  "ICMP_PARAM_PROBLEM",
	    "ICMP_TSTAMP_REPLY",   "ICMP_INFO_REPLY",
	    "ICMP_MASK_REPLY",     "ICMP6_UNREACH",
	    "ICMP6_TOO_BIG",       "ICMP6_TIME_EXCEEDED",
	    "ICMP6_PARAM_PROBLEM", "ICMP6_ECHO_REPLY",
	};
	for (int i = 0; i < BS_RESP_COUNT; i++)
		ck_assert_str_eq(bs_response_name(i), resp[i]);
	ck_assert_str_eq(bs_response_name(BS_RESP_COUNT), "UNKNOWN");
	ck_assert_str_eq(bs_response_name(-1), "UNKNOWN");
	ck_assert_str_eq(bs_proto_name(BS_PROTO_TCP), "TCP");
	ck_assert_str_eq(bs_proto_name(BS_PROTO_UDP), "UDP");
	ck_assert_str_eq(bs_proto_name(BS_PROTO_ICMP), "ICMP");
	ck_assert_str_eq(bs_proto_name(BS_PROTO_OTHER), "OTHER");
	ck_assert_str_eq(bs_proto_name(BS_PROTO_COUNT), "UNKNOWN");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("errors");
	tcase_add_test(tc, cut_tcp_at_every_length);
	tcase_add_loop_test(tc, cut_icmp_error_at_every_length, 0, 2);
	tcase_add_test(tc, not_ip);
	tcase_add_test(tc, ethertype_contradicts_version);
	tcase_add_test(tc, malformed_headers);
	tcase_add_test(tc, fragments);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_test(tc, tcp_flag_combinations);
	tcase_add_test(tc, tcp_synack_and_rst);
	tcase_add_test(tc, ip_len_is_claimed_length);
	tcase_add_test(tc, tcp_with_ipv6_ext_headers);
	suite_add_tcase(s, tc);

	tc = tcase_create("icmp");
	tcase_add_test(tc, icmp_replies);
	tcase_add_test(tc, icmp_errors);
	tcase_add_test(tc, icmp_error_short_quote_falls_back);
	tcase_add_test(tc, icmp_error_quote_without_port);
	tcase_add_test(tc, icmp_quote_depth_is_one);
	suite_add_tcase(s, tc);

	tc = tcase_create("other");
	tcase_add_test(tc, not_backscatter);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

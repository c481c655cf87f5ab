/* check_parse.c - tests for the bounds-checked header parsers.
 *
 * Truncation comes first: every sample is cut at every length and parsed
 * from a heap copy of exactly that many bytes, so a read past the end shows
 * up under AddressSanitizer. Then malformed headers, padding, IPv6
 * extension chains, fragments, and the transport parsers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "telescope/parse.h"

/* Byte arrays laid out by header field, so clang-format stays off them. */
/* clang-format off */

/* IPv4 198.51.100.7 -> 44.1.2.3, TCP 80 -> 54321 SYN+ACK. */
static const uint8_t v4_synack[] = {
	0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, /* IPv4, tot 40 */
	0x40, 0x06, 0x00, 0x00,                         /* TCP */
	198, 51, 100, 7,                                /* src */
	44, 1, 2, 3,                                    /* dst */
	0x00, 0x50, 0xd4, 0x31,                         /* TCP 80 -> 54321 */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
	0x50, 0x12, 0x72, 0x10,                         /* doff 5, SYN|ACK */
	0x00, 0x00, 0x00, 0x00,
};

/* IPv4 with 4 bytes of options (IHL 6), TCP RST. */
static const uint8_t v4_opts_rst[] = {
	0x46, 0x00, 0x00, 0x2c, 0x00, 0x01, 0x00, 0x00, /* IHL 6, tot 44 */
	0x40, 0x06, 0x00, 0x00,
	198, 51, 100, 7,
	44, 1, 2, 3,
	0x01, 0x01, 0x01, 0x00,                         /* NOP NOP NOP EOL */
	0x00, 0x50, 0xd4, 0x31,                         /* TCP */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x50, 0x04, 0x00, 0x00,                         /* RST */
	0x00, 0x00, 0x00, 0x00,
};

/* ICMP port unreachable from 198.51.100.7 quoting a UDP packet 44.1.2.3:12345
 * -> 198.51.100.7:53 whose header claims 60 bytes; 28 are quoted. */
static const uint8_t v4_unreach_udp[] = {
	0x45, 0x00, 0x00, 0x38, 0x00, 0x01, 0x00, 0x00, /* tot 56 */
	0x40, 0x01, 0x00, 0x00,                         /* ICMP */
	198, 51, 100, 7,
	44, 1, 2, 3,
	0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* type 3 code 3 */
	0x45, 0x00, 0x00, 0x3c, 0xab, 0xcd, 0x00, 0x00, /* quote: tot 60 */
	0x40, 0x11, 0x00, 0x00,                         /* UDP */
	44, 1, 2, 3,
	198, 51, 100, 7,
	0x30, 0x39, 0x00, 0x35, 0x00, 0x28, 0x00, 0x00, /* 12345 -> 53 */
};

/* IPv6 2001:db8::7 -> 2001:db8:1::3 with hop-by-hop, routing (24 bytes) and
 * destination options before TCP SYN+ACK; payload length 60. */
static const uint8_t v6_ext_tcp[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x40, /* plen 60, next hop-by-hop */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,             /* src */
	0, 0, 0, 0, 0, 0, 0, 0x07,
	0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,             /* dst */
	0, 0, 0, 0, 0, 0, 0, 0x03,
	0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* hop-by-hop -> routing, PadN */
	0x3c, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* routing -> dstopts, 24 bytes */
	0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	0x06, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* dstopts -> TCP */
	0x00, 0x50, 0xd4, 0x31,                         /* TCP 80 -> 54321 */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
	0x50, 0x12, 0x72, 0x10,                         /* SYN|ACK */
	0x00, 0x00, 0x00, 0x00,
};

/* IPv6 non-first fragment (offset 1480 bytes) of a TCP packet. */
static const uint8_t v6_frag_later[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x2c, 0x40, /* plen 24, next fragment */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,             /* src */
	0, 0, 0, 0, 0, 0, 0, 0x07,
	0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,             /* dst */
	0, 0, 0, 0, 0, 0, 0, 0x03,
	0x06, 0x00, 0x05, 0xc8, 0x00, 0x00, 0x00, 0x01, /* -> TCP, offset 185 units, M=0 */
	1, 2, 3, 4, 5, 6, 7, 8,                         /* fragment data */
	9, 10, 11, 12, 13, 14, 15, 16,
};

/* clang-format on */

static const struct sample {
	const char *name;
	const uint8_t *bytes;
	size_t len;
} samples[] = {
    {"v4_synack", v4_synack, sizeof v4_synack},
    {"v4_opts_rst", v4_opts_rst, sizeof v4_opts_rst},
    {"v4_unreach_udp", v4_unreach_udp, sizeof v4_unreach_udp},
    {"v6_ext_tcp", v6_ext_tcp, sizeof v6_ext_tcp},
    {"v6_frag_later", v6_frag_later, sizeof v6_frag_later},
};

static int parse_ip(const uint8_t *p, size_t len, struct ip_view *v)
{
	return len > 0 && p[0] >> 4 == 6 ? parse_ipv6(p, len, v) : parse_ipv4(p, len, v);
}

/* A heap copy of the first n bytes, so ASan sees any read beyond them. */
static uint8_t *cut_copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(c);
	memcpy(c, p, n);
	return c;
}

static bool is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* Parses transport and quote of a view the way classify does; every
 * failure must be "truncated", since the sample was valid before the cut. */
static void parse_upper(const struct ip_view *v, const char *name, size_t n)
{
	struct tcp_view t;
	struct icmp_view icmp;
	struct ip_view q;
	struct ports_view ports;
	int rc;

	if (v->frag_later)
		return;
	switch (v->proto) {
	case PARSE_PROTO_TCP:
		rc = parse_tcp(v->l4, v->l4_len, &t);
		ck_assert_msg(rc == 0 || (rc == -BS_ETRUNC && is_zero(&t, sizeof t)), "%s/%zu",
		              name, n);
		break;
	case PARSE_PROTO_ICMP:
		rc = parse_icmp(v->l4, v->l4_len, &icmp);
		ck_assert_msg(rc == 0 || rc == -BS_ETRUNC, "%s/%zu", name, n);
		if (rc < 0)
			break;
		rc = parse_ipv4(icmp.quote, icmp.quote_len, &q);
		ck_assert_msg(rc == 0 || (rc == -BS_ETRUNC && is_zero(&q, sizeof q)), "%s/%zu",
		              name, n);
		if (rc == 0) {
			rc = parse_ports(q.l4, q.l4_len, &ports);
			ck_assert_msg(rc == 0 || rc == -BS_ETRUNC, "%s/%zu", name, n);
		}
		break;
	default:
		ck_abort_msg("%s: unexpected protocol %u", name, v->proto);
	}
}

START_TEST(cut_at_every_length)
{
	const struct sample *s = &samples[_i];
	struct ip_view full;
	ck_assert_int_eq(parse_ip(s->bytes, s->len, &full), 0);
	ck_assert(!full.cut);

	for (size_t n = 0; n <= s->len; n++) {
		uint8_t *c = cut_copy(s->bytes, n);
		struct ip_view v;
		int rc = parse_ip(c, n, &v);
		if (rc < 0) {
			ck_assert_msg(rc == -BS_ETRUNC, "%s cut at %zu: %d", s->name, n, rc);
			ck_assert(is_zero(&v, sizeof v));
		} else {
			/* Same header as uncut; payload within the copy. */
			ck_assert(v.l4 >= c && v.l4 <= c + n);
			ck_assert_uint_eq(v.l4_len, (size_t)(c + n - v.l4));
			ck_assert_uint_eq(v.cut, n < s->len);
			ck_assert_uint_eq(v.tot_len, full.tot_len);
			ck_assert_uint_eq(v.proto, full.proto);
			ck_assert_uint_eq(v.frag_later, full.frag_later);
			bs_addr_t a, b;
			parse_ip_src(&v, &a);
			parse_ip_src(&full, &b);
			ck_assert_int_eq(bs_addr_cmp(&a, &b), 0);
			parse_ip_dst(&v, &a);
			parse_ip_dst(&full, &b);
			ck_assert_int_eq(bs_addr_cmp(&a, &b), 0);
			parse_upper(&v, s->name, n);
		}
		free(c);
	}
}
END_TEST

START_TEST(v4_bad_version)
{
	uint8_t b[sizeof v4_synack];
	struct ip_view v;
	memcpy(b, v4_synack, sizeof b);
	b[0] = 0x65;
	ck_assert_int_eq(parse_ipv4(b, sizeof b, &v), -BS_EMALFORMED);
	ck_assert_int_eq(parse_ipv4(b, 1, &v), -BS_EMALFORMED);
	ck_assert_int_eq(parse_ipv6(v4_synack, sizeof v4_synack, &v), -BS_EMALFORMED);
	ck_assert(is_zero(&v, sizeof v));
}
END_TEST

START_TEST(v4_ihl_below_five)
{
	uint8_t b[sizeof v4_synack];
	struct ip_view v;
	memcpy(b, v4_synack, sizeof b);
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		b[0] = (uint8_t)(0x40 | ihl);
		ck_assert_int_eq(parse_ipv4(b, sizeof b, &v), -BS_EMALFORMED);
	}
}
END_TEST

START_TEST(v4_total_below_ihl)
{
	uint8_t b[sizeof v4_opts_rst];
	struct ip_view v;
	memcpy(b, v4_synack, sizeof v4_synack);
	b[2] = 0;
	b[3] = 19;
	ck_assert_int_eq(parse_ipv4(b, sizeof v4_synack, &v), -BS_EMALFORMED);
	b[3] = 0; /* as TCP segmentation offload leaves it */
	ck_assert_int_eq(parse_ipv4(b, sizeof v4_synack, &v), -BS_EMALFORMED);
	b[3] = 20; /* header only: valid, empty payload */
	ck_assert_int_eq(parse_ipv4(b, sizeof v4_synack, &v), 0);
	ck_assert_uint_eq(v.l4_len, 0);

	memcpy(b, v4_opts_rst, sizeof v4_opts_rst);
	b[3] = 22; /* IHL 24 */
	ck_assert_int_eq(parse_ipv4(b, sizeof b, &v), -BS_EMALFORMED);
}
END_TEST

START_TEST(v4_ihl_beyond_capture)
{
	uint8_t b[sizeof v4_synack];
	struct ip_view v;
	memcpy(b, v4_synack, sizeof b);
	b[0] = 0x4f; /* 60-byte header in a 40-byte capture */
	b[3] = 60;
	ck_assert_int_eq(parse_ipv4(b, sizeof b, &v), -BS_ETRUNC);
}
END_TEST

START_TEST(v4_options_skipped)
{
	struct ip_view v;
	ck_assert_int_eq(parse_ipv4(v4_opts_rst, sizeof v4_opts_rst, &v), 0);
	ck_assert_ptr_eq(v.l4, v4_opts_rst + 24);
	ck_assert_uint_eq(v.l4_len, 20);
	ck_assert_uint_eq(v.proto, PARSE_PROTO_TCP);
	bs_addr_t src, dst;
	parse_ip_src(&v, &src);
	parse_ip_dst(&v, &dst);
	ck_assert_uint_eq(bs_addr_v4(&src), 0xc6336407u);
	ck_assert_uint_eq(bs_addr_v4(&dst), 0x2c010203u);
}
END_TEST

START_TEST(v4_ethernet_padding_trimmed)
{
	uint8_t b[sizeof v4_synack + 6];
	struct ip_view v;
	memset(b, 0xee, sizeof b);
	memcpy(b, v4_synack, sizeof v4_synack);
	ck_assert_int_eq(parse_ipv4(b, sizeof b, &v), 0);
	ck_assert_uint_eq(v.l4_len, 20);
	ck_assert_uint_eq(v.tot_len, 40);
	ck_assert(!v.cut);
}
END_TEST

START_TEST(v4_snap_length_cut)
{
	uint8_t b[sizeof v4_synack];
	struct ip_view v;
	memcpy(b, v4_synack, sizeof b);
	b[2] = 0x05; /* claims 1500 bytes */
	b[3] = 0xdc;
	ck_assert_int_eq(parse_ipv4(b, sizeof b, &v), 0);
	ck_assert_uint_eq(v.tot_len, 1500);
	ck_assert_uint_eq(v.l4_len, 20);
	ck_assert(v.cut);
}
END_TEST

START_TEST(v4_fragments)
{
	static const struct {
		uint8_t b6, b7;
		bool later;
	} cases[] = {
	    {0x00, 0x00, false}, /* not fragmented */
	    {0x40, 0x00, false}, /* DF */
	    {0x20, 0x00, false}, /* MF, offset 0: first fragment */
	    {0x20, 0xb9, true},  /* MF, offset 185 */
	    {0x00, 0x01, true},  /* last fragment, offset 1 */
	    {0x1f, 0xff, true},  /* largest offset */
	};
	uint8_t b[sizeof v4_synack];
	struct ip_view v;
	memcpy(b, v4_synack, sizeof b);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		b[6] = cases[i].b6;
		b[7] = cases[i].b7;
		ck_assert_int_eq(parse_ipv4(b, sizeof b, &v), 0);
		ck_assert_msg(v.frag_later == cases[i].later, "case %zu", i);
		ck_assert_uint_eq(v.proto, PARSE_PROTO_TCP);
	}
}
END_TEST

START_TEST(v6_bad_version)
{
	uint8_t b[sizeof v6_ext_tcp];
	struct ip_view v;
	memcpy(b, v6_ext_tcp, sizeof b);
	b[0] = 0x40;
	ck_assert_int_eq(parse_ipv6(b, sizeof b, &v), -BS_EMALFORMED);
	ck_assert_int_eq(parse_ipv4(v6_ext_tcp, sizeof v6_ext_tcp, &v), -BS_EMALFORMED);
}
END_TEST

START_TEST(v6_ext_chain)
{
	struct ip_view v;
	ck_assert_int_eq(parse_ipv6(v6_ext_tcp, sizeof v6_ext_tcp, &v), 0);
	ck_assert_uint_eq(v.version, 6);
	ck_assert_uint_eq(v.proto, PARSE_PROTO_TCP);
	ck_assert_ptr_eq(v.l4, v6_ext_tcp + 80);
	ck_assert_uint_eq(v.l4_len, 20);
	ck_assert_uint_eq(v.tot_len, 100);
	bs_addr_t want;
	ck_assert_int_eq(bs_addr_parse("2001:db8:1::3", &want), 0);
	bs_addr_t dst;
	parse_ip_dst(&v, &dst);
	ck_assert_int_eq(bs_addr_cmp(&dst, &want), 0);
	struct tcp_view t;
	ck_assert_int_eq(parse_tcp(v.l4, v.l4_len, &t), 0);
	ck_assert_uint_eq(t.flags, PARSE_TCP_SYN | PARSE_TCP_ACK);
}
END_TEST

/* IPv6 header followed by count destination-options headers, then TCP. */
static size_t v6_dstopts_stack(uint8_t *b, unsigned count)
{
	memcpy(b, v6_ext_tcp, 40);
	b[6] = 60;
	size_t off = 40;
	for (unsigned i = 0; i < count; i++, off += 8) {
		memset(b + off, 0, 8);
		b[off] = i + 1 < count ? 60 : PARSE_PROTO_TCP;
	}
	memcpy(b + off, v6_ext_tcp + 80, 20);
	off += 20;
	b[4] = (uint8_t)((off - 40) >> 8);
	b[5] = (uint8_t)(off - 40);
	return off;
}

START_TEST(v6_ext_count_capped)
{
	uint8_t b[40 + 8 * (PARSE_IPV6_MAX_EXT + 1) + 20];
	struct ip_view v;
	size_t n = v6_dstopts_stack(b, PARSE_IPV6_MAX_EXT);
	ck_assert_int_eq(parse_ipv6(b, n, &v), 0);
	ck_assert_uint_eq(v.proto, PARSE_PROTO_TCP);
	n = v6_dstopts_stack(b, PARSE_IPV6_MAX_EXT + 1);
	ck_assert_int_eq(parse_ipv6(b, n, &v), -BS_EMALFORMED);
}
END_TEST

START_TEST(v6_ext_past_payload_length)
{
	uint8_t b[sizeof v6_ext_tcp];
	struct ip_view v;
	memcpy(b, v6_ext_tcp, sizeof b);
	b[5] = 30; /* payload ends inside the routing header */
	ck_assert_int_eq(parse_ipv6(b, sizeof b, &v), -BS_EMALFORMED);
	b[5] = 4; /* ends inside the hop-by-hop header */
	ck_assert_int_eq(parse_ipv6(b, sizeof b, &v), -BS_EMALFORMED);
	b[5] = 60; /* the capture, not the header, ends early */
	ck_assert_int_eq(parse_ipv6(b, 60, &v), -BS_ETRUNC);
}
END_TEST

START_TEST(v6_padding_trimmed)
{
	uint8_t b[sizeof v6_ext_tcp + 10];
	struct ip_view v;
	memset(b, 0xee, sizeof b);
	memcpy(b, v6_ext_tcp, sizeof v6_ext_tcp);
	ck_assert_int_eq(parse_ipv6(b, sizeof b, &v), 0);
	ck_assert_uint_eq(v.l4_len, 20);
	ck_assert(!v.cut);
}
END_TEST

START_TEST(v6_fragments)
{
	uint8_t b[sizeof v6_frag_later];
	struct ip_view v;
	ck_assert_int_eq(parse_ipv6(v6_frag_later, sizeof v6_frag_later, &v), 0);
	ck_assert(v.frag_later);
	ck_assert_uint_eq(v.proto, PARSE_PROTO_TCP);
	ck_assert_ptr_eq(v.l4, v6_frag_later + 48);
	ck_assert_uint_eq(v.l4_len, 16);

	memcpy(b, v6_frag_later, sizeof b);
	b[42] = 0x00; /* offset 0, M=1: first fragment, transport follows */
	b[43] = 0x01;
	ck_assert_int_eq(parse_ipv6(b, sizeof b, &v), 0);
	ck_assert(!v.frag_later);
	ck_assert_ptr_eq(v.l4, b + 48);
}
END_TEST

START_TEST(tcp_bounds)
{
	struct tcp_view t;
	const uint8_t *tcp = v4_synack + 20;
	ck_assert_int_eq(parse_tcp(tcp, PARSE_TCP_MIN_LEN - 1, &t), -BS_ETRUNC);
	ck_assert_int_eq(parse_tcp(tcp, PARSE_TCP_MIN_LEN, &t), 0);
	ck_assert_uint_eq(t.sport, 80);
	ck_assert_uint_eq(t.dport, 54321);
	ck_assert_uint_eq(t.flags, PARSE_TCP_SYN | PARSE_TCP_ACK);

	uint8_t b[20];
	memcpy(b, tcp, sizeof b);
	b[12] = 0x40; /* data offset 4 words: shorter than the fixed header */
	ck_assert_int_eq(parse_tcp(b, sizeof b, &t), -BS_EMALFORMED);
	ck_assert(is_zero(&t, sizeof t));
	b[12] = 0xf0; /* options beyond the capture are fine */
	ck_assert_int_eq(parse_tcp(b, sizeof b, &t), 0);
}
END_TEST

START_TEST(ports_bounds)
{
	struct ports_view pv;
	const uint8_t *udp = v4_unreach_udp + 48;
	ck_assert_int_eq(parse_ports(udp, PARSE_PORTS_LEN - 1, &pv), -BS_ETRUNC);
	ck_assert_int_eq(parse_ports(udp, PARSE_PORTS_LEN, &pv), 0);
	ck_assert_uint_eq(pv.sport, 12345);
	ck_assert_uint_eq(pv.dport, 53);
}
END_TEST

START_TEST(icmp_bounds)
{
	struct icmp_view icmp;
	const uint8_t *p = v4_unreach_udp + 20;
	ck_assert_int_eq(parse_icmp(p, PARSE_ICMP_MIN_LEN - 1, &icmp), -BS_ETRUNC);
	ck_assert_int_eq(parse_icmp(p, PARSE_ICMP_MIN_LEN, &icmp), 0);
	ck_assert_uint_eq(icmp.type, 3);
	ck_assert_uint_eq(icmp.code, 3);
	ck_assert_ptr_null(icmp.quote);
	ck_assert_uint_eq(icmp.quote_len, 0);
	ck_assert_int_eq(parse_icmp(p, PARSE_ICMP_QUOTE_OFF, &icmp), 0);
	ck_assert_uint_eq(icmp.quote_len, 0);
	ck_assert_int_eq(parse_icmp(p, PARSE_ICMP_QUOTE_OFF + 1, &icmp), 0);
	ck_assert_ptr_eq(icmp.quote, p + PARSE_ICMP_QUOTE_OFF);
	ck_assert_uint_eq(icmp.quote_len, 1);
}
END_TEST

START_TEST(icmp_quote_longer_than_quoted)
{
	struct ip_view outer, q;
	struct icmp_view icmp;
	struct ports_view pv;
	ck_assert_int_eq(parse_ipv4(v4_unreach_udp, sizeof v4_unreach_udp, &outer), 0);
	ck_assert_int_eq(parse_icmp(outer.l4, outer.l4_len, &icmp), 0);
	ck_assert_uint_eq(icmp.quote_len, 28);
	/* The quote claims 60 bytes but holds 28: normal, bounded. */
	ck_assert_int_eq(parse_ipv4(icmp.quote, icmp.quote_len, &q), 0);
	ck_assert(q.cut);
	ck_assert_uint_eq(q.tot_len, 60);
	ck_assert_uint_eq(q.l4_len, 8);
	ck_assert_uint_eq(q.proto, PARSE_PROTO_UDP);
	bs_addr_t qdst;
	parse_ip_dst(&q, &qdst);
	ck_assert_uint_eq(bs_addr_v4(&qdst), 0xc6336407u);
	ck_assert_int_eq(parse_ports(q.l4, q.l4_len, &pv), 0);
	ck_assert_uint_eq(pv.dport, 53);
}
END_TEST

START_TEST(read_helpers)
{
	static const uint8_t b[] = {0x12, 0x34, 0x56, 0x78, 0xff, 0xfe};
	ck_assert_uint_eq(rd_be16(b), 0x1234);
	ck_assert_uint_eq(rd_be16(b + 4), 0xfffe);
	ck_assert_uint_eq(rd_be32(b), 0x12345678u);
	ck_assert_uint_eq(rd_be32(b + 2), 0x5678fffeu);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("truncated");
	tcase_add_loop_test(tc, cut_at_every_length, 0, (int)(sizeof samples / sizeof samples[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv4");
	tcase_add_test(tc, v4_bad_version);
	tcase_add_test(tc, v4_ihl_below_five);
	tcase_add_test(tc, v4_total_below_ihl);
	tcase_add_test(tc, v4_ihl_beyond_capture);
	tcase_add_test(tc, v4_options_skipped);
	tcase_add_test(tc, v4_ethernet_padding_trimmed);
	tcase_add_test(tc, v4_snap_length_cut);
	tcase_add_test(tc, v4_fragments);
	suite_add_tcase(s, tc);

	tc = tcase_create("ipv6");
	tcase_add_test(tc, v6_bad_version);
	tcase_add_test(tc, v6_ext_chain);
	tcase_add_test(tc, v6_ext_count_capped);
	tcase_add_test(tc, v6_ext_past_payload_length);
	tcase_add_test(tc, v6_padding_trimmed);
	tcase_add_test(tc, v6_fragments);
	suite_add_tcase(s, tc);

	tc = tcase_create("transport");
	tcase_add_test(tc, tcp_bounds);
	tcase_add_test(tc, ports_bounds);
	tcase_add_test(tc, icmp_bounds);
	tcase_add_test(tc, icmp_quote_longer_than_quoted);
	tcase_add_test(tc, read_helpers);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

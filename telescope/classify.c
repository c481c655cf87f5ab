/* classify.c - backscatter classification of one packet (METHOD.md
 * section 2; the decisions on edge cases are listed in classify.h).
 *
 * Helpers write *ev only once they know the packet is backscatter, so the
 * zero-fill done up front is all a rejected packet needs. */
#include "telescope/classify.h"

#include <stdbool.h>
#include <string.h>

#include "base/bs_error.h"
#include "telescope/parse.h"

/* ICMP and ICMPv6 types that answer a flood. Replies name the outer source
 * as victim; errors name the destination of the packet they quote. One rule
 * per line, so clang-format is kept off the table. */
/* clang-format off */
static const struct icmp_rule {
	uint8_t version;  /* 4: ICMP, 6: ICMPv6 */
	uint8_t type;
	uint8_t response; /* enum bs_response */
	bool is_error;
} icmp_rules[] = {
	{4, 0, BS_RESP_ICMP_ECHO_REPLY, false},
	{4, 3, BS_RESP_ICMP_UNREACH, true},
	{4, 4, BS_RESP_ICMP_SOURCE_QUENCH, true},
	{4, 5, BS_RESP_ICMP_REDIRECT, true},
	{4, 11, BS_RESP_ICMP_TIME_EXCEEDED, true},
	{4, 12, BS_RESP_ICMP_PARAM_PROBLEM, true},
	{4, 14, BS_RESP_ICMP_TSTAMP_REPLY, false},
	{4, 16, BS_RESP_ICMP_INFO_REPLY, false},
	{4, 18, BS_RESP_ICMP_MASK_REPLY, false},
	{6, 1, BS_RESP_ICMP6_UNREACH, true},
	{6, 2, BS_RESP_ICMP6_TOO_BIG, true},
	{6, 3, BS_RESP_ICMP6_TIME_EXCEEDED, true},
	{6, 4, BS_RESP_ICMP6_PARAM_PROBLEM, true},
	{6, 129, BS_RESP_ICMP6_ECHO_REPLY, false},
};
/* clang-format on */

/* A transport header too short is the capture's fault when the IP payload
 * was cut short; otherwise the IP length leaves no room for it. */
static int short_transport(const struct ip_view *ip, int rc)
{
	return rc == -BS_ETRUNC && !ip->cut ? -BS_EMALFORMED : rc;
}

static int classify_tcp(const struct ip_view *ip, struct bs_event *ev)
{
	const unsigned synack = PARSE_TCP_SYN | PARSE_TCP_ACK;
	struct tcp_view t;
	uint8_t response;

	int rc = parse_tcp(ip->l4, ip->l4_len, &t);
	if (rc < 0)
		return short_transport(ip, rc);
	if (t.flags & PARSE_TCP_RST)
		response = BS_RESP_TCP_RST;
	else if ((t.flags & synack) == synack)
		response = BS_RESP_TCP_SYNACK;
	else
		return CLASSIFY_NOT_BACKSCATTER;
	parse_ip_src(ip, &ev->victim);
	ev->proto = BS_PROTO_TCP;
	ev->response = response;
	ev->port = t.sport;
	ev->aport = t.dport;
	ev->flags = BS_EV_HAS_PORT | BS_EV_HAS_APORT;
	return CLASSIFY_BACKSCATTER;
}

static uint8_t attack_proto(uint8_t ip_proto)
{
	switch (ip_proto) {
	case PARSE_PROTO_TCP:
		return BS_PROTO_TCP;
	case PARSE_PROTO_UDP:
		return BS_PROTO_UDP;
	case PARSE_PROTO_ICMP:
	case PARSE_PROTO_ICMPV6:
		return BS_PROTO_ICMP;
	default:
		return BS_PROTO_OTHER;
	}
}

/* Victim, protocol and ports from the packet an ICMP error quotes: the
 * flood packet, whose destination port is the victim's and whose source
 * port the attacker's. The quote must be of the outer IP version; its own
 * transport header is read for ports only, so a quote inside the quote is
 * never followed. */
static void classify_quote(const struct ip_view *ip, const struct icmp_view *icmp,
                           struct bs_event *ev)
{
	struct ip_view q;
	struct ports_view ports;

	int rc = ip->version == 4 ? parse_ipv4(icmp->quote, icmp->quote_len, &q)
	                          : parse_ipv6(icmp->quote, icmp->quote_len, &q);
	if (rc < 0) {
		parse_ip_src(ip, &ev->victim);
		ev->proto = BS_PROTO_ICMP;
		ev->flags |= BS_EV_QUOTE_SHORT;
		return;
	}
	parse_ip_dst(&q, &ev->victim);
	ev->proto = attack_proto(q.proto);
	if ((q.proto == PARSE_PROTO_TCP || q.proto == PARSE_PROTO_UDP) && !q.frag_later &&
	    parse_ports(q.l4, q.l4_len, &ports) == 0) {
		ev->port = ports.dport;
		ev->aport = ports.sport;
		ev->flags |= BS_EV_HAS_PORT | BS_EV_HAS_APORT;
	}
	bs_addr_t outer_src;
	parse_ip_src(ip, &outer_src);
	if (bs_addr_cmp(&ev->victim, &outer_src) != 0)
		ev->flags |= BS_EV_MISMATCH;
}

static int classify_icmp(const struct ip_view *ip, struct bs_event *ev)
{
	struct icmp_view icmp;
	const struct icmp_rule *rule = NULL;

	int rc = parse_icmp(ip->l4, ip->l4_len, &icmp);
	if (rc < 0)
		return short_transport(ip, rc);
	for (size_t i = 0; i < sizeof icmp_rules / sizeof icmp_rules[0] && rule == NULL; i++)
		if (icmp_rules[i].version == ip->version && icmp_rules[i].type == icmp.type)
			rule = &icmp_rules[i];
	if (rule == NULL)
		return CLASSIFY_NOT_BACKSCATTER;
	ev->response = rule->response;
	if (rule->is_error) {
		classify_quote(ip, &icmp, ev);
	} else {
		parse_ip_src(ip, &ev->victim);
		ev->proto = BS_PROTO_ICMP;
	}
	return CLASSIFY_BACKSCATTER;
}

int classify_packet(const uint8_t *l3, size_t len, uint16_t ethertype, struct bs_event *ev)
{
	uint64_t ts_us = ev->ts_us;
	struct ip_view ip;
	int rc;

	memset(ev, 0, sizeof *ev);
	ev->ts_us = ts_us;
	if (ethertype == CLASSIFY_ETHERTYPE_IPV4)
		rc = parse_ipv4(l3, len, &ip);
	else if (ethertype == CLASSIFY_ETHERTYPE_IPV6)
		rc = parse_ipv6(l3, len, &ip);
	else
		return CLASSIFY_NOT_IP;
	if (rc < 0)
		return rc;
	if (ip.frag_later)
		return CLASSIFY_FRAGMENT;

	if (ip.proto == PARSE_PROTO_TCP)
		rc = classify_tcp(&ip, ev);
	else if (ip.proto == (ip.version == 4 ? PARSE_PROTO_ICMP : PARSE_PROTO_ICMPV6))
		rc = classify_icmp(&ip, ev);
	else
		rc = CLASSIFY_NOT_BACKSCATTER;
	if (rc != CLASSIFY_BACKSCATTER)
		return rc;
	parse_ip_dst(&ip, &ev->dst);
	parse_ip_src(&ip, &ev->responder);
	ev->ip_len = ip.tot_len;
	return CLASSIFY_BACKSCATTER;
}

/* classify.h - decide whether one packet is backscatter and, if so, whom it
 * names as the victim (METHOD.md section 2).
 *
 * Answers to a randomly spoofed flood (SYN+ACK, RST, ICMP replies and
 * errors) are backscatter; requests and plain traffic (SYN, ACK, UDP, echo
 * requests) are scanning or misconfiguration. ICMP errors name the victim in
 * the IP header they quote, because a router or NAT may send them; the
 * outer source is kept as the responder. Decisions on edge cases:
 *
 * - TCP: a segment with RST counts as TCP_RST whatever else is set (RST+ACK
 *   is the usual answer to a SYN on a closed port); SYN+ACK without RST
 *   counts as TCP_SYNACK. Everything else is not backscatter. The source
 *   port is the victim port, the destination port the attacker port (the
 *   source port the flood spoofed).
 * - Ports of an ICMP error come from the TCP or UDP header it quotes, when
 *   the quote holds its first 4 bytes and is not a later fragment: the
 *   quoted destination port is the victim port, the quoted source port the
 *   attacker port. Replies (echo, timestamp, ...) and quoted ICMP carry
 *   neither.
 * - ICMP error whose quote cannot be parsed (shorter than an IP header, wrong
 *   IP version, malformed): the victim falls back to the outer source, the
 *   protocol is ICMP and BS_EV_QUOTE_SHORT is set. A quote whose IP header
 *   parses but whose transport header is short or a later fragment still
 *   names the quoted destination, just without a port.
 * - A quoted ICMPv6 header counts as protocol ICMP, like quoted ICMP.
 * - ev->ip_len is the length the outer header claims (IPv4 total length,
 *   IPv6 40 + payload length), not capped by the capture: the bytes column
 *   counts what the packets occupied on the wire, and a snap length must not
 *   shrink it. It is at most 65535 (IPv4) or 65575 (IPv6). */
#ifndef TELESCOPE_CLASSIFY_H
#define TELESCOPE_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "telescope/event.h"

#define CLASSIFY_ETHERTYPE_IPV4 0x0800u /* IEEE 802 numbers */
#define CLASSIFY_ETHERTYPE_IPV6 0x86ddu

enum classify_result {
	CLASSIFY_BACKSCATTER = 0, /* ev filled */
	CLASSIFY_NOT_BACKSCATTER, /* valid IP, but scanning/other traffic */
	CLASSIFY_FRAGMENT,        /* non-first fragment, skipped */
	CLASSIFY_NOT_IP,          /* ethertype is not IPv4/IPv6 */
};

/** Classifies one layer-3 packet of len captured bytes at l3 (borrowed).
 * ethertype is CLASSIFY_ETHERTYPE_IPV4 or _IPV6; any other value gives
 * CLASSIFY_NOT_IP. Returns a non-negative enum classify_result, or
 * -BS_ETRUNC (the capture ends inside a header the decision needs) or
 * -BS_EMALFORMED (header fields contradict each other or the ethertype).
 * On CLASSIFY_BACKSCATTER fills every field of *ev except ev->ts_us, which
 * is left as the caller set it; on any other result *ev is zeroed except
 * ts_us. No allocation; hot path. */
int classify_packet(const uint8_t *l3, size_t len, uint16_t ethertype, struct bs_event *ev);

#endif

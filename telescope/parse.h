/* parse.h - bounds-checked parsing of IPv4, IPv6, TCP, UDP and ICMP headers
 * from raw bytes.
 *
 * Every function takes (bytes, length available), checks the length before
 * each read and reads fields through rd_be16()/rd_be32(), never by casting to
 * a struct: alignment, byte order and header fields cannot be trusted
 * (masscan's "parse bytes, not structs"). An IP payload is bounded by the
 * smaller of the length the header claims and what was captured, which also
 * trims Ethernet padding.
 *
 * Views borrow the packet buffer (libtrace reuses it on the next read) and
 * are zeroed when a function fails. The IP parsers also read the IP header
 * quoted inside an ICMP error. Of a quote the caller reads the transport
 * header only for its ports (parse_ports) and never follows an ICMP error
 * quoted inside a quote: the quote depth is 1, fixed by construction rather
 * than by a counter (libmaxminddb caps its recursion the same way). */
#ifndef TELESCOPE_PARSE_H
#define TELESCOPE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "telescope/addr.h"

/* IP protocol numbers (IANA). */
#define PARSE_PROTO_ICMP   1u
#define PARSE_PROTO_TCP    6u
#define PARSE_PROTO_UDP    17u
#define PARSE_PROTO_ICMPV6 58u

/* TCP flag bits, byte 13 of the header (RFC 9293). */
#define PARSE_TCP_FIN 0x01u
#define PARSE_TCP_SYN 0x02u
#define PARSE_TCP_RST 0x04u
#define PARSE_TCP_PSH 0x08u
#define PARSE_TCP_ACK 0x10u
#define PARSE_TCP_URG 0x20u

#define PARSE_IPV4_MIN_HDR 20u /* RFC 791: IHL >= 5 words */
#define PARSE_IPV6_HDR     40u /* RFC 8200: fixed header */
/* Where the addresses sit in the headers (RFC 791, RFC 8200). */
#define PARSE_IPV4_SRC_OFF 12u
#define PARSE_IPV4_DST_OFF 16u
#define PARSE_IPV6_SRC_OFF 8u
#define PARSE_IPV6_DST_OFF 24u
/* Extension headers followed before giving up as malformed. RFC 8200 4.1
 * allows each at most once (destination options twice): 0, 60, 43, 44, 60
 * is five, so eight leaves room for odd but legal stacks. */
#define PARSE_IPV6_MAX_EXT 8u
/* Flags byte is byte 13, so 14 bytes give ports and flags; TCP options
 * are not needed for classification and may be cut by the snap length. */
#define PARSE_TCP_MIN_LEN  14u
#define PARSE_TCP_MIN_DOFF 5u /* data offset in 32-bit words, RFC 9293 */
#define PARSE_PORTS_LEN    4u /* source and destination port of TCP or UDP */
#define PARSE_ICMP_MIN_LEN 4u /* type, code, checksum */
/* ICMP (RFC 792) and ICMPv6 (RFC 4443) errors quote the offending packet
 * after 4 bytes of type/code/checksum and 4 of unused or MTU/pointer. */
#define PARSE_ICMP_QUOTE_OFF 8u

/** Big-endian 16-bit field at p; the caller has checked 2 bytes exist. */
static inline uint16_t rd_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/** Big-endian 32-bit field at p; the caller has checked 4 bytes exist. */
static inline uint32_t rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/** An IPv4 or IPv6 header. The addresses are read from hdr only when
 * asked (parse_ip_src(), parse_ip_dst()): most packets a telescope sees
 * are not backscatter and never need them. */
struct ip_view {
	const uint8_t *hdr; /* the header; borrowed from the packet */
	const uint8_t *l4;  /* upper-layer header, after any IPv6 extension
	                       headers; borrowed from the packet */
	size_t l4_len;      /* bytes at l4: min(claimed, captured) minus headers */
	uint32_t tot_len;   /* bytes the header claims: IPv4 total length,
	                       IPv6 40 + payload length (the size on the wire) */
	uint8_t version;    /* 4 or 6 */
	uint8_t proto;      /* upper-layer protocol number */
	bool frag_later;    /* non-first fragment: l4 holds no transport header */
	bool cut;           /* fewer bytes captured than the header claims */
};

/** Parses an IPv4 header at p (len bytes available). 0, -BS_ETRUNC when
 * the bytes end inside the header, -BS_EMALFORMED for version != 4,
 * IHL < 5 or total length < IHL. A total length beyond len is not an error
 * (snap length, or an ICMP quote): l4_len is bounded by len. */
int parse_ipv4(const uint8_t *p, size_t len, struct ip_view *v);

/** Parses an IPv6 header and walks the extension headers hop-by-hop (0),
 * routing (43), fragment (44) and destination options (60), at most
 * PARSE_IPV6_MAX_EXT of them. A fragment header with a non-zero offset ends
 * the walk with frag_later set. 0, -BS_ETRUNC when the captured bytes end
 * inside a header, -BS_EMALFORMED for version != 6, an extension header
 * running past the payload length, or too many extension headers. */
int parse_ipv6(const uint8_t *p, size_t len, struct ip_view *v);

/** The source and destination addresses of a header parse_ipv4() or
 * parse_ipv6() accepted. */
static inline void parse_ip_src(const struct ip_view *v, bs_addr_t *a)
{
	if (v->version == 4)
		bs_addr_from_v4(a, rd_be32(v->hdr + PARSE_IPV4_SRC_OFF));
	else
		bs_addr_from_v6(a, v->hdr + PARSE_IPV6_SRC_OFF);
}

static inline void parse_ip_dst(const struct ip_view *v, bs_addr_t *a)
{
	if (v->version == 4)
		bs_addr_from_v4(a, rd_be32(v->hdr + PARSE_IPV4_DST_OFF));
	else
		bs_addr_from_v6(a, v->hdr + PARSE_IPV6_DST_OFF);
}

/** The parts of a TCP header classification needs. */
struct tcp_view {
	uint16_t sport, dport;
	uint8_t flags; /* PARSE_TCP_* bits */
};

/** Parses ports and flags of the TCP header at p. 0, -BS_ETRUNC below
 * PARSE_TCP_MIN_LEN bytes, -BS_EMALFORMED for a data offset below 5. */
int parse_tcp(const uint8_t *p, size_t len, struct tcp_view *v);

struct ports_view {
	uint16_t sport, dport;
};

/** Reads the source and destination ports that open both TCP and UDP
 * headers (all an ICMP quote needs). 0, or -BS_ETRUNC below 4 bytes. */
int parse_ports(const uint8_t *p, size_t len, struct ports_view *v);

/** An ICMP or ICMPv6 header; both share this layout. */
struct icmp_view {
	const uint8_t *quote; /* bytes from offset 8 (for errors, the quoted
	                         packet), borrowed; NULL when quote_len is 0 */
	size_t quote_len;
	uint8_t type, code;
};

/** Parses an ICMP or ICMPv6 header. 0, or -BS_ETRUNC below 4 bytes. A
 * message too short to hold a quote is not an error here: quote_len is 0. */
int parse_icmp(const uint8_t *p, size_t len, struct icmp_view *v);

#endif

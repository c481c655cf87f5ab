/* parse.c - bounds-checked IPv4/IPv6/TCP/UDP/ICMP header parsing.
 *
 * Each function checks the bytes it is about to read, then fills its view
 * only once every check has passed, so a failure leaves the view zeroed.
 * Subtractions compare against what is left ("end - off < n") instead of
 * adding to an offset, so no check can overflow (libmaxminddb's rule). */
#include "telescope/parse.h"

#include <string.h>

#include "base/bs_error.h"

/* Fragment offset field of IPv4 bytes 6-7 (RFC 791); the top three bits
 * are flags (reserved, DF, MF). */
#define IPV4_FRAG_OFFSET_MASK 0x1fffu
/* Fragment offset of the IPv6 fragment header bytes 2-3 (RFC 8200 4.5);
 * the low three bits are reserved bits and the M flag. */
#define IPV6_FRAG_OFFSET_MASK 0xfff8u
/* Every IPv6 extension header is a multiple of 8 bytes, at least 8. */
#define IPV6_EXT_UNIT 8u

enum ipv6_ext { EXT_HOPOPTS = 0, EXT_ROUTING = 43, EXT_FRAGMENT = 44, EXT_DSTOPTS = 60 };

int parse_ipv4(const uint8_t *p, size_t len, struct ip_view *v)
{
	memset(v, 0, sizeof *v);
	if (len < 1)
		return -BS_ETRUNC;
	if (p[0] >> 4 != 4)
		return -BS_EMALFORMED;
	if (len < PARSE_IPV4_MIN_HDR)
		return -BS_ETRUNC;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < PARSE_IPV4_MIN_HDR)
		return -BS_EMALFORMED;
	if (ihl > len)
		return -BS_ETRUNC;
	size_t tot = rd_be16(p + 2);
	if (tot < ihl)
		return -BS_EMALFORMED;

	v->version = 4;
	v->proto = p[9];
	v->tot_len = (uint32_t)tot;
	v->cut = tot > len;
	v->frag_later = (rd_be16(p + 6) & IPV4_FRAG_OFFSET_MASK) != 0;
	v->hdr = p;
	v->l4 = p + ihl;
	v->l4_len = (v->cut ? len : tot) - ihl;
	return 0;
}

static bool is_ipv6_ext(uint8_t nh)
{
	return nh == EXT_HOPOPTS || nh == EXT_ROUTING || nh == EXT_FRAGMENT || nh == EXT_DSTOPTS;
}

int parse_ipv6(const uint8_t *p, size_t len, struct ip_view *v)
{
	memset(v, 0, sizeof *v);
	if (len < 1)
		return -BS_ETRUNC;
	if (p[0] >> 4 != 6)
		return -BS_EMALFORMED;
	if (len < PARSE_IPV6_HDR)
		return -BS_ETRUNC;
	size_t tot = PARSE_IPV6_HDR + rd_be16(p + 4);
	bool cut = tot > len;
	size_t end = cut ? len : tot;
	/* A header past the end is the capture's fault when it was cut short,
	 * else the header fields contradict the payload length. */
	int past_end = cut ? -BS_ETRUNC : -BS_EMALFORMED;
	uint8_t nh = p[6];
	size_t off = PARSE_IPV6_HDR;
	bool later = false;

	for (unsigned n = 0; is_ipv6_ext(nh) && !later; n++) {
		if (n == PARSE_IPV6_MAX_EXT)
			return -BS_EMALFORMED;
		if (end - off < IPV6_EXT_UNIT)
			return past_end;
		size_t hlen = IPV6_EXT_UNIT;
		if (nh == EXT_FRAGMENT)
			later = (rd_be16(p + off + 2) & IPV6_FRAG_OFFSET_MASK) != 0;
		else
			hlen *= (size_t)p[off + 1] + 1; /* length in 8-byte units past the first */
		if (end - off < hlen)
			return past_end;
		nh = p[off];
		off += hlen;
	}

	v->version = 6;
	v->proto = nh;
	v->tot_len = (uint32_t)tot;
	v->cut = cut;
	v->frag_later = later;
	v->hdr = p;
	v->l4 = p + off;
	v->l4_len = end - off;
	return 0;
}

int parse_tcp(const uint8_t *p, size_t len, struct tcp_view *v)
{
	memset(v, 0, sizeof *v);
	if (len < PARSE_TCP_MIN_LEN)
		return -BS_ETRUNC;
	if (p[12] >> 4 < PARSE_TCP_MIN_DOFF)
		return -BS_EMALFORMED;
	v->sport = rd_be16(p);
	v->dport = rd_be16(p + 2);
	v->flags = p[13];
	return 0;
}

int parse_ports(const uint8_t *p, size_t len, struct ports_view *v)
{
	memset(v, 0, sizeof *v);
	if (len < PARSE_PORTS_LEN)
		return -BS_ETRUNC;
	v->sport = rd_be16(p);
	v->dport = rd_be16(p + 2);
	return 0;
}

int parse_icmp(const uint8_t *p, size_t len, struct icmp_view *v)
{
	memset(v, 0, sizeof *v);
	if (len < PARSE_ICMP_MIN_LEN)
		return -BS_ETRUNC;
	v->type = p[0];
	v->code = p[1];
	if (len > PARSE_ICMP_QUOTE_OFF) {
		v->quote = p + PARSE_ICMP_QUOTE_OFF;
		v->quote_len = len - PARSE_ICMP_QUOTE_OFF;
	}
	return 0;
}

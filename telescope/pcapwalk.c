/* pcapwalk.c - pcap and pcapng records walked in place (see pcapwalk.h).
 *
 * The checks and messages below are libtrace 3.0.22's (format_pcapfile.c,
 * protocols_l2.c, protocols_l3.c, trace.c) and libpcap 1.10's
 * (sf-pcapng.c), in their order, so that a file reads the same here as it
 * did through them. */
#include "telescope/pcapwalk.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Classic pcap: a 24-byte file header, a 16-byte header per record. */
#define PCAP_FILE_HDR 24u
#define PCAP_REC_HDR  16u
/* libtrace's packet buffer (LIBTRACE_PACKET_BUFSIZE): a larger record is
 * refused as corrupt. */
#define PCAP_BUFSIZE 65536u
#define NS_PER_US    1000u
#define US_PER_S     1000000u

/* pcapng (libpcap's sf-pcapng.c). */
#define NG_BT_SHB         0x0A0D0D0Au
#define NG_BT_IDB         1u
#define NG_BT_PB          2u
#define NG_BT_SPB         3u
#define NG_BT_EPB         6u
#define NG_BOM            0x1A2B3C4Du
#define NG_BOM_SWAPPED    0x4D3C2B1Au
#define NG_BLOCK_HDR      8u  /* type, total length */
#define NG_BLOCK_MIN      12u /* header and trailer */
#define NG_SHB_MIN        28u /* header, SHB fields, trailer */
#define NG_SHB_INSANE_MAX (1u << 20)
#define NG_SHB_FIXED      16u /* byte-order magic, versions, section length */
#define NG_IDB_FIXED      8u  /* link type, reserved, snaplen */
#define NG_EPB_FIXED      20u /* interface, time high, low, caplen, len */
#define NG_PB_FIXED       20u /* interface (16 bits), drops, time, caplen, len */
#define NG_SPB_FIXED      4u  /* len */
#define NG_OPT_HDR        4u
#define NG_OPT_END        0u
#define NG_OPT_TSRESOL    9u
#define NG_OPT_TSOFFSET   14u
#define NG_MAX_SNAPLEN    262144u /* MAXIMUM_SNAPLEN */
#define NG_USER_TSRESOL   1000000u
#define NG_PCAP_PKTHDR    24u /* sizeof (struct pcap_pkthdr) on LP64 */
/* The first bytes of a pcapng file, in either byte order. */
static const uint8_t NG_MAGIC[4] = {0x0a, 0x0d, 0x0d, 0x0a};

/* Link types (the file's numbers) and what libtrace makes of them. */
#define LT_EN10MB       1u
#define LT_RAW          12u /* DLT_RAW on Linux, LINKTYPE_RAW's DLT */
#define LT_LINKTYPE_RAW 101u
#define LT_LINUX_SLL    113u

/* Layer 2 (libtrace's trace_get_layer3() and what it calls). */
#define ETH_HLEN        14u
#define VLAN_HLEN       4u
#define MPLS_HLEN       4u
#define PPPOE_HLEN      6u
#define PPP_HLEN        2u
#define SLL_HLEN        16u
#define FCS_LEN         4u
#define ET_IPV4         0x0800u
#define ET_IPV6         0x86ddu
#define ET_VLAN         0x8100u
#define ET_MPLS         0x8847u
#define ET_PPPOE        0x8864u
#define ET_LOOPBACK     0x0060u
#define PPP_IP          0x0021u
#define ARPHRD_ETHER    1u
#define ARPHRD_EETHER   2u
#define ARPHRD_PPP      512u
#define ARPHRD_LOOPBACK 772u
#define ARPHRD_NONE     0xfffeu

enum link { LINK_ETH, LINK_RAW, LINK_SLL };

/* How an interface's times become microseconds (libpcap's scale types). */
enum scale { PASS_THROUGH, SCALE_UP_DEC, SCALE_DOWN_DEC, SCALE_UP_BIN, SCALE_DOWN_BIN };

struct ng_if {
	uint64_t tsresol;
	uint64_t tsoffset;
	uint64_t factor;
	enum scale scale;
};

struct pcapwalk {
	bytesource_t *src;
	/* The block being walked: bytes [pos, len) are unread. */
	const uint8_t *blk;
	size_t blk_len, blk_pos;
	bool src_done;
	int src_rc;
	struct bs_err src_err;
	/* A record that straddles blocks, copied whole. */
	uint8_t *side;
	size_t side_len, side_cap;
	bool in_side;
	/* The file. */
	bool ng;    /* pcapng, else classic pcap */
	bool be;    /* big-endian fields */
	bool nanos; /* classic pcap: nanosecond times */
	enum link link;
	/* pcapng: the first interface's link type as libpcap keeps it (its
	 * DLT) and snapshot length; the interfaces of this section. */
	uint32_t first_dlt, snapshot;
	struct ng_if *ifs;
	uint32_t nifs, cap_ifs;
	/* The record last handed out, whole, for pcapwalk_frame(): its
	 * link type and snapshot length are the file's. */
	struct reader_frame frame;
	bool over;   /* the walk ended: every later call returns over_rc */
	int over_rc; /* 0 at the end of the data, or the error */
	struct bs_err error;
};

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint16_t rd16(const uint8_t *p, bool be)
{
	return be ? be16(p) : (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t rd32(const uint8_t *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t rd64(const uint8_t *p, bool be)
{
	return be ? (uint64_t)rd32(p, true) << 32 | rd32(p + 4, true)
	          : (uint64_t)rd32(p + 4, false) << 32 | rd32(p, false);
}

/* --- bytes ---------------------------------------------------------------- */

/* The next block of the source: 1, 0 at its end, or its error. */
static int pull(struct pcapwalk *w)
{
	if (w->src_done)
		return w->src_rc;
	const uint8_t *data;
	size_t len;
	int rc = bytesource_next(w->src, &data, &len, &w->src_err);
	if (rc <= 0) {
		w->src_done = true;
		w->src_rc = rc;
		w->blk = NULL;
		w->blk_len = w->blk_pos = 0;
		return rc;
	}
	w->blk = data;
	w->blk_len = len;
	w->blk_pos = 0;
	return 1;
}

static int grow_side(struct pcapwalk *w, size_t n)
{
	if (n <= w->side_cap)
		return 0;
	size_t cap = w->side_cap > 0 ? w->side_cap : 4096;
	while (cap < n)
		cap *= 2;
	uint8_t *p = realloc(w->side, cap);
	if (p == NULL)
		return -BS_ENOMEM;
	w->side = p;
	w->side_cap = cap;
	return 0;
}

/* Makes the n bytes from the read position contiguous, without consuming
 * them: 1 with *p set; 0 when the data ends first, or the source's error
 * (-BS_EIO, -BS_ENOMEM), *avail then saying how many there were. Pointers
 * from an earlier need() are dead after this one. */
static int need(struct pcapwalk *w, size_t n, const uint8_t **p, size_t *avail)
{
	if (!w->in_side) {
		if (w->blk_len - w->blk_pos >= n) {
			*p = w->blk + w->blk_pos;
			return 1;
		}
		if (grow_side(w, n) != 0)
			return -BS_ENOMEM;
		w->side_len = w->blk_len - w->blk_pos;
		if (w->side_len > 0)
			memcpy(w->side, w->blk + w->blk_pos, w->side_len);
		w->blk_pos = w->blk_len;
		w->in_side = true;
	} else if (grow_side(w, n) != 0) {
		return -BS_ENOMEM;
	}
	while (w->side_len < n) {
		if (w->blk_pos == w->blk_len) {
			int rc = pull(w);
			if (rc <= 0) {
				*avail = w->side_len;
				return rc;
			}
			continue;
		}
		size_t take = n - w->side_len;
		if (take > w->blk_len - w->blk_pos)
			take = w->blk_len - w->blk_pos;
		memcpy(w->side + w->side_len, w->blk + w->blk_pos, take);
		w->side_len += take;
		w->blk_pos += take;
	}
	*p = w->side;
	return 1;
}

/* Moves past the n bytes the last need() made ready. */
static void consume(struct pcapwalk *w, size_t n)
{
	if (w->in_side) {
		/* need() copied exactly what was asked, and n is all of it. */
		w->in_side = false;
		w->side_len = 0;
		return;
	}
	w->blk_pos += n;
}

/* Moves past n bytes not needed (none made ready by need()): 1, or 0 /
 * an error when the data ends first, *skipped then saying how many. */
static int skip(struct pcapwalk *w, size_t n, size_t *skipped)
{
	size_t done = 0;
	while (done < n) {
		if (w->blk_pos == w->blk_len) {
			int rc = pull(w);
			if (rc <= 0) {
				*skipped = done;
				return rc;
			}
			continue;
		}
		size_t take = n - done;
		if (take > w->blk_len - w->blk_pos)
			take = w->blk_len - w->blk_pos;
		w->blk_pos += take;
		done += take;
	}
	*skipped = n;
	return 1;
}

/* --- errors --------------------------------------------------------------- */

/* Ends the walk with rc (0: the end of the data). Returns rc. */
static int finish(struct pcapwalk *w, int rc)
{
	w->over = true;
	w->over_rc = rc;
	return rc;
}

static int fail(struct pcapwalk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the walk's error; every later pcapwalk_next() returns it. */
static int fail(struct pcapwalk *w, const char *fmt, ...)
{
	char msg[BS_ERR_MSGLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return finish(w, bs_err_set(&w->error, -BS_EIO, "%s", msg));
}

/* The source failed (rc < 0): its reason is the walk's. */
static int source_failed(struct pcapwalk *w, int rc)
{
	if (rc == -BS_ENOMEM)
		return finish(w, bs_err_set(&w->error, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM)));
	return finish(w, bs_err_set(&w->error, -BS_EIO, "%s", bs_err_text(&w->src_err)));
}

/* --- layer 2 (libtrace 3.0.22) -------------------------------------------- */

/* trace_get_layer3()'s answer for bytes p[0..rem) after an Ethernet header
 * has started at p: 802.1Q tags, MPLS labels and PPPoE stepped over as
 * libtrace steps over them (an MPLS label names IPv4 or IPv6 by the
 * nibble after the bottom label, else nothing). */
static void eth_l3(const uint8_t *p, uint32_t rem, struct reader_packet *pkt)
{
	if (rem < ETH_HLEN)
		return;
	uint16_t type = be16(p + 12);
	p += ETH_HLEN;
	rem -= ETH_HLEN;
	for (;;) {
		if (rem == 0)
			return;
		if (type == ET_VLAN) {
			if (rem < VLAN_HLEN)
				return;
			type = be16(p + 2);
			p += VLAN_HLEN;
			rem -= VLAN_HLEN;
		} else if (type == ET_MPLS) {
			if (rem < MPLS_HLEN)
				return;
			if ((p[2] & 0x01) == 0) {
				type = ET_MPLS;
			} else if (rem >= MPLS_HLEN + 1) {
				unsigned v = p[4] & 0xf0;
				type = v == 0x40 ? ET_IPV4 : v == 0x60 ? ET_IPV6 : 0;
			}
			p += MPLS_HLEN;
			rem -= MPLS_HLEN;
		} else if (type == ET_PPPOE) {
			if (rem < PPPOE_HLEN + PPP_HLEN)
				return;
			type = be16(p + PPPOE_HLEN) == PPP_IP ? ET_IPV4 : 0;
			p += PPPOE_HLEN + PPP_HLEN;
			rem -= PPPOE_HLEN + PPP_HLEN;
		} else {
			break;
		}
	}
	pkt->l3 = p;
	pkt->l3_len = rem;
	pkt->ethertype = type;
}

/* Raw IP: the version nibble names the protocol (ethertype 0 otherwise,
 * which is no IP). */
static void raw_l3(const uint8_t *p, uint32_t rem, struct reader_packet *pkt)
{
	if (rem == 0)
		return;
	unsigned v = p[0] & 0xf0;
	pkt->ethertype = v == 0x40 ? ET_IPV4 : v == 0x60 ? ET_IPV6 : 0;
	pkt->l3 = p;
	pkt->l3_len = rem;
}

/* Linux SLL: libtrace takes an Ethernet-like hardware type as raw IP
 * unless the protocol is 0x0060 (then an Ethernet header follows), PPP
 * and "none" as raw IP; other types (802.11, radiotap, unknown) give no
 * layer 3 here. */
static void sll_l3(const uint8_t *p, uint32_t rem, struct reader_packet *pkt)
{
	if (rem < SLL_HLEN)
		return;
	unsigned hatype = be16(p + 2), proto = be16(p + 14);
	p += SLL_HLEN;
	rem -= SLL_HLEN;
	switch (hatype) {
	case ARPHRD_ETHER:
	case ARPHRD_EETHER:
	case ARPHRD_LOOPBACK:
		if (proto == ET_LOOPBACK)
			eth_l3(p, rem, pkt);
		else
			raw_l3(p, rem, pkt);
		return;
	case ARPHRD_PPP:
	case ARPHRD_NONE:
		raw_l3(p, rem, pkt);
		return;
	default:
		return;
	}
}

/* Layer 3 of a record of caplen captured bytes at data whose wire length
 * is len (reader.c's guards, then trace_get_packet_buffer()'s length). */
static void decode(struct pcapwalk *w, const uint8_t *data, uint32_t caplen, uint32_t len,
                   struct reader_packet *pkt)
{
	w->frame.bytes = data;
	w->frame.caplen = caplen;
	w->frame.wirelen = len;
	if (caplen == 0 || caplen > PCAPWALK_LEN_MAX || len > PCAPWALK_LEN_MAX)
		return;
	uint32_t wire = len;
	if (w->link == LINK_ETH ||
	    (w->link == LINK_SLL && !w->ng && caplen >= SLL_HLEN && be16(data + 14) == ET_LOOPBACK))
		wire += FCS_LEN;
	uint32_t rem = wire < caplen ? wire : caplen;
	switch (w->link) {
	case LINK_ETH:
		eth_l3(data, rem, pkt);
		return;
	case LINK_RAW:
		raw_l3(data, rem, pkt);
		return;
	case LINK_SLL:
		sll_l3(data, rem, pkt);
		return;
	}
}

static bool link_of(uint32_t linktype, enum link *link)
{
	switch (linktype) {
	case LT_EN10MB:
		*link = LINK_ETH;
		return true;
	case LT_RAW:
	case LT_LINKTYPE_RAW:
		*link = LINK_RAW;
		return true;
	case LT_LINUX_SLL:
		*link = LINK_SLL;
		return true;
	default:
		return false;
	}
}

/* --- classic pcap (libtrace's pcapfile format) ----------------------------- */

/* The record at h (header and caplen bytes, contiguous) into pkt. */
static void pcap_record(struct pcapwalk *w, const uint8_t *h, uint32_t caplen,
                        struct reader_packet *pkt)
{
	uint64_t frac = rd32(h + 4, w->be);
	if (w->nanos)
		frac /= NS_PER_US;
	pkt->ts_us = (uint64_t)rd32(h, w->be) * US_PER_S + frac;
	decode(w, h + PCAP_REC_HDR, caplen, rd32(h + 12, w->be), pkt);
}

static int pcap_next(struct pcapwalk *w, struct reader_packet *pkt)
{
	/* Most records lie whole in the block: no need() and no copy. */
	size_t left = w->blk_len - w->blk_pos;
	if (!w->in_side && left >= PCAP_REC_HDR) {
		const uint8_t *rec = w->blk + w->blk_pos;
		uint32_t len = rd32(rec + 8, w->be);
		if (len < PCAP_BUFSIZE && left - PCAP_REC_HDR >= len) {
			pcap_record(w, rec, len, pkt);
			w->blk_pos += PCAP_REC_HDR + (size_t)len;
			return 1;
		}
	}
	const uint8_t *h;
	size_t avail = 0;
	int rc = need(w, PCAP_REC_HDR, &h, &avail);
	if (rc < 0)
		return source_failed(w, rc);
	if (rc == 0) {
		if (avail == 0)
			return finish(w, 0);
		return fail(w, "Incomplete pcap packet header: %s", strerror(EIO));
	}
	uint32_t caplen = rd32(h + 8, w->be);
	if (caplen >= PCAP_BUFSIZE)
		return fail(w, "Invalid caplen in pcap header (%u) - trace may be corrupt", caplen);
	size_t whole = PCAP_REC_HDR + (size_t)caplen;
	if (caplen > 0) {
		rc = need(w, whole, &h, &avail);
		if (rc < 0)
			return source_failed(w, rc);
		if (rc == 0) {
			/* libtrace reads the body apart: none of it is the end. */
			if (avail == PCAP_REC_HDR)
				return finish(w, 0);
			return fail(w, "Incomplete pcap packet body: %s", strerror(EIO));
		}
	}
	pcap_record(w, h, caplen, pkt);
	consume(w, whole);
	return 1;
}

/* --- pcapng (libpcap 1.10's sf-pcapng.c) ----------------------------------- */

static bool ng_walked_block(uint32_t type)
{
	return type == NG_BT_SHB || type == NG_BT_IDB || type == NG_BT_EPB || type == NG_BT_SPB ||
	       type == NG_BT_PB;
}

/* The next block as libpcap's read_block() reads it: 1 with *type and
 * *total set and, for a block kind the walker reads, *blk at its whole
 * bytes (NULL for kinds it skips); 0 at the end of the file; or the
 * walk's error. */
static int ng_block(struct pcapwalk *w, uint32_t *type, uint32_t *total, const uint8_t **blk)
{
	const uint8_t *h;
	size_t avail = 0;
	int rc = need(w, NG_BLOCK_HDR, &h, &avail);
	if (rc < 0)
		return source_failed(w, rc);
	if (rc == 0) {
		if (avail == 0)
			return 0;
		return fail(w, "truncated pcapng dump file; tried to read %zu bytes, only got %zu",
		            (size_t)NG_BLOCK_HDR, avail);
	}
	*type = rd32(h, w->be);
	uint32_t len = *total = rd32(h + 4, w->be);
	if (len < NG_BLOCK_MIN)
		return fail(w, "block in pcapng dump file has a length of %u < %zu", len,
		            (size_t)NG_BLOCK_MIN);
	if (len % 4 != 0)
		return fail(
		    w, "block in pcapng dump file has a length of %u that is not a multiple of 4",
		    len);
	if (len > PCAPWALK_NG_BLOCK_MAX)
		return fail(w, "pcapng block size %u > maximum %u", len, PCAPWALK_NG_BLOCK_MAX);
	const uint8_t *trailer;
	if (ng_walked_block(*type)) {
		rc = need(w, len, blk, &avail);
		if (rc < 0)
			return source_failed(w, rc);
		if (rc == 0)
			return fail(
			    w, "truncated pcapng dump file; tried to read %zu bytes, only got %zu",
			    (size_t)len - NG_BLOCK_HDR, avail - NG_BLOCK_HDR);
		trailer = *blk + len - 4;
	} else {
		*blk = NULL;
		consume(w, NG_BLOCK_HDR);
		size_t skipped = 0;
		rc = skip(w, len - NG_BLOCK_MIN, &skipped);
		if (rc == 1)
			rc = need(w, 4, &trailer, &avail);
		else
			avail = 0;
		if (rc < 0)
			return source_failed(w, rc);
		if (rc == 0)
			return fail(
			    w, "truncated pcapng dump file; tried to read %zu bytes, only got %zu",
			    (size_t)len - NG_BLOCK_HDR, skipped + avail);
		len = 4;
	}
	if (rd32(trailer, w->be) != *total)
		return fail(w, "block total length in header and trailer don't match");
	consume(w, len);
	return 1;
}

static int ng_too_short(struct pcapwalk *w, uint32_t type)
{
	return fail(w, "block of type %u in pcapng dump file is too short", type);
}

/* libpcap's add_interface(): the options of an IDB (opt[0..n)) give its
 * time resolution and offset. 1, or the walk's error. */
static int ng_add_interface(struct pcapwalk *w, const uint8_t *opt, size_t n)
{
	if (w->nifs == w->cap_ifs) {
		uint32_t cap = w->cap_ifs > 0 ? w->cap_ifs * 2 : 4;
		struct ng_if *p = realloc(w->ifs, cap * sizeof *p);
		if (p == NULL)
			return source_failed(w, -BS_ENOMEM);
		w->ifs = p;
		w->cap_ifs = cap;
	}
	uint64_t tsresol = NG_USER_TSRESOL, tsoffset = 0;
	bool binary = false, saw_tsresol = false, saw_tsoffset = false;
	while (n != 0) {
		if (n < NG_OPT_HDR)
			return ng_too_short(w, NG_BT_IDB);
		unsigned code = rd16(opt, w->be), len = rd16(opt + 2, w->be);
		size_t padded = ((size_t)len + 3) / 4 * 4;
		if (n - NG_OPT_HDR < padded)
			return ng_too_short(w, NG_BT_IDB);
		const uint8_t *value = opt + NG_OPT_HDR;
		opt += NG_OPT_HDR + padded;
		n -= NG_OPT_HDR + padded;
		if (code == NG_OPT_END) {
			if (len != 0)
				return fail(
				    w,
				    "Interface Description Block has opt_endofopt option with "
				    "length %u != 0",
				    len);
			break;
		}
		if (code == NG_OPT_TSRESOL) {
			if (len != 1)
				return fail(
				    w,
				    "Interface Description Block has if_tsresol option with length "
				    "%u != 1",
				    len);
			if (saw_tsresol)
				return fail(w, "Interface Description Block has more than one "
				               "if_tsresol option");
			saw_tsresol = true;
			unsigned r = value[0];
			if (r & 0x80) {
				unsigned shift = r & 0x7f;
				if (shift > 63)
					return fail(w,
					            "Interface Description Block if_tsresol option "
					            "resolution 2^-%u is too high",
					            shift);
				binary = true;
				tsresol = (uint64_t)1 << shift;
			} else {
				if (r > 19)
					return fail(w,
					            "Interface Description Block if_tsresol option "
					            "resolution 10^-%u is too high",
					            r);
				binary = false;
				tsresol = 1;
				for (unsigned i = 0; i < r; i++)
					tsresol *= 10;
			}
		} else if (code == NG_OPT_TSOFFSET) {
			if (len != 8)
				return fail(
				    w,
				    "Interface Description Block has if_tsoffset option with "
				    "length %u != 8",
				    len);
			if (saw_tsoffset)
				return fail(w, "Interface Description Block has more than one "
				               "if_tsoffset option");
			saw_tsoffset = true;
			tsoffset = rd64(value, w->be);
		}
	}
	struct ng_if *f = &w->ifs[w->nifs++];
	f->tsresol = tsresol;
	f->tsoffset = tsoffset;
	f->factor = 1;
	if (tsresol == NG_USER_TSRESOL) {
		f->scale = PASS_THROUGH;
	} else if (tsresol > NG_USER_TSRESOL) {
		f->scale = binary ? SCALE_DOWN_BIN : SCALE_DOWN_DEC;
		if (!binary)
			f->factor = tsresol / NG_USER_TSRESOL;
	} else {
		f->scale = binary ? SCALE_UP_BIN : SCALE_UP_DEC;
		if (!binary)
			f->factor = NG_USER_TSRESOL / tsresol;
	}
	return 1;
}

/* pcap_adjust_snapshot() for the link types walked. */
static uint32_t ng_snapshot(uint32_t snaplen)
{
	return snaplen == 0 || snaplen > INT_MAX ? NG_MAX_SNAPLEN : snaplen;
}

/* A packet time as libpcap makes it (struct timeval), then as reader.c
 * turns that into microseconds. */
static uint64_t ng_time_us(const struct ng_if *f, uint64_t t)
{
	uint64_t sec = t / f->tsresol + f->tsoffset;
	uint64_t frac = t % f->tsresol;
	switch (f->scale) {
	case PASS_THROUGH:
		break;
	case SCALE_UP_DEC:
		frac *= f->factor;
		break;
	case SCALE_DOWN_DEC:
		frac /= f->factor;
		break;
	case SCALE_UP_BIN:
	case SCALE_DOWN_BIN:
		frac *= NG_USER_TSRESOL;
		frac /= f->tsresol;
		break;
	}
	int64_t tv_sec = (int64_t)sec;
	int64_t tv_usec = (int32_t)(uint32_t)frac;
	return tv_sec < 0 ? 0 : (uint64_t)tv_sec * US_PER_S + (uint64_t)tv_usec;
}

static int ng_next(struct pcapwalk *w, struct reader_packet *pkt)
{
	uint32_t type, total, if_id, caplen, len;
	uint64_t t;
	const uint8_t *blk, *data;
	size_t left;
	for (;;) {
		int rc = ng_block(w, &type, &total, &blk);
		if (rc == 0)
			return finish(w, 0);
		if (rc < 0)
			return rc;
		if (blk == NULL)
			continue;
		const uint8_t *body = blk + NG_BLOCK_HDR;
		size_t n = total - NG_BLOCK_MIN;
		if (type == NG_BT_EPB || type == NG_BT_PB) {
			if (n < NG_EPB_FIXED)
				return ng_too_short(w, type);
			if_id = type == NG_BT_EPB ? rd32(body, w->be) : rd16(body, w->be);
			t = (uint64_t)rd32(body + 4, w->be) << 32 | rd32(body + 8, w->be);
			caplen = rd32(body + 12, w->be);
			len = rd32(body + 16, w->be);
			data = body + NG_EPB_FIXED;
			left = n - NG_EPB_FIXED;
			break;
		}
		if (type == NG_BT_SPB) {
			if (n < NG_SPB_FIXED)
				return ng_too_short(w, type);
			if_id = 0;
			len = rd32(body, w->be);
			caplen = len > w->snapshot ? w->snapshot : len;
			t = 0;
			data = body + NG_SPB_FIXED;
			left = n - NG_SPB_FIXED;
			break;
		}
		if (type == NG_BT_IDB) {
			if (n < NG_IDB_FIXED)
				return ng_too_short(w, type);
			uint32_t lt = rd16(body, w->be), snaplen = rd32(body + 4, w->be);
			if (lt != w->first_dlt)
				return fail(
				    w,
				    "an interface has a type %u different from the type of the "
				    "first interface",
				    lt);
			if (w->snapshot != ng_snapshot(snaplen))
				return fail(
				    w,
				    "an interface has a snapshot length %u different from the "
				    "snapshot length of the first interface",
				    snaplen);
			if ((rc = ng_add_interface(w, body + NG_IDB_FIXED, n - NG_IDB_FIXED)) != 1)
				return rc;
			continue;
		}
		/* A later Section Header Block: the same byte order, version 1,
		 * its own interfaces. */
		if (n < NG_SHB_FIXED)
			return ng_too_short(w, type);
		uint32_t bom = rd32(body, w->be);
		if (bom == NG_BOM_SWAPPED)
			return fail(w, "the file has sections with different byte orders");
		if (bom != NG_BOM)
			return fail(w, "the file has a section with a bad byte order magic field");
		unsigned major = rd16(body + 4, w->be);
		if (major != 1)
			return fail(w, "unknown pcapng savefile major version number %u", major);
		w->nifs = 0;
	}
	if (if_id >= w->nifs)
		return fail(
		    w,
		    "a packet arrived on interface %u, but there's no Interface Description "
		    "Block for that interface",
		    if_id);
	if (caplen > w->snapshot)
		return fail(w, "invalid packet capture length %u, bigger than snaplen of %d",
		            caplen, (int)w->snapshot);
	pkt->ts_us = ng_time_us(&w->ifs[if_id], t);
	if (caplen > left)
		return ng_too_short(w, type);
	/* libtrace's "pcap:" format returns the wire length plus the size of
	 * struct pcap_pkthdr as an int: 0 is the end of the trace and a
	 * negative one an error libtrace names not (reader.c: "read error"). */
	int32_t ret = (int32_t)(len + NG_PCAP_PKTHDR);
	if (ret == 0)
		return finish(w, 0);
	if (ret < 0)
		return fail(w, "read error");
	decode(w, data, caplen, len, pkt);
	return 1;
}

/* --- opening --------------------------------------------------------------- */

/* An error of opening: code with the message (the walk's error holds it). */
static int open_failed(struct pcapwalk *w, int code, struct bs_err *err)
{
	bs_err_set(err, code, "%s", bs_err_text(&w->error));
	return code;
}

/* The four magic numbers of classic pcap (libpcap's savefile.c):
 * microseconds and nanoseconds, each in both byte orders. */
static bool is_pcap_magic(const uint8_t *h)
{
	static const uint8_t magics[][4] = {
	    {0xa1, 0xb2, 0xc3, 0xd4},
	    {0xd4, 0xc3, 0xb2, 0xa1},
	    {0xa1, 0xb2, 0x3c, 0x4d},
	    {0x4d, 0x3c, 0xb2, 0xa1},
	};
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (memcmp(h, magics[i], 4) == 0)
			return true;
	return false;
}

/* The classic pcap file header, as libtrace's pcapfile_start_input(). */
static int pcap_open(struct pcapwalk *w, uint32_t *linktype, struct bs_err *err)
{
	const uint8_t *h;
	size_t avail = 0;
	int rc = need(w, PCAP_FILE_HDR, &h, &avail);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return bs_err_set(err, -BS_EFORMAT, "Incomplete pcap file header");
	w->be = h[0] == 0xa1;
	w->nanos = h[1] == 0x3c || h[2] == 0x3c;
	unsigned major = rd16(h + 4, w->be), minor = rd16(h + 6, w->be);
	if (major != 2 && minor != 4)
		return bs_err_set(err, -BS_EFORMAT, "Unknown pcap tracefile version %d.%d",
		                  (int)major, (int)minor);
	*linktype = rd32(h + 20, w->be);
	w->frame.linktype = *linktype;
	w->frame.snaplen = rd32(h + 16, w->be);
	if (!link_of(*linktype, &w->link))
		return -BS_ENOTFOUND;
	consume(w, PCAP_FILE_HDR);
	return 0;
}

/* The pcapng file up to its first Interface Description Block, as
 * libpcap's pcap_ng_check_header(). */
static int ng_open(struct pcapwalk *w, uint32_t *linktype, struct bs_err *err)
{
	const uint8_t *h;
	size_t avail = 0;
	int rc = need(w, NG_BLOCK_HDR + 4, &h, &avail);
	if (rc < 0)
		return rc;
	/* Not pcapng after all: libpcap knows no other format by then. */
	if (rc == 0)
		return bs_err_set(err, -BS_EFORMAT, "unknown file format");
	uint32_t bom = rd32(h + 8, false);
	if (bom != NG_BOM && bom != NG_BOM_SWAPPED)
		return bs_err_set(err, -BS_EFORMAT, "unknown file format");
	w->be = bom == NG_BOM_SWAPPED;
	uint32_t total = rd32(h + 4, w->be);
	if (total < NG_SHB_MIN || total > NG_SHB_INSANE_MAX)
		return bs_err_set(
		    err, -BS_EFORMAT,
		    "Section Header Block in pcapng dump file has invalid length %zu < "
		    "_%u_ < %u (BT_SHB_INSANE_MAX)",
		    (size_t)NG_SHB_MIN, total, NG_SHB_INSANE_MAX);
	rc = need(w, total, &h, &avail);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return bs_err_set(
		    err, -BS_EFORMAT,
		    "truncated pcapng dump file; tried to read %zu bytes, only got %zu",
		    (size_t)total - 12, avail - 12);
	unsigned major = rd16(h + 12, w->be), minor = rd16(h + 14, w->be);
	if (!(major == 1 && (minor == 0 || minor == 2)))
		return bs_err_set(err, -BS_EFORMAT, "unsupported pcapng savefile version %u.%u",
		                  major, minor);
	consume(w, total);
	for (;;) {
		uint32_t type, len;
		const uint8_t *blk;
		rc = ng_block(w, &type, &len, &blk);
		if (rc == 0)
			return bs_err_set(err, -BS_EFORMAT,
			                  "the capture file has no Interface Description Blocks");
		if (rc < 0)
			return open_failed(
			    w, w->src_done && w->src_rc < 0 ? w->src_rc : -BS_EFORMAT, err);
		if (type == NG_BT_EPB || type == NG_BT_SPB || type == NG_BT_PB)
			return bs_err_set(
			    err, -BS_EFORMAT,
			    "the capture file has a packet block before any Interface "
			    "Description Blocks");
		if (type != NG_BT_IDB)
			continue;
		const uint8_t *body = blk + NG_BLOCK_HDR;
		size_t n = len - NG_BLOCK_MIN;
		if (n < NG_IDB_FIXED) {
			ng_too_short(w, type);
			return open_failed(w, -BS_EFORMAT, err);
		}
		*linktype = rd16(body, w->be);
		uint32_t snaplen = rd32(body + 4, w->be);
		if (ng_add_interface(w, body + NG_IDB_FIXED, n - NG_IDB_FIXED) != 1)
			return open_failed(w, w->over_rc == -BS_ENOMEM ? -BS_ENOMEM : -BS_EFORMAT,
			                   err);
		w->first_dlt = *linktype == LT_LINKTYPE_RAW ? LT_RAW : *linktype;
		w->snapshot = ng_snapshot(snaplen);
		w->frame.linktype = *linktype;
		w->frame.snaplen = snaplen;
		return link_of(*linktype, &w->link) ? 0 : -BS_ENOTFOUND;
	}
}

int pcapwalk_open(bytesource_t *src, pcapwalk_t **out, uint32_t *linktype, struct bs_err *err)
{
	*out = NULL;
	*linktype = UINT32_MAX;
	bs_err_clear(err);
	struct pcapwalk *w = calloc(1, sizeof *w);
	if (w == NULL) {
		bytesource_free(src);
		return bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
	}
	w->src = src;
	const uint8_t *h;
	size_t avail = 0;
	int rc = need(w, sizeof NG_MAGIC, &h, &avail);
	if (rc == 1) {
		if (memcmp(h, NG_MAGIC, sizeof NG_MAGIC) == 0) {
			w->ng = true;
			rc = ng_open(w, linktype, err);
		} else if (is_pcap_magic(h)) {
			rc = pcap_open(w, linktype, err);
		} else {
			rc = -BS_ENOTFOUND;
		}
	} else if (rc == 0) {
		rc = -BS_ENOTFOUND;
	}
	if (rc == -BS_EIO || rc == -BS_ENOMEM) {
		/* The source failed before the header was whole. */
		if (rc == -BS_ENOMEM || (w->src_done && w->src_rc == -BS_ENOMEM))
			bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
		else
			bs_err_set(err, -BS_EIO,
			           "cut short or corrupt: no packet could be read: %s",
			           bs_err_text(&w->src_err));
	}
	if (rc != 0) {
		if (rc == -BS_ENOTFOUND)
			bs_err_set(err, rc, "not pcap or pcapng, or a link type not walked");
		pcapwalk_free(w);
		return rc;
	}
	*out = w;
	return 0;
}

int pcapwalk_next(pcapwalk_t *w, struct reader_packet *pkt)
{
	memset(pkt, 0, sizeof *pkt);
	if (w->over)
		return w->over_rc;
	return w->ng ? ng_next(w, pkt) : pcap_next(w, pkt);
}

void pcapwalk_frame(const pcapwalk_t *w, struct reader_frame *f)
{
	*f = w->frame;
}

const struct bs_err *pcapwalk_error(const pcapwalk_t *w)
{
	return &w->error;
}

void pcapwalk_free(pcapwalk_t *w)
{
	if (w == NULL)
		return;
	bytesource_free(w->src);
	free(w->side);
	free(w->ifs);
	free(w);
}

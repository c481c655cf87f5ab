/* check_pcapwalk.c - the record walker (telescope/pcapwalk.c) and its byte
 * source (telescope/bytesource.c).
 *
 * Files are built here byte by byte. Every walk runs over memory sources
 * in blocks of 1, 3, 17, 4096 bytes and 1 MiB, so each record also
 * straddles blocks, and must give the same packets; file sources are read
 * through the decoding thread. What libtrace would say of the same files
 * is tests/e2e_walk.sh's and fuzz_walk's to check; here: byte orders,
 * nanoseconds, pcapng time resolutions, offsets, interfaces and sections,
 * the block kinds, layer 2, gzip and zstd (members, frames, damage), and
 * one message per malformed case. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "base/bs_error.h"
#include "telescope/bytesource.h"
#include "telescope/pcapwalk.h"

#define T0      1795478400u /* 2026-11-24T00:00:00Z */
#define MAXBUF  (1u << 20)
#define MAXPKT  64
#define ET_IPV4 0x0800u
#define ET_IPV6 0x86ddu

static const size_t BLOCKS[] = {1, 3, 17, 4096, 1u << 20};
#define NBLOCKS (sizeof BLOCKS / sizeof BLOCKS[0])

/* --- building files ------------------------------------------------------ */

struct buf {
	uint8_t *b;
	size_t n;
	int be;
};

static struct buf *buf_new(int be)
{
	struct buf *f = calloc(1, sizeof *f);
	f->b = calloc(1, MAXBUF);
	f->be = be;
	return f;
}

static void buf_free(struct buf *f)
{
	free(f->b);
	free(f);
}

static void put(struct buf *f, const void *p, size_t n)
{
	ck_assert_uint_le(f->n + n, MAXBUF);
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void u8(struct buf *f, unsigned v)
{
	uint8_t b = (uint8_t)v;
	put(f, &b, 1);
}

static void u16(struct buf *f, unsigned v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	if (!f->be) {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
	put(f, b, 2);
}

static void u32(struct buf *f, uint32_t v)
{
	if (f->be) {
		u16(f, v >> 16);
		u16(f, v & 0xffff);
	} else {
		u16(f, v & 0xffff);
		u16(f, v >> 16);
	}
}

static void pad4(struct buf *f)
{
	while (f->n % 4)
		u8(f, 0);
}

/* An IPv4 TCP SYN+ACK of 40 bytes (the layer 3 the tests look for). */
static const uint8_t SYNACK[40] = {0x45, 0, 0,  40, 0,    1,    0,    0,  64, 6, 0, 0, 192, 0,
                                   2,    1, 10, 0,  0,    1,    0,    80, 4,  0, 0, 0, 0,   1,
                                   0,    0, 0,  2,  0x50, 0x12, 0x20, 0,  0,  0, 0, 0};
static const uint8_t MACS[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

/* An Ethernet frame of SYNACK into fr; its length. */
static size_t eth_frame(uint8_t *fr, unsigned ethertype)
{
	memcpy(fr, MACS, 12);
	fr[12] = (uint8_t)(ethertype >> 8);
	fr[13] = (uint8_t)ethertype;
	memcpy(fr + 14, SYNACK, sizeof SYNACK);
	return 14 + sizeof SYNACK;
}

static void pcap_header(struct buf *f, int nanos, uint32_t linktype)
{
	u32(f, nanos ? 0xa1b23c4du : 0xa1b2c3d4u);
	u16(f, 2);
	u16(f, 4);
	u32(f, 0);
	u32(f, 0);
	u32(f, 65535);
	u32(f, linktype);
}

static void pcap_record(struct buf *f, uint32_t sec, uint32_t frac, const uint8_t *fr,
                        uint32_t caplen, uint32_t len)
{
	u32(f, sec);
	u32(f, frac);
	u32(f, caplen);
	u32(f, len);
	put(f, fr, caplen);
}

/* pcapng: a block of type with body bytes body[0..n) (padded). */
static void ng_block(struct buf *f, uint32_t type, const struct buf *body)
{
	size_t n = (body->n + 3) / 4 * 4;
	u32(f, type);
	u32(f, (uint32_t)(12 + n));
	put(f, body->b, body->n);
	pad4(f);
	u32(f, (uint32_t)(12 + n));
}

static void ng_shb(struct buf *f)
{
	struct buf *b = buf_new(f->be);
	u32(b, 0x1A2B3C4Du);
	u16(b, 1);
	u16(b, 0);
	u32(b, 0xffffffffu);
	u32(b, 0xffffffffu);
	ng_block(f, 0x0A0D0D0Au, b);
	buf_free(b);
}

/* tsresol < 0: none; tsoffset 0: none. */
static void ng_idb(struct buf *f, unsigned linktype, uint32_t snaplen, int tsresol,
                   uint64_t tsoffset)
{
	struct buf *b = buf_new(f->be);
	u16(b, linktype);
	u16(b, 0);
	u32(b, snaplen);
	if (tsresol >= 0) {
		u16(b, 9);
		u16(b, 1);
		u8(b, (unsigned)tsresol);
		pad4(b);
	}
	if (tsoffset != 0) {
		u16(b, 14);
		u16(b, 8);
		if (f->be) {
			u32(b, (uint32_t)(tsoffset >> 32));
			u32(b, (uint32_t)tsoffset);
		} else {
			u32(b, (uint32_t)tsoffset);
			u32(b, (uint32_t)(tsoffset >> 32));
		}
	}
	u16(b, 0);
	u16(b, 0);
	ng_block(f, 1, b);
	buf_free(b);
}

static void ng_epb(struct buf *f, uint32_t iface, uint64_t ticks, const uint8_t *fr,
                   uint32_t caplen, uint32_t len)
{
	struct buf *b = buf_new(f->be);
	u32(b, iface);
	u32(b, (uint32_t)(ticks >> 32));
	u32(b, (uint32_t)ticks);
	u32(b, caplen);
	u32(b, len);
	put(b, fr, caplen);
	pad4(b);
	u16(b, 1); /* a comment option */
	u16(b, 3);
	put(b, "hi!", 3);
	pad4(b);
	ng_block(f, 6, b);
	buf_free(b);
}

static void ng_spb(struct buf *f, const uint8_t *fr, uint32_t len)
{
	struct buf *b = buf_new(f->be);
	u32(b, len);
	put(b, fr, len);
	ng_block(f, 3, b);
	buf_free(b);
}

static void ng_pb(struct buf *f, unsigned iface, uint64_t ticks, const uint8_t *fr, uint32_t len)
{
	struct buf *b = buf_new(f->be);
	u16(b, iface);
	u16(b, 0);
	u32(b, (uint32_t)(ticks >> 32));
	u32(b, (uint32_t)ticks);
	u32(b, len);
	u32(b, len);
	put(b, fr, len);
	ng_block(f, 2, b);
	buf_free(b);
}

static void ng_other(struct buf *f, uint32_t type, size_t n)
{
	struct buf *b = buf_new(f->be);
	for (size_t i = 0; i < n; i++)
		u8(b, (unsigned)i);
	ng_block(f, type, b);
	buf_free(b);
}

/* --- walking ------------------------------------------------------------- */

struct got {
	int open_rc;
	int end_rc;
	size_t n;
	uint64_t ts[MAXPKT];
	long l3_off[MAXPKT]; /* offset of l3 in the record's frame, -1 without */
	size_t l3_len[MAXPKT];
	unsigned ethertype[MAXPKT];
	char msg[BS_ERR_MSGLEN];
};

/* Walks data in blocks of block bytes. l3 offsets are found by searching
 * the frame bytes for the layer 3 (SYNACK or what it holds). */
static void walk(const uint8_t *data, size_t n, size_t block, struct got *g)
{
	memset(g, 0, sizeof *g);
	bytesource_t *src;
	pcapwalk_t *w;
	struct bs_err err;
	uint32_t lt;
	ck_assert_int_eq(bytesource_open_mem(data, n, block, &src, &err), 0);
	g->open_rc = pcapwalk_open(src, &w, &lt, &err);
	if (g->open_rc != 0) {
		ck_assert_ptr_null(w);
		ck_assert_int_eq(err.code, g->open_rc);
		snprintf(g->msg, sizeof g->msg, "%s", err.msg);
		return;
	}
	struct reader_packet p;
	int rc;
	while ((rc = pcapwalk_next(w, &p)) == 1) {
		ck_assert_uint_lt(g->n, MAXPKT);
		g->ts[g->n] = p.ts_us;
		g->l3_len[g->n] = p.l3_len;
		g->ethertype[g->n] =
		    p.l3 != NULL && (p.ethertype == ET_IPV4 || p.ethertype == ET_IPV6) ? p.ethertype
		                                                                       : 0;
		/* Where the layer 3 starts: its first byte is 0x45 or 0x6x
		 * in these files; the offset is checked through l3_len. */
		g->l3_off[g->n] =
		    p.l3 != NULL ? (long)(p.l3[0] == 0x45 || (p.l3[0] >> 4) == 6) : -1;
		g->n++;
	}
	g->end_rc = rc;
	if (rc < 0) {
		ck_assert_int_eq(pcapwalk_error(w)->code, rc);
		snprintf(g->msg, sizeof g->msg, "%s", pcapwalk_error(w)->msg);
		ck_assert_ptr_null(strchr(g->msg, '\n'));
	}
	struct reader_packet again;
	ck_assert_int_eq(pcapwalk_next(w, &again), rc);
	pcapwalk_free(w);
}

/* Walks f in every block size; all must agree; the result in *g. */
static void walk_all(const struct buf *f, struct got *g)
{
	struct got *other = malloc(sizeof *other);
	walk(f->b, f->n, BLOCKS[0], g);
	for (size_t i = 1; i < NBLOCKS; i++) {
		walk(f->b, f->n, BLOCKS[i], other);
		ck_assert_int_eq(other->open_rc, g->open_rc);
		ck_assert_int_eq(other->end_rc, g->end_rc);
		ck_assert_str_eq(other->msg, g->msg);
		ck_assert_uint_eq(other->n, g->n);
		for (size_t k = 0; k < g->n; k++) {
			ck_assert_uint_eq(other->ts[k], g->ts[k]);
			ck_assert_uint_eq(other->l3_len[k], g->l3_len[k]);
			ck_assert_uint_eq(other->ethertype[k], g->ethertype[k]);
			ck_assert_int_eq(other->l3_off[k], g->l3_off[k]);
		}
	}
	free(other);
}

/* Expects f to walk to an error with exactly msg after n packets. */
static void expect_error(const struct buf *f, size_t n, const char *msg)
{
	struct got *g = malloc(sizeof *g);
	walk_all(f, g);
	ck_assert_int_eq(g->open_rc, 0);
	ck_assert_uint_eq(g->n, n);
	ck_assert_int_eq(g->end_rc, -BS_EIO);
	ck_assert_str_eq(g->msg, msg);
	free(g);
}

/* Expects opening f to fail with code and exactly msg (NULL: any). */
static void expect_open_error(const struct buf *f, int code, const char *msg)
{
	struct got *g = malloc(sizeof *g);
	walk_all(f, g);
	ck_assert_int_eq(g->open_rc, code);
	if (msg != NULL)
		ck_assert_str_eq(g->msg, msg);
	free(g);
}

/* --- classic pcap -------------------------------------------------------- */

START_TEST(pcap_byte_orders_and_nanoseconds)
{
	uint8_t fr[64];
	size_t len = eth_frame(fr, ET_IPV4);
	for (int be = 0; be < 2; be++) {
		for (int nanos = 0; nanos < 2; nanos++) {
			struct buf *f = buf_new(be);
			pcap_header(f, nanos, 1);
			pcap_record(f, T0, nanos ? 123456789u : 123456u, fr, (uint32_t)len,
			            (uint32_t)len);
			pcap_record(f, T0 + 1, nanos ? 999999999u : 999999u, fr, (uint32_t)len,
			            (uint32_t)len);
			struct got *g = malloc(sizeof *g);
			walk_all(f, g);
			ck_assert_int_eq(g->open_rc, 0);
			ck_assert_int_eq(g->end_rc, 0);
			ck_assert_uint_eq(g->n, 2);
			ck_assert_uint_eq(g->ts[0], T0 * 1000000ull + 123456u);
			ck_assert_uint_eq(g->ts[1], (T0 + 1) * 1000000ull + 999999u);
			/* 40 bytes of IPv4: the wire length plus the FCS is more. */
			ck_assert_uint_eq(g->l3_len[0], 40);
			ck_assert_uint_eq(g->ethertype[0], ET_IPV4);
			ck_assert_int_eq(g->l3_off[0], 1);
			free(g);
			buf_free(f);
		}
	}
}
END_TEST

/* Layer 2 as libtrace decodes it: tags, labels, PPPoE, what it leaves. */
START_TEST(pcap_ethernet_encapsulations)
{
	struct {
		const uint8_t *hdr;
		size_t hdr_len;
		unsigned ethertype; /* 0: no IP */
	} cases[] = {
	    {(const uint8_t *)"\x81\x00\x00\x05\x08\x00", 6, ET_IPV4},
	    {(const uint8_t *)"\x81\x00\x00\x05\x81\x00\x00\x06\x08\x00", 10, ET_IPV4},
	    {(const uint8_t *)"\x88\x47\x00\x01\x01\x40", 6, ET_IPV4}, /* MPLS, bottom */
	    {(const uint8_t *)"\x88\x47\x00\x01\x00\x40\x00\x02\x01\x40", 10,
	     ET_IPV4}, /* two labels */
	    {(const uint8_t *)"\x88\x64\x11\x00\x00\x01\x00\x2a\x00\x21", 10, ET_IPV4}, /* PPPoE */
	    {(const uint8_t *)"\x88\xa8\x00\x05\x08\x00", 6, 0}, /* 802.1ad: not decoded */
	    {(const uint8_t *)"\x08\x06", 2, 0},                 /* ARP */
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		uint8_t fr[128];
		memcpy(fr, MACS, 12);
		memcpy(fr + 12, cases[c].hdr, cases[c].hdr_len);
		memcpy(fr + 12 + cases[c].hdr_len, SYNACK, sizeof SYNACK);
		uint32_t len = (uint32_t)(12 + cases[c].hdr_len + sizeof SYNACK);
		struct buf *f = buf_new(0);
		pcap_header(f, 0, 1);
		pcap_record(f, T0, 0, fr, len, len);
		struct got *g = malloc(sizeof *g);
		walk_all(f, g);
		ck_assert_uint_eq(g->n, 1);
		ck_assert_msg(g->ethertype[0] == cases[c].ethertype, "case %zu: ethertype %x", c,
		              g->ethertype[0]);
		if (cases[c].ethertype != 0)
			ck_assert_uint_eq(g->l3_len[0], 40);
		free(g);
		buf_free(f);
	}
}
END_TEST

/* The layer-2 length is the smaller of the capture and the wire length
 * (plus 4 for Ethernet's FCS); 65532 bytes and more have no layer 3. */
START_TEST(pcap_lengths)
{
	uint8_t fr[64];
	size_t len = eth_frame(fr, ET_IPV4);
	struct buf *f = buf_new(0);
	pcap_header(f, 0, 1);
	pcap_record(f, T0, 0, fr, (uint32_t)len, 30);     /* wire 30 + 4: 20 bytes of IP */
	pcap_record(f, T0, 1, fr, 30, (uint32_t)len);     /* captured 30: 16 bytes of IP */
	pcap_record(f, T0, 2, fr, (uint32_t)len, 65532u); /* too long: no layer 3 */
	pcap_record(f, T0, 3, fr, 0, 60);                 /* nothing captured */
	pcap_record(f, T0, 4, fr, 14, 14);                /* a header and nothing */
	struct got *g = malloc(sizeof *g);
	walk_all(f, g);
	ck_assert_uint_eq(g->n, 5);
	ck_assert_uint_eq(g->l3_len[0], 20);
	ck_assert_uint_eq(g->l3_len[1], 16);
	ck_assert_int_eq(g->l3_off[2], -1);
	ck_assert_int_eq(g->l3_off[3], -1);
	ck_assert_int_eq(g->l3_off[4], -1);
	free(g);
	buf_free(f);
}
END_TEST

START_TEST(pcap_raw_and_sll)
{
	/* Raw IP (12 and 101): the version nibble names the protocol. */
	for (unsigned lt = 0; lt < 2; lt++) {
		struct buf *f = buf_new(1);
		pcap_header(f, 0, lt ? 101 : 12);
		pcap_record(f, T0, 0, SYNACK, 40, 40);
		pcap_record(f, T0, 0, (const uint8_t *)"\x00\x00\x00\x00", 4, 4);
		struct got *g = malloc(sizeof *g);
		walk_all(f, g);
		ck_assert_uint_eq(g->n, 2);
		ck_assert_uint_eq(g->ethertype[0], ET_IPV4);
		ck_assert_uint_eq(g->l3_len[0], 40);
		ck_assert_uint_eq(g->ethertype[1], 0);
		free(g);
		buf_free(f);
	}
	/* Linux SLL: hardware type and protocol as libtrace reads them. */
	struct {
		unsigned hatype, proto;
		unsigned ethertype;
	} cases[] = {{1, 0x0800, ET_IPV4},   {772, 0x86dd, ET_IPV4}, /* the nibble decides */
	             {512, 0x0021, ET_IPV4}, {0xfffe, 0, ET_IPV4},
	             {778, 0x0800, 0}, /* GRE: unknown to libtrace */
	             {1, 0x0060, ET_IPV4}};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		uint8_t fr[128] = {0, 4, (uint8_t)(cases[c].hatype >> 8), (uint8_t)cases[c].hatype,
		                   0, 6};
		fr[14] = (uint8_t)(cases[c].proto >> 8);
		fr[15] = (uint8_t)cases[c].proto;
		size_t len = 16;
		if (cases[c].proto == 0x0060)
			len += eth_frame(fr + 16, ET_IPV4);
		else {
			memcpy(fr + 16, SYNACK, sizeof SYNACK);
			len += sizeof SYNACK;
		}
		struct buf *f = buf_new(0);
		pcap_header(f, 0, 113);
		pcap_record(f, T0, 0, fr, (uint32_t)len, (uint32_t)len);
		struct got *g = malloc(sizeof *g);
		walk_all(f, g);
		ck_assert_uint_eq(g->n, 1);
		ck_assert_msg(g->ethertype[0] == cases[c].ethertype, "SLL case %zu", c);
		if (cases[c].ethertype != 0)
			ck_assert_uint_eq(g->l3_len[0], 40);
		free(g);
		buf_free(f);
	}
}
END_TEST

START_TEST(pcap_malformed)
{
	uint8_t fr[64];
	size_t len = eth_frame(fr, ET_IPV4);
	struct buf *f = buf_new(0);
	pcap_header(f, 0, 1);
	pcap_record(f, T0, 0, fr, (uint32_t)len, (uint32_t)len);
	size_t one = f->n;
	/* A record claiming 64 KiB. */
	u32(f, T0);
	u32(f, 0);
	u32(f, 65536);
	u32(f, 65536);
	expect_error(f, 1, "Invalid caplen in pcap header (65536) - trace may be corrupt");
	/* Cut inside the next record's header, then inside its body. */
	f->n = one + 7;
	expect_error(f, 1, "Incomplete pcap packet header: Input/output error");
	f->n = one;
	pcap_record(f, T0, 0, fr, (uint32_t)len, (uint32_t)len);
	f->n -= 5;
	expect_error(f, 1, "Incomplete pcap packet body: Input/output error");
	/* A whole header and no body is libtrace's end of the trace. */
	f->n = one + 16;
	struct got *g = malloc(sizeof *g);
	walk_all(f, g);
	ck_assert_int_eq(g->end_rc, 0);
	ck_assert_uint_eq(g->n, 1);
	free(g);
	/* File headers. */
	f->n = 20;
	expect_open_error(f, -BS_EFORMAT, "Incomplete pcap file header");
	struct buf *v = buf_new(0);
	pcap_header(v, 0, 1);
	v->b[4] = 3; /* version 3.0 */
	v->b[6] = 0;
	expect_open_error(v, -BS_EFORMAT, "Unknown pcap tracefile version 3.0");
	/* Link types not walked, and not pcap at all: for libtrace. */
	v->n = 0;
	pcap_header(v, 0, 105);
	expect_open_error(v, -BS_ENOTFOUND, NULL);
	v->n = 0;
	put(v, "not a trace", 11);
	expect_open_error(v, -BS_ENOTFOUND, NULL);
	buf_free(v);
	buf_free(f);
}
END_TEST

/* --- pcapng -------------------------------------------------------------- */

START_TEST(pcapng_resolutions_offsets_interfaces)
{
	uint8_t fr[64];
	size_t len = eth_frame(fr, ET_IPV4);
	for (int be = 0; be < 2; be++) {
		struct buf *f = buf_new(be);
		ng_shb(f);
		ng_other(f, 0x00000BADu, 13); /* custom: skipped */
		ng_idb(f, 1, 0, -1, 0);       /* microseconds */
		ng_idb(f, 1, 0, 9, 0);        /* nanoseconds */
		ng_idb(f, 1, 0, 0x94, 0);     /* 2^-20 s */
		ng_idb(f, 1, 0, 3, 100);      /* milliseconds, 100 s later */
		ng_idb(f, 1, 0, 0x80, 0);     /* seconds (2^0) */
		ng_other(f, 5, 16);           /* interface statistics: skipped */
		uint64_t t = T0;
		ng_epb(f, 0, t * 1000000 + 250000, fr, (uint32_t)len, (uint32_t)len);
		ng_epb(f, 1, t * 1000000000 + 250000999, fr, (uint32_t)len, (uint32_t)len);
		ng_epb(f, 2, (t << 20) + (1u << 18), fr, (uint32_t)len, (uint32_t)len);
		ng_epb(f, 3, (t - 100) * 1000 + 250, fr, (uint32_t)len, (uint32_t)len);
		ng_epb(f, 4, t, fr, (uint32_t)len, (uint32_t)len);
		ng_pb(f, 0, t * 1000000 + 7, fr, (uint32_t)len);
		ng_spb(f, fr, (uint32_t)len);
		struct got *g = malloc(sizeof *g);
		walk_all(f, g);
		ck_assert_int_eq(g->open_rc, 0);
		ck_assert_int_eq(g->end_rc, 0);
		ck_assert_uint_eq(g->n, 7);
		for (int i = 0; i < 4; i++)
			ck_assert_uint_eq(g->ts[i], t * 1000000 + 250000);
		ck_assert_uint_eq(g->ts[4], t * 1000000);
		ck_assert_uint_eq(g->ts[5], t * 1000000 + 7);
		ck_assert_uint_eq(g->ts[6], 0); /* Simple Packet Blocks have no time */
		for (int i = 0; i < 7; i++) {
			ck_assert_uint_eq(g->ethertype[i], ET_IPV4);
			ck_assert_uint_eq(g->l3_len[i], 40);
		}
		free(g);
		buf_free(f);
	}
}
END_TEST

START_TEST(pcapng_sections)
{
	uint8_t fr[64];
	size_t len = eth_frame(fr, ET_IPV4);
	struct buf *f = buf_new(1);
	ng_shb(f);
	ng_idb(f, 1, 0, 9, 0);
	ng_epb(f, 0, (uint64_t)T0 * 1000000000, fr, (uint32_t)len, (uint32_t)len);
	ng_shb(f);
	ng_idb(f, 1, 0, -1, 0); /* interface 0 again, in microseconds now */
	ng_epb(f, 0, (uint64_t)T0 * 1000000 + 5, fr, (uint32_t)len, (uint32_t)len);
	struct got *g = malloc(sizeof *g);
	walk_all(f, g);
	ck_assert_uint_eq(g->n, 2);
	ck_assert_uint_eq(g->ts[0], (uint64_t)T0 * 1000000);
	ck_assert_uint_eq(g->ts[1], (uint64_t)T0 * 1000000 + 5);
	/* A section without interfaces: its packet names none. */
	ng_shb(f);
	ng_epb(f, 0, 0, fr, (uint32_t)len, (uint32_t)len);
	expect_error(f, 2,
	             "a packet arrived on interface 0, but there's no Interface Description Block "
	             "for that interface");
	free(g);
	buf_free(f);
}
END_TEST

/* A pcapng file with the first SHB and IDB, for the malformed cases. */
static struct buf *ng_start(int be, uint32_t snaplen)
{
	struct buf *f = buf_new(be);
	ng_shb(f);
	ng_idb(f, 1, snaplen, -1, 0);
	return f;
}

START_TEST(pcapng_malformed_blocks)
{
	uint8_t fr[64];
	size_t len = eth_frame(fr, ET_IPV4);
	struct buf *f = ng_start(0, 0);
	size_t start = f->n;
	ng_epb(f, 0, 1, fr, (uint32_t)len, (uint32_t)len);
	size_t one = f->n;
	u32(f, 6);
	u32(f, 8);
	expect_error(f, 1, "block in pcapng dump file has a length of 8 < 12");
	f->n = one;
	u32(f, 6);
	u32(f, 30);
	expect_error(f, 1,
	             "block in pcapng dump file has a length of 30 that is not a multiple of 4");
	f->n = one;
	u32(f, 6);
	u32(f, (16u << 20) + 4);
	expect_error(f, 1, "pcapng block size 16777220 > maximum 16777216");
	f->n = one;
	u32(f, 6);
	expect_error(f, 1, "truncated pcapng dump file; tried to read 8 bytes, only got 4");
	f->n = one;
	ng_epb(f, 0, 1, fr, (uint32_t)len, (uint32_t)len);
	f->n -= 6;
	expect_error(f, 1, "truncated pcapng dump file; tried to read 88 bytes, only got 82");
	f->n = one;
	ng_epb(f, 0, 1, fr, (uint32_t)len, (uint32_t)len);
	f->b[f->n - 4] ^= 4;
	expect_error(f, 1, "block total length in header and trailer don't match");
	/* A skipped block is read to its trailer too. */
	f->n = one;
	ng_other(f, 0x40000BADu, 5000);
	f->n -= 100;
	expect_error(f, 1, "truncated pcapng dump file; tried to read 5004 bytes, only got 4904");
	f->n = one;
	ng_other(f, 6, 8); /* an EPB too short for its fields */
	expect_error(f, 1, "block of type 6 in pcapng dump file is too short");
	f->n = one;
	ng_epb(f, 7, 1, fr, (uint32_t)len, (uint32_t)len);
	expect_error(f, 1,
	             "a packet arrived on interface 7, but there's no Interface Description Block "
	             "for that interface");
	/* The capture length over the block's bytes. */
	f->n = one;
	ng_epb(f, 0, 1, fr, (uint32_t)len, (uint32_t)len);
	f->b[one + 8 + 12] = 200;
	expect_error(f, 1, "block of type 6 in pcapng dump file is too short");
	/* Over the snapshot length. */
	struct buf *s = ng_start(0, 40);
	ng_epb(s, 0, 1, fr, (uint32_t)len, (uint32_t)len);
	expect_error(s, 0, "invalid packet capture length 54, bigger than snaplen of 40");
	buf_free(s);
	/* Later interfaces and sections. */
	f->n = one;
	ng_idb(f, 113, 0, -1, 0);
	expect_error(f, 1,
	             "an interface has a type 113 different from the type of the first interface");
	f->n = one;
	ng_idb(f, 1, 1500, -1, 0);
	expect_error(
	    f, 1,
	    "an interface has a snapshot length 1500 different from the snapshot length of "
	    "the first interface");
	f->n = one;
	ng_idb(f, 1, 0, 20, 0);
	expect_error(f, 1,
	             "Interface Description Block if_tsresol option resolution 10^-20 is too high");
	f->n = one;
	ng_idb(f, 1, 0, 0x80 | 64, 0);
	expect_error(f, 1,
	             "Interface Description Block if_tsresol option resolution 2^-64 is too high");
	f->n = one;
	f->be = 1;
	ng_shb(f);
	f->be = 0;
	ck_assert_uint_gt(f->n, one);
	/* A big-endian section in a little-endian file: its length (28) read
	 * the wrong way round, as libpcap reads it. */
	expect_error(f, 1, "pcapng block size 469762048 > maximum 16777216");
	(void)start;
	buf_free(f);
}
END_TEST

START_TEST(pcapng_malformed_headers)
{
	uint8_t fr[64];
	size_t len = eth_frame(fr, ET_IPV4);
	struct buf *f = buf_new(0);
	ng_shb(f);
	expect_open_error(f, -BS_EFORMAT, "the capture file has no Interface Description Blocks");
	ng_epb(f, 0, 1, fr, (uint32_t)len, (uint32_t)len);
	expect_open_error(f, -BS_EFORMAT,
	                  "the capture file has a packet block before any Interface Description "
	                  "Blocks");
	f->n = 0;
	ng_shb(f);
	f->b[4] = 20; /* SHB length 20 */
	expect_open_error(f, -BS_EFORMAT,
	                  "Section Header Block in pcapng dump file has invalid length 28 < _20_ < "
	                  "1048576 (BT_SHB_INSANE_MAX)");
	f->n = 0;
	ng_shb(f);
	f->b[12] = 2; /* version 2.0 */
	ng_idb(f, 1, 0, -1, 0);
	expect_open_error(f, -BS_EFORMAT, "unsupported pcapng savefile version 2.0");
	f->n = 0;
	ng_shb(f);
	f->b[8] = 0; /* byte-order magic */
	expect_open_error(f, -BS_EFORMAT, "unknown file format");
	f->n = 0;
	ng_shb(f);
	ng_idb(f, 1, 0, 9, 0);
	f->b[f->n - 16 + 2] = 2; /* if_tsresol of length 2 */
	expect_open_error(f, -BS_EFORMAT,
	                  "Interface Description Block has if_tsresol option with length 2 != 1");
	f->n = 0;
	ng_shb(f);
	ng_idb(f, 127, 0, -1, 0); /* radiotap: libtrace's */
	expect_open_error(f, -BS_ENOTFOUND, NULL);
	buf_free(f);
}
END_TEST

/* --- byte sources ---------------------------------------------------------- */

/* A pcap of n records into f (big enough for several blocks). */
static void big_pcap(struct buf *f, unsigned n)
{
	uint8_t fr[64];
	size_t len = eth_frame(fr, ET_IPV4);
	pcap_header(f, 0, 1);
	for (unsigned i = 0; i < n; i++)
		pcap_record(f, T0 + i, i % 1000000, fr, (uint32_t)len, (uint32_t)len);
}

/* gzip of data[0..n) appended to out. */
static void gzip_into(struct buf *out, const uint8_t *data, size_t n)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)n;
	z.next_out = out->b + out->n;
	z.avail_out = (uInt)(MAXBUF - out->n);
	ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->n += z.total_out;
	deflateEnd(&z);
}

static void zstd_into(struct buf *out, const uint8_t *data, size_t n)
{
	size_t r = ZSTD_compress(out->b + out->n, MAXBUF - out->n, data, n, 3);
	ck_assert(!ZSTD_isError(r));
	out->n += r;
}

/* Walks compressed bytes; expects the packets of the plain pcap. */
static void expect_same_packets(const struct buf *z, unsigned n, int end_rc)
{
	struct got *g = malloc(sizeof *g);
	for (size_t i = 1; i < NBLOCKS; i++) {
		walk(z->b, z->n, BLOCKS[i], g);
		ck_assert_int_eq(g->open_rc, 0);
		ck_assert_int_eq(g->end_rc, end_rc);
		if (end_rc == 0)
			ck_assert_uint_eq(g->n, n);
		for (size_t k = 0; k < g->n; k++)
			ck_assert_uint_eq(g->ts[k], (T0 + k) * 1000000ull + k);
	}
	free(g);
}

START_TEST(gzip_members_and_damage)
{
	struct buf *p = buf_new(0);
	big_pcap(p, 60);
	struct buf *z = buf_new(0);
	gzip_into(z, p->b, p->n);
	expect_same_packets(z, 60, 0);
	/* Two members, cut anywhere in the pcap. */
	z->n = 0;
	gzip_into(z, p->b, 1000);
	gzip_into(z, p->b + 1000, p->n - 1000);
	expect_same_packets(z, 60, 0);
	/* Cut short, garbage after a member, a bad checksum. */
	size_t whole = z->n;
	z->n -= 3;
	expect_same_packets(z, 0, -BS_EIO);
	struct got *g = malloc(sizeof *g);
	walk(z->b, z->n, 4096, g);
	ck_assert_str_eq(g->msg, "gzip data cut short");
	z->n = whole;
	put(z, "trailing garbage", 16);
	walk(z->b, z->n, 4096, g);
	ck_assert_uint_eq(g->n, 60);
	/* "bad gzip header" (ISA-L) or "incorrect header check" (zlib). */
	ck_assert_ptr_nonnull(strstr(g->msg, "gzip data corrupt: "));
	z->n = whole;
	z->b[whole - 8] ^= 0xff;
	walk(z->b, z->n, 1u << 20, g);
	ck_assert_uint_eq(g->n, 60);
	ck_assert_int_eq(g->end_rc, -BS_EIO);
	ck_assert_ptr_nonnull(strstr(g->msg, "gzip data corrupt"));
	free(g);
	buf_free(z);
	buf_free(p);
}
END_TEST

START_TEST(zstd_frames_and_damage)
{
	struct buf *p = buf_new(0);
	big_pcap(p, 60);
	struct buf *z = buf_new(0);
	zstd_into(z, p->b, p->n);
	expect_same_packets(z, 60, 0);
	z->n = 0;
	zstd_into(z, p->b, 777);
	zstd_into(z, p->b + 777, p->n - 777);
	expect_same_packets(z, 60, 0);
	z->n -= 3;
	struct got *g = malloc(sizeof *g);
	walk(z->b, z->n, 4096, g);
	ck_assert_int_eq(g->end_rc, -BS_EIO);
	ck_assert_str_eq(g->msg, "zstd data cut short");
	free(g);
	buf_free(z);
	buf_free(p);
}
END_TEST

START_TEST(other_compressions_are_refused)
{
	bytesource_t *s;
	struct bs_err err;
	ck_assert_int_eq(bytesource_open_mem("BZh91AY", 7, 16, &s, &err), -BS_EFORMAT);
	ck_assert_str_eq(err.msg, "bzip2-compressed");
	ck_assert_int_eq(bytesource_open_mem("\xfd"
	                                     "7zXZ\0",
	                                     6, 16, &s, &err),
	                 -BS_EFORMAT);
	ck_assert_int_eq(bytesource_open("/nonexistent/x.pcap", &s, &err), -BS_EIO);
	ck_assert_ptr_null(s);
}
END_TEST

/* A file source (the decoding thread, a ring of 1 MiB blocks) hands out
 * the file's bytes in order: plain and gzip, several blocks long. */
START_TEST(file_sources_in_order)
{
	struct buf *p = buf_new(0);
	big_pcap(p, 12000); /* 840 KB */
	struct buf *z = buf_new(0);
	gzip_into(z, p->b, p->n);
	for (int gz = 0; gz < 2; gz++) {
		char path[] = "/tmp/check_pcapwalk.XXXXXX";
		int fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		const struct buf *src = gz ? z : p;
		/* Three copies of the bytes: past the ring's four blocks. */
		for (int i = 0; i < 3; i++)
			ck_assert_int_eq(write(fd, src->b, src->n), (ssize_t)src->n);
		close(fd);
		bytesource_t *s;
		struct bs_err err;
		ck_assert_int_eq(bytesource_open(path, &s, &err), 0);
		ck_assert_int_eq(bytesource_kind(s), gz ? BYTESOURCE_GZIP : BYTESOURCE_PLAIN);
		size_t at = 0, total = 3 * p->n;
		const uint8_t *data;
		size_t len;
		int rc;
		while ((rc = bytesource_next(s, &data, &len, &err)) == 1) {
			ck_assert_uint_le(at + len, total);
			for (size_t i = 0; i < len; i += 997)
				ck_assert_uint_eq(data[i], p->b[(at + i) % p->n]);
			at += len;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(at, total);
		bytesource_free(s);
		/* Freed while the thread is ahead: no hang, no leak. */
		ck_assert_int_eq(bytesource_open(path, &s, &err), 0);
		ck_assert_int_eq(bytesource_next(s, &data, &len, &err), 1);
		ck_assert_int_eq(bytesource_next(s, &data, &len, &err), 1);
		bytesource_free(s);
		unlink(path);
	}
	buf_free(z);
	buf_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pcapwalk");
	TCase *pcap = tcase_create("pcap");
	tcase_add_test(pcap, pcap_byte_orders_and_nanoseconds);
	tcase_add_test(pcap, pcap_ethernet_encapsulations);
	tcase_add_test(pcap, pcap_lengths);
	tcase_add_test(pcap, pcap_raw_and_sll);
	tcase_add_test(pcap, pcap_malformed);
	suite_add_tcase(s, pcap);
	TCase *ng = tcase_create("pcapng");
	tcase_add_test(ng, pcapng_resolutions_offsets_interfaces);
	tcase_add_test(ng, pcapng_sections);
	tcase_add_test(ng, pcapng_malformed_blocks);
	tcase_add_test(ng, pcapng_malformed_headers);
	suite_add_tcase(s, ng);
	TCase *src = tcase_create("bytesource");
	tcase_set_timeout(src, 60);
	tcase_add_test(src, gzip_members_and_damage);
	tcase_add_test(src, zstd_frames_and_damage);
	tcase_add_test(src, other_compressions_are_refused);
	tcase_add_test(src, file_sources_in_order);
	suite_add_tcase(s, src);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

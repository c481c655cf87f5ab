/* pcapng.c - packets written as one pcapng file (see pcapng.h). Block
 * layouts from the IETF draft "PCAP Next Generation (pcapng) Capture File
 * Format", sections 4.1 (SHB), 4.2 (IDB), 4.3 (EPB) and 3.5 (options). */
#include "outdir/pcapng.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_buf.h"
#include "base/bs_error.h"
#include "outdir/outfile.h"

/* Block types and fixed values of the draft. */
#define PCAPNG_BT_SHB      0x0A0D0D0Au
#define PCAPNG_BT_IDB      0x00000001u
#define PCAPNG_BT_EPB      0x00000006u
#define PCAPNG_BOM         0x1A2B3C4Du /* written in our (little-endian) order */
#define PCAPNG_MAJOR       1u
#define PCAPNG_MINOR       0u
#define PCAPNG_OPT_END     0u /* opt_endofopt */
#define PCAPNG_OPT_COMMENT 1u
/* Every block and option value is padded to 32 bits. */
#define PCAPNG_ALIGN 4u
/* Block type, block total length, ..., block total length again. */
#define PCAPNG_BLOCK_OVERHEAD 12u
/* Fixed fields of each block: SHB byte-order magic, versions (2 x 16
 * bits) and section length (64); IDB link type, reserved (16 bits each)
 * and snapshot length; EPB interface, time (2 x 32 bits), captured and
 * original lengths. */
#define PCAPNG_SHB_FIXED 16u
#define PCAPNG_IDB_FIXED 8u
#define PCAPNG_EPB_FIXED 20u
/* Section length -1: not given, readers walk the blocks. */
#define PCAPNG_SECTION_LEN_UNKNOWN UINT64_MAX

struct pcapng_if {
	uint32_t linktype, snaplen;
};

struct pcapng {
	char *comment; /* the section's, NULL for none */
	struct pcapng_if *ifs;
	size_t n_ifs, cap_ifs;
	struct bs_buf epbs; /* the Enhanced Packet Blocks, encoded */
	size_t n_packets;
};

static size_t pad4(size_t n)
{
	return (n + PCAPNG_ALIGN - 1) / PCAPNG_ALIGN * PCAPNG_ALIGN;
}

static void put_zeros(struct bs_buf *b, size_t n)
{
	static const uint8_t zeros[PCAPNG_ALIGN];
	bs_buf_put_bytes(b, zeros, n);
}

pcapng_t *pcapng_create(void)
{
	return calloc(1, sizeof(pcapng_t));
}

void pcapng_free(pcapng_t *p)
{
	if (p == NULL)
		return;
	free(p->comment);
	free(p->ifs);
	bs_buf_free(&p->epbs);
	free(p);
}

int pcapng_set_comment(pcapng_t *p, const char *comment)
{
	size_t n = strnlen(comment, PCAPNG_COMMENT_MAX);
	char *c = malloc(n + 1);
	if (c == NULL)
		return -BS_ENOMEM;
	memcpy(c, comment, n);
	c[n] = '\0';
	free(p->comment);
	p->comment = c;
	return 0;
}

size_t pcapng_count(const pcapng_t *p)
{
	return p->n_packets;
}

/* The interface number of (linktype, snaplen), added when new. */
static int interface_of(pcapng_t *p, uint32_t linktype, uint32_t snaplen, uint32_t *id)
{
	for (size_t i = 0; i < p->n_ifs; i++)
		if (p->ifs[i].linktype == linktype && p->ifs[i].snaplen == snaplen) {
			*id = (uint32_t)i;
			return 0;
		}
	if (p->n_ifs == PCAPNG_MAX_IFS)
		return -BS_ERANGE;
	if (bs_array_reserve(&p->ifs, &p->cap_ifs, p->n_ifs + 1, sizeof *p->ifs))
		return -BS_ENOMEM;
	p->ifs[p->n_ifs] = (struct pcapng_if){linktype, snaplen};
	*id = (uint32_t)p->n_ifs++;
	return 0;
}

/* Bytes of the options a comment of clen bytes takes: opt_comment and
 * opt_endofopt, or none without a comment. */
static size_t options_len(size_t clen)
{
	return clen > 0 ? 2 * sizeof(uint16_t) + pad4(clen) + 2 * sizeof(uint16_t) : 0;
}

static void put_options(struct bs_buf *b, const char *comment, size_t clen)
{
	if (clen == 0)
		return;
	bs_buf_put_u16(b, PCAPNG_OPT_COMMENT);
	bs_buf_put_u16(b, (uint16_t)clen);
	bs_buf_put_bytes(b, comment, clen);
	put_zeros(b, pad4(clen) - clen);
	bs_buf_put_u16(b, PCAPNG_OPT_END);
	bs_buf_put_u16(b, 0);
}

int pcapng_add(pcapng_t *p, const struct pcapng_packet *pkt)
{
	if (pkt->caplen > PCAPNG_CAPLEN_MAX)
		return -BS_EINVAL;
	uint32_t id;
	int rc = interface_of(p, pkt->linktype, pkt->snaplen, &id);
	if (rc != 0)
		return rc;
	size_t clen = pkt->comment != NULL ? strnlen(pkt->comment, PCAPNG_COMMENT_MAX) : 0;
	size_t total =
	    PCAPNG_BLOCK_OVERHEAD + PCAPNG_EPB_FIXED + pad4(pkt->caplen) + options_len(clen);
	struct bs_buf *b = &p->epbs;
	bs_buf_put_u32(b, PCAPNG_BT_EPB);
	bs_buf_put_u32(b, (uint32_t)total);
	bs_buf_put_u32(b, id);
	bs_buf_put_u32(b, (uint32_t)(pkt->ts_us >> 32));
	bs_buf_put_u32(b, (uint32_t)pkt->ts_us);
	bs_buf_put_u32(b, pkt->caplen);
	bs_buf_put_u32(b, pkt->wirelen);
	bs_buf_put_bytes(b, pkt->bytes, pkt->caplen);
	put_zeros(b, pad4(pkt->caplen) - pkt->caplen);
	put_options(b, pkt->comment, clen);
	bs_buf_put_u32(b, (uint32_t)total);
	if ((rc = bs_buf_status(b)) != 0)
		return rc;
	p->n_packets++;
	return 0;
}

/* The Section Header Block and the Interface Description Blocks. */
static void put_head(const pcapng_t *p, struct bs_buf *b)
{
	size_t clen = p->comment != NULL ? strlen(p->comment) : 0;
	uint32_t shb = (uint32_t)(PCAPNG_BLOCK_OVERHEAD + PCAPNG_SHB_FIXED + options_len(clen));
	bs_buf_put_u32(b, PCAPNG_BT_SHB);
	bs_buf_put_u32(b, shb);
	bs_buf_put_u32(b, PCAPNG_BOM);
	bs_buf_put_u16(b, PCAPNG_MAJOR);
	bs_buf_put_u16(b, PCAPNG_MINOR);
	bs_buf_put_u64(b, PCAPNG_SECTION_LEN_UNKNOWN);
	put_options(b, p->comment, clen);
	bs_buf_put_u32(b, shb);
	uint32_t idb = PCAPNG_BLOCK_OVERHEAD + PCAPNG_IDB_FIXED;
	for (size_t i = 0; i < p->n_ifs; i++) {
		bs_buf_put_u32(b, PCAPNG_BT_IDB);
		bs_buf_put_u32(b, idb);
		bs_buf_put_u16(b, (uint16_t)p->ifs[i].linktype);
		bs_buf_put_u16(b, 0); /* reserved */
		bs_buf_put_u32(b, p->ifs[i].snaplen);
		bs_buf_put_u32(b, idb);
	}
}

int pcapng_write(const pcapng_t *p, const char *dir, const char *name)
{
	struct bs_buf head = {0};
	put_head(p, &head);
	int rc = bs_buf_status(&head);
	if (rc != 0) {
		bs_buf_free(&head);
		return rc;
	}
	outfile_t *o;
	if ((rc = outfile_open(dir, name, &o)) != 0) {
		bs_buf_free(&head);
		return rc;
	}
	FILE *f = outfile_stream(o);
	fwrite(head.data, 1, head.len, f);
	if (p->epbs.len > 0)
		fwrite(p->epbs.data, 1, p->epbs.len, f);
	bs_buf_free(&head);
	/* outfile_commit() checks the stream's error flag. */
	return outfile_commit(o);
}

/* ---- reading back ---- */

/* One block's bytes: its type, and body (between the total length and its
 * repetition) in buf[0..len). */
struct block {
	uint32_t type;
	uint8_t *buf;
	size_t len;
	uint64_t offset; /* of its first byte in the file */
};

/* A reading: the stream, the interfaces met, where it stands. */
struct reading {
	FILE *f;
	uint64_t offset;
	struct pcapng_if *ifs;
	size_t n_ifs, cap_ifs;
	struct bs_err *err;
};

/* The next block into b (b->buf holds PCAPNG_BLOCK_MAX bytes). 1 for a
 * block, 0 at the end of the file, or a negative code with err set. */
static int next_block(struct reading *rd, struct block *b)
{
	uint8_t head[8];
	size_t got = fread(head, 1, sizeof head, rd->f);
	if (got == 0 && !ferror(rd->f))
		return 0;
	if (got < sizeof head)
		return ferror(rd->f)
		           ? bs_err_io(rd->err, errno, "byte %llu", (unsigned long long)rd->offset)
		           : bs_err_set(rd->err, -BS_EFORMAT,
		                        "byte %llu: the file ends inside a block header",
		                        (unsigned long long)rd->offset);
	struct bs_buf_reader r;
	bs_buf_reader_init(&r, head, sizeof head);
	b->type = bs_buf_get_u32(&r);
	uint32_t total = bs_buf_get_u32(&r);
	b->offset = rd->offset;
	/* Before its length, which in another format means something else. */
	if (b->offset == 0 && b->type != PCAPNG_BT_SHB)
		return bs_err_set(rd->err, -BS_EFORMAT, "byte 0: not a pcapng file");
	if (total < PCAPNG_BLOCK_OVERHEAD || total % PCAPNG_ALIGN != 0 || total > PCAPNG_BLOCK_MAX)
		return bs_err_set(rd->err, -BS_EFORMAT,
		                  "byte %llu: block length %u is under %u, not a multiple of %u or "
		                  "over %u",
		                  (unsigned long long)b->offset, total, PCAPNG_BLOCK_OVERHEAD,
		                  PCAPNG_ALIGN, PCAPNG_BLOCK_MAX);
	/* The body and the trailing length. */
	size_t rest = total - sizeof head;
	if (fread(b->buf, 1, rest, rd->f) != rest)
		return ferror(rd->f)
		           ? bs_err_io(rd->err, errno, "byte %llu", (unsigned long long)b->offset)
		           : bs_err_set(rd->err, -BS_EFORMAT,
		                        "byte %llu: the file ends inside a block of %u "
		                        "bytes",
		                        (unsigned long long)b->offset, total);
	b->len = rest - sizeof(uint32_t);
	bs_buf_reader_init(&r, b->buf + b->len, sizeof(uint32_t));
	uint32_t trailer = bs_buf_get_u32(&r);
	if (trailer != total)
		return bs_err_set(
		    rd->err, -BS_EFORMAT,
		    "byte %llu: block length %u at its end differs from %u at its start",
		    (unsigned long long)b->offset, trailer, total);
	rd->offset += total;
	return 1;
}

/* The options left in r: at most one opt_comment (copied to comment,
 * NUL-terminated, when comment is not NULL), then opt_endofopt or the end
 * of the block. */
static int read_options(struct reading *rd, const struct block *b, struct bs_buf_reader *r,
                        char *comment)
{
	bool have_comment = false;
	while (bs_buf_left(r) > 0) {
		uint16_t code = bs_buf_get_u16(r), len = bs_buf_get_u16(r);
		if (bs_buf_failed(r))
			break;
		if (code == PCAPNG_OPT_END) {
			if (len != 0 || bs_buf_left(r) != 0)
				break;
			return 0;
		}
		const uint8_t *value = bs_buf_get_bytes(r, len);
		if (code != PCAPNG_OPT_COMMENT || comment == NULL)
			return bs_err_set(rd->err, -BS_EFORMAT,
			                  "byte %llu: option %u of block type 0x%08x is not one "
			                  "backscatter writes",
			                  (unsigned long long)b->offset, code, b->type);
		const uint8_t *pad = bs_buf_get_bytes(r, pad4(len) - len);
		static const uint8_t zeros[PCAPNG_ALIGN];
		if (have_comment || len == 0 || len > PCAPNG_COMMENT_MAX || value == NULL ||
		    pad == NULL || memchr(value, '\0', len) != NULL ||
		    memcmp(pad, zeros, pad4(len) - len) != 0)
			return bs_err_set(
			    rd->err, -BS_EFORMAT,
			    "byte %llu: a second comment, or one empty, over %u bytes, "
			    "holding a NUL byte, not padded with zeros or past its block",
			    (unsigned long long)b->offset, PCAPNG_COMMENT_MAX);
		memcpy(comment, value, len);
		comment[len] = '\0';
		have_comment = true;
	}
	if (!bs_buf_failed(r) && bs_buf_left(r) == 0)
		return 0;
	return bs_err_set(rd->err, -BS_EFORMAT, "byte %llu: options run past their block",
	                  (unsigned long long)b->offset);
}

static int read_shb(struct reading *rd, const struct block *b, char *comment)
{
	struct bs_buf_reader r;
	bs_buf_reader_init(&r, b->buf, b->len);
	uint32_t bom = bs_buf_get_u32(&r);
	uint16_t major = bs_buf_get_u16(&r);
	uint16_t minor = bs_buf_get_u16(&r);
	bs_buf_get_u64(&r); /* section length: the blocks are walked */
	if (bs_buf_failed(&r) || bom != PCAPNG_BOM || major != PCAPNG_MAJOR ||
	    minor != PCAPNG_MINOR)
		return bs_err_set(rd->err, -BS_EFORMAT,
		                  "byte 0: not a little-endian pcapng section of version %u.%u",
		                  PCAPNG_MAJOR, PCAPNG_MINOR);
	return read_options(rd, b, &r, comment);
}

static int read_idb(struct reading *rd, const struct block *b)
{
	struct bs_buf_reader r;
	bs_buf_reader_init(&r, b->buf, b->len);
	struct pcapng_if in;
	in.linktype = bs_buf_get_u16(&r);
	bs_buf_get_u16(&r); /* reserved */
	in.snaplen = bs_buf_get_u32(&r);
	if (bs_buf_failed(&r))
		return bs_err_set(rd->err, -BS_EFORMAT, "byte %llu: interface block too short",
		                  (unsigned long long)b->offset);
	int rc = read_options(rd, b, &r, NULL);
	if (rc != 0)
		return rc;
	if (rd->n_ifs == PCAPNG_MAX_IFS)
		return bs_err_set(rd->err, -BS_EFORMAT, "byte %llu: more than %u interfaces",
		                  (unsigned long long)b->offset, PCAPNG_MAX_IFS);
	if (bs_array_reserve(&rd->ifs, &rd->cap_ifs, rd->n_ifs + 1, sizeof *rd->ifs) != 0)
		return -BS_ENOMEM;
	rd->ifs[rd->n_ifs++] = in;
	return 0;
}

static int read_epb(struct reading *rd, const struct block *b, uint64_t number, pcapng_packet_fn fn,
                    void *arg)
{
	struct bs_buf_reader r;
	bs_buf_reader_init(&r, b->buf, b->len);
	uint32_t id = bs_buf_get_u32(&r);
	uint64_t hi = bs_buf_get_u32(&r);
	uint64_t lo = bs_buf_get_u32(&r);
	struct pcapng_packet pkt = {.ts_us = hi << 32 | lo};
	pkt.caplen = bs_buf_get_u32(&r);
	pkt.wirelen = bs_buf_get_u32(&r);
	if (bs_buf_failed(&r) || id >= rd->n_ifs || pkt.caplen > PCAPNG_CAPLEN_MAX ||
	    (pkt.bytes = bs_buf_get_bytes(&r, pkt.caplen)) == NULL ||
	    bs_buf_get_bytes(&r, pad4(pkt.caplen) - pkt.caplen) == NULL)
		return bs_err_set(rd->err, -BS_EFORMAT,
		                  "byte %llu: packet %llu: unknown interface, or captured length "
		                  "over %u or past its block",
		                  (unsigned long long)b->offset, (unsigned long long)number,
		                  PCAPNG_CAPLEN_MAX);
	pkt.linktype = rd->ifs[id].linktype;
	pkt.snaplen = rd->ifs[id].snaplen;
	char comment[PCAPNG_COMMENT_MAX + 1] = "";
	int rc = read_options(rd, b, &r, comment);
	if (rc != 0)
		return rc;
	pkt.comment = comment[0] != '\0' ? comment : NULL;
	return fn(&pkt, number, arg);
}

int pcapng_read_stream(FILE *f, char *comment, pcapng_packet_fn fn, void *arg, struct bs_err *err)
{
	bs_err_clear(err);
	comment[0] = '\0';
	struct reading rd = {.f = f, .err = err};
	struct block b = {.buf = malloc(PCAPNG_BLOCK_MAX)};
	if (b.buf == NULL)
		return -BS_ENOMEM;
	uint64_t packets = 0;
	int rc = next_block(&rd, &b);
	if (rc == 0)
		rc = bs_err_set(err, -BS_EFORMAT, "empty: not a pcapng file");
	else if (rc > 0)
		rc = read_shb(&rd, &b, comment);
	while (rc == 0 && (rc = next_block(&rd, &b)) > 0) {
		if (b.type == PCAPNG_BT_IDB)
			rc = read_idb(&rd, &b);
		else if (b.type == PCAPNG_BT_EPB)
			rc = read_epb(&rd, &b, ++packets, fn, arg);
		else
			rc =
			    bs_err_set(err, -BS_EFORMAT,
			               "byte %llu: block type 0x%08x is not one backscatter writes",
			               (unsigned long long)b.offset, b.type);
	}
	free(b.buf);
	free(rd.ifs);
	return rc;
}

int pcapng_read(const char *path, char *comment, pcapng_packet_fn fn, void *arg, struct bs_err *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		comment[0] = '\0';
		return bs_err_io(err, errno, "%s", path);
	}
	int rc = pcapng_read_stream(f, comment, fn, arg, err);
	fclose(f);
	if (rc != 0 && err != NULL && err->msg[0] != '\0')
		bs_err_prefix(err, "%s", path);
	return rc;
}

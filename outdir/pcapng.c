/* pcapng.c - packets written as one pcapng file (see pcapng.h). Block
 * layouts from the IETF draft "PCAP Next Generation (pcapng) Capture File
 * Format", sections 4.1 (SHB), 4.2 (IDB), 4.3 (EPB) and 3.5 (options). */
#include "outdir/pcapng.h"

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
/* Section length -1: not given, readers walk the blocks. */
#define PCAPNG_SECTION_LEN_UNKNOWN UINT64_MAX

struct pcapng_if {
	uint32_t linktype, snaplen;
};

struct pcapng {
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
	free(p->ifs);
	bs_buf_free(&p->epbs);
	free(p);
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

int pcapng_add(pcapng_t *p, const struct pcapng_packet *pkt)
{
	if (pkt->caplen > PCAPNG_CAPLEN_MAX)
		return -BS_EINVAL;
	uint32_t id;
	int rc = interface_of(p, pkt->linktype, pkt->snaplen, &id);
	if (rc != 0)
		return rc;
	size_t clen = 0;
	if (pkt->comment != NULL) {
		clen = strlen(pkt->comment);
		if (clen > PCAPNG_COMMENT_MAX)
			clen = PCAPNG_COMMENT_MAX;
	}
	/* Interface, time (2 x 32 bits), captured and original lengths. */
	size_t fixed = 5 * sizeof(uint32_t);
	size_t options = clen > 0 ? 2 * sizeof(uint16_t) + pad4(clen) + 2 * sizeof(uint16_t) : 0;
	size_t total = PCAPNG_BLOCK_OVERHEAD + fixed + pad4(pkt->caplen) + options;
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
	if (clen > 0) {
		bs_buf_put_u16(b, PCAPNG_OPT_COMMENT);
		bs_buf_put_u16(b, (uint16_t)clen);
		bs_buf_put_bytes(b, pkt->comment, clen);
		put_zeros(b, pad4(clen) - clen);
		bs_buf_put_u16(b, PCAPNG_OPT_END);
		bs_buf_put_u16(b, 0);
	}
	bs_buf_put_u32(b, (uint32_t)total);
	if ((rc = bs_buf_status(b)) != 0)
		return rc;
	p->n_packets++;
	return 0;
}

/* The Section Header Block and the Interface Description Blocks. */
static void put_head(const pcapng_t *p, struct bs_buf *b)
{
	uint32_t shb = PCAPNG_BLOCK_OVERHEAD + 4 + 2 * 2 + 8;
	bs_buf_put_u32(b, PCAPNG_BT_SHB);
	bs_buf_put_u32(b, shb);
	bs_buf_put_u32(b, PCAPNG_BOM);
	bs_buf_put_u16(b, PCAPNG_MAJOR);
	bs_buf_put_u16(b, PCAPNG_MINOR);
	bs_buf_put_u64(b, PCAPNG_SECTION_LEN_UNKNOWN);
	bs_buf_put_u32(b, shb);
	uint32_t idb = PCAPNG_BLOCK_OVERHEAD + 2 * 2 + 4;
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

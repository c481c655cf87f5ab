/* pcapng.h - packets kept in memory and written as one pcapng file
 * (evidence.pcapng: the first packets of every reported attack).
 *
 * Why pcapng and not classic pcap: each packet carries a comment
 * (opt_comment) that Wireshark and tshark show (frame.comment), which
 * names the attack the packet belongs to; classic pcap has nowhere to put
 * it. Why hand-written: the writer is a few dozen lines of block layouts
 * (IETF draft "PCAP Next Generation (pcapng) Capture File Format"), and
 * libpcap's writer (pcap_dump) writes classic pcap only, without
 * comments.
 *
 * The file written is one section, little-endian: a Section Header Block,
 * one Interface Description Block per (link type, snapshot length) met,
 * in the order met, then one Enhanced Packet Block per packet in the
 * order added, each with its original capture time (microseconds, the
 * default if_tsresol, so no IDB option is needed), its original length on
 * the wire, the bytes kept and its comment. Packets are encoded as they
 * are added, so memory is the file's size. The section may carry a
 * comment (evidence.c says there how many packets it kept per attack).
 *
 * The reader (pcapng_read(), for merge) takes back what this writer
 * writes and nothing else: one little-endian section, SHB, IDBs and EPBs
 * only, no option but opt_comment (so every time is in microseconds), each
 * length checked against the bytes of its block before use; anything
 * else is -BS_EFORMAT naming the byte offset of the block. A file written
 * and read back gives the same packets, so adding them to a new writer in
 * the same order writes the same bytes. */
#ifndef OUTDIR_PCAPNG_H
#define OUTDIR_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/bs_error.h"

/** Most interfaces (link type, snapshot length pairs) in one file: every
 * packet names its interface by number, and a collect run sees one per
 * input file at most; far more means something else is wrong. */
#define PCAPNG_MAX_IFS 1024u
/** Longest comment kept, bytes: an attack id and a flow key fit in far
 * less. */
#define PCAPNG_COMMENT_MAX 256u
/** Most bytes kept of one packet: libpcap's MAXIMUM_SNAPLEN, the largest
 * capture length its readers accept. */
#define PCAPNG_CAPLEN_MAX 262144u
/** Longest block this writer writes, so the longest pcapng_read() takes:
 * an Enhanced Packet Block of PCAPNG_CAPLEN_MAX bytes with a comment of
 * PCAPNG_COMMENT_MAX (12 bytes of type and lengths, 20 of fields, two
 * option headers). */
#define PCAPNG_BLOCK_MAX (12u + 20u + PCAPNG_CAPLEN_MAX + 4u + PCAPNG_COMMENT_MAX + 4u)

typedef struct pcapng pcapng_t;

/** One packet to add. bytes (caplen of them) and comment are borrowed. */
struct pcapng_packet {
	uint64_t ts_us;    /* capture time, microseconds since the epoch (UTC) */
	uint32_t linktype; /* pcap LINKTYPE_* of bytes */
	uint32_t snaplen;  /* the capture's snapshot length, 0 for none */
	uint32_t wirelen;  /* the packet's length on the wire */
	uint32_t caplen;   /* bytes kept */
	const uint8_t *bytes;
	const char *comment; /* NUL-terminated UTF-8, NULL for none; longer than
	                        PCAPNG_COMMENT_MAX is cut */
};

/** Empty file. NULL on allocation failure. */
pcapng_t *pcapng_create(void);

/** Safe on NULL. */
void pcapng_free(pcapng_t *p);

/** Encodes pkt (copied) at the end. 0, -BS_ENOMEM, -BS_EINVAL for a
 * caplen over PCAPNG_CAPLEN_MAX, or -BS_ERANGE when the file already has
 * PCAPNG_MAX_IFS interfaces and pkt needs another (pkt is not added). */
int pcapng_add(pcapng_t *p, const struct pcapng_packet *pkt);

/** Sets the section's comment (copied; longer than PCAPNG_COMMENT_MAX
 * is cut). 0 or -BS_ENOMEM. */
int pcapng_set_comment(pcapng_t *p, const char *comment);

/** Packets added. */
size_t pcapng_count(const pcapng_t *p);

/** Writes the whole file to DIR/NAME atomically (outfile.h). 0, -BS_ENOMEM,
 * or -BS_EIO with errno set; on error DIR/NAME is untouched. */
int pcapng_write(const pcapng_t *p, const char *dir, const char *name);

/** Called by pcapng_read() with each packet, in file order, numbered from
 * 1; pkt, its bytes and comment are valid during the call. A nonzero
 * return stops the reading and is returned (the callback says why in the
 * err it was given, if it wants). */
typedef int (*pcapng_packet_fn)(const struct pcapng_packet *pkt, uint64_t number, void *arg);

/** Reads the pcapng file at path (as this module writes it, see above):
 * the section's comment into comment (PCAPNG_COMMENT_MAX + 1 bytes, ""
 * for none), then each packet to fn. 0; -BS_EIO (errno's text),
 * -BS_EFORMAT (what is wrong and at which byte), -BS_ENOMEM, or fn's
 * code; err's message names path. */
int pcapng_read(const char *path, char *comment, pcapng_packet_fn fn, void *arg,
                struct bs_err *err);

/** The same over an open stream; messages name no file. */
int pcapng_read_stream(FILE *f, char *comment, pcapng_packet_fn fn, void *arg, struct bs_err *err);

#endif

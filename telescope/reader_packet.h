/* reader_packet.h - one packet as a reader hands it out: its layer-3
 * bytes (borrowed from the reader) and its capture time. Its own header
 * because two readers fill it: telescope/reader.c (libtrace) and
 * telescope/pcapwalk.c (pcap and pcapng walked in place), and the walker
 * must not include the reader that includes it. */
#ifndef TELESCOPE_READER_PACKET_H
#define TELESCOPE_READER_PACKET_H

#include <stddef.h>
#include <stdint.h>

struct reader_packet {
	const uint8_t *l3;  /* IPv4/IPv6 header, NULL when the frame has none */
	size_t l3_len;      /* captured bytes from l3 on */
	uint16_t ethertype; /* 0x0800, 0x86DD, or what layer 2 carried */
	uint64_t ts_us;     /* capture time, microseconds since the epoch (UTC) */
	uint8_t filtered;   /* 1 when --filter rejected it (l3 is NULL then) */
};

/* The whole record of the packet last read, layer 2 included, as the
 * capture holds it: what `collect --evidence` keeps (reader_frame()). */
struct reader_frame {
	const uint8_t *bytes; /* borrowed, like reader_packet's l3 */
	uint32_t caplen;      /* bytes captured */
	uint32_t wirelen;     /* length on the wire */
	uint32_t linktype;    /* pcap LINKTYPE_* of bytes */
	uint32_t snaplen;     /* the capture's snapshot length, 0 when unknown */
};

#endif

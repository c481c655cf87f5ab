/* pcapwalk.h - pcap and pcapng records walked in place, over the blocks of
 * a byte source (telescope/bytesource.h).
 *
 * Hand-written, not libpcap or libtrace: both copy every record into a
 * packet buffer of their own and cost one or more library calls per field
 * (libtrace's trace_get_layer3() alone costs as much as reading the
 * packet). The walker checks each record against the lengths it has in
 * hand and hands out a struct reader_packet whose l3 points into the
 * block the record lies in; only a record that straddles two blocks is
 * copied, into a side buffer.
 *
 * What it hands out is what telescope/reader.c got through libtrace
 * 3.0.22 for the same file, byte for byte, so that collect's outputs do
 * not depend on the path a file took:
 * - classic pcap (both byte orders, microsecond and nanosecond magic) as
 *   libtrace's "pcapfile:" format reads it: a record claiming 64 KiB or
 *   more is "Invalid caplen in pcap header (N) - trace may be corrupt",
 *   a file ending in a record header "Incomplete pcap packet header",
 *   inside its bytes "Incomplete pcap packet body" (each followed by
 *   ": Input/output error", as libtrace words them after reader.c's
 *   errno), but right after a whole header: the end of the trace;
 * - pcapng as libpcap 1.10 reads it for libtrace's "pcap:" format: the
 *   Section Header Block in either byte order, later sections in the same
 *   one, Interface Description Blocks with if_tsresol (powers of 10 and 2)
 *   and if_tsoffset, Enhanced, Simple and (obsolete) Packet Blocks, every
 *   other block skipped; every interface of the link type and snapshot
 *   length of the first, as libpcap demands; its checks, in its order and
 *   with its messages (lengths under 12 or not a multiple of 4, blocks
 *   over 16 MiB, header and trailer lengths that differ, a capture length
 *   over the snapshot length or the block, an unknown interface), and
 *   libtrace's end of the trace or "read error" for a wire length of
 *   2^31 - 24 or more (it returns that length plus 24 as an int);
 * - layer 2 as trace_get_layer3() decodes it for the link types walked:
 *   Ethernet (1) with 802.1Q tags, MPLS and PPPoE, Linux SLL (113), raw
 *   IP (12, 101); the layer-2 length is the smaller of the captured length
 *   and the wire length plus the 4-byte FCS libtrace assumes for Ethernet
 *   (and, in classic pcap, for SLL frames of protocol 0x0060); a record
 *   whose lengths exceed 65531 bytes has no layer 3, as reader.c passes
 *   it (libtrace would abort); timestamps as libtrace converts them.
 * Any other link type is not walked: pcapwalk_open() says so and the
 * caller reads the file through libtrace. Known difference: an SLL frame
 * of an 802.11 hardware type has no layer 3 here, where libtrace decodes
 * 802.11 (reading past the capture); no darknet records those. */
#ifndef TELESCOPE_PCAPWALK_H
#define TELESCOPE_PCAPWALK_H

#include <stdint.h>

#include "base/bs_error.h"
#include "telescope/bytesource.h"
#include "telescope/reader_packet.h"

/** Largest record length (captured or on the wire) with a layer 3: longer
 * ones are passed on without (libtrace 3.0.22 asserts on 65536 and more,
 * and adds 4 for the Ethernet FCS first). */
#define PCAPWALK_LEN_MAX 65531u
/** libpcap's largest pcapng block (INITIAL_MAX_BLOCKSIZE). */
#define PCAPWALK_NG_BLOCK_MAX (16u << 20)

typedef struct pcapwalk pcapwalk_t;

/** Reads the file header of src (taken: freed with the walker, or here on
 * failure) and gets ready to walk. 0 with *out set;
 * -BS_ENOTFOUND: not pcap or pcapng, or a link type not walked (then
 *   *linktype is the file's, else UINT32_MAX): read it another way;
 * -BS_EFORMAT: a pcap or pcapng header that libtrace or libpcap refuse,
 *   with their message;
 * -BS_EIO: the source failed before the header was whole (its reason);
 * -BS_ENOMEM. err may be NULL. */
int pcapwalk_open(bytesource_t *src, pcapwalk_t **out, uint32_t *linktype, struct bs_err *err);

/** The next record into *pkt: its layer 3 points into the walker's
 * blocks, valid until the next call. 1 for a packet, 0 at the end, or
 * -BS_EIO when the file is cut short or corrupt (pcapwalk_error() says
 * why; later calls return the same). */
int pcapwalk_next(pcapwalk_t *w, struct reader_packet *pkt);

/** The whole record pcapwalk_next() last handed out (bytes valid as its
 * layer 3 is), with the file's link type and snapshot length. */
void pcapwalk_frame(const pcapwalk_t *w, struct reader_frame *f);

/** Why the last pcapwalk_next() failed; code 0 and "" when none did. */
const struct bs_err *pcapwalk_error(const pcapwalk_t *w);

/** Frees the walker and its source. Safe on NULL. */
void pcapwalk_free(pcapwalk_t *w);

#endif

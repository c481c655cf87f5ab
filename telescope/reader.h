/* reader.h - one trace file or libtrace URI, read packet by packet.
 *
 * Two paths. A plain path to a pcap or pcapng file (uncompressed, gzip or
 * zstd) read without --filter is walked in place (telescope/pcapwalk.h
 * over telescope/bytesource.h): large blocks, no copy and no library call
 * per packet, and what it hands out is what the libtrace path hands out
 * for the same file. Everything else goes through libtrace 3.0.22 (and
 * wandio for gzip, bzip2, xz): a --filter (libtrace runs libpcap's BPF),
 * link types the walker does not decode, other formats, URIs such as
 * "erf:x.erf.gz", and "-" for standard input and other streams. libtrace
 * 3.0.22 cannot guess pcapng, but its "pcap:" format (libpcap) reads it,
 * so a plain path whose first bytes are the pcapng magic is opened that
 * way. Layer 3 comes from trace_get_layer3(), so Ethernet, VLAN, QinQ,
 * MPLS, Linux SLL and raw IP all work (the walker decodes the same).
 *
 * The bytes a reader_packet points at are valid until the next
 * reader_next() only (libtrace reuses its packet buffer; the walker moves
 * on to the next block). */
#ifndef TELESCOPE_READER_H
#define TELESCOPE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bs_error.h"
#include "telescope/reader_packet.h"

typedef struct reader reader_t;

/** Checks a BPF expression with libpcap, because libtrace 3.0.22 aborts
 * the process on a bad filter. 0, or -BS_EINVAL with the reason in err
 * (-BS_ENOMEM when it cannot be checked). err may be NULL. */
int reader_check_filter(const char *bpf, struct bs_err *err);

/** True for data that can be read only once: "-" (standard input), a FIFO
 * or a device. reader_open() reads such a stream as pcap without sniffing
 * it; a caller must open it once and keep the reader. */
bool reader_is_stream(const char *uri);

/** Opens uri (path, libtrace URI or "-") and starts reading. bpf may be
 * NULL; it must have passed reader_check_filter(). On failure returns
 * -BS_EIO (missing/unreadable: errno-style reason), -BS_EFORMAT or
 * -BS_ENOMEM, fills err (may be NULL) and sets *out to NULL. Messages
 * leave the file out: the caller names it ("FILE: reason"). */
int reader_open(const char *uri, const char *bpf, reader_t **out, struct bs_err *err);

/** on = false makes later reader_open() calls read every file through
 * libtrace, as the environment variable BACKSCATTER_READER=libtrace does
 * (tests compare the two paths). Not to be called while other threads
 * open readers. */
void reader_walk_enable(bool on);

/** Reads the next packet into *pkt (borrowed bytes, see above).
 * 1 for a packet, 0 at the end of the trace, -BS_EIO when the trace
 * is cut short or corrupt (reason in reader_error()). */
int reader_next(reader_t *r, struct reader_packet *pkt);

/** The whole record of the packet reader_next() last returned (1), layer
 * 2 included, into *f (bytes borrowed as the packet's are). Not on the
 * per-packet path: `collect --evidence` asks it only for packets it keeps.
 * 0, or -BS_ENOTFOUND when the record has no bytes or a link type with no
 * pcap number (the caller keeps the layer 3 instead). */
int reader_frame(const reader_t *r, struct reader_frame *f);

/** Why the last reader_next() failed, the file left out; code 0 and ""
 * when none did. Borrowed, lives as long as r. */
const struct bs_err *reader_error(const reader_t *r);

/** Closes the trace. Safe on NULL. */
void reader_free(reader_t *r);

#endif

/* reader.h - one trace file or libtrace URI, read packet by packet.
 *
 * Everything goes through libtrace 3.0.22 (and wandio for gzip, bzip2,
 * xz): plain paths, URIs such as "erf:x.erf.gz", and "-" for standard
 * input. libtrace 3.0.22 cannot guess pcapng, but its "pcap:" format
 * (libpcap) reads it, so a plain path whose first bytes are the pcapng
 * magic is opened that way. Layer 3 comes from trace_get_layer3(), so
 * Ethernet, VLAN, QinQ, MPLS, Linux SLL and raw IP all work.
 *
 * libtrace reuses its packet buffer on every read: the bytes a
 * reader_packet points at are valid until the next reader_next() only. */
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

/** Reads the next packet into *pkt (borrowed bytes, see above).
 * 1 for a packet, 0 at the end of the trace, -BS_EIO when the trace
 * is cut short or corrupt (reason in reader_error()). */
int reader_next(reader_t *r, struct reader_packet *pkt);

/** Why the last reader_next() failed, the file left out; code 0 and ""
 * when none did. Borrowed, lives as long as r. */
const struct bs_err *reader_error(const reader_t *r);

/** Closes the trace. Safe on NULL. */
void reader_free(reader_t *r);

#endif

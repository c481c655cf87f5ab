/* reader.c - libtrace-backed packet source (see reader.h). */
#include "reader.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libtrace.h>
#include <wandio.h>

#include "bs_error.h"

/* First four bytes of a pcapng file (Section Header Block type). */
static const uint8_t PCAPNG_MAGIC[4] = {0x0a, 0x0d, 0x0d, 0x0a};
/* First four bytes of a pcap file: microsecond and nanosecond variants, each
 * in both byte orders (libpcap's savefile.c). */
static const uint8_t PCAP_MAGICS[][4] = {
    {0xa1, 0xb2, 0xc3, 0xd4},
    {0xd4, 0xc3, 0xb2, 0xa1},
    {0xa1, 0xb2, 0x3c, 0x4d},
    {0x4d, 0x3c, 0xb2, 0xa1},
};
/* libtrace 3.0.22's rule for "is this ERF" (erf_probe_magic), which we apply
 * ourselves: a 16-byte record header whose little-endian timestamp is not
 * before 1995-01-01, whose type is at most TYPE_AAL2 (18) and whose record
 * length covers the header. */
#define READER_ERF_HDR_LEN  16u
#define READER_ERF_MIN_TS   0x2f0539b000000000ull
#define READER_ERF_TYPE_MAX 18u
/* ... and whose timestamp's seconds are not a pcap magic number. */
#define READER_ERF_NOT_TS1 0xa1b2c3d4u
#define READER_ERF_NOT_TS2 0xd4c3b2a1u
/* Message for a file in no format we read (libtrace's "Unable to guess
 * format" says nothing to a user). */
#define READER_NOT_A_TRACE "not a packet trace libtrace can read (pcap, pcapng, ERF, ...)"
/* Snap length used only to compile a filter for checking. */
#define READER_CHECK_SNAPLEN 65535

/* libtrace 3.0.22 aborts the whole process (assert in
 * trace_get_wire_length() and trace_get_capture_length()) when a record
 * claims LIBTRACE_PACKET_BUFSIZE bytes or more; trace_get_layer3() and
 * trace_apply_filter() both get there. For pcap it adds the 4-byte Ethernet
 * FCS to the wire length first. Records that long are never backscatter
 * (answers are small), and GRO/TSO captures do have them, so they are passed
 * on without layer 3 instead of reaching libtrace. Found by
 * tests/fuzz/fuzz_reader.c. */
#define READER_FCS_LEN 4u
#define READER_LEN_MAX (LIBTRACE_PACKET_BUFSIZE - READER_FCS_LEN - 1u)
/* Offsets of the captured and original length in a pcap record header. */
#define READER_PCAP_CAPLEN_OFF 8u
#define READER_PCAP_LEN_OFF    12u

/* libtrace 3.0.22 also aborts (assert in rt_to_pcap_linktype()) when asked
 * for the link type of a pcap or pcapng packet whose header names a link type
 * outside its table: it keeps TRACE_RT_DATA_DLT + linktype in packet->type,
 * and only [TRACE_RT_DATA_DLT, TRACE_RT_DATA_DLT_END) holds pcap link types
 * (all real ones are below 300). Such a file is refused as corrupt. */

/* Byte order of a pcap file read by libtrace's own "pcapfile:" format, known
 * only when we sniffed the file ourselves. */
enum pcap_order { ORDER_UNKNOWN, ORDER_LITTLE, ORDER_BIG };

struct reader {
	libtrace_t *trace;
	libtrace_packet_t *packet;
	libtrace_filter_t *filter;
	enum pcap_order order;
	char error[READER_ERRLEN];
};

int reader_check_filter(const char *bpf, char *err, size_t errlen)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, READER_CHECK_SNAPLEN);
	if (dead == NULL) {
		snprintf(err, errlen, "cannot check filter");
		return -BS_ENOMEM;
	}
	struct bpf_program prog;
	int rc = 0;
	if (pcap_compile(dead, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "bad filter \"%s\": %s", bpf, pcap_geterr(dead));
		rc = -BS_EINVAL;
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(dead);
	return rc;
}

/* A name is a plain path unless it carries a "format:" prefix libtrace
 * knows; an existing file wins so that "a:b.pcap" still opens. */
static bool is_plain_path(const char *uri)
{
	struct stat st;
	return strcmp(uri, "-") != 0 && (strchr(uri, ':') == NULL || stat(uri, &st) == 0);
}

/* Catches what libtrace reports only as "Unable to guess format". */
static int check_path(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -BS_EIO;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "is a directory");
		return -BS_EIO;
	}
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		snprintf(err, errlen, "empty file");
		return -BS_EFORMAT;
	}
	return 0;
}

static bool looks_like_erf(const uint8_t *h)
{
	uint64_t ts = 0;
	for (int i = 7; i >= 0; i--)
		ts = ts << 8 | h[i];
	unsigned rlen = (unsigned)h[10] << 8 | h[11];
	return ts >= READER_ERF_MIN_TS && ts >> 32 != READER_ERF_NOT_TS1 &&
	       ts >> 32 != READER_ERF_NOT_TS2 && h[8] <= READER_ERF_TYPE_MAX &&
	       rlen >= READER_ERF_HDR_LEN;
}

/* The libtrace format for a plain file, from its first bytes (read through
 * wandio, so compressed files work), or NULL when it is none we read.
 * libtrace 3.0.22 cannot read pcapng, but its libpcap-based "pcap:" can.
 * We never let trace_create() guess: when no format matches it leaks the
 * wandio reader it probed with (about 50 MiB of buffers and a descriptor
 * per file), found by tests/fuzz/fuzz_reader.c. */
static const char *sniff_format(const char *path, enum pcap_order *order)
{
	uint8_t h[READER_ERF_HDR_LEN];
	*order = ORDER_UNKNOWN;
	io_t *io = wandio_create(path);
	if (io == NULL)
		return NULL;
	int64_t got = wandio_read(io, h, sizeof h);
	wandio_destroy(io);
	if (got < (int64_t)sizeof PCAPNG_MAGIC)
		return NULL;
	if (memcmp(h, PCAPNG_MAGIC, sizeof PCAPNG_MAGIC) == 0)
		return "pcap";
	for (size_t i = 0; i < sizeof PCAP_MAGICS / sizeof PCAP_MAGICS[0]; i++) {
		if (memcmp(h, PCAP_MAGICS[i], sizeof PCAP_MAGICS[i]) == 0) {
			*order = h[0] == 0xa1 ? ORDER_BIG : ORDER_LITTLE;
			return "pcapfile";
		}
	}
	if (got == (int64_t)sizeof h && looks_like_erf(h))
		return "erf";
	return NULL;
}

static void set_trace_error(char *err, size_t errlen, libtrace_t *trace)
{
	libtrace_err_t e = trace_get_err(trace);
	if (strstr(e.problem, "guess format") != NULL)
		snprintf(err, errlen, "%s", READER_NOT_A_TRACE);
	else
		snprintf(err, errlen, "%s", e.problem[0] ? e.problem : "libtrace error");
}

int reader_open(const char *uri, const char *bpf, reader_t **out, char *err, size_t errlen)
{
	*out = NULL;
	err[0] = '\0';
	char *opened_as = NULL;
	enum pcap_order order = ORDER_UNKNOWN;
	if (is_plain_path(uri)) {
		int rc = check_path(uri, err, errlen);
		if (rc != 0)
			return rc;
		const char *format = sniff_format(uri, &order);
		if (format == NULL) {
			snprintf(err, errlen, "%s", READER_NOT_A_TRACE);
			return -BS_EFORMAT;
		}
		size_t n = strlen(format) + 1 + strlen(uri) + 1;
		opened_as = malloc(n);
		if (opened_as == NULL)
			return -BS_ENOMEM;
		snprintf(opened_as, n, "%s:%s", format, uri);
	}
	reader_t *r = calloc(1, sizeof *r);
	if (r == NULL) {
		free(opened_as);
		return -BS_ENOMEM;
	}
	r->order = order;
	r->trace = trace_create(opened_as ? opened_as : uri);
	free(opened_as);
	if (trace_is_err(r->trace) || trace_start(r->trace) == -1) {
		set_trace_error(err, errlen, r->trace);
		reader_free(r);
		return -BS_EFORMAT;
	}
	r->packet = trace_create_packet();
	if (r->packet == NULL) {
		reader_free(r);
		return -BS_ENOMEM;
	}
	if (bpf != NULL) {
		r->filter = trace_create_filter(bpf);
		if (r->filter == NULL) {
			reader_free(r);
			return -BS_ENOMEM;
		}
	}
	*out = r;
	return 0;
}

static uint32_t rd_u32(const uint8_t *p, enum pcap_order order)
{
	if (order == ORDER_BIG)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* True for a record libtrace would abort on (see READER_LEN_MAX). Only pcap
 * has 32-bit lengths: ERF and the legacy formats cannot get there. A pcap
 * file named by an explicit "pcapfile:" URI or read from standard input has
 * an unknown byte order and stays unchecked. */
static bool is_pcap_family(libtrace_packet_t *p)
{
	enum base_format_t f = trace_get_format(p);
	return f == TRACE_FORMAT_PCAP || f == TRACE_FORMAT_PCAPFILE;
}

/* True when libtrace can map the packet's pcap link type (see above). */
static bool link_type_known(const libtrace_packet_t *p)
{
	long long type = (long long)p->type;
	return type >= TRACE_RT_DATA_DLT && type < TRACE_RT_DATA_DLT_END;
}

static bool record_too_long(const reader_t *r)
{
	uint32_t caplen, len;
	switch (trace_get_format(r->packet)) {
	case TRACE_FORMAT_PCAP: {
		const struct pcap_pkthdr *h = r->packet->header; /* libpcap's, host order */
		caplen = h->caplen;
		len = h->len;
		break;
	}
	case TRACE_FORMAT_PCAPFILE: {
		const uint8_t *h = r->packet->header;
		if (r->order == ORDER_UNKNOWN)
			return false;
		caplen = rd_u32(h + READER_PCAP_CAPLEN_OFF, r->order);
		len = rd_u32(h + READER_PCAP_LEN_OFF, r->order);
		break;
	}
	default:
		return false;
	}
	return caplen > READER_LEN_MAX || len > READER_LEN_MAX;
}

int reader_next(reader_t *r, struct reader_packet *pkt)
{
	memset(pkt, 0, sizeof *pkt);
	/* libtrace reports a record cut short by the end of the file with
	 * trace_set_err(trace, errno, ...) although no call failed, and
	 * trace_set_err() asserts errno != 0: found by tests/fuzz/fuzz_reader.c
	 * on a truncated pcap once wandio runs without threads. A stale errno
	 * must not decide between an error message and an abort. */
	errno = EIO;
	int n = trace_read_packet(r->trace, r->packet);
	if (n == 0)
		return 0;
	if (n < 0) {
		if (trace_is_err(r->trace))
			set_trace_error(r->error, sizeof r->error, r->trace);
		else
			snprintf(r->error, sizeof r->error, "read error");
		return -BS_EIO;
	}
	struct timeval tv = trace_get_timeval(r->packet);
	/* Negative times come only from corrupt records; clamp to the epoch. */
	pkt->ts_us = tv.tv_sec < 0 ? 0 : (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	if (is_pcap_family(r->packet) && !link_type_known(r->packet)) {
		snprintf(r->error, sizeof r->error, "unsupported pcap link type %lld",
		         (long long)r->packet->type - TRACE_RT_DATA_DLT);
		return -BS_EIO;
	}
	/* libtrace leaves the payload NULL for records it knows to be damaged
	 * (an ERF record flagged as a receive error), and
	 * trace_get_link_type() then dereferences it for ERF type 0 (found by
	 * tests/fuzz/fuzz_reader.c). A damaged record has no layer 3 we trust. */
	if (r->packet->payload == NULL || record_too_long(r))
		return 1;
	/* trace_get_layer3() hands the layer 2 pointer to
	 * trace_get_payload_from_layer2() unchecked, which dereferences NULL
	 * for a raw-IP record that captured no bytes (libtrace 3.0.22, found by
	 * tests/fuzz/fuzz_reader.c). Nothing captured has no layer 3. */
	libtrace_linktype_t link;
	uint32_t l2_len = 0;
	if (trace_get_layer2(r->packet, &link, &l2_len) == NULL || l2_len == 0)
		return 1;
	if (r->filter != NULL && trace_apply_filter(r->filter, r->packet) <= 0) {
		pkt->filtered = 1;
		return 1;
	}
	uint16_t ethertype = 0;
	uint32_t remaining = 0;
	void *l3 = trace_get_layer3(r->packet, &ethertype, &remaining);
	if (l3 != NULL) {
		pkt->l3 = l3;
		pkt->l3_len = remaining;
	}
	pkt->ethertype = ethertype;
	return 1;
}

const char *reader_error(const reader_t *r)
{
	return r->error;
}

void reader_free(reader_t *r)
{
	if (r == NULL)
		return;
	if (r->filter != NULL)
		trace_destroy_filter(r->filter);
	if (r->packet != NULL)
		trace_destroy_packet(r->packet);
	if (r->trace != NULL)
		trace_destroy(r->trace);
	free(r);
}

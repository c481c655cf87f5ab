/* reader.c - libtrace-backed packet source (see reader.h). */
#include "telescope/reader.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libtrace.h>
#include <wandio.h>

#include "base/bs_error.h"
#include "telescope/bytesource.h"
#include "telescope/pcapwalk.h"

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
/* wandio reads ahead in a thread into 1 MiB buffers, 50 unless the
 * LIBTRACEIO environment variable says otherwise, all allocated and zeroed
 * when a file opens (and a file is opened three times: sniffing, the
 * ordering pass, the read). 50 MiB per open file was most of a run's peak
 * memory; 4 buffers read the bench traces, plain and gzip, as fast
 * (bench/RESULTS.md). A LIBTRACEIO set by the user wins. */
#define READER_WANDIO_OPTIONS "buffers=4"

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
/* Offsets in a pcap record header: seconds, the fraction (micro- or
 * nanoseconds, by the file's magic), captured and original length. */
#define READER_PCAP_SEC_OFF    0u
#define READER_PCAP_FRAC_OFF   4u
#define READER_PCAP_CAPLEN_OFF 8u
#define READER_PCAP_LEN_OFF    12u
#define READER_NS_PER_US       1000u

/* Ethernet and 802.1Q header lengths (IEEE 802.3, 802.1Q) and the
 * ethertypes the fast path below knows. */
#define READER_ETH_HLEN       14u
#define READER_VLAN_HLEN      4u
#define READER_ETHERTYPE_IPV4 0x0800u
#define READER_ETHERTYPE_VLAN 0x8100u
#define READER_ETHERTYPE_IPV6 0x86ddu
/* 802.1Q tags the fast path steps over (one is common, two is QinQ
 * tagged twice with 0x8100); deeper stacks take libtrace's way. */
#define READER_FAST_MAX_TAGS 2u

/* libtrace 3.0.22 also aborts (assert in rt_to_pcap_linktype()) when asked
 * for the link type of a pcap or pcapng packet whose header names a link type
 * outside its table: it keeps TRACE_RT_DATA_DLT + linktype in packet->type,
 * and only [TRACE_RT_DATA_DLT, TRACE_RT_DATA_DLT_END) holds pcap link types
 * (all real ones are below 300). Such a file is refused as corrupt. */

/* Byte order of a pcap file read by libtrace's own "pcapfile:" format, known
 * only when we sniffed the file ourselves. */
enum pcap_order { ORDER_UNKNOWN, ORDER_LITTLE, ORDER_BIG };

struct reader {
	pcapwalk_t *walk; /* pcap or pcapng walked in place; else libtrace: */
	libtrace_t *trace;
	libtrace_packet_t *packet;
	libtrace_filter_t *filter;
	enum pcap_order order;
	bool nanoseconds;    /* with order known: the file's times are in ns */
	struct bs_err error; /* of the last reader_next() */
};

int reader_check_filter(const char *bpf, struct bs_err *err)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, READER_CHECK_SNAPLEN);
	if (dead == NULL)
		return bs_err_set(err, -BS_ENOMEM, "cannot check filter");
	struct bpf_program prog;
	int rc = 0;
	if (pcap_compile(dead, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		rc = bs_err_set(err, -BS_EINVAL, "bad filter \"%s\": %s", bpf, pcap_geterr(dead));
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(dead);
	return rc;
}

bool reader_is_stream(const char *uri)
{
	struct stat st;
	return strcmp(uri, "-") == 0 ||
	       (stat(uri, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
}

/* A name is a plain path unless it carries a "format:" prefix libtrace
 * knows; an existing file wins so that "a:b.pcap" still opens. */
static bool is_plain_path(const char *uri)
{
	struct stat st;
	return strcmp(uri, "-") != 0 && (strchr(uri, ':') == NULL || stat(uri, &st) == 0);
}

/* Catches what libtrace reports only as "Unable to guess format". */
static int check_path(const char *path, struct bs_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
		/* The reason alone: the caller names the file. */
		int errnum = errno;
		bs_err_set(err, -BS_EIO, "%s", strerror(errnum));
		if (err != NULL)
			err->sys_errno = errnum;
		return -BS_EIO;
	}
	if (S_ISDIR(st.st_mode))
		return bs_err_set(err, -BS_EIO, "is a directory");
	if (S_ISREG(st.st_mode) && st.st_size == 0)
		return bs_err_set(err, -BS_EFORMAT, "empty file");
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
 * wandio, so compressed files work): 0 with *format set, -BS_EFORMAT when
 * it is none we read, -BS_EIO when it cannot be opened or its first bytes
 * cannot be read; err then says which.
 * libtrace 3.0.22 cannot read pcapng, but its libpcap-based "pcap:" can.
 * We never let trace_create() guess: when no format matches it leaks the
 * wandio reader it probed with (about 50 MiB of buffers and a descriptor
 * per file), found by tests/fuzz/fuzz_reader.c. */
static int sniff_format(const char *path, const char **format, enum pcap_order *order,
                        bool *nanoseconds, struct bs_err *err)
{
	uint8_t h[READER_ERF_HDR_LEN];
	*order = ORDER_UNKNOWN;
	*nanoseconds = false;
	*format = NULL;
	/* The path was checked just before: what fails here is the process
	 * (out of descriptors or memory), and the message must say so. */
	errno = 0;
	io_t *io = wandio_create(path);
	if (io == NULL)
		return bs_err_io(err, errno != 0 ? errno : EIO, "cannot open");
	int64_t got = wandio_read(io, h, sizeof h);
	wandio_destroy(io);
	/* A compressed file cut short or corrupt before its first bytes
	 * decompress fails here, not later: say so rather than "not a trace". */
	if (got < 0)
		return bs_err_set(err, -BS_EIO, "cut short or corrupt: no packet could be read");
	if (got >= (int64_t)sizeof PCAPNG_MAGIC) {
		if (memcmp(h, PCAPNG_MAGIC, sizeof PCAPNG_MAGIC) == 0) {
			*format = "pcap";
			return 0;
		}
		for (size_t i = 0; i < sizeof PCAP_MAGICS / sizeof PCAP_MAGICS[0]; i++) {
			if (memcmp(h, PCAP_MAGICS[i], sizeof PCAP_MAGICS[i]) == 0) {
				*order = h[0] == 0xa1 ? ORDER_BIG : ORDER_LITTLE;
				*nanoseconds = h[2] == 0x3c || h[1] == 0x3c;
				*format = "pcapfile";
				return 0;
			}
		}
		if (got == (int64_t)sizeof h && looks_like_erf(h)) {
			*format = "erf";
			return 0;
		}
	}
	return bs_err_set(err, -BS_EFORMAT, "%s", READER_NOT_A_TRACE);
}

/* libtrace's error as code, with its message: ours for a format it could
 * not guess, its own otherwise. Returns code. */
static int trace_failed(struct bs_err *err, int code, libtrace_t *trace)
{
	libtrace_err_t e = trace_get_err(trace);
	if (strstr(e.problem, "guess format") != NULL)
		return bs_err_set(err, code, "%s", READER_NOT_A_TRACE);
	/* Some libtrace messages end in a newline; ours are one line. */
	size_t n = strnlen(e.problem, sizeof e.problem);
	while (n > 0 &&
	       (e.problem[n - 1] == '\n' || e.problem[n - 1] == '\r' || e.problem[n - 1] == ' '))
		n--;
	if (n == 0)
		return bs_err_set(err, code, "libtrace error");
	return bs_err_set(err, code, "%.*s", (int)n, e.problem);
}

static int out_of_memory(struct bs_err *err)
{
	return bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
}

static pthread_once_t wandio_options_once = PTHREAD_ONCE_INIT;
static bool walk_disabled;

/* Runs before any wandio call of ours, so no reader thread reads the
 * environment while it changes. BACKSCATTER_READER=libtrace turns the
 * walker off (tests compare both paths; a fallback should the walker be
 * wrong about a file). */
static void set_wandio_options(void)
{
	setenv("LIBTRACEIO", READER_WANDIO_OPTIONS, 0);
	const char *how = getenv("BACKSCATTER_READER");
	walk_disabled = how != NULL && strcmp(how, "libtrace") == 0;
}

void reader_walk_enable(bool on)
{
	pthread_once(&wandio_options_once, set_wandio_options);
	walk_disabled = !on;
}

/* Opens a plain path through the record walker when it can read it:
 * 0 with *walk set; 1 when libtrace must read it (not pcap or pcapng, a
 * link type not walked, bzip2 or xz, or the file cannot be opened: the
 * libtrace path says why as before); or an error with err filled. */
static int open_walker(const char *path, pcapwalk_t **walk, struct bs_err *err)
{
	bytesource_t *src;
	int rc = bytesource_open(path, &src, NULL);
	if (rc == -BS_ENOMEM)
		return out_of_memory(err);
	if (rc != 0)
		return 1;
	enum bytesource_kind kind = bytesource_kind(src);
	uint32_t linktype;
	rc = pcapwalk_open(src, walk, &linktype, err);
	if (rc != -BS_ENOTFOUND)
		return rc;
	bs_err_clear(err);
	if (kind != BYTESOURCE_ZSTD)
		return 1;
	/* wandio cannot read zstd: there is no other way. */
	if (linktype == UINT32_MAX)
		return bs_err_set(err, -BS_EFORMAT,
		                  "zstd-compressed but not pcap or pcapng (the only formats read "
		                  "from zstd)");
	return bs_err_set(err, -BS_EFORMAT,
	                  "link type %u is not read from zstd files (decompress the file first)",
	                  (unsigned)linktype);
}

int reader_open(const char *uri, const char *bpf, reader_t **out, struct bs_err *err)
{
	pthread_once(&wandio_options_once, set_wandio_options);
	*out = NULL;
	bs_err_clear(err);
	char *opened_as = NULL;
	enum pcap_order order = ORDER_UNKNOWN;
	bool nanoseconds = false;
	const char *format = NULL;
	if (reader_is_stream(uri)) {
		/* Read once, so it cannot be sniffed; and libtrace's own guess
		 * leaks its reader when it fails. Other formats: "erf:-" etc. */
		format = "pcapfile";
	} else if (is_plain_path(uri)) {
		int rc = check_path(uri, err);
		if (rc != 0)
			return rc;
		/* A filter is libtrace's to run (on libpcap's BPF). */
		pcapwalk_t *walk = NULL;
		if (bpf == NULL && !walk_disabled && (rc = open_walker(uri, &walk, err)) <= 0) {
			if (rc != 0)
				return rc;
			reader_t *r = calloc(1, sizeof *r);
			if (r == NULL) {
				pcapwalk_free(walk);
				return out_of_memory(err);
			}
			r->walk = walk;
			*out = r;
			return 0;
		}
		rc = sniff_format(uri, &format, &order, &nanoseconds, err);
		if (rc != 0)
			return rc;
	}
	if (format != NULL) {
		size_t n = strlen(format) + 1 + strlen(uri) + 1;
		opened_as = malloc(n);
		if (opened_as == NULL)
			return out_of_memory(err);
		snprintf(opened_as, n, "%s:%s", format, uri);
	}
	reader_t *r = calloc(1, sizeof *r);
	if (r == NULL) {
		free(opened_as);
		return out_of_memory(err);
	}
	r->order = order;
	r->nanoseconds = nanoseconds;
	r->trace = trace_create(opened_as ? opened_as : uri);
	free(opened_as);
	if (trace_is_err(r->trace) || trace_start(r->trace) == -1) {
		trace_failed(err, -BS_EFORMAT, r->trace);
		reader_free(r);
		return -BS_EFORMAT;
	}
	r->packet = trace_create_packet();
	if (r->packet == NULL) {
		reader_free(r);
		return out_of_memory(err);
	}
	if (bpf != NULL) {
		r->filter = trace_create_filter(bpf);
		if (r->filter == NULL) {
			reader_free(r);
			return out_of_memory(err);
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

/* True for a record libtrace would abort on (see READER_LEN_MAX). */
static bool too_long(uint32_t caplen, uint32_t len)
{
	return caplen > READER_LEN_MAX || len > READER_LEN_MAX;
}

/* True when libtrace can map the packet's pcap link type (see above). */
static bool link_type_known(const libtrace_packet_t *p)
{
	long long type = (long long)p->type;
	return type >= TRACE_RT_DATA_DLT && type < TRACE_RT_DATA_DLT_END;
}

static int unknown_link_type(reader_t *r)
{
	return bs_err_set(&r->error, -BS_EIO, "unsupported pcap link type %lld",
	                  (long long)r->packet->type - TRACE_RT_DATA_DLT);
}

/* Layer 3 of an Ethernet record of a pcap file we sniffed, without
 * libtrace's per-packet calls: trace_get_layer2() and trace_get_layer3()
 * cost as much per packet as reading it (bench/RESULTS.md). Only the plain
 * case is taken: IPv4 or IPv6 after at most READER_FAST_MAX_TAGS 802.1Q
 * tags, with bytes left after the headers, and no BPF filter (libtrace
 * must run that); the result is what libtrace 3.0.22 computes for it: its
 * layer 2 holds min(caplen, wire length + the 4-byte FCS it assumes
 * Ethernet has), and each header is taken off that. Anything else returns
 * false and goes through libtrace. */
static bool fast_layer3(const reader_t *r, uint32_t caplen, uint32_t len, struct reader_packet *pkt)
{
	if (r->filter != NULL || r->packet->type != TRACE_RT_DATA_DLT + TRACE_DLT_EN10MB)
		return false;
	uint32_t wire = len + READER_FCS_LEN;
	uint32_t left = caplen < wire ? caplen : wire;
	const uint8_t *p = r->packet->payload;
	uint32_t off = READER_ETH_HLEN;
	for (unsigned tags = 0;; tags++) {
		if (left <= off)
			return false;
		unsigned type = (unsigned)p[off - 2] << 8 | p[off - 1];
		if (type == READER_ETHERTYPE_IPV4 || type == READER_ETHERTYPE_IPV6) {
			pkt->l3 = p + off;
			pkt->l3_len = left - off;
			pkt->ethertype = (uint16_t)type;
			return true;
		}
		if (type != READER_ETHERTYPE_VLAN || tags == READER_FAST_MAX_TAGS)
			return false;
		off += READER_VLAN_HLEN;
	}
}

/* Layer 3 through libtrace, for a record that passed the guards on its
 * payload and lengths. Always 1: a record without layer 3 is a packet. */
static int libtrace_layer3(reader_t *r, struct reader_packet *pkt)
{
	/* Nothing captured has no layer 3, and libtrace 3.0.22 fails on it
	 * (found by tests/fuzz/fuzz_reader.c): an ERF record shorter than its
	 * header and padding gets a negative capture length, which
	 * trace_get_packet_buffer() asserts against (the int comes back here
	 * as a huge size_t); for a raw-IP record that captured no bytes,
	 * trace_get_layer3() passes a NULL layer 2 on to
	 * trace_get_payload_from_layer2(), which dereferences it. */
	size_t caplen = trace_get_capture_length(r->packet);
	/* trace_get_packet_buffer(), not trace_get_layer2(): on a Linux SLL
	 * record libtrace 3.0.22's trace_get_layer2() leaves a state in which
	 * trace_get_layer3() then finds no layer 3 at all. */
	libtrace_linktype_t link;
	uint32_t l2_len = 0;
	if (caplen == 0 || caplen >= LIBTRACE_PACKET_BUFSIZE ||
	    trace_get_packet_buffer(r->packet, &link, &l2_len) == NULL || l2_len == 0)
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

/* The rest of reader_next() for a pcap file we sniffed (pcapfile format,
 * byte order known): the record header is read here, as libtrace 3.0.22's
 * pcapfile format reads it, instead of through its per-packet calls for
 * the time, the format and the lengths, which cost a third as much as
 * classifying the packet. */
static int next_sniffed_pcap(reader_t *r, struct reader_packet *pkt)
{
	const uint8_t *h = r->packet->header;
	uint64_t frac = rd_u32(h + READER_PCAP_FRAC_OFF, r->order);
	if (r->nanoseconds)
		frac /= READER_NS_PER_US;
	pkt->ts_us = (uint64_t)rd_u32(h + READER_PCAP_SEC_OFF, r->order) * 1000000u + frac;
	if (!link_type_known(r->packet))
		return unknown_link_type(r);
	uint32_t caplen = rd_u32(h + READER_PCAP_CAPLEN_OFF, r->order);
	uint32_t len = rd_u32(h + READER_PCAP_LEN_OFF, r->order);
	if (r->packet->payload == NULL || too_long(caplen, len) || fast_layer3(r, caplen, len, pkt))
		return 1;
	return libtrace_layer3(r, pkt);
}

/* reader_next() of a walked file. */
static int next_walked(reader_t *r, struct reader_packet *pkt)
{
	int rc = pcapwalk_next(r->walk, pkt);
	if (rc >= 0)
		return rc;
	r->error = *pcapwalk_error(r->walk);
	r->error.code = -BS_EIO;
	return -BS_EIO;
}

int reader_next(reader_t *r, struct reader_packet *pkt)
{
	if (r->walk != NULL)
		return next_walked(r, pkt);
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
			return trace_failed(&r->error, -BS_EIO, r->trace);
		return bs_err_set(&r->error, -BS_EIO, "read error");
	}
	if (r->order != ORDER_UNKNOWN)
		return next_sniffed_pcap(r, pkt);
	struct timeval tv = trace_get_timeval(r->packet);
	/* Negative times come only from corrupt records; clamp to the epoch. */
	pkt->ts_us = tv.tv_sec < 0 ? 0 : (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
	enum base_format_t format = trace_get_format(r->packet);
	/* Only pcap has 32-bit lengths (ERF and the legacy formats cannot
	 * reach READER_LEN_MAX); libpcap's header is in host order. A pcap
	 * file named by an explicit "pcapfile:" URI or read from standard
	 * input has an unknown byte order and stays unchecked. */
	bool pcap_family = format == TRACE_FORMAT_PCAP || format == TRACE_FORMAT_PCAPFILE;
	if (pcap_family && !link_type_known(r->packet))
		return unknown_link_type(r);
	/* libtrace leaves the payload NULL for records it knows to be damaged
	 * (an ERF record flagged as a receive error), and
	 * trace_get_link_type() then dereferences it for ERF type 0 (found by
	 * tests/fuzz/fuzz_reader.c). A damaged record has no layer 3 we trust. */
	if (r->packet->payload == NULL)
		return 1;
	if (format == TRACE_FORMAT_PCAP) {
		const struct pcap_pkthdr *h = r->packet->header;
		if (too_long(h->caplen, h->len))
			return 1;
	}
	return libtrace_layer3(r, pkt);
}

/* pcap link types of the layer 2 libtrace hands out for formats that are
 * not pcap (ERF and the legacy ones): the ones a darknet records. */
#define READER_LINKTYPE_ETHERNET 1u
#define READER_LINKTYPE_RAW      101u
#define READER_LINKTYPE_SLL      113u

int reader_frame(const reader_t *r, struct reader_frame *f)
{
	memset(f, 0, sizeof *f);
	if (r->walk != NULL) {
		pcapwalk_frame(r->walk, f);
		return f->bytes != NULL ? 0 : -BS_ENOTFOUND;
	}
	/* The guards of libtrace_layer3(): libtrace 3.0.22 asserts or
	 * dereferences NULL on records that captured nothing. */
	size_t caplen = r->packet->payload != NULL ? trace_get_capture_length(r->packet) : 0;
	libtrace_linktype_t link;
	uint32_t l2_len = 0;
	if (caplen == 0 || caplen >= LIBTRACE_PACKET_BUFSIZE)
		return -BS_ENOTFOUND;
	const uint8_t *l2 = trace_get_packet_buffer(r->packet, &link, &l2_len);
	if (l2 == NULL || l2_len == 0)
		return -BS_ENOTFOUND;
	f->bytes = l2;
	f->caplen = l2_len;
	f->wirelen = (uint32_t)trace_get_wire_length(r->packet);
	enum base_format_t format = trace_get_format(r->packet);
	if (format == TRACE_FORMAT_PCAP || format == TRACE_FORMAT_PCAPFILE) {
		if (!link_type_known(r->packet))
			return -BS_ENOTFOUND;
		f->linktype = (uint32_t)(r->packet->type - TRACE_RT_DATA_DLT);
		/* The length the file records, not libtrace's (which adds the
		 * Ethernet FCS). */
		if (r->order != ORDER_UNKNOWN)
			f->wirelen = rd_u32(
			    (const uint8_t *)r->packet->header + READER_PCAP_LEN_OFF, r->order);
		else if (format == TRACE_FORMAT_PCAP)
			f->wirelen = ((const struct pcap_pkthdr *)r->packet->header)->len;
		return 0;
	}
	switch (link) {
	case TRACE_TYPE_ETH:
		f->linktype = READER_LINKTYPE_ETHERNET;
		return 0;
	case TRACE_TYPE_NONE:
		f->linktype = READER_LINKTYPE_RAW;
		return 0;
	case TRACE_TYPE_LINUX_SLL:
		f->linktype = READER_LINKTYPE_SLL;
		return 0;
	default:
		return -BS_ENOTFOUND;
	}
}

const struct bs_err *reader_error(const reader_t *r)
{
	return &r->error;
}

void reader_free(reader_t *r)
{
	if (r == NULL)
		return;
	pcapwalk_free(r->walk);
	if (r->filter != NULL)
		trace_destroy_filter(r->filter);
	if (r->packet != NULL)
		trace_destroy_packet(r->packet);
	if (r->trace != NULL)
		trace_destroy(r->trace);
	free(r);
}

/* fuzz_run.c - per-input work of the fuzz targets (see fuzz_run.h).
 *
 * Contract checks return a static string instead of aborting, so the Check
 * suite can name the file that broke one and the fuzz entry points can turn
 * it into a crash libFuzzer saves. memfd_create() needs _GNU_SOURCE: the
 * in-memory trace file keeps hundreds of executions a second off the disk
 * and leaves nothing behind when the fuzzer is killed. */
#define _GNU_SOURCE
#include "fuzz_run.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "telescope/addr.h"
#include "base/bs_error.h"
#include "telescope/classify.h"
#include "telescope/parse.h"
#include "telescope/pcapwalk.h"
#include "telescope/reader.h"

/* Capture time put in the event before classifying: classify_packet() must
 * hand it back untouched whatever the packet holds. */
#define FUZZ_TS_SENTINEL 0x0123456789abcdefull
/* Largest claimed IP length: IPv4 total length is 16 bits; IPv6 adds its
 * 40-byte fixed header to a 16-bit payload length (classify.h). */
#define FUZZ_MAX_IPV4_LEN 65535u
#define FUZZ_MAX_IPV6_LEN 65575u
/* Every BS_EV_* flag event.h defines. */
#define FUZZ_EV_FLAGS (BS_EV_HAS_PORT | BS_EV_MISMATCH | BS_EV_QUOTE_SHORT | BS_EV_HAS_APORT)
/* Ethertype for the "not IP" case: ARP, which classify_packet must refuse. */
#define FUZZ_ETHERTYPE_OTHER 0x0806u
/* BPF filter used on odd-sized reader inputs, so filtered and unfiltered
 * reading are both fuzzed; it matches every kind of backscatter. */
#define FUZZ_READER_FILTER "tcp or icmp or icmp6"
/* Room for "/proc/self/fd/" and a file descriptor number. */
#define FUZZ_PATH_MAX 64
/* Name of the in-memory trace file; readlink() shows it as "/memfd:NAME". */
#define FUZZ_MEMFD_NAME "fuzz-trace"

/* libtrace 3.0.22's "pcap:" format, which reader.c uses for pcapng, has no
 * pause_input and its fin_input only frees its own struct, so the pcap_t of
 * pcap_open_offline() (and its FILE and descriptor) is never closed: one per
 * pcapng file opened. That is a known bug outside our code (reported with
 * the fuzzing results; reader.c would have to read pcapng through libpcap
 * itself to avoid it); suppressed here by the allocating libpcap function
 * so that every other leak, ours or libtrace's, still fails the run. The
 * hook's name is fixed by LeakSanitizer (sanitizer/lsan_interface.h). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:pcap_fopen_offline_with_tstamp_precision\n";
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* True when [q, q + n) lies inside [p, p + len). */
static bool inside(const uint8_t *p, size_t len, const uint8_t *q, size_t n)
{
	return q >= p && (size_t)(q - p) <= len && n <= len - (size_t)(q - p);
}

/* An address as classify and parse must produce it: known family, and for
 * IPv4 the unused bytes zero so that it hashes and compares as bytes. */
static bool addr_ok(const bs_addr_t *a, int family)
{
	if (a->family != family)
		return false;
	return family == BS_AF_INET6 || all_zero(a->bytes + 4, sizeof a->bytes - 4);
}

static const char *check_ip(const uint8_t *p, size_t len, int family, struct ip_view *v)
{
	int rc = family == BS_AF_INET ? parse_ipv4(p, len, v) : parse_ipv6(p, len, v);
	if (rc == -BS_ETRUNC || rc == -BS_EMALFORMED)
		return all_zero(v, sizeof *v) ? NULL : "parse_ip: view not zeroed on failure";
	if (rc != 0)
		return "parse_ip: unexpected return code";
	size_t min_hdr = family == BS_AF_INET ? PARSE_IPV4_MIN_HDR : PARSE_IPV6_HDR;
	size_t max_tot = family == BS_AF_INET ? FUZZ_MAX_IPV4_LEN : FUZZ_MAX_IPV6_LEN;
	size_t end = v->tot_len < len ? v->tot_len : len;
	bs_addr_t src, dst;
	parse_ip_src(v, &src);
	parse_ip_dst(v, &dst);
	if (v->version != family || !addr_ok(&src, family) || !addr_ok(&dst, family))
		return "parse_ip: wrong version or address family";
	if (v->tot_len < min_hdr || v->tot_len > max_tot || v->cut != (v->tot_len > len))
		return "parse_ip: total length or cut flag inconsistent";
	if (v->l4 == NULL || !inside(p, len, v->l4, v->l4_len) || v->l4 < p + min_hdr)
		return "parse_ip: l4 outside the packet";
	/* The payload must end exactly where the claimed or captured bytes do,
	 * whichever comes first (Ethernet padding trimmed, snap length kept). */
	if (v->l4 + v->l4_len != p + end)
		return "parse_ip: l4 does not end at min(claimed, captured)";
	return NULL;
}

/* The transport parsers on any bytes: outputs zeroed on failure, ICMP quote
 * inside the input. */
static const char *check_transport(const uint8_t *p, size_t len)
{
	struct tcp_view t;
	struct ports_view ports;
	struct icmp_view icmp;

	int rc = parse_tcp(p, len, &t);
	if (rc != 0 && (rc != -BS_ETRUNC && rc != -BS_EMALFORMED))
		return "parse_tcp: unexpected return code";
	if (rc != 0 && !all_zero(&t, sizeof t))
		return "parse_tcp: view not zeroed on failure";
	if (rc == 0 && (p[12] >> 4 < PARSE_TCP_MIN_DOFF || t.flags != p[13]))
		return "parse_tcp: accepted a bad data offset or misread the flags";
	rc = parse_ports(p, len, &ports);
	if (rc != 0 && (rc != -BS_ETRUNC || !all_zero(&ports, sizeof ports)))
		return "parse_ports: bad failure";
	rc = parse_icmp(p, len, &icmp);
	if (rc != 0)
		return rc == -BS_ETRUNC && all_zero(&icmp, sizeof icmp) ? NULL
		                                                        : "parse_icmp: bad failure";
	if (icmp.quote_len == 0 ? icmp.quote != NULL
	                        : icmp.quote != p + PARSE_ICMP_QUOTE_OFF ||
	                              !inside(p, len, icmp.quote, icmp.quote_len))
		return "parse_icmp: quote outside the packet";
	return NULL;
}

static const char *check_classify(const uint8_t *p, size_t len, uint16_t ethertype)
{
	struct bs_event ev;
	memset(&ev, 0xa5, sizeof ev); /* stale garbage classify_packet must clear */
	ev.ts_us = FUZZ_TS_SENTINEL;

	int rc = classify_packet(p, len, ethertype, &ev);
	if (ev.ts_us != FUZZ_TS_SENTINEL)
		return "classify: ts_us changed";
	bool ip = ethertype == CLASSIFY_ETHERTYPE_IPV4 || ethertype == CLASSIFY_ETHERTYPE_IPV6;
	if (!ip)
		return rc == CLASSIFY_NOT_IP ? NULL : "classify: non-IP ethertype not refused";
	if (rc != CLASSIFY_BACKSCATTER) {
		if (rc != CLASSIFY_NOT_BACKSCATTER && rc != CLASSIFY_FRAGMENT && rc != -BS_ETRUNC &&
		    rc != -BS_EMALFORMED)
			return "classify: unexpected return code";
		ev.ts_us = 0;
		return all_zero(&ev, sizeof ev) ? NULL : "classify: event not zeroed when rejected";
	}
	int family = ethertype == CLASSIFY_ETHERTYPE_IPV4 ? BS_AF_INET : BS_AF_INET6;
	uint32_t min_len = family == BS_AF_INET ? PARSE_IPV4_MIN_HDR : PARSE_IPV6_HDR;
	uint32_t max_len = family == BS_AF_INET ? FUZZ_MAX_IPV4_LEN : FUZZ_MAX_IPV6_LEN;
	if (!addr_ok(&ev.victim, family) || !addr_ok(&ev.dst, family) ||
	    !addr_ok(&ev.responder, family))
		return "classify: address of the wrong family or with stray bytes";
	if (ev.proto >= BS_PROTO_COUNT || ev.response >= BS_RESP_COUNT)
		return "classify: protocol or response out of range";
	if ((ev.flags & ~FUZZ_EV_FLAGS) != 0 || (!(ev.flags & BS_EV_HAS_PORT) && ev.port != 0))
		return "classify: unknown flag, or a port without BS_EV_HAS_PORT";
	/* Both ports come from one transport header, or neither. */
	if (!(ev.flags & BS_EV_HAS_APORT) != !(ev.flags & BS_EV_HAS_PORT) ||
	    (!(ev.flags & BS_EV_HAS_APORT) && ev.aport != 0))
		return "classify: an attacker port without the victim port, or without its flag";
	if (ev.ip_len < min_len || ev.ip_len > max_len)
		return "classify: ip_len out of range";
	bool tcp_resp = ev.response == BS_RESP_TCP_SYNACK || ev.response == BS_RESP_TCP_RST;
	if (tcp_resp && (ev.proto != BS_PROTO_TCP || !(ev.flags & BS_EV_HAS_PORT)))
		return "classify: TCP response without TCP protocol and port";
	if ((ev.flags & BS_EV_HAS_APORT) && ev.proto != BS_PROTO_TCP && ev.proto != BS_PROTO_UDP)
		return "classify: an attacker port in an attack neither TCP nor UDP";
	return NULL;
}

/* Lookups of one address: position defined exactly when contained. */
static const char *check_lookup(const bs_prefixes_t *set, const bs_addr_t *a)
{
	double u = -1.0;
	int rc = bs_prefixes_position(set, a, &u);
	if (bs_prefixes_contains(set, a))
		return rc == 0 && u > 0.0 && u < 1.0 ? NULL : "prefixes: position not in (0, 1)";
	return rc == -BS_ENOTFOUND && u == 0.0 ? NULL : "prefixes: position of an outside address";
}

/* Every prefix of a successful add: its text parses back (all of them at
 * once into a fresh set), its first address is inside. */
static const char *check_prefix_texts(const bs_prefixes_t *set)
{
	size_t n = bs_prefixes_count(set);
	char item[BS_ADDR_STRLEN + 8];
	const char *why = NULL;

	if (n > SIZE_MAX / sizeof item)
		return "prefixes: count overflows";
	char *all = malloc(n * sizeof item);
	bs_prefixes_t *again = bs_prefixes_create();
	if (all == NULL || again == NULL) {
		free(all);
		bs_prefixes_free(again);
		return "prefixes: out of memory in the check";
	}
	all[0] = '\0';
	size_t used = 0;
	for (size_t i = 0; i < n && why == NULL; i++) {
		bs_prefixes_text(set, i, item, sizeof item);
		char *slash = strchr(item, '/');
		bs_addr_t net;
		if (slash == NULL) {
			why = "prefixes: text without a length";
			break;
		}
		used += (size_t)sprintf(all + used, "%s%s", i ? "," : "", item);
		*slash = '\0';
		if (bs_addr_parse(item, &net) != 0 || !bs_prefixes_contains(set, &net))
			why = "prefixes: first address of a prefix not inside";
		else
			why = check_lookup(set, &net);
	}
	if (why == NULL && (bs_prefixes_add(again, all) != 0 || bs_prefixes_count(again) != n))
		why = "prefixes: canonical text does not parse back";
	free(all);
	bs_prefixes_free(again);
	return why;
}

static const char *check_prefixes(const uint8_t *data, size_t size, const struct ip_view *ips,
                                  size_t nips)
{
	char *text = malloc(size + 1);
	bs_prefixes_t *set = bs_prefixes_create();
	const char *why = NULL;

	if (text == NULL || set == NULL) {
		why = "prefixes: out of memory in the check";
		goto out;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	int rc = bs_prefixes_add(set, text);
	size_t n = bs_prefixes_count(set);
	if (rc != 0) {
		if (rc != -BS_EINVAL && rc != -BS_ERANGE && rc != -BS_EEXIST)
			why = "prefixes: unexpected return code";
		else if (n != 0)
			why = "prefixes: failed add left prefixes behind";
		goto out;
	}
	if (n == 0 || bs_prefixes_size(set, BS_AF_INET) + bs_prefixes_size(set, BS_AF_INET6) <= 0)
		why = "prefixes: successful add of nothing";
	else if (bs_prefixes_add(set, text) != -BS_EEXIST || bs_prefixes_count(set) != n)
		why = "prefixes: adding the same text twice did not fail cleanly";
	if (why == NULL)
		why = check_prefix_texts(set);
	for (size_t i = 0; i < nips && why == NULL; i++) {
		bs_addr_t a;
		parse_ip_src(&ips[i], &a);
		why = check_lookup(set, &a);
		parse_ip_dst(&ips[i], &a);
		if (why == NULL)
			why = check_lookup(set, &a);
	}
out:
	free(text);
	bs_prefixes_free(set);
	return why;
}

const char *fuzz_run_classify(const uint8_t *data, size_t size)
{
	static const uint16_t ethertypes[] = {CLASSIFY_ETHERTYPE_IPV4, CLASSIFY_ETHERTYPE_IPV6,
	                                      FUZZ_ETHERTYPE_OTHER};
	struct ip_view ips[2];
	size_t nips = 0;
	const char *why;

	if (size == 0)
		return NULL;
	const uint8_t *pkt = data + 1;
	size_t len = size - 1;
	why = check_classify(pkt, len, ethertypes[data[0] % 3]);
	for (int i = 0; i < 2 && why == NULL; i++) {
		struct ip_view v;
		why = check_ip(pkt, len, i == 0 ? BS_AF_INET : BS_AF_INET6, &v);
		if (why == NULL && v.version != 0) {
			ips[nips++] = v;
			why = check_transport(v.l4, v.l4_len);
		}
	}
	if (why == NULL)
		why = check_transport(pkt, len);
	if (why == NULL)
		why = check_prefixes(data, size, ips, nips);
	return why;
}

/* Reads the trace at path to its end; what reader.h promises of each call. */
static const char *read_trace(const char *path, const char *bpf)
{
	static char stale; /* stands for a stale handle reader_open must clear */
	struct bs_err err;
	reader_t *r = (reader_t *)(void *)&stale;
	const char *why = NULL;

	memset(&err, 'x', sizeof err);
	int rc = reader_open(path, bpf, &r, &err);
	if (rc != 0) {
		if (rc != -BS_EIO && rc != -BS_EFORMAT && rc != -BS_ENOMEM)
			return "reader_open: unexpected return code";
		if (r != NULL)
			return "reader_open: handle not NULL on failure";
		if (err.code != rc)
			return "reader_open: error carrier without the code returned";
		if (memchr(err.msg, '\0', sizeof err.msg) == NULL || err.msg[0] == '\0')
			return "reader_open: no error message";
		return NULL;
	}
	for (;;) {
		struct reader_packet pkt;
		rc = reader_next(r, &pkt);
		if (rc == 0)
			break;
		if (rc == -BS_EIO) {
			if (reader_error(r)->code != rc || reader_error(r)->msg[0] == '\0')
				why = "reader_next: error without a message";
			break;
		}
		if (rc != 1) {
			why = "reader_next: unexpected return code";
			break;
		}
		if (pkt.filtered && pkt.l3 != NULL) {
			why = "reader_next: filtered packet with layer 3";
			break;
		}
		if (pkt.l3 != NULL)
			why = check_classify(pkt.l3, pkt.l3_len, pkt.ethertype);
		if (why != NULL)
			break;
	}
	reader_free(r);
	return why;
}

/* Closes descriptors of our memfd other than fd, which only the libtrace
 * leak above leaves open; without this the fuzzer runs out of descriptors. */
static void close_leaked_copies(int fd)
{
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char link[FUZZ_PATH_MAX], target[FUZZ_PATH_MAX];
		int other = atoi(e->d_name);
		if (other == fd || other == dirfd(d) || e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof link, "/proc/self/fd/%d", other);
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/memfd:" FUZZ_MEMFD_NAME, strlen("/memfd:" FUZZ_MEMFD_NAME)) ==
		    0)
			close(other);
	}
	closedir(d);
}

/* data in an anonymous in-memory file whose path is written to path:
 * its descriptor, or -1 (*why set). */
static int to_memfd(const uint8_t *data, size_t size, char *path, const char **why)
{
	/* wandio's reader thread makes each execution ten times slower and
	 * hides libtrace's dependence on a stale errno (see reader_next()). */
	setenv("LIBTRACEIO", "nothreads", 0);
	int fd = memfd_create(FUZZ_MEMFD_NAME, MFD_CLOEXEC);
	if (fd < 0) {
		*why = "reader: memfd_create failed";
		return -1;
	}
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0) {
			*why = "reader: writing the memfd failed";
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	snprintf(path, FUZZ_PATH_MAX, "/proc/self/fd/%d", fd);
	return fd;
}

const char *fuzz_run_reader(const uint8_t *data, size_t size)
{
	char path[FUZZ_PATH_MAX];
	const char *why = NULL;
	int fd = to_memfd(data, size, path, &why);
	if (fd < 0)
		return why;
	why = read_trace(path, size % 2 ? FUZZ_READER_FILTER : NULL);
	close_leaked_copies(fd);
	close(fd);
	return why;
}

/* --- the record walker ------------------------------------------------------ */

/* Packets compared per input (a 64 KiB input holds at most 4096 records). */
#define WALK_MAX_PACKETS 8192
/* Block sizes of the memory source: records straddle blocks everywhere. */
static const size_t WALK_BLOCKS[] = {1, 2, 3, 7, 16, 61, 512, 4096, 65536};
#define WALK_LINUX_SLL 113u

/* What a reader hands out for one packet, as the collector sees it. */
struct walk_packet {
	uint64_t ts_us;
	uint8_t ip; /* layer 3 present and IPv4 or IPv6 */
	uint16_t ethertype;
	size_t l3_len;
	uint64_t l3_hash;
};

/* A whole read: its packets, then how it ended. */
struct walk_result {
	struct walk_packet pkt[WALK_MAX_PACKETS];
	size_t n;
	int open_rc, end_rc;
	char msg[BS_ERR_MSGLEN];
};

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* Adds pkt to res; a contract broken, or NULL. */
static const char *walk_add(struct walk_result *res, const struct reader_packet *pkt)
{
	if (pkt->filtered)
		return "walk: a packet filtered without a filter";
	if (pkt->l3 != NULL) {
		const char *why = check_classify(pkt->l3, pkt->l3_len, pkt->ethertype);
		if (why != NULL)
			return why;
	}
	if (res->n == WALK_MAX_PACKETS)
		return NULL;
	struct walk_packet *w = &res->pkt[res->n++];
	memset(w, 0, sizeof *w);
	w->ts_us = pkt->ts_us;
	w->ip = pkt->l3 != NULL && (pkt->ethertype == CLASSIFY_ETHERTYPE_IPV4 ||
	                            pkt->ethertype == CLASSIFY_ETHERTYPE_IPV6);
	if (w->ip) {
		w->ethertype = pkt->ethertype;
		w->l3_len = pkt->l3_len;
		w->l3_hash = fnv1a(pkt->l3, pkt->l3_len);
	}
	return NULL;
}

/* Walks data from memory in blocks of block bytes into res. */
static const char *walk_mem(const uint8_t *data, size_t size, size_t block, struct walk_result *res,
                            uint32_t *linktype)
{
	bytesource_t *src;
	struct bs_err err;
	memset(res, 0, sizeof *res);
	int rc = bytesource_open_mem(data, size, block, &src, &err);
	if (rc != 0) {
		res->open_rc = rc;
		snprintf(res->msg, sizeof res->msg, "%s", bs_err_text(&err));
		return rc == -BS_EFORMAT || rc == -BS_ENOMEM ? NULL
		                                             : "bytesource_open_mem: bad code";
	}
	pcapwalk_t *w;
	rc = pcapwalk_open(src, &w, linktype, &err);
	if (rc != 0) {
		res->open_rc = rc;
		snprintf(res->msg, sizeof res->msg, "%s", bs_err_text(&err));
		if (rc != -BS_ENOTFOUND && rc != -BS_EFORMAT && rc != -BS_EIO && rc != -BS_ENOMEM)
			return "pcapwalk_open: unexpected return code";
		if (err.code != rc || err.msg[0] == '\0')
			return "pcapwalk_open: error without its code or a message";
		return w == NULL ? NULL : "pcapwalk_open: walker set on failure";
	}
	const char *why = NULL;
	struct reader_packet pkt;
	while ((rc = pcapwalk_next(w, &pkt)) == 1 && why == NULL)
		why = walk_add(res, &pkt);
	if (why == NULL && rc != 0 && rc != -BS_EIO && rc != -BS_ENOMEM)
		why = "pcapwalk_next: unexpected return code";
	if (why == NULL && rc < 0 &&
	    (pcapwalk_error(w)->code != rc || pcapwalk_error(w)->msg[0] == '\0'))
		why = "pcapwalk_next: error without its code or a message";
	if (why == NULL && pcapwalk_next(w, &pkt) != rc)
		why = "pcapwalk_next: a second call after the end returned something else";
	res->end_rc = rc;
	if (rc < 0)
		snprintf(res->msg, sizeof res->msg, "%s", bs_err_text(pcapwalk_error(w)));
	pcapwalk_free(w);
	return why;
}

/* Reads path through reader_open()/reader_next() into res. */
static const char *walk_reader(const char *path, struct walk_result *res)
{
	reader_t *r;
	struct bs_err err;
	memset(res, 0, sizeof *res);
	int rc = reader_open(path, NULL, &r, &err);
	if (rc != 0) {
		res->open_rc = rc;
		snprintf(res->msg, sizeof res->msg, "%s", bs_err_text(&err));
		return NULL;
	}
	const char *why = NULL;
	struct reader_packet pkt;
	while ((rc = reader_next(r, &pkt)) == 1 && why == NULL)
		why = walk_add(res, &pkt);
	res->end_rc = rc;
	if (rc < 0)
		snprintf(res->msg, sizeof res->msg, "%s", bs_err_text(reader_error(r)));
	reader_free(r);
	return why;
}

/* True when the read failed on damaged compressed data: how much of it
 * decodes before the damage shows depends on the decoder's buffer sizes. */
static bool walk_decoder_failed(const struct walk_result *r)
{
	return (r->open_rc == -BS_EIO || r->end_rc == -BS_EIO) &&
	       (strstr(r->msg, "gzip ") != NULL || strstr(r->msg, "zstd ") != NULL);
}

/* Whether two reads agree: every packet, and how they ended. sll allows
 * the one known difference (an SLL frame of an 802.11 hardware type has
 * a layer 3 through libtrace only). When a decoder failed on damaged data
 * in either, the packets both read must agree and nothing else. */
static const char *walk_compare(const struct walk_result *a, const struct walk_result *b, bool sll,
                                const char *what)
{
	static char why[256];
	if (walk_decoder_failed(a) || walk_decoder_failed(b)) {
		size_t n = a->open_rc != 0 || b->open_rc != 0 ? 0 : a->n < b->n ? a->n : b->n;
		for (size_t i = 0; i < n; i++)
			if (memcmp(&a->pkt[i], &b->pkt[i], sizeof a->pkt[i]) != 0) {
				snprintf(why, sizeof why,
				         "%s: packet %zu differs before the damage", what, i);
				return why;
			}
		return NULL;
	}
	if (a->open_rc != b->open_rc || (a->open_rc != 0 && strcmp(a->msg, b->msg) != 0)) {
		snprintf(why, sizeof why, "%s: opening differs (%d \"%.80s\" vs %d \"%.80s\")",
		         what, a->open_rc, a->msg, b->open_rc, b->msg);
		return why;
	}
	if (a->open_rc != 0)
		return NULL;
	if (a->n != b->n) {
		snprintf(why, sizeof why, "%s: %zu packets vs %zu", what, a->n, b->n);
		return why;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct walk_packet *x = &a->pkt[i], *y = &b->pkt[i];
		if (sll && x->ip != y->ip && !x->ip)
			continue;
		if (x->ts_us != y->ts_us || x->ip != y->ip || x->ethertype != y->ethertype ||
		    x->l3_len != y->l3_len || x->l3_hash != y->l3_hash) {
			snprintf(
			    why, sizeof why,
			    "%s: packet %zu differs (ts %llu/%llu ip %d/%d type %x/%x len %zu/%zu)",
			    what, i, (unsigned long long)x->ts_us, (unsigned long long)y->ts_us,
			    x->ip, y->ip, x->ethertype, y->ethertype, x->l3_len, y->l3_len);
			return why;
		}
	}
	if (a->end_rc != b->end_rc || strcmp(a->msg, b->msg) != 0) {
		snprintf(why, sizeof why, "%s: the end differs (%d \"%.80s\" vs %d \"%.80s\")",
		         what, a->end_rc, a->msg, b->end_rc, b->msg);
		return why;
	}
	return NULL;
}

const char *fuzz_run_walk(const uint8_t *data, size_t size)
{
	static struct walk_result small, whole, walked, traced;
	uint32_t linktype = UINT32_MAX;
	size_t block = WALK_BLOCKS[size % (sizeof WALK_BLOCKS / sizeof WALK_BLOCKS[0])];
	const char *why = walk_mem(data, size, block, &small, &linktype);
	if (why == NULL)
		why = walk_mem(data, size, SIZE_MAX, &whole, &linktype);
	if (why == NULL)
		why = walk_compare(&small, &whole, false, "small blocks vs one block");
	/* Uncompressed data that the walker reads: the same through libtrace. */
	bool compressed = size >= 2 && ((data[0] == 0x1f && data[1] == 0x8b) ||
	                                (data[0] == 0x28 && data[1] == 0xb5));
	if (why != NULL || compressed || whole.open_rc == -BS_ENOTFOUND)
		return why;
	char path[FUZZ_PATH_MAX];
	int fd = to_memfd(data, size, path, &why);
	if (fd < 0)
		return why;
	why = walk_reader(path, &walked);
	reader_walk_enable(false);
	if (why == NULL)
		why = walk_reader(path, &traced);
	reader_walk_enable(true);
	close_leaked_copies(fd);
	close(fd);
	if (why == NULL)
		why = walk_compare(&walked, &traced, linktype == WALK_LINUX_SLL,
		                   "walker vs libtrace");
	return why;
}

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
	if (v->version != family || !addr_ok(&v->src, family) || !addr_ok(&v->dst, family))
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
		why = check_lookup(set, &ips[i].src);
		if (why == NULL)
			why = check_lookup(set, &ips[i].dst);
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

const char *fuzz_run_reader(const uint8_t *data, size_t size)
{
	char path[FUZZ_PATH_MAX];
	const char *why = NULL;

	/* wandio's reader thread makes each execution ten times slower and
	 * hides libtrace's dependence on a stale errno (see reader_next()). */
	setenv("LIBTRACEIO", "nothreads", 0);
	int fd = memfd_create(FUZZ_MEMFD_NAME, MFD_CLOEXEC);
	if (fd < 0)
		return "reader: memfd_create failed";
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);
		if (n <= 0) {
			why = "reader: writing the memfd failed";
			break;
		}
		off += (size_t)n;
	}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (why == NULL)
		why = read_trace(path, size % 2 ? FUZZ_READER_FILTER : NULL);
	close_leaked_copies(fd);
	close(fd);
	return why;
}

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
/* Snap length used only to compile a filter for checking. */
#define READER_CHECK_SNAPLEN 65535

struct reader {
	libtrace_t *trace;
	libtrace_packet_t *packet;
	libtrace_filter_t *filter;
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

/* True when the (possibly compressed) file starts like pcapng. */
static bool looks_like_pcapng(const char *path)
{
	uint8_t head[sizeof PCAPNG_MAGIC];
	io_t *io = wandio_create(path);
	if (io == NULL)
		return false;
	int64_t got = wandio_read(io, head, sizeof head);
	wandio_destroy(io);
	return got == (int64_t)sizeof head && memcmp(head, PCAPNG_MAGIC, sizeof head) == 0;
}

static void set_trace_error(char *err, size_t errlen, libtrace_t *trace)
{
	libtrace_err_t e = trace_get_err(trace);
	if (strstr(e.problem, "guess format") != NULL)
		snprintf(err, errlen, "not a packet trace libtrace can read (pcap, pcapng, ERF, ...)");
	else
		snprintf(err, errlen, "%s", e.problem[0] ? e.problem : "libtrace error");
}

int reader_open(const char *uri, const char *bpf, reader_t **out, char *err, size_t errlen)
{
	*out = NULL;
	err[0] = '\0';
	char *opened_as = NULL;
	if (is_plain_path(uri)) {
		int rc = check_path(uri, err, errlen);
		if (rc != 0)
			return rc;
		if (looks_like_pcapng(uri)) {
			size_t n = strlen(uri) + sizeof "pcap:";
			opened_as = malloc(n);
			if (opened_as == NULL)
				return -BS_ENOMEM;
			snprintf(opened_as, n, "pcap:%s", uri);
		}
	}
	reader_t *r = calloc(1, sizeof *r);
	if (r == NULL) {
		free(opened_as);
		return -BS_ENOMEM;
	}
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

int reader_next(reader_t *r, struct reader_packet *pkt)
{
	memset(pkt, 0, sizeof *pkt);
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

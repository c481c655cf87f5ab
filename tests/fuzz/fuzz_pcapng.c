/* fuzz_pcapng.c - libFuzzer target for evidence.pcapng as merge reads it
 * (outdir/pcapng.h pcapng_read_stream(), analysis/evidence.h
 * evidence_packet_key() and evidence_per_target()). Contracts checked,
 * aborting when one breaks (libFuzzer saves a crash):
 * - the reader returns 0, -BS_EFORMAT or -BS_ENOMEM, and on error a
 *   message of one line that names a byte offset (out of memory aside);
 * - every packet handed out has a known interface's link type, a captured
 *   length of at most PCAPNG_CAPLEN_MAX, a comment of 1..PCAPNG_COMMENT_MAX
 *   bytes or none, numbered 1, 2, ...;
 * - a comment's tags parse to a known protocol or are refused with a
 *   message; the section comment's N is 1..EVIDENCE_MAX_PACKETS or refused;
 * - a file read whole, written again with its packets and section comment
 *   (under $TMPDIR) and read back, gives the same packets, and writing
 *   that again gives the same bytes (the writer is canonical). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/evidence.h"
#include "base/bs_error.h"
#include "outdir/pcapng.h"
#include "telescope/event.h"

/* Room for $TMPDIR, the directory name and a file name. */
#define FUZZ_PATH_LEN 4096
/* Packets compared on the round trip: the inputs are far smaller. */
#define FUZZ_MAX_PACKETS 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_pcapng: %s\n", why);
	abort();
}

/* A reading: its packets written to out, their digests in sums. */
struct pass {
	pcapng_t *out;
	uint64_t sums[FUZZ_MAX_PACKETS];
	size_t n;
};

/* FNV-1a over the fields and bytes of a packet: equal packets, equal
 * digests. */
static uint64_t digest(const struct pcapng_packet *pk)
{
	uint64_t h = 14695981039346656037ull;
	uint64_t f[5] = {pk->ts_us, pk->linktype, pk->snaplen, pk->wirelen, pk->caplen};
	const uint8_t *parts[3] = {(const uint8_t *)f, pk->bytes,
	                           (const uint8_t *)(pk->comment ? pk->comment : "")};
	size_t lens[3] = {sizeof f, pk->caplen, pk->comment ? strlen(pk->comment) : 0};
	for (int p = 0; p < 3; p++)
		for (size_t i = 0; i < lens[p]; i++)
			h = (h ^ parts[p][i]) * 1099511628211ull;
	return h;
}

static int on_packet(const struct pcapng_packet *pk, uint64_t number, void *arg)
{
	struct pass *ps = arg;
	if (number != ps->n + 1)
		fail("packets not numbered 1, 2, ...");
	if (pk->caplen > PCAPNG_CAPLEN_MAX || (pk->caplen > 0 && pk->bytes == NULL))
		fail("captured length over the most, or no bytes");
	if (pk->comment != NULL) {
		size_t len = strlen(pk->comment);
		if (len == 0 || len > PCAPNG_COMMENT_MAX)
			fail("comment empty or too long");
	}
	bs_addr_t victim;
	uint8_t proto;
	struct bs_err err = {0};
	int rc = evidence_packet_key(pk->comment, &victim, &proto, &err);
	if (rc == 0 && proto >= BS_PROTO_COUNT)
		fail("a tag of an unknown protocol taken");
	if (rc != 0 && (rc != -BS_EFORMAT || err.msg[0] == '\0' || strchr(err.msg, '\n')))
		fail("a refused comment without its code or one-line message");
	if (ps->n < FUZZ_MAX_PACKETS)
		ps->sums[ps->n] = digest(pk);
	ps->n++;
	return ps->out != NULL ? pcapng_add(ps->out, pk) : 0;
}

/* A private directory under $TMPDIR, made once. */
static const char *scratch(void)
{
	static char dir[FUZZ_PATH_LEN];
	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");
		int n =
		    snprintf(dir, sizeof dir, "%s/fuzz-pcapng-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (n < 0 || (size_t)n >= sizeof dir || mkdtemp(dir) == NULL)
			fail("no scratch directory");
	}
	return dir;
}

/* The whole file dir/name, malloc'd; *len its size. */
static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char path[FUZZ_PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0)
		fail("written file not there");
	long n = ftell(f);
	rewind(f);
	uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
	if (b == NULL || n < 0 || fread(b, 1, (size_t)n, f) != (size_t)n)
		fail("written file not read");
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Reads len bytes at p, adding the packets to ps->out when set. */
static int read_bytes(const uint8_t *p, size_t len, char *section, struct pass *ps,
                      struct bs_err *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)p, len, "rb");
	if (f == NULL)
		fail("fmemopen");
	int rc = pcapng_read_stream(f, section, on_packet, ps, err);
	fclose(f);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0; /* fmemopen() takes no empty buffer */
	static struct pass first, again;
	first = (struct pass){.out = pcapng_create()};
	char section[PCAPNG_COMMENT_MAX + 1];
	struct bs_err err = {0};
	int rc = read_bytes(data, size, section, &first, &err);
	if (rc != 0 && rc != -BS_EFORMAT && rc != -BS_ENOMEM)
		fail("a code the header does not list");
	if (rc == -BS_EFORMAT &&
	    (strstr(err.msg, "byte ") == NULL && strstr(err.msg, "empty") == NULL))
		fail("a format error that names no byte");
	if (rc != 0 && rc != -BS_ENOMEM && (err.msg[0] == '\0' || strchr(err.msg, '\n')))
		fail("an error without a one-line message");
	if (strlen(section) > PCAPNG_COMMENT_MAX)
		fail("section comment too long");
	uint32_t n;
	if (evidence_per_target(section, &n) == 0 && (n < 1 || n > EVIDENCE_MAX_PACKETS))
		fail("N out of range taken");
	if (rc == 0) {
		if (section[0] != '\0' && pcapng_set_comment(first.out, section) != 0)
			fail("out of memory");
		const char *dir = scratch();
		if (pcapng_write(first.out, dir, "a.pcapng") != 0)
			fail("the packets read do not write");
		size_t la;
		uint8_t *a = slurp(dir, "a.pcapng", &la);
		again = (struct pass){.out = pcapng_create()};
		char section2[PCAPNG_COMMENT_MAX + 1];
		if (read_bytes(a, la, section2, &again, &err) != 0)
			fail("a file written does not read back");
		if (strcmp(section, section2) != 0 || again.n != first.n ||
		    memcmp(first.sums, again.sums,
		           (first.n < FUZZ_MAX_PACKETS ? first.n : FUZZ_MAX_PACKETS) *
		               sizeof first.sums[0]) != 0)
			fail("written and read back, the packets differ");
		if (section2[0] != '\0')
			pcapng_set_comment(again.out, section2);
		if (pcapng_write(again.out, dir, "b.pcapng") != 0)
			fail("written again, does not write");
		size_t lb;
		uint8_t *b = slurp(dir, "b.pcapng", &lb);
		if (la != lb || memcmp(a, b, la) != 0)
			fail("the writer is not canonical");
		free(a);
		free(b);
		pcapng_free(again.out);
	}
	pcapng_free(first.out);
	return 0;
}

/* check_flowstate.c - flows.state: written and read back in a scratch
 * directory (flows equal and in adoption order, the file canonical), no
 * flows, the telescope hash, what the writer refuses, the one-line
 * message of every way a file can be wrong (truncated at every byte, bad
 * magic, another version, checksum mismatch, a record that does not
 * decode, bytes after the end, header fields), I/O errors, a failed write
 * leaving the old file untouched, and the fuzzer's findings and seeds
 * replayed through the fuzz target's own checks.
 *
 * With BS_FLOWSTATE_SEEDS=DIR in the environment the round-trip test also
 * leaves its files in DIR: that is how tests/fuzz/corpus/flowstate/ was
 * made. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <xxhash.h>

#include "base/bs_buf.h"
#include "base/bs_error.h"
#include "check_codec.h"
#include "check_outdir.h"
#include "outdir/flowstate.h"
#include "telescope/attack.h"
#include "tests/fuzz/fuzz_flowstate.h"

#define US 1000000ull
#define T0 (1700000000ull * US)
/* Most partial flows a test makes. */
#define FLOWS_MAX 64u
/* Largest file replayed from the corpus and findings. */
#define REPLAY_MAX (1u << 20)

static bs_prefixes_t *tel;
static char *dir;

static void setup(void)
{
	tel = bs_prefixes_create();
	ck_assert_ptr_nonnull(tel);
	ck_assert_int_eq(bs_prefixes_add(tel, "10.0.0.0/8,2001:db8::/32"), 0);
	dir = outdir_create();
}

static void teardown(void)
{
	outdir_remove(dir);
	bs_prefixes_free(tel);
}

struct partials {
	attack_flow_t *f[FLOWS_MAX];
	size_t n;
};

static int keep_partial(attack_flow_t *f, void *arg)
{
	struct partials *p = arg;
	ck_assert_uint_lt(p->n, FLOWS_MAX);
	p->f[p->n++] = f;
	return 0;
}

static int no_attack(const struct attack_record *rec, void *arg)
{
	(void)rec;
	(void)arg;
	return 0;
}

static struct bs_event event(uint32_t victim, uint32_t to, uint64_t ts)
{
	struct bs_event ev = {.ts_us = ts,
	                      .ip_len = 44,
	                      .port = 80,
	                      .proto = BS_PROTO_TCP,
	                      .response = BS_RESP_TCP_SYNACK,
	                      .flags = BS_EV_HAS_PORT};
	bs_addr_from_v4(&ev.victim, victim);
	bs_addr_from_v4(&ev.dst, 0x0a000000u | ((to * 2654435761u) & 0xffffffu));
	ev.responder = ev.victim;
	return ev;
}

/* The header of the pieces made below. */
static struct flowstate_header header(void)
{
	struct flowstate_header h = {.telescope_hash = flowstate_telescope_hash(tel),
	                             .first_us = T0,
	                             .last_us = T0 + 1000 * US};
	ck_assert_int_eq(attack_params_preset(&h.params, "rsdos"), 0);
	return h;
}

/* The partial flows of a piece that may continue into the next one,
 * victims from 198.51.100.0 up: one-packet flows (scanner noise, one with
 * an IPv6 victim), held flows, a flood past the held limit, router errors
 * with responders. `big` adds a flood to 600 destinations and ports (a
 * sketch and the full port array). */
static size_t partial_flows(attack_flow_t **out, bool big)
{
	struct partials parts = {.n = 0};
	struct attack_params p;
	ck_assert_int_eq(attack_params_preset(&p, "rsdos"), 0);
	attack_table_t *t = attack_table_create(&p, tel, no_attack, NULL);
	const struct attack_hold h = {.before_next = true};
	attack_table_hold(t, &h, keep_partial, &parts);
	const uint32_t net = 0xc6336400u;
	struct bs_event ev;
	for (uint32_t i = 0; i < 4; i++) {
		ev = event(net + i, i, T0 + i * 7 * US);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	ev = event(0, 0, T0 + 5 * US);
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	bs_addr_from_v6(&ev.victim, v6);
	v6[15] = 2;
	bs_addr_from_v6(&ev.dst, v6);
	ck_assert_int_eq(attack_table_update(t, &ev), 0);
	for (uint32_t i = 0; i < 6; i++) {
		ev = event(net + 10, 100 + i, T0 + 20 * US + i * US);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	for (uint32_t i = 0; i < 40; i++) {
		ev = event(net + 11, 200 + i, T0 + 30 * US + i * 2 * US);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	for (uint32_t i = 0; i < 12; i++) {
		ev = event(net + 12, 300 + i, T0 + 40 * US + i * US);
		ev.proto = BS_PROTO_UDP;
		ev.response = BS_RESP_ICMP_UNREACH;
		ev.flags |= BS_EV_MISMATCH;
		bs_addr_from_v4(&ev.responder, 0xcb007100u + i % 3);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	for (uint32_t i = 0; big && i < 700; i++) {
		ev = event(net + 13, 1000 + i % 600, T0 + 60 * US + i * 100000ull);
		ev.port = (uint16_t)(2000 + i % 600);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	ck_assert_int_eq(attack_table_flush(t), 0);
	attack_table_free(t);
	memcpy(out, parts.f, parts.n * sizeof *out);
	return parts.n;
}

static int by_order(const void *a, const void *b)
{
	return attack_flow_cmp(*(attack_flow_t *const *)a, *(attack_flow_t *const *)b);
}

static void assert_same_header(const struct flowstate_header *a, const struct flowstate_header *b)
{
	ck_assert_uint_eq(a->params.flow_timeout_s, b->params.flow_timeout_s);
	ck_assert_uint_eq(a->params.min_packets, b->params.min_packets);
	ck_assert_uint_eq(a->params.min_duration_s, b->params.min_duration_s);
	ck_assert_uint_eq(a->params.min_ppm, b->params.min_ppm);
	ck_assert_uint_eq(a->params.min_dests, b->params.min_dests);
	ck_assert_uint_eq(a->telescope_hash, b->telescope_hash);
	ck_assert_uint_eq(a->first_us, b->first_us);
	ck_assert_uint_eq(a->last_us, b->last_us);
}

static void free_flows(attack_flow_t **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		attack_flow_free(f[i]);
}

/* DIR/flows.state as bytes. */
static struct bs_buf read_bytes(const char *path)
{
	struct bs_buf b = {0};
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	int c;
	while ((c = getc(f)) != EOF)
		bs_buf_put_u8(&b, (uint8_t)c);
	ck_assert_int_eq(ferror(f), 0);
	fclose(f);
	ck_assert_int_eq(bs_buf_status(&b), 0);
	return b;
}

static const char *state_path(void)
{
	static char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", dir, OUTDIR_FLOWSTATE);
	return path;
}

/* Copies path to $BS_FLOWSTATE_SEEDS/name when that is set. */
static void keep_seed(const char *path, const char *name)
{
	const char *seeds = getenv("BS_FLOWSTATE_SEEDS");
	if (seeds == NULL)
		return;
	struct bs_buf b = read_bytes(path);
	char out[OUTDIR_PATH_LEN];
	snprintf(out, sizeof out, "%s/%s", seeds, name);
	FILE *f = fopen(out, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b.data, 1, b.len, f), b.len);
	ck_assert_int_eq(fclose(f), 0);
	bs_buf_free(&b);
}

/* Writes flows (given in reverse adoption order), reads them back: the
 * header, the flows, in adoption order, each equal to its original; the
 * file re-encodes to its own bytes. */
static void check_round_trip(bool big, const char *seed)
{
	attack_flow_t *flows[FLOWS_MAX], *given[FLOWS_MAX];
	size_t n = partial_flows(flows, big);
	for (size_t i = 0; i < n; i++)
		given[i] = flows[n - 1 - i];
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_write(dir, &h, given, n, &err), 0);
	keep_seed(state_path(), seed);

	struct flowstate_header back;
	attack_flow_t **read;
	size_t n_read;
	ck_assert_int_eq(flowstate_read(state_path(), &back, &read, &n_read, &err), 0);
	assert_same_header(&back, &h);
	ck_assert_uint_eq(n_read, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert(attack_flow_equal(read[i], flows[i]));
		if (i > 0)
			ck_assert_int_lt(attack_flow_cmp(read[i - 1], read[i]), 0);
	}
	struct bs_buf file = read_bytes(state_path()), again = {0};
	ck_assert_int_eq(flowstate_encode(&back, read, n_read, &again, &err), 0);
	codec_assert_same(&file, &again);
	ck_assert_ptr_null(fuzz_run_flowstate(file.data, file.len));
	flowstate_flows_free(read, n_read);
	free_flows(flows, n);
	bs_buf_free(&file);
	bs_buf_free(&again);
}

START_TEST(round_trip)
{
	check_round_trip(false, "small.state");
	check_round_trip(true, "flood.state");
}
END_TEST

START_TEST(no_flows)
{
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_write(dir, &h, NULL, 0, &err), 0);
	keep_seed(state_path(), "empty.state");
	struct bs_buf file = read_bytes(state_path());
	ck_assert_uint_eq(file.len, 80); /* header and checksum */
	ck_assert_mem_eq(file.data, "BSFLOWS\0\1\0\0\0\x50\0\0\0\0\0\0\0", 20);
	struct flowstate_header back;
	attack_flow_t **read = NULL;
	size_t n = 1;
	ck_assert_int_eq(flowstate_read(state_path(), &back, &read, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_nonnull(read);
	assert_same_header(&back, &h);
	flowstate_flows_free(read, n);
	bs_buf_free(&file);
}
END_TEST

START_TEST(telescope_hash)
{
	ck_assert_uint_eq(
	    flowstate_telescope_hash(tel),
	    XXH3_64bits_withSeed("2001:db8::/32", 13, XXH3_64bits_withSeed("10.0.0.0/8", 10, 0)));
	bs_prefixes_t *other = bs_prefixes_create();
	ck_assert_uint_eq(flowstate_telescope_hash(other), 0);
	ck_assert_int_eq(bs_prefixes_add(other, "2001:db8::/32,10.0.0.0/8"), 0);
	ck_assert_uint_ne(flowstate_telescope_hash(other), flowstate_telescope_hash(tel));
	bs_prefixes_free(other);
}
END_TEST

START_TEST(writer_refuses_what_readers_would)
{
	attack_flow_t *flows[FLOWS_MAX];
	size_t n = partial_flows(flows, false);
	struct flowstate_header h = header();
	struct bs_err err = {0};
	char want[OUTDIR_PATH_LEN + 64];
	h.first_us = T0 + 1; /* the first flow starts at T0 */
	ck_assert_int_eq(flowstate_write(dir, &h, flows, n, &err), -BS_EINVAL);
	ck_assert_int_eq(err.code, -BS_EINVAL);
	snprintf(want, sizeof want, "%s: record 1: flow outside the time span of the header",
	         state_path());
	ck_assert_str_eq(err.msg, want);
	/* A last packet before some flow's last update: the first such in
	 * adoption order is named. */
	h = header();
	h.last_us = T0 + 50 * US;
	qsort(flows, n, sizeof *flows, by_order);
	size_t late = 0;
	while (attack_flow_touch(flows[late]) <= h.last_us)
		late++;
	ck_assert_int_eq(flowstate_write(dir, &h, flows, n, &err), -BS_EINVAL);
	snprintf(want, sizeof want, "%s: record %zu: flow outside the time span of the header",
	         state_path(), late + 1);
	ck_assert_str_eq(err.msg, want);
	h = header();
	h.params.flow_timeout_s = 0;
	ck_assert_int_eq(flowstate_write(dir, &h, flows, n, &err), -BS_EINVAL);
	snprintf(want, sizeof want, "%s: flow timeout of 0 s", state_path());
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(outdir_count(dir), 0);
	free_flows(flows, n);
}
END_TEST

/* A valid file of the small piece, in memory. */
static struct bs_buf valid_file(void)
{
	attack_flow_t *flows[FLOWS_MAX];
	size_t n = partial_flows(flows, false);
	const struct flowstate_header h = header();
	struct bs_buf b = {0};
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_encode(&h, flows, n, &b, &err), 0);
	free_flows(flows, n);
	return b;
}

/* The little-endian u32 at p. */
static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Recomputes the checksum of a file changed in place. */
static void reseal(struct bs_buf *b)
{
	codec_poke_u64(b->data, b->len - 8, XXH3_64bits(b->data, b->len - 8));
}

/* Writes p[0..len) as DIR/flows.state, reads it: refused with
 * -BS_EFORMAT and exactly "DIR/flows.state: " want, nothing returned. */
static void assert_file_refused(const uint8_t *p, size_t len, const char *want)
{
	FILE *f = fopen(state_path(), "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	struct flowstate_header h;
	attack_flow_t **flows = (attack_flow_t **)&h; /* stale, must become NULL */
	size_t n = 7;
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_read(state_path(), &h, &flows, &n, &err), -BS_EFORMAT);
	ck_assert_ptr_null(flows);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(err.code, -BS_EFORMAT);
	char line[OUTDIR_PATH_LEN + 256];
	snprintf(line, sizeof line, "%s: %s", state_path(), want);
	ck_assert_str_eq(err.msg, line);
	ck_assert_ptr_null(fuzz_run_flowstate(p, len));
}

START_TEST(truncated_at_every_byte)
{
	struct bs_buf b = valid_file();
	char want[128];
	for (size_t cut = 0; cut < b.len; cut++) {
		struct flowstate_header h;
		attack_flow_t **flows;
		size_t n;
		struct bs_err err = {0};
		ck_assert_int_eq(flowstate_parse(b.data, cut, &h, &flows, &n, &err), -BS_EFORMAT);
		if (cut < 80)
			snprintf(want, sizeof want, "truncated: %zu bytes, shorter than the header",
			         cut);
		else
			snprintf(want, sizeof want, "truncated: %zu bytes of %zu", cut, b.len);
		ck_assert_str_eq(err.msg, want);
		ck_assert_ptr_null(flows);
	}
	snprintf(want, sizeof want, "truncated: %zu bytes of %zu", b.len - 1, b.len);
	assert_file_refused(b.data, b.len - 1, want);
	bs_buf_free(&b);
}
END_TEST

START_TEST(every_kind_of_damage)
{
	struct bs_buf b = valid_file();
	const size_t len = b.len;
	uint8_t *p = b.data;
	char want[256];

	p[3] = 'X';
	assert_file_refused(p, len, "not a flow state file (no BSFLOWS magic)");
	assert_file_refused(p, 5, "not a flow state file (no BSFLOWS magic)");
	p[3] = 'L';
	codec_poke_u32(p, 8, 2);
	assert_file_refused(p, len, "format version 2; this program reads version 1");
	codec_poke_u32(p, 8, 1);
	codec_poke_u64(p, 12, 79);
	assert_file_refused(p, len, "length field 79 shorter than the header");
	codec_poke_u64(p, 12, len);

	/* A record's byte changed: the checksum says so first. */
	uint64_t stored = XXH3_64bits(p, len - 8);
	p[100] ^= 0x40;
	snprintf(want, sizeof want, "checksum mismatch (stored %016llx, computed %016llx)",
	         (unsigned long long)stored, (unsigned long long)XXH3_64bits(p, len - 8));
	assert_file_refused(p, len, want);
	p[100] ^= 0x40;

	/* Bytes after the end. */
	uint8_t *longer = malloc(len + 3);
	memcpy(longer, p, len);
	memset(longer + len, 0, 3);
	assert_file_refused(longer, len + 3, "3 bytes after the end of the file");
	free(longer);

	/* Sealed again after each change: what only the decoder sees. The
	 * first record (at 72, length 4 bytes) is the IPv4 victim
	 * 198.51.100.0: its protocol is at 72 + 4 + 5. */
	p[81] = BS_PROTO_COUNT;
	reseal(&b);
	size_t n = 0;
	for (size_t at = 72; at < len - 8; n++)
		at += 4 + get_u32(p + at);
	snprintf(want, sizeof want, "record 1 of %zu: protocol out of range", n);
	assert_file_refused(p, len, want);
	p[81] = BS_PROTO_TCP;
	codec_poke_u32(p, 72, 100000); /* a record longer than the file */
	reseal(&b);
	snprintf(want, sizeof want, "record 1 of %zu: ends early", n);
	assert_file_refused(p, len, want);
	codec_poke_u32(p, 72, 42); /* one byte short of the flow's 43 */
	reseal(&b);
	snprintf(want, sizeof want, "record 1 of %zu: ends early", n);
	assert_file_refused(p, len, want);
	codec_poke_u32(p, 72, 43);
	codec_poke_u64(p, 64, n + 1); /* one record missing */
	reseal(&b);
	snprintf(want, sizeof want, "record %zu of %zu: ends early", n + 1, n + 1);
	assert_file_refused(p, len, want);
	codec_poke_u64(p, 64, UINT64_MAX);
	reseal(&b);
	snprintf(want, sizeof want, "18446744073709551615 flows cannot fit in a file of %zu bytes",
	         len);
	assert_file_refused(p, len, want);
	codec_poke_u64(p, 64, n);

	/* Header fields. */
	codec_poke_u32(p, 20, 0);
	reseal(&b);
	assert_file_refused(p, len, "flow timeout of 0 s");
	codec_poke_u32(p, 20, 300);
	codec_poke_u64(p, 48, T0 + 1001 * US);
	reseal(&b);
	assert_file_refused(p, len, "first packet time after the last");
	codec_poke_u64(p, 48, T0 + 1);
	reseal(&b);
	assert_file_refused(p, len, "record 1: flow outside the time span of the header");
	codec_poke_u64(p, 48, T0);

	/* The first two records swapped: out of adoption order. */
	size_t len1 = 4 + get_u32(p + 72), len2 = 4 + get_u32(p + 72 + len1);
	uint8_t *swapped = malloc(len);
	memcpy(swapped, p, len);
	memcpy(swapped + 72, p + 72 + len1, len2);
	memcpy(swapped + 72 + len2, p + 72, len1);
	codec_poke_u64(swapped, len - 8, XXH3_64bits(swapped, len - 8));
	assert_file_refused(swapped, len,
	                    "record 2: flows not in order of start, victim, protocol");
	free(swapped);
	reseal(&b);

	/* All repaired: read as written. */
	struct flowstate_header h;
	attack_flow_t **flows;
	struct bs_err err = {0};
	size_t got;
	ck_assert_int_eq(flowstate_parse(p, len, &h, &flows, &got, &err), 0);
	ck_assert_uint_eq(got, n);
	flowstate_flows_free(flows, got);
	bs_buf_free(&b);
}
END_TEST

START_TEST(records_between_last_and_checksum)
{
	struct bs_buf b = valid_file();
	codec_poke_u64(b.data, 64, 1); /* only the first record (47 bytes) counted */
	reseal(&b);
	char want[128];
	snprintf(want, sizeof want, "%zu bytes between the last record and the checksum",
	         b.len - 8 - 72 - 47);
	assert_file_refused(b.data, b.len, want);
	bs_buf_free(&b);
}
END_TEST

START_TEST(read_errors_name_the_file)
{
	struct flowstate_header h;
	attack_flow_t **flows;
	size_t n;
	struct bs_err err = {0};
	char want[OUTDIR_PATH_LEN + 64];
	ck_assert_int_eq(flowstate_read(state_path(), &h, &flows, &n, &err), -BS_EIO);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	snprintf(want, sizeof want, "%s: %s", state_path(), strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(flowstate_read(dir, &h, &flows, &n, &err), -BS_EIO);
	snprintf(want, sizeof want, "%s: %s", dir, strerror(EISDIR));
	ck_assert_str_eq(err.msg, want);
	ck_assert_ptr_null(flows);
}
END_TEST

START_TEST(failed_write_keeps_old_file)
{
	attack_flow_t *flows[FLOWS_MAX];
	size_t n = partial_flows(flows, true);
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_write(dir, &h, NULL, 0, &err), 0);
	struct bs_buf old = read_bytes(state_path());

	/* The new file is ~15 KiB: the file-size limit stops it half way. */
	struct rlimit saved, lim;
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
	lim = saved;
	lim.rlim_cur = 4096;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG, not death */
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = flowstate_write(dir, &h, flows, n, &err);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, old_handler);

	ck_assert_int_eq(rc, -BS_EIO);
	ck_assert_int_eq(err.sys_errno, EFBIG);
	char want[OUTDIR_PATH_LEN + 64];
	snprintf(want, sizeof want, "%s: %s", state_path(), strerror(EFBIG));
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(outdir_count(dir), 1);
	struct bs_buf now = read_bytes(state_path());
	codec_assert_same(&now, &old);
	/* A missing directory. */
	char missing[OUTDIR_PATH_LEN];
	snprintf(missing, sizeof missing, "%s/none", dir);
	ck_assert_int_eq(flowstate_write(missing, &h, flows, n, &err), -BS_EIO);
	snprintf(want, sizeof want, "%s/%s: %s", missing, OUTDIR_FLOWSTATE, strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);
	free_flows(flows, n);
	bs_buf_free(&old);
	bs_buf_free(&now);
}
END_TEST

/* Every file of $TESTDATA/rel through the fuzz target's checks. */
static void replay(const char *rel, bool required)
{
	const char *data = getenv("TESTDATA");
	ck_assert_ptr_nonnull(data);
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", data, rel);
	DIR *d = opendir(path);
	if (d == NULL && !required)
		return;
	ck_assert_msg(d != NULL, "no directory %s", path);
	size_t files = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char file[OUTDIR_PATH_LEN * 2];
		snprintf(file, sizeof file, "%s/%s", path, e->d_name);
		struct bs_buf b = read_bytes(file);
		ck_assert_uint_le(b.len, REPLAY_MAX);
		/* An exact-size copy: a read past the end shows under ASan. */
		uint8_t *copy = malloc(b.len ? b.len : 1);
		memcpy(copy, b.data, b.len);
		const char *why = fuzz_run_flowstate(copy, b.len);
		ck_assert_msg(why == NULL, "%s: %s", file, why);
		free(copy);
		bs_buf_free(&b);
		files++;
	}
	closedir(d);
	ck_assert(files > 0 || !required);
}

START_TEST(fuzz_seeds_and_findings)
{
	replay("../fuzz/corpus/flowstate", true);
	replay("fuzz-regress/flowstate", false);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("flowstate");
	TCase *file = tcase_create("file");
	tcase_add_checked_fixture(file, setup, teardown);
	tcase_set_timeout(file, 120);
	tcase_add_test(file, round_trip);
	tcase_add_test(file, no_flows);
	tcase_add_test(file, telescope_hash);
	tcase_add_test(file, writer_refuses_what_readers_would);
	suite_add_tcase(s, file);
	TCase *bad = tcase_create("damage");
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_set_timeout(bad, 120);
	tcase_add_test(bad, truncated_at_every_byte);
	tcase_add_test(bad, every_kind_of_damage);
	tcase_add_test(bad, records_between_last_and_checksum);
	tcase_add_test(bad, read_errors_name_the_file);
	tcase_add_test(bad, failed_write_keeps_old_file);
	tcase_add_test(bad, fuzz_seeds_and_findings);
	suite_add_tcase(s, bad);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

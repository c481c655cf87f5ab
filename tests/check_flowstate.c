/* check_flowstate.c - flows.state: written and read back in a scratch
 * directory (flows, reported flags and geography equal, in adoption order,
 * the file canonical), the bytes of a record's trailer, records added in
 * any order (ties kept as added), equal inputs giving equal bytes, no
 * flows, the telescope hash, what the writer refuses, the one-line
 * message of every way a file can be wrong (truncated at every byte, bad
 * magic, another version, checksum mismatch, a record that does not
 * decode, a bad trailer, bytes after the end, header fields), I/O errors,
 * a failed write leaving the old file untouched, and the fuzzer's
 * findings and seeds replayed through the fuzz target's own checks.
 *
 * With BS_FLOWSTATE_SEEDS=DIR in the environment the round-trip, empty
 * and order tests also leave their files in DIR: that is how
 * tests/fuzz/corpus/flowstate/ was made. */
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
#include "telescope/geo.h"
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

/* A SYN+ACK from victim port 80 to the to-th telescope address, from
 * attacker port 1024 + to. */
static struct bs_event event(uint32_t victim, uint32_t to, uint64_t ts)
{
	struct bs_event ev = {.ts_us = ts,
	                      .ip_len = 44,
	                      .port = 80,
	                      .aport = (uint16_t)(1024 + to),
	                      .proto = BS_PROTO_TCP,
	                      .response = BS_RESP_TCP_SYNACK,
	                      .flags = BS_EV_HAS_PORT | BS_EV_HAS_APORT};
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
 * sketch, the full port array and the attacker port bitmap). */
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
	ck_assert_int_eq(a->has_prefix_view, b->has_prefix_view);
	if (a->has_prefix_view) {
		ck_assert_uint_eq(a->prefix_view.len4, b->prefix_view.len4);
		ck_assert_uint_eq(a->prefix_view.len6, b->prefix_view.len6);
		ck_assert_uint_eq(a->prefix_view.min_victims, b->prefix_view.min_victims);
	}
}

/* The little-endian u32 at p. */
static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void free_flows(attack_flow_t **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		attack_flow_free(f[i]);
}

/* "Öresund Brücke AB", in UTF-8. */
#define ORG_UTF8 "\303\226resund Br\303\274cke AB"

/* The longest AS organisation the format holds: GEO_ORG_LEN - 1 = 255
 * bytes of UTF-8, 85 times U+6771 (three bytes each). */
static void longest_org(char *org)
{
	for (size_t i = 0; i < 85; i++)
		memcpy(org + 3 * i, "\xe6\x9d\xb1", 3);
	org[255] = '\0';
	ck_assert_uint_eq(strlen(org), GEO_ORG_LEN - 1);
}

/* Flow i of a piece with what the piece knew of it: every third one
 * reported; the geography in turn none (no databases), a country only, a
 * country and an AS, an AS with the longest organisation, an AS with no
 * country, a multi-origin AS of --pfx2as. */
static struct flowstate_flow with_edge(attack_flow_t *f, size_t i)
{
	struct flowstate_flow e;
	memset(&e, 0, sizeof e);
	e.flow = f;
	e.reported = i % 3 == 1;
	switch (i % 5) {
	case 1:
		strcpy(e.geo.country, "SE");
		break;
	case 2:
		strcpy(e.geo.country, "DE");
		e.geo.asn = 3320;
		strcpy(e.geo.as_org, "Deutsche Telekom AG");
		break;
	case 3:
		strcpy(e.geo.country, "JP");
		e.geo.asn = UINT32_MAX;
		longest_org(e.geo.as_org);
		break;
	case 4:
		e.geo.asn = 64512;
		strcpy(e.geo.as_org, ORG_UTF8);
		if (i % 2 == 1)
			strcpy(e.geo.origins, "64512_64513,4294967295");
		break;
	default:
		break;
	}
	return e;
}

static void with_edges(attack_flow_t *const *f, size_t n, struct flowstate_flow *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = with_edge(f[i], i);
}

static void assert_same_geo(const struct geo_info *a, const struct geo_info *b)
{
	ck_assert_str_eq(a->country, b->country);
	ck_assert_uint_eq(a->asn, b->asn);
	ck_assert_str_eq(a->as_org, b->as_org);
	ck_assert_str_eq(a->origins, b->origins);
}

static void assert_same_edge(const struct flowstate_flow *a, const struct flowstate_flow *b)
{
	ck_assert(attack_flow_equal(a->flow, b->flow));
	ck_assert_int_eq(a->reported, b->reported);
	assert_same_geo(&a->geo, &b->geo);
}

/* A writer holding flows[0..n), added in that order. */
static flowstate_writer_t *writer_of(const struct flowstate_flow *flows, size_t n)
{
	flowstate_writer_t *w = flowstate_writer_create();
	ck_assert_ptr_nonnull(w);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(
		    flowstate_writer_add(w, flows[i].flow, flows[i].reported, &flows[i].geo), 0);
		ck_assert_uint_eq(flowstate_writer_count(w), i + 1);
	}
	return w;
}

/* DIR/flows.state of flows[0..n) (added in that order) through a writer:
 * flowstate_writer_save()'s code, and its message in err. */
static int write_state(const char *to, const struct flowstate_header *h,
                       const struct flowstate_flow *flows, size_t n, struct bs_err *err)
{
	flowstate_writer_t *w = writer_of(flows, n);
	int rc = flowstate_writer_save(w, h, to, err);
	flowstate_writer_free(w);
	return rc;
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

/* True when b holds the n bytes of p somewhere. */
static bool holds(const struct bs_buf *b, const void *p, size_t n)
{
	for (size_t at = 0; at + n <= b->len; at++)
		if (memcmp(b->data + at, p, n) == 0)
			return true;
	return false;
}

/* Writes flows with their edges (given in reverse adoption order), reads
 * them back: the header, the flows in adoption order, each equal to its
 * original with its reported flag and geography; the file re-encodes to
 * its own bytes. */
static void check_round_trip(bool big, const char *seed)
{
	attack_flow_t *flows[FLOWS_MAX];
	struct flowstate_flow edges[FLOWS_MAX], given[FLOWS_MAX];
	size_t n = partial_flows(flows, big);
	ck_assert_uint_ge(n, 5); /* every kind of geography */
	with_edges(flows, n, edges);
	for (size_t i = 0; i < n; i++)
		given[i] = edges[n - 1 - i];
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	ck_assert_int_eq(write_state(dir, &h, given, n, &err), 0);
	keep_seed(state_path(), seed);

	struct flowstate_header back;
	struct flowstate_flow *read;
	size_t n_read;
	ck_assert_int_eq(flowstate_read(state_path(), &back, &read, &n_read, &err), 0);
	assert_same_header(&back, &h);
	ck_assert_uint_eq(n_read, n);
	size_t reported = 0;
	for (size_t i = 0; i < n; i++) {
		assert_same_edge(&read[i], &edges[i]);
		reported += read[i].reported;
		if (i > 0)
			ck_assert_int_lt(attack_flow_cmp(read[i - 1].flow, read[i].flow), 0);
	}
	ck_assert_uint_eq(reported, (n + 1) / 3);
	struct bs_buf file = read_bytes(state_path()), again = {0};
	/* The longest organisation, whole, after its u16 length. */
	char org[2 + GEO_ORG_LEN] = {(char)0xff, 0};
	longest_org(org + 2);
	ck_assert(holds(&file, org, 2 + GEO_ORG_LEN - 1));
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

/* The bytes a flow's record ends in: reported, the country with its u8
 * length, the AS number, the organisation with its u16 length, the
 * origin field with its u16 length. */
START_TEST(record_trailer_bytes)
{
	attack_flow_t *flows[FLOWS_MAX];
	size_t n = partial_flows(flows, false);
	struct flowstate_flow one;
	memset(&one, 0, sizeof one);
	one.flow = flows[0];
	one.reported = true;
	strcpy(one.geo.country, "SE");
	one.geo.asn = 0x01020304u;
	strcpy(one.geo.as_org, "AB");
	strcpy(one.geo.origins, "16909060_5");
	struct bs_buf flow = {0}, file = {0};
	ck_assert_int_eq(attack_flow_encode(flows[0], &flow), 0);
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_encode(&h, &one, 1, &file, &err), 0);
	static const uint8_t trailer[] = {1,  2, 'S', 'E', 4,   3,   2,   1,   2,   0,   'A', 'B',
	                                  10, 0, '1', '6', '9', '0', '9', '0', '6', '0', '_', '5'};
	ck_assert_uint_eq(file.len, 72 + 4 + flow.len + sizeof trailer + 8);
	ck_assert_uint_eq(get_u32(file.data + 72), flow.len + sizeof trailer);
	ck_assert_mem_eq(file.data + 76, flow.data, flow.len);
	ck_assert_mem_eq(file.data + 76 + flow.len, trailer, sizeof trailer);
	/* Nothing known: ten bytes. */
	memset(&one.geo, 0, sizeof one.geo);
	one.reported = false;
	bs_buf_free(&file);
	ck_assert_int_eq(flowstate_encode(&h, &one, 1, &file, &err), 0);
	ck_assert_uint_eq(get_u32(file.data + 72), flow.len + 10);
	ck_assert_mem_eq(file.data + 76 + flow.len, "\0\0\0\0\0\0\0\0\0\0", 10);
	free_flows(flows, n);
	bs_buf_free(&flow);
	bs_buf_free(&file);
}
END_TEST

START_TEST(no_flows)
{
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	ck_assert_int_eq(write_state(dir, &h, NULL, 0, &err), 0);
	keep_seed(state_path(), "empty.state");
	struct bs_buf file = read_bytes(state_path()), mem = {0};
	ck_assert_uint_eq(file.len, 80); /* header and checksum */
	ck_assert_mem_eq(file.data, "BSFLOWS\0\1\0\0\0\x50\0\0\0\0\0\0\0", 20);
	ck_assert_int_eq(flowstate_encode(&h, NULL, 0, &mem, &err), 0);
	codec_assert_same(&file, &mem);
	struct flowstate_header back;
	struct flowstate_flow *read = NULL;
	size_t n = 1;
	ck_assert_int_eq(flowstate_read(state_path(), &back, &read, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_nonnull(read);
	assert_same_header(&back, &h);
	flowstate_flows_free(read, n);
	flowstate_flows_free(NULL, 0);
	flowstate_writer_free(NULL);
	bs_buf_free(&file);
	bs_buf_free(&mem);
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

/* The latest last update among f[0..n). */
static uint64_t latest_touch(attack_flow_t *const *f, size_t n)
{
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++)
		if (attack_flow_touch(f[i]) > t)
			t = attack_flow_touch(f[i]);
	return t;
}

START_TEST(writer_refuses_what_readers_would)
{
	attack_flow_t *flows[FLOWS_MAX];
	struct flowstate_flow edges[FLOWS_MAX], given[FLOWS_MAX];
	size_t n = partial_flows(flows, false);
	with_edges(flows, n, edges);
	for (size_t i = 0; i < n; i++)
		given[i] = edges[n - 1 - i];
	struct flowstate_header h = header();
	struct bs_err err = {0};
	char want[OUTDIR_PATH_LEN + 128];

	/* A last packet before some flow's last update: the first such in
	 * adoption order is named, whatever the order added. */
	h.last_us = T0 + 50 * US;
	size_t late = 0;
	while (attack_flow_touch(flows[late]) <= h.last_us)
		late++;
	ck_assert_uint_gt(late, 0);
	ck_assert_int_eq(write_state(dir, &h, given, n, &err), -BS_EINVAL);
	ck_assert_int_eq(err.code, -BS_EINVAL);
	snprintf(want, sizeof want,
	         "%s: record %zu: flow updated after the last packet time of the header",
	         state_path(), late + 1);
	ck_assert_str_eq(err.msg, want);
	struct bs_buf b = {0};
	ck_assert_int_eq(flowstate_encode(&h, given, n, &b, &err), -BS_EINVAL);
	ck_assert_str_eq(err.msg, want + strlen(state_path()) + 2);
	bs_buf_free(&b);
	h.last_us = latest_touch(flows, n) - 1;
	ck_assert_int_eq(write_state(dir, &h, given, n, &err), -BS_EINVAL);
	h = header();
	h.params.flow_timeout_s = 0;
	ck_assert_int_eq(write_state(dir, &h, given, n, &err), -BS_EINVAL);
	snprintf(want, sizeof want, "%s: flow timeout of 0 s", state_path());
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(write_state(dir, &h, NULL, 0, &err), -BS_EINVAL);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(outdir_count(dir), 0);

	/* What the format no longer rules out: a first packet after some
	 * flow's start (packets out of order) and after the last packet
	 * time, and a last packet time equal to the latest update. */
	const uint64_t firsts[] = {T0 + 1, T0 + 2000 * US, UINT64_MAX};
	for (size_t k = 0; k < 3; k++) {
		h = header();
		h.first_us = firsts[k];
		h.last_us = latest_touch(flows, n);
		ck_assert_int_eq(write_state(dir, &h, given, n, &err), 0);
		struct flowstate_header back;
		struct flowstate_flow *read;
		size_t got;
		ck_assert_int_eq(flowstate_read(state_path(), &back, &read, &got, &err), 0);
		assert_same_header(&back, &h);
		ck_assert_uint_eq(got, n);
		flowstate_flows_free(read, got);
	}
	free_flows(flows, n);
}
END_TEST

/* A geography whose country or organisation fills its buffer without a
 * NUL is refused when added, and leaves the writer as it was. */
START_TEST(writer_refuses_unterminated_geography)
{
	attack_flow_t *flows[FLOWS_MAX];
	struct flowstate_flow edges[FLOWS_MAX];
	size_t n = partial_flows(flows, false);
	with_edges(flows, n, edges);
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	flowstate_writer_t *w = writer_of(edges, 2);

	struct geo_info country, org;
	memset(&country, 0, sizeof country);
	memcpy(country.country, "SWE", GEO_COUNTRY_LEN);
	memset(&org, 0, sizeof org);
	strcpy(org.country, "SE");
	memset(org.as_org, 'a', GEO_ORG_LEN);
	ck_assert_int_eq(flowstate_writer_add(w, flows[2], false, &country), -BS_EINVAL);
	ck_assert_int_eq(flowstate_writer_add(w, flows[2], true, &org), -BS_EINVAL);
	ck_assert_uint_eq(flowstate_writer_count(w), 2);
	/* The writer goes on: the same bytes as one that never saw them. */
	for (size_t i = 2; i < n; i++)
		ck_assert_int_eq(
		    flowstate_writer_add(w, edges[i].flow, edges[i].reported, &edges[i].geo), 0);
	ck_assert_uint_eq(flowstate_writer_count(w), n);
	struct bs_buf got = {0}, want = {0};
	ck_assert_int_eq(flowstate_writer_encode(w, &h, &got, &err), 0);
	ck_assert_int_eq(flowstate_encode(&h, edges, n, &want, &err), 0);
	codec_assert_same(&got, &want);
	flowstate_writer_free(w);

	/* Through flowstate_encode(): the record named in the order given. */
	edges[3].geo = org;
	bs_buf_free(&got);
	ck_assert_int_eq(flowstate_encode(&h, edges, n, &got, &err), -BS_EINVAL);
	char line[128];
	snprintf(line, sizeof line, "record 4: %s", bs_strerror(-BS_EINVAL));
	ck_assert_str_eq(err.msg, line);
	edges[3].geo = country;
	ck_assert_int_eq(flowstate_encode(&h, edges, n, &got, &err), -BS_EINVAL);
	ck_assert_str_eq(err.msg, line);
	/* A NULL geography is an empty one. */
	w = flowstate_writer_create();
	ck_assert_int_eq(flowstate_writer_add(w, flows[0], false, NULL), 0);
	memset(&edges[0].geo, 0, sizeof edges[0].geo);
	edges[0].reported = false;
	bs_buf_free(&got);
	bs_buf_free(&want);
	ck_assert_int_eq(flowstate_writer_encode(w, &h, &got, &err), 0);
	ck_assert_int_eq(flowstate_encode(&h, edges, 1, &want, &err), 0);
	codec_assert_same(&got, &want);
	flowstate_writer_free(w);
	free_flows(flows, n);
	bs_buf_free(&got);
	bs_buf_free(&want);
}
END_TEST

/* The only partial flow of a piece made of evs[0..n). */
static attack_flow_t *one_flow(const struct bs_event *evs, size_t n)
{
	struct partials parts = {.n = 0};
	struct attack_params p;
	ck_assert_int_eq(attack_params_preset(&p, "rsdos"), 0);
	attack_table_t *t = attack_table_create(&p, tel, no_attack, NULL);
	const struct attack_hold h = {.before_next = true};
	attack_table_hold(t, &h, keep_partial, &parts);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(attack_table_update(t, &evs[i]), 0);
	ck_assert_int_eq(attack_table_flush(t), 0);
	attack_table_free(t);
	ck_assert_uint_eq(parts.n, 1);
	return parts.f[0];
}

/* Flows of several pieces for the order test: three that tie (one key,
 * one start, from three pieces: 1, 2 and 3 packets), and others that sort
 * around them by start, victim and protocol (an IPv6 victim among them). */
#define ORDER_FLOWS 8u
#define TIES        3u

static void order_flows(attack_flow_t **f)
{
	const uint32_t v = 0xc6336405u;
	struct bs_event evs[3];
	for (size_t k = 0; k < TIES; k++) {
		for (uint32_t i = 0; i <= k; i++)
			evs[i] = event(v, 10 * (uint32_t)k + i, T0 + 10 * US + i * US);
		f[k] = one_flow(evs, k + 1);
	}
	evs[0] = event(v, 50, T0 + 10 * US);
	evs[0].proto = BS_PROTO_UDP;
	evs[0].response = BS_RESP_ICMP_UNREACH;
	f[3] = one_flow(evs, 1); /* the protocol after */
	evs[0] = event(v - 1, 51, T0 + 10 * US);
	f[4] = one_flow(evs, 1); /* the victim before */
	evs[0] = event(0, 52, T0 + 10 * US);
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 5};
	bs_addr_from_v6(&evs[0].victim, v6);
	v6[15] = 6;
	bs_addr_from_v6(&evs[0].dst, v6);
	f[5] = one_flow(evs, 1); /* another family */
	evs[0] = event(v, 53, T0);
	f[6] = one_flow(evs, 1); /* earlier */
	evs[0] = event(v - 1, 54, T0 + 20 * US);
	f[7] = one_flow(evs, 1); /* later */
	for (size_t i = 0; i < TIES; i++)
		for (size_t j = 0; j < ORDER_FLOWS; j++)
			ck_assert_int_eq(attack_flow_cmp(f[i], f[j]) == 0, j < TIES);
}

/* Records added in any order come out in adoption order, ties in the
 * order added: each added order gives the bytes of the sorted order with
 * the ties as added. Each flow carries its index as AS number, to follow
 * it. */
START_TEST(records_in_adoption_order)
{
	attack_flow_t *f[ORDER_FLOWS];
	order_flows(f);
	struct flowstate_flow all[ORDER_FLOWS];
	for (size_t i = 0; i < ORDER_FLOWS; i++) {
		all[i] = with_edge(f[i], i);
		all[i].geo.asn = (uint32_t)i;
	}
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	/* Adoption order: flows 6 (earliest), 4 (lower victim), the ties 0 1
	 * 2 in the order added, 3 (UDP after TCP), 5 (IPv6 after IPv4), 7
	 * (latest). */
	uint32_t seed = 1;
	for (int trial = 0; trial < 200; trial++) {
		size_t perm[ORDER_FLOWS];
		for (size_t i = 0; i < ORDER_FLOWS; i++)
			perm[i] = i;
		for (size_t i = ORDER_FLOWS - 1; trial > 0 && i > 0; i--) {
			seed = seed * 1103515245u + 12345u;
			size_t j = (seed >> 16) % (i + 1);
			size_t s = perm[i];
			perm[i] = perm[j];
			perm[j] = s;
		}
		struct flowstate_flow given[ORDER_FLOWS];
		for (size_t i = 0; i < ORDER_FLOWS; i++)
			given[i] = all[perm[i]];
		struct bs_buf b = {0};
		ck_assert_int_eq(flowstate_encode(&h, given, ORDER_FLOWS, &b, &err), 0);
		struct flowstate_header back;
		struct flowstate_flow *read;
		size_t n;
		ck_assert_int_eq(flowstate_parse(b.data, b.len, &back, &read, &n, &err), 0);
		ck_assert_uint_eq(n, ORDER_FLOWS);
		/* Where the ties come in the order added, and where each
		 * comes out. */
		size_t tie_in[ORDER_FLOWS], tie_out[ORDER_FLOWS], ti = 0, to = 0;
		for (size_t i = 0; i < ORDER_FLOWS; i++) {
			if (perm[i] < TIES)
				tie_in[ti++] = perm[i];
			size_t k = read[i].geo.asn;
			ck_assert_uint_lt(k, ORDER_FLOWS);
			assert_same_edge(&read[i], &all[k]);
			if (k < TIES)
				tie_out[to++] = k;
			if (i > 0)
				ck_assert_int_le(attack_flow_cmp(read[i - 1].flow, read[i].flow),
				                 0);
		}
		ck_assert_uint_eq(read[0].geo.asn, 6);
		ck_assert_uint_eq(read[1].geo.asn, 4);
		ck_assert_uint_eq(read[5].geo.asn, 3);
		ck_assert_uint_eq(read[6].geo.asn, 5);
		ck_assert_uint_eq(read[7].geo.asn, 7);
		ck_assert_uint_eq(ti, TIES);
		ck_assert_uint_eq(to, TIES);
		ck_assert_mem_eq(tie_in, tie_out, TIES * sizeof *tie_in);
		/* The same bytes as the ties' order added, sorted. */
		struct flowstate_flow sorted[ORDER_FLOWS];
		for (size_t i = 0; i < ORDER_FLOWS; i++)
			sorted[i] = all[read[i].geo.asn];
		struct bs_buf again = {0};
		ck_assert_int_eq(flowstate_encode(&h, sorted, ORDER_FLOWS, &again, &err), 0);
		codec_assert_same(&b, &again);
		flowstate_flows_free(read, n);
		bs_buf_free(&b);
		bs_buf_free(&again);
	}
	/* Ties in other orders give other bytes: the records differ. */
	struct bs_buf x = {0}, y = {0};
	ck_assert_int_eq(flowstate_encode(&h, all, ORDER_FLOWS, &x, &err), 0);
	struct flowstate_flow swapped[ORDER_FLOWS];
	memcpy(swapped, all, sizeof swapped);
	swapped[0] = all[1];
	swapped[1] = all[0];
	ck_assert_int_eq(flowstate_encode(&h, swapped, ORDER_FLOWS, &y, &err), 0);
	ck_assert_uint_eq(x.len, y.len);
	ck_assert(memcmp(x.data, y.data, x.len) != 0);
	/* Kept as a seed: ties, protocols and families side by side. */
	ck_assert_int_eq(write_state(dir, &h, swapped, ORDER_FLOWS, &err), 0);
	keep_seed(state_path(), "order.state");
	struct bs_buf file = read_bytes(state_path());
	codec_assert_same(&file, &y);
	ck_assert_ptr_null(fuzz_run_flowstate(file.data, file.len));
	free_flows(f, ORDER_FLOWS);
	bs_buf_free(&x);
	bs_buf_free(&y);
	bs_buf_free(&file);
}
END_TEST

/* Equal inputs give equal bytes: flows made twice by separate tables, a
 * writer encoded twice, a file saved or encoded in memory. */
START_TEST(equal_inputs_equal_bytes)
{
	attack_flow_t *f1[FLOWS_MAX], *f2[FLOWS_MAX];
	struct flowstate_flow e1[FLOWS_MAX], e2[FLOWS_MAX];
	size_t n1 = partial_flows(f1, true), n2 = partial_flows(f2, true);
	ck_assert_uint_eq(n1, n2);
	with_edges(f1, n1, e1);
	with_edges(f2, n2, e2);
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	flowstate_writer_t *w1 = writer_of(e1, n1), *w2 = writer_of(e2, n2);
	struct bs_buf a = {0}, b = {0}, c = {0}, d = {0};
	ck_assert_int_eq(flowstate_writer_encode(w1, &h, &a, &err), 0);
	ck_assert_int_eq(flowstate_writer_encode(w2, &h, &b, &err), 0);
	ck_assert_int_eq(flowstate_writer_encode(w1, &h, &c, &err), 0);
	codec_assert_same(&a, &b);
	codec_assert_same(&a, &c);
	/* Appended after what out holds already. */
	bs_buf_put_bytes(&d, "xyz", 3);
	ck_assert_int_eq(flowstate_writer_encode(w2, &h, &d, &err), 0);
	ck_assert_uint_eq(d.len, 3 + a.len);
	ck_assert_mem_eq(d.data + 3, a.data, a.len);
	ck_assert_int_eq(flowstate_writer_save(w1, &h, dir, &err), 0);
	struct bs_buf file = read_bytes(state_path());
	codec_assert_same(&file, &a);
	/* Another geography, reported flag or header: other bytes. */
	e2[0].reported = !e2[0].reported;
	bs_buf_free(&b);
	ck_assert_int_eq(flowstate_encode(&h, e2, n2, &b, &err), 0);
	ck_assert(b.len == a.len && memcmp(a.data, b.data, a.len) != 0);
	e2[0].reported = !e2[0].reported;
	e2[1].geo.asn++;
	bs_buf_free(&b);
	ck_assert_int_eq(flowstate_encode(&h, e2, n2, &b, &err), 0);
	ck_assert(b.len == a.len && memcmp(a.data, b.data, a.len) != 0);
	flowstate_writer_free(w1);
	flowstate_writer_free(w2);
	free_flows(f1, n1);
	free_flows(f2, n2);
	bs_buf_free(&a);
	bs_buf_free(&b);
	bs_buf_free(&c);
	bs_buf_free(&d);
	bs_buf_free(&file);
}
END_TEST

/* A valid file of the small piece with its edges, in memory. */
static struct bs_buf valid_file(void)
{
	attack_flow_t *flows[FLOWS_MAX];
	struct flowstate_flow edges[FLOWS_MAX];
	size_t n = partial_flows(flows, false);
	with_edges(flows, n, edges);
	const struct flowstate_header h = header();
	struct bs_buf b = {0};
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_encode(&h, edges, n, &b, &err), 0);
	free_flows(flows, n);
	return b;
}

/* Recomputes the checksum of a file changed in place. */
static void reseal(struct bs_buf *b)
{
	codec_poke_u64(b->data, b->len - 8, XXH3_64bits(b->data, b->len - 8));
}

/* Where the records of a file sit: record i starts at at[i] (its length
 * field), its flow takes flow_len[i] bytes after that field, and its
 * trailer the rest. Returns the count. */
static size_t find_records(const struct bs_buf *b, size_t *at, size_t *flow_len, size_t max)
{
	size_t n = 0;
	for (size_t pos = 72; pos < b->len - 8; n++) {
		ck_assert_uint_lt(n, max);
		uint32_t len = get_u32(b->data + pos);
		struct bs_buf_reader r;
		attack_flow_t *f;
		bs_buf_reader_init(&r, b->data + pos + 4, len);
		ck_assert_int_eq(attack_flow_decode(&r, &f), 0);
		attack_flow_free(f);
		at[n] = pos;
		flow_len[n] = len - bs_buf_left(&r);
		pos += 4 + len;
	}
	return n;
}

/* file with the trailer of record k replaced by t[0..tlen), the record
 * length, the file length and the checksum made to match. */
static struct bs_buf with_trailer(const struct bs_buf *file, size_t k, const void *t, size_t tlen)
{
	size_t at[FLOWS_MAX], flow_len[FLOWS_MAX];
	size_t n = find_records(file, at, flow_len, FLOWS_MAX);
	ck_assert_uint_lt(k, n);
	struct bs_buf b = {0};
	bs_buf_put_bytes(&b, file->data, at[k]);
	bs_buf_put_u32(&b, (uint32_t)(flow_len[k] + tlen));
	bs_buf_put_bytes(&b, file->data + at[k] + 4, flow_len[k]);
	bs_buf_put_bytes(&b, t, tlen);
	size_t next = at[k] + 4 + get_u32(file->data + at[k]);
	bs_buf_put_bytes(&b, file->data + next, file->len - next);
	ck_assert_int_eq(bs_buf_status(&b), 0);
	codec_poke_u64(b.data, 12, b.len);
	reseal(&b);
	return b;
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
	struct flowstate_flow *flows = (struct flowstate_flow *)&h; /* stale, must become NULL */
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

/* p[0..len) parses, with n flows. */
static void assert_parses(const uint8_t *p, size_t len, size_t n)
{
	struct flowstate_header h;
	struct flowstate_flow *flows;
	struct bs_err err = {0};
	size_t got;
	ck_assert_msg(flowstate_parse(p, len, &h, &flows, &got, &err) == 0, "refused: %s", err.msg);
	ck_assert_uint_eq(got, n);
	flowstate_flows_free(flows, got);
	ck_assert_ptr_null(fuzz_run_flowstate(p, len));
}

START_TEST(truncated_at_every_byte)
{
	struct bs_buf b = valid_file();
	char want[128];
	for (size_t cut = 0; cut < b.len; cut++) {
		struct flowstate_header h;
		struct flowstate_flow *flows;
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
	size_t at[FLOWS_MAX], flow_len[FLOWS_MAX];
	const size_t n = find_records(&b, at, flow_len, FLOWS_MAX);
	const uint32_t len1 = get_u32(p + 72);

	p[3] = 'X';
	assert_file_refused(p, len, "not a flow state file (no BSFLOWS magic)");
	assert_file_refused(p, 5, "not a flow state file (no BSFLOWS magic)");
	p[3] = 'L';
	codec_poke_u32(p, 8, 3);
	assert_file_refused(p, len, "format version 3; this program reads versions 1 and 2");
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
	 * first record (at 72, its length 4 bytes) is the IPv4 victim
	 * 198.51.100.0 (family byte 4, then the address): its protocol
	 * follows. */
	const size_t proto_at = 72 + 4 + 1 + 4;
	ck_assert_uint_eq(p[76], 4);
	ck_assert_uint_eq(p[proto_at], BS_PROTO_TCP);
	p[proto_at] = BS_PROTO_COUNT;
	reseal(&b);
	snprintf(want, sizeof want, "record 1 of %zu: protocol out of range", n);
	assert_file_refused(p, len, want);
	p[proto_at] = BS_PROTO_TCP;
	snprintf(want, sizeof want, "record 1 of %zu: ends early", n);
	/* A record longer than the file; one byte short of its flow; the
	 * flow without its trailer; the trailer cut by a byte. */
	const uint32_t short_lens[] = {100000, (uint32_t)flow_len[0] - 1, (uint32_t)flow_len[0],
	                               len1 - 1};
	for (size_t i = 0; i < 4; i++) {
		codec_poke_u32(p, 72, short_lens[i]);
		reseal(&b);
		assert_file_refused(p, len, want);
	}
	codec_poke_u32(p, 72, len1);
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
	/* A last packet time before some flow's last update: the first such
	 * in the file is named; at the latest update it is fine. */
	struct flowstate_header h;
	struct flowstate_flow *flows;
	struct bs_err err = {0};
	size_t got;
	reseal(&b);
	ck_assert_int_eq(flowstate_parse(p, len, &h, &flows, &got, &err), 0);
	uint64_t latest = 0;
	size_t first_late = got;
	for (size_t i = 0; i < got; i++) {
		uint64_t touch = attack_flow_touch(flows[i].flow);
		if (touch > latest)
			latest = touch;
		if (first_late == got && touch > T0 + 50 * US)
			first_late = i;
	}
	flowstate_flows_free(flows, got);
	ck_assert_uint_lt(first_late, n);
	codec_poke_u64(p, 56, T0 + 50 * US);
	reseal(&b);
	snprintf(want, sizeof want,
	         "record %zu: flow updated after the last packet time of the header",
	         first_late + 1);
	assert_file_refused(p, len, want);
	codec_poke_u64(p, 56, latest - 1);
	reseal(&b);
	ck_assert_int_eq(flowstate_parse(p, len, &h, &flows, &got, &err), -BS_EFORMAT);
	ck_assert(strstr(err.msg, ": flow updated after the last packet time") != NULL);
	codec_poke_u64(p, 56, latest);
	reseal(&b);
	assert_parses(p, len, n);
	/* A first packet after the flows' starts, and after the last. */
	codec_poke_u64(p, 48, T0 + 1);
	reseal(&b);
	assert_parses(p, len, n);
	codec_poke_u64(p, 48, T0 + 1001 * US);
	reseal(&b);
	assert_parses(p, len, n);
	codec_poke_u64(p, 48, T0);
	codec_poke_u64(p, 56, T0 + 1000 * US);

	/* The first two records swapped: out of adoption order. */
	size_t size1 = 4 + len1, size2 = 4 + get_u32(p + 72 + size1);
	uint8_t *swapped = malloc(len);
	memcpy(swapped, p, len);
	memcpy(swapped + 72, p + 72 + size1, size2);
	memcpy(swapped + 72 + size2, p + 72, size1);
	codec_poke_u64(swapped, len - 8, XXH3_64bits(swapped, len - 8));
	assert_file_refused(swapped, len,
	                    "record 2: flows not in order of start, victim, protocol");
	free(swapped);
	reseal(&b);

	/* All repaired: read as written. */
	struct bs_buf again = valid_file();
	codec_assert_same(&b, &again);
	assert_parses(p, len, n);
	bs_buf_free(&again);
	bs_buf_free(&b);
}
END_TEST

/* Each way a record's trailer can be wrong, in the first record and in
 * one further on, with the reader's reason. */
START_TEST(record_trailer_damage)
{
	struct bs_buf file = valid_file();
	size_t at[FLOWS_MAX], flow_len[FLOWS_MAX];
	const size_t n = find_records(&file, at, flow_len, FLOWS_MAX);
	ck_assert_uint_ge(n, 4);
	static uint8_t long_country[1 + 1 + 255 + 4 + 2], long_org[1 + 1 + 4 + 2 + 65535];
	long_country[1] = 255;
	memset(long_country + 2, 'A', 255);
	long_org[6] = 0x00; /* 256 */
	long_org[7] = 0x01;
	memset(long_org + 8, 'a', 65535);
	static uint8_t long_origins[10 + GEO_ORIGINS_LEN];
	long_origins[9] = GEO_ORIGINS_LEN >> 8;
	memset(long_origins + 10, '1', GEO_ORIGINS_LEN);
	static const struct {
		const char *t;
		size_t len;
		const char *why;
	} cases[] = {
	    {"\2\0\0\0\0\0\0\0", 8, "reported flag neither 0 nor 1"},
	    {"\377\0\0\0\0\0\0\0", 8, "reported flag neither 0 nor 1"},
	    {"\0\3SWE\0\0\0\0\0\0", 11, "country code too long"},
	    {"\0\2S\0\0\0\0\0\0\0", 10, "NUL byte in the geography"},
	    {"\0\1\0\0\0\0\0\0\0", 9, "NUL byte in the geography"},
	    {"\0\2SE\0\0\0\0\3\0A\0B", 13, "NUL byte in the geography"},
	    {"\0\0\0\0\0\0\1\0\0", 9, "NUL byte in the geography"},
	    {"\0\0\0\0\0\0\0\0\0\0\0", 11, "bytes after the flow"},
	    {"\1\2SE\4\3\2\1\2\0AB\0\0x", 15, "bytes after the flow"},
	    {"\1\2SE\4\3\2\1\2\0AB\0", 13, "ends early"},
	    {"\0\0\1\0\0\0\0\0\3\0"
	     "1_",
	     12, "ends early"},
	    {"\0\0\1\0\0\0\0\0\3\0"
	     "2_1",
	     13, "AS origin field not several ASes led by the AS number"},
	    {"\0\0\1\0\0\0\0\0\1\0"
	     "1",
	     11, "AS origin field not several ASes led by the AS number"},
	    {"\0\0\1\0\0\0\0\0\3\0"
	     "1_x",
	     13, "AS origin field not several ASes led by the AS number"},
	    {"\0\0\1\0\0\0\0\0\3\0"
	     "1_\0",
	     13, "AS origin field not several ASes led by the AS number"},
	    {"\0\0\0\0\0\0\0\0\3\0"
	     "1_2",
	     13, "AS origin field not several ASes led by the AS number"},
	    {"", 0, "ends early"},
	    {"\1", 1, "ends early"},
	    {"\1\2S", 3, "ends early"},
	    {"\1\2SE\4\3\2\1\2\0A", 11, "ends early"},
	    /* Too long and cut short: the first failure is the one named. */
	    {"\0\310SE", 4, "ends early"},
	};
	const size_t which[] = {0, 3};
	char want[256];
	for (size_t w = 0; w < 2; w++) {
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			struct bs_buf b = with_trailer(&file, which[w], cases[i].t, cases[i].len);
			snprintf(want, sizeof want, "record %zu of %zu: %s", which[w] + 1, n,
			         cases[i].why);
			assert_file_refused(b.data, b.len, want);
			bs_buf_free(&b);
		}
		const struct {
			const uint8_t *t;
			size_t len;
			const char *why;
		} big[] = {
		    {long_country, sizeof long_country, "country code too long"},
		    {long_org, 8 + 256, "AS organisation too long"},
		    {long_org, sizeof long_org, "AS organisation too long"},
		    {long_origins, sizeof long_origins, "AS origin field too long"},
		};
		for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
			if (i == 2) {
				long_org[6] = 0xff;
				long_org[7] = 0xff;
			}
			struct bs_buf b = with_trailer(&file, which[w], big[i].t, big[i].len);
			snprintf(want, sizeof want, "record %zu of %zu: %s", which[w] + 1, n,
			         big[i].why);
			assert_file_refused(b.data, b.len, want);
			bs_buf_free(&b);
		}
		long_org[6] = 0x00;
		long_org[7] = 0x01;
	}

	/* The control: a trailer made the same way, right, is read. */
	struct bs_buf b = with_trailer(&file, 3,
	                               "\1\2SE\4\3\2\1\2\0AB\14\0"
	                               "16909060_5,7",
	                               26);
	struct flowstate_header h;
	struct flowstate_flow *flows;
	struct bs_err err = {0};
	size_t got;
	ck_assert_int_eq(flowstate_parse(b.data, b.len, &h, &flows, &got, &err), 0);
	ck_assert_uint_eq(got, n);
	ck_assert(flows[3].reported);
	ck_assert_str_eq(flows[3].geo.country, "SE");
	ck_assert_uint_eq(flows[3].geo.asn, 0x01020304u);
	ck_assert_str_eq(flows[3].geo.as_org, "AB");
	ck_assert_str_eq(flows[3].geo.origins, "16909060_5,7");
	flowstate_flows_free(flows, got);
	ck_assert_ptr_null(fuzz_run_flowstate(b.data, b.len));
	bs_buf_free(&b);
	/* And the file's own trailers put back give the file. */
	b = with_trailer(&file, 0, file.data + at[0] + 4 + flow_len[0],
	                 get_u32(file.data + 72) - flow_len[0]);
	codec_assert_same(&b, &file);
	bs_buf_free(&b);
	bs_buf_free(&file);
}
END_TEST

START_TEST(records_between_last_and_checksum)
{
	struct bs_buf b = valid_file();
	const size_t first = 4 + get_u32(b.data + 72);
	codec_poke_u64(b.data, 64, 1); /* only the first record counted */
	reseal(&b);
	char want[128];
	snprintf(want, sizeof want, "%zu bytes between the last record and the checksum",
	         b.len - 8 - 72 - first);
	assert_file_refused(b.data, b.len, want);
	bs_buf_free(&b);
}
END_TEST

START_TEST(read_errors_name_the_file)
{
	struct flowstate_header h;
	struct flowstate_flow *flows;
	size_t n;
	struct bs_err err = {0};
	char want[OUTDIR_PATH_LEN + 64];
	ck_assert_int_eq(flowstate_read(state_path(), &h, &flows, &n, &err), -BS_EIO);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	snprintf(want, sizeof want, "%s: %s", state_path(), strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);
	ck_assert_ptr_null(flows);
	ck_assert_int_eq(flowstate_read(dir, &h, &flows, &n, &err), -BS_EIO);
	snprintf(want, sizeof want, "%s: %s", dir, strerror(EISDIR));
	ck_assert_str_eq(err.msg, want);
	ck_assert_ptr_null(flows);
	/* A file that does not parse: the message names it too. */
	FILE *f = fopen(state_path(), "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(flowstate_read(state_path(), &h, &flows, &n, &err), -BS_EFORMAT);
	snprintf(want, sizeof want, "%s: truncated: 0 bytes, shorter than the header",
	         state_path());
	ck_assert_str_eq(err.msg, want);
}
END_TEST

START_TEST(failed_write_keeps_old_file)
{
	attack_flow_t *flows[FLOWS_MAX];
	struct flowstate_flow edges[FLOWS_MAX];
	size_t n = partial_flows(flows, true);
	with_edges(flows, n, edges);
	const struct flowstate_header h = header();
	struct bs_err err = {0};
	ck_assert_int_eq(write_state(dir, &h, NULL, 0, &err), 0);
	struct bs_buf old = read_bytes(state_path());

	/* The new file is ~16 KiB: the file-size limit stops it half way. */
	flowstate_writer_t *w = writer_of(edges, n);
	struct rlimit saved, lim;
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
	lim = saved;
	lim.rlim_cur = 4096;
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG, not death */
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = flowstate_writer_save(w, &h, dir, &err);
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
	ck_assert_int_eq(flowstate_writer_save(w, &h, missing, &err), -BS_EIO);
	snprintf(want, sizeof want, "%s/%s: %s", missing, OUTDIR_FLOWSTATE, strerror(ENOENT));
	ck_assert_str_eq(err.msg, want);
	/* Then written whole. */
	ck_assert_int_eq(flowstate_writer_save(w, &h, dir, &err), 0);
	struct bs_buf whole = read_bytes(state_path());
	ck_assert_uint_gt(whole.len, 4096);
	bs_buf_free(&whole);
	flowstate_writer_free(w);
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

/* ---- version 2: the prefix view's part ---- */

static const struct attack_prefix_view PV = {.len4 = 24, .len6 = 48, .min_victims = 5};

/* The partial flows of a prefix-view table (attack.h) that may continue
 * into the next piece: a carpet over 198.51.100.0/24 (built, 8 victims),
 * a one-packet flow of 203.0.113.0/24, a flow of 2001:db8:1::/48 whose
 * first packet is a router's error (built from it), and a two-victim
 * flow of 192.0.2.0/24. */
static size_t prefix_flows(attack_flow_t **out)
{
	struct partials parts = {.n = 0};
	struct attack_params p;
	ck_assert_int_eq(attack_params_preset(&p, "rsdos"), 0);
	attack_table_t *t = attack_table_create(&p, tel, no_attack, NULL);
	attack_table_key_prefix(t, &PV);
	const struct attack_hold h = {.before_next = true};
	attack_table_hold(t, &h, keep_partial, &parts);
	struct bs_event ev;
	for (uint32_t i = 0; i < 24; i++) {
		ev = event(0xc6336400u + 1 + i % 8, i, T0 + i * US);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	ev = event(0xcb007109u, 50, T0 + 3 * US);
	ck_assert_int_eq(attack_table_update(t, &ev), 0);
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 5};
	for (uint32_t i = 0; i < 3; i++) {
		ev = event(0, 60 + i, T0 + (4 + i) * US);
		v6[15] = (uint8_t)(5 + i);
		bs_addr_from_v6(&ev.victim, v6);
		ev.proto = BS_PROTO_UDP;
		ev.response = BS_RESP_ICMP6_UNREACH;
		if (i == 0) {
			ev.flags |= BS_EV_MISMATCH;
			bs_addr_from_v6(&ev.responder,
			                (const uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, 9});
		}
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	for (uint32_t i = 0; i < 2; i++) {
		ev = event(0xc0000201u + i, 70 + i, T0 + (8 + i) * US);
		ck_assert_int_eq(attack_table_update(t, &ev), 0);
	}
	ck_assert_int_eq(attack_table_flush(t), 0);
	attack_table_free(t);
	memcpy(out, parts.f, parts.n * sizeof *out);
	return parts.n;
}

/* The header of a piece with the prefix view. */
static struct flowstate_header header_pv(void)
{
	struct flowstate_header h = header();
	h.has_prefix_view = true;
	h.prefix_view = PV;
	return h;
}

/* A valid version 2 file: the small piece's edges, then n_prefix prefix
 * flows (every other reported). *n_victim: the per-victim records. */
static struct bs_buf valid_pv_file(size_t *n_victim, size_t *n_prefix)
{
	attack_flow_t *flows[FLOWS_MAX];
	struct flowstate_flow edges[FLOWS_MAX];
	size_t n = partial_flows(flows, false);
	with_edges(flows, n, edges);
	size_t m = prefix_flows(flows + n);
	for (size_t i = 0; i < m; i++)
		edges[n + i] =
		    (struct flowstate_flow){.flow = flows[n + i], .reported = i % 2 == 0};
	const struct flowstate_header h = header_pv();
	struct bs_buf b = {0};
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_encode(&h, edges, n + m, &b, &err), 0);
	free_flows(flows, n + m);
	*n_victim = n;
	*n_prefix = m;
	return b;
}

/* Where the prefix view's part begins in a version 2 file. */
static size_t prefix_part_at(const struct bs_buf *b, size_t n_victim)
{
	size_t pos = 72;
	for (size_t i = 0; i < n_victim; i++)
		pos += 4 + get_u32(b->data + pos);
	return pos;
}

START_TEST(prefix_view_round_trip)
{
	attack_flow_t *flows[FLOWS_MAX];
	struct flowstate_flow given[FLOWS_MAX];
	size_t n = partial_flows(flows, false);
	size_t m = prefix_flows(flows + n);
	ck_assert_uint_eq(m, 4);
	/* Added mixed and backwards: the file puts each part in order. */
	for (size_t i = 0; i < n + m; i++) {
		size_t k = n + m - 1 - i;
		given[i] = k < n
		               ? with_edge(flows[k], k)
		               : (struct flowstate_flow){.flow = flows[k], .reported = k % 2 == 0};
	}
	const struct flowstate_header h = header_pv();
	struct bs_err err = {0};
	ck_assert_int_eq(write_state(dir, &h, given, n + m, &err), 0);
	keep_seed(state_path(), "prefix.state");
	struct bs_buf file = read_bytes(state_path()), again = {0};
	ck_assert_uint_eq(get_u32(file.data + 8), 2);
	size_t at = prefix_part_at(&file, n);
	ck_assert_uint_eq(file.data[at], 24);
	ck_assert_uint_eq(file.data[at + 1], 48);
	ck_assert_uint_eq(get_u32(file.data + at + 2), 5);
	ck_assert_uint_eq(get_u32(file.data + at + 6), m);

	struct flowstate_header back;
	struct flowstate_flow *read;
	size_t n_read;
	ck_assert_int_eq(flowstate_read(state_path(), &back, &read, &n_read, &err), 0);
	assert_same_header(&back, &h);
	ck_assert_uint_eq(n_read, n + m);
	for (size_t i = 0; i < n + m; i++) {
		ck_assert_int_eq(attack_flow_is_prefix(read[i].flow), i >= n);
		if (i != 0 && i != n)
			ck_assert_int_lt(attack_flow_cmp(read[i - 1].flow, read[i].flow), 0);
		bool found = false;
		for (size_t j = 0; j < n + m && !found; j++) {
			if (given[j].flow == NULL ||
			    !attack_flow_equal(given[j].flow, read[i].flow))
				continue;
			found = true;
			assert_same_edge(&read[i], &given[j]);
		}
		ck_assert_msg(found, "flow %zu read back is none of those written", i);
	}
	ck_assert_int_eq(flowstate_encode(&back, read, n_read, &again, &err), 0);
	codec_assert_same(&file, &again);
	ck_assert_ptr_null(fuzz_run_flowstate(file.data, file.len));
	flowstate_flows_free(read, n_read);
	free_flows(flows, n + m);
	bs_buf_free(&file);
	bs_buf_free(&again);
}
END_TEST

/* The view without prefix flows is still version 2; without the view the
 * file is version 1, byte for byte what it was before version 2. */
START_TEST(prefix_view_without_flows)
{
	struct flowstate_header h = header_pv();
	struct bs_buf with = {0}, without = {0};
	struct bs_err err = {0};
	ck_assert_int_eq(flowstate_encode(&h, NULL, 0, &with, &err), 0);
	ck_assert_uint_eq(with.len, 80 + 14);
	ck_assert_mem_eq(with.data, "BSFLOWS\0\2\0\0\0\x5e\0\0\0\0\0\0\0", 20);
	ck_assert_mem_eq(with.data + 72, "\x18\x30\5\0\0\0\0\0\0\0\0\0\0\0", 14);
	struct flowstate_header back;
	struct flowstate_flow *read;
	size_t n;
	ck_assert_int_eq(flowstate_parse(with.data, with.len, &back, &read, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	assert_same_header(&back, &h);
	flowstate_flows_free(read, n);
	h.has_prefix_view = false;
	ck_assert_int_eq(flowstate_encode(&h, NULL, 0, &without, &err), 0);
	ck_assert_uint_eq(without.len, 80);
	ck_assert_mem_eq(without.data, "BSFLOWS\0\1\0\0\0\x50\0\0\0\0\0\0\0", 20);
	ck_assert_int_eq(flowstate_parse(without.data, without.len, &back, &read, &n, &err), 0);
	ck_assert(!back.has_prefix_view);
	flowstate_flows_free(read, n);
	bs_buf_free(&with);
	bs_buf_free(&without);
}
END_TEST

START_TEST(prefix_view_writer_refuses)
{
	attack_flow_t *flows[FLOWS_MAX];
	size_t m = prefix_flows(flows);
	struct flowstate_flow one = {.flow = flows[0]};
	struct flowstate_header h = header();
	struct bs_buf b = {0};
	struct bs_err err = {0};
	/* A prefix flow in a file without the view. */
	ck_assert_int_eq(flowstate_encode(&h, &one, 1, &b, &err), -BS_EINVAL);
	ck_assert_str_eq(err.msg, "record 1: a prefix-view flow, and no prefix view in the header");
	/* Keyed on /24 while the header says /16. */
	h = header_pv();
	h.prefix_view.len4 = 16;
	h.prefix_view.len6 = 32;
	ck_assert_int_eq(flowstate_encode(&h, &one, 1, &b, &err), -BS_EINVAL);
	ck_assert_str_eq(err.msg, "record 1: a prefix-view flow keyed on another prefix length "
	                          "than the header's");
	/* Lengths the view cannot have, no victim. */
	h = header_pv();
	h.prefix_view.len4 = 33;
	ck_assert_int_eq(flowstate_encode(&h, NULL, 0, &b, &err), -BS_EINVAL);
	ck_assert_str_eq(err.msg, "prefix view /33,/48 with at least 5 victims: a length too long "
	                          "or no victim");
	h = header_pv();
	h.prefix_view.min_victims = 0;
	ck_assert_int_eq(flowstate_encode(&h, NULL, 0, &b, &err), -BS_EINVAL);
	/* A prefix has no geography. */
	flowstate_writer_t *w = flowstate_writer_create();
	const struct geo_info se = {.country = "SE"};
	ck_assert_int_eq(flowstate_writer_add(w, flows[0], false, &se), -BS_EINVAL);
	ck_assert_uint_eq(flowstate_writer_count(w), 0);
	ck_assert_int_eq(flowstate_writer_add(w, flows[0], true, NULL), 0);
	ck_assert_uint_eq(flowstate_writer_count(w), 1);
	flowstate_writer_free(w);
	ck_assert_uint_eq(b.len, 0);
	free_flows(flows, m);
	bs_buf_free(&b);
}
END_TEST

START_TEST(prefix_view_damage)
{
	size_t n, m;
	struct bs_buf b = valid_pv_file(&n, &m);
	uint8_t *p = b.data;
	const size_t len = b.len;
	const size_t at = prefix_part_at(&b, n);
	char want[256];
	/* Cut at every byte: refused, never a crash. */
	for (size_t cut = 0; cut < len; cut++) {
		struct flowstate_header h;
		struct flowstate_flow *flows;
		size_t got;
		struct bs_err err = {0};
		ck_assert_int_eq(flowstate_parse(p, cut, &h, &flows, &got, &err), -BS_EFORMAT);
	}
	/* A version 1 file does not end with the view's part. */
	codec_poke_u32(p, 8, 1);
	reseal(&b);
	snprintf(want, sizeof want, "%zu bytes between the last record and the checksum",
	         len - 8 - at);
	assert_file_refused(p, len, want);
	codec_poke_u32(p, 8, 2);
	/* The view's lengths and victims. */
	p[at] = 33;
	reseal(&b);
	assert_file_refused(p, len,
	                    "prefix view /33,/48 with at least 5 victims: a length too long or "
	                    "no victim");
	p[at] = 16; /* shorter: the /24 prefixes have bits past it */
	reseal(&b);
	snprintf(want, sizeof want,
	         "prefix record 1 of %zu: prefix with bits set past the prefix view's length", m);
	assert_file_refused(p, len, want);
	p[at] = 24;
	codec_poke_u32(p, at + 2, 0);
	reseal(&b);
	assert_file_refused(p, len,
	                    "prefix view /24,/48 with at least 0 victims: a length too long or "
	                    "no victim");
	codec_poke_u32(p, at + 2, 5);
	/* The count of prefix flows. */
	codec_poke_u64(p, at + 6, UINT64_MAX);
	reseal(&b);
	snprintf(want, sizeof want,
	         "18446744073709551615 prefix flows cannot fit in the %zu bytes left",
	         len - 8 - at - 14);
	assert_file_refused(p, len, want);
	codec_poke_u64(p, at + 6, m + 1);
	reseal(&b);
	snprintf(want, sizeof want, "prefix record %zu of %zu: ends early", m + 1, m + 1);
	assert_file_refused(p, len, want);
	codec_poke_u64(p, at + 6, m);
	/* The reported flag, the record's last byte. */
	const size_t first = at + 14, first_len = get_u32(p + first);
	p[first + 4 + first_len - 1] = 2;
	reseal(&b);
	snprintf(want, sizeof want, "prefix record 1 of %zu: reported flag neither 0 nor 1", m);
	assert_file_refused(p, len, want);
	p[first + 4 + first_len - 1] = 1;
	reseal(&b);
	assert_parses(p, len, n + m);
	bs_buf_free(&b);
}
END_TEST

/* The seeds are in the current format: each parses. */
static void seeds_parse(const char *rel)
{
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", getenv("TESTDATA"), rel);
	DIR *d = opendir(path);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char file[OUTDIR_PATH_LEN * 2];
		snprintf(file, sizeof file, "%s/%s", path, e->d_name);
		struct flowstate_header h;
		struct flowstate_flow *flows;
		size_t n;
		struct bs_err err = {0};
		ck_assert_msg(flowstate_read(file, &h, &flows, &n, &err) == 0, "%s", err.msg);
		flowstate_flows_free(flows, n);
	}
	closedir(d);
}

START_TEST(fuzz_seeds_and_findings)
{
	replay("../fuzz/corpus/flowstate", true);
	seeds_parse("../fuzz/corpus/flowstate");
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
	tcase_add_test(file, record_trailer_bytes);
	tcase_add_test(file, no_flows);
	tcase_add_test(file, telescope_hash);
	tcase_add_test(file, writer_refuses_what_readers_would);
	tcase_add_test(file, writer_refuses_unterminated_geography);
	tcase_add_test(file, records_in_adoption_order);
	tcase_add_test(file, equal_inputs_equal_bytes);
	suite_add_tcase(s, file);
	TCase *bad = tcase_create("damage");
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_set_timeout(bad, 120);
	tcase_add_test(bad, truncated_at_every_byte);
	tcase_add_test(bad, every_kind_of_damage);
	tcase_add_test(bad, record_trailer_damage);
	tcase_add_test(bad, records_between_last_and_checksum);
	tcase_add_test(bad, read_errors_name_the_file);
	tcase_add_test(bad, failed_write_keeps_old_file);
	tcase_add_test(bad, fuzz_seeds_and_findings);
	TCase *pv = tcase_create("prefix_view");
	tcase_add_checked_fixture(pv, setup, teardown);
	tcase_add_test(pv, prefix_view_round_trip);
	tcase_add_test(pv, prefix_view_without_flows);
	tcase_add_test(pv, prefix_view_writer_refuses);
	tcase_add_test(pv, prefix_view_damage);
	suite_add_tcase(s, pv);
	suite_add_tcase(s, bad);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

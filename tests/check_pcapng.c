/* check_pcapng.c - the pcapng writer of evidence.pcapng: block layouts
 * walked byte by byte (lengths, padding, options), and files read back
 * through both of the project's readers (the in-place walker and libpcap
 * through libtrace), frames and times included; and pcapng_read(), merge's
 * reader: what was written comes back and writes the same bytes again,
 * every cut and altered field is refused with its byte offset. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_error.h"
#include "check_outdir.h"
#include "outdir/pcapng.h"
#include "telescope/reader.h"

#define LT_ETHERNET 1u
#define LT_RAW      101u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The file DIR/NAME, whole; *len its size. */
static uint8_t *slurp(const char *dir, const char *name, size_t *len)
{
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	uint8_t *buf = malloc(1 << 16);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

/* A frame of n bytes: byte i is seed + i. */
static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i);
}

START_TEST(blocks_lengths_padding_options)
{
	pcapng_t *p = pcapng_create();
	ck_assert_ptr_nonnull(p);
	uint8_t frame[64];
	fill(frame, sizeof frame, 7);
	/* caplen 1..5 and comments of 1..5 bytes: every padding. */
	static const char *const comments[] = {"a", "ab", "abc", "abcd", "abcde", NULL};
	for (unsigned i = 0; i < 6; i++) {
		struct pcapng_packet pk = {.ts_us = 1700000000123456ull + i,
		                           .linktype = i % 2 ? LT_RAW : LT_ETHERNET,
		                           .snaplen = 0,
		                           .wirelen = 1000 + i,
		                           .caplen = i + 1,
		                           .bytes = frame,
		                           .comment = comments[i]};
		ck_assert_int_eq(pcapng_add(p, &pk), 0);
	}
	ck_assert_uint_eq(pcapng_count(p), 6);
	char *dir = outdir_create();
	ck_assert_int_eq(pcapng_write(p, dir, "e.pcapng"), 0);
	size_t len;
	uint8_t *f = slurp(dir, "e.pcapng", &len);
	size_t pos = 0, n_idb = 0, n_epb = 0;
	while (pos < len) {
		ck_assert_uint_ge(len - pos, 12);
		uint32_t type = le32(f + pos), total = le32(f + pos + 4);
		ck_assert_uint_eq(total % 4, 0);
		ck_assert_uint_le(total, len - pos);
		ck_assert_uint_eq(le32(f + pos + total - 4), total);
		const uint8_t *body = f + pos + 8;
		if (pos == 0) {
			ck_assert_uint_eq(type, 0x0A0D0D0A);
			ck_assert_uint_eq(le32(body), 0x1A2B3C4D);
			ck_assert_uint_eq(le16(body + 4), 1);
			ck_assert_uint_eq(le16(body + 6), 0);
		} else if (type == 1) {
			ck_assert_uint_eq(le16(body), n_idb == 0 ? LT_ETHERNET : LT_RAW);
			n_idb++;
		} else {
			ck_assert_uint_eq(type, 6);
			unsigned i = (unsigned)n_epb++;
			ck_assert_uint_eq(le32(body), i % 2);
			uint64_t ts = (uint64_t)le32(body + 4) << 32 | le32(body + 8);
			ck_assert_uint_eq(ts, 1700000000123456ull + i);
			uint32_t caplen = le32(body + 12);
			ck_assert_uint_eq(caplen, i + 1);
			ck_assert_uint_eq(le32(body + 16), 1000 + i);
			ck_assert_mem_eq(body + 20, frame, caplen);
			size_t opt = 20 + (caplen + 3) / 4 * 4;
			for (size_t z = 20 + caplen; z < opt; z++)
				ck_assert_uint_eq(body[z], 0);
			if (comments[i] == NULL) {
				ck_assert_uint_eq(opt + 12, total);
			} else {
				size_t clen = strlen(comments[i]);
				ck_assert_uint_eq(le16(body + opt), 1);
				ck_assert_uint_eq(le16(body + opt + 2), clen);
				ck_assert_mem_eq(body + opt + 4, comments[i], clen);
				size_t end = opt + 4 + (clen + 3) / 4 * 4;
				for (size_t z = opt + 4 + clen; z < end; z++)
					ck_assert_uint_eq(body[z], 0);
				ck_assert_uint_eq(le32(body + end), 0); /* opt_endofopt */
				ck_assert_uint_eq(end + 4 + 12, total);
			}
		}
		pos += total;
	}
	ck_assert_uint_eq(pos, len);
	ck_assert_uint_eq(n_idb, 2);
	ck_assert_uint_eq(n_epb, 6);
	free(f);
	pcapng_free(p);
	outdir_remove(dir);
}
END_TEST

START_TEST(empty_file_is_a_section)
{
	pcapng_t *p = pcapng_create();
	char *dir = outdir_create();
	ck_assert_int_eq(pcapng_write(p, dir, "e.pcapng"), 0);
	size_t len;
	uint8_t *f = slurp(dir, "e.pcapng", &len);
	ck_assert_uint_eq(len, 28);
	ck_assert_uint_eq(le32(f + 4), 28);
	free(f);
	pcapng_free(p);
	pcapng_free(NULL);
	outdir_remove(dir);
}
END_TEST

START_TEST(limits)
{
	pcapng_t *p = pcapng_create();
	uint8_t b = 0;
	struct pcapng_packet pk = {
	    .linktype = LT_RAW, .caplen = PCAPNG_CAPLEN_MAX + 1, .bytes = &b};
	ck_assert_int_eq(pcapng_add(p, &pk), -BS_EINVAL);
	pk.caplen = 1;
	for (uint32_t i = 0; i < PCAPNG_MAX_IFS; i++) {
		pk.snaplen = i;
		ck_assert_int_eq(pcapng_add(p, &pk), 0);
	}
	pk.snaplen = PCAPNG_MAX_IFS;
	ck_assert_int_eq(pcapng_add(p, &pk), -BS_ERANGE);
	ck_assert_uint_eq(pcapng_count(p), PCAPNG_MAX_IFS);
	/* A comment longer than the most kept is cut, not refused. */
	char longc[PCAPNG_COMMENT_MAX + 10];
	memset(longc, 'x', sizeof longc - 1);
	longc[sizeof longc - 1] = '\0';
	pk.snaplen = 0;
	pk.comment = longc;
	ck_assert_int_eq(pcapng_add(p, &pk), 0);
	pcapng_free(p);
}
END_TEST

/* An Ethernet frame with an IPv4 header: the readers decode layer 3. */
static size_t ipv4_frame(uint8_t *b, uint8_t last)
{
	memset(b, 0, 60);
	b[12] = 0x08; /* IPv4 */
	b[14] = 0x45;
	b[16] = 0;
	b[17] = 40; /* total length */
	b[22] = 64;
	b[23] = 6;
	b[33] = last;
	return 54;
}

/* Written then read back by reader_open() (walker, or libtrace when walk
 * is false): times, lengths and frames as written. */
static void round_trip(bool walk)
{
	pcapng_t *p = pcapng_create();
	uint8_t frames[3][64];
	for (unsigned i = 0; i < 3; i++) {
		size_t n = ipv4_frame(frames[i], (uint8_t)(i + 1));
		struct pcapng_packet pk = {.ts_us = 1600000000000000ull + 1000001ull * i,
		                           .linktype = LT_ETHERNET,
		                           .snaplen = 128,
		                           .wirelen = 1500,
		                           .caplen = (uint32_t)n - i,
		                           .bytes = frames[i],
		                           .comment = "attack_id=1 victim=10.0.0.1 proto=TCP"};
		ck_assert_int_eq(pcapng_add(p, &pk), 0);
	}
	char *dir = outdir_create();
	ck_assert_int_eq(pcapng_write(p, dir, "e.pcapng"), 0);
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/e.pcapng", dir);
	reader_walk_enable(walk);
	reader_t *r;
	struct bs_err err;
	ck_assert_int_eq(reader_open(path, NULL, &r, &err), 0);
	struct reader_packet pkt;
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(reader_next(r, &pkt), 1);
		ck_assert_uint_eq(pkt.ts_us, 1600000000000000ull + 1000001ull * i);
		ck_assert_ptr_nonnull(pkt.l3);
		ck_assert_uint_eq(pkt.ethertype, 0x0800);
		struct reader_frame f;
		ck_assert_int_eq(reader_frame(r, &f), 0);
		ck_assert_uint_eq(f.linktype, LT_ETHERNET);
		ck_assert_uint_eq(f.caplen, 54 - i);
		ck_assert_uint_eq(f.wirelen, 1500);
		ck_assert_mem_eq(f.bytes, frames[i], f.caplen);
	}
	ck_assert_int_eq(reader_next(r, &pkt), 0);
	reader_free(r);
	reader_walk_enable(true);
	pcapng_free(p);
	outdir_remove(dir);
}

START_TEST(round_trip_walker)
{
	round_trip(true);
}
END_TEST

START_TEST(round_trip_libtrace)
{
	round_trip(false);
}
END_TEST

/* The six packets of blocks_lengths_padding_options, with a section
 * comment, written to DIR/e.pcapng; the file's bytes into *len. */
static const char *const six_comments[] = {"a", "ab", "abc", "abcd", "abcde", NULL};
static uint8_t six_frame[64];

static pcapng_t *six_packets(void)
{
	pcapng_t *p = pcapng_create();
	ck_assert_ptr_nonnull(p);
	fill(six_frame, sizeof six_frame, 7);
	ck_assert_int_eq(pcapng_set_comment(p, "per target: 3"), 0);
	for (unsigned i = 0; i < 6; i++) {
		struct pcapng_packet pk = {.ts_us = 1700000000123456ull + ((uint64_t)i << 33),
		                           .linktype = i % 2 ? LT_RAW : LT_ETHERNET,
		                           .snaplen = 128 * (i % 2),
		                           .wirelen = 1000 + i,
		                           .caplen = i + 1,
		                           .bytes = six_frame,
		                           .comment = six_comments[i]};
		ck_assert_int_eq(pcapng_add(p, &pk), 0);
	}
	return p;
}

/* What a reading hands out, copied. */
struct got {
	struct pcapng_packet pk[8];
	uint8_t bytes[8][64];
	char comments[8][PCAPNG_COMMENT_MAX + 1];
	size_t n;
	int stop_at; /* packet number whose callback returns -BS_ERANGE, 0: none */
};

static int collect_packet(const struct pcapng_packet *pk, uint64_t number, void *arg)
{
	struct got *g = arg;
	if ((int)number == g->stop_at)
		return -BS_ERANGE;
	ck_assert_uint_eq(number, g->n + 1);
	ck_assert_uint_lt(g->n, 8);
	ck_assert_uint_le(pk->caplen, 64);
	g->pk[g->n] = *pk;
	memcpy(g->bytes[g->n], pk->bytes, pk->caplen);
	g->pk[g->n].bytes = g->bytes[g->n];
	g->comments[g->n][0] = '\0';
	if (pk->comment != NULL)
		snprintf(g->comments[g->n], sizeof g->comments[g->n], "%s", pk->comment);
	g->pk[g->n].comment = pk->comment != NULL ? g->comments[g->n] : NULL;
	g->n++;
	return 0;
}

START_TEST(read_back_and_write_again)
{
	pcapng_t *p = six_packets();
	char *dir = outdir_create();
	ck_assert_int_eq(pcapng_write(p, dir, "e.pcapng"), 0);
	char path[OUTDIR_PATH_LEN];
	snprintf(path, sizeof path, "%s/e.pcapng", dir);
	struct got g = {0};
	char section[PCAPNG_COMMENT_MAX + 1];
	struct bs_err err;
	ck_assert_int_eq(pcapng_read(path, section, collect_packet, &g, &err), 0);
	ck_assert_str_eq(section, "per target: 3");
	ck_assert_uint_eq(g.n, 6);
	pcapng_t *again = pcapng_create();
	ck_assert_int_eq(pcapng_set_comment(again, section), 0);
	for (unsigned i = 0; i < 6; i++) {
		ck_assert_uint_eq(g.pk[i].ts_us, 1700000000123456ull + ((uint64_t)i << 33));
		ck_assert_uint_eq(g.pk[i].linktype, i % 2 ? LT_RAW : LT_ETHERNET);
		ck_assert_uint_eq(g.pk[i].snaplen, 128 * (i % 2));
		ck_assert_uint_eq(g.pk[i].wirelen, 1000 + i);
		ck_assert_uint_eq(g.pk[i].caplen, i + 1);
		ck_assert_mem_eq(g.pk[i].bytes, six_frame, i + 1);
		if (six_comments[i] == NULL)
			ck_assert_ptr_null(g.pk[i].comment);
		else
			ck_assert_str_eq(g.pk[i].comment, six_comments[i]);
		ck_assert_int_eq(pcapng_add(again, &g.pk[i]), 0);
	}
	ck_assert_int_eq(pcapng_write(again, dir, "again.pcapng"), 0);
	size_t la, lb;
	uint8_t *a = slurp(dir, "e.pcapng", &la), *b = slurp(dir, "again.pcapng", &lb);
	ck_assert_uint_eq(la, lb);
	ck_assert_mem_eq(a, b, la);
	/* A callback's code stops the reading. */
	struct got stop = {.stop_at = 4};
	ck_assert_int_eq(pcapng_read(path, section, collect_packet, &stop, &err), -BS_ERANGE);
	ck_assert_uint_eq(stop.n, 3);
	/* A missing file: errno's text, the path named. */
	snprintf(path, sizeof path, "%s/none.pcapng", dir);
	ck_assert_int_eq(pcapng_read(path, section, collect_packet, &g, &err), -BS_EIO);
	ck_assert_int_eq(err.sys_errno, ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, "none.pcapng"));
	free(a);
	free(b);
	pcapng_free(p);
	pcapng_free(again);
	outdir_remove(dir);
}
END_TEST

/* pcapng_read_stream() over len bytes at f: its code, the message in err. */
static int read_mem(const uint8_t *f, size_t len, struct bs_err *err, size_t *packets)
{
	/* A copy: fmemopen() takes a buffer it may write, and refuses a size
	 * of 0 (an empty file is then a byte already read). */
	uint8_t *copy = malloc(len + 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f, len);
	FILE *s = fmemopen(copy, len ? len : 1, "rb");
	ck_assert_ptr_nonnull(s);
	if (len == 0)
		fgetc(s);
	struct got g = {0};
	char section[PCAPNG_COMMENT_MAX + 1];
	int rc = pcapng_read_stream(s, section, collect_packet, &g, err);
	fclose(s);
	free(copy);
	*packets = g.n;
	return rc;
}

/* The offset of block k (0: the SHB) of the file f. */
static size_t block_at(const uint8_t *f, unsigned k)
{
	size_t pos = 0;
	while (k-- > 0)
		pos += le32(f + pos + 4);
	return pos;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

START_TEST(read_refuses_cuts_and_alterations)
{
	pcapng_t *p = six_packets();
	char *dir = outdir_create();
	ck_assert_int_eq(pcapng_write(p, dir, "e.pcapng"), 0);
	size_t len, n;
	uint8_t *f = slurp(dir, "e.pcapng", &len);
	struct bs_err err;
	ck_assert_int_eq(read_mem(f, len, &err, &n), 0);
	ck_assert_uint_eq(n, 6);
	/* Blocks: SHB, IDB (Ethernet), IDB (raw), EPB 1..6. */
	size_t ends[9];
	for (unsigned k = 0; k < 9; k++)
		ends[k] = block_at(f, k + 1);
	ck_assert_uint_eq(ends[8], len);
	/* Every cut: the whole blocks before it are read; a cut inside a
	 * block (or an empty file) is refused. */
	for (size_t cut = 0; cut < len; cut++) {
		bool boundary = false;
		for (unsigned k = 0; k < 9; k++)
			boundary |= ends[k] == cut;
		int rc = read_mem(f, cut, &err, &n);
		ck_assert_int_eq(rc, boundary ? 0 : -BS_EFORMAT);
		if (!boundary)
			ck_assert_ptr_nonnull(strstr(err.msg, cut == 0 ? "empty" : "ends inside"));
	}
	uint8_t *g = malloc(len);
	ck_assert_ptr_nonnull(g);
	size_t idb2 = block_at(f, 2), epb1 = block_at(f, 3), epb2 = block_at(f, 4);
	const struct {
		const char *what, *says;
		size_t at;
		uint32_t value;
	} alter[] = {
	    {"not a section first", "byte 0: not a pcapng", 0, 0x00000001u},
	    {"big-endian", "little-endian", 8, 0x4D3C2B1Au},
	    {"version 2", "version", 12, 2u},
	    {"length under 12", "block length", epb1 + 4, 8u},
	    {"length not a multiple of 4", "block length", epb1 + 4, 45u},
	    {"length over the largest block", "block length", epb1 + 4, PCAPNG_BLOCK_MAX + 4},
	    {"trailer differs", "at its end", epb2 - 4, 4u},
	    {"a simple packet block", "block type 0x00000003", epb1, 3u},
	    {"unknown interface", "unknown interface", epb1 + 8, 2u},
	    {"captured length past the block", "past its block", epb1 + 20, 60u},
	    {"captured length over the most", "past its block", epb1 + 20, PCAPNG_CAPLEN_MAX + 1},
	    {"an option other than a comment", "option 2", epb1 + 28 + 4, 0x00010002u},
	    {"a comment past its block", "past its block", epb1 + 28 + 4, 0x00400001u},
	    {"an empty comment", "empty", epb1 + 28 + 4, 0x00000001u},
	    {"a comment holding NUL", "NUL", epb2 + 28 + 4 + 4, 0x00006100u},
	    {"padding not zero", "padded", epb1 + 28 + 4 + 4, 0x41414161u},
	};
	for (size_t i = 0; i < sizeof alter / sizeof alter[0]; i++) {
		memcpy(g, f, len);
		put32(g + alter[i].at, alter[i].value);
		int rc = read_mem(g, len, &err, &n);
		ck_assert_msg(rc == -BS_EFORMAT, "%s: %d", alter[i].what, rc);
		ck_assert_msg(strstr(err.msg, alter[i].says) != NULL, "%s: %s", alter[i].what,
		              err.msg);
		ck_assert_msg(strstr(err.msg, "byte ") != NULL, "%s: %s", alter[i].what, err.msg);
	}
	/* An option (if_tsresol, 0 bytes) in the second interface block: the
	 * block grows by its 4 bytes. */
	uint8_t *opt = malloc(len + 4);
	ck_assert_ptr_nonnull(opt);
	memcpy(opt, f, idb2 + 16);
	put32(opt + idb2 + 4, 24);
	put32(opt + idb2 + 16, 9);
	put32(opt + idb2 + 20, 24);
	memcpy(opt + idb2 + 24, f + idb2 + 20, len - idb2 - 20);
	ck_assert_int_eq(read_mem(opt, len + 4, &err, &n), -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "option 9 of block type 0x00000001"));
	/* The same with opt_comment's code is refused too: interfaces carry
	 * none. */
	put32(opt + idb2 + 16, 1);
	ck_assert_int_eq(read_mem(opt, len + 4, &err, &n), -BS_EFORMAT);
	free(opt);
	/* Two sections. */
	uint8_t *two = malloc(2 * len);
	ck_assert_ptr_nonnull(two);
	memcpy(two, f, len);
	memcpy(two + len, f, len);
	ck_assert_int_eq(read_mem(two, 2 * len, &err, &n), -BS_EFORMAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "block type 0x0a0d0d0a"));
	free(two);
	free(g);
	free(f);
	pcapng_free(p);
	outdir_remove(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pcapng");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, blocks_lengths_padding_options);
	tcase_add_test(tc, empty_file_is_a_section);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, round_trip_walker);
	tcase_add_test(tc, round_trip_libtrace);
	tcase_add_test(tc, read_back_and_write_again);
	tcase_add_test(tc, read_refuses_cuts_and_alterations);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

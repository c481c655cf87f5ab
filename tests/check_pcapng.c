/* check_pcapng.c - the pcapng writer of evidence.pcapng: block layouts
 * walked byte by byte (lengths, padding, options), and files read back
 * through both of the project's readers (the in-place walker and libpcap
 * through libtrace), frames and times included. */
#include <check.h>
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

int main(void)
{
	Suite *s = suite_create("pcapng");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, blocks_lengths_padding_options);
	tcase_add_test(tc, empty_file_is_a_section);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, round_trip_walker);
	tcase_add_test(tc, round_trip_libtrace);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

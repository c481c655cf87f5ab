/* check_inputs.c - the inputs of a run: the same data named twice (same
 * path, hard link, byte-identical copy, "-" twice) is read once; files are
 * ordered by their first genuine packet, not by name; an input that cannot
 * be opened is skipped with the reason; a FIFO is opened once and its
 * reader kept for the read. Traces are small pcap files written here. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/bs_error.h"
#include "base/bs_time.h"
#include "telescope/inputs.h"
#include "check_outdir.h"

/* pcap (libpcap's savefile format): a 24-byte file header and a 16-byte
 * header per record, little-endian; link type 1 is Ethernet. */
#define PCAP_MAGIC_LE 0xa1b2c3d4u
#define PCAP_SNAPLEN  65535u
#define PCAP_LINK_ETH 1u
#define FRAME_LEN     14u /* an Ethernet header and nothing after it */
#define T             (1700000000ull * BS_US_PER_S)
#define S             BS_US_PER_S
#define YEAR          (365ull * BS_US_PER_DAY)
#define MAX_PACKETS   8

static void put32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	ck_assert_uint_eq(fwrite(b, 1, sizeof b, f), sizeof b);
}

/* Writes a pcap with one record per time in ts[0..n) to f. */
static void write_pcap(FILE *f, const uint64_t *ts, size_t n)
{
	put32(f, PCAP_MAGIC_LE);
	put32(f, 2u | 4u << 16); /* version 2.4 */
	put32(f, 0);             /* thiszone */
	put32(f, 0);             /* sigfigs */
	put32(f, PCAP_SNAPLEN);
	put32(f, PCAP_LINK_ETH);
	static const uint8_t frame[FRAME_LEN] = {[12] = 0x08, [13] = 0x06}; /* ARP */
	for (size_t i = 0; i < n; i++) {
		put32(f, (uint32_t)(ts[i] / BS_US_PER_S));
		put32(f, (uint32_t)(ts[i] % BS_US_PER_S));
		put32(f, FRAME_LEN);
		put32(f, FRAME_LEN);
		ck_assert_uint_eq(fwrite(frame, 1, sizeof frame, f), sizeof frame);
	}
}

/* dir/name, in a static buffer (one per slot). */
static const char *path_in(int slot, const char *dir, const char *name)
{
	static char buf[4][OUTDIR_PATH_LEN];
	ck_assert_int_lt(snprintf(buf[slot], OUTDIR_PATH_LEN, "%s/%s", dir, name), OUTDIR_PATH_LEN);
	return buf[slot];
}

static void make_trace(const char *path, const uint64_t *ts, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	write_pcap(f, ts, n);
	ck_assert_int_eq(fclose(f), 0);
}

#define TRACE(path, ...)                                                                           \
	do {                                                                                       \
		const uint64_t ts_[] = {__VA_ARGS__};                                              \
		make_trace(path, ts_, sizeof ts_ / sizeof ts_[0]);                                 \
	} while (0)

static void add(inputs_t *l, const char *uri)
{
	ck_assert_int_eq(inputs_add(l, uri), 0);
}

static const struct input *at(const inputs_t *l, size_t i)
{
	ck_assert_uint_lt(i, inputs_count(l));
	return inputs_at(l, i);
}

static void assert_read(const struct input *in)
{
	ck_assert_msg(!in->skipped && !in->duplicate && in->error == NULL, "%s: %s", in->uri,
	              in->error ? in->error : "skipped");
}

static void assert_duplicate(const struct input *in)
{
	ck_assert(in->duplicate);
	ck_assert(in->skipped);
	ck_assert_ptr_null(in->error); /* no loss, no error */
}

START_TEST(same_path_twice_is_read_once)
{
	char *dir = outdir_create();
	const char *a = path_in(0, dir, "a.pcap");
	TRACE(a, T, T + S);
	inputs_t *l = inputs_create();
	ck_assert_ptr_nonnull(l);
	add(l, a);
	add(l, a);
	ck_assert_int_eq(inputs_probe(l, NULL), 0);
	assert_read(at(l, 0));
	assert_duplicate(at(l, 1));
	ck_assert_int_eq(inputs_bytes_total(l), at(l, 0)->size_bytes); /* counted once */
	inputs_free(l);
	outdir_remove(dir);
}
END_TEST

START_TEST(hard_link_is_a_duplicate)
{
	char *dir = outdir_create();
	const char *a = path_in(0, dir, "a.pcap"), *b = path_in(1, dir, "link.pcap");
	TRACE(a, T, T + S);
	ck_assert_int_eq(link(a, b), 0);
	inputs_t *l = inputs_create();
	add(l, b);
	add(l, a);
	assert_read(at(l, 0));
	assert_duplicate(at(l, 1)); /* the later name goes, whichever it is */
	inputs_free(l);
	outdir_remove(dir);
}
END_TEST

START_TEST(identical_copy_is_a_duplicate)
{
	char *dir = outdir_create();
	const char *a = path_in(0, dir, "a.pcap"), *b = path_in(1, dir, "copy.pcap");
	const char *c = path_in(2, dir, "other.pcap");
	TRACE(a, T, T + S);
	TRACE(b, T, T + S);
	TRACE(c, T, T + 2 * S); /* same size, other bytes */
	inputs_t *l = inputs_create();
	add(l, a);
	add(l, b);
	add(l, c);
	assert_read(at(l, 0));
	assert_duplicate(at(l, 1));
	assert_read(at(l, 2));
	ck_assert_int_eq(at(l, 0)->size_bytes, at(l, 2)->size_bytes);
	inputs_free(l);
	outdir_remove(dir);
}
END_TEST

START_TEST(stdin_twice_is_read_once)
{
	inputs_t *l = inputs_create();
	add(l, "-");
	add(l, "-");
	ck_assert(at(l, 0)->stream);
	ck_assert(!at(l, 0)->duplicate);
	ck_assert_int_eq(at(l, 0)->size_bytes, -1);
	assert_duplicate(at(l, 1));
	inputs_free(l); /* never probed: standard input untouched */
}
END_TEST

START_TEST(ordered_by_first_genuine_packet)
{
	char *dir = outdir_create();
	/* Named out of order; d's first packet is at the epoch, e's second
	 * is 30 years ahead: both are outliers, and neither orders its file. */
	TRACE(path_in(0, dir, "a.pcap"), T + 300 * S, T + 301 * S, T + 302 * S);
	TRACE(path_in(1, dir, "b.pcap"), T + 100 * S, T + 101 * S);
	TRACE(path_in(2, dir, "c.pcap"), T + 200 * S);
	TRACE(path_in(3, dir, "d.pcap"), 0, T + 250 * S, T + 251 * S, T + 252 * S);
	inputs_t *l = inputs_create();
	static const char *const names[] = {"a.pcap", "b.pcap", "c.pcap", "d.pcap"};
	for (size_t i = 0; i < 4; i++)
		add(l, path_in(0, dir, names[i]));
	TRACE(path_in(0, dir, "e.pcap"), T + 30 * YEAR, T + 260 * S, T + 261 * S);
	add(l, path_in(0, dir, "e.pcap"));
	ck_assert_int_eq(inputs_probe(l, NULL), 0);
	inputs_sort(l);
	static const char *const order[] = {"b.pcap", "c.pcap", "d.pcap", "e.pcap", "a.pcap"};
	static const uint64_t first[] = {T + 100 * S, T + 200 * S, T + 250 * S, T + 260 * S,
	                                 T + 300 * S};
	for (size_t i = 0; i < 5; i++) {
		ck_assert_str_eq(at(l, i)->uri, path_in(1, dir, order[i]));
		ck_assert_uint_eq(at(l, i)->first_us, first[i]);
		assert_read(at(l, i));
	}
	inputs_free(l);
	outdir_remove(dir);
}
END_TEST

START_TEST(equal_first_times_ordered_by_name)
{
	char *dir = outdir_create();
	TRACE(path_in(0, dir, "y.pcap"), T, T + 2 * S);
	TRACE(path_in(0, dir, "x.pcap"), T, T + S);
	inputs_t *l = inputs_create();
	add(l, path_in(0, dir, "y.pcap"));
	add(l, path_in(0, dir, "x.pcap"));
	ck_assert_int_eq(inputs_probe(l, NULL), 0);
	inputs_sort(l);
	ck_assert_str_eq(at(l, 0)->uri, path_in(1, dir, "x.pcap"));
	ck_assert_str_eq(at(l, 1)->uri, path_in(1, dir, "y.pcap"));
	inputs_free(l);
	outdir_remove(dir);
}
END_TEST

START_TEST(unreadable_inputs_are_skipped_with_the_reason)
{
	char *dir = outdir_create();
	const char *good = path_in(0, dir, "good.pcap"), *text = path_in(1, dir, "text.pcap");
	const char *missing = path_in(2, dir, "missing.pcap");
	TRACE(good, T + 10 * S, T + 11 * S);
	FILE *f = fopen(text, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not a trace\n", f);
	ck_assert_int_eq(fclose(f), 0);
	inputs_t *l = inputs_create();
	add(l, missing);
	add(l, text);
	add(l, dir);
	add(l, good);
	ck_assert_int_eq(inputs_probe(l, NULL), 0);
	ck_assert(at(l, 0)->skipped && !at(l, 0)->duplicate);
	ck_assert_str_eq(at(l, 0)->error, strerror(ENOENT));
	ck_assert(at(l, 1)->skipped);
	ck_assert_str_eq(at(l, 1)->error,
	                 "not a packet trace libtrace can read (pcap, pcapng, ERF, ...)");
	ck_assert(at(l, 2)->skipped);
	ck_assert_str_eq(at(l, 2)->error, "is a directory");
	assert_read(at(l, 3));
	/* Only what could be opened counts towards the bytes to read. */
	ck_assert_int_eq(inputs_bytes_total(l), at(l, 3)->size_bytes);
	inputs_sort(l);
	/* Left out, they sort first (no first time) and read nothing. */
	ck_assert_str_eq(at(l, 3)->uri, good);
	ck_assert_uint_eq(at(l, 3)->first_us, T + 10 * S);
	inputs_free(l);
	outdir_remove(dir);
}
END_TEST

START_TEST(unreadable_file_without_permission)
{
	if (geteuid() == 0)
		return; /* root reads it anyway */
	char *dir = outdir_create();
	const char *locked = path_in(0, dir, "locked.pcap");
	TRACE(locked, T);
	ck_assert_int_eq(chmod(locked, 0), 0);
	inputs_t *l = inputs_create();
	add(l, locked);
	ck_assert_int_eq(inputs_probe(l, NULL), 0);
	ck_assert(at(l, 0)->skipped);
	ck_assert_str_eq(at(l, 0)->error, strerror(EACCES));
	inputs_free(l);
	outdir_remove(dir);
}
END_TEST

struct fifo_writer {
	const char *path;
	uint64_t ts[MAX_PACKETS];
	size_t n;
};

static void *write_fifo(void *arg)
{
	const struct fifo_writer *w = arg;
	FILE *f = fopen(w->path, "wb");
	if (f != NULL) {
		write_pcap(f, w->ts, w->n);
		fclose(f);
	}
	return NULL;
}

START_TEST(fifo_is_opened_once_and_sorts_first)
{
	char *dir = outdir_create();
	const char *fifo = path_in(0, dir, "live"), *file = path_in(1, dir, "a.pcap");
	TRACE(file, T, T + S);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	struct fifo_writer w = {.path = fifo, .ts = {T + 5 * S, T + 6 * S, T + 7 * S}, .n = 3};
	pthread_t writer;
	ck_assert_int_eq(pthread_create(&writer, NULL, write_fifo, &w), 0);
	inputs_t *l = inputs_create();
	add(l, file);
	add(l, fifo);
	ck_assert(at(l, 1)->stream);
	ck_assert_int_eq(inputs_probe(l, NULL), 0);
	inputs_sort(l);
	struct input *in = inputs_at(l, 0);
	ck_assert_str_eq(in->uri, fifo);
	ck_assert_uint_eq(in->first_us, 0); /* not read by the probe */
	ck_assert_int_eq(inputs_bytes_total(l), at(l, 1)->size_bytes);
	/* The kept reader has every packet; the input gives it up once. */
	reader_t *r = inputs_take_reader(in);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_null(inputs_take_reader(in));
	ck_assert_ptr_null(inputs_take_reader(inputs_at(l, 1)));
	struct reader_packet pkt;
	for (size_t i = 0; i < w.n; i++) {
		ck_assert_int_eq(reader_next(r, &pkt), 1);
		ck_assert_uint_eq(pkt.ts_us, w.ts[i]);
	}
	ck_assert_int_eq(reader_next(r, &pkt), 0);
	reader_free(r);
	pthread_join(writer, NULL);
	inputs_free(l);
	outdir_remove(dir);
}
END_TEST

START_TEST(empty_list)
{
	inputs_t *l = inputs_create();
	ck_assert_uint_eq(inputs_count(l), 0);
	ck_assert_int_eq(inputs_probe(l, NULL), 0);
	inputs_sort(l);
	ck_assert_int_eq(inputs_bytes_total(l), 0);
	inputs_free(l);
	inputs_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inputs");
	TCase *tc = tcase_create("duplicates");
	tcase_add_test(tc, same_path_twice_is_read_once);
	tcase_add_test(tc, hard_link_is_a_duplicate);
	tcase_add_test(tc, identical_copy_is_a_duplicate);
	tcase_add_test(tc, stdin_twice_is_read_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("order");
	tcase_add_test(tc, ordered_by_first_genuine_packet);
	tcase_add_test(tc, equal_first_times_ordered_by_name);
	tcase_add_test(tc, fifo_is_opened_once_and_sorts_first);
	tcase_add_test(tc, empty_list);
	suite_add_tcase(s, tc);
	tc = tcase_create("unreadable");
	tcase_add_test(tc, unreadable_inputs_are_skipped_with_the_reason);
	tcase_add_test(tc, unreadable_file_without_permission);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* bench/floor-gzip.c - the floor of a gzipped pcap (issue 11), built twice
 * by bench/run.sh: as floor-isal with -DFLOOR_ISAL (ISA-L's
 * isal_inflate(), libisal-dev) and as floor-zlib without (zlib's
 * inflate()). One source, so the two floors differ in the inflater and in
 * nothing else.
 *
 * usage: floor-isal|floor-zlib FILE.pcap.gz...
 *
 * Reads each file with read(2) in 1 MiB blocks, inflates it (gzip wrapper
 * parsed and CRC checked, every member of a multi-member file) into a
 * 1 MiB buffer and walks every record header of the output (floor.h),
 * then prints the records and bytes seen. ISA-L's is the fastest way to
 * get the packets out of a .gz on one thread that a Debian package
 * offers, so it is the floor bench/run.sh holds collect to on gzipped
 * captures; zlib's is what reading the .gz costs with the decompressor
 * most readers use (wandio, gzip -dc). Given several files it reads them
 * one after the other, and its time is the sum of their floors.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "floor.h"

/* What one call of the inflater did. */
enum step {
	STEP_MORE,       /* made or took bytes; inside a member */
	STEP_MEMBER_END, /* a member ended; another may follow */
	STEP_STALLED,    /* needs input it was not given */
	STEP_ERROR,      /* corrupt data (message printed) */
};

#ifdef FLOOR_ISAL
#include <isa-l/igzip_lib.h>
#define FLOOR_NAME "floor-isal"

static struct inflate_state st;

static int inflater_begin(const char *path)
{
	(void)path;
	isal_inflate_init(&st);
	st.crc_flag = ISAL_GZIP;
	return 0;
}

static void inflater_input(unsigned char *in, size_t n)
{
	st.next_in = in;
	st.avail_in = (uint32_t)n;
}

static size_t inflater_pending(void)
{
	return st.avail_in;
}

/* Inflates into out[0..cap); *got the bytes made. */
static enum step inflater_step(const char *path, unsigned char *out, size_t cap, size_t *got)
{
	st.next_out = out;
	st.avail_out = (uint32_t)cap;
	int irc = isal_inflate(&st);
	*got = cap - st.avail_out;
	if (irc < 0) {
		fprintf(stderr, "%s: isal_inflate: error %d\n", path, irc);
		return STEP_ERROR;
	}
	if (st.block_state == ISAL_BLOCK_FINISH) {
		isal_inflate_reset(&st);
		st.crc_flag = ISAL_GZIP;
		return STEP_MEMBER_END;
	}
	return *got == 0 && st.avail_in == 0 ? STEP_STALLED : STEP_MORE;
}

static void inflater_end(void)
{
}
#else
#include <zlib.h>
#define FLOOR_NAME      "floor-zlib"
/* inflateInit2()'s window bits: the largest window, plus 16 for a gzip
 * wrapper only. */
#define ZLIB_GZIP_WBITS (15 + 16)

static z_stream z;

static int inflater_begin(const char *path)
{
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, ZLIB_GZIP_WBITS) != Z_OK) {
		fprintf(stderr, "%s: inflateInit2 failed\n", path);
		return -1;
	}
	return 0;
}

static void inflater_input(unsigned char *in, size_t n)
{
	z.next_in = in;
	z.avail_in = (uInt)n;
}

static size_t inflater_pending(void)
{
	return z.avail_in;
}

static enum step inflater_step(const char *path, unsigned char *out, size_t cap, size_t *got)
{
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int zrc = inflate(&z, Z_NO_FLUSH);
	*got = cap - z.avail_out;
	switch (zrc) {
	case Z_OK:
		return STEP_MORE;
	case Z_STREAM_END:
		inflateReset(&z);
		return STEP_MEMBER_END;
	case Z_BUF_ERROR:
		return STEP_STALLED;
	default:
		fprintf(stderr, "%s: inflate: %s\n", path, z.msg ? z.msg : "error");
		return STEP_ERROR;
	}
}

static void inflater_end(void)
{
	inflateEnd(&z);
}
#endif

static unsigned char in[FLOOR_BLOCK], out[FLOOR_BLOCK];

/* Inflates and walks one file; returns 0 or -1 (message printed). */
static int floor_file(const char *path, struct walk *w, uint64_t *fed)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	if (inflater_begin(path) != 0) {
		close(fd);
		return -1;
	}
	int rc = -1, eof = 0, in_member = 0;
	for (;;) {
		if (inflater_pending() == 0 && !eof) {
			ssize_t n = read(fd, in, sizeof in);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				perror(path);
				goto done;
			}
			eof = n == 0;
			inflater_input(in, (size_t)n);
		}
		if (inflater_pending() == 0 && eof && !in_member)
			break; /* the file ends between members */
		size_t got;
		enum step s = inflater_step(path, out, sizeof out, &got);
		*fed += got;
		if (s == STEP_ERROR || walk_feed(w, out, got) < 0)
			goto done;
		if (s == STEP_STALLED && eof) {
			fprintf(stderr, "%s: truncated gzip member\n", path);
			goto done;
		}
		in_member = s != STEP_MEMBER_END;
	}
	rc = 0;
done:
	inflater_end();
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t records = 0, caplen_bytes = 0, fed = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: " FLOOR_NAME " FILE.pcap.gz...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct walk w;
		walk_init(&w, argv[i]);
		if (floor_file(argv[i], &w, &fed) < 0 || walk_end(&w) < 0)
			return 1;
		records += w.records;
		caplen_bytes += w.caplen_bytes;
	}
	walk_print(records, caplen_bytes, fed);
	return 0;
}

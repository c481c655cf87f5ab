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
	STEP_MORE,       /* inside a member (made or took bytes, or needs more) */
	STEP_MEMBER_END, /* a member ended; another may follow */
	STEP_ERROR,      /* corrupt data (message printed) */
};

/* The inflater's state is strm: ISA-L's struct inflate_state and zlib's
 * z_stream name their buffers alike (next_in, avail_in, next_out,
 * avail_out), so only starting, one call and the end differ. */
#ifdef FLOOR_ISAL
#include <isa-l/igzip_lib.h>
#define FLOOR_NAME "floor-isal"

static struct inflate_state strm;

static int inflater_begin(const char *path)
{
	(void)path;
	isal_inflate_init(&strm);
	strm.crc_flag = ISAL_GZIP;
	return 0;
}

static enum step inflater_call(const char *path)
{
	int irc = isal_inflate(&strm);
	if (irc < 0) {
		fprintf(stderr, "%s: isal_inflate: error %d\n", path, irc);
		return STEP_ERROR;
	}
	if (strm.block_state != ISAL_BLOCK_FINISH)
		return STEP_MORE;
	isal_inflate_reset(&strm);
	strm.crc_flag = ISAL_GZIP;
	return STEP_MEMBER_END;
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

static z_stream strm;

static int inflater_begin(const char *path)
{
	memset(&strm, 0, sizeof strm);
	if (inflateInit2(&strm, ZLIB_GZIP_WBITS) != Z_OK) {
		fprintf(stderr, "%s: inflateInit2 failed\n", path);
		return -1;
	}
	return 0;
}

static enum step inflater_call(const char *path)
{
	switch (inflate(&strm, Z_NO_FLUSH)) {
	case Z_OK:
	case Z_BUF_ERROR: /* no progress without more input */
		return STEP_MORE;
	case Z_STREAM_END:
		inflateReset(&strm);
		return STEP_MEMBER_END;
	default:
		fprintf(stderr, "%s: inflate: %s\n", path, strm.msg ? strm.msg : "error");
		return STEP_ERROR;
	}
}

static void inflater_end(void)
{
	inflateEnd(&strm);
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
		if (strm.avail_in == 0 && !eof) {
			ssize_t n = read(fd, in, sizeof in);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				perror(path);
				goto done;
			}
			eof = n == 0;
			strm.next_in = in;
			strm.avail_in = (uint32_t)n;
		}
		if (strm.avail_in == 0 && eof && !in_member)
			break; /* the file ends between members */
		strm.next_out = out;
		strm.avail_out = (uint32_t)sizeof out;
		enum step s = inflater_call(path);
		size_t got = sizeof out - strm.avail_out;
		*fed += got;
		if (s == STEP_ERROR || walk_feed(w, out, got) < 0)
			goto done;
		in_member = s != STEP_MEMBER_END;
		/* inside a member, all input taken, nothing made: it needs
		 * bytes the file does not have */
		if (in_member && got == 0 && strm.avail_in == 0 && eof) {
			fprintf(stderr, "%s: truncated gzip member\n", path);
			goto done;
		}
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

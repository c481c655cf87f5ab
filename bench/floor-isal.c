/* bench/floor-isal.c - the ISA-L floor of a gzipped pcap (issue 11).
 *
 * usage: floor-isal FILE.pcap.gz...
 *
 * Reads each file with read(2) in 1 MiB blocks, inflates it with ISA-L's
 * isal_inflate() (igzip; gzip wrapper parsed and CRC checked, every member
 * of a multi-member file) into a 1 MiB buffer and walks every record header
 * of the output (floor.h), then prints the records and bytes seen. It is
 * the fastest way to get the packets out of a .gz on one thread that a
 * Debian package offers (libisal-dev), so it is the floor bench/run.sh
 * holds collect to on gzipped captures; given several files it reads them
 * one after the other, and its time is the sum of their floors.
 */
#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include "floor.h"

static unsigned char in[FLOOR_BLOCK], out[FLOOR_BLOCK];
static struct inflate_state st;

/* Inflates and walks one file; returns 0 or -1 (message printed). */
static int floor_file(const char *path, struct walk *w, uint64_t *fed)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	isal_inflate_init(&st);
	st.crc_flag = ISAL_GZIP;
	int rc = -1, eof = 0, in_member = 0;
	for (;;) {
		if (st.avail_in == 0 && !eof) {
			ssize_t n = read(fd, in, sizeof in);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				perror(path);
				goto done;
			}
			eof = n == 0;
			st.next_in = in;
			st.avail_in = (uint32_t)n;
		}
		if (st.avail_in == 0 && eof && !in_member)
			break; /* the file ends between members */
		st.next_out = out;
		st.avail_out = sizeof out;
		int irc = isal_inflate(&st);
		if (irc < 0) {
			fprintf(stderr, "%s: isal_inflate: error %d\n", path, irc);
			goto done;
		}
		size_t got = sizeof out - st.avail_out;
		*fed += got;
		if (walk_feed(w, out, got) < 0)
			goto done;
		if (st.block_state == ISAL_BLOCK_FINISH) { /* a member ends; another may follow */
			in_member = 0;
			isal_inflate_reset(&st);
			st.crc_flag = ISAL_GZIP;
		} else if (got == 0 && st.avail_in == 0 && eof) {
			fprintf(stderr, "%s: truncated gzip member\n", path);
			goto done;
		} else {
			in_member = 1;
		}
	}
	rc = 0;
done:
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t records = 0, caplen_bytes = 0, fed = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: floor-isal FILE.pcap.gz...\n");
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

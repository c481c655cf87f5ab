/* bench/floor-zlib.c - the zlib floor of a gzipped pcap (issue 11).
 *
 * usage: floor-zlib FILE.pcap.gz...
 *
 * Reads each file with read(2) in 1 MiB blocks, inflates it with zlib's
 * inflate() (gzip wrapper, CRC checked, every member of a multi-member
 * file) into a 1 MiB buffer and walks every record header of the output
 * (floor.h), then prints the records and bytes seen. It is what reading
 * the .gz costs with the decompressor most readers use (wandio, gzip -dc)
 * and nothing else, on one thread: bench/run.sh shows collect on the same
 * file against it and against the faster ISA-L floor (floor-isal.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include "floor.h"

static unsigned char in[FLOOR_BLOCK], out[FLOOR_BLOCK];

/* Inflates and walks one file; returns 0 or -1 (message printed). */
static int floor_file(const char *path, struct walk *w, uint64_t *fed)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return -1;
	}
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK) { /* gzip wrapper only */
		fprintf(stderr, "%s: inflateInit2 failed\n", path);
		return -1;
	}
	int rc = -1, eof = 0, in_member = 0;
	for (;;) {
		if (z.avail_in == 0 && !eof) {
			ssize_t n = read(fd, in, sizeof in);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				perror(path);
				goto done;
			}
			eof = n == 0;
			z.next_in = in;
			z.avail_in = (uInt)n;
		}
		if (z.avail_in == 0 && eof && !in_member)
			break; /* the file ends between members */
		z.next_out = out;
		z.avail_out = sizeof out;
		int zrc = inflate(&z, Z_NO_FLUSH);
		size_t got = sizeof out - z.avail_out;
		*fed += got;
		if (walk_feed(w, out, got) < 0)
			goto done;
		if (zrc == Z_STREAM_END) { /* a member ends; another may follow */
			in_member = 0;
			inflateReset(&z);
		} else if (zrc == Z_OK) {
			in_member = 1;
		} else if (zrc == Z_BUF_ERROR && eof) {
			fprintf(stderr, "%s: truncated gzip member\n", path);
			goto done;
		} else if (zrc != Z_BUF_ERROR) {
			fprintf(stderr, "%s: inflate: %s\n", path, z.msg ? z.msg : "error");
			goto done;
		}
	}
	rc = 0;
done:
	inflateEnd(&z);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t records = 0, caplen_bytes = 0, fed = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: floor-zlib FILE.pcap.gz...\n");
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

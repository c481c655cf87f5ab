/* bench/floor-plain.c - the plain pcap floor (issue 11).
 *
 * usage: floor-plain FILE.pcap...
 *
 * Reads each file with read(2) in 1 MiB blocks into one buffer and walks
 * every record header (floor.h), then prints the records and bytes seen.
 * That is all a reader of an uncompressed pcap cannot avoid: the copy out
 * of the page cache and one look at each header. bench/run.sh divides the
 * time of `backscatter collect` on the same files by this one.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "floor.h"

static unsigned char buf[FLOOR_BLOCK];

int main(int argc, char **argv)
{
	uint64_t records = 0, caplen_bytes = 0, fed = 0;
	if (argc < 2) {
		fprintf(stderr, "usage: floor-plain FILE.pcap...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			perror(argv[i]);
			return 1;
		}
		struct walk w;
		walk_init(&w, argv[i]);
		for (;;) {
			ssize_t n = read(fd, buf, sizeof buf);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				perror(argv[i]);
				return 1;
			}
			if (n == 0)
				break;
			fed += (uint64_t)n;
			if (walk_feed(&w, buf, (size_t)n) < 0)
				return 1;
		}
		close(fd);
		if (walk_end(&w) < 0)
			return 1;
		records += w.records;
		caplen_bytes += w.caplen_bytes;
	}
	walk_print(records, caplen_bytes, fed);
	return 0;
}

/* bench/floor.h - the record walk shared by the floor programs (issue 11).
 *
 * The floors measure the least work any pcap reader has to do: get the
 * bytes (read(2), zlib or ISA-L) and visit every record header to find the
 * next one. The walk is fed the bytes in blocks of any size, as they come
 * out of read(2) or an inflater, so a global or record header and a
 * record's data may straddle two blocks. It reads classic pcap in both
 * byte orders, microsecond and nanosecond magic, and counts records and
 * captured bytes: the floor programs print the counts, so the compiler
 * cannot drop the walk, and bench/run.sh checks them against the trace.
 * Nothing here allocates or copies a record; a header that straddles two
 * blocks is gathered in 24 bytes of the walk's own.
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef FLOOR_BLOCK
#define FLOOR_BLOCK (1u << 20) /* read and inflate blocks: 1 MiB */
#endif
#define FLOOR_MAX_CAPLEN (256u << 10) /* a larger record is corrupt */

struct walk {
	const char *path;
	int started; /* global header seen */
	int swap;    /* file written in the other byte order */
	size_t have; /* bytes of a straddling header in hdr */
	unsigned char hdr[24];
	uint64_t skip; /* data bytes of the current record still to come */
	uint64_t records, caplen_bytes;
};

static inline void walk_init(struct walk *w, const char *path)
{
	memset(w, 0, sizeof *w);
	w->path = path;
}

static inline uint32_t walk_u32(const struct walk *w, const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return w->swap ? __builtin_bswap32(v) : v;
}

/* Walks the next n bytes of the file; returns 0, or -1 (message printed)
 * if they are not classic pcap. */
static inline int walk_feed(struct walk *w, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;
	while (p < end) {
		if (w->skip) { /* the rest of a record's data */
			size_t left = (size_t)(end - p);
			size_t s = w->skip < left ? (size_t)w->skip : left;
			p += s;
			w->skip -= s;
			continue;
		}
		size_t need = w->started ? 16 : 24;
		const unsigned char *h;
		if (w->have == 0 && (size_t)(end - p) >= need) { /* the usual case */
			h = p;
			p += need;
		} else { /* a header across two blocks */
			size_t take = need - w->have;
			if (take > (size_t)(end - p))
				take = (size_t)(end - p);
			memcpy(w->hdr + w->have, p, take);
			w->have += take;
			p += take;
			if (w->have < need)
				return 0;
			w->have = 0;
			h = w->hdr;
		}
		if (!w->started) {
			uint32_t magic;
			memcpy(&magic, h, 4);
			if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
				w->swap = 0;
			else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
				w->swap = 1;
			else {
				fprintf(stderr, "%s: not a classic pcap file\n", w->path);
				return -1;
			}
			w->started = 1;
			continue;
		}
		uint32_t caplen = walk_u32(w, h + 8);
		if (caplen > FLOOR_MAX_CAPLEN) {
			fprintf(stderr, "%s: record %llu: caplen %u\n", w->path,
			        (unsigned long long)w->records + 1, caplen);
			return -1;
		}
		w->records++;
		w->caplen_bytes += caplen;
		w->skip = caplen;
	}
	return 0;
}

/* At the end of the file: returns 0, or -1 if it ends inside a header or
 * a record. */
static inline int walk_end(const struct walk *w)
{
	if (!w->started || w->have || w->skip) {
		fprintf(stderr, "%s: truncated after %llu records\n", w->path,
		        (unsigned long long)w->records);
		return -1;
	}
	return 0;
}

/* What every floor program prints: records, captured bytes and the bytes
 * the walk was fed (the file, decompressed), summed over its files. */
static inline void walk_print(uint64_t records, uint64_t caplen_bytes, uint64_t fed)
{
	printf("records %llu caplen_bytes %llu bytes %llu\n", (unsigned long long)records,
	       (unsigned long long)caplen_bytes, (unsigned long long)fed);
}

#endif

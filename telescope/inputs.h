/* inputs.h - the traces one run is given, what each is, and the order they
 * are read in.
 *
 * Several inputs are consecutive pieces of one capture (hourly files), so
 * they are read in the order of their first genuine packet (outlier.h),
 * whatever order they were named in: an ordering pass opens each and reads
 * its first OUTLIER_PROBE_PACKETS. The same data named twice (the same
 * path, a hard link, a byte-identical copy, "-" twice) would count every
 * packet twice, so a later one is a duplicate and is never read. Standard
 * input, a FIFO or a device can be read only once: the ordering pass keeps
 * its reader for the read, and, its first time unknown, it sorts first.
 *
 * What went wrong with an input is recorded on it, never printed: the
 * caller (the collector) turns it into a warning. */
#ifndef TELESCOPE_INPUTS_H
#define TELESCOPE_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/bs_error.h"
#include "telescope/reader.h"

/* Bytes hashed at the head of each input file to recognise a copy of an
 * input given again: a pcap header and the first dozens of packets. */
#define INPUTS_HEAD_BYTES 65536u

/** One input. The fields above the line are the caller's to read; the
 * reader of the file (the collector) records in packets, first_us and
 * last_us what it accepted. */
struct input {
	char *uri;
	int64_t size_bytes; /* -1 when not a regular file */
	bool stream;        /* standard input, a FIFO or a device: can be opened once */
	bool duplicate;     /* the same data as an earlier input: skipped, no loss */
	bool skipped;       /* never read: a duplicate, or the ordering pass could not open it */
	char *error;        /* NULL, or what went wrong with it ("FILE: " left out) */
	uint64_t packets;   /* accepted packets */
	/* The ordering pass sets first_us to the time of the first genuine
	 * packet (0 for a stream); the read then sets first_us and last_us to
	 * the range of the accepted packets. */
	uint64_t first_us, last_us;
	/* ---- private to inputs.c ---- */
	dev_t dev;
	ino_t ino;
	bool has_inode;
	uint64_t head_hash; /* XXH3 of the first INPUTS_HEAD_BYTES, regular files */
	reader_t *held;     /* a stream's reader, opened by the ordering pass */
};

typedef struct inputs inputs_t;

/** An empty list; NULL on allocation failure. */
inputs_t *inputs_create(void);
/** Frees the list, its inputs and any reader still held. Safe on NULL. */
void inputs_free(inputs_t *l);

/** Adds uri (path, libtrace URI or "-"; copied) at the end: stats it and,
 * for a regular file, hashes its head; an input holding the same data as
 * an earlier one is marked a duplicate and skipped. 0 or -BS_ENOMEM. */
int inputs_add(inputs_t *l, const char *uri);

/** Number of inputs, and input i (0 <= i < inputs_count()). Pointers stay
 * valid until the list is freed; inputs_sort() moves what they point at. */
size_t inputs_count(const inputs_t *l);
struct input *inputs_at(const inputs_t *l, size_t i);

/** The ordering pass: opens every input not skipped, with the BPF filter
 * bpf (NULL for none; checked by reader_check_filter()), and sets its
 * first_us, or keeps the reader of a stream. An input that cannot be
 * opened is skipped with its error set. 0, or -BS_ENOMEM (then the pass
 * stopped part way). */
int inputs_probe(inputs_t *l, const char *bpf);

/** Sorts the inputs by first_us, then by uri: the order to read them in,
 * after inputs_probe(). */
void inputs_sort(inputs_t *l);

/** The reader inputs_probe() kept for a stream, now the caller's to read
 * and free; NULL for any other input (open it anew). */
reader_t *inputs_take_reader(struct input *in);

/** Records what went wrong with in (why is copied; "FILE: " left out).
 * 0 or -BS_ENOMEM. */
int inputs_fail(struct input *in, const char *why);

/** Sum of the sizes of the regular files inputs_probe() opened: the bytes
 * a run will read, for its progress. */
int64_t inputs_bytes_total(const inputs_t *l);

#endif

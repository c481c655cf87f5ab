/* bytesource.h - the bytes of one trace file, decompressed, in large
 * blocks, for the record walker (telescope/pcapwalk.h); the prefix-to-AS
 * tables are read through it too (telescope/pfx2as.c).
 *
 * Why not wandio: wandio hands out bytes through a copy per read call
 * into the caller's buffer, and libtrace then reads each record with two
 * calls (header, body) into a packet buffer of its own: two copies and
 * about a thousand instructions a packet before the classifier sees it.
 * Here a file is read in 1 MiB blocks straight into aligned buffers and
 * the walker hands out pointers into them; nothing is copied but the
 * rare record that straddles two blocks.
 *
 * - Plain files: read(2) into the blocks of a small ring.
 * - gzip (first bytes 1f 8b): inflated with ISA-L's isal_inflate()
 *   (libisal-dev) when configure found it, else zlib; concatenated
 *   members are read one after the other (as gzip -d and wandio do).
 * - zstd (first bytes 28 b5 2f fd): libzstd, every frame; Debian's wandio
 *   cannot read zstd at all.
 * Other compressions (bzip2, xz, lzo) are refused with -BS_EFORMAT:
 * telescope/reader.c reads them through wandio as before.
 *
 * A file source decodes in a thread of its own, a few blocks ahead of the
 * walker (a ring of BYTESOURCE_SLOTS blocks), so decompression and packet
 * work run on two CPUs. The first block is made in the caller's thread
 * and is small (BYTESOURCE_FIRST_BLOCK): the ordering pass
 * (telescope/inputs.c) reads three packets of every file and must not
 * decompress megabytes of each. A memory source (tests, fuzzing) decodes
 * in the caller's thread, in blocks as small as asked.
 *
 * Errors go through struct bs_err, never printed: a file cut short or
 * corrupt hands out every good byte first, then its error. */
#ifndef TELESCOPE_BYTESOURCE_H
#define TELESCOPE_BYTESOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/bs_error.h"

/** Bytes in one block of a file source (and its alignment: a page). */
#define BYTESOURCE_BLOCK       (1u << 20)
#define BYTESOURCE_ALIGN       4096u
#define BYTESOURCE_FIRST_BLOCK (64u << 10)
/** Blocks decoded ahead of the walker (one of them is the walker's). */
#define BYTESOURCE_SLOTS 4u

enum bytesource_kind {
	BYTESOURCE_PLAIN,
	BYTESOURCE_GZIP,
	BYTESOURCE_ZSTD,
};

typedef struct bytesource bytesource_t;

/** The gzip decoder this build uses: "ISA-L" or "zlib". */
const char *bytesource_gzip_decoder(void);

/** Opens path for reading: a file, or a pipe (a FIFO, <(zcat x)), whose
 * first bytes are read to sniff them and handed out again. 0 with *out
 * set; -BS_EIO when it cannot be opened or read (errno-style reason,
 * err->sys_errno set), -BS_EFORMAT for a compression this module
 * does not decode (bzip2, xz, lzo: the reason names it), -BS_ENOMEM. err
 * may be NULL; messages leave the path out. Nothing is decoded yet. */
int bytesource_open(const char *path, bytesource_t **out, struct bs_err *err);

/** The same over len bytes at data (borrowed: they must outlive the
 * source), handed out in blocks of at most block bytes (>= 1), decoded in
 * the caller's thread. */
int bytesource_open_mem(const void *data, size_t len, size_t block, bytesource_t **out,
                        struct bs_err *err);

/** What the first bytes said. */
enum bytesource_kind bytesource_kind(const bytesource_t *s);

/** The next block: 1 with *data and *len (> 0) set, valid until the next
 * call or bytesource_free(); 0 at the end of the data; -BS_EIO when the
 * file cannot be read or its compressed data is cut short or corrupt
 * (the reason in err, which may be NULL), or -BS_ENOMEM. After 0 or an
 * error every later call returns the same. */
int bytesource_next(bytesource_t *s, const uint8_t **data, size_t *len, struct bs_err *err);

/** Stops the decoding thread and frees everything. Safe on NULL. */
void bytesource_free(bytesource_t *s);

#endif

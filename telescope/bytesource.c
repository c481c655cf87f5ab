/* bytesource.c - a trace file's bytes in large blocks, decompressed in a
 * thread of their own (see bytesource.h). */
#include "telescope/bytesource.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef BS_GZIP_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif
#include <zstd.h>

/* Compressed bytes read from the file per read(2), after IN_HEADROOM
 * bytes that keep the end of the chunk before: at the end of a gzip member
 * isal_inflate() gives back the input bytes it had read ahead (up to 8,
 * its bit buffer), which may lie in the previous chunk. */
#define IN_CHUNK    (256u << 10)
#define IN_HEADROOM 8u
/* Calls in a row that neither take input nor make output before the
 * decoder is called stuck (a guard: none is known to). */
#define MAX_IDLE_CALLS 4

/* First bytes of the compressions we decode, and of those wandio decodes
 * for us (bzip2 "BZh", xz, lzop). */
static const uint8_t GZIP_MAGIC[] = {0x1f, 0x8b};
static const uint8_t ZSTD_MAGIC[] = {0x28, 0xb5, 0x2f, 0xfd};
static const uint8_t BZIP2_MAGIC[] = {'B', 'Z', 'h'};
static const uint8_t XZ_MAGIC[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const uint8_t LZO_MAGIC[] = {0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a};
#define SNIFF_LEN 8u

struct bytesource {
	enum bytesource_kind kind;
	/* Where the (compressed) bytes come from: a descriptor, or memory. */
	int fd;
	const uint8_t *mem;
	size_t mem_len, mem_pos;
	/* The first bytes of a pipe, read to sniff them (a pipe cannot be
	 * read again at offset 0): handed out before the rest. */
	uint8_t sniffed[SNIFF_LEN];
	size_t sniffed_len, sniffed_pos;
	size_t block; /* bytes per block */
	/* Compressed input not yet decoded. */
	uint8_t *inbuf;
	const uint8_t *in_ptr;
	size_t in_avail;
	bool in_eof;
	bool pending;     /* the decoder made output: it may hold more */
	bool member_open; /* inside a gzip member or zstd frame */
#ifdef BS_GZIP_ISAL
	struct inflate_state *isal;
#else
	z_stream z;
	bool z_ready;
#endif
	ZSTD_DStream *zstd;
	/* The ring: slots [tail, tail + count) hold blocks made and not yet
	 * released, the first of them handed to the walker when held. */
	uint8_t *slot[BYTESOURCE_SLOTS];
	size_t slot_len[BYTESOURCE_SLOTS];
	unsigned head, tail, count;
	bool held;
	bool done;           /* the producer made its last block */
	int done_rc;         /* 0 or the error that ended it */
	struct bs_err error; /* of done_rc */
	/* The decoding thread of a file source. */
	bool threaded, started, stop;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t made, freed;
};

const char *bytesource_gzip_decoder(void)
{
#ifdef BS_GZIP_ISAL
	return "ISA-L";
#else
	return "zlib";
#endif
}

static bool starts_with(const uint8_t *h, size_t n, const uint8_t *magic, size_t len)
{
	return n >= len && memcmp(h, magic, len) == 0;
}

/* The kind of data from its first n bytes; -BS_EFORMAT with the reason
 * for a compression read elsewhere. */
static int sniff(const uint8_t *h, size_t n, enum bytesource_kind *kind, struct bs_err *err)
{
	if (starts_with(h, n, GZIP_MAGIC, sizeof GZIP_MAGIC))
		*kind = BYTESOURCE_GZIP;
	else if (starts_with(h, n, ZSTD_MAGIC, sizeof ZSTD_MAGIC))
		*kind = BYTESOURCE_ZSTD;
	else if (starts_with(h, n, BZIP2_MAGIC, sizeof BZIP2_MAGIC))
		return bs_err_set(err, -BS_EFORMAT, "bzip2-compressed");
	else if (starts_with(h, n, XZ_MAGIC, sizeof XZ_MAGIC))
		return bs_err_set(err, -BS_EFORMAT, "xz-compressed");
	else if (starts_with(h, n, LZO_MAGIC, sizeof LZO_MAGIC))
		return bs_err_set(err, -BS_EFORMAT, "lzo-compressed");
	else
		*kind = BYTESOURCE_PLAIN;
	return 0;
}

static int out_of_memory(struct bs_err *err)
{
	return bs_err_set(err, -BS_ENOMEM, "%s", bs_strerror(-BS_ENOMEM));
}

/* The decoder of s->kind, ready for its first member or frame. */
static int start_decoder(bytesource_t *s, struct bs_err *err)
{
	if (s->kind == BYTESOURCE_GZIP) {
#ifdef BS_GZIP_ISAL
		s->isal = malloc(sizeof *s->isal);
		if (s->isal == NULL)
			return out_of_memory(err);
		isal_inflate_init(s->isal);
#else
		memset(&s->z, 0, sizeof s->z);
		/* 15 + 16: a gzip wrapper, the largest window. */
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)
			return out_of_memory(err);
		s->z_ready = true;
#endif
	} else if (s->kind == BYTESOURCE_ZSTD) {
		s->zstd = ZSTD_createDStream();
		if (s->zstd == NULL)
			return out_of_memory(err);
		ZSTD_initDStream(s->zstd);
	}
	if (s->kind != BYTESOURCE_PLAIN && s->fd >= 0) {
		s->inbuf = calloc(1, IN_HEADROOM + IN_CHUNK);
		if (s->inbuf == NULL)
			return out_of_memory(err);
	}
	return 0;
}

static bytesource_t *source_new(void)
{
	bytesource_t *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->made, NULL);
	pthread_cond_init(&s->freed, NULL);
	return s;
}

/* The first bytes of a pipe (a FIFO, <(zcat x)), which cannot be read at
 * an offset: read into s->sniffed, which the first reads hand out again.
 * Bytes read (SNIFF_LEN, fewer at the end of the data), or -1 (errno). */
static ssize_t sniff_pipe(bytesource_t *s)
{
	while (s->sniffed_len < sizeof s->sniffed) {
		ssize_t got =
		    read(s->fd, s->sniffed + s->sniffed_len, sizeof s->sniffed - s->sniffed_len);
		if (got == 0)
			break;
		if (got < 0 && errno != EINTR)
			return -1;
		s->sniffed_len += got > 0 ? (size_t)got : 0;
	}
	return (ssize_t)s->sniffed_len;
}

int bytesource_open(const char *path, bytesource_t **out, struct bs_err *err)
{
	*out = NULL;
	bs_err_clear(err);
	bytesource_t *s = source_new();
	if (s == NULL)
		return out_of_memory(err);
	s->block = BYTESOURCE_BLOCK;
	s->threaded = true;
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		int errnum = errno;
		bytesource_free(s);
		bs_err_set(err, -BS_EIO, "%s", strerror(errnum));
		if (err != NULL)
			err->sys_errno = errnum;
		return -BS_EIO;
	}
	uint8_t h[SNIFF_LEN];
	ssize_t got;
	do
		got = pread(s->fd, h, sizeof h, 0);
	while (got < 0 && errno == EINTR);
	if (got < 0 && errno == ESPIPE && (got = sniff_pipe(s)) >= 0)
		memcpy(h, s->sniffed, (size_t)got);
	if (got < 0) {
		int errnum = errno;
		bytesource_free(s);
		return bs_err_io(err, errnum, "cannot read");
	}
	int rc = sniff(h, (size_t)got, &s->kind, err);
	if (rc == 0)
		rc = start_decoder(s, err);
	if (rc != 0) {
		bytesource_free(s);
		return rc;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	*out = s;
	return 0;
}

int bytesource_open_mem(const void *data, size_t len, size_t block, bytesource_t **out,
                        struct bs_err *err)
{
	*out = NULL;
	bs_err_clear(err);
	bytesource_t *s = source_new();
	if (s == NULL)
		return out_of_memory(err);
	s->mem = data;
	s->mem_len = len;
	s->block = block == 0 ? 1 : block > BYTESOURCE_BLOCK ? BYTESOURCE_BLOCK : block;
	int rc = sniff(data, len < SNIFF_LEN ? len : SNIFF_LEN, &s->kind, err);
	if (rc == 0)
		rc = start_decoder(s, err);
	if (rc != 0) {
		bytesource_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

enum bytesource_kind bytesource_kind(const bytesource_t *s)
{
	return s->kind;
}

/* read(2) of up to n bytes into buf, EINTR retried: bytes read, 0 at the
 * end, -BS_EIO (err filled). */
static ssize_t read_some(bytesource_t *s, uint8_t *buf, size_t n, struct bs_err *err)
{
	if (s->sniffed_pos < s->sniffed_len) {
		size_t left = s->sniffed_len - s->sniffed_pos;
		size_t k = left < n ? left : n;
		memcpy(buf, s->sniffed + s->sniffed_pos, k);
		s->sniffed_pos += k;
		return (ssize_t)k;
	}
	for (;;) {
		ssize_t got = read(s->fd, buf, n);
		if (got >= 0)
			return got;
		if (errno != EINTR)
			return bs_err_io(err, errno, "read error");
	}
}

/* More compressed input. 0 (in_eof set at the end) or -BS_EIO. */
static int refill(bytesource_t *s, struct bs_err *err)
{
	if (s->fd < 0) {
		s->in_ptr = s->mem + s->mem_pos;
		s->in_avail = s->mem_len - s->mem_pos;
		s->mem_pos = s->mem_len;
		s->in_eof = s->in_avail == 0;
		return 0;
	}
	/* All input is taken (in_avail is 0): its last bytes end at in_ptr. */
	if (s->in_ptr != NULL)
		memmove(s->inbuf, s->in_ptr - IN_HEADROOM, IN_HEADROOM);
	ssize_t got = read_some(s, s->inbuf + IN_HEADROOM, IN_CHUNK, err);
	if (got < 0)
		return (int)got;
	s->in_ptr = s->inbuf + IN_HEADROOM;
	s->in_avail = (size_t)got;
	s->in_eof = got == 0;
	return 0;
}

/* One call of the decoder on the pending input into out[0..room): moves
 * in_ptr and in_avail past what it took and sets *made; 0, or -BS_EIO /
 * -BS_ENOMEM with the reason. */
static int decode(bytesource_t *s, uint8_t *out, size_t room, size_t *made, struct bs_err *err)
{
	if (s->kind == BYTESOURCE_ZSTD) {
		ZSTD_inBuffer in = {s->in_ptr, s->in_avail, 0};
		ZSTD_outBuffer o = {out, room, 0};
		size_t r = ZSTD_decompressStream(s->zstd, &o, &in);
		s->in_ptr += in.pos;
		s->in_avail -= in.pos;
		*made = o.pos;
		if (ZSTD_isError(r))
			return bs_err_set(err, -BS_EIO, "zstd data corrupt: %s",
			                  ZSTD_getErrorName(r));
		/* 0: a frame ended and all its bytes are out. A call that
		 * did nothing (no input) says nothing: between frames it
		 * asks for the next frame's header. */
		if (in.pos > 0 || o.pos > 0)
			s->member_open = r != 0;
		return 0;
	}
	/* gzip: a new member starts on the next byte once the last ended. */
	size_t in_n = s->in_avail > UINT32_MAX ? UINT32_MAX : s->in_avail;
	size_t out_n = room > UINT32_MAX ? UINT32_MAX : room;
#ifdef BS_GZIP_ISAL
	struct inflate_state *st = s->isal;
	if (!s->member_open && s->in_avail > 0) {
		isal_inflate_reset(st);
		st->crc_flag = ISAL_GZIP;
		s->member_open = true;
	}
	st->next_in = (uint8_t *)(uintptr_t)s->in_ptr;
	st->avail_in = (uint32_t)in_n;
	st->next_out = out;
	st->avail_out = (uint32_t)out_n;
	int ret = isal_inflate(st);
	/* next_in may move back before in_ptr (see IN_HEADROOM). */
	s->in_ptr = st->next_in;
	s->in_avail = s->in_avail - in_n + st->avail_in;
	*made = out_n - st->avail_out;
	switch (ret) {
	case ISAL_DECOMP_OK:
	case ISAL_END_INPUT:
		break;
	case ISAL_INCORRECT_CHECKSUM:
		return bs_err_set(err, -BS_EIO, "gzip data corrupt: checksum mismatch");
	case ISAL_INVALID_WRAPPER:
	case ISAL_UNSUPPORTED_METHOD:
		*made = 0;
		return bs_err_set(err, -BS_EIO, "gzip data corrupt: bad gzip header");
	default:
		/* isal_inflate() counts output it has not written when it
		 * stops on an invalid block (valgrind sees uninitialised
		 * bytes): nothing of this call is handed out. */
		*made = 0;
		return bs_err_set(err, -BS_EIO, "gzip data corrupt: invalid deflate data");
	}
	if (st->block_state == ISAL_BLOCK_FINISH)
		s->member_open = false;
	return 0;
#else
	if (!s->member_open && s->in_avail > 0) {
		if (inflateReset(&s->z) != Z_OK)
			return bs_err_set(err, -BS_EIO, "gzip decoder failed");
		s->member_open = true;
	}
	s->z.next_in = (Bytef *)(uintptr_t)s->in_ptr;
	s->z.avail_in = (uInt)in_n;
	s->z.next_out = out;
	s->z.avail_out = (uInt)out_n;
	int ret = inflate(&s->z, Z_NO_FLUSH);
	s->in_ptr = s->z.next_in;
	s->in_avail = s->in_avail - in_n + s->z.avail_in;
	*made = out_n - s->z.avail_out;
	switch (ret) {
	case Z_OK:
	case Z_BUF_ERROR: /* no progress possible now: more input needed */
		return 0;
	case Z_STREAM_END:
		s->member_open = false;
		return 0;
	case Z_MEM_ERROR:
		return out_of_memory(err);
	default:
		return bs_err_set(err, -BS_EIO, "gzip data corrupt: %s",
		                  s->z.msg != NULL ? s->z.msg : "invalid data");
	}
#endif
}

/* Decompresses into out[0..cap): *got bytes made (handed out even when an
 * error follows them). 1 while more may come, 0 at the end, or an error. */
static int fill_compressed(bytesource_t *s, uint8_t *out, size_t cap, size_t *got,
                           struct bs_err *err)
{
	size_t n = 0;
	int idle = 0, rc = 1;
	while (n < cap) {
		if (s->in_avail == 0 && !s->pending) {
			if (!s->in_eof) {
				if ((rc = refill(s, err)) != 0)
					break;
				rc = 1;
				continue;
			}
			/* The end of the file: fine between members only. */
			if (s->member_open)
				rc = bs_err_set(err, -BS_EIO, "%s data cut short",
				                s->kind == BYTESOURCE_ZSTD ? "zstd" : "gzip");
			else
				rc = 0;
			break;
		}
		size_t made = 0, avail_before = s->in_avail;
		rc = decode(s, out + n, cap - n, &made, err);
		/* What was made before an error (a checksum checked last) is
		 * handed out first. */
		n += made;
		if (rc != 0)
			break;
		rc = 1;
		/* Output made: it may hold more without new input (zstd
		 * flushes a block in steps into a small buffer). */
		s->pending = made > 0;
		if (s->in_avail == avail_before && made == 0) {
			if (s->in_avail > 0 && ++idle >= MAX_IDLE_CALLS) {
				rc = bs_err_set(err, -BS_EIO, "%s decoder made no progress",
				                s->kind == BYTESOURCE_ZSTD ? "zstd" : "gzip");
				break;
			}
		} else {
			idle = 0;
		}
	}
	*got = n;
	return rc;
}

/* Fills out[0..cap) from the file: as fill_compressed(). */
static int fill(bytesource_t *s, uint8_t *out, size_t cap, size_t *got, struct bs_err *err)
{
	if (s->kind != BYTESOURCE_PLAIN)
		return fill_compressed(s, out, cap, got, err);
	size_t n = 0;
	int rc = 1;
	while (n < cap) {
		ssize_t r = read_some(s, out + n, cap - n, err);
		if (r <= 0) {
			rc = (int)r;
			break;
		}
		n += (size_t)r;
	}
	*got = n;
	return rc;
}

/* The buffer of slot i, allocated when first used. */
static uint8_t *slot_buffer(bytesource_t *s, unsigned i)
{
	if (s->slot[i] == NULL) {
		size_t size =
		    (s->block + BYTESOURCE_ALIGN - 1) / BYTESOURCE_ALIGN * BYTESOURCE_ALIGN;
		s->slot[i] = aligned_alloc(BYTESOURCE_ALIGN, size);
	}
	return s->slot[i];
}

/* Makes one block into the head slot, at most cap bytes. Called with the
 * lock held by the consumer (unthreaded, or before the thread starts), or
 * without it by the thread, which owns the head slot while it fills it. */
static void produce(bytesource_t *s, size_t cap, bool locked)
{
	unsigned i = s->head;
	struct bs_err err;
	bs_err_clear(&err);
	size_t got = 0;
	int rc;
	uint8_t *buf = slot_buffer(s, i);
	if (buf == NULL)
		rc = out_of_memory(&err);
	else
		rc = fill(s, buf, cap, &got, &err);
	if (!locked)
		pthread_mutex_lock(&s->lock);
	if (got > 0) {
		s->slot_len[i] = got;
		s->head = (i + 1) % BYTESOURCE_SLOTS;
		s->count++;
	}
	if (rc <= 0) {
		s->done = true;
		s->done_rc = rc;
		s->error = err;
	}
	pthread_cond_signal(&s->made);
	if (!locked)
		pthread_mutex_unlock(&s->lock);
}

static void *producer(void *arg)
{
	bytesource_t *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (!s->stop && !s->done && s->count == BYTESOURCE_SLOTS)
			pthread_cond_wait(&s->freed, &s->lock);
		bool quit = s->stop || s->done;
		pthread_mutex_unlock(&s->lock);
		if (quit)
			return NULL;
		produce(s, s->block, false);
	}
}

/* A memory source: plain data is handed out where it lies. */
static int next_mem_plain(bytesource_t *s, const uint8_t **data, size_t *len)
{
	size_t left = s->mem_len - s->mem_pos;
	if (left == 0)
		return 0;
	*len = left < s->block ? left : s->block;
	*data = s->mem + s->mem_pos;
	s->mem_pos += *len;
	return 1;
}

int bytesource_next(bytesource_t *s, const uint8_t **data, size_t *len, struct bs_err *err)
{
	if (s->fd < 0 && s->kind == BYTESOURCE_PLAIN)
		return next_mem_plain(s, data, len);
	pthread_mutex_lock(&s->lock);
	if (s->held) {
		s->held = false;
		s->tail = (s->tail + 1) % BYTESOURCE_SLOTS;
		s->count--;
		pthread_cond_signal(&s->freed);
	}
	if (s->count == 0 && !s->done) {
		if (!s->threaded) {
			produce(s, s->block, true);
		} else if (!s->started) {
			/* The first block here and small; then the thread. */
			produce(s, BYTESOURCE_FIRST_BLOCK, true);
			if (!s->done) {
				if (pthread_create(&s->thread, NULL, producer, s) == 0) {
					s->started = true;
				} else {
					s->done = true;
					s->done_rc = bs_err_set(&s->error, -BS_ENOMEM,
					                        "cannot start a decoding thread");
				}
			}
		}
		while (s->count == 0 && !s->done)
			pthread_cond_wait(&s->made, &s->lock);
	}
	int rc;
	if (s->count > 0) {
		s->held = true;
		*data = s->slot[s->tail];
		*len = s->slot_len[s->tail];
		rc = 1;
	} else {
		rc = s->done_rc;
		if (rc != 0 && err != NULL)
			*err = s->error;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void bytesource_free(bytesource_t *s)
{
	if (s == NULL)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_cond_broadcast(&s->freed);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	for (unsigned i = 0; i < BYTESOURCE_SLOTS; i++)
		free(s->slot[i]);
#ifdef BS_GZIP_ISAL
	free(s->isal);
#else
	if (s->z_ready)
		inflateEnd(&s->z);
#endif
	ZSTD_freeDStream(s->zstd);
	free(s->inbuf);
	if (s->fd >= 0)
		close(s->fd);
	pthread_cond_destroy(&s->made);
	pthread_cond_destroy(&s->freed);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

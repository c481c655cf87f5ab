/* flowstate.c - writing and reading flows.state (format in flowstate.h).
 *
 * The writer holds the records' bytes (a run's edge flows: kilobytes to
 * tens of megabytes) and their index, so the length is known before the
 * first byte is written and the checksum is computed as the file is. A
 * file is read whole, so that nothing is decoded before the length and
 * checksum say the bytes are the ones written. */
#include "outdir/flowstate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/bs_array.h"
#include "outdir/outfile.h"
#include "telescope/pfx2as.h"

/* "BSFLOWS" and its NUL. */
static const uint8_t flowstate_magic[8] = {'B', 'S', 'F', 'L', 'O', 'W', 'S', '\0'};
/* Offsets of the fixed header (flowstate.h). */
#define FLOWSTATE_VERSION_AT 8u
#define FLOWSTATE_FIELDS_AT  20u
#define FLOWSTATE_HEADER_LEN 72u
/* Version 2's head of the prefix view's part: u8, u8, u32, u64. */
#define FLOWSTATE_PREFIX_VIEW_LEN 14u
#define FLOWSTATE_SUM_LEN         8u /* the XXH3_64bits checksum at the end */
/* A record's length prefix: less than the least room a record takes in
 * the file, so it bounds the count a header may claim. */
#define FLOWSTATE_RECORD_LEN_BYTES 4u
/* Longest prefix text: an IPv6 address (BS_ADDR_STRLEN counts its NUL),
 * '/' and three digits. */
#define FLOWSTATE_PREFIX_STRLEN (BS_ADDR_STRLEN + 4)
/* Bytes read from a file at a time (on the stack). */
#define FLOWSTATE_READ_CHUNK 16384u

uint64_t flowstate_telescope_hash(const bs_prefixes_t *telescope)
{
	uint64_t h = 0;

	for (size_t i = 0; i < bs_prefixes_count(telescope); i++) {
		char text[FLOWSTATE_PREFIX_STRLEN];
		bs_prefixes_text(telescope, i, text, sizeof text);
		h = XXH3_64bits_withSeed(text, strlen(text), h);
	}
	return h;
}

/* The rules of the header fields (flowstate.h), for the writer (code
 * -BS_EINVAL: the caller's mistake) and the reader (-BS_EFORMAT). */
static int check_header(const struct flowstate_header *h, int code, struct bs_err *err)
{
	const struct attack_prefix_view *pv = &h->prefix_view;
	if (h->params.flow_timeout_s == 0)
		return bs_err_set(err, code, "flow timeout of 0 s");
	if (h->has_prefix_view && (pv->len4 > 32 || pv->len6 > 128 || pv->min_victims == 0))
		return bs_err_set(err, code,
		                  "prefix view /%u,/%u with at least %" PRIu32
		                  " victims: a length too long or no victim",
		                  pv->len4, pv->len6, pv->min_victims);
	return 0;
}

/* Whether victim, a prefix-view flow's key, is a prefix of pv's lengths. */
static bool fits_view(const struct attack_prefix_view *pv, const bs_addr_t *victim)
{
	bs_addr_t masked = *victim;
	bs_addr_mask(&masked, masked.family == BS_AF_INET ? pv->len4 : pv->len6);
	return bs_addr_cmp(&masked, victim) == 0;
}

/* Where a record sits in the writer's bytes, with the fields it sorts by
 * and the one the header bounds. */
struct record_index {
	bool prefix; /* a prefix-view flow: in the file's second part */
	uint64_t start_us, touch_us;
	bs_addr_t victim;
	uint8_t proto;
	size_t seq; /* order added: keeps ties as given (qsort is not stable) */
	size_t at, len;
};

struct flowstate_writer {
	struct bs_buf bytes; /* the records, in the order added */
	struct record_index *index;
	size_t n, cap;
};

flowstate_writer_t *flowstate_writer_create(void)
{
	return calloc(1, sizeof(flowstate_writer_t));
}

void flowstate_writer_free(flowstate_writer_t *w)
{
	if (w == NULL)
		return;
	bs_buf_free(&w->bytes);
	free(w->index);
	free(w);
}

size_t flowstate_writer_count(const flowstate_writer_t *w)
{
	return w->n;
}

int flowstate_writer_add(flowstate_writer_t *w, const attack_flow_t *f, bool reported,
                         const struct geo_info *geo)
{
	static const struct geo_info none;
	if (geo == NULL)
		geo = &none;
	size_t country = strnlen(geo->country, sizeof geo->country);
	size_t org = strnlen(geo->as_org, sizeof geo->as_org);
	size_t origins = strnlen(geo->origins, sizeof geo->origins);
	bool prefix = attack_flow_is_prefix(f);
	if (country == sizeof geo->country || org == sizeof geo->as_org ||
	    origins == sizeof geo->origins)
		return -BS_EINVAL;
	/* A prefix has no geography (its record has no room for one). */
	if (prefix && (country != 0 || org != 0 || origins != 0 || geo->asn != 0))
		return -BS_EINVAL;
	if (bs_array_reserve(&w->index, &w->cap, w->n + 1, sizeof *w->index) != 0)
		return -BS_ENOMEM;
	struct record_index *ix = &w->index[w->n];
	ix->prefix = prefix;
	ix->start_us = attack_flow_start(f);
	ix->touch_us = attack_flow_touch(f);
	attack_flow_key(f, &ix->victim, &ix->proto);
	ix->seq = w->n;
	ix->at = w->bytes.len;
	int rc = attack_flow_encode(f, &w->bytes);
	if (rc < 0)
		return rc;
	bs_buf_put_u8(&w->bytes, reported ? 1 : 0);
	if (prefix) {
		if ((rc = bs_buf_status(&w->bytes)) < 0)
			return rc;
		ix->len = w->bytes.len - ix->at;
		w->n++;
		return 0;
	}
	bs_buf_put_u8(&w->bytes, (uint8_t)country);
	bs_buf_put_bytes(&w->bytes, geo->country, country);
	bs_buf_put_u32(&w->bytes, geo->asn);
	bs_buf_put_u16(&w->bytes, (uint16_t)org);
	bs_buf_put_bytes(&w->bytes, geo->as_org, org);
	bs_buf_put_u16(&w->bytes, (uint16_t)origins);
	bs_buf_put_bytes(&w->bytes, geo->origins, origins);
	if ((rc = bs_buf_status(&w->bytes)) < 0)
		return rc;
	ix->len = w->bytes.len - ix->at;
	w->n++;
	return 0;
}

/* The per-victim flows, then the prefix view's; each in adoption order
 * (attack_flow_cmp()), then the order added. */
static int by_flow_order(const void *a, const void *b)
{
	const struct record_index *x = *(const struct record_index *const *)a;
	const struct record_index *y = *(const struct record_index *const *)b;
	if (x->prefix != y->prefix)
		return x->prefix ? 1 : -1;
	if (x->start_us != y->start_us)
		return x->start_us < y->start_us ? -1 : 1;
	int c = bs_addr_cmp(&x->victim, &y->victim);
	if (c == 0)
		c = (x->proto > y->proto) - (x->proto < y->proto);
	if (c == 0)
		c = (x->seq > y->seq) - (x->seq < y->seq);
	return c;
}

/* Where the bytes of a file go as they are made, a buffer or a stream,
 * hashed on the way: a file as large as the run's edge flows is never
 * held twice. */
struct sink {
	struct bs_buf *buf; /* NULL: f */
	FILE *f;
	XXH3_state_t *sum;
	int write_errno; /* errno of the first failed write; 0 if none */
};

static void sink_raw(struct sink *s, const void *p, size_t n)
{
	if (s->buf != NULL)
		bs_buf_put_bytes(s->buf, p, n);
	else if (s->write_errno == 0 && fwrite(p, 1, n, s->f) != n)
		s->write_errno = errno ? errno : EIO;
}

static void sink_put(struct sink *s, const void *p, size_t n)
{
	XXH3_64bits_update(s->sum, p, n);
	sink_raw(s, p, n);
}

/* The records in file order (pointers into w's index: a run's edge
 * flows are hundreds of thousands when scanners abound, and a copy of
 * the index would be as large again), checked against h; NULL and err
 * set on a rule broken or no memory. *n_victim is the number of
 * per-victim records, which come first. */
static const struct record_index **sorted_records(const flowstate_writer_t *w,
                                                  const struct flowstate_header *h,
                                                  uint64_t *length, size_t *n_victim,
                                                  struct bs_err *err)
{
	if (check_header(h, -BS_EINVAL, err) < 0)
		return NULL;
	const struct record_index **sorted = malloc((w->n ? w->n : 1) * sizeof *sorted);
	if (sorted == NULL) {
		bs_err_set(err, -BS_ENOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < w->n; i++)
		sorted[i] = &w->index[i];
	qsort(sorted, w->n, sizeof *sorted, by_flow_order);
	*length = FLOWSTATE_HEADER_LEN + FLOWSTATE_SUM_LEN;
	if (h->has_prefix_view)
		*length += FLOWSTATE_PREFIX_VIEW_LEN;
	*n_victim = 0;
	for (size_t i = 0; i < w->n; i++) {
		*n_victim += !sorted[i]->prefix;
		const char *why =
		    sorted[i]->touch_us > h->last_us
		        ? "flow updated after the last packet time of the header"
		    : sorted[i]->len > UINT32_MAX ? "flow over 4 GiB"
		    : sorted[i]->prefix && !h->has_prefix_view
		        ? "a prefix-view flow, and no prefix view in the header"
		    : sorted[i]->prefix && !fits_view(&h->prefix_view, &sorted[i]->victim)
		        ? "a prefix-view flow keyed on another prefix length than the header's"
		        : NULL;
		if (why != NULL) {
			bs_err_set(err, -BS_EINVAL, "record %zu: %s", i + 1, why);
			free(sorted);
			return NULL;
		}
		*length += FLOWSTATE_RECORD_LEN_BYTES + sorted[i]->len;
	}
	return sorted;
}

/* Records [from, to) of sorted into s, each after its length. */
static void emit_records(struct sink *s, const flowstate_writer_t *w,
                         const struct record_index *const *sorted, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		uint8_t len[FLOWSTATE_RECORD_LEN_BYTES];
		for (unsigned k = 0; k < sizeof len; k++)
			len[k] = (uint8_t)(sorted[i]->len >> (8 * k));
		sink_put(s, len, sizeof len);
		sink_put(s, w->bytes.data + sorted[i]->at, sorted[i]->len);
	}
}

/* The whole file into s. 0, or -BS_EINVAL/-BS_ENOMEM with err set (a
 * write error is left in s). */
static int emit(const flowstate_writer_t *w, const struct flowstate_header *h, struct sink *s,
                struct bs_err *err)
{
	uint64_t length;
	size_t n_victim;
	const struct record_index **sorted = sorted_records(w, h, &length, &n_victim, err);
	if (sorted == NULL)
		return err != NULL && err->code != 0 ? err->code : -BS_ENOMEM;
	if ((s->sum = XXH3_createState()) == NULL || XXH3_64bits_reset(s->sum) != XXH_OK) {
		XXH3_freeState(s->sum);
		free(sorted);
		return bs_err_set(err, -BS_ENOMEM, "out of memory");
	}
	struct bs_buf head = {0};
	bs_buf_put_bytes(&head, flowstate_magic, sizeof flowstate_magic);
	/* Version 1 is the file without the prefix view, byte for byte. */
	bs_buf_put_u32(&head, h->has_prefix_view ? FLOWSTATE_VERSION : FLOWSTATE_VERSION_PLAIN);
	bs_buf_put_u64(&head, length);
	bs_buf_put_u32(&head, h->params.flow_timeout_s);
	bs_buf_put_u32(&head, h->params.min_packets);
	bs_buf_put_u32(&head, h->params.min_duration_s);
	bs_buf_put_u32(&head, h->params.min_ppm);
	bs_buf_put_u32(&head, h->params.min_dests);
	bs_buf_put_u64(&head, h->telescope_hash);
	bs_buf_put_u64(&head, h->first_us);
	bs_buf_put_u64(&head, h->last_us);
	bs_buf_put_u64(&head, n_victim);
	int rc = bs_buf_status(&head);
	if (rc == 0)
		sink_put(s, head.data, head.len);
	if (rc == 0)
		emit_records(s, w, sorted, 0, n_victim);
	if (rc == 0 && h->has_prefix_view) {
		/* The prefix view's part (version 2), the same header reused. */
		head.len = 0;
		bs_buf_put_u8(&head, h->prefix_view.len4);
		bs_buf_put_u8(&head, h->prefix_view.len6);
		bs_buf_put_u32(&head, h->prefix_view.min_victims);
		bs_buf_put_u64(&head, w->n - n_victim);
		if ((rc = bs_buf_status(&head)) == 0) {
			sink_put(s, head.data, head.len);
			emit_records(s, w, sorted, n_victim, w->n);
		}
	}
	uint64_t digest = XXH3_64bits_digest(s->sum);
	uint8_t sum[FLOWSTATE_SUM_LEN];
	for (unsigned k = 0; k < sizeof sum; k++)
		sum[k] = (uint8_t)(digest >> (8 * k));
	if (rc == 0)
		sink_raw(s, sum, sizeof sum);
	bs_buf_free(&head);
	XXH3_freeState(s->sum);
	free(sorted);
	if (rc == 0 && s->buf != NULL)
		rc = bs_buf_status(s->buf);
	return rc < 0 ? bs_err_set(err, rc, "out of memory") : 0;
}

int flowstate_writer_encode(const flowstate_writer_t *w, const struct flowstate_header *h,
                            struct bs_buf *out, struct bs_err *err)
{
	struct sink s = {.buf = out};
	return emit(w, h, &s, err);
}

int flowstate_encode(const struct flowstate_header *h, const struct flowstate_flow *flows, size_t n,
                     struct bs_buf *out, struct bs_err *err)
{
	flowstate_writer_t *w = flowstate_writer_create();
	int rc = w != NULL ? 0 : -BS_ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = flowstate_writer_add(w, flows[i].flow, flows[i].reported, &flows[i].geo);
	if (rc < 0)
		rc = bs_err_set(err, rc, "record %zu: %s", w != NULL ? w->n + 1 : 1,
		                bs_strerror(rc));
	else
		rc = flowstate_writer_encode(w, h, out, err);
	flowstate_writer_free(w);
	return rc;
}

int flowstate_writer_save(const flowstate_writer_t *w, const struct flowstate_header *h,
                          const char *dir, struct bs_err *err)
{
	outfile_t *o = NULL;
	int rc = outfile_open(dir, OUTDIR_FLOWSTATE, &o);
	if (rc < 0)
		return rc == -BS_EIO ? bs_err_io(err, errno, "%s/%s", dir, OUTDIR_FLOWSTATE)
		                     : bs_err_set(err, rc, "%s/%s: %s", dir, OUTDIR_FLOWSTATE,
		                                  bs_strerror(rc));
	struct sink s = {.f = outfile_stream(o)};
	if ((rc = emit(w, h, &s, err)) < 0) {
		outfile_abort(o);
		bs_err_prefix(err, "%s/%s", dir, OUTDIR_FLOWSTATE);
	} else if (s.write_errno != 0) {
		/* Its errno says why (EFBIG, ENOSPC); commit would only see the
		 * stream's error flag. */
		outfile_abort(o);
		rc = bs_err_io(err, s.write_errno, "%s/%s", dir, OUTDIR_FLOWSTATE);
	} else if ((rc = outfile_commit(o)) < 0) {
		bs_err_io(err, errno, "%s/%s", dir, OUTDIR_FLOWSTATE);
	}
	return rc;
}

/* The fixed header of p[0..len): magic, version, length and checksum
 * first, then the fields. 0 or -BS_EFORMAT. */
static int parse_header(const uint8_t *p, size_t len, struct flowstate_header *h, uint64_t *n,
                        struct bs_err *err)
{
	memset(h, 0, sizeof *h);
	struct bs_buf_reader r;

	/* Bytes that begin like the magic but end early are a cut file. */
	if (len > 0 &&
	    memcmp(p, flowstate_magic, len < sizeof flowstate_magic ? len : sizeof flowstate_magic))
		return bs_err_set(err, -BS_EFORMAT, "not a flow state file (no BSFLOWS magic)");
	if (len < FLOWSTATE_HEADER_LEN + FLOWSTATE_SUM_LEN)
		return bs_err_set(err, -BS_EFORMAT, "truncated: %zu bytes, shorter than the header",
		                  len);
	bs_buf_reader_init(&r, p + FLOWSTATE_VERSION_AT, len - FLOWSTATE_VERSION_AT);
	uint32_t version = bs_buf_get_u32(&r);
	if (version != FLOWSTATE_VERSION && version != FLOWSTATE_VERSION_PLAIN)
		return bs_err_set(err, -BS_EFORMAT,
		                  "format version %" PRIu32
		                  "; this program reads versions %u and %u",
		                  version, FLOWSTATE_VERSION_PLAIN, FLOWSTATE_VERSION);
	h->has_prefix_view = version == FLOWSTATE_VERSION;
	uint64_t total = bs_buf_get_u64(&r);
	if (total < FLOWSTATE_HEADER_LEN + FLOWSTATE_SUM_LEN)
		return bs_err_set(err, -BS_EFORMAT,
		                  "length field %" PRIu64 " shorter than the header", total);
	if (total > len)
		return bs_err_set(err, -BS_EFORMAT, "truncated: %zu bytes of %" PRIu64, len, total);
	size_t body = (size_t)total - FLOWSTATE_SUM_LEN;
	uint64_t sum = XXH3_64bits(p, body);
	bs_buf_reader_init(&r, p + body, FLOWSTATE_SUM_LEN);
	uint64_t stored = bs_buf_get_u64(&r);
	if (sum != stored)
		return bs_err_set(err, -BS_EFORMAT,
		                  "checksum mismatch (stored %016" PRIx64 ", computed %016" PRIx64
		                  ")",
		                  stored, sum);
	if (total < len)
		return bs_err_set(err, -BS_EFORMAT, "%zu bytes after the end of the file",
		                  len - (size_t)total);
	bs_buf_reader_init(&r, p + FLOWSTATE_FIELDS_AT, FLOWSTATE_HEADER_LEN - FLOWSTATE_FIELDS_AT);
	h->params.flow_timeout_s = bs_buf_get_u32(&r);
	h->params.min_packets = bs_buf_get_u32(&r);
	h->params.min_duration_s = bs_buf_get_u32(&r);
	h->params.min_ppm = bs_buf_get_u32(&r);
	h->params.min_dests = bs_buf_get_u32(&r);
	h->telescope_hash = bs_buf_get_u64(&r);
	h->first_us = bs_buf_get_u64(&r);
	h->last_us = bs_buf_get_u64(&r);
	*n = bs_buf_get_u64(&r);
	if (*n > (body - FLOWSTATE_HEADER_LEN) / FLOWSTATE_RECORD_LEN_BYTES)
		return bs_err_set(err, -BS_EFORMAT,
		                  "%" PRIu64 " flows cannot fit in a file of %zu bytes", *n, len);
	/* The prefix view's lengths, read after the flows, are checked there. */
	return h->has_prefix_view ? 0 : check_header(h, -BS_EFORMAT, err);
}

/* The part of a record after its flow: reported and the geography. */
static void get_trailer(struct bs_buf_reader *r, struct flowstate_flow *out)
{
	uint8_t reported = bs_buf_get_u8(r);
	if (reported > 1)
		bs_buf_fail(r, "reported flag neither 0 nor 1");
	out->reported = reported == 1;
	size_t country = bs_buf_get_u8(r);
	const uint8_t *p = bs_buf_get_bytes(r, country);
	if (country >= sizeof out->geo.country)
		bs_buf_fail(r, "country code too long");
	else if (p != NULL)
		memcpy(out->geo.country, p, country);
	out->geo.asn = bs_buf_get_u32(r);
	size_t org = bs_buf_get_u16(r);
	p = bs_buf_get_bytes(r, org);
	if (org >= sizeof out->geo.as_org)
		bs_buf_fail(r, "AS organisation too long");
	else if (p != NULL)
		memcpy(out->geo.as_org, p, org);
	if (!bs_buf_failed(r) && (memchr(out->geo.country, '\0', country) != NULL ||
	                          memchr(out->geo.as_org, '\0', org) != NULL))
		bs_buf_fail(r, "NUL byte in the geography");
	size_t origins = bs_buf_get_u16(r);
	p = bs_buf_get_bytes(r, origins);
	uint32_t first = 0;
	size_t n_as = 0;
	if (origins >= sizeof out->geo.origins)
		bs_buf_fail(r, "AS origin field too long");
	else if (p != NULL && origins > 0 &&
	         (pfx2as_parse_origins((const char *)p, origins, &first, &n_as) != 0 || n_as < 2 ||
	          first != out->geo.asn))
		bs_buf_fail(r, "AS origin field not several ASes led by the AS number");
	else if (p != NULL)
		memcpy(out->geo.origins, p, origins);
}

/* The rules of flow i of a file after prev (NULL for the first): updated
 * by the header's last packet time, and in adoption order. what names
 * the part ("record", "prefix record"). */
static int check_flow(const struct flowstate_header *h, const attack_flow_t *prev,
                      const attack_flow_t *f, const char *what, size_t i, struct bs_err *err)
{
	if (attack_flow_touch(f) > h->last_us)
		return bs_err_set(err, -BS_EFORMAT,
		                  "%s %zu: flow updated after the last packet time of the header",
		                  what, i + 1);
	if (prev != NULL && attack_flow_cmp(prev, f) > 0)
		return bs_err_set(err, -BS_EFORMAT,
		                  "%s %zu: flows not in order of start, victim, protocol", what,
		                  i + 1);
	return 0;
}

/* Decodes n records of r into flows: the per-victim ones, or with pv
 * the prefix view's, whose records end at reported. 0, -BS_EFORMAT or
 * -BS_ENOMEM. */
static int parse_records(struct bs_buf_reader *r, const struct flowstate_header *h,
                         const struct attack_prefix_view *pv, struct flowstate_flow *flows,
                         size_t n, struct bs_err *err)
{
	const char *what = pv != NULL ? "prefix record" : "record";
	for (size_t i = 0; i < n; i++) {
		uint32_t len = bs_buf_get_u32(r);
		const uint8_t *p = bs_buf_get_bytes(r, len);
		if (p == NULL)
			return bs_err_set(err, -BS_EFORMAT, "%s %zu of %zu: ends early", what,
			                  i + 1, n);
		struct bs_buf_reader one;
		bs_buf_reader_init(&one, p, len);
		int rc = pv != NULL ? attack_prefix_flow_decode(&one, pv, &flows[i].flow)
		                    : attack_flow_decode(&one, &flows[i].flow);
		if (rc == -BS_ENOMEM)
			return bs_err_set(err, rc, "out of memory");
		if (rc == 0 && pv != NULL) {
			uint8_t reported = bs_buf_get_u8(&one);
			if (reported > 1)
				bs_buf_fail(&one, "reported flag neither 0 nor 1");
			flows[i].reported = reported == 1;
		} else if (rc == 0) {
			get_trailer(&one, &flows[i]);
		}
		if (rc == 0 && bs_buf_failed(&one))
			rc = -BS_EFORMAT;
		else if (rc == 0 && bs_buf_left(&one) != 0)
			rc = bs_buf_fail(&one, "bytes after the flow");
		if (rc < 0)
			return bs_err_set(err, -BS_EFORMAT, "%s %zu of %zu: %s", what, i + 1, n,
			                  one.why);
		if ((rc = check_flow(h, i > 0 ? flows[i - 1].flow : NULL, flows[i].flow, what, i,
		                     err)) < 0)
			return rc;
	}
	return 0;
}

/* Version 2's part after the per-victim flows: the prefix view, then its
 * flows, appended to *list (n_victim long; *n grows as they are read, so
 * that *list can be freed whole on error). */
static int parse_prefix_part(struct bs_buf_reader *r, struct flowstate_header *h,
                             struct flowstate_flow **list, size_t *n, struct bs_err *err)
{
	h->prefix_view.len4 = bs_buf_get_u8(r);
	h->prefix_view.len6 = bs_buf_get_u8(r);
	h->prefix_view.min_victims = bs_buf_get_u32(r);
	uint64_t m = bs_buf_get_u64(r);
	if (bs_buf_failed(r))
		return bs_err_set(err, -BS_EFORMAT, "the prefix view's part ends early");
	int rc = check_header(h, -BS_EFORMAT, err);
	if (rc < 0)
		return rc;
	if (m > bs_buf_left(r) / FLOWSTATE_RECORD_LEN_BYTES)
		return bs_err_set(err, -BS_EFORMAT,
		                  "%" PRIu64 " prefix flows cannot fit in the %zu bytes left", m,
		                  bs_buf_left(r));
	struct flowstate_flow *grown = realloc(*list, (*n + (size_t)m + 1) * sizeof *grown);
	if (grown == NULL)
		return bs_err_set(err, -BS_ENOMEM, "out of memory");
	memset(grown + *n, 0, ((size_t)m + 1) * sizeof *grown);
	*list = grown;
	size_t at = *n;
	*n += (size_t)m;
	return parse_records(r, h, &h->prefix_view, grown + at, (size_t)m, err);
}

int flowstate_parse(const uint8_t *p, size_t len, struct flowstate_header *h,
                    struct flowstate_flow **flows, size_t *n, struct bs_err *err)
{
	struct flowstate_header head;
	uint64_t count = 0;

	*flows = NULL;
	*n = 0;
	int rc = parse_header(p, len, &head, &count, err);
	if (rc < 0)
		return rc;
	struct flowstate_flow *list = calloc(count ? (size_t)count : 1, sizeof *list);
	if (list == NULL)
		return bs_err_set(err, -BS_ENOMEM, "out of memory");
	struct bs_buf_reader r;
	size_t got = (size_t)count;
	bs_buf_reader_init(&r, p + FLOWSTATE_HEADER_LEN,
	                   len - FLOWSTATE_HEADER_LEN - FLOWSTATE_SUM_LEN);
	rc = parse_records(&r, &head, NULL, list, got, err);
	if (rc == 0 && head.has_prefix_view)
		rc = parse_prefix_part(&r, &head, &list, &got, err);
	if (rc == 0 && bs_buf_left(&r) != 0)
		rc = bs_err_set(err, -BS_EFORMAT,
		                "%zu bytes between the last record and the checksum",
		                bs_buf_left(&r));
	if (rc < 0) {
		flowstate_flows_free(list, got);
		return rc;
	}
	*h = head;
	*flows = list;
	*n = got;
	return 0;
}

/* The whole file at path into b. 0, -BS_EIO (errno set) or -BS_ENOMEM. */
static int slurp(const char *path, struct bs_buf *b)
{
	FILE *f = fopen(path, "rb");
	uint8_t chunk[FLOWSTATE_READ_CHUNK];
	size_t got;

	if (f == NULL)
		return -BS_EIO;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		bs_buf_put_bytes(b, chunk, got);
	int rc = ferror(f) ? -BS_EIO : bs_buf_status(b);
	int saved = errno;
	fclose(f);
	errno = saved;
	return rc;
}

int flowstate_read(const char *path, struct flowstate_header *h, struct flowstate_flow **flows,
                   size_t *n, struct bs_err *err)
{
	struct bs_buf b = {0};
	int rc = slurp(path, &b);

	*flows = NULL;
	*n = 0;
	if (rc == -BS_EIO)
		rc = bs_err_io(err, errno, "%s", path);
	else if (rc < 0)
		rc = bs_err_set(err, rc, "%s: out of memory", path);
	else if ((rc = flowstate_parse(b.data, b.len, h, flows, n, err)) < 0)
		bs_err_prefix(err, "%s", path);
	bs_buf_free(&b);
	return rc;
}

void flowstate_flows_free(struct flowstate_flow *flows, size_t n)
{
	if (flows == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		attack_flow_free(flows[i].flow);
	free(flows);
}

/* inputs.c - the list of inputs, duplicates and the ordering pass (see
 * inputs.h). */
#include "telescope/inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <xxhash.h>

#include "base/bs_array.h"
#include "telescope/outlier.h"

struct inputs {
	struct input *v;
	size_t n, cap;
};

inputs_t *inputs_create(void)
{
	return calloc(1, sizeof(inputs_t));
}

void inputs_free(inputs_t *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].uri);
		free(l->v[i].error);
		reader_free(l->v[i].held);
	}
	free(l->v);
	free(l);
}

size_t inputs_count(const inputs_t *l)
{
	return l->n;
}

struct input *inputs_at(const inputs_t *l, size_t i)
{
	return &l->v[i];
}

/* Hash of a file's first bytes, to spot a copy of an input given again
 * under another name (0 when unreadable: the open reports why). */
static uint64_t head_hash(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return 0;
	static _Thread_local uint8_t buf[INPUTS_HEAD_BYTES];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return XXH3_64bits(buf, n);
}

/* The same file named twice (or through a link) would count every packet
 * twice: keep the first. */
static bool is_duplicate(const inputs_t *l, const struct input *in)
{
	for (const struct input *o = l->v; o < in; o++) {
		if (strcmp(in->uri, "-") == 0 && strcmp(o->uri, "-") == 0)
			return true;
		if (!in->has_inode || !o->has_inode)
			continue;
		if (in->dev == o->dev && in->ino == o->ino)
			return true;
		/* A copy: same size and same first bytes. */
		if (in->size_bytes == o->size_bytes && in->head_hash == o->head_hash)
			return true;
	}
	return false;
}

int inputs_add(inputs_t *l, const char *uri)
{
	if (bs_array_reserve(&l->v, &l->cap, l->n + 1, sizeof *l->v))
		return -BS_ENOMEM;
	struct input *in = &l->v[l->n];
	memset(in, 0, sizeof *in);
	in->uri = strdup(uri);
	if (in->uri == NULL)
		return -BS_ENOMEM;
	in->size_bytes = -1;
	in->stream = reader_is_stream(uri);
	struct stat st;
	if (strcmp(uri, "-") != 0 && stat(uri, &st) == 0 && S_ISREG(st.st_mode)) {
		in->size_bytes = st.st_size;
		in->dev = st.st_dev;
		in->ino = st.st_ino;
		in->has_inode = true;
		in->head_hash = head_hash(uri);
	}
	in->duplicate = in->skipped = is_duplicate(l, in);
	l->n++;
	return 0;
}

int inputs_fail(struct input *in, const char *why)
{
	free(in->error);
	in->error = strdup(why);
	return in->error != NULL ? 0 : -BS_ENOMEM;
}

/* First packet time of a trace, for ordering: the first packet that the
 * outlier rule keeps among the first OUTLIER_PROBE_PACKETS. */
static void probe_first_time(reader_t *r, struct input *in)
{
	struct reader_packet pkt;
	uint64_t ts[OUTLIER_PROBE_PACKETS];
	size_t n = 0;
	while (n < OUTLIER_PROBE_PACKETS && reader_next(r, &pkt) == 1)
		ts[n++] = pkt.ts_us;
	outlier_first_kept(ts, n, &in->first_us);
}

int inputs_probe(inputs_t *l, const char *bpf)
{
	for (size_t i = 0; i < l->n; i++) {
		struct input *in = &l->v[i];
		if (in->skipped)
			continue;
		struct bs_err err;
		reader_t *r;
		int rc = reader_open(in->uri, bpf, &r, &err);
		if (rc == -BS_ENOMEM)
			return rc;
		if (rc != 0) {
			in->skipped = true;
			if ((rc = inputs_fail(in, bs_err_text(&err))) != 0)
				return rc;
			continue;
		}
		if (in->stream) {
			in->held = r;
			continue;
		}
		probe_first_time(r, in);
		reader_free(r);
	}
	return 0;
}

static int by_first_packet(const void *a, const void *b)
{
	const struct input *x = a, *y = b;
	if (x->first_us != y->first_us)
		return x->first_us < y->first_us ? -1 : 1;
	return strcmp(x->uri, y->uri);
}

void inputs_sort(inputs_t *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, by_first_packet);
}

reader_t *inputs_take_reader(struct input *in)
{
	reader_t *r = in->held;
	in->held = NULL;
	return r;
}

int64_t inputs_bytes_total(const inputs_t *l)
{
	int64_t total = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct input *in = &l->v[i];
		if (!in->skipped && !in->stream && in->size_bytes > 0)
			total += in->size_bytes;
	}
	return total;
}

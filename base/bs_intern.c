/* bs_intern.c - keys back to back and an open-addressing index over them
 * (see bs_intern.h for why by hand).
 *
 * keys holds fixed-size keys at index * key_size, or strings with their
 * NULs at off[index]. slot[] holds index + 1, 0 for an empty slot; a key
 * is looked for from slot hash & (cap - 1) onwards, one slot at a time,
 * until it or an empty slot turns up. Growing rehashes every key into an
 * index twice the size. */
#include "base/bs_intern.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/bs_array.h"
#include "base/bs_error.h"

/* Slots of the first index. The index doubles before it is more than half
 * full, which keeps the linear probe sequences short (Knuth, TAOCP vol. 3,
 * 6.4: about 2.5 probes per miss at load 1/2). */
#define BS_INTERN_MIN_SLOTS 1024u
/* Most keys: indices and index + 1 in slot[] are uint32. */
#define BS_INTERN_MAX_KEYS (UINT32_MAX - 1u)

struct bs_intern {
	size_t key_size; /* BS_INTERN_STRINGS or bytes per key */
	char *keys;
	size_t keys_len, keys_cap; /* bytes */
	uint32_t *off;             /* strings: index -> offset in keys */
	size_t off_cap;
	size_t n;       /* keys */
	uint32_t *slot; /* index + 1; 0 = empty */
	size_t cap;     /* slots: 0 or a power of two */
};

bs_intern_t *bs_intern_create(size_t key_size)
{
	bs_intern_t *t = calloc(1, sizeof *t);
	if (t != NULL)
		t->key_size = key_size;
	return t;
}

void bs_intern_free(bs_intern_t *t)
{
	if (t == NULL)
		return;
	free(t->keys);
	free(t->off);
	free(t->slot);
	free(t);
}

size_t bs_intern_count(const bs_intern_t *t)
{
	return t->n;
}

const void *bs_intern_key(const bs_intern_t *t, uint32_t index)
{
	return t->key_size == BS_INTERN_STRINGS ? t->keys + t->off[index]
	                                        : t->keys + (size_t)index * t->key_size;
}

/* Bytes of key, its NUL not counted for a string. */
static size_t key_len(const bs_intern_t *t, const void *key)
{
	return t->key_size == BS_INTERN_STRINGS ? strlen(key) : t->key_size;
}

static uint64_t hash(const void *key, size_t len)
{
	return XXH3_64bits(key, len);
}

/* The slot of key (hash h), or the empty slot where it belongs. */
static size_t find(const bs_intern_t *t, const void *key, uint64_t h)
{
	size_t mask = t->cap - 1;
	size_t i = (size_t)h & mask;
	for (; t->slot[i] != 0; i = (i + 1) & mask) {
		const void *k = bs_intern_key(t, t->slot[i] - 1);
		if (t->key_size == BS_INTERN_STRINGS ? strcmp(k, key) == 0
		                                     : memcmp(k, key, t->key_size) == 0)
			break;
	}
	return i;
}

/* Doubles the index (or makes the first). */
static int grow(bs_intern_t *t)
{
	size_t cap = t->cap ? t->cap * 2 : BS_INTERN_MIN_SLOTS;
	if (cap > SIZE_MAX / sizeof *t->slot)
		return -BS_ENOMEM;
	uint32_t *slot = calloc(cap, sizeof *slot);
	if (slot == NULL)
		return -BS_ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slot[i] == 0)
			continue;
		const void *k = bs_intern_key(t, t->slot[i] - 1);
		size_t j = (size_t)hash(k, key_len(t, k)) & (cap - 1);
		while (slot[j] != 0)
			j = (j + 1) & (cap - 1);
		slot[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
	return 0;
}

/* Appends key (len bytes) to keys as index t->n. */
static int append(bs_intern_t *t, const void *key, size_t len)
{
	bool str = t->key_size == BS_INTERN_STRINGS;
	size_t bytes = str ? len + 1 : len;
	if (t->n >= BS_INTERN_MAX_KEYS || bytes > SIZE_MAX - t->keys_len ||
	    (str && t->keys_len + bytes > UINT32_MAX) ||
	    bs_array_reserve(&t->keys, &t->keys_cap, t->keys_len + bytes, 1) != 0 ||
	    (str && bs_array_reserve(&t->off, &t->off_cap, t->n + 1, sizeof *t->off) != 0))
		return -BS_ENOMEM;
	if (str)
		t->off[t->n] = (uint32_t)t->keys_len;
	memcpy(t->keys + t->keys_len, key, bytes);
	t->keys_len += bytes;
	return 0;
}

int bs_intern_add(bs_intern_t *t, const void *key, uint32_t *index)
{
	if ((t->n + 1) * 2 > t->cap && grow(t) != 0)
		return -BS_ENOMEM;
	size_t len = key_len(t, key);
	size_t s = find(t, key, hash(key, len));
	if (t->slot[s] == 0) {
		if (append(t, key, len) != 0)
			return -BS_ENOMEM;
		t->slot[s] = (uint32_t)++t->n;
	}
	*index = t->slot[s] - 1;
	return 0;
}

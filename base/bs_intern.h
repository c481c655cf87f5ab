/* bs_intern.h - interning: each distinct key gets a small dense index
 * (0, 1, 2... in order of first appearance), and the keys are kept once,
 * back to back.
 *
 * `report` keeps one 56-byte record per attack, 10^6 of them for a year of
 * nights (analysis/report.h), and refers to the victim address and the
 * country and AS organisation strings of each by index: a 17-byte address
 * or a string per attack becomes 4 bytes, and a victim's attacks are found
 * by comparing integers. Every row of attacks.csv is looked up once while
 * loading, so the lookup must be cheap and the table small.
 *
 * Why hand-written: the index is open addressing with linear probing over
 * an array of uint32 (item + 1, 0 = empty), doubled before it is half
 * full, with xxhash (XXH3, already a dependency) for hashing: 4 to 16
 * bytes per key, no allocation per key, and the keys themselves stay in
 * one growing array, which may move because the index holds indices, not
 * pointers. No Debian library fits that: glib's GHashTable (libglib2.0)
 * stores two pointers and a hash per entry and would bring in glib for one
 * table; uthash (uthash-dev) puts a 56-byte handle in every item and links
 * items by pointer, so they cannot live in an array that grows; libc's
 * hsearch_r() has a fixed size and string keys only; JudyHS (libjudy)
 * would do but adds a dependency for about a hundred lines.
 *
 * Library code: nothing is printed; a full table or a failed allocation is
 * -BS_ENOMEM. */
#ifndef BASE_BS_INTERN_H
#define BASE_BS_INTERN_H

#include <stddef.h>
#include <stdint.h>

/** Key size for a table of NUL-terminated strings (any other size: keys
 * of exactly that many bytes, compared and hashed as bytes). */
#define BS_INTERN_STRINGS 0

typedef struct bs_intern bs_intern_t;

/** Empty table of keys of key_size bytes, or of strings when key_size is
 * BS_INTERN_STRINGS. NULL on allocation failure. Free with
 * bs_intern_free(). */
bs_intern_t *bs_intern_create(size_t key_size);

/** Safe on NULL. */
void bs_intern_free(bs_intern_t *t);

/** The index of key (borrowed; key_size bytes, or a string), added with
 * the next index when new. 0, or -BS_ENOMEM (allocation failed, or the
 * table is full: UINT32_MAX - 1 keys, or 4 GiB of strings). */
int bs_intern_add(bs_intern_t *t, const void *key, uint32_t *index);

/** Keys in the table. */
size_t bs_intern_count(const bs_intern_t *t);

/** The key of index (< bs_intern_count()): borrowed, valid until the next
 * bs_intern_add(). Fixed-size keys lie back to back, so the key of index 0
 * is the start of an array of them (a bs_addr_t[] for addresses). */
const void *bs_intern_key(const bs_intern_t *t, uint32_t index);

#endif

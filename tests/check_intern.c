/* check_intern.c - tests for base/bs_intern.h: dense indices in order of
 * first appearance, the same index for the same key however often and
 * after the index has grown many times, keys kept intact (fixed-size keys
 * back to back, strings with their NULs), bytes that differ only past a
 * zero byte or in the last byte kept apart. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_intern.h"

/* Keys for the growth tests: many times the first index size (1024 slots),
 * so the index doubles six times. */
#define MANY 20000u

/* A fixed-size key like an address: a family byte and 16 bytes. */
struct key17 {
	uint8_t b[17];
};

static struct key17 key_of(uint32_t i)
{
	struct key17 k;
	memset(&k, 0, sizeof k);
	k.b[0] = (uint8_t)(i & 1 ? 6 : 4);
	memcpy(k.b + 1, &i, sizeof i); /* the rest stays 0, as in bs_addr_t */
	return k;
}

/* bs_intern_add()'s index for key; UINT32_MAX when it fails. Loops check
 * their keys with it and assert once: Check reports every assertion to
 * its parent process, which would be most of the run. */
static uint32_t add(bs_intern_t *t, const void *key)
{
	uint32_t idx = UINT32_MAX;
	return bs_intern_add(t, key, &idx) == 0 ? idx : UINT32_MAX;
}

START_TEST(indices_follow_first_appearance)
{
	bs_intern_t *t = bs_intern_create(BS_INTERN_STRINGS);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(bs_intern_count(t), 0);
	ck_assert_uint_eq(add(t, ""), 0);
	ck_assert_uint_eq(add(t, "US"), 1);
	ck_assert_uint_eq(add(t, "DE"), 2);
	ck_assert_uint_eq(add(t, "US"), 1);
	ck_assert_uint_eq(add(t, ""), 0);
	ck_assert_uint_eq(add(t, "Example, Inc."), 3);
	ck_assert_uint_eq(bs_intern_count(t), 4);
	ck_assert_str_eq(bs_intern_key(t, 0), "");
	ck_assert_str_eq(bs_intern_key(t, 1), "US");
	ck_assert_str_eq(bs_intern_key(t, 3), "Example, Inc.");
	bs_intern_free(t);
	bs_intern_free(NULL);
}
END_TEST

START_TEST(strings_differing_in_length_or_last_byte_are_apart)
{
	bs_intern_t *t = bs_intern_create(BS_INTERN_STRINGS);
	ck_assert_ptr_nonnull(t);
	const char *const keys[] = {"AS", "AS ", "A", "AT", "as", "AS\xff"};
	for (uint32_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		ck_assert_uint_eq(add(t, keys[i]), i);
	for (uint32_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		ck_assert_uint_eq(add(t, keys[i]), i);
		ck_assert_str_eq(bs_intern_key(t, i), keys[i]);
	}
	bs_intern_free(t);
}
END_TEST

START_TEST(fixed_keys_compare_every_byte)
{
	bs_intern_t *t = bs_intern_create(sizeof(struct key17));
	ck_assert_ptr_nonnull(t);
	struct key17 a, b;
	memset(&a, 0, sizeof a);
	b = a;
	b.b[16] = 1; /* differs in the last byte only, past a run of zeros */
	ck_assert_uint_eq(add(t, &a), 0);
	ck_assert_uint_eq(add(t, &b), 1);
	ck_assert_uint_eq(add(t, &a), 0);
	ck_assert_int_eq(memcmp(bs_intern_key(t, 1), &b, sizeof b), 0);
	bs_intern_free(t);
}
END_TEST

START_TEST(many_fixed_keys_survive_growth)
{
	bs_intern_t *t = bs_intern_create(sizeof(struct key17));
	ck_assert_ptr_nonnull(t);
	uint32_t wrong = 0;
	for (uint32_t i = 0; i < MANY; i++) {
		struct key17 k = key_of(i);
		wrong += add(t, &k) != i;
	}
	ck_assert_uint_eq(wrong, 0);
	ck_assert_uint_eq(bs_intern_count(t), MANY);
	/* Keys lie back to back: index 0 is the start of an array of them. */
	const struct key17 *all = bs_intern_key(t, 0);
	for (uint32_t i = 0; i < MANY; i++) {
		struct key17 k = key_of(i);
		wrong += add(t, &k) != i || memcmp(&all[i], &k, sizeof k) != 0;
	}
	ck_assert_uint_eq(wrong, 0);
	ck_assert_uint_eq(bs_intern_count(t), MANY);
	bs_intern_free(t);
}
END_TEST

START_TEST(many_strings_survive_growth)
{
	bs_intern_t *t = bs_intern_create(BS_INTERN_STRINGS);
	ck_assert_ptr_nonnull(t);
	char buf[32];
	uint32_t wrong = 0;
	for (uint32_t i = 0; i < MANY; i++) {
		snprintf(buf, sizeof buf, "AS%u", i);
		wrong += add(t, buf) != i;
	}
	ck_assert_uint_eq(wrong, 0);
	for (uint32_t i = MANY; i-- > 0;) {
		snprintf(buf, sizeof buf, "AS%u", i);
		wrong += add(t, buf) != i || strcmp(bs_intern_key(t, i), buf) != 0;
	}
	ck_assert_uint_eq(wrong, 0);
	ck_assert_uint_eq(bs_intern_count(t), MANY);
	bs_intern_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("intern");
	TCase *tc = tcase_create("intern");
	tcase_add_test(tc, indices_follow_first_appearance);
	tcase_add_test(tc, strings_differing_in_length_or_last_byte_are_apart);
	tcase_add_test(tc, fixed_keys_compare_every_byte);
	tcase_add_test(tc, many_fixed_keys_survive_growth);
	tcase_add_test(tc, many_strings_survive_growth);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* attack_list.h - the attacks of one run, and attacks.csv.
 *
 * The attack table reports attacks in the order their flows end, which
 * depends on timeouts and input order; users diff and join attacks.csv
 * across runs, so the file is sorted by (start time, victim, protocol) and
 * attack_id is the 1-based position in that order: the same input gives
 * the same file. Columns and formats are the user contract of INTERFACE.md
 * (listed in attack_list.c); add columns only at the end. */
#ifndef OUTDIR_ATTACK_LIST_H
#define OUTDIR_ATTACK_LIST_H

#include <stddef.h>

#include "telescope/attack.h"
#include "telescope/geo.h"

typedef struct attack_list attack_list_t;

/** Empty list; NULL on allocation failure. Free with attack_list_free(). */
attack_list_t *attack_list_create(void);

/** Safe on NULL. */
void attack_list_free(attack_list_t *r);

/** Appends a copy of rec and of geo (both borrowed; geo NULL when no
 * database was given: the country/asn/as_org columns stay empty).
 * 0 or -BS_ENOMEM (r unchanged). */
int attack_list_add(attack_list_t *r, const struct attack_record *rec, const struct geo_info *geo);

/** Number of attacks added. */
size_t attack_list_count(const attack_list_t *r);

/** Sorts into the attacks.csv order: start_us, then victim (bs_addr_cmp),
 * then protocol, then end_us, packets and insertion order, so the order is
 * total and does not depend on qsort. attack_list_get(r, i) is then the attack
 * with attack_id i + 1. */
void attack_list_sort(attack_list_t *r);

/** Attack i (0-based) in the current order: insertion order until
 * attack_list_sort(), attacks.csv order after it (attack_list_add() appends at the
 * end, undoing the sort). Borrowed, valid until the next attack_list_add() or
 * attack_list_free(). NULL when i >= attack_list_count(r). */
const struct attack_record *attack_list_get(const attack_list_t *r, size_t i);

/** Sorts r and writes DIR/attacks.csv atomically (outfile.h): header, then
 * one row per attack. telescope_v4_size is the number of IPv4 telescope
 * addresses, the n of est_attack_pps = mean_pps * 2^32 / n (METHOD.md
 * section 4); est_attack_pps is empty when it is 0. telescope_v6_size is
 * accepted but not used: IPv6 rates are never estimated (METHOD.md
 * section 5), so est_attack_pps is empty for IPv6 victims. The last
 * column, vector_group, groups the attacks of the sorted list (vgroup.h).
 * 0, -BS_ENOMEM, -BS_EIO (errno set), -BS_ERANGE (a time past year 9999,
 * or UINT32_MAX attacks or more), -BS_EINVAL (dir or r NULL). On error no
 * attacks.csv is written and an existing one is untouched. */
int attack_list_write_csv(attack_list_t *r, const char *dir, double telescope_v4_size,
                          double telescope_v6_size);

/** Sorts prefixes (attacks of a prefix-view table, attack.h: each victim
 * a prefix of pv's lengths) and writes DIR/prefix_attacks.csv atomically
 * like attack_list_write_csv(): header, then one row per prefix attack,
 * prefix_id its 1-based position in attacks.csv's order. Its
 * victim_attacks column is counted from attacks (the final per-address
 * list): the distinct victims of the prefix whose own attacks on the same
 * protocol overlap the prefix attack in time. Errors as
 * attack_list_write_csv(). */
int attack_list_write_prefix_csv(attack_list_t *prefixes, const attack_list_t *attacks,
                                 const struct attack_prefix_view *pv, const char *dir);

#endif

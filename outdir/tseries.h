/* tseries.h - the event-based view: per fixed time bin, backscatter
 * packets (by protocol), attacks active, attacks started and distinct
 * victims (METHOD.md section 4), written as timeseries.csv.
 *
 * Bins are keyed on packet time and aligned to multiples of the interval
 * since the Unix epoch, so series from different nights and runs line up
 * bin for bin. Every bin from the first packet's to the last packet's is
 * written, empty ones as zeros: inside the covered period a zero is a
 * measured zero, and outside it there is no row at all.
 *
 * Packets are counted as they arrive (per-packet path: O(1), no allocation
 * unless the covered period grows); attacks are added when they end and
 * folded into the bins at write time. */
#ifndef OUTDIR_TSERIES_H
#define OUTDIR_TSERIES_H

#include <stdint.h>

#include "telescope/attack.h"

/** Most bins one series may span: 2^22 bins of 32 bytes is 128 MiB, enough
 * for 48 days of 1 s bins, 8 years of 60 s bins or 40 years of the default
 * 300 s bins. A packet that would stretch the series past it carries an
 * absurd timestamp (a clock reset to 1970, a corrupt record) and is refused
 * rather than allowed to allocate gigabytes and write millions of zero rows. */
#define TSERIES_MAX_BINS (1u << 22)

typedef struct tseries tseries_t;

/** Series with bins of interval_s seconds (> 0). NULL when interval_s is 0
 * or on allocation failure. Free with tseries_free(). */
tseries_t *tseries_create(uint32_t interval_s);

/** Safe on NULL. */
void tseries_free(tseries_t *t);

/** Counts one backscatter packet at ts_us (microseconds since the epoch,
 * any order) of attack protocol proto (enum bs_proto). 0; -BS_EINVAL for a
 * proto outside enum bs_proto; -BS_ERANGE when the series would then span
 * more than TSERIES_MAX_BINS bins or the packet's bin ends past
 * BS_TIME_MAX_US (year 9999), so its row could not be written (the packet
 * is not counted; the caller decides what a far-off timestamp means);
 * -BS_ENOMEM. Nothing changes on error. */
int tseries_add_packet(tseries_t *t, uint64_t ts_us, int proto);

/** Counts n backscatter packets of attack protocol proto in the bin of
 * ts_us, as n calls of tseries_add_packet() would (used to add up the bins
 * of timeseries.csv files read back). n == 0 changes nothing, not even the
 * covered period. Same errors as tseries_add_packet(), and -BS_ERANGE
 * when the bin's count would pass UINT64_MAX. Nothing changes on error. */
int tseries_add_packets(tseries_t *t, uint64_t ts_us, int proto, uint64_t n);

/** Adds src's packet counts to dst (same interval; src's attacks are not
 * copied). Used to join the series of files read in parallel.
 * 0, -BS_EINVAL (intervals differ), -BS_ERANGE (bin cap) or -BS_ENOMEM. */
int tseries_merge(tseries_t *dst, const tseries_t *src);

/** Records an attack (borrowed; its victim, start_us and end_us are
 * copied). Attacks count only in bins that have packets around them: an
 * attack's bins outside the first..last packet bins are not written.
 * 0 or -BS_ENOMEM. */
int tseries_add_attack(tseries_t *t, const struct attack_record *rec);

/** Writes DIR/timeseries.csv atomically: header bin_start, bin_end,
 * packets, attacks_active, attacks_started, victims, packets_tcp,
 * packets_udp, packets_icmp, packets_other, then one row per bin from the
 * first packet's bin to the last's (header only when no packet was added).
 * bin_end is the next bin's start (bins are [start, end)). An attack is
 * active in every bin its [start_us, end_us] touches and started in the
 * bin of start_us; victims counts each victim once per bin however many of
 * its attacks are active there. Time O(attacks log attacks + bins).
 * 0, -BS_ENOMEM, -BS_EIO (errno set), -BS_ERANGE (a bin end past year
 * 9999), -BS_EINVAL (t or dir NULL). Does not change t's contents except
 * for reordering its attacks. */
int tseries_write_csv(tseries_t *t, const char *dir);

#endif

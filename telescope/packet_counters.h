/* packet_counters.h - what became of every packet read: the counters of
 * summary.json's "counters" object (INTERFACE.md), kept per file while it
 * is read and added up over files, jobs and merged shards. */
#ifndef TELESCOPE_PACKET_COUNTERS_H
#define TELESCOPE_PACKET_COUNTERS_H

#include <stdint.h>

struct packet_counters {
	uint64_t packets;           /* every packet read */
	uint64_t non_ip;            /* no IPv4/IPv6 layer 3 */
	uint64_t malformed;         /* IP/transport headers that contradict themselves */
	uint64_t truncated;         /* headers cut by the capture length */
	uint64_t fragments;         /* non-first fragments, skipped */
	uint64_t outside_telescope; /* destination not in --telescope */
	uint64_t not_backscatter;   /* scanning, worms, misconfiguration */
	uint64_t backscatter;       /* classified backscatter inside the telescope */
	uint64_t filtered;          /* dropped by --filter */
	uint64_t out_of_order;      /* packets older than one already seen */
	uint64_t time_outliers;     /* timestamp absurdly far from its neighbours, skipped */
	uint64_t files_failed;      /* inputs that could not be read (fully) */
};

/** Adds every counter of k (borrowed) to sum: the totals of several
 * pieces read separately (a run's files, merge's shards). */
void packet_counters_add(struct packet_counters *sum, const struct packet_counters *k);

#endif

/* verdict.h - what one packet read is to the collector, and the counter of
 * summary.json it adds to (packet_counters.h).
 *
 * Judging and counting are apart because a packet counts only once the
 * outlier look-ahead (outlier.h) has accepted its timestamp: the verdict
 * waits in the look-ahead's slot meanwhile, with the event it carries when
 * it is backscatter. Both run for every packet read, so they are static
 * inline, as they were inside the collector's loop. */
#ifndef TELESCOPE_VERDICT_H
#define TELESCOPE_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/bs_error.h"
#include "telescope/addr.h"
#include "telescope/classify.h"
#include "telescope/event.h"
#include "telescope/packet_counters.h"
#include "telescope/reader.h"

enum verdict_kind {
	VERDICT_FILTERED,        /* rejected by --filter */
	VERDICT_NON_IP,          /* no IPv4/IPv6 layer 3 */
	VERDICT_TRUNCATED,       /* headers cut by the capture length */
	VERDICT_MALFORMED,       /* headers that contradict themselves */
	VERDICT_FRAGMENT,        /* a non-first fragment */
	VERDICT_NOT_BACKSCATTER, /* scanning, worms, misconfiguration */
	VERDICT_OUTSIDE,         /* backscatter to an address outside the telescope */
	VERDICT_BACKSCATTER,     /* backscatter inside the telescope: ev is filled */
};

struct verdict {
	enum verdict_kind kind;
	uint64_t ts_us;     /* the packet's capture time */
	struct bs_event ev; /* valid for VERDICT_BACKSCATTER */
};

/** Judges the packet pkt (borrowed; its bytes are read now, as libtrace
 * reuses them) against the telescope's prefixes into *v. */
static inline void verdict_judge(const struct reader_packet *pkt, const bs_prefixes_t *telescope,
                                 struct verdict *v)
{
	v->ts_us = pkt->ts_us;
	if (pkt->filtered) {
		v->kind = VERDICT_FILTERED;
		return;
	}
	if (pkt->l3 == NULL) {
		v->kind = VERDICT_NON_IP;
		return;
	}
	int rc = classify_packet(pkt->l3, pkt->l3_len, pkt->ethertype, &v->ev);
	switch (rc) {
	case CLASSIFY_BACKSCATTER:
		v->ev.ts_us = pkt->ts_us;
		v->kind = bs_prefixes_contains(telescope, &v->ev.dst) ? VERDICT_BACKSCATTER
		                                                      : VERDICT_OUTSIDE;
		return;
	case CLASSIFY_NOT_BACKSCATTER:
		v->kind = VERDICT_NOT_BACKSCATTER;
		return;
	case CLASSIFY_FRAGMENT:
		v->kind = VERDICT_FRAGMENT;
		return;
	case CLASSIFY_NOT_IP:
		v->kind = VERDICT_NON_IP;
		return;
	default:
		v->kind = rc == -BS_ETRUNC ? VERDICT_TRUNCATED : VERDICT_MALFORMED;
		return;
	}
}

/** Counts an accepted packet of kind in k and returns true, for every kind
 * but VERDICT_BACKSCATTER: that one returns false and is the caller's to
 * count, as backscatter or as a time outlier when its time cannot be
 * binned. */
static inline bool verdict_count(struct packet_counters *k, enum verdict_kind kind)
{
	switch (kind) {
	case VERDICT_FILTERED:
		k->filtered++;
		return true;
	case VERDICT_NON_IP:
		k->non_ip++;
		return true;
	case VERDICT_TRUNCATED:
		k->truncated++;
		return true;
	case VERDICT_MALFORMED:
		k->malformed++;
		return true;
	case VERDICT_FRAGMENT:
		k->fragments++;
		return true;
	case VERDICT_NOT_BACKSCATTER:
		k->not_backscatter++;
		return true;
	case VERDICT_OUTSIDE:
		k->outside_telescope++;
		return true;
	case VERDICT_BACKSCATTER:
		break;
	}
	return false;
}

#endif

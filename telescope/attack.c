/* attack.c - the flow table: backscatter events grouped by (victim,
 * protocol), ended by an idle timeout in packet time, tested against the
 * thresholds.
 *
 * Structure, and why it is hand-written rather than a generic hash map:
 * this runs once per backscatter packet and must hold millions of
 * short-lived flows (scanner noise) in little memory.
 *  - Flows are found through a chained hash table on XXH3 of the key,
 *    doubled when it averages more than ATTACK_MAX_LOAD flows per bucket.
 *  - Expiry is O(1) amortised: flows sit on an intrusive doubly linked
 *    list in order of their touch time (the stream's "now" when they were
 *    last updated). Now never decreases, so moving an updated flow to the
 *    tail keeps the list sorted, and the flows to end are always at the
 *    head.
 *  - A flow with one packet is one fixed 120-byte record (plus its 8-byte
 *    bucket slot) holding that packet's destination and ports. The
 *    per-flow statistics (distinct destinations, victim and attacker
 *    ports, peak window, uniformity sample, ICMP mismatches) live in a
 *    separate record that is allocated on the second packet. It first
 *    only holds the packets as they come; past --min-packets of them (see
 *    ATTACK_HELD_INITIAL), or when the flow is reported or merged, it
 *    replays them into its blocks, each of which grows lazily and is
 *    capped (distinct.h, portcount.h, portset.h, peak.h, uniformity.h).
 *    Most flows are that short and never build them.
 * Every block is a deterministic, mergeable function of the packets
 * added, so a flow's statistics do not depend on the order of its
 * packets within the limits given in peak.h.
 *
 * The prefix view (attack_table_key_prefix()) is the same table keyed on
 * the victim's prefix: its flows count their victims; one packet is the
 * same small record (its victim's hash in what was padding), a second
 * builds the statistics at once, as a held packet has no room for it.
 *
 * Flush reports the open flows sorted by (start, victim, protocol), which
 * does not depend on arrival order. It sorts the expiry list in place, so
 * after a callback error in flush the list is no longer in touch order:
 * the table must then only be flushed again or freed. After -BS_ENOMEM
 * the packet may be counted in some of a flow's statistics and not in
 * others; the caller is expected to stop. */
#include "telescope/attack.h"

#include <stdlib.h>
#include <string.h>
/* Inlined: three hashes of a few bytes per packet, which the compiler
 * specializes for their constant lengths (same values as the library). */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "base/bs_error.h"
#include "base/bs_time.h"
#include "telescope/distinct.h"
#include "telescope/peak.h"
#include "telescope/portcount.h"
#include "telescope/portset.h"
#include "telescope/uniformity.h"

/* Buckets of a new table: 8 KiB, enough for a quiet telescope without a
 * single doubling. */
#define ATTACK_INITIAL_BUCKETS 1024u
/* Flows per bucket, on average, before the table doubles: chains stay
 * around one entry (a lookup touches ~1.5 flows) and a bucket costs 8
 * bytes per flow, keeping a one-packet flow at 128 bytes. */
#define ATTACK_MAX_LOAD 1u
/* attack_table_update_batch(): events hashed at a time, and how far ahead
 * of its update each memory access of an event is prefetched. The table
 * is far larger than the caches, so an event's update is a chain of
 * misses of ~100 ns each (bucket, flow, statistics record, the blocks'
 * slots), each address read from the one before; fetching each a few
 * events ahead of the next overlaps them with other events' work. On the
 * bench trace the table thread's CPU samples fell 8% against the same
 * code without the stages; whole-run wall time moved within this VM's
 * noise (bench/RESULTS.md, session 6). */
#define ATTACK_AHEAD_BUCKET 16u
#define ATTACK_AHEAD_FLOW   12u
#define ATTACK_AHEAD_EXT    8u
#define ATTACK_AHEAD_BLOCKS 4u
/* Hashes kept for the events in flight: a power of two above the first
 * stage's distance. */
#define ATTACK_AHEAD_RING 32u
_Static_assert((ATTACK_AHEAD_RING & (ATTACK_AHEAD_RING - 1)) == 0 &&
                   ATTACK_AHEAD_RING > ATTACK_AHEAD_BUCKET,
               "the hash ring must be a power of two holding every event in flight");

_Static_assert(PEAK_WINDOW_S == ATTACK_PEAK_WINDOW_S, "peak window must match attack.h");
_Static_assert(sizeof(bs_addr_t) == 17, "bs_addr_t must have no padding to be hashed as bytes");
_Static_assert(BS_RESP_COUNT <= 32, "responses bitmask is 32 bits");

/* A flow holds its packets as they came, without building its statistics
 * (distinct.h, portcount.h, portset.h, peak.h, uniformity.h), until it has
 * --min-packets of them: a flow that ends below that is rejected without
 * them. On the bench trace 94% of flows, with a third of the backscatter
 * packets, stay below the rsdos 25; holding them up to 8 packets instead
 * cost 9% more instructions in the flow table. Flows that go past the
 * limit replay the held packets in arrival order, which gives the same
 * statistics as adding them one by one, and give back the held room.
 * The room starts at ATTACK_HELD_INITIAL packets (256 bytes) and doubles;
 * the limit is --min-packets within [ATTACK_HELD_INITIAL, ATTACK_HELD_MAX],
 * the upper bound covering both presets (25 and 100) at 4 KiB a flow. */
#define ATTACK_HELD_INITIAL 8u
#define ATTACK_HELD_MAX     128u

/* The flags a held or first packet keeps: which of its ports are valid. */
#define HELD_FLAGS (BS_EV_HAS_PORT | BS_EV_HAS_APORT)
/* In a flow's first_flags: a flow of the prefix view (no event flag). */
#define FLOW_PREFIX 0x80u
_Static_assert((HELD_FLAGS & FLOW_PREFIX) == 0, "FLOW_PREFIX is not an event flag kept");

/* What ext_add() reads of a packet that was held. */
struct held_packet {
	uint64_t ts_us;
	bs_addr_t dst;
	uint8_t flags; /* HELD_FLAGS */
	uint16_t port;
	uint16_t aport; /* in what was padding: a held packet stays 32 bytes */
};

_Static_assert(sizeof(struct held_packet) == 32, "ATTACK_HELD_INITIAL packets are 256 bytes");

/* Statistics of a flow past its first packet. */
struct flow_ext {
	distinct_t dests;    /* telescope destinations */
	portcount_t ports;   /* victim ports */
	portset_t aports;    /* attacker ports */
	peak_t peak;         /* packets per ATTACK_PEAK_WINDOW_S */
	uniformity_t sample; /* destination positions */
	distinct_t victims;  /* prefix view: victim_hash() of its victims */
	uint64_t icmp_mismatches;
	bs_addr_t responder; /* smallest mismatching responder (order independent) */
	bool has_responder;
	bool built;        /* the blocks above count every packet of the flow */
	uint16_t n_held;   /* packets in held, not yet in the blocks above */
	uint16_t cap_held; /* room in held; 0 once built */
	struct held_packet held[];
};

/* The chain link and the key come first, so that a lookup reads one
 * cache line of each flow it passes (a cache miss per flow: the table is
 * far larger than the caches). */
struct flow {
	struct flow *next; /* hash chain */
	bs_addr_t victim;
	uint8_t proto;
	bs_addr_t first_dst;
	uint8_t first_flags;        /* HELD_FLAGS of the first packet; FLOW_PREFIX */
	uint16_t first_port;        /* the first packet, while ext is NULL */
	uint16_t first_aport;       /* (in what was padding: still 120 bytes) */
	uint32_t responses;         /* 1u << BS_RESP_* */
	uint32_t first_victim;      /* prefix view: victim_hash() of the first packet */
	struct flow_ext *ext;       /* NULL while the flow has one packet */
	struct flow *older, *newer; /* expiry list, by touch_us */
	uint64_t touch_us;          /* the table's now at the last update */
	uint64_t start_us, end_us, packets, bytes;
};

_Static_assert(sizeof(struct flow) == 120, "a one-packet flow is 120 bytes (see above)");

struct attack_table {
	struct attack_params p;
	uint64_t timeout_us;
	const bs_prefixes_t *telescope;
	attack_cb cb;
	void *arg;
	struct flow **buckets;
	size_t nbuckets; /* a power of two */
	struct flow *oldest, *newest;
	uint64_t now_us; /* largest packet time seen */
	struct attack_stats stats;
	uint32_t held_max;            /* packets a flow holds before building (see above) */
	attack_partial_cb partial_cb; /* hold mode when not NULL */
	void *partial_arg;
	struct attack_hold hold;
	attack_edge_cb edge_cb; /* attack_table_watch_edges() */
	void *edge_arg;
	uint64_t leading_until_us;
	bool by_prefix; /* keyed on the victim's prefix (attack_table_key_prefix()) */
	struct attack_prefix_view pv;
};

/* The partial flows of attack.h are plain flows off any table. */
struct attack_flow {
	struct flow f;
};

int attack_params_preset(struct attack_params *p, const char *name)
{
	struct attack_params q = {.flow_timeout_s = ATTACK_FLOW_TIMEOUT_S,
	                          .min_dests = ATTACK_MIN_DESTS};

	if (name == NULL)
		return -BS_EINVAL;
	if (strcmp(name, "rsdos") == 0) {
		q.min_packets = ATTACK_RSDOS_MIN_PACKETS;
		q.min_duration_s = ATTACK_RSDOS_MIN_DURATION_S;
		q.min_ppm = ATTACK_RSDOS_MIN_PPM;
	} else if (strcmp(name, "moore") == 0) {
		q.min_packets = ATTACK_MOORE_MIN_PACKETS;
		q.min_duration_s = ATTACK_MOORE_MIN_DURATION_S;
		q.min_ppm = ATTACK_MOORE_MIN_PPM;
	} else {
		return -BS_EINVAL;
	}
	*p = q;
	return 0;
}

static uint64_t key_hash(const bs_addr_t *victim, uint8_t proto)
{
	return XXH3_64bits_withSeed(victim, sizeof *victim, proto);
}

static size_t bucket_of(const attack_table_t *t, const bs_addr_t *victim, uint8_t proto)
{
	return (size_t)key_hash(victim, proto) & (t->nbuckets - 1);
}

/* The flow of (victim, proto), whose key_hash() is hash. */
static struct flow *flow_find(const attack_table_t *t, const bs_addr_t *victim, uint8_t proto,
                              uint64_t hash)
{
	struct flow *f = t->buckets[hash & (t->nbuckets - 1)];
	while (f != NULL && (f->proto != proto || bs_addr_cmp(&f->victim, victim) != 0))
		f = f->next;
	return f;
}

static int table_grow(attack_table_t *t)
{
	size_t n = t->nbuckets * 2;
	if (n > SIZE_MAX / sizeof(struct flow *))
		return -BS_ENOMEM;
	struct flow **old = t->buckets;
	size_t old_n = t->nbuckets;
	t->buckets = calloc(n, sizeof *t->buckets);
	if (t->buckets == NULL) {
		t->buckets = old;
		return -BS_ENOMEM;
	}
	t->nbuckets = n;
	for (size_t i = 0; i < old_n; i++) {
		for (struct flow *f = old[i], *next; f != NULL; f = next) {
			next = f->next;
			size_t b = bucket_of(t, &f->victim, f->proto);
			f->next = t->buckets[b];
			t->buckets[b] = f;
		}
	}
	free(old);
	return 0;
}

static void list_append(attack_table_t *t, struct flow *f)
{
	f->older = t->newest;
	f->newer = NULL;
	if (t->newest != NULL)
		t->newest->newer = f;
	else
		t->oldest = f;
	t->newest = f;
}

static void list_unlink(attack_table_t *t, struct flow *f)
{
	if (f->older != NULL)
		f->older->newer = f->newer;
	else
		t->oldest = f->newer;
	if (f->newer != NULL)
		f->newer->older = f->older;
	else
		t->newest = f->older;
}

static void bucket_unlink(attack_table_t *t, struct flow *f)
{
	struct flow **p = &t->buckets[bucket_of(t, &f->victim, f->proto)];
	while (*p != f)
		p = &(*p)->next;
	*p = f->next;
}

static void flow_free(struct flow *f)
{
	if (f->ext != NULL) {
		distinct_clear(&f->ext->dests);
		portcount_clear(&f->ext->ports);
		portset_clear(&f->ext->aports);
		peak_clear(&f->ext->peak);
		uniformity_clear(&f->ext->sample);
		distinct_clear(&f->ext->victims);
		free(f->ext);
	}
	free(f);
}

/* The uniformity sample's key: a hash of destination and time, so that
 * repeated hits on one address are sampled like any other packets. Both go
 * in as data: with the time as XXH3's seed instead, the keys of a real
 * flood were correlated with its destinations and uniform floods failed
 * the A^2 test about three times as often as the 5% they should. */
static uint64_t sample_key(const struct bs_event *ev)
{
	uint8_t buf[sizeof ev->dst + sizeof ev->ts_us];
	memcpy(buf, &ev->dst, sizeof ev->dst);
	memcpy(buf + sizeof ev->dst, &ev->ts_us, sizeof ev->ts_us);
	return XXH3_64bits(buf, sizeof buf);
}

/* A victim's hash in the prefix view, 32 bits so that a one-packet flow
 * keeps it in what was padding. distinct.h wants 64 well-mixed bits:
 * victim_item() spreads it. Two victims of one prefix collide with
 * probability n^2 / 2^33 (3e-5 for the 512 counted exactly). */
static uint32_t victim_hash(const bs_addr_t *victim)
{
	return (uint32_t)XXH3_64bits(victim, sizeof *victim);
}

static int count_victim(struct flow_ext *x, uint32_t h)
{
	return distinct_add(&x->victims, XXH3_64bits(&h, sizeof h));
}

/* The item a destination is in a flow's distinct set. */
static uint64_t dst_hash(const bs_addr_t *dst)
{
	return XXH3_64bits(dst, sizeof *dst);
}

/* Feeds one packet, whose dst_hash() is dh, to the per-flow statistics. */
static int ext_add(const attack_table_t *t, struct flow_ext *x, const struct bs_event *ev,
                   uint64_t dh)
{
	double u;
	int rc = distinct_add(&x->dests, dh);

	if (rc == 0 && (ev->flags & BS_EV_HAS_PORT))
		rc = portcount_add(&x->ports, ev->port);
	if (rc == 0 && (ev->flags & BS_EV_HAS_APORT))
		rc = portset_add(&x->aports, ev->aport);
	if (rc == 0)
		rc = peak_add(&x->peak, ev->ts_us);
	/* The destination's position only for a packet the sample can take:
	 * a long flow's sample turns most packets away on their key. */
	uint64_t key = sample_key(ev);
	if (rc == 0 && uniformity_takes(&x->sample, key) &&
	    bs_prefixes_position(t->telescope, &ev->dst, &u) == 0)
		rc = uniformity_add(&x->sample, key, u);
	if (rc == 0 && (ev->flags & BS_EV_MISMATCH)) {
		x->icmp_mismatches++;
		if (!x->has_responder || bs_addr_cmp(&ev->responder, &x->responder) < 0) {
			x->responder = ev->responder;
			x->has_responder = true;
		}
	}
	return rc;
}

/* Holds ev in f's ext, which holds fewer than t->held_max packets. */
static int hold(const attack_table_t *t, struct flow *f, const struct bs_event *ev)
{
	struct flow_ext *x = f->ext;
	if (x->n_held == x->cap_held) {
		uint32_t cap = 2u * x->cap_held < t->held_max ? 2u * x->cap_held : t->held_max;
		x = realloc(x, sizeof *x + cap * sizeof x->held[0]);
		if (x == NULL)
			return -BS_ENOMEM;
		x->cap_held = (uint16_t)cap;
		f->ext = x;
	}
	struct held_packet *h = &x->held[x->n_held++];
	h->ts_us = ev->ts_us;
	h->dst = ev->dst;
	h->flags = ev->flags & HELD_FLAGS;
	h->port = ev->port;
	h->aport = ev->aport;
	return 0;
}

/* Allocates f's ext, holding its one packet, if any, in it (a one-packet
 * flow's time is its start). */
static int flow_grow(const attack_table_t *t, struct flow *f)
{
	struct bs_event first = {.ts_us = f->start_us,
	                         .dst = f->first_dst,
	                         .port = f->first_port,
	                         .aport = f->first_aport,
	                         .flags = f->first_flags};

	f->ext = calloc(1, sizeof *f->ext + ATTACK_HELD_INITIAL * sizeof f->ext->held[0]);
	if (f->ext == NULL)
		return -BS_ENOMEM;
	f->ext->cap_held = ATTACK_HELD_INITIAL;
	return f->packets == 1 ? hold(t, f, &first) : 0;
}

/* Makes f's statistics count every packet: grows f if needed and replays
 * the held packets, in the order they came. */
static int flow_build(const attack_table_t *t, struct flow *f)
{
	int rc;

	/* A prefix flow's first packet counts its victim here, when it leaves
	 * the one-packet record (its later packets are never held). */
	bool first_victim = f->ext == NULL && f->packets == 1 && (f->first_flags & FLOW_PREFIX);
	if (f->ext == NULL && (rc = flow_grow(t, f)) < 0)
		return rc;
	if (first_victim && (rc = count_victim(f->ext, f->first_victim)) < 0)
		return rc;
	struct flow_ext *x = f->ext;
	if (x->built)
		return 0;
	x->built = true;
	for (unsigned i = 0; i < x->n_held; i++) {
		const struct held_packet *h = &x->held[i];
		struct bs_event ev = {.ts_us = h->ts_us,
		                      .dst = h->dst,
		                      .port = h->port,
		                      .aport = h->aport,
		                      .flags = h->flags};
		if ((rc = ext_add(t, x, &ev, dst_hash(&ev.dst))) < 0)
			return rc;
	}
	x->n_held = 0;
	x->cap_held = 0;
	/* Giving back the held room keeps the flow if that fails. */
	struct flow_ext *shrunk = realloc(x, sizeof *x);
	if (shrunk != NULL)
		f->ext = shrunk;
	return 0;
}

/* Adds ev, whose dst_hash() is dh, to f (not yet on the expiry list's
 * tail: the caller moves it). */
static int flow_add(const attack_table_t *t, struct flow *f, const struct bs_event *ev, uint64_t dh)
{
	int rc;

	/* A mismatch needs the responder fields, which only the statistics
	 * have: it is never held; nor is a later packet of the prefix view,
	 * whose victim a held packet has no room for. */
	bool direct = (ev->flags & BS_EV_MISMATCH) || (t->by_prefix && f->packets > 0);
	if (f->packets == 0 && !direct) {
		f->first_dst = ev->dst;
		f->first_port = ev->port;
		f->first_aport = ev->aport;
		f->first_flags = ev->flags & HELD_FLAGS;
	} else if (!direct && f->packets < t->held_max && (f->ext == NULL || !f->ext->built)) {
		/* Every packet so far is held (or is the first). */
		if (f->ext == NULL && (rc = flow_grow(t, f)) < 0)
			return rc;
		if ((rc = hold(t, f, ev)) < 0)
			return rc;
	} else if ((rc = flow_build(t, f)) < 0 || (rc = ext_add(t, f->ext, ev, dh)) < 0) {
		return rc;
	}
	if (t->by_prefix) {
		f->first_flags |= FLOW_PREFIX;
		if (f->ext == NULL)
			f->first_victim = victim_hash(&ev->victim);
		else if ((rc = count_victim(f->ext, victim_hash(&ev->victim))) < 0)
			return rc;
	}
	if (f->packets == 0 || ev->ts_us < f->start_us)
		f->start_us = ev->ts_us;
	if (ev->ts_us > f->end_us)
		f->end_us = ev->ts_us;
	f->packets++;
	f->bytes += ev->ip_len;
	f->responses |= 1u << ev->response;
	f->touch_us = t->now_us;
	return 0;
}

/* Tests an ended flow and hands it to the callback if it qualifies. The
 * cheap scalar thresholds go first so that one-packet flows are rejected
 * without growing. */
static int flow_report(attack_table_t *t, struct flow *f)
{
	const struct attack_params *p = &t->p;
	int rc;

	if (f->packets < p->min_packets ||
	    f->end_us - f->start_us < (uint64_t)p->min_duration_s * BS_US_PER_S) {
		t->stats.rejected++;
		return 0;
	}
	if ((rc = flow_build(t, f)) < 0)
		return rc;
	const struct flow_ext *x = f->ext;
	uint32_t peak = peak_value(&x->peak);
	uint64_t dests = distinct_count(&x->dests);
	uint64_t victims = t->by_prefix ? distinct_count(&x->victims) : 0;
	if (peak < p->min_ppm || dests < p->min_dests ||
	    (t->by_prefix && victims < t->pv.min_victims)) {
		t->stats.rejected++;
		return 0;
	}

	struct attack_record rec;
	memset(&rec, 0, sizeof rec);
	rec.victim = f->victim;
	rec.responder = x->responder;
	rec.has_responder = x->has_responder;
	rec.start_us = f->start_us;
	rec.end_us = f->end_us;
	rec.packets = f->packets;
	rec.bytes = f->bytes;
	rec.telescope_addrs = dests;
	rec.victim_ports = portcount_distinct(&x->ports);
	rec.top_port = portcount_top(&x->ports);
	rec.attack_ports = (int32_t)portset_count(&x->aports);
	rec.responses = f->responses;
	rec.peak_ppm = peak;
	rec.icmp_mismatches = x->icmp_mismatches;
	rec.uniformity_a2 = uniformity_a2(&x->sample);
	rec.uniform = uniformity_pass(rec.uniformity_a2);
	rec.proto = f->proto;
	rec.victims = victims;
	t->stats.attacks++;
	return t->cb(&rec, t->arg);
}

/* Removes f from the table, then reports and frees it: it is gone even if
 * the callback fails, so it is never reported twice. In hold mode a flow
 * that may continue another piece of the capture is handed out instead
 * (at_flush: every open flow may continue into the next piece); a watched
 * table shows such a flow to its edge callback once it is judged. */
static int flow_end(attack_table_t *t, struct flow *f, bool at_flush)
{
	bucket_unlink(t, f);
	list_unlink(t, f);
	t->stats.open_flows--;
	const struct attack_hold *h = &t->hold;
	if (t->partial_cb != NULL &&
	    ((at_flush && h->before_next) || (h->after_previous && f->start_us <= h->until_us)))
		return t->partial_cb((attack_flow_t *)f, t->partial_arg);
	uint64_t attacks = t->stats.attacks;
	int rc = flow_report(t, f);
	if (rc == 0 && t->edge_cb != NULL && (at_flush || f->start_us <= t->leading_until_us))
		rc = t->edge_cb((const attack_flow_t *)f, t->stats.attacks > attacks, t->edge_arg);
	flow_free(f);
	return rc;
}

attack_table_t *attack_table_create(const struct attack_params *p, const bs_prefixes_t *telescope,
                                    attack_cb cb, void *arg)
{
	if (p == NULL || telescope == NULL || cb == NULL || p->flow_timeout_s == 0)
		return NULL;
	attack_table_t *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->buckets = calloc(ATTACK_INITIAL_BUCKETS, sizeof *t->buckets);
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	t->nbuckets = ATTACK_INITIAL_BUCKETS;
	t->p = *p;
	t->timeout_us = (uint64_t)p->flow_timeout_s * BS_US_PER_S;
	t->held_max = p->min_packets < ATTACK_HELD_INITIAL ? ATTACK_HELD_INITIAL
	              : p->min_packets > ATTACK_HELD_MAX   ? ATTACK_HELD_MAX
	                                                   : p->min_packets;
	t->telescope = telescope;
	t->cb = cb;
	t->arg = arg;
	return t;
}

void attack_table_free(attack_table_t *t)
{
	if (t == NULL)
		return;
	for (struct flow *f = t->oldest, *newer; f != NULL; f = newer) {
		newer = f->newer;
		flow_free(f);
	}
	free(t->buckets);
	free(t);
}

/* Links f, whose key_hash() is hash, into the hash table and the expiry
 * list's tail. */
static int flow_insert(attack_table_t *t, struct flow *f, uint64_t hash)
{
	int rc;

	if (t->stats.open_flows >= (uint64_t)t->nbuckets * ATTACK_MAX_LOAD &&
	    (rc = table_grow(t)) < 0)
		return rc;
	size_t b = hash & (t->nbuckets - 1);
	f->next = t->buckets[b];
	t->buckets[b] = f;
	list_append(t, f);
	if (++t->stats.open_flows > t->stats.peak_open_flows)
		t->stats.peak_open_flows = t->stats.open_flows;
	return 0;
}

/* The key ev updates in t: its victim, or in the prefix view the
 * victim's prefix, written to *prefix. */
static const bs_addr_t *event_key(const attack_table_t *t, const struct bs_event *ev,
                                  bs_addr_t *prefix)
{
	if (__builtin_expect(!t->by_prefix, 1))
		return &ev->victim;
	*prefix = ev->victim;
	bs_addr_mask(prefix, prefix->family == BS_AF_INET ? t->pv.len4 : t->pv.len6);
	return prefix;
}

/* attack_table_update() of an event whose key_hash() is hash and
 * dst_hash() dh. */
static int update_hashed(attack_table_t *t, const struct bs_event *ev, uint64_t hash, uint64_t dh)
{
	int rc;

	if (ev->proto >= BS_PROTO_COUNT || ev->response >= BS_RESP_COUNT)
		return -BS_EINVAL;
	if (t->hold.after_previous && t->hold.until_us == 0)
		t->hold.until_us = ev->ts_us + t->timeout_us;
	if (ev->ts_us > t->now_us)
		t->now_us = ev->ts_us;
	/* Strictly older than the timeout ends a flow: a gap of exactly the
	 * timeout keeps it. now >= touch always, so no overflow. */
	while (t->oldest != NULL && t->now_us - t->oldest->touch_us > t->timeout_us)
		if ((rc = flow_end(t, t->oldest, false)) < 0)
			return rc;

	/* The prefix view's flows still see the whole victim in ev. */
	bs_addr_t prefix;
	const bs_addr_t *key = event_key(t, ev, &prefix);
	struct flow *f = flow_find(t, key, ev->proto, hash);
	if (f != NULL) {
		if ((rc = flow_add(t, f, ev, dh)) < 0)
			return rc;
		/* Moving a flow rewrites its two neighbours, cold flows as a
		 * rule: not needed when it is already the newest (a burst). */
		if (t->newest != f) {
			list_unlink(t, f);
			list_append(t, f);
		}
		return 0;
	}
	f = calloc(1, sizeof *f);
	if (f == NULL)
		return -BS_ENOMEM;
	f->victim = *key;
	f->proto = ev->proto;
	if ((rc = flow_add(t, f, ev, dh)) < 0 || (rc = flow_insert(t, f, hash)) < 0) {
		flow_free(f);
		return rc;
	}
	t->stats.flows++;
	return 0;
}

int attack_table_update(attack_table_t *t, const struct bs_event *ev)
{
	bs_addr_t prefix;
	return update_hashed(t, ev, key_hash(event_key(t, ev, &prefix), ev->proto),
	                     dst_hash(&ev->dst));
}

/* The flow at the head of the chain hash leads to (the flow a key finds,
 * nearly always: chains average under one flow), or NULL. */
static const struct flow *chain_head(const attack_table_t *t, uint64_t hash)
{
	return t->buckets[hash & (t->nbuckets - 1)];
}

/* The stages of attack_table_update_batch(), each a hint: the table may
 * change before the event is updated. Its flow: the key and chain link,
 * then the counters flow_add() writes. */
static void prefetch_flow(const attack_table_t *t, uint64_t hash)
{
	const struct flow *f = chain_head(t, hash);
	if (f != NULL) {
		__builtin_prefetch(f);
		__builtin_prefetch((const char *)f + 64);
	}
}

/* Its flow's statistics record. */
static void prefetch_ext(const attack_table_t *t, uint64_t hash)
{
	const struct flow *f = chain_head(t, hash);
	if (f != NULL && f->ext != NULL) {
		__builtin_prefetch(f->ext);
		__builtin_prefetch((const char *)f->ext + 64);
	}
}

/* The slots of the statistics blocks that ev, whose destination hashes
 * to dh, will update: the destination set, victim and attacker ports. */
static void prefetch_blocks(const attack_table_t *t, uint64_t hash, const struct bs_event *ev,
                            uint64_t dh)
{
	const struct flow *f = chain_head(t, hash);
	if (f == NULL || f->ext == NULL || !f->ext->built)
		return;
	const struct flow_ext *x = f->ext;
	distinct_prefetch(&x->dests, dh);
	if (ev->flags & BS_EV_HAS_PORT)
		portcount_prefetch(&x->ports, ev->port);
	if (ev->flags & BS_EV_HAS_APORT)
		portset_prefetch(&x->aports, ev->aport);
}

int attack_table_update_batch(attack_table_t *t, const struct bs_event *evs, size_t n)
{
	/* The hashes of the events between the one updated and the one
	 * whose bucket is fetched, by index modulo ATTACK_AHEAD_RING. */
	uint64_t hash[ATTACK_AHEAD_RING], dh[ATTACK_AHEAD_RING];
	const size_t ring = ATTACK_AHEAD_RING - 1;
	/* Event i enters the pipeline (hashed, its bucket fetched) when event
	 * i - ATTACK_AHEAD_BUCKET is updated; each later stage reads what the
	 * one before fetched: the flow the bucket points to, the flow's
	 * statistics record, their blocks' slots. */
	for (size_t j = 0; j < n && j < ATTACK_AHEAD_BUCKET; j++) {
		bs_addr_t prefix;
		hash[j] = key_hash(event_key(t, &evs[j], &prefix), evs[j].proto);
		dh[j] = dst_hash(&evs[j].dst);
		__builtin_prefetch(&t->buckets[hash[j] & (t->nbuckets - 1)]);
	}
	for (size_t i = 0; i < n; i++) {
		size_t j;
		if ((j = i + ATTACK_AHEAD_BUCKET) < n) {
			bs_addr_t prefix;
			hash[j & ring] = key_hash(event_key(t, &evs[j], &prefix), evs[j].proto);
			dh[j & ring] = dst_hash(&evs[j].dst);
			__builtin_prefetch(&t->buckets[hash[j & ring] & (t->nbuckets - 1)]);
		}
		if ((j = i + ATTACK_AHEAD_FLOW) < n)
			prefetch_flow(t, hash[j & ring]);
		if ((j = i + ATTACK_AHEAD_EXT) < n)
			prefetch_ext(t, hash[j & ring]);
		if ((j = i + ATTACK_AHEAD_BLOCKS) < n)
			prefetch_blocks(t, hash[j & ring], &evs[j], dh[j & ring]);
		int rc = update_hashed(t, &evs[i], hash[i & ring], dh[i & ring]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Flush order, memcmp-style: start time, then victim, then protocol (a
 * total order: two open flows never share victim and protocol). */
static int flow_cmp(const struct flow *a, const struct flow *b)
{
	if (a->start_us != b->start_us)
		return a->start_us < b->start_us ? -1 : 1;
	int c = bs_addr_cmp(&a->victim, &b->victim);
	if (c != 0)
		return c;
	return (a->proto > b->proto) - (a->proto < b->proto);
}

/* Merge sort of a NULL-terminated list linked by newer (older is left
 * stale); recursion depth is log2 of the length. Returns the new head. */
static struct flow *sort_flows(struct flow *head)
{
	if (head == NULL || head->newer == NULL)
		return head;
	struct flow *slow = head, *fast = head->newer;
	while (fast != NULL && fast->newer != NULL) {
		slow = slow->newer;
		fast = fast->newer->newer;
	}
	struct flow *second = slow->newer;
	slow->newer = NULL;
	struct flow *a = sort_flows(head), *b = sort_flows(second);
	struct flow *out = NULL, **end = &out;
	while (a != NULL && b != NULL) {
		struct flow **first = flow_cmp(a, b) < 0 ? &a : &b;
		*end = *first;
		*first = (*first)->newer;
		end = &(*end)->newer;
	}
	*end = a != NULL ? a : b;
	return out;
}

int attack_table_flush(attack_table_t *t)
{
	struct flow *prev = NULL;

	t->oldest = sort_flows(t->oldest);
	for (struct flow *f = t->oldest; f != NULL; f = f->newer) {
		f->older = prev;
		prev = f;
	}
	t->newest = prev;
	while (t->oldest != NULL) {
		int rc = flow_end(t, t->oldest, true);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void attack_table_stats(const attack_table_t *t, struct attack_stats *out)
{
	*out = t->stats;
}

void attack_stats_add(struct attack_stats *sum, const struct attack_stats *piece)
{
	sum->flows += piece->flows;
	sum->attacks += piece->attacks;
	sum->rejected += piece->rejected;
	sum->open_flows += piece->open_flows;
	sum->stitched += piece->stitched;
	if (piece->peak_open_flows > sum->peak_open_flows)
		sum->peak_open_flows = piece->peak_open_flows;
}

void attack_table_hold(attack_table_t *t, const struct attack_hold *hold, attack_partial_cb cb,
                       void *arg)
{
	t->hold = *hold;
	t->partial_cb = cb;
	t->partial_arg = arg;
}

void attack_table_key_prefix(attack_table_t *t, const struct attack_prefix_view *pv)
{
	t->by_prefix = true;
	t->pv = *pv;
}

bool attack_flow_is_prefix(const attack_flow_t *f)
{
	return (f->f.first_flags & FLOW_PREFIX) != 0;
}

uint64_t attack_table_hold_until(const attack_table_t *t)
{
	return t->hold.until_us;
}

void attack_table_watch_edges(attack_table_t *t, uint64_t leading_until_us, attack_edge_cb cb,
                              void *arg)
{
	t->leading_until_us = leading_until_us;
	t->edge_cb = cb;
	t->edge_arg = arg;
}

/* Folds src's packets into dst (same key) and frees src. */
static int flow_merge(const attack_table_t *t, struct flow *dst, struct flow *src)
{
	int rc;

	if ((rc = flow_build(t, dst)) < 0 || (rc = flow_build(t, src)) < 0)
		return rc;
	struct flow_ext *x = dst->ext;
	const struct flow_ext *y = src->ext;
	if ((rc = distinct_merge(&x->dests, &y->dests)) < 0 ||
	    (rc = portcount_merge(&x->ports, &y->ports)) < 0 ||
	    (rc = portset_merge(&x->aports, &y->aports)) < 0 ||
	    (rc = peak_merge(&x->peak, &y->peak)) < 0 ||
	    (rc = uniformity_merge(&x->sample, &y->sample)) < 0 ||
	    (rc = distinct_merge(&x->victims, &y->victims)) < 0)
		return rc;
	x->icmp_mismatches += y->icmp_mismatches;
	if (y->has_responder &&
	    (!x->has_responder || bs_addr_cmp(&y->responder, &x->responder) < 0)) {
		x->responder = y->responder;
		x->has_responder = true;
	}
	if (src->start_us < dst->start_us)
		dst->start_us = src->start_us;
	if (src->end_us > dst->end_us)
		dst->end_us = src->end_us;
	if (src->touch_us > dst->touch_us)
		dst->touch_us = src->touch_us;
	dst->packets += src->packets;
	dst->bytes += src->bytes;
	dst->responses |= src->responses;
	flow_free(src);
	return 0;
}

int attack_table_adopt(attack_table_t *t, attack_flow_t *partial)
{
	struct flow *f = &partial->f;
	uint64_t hash = key_hash(&f->victim, f->proto);
	struct flow *open = flow_find(t, &f->victim, f->proto, hash);
	int rc = 0;

	/* Same rule as attack_table_update(): a gap of exactly the timeout
	 * keeps the flow. A partial flow may start before the open one's last
	 * update when pieces overlap in time: that continues it too. */
	if (open != NULL &&
	    (f->start_us <= open->touch_us || f->start_us - open->touch_us <= t->timeout_us)) {
		rc = flow_merge(t, open, f);
		if (rc < 0)
			flow_free(f);
		else
			t->stats.stitched++;
		return rc;
	}
	if (open != NULL && (rc = flow_end(t, open, false)) < 0) {
		flow_free(f);
		return rc;
	}
	if ((rc = flow_insert(t, f, hash)) < 0)
		flow_free(f);
	return rc;
}

int attack_table_expire(attack_table_t *t, uint64_t now_us)
{
	for (struct flow *f = t->oldest, *newer; f != NULL; f = newer) {
		newer = f->newer;
		if (now_us > f->touch_us && now_us - f->touch_us > t->timeout_us) {
			int rc = flow_end(t, f, false);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

uint64_t attack_flow_start(const attack_flow_t *f)
{
	return f->f.start_us;
}

void attack_flow_free(attack_flow_t *f)
{
	if (f != NULL)
		flow_free(&f->f);
}

uint64_t attack_flow_end(const attack_flow_t *f)
{
	return f->f.end_us;
}

uint64_t attack_flow_packets(const attack_flow_t *f)
{
	return f->f.packets;
}

uint64_t attack_flow_touch(const attack_flow_t *f)
{
	return f->f.touch_us;
}

void attack_flow_key(const attack_flow_t *f, bs_addr_t *victim, uint8_t *proto)
{
	*victim = f->f.victim;
	*proto = f->f.proto;
}

int attack_flow_cmp(const attack_flow_t *a, const attack_flow_t *b)
{
	return flow_cmp(&a->f, &b->f);
}

/* Forms of an encoded flow (attack.h). */
enum { FLOW_FORM_ONE = 0, FLOW_FORM_HELD = 1, FLOW_FORM_BUILT = 2 };

_Static_assert(ATTACK_HELD_MAX <= UINT16_MAX, "held packets are counted in a u16");

static void put_addr(struct bs_buf *b, const bs_addr_t *a)
{
	bs_buf_put_u8(b, a->family);
	bs_buf_put_bytes(b, a->bytes, a->family == BS_AF_INET ? 4 : sizeof a->bytes);
}

/* An address as put_addr() writes it; the bytes an IPv4 address does not
 * use are zero, as bs_addr_from_v4() leaves them. */
static bs_addr_t get_addr(struct bs_buf_reader *r)
{
	bs_addr_t a = {.family = bs_buf_get_u8(r)};

	if (a.family != BS_AF_INET && a.family != BS_AF_INET6) {
		bs_buf_fail(r, "address family neither IPv4 nor IPv6");
		return a;
	}
	const uint8_t *p = bs_buf_get_bytes(r, a.family == BS_AF_INET ? 4 : sizeof a.bytes);
	if (p != NULL)
		memcpy(a.bytes, p, a.family == BS_AF_INET ? 4 : sizeof a.bytes);
	return a;
}

/* The flags a held or first packet keeps. */
static uint8_t get_packet_flags(struct bs_buf_reader *r)
{
	uint8_t flags = bs_buf_get_u8(r);
	if ((flags & ~HELD_FLAGS) != 0)
		bs_buf_fail(r, "packet flags other than has-port and has-attacker-port");
	return flags;
}

int attack_flow_encode(const attack_flow_t *partial, struct bs_buf *b)
{
	const struct flow *f = &partial->f;
	const struct flow_ext *x = f->ext;
	bool prefix = (f->first_flags & FLOW_PREFIX) != 0;
	int rc;

	/* A prefix flow never holds packets (flow_add()): no room for their
	 * victims. */
	if (prefix && x != NULL && !x->built)
		return -BS_EINVAL;
	put_addr(b, &f->victim);
	bs_buf_put_u8(b, f->proto);
	bs_buf_put_u32(b, f->responses);
	bs_buf_put_u64(b, f->touch_us);
	bs_buf_put_u64(b, f->bytes);
	if (x == NULL) {
		bs_buf_put_u8(b, FLOW_FORM_ONE);
		bs_buf_put_u64(b, f->start_us);
		put_addr(b, &f->first_dst);
		bs_buf_put_u8(b, f->first_flags & HELD_FLAGS);
		bs_buf_put_u16(b, f->first_port);
		bs_buf_put_u16(b, f->first_aport);
		if (prefix)
			bs_buf_put_u32(b, f->first_victim);
		return bs_buf_status(b);
	}
	if (!x->built) {
		bs_buf_put_u8(b, FLOW_FORM_HELD);
		bs_buf_put_u16(b, x->n_held);
		for (unsigned i = 0; i < x->n_held; i++) {
			bs_buf_put_u64(b, x->held[i].ts_us);
			put_addr(b, &x->held[i].dst);
			bs_buf_put_u8(b, x->held[i].flags);
			bs_buf_put_u16(b, x->held[i].port);
			bs_buf_put_u16(b, x->held[i].aport);
		}
		return bs_buf_status(b);
	}
	bs_buf_put_u8(b, FLOW_FORM_BUILT);
	bs_buf_put_u64(b, f->start_us);
	bs_buf_put_u64(b, f->end_us);
	bs_buf_put_u64(b, f->packets);
	bs_buf_put_u64(b, x->icmp_mismatches);
	bs_buf_put_u8(b, x->has_responder);
	if (x->has_responder)
		put_addr(b, &x->responder);
	if ((rc = distinct_encode(&x->dests, b)) < 0 || (rc = portcount_encode(&x->ports, b)) < 0 ||
	    (rc = portset_encode(&x->aports, b)) < 0 || (rc = peak_encode(&x->peak, b)) < 0 ||
	    (rc = uniformity_encode(&x->sample, b)) < 0)
		return rc;
	return prefix ? distinct_encode(&x->victims, b) : 0;
}

/* Form 0: the flow's one packet, kept in the flow itself. */
static int decode_one(struct bs_buf_reader *r, struct flow *f)
{
	f->start_us = f->end_us = bs_buf_get_u64(r);
	f->packets = 1;
	f->first_dst = get_addr(r);
	f->first_flags = get_packet_flags(r);
	f->first_port = bs_buf_get_u16(r);
	f->first_aport = bs_buf_get_u16(r);
	return bs_buf_failed(r) ? -BS_EFORMAT : 0;
}

/* Form 1: packets held as they came, statistics not built. */
static int decode_held(struct bs_buf_reader *r, struct flow *f)
{
	uint16_t n = bs_buf_get_u16(r);

	if (bs_buf_failed(r))
		return -BS_EFORMAT;
	if (n < 2 || n > ATTACK_HELD_MAX)
		return bs_buf_fail(r, "held packets not between 2 and the most a flow holds");
	f->ext = calloc(1, sizeof *f->ext + n * sizeof f->ext->held[0]);
	if (f->ext == NULL)
		return -BS_ENOMEM;
	f->ext->cap_held = n;
	for (unsigned i = 0; i < n && !bs_buf_failed(r); i++) {
		struct held_packet *h = &f->ext->held[i];
		h->ts_us = bs_buf_get_u64(r);
		h->dst = get_addr(r);
		h->flags = get_packet_flags(r);
		h->port = bs_buf_get_u16(r);
		h->aport = bs_buf_get_u16(r);
		if (i == 0 || h->ts_us < f->start_us)
			f->start_us = h->ts_us;
		if (i == 0 || h->ts_us > f->end_us)
			f->end_us = h->ts_us;
	}
	f->ext->n_held = n;
	f->packets = n;
	return bs_buf_failed(r) ? -BS_EFORMAT : 0;
}

/* Form 2: built statistics, checked against the flow's counters. */
static int decode_built(struct bs_buf_reader *r, struct flow *f)
{
	int rc;

	f->start_us = bs_buf_get_u64(r);
	f->end_us = bs_buf_get_u64(r);
	f->packets = bs_buf_get_u64(r);
	if ((f->ext = calloc(1, sizeof *f->ext)) == NULL)
		return -BS_ENOMEM;
	struct flow_ext *x = f->ext;
	x->built = true;
	x->icmp_mismatches = bs_buf_get_u64(r);
	uint8_t has_responder = bs_buf_get_u8(r);
	if (has_responder > 1)
		return bs_buf_fail(r, "has-responder neither 0 nor 1");
	x->has_responder = has_responder;
	if (x->has_responder)
		x->responder = get_addr(r);
	if (bs_buf_failed(r))
		return -BS_EFORMAT;
	if (f->packets == 0 || f->start_us > f->end_us)
		return bs_buf_fail(r, "no packets, or a start after the end");
	if (x->icmp_mismatches > f->packets || x->has_responder != (x->icmp_mismatches > 0))
		return bs_buf_fail(r, "ICMP mismatches or responder impossible for the packets");
	if ((rc = distinct_decode(&x->dests, r)) < 0 || (rc = portcount_decode(&x->ports, r)) < 0 ||
	    (rc = portset_decode(&x->aports, r)) < 0 || (rc = peak_decode(&x->peak, r)) < 0 ||
	    (rc = uniformity_decode(&x->sample, r)) < 0)
		return rc;
	if (distinct_is_exact(&x->dests) &&
	    (distinct_count(&x->dests) == 0 || distinct_count(&x->dests) > f->packets))
		return bs_buf_fail(r, "more or fewer destinations than packets allow");
	if (portset_count(&x->aports) > f->packets)
		return bs_buf_fail(r, "more attacker ports than packets");
	if (uniformity_size(&x->sample) > f->packets)
		return bs_buf_fail(r, "more sampled packets than packets");
	return 0;
}

/* What a prefix flow adds to forms 0 and 2: its victims. */
static int decode_victims(struct bs_buf_reader *r, struct flow *f)
{
	f->first_flags |= FLOW_PREFIX;
	if (f->ext == NULL) {
		f->first_victim = bs_buf_get_u32(r);
		return bs_buf_failed(r) ? -BS_EFORMAT : 0;
	}
	int rc = distinct_decode(&f->ext->victims, r);
	if (rc < 0)
		return rc;
	const distinct_t *v = &f->ext->victims;
	if (distinct_count(v) == 0 || (distinct_is_exact(v) && distinct_count(v) > f->packets))
		return bs_buf_fail(r, "more or fewer victims than packets allow");
	return 0;
}

/* attack_flow_decode() and, with pv, attack_prefix_flow_decode(). */
static int flow_decode(struct bs_buf_reader *r, const struct attack_prefix_view *pv,
                       attack_flow_t **out)
{
	struct flow *f = calloc(1, sizeof *f);
	int rc;

	*out = NULL;
	if (f == NULL)
		return -BS_ENOMEM;
	f->victim = get_addr(r);
	f->proto = bs_buf_get_u8(r);
	f->responses = bs_buf_get_u32(r);
	f->touch_us = bs_buf_get_u64(r);
	f->bytes = bs_buf_get_u64(r);
	uint8_t form = bs_buf_get_u8(r);
	bs_addr_t masked = f->victim;
	if (pv != NULL)
		bs_addr_mask(&masked, masked.family == BS_AF_INET ? pv->len4 : pv->len6);
	if (bs_buf_failed(r))
		rc = -BS_EFORMAT;
	else if (f->proto >= BS_PROTO_COUNT)
		rc = bs_buf_fail(r, "protocol out of range");
	else if (f->responses == 0 || (f->responses >> BS_RESP_COUNT) != 0)
		rc = bs_buf_fail(r, "responses empty or out of range");
	else if (pv != NULL && bs_addr_cmp(&masked, &f->victim) != 0)
		rc = bs_buf_fail(r, "prefix with bits set past the prefix view's length");
	else if (form == FLOW_FORM_ONE)
		rc = decode_one(r, f);
	else if (form == FLOW_FORM_HELD && pv == NULL)
		rc = decode_held(r, f);
	else if (form == FLOW_FORM_BUILT)
		rc = decode_built(r, f);
	else
		rc = bs_buf_fail(r, pv != NULL && form == FLOW_FORM_HELD
		                        ? "held packets in a prefix-view flow"
		                        : "unknown flow form");
	if (rc == 0 && pv != NULL)
		rc = decode_victims(r, f);
	if (rc == 0 && f->end_us > f->touch_us)
		rc = bs_buf_fail(r, "last update before the last packet");
	if (rc == 0 && f->bytes / f->packets > UINT32_MAX)
		rc = bs_buf_fail(r, "more bytes than the packets can carry");
	if (rc < 0) {
		flow_free(f);
		return rc;
	}
	*out = (attack_flow_t *)f;
	return 0;
}

int attack_flow_decode(struct bs_buf_reader *r, attack_flow_t **out)
{
	return flow_decode(r, NULL, out);
}

int attack_prefix_flow_decode(struct bs_buf_reader *r, const struct attack_prefix_view *pv,
                              attack_flow_t **out)
{
	return flow_decode(r, pv, out);
}

static bool held_equal(const struct held_packet *a, const struct held_packet *b)
{
	return a->ts_us == b->ts_us && bs_addr_cmp(&a->dst, &b->dst) == 0 && a->flags == b->flags &&
	       a->port == b->port && a->aport == b->aport;
}

/* The statistics of two flows (both with ext). */
static bool ext_equal(const struct flow_ext *x, const struct flow_ext *y)
{
	if (x->built != y->built || x->n_held != y->n_held ||
	    !distinct_equal(&x->victims, &y->victims))
		return false;
	for (unsigned i = 0; i < x->n_held; i++)
		if (!held_equal(&x->held[i], &y->held[i]))
			return false;
	return distinct_equal(&x->dests, &y->dests) && portcount_equal(&x->ports, &y->ports) &&
	       portset_equal(&x->aports, &y->aports) && peak_equal(&x->peak, &y->peak) &&
	       uniformity_equal(&x->sample, &y->sample) &&
	       x->icmp_mismatches == y->icmp_mismatches && x->has_responder == y->has_responder &&
	       (!x->has_responder || bs_addr_cmp(&x->responder, &y->responder) == 0);
}

bool attack_flow_equal(const attack_flow_t *pa, const attack_flow_t *pb)
{
	const struct flow *a = &pa->f, *b = &pb->f;

	if (bs_addr_cmp(&a->victim, &b->victim) != 0 || a->proto != b->proto ||
	    a->responses != b->responses || a->touch_us != b->touch_us ||
	    a->start_us != b->start_us || a->end_us != b->end_us || a->packets != b->packets ||
	    a->bytes != b->bytes || (a->ext == NULL) != (b->ext == NULL))
		return false;
	/* The first packet's fields are read only while there is no ext
	 * (flow_grow() holds them): after that they are stale. */
	if (a->ext == NULL)
		return bs_addr_cmp(&a->first_dst, &b->first_dst) == 0 &&
		       a->first_flags == b->first_flags && a->first_port == b->first_port &&
		       a->first_aport == b->first_aport && a->first_victim == b->first_victim;
	return ext_equal(a->ext, b->ext);
}

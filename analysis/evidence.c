/* evidence.c - the first packets of every target, kept on a second
 * reading (see evidence.h). */
#include "analysis/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bs_array.h"
#include "base/bs_error.h"
#include "telescope/event.h"
#include "telescope/outlier.h"

/* pcap's LINKTYPE_RAW: a packet kept from its layer 3 when the reader
 * cannot name its layer 2 (reader_frame()). */
#define EVIDENCE_LINKTYPE_RAW 101u

struct target {
	bs_addr_t victim;
	uint8_t proto;
	uint64_t start_us, end_us;
	uint64_t attack_id; /* 0: an edge flow */
	uint32_t kept;
};

/* A packet seen and wanted, waiting in its look-ahead slot for the
 * outlier rule. */
struct held {
	bool wanted;
	uint8_t bytes[EVIDENCE_SNAPLEN];
	uint32_t caplen, wirelen, linktype, snaplen;
};

struct evidence {
	uint32_t per_target;
	struct target *targets; /* sorted by evidence_ready() */
	size_t n_targets, cap_targets;
	struct held slots[OUTLIER_SLOTS];
	pcapng_t *out;
};

evidence_t *evidence_create(uint32_t per_target)
{
	if (per_target < 1 || per_target > EVIDENCE_MAX_PACKETS)
		return NULL;
	evidence_t *e = calloc(1, sizeof *e);
	if (e == NULL || (e->out = pcapng_create()) == NULL) {
		free(e);
		return NULL;
	}
	e->per_target = per_target;
	return e;
}

void evidence_free(evidence_t *e)
{
	if (e == NULL)
		return;
	free(e->targets);
	pcapng_free(e->out);
	free(e);
}

static int add_target(evidence_t *e, const struct target *t)
{
	if (bs_array_reserve(&e->targets, &e->cap_targets, e->n_targets + 1, sizeof *e->targets))
		return -BS_ENOMEM;
	e->targets[e->n_targets++] = *t;
	return 0;
}

int evidence_add_attack(evidence_t *e, const struct attack_record *rec, uint64_t attack_id)
{
	return add_target(e, &(struct target){.victim = rec->victim,
	                                      .proto = rec->proto,
	                                      .start_us = rec->start_us,
	                                      .end_us = rec->end_us,
	                                      .attack_id = attack_id});
}

int evidence_add_flow(evidence_t *e, const bs_addr_t *victim, uint8_t proto, uint64_t start_us,
                      uint64_t end_us)
{
	return add_target(
	    e, &(struct target){
	           .victim = *victim, .proto = proto, .start_us = start_us, .end_us = end_us});
}

/* Victim, protocol, start: the order a packet's targets are searched in. */
static int key_cmp(const bs_addr_t *va, uint8_t pa, const struct target *b)
{
	int c = bs_addr_cmp(va, &b->victim);
	return c != 0 ? c : (pa > b->proto) - (pa < b->proto);
}

static int target_cmp(const void *a, const void *b)
{
	const struct target *x = a, *y = b;
	int c = key_cmp(&x->victim, x->proto, y);
	if (c != 0)
		return c;
	if (x->start_us != y->start_us)
		return x->start_us < y->start_us ? -1 : 1;
	/* An attack before the edge flow it is: the comment's order. */
	return (x->attack_id == 0) - (y->attack_id == 0);
}

/* The first target of the packet's victim and protocol, or n_targets. */
static size_t first_target(const evidence_t *e, const struct bs_event *ev)
{
	size_t lo = 0, hi = e->n_targets;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(&ev->victim, ev->proto, &e->targets[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Calls each target of the packet's that still wants packets: the ones of
 * its victim and protocol whose time range holds it. Returns how many;
 * with take, counts the packet to them and writes their tags to comment. */
static size_t match(evidence_t *e, const struct verdict *v, bool take, char *comment, size_t len)
{
	size_t n = 0, used = 0;
	for (size_t i = first_target(e, &v->ev); i < e->n_targets; i++) {
		struct target *t = &e->targets[i];
		if (key_cmp(&v->ev.victim, v->ev.proto, t) != 0 || t->start_us > v->ts_us)
			break;
		if (v->ts_us > t->end_us || t->kept >= e->per_target)
			continue;
		n++;
		if (!take)
			continue;
		t->kept++;
		char addr[BS_ADDR_STRLEN];
		bs_addr_format(&t->victim, addr, sizeof addr);
		const char *proto = bs_proto_name(t->proto);
		int w =
		    t->attack_id != 0
		        ? snprintf(comment + used, len - used,
		                   "%sattack_id=%llu victim=%s proto=%s", used ? " " : "",
		                   (unsigned long long)t->attack_id, addr, proto)
		        : snprintf(comment + used, len - used, "%sflow=%s/%s/%llu", used ? " " : "",
		                   addr, proto, (unsigned long long)t->start_us);
		if (w > 0)
			used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
	return n;
}

/* collect_replay.seen: a packet some target wants is copied now, while
 * the reader holds its bytes. */
static int on_seen(const reader_t *r, const struct reader_packet *pkt, const struct verdict *v,
                   unsigned slot, void *arg)
{
	evidence_t *e = arg;
	struct held *h = &e->slots[slot];
	h->wanted = v->kind == VERDICT_BACKSCATTER && match(e, v, false, NULL, 0) > 0;
	if (!h->wanted)
		return 0;
	struct reader_frame f;
	if (reader_frame(r, &f) != 0) {
		f = (struct reader_frame){.bytes = pkt->l3,
		                          .caplen = (uint32_t)pkt->l3_len,
		                          .wirelen = v->ev.ip_len,
		                          .linktype = EVIDENCE_LINKTYPE_RAW};
	}
	h->caplen = f.caplen < EVIDENCE_SNAPLEN ? f.caplen : EVIDENCE_SNAPLEN;
	memcpy(h->bytes, f.bytes, h->caplen);
	h->wirelen = f.wirelen;
	h->linktype = f.linktype;
	h->snaplen = f.snaplen;
	return 0;
}

/* collect_replay.commit: the packet counts to its targets, in the order
 * read. */
static int on_commit(const struct verdict *v, unsigned slot, void *arg)
{
	evidence_t *e = arg;
	struct held *h = &e->slots[slot];
	if (!h->wanted)
		return 0;
	h->wanted = false;
	char comment[EVIDENCE_COMMENT_LEN];
	comment[0] = '\0';
	/* Targets filled by packets committed since it was seen want no
	 * more. */
	if (match(e, v, true, comment, sizeof comment) == 0)
		return 0;
	return pcapng_add(e->out, &(struct pcapng_packet){.ts_us = v->ts_us,
	                                                  .linktype = h->linktype,
	                                                  .snaplen = h->snaplen,
	                                                  .wirelen = h->wirelen,
	                                                  .caplen = h->caplen,
	                                                  .bytes = h->bytes,
	                                                  .comment = comment});
}

void evidence_ready(evidence_t *e, struct collect_replay *rp)
{
	if (e->n_targets > 1)
		qsort(e->targets, e->n_targets, sizeof *e->targets, target_cmp);
	*rp = (struct collect_replay){.seen = on_seen, .commit = on_commit, .arg = e};
}

const pcapng_t *evidence_packets(const evidence_t *e)
{
	return e->out;
}

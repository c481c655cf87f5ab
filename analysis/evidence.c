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
	char section[PCAPNG_COMMENT_MAX];
	evidence_section(per_target, section, sizeof section);
	if (e == NULL || (e->out = pcapng_create()) == NULL ||
	    pcapng_set_comment(e->out, section) != 0) {
		evidence_free(e);
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

int evidence_add_attacks(evidence_t *e, attack_list_t *list)
{
	attack_list_sort(list);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < attack_list_count(list); i++)
		rc = evidence_add_attack(e, attack_list_get(list, i), i + 1);
	return rc;
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

/* The first target of victim and protocol, or n_targets. */
static size_t first_target(const evidence_t *e, const bs_addr_t *victim, uint8_t proto)
{
	size_t lo = 0, hi = e->n_targets;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (key_cmp(victim, proto, &e->targets[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The tag of target t in a packet's comment into buf (len bytes):
 * "attack_id=ID victim=ADDR proto=NAME" or "flow=ADDR/NAME/START_US".
 * snprintf's count. */
static int format_tag(const struct target *t, char *buf, size_t len)
{
	char addr[BS_ADDR_STRLEN];
	bs_addr_format(&t->victim, addr, sizeof addr);
	const char *proto = bs_proto_name(t->proto);
	return t->attack_id != 0 ? snprintf(buf, len, "attack_id=%llu victim=%s proto=%s",
	                                    (unsigned long long)t->attack_id, addr, proto)
	                         : snprintf(buf, len, "flow=%s/%s/%llu", addr, proto,
	                                    (unsigned long long)t->start_us);
}

/* Calls each target of the packet's (victim, proto, time ts_us) that still
 * wants packets: the ones of its victim and protocol whose time range
 * holds it. Returns how many; with take, counts the packet to them and
 * writes their tags, space-separated, to comment. */
static size_t match(evidence_t *e, const bs_addr_t *victim, uint8_t proto, uint64_t ts_us,
                    bool take, char *comment, size_t len)
{
	size_t n = 0, used = 0;
	for (size_t i = first_target(e, victim, proto); i < e->n_targets; i++) {
		struct target *t = &e->targets[i];
		if (key_cmp(victim, proto, t) != 0 || t->start_us > ts_us)
			break;
		if (ts_us > t->end_us || t->kept >= e->per_target)
			continue;
		n++;
		if (!take)
			continue;
		t->kept++;
		if (used > 0 && used + 1 < len)
			comment[used++] = ' ';
		int w = format_tag(t, comment + used, len - used);
		if (w > 0)
			used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
	return n;
}

/* The packet counts to its targets, in the order offered, and is kept
 * with their tags when one still wants it. */
static int keep(evidence_t *e, const bs_addr_t *victim, uint8_t proto,
                const struct pcapng_packet *pkt)
{
	char comment[EVIDENCE_COMMENT_LEN];
	comment[0] = '\0';
	if (match(e, victim, proto, pkt->ts_us, true, comment, sizeof comment) == 0)
		return 0;
	struct pcapng_packet tagged = *pkt;
	tagged.comment = comment;
	return pcapng_add(e->out, &tagged);
}

/* collect_replay.seen: a packet some target wants is copied now, while
 * the reader holds its bytes. */
static int on_seen(const reader_t *r, const struct reader_packet *pkt, const struct verdict *v,
                   unsigned slot, void *arg)
{
	evidence_t *e = arg;
	struct held *h = &e->slots[slot];
	h->wanted = v->kind == VERDICT_BACKSCATTER &&
	            match(e, &v->ev.victim, v->ev.proto, v->ts_us, false, NULL, 0) > 0;
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
	/* Targets filled by packets committed since it was seen want no
	 * more (keep() checks again). */
	return keep(e, &v->ev.victim, v->ev.proto,
	            &(struct pcapng_packet){.ts_us = v->ts_us,
	                                    .linktype = h->linktype,
	                                    .snaplen = h->snaplen,
	                                    .wirelen = h->wirelen,
	                                    .caplen = h->caplen,
	                                    .bytes = h->bytes});
}

void evidence_ready(evidence_t *e, struct collect_replay *rp)
{
	if (e->n_targets > 1)
		qsort(e->targets, e->n_targets, sizeof *e->targets, target_cmp);
	if (rp != NULL)
		*rp = (struct collect_replay){.seen = on_seen, .commit = on_commit, .arg = e};
}

int evidence_offer(evidence_t *e, const struct pcapng_packet *pkt, struct bs_err *err)
{
	bs_addr_t victim;
	uint8_t proto;
	int rc = evidence_packet_key(pkt->comment, &victim, &proto, err);
	return rc != 0 ? rc : keep(e, &victim, proto, pkt);
}

/* The tag at the start of p into *t and its length into *len: parsed,
 * then written again and compared, so that only the text format_tag()
 * writes is taken. */
static int parse_tag(const char *p, struct target *t, size_t *len)
{
	/* Widths: BS_ADDR_STRLEN - 1 and the longest protocol name. */
	_Static_assert(BS_ADDR_STRLEN == 46, "the address width of the formats below");
	char addr[BS_ADDR_STRLEN], name[EVIDENCE_PROTO_LEN];
	unsigned long long id = 0, start = 0;
	int end = -1;
	if (sscanf(p, "attack_id=%llu victim=%45[^ ] proto=%7[^ ]%n", &id, addr, name, &end) != 3 &&
	    (end = -1, sscanf(p, "flow=%45[^/]/%7[^/]/%llu%n", addr, name, &start, &end)) != 3)
		return -BS_EFORMAT;
	*t = (struct target){.attack_id = id, .start_us = start, .proto = BS_PROTO_COUNT};
	for (int i = 0; i < BS_PROTO_COUNT; i++)
		if (strcmp(name, bs_proto_name(i)) == 0)
			t->proto = (uint8_t)i;
	char again[EVIDENCE_COMMENT_LEN];
	if (end < 0 || t->proto == BS_PROTO_COUNT || bs_addr_parse(addr, &t->victim) != 0 ||
	    format_tag(t, again, sizeof again) != end || strncmp(again, p, (size_t)end) != 0)
		return -BS_EFORMAT;
	*len = (size_t)end;
	return 0;
}

int evidence_packet_key(const char *comment, bs_addr_t *victim, uint8_t *proto, struct bs_err *err)
{
	const char *p = comment != NULL ? comment : "";
	struct target first, t;
	size_t len;
	for (size_t n = 0;; n++) {
		if (parse_tag(p, &t, &len) != 0 ||
		    (n > 0 && key_cmp(&first.victim, first.proto, &t) != 0))
			return bs_err_set(
			    err, -BS_EFORMAT,
			    "packet comment \"%.60s\" is not the tags of one victim and "
			    "protocol (attack_id=ID victim=ADDR proto=NAME, "
			    "flow=ADDR/NAME/START_US, space-separated)",
			    comment != NULL ? comment : "");
		if (n == 0)
			first = t;
		p += len;
		if (*p == '\0')
			break;
		if (*p++ != ' ')
			return bs_err_set(err, -BS_EFORMAT,
			                  "packet comment \"%.60s\": no space between tags",
			                  comment);
	}
	*victim = first.victim;
	*proto = first.proto;
	return 0;
}

int evidence_section(uint32_t per_target, char *buf, size_t len)
{
	return snprintf(buf, len, EVIDENCE_SECTION_FMT, per_target);
}

int evidence_per_target(const char *section, uint32_t *per_target)
{
	unsigned n = 0;
	char again[PCAPNG_COMMENT_MAX + 1];
	if (sscanf(section, EVIDENCE_SECTION_FMT, &n) != 1 || n < 1 || n > EVIDENCE_MAX_PACKETS)
		return -BS_EFORMAT;
	evidence_section(n, again, sizeof again);
	if (strcmp(again, section) != 0)
		return -BS_EFORMAT;
	*per_target = n;
	return 0;
}

const pcapng_t *evidence_packets(const evidence_t *e)
{
	return e->out;
}

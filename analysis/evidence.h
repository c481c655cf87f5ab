/* evidence.h - `collect --evidence N`: the first N packets of every
 * reported attack, kept on a second reading of the inputs, for
 * evidence.pcapng (outdir/pcapng.h), so that an analyst can look at what
 * a reported attack looked like (corsaro keeps the packet that opened
 * each attack vector).
 *
 * Why a second pass: which flows become attacks is known only at their
 * end, and keeping packets of every flow until then would make the flow
 * table's memory grow with packets x flows (a million one-packet victims,
 * tests/e2e_hostile.sh). Once the first pass has the attacks, the inputs
 * are read again (collect_job_replay(): the same reader, verdicts and
 * outlier rule) and a packet is kept when it belongs to a target: same
 * victim and protocol, time within the target's first and last packet,
 * and the target has fewer than N. Memory is targets x N x
 * EVIDENCE_SNAPLEN bytes.
 *
 * Targets are the reported attacks (comment "attack_id=ID victim=ADDR
 * proto=NAME") and the run's edge flows (flows.state: "flow=ADDR/PROTO/
 * START_US"), which may become attacks, or parts of one, only when merge
 * joins the pieces; a packet of both carries both. Packets are added in
 * the order read, so the file is in capture order. The section comment
 * records N (EVIDENCE_SECTION_FMT).
 *
 * Merge uses the same targets over other packets: the merged attacks and
 * edge flows, offered the packets of its shards' evidence.pcapng in
 * capture order (evidence_offer(), which reads a packet's victim and
 * protocol from its tags). A merged target's first N packets are among
 * them: within one shard its packets are those of one shard target (an
 * attack, or the edge flow it continues), which kept its own first N. So
 * the same rule keeps the same packets, tagged alike, and the merged file
 * is the one collect over all the pieces writes. */
#ifndef ANALYSIS_EVIDENCE_H
#define ANALYSIS_EVIDENCE_H

#include <stdint.h>

#include "analysis/collect_job.h"
#include "base/bs_error.h"
#include "outdir/attack_list.h"
#include "telescope/addr.h"
#include "telescope/attack.h"
#include "outdir/pcapng.h"

/* Bytes kept of each packet: an Ethernet header (14), an 802.1Q tag (4)
 * and an IPv6 header (40) with the ICMPv6 error header (8) and the quoted
 * IPv6 (40) and transport (20) headers of the flood add up to 126: every
 * header of a backscatter packet fits, and what follows is payload that
 * says nothing about the attack and may carry other people's data. */
#define EVIDENCE_SNAPLEN 128u
/* Largest --evidence: a thousand packets of every attack is far more than
 * anyone reads, and bounds the file at attacks x 1000 x 128 bytes. */
#define EVIDENCE_MAX_PACKETS 1000u
/* evidence.pcapng's comment lengths stay far below PCAPNG_COMMENT_MAX. */
#define EVIDENCE_COMMENT_LEN 200u
/* The longest protocol name (bs_proto_name(): "OTHER") and its NUL, with
 * room. */
#define EVIDENCE_PROTO_LEN 8u
/* The section comment of evidence.pcapng: how many packets it keeps of
 * each target, which merge needs (its shards' N may differ) and an
 * analyst may want to read (capinfos shows it). */
#define EVIDENCE_SECTION_FMT "backscatter evidence: the first %u packets of every target"

typedef struct evidence evidence_t;

/** Keeps up to per_target (1..EVIDENCE_MAX_PACKETS) packets per target.
 * NULL on allocation failure or per_target out of range. */
evidence_t *evidence_create(uint32_t per_target);

/** Safe on NULL. */
void evidence_free(evidence_t *e);

/** Targets, before evidence_ready(): a reported attack by its attack_id,
 * an edge flow by its key and packet time range. 0 or -BS_ENOMEM. */
int evidence_add_attack(evidence_t *e, const struct attack_record *rec, uint64_t attack_id);
int evidence_add_flow(evidence_t *e, const bs_addr_t *victim, uint8_t proto, uint64_t start_us,
                      uint64_t end_us);

/** Every attack of list as a target, numbered as attacks.csv numbers them:
 * the list is sorted (attack_list_sort()) and attack i gets attack_id
 * i + 1. 0 or -BS_ENOMEM. */
int evidence_add_attacks(evidence_t *e, attack_list_t *list);

/** Ends the targets; *rp (unless NULL) then takes the inputs' packets
 * (collect_job_replay()), in capture order. */
void evidence_ready(evidence_t *e, struct collect_replay *rp);

/** After evidence_ready(): a packet of an earlier evidence file (merge
 * reads its shards' evidence.pcapng in capture order), its comment the
 * tags that file gave it. It is kept when one of the targets of the
 * victim and protocol the tags name still wants it, tagged with those
 * targets, as collect would have kept it. 0, -BS_EFORMAT (err says the
 * comment is not tags evidence writes), -BS_ENOMEM, or pcapng_add()'s
 * code. */
int evidence_offer(evidence_t *e, const struct pcapng_packet *pkt, struct bs_err *err);

/** The victim and protocol a packet's comment names: every tag (attack_id=
 * ID victim=ADDR proto=NAME, flow=ADDR/NAME/START_US, as written here,
 * space-separated) the same. 0, or -BS_EFORMAT with err saying so. */
int evidence_packet_key(const char *comment, bs_addr_t *victim, uint8_t *proto, struct bs_err *err);

/** The section comment of a file keeping per_target packets per target
 * into buf (len bytes; snprintf's count), and back: 0, or -BS_EFORMAT
 * when section is not one, or not of 1..EVIDENCE_MAX_PACKETS. */
int evidence_section(uint32_t per_target, char *buf, size_t len);
int evidence_per_target(const char *section, uint32_t *per_target);

/** The packets kept so far. Borrowed. */
const pcapng_t *evidence_packets(const evidence_t *e);

#endif

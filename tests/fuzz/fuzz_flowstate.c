/* fuzz_flowstate.c - libFuzzer target for flows.state (outdir/flowstate.h):
 * the input is a file that `merge` reads to stitch collect runs. The work
 * is in fuzz_run_flowstate(), which tests/check_flowstate.c calls on the
 * seeds and findings too. A broken contract aborts, which libFuzzer saves
 * as a crash. */
#include "fuzz_flowstate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/bs_buf.h"
#include "base/bs_error.h"
#include "outdir/flowstate.h"
#include "telescope/attack.h"

/* The telescope the stitching table maps held packets' destinations with
 * (positions for the uniformity sample): IPv4 and IPv6, as the seeds. */
#define FUZZ_TELESCOPE "10.0.0.0/8,2001:db8::/32"
/* Where the length field and the checksum sit (flowstate.h), and the
 * least a file with both takes. */
#define FUZZ_LENGTH_AT  12u
#define FUZZ_SUM_LEN    8u
#define FUZZ_SEALED_MIN 80u
#define FUZZ_US_PER_S   1000000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A reported attack must be sane, whatever flows made it. */
static int check_record(const struct attack_record *rec, void *arg)
{
	bool *insane = arg;
	if (rec->start_us > rec->end_us || rec->packets == 0 || rec->proto >= BS_PROTO_COUNT ||
	    rec->top_port < -1 || rec->top_port > 65535 || rec->attack_ports < 0 ||
	    (uint64_t)rec->attack_ports > rec->packets || rec->responses == 0 ||
	    rec->icmp_mismatches > rec->packets || rec->has_responder != (rec->icmp_mismatches > 0))
		*insane = true;
	return 0;
}

/* The message of a refused input: one line, not empty, every reason in it. */
static const char *check_message(int rc, const struct bs_err *err)
{
	if (rc != -BS_EFORMAT && rc != -BS_ENOMEM)
		return "flowstate_parse: a code flowstate.h does not list";
	if (err->code != rc)
		return "flowstate_parse: the message carries another code";
	if (memchr(err->msg, '\0', sizeof err->msg) == NULL || err->msg[0] == '\0')
		return "flowstate_parse: no message";
	for (const char *c = err->msg; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "flowstate_parse: message not one line";
	if (strstr(err->msg, "(null)") != NULL)
		return "flowstate_parse: a reason missing from the message";
	return NULL;
}

/* The edges a stitching table shows, written as merge writes its own
 * flows.state. */
struct edges {
	flowstate_writer_t *w;
	uint64_t shown, reported;
};

static int write_edge(const attack_flow_t *f, bool reported, void *arg)
{
	struct edges *e = arg;
	e->shown++;
	e->reported += reported;
	return flowstate_writer_add(e->w, f, reported, NULL);
}

/* The file of the edges shown under header h: written without complaint
 * and read back whole. */
static const char *check_edges(const struct flowstate_header *h, const struct edges *e)
{
	struct bs_buf out = {0};
	struct bs_err err;
	const char *why = NULL;
	int rc = flowstate_writer_encode(e->w, h, &out, &err);
	if (rc != 0 && rc != -BS_ENOMEM)
		why = "flowstate_writer_encode: refuses the edges a stitching table showed";
	if (rc == 0) {
		struct flowstate_header back;
		struct flowstate_flow *flows;
		size_t n;
		rc = flowstate_parse(out.data, out.len, &back, &flows, &n, &err);
		if (rc != 0 && rc != -BS_ENOMEM)
			why = "flowstate_parse: refuses what the writer wrote";
		else if (rc == 0 && n != e->shown)
			why = "flowstate_parse: not every flow written read back";
		flowstate_flows_free(flows, n);
	}
	bs_buf_free(&out);
	return why;
}

/* A reported prefix attack must also have its victims. */
static int check_prefix_record(const struct attack_record *rec, void *arg)
{
	bool *insane = arg;
	if (rec->victims == 0 || (rec->victims > rec->packets && rec->victims <= 512))
		*insane = true;
	return check_record(rec, arg);
}

/* Adopts the flows (handed over one by one: the entries become NULL) into
 * a stitching table made with h's parameters, the prefix view's flows
 * into one keyed on h's view, both watched as a piece's tables are (flows
 * starting within a timeout of first_us, and every flow open at the end),
 * expires at h's end, flushes; then writes what they showed. */
static const char *stitch(const struct flowstate_header *h, struct flowstate_flow *flows, size_t n)
{
	bs_prefixes_t *tel = bs_prefixes_create();
	bool insane = false;
	attack_table_t *t = NULL, *pt = NULL;
	struct edges e = {.w = flowstate_writer_create()};
	const char *why = NULL;

	if (tel == NULL || e.w == NULL || bs_prefixes_add(tel, FUZZ_TELESCOPE) != 0 ||
	    (t = attack_table_create(&h->params, tel, check_record, &insane)) == NULL ||
	    (pt = attack_table_create(&h->params, tel, check_prefix_record, &insane)) == NULL) {
		attack_table_free(t);
		bs_prefixes_free(tel);
		flowstate_writer_free(e.w);
		return "stitch: cannot set up the table";
	}
	if (h->has_prefix_view)
		attack_table_key_prefix(pt, &h->prefix_view);
	uint64_t timeout_us = (uint64_t)h->params.flow_timeout_s * FUZZ_US_PER_S;
	uint64_t leading =
	    h->first_us > UINT64_MAX - timeout_us ? UINT64_MAX : h->first_us + timeout_us;
	attack_table_watch_edges(t, leading, write_edge, &e);
	attack_table_watch_edges(pt, leading, write_edge, &e);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		attack_flow_t *f = flows[i].flow;
		flows[i].flow = NULL;
		if (attack_flow_is_prefix(f) && !h->has_prefix_view) {
			attack_flow_free(f);
			why = "flowstate_parse: a prefix-view flow in a file without the view";
		} else {
			rc = attack_table_adopt(attack_flow_is_prefix(f) ? pt : t, f);
		}
	}
	if (rc == 0)
		rc = attack_table_expire(t, h->last_us);
	if (rc == 0)
		rc = attack_table_expire(pt, h->last_us);
	struct attack_stats before, after, pbefore, pafter;
	attack_table_stats(t, &before);
	attack_table_stats(pt, &pbefore);
	uint64_t shown = e.shown;
	if (rc == 0)
		rc = attack_table_flush(t);
	if (rc == 0)
		rc = attack_table_flush(pt);
	attack_table_stats(t, &after);
	attack_table_stats(pt, &pafter);
	before.open_flows += pbefore.open_flows;
	after.attacks += pafter.attacks;
	if (why == NULL && rc != 0 && rc != -BS_ENOMEM)
		why = "attack_table_adopt: an error besides running out of memory";
	else if (why == NULL && insane)
		why = "attack_table_flush: an impossible attack from decoded flows";
	else if (why == NULL && rc == 0 && e.shown - shown != before.open_flows)
		why = "attack_table_flush: a flow open at the end not shown";
	else if (why == NULL && e.reported > after.attacks)
		why = "attack_table_watch_edges: more flows reported than attacks";
	else if (why == NULL && rc == 0)
		why = check_edges(h, &e);
	attack_table_free(t);
	attack_table_free(pt);
	bs_prefixes_free(tel);
	flowstate_writer_free(e.w);
	return why;
}

/* Stores v at p, little-endian. */
static void store_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* One parse of data and the checks on its outcome; *took tells whether
 * the parse succeeded. */
static const char *run_once(const uint8_t *data, size_t size, bool *took)
{
	struct flowstate_header h;
	struct flowstate_flow *flows = (struct flowstate_flow *)&h; /* stale: must be reset */
	size_t n = 1;
	struct bs_err err;

	memset(&err, 'x', sizeof err);
	int rc = flowstate_parse(data, size, &h, &flows, &n, &err);
	*took = rc == 0;
	if (rc != 0) {
		if (flows != NULL || n != 0)
			return "flowstate_parse: flows returned with an error";
		return check_message(rc, &err);
	}
	struct bs_buf again = {0};
	const char *why = NULL;
	rc = flowstate_encode(&h, flows, n, &again, &err);
	if (rc != 0 && rc != -BS_ENOMEM)
		why = "flowstate_encode: refuses what flowstate_parse took";
	else if (rc == 0 && (again.len != size || memcmp(again.data, data, size) != 0))
		why = "flowstate_encode: the file read encodes to other bytes";
	bs_buf_free(&again);
	if (why == NULL)
		why = stitch(&h, flows, n);
	flowstate_flows_free(flows, n);
	return why;
}

const char *fuzz_run_flowstate(const uint8_t *data, size_t size)
{
	bool took;
	const char *why = run_once(data, size, &took);
	if (why != NULL || took || size < FUZZ_SEALED_MIN)
		return why;
	/* Refused: sealed again, the length field and checksum made to
	 * match, so a mutation inside the records reaches the decoders
	 * instead of stopping at the checksum. */
	uint8_t *sealed = malloc(size);
	if (sealed == NULL)
		return NULL;
	memcpy(sealed, data, size);
	store_le64(sealed + FUZZ_LENGTH_AT, size);
	store_le64(sealed + size - FUZZ_SUM_LEN, XXH3_64bits(sealed, size - FUZZ_SUM_LEN));
	why = run_once(sealed, size, &took);
	free(sealed);
	return why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = fuzz_run_flowstate(data, size);
	if (why != NULL) {
		fprintf(stderr, "fuzz_flowstate: %s\n", why);
		abort();
	}
	return 0;
}

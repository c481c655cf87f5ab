/* event.h - one classified backscatter packet, the unit that flows from the
 * classifier to the attack table and the time series.
 *
 * Plain struct, filled by classify_packet() (telescope/classify.h) except
 * ts_us, which the reader sets from the packet's capture time. Small and
 * self-contained (no pointers into the packet buffer, which libtrace reuses)
 * so it can be copied or queued freely. */
#ifndef TELESCOPE_EVENT_H
#define TELESCOPE_EVENT_H

#include <stdint.h>

#include "telescope/addr.h"

/** Attack protocol, as in the attacks.csv protocol column. */
enum bs_proto { BS_PROTO_TCP, BS_PROTO_UDP, BS_PROTO_ICMP, BS_PROTO_OTHER, BS_PROTO_COUNT };

/** Response type seen at the telescope (METHOD.md section 2). */
enum bs_response {
	BS_RESP_TCP_SYNACK,
	BS_RESP_TCP_RST,
	BS_RESP_ICMP_ECHO_REPLY,     /* type 0 */
	BS_RESP_ICMP_UNREACH,        /* type 3 */
	BS_RESP_ICMP_SOURCE_QUENCH,  /* type 4 */
	BS_RESP_ICMP_REDIRECT,       /* type 5 */
	BS_RESP_ICMP_TIME_EXCEEDED,  /* type 11 */
	BS_RESP_ICMP_PARAM_PROBLEM,  /* type 12 */
	BS_RESP_ICMP_TSTAMP_REPLY,   /* type 14 */
	BS_RESP_ICMP_INFO_REPLY,     /* type 16 */
	BS_RESP_ICMP_MASK_REPLY,     /* type 18 */
	BS_RESP_ICMP6_UNREACH,       /* ICMPv6 type 1 */
	BS_RESP_ICMP6_TOO_BIG,       /* ICMPv6 type 2 */
	BS_RESP_ICMP6_TIME_EXCEEDED, /* ICMPv6 type 3 */
	BS_RESP_ICMP6_PARAM_PROBLEM, /* ICMPv6 type 4 */
	BS_RESP_ICMP6_ECHO_REPLY,    /* ICMPv6 type 129 */
	BS_RESP_COUNT
};

/** Event flags. */
enum {
	BS_EV_HAS_PORT = 1u << 0,    /* port is the victim port */
	BS_EV_MISMATCH = 1u << 1,    /* ICMP error whose outer source is not the
	                                quoted destination: router/NAT generated */
	BS_EV_QUOTE_SHORT = 1u << 2, /* ICMP error quote unusable: victim fell
	                                back to the outer source */
	BS_EV_HAS_APORT = 1u << 3,   /* aport is the attacker port */
};

struct bs_event {
	uint64_t ts_us;      /* packet time, microseconds since the Unix epoch (UTC) */
	bs_addr_t victim;    /* attacked host (METHOD.md section 2) */
	bs_addr_t dst;       /* telescope address the packet reached (outer destination) */
	bs_addr_t responder; /* outer source; differs from victim for router errors */
	uint32_t ip_len;     /* outer IP length in bytes: the header's claimed total
	                        length (size on the wire), not capped by the capture */
	uint16_t port;       /* victim port, valid when BS_EV_HAS_PORT */
	uint16_t aport;      /* attacker port: the source port the flood spoofed (the
	                        destination port of TCP backscatter, the source port
	                        of the packet an ICMP error quotes), valid when
	                        BS_EV_HAS_APORT */
	uint8_t proto;       /* enum bs_proto: the attack protocol */
	uint8_t response;    /* enum bs_response */
	uint8_t flags;       /* BS_EV_* */
};

/* Events are copied by value through the hand-over queue (evqueue.h):
 * aport took what was padding. */
_Static_assert(sizeof(struct bs_event) == 72, "an event is 72 bytes");

/** "TCP", "UDP", "ICMP" or "OTHER". */
const char *bs_proto_name(int proto);
/** Response name as written in the responses column, e.g. "TCP_SYNACK",
 * "ICMP_UNREACH", "ICMP6_ECHO_REPLY". */
const char *bs_response_name(int response);

#endif

/* event.c - names of protocols and response types as written in the CSV
 * columns (INTERFACE.md: protocol, responses). Users query these strings
 * for years, so they never change once released. */
#include "telescope/event.h"

/* Returned for a value outside the enum, so a caller's bug shows up in the
 * output instead of crashing a printf on NULL. */
#define EVENT_UNKNOWN_NAME "UNKNOWN"

const char *bs_proto_name(int proto)
{
	static const char *const names[BS_PROTO_COUNT] = {
	    [BS_PROTO_TCP] = "TCP",
	    [BS_PROTO_UDP] = "UDP",
	    [BS_PROTO_ICMP] = "ICMP",
	    [BS_PROTO_OTHER] = "OTHER",
	};
	if (proto < 0 || proto >= BS_PROTO_COUNT)
		return EVENT_UNKNOWN_NAME;
	return names[proto];
}

const char *bs_response_name(int response)
{
	static const char *const names[BS_RESP_COUNT] = {
	    [BS_RESP_TCP_SYNACK] = "TCP_SYNACK",
	    [BS_RESP_TCP_RST] = "TCP_RST",
	    [BS_RESP_ICMP_ECHO_REPLY] = "ICMP_ECHO_REPLY",
	    [BS_RESP_ICMP_UNREACH] = "ICMP_UNREACH",
	    [BS_RESP_ICMP_SOURCE_QUENCH] = "ICMP_SOURCE_QUENCH",
	    [BS_RESP_ICMP_REDIRECT] = "ICMP_REDIRECT",
	    [BS_RESP_ICMP_TIME_EXCEEDED] = "ICMP_TIME_EXCEEDED",
	    [BS_RESP_ICMP_PARAM_PROBLEM] = "ICMP_PARAM_PROBLEM",
	    [BS_RESP_ICMP_TSTAMP_REPLY] = "ICMP_TSTAMP_REPLY",
	    [BS_RESP_ICMP_INFO_REPLY] = "ICMP_INFO_REPLY",
	    [BS_RESP_ICMP_MASK_REPLY] = "ICMP_MASK_REPLY",
	    [BS_RESP_ICMP6_UNREACH] = "ICMP6_UNREACH",
	    [BS_RESP_ICMP6_TOO_BIG] = "ICMP6_TOO_BIG",
	    [BS_RESP_ICMP6_TIME_EXCEEDED] = "ICMP6_TIME_EXCEEDED",
	    [BS_RESP_ICMP6_PARAM_PROBLEM] = "ICMP6_PARAM_PROBLEM",
	    [BS_RESP_ICMP6_ECHO_REPLY] = "ICMP6_ECHO_REPLY",
	};
	if (response < 0 || response >= BS_RESP_COUNT)
		return EVENT_UNKNOWN_NAME;
	return names[response];
}

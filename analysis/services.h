/* services.h - the service name of a victim port, for the report's
 * attacked-services table (issue 12: name the victim services, as Moore et
 * al. tabulated them).
 *
 * A small built-in table, not getservbyport(): /etc/services differs
 * between machines and C libraries (and may be missing in a container),
 * and a report must read the same wherever it is made. */
#ifndef ANALYSIS_SERVICES_H
#define ANALYSIS_SERVICES_H

#include <stdint.h>

/** The IANA service name of port on protocol proto (enum bs_proto: only
 * BS_PROTO_TCP and BS_PROTO_UDP have ports), e.g. "http" for TCP 80; NULL
 * when the built-in table has none (a port IANA has not named, or one the
 * table leaves out). */
const char *services_name(int proto, uint16_t port);

#endif

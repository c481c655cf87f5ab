/* services.c - port to service name, from a built-in table.
 *
 * Source: the IANA Service Name and Transport Protocol Port Number
 * Registry (https://www.iana.org/assignments/service-names-port-numbers),
 * the name IANA gives each port. Only ports that DoS victims run are
 * listed: web, mail, name and time services, remote access, VPNs,
 * databases, games and the UDP services abused for reflection. A port
 * IANA names for TCP only or UDP only is marked so. Ports IANA has not
 * named (27015, Source game servers; 25565, Minecraft) are left out, and
 * the report writes them as "port N": a name taken from folklore would
 * look as official as IANA's.
 *
 * Why not getservbyport(): /etc/services varies between machines and C
 * libraries, and the report's output must not. */
#include "analysis/services.h"

#include <stddef.h>

#include "telescope/event.h"

#define TCP (1u << BS_PROTO_TCP)
#define UDP (1u << BS_PROTO_UDP)

struct service {
	uint16_t port;
	uint8_t protos; /* bit (1u << BS_PROTO_*) per protocol IANA names it for */
	const char *name;
};

/* Sorted by port: services_name() searches it by halves (check_report
 * finds every entry, which a misplaced one would fail). */
static const struct service services[] = {
    {7, TCP | UDP, "echo"},
    {17, TCP | UDP, "qotd"},
    {19, TCP | UDP, "chargen"},
    {21, TCP | UDP, "ftp"},
    {22, TCP | UDP, "ssh"},
    {23, TCP | UDP, "telnet"},
    {25, TCP | UDP, "smtp"},
    {53, TCP | UDP, "domain"},
    {69, TCP | UDP, "tftp"},
    {80, TCP | UDP, "http"},
    {110, TCP | UDP, "pop3"},
    {111, TCP | UDP, "sunrpc"},
    {123, TCP | UDP, "ntp"},
    {137, TCP | UDP, "netbios-ns"},
    {143, TCP | UDP, "imap"},
    {161, TCP | UDP, "snmp"},
    {179, TCP | UDP, "bgp"},
    {389, TCP | UDP, "ldap"},
    {443, TCP | UDP, "https"},
    {445, TCP | UDP, "microsoft-ds"},
    {465, TCP, "submissions"},
    {500, TCP | UDP, "isakmp"},
    {587, TCP | UDP, "submission"},
    {853, TCP | UDP, "domain-s"},
    {993, TCP | UDP, "imaps"},
    {995, TCP | UDP, "pop3s"},
    {1194, TCP | UDP, "openvpn"},
    {1433, TCP | UDP, "ms-sql-s"},
    {1723, TCP | UDP, "pptp"},
    {1900, TCP | UDP, "ssdp"},
    {3074, TCP | UDP, "xbox"},
    {3306, TCP | UDP, "mysql"},
    {3389, TCP | UDP, "ms-wbt-server"},
    {3478, TCP | UDP, "stun"},
    {4500, TCP | UDP, "ipsec-nat-t"},
    {5060, TCP | UDP, "sip"},
    {5061, TCP | UDP, "sips"},
    {5353, TCP | UDP, "mdns"},
    {5432, TCP | UDP, "postgresql"},
    {5900, TCP | UDP, "rfb"},
    {6667, TCP | UDP, "ircu"},
    {8080, TCP | UDP, "http-alt"},
    {8443, TCP | UDP, "pcsync-https"},
    {11211, TCP | UDP, "memcache"},
};

const char *services_name(int proto, uint16_t port)
{
	if (proto != BS_PROTO_TCP && proto != BS_PROTO_UDP)
		return NULL;
	size_t lo = 0, hi = sizeof services / sizeof services[0];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (services[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < sizeof services / sizeof services[0] && services[lo].port == port &&
	    (services[lo].protos & (1u << proto)))
		return services[lo].name;
	return NULL;
}

#!/usr/bin/env python3
"""bsgen.py - seeded generator of synthetic darknet (network telescope)
traces with ground truth, for testing and benchmarking `backscatter`.

Writes classic pcap files (microsecond, Ethernet, some frames 802.1Q
tagged) holding real wire bytes of DoS backscatter (TCP SYN+ACK and RST,
ICMP echo/timestamp/info/mask replies, ICMP errors quoting the spoofed
packet, also from routers; in the ipv6 scenario the same over IPv6 with
ICMPv6 echo replies and errors, extension headers and fragments) mixed
with telescope noise (scans, non-IP frames, fragments, malformed and
truncated packets), plus the ground truth of what was planted:

  DIR/trace-000.pcap ...  K files split by time (.pcap.gz with --gzip)
  DIR/truth.csv           one row per flow the collector should form
  DIR/truth.json          run parameters and exact per-kind packet counts

Why: the real captures available to the project hold a few dozen
backscatter packets; precision/recall of the attack inference and the
edge cases of METHOD.md sections 2, 3 and 5 need traces whose answer is
known exactly. The truth is not the plan: it is computed from the packets
actually written, with the flow rules of METHOD.md section 3 (key = victim
and attack protocol, a gap > 300 s starts a new flow, peak = most packets
whose whole-second time falls in 60 consecutive seconds, thresholds of the
rsdos and moore presets plus >= 5 distinct telescope destinations).

Deterministic: everything comes from random.Random(seed); no wall clock,
no dict-order dependence. The same seed and arguments give byte-identical
files. Python 3 standard library only (Debian 12 /usr/bin/python3).
Memory stays bounded: packets are produced by per-flow generators merged
in time order through a heap, and written as they come.

Usage: bsgen.py --scenario NAME --seed N --out DIR [--files K] [--gzip]
                [--telescope PREFIX[,PREFIX...]] [--start ISO] [--hours H]
                [--packets N] [--victims N] [--noise-share F]
Run with --help, or --list for the scenarios. See data/gen/README.md.
"""

import argparse
import bisect
import calendar
import csv
import datetime
import gzip
import heapq
import io
import ipaddress
import itertools
import json
import math
import os
import random
import re
import struct
import sys
import time

GENERATOR_VERSION = "1"

US = 1_000_000  # microseconds per second

# Flow rules and thresholds: METHOD.md section 3, telescope/attack.h.
FLOW_TIMEOUT_US = 300 * US  # ATTACK_FLOW_TIMEOUT_S: a longer gap ends a flow
PEAK_WINDOW_S = 60  # ATTACK_PEAK_WINDOW_S, whole UTC seconds
MIN_DESTS = 5  # ATTACK_MIN_DESTS, applied by both presets
PREFIX_MIN_VICTIMS = 5  # ATTACK_PREFIX_MIN_VICTIMS, the prefix view's minimum
PRESETS = {
    # name: (min packets, min duration us, min peak per 60 s window, min dests)
    "rsdos": (25, 60 * US, 30, MIN_DESTS),
    "moore": (100, 60 * US, 0, MIN_DESTS),
}

DEFAULT_START = "2026-11-24T00:00:00Z"
DEFAULT_TELESCOPE = "10.0.0.0/8"
DEFAULT_TELESCOPE6 = "2001:db8::/32"  # the ipv6 scenario's default (RFC 3849 documentation)
DEFAULT_VLAN_SHARE = 0.1  # frames carrying an 802.1Q tag
VLAN_ID = 100
ETH_MIN_FRAME = 60  # minimum Ethernet frame without FCS: short frames are padded

# Packet categories, as the collector's counters (summary.json) see them.
CAT_BACKSCATTER = 0  # backscatter-like, destination inside the telescope
CAT_NOT_BACKSCATTER = 1  # valid IP, scanning etc. (wherever it goes)
CAT_OUTSIDE = 2  # backscatter-like, destination outside the telescope
CAT_NON_IP = 3
CAT_MALFORMED = 4
CAT_TRUNCATED = 5
CAT_FRAGMENT = 6
CAT_NAMES = ["backscatter", "not_backscatter", "outside_telescope", "non_ip",
             "malformed", "truncated", "fragments"]

# Response types, in the order of enum bs_response (telescope/event.h).
R_SYNACK, R_RST, R_ECHO, R_UNREACH, R_QUENCH, R_REDIRECT, R_TIMEX, R_PARAM, \
    R_TSTAMP, R_INFO, R_MASK, R6_UNREACH, R6_TOO_BIG, R6_TIMEX, R6_PARAM, R6_ECHO = range(16)
RESP_NAMES = ["TCP_SYNACK", "TCP_RST", "ICMP_ECHO_REPLY", "ICMP_UNREACH",
              "ICMP_SOURCE_QUENCH", "ICMP_REDIRECT", "ICMP_TIME_EXCEEDED",
              "ICMP_PARAM_PROBLEM", "ICMP_TSTAMP_REPLY", "ICMP_INFO_REPLY",
              "ICMP_MASK_REPLY", "ICMP6_UNREACH", "ICMP6_TOO_BIG", "ICMP6_TIME_EXCEEDED",
              "ICMP6_PARAM_PROBLEM", "ICMP6_ECHO_REPLY"]
ICMP_ERROR_RESP = {3: R_UNREACH, 4: R_QUENCH, 5: R_REDIRECT, 11: R_TIMEX, 12: R_PARAM}
ICMP_REPLY_RESP = {0: R_ECHO, 14: R_TSTAMP, 16: R_INFO, 18: R_MASK}
# ICMPv6 (RFC 4443) errors that name a victim in their quote.
ICMP6_ERROR_RESP = {1: R6_UNREACH, 2: R6_TOO_BIG, 3: R6_TIMEX, 4: R6_PARAM}

TCP, UDP, ICMP = "TCP", "UDP", "ICMP"
PROTO_NUM = {TCP: 6, UDP: 17, ICMP: 1}

TRUTH_COLUMNS = ["victim", "protocol", "start_time", "end_time", "packets",
                 "telescope_addrs", "top_port", "responder", "kind",
                 "expected_rsdos", "expected_moore",
                 # extras, after the required columns
                 "bytes", "peak_ppm", "duration_s", "responses",
                 "icmp_mismatches", "victim_ports", "attack_ports"]
# prefix_truth.csv (the carpet scenario): one row per prefix flow, as
# prefix_attacks.csv has a row per prefix attack (expected_rsdos 1).
PREFIX_TRUTH_COLUMNS = ["prefix", "protocol", "start_time", "end_time", "packets",
                        "telescope_addrs", "victims", "expected_rsdos", "victim_attacks"]
COL_RSDOS = TRUTH_COLUMNS.index("expected_rsdos")
COL_MOORE = TRUTH_COLUMNS.index("expected_moore")

# MaxMind test databases (shared/data/README.md section 1): networks that
# resolve in both the country and the ASN test DB, country only, ASN only.
GEO_BOTH = ["89.160.20.112/28", "89.160.20.128/25", "216.160.83.56/29",
            "149.101.100.0/28", "214.78.120.0/22"]
GEO_COUNTRY = ["81.2.69.160/27", "175.16.199.0/24", "2.125.160.216/29"]
GEO_ASN = ["1.128.0.0/11", "12.81.92.0/22"]
# IPv6: no network of the test databases is in both; these resolve in
# GeoIP2-Country-Test only (JP) or in GeoLite2-ASN-Test only (AS6730,
# AS3320, AS4766), checked with mmdblookup.
GEO6_COUNTRY = ["2001:218::/32"]
GEO6_ASN = ["2001:1700::/27", "2003::/19", "2400::/20"]

# Never used as a public address (victim, scanner, router): special-purpose
# IPv4 ranges (RFC 6890) and multicast/reserved.
NOT_PUBLIC = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
              "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
              "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
              "203.0.113.0/24", "224.0.0.0/3"]
# IPv6 public addresses are drawn from global unicast 2000::/3 without the
# special-purpose ranges in it (RFC 6890 registry): IETF protocol
# assignments incl. Teredo, documentation (RFC 3849, RFC 9637), 6to4.
GLOBAL6 = "2000::/3"
NOT_PUBLIC6 = ["2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20"]
V4_SPACE = 1 << 32  # addresses below are IPv4, the rest IPv6 (see fmt_addr)

SERVICE_PORTS = [80, 443, 22, 25, 53, 3389, 8080, 7777, 27015, 30120, 25565,
                 6667, 1194, 5060, 8443, 3306]
SCAN_PORTS = [23, 445, 22, 80, 8080, 3389, 443, 1433, 5555, 6379, 2323, 81,
              8443, 5900, 3306, 21, 25, 110, 37215, 52869]
SCAN_PORT_CUM = list(itertools.accumulate(  # relative popularity of SCAN_PORTS
    [20, 14, 10, 8, 6, 6, 5, 4, 3, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1]))
# UDP probes: payloads that tshark dissects cleanly for their port.
UDP_PROBES = [
    (53, bytes.fromhex("123401000001000000000000076578616d706c6503636f6d0000010001")),  # DNS A?
    (123, b"\x23" + bytes(47)),  # NTP v4 client request
    (1900, b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
           b"MX: 1\r\nST: ssdp:all\r\n\r\n"),
    (19, b"\x00"),  # chargen
    (0, b"\x00" * 16),  # a random high port, no dissector
]

MAC_TELESCOPE = bytes.fromhex("020000000001")
MAC_ROUTER = bytes.fromhex("020000000002")
ETH_IP = MAC_TELESCOPE + MAC_ROUTER + b"\x08\x00"
VLAN_TAG = b"\x81\x00" + struct.pack("!H", VLAN_ID)  # 802.1Q TPID + TCI
ETH_IP_VLAN = MAC_TELESCOPE + MAC_ROUTER + VLAN_TAG + b"\x08\x00"
PAD = [bytes(max(0, ETH_MIN_FRAME - n)) for n in range(ETH_MIN_FRAME + 1)]

PCAP_GLOBAL = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
PCAP_REC = struct.Struct("<IIII")
IPH = struct.Struct("!BBHHHBBHII")
TCPH = struct.Struct("!HHIIBBHHH")
UDPH = struct.Struct("!HHHH")

MSS_OPT = b"\x02\x04\x05\xb4"  # MSS 1460, the usual SYN+ACK option
LONG_OPT = b"\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x01\x03\x03\x07"

# IPv6 (RFC 8200).
ETH_IP6 = MAC_TELESCOPE + MAC_ROUTER + b"\x86\xdd"
ETH_IP6_VLAN = MAC_TELESCOPE + MAC_ROUTER + VLAN_TAG + b"\x86\xdd"
# version, class and flow label; payload length; next header; hop limit; addresses
IP6H = struct.Struct("!IHBB16s16s")
PROTO6_NUM = {TCP: 6, UDP: 17, ICMP: 58}
EXT_HOP, EXT_ROUTING, EXT_FRAG, EXT_DST = 0, 43, 44, 60  # extension headers parse_ipv6 walks
EXT_NONE = 59  # no next header
TEST_NET_1, TEST_NET_2 = 0xC0000200, 0xC6336400  # 192.0.2.0/24, 198.51.100.0/24 (RFC 5737)
MSS6_OPT = b"\x02\x04\x05\xa0"  # MSS 1440 = 1500 - 40 - 20
IPV6_MIN_MTU = 1280  # RFC 8200 section 5
ICMP6_MAX_QUOTE = IPV6_MIN_MTU - 40 - 8  # RFC 4443 2.4 (c): the error fits the minimum MTU


# ----------------------------------------------------------------- addresses

def ip2int(text):
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise ValueError("bad IPv4 address: %r" % text)
    a, b, c, d = (int(p) for p in parts)
    return a << 24 | b << 16 | c << 8 | d


def int2ip(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def parse_prefix(text):
    """'a.b.c.d/len' -> (base, size). Host bits must be zero."""
    addr, _, plen = text.strip().partition("/")
    plen = int(plen) if plen else 32
    if not 0 <= plen <= 32:
        raise ValueError("bad prefix length: %r" % text)
    base = ip2int(addr)
    size = 1 << (32 - plen)
    if base & (size - 1):
        raise ValueError("host bits set in prefix: %r" % text)
    return base, size


class AddrSet:
    """A union of IPv4 prefixes, in the order given."""

    def __init__(self, prefixes):
        self.texts = list(prefixes)
        self.nets = [self.parse(p) for p in self.texts]
        for i, (b1, s1) in enumerate(self.nets):
            for b2, s2 in self.nets[:i]:
                if b1 < b2 + s2 and b2 < b1 + s1:
                    raise ValueError("overlapping prefixes: %s" % ",".join(self.texts))
        self.size = sum(s for _, s in self.nets)
        self.cum = []
        acc = 0
        for _, s in self.nets:
            acc += s
            self.cum.append(acc)

    @staticmethod
    def parse(text):
        return parse_prefix(text)

    def contains(self, a):
        for b, s in self.nets:
            if b <= a < b + s:
                return True
        return False

    def picker(self, r):
        """Returns a function giving uniform random members (fast path for one prefix)."""
        rnd = r.random
        if len(self.nets) == 1:
            base, size = self.nets[0]
            return lambda: base + int(rnd() * size)
        nets, cum, total = self.nets, self.cum, self.size

        def pick():
            u = int(rnd() * total)
            i = bisect.bisect_right(cum, u)
            return nets[i][0] + u - (cum[i] - nets[i][1])
        return pick


NOT_PUBLIC_NETS = [parse_prefix(p) for p in NOT_PUBLIC]


class PublicAddrs:
    """Distinct public addresses (victims, scanners, routers), never inside
    the telescope nor in special-purpose ranges."""

    def __init__(self, r, telescope):
        self.r = r
        self.excl = NOT_PUBLIC_NETS + telescope.nets
        self.used = set()

    def draw(self):
        return self.r.getrandbits(32)

    def ok(self, a):
        if a in self.used:
            return False
        for b, s in self.excl:
            if b <= a < b + s:
                return False
        return True

    def random(self):
        while True:
            a = self.draw()
            if self.ok(a):
                self.used.add(a)
                return a

    def from_nets(self, nets):
        """A fresh address inside one of nets (list of prefix texts)."""
        for _ in range(10000):
            b, s = parse_prefix(self.r.choice(nets))
            a = b + self.r.randrange(s)
            if self.ok(a):
                self.used.add(a)
                return a
        raise RuntimeError("address pool exhausted: %s" % nets)


# An address is an int: IPv4 below 2^32, IPv6 at or above it (the telescope
# refuses IPv6 prefixes inside ::/96 and public IPv6 addresses come from
# 2000::/3), so one int keys a flow and sorts IPv4 before IPv6, as
# bs_addr_cmp() does (family first).

def fmt_addr(a):
    return int2ip(a) if a < V4_SPACE else str(ipaddress.IPv6Address(a))


def parse_prefix6(text):
    """'2001:db8::/32' -> (base, size). Host bits must be zero."""
    try:
        net = ipaddress.IPv6Network(text.strip(), strict=True)
    except ValueError as e:
        raise ValueError("bad IPv6 prefix %r: %s" % (text, e)) from None
    base = int(net.network_address)
    if base < V4_SPACE:
        raise ValueError("IPv6 prefix starting inside ::/96 not supported: %r" % text)
    return base, net.num_addresses


class AddrSet6(AddrSet):
    """A union of IPv6 prefixes. Members are drawn with getrandbits or
    randrange, since random() has only 53 bits and a /32 has 96 host bits."""

    @staticmethod
    def parse(text):
        return parse_prefix6(text)

    def picker(self, r):
        nets, cum, total = self.nets, self.cum, self.size
        if len(nets) == 1:
            base, size = nets[0]
            bits = size.bit_length() - 1  # a prefix holds a power of two
            return lambda: base + r.getrandbits(bits)

        def pick():
            u = r.randrange(total)
            i = bisect.bisect_right(cum, u)
            return nets[i][0] + u - (cum[i] - nets[i][1])
        return pick


class Telescope:
    """--telescope: the prefixes as given, split by family. Backscatter to
    an IPv4 victim's spoofed sources lands in IPv4 space and an IPv6
    victim's in IPv6 space, so each family draws from its own prefixes."""

    def __init__(self, text):
        self.texts = text.split(",")
        self.v4 = AddrSet([t for t in self.texts if ":" not in t])
        self.v6 = AddrSet6([t for t in self.texts if ":" in t])
        self.size = self.v4.size + self.v6.size


NOT_PUBLIC6_NETS = [parse_prefix6(p) for p in NOT_PUBLIC6]


class PublicAddrs6(PublicAddrs):
    """Distinct public IPv6 addresses (victims, scanners, routers), never
    inside the telescope nor in special-purpose ranges."""

    def __init__(self, r, telescope6):
        self.r = r
        self.excl = NOT_PUBLIC6_NETS + telescope6.nets
        self.used = set()
        self.base, size = parse_prefix6(GLOBAL6)
        self.bits = size.bit_length() - 1

    def draw(self):
        return self.base + self.r.getrandbits(self.bits)

    def from_nets(self, nets):
        """A fresh address inside one of nets (list of prefix texts)."""
        for _ in range(10000):
            b, s = parse_prefix6(self.r.choice(nets))
            a = b + self.r.getrandbits(s.bit_length() - 1)
            if self.ok(a):
                self.used.add(a)
                return a
        raise RuntimeError("address pool exhausted: %s" % nets)


# ------------------------------------------------------------------ checksums

def fold(s):
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def sum16(b):
    if len(b) & 1:
        b += b"\x00"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def ip_header(tot_len, ident, frag, ttl, proto, src, dst, ver_ihl=0x45, opts=b""):
    """IPv4 header with a correct checksum (options included in it)."""
    s = (ver_ihl << 8) + tot_len + ident + frag + (ttl << 8 | proto) + \
        (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF)
    if opts:
        s += sum16(opts)
    return IPH.pack(ver_ihl, 0, tot_len, ident, frag, ttl, proto, fold(s), src, dst) + opts


def tcp_packet(src, dst, sport, dport, seq, ack, flags, win, ident, ttl, opts=b"", opts_sum=0,
               payload=b""):
    """IPv4 + TCP, both checksums correct. opts_sum = sum16(opts), precomputed."""
    tcp_len = 20 + len(opts) + len(payload)
    offb = (20 + len(opts)) << 2  # data offset in words, in the high nibble
    s = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 6 + tcp_len + \
        sport + dport + (seq >> 16) + (seq & 0xFFFF) + (ack >> 16) + (ack & 0xFFFF) + \
        (offb << 8 | flags) + win + opts_sum
    if payload:
        s += sum16(payload)
    tot = 20 + tcp_len
    s2 = 0x4500 + tot + ident + 0x4000 + (ttl << 8 | 6) + \
        (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF)
    return IPH.pack(0x45, 0, tot, ident, 0x4000, ttl, 6, fold(s2), src, dst) + \
        TCPH.pack(sport, dport, seq, ack, offb, flags, win, fold(s), 0) + opts + payload


def udp_packet(src, dst, sport, dport, payload, ident, ttl):
    ulen = 8 + len(payload)
    s = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 17 + ulen + \
        sport + dport + ulen + sum16(payload)
    c = fold(s) or 0xFFFF  # 0 means "no checksum" in UDP
    return ip_header(20 + ulen, ident, 0, ttl, 17, src, dst) + \
        UDPH.pack(sport, dport, ulen, c) + payload


def icmp_packet(src, dst, itype, code, rest, ident, ttl):
    """rest: the bytes after type/code/checksum (4-byte field + data)."""
    c = fold((itype << 8 | code) + sum16(rest))
    msg = struct.pack("!BBH", itype, code, c) + rest
    return ip_header(20 + len(msg), ident, 0, ttl, 1, src, dst) + msg


def quoted_packet(r, qproto, qsrc, qdst, qdport, ttl, quote_len=8, orig_payload=0):
    """The start of the packet an ICMP error quotes: IP header + quote_len
    bytes of transport, as the spoofed flood packet qsrc -> qdst looked.
    Returns (bytes, source port the flood spoofed, drawn for every qproto)."""
    # Checksums are those of the whole original packet (zero payload).
    ident = r.getrandbits(16)
    sport = r.randrange(1024, 65536)
    pseudo = (qsrc >> 16) + (qsrc & 0xFFFF) + (qdst >> 16) + (qdst & 0xFFFF)
    if qproto == TCP:
        seq = r.getrandbits(32)
        s = pseudo + 6 + 20 + orig_payload + sport + qdport + (seq >> 16) + (seq & 0xFFFF) + \
            (0x50 << 8 | 0x02) + 64240
        body = TCPH.pack(sport, qdport, seq, 0, 0x50, 0x02, 64240, fold(s), 0) + \
            bytes(orig_payload)
        orig_len = 40 + orig_payload
    elif qproto == UDP:
        ulen = 8 + orig_payload
        c = fold(pseudo + 17 + ulen + sport + qdport + ulen) or 0xFFFF
        body = UDPH.pack(sport, qdport, ulen, c) + bytes(orig_payload)
        orig_len = 20 + ulen
    else:  # ICMP echo request
        eid, eseq = r.getrandbits(16), r.getrandbits(16)
        body = struct.pack("!BBHHH", 8, 0, fold((8 << 8) + eid + eseq), eid, eseq) + \
            bytes(orig_payload)
        orig_len = 28 + orig_payload
    hdr = ip_header(orig_len, ident, 0, ttl, PROTO_NUM[qproto], qsrc, qdst)
    return hdr + body[:quote_len], sport


# ------------------------------------------------------------- IPv6 packets
#
# Same conventions as above: every checksum is correct (TCP, UDP and ICMPv6
# all cover the RFC 8200 8.1 pseudo-header), and an ICMPv6 error quotes the
# spoofed packet as it was sent, whole, up to what fits the minimum MTU.

def a16(a):
    return a.to_bytes(16, "big")


def sum6(src, dst, nh, n):
    """Sum of the IPv6 pseudo-header for an upper-layer packet of n bytes."""
    return sum16(a16(src) + a16(dst)) + (n >> 16) + (n & 0xFFFF) + nh


def with_cksum(data, off, c):
    return data[:off] + struct.pack("!H", c) + data[off + 2:]


def tcp6(src, dst, sport, dport, seq, ack, flags, win, opts=b"", doff=None):
    """TCP header (no data) for IPv6; doff overrides the data offset (words)."""
    offb = (20 + len(opts)) << 2 if doff is None else doff << 4
    t = TCPH.pack(sport, dport, seq, ack, offb, flags, win, 0, 0) + opts
    return with_cksum(t, 16, fold(sum6(src, dst, 6, len(t)) + sum16(t)))


def udp6(src, dst, sport, dport, payload):
    u = UDPH.pack(sport, dport, 8 + len(payload), 0) + payload
    return with_cksum(u, 6, fold(sum6(src, dst, 17, len(u)) + sum16(u)) or 0xFFFF)


def icmp6(src, dst, itype, code, rest):
    """ICMPv6 message; rest: the bytes after type/code/checksum."""
    m = struct.pack("!BBH", itype, code, 0) + rest
    return with_cksum(m, 2, fold(sum6(src, dst, 58, len(m)) + sum16(m)))


def opts_ext(opts=b""):
    """Body of a hop-by-hop or destination options header holding opts,
    padded with Pad1/PadN so that the header is a multiple of 8 bytes."""
    n = -(2 + len(opts)) % 8
    return opts + (b"" if n == 0 else b"\x00" if n == 1 else bytes([1, n - 2]) + bytes(n - 2))


def frag_ext(offset, more, ident):
    """Body of a fragment header: offset in bytes (a multiple of 8), M flag."""
    return struct.pack("!HI", offset | more, ident)


def srh_ext(segment):
    """Body of a segment routing header (RFC 8754) with segments left 0: its
    one segment is the final destination, so no node acts on it."""
    return struct.pack("!BBBBH", 4, 0, 0, 0, 0) + a16(segment)


def ext_chain(exts, proto):
    """(first next header, bytes) of the extension headers exts, a list of
    (type, body), followed by protocol proto."""
    nh, chain = proto, b""
    for t, body in reversed(exts):
        size = 0 if t == EXT_FRAG else (2 + len(body)) // 8 - 1  # 8-byte units past the first
        chain = bytes([nh, size]) + body + chain
        nh = t
    return nh, chain


def ip6_packet(src, dst, proto, l4, hlim, exts=(), flow=0, plen=None, version=6):
    """IPv6 header, extension headers, upper-layer bytes. plen overrides the
    payload length, version the version nibble (malformed packets)."""
    first, chain = ext_chain(exts, proto)
    pl = len(chain) + len(l4) if plen is None else plen
    return IP6H.pack(version << 28 | flow, pl, first, hlim, a16(src), a16(dst)) + chain + l4


def orig_packet6(r, qproto, qsrc, qdst, qdport, hlim, payload=0, exts=(), frag_first=None):
    """The spoofed flood packet qsrc -> qdst that an ICMPv6 error quotes:
    TCP SYN, UDP with payload bytes, or ICMPv6 echo request. With
    frag_first, only the first fragment (that many bytes of the upper
    layer). Returns (bytes, offset of the upper-layer header, source port the
    flood spoofed, drawn for every qproto)."""
    sport = r.randrange(1024, 65536)
    if qproto == TCP:
        l4 = tcp6(qsrc, qdst, sport, qdport, r.getrandbits(32), 0, 0x02, 64800, MSS6_OPT)
    elif qproto == UDP:
        l4 = udp6(qsrc, qdst, sport, qdport, bytes(payload))
    else:
        l4 = icmp6(qsrc, qdst, 128, 0, struct.pack("!HH", r.getrandbits(16), r.getrandbits(16)) +
                   bytes(payload))
    if frag_first is not None:
        exts = list(exts) + [(EXT_FRAG, frag_ext(0, 1, r.getrandbits(32)))]
        l4 = l4[:frag_first]
    ip = ip6_packet(qsrc, qdst, PROTO6_NUM[qproto], l4, hlim, exts, r.getrandbits(20))
    return ip, len(ip) - len(l4), sport


# A v6 maker returns (ip bytes, victim port or -1, response index, frame
# snap length or None, extra, attacker port or -1) where extra lists more
# packets that follow it: (microseconds later, category, ip bytes). The
# attacker port is the source port the flood spoofed, where the collector
# sees it (telescope/classify.h): the destination port of TCP
# backscatter, the source port of a quoted TCP or UDP header whose first 4
# bytes are quoted.

def mk_tcp6(victim, plan, hlim, rst_share=0.0, rst_ack_share=0.7, exts=()):
    """SYN+ACK (open port) and/or RST (closed port, ACK flood) from the
    victim, behind the extension headers exts (a list, or a function of
    the destination giving one)."""

    def make(r, ts, dst):
        rnd = r.random
        port = plan.next(r)
        dport = 1024 + int(rnd() * 64512)
        if rst_share and rnd() < rst_share:
            if rnd() < rst_ack_share:
                l4 = tcp6(victim, dst, port, dport, 0, r.getrandbits(32), 0x14, 0)
            else:
                l4 = tcp6(victim, dst, port, dport, r.getrandbits(32), 0, 0x04, 0)
            resp = R_RST
        else:
            l4 = tcp6(victim, dst, port, dport, r.getrandbits(32), r.getrandbits(32), 0x12, 28800,
                      MSS6_OPT)
            resp = R_SYNACK
        ext = exts(dst) if callable(exts) else exts
        return (ip6_packet(victim, dst, 6, l4, hlim, ext, r.getrandbits(20)), port, resp, None,
                (), dport)
    return make


def mk_echo6(victim, hlim, payload_len=56, mtu=None, snap=None):
    """ICMPv6 echo replies (129). Above mtu the victim fragments the reply
    (RFC 8200 4.5): the first fragment carries the ICMPv6 header and is
    backscatter, the others are non-first fragments. snap cuts the
    captured frame to that many bytes; the wire length stays the packet's."""
    data = (bytes(range(256)) * (payload_len // 256 + 1))[:payload_len]

    def make(r, ts, dst):
        msg = icmp6(victim, dst, 129, 0, struct.pack("!HH", r.getrandbits(16), r.getrandbits(16)) +
                    data)
        flow = r.getrandbits(20)
        if mtu is None or 40 + len(msg) <= mtu:
            return ip6_packet(victim, dst, 58, msg, hlim, (), flow), -1, R6_ECHO, snap, (), -1
        ident = r.getrandbits(32)
        size = (mtu - 48) & ~7  # per fragment, after IPv6 and fragment headers
        frags = [ip6_packet(victim, dst, 58, msg[off:off + size], hlim,
                            [(EXT_FRAG, frag_ext(off, int(off + size < len(msg)), ident))], flow)
                 for off in range(0, len(msg), size)]
        return (frags[0], -1, R6_ECHO, snap,
                [(i, CAT_FRAGMENT, f) for i, f in enumerate(frags) if i], -1)
    return make


def mk_icmp6_error(victim, itype, code, qproto, plan, hlim, responder=None, field=bytes(4),
                   payload=0, qexts=(), qhlim=None, frag_first=None, quote_len=None,
                   quote_v4=False):
    """ICMPv6 error sent by responder (default: the victim itself) quoting
    the spoofed packet telescope-address -> victim: all of it up to
    ICMP6_MAX_QUOTE bytes (RFC 4443 2.4), or quote_len bytes. The port
    counts only when the quote holds the quoted transport ports. quote_v4
    quotes an IPv4 UDP packet between documentation addresses instead: the
    wrong IP version, an unusable quote."""
    src = victim if responder is None else responder
    resp = ICMP6_ERROR_RESP[itype]

    def make(r, ts, dst):
        if quote_v4:
            q = udp_packet(TEST_NET_1 | r.getrandbits(8), TEST_NET_2 | r.getrandbits(8),
                           r.randrange(1024, 65536), 53, bytes(32), r.getrandbits(16), 64)
            ip = ip6_packet(src, dst, 58, icmp6(src, dst, itype, code, field + q), hlim, (),
                            r.getrandbits(20))
            return ip, -1, resp, None, (), -1
        port = plan.next(r) if plan is not None else -1
        orig, l4_off, sport = orig_packet6(r, qproto, dst, victim, max(port, 0),
                                           qhlim or 20 + int(r.random() * 200), payload, qexts,
                                           frag_first)
        q = orig[:ICMP6_MAX_QUOTE if quote_len is None else quote_len]
        ip = ip6_packet(src, dst, 58, icmp6(src, dst, itype, code, field + q), hlim, (),
                        r.getrandbits(20))
        ports = len(q) >= l4_off + 4
        aport = sport if ports and qproto in (TCP, UDP) else -1
        return ip, port if ports else -1, resp, None, (), aport
    return make


# ---------------------------------------------------------------- port plans

class PortPlan:
    """Victim ports of one (victim, protocol) key. The primary port always
    stays the strictly most frequent one: the first two packets use it and
    every other port is used at most once per 64512 packets (a full cycle
    of a permutation of 1024..65535), so top_port is never a tie."""

    STEP = 7919  # prime, coprime with 64512 = 2^10 * 3^2 * 7

    def __init__(self, r, primary, spread):
        self.primary = primary
        self.spread = spread  # share of packets to other ports
        self.n = 0
        self.k = 0
        self.off = r.randrange(64512)

    def next(self, r):
        self.n += 1
        if self.n <= 2 or self.spread <= 0.0 or r.random() >= self.spread:
            return self.primary
        while True:
            p = 1024 + (self.off + self.k * self.STEP) % 64512
            self.k += 1
            if p != self.primary:
                return p


# ------------------------------------------------------------- packet makers
#
# A maker builds one backscatter packet: make(r, ts, dst) -> (ip bytes,
# victim port or -1, response index, attacker port or -1: see the v6
# makers). The closure keeps the per-victim state (IP ID counter, port
# plan) so repeated attacks reuse it.

def mk_tcp(victim, plan, ttl, rst_share=0.0, synack_opts=MSS_OPT, rst_ack_share=0.7):
    """SYN+ACK (open port) and/or RST (closed port, ACK flood) from the victim."""
    opts_sum = sum16(synack_opts) if synack_opts else 0
    state = [0]
    win = 65535 if synack_opts is LONG_OPT else 29200

    def make(r, ts, dst):
        rnd = r.random
        state[0] = (state[0] + 1) & 0xFFFF
        port = plan.next(r)
        dport = 1024 + int(rnd() * 64512)
        if rst_share and rnd() < rst_share:
            if rnd() < rst_ack_share:
                ip = tcp_packet(victim, dst, port, dport, 0, int(rnd() * 4294967296.0), 0x14,
                                0, state[0], ttl)
            else:
                ip = tcp_packet(victim, dst, port, dport, int(rnd() * 4294967296.0), 0, 0x04,
                                0, state[0], ttl)
            return ip, port, R_RST, dport
        ip = tcp_packet(victim, dst, port, dport, int(rnd() * 4294967296.0),
                        int(rnd() * 4294967296.0), 0x12, win, state[0], ttl,
                        synack_opts, opts_sum)
        return ip, port, R_SYNACK, dport
    return make


def mk_icmp_reply(victim, itype, ttl, payload_len=56):
    """Echo (0), timestamp (14), information (16) or address-mask (18) reply."""
    state = [0]
    data = (bytes(range(256)) * 6)[:payload_len] if itype == 0 else b""
    resp = ICMP_REPLY_RESP[itype]

    def make(r, ts, dst):
        state[0] = (state[0] + 1) & 0xFFFF
        idseq = struct.pack("!HH", r.getrandbits(16), r.getrandbits(16))
        if itype == 14:
            ms = (ts // 1000) % 86400000
            body = idseq + struct.pack("!III", (ms - 20) % 86400000, ms, ms)
        elif itype == 18:
            body = idseq + b"\xff\xff\xff\x00"
        else:
            body = idseq + data
        return icmp_packet(victim, dst, itype, 0, body, state[0], ttl), -1, resp, -1
    return make


def mk_icmp_error(victim, itype, code, qproto, plan, ttl, responder=None, quote_len=8,
                  orig_payload=0, gateway=0):
    """ICMP error sent by responder (default: the victim itself) quoting the
    spoofed packet telescope-address -> victim. quote_len is the number of
    quoted transport bytes; a quote_len < 0 quotes only -quote_len bytes of
    the IP header (unusable quote)."""
    src = victim if responder is None else responder
    state = [0]
    resp = ICMP_ERROR_RESP[itype]
    qttl = 1 if itype == 11 else 0

    def make(r, ts, dst):
        state[0] = (state[0] + 1) & 0xFFFF
        port = plan.next(r) if plan is not None else -1
        q, sport = quoted_packet(r, qproto, dst, victim, port if port >= 0 else 0,
                                 qttl or 20 + int(r.random() * 200), max(quote_len, 0),
                                 orig_payload)
        if quote_len < 0:
            q = q[:-quote_len]
        if itype == 5:
            field = struct.pack("!I", gateway)
        elif itype == 12:
            field = b"\x14\x00\x00\x00"  # pointer to the offending byte
        elif itype == 3 and code == 4:
            field = struct.pack("!HH", 0, 1400)  # next-hop MTU
        else:
            field = b"\x00\x00\x00\x00"
        ip = icmp_packet(src, dst, itype, code, field + q, state[0], ttl)
        if quote_len < 8:
            port = -1  # no usable transport header in the quote
        aport = sport if quote_len >= 4 and qproto in (TCP, UDP) else -1
        return ip, port, resp, aport
    return make


# --------------------------------------------------------------------- flows

def times_uniform(r, start, dur, n):
    """n sorted times in [start, start + dur], as a Poisson process
    conditioned on n points (sequential sorted uniforms, O(1) memory)."""
    rnd = r.random
    x = 0.0
    for k in range(n, 0, -1):
        x = 1.0 - (1.0 - x) * rnd() ** (1.0 / k)
        yield start + int(x * dur)


class Flow:
    """One planted backscatter source: packets from maker at times given by
    segments [(start, dur, count)] or an explicit list, to telescope
    destinations (uniform, or cycling/choosing from a fixed list)."""

    __slots__ = ("fid", "kind", "victim", "proto", "maker", "segments", "times", "dests",
                 "dest_mode", "responder", "start", "planned")
    V6 = False  # IPv6 flows draw destinations from the IPv6 prefixes

    def __init__(self, kind, victim, proto, maker, segments=None, times=None, dests=None,
                 dest_mode="choice", responder=None):
        self.fid = 0
        self.kind = kind
        self.victim = victim
        self.proto = proto
        self.maker = maker
        self.segments = sorted(segments or [])
        self.times = times
        self.dests = dests
        self.dest_mode = dest_mode
        self.responder = responder
        if times is not None:
            self.start = min(times)
            self.planned = len(times)
        else:
            self.start = self.segments[0][0]
            self.planned = sum(s[2] for s in self.segments)

    def targets(self, r, pick_tel):
        """(time, destination) of each packet, drawn lazily: the caller's
        draws for a packet come between this one's, as they always have."""
        rnd = r.random
        if self.times is not None:
            tsrc = iter(self.times)
        else:
            tsrc = (t for s in self.segments for t in times_uniform(r, *s))
        dests = self.dests
        for i, ts in enumerate(tsrc):
            if dests is None:
                yield ts, pick_tel()
            elif self.dest_mode == "cycle":
                yield ts, dests[i % len(dests)]
            else:
                yield ts, dests[int(rnd() * len(dests))]

    def gen(self, r, pick_tel, vlan_share):
        make = self.maker
        rnd = r.random
        for ts, dst in self.targets(r, pick_tel):
            ip, port, resp, aport = make(r, ts, dst)
            frame = (ETH_IP_VLAN if rnd() < vlan_share else ETH_IP) + ip
            if len(frame) < ETH_MIN_FRAME:
                frame += PAD[len(frame)]
            yield ts, (CAT_BACKSCATTER, frame, len(frame), dst, port, resp, len(ip), aport)


class Flow6(Flow):
    """A Flow of IPv6 backscatter. Its maker may cut the captured frame
    (snap length) and add packets that follow each one (later fragments)."""

    __slots__ = ()
    V6 = True

    def gen(self, r, pick_tel, vlan_share):
        make = self.maker
        rnd = r.random
        for ts, dst in self.targets(r, pick_tel):
            ip, port, resp, snap, extra, aport = make(r, ts, dst)
            eth = ETH_IP6_VLAN if rnd() < vlan_share else ETH_IP6
            frame = eth + ip
            wire = max(len(frame), ETH_MIN_FRAME)
            frame = frame[:snap] if snap is not None else frame + PAD[min(len(frame),
                                                                          ETH_MIN_FRAME)]
            yield ts, (CAT_BACKSCATTER, frame, wire, dst, port, resp, len(ip), aport)
            for dt, cat, xip in extra:
                x = eth + xip
                yield ts + dt, (cat, x + PAD[min(len(x), ETH_MIN_FRAME)],
                                max(len(x), ETH_MIN_FRAME), 0, -1, -1, 0, -1)


# --------------------------------------------------------------------- noise

class Noise:
    """Background telescope traffic: count packets uniformly over
    [start, start + dur], of the kinds in weights (name -> weight)."""

    KINDS = ["syn", "udp", "echo_req", "tcp_other", "icmp_other", "ip_options",
             "other_proto", "scan_outside", "outside", "non_ip", "fragment",
             "malformed", "truncated"]
    CAT = {"syn": CAT_NOT_BACKSCATTER, "udp": CAT_NOT_BACKSCATTER,
           "echo_req": CAT_NOT_BACKSCATTER, "tcp_other": CAT_NOT_BACKSCATTER,
           "icmp_other": CAT_NOT_BACKSCATTER, "ip_options": CAT_NOT_BACKSCATTER,
           "other_proto": CAT_NOT_BACKSCATTER, "scan_outside": CAT_NOT_BACKSCATTER,
           "outside": CAT_OUTSIDE, "non_ip": CAT_NON_IP, "fragment": CAT_FRAGMENT,
           "malformed": CAT_MALFORMED, "truncated": CAT_TRUNCATED}

    def __init__(self, addrs, start, dur, count, weights, n_scanners=2000):
        self.start, self.dur, self.count = start, dur, count
        self.kinds = [k for k in self.KINDS if weights.get(k, 0) > 0]
        cum, acc = [], 0.0
        for k in self.kinds:
            acc += weights[k]
            cum.append(acc)
        self.cum = [c / acc for c in cum]
        self.cum[-1] = 1.0
        self.scanners = [addrs.random() for _ in range(n_scanners)]
        # Zipf-like weights: a few scanners send most of the probes.
        self.scan_cum = list(itertools.accumulate(
            1.0 / (i + 1) ** 0.9 for i in range(n_scanners)))
        self.outside = [addrs.random() for _ in range(256)]
        self.counts = dict.fromkeys(self.kinds, 0)
        self.fid = 0

    def gen(self, r, pick_tel, vlan_share):
        rnd = r.random
        kinds, cum = self.kinds, self.cum
        scanners, scum = self.scanners, self.scan_cum
        stot = scum[-1]
        counts = self.counts
        builders = [getattr(self, "b_" + k) for k in kinds]
        nk = len(kinds)
        ident = [0]
        for ts in times_uniform(r, self.start, self.dur, self.count):
            k = bisect.bisect_left(cum, rnd()) if nk > 1 else 0
            kind = kinds[k]
            counts[kind] += 1
            src = scanners[bisect.bisect_left(scum, rnd() * stot)]
            ident[0] = (ident[0] + 7) & 0xFFFF
            frame, wire = builders[k](r, ts, src, pick_tel, ident[0])
            if rnd() < vlan_share:
                frame = frame[:12] + VLAN_TAG + frame[12:]
                wire += 4
            if len(frame) < ETH_MIN_FRAME and wire == len(frame):
                wire = ETH_MIN_FRAME
                frame += PAD[len(frame)]
            yield ts, (self.CAT[kind], frame, wire, 0, -1, -1, 0, -1)

    # Each builder returns (frame captured bytes, original wire length).
    @staticmethod
    def b_syn(r, ts, src, pick, ident):
        rnd = r.random
        dport = SCAN_PORTS[bisect.bisect_left(SCAN_PORT_CUM, rnd() * SCAN_PORT_CUM[-1])]
        ip = tcp_packet(src, pick(), 1024 + int(rnd() * 64512), dport,
                        int(rnd() * 4294967296.0), 0, 0x02, 1024, ident, 30 + int(rnd() * 220))
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_udp(r, ts, src, pick, ident):
        port, payload = UDP_PROBES[int(r.random() * len(UDP_PROBES))]
        if port == 0:
            port = r.randrange(33434, 33535)  # traceroute range: plain data
        ip = udp_packet(src, pick(), 1024 + r.randrange(64512), port, payload, ident,
                        30 + r.randrange(220))
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_echo_req(r, ts, src, pick, ident):
        ip = icmp_packet(src, pick(), 8, 0, struct.pack("!HH", r.getrandbits(16), 0) +
                         bytes(r.choice([0, 8, 56])), ident, 30 + r.randrange(220))
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_tcp_other(r, ts, src, pick, ident):
        # ACK, FIN, NULL, Xmas (FIN+PSH+URG), PSH+ACK: none has SYN+ACK or RST.
        flags = r.choice([0x10, 0x01, 0x00, 0x29, 0x18])
        ip = tcp_packet(src, pick(), r.randrange(1024, 65536), r.choice(SCAN_PORTS),
                        r.getrandbits(32), r.getrandbits(32) if flags & 0x10 else 0, flags,
                        1024, ident, 30 + r.randrange(220))
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_icmp_other(r, ts, src, pick, ident):
        # Requests, never answers: timestamp (13), information (15), mask (17).
        itype = r.choice([13, 15, 17])
        rest = struct.pack("!HH", r.getrandbits(16), 1) + (bytes(12) if itype == 13 else
                                                           bytes(4) if itype == 17 else b"")
        ip = icmp_packet(src, pick(), itype, 0, rest, ident, 30 + r.randrange(220))
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_ip_options(r, ts, src, pick, ident):
        # A SYN probe with 4 bytes of IP options (IHL 6): still a scan.
        dst = pick()
        opts = b"\x01\x01\x01\x00"  # NOP NOP NOP EOL
        sport, dport, seq = r.randrange(1024, 65536), r.choice(SCAN_PORTS), r.getrandbits(32)
        s = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 6 + 20 + \
            sport + dport + (seq >> 16) + (seq & 0xFFFF) + (0x50 << 8 | 0x02) + 1024
        tcp = TCPH.pack(sport, dport, seq, 0, 0x50, 0x02, 1024, fold(s), 0)
        ip = ip_header(44, ident, 0, 50, 6, src, dst, ver_ihl=0x46, opts=opts) + tcp
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_other_proto(r, ts, src, pick, ident):
        # IGMPv2 membership report (protocol 2): IP, but not TCP, UDP or ICMP.
        group = 0xEF000000 | r.getrandbits(16)
        igmp = struct.pack("!BBHI", 0x16, 0, fold((0x16 << 8) + (group >> 16) + (group & 0xFFFF)),
                           group)
        ip = ip_header(20 + len(igmp), ident, 0, 1, 2, src, pick()) + igmp
        return ETH_IP + ip, 14 + len(ip)

    def b_scan_outside(self, r, ts, src, pick, ident):
        return self.b_syn(r, ts, src, lambda: self.outside[r.randrange(256)], ident)

    def b_outside(self, r, ts, src, pick, ident):
        # Backscatter-like, but to an address outside the telescope.
        dst = self.outside[r.randrange(256)]
        c = r.randrange(3)
        if c == 0:
            ip = tcp_packet(src, dst, r.choice(SERVICE_PORTS), r.randrange(1024, 65536),
                            r.getrandbits(32), r.getrandbits(32), 0x12, 29200, ident, 55,
                            MSS_OPT, sum16(MSS_OPT))
        elif c == 1:
            ip = tcp_packet(src, dst, r.randrange(1, 65536), r.randrange(1024, 65536), 0,
                            r.getrandbits(32), 0x14, 0, ident, 55)
        else:
            ip = icmp_packet(src, dst, 0, 0, struct.pack("!HH", r.getrandbits(16), 1) + bytes(56),
                             ident, 55)
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_non_ip(r, ts, src, pick, ident):
        # ARP request "who has <telescope addr>" (a darknet router asks
        # for the addresses it forwards to) or a gratuitous ARP reply.
        if r.random() < 0.8:
            body = struct.pack("!HHBBH6sI6sI", 1, 0x0800, 6, 4, 1, MAC_ROUTER, src, bytes(6),
                               pick())
            frame = b"\xff" * 6 + MAC_ROUTER + b"\x08\x06" + body
        else:
            a = pick()
            body = struct.pack("!HHBBH6sI6sI", 1, 0x0800, 6, 4, 2, MAC_TELESCOPE, a,
                               b"\xff" * 6, a)
            frame = b"\xff" * 6 + MAC_TELESCOPE + b"\x08\x06" + body
        return frame, len(frame)

    @staticmethod
    def b_fragment(r, ts, src, pick, ident):
        # Non-first fragment (offset > 0). Its payload is made to look like
        # a TCP SYN+ACK or ICMP echo reply header: only the first fragment
        # carries a transport header, so a parser must not read this one.
        proto = r.choice([6, 17, 1])
        if proto == 1:
            payload = struct.pack("!BBHHH", 0, 0, 0, 1, 1) + bytes(r.randrange(8, 64))
        else:
            payload = TCPH.pack(80, 40000, 1, 1, 0x50, 0x12, 29200, 0, 0) + \
                bytes(r.randrange(0, 48))
        frag = (r.randrange(1, 8) * 185) & 0x1FFF  # offset in 8-byte units, MF clear
        ip = ip_header(20 + len(payload), ident, frag, 50, proto, src, pick()) + payload
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_malformed(r, ts, src, pick, ident):
        c = r.randrange(4)
        dst = pick()
        tcp = TCPH.pack(80, 40000, 1, 1, 0x50, 0x12, 29200, 0, 0)
        if c == 0:  # version 6 in an IPv4 (0x0800) frame
            ip = ip_header(40, ident, 0, 50, 6, src, dst, ver_ihl=0x65) + tcp
        elif c == 1:  # IHL 4 (< 5)
            ip = ip_header(40, ident, 0, 50, 6, src, dst, ver_ihl=0x44) + tcp
        elif c == 2:  # total length 16 < header length 20
            ip = ip_header(16, ident, 0, 50, 6, src, dst) + tcp
        else:  # TCP data offset 4 (< 5) on a SYN+ACK
            tcp = TCPH.pack(80, 40000, 1, 1, 0x40, 0x12, 29200, 0, 0)
            ip = ip_header(40, ident, 0, 50, 6, src, dst) + tcp
        return ETH_IP + ip, 14 + len(ip)

    @staticmethod
    def b_truncated(r, ts, src, pick, ident):
        # A valid pcap record whose capture ends inside a header the
        # classifier needs; the wire length is the full packet's.
        c = r.randrange(3)
        dst = pick()
        if c == 0:  # inside the IPv4 header
            ip = tcp_packet(src, dst, 80, 40000, 1, 1, 0x12, 29200, ident, 50)
            keep = 12
        elif c == 1:  # inside the TCP header, before the flags
            ip = tcp_packet(src, dst, 80, 40000, 1, 1, 0x12, 29200, ident, 50)
            keep = 20 + 10
        else:  # inside the ICMP header (< 4 bytes)
            ip = icmp_packet(src, dst, 0, 0, bytes(60), ident, 50)
            keep = 20 + 2
        return ETH_IP + ip[:keep], max(ETH_MIN_FRAME, 14 + len(ip))


BENCH_NOISE = {"syn": 80.0, "udp": 7.0, "echo_req": 4.0, "tcp_other": 2.0, "icmp_other": 0.5,
               "ip_options": 0.3, "other_proto": 0.2, "scan_outside": 1.0, "outside": 2.0,
               "non_ip": 1.5, "fragment": 0.7, "malformed": 0.4, "truncated": 0.4}
EVEN_NOISE = dict.fromkeys(Noise.KINDS, 1.0)
EVEN_NOISE["syn"] = 10.0
EVEN_NOISE["udp"] = 3.0


LINK_LOCAL_ROUTER6 = 0xFE80 << 112 | 2  # fe80::2, the telescope's upstream router
SOLICITED_NODE6 = 0xFF02 << 112 | 1 << 32 | 0xFF << 24  # ff02::1:ff00:0/104 (RFC 4291)


class Noise6(Noise):
    """IPv6 background traffic. Kinds as Noise; truth.json lists them with
    an "ipv6_" prefix. ext_hdr is a SYN scan behind a hop-by-hop header
    (the analogue of ip_options); there is no non-IP kind."""

    KINDS = ["syn", "udp", "echo_req", "tcp_other", "icmp_other", "ext_hdr", "other_proto",
             "scan_outside", "outside", "fragment", "malformed", "truncated"]
    CAT = {"syn": CAT_NOT_BACKSCATTER, "udp": CAT_NOT_BACKSCATTER,
           "echo_req": CAT_NOT_BACKSCATTER, "tcp_other": CAT_NOT_BACKSCATTER,
           "icmp_other": CAT_NOT_BACKSCATTER, "ext_hdr": CAT_NOT_BACKSCATTER,
           "other_proto": CAT_NOT_BACKSCATTER, "scan_outside": CAT_NOT_BACKSCATTER,
           "outside": CAT_OUTSIDE, "fragment": CAT_FRAGMENT, "malformed": CAT_MALFORMED,
           "truncated": CAT_TRUNCATED}

    @staticmethod
    def b_syn(r, ts, src, pick, ident, exts=()):
        dst = pick()
        dport = SCAN_PORTS[bisect.bisect_left(SCAN_PORT_CUM, r.random() * SCAN_PORT_CUM[-1])]
        ip = ip6_packet(src, dst, 6, tcp6(src, dst, r.randrange(1024, 65536), dport,
                                          r.getrandbits(32), 0, 0x02, 1024),
                        30 + r.randrange(220), exts)
        return ETH_IP6 + ip, 14 + len(ip)

    @staticmethod
    def b_udp(r, ts, src, pick, ident):
        dst = pick()
        port, payload = UDP_PROBES[r.randrange(len(UDP_PROBES))]
        if port == 0:
            port = r.randrange(33434, 33535)  # traceroute range: plain data
        ip = ip6_packet(src, dst, 17, udp6(src, dst, r.randrange(1024, 65536), port, payload),
                        30 + r.randrange(220))
        return ETH_IP6 + ip, 14 + len(ip)

    @staticmethod
    def b_echo_req(r, ts, src, pick, ident):
        dst = pick()
        msg = icmp6(src, dst, 128, 0, struct.pack("!HH", r.getrandbits(16), 0) +
                    bytes(r.choice([0, 8, 56])))
        ip = ip6_packet(src, dst, 58, msg, 30 + r.randrange(220))
        return ETH_IP6 + ip, 14 + len(ip)

    @staticmethod
    def b_tcp_other(r, ts, src, pick, ident):
        dst = pick()
        flags = r.choice([0x10, 0x01, 0x00, 0x29, 0x18])  # no SYN+ACK, no RST
        l4 = tcp6(src, dst, r.randrange(1024, 65536), r.choice(SCAN_PORTS), r.getrandbits(32),
                  r.getrandbits(32) if flags & 0x10 else 0, flags, 1024)
        ip = ip6_packet(src, dst, 6, l4, 30 + r.randrange(220))
        return ETH_IP6 + ip, 14 + len(ip)

    @staticmethod
    def b_icmp_other(r, ts, src, pick, ident):
        # ICMPv6 types outside the backscatter table: the router's neighbor
        # solicitation (135) for a telescope address, or a private
        # experimentation message (200).
        target = pick()
        if r.random() < 0.7:
            dst = SOLICITED_NODE6 | target & 0xFFFFFF
            body = bytes(4) + a16(target) + b"\x01\x01" + MAC_ROUTER
            ip = ip6_packet(LINK_LOCAL_ROUTER6, dst, 58, icmp6(LINK_LOCAL_ROUTER6, dst, 135, 0,
                                                               body), 255)
        else:
            ip = ip6_packet(src, target, 58, icmp6(src, target, 200, 0, bytes(4)),
                            30 + r.randrange(220))
        return ETH_IP6 + ip, 14 + len(ip)

    def b_ext_hdr(self, r, ts, src, pick, ident):
        return self.b_syn(r, ts, src, pick, ident, [(EXT_HOP, opts_ext())])

    @staticmethod
    def b_other_proto(r, ts, src, pick, ident):
        # No next header (59), or an ICMP (v4, protocol 1) echo reply
        # carried in IPv6: not ICMPv6, so not an echo reply.
        dst = pick()
        if r.random() < 0.5:
            ip = ip6_packet(src, dst, EXT_NONE, b"", 30 + r.randrange(220))
        else:
            eid = r.getrandbits(16)
            msg = struct.pack("!BBHHH", 0, 0, fold(eid + 1), eid, 1)
            ip = ip6_packet(src, dst, 1, msg, 30 + r.randrange(220))
        return ETH_IP6 + ip, 14 + len(ip)

    def b_scan_outside(self, r, ts, src, pick, ident):
        return self.b_syn(r, ts, src, lambda: self.outside[r.randrange(256)], ident)

    def b_outside(self, r, ts, src, pick, ident):
        # Backscatter-like, but to an address outside the telescope.
        dst = self.outside[r.randrange(256)]
        c = r.randrange(3)
        if c == 0:
            ip = ip6_packet(src, dst, 6, tcp6(src, dst, r.choice(SERVICE_PORTS),
                                              r.randrange(1024, 65536), r.getrandbits(32),
                                              r.getrandbits(32), 0x12, 28800, MSS6_OPT), 55)
        elif c == 1:
            ip = ip6_packet(src, dst, 6, tcp6(src, dst, r.randrange(1, 65536),
                                              r.randrange(1024, 65536), 0, r.getrandbits(32),
                                              0x14, 0), 55)
        else:
            ip = ip6_packet(src, dst, 58, icmp6(src, dst, 129, 0, struct.pack(
                "!HH", r.getrandbits(16), 1) + bytes(56)), 55)
        return ETH_IP6 + ip, 14 + len(ip)

    @staticmethod
    def b_fragment(r, ts, src, pick, ident):
        # Non-first fragment (offset > 0) whose data looks like a SYN+ACK or
        # an ICMPv6 echo reply header: only the first fragment holds one.
        dst = pick()
        proto = r.choice([6, 17, 58])
        if proto == 58:
            data = struct.pack("!BBHHH", 129, 0, 0, 1, 1) + bytes(r.randrange(8, 64))
        else:
            data = TCPH.pack(80, 40000, 1, 1, 0x50, 0x12, 28800, 0, 0) + bytes(r.randrange(0, 48))
        ext = (EXT_FRAG, frag_ext(r.randrange(1, 200) * 8, r.randrange(2), r.getrandbits(32)))
        ip = ip6_packet(src, dst, proto, data, 50, [ext])
        return ETH_IP6 + ip, 14 + len(ip)

    @staticmethod
    def b_malformed(r, ts, src, pick, ident):
        # Every variant is fully captured: its own fields are inconsistent.
        c = r.randrange(6)
        dst = pick()
        synack = tcp6(src, dst, 80, 40000, 1, 1, 0x12, 28800)
        if c == 0:  # version 4 in an IPv6 (0x86dd) frame
            ip = ip6_packet(src, dst, 6, synack, 50, version=4)
        elif c == 1:  # a 16-byte hop-by-hop header in a payload length of 8
            ip = ip6_packet(src, dst, 6, synack, 50, [(EXT_HOP, opts_ext(bytes(8)))], plen=8)
        elif c == 2:  # 9 extension headers, one more than PARSE_IPV6_MAX_EXT
            ip = ip6_packet(src, dst, 6, synack, 50, [(EXT_DST, opts_ext())] * 9)
        elif c == 3:  # payload length 10 leaves no room for the TCP flags
            ip = ip6_packet(src, dst, 6, synack, 50, plen=10)
        elif c == 4:  # TCP data offset 4 (< 5) on a SYN+ACK
            ip = ip6_packet(src, dst, 6, tcp6(src, dst, 80, 40000, 1, 1, 0x12, 28800, doff=4), 50)
        else:  # payload length 2 cuts the ICMPv6 header of an echo reply
            ip = ip6_packet(src, dst, 58, icmp6(src, dst, 129, 0, bytes(4)), 50, plen=2)
        return ETH_IP6 + ip, 14 + len(ip)

    @staticmethod
    def b_truncated(r, ts, src, pick, ident):
        # A valid pcap record whose capture ends inside a header the
        # classifier needs; the payload length and wire length are the
        # full packet's.
        c = r.randrange(4)
        dst = pick()
        synack = tcp6(src, dst, 80, 40000, 1, 1, 0x12, 28800, MSS6_OPT)
        if c == 0:  # inside the IPv6 header
            ip, keep = ip6_packet(src, dst, 6, synack, 50), 20
        elif c == 1:  # inside the TCP header, before the flags
            ip, keep = ip6_packet(src, dst, 6, synack, 50), 40 + 10
        elif c == 2:  # inside a hop-by-hop header
            ip, keep = ip6_packet(src, dst, 6, synack, 50, [(EXT_HOP, opts_ext(bytes(8)))]), 46
        else:  # inside the ICMPv6 header
            ip, keep = ip6_packet(src, dst, 58, icmp6(src, dst, 129, 0, bytes(60)), 50), 42
        return ETH_IP6 + ip[:keep], max(ETH_MIN_FRAME, 14 + len(ip))


EVEN_NOISE6 = dict.fromkeys(Noise6.KINDS, 1.0)
EVEN_NOISE6["syn"] = 10.0
EVEN_NOISE6["udp"] = 3.0


# ------------------------------------------------------------------ truth

class FlowState:
    __slots__ = ("key", "start", "last", "packets", "bytes", "dests", "ports", "resp",
                 "secs", "kinds", "responder", "mismatches", "aports", "victims")

    def __init__(self, key, ts):
        self.key = key
        self.start = ts
        self.last = ts
        self.packets = 0
        self.bytes = 0
        self.dests = set()
        self.ports = {}
        self.resp = 0
        self.secs = {}
        self.kinds = set()
        self.responder = None
        self.mismatches = 0
        self.aports = set()
        self.victims = set()


def peak_of(secs):
    """Most packets whose whole second lies in any PEAK_WINDOW_S consecutive seconds."""
    keys = sorted(secs)
    best = run = 0
    lo = 0
    for hi, s in enumerate(keys):
        run += secs[s]
        while keys[lo] <= s - PEAK_WINDOW_S:
            run -= secs[keys[lo]]
            lo += 1
        if run > best:
            best = run
    return best


def prefix_of(a, lens):
    """The address int a masked to its family's length in lens (len4, len6)."""
    width, length = (32, lens[0]) if a < V4_SPACE else (128, lens[1])
    return a & ~((1 << (width - length)) - 1)


class Truth:
    """Re-implements the collector's flow rules on the packets written.
    With prefix=(len4, len6), keyed on the victim's prefix as the prefix
    view (collect --prefix-view) is: rows are then PREFIX_TRUTH_COLUMNS."""

    def __init__(self, prefix=None):
        self.prefix = prefix
        self.open = {}
        self.rows = []
        self.now = 0
        self.n = 0
        self.top_port_ties = 0

    def add(self, ts, flow, dst, port, resp, ip_len, aport):
        if ts > self.now:
            self.now = ts
        victim = flow.victim if self.prefix is None else prefix_of(flow.victim, self.prefix)
        key = (victim, flow.proto)
        st = self.open.get(key)
        if st is not None and self.now - st.last > FLOW_TIMEOUT_US:
            self.close(st)
            st = None
        if st is None:
            st = self.open[key] = FlowState(key, ts)
        if ts < st.start:
            st.start = ts
        if ts > st.last:
            st.last = ts
        st.packets += 1
        st.bytes += ip_len
        st.dests.add(dst)
        if port >= 0:
            st.ports[port] = st.ports.get(port, 0) + 1
        if aport >= 0:
            st.aports.add(aport)
        if self.prefix is not None:
            st.victims.add(flow.victim)
        st.resp |= 1 << resp
        sec = ts // US
        st.secs[sec] = st.secs.get(sec, 0) + 1
        st.kinds.add(flow.kind)
        if flow.responder is not None:
            st.responder = flow.responder
            st.mismatches += 1
        self.n += 1
        if self.n & 0xFFFF == 0:
            self.expire()

    def expire(self):
        old = [st for st in self.open.values() if self.now - st.last > FLOW_TIMEOUT_US]
        for st in old:
            self.close(st)

    def close(self, st):
        del self.open[st.key]
        peak = peak_of(st.secs)
        dur = st.last - st.start
        ndst = len(st.dests)
        top = ""
        if st.ports:
            best = max(st.ports.values())
            tops = sorted(p for p, c in st.ports.items() if c == best)
            if len(tops) > 1:
                self.top_port_ties += 1
            top = str(tops[0])
        exp = {}
        for name, (mp, md, mpk, mdst) in PRESETS.items():
            exp[name] = int(st.packets >= mp and dur >= md and peak >= mpk and ndst >= mdst)
        victim, proto = st.key
        if self.prefix is not None:
            length = self.prefix[0] if victim < V4_SPACE else self.prefix[1]
            self.rows.append((st.start, victim, proto, (
                "%s/%d" % (fmt_addr(victim), length), proto, iso_us(st.start), iso_us(st.last),
                st.packets, ndst, len(st.victims),
                int(exp["rsdos"] and len(st.victims) >= PREFIX_MIN_VICTIMS), st.last,
                st.victims)))
            return
        # A tuple in TRUTH_COLUMNS order (dicts would cost ~2 KB per row).
        self.rows.append((st.start, victim, proto, (
            fmt_addr(victim), proto, iso_us(st.start), iso_us(st.last), st.packets, ndst, top,
            fmt_addr(st.responder) if st.responder is not None else "",
            "|".join(sorted(st.kinds)), exp["rsdos"], exp["moore"],
            st.bytes, peak, "%d.%06d" % divmod(dur, US),
            "|".join(n for i, n in enumerate(RESP_NAMES) if st.resp >> i & 1),
            st.mismatches, len(st.ports), len(st.aports))))

    def finish(self):
        """Rows sorted by start time, victim, protocol."""
        for st in list(self.open.values()):
            self.close(st)
        self.rows.sort(key=lambda t: (t[0], t[1], t[2]))
        return [t[3] for t in self.rows]


def victim_attacks(prows, rows):
    """Fills each prefix truth row's victim_attacks: the distinct victims
    of its prefix with an rsdos attack (truth rows) on its protocol that
    overlaps it in time; returns rows in PREFIX_TRUTH_COLUMNS."""
    out = []
    for pr in prows:
        start, last, members = parse_iso(pr[2]), pr[8], {fmt_addr(m) for m in pr[9]}
        hit = {row[0] for row in rows
               if row[COL_RSDOS] and row[1] == pr[1] and row[0] in members
               and parse_iso(row[2]) <= last and parse_iso(row[3]) >= start}
        out.append(pr[:8] + (len(hit),))
    return out


# ------------------------------------------------------------------ time

def parse_iso(text):
    """'2026-11-24T00:00:00Z' (optional fraction) -> microseconds since the epoch."""
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z", text)
    if not m:
        raise ValueError("time must look like 2026-11-24T00:00:00Z: %r" % text)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = int((m.group(7) or "0").ljust(6, "0"))
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) * US + frac


def iso_us(us):
    sec, frac = divmod(us, US)
    t = datetime.datetime.fromtimestamp(sec, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % frac


# ------------------------------------------------------------------ output

class SplitWriter:
    """K pcap files covering [t0, t0 + span) in equal time slices; packets
    after the last boundary go to the last file. Never moves back to an
    earlier file, so out-of-order packets stay in the file being written."""

    def __init__(self, outdir, k, t0, span, gz):
        self.outdir, self.k, self.gz = outdir, k, gz
        self.bounds = [t0 + span * i // k for i in range(1, k)] + [1 << 62]
        self.names = ["trace-%03d.pcap%s" % (i, ".gz" if gz else "") for i in range(k)]
        self.idx = -1
        self.f = self.raw = None
        self.buf = bytearray()
        self._open_next()

    def _open_next(self):
        self._close()
        self.idx += 1
        path = os.path.join(self.outdir, self.names[self.idx])
        self.raw = open(path, "wb")
        if self.gz:
            # mtime=0 and no file name in the header: byte-identical reruns.
            self.f = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0,
                                   compresslevel=6)
        else:
            self.f = self.raw
        self.buf += PCAP_GLOBAL

    def _close(self):
        if self.f is None:
            return
        self.f.write(self.buf)
        self.buf.clear()
        if self.f is not self.raw:
            self.f.close()
        self.raw.close()
        self.f = self.raw = None

    def write(self, ts, frame, wire):
        while ts >= self.bounds[self.idx]:
            self._open_next()
        buf = self.buf
        buf += PCAP_REC.pack(ts // US, ts % US, len(frame), wire)
        buf += frame
        if len(buf) > 1 << 22:
            self.f.write(buf)
            buf.clear()

    def close(self):
        while self.idx < self.k - 1:
            self._open_next()
        self._close()


def run_plan(plan, args, outdir):
    """Merges the flows and the noise in time order, writes the pcap files,
    returns (truth rows, counts by category, first ts, last ts, extra)."""
    r = random.Random(args.seed * 7919 + 17)  # packet contents; plan used its own
    pick_tel = plan.telescope.picker(r)
    pick_tel6 = plan.telescope6.picker(r)
    vshare = args.vlan_share
    flows = sorted(plan.flows, key=lambda f: f.start)
    for i, f in enumerate(flows):
        f.fid = i + 1
    writer = SplitWriter(outdir, plan.files, plan.t0, plan.span, args.gzip)
    truth = Truth()
    ptruth = Truth(plan.prefix_view) if plan.prefix_view else None
    counts = [0] * len(CAT_NAMES)
    resp_counts = [0] * len(RESP_NAMES)
    heap = []
    if plan.noise is not None and plan.noise.count > 0:
        g = plan.noise.gen(r, pick_tel, vshare)
        ts, item = next(g)
        heap.append((ts, 0, item, g, None))
    if plan.noise6 is not None and plan.noise6.count > 0:
        g = plan.noise6.gen(r, pick_tel6, vshare)
        ts, item = next(g)
        heapq.heappush(heap, (ts, -1, item, g, None))
    nflows = len(flows)
    fi = 0
    first = last = None
    write = writer.write
    tadd = truth.add
    hreplace, hpop, hpush = heapq.heapreplace, heapq.heappop, heapq.heappush
    while True:
        top = heap[0][0] if heap else None
        if fi < nflows and (top is None or flows[fi].start <= top):
            f = flows[fi]
            fi += 1
            g = f.gen(r, pick_tel6 if f.V6 else pick_tel, vshare)
            for ts, item in g:
                hpush(heap, (ts, f.fid, item, g, f))
                break
            continue
        if top is None:
            break
        ts, fid, item, g, f = heap[0]
        cat, frame, wire, dst, port, resp, ip_len, aport = item
        write(ts, frame, wire)
        counts[cat] += 1
        if first is None or ts < first:
            first = ts
        if last is None or ts > last:
            last = ts
        if cat == CAT_BACKSCATTER:
            resp_counts[resp] += 1
            tadd(ts, f, dst, port, resp, ip_len, aport)
            if ptruth is not None:
                ptruth.add(ts, f, dst, port, resp, ip_len, aport)
        for nts, nitem in g:
            hreplace(heap, (nts, fid, nitem, g, f))
            break
        else:
            hpop(heap)
    writer.close()
    rows = truth.finish()
    noise = dict(plan.noise.counts) if plan.noise else {}
    if plan.noise6:
        noise.update(("ipv6_" + k, v) for k, v in plan.noise6.counts.items())
    extra = {"top_port_ties": truth.top_port_ties,
             "backscatter_by_response": {n: resp_counts[i] for i, n in enumerate(RESP_NAMES)
                                         if resp_counts[i]},
             "noise_by_kind": dict(sorted(noise.items()))}
    if ptruth is not None:
        extra["prefix_rows"] = victim_attacks(ptruth.finish(), rows)
    return rows, writer.names, counts, first, last, extra


# ------------------------------------------------------------------ scenarios

class Plan:
    def __init__(self, args, telescope, hours, files):
        self.r = random.Random(args.seed)  # planning randomness
        self.args = args
        self.tel_texts = telescope.texts
        self.telescope = telescope.v4
        self.telescope6 = telescope.v6
        self.addrs = PublicAddrs(self.r, telescope.v4)
        self.addrs6 = PublicAddrs6(self.r, telescope.v6)
        self.pick_tel = telescope.v4.picker(self.r)
        self.pick_tel6 = telescope.v6.picker(self.r)
        self.t0 = parse_iso(args.start)
        self.span = int((args.hours if args.hours is not None else hours) * 3600 * US)
        self.files = args.files if args.files is not None else files
        self.flows = []
        self.noise = None
        self.noise6 = None
        self.prefix_view = None  # (len4, len6): also write prefix_truth.csv

    def at(self, seconds):
        return self.t0 + int(round(seconds * US))

    def add(self, kind, victim, proto, maker, segments=None, times=None, dests=None,
            dest_mode="choice", responder=None):
        f = Flow(kind, victim, proto, maker, segments, times, dests, dest_mode, responder)
        self.flows.append(f)
        return f

    def add6(self, kind, victim, proto, maker, segments=None, times=None, dests=None,
             dest_mode="choice", responder=None):
        f = Flow6(kind, victim, proto, maker, segments, times, dests, dest_mode, responder)
        self.flows.append(f)
        return f

    def seg(self, start_s, dur_s, count):
        return (self.at(start_s), int(dur_s * US), count)

    def victim(self, pools=GEO_BOTH):
        return self.addrs.from_nets(pools)

    def tel_addrs(self, n, v6=False):
        pick = self.pick_tel6 if v6 else self.pick_tel
        out = []
        while len(out) < n:
            a = pick()
            if a not in out:
                out.append(a)
        return out

    def set_noise(self, count, weights, n_scanners=2000, start=None, dur=None):
        self.noise = Noise(self.addrs, self.t0 if start is None else start,
                           self.span if dur is None else dur, count, weights, n_scanners)

    def victim6(self, pools=GEO6_COUNTRY + GEO6_ASN):
        return self.addrs6.from_nets(pools)

    def set_noise6(self, count, weights, n_scanners=200):
        self.noise6 = Noise6(self.addrs6, self.t0, self.span, count, weights, n_scanners)


def ttl_of(r):
    return r.choice([64, 128, 255]) - r.randrange(8, 25)


def sc_synack(p):
    r = p.r
    v1, v2 = p.victim(), p.victim()
    p.add("syn-flood", v1, TCP, mk_tcp(v1, PortPlan(r, 80, 0), ttl_of(r)), [p.seg(300, 600, 1200)])
    p.add("syn-flood", v2, TCP, mk_tcp(v2, PortPlan(r, 443, 0), ttl_of(r), synack_opts=LONG_OPT),
          [p.seg(1500, 1200, 1500)])


def sc_rst(p):
    r = p.r
    v1, v2 = p.victim(), p.victim()
    p.add("syn-flood-closed", v1, TCP, mk_tcp(v1, PortPlan(r, 8080, 0.6), ttl_of(r), rst_share=1.0),
          [p.seg(300, 900, 900)])
    p.add("ack-flood", v2, TCP, mk_tcp(v2, PortPlan(r, 22, 0), ttl_of(r), rst_share=1.0,
                                       rst_ack_share=0.0), [p.seg(1500, 300, 900)])


def sc_echo(p):
    r = p.r
    v1, v2 = p.victim(), p.victim()
    p.add("ping-flood", v1, ICMP, mk_icmp_reply(v1, 0, ttl_of(r), 56), [p.seg(300, 600, 1200)])
    p.add("ping-flood", v2, ICMP, mk_icmp_reply(v2, 0, ttl_of(r), 0), [p.seg(1200, 900, 1000)])


def sc_icmp_replies(p):
    r = p.r
    for i, itype in enumerate((14, 16, 18)):
        v = p.victim()
        p.add("icmp-%d-flood" % itype, v, ICMP, mk_icmp_reply(v, itype, ttl_of(r)),
              [p.seg(300 + 600 * i, 600, 600)])


def sc_unreach_udp(p):
    r = p.r
    v1, v2 = p.victim(), p.victim()
    p.add("udp-flood", v1, UDP, mk_icmp_error(v1, 3, 3, UDP, PortPlan(r, 53, 0), ttl_of(r)),
          [p.seg(300, 600, 1200)])
    p.add("udp-flood", v2, UDP, mk_icmp_error(v2, 3, 3, UDP, PortPlan(r, 27015, 0.5), ttl_of(r),
                                              quote_len=40, orig_payload=32),
          [p.seg(1200, 900, 900)])


def sc_icmp_errors(p):
    r = p.r
    specs = [(4, 0, TCP, 80), (5, 1, UDP, 123), (11, 1, ICMP, None), (12, 0, TCP, 443),
             (3, 1, UDP, 161)]
    for i, (itype, code, qproto, port) in enumerate(specs):
        v = p.victim()
        plan = PortPlan(r, port, 0) if port is not None else None
        p.add("icmp-%d-%d" % (itype, code), v, qproto,
              mk_icmp_error(v, itype, code, qproto, plan, ttl_of(r), gateway=p.addrs.random()),
              [p.seg(120 + 600 * i, 480, 480)])


def sc_router(p):
    r = p.r
    specs = [(3, 1, UDP, 53), (11, 0, TCP, 80), (3, 13, ICMP, None), (3, 10, TCP, 443)]
    for i, (itype, code, qproto, port) in enumerate(specs):
        v, rtr = p.victim(), p.addrs.random()
        plan = PortPlan(r, port, 0) if port is not None else None
        p.add("router-%d-%d" % (itype, code), v, qproto,
              mk_icmp_error(v, itype, code, qproto, plan, ttl_of(r), responder=rtr),
              [p.seg(200 + 800 * i, 600, 900)], responder=rtr)


def sc_short_quote(p):
    r = p.r
    v1, v2 = p.victim(), p.victim()
    # Quote shorter than an IP header: victim falls back to the outer source,
    # protocol ICMP (telescope/classify.h).
    p.add("short-quote-ip", v1, ICMP, mk_icmp_error(v1, 3, 3, UDP, None, ttl_of(r), quote_len=-12),
          [p.seg(300, 600, 900)])
    # Quoted IP header complete, transport cut to 2 bytes: quoted
    # destination and protocol, no port.
    p.add("short-quote-l4", v2, UDP, mk_icmp_error(v2, 3, 3, UDP, PortPlan(r, 53, 0), ttl_of(r),
                                                   quote_len=2),
          [p.seg(1200, 600, 900)])


def sc_span(p):
    r = p.r
    v = p.victim()
    half = p.span / US / 2
    p.add("span", v, TCP, mk_tcp(v, PortPlan(r, 443, 0), ttl_of(r)),
          [p.seg(half - 600, 1200, 1800)])


def sc_repeat(p):
    r = p.r
    v = p.victim()
    mk = mk_tcp(v, PortPlan(r, 80, 0), ttl_of(r))
    p.add("repeat-1", v, TCP, mk, [p.seg(600, 600, 1200)])
    p.add("repeat-2", v, TCP, mk, [p.seg(1320, 600, 1200)])  # gap ~120 s: same flow
    p.add("repeat-3", v, TCP, mk, [p.seg(2820, 580, 1160)])  # gap ~900 s: new flow
    # Same victim, another protocol at the same time: its own flow.
    p.add("repeat-icmp", v, ICMP, mk_icmp_reply(v, 0, ttl_of(r)), [p.seg(2900, 400, 800)])


def sc_multivector(p):
    """Attacks on one victim over several protocols at once (multi-vector):
    what attacks.csv's vector_group ties, and what it must not."""
    r = p.r
    va, vb, vc, vd, ve, vf = (p.victim() for _ in range(6))

    def syn(v, port=80):
        return mk_tcp(v, PortPlan(r, port, 0), ttl_of(r))

    def ping(v):
        return mk_icmp_reply(v, 0, ttl_of(r))
    # Two vectors at once: TCP SYN+ACK and ICMP echo replies overlapping.
    p.add("mv-pair-tcp", va, TCP, syn(va), [p.seg(600, 1200, 1500)])
    p.add("mv-pair-icmp", va, ICMP, ping(va), [p.seg(1200, 1200, 1200)])
    # A chain: TCP and ICMP do not overlap, UDP overlaps both.
    p.add("mv-chain-tcp", vb, TCP, syn(vb, 443), [p.seg(600, 600, 900)])
    p.add("mv-chain-udp", vb, UDP, mk_icmp_error(vb, 3, 3, UDP, PortPlan(r, 53, 0), ttl_of(r)),
          [p.seg(1080, 1020, 900)])
    p.add("mv-chain-icmp", vb, ICMP, ping(vb), [p.seg(1980, 720, 700)])
    # The same victim twice, one protocol after the other: two groups.
    p.add("mv-apart-tcp", vc, TCP, syn(vc), [p.seg(600, 600, 900)])
    p.add("mv-apart-icmp", vc, ICMP, ping(vc), [p.seg(2400, 600, 900)])
    # ICMP starts in the very microsecond TCP ends: one group.
    tcp_times = [p.at(1500 + 0.6 * i) for i in range(120)]
    p.add("mv-touch-tcp", vd, TCP, syn(vd), times=tcp_times)
    p.add("mv-touch-icmp", vd, ICMP, ping(vd), times=[tcp_times[-1] + int(0.6 * US) * i
                                                       for i in range(120)])
    # ICMP starts a microsecond after TCP ends: two groups.
    tcp_times = [p.at(2500 + 0.6 * i) for i in range(120)]
    p.add("mv-gap-tcp", ve, TCP, syn(ve), times=tcp_times)
    p.add("mv-gap-icmp", ve, ICMP, ping(ve), times=[tcp_times[-1] + 1 + int(0.6 * US) * i
                                                     for i in range(120)])
    # Across the file boundary at 01:00 (2 files): one group.
    p.add("mv-cut-tcp", vf, TCP, syn(vf), [p.seg(3000, 1200, 1500)])
    p.add("mv-cut-icmp", vf, ICMP, ping(vf), [p.seg(3900, 900, 1000)])


def sc_subthreshold(p):
    r = p.r
    vs = [p.victim() for _ in range(5)]
    p.add("sub-24-packets", vs[0], TCP, mk_tcp(vs[0], PortPlan(r, 80, 0), ttl_of(r)),
          [p.seg(300, 90, 24)])
    # 80 packets evenly over 10 minutes: duration fine, peak ~8 per minute.
    p.add("sub-low-peak", vs[1], TCP, mk_tcp(vs[1], PortPlan(r, 443, 0), ttl_of(r)),
          times=[p.at(700 + 7.5 * i) for i in range(80)])
    p.add("sub-59s", vs[2], ICMP, mk_icmp_reply(vs[2], 0, ttl_of(r)),
          times=[p.at(1500 + 59.0 * i / 99) for i in range(100)])
    p.add("sub-4-dests", vs[3], TCP, mk_tcp(vs[3], PortPlan(r, 22, 0), ttl_of(r), rst_share=1.0),
          [p.seg(2000, 300, 200)], dests=p.tel_addrs(4), dest_mode="cycle")
    # Sparse: 20 packets over three minutes (fails packets and peak).
    p.add("sub-sparse", vs[4], UDP, mk_icmp_error(vs[4], 3, 3, UDP, PortPlan(r, 53, 0), ttl_of(r)),
          times=[p.at(2400 + 9.0 * i) for i in range(20)])


def sc_edges(p):
    """Twins on each side of every threshold; see data/gen/README.md."""
    r = p.r
    base = 120

    def nv():
        return p.victim(GEO_BOTH + GEO_COUNTRY + GEO_ASN)

    def syn(v):
        return mk_tcp(v, PortPlan(r, 80, 0), ttl_of(r))
    cases = [
        # name, times (seconds from the case start), dests mode
        ("edge-dur-60s-pass", [2 * i for i in range(30)] + [60.0], None),
        ("edge-dur-59.999999s-fail", [2 * i for i in range(30)] + [59.999999], None),
        ("edge-peak-29-fail", [2 * i for i in range(29)] + [60 + 5 * j for j in range(48)], None),
        ("edge-peak-30-pass", [2 * i for i in range(30)] + [60 + 5 * j for j in range(48)], None),
        ("edge-dests-5-pass", [2 * i for i in range(40)], 5),
        ("edge-dests-4-fail", [2 * i for i in range(40)], 4),
        ("edge-moore-100-pass", [0.7 * i for i in range(100)], None),
        ("edge-moore-99-fail", [0.7 * i for i in range(99)], None),
        ("edge-gap-300s-one-flow", [2 * i for i in range(40)] + [78 + 300 + 2 * i for i in range(40)],
         None),
        ("edge-gap-300.000001s-two-flows",
         [2 * i for i in range(40)] + [78 + 300.000001 + 2 * i for i in range(40)], None),
    ]
    for i, (name, rel, nd) in enumerate(cases):
        v = nv()
        s = base + 600 * i
        times = [p.at(s) + int(round(t * US)) for t in rel]
        if nd is None:
            p.add(name, v, TCP, syn(v), times=times)
        else:
            p.add(name, v, TCP, syn(v), times=times, dests=p.tel_addrs(nd), dest_mode="cycle")


def sc_one_addr(p):
    r = p.r
    s1, s2 = p.addrs.random(), p.addrs.random()
    d1, d2 = p.tel_addrs(1), p.tel_addrs(1)
    # 80 SYN+ACKs to one telescope address in 2 minutes: enough packets,
    # duration and rate for rsdos, but one destination (corsaro v2 flaw).
    p.add("one-addr", s1, TCP, mk_tcp(s1, PortPlan(r, 80, 0), ttl_of(r)), [p.seg(300, 120, 80)],
          dests=d1)
    p.add("one-addr", s2, TCP, mk_tcp(s2, PortPlan(r, 443, 0), ttl_of(r), rst_share=1.0),
          [p.seg(1200, 600, 300)], dests=d2)


def add_probe_scanners(p, n, lo, hi, start_s=0.0, dur_s=None, one_dest=False):
    """Scanners probing with SYN+ACK or RST (backscatter-looking), a few
    packets each, over the scenario: kind=scanner rows in the truth."""
    r = p.r
    dur_s = p.span / US - start_s if dur_s is None else dur_s
    for _ in range(n):
        s = p.addrs.random()
        cnt = r.randint(lo, hi)
        st = start_s + r.random() * dur_s * 0.5
        d = max(1.0, r.random() * (dur_s - (st - start_s)))
        port = r.choice(SCAN_PORTS)
        mk = mk_tcp(s, PortPlan(r, port, 0), 64, rst_share=r.choice([0.0, 1.0]))
        p.add("scanner", s, TCP, mk, [p.seg(st, d, cnt)],
              dests=p.tel_addrs(1) if one_dest else None)


def sc_noise(p):
    p.set_noise(20000, EVEN_NOISE, n_scanners=200)
    add_probe_scanners(p, 20, 1, 4, one_dest=False)
    add_probe_scanners(p, 5, 20, 60, one_dest=True)


def sc_reorder(p):
    r = p.r
    v1, v2 = p.victim(), p.victim()
    # A 30-packet, 20 s burst whose latest packet comes first in the file:
    # corsaro v2 saw a negative duration and reported it. Not an attack.
    s = p.at(300)
    times = [s + 20 * US] + [s + int(i * 20 * US / 29) for i in range(29)]
    p.add("reorder-burst", v1, TCP, mk_tcp(v1, PortPlan(r, 80, 0), ttl_of(r)), times=times)
    # A real attack captured by two taps: up to 2 s of disorder.
    s2 = p.at(900)
    base = [s2 + int(i * 0.5 * US) for i in range(1200)]
    jit = [t + (r.randrange(2 * US) if i % 3 == 0 else 0) for i, t in enumerate(base)]
    p.add("reorder-jitter", v2, TCP, mk_tcp(v2, PortPlan(r, 443, 0), ttl_of(r)), times=jit)


def sc_ipv6(p):
    """IPv6 backscatter, noise and threshold cases; IPv4 ones too when the
    telescope also has IPv4 prefixes. See data/gen/README.md."""
    r = p.r
    v = [p.victim6() for _ in range(21)]

    def tcp(i, port, spread=0.0, **kw):
        return mk_tcp6(v[i], PortPlan(r, port, spread), ttl_of(r), **kw)

    def err(i, itype, code, qproto, port, **kw):
        plan = PortPlan(r, port, 0) if port is not None else None
        return mk_icmp6_error(v[i], itype, code, qproto, plan, ttl_of(r), **kw)

    # Attacks, each passing both presets: (kind, victim index, protocol,
    # maker, segment, responder).
    rtr = [p.addrs6.random() for _ in range(3)]
    unknown_opt = (EXT_DST, opts_ext(b"\x9e\x04" + bytes(4)))  # action bits 10: discard, answer
    unknown_ptr = struct.pack("!I", 40 + 2)  # that option's type byte in the quoted packet
    first_frag = IPV6_MIN_MTU - 48  # a first fragment sized for the minimum MTU
    attacks = [
        ("syn-flood-v6", 0, TCP, tcp(0, 443), (120, 600, 1200), None),
        ("syn-flood-closed-v6", 1, TCP, tcp(1, 80, 0.5, rst_share=1.0), (300, 600, 600), None),
        ("ping-flood-v6", 2, ICMP, mk_echo6(v[2], ttl_of(r)), (600, 600, 900), None),
        ("ping-flood-frag-v6", 3, ICMP, mk_echo6(v[3], ttl_of(r), 1800, mtu=1500),
         (900, 600, 300), None),
        ("udp-flood-v6", 4, UDP, err(4, 1, 4, UDP, 53, payload=32), (1200, 600, 600), None),
        ("udp-flood-too-big-router-v6", 5, UDP,
         err(5, 2, 0, UDP, 443, responder=rtr[0], field=struct.pack("!I", IPV6_MIN_MTU),
             payload=1350), (1500, 600, 500), rtr[0]),
        ("tcp-router-v6", 6, TCP, err(6, 3, 0, TCP, 80, responder=rtr[1], qhlim=1),
         (1800, 600, 600), rtr[1]),
        ("frag-reassembly-v6", 7, UDP,
         err(7, 3, 1, UDP, 27015, payload=2000, frag_first=first_frag), (2100, 500, 400), None),
        ("param-problem-v6", 8, ICMP, err(8, 4, 2, ICMP, None, field=unknown_ptr,
                                          qexts=[unknown_opt]), (2400, 400, 400), None),
        ("icmp-router-v6", 9, ICMP, err(9, 1, 3, ICMP, None, responder=rtr[2]),
         (2700, 300, 300), rtr[2]),
        ("syn-flood-hbh-v6", 10, TCP, tcp(10, 8443, exts=[(EXT_HOP, opts_ext())]),
         (2900, 400, 400), None),
        ("ack-flood-ext-v6", 11, TCP,
         tcp(11, 22, rst_share=1.0, rst_ack_share=0.0,
             exts=lambda dst: [(EXT_DST, opts_ext()), (EXT_ROUTING, srh_ext(dst))]),
         (3000, 300, 300), None),
        ("ping-flood-snap-v6", 12, ICMP, mk_echo6(v[12], ttl_of(r), 1000, snap=96),
         (3100, 300, 300), None),
        # Quote shorter than the IPv6 header: the victim falls back to the
        # outer source, protocol ICMP (telescope/classify.h).
        ("short-quote-ip-v6", 13, ICMP, err(13, 1, 4, UDP, None, quote_len=24), (200, 300, 300),
         None),
        # A quoted IPv4 packet, the wrong version: the same fallback.
        ("quote-ipv4-v6", 15, ICMP, err(15, 1, 4, UDP, None, quote_v4=True), (1600, 300, 300),
         None),
        # Quoted IPv6 header complete, 2 bytes of UDP: quoted destination, no port.
        ("short-quote-l4-v6", 14, UDP, err(14, 1, 4, UDP, 53, quote_len=42), (1000, 300, 300),
         None),
    ]
    for kind, i, proto, mk, seg, responder in attacks:
        p.add6(kind, v[i], proto, mk, [p.seg(*seg)], responder=responder)
    # Around the thresholds.
    p.add6("rsdos-only-v6", v[16], TCP, tcp(16, 80),
           times=[p.at(3300 + 1.125 * i) for i in range(80)])
    p.add6("moore-only-v6", v[17], TCP, tcp(17, 443, rst_share=1.0),
           times=[p.at(1500 + 10.0 * i) for i in range(150)])
    p.add6("sub-24-packets-v6", v[18], ICMP, mk_echo6(v[18], ttl_of(r)), [p.seg(400, 90, 24)])
    p.add6("sub-59s-v6", v[19], TCP, tcp(19, 80),
           times=[p.at(2000 + 59.0 * i / 99) for i in range(100)])
    p.add6("sub-4-dests-v6", v[20], TCP, tcp(20, 22, rst_share=1.0), [p.seg(2500, 300, 200)],
           dests=p.tel_addrs(4, v6=True), dest_mode="cycle")
    s = p.addrs6.random()
    p.add6("one-addr-v6", s, TCP, mk_tcp6(s, PortPlan(r, 80, 0), 64), [p.seg(1300, 120, 80)],
           dests=p.tel_addrs(1, v6=True))
    for _ in range(10):  # probing scanners, 1-4 SYN+ACK or RST each
        s = p.addrs6.random()
        st = r.random() * 1800
        p.add6("scanner", s, TCP, mk_tcp6(s, PortPlan(r, r.choice(SCAN_PORTS), 0), 64,
                                          rst_share=r.choice([0.0, 1.0])),
               [p.seg(st, max(1.0, r.random() * (3600 - st)), r.randint(1, 4))])
    p.set_noise6(3000, EVEN_NOISE6)
    if p.telescope.nets:
        # A mixed telescope: IPv4 victims answer into its IPv4 part.
        v4 = [p.victim() for _ in range(3)]
        p.add("syn-flood", v4[0], TCP, mk_tcp(v4[0], PortPlan(r, 80, 0), ttl_of(r)),
              [p.seg(600, 600, 1200)])
        p.add("ping-flood", v4[1], ICMP, mk_icmp_reply(v4[1], 0, ttl_of(r)),
              [p.seg(1800, 600, 600)])
        p.add("sub-24-packets", v4[2], TCP, mk_tcp(v4[2], PortPlan(r, 80, 0), ttl_of(r)),
              [p.seg(2400, 90, 24)])
        p.set_noise(1500, EVEN_NOISE, n_scanners=100)
    else:
        # IPv4 backscatter and scans cannot reach an IPv6-only telescope.
        p.set_noise(100, {"outside": 1.0, "scan_outside": 1.0}, n_scanners=20)


# Attack vectors for mixed/sample/bench: name -> (protocol, weight, factory).

def v_syn_flood(p, v, r):
    return TCP, mk_tcp(v, PortPlan(r, r.choice(SERVICE_PORTS), r.choice([0, 0, 0, 0.1])),
                       ttl_of(r), synack_opts=r.choice([MSS_OPT, MSS_OPT, LONG_OPT])), None


def v_syn_closed(p, v, r):
    return TCP, mk_tcp(v, PortPlan(r, r.choice(SERVICE_PORTS), r.choice([0.3, 0.6, 0.9])),
                       ttl_of(r), rst_share=1.0), None


def v_ack_flood(p, v, r):
    return TCP, mk_tcp(v, PortPlan(r, r.choice(SERVICE_PORTS), 0), ttl_of(r), rst_share=1.0,
                       rst_ack_share=0.1), None


def v_syn_mixed(p, v, r):
    return TCP, mk_tcp(v, PortPlan(r, r.choice(SERVICE_PORTS), 0.2), ttl_of(r),
                       rst_share=r.choice([0.2, 0.5])), None


def v_ping(p, v, r):
    return ICMP, mk_icmp_reply(v, 0, ttl_of(r), r.choice([0, 8, 56, 1472])), None


def v_icmp_req(p, v, r):
    return ICMP, mk_icmp_reply(v, r.choice([14, 16, 18]), ttl_of(r)), None


def v_udp(p, v, r):
    return UDP, mk_icmp_error(v, 3, 3, UDP, PortPlan(r, r.choice([53, 123, 27015, 30120, 19132,
                                                                  r.randrange(1024, 65536)]),
                                                     r.choice([0, 0, 0.5, 0.9])),
                              ttl_of(r), quote_len=r.choice([8, 8, 8, 40]),
                              orig_payload=r.choice([32, 64])), None


def v_udp_router(p, v, r):
    rtr = p.addrs.random()
    itype, code = r.choice([(3, 1), (3, 13), (11, 0), (3, 10)])
    return UDP, mk_icmp_error(v, itype, code, UDP, PortPlan(r, r.choice([53, 123, 80]), 0),
                              ttl_of(r), responder=rtr), rtr


def v_tcp_router(p, v, r):
    rtr = p.addrs.random()
    itype, code = r.choice([(3, 13), (11, 0), (3, 1)])
    return TCP, mk_icmp_error(v, itype, code, TCP, PortPlan(r, r.choice(SERVICE_PORTS), 0),
                              ttl_of(r), responder=rtr), rtr


def v_icmp_errors(p, v, r):
    itype, code, qproto = r.choice([(4, 0, TCP), (5, 1, UDP), (11, 1, UDP), (12, 0, TCP),
                                    (3, 2, ICMP), (3, 4, TCP)])
    plan = PortPlan(r, r.choice(SERVICE_PORTS), 0) if qproto != ICMP else None
    return qproto, mk_icmp_error(v, itype, code, qproto, plan, ttl_of(r),
                                 gateway=p.addrs.random()), None


def v_icmp_router(p, v, r):
    rtr = p.addrs.random()
    return ICMP, mk_icmp_error(v, r.choice([3, 11]), 0 if r.random() < 0.5 else 1, ICMP, None,
                               ttl_of(r), responder=rtr), rtr


VECTORS = [  # name, weight, factory
    ("syn-flood", 34, v_syn_flood),
    ("syn-flood-closed", 10, v_syn_closed),
    ("ack-flood", 6, v_ack_flood),
    ("syn-flood-mixed", 5, v_syn_mixed),
    ("ping-flood", 12, v_ping),
    ("icmp-request-flood", 3, v_icmp_req),
    ("udp-flood", 15, v_udp),
    ("udp-flood-router", 5, v_udp_router),
    ("tcp-router", 4, v_tcp_router),
    ("icmp-error", 3, v_icmp_errors),
    ("icmp-router", 3, v_icmp_router),
]
VECTOR_CUM = list(itertools.accumulate(w for _, w, _ in VECTORS))


def pick_vector(r):
    return VECTORS[bisect.bisect_right(VECTOR_CUM, r.random() * VECTOR_CUM[-1])]


def loguniform(r, lo, hi):
    return math.exp(math.log(lo) + r.random() * (math.log(hi) - math.log(lo)))


def plan_attack(p, r, v, vec, start_s, dur_s, rate, max_packets, profile):
    """Adds one attack (possibly in bursts) of vector vec on victim v."""
    name, _, factory = vec
    proto, mk, rtr = factory(p, v, r)
    count = max(1, min(max_packets, int(round(rate * dur_s))))
    if profile == "bursty" and count >= 40:
        # 2-5 bursts separated by pauses, some shorter and some longer
        # than the flow timeout.
        nb = r.randint(2, 5)
        segs = []
        t = start_s
        end_s = p.span / US
        for b in range(nb):
            bd = min(max(30.0, dur_s / nb * r.uniform(0.4, 1.0)), end_s - t)
            if bd < 10:
                break
            segs.append(p.seg(t, bd, max(1, count // nb)))
            t += bd + r.choice([r.uniform(20, 250), r.uniform(350, 1500)])
        p.add(name, v, proto, mk, segs, responder=rtr)
    else:
        p.add(name, v, proto, mk, [p.seg(start_s, dur_s, count)], responder=rtr)
    return proto, mk, rtr


def plan_mix(p, n_attacks, victim_fn, max_packets, rate_range, dur_range, coverage=False):
    r = p.r
    span_s = p.span / US
    for i in range(n_attacks):
        v = victim_fn()
        vec = VECTORS[i] if coverage and i < len(VECTORS) else pick_vector(r)
        dur = min(loguniform(r, *dur_range), span_s * 0.9)
        start = r.random() * (span_s - dur)
        rate = loguniform(r, *rate_range)
        profile = "bursty" if r.random() < 0.15 else "steady"
        proto, mk, rtr = plan_attack(p, r, v, vec, start, dur, rate, max_packets, profile)
        if r.random() < 0.12:
            # Repeat attack on the same victim and vector: after a short
            # pause (same flow) or a long one (a new attack).
            gap = r.choice([r.uniform(30, 240), r.uniform(400, 3600)])
            st2 = start + dur + gap
            d2 = min(loguniform(r, *dur_range), span_s - st2)
            if d2 >= 30:
                cnt = max(1, min(max_packets, int(round(rate * d2))))
                p.add(vec[0], v, proto, mk, [p.seg(st2, d2, cnt)], responder=rtr)


def plan_near_threshold(p, n, victim_fn):
    """Candidates just around the rsdos thresholds (packets 24-50, duration
    50-80 s, 3-8 destinations); the truth decides each exactly."""
    r = p.r
    span_s = p.span / US
    for _ in range(n):
        v = victim_fn()
        cnt = r.randint(24, 50)
        dur = r.uniform(50, 80)
        nd = r.randint(3, 8)
        dests = p.tel_addrs(nd) if r.random() < 0.5 else None
        p.add("near-threshold", v, TCP, mk_tcp(v, PortPlan(r, r.choice(SERVICE_PORTS), 0),
                                                ttl_of(r)),
              [p.seg(r.random() * (span_s - dur), dur, cnt)], dests=dests)


def plan_one_addr(p, n):
    r = p.r
    span_s = p.span / US
    for _ in range(n):
        s = p.addrs.random()
        cnt = r.randint(50, 300)
        dur = r.uniform(60, 900)
        p.add("one-addr", s, TCP, mk_tcp(s, PortPlan(r, r.choice(SCAN_PORTS), 0), 64,
                                         rst_share=r.choice([0.0, 1.0])),
              [p.seg(r.random() * (span_s - dur), dur, cnt)],
              dests=p.tel_addrs(r.choice([1, 1, 2])))


def noise_count_for(p, share):
    planned = sum(f.planned for f in p.flows)
    if share >= 1.0:
        raise ValueError("--noise-share must be below 1")
    return int(round(planned * share / (1.0 - share)))


def sc_mixed(p):
    a = p.args
    n = a.victims if a.victims is not None else 200
    plan_mix(p, n, p.addrs.random, max_packets=8000, rate_range=(0.05, 3.0),
             dur_range=(60, 3 * 3600))
    plan_near_threshold(p, max(10, n // 5), p.addrs.random)
    plan_one_addr(p, max(3, n // 25))
    add_probe_scanners(p, max(10, n // 10), 2, 60)
    share = a.noise_share if a.noise_share is not None else 0.5
    p.set_noise(noise_count_for(p, share), BENCH_NOISE)


def sc_sample(p):
    r = p.r

    def victim():
        # Mostly in networks the MaxMind test databases resolve.
        c = r.random()
        if c < 0.55:
            return p.addrs.from_nets(GEO_BOTH)
        if c < 0.70:
            return p.addrs.from_nets(GEO_COUNTRY)
        if c < 0.85:
            return p.addrs.from_nets(GEO_ASN)
        return p.addrs.random()
    plan_mix(p, 24, victim, max_packets=5000, rate_range=(0.5, 4.0), dur_range=(120, 5400),
             coverage=True)
    plan_near_threshold(p, 6, victim)
    plan_one_addr(p, 2)
    add_probe_scanners(p, 10, 2, 40)
    share = p.args.noise_share if p.args.noise_share is not None else 0.5
    p.set_noise(noise_count_for(p, share), BENCH_NOISE, n_scanners=500)


def sc_bench(p):
    """--packets total, --victims distinct victims, --noise-share scanning etc.
    Backscatter packets per victim are heavy-tailed (Pareto): most victims
    send a handful, a few send tens of thousands."""
    r = p.r
    a = p.args
    total = a.packets if a.packets is not None else 5_000_000
    nv = a.victims if a.victims is not None else 100_000
    share = a.noise_share if a.noise_share is not None else 0.7
    bs_total = int(round(total * (1.0 - share)))
    nv = max(1, min(nv, bs_total))
    raw = [r.paretovariate(1.1) for _ in range(nv)]
    scale = (bs_total - nv) / sum(raw)
    counts = [1 + int(x * scale) for x in raw]
    counts[0] += bs_total - sum(counts)  # exact total; victim 0 is a big one
    if counts[0] < 1:
        raise ValueError("--packets too small for --victims")
    span_s = p.span / US
    for c in counts:
        v = p.addrs.random()
        vec = pick_vector(r)
        rate = loguniform(r, 0.2, 50.0)
        dur = min(max(1.0, c / rate), span_s * 0.95)
        start = r.random() * (span_s - dur)
        _, _, factory = vec
        proto, mk, rtr = factory(p, v, r)
        p.add(vec[0], v, proto, mk, [p.seg(start, dur, c)], responder=rtr)
    p.set_noise(total - bs_total, BENCH_NOISE, n_scanners=5000)


def sc_carpet(p):
    """Carpet bombing (collect --prefix-view 24,48): floods spread over many
    addresses of one prefix, each address below the rsdos thresholds and
    the prefix far above; a prefix with one real attack among its carpet;
    neighbours too few for a prefix attack; a lone attack. The prefix view
    is written to prefix_truth.csv. See data/gen/README.md."""
    r = p.r
    p.prefix_view = (24, 48)

    def hosts(n, v6=False):
        """n distinct addresses of one fresh /24 (or /48)."""
        pool = p.addrs6 if v6 else p.addrs
        base = prefix_of(pool.random(), p.prefix_view)
        span = 1 << (80 if v6 else 8)
        picked = set()
        while len(picked) < n:
            a = base + 1 + r.randrange(span - 2)
            if pool.ok(a):
                pool.used.add(a)
                picked.add(a)
        return sorted(picked)

    def syn(v, port):
        return mk_tcp(v, PortPlan(r, port, 0), ttl_of(r))

    # A /24 SYN-flooded on 40 addresses, 20 packets each over 10 minutes
    # (below 25 packets); one more address of it attacked on its own.
    for i, v in enumerate(hosts(41)):
        if i == 0:
            p.add("attack-in-carpet", v, TCP, syn(v, 80), [p.seg(400, 300, 400)])
        else:
            p.add("carpet-tcp", v, TCP, syn(v, 80), [p.seg(300, 600, 20)])
    # A /24 UDP-flooded on 12 addresses (ICMP port unreachable), 15 each.
    for v in hosts(12):
        p.add("carpet-udp", v, UDP, mk_icmp_error(v, 3, 3, UDP, PortPlan(r, 53, 0), ttl_of(r)),
              [p.seg(1200, 400, 15)])
    # Three neighbours of one /24, 20 packets each: 60 packets, 3 victims.
    for v in hosts(3):
        p.add("few-neighbours", v, TCP, syn(v, 443), [p.seg(2000, 300, 20)])
    # A lone attack: its prefix has one victim.
    v = p.addrs.random()
    p.add("lone-attack", v, TCP, syn(v, 22), [p.seg(2500, 600, 900)])
    # An IPv6 /48 hit on 16 addresses, 18 packets each.
    for v in hosts(16, v6=True):
        p.add6("carpet-v6", v, TCP, mk_tcp6(v, PortPlan(r, 443, 0), ttl_of(r)),
               [p.seg(1800, 500, 18)])


SCENARIOS = {
    # name: (function, default hours, default files, one-line description)
    "synack": (sc_synack, 1, 1, "TCP SYN+ACK backscatter (SYN floods on open ports)"),
    "rst": (sc_rst, 1, 1, "TCP RST and RST+ACK backscatter (closed ports, ACK flood)"),
    "echo": (sc_echo, 1, 1, "ICMP echo replies (ping floods)"),
    "icmp-replies": (sc_icmp_replies, 1, 1, "ICMP timestamp/info/mask replies (14/16/18)"),
    "unreach-udp": (sc_unreach_udp, 1, 1, "ICMP 3/3 quoting UDP: UDP floods"),
    "icmp-errors": (sc_icmp_errors, 1, 1, "ICMP 4, 5, 11, 12 and 3/1 from the victim"),
    "router": (sc_router, 1, 1, "router-generated ICMP errors (mismatch, responder)"),
    "short-quote": (sc_short_quote, 1, 1, "ICMP errors with unusable or short quotes"),
    "span": (sc_span, 1, 2, "one attack spanning the file boundary"),
    "repeat": (sc_repeat, 1, 1, "victim attacked again after < and > 300 s; 2nd protocol"),
    "multivector": (sc_multivector, 2, 2, "one victim, several protocols at once (vector_group)"),
    "subthreshold": (sc_subthreshold, 1, 1, "flows below one rsdos threshold each"),
    "edges": (sc_edges, 2, 1, "twins on both sides of every threshold and the timeout"),
    "one-addr": (sc_one_addr, 1, 1, "many SYN+ACK/RST to ONE telescope address"),
    "noise": (sc_noise, 1, 1, "scans, non-IP, fragments, malformed, truncated only"),
    "reorder": (sc_reorder, 1, 1, "packets out of time order"),
    "ipv6": (sc_ipv6, 1, 1, "IPv6 backscatter, thresholds, noise (IPv4 too if telescope mixed)"),
    "mixed": (sc_mixed, 4, 4, "~200 random attacks + near-threshold + scanners + noise"),
    "sample": (sc_sample, 3, 3, "the committed demo sample (use with --gzip)"),
    "bench": (sc_bench, 4, 4, "--packets/--victims/--noise-share, for benchmarks"),
    "carpet": (sc_carpet, 1, 1, "carpet bombing: prefixes hit below the per-address thresholds"),
}


# ------------------------------------------------------------------ main

def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def canonical_command(args, plan):
    """The command line that reproduces this output (every default spelled
    out, the output directory left as DIR so reruns compare equal)."""
    cmd = ["bsgen.py", "--scenario", args.scenario, "--seed", str(args.seed), "--out", "DIR",
           "--files", str(plan.files), "--telescope", ",".join(plan.tel_texts),
           "--start", args.start, "--hours", "%g" % (plan.span / US / 3600),
           "--vlan-share", "%g" % args.vlan_share]
    for opt in ("packets", "victims", "noise_share"):
        v = getattr(args, opt)
        if v is not None:
            cmd += ["--" + opt.replace("_", "-"), "%g" % v]
    if args.gzip:
        cmd.append("--gzip")
    return " ".join(cmd)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Seeded synthetic darknet traces with ground truth (see data/gen/README.md).")
    ap.add_argument("--scenario", help="scenario name (--list shows them)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--out", help="output directory (created if missing)")
    ap.add_argument("--files", type=int, help="number of pcap files, split by time")
    ap.add_argument("--gzip", action="store_true", help="write .pcap.gz")
    ap.add_argument("--telescope",
                    help="telescope prefixes, IPv4 and/or IPv6, comma separated (default %s; "
                    "ipv6: %s)" % (DEFAULT_TELESCOPE, DEFAULT_TELESCOPE6))
    ap.add_argument("--start", default=DEFAULT_START, help="first instant, ISO 8601 UTC")
    ap.add_argument("--hours", type=float, help="trace length (default per scenario)")
    ap.add_argument("--packets", type=int, help="bench: total packets")
    ap.add_argument("--victims", type=int, help="bench: victims; mixed: attacks")
    ap.add_argument("--noise-share", type=float, help="share of noise packets (bench 0.7)")
    ap.add_argument("--vlan-share", type=float, default=DEFAULT_VLAN_SHARE,
                    help="share of frames with an 802.1Q tag (default %.1f)" % DEFAULT_VLAN_SHARE)
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    ap.add_argument("--quiet", action="store_true", help="no summary on standard error")
    args = ap.parse_args(argv)
    if args.list:
        for name, (_, h, k, desc) in SCENARIOS.items():
            print("%-13s %s (default %g h, %d file%s)" % (name, desc, h, k, "s"[:k > 1]))
        return 0
    if not args.scenario or not args.out:
        ap.error("--scenario and --out are required")
    if args.scenario not in SCENARIOS:
        ap.error("unknown scenario %r; one of: %s" % (args.scenario, ", ".join(SCENARIOS)))
    if args.files is not None and not 1 <= args.files <= 1000:
        ap.error("--files must be 1..1000")
    if args.hours is not None and not args.hours > 0:
        ap.error("--hours must be > 0")
    if args.noise_share is not None and not 0 <= args.noise_share < 1:
        ap.error("--noise-share must be in [0, 1)")
    if args.telescope is None:
        args.telescope = {"ipv6": DEFAULT_TELESCOPE6,
                          "carpet": DEFAULT_TELESCOPE + "," + DEFAULT_TELESCOPE6}.get(
                              args.scenario, DEFAULT_TELESCOPE)
    try:
        telescope = Telescope(args.telescope)
        parse_iso(args.start)
    except ValueError as e:
        ap.error(str(e))
    if any(0 < fam.size < 256 for fam in (telescope.v4, telescope.v6)):
        ap.error("the telescope must hold at least 256 addresses (of each family it has)")
    if args.scenario == "ipv6" and not telescope.v6.nets:
        ap.error("scenario ipv6 needs an IPv6 prefix in --telescope")
    if args.scenario != "ipv6" and not telescope.v4.nets:
        ap.error("scenario %s needs an IPv4 prefix in --telescope" % args.scenario)

    func, hours, files, _ = SCENARIOS[args.scenario]
    t_begin = time.monotonic()  # only for the summary line, never for the output
    plan = Plan(args, telescope, hours, files)
    func(plan)
    os.makedirs(args.out, exist_ok=True)
    for name in os.listdir(args.out):
        if re.fullmatch(r"trace-\d{3}\.pcap(\.gz)?", name):
            os.remove(os.path.join(args.out, name))  # stale output of an earlier run
    rows, names, counts, first, last, extra = run_plan(plan, args, args.out)

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(TRUTH_COLUMNS)
    w.writerows(rows)
    write_atomic(os.path.join(args.out, "truth.csv"), out.getvalue())
    prows = extra.pop("prefix_rows", None)
    if prows is not None:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(PREFIX_TRUTH_COLUMNS)
        w.writerows(prows)
        write_atomic(os.path.join(args.out, "prefix_truth.csv"), out.getvalue())
    total = sum(counts)
    info = {
        "generator": "bsgen.py",
        "generator_version": GENERATOR_VERSION,
        "scenario": args.scenario,
        "seed": args.seed,
        "command": canonical_command(args, plan),
        "telescope": telescope.texts,
        "telescope_size": telescope.size,
        "start": iso_us(plan.t0),
        "end": iso_us(plan.t0 + plan.span),
        "files": names,
        "gzip": args.gzip,
        "vlan_share": args.vlan_share,
        "packets": total,
        "counts": {n: counts[i] for i, n in enumerate(CAT_NAMES)},
        "first_packet": iso_us(first) if first is not None else None,
        "last_packet": iso_us(last) if last is not None else None,
        "flow_timeout_s": FLOW_TIMEOUT_US // US,
        "peak_window_s": PEAK_WINDOW_S,
        "thresholds": {k: {"min_packets": v[0], "min_duration_s": v[1] // US,
                           "min_peak_ppm": v[2], "min_dests": v[3]}
                       for k, v in PRESETS.items()},
        "flows": len(rows),
        "expected_rsdos": sum(row[COL_RSDOS] for row in rows),
        "expected_moore": sum(row[COL_MOORE] for row in rows),
        "planted_flows": len(plan.flows),
    }
    if telescope.v6.nets:
        # Per family, as summary.json's telescope_size_v4/_v6: only these
        # are the n of a rate estimate (METHOD.md section 4).
        info["telescope_size_v4"] = telescope.v4.size
        info["telescope_size_v6"] = telescope.v6.size
    info.update(extra)
    write_atomic(os.path.join(args.out, "truth.json"),
                 json.dumps(info, indent=2, sort_keys=True) + "\n")
    if not args.quiet:
        el = time.monotonic() - t_begin
        print("bsgen: %s seed %d: %d packets (%d backscatter) in %d file(s), %d flows, "
              "%d rsdos / %d moore attacks expected; %.1f s, %.0f packets/s"
              % (args.scenario, args.seed, total, counts[CAT_BACKSCATTER], len(names), len(rows),
                 info["expected_rsdos"], info["expected_moore"], el, total / el if el else 0),
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

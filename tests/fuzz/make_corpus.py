#!/usr/bin/env python3
"""make_corpus.py - builds the seed corpora of the fuzz targets.

tests/fuzz/corpus/classify/: one file per layer-3 packet, in the input
format of fuzz_run_classify() (first byte: 0 IPv4, 1 IPv6, 2 other; then
the packet). Packets come from real traces (tests/data/real/*.pcap and the
shared third-party traces, pcap/pcapng, optionally gzipped) and from
packets built here for every backscatter response of METHOD.md section 2,
their truncations and malformed variants, and prefix lists for the
bs_prefixes_add() part of the target. Real packets are deduplicated by
shape (version, protocol, TCP flags or ICMP type, length class), so the
corpus stays small and varied.

tests/fuzz/corpus/reader/: small whole trace files (pcap, pcapng, ERF,
compressed) copied unchanged, plus a few generated pcaps.

Python 3 standard library only. Re-running replaces both directories.
Usage: make_corpus.py [--shared DIR] [--out DIR]
"""
import argparse
import gzip
import hashlib
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
# Keep each corpus well under the 1 MB the repository allows for it.
MAX_CLASSIFY_BYTES = 400_000
MAX_READER_FILE = 12_000  # bytes: larger traces slow each fuzz execution
MAX_PACKETS_PER_TRACE = 2000  # read no further into big captures
SEL_V4, SEL_V6, SEL_OTHER = 0, 1, 2

READER_SEEDS = [
    "libtrace-test-traces/100_packets.pcap",
    "libtrace-test-traces/100_packets.pcapng",
    "libtrace-test-traces/100_packets.erf",
    "libtrace-test-traces/100_packetsns.pcap",
    "libtrace-test-traces/100_sll.pcap",
    "libtrace-test-traces/5_packets.erf",
    "libtrace-test-traces/5_packets.erf.gz",
    "libtrace-test-traces/5_packets.erf.bz2",
    "libtrace-test-traces/5_packets.erf.xz",
    "libtrace-test-traces/10_mpls_ip.pcap",
    "libtrace-test-traces/complex.pcapng",
    "libtrace-test-traces/qinq.pcap",
    "libtrace-test-traces/vxlan.pcap",
    "libtrace-test-traces/mpls.pcap",
    "libtrace-test-traces/sll.pcap.gz",
    "libtrace-test-traces/10_packets_radiotap.pcap",
    "libtrace-test-traces/legacyeth.gz",
    "libtrace-test-traces/legacypos.gz",
    "libtrace-test-traces/legacyatm.gz",
    "tcpdump-tests/mpls-traceroute.pcap",
]
CLASSIFY_TRACES = [
    "libtrace-test-traces/100_packets.pcap",
    "libtrace-test-traces/100_sll.pcap",
    "libtrace-test-traces/vlan.pcap",
    "libtrace-test-traces/qinq.pcap",
    "libtrace-test-traces/10_mpls_ip.pcap",
    "libtrace-test-traces/complex.pcapng",
    "dellard-ibr-tools/ex-2021-09-26.pcap.gz",
    "StopDDoS-packet-captures/amp.TCP.reflection.SYNACK.pcap",
    "StopDDoS-packet-captures/amp.TCP.syn.optionallyACK.optionallysamePort.pcapng",
    "StopDDoS-packet-captures/pkt.TCP.synflood.spoofed.pcap",
    "StopDDoS-packet-captures/amp.dns.RRSIG.fragmented.pcap",
    "tcpdump-tests/mpls-traceroute.pcap",
]


def read_maybe_gz(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def pcap_records(data):
    """(linktype, frame) of a pcap or pcapng file; stops at damage."""
    if len(data) < 24:
        return
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from pcapng_records(data)
        return
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8 : off + 12])[0]
        if off + 16 + caplen > len(data):
            return
        yield linktype, data[off + 16 : off + 16 + caplen]
        off += 16 + caplen


def pcapng_records(data):
    off, e, links = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off : off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[off + 8 : off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(e + "I", data[off + 4 : off + 8])[0]
        if blen < 12 or off + blen > len(data):
            return
        body = data[off + 8 : off + blen - 4]
        if btype == 1 and len(body) >= 2:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, caplen = struct.unpack(e + "IIII", body[:16])
            if ifid < len(links):
                yield links[ifid], body[20 : 20 + caplen]
        off += blen


def layer3(linktype, frame):
    """(selector, l3 bytes) of a frame, or None."""
    if linktype in (101, 12, 14):  # raw IP
        et = None
    elif linktype == 228:
        return SEL_V4, frame
    elif linktype == 229:
        return SEL_V6, frame
    elif linktype == 1:  # Ethernet
        if len(frame) < 14:
            return None
        et, off = struct.unpack(">H", frame[12:14])[0], 14
        while et in (0x8100, 0x88A8) and len(frame) >= off + 4:
            et, off = struct.unpack(">H", frame[off + 2 : off + 4])[0], off + 4
        while et == 0x8847 and len(frame) >= off + 4:  # MPLS unicast
            bos = frame[off + 2] & 1
            off += 4
            if bos:
                et = None
                break
        frame = frame[off:]
    elif linktype == 113:  # Linux SLL
        if len(frame) < 16:
            return None
        et, frame = struct.unpack(">H", frame[14:16])[0], frame[16:]
    else:
        return None
    if et is None:
        if not frame:
            return None
        et = {4: 0x0800, 6: 0x86DD}.get(frame[0] >> 4, 0)
    sel = {0x0800: SEL_V4, 0x86DD: SEL_V6}.get(et, SEL_OTHER)
    return sel, frame


def shape(sel, l3):
    """Deduplication key: what the classifier branches on."""
    if sel == SEL_V4 and len(l3) >= 20:
        ihl = (l3[0] & 15) * 4
        proto, l4 = l3[9], l3[ihl:]
    elif sel == SEL_V6 and len(l3) >= 40:
        proto, l4 = l3[6], l3[40:]
    else:
        return (sel, len(l3) // 64)
    detail = None
    if proto == 6 and len(l4) >= 14:
        detail = l4[13]
    elif proto in (1, 58) and len(l4) >= 1:
        detail = l4[0]
    return (sel, proto, detail, min(len(l3), 1600) // 256)


# --- generated packets -----------------------------------------------------


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress

    return ipaddress.IPv6Address(a).packed


def ipv4(proto, src, dst, payload, tot=None, ihl=5, frag=0):
    tot = 4 * ihl + len(payload) if tot is None else tot
    h = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 1, frag, 64, proto, 0, ip4(src), ip4(dst))
    return h + b"\x01" * (4 * ihl - 20) + payload


def ipv6(nh, src, dst, payload, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack(">IHBB16s16s", 0x60000000, plen, nh, 64, ip6(src), ip6(dst)) + payload


def tcp(sport, dport, flags, doff=5):
    return struct.pack(">HHIIBBHHH", sport, dport, 1, 2, doff << 4, flags, 1024, 0, 0) + b"\0" * (
        4 * doff - 20 if doff > 5 else 0
    )


def udp(sport, dport):
    return struct.pack(">HHHH", sport, dport, 8, 0)


def icmp(t, code, rest=b""):
    return struct.pack(">BBHI", t, code, 0, 0) + rest


def generated():
    v, s, r = "198.51.100.7", "44.1.2.3", "203.0.113.1"
    v6, s6, r6 = "2001:db8::7", "2001:db8:1::3", "2001:db8:ffff::1"
    out = []
    for flags in (0x12, 0x04, 0x14, 0x02, 0x10, 0x11, 0x3F):
        out.append((SEL_V4, ipv4(6, v, s, tcp(80, 54321, flags))))
        out.append((SEL_V6, ipv6(6, v6, s6, tcp(443, 1234, flags))))
    out.append((SEL_V4, ipv4(6, v, s, tcp(80, 1, 0x12, doff=4))))  # bad data offset
    out.append((SEL_V4, ipv4(6, v, s, tcp(80, 1, 0x12, doff=15))))
    out.append((SEL_V4, ipv4(6, v, s, tcp(80, 1, 0x12), ihl=7)))
    out.append((SEL_V4, ipv4(6, v, s, tcp(80, 1, 0x12), frag=0x2001)))  # later fragment
    out.append((SEL_V4, ipv4(6, v, s, tcp(80, 1, 0x12)) + b"\0" * 6))  # Ethernet padding
    out.append((SEL_V4, ipv4(6, v, s, tcp(80, 1, 0x12), tot=1500)))  # snap length
    out.append((SEL_V4, ipv4(6, v, s, tcp(80, 1, 0x12), tot=19)))  # tot < IHL
    out.append((SEL_V4, ipv4(17, v, s, udp(53, 4444))))
    for t in (0, 3, 4, 5, 8, 11, 12, 14, 16, 18):
        quoted = ipv4(17, s, v, udp(12345, 53), tot=60)
        out.append((SEL_V4, ipv4(1, v, s, icmp(t, 3, quoted))))
        out.append((SEL_V4, ipv4(1, r, s, icmp(t, 1, ipv4(6, s, v, tcp(1, 80, 2))))))
    out.append((SEL_V4, ipv4(1, v, s, icmp(3, 3, ipv4(1, s, v, icmp(8, 0))))))
    out.append((SEL_V4, ipv4(1, v, s, icmp(3, 3, ipv4(17, s, v, b"", tot=28, frag=8)))))
    out.append((SEL_V4, ipv4(1, v, s, icmp(3, 3, b"\x45\0\0"))))  # short quote
    out.append((SEL_V4, ipv4(1, v, s, icmp(3, 3, ipv6(17, s6, v6, udp(1, 2))))))  # wrong version
    for t in (1, 2, 3, 4, 128, 129, 135):
        quoted = ipv6(17, s6, v6, udp(5353, 53))
        out.append((SEL_V6, ipv6(58, v6, s6, icmp(t, 0, quoted))))
        out.append((SEL_V6, ipv6(58, r6, s6, icmp(t, 0, ipv6(6, s6, v6, tcp(1, 80, 2))))))
    # IPv6 extension headers: hop-by-hop, routing, fragment, destination options.
    ext = bytes([43, 0]) + b"\0" * 6 + bytes([44, 1]) + b"\0" * 14 + bytes([60, 0, 0, 0, 0, 0, 0, 0])
    ext += bytes([6, 0]) + b"\0" * 6
    out.append((SEL_V6, ipv6(0, v6, s6, ext + tcp(80, 9, 0x12))))
    out.append((SEL_V6, ipv6(44, v6, s6, bytes([6, 0, 0, 8, 0, 0, 0, 1]) + tcp(80, 9, 0x12))))
    out.append((SEL_V6, ipv6(0, v6, s6, bytes([0, 0]) + b"\0" * 6 * 1 + bytes([0, 0]) * 40)))
    out.append((SEL_V6, ipv6(6, v6, s6, tcp(80, 9, 0x12), plen=2000)))
    out.append((SEL_OTHER, b"\x00\x01\x08\x00\x06\x04\x00\x01" + b"\0" * 20))  # ARP
    base = list(out)
    for sel, pkt in base[:: 3]:  # truncations of every third packet
        for cut in (1, 19, 20, 33, 39, 40, 47, len(pkt) - 1):
            if 0 < cut < len(pkt):
                out.append((sel, pkt[:cut]))
    return out


PREFIX_TEXTS = [
    "44.0.0.0/8",
    "44.0.0.0/8,2001:db8::/32",
    "198.51.100.0/24,203.0.113.0/24,192.0.2.0/24",
    "10.0.0.0/8,10.1.0.0/16",  # overlap
    "44.0.0.0/33",
    "300.1.2.3/8",
    "foo",
    "1.2.3.4",
    "::/0",
    "0.0.0.0/0",
    "2001:db8::1/128,::ffff:1.2.3.4/128",
    "44.1.2.3/8",  # host bits
    "1.2.3.0/24,",
    ",",
    "1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8,7.0.0.0/8,8.0.0.0/8,9.0.0.0/8,"
    "11.0.0.0/8,12.0.0.0/8",
    "fe80::/10,fc00::/7,2001:db8:1::/48,2001:db8:2::/48,2001:db8:3::/48,2001:db8:4::/48,"
    "2001:db8:5::/48,2001:db8:6::/48,2001:db8:7::/48,2001:db8:8::/48",
]


def pcap_file(frames, linktype=1, order="<"):
    out = struct.pack(order + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for i, fr in enumerate(frames):
        out += struct.pack(order + "IIII", 1764000000 + i, i, len(fr), len(fr)) + fr
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(TOP), "shared", "data"))
    ap.add_argument("--out", default=os.path.join(HERE, "corpus"))
    args = ap.parse_args()

    cdir, rdir = os.path.join(args.out, "classify"), os.path.join(args.out, "reader")
    for d in (cdir, rdir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)

    seen, total = set(), 0

    def put(d, blob, tag):
        name = "%s-%s" % (tag, hashlib.sha1(blob).hexdigest()[:16])
        with open(os.path.join(d, name), "wb") as f:
            f.write(blob)
        return len(blob)

    for sel, pkt in generated():
        total += put(cdir, bytes([sel]) + pkt, "gen")
    for text in PREFIX_TEXTS:
        # Selector 2 keeps the bytes away from the packet paths' happy case;
        # the prefix part reads the whole input, selector included, so the
        # text starts right at the first byte ("1" or "2" are selectors too).
        total += put(cdir, text.encode(), "prefix")

    real = sorted(
        os.path.join(TOP, "tests", "data", "real", f)
        for f in (os.listdir(os.path.join(TOP, "tests", "data", "real"))
                  if os.path.isdir(os.path.join(TOP, "tests", "data", "real")) else [])
        if ".pcap" in f or ".erf" in f
    )
    traces = [p for p in real if ".pcap" in p] + [os.path.join(args.shared, t) for t in CLASSIFY_TRACES]
    for path in traces:
        if not os.path.exists(path):
            print("make_corpus: skipping missing %s" % path, file=sys.stderr)
            continue
        for i, (lt, frame) in enumerate(pcap_records(read_maybe_gz(path))):
            if i >= MAX_PACKETS_PER_TRACE:
                break
            got = layer3(lt, frame)
            if got is None:
                continue
            key = shape(*got)
            blob = bytes([got[0]]) + got[1]
            if key in seen or total + len(blob) > MAX_CLASSIFY_BYTES:
                continue
            seen.add(key)
            total += put(cdir, blob, "real")

    rtotal, rseen = 0, set()

    def copy_seed(path, name):
        # The same trace is often both shared and in tests/data/real.
        nonlocal rtotal
        with open(path, "rb") as f:
            blob = f.read()
        digest = hashlib.sha1(blob).digest()
        if digest in rseen:
            return
        rseen.add(digest)
        shutil.copyfile(path, os.path.join(rdir, name))
        rtotal += len(blob)

    for rel in READER_SEEDS:
        path = os.path.join(args.shared, rel)
        if not os.path.exists(path) or os.path.getsize(path) > MAX_READER_FILE:
            print("make_corpus: skipping %s" % path, file=sys.stderr)
            continue
        copy_seed(path, os.path.basename(rel))
    for path in real:
        if os.path.getsize(path) <= MAX_READER_FILE:
            copy_seed(path, "real-" + os.path.basename(path))
    frames = [b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + p for s, p in generated()[:12] if s == SEL_V4]
    gen = pcap_file(frames)
    for name, blob in (
        ("gen-backscatter.pcap", gen),
        ("gen-backscatter.pcap.gz", gzip.compress(gen, mtime=0)),
        ("gen-backscatter-be.pcap", pcap_file(frames, order=">")),
        ("gen-cut-record.pcap", gen[:-7]),
        ("gen-header-only.pcap", gen[:24]),
        ("gen-raw.pcap", pcap_file([p for s, p in generated()[:12]], linktype=101)),
    ):
        with open(os.path.join(rdir, name), "wb") as f:
            f.write(blob)
        rtotal += len(blob)
    print("make_corpus: classify %d files, %d bytes; reader %d files, %d bytes"
          % (len(os.listdir(cdir)), total, len(os.listdir(rdir)), rtotal))


if __name__ == "__main__":
    main()

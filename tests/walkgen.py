#!/usr/bin/env python3
"""walkgen.py OUTDIR - pcap and pcapng files in every variant the record
walker (telescope/pcapwalk.c) reads, for tests/e2e_walk.sh (which reads
each one through the walker and through libtrace and compares) and as seeds
of tests/fuzz/fuzz_walk.c (python3 tests/walkgen.py --max-frames 24 DIR
writes the small ones of tests/fuzz/corpus/walk/). Standard library only; the output depends on nothing but this
file.

Every file holds the same mix of packets: SYN+ACK and RST floods from a
few victims to many telescope addresses (attacks with the default
thresholds relaxed), ICMP echo replies and port unreachables quoting a
UDP probe, IPv6 SYN+ACKs, scanning SYNs, ARP, frames cut short by a small
snap length, and per link type the encapsulations libtrace decodes:
Ethernet with 802.1Q, QinQ (two 0x8100 tags), 0x88a8 (not decoded), MPLS
and PPPoE; Linux SLL of several hardware types; raw IPv4/IPv6. pcapng
files vary the byte order, the time resolution (10^-6, 10^-9, 10^-3,
2^-20, 2^0), the time offset, the number of interfaces and sections, and
mix in Simple and obsolete Packet Blocks and blocks the walker skips."""
import argparse
import os
import struct
import sys

T0 = 1795478400  # 2026-11-24T00:00:00Z
US = 1000000


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                    bytes(src), bytes(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6(src, dst, nxt, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nxt, 64, bytes(src),
                       bytes(dst)) + payload


def tcp(sport, dport, flags):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, 5 << 4, flags, 8192, 0, 0)


def icmp(t, code, rest=b""):
    return struct.pack("!BBHI", t, code, 0, 0) + rest


def packets():
    """(seconds offset, microsecond part, layer-3 bytes, ethertype)."""
    out = []
    n = 0
    for v in range(3):
        victim = [192, 0, 2, 10 + v]
        for i in range(40):
            dst = [10, (i * 7) % 256, (i * 13 + v) % 256, (i * 31) % 256]
            flags = 0x12 if v != 1 else 0x14  # SYN+ACK, RST+ACK
            out.append((n * 3, (n * 7919) % US, ip4(victim, dst, 6, tcp(80, 1024 + i, flags)),
                        0x0800))
            n += 1
    for i in range(30):
        dst = [10, 1, i, 200]
        out.append((n * 3, (n * 104729) % US, ip4([198, 51, 100, 7], dst, 1, icmp(0, 0)), 0x0800))
        n += 1
        quote = ip4(dst, [198, 51, 100, 9], 17, struct.pack("!HHHH", 5353, 53, 8, 0))
        out.append((n * 3, 5, ip4([198, 51, 100, 9], dst, 1, icmp(3, 3, quote)), 0x0800))
        n += 1
    v6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [7]
    for i in range(30):
        dst = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i, 1]
        out.append((n * 3, 999999, ip6(v6, dst, 6, tcp(443, 2000 + i, 0x12)), 0x86DD))
        n += 1
    for i in range(10):  # scanning: not backscatter
        out.append((n * 3, 0, ip4([203, 0, 113, 5], [10, 9, 9, i], 6, tcp(4000, 22, 0x02)),
                    0x0800))
        n += 1
    return out


ETH_SRC = bytes.fromhex("020000000001020000000002")
ARP = bytes.fromhex("0001080006040001") + bytes(20)


def eth_frames():
    """Ethernet frames: (sec, usec, frame)."""
    frames = []
    for k, (s, u, l3, et) in enumerate(packets()):
        kind = k % 8
        if kind == 1:
            f = ETH_SRC + struct.pack("!HHH", 0x8100, 5, et) + l3
        elif kind == 2:
            f = ETH_SRC + struct.pack("!HHHHH", 0x8100, 5, 0x8100, 6, et) + l3
        elif kind == 3:
            f = ETH_SRC + struct.pack("!H", 0x8847) + struct.pack("!I", (16 << 12) | 0x100 | 64) + l3
        elif kind == 4:
            f = ETH_SRC + struct.pack("!H", 0x8864) + struct.pack("!BBHH", 0x11, 0, 1, len(l3) + 2) + \
                struct.pack("!H", 0x0021 if et == 0x0800 else 0x0057) + l3
        elif kind == 5:
            f = ETH_SRC + struct.pack("!HHH", 0x88A8, 5, et) + l3  # not decoded: non-IP
        else:
            f = ETH_SRC + struct.pack("!H", et) + l3
        frames.append((s, u, f))
    frames.append((frames[-1][0] + 1, 0, ETH_SRC + struct.pack("!H", 0x0806) + ARP))
    # Multi-label MPLS stack to IPv4; a label stack ending in Ethernet (VPLS).
    s = frames[-1][0] + 1
    l3 = packets()[0][2]
    frames.append((s, 1, ETH_SRC + struct.pack("!HII", 0x8847, 16 << 12 | 64, 17 << 12 | 0x100 | 64) + l3))
    frames.append((s, 2, ETH_SRC + struct.pack("!HI", 0x8847, 18 << 12 | 0x100 | 64) + ETH_SRC +
                   struct.pack("!H", 0x0800) + l3))
    return frames


def sll_frames():
    frames = []
    hatypes = [1, 1, 1, 772, 512, 0xFFFE, 2, 778]
    for k, (s, u, l3, et) in enumerate(packets()):
        ha = hatypes[k % len(hatypes)]
        if k % 11 == 5:  # protocol 0x0060: an Ethernet header follows
            f = struct.pack("!HHH8sH", 0, 1, 6, bytes(8), 0x0060) + ETH_SRC + struct.pack("!H", et) + l3
        else:
            f = struct.pack("!HHH8sH", 4, ha, 6, bytes(8), et) + l3
        frames.append((s, u, f))
    frames.append((frames[-1][0] + 1, 0, struct.pack("!HHH8sH", 0, 1, 6, bytes(8), 0x0806) + ARP))
    return frames


def raw_frames():
    frames = [(s, u, l3) for s, u, l3, et in packets()]
    frames.append((frames[-1][0] + 1, 0, b"\x00" * 20))  # no IP version
    return frames


def pcap(frames, linktype, endian="<", nanos=False, snaplen=65535, cut=None):
    magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
    out = [struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for i, (s, u, f) in enumerate(frames):
        cap = f[:cut] if cut is not None and i % 5 == 0 else f
        frac = u * 1000 + 123 if nanos else u
        out.append(struct.pack(endian + "IIII", T0 + s, frac, len(cap), len(f)) + cap)
    return b"".join(out)


def block(e, btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def opt(e, code, value):
    return struct.pack(e + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def shb(e, minor=0):
    return block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, minor, -1) +
                 opt(e, 4, b"walkgen") + opt(e, 0, b""))


def idb(e, linktype, snaplen=0, tsresol=None, tsoffset=None):
    opts = b""
    if tsresol is not None:
        opts += opt(e, 9, bytes([tsresol]))
    if tsoffset is not None:
        opts += opt(e, 14, struct.pack(e + "q", tsoffset))
    if opts:
        opts += opt(e, 2, b"eth0") + opt(e, 0, b"")
    return block(e, 1, struct.pack(e + "HHI", linktype, 0, snaplen) + opts)


def units(tsresol):
    if tsresol is None:
        return US
    if tsresol & 0x80:
        return 1 << (tsresol & 0x7F)
    return 10 ** tsresol


def epb(e, iface, ticks, frame, caplen=None, opts=b""):
    cap = frame if caplen is None else frame[:caplen]
    return block(e, 6, struct.pack(e + "IIIII", iface, ticks >> 32, ticks & 0xFFFFFFFF, len(cap),
                                   len(frame)) + cap + b"\0" * (-len(cap) % 4) + opts)


def pb(e, iface, ticks, frame):
    return block(e, 2, struct.pack(e + "HHIIII", iface, 0, ticks >> 32, ticks & 0xFFFFFFFF,
                                   len(frame), len(frame)) + frame)


def spb(e, frame):
    return block(e, 3, struct.pack(e + "I", len(frame)) + frame)


def pcapng(frames, linktype, e="<", resols=(None,), tsoffset=None, sections=1, mix=False,
           snaplen=0):
    """frames spread over the interfaces (one per resolution) and sections."""
    out = []
    per = (len(frames) + sections - 1) // sections
    for sec in range(sections):
        out.append(shb(e, minor=2 if sec else 0))
        out.append(block(e, 0x00000BAD, b"custom block, skipped"))
        for r in resols:
            out.append(idb(e, linktype, snaplen, r, tsoffset))
        out.append(block(e, 4, struct.pack(e + "HH", 0, 0)))  # empty name resolution block
        for i, (s, u, f) in enumerate(frames[sec * per:(sec + 1) * per]):
            iface = i % len(resols)
            res = units(resols[iface])
            t = T0 + s - (tsoffset or 0)
            ticks = t * res + u * res // US
            if mix and i % 9 == 4:
                out.append(pb(e, iface, ticks, f))
            elif mix and i % 9 == 7 and iface == 0:
                out.append(spb(e, f))  # no time: the epoch, an outlier
            elif i % 4 == 1:
                out.append(epb(e, iface, ticks, f, opts=opt(e, 1, b"comment") + opt(e, 0, b"")))
            else:
                out.append(epb(e, iface, ticks, f))
            if i % 25 == 3:
                out.append(block(e, 5, struct.pack(e + "IIII", iface, 0, 0, 0)))  # ISB
    return b"".join(out)


def variants(max_frames=None):
    eth, sll, raw = eth_frames(), sll_frames(), raw_frames()
    if max_frames:
        # Every kind of frame is in the first ones, cycles of 8 and 11.
        eth, sll, raw = (l[:max_frames] + l[-2:] for l in (eth, sll, raw))
    v = {
        "pcap-le-us.pcap": pcap(eth, 1),
        "pcap-be-us.pcap": pcap(eth, 1, ">"),
        "pcap-le-ns.pcap": pcap(eth, 1, "<", True),
        "pcap-be-ns.pcap": pcap(eth, 1, ">", True),
        "pcap-snap60.pcap": pcap(eth, 1, cut=60, snaplen=60),
        "pcap-snap30.pcap": pcap(eth, 1, cut=30, snaplen=30),
        "pcap-raw101.pcap": pcap(raw, 101),
        "pcap-raw12-be.pcap": pcap(raw, 12, ">"),
        "pcap-sll.pcap": pcap(sll, 113),
        "pcap-sll-cut.pcap": pcap(sll, 113, cut=20),
        "ng-le.pcapng": pcapng(eth, 1),
        "ng-be.pcapng": pcapng(eth, 1, ">"),
        "ng-ns.pcapng": pcapng(eth, 1, "<", (9,)),
        "ng-ms-be.pcapng": pcapng(eth, 1, ">", (3,)),
        "ng-bin20.pcapng": pcapng(eth, 1, "<", (0x94,)),
        "ng-bin0.pcapng": pcapng(eth, 1, "<", (0x80,)),
        "ng-offset.pcapng": pcapng(eth, 1, "<", (6,), tsoffset=T0 - 86400),
        "ng-ifaces.pcapng": pcapng(eth, 1, "<", (6, 9, 0x94)),
        "ng-sections.pcapng": pcapng(eth, 1, ">", (9, 6), sections=3),
        "ng-mixed.pcapng": pcapng(eth, 1, "<", (6,), mix=True, snaplen=200),
        "ng-raw.pcapng": pcapng(raw, 101, "<", (9,)),
        "ng-raw12.pcapng": pcapng(raw, 12, ">"),
        "ng-sll.pcapng": pcapng(sll, 113, "<", (6, 9)),
        "ng-snap50.pcapng": pcapng(eth, 1, "<", (6,), snaplen=50, mix=True),
    }
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--max-frames", type=int, help="frames per file (fuzzing seeds: 24)")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for name, data in variants(a.max_frames).items():
        with open(os.path.join(a.outdir, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())

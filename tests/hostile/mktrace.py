#!/usr/bin/env python3
"""mktrace.py - hostile and adversarial pcap traces for tests/e2e_hostile.sh
and bench/adversarial.sh (Python standard library only).

Every packet is an Ethernet frame carrying a TCP SYN+ACK from a "victim"
(source, port 80) to a telescope address: backscatter by the method of
METHOD.md. Times are deterministic functions of the options, destinations
come from a seeded generator, so reruns are byte-identical. Large traces
are streamed (to a file or to standard output) and never held in memory:
the million-victim and /8-flood loads are generated at test time, never
committed.

Sub-commands:
  attack  - one or more SYN+ACK floods, with optional hostile twists:
            packets shuffled out of time order (--shuffle), one packet's
            time moved far away (--outlier INDEX:SECONDS), gzip output.
  victims - N distinct victims, one packet each, spread evenly over
            --span seconds (candidates that never become attacks).
  flood   - one victim whose answers hit every address of --prefix once,
            in a seeded random order, spread over --span seconds.
  stream  - an endless flood at --pps (for signal tests); with
            --pause-after K it writes K packets, flushes, creates the file
            --pause-file (if given) and then sleeps while keeping its
            output open, so a reader blocks mid-trace.
  merge   - the records of several small pcap files in time order, one
            file: what two overlapping captures should have been.
  pcapng  - one flood cut into --files consecutive pcapng files (one
            section, one Ethernet interface, enhanced packet blocks):
            many inputs read through libtrace's libpcap-based format.
"""
import argparse
import gzip
import random
import struct
import sys
import time

US = 1000000
# 2026-11-24T00:00:00Z: the project's example date (INTERFACE.md).
T0 = 1795478400
PCAP_GLOBAL = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)  # LINKTYPE_ETHERNET
PCAP_REC = struct.Struct("<IIII")
ETH = bytes.fromhex("020000000001" "020000000002" "0800")
# Flush the output buffer at this size: large enough for few syscalls,
# small enough that a FIFO reader sees packets early.
FLUSH_BYTES = 1 << 16
# Seconds --pause-after sleeps per wait; the reader's signal ends us via
# SIGPIPE or the test's kill long before anything matters.
PAUSE_S = 3600


def ip2int(text):
    a = [int(x) for x in text.split(".")]
    if len(a) != 4 or any(not 0 <= x <= 255 for x in a):
        raise ValueError("bad IPv4 address: " + text)
    return a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]


def parse_prefix(text):
    addr, _, plen = text.partition("/")
    plen = int(plen or 32)
    base = ip2int(addr) & ((0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF)
    return base, 1 << (32 - plen)


class Frame:
    """One SYN+ACK frame; only source, destination, ports and IP id change
    between packets, so they are patched into a template."""

    LEN = 14 + 20 + 20

    def __init__(self):
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0, 64, 6, 0, bytes(4), bytes(4))
        # SYN+ACK, window 29200, no options.
        tcp = struct.pack("!HHIIBBHHH", 80, 0, 1, 1, 5 << 4, 0x12, 29200, 0, 0)
        self.tmpl = bytearray(ETH + ip + tcp)

    def make(self, ts_us, src, dst, dport, ident):
        f = self.tmpl
        struct.pack_into("!H", f, 14 + 4, ident & 0xFFFF)
        struct.pack_into("!II", f, 14 + 12, src, dst)
        struct.pack_into("!H", f, 14 + 20 + 2, dport)
        return PCAP_REC.pack(ts_us // US, ts_us % US, self.LEN, self.LEN) + f


class Out:
    """Buffered pcap output to a path ('-' = standard output), gzip-able."""

    def __init__(self, path, gz):
        raw = sys.stdout.buffer if path == "-" else open(path, "wb")
        self.raw = raw
        self.f = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if gz else raw
        self.buf = bytearray(PCAP_GLOBAL)

    def write(self, rec):
        self.buf += rec
        if len(self.buf) >= FLUSH_BYTES:
            self.flush()

    def flush(self):
        self.f.write(self.buf)
        self.buf.clear()
        self.f.flush()
        if self.f is not self.raw:
            self.raw.flush()

    def close(self):
        self.flush()
        if self.f is not self.raw:
            self.f.close()
        if self.raw is not sys.stdout.buffer:
            self.raw.close()


def cmd_attack(a):
    r = random.Random(a.seed)
    base, size = parse_prefix(a.tel)
    victim0 = ip2int(a.victim)
    fr = Frame()
    start_us = a.start * US
    step_us = a.dur * US // a.count
    recs = []
    for i in range(a.count):
        ts = start_us + i * step_us
        for v in range(a.victims):
            recs.append((ts, victim0 + v, base + r.randrange(size), r.randrange(1024, 65536)))
    if a.shuffle:
        r.shuffle(recs)
    for spec in a.outlier:
        idx, _, off = spec.partition(":")
        idx = int(idx)
        ts, src, dst, port = recs[idx]
        recs[idx] = (max(0, ts + int(off) * US), src, dst, port)
    out = Out(a.out, a.gzip)
    for i, (ts, src, dst, port) in enumerate(recs):
        out.write(fr.make(ts, src, dst, port, i))
    out.close()


def cmd_victims(a):
    r = random.Random(a.seed)
    base, size = parse_prefix(a.tel)
    fr = Frame()
    out = Out(a.out, False)
    # Victims 1.0.0.0 upwards: distinct, and never inside a 10/8 or 44/8 telescope.
    v0 = ip2int("1.0.0.0")
    span_us = a.span * US
    for i in range(a.n):
        ts = a.start * US + span_us * i // a.n
        out.write(fr.make(ts, v0 + i, base + r.randrange(size), r.randrange(1024, 65536), i))
    out.close()


def cmd_flood(a):
    base, size = parse_prefix(a.prefix)
    victim = ip2int(a.victim)
    # A seeded permutation of the prefix by a multiplicative step (odd, so
    # a bijection modulo 2^k): every address exactly once, no list in memory.
    mult = 0x9E3779B1 | 1
    mask = size - 1
    fr = Frame()
    out = Out(a.out, False)
    span_us = a.span * US
    for i in range(size):
        ts = a.start * US + span_us * i // size
        dst = base + ((i * mult + a.seed) & mask)
        out.write(fr.make(ts, victim, dst, 1024 + (i & 0x7FFF), i))
    out.close()


def cmd_stream(a):
    r = random.Random(a.seed)
    base, size = parse_prefix(a.tel)
    victim = ip2int(a.victim)
    fr = Frame()
    out = Out(a.out, False)
    step_us = US // a.pps
    i = 0
    try:
        while a.count == 0 or i < a.count:
            if a.pause_after and i == a.pause_after:
                out.flush()
                if a.pause_file:
                    open(a.pause_file, "w").close()
                while True:
                    time.sleep(PAUSE_S)
            out.write(fr.make(a.start * US + i * step_us, victim, base + r.randrange(size),
                              r.randrange(1024, 65536), i))
            i += 1
        out.close()
    except BrokenPipeError:
        # The reader stopped (the signal test): not an error of ours.
        sys.stderr.close()
        sys.exit(0)


def read_records(path):
    """(ts_us, record bytes) of a little-endian microsecond pcap file."""
    data = open(path, "rb").read()
    if data[:4] != PCAP_GLOBAL[:4]:
        raise ValueError(path + ": not a little-endian microsecond pcap")
    off, recs = len(PCAP_GLOBAL), []
    while off + PCAP_REC.size <= len(data):
        sec, usec, caplen, _ = PCAP_REC.unpack_from(data, off)
        end = off + PCAP_REC.size + caplen
        recs.append((sec * US + usec, data[off:end]))
        off = end
    return recs


def cmd_merge(a):
    recs = []
    for path in a.inputs:
        recs += read_records(path)
    recs.sort(key=lambda r: r[0])  # stable: ties keep file order
    out = Out(a.out, False)
    for _, rec in recs:
        out.write(rec)
    out.close()


def pcapng_block(btype, body):
    """A pcapng block: type, total length, body padded to 32 bits, length."""
    body += bytes(-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def cmd_pcapng(a):
    shb = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = pcapng_block(1, struct.pack("<HHI", 1, 0, 65535))  # Ethernet, default us
    base, size = parse_prefix(a.tel)
    rng = random.Random(a.seed)
    victim = ip2int(a.victim)
    frames = Frame()
    per_file = a.count // a.files
    for k in range(a.files):
        blocks = [shb, idb]
        for i in range(k * per_file, (k + 1) * per_file):
            ts_us = a.start * US + i * a.gap_ms * 1000
            dst = base + rng.randrange(size)
            frame = bytes(frames.make(ts_us, victim, dst, 1024 + i % 60000, i)[PCAP_REC.size:])
            epb = struct.pack("<IIIII", 0, ts_us >> 32, ts_us & 0xFFFFFFFF, len(frame), len(frame))
            blocks.append(pcapng_block(6, epb + frame))
        with open("%s/part-%04d.pcapng" % (a.dir, k), "wb") as f:
            f.write(b"".join(blocks))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("attack")
    s.add_argument("--out", default="-")
    s.add_argument("--victim", default="192.0.2.1")
    s.add_argument("--victims", type=int, default=1, help="consecutive victims, same schedule")
    s.add_argument("--tel", default="10.0.0.0/8")
    s.add_argument("--start", type=int, default=T0, help="epoch seconds of the first packet")
    s.add_argument("--dur", type=int, default=600)
    s.add_argument("--count", type=int, default=600, help="packets per victim")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--shuffle", action="store_true")
    s.add_argument("--outlier", action="append", default=[], metavar="INDEX:SECONDS")
    s.add_argument("--gzip", action="store_true")
    s.set_defaults(fn=cmd_attack)

    s = sub.add_parser("victims")
    s.add_argument("--out", default="-")
    s.add_argument("--n", type=int, default=1000000)
    s.add_argument("--span", type=int, default=7200)
    s.add_argument("--tel", default="10.0.0.0/8")
    s.add_argument("--start", type=int, default=T0)
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(fn=cmd_victims)

    s = sub.add_parser("pcapng")
    s.add_argument("--dir", required=True)
    s.add_argument("--files", type=int, default=100)
    s.add_argument("--count", type=int, default=1000, help="packets over all files")
    s.add_argument("--gap-ms", type=int, default=100, help="time between packets")
    s.add_argument("--victim", default="192.0.2.11")
    s.add_argument("--tel", default="10.0.0.0/8")
    s.add_argument("--start", type=int, default=T0)
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(fn=cmd_pcapng)

    s = sub.add_parser("flood")
    s.add_argument("--out", default="-")
    s.add_argument("--victim", default="192.0.2.7")
    s.add_argument("--prefix", default="10.0.0.0/16")
    s.add_argument("--span", type=int, default=600)
    s.add_argument("--start", type=int, default=T0)
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(fn=cmd_flood)

    s = sub.add_parser("stream")
    s.add_argument("--out", default="-")
    s.add_argument("--victim", default="192.0.2.9")
    s.add_argument("--tel", default="10.0.0.0/8")
    s.add_argument("--pps", type=int, default=1000)
    s.add_argument("--count", type=int, default=0, help="0 = endless")
    s.add_argument("--pause-after", type=int, default=0)
    s.add_argument("--pause-file", help="created once paused")
    s.add_argument("--start", type=int, default=T0)
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(fn=cmd_stream)

    s = sub.add_parser("merge")
    s.add_argument("--out", default="-")
    s.add_argument("inputs", nargs="+")
    s.set_defaults(fn=cmd_merge)

    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()

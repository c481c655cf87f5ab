#!/usr/bin/env python3
"""check_tshark.py - check a bsgen.py output directory against tshark.

Why: the truth bsgen.py writes comes from its own bookkeeping of what it
planted. This script derives the same numbers a second way, from what
tshark dissects in the written pcap files, so a generator bug (a wrong
byte offset, a bad checksum, a flag the truth does not match) shows up as
a difference instead of silently becoming "ground truth".

For every packet it takes tshark's fields only (never bsgen's metadata),
classifies it with the rules of METHOD.md section 2 and
telescope/classify.h (outer header; ICMP errors name the quoted
destination), counts the categories of truth.json, rebuilds the flows
(key victim+protocol, gap > 300 s splits, peak over 60 whole seconds,
distinct destinations) and compares them with truth.csv column by column.
It also fails when tshark reports a malformed packet or a bad checksum in
any packet that bsgen did not mean to be malformed or truncated.

Usage: check_tshark.py DIR [DIR...]    exit 0 when everything matches.
       check_tshark.py --derive --telescope PREFIX[,...] FILE...
         prints the flows tshark's view of any IPv4 capture gives (truth.csv
         columns, without kind) on stdout and the category counts on
         stderr; IPv6 packets are only counted ("ipv6"), not classified.
Needs tshark (Debian package "tshark"); Python 3 standard library only.
"""

import csv
import json
import os
import subprocess
import sys

FIELDS = ["frame.time_epoch", "frame.cap_len", "frame.protocols", "mpls.label", "eth.type",
          "vlan.etype", "ip.version",
          "ip.hdr_len", "ip.len", "ip.frag_offset", "ip.proto", "ip.src", "ip.dst",
          "tcp.hdr_len", "tcp.flags", "tcp.srcport", "tcp.dstport", "udp.dstport", "udp.srcport",
          "icmp.type",
          "_ws.malformed", "ip.checksum.status", "tcp.checksum.status",
          "udp.checksum.status", "icmp.checksum.status"]
TIMEOUT_US = 300 * 1000000
PRESETS = {"rsdos": (25, 60 * 1000000, 30, 5), "moore": (100, 60 * 1000000, 0, 5)}
REPLY = {0: "ICMP_ECHO_REPLY", 14: "ICMP_TSTAMP_REPLY", 16: "ICMP_INFO_REPLY",
         18: "ICMP_MASK_REPLY"}
ERROR = {3: "ICMP_UNREACH", 4: "ICMP_SOURCE_QUENCH", 5: "ICMP_REDIRECT",
         11: "ICMP_TIME_EXCEEDED", 12: "ICMP_PARAM_PROBLEM"}
ORDER = ["TCP_SYNACK", "TCP_RST", "ICMP_ECHO_REPLY", "ICMP_UNREACH", "ICMP_SOURCE_QUENCH",
         "ICMP_REDIRECT", "ICMP_TIME_EXCEEDED", "ICMP_PARAM_PROBLEM", "ICMP_TSTAMP_REPLY",
         "ICMP_INFO_REPLY", "ICMP_MASK_REPLY"]
PROTO = {"6": "TCP", "17": "UDP", "1": "ICMP"}
CATEGORIES = ["backscatter", "not_backscatter", "outside_telescope", "non_ip", "malformed",
              "truncated", "fragments", "ipv6"]
# Header bytes per link-layer token of frame.protocols (tshark's frame.cap_len
# of an ERF record already excludes the ERF header).
L2_LEN = {"eth": 14, "vlan": 4, "sll": 16, "sll2": 20, "null": 4, "loop": 4, "raw": 0, "erf": 0}


def ip2int(s):
    a, b, c, d = (int(x) for x in s.split("."))
    return a << 24 | b << 16 | c << 8 | d


def iso(us):
    import datetime
    sec, frac = divmod(us, 1000000)
    t = datetime.datetime.fromtimestamp(sec, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % frac


def vals(s):
    return s.split(",") if s else []


def first_int(s, base=10):
    v = vals(s)
    return int(v[0], base) if v else None


def classify(f, tel):
    """-> (category, event or None, checksum_bad)."""
    (ts, caplen, protos, mpls, etype, vetype, ver, ihl, iplen, frag, proto, src, dst, thl,
     tflags, sport, dport, udport, usport, itype, malformed, ipck, tcpck, udpck, icmpck) = f
    cap = int(caplen)
    bad = any(x == "0" for c in (ipck, tcpck, udpck, icmpck) for x in vals(c))
    # Layer 2 length and the first layer-3 protocol, from tshark's list.
    l2, l3name = 0, None
    for tok in protos.split(":"):
        if tok in L2_LEN:
            l2 += L2_LEN[tok]
        elif tok == "mpls":
            l2 += 4 * len(vals(mpls))
        elif tok not in ("ethertype", "frame"):
            l3name = tok
            break
    et = vals(vetype) or vals(etype)  # innermost ethertype
    if l3name != "ip" and not (l3name is None and et and int(et[-1], 16) == 0x0800):
        return ("ipv6" if l3name == "ipv6" else "non_ip"), None, bad
    l3 = cap - l2
    if l3 < 20:
        return "truncated", None, bad
    if first_int(ver) != 4 or first_int(ihl) < 20 or first_int(iplen) < first_int(ihl):
        return "malformed", None, bad
    if (first_int(frag) or 0) > 0:
        return "fragments", None, bad
    hl = first_int(ihl)
    l4 = l3 - hl
    p = first_int(proto)
    srcs, dsts = vals(src), vals(dst)
    ev = None
    if p == 6:
        if l4 < 14:
            return "truncated", None, bad
        if first_int(thl) < 20:
            return "malformed", None, bad
        fl = first_int(tflags, 16)
        if fl & 0x04:
            resp = "TCP_RST"
        elif fl & 0x12 == 0x12:
            resp = "TCP_SYNACK"
        else:
            return "not_backscatter", None, bad
        ev = (srcs[0], "TCP", first_int(sport), resp, None, first_int(dport))
    elif p == 1:
        if l4 < 4:
            return "truncated", None, bad
        t = first_int(itype)
        if t in REPLY:
            ev = (srcs[0], "ICMP", None, REPLY[t], None, None)
        elif t in ERROR:
            quote = l4 - 8
            protos = vals(proto)
            if quote >= 20 and len(dsts) >= 2:
                qhl = int(vals(ihl)[1])
                victim, qp = dsts[1], PROTO.get(protos[1], "OTHER")
                port = aport = None
                if quote - qhl >= 4:
                    port = first_int(dport) if qp == "TCP" else \
                        first_int(udport) if qp == "UDP" else None
                    aport = first_int(sport) if qp == "TCP" else \
                        first_int(usport) if qp == "UDP" else None
                responder = srcs[0] if srcs[0] != victim else None
                ev = (victim, qp, port, ERROR[t], responder, aport)
            else:
                ev = (srcs[0], "ICMP", None, ERROR[t], None, None)
        else:
            return "not_backscatter", None, bad
    else:
        return "not_backscatter", None, bad
    return ("backscatter" if tel(ip2int(dsts[0])) else "outside_telescope"), \
        (ev, dsts[0], int(first_int(iplen))), bad


class Flows:
    def __init__(self):
        self.open, self.rows, self.now = {}, [], 0

    def add(self, ts, ev, dst, iplen):
        victim, proto, port, resp, responder, aport = ev
        self.now = max(self.now, ts)
        key = (victim, proto)
        st = self.open.get(key)
        if st is not None and self.now - st["last"] > TIMEOUT_US:
            self.close(key)
            st = None
        if st is None:
            st = self.open[key] = {"start": ts, "last": ts, "n": 0, "bytes": 0, "dsts": set(),
                                   "ports": {}, "resp": set(), "secs": {}, "responder": "",
                                   "mism": 0, "aports": set()}
        st["start"], st["last"] = min(st["start"], ts), max(st["last"], ts)
        st["n"] += 1
        st["bytes"] += iplen
        st["dsts"].add(dst)
        if port is not None:
            st["ports"][port] = st["ports"].get(port, 0) + 1
        if aport is not None:
            st["aports"].add(aport)
        st["resp"].add(resp)
        st["secs"][ts // 1000000] = st["secs"].get(ts // 1000000, 0) + 1
        if responder:
            st["responder"] = responder
            st["mism"] += 1

    def close(self, key):
        st = self.open.pop(key)
        secs = st["secs"]
        peak = max(sum(c for s2, c in secs.items() if s <= s2 < s + 60) for s in secs)
        dur = st["last"] - st["start"]
        top = ""
        if st["ports"]:
            best = max(st["ports"].values())
            top = str(min(p for p, c in st["ports"].items() if c == best))
        exp = {k: str(int(st["n"] >= a and dur >= b and peak >= c and len(st["dsts"]) >= d))
               for k, (a, b, c, d) in PRESETS.items()}
        self.rows.append({
            "victim": key[0], "protocol": key[1], "start_time": iso(st["start"]),
            "end_time": iso(st["last"]), "packets": str(st["n"]),
            "telescope_addrs": str(len(st["dsts"])), "top_port": top,
            "responder": st["responder"], "expected_rsdos": exp["rsdos"],
            "expected_moore": exp["moore"], "bytes": str(st["bytes"]), "peak_ppm": str(peak),
            "responses": "|".join(r for r in ORDER if r in st["resp"]),
            "icmp_mismatches": str(st["mism"]), "victim_ports": str(len(st["ports"])),
            "attack_ports": str(len(st["aports"]))})

    def finish(self):
        for k in list(self.open):
            self.close(k)
        return self.rows


def lower_layer_malformed(text):
    """True when tshark flags a header the collector reads (layers 2-4) as
    malformed. Payload dissectors guessing from port numbers (collectd,
    RakNet, ... on a random port) are not the packet's fault."""
    for part in vals(text):
        if part.startswith("[Malformed Packet: "):
            proto = part[len("[Malformed Packet: "):].rstrip("]").split()[0].lower()
            if proto in ("eth", "vlan", "802.1q", "arp", "ip", "ipv4", "ipv6", "tcp", "udp",
                         "icmp"):
                return True
        elif part.startswith("[Malformed Packet]"):
            return True
    return False


def telescope_test(prefixes):
    nets = []
    for p in prefixes:
        a, _, n = p.strip().partition("/")
        if ":" in a:
            sys.exit("check_tshark.py: %s: IPv6 telescopes are not supported (IPv4 dissection only)"
                     % p.strip())
        nets.append((ip2int(a), 1 << (32 - int(n or 32))))
    return lambda a: any(b <= a < b + s for b, s in nets)


def derive(paths, tel, strict):
    """Runs tshark on paths (in order, one stream) -> (counts, flow rows,
    problems). strict: report lower-layer malformations and bad checksums
    in packets not classified malformed/truncated."""
    counts = dict.fromkeys(CATEGORIES, 0)
    flows = Flows()
    problems = []
    for path in paths:
        cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE",
               "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
               "-o", "udp.check_checksum:TRUE", "-T", "fields", "-E", "separator=\t",
               "-E", "occurrence=a", "-E", "aggregator=,"]
        for f in FIELDS:
            cmd += ["-e", f]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            problems.append("%s: tshark failed: %s" % (path, out.stderr.strip()[-300:]))
            continue
        for frame_no, line in enumerate(out.stdout.splitlines(), 1):
            f = line.split("\t")
            cat, ev, bad = classify(f, tel)
            counts[cat] += 1
            if strict and cat not in ("malformed", "truncated") and (bad or lower_layer_malformed(
                    f[FIELDS.index("_ws.malformed")])):
                problems.append("%s: packet %d (%s) is malformed or has a bad checksum"
                                % (os.path.basename(path), frame_no, cat))
            if cat == "backscatter":
                sec, _, frac = f[0].partition(".")
                ts = int(sec) * 1000000 + int((frac + "000000")[:6])
                flows.add(ts, *ev)
    return counts, flows.finish(), problems


def check_dir(d):
    info = json.load(open(os.path.join(d, "truth.json")))
    tel = telescope_test(info["telescope"])
    counts, mine, problems = derive([os.path.join(d, n) for n in info["files"]], tel, True)
    total = sum(counts.values())
    if total != info["packets"]:
        problems.append("tshark saw %d packets, truth.json says %d" % (total, info["packets"]))
    if counts.pop("ipv6"):
        problems.append("bsgen writes no IPv6, tshark saw some")
    for k, v in info["counts"].items():
        if counts[k] != v:
            problems.append("count %s: tshark-derived %d, truth.json %d" % (k, counts[k], v))
    cols = list(mine[0].keys()) if mine else []
    with open(os.path.join(d, "truth.csv"), newline="") as fh:
        theirs = list(csv.DictReader(fh))
    a = sorted(tuple(r[c] for c in cols) for r in mine)
    b = sorted(tuple(r[c] for c in cols) for r in theirs)
    if a != b:
        sa, sb = set(a), set(b)
        for row in sorted(sa - sb)[:10]:
            problems.append("flow from tshark not in truth.csv: " + ",".join(row))
        for row in sorted(sb - sa)[:10]:
            problems.append("truth.csv row not derived from tshark: " + ",".join(row))
        if len(a) != len(b):
            problems.append("flows: tshark-derived %d, truth.csv %d" % (len(a), len(b)))
    print("%s: %d packets, %d flows, counts %s: %s" % (
        d, total, len(mine), json.dumps(counts, sort_keys=True),
        "OK" if not problems else "%d problem(s)" % len(problems)))
    for p in problems[:40]:
        print("  " + p)
    return not problems


def main():
    args = sys.argv[1:]
    if args[:1] == ["--derive"]:
        if len(args) < 4 or args[1] != "--telescope":
            print("usage: check_tshark.py --derive --telescope PREFIX[,...] FILE...",
                  file=sys.stderr)
            return 2
        counts, rows, problems = derive(args[3:], telescope_test(args[2].split(",")), False)
        w = csv.writer(sys.stdout, lineterminator="\n")
        cols = ["victim", "protocol", "start_time", "end_time", "packets", "telescope_addrs",
                "top_port", "responder", "expected_rsdos", "expected_moore", "bytes",
                "peak_ppm", "responses", "icmp_mismatches", "victim_ports", "attack_ports"]
        w.writerow(cols)
        for r in sorted(rows, key=lambda r: (r["start_time"], r["victim"], r["protocol"])):
            w.writerow([r[c] for c in cols])
        print(json.dumps(counts, sort_keys=True), file=sys.stderr)
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    if not args or args[0].startswith("-"):
        print("usage: check_tshark.py DIR...  |  check_tshark.py --derive --telescope "
              "PREFIX[,...] FILE...", file=sys.stderr)
        return 2
    ok = all([check_dir(d) for d in args])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""make_fixtures.py - collect output directories for the `report` tests.

Two kinds, both in the exact format of `backscatter collect` (README.md,
analysis/summary.c):

  make_fixtures.py small DIR
      Three tiny hand-made directories with answers worked out by hand in
      tests/check_report.c and tests/e2e_report.sh: night1 (2026-11-24 22:00
      to 11-25 06:00 UTC), shard (an overlapping piece of night1: two of its
      attacks again, one of them seen with fewer packets, plus one new
      attack) and night2 (2026-11-27 00:00 to 04:00; 11-26 has no data).
      The committed copies in tests/data/report/ are this output.

  make_fixtures.py realistic DIR [--seed N]
      Three full UTC days (2026-11-23, 11-24 and 11-26; 11-25 missing) with a
      few thousand attacks each: heavy-tailed durations and rates, a
      diurnal cycle, repeat victims, IPv6 victims, countries and ASes, some
      attacks failing the uniformity test, and a time series consistent
      with the attacks. Made at test time to exercise and look at the plots.

Seeded and deterministic: the same arguments write the same bytes.
"""
import argparse
import csv
import json
import math
import os
import random
from datetime import datetime, timezone

TELESCOPE = "44.0.0.0/8"
TELESCOPE_SIZE = float(1 << 24)
INTERVAL = 300
US = 1_000_000

ATTACK_COLS = [
    "attack_id", "victim", "protocol", "start_time", "end_time", "duration_s",
    "packets", "bytes", "telescope_addrs", "victim_ports", "top_port",
    "responses", "peak_ppm", "mean_pps", "est_attack_pps", "uniformity_a2",
    "uniform", "icmp_mismatches", "responder", "country", "asn", "as_org",
]
TS_COLS = [
    "bin_start", "bin_end", "packets", "attacks_active", "attacks_started",
    "victims", "packets_tcp", "packets_udp", "packets_icmp", "packets_other",
]
PROTOS = ["TCP", "UDP", "ICMP", "OTHER"]


def us_of(text):
    """Microseconds since the epoch of 'YYYY-MM-DDTHH:MM:SS[.ffffff]Z'."""
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in text else "%Y-%m-%dT%H:%M:%SZ"
    dt = datetime.strptime(text, fmt).replace(tzinfo=timezone.utc)
    return int(dt.timestamp()) * US + dt.microsecond


def fmt_time(us):
    dt = datetime.fromtimestamp(us // US, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (us % US)


class Attack:
    def __init__(self, victim, proto, start, end, packets, responses, peak_ppm,
                 uniform, country="", asn=0, as_org=""):
        self.victim, self.proto = victim, proto
        self.start = start if isinstance(start, int) else us_of(start)
        self.end = end if isinstance(end, int) else us_of(end)
        self.packets, self.responses = packets, responses
        self.peak_ppm, self.uniform = peak_ppm, uniform
        self.country, self.asn, self.as_org = country, asn, as_org

    def row(self, attack_id):
        dur_us = self.end - self.start
        mean = self.packets * US / dur_us if dur_us else None
        est = None
        if mean is not None and ":" not in self.victim:
            est = mean * 2**32 / TELESCOPE_SIZE
        port = "" if self.proto == "ICMP" else "80"
        a2 = 0.4 if self.uniform else 9.5
        return [
            attack_id, self.victim, self.proto, fmt_time(self.start),
            fmt_time(self.end), "%d.%06d" % (dur_us // US, dur_us % US),
            self.packets, self.packets * 40, min(self.packets, 5000),
            1, port, self.responses, self.peak_ppm,
            "" if mean is None else "%.6f" % mean,
            "" if est is None else "%.1f" % est,
            "%.4f" % a2, int(self.uniform), 0, "", self.country,
            self.asn or "", self.as_org,
        ]


def bins_of(first_us, last_us):
    b = first_us // (INTERVAL * US) * INTERVAL * US
    out = []
    while b <= last_us:
        out.append(b)
        b += INTERVAL * US
    return out


def write_dir(path, attacks, first_us, last_us, packets_of_bin, complete=True,
              warnings=()):
    """attacks.csv, timeseries.csv and summary.json as collect writes them.
    packets_of_bin(bin_start, attacks) gives (total, per-protocol list)."""
    os.makedirs(path, exist_ok=True)
    attacks = sorted(attacks, key=lambda a: (a.start, a.victim, PROTOS.index(a.proto)))
    with open(os.path.join(path, "attacks.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(ATTACK_COLS)
        for i, a in enumerate(attacks, 1):
            w.writerow(a.row(i))
    bin_us = INTERVAL * US
    with open(os.path.join(path, "timeseries.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(TS_COLS)
        for b in bins_of(first_us, last_us):
            active = [a for a in attacks if a.start < b + bin_us and a.end >= b]
            started = [a for a in active if a.start >= b]
            total, per = packets_of_bin(b, active)
            w.writerow([fmt_time(b), fmt_time(b + bin_us), total, len(active),
                        len(started), len({a.victim for a in active})] + per)
    summary = {
        "tool": {"name": "backscatter", "version": "0.1.0"},
        "command_line": "backscatter collect --telescope %s --out %s trace.pcap.gz"
                        % (TELESCOPE, os.path.basename(path)),
        "parameters": {
            "preset": "rsdos", "flow_timeout_s": 300, "min_packets": 25,
            "min_duration_s": 60, "min_ppm": 30, "min_dests": 5,
            "interval_s": INTERVAL, "telescope": [TELESCOPE],
            "telescope_size_v4": TELESCOPE_SIZE, "telescope_size_v6": 0.0,
            "geo_db": "GeoIP2-Country-Test.mmdb", "asn_db": "GeoLite2-ASN-Test.mmdb",
            "filter": None,
        },
        "inputs": [{"uri": "trace.pcap.gz", "size_bytes": 1234, "packets": 1000,
                    "first_packet": fmt_time(first_us), "last_packet": fmt_time(last_us),
                    "error": None, "skipped": False}],
        "time_range": {"first_packet": fmt_time(first_us), "last_packet": fmt_time(last_us)},
        "counters": {k: 0 for k in [
            "packets", "non_ip", "malformed", "truncated", "fragments",
            "outside_telescope", "not_backscatter", "backscatter", "filtered",
            "out_of_order", "time_outliers", "files_failed"]},
        "flows": {"flows": len(attacks), "attacks": len(attacks), "rejected": 0,
                  "open_flows": 0, "peak_open_flows": 1},
        "complete": complete,
        "partial_reason": None if complete else "cut short",
        "warnings": list(warnings),
    }
    with open(os.path.join(path, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")


def constant_packets(n):
    """Every bin has n packets, all TCP: totals that are easy to check by hand."""
    return lambda b, active: (n, [n, 0, 0, 0])


# The small fixtures. Expected numbers are in tests/check_report.c.
US_ORG = "Example Net, Inc."           # a comma: quoted in the CSV
DE_ORG = 'Beispiel "GmbH"'             # quotes: doubled in the CSV
A1 = Attack("192.0.2.1", "TCP", "2026-11-24T22:10:00Z", "2026-11-24T22:40:00Z", 5400,
            "TCP_SYNACK", 200, True, "US", 64500, US_ORG)
A2 = Attack("192.0.2.1", "TCP", "2026-11-24T23:30:00Z", "2026-11-24T23:32:00Z", 300,
            "TCP_SYNACK|TCP_RST", 160, True, "US", 64500, US_ORG)
A3 = Attack("198.51.100.7", "UDP", "2026-11-25T01:00:00Z", "2026-11-25T01:05:00Z", 900,
            "ICMP_UNREACH", 190, False, "DE", 64501, DE_ORG)
A4 = Attack("203.0.113.9", "ICMP", "2026-11-25T02:00:00Z", "2026-11-25T02:01:00Z", 60,
            "ICMP_ECHO_REPLY", 60, True)
A5 = Attack("2001:db8::1", "TCP", "2026-11-25T03:00:00Z", "2026-11-25T03:10:00Z", 100,
            "TCP_RST", 30, True)
A6 = Attack("192.0.2.1", "UDP", "2026-11-25T05:00:00Z", "2026-11-25T05:30:00Z", 1800,
            "ICMP_UNREACH", 70, True, "US", 64500, US_ORG)
A6_SHORT = Attack("192.0.2.1", "UDP", "2026-11-25T05:00:00Z", "2026-11-25T05:30:00Z", 1700,
                  "ICMP_UNREACH", 70, True, "US", 64500, US_ORG)
A7 = Attack("198.51.100.7", "TCP", "2026-11-25T04:00:00Z", "2026-11-25T04:02:00Z", 240,
            "TCP_SYNACK", 120, True, "DE", 64501, DE_ORG)
A8 = Attack("192.0.2.1", "TCP", "2026-11-27T00:30:00Z", "2026-11-27T01:30:00Z", 36000,
            "TCP_SYNACK", 900, True, "US", 64500, US_ORG)
A9 = Attack("192.0.2.77", "TCP", "2026-11-27T02:00:00Z", "2026-11-27T02:02:00Z", 300,
            "TCP_RST", 150, False, "FR", 64502, "Exemple SA")


def small(out):
    write_dir(os.path.join(out, "night1"), [A1, A2, A3, A4, A5, A6],
              us_of("2026-11-24T22:00:00Z"), us_of("2026-11-25T05:59:59.500000Z"),
              constant_packets(10))
    write_dir(os.path.join(out, "shard"), [A4, A6_SHORT, A7],
              us_of("2026-11-25T02:00:00Z"), us_of("2026-11-25T05:59:59.500000Z"),
              constant_packets(12), complete=False,
              warnings=["trace.pcap.gz: cut short after 1000 packets"])
    write_dir(os.path.join(out, "night2"), [A8, A9],
              us_of("2026-11-27T00:00:00Z"), us_of("2026-11-27T03:59:59.900000Z"),
              constant_packets(10))


# Realistic nights.
COUNTRIES = [("US", 0.30), ("CN", 0.15), ("BR", 0.08), ("DE", 0.07), ("FR", 0.06),
             ("RU", 0.06), ("GB", 0.05), ("JP", 0.05), ("KR", 0.04), ("NL", 0.04),
             ("IN", 0.04), ("", 0.06)]
ASES = [(64496 + i, name) for i, name in enumerate([
    "Example Hosting, LLC", "Cloud Example Ltd", "Big ISP Example", "Game Servers R Us",
    "University Example Net", "Telecom Example S.A.", "Mobile Example GmbH",
    "Datacenter Example B.V.", "Broadband Example Co", "Small ISP \"Example\"",
    "Transit Example AG", "Example CDN Inc."])]
RESPONSES = {"TCP": ["TCP_SYNACK", "TCP_RST", "TCP_SYNACK|TCP_RST"],
             "UDP": ["ICMP_UNREACH"],
             "ICMP": ["ICMP_ECHO_REPLY", "ICMP_UNREACH", "ICMP_ECHO_REPLY|ICMP_UNREACH"],
             "OTHER": ["ICMP_UNREACH", "ICMP_TIME_EXCEEDED"]}


def pick(rng, weighted):
    x, acc = rng.random(), 0.0
    for item, w in weighted:
        acc += w
        if x < acc:
            return item
    return weighted[-1][0]


def realistic(out, seed):
    rng = random.Random(seed)
    pool = []
    for i in range(1500):
        v6 = rng.random() < 0.03
        addr = ("2001:db8:%x::%x" % (i, rng.randrange(1, 65535)) if v6 else
                "%d.%d.%d.%d" % (rng.choice([23, 45, 62, 89, 104, 185, 203]),
                                 rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)))
        country = pick(rng, COUNTRIES)
        asn, org = rng.choice(ASES) if country else (0, "")
        pool.append((addr, country, asn, org))
    # Zipf-like popularity: a few victims are attacked again and again.
    weights = [1.0 / (i + 1) ** 1.1 for i in range(len(pool))]
    for day in ["2026-11-23", "2026-11-24", "2026-11-26"]:
        first = us_of(day + "T00:00:00Z")
        last = first + 86400 * US - 1
        attacks = []
        for _ in range(rng.randrange(1800, 2600)):
            # diurnal cycle: more attacks in the UTC afternoon
            while True:
                t = rng.random() * 86400
                if rng.random() < 0.6 + 0.4 * math.sin((t / 86400 - 0.3) * 2 * math.pi):
                    break
            start = first + int(t * US) + rng.randrange(US)
            dur_s = max(60.0, min(rng.lognormvariate(math.log(300), 1.3), 20 * 3600))
            end = min(last, start + int(dur_s * US))
            if end - start < 60 * US:
                start = end - 60 * US
            proto = pick(rng, [("TCP", 0.8), ("UDP", 0.1), ("ICMP", 0.08), ("OTHER", 0.02)])
            pps = max(0.2, rng.paretovariate(1.2) * 0.4)
            packets = max(25, int(pps * (end - start) / US))
            peak = min(packets, max(30, int(pps * 60 * rng.uniform(1.0, 4.0))))
            addr, country, asn, org = rng.choices(pool, weights)[0]
            attacks.append(Attack(addr, proto, start, end, packets,
                                  rng.choice(RESPONSES[proto]), peak,
                                  rng.random() > 0.07, country, asn, org))

        def packets_of_bin(b, active):
            per = [0, 0, 0, 0]
            lo, hi = b, b + INTERVAL * US
            for a in active:
                share = (min(hi, a.end + 1) - max(lo, a.start)) / max(1, a.end + 1 - a.start)
                per[PROTOS.index(a.proto)] += int(round(a.packets * share))
            per[0] += rng.randrange(20, 60)  # backscatter below the thresholds
            return sum(per), per

        write_dir(os.path.join(out, "night-" + day), attacks, first, last, packets_of_bin)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=["small", "realistic"])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20261124)
    args = ap.parse_args()
    if args.kind == "small":
        small(args.out)
    else:
        realistic(args.out, args.seed)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""score.py - precision and recall of backscatter's attacks.csv against the
ground truth written by data/gen/bsgen.py.

Why: the end-to-end tests need one number for "did the collector find the
planted attacks and nothing else", and, for the small deterministic
scenarios, a field-by-field comparison that catches off-by-one errors in
times, counts and thresholds.

Matching. The expected attacks are the truth.csv rows whose
expected_<preset> column is 1. An attack and an expected row can match
when they have the same victim and protocol and their [start_time,
end_time] intervals overlap (closed intervals). Victims (and responders)
compare as addresses, IPv4 or IPv6, in the ipaddress module's canonical
form: "2001:DB8:0::1" equals "2001:db8::1", and an IPv4 address never
equals an IPv6 one, not even its IPv4-mapped form (the collector keys on
the family too). Among the candidates, pairs are taken one-to-one,
largest overlap first. An attack with no partner is a false positive, an
expected row with no partner a false negative.

  precision = tp / (tp + fp)   (1 when nothing was reported)
  recall    = tp / (tp + fn)   (1 when nothing was expected)

With --exact there must be no false positive or negative, and every
matched pair must agree on packets, start_time and end_time (to the
microsecond), top_port, and telescope_addrs: exactly when
the truth has at most --exact-limit addresses (the collector's exact
distinct-count limit, DISTINCT_EXACT_MAX in telescope/distinct.h), else
within --dest-tolerance (relative; the collector uses a HyperLogLog
estimate there). --fields adds further columns to compare (for example
peak_ppm,bytes,responder,responses,icmp_mismatches,victim_ports,attack_ports).

vector_group in --fields is checked over the whole list, not per pair
(truth.csv has no attack_ids): the expected rows of the preset form
groups as the collector's vector_group defines them (outdir/vgroup.h:
same victim, closed [start, end] intervals that meet, chained), and the
attacks matched to one group must all carry the smallest attack_id among
them. The first line then also says how many groups were checked and how
many of them span several protocols ("groups=N multi=M").

With --rates-telescope PREFIXES every matched pair is also checked
against METHOD.md section 4 for the telescope the collector was given:
mean_pps = packets / (end - start) of the truth row, empty when that is 0;
est_attack_pps = mean_pps * 2^32 / n for an IPv4 victim, n the number of
IPv4 addresses in PREFIXES (a spoofed IPv4 source lands in IPv4 space
only, so IPv6 prefixes of a mixed telescope are no part of n), empty
without IPv4 prefixes; est_attack_pps is empty for an IPv6 victim (IPv6
rates are never estimated: METHOD.md section 5, analysis/results.h). Both
must agree to half a unit of the last digit the collector writes (6 and
1 decimals). Differences are reported as MISMATCH lines.

Output: a first line "precision=P recall=R tp=N fp=N fn=N", then one line
per unmatched row (FP/FN) and, with --exact, per differing field
(MISMATCH), at most --show of each. Exit status: 0 when every requested
minimum holds (and, with --exact, nothing is unmatched and nothing
differs), 1 otherwise, 2 for usage errors or unreadable input. CSV files
are read with the csv module, by column name. Python 3 standard library
only.
"""

import argparse
import calendar
import csv
import ipaddress
import re
import sys

REQUIRED_TRUTH = ["victim", "protocol", "start_time", "end_time", "packets",
                  "telescope_addrs", "top_port", "expected_rsdos", "expected_moore"]
REQUIRED_ATTACKS = ["victim", "protocol", "start_time", "end_time", "packets",
                    "telescope_addrs", "top_port"]
EXACT_FIELDS = ["packets", "start_time", "end_time", "telescope_addrs", "top_port"]
DEFAULT_EXACT_LIMIT = 512  # DISTINCT_EXACT_MAX, telescope/distinct.h
DEFAULT_DEST_TOLERANCE = 0.05
IPV4_SPACE = 2.0 ** 32  # the rate estimate scales to the IPv4 address space
RATE_DECIMALS = {"mean_pps": 6, "est_attack_pps": 1}  # as analysis/results.c writes them

TIME_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z?")


class InputError(Exception):
    pass


def parse_time(text):
    """ISO 8601 UTC -> microseconds since the epoch (digits past 6 must be 0)."""
    m = TIME_RE.fullmatch(text.strip())
    if not m:
        raise InputError("bad time %r" % text)
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    frac = (m.group(7) or "").ljust(9, "0")
    if frac[6:] != "000":
        raise InputError("time finer than a microsecond: %r" % text)
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) * 1000000 + int(frac[:6])


def norm_addr(text):
    try:
        return ipaddress.ip_address(text.strip()).compressed
    except ValueError:
        raise InputError("bad address %r" % text) from None


class Row:
    __slots__ = ("src", "line", "key", "start", "end", "d")

    def __init__(self, src, line, d):
        self.src, self.line, self.d = src, line, d
        self.key = (norm_addr(d["victim"]), d["protocol"].strip().upper())
        self.start = parse_time(d["start_time"])
        self.end = parse_time(d["end_time"])
        if self.end < self.start:
            self.start, self.end = self.end, self.start

    def describe(self):
        d = self.d
        extra = ""
        for k in ("packets", "telescope_addrs", "peak_ppm", "top_port", "kind"):
            if k in d and d[k] != "":
                extra += " %s=%s" % (k, d[k])
        return "%s %s %s..%s%s (%s line %d)" % (d["victim"], d["protocol"], d["start_time"],
                                               d["end_time"], extra, self.src, self.line)


def read_csv(path, required, what):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rd = csv.DictReader(f)
            cols = rd.fieldnames or []
            missing = [c for c in required if c not in cols]
            if missing:
                raise InputError("%s: %s lacks column(s) %s" % (path, what, ", ".join(missing)))
            return [Row(what, i + 2, d) for i, d in enumerate(rd)], cols
    except OSError as e:
        raise InputError("%s: %s" % (path, e.strerror)) from None
    except InputError as e:
        raise InputError("%s: %s" % (path, e)) from None


def match(expected, attacks):
    """One-to-one pairs (truth, attack), largest overlap first."""
    by_key = {}
    for t in expected:
        by_key.setdefault(t.key, ([], []))[0].append(t)
    for a in attacks:
        by_key.setdefault(a.key, ([], []))[1].append(a)
    pairs = []
    for key in sorted(by_key):
        ts, as_ = by_key[key]
        cands = []
        for i, t in enumerate(ts):
            for j, a in enumerate(as_):
                if t.start <= a.end and a.start <= t.end:
                    ov = min(t.end, a.end) - max(t.start, a.start)
                    cands.append((-ov, t.start, a.start, i, j))
        cands.sort()
        used_t, used_a = set(), set()
        for _, _, _, i, j in cands:
            if i not in used_t and j not in used_a:
                used_t.add(i)
                used_a.add(j)
                pairs.append((ts[i], as_[j]))
    return pairs


NUMERIC_FIELDS = ("top_port", "packets", "bytes", "peak_ppm", "icmp_mismatches", "victim_ports",
                  "attack_ports")


def same_number(x, y):
    """"80" equals "80.0"; empty or non-numeric text equals only itself."""
    try:
        return float(x) == float(y)
    except ValueError:
        return False


def compare(t, a, fields, limit, tol):
    """Differences of one matched pair, as (field, truth value, attack value)."""
    out = []
    for f in fields:
        tv, av = t.d.get(f, ""), a.d.get(f, "")
        if f in ("start_time", "end_time"):
            ok = parse_time(tv) == parse_time(av)
        elif f == "telescope_addrs":
            try:
                ti, ai = int(tv), int(float(av))
            except ValueError:
                ok = False
            else:
                ok = ti == ai if ti <= limit else abs(ai - ti) <= tol * ti
        elif f in ("victim", "responder"):
            ok = (norm_addr(tv) if tv else "") == (norm_addr(av) if av else "")
        elif f in NUMERIC_FIELDS:
            ok = tv.strip() == av.strip() or same_number(tv, av)
        elif f == "responses":
            ok = set(tv.split("|")) - {""} == set(av.split("|")) - {""}
        else:
            ok = tv.strip() == av.strip()
        if not ok:
            out.append((f, tv, av))
    return out


def truth_groups(rows):
    """id(row) -> group number: rows of one victim whose closed intervals
    meet, chained (a sweep in start order, as outdir/vgroup.c)."""
    group, n = {}, 0
    by_victim = {}
    for t in rows:
        by_victim.setdefault(t.key[0], []).append(t)
    for victim in sorted(by_victim):
        reach = None
        for t in sorted(by_victim[victim], key=lambda x: x.start):
            if reach is None or t.start > reach:
                n += 1
                reach = t.end
            reach = max(reach, t.end)
            group[id(t)] = n
    return group


def group_diffs(expected, pairs):
    """vector_group of every matched attack against the truth's groups;
    returns (diffs, groups with a matched attack, of them over several
    protocols)."""
    group = truth_groups(expected)
    members = {}
    for t, a in pairs:
        members.setdefault(group[id(t)], []).append((t, a))
    diffs = []
    multi = 0
    for g in sorted(members):
        try:
            want = str(min(int(a.d["attack_id"]) for _, a in members[g]))
        except (KeyError, ValueError):
            raise InputError("attacks.csv: attack_id missing or not a number") from None
        multi += len({t.key[1] for t, _ in members[g]}) > 1
        for t, a in members[g]:
            if a.d.get("vector_group", "").strip() != want:
                diffs.append((t, a, "vector_group", want, a.d.get("vector_group", "")))
    return diffs, len(members), multi


def telescope_v4_size(text):
    """IPv4 addresses in comma-separated prefixes (IPv6 ones are checked, not counted)."""
    n = 0
    for item in text.split(","):
        try:
            net = ipaddress.ip_network(item.strip())
        except ValueError:
            raise InputError("bad telescope prefix %r" % item) from None
        if net.version == 4:
            n += net.num_addresses
    return n


def rate_diffs(t, a, v4_size):
    """mean_pps and est_attack_pps of attack a against truth row t."""
    try:
        packets = int(t.d["packets"])
    except ValueError:
        raise InputError("bad packets %r (truth line %d)" % (t.d["packets"], t.line)) from None
    dur_us = t.end - t.start
    # The collector's arithmetic (analysis/results.c): packets * 10^6 / microseconds.
    mean = float(packets) * 1e6 / dur_us if dur_us else None
    est = None
    if mean is not None and ipaddress.ip_address(t.key[0]).version == 4 and v4_size:
        est = mean * IPV4_SPACE / v4_size
    out = []
    for f, want in (("mean_pps", mean), ("est_attack_pps", est)):
        got = a.d.get(f, "").strip()
        if want is None:
            ok = got == ""
            shown = ""
        else:
            shown = "%.*f" % (RATE_DECIMALS[f], want)
            try:
                ok = abs(float(got) - want) <= 0.5 * 10.0 ** -RATE_DECIMALS[f] * (1 + 1e-9)
            except ValueError:
                ok = False
        if not ok:
            out.append((f, shown, got))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Precision/recall of attacks.csv against bsgen.py's truth.csv.")
    ap.add_argument("--truth", required=True, help="truth.csv written by data/gen/bsgen.py")
    ap.add_argument("--attacks", required=True, help="attacks.csv written by backscatter")
    ap.add_argument("--preset", choices=["rsdos", "moore"], default="rsdos",
                    help="which expected_* column to score against (default rsdos)")
    ap.add_argument("--min-precision", type=float, default=0.0, metavar="X")
    ap.add_argument("--min-recall", type=float, default=0.0, metavar="Y")
    ap.add_argument("--exact", action="store_true",
                    help="no FP or FN, and matched pairs agree on packets, times, "
                    "telescope_addrs, top_port")
    ap.add_argument("--fields", default="",
                    help="extra comma-separated columns to compare with --exact")
    ap.add_argument("--exact-limit", type=int, default=DEFAULT_EXACT_LIMIT,
                    help="telescope_addrs compared exactly up to this many (default %d)"
                    % DEFAULT_EXACT_LIMIT)
    ap.add_argument("--dest-tolerance", type=float, default=DEFAULT_DEST_TOLERANCE,
                    help="relative tolerance above --exact-limit (default %.2f)"
                    % DEFAULT_DEST_TOLERANCE)
    ap.add_argument("--rates-telescope", metavar="PREFIXES",
                    help="check mean_pps and est_attack_pps of matched pairs for this telescope")
    ap.add_argument("--show", type=int, default=20, help="unmatched rows shown per kind")
    args = ap.parse_args(argv)
    fields = EXACT_FIELDS + [f.strip() for f in args.fields.split(",")
                             if f.strip() and f.strip() not in EXACT_FIELDS]
    try:
        truth, tcols = read_csv(args.truth, REQUIRED_TRUTH, "truth")
        attacks, acols = read_csv(args.attacks, REQUIRED_ATTACKS, "attacks")
        groups = "vector_group" in fields
        if groups:
            fields.remove("vector_group")
            if "vector_group" not in acols:
                raise InputError("--exact field 'vector_group' missing from %s" % args.attacks)
        if args.exact:
            for f in fields:
                if f not in tcols or f not in acols:
                    raise InputError("--exact field %r missing from %s" % (
                        f, args.truth if f not in tcols else args.attacks))
        col = "expected_" + args.preset
        expected = [t for t in truth if t.d[col].strip() == "1"]
        pairs = match(expected, attacks)
        diffs = []
        if args.exact:
            for t, a in pairs:
                for f, tv, av in compare(t, a, fields, args.exact_limit, args.dest_tolerance):
                    diffs.append((t, a, f, tv, av))
        if args.exact and groups:
            gdiffs, n_groups, n_multi = group_diffs(expected, pairs)
            diffs += gdiffs
        if args.rates_telescope is not None:
            for f in RATE_DECIMALS:
                if f not in acols:
                    raise InputError("%s lacks column %s" % (args.attacks, f))
            v4_size = telescope_v4_size(args.rates_telescope)
            for t, a in pairs:
                for f, tv, av in rate_diffs(t, a, v4_size):
                    diffs.append((t, a, f, tv, av))
    except InputError as e:
        print("score.py: %s" % e, file=sys.stderr)
        return 2

    matched_t = {id(t) for t, _ in pairs}
    matched_a = {id(a) for _, a in pairs}
    fns = [t for t in expected if id(t) not in matched_t]
    fps = [a for a in attacks if id(a) not in matched_a]
    tp, fp, fn = len(pairs), len(fps), len(fns)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print("precision=%.4f recall=%.4f tp=%d fp=%d fn=%d preset=%s%s%s" % (
        precision, recall, tp, fp, fn, args.preset,
        " mismatches=%d" % len(diffs) if args.exact or args.rates_telescope else "",
        " groups=%d multi=%d" % (n_groups, n_multi) if args.exact and groups else ""))

    # Explain false positives with the truth row they overlap, if any: a
    # flow the truth saw but judged below a threshold.
    unexpected = {}
    for t in truth:
        unexpected.setdefault(t.key, []).append(t)
    for a in sorted(fps, key=lambda r: (r.start, r.key))[:args.show]:
        why = ""
        for t in unexpected.get(a.key, []):
            if t.start <= a.end and a.start <= t.end:
                why = "; truth: " + ("matched elsewhere" if id(t) in matched_t else
                                     "%s=0" % col if t.d[col].strip() != "1" else "?") + \
                    " " + t.describe()
                break
        print("FP %s%s" % (a.describe(), why))
    for t in sorted(fns, key=lambda r: (r.start, r.key))[:args.show]:
        print("FN %s" % t.describe())
    for t, a, f, tv, av in diffs[:args.show]:
        print("MISMATCH %s %s %s %s: truth=%r attacks=%r" % (
            t.d["victim"], t.d["protocol"], t.d["start_time"], f, tv, av))
    hidden = max(0, fp - args.show) + max(0, fn - args.show) + max(0, len(diffs) - args.show)
    if hidden:
        print("(%d more not shown; raise --show)" % hidden)

    ok = precision >= args.min_precision and recall >= args.min_recall
    if args.exact and (fp or fn):
        ok = False
    if diffs:
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

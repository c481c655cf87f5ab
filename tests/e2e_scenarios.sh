#!/usr/bin/env bash
# End-to-end: the real binary on generated traces with known ground truth
# (data/gen/bsgen.py). Small deterministic scenarios, IPv4 and IPv6, must
# match the truth exactly; the mixed scenario needs precision and recall
# >= 0.95; the counters of summary.json must equal what the generator
# planted; and the attack list must not depend on --interval, file order or
# compression.
. "$TOPSRC/tests/lib.sh"

# attack_ports: bsgen counts the ports its packet makers drew (data/gen/README.md).
# vector_group: score.py groups the truth's rows and checks every group's
# attacks carry its smallest attack_id.
EXACT_FIELDS=bytes,peak_ppm,responses,icmp_mismatches,responder,victim_ports,attack_ports
EXACT_FIELDS=$EXACT_FIELDS,vector_group

gen() { # gen SCENARIO DIR [bsgen options]
	local s=$1 d=$2
	shift 2
	$GEN --quiet --scenario "$s" --seed 7 --out "$d" "$@"
}

collect() { # collect OUT TRACEDIR [options]: the telescope comes from truth.json
	local out=$1 dir=$2
	shift 2
	local tel
	tel=$(json_get "$dir/truth.json" telescope)
	"$BACKSCATTER" collect --quiet --telescope "$tel" --out "$out" "$@" "$dir"/trace-*
}

counters_match() { # the collector's counters equal the generator's counts
	"$PYTHON3" - "$1/truth.json" "$2/summary.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))["counts"]
got = json.load(open(sys.argv[2]))["counters"]
bad = {k: (v, got.get(k)) for k, v in truth.items() if got.get(k) != v}
if bad:
    print("expected vs got:", bad)
    sys.exit(1)
PY
}

for s in synack rst echo icmp-replies unreach-udp icmp-errors router short-quote span repeat \
	multivector subthreshold edges one-addr noise reorder; do
	d=$WORK/$s
	gen "$s" "$d/in"
	if ! collect "$d/out" "$d/in"; then
		fail "$s: collect exits 0"
		continue
	fi
	check "$s: attacks equal the truth exactly (rsdos)" \
		$SCORE --truth "$d/in/truth.csv" --attacks "$d/out/attacks.csv" --exact --fields "$EXACT_FIELDS"
	check "$s: counters equal the planted counts" counters_match "$d/in" "$d/out"
	collect "$d/moore" "$d/in" --preset moore
	check "$s: attacks equal the truth exactly (moore)" \
		$SCORE --truth "$d/in/truth.csv" --attacks "$d/moore/attacks.csv" --preset moore --exact \
		--fields vector_group
	# The multi-vector scenario holds groups over several protocols (score.py
	# counts them in the truth): its vector_group checks were not empty.
	if [ "$s" = multivector ]; then
		multi=$(sed -n '1s/.* multi=\([0-9]*\).*/\1/p' "$WORK/last.out")
		check "multivector: the truth has multi-vector groups (moore: multi=$multi)" \
			test "${multi:-0}" -gt 0
	fi
done

# IPv6 (METHOD.md section 2, "beyond"): backscatter, threshold cases and
# noise over IPv6, on an IPv6 telescope and on mixed ones (which add IPv4
# attacks and noise). The third telescope has 9 IPv6 prefixes, unsorted,
# one more than telescope/addr.c scans linearly (PREFIX_LINEAR_MAX), and
# IPv4 prefixes whose size is no power of two (12,582,912 addresses).
# Besides the exact match: mean_pps and est_attack_pps (n = the IPv4
# addresses only; empty for IPv6 victims), the per-family telescope sizes
# in summary.json, that every planted IPv6 case arrived (so a generator
# that stopped writing IPv6 cannot pass), and that victims compare as
# addresses, not as text.
sizes_match() { # summary.json's telescope sizes per family equal the generator's
	"$PYTHON3" - "$1/truth.json" "$2/summary.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))["parameters"]
bad = {k: (truth[k], got.get(k)) for k in ("telescope_size_v4", "telescope_size_v6")
       if got.get(k) != float(truth[k])}
if bad:
    print("expected vs got:", bad)
    sys.exit(1)
PY
}

v6_coverage() { # attacks.csv holds IPv6 victims of every response, protocol and counter kind
	"$PYTHON3" - "$1/truth.json" "$2/attacks.csv" <<'PY'
import csv, json, sys
counts = json.load(open(sys.argv[1]))["counts"]
rows = [r for r in csv.DictReader(open(sys.argv[2])) if ":" in r["victim"]]
want = {"TCP_SYNACK", "TCP_RST", "ICMP6_ECHO_REPLY", "ICMP6_UNREACH", "ICMP6_TOO_BIG",
        "ICMP6_TIME_EXCEEDED", "ICMP6_PARAM_PROBLEM"}
seen = {x for r in rows for x in r["responses"].split("|")}
missing = sorted(want - seen) + sorted({"TCP", "UDP", "ICMP"} - {r["protocol"] for r in rows})
if not any(":" in r["responder"] for r in rows):
    missing.append("an IPv6 responder")
missing += [k for k in ("not_backscatter", "outside_telescope", "malformed", "truncated",
                        "fragments") if counts[k] == 0]
if missing:
    print("IPv6 attacks lack:", missing)
    sys.exit(1)
PY
}

exits_1() { # exits_1 COMMAND...: the command reports a difference (1), not a usage error (2)
	"$@"
	[ $? -eq 1 ]
}

respell() { # respell IN OUT [bump]: victims and responders in full upper-case IPv6 text
	"$PYTHON3" - "$@" <<'PY'
import csv, ipaddress, sys
rd = csv.DictReader(open(sys.argv[1], newline=""))
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), rd.fieldnames, lineterminator="\n")
w.writeheader()
bump = len(sys.argv) > 3
for r in rd:
    for k in ("victim", "responder"):
        if ":" in r[k]:
            a = ipaddress.ip_address(r[k])
            if bump and k == "victim":
                a, bump = a + 1, False  # one victim one address off
            r[k] = a.exploded.upper()
    w.writerow(r)
PY
}

V6_PREFIXES=2001:db8:7::/48,10.0.0.0/9,2001:db8:3::/48,2001:db8:a::/48,2001:db8:1::/48
V6_PREFIXES=$V6_PREFIXES,2001:db8:5::/48,2001:db8:2::/48,44.128.0.0/10,2001:db8:9::/48
V6_PREFIXES=$V6_PREFIXES,2001:db8:4::/48,2001:db8:8::/48
for case in ipv6= ipv6-mixed=10.0.0.0/8,2001:db8::/32 "ipv6-prefixes=$V6_PREFIXES"; do
	s=${case%%=*} tel=${case#*=}
	d=$WORK/$s
	gen ipv6 "$d/in" ${tel:+--telescope "$tel"}
	tel=$(json_get "$d/in/truth.json" telescope)
	for preset in rsdos moore; do
		if ! collect "$d/$preset" "$d/in" --preset "$preset"; then
			fail "$s: collect --preset $preset exits 0"
			continue
		fi
		check "$s: attacks equal the truth exactly, rates included ($preset)" \
			$SCORE --truth "$d/in/truth.csv" --attacks "$d/$preset/attacks.csv" --preset "$preset" \
			--exact --fields "$EXACT_FIELDS" --rates-telescope "$tel"
	done
	check "$s: counters equal the planted counts" counters_match "$d/in" "$d/rsdos"
	check "$s: summary.json telescope sizes per family" sizes_match "$d/in" "$d/rsdos"
	check "$s: every planted IPv6 case is found" v6_coverage "$d/in" "$d/rsdos"
done
d=$WORK/ipv6
# Flows of IPv6 keys carry across files read in parallel: the cuts at 00:20
# and 00:40 fall inside three of the rsdos attacks compared here.
gen ipv6 "$d/in3" --files 3
collect "$d/j2" "$d/in3" --jobs 2
check "ipv6: 3 files with --jobs 2 give the same attacks.csv" \
	cmp "$d/rsdos/attacks.csv" "$d/j2/attacks.csv"
respell "$d/rsdos/attacks.csv" "$d/respelled.csv"
check "ipv6: score.py matches IPv6 victims in any spelling" \
	$SCORE --truth "$d/in/truth.csv" --attacks "$d/respelled.csv" --exact --fields responder
respell "$d/rsdos/attacks.csv" "$d/bumped.csv" bump
check "ipv6: score.py tells IPv6 victims one address apart" \
	exits_1 $SCORE --truth "$d/in/truth.csv" --attacks "$d/bumped.csv" --exact

# The mixed scenario: many overlapping attacks, near-threshold flows, noise.
m=$WORK/mixed
gen mixed "$m/in"
collect "$m/out" "$m/in"
check "mixed: precision and recall >= 0.95" \
	$SCORE --truth "$m/in/truth.csv" --attacks "$m/out/attacks.csv" --min-precision 0.95 --min-recall 0.95
sed -n 's/^/# /p' "$WORK/last.out" | head -n 1
check "mixed: counters equal the planted counts" counters_match "$m/in" "$m/out"

# --interval changes the time series only, never the attacks.
collect "$m/i60" "$m/in" --interval 60
collect "$m/i3600" "$m/in" --interval 3600
check "mixed: attacks.csv identical with --interval 60" cmp "$m/out/attacks.csv" "$m/i60/attacks.csv"
check "mixed: attacks.csv identical with --interval 3600" cmp "$m/out/attacks.csv" "$m/i3600/attacks.csv"

# Files are ordered by first packet, whatever the command line order.
tel=$(json_get "$m/in/truth.json" telescope)
mapfile -t files < <(ls "$m/in"/trace-* | sort -r)
"$BACKSCATTER" collect --quiet --telescope "$tel" --out "$m/rev" "${files[@]}"
check "mixed: reversed file order gives the same attacks.csv" cmp "$m/out/attacks.csv" "$m/rev/attacks.csv"
check "mixed: reversed file order gives the same timeseries.csv" cmp "$m/out/timeseries.csv" "$m/rev/timeseries.csv"

# Files read in parallel are stitched into the same result.
for j in 2 4; do
	collect "$m/j$j" "$m/in" --jobs "$j"
	check "mixed: --jobs $j gives the same attacks.csv" cmp "$m/out/attacks.csv" "$m/j$j/attacks.csv"
	check "mixed: --jobs $j gives the same timeseries.csv" cmp "$m/out/timeseries.csv" "$m/j$j/timeseries.csv"
done
gen span "$WORK/span8" --files 8
collect "$WORK/span8/j1" "$WORK/span8"
collect "$WORK/span8/j3" "$WORK/span8" --jobs 3
check "span over 8 files: one attack per truth row" \
	$SCORE --truth "$WORK/span8/truth.csv" --attacks "$WORK/span8/j1/attacks.csv" --exact
check "span over 8 files: --jobs 3 gives the same attacks.csv" \
	cmp "$WORK/span8/j1/attacks.csv" "$WORK/span8/j3/attacks.csv"

# Compressed input gives the same result.
gen mixed "$m/gz" --gzip
collect "$m/gzout" "$m/gz"
check "mixed: gzip input gives the same attacks.csv" cmp "$m/out/attacks.csv" "$m/gzout/attacks.csv"

# Standard input is one more trace.
"$BACKSCATTER" collect --quiet --telescope "$tel" --out "$m/stdin" - <"$WORK/synack/in/trace-000.pcap"
check "stdin: '-' reads a pcap from standard input" \
	$SCORE --truth "$WORK/synack/in/truth.csv" --attacks "$m/stdin/attacks.csv" --exact

finish

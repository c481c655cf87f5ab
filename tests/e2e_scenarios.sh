#!/usr/bin/env bash
# End-to-end: the real binary on generated traces with known ground truth
# (data/gen/bsgen.py). Small deterministic scenarios must match the truth
# exactly; the mixed scenario needs precision and recall >= 0.95; the
# counters of summary.json must equal what the generator planted; and the
# attack list must not depend on --interval, file order or compression.
. "$TOPSRC/tests/lib.sh"

EXACT_FIELDS=bytes,peak_ppm,responses,icmp_mismatches,responder

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
	subthreshold edges one-addr noise reorder; do
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
		$SCORE --truth "$d/in/truth.csv" --attacks "$d/moore/attacks.csv" --preset moore --exact
done

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

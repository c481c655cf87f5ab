#!/usr/bin/env bash
# bench/run.sh - the performance benchmark of issue 5, in one command from a
# clean checkout: installs what is missing, builds into build/ (as
# scripts/demo.sh does), generates its traces with data/gen/bsgen.py into a
# cache directory (reused by later runs with the same sizes), then times
# every case several times, interleaved, and prints the median wall time,
# packets/s and peak RSS (GNU time) of each, the ratios to the floors and
# PASS/FAIL per target. A measurement, not a test: it exits 0 unless a run
# itself failed (exit 1) or the arguments are wrong (exit 2).
#
# Floors: tracestats (libtrace-tools) reads the same file with libtrace's
# read loop and nothing else; gzip -dc is the cost of decompression alone.
# bench/RESULTS.md has a run's table and the machine it ran on.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/run.sh [options]
  --packets N        packets in the default trace (default 5000000)
  --victims N        backscatter sources (default 100000)
  --noise-share F    share of scanning noise and odd packets (default 0.7)
  --hours H          trace length (default 1)
  --split K          files of the split capture read with --jobs (default 4)
  --runs R           runs per case; the median is reported (default 3)
  --cache DIR        where traces are generated (default build/bench-cache)
  --keep             keep the collect output directories (printed at the end)
The long trace is the default trace followed by a second one like it (seed 2):
twice as long with the same number of concurrent attacks, for the check that
memory does not grow with trace length.
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
packets=5000000
victims=100000
noise=0.7
hours=1
split=4
runs=3
cache=$top/build/bench-cache
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1; shift; continue ;;
	-h | --help) usage; exit 0 ;;
	--packets | --victims | --noise-share | --hours | --split | --runs | --cache)
		[ $# -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; } ;;
	*) usage >&2; exit 2 ;;
	esac
	case $1 in
	--packets) packets=$2 ;;
	--victims) victims=$2 ;;
	--noise-share) noise=$2 ;;
	--hours) hours=$2 ;;
	--split) split=$2 ;;
	--runs) runs=$2 ;;
	--cache) cache=$2 ;;
	esac
	shift 2
done
for n in "$packets" "$victims" "$split" "$runs"; do
	case $n in '' | *[!0-9]* | 0) echo "bench: sizes and counts must be positive integers" >&2; exit 2 ;; esac
done

# Targets of issue 5.
MAX_PLAIN_RATIO=1.3    # collect / tracestats, plain pcap
MAX_GZIP_RATIO=1.1     # collect / tracestats, the same capture gzipped
MAX_RSS_MB=64          # peak RSS of collect on the default trace
MAX_RSS_GROWTH=1.10    # long trace / default trace
MIN_JOBS_SPEEDUP=1.7   # --jobs 1 / --jobs 2 over the split capture
TELESCOPE=10.0.0.0/8   # bsgen.py's default telescope

# shellcheck source=scripts/setup-deps.sh
. "$top/scripts/setup-deps.sh"
# shellcheck disable=SC2086
install_packages $BUILD_PKGS python3 libtrace-tools time
"$top/scripts/build.sh" "$top/build"
bin=$top/build/backscatter
gen=$top/data/gen/bsgen.py

# Generates one trace set into $cache/NAME unless an identical one is there
# (bsgen.py output depends only on its arguments; .done holds them).
generate() {
	local name=$1
	shift
	local dir=$cache/$name args="$*"
	if [ -f "$dir/.done" ] && [ "$(cat "$dir/.done")" = "$args" ]; then
		return 0
	fi
	echo "bench: generating $name: bsgen.py $args" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	python3 "$gen" --scenario bench --out "$dir" --quiet "$@"
	echo "$args" >"$dir/.done"
}
start=2026-11-24T00:00:00Z # bsgen.py's default
sizes=(--seed 1 --start "$start" --hours "$hours" --packets "$packets" --victims "$victims"
	--noise-share "$noise")
tag="p$packets-v$victims-n$noise-h$hours"
generate "$tag/plain" "${sizes[@]}" --files 1
generate "$tag/gzip" "${sizes[@]}" --files 1 --gzip
generate "$tag/split$split" "${sizes[@]}" --files "$split"
# The long trace is the default one followed by an independent one of the
# same sizes (seed 2) that starts where it ends: twice as long with the
# same number of concurrent attacks. A single bsgen.py run over twice the
# hours would not do: it caps attack durations at 95% of the trace, so its
# longest attacks would last twice as long and overlap twice as much.
next_start=$(python3 -c "import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], '%Y-%m-%dT%H:%M:%SZ')
print((t + datetime.timedelta(hours=float(sys.argv[2]))).strftime('%Y-%m-%dT%H:%M:%SZ'))" \
	"$start" "$hours")
generate "$tag/next" --seed 2 --start "$next_start" --hours "$hours" --packets "$packets" \
	--victims "$victims" --noise-share "$noise" --files 1
plain=$cache/$tag/plain/trace-000.pcap
gz=$cache/$tag/gzip/trace-000.pcap.gz
long=$cache/$tag/long.pcap
splitdir=$cache/$tag/split$split
split_files=("$splitdir"/trace-*.pcap)
if [ ! -f "$long" ] || [ "$long" -ot "$cache/$tag/next/.done" ] || [ "$long" -ot "$cache/$tag/plain/.done" ]; then
	# One pcap: the second file without its 24-byte global header.
	{ cat "$plain"; tail -c +25 "$cache/$tag/next/trace-000.pcap"; } >"$long.tmp"
	mv "$long.tmp" "$long"
fi
packets_of() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['packets'])" "$1"; }
n_plain=$(packets_of "$cache/$tag/plain/truth.json")
n_long=$((n_plain + $(packets_of "$cache/$tag/next/truth.json")))

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-run.XXXXXX")
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT

# The cases, in the order they are run and printed; case_args sets the
# command line of one in args (its standard output is discarded).
j1=collect-split$split-jobs1
j2=collect-split$split-jobs2
names=(tracestats-plain tracestats-gzip gzip-dc collect-plain collect-gzip "$j1" "$j2" collect-long)
case_args() {
	local collect=("$bin" collect --quiet --telescope "$TELESCOPE")
	case $1 in
	tracestats-plain) args=(tracestats "$plain") ;;
	tracestats-gzip) args=(tracestats "$gz") ;;
	gzip-dc) args=(gzip -dc "$gz") ;;
	collect-plain) args=("${collect[@]}" --out "$work/plain" "$plain") ;;
	collect-gzip) args=("${collect[@]}" --out "$work/gzip" "$gz") ;;
	"$j1") args=("${collect[@]}" --jobs 1 --out "$work/jobs1" "${split_files[@]}") ;;
	"$j2") args=("${collect[@]}" --jobs 2 --out "$work/jobs2" "${split_files[@]}") ;;
	collect-long) args=("${collect[@]}" --out "$work/long" "$long") ;;
	esac
}
counts=()
for n in "${names[@]}"; do
	if [ "$n" = collect-long ]; then counts+=("$n_long"); else counts+=("$n_plain"); fi
done

# The traces are read once first so that every timed run finds them in the
# page cache: the floors and collect then compare like with like. Runs are
# interleaved (all cases, then all cases again) so that a noisy moment on
# the machine does not fall on one case only.
cat "$plain" "$gz" "${split_files[@]}" "$long" >/dev/null
for ((r = 1; r <= runs; r++)); do
	for n in "${names[@]}"; do
		echo "bench: run $r/$runs: $n" >&2
		case_args "$n"
		t0=$(date +%s%N)
		if ! /usr/bin/time -f %M -o "$work/rss" "${args[@]}" >/dev/null 2>"$work/err"; then
			echo "bench: $n failed: ${args[*]}" >&2
			cat "$work/err" >&2
			exit 1
		fi
		t1=$(date +%s%N)
		echo "$n $(((t1 - t0) / 1000)) $(tail -n 1 "$work/rss")" >>"$work/samples"
	done
done

# Medians, the table and the verdicts.
python3 - "$work/samples" "$runs" "$split" "$MAX_PLAIN_RATIO" "$MAX_GZIP_RATIO" "$MAX_RSS_MB" \
	"$MAX_RSS_GROWTH" "$MIN_JOBS_SPEEDUP" "${names[@]}" -- "${counts[@]}" <<'EOF'
import statistics
import sys

path, runs, split = sys.argv[1], int(sys.argv[2]), sys.argv[3]
max_plain, max_gzip, max_rss, max_growth, min_speedup = map(float, sys.argv[4:9])
rest = sys.argv[9:]
names = rest[:rest.index("--")]
counts = dict(zip(names, map(int, rest[rest.index("--") + 1:])))
wall, rss = {}, {}
for line in open(path):
    name, us, kb = line.split()
    wall.setdefault(name, []).append(int(us) / 1e6)
    rss.setdefault(name, []).append(int(kb) / 1024)
med = {n: statistics.median(wall[n]) for n in names}
mrss = {n: statistics.median(rss[n]) for n in names}
floor = {"collect-plain": "tracestats-plain", "collect-gzip": "tracestats-gzip"}

print("%-24s %9s %9s %12s %9s  %s" % ("case", "wall s", "min s", "packets/s", "RSS MB",
                                      "ratio"))
for n in names:
    ratio = ""
    if n in floor:
        ratio = "%.2fx %s" % (med[n] / med[floor[n]], floor[n])
    if n == "collect-gzip":
        ratio += ", %.2fx gzip-dc" % (med[n] / med["gzip-dc"])
    print("%-24s %9.3f %9.3f %12.0f %9.1f  %s" % (n, med[n], min(wall[n]), counts[n] / med[n],
                                                  mrss[n], ratio))
print("(median of %d runs; RSS is the median peak resident set size)" % runs)
print()

j1, j2 = "collect-split%s-jobs1" % split, "collect-split%s-jobs2" % split
checks = [
    ("collect <= %.1fx tracestats, plain pcap" % max_plain,
     med["collect-plain"] / med["tracestats-plain"], "<=", max_plain, "%.2fx"),
    ("collect <= %.1fx tracestats, gzip" % max_gzip,
     med["collect-gzip"] / med["tracestats-gzip"], "<=", max_gzip, "%.2fx"),
    ("peak RSS <= %.0f MB, default trace" % max_rss, mrss["collect-plain"], "<=", max_rss,
     "%.1f MB"),
    ("peak RSS 2x-long trace within %.0f%%" % ((max_growth - 1) * 100),
     mrss["collect-long"] / mrss["collect-plain"], "<=", max_growth, "%.3fx"),
    ("--jobs 2 >= %.1fx faster than --jobs 1, %s files" % (min_speedup, split),
     med[j1] / med[j2], ">=", min_speedup, "%.2fx"),
]
for what, got, op, limit, fmt in checks:
    ok = got <= limit if op == "<=" else got >= limit
    print("%s  %-48s %s" % ("PASS" if ok else "FAIL", what, fmt % got))
EOF

# --jobs 2 must give exactly the --jobs 1 results.
for f in attacks.csv timeseries.csv; do
	if cmp -s "$work/jobs1/$f" "$work/jobs2/$f"; then
		echo "PASS  --jobs 2 $f identical to --jobs 1 (cmp)"
	else
		echo "FAIL  --jobs 2 $f identical to --jobs 1 (cmp)"
	fi
done
echo
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "traces: $cache/$tag"
[ "$keep" = 0 ] || echo "outputs: $work"

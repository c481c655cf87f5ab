#!/usr/bin/env bash
# bench/run.sh - the performance benchmark of issues 5 and 11, in one command
# from a clean checkout: installs what is missing, builds into build/ (as
# scripts/demo.sh does) and the floor programs into build/bench-floor/,
# generates its traces with data/gen/bsgen.py into a cache directory (reused
# by later runs with the same sizes), then times every case several times,
# interleaved, and prints the median wall time, packets/s and peak RSS (GNU
# time) of each, the ratios to the floors and PASS/FAIL per target. A
# measurement, not a test: it exits 0 unless a run itself failed (exit 1)
# or the arguments are wrong (exit 2).
#
# Floors (issue 11): bench/floor-plain.c reads a pcap with read(2) in 1 MiB
# blocks and walks every record header; bench/floor-gzip.c, built as
# floor-zlib and floor-isal, inflates a .pcap.gz with zlib or ISA-L and
# walks it the same way. Each prints the records it walked, which must be the trace's
# packets. Every collect case is shown as a ratio to the floor of the same
# bytes. tracestats (libtrace-tools, libtrace's read loop and nothing else)
# and gzip -dc (gzip's own inflate) are shown as well, for reference.
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
memory does not grow with trace length. The split capture is generated plain
and gzipped; the gzipped pieces are read with collect's default --jobs.
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

# Targets of issue 11 (the floors) and issue 5 (memory, --jobs).
MAX_PLAIN_RATIO=2.0    # collect / floor-plain, plain pcap
MAX_GZIP_RATIO=1.1     # collect / floor-isal, the same capture gzipped
MAX_PIECES_RATIO=1.15  # collect, gzipped pieces, default --jobs / (sum of their floor-isal / CPUs)
MAX_RSS_MB=64          # peak RSS (MiB) of collect on the default trace, plain and gzip
MAX_RSS_GROWTH=1.10    # long trace / default trace
MIN_JOBS_SPEEDUP=1.7   # --jobs 1 / --jobs 2 over the split capture (issue 5)
TELESCOPE=10.0.0.0/8   # bsgen.py's default telescope

# shellcheck source=scripts/setup-deps.sh
. "$top/scripts/setup-deps.sh"
# shellcheck disable=SC2086
install_packages $BUILD_PKGS python3 libtrace-tools time zlib1g-dev libisal-dev
"$top/scripts/build.sh" "$top/build"
bin=$top/build/backscatter
gen=$top/data/gen/bsgen.py

# The floor programs, compiled as the project is (-g -O2, configure's
# default CFLAGS; no -march) into build/bench-floor/, again whenever their
# source is newer than the binary: build_floor NAME SOURCE [FLAGS...]. The
# two gzip floors are one source, built with either inflater.
floors=$top/build/bench-floor
mkdir -p "$floors"
build_floor() {
	local name=$1 src=$top/bench/$2.c
	shift 2
	if [ ! -x "$floors/$name" ] || [ "$src" -nt "$floors/$name" ] ||
		[ "$top/bench/floor.h" -nt "$floors/$name" ]; then
		echo "bench: building $floors/$name" >&2
		"${CC:-cc}" -std=c11 -D_DEFAULT_SOURCE -g -O2 -Wall -Wextra -o "$floors/$name" "$src" "$@"
	fi
}
build_floor floor-plain floor-plain
build_floor floor-zlib floor-gzip -lz
build_floor floor-isal floor-gzip -DFLOOR_ISAL -lisal

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
generate "$tag/split$split-gzip" "${sizes[@]}" --files "$split" --gzip
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
split_gz=("$cache/$tag/split$split-gzip"/trace-*.pcap.gz)
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

# The cases, in the order they are run and printed, each floor before the
# cases that read the same bytes; case_args sets the command line of one in
# args (its standard output is discarded, but for the floors' counts).
j1=collect-split$split-jobs1
j2=collect-split$split-jobs2
jd=collect-split$split-gz # default --jobs
names=(floor-plain tracestats-plain collect-plain
	floor-zlib floor-isal tracestats-gzip gzip-dc collect-gzip
	"floor-plain-split$split" "$j1" "$j2"
	"floor-isal-split$split-gz" "$jd"
	floor-plain-long collect-long)
case_args() {
	local collect=("$bin" collect --quiet --telescope "$TELESCOPE")
	case $1 in
	floor-plain) args=("$floors/floor-plain" "$plain") ;;
	floor-zlib) args=("$floors/floor-zlib" "$gz") ;;
	floor-isal) args=("$floors/floor-isal" "$gz") ;;
	floor-plain-split*) args=("$floors/floor-plain" "${split_files[@]}") ;;
	floor-isal-split*) args=("$floors/floor-isal" "${split_gz[@]}") ;;
	floor-plain-long) args=("$floors/floor-plain" "$long") ;;
	tracestats-plain) args=(tracestats "$plain") ;;
	tracestats-gzip) args=(tracestats "$gz") ;;
	gzip-dc) args=(gzip -dc "$gz") ;;
	collect-plain) args=("${collect[@]}" --out "$work/plain" "$plain") ;;
	collect-gzip) args=("${collect[@]}" --out "$work/gzip" "$gz") ;;
	"$j1") args=("${collect[@]}" --jobs 1 --out "$work/jobs1" "${split_files[@]}") ;;
	"$j2") args=("${collect[@]}" --jobs 2 --out "$work/jobs2" "${split_files[@]}") ;;
	"$jd") args=("${collect[@]}" --out "$work/jobsd" "${split_gz[@]}") ;;
	collect-long) args=("${collect[@]}" --out "$work/long" "$long") ;;
	esac
}
counts=()
for n in "${names[@]}"; do
	case $n in
	*-long) counts+=("$n_long") ;;
	*) counts+=("$n_plain") ;;
	esac
done

# The traces are dropped from the page cache and read once first, so that
# every timed run finds them in the page cache, and cached the same way
# whether they were just generated or not: the pages bsgen.py writes a few
# KiB at a time are held in small folios that read(2) copies out at half
# the speed of the large ones read-ahead fills (floor-plain on the default
# trace: 0.05 s against 0.02 s, Linux 6.18, ext4). The floors and collect
# then compare like with like. Runs are interleaved (all cases, then all
# cases again) so that a noisy moment on the machine does not fall on one
# case only. A floor must have walked every packet of the trace, or it
# measured something else: its count is checked after every run.
traces=("$plain" "$gz" "${split_files[@]}" "${split_gz[@]}" "$long")
python3 - "${traces[@]}" <<'EOF'
import os
import sys

for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
EOF
cat "${traces[@]}" >/dev/null
t_start=$(date +%s)
for ((r = 1; r <= runs; r++)); do
	for i in "${!names[@]}"; do
		n=${names[$i]}
		echo "bench: run $r/$runs: $n" >&2
		case_args "$n"
		out=/dev/null
		case $n in floor-*) out=$work/out ;; esac
		t0=$(date +%s%N)
		if ! /usr/bin/time -f %M -o "$work/rss" "${args[@]}" >"$out" 2>"$work/err"; then
			echo "bench: $n failed: ${args[*]}" >&2
			cat "$work/err" >&2
			exit 1
		fi
		t1=$(date +%s%N)
		if [ "$out" != /dev/null ] && [ "$(cut -d' ' -f2 "$out")" != "${counts[$i]}" ]; then
			echo "bench: $n walked $(cut -d' ' -f2 "$out") records, not ${counts[$i]}: ${args[*]}" >&2
			exit 1
		fi
		echo "$n $(((t1 - t0) / 1000)) $(tail -n 1 "$work/rss")" >>"$work/samples"
	done
done
t_timed=$(($(date +%s) - t_start))

# Medians, the table and the verdicts. The gzipped pieces are read with the
# default --jobs (the CPUs, up to 4): their floor is the sum of the pieces'
# ISA-L floors spread over the CPUs, or over the pieces if there are fewer.
cpus=$(nproc)
python3 - "$work/samples" "$runs" "$split" "$cpus" "$MAX_PLAIN_RATIO" "$MAX_GZIP_RATIO" \
	"$MAX_PIECES_RATIO" "$MAX_RSS_MB" "$MAX_RSS_GROWTH" "$MIN_JOBS_SPEEDUP" "${names[@]}" -- \
	"${counts[@]}" <<'EOF'
import statistics
import sys

path, runs, split, cpus = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
max_plain, max_gzip, max_pieces, max_rss, max_growth, min_speedup = map(float, sys.argv[5:11])
rest = sys.argv[11:]
names = rest[:rest.index("--")]
counts = dict(zip(names, map(int, rest[rest.index("--") + 1:])))
wall, rss = {}, {}
for line in open(path):
    name, us, kb = line.split()
    wall.setdefault(name, []).append(int(us) / 1e6)
    rss.setdefault(name, []).append(int(kb) / 1024)
med = {n: statistics.median(wall[n]) for n in names}
mrss = {n: statistics.median(rss[n]) for n in names}

j1, j2 = "collect-split%s-jobs1" % split, "collect-split%s-jobs2" % split
jd, fpieces = "collect-split%s-gz" % split, "floor-isal-split%s-gz" % split
div = min(cpus, int(split))
med["%s/%d" % (fpieces, div)] = med[fpieces] / div
# What each case is divided by in the ratio column: the floor of the same
# bytes first, then the older references.
refs = {
    "tracestats-plain": ["floor-plain"],
    "collect-plain": ["floor-plain", "tracestats-plain"],
    "tracestats-gzip": ["floor-isal"],
    "gzip-dc": ["floor-isal"],
    "collect-gzip": ["floor-isal", "floor-zlib", "tracestats-gzip", "gzip-dc"],
    j1: ["floor-plain-split%s" % split],
    j2: ["floor-plain-split%s" % split],
    jd: ["%s/%d" % (fpieces, div)],
    "collect-long": ["floor-plain-long"],
}

print("%-24s %9s %9s %12s %9s  %s" % ("case", "wall s", "min s", "packets/s", "RSS MiB",
                                      "ratio"))
for n in names:
    ratio = ", ".join("%.2fx %s" % (med[n] / med[r], r) for r in refs.get(n, []))
    print("%-24s %9.3f %9.3f %12.0f %9.1f  %s" % (n, med[n], min(wall[n]), counts[n] / med[n],
                                                  mrss[n], ratio))
print("(median of %d runs; RSS is the median peak resident set size; %s: default --jobs,"
      " %d CPUs)" % (runs, jd, cpus))
print()

checks = [
    ("collect <= %.1fx floor-plain, plain pcap" % max_plain,
     med["collect-plain"] / med["floor-plain"], "<=", max_plain, "%.2fx"),
    ("collect <= %.2fx floor-isal, gzip" % max_gzip,
     med["collect-gzip"] / med["floor-isal"], "<=", max_gzip, "%.2fx"),
    ("%s gz pieces <= %.2fx sum of floor-isal / %d" % (split, max_pieces, div),
     med[jd] / med["%s/%d" % (fpieces, div)], "<=", max_pieces, "%.2fx"),
    ("peak RSS <= %.0f MiB, default trace, plain" % max_rss, mrss["collect-plain"], "<=",
     max_rss, "%.1f MiB"),
    ("peak RSS <= %.0f MiB, default trace, gzip" % max_rss, mrss["collect-gzip"], "<=",
     max_rss, "%.1f MiB"),
    ("peak RSS 2x-long trace within %.0f%%" % ((max_growth - 1) * 100),
     mrss["collect-long"] / mrss["collect-plain"], "<=", max_growth, "%.3fx"),
    ("--jobs 2 >= %.1fx faster than --jobs 1, %s files" % (min_speedup, split),
     med[j1] / med[j2], ">=", min_speedup, "%.2fx"),
]
for what, got, op, limit, fmt in checks:
    ok = got <= limit if op == "<=" else got >= limit
    print("%s  %-48s %s" % ("PASS" if ok else "FAIL", what, fmt % got))
EOF

# --jobs 2, and the gzipped pieces, must give exactly the --jobs 1 results.
for f in attacks.csv timeseries.csv; do
	for d in jobs2 jobsd; do
		what="--jobs 2 $f identical to --jobs 1 (cmp)"
		[ "$d" = jobs2 ] || what="gz pieces $f identical to --jobs 1 (cmp)"
		if cmp -s "$work/jobs1/$f" "$work/$d/$f"; then
			echo "PASS  $what"
		else
			echo "FAIL  $what"
		fi
	done
done
echo
echo "machine: $cpus CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "traces: $cache/$tag"
echo "timed runs: ${t_timed} s"
[ "$keep" = 0 ] || echo "outputs: $work"

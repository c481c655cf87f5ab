#!/usr/bin/env bash
# bench/merge_scale.sh - how `backscatter merge` scales with the number of
# shards: a month of hourly shards is 720. One generated capture
# (data/gen/bsgen.py, the bench scenario, 2 h by default) is cut with
# `editcap -i` into 720 pieces of equal time (10 s each by default), each
# piece is collected into its own shard (two at a time), then merge of the
# first 90, 180, 360 and 720 shards is timed several times, interleaved,
# under GNU time (/usr/bin/time -v). A measurement, not a test: it exits 0
# unless a run itself failed (exit 1) or the arguments are wrong (exit 2).
#
# The figures are the RATIOS, not the absolute times: this is a shared,
# noisy 2-CPU VM, and merging 90 short shards takes a fraction of a second.
# ratio = (wall of N shards / wall of 90 shards) / (N / 90): 1.0 is linear,
# 2.0 means twice the time per shard at N than at 90; "marginal" is the
# same with the wall of a merge of one shard (start-up, writing) taken off
# both, which matters while a merge of 90 shards takes milliseconds. Per
# row also: the median peak RSS; the flows the N shards' flows.state files
# hold (their headers' n) and the flows open at once in that stretch of
# capture (peak_open_flows of one collect over the N pieces joined into one
# pcap: about what merge's stitching table must hold), each with the RSS
# above the 1-shard merge per flow; and whether attacks.csv and
# timeseries.csv are byte for byte those of one collect over the same N
# pieces (what an exact merge must give).
#
# Traces are generated once into a cache directory (reused while the sizes
# are the same); pieces, shards and merges go to a temporary directory.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/merge_scale.sh [options]
  --packets N        packets in the capture (default 1000000)
  --victims N        backscatter sources (default 20000)
  --hours H          capture length, whole hours (default 2)
  --shards "N..."    shard counts to merge, ascending; the first is the base of
                     the ratios (default "90 180 360 720"); the capture is cut
                     into as many pieces as the largest, of equal whole seconds
  --runs R           runs per count; the median is reported (default 3)
  --cache DIR        where the capture is generated (default build/bench-cache)
  --bin PATH         the program to measure (default: build it into build/)
  --keep             keep the work directory (printed at the end)
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
packets=1000000
victims=20000
hours=2
shard_counts="90 180 360 720"
runs=3
cache=$top/build/bench-cache
bin=
keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1; shift; continue ;;
	-h | --help) usage; exit 0 ;;
	--packets | --victims | --hours | --shards | --runs | --cache | --bin)
		[ $# -ge 2 ] || { echo "merge_scale: $1 needs a value" >&2; exit 2; } ;;
	*) usage >&2; exit 2 ;;
	esac
	case $1 in
	--packets) packets=$2 ;;
	--victims) victims=$2 ;;
	--hours) hours=$2 ;;
	--shards) shard_counts=$2 ;;
	--runs) runs=$2 ;;
	--cache) cache=$2 ;;
	--bin) bin=$2 ;;
	esac
	shift 2
done
read -r -a counts <<<"$shard_counts"
for n in "$packets" "$victims" "$hours" "$runs" "${counts[@]}"; do
	case $n in '' | *[!0-9]* | 0) echo "merge_scale: sizes and counts must be positive integers" >&2; exit 2 ;; esac
done
[ "${#counts[@]}" -gt 0 ] || { echo "merge_scale: --shards needs at least one count" >&2; exit 2; }
max=${counts[-1]}
for ((i = 1; i < ${#counts[@]}; i++)); do
	[ "${counts[i]}" -gt "${counts[i - 1]}" ] || { echo "merge_scale: --shards must be ascending" >&2; exit 2; }
done
piece_s=$((hours * 3600 / max))
if [ "$piece_s" -lt 1 ] || [ $((piece_s * max)) -ne $((hours * 3600)) ]; then
	echo "merge_scale: $hours h does not cut into $max pieces of whole seconds" >&2
	exit 2
fi

# shellcheck source=scripts/setup-deps.sh
. "$top/scripts/setup-deps.sh"
if [ -z "$bin" ]; then
	# shellcheck disable=SC2086
	install_packages $BUILD_PKGS python3 time wireshark-common
	"$top/scripts/build.sh" "$top/build"
	bin=$top/build/backscatter
else
	install_packages python3 time wireshark-common
fi
[ -x "$bin" ] || { echo "merge_scale: no program at $bin" >&2; exit 2; }
TELESCOPE=10.0.0.0/8 # bsgen.py's default telescope

# The capture, generated once (bsgen.py output depends only on its arguments).
args="--seed 1 --start 2026-11-24T00:00:00Z --hours $hours --packets $packets --victims $victims --files 1"
gen=$cache/merge-scale-p$packets-v$victims-h$hours
if [ ! -f "$gen/.done" ] || [ "$(cat "$gen/.done")" != "$args" ]; then
	echo "merge_scale: generating bsgen.py --scenario bench $args" >&2
	rm -rf "$gen"
	mkdir -p "$gen"
	# shellcheck disable=SC2086
	python3 "$top/data/gen/bsgen.py" --scenario bench --out "$gen" --quiet $args
	echo "$args" >"$gen/.done"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-merge-scale.XXXXXX")
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
t_start=$(date +%s)

# Pieces of piece_s seconds from the first packet on (editcap -i counts its
# intervals from the first packet's time and writes a header-only file for
# an interval without packets; -F pcap, else it writes pcapng).
mkdir -p "$work/pieces" "$work/shards"
editcap -F pcap -i "$piece_s" "$gen/trace-000.pcap" "$work/pieces/p.pcap"
mapfile -t pieces < <(ls "$work"/pieces/p_*.pcap)
if [ "${#pieces[@]}" -lt "$max" ]; then
	echo "merge_scale: editcap wrote ${#pieces[@]} pieces, fewer than $max" >&2
	exit 1
fi
empty=0
for f in "${pieces[@]}"; do [ "$(stat -c %s "$f")" -gt 24 ] || empty=$((empty + 1)); done
echo "merge_scale: ${#pieces[@]} pieces of $piece_s s ($empty without packets); collecting each, $(nproc) at a time" >&2

# One shard per piece, as a site collects each file as it arrives.
# shellcheck disable=SC2016 # expanded by the sh that xargs runs
one='exec "$0" collect --quiet --jobs 1 --telescope "$1" --out "$3" "$2"'
t0=$(date +%s%N)
for ((i = 0; i < max; i++)); do
	printf '%s\n%s\n' "${pieces[i]}" "$work/shards/$(printf %05d "$i")"
done | xargs -d '\n' -n 2 -P "$(nproc)" sh -c "$one" "$bin" "$TELESCOPE" ||
	{ echo "merge_scale: a collect failed" >&2; exit 1; }
t1=$(date +%s%N)
collect_s=$(((t1 - t0) / 1000000))
mapfile -t shards < <(ls -d "$work"/shards/[0-9]*)

# The reference for each count: one collect over the same pieces. And one
# over them joined into one pcap (the pieces after the first without their
# 24-byte header), for the flows open at once: over many files collect's
# peak_open_flows is the largest file's, the flows it stitches not counted.
for n in "${counts[@]}"; do
	"$bin" collect --quiet --telescope "$TELESCOPE" --out "$work/ref-$n" "${pieces[@]:0:n}" ||
		{ echo "merge_scale: the reference collect over $n pieces failed" >&2; exit 1; }
	{ cat "${pieces[0]}"; for f in "${pieces[@]:1:n-1}"; do tail -c +25 "$f"; done; } >"$work/joined.pcap"
	"$bin" collect --quiet --telescope "$TELESCOPE" --out "$work/joined-$n" "$work/joined.pcap" ||
		{ echo "merge_scale: collect over the first $n pieces joined failed" >&2; exit 1; }
done
rm -f "$work/joined.pcap"

# Flows held by the shards' flows.state files: n, the u64 at offset 64.
state_flows() {
	python3 - "$@" <<'PY'
import os, struct, sys
total = 0
for d in sys.argv[1:]:
    p = os.path.join(d, "flows.state")
    if os.path.exists(p):
        with open(p, "rb") as f:
            head = f.read(72)
        if len(head) == 72 and head[:8] == b"BSFLOWS\0":
            total += struct.unpack_from("<Q", head, 64)[0]
print(total)
PY
}

# The timed merges: every count (and the first shard alone, the base of
# the memory per flow) in turn, runs times, after the shards are read once
# into the page cache.
cat "$work"/shards/*/* >/dev/null
all=(1 "${counts[@]}")
for ((r = 1; r <= runs; r++)); do
	for n in "${all[@]}"; do
		echo "merge_scale: run $r/$runs: merge of $n shards" >&2
		rm -rf "$work/m-$n"
		t0=$(date +%s%N)
		if ! /usr/bin/time -v -o "$work/time" "$bin" merge --quiet --out "$work/m-$n" \
			"${shards[@]:0:n}" 2>"$work/err"; then
			echo "merge_scale: merge of $n shards failed" >&2
			grep -v '^	' "$work/err" >&2 || true
			exit 1
		fi
		t1=$(date +%s%N)
		rss=$(sed -n 's/^	Maximum resident set size (kbytes): //p' "$work/time")
		echo "$n $(((t1 - t0) / 1000)) $rss" >>"$work/samples"
	done
done

# Per count: flows in the shards' state, the flows open at once, and
# whether the merge's CSV files are the reference's.
peak_open() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["flows"]["peak_open_flows"])' "$1"
}
for n in "${all[@]}"; do
	same=- open=0
	if [ -d "$work/ref-$n" ]; then
		same=yes
		for f in attacks.csv timeseries.csv; do
			cmp -s "$work/ref-$n/$f" "$work/m-$n/$f" || same=no
		done
		open=$(peak_open "$work/joined-$n/summary.json")
	fi
	echo "$n $(state_flows "${shards[@]:0:n}") $open $same" >>"$work/facts"
done

python3 - "$work/samples" "$work/facts" "$runs" "${counts[0]}" <<'EOF'
import statistics
import sys

samples, facts, runs, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
wall, rss = {}, {}
for line in open(samples):
    n, us, kb = map(int, line.split())
    wall.setdefault(n, []).append(us / 1e6)
    rss.setdefault(n, []).append(kb)
info = {}
for line in open(facts):
    n, state, open_, same = line.split()
    info[int(n)] = (int(state), int(open_), same)
med = {n: statistics.median(v) for n, v in wall.items()}
mrss = {n: statistics.median(v) for n, v in rss.items()}

def per_flow(n, flows):
    return "%.0f" % ((mrss[n] - mrss[1]) * 1024 / flows) if flows else "-"

print("%7s %9s %9s %7s %9s %9s %12s %10s %10s %8s  %s" % (
    "shards", "wall s", "min s", "ratio", "marginal", "RSS MiB", "state flows", "B/st.flow",
    "open flows", "B/open", "= one collect"))
for n in sorted(med):
    state, open_, same = info[n]
    ratio = marginal = "-"
    if n >= base:
        ratio = "%.2f" % ((med[n] / med[base]) / (n / base))
        if med[base] > med[1]:
            marginal = "%.2f" % (((med[n] - med[1]) / (med[base] - med[1])) / (n / base))
    print("%7d %9.3f %9.3f %7s %9s %9.1f %12d %10s %10s %8s  %s" % (
        n, med[n], min(wall[n]), ratio, marginal, mrss[n] / 1024, state, per_flow(n, state),
        open_ if open_ else "-", per_flow(n, open_), same))
print("(median of %d runs; ratio = (wall / wall of %d shards) / (shards / %d), 1.0 = linear;"
      % (runs, base, base))
print(" marginal: the same with the wall of the 1-shard merge taken off; RSS: median peak")
print(" resident set size, GNU time; B/st.flow, B/open: RSS above the 1-shard merge per flow")
print(" in the shards' flows.state, per flow open at once in the capture's first N pieces)")
EOF

echo
echo "capture: $gen/trace-000.pcap ($packets packets, $victims victims, $hours h, bsgen.py --scenario bench $args)"
echo "pieces: ${#pieces[@]} of $piece_s s ($empty without packets); collecting $max shards took $((collect_s / 1000)).$(printf %03d $((collect_s % 1000))) s with $(nproc) at a time"
echo "one collect over all $max pieces: $(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print("%d attacks, %d flows, %d stitched" % (s["flows"]["attacks"], s["flows"]["flows"], s["flows"]["stitched"]))' "$work/ref-$max/summary.json"), peak_open_flows $(peak_open "$work/ref-$max/summary.json") (joined into one pcap: $(peak_open "$work/joined-$max/summary.json"))"
echo "merge of $max shards: $(python3 -c 'import csv, sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))' "$work/m-$max/attacks.csv") attacks, peak_open_flows $(peak_open "$work/m-$max/summary.json") in its summary.json"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "whole run (without generating the capture): $(($(date +%s) - t_start)) s"
[ "$keep" = 0 ] || echo "work: $work"

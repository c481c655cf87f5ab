#!/usr/bin/env bash
# bench/pfx2as.sh - what a full prefix-to-AS table costs (--pfx2as,
# telescope/pfx2as.h): load time, peak RSS and lookups per second of a
# synthetic table the size of a RouteViews one, and what it adds to a
# collect run. A measurement, not a test: exits 0 unless a run failed (1)
# or the arguments are wrong (2).
#
# The tables are generated (seeded, into the cache directory, reused):
# about 1 M IPv4 prefixes with the length mix of a 2024 RouteViews table
# (/24 about 60 %, /22 and /23 about 10 % each, /16 to /21 most of the
# rest; random placement, so shorter prefixes hold longer ones as often
# as their share of the space says) and about 200 k IPv6 ones (/48 half,
# /32 and /29 allocations, /36 to /47 more-specifics placed inside them),
# origins from 75 000 ASes, 1.5 % multi-origin and 0.1 % AS sets. The
# small program bench/pfx2as_lookup.c loads them (plain and gzip) and
# looks up 2 M addresses; GNU time gives its peak RSS, shown over the
# table's text size and over the prefixes. Last, `collect` over the
# committed sample with and without the tables: the load is the only cost,
# once per run.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/pfx2as.sh [--v4 N] [--v6 N] [--lookups N] [--runs R] [--cache DIR]
  --v4 N       IPv4 prefixes (default 1000000)
  --v6 N       IPv6 prefixes (default 200000)
  --lookups N  addresses looked up per run (default 2000000)
  --runs R     runs per case, the median is printed (default 3)
  --cache DIR  where the tables are generated (default build/bench-cache/pfx2as)
EOF
}

top=$(cd "$(dirname "$0")/.." && pwd)
v4=1000000 v6=200000 lookups=2000000 runs=3 cache=$top/build/bench-cache/pfx2as
while [ $# -gt 0 ]; do
	case $1 in
	--v4) v4=$2 ;;
	--v6) v6=$2 ;;
	--lookups) lookups=$2 ;;
	--runs) runs=$2 ;;
	--cache) cache=$2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift 2
done
case "$v4$v6$lookups$runs" in *[!0-9]*) usage >&2; exit 2 ;; esac

for tool in python3 /usr/bin/time "${CC:-cc}"; do
	command -v "$tool" >/dev/null || { echo "bench/pfx2as.sh: $tool missing" >&2; exit 1; }
done
mkdir -p "$cache"
prog=$cache/pfx2as_lookup
src="$top/bench/pfx2as_lookup.c $top/telescope/pfx2as.c $top/telescope/addr.c
$top/telescope/bytesource.c $top/base/bs_error.c $top/base/bs_array.c $top/base/bs_intern.c"
# Tables are read through telescope/bytesource.c, gzip as configure
# chooses it: ISA-L when installed, else zlib.
if pkg-config --exists libisal; then
	gzip_flags=-DBS_GZIP_ISAL=1 gzip_libs=$(pkg-config --libs libisal)
else
	gzip_flags="" gzip_libs=-lz
fi
# shellcheck disable=SC2086
"${CC:-cc}" -std=c11 -D_DEFAULT_SOURCE -g -O2 -Wall -Wextra -I"$top" $gzip_flags -o "$prog" $src \
	$(pkg-config --libs libxxhash) -lzstd $gzip_libs -pthread

t4=$cache/rv2-$v4.pfx2as t6=$cache/rv6-$v6.pfx2as
if [ ! -s "$t4.gz" ] || [ ! -s "$t6.gz" ]; then
	echo "bench: generating $v4 IPv4 and $v6 IPv6 prefixes into $cache" >&2
	python3 - "$v4" "$v6" "$t4" "$t6" <<'PY'
import ipaddress, random, sys
n4, n6, t4, t6 = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
rnd = random.Random(2026)
ases = [rnd.randrange(1, 400000) for _ in range(75000)]
def origin():
    r = rnd.random()
    a = rnd.choice(ases)
    if r < 0.015:
        return "%d_%d" % (a, rnd.choice(ases))
    if r < 0.016:
        return "%d,%d" % (a, rnd.choice(ases))
    return str(a)
def lengths(mix, n):
    lens, w = zip(*mix.items())
    return rnd.choices(lens, weights=w, k=n)
V4 = {8: 0.02, 12: 0.1, 13: 0.2, 14: 0.4, 15: 0.6, 16: 1.3, 17: 0.7, 18: 1.2, 19: 2.4,
      20: 4.0, 21: 4.6, 22: 10.5, 23: 10.0, 24: 60.0, 25: 0.2, 28: 0.1, 32: 0.05}
seen = set()
with open(t4, "w") as f:
    for ln in lengths(V4, int(n4 * 1.2)):
        if len(seen) == n4:
            break
        net = (rnd.randrange(0x01000000, 0xe0000000) >> (32 - ln)) << (32 - ln)
        if (net, ln) in seen:
            continue
        seen.add((net, ln))
        f.write("%s\t%d\t%s\n" % (ipaddress.IPv4Address(net), ln, origin()))
# IPv6: allocations first, more-specifics inside them
V6 = {36: 4, 40: 6, 44: 8, 46: 2, 47: 2, 48: 50, 56: 1, 64: 1}
alloc = []
seen = set()
lines = []
for _ in range(n6 * 18 // 100):
    ln = rnd.choice((29, 32, 32, 32))
    net = (rnd.randrange(0x2000 << 112, 0x3000 << 112) >> (128 - ln)) << (128 - ln)
    if (net, ln) not in seen:
        seen.add((net, ln))
        alloc.append((net, ln))
        lines.append((net, ln))
for ln in lengths(V6, n6 * 2):
    if len(lines) == n6:
        break
    base, bl = rnd.choice(alloc)
    net = base | (rnd.getrandbits(ln - bl) << (128 - ln))
    if (net, ln) not in seen:
        seen.add((net, ln))
        lines.append((net, ln))
with open(t6, "w") as f:
    for net, ln in lines:
        f.write("%s\t%d\t%s\n" % (ipaddress.IPv6Address(net), ln, origin()))
PY
	gzip -kf6 "$t4" "$t6"
fi
size_plain=$(($(stat -c %s "$t4") + $(stat -c %s "$t6")))
size_gz=$(($(stat -c %s "$t4.gz") + $(stat -c %s "$t6.gz")))

# median of the numbers on stdin
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# run_case NAME ARGS...: runs prog R times; prints NAME and the medians
# of peak RSS (KiB), load wall and CPU seconds, lookups per wall and CPU
# second, and the hits of the last run.
KEYS="load_s load_cpu_s lookups_per_s lookups_per_cpu_s"
run_case() {
	local name=$1 out k
	shift
	for k in rss $KEYS; do : >"$cache/$name.$k"; done
	for ((i = 0; i < runs; i++)); do
		out=$(/usr/bin/time -f "rss=%M" "$prog" "$@" 2>&1) || { echo "$out" >&2; exit 1; }
		for k in rss $KEYS; do sed -n "s/^$k=//p" <<<"$out" >>"$cache/$name.$k"; done
	done
	echo "$name $(for k in rss $KEYS; do median <"$cache/$name.$k"; done | tr '\n' ' ')$(sed -n \
		's/^hits=//p' <<<"$out")"
}

echo "tables: $(sed -n 's/^prefixes_v4=//p' <<<"$("$prog" 0 "$t4")") IPv4 + $(sed -n \
	's/^prefixes_v6=//p' <<<"$("$prog" 0 "$t6")") IPv6 prefixes; text $((size_plain / 1048576)) MiB, gzip $((size_gz / 1048576)) MiB"
read -r _ base _ < <(run_case empty 0 /dev/null)
printf '%-6s %8s %8s %9s %8s %8s %8s %11s %11s %9s\n' case "RSS MiB" "+RSS" "+RSS/text" \
	"B/pfx" "load s" "load cpu" "lookups/s" "lookups/cpu" hits
prefixes=$(("$(sed -n 's/^prefixes_v4=//p' <<<"$("$prog" 0 "$t4" "$t6")")" + v6))
for c in plain gzip; do
	if [ $c = plain ]; then files=("$t4" "$t6"); else files=("$t4.gz" "$t6.gz"); fi
	read -r _ rss load load_cpu lps lps_cpu hits < <(run_case "$c" "$lookups" "${files[@]}")
	awk -v c="$c" -v rss="$rss" -v base="$base" -v text="$size_plain" -v n="$prefixes" \
		-v load="$load" -v lcpu="$load_cpu" -v lps="$lps" -v lpc="$lps_cpu" -v hits="$hits" \
		-v look="$lookups" 'BEGIN {
		add = (rss - base) * 1024
		printf "%-6s %8.1f %8.1f %8.2fx %8.1f %8.2f %8.2f %11.0f %11.0f %8.1f%%\n", c,
			rss / 1024, add / 1048576, add / text, add / n, load, lcpu, lps, lpc,
			100 * hits / look }'
done

# collect over the committed sample, without and with the tables
bs=$top/build/backscatter
if [ -x "$bs" ]; then
	for with in no yes; do
		opt=()
		[ $with = no ] || opt=(--pfx2as "$t4.gz" --pfx2as "$t6.gz")
		: >"$cache/collect.wall" >"$cache/collect.rss" >"$cache/collect.cpu"
		for ((i = 0; i < runs; i++)); do
			rm -rf "$cache/out"
			/usr/bin/time -f "%e %M %U %S" -o "$cache/collect.time" "$bs" collect --quiet \
				--telescope 10.0.0.0/8 "${opt[@]}" --out "$cache/out" \
				"$top"/data/sample/trace-*.pcap.gz
			read -r wall rss user sys <"$cache/collect.time"
			echo "$wall" >>"$cache/collect.wall"
			echo "$rss" >>"$cache/collect.rss"
			awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}' >>"$cache/collect.cpu"
		done
		printf 'collect sample, --pfx2as %-3s wall %6.2f s  CPU %6.2f s  RSS %6.1f MiB\n' \
			"$with" "$(median <"$cache/collect.wall")" "$(median <"$cache/collect.cpu")" \
			"$(awk '{print $1 / 1024}' <<<"$(median <"$cache/collect.rss")")"
	done
fi

#!/usr/bin/env bash
# outputs.sh BINARY DIR: runs BINARY's collect, merge and report over every
# generated scenario, the real captures and a set of bad inputs, and keeps
# every output file, standard error and exit status under DIR. Two trees
# made by two builds compare with `diff -r` (or cmp file by file): that is
# how a change that must not alter behaviour shows it did not.
# Paths are relative to DIR, so the command lines recorded in summary.json
# are the same for every build. PNG plots are left out (gnuplot's bytes are
# not ours); the TSV files they are drawn from are kept.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$2
mkdir -p "$out"
cd "$out" || exit 1
gen() { python3 "$top/data/gen/bsgen.py" --quiet --seed 7 "$@"; }
real=$top/tests/data/real
mmdb=$top/tests/data/mmdb

# run NAME ARGS...: one command; its stderr and status go to NAME.err/NAME.rc.
run() {
	local name=$1
	shift
	"$bin" "$@" >/dev/null 2>"$name.err"
	echo $? >"$name.rc"
}

mkdir -p in c m r
for s in synack rst echo icmp-replies unreach-udp icmp-errors router short-quote span repeat \
	subthreshold edges one-addr noise reorder ipv6 sample; do
	[ -d "in/$s" ] || gen --scenario "$s" --out "in/$s"
done
[ -d in/ipv6-mixed ] || gen --scenario ipv6 --telescope 10.0.0.0/8,2001:db8::/32 --out in/ipv6-mixed
[ -d in/mixed ] || gen --scenario mixed --files 4 --victims 80 --out in/mixed
[ -d in/mixed-gz ] || gen --scenario mixed --files 4 --victims 80 --gzip --out in/mixed-gz
[ -d in/bench ] || gen --scenario bench --packets 200000 --victims 4000 --out in/bench

tel() { python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["telescope"]; print(",".join(t) if isinstance(t, list) else t)' "$1/truth.json"; }

for d in in/*/; do
	s=$(basename "$d")
	t=$(tel "$d")
	run "$s.rsdos" collect --quiet --telescope "$t" --out "c/$s.rsdos" "$d"trace-*
	run "$s.moore" collect --quiet --telescope "$t" --preset moore --out "c/$s.moore" "$d"trace-*
	run "$s.j1" collect --quiet --jobs 1 --telescope "$t" --out "c/$s.j1" "$d"trace-*
	run "$s.j2" collect --quiet --jobs 2 --interval 60 --telescope "$t" --out "c/$s.j2" "$d"trace-*
	run "$s.geo" collect --quiet --telescope "$t" --geo-db "$mmdb/GeoIP2-City-Test.mmdb" \
		--asn-db "$mmdb/GeoLite2-ASN-Test.mmdb" --out "c/$s.geo" "$d"trace-*
	run "$s.report" report --quiet --format md,html --out "r/$s" "c/$s.geo"
done

# Shards: one collect per file, then merge, then a report over the shards.
for s in mixed span sample; do
	shards=()
	for f in in/"$s"/trace-*; do
		n=$(basename "$f")
		run "$s.shard.$n" collect --quiet --telescope "$(tel "in/$s")" --out "c/$s.shard.$n" "$f"
		shards+=("c/$s.shard.$n")
	done
	run "$s.merge" merge --out "m/$s" "${shards[@]}"
	run "$s.shards.report" report --quiet --out "r/$s.shards" "${shards[@]}"
	run "$s.merge.report" report --quiet --since 2026-11-24T01:00:00Z --top 3 --out "r/$s.merged" "m/$s"
done

# Real captures.
run bbn collect --quiet --telescope 10.33.25.0/24 --out c/bbn "$real/ex-2023-07-01.pcap.gz"
run bbn-low collect --quiet --telescope 10.33.25.0/24 --flow-timeout 3600 --min-packets 10 \
	--min-duration 0 --min-ppm 0 --out c/bbn-low "$real/ex-2023-07-01.pcap.gz"
for f in 100_packets.pcap 100_packets.pcapng 100_packets.erf afs.pcap mpls.pcap qinq.pcap \
	sll.pcap.gz vlan.pcap tcpcontrol_one_way_all_flags.pcap; do
	run "real.$f" collect --quiet --telescope 0.0.0.0/0 --min-packets 1 --min-duration 0 \
		--min-ppm 0 --min-dests 1 --out "c/real.$f" "$real/$f"
done
run bbn.report report --quiet --out r/bbn c/bbn-low

# Bad inputs: the messages and statuses must stay what they are.
mkdir -p bad
printf 'not a trace\n' >bad/text.pcap
head -c 100 in/synack/trace-000.pcap >bad/cut.pcap
run bad.text collect --quiet --telescope 10.0.0.0/8 --out c/bad.text bad/text.pcap
run bad.cut collect --quiet --telescope 10.0.0.0/8 --out c/bad.cut bad/cut.pcap
run bad.missing collect --quiet --telescope 10.0.0.0/8 --out c/bad.missing bad/missing.pcap
run bad.tel collect --quiet --telescope 10.0.0.1/8 --out c/bad.tel bad/cut.pcap
run bad.opt collect --bogus
mkdir -p bad/dir
printf '"\\\n' >bad/dir/summary.json
cp c/synack.rsdos/attacks.csv c/synack.rsdos/timeseries.csv bad/dir/
run bad.report report --quiet --out r/bad bad/dir
run bad.merge merge --out m/bad bad/dir c/synack.rsdos
run bad.merge-missing merge --out m/bad2 bad/nothing c/synack.rsdos
find . -name '*.png' -delete

#!/usr/bin/env bash
# End-to-end check of the record walker (issue 11): every pcap and pcapng
# variant tests/walkgen.py writes (byte orders, nanoseconds, pcapng time
# resolutions and offsets, interfaces, sections, Simple and obsolete Packet
# Blocks, skipped blocks, Ethernet with VLAN/QinQ/MPLS/PPPoE, Linux SLL,
# raw IP, snap lengths, a capture length over the snapshot length), plus
# the real captures of tests/data/real and damaged files, is collected
# twice by the same binary: through the walker and through libtrace
# (BACKSCATTER_READER=libtrace). attacks.csv, timeseries.csv, summary.json
# (but its command line), the exit status and the program's own stderr
# lines must be the same. The gzip and zstd copies go through the walker
# (zstd only through it: wandio cannot read it) and must give the outputs
# of the plain file.
. "$TOPSRC/tests/lib.sh"

D=$WORK/in
mkdir -p "$D"
"$PYTHON3" "$TOPSRC/tests/walkgen.py" "$D"
for f in 100_packets.pcap 100_packets.pcapng afs.pcap mpls.pcap qinq.pcap vlan.pcap \
	tcpcontrol_one_way_all_flags.pcap; do
	cp "$TESTDATA/real/$f" "$D/real-$f"
done
gzip -dc "$TESTDATA/real/sll.pcap.gz" >"$D/real-sll.pcap"
# Damaged: cut inside a record, inside a record header, after a whole
# header; a record claiming 64 KiB; pcapng cut and with a bad trailer.
f=$D/pcap-le-us.pcap
n=$(stat -c %s "$f")
head -c $((n - 7)) "$f" >"$D/bad-cut-body.pcap"
head -c 30 "$f" >"$D/bad-cut-header.pcap"
head -c 20 "$f" >"$D/bad-file-header.pcap"
"$PYTHON3" - "$f" "$D" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
out = sys.argv[2]
# The first record header alone, its body missing: libtrace's end of trace.
open(out + "/bad-header-only.pcap", "wb").write(d[:24 + 16])
# The second record claims 65536 bytes.
first = struct.unpack_from("<I", d, 24 + 8)[0]
huge = bytearray(d)
struct.pack_into("<I", huge, 24 + 16 + first + 8, 65536)
open(out + "/bad-huge-caplen.pcap", "wb").write(huge)
big = bytearray(d)
struct.pack_into("<II", big, 24 + 16 + first + 8, 65532, 65532)
open(out + "/bad-caplen-65532.pcap", "wb").write(big[:24 + 16 + first + 16 + 65532])
ng = bytearray(open(out + "/ng-le.pcapng", "rb").read())
open(out + "/bad-ng-cut.pcapng", "wb").write(ng[:len(ng) * 2 // 3])
t = bytearray(ng)
t[-1] ^= 1
open(out + "/bad-ng-trailer.pcapng", "wb").write(t)
PY

# outputs of DIR without the command line (which names DIR).
fingerprint() {
	local dir=$1 f
	for f in attacks.csv timeseries.csv; do
		[ -f "$dir/$f" ] && cat "$dir/$f"
	done
	[ -f "$dir/summary.json" ] && grep -v '"command_line"' "$dir/summary.json"
}
# run NAME MODE FILE: collect FILE (walk or libtrace) into $WORK/out/NAME.MODE.
run() {
	local name=$1 mode=$2 file=$3 o=$WORK/out/$1.$2
	mkdir -p "$WORK/out"
	if [ "$mode" = libtrace ]; then
		BACKSCATTER_READER=libtrace "$BACKSCATTER" collect --telescope 0.0.0.0/0,::/0 \
			--min-packets 1 --min-duration 0 --min-ppm 0 --min-dests 1 --out "$o" "$file" \
			>/dev/null 2>"$o.err"
	else
		"$BACKSCATTER" collect --telescope 0.0.0.0/0,::/0 \
			--min-packets 1 --min-duration 0 --min-ppm 0 --min-dests 1 --out "$o" "$file" \
			>/dev/null 2>"$o.err"
	fi
	echo $? >"$o.rc"
	# The program's own lines, the file named as given.
	grep '^backscatter: ' "$o.err" | sed -e "s|$o|OUT|g" -e "s|$file|FILE|g" >"$o.msg"
	fingerprint "$o" | sed "s|$file|FILE|g" >"$o.fp"
}
same() {
	local what=$1 a=$2 b=$3
	if cmp -s "$a.fp" "$b.fp" && cmp -s "$a.rc" "$b.rc" && cmp -s "$a.msg" "$b.msg"; then
		pass "$what: the same outputs, status $(cat "$a.rc")"
	else
		fail "$what: outputs differ"
		diff "$a.fp" "$b.fp" | head -n 5 | sed 's/^/#   /'
		diff "$a.msg" "$b.msg" | head -n 5 | sed 's/^/#   /'
		echo "#   status $(cat "$a.rc") vs $(cat "$b.rc")"
	fi
}

for f in "$D"/*; do
	n=$(basename "$f")
	run "$n" walk "$f"
	run "$n" libtrace "$f"
	same "$n: walker vs libtrace" "$WORK/out/$n.walk" "$WORK/out/$n.libtrace"
done

# Compressed copies through the walker: the plain file's outputs. summary.json
# names the input and its size, so only the counters are compared there.
counters() {
	"$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["counters"], d["flows"])' \
		"$1/summary.json"
}
for n in pcap-le-us.pcap pcap-be-ns.pcap pcap-sll.pcap ng-le.pcapng ng-sections.pcapng \
	ng-mixed.pcapng real-100_packets.pcapng; do
	gzip -c "$D/$n" >"$WORK/$n.gz"
	zstd -q -c "$D/$n" >"$WORK/$n.zst"
	# Two gzip members, as pigz or a concatenation writes them.
	half=$(($(stat -c %s "$D/$n") / 2))
	{ head -c "$half" "$D/$n" | gzip -c; tail -c +$((half + 1)) "$D/$n" | gzip -c; } >"$WORK/$n.2.gz"
	for z in gz zst 2.gz; do
		run "$n.$z" walk "$WORK/$n.$z"
		o=$WORK/out/$n.$z.walk p=$WORK/out/$n.walk
		if cmp -s "$o/attacks.csv" "$p/attacks.csv" && cmp -s "$o/timeseries.csv" "$p/timeseries.csv" &&
			[ "$(counters "$o")" = "$(counters "$p")" ] && cmp -s "$o.rc" "$p.rc"; then
			pass "$n.$z: the outputs of the plain file"
		else
			fail "$n.$z: the outputs of the plain file"
			sed 's/^/#   /' "$o.err" | head -n 3
		fi
	done
done

# Damaged compressed data: the packets before the damage, then one line
# naming the file and why, exit 3. 1.4 MB of pcap: several blocks.
"$PYTHON3" "$TOPSRC/tests/hostile/mktrace.py" attack --out "$WORK/att.pcap" --count 20000 --dur 2000
gzip -c "$WORK/att.pcap" >"$WORK/full.gz"
zstd -q -c "$WORK/att.pcap" >"$WORK/full.zst"
for z in gz zst; do
	s=$(stat -c %s "$WORK/full.$z")
	head -c $((s - 9)) "$WORK/full.$z" >"$WORK/cut.pcap.$z"
	run "cut.$z" walk "$WORK/cut.pcap.$z"
	check_eq "cut .$z: exit status 3" 3 "$(cat "$WORK/out/cut.$z.walk.rc")"
	check "cut .$z: one line says cut short" grep -q "cut.pcap.$z: cut short or corrupt after [0-9]* packets: $([ $z = gz ] && echo gzip || echo zstd) data cut short" "$WORK/out/cut.$z.walk.err"
done
{ cat "$WORK/full.gz"; printf 'trailing garbage'; } >"$WORK/garbage.pcap.gz"
run garbage walk "$WORK/garbage.pcap.gz"
check_eq "gzip with garbage after its member: exit status 3" 3 "$(cat "$WORK/out/garbage.walk.rc")"
check "gzip with garbage after its member: every packet read first" \
	grep -q '"packets": 20000' "$WORK/out/garbage.walk/summary.json"
printf 'not a trace at all' | zstd -q -c >"$WORK/text.zst"
run text-zst walk "$WORK/text.zst"
check_eq "zstd text: exit status 1" 1 "$(cat "$WORK/out/text-zst.walk.rc")"
check "zstd text: one line says why" grep -q "zstd-compressed but not pcap or pcapng" "$WORK/out/text-zst.walk.err"

finish

#!/usr/bin/env bash
# e2e_evidence.sh - collect --evidence N: evidence.pcapng holds the first N
# packets of every reported attack, each tagged with its attack_id in a
# pcapng comment that tshark shows, and the first pass is not changed.
#
# On generated captures (data/gen/bsgen.py): the mixed scenario in two
# files (attacks across the cut, ICMP errors whose victim is not the
# packet's source), reorder (packets out of time order) and ipv6. Checked
# against attacks.csv and against the input read by tshark:
# - tshark reads the file; every comment names an attack_id of attacks.csv
#   (or an edge flow of flows.state) with that attack's victim and
#   protocol; each attack has min(N, packets) packets, its first N in
#   capture order (the order read: with packets out of time order they
#   are not its N earliest), the first at its start_time when in time
#   order, none outside its start_time and end_time;
# - with N larger than an attack, its evidence is every packet it counted;
#   with N = 10 each attack's packets are the first 10 of N = 1000, in the
#   same order (capture order);
# - synack: each attack's packets are the first N packets the input has
#   from the victim (tshark over the trace, victim = IP source);
# - the first pass's outputs are byte for byte those without --evidence;
#   --evidence 0 writes no file and removes an earlier one;
# - standard input with --evidence is a usage error (exit 2, one line);
# - merge: shards collected with --evidence over pieces (the two files; the
#   capture cut every 7 minutes with editcap; those shards merged in two
#   halves and the halves merged; pcapng pieces cut at packets) give the
#   evidence.pcapng of one collect over all the pieces, the same in
#   tshark's time, length and comment of every packet and byte for byte;
#   different N give the smallest with a warning; a shard without
#   evidence: a warning, exit 3, none written; a shard's evidence cut
#   short or not pcapng: exit 1, one line naming it (report is not
#   bothered).
. "$TOPSRC/tests/lib.sh"

TEL=10.0.0.0/8
collect() { "$BACKSCATTER" collect --quiet "$@"; }

# packets FILE: "epoch<TAB>comment" per packet of an evidence file.
packets() { tshark -r "$1" -T fields -e frame.time_epoch -e frame.comment 2>/dev/null; }

# verify WHAT DIR N: the evidence of DIR against its attacks.csv; prints
# "ok" or what is wrong.
verify() {
	packets "$2/evidence.pcapng" >"$WORK/ev.tsv"
	"$PYTHON3" - "$2/attacks.csv" "$WORK/ev.tsv" "$3" <<'PY'
import csv, sys, datetime
from decimal import Decimal
rows = {r["attack_id"]: r for r in csv.DictReader(open(sys.argv[1]))}
n = int(sys.argv[3])
def us(t):
    d = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond
got = {}
bad = []
for line in open(sys.argv[2]):
    epoch, _, comment = line.rstrip("\n").partition("\t")
    t = int(Decimal(epoch) * 1000000)
    tags = dict(w.split("=", 1) for w in comment.split())
    if "attack_id" not in tags:
        if "flow" not in tags:
            bad.append("packet without a tag: " + comment)
        continue
    r = rows.get(tags["attack_id"])
    if r is None:
        bad.append("unknown attack_id " + tags["attack_id"])
        continue
    if tags.get("victim") != r["victim"] or tags.get("proto") != r["protocol"]:
        bad.append("attack %s: victim/proto %s/%s" % (r["attack_id"], tags.get("victim"), tags.get("proto")))
    got.setdefault(r["attack_id"], []).append(t)
for aid, r in rows.items():
    ts = got.get(aid, [])
    want = min(n, int(r["packets"]))
    if len(ts) != want:
        bad.append("attack %s: %d packets, want %d" % (aid, len(ts), want))
    # In capture order: the first read is the start unless packets come
    # out of time order (reorder).
    elif (ts[0] != us(r["start_time"]) and ts == sorted(ts)) or min(ts) < us(r["start_time"]) or max(ts) > us(r["end_time"]):
        bad.append("attack %s: times %d..%d outside %s..%s" % (aid, ts[0], max(ts), r["start_time"], r["end_time"]))
print("ok" if not bad else "; ".join(bad[:5]))
PY
}

# prefix DIR10 DIR1000: each attack's packets of DIR10 are the first of DIR1000's.
prefix() {
	packets "$1/evidence.pcapng" >"$WORK/a.tsv"
	packets "$2/evidence.pcapng" >"$WORK/b.tsv"
	"$PYTHON3" - "$WORK/a.tsv" "$WORK/b.tsv" <<'PY'
import sys, re
def per_attack(path):
    d = {}
    for line in open(path):
        epoch, _, comment = line.rstrip("\n").partition("\t")
        m = re.search(r"attack_id=(\d+)", comment)
        if m:
            d.setdefault(m.group(1), []).append(epoch)
    return d
a, b = per_attack(sys.argv[1]), per_attack(sys.argv[2])
bad = [k for k in b if a.get(k, []) != b[k][:len(a.get(k, []))] or len(a.get(k, [])) != min(10, len(b[k]))]
print("ok" if not bad else "attacks " + ",".join(bad[:5]))
PY
}

# same_first_pass REF GOT: attacks.csv, timeseries.csv, flows.state and
# summary.json (its command line aside) byte for byte.
same_first_pass() {
	local f
	for f in attacks.csv timeseries.csv flows.state; do
		cmp -s "$1/$f" "$2/$f" || {
			echo "$f differs"
			return
		}
	done
	cmp -s <(grep -v '"command_line"' "$1/summary.json") <(grep -v '"command_line"' "$2/summary.json") ||
		{
			echo "summary.json differs"
			return
		}
	echo same
}

# ---- mixed, two files ----
$GEN --scenario mixed --seed 5 --files 2 --victims 40 --hours 1.5 --out "$WORK/mixed" --quiet
M=("$WORK"/mixed/trace-00[01].pcap)
collect --telescope $TEL --out "$WORK/plain" "${M[@]}"
check_eq "mixed: collect without --evidence exits 0" 0 $?
collect --telescope $TEL --evidence 10 --out "$WORK/e10" "${M[@]}"
check_eq "mixed: collect --evidence 10 exits 0" 0 $?
check "mixed: tshark reads evidence.pcapng" tshark -r "$WORK/e10/evidence.pcapng" -c 1
check_eq "mixed: the first pass is unchanged by --evidence" same \
	"$(same_first_pass "$WORK/plain" "$WORK/e10")"
check_eq "mixed: the attacks have evidence" 1 \
	"$([ "$(csv_rows "$WORK/e10/attacks.csv")" -gt 5 ] && echo 1)"
check_eq "mixed: evidence 10 of every attack, tagged, in its time range" ok \
	"$(verify mixed "$WORK/e10" 10)"
collect --telescope $TEL --evidence 1000 --out "$WORK/e1000" "${M[@]}"
check_eq "mixed: --evidence 1000 (all of the small attacks) exits 0" 0 $?
check_eq "mixed: evidence 1000 of every attack, tagged, in its time range" ok \
	"$(verify mixed "$WORK/e1000" 1000)"
check_eq "mixed: the 10 packets are the first 10 of the 1000, in order" ok \
	"$(prefix "$WORK/e10" "$WORK/e1000")"
check_eq "mixed: the same outputs for --jobs 1 and 2" same \
	"$(collect --telescope $TEL --evidence 10 --jobs 1 --out "$WORK/j1" "${M[@]}" &&
		cmp -s "$WORK/j1/evidence.pcapng" "$WORK/e10/evidence.pcapng" && echo same)"
size=$(stat -c %s "$WORK/e10/evidence.pcapng")
n_att=$(csv_rows "$WORK/e10/attacks.csv")
n_edge=$(packets "$WORK/e10/evidence.pcapng" | grep -c 'flow=')
# Per packet at most 128 bytes, a 28-byte block and a comment under 200.
check_eq "mixed: size within N x (attacks + edge packets) x 356 + headers" 1 \
	"$([ "$size" -le $(((10 * n_att + n_edge) * 356 + 4096)) ] && echo 1)"

# ---- --evidence 0, and a stale file ----
collect --telescope $TEL --evidence 0 --out "$WORK/e10" "${M[@]}"
check_eq "--evidence 0 exits 0" 0 $?
check_eq "--evidence 0 removes the evidence.pcapng of an earlier run" no \
	"$([ -e "$WORK/e10/evidence.pcapng" ] && echo yes || echo no)"

# ---- standard input ----
"$BACKSCATTER" collect --telescope $TEL --evidence 5 --out "$WORK/stdin" - <"${M[0]}" \
	2>"$WORK/stdin.err"
check_eq "stdin with --evidence: exit 2" 2 $?
check_eq "stdin with --evidence: one line" 1 "$(wc -l <"$WORK/stdin.err")"
check_eq "stdin with --evidence: nothing written" no \
	"$([ -e "$WORK/stdin/attacks.csv" ] && echo yes || echo no)"

# ---- reorder: packets out of time order ----
$GEN --scenario reorder --seed 3 --out "$WORK/reorder" --quiet
collect --telescope $TEL --evidence 20 --out "$WORK/ro" "$WORK"/reorder/trace-000.pcap
check_eq "reorder: collect --evidence exits 0" 0 $?
check_eq "reorder: evidence of every attack, tagged, in its time range" ok \
	"$(verify reorder "$WORK/ro" 20)"

# ---- ipv6 ----
$GEN --scenario ipv6 --seed 2 --telescope 10.0.0.0/8,2001:db8::/32 --out "$WORK/v6" --quiet
collect --telescope 10.0.0.0/8,2001:db8::/32 --evidence 5 --out "$WORK/v6o" "$WORK"/v6/trace-000.pcap
check_eq "ipv6: collect --evidence exits 0" 0 $?
check_eq "ipv6: evidence of every attack, tagged, in its time range" ok \
	"$(verify ipv6 "$WORK/v6o" 5)"

# ---- synack: against the trace itself ----
$GEN --scenario synack --seed 4 --out "$WORK/syn" --quiet
S=$WORK/syn/trace-000.pcap
collect --telescope $TEL --evidence 7 --out "$WORK/so" "$S"
check_eq "synack: collect --evidence exits 0" 0 $?
tshark -r "$S" -T fields -e frame.time_epoch -e ip.src -Y 'tcp.flags.syn==1 && tcp.flags.ack==1' \
	2>/dev/null >"$WORK/syn.tsv"
packets "$WORK/so/evidence.pcapng" >"$WORK/so.tsv"
check_eq "synack: each attack's packets are the victim's first 7 in the trace" ok "$(
	"$PYTHON3" - "$WORK/so/attacks.csv" "$WORK/syn.tsv" "$WORK/so.tsv" <<'PY'
import csv, sys, re
rows = list(csv.DictReader(open(sys.argv[1])))
trace = {}
for line in open(sys.argv[2]):
    t, src = line.split()
    trace.setdefault(src, []).append(t)
ev = {}
for line in open(sys.argv[3]):
    t, _, c = line.rstrip("\n").partition("\t")
    m = re.search(r"attack_id=(\d+)", c)
    if m:
        ev.setdefault(m.group(1), []).append(t)
bad = []
for r in rows:
    firsts = sorted(trace.get(r["victim"], []), key=float)
    # The victim's first attack: its first 7 packets in the trace.
    if r["victim"] not in [x["victim"] for x in rows[:rows.index(r)]] and ev.get(r["attack_id"]) != firsts[:7]:
        bad.append(r["attack_id"])
print("ok" if rows and not bad else "attacks %s" % bad[:5])
PY
)"

# ---- merge: the evidence of one collect over all the pieces ----
# fields FILE: what tshark shows of each packet: time, length, comment.
fields() {
	tshark -r "$1" -T fields -e frame.time_epoch -e frame.len -e frame.comment 2>/dev/null
}

# same_evidence WHAT REF GOT: tshark's fields, then the bytes, identical.
same_evidence() {
	local what=$1 ref=$2/evidence.pcapng got=$3/evidence.pcapng
	if [ ! -s "$got" ]; then
		fail "$what: evidence.pcapng written"
		return
	fi
	fields "$ref" >"$WORK/ref.tsv"
	fields "$got" >"$WORK/got.tsv"
	if [ -s "$WORK/ref.tsv" ] && cmp -s "$WORK/ref.tsv" "$WORK/got.tsv"; then
		pass "$what: time, length and comment of every packet as one collect"
	else
		fail "$what: time, length and comment of every packet as one collect"
		diff "$WORK/ref.tsv" "$WORK/got.tsv" | head -n 6 | sed 's/^/#   /'
	fi
	check_eq "$what: evidence.pcapng byte-identical" same "$(cmp -s "$ref" "$got" && echo same)"
	check_eq "$what: attacks.csv byte-identical" same \
		"$(cmp -s "$2/attacks.csv" "$3/attacks.csv" && echo same)"
}

# shards N DIR FILE...: one collect --evidence N per file, DIR/000, 001...
shards() {
	local n=$1 dir=$2 i=0 f
	shift 2
	mkdir -p "$dir"
	for f in "$@"; do
		collect --telescope $TEL --evidence "$n" --out "$dir/$(printf %03d $i)" "$f" || return 1
		i=$((i + 1))
	done
}

# (a) the two files of the mixed capture, one shard each.
collect --telescope $TEL --evidence 10 --out "$WORK/all10" "${M[@]}"
shards 10 "$WORK/sh" "${M[@]}"
"$BACKSCATTER" merge --out "$WORK/merged" "$WORK"/sh/* 2>"$WORK/merge.err"
check_eq "merge of two files' shards: exit 0" 0 $?
check_eq "merge of two files' shards: no warning" 0 "$(grep -c warning "$WORK/merge.err")"
same_evidence "two files" "$WORK/all10" "$WORK/merged"

# (b) the capture cut every 7 minutes (pieces end inside attacks, which
# then take their packets from several shards' edge flows).
mergecap -F pcap -w "$WORK/cap.pcap" "${M[@]}"
mkdir -p "$WORK/min7"
editcap -F pcap -i 420 "$WORK/cap.pcap" "$WORK/min7/p.pcap" >/dev/null
P=("$WORK"/min7/p*.pcap)
check_eq "7-minute pieces: more than 10" 1 "$([ ${#P[@]} -gt 10 ] && echo 1)"
collect --telescope $TEL --evidence 10 --out "$WORK/ref7" "${P[@]}"
check_eq "7-minute pieces: one collect exits 0" 0 $?
shards 10 "$WORK/s7" "${P[@]}"
"$BACKSCATTER" merge --quiet --out "$WORK/m7" "$WORK"/s7/*
check_eq "7-minute shards: merge exits 0" 0 $?
same_evidence "7-minute shards" "$WORK/ref7" "$WORK/m7"
check_eq "7-minute shards: attacks joined across seams have evidence" ok \
	"$(verify min7 "$WORK/m7" 10)"
# (c) merged in two halves, then the halves merged (given in reverse):
# merged directories merge exactly too.
S7=("$WORK"/s7/*)
half=$((${#S7[@]} / 2))
"$BACKSCATTER" merge --quiet --out "$WORK/h1" "${S7[@]:0:$half}"
"$BACKSCATTER" merge --quiet --out "$WORK/h2" "${S7[@]:$half}"
"$BACKSCATTER" merge --quiet --out "$WORK/hh" "$WORK/h2" "$WORK/h1"
check_eq "halves merged again: exit 0" 0 $?
same_evidence "halves merged again" "$WORK/ref7" "$WORK/hh"

# (d) cut at packets with editcap -r: pcapng pieces, one of one packet.
total=$(capinfos -c -M "$WORK/cap.pcap" | awk '/Number of packets/ {print $NF}')
a=$((total / 3))
mkdir -p "$WORK/rnd"
editcap -r "$WORK/cap.pcap" "$WORK/rnd/p0.pcapng" "1-$a"
editcap -r "$WORK/cap.pcap" "$WORK/rnd/p1.pcapng" "$((a + 1))"
editcap -r "$WORK/cap.pcap" "$WORK/rnd/p2.pcapng" "$((a + 2))-$total"
R=("$WORK"/rnd/p[012].pcapng)
collect --telescope $TEL --evidence 5 --out "$WORK/refr" "${R[@]}"
shards 5 "$WORK/sr" "${R[@]}"
"$BACKSCATTER" merge --quiet --out "$WORK/mr" "$WORK"/sr/*
check_eq "pcapng pieces cut at packets: merge exits 0" 0 $?
same_evidence "pcapng pieces cut at packets" "$WORK/refr" "$WORK/mr"

# (e) shards keeping different N: the smallest, with one warning (exit 0).
shards 20 "$WORK/s20" "${M[1]}"
"$BACKSCATTER" merge --out "$WORK/mn" "$WORK/sh/000" "$WORK/s20/000" 2>"$WORK/mn.err"
check_eq "different N: exit 0" 0 $?
check_eq "different N: one warning naming both" 1 "$(grep -c 'keeps 10 .* keeps 20' "$WORK/mn.err")"
same_evidence "different N (10 and 20)" "$WORK/all10" "$WORK/mn"

# (f) a shard without evidence: one warning, exit 3, no evidence.pcapng
# (an earlier one in the output directory is removed), the rest as ever.
collect --telescope $TEL --out "$WORK/none" "${M[1]}"
"$BACKSCATTER" merge --out "$WORK/mn" "$WORK/sh/000" "$WORK/none" 2>"$WORK/none.err"
check_eq "a shard without evidence: exit 3" 3 $?
check_eq "a shard without evidence: one warning naming it" 1 \
	"$(grep -c "warning: no evidence.pcapng written: $WORK/none has none" "$WORK/none.err")"
check_eq "a shard without evidence: no evidence.pcapng (the earlier one removed)" no \
	"$([ -e "$WORK/mn/evidence.pcapng" ] && echo yes || echo no)"
check_eq "a shard without evidence: attacks.csv as one collect" same \
	"$(cmp -s "$WORK/mn/attacks.csv" "$WORK/plain/attacks.csv" && echo same)"

# (g) a shard's evidence.pcapng cut short, or not pcapng: exit 1, one line
# naming the file, nothing written; report, which reads no evidence, is
# not bothered.
cp -r "$WORK/sh/001" "$WORK/cut"
head -c 1000 "$WORK/sh/001/evidence.pcapng" >"$WORK/cut/evidence.pcapng"
"$BACKSCATTER" merge --out "$WORK/mc" "$WORK/sh/000" "$WORK/cut" 2>"$WORK/cut.err"
check_eq "evidence cut short: exit 1" 1 $?
check_eq "evidence cut short: one line naming the file" 1 \
	"$(grep -c "$WORK/cut/evidence.pcapng: byte [0-9]*: the file ends inside a block" "$WORK/cut.err")"
check_eq "evidence cut short: nothing written" no \
	"$([ -e "$WORK/mc/attacks.csv" ] && echo yes || echo no)"
cp "${M[0]}" "$WORK/cut/evidence.pcapng"
"$BACKSCATTER" merge --out "$WORK/mc" "$WORK/sh/000" "$WORK/cut" 2>"$WORK/cut.err"
check_eq "evidence not pcapng: exit 1, one line naming it" "1 1" \
	"$? $(grep -c "$WORK/cut/evidence.pcapng: byte 0: not a pcapng file" "$WORK/cut.err")"
"$BACKSCATTER" report --quiet --out "$WORK/rep" "$WORK/sh/000" "$WORK/cut"
check_eq "report over shards, one with a bad evidence.pcapng: exit 0" 0 $?

# Not tested: an input that vanishes or turns unreadable between the two
# readings. The run has no point between them a test can act at without
# timing (FIFOs are refused as streams; root reads any file).
finish

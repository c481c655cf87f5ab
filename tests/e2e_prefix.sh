#!/usr/bin/env bash
# e2e_prefix.sh - the prefix view (collect --prefix-view, carpet bombing).
#
# The carpet scenario (data/gen/bsgen.py) floods many addresses of a /24
# and of a /48, each below the per-address thresholds and the prefix far
# above, with one real attack inside a carpet, three neighbours too few
# for a prefix attack and a lone attack; its prefix_truth.csv says what the
# prefix view must find. Checked:
#   - prefix_attacks.csv against the truth, field by field;
#   - the per-address outputs unchanged by the option (attacks.csv,
#     timeseries.csv byte for byte; flows.state the same flows, then the
#     prefix view's part, in version 2);
#   - collect over pieces cut every 2 minutes (editcap -i), with 1 and 2
#     jobs, gives the one collect's prefix_attacks.csv byte for byte;
#   - merge of shards collected from pieces (2-minute files, cuts at
#     packets, in reverse order, merged halves merged again) gives the one
#     collect's prefix_attacks.csv byte for byte; shards with other
#     lengths or minimum are refused (exit 1, one line naming the shard's
#     summary.json); a shard without the view, or with a flows.state
#     without its flows, is one warning and no prefix_attacks.csv (exit 3);
#   - report over the shards: the one collect's most attacked prefixes;
#   - --prefix-min-victims; bad option values; report's "Most attacked
#     prefixes", its absence without the view, a corrupt prefix_attacks.csv.
. "$TOPSRC/tests/lib.sh"

TEL=10.0.0.0/8,2001:db8::/32
G=$WORK/gen
collect() { "$BACKSCATTER" collect --quiet --telescope "$TEL" "$@"; }

$GEN --quiet --scenario carpet --seed 3 --out "$G"
CAP=$G/trace-000.pcap

collect --out "$WORK/plain" "$CAP"
check_eq "collect without the view exits 0" 0 $?
collect --out "$WORK/pv" --prefix-view 24,48 "$CAP"
check_eq "collect --prefix-view 24,48 exits 0" 0 $?
for f in attacks.csv timeseries.csv; do
	check "--prefix-view leaves $f unchanged" cmp "$WORK/plain/$f" "$WORK/pv/$f"
done
# flows.state: version 2, the version 1 file's header fields and
# per-address flows, then the prefix view's part.
check "--prefix-view: flows.state is version 1's with the view's part after the flows" \
	"$PYTHON3" -c 'import sys
a, b = (open(f, "rb").read() for f in sys.argv[1:])
sys.exit(not (a[8:12] == bytes([1, 0, 0, 0]) and b[8:12] == bytes([2, 0, 0, 0]) and
              b[20:len(a) - 8] == a[20:-8] and b[len(a) - 8:len(a) - 2] == bytes([24, 48, 5, 0, 0, 0])))' \
	"$WORK/plain/flows.state" "$WORK/pv/flows.state"
check_eq "no prefix_attacks.csv without the view" no \
	"$([ -e "$WORK/plain/prefix_attacks.csv" ] && echo yes || echo no)"
check_eq "summary.json: prefix_view.min_victims" 5 \
	"$(json_get "$WORK/pv/summary.json" prefix_view.min_victims)"
check_eq "summary.json: no prefix_view without the option" missing \
	"$("$PYTHON3" -c 'import json,sys; print("prefix_view" in json.load(open(sys.argv[1])) and "present" or "missing")' "$WORK/plain/summary.json")"

# truth PREFIX_ATTACKS PREFIX_TRUTH: every expected prefix attack found
# with its fields, and nothing else. telescope_addrs is exact up to 512
# destinations (telescope/distinct.h), an estimate beyond.
truth() {
	"$PYTHON3" - "$1" "$2" <<'PY'
import csv, sys
got = list(csv.DictReader(open(sys.argv[1])))
want = [r for r in csv.DictReader(open(sys.argv[2])) if r["expected_rsdos"] == "1"]
bad = []
if len(got) != len(want):
    bad.append("%d rows, %d expected" % (len(got), len(want)))
key = lambda r: (r["start_time"], r["prefix"], r["protocol"])
for g, w in zip(sorted(got, key=key), sorted(want, key=key)):
    for col in ("prefix", "protocol", "start_time", "end_time", "packets", "victims",
                "victim_attacks"):
        if g[col] != w[col]:
            bad.append("%s %s: %s=%s, expected %s" % (w["prefix"], w["protocol"], col, g[col], w[col]))
    if int(w["telescope_addrs"]) <= 512 and g["telescope_addrs"] != w["telescope_addrs"]:
        bad.append("%s: telescope_addrs %s, expected %s" % (w["prefix"], g["telescope_addrs"],
                                                           w["telescope_addrs"]))
ids = [int(r["prefix_id"]) for r in got]
if ids != list(range(1, len(got) + 1)):
    bad.append("prefix_id not 1..n in order")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}
check "prefix_attacks.csv matches prefix_truth.csv" truth "$WORK/pv/prefix_attacks.csv" \
	"$G/prefix_truth.csv"
check_eq "truth plants 3 prefix attacks (/24 TCP, /24 UDP, /48)" 3 \
	"$("$PYTHON3" -c 'import csv,sys; print(sum(r["expected_rsdos"] == "1" for r in csv.DictReader(open(sys.argv[1]))))' "$G/prefix_truth.csv")"
check_eq "the carpet's attacks are invisible per address (2 attacks only)" 2 \
	"$(csv_rows "$WORK/pv/attacks.csv")"

# A second seed, IPv6 included in every seed: the same checks.
$GEN --quiet --scenario carpet --seed 11 --out "$WORK/gen11"
collect --out "$WORK/pv11" --prefix-view 24,48 "$WORK/gen11/trace-000.pcap"
check "seed 11: prefix_attacks.csv matches prefix_truth.csv" truth \
	"$WORK/pv11/prefix_attacks.csv" "$WORK/gen11/prefix_truth.csv"

# Consumers: sqlite3 loads it as docs/consumers.md says, Python's csv too.
sq=$(sqlite3 :memory: <<SQL 2>&1
CREATE TABLE p (prefix_id INTEGER, prefix TEXT, protocol TEXT, start_time TEXT, end_time TEXT,
  duration_s REAL, packets INTEGER, bytes INTEGER, telescope_addrs INTEGER, victim_ports INTEGER,
  top_port INTEGER, responses TEXT, peak_ppm INTEGER, mean_pps REAL, uniformity_a2 REAL,
  uniform INTEGER, attack_ports INTEGER, victims INTEGER, victim_attacks INTEGER);
.import --csv --skip 1 $WORK/pv/prefix_attacks.csv p
SELECT count(*), sum(victims), sum(packets) FROM p;
SQL
)
py=$("$PYTHON3" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print("%d|%d|%d" % (len(r), sum(int(x["victims"]) for x in r), sum(int(x["packets"]) for x in r)))' "$WORK/pv/prefix_attacks.csv")
check_eq "sqlite3 and Python csv read the same rows, victims, packets" "$py" "$sq"

# Pieces: every 2 minutes, so prefix attacks cross many cuts.
mkdir -p "$WORK/cut"
editcap -F pcap -i 120 "$CAP" "$WORK/cut/p.pcap" >/dev/null 2>&1
n_pieces=$(ls "$WORK/cut" | wc -l)
check "editcap cut the capture into more than 10 pieces ($n_pieces)" test "$n_pieces" -gt 10
for j in 1 2; do
	collect --out "$WORK/pieces$j" --prefix-view 24,48 --jobs $j "$WORK"/cut/*.pcap
	check "collect over $n_pieces pieces, --jobs $j: the same prefix_attacks.csv" \
		cmp "$WORK/pv/prefix_attacks.csv" "$WORK/pieces$j/prefix_attacks.csv"
	check "collect over pieces, --jobs $j: the same attacks.csv" \
		cmp "$WORK/pv/attacks.csv" "$WORK/pieces$j/attacks.csv"
done

# Merge of shards: the prefix view joined exactly, as the per-address one.
# merged_pv WHAT OUT SHARD...: merge exits 0 and gives the one collect's
# prefix_attacks.csv and attacks.csv byte for byte, and its prefix counts.
merged_pv() {
	local what=$1 out=$2 f
	shift 2
	"$BACKSCATTER" merge --quiet --out "$out" "$@" 2>"$WORK/merge.err"
	check_eq "$what: merge exits 0" 0 $?
	sed 's/^/#   /' "$WORK/merge.err" | head -n 3
	for f in prefix_attacks.csv attacks.csv timeseries.csv; do
		check "$what: $f byte-identical to one collect" cmp "$WORK/pv/$f" "$out/$f"
	done
	check_eq "$what: summary.json prefix_view.flows.attacks" \
		"$(json_get "$WORK/pv/summary.json" prefix_view.flows.attacks)" \
		"$(json_get "$out/summary.json" prefix_view.flows.attacks)"
}
i=0
for p in "$WORK"/cut/*.pcap; do
	i=$((i + 1))
	collect --out "$WORK/shards/$(printf %03d $i)" --prefix-view 24,48 "$p"
done
mapfile -t S < <(ls -d "$WORK"/shards/[0-9]*)
merged_pv "merge of the $i 2-minute shards" "$WORK/merged" "${S[@]}"
check_eq "merged flows.state is version 2" 2 \
	"$(od -An -tu4 -j8 -N4 "$WORK/merged/flows.state" | tr -d ' ')"
check "the one collect's prefix attacks cross the cuts" test \
	"$(csv_rows "$WORK/pv/prefix_attacks.csv")" -lt \
	"$(cat "${S[@]/%//prefix_attacks.csv}" | grep -vc '^prefix_id')"
mapfile -t R < <(printf '%s\n' "${S[@]}" | tac)
merged_pv "shards in reverse order" "$WORK/merged-rev" "${R[@]}"
H=$((${#S[@]} / 2))
"$BACKSCATTER" merge --quiet --out "$WORK/half1" "${S[@]:0:H}"
"$BACKSCATTER" merge --quiet --out "$WORK/half2" "${S[@]:H}"
merged_pv "the two merged halves merged" "$WORK/halves" "$WORK/half1" "$WORK/half2"

# Cut at three packets (editcap -r, pcapng pieces): attacks cut mid-flood.
NP=$(json_get "$WORK/pv/summary.json" counters.packets)
mkdir -p "$WORK/rnd"
a=$((NP / 5)) b=$((NP / 2)) c=$((NP * 4 / 5))
for r in "1-$a" "$((a + 1))-$b" "$((b + 1))-$c" "$((c + 1))-$NP"; do
	editcap -r "$CAP" "$WORK/rnd/p$r.pcapng" "$r"
	collect --out "$WORK/rnd/s$r" --prefix-view 24,48 "$WORK/rnd/p$r.pcapng"
done
merged_pv "merge of 4 pieces cut at packets" "$WORK/rnd-merged" "$WORK"/rnd/s*

# report over the shards joins them as merge does: its most attacked
# prefixes are the one collect's, each attack across the cuts once.
prefix_section() { sed -n '/^## Most attacked prefixes/,/^## /{/^## [^M]/!p}' "$1"; }
"$BACKSCATTER" report --quiet --format md --out "$WORK/rep-one" "$WORK/pv"
"$BACKSCATTER" report --quiet --format md --out "$WORK/rep-shards" "${S[@]}"
check_eq "report over the shards exits 0" 0 $?
check "report.md has the section" grep -q "^## Most attacked prefixes" "$WORK/rep-one/report.md"
check_eq "report over the shards: Most attacked prefixes as of the one collect" \
	"$(prefix_section "$WORK/rep-one/report.md")" "$(prefix_section "$WORK/rep-shards/report.md")"

# Shards that do not agree on the view.
# refused WHAT FIELD SHARD_OPTIONS...: the middle shard collected with other
# options: exit 1, one line naming its summary.json and the field, nothing written.
refused() {
	local what=$1 field=$2 odd=$WORK/odd/$1
	shift 2
	collect --out "$odd" "$@" "$WORK/cut/$(ls "$WORK/cut" | sed -n "$((H + 1))p")"
	"$BACKSCATTER" merge --out "$WORK/refused" "${S[@]:0:H}" "$odd" "${S[@]:H+1}" 2>"$WORK/refused.err"
	check_eq "$what: merge exits 1" 1 $?
	check_eq "$what: one line" 1 "$(wc -l <"$WORK/refused.err")"
	check "$what: it names $odd/summary.json and $field" grep -qF "$odd/summary.json: $field" \
		"$WORK/refused.err"
	check_eq "$what: nothing written" no "$([ -e "$WORK/refused/attacks.csv" ] && echo yes || echo no)"
}
refused "other lengths" prefix_view.ipv4_length --prefix-view 16,48
refused "other IPv6 length" prefix_view.ipv6_length --prefix-view 24,64
refused "other minimum" prefix_view.min_victims --prefix-view 24,48 --prefix-min-victims 6

# A shard without the view, and one whose flows.state has none (version
# 1, as an earlier version wrote): warned once, exit 3, no
# prefix_attacks.csv, the rest exact.
# unjoined WHAT MESSAGE SHARD...
unjoined() {
	local what=$1 msg=$2
	shift 2
	"$BACKSCATTER" merge --out "$WORK/unjoined" "$@" 2>"$WORK/unjoined.err" >/dev/null
	check_eq "$what: merge exits 3" 3 $?
	check_eq "$what: one warning" 1 "$(grep -c "warning: no prefix_attacks.csv written" "$WORK/unjoined.err")"
	check "$what: it says why" grep -qF "$msg" "$WORK/unjoined.err"
	check_eq "$what: no prefix_attacks.csv" no \
		"$([ -e "$WORK/unjoined/prefix_attacks.csv" ] && echo yes || echo no)"
	check "$what: attacks.csv still exact" cmp "$WORK/pv/attacks.csv" "$WORK/unjoined/attacks.csv"
	check_eq "$what: flows.state without the view (version 1)" 1 \
		"$(od -An -tu4 -j8 -N4 "$WORK/unjoined/flows.state" | tr -d ' ')"
}
plain=$WORK/odd/plain
collect --out "$plain" "$WORK/cut/$(ls "$WORK/cut" | sed -n "$((H + 1))p")"
unjoined "a shard without --prefix-view" "$plain was collected without --prefix-view" \
	"${S[@]:0:H}" "$plain" "${S[@]:H+1}"
old=$WORK/odd/old
cp -r "${S[$H]}" "$old"
cp "$plain/flows.state" "$old/flows.state"
unjoined "a flows.state without prefix flows" "$old/flows.state has no prefix-view flows" \
	"${S[@]:0:H}" "$old" "${S[@]:H+1}"

# --prefix-min-victims 13: the 12-victim UDP /24 drops out.
collect --out "$WORK/min13" --prefix-view 24,48 --prefix-min-victims 13 "$CAP"
check_eq "--prefix-min-victims 13: 2 prefix attacks" 2 "$(csv_rows "$WORK/min13/prefix_attacks.csv")"

# Bad values: exit 2, one line.
for v in 33,48 24,129 24 ,48 24, x,48 24,48,8; do
	collect --out "$WORK/bad" --prefix-view "$v" "$CAP" 2>"$WORK/bad.err"
	rc=$?
	check_eq "--prefix-view '$v': exit 2" 2 $rc
	check_eq "--prefix-view '$v': one line" 1 "$(wc -l <"$WORK/bad.err")"
done

# Report.
"$BACKSCATTER" report --out "$WORK/rep" "$WORK/pv" >/dev/null 2>&1
check_eq "report exits 0" 0 $?
check "report.md has Most attacked prefixes" grep -q "^## Most attacked prefixes" "$WORK/rep/report.md"
top=$("$PYTHON3" -c 'import csv,sys; r=max(csv.DictReader(open(sys.argv[1])), key=lambda r: int(r["packets"])); print(r["prefix"])' "$WORK/pv/prefix_attacks.csv")
check "report.md lists the busiest prefix $top first" grep -q "^| 1 | $top | 1 |" "$WORK/rep/report.md"
check "report.html has Most attacked prefixes" grep -q "Most attacked prefixes" "$WORK/rep/report.html"
"$BACKSCATTER" report --out "$WORK/rep0" "$WORK/plain" >/dev/null 2>&1
check "no prefix section without the view" sh -c "! grep -q 'Most attacked prefixes' '$WORK/rep0/report.md'"
cp -r "$WORK/pv" "$WORK/corrupt"
sed -i '2s/,TCP,/,TCPX,/' "$WORK/corrupt/prefix_attacks.csv"
"$BACKSCATTER" report --out "$WORK/rep1" "$WORK/corrupt" >/dev/null 2>"$WORK/rep1.err"
check_eq "report of a corrupt prefix_attacks.csv exits 1" 1 $?
check "its message names the file" grep -q "prefix_attacks.csv" "$WORK/rep1.err"
check_eq "its message is one line" 1 "$(wc -l <"$WORK/rep1.err")"

finish

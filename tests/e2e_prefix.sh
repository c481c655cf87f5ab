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
#     timeseries.csv, flows.state byte for byte);
#   - collect over pieces cut every 2 minutes (editcap -i), with 1 and 2
#     jobs, gives the one collect's prefix_attacks.csv byte for byte;
#   - merge of shards says in one line that it does not join the prefix
#     view and leaves prefix_attacks.csv out (exit 3);
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
for f in attacks.csv timeseries.csv flows.state; do
	check "--prefix-view leaves $f unchanged" cmp "$WORK/plain/$f" "$WORK/pv/$f"
done
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

# Merge of shards: the prefix view is left out, with one line per shard.
i=0
for p in "$WORK"/cut/*.pcap; do
	i=$((i + 1))
	collect --out "$WORK/shards/$i" --prefix-view 24,48 "$p"
done
"$BACKSCATTER" merge --out "$WORK/merged" "$WORK"/shards/* 2>"$WORK/merge.err"
check_eq "merge of prefix-view shards exits 3 (warnings)" 3 $?
check "merge says the prefix view is not merged" grep -q "the prefix view is not merged" \
	"$WORK/merge.err"
check_eq "merge: one warning line per shard" "$i" "$(grep -c "prefix view is not merged" "$WORK/merge.err")"
check_eq "merge writes no prefix_attacks.csv" no \
	"$([ -e "$WORK/merged/prefix_attacks.csv" ] && echo yes || echo no)"
check "merge: attacks.csv still exact" cmp "$WORK/pv/attacks.csv" "$WORK/merged/attacks.csv"

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

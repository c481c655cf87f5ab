#!/usr/bin/env bash
# e2e_merge.sh - end-to-end tests of `backscatter merge` with the real
# binary. A generated capture in 4 consecutive files (data/gen/bsgen.py
# --files 4, the mixed scenario: attacks of up to 3 h, so many cross the
# file seams) is collected once over all 4 files and once per file; the 4
# shards are merged and compared with the single run: attacks.csv,
# timeseries.csv and flows.state byte for byte (tests/e2e_pieces.sh cuts
# captures every other way), and column by column as a diagnosis, and the
# summary counters; both results are scored against the generator's
# ground truth. Shards without flows.state (older versions) merge as
# before, from the rows, with one warning. Then the command line and the failures:
# a missing shard, a mismatched telescope, a shard given twice, shards
# sharing a file, an incomplete shard (exit 3) and an unwritable --out.
. "$TOPSRC/tests/lib.sh"

TEL=10.0.0.0/8
G=$WORK/gen

merge() { "$BACKSCATTER" merge "$@"; }
collect() { "$BACKSCATTER" collect --quiet --telescope "$TEL" "$@"; }
exists() { [ -e "$1" ] && echo yes || echo no; }

# ---- command line ----
check "merge --help exits 0" merge --help
merge --bogus --out "$WORK/x" "$WORK" >/dev/null 2>&1
check_eq "unknown option exits 2" 2 $?
merge "$WORK" >/dev/null 2>&1
check_eq "no --out exits 2" 2 $?
merge --out "$WORK/x" >/dev/null 2>&1
check_eq "no shard exits 2" 2 $?
check_eq "  and writes nothing" no "$(exists "$WORK/x")"

# ---- one capture, collected whole and per file ----
$GEN --scenario mixed --seed 7 --files 4 --victims 80 --out "$G" --quiet
collect --out "$WORK/single" "$G"/trace-*.pcap
check_eq "collect over the 4 files" 0 $?
for i in 0 1 2 3; do
	collect --out "$WORK/shard-$i" "$G/trace-00$i.pcap"
	check_eq "collect file $i alone" 0 $?
done
SHARDS="$WORK/shard-0 $WORK/shard-1 $WORK/shard-2 $WORK/shard-3"
M=$WORK/merged
# Shards in reverse order: merge orders them by their first packet.
merge --out "$M" $WORK/shard-3 $WORK/shard-1 $WORK/shard-2 $WORK/shard-0 2>"$WORK/err"
check_eq "merge of the 4 shards exits 0" 0 $?
check "  says how many were joined" grep -q "joined across seams" "$WORK/err"
check_eq "  only the four files, no staging directory left" \
	"attacks.csv flows.state summary.json timeseries.csv" "$(ls -A "$M" | sort | tr '\n' ' ' | sed 's/ $//')"
for f in attacks.csv timeseries.csv flows.state; do
	check "  $f byte-identical to the single run's" cmp "$WORK/single/$f" "$M/$f"
done

# compare SINGLE MERGED SHARD...: prints "ok <what>" or "not ok <what>" lines.
compare() {
	"$PYTHON3" - "$@" <<'PY'
import csv, json, sys

single, merged, shards = sys.argv[1], sys.argv[2], sys.argv[3:]

def rows(d):
    with open(d + "/attacks.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))

def report(ok, what):
    print(("ok " if ok else "not ok ") + what)

s_head, *s_rows = rows(single)
m_head, *m_rows = rows(merged)
col = {n: i for i, n in enumerate(s_head)}
report(s_head == m_head, "attacks.csv headers equal")
report([r[0] for r in m_rows] == [str(i + 1) for i in range(len(m_rows))],
       "attack_id numbers the merged rows 1..N")

# File time ranges, from the shards' summaries (ISO text compares as time).
files = []
for d in shards:
    for i in json.load(open(d + "/summary.json"))["inputs"]:
        files.append((i["first_packet"], i["last_packet"], d))
key = lambda r: (r[col["victim"]], r[col["protocol"]])
start = lambda r: r[col["start_time"]]
end = lambda r: r[col["end_time"]]
overlaps = lambda a, lo, hi: start(a) <= hi and end(a) >= lo
shard_rows = {d: rows(d)[1:] for d in shards}

inside = crossing = joined_equal = partial = 0
m_rest = {tuple(r[1:]) for r in m_rows}
bad = []
for r in s_rows:
    home = [f for f in files if f[0] <= start(r) and end(r) <= f[1]]
    if home:
        inside += 1
        if tuple(r[1:]) not in m_rest:
            bad.append("inside one file, not in the merge: " + ",".join(r[1:5]))
        continue
    crossing += 1
    touched = [f for f in files if overlaps(r, f[0], f[1])]
    parts = [p for f in touched for p in shard_rows[f[2]]
             if key(p) == key(r) and overlaps(p, start(r), end(r))]
    cands = [m for m in m_rows if key(m) == key(r) and overlaps(m, start(r), end(r))]
    if len(parts) == len(touched):  # every part passed the thresholds
        ok = (len(cands) == 1 and start(cands[0]) == start(r) and end(cands[0]) == end(r)
              and cands[0][col["packets"]] == r[col["packets"]]
              and cands[0][col["bytes"]] == r[col["bytes"]])
        joined_equal += ok
        if not ok:
            bad.append("across a seam, not joined to the same packets: " + ",".join(r[1:5]))
    else:
        partial += 1
        # The shards' edge flows (flows.state) join it whole all the same.
        if tuple(r[1:]) not in m_rest:
            bad.append("partly below thresholds, not joined whole: " + ",".join(r[1:5]))
for b in bad[:10]:
    print("# " + b)
report(inside > 0 and not [b for b in bad if b.startswith("inside")],
       "%d attacks inside one file: the same rows apart from attack_id" % inside)
report(joined_equal > 0 and not [b for b in bad if b.startswith("across")],
       "%d attacks across seams joined with the single run's packets and bytes (%d with a "
       "part below the thresholds)" % (joined_equal, partial))
report(partial > 0 and not [b for b in bad if b.startswith("partly")],
       "%d attacks with a part below the thresholds: joined whole" % partial)
# Every merged row is, or is part of, an attack of the single run.
orphans = [m for m in m_rows
           if not any(key(s) == key(m) and start(s) <= start(m) and end(m) <= end(s)
                      for s in s_rows)]
report(not orphans, "every merged row lies inside an attack of the single run")

def series(d):
    with open(d + "/timeseries.csv", newline="") as f:
        return [(b["bin_start"], b["bin_end"], b["packets"], b["packets_tcp"],
                 b["packets_udp"], b["packets_icmp"], b["packets_other"])
                for b in csv.DictReader(f)]
s_ts, m_ts = series(single), series(merged)
report(len(s_ts) > 0 and s_ts == m_ts,
       "timeseries.csv packet columns equal bin for bin (%d bins)" % len(s_ts))
sj, mj = (json.load(open(d + "/summary.json")) for d in (single, merged))
report(sj["counters"] == mj["counters"], "summary counters equal")
report(sj["time_range"] == mj["time_range"], "summary time range equal")
report(sj["parameters"] == mj["parameters"], "summary parameters equal")
report(sorted(i["uri"] for i in sj["inputs"]) == sorted(i["uri"] for i in mj["inputs"]),
       "summary inputs: the 4 files")
report(mj["flows"]["attacks"] == len(m_rows), "summary flows.attacks = merged rows")
report(mj["merged_from"] == shards, "merged_from lists the shards in capture order")
report(mj["command_line"].startswith("backscatter merge --out"), "command_line is merge's")
PY
}
compare "$WORK/single" "$M" $SHARDS >"$WORK/cmp"
while read -r status rest; do
	case $status in
	ok) pass "$rest" ;;
	not) fail "${rest#ok }" ;;
	*) echo "$status $rest" ;;
	esac
done <"$WORK/cmp"

# ---- ground truth ----
$SCORE --truth "$G/truth.csv" --attacks "$WORK/single/attacks.csv" >"$WORK/score.single"
$SCORE --truth "$G/truth.csv" --attacks "$M/attacks.csv" >"$WORK/score.merged"
echo "# single: $(head -1 "$WORK/score.single")"
echo "# merged: $(head -1 "$WORK/score.merged")"
check "single run: precision and recall >= 0.95" \
	$SCORE --truth "$G/truth.csv" --attacks "$WORK/single/attacks.csv" \
	--min-precision 0.95 --min-recall 0.95
check "merged: precision and recall >= 0.95" \
	$SCORE --truth "$G/truth.csv" --attacks "$M/attacks.csv" \
	--min-precision 0.95 --min-recall 0.95

# ---- shards of an older version: no flows.state ----
for i in 0 1 2 3; do
	cp -r "$WORK/shard-$i" "$WORK/old-$i"
	rm "$WORK/old-$i/flows.state"
done
cp "$M/flows.state" "$WORK/stale.state"
mkdir -p "$WORK/old-merged"
cp "$WORK/stale.state" "$WORK/old-merged/flows.state"
merge --out "$WORK/old-merged" "$WORK"/old-? 2>"$WORK/err"
check_eq "shards without flows.state: exit 0" 0 $?
check_eq "  one warning, naming the file and the estimated fields" 1 \
	"$(grep -c "warning: .*old-0 (and other shards) has no flows.state (written by an older version): .*telescope_addrs, victim_ports, attack_ports, top_port, peak_ppm and uniformity_a2 of joined attacks are estimates" "$WORK/err")"
check_eq "  the stale flows.state removed (it belonged to other results)" no \
	"$(exists "$WORK/old-merged/flows.state")"
# A flow cut by a seam into parts below the thresholds is lost to such
# shards; those are their merge's only misses.
check "  precision >= 0.95 and recall >= 0.85" \
	$SCORE --truth "$G/truth.csv" --attacks "$WORK/old-merged/attacks.csv" \
	--min-precision 0.95 --min-recall 0.85
cp "$WORK/shard-1/flows.state" "$WORK/old-1/"
merge --out "$WORK/old-mixed" "$WORK"/old-? 2>"$WORK/err"
check_eq "old and new shards together: exit 0" 0 $?
check "  the estimated join, as without any flows.state" cmp "$WORK/old-merged/attacks.csv" \
	"$WORK/old-mixed/attacks.csv"
check "  warns" grep -q "old-0 (and other shards) has no flows.state" "$WORK/err"

# ---- a shard given twice, in any position ----
merge --out "$WORK/twice" $SHARDS "$WORK/shard-1" 2>"$WORK/err"
check_eq "a shard given twice: exit 0" 0 $?
check "  with a warning naming it" grep -q "shard-1: the same inputs as .*shard-1: skipped" "$WORK/err"
check "  same attacks.csv as without it" cmp "$M/attacks.csv" "$WORK/twice/attacks.csv"
check "  same timeseries.csv" cmp "$M/timeseries.csv" "$WORK/twice/timeseries.csv"
check_eq "  summary lists 4 shards" 4 "$(json_get "$WORK/twice/summary.json" merged_from | tr ',' '\n' | wc -l)"

# ---- failures: nothing written, an existing result untouched ----
merge --out "$WORK/nothing" "$WORK/shard-0" "$WORK/no-such-shard" 2>"$WORK/err"
check_eq "missing shard directory: exit 1" 1 $?
check "  names the file" grep -q "no-such-shard/summary.json: No such file" "$WORK/err"
check_eq "  one line" 1 "$(wc -l <"$WORK/err")"
check_eq "  nothing written" no "$(exists "$WORK/nothing")"

cp -r "$M" "$WORK/keep"
"$BACKSCATTER" collect --quiet --telescope 10.0.0.0/9 --out "$WORK/other-tel" "$G/trace-001.pcap"
merge --out "$WORK/keep" "$WORK/shard-0" "$WORK/other-tel" 2>"$WORK/err"
check_eq "mismatched telescope: exit 1" 1 $?
check "  names the shard and the field" grep -q "other-tel: telescope .* differs" "$WORK/err"
check "  the existing attacks.csv is untouched" cmp "$M/attacks.csv" "$WORK/keep/attacks.csv"
check "  the existing summary.json is untouched" cmp "$M/summary.json" "$WORK/keep/summary.json"

collect --out "$WORK/first-two" "$G/trace-000.pcap" "$G/trace-001.pcap"
merge --out "$WORK/nothing" "$WORK/first-two" "$WORK/shard-1" 2>"$WORK/err"
check_eq "shards sharing a file: exit 1" 1 $?
check "  names both and the file" grep -q "shard-1 and .*first-two share the input .*trace-001.pcap" "$WORK/err"

touch "$WORK/a-file"
merge --out "$WORK/a-file/out" $SHARDS 2>"$WORK/err"
check_eq "unwritable --out: exit 1" 1 $?
check "  says why" grep -q "a-file/out: Not a directory" "$WORK/err"

# ---- an incomplete shard: written, exit 3 ----
cp -r "$WORK/shard-2" "$WORK/cut"
"$PYTHON3" - "$WORK/cut/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["complete"], s["partial_reason"] = False, "stopped by a signal"
json.dump(s, open(sys.argv[1], "w"))
PY
merge --out "$WORK/partial" "$WORK/shard-0" "$WORK/shard-1" "$WORK/cut" "$WORK/shard-3" 2>"$WORK/err"
check_eq "incomplete shard: exit 3" 3 $?
check "  warns about it" grep -q "cut is incomplete (stopped by a signal)" "$WORK/err"
check_eq "  summary complete = false" 0 "$(json_get "$WORK/partial/summary.json" complete)"
check "  attacks still written" cmp "$M/attacks.csv" "$WORK/partial/attacks.csv"

finish

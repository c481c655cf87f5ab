#!/usr/bin/env bash
# e2e_pieces.sh - `backscatter merge` is exact: shards collected over
# consecutive pieces of one capture merge into the attacks.csv and
# timeseries.csv, byte for byte, of one `collect` given all the pieces'
# files (collect treats its file boundaries as cuts too, so the reference
# is always one collect over the very files the shards were made from).
#
# One generated capture (data/gen/bsgen.py, the mixed scenario, 1.5 h,
# attacks of up to 1.4 h, so many cross every cut) is cut in several ways:
#   (a) at file boundaries: bsgen --files 5, one shard per file;
#   (b) at random packets (python random, fixed seed; one piece holds one
#       packet), with editcap -r, which writes pcapng unless told -F pcap:
#       these pieces stay pcapng; and the same pieces plus an empty pcap;
#   (c) every 7 minutes with editcap -i 420, so pieces end inside attacks;
#   (d) the 7-minute shards merged in two halves, then the two merged
#       directories merged;
#   (e) the 7-minute shards given to merge in reverse and shuffled order;
#   (f) the second half of the 7-minute pieces shifted by an hour (editcap
#       -t 3600): a gap longer than the flow timeout joins nothing; and the
#       shifted capture as one file cut again every 7 minutes, which gives
#       pieces with no packet inside the gap (editcap -i writes them, each
#       named after the time of the next packet, not of its interval);
#   (g) the 7-minute cutting with --preset moore;
#   (g2) the multivector scenario cut every 7 minutes: attacks on one
#       victim over several protocols (vector_group) across the cuts;
# then flows.state gone wrong: (h) a flipped byte, a truncated file, another
# format version: exit 1, one line naming the file, nothing written; (i) no
# flows.state at all (a shard of an older version): a warning, a result.
# Finally report: of the merged directory, and over the shards directly,
# the same tables as of the one collect.
. "$TOPSRC/tests/lib.sh"

TEL=10.0.0.0/8
G=$WORK/gen
COPTS=() # collect options of the cutting being run (merge takes them from the shards)

collect() { "$BACKSCATTER" collect --quiet --telescope "$TEL" "${COPTS[@]}" "$@"; }
merge() { "$BACKSCATTER" merge "$@"; }
exists() { [ -e "$1" ] && echo yes || echo no; }
shards_of() { ls -d "$1"/[0-9][0-9][0-9]; } # the shards of a cutting, in capture order

# same WHAT REF GOT: attacks.csv and timeseries.csv of GOT are those of REF byte for byte.
same() {
	local what=$1 ref=$2 got=$3 f
	for f in attacks.csv timeseries.csv; do
		if cmp -s "$ref/$f" "$got/$f"; then
			pass "$what: $f byte-identical"
		else
			fail "$what: $f byte-identical"
			diff "$ref/$f" "$got/$f" 2>&1 | head -n 8 | sed 's/^/#   /'
		fi
	done
}

# merged WHAT OUT SHARD...: merge exits 0 and writes flows.state too.
merged() {
	local what=$1 out=$2
	shift 2
	merge --out "$out" "$@" 2>"$WORK/merge.err"
	local rc=$?
	check_eq "$what: merge exits 0" 0 $rc
	[ "$rc" = 0 ] || sed 's/^/#   /' "$WORK/merge.err" | head -n 3
	check_eq "$what: merged dir has flows.state" yes "$(exists "$out/flows.state")"
}

# pieces NAME FILE...: one collect over all FILEs ($WORK/NAME/one), one
# collect per FILE ($WORK/NAME/000, 001, ...), the shards merged in capture
# order ($WORK/NAME/merged) and compared with the one collect.
pieces() {
	local name=$1 d=$WORK/$1 i=0 bad=0 missing=0 f s
	shift
	mkdir -p "$d"
	collect --out "$d/one" "$@"
	check_eq "$name: one collect over the $# pieces exits 0" 0 $?
	# Not merge's business, but it proves the cutting lost no packet.
	check_eq "$name: the pieces hold the capture's $NPKT packets" "$NPKT" \
		"$(json_get "$d/one/summary.json" counters.packets)"
	for f in "$@"; do
		s=$d/$(printf %03d $i)
		collect --out "$s" "$f" || bad=$((bad + 1))
		[ -f "$s/flows.state" ] || missing=$((missing + 1))
		i=$((i + 1))
	done
	check_eq "$name: collect of each piece alone exits 0" 0 $bad
	check_eq "$name: shards without flows.state" 0 $missing
	# shellcheck disable=SC2046
	merged "$name" "$d/merged" $(shards_of "$d")
	same "$name: merge of $# shards vs one collect" "$d/one" "$d/merged"
	check_eq "$name: summary counters of the merge = of the one collect" \
		"$(json_get "$d/one/summary.json" counters)" "$(json_get "$d/merged/summary.json" counters)"
}

# ---- the capture: 1.5 h, about 35 attacks ----
$GEN --scenario mixed --seed 11 --files 1 --victims 60 --hours 1.5 --out "$G" --quiet
CAP=$G/trace-000.pcap
NPKT=$(json_get "$G/truth.json" packets)
echo "# capture: $NPKT packets, $(json_get "$G/truth.json" expected_rsdos) rsdos attacks expected"
collect --out "$WORK/whole" "$CAP"
check_eq "collect over the whole capture exits 0" 0 $?

# ---- (a) file boundaries: the same packets in 5 files ----
$GEN --scenario mixed --seed 11 --files 5 --victims 60 --hours 1.5 --out "$WORK/gen5" --quiet
pieces files "$WORK/gen5"/trace-00[0-4].pcap
# collect stitches its files exactly, so every reference is the whole capture's result.
same "files: one collect over the 5 files vs over the whole capture" "$WORK/whole" "$WORK/files/one"

# ---- (b) random packets ----
mkdir -p "$WORK/rnd"
# 6 cut points drawn with a fixed seed, and a piece of a single packet: at
# most 9 pieces, p0 .. p8.
"$PYTHON3" - "$NPKT" >"$WORK/rnd/ranges" <<'PY'
import random, sys
n = int(sys.argv[1])
rng = random.Random(20261124)
cuts = sorted(rng.sample(range(2, n + 1), 6))
one = min(cuts[2] + 1 + rng.randrange(1000), n - 1)  # one..one: a piece of one packet
cuts = sorted(set(cuts + [one, one + 1]))
first = [1] + cuts
last = [c - 1 for c in cuts] + [n]
for a, b in zip(first, last):
    print("%d-%d" % (a, b))
PY
i=0
while read -r range; do
	editcap -r "$CAP" "$WORK/rnd/p$i.pcapng" "$range"
	i=$((i + 1))
done <"$WORK/rnd/ranges"
echo "# random cuts, packet ranges: $(tr '\n' ' ' <"$WORK/rnd/ranges")"
pieces random "$WORK"/rnd/p[0-9].pcapng
same "random: one collect over the pieces vs over the whole capture" "$WORK/whole" "$WORK/random/one"
# The same pieces and an empty pcap (its header only) after the third.
head -c 24 "$CAP" >"$WORK/rnd/p2e.pcap"
pieces random-empty "$WORK"/rnd/p[0-2].pcapng "$WORK/rnd/p2e.pcap" "$WORK"/rnd/p[3-9].pcapng
same "random-empty: merge vs the merge without the empty shard" "$WORK/random/merged" \
	"$WORK/random-empty/merged"

# ---- (c) every 7 minutes ----
mkdir -p "$WORK/min7"
editcap -F pcap -i 420 "$CAP" "$WORK/min7/p.pcap"
P7=("$WORK"/min7/p_*.pcap)
echo "# 7-minute pieces: ${#P7[@]}"
pieces min7 "${P7[@]}"
same "min7: one collect over the pieces vs over the whole capture" "$WORK/whole" "$WORK/min7/one"
mapfile -t S7 < <(shards_of "$WORK/min7")
H=$((${#S7[@]} / 2))

# ---- (d) hierarchical: two halves, then the halves ----
merged "halves: first" "$WORK/half1" "${S7[@]:0:H}"
merged "halves: second" "$WORK/half2" "${S7[@]:H}"
collect --out "$WORK/half1-one" "${P7[@]:0:H}"
same "halves: merge of the first $H shards vs one collect over their pieces" \
	"$WORK/half1-one" "$WORK/half1"
merged "halves: of the halves" "$WORK/halves" "$WORK/half1" "$WORK/half2"
same "halves: merge of the two merged halves vs one collect" "$WORK/min7/one" "$WORK/halves"
# The second half with a shard of no packets (the empty pcap's, from (b)):
# it has no place in capture order and must not become the merge's first,
# or the merged half loses its leading edge flows and cannot join again.
merged "halves: second with an empty shard" "$WORK/half2e" "$WORK/random-empty/003" "${S7[@]:H}"
same "halves: second half with an empty shard vs without" "$WORK/half2" "$WORK/half2e"
merged "halves: of the halves, one with an empty shard" "$WORK/halves-e" "$WORK/half1" \
	"$WORK/half2e"
same "halves: merge of the halves, one with an empty shard, vs one collect" "$WORK/min7/one" \
	"$WORK/halves-e"

# ---- (e) shards in reverse and in shuffled order ----
mapfile -t R7 < <(printf '%s\n' "${S7[@]}" | tac)
merged "reverse" "$WORK/reverse" "${R7[@]}"
same "reverse: merge of the shards in reverse order vs one collect" "$WORK/min7/one" "$WORK/reverse"
mapfile -t X7 < <("$PYTHON3" -c 'import random, sys
a = sys.argv[1:]
random.Random(7).shuffle(a)
print("\n".join(a))' "${S7[@]}")
merged "shuffled" "$WORK/shuffled" "${X7[@]}"
same "shuffled: merge of the shards in shuffled order vs one collect" "$WORK/min7/one" "$WORK/shuffled"

# ---- (f) a gap of an hour between the halves ----
mkdir -p "$WORK/gap"
for f in "${P7[@]:H}"; do
	editcap -F pcap -t 3600 "$f" "$WORK/gap/$(basename "$f")"
done
G7=("${P7[@]:0:H}" "$WORK"/gap/p_*.pcap)
pieces gap "${G7[@]}"
# Nothing joins across the gap: no attack starts before it and ends after it.
gap_lo=$(json_get "$WORK/gap/$(printf %03d $((H - 1)))/summary.json" time_range.last_packet)
gap_hi=$(json_get "$WORK/gap/$(printf %03d $H)/summary.json" time_range.first_packet)
check_eq "gap: no merged attack spans the gap ($gap_lo to $gap_hi)" 0 \
	"$("$PYTHON3" -c 'import csv, sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1]))
          if r["start_time"] <= sys.argv[2] and r["end_time"] >= sys.argv[3]))' \
		"$WORK/gap/merged/attacks.csv" "$gap_lo" "$gap_hi")"
# The shifted capture as one pcap (the pieces after the first without
# their 24-byte header), cut every 7 minutes again: editcap -i also writes
# the 7-minute pieces inside the gap, with no packet in them.
{ cat "${G7[0]}"; for f in "${G7[@]:1}"; do tail -c +25 "$f"; done; } >"$WORK/gap.pcap"
mkdir -p "$WORK/gapcut"
editcap -F pcap -i 420 "$WORK/gap.pcap" "$WORK/gapcut/p.pcap"
GC=("$WORK"/gapcut/p_*.pcap)
empty=0
for f in "${GC[@]}"; do [ "$(stat -c %s "$f")" -gt 24 ] || empty=$((empty + 1)); done
echo "# the shifted capture cut every 7 minutes: ${#GC[@]} pieces, $empty without packets"
pieces gapcut "${GC[@]}"
same "gapcut: one collect vs the one collect over the shifted 7-minute pieces" \
	"$WORK/gap/one" "$WORK/gapcut/one"

# ---- (g) --preset moore ----
COPTS=(--preset moore)
pieces moore "${P7[@]}"
COPTS=()
check_eq "moore: the shards say preset moore" moore \
	"$(json_get "$WORK/moore/000/summary.json" parameters.preset)"

# ---- (g2) multi-vector attacks cut into pieces ----
# The multivector scenario (data/gen/README.md) as one file cut every 7
# minutes: vector_group is computed from the merged list, so the merge
# still equals the one collect byte for byte, groups included; and groups
# over several protocols do cross the cuts (a group longer than a piece).
MV=$WORK/mvgen
$GEN --scenario multivector --seed 11 --files 1 --out "$MV" --quiet
NPKT_CAP=$NPKT
NPKT=$(json_get "$MV/truth.json" packets)
mkdir -p "$WORK/mv7"
editcap -F pcap -i 420 "$MV/trace-000.pcap" "$WORK/mv7/p.pcap"
pieces mv7 "$WORK"/mv7/p_*.pcap
NPKT=$NPKT_CAP
cut_groups() { # cut_groups ATTACKS: how many groups of several protocols last over 420 s
	"$PYTHON3" - "$1" <<'PY'
import csv, datetime, sys
def t(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
groups = {}
for a in csv.DictReader(open(sys.argv[1], newline="")):
    g = groups.setdefault(a["vector_group"], [set(), t(a["start_time"]), t(a["end_time"])])
    g[0].add(a["protocol"])
    g[1], g[2] = min(g[1], t(a["start_time"])), max(g[2], t(a["end_time"]))
print(sum(len(p) > 1 and (b - a).total_seconds() > 420 for p, a, b in groups.values()))
PY
}
n=$(cut_groups "$WORK/mv7/merged/attacks.csv")
check "mv7: $n multi-vector groups span more than one 7-minute piece" test "${n:-0}" -gt 0

# ---- (h) flows.state gone wrong: exit 1, one line naming it, nothing written ----
mkdir -p "$WORK/bad"
MID=$(printf %03d "$H")
# corrupt HOW: the 7-minute shards with the middle one's flows.state spoilt, merged.
corrupt() {
	local how=$1 d=$WORK/bad/$1 st len off b
	mkdir -p "$d"
	for s in "${S7[@]}"; do cp -r "$s" "$d/"; done
	st=$d/$MID/flows.state
	cp "$WORK/min7/$MID/flows.state" "$st"
	len=$(stat -c %s "$st")
	case $how in
	flipped)
		off=$((len / 2))
		b=$(od -An -tu1 -j "$off" -N1 "$st" | tr -d ' ')
		# shellcheck disable=SC2059
		printf "\\$(printf %03o $((b ^ 255)))" | dd of="$st" bs=1 seek="$off" conv=notrunc status=none
		;;
	truncated) truncate -s $((len / 2)) "$st" ;;
	version) printf '\143\0\0\0' | dd of="$st" bs=1 seek=8 conv=notrunc status=none ;; # 99
	esac
	# shellcheck disable=SC2046
	merge --out "$d/out" $(shards_of "$d") 2>"$d/err"
	check_eq "flows.state $how: merge exits 1" 1 $?
	check_eq "  one line on stderr" 1 "$(wc -l <"$d/err")"
	check "  naming the file" grep -qF "$st" "$d/err"
	check_eq "  no attacks.csv in --out" no "$(exists "$d/out/attacks.csv")"
	[ -s "$d/err" ] && sed 's/^/#   /' "$d/err" | head -n 2
}
corrupt flipped
corrupt truncated
corrupt version

# ---- (i) a shard without flows.state (an older version's): a warning ----
d=$WORK/old
mkdir -p "$d"
for s in "${S7[@]}"; do cp -r "$s" "$d/"; done
rm -f "$d/$MID/flows.state"
# shellcheck disable=SC2046
merge --out "$d/out" $(shards_of "$d") 2>"$d/err"
rc=$?
check "no flows.state in a shard: merge exits 0 or 3 (got $rc)" test "$rc" = 0 -o "$rc" = 3
check_eq "  one warning line naming flows.state" 1 "$(grep -c 'flows\.state' "$d/err")"
check_eq "  attacks.csv written" yes "$(exists "$d/out/attacks.csv")"
sed 's/^/#   stderr: /' "$d/err" | head -n 4

# ---- report: of the merge, and over the shards, as of the one collect ----
# report_tables FILE: report.md without what names or counts directories
# (the Inputs section, the Directories row, the directory count, the
# duplicate rows across directories).
report_tables() {
	sed -e '/^## Inputs/,/^Made by/{/^Made by/!d}' -e '/^| Directories |/d' \
		-e 's/ from [0-9]* collect director\(y\|ies\)\././' \
		-e 's/ ([0-9]* duplicate rows across directories counted once)//' "$1"
}
# same_report WHAT REF GOT: report_tables of two report.md equal.
same_report() {
	if [ -f "$2/report.md" ] && [ -f "$3/report.md" ] &&
		diff <(report_tables "$2/report.md") <(report_tables "$3/report.md") >"$WORK/rdiff"; then
		pass "$1"
	else
		fail "$1"
		head -n 8 "$WORK/rdiff" | sed 's/^/#   /'
	fi
}
"$BACKSCATTER" report --quiet --format md --out "$WORK/rep-one" "$WORK/min7/one"
check_eq "report of the one collect exits 0" 0 $?
"$BACKSCATTER" report --quiet --format md --out "$WORK/rep-merged" "$WORK/min7/merged"
check_eq "report of the merge exits 0" 0 $?
same_report "report.md of the merge = of the one collect (tables)" "$WORK/rep-one" "$WORK/rep-merged"
"$BACKSCATTER" report --quiet --format md --out "$WORK/rep-shards" "${S7[@]}"
check_eq "report over the ${#S7[@]} shards exits 0" 0 $?
same_report "report.md over the shards = of the one collect (tables)" "$WORK/rep-one" "$WORK/rep-shards"

# ---- (j) nights: run --previous, and the report over both nights ----
# A capture from 22:30 to 02:30 UTC cut at midnight: night 1 and night 2.
N=$WORK/nights
$GEN --scenario mixed --seed 5 --files 1 --victims 60 --start 2026-11-24T22:30:00Z \
	--out "$N/gen" --quiet
TZ=UTC editcap -F pcap -B "2026-11-25 00:00:00" "$N/gen/trace-000.pcap" "$N/night1.pcap"
TZ=UTC editcap -F pcap -A "2026-11-25 00:00:00" "$N/gen/trace-000.pcap" "$N/night2.pcap"
run() { "$BACKSCATTER" run --quiet --telescope "$TEL" "$@"; }
attacks_in() { sed -n 's/^DoS attacks inferred from darknet backscatter: \([0-9]*\) attacks.*/\1/p' "$1/report.md"; }
run --out "$N/one" "$N/night1.pcap" "$N/night2.pcap" >/dev/null
run --out "$N/n1" "$N/night1.pcap" >/dev/null
run --previous "$N/n1" --out "$N/n2" "$N/night2.pcap" >/dev/null
check_eq "run --previous: exit 0" 0 $?
run --out "$N/n2-alone" "$N/night2.pcap" >/dev/null
check "  attacks across midnight: night 2 alone counts them again" \
	test "$(($(attacks_in "$N/n1") + $(attacks_in "$N/n2-alone")))" -gt "$(attacks_in "$N/one")"
check_eq "  night 1 + night 2 with --previous = one run over both" "$(attacks_in "$N/one")" \
	"$(($(attacks_in "$N/n1") + $(attacks_in "$N/n2")))"
check_eq "  night 2's own attacks.csv is its piece's (merge needs it)" \
	"$(cat "$N/n2-alone/attacks.csv")" "$(cat "$N/n2/attacks.csv")"
"$BACKSCATTER" report --quiet --format md --out "$N/both" "$N/n1" "$N/n2"
same_report "report over the two nights = over one run (tables)" "$N/one" "$N/both"
"$BACKSCATTER" run --telescope "$TEL" --previous "$N/missing" --out "$N/n3" "$N/night2.pcap" \
	>/dev/null 2>"$WORK/err"
check_eq "run --previous a night never written: exit 3 (a warning)" 3 $?
check_eq "  one warning naming its summary.json" 1 \
	"$(grep -c "warning: --previous: .*missing/summary.json: .*; the night is reported alone" "$WORK/err")"
check_eq "  the night reported alone, as without --previous" "$(attacks_in "$N/n2-alone")" \
	"$(attacks_in "$N/n3")"
"$BACKSCATTER" collect --telescope "$TEL" --previous "$N/n1" --out "$N/x" "$N/night2.pcap" \
	>/dev/null 2>&1
check_eq "collect --previous: a usage error (exit 2)" 2 $?

finish

#!/usr/bin/env bash
# e2e_errors.sh - every error of every command is one line, whatever the
# input it quotes. Each case below makes collect, merge, report or run fail
# on a name, a value or a file cell holding a line break or a control
# character, and checks that standard error holds exactly the expected
# number of lines, each starting with "backscatter: " (a message broken in
# two leaves a line that does not) and none holding a control character.
. "$TOPSRC/tests/lib.sh"

NL=$'\n'
CTL=$'\x01\x1b[31m'

# one_line_errors "what" LINES STATUS command...: the command exits with
# STATUS and prints LINES lines on stderr, each a whole message.
one_line_errors() {
	local what=$1 lines=$2 status=$3 rc n bad
	shift 3
	"$@" >/dev/null 2>"$WORK/err"
	rc=$?
	n=$(wc -l <"$WORK/err")
	bad=$(grep -cv '^backscatter: ' "$WORK/err")
	if [ "$rc" = "$status" ] && [ "$n" = "$lines" ] && [ "$bad" = 0 ] &&
		! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$WORK/err"); then
		pass "$what: exit $status, $lines whole line(s)"
	else
		fail "$what: exit $rc (want $status), $n line(s) (want $lines), $bad broken"
		sed 's/^/#   /' "$WORK/err" | cat -v
	fi
}

bs() { "$BACKSCATTER" "$@"; }

# ---- a good collect directory to spoil ----
$GEN --scenario synack --seed 3 --out "$WORK/gen" --quiet
bs collect --quiet --telescope 10.0.0.0/8 --out "$WORK/good" "$WORK/gen/trace-000.pcap"
check_eq "collect of the good trace" 0 $?

spoil() { # spoil DIR: a copy of the good directory to break
	rm -rf "$1"
	cp -r "$WORK/good" "$1"
}

# ---- collect ----
printf 'not a trace\n' >"$WORK/bad${NL}name${CTL}.pcap"
one_line_errors "collect: unreadable trace named with a line break" 2 1 \
	bs collect --quiet --telescope 10.0.0.0/8 --out "$WORK/o1" "$WORK/bad${NL}name${CTL}.pcap"
one_line_errors "collect: missing trace named with a line break" 2 1 \
	bs collect --quiet --telescope 10.0.0.0/8 --out "$WORK/o2" "$WORK/no${NL}such${CTL}.pcap"
one_line_errors "collect: a bad --telescope value with a line break" 1 2 \
	bs collect --telescope "10.0.0.1/8${NL}x${CTL}" --out "$WORK/o3" "$WORK/gen/trace-000.pcap"
one_line_errors "collect: an unknown option with a line break" 1 2 \
	bs collect "--bo${NL}gus${CTL}" --telescope 10.0.0.0/8 --out "$WORK/o4" "$WORK/gen/trace-000.pcap"
one_line_errors "collect: a --geo-db that does not exist, named with a line break" 1 1 \
	bs collect --quiet --telescope 10.0.0.0/8 --geo-db "$WORK/no${NL}db${CTL}.mmdb" --out "$WORK/o5" \
	"$WORK/gen/trace-000.pcap"
printf 'not a database\n' >"$WORK/fake${NL}db.mmdb"
one_line_errors "collect: a --asn-db that is not a database, named with a line break" 1 1 \
	bs collect --quiet --telescope 10.0.0.0/8 --asn-db "$WORK/fake${NL}db.mmdb" --out "$WORK/o6" \
	"$WORK/gen/trace-000.pcap"
printf 'x' >"$WORK/a${NL}file${CTL}"
one_line_errors "collect: --out under a file, named with a line break" 1 1 \
	bs collect --quiet --telescope 10.0.0.0/8 --out "$WORK/a${NL}file${CTL}/out" "$WORK/gen/trace-000.pcap"
one_line_errors "collect: a --filter that does not compile, with a line break" 1 2 \
	bs collect --quiet --telescope 10.0.0.0/8 --filter "tcp and${NL}bogus${CTL}" --out "$WORK/o7" \
	"$WORK/gen/trace-000.pcap"

# ---- merge ----
spoil "$WORK/json"
printf '"\\\n' >"$WORK/json/summary.json"
one_line_errors "merge: summary.json with a broken escape before a line break" 1 1 \
	bs merge --out "$WORK/m1" "$WORK/json"
spoil "$WORK/cell"
"$PYTHON3" - "$WORK/cell/attacks.csv" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
cells = lines[1].split(",")
cells[2] = '"TCP\n\x01\x1b[31m"'
lines[1] = ",".join(cells)
open(p, "w").write("\n".join(lines))
PY
one_line_errors "merge: an attacks.csv cell holding a line break" 1 1 \
	bs merge --out "$WORK/m2" "$WORK/cell"
one_line_errors "merge: a shard directory named with a line break" 1 1 \
	bs merge --out "$WORK/m3" "$WORK/no${NL}shard${CTL}"
spoil "$WORK/key"
"$PYTHON3" - "$WORK/key/summary.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["parameters"]["preset"] = "rsdos\n\x01bad"
json.dump(d, open(p, "w"))
PY
one_line_errors "merge: two shards whose presets differ by a line break" 1 1 \
	bs merge --out "$WORK/m4" "$WORK/good" "$WORK/key"

# ---- report ----
one_line_errors "report: summary.json with a broken escape before a line break" 1 1 \
	bs report --quiet --out "$WORK/r1" "$WORK/json"
one_line_errors "report: an attacks.csv cell holding a line break" 1 1 \
	bs report --quiet --out "$WORK/r2" "$WORK/cell"
one_line_errors "report: a directory named with a line break" 1 1 \
	bs report --quiet --out "$WORK/r3" "$WORK/no${NL}dir${CTL}"
one_line_errors "report: a --since with a line break" 1 2 \
	bs report --quiet --since "2026-11-24${NL}${CTL}" --out "$WORK/r4" "$WORK/good"
one_line_errors "report: --plots-dir without templates, named with a line break" 1 2 \
	bs report --quiet --plots-dir "$WORK/no${NL}plots${CTL}" --out "$WORK/r5" "$WORK/good"

# ---- run ----
one_line_errors "run: unreadable trace named with a line break" 2 1 \
	bs run --quiet --telescope 10.0.0.0/8 --out "$WORK/u1" "$WORK/bad${NL}name${CTL}.pcap"
one_line_errors "run: an unknown option with a line break" 1 2 \
	bs run "--x${NL}y" --telescope 10.0.0.0/8 --out "$WORK/u2" "$WORK/gen/trace-000.pcap"
finish

#!/usr/bin/env bash
# e2e_nightly.sh - the config file (--config) and the nightly job
# (run --night) end to end, on a generated capture from 22:30 to 02:30 UTC
# cut at midnight into two nights laid out as an operator's capture tree,
# CAPTURES/YYYY-MM-DD/*.pcap, the second night in two hourly files:
#   (a) the config file: values checked as on the command line and named
#       by file and line, unknown names, flags, repeats, the command line
#       winning, another command's names ignored, unreadable files: exit 2
#       and nothing written;
#   (b) a night done from the config alone: OUT-ROOT/DATE holds what
#       `run --out` writes over the same files, its report made with the
#       file's report options (top); done again: left alone; --redo: done
#       again; run --config passes report's options (top, format) to its
#       report, which goes to run's --out whatever out the file names, and
#       a bad one stops run before anything is written;
#   (c) a night whose captures are not complete (fewer files than
#       expect-files, a file still being written, none at all): exit 75,
#       one line saying why, no night directory;
#   (d) the second night joined to the first (--previous worked out):
#       the two nights' reports count what one run over both counts;
#   (e) --night yesterday, and the default config file;
#   (f) two runs of a night at once: the one that holds the out-root's lock
#       writes, the other exits 75 with one line naming the lock and the
#       night, and writes nothing.
. "${TOPSRC:?TOPSRC must name the source tree}/tests/lib.sh" || exit 1

TEL=10.0.0.0/8
C=$WORK/captures
ROOT=$WORK/root
N1=2026-11-24
N2=2026-11-25
mkdir -p "$C/$N1" "$C/$N2" "$ROOT"
$GEN --scenario mixed --seed 5 --files 1 --victims 60 --start 2026-11-24T22:30:00Z \
	--out "$WORK/gen" --quiet
TZ=UTC editcap -F pcap -B "$N2 00:00:00" "$WORK/gen/trace-000.pcap" "$C/$N1/22.pcap"
TZ=UTC editcap -F pcap -A "$N2 00:00:00" -B "$N2 01:00:00" "$WORK/gen/trace-000.pcap" \
	"$C/$N2/00.pcap"
TZ=UTC editcap -F pcap -A "$N2 01:00:00" "$WORK/gen/trace-000.pcap" "$C/$N2/01.pcap"
# Finished files: last written an hour ago.
touch -d '1 hour ago' "$C"/*/*.pcap

CONF=$WORK/backscatter.conf
cat >"$CONF" <<EOF
# the nightly job of e2e_nightly.sh
telescope = $TEL
captures = $C/%Y-%m-%d/*.pcap
out-root = $ROOT
expect-files = 1
quiet
# report's: run's report takes it
top = 5
EOF

attacks_in() { sed -n 's/^DoS attacks inferred from darknet backscatter: \([0-9]*\) attacks.*/\1/p' "$1/report.md"; }
night() { "$BACKSCATTER" run --config "$CONF" --night "$@"; }

# ---- (a) the config file ----
# conf NAME LINE...: a config file made of the lines.
conf() {
	local f=$WORK/$1
	shift
	printf '%s\n' "$@" >"$f"
	echo "$f"
}
# usage_case WHAT EXPECTED_MESSAGE COMMAND...: exit 2, that one line, nothing written.
usage_case() {
	local what=$1 msg=$2
	shift 2
	rm -rf "$WORK/x"
	"$@" >"$WORK/out" 2>"$WORK/err"
	check_eq "$what: exit 2" 2 $?
	check_eq "$what: one line" "$msg" "$(cat "$WORK/err")"
	check_eq "$what: nothing written" no "$([ -e "$WORK/x" ] && echo yes || echo no)"
}
S=$C/$N1/22.pcap
f=$(conf bad-number.conf "telescope = $TEL" "" "min-ppm = many")
usage_case "a bad number" "backscatter: collect: $f:3: --min-ppm: 'many' is not a whole number" \
	"$BACKSCATTER" collect --config "$f" --out "$WORK/x" "$S"
f=$(conf bad-prefix.conf "telescope = 10.0.0.1/8")
usage_case "a bad prefix" \
	"backscatter: run: $f:1: --telescope: '10.0.0.1/8' is not a valid prefix list (invalid argument)" \
	"$BACKSCATTER" run --config "$f" --out "$WORK/x" "$S"
f=$(conf bad-preset.conf "# x" "preset = fast")
usage_case "a bad preset" "backscatter: collect: $f:2: --preset: 'fast' is not rsdos or moore" \
	"$BACKSCATTER" collect --config "$f" --telescope "$TEL" --out "$WORK/x" "$S"
f=$(conf unknown.conf "telescope = $TEL" "min_ppm = 3")
usage_case "a name that is not one" \
	"backscatter: collect: $f:2: 'min_ppm' is not an option name (a-z, 0-9 and '-', without '--')" \
	"$BACKSCATTER" collect --config "$f" --out "$WORK/x" "$S"
f=$(conf unknown2.conf "telescope = $TEL" "colour = red")
usage_case "a name no command takes" "backscatter: collect: $f:2: 'colour' is not an option of any command" \
	"$BACKSCATTER" collect --config "$f" --out "$WORK/x" "$S"
f=$(conf flag.conf "telescope = $TEL" "quiet = yes")
usage_case "a flag with a value" \
	"backscatter: collect: $f:2: quiet is a flag: give it alone, or = true or false" \
	"$BACKSCATTER" collect --config "$f" --out "$WORK/x" "$S"
f=$(conf twice.conf "telescope = $TEL" "jobs = 1" "jobs = 2")
usage_case "an option given twice" "backscatter: collect: $f:3: jobs given twice (first on line 2)" \
	"$BACKSCATTER" collect --config "$f" --out "$WORK/x" "$S"
f=$(conf novalue.conf "telescope = $TEL" "out")
usage_case "an option without its value" "backscatter: collect: $f:2: out needs a value (out = DIR)" \
	"$BACKSCATTER" collect --config "$f" "$S"
f=$(conf report-top.conf "top = 0")
usage_case "another command's option, checked by it" \
	"backscatter: report: $f:1: --top: 0 is outside 1..100000" \
	"$BACKSCATTER" report --config "$f" --out "$WORK/x" "$WORK"
usage_case "a config file that is not there" \
	"backscatter: merge: $WORK/none.conf: No such file or directory" \
	"$BACKSCATTER" merge --config "$WORK/none.conf" --out "$WORK/x" "$WORK"
usage_case "a night of a bad config: nothing runs" \
	"backscatter: run: $WORK/bad-number.conf:3: --min-ppm: 'many' is not a whole number" \
	"$BACKSCATTER" run --config "$WORK/bad-number.conf" --night "$N1" --out-root "$WORK/x"

# Two telescopes in the file (a repeatable option), and another
# command's options (top), ignored by collect.
f=$(conf two.conf "telescope = 10.0.0.0/9" "telescope = 10.128.0.0/9" "top = 5" "quiet")
"$BACKSCATTER" collect --config "$f" --out "$WORK/two" "$S" >"$WORK/out" 2>&1
check_eq "two telescope lines and report's top: collect exits 0" 0 $?
check_eq "  quiet from the file: nothing said" "" "$(cat "$WORK/out")"
check_eq "  the telescope is both lines" "10.0.0.0/9,10.128.0.0/9" \
	"$(json_get "$WORK/two/summary.json" parameters.telescope)"
# The command line wins, a repeatable option included (no overlap error).
f=$(conf strict.conf "telescope = $TEL" "min-packets = 1000000" "quiet = false")
"$BACKSCATTER" collect --quiet --config "$f" --telescope "$TEL" --min-packets 25 \
	--out "$WORK/cl" "$S" >"$WORK/out" 2>&1
check_eq "the command line wins: exit 0" 0 $?
"$BACKSCATTER" collect --quiet --telescope "$TEL" --out "$WORK/ref" "$S"
check_eq "  same attacks as without the file" "$(cat "$WORK/ref/attacks.csv")" \
	"$(cat "$WORK/cl/attacks.csv")"
"$BACKSCATTER" collect --config "$f" --out "$WORK/strict" "$S" 2>/dev/null
check_eq "  and the file's min-packets when the command line says nothing" 0 \
	"$(csv_rows "$WORK/strict/attacks.csv")"

# ---- (b) a night from the config alone; done: left alone; --redo ----
night "$N1" >"$WORK/out" 2>&1
check_eq "night 1: exit 0" 0 $?
check_eq "  quiet: nothing said" "" "$(cat "$WORK/out")"
"$BACKSCATTER" run --quiet --telescope "$TEL" --out "$WORK/n1ref" "$S" >/dev/null
check_eq "  OUT-ROOT/$N1/attacks.csv is run --out's over the night's files" \
	"$(cat "$WORK/n1ref/attacks.csv")" "$(cat "$ROOT/$N1/attacks.csv")"
check_eq "  and its report counts the same attacks" "$(attacks_in "$WORK/n1ref")" \
	"$(attacks_in "$ROOT/$N1")"
check "  report.html and plots written" test -s "$ROOT/$N1/report.html" -a -d "$ROOT/$N1/plots"
# services_top DIR: N of "the top N by attacks" in the attacked services.
services_top() { sed -n 's/.* in all; the top \([0-9]*\) by attacks\.$/\1/p' "$1/report.md"; }
check_eq "  its report takes top from the config file" 5 "$(services_top "$ROOT/$N1")"
check_eq "  (report's default without the file)" 10 "$(services_top "$WORK/n1ref")"
before=$(stat -c %i.%Y "$ROOT/$N1/summary.json")
sleep 1
f=$(conf loud.conf "telescope = $TEL" "captures = $C/%Y-%m-%d/*.pcap" "out-root = $ROOT")
"$BACKSCATTER" run --config "$f" --night "$N1" >"$WORK/out" 2>"$WORK/err"
check_eq "night 1 again: exit 0" 0 $?
check_eq "  one line: done already" \
	"backscatter: run: night $N1 is done already ($ROOT/$N1); --redo does it again" \
	"$(cat "$WORK/err")"
check_eq "  its summary.json left alone" "$before" "$(stat -c %i.%Y "$ROOT/$N1/summary.json")"
night "$N1" --redo >/dev/null 2>&1
check_eq "night 1 --redo: exit 0" 0 $?
check "  summary.json written again" test "$before" != "$(stat -c %i.%Y "$ROOT/$N1/summary.json")"
check_eq "  the same attacks" "$(cat "$WORK/n1ref/attacks.csv")" "$(cat "$ROOT/$N1/attacks.csv")"

# run --config: report's options reach its report, which goes to --out
f=$(conf run-report.conf "telescope = $TEL" "top = 2" "format = md" "out = $WORK/elsewhere" "quiet")
"$BACKSCATTER" run --config "$f" --out "$WORK/rr" "$S" >"$WORK/out" 2>&1
check_eq "run --config with report's options: exit 0" 0 $?
check_eq "  top = 2 in its report" 2 "$(services_top "$WORK/rr")"
check "  format = md: report.md, no report.html" test -s "$WORK/rr/report.md" -a ! -e "$WORK/rr/report.html"
check_eq "  the file's out is collect's, and the command line's wins for both" no \
	"$([ -e "$WORK/elsewhere" ] && echo yes || echo no)"
f=$(conf run-bad-top.conf "telescope = $TEL" "top = 0")
usage_case "run --config with a bad report option" \
	"backscatter: report: $f:2: --top: 0 is outside 1..100000" \
	"$BACKSCATTER" run --config "$f" --out "$WORK/x" "$S"
f=$(conf run-bad-period.conf "telescope = $TEL" "since = 2026-11-25" "until = 2026-11-24")
usage_case "run --config with since not before until" \
	"backscatter: report: --since 2026-11-25 is not before --until 2026-11-24 (see 'backscatter report --help')" \
	"$BACKSCATTER" run --config "$f" --out "$WORK/x" "$S"

# ---- (c) captures not complete: exit 75, nothing written ----
# tempfail WHAT REASON_RE ARGS...: exit 75, one line matching, no night 2 directory.
tempfail() {
	local what=$1 re=$2
	shift 2
	night "$N2" "$@" >/dev/null 2>"$WORK/err"
	check_eq "$what: exit 75" 75 $?
	check_eq "$what: one line saying why" 1 "$(grep -cE "^backscatter: run: night $N2 not complete \($C/$N2/\*\.pcap: $re\); nothing written, try again later$" "$WORK/err")"
	[ "$(wc -l <"$WORK/err")" = 1 ] || sed 's/^/#   /' "$WORK/err"
	check_eq "$what: no night directory" no "$([ -e "$ROOT/$N2" ] && echo yes || echo no)"
}
tempfail "2 of 3 files" "2 of the 3 capture files expected \(expect-files\)" --expect-files 3
touch "$C/$N2/01.pcap"
tempfail "a file written a moment ago" "$C/$N2/01.pcap was modified [0-9]+s ago \(settle 600 s\): still being written"
touch -d '1 hour ago' "$C/$N2/01.pcap"
tempfail "an hour old, with settle 7200" "$C/$N2/00.pcap was modified [0-9]+s ago \(settle 7200 s\): still being written" --settle 7200
mv "$C/$N2" "$C/later"
tempfail "no directory for the night yet" "no capture file yet"
mv "$C/later" "$C/$N2"

# ---- (d) night 2, joined to night 1 ----
night "$N2" --expect-files 2 >/dev/null 2>&1
check_eq "night 2 (2 files expected): exit 0" 0 $?
"$BACKSCATTER" run --quiet --telescope "$TEL" --out "$WORK/one" "$C/$N1/22.pcap" \
	"$C/$N2/00.pcap" "$C/$N2/01.pcap" >/dev/null
"$BACKSCATTER" run --quiet --telescope "$TEL" --out "$WORK/n2alone" "$C/$N2/00.pcap" \
	"$C/$N2/01.pcap" >/dev/null
check "  attacks across midnight: night 2 alone counts them again" \
	test "$(($(attacks_in "$ROOT/$N1") + $(attacks_in "$WORK/n2alone")))" -gt "$(attacks_in "$WORK/one")"
check_eq "  night 1 + night 2 = one run over both (the night before joined)" \
	"$(attacks_in "$WORK/one")" "$(($(attacks_in "$ROOT/$N1") + $(attacks_in "$ROOT/$N2")))"

# The nightly run keeps the archive's index (backscatter index) up to date.
check "the nightly run wrote OUT-ROOT/index.html" test -s "$ROOT/index.html"
check "  with a row for each night" \
	sh -c "grep -q '$N1' '$ROOT/index.html' && grep -q '$N2' '$ROOT/index.html'"
check "  and the rolling report" test -s "$ROOT/last-30-days/report.html"

# ---- (e) yesterday, and the default config file ----
Y=$(date -u -d yesterday +%F)
mkdir -p "$C/$Y"
cp -p "$C/$N1/22.pcap" "$C/$Y/"
# A root of its own: the capture is night 1's, which the archive of ROOT
# would rightly call overlapping (exit 3).
night yesterday --out-root "$WORK/yroot" >/dev/null 2>&1
check_eq "--night yesterday: exit 0" 0 $?
check_eq "  writes OUT-ROOT/$Y" "$(cat "$ROOT/$N1/attacks.csv")" "$(cat "$WORK/yroot/$Y/attacks.csv" 2>&1)"
"$BACKSCATTER" run --night yesterday --out-root "$WORK/x" >/dev/null 2>"$WORK/err"
check_eq "--night without --config reads the installed file: exit 2 when it is missing" 2 $?
check_eq "  one line naming it" 1 \
	"$(grep -c '^backscatter: run: /.*/backscatter/backscatter.conf: No such file or directory$' "$WORK/err")"
usage_case "--night with --out" \
	"backscatter: run: --night writes OUT-ROOT/DATE after OUT-ROOT/DATE-1: give no --out or --previous (see 'backscatter run --help')" \
	"$BACKSCATTER" run --config "$CONF" --night "$N1" --out "$WORK/x"
usage_case "--night with a trace" \
	"backscatter: run: --night takes no trace: --captures names the night's files (see 'backscatter run --help')" \
	"$BACKSCATTER" run --config "$CONF" --night "$N1" "$S"
usage_case "--night 2026-02-30" \
	"backscatter: run: --night: '2026-02-30' is not yesterday or a date YYYY-MM-DD (see 'backscatter run --help')" \
	"$BACKSCATTER" run --config "$CONF" --night 2026-02-30
f=$(conf nolayout.conf "telescope = $TEL" "captures = $C/*/*.pcap" "out-root = $WORK/x")
usage_case "a layout without the date" \
	"backscatter: run: captures: '$C/*/*.pcap' names the same files every night: give the night's date with strftime fields (%Y-%m-%d)" \
	"$BACKSCATTER" run --config "$f" --night "$N1"

# ---- (f) two runs at once: one writes, the other exits 75 ----
LR=$WORK/lockroot
LOCK=$LR/.backscatter.lock
busy_msg() { echo "backscatter: run: night $1: $LOCK is held by another run; nothing written, try again later"; }
# The lock held by another process (flock(1) takes it as a run does).
mkdir -p "$LR"
flock "$LOCK" "$BACKSCATTER" run --config "$CONF" --night "$N1" --out-root "$LR" \
	>/dev/null 2>"$WORK/err"
check_eq "the out-root's lock held elsewhere: exit 75" 75 $?
check_eq "  one line naming the lock and the night" "$(busy_msg "$N1")" "$(cat "$WORK/err")"
check_eq "  no night directory" no "$([ -e "$LR/$N1" ] && echo yes || echo no)"
# Two real runs: the first holds the lock while it waits on its capture, a
# FIFO the test writes only once the second has been turned away.
N3=2026-11-26
mkdir -p "$C/$N3"
mkfifo "$C/$N3/00.pcap"
touch -d '1 hour ago' "$C/$N3/00.pcap"
timeout 120 "$BACKSCATTER" run --config "$CONF" --night "$N3" --out-root "$LR" \
	>/dev/null 2>"$WORK/first.err" &
first=$!
# held: /proc/locks lists a lock on the file's inode (trying to take it
# would race with the run taking it)
held() { [ -e "$LOCK" ] && grep -q ":$(stat -c %i "$LOCK") " /proc/locks; }
for _ in $(seq 300); do
	held && break
	sleep 0.1
done
check "  the first run holds the lock" held
tree() { find "$LR" -printf '%p %s %T@\n' | sort; }
before=$(tree)
# (timeout: were the lock not held, this run would wait on the FIFO)
timeout 60 "$BACKSCATTER" run --config "$CONF" --night "$N3" --out-root "$LR" >/dev/null 2>"$WORK/err"
check_eq "a second run of the night meanwhile: exit 75" 75 $?
check_eq "  one line naming the lock and the night" "$(busy_msg "$N3")" "$(cat "$WORK/err")"
check_eq "  nothing written" "$before" "$(tree)"
timeout 60 sh -c 'cat "$1" >"$2"' sh "$S" "$C/$N3/00.pcap"
wait "$first"
check_eq "the first run, fed its capture: exit 0" 0 $?
check_eq "  it wrote the night" "$(cat "$ROOT/$N1/attacks.csv")" "$(cat "$LR/$N3/attacks.csv" 2>&1)"
released() { ! held; }
check "  and released the lock" released
"$BACKSCATTER" run --config "$CONF" --night "$N3" --out-root "$LR" >/dev/null 2>&1
check_eq "the second run again: done already, exit 0" 0 $?
rm -rf "${C:?}/$N3"

finish

# lib.sh - shared helpers for the end-to-end tests (sourced, not run).
# Each check prints "ok - what" or "not ok - what"; finish() prints the
# "e2e: P passed, F failed" line that scripts/test.sh adds up, and exits
# non-zero when anything failed.
set -u
: "${BACKSCATTER:?BACKSCATTER must point at the built binary}"
: "${TOPSRC:?TOPSRC must point at the source tree}"
PYTHON3=${PYTHON3:-python3}
TESTDATA=${TESTDATA:-$TOPSRC/tests/data}
GEN="$PYTHON3 $TOPSRC/data/gen/bsgen.py"
SCORE="$PYTHON3 $TOPSRC/tests/score.py"
E2E_PASSED=0
E2E_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bs-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

pass() { E2E_PASSED=$((E2E_PASSED + 1)); echo "ok - $*"; }
fail() { E2E_FAILED=$((E2E_FAILED + 1)); echo "not ok - $*"; }

# check "description" command...: passes when the command exits 0.
check() {
	local what=$1
	shift
	if "$@" >"$WORK/last.out" 2>&1; then
		pass "$what"
	else
		fail "$what"
		sed 's/^/#   /' "$WORK/last.out"
	fi
}

# check_eq "description" expected actual
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: expected '$2', got '$3'"
	fi
}

# json_get FILE dotted.path : prints one value of a JSON file (lists comma-joined).
json_get() {
	"$PYTHON3" - "$1" "$2" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split('.'):
    v = v[int(k)] if isinstance(v, list) else v[k]
if isinstance(v, list):
    v = ",".join(str(x) for x in v)
print(int(v) if isinstance(v, bool) else v)
PY
}

# csv_rows FILE : data rows of a CSV file (header excluded).
csv_rows() {
	"$PYTHON3" -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))' "$1"
}

# check_installed_night DIR PREFIX TRACE...: DIR is what an installed
# program's `run --telescope PREFIX` wrote from TRACE...: every output file,
# plots made with the installed templates, and the attacks.csv the build
# tree's program writes.
check_installed_night() {
	local dir=$1 tel=$2 f pngs
	shift 2
	for f in attacks.csv timeseries.csv summary.json report.md report.html; do
		check "  wrote $f" test -s "$dir/$f"
	done
	pngs=$(find "$dir/plots" -name '*.png' -size +0 2>/dev/null | wc -l)
	check "  made plots with the installed templates ($pngs)" test "$pngs" -gt 0
	"$BACKSCATTER" collect --quiet --telescope "$tel" --out "$WORK/built" "$@"
	check "  attacks.csv is the build tree's" cmp "$WORK/built/attacks.csv" "$dir/attacks.csv"
}

finish() {
	echo "e2e: $E2E_PASSED passed, $E2E_FAILED failed"
	[ "$E2E_FAILED" -eq 0 ]
}

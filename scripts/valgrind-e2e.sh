#!/usr/bin/env bash
# Runs end-to-end test scripts with every backscatter invocation under
# valgrind memcheck (leaks, invalid reads and writes, uninitialised values).
# Any valgrind report fails the run. Usage: valgrind-e2e.sh BUILD_DIR TEST...
# (TEST: a tests/e2e_*.sh script; default tests/e2e_real.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
shift
[ $# -gt 0 ] || set -- tests/e2e_real.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/bs-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/backscatter" <<WRAP
#!/bin/sh
exec $(command -v valgrind) -q --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite,indirect --log-fd=9 \\
	--suppressions="$top/tests/valgrind.supp" "$build/backscatter" "\$@" 9>>"$work/valgrind.log"
WRAP
chmod +x "$work/backscatter"
status=0
for t in "$@"; do
	BACKSCATTER="$work/backscatter" TOPSRC="$top" PYTHON3=${PYTHON3:-python3} \
		BACKSCATTER_PLOTS="$top/plots" TESTDATA="$top/tests/data" \
		bash "$top/$t" >"$work/out" 2>&1 || status=1
	tail -n 1 "$work/out"
done
if [ -s "$work/valgrind.log" ]; then
	echo "valgrind reported:" >&2
	head -n 60 "$work/valgrind.log" >&2
	status=1
fi
[ $status -eq 0 ] && echo "valgrind: clean"
exit $status

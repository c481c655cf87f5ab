#!/usr/bin/env bash
# The README's second command: install what is missing, build, and run the
# whole test suite (Check unit suites and end-to-end tests on the real
# binary), normally and under AddressSanitizer + UndefinedBehaviorSanitizer.
# Ends with the totals line "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/setup-deps.sh
. "$top/scripts/setup-deps.sh"
# shellcheck disable=SC2086
install_packages $BUILD_PKGS $RUN_PKGS $TEST_PKGS || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
status=0

# Adds the last "e2e: P passed, F failed" line of a log to the totals;
# fails when the log has none.
add_e2e() {
	local line n fl
	line=$(grep -E "^e2e: [0-9]+ passed, [0-9]+ failed" "$1" | tail -n 1)
	[ -n "$line" ] || return 1
	read -r n fl <<<"$(sed -E 's/^e2e: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<<"$line")"
	passed=$((passed + n))
	failed=$((failed + fl))
}

# Adds the counts of one finished "make check" to the totals. Check suites
# print "Checks: N, Failures: F, Errors: E"; the end-to-end scripts print
# "e2e: P passed, F failed". A test that died before printing counts once.
tally() {
	local dir=$1 log p f line
	for log in "$dir"/tests/*.log; do
		[ -e "$log" ] || continue
		case "$log" in */test-suite.log) continue ;; esac
		line=$(grep -E "Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+" "$log" | tail -n 1)
		if [ -n "$line" ]; then
			p=$(sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/' <<<"$line")
			read -r n fl er <<<"$p"
			passed=$((passed + n - fl - er))
			failed=$((failed + fl + er))
			continue
		fi
		add_e2e "$log" && continue
		if grep -q "^:test-result: PASS" "${log%.log}.trs" 2>/dev/null; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
}

run_suite() {
	local name=$1 dir=$2
	shift 2
	echo "== $name build" >&2
	if ! "$top/scripts/build.sh" "$dir" "$@"; then
		echo "$name: build failed" >&2
		failed=$((failed + 1))
		status=1
		return
	fi
	rm -f "$dir"/tests/*.log "$dir"/tests/*.trs
	echo "== $name make check" >&2
	if ! make -C "$dir" -s -j"$(nproc)" check >/dev/null 2>&1; then
		status=1
		cat "$dir/test-suite.log" >&2 || true
	fi
	tally "$dir"
}

run_suite "normal" "$top/build" --enable-werror
# The sanitizer build uses clang, so both compilers build with -Werror.
run_suite "sanitizers (clang)" "$top/build-asan" --enable-sanitizers --enable-werror CC=clang
# The release tarball builds and passes its own tests out of tree
# (make distcheck), so what a user unpacks stays complete.
echo "== make distcheck" >&2
if make -C "$top/build" -s distcheck >"$top/build/distcheck.log" 2>&1; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	tail -n 40 "$top/build/distcheck.log" >&2
fi
# The Debian package: built from this checkout, checked with lintian,
# installed, run on the sample as its system user, purged (scripts/package.sh).
echo "== Debian package" >&2
"$top/scripts/package.sh" >"$top/build/package.log" 2>&1
add_e2e "$top/build/package.log" || failed=$((failed + 1))
grep -E "^not ok" "$top/build/package.log" >&2
# valgrind memcheck on the end-to-end tests of the real captures, the
# report, the generated scenarios and merge (scripts/valgrind-e2e.sh).
echo "== valgrind end-to-end" >&2
if "$top/scripts/valgrind-e2e.sh" "$top/build" tests/e2e_real.sh tests/e2e_report.sh \
	tests/e2e_scenarios.sh tests/e2e_merge.sh >"$top/build/valgrind-e2e.log" 2>&1; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	tail -n 40 "$top/build/valgrind-e2e.log" >&2
fi

# Formatting: the C sources as .clang-format says (Debian's clang-format 14).
echo "== clang-format" >&2
if (cd "$top" && clang-format --dry-run --Werror base/*.[ch] telescope/*.[ch] outdir/*.[ch] analysis/*.[ch] src/*.[ch] \
	tests/*.[ch] tests/fuzz/*.[ch]) >"$top/build/clang-format.log" 2>&1; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	head -n 20 "$top/build/clang-format.log" >&2
fi

# A short libFuzzer smoke run of the packet parser and the trace reader
# (scripts/fuzz.sh; long runs are for developers, see tests/fuzz/README.md).
echo "== fuzz smoke run" >&2
if "$top/scripts/fuzz.sh" 10 >"$top/build/fuzz-smoke.log" 2>&1; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	tail -n 20 "$top/build/fuzz-smoke.log" >&2
fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status

#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang into build-fuzz/ and
# runs each for a given time: fuzz.sh [SECONDS_PER_TARGET] [JOBS].
# FUZZ_TARGETS="csvread merge" runs only those (default: all: classify
# reader walk csvread merge report flowstate pfx2as config pcapng).
#
# Each target starts from its seed corpus (tests/fuzz/corpus/TARGET/, copied
# into build-fuzz/corpus-TARGET/, which keeps what earlier runs found) under
# AddressSanitizer + UndefinedBehaviorSanitizer with leak detection. Exits 1
# and names the files when any target crashed, leaked, timed out or ran out
# of memory; a crash file becomes a regression input in
# tests/data/fuzz-regress/TARGET/ (tests/check_fuzz_regress.c replays it).
# Needs clang and its fuzzer runtime (Debian: clang libclang-rt-14-dev) plus
# the project's build dependencies. `fuzz.sh 10` is CI's smoke run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
jobs=${2:-1}
case "$secs$jobs" in *[!0-9]*)
	echo "usage: fuzz.sh [SECONDS_PER_TARGET] [JOBS]" >&2
	exit 2
	;;
esac

out="$top/build-fuzz"
CC=${CC:-clang}
TARGETS=${FUZZ_TARGETS:-classify reader walk csvread merge report flowstate pfx2as config pcapng}
# Inputs larger than a packet are useless to the classifier; whole traces
# need room (the reader seeds are up to ~10 KiB, compressed ones included).
# The CSV seeds are up to ~2 KiB; a merge or report input holds two
# directories of three files each (seeds up to ~8 KiB), which needs twice
# that to grow. The flow state seeds are up to ~16 KiB (a flood with a
# sketch and the full port array); twice that lets records be added.
# A prefix-to-AS table of a few hundred lines is enough to nest prefixes
# of every length (the seeds are up to ~300 bytes), and the target's
# brute-force matcher is quadratic in the lines. A config file is a few
# hundred bytes; 8 KiB holds two of its longest lines.
declare -A MAX_LEN=([classify]=4096 [reader]=65536 [walk]=65536 [csvread]=8192 [merge]=16384
	[report]=16384 [flowstate]=32768 [pfx2as]=4096 [config]=8192 [pcapng]=16384)
# A trace that takes this long to read means a hang.
TIMEOUT_S=20
RSS_LIMIT_MB=2048
# The packet targets need the trace reader (libtrace); the output-file
# targets need the readers and writers of outdir/ (see Makefile.am).
PKT_SRC="base/bs_error.c telescope/parse.c telescope/classify.c telescope/addr.c
telescope/event.c telescope/bytesource.c telescope/pcapwalk.c telescope/reader.c
tests/fuzz/fuzz_run.c"
# gzip as configure chooses it: ISA-L when installed, else zlib.
if pkg-config --exists libisal; then
	GZIP_FLAGS="-DBS_GZIP_ISAL=1"
	GZIP_LIBS="$(pkg-config --libs libisal)"
else
	GZIP_FLAGS=""
	GZIP_LIBS="-lz"
fi
PKT_LIBS="-ltrace -lwandio -lpcap -lzstd $GZIP_LIBS -lm"
OUT_SRC="base/bs_error.c base/bs_array.c base/bs_buf.c base/bs_time.c base/bs_intern.c
telescope/addr.c telescope/event.c telescope/geo.c telescope/pfx2as.c telescope/packet_counters.c
telescope/attack.c telescope/distinct.c telescope/peak.c telescope/portcount.c
telescope/portset.c telescope/uniformity.c
outdir/csvwrite.c outdir/csvread.c outdir/outfile.c outdir/transaction.c outdir/attack_list.c
outdir/tseries.c outdir/summary.c outdir/outdir.c outdir/flowstate.c outdir/vgroup.c outdir/pcapng.c
analysis/merge.c analysis/evidence.c analysis/report.c analysis/services.c
telescope/bytesource.c telescope/pcapwalk.c telescope/reader.c
tests/fuzz/fuzz_outdir.c"
OUT_LIBS="-lcsv $(pkg-config --libs jansson libmaxminddb libxxhash) $PKT_LIBS -lz -lm"
# The flow state target needs the flow table and its blocks (and the
# origin fields of pfx2as, which reads its files through bytesource), and
# writes nothing.
STATE_SRC="base/bs_error.c base/bs_array.c base/bs_buf.c base/bs_intern.c telescope/addr.c
telescope/event.c telescope/distinct.c telescope/portcount.c telescope/portset.c telescope/peak.c
telescope/uniformity.c telescope/attack.c telescope/bytesource.c telescope/pfx2as.c
outdir/outfile.c outdir/flowstate.c"
STATE_LIBS="$(pkg-config --libs libxxhash) -lzstd $GZIP_LIBS -lz -lm"
# The prefix-to-AS target: the table, its interning, addresses, and the
# file reader it loads through (bytesource).
PFX_SRC="base/bs_error.c base/bs_array.c base/bs_intern.c telescope/addr.c telescope/bytesource.c
telescope/pfx2as.c"
PFX_LIBS="$(pkg-config --libs libxxhash) -lzstd $GZIP_LIBS"
# The evidence target: merge's pcapng reader and the tags of evidence.c
# (evidence seeds are up to ~6 KiB). evidence.c (which merge links too)
# also holds collect's second reading, which takes frames from the trace
# reader (hence the reader's sources and libraries), and takes attacks
# from an attack list (attack_list.c and what it writes with).
PCAPNG_SRC="base/bs_error.c base/bs_array.c base/bs_buf.c base/bs_time.c telescope/addr.c
telescope/event.c telescope/bytesource.c telescope/pcapwalk.c telescope/reader.c
outdir/outfile.c outdir/csvwrite.c outdir/attack_list.c outdir/vgroup.c base/bs_intern.c outdir/pcapng.c
analysis/evidence.c"
PCAPNG_LIBS="$PKT_LIBS $(pkg-config --libs libxxhash)"
# The config file parser (run --config) reads text and needs nothing else.
CONFIG_SRC="base/bs_error.c base/bs_array.c src/conffile.c tests/fuzz/fuzz_config_run.c"
declare -A SRC=([classify]=$PKT_SRC [reader]=$PKT_SRC [walk]=$PKT_SRC [csvread]=$OUT_SRC
	[merge]=$OUT_SRC [report]=$OUT_SRC [flowstate]=$STATE_SRC [pfx2as]=$PFX_SRC
	[config]=$CONFIG_SRC [pcapng]=$PCAPNG_SRC)
declare -A LIBS=([classify]=$PKT_LIBS [reader]=$PKT_LIBS [walk]=$PKT_LIBS [csvread]=$OUT_LIBS
	[merge]=$OUT_LIBS [report]=$OUT_LIBS [flowstate]=$STATE_LIBS [pfx2as]=$PFX_LIBS
	[config]="" [pcapng]=$PCAPNG_LIBS)
# fuzz_merge and fuzz_report write every directory they read to files, and
# merge syncs every output (outfile.h): on a tmpfs that costs nothing, on
# a disk it is most of the run. Their private directory goes under TMPDIR
# (fuzz_outdir.c).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	export TMPDIR=/dev/shm
fi
CFLAGS="-std=c11 -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
-Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
-Wimplicit-fallthrough -Wcast-qual -Wundef -Werror $GZIP_FLAGS"

command -v "$CC" >/dev/null || { echo "fuzz.sh: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
mkdir -p "$out/crashes" "$out/logs"
cd "$top"
for t in $TARGETS; do
	[ -n "${SRC[$t]:-}" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
	# shellcheck disable=SC2086
	if ! "$CC" $CFLAGS -I. ${SRC[$t]} "tests/fuzz/fuzz_$t.c" \
		${LIBS[$t]} -o "$out/fuzz_$t" 2>"$out/logs/build-$t.log"; then
		cat "$out/logs/build-$t.log" >&2
		echo "fuzz.sh: building fuzz_$t failed (is libclang-rt-14-dev installed?)" >&2
		exit 1
	fi
done

status=0
for t in $TARGETS; do
	corpus="$out/corpus-$t"
	mkdir -p "$corpus"
	cp -n tests/fuzz/corpus/"$t"/* "$corpus"/
	rm -f "$out/crashes/$t-"*
	log="$out/logs/fuzz-$t.log"
	echo "== fuzz_$t: ${secs}s x $jobs job(s)" >&2
	# Several jobs run as child processes, each logging to fuzz-N.log in the
	# working directory; one job runs in this process.
	par=()
	logs=("$log")
	if [ "$jobs" -gt 1 ]; then
		par=(-jobs="$jobs" -workers="$jobs")
		rm -f "$out/logs/fuzz-"[0-9]*.log
		for ((i = 0; i < jobs; i++)); do logs+=("$out/logs/fuzz-$i.log"); done
	fi
	rc=0
	(cd "$out/logs" && "$out/fuzz_$t" -max_total_time="$secs" -max_len="${MAX_LEN[$t]}" \
		-timeout="$TIMEOUT_S" -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 \
		"${par[@]}" -artifact_prefix="$out/crashes/$t-" "$corpus" >"$log" 2>&1) || rc=$?
	grep -h -E "^stat::number_of_executed_units|^#[0-9]+.*(DONE|pulse)" "${logs[@]}" 2>/dev/null |
		tail -n 2 | sed "s/^/fuzz_$t: /" >&2 || true
	found=$(find "$out/crashes" -name "$t-*" -type f | sort)
	if [ -n "$found" ] || [ "$rc" -ne 0 ]; then
		status=1
		echo "fuzz_$t: FAILED (exit $rc); log: $log" >&2
		grep -h -m 3 -E "ERROR:|Assertion|fuzz_$t:" "${logs[@]}" >&2 2>/dev/null || true
		[ -z "$found" ] || echo "$found"
	fi
done
[ "$status" -eq 0 ] && echo "fuzz.sh: no crash in ${secs}s per target" >&2
exit "$status"

#!/usr/bin/env bash
# parallel.sh - backscatter over many capture files with GNU parallel, on
# this machine or on several over ssh: one `backscatter collect` per file
# (OUTROOT/shards/<file name without .pcap.gz>), then one `merge` of the
# shards into OUTROOT, then `report` on OUTROOT. README: "Running on a
# cluster".
#
#   scripts/cluster/parallel.sh --telescope 44.0.0.0/8 --out /data/bs/2026-11-24 \
#       --sshlogin : --sshlogin 8/node1 --sshlogin 8/node2 /captures/2026-11-24/*.pcap.gz
#
# Over ssh the other hosts must see the files and OUTROOT at the same paths
# (a shared file system) and run the same backscatter binary path.
# Exit status as backscatter's: 0 done; 1 failed (a collect failed: nothing
# merged); 2 usage; 3 written with warnings (a file cut short, gnuplot
# missing; summary.json says what was lost).
set -euo pipefail
PROG=${0##*/}
USAGE="usage: $PROG --telescope PREFIX --out OUTROOT [--jobs N] [--sshlogin LOGIN]... [--ssh CMD] [--quiet] FILE... [-- COLLECT_OPTION...]"
HELP="Runs one 'backscatter collect' per FILE with GNU parallel (OUTROOT/shards/NAME,
NAME the file name without .pcap, .gz, ...), then 'backscatter merge --out OUTROOT'
over the shards and 'backscatter report OUTROOT'. GNU parallel's job log is
OUTROOT/jobs/parallel.joblog.

  --telescope PREFIX  telescope prefixes, as collect takes them (repeatable)
  --out OUTROOT       where the shards, the merged result and the report go
  --jobs N            collects at a time on each host (GNU parallel's --jobs;
                      default: one per CPU)
  --sshlogin LOGIN    run on this host over ssh (GNU parallel's --sshlogin:
                      [N/][user@]host, ':' is this machine; repeatable)
  --ssh CMD           the ssh command GNU parallel uses (default ssh)
  --quiet             nothing on stderr but errors
  -- COLLECT_OPTION   options for every collect (--preset moore, --jobs 1, ...)

Exit status: 0 done, 1 failed (nothing merged), 2 usage, 3 written with warnings."
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/cluster/common.sh
. "$here/common.sh"

JOBS=
SSHLOGINS=()
SSH_CMD=

# cluster_option NAME VALUE HAS_VALUE (see parse_args in common.sh).
cluster_option() {
	OPT_USED=2
	case $1 in
	--jobs)
		[ "$3" -eq 1 ] || usage_error "--jobs needs a value"
		[[ $2 =~ ^[+-]?[0-9]+%?$ ]] || usage_error "--jobs: not a number of jobs: $2"
		JOBS=$2
		;;
	--sshlogin | -S)
		[ "$3" -eq 1 ] || usage_error "$1 needs a value"
		SSHLOGINS+=("$2")
		;;
	--ssh)
		[ "$3" -eq 1 ] || usage_error "--ssh needs a value"
		SSH_CMD=$2
		;;
	*) OPT_USED=0 ;;
	esac
}

parse_args "$@"
BS=$(find_backscatter)
if ! parallel --version 2>/dev/null | grep -q '^GNU parallel'; then
	die "$EXIT_FAILED" "GNU parallel not found (Debian package parallel)"
fi
mkdir -p -- "$OUTROOT/shards" "$OUTROOT/jobs" 2>/dev/null ||
	die "$EXIT_FAILED" "$OUTROOT: cannot create the output directories"
JOBLOG=$OUTROOT/jobs/parallel.joblog
rm -f -- "$JOBLOG"

SHARDS=()
for stem in "${STEMS[@]}"; do
	SHARDS+=("$OUTROOT/shards/$stem")
done
mapfile -d '' COPTS < <(collect_args)

# One job per (shard, file) pair, both read NUL-separated so that any name
# works; --quote runs the command as these words, locally or over ssh.
popts=(--null --link --quote --joblog "$JOBLOG")
[ -z "$JOBS" ] || popts+=(--jobs "$JOBS")
for login in ${SSHLOGINS[@]+"${SSHLOGINS[@]}"}; do
	popts+=(--sshlogin "$login")
done
[ -z "$SSH_CMD" ] || popts+=(--ssh "$SSH_CMD")
# GNU parallel's own status counts failed jobs; the job log says which. A
# remote shell that runs nothing can still exit 0 (GNU parallel's wrapper
# needs $SHELL on the host), so a shard counts only if its summary.json is
# newer than this mark (set a second back for file systems with coarse times).
STARTED=$OUTROOT/jobs/started
touch -d '1 second ago' -- "$STARTED" || die "$EXIT_FAILED" "$STARTED: cannot write"
pst=0
parallel "${popts[@]}" "$BS" collect "${COPTS[@]}" --out '{1}' '{2}' \
	:::: <(printf '%s\0' "${SHARDS[@]}") :::: <(printf '%s\0' "${FILES[@]}") || pst=$?
[ -e "$JOBLOG" ] || die "$EXIT_FAILED" "GNU parallel ran no job (exit $pst); nothing merged"

# The job log: Seq Host Starttime JobRuntime Send Receive Exitval Signal
# Command, tab-separated; Seq numbers the files from 1.
declare -A EXITVAL=()
while IFS=$'\t' read -r seq _ _ _ _ _ exitval signal _; do
	[[ $seq =~ ^[0-9]+$ ]] || continue
	if [ "${signal:-0}" != 0 ]; then exitval=1; fi
	EXITVAL[$seq]=$exitval
done <"$JOBLOG"

status=$EXIT_OK
failstatus=$EXIT_OK
failed=()
for i in "${!FILES[@]}"; do
	st=${EXITVAL[$((i + 1))]:-none}
	if [[ $st == 0 || $st == "$EXIT_WARNINGS" ]] && ! [ "${SHARDS[i]}/summary.json" -nt "$STARTED" ]; then
		st="0 but wrote no ${SHARDS[i]}/summary.json"
	fi
	case $st in
	0) ;;
	"$EXIT_WARNINGS") status=$(worse "$status" "$EXIT_WARNINGS") ;;
	none)
		failed+=("${FILES[i]} (not run)")
		failstatus=$(worse "$failstatus" 1)
		;;
	0*)
		failed+=("${FILES[i]} (exit $st)")
		failstatus=$(worse "$failstatus" 1)
		;;
	*)
		failed+=("${FILES[i]} (exit $st)")
		failstatus=$(worse "$failstatus" "$st")
		;;
	esac
done
if [ ${#failed[@]} -gt 0 ]; then
	list=$(printf '%s, ' "${failed[@]}")
	die "$failstatus" "collect failed for ${#failed[@]} of ${#FILES[@]} files: ${list%, }; nothing merged (job log $JOBLOG)"
fi

quiet=()
[ "$QUIET" -eq 0 ] || quiet=(--quiet)
st=0
"$BS" merge ${quiet[@]+"${quiet[@]}"} --out "$OUTROOT" "${SHARDS[@]}" || st=$?
case $st in
0 | 3) status=$(worse "$status" "$st") ;;
*) exit "$st" ;; # merge said why; nothing was written
esac
st=0
"$BS" report ${quiet[@]+"${quiet[@]}"} "$OUTROOT" || st=$?
exit "$(worse "$status" "$st")"

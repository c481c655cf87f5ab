#!/usr/bin/env bash
# slurm.sh - backscatter over many capture files on a Slurm cluster: an
# sbatch job array with one `backscatter collect` per file (task i collects
# file i into OUTROOT/shards/<file name without .pcap.gz>), then a job that
# starts when every task succeeded (--dependency=afterok:<array job>) and
# runs `merge` into OUTROOT and `report` on it. Prints the two job ids;
# with --wait, waits and exits with the result's status. README: "Running
# on a cluster".
#
#   scripts/cluster/slurm.sh --telescope 44.0.0.0/8 --out /data/bs/2026-11-24 \
#       --partition batch --time 1:00:00 --wait /captures/2026-11-24/*.pcap.gz
#
# The compute nodes must see the files and OUTROOT at the same paths (a
# shared file system) and run the same backscatter binary path.
set -euo pipefail
PROG=${0##*/}
USAGE="usage: $PROG --telescope PREFIX --out OUTROOT [--partition P] [--account A] [--time T] [--cpus N] [--mem M] [--max-tasks N] [--sbatch OPTION]... [--wait [--poll S]] [--quiet] FILE... [-- COLLECT_OPTION...]"
HELP="Submits an sbatch job array, one task per FILE: 'backscatter collect' into
OUTROOT/shards/NAME (NAME the file name without .pcap, .gz, ...); then a job
with --dependency=afterok on the array that runs 'backscatter merge --out
OUTROOT' over the shards and 'backscatter report OUTROOT'. Prints
collect_job=ID and merge_job=ID. Job scripts, logs (collect-I.out for file I,
counted from 0, and merge.out) and exit statuses are in OUTROOT/jobs/.

  --telescope PREFIX  telescope prefixes, as collect takes them (repeatable)
  --out OUTROOT       where the shards, the merged result and the report go
  --partition P, --account A, --time T, --mem M
                      sbatch's options of the same names, for both jobs
  --cpus N            CPUs of each collect task (sbatch --cpus-per-task; give
                      collect the same with -- --jobs N)
  --max-tasks N       at most N collect tasks at a time (--array=...%N)
  --sbatch OPTION     any other sbatch option, for both jobs, given last so
                      it overrides the script's (repeatable: --sbatch=--qos=long)
  --wait              wait for the result, print the merge job's log (unless
                      --quiet), exit with its status. A failed collect task
                      is reported in one line, the merge job (which Slurm
                      cannot start) is cancelled, exit 1
  --poll S            with --wait, seconds between looks at the queue (5)
  --quiet             nothing on stderr but errors
  -- COLLECT_OPTION   options for every collect (--preset moore, --jobs 2, ...)

Exit status: 0 submitted (with --wait: done), 1 failed, 2 usage, 3 (with
--wait) written with warnings: a file cut short, gnuplot missing, ..."
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/cluster/common.sh
. "$here/common.sh"

SBATCH_OPTS=()
CPUS=
MAX_TASKS=
WAIT=0
POLL=5

# cluster_option NAME VALUE HAS_VALUE (see parse_args in common.sh).
cluster_option() {
	OPT_USED=2
	case $1 in
	--wait | --poll | --sbatch | --cpus | --max-tasks | --partition | --account | --time | --mem) ;;
	*)
		OPT_USED=0
		return
		;;
	esac
	if [ "$1" = --wait ]; then
		WAIT=1
		OPT_USED=1
		return
	fi
	[ "$3" -eq 1 ] || usage_error "$1 needs a value"
	case $1 in
	--poll)
		[[ $2 =~ ^[1-9][0-9]*$ ]] || usage_error "--poll: not a number of seconds: $2"
		POLL=$2
		;;
	--cpus)
		[[ $2 =~ ^[1-9][0-9]*$ ]] || usage_error "--cpus: not a number of CPUs: $2"
		CPUS=$2
		;;
	--max-tasks)
		[[ $2 =~ ^[1-9][0-9]*$ ]] || usage_error "--max-tasks: not a number of tasks: $2"
		MAX_TASKS=$2
		;;
	--sbatch) SBATCH_OPTS+=("$2") ;;
	*) SBATCH_OPTS+=("$1=$2") ;;
	esac
}

parse_args "$@"
BS=$(find_backscatter)
for c in sbatch scontrol scancel; do
	command -v "$c" >/dev/null || die "$EXIT_FAILED" "Slurm's $c not found (Debian package slurm-client)"
done
JOBS=$OUTROOT/jobs
STATUS=$JOBS/status
mkdir -p -- "$OUTROOT/shards" "$STATUS" 2>/dev/null ||
	die "$EXIT_FAILED" "$OUTROOT: cannot create the output directories"
rm -f -- "$STATUS"/collect-* "$STATUS/result"

SHARDS=()
for stem in "${STEMS[@]}"; do
	SHARDS+=("$OUTROOT/shards/$stem")
done
mapfile -d '' COPTS < <(collect_args)
QUIET_OPT=()
[ "$QUIET" -eq 0 ] || QUIET_OPT=(--quiet)

# array NAME VALUE...: a bash array assignment that reads back as the values.
array() {
	local name=$1
	shift
	printf '%s=(' "$name"
	[ $# -eq 0 ] || printf ' %q' "$@"
	printf ' )\n'
}

# The job scripts hold their data (file names as bash quotes them), so a
# task needs nothing but the shared file system.
{
	printf '#!/bin/bash\n'
	printf '# Written by %s: task I of the array collects files[I] into shards[I]\n' "$PROG"
	printf '# and leaves collect'"'"'s exit status in status/collect-I.\n'
	printf 'bs=%q\nstatus_dir=%q\n' "$BS" "$STATUS"
	array files "${FILES[@]}"
	array shards "${SHARDS[@]}"
	array copts "${COPTS[@]}"
	cat <<'EOF'
i=${SLURM_ARRAY_TASK_ID:?run this as a task of a Slurm job array}
st=0
"$bs" collect "${copts[@]}" --out "${shards[i]}" "${files[i]}" || st=$?
echo "$st" >"$status_dir/collect-$i"
# 3 is "written, with warnings": the merge goes ahead and passes it on.
if [ "$st" -eq 3 ]; then exit 0; fi
exit "$st"
EOF
} >"$JOBS/collect.sbatch"

{
	printf '#!/bin/bash\n'
	printf '# Written by %s: merges the shards into the output root and reports.\n' "$PROG"
	printf '# Exits with the worst status of the collects, merge and report.\n'
	printf 'bs=%q\noutroot=%q\nstatus_dir=%q\n' "$BS" "$OUTROOT" "$STATUS"
	array shards "${SHARDS[@]}"
	array quiet ${QUIET_OPT[@]+"${QUIET_OPT[@]}"}
	declare -f worse
	cat <<'EOF'
status=0
for i in "${!shards[@]}"; do
	st=$(cat "$status_dir/collect-$i" 2>/dev/null) || st=1
	status=$(worse "$status" "$st")
done
if [ "$status" -eq 0 ] || [ "$status" -eq 3 ]; then
	st=0
	"$bs" merge ${quiet[@]+"${quiet[@]}"} --out "$outroot" "${shards[@]}" || st=$?
	status=$(worse "$status" "$st")
	if [ "$st" -eq 0 ] || [ "$st" -eq 3 ]; then
		st=0
		"$bs" report ${quiet[@]+"${quiet[@]}"} "$outroot" || st=$?
		status=$(worse "$status" "$st")
	fi
else
	echo "a collect task failed; nothing merged" >&2
fi
echo "$status" >"$status_dir/result"
exit "$status"
EOF
} >"$JOBS/merge.sbatch"

# Slurm expands %-patterns in --output; a literal % is %%.
logpat=${JOBS//%/%%}
# The operator's --sbatch options come last: they override the script's.
user=(${SBATCH_OPTS[@]+"${SBATCH_OPTS[@]}"})
n=${#FILES[@]}
range=0-$((n - 1))
[ -z "$MAX_TASKS" ] || range+=%$MAX_TASKS
aopts=(--array="$range" --job-name=backscatter-collect --output="$logpat/collect-%a.out")
[ -z "$CPUS" ] || aopts+=(--cpus-per-task="$CPUS")

if ! out=$(sbatch --parsable "${aopts[@]}" ${user[@]+"${user[@]}"} "$JOBS/collect.sbatch" 2>&1); then
	die "$EXIT_FAILED" "sbatch of the collect array failed: $out"
fi
ARRAY_ID=${out%%;*}
# A failed task leaves the merge job pending forever with
# Reason=DependencyNeverSatisfied, unless --kill-on-invalid-dep=yes: then
# Slurm cancels it (--sbatch=--kill-on-invalid-dep=no keeps it waiting, to
# requeue the task by hand).
mopts=(--job-name=backscatter-merge --output="$logpat/merge.out"
	--dependency=afterok:"$ARRAY_ID" --kill-on-invalid-dep=yes)
if ! out=$(sbatch --parsable "${mopts[@]}" ${user[@]+"${user[@]}"} "$JOBS/merge.sbatch" 2>&1); then
	scancel "$ARRAY_ID" 2>/dev/null || true
	die "$EXIT_FAILED" "sbatch of the merge job failed (collect array $ARRAY_ID cancelled): $out"
fi
MERGE_ID=${out%%;*}
printf 'collect_job=%s\nmerge_job=%s\n' "$ARRAY_ID" "$MERGE_ID"
if [ "$QUIET" -eq 0 ]; then
	printf '%s: submitted collect array job %s (%d tasks, logs %s/collect-I.out) and merge+report job %s (afterok:%s, log %s/merge.out)\n' \
		"$PROG" "$ARRAY_ID" "$n" "$JOBS" "$MERGE_ID" "$ARRAY_ID" "$JOBS" >&2
fi
[ "$WAIT" -eq 1 ] || exit "$EXIT_OK"

# field NAME LINE: the value of NAME=value in a line of `scontrol show job -o`.
field() {
	local w words
	read -r -a words <<<"$2"
	for w in ${words[@]+"${words[@]}"}; do
		case $w in "$1"=*)
			printf '%s\n' "${w#*=}"
			return
			;;
		esac
	done
}

# failed_tasks: FAILED, "FILE (task I, ...), ..." for the collect tasks that
# failed, and FAIL_STATUS, the worst of their statuses. A task's status file
# says how collect exited; a task without one (killed, node lost) is
# described by Slurm's state of it.
FAILED=
FAIL_STATUS=$EXIT_FAILED
failed_tasks() {
	local -A state=() code=()
	local line t i st list=() worst=0
	while IFS= read -r line; do
		t=$(field ArrayTaskId "$line")
		[[ $t =~ ^[0-9]+$ ]] || continue
		state[$t]=$(field JobState "$line")
		code[$t]=$(field ExitCode "$line")
	done < <(scontrol show job -o "$ARRAY_ID" 2>/dev/null || true)
	for i in "${!FILES[@]}"; do
		if st=$(cat -- "$STATUS/collect-$i" 2>/dev/null); then
			case $st in 0 | 3) continue ;; esac
			list+=("${FILES[i]} (task $i, exit $st)")
			worst=$(worse "$worst" "$st")
			continue
		fi
		case ${state[$i]:-} in
		"" | COMPLETED | PENDING | RUNNING | CONFIGURING | COMPLETING) ;;
		*)
			list+=("${FILES[i]} (task $i, ${state[$i]}, exit code ${code[$i]:-?})")
			worst=$(worse "$worst" 1)
			;;
		esac
	done
	[ "$worst" -eq 0 ] || FAIL_STATUS=$worst
	[ ${#list[@]} -gt 0 ] || list=("a task Slurm no longer lists")
	FAILED=$(printf '%s, ' "${list[@]}")
	FAILED="${#list[@]} of ${#FILES[@]} files: ${FAILED%, }"
}

trap 'die "$EXIT_FAILED" "interrupted; jobs $ARRAY_ID and $MERGE_ID keep running (scancel $ARRAY_ID $MERGE_ID stops them)"' INT TERM
while :; do
	line=$(scontrol show job -o "$MERGE_ID" 2>/dev/null) || line=
	jstate=$(field JobState "$line")
	jreason=$(field Reason "$line")
	if [ "$jreason" = DependencyNeverSatisfied ]; then
		[ "$jstate" != PENDING ] || scancel "$MERGE_ID" 2>/dev/null || true
		failed_tasks
		die "$FAIL_STATUS" "collect failed for $FAILED; merge job $MERGE_ID cancelled, nothing merged (logs $JOBS/collect-I.out)"
	fi
	case $jstate in
	PENDING | CONFIGURING | RUNNING | COMPLETING | SUSPENDED | REQUEUED | REQUEUE_HOLD | REQUEUE_FED | RESIZING | SIGNALING | STAGE_OUT)
		sleep "$POLL"
		continue
		;;
	esac
	# Ended, or no longer known to Slurm (MinJobAge): the job's own status
	# file has the result.
	if ! result=$(cat "$STATUS/result" 2>/dev/null); then
		die "$EXIT_FAILED" "merge job $MERGE_ID ended ${jstate:-and is gone} (${jreason:-no reason}) without a result; log $JOBS/merge.out"
	fi
	case $result in
	0 | 3)
		[ "$QUIET" -eq 1 ] || cat -- "$JOBS/merge.out" >&2 || true
		exit "$result"
		;;
	*)
		last=$(tail -n 1 -- "$JOBS/merge.out" 2>/dev/null || true)
		die "$result" "merge and report job $MERGE_ID failed (exit $result): $last (log $JOBS/merge.out)"
		;;
	esac
done

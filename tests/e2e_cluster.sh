#!/usr/bin/env bash
# e2e_cluster.sh - the cluster recipes of scripts/cluster/ on real engines.
# A generated capture of 4 hourly files (names with spaces) is collected
# file by file, merged and reported SEQUENTIALLY: the reference, whose
# attacks.csv and timeseries.csv are one collect's over all 4 files. Then the
# same work through
#   (a)  scripts/cluster/parallel.sh with GNU parallel on this machine,
#   (a') parallel.sh over ssh: GNU parallel's --sshlogin with two "hosts"
#        and a stand-in ssh (a script that runs the remote command here),
#   (b)  scripts/cluster/slurm.sh on a real single-node Slurm that this test
#        brings up in a temporary directory (slurmctld, slurmd and munged
#        as root, on free ports, stopped by PID at the end, also on failure),
# and attacks.csv, timeseries.csv and report.md of each must equal the
# reference byte for byte. Failures: a file that is not a trace makes its
# collect fail (exit 1): parallel.sh merges nothing and says which file;
# slurm.sh --wait sees the merge job that Slurm can never start
# (DependencyNeverSatisfied), says so in one line and exits 1. A file cut
# short (collect exit 3) gives a written result and exit 3.
# Without GNU parallel, or without root and the Slurm and munge packages
# (scripts/setup-deps.sh installs them), those parts print "ok - skip: ...".
. "$TOPSRC/tests/lib.sh"

TEL=10.0.0.0/8
CL=$TOPSRC/scripts/cluster
export BACKSCATTER # the recipes find the binary through it
PATH=$PATH:/usr/sbin:/sbin

SLT=     # the Slurm directory (config, state, logs, munge), while up
SLCONF=  # its slurm.conf
SL_PIDS=()

# ---- Slurm: a single-node cluster of our own, up and down ----
# sl CMD...: a Slurm command against our cluster. SLURM_CONF is given to
# each command, never exported here, so that the processes holding it in
# their environment are all the cluster's (see slurm_down).
sl() { SLURM_CONF=$SLCONF "$@"; }

# slurm_pids: processes whose environment names our slurm.conf: the daemons
# and the job steps, which slurmd re-parents to PID 1.
slurm_pids() {
	local f p
	[ -n "$SLCONF" ] || return 0
	grep -lzxF "SLURM_CONF=$SLCONF" /proc/[0-9]*/environ 2>/dev/null | while read -r f; do
		p=${f#/proc/}
		p=${p%/environ}
		[ "$p" = $$ ] || echo "$p"
	done
}

# slurm_down: stops everything slurm_up started, by PID, and removes SLT.
slurm_down() {
	[ -n "$SLT" ] || return 0
	local p i left
	for p in ${SL_PIDS[@]+"${SL_PIDS[@]}"} $(slurm_pids); do
		kill -TERM "$p" 2>/dev/null
	done
	for i in $(seq 50); do
		left=$(slurm_pids)
		for p in ${SL_PIDS[@]+"${SL_PIDS[@]}"}; do
			kill -0 "$p" 2>/dev/null && left="$left $p"
		done
		[ -n "${left// /}" ] || break
		[ "$i" -lt 50 ] || for p in $left; do kill -KILL "$p" 2>/dev/null; done
		sleep 0.1
	done
	for p in ${SL_PIDS[@]+"${SL_PIDS[@]}"}; do
		wait "$p" 2>/dev/null
	done
	SL_PIDS=()
	rm -rf "$SLT"
	SLT=
}

# slurm_up: munged, slurmctld and slurmd as root in a fresh directory, on
# two free TCP ports; returns when the node is idle (0) or not (1).
slurm_up() {
	local ports node host i
	SLT=$(mktemp -d /tmp/bs-slurm.XXXXXX) || return 1
	SLCONF=$SLT/slurm.conf
	# munged wants its socket directory searchable by all (o+x).
	chmod 755 "$SLT"
	mkdir -p "$SLT/munge" "$SLT/state" "$SLT/spool" "$SLT/log"
	head -c 1024 /dev/urandom >"$SLT/munge/munge.key"
	chmod 600 "$SLT/munge/munge.key"
	munged --foreground --force --socket="$SLT/munge/socket" --key-file="$SLT/munge/munge.key" \
		--log-file="$SLT/log/munged.log" --pid-file="$SLT/munge/munged.pid" \
		--seed-file="$SLT/munge/seed" >"$SLT/log/munged.out" 2>&1 &
	SL_PIDS+=($!)
	for i in $(seq 50); do
		[ -S "$SLT/munge/socket" ] && break
		sleep 0.1
	done
	ports=$("$PYTHON3" -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
	node=$(slurmd -C | head -n 1)
	host=$(hostname -s)
	cat >"$SLCONF" <<EOF
ClusterName=bstest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${ports% *}
SlurmdPort=${ports#* }
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SLT/munge/socket
StateSaveLocation=$SLT/state
SlurmdSpoolDir=$SLT/spool
SlurmctldPidFile=$SLT/slurmctld.pid
SlurmdPidFile=$SLT/slurmd.pid
SlurmctldLogFile=$SLT/log/slurmctld.log
SlurmdLogFile=$SLT/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
	# Not through sl: $! must be the daemon itself, not a subshell.
	SLURM_CONF=$SLCONF slurmctld -D -i -f "$SLCONF" >"$SLT/log/slurmctld.out" 2>&1 &
	SL_PIDS+=($!)
	SLURM_CONF=$SLCONF slurmd -D -f "$SLCONF" >"$SLT/log/slurmd.out" 2>&1 &
	SL_PIDS+=($!)
	for i in $(seq 150); do
		[ "$(sl sinfo -h -o %T 2>/dev/null)" = idle ] && return 0
		sleep 0.2
	done
	tail -n 5 "$SLT"/log/*.log "$SLT"/log/*.out | sed 's/^/#   /'
	return 1
}

cleanup() {
	slurm_down
	rm -rf "$WORK"
}
trap cleanup EXIT
# bash runs no EXIT trap when a signal ends it: make it exit instead.
trap 'exit 1' INT TERM HUP

# ---- the capture: 4 hourly files, names with spaces ----
$GEN --scenario mixed --seed 7 --files 4 --victims 60 --out "$WORK/gen" --quiet
CAP="$WORK/capture dir"
mkdir -p "$CAP"
FILES=()
for i in 0 1 2 3; do
	mv "$WORK/gen/trace-00$i.pcap" "$CAP/hour 0$i.pcap"
	FILES+=("$CAP/hour 0$i.pcap")
done
# Every run writes into OUT and is then moved aside, so that report.md,
# which names its directory, is comparable byte for byte.
OUT="$WORK/out root"

# ---- the reference, sequentially ----
st=0
for f in "${FILES[@]}"; do
	stem=${f##*/}
	"$BACKSCATTER" collect --quiet --telescope "$TEL" --out "$OUT/shards/${stem%.pcap}" "$f" || st=$?
done
"$BACKSCATTER" merge --quiet --out "$OUT" "$OUT/shards/hour 0"[0-3] || st=$?
"$BACKSCATTER" report --quiet "$OUT" >/dev/null || st=$?
check_eq "reference: collect per file, merge, report, one after another" 0 $st
mv "$OUT" "$WORK/reference"
# ... which is one collect over all the files, byte for byte (merge is exact).
"$BACKSCATTER" collect --quiet --telescope "$TEL" --out "$WORK/one" "${FILES[@]}"
for f in attacks.csv timeseries.csv; do
	check "  its $f equals one collect's over the 4 files" cmp "$WORK/one/$f" "$WORK/reference/$f"
done

# same_as_reference WHAT: the run in OUT has the reference's results; then
# it is moved to WORK/WHAT.
same_as_reference() {
	local f
	for f in attacks.csv timeseries.csv report.md; do
		check "  $f equals the sequential run's" cmp "$WORK/reference/$f" "$OUT/$f"
	done
	mv "$OUT" "$WORK/$1"
}

# A file that is not a trace (collect: exit 1) and one cut short (exit 3).
BAD="$CAP/hour 09.pcap"
printf 'this is not a packet trace\n' >"$BAD"
CUT="$CAP/hour 03 cut.pcap"
head -c $(($(stat -c %s "${FILES[3]}") - 7)) "${FILES[3]}" >"$CUT"

# ---- command line ----
"$CL/parallel.sh" --telescope "$TEL" "${FILES[@]}" >/dev/null 2>&1
check_eq "parallel.sh without --out: exit 2" 2 $?
"$CL/slurm.sh" --telescope "$TEL" --out "$OUT" >/dev/null 2>&1
check_eq "slurm.sh without a file: exit 2" 2 $?
"$CL/slurm.sh" --telescope "$TEL" --out "$OUT" --bogus "${FILES[0]}" >/dev/null 2>&1
check_eq "slurm.sh with an unknown option: exit 2" 2 $?
check_eq "  nothing written" no "$([ -e "$OUT" ] && echo yes || echo no)"
check "parallel.sh --help" "$CL/parallel.sh" --help
check "slurm.sh --help" "$CL/slurm.sh" --help

# ---- (a) GNU parallel on this machine, (a') over ssh ----
if ! parallel --version 2>/dev/null | grep -q '^GNU parallel'; then
	pass "skip: GNU parallel: not installed (Debian package parallel)"
else
	"$CL/parallel.sh" --quiet --telescope "$TEL" --out "$OUT" --jobs 2 "${FILES[@]}" >/dev/null
	check_eq "parallel.sh, local, 2 jobs: exit 0" 0 $?
	check_eq "  4 jobs in the job log, all exit 0" "0 0 0 0" \
		"$(awk -F'\t' 'NR > 1 { print $7 }' "$OUT/jobs/parallel.joblog" | tr '\n' ' ' | sed 's/ $//')"
	check_eq "  one shard per file, named after it" "hour 00|hour 01|hour 02|hour 03" \
		"$(cd "$OUT/shards" && printf '%s|' * | sed 's/|$//')"
	same_as_reference parallel-local

	# The stand-in ssh: drops ssh's options and the host, runs the command
	# here with sh, as sshd runs it with the login shell and SHELL set (GNU
	# parallel's remote wrapper runs the job with $SHELL); notes the host.
	SSH="$WORK/ssh-standin"
	cat >"$SSH" <<EOF
#!/bin/sh
while [ \$# -gt 0 ]; do
	case \$1 in
	-[bcDeFIiJLlmOopQRSWw]) shift 2 ;;
	-?*) shift ;;
	*) break ;;
	esac
done
echo "\$1" >>"$WORK/ssh-hosts"
shift
[ "\${1-}" = -- ] && shift
# STANDIN_SHELL= plays a host whose login sets no SHELL.
if [ -n "\${STANDIN_SHELL-/bin/sh}" ]; then export SHELL=\${STANDIN_SHELL-/bin/sh}; else unset SHELL; fi
exec sh -c "\$*"
EOF
	chmod +x "$SSH"
	"$CL/parallel.sh" --quiet --telescope "$TEL" --out "$OUT" --ssh "$SSH" \
		--sshlogin 1/node-a --sshlogin 1/node-b "${FILES[@]}" >/dev/null
	check_eq "parallel.sh --sshlogin node-a --sshlogin node-b (stand-in ssh): exit 0" 0 $?
	check_eq "  both hosts ran collects" "node-a node-b" \
		"$(awk -F'\t' 'NR > 1 { print $2 }' "$OUT/jobs/parallel.joblog" | sort -u | tr '\n' ' ' | sed 's/ $//')"
	check "  through the stand-in ssh" grep -q node-a "$WORK/ssh-hosts"
	same_as_reference parallel-ssh

	# A remote shell without SHELL: GNU parallel's wrapper runs nothing and
	# the job log says exit 0; parallel.sh must not merge the stale shards.
	STANDIN_SHELL= "$CL/parallel.sh" --quiet --telescope "$TEL" --out "$OUT" \
		--ssh "$SSH" --sshlogin 1/node-a "${FILES[@]}" >/dev/null 2>"$WORK/err"
	check_eq "parallel.sh, a host that runs nothing (no SHELL there): exit 1" 1 $?
	check "  it names the files that wrote no shard" \
		grep -q "collect failed for 4 of 4 files: .*(exit 0 but wrote no .*/summary.json).*; nothing merged" \
		<(tail -n 1 "$WORK/err")

	"$CL/parallel.sh" --quiet --telescope "$TEL" --out "$OUT" "${FILES[0]}" "$BAD" "${FILES[1]}" \
		>/dev/null 2>"$WORK/err"
	check_eq "parallel.sh, a file that is not a trace: exit 1" 1 $?
	check "  the last line names it and says nothing was merged" \
		grep -q "parallel.sh: collect failed for 1 of 3 files: $BAD (exit 1); nothing merged" \
		<(tail -n 1 "$WORK/err")
	check_eq "  nothing merged" no "$([ -e "$OUT/attacks.csv" ] && echo yes || echo no)"
	rm -rf "$OUT"

	"$CL/parallel.sh" --quiet --telescope "$TEL" --out "$OUT" "$CUT" >/dev/null 2>&1
	check_eq "parallel.sh, a file cut short: exit 3" 3 $?
	check "  merged and reported all the same" test -s "$OUT/attacks.csv" -a -s "$OUT/report.md"
	rm -rf "$OUT"
fi

# ---- (b) Slurm: a single-node cluster of our own (functions above) ----
slurm_skip=
if [ "$(id -u)" -ne 0 ]; then
	slurm_skip="not root (the test runs its own slurmctld, slurmd and munged)"
else
	for c in munged slurmctld slurmd sbatch scontrol scancel sinfo; do
		command -v "$c" >/dev/null && continue
		slurm_skip="$c not installed (Debian packages slurmctld slurmd slurm-client munge, see scripts/setup-deps.sh)"
		break
	done
fi
if [ -n "$slurm_skip" ]; then
	pass "skip: Slurm: $slurm_skip"
elif ! slurm_up; then
	fail "a single-node Slurm comes up (munged, slurmctld, slurmd)"
else
	pass "a single-node Slurm comes up (munged, slurmctld, slurmd)"

	sl "$CL/slurm.sh" --quiet --wait --poll 1 --telescope "$TEL" --out "$OUT" "${FILES[@]}" >"$WORK/ids"
	check_eq "slurm.sh --wait, 4 files: exit 0" 0 $?
	array_id=$(sed -n 's/^collect_job=//p' "$WORK/ids")
	merge_id=$(sed -n 's/^merge_job=//p' "$WORK/ids")
	check "  prints the two job ids" test -n "$array_id" -a -n "$merge_id"
	sl scontrol show job -o "$array_id" >"$WORK/array" 2>&1
	check_eq "  the array had 4 tasks, all COMPLETED" 4 "$(grep -c 'JobState=COMPLETED' "$WORK/array")"
	sl scontrol show job -o "$merge_id" >"$WORK/merge" 2>&1
	check "  the merge job COMPLETED" grep -q "JobState=COMPLETED" "$WORK/merge"
	last_end=$(grep -o 'EndTime=[^ ]*' "$WORK/array" | sort | tail -n 1)
	merge_start=$(grep -o 'StartTime=[^ ]*' "$WORK/merge")
	check "  after the last task ended (afterok): ${merge_start#*=} >= ${last_end#*=}" \
		test ! "${merge_start#*=}" \< "${last_end#*=}"
	same_as_reference slurm

	sl "$CL/slurm.sh" --wait --poll 1 --telescope "$TEL" --out "$OUT" "${FILES[0]}" "$BAD" "${FILES[1]}" \
		>"$WORK/ids" 2>"$WORK/err"
	check_eq "slurm.sh --wait, a file that is not a trace: exit 1" 1 $?
	merge_id=$(sed -n 's/^merge_job=//p' "$WORK/ids")
	grep -v ": submitted collect array job" "$WORK/err" >"$WORK/err1"
	check_eq "  one line on stderr besides the submission" 1 "$(wc -l <"$WORK/err1")"
	check "  it names the file and the task, and the merge job cancelled" \
		grep -q "slurm.sh: collect failed for 1 of 3 files: $BAD (task 1, exit 1); merge job $merge_id cancelled" \
		"$WORK/err1"
	sl scontrol show job -o "$merge_id" >"$WORK/merge" 2>&1
	check "  the merge job is CANCELLED (DependencyNeverSatisfied), not left pending" \
		grep -q "JobState=CANCELLED Reason=DependencyNeverSatisfied" "$WORK/merge"
	check_eq "  nothing merged" no "$([ -e "$OUT/attacks.csv" ] && echo yes || echo no)"
	check "  the task's log says why" grep -q "not a packet trace" "$OUT/jobs/collect-1.out"
	rm -rf "$OUT"

	# Without --kill-on-invalid-dep Slurm leaves the merge job pending for
	# ever (Reason=DependencyNeverSatisfied): slurm.sh cancels it.
	sl "$CL/slurm.sh" --quiet --wait --poll 1 --sbatch=--kill-on-invalid-dep=no --telescope "$TEL" \
		--out "$OUT" "$BAD" >"$WORK/ids" 2>"$WORK/err"
	check_eq "slurm.sh --wait, --sbatch=--kill-on-invalid-dep=no, the file that is not a trace: exit 1" 1 $?
	merge_id=$(sed -n 's/^merge_job=//p' "$WORK/ids")
	check_eq "  one line on stderr" 1 "$(wc -l <"$WORK/err")"
	check "  slurm.sh cancelled the pending merge job" \
		grep -q "collect failed for 1 of 1 files: $BAD (task 0, exit 1); merge job $merge_id cancelled" "$WORK/err"
	sl scontrol show job -o "$merge_id" >"$WORK/merge" 2>&1
	check "  it is CANCELLED" grep -q "JobState=CANCELLED" "$WORK/merge"
	rm -rf "$OUT"

	sl "$CL/slurm.sh" --quiet --wait --poll 1 --telescope "$TEL" --out "$OUT" "$CUT" >/dev/null 2>&1
	check_eq "slurm.sh --wait, a file cut short: exit 3" 3 $?
	check "  merged and reported all the same" test -s "$OUT/attacks.csv" -a -s "$OUT/report.md"
	rm -rf "$OUT"

	sl squeue -h >"$WORK/queue" 2>&1
	check_eq "the queue is empty" "" "$(cat "$WORK/queue")"
	conf=$SLCONF
	daemons=("${SL_PIDS[@]}")
	slurm_down
	left=$(grep -lzxF "SLURM_CONF=$conf" /proc/[0-9]*/environ 2>/dev/null)
	for p in "${daemons[@]}"; do
		[ ! -e "/proc/$p" ] || left="$left $p"
	done
	check_eq "teardown: no daemon or job step of the cluster left" "" "$left"
fi

finish

#!/usr/bin/env bash
# e2e_units.sh - the nightly units (systemd/) as make builds them:
#   (a) `systemd-analyze verify` passes on the service and the timer (a
#       copy whose ExecStart names the program just built, which verify
#       needs to exist);
#   (b) `systemd-analyze security --offline=true` rates the service's
#       exposure at most EXPOSURE_MAX, and the settings the issue names
#       are there;
#   (c) the service's ExecStart, paths substituted, runs yesterday's night
#       from the shipped config file with only its three nightly lines
#       edited, as an unprivileged user in a clean environment, under the
#       unit's file-system view rebuilt with a mount namespace: everything
#       read-only but ReadWritePaths=, /home and /root hidden, no network,
#       no new privileges, no capabilities. First the captures are too
#       fresh (exit 75, nothing written), then the night is written, then
#       it is done already; a config whose out-root lies outside
#       ReadWritePaths= fails (the view really is read-only).
# systemd is not PID 1 in a container, so the unit itself is not started:
# the seccomp filter, ProtectKernel*, MemoryDenyWriteExecute and the
# restart on 75 are systemd's, checked by (a) and (b) only. (c) needs root
# (unshare, setpriv); without it, it says so and checks nothing.
. "${TOPSRC:?TOPSRC must name the source tree}/tests/lib.sh" || exit 1

# The exposure systemd-analyze security may report, 0 (none) to 10. 1.0
# is the top of its "SAFE" band less headroom for a new systemd's checks;
# the service scores 0.5 with systemd 252 (what is left: PrivateUsers=, the
# host's root directory, AF_UNIX sockets, @resources, world-readable files).
EXPOSURE_MAX=1.0

BUILDDIR=$(dirname "$BACKSCATTER")
SERVICE=$BUILDDIR/systemd/backscatter-nightly.service
TIMER=$TOPSRC/systemd/backscatter-nightly.timer
CONF_SHIPPED=$BUILDDIR/etc/backscatter.conf
check "make built the service and the config file" test -s "$SERVICE" -a -s "$CONF_SHIPPED"

# unit_value KEY: the values of KEY= in the service, one a line.
unit_value() { sed -n "s/^$1=//p" "$SERVICE"; }
EXEC=$(unit_value ExecStart)
U=$WORK/units
mkdir -p "$U"
sed "s|^ExecStart=[^ ]*|ExecStart=$BACKSCATTER|" "$SERVICE" >"$U/backscatter-nightly.service"
cp "$TIMER" "$U/"

# ---- (a) verify ----
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$U/backscatter-nightly.service" \
		"$U/backscatter-nightly.timer" >"$WORK/verify" 2>&1
	check_eq "systemd-analyze verify: exit 0" 0 $?
	check_eq "  and nothing to say" "" "$(cat "$WORK/verify")"
	# ---- (b) security ----
	systemd-analyze security --offline=true "$U/backscatter-nightly.service" >"$WORK/sec" 2>&1
	score=$(sed -n 's/.*Overall exposure level for backscatter-nightly.service: \([0-9.]*\).*/\1/p' "$WORK/sec")
	echo "# systemd-analyze security: exposure $score (at most $EXPOSURE_MAX)"
	check "exposure $score <= $EXPOSURE_MAX" awk -v s="$score" -v m="$EXPOSURE_MAX" \
		'BEGIN { exit !(s != "" && s + 0 <= m + 0) }'
else
	fail "systemd-analyze not found (Debian package systemd)"
fi
for kv in Type=oneshot User=backscatter Group=backscatter ProtectSystem=strict PrivateTmp=yes \
	NoNewPrivileges=yes ProtectHome=yes PrivateNetwork=yes CapabilityBoundingSet= \
	MemoryDenyWriteExecute=yes SystemCallFilter=@system-service Restart=on-failure; do
	check_eq "the service sets $kv" 1 "$(grep -cx "$kv" "$SERVICE")"
done
RW=$(unit_value ReadWritePaths)
check_eq "ReadWritePaths= is the shipped config's out-root, and only it" \
	"$(sed -n 's/^out-root = //p' "$CONF_SHIPPED")" "$RW"
check_eq "no restart for 0 (success), 1, 2, 3: only 75 is retried" "1 2 3 SIGKILL" \
	"$(unit_value RestartPreventExitStatus)"
check_eq "the timer starts it daily after midnight UTC" "*-*-* 00:30:00 UTC" \
	"$(sed -n 's/^OnCalendar=//p' "$TIMER")"
check_eq "ExecStart: run yesterday's night from the installed config file" \
	"run --night yesterday --config $(sed -n '1s/^# \([^ ]*\) - .*/\1/p' "$CONF_SHIPPED")" \
	"$(echo "$EXEC" | cut -d' ' -f2-)"

# ---- (c) the ExecStart under the unit's view ----
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v setpriv >/dev/null ||
	! unshare -m true 2>/dev/null || [ ! -d /dev/shm ]; then
	echo "# not root, or no mount namespace or /dev/shm here: the hardened run is not checked"
	finish
	exit $?
fi
# The run's files live in /dev/shm, so that a private /tmp (PrivateTmp=)
# can be mounted over the one that holds $WORK.
D=$(mktemp -d /dev/shm/bs-units.XXXXXX)
trap 'rm -rf "$WORK" "$D"' EXIT
RUNAS=backscatter
id "$RUNAS" >/dev/null 2>&1 || RUNAS=nobody # the Debian package makes the user
echo "# running ExecStart as $RUNAS"
chmod 755 "$D"
# The program and its templates laid out as an installation lays them
# out, in $D: the build tree may be under /tmp, /home or /root, which the
# unit's view hides.
mkdir -p "$D/bin" "$D/share/backscatter/plots"
cp "$BACKSCATTER" "$D/bin/backscatter"
cp "$TOPSRC"/plots/*.gp "$D/share/backscatter/plots/"
PROG=$D/bin/backscatter
ROOT=$D/root
Y=$(date -u -d yesterday +%F)
mkdir -p "$ROOT" "$D/elsewhere" "$D/captures/$Y"
chown "$RUNAS:" "$ROOT" "$D/elsewhere"
cp "$TOPSRC"/data/sample/*.pcap.gz "$D/captures/$Y/" # fresh: just written
# The shipped config with only the nightly lines edited.
sed -e "s|^#telescope = .*|telescope = 10.0.0.0/8|" \
	-e "s|^#captures = .*|captures = $D/captures/%Y-%m-%d/*.pcap.gz|" \
	-e "s|^out-root = .*|out-root = $ROOT|" "$CONF_SHIPPED" >"$WORK/backscatter.conf"
check_eq "the config differs from the shipped one in three lines" 3 \
	"$(diff "$CONF_SHIPPED" "$WORK/backscatter.conf" | grep -c '^>')"
sed "s|^out-root = .*|out-root = $D/elsewhere|" "$WORK/backscatter.conf" >"$D/elsewhere.conf"
cp "$WORK/backscatter.conf" "$D/"

# hardened CONFIG: ExecStart with the program built (its copy in $D) and CONFIG, as RUNAS,
# in a clean environment, with ROOT the only writable path but a private
# /tmp and /var/tmp.
hardened() {
	local cmd
	cmd=$(echo "$EXEC" | sed "s|^[^ ]*|$PROG|; s|--config [^ ]*|--config $1|")
	unshare -m -n --propagation private sh -c '
		set -e
		mount --bind "$1" "$1"
		mount -o remount,bind,ro /
		mount -o remount,bind,ro /dev/shm
		mount -o remount,bind,rw "$1"
		mount -t tmpfs -o mode=1777 tmpfs /tmp
		mount -t tmpfs -o mode=1777 tmpfs /var/tmp
		for d in /home /root /run/user; do
			[ ! -d "$d" ] || mount -t tmpfs -o ro,mode=000 tmpfs "$d"
		done
		shift
		exec "$@"' sh "$ROOT" \
		setpriv --reuid="$RUNAS" --regid="$(id -g "$RUNAS")" --clear-groups --no-new-privs \
		--bounding-set=-all --inh-caps=-all -- \
		env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8 $cmd
}
hardened "$D/backscatter.conf" >"$WORK/out" 2>"$WORK/err"
check_eq "captures written a moment ago: exit 75" 75 $?
check_eq "  one line why" 1 "$(grep -c "^backscatter: run: night $Y not complete (.*still being written); nothing written, try again later$" "$WORK/err")"
check_eq "  no night directory" no "$([ -e "$ROOT/$Y" ] && echo yes || echo no)"
touch -d '1 hour ago' "$D/captures/$Y"/*
hardened "$D/backscatter.conf" >"$WORK/out" 2>"$WORK/err"
rc=$?
check_eq "the night under the unit's view: exit 0" 0 $rc
[ "$rc" = 0 ] || sed 's/^/#   /' "$WORK/err"
check_eq "  attacks.csv as run --out writes it" \
	"$("$BACKSCATTER" collect --quiet --telescope 10.0.0.0/8 --out "$WORK/ref" \
		"$D/captures/$Y"/*.pcap.gz && cat "$WORK/ref/attacks.csv")" \
	"$(cat "$ROOT/$Y/attacks.csv" 2>&1)"
check "  report.html and non-empty plots" test -s "$ROOT/$Y/report.html" -a \
	-s "$ROOT/$Y/plots/per_hour.png"
check_eq "  owned by $RUNAS" "$RUNAS" "$(stat -c %U "$ROOT/$Y/summary.json")"
hardened "$D/backscatter.conf" >"$WORK/out" 2>"$WORK/err"
check_eq "started again (the timer, a retry): exit 0, done already" "0:" "$?:$(cat "$WORK/err")"
hardened "$D/elsewhere.conf" >"$WORK/out" 2>"$WORK/err"
check_eq "an out-root outside ReadWritePaths=: exit 1" 1 $?
check_eq "  read-only, says the one line" 1 "$(grep -c "Read-only file system" "$WORK/err")"

finish

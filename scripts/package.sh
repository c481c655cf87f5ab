#!/usr/bin/env bash
# Builds the Debian package from this checkout in a temporary directory
# (dpkg-buildpackage -b -us -uc on a copy of the tracked and new files),
# checks it with lintian (no errors), installs it with apt (which pulls its
# dependencies), runs the installed /usr/bin/backscatter on data/sample as
# the package's system user into its output root (collect and report with
# plots; attacks.csv byte for byte that of the build tree's program), finds
# the man page and the completion, then purges it: the program and the
# templates are gone, /var/lib/backscatter stays only while it holds data.
# Prints "ok - ..." lines and "e2e: P passed, F failed" (scripts/test.sh
# adds them up). Needs root and build/backscatter (scripts/build.sh build).
# DEB_BUILD_OPTIONS is passed on; unset, it is "nocheck": the unit suites
# (debian/rules runs them) already ran on this source in scripts/test.sh.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export TOPSRC=$top BACKSCATTER=$top/build/backscatter
# shellcheck source=tests/lib.sh
. "$top/tests/lib.sh"

ROOT=/var/lib/backscatter
TEL=10.0.0.0/8 # the sample's telescope, see data/README.md
PLOTS=/usr/share/backscatter/plots

if dpkg-query -W -f='${Status}' backscatter 2>/dev/null | grep -q "ok installed"; then
	fail "backscatter is installed on this machine; this test installs and purges its own"
	finish
	exit
fi
check "the build tree's program exists" test -x "$BACKSCATTER"

version=$(sed -n '1s/^backscatter (\([^)]*\)).*/\1/p' "$top/debian/changelog")
src=$WORK/backscatter-$version
mkdir -p "$src"
# Tracked and new files, not the builds nor what .gitignore names.
(cd "$top" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
	[ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf -) | tar -C "$src" -xf -
(cd "$src" && DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} dpkg-buildpackage -b -us -uc) >"$WORK/build.log" 2>&1
rc=$?
check_eq "dpkg-buildpackage -b -us -uc" 0 $rc
[ $rc -eq 0 ] || tail -n 30 "$WORK/build.log" | sed 's/^/#   /'
deb=$WORK/backscatter_${version}_$(dpkg --print-architecture).deb
check "  made $(basename "$deb")" test -s "$deb"
if [ ! -s "$deb" ]; then
	finish
	exit
fi

# lintian refuses nothing as root but says so; its tags go to the log.
lintian --fail-on error "$deb" >"$WORK/lintian.log" 2>&1
check_eq "lintian: no errors" 0 $?
grep -E '^[EW]: ' "$WORK/lintian.log" | sed 's/^/#   /'

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$WORK/install.log" 2>&1
check_eq "apt-get install ./$(basename "$deb")" 0 $?
check "  /usr/bin/backscatter" test -x /usr/bin/backscatter
check "  the templates in $PLOTS" test -s "$PLOTS/common.gp"
check "  man -w backscatter finds the page" man -w backscatter
check "  the bash completion" test -s /usr/share/bash-completion/completions/backscatter
check "  the system user backscatter" getent passwd backscatter
check_eq "  $ROOT belongs to it" "backscatter:backscatter" "$(stat -c %U:%G "$ROOT" 2>&1)"

# The nightly units (systemd/, when the tree has them): where Debian 12's
# dh_installsystemd registers them, shipped but not enabled.
units=$(dpkg-deb -c "$deb" | grep -oE '[^ ]*/systemd/system/[^/ ]+\.(service|timer)$')
for unit in $units; do
	check "  unit ${unit##*/} in /lib/systemd/system" test "${unit#./}" = "lib/systemd/system/${unit##*/}"
	check "  unit ${unit##*/} is not enabled" test -z "$(find /etc/systemd/system -name "${unit##*/}" 2>/dev/null)"
done

# The nightly job's user reads the captures from a directory it may read.
in=$WORK/in
mkdir -p "$in" && cp "$top"/data/sample/*.pcap.gz "$in" && chmod -R a+rX "$WORK"
night=$ROOT/package-test
(cd / && runuser -u backscatter -- env -u BACKSCATTER_PLOTS /usr/bin/backscatter run --quiet \
	--telescope "$TEL" --out "$night" "$in"/*.pcap.gz)
check_eq "installed program, as user backscatter: run on the sample exits 0" 0 $?
check_installed_night "$night" "$TEL" "$in"/*.pcap.gz

dpkg --purge backscatter >"$WORK/purge.log" 2>&1
check_eq "dpkg --purge backscatter" 0 $?
check "  the program is gone" test ! -e /usr/bin/backscatter
check "  the templates are gone" test ! -e /usr/share/backscatter
check "  the man page is gone" test ! -e /usr/share/man/man1/backscatter.1.gz
check "  the nights written stay" test -s "$night/attacks.csv"
rm -r "$night"
# Purged again with nothing left to keep: the empty output root goes.
apt-get install -y -qq --no-install-recommends "$deb" >>"$WORK/install.log" 2>&1 &&
	dpkg --purge backscatter >>"$WORK/purge.log" 2>&1
check "  an empty $ROOT is removed by purge" test ! -e "$ROOT"
finish

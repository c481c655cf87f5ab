#!/usr/bin/env bash
# Installs the Debian 12 packages backscatter needs to build, run and test,
# but only those missing (apt-get needs root). Sourced by demo.sh and test.sh.
# Sourced: the caller chooses its own shell options.

# libisal-dev, zlib1g-dev, libzstd-dev: the record walker's decompression
# (telescope/bytesource.c; configure falls back to zlib without ISA-L).
# zlib1g-dev also writes the unit tests' gzip files.
BUILD_PKGS="gcc make autoconf automake pkg-config libtrace3-dev libwandio1-dev libmaxminddb-dev
libjansson-dev libxxhash-dev libpcap-dev libcsv-dev check libisal-dev zlib1g-dev libzstd-dev"
RUN_PKGS="gnuplot-nox python3"
# parallel, slurm*, munge: tests/e2e_cluster.sh runs scripts/cluster/ on GNU
# parallel and on a single-node Slurm of its own. wireshark-common: editcap,
# which tests/e2e_pieces.sh cuts captures with. zstd: tests/e2e_walk.sh's
# compressed copies. chromium: tests/e2e_archive.sh opens the archive index
# in a headless browser. tshark: tests/e2e_evidence.sh reads evidence.pcapng.
TEST_PKGS="clang clang-format libclang-rt-14-dev valgrind sqlite3 time wireshark-common parallel slurmctld slurmd
slurm-client munge zstd chromium tshark"
# debhelper, dpkg-dev, fakeroot, lintian, man-db: scripts/package.sh builds,
# checks and installs the Debian package (groff of man-db: tests/e2e_manpage.sh).
TEST_PKGS="$TEST_PKGS debhelper dpkg-dev fakeroot lintian man-db"
# systemd: tests/e2e_units.sh's systemd-analyze (verify, security), and the
# unit directory configure asks its pkg-config file for.
TEST_PKGS="$TEST_PKGS systemd"

missing_packages() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
	done
}

install_packages() {
	# shellcheck disable=SC2046
	local need
	need=$(missing_packages "$@" | tr '\n' ' ')
	[ -z "${need// /}" ] && return 0
	echo "setup: installing Debian packages: $need" >&2
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
}

#!/usr/bin/env bash
# e2e_install.sh - `make install` and `make uninstall` of the build tree the
# tested program comes from, into a DESTDIR: the program, every gnuplot
# template, the man page and the bash completion land where a Debian
# system expects them under the configured prefix; the installed tree,
# moved elsewhere (so neither the source tree nor the configured prefix is
# where its files are), runs the nightly job on the sample capture with
# plots and writes the attacks.csv the build tree's program writes; without
# its templates it says so (exit 3); and `make uninstall` leaves no file.
. "$TOPSRC/tests/lib.sh"

BUILD=$(cd "$(dirname "$BACKSCATTER")" && pwd)
TEL=10.0.0.0/8 # the sample's telescope, see data/README.md
# A fresh make, not a part of the `make check` that may be running this.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILD" "$@"; }
# A variable of the build tree's Makefile, expanded as make expands it.
var() { mk --no-print-directory --eval='bs-print-%: ; @echo $($*)' "bs-print-$1"; }
prefix=$(var prefix)
datadir=$(var datadir)
check "the build tree's prefix is absolute ($prefix)" test "${prefix#/}" != "$prefix"

D=$WORK/dest
check "make install DESTDIR=..." mk install DESTDIR="$D"
check "program in bin" test -x "$D$prefix/bin/backscatter"
for gp in "$TOPSRC"/plots/*.gp; do
	check "template $(basename "$gp") in share/backscatter/plots" \
		cmp "$gp" "$D$datadir/backscatter/plots/$(basename "$gp")"
done
check "man page in share/man/man1" cmp "$TOPSRC/docs/backscatter.1" "$D$datadir/man/man1/backscatter.1"
check "bash completion in share/bash-completion/completions" \
	cmp "$TOPSRC/completion/backscatter" "$D$datadir/bash-completion/completions/backscatter"

# The installed tree, moved where nothing was configured to be.
R=$WORK/relocated
cp -a "$D$prefix" "$R"
mkdir "$WORK/cwd"
installed() { (cd "$WORK/cwd" && env -u BACKSCATTER_PLOTS "$R/bin/backscatter" "$@"); }
installed run --quiet --telescope "$TEL" --out "$WORK/night" "$TOPSRC"/data/sample/*.pcap.gz
check_eq "installed program: run on the sample exits 0" 0 $?
check_installed_night "$WORK/night" "$TEL" "$TOPSRC"/data/sample/*.pcap.gz

# Without its own templates the relocated program finds none (unless this
# machine has them at the configured place, which would then be found).
rm -r "$R/share/backscatter/plots"
if [ -d "$datadir/backscatter/plots" ]; then
	echo "# skipped: templates without the relocated tree ($datadir/backscatter/plots exists here)"
else
	installed report --out "$WORK/noplots" "$WORK/night" 2>"$WORK/err" >/dev/null
	check_eq "  without templates: report exits 3" 3 $?
	check "  and says the templates are not found" grep -q "templates not found" "$WORK/err"
fi

check "make uninstall DESTDIR=..." mk uninstall DESTDIR="$D"
left=$(find "$D" -type f -o -type l)
check_eq "  leaves no file" "" "$left"
finish

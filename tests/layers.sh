#!/usr/bin/env bash
# layers.sh - the floors of docs/architecture.md hold: every include of the
# library and the program names its folder, runs to the same floor or one
# below (base < telescope < outdir < analysis < src), and no modules
# include each other in a circle. A module is a .c and its .h; an include
# of "telescope/attack.h" from analysis/collector.c is an arrow from the
# module analysis/collector to telescope/attack.
. "$TOPSRC/tests/lib.sh"

"$PYTHON3" "$TOPSRC/tests/layers.py" "$TOPSRC" >"$WORK/layers.out"
grep -v '^bad ' "$WORK/layers.out"
bad=$(grep -c '^bad ' "$WORK/layers.out")
grep '^bad ' "$WORK/layers.out" | sed 's/^/#   /'
check_eq "no include names no folder, runs up a floor, or closes a circle" 0 "$bad"

# The check itself must be able to fail: a copy of the tree with one arrow
# up (telescope including outdir) and one circle is refused on both counts.
mkdir -p "$WORK/tree"
cp -r "$TOPSRC"/base "$TOPSRC"/telescope "$TOPSRC"/outdir "$TOPSRC"/analysis "$TOPSRC"/src "$WORK/tree/"
echo '#include "outdir/summary.h"' >>"$WORK/tree/telescope/addr.c"
echo '#include "analysis/report.h"' >>"$WORK/tree/analysis/render.c"
echo '#include "analysis/render.h"' >>"$WORK/tree/analysis/report.c"
"$PYTHON3" "$TOPSRC/tests/layers.py" "$WORK/tree" >"$WORK/mutant.out"
check "a planted arrow up is found" grep -q '^bad telescope/addr.c (floor telescope) includes outdir/summary.h' "$WORK/mutant.out"
check "a planted circle is found" grep -q '^bad circle: analysis/re' "$WORK/mutant.out"
finish

#!/usr/bin/env python3
"""layers.py TOP: prints a line "bad ..." for every include of the library
and the program (TOP/{base,telescope,outdir,analysis,src}) that names no
floor, runs up a floor, or closes a circle of modules; then a count line.
Run by tests/layers.sh; the floors are those of docs/architecture.md."""
import os, re, sys
top = sys.argv[1]
FLOORS = ["base", "telescope", "outdir", "analysis", "src"]
floor = {f: i for i, f in enumerate(FLOORS)}
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
arrows = {}
for f in FLOORS:
    for name in sorted(os.listdir(os.path.join(top, f))):
        if not name.endswith((".c", ".h")):
            continue
        mod = f + "/" + name[:-2]
        text = open(os.path.join(top, f, name), encoding="utf-8").read()
        for target in inc.findall(text):
            if target == "config.h":
                continue
            folder = target.split("/")[0]
            if "/" not in target or folder not in floor:
                print("bad %s/%s includes \"%s\", which names no floor" % (f, name, target))
                continue
            if floor[folder] > floor[f]:
                print("bad %s/%s (floor %s) includes %s, a floor above" % (f, name, f, target))
            dst = target[:-2]
            if dst != mod:
                arrows.setdefault(mod, set()).add(dst)
# Circles: depth-first search over the module arrows.
state, stack = {}, []
def visit(m):
    state[m] = 1
    stack.append(m)
    for d in sorted(arrows.get(m, ())):
        if state.get(d) == 1:
            print("bad circle: " + " -> ".join(stack[stack.index(d):] + [d]))
        elif d not in state:
            visit(d)
    stack.pop()
    state[m] = 2
for m in sorted(arrows):
    if m not in state:
        visit(m)
print("modules %d, arrows %d" % (len(arrows), sum(len(v) for v in arrows.values())))

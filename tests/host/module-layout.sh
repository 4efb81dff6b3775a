#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# module/ stays a tree a newcomer can follow: no file over 600 lines, and
# no cycle between its files, where a file depends on another when it
# names a symbol the other defines (its non-static functions and
# variables, as grep -w finds them).
exec python3 - "$(cd "$(dirname "$0")/../.." && pwd)/module" <<'PY'
import os, re, sys
d = sys.argv[1]
files = sorted(f for f in os.listdir(d) if f.endswith(".c"))
text = {f: open(os.path.join(d, f)).read() for f in files}
defs = {}
fail = 0
for f in files:
    n = text[f].count("\n")
    if n > 600:
        print("%s: %d lines (at most 600)" % (f, n))
        fail = 1
    for m in re.finditer(r"^(?!static\b)(?:[a-z_][\w ]*?[\s*]+)(cwp_\w+)\s*(\(|=|;|\[)",
                         text[f], re.M):
        name = m.group(1)
        line = text[f][m.start():text[f].index("\n", m.start())]
        if m.group(2) == "(" and line.rstrip().endswith(";"):
            continue        # a prototype
        defs[name] = f
    for m in re.finditer(r"^DEFINE_\w+\((cwp_\w+)", text[f], re.M):
        defs[m.group(1)] = f
deps = {f: set() for f in files}
for f in files:
    body = re.sub(r"/\*.*?\*/", "", text[f], flags=re.S)
    for name, owner in defs.items():
        if owner != f and re.search(r"\b%s\b" % name, body):
            deps[f].add(owner)
# A cycle: depth-first search.
state = {}
def visit(f, path):
    global fail
    if state.get(f) == 1:
        print("cycle: " + " -> ".join(path[path.index(f):] + [f]))
        fail = 1
        return
    if state.get(f) == 2:
        return
    state[f] = 1
    for g in sorted(deps[f]):
        visit(g, path + [f])
    state[f] = 2
for f in files:
    visit(f, [])
if os.environ.get("CWP_LAYOUT_VERBOSE"):
    for f in files:
        print("%-10s -> %s" % (f, " ".join(sorted(deps[f]))))
sys.exit(fail)
PY

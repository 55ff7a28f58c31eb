#!/usr/bin/env python3
"""Prints the import cycles among one crate's modules: `python3 scripts/module-cycles.py SRC [DEPTH] [-v]`.

Reads `crate::x` and `super::x` paths (comments and trailing `#[cfg(test)] mod` blocks left
out), folds modules to DEPTH path segments (1: top-level modules), and prints every strongly
connected component of more than one module; `-v` prints the graph too. Exits 1 on a cycle."""
import os, re, sys
args = [a for a in sys.argv[1:] if a != '-v']
root = args[0]; depth = int(args[1]) if len(args) > 1 else 1
def modname(path):
    rel = os.path.relpath(path, root)[:-3]
    parts = rel.split(os.sep)
    if parts[-1] in ('mod', 'lib', 'main'): parts = parts[:-1]
    if parts and parts[-1] == 'tests': parts = parts[:-1]
    return parts
edges = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p = os.path.join(d, f); full = modname(p); m = '::'.join(full[:depth]) or 'crate'
        src = open(p).read()
        src = re.sub(r"^\s*//.*$", "", src, flags=re.M)
        src = re.sub(r'#\[cfg\(test\)\]\s*mod \w+ \{.*', '', src, flags=re.S)  # inline test modules last
        edges.setdefault(m, set())
        for hit in re.finditer(r'crate::([a-z_]+(?:::[a-z_]+)*)', src):
            target = '::'.join(hit.group(1).split('::')[:depth])
            # keep only module paths that exist
            cand = target.split('::')
            while cand and not (os.path.exists(os.path.join(root, *cand) + '.rs') or os.path.isdir(os.path.join(root, *cand))):
                cand = cand[:-1]
            t = '::'.join(cand)
            if t and t != m and not m.startswith(t + '::') and not t.startswith(m + '::'):
                edges[m].add(t)
        for hit in re.finditer(r'\bsuper::([a-z_]+)', src):
            parent = full[:-1] if os.path.basename(p) not in ('mod.rs',) else full[:-1]
            t = '::'.join(parent + [hit.group(1)])
            folded = '::'.join(t.split('::')[:depth])
            if os.path.exists(os.path.join(root, *t.split('::')) + '.rs') and folded != m:
                edges[m].add(folded)
# Tarjan
index = {}; low = {}; stack = []; on = set(); sccs = []; i = [0]
sys.setrecursionlimit(10000)
def strong(v):
    index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in index: strong(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        c = []
        while True:
            w = stack.pop(); on.discard(w); c.append(w)
            if w == v: break
        sccs.append(c)
for v in list(edges):
    if v not in index: strong(v)
cycles = [sorted(c) for c in sccs if len(c) > 1]
if '-v' in sys.argv:
    for m in sorted(edges): print(f'{m} -> {", ".join(sorted(edges[m]))}')
for c in cycles: print('CYCLE:', ' <-> '.join(c))
print(f'{len(edges)} modules, {len(cycles)} cycle(s)')
sys.exit(1 if cycles else 0)

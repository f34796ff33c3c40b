#!/usr/bin/env python3
"""check-layers.py [ROOT]: the layers of hv/ are visible and one-way.

A file in a rules/ or lib/ folder (pure code: compiled into the hypervisor and into the host unit tests,
Makefile PURE_C) may include only files that are themselves in a rules/ or lib/ folder; and no file of
hv/ reaches itself through its #include "..." lines (no include cycle). Each #include "X" resolves as the
compiler does with -I.: X next to the including file, else X from the top of the tree.
Prints TAP and last "layers: N passed, M failed"; exits 1 on any failure. No dependencies but python3."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE = (".c", ".h", ".inc")


def pure(path):
    """A file is pure when one of its folders is named rules or lib."""
    return any(part in ("rules", "lib") for part in path.split("/")[:-1])


def hv_files():
    out = []
    for d, _, names in os.walk(os.path.join(ROOT, "hv")):
        for n in names:
            if n.endswith(SOURCE):
                out.append(os.path.relpath(os.path.join(d, n), ROOT).replace(os.sep, "/"))
    return sorted(out)


def resolve(path, name):
    """The tree path #include "name" in `path` reads, or None if no such file."""
    for cand in (os.path.join(os.path.dirname(path), name), name):
        cand = os.path.normpath(cand).replace(os.sep, "/")
        if os.path.isfile(os.path.join(ROOT, cand)):
            return cand
    return None


def includes(path):
    """[(line number, written name, resolved path or None)] of path's #include "..." lines."""
    out = []
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                out.append((no, m.group(1), resolve(path, m.group(1))))
    return out


def cycles(graph):
    """One cycle (a list of files, first == last) per strongly connected component that has one."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def strongconnect(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                found.append(path_in(graph, comp, min(comp)))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            strongconnect(v)
    return found


def path_in(graph, comp, start):
    """A shortest way from start back to start inside comp (breadth first)."""
    prev, queue = {}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph.get(v, ())):
            if w not in comp:
                continue
            if w == start:
                way = [v]
                while way[-1] != start:
                    way.append(prev[way[-1]])
                return [start] + way[::-1][1:] + [start] if len(way) > 1 else [start, start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return [start, start]


def main():
    n = passed = failed = 0

    def result(ok, name, why=""):
        nonlocal n, passed, failed
        n += 1
        if ok:
            passed += 1
            print(f"ok {n} - layers/{name}")
        else:
            failed += 1
            print(f"not ok {n} - layers/{name} # {why}")

    files = hv_files()
    graph = {}
    for path in files:
        incs = includes(path)
        graph[path] = sorted({r for _, _, r in incs if r and r.startswith("hv/")})
        missing = [(no, name) for no, name, r in incs if r is None]
        for no, name in missing:
            result(False, f"found/{path}", f'{path}:{no}: #include "{name}" names no file of the tree')
        if not pure(path):
            continue
        bad = [(no, name, r) for no, name, r in incs if r and not pure(r)]
        for no, name, r in bad:
            result(False, f"pure/{path}",
                   f'{path}:{no}: #include "{name}" ({r}) is outside the rules/ and lib/ folders')
        if not bad:
            result(True, f"pure/{path}")
    found = cycles(graph)
    for c in found:
        result(False, "acyclic", "include cycle: " + " -> ".join(c))
    if not found:
        result(True, "acyclic")
    print(f"1..{n}")
    print(f"layers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

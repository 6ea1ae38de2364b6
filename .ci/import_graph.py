#!/usr/bin/env python3
"""Prints the module import graph of a crate's src/ (who names `crate::x` or `super::x`)
and its cycles (strongly connected components of more than one module), then exits 1 if
there is a cycle. Usage: .ci/import_graph.py testrig-runtime/src [--layers]

A module is a file (`a/b.rs` and `a/b/mod.rs` are `a::b`); `crate::a::b::Item` counts as
an edge to the longest module prefix that exists. With --layers, also checks that no module
under core/ names a feature (features/ or a feature's cfg), and that leaf/ names nothing.
"""
import os
import re
import sys

def modules(src):
    found = {}
    for dirpath, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] == "mod":
                rel = rel[:-1]
            if rel == ["lib"] or rel == ["main"]:
                rel = []
            found["::".join(rel)] = path
    return found

def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] for line in text.splitlines())

USE_GROUP = re.compile(r"\buse\s+crate::\{([^;]*)\};", re.S)
PATH = re.compile(r"\bcrate::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)")
SUPER = re.compile(r"\bsuper::((?:[a-z_][a-z0-9_]*::)*[a-z_][a-z0-9_]*)")

def targets(module, text, known):
    names = set()
    for group in USE_GROUP.findall(text):
        for part in re.split(r"[,{}\s]+", group):
            if part and part[0].islower():
                names.add(part)
    names.update(PATH.findall(text))
    parent = module.rsplit("::", 1)[0] if "::" in module else ""
    for rest in SUPER.findall(text):
        names.add(f"{parent}::{rest}" if parent else rest)
    out = set()
    for name in names:
        parts = name.split("::")
        for end in range(len(parts), 0, -1):
            candidate = "::".join(parts[:end])
            if candidate in known:
                if candidate != module and not module.startswith(candidate + "::") or candidate == module:
                    pass
                # A module's own submodules and ancestors are not edges (declaration, re-export).
                if candidate != module and not candidate.startswith(module + "::") and not module.startswith(candidate + "::"):
                    out.add(candidate)
                break
    return out

def sccs(graph):
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out

def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "testrig-runtime/src"
    layers = "--layers" in sys.argv
    known = modules(src)
    graph = {}
    texts = {}
    for module, path in sorted(known.items()):
        text = strip_comments(open(path, encoding="utf-8").read())
        texts[module] = text
        graph[module] = sorted(targets(module, text, known))
    for module in sorted(graph):
        print(f"{module or '(root)'} -> {', '.join(graph[module]) or '-'}")
    cycles = [c for c in sccs(graph) if len(c) > 1]
    status = 0
    for cycle in cycles:
        print("cycle: " + " <-> ".join(cycle))
        status = 1
    if layers:
        for module, text in sorted(texts.items()):
            if module.startswith("core"):
                bad = [t for t in graph[module] if t.startswith("features")]
                if re.search(r'feature\s*=\s*"', text):
                    bad.append("a cfg(feature = ..)")
                if bad:
                    print(f"core module {module} names a feature: {', '.join(bad)}")
                    status = 1
            if module.startswith("leaf"):
                bad = [t for t in graph[module] if not t.startswith("leaf")]
                if bad:
                    print(f"leaf module {module} names {', '.join(bad)}")
                    status = 1
    if not cycles:
        print("no cycle")
    sys.exit(status)

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Prints the module import graph of a crate's src/ (who names `crate::x` or `super::x`)
and its cycles (strongly connected components of more than one module), then exits 1 if
there is a cycle. Usage: .ci/import_graph.py testrig-runtime/src [--layers] [--items-of-parents]

A module is a file (`a/b.rs` and `a/b/mod.rs` are `a::b`); `crate::a::b::Item` counts as
an edge to the longest module prefix that exists. With --layers, also checks that no module
under core/ names a feature (features/ or a feature's cfg), nor a feature's concept in its
code or messages (an identifier or a string with `database`, `logs`, `env`, `conf`,
`insta`, `tokio`, `sqlx`: comments may), and that leaf/ names nothing.

A module's edges to its ancestors and submodules are left out by default, since declaring
(`mod x;`) and re-exporting are no dependency. With --items-of-parents, a module that names
an item an ancestor's file defines itself (fn, const, static, struct, enum, type, trait,
union: not a `mod`, not a `use`) has an edge to it, and an ancestor that names a path
through one of its submodules (`reap::adopt`, `use reset::Check`; not in a `pub use`) an
edge to that one: the parent and a child that calls back into it are then a cycle. On a folder that is not a
crate root, `crate::` paths are not followed.
"""
import os
import re
import sys
from functools import lru_cache

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

# Comments, string and char literals: their braces and paths are not code.
NOT_CODE = re.compile(r"//[^\n]*|/\*.*?\*/|\bb?r(#*)\".*?\"\1|\"(?:\\.|[^\"\\])*\""
                      r"|'(?:\\u\{[0-9A-Fa-f]+\}|\\.|[^\\'\n])'", re.S)

def blank(text):
    """`text` with comments and literals blanked, same length and lines."""
    return NOT_CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)

ITEM = re.compile(r"\b(?:fn|struct|enum|type|trait|union)\s+([A-Za-z_]\w*)"
                  r"|\b(?:const|static)\s+(?:mut\s+)?(?!fn\b)([A-Za-z_]\w*)\s*:")

def own_items(code):
    """The names of the items `code` (blanked) defines outside any braces."""
    top, depth = [], 0
    for c in code:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0:
            top.append(c)
    return {a or b for a, b in ITEM.findall("".join(top))}

@lru_cache(maxsize=None)
def items_of(path):
    return own_items(blank(open(path, encoding="utf-8").read()))

USE = re.compile(r"\buse\s+([^;]*);")
RE_EXPORT = re.compile(r"\bpub\s*(?:\([^)]*\))?\s*use\s[^;]*;")
EXPRESSION_PATH = re.compile(r"(?<![\w:])(?:[A-Za-z_]\w*::)+[A-Za-z_*]\w*")

def use_paths(tree):
    """The paths a use tree (`a::{b, c::d as e}`) names, as lists of segments."""
    tokens = re.findall(r"\w+|::|[{},*]", tree)
    def parse(i, prefix):
        paths, path = [], list(prefix)
        while i < len(tokens):
            token = tokens[i]
            if token == "{":
                i += 1
                while i < len(tokens) and tokens[i] != "}":
                    sub, i = parse(i, path)
                    paths += sub
                    if i < len(tokens) and tokens[i] == ",":
                        i += 1
                return paths, i + 1
            if token in (",", "}"):
                break
            if token == "as":
                i += 2
                continue
            if token != "::" and not (token == "self" and path):
                path.append(token)
            i += 1
        return paths + [path], i
    return parse(0, [])[0]

def family_edges(module, code, known, crate_root):
    """The edges --items-of-parents adds for `module`, whose blanked code is `code`."""
    children = {name.rsplit("::", 1)[-1] for name in known if name != module and
                (name.rsplit("::", 1)[0] if "::" in name else "") == module}
    # How many inline modules (`mod tests { .. }`) enclose each position: `super` there
    # starts from them, not from the file's module.
    inline_mod_at, opened, inside = [], [], 0
    for i, c in enumerate(code):
        if c == "{":
            opened.append(bool(re.search(r"\bmod\s+\w+\s*$", code[max(0, i - 200):i])))
            inside += opened[-1]
        elif c == "}" and opened:
            inside -= opened.pop()
        inline_mod_at.append(inside)
    code = RE_EXPORT.sub(lambda m: " " * len(m.group(0)), code)
    found = [(m.start(), path) for m in USE.finditer(code) for path in use_paths(m.group(1))]
    found += [(m.start(), m.group(0).split("::")) for m in EXPRESSION_PATH.finditer(code)]
    own = module.split("::") if module else []
    out = set()
    for at, path in found:
        if not path:
            continue
        if path[0] == "crate":
            if not crate_root:
                continue
            absolute = path[1:]
        elif path[0] == "super":
            ups = next(i for i, segment in enumerate(path + [""]) if segment != "super")
            level = ups - inline_mod_at[at]
            if level <= 0 or level > len(own):
                continue
            absolute = own[:len(own) - level] + path[ups:]
        elif path[0] == "self" and inline_mod_at[at] == 0:
            absolute = own + path[1:]
        elif path[0] in children:
            absolute = own + path
        else:
            continue
        for end in range(len(absolute), -1, -1):
            target = "::".join(absolute[:end])
            if target in known:
                break
        else:
            continue
        rest = absolute[end:]
        if target == module:
            continue
        if module.startswith(target + "::") or (target == "" and module):
            items = items_of(known[target])
            if rest and (rest[0] in items or rest[0] == "*" and items):
                out.add(target)
        elif target.startswith(module + "::") or (module == "" and target):
            out.add(target)
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

# What the features are about: the core plugs them in without naming any of it.
CONCEPTS = ("database", "logs", "env", "conf", "insta", "tokio", "sqlx")
WORD = re.compile(r"[A-Za-z][a-z0-9]*|[0-9]+")
STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)

def concepts_named(path):
    """The feature concepts `path`'s code and string literals name, comments left out: each
    identifier or string split into words (`env_guard`, `ClaimsDatabase`, `#[database]`)."""
    raw = open(path, encoding="utf-8").read()
    no_comments = re.sub(r"/\*.*?\*/", "", raw, flags=re.S)
    no_comments = "\n".join(line.split("//")[0] if '"' not in line.split("//")[0] else line for line in no_comments.splitlines())
    code = blank(raw)
    words = set()
    for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code):
        words.update(w.lower() for w in WORD.findall(token))
    for literal in STRING.findall(no_comments):
        words.update(w.lower() for w in WORD.findall(literal))
    return sorted(c for c in CONCEPTS if c in words)

def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "testrig-runtime/src"
    layers = "--layers" in sys.argv
    family = "--items-of-parents" in sys.argv
    known = modules(src)
    crate_root = any(os.path.exists(os.path.join(src, root)) for root in ("lib.rs", "main.rs"))
    graph = {}
    texts = {}
    for module, path in sorted(known.items()):
        text = strip_comments(open(path, encoding="utf-8").read())
        texts[module] = text
        edges = targets(module, text, known)
        if family:
            edges |= family_edges(module, blank(open(path, encoding="utf-8").read()), known, crate_root)
        graph[module] = sorted(edges)
    def shown(module):
        return module or "(root)"
    for module in sorted(graph):
        print(f"{shown(module)} -> {', '.join(map(shown, graph[module])) or '-'}")
    cycles = [c for c in sccs(graph) if len(c) > 1]
    status = 0
    for cycle in cycles:
        print("cycle: " + " <-> ".join(map(shown, cycle)))
        status = 1
    if layers:
        for module, text in sorted(texts.items()):
            if module.startswith("core"):
                bad = [t for t in graph[module] if t.startswith("features")]
                if re.search(r'feature\s*=\s*"', text):
                    bad.append("a cfg(feature = ..)")
                bad += [f"the concept `{c}`" for c in concepts_named(known[module])]
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

"""Reads the workspace's Rust sources as a module graph, for the layout rules in test_layout.py.

Rust resolves names, not files; this resolves just enough of them to see which file a path in
one file lands in: `crate::`, `super::`, `self::`, a crate of the workspace by name, child
modules, items defined in a file and `pub use` re-exports (followed to where the item lives).
It reads text, so it is deliberately conservative: an edge is counted only when it resolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ITEM = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+|const\s+|unsafe\s+|extern\s+\"[^\"]*\"\s+)*"
    r"(?:fn|struct|enum|trait|type|const|static|mod|union)\s+([A-Za-z_][A-Za-z0-9_]*)",
    re.M,
)
MACRO = re.compile(r"^\s*macro_rules!\s*([A-Za-z_][A-Za-z0-9_]*)", re.M)
MOD_DECL = re.compile(r"^\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_0-9]+)\s*;", re.M)
USE = re.compile(r"^\s*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)
PATH = re.compile(r"(?<![:\w])([a-z_][a-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)+)")


TOKENS = re.compile(
    r"""(?P<raw>(?<![\w])b?r(?P<h>\#*)".*?"(?P=h))"""
    r"""|(?P<str>(?<![\w])b?"(?:\\.|[^"\\])*")"""
    r"""|(?P<chr>'(?:\\[^']{1,10}|[^\\'\n])')"""
    r"""|(?P<line>//[^\n]*)"""
    r"""|(?P<block>/\*.*?\*/)""",
    re.S,
)


def strip_comments_and_strings(text: str) -> str:
    """Comments go, string and char literals become empty ones (line breaks kept)."""

    def blank(m: re.Match) -> str:
        kind = m.lastgroup if m.lastgroup != "h" else "raw"
        keep = "\n" * m.group(0).count("\n")
        if m.group("raw") or m.group("str"):
            return '""' + keep
        if m.group("chr"):
            return "' '"
        return keep

    return TOKENS.sub(blank, text)


def strip_test_modules(text: str) -> str:
    """Drops `#[cfg(test)] mod x { … }` blocks: a file's own unit tests are not its imports."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand_use_tree(tree: str) -> list[str]:
    """`a::{b, c::{d, e}}` → [`a::b`, `a::c::d`, `a::c::e`] (aliases dropped)."""
    tree = re.sub(r"\s+as\s+[A-Za-z_][A-Za-z0-9_]*", "", tree)
    tree = re.sub(r"\s+", "", tree)

    def split_top(s: str) -> list[str]:
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
                continue
            depth += {"{": 1, "}": -1}.get(ch, 0)
            cur += ch
        if cur:
            parts.append(cur)
        return parts

    def walk(prefix: str, s: str) -> list[str]:
        if "{" in s and s.endswith("}"):
            head, inner = s.split("{", 1)
            head = head.rstrip(":")
            base = f"{prefix}::{head}" if prefix and head else (prefix or head)
            res = []
            for part in split_top(inner[:-1]):
                res.extend(walk(base, part))
            return res
        return [f"{prefix}::{s}" if prefix else s]

    return walk("", tree)


@dataclass
class Module:
    crate: str
    path: tuple[str, ...]
    file: Path
    text: str
    items: set[str] = field(default_factory=set)
    children: set[str] = field(default_factory=set)
    reexports: dict[str, str] = field(default_factory=dict)  # name → full path
    glob_reexports: list[str] = field(default_factory=list)
    uses: list[str] = field(default_factory=list)


class Workspace:
    def __init__(self, root: Path, crates: dict[str, Path]):
        self.root = root
        self.modules: dict[tuple[str, tuple[str, ...]], Module] = {}
        for crate, src in crates.items():
            for entry in ("lib.rs", "main.rs"):
                if (src / entry).exists():
                    self._load(crate, (), src / entry)

    def _load(self, crate: str, path: tuple[str, ...], file: Path) -> None:
        raw = file.read_text(encoding="utf-8")
        text = strip_test_modules(strip_comments_and_strings(raw))
        m = Module(crate, path, file, text)
        self.modules[(crate, path)] = m
        m.items = set(ITEM.findall(text)) | set(MACRO.findall(text))
        for um in USE.finditer(text):
            for p in expand_use_tree(um.group(2)):
                name = p.rsplit("::", 1)[-1]
                if um.group(1):
                    if name == "*":
                        m.glob_reexports.append(p[:-3])
                    else:
                        m.reexports[name] = p
                m.uses.append(p)
        m.uses.extend(PATH.findall(USE.sub("", text)))
        # Submodules declared `mod x;`: x.rs or x/mod.rs beside (or under) this file.
        here = file.parent if file.name in ("lib.rs", "main.rs", "mod.rs") else file.with_suffix("")
        for child in MOD_DECL.findall(text):
            for cand in (here / f"{child}.rs", here / child / "mod.rs"):
                if cand.exists():
                    m.children.add(child)
                    self._load(crate, path + (child,), cand)
                    break

    def _absolute(self, mod: Module, p: str) -> tuple[str, list[str]] | None:
        segs = p.split("::")
        if segs[0] == "crate":
            return mod.crate, segs[1:]
        if segs[0] in ("self", "super"):
            base = list(mod.path)
            while segs and segs[0] in ("self", "super"):
                if segs.pop(0) == "super":
                    if not base:
                        return None
                    base.pop()
            return mod.crate, base + segs
        if segs[0] in mod.children or segs[0] in mod.items:
            return mod.crate, list(mod.path) + segs
        crate = segs[0]
        if any(c == crate for c, _ in self.modules):
            return crate, segs[1:]
        return None

    def resolve(self, mod: Module, p: str, depth: int = 0) -> Module | None:
        """The module (file) that defines what `p`, written in `mod`, names."""
        ab = self._absolute(mod, p)
        if ab is None or depth > 8:
            return None
        crate, segs = ab
        cur = self.modules.get((crate, ()))
        if cur is None:
            return None
        for i, seg in enumerate(segs):
            if seg == "*":
                return cur
            if seg in cur.children:
                cur = self.modules[(crate, cur.path + (seg,))]
                continue
            if seg in cur.items:
                return cur
            if seg in cur.reexports:
                target = self.resolve(cur, cur.reexports[seg], depth + 1)
                return target or cur
            for g in cur.glob_reexports:
                target = self.resolve(cur, f"{g}::{seg}", depth + 1)
                if target is not None:
                    return target
            return None
        return cur

    def edges(self) -> dict[Path, set[Path]]:
        graph: dict[Path, set[Path]] = {m.file: set() for m in self.modules.values()}
        for m in self.modules.values():
            for p in m.uses:
                target = self.resolve(m, p)
                if target is not None and target.file != m.file:
                    graph[m.file].add(target.file)
        return graph


def cycles(graph: dict[Path, set[Path]]) -> list[list[Path]]:
    """Strongly connected components with more than one file (Tarjan)."""
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on: set[Path] = set()
    out: list[list[Path]] = []
    counter = [0]

    def visit(v: Path) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def long_functions(file: Path, limit: int) -> list[tuple[str, int]]:
    """Production functions (outside `#[cfg(test)]` modules) longer than `limit` lines."""
    text = strip_test_modules(strip_comments_and_strings(file.read_text(encoding="utf-8")))
    found = []
    for m in re.finditer(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)[^;{]*\{", text):
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        lines = text.count("\n", m.start(), j) + 1
        if lines > limit:
            found.append((m.group(1), lines))
    return found

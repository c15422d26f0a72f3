"""Imports go one way: read → model → rules → review → batch → cli (README, Layout).

Walks every module of the package with `ast` — imports inside functions included, since a local import is
still a dependency — and fails on any cycle between modules and on any edge from a room to a room above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from xxgk.config import PACKAGE_DIR

# Rooms from the bottom up; a module may import its own room and the rooms below it, never one above.
# The model is the vocabulary read builds and rules check, so it sits below both; the sample generator
# builds reports from the layout and the model only (the read sandbox warms up on one of its reports).
RANKS = {
    "shared": 0,
    "model": 1,
    "samples": 2,
    "read": 3,
    "rules": 4,
    "review": 5,
    "batch": 6,
    "cli": 7,
}
# Top-level modules that are not a room of their own, and the room they belong with.
ROOM_OF = {
    "xxgk": "shared",
    "xxgk.config": "shared",
    "xxgk.values": "shared",
    "xxgk.layouts": "shared",
    "xxgk.jsonsafe": "shared",
    "xxgk.spreadsheet_safe": "shared",
    "xxgk.file_dates": "shared",
    "xxgk.browser": "shared",
    "xxgk.registry": "shared",
    "xxgk.agency_names": "shared",
    "xxgk.yamlfile": "shared",
    "xxgk.nfkc": "shared",
    "xxgk.model": "model",
    "xxgk.fmt": "model",           # words for the model's severities and statuses, number formatting
    "xxgk.files": "read",          # safe paths use the readers' size limit
    "xxgk.parse_cache": "read",    # each report read once, in a limited child (sandbox)
    "xxgk.sandbox": "read",
    "xxgk.waivers": "rules",
    "xxgk.score": "rules",
    "xxgk.checking": "rules",
    "xxgk.importing": "batch",     # `xxgk import`: a command's work, below the cli
    "xxgk.cli": "cli",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def room(module: str) -> str:
    if module in ROOM_OF:
        return ROOM_OF[module]
    second = module.split(".")[1]
    assert second in RANKS, f"{module}: not in a room; add it to ROOM_OF or move it into one"
    return second


def imports(module: str, path: Path) -> set[str]:
    """The package modules `module` imports (`from a import b` counts as a.b when that is a module)."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:  # `import xxgk.read.pdf` → xxgk.read.pdf; an attribute → its module
                name = name.rpartition(".")[0]
            if name.startswith("xxgk") and name != module:
                out.add(name)
    return out


GRAPH = {m: imports(m, p) for m, p in MODULES.items()}


def test_every_module_has_a_room():
    for module in MODULES:
        room(module)


def test_no_upward_import():
    upward = [f"{m} ({room(m)}) imports {t} ({room(t)})"
              for m, targets in GRAPH.items() for t in sorted(targets) if RANKS[room(t)] > RANKS[room(m)]]
    assert not upward, "imports go read → model → rules → review → batch → cli:\n" + "\n".join(upward)


def test_no_import_cycle():
    # Tarjan's strongly connected components: any component of more than one module is a cycle.
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_the_walk_sees_local_imports():
    """A function-level import is an edge too (the model's old HTML repr imported views that way)."""
    assert "xxgk.samples.synth" in GRAPH["xxgk.sandbox"]
    assert "xxgk.read" in GRAPH["xxgk.parse_cache"]

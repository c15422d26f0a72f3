"""No official label, row role or group position typed in the package's code: the layouts are the one place.

Labels: every section heading, table title, sub-table caption, header label, corner note, row label, column
label and header group label of both layouts, normalized as the loader normalizes them, is looked for in
the string constants of every module under lib/xxgk/ (f-string pieces included; docstrings excluded, they
may name a label as an example). Left out, each for a stated reason:
- labels of one or two characters (总计, 合计, 其他, 规章): ordinary words every sentence may use;
- the layout loader (lib/xxgk/layouts/), the one place allowed to know the layout's shape;
- the sample generator (lib/xxgk/samples/): it writes the fictional county's report prose and tables as an
  agency would type them, labels included, and is outside the code fingerprint.
A label counts as typed where it stands as a label: the whole constant, or a piece delimited by quotes,
'/' (a header path) or regex syntax (|, parentheses); inside running prose (因政府信息公开被申请行政复议)
it is the review's wording, which may use the words the law uses.

Positions: a constant subscript (groups[0], outcomes[:2]) on a collection whose order carries a role —
column groups, outcome rows, applicant columns — is a role typed as a position; the layout names those
roles (Table.group, rows_with, columns_with, total_column) and only its loader knows the order.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from xxgk.config import PACKAGE_DIR
from xxgk.layouts import VERSIONS, load_layout, normalize_label

MIN_LABEL = 3  # characters, after normalization
EXEMPT = ("layouts", "samples")  # sub-packages of lib/xxgk not scanned (see the module docstring)
# Names whose elements stand in a role-carrying order: column groups, 表三's outcome rows and applicant columns.
ROLE_ORDERED = {"groups", "column_groups", "outcomes", "applicants", "review", "results", "suits"}
_BOUND = "\"'/|()[]?:"  # after normalize_label: quotes are ASCII, full-width brackets half-width


def official_labels() -> set[str]:
    labels = set()
    for version in VERSIONS:
        layout = load_layout(version)
        labels |= {s.heading for s in layout.sections}
        for t in layout.tables:
            labels |= {x for x in (t.title, t.subtable, t.header_label, t.corner_note) if x}
            labels |= {c.label for c in t.columns} | {p for c in t.columns if c.group for p in c.group.split("/")}
            labels |= {r.label for r in t.rows}
    return {n for n in map(normalize_label, labels) if len(n) >= MIN_LABEL}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.rglob("*.py")
                  if p.relative_to(PACKAGE_DIR).parts[0] not in EXEMPT)


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def typed_labels(text: str, labels: set[str]) -> list[str]:
    """The labels a constant types as labels: whole, or delimited by quotes, '/' or regex syntax."""
    norm = normalize_label(text)
    found = []
    for label in labels:
        for m in re.finditer(re.escape(label), norm):
            before = norm[m.start() - 1] if m.start() else ""
            after = norm[m.end()] if m.end() < len(norm) else ""
            if (not before or before in _BOUND) and (not after or after in _BOUND):
                found.append(label)
                break
    return found


def _subscripted_name(node: ast.Subscript) -> str | None:
    value = node.value
    if isinstance(value, ast.Call):  # list(f.review)[0]; a call's result otherwise (m.groups()) is no layout's
        if not (isinstance(value.func, ast.Name) and value.func.id in ("list", "tuple") and value.args):
            return None
        value = value.args[0]
    if isinstance(value, ast.Name):
        return value.id
    if isinstance(value, ast.Attribute):
        return value.attr
    return None


def _constant_index(node: ast.Subscript) -> bool:
    s = node.slice
    if isinstance(s, ast.Slice):
        return any(isinstance(b, (ast.Constant, ast.UnaryOp)) for b in (s.lower, s.upper) if b is not None)
    return isinstance(s, ast.Constant) and isinstance(s.value, int) or isinstance(s, ast.UnaryOp)


def test_labels_in_layouts_are_typed_nowhere_else():
    labels = official_labels()
    assert len(labels) > 60  # both layouts were read
    assert typed_labels("(?:行政诉讼|提起诉讼)", labels) == ["行政诉讼"]
    assert typed_labels("因政府信息公开被申请行政复议", labels) == []
    found = []
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                found += [f"{path.relative_to(PACKAGE_DIR)}:{node.lineno}: {label}"
                          for label in typed_labels(node.value, labels)]
    assert not found, "official labels typed in code (ask the layout):\n" + "\n".join(found)


def test_no_role_typed_as_a_position():
    found = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Subscript) and _constant_index(node) and _subscripted_name(node) in ROLE_ORDERED:
                found.append(f"{path.relative_to(PACKAGE_DIR)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "roles typed as positions (ask the layout for the role):\n" + "\n".join(found)

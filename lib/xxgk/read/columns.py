"""Which layout column each grid column is, read from the table's own header rows.

A grid column's header path is the text above it, top to bottom, each merged cell once
(行政诉讼 / 复议后起诉 / 结果维持). It names a layout column when its last part is the column's label
(or a variant) and the rest is the column's group — all of it, or, where a page drew a spanning header
too narrow, enough of it to name one column only; parts that only name the whole table (申请人情况,
the corner note) are passed over. A path that names no column or more than one
resolves to nothing: such a grid column is a label column, a 序号 column or one the reader ignores.

Examples:
    >>> from xxgk.layouts import load_layout
    >>> t4 = load_layout("2021").table("t4")
    >>> resolve_path(t4, ["行政诉讼", "复议后起诉", "结果维持"]).key, resolve_path(t4, ["总计"])
    ('la_maintained', None)
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from xxgk.layouts import Column, Table, normalize_label
from xxgk.read.grid import Grid

_FUZZY = 0.8
_CACHE = 20_000  # header texts repeat across a batch's reports: each path is resolved once
_RESOLVED: dict[tuple[int, tuple[str, ...]], Column | None] = {}  # layouts are loaded once, so id() is stable
_BRACKETS = re.compile(r"\([^()]*\)")
_YEAR_NOTE = re.compile(r"\((?:19|20)\d{2}年?(?:度)?\)")  # 本年(2023)制发件数: the year a report writes in


class HeaderPaths:
    """Grid column -> the distinct header texts above it, top to bottom, for a header block read a row at
    a time: a block grows by a row as the reader meets it, and the rows read already are not read again."""

    def __init__(self, grid: Grid):
        self.grid, self.rows = grid, []
        self.paths: dict[int, list[str]] = {c: [] for c in range(grid.n_cols)}
        self._seen: dict[int, set[int]] = {c: set() for c in range(grid.n_cols)}  # a merged cell is one part

    def add(self, r: int) -> None:
        self.rows.append(r)
        for c, path in self.paths.items():
            span = self.grid.at(r, c)
            if span is None or id(span) in self._seen[c]:
                continue
            self._seen[c].add(id(span))
            text = _one_line(span.text)
            if normalize_label(text):
                path.append(text)


def _one_line(text: str) -> str:
    """A header split over lines or <span>s reads as one label (本年新\\n制作数量)."""
    return "".join(part.strip() for part in text.splitlines())


def resolve_path(table: Table, path: list[str]) -> Column | None:
    """The one column of `table` the header path names, else None."""
    key = (id(table), tuple(path))
    if key not in _RESOLVED:
        if len(_RESOLVED) > _CACHE:
            _RESOLVED.clear()
        _RESOLVED[key] = _resolve_path(table, path)
    return _RESOLVED[key]


def _resolve_path(table: Table, path: list[str]) -> Column | None:
    ignore = {normalize_label(x) for x in (table.header_label, table.corner_note, table.title) if x}
    parts = [_YEAR_NOTE.sub("", normalize_label(p)) for p in path]
    parts = [p for p in parts if p and p not in ignore]
    if not parts:
        return None
    last, above = parts[-1], set(parts[:-1])
    named = [(col, {normalize_label(g) for g in (col.group or "").split("/") if g}) for col in table.columns
             if _names(col, last)]
    # The path names the column's whole group; else holds it and more; else part of it (a header cell the
    # page drew too narrow): whichever comes first with exactly one column decides, two or more decide nothing.
    for fits in (lambda g: g == above, lambda g: g <= above, lambda g: above <= g):
        hits = [col for col, group in named if fits(group)]
        if hits:
            return hits[0] if len(hits) == 1 else None
    return None


def _names(col: Column, text: str) -> bool:
    """Does the header text name the column (its label or a variant, exactly, without bracketed notes,
    or closely)? Remembered by the names alone: hashing the frozen Column hashed all its fields."""
    key = (col.label, col.variants, text)
    named = _NAMED.get(key)
    if named is None:
        if len(_NAMED) > _CACHE:
            _NAMED.clear()
        names, bare = _column_names(col.label, col.variants)
        named = _NAMED[key] = text in names or bool(_bare(text)) and _bare(text) in bare or \
            len(text) >= 3 and any(_close(text, n) for n in names)
    return named


_NAMED: dict[tuple[str, tuple[str, ...], str], bool] = {}


@lru_cache(maxsize=1024)
def _column_names(label: str, variants: tuple[str, ...]) -> tuple[list[str], set[str]]:
    """A column's label and variants normalized, and the same without bracketed notes."""
    names = [normalize_label(x) for x in (label, *variants)]
    return names, {_bare(n) for n in names}


def _close(a: str, b: str) -> bool:
    """difflib's ratio reaches _FUZZY; its cheap upper bounds (lengths, then shared characters) rule out
    most pairs before the matching blocks are computed, and never a pair that would pass."""
    if 2.0 * min(len(a), len(b)) / (len(a) + len(b)) < _FUZZY:
        return False
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= _FUZZY and matcher.ratio() >= _FUZZY


def _bare(text: str) -> str:
    """A header without its bracketed notes (采购总金额（元）, 现行有效件数(历史累计))."""
    return _BRACKETS.sub("", text)


def resolve(paths: dict[int, list[str]], table: Table) -> dict[int, Column]:
    """grid column -> layout column, for the columns the header (its `HeaderPaths`) names unambiguously.

    Several grid columns may name one layout column (a header cell spanning three value cells); a
    layout column named by columns that are not next to each other is left unresolved."""
    out: dict[int, Column] = {}
    for c, path in paths.items():
        col = resolve_path(table, path)
        if col is not None:
            out[c] = col
    by_key: dict[str, list[int]] = {}
    for c, col in out.items():
        by_key.setdefault(col.key, []).append(c)
    for cols in by_key.values():
        if cols != list(range(cols[0], cols[0] + len(cols))):
            for c in cols:
                del out[c]
    return out

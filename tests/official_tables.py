"""Test helper: a real report's hand-read cells laid out as the official printed report.

Writers of test renderings (HTML pages, Word files) get the report as a list of parts: prose lines
and tables, each table a grid of spans with the merged header cells and vertical group labels of
the official format. Labels come from the layouts, values from expected.json.
"""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.layouts import Layout, Table

Key = tuple[str, str, str]  # (table id, row key, column key)


@dataclass(frozen=True)
class Span:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Grid:
    spans: tuple[Span, ...]
    n_rows: int
    n_cols: int

    def rows(self) -> list[list[Span]]:
        """The spans starting in each grid row, left to right (source order of a web table)."""
        out: list[list[Span]] = [[] for _ in range(self.n_rows)]
        for s in sorted(self.spans, key=lambda s: (s.row, s.col)):
            out[s.row].append(s)
        return out


def assert_every_cell(report, cells: list[dict]) -> None:
    """Every expected.json cell, found by (table, subtable, row, column), holds the hand-read value."""
    got = {(c.table, c.subtable, c.row, c.column): c for c in report.cells}
    wrong = []
    for c in cells:
        key = (c["table"], c.get("subtable"), c["row"], c["column"])
        if key not in got or got[key].value != c["value"]:
            wrong.append((key, c["value"], got.get(key)))
    assert not wrong, f"{len(wrong)} of {len(cells)} cells differ: {wrong[:5]}"


def expected_values(layout: Layout, cells: list[dict]) -> dict[Key, object]:
    """expected.json cells keyed by layout keys (the oracle speaks labels and header paths)."""
    out = {}
    for c in cells:
        table = next(t for t in layout.tables if t.table == c["table"] and t.subtable == c.get("subtable"))
        row = next(r for r in table.data_rows if r.label == c["row"])
        col = next(k for k in table.columns if k.path == c["column"])
        out[(table.id, row.key, col.key)] = c["value"]
    return out


def printed_table(tables: tuple[Table, ...], raw: dict[Key, str]) -> Grid:
    """One official table (二, 三 or 四) as printed: sub-tables stacked, headers and groups merged."""
    depth = {}
    for t in tables:
        for r in t.rows:
            depth[(t.id, r.key)] = 0 if r.parent is None else depth[(t.id, r.parent)] + 1
    label_width = max((depth[(t.id, r.key)] + 1 for t in tables for r in t.rows if r.label), default=0)
    value_width = max(len(t.columns) for t in tables)
    spans: list[Span] = []
    y = 0
    for t in tables:
        n = len(t.columns)
        widths = [value_width // n] * (n - 1) + [value_width - (value_width // n) * (n - 1)]
        offsets = [label_width + sum(widths[:i]) for i in range(n)]
        if t.subtable:
            spans.append(Span(t.subtable, y, 0, colspan=label_width + value_width))
            y += 1
        paths = [c.path.split("/") for c in t.columns]
        levels = max(len(p) for p in paths)
        if label_width:
            spans.append(Span(t.corner_note or t.header_label or "", y, 0, levels, label_width))
        for level in range(levels):
            for i, parts in enumerate(paths):
                if level == len(parts) - 1:
                    spans.append(Span(parts[level], y + level, offsets[i], levels - level, widths[i]))
                elif level < len(parts) - 1 and (i == 0 or paths[i - 1][: level + 1] != parts[: level + 1]):
                    run = [j for j in range(i, n) if paths[j][: level + 1] == parts[: level + 1]]
                    spans.append(Span(parts[level], y + level, offsets[i], 1, sum(widths[j] for j in run)))
        y += levels
        for row in t.data_rows:
            chain, parent = [], row.parent
            while parent is not None:
                chain.insert(0, t.row(parent))
                parent = t.row(parent).parent
            for group in chain:
                members = [r for r in t.data_rows if _descends(t, r, group.key)]
                if members[0] is row:
                    spans.append(Span(group.label, y, depth[(t.id, group.key)], len(members), 1))
            if label_width:
                d = depth[(t.id, row.key)]
                spans.append(Span(row.label, y, d, 1, label_width - d))
            for i, col in enumerate(t.columns):
                spans.append(Span(raw[(t.id, row.key, col.key)], y, offsets[i], 1, widths[i]))
            y += 1
    return Grid(tuple(spans), y, label_width + value_width)


def _descends(table: Table, row, group_key: str) -> bool:
    parent = row.parent
    while parent is not None:
        if parent == group_key:
            return True
        parent = table.row(parent).parent
    return False


def report_parts(layout: Layout, raw: dict[Key, str], title: str) -> list[tuple[str, object]]:
    """("text", line) and ("table", Grid) items in reading order: title, preface, the six sections."""
    parts: list[tuple[str, object]] = [("text", title), ("text", "根据《中华人民共和国政府信息公开条例》要求，现公布本年度报告。")]
    for sec in layout.sections:
        parts.append(("text", sec.heading))
        parts.append(("text", f"（一）本部分说明{sec.heading[2:]}。本段为测试用文字。"))
        name = "一二三四五六"[sec.number - 1]
        tables = layout.tables_of(name)
        if tables:
            parts.append(("table", printed_table(tables, raw)))
    return parts

"""The shapes everything passes around: a Report with its sections, cells and notes.

Readers produce Reports; rules read them; narrative, charts, the CLI and exports render them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from xxgk.values import BLANK, MISSING, NUMBER
from xxgk.values import UNCERTAIN as CELL_UNCERTAIN


def cell_ref(table: str | None, row: str | None = None, column: str | None = None, subtable: str | None = None) -> str:
    """The one way a place is named — evidence, waivers, marks on redrawn tables: 表三/（七）总计/自然人,
    表二/第二十条第（一）项/规章/本年制发件数, 表四/行政复议/总计 (表四's one row has no label)."""
    parts = [f"表{table}" if table else None, subtable, row, column]
    return "/".join(p for p in parts if p)


@dataclass(slots=True)
class Cell:
    """One official cell: table 二/三/四, sub-table, official row label, column header path.

    Slots, not a dict per cell: a batch holds every report of a region (hundreds of cells each) in memory."""

    table: str
    subtable: str | None
    row: str
    column: str
    value: float | int | None
    raw: str
    status: str
    source: str
    table_id: str = ""
    row_key: str = ""
    column_key: str = ""
    unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "subtable": self.subtable,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "raw": self.raw,
            "status": self.status,
            "source": self.source,
        }


@dataclass
class Section:
    number: int | None
    heading: str
    text: str
    source: str = ""
    key: str | None = None
    official: bool = True

    @property
    def chars(self) -> int:
        return len("".join(self.text.split()))


@dataclass
class Note:
    """Something a reader noticed: a deviation, an uncertainty, what is missing. Rules report these.

    A note about a label also says, as fields, what the message words for people: which axis ("row" or
    "column") of which table, the official row or column it concerns, the label as written and the official
    label it was read as (None when it names none). Rules read these fields, never the message."""

    kind: str
    message: str
    where: str = ""
    axis: str | None = None
    table: str | None = None
    subtable: str | None = None
    row: str | None = None
    column: str | None = None
    written: str | None = None
    official: str | None = None

    def to_json(self) -> dict[str, Any]:
        """kind, message, where, and the structured fields a note has."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    def __str__(self) -> str:
        return f"{self.message}（{self.where}）" if self.where else self.message


# Outcomes of a rule; every rule gives every report at least one.
PASS = "pass"
FAIL = "fail"
UNCERTAIN = "uncertain"  # an operand is blank, not applicable or unreadable
NOT_ASSESSABLE = "not_assessable"  # the table, section or other report the rule needs is missing
RULE_ERROR = "rule_error"  # the rule itself raised: a defect of the tool, never a judgement on the report


@dataclass
class Finding:
    """One outcome of one rule at one place: the shape the CLI, notebooks and exports all render."""

    rule: str
    category: str
    severity: str
    status: str
    message: str
    table: str | None = None
    subtable: str | None = None
    row: str | None = None
    column: str | None = None
    expected: Any = None
    actual: Any = None
    difference: Any = None
    evidence: list[dict[str, str]] = field(default_factory=list)  # [{"where", "raw"}], source locations
    waived: bool = False
    waiver_reason: str = ""
    # Outcomes that follow from this finding's fact (a blank column, a missing row, an omitted child):
    # listed inside it and counted nowhere else (rules.causes.fold).
    caused: list["Finding"] = field(default_factory=list)

    @property
    def place(self) -> str:
        """Where the finding sits, e.g. "表三/（七）总计/自然人" (what a waiver's cell names)."""
        return cell_ref(self.table, self.row, self.column, self.subtable)

    def to_json(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in (
            "rule", "category", "severity", "status", "message", "table", "subtable", "row", "column",
            "expected", "actual", "difference", "evidence")}
        if self.waived:
            out["waived"], out["waiver_reason"] = True, self.waiver_reason
        if self.caused:
            out["caused"] = [c.to_json() for c in self.caused]
        return out


def flatten(findings: list[Finding]) -> list[Finding]:
    """Every outcome, the ones folded under a cause included (for per-rule questions, never for counts)."""
    out = []
    for f in findings:
        out.append(f)
        out.extend(flatten(f.caused))
    return out


def _shown(c: Cell):
    """A cell as a wide table shows it: the number, nothing for blank/missing, '?' for unresolved, else the text."""
    if c.status == NUMBER:
        return c.value
    if c.status in (BLANK, MISSING):
        return None
    return "?" if c.status == CELL_UNCERTAIN else c.raw


@dataclass
class Report:
    source_file: str
    agency: str | None = None
    year: int | None = None
    format_version: str = "unknown"
    rendering: str = ""
    published: str | None = None
    year_reason: str = ""
    version_reason: str = ""
    preface: str = ""
    sections: list[Section] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    text: str = ""

    def __post_init__(self) -> None:
        # (table_id, row_key, column_key) -> the first such cell, and how many cells it covers: a review asks for
        # cells thousands of times, and a scan of the list per question grew with the table. Plain attributes,
        # not fields: asdict() and the parse cache carry the cells alone.
        self._index: dict[tuple[str, str, str], Cell] = {}
        self._indexed, self._indexed_cells = 0, self.cells

    def record(self) -> dict:
        """dataclasses.asdict(self), without its recursion and deep copies (every field of a section, cell or
        note is a plain value): what the sandbox sends and the parse cache keeps, per read."""
        out = {f: getattr(self, f) for f in _REPORT_FIELDS}
        out["sections"] = [{f: getattr(s, f) for f in _SECTION_FIELDS} for s in self.sections]
        out["cells"] = [{f: getattr(c, f) for f in _CELL_FIELDS} for c in self.cells]
        out["notes"] = [{f: getattr(n, f) for f in _NOTE_FIELDS} for n in self.notes]
        return out

    # -- lookups -------------------------------------------------------------------------------
    def cell(self, table_id: str, row_key: str, column_key: str) -> Cell | None:
        if self._indexed_cells is not self.cells:  # a new list: index it afresh
            self._index, self._indexed, self._indexed_cells = {}, 0, self.cells
        if self._indexed != len(self.cells):  # cells are only ever appended to a list (while a report is read)
            for c in self.cells[self._indexed:]:
                self._index.setdefault(_key(c.table_id, c.row_key, c.column_key), c)
            self._indexed = len(self.cells)
        return self._index.get((table_id, row_key, column_key))

    def value(self, table_id: str, row_key: str, column_key: str):
        c = self.cell(table_id, row_key, column_key)
        return c.value if c is not None and c.status == NUMBER else None

    def section(self, number: int) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)

    def has_table(self, name: str) -> bool:
        return any(c.table == name and c.status != MISSING for c in self.cells)

    def note(self, kind: str, message: str, where: str = "", **fields) -> None:
        self.notes.append(Note(kind, message, where, **fields))

    # -- views ---------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "year": self.year,
            "format_version": self.format_version,
            "source_file": self.source_file,
            "rendering": self.rendering,
            "published": self.published,
            "year_reason": self.year_reason,
            "version_reason": self.version_reason,
            "sections": [{"number": s.number, "heading": s.heading, "chars": s.chars} for s in self.sections],
            "cells": [c.to_json() for c in self.cells],
            "notes": [n.to_json() for n in self.notes],
        }

    def tidy(self):
        """One row per cell, for pandas users."""
        import pandas as pd

        rows = [
            {
                "agency": self.agency,
                "year": self.year,
                "format_version": self.format_version,
                **asdict(c),
            }
            for c in self.cells
        ]
        columns = ["agency", "year", "format_version", *Cell.__dataclass_fields__]
        return pd.DataFrame(rows, columns=columns)

    def wide(self, table: str, subtable: str | None = None):
        """One official table as printed: official row labels down, column paths across."""
        import pandas as pd

        cells = [c for c in self.cells if c.table == table and (subtable is None or c.subtable == subtable)]
        if not cells:
            return pd.DataFrame()
        index = list(dict.fromkeys((c.subtable or "", c.row) for c in cells)) if subtable is None else None
        rows = list(dict.fromkeys(c.row for c in cells))
        cols = list(dict.fromkeys(c.column for c in cells))
        frame = pd.DataFrame(index=rows if index is None else pd.MultiIndex.from_tuples(index), columns=cols, dtype=object)
        for c in cells:
            key = c.row if index is None else (c.subtable or "", c.row)
            frame.loc[key, c.column] = _shown(c)
        return frame


# One key tuple per distinct (table, row, column) in a process, shared by every report's index: the reports of a
# layout have the same cells, and a batch holds a region's reports together (test_parse_cache checks the sharing).
# Keys beyond the cap (a damaged file's odd rows) are not kept.
_KEYS: dict[tuple[str, str, str], tuple[str, str, str]] = {}
_KEYS_KEPT = 100_000


@dataclass(frozen=True, slots=True)
class Peer:
    """Another agency's report of the same year, as the reviews of its region use it: who wrote it and its sections
    (the copied-text check), and its two numbers in the peer chart (applications received; the comparable
    disclosure rate, None where not comparable). A batch's kernels' parent keeps one per report of the region
    (review.warm) rather than the whole Report: no rule reads a peer's cells, so asking for them is an error."""

    source_file: str
    agency: str | None
    year: int | None
    sections: tuple[Section, ...]
    received: float | int | None
    rate: float | None
    # The region's index its copied-text rules read instead of every peer's sections (similarity.Region), when
    # the batch indexed the region before its kernels fork; None otherwise.
    region: Any = field(default=None, compare=False, repr=False)

    def section(self, number: int) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)


def _key(table_id: str, row_key: str, column_key: str) -> tuple[str, str, str]:
    key = (table_id, row_key, column_key)
    shared = _KEYS.get(key)
    if shared is None and len(_KEYS) < _KEYS_KEPT:
        shared = _KEYS[key] = key
    return shared or key


_REPORT_FIELDS = tuple(f.name for f in fields(Report))
_SECTION_FIELDS = tuple(f.name for f in fields(Section))
_CELL_FIELDS = tuple(f.name for f in fields(Cell))
_NOTE_FIELDS = tuple(f.name for f in fields(Note))

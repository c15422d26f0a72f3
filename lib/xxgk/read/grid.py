"""A table as the file states it: cells at grid positions, spans expanded, blank cells kept in place.

Structured renderings (HTML, DOCX, PDF, pipe text) hand the assembler each table as a Grid, so that a
value is placed by its row label and the column its header names, never by its count in the row.
`Grid.build` takes rows of cells with row and column spans (the HTML table model; Word's gridSpan and
vMerge and a PDF's merged cells map onto it).

Examples:
    >>> g = Grid.build([[("a", "r1", 1, 2)], [("b", "r2", 1, 1), ("c", "r2", 1, 1)]], "表1")
    >>> (g.n_rows, g.n_cols), [s.col for s in g.row_spans(1)], g.at(0, 1).text
    ((2, 2), [0, 1], 'a')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

MAX_SPAN = 64  # larger spans in the markup are damage (or an attack), not a table


@dataclass
class Span:
    """One cell as written: its text, where it is in the file, its top-left position and its size."""

    text: str
    where: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Grid:
    """Cells by position. `reach[r]` is how many columns row r fills (its own cells and spans from above):
    a row that reaches less far than its table lost cells, and where it lost them cannot be seen."""

    spans: list[Span]
    n_rows: int
    n_cols: int
    where: str
    reach: list[int] = field(default_factory=list)
    spans_known: bool = True  # False where the rendering kept each cell's order but not its spans (pipe text)
    _at: dict = field(default_factory=dict, repr=False)
    _rows: list = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, rows: list[list[tuple[str, str, int, int]]], where: str) -> Grid:
        """Rows of (text, where, rowspan, colspan) cells, laid out as a browser lays out a <table>.
        Cells come in reading order, so each row's cells and reach are known as they are placed."""
        n_rows = len(rows)
        taken: dict[tuple[int, int], Span] = {}
        spans: list[Span] = []
        by_row: list[list[Span]] = [[] for _ in range(n_rows)]
        reach = [0] * n_rows
        for r, cells in enumerate(rows):
            c = 0
            for text, cell_where, rowspan, colspan in cells:
                while (r, c) in taken:
                    c += 1
                if rowspan == colspan == 1:  # most cells: one position, free by the loop above
                    span = taken[(r, c)] = Span(text, cell_where, r, c)
                else:
                    rowspan = max(1, min(rowspan, MAX_SPAN, n_rows - r))
                    colspan = max(1, min(colspan, MAX_SPAN))
                    span = Span(text, cell_where, r, c, rowspan, colspan)
                    for dr in range(rowspan):
                        for dc in range(colspan):
                            taken.setdefault((r + dr, c + dc), span)
                        reach[r + dr] = max(reach[r + dr], c + colspan)
                spans.append(span)
                by_row[r].append(span)
                c += span.colspan
            reach[r] = max(reach[r], c)
        return cls(spans, n_rows, max(reach, default=0), where, reach, _at=taken, _rows=by_row)

    @classmethod
    def from_spans(cls, spans: list[Span], n_rows: int, where: str) -> Grid:
        """Cells whose positions the rendering states itself (a PDF's ruled cells)."""
        taken: dict[tuple[int, int], Span] = {}
        for span in spans:
            span.rowspan = max(1, min(span.rowspan, MAX_SPAN, n_rows - span.row))
            span.colspan = max(1, min(span.colspan, MAX_SPAN))
            for dr in range(span.rowspan):
                for dc in range(span.colspan):
                    taken.setdefault((span.row + dr, span.col + dc), span)
        return cls._of(spans, n_rows, where, taken)

    @classmethod
    def _of(cls, spans: list[Span], n_rows: int, where: str, taken: dict) -> Grid:
        reach = [0] * n_rows
        for span in spans:  # the positions `taken` holds, a span's rows at a time
            for r in range(span.row, min(span.row + span.rowspan, n_rows)):
                reach[r] = max(reach[r], span.col + span.colspan)
        by_row: list[list[Span]] = [[] for _ in range(n_rows)]
        for span in sorted(spans, key=attrgetter("row", "col")):
            by_row[span.row].append(span)
        return cls(spans, n_rows, max(reach, default=0), where, reach, _at=taken, _rows=by_row)

    def at(self, r: int, c: int) -> Span | None:
        """The cell covering position (r, c), wherever it starts."""
        return self._at.get((r, c))

    def row_spans(self, r: int) -> list[Span]:
        """The cells that start in row r, left to right."""
        return self._rows[r]

    def texts(self) -> list[str]:
        return [s.text for s in self.spans]

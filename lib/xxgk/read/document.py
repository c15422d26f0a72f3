"""The one intermediate every reader produces: an ordered stream of text and table-cell tokens.

Readers only know their rendering (HTML, PDF, pipe text...); the assembler only knows the layouts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk.read.grid import Grid

TEXT = "text"  # a paragraph or line of prose (headings included)
CELL = "cell"  # one table cell, as written
ROW_END = "row_end"  # the end of a table row (or a run of pipes closing one)
GRID = "grid"  # a whole table with its cells at grid positions (structured renderings)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    where: str  # "line 37", "page 3 table 1 row 4 cell 2", ...
    grid: Grid | None = None  # the table of a GRID token; its text is the cells' text, for detection


@dataclass(frozen=True)
class KeyedCell:
    """A cell a structured rendering names itself (a JSON field, a CSV row) instead of placing it in a stream.

    Either `keys` (table id, row key, column key) when the reader maps its own field names, or the
    labels as written (table 二/三/四, subtable, official row label, column header path), which the
    assembler matches against the layout as tolerantly as it matches labels in a token stream.
    """

    table: str
    subtable: str
    row: str
    column: str
    raw: str
    where: str
    keys: tuple[str, str, str] | None = None
    status: str | None = None  # a declared status: missing/uncertain survive a round trip through exports


@dataclass
class Document:
    """What a reader hands the assembler."""

    path: str
    rendering: str  # pipe_text, html, pdf, docx, crawler_text, markdown, cells_csv, json_tables
    tokens: list[Token] = field(default_factory=list)
    concatenated: bool = False  # cells run together without separators: digit runs must be split
    title: str | None = None
    published: str | None = None
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, message, where)
    keyed: list[KeyedCell] = field(default_factory=list)  # cells named by keys or labels, not by position
    # What a structured file states about itself (metadata fields); the command line still overrides.
    format_version: str | None = None
    year: int | None = None
    agency: str | None = None

    def text(self, t: str, where: str) -> None:
        if t.strip():
            self.tokens.append(Token(TEXT, t, where))

    def cell(self, t: str, where: str) -> None:
        self.tokens.append(Token(CELL, t, where))

    def grid(self, grid: Grid) -> None:
        if grid.spans:
            self.tokens.append(Token(GRID, "\n".join(s.text for s in grid.spans if s.text), grid.where, grid))

    def row_end(self, where: str = "") -> None:
        if self.tokens and self.tokens[-1].kind != ROW_END:
            self.tokens.append(Token(ROW_END, "", where))

    def note(self, kind: str, message: str, where: str = "") -> None:
        self.notes.append((kind, message, where))

    def full_text(self) -> str:
        return "\n".join(t.text for t in self.tokens if t.kind != ROW_END)


class ReadError(Exception):
    """A file that cannot be read at all; the message names the file and what is wrong."""

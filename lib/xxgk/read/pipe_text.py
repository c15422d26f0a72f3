"""Web text flattened one cell per line (the reference report): 'cell |', a bare '|' for an empty
cell, and a run of pipes closing a row whose merged cells leave grid positions unused.

The flattening keeps each cell's order but not its spans, so each run of cell lines becomes a Grid
without spans (`spans_known` False): a row ends at a pipe run or where an official row label or
sub-table caption begins the next one, and the assembler places a row's values in their order.
"""

from __future__ import annotations

import re

from xxgk.read.document import Document
from xxgk.read.grid import Grid
from xxgk.read.labels import MAX_LABEL_CHARS, is_caption, row_match
from xxgk.values import is_value_text

_PIPE_RUN = re.compile(r"^\|{2,}$")
_HEADING = re.compile(r"^[一二三四五六七八九十]{1,2}\s*[、.．]")  # a section heading is never a cell


def read(text: str, path: str) -> Document:
    doc = Document(path, "pipe_text")
    rows: list[list[tuple[str, str, int, int]]] = []
    first = ""
    has_value = False  # the current row holds a number already

    def flush() -> None:
        nonlocal rows, has_value
        if any(rows):
            grid = Grid.build([r for r in rows if r], f"第{first}行起的表格")
            grid.spans_known = False
            doc.grid(grid)
        rows, has_value = [], False

    lines = [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    for k, (i, stripped) in enumerate(lines):
        where = f"第{i}行"
        if _PIPE_RUN.match(stripped):
            if rows and rows[-1]:
                rows.append([])
                has_value = False
            continue
        if not stripped.endswith("|") and not _lost_pipe(lines, k):
            flush()
            doc.text(stripped, where)
            continue
        cell = "" if stripped == "|" else stripped.removesuffix("|").strip()
        if not rows:
            first = str(i)
            rows.append([])
        if cell and rows[-1] and _starts_row(cell, rows[-1], has_value):
            rows.append([])
            has_value = False
        rows[-1].append((cell, where, 1, 1))
        has_value = has_value or bool(cell) and is_value_text(cell)
    flush()
    return doc


def _lost_pipe(lines: list[tuple[int, str]], k: int) -> bool:
    """A short line between two cell lines is a cell whose pipe was lost (a damaged or misread file)."""
    def cell(j: int) -> bool:
        return 0 <= j < len(lines) and lines[j][1].endswith("|")

    text = lines[k][1]
    return len(text) <= MAX_LABEL_CHARS and not _HEADING.match(text) and cell(k - 1) and cell(k + 1)


def _starts_row(cell: str, row: list[tuple[str, str, int, int]], has_value: bool) -> bool:
    """An official label starts a row, unless it follows a label of the same row (三、本年度办理结果 |
    （一）予以公开); so does any text after the row's numbers (a label too damaged to be known)."""
    if is_value_text(cell):
        return False
    if has_value:
        return True
    return _official(cell) and not (row[-1][0] and _official(row[-1][0]))


def _official(text: str) -> bool:
    """An official row label (or variant) or caption as written; a typo'd label after numbers still starts
    its row (see _starts_row), so close matching is left to the assembler."""
    return is_caption(text) or row_match(text, False) is not None

"""Word attachments: body paragraphs and tables in the order they are written.

The body XML is walked directly so that tables and paragraphs interleave as in the file. A merged
cell is one <w:tc> (gridSpan columns) plus vMerge continuations below it: each table becomes a Grid
with the cell's row and column span, as a web page's rowspan/colspan cell would.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml.etree import XMLSyntaxError

from xxgk.read.document import Document, ReadError
from xxgk.read.grid import Grid
from xxgk.read.docx_numbering import Numbering

_SPACE = re.compile(r"[^\S\n]+")
_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC = qn("w:tr"), qn("w:tc")
_T, _BR, _CR, _TAB, _TEXT_BOX = qn("w:t"), qn("w:br"), qn("w:cr"), qn("w:tab"), qn("w:txbxContent")


def read(data: bytes, path: str) -> Document:
    try:
        word = open_docx(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, XMLSyntaxError) as exc:
        raise ReadError(f"{path}: 不是可读的 Word（.docx）文件（{exc}）") from exc
    doc = Document(path, "docx")
    walker = _Walker(doc, Numbering(word))
    walker.blocks(word.element.body)
    title = (word.core_properties.title or "").strip()
    doc.title = title if "报告" in title else walker.first_title
    return doc


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text.replace("\u3000", " ")).strip()


def _paragraph_text(p) -> str:
    """All run text of a paragraph, also inside hyperlinks, smart tags, fields and tracked insertions;
    line breaks kept, deleted text (w:delText) and floating text boxes left out."""
    parts = []
    for el in p.iter(_T, _BR, _CR, _TAB):
        if _in_text_box(el, p):
            continue
        parts.append((el.text or "") if el.tag == _T else "\t" if el.tag == _TAB else "\n")
    return "".join(parts)


def _in_text_box(el, p) -> bool:
    """Is el inside a text box of paragraph p? Only p's own descendants are looked at: the paragraphs
    read (of the body and of table cells) never lie in a text box themselves."""
    for a in el.iterancestors():
        if a is p:
            return False
        if a.tag == _TEXT_BOX:
            return True
    return False


def _children(parent, tags: tuple[str, ...]):
    """Children with these tags, looking through content controls (w:sdt) that may wrap them."""
    for child in parent:
        if child.tag in tags:
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _children(content, tags)


def _blocks(parent):
    """Paragraphs and tables of a body or cell."""
    return _children(parent, (_P, _TBL))


def _rows(tbl):
    return _children(tbl, (_TR,))


def _cells(tr):
    return _children(tr, (_TC,))


class _Walker:
    def __init__(self, doc: Document, numbering: Numbering):
        self.doc, self.numbering = doc, numbering
        self.paragraphs = 0
        self.tables = 0
        self.first_title: str | None = None

    def paragraph_lines(self, p) -> list[str]:
        text = self.numbering.label(p) + _paragraph_text(p)
        return [line for line in (_clean(x) for x in text.split("\n")) if line]

    def blocks(self, parent) -> None:
        for el in _blocks(parent):
            if el.tag == _P:
                for line in self.paragraph_lines(el):
                    self.paragraphs += 1
                    self.doc.text(line, f"第{self.paragraphs}段")
                    if self.first_title is None and self.paragraphs <= 5 and "报告" in line:
                        self.first_title = line
            else:
                self.table(el)

    def table(self, tbl) -> None:
        rows = list(_rows(tbl))
        if any(tc.find(f".//{_TBL}") is not None for tr in rows for tc in _cells(tr)):
            # A layout table holding the document: its cells are page regions, read as prose.
            for tr in rows:
                for tc in _cells(tr):
                    self.blocks(tc)
            return
        self.tables += 1
        n = self.tables
        grid_rows: list[list[tuple[str, str, int, int]]] = []
        origins: dict[int, list] = {}  # grid column -> [row index, cell index] of the vertically merged cell over it
        for r, tr in enumerate(rows):
            cells: list[tuple[str, str, int, int]] = []
            col = _grid_before(tr)
            for c, tc in enumerate(_cells(tr), 1):
                span = max(1, tc.grid_span)
                merge = tc.vMerge
                if merge == "continue" and col in origins:
                    up_r, up_c = origins[col]
                    text, where, rowspan, colspan = grid_rows[up_r][up_c]
                    grid_rows[up_r][up_c] = (text, where, rowspan + 1, colspan)
                else:
                    text = "\n".join(line for p in _blocks(tc) if p.tag == _P for line in self.paragraph_lines(p))
                    if merge == "restart":
                        origins[col] = [r, len(cells)]
                    else:
                        for k in range(col, col + span):
                            origins.pop(k, None)
                    cells.append((text, f"表{n} 第{r + 1}行 第{c}格", 1, span))
                col += span
            grid_rows.append(cells)
        self.doc.grid(Grid.build(_with_skips(grid_rows, rows), f"表{n}"))


def _grid_before(tr) -> int:
    """Grid columns a row leaves empty before its first cell (w:gridBefore)."""
    trpr = tr.find(qn("w:trPr"))
    el = trpr.find(qn("w:gridBefore")) if trpr is not None else None
    try:
        return int(el.get(qn("w:val"))) if el is not None else 0
    except (TypeError, ValueError):
        return 0


def _with_skips(grid_rows: list, rows: list) -> list:
    """Rows that start after w:gridBefore get empty cells in front, so columns line up."""
    out = []
    for cells, tr in zip(grid_rows, rows):
        skip = _grid_before(tr)
        out.append([("", "", 1, skip)] * (1 if skip else 0) + cells)
    return out

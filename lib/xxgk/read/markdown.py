"""Text another tool extracted from a PDF, written as Markdown: '#' headings, '| a | b |' table rows,
prose lines, page footers ('— 3 —') left inline. Extraction also leaves one-row tables as plain
'label value' lines (行政许可 97), which are read as table rows.
"""

from __future__ import annotations

import re

from xxgk.read.document import Document
from xxgk.values import is_value_text

_HEADING = re.compile(r"^#{1,6}\s*(.*?)\s*#*$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_FOOTER = re.compile(r"^[—–\-－]+\s*\d{1,3}\s*[—–\-－]+$|^第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?$")
# 'label value…': a short label without sentence punctuation, then numbers or not-applicable marks.
_LABEL_VALUES = re.compile(r"^([^\s\d|，。；：,;:！？]{2,24})((?:\s+\S+)+)$")
_YEAR = re.compile(r"(?:19|20)\d{2}")


def read(text: str, path: str) -> Document:
    doc = Document(path, "markdown")
    lines = text.splitlines()
    footers = 0
    for i, line in enumerate(lines, 1):
        stripped = line.strip()
        where = f"第{i}行"
        if not stripped or _SEPARATOR.match(stripped):
            continue
        if _FOOTER.match(stripped):
            footers += 1
            continue
        heading = _HEADING.match(stripped)
        if heading:
            if doc.title is None and stripped.startswith("# "):
                doc.title = heading.group(1)
            doc.text(heading.group(1), where)
        elif stripped.startswith("|"):
            _table_row(doc, stripped, where)
        elif _label_values(stripped):
            label, values = _label_values(stripped)
            doc.cell(label, where)
            for v in values:
                doc.cell(v, where)
            doc.row_end(where)
        else:
            doc.text(stripped, where)
    if doc.title is None:
        doc.title = _title(lines)
    if footers:
        doc.note("page_footer", f"略去 {footers} 个夹在正文中的页码行")
    return doc


def _table_row(doc: Document, line: str, where: str) -> None:
    inner = line[1:-1] if line.endswith("|") and len(line) > 1 else line[1:]
    for cell in inner.split("|"):
        doc.cell(cell.strip(), where)
    doc.row_end(where)


def _label_values(line: str) -> tuple[str, list[str]] | None:
    m = _LABEL_VALUES.match(line)
    if not m:
        return None
    values = m.group(2).split()
    if not all(is_value_text(v) for v in values):
        return None
    return m.group(1), values


def _title(lines: list[str]) -> str | None:
    """The report title when no '#' heading gives it: the first lines naming a year, up to 报告."""
    head = [ln.strip() for ln in lines[:12] if ln.strip()]
    for i, line in enumerate(head):
        if _YEAR.search(line) or "报告" in line:
            title = line
            for nxt in head[i + 1 : i + 3]:
                if title.endswith("报告"):
                    break
                title += nxt
            return title if title.endswith("报告") else None
    return None

"""Read any rendering of an annual report into a Report.

`read_report(path)` sniffs the content (not the file name), runs the matching reader, then the
shared assembler. A file that cannot be read at all raises ReadError with a message naming it.
"""

from __future__ import annotations

from pathlib import Path

from xxgk.model import Report
from xxgk.read import detect
from xxgk.read.assemble import assemble
from xxgk.read.document import Document, ReadError

__all__ = ["read_report", "read_document", "ReadError"]


def read_document(path: str | Path) -> Document:
    """The token stream of one file, from the reader its content calls for."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"{name}: 无法打开（{exc.strerror}）") from exc
    detect.check_size(size, name)
    data = path.read_bytes()
    rendering = detect.sniff_rendering(data, name)
    if rendering == "pdf":
        from xxgk.read import pdf

        return pdf.read(data, name)
    if rendering == "docx":
        from xxgk.read import docx

        return docx.read(data, name)
    text, encoding = detect.decode(data, name)
    if rendering == "html":
        from xxgk.read import html

        return html.read(text, name)
    if rendering == "json_tables":
        from xxgk.read import json_tables

        return json_tables.read(text, name)
    if rendering == "cells_csv":
        from xxgk.read import cells_csv

        return cells_csv.read(text, name)
    if rendering == "pipe_text":
        from xxgk.read import pipe_text

        return pipe_text.read(text, name)
    if rendering == "markdown":
        from xxgk.read import markdown

        return markdown.read(text, name)
    from xxgk.read import crawler_text

    return crawler_text.read(text, name)


def read_report(path: str | Path, year: int | None = None, agency: str | None = None) -> Report:
    """Parse one report file; `year`/`agency` override what the report says of itself."""
    doc = read_document(path)
    report = assemble(doc, year=year, agency=agency)
    if not report.sections and not report.cells:
        report.note("no_report", f"{path}: 未发现年度报告的章节或表格")
    return report

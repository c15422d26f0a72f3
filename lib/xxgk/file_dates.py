"""Dates a PDF or Word file records about itself (creation / last modification).

These are hints, never a publication date: a file is written before it is published, may be saved
again long after, and a generator may stamp any date. The timeliness rules show them as such.
Reading never raises: a damaged or foreign file simply has no date.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from functools import lru_cache
from pathlib import Path

_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
_DOCX_DATE = re.compile(r"<dcterms:(created|modified)[^>]*>\s*(\d{4})-(\d{2})-(\d{2})")
_NAMES = {"created": "创建日期", "modified": "修改日期", "CreationDate": "创建日期", "ModDate": "修改日期"}


@lru_cache(maxsize=256)
def file_dates(path: str) -> tuple[tuple[str, date], ...]:
    """(what, date) pairs a PDF's Info dictionary or a DOCX's core properties record, e.g.
    (("创建日期", date(2024, 1, 17)), ("修改日期", date(2024, 1, 18))); () for other files."""
    p = Path(path)
    try:
        if not p.is_file():
            return ()
        suffix = p.suffix.lower()
        if suffix == ".pdf":
            return _pdf(p)
        if suffix == ".docx":
            return _docx(p)
    except Exception:  # a damaged file has no usable metadata; the reader reports the damage
        return ()
    return ()


def _valid(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _pdf(path: Path) -> tuple[tuple[str, date], ...]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    out = []
    with open(path, "rb") as fh:
        doc = PDFDocument(PDFParser(fh))
        for info in doc.info or []:
            for key in ("CreationDate", "ModDate"):
                raw = resolve1(info.get(key))
                if isinstance(raw, bytes):
                    raw = raw.decode("latin-1", "replace")
                m = _PDF_DATE.match(str(raw or "").strip())
                got = _valid(*m.groups()) if m else None
                if got:
                    out.append((_NAMES[key], got))
    return tuple(out)


def _docx(path: Path) -> tuple[tuple[str, date], ...]:
    with zipfile.ZipFile(path) as z:
        xml = z.read("docProps/core.xml").decode("utf-8", "replace")
    out = []
    for m in _DOCX_DATE.finditer(xml):
        got = _valid(*m.groups()[1:])
        if got:
            out.append((_NAMES[m.group(1)], got))
    return tuple(out)

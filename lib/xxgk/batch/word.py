"""Word documents of plain paragraphs: WordprocessingML written straight into python-docx's default package.

Every reviewed agency gets a notice. Made through python-docx's object layer, each one opened the default
template (parsing its 800 KB of style parts), ran XPath for every paragraph added, and re-serialized and
re-compressed every part on saving. Here python-docx makes the package once per process, with its styles,
settings and properties, and each document only writes and compresses its own body part.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

DOCUMENT_PART = "word/document.xml"
_MARK = "xxgk-paragraphs-go-here"  # a paragraph of the template document, where the body's paragraphs go
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # lxml refuses these
_RUN_PARTS = re.compile(r"(\t|[\r\n])")


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # a paragraph style of the default template by its name ("Heading 1", "List Bullet"); "" Normal
    align: str = ""  # "", "center" or "right"


@lru_cache(maxsize=1)
def _package() -> tuple[bytes, str, str, dict[str, str]]:
    """The default package without its document part, the document part before and after the body's paragraphs,
    and the template's paragraph style ids by name."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE

    doc = Document()
    doc.add_paragraph(_MARK)
    styles = {s.name: s.style_id for s in doc.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    saved = io.BytesIO()
    doc.save(saved)
    rest = io.BytesIO()
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(rest, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == DOCUMENT_PART:
                document = src.read(info).decode("utf-8")
            else:
                dst.writestr(info, src.read(info))
    mark = _paragraph(Paragraph(_MARK), styles)
    before, found, after = document.partition(mark)
    if not found:
        raise RuntimeError(f"python-docx wrote the template's {DOCUMENT_PART} in an unexpected form")
    return rest.getvalue(), before, after, styles


def document_bytes(paragraphs: list[Paragraph]) -> bytes:
    """A .docx holding the paragraphs, in the default template's page, styles and properties."""
    rest, before, after, styles = _package()
    body = "".join(_paragraph(p, styles) for p in paragraphs)
    out = io.BytesIO(rest)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:  # it finds the end of the archive itself
        package.writestr(DOCUMENT_PART, (before + body + after).encode("utf-8"))
    return out.getvalue()


def _paragraph(p: Paragraph, styles: dict[str, str]) -> str:
    """A <w:p> as python-docx writes it: a tab is <w:tab/>, a line break <w:br/>, and a text piece that starts or
    ends with a space keeps it (xml:space). Characters XML cannot hold are left out."""
    props = (f'<w:pStyle w:val="{styles[p.style]}"/>' if p.style else "") + (f'<w:jc w:val="{p.align}"/>' if p.align else "")
    runs = []
    for piece in _RUN_PARTS.split(_NOT_XML.sub("", p.text)):
        if piece == "\t":
            runs.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            runs.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if piece.strip() != piece else ""
            runs.append(f"<w:t{space}>{escape(piece)}</w:t>")
    inner = (f"<w:pPr>{props}</w:pPr>" if props else "") + (f"<w:r>{''.join(runs)}</w:r>" if runs else "")
    return f"<w:p>{inner}</w:p>" if inner else "<w:p/>"

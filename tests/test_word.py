"""Word documents written straight as WordprocessingML (xxgk.batch.word) against python-docx itself: the same
paragraphs added through python-docx's own API must give the same package, part for part and byte for byte."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from xxgk.batch.word import DOCUMENT_PART, Paragraph, document_bytes

TEXTS = ("整改通知", "a\tb", " 前有空格", "后有空格 ", "一行\n二行\r\n三行", "<b>&amp;</b> \"'", "\u3000全角\u3000",
         "😀 表情", "\t", "\n", "")
_ALIGN = {"": None, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def _by_python_docx(paragraphs: list[Paragraph]) -> bytes:
    doc = Document()
    for p in paragraphs:
        added = doc.add_paragraph(p.text, style=p.style or None)
        if p.align:
            added.alignment = _ALIGN[p.align]
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _parts(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        assert z.testzip() is None  # every part's CRC checks
        return {info.filename: z.read(info) for info in z.infolist()}


@pytest.mark.parametrize("style", ["", "Heading 1", "List Bullet"])
@pytest.mark.parametrize("align", ["", "center", "right"])
def test_same_package_as_python_docx(style, align):
    paragraphs = [Paragraph(text, style, align) for text in TEXTS]
    assert _parts(document_bytes(paragraphs)) == _parts(_by_python_docx(paragraphs))


def test_python_docx_reads_back_text_styles_and_alignment():
    paragraphs = [Paragraph("标题", "Heading 1", "center"), Paragraph("甲\t乙"), Paragraph("要点", "List Bullet"),
                  Paragraph("署名", align="right")]
    doc = Document(io.BytesIO(document_bytes(paragraphs)))
    assert [(p.text, p.style.name, p.alignment) for p in doc.paragraphs] == [
        ("标题", "Heading 1", WD_ALIGN_PARAGRAPH.CENTER), ("甲\t乙", "Normal", None),
        ("要点", "List Bullet", None), ("署名", "Normal", WD_ALIGN_PARAGRAPH.RIGHT)]


def test_characters_xml_cannot_hold_are_left_out():
    """python-docx refuses them (a notice of a report with a stray control character failed); here they go."""
    doc = Document(io.BytesIO(document_bytes([Paragraph("机关\x00名\x07称\x1f"), Paragraph("\ufffe")])))
    assert [p.text for p in doc.paragraphs] == ["机关名称", ""]


def test_the_body_is_the_only_part_written_per_document():
    one, two = _parts(document_bytes([Paragraph("一")])), _parts(document_bytes([Paragraph("二")]))
    assert {k for k in one if one[k] != two[k]} == {DOCUMENT_PART}

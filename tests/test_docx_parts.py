"""Word files read straight from their zip parts: body markup the reader must look through or leave
out, the package's relationships, and the cut-down reading of styles.xml for style numbering."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest

from xxgk.config import DATA_DIR
from xxgk.read import ReadError, read_document
from xxgk.read.docx import _parse
from xxgk.read.docx_numbering import style_numbers

SAMPLE = DATA_DIR / "reports/2022/qh-natres.docx"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _rewrite(tmp_path, edits: dict, name: str = "report.docx"):
    """The sample with some parts replaced (a function of the old bytes, or None to drop the part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            edit = edits.get(info.filename, lambda d: d)
            if edit is not None:
                dst.writestr(info.filename, edit(data))
        for part in set(edits) - set(src.namelist()):
            dst.writestr(part, edits[part](b""))
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return path


def _body(xml: str):
    """document.xml with `xml` as its whole body."""
    return lambda d: re.sub(rb"<w:body>.*</w:body>", f"<w:body>{xml}</w:body>".encode(), d, flags=re.S)


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str, props: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}{_p(text)}</w:tc>"


def test_text_boxes_left_out_content_controls_looked_through(tmp_path):
    box = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>' + _p("框内")
           + '</w:txbxContent></w:drawing></mc:Choice></mc:AlternateContent></w:r>')
    body = (f'<w:p><w:r><w:t>前</w:t></w:r>{box}<w:r><w:tab/><w:t>后</w:t><w:br/><w:t>次行</w:t></w:r></w:p>'
            f'<w:sdt><w:sdtPr/><w:sdtContent>{_p("控件中")}</w:sdtContent></w:sdt>'
            f'<w:tbl><w:sdt><w:sdtContent><w:tr>{_tc("甲")}<w:sdt><w:sdtContent>{_tc("乙")}</w:sdtContent></w:sdt>'
            f'</w:tr></w:sdtContent></w:sdt></w:tbl>')
    doc = read_document(_rewrite(tmp_path, {"word/document.xml": _body(body)}))
    assert [t.text for t in doc.tokens if t.kind == "text"] == ["前 后", "次行", "控件中"]
    grid = [t.grid for t in doc.tokens if t.kind == "grid"][0]
    assert [(s.text, s.row, s.col) for s in grid.spans] == [("甲", 0, 0), ("乙", 0, 1)]


def test_merged_cells_and_rows_starting_late(tmp_path):
    two, restart, below, odd = '<w:gridSpan w:val="2"/>', '<w:vMerge w:val="restart"/>', "<w:vMerge/>", '<w:gridSpan w:val="x"/>'
    body = ("<w:tbl>"
            f"<w:tr>{_tc('合并', two + restart)}{_tc('右')}</w:tr>"
            f"<w:tr>{_tc('', two + below)}{_tc('右二')}</w:tr>"
            f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{_tc("晚", odd)}{_tc("末")}</w:tr>'
            "</w:tbl>")
    doc = read_document(_rewrite(tmp_path, {"word/document.xml": _body(body)}))
    grid = [t.grid for t in doc.tokens if t.kind == "grid"][0]
    spans = {s.text: (s.row, s.col, s.rowspan, s.colspan) for s in grid.spans if s.text}
    # a vMerge without w:val continues the cell above; a gridSpan that is not a number spans one column
    assert spans == {"合并": (0, 0, 2, 2), "右": (0, 2, 1, 1), "右二": (1, 2, 1, 1), "晚": (2, 1, 1, 1), "末": (2, 2, 1, 1)}


def test_the_document_part_is_found_through_the_relationships(tmp_path):
    with zipfile.ZipFile(SAMPLE) as src:
        document, rels = src.read("word/document.xml"), src.read("word/_rels/document.xml.rels")
    path = _rewrite(tmp_path, {
        "word/document.xml": None, "word/_rels/document.xml.rels": None,
        "word/main.xml": lambda _: document, "word/_rels/main.xml.rels": lambda _: rels,
        "_rels/.rels": lambda d: d.replace(b"word/document.xml", b"word/main.xml"),
        "[Content_Types].xml": lambda d: d.replace(b"/word/document.xml", b"/word/main.xml"),
    })
    assert read_document(path).title == read_document(SAMPLE).title


def test_a_zip_that_is_not_a_word_document_is_refused(tmp_path):
    path = _rewrite(tmp_path, {"[Content_Types].xml": lambda d: d.replace(b"wordprocessingml.document.main", b"spreadsheetml.sheet.main")},
                    name="sheet.docx")
    with pytest.raises(ReadError, match="sheet.docx"):
        read_document(path)


def test_a_document_without_a_body_is_empty(tmp_path):
    path = _rewrite(tmp_path, {"word/document.xml": lambda d: re.sub(rb"<w:body>.*</w:body>", b"", d, flags=re.S)})
    assert read_document(path).tokens == []


STYLES = (f'<?xml version="1.0" encoding="UTF-8"?>\n<w:styles {W}>'
          '<w:docDefaults><w:pPrDefault><w:pPr><w:numPr><w:numId w:val="9"/></w:numPr></w:pPr></w:pPrDefault></w:docDefaults>'
          '<w:style w:styleId="Empty"/>'
          '<w:style w:styleId="A"><w:name w:val="a&gt;b"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>'
          '<w:style w:styleId="Plain"><w:pPr><w:jc w:val="both"/></w:pPr></w:style>'
          '<w:style w:styleId="Empty2"/><w:style w:styleId="B">'
          '<w:pPr><w:numPr><w:ilvl w:val="2"/><w:numId w:val="4"/></w:numPr></w:pPr>'
          '<w:tblStylePr><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:tblStylePr></w:style>'
          '<w:style w:styleId="Off"><w:pPr><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr></w:style>'
          "</w:styles>")


@pytest.mark.parametrize("styles", [STYLES, STYLES.replace('w:styleId="A"', 'w:styleId="A" '), STYLES.replace("<w:style ", "<w:style\n")])
def test_numbered_styles_read_from_pieces_as_from_the_whole_part(styles):
    whole = styles.replace("</w:styles>", "<!-- a comment: the part is parsed whole --></w:styles>")
    expected = {"A": ("1", 0), "B": ("4", 2)}
    assert style_numbers(styles.encode(), _parse) == style_numbers(whole.encode(), _parse) == expected


def test_a_numbered_style_not_directly_under_the_root_is_not_taken():
    """The whole parse reads only the root's own styles; cutting by position must not find one more."""
    wrapped = STYLES.replace(
        "</w:styles>",
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:Choice Requires="w14">'
        '<w:style w:styleId="C"><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>'
        "</mc:Choice></mc:AlternateContent></w:styles>")
    assert style_numbers(wrapped.encode(), _parse) == {"A": ("1", 0), "B": ("4", 2)}


def test_a_huge_span_is_read_at_once(tmp_path):
    """A gridSpan of 10^8 columns (damage or an attack) was a loop over every column it named."""
    wide = '<w:gridSpan w:val="100000000"/>'
    body = f"<w:tbl><w:tr>{_tc('宽', wide)}{_tc('右')}</w:tr></w:tbl>"
    start = time.process_time()
    doc = read_document(_rewrite(tmp_path, {"word/document.xml": _body(body)}))
    assert time.process_time() - start < 2
    assert [s.text for t in doc.tokens if t.kind == "grid" for s in t.grid.spans] == ["宽", "右"]


def test_numbering_outside_styles_is_searched_once():
    """Many w:numPr outside any style (docDefaults-like) cost one pass, not one per numPr."""
    styles = f'<w:styles {W}>' + "<w:x><w:numPr/></w:x>" * 50_000 + "x" * 2_000_000 + "</w:styles>"
    start = time.process_time()
    assert style_numbers(styles.encode(), _parse) == {}
    assert time.process_time() - start < 2

"""Word files: no real .docx is in the corpus, so the test writes one with python-docx from the cells
of a real report (shuyang_drc_2023.html) laid out as the official tables, and reads it back."""

from __future__ import annotations

import json

import docx
import pytest
from conftest import REAL
from official_tables import Grid, assert_every_cell, expected_values, report_parts

from xxgk.layouts import load_layout
from xxgk.read import ReadError, read_document, read_report

SOURCE = "shuyang_drc_2023.html"


@pytest.fixture(scope="module")
def oracle() -> dict:
    return json.loads((REAL / "expected.json").read_text(encoding="utf-8"))[SOURCE]


def _write_docx(path, oracle: dict, cell_text=str, in_layout_table: bool = False) -> None:
    layout = load_layout("2021")
    values = expected_values(layout, oracle["cells"])
    raw = {k: "" if v is None else str(v) for k, v in values.items()}
    title = f"{oracle['agency']}{oracle['year']}年政府信息公开工作年度报告"
    word = docx.Document()
    word.core_properties.title = title
    body = word
    if in_layout_table:  # some offices put the whole document in a one-cell table
        body = word.add_table(rows=1, cols=1).cell(0, 0)
    for i, (kind, item) in enumerate(report_parts(layout, raw, title)):
        if kind == "text":
            if i == 0 and not in_layout_table:
                word.add_heading(item, level=1)
            else:
                body.add_paragraph(item)
            continue
        assert isinstance(item, Grid)
        table = body.add_table(rows=item.n_rows, cols=item.n_cols)
        for span in item.spans:
            target = table.cell(span.row, span.col)
            if span.rowspan > 1 or span.colspan > 1:
                target = target.merge(table.cell(span.row + span.rowspan - 1, span.col + span.colspan - 1))
            target.text = cell_text(span.text)
    word.add_paragraph(oracle["agency"])
    word.add_paragraph("2024年1月17日")
    word.save(path)


def test_every_cell_round_trips(tmp_path, oracle):
    path = tmp_path / "report.docx"
    _write_docx(path, oracle)
    report = read_report(path)
    assert report.rendering == "docx"
    assert (report.format_version, report.year, report.agency) == ("2021", 2023, oracle["agency"])
    assert len(oracle["cells"]) == 200
    assert_every_cell(report, oracle["cells"])
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6] and all(s.official for s in report.sections)
    assert not [n for n in report.notes if n.kind != "table_missing"], report.notes
    # Sources name the Word table, row and cell; the colspan=3 value of （五） sits in the second <w:tc>.
    assert report.cell("t2_art20_5", "admin_licensing", "decisions").source == "表1 第7行 第2格"
    assert report.cell("t4", "cases", "rv_pending").source == "表3 第4行 第4格"


def test_paragraphs_and_tables_keep_body_order(tmp_path, oracle):
    path = tmp_path / "report.docx"
    _write_docx(path, oracle)
    doc = read_document(path)
    assert doc.title == f"{oracle['agency']}2023年政府信息公开工作年度报告"
    kinds = []
    for tok in doc.tokens:
        if tok.kind == "text" and tok.text[:2] in ("二、", "三、", "四、", "五、"):
            kinds.append(tok.text[:2])
        elif tok.kind == "grid":
            kinds.append("cells")
    assert kinds == ["二、", "cells", "三、", "cells", "四、", "cells", "五、"]
    # Merged cells are one cell with its spans: 三、本年度办理结果 spans 22 rows, 法人或其他组织 five columns.
    spans = {s.text: s for t in doc.tokens if t.kind == "grid" for s in t.grid.spans}
    assert (spans["三、本年度办理结果"].rowspan, spans["法人或其他组织"].colspan) == (22, 5)
    texts = [s.text for t in doc.tokens if t.kind == "grid" for s in t.grid.spans]
    assert texts.count("三、本年度办理结果") == 1 and texts.count("法人或其他组织") == 1
    assert doc.tokens[0].where == "第1段"


def test_line_breaks_and_marks_in_cells_inside_a_layout_table(tmp_path, oracle):
    path = tmp_path / "wrapped.docx"

    def cell_text(text: str) -> str:
        if text == "":
            return "—"
        if len(text) > 12:
            return text[: len(text) // 2] + "\n" + text[len(text) // 2 :]
        return text

    _write_docx(path, oracle, cell_text, in_layout_table=True)
    report = read_report(path)
    assert_every_cell(report, oracle["cells"])
    blank = report.cell("t3", "granted", "research")
    assert (blank.status, blank.raw) == ("na", "—")
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]


def test_a_broken_word_file_is_a_read_error(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 64)
    with pytest.raises(ReadError, match="broken.docx"):
        read_report(path)


def test_text_in_smart_tags_and_hyperlinks_is_kept_deleted_text_is_not(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word = docx.Document()
    para = word.add_paragraph("六、其他需要报告的事项")
    para._p.append(parse_xml(
        f'<w:smartTag {nsdecls("w")} w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="chsdate">'
        "<w:r><w:t>（2024年1月17日）</w:t></w:r></w:smartTag>"
    ))
    para._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="x"><w:r><w:delText>旧稿</w:delText></w:r></w:del>'))
    para._p.append(parse_xml(f'<w:hyperlink {nsdecls("w")}><w:r><w:t>详见附件</w:t></w:r><w:r><w:br/><w:t>第二行</w:t></w:r></w:hyperlink>'))
    path = tmp_path / "tags.docx"
    word.save(path)
    texts = [t.text for t in read_document(path).tokens]
    assert texts == ["六、其他需要报告的事项（2024年1月17日）详见附件", "第二行"]


def test_auto_numbered_headings_get_their_numbers(tmp_path, oracle):
    """Word list numbering ("一、" from numbering.xml, not in the text) still marks the six sections."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word = docx.Document()
    numbering = word.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="77"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, level: int) -> None:
        para = word.add_paragraph(text)
        para._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="77"/></w:numPr>'))

    word.add_paragraph(f"{oracle['agency']}2023年政府信息公开工作年度报告")
    for sec in load_layout("2021").sections:
        numbered(sec.heading[2:], 0)  # "总体情况", numbered 一、 by Word
        numbered("工作情况", 1)
        word.add_paragraph("正文。")
    path = tmp_path / "numbered.docx"
    word.save(path)
    report = read_report(path)
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert [s.heading for s in report.sections] == [s.heading for s in load_layout("2021").sections]
    assert report.section(2).text.startswith("（一）工作情况")  # the sub-level restarts under each heading

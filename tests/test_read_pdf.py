"""The three real PDF attachments: every hand-read cell, the 表三 totals of the manifest, sections,
deviations recorded as notes; the PDF-text tokenizer on the extracted-text excerpt; scanned PDFs."""

from __future__ import annotations

import csv
import re

import pdfplumber
import pytest

from conftest import REAL
from xxgk.read import ReadError, read_report
from xxgk.read.assemble import assemble
from xxgk.read.document import Document
from xxgk.read.pdf import tokens_from_text_lines

PDFS = {
    "kiro_hongze_district_2023.pdf": "洪泽区",
    "kiro_hongze_district_2024.pdf": "洪泽区",
    "govnianbao_huaian_city_2024.pdf": "淮安市",
}
EXCERPT = REAL / "govnianbao_huaian_city_2024_section3_pdf_text_excerpt.txt"


@pytest.fixture(scope="module")
def reports():
    return {name: read_report(REAL / name) for name in PDFS}


def _cells(report):
    return {(c.table, c.subtable, c.row, c.column): c for c in report.cells}


def _mismatches(report, expected_cells):
    got = _cells(report)
    return [(c, got.get((c["table"], c.get("subtable"), c["row"], c["column"]))) for c in expected_cells
            if (c["table"], c.get("subtable"), c["row"], c["column"]) not in got
            or got[(c["table"], c.get("subtable"), c["row"], c["column"])].value != c["value"]]


def _manifest_t3(name: str) -> tuple[int, int, int, int]:
    """新收 + 上年结转 = 总计 + 结转下年度, as the manifest notes state them for the file."""
    with open(REAL / "manifest.csv", encoding="utf-8") as fh:
        notes = next(row["notes"] for row in csv.DictReader(fh) if row["file"] == name)
    gap = r"[^\d+=]*"  # words between the numbers: "新收 21 + 结转 0 = 总计 21 + 结转 0"
    m = re.search(rf"(\d+){gap}\+{gap}(\d+){gap}={gap}(\d+){gap}\+{gap}(\d+)", notes)
    return tuple(int(g) for g in m.groups())


@pytest.mark.parametrize("name", PDFS)
def test_layout_year_and_agency(reports, expected, name):
    report, exp = reports[name], expected[name]
    assert report.rendering == "pdf"
    assert report.format_version == exp["format_version"]
    assert report.year == exp["year"] and "标题" in report.year_reason
    assert PDFS[name] in report.agency and report.agency == exp["agency"]


@pytest.mark.parametrize("name", PDFS)
def test_every_hand_read_cell(reports, expected, name):
    report, cells = reports[name], expected[name]["cells"]
    assert len(cells) >= 186
    assert _mismatches(report, cells) == []
    for c in cells:
        cell = _cells(report)[(c["table"], c.get("subtable"), c["row"], c["column"])]
        assert cell.status == "number" and re.fullmatch(r"第\d页 表\d 第\d+行 第\d+格", cell.source), cell


@pytest.mark.parametrize("name", PDFS)
def test_table_three_totals_of_the_manifest(reports, name):
    report = reports[name]
    new, carried, total, forward = _manifest_t3(name)
    assert report.value("t3", "new_received", "total") == new
    assert report.value("t3", "carried_over", "total") == carried
    assert report.value("t3", "total_processed", "total") == total
    assert report.value("t3", "carried_forward", "total") == forward


@pytest.mark.parametrize("name", PDFS)
def test_sections_prose_and_footers(reports, name):
    report = reports[name]
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert all(s.official for s in report.sections)
    assert "信息处理费" in report.section(6).text
    assert not re.search(r"^\s*-\s*\d+\s*-\s*$", report.text, re.M)  # page footers dropped
    assert not [n for n in report.notes if n.kind in ("column_label", "row_short", "extra_cells", "table_missing")]


def test_prose_lines_join_into_paragraphs(reports):
    huaian = reports["govnianbao_huaian_city_2024.pdf"]
    assert "全市共受理政府信息公开申请 3119 件，答复 3050 件" in huaian.section(1).text  # wrapped after 答
    hongze = reports["kiro_hongze_district_2023.pdf"]
    assert "2023 年全区受理政府信息公开申请 21 件，均在法定期限答复。" in hongze.section(1).text
    assert hongze.preface.startswith("洪泽区人民政府2023 年政府信息公开工作年度报告")


def test_where_vertical_header_and_page_break(reports):
    report = reports["kiro_hongze_district_2023.pdf"]
    assert report.cell("t3", "new_received", "natural_person").source == "第3页 表2 第4行 第4格"
    assert report.cell("t3", "unable_unclear_after_correction", "total").source.startswith("第4页 表1 第1行")
    assert report.cell("t4", "cases", "la_maintained").source == "第4页 表2 第4行 第11格"
    assert report.value("t4", "cases", "la_maintained") == 5


def test_deviations_become_notes(reports):
    for name in ("kiro_hongze_district_2023.pdf", "kiro_hongze_district_2024.pdf"):
        notes = reports[name].notes
        typo = [n for n in notes if n.kind == "label_typo"]
        assert [n.message for n in typo] == ["行标签“2.其他法律行政止公开”按官方标签“2.其他法律行政法规禁止公开”读取"]
        assert [n.kind for n in notes if "（六）其他处理" in n.message] == ["group_row_values"]
    huaian = reports["govnianbao_huaian_city_2024.pdf"].notes
    assert sorted(n.message[:8] for n in huaian if n.kind == "label_variant") == ["行标签“1、申请", "行标签“2、申请", "行标签“3、其他"]
    assert not [n for n in huaian if "法提供" in n.message or "（四）无" in n.message]  # label cut by the page break


def test_text_line_tokenizer_on_the_extracted_excerpt(expected):
    doc = Document(str(EXCERPT), "crawler_text")
    lines = EXCERPT.read_text(encoding="utf-8").splitlines()
    tokens_from_text_lines(((line, f"第{i}行") for i, line in enumerate(lines, 1)), doc)
    report = assemble(doc)
    assert report.format_version == "2021"
    read = [c for c in report.cells if c.status != "missing"]
    assert len(read) == 3 + 13 * 7  # 表二's last three rows, 表三 down to 1.本机关不掌握相关政府信息
    want = {(c["table"], c.get("subtable"), c["row"], c["column"]): c["value"]
            for c in expected["govnianbao_huaian_city_2024.pdf"]["cells"]}
    assert [(c.row, c.column, c.value) for c in read if want[(c.table, c.subtable, c.row, c.column)] != c.value] == []
    assert report.cell("t3", "partial", "total").value == 454  # label wrapped over two lines
    assert not [n for n in report.notes if n.kind in ("label_typo", "label_variant", "column_label")]


def test_text_line_tokenizer_on_pdfplumber_text_with_numbers_before_labels(expected):
    """extract_text of 洪泽区 2023 prints several rows' numbers on the line before their label."""
    name = "kiro_hongze_district_2023.pdf"
    doc = Document(name, "crawler_text")
    with pdfplumber.open(REAL / name) as pdf:
        for p, page in enumerate(pdf.pages, 1):
            tokens_from_text_lines(((t, f"第{p}页第{i}行") for i, t in enumerate(page.extract_text().splitlines(), 1)), doc)
    report = assemble(doc)
    assert _mismatches(report, expected[name]["cells"]) == []


def test_scanned_pdf_without_text_layer_is_refused(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig = plt.figure(figsize=(2, 2))
    fig.figimage(np.random.default_rng(0).random((50, 50)))  # an image, no text
    path = tmp_path / "scan.pdf"
    fig.savefig(path)
    plt.close(fig)
    with pytest.raises(ReadError, match="扫描版 PDF.*没有文字层"):
        read_report(path)


def test_damaged_pdf_is_a_read_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj <</Type /Catalog>> trailer garbage")
    with pytest.raises(ReadError, match="broken.pdf"):
        read_report(path)

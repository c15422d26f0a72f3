"""The reference report (pipe-flattened web text): every cell, sections, layout and year."""

from __future__ import annotations

from conftest import SEED
from xxgk.layouts import load_layout
from xxgk.read import read_report

NONZERO = {("t2_art20_5", "admin_licensing", "change"): 5, ("t2_art20_5", "admin_licensing", "decisions"): 5}


def test_every_cell_of_the_reference_report():
    report = read_report(SEED)
    layout = load_layout("2019")
    expected_cells = [(t.id, r.key, c.key) for t in layout.tables for r in t.data_rows for c in t.columns]
    assert len(expected_cells) == 198
    got = {(c.table_id, c.row_key, c.column_key): c for c in report.cells}
    assert set(got) == set(expected_cells)
    for key in expected_cells:
        cell = got[key]
        assert cell.status == "number", (key, cell)
        assert cell.value == NONZERO.get(key, 0), (key, cell)
        assert cell.raw == str(cell.value)
        assert cell.source.startswith("第") and cell.source.endswith("行")


def test_reference_report_layout_year_and_sections():
    report = read_report(SEED)
    assert report.format_version == "2019"
    assert report.year == 2021 and "2022" in report.year_reason
    assert [s.number for s in report.sections] == [1, 3, 4, 5, 6]  # heading 二 is missing
    assert report.section(6).text == "我单位没有其他需要报告的事项。"
    t4 = report.cell("t4", "cases", "la_total")
    assert t4.column == "行政诉讼/复议后起诉/总计" and t4.source == "第328行"


def test_wide_view_matches_the_printed_table():
    wide = read_report(SEED).wide("三")
    assert wide.shape == (23, 7)
    assert list(wide.columns)[:2] == ["自然人", "法人或其他组织/商业企业"]

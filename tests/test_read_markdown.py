"""Markdown-ish text other tools extracted from PDF reports: every hand-read cell, layout, year, agency,
and how mangled tables are read (label-less rows, a row that lost a column, 表四 split or flattened)."""

from __future__ import annotations

import pytest

from conftest import DECIDED_BY_PROSE, REAL
from xxgk.read import read_report

FILES = ["kiro_shuyang_county_gov_2025.md", "kiro_shanghai_sti_commission_2024_source.md",
         "kiro_shanghai_gov_office_2025_source.md"]


@pytest.fixture(scope="module")
def reports():
    return {name: read_report(REAL / name) for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_every_expected_cell(name, reports, expected):
    report, oracle = reports[name], expected[name]
    got = {(c.table, c.row, c.column): c for c in report.cells}
    assert len(oracle["cells"]) >= 198
    for want in oracle["cells"]:
        cell = got[(want["table"], want["row"], want["column"])]
        if (name, want["table"], want["row"], want["column"]) in DECIDED_BY_PROSE:
            assert cell.status == "uncertain", (want, cell)
            continue
        assert cell.value == want["value"], (want, cell)
        assert cell.status == ("number" if want["value"] is not None else "blank"), (want, cell)
        assert cell.source.startswith("第") and cell.source.endswith("行")


@pytest.mark.parametrize("name", FILES)
def test_layout_year_agency(name, reports, expected):
    report, oracle = reports[name], expected[name]
    assert report.rendering == "markdown"
    assert (report.format_version, report.year, report.agency) == (
        oracle["format_version"], oracle["year"], oracle["agency"])


def test_row_that_lost_a_column_is_uncertain_not_guessed(reports):
    """| 规章 | 22 | 235 | under three headers: no identity says which cell was lost, so none is stated;
    the note lists the placements that remain."""
    report = reports["kiro_shanghai_gov_office_2025_source.md"]
    cells = [report.cell("t2_art20_1", "regulations", k) for k in ("issued", "repealed", "valid")]
    assert all(c.status == "uncertain" and c.value is None for c in cells)
    short = [n for n in report.notes if n.kind == "row_short"]
    assert len(short) == 2 and short[0].where == "第97行"
    assert "本年制发件数=22、现行有效件数=235" in short[0].message and "3 种" in short[0].message


def test_flattened_and_split_table_four(reports):
    office = reports["kiro_shanghai_gov_office_2025_source.md"]
    assert [c.value for c in office.cells if c.table == "四"] == [40, 0, 10, 5, 55, 2, 0, 4, 6, 12, 6, 0, 9, 7, 22]
    shuyang = reports["kiro_shuyang_county_gov_2025.md"]  # three 5-column tables, one per group
    assert [c.value for c in shuyang.cells if c.table == "四"] == [27, 10, 9, 15, 61, 3, 0, 0, 0, 3, 8, 0, 1, 1, 10]


def test_label_less_rows_are_read_in_order_with_a_note(reports):
    report = reports["kiro_shanghai_sti_commission_2024_source.md"]
    unlabelled = [n for n in report.notes if n.kind == "row_unlabelled"]
    assert len(unlabelled) == 10
    assert "（二）部分公开" in unlabelled[0].message and unlabelled[0].where == "第105行"
    # 四、结转下年度继续办理 prints six numbers and an empty 总计 cell: blank, not shifted
    assert report.cell("t3", "carried_forward", "total").status == "blank"


def test_renumbered_sections_map_to_the_official_parts(reports):
    report = reports["kiro_shanghai_sti_commission_2024_source.md"]
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 6]
    assert report.section(2).heading == "一、主动公开政府信息情况" and not report.section(2).official
    assert sum(n.kind == "section_number" for n in report.notes) == 4
    assert "工作机制保障" in report.section(1).text  # the report's own extra parts stay in 总体情况


def test_page_footers_are_dropped(reports):
    report = reports["kiro_shanghai_gov_office_2025_source.md"]
    assert "— 1 —" not in report.text
    assert "政务公开促落实" in report.section(1).text
    assert any(n.kind == "page_footer" and "7" in n.message for n in report.notes)

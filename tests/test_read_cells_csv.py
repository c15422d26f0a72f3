"""Long-format cell CSV: the export read back exactly, and a table keyed in by hand with loose input."""

from __future__ import annotations

import pytest

from conftest import REAL, SEED
from xxgk.review.export import cells_csv
from xxgk.read import ReadError, read_report


@pytest.mark.parametrize("source", [SEED, REAL / "kiro_shanghai_gov_office_2025_source.md",
                                    REAL / "kiro_shanghai_sti_commission_2024_source.md"])
def test_parse_csv_parse_is_exact(source, tmp_path):
    original = read_report(source, agency="某县商务局" if source == SEED else None)
    path = tmp_path / "cells.csv"
    path.write_text(cells_csv(original), encoding="utf-8")
    back = read_report(path)
    assert back.rendering == "cells_csv"
    assert back.cells == original.cells  # value, raw, status, source, keys and unit of all cells
    assert (back.agency, back.year, back.format_version) == (original.agency, original.year, original.format_version)
    assert back.notes == []


HAND_KEYED = """table,subtable,row,column,value
三,,一、本年新收政府信息公开申请数量,自然人,１２
三,,一、本年新收政府信息公开申请数量,法人或其他组织/商业企业,—
三,,一、本年新收政府信息公开申请数量,总计,12
表三,,二、上年结转政府信息公开申请数量,自然人,/
三,,二、上年结转政府信息公开申请数量,总计,
三,,（一）予以公卡,商业企业,3
三,,（九）没有这一行,自然人,4
四,,,行政复议/总计,２
二,第二十条第（五）项,行政许可,本年处理决定数量,747
"""


def test_hand_keyed_csv_loads_like_the_printed_table(tmp_path):
    path = tmp_path / "keyed.csv"
    path.write_text(HAND_KEYED, encoding="utf-8")
    report = read_report(path, year=2023, agency="某县商务局")
    assert (report.year, report.agency, report.format_version) == (2023, "某县商务局", "2021")
    cell = report.cell("t3", "new_received", "natural_person")
    assert (cell.value, cell.raw, cell.status, cell.source) == (12, "１２", "number", "第2行")
    assert report.cell("t3", "new_received", "commercial").status == "na"
    assert report.cell("t3", "carried_over", "natural_person").status == "na"
    assert report.cell("t3", "carried_over", "total").status == "blank"
    assert report.value("t3", "granted", "commercial") == 3  # typo'd label, read with a note
    assert report.value("t4", "cases", "rv_total") == 2
    assert report.value("t2_art20_5", "admin_licensing", "decisions") == 747
    assert report.cell("t3", "granted", "total").status == "missing"  # not keyed: missing, not zero
    notes = {n.kind: n for n in report.notes}
    assert "（一）予以公卡" in notes["label_typo"].message and notes["label_typo"].where == "第7行"
    assert "（九）没有这一行" in notes["unknown_label"].message and notes["unknown_label"].where == "第8行"


def test_csv_without_the_key_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("table,subtable,row,column\n三,,一、本年新收政府信息公开申请数量,自然人\n", encoding="utf-8")
    with pytest.raises(ReadError, match="bad.csv.*value"):
        read_report(path)

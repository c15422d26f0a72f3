"""Tables as JSON: KIRO API dumps (text lost to '?', numbers intact), the mis-decoded broken dump,
and the project's own `xxgk parse --json` read back."""

from __future__ import annotations

import json

import pytest

from conftest import REAL, SEED
from xxgk.layouts import load_layout
from xxgk.read import ReadError, read_report

JINHU = REAL / "kiro_jinhu_county_2023_llm_parsed_report33.json"
BROKEN = REAL / "kiro_jinhu_county_2023_llm_parsed_mojibake_broken.json"
REPORT29 = REAL / "kiro_unknown_agency_2023_html_llm_parsed_report29.json"
ALL_CELLS = {(t.id, r.key, c.key) for t in load_layout("2021").tables for r in t.data_rows for c in t.columns}


def _raw_tables(path):
    sections = json.loads(path.read_text(encoding="utf-8-sig"))["active_version"]["parsed_json"]["sections"]
    return {s["type"]: s for s in sections}


def test_kiro_dump_fills_every_official_cell():
    report = read_report(JINHU)
    assert report.rendering == "json_tables" and report.format_version == "2021" and report.year == 2023
    assert {(c.table_id, c.row_key, c.column_key) for c in report.cells} == ALL_CELLS
    assert all(c.status == "number" for c in report.cells)
    raw = _raw_tables(JINHU)
    t3 = raw["table_3"]["tableData"]
    assert report.value("t3", "new_received", "natural_person") == t3["naturalPerson"]["newReceived"] == 140
    assert report.value("t3", "new_received", "total") == 143
    assert report.value("t3", "unable_not_held", "total") == t3["total"]["results"]["unableToProvide"]["noInfo"] == 46
    assert report.value("t3", "other_no_correction", "natural_person") == 17
    assert report.value("t2_art20_8", "admin_fees", "fee_amount") == 14722.49
    assert report.value("t2_art20_1", "normative_documents", "repealed") == 6


def test_kiro_table_four_is_kept_as_printed():
    """litigationDirect: 2 + 0 + 1 + 0 = 3 but total 0 - the reader keeps the printed 0 for the rules."""
    report = read_report(JINHU)
    direct = [report.value("t4", "cases", k) for k in ("ld_maintained", "ld_corrected", "ld_other", "ld_pending", "ld_total")]
    assert direct == [2, 0, 1, 0, 0]
    assert report.cell("t4", "cases", "ld_total").source == "字段 table_4.reviewLitigationData.litigationDirect.total"
    assert [report.value("t4", "cases", k) for k in ("rv_maintained", "rv_other", "rv_total")] == [1, 6, 7]


def test_text_lost_to_question_marks_is_said_not_read():
    report = read_report(REPORT29)
    assert report.agency is None and report.sections == []
    assert any(n.kind == "text_lost" and "?" in n.message for n in report.notes)
    assert report.value("t2_art20_5", "admin_licensing", "decisions") == 747
    assert report.value("t4", "cases", "rv_total") == 3
    assert report.value("t4", "cases", "la_total") == 1


def test_mojibake_file_is_repaired_partially_and_says_so():
    report = read_report(BROKEN)
    kinds = {n.kind: n.message for n in report.notes}
    assert "乱码" in kinds["mojibake"] and str(BROKEN) in kinds["mojibake"]
    assert "第 1812 个字符" in kinds["broken_json"] and str(BROKEN) in kinds["broken_json"]
    # the tables are plain ASCII inside the broken file: the same numbers as the intact dump
    intact = read_report(JINHU)
    assert [(c.row_key, c.column_key, c.value) for c in report.cells] == [
        (c.row_key, c.column_key, c.value) for c in intact.cells]
    assert report.year is None  # the broken dump has no year field and its text is unreadable


def test_json_that_is_not_a_report_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": [1, 2, 3]}', encoding="utf-8")
    with pytest.raises(ReadError, match="other.json"):
        read_report(path)
    broken = tmp_path / "broken.json"
    broken.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(ReadError, match="broken.json.*第 11 个字符"):
        read_report(broken)


def test_own_json_round_trip(tmp_path):
    original = read_report(SEED, agency="某县商务局")
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(original.to_json(), ensure_ascii=False), encoding="utf-8")
    back = read_report(path)
    assert back.cells == original.cells
    assert (back.agency, back.year, back.format_version) == ("某县商务局", 2021, "2019")
    assert [s.number for s in back.sections] == [s.number for s in original.sections]
    assert [(n.kind, n.message) for n in back.notes] == [(n.kind, n.message) for n in original.notes]


def test_own_json_round_trip_keeps_uncertain_and_blank_cells(tmp_path):
    original = read_report(REAL / "kiro_shanghai_gov_office_2025_source.md")
    assert {c.status for c in original.cells} == {"number", "uncertain"}
    path = tmp_path / "office.json"
    path.write_text(json.dumps(original.to_json(), ensure_ascii=False), encoding="utf-8")
    assert read_report(path).cells == original.cells

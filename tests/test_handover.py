"""The files reviewers hand over, made from real review summaries of the sample county and opened the
way their readers open them: openpyxl and pandas for the workbook, python-docx for the notices, the csv
module for the Excel CSVs (BOM, Chinese headers)."""

from __future__ import annotations

import csv
import io
import json
import os

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from xxgk import registry

from xxgk.batch import handover

from xxgk.batch import overview
from xxgk.batch.summaries import Summaries

from xxgk.review import review
from xxgk.config import DATA_DIR

AGENCIES = ("qh-commerce", "qh-hefeng", "qh-gov-office")  # the seed (2019 layout), a township, an office
YEAR = 2021
FORMULA = "=HYPERLINK(\"http://x\",\"点我\")"


@pytest.fixture(scope="module")
def handed(tmp_path_factory):
    out = tmp_path_factory.mktemp("handover")
    for agency_id in AGENCIES:
        review.load(agency_id, YEAR, data_dir=DATA_DIR, output_dir=out).write_summary()
    out_year = out / str(YEAR)
    # a finding whose text a spreadsheet would run: it must arrive as text
    planted = json.loads((out_year / "qh-hefeng.json").read_text(encoding="utf-8"))
    first = json.loads((out_year / "qh-commerce.json").read_text(encoding="utf-8"))["findings"][0]
    planted["findings"].append({**first, "message": FORMULA})
    (out_year / "qh-hefeng.json").write_text(json.dumps(planted, ensure_ascii=False), encoding="utf-8")
    current = Summaries(out_year, AGENCIES)
    agencies = registry.load_agencies(DATA_DIR / "agencies.csv")
    handover.write_cells(out_year, overview.cell_records(out_year, current))
    handover.write_year(out_year, YEAR, agencies, current, DATA_DIR)
    return out_year, current, agencies


def _csv_rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Chinese Windows reads UTF-8 only with the BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_findings_csv_has_chinese_headers_and_one_row_per_finding(handed):
    out_year, current, _ = handed
    rows = _csv_rows(out_year / "findings.csv")
    assert len(rows) == sum(len(s["findings"]) for s in current.values())
    assert list(rows[0])[:6] == ["序号", "机关编号", "机关", "年度", "类别", "问题"]
    assert all(r["依据"] and r["严重程度"] in ("错误", "警告", "提示") for r in rows)
    # evidence is words and places, not JSON
    assert not any(r["原文位置"].startswith(("[", "{")) for r in rows)
    assert any("第" in r["原文位置"] for r in rows)
    assert any(r["问题"] == "'" + FORMULA for r in rows)


def test_cells_csv_for_excel(handed):
    out_year, _, _ = handed
    rows = _csv_rows(out_year / "cells.csv")
    assert {r["机关编号"] for r in rows} == set(AGENCIES)
    assert sum(1 for r in rows if r["机关编号"] == "qh-commerce") == 198  # the seed's 2019 layout
    assert {r["状态"] for r in rows} <= {"数字", "空白", "不适用", "文字", "无法确定", "缺失"}


def test_cells_csvs_are_written_record_by_record(tmp_path):
    """A region's cells once went through memory whole at the year's end, as text, its encoding and the Excel
    copy, several times the file's size); written as the records come, the writing holds little more than one."""
    import tracemalloc

    statuses = list(handover.labels()["cell_statuses"])
    records = (["agency_id", "table", "row", "status", "raw"] if i == 0 else
               [f"gen-{i // 200:04d}", "t3", f"第{i % 200}行", statuses[i % len(statuses)], "一百二十三" * 4]
               for i in range(60_000))
    tracemalloc.start()
    try:
        handover.write_cells(tmp_path, records)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    excel = _csv_rows(tmp_path / "cells.csv")
    assert len(excel) == 59_999 and excel[0]["状态"] == handover.labels()["cell_statuses"][statuses[1]]
    written = min(p.stat().st_size for p in (tmp_path / "cells.csv", tmp_path / handover.MACHINE_SUBDIR / "cells.csv"))
    assert written > 4 * 2**20 and peak < written / 10  # the text whole would be one written size at least


def test_workbook_opens_and_matches_findings_csv(handed):
    out_year, _, agencies = handed
    path = out_year / handover.WORKBOOK
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "问题清单"]
    sheet = book["问题清单"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == sheet.dimensions
    assert [c.value for c in sheet[1]] == handover.labels()["sheet_columns"]
    assert sheet.column_dimensions["D"].width == handover.labels()["widths"]["问题"]
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    formula_cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert formula_cells and all(c.data_type == "s" and c.quotePrefix for c in formula_cells)
    frame = pd.read_excel(path, sheet_name="问题清单")
    csv_rows = _csv_rows(out_year / "findings.csv")
    assert len(frame) == len(csv_rows)
    assert list(frame["问题"]) == [r["问题"].removeprefix("'") for r in csv_rows]
    summary = pd.read_excel(path, sheet_name="汇总")
    assert len(summary) == len(agencies)  # every registered agency, reviewed or not
    by_name = summary.set_index("机关")
    assert by_name.loc["青禾示例县商务局", "等级"] in ("A", "B", "C", "D", "无法评分")
    # publications.csv records 禾丰镇's 2021 date and none for the commerce bureau
    assert by_name.loc[agencies.loc["qh-hefeng", "name"], "发布日期"] == "2022-01-25"
    assert by_name.loc["青禾示例县商务局", "发布日期"] == "未登记"
    assert (summary["是否缺报"] == "本年无报告文件").sum() == len(agencies) - len(AGENCIES)


def test_notice_lists_the_agencys_problems(handed):
    out_year, current, _ = handed
    for agency_id in AGENCIES:
        doc = Document(out_year / f"{agency_id}{handover.NOTICE_SUFFIX}")
        text = "\n".join(p.text for p in doc.paragraphs)
        assert text.startswith(handover.labels()["notice"]["title"])
        assert current[agency_id]["agency"] + "：" in text
        problems = [f for f in current[agency_id]["findings"]
                    if f["status"] in ("fail", "uncertain") and not f["waived"]]
        for f in problems:
            assert f["message"] in text
        assert text.count("整改要求：") == len(problems)
        assert "____年____月____日前" in text


def test_leader_page_counts_what_the_reviews_found(handed):
    out_year, current, agencies = handed
    page = (out_year / handover.LEADER_PAGE).read_text(encoding="utf-8")
    assert f"登记机关 {len(agencies)} 个，收到报告 {len(AGENCIES)} 份" in page
    assert "生成日期" in page and "size:A4" in page
    worst = max(current.values(), key=lambda s: s["errors"])
    if worst["errors"]:
        assert f"{worst['agency']}：错误 {worst['errors']} 项" in page


@pytest.mark.slow
def test_leader_page_prints_on_one_a4_sheet_per_region(handed, tmp_path):
    import pdfplumber

    from xxgk.browser import print_pdf

    out_year, _, agencies = handed
    pdf_path = tmp_path / "leader.pdf"
    print_pdf([(out_year / handover.LEADER_PAGE, pdf_path)])
    with pdfplumber.open(pdf_path) as pdf:
        assert len(pdf.pages) == agencies["region"].nunique()
        assert "审查摘要" in (pdf.pages[0].extract_text() or "").replace("\n", "")


def test_year_writes_only_notices_missing_or_older_than_their_summary(tmp_path):
    """A batch's reviews write their notices as they finish; the year's step fills in only what is missing or
    stale, so a notice already made from the current summary is not made again (1,000 of them took minutes)."""
    out_year = tmp_path / str(YEAR)
    for agency_id in AGENCIES:
        review.load(agency_id, YEAR, data_dir=DATA_DIR, output_dir=tmp_path).write_summary()
    fresh, stale, missing = (out_year / f"{a}{handover.NOTICE_SUFFIX}" for a in AGENCIES)
    handover.write_agency(out_year, AGENCIES[0], YEAR)
    fresh.write_bytes(b"made from the current summary")  # newer than its summary: kept as it is
    stale.write_bytes(b"made from an earlier summary")
    summary = out_year / f"{AGENCIES[1]}.json"
    os.utime(stale, ns=(summary.stat().st_mtime_ns - 10**9,) * 2)
    current = Summaries(out_year, AGENCIES)
    agencies = registry.load_agencies(DATA_DIR / "agencies.csv")
    handover.write_year(out_year, YEAR, agencies, current, DATA_DIR)
    assert fresh.read_bytes() == b"made from the current summary"
    for notice, agency_id in ((stale, AGENCIES[1]), (missing, AGENCIES[2])):
        text = "\n".join(p.text for p in Document(notice).paragraphs)
        assert current[agency_id]["agency"] + "：" in text
    # A summary copied in with its old time kept (cp -p, a restore) is newer than the notice all the same.
    copied = out_year / f"{AGENCIES[0]}.json"
    past = copied.stat().st_mtime_ns - 20 * 10**9
    fresh.write_bytes(b"made before the summary was copied in")
    os.utime(fresh, ns=(past + 10**9,) * 2)
    os.utime(copied, ns=(past,) * 2)  # older than the notice by its time; its change time is now
    handover.write_year(out_year, YEAR, agencies, current, DATA_DIR)
    assert current[AGENCIES[0]]["agency"] + "：" in "\n".join(p.text for p in Document(fresh).paragraphs)


def test_leader_page_reads_the_rows_once_and_compares_only_graded_years():
    """Common problems count agencies per rule among the failed, unwaived findings of each region; last year's
    scores count only where that year was graded. The finding rows come as a one-pass iterator."""
    def agency(agency_id, region, score):
        return {"_agency_id": agency_id, "_region": region, "机关": agency_id, "是否缺报": "", "是否逾期": "",
                "等级": "A", "错误": 0, "得分": score}

    def row(agency_id, rule, status="fail", waived=False):
        return {"机关编号": agency_id, "规则": rule, "依据": f"规则{rule}的要求（依据）", "问题": "", "_status": status,
                "_waived": waived}

    summary = [agency("a", "甲县", 90), agency("b", "甲县", 70), agency("c", "乙县", 60)]
    rows = iter([row("a", "X"), row("b", "X"), row("a", "X"), row("a", "Y", waived=True), row("b", "Z", "uncertain"),
                 row("c", "X")])
    previous = {"a": {"score": 80, "grade": "B"}, "b": {"score": 75, "grade": None}, "c": {"score": 50, "grade": "C"}}
    page = handover.leader_html(2024, summary, rows, previous, "2025-02-01")
    first, second = page.split("<section class='page'>")[1:]
    assert "规则X的要求：2 个机关" in first and "规则Y" not in first and "规则Z" not in first
    assert "两年都有评分的 1 个机关：得分上升 1 个、下降 0 个、持平 0 个；平均得分由 80.0 变为 90.0" in first
    assert "规则X的要求：1 个机关" in second and "平均得分由 50.0 变为 60.0" in second

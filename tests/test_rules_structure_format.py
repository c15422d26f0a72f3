"""Structure, format and completeness rules on small reports built for the test."""

from __future__ import annotations

import copy

from rulekit import failed, statuses
from xxgk.model import Note, Report, Section
from xxgk.samples.synth import consistent_report, with_cell

R21 = consistent_report("2021", 2022, seed=2)


def without_section(report, number):
    out = copy.deepcopy(report)
    out.sections = [s for s in out.sections if s.number != number]
    return out


def test_six_sections():
    assert statuses(R21, "C_SIX_SECTIONS") == {"pass"}
    bad = failed(without_section(R21, 6), "C_SIX_SECTIONS")
    assert [f.row for f in bad] == ["六、其他需要报告的事项"]
    swapped = copy.deepcopy(R21)
    swapped.sections[1], swapped.sections[2] = swapped.sections[2], swapped.sections[1]
    assert any("顺序" in f.message for f in failed(swapped, "C_SIX_SECTIONS"))


def test_a_lost_heading_with_its_content_present_is_uncertain():
    report = without_section(R21, 5)
    report.sections[3].text += "\n（二）存在的主要问题：公开目录更新不及时。"
    assert statuses(report, "C_SIX_SECTIONS") == {"uncertain"}


def test_headings_official():
    report = copy.deepcopy(R21)
    report.sections[4].heading, report.sections[4].official = "五、存在的主要问题及改进措施", False
    assert [f.actual for f in failed(report, "C_HEADINGS_OFFICIAL")] == ["五、存在的主要问题及改进措施"]
    assert statuses(R21, "C_HEADINGS_OFFICIAL") == {"pass"}


def test_pre2019_structure():
    old = Report(source_file="t", year=2019, format_version="pre2019",
                 sections=[Section(1, "一、概述", "……", "第3行", None, False)],
                 text="一、概述\n二、主动公开政府信息情况\n三、政府信息依申请公开工作情况\n五、政府信息公开的收费及减免情况")
    assert failed(old, "C_PRE2019_STRUCTURE")
    assert statuses(R21, "C_PRE2019_STRUCTURE") == {"pass"}
    old.year = 2018
    assert statuses(old, "C_PRE2019_STRUCTURE") == {"not_assessable"}
    assert statuses(old, "C_SIX_SECTIONS") == {"not_assessable"}


def test_tables_present_as_data():
    headings_only = copy.deepcopy(R21)
    headings_only.cells = [c for c in headings_only.cells if c.table != "四"]
    bad = failed(headings_only, "C_TABLES_PRESENT")
    assert [f.table for f in bad] == ["四"] and "只有标题" in bad[0].message
    assert statuses(headings_only, "T4_REVIEW_SUM") == {"not_assessable"}
    assert statuses(R21, "C_TABLES_PRESENT") == {"pass"}


def test_format_version_against_year():
    assert statuses(R21, "C_FORMAT_VERSION") == {"pass"}
    wrong = consistent_report("2019", 2020)
    wrong.year = 2021
    bad = failed(wrong, "C_FORMAT_VERSION")
    assert bad and bad[0].expected == "2021" and bad[0].actual == "2019"
    late = consistent_report("2021", 2021)
    late.year = 2020
    assert failed(late, "C_FORMAT_VERSION")


def test_format_citation():
    report = copy.deepcopy(R21)
    report.text += "\n本报告依据国办公开办函〔2019〕60号要求编制。"
    assert failed(report, "C_FORMAT_CITATION")
    report = copy.deepcopy(R21)
    report.text += "\n按照《中华人民共和国政府信息公开工作年度报告格式（试行）》编制。"
    assert failed(report, "C_FORMAT_CITATION")
    assert statuses(R21, "C_FORMAT_CITATION") == {"pass"}
    assert statuses(consistent_report("2019", 2020), "C_FORMAT_CITATION") == {"not_assessable"}


def test_label_deviations_from_reader_notes():
    report = copy.deepcopy(R21)
    report.notes += [
        Note("label_variant", "行标签“规范性文件”按官方标签“行政规范性文件”读取", "第40行",
             axis="row", table="二", row="行政规范性文件", written="规范性文件", official="行政规范性文件"),
        Note("label_typo", "行标签“3、其他”按官方标签“3.其他”读取", "第41行",  # punctuation only: not flagged
             axis="row", table="三", row="3.其他", written="3、其他", official="3.其他"),
        Note("column_label", "表二第二十条（一）项列标题“本年度制发件数”与官方格式不同", "第42行",
             axis="column", table="二", written="本年度制发件数"),
        Note("label_variant", "行标签“规章”出现在说明中", "第43行"),  # no fields: not a label deviation
    ]
    rows = failed(report, "C_ROW_LABELS")
    assert [(f.actual, f.expected) for f in rows] == [("规范性文件", "行政规范性文件")]
    assert rows[0].evidence == [{"where": "第40行", "raw": "规范性文件"}]
    cols = failed(report, "C_COLUMN_LABELS")
    assert len(cols) == 1 and cols[0].actual == ["本年度制发件数"] and cols[0].table == "二"
    assert statuses(R21, "C_ROW_LABELS") == statuses(R21, "C_COLUMN_LABELS") == {"pass"}


def test_blank_zero_and_slash_reported_distinctly():
    report = with_cell(R21, "t3", "granted", "research", "")
    report = with_cell(report, "t3", "partial", "research", "/")
    report = with_cell(report, "t3", "partial", "commercial", "0")
    blank = failed(report, "C_CELLS_BLANK")
    assert [(f.row, f.column) for f in blank] == [("（一）予以公开", "法人或其他组织/科研机构")]
    na = failed(report, "C_CELLS_NA")
    assert [f.row for f in na] == ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] and na[0].actual == ["/"]
    for rule in ("C_CELLS_BLANK", "C_CELLS_NA", "C_CELLS_MISSING", "C_CELLS_UNREADABLE"):
        assert statuses(R21, rule) == {"pass"}, rule


def test_missing_and_unreadable_cells():
    report = copy.deepcopy(R21)
    cell = report.cell("t4", "cases", "la_total")
    cell.status, cell.raw, cell.value = "missing", "", None
    assert failed(report, "C_CELLS_MISSING")
    text = with_cell(R21, "t3", "granted", "total", "若干")
    assert failed(text, "C_CELLS_UNREADABLE")
    unsure = copy.deepcopy(R21)
    c = unsure.cell("t2_art20_5", "admin_licensing", "decisions")
    c.status, c.value = "uncertain", None
    assert statuses(unsure, "C_CELLS_UNREADABLE") == {"uncertain"}  # the reader's doubt, not the report's fault

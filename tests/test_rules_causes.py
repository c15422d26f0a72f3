"""One finding per cause: a blank column, a parent that left out one child."""

from __future__ import annotations

import copy

import pandas as pd

from test_rules_hierarchy_timeliness import AGENCIES, summed
from xxgk.layouts import load_layout
from xxgk.model import flatten
from xxgk.rules import check
from xxgk.samples.synth import consistent_report

T3 = load_layout("2021").table("t3")
ORG = [c.key for c in T3.columns if c.path.startswith("法人或其他组织/")]


def blank_columns(report, keys):
    out = copy.deepcopy(report)
    for c in out.cells:
        if c.table_id == "t3" and c.column_key in keys:
            c.raw, c.value, c.status = "", None, "blank"
    return out


def shown(findings):
    return [f for f in findings if f.status in ("fail", "uncertain")]


def test_blank_columns_are_one_finding_with_what_they_cause_inside():
    report = blank_columns(consistent_report("2021", 2022, seed=5), ORG)
    got = shown(check(report))
    blank = [f for f in got if f.rule == "C_CELLS_BLANK"]
    assert len(blank) == 1, [f.message for f in blank]
    rows = len(T3.data_rows)
    assert blank[0].message == f"表三“法人或其他组织”五列全部空白（{rows}行）"
    assert len(blank[0].evidence) == 5 * rows
    # every arithmetic check the blanks stopped is inside the cause, none of them outside it
    assert not [f for f in got if f.category == "arithmetic"], [f.message for f in got]
    inside = {f.rule for f in blank[0].caused}
    assert {"T3_BALANCE", "T3_ROW_TOTAL", "T3_RESULTS_SUM"} <= inside
    assert all(f.status == "uncertain" for f in blank[0].caused)
    # the folded outcomes are still each rule's outcome
    assert {f.rule for f in flatten(got)} >= inside


def test_one_blank_column_is_named_and_a_real_error_elsewhere_stays_apart():
    report = blank_columns(consistent_report("2021", 2022, seed=5), ORG[:1])
    cell = next(c for c in report.cells if (c.table_id, c.row_key, c.column_key) == ("t3", "granted", "natural_person"))
    cell.value += 1
    cell.raw = str(cell.value)
    got = shown(check(report))
    blank = [f for f in got if f.rule == "C_CELLS_BLANK"]
    assert [f.message for f in blank] == [f"表三“法人或其他组织/商业企业”列全部空白（{len(T3.data_rows)}行）"]
    # the wrong number is its own fact: failed sums on the 自然人 column are not folded
    assert [f for f in got if f.rule == "T3_RESULTS_SUM" and f.status == "fail" and f.column == "自然人"]


def test_scattered_blanks_stay_per_row():
    report = blank_columns(consistent_report("2021", 2022, seed=5), [])
    for c in report.cells:
        if c.table_id == "t3" and c.row_key == "granted" and c.column_key in ORG[:2]:
            c.raw, c.value, c.status = "", None, "blank"
    blank = [f for f in check(report) if f.rule == "C_CELLS_BLANK" and f.status == "fail"]
    assert len(blank) == 1 and blank[0].row == "（一）予以公开" and "2 个单元格空白" in blank[0].message
    assert blank[0].caused  # the row and column sums through those two cells


KIDS = [consistent_report("2021", 2022, agency=n, seed=i) for i, n in enumerate(["某县商务局", "某县民政局", "某县教育局"])]
THREE = pd.concat([AGENCIES, pd.DataFrame([{"agency_id": "edu", "name": "某县教育局", "level": "county",
                                           "region": "某县", "parent": "gov", "sums_children": "false",
                                           "published": ""}])], ignore_index=True)


def hierarchy(findings):
    return [f for f in shown(findings) if f.category == "hierarchy"]


def test_parent_that_left_out_one_child_gives_one_finding():
    parent = summed(KIDS[:2])  # 教育局 left out of the sum
    got = hierarchy(check(parent, agencies=THREE, children=KIDS))
    assert len(got) == 1, [f.message for f in got]
    f = got[0]
    assert f.status == "fail" and "某县教育局" in f.message and "可能漏算" in f.message
    nonzero = [c for c in KIDS[2].cells if c.table in ("三", "四") and c.value]
    assert len(f.caused) == len(nonzero) >= 2
    assert all(ev["where"].startswith("某县教育局：") for ev in f.evidence[1::2])  # the parent's cell, then the child's


def test_a_parent_off_by_one_is_not_called_an_omission():
    parent = summed(KIDS)
    cell = next(c for c in parent.cells if (c.table_id, c.row_key, c.column_key) == ("t3", "granted", "total"))
    cell.value += 1
    cell.raw = str(cell.value)
    got = hierarchy(check(parent, agencies=THREE, children=KIDS))
    assert [(f.row, f.column, f.caused) for f in got] == [("（一）予以公开", "总计", [])]
    assert "漏算" not in got[0].message


def test_a_child_blank_cell_gives_one_uncertain_finding_per_child():
    kids = [blank_columns(KIDS[0], ORG[:1]), *KIDS[1:]]
    got = hierarchy(check(summed(KIDS), agencies=THREE, children=kids))
    assert len(got) == 1 and got[0].status == "uncertain" and "某县商务局该格为空白" in got[0].message
    assert f"{len(T3.data_rows)} 行无法核对汇总" in got[0].message

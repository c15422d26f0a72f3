"""Identities of tables 二, 三 and 四 on small inputs, and the property: any single changed number is found."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulekit import failed, run, statuses
from xxgk.layouts import load_layout
from xxgk.samples.synth import consistent_report, with_cell

R19, R21 = consistent_report("2019", 2020, seed=1), consistent_report("2021", 2022, seed=1)


def bump(report, table_id, row, col, by=1):
    return with_cell(report, table_id, row, col, str(report.value(table_id, row, col) + by))


def test_t3_balance_fails_in_the_column_that_breaks():
    bad = failed(bump(R21, "t3", "carried_forward", "research"), "T3_BALANCE")
    assert [f.column for f in bad] == ["法人或其他组织/科研机构"]
    assert bad[0].difference == -1 and bad[0].evidence
    assert statuses(R21, "T3_BALANCE") == {"pass"}


@pytest.mark.parametrize("report,row", [(R19, "other_handling"), (R21, "other_fee_unpaid")])
def test_t3_results_sum_uses_each_layouts_rows(report, row):
    bad = failed(bump(report, "t3", row, "natural_person"), "T3_RESULTS_SUM")
    assert [f.column for f in bad] == ["自然人"]
    n_rows = 19 if report.format_version == "2019" else 21
    assert f"{n_rows}行" in bad[0].message
    assert statuses(report, "T3_RESULTS_SUM") == {"pass"}


def _other_handling_as_one_row(report):
    """A 2021 table whose （六）其他处理 is filled as one row (the 2019 habit), its sub-rows left out."""
    import copy

    from xxgk.model import Cell

    out = copy.deepcopy(report)
    t3 = load_layout("2021").table("t3")
    subs = [r.key for r in t3.children("other_handling")]
    group = t3.row("other_handling")
    for col in t3.columns:
        total = sum(report.value("t3", k, col.key) for k in subs)
        out.cells.append(Cell("三", None, group.label, col.path, total, str(total), "number", "test", "t3",
                              group.key, col.key))
    for c in out.cells:
        if c.table_id == "t3" and c.row_key in subs:
            c.status, c.value, c.raw = "missing", None, ""
    return out


def test_t3_results_sum_counts_a_group_filled_as_one_row():
    one_row = _other_handling_as_one_row(R21)
    assert statuses(one_row, "T3_RESULTS_SUM") == {"pass"}
    bad = failed(bump(one_row, "t3", "other_handling", "total"), "T3_RESULTS_SUM")
    assert [f.column for f in bad] == ["总计"]


def test_t3_row_total_names_the_row():
    bad = failed(bump(R21, "t3", "granted", "total", by=2), "T3_ROW_TOTAL")
    assert [f.row for f in bad] == ["（一）予以公开"] and bad[0].difference == 2
    assert statuses(R21, "T3_ROW_TOTAL") == {"pass"}


def test_blank_operand_is_uncertain_never_zero():
    report = with_cell(R21, "t3", "new_received", "research", "")
    got = {f.column: f.status for f in run(report, "T3_BALANCE")}
    assert got["法人或其他组织/科研机构"] == "uncertain"
    assert "fail" not in {f.status for f in run(report, "T3_BALANCE")}
    assert {f.status for f in run(report, "T3_ROW_TOTAL") if f.row.startswith("一、")} == {"uncertain"}
    slash = with_cell(R21, "t4", "cases", "rv_pending", "/")
    assert statuses(slash, "T4_REVIEW_SUM") == {"uncertain"}


def test_t3_nonneg_int_and_carry_bound():
    neg = with_cell(R21, "t3", "granted", "commercial", "-1")
    assert [f.column for f in failed(neg, "T3_NONNEG_INT")] == ["法人或其他组织/商业企业"]
    frac = with_cell(R21, "t3", "granted", "commercial", "1.5")
    assert failed(frac, "T3_NONNEG_INT")
    assert statuses(R21, "T3_NONNEG_INT") == {"pass"}
    over = R21.value("t3", "new_received", "other_org") + R21.value("t3", "carried_over", "other_org") + 1
    big = with_cell(R21, "t3", "carried_forward", "other_org", str(over))
    assert [f.column for f in failed(big, "T3_CARRY_BOUND")] == ["法人或其他组织/其他"]
    assert statuses(R21, "T3_CARRY_BOUND") == {"pass"}


@pytest.mark.parametrize("rule,col,group", [
    ("T4_REVIEW_SUM", "rv_corrected", "行政复议"),
    ("T4_LIT_DIRECT_SUM", "ld_other", "行政诉讼/未经复议直接起诉"),
    ("T4_LIT_AFTER_REVIEW_SUM", "la_total", "行政诉讼/复议后起诉"),
])
def test_t4_group_totals(rule, col, group):
    bad = failed(bump(R19, "t4", "cases", col), rule)
    assert [f.column for f in bad] == [group]
    assert statuses(R19, rule) == {"pass"}
    others = {"T4_REVIEW_SUM", "T4_LIT_DIRECT_SUM", "T4_LIT_AFTER_REVIEW_SUM"} - {rule}
    assert all(statuses(bump(R19, "t4", "cases", col), o) == {"pass"} for o in others)


def test_t4_nonneg_int():
    assert failed(with_cell(R21, "t4", "cases", "ld_pending", "-2"), "T4_NONNEG_INT")
    assert statuses(R21, "T4_NONNEG_INT") == {"pass"}


def test_t2_types_allow_signed_change_only():
    signed = with_cell(R19, "t2_art20_5", "admin_licensing", "change", "-3")
    signed = with_cell(signed, "t2_art20_5", "admin_licensing", "prev_year_items", "10")
    assert statuses(signed, "T2_TYPES") == {"pass"}
    neg = with_cell(R19, "t2_art20_5", "admin_licensing", "decisions", "-3")
    assert [f.column for f in failed(neg, "T2_TYPES")] == ["处理决定数量"]
    money = with_cell(R21, "t2_art20_8", "admin_fees", "fee_amount", "12.35")
    assert statuses(money, "T2_TYPES") == {"pass"}
    assert failed(with_cell(R21, "t2_art20_8", "admin_fees", "fee_amount", "-1.5"), "T2_TYPES")


def test_t2_2019_stock_sanity():
    report = with_cell(R19, "t2_art20_6", "admin_penalty", "prev_year_items", "4")
    ok = with_cell(report, "t2_art20_6", "admin_penalty", "change", "-4")
    assert statuses(ok, "T2_2019_ITEMS_NONNEG") == {"pass"}
    bad = failed(with_cell(report, "t2_art20_6", "admin_penalty", "change", "-5"), "T2_2019_ITEMS_NONNEG")
    assert [f.row for f in bad] == ["行政处罚"] and bad[0].actual == -1
    assert statuses(R21, "T2_2019_ITEMS_NONNEG") == {"not_assessable"}


def test_t2_2019_heuristics():
    over = R19.value("t2_art20_1", "normative_documents", "total_published") + 1
    bad = with_cell(R19, "t2_art20_1", "normative_documents", "new_published", str(over))
    assert failed(bad, "T2_2019_PUBLISHED_LE_TOTAL")
    assert statuses(R19, "T2_2019_PUBLISHED_LE_TOTAL") == {"pass"}
    zero = with_cell(with_cell(R19, "t2_art20_9", "central_procurement", "purchase_count", "0"),
                     "t2_art20_9", "central_procurement", "purchase_amount", "12.5")
    assert failed(zero, "T2_2019_PROCUREMENT_PAIR")
    both = with_cell(zero, "t2_art20_9", "central_procurement", "purchase_amount", "0")
    assert statuses(both, "T2_2019_PROCUREMENT_PAIR") == {"pass"}


def test_regulations_only_for_rule_making_bodies():
    county = with_cell(R21, "t2_art20_1", "regulations", "issued", "2")
    assert failed(county, "T2_REGULATIONS_ONLY_RULEMAKERS")
    city = consistent_report("2021", 2022, agency="某市人民政府")
    assert statuses(with_cell(city, "t2_art20_1", "regulations", "issued", "2"),
                    "T2_REGULATIONS_ONLY_RULEMAKERS") == {"pass"}
    assert statuses(R21, "T2_REGULATIONS_ONLY_RULEMAKERS") == {"pass"}


def _identity_cells(version):
    layout = load_layout(version)
    return [(t.id, r.key, c.key) for name in ("三", "四") for t in layout.tables_of(name)
            for r in t.data_rows for c in t.columns]


@settings(max_examples=60, deadline=None)
@given(version=st.sampled_from(["2019", "2021"]), seed=st.integers(0, 50), pick=st.integers(0, 10_000),
       delta=st.integers(1, 40))
def test_any_changed_number_yields_an_arithmetic_finding_naming_it(version, seed, pick, delta):
    report = consistent_report(version, 2020 if version == "2019" else 2022, seed=seed)
    cells = _identity_cells(version)
    table_id, row, col = cells[pick % len(cells)]
    changed = bump(report, table_id, row, col, by=delta)
    cell = changed.cell(table_id, row, col)
    hits = [f for f in failed_all(changed) if f.category == "arithmetic"]
    assert hits, (table_id, row, col)
    assert any(f.row == cell.row or (f.column and cell.column.startswith(f.column)) for f in hits)


def failed_all(report):
    from xxgk.rules import check

    return [f for f in check(report) if f.status == "fail"]

"""Text against tables with scope recognition, sections 五/六, placeholders and years."""

from __future__ import annotations

import copy

from rulekit import failed, run, statuses
from xxgk.samples.synth import consistent_report, with_cell

R21 = consistent_report("2021", 2022, seed=4)


def with_s1(report, text):
    out = copy.deepcopy(report)
    out.sections[0].text = text
    return out


def total(report, row):
    return report.value("t3", row, "total")


def test_text_numbers_agree_with_table_three():
    for rule in ("TT_NEW_RECEIVED", "TT_CARRIED_OVER", "TT_PROCESSED", "TT_CARRIED_FORWARD", "TT_REVIEW", "TT_LITIGATION"):
        assert statuses(R21, rule) == {"pass"}, rule
    wrong = with_s1(R21, f"本年度共收到政府信息公开申请{total(R21, 'new_received') + 5}件。")
    bad = failed(wrong, "TT_NEW_RECEIVED")
    assert bad and bad[0].difference == 5 and bad[0].evidence[0]["raw"].startswith("本年度共收到")


def test_narrower_scope_is_uncertain_not_failed():
    # 洪泽 2024: the text speaks of the district government office only (17) against the district table (95).
    text = f"区政府办全年受理政府信息公开申请{total(R21, 'new_received') + 17}件。"
    got = run(with_s1(R21, text), "TT_NEW_RECEIVED")
    assert [f.status for f in got] == ["uncertain"] and "部分范围" in got[0].message


def test_received_including_carry_over_is_uncertain_unless_stated_apart():
    report = with_cell(R21, "t3", "carried_over", "natural_person", str(R21.value("t3", "carried_over", "natural_person") + 1))
    report = with_cell(report, "t3", "carried_over", "total", str(total(R21, "carried_over") + 1))
    both = total(report, "new_received") + total(report, "carried_over")
    got = run(with_s1(report, f"全年收到政府信息公开申请{both}件，均已按时答复。"), "TT_NEW_RECEIVED")
    assert [f.status for f in got] == ["uncertain"] and "上年结转" in got[0].message
    apart = with_s1(report, f"全年收到政府信息公开申请{both}件，上年结转{total(report, 'carried_over')}件。")
    assert [f.status for f in run(apart, "TT_NEW_RECEIVED")] == ["fail"]


def test_review_and_litigation_counts_and_none_statements():
    rv = R21.value("t4", "cases", "rv_total")
    lit = R21.value("t4", "cases", "ld_total") + R21.value("t4", "cases", "la_total")
    base = copy.deepcopy(R21)
    base.sections[3].text = "见下表。"
    report = with_s1(base, f"共有行政诉讼案件{lit}件、行政复议案件{rv}件。")
    assert statuses(report, "TT_REVIEW") == statuses(report, "TT_LITIGATION") == {"pass"}
    wrong = with_s1(base, f"共有行政诉讼案件{lit + 3}件、行政复议案件{rv}件。")
    assert [f.difference for f in failed(wrong, "TT_LITIGATION")] == [3]
    none = with_cell(base, "t4", "cases", "rv_total", "2")
    assert failed(with_s1(none, "本年度未发生行政复议案件。"), "TT_REVIEW")
    # "no review corrected anything" is not "no review"
    assert statuses(with_s1(none, "全年未发生因依申请公开被行政复议纠错的情况。"), "TT_REVIEW") == {"not_assessable"}


def test_outcome_counts_and_percentages():
    granted, done = total(R21, "granted"), total(R21, "total_processed")
    ok = with_s1(R21, f"其中予以公开{granted}件，占{100 * granted / done:.1f}%。")
    assert statuses(ok, "TT_OUTCOME_SHARES") == {"pass"}
    bad_pct = with_s1(R21, f"其中予以公开{granted}件，占{100 * granted / done + 7:.1f}%。")
    assert failed(bad_pct, "TT_OUTCOME_SHARES")
    bad_count = with_s1(R21, f"其中予以公开{granted + 1}件。")
    assert failed(bad_count, "TT_OUTCOME_SHARES")


def test_section_five_substantive():
    assert statuses(R21, "C_S5_SUBSTANTIVE") == {"pass"}
    for text in ("无", "", "进一步做好政府信息公开工作。"):
        report = copy.deepcopy(R21)
        report.sections[4].text = text
        assert failed(report, "C_S5_SUBSTANTIVE"), text


def test_section_six_fee_statement_and_fee_row():
    assert statuses(R21, "C_S6_FEE_STATEMENT") == {"pass"}
    silent = copy.deepcopy(R21)
    silent.sections[5].text = "我单位没有其他需要报告的事项。"
    assert failed(silent, "C_S6_FEE_STATEMENT")
    assert statuses(consistent_report("2019", 2020), "C_S6_FEE_STATEMENT") == {"not_assessable"}
    unpaid = with_cell(silent, "t3", "other_fee_unpaid", "total", "2")
    assert failed(unpaid, "TT_FEE_ROW_VS_S6")
    assert statuses(with_cell(R21, "t3", "other_fee_unpaid", "total", "2"), "TT_FEE_ROW_VS_S6") == {"pass"}


def test_placeholders():
    assert statuses(R21, "C_NO_PLACEHOLDERS") == {"pass"}
    for residue in ("XX局", "××年××月", "某某单位", "（单位名称）"):
        report = copy.deepcopy(R21)
        report.text += f"\n本报告由{residue}编制。"
        report.sections[5].text += f"本报告由{residue}编制。"
        assert failed(report, "C_NO_PLACEHOLDERS"), residue
    url = copy.deepcopy(R21)
    url.text += "\n电子版见 http://www.example.gov.cn/zfxxgk/ 。"
    assert statuses(url, "C_NO_PLACEHOLDERS") == {"pass"}


def test_wrong_years():
    assert statuses(R21, "C_YEAR_CONSISTENT") == {"pass"}
    last_year = copy.deepcopy(R21)
    last_year.preface = last_year.preface.replace("2022年政府信息公开", "2021年政府信息公开")
    assert failed(last_year, "C_YEAR_CONSISTENT")
    future = copy.deepcopy(R21)
    future.sections[4].text = future.sections[4].text.replace("2023年，我们将", "2022年，我们将")
    assert any("将来" in f.message for f in failed(future, "C_YEAR_CONSISTENT"))


def test_statistical_period():
    assert statuses(R21, "C_STAT_PERIOD") == {"pass"}
    short = copy.deepcopy(R21)
    short.text = short.text.replace("12月31日", "12月21日")
    assert failed(short, "C_STAT_PERIOD")
    none = copy.deepcopy(R21)
    none.text = none.text.replace("统计期限", "")
    assert failed(none, "C_STAT_PERIOD")

"""The findings on a review page agree with its header: every severity badge is a counted failure."""

from __future__ import annotations

import re

import pytest

from conftest import REAL
from xxgk.read import read_report
from xxgk.review.review import Review
from xxgk.rules import check

SHUYANG = REAL / "shuyang_drc_2023.html"


def page(report, findings) -> str:
    review = Review("shuyang-drc", report.year, {"name": report.agency}, SHUYANG, report, findings)
    return review.header() + review.findings_view() + review.tables_view()


def header_count(html: str, name: str) -> int:
    got = re.search(rf"<dt>{name}</dt><dd>(\d+)项</dd>", html)
    return int(got.group(1)) if got else 0


def badges(html: str, name: str) -> int:
    return len(re.findall(rf'<span class="badge(?: st)?">{name}</span>', html))


@pytest.mark.skipif(not SHUYANG.exists(), reason="corpus not present")
def test_shuyang_blank_columns_one_finding_and_badges_match_the_header():
    report = read_report(SHUYANG)
    findings = check(report)
    html = page(report, findings)
    blank = [f for f in findings if f.rule == "C_CELLS_BLANK" and f.status == "fail"]
    assert [f.message for f in blank] == ["表三“法人或其他组织”五列全部空白（25行）"]
    assert len(blank[0].caused) >= 25  # the sums the blanks stopped, listed inside and not again
    assert not [f for f in findings if f.status == "uncertain" and f.category == "arithmetic"]
    for name in ("错误", "警告", "提示", "无法判断"):
        assert badges(html, name) == header_count(html, name), name
    assert f"由此引起的{len(blank[0].caused)}项检查结果（已并入本项，不另计）" in html


def test_uncertain_and_waived_findings_wear_no_severity_badge():
    from xxgk.model import Finding
    from xxgk.samples.synth import consistent_report

    report = consistent_report("2021", 2022)
    findings = [Finding("T3_BALANCE", "arithmetic", "error", "uncertain", "无法核对"),
                Finding("T3_ROW_TOTAL", "arithmetic", "error", "fail", "不等", waived=True, waiver_reason="已核实"),
                Finding("T3_RESULTS_SUM", "arithmetic", "error", "fail", "不等")]
    html = page(report, findings)
    assert header_count(html, "错误") == badges(html, "错误") == 1
    assert header_count(html, "无法判断") == badges(html, "无法判断") == 1
    assert "已豁免（1项）" in html and "原为错误级“不符合”" in html

"""A rule that raises is visible: 规则执行出错 with the rule id, in `xxgk check`, on the review page and in its header."""

from __future__ import annotations

from pathlib import Path

from xxgk.review import views
from xxgk.checking import result_json, result_text
from xxgk.review.review import Review
from xxgk.rules import Registry, catalog, check, load_rules
from xxgk.samples.synth import consistent_report


def crashed_check():
    reg = Registry()
    reg.functions.update(load_rules().functions)
    reg.functions["T3_BALANCE"] = lambda ctx: {}["boom"]
    report = consistent_report("2021", 2021)
    return report, check(report, registry=reg)


def test_check_output_lists_the_rule_error():
    report, findings = crashed_check()
    text = result_text(report, findings)
    assert "! T3_BALANCE  规则执行出错（T3_BALANCE）：KeyError" in text and "1 项规则执行出错" in text
    got = [f for f in result_json(report, findings)["findings"] if f["status"] == "rule_error"]
    assert [f["rule"] for f in got] == ["T3_BALANCE"]


def test_review_header_and_findings_count_the_rule_error():
    report, findings = crashed_check()
    rv = Review("qh-commerce", 2021, {"name": "某县商务局"}, Path("/nowhere/qh-commerce.txt"), report, findings)
    head = str(rv.header())
    assert "<dt>规则执行出错</dt><dd>1项（T3_BALANCE）</dd>" in head
    assert rv.summary()["rule_errors"] == 1
    page = views.findings_html(findings, {k: m.statement for k, m in catalog().items()})
    assert "规则执行出错（1项）" in page and "T3_BALANCE" in page


def test_no_rule_error_no_header_line():
    report = consistent_report("2021", 2021)
    rv = Review("qh-commerce", 2021, {"name": "某县商务局"}, Path("/nowhere/qh-commerce.txt"), report, check(report))
    assert "规则执行出错" not in str(rv.header()) and rv.summary()["rule_errors"] == 0

"""The catalog and the engine: every rule catalogued, implemented, and given an outcome on every report."""

from __future__ import annotations

import pytest

from xxgk.model import Report
from xxgk.rules import CATEGORIES, SEVERITIES, STATUSES, Registry, catalog, check, load_rules
from xxgk.samples.synth import consistent_report


def test_catalog_entries_are_complete():
    cat = catalog()
    assert len(cat) >= 40
    assert {m.category for m in cat.values()} == set(CATEGORIES)
    for m in cat.values():
        assert m.severity in SEVERITIES
        assert m.statement and m.basis
        assert any("\u4e00" <= ch <= "\u9fff" for ch in m.statement)


def test_every_catalogued_rule_has_a_function():
    assert set(load_rules().functions) == set(catalog())


def test_registering_an_unknown_id_is_refused():
    with pytest.raises(KeyError):
        Registry().rule("NO_SUCH_RULE")(lambda ctx: [])


@pytest.mark.parametrize("report", [consistent_report("2019", 2020), Report(source_file="empty")])
def test_every_rule_gets_an_outcome(report):
    findings = check(report)
    assert {f.rule for f in findings} == set(catalog())
    assert {f.status for f in findings} <= set(STATUSES) - {"rule_error"}
    for f in findings:
        meta = catalog()[f.rule]
        assert (f.category, f.severity) == (meta.category, meta.severity)


def test_an_empty_report_is_not_assessable_rather_than_failed_arithmetic():
    findings = check(Report(source_file="empty"))
    arithmetic = {f.status for f in findings if f.category == "arithmetic"}
    assert arithmetic == {"not_assessable"}


def test_a_rule_that_raises_is_a_visible_rule_error():
    reg = Registry()
    reg.functions.update(load_rules().functions)
    reg.functions["T3_BALANCE"] = lambda ctx: 1 / 0
    findings = check(consistent_report("2021", 2021), registry=reg)
    got = [f for f in findings if f.rule == "T3_BALANCE"]
    assert [f.status for f in got] == ["rule_error"]
    assert "规则执行出错" in got[0].message and "T3_BALANCE" in got[0].message and "ZeroDivisionError" in got[0].message
    assert all(f.status != "rule_error" for f in findings if f.rule != "T3_BALANCE")


@pytest.mark.parametrize("version,year", [("2019", 2019), ("2019", 2020), ("2021", 2021), ("2021", 2023)])
@pytest.mark.parametrize("seed", range(3))
def test_consistent_reports_get_no_error_and_no_failure(version, year, seed):
    prev = consistent_report(version if year > 2019 or version == "2021" else "2019", year - 1, seed=seed) \
        if year > 2019 else None
    if prev is not None and year == 2021:
        prev = consistent_report("2019", 2020, seed=seed)
    report = consistent_report(version, year, seed=seed, previous=prev)
    findings = check(report, previous=prev)
    assert [f for f in findings if f.status in ("fail", "uncertain")] == []
    # the text restates the tables and is checked against them
    assert {f.status for f in findings if f.rule == "TT_NEW_RECEIVED"} == {"pass"}

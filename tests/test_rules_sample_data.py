"""The bundled sample county (data/): every listed mistake is found with the listed outcome, and the
agency-years without a mistake get no error-level failure."""

from __future__ import annotations

import csv
from functools import lru_cache

import pandas as pd
import pytest

from xxgk.config import AGENCIES_CSV, DATA_DIR, PUBLICATIONS_CSV, REPORTS_DATA_DIR
from xxgk.model import flatten
from xxgk.read import read_report
from xxgk.registry import load_publications
from xxgk.rules import check

MISTAKES_CSV = DATA_DIR / "sample_mistakes.csv"
pytestmark = pytest.mark.skipif(not MISTAKES_CSV.exists(), reason="sample data not generated")


@lru_cache(maxsize=1)
def checked() -> dict:
    agencies = pd.read_csv(AGENCIES_CSV, dtype=str).fillna("")
    names = dict(zip(agencies.agency_id, agencies.name))
    reports = {(p.stem, int(p.parent.name)): read_report(p, year=int(p.parent.name), agency=names.get(p.stem))
               for p in sorted(REPORTS_DATA_DIR.glob("*/*.*"))}
    publications = load_publications(PUBLICATIONS_CSV)
    out = {}
    for (aid, year), r in reports.items():
        kids = [reports[(k, year)] for k in agencies[agencies.parent == aid].agency_id if (k, year) in reports]
        peers = [x for (a, y), x in reports.items() if y == year and a != aid]
        out[(aid, year)] = check(r, previous=reports.get((aid, year - 1)), peers=peers, agencies=agencies,
                                 children=kids, publications=publications)
    return out


def mistakes() -> list[dict]:
    if not MISTAKES_CSV.exists():
        return []
    with open(MISTAKES_CSV, encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["expected_status"] in ("fail", "uncertain", "not_assessable")]


@pytest.mark.parametrize("m", mistakes(), ids=lambda m: f"{m['agency_id']}-{m['year']}-{m['mistake']}-{m['category']}")
def test_listed_mistake_is_found(m):
    findings = flatten(checked()[(m["agency_id"], int(m["year"]))])  # a consequence may sit inside its cause
    hits = [f for f in findings if f.category == m["category"] and f.status == m["expected_status"]
            and (not m["row"] or m["row"] in _names(f, "row")) and (not m["column"] or m["column"] in _names(f, "column"))]
    assert hits, m["description"]


def _names(f, part: str) -> str:
    """Everything a finding says about its place: the field, the message and the cells of its evidence."""
    return " ".join([getattr(f, part) or "", f.message] + [e.get("cell", "") for e in f.evidence])


def test_no_error_level_failure_where_nothing_was_planted():
    listed = {(m["agency_id"], int(m["year"])) for m in mistakes()}
    for key, findings in checked().items():
        if key not in listed:
            assert not [f.rule for f in findings if f.severity == "error" and f.status == "fail"], key


def test_no_rule_raises_on_the_sample_county():
    """A rule that raises is a rule_error finding (规则执行出错): none on any sample report."""
    crashed = [(key, f.rule, f.message) for key, findings in checked().items() for f in findings
               if f.status == "rule_error"]
    assert crashed == []


def test_late_publication_is_decided_by_the_recorded_date_where_there_is_one():
    """qh-market 2022 is late by the register; qh-gov-office 2021 has no recorded date, only its late 落款."""
    def late(key, rule="C_DEADLINE_DEPARTMENT"):
        return [f for f in checked()[key] if f.rule == rule and f.status == "fail"]

    assert "publications.csv" in late(("qh-market", 2022))[0].message
    assert "落款" in late(("qh-gov-office", 2021))[0].message
    gov = late(("qh-gov", 2021), "C_DEADLINE_GOVERNMENT")[0]  # register and page agree; both shown
    assert {"发布登记表（publications.csv）", "页面所示发布日期", "报告落款日期"} <= \
        {e["where"].split("：")[0] for e in gov.evidence}

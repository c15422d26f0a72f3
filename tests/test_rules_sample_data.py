"""The bundled sample county (data/): every listed mistake is found with the listed outcome, and the
agency-years without a mistake get no error-level failure."""

from __future__ import annotations

import csv
from functools import lru_cache

import pandas as pd
import pytest

from xxgk.config import AGENCIES_CSV, DATA_DIR, REPORTS_DATA_DIR
from xxgk.model import flatten
from xxgk.read import read_report
from xxgk.rules import check

MISTAKES_CSV = DATA_DIR / "sample_mistakes.csv"
pytestmark = pytest.mark.skipif(not MISTAKES_CSV.exists(), reason="sample data not generated")


@lru_cache(maxsize=1)
def checked() -> dict:
    agencies = pd.read_csv(AGENCIES_CSV, dtype=str).fillna("")
    names = dict(zip(agencies.agency_id, agencies.name))
    reports = {(p.stem, int(p.parent.name)): read_report(p, year=int(p.parent.name), agency=names.get(p.stem))
               for p in sorted(REPORTS_DATA_DIR.glob("*/*.*"))}
    out = {}
    for (aid, year), r in reports.items():
        kids = [reports[(k, year)] for k in agencies[agencies.parent == aid].agency_id if (k, year) in reports]
        peers = [x for (a, y), x in reports.items() if y == year and a != aid]
        out[(aid, year)] = check(r, previous=reports.get((aid, year - 1)), peers=peers, agencies=agencies,
                                 children=kids)
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

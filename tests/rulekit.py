"""Small helpers for rule tests: outcomes of one rule on a report."""

from __future__ import annotations

from xxgk.model import Report, flatten
from xxgk.rules import check


def run(report: Report, rule: str, **kw):
    """The findings of one rule, those folded under a cause included."""
    return [f for f in flatten(check(report, **kw)) if f.rule == rule]


def statuses(report: Report, rule: str, **kw) -> set[str]:
    return {f.status for f in run(report, rule, **kw)}


def failed(report: Report, rule: str, **kw):
    return [f for f in run(report, rule, **kw) if f.status == "fail"]

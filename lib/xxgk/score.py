"""A compliance score per report, comparable across agencies because every report faces the same catalog.

    score = max(0, 100 − Σ_rule min(cap[severity], weight[severity] × failed places of the rule))

weight: error 10, warning 3, info 1; cap per rule: error 30, warning 9, info 2. A "place" is one
distinct (table, sub-table, row, column) of a failed finding, so one bad cell counts once per rule and a
systematic error (a whole table wrong) cannot sink the score by itself. Uncertain, not-assessable and
waived findings deduct nothing; `coverage` says what share of the rules could be assessed at all, so a
report scored 100 on few assessable rules is told apart from one that passed everything.
Grade: A ≥ 90, B ≥ 75, C ≥ 60, D below.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from xxgk.model import FAIL, NOT_ASSESSABLE, Finding

WEIGHTS = {"error": 10, "warning": 3, "info": 1}
CAPS = {"error": 30, "warning": 9, "info": 2}
GRADES = ((90, "A"), (75, "B"), (60, "C"), (0, "D"))


@dataclass
class Score:
    score: float
    grade: str
    coverage: float
    deductions: dict[str, float] = field(default_factory=dict)  # rule id -> points taken
    failed: dict[str, int] = field(default_factory=dict)  # severity -> failed rules

    def to_json(self) -> dict:
        return asdict(self)


def score(findings: list[Finding]) -> Score:
    """Severity-weighted score of one report's findings (see the module docstring for the formula)."""
    places: dict[str, set] = defaultdict(set)
    severity: dict[str, str] = {}
    outcomes: dict[str, set] = defaultdict(set)
    for f in findings:
        outcomes[f.rule].add(f.status)
        if f.status == FAIL and not f.waived:
            places[f.rule].add((f.table, f.subtable, f.row, f.column, f.message if not (f.row or f.column) else ""))
            severity[f.rule] = f.severity
    deductions = {r: min(CAPS[severity[r]], WEIGHTS[severity[r]] * len(p)) for r, p in places.items()}
    value = max(0.0, 100.0 - sum(deductions.values()))
    failed: dict[str, int] = defaultdict(int)
    for r in places:
        failed[severity[r]] += 1
    assessable = sum(1 for s in outcomes.values() if s != {NOT_ASSESSABLE})
    coverage = round(assessable / len(outcomes), 3) if outcomes else 0.0
    grade = next(g for floor, g in GRADES if value >= floor)
    return Score(value, grade, coverage, deductions, dict(failed))

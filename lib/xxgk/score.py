"""A compliance score per report, comparable across agencies because every report faces the same catalog.

    score = max(0, 100 − Σ_rule min(cap[severity], weight[severity] × failed places of the rule))

A "place" is one distinct (table, sub-table, row, column) of a failed finding, so one bad cell counts
once per rule and a systematic error (a whole table wrong) cannot sink the score by itself. Uncertain,
not-assessable, waived findings and rule errors deduct nothing.

`coverage` is the share of the catalog's rules that were decided (gave at least one pass or fail,
folded outcomes included); a rule that was only uncertain, not assessable or raised was not decided.
No grade is given — 「无法评分（…）」 — when coverage is below the minimum, for a layout that is not graded
(pre-2019 reports) and for a file that carries tables only (no report text to check). A report with any
failed error-level rule gets at most the capped grade, so a missing statutory section, the wrong layout
or late publication never reads A.

Every parameter (weights, caps, grade floors, the error cap, the minimum coverage, the ungraded layouts)
is data in catalog.yaml's `scoring` document.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from xxgk.model import FAIL, PASS, Finding, Report, flatten


@dataclass
class Score:
    score: float
    grade: str | None  # None: no grade (see `note`)
    coverage: float
    deductions: dict[str, float] = field(default_factory=dict)  # rule id -> points taken
    failed: dict[str, int] = field(default_factory=dict)  # severity -> failed rules
    note: str = ""  # why there is no grade

    @property
    def graded(self) -> bool:
        return self.grade is not None

    def label(self) -> str:
        """How a page states it: 「87分（B），可评估规则 78%」 or 「无法评分（…），可评估规则 8%」."""
        if not self.graded:
            return self.note if "可评估规则" in self.note else f"{self.note}，可评估规则 {self.coverage:.0%}"
        return f"{self.score:g}分（{self.grade}），可评估规则 {self.coverage:.0%}"

    def to_json(self) -> dict:
        return asdict(self)


def tables_only(report: Report | None) -> bool:
    """The file carries table cells and no report text (e.g. another tool's JSON of the tables)."""
    return report is not None and bool(report.cells) and not report.sections and not report.preface.strip()


def score(findings: list[Finding], report: Report | None = None) -> Score:
    """Severity-weighted score of one report's findings (see the module docstring)."""
    from xxgk.rules import scoring

    params = scoring()
    weights, caps = params["weights"], params["caps"]
    places: dict[str, set] = defaultdict(set)
    severity: dict[str, str] = {}
    outcomes: dict[str, set] = defaultdict(set)
    for f in flatten(findings):
        outcomes[f.rule].add(f.status)
    for f in findings:
        if f.status == FAIL and not f.waived:
            places[f.rule].add((f.table, f.subtable, f.row, f.column, f.message if not (f.row or f.column) else ""))
            severity[f.rule] = f.severity
    deductions = {r: min(caps[severity[r]], weights[severity[r]] * len(p)) for r, p in places.items()}
    value = max(0.0, 100.0 - sum(deductions.values()))
    failed: dict[str, int] = defaultdict(int)
    for r in places:
        failed[severity[r]] += 1
    decided = sum(1 for s in outcomes.values() if s & {PASS, FAIL})
    coverage = round(decided / len(outcomes), 3) if outcomes else 0.0
    floors = [(floor, g) for floor, g in params["grades"]]
    grade = next(g for floor, g in floors if value >= floor)
    if failed.get("error") and [g for _, g in floors].index(grade) < [g for _, g in floors].index(params["error_grade_cap"]):
        grade = params["error_grade_cap"]
    note = ""
    if report is not None and report.format_version in params["ungraded_layouts"]:
        note = "无法评分（旧条例时期格式的报告，按现行格式的规则大多无法评估）"
    elif tables_only(report):
        note = "无法评分（文件只有表格数据，没有报告正文，结构和正文类规则无法评估）"
    elif coverage < params["min_coverage"]:
        note = f"无法评分（可评估规则不足：{coverage:.0%}，需至少 {params['min_coverage']:.0%}）"
    return Score(value, None if note else grade, coverage, deductions, dict(failed), note)

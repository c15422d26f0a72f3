"""Analysts' accepted findings (data/waivers.csv): a waived finding stays in the list, marked waived.

Columns: agency (the registry's agency_id; the name is accepted as an alias), year, rule, cell, reason,
who, date. An empty `year` or `cell` (or `*`) matches any;
`cell` otherwise names the finding's place as `表三/（七）总计/自然人` (compared after label normalization).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from xxgk.config import WAIVERS_CSV
from xxgk.layouts import normalize_label
from xxgk.model import PASS, Finding, Report

COLUMNS = ("agency", "year", "rule", "cell", "reason", "who", "date")


@dataclass(frozen=True)
class Waiver:
    agency: str
    year: int | None
    rule: str
    cell: str
    reason: str
    who: str = ""
    date: str = ""

    def by_name(self, report: Report) -> bool:
        """Written with the agency's name (an alias kept for older files) rather than its id."""
        return normalize_label(self.agency) == normalize_label(report.agency or "")

    def matches(self, finding: Finding, report: Report, agency_id: str | None = None) -> bool:
        if finding.rule != self.rule or not (self.agency == agency_id or self.by_name(report)):
            return False
        if self.year is not None and self.year != report.year:
            return False
        return self.cell in ("", "*") or normalize_label(self.cell) == normalize_label(finding.place)


def load_waivers(path: str | Path = WAIVERS_CSV) -> list[Waiver]:
    """Waivers from a CSV file; a missing file means no waivers."""
    path = Path(path)
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        row = {k: (row.get(k) or "").strip() for k in COLUMNS}
        if not row["rule"] or not row["agency"]:
            continue
        year = int(row["year"]) if row["year"].isdigit() else None
        out.append(Waiver(row["agency"], year, row["rule"], row["cell"], row["reason"], row["who"], row["date"]))
    return out


def apply_waivers(findings: list[Finding], report: Report, waivers, agency_id: str | None = None) -> list[Finding]:
    """Mark matching non-pass findings waived (status unchanged); `waivers` is a list or a CSV path.

    A waiver names the agency by its registry id; the agency's name is accepted as an alias, and the
    waiver's reason then says to write the id instead (a name changes, an id does not).
    """
    if isinstance(waivers, (str, Path)):
        waivers = load_waivers(waivers)
    for f in findings:
        if f.status == PASS:
            continue
        for w in waivers:
            if w.matches(f, report, agency_id):
                f.waived = True
                alias = (f"按机关名称“{w.agency}”匹配，请改写为机关编号 {agency_id}"
                         if agency_id and w.agency != agency_id else "")
                f.waiver_reason = "；".join(p for p in (w.reason, w.who, w.date, alias) if p)
                break
    return findings

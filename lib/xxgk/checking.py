"""`xxgk check` and `xxgk rules`: findings of one or more report files, as text or JSON."""

from __future__ import annotations

from xxgk.fmt import SEVERITY_NAMES
from xxgk.layouts import normalize_label
from xxgk.model import FAIL, NOT_ASSESSABLE, PASS, RULE_ERROR, UNCERTAIN, Finding, Report
from xxgk.rules import agency_record, catalog, check
from xxgk.score import score

STATUS_MARKS = {RULE_ERROR: "!", FAIL: "✗", UNCERTAIN: "?", PASS: "✓", NOT_ASSESSABLE: "–"}
SHOWN = (FAIL, UNCERTAIN, RULE_ERROR)


def check_many(reports: list[Report], previous: Report | None = None, waivers=None,
               agencies=None, publications=None) -> list[tuple[Report, list[Finding]]]:
    """Check each report; among the others, the same agency's year−1 is its previous, the same year its
    peers, and those agencies.csv places under it its children."""
    out = []
    for r in reports:
        peers = [p for p in reports if p is not r and p.year == r.year]
        prev = previous or next((p for p in reports if p.year is not None and r.year is not None
                                 and p.year == r.year - 1 and _same_agency(p, r)), None)
        mine = agency_record(r, agencies) or {}
        children = [p for p in peers if mine and str((agency_record(p, agencies) or {}).get("parent") or "")
                    == str(mine.get("agency_id"))]
        out.append((r, check(r, previous=prev, peers=peers, waivers=waivers, agencies=agencies, children=children,
                             publications=publications)))
    return out


def _same_agency(a: Report, b: Report) -> bool:
    return bool(a.agency) and normalize_label(a.agency) == normalize_label(b.agency or "")


def result_json(report: Report, findings: list[Finding], everything: bool = False) -> dict:
    shown = findings if everything else [f for f in findings if f.status in SHOWN]
    return {
        "report": {k: getattr(report, k) for k in ("agency", "year", "format_version", "source_file", "rendering",
                                                   "published")},
        "findings": [f.to_json() for f in shown],
        "score": score(findings, report).to_json(),
    }


def result_text(report: Report, findings: list[Finding], everything: bool = False) -> str:
    s = score(findings, report)
    lines = [f"{report.agency or '（未识别机关）'}  {report.year or '?'}年度  格式 {report.format_version}  "
             f"[{report.source_file}]",
             f"  得分 {s.label()}"]
    shown = findings if everything else [f for f in findings if f.status in SHOWN]
    for severity, name in SEVERITY_NAMES.items():
        group = [f for f in shown if f.severity == severity]
        if not group:
            continue
        lines.append(f"\n{name}（{sum(1 for f in group if f.status == FAIL)} 项不符合，"
                     f"{sum(1 for f in group if f.status == UNCERTAIN)} 项无法判断"
                     + (f"，{n} 项规则执行出错" if (n := sum(1 for f in group if f.status == RULE_ERROR)) else "")
                     + "）")
        for f in sorted(group, key=lambda f: list(STATUS_MARKS).index(f.status)):
            waived = f"  〔已豁免：{f.waiver_reason}〕" if f.waived else ""
            lines.append(f"  {STATUS_MARKS[f.status]} {f.rule}  {f.message}{waived}")
            for ev in f.evidence[:3]:
                lines.append(f"      {ev.get('where', '')}：{ev.get('raw', '')}")
            if f.caused:
                lines.append(f"      由此引起 {len(f.caused)} 项（已并入本项，不另计）："
                             + "、".join(dict.fromkeys(c.rule for c in f.caused)))
    if not shown:
        lines.append("\n  未发现问题")
    return "\n".join(lines)


def catalog_text() -> str:
    lines = []
    for m in catalog().values():
        lines.append(f"{m.id:<32} {m.category:<12} {m.severity:<8} {m.statement}\n{'':<54}依据：{m.basis}")
    return "\n".join(lines)

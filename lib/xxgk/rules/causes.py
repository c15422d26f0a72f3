"""One finding per cause: outcomes that only follow from a cell fact are folded under that fact.

A blank column, a row missing from the print, a symbol in place of a number or a cell the reader could
not split is reported once, by the completeness rules (C_CELLS_*). Every other rule that could not decide
*because of those very cells* says nothing new: its uncertain outcome is moved into the cause's
`caused` list, shown there and counted nowhere else. An outcome that also rests on some other unread
cell stays where it is.

Examples:
    >>> from xxgk.model import Finding
    >>> ev = {"cell": "表三/（七）总计/总计", "where": "第3行", "raw": ""}
    >>> blank = Finding("C_CELLS_BLANK", "completeness", "warning", "fail", "空白", evidence=[ev])
    >>> sums = Finding("T3_RESULTS_SUM", "arithmetic", "error", "uncertain", "无法核对",
    ...                evidence=[ev, {"cell": "表三/（一）予以公开/总计", "where": "第4行", "raw": "3"}])
    >>> [f.rule for f in fold([blank, sums])], [c.rule for c in blank.caused]
    (['C_CELLS_BLANK'], ['T3_RESULTS_SUM'])
"""

from __future__ import annotations

from xxgk.model import FAIL, UNCERTAIN, Finding
from xxgk.values import NUMBER, parse_value

# The rules that state a cell fact; their findings are the causes.
CAUSE_RULES = ("C_CELLS_BLANK", "C_CELLS_NA", "C_CELLS_MISSING", "C_CELLS_UNREADABLE")


def _key(ev: dict) -> tuple:
    return (ev.get("cell") or "", ev.get("where") or "", ev.get("raw") or "")


def _unread(ev: dict) -> bool:
    """An evidence item whose raw text is not a number (blank, symbol, text, a place not found)."""
    return parse_value(ev.get("raw")).status != NUMBER


def fold(findings: list[Finding]) -> list[Finding]:
    """The findings with every uncertain outcome that a cell fact explains moved into that fact's finding."""
    causes = [f for f in findings if f.rule in CAUSE_RULES and f.status in (FAIL, UNCERTAIN)]
    owner: dict[tuple, Finding] = {}
    for cause in causes:
        for ev in cause.evidence:
            owner.setdefault(_key(ev), cause)
    if not owner:
        return findings
    out = []
    for f in findings:
        if f.status != UNCERTAIN or f.rule in CAUSE_RULES or not f.evidence:
            out.append(f)
            continue
        unread = [ev for ev in f.evidence if _key(ev) in owner or _unread(ev)]
        hits = [owner[_key(ev)] for ev in unread if _key(ev) in owner]
        if not unread or len(hits) < len(unread):  # nothing unread, or some unread cell is no cell fact
            out.append(f)
            continue
        main = max(hits, key=hits.count)  # the fact most of its unread cells belong to
        main.caused.append(f)
    return out

"""HTML views of reports and findings: the report's own tables redrawn, offending cells highlighted.

Reports are hostile input: every string that comes from a report, a finding or the registry reaches the
page through a Jinja template (templates/pages/) rendered with autoescaping on, and no template emits a
link, a script or a style attribute built from data. This module only decides what is shown; the markup
is the templates'. The page's CSS lives in the nbconvert template (templates/review/), not in these fragments.
"""

from __future__ import annotations

from itertools import groupby

from xxgk.review.facts import filled_as_one_row
from xxgk.review.pages import render
from xxgk.layouts import Table, load_layout
from xxgk.model import FAIL, UNCERTAIN, Cell, Finding, Report, cell_ref
from xxgk.fmt import FINDING_STATUS_NAMES, SEVERITY_NAMES, number_text
from xxgk.values import BLANK, MISSING, NUMBER

_MAX_EVIDENCE = 6
SHARE_CATEGORIES = ("similarity",)  # findings whose expected/actual numbers are fractions of 1


def _shown(value):
    return number_text(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def header_html(title: str, fields: list[tuple[str, str]]) -> str:
    """The review's title and its key facts as a definition list."""
    return render("review_header.html.j2", title=title, fields=fields)


# -- findings -------------------------------------------------------------------------------------
def _item(f: Finding, statement: str) -> dict:
    """What the finding template shows of one finding: expected/actual as read, the first pieces of evidence."""
    share = f.category in SHARE_CATEGORIES  # a similarity's actual is a share of the text: show it as a percentage
    sides = [(name, f"{v:.0%}" if share and isinstance(v, float) else _shown(v))
             for name, v in (("应为", f.expected), ("实为", f.actual)) if v not in (None, "")]
    return {"f": f, "statement": statement, "sides": sides, "evidence": f.evidence[:_MAX_EVIDENCE]}


def finding_html(f: Finding, statement: str | None = None) -> str:
    """One finding: its badge, message, the rule's statement (from the catalog by default), expected/actual,
    evidence, and the outcomes folded under it.

    Only a counted failure wears its severity (错误/警告/提示); an undecided check reads 无法判断 and a waived
    one 已豁免, so every severity badge on a page is one the header counts.
    """
    if statement is None:
        from xxgk.rules import catalog

        meta = catalog().get(f.rule)
        statement = meta.statement if meta else ""
    return render("finding_one.html.j2", item=_item(f, statement))


def findings_html(findings: list[Finding], statements: dict[str, str]) -> str:
    """Counted failures grouped by severity, then the undecided checks, then the waived ones; passes only counted.

    Each outcome folded under a cause (Finding.caused) is listed inside that cause, never as a finding of its own.
    """
    order = {s: i for i, s in enumerate(SEVERITY_NAMES)}
    active = [f for f in findings if not f.waived]
    groups = []
    failed = sorted((f for f in active if f.status == FAIL), key=lambda f: order.get(f.severity, 9))
    for severity, group in groupby(failed, key=lambda f: f.severity):
        groups.append((SEVERITY_NAMES.get(severity, severity), list(group)))
    others = [f for f in active if f.status not in (FAIL, "pass", "not_assessable")]
    for status in dict.fromkeys(f.status for f in others):
        group = sorted((f for f in others if f.status == status), key=lambda f: order.get(f.severity, 9))
        groups.append((FINDING_STATUS_NAMES.get(status, status), group))
    waived = [f for f in findings if f.waived and f.status != "pass"]
    if waived:
        groups.append(("已豁免", waived))
    return render("findings.html.j2",
                  groups=[(name, [_item(f, statements.get(f.rule, "")) for f in group]) for name, group in groups],
                  passed=sum(1 for f in findings if f.status == "pass"),
                  na=sum(1 for f in findings if f.status == "not_assessable"))


def skipped_html(skipped: list[str]) -> str:
    return render("skipped.html.j2", skipped=skipped)


# -- tables ---------------------------------------------------------------------------------------
def _th(text: str, rowspan: int | None = None, colspan: int | None = None, corner: bool = False) -> dict:
    return {"text": text, "rowspan": rowspan, "colspan": colspan, "corner": corner}


def _header_rows(table: Table, corner: str) -> list[list[dict]]:
    """Multi-level column headers from the layout's header paths (group/label), merged like the print."""
    paths = [[*(c.group.split("/") if c.group else []), c.label] for c in table.columns]  # a label may hold "/"
    depth = max(len(p) for p in paths)
    rows = []
    for level in range(depth):
        cells = [_th(corner, rowspan=depth, corner=True)] if level == 0 else []
        i = 0
        while i < len(paths):
            p = paths[i]
            if len(p) <= level:
                i += 1
                continue
            if level == len(p) - 1:
                span = depth - level
                cells.append(_th(p[level], rowspan=span if span > 1 else None))
                i += 1
                continue
            j = i
            while j < len(paths) and len(paths[j]) > level + 1 and paths[j][: level + 1] == p[: level + 1]:
                j += 1
            cells.append(_th(p[level], colspan=j - i))
            i = j
        rows.append(cells)
    return rows


def _marks(findings: list[Finding]) -> dict[str, list[tuple[int, Finding]]]:
    """Cell key -> the numbered findings it takes part in (failed or uncertain)."""
    out: dict[str, list[tuple[int, Finding]]] = {}
    for n, f in enumerate(findings, 1):
        keys = {ev["cell"] for ev in f.evidence if ev.get("cell")}
        if f.row is not None and f.column is not None and f.table:
            keys.add(cell_ref(f.table, f.row, f.column, f.subtable))
        for k in keys:
            out.setdefault(k, []).append((n, f))
    return out


def _cell(cell: Cell | None, marks: list[tuple[int, Finding]]) -> dict:
    """One table cell as shown: its text, its colour classes, the expected value of a failed check, its marks."""
    if cell is None or cell.status == MISSING:
        text, classes = "缺失", ["missing"]
    elif cell.status == BLANK:
        text, classes = "（空）", ["blank"]
    else:
        text, classes = (cell.raw if cell.status != NUMBER else number_text(cell.value)), [] if cell.status == NUMBER else [cell.status]
    active = [(n, f) for n, f in marks if not f.waived]
    if active:
        classes.append("bad" if any(f.status == FAIL for _, f in active) else "unsure")
    elif marks:
        classes.append("waived")
    direct = [f for _, f in active if f.status == FAIL and f.row is not None and f.column is not None and f.expected is not None]
    return {"text": text, "classes": classes, "title": cell.source if cell is not None else None,
            "expected": direct[0].expected if direct else None, "marks": [n for n, _ in marks]}


def _table(report: Report, table: Table, marks: dict) -> dict:
    corner = table.header_label or table.corner_note or ""
    parents = {r.key: r.parent for r in table.rows}
    merged = {r.key for r in table.rows if r.group and filled_as_one_row(report, table, r)}
    body = []
    for row in table.rows:
        depth, p = 0, row.parent
        while p:
            depth, p = depth + 1, parents.get(p)
        shown = {"label": row.label, "depth": depth, "kind": "cells"}
        if row.parent in merged:  # the report gave the group one row of numbers instead of this sub-row
            shown["kind"] = "merged"
        elif row.group and row.key not in merged:
            shown["kind"] = "group"
        else:
            shown["cells"] = [_cell(report.cell(table.id, row.key, col.key),
                                    marks.get(cell_ref(table.table, row.label, col.path, table.subtable), []))
                              for col in table.columns]
        body.append(shown)
    return {"caption": " ".join(x for x in (f"表{table.table}", table.title, table.subtable) if x),
            "head": _header_rows(table, corner if table.table != "三" else ""), "body": body,
            "width": len(table.columns)}


def _tables_context(report: Report, findings: list[Finding]) -> dict:
    if report.format_version not in ("2019", "2021"):
        return {"drawable": False, "tables": [], "involved": []}
    layout = load_layout(report.format_version)
    involved = [f for f in findings if f.status in (FAIL, UNCERTAIN) and f.table in ("二", "三", "四")]
    marks = _marks(involved)
    tables = [_table(report, t, marks) for t in layout.tables if any(c.table_id == t.id for c in report.cells)]
    return {"drawable": True, "tables": tables, "involved": involved}


def tables_html(report: Report, findings: list[Finding]) -> str:
    """The report's tables 二, 三, 四 in its own layout, with each involved cell marked and numbered."""
    return render("tables.html.j2", **_tables_context(report, findings))


def reading_notes_html(report: Report, limit: int = 12) -> str:
    """What the reader noticed about the file (mojibake repaired, a row too short, digits run together, a
    group filled as one row, a label read as its official form …), in the readers' own Chinese wording,
    under a heading that says they are notes about the file, not findings against the agency."""
    if not report.notes:
        return ""
    return render("reading_notes.html.j2", notes=report.notes[:limit],
                  more=len(report.notes) if len(report.notes) > limit else 0)


# -- rich display in notebooks --------------------------------------------------------------------
def report_html(report: Report) -> str:
    return render("report.html.j2", report=report, **_tables_context(report, []))


def _finding_repr_html(f: Finding) -> str:
    return f"<ul>{finding_html(f)}</ul>"


# The model's rich display in notebooks is attached here, where HTML is made, so the model imports nothing
# above it (imports go read → model → rules → review → batch → cli). Anything that renders a review loads this.
Report._repr_html_ = report_html
Finding._repr_html_ = _finding_repr_html

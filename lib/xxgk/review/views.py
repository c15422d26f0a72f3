"""HTML views of reports and findings: the report's own tables redrawn, offending cells highlighted.

Reports are hostile input: every string that comes from a report, a finding or the registry is
escaped here, and nothing here emits a link, a script or a style attribute built from data.
The page's CSS lives in the nbconvert template (templates/review/), not in these fragments.
"""

from __future__ import annotations

from html import escape
from itertools import groupby

from xxgk.review.facts import filled_as_one_row
from xxgk.layouts import Table, load_layout
from xxgk.model import FAIL, UNCERTAIN, Cell, Finding, Report, cell_ref
from xxgk.fmt import FINDING_STATUS_NAMES, SEVERITY_NAMES, number_text
from xxgk.values import BLANK, MISSING, NUMBER

_MAX_EVIDENCE = 6
SHARE_CATEGORIES = ("similarity",)  # findings whose expected/actual numbers are fractions of 1


def _e(value) -> str:
    return escape("" if value is None else str(value))


def _shown(value) -> str:
    return number_text(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _e(value)


def header_html(title: str, fields: list[tuple[str, str]]) -> str:
    """The review's title and its key facts as a definition list."""
    items = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in fields)
    return f'<header class="review-head"><h1>{_e(title)}</h1><dl class="facts">{items}</dl></header>'


# -- findings -------------------------------------------------------------------------------------
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
    if f.waived:
        classes, badges = "finding waived", '<span class="badge wv">已豁免</span>'
    elif f.status == FAIL:
        classes = f"finding sev-{_e(f.severity)} st-{_e(f.status)}"
        badges = f'<span class="badge">{_e(SEVERITY_NAMES.get(f.severity, f.severity))}</span>'
    else:
        classes = f"finding st-{_e(f.status)}"
        badges = f'<span class="badge st">{_e(FINDING_STATUS_NAMES.get(f.status, f.status))}</span>'
    parts = [f'<li class="{classes}">{badges} <span class="msg">{_e(f.message)}</span>']
    rule = f'<span class="rule">{_e(f.rule)}</span>'
    parts.append(f'<div class="stmt">{rule} {_e(statement)}</div>' if statement else f'<div class="stmt">{rule}</div>')
    share = f.category in SHARE_CATEGORIES  # a similarity's actual is a share of the text: show it as a percentage
    sides = [f"{name} <b>{f'{v:.0%}' if share and isinstance(v, float) else _shown(v)}</b>"
             for name, v in (("应为", f.expected), ("实为", f.actual)) if v not in (None, "")]
    if sides:
        parts.append(f'<div class="ea">{"，".join(sides)}</div>')
    if f.waived:
        was = "不符合" if f.status == FAIL else FINDING_STATUS_NAMES.get(f.status, f.status)
        parts.append(f'<div class="wv-reason">原为{_e(SEVERITY_NAMES.get(f.severity, f.severity))}级“{_e(was)}”；'
                     f"豁免理由：{_e(f.waiver_reason)}</div>")
    if f.evidence:
        items = "".join(
            f"<li>{_e(ev.get('cell') or '')} {_e(ev.get('where') or '')}"
            + (f"：<q>{_e(ev.get('raw'))}</q>" if ev.get("raw") not in (None, "") else "")
            + "</li>"
            for ev in f.evidence[:_MAX_EVIDENCE]
        )
        more = f"<li>……等共{len(f.evidence)}处</li>" if len(f.evidence) > _MAX_EVIDENCE else ""
        parts.append(f'<ul class="ev">{items}{more}</ul>')
    if f.caused:
        items = "".join(f'<li><span class="rule">{_e(c.rule)}</span> {_e(FINDING_STATUS_NAMES.get(c.status, c.status))}：'
                        f"{_e(c.message)}</li>" for c in f.caused)
        parts.append(f'<details class="caused"><summary>由此引起的{len(f.caused)}项检查结果（已并入本项，不另计）'
                     f'</summary><ul>{items}</ul></details>')
    return "".join(parts) + "</li>"


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
    out = []
    for name, group in groups:
        items = "".join(finding_html(f, statements.get(f.rule, "")) for f in group)
        out.append(f'<section class="sev-group"><h3>{_e(name)}（{len(group)}项）</h3><ol class="findings">{items}</ol></section>')
    passed = sum(1 for f in findings if f.status == "pass")
    na = sum(1 for f in findings if f.status == "not_assessable")
    out.append(f'<p class="muted">另有{passed}项检查通过，{na}项因缺少所需表格或材料无法评估。</p>')
    if not groups:
        out.insert(0, "<p>未发现问题。</p>")
    return "".join(out)


def skipped_html(skipped: list[str]) -> str:
    items = "".join(f"<li>{_e(x)}</li>" for x in skipped)
    return f'<p class="muted">以下往年或同地区报告无法读取，未纳入比较：</p><ul class="muted">{items}</ul>'


# -- tables ---------------------------------------------------------------------------------------
def _header_rows(table: Table, corner: str) -> str:
    """Multi-level column headers from the layout's header paths (group/label), merged like the print."""
    paths = [[*(c.group.split("/") if c.group else []), c.label] for c in table.columns]  # a label may hold "/"
    depth = max(len(p) for p in paths)
    rows = []
    for level in range(depth):
        cells = [f'<th rowspan="{depth}" class="corner">{_e(corner)}</th>'] if level == 0 else []
        i = 0
        while i < len(paths):
            p = paths[i]
            if len(p) <= level:
                i += 1
                continue
            if level == len(p) - 1:
                span = depth - level
                cells.append(f'<th rowspan="{span}">{_e(p[level])}</th>' if span > 1 else f"<th>{_e(p[level])}</th>")
                i += 1
                continue
            j = i
            while j < len(paths) and len(paths[j]) > level + 1 and paths[j][: level + 1] == p[: level + 1]:
                j += 1
            cells.append(f'<th colspan="{j - i}">{_e(p[level])}</th>')
            i = j
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(rows)


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


def _cell_html(cell: Cell | None, marks: list[tuple[int, Finding]]) -> str:
    if cell is None or cell.status == MISSING:
        text, classes = "缺失", ["missing"]
    elif cell.status == BLANK:
        text, classes = "（空）", ["blank"]
    else:
        text, classes = _e(cell.raw if cell.status != NUMBER else number_text(cell.value)), [] if cell.status == NUMBER else [cell.status]
    active = [(n, f) for n, f in marks if not f.waived]
    if active:
        classes.append("bad" if any(f.status == FAIL for _, f in active) else "unsure")
    elif marks:
        classes.append("waived")
    notes = ""
    direct = [f for _, f in active if f.status == FAIL and f.row is not None and f.column is not None and f.expected is not None]
    if direct:
        notes += f'<span class="expected">应为 {_shown(direct[0].expected)}</span>'
    if marks:
        notes += "<sup>" + ",".join(str(n) for n, _ in marks) + "</sup>"
    cls = f' class="{" ".join(classes)}"' if classes else ""
    title = f' title="{_e(cell.source)}"' if cell is not None and cell.source else ""
    return f"<td{cls}{title}>{text}{notes}</td>"


def _table_html(report: Report, table: Table, marks: dict) -> str:
    corner = table.header_label or table.corner_note or ""
    head = _header_rows(table, corner if table.table != "三" else "")
    parents = {r.key: r.parent for r in table.rows}
    merged = {r.key for r in table.rows if r.group and filled_as_one_row(report, table, r)}
    body = []
    for row in table.rows:
        depth, p = 0, row.parent
        while p:
            depth, p = depth + 1, parents.get(p)
        label = f'<th class="lv{depth}" scope="row">{_e(row.label)}</th>'
        if row.parent in merged:  # the report gave the group one row of numbers instead of this sub-row
            body.append(f'<tr>{label}<td colspan="{len(table.columns)}" class="muted">未分项填写，见上一行合计</td></tr>')
            continue
        if row.group and row.key not in merged:
            body.append(f'<tr class="grp">{label}<td colspan="{len(table.columns)}"></td></tr>')
            continue
        tds = "".join(
            _cell_html(report.cell(table.id, row.key, col.key), marks.get(cell_ref(table.table, row.label, col.path, table.subtable), []))
            for col in table.columns
        )
        body.append(f"<tr>{label}{tds}</tr>")
    caption = " ".join(x for x in (f"表{table.table}", table.title, table.subtable) if x)
    return f'<div class="tbl"><table><caption>{_e(caption)}</caption><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>'


def tables_html(report: Report, findings: list[Finding]) -> str:
    """The report's tables 二, 三, 四 in its own layout, with each involved cell marked and numbered."""
    if report.format_version not in ("2019", "2021"):
        return "<p>报告未采用2019或2021年度报告格式，无法按官方表格重绘。</p>"
    layout = load_layout(report.format_version)
    involved = [f for f in findings if f.status in (FAIL, UNCERTAIN) and f.table in ("二", "三", "四")]
    marks = _marks(involved)
    out = [
        '<p class="legend"><span class="bad">红色</span>：不符合的检查所涉单元格，“应为”为按规则推算的值；'
        '<span class="unsure">黄色</span>：无法判断；<span class="waived">灰色</span>：已豁免；上标为下方注释编号。</p>'
    ]
    for table in layout.tables:
        if any(c.table_id == table.id for c in report.cells):
            out.append(_table_html(report, table, marks))
    if involved:
        notes = "".join(f"<li>{_e(f.message)}{'（已豁免）' if f.waived else ''}</li>" for f in involved)
        out.append(f'<ol class="table-notes">{notes}</ol>')
    return "".join(out)


def reading_notes_html(report: Report, limit: int = 12) -> str:
    """What the reader noticed about the file (mojibake repaired, a row too short, digits run together, a
    group filled as one row, a label read as its official form …), in the readers' own Chinese wording,
    under a heading that says they are notes about the file, not findings against the agency."""
    if not report.notes:
        return ""
    items = "".join(f"<li>{_e(n.message)}{f'（{_e(n.where)}）' if n.where else ''}</li>" for n in report.notes[:limit])
    more = f"<li>……等共{len(report.notes)}条</li>" if len(report.notes) > limit else ""
    return ('<section class="reading-notes"><h3>读取说明</h3><p class="muted">以下是本工具读取这份文件时注意到的情况'
            '（包括其他工具转换文件时产生的问题），供核对原文之用，不是对该机关的审查意见。</p>'
            f'<ul class="muted">{items}{more}</ul></section>')


# -- rich display in notebooks --------------------------------------------------------------------
def report_html(report: Report) -> str:
    e = _e
    head = (
        f"<b>{e(report.agency or '未识别机关')}</b> {e(report.year or '?')}年度报告 · 格式 {e(report.format_version)}"
        f" · {e(report.rendering)} · {len(report.cells)} 个单元格 · {len(report.notes)} 条读取说明"
    )
    secs = "".join(f"<li>{e(s.heading)}（{s.chars} 字）</li>" for s in report.sections)
    notes = "".join(f"<li>{e(n)}</li>" for n in report.notes[:20])
    more = f"<li>……共{len(report.notes)}条</li>" if len(report.notes) > 20 else ""
    notes_html = f"<details><summary>读取说明</summary><ul>{notes}{more}</ul></details>" if report.notes else ""
    return f"<div lang='zh'><p>{head}</p><ul>{secs}</ul>{tables_html(report, [])}{notes_html}</div>"


def _finding_repr_html(f: Finding) -> str:
    return f"<ul>{finding_html(f)}</ul>"


# The model's rich display in notebooks is attached here, where HTML is made, so the model imports nothing
# above it (imports go read → model → rules → review → batch → cli). Anything that renders a review loads this.
Report._repr_html_ = report_html
Finding._repr_html_ = _finding_repr_html

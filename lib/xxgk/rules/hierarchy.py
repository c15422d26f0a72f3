"""A report that sums its children (agencies.csv `sums_children`): parent = Σ children in tables 三 and 四."""

from __future__ import annotations

from typing import Iterable

from xxgk.layouts import normalize_label
from xxgk.model import FAIL, UNCERTAIN, Finding, Report
from xxgk.rules import Context, agency_record, evidence, index_cells, number, rule

SUMMED_TABLES = ("三", "四")
_TRUE = {"1", "true", "yes", "y", "t", "是"}


def truthy(value) -> bool:
    return str(value).strip().lower() in _TRUE


@rule("H_PARENT_SUMS_CHILDREN")
def parent_sums_children(ctx: Context) -> Iterable[Finding]:
    report = ctx.report
    rec = agency_record(report, ctx.agencies)
    if rec is None:
        return [ctx.not_assessable("机关登记表中没有本机关")]
    if not truthy(rec.get("sums_children")):
        return [ctx.not_assessable("登记表未说明本报告汇总下级机关")]
    if ctx.layout is None or not all(ctx.has_table(t) for t in SUMMED_TABLES):
        return [ctx.not_assessable("本报告缺少表三或表四")]
    kids = [r for r in ctx.agencies if str(r.get("parent") or "") == str(rec.get("agency_id"))]
    if not kids:
        return [ctx.not_assessable("登记表中没有下级机关")]
    by_name = {normalize_label(c.agency or ""): c for c in ctx.children if c.year == report.year}
    found, missing = [], []
    for k in kids:
        child = by_name.get(normalize_label(str(k.get("name") or "")))
        (found if child is not None else missing).append(child if child is not None else k)
    if missing:
        names = "、".join(str(k.get("name")) for k in missing)
        return [ctx.finding(UNCERTAIN, f"缺少 {len(missing)} 个下级机关的{report.year}年度报告（{names}），无法核对汇总",
                            actual=len(found), expected=len(kids))]
    child_cells = [index_cells(c) for c in found]
    out = []
    compared = []  # (key, table, row, column, parent cell, children's cells, difference)
    unsure: dict[tuple[str, str], dict[str, list]] = {}  # (table, why) -> row name -> [columns, cells]
    for table in ctx.layout.tables:
        if table.table not in SUMMED_TABLES:
            continue
        for r in table.data_rows:
            for col in table.columns:
                key = (table.id, r.key, col.key)
                mine, theirs = ctx.cell(*key), [cc.get(key) for cc in child_cells]
                if number(mine) is None or any(number(c) is None for c in theirs):
                    for why, cells in _why_unread(mine, theirs, found):
                        got = unsure.setdefault((table.table, why), {}).setdefault(_row_name(table, r), [[], []])
                        got[0].append(col.path)
                        got[1].extend(cells)
                    continue
                total = sum(number(c) for c in theirs)
                compared.append((table, r, col, mine, theirs, number(mine) - total))
    mismatched = [x for x in compared if x[5] != 0]
    omitted = _omitted_child(compared, found)
    folded = []
    for table, r, col, mine, theirs, diff in mismatched:
        total = number(mine) - diff
        f = ctx.finding(FAIL, f"表{table.table}“{'/'.join(x for x in (_row_name(table, r), col.path) if x)}”：汇总报告填 {number(mine)}，{len(found)} 个下级报告之和为 {total}",
                        table=table.table, row=r.label or None, column=col.path, expected=total,
                        actual=number(mine), difference=diff, evidence=evidence(mine) + _named(found, theirs))
        (folded if omitted is not None and diff == -number(theirs[omitted]) else out).append(f)
    if folded:
        child = found[omitted]
        where = [(x[3], x[4][omitted]) for x in mismatched if x[5] == -number(x[4][omitted])]
        cause = ctx.finding(FAIL, f"汇总报告与 {len(found)} 个下级之和有 {len(folded)} 处不同，差额都恰好等于"
                                  f"{child.agency}所填的数：汇总可能漏算了{child.agency}",
                            table="、".join(dict.fromkeys(f.table for f in folded)),
                            evidence=[ev for mine, theirs in where
                                      for ev in evidence(mine) + _named([child], [theirs])])
        cause.caused = folded
        out.insert(0, cause)
    for (table, why), rows in unsure.items():
        cols = list(dict.fromkeys(c for got in rows.values() for c in got[0]))
        cells = [c for got in rows.values() for c in got[1]]
        if len(rows) == 1:
            message = f"表{table}“{next(iter(rows))}”：{why}，{len(cols)} 列无法核对汇总"
        else:
            names = "；".join(f"{f'“{name}”' if name else ''}{len(got[0])} 列" for name, got in rows.items())
            message = f"表{table}：{why}，{len(rows)} 行无法核对汇总（{names}）"
        out.append(ctx.finding(UNCERTAIN, message,
                               table=table, row=next(iter(rows)) if len(rows) == 1 else None,
                               column="、".join(cols), evidence=cells))
    return out or [ctx.passed(f"表三、表四等于 {len(found)} 个下级机关之和")]


def _omitted_child(compared: list, children: list[Report]) -> int | None:
    """The one child whose every non-zero figure is exactly what the parent lacks (at least 2 cells), if any.

    Then the parent's differences have one plausible cause, that child left out of the sum; a child
    with figures the parent did include, or two children that would both fit, decide nothing.
    """
    fits = []
    for i in range(len(children)):
        nonzero = [(x[4][i], x[5]) for x in compared if number(x[4][i])]
        if len(nonzero) >= 2 and all(diff == -number(cell) for cell, diff in nonzero):
            fits.append(i)
    return fits[0] if len(fits) == 1 else None


def _named(children: list[Report], cells: list) -> list[dict[str, str]]:
    """Evidence from the children's reports, each item saying whose report it is."""
    out = []
    for child, item in zip(children, evidence(*cells)):
        out.append({**item, "where": f"{child.agency or child.source_file}：{item['where']}"})
    return out


def _row_name(table, row) -> str:
    """The row as a reader finds it: under its group label when it has one (（六）其他处理 / 1.…)."""
    parent = next((g for g in table.rows if g.key == row.parent and g.group and g.parent), None)
    return f"{parent.label} / {row.label}" if parent else row.label  # 表四's one row has no label


def _why_unread(mine, theirs, children) -> list[tuple[str, list[dict[str, str]]]]:
    """Why a cell could not be compared, each reason with the evidence it rests on."""
    reasons = []
    if number(mine) is None:
        reasons.append(("汇总报告该格为空白或不是数字" if mine is not None else "汇总报告没有该格", evidence(mine)))
    for cell, child in zip(theirs, children):
        if cell is None:
            reasons.append((f"{child.agency}用{child.format_version}格式，没有相应的行", []))
        elif number(cell) is None:
            reasons.append((f"{child.agency}该格为{'空白' if cell.status == 'blank' else '“' + cell.raw + '”'}",
                            _named([child], [cell])))
    return reasons

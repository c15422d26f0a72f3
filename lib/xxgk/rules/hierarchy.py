"""A report that sums its children (agencies.csv `sums_children`): parent = Σ children in tables 三 and 四."""

from __future__ import annotations

from typing import Iterable

from xxgk.layouts import normalize_label
from xxgk.model import FAIL, UNCERTAIN, Finding
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
    for table in ctx.layout.tables:
        if table.table not in SUMMED_TABLES:
            continue
        for r in table.data_rows:
            for col in table.columns:
                key = (table.id, r.key, col.key)
                mine, theirs = ctx.cell(*key), [cc.get(key) for cc in child_cells]
                place = {"table": table.table, "row": r.label or None, "column": col.path}
                if number(mine) is None or any(number(c) is None for c in theirs):
                    out.append(ctx.finding(UNCERTAIN, f"表{table.table}“{r.label or '数据行'}/{col.path}”：本级或下级有空白，无法核对",
                                           evidence=evidence(mine), **place))
                    continue
                total = sum(number(c) for c in theirs)
                if number(mine) != total:
                    out.append(ctx.finding(FAIL, f"表{table.table}“{r.label or '数据行'}/{col.path}”：本级 {number(mine)}，{len(found)} 个下级之和 {total}",
                                           expected=total, actual=number(mine), difference=number(mine) - total,
                                           evidence=evidence(mine, *theirs), **place))
    return out or [ctx.passed(f"表三、表四等于 {len(found)} 个下级机关之和")]

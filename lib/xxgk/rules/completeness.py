"""Every official cell filled, with blank, 0, '/' and unreadable kept apart (never blank read as 0)."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable

from xxgk.model import FAIL, Finding
from xxgk.model import UNCERTAIN as UNCERTAIN_OUTCOME
from xxgk.rules import Context, evidence, rule
from xxgk.values import BLANK, MISSING, NOT_APPLICABLE, TEXT, UNCERTAIN

_WHAT = {BLANK: "空白", NOT_APPLICABLE: "用符号代替数字", MISSING: "在原文中缺失", TEXT: "不是数字",
         UNCERTAIN: "读取不确定"}


def _by_row(ctx: Context, statuses: tuple[str, ...], rule_text: str, status: str = FAIL) -> list[Finding]:
    if not ctx.report.cells:
        return [ctx.not_assessable("没有读到表格")]
    rows = defaultdict(list)
    for c in ctx.report.cells:
        if c.status in statuses:
            rows[(c.table, c.subtable, c.row)].append(c)
    out = []
    for (table, subtable, row), cells in rows.items():
        cols = "、".join(c.column for c in cells)
        what = "；".join(sorted({_WHAT[c.status] + (f"“{c.raw}”" if c.raw else "") for c in cells}))
        out.append(ctx.finding(status, f"表{table}{subtable or ''}“{row or '数据行'}”行 {len(cells)} 个单元格{what}：{cols}",
                               table=table, subtable=subtable, row=row, column=cols,
                               actual=[c.raw for c in cells], evidence=evidence(*cells)))
    return out or [ctx.passed(rule_text)]


@rule("C_CELLS_BLANK")
def cells_blank(ctx: Context) -> Iterable[Finding]:
    return _by_row(ctx, (BLANK,), "没有空白单元格")


@rule("C_CELLS_NA")
def cells_na(ctx: Context) -> Iterable[Finding]:
    return _by_row(ctx, (NOT_APPLICABLE,), "没有用“/”“—”等符号代替数字")


@rule("C_CELLS_MISSING")
def cells_missing(ctx: Context) -> Iterable[Finding]:
    return _by_row(ctx, (MISSING,), "读到的表格行都有官方规定的全部单元格")


@rule("C_CELLS_UNREADABLE")
def cells_unreadable(ctx: Context) -> Iterable[Finding]:
    """Text in a number cell is the report's fault; a cell the reader could not split is only uncertain."""
    text = _by_row(ctx, (TEXT,), "数据单元格都是可读的数字")
    unsure = [f for f in _by_row(ctx, (UNCERTAIN,), "", status=UNCERTAIN_OUTCOME) if f.status == UNCERTAIN_OUTCOME]
    return ([f for f in text if f.status == FAIL] + unsure) or text

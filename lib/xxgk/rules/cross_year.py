"""Same agency, consecutive years: the carry-over chain of table 三 and stock-flow of table 二.

Table 二 is never compared across layout versions: its columns changed meaning in 2021.
"""

from __future__ import annotations

from typing import Iterable

from xxgk.model import FAIL, UNCERTAIN, Finding
from xxgk.rules import Context, evidence, index_cells, layout_of, number, rule

CARRIED_OVER, CARRIED_FORWARD = "carried_over", "carried_forward"


def _pair(ctx: Context, version: str | None = None) -> Finding | None:
    """Why this report and `previous` cannot be compared, or None when they can."""
    report, prev = ctx.report, ctx.previous
    if prev is None:
        return ctx.not_assessable("没有提供上年报告")
    if report.year is None or prev.year is None or report.year - prev.year != 1:
        return ctx.not_assessable(f"上年报告年度 {prev.year} 与本年 {report.year} 不相邻")
    if layout_of(prev) is None or layout_of(report) is None:
        return ctx.not_assessable(f"上年报告格式为 {prev.format_version}，无对应行可比")
    if version is not None and not (prev.format_version == report.format_version == version):
        return ctx.not_assessable(f"表二口径不同（上年{prev.format_version}格式，本年{report.format_version}格式），不作跨年比较"
                                  if prev.format_version != report.format_version else f"仅适用于{version}格式")
    return None


@rule("X_T3_CARRY_CHAIN")
def carry_chain(ctx: Context) -> Iterable[Finding]:
    if (skip := _pair(ctx)) is not None:
        return [skip]
    prev_cells = index_cells(ctx.previous)
    if not ctx.has_table("三") or not any(k[0] == "t3" for k in prev_cells):
        return [ctx.not_assessable("本年或上年缺少表三")]
    t3 = ctx.layout.table("t3")
    out = []
    for col in t3.columns:
        now = ctx.cell("t3", CARRIED_OVER, col.key)
        before = prev_cells.get(("t3", CARRIED_FORWARD, col.key))
        place = {"table": t3.table, "row": t3.row(CARRIED_OVER).label, "column": col.path}
        ev = evidence(now) + [dict(e, cell=f"上年 {e['cell']}") for e in evidence(before)]
        if number(now) is None or number(before) is None:
            out.append(ctx.finding(UNCERTAIN, f"表三“{col.path}”列：本年上年结转或上年结转下年度不是数字", evidence=ev, **place))
        elif number(now) != number(before):
            out.append(ctx.finding(FAIL, f"表三“{col.path}”列：本年上年结转 {number(now)}，上年结转下年度 {number(before)}",
                                   expected=number(before), actual=number(now), difference=number(now) - number(before),
                                   evidence=ev, **place))
        else:
            out.append(ctx.passed(f"表三“{col.path}”列：上年结转 {number(now)} 与上年报告一致", expected=number(before),
                                  actual=number(now), difference=0, evidence=ev, **place))
    return out


def _stock_rule(ctx: Context, version: str, table_id: str, expr) -> list[Finding]:
    """expr(now, prev) -> (expected, actual, ok, message) for one row, or None when operands are blank."""
    if (skip := _pair(ctx, version)) is not None:
        return [skip]
    prev_cells = index_cells(ctx.previous)
    table = ctx.layout.table(table_id)
    out = []
    for r in table.data_rows:
        def now(col, r=r):
            return ctx.cell(table_id, r.key, col)

        def before(col, r=r):
            return prev_cells.get((table_id, r.key, col))

        place = {"table": table.table, "subtable": table.subtable, "row": r.label}
        got = expr(now, before)
        ev = got.pop("cells")
        if got.get("blank"):
            out.append(ctx.finding(UNCERTAIN, f"表二{table.subtable}“{r.label}”行：有单元格空白或读取不确定，无法与上年核对",
                                   evidence=ev, **place))
            continue
        status_kw = dict(expected=got["expected"], actual=got["actual"], difference=got["actual"] - got["expected"],
                         evidence=ev, **place)
        text = f"表二{table.subtable}“{r.label}”行：{got['message']}"
        out.append(ctx.passed(text, **status_kw) if got["ok"] else ctx.finding(FAIL, text, **status_kw))
    return out


def _values(cells):
    vals = [number(c) for c in cells]
    return None if any(v is None for v in vals) else vals


def _ev(now_cells, prev_cells):
    return evidence(*now_cells) + [dict(e, cell=f"上年 {e['cell']}") for e in evidence(*prev_cells)]


@rule("X_T2_2019_ITEM_CHAIN")
def item_chain(ctx: Context) -> Iterable[Finding]:
    if (skip := _pair(ctx, "2019")) is not None:
        return [skip]
    out = []
    for table in ctx.layout.tables_of("二"):
        if "change" not in [c.key for c in table.columns]:
            continue

        def expr(now, before):
            cells_now, cells_prev = [now("prev_year_items")], [before("prev_year_items"), before("change")]
            vals = _values(cells_now + cells_prev)
            if vals is None:
                return {"blank": True, "cells": _ev(cells_now, cells_prev)}
            expected = vals[1] + vals[2]
            return {"expected": expected, "actual": vals[0], "ok": vals[0] == expected, "cells": _ev(cells_now, cells_prev),
                    "message": f"{table.column('prev_year_items').label} {vals[0]}，上年 {vals[1]} + ({vals[2]}) = {expected}"}

        out += _stock_rule(ctx, "2019", table.id, expr)
    return out


@rule("X_T2_2019_PUBLISHED_STOCK")
def published_stock(ctx: Context) -> Iterable[Finding]:
    def expr(now, before):
        cells_now, cells_prev = [now("total_published"), now("new_published")], [before("total_published")]
        vals = _values(cells_now + cells_prev)
        if vals is None:
            return {"blank": True, "cells": _ev(cells_now, cells_prev)}
        expected = vals[2] + vals[1]
        return {"expected": expected, "actual": vals[0], "ok": vals[0] == expected, "cells": _ev(cells_now, cells_prev),
                "message": f"{ctx.layout.table('t2_art20_1').column('total_published').label} {vals[0]}，"
                           f"上年 {vals[2]} + 本年新公开 {vals[1]} = {expected}"}

    return _stock_rule(ctx, "2019", "t2_art20_1", expr)


@rule("X_T2_2021_VALID_STOCK")
def valid_stock(ctx: Context) -> Iterable[Finding]:
    def expr(now, before):
        cells_now, cells_prev = [now("valid"), now("issued"), now("repealed")], [before("valid")]
        vals = _values(cells_now + cells_prev)
        if vals is None:
            return {"blank": True, "cells": _ev(cells_now, cells_prev)}
        expected = vals[3] + vals[1] - vals[2]
        return {"expected": expected, "actual": vals[0], "ok": vals[0] == expected, "cells": _ev(cells_now, cells_prev),
                "message": f"现行有效 {vals[0]}，上年 {vals[3]} + 制发 {vals[1]} − 废止 {vals[2]} = {expected}"}

    return _stock_rule(ctx, "2021", "t2_art20_1", expr)


@rule("X_T2_2021_REPEAL_BOUND")
def repeal_bound(ctx: Context) -> Iterable[Finding]:
    def expr(now, before):
        cells_now, cells_prev = [now("repealed"), now("issued")], [before("valid")]
        vals = _values(cells_now + cells_prev)
        if vals is None:
            return {"blank": True, "cells": _ev(cells_now, cells_prev)}
        bound = vals[2] + vals[1]
        return {"expected": bound, "actual": vals[0], "ok": vals[0] <= bound, "cells": _ev(cells_now, cells_prev),
                "message": f"废止 {vals[0]}，上年现行有效 {vals[2]} + 本年制发 {vals[1]} = {bound}"}

    return _stock_rule(ctx, "2021", "t2_art20_1", expr)

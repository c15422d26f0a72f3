"""Identities inside tables 二, 三 and 四, driven by the layout (rows, columns, groups), never by typed labels.

A blank, 'not applicable' or unreadable operand makes an identity uncertain; it is never read as 0.
"""

from __future__ import annotations

from typing import Iterable

from xxgk.layouts import Table
from xxgk.model import FAIL, UNCERTAIN, Cell, Finding
from xxgk.values import MISSING
from xxgk.rules import Context, agency_kind, evidence, number, rule

MONEY_TOLERANCE = 0.005


def identity(ctx: Context, lhs: list[Cell | None], rhs: list[Cell | None], *, what: str, table: Table,
             row: str | None = None, column: str | None = None) -> Finding:
    """lhs total == rhs total; `what` names the identity in the message (e.g. 一+二 = （七）总计+四)."""
    cells = [*lhs, *rhs]
    place = {"table": table.table, "subtable": table.subtable, "row": row, "column": column}
    unread = [c for c in cells if number(c) is None]
    if unread:
        names = "、".join(_describe(c) for c in unread[:6] if c is not None)
        absent = sum(1 for c in unread if c is None)
        names += (f"{'；' if names else ''}{absent} 个单元格未读到" if absent else "")
        return ctx.finding(UNCERTAIN, f"{_where(table, row, column)}：{what} 无法核对（{names}）",
                           evidence=evidence(*cells), **place)
    left, right = sum(number(c) for c in lhs), sum(number(c) for c in rhs)
    diff = _round(left - right)
    if abs(diff) <= (MONEY_TOLERANCE if isinstance(diff, float) else 0):
        return ctx.passed(f"{_where(table, row, column)}：{what} 成立（{_round(left)}）", expected=_round(left),
                          actual=_round(right), difference=0, evidence=evidence(*cells), **place)
    return ctx.finding(FAIL, f"{_where(table, row, column)}：{what} 不成立，左边 {_round(left)}，右边 {_round(right)}，相差 {diff}",
                       expected=_round(left), actual=_round(right), difference=diff, evidence=evidence(*cells), **place)


def _round(x):
    return round(x, 4) if isinstance(x, float) else x


def _where(table: Table, row: str | None, column: str | None) -> str:
    parts = [f"表{table.table}", table.subtable, f"“{row}”行" if row else None, f"“{column}”列" if column else None]
    return "".join(p for p in parts if p)


def _describe(c: Cell) -> str:
    shown = {"blank": "空白", "na": f"“{c.raw}”", "missing": "未读到", "uncertain": f"“{c.raw}”读取不确定"}.get(
        c.status, f"“{c.raw}”不是数字")
    return f"{c.row or ''}/{c.column}为{shown}"


def _table(ctx: Context, table_id: str) -> Table | None:
    layout = ctx.layout
    if layout is None:
        return None
    return next((t for t in layout.tables if t.id == table_id), None)


def _missing_table(ctx: Context, name: str) -> Finding | None:
    if ctx.layout is None:
        return ctx.not_assessable("未识别表格格式版本（2019/2021），无法核对")
    if not ctx.has_table(name):
        return ctx.not_assessable(f"未找到表{name}的数据，无法核对")
    return None


def _descendants(table: Table, key: str, ctx: Context | None = None) -> list:
    """Data rows under a group row, at any depth, in layout order.

    With a context, a group that the report filled in as one row of its own (e.g. a single
    （六）其他处理 row in a 2021 table) stands for its missing sub-rows; the reader notes the deviation.
    """
    out = []
    for r in table.rows:
        if r.parent != key:
            continue
        if r.group and ctx is not None and _filled_as_one_row(ctx, table, r):
            out.append(r)
        else:
            out.extend(_descendants(table, r.key, ctx) if r.group else [r])
    return out


def _filled_as_one_row(ctx: Context, table: Table, group) -> bool:
    own = [ctx.cell(table.id, group.key, c.key) for c in table.columns]
    subs = [ctx.cell(table.id, r.key, c.key) for r in _descendants(table, group.key) for c in table.columns]
    return any(c is not None and c.status != MISSING for c in own) and all(
        c is None or c.status == MISSING for c in subs)


def filled_as_one_row(ctx: Context, table: Table) -> list:
    """The group rows of a table that the report filled as one row instead of their sub-rows."""
    return [g for g in table.rows if g.group and _filled_as_one_row(ctx, table, g)]


def rows_as_filled(ctx: Context, table: Table) -> list:
    """The data rows as the report filled them: a group filled as one row replaces its sub-rows, so
    the sub-rows it left out are not counted as unreadable again (C_GROUP_ROW_SPLIT reports it once)."""
    merged = {g.key for g in filled_as_one_row(ctx, table)}
    return [r for r in table.rows if r.key in merged or (not r.group and r.parent not in merged)]


# -- table 三 -------------------------------------------------------------------------------------
T3_TOTAL_ROW = "total_processed"
T3_INCOMING, T3_OUTGOING = ("new_received", "carried_over"), "carried_forward"  # 一 + 二 = 三 + 四
T3_RESULTS = "results"


@rule("T3_BALANCE")
def t3_balance(ctx: Context) -> Iterable[Finding]:
    if (skip := _missing_table(ctx, "三")) is not None:
        return [skip]
    t3 = ctx.layout.table("t3")
    incoming, outgoing = [t3.row(k) for k in T3_INCOMING], t3.row(T3_OUTGOING)
    results = t3.row(T3_TOTAL_ROW)
    what = f"{'+'.join(r.label.split('、')[0] for r in incoming)} = {results.label}+{outgoing.label.split('、')[0]}"
    return [
        identity(ctx, [ctx.cell("t3", r.key, col.key) for r in incoming],
                 [ctx.cell("t3", results.key, col.key), ctx.cell("t3", outgoing.key, col.key)],
                 what=what, table=t3, column=col.path)
        for col in t3.columns
    ]


@rule("T3_RESULTS_SUM")
def t3_results_sum(ctx: Context) -> Iterable[Finding]:
    if (skip := _missing_table(ctx, "三")) is not None:
        return [skip]
    t3 = ctx.layout.table("t3")
    parts = [r for r in _descendants(t3, T3_RESULTS, ctx) if r.key != T3_TOTAL_ROW]
    total = t3.row(T3_TOTAL_ROW)
    return [
        identity(ctx, [ctx.cell("t3", total.key, col.key)], [ctx.cell("t3", r.key, col.key) for r in parts],
                 what=f"{total.label} = 各办理结果之和（{len(parts)}行）", table=t3, column=col.path)
        for col in t3.columns
    ]


@rule("T3_ROW_TOTAL")
def t3_row_total(ctx: Context) -> Iterable[Finding]:
    if (skip := _missing_table(ctx, "三")) is not None:
        return [skip]
    t3 = ctx.layout.table("t3")
    total = t3.total_column()
    parts = [c for c in t3.columns if c != total]
    return [
        identity(ctx, [ctx.cell("t3", r.key, total.key)], [ctx.cell("t3", r.key, c.key) for c in parts],
                 what=f"{total.label} = {len(parts)}类申请人之和", table=t3, row=r.label)
        for r in rows_as_filled(ctx, t3)
    ]


@rule("T3_CARRY_BOUND")
def t3_carry_bound(ctx: Context) -> Iterable[Finding]:
    if (skip := _missing_table(ctx, "三")) is not None:
        return [skip]
    t3 = ctx.layout.table("t3")
    incoming, outgoing = [t3.row(k) for k in T3_INCOMING], t3.row(T3_OUTGOING)
    out = []
    for col in t3.columns:
        ins = [ctx.cell("t3", r.key, col.key) for r in incoming]
        fwd = ctx.cell("t3", outgoing.key, col.key)
        place = {"table": t3.table, "subtable": None, "row": outgoing.label, "column": col.path}
        if any(number(c) is None for c in [*ins, fwd]):
            out.append(ctx.finding(UNCERTAIN, f"表三“{col.path}”列：结转下年度与新收、上年结转有空白，无法比较",
                                   evidence=evidence(*ins, fwd), **place))
            continue
        bound = sum(number(c) for c in ins)
        if number(fwd) > bound:
            out.append(ctx.finding(FAIL, f"表三“{col.path}”列：结转下年度 {number(fwd)} 超过新收与上年结转之和 {bound}",
                                   expected=bound, actual=number(fwd), difference=number(fwd) - bound,
                                   evidence=evidence(*ins, fwd), **place))
    return out


def _nonneg_int(ctx: Context, name: str) -> list[Finding]:
    if (skip := _missing_table(ctx, name)) is not None:
        return [skip]
    out, unread = [], []
    for table in ctx.layout.tables_of(name):
        for r in rows_as_filled(ctx, table):
            for col in table.columns:
                c = ctx.cell(table.id, r.key, col.key)
                v = number(c)
                if v is None:
                    unread.append(c)
                elif v < 0 or not float(v).is_integer():
                    out.append(ctx.finding(FAIL, f"{_where(table, r.label, col.path)}：{c.raw} 不是非负整数",
                                           table=table.table, subtable=table.subtable, row=r.label, column=col.path,
                                           actual=v, evidence=evidence(c)))
    if unread:
        out.append(ctx.finding(UNCERTAIN, f"表{name}有 {len(unread)} 个单元格不是数字，未能判断",
                               table=name, evidence=evidence(*[c for c in unread if c is not None][:10])))
    return out


@rule("T3_NONNEG_INT")
def t3_nonneg_int(ctx: Context) -> Iterable[Finding]:
    return _nonneg_int(ctx, "三")


@rule("T4_NONNEG_INT")
def t4_nonneg_int(ctx: Context) -> Iterable[Finding]:
    return _nonneg_int(ctx, "四")


# -- table 四 -------------------------------------------------------------------------------------
@rule("T4_REVIEW_SUM", "T4_LIT_DIRECT_SUM", "T4_LIT_AFTER_REVIEW_SUM")
def t4_group_sum(ctx: Context) -> Iterable[Finding]:
    """Each rule's 总计 identity belongs to the 表四 column group its catalog parameter names by role."""
    if (skip := _missing_table(ctx, "四")) is not None:
        return [skip]
    t4 = ctx.layout.table("t4")
    group = t4.group(ctx.meta.params["group"])
    total = t4.total_column(group)
    parts = [c for c in t4.group_columns(group) if c != total]
    row = t4.rows[0]
    return [identity(ctx, [ctx.cell("t4", row.key, total.key)], [ctx.cell("t4", row.key, c.key) for c in parts],
                     what=f"{total.label} = {'+'.join(c.label for c in parts)}", table=t4, column=group.path)]


# -- table 二 -------------------------------------------------------------------------------------
@rule("T2_TYPES")
def t2_types(ctx: Context) -> Iterable[Finding]:
    if (skip := _missing_table(ctx, "二")) is not None:
        return [skip]
    out = []
    for table in ctx.layout.tables_of("二"):
        for r in table.data_rows:
            for col in table.columns:
                c = ctx.cell(table.id, r.key, col.key)
                v = number(c)
                if v is None:
                    continue  # blanks are completeness findings; nothing to type-check here
                integral = float(v).is_integer()
                bad = {"int": v < 0 or not integral, "signed_int": not integral, "decimal": v < 0}.get(col.type, False)
                if bad:
                    kind = {"int": "非负整数", "signed_int": "整数", "decimal": "非负数"}[col.type]
                    out.append(ctx.finding(FAIL, f"{_where(table, r.label, col.path)}：{c.raw} 应为{kind}",
                                           table=table.table, subtable=table.subtable, row=r.label, column=col.path,
                                           actual=v, evidence=evidence(c)))
    return out


def _version(ctx: Context, version: str) -> Finding | None:
    if ctx.layout is None or ctx.layout.version != version:
        return ctx.not_assessable(f"仅适用于{version}格式的表二")
    return _missing_table(ctx, "二")


@rule("T2_2019_ITEMS_NONNEG")
def t2_items_nonneg(ctx: Context) -> Iterable[Finding]:
    if (skip := _version(ctx, "2019")) is not None:
        return [skip]
    out = []
    for table in ctx.layout.tables_of("二"):
        keys = [c.key for c in table.columns]
        if "prev_year_items" not in keys or "change" not in keys:
            continue
        for r in table.data_rows:
            prev, change = ctx.cell(table.id, r.key, "prev_year_items"), ctx.cell(table.id, r.key, "change")
            place = {"table": table.table, "subtable": table.subtable, "row": r.label}
            if number(prev) is None or number(change) is None:
                named = "或".join(table.column(k).label for k in ("prev_year_items", "change"))
                out.append(ctx.finding(UNCERTAIN, f"{_where(table, r.label, None)}：{named}不是数字",
                                       evidence=evidence(prev, change), **place))
            elif number(prev) + number(change) < 0:
                now = number(prev) + number(change)
                out.append(ctx.finding(FAIL, f"{_where(table, r.label, None)}：{number(prev)} + ({number(change)}) = {now}，本年项目数为负",
                                       expected=">= 0", actual=now, difference=now, evidence=evidence(prev, change),
                                       **place))
    return out


@rule("T2_2019_PUBLISHED_LE_TOTAL")
def t2_published_le_total(ctx: Context) -> Iterable[Finding]:
    if (skip := _version(ctx, "2019")) is not None:
        return [skip]
    table = ctx.layout.table("t2_art20_1")
    out = []
    for r in table.data_rows:
        new, total = ctx.cell(table.id, r.key, "new_published"), ctx.cell(table.id, r.key, "total_published")
        place = {"table": table.table, "subtable": table.subtable, "row": r.label}
        if number(new) is None or number(total) is None:
            named = "或".join(table.column(k).label for k in ("new_published", "total_published"))
            out.append(ctx.finding(UNCERTAIN, f"{_where(table, r.label, None)}：{named}不是数字",
                                   evidence=evidence(new, total), **place))
        elif number(new) > number(total):
            out.append(ctx.finding(FAIL, f"{_where(table, r.label, None)}：本年新公开 {number(new)} 多于对外公开总数 {number(total)}",
                                   expected=f"<= {number(total)}", actual=number(new),
                                   difference=number(new) - number(total), evidence=evidence(new, total), **place))
    return out


@rule("T2_2019_PROCUREMENT_PAIR")
def t2_procurement_pair(ctx: Context) -> Iterable[Finding]:
    if (skip := _version(ctx, "2019")) is not None:
        return [skip]
    table = ctx.layout.table("t2_art20_9")
    row = table.row("central_procurement")
    count_col, amount_col = table.column("purchase_count"), table.column("purchase_amount")
    count, amount = ctx.cell(table.id, row.key, count_col.key), ctx.cell(table.id, row.key, amount_col.key)
    place = {"table": table.table, "subtable": table.subtable, "row": row.label}
    if number(count) is None or number(amount) is None:
        return [ctx.finding(UNCERTAIN, f"{_where(table, row.label, None)}：{count_col.label}或金额不是数字",
                            evidence=evidence(count, amount), **place)]
    if (number(count) == 0) != (number(amount) == 0):
        return [ctx.finding(FAIL, f"{_where(table, row.label, None)}：{count_col.label} {number(count)} 与{amount_col.label} {number(amount)} 不相称",
                            actual=f"{number(count)} / {number(amount)}", evidence=evidence(count, amount), **place)]
    return []


@rule("T2_REGULATIONS_ONLY_RULEMAKERS")
def t2_regulations_rulemakers(ctx: Context) -> Iterable[Finding]:
    if (skip := _missing_table(ctx, "二")) is not None:
        return [skip]

    kind = agency_kind(ctx)
    if kind is None:
        return [ctx.not_assessable("不知道机关层级，无法判断是否有规章制定权")]
    if kind.get("rulemaker"):
        return [ctx.passed("机关有规章制定权")]
    table = ctx.layout.table("t2_art20_1")
    row = table.row("regulations")
    cells = [ctx.cell(table.id, row.key, c.key) for c in table.columns]
    nonzero = [c for c in cells if number(c)]
    if nonzero:
        return [ctx.finding(FAIL, f"{kind['label']}一般无规章制定权，但表二“{row.label}”行填有数字",
                            table=table.table, subtable=table.subtable, row=row.label, evidence=evidence(*nonzero))]
    return []


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


_NUMERALS = "零一二三四五六七八九十"


def count_zh(n: int) -> str:
    """A small count as written in prose (五列); larger ones as digits."""
    return _NUMERALS[n] if 0 <= n <= 10 else str(n)


def _what(cells) -> str:
    return "；".join(sorted({_WHAT[c.status] + (f"“{c.raw}”" if c.raw else "") for c in cells}))


def _whole_columns(ctx: Context, statuses: tuple[str, ...]) -> dict[tuple, list[str]]:
    """(table, subtable) -> the columns whose every row is in `statuses` (tables of at least 3 rows).

    A column left empty from top to bottom is one fact, not one per row.
    """
    rows: dict[tuple, set] = defaultdict(set)
    columns: dict[tuple, dict[str, list]] = defaultdict(dict)
    for c in ctx.report.cells:
        rows[(c.table, c.subtable)].add(c.row)
        columns[(c.table, c.subtable)].setdefault(c.column, []).append(c)
    out = {}
    for key, cols in columns.items():
        n = len(rows[key])
        whole = [col for col, cells in cols.items()
                 if n >= 3 and len(cells) == n and all(c.status in statuses for c in cells)]
        if whole:
            out[key] = whole
    return out


def _columns_name(key: tuple, whole: list[str], ctx: Context) -> str:
    """“法人或其他组织”五列 when they are all of one header group, else each column named."""
    groups = {col.rsplit("/", 1)[0] if "/" in col else None for col in whole}
    if len(groups) == 1 and None not in groups:
        group = groups.pop()
        in_group = {c.column for c in ctx.report.cells if (c.table, c.subtable) == key
                    and c.column.startswith(group + "/")}
        if len(in_group) == len(whole):
            return f"“{group}”{count_zh(len(whole))}列"
    return "、".join(f"“{col}”" for col in whole) + (f"{count_zh(len(whole))}列" if len(whole) > 1 else "列")


def _by_row(ctx: Context, statuses: tuple[str, ...], rule_text: str, status: str = FAIL) -> list[Finding]:
    if not ctx.report.cells:
        return [ctx.not_assessable("没有读到表格")]
    whole = _whole_columns(ctx, statuses)
    out = []
    columns: dict[tuple, list] = defaultdict(list)
    rows = defaultdict(list)
    for c in ctx.report.cells:
        if c.status not in statuses:
            continue
        if c.column in whole.get((c.table, c.subtable), ()):
            columns[(c.table, c.subtable)].append(c)
        else:
            rows[(c.table, c.subtable, c.row)].append(c)
    for (table, subtable), cells in columns.items():
        n_rows = len({c.row for c in cells})
        cols = whole[(table, subtable)]
        out.append(ctx.finding(status, f"表{table}{subtable or ''}{_columns_name((table, subtable), cols, ctx)}"
                                       f"全部{_what(cells)}（{n_rows}行）",
                               table=table, subtable=subtable, column="、".join(cols), evidence=evidence(*cells)))
    for (table, subtable, row), cells in rows.items():
        cols = "、".join(c.column for c in cells)
        out.append(ctx.finding(status, f"表{table}{subtable or ''}{f'“{row}”行' if row else ''} {len(cells)} 个单元格{_what(cells)}：{cols}",
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

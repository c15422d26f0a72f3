"""Placing the values of a row that has more or fewer cells than its table has columns.

Where the lost (or extra) cells were cannot be seen, so every placement that keeps the values in
order is tried against the row's own identities from the layout (总计 = the sum of its columns). A
value is placed only where every placement that holds puts it; every other cell is uncertain, and a
note lists the placements that remain. Nothing is placed by its count in the row alone.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

from xxgk.layouts import Table
from xxgk.read.digit_runs import row_sums
from xxgk.values import NUMBER, UNCERTAIN, Value

Item = tuple[str, Value, str]  # (raw text, parsed value, where)
_MAX_PLACEMENTS = 50_000
_SHOWN = 2


def place(table: Table, items: list[Item], where: str) -> tuple[list[Item], str]:
    """(one item per column, uncertain where the placement is not unique; a note saying what was done)."""
    n, k = len(table.columns), len(items)
    labels = [c.path for c in table.columns]
    uncertain = ("", Value(None, UNCERTAIN), where)
    count = comb(n, n - k) if k < n else comb(k, k - n)  # counted first: a hostile row must not be enumerated
    placements: list = []
    if count <= _MAX_PLACEMENTS:
        if k < n:
            placements = [_fill(items, gaps, n) for gaps in combinations(range(n), n - k)]
        else:
            placements = [[it for i, it in enumerate(items) if i not in drop] for drop in combinations(range(k), k - n)]
    holding = [p for p in placements if _holds(table, p)]
    out: list[Item] = []
    for j in range(n):
        seen = {id(p[j]) if p[j] is not None else None for p in holding}
        item = holding[0][j] if holding and len(seen) == 1 else None
        out.append(item if item is not None else uncertain)
    verb = f"只读到 {k} 个值，应有 {n} 个" if k < n else f"读到 {k} 个值，多于应有的 {n} 个"
    if not holding:
        why = "任何排法下行内合计关系都不成立" if placements else f"可能的排法有 {count} 种，过多"
        return out, f"{verb}：无法确定各值所在的列（{why}），全部记为不确定"
    if len(holding) == 1:
        return out, f"{verb}：按行内合计关系只有一种排法，据此读取"
    shown = "；".join(_show(p, labels) for p in holding[:_SHOWN])
    more = f"等 {len(holding)} 种" if len(holding) > _SHOWN else f"共 {len(holding)} 种"
    return out, f"{verb}：按行内合计关系有多种排法（{shown}{more}），不能确定的单元格记为不确定"


def _fill(items: list[Item], gaps: tuple[int, ...], n: int) -> list[Item | None]:
    it = iter(items)
    return [None if j in gaps else next(it) for j in range(n)]


def _number(item: Item | None) -> float | None:
    return item[1].value if item is not None and item[1].status == NUMBER else None


def _holds(table: Table, placement: list[Item | None]) -> bool:
    """Every total that can be checked adds up; a lost, blank or unreadable part is some amount ≥ 0."""
    for total, members in row_sums(table):
        t = _number(placement[total])
        if t is None:
            continue
        parts = [_number(placement[m]) for m in members]
        known = sum(p for p in parts if p is not None)
        if None in parts:
            if known > t:
                return False
        elif known != t:
            return False
    return True


def _show(placement: list[Item | None], labels: list[str]) -> str:
    return "、".join(f"{lab}={it[0].strip() or '空'}" for lab, it in zip(labels, placement) if it is not None and it[0].strip())

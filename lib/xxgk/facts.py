"""The numbers a review speaks of, each read from cells of the report (never from its prose).

A Fact is one number with where it came from; a sum over several cells is a number only when every
cell is one, otherwise it says which cell is blank or unreadable. Narrative and charts read Facts,
so both say "unknown" in the same places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xxgk.layouts import Layout, load_layout
from xxgk.model import Cell, Report
from xxgk.values import NUMBER

T3, T4 = "t3", "t4"
TOTAL = "total"
MIN_RATE_BASE = 30  # fewer processed applications than this: a disclosure rate is not compared with others
_NUMBERING = re.compile(r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+\.)")
_TRAILING_NOTE = re.compile(r"（[^（）]*）$")


@dataclass(frozen=True)
class Fact:
    """A number from the report, or None with the reason it is unknown."""

    label: str
    value: float | int | None
    cells: tuple[Cell, ...] = ()
    problem: str = ""  # why value is None: blank / not a number / table missing

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass
class Facts:
    """The key numbers of one report: table 三's flow and outcomes, table 四's cases."""

    year: int | None
    layout: Layout | None
    received: Fact
    carried_over: Fact
    processed: Fact
    carried_forward: Fact
    outcomes: list[Fact] = field(default_factory=list)  # 予以公开 … 其他处理, top-level results
    applicants: list[Fact] = field(default_factory=list)  # the six applicant columns of row 一
    review: dict[str, list[Fact]] = field(default_factory=dict)  # 行政复议 / 直接起诉 / 复议后起诉 -> results + 总计

    @property
    def disclosed(self) -> Fact:
        """予以公开 + 部分公开."""
        return combine("予以公开与部分公开", self.outcomes[:2]) if len(self.outcomes) >= 2 else _unknown("予以公开与部分公开", "表三缺失")

    @property
    def disclosure_rate(self) -> float | None:
        """(予以公开 + 部分公开) / （七）总计, in percent; None when either is unknown or the base is 0."""
        d, base = self.disclosed, self.processed
        if not d.known or not base.known or not base.value:
            return None
        return 100.0 * d.value / base.value


def comparable_rate(rate: float | None, processed: float | None) -> float | None:
    """A disclosure rate fit for ranking against other agencies: None below MIN_RATE_BASE processed."""
    return rate if (processed or 0) >= MIN_RATE_BASE else None


def short_label(label: str) -> str:
    """An official row label without its numbering and trailing note: （二）部分公开（…） -> 部分公开.

    Examples:
        >>> short_label("（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
        '部分公开'
        >>> short_label("一、本年新收政府信息公开申请数量"), short_label("3.危及“三安全一稳定”")
        ('本年新收政府信息公开申请数量', '危及“三安全一稳定”')
    """
    text = _NUMBERING.sub("", label)
    stripped = _TRAILING_NOTE.sub("", text)
    return stripped or text


def _unknown(label: str, problem: str) -> Fact:
    return Fact(label, None, (), problem)


def combine(label: str, facts: list[Fact]) -> Fact:
    """The sum of several facts; unknown if any part is."""
    cells = tuple(c for f in facts for c in f.cells)
    missing = [f for f in facts if not f.known]
    if missing:
        return Fact(label, None, cells, "；".join(f"{f.label}{f.problem}" for f in missing))
    return Fact(label, sum(f.value for f in facts), cells)


def cell_fact(report: Report, table_id: str, row_key: str, column_key: str, label: str) -> Fact:
    cell = report.cell(table_id, row_key, column_key)
    if cell is None:
        return _unknown(label, "未读取到")
    if cell.status == NUMBER:
        return Fact(label, cell.value, (cell,))
    reason = {"blank": "为空", "na": f"填写为“{cell.raw}”", "uncertain": "无法确定", "missing": "缺失"}.get(cell.status, f"不是数字（“{cell.raw}”）")
    return Fact(label, None, (cell,), reason)


def _row_fact(report: Report, layout: Layout, row_key: str, column_key: str = TOTAL) -> Fact:
    table = layout.table(T3)
    row = table.row(row_key)
    label = short_label(row.label)
    if not row.group:
        return cell_fact(report, T3, row_key, column_key, label)
    return combine(label, [cell_fact(report, T3, r.key, column_key, short_label(r.label)) for r in table.children(row_key)])


def facts(report: Report) -> Facts:
    """The key numbers of a report in the 2019 or 2021 layout (all unknown for other layouts)."""
    layout = load_layout(report.format_version) if report.format_version in ("2019", "2021") else None
    if layout is None:
        none = _unknown("", "报告未采用2019或2021格式")
        return Facts(report.year, None, none, none, none, none)
    t3 = layout.table(T3)
    results = [r for r in t3.rows if r.parent == "results" and r.key != "total_processed"]
    applicant_cols = [c for c in t3.columns if c.key != TOTAL]
    t4 = layout.table(T4)
    review: dict[str, list[Fact]] = {}
    for col in t4.columns:
        review.setdefault(col.group or "", []).append(cell_fact(report, T4, "cases", col.key, col.label))
    return Facts(
        year=report.year,
        layout=layout,
        received=_row_fact(report, layout, "new_received"),
        carried_over=_row_fact(report, layout, "carried_over"),
        processed=_row_fact(report, layout, "total_processed"),
        carried_forward=_row_fact(report, layout, "carried_forward"),
        outcomes=[_row_fact(report, layout, r.key) for r in results],
        applicants=[cell_fact(report, T3, "new_received", c.key, c.label) for c in applicant_cols],
        review=review,
    )

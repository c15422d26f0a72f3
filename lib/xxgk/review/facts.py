"""The numbers a review speaks of, each read from cells of the report (never from its prose).

A Fact is one number with where it came from; a sum over several cells is a number only when every
cell is one, otherwise it says which cell is blank or unreadable. Narrative and charts read Facts,
so both say "unknown" in the same places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from xxgk.layouts import Layout, load_layout
from xxgk.layouts import Row, Table
from xxgk.model import Cell, Report
from xxgk.values import BLANK, MISSING, NUMBER

T3, T4 = "t3", "t4"
TOTAL = "total"
DISCLOSED = "予以公开与部分公开"  # how the review names the disclosure rate's numerator
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


@dataclass(frozen=True)
class Total:
    """A printed total and the facts the layout says it is the sum of (表四 总计 = 维持+纠正+其他+尚未审结)."""

    printed: Fact
    parts: tuple[Fact, ...]

    @property
    def parts_sum(self) -> Fact:
        return combine(f"{self.printed.label}各项之和", list(self.parts))

    @property
    def agrees(self) -> bool | None:
        """True/False when both sides are numbers, None when either is unknown."""
        s = self.parts_sum
        if not self.printed.known or not s.known:
            return None
        return self.printed.value == s.value

    @property
    def settled(self) -> Fact:
        """The count the table supports: the printed total when it agrees with its parts (or the parts are
        unknown), the parts' sum when the total is unknown, unknown when the two disagree."""
        if self.agrees is False:
            return Fact(self.printed.label, None, self.printed.cells + self.parts_sum.cells,
                        f"总计栏填{self.printed.value:g}，与各项之和{self.parts_sum.value:g}不符")
        if self.printed.known or not self.parts_sum.known:
            return self.printed
        return Fact(self.printed.label, self.parts_sum.value, self.parts_sum.cells)


@dataclass(frozen=True)
class Identity:
    """One printed total cell and the cells it must equal the sum of, as the layout defines it."""

    total: Cell
    parts: tuple[Cell, ...]
    parts_name: str  # how a sentence names the parts: 该行各类申请人 / 各办理结果 / 各项结果


def cell_id(cell: Cell) -> tuple[str, str, str]:
    return (cell.table_id, cell.row_key, cell.column_key)


def is_zero_or_blank(cell: Cell) -> bool:
    return cell.status == BLANK or (cell.status == NUMBER and cell.value == 0)


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
    disclosed_outcomes: list[Fact] = field(default_factory=list)  # the outcomes the layout's role calls disclosed
    applicants: list[Fact] = field(default_factory=list)  # the six applicant columns of row 一
    # row 一 by who applied: the applicant columns outside any group (自然人), and each column group (法人或其他组织)
    applicant_groups: dict[str, Fact] = field(default_factory=dict)
    review: dict[str, list[Fact]] = field(default_factory=dict)  # 表四 group path -> its columns' facts (results, 总计)
    review_totals: dict[str, Total] = field(default_factory=dict)  # 表四 group path -> 总计 against its results
    review_corrected: list[Fact] = field(default_factory=list)  # 表四's 结果纠正 of every group (column role "corrected")
    report: Report | None = None

    @cached_property
    def identities(self) -> list[Identity]:
        """The report's total-equals-parts identities, found once: every sentence and rate asks about them."""
        return identities(self.report) if self.report is not None else []

    def disagreements(self, fact: Fact) -> list[Fact]:
        """For a fact read from one printed total cell: the sum of each set of that total's parts (a 表三
        total has two: its row's columns and its column's rows) that disagrees with it."""
        if len(fact.cells) != 1 or self.report is None:
            return []
        key, out = cell_id(fact.cells[0]), []
        for ident in self.identities:
            if cell_id(ident.total) != key or any(c.status != NUMBER for c in (ident.total, *ident.parts)):
                continue
            total = sum(c.value for c in ident.parts)
            if total != ident.total.value:
                out.append(Fact(ident.parts_name, total, ident.parts))
        return out

    @property
    def processed_total(self) -> Total:
        """（七）总计 as printed against the sum of the outcome rows."""
        return Total(self.processed, tuple(self.outcomes))

    @property
    def received_total(self) -> Total:
        """一、本年新收 总计 as printed against the six applicant columns."""
        return Total(self.received, tuple(self.applicants))

    @property
    def review_results(self) -> list[str]:
        """The results every 表四 group reports (结果维持 … 尚未审结), in the layout's order, its 总计 left out."""
        t4 = self.layout.table(T4)
        group = t4.group("review")
        return [c.label for c in t4.group_columns(group) if c != t4.total_column(group)]

    @property
    def disclosed(self) -> Fact:
        """予以公开 + 部分公开: the outcome rows whose layout role is "disclosed"."""
        return combine(DISCLOSED, self.disclosed_outcomes) if self.disclosed_outcomes else _unknown(DISCLOSED, "表三缺失")

    @cached_property
    def disclosure_rate(self) -> float | None:
        """(予以公开 + 部分公开) / （七）总计, in percent; None when either is unknown, the base is 0 or contested."""
        d, base = self.disclosed, self.processed
        if not d.known or not base.known or not base.value or self.rate_contested:
            return None
        return 100.0 * d.value / base.value

    @cached_property
    def rate_contested(self) -> str | None:
        """Why the table gives no disclosure rate: a count it rests on (（七）总计, 予以公开, 部分公开) is a printed
        total the table itself contradicts, by its rows or its applicant columns (which of the two numbers the
        agency meant, the file does not say)."""
        if self.processed_total.agrees is False:
            return "办结总数与各办理结果之和不符"
        for fact, what in ((self.processed, "办结总数"), *((o, o.label) for o in self.disclosed_outcomes)):
            others = self.disagreements(fact) if fact.known else []
            if others:
                return f"{what}与{others[0].label}之和不符"
        return None


def comparable_rate(rate: float | None, processed: float | None) -> float | None:
    """A disclosure rate fit for ranking against other agencies: None below MIN_RATE_BASE processed, and None
    where the review gave none (a summary's null arrives from pandas as NaN, which compares as a number)."""
    if rate is None or rate != rate:
        return None
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
        if len(missing) == len(facts) > 1 and len({f.problem for f in missing}) == 1:
            return Fact(label, None, cells, f"各项均{missing[0].problem}")
        by_problem: dict[str, list[str]] = {}
        for f in missing:
            by_problem.setdefault(f.problem, []).append(f.label)
        return Fact(label, None, cells, "；".join(f"{'、'.join(names)}{problem}" for problem, names in by_problem.items()))
    return Fact(label, sum(f.value for f in facts), cells)


def cell_fact(report: Report, table_id: str, row_key: str, column_key: str, label: str) -> Fact:
    cell = report.cell(table_id, row_key, column_key)
    if cell is None:
        return _unknown(label, "未读取到")
    if cell.status == NUMBER:
        return Fact(label, cell.value, (cell,))
    reason = {"blank": "为空", "na": f"填写为“{cell.raw}”", "uncertain": "无法确定", "missing": "缺失"}.get(cell.status, f"不是数字（“{cell.raw}”）")
    return Fact(label, None, (cell,), reason)


def filled_as_one_row(report: Report, table: Table, group: Row) -> bool:
    """A group row the report filled with numbers of its own while leaving its sub-rows out
    (洪泽 2023: （六）其他处理 as one row in a 2021 table); the group's own cells then stand for them."""
    own = [report.cell(table.id, group.key, c.key) for c in table.columns]
    subs = [report.cell(table.id, r.key, c.key) for r in table.children(group.key) for c in table.columns]
    return any(c is not None and c.status != MISSING for c in own) and all(
        c is None or c.status == MISSING for c in subs)


def leaf_rows(report: Report, table: Table, group_key: str) -> list[Row]:
    """The rows whose cells make up a group, in layout order; a group filled as one row stands for its sub-rows."""
    out = []
    for r in table.rows:
        if r.parent != group_key:
            continue
        if r.group and not filled_as_one_row(report, table, r):
            out.extend(leaf_rows(report, table, r.key))
        else:
            out.append(r)
    return out


def _row_fact(report: Report, layout: Layout, row_key: str, column_key: str = TOTAL) -> Fact:
    table = layout.table(T3)
    row = table.row(row_key)
    label = short_label(row.label)
    if not row.group or filled_as_one_row(report, table, row):
        return cell_fact(report, T3, row_key, column_key, label)
    return combine(label, [cell_fact(report, T3, r.key, column_key, short_label(r.label))
                           for r in leaf_rows(report, table, row_key)])


def identities(report: Report) -> list[Identity]:
    """Every total-equals-its-parts identity of tables 三 and 四 that the report's cells allow to check:
    表三 总计 column = the applicant columns (each row), （七）总计 = the outcome rows (each column),
    表四 each group's 总计 = its results. Taken from the layout, independently of Facts."""
    layout = load_layout(report.format_version) if report.format_version in ("2019", "2021") else None
    if layout is None:
        return []
    out = []

    def add(total: Cell | None, parts: list[Cell | None], name: str) -> None:
        if total is not None and all(p is not None for p in parts):
            out.append(Identity(total, tuple(parts), name))

    t3 = layout.table(T3)
    total = t3.total_column()
    applicant_cols = [c for c in t3.columns if c != total]
    outcome_rows = [r for r in leaf_rows(report, t3, "results") if r.key != "total_processed"]
    for r in t3.data_rows:
        add(report.cell(T3, r.key, total.key), [report.cell(T3, r.key, c.key) for c in applicant_cols], "该行各类申请人")
    for c in t3.columns:
        add(report.cell(T3, "total_processed", c.key), [report.cell(T3, r.key, c.key) for r in outcome_rows], "各办理结果")
    t4 = layout.table(T4)
    for group in t4.column_groups:
        group_total = t4.total_column(group)
        parts = [c for c in t4.group_columns(group) if c != group_total]
        for r in t4.data_rows:
            add(report.cell(T4, r.key, group_total.key), [report.cell(T4, r.key, c.key) for c in parts], "各项结果")
    return out


def facts(report: Report) -> Facts:
    """The key numbers of a report in the 2019 or 2021 layout (all unknown for other layouts)."""
    layout = load_layout(report.format_version) if report.format_version in ("2019", "2021") else None
    if layout is None:
        none = _unknown("", "报告未采用2019或2021格式")
        return Facts(report.year, None, none, none, none, none)
    t3 = layout.table(T3)
    results = [r for r in t3.rows if r.parent == "results" and r.key != "total_processed"]
    outcomes = {r.key: _row_fact(report, layout, r.key) for r in results}
    total = t3.total_column()
    applicants = {c.key: cell_fact(report, T3, "new_received", c.key, c.label) for c in t3.columns if c != total}
    applicant_groups = {applicants[c.key].label: applicants[c.key] for c in t3.columns if c != total and not c.group}
    for g in t3.column_groups:
        applicant_groups[g.label] = combine(g.label, [applicants[c.key] for c in t3.group_columns(g)])
    t4 = layout.table(T4)
    review: dict[str, list[Fact]] = {}
    review_totals: dict[str, Total] = {}
    corrected: list[Fact] = []
    for group in t4.column_groups:
        by_key = {c.key: cell_fact(report, T4, "cases", c.key, c.label) for c in t4.group_columns(group)}
        printed = t4.total_column(group).key
        review[group.path] = list(by_key.values())
        review_totals[group.path] = Total(by_key[printed], tuple(f for k, f in by_key.items() if k != printed))
        corrected += [by_key[c.key] for c in t4.columns_with("corrected", group)]
    return Facts(
        year=report.year,
        layout=layout,
        received=_row_fact(report, layout, "new_received"),
        carried_over=_row_fact(report, layout, "carried_over"),
        processed=_row_fact(report, layout, "total_processed"),
        carried_forward=_row_fact(report, layout, "carried_forward"),
        outcomes=list(outcomes.values()),
        disclosed_outcomes=[outcomes[r.key] for r in t3.rows_with("disclosed")],
        applicants=list(applicants.values()),
        applicant_groups=applicant_groups,
        review=review,
        review_totals=review_totals,
        review_corrected=corrected,
        report=report,
    )

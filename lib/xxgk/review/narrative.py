"""Templated Chinese prose from checked numbers: what was received, handled, disclosed, contested.

No language model: every sentence is built from Facts read from cells and carries Claims naming those
cells (a count, a zero, a rate with its base). `verify` re-reads every claimed cell and raises
NarrativeContradiction when a sentence states a number the cells do not give, asserts 未发生 over a
non-zero cell, states a total without the parts it disagrees with (or the parts without the total),
or gives a rate on fewer than MIN_RATE_BASE applications without its base. `narrative()` always verifies.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from xxgk.review.facts import MIN_RATE_BASE, Fact, Facts, Total, combine, is_zero_or_blank
from xxgk.fmt import number_text
from xxgk.model import Cell
from xxgk.values import NUMBER

_MAX_PROBLEMS = 5
COUNT, ZERO, RATE, CHANGE, DIFF, THRESHOLD = "count", "zero", "rate", "change", "diff", "threshold"


class NarrativeContradiction(AssertionError):
    """A sentence of the narrative and a cell of the report disagree: the review must not be rendered."""


@dataclass(frozen=True)
class Claim:
    """What a sentence asserts about cells.

    count: the cells add up to value; zero: every cell is 0 or blank; rate: 100 × Σcells / Σbase = value
    (rounded as written); change: 100 × |Σcells − Σbase| / Σbase = value.
    """

    kind: str
    value: float | int | None
    cells: tuple[Cell, ...]
    base: tuple[Cell, ...] = ()


@dataclass
class Sentence:
    text: str
    claims: list[Claim] = field(default_factory=list)
    quoted: bool = False  # repeats findings' messages; its numbers are the rules', not cells'

    def add(self, text: str, *claims: Claim) -> "Sentence":
        self.text += text
        self.claims.extend(claims)
        return self


@dataclass
class Narrative:
    """Paragraphs of sentences; displays as HTML in a notebook."""

    sentences: list[list[Sentence]] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return ["".join(s.text for s in para) for para in self.sentences]

    def __str__(self) -> str:
        return "\n\n".join(self.paragraphs)

    def __repr__(self) -> str:
        """The prose itself: a notebook stores it as the text/plain beside the HTML (the cells behind each
        claim made that copy 30 times the page's own words)."""
        return str(self)

    def _repr_html_(self) -> str:
        return "".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)


def claim(f: Fact) -> tuple[Claim, ...]:
    return (Claim(COUNT, f.value, f.cells),) if f.known else ()


def count(f: Fact) -> str:
    """A count, or why it cannot be given; the caller has just named what is counted."""
    if f.known:
        return f"{number_text(f.value)}件"
    lead = "该栏" if len(f.cells) <= 1 else ("" if f.problem.startswith("各项") else "其中")
    return f"（{lead}{f.problem}，无法说明）"


def percent(part: float, base: float) -> str:
    return f"{100.0 * part / base:.1f}%"


_FACTS: list[Facts] = []  # the report being narrated, for _count's look-up of disagreeing totals


def _count(s: Sentence, f: Fact) -> Sentence:
    """A count as the table prints it; a printed total that its parts contradict says both."""
    s.add(count(f), *claim(f))
    return _also_parts(s, f)


def _also_parts(s: Sentence, f: Fact, said: tuple = ()) -> Sentence:
    """Each sum of a printed total's parts that contradicts it (and the sentence has not said yet)."""
    for other in (_FACTS[-1].disagreements(f) if _FACTS and f.known else []):
        if other.cells != said:
            s.add(f"（但{other.label}之和为{number_text(other.value)}件，与总计栏不符）", *claim(other))
    return s


def _flow(f: Facts) -> list[Sentence]:
    if not f.received.known and not f.carried_over.known:
        return [Sentence(f"表三的申请数无法读取（{f.received.label}{f.received.problem}），本报告不叙述申请办理情况。")]
    s = _count(Sentence("本年新收政府信息公开申请"), f.received)
    _count(s.add("，上年结转"), f.carried_over)
    both = combine("", [f.received, f.carried_over])
    if both.known:
        s.add(f"，合计需办理{number_text(both.value)}件", *claim(both))
    out = [s.add("。")]
    who = f.applicant_groups.values()  # 自然人, 法人或其他组织
    if f.received.known and f.received.value and who and all(a.known for a in who):
        s = Sentence("新收申请中，" + "，".join(f"{a.label}提出{number_text(a.value)}件" for a in who),
                     [c for a in who for c in claim(a)])
        out.append(s.add("。"))
    return out


def _outcomes(f: Facts) -> Sentence:
    total_label = f.layout.table("t3").row("total_processed").label
    pt = f.processed_total
    s = Sentence("")
    if pt.agrees is False:
        s.add(f"表三“{total_label}”栏填{number_text(f.processed.value)}件，但各办理结果之和为{number_text(pt.parts_sum.value)}件，两者不符",
              *claim(f.processed), *claim(pt.parts_sum))
        _also_parts(s, f.processed, said=pt.parts_sum.cells).add("；各办理结果为")
    else:
        _count(s.add(f"按表三“{total_label}”，本年度办结"), f.processed).add("，其中")
    for i, o in enumerate(f.outcomes):
        _count(s.add(("，" if i else "") + o.label), o)
    return _count(s.add("；结转下年度继续办理"), f.carried_forward).add("。")


def _rate(f: Facts) -> Sentence:
    d, base = f.disclosed, f.processed
    if why := f.rate_contested:
        return Sentence(f"{why}，不计算公开率。")
    if not base.known:
        return Sentence(f"办结总数{base.problem}，无法计算公开率。")
    if not base.value:
        return Sentence("本年没有办结的申请，不计算公开率。")
    if not d.known:
        return Sentence(f"予以公开或部分公开的件数无法读取（{d.problem}），无法计算公开率。")
    rate = 100.0 * d.value / base.value
    s = Sentence(f"以办结总数{number_text(base.value)}件为基数，予以公开与部分公开合计{number_text(d.value)}件，"
                 f"公开率为{rate:.1f}%", [*claim(base), *claim(d), Claim(RATE, round(rate, 1), d.cells, base.cells)])
    if base.value < MIN_RATE_BASE:
        s.add(f"（办结不足{MIN_RATE_BASE}件，比例仅供参考，不与其他机关比较）", Claim(THRESHOLD, MIN_RATE_BASE, ()))
    return s.add("。")


def _contested(t: Total) -> Sentence:
    """What a contradicted 表四 total's parts say: the nonzero ones, or that all are 0 (a zero claim)."""
    nonzero = [p for p in t.parts if p.known and p.value]
    if not nonzero:
        said = "各项结果均为0" + ("" if all(p.known for p in t.parts) else "或空白")
        return Sentence(said, [Claim(ZERO, 0, tuple(c for p in t.parts for c in p.cells))])
    return Sentence("、".join(f"{p.label}{number_text(p.value)}件" for p in nonzero),
                    [c for p in nonzero for c in claim(p)])


def _review(f: Facts) -> list[Sentence]:
    if not f.review:
        return [Sentence("报告未采用2019或2021格式，无法读取行政复议、行政诉讼情况。")]
    totals = f.review_totals
    t4_cells = tuple(c for t in totals.values() for x in (t.printed, *t.parts) for c in x.cells)
    if t4_cells and all(is_zero_or_blank(c) for c in t4_cells):
        blank = any(c.status != NUMBER for c in t4_cells)
        return [Sentence(f"本年未发生因政府信息公开引起的行政复议或行政诉讼（表四各栏均为0{'或空白' if blank else ''}）。",
                         [Claim(ZERO, 0, t4_cells)])]
    t4 = f.layout.table("t4")
    review_group = t4.group("review")
    suit_groups = [g for g in t4.column_groups if g != review_group]  # 直接起诉, 复议后起诉
    review, suits = totals[review_group.path], [totals[g.path] for g in suit_groups]

    def phrase(t: Total, group: str, lead: str) -> Sentence:
        if t.agrees is False:
            parts = _contested(t)
            return Sentence(f"表四{group}总计栏填{number_text(t.printed.value)}，但{parts.text}", [*claim(t.printed), *parts.claims])
        s = _count(Sentence(lead), t.settled)
        if t.settled.known and t.settled.value and all(p.known for p in t.parts):
            s.add("（" + "、".join(f"{p.label}{number_text(p.value)}件" for p in t.parts) + "）", *(c for p in t.parts for c in claim(p)))
        return s

    out = [phrase(review, review_group.label, "因政府信息公开被申请行政复议").add("。")]
    settled = [t.settled for t in suits]
    if all(t.agrees is not False for t in suits):
        lawsuits = combine("行政诉讼总计", settled)
        s = Sentence("被提起行政诉讼").add(count(lawsuits) if lawsuits.known else "件数无法确定", *claim(lawsuits))
        if lawsuits.known and lawsuits.value:
            s.add("，其中")
            for i, (g, t) in enumerate(zip(suit_groups, suits)):
                _count(s.add(("、" if i else "") + g.label), t.settled)
        out.append(s.add("。"))
    else:
        s = Sentence("行政诉讼方面，")
        for i, (g, t) in enumerate(zip(suit_groups, suits)):
            part = phrase(t, g.label, g.label)
            s.add(("；" if i else "") + part.text, *part.claims)
        out.append(s.add("。"))
    fixed = combine("、".join(dict.fromkeys(x.label for x in f.review_corrected)), f.review_corrected)  # 结果纠正
    if fixed.known and fixed.value:
        out.append(Sentence(f"复议和诉讼中结果被纠正的共{number_text(fixed.value)}件。", list(claim(fixed))))
    return out


def _change(f: Facts, prev: Facts | None, year: int | None) -> Sentence:
    last = (year - 1) if year else None
    if prev is None:
        return Sentence(f"未找到{last or '上一'}年度的报告，无法与上年比较。")
    for total, which in ((f.received_total, "本年"), (prev.received_total, f"{last}年")):
        if total.agrees is False:  # which of the two the agency meant, the table does not say
            return Sentence(f"{which}表三新收申请的总计栏与各项之和不符，不与上年比较。")
    now, before = f.received_total.settled, prev.received_total.settled
    if not now.known or not before.known:
        return Sentence(f"本年或{last}年的新收申请数无法读取，无法与上年比较。")
    s = Sentence(f"与{last}年相比，新收申请由{number_text(before.value)}件变为{number_text(now.value)}件", [*claim(before), *claim(now)])
    diff = now.value - before.value
    if diff == 0:
        s.add("，持平")
    else:
        s.add(f"，{'增加' if diff > 0 else '减少'}{number_text(abs(diff))}件",
              Claim(DIFF, abs(diff), now.cells, before.cells))
        if before.value:
            pct = 100.0 * abs(diff) / before.value
            s.add(f"（{'+' if diff > 0 else '−'}{pct:.1f}%）", Claim(CHANGE, round(pct, 1), now.cells, before.cells))
    rate, prev_rate = f.disclosure_rate, prev.disclosure_rate
    bases_ok = all(x.processed.known and x.processed.value >= MIN_RATE_BASE for x in (f, prev))
    if rate is not None and prev_rate is not None and bases_ok:  # None where a base is contested
        s.add(f"；公开率由{prev_rate:.1f}%变为{rate:.1f}%",
              Claim(RATE, round(prev_rate, 1), prev.disclosed.cells, prev.processed.cells),
              Claim(RATE, round(rate, 1), f.disclosed.cells, f.processed.cells))
    return s.add("。")


def _problems(findings: list) -> Sentence:
    active = [x for x in findings if x.status == "fail" and not x.waived]
    errors = [x for x in active if x.severity == "error"]
    warnings = [x for x in active if x.severity == "warning"]
    uncertain = sum(1 for x in findings if x.status == "uncertain" and not x.waived)
    waived = sum(1 for x in findings if x.waived)
    if not errors and not warnings:
        text = "审查未发现错误或警告。"
    else:
        text = f"审查发现错误{len(errors)}项、警告{len(warnings)}项。主要问题："
        shown = (errors + warnings)[:_MAX_PROBLEMS]
        text += "；".join(f"{i}. {x.message}" for i, x in enumerate(shown, 1)) + "。"
        if len(errors) + len(warnings) > len(shown):
            text += f"其余{len(errors) + len(warnings) - len(shown)}项见下文审查发现。"
    if uncertain:
        text += f"另有{uncertain}项检查因数据为空或无法识别而无法判断。"
    if waived:
        text += f"{waived}项发现已由审查人员豁免（仍在下文列出）。"
    return Sentence(text, quoted=True)


def _sum(cells: tuple[Cell, ...]):
    return sum(c.value for c in cells) if all(c.status == NUMBER for c in cells) else None


def _claim_holds(c: Claim) -> bool:
    if c.kind == COUNT:
        return c.value is not None and _sum(c.cells) == c.value
    if c.kind == ZERO:
        return all(is_zero_or_blank(x) for x in c.cells)
    if c.kind == THRESHOLD:
        return c.value == MIN_RATE_BASE
    part, base = _sum(c.cells), _sum(c.base)
    if part is None or base is None:
        return False
    if c.kind == DIFF:
        return abs(part - base) == c.value
    if not base:
        return False
    got = 100.0 * (part if c.kind == RATE else abs(part - base)) / base
    return round(got, 1) == c.value


_QUOTED = re.compile(r"“[^”]*”")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?=年|或20)")  # a year or a layout named by its year, not a count
_NUMBER = re.compile(r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)(%)?")


def _problem(sentence: Sentence, why: str) -> NarrativeContradiction:
    return NarrativeContradiction(f"{why}：「{sentence.text}」")


def verify(story: Narrative, facts: Facts) -> None:
    """Raise NarrativeContradiction when any sentence and a cell of the report disagree.

    Each claim is re-computed from its cells; every number written in a sentence must be one it claims;
    未发生 (a zero claim) over a printed total needs its parts to be 0 or blank too; a sentence that states
    a printed total (or exactly its parts) that the other side contradicts must state the other side too;
    a rate on fewer than MIN_RATE_BASE applications must come with its base.
    """
    idents = facts.identities
    from xxgk.review.facts import cell_id

    for para in story.sentences:
        for s in para:
            for c in s.claims:
                if not _claim_holds(c):
                    raise _problem(s, f"句中{c.kind}={c.value}与单元格不符")
            if s.quoted:
                continue
            counts = {number_text(c.value) for c in s.claims if c.kind in (COUNT, ZERO, DIFF, THRESHOLD)}
            rates = {f"{c.value:.1f}" for c in s.claims if c.kind in (RATE, CHANGE)}
            for m in _NUMBER.finditer(_YEAR.sub("", _QUOTED.sub("", s.text))):
                token, unit = m.groups()
                if token not in (rates if unit == "%" else counts):
                    raise _problem(s, f"句中数字{token}{unit or ''}没有来自单元格的依据")
            claimed = {cell_id(x) for c in s.claims if c.kind == COUNT for x in c.cells}
            exact = [{cell_id(x) for x in c.cells} for c in s.claims if c.kind == COUNT]
            zeros = {cell_id(x) for c in s.claims if c.kind == ZERO for x in c.cells}
            for ident in idents:
                total, parts = cell_id(ident.total), {cell_id(x) for x in ident.parts}
                if total in zeros and not all(is_zero_or_blank(x) for x in ident.parts):
                    raise _problem(s, f"称{ident.total.column}为0（未发生），但其各项不全为0")
                whole = _sum((ident.total, *ident.parts))
                if whole is None or ident.total.value == _sum(ident.parts):
                    continue
                nonzero = {cell_id(x) for x in ident.parts if x.value}
                if {total} in exact and not (nonzero <= claimed or parts in exact):
                    raise _problem(s, f"只说了总计{ident.total.value:g}，未说与之不符的各项")
                if parts in exact and total not in claimed:
                    raise _problem(s, "只说了各项之和，未说与之不符的总计栏")
            for c in s.claims:
                if c.kind == RATE and _sum(c.base) is not None and _sum(c.base) < MIN_RATE_BASE:
                    if not any(x.kind == COUNT and x.cells == c.base for x in s.claims):
                        raise _problem(s, f"办结不足{MIN_RATE_BASE}件却给出比例而未给基数")


def narrative(facts: Facts, findings: list, previous: Facts | None = None) -> Narrative:
    """The review's prose: flow, outcomes, disclosure rate, review and litigation, change, problems."""
    if facts.layout is None:
        body = [[Sentence("报告未采用2019或2021年度报告格式，无法从表格读取申请办理数字。")]]
    else:
        _FACTS.append(facts)
        try:
            body = [[*_flow(facts), _outcomes(facts), _rate(facts)], _review(facts),
                    [_change(facts, previous, facts.year)]]
        finally:
            _FACTS.pop()
    story = Narrative([*body, [_problems(findings)]])
    verify(story, facts)
    return story

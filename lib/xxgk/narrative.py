"""Templated Chinese prose from checked numbers: what was received, handled, disclosed, contested.

No language model: every number in the text is a Fact read from cells (or a sum or ratio of Facts,
with its base named). Where a needed cell is blank or unreadable the text says so instead of guessing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from xxgk.facts import Fact, Facts, combine

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
_MAX_PROBLEMS = 5


@dataclass
class Narrative:
    """Paragraphs of plain text; displays as HTML in a notebook."""

    paragraphs: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n\n".join(self.paragraphs)

    def _repr_html_(self) -> str:
        return "".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)


def number(value: float | int) -> str:
    """A count as written in a report: no trailing .0, thousands separated.

    Examples:
        >>> number(1234), number(2.50), number(0)
        ('1,234', '2.5', '0')
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def count(f: Fact) -> str:
    return f"{number(f.value)}件" if f.known else f"（{f.label}{f.problem}，无法说明）"


def percent(part: float, base: float) -> str:
    return f"{100.0 * part / base:.1f}%"


def _flow(f: Facts) -> str:
    if not f.received.known and not f.carried_over.known:
        return f"表三的申请数无法读取（{f.received.label}{f.received.problem}），本报告不叙述申请办理情况。"
    text = f"本年新收政府信息公开申请{count(f.received)}，上年结转{count(f.carried_over)}"
    both = combine("", [f.received, f.carried_over])
    if both.known:
        text += f"，合计需办理{number(both.value)}件"
    text += "。"
    natural, orgs = f.applicants[0], combine("法人或其他组织", f.applicants[1:])
    if f.received.known and f.received.value and natural.known and orgs.known:
        text += f"新收申请中，自然人提出{number(natural.value)}件，法人或其他组织提出{number(orgs.value)}件。"
    return text


def _outcomes(f: Facts) -> str:
    parts = "，".join(f"{o.label}{count(o)}" for o in f.outcomes)
    total_label = f.layout.table("t3").row("total_processed").label
    text = f"本年度办结{count(f.processed)}（表三“{total_label}”），其中{parts}；结转下年度继续办理{count(f.carried_forward)}。"
    return text


def _rate(f: Facts) -> str:
    d, base = f.disclosed, f.processed
    if not base.known:
        return f"办结总数{base.problem}，无法计算公开率。"
    if not base.value:
        return "本年没有办结的申请，不计算公开率。"
    if not d.known:
        return f"予以公开或部分公开的件数无法读取（{d.problem}），无法计算公开率。"
    return (
        f"以办结总数{number(base.value)}件为基数，予以公开与部分公开合计{number(d.value)}件，"
        f"公开率为{percent(d.value, base.value)}。"
    )


def _review(f: Facts) -> str:
    if not f.review:
        return "报告未采用2019或2021格式，无法读取行政复议、行政诉讼情况。"
    groups = list(f.review.values())
    review_total = groups[0][-1]
    lawsuits = combine("行政诉讼总计", [g[-1] for g in groups[1:]])
    if review_total.known and lawsuits.known and review_total.value == 0 and lawsuits.value == 0:
        return "本年未发生因政府信息公开引起的行政复议或行政诉讼（表四行政复议、行政诉讼总计均为0）。"
    text = f"因政府信息公开被申请行政复议{count(review_total)}"
    if review_total.known and review_total.value:
        text += "（" + "、".join(f"{x.label}{count(x)}" for x in groups[0][:-1]) + "）"
    text += f"；被提起行政诉讼{count(lawsuits) if lawsuits.known else '件数无法确定'}"
    if lawsuits.known and lawsuits.value:
        text += f"，其中未经复议直接起诉{count(groups[1][-1])}、复议后起诉{count(groups[2][-1])}"
    corrected = combine("结果纠正", [g[1] for g in groups])
    if corrected.known and corrected.value:
        text += f"。复议和诉讼中结果被纠正的共{number(corrected.value)}件"
    return text + "。"


def _change(f: Facts, prev: Facts | None, year: int | None) -> str:
    last = (year - 1) if year else None
    if prev is None:
        return f"未找到{last or '上一'}年度的报告，无法与上年比较。"
    now, before = f.received, prev.received
    if not now.known or not before.known:
        return f"本年或{last}年的新收申请数无法读取，无法与上年比较。"
    text = f"与{last}年相比，新收申请由{number(before.value)}件变为{number(now.value)}件"
    diff = now.value - before.value
    if diff == 0:
        text += "，持平"
    else:
        text += f"，{'增加' if diff > 0 else '减少'}{number(abs(diff))}件"
        if before.value:
            text += f"（{'+' if diff > 0 else '−'}{percent(abs(diff), before.value)}）"
    rate, prev_rate = f.disclosure_rate, prev.disclosure_rate
    if rate is not None and prev_rate is not None:
        text += f"；公开率由{prev_rate:.1f}%变为{rate:.1f}%"
    return text + "。"


def _problems(findings: list) -> str:
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
    return text


def narrative(facts: Facts, findings: list, previous: Facts | None = None) -> Narrative:
    """The review's prose: flow, outcomes, disclosure rate, review and litigation, change, problems."""
    if facts.layout is None:
        body = ["报告未采用2019或2021年度报告格式，无法从表格读取申请办理数字。"]
    else:
        body = [_flow(facts) + _outcomes(facts) + _rate(facts), _review(facts), _change(facts, previous, facts.year)]
    return Narrative([*body, _problems(findings)])

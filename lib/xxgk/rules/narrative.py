"""The prose: numbers restated in the text against the tables, sections 五 and 六, template residue, years.

Text-versus-table rules only fail on a plain contradiction: when a sentence speaks of a narrower scope
(only the government office, 其中…) or the number could include last year's carry-over, they say uncertain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from xxgk.layouts import load_layout, normalize_label
from xxgk.model import FAIL, UNCERTAIN, Finding, Section
from xxgk.nfkc import nfkc
from xxgk.values import MISSING
from xxgk.rules import Context, catalog, evidence, number, parameters, rule

_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_NUM = r"(\d+)"
_GAP = r"[^，,、。；;\d率%]{{0,{}}}?"
COUNT_UNIT = r"(?:件|起|宗|次|个)"
# Words that mark a sentence about part of the report's scope (the office only, one group of bodies).
NARROW_SCOPE = tuple(parameters()["narrow_scope"])
NARRATIVE_SECTIONS = (1, 3, 4)


def _gap(n: int) -> str:
    return _GAP.format(n)


# What each text-vs-table rule looks for: patterns whose group 1 is the count.
STATEMENTS = {
    "new_received": [
        rf"(?:新收|收到|受理|接收|接到){_gap(20)}申请{_gap(6)}{_NUM}件",
        rf"(?:新收|收到|受理|接收|接到){_gap(8)}{_NUM}件{_gap(12)}申请",
    ],
    "carried_over": [
        rf"上一?年度?结转{_gap(12)}{_NUM}件",
        rf"{_NUM}件{_gap(6)}(?:为|系|属于?)上一?年度?结转",
    ],
    "total_processed": [
        rf"(?:办结|答复|办理完毕|办理完成|处理完毕|共办理|已办理){_gap(12)}{_NUM}件",
    ],
    "carried_forward": [
        rf"结转(?:至|到)?下一?年度?{_gap(10)}{_NUM}件",
        rf"{_NUM}件{_gap(8)}结转(?:至|到)?下一?年",
    ],
}
# Cases (reviews, lawsuits) as report prose names them: the words are the parameters of the rule that
# compares them (catalog.yaml), the prose's vocabulary (提起诉讼, 起诉), wider than 表四's header words.
CASE_RULES = {"review": "TT_REVIEW", "litigation": "TT_LITIGATION"}
# A clause that says there were none: it has to end with the case type, so "未发生…被行政复议纠错" is not one.
_NONE = r"^[^\d]*(?:未(?:发生|收到|出现|被|有)|没有|无)[^\d]{0,16}?"
_CASE_END = r"(?:[、和及与或]?(?:行政)?(?:复议|诉讼))?(?:案件|案|情况|情形|的情况|的情形)?$"


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, list[re.Pattern]], dict[str, re.Pattern]]:
    """(quantity -> patterns whose group 1 is the count, quantity -> pattern of a clause saying there were none)."""
    counts = {k: [re.compile(p) for p in v] for k, v in STATEMENTS.items()}
    zero = {}
    for key, rule_id in CASE_RULES.items():
        words = {k: "(?:" + "|".join(map(re.escape, v)) + ")" for k, v in catalog()[rule_id].params.items()}
        counts[key] = [re.compile(rf"{words['before_count']}{_gap(8)}{_NUM}{COUNT_UNIT}"),
                       re.compile(rf"{_NUM}{COUNT_UNIT}{_gap(6)}{words['after_count']}")]
        zero[key] = re.compile(_NONE + words["none"] + _CASE_END)
    return counts, zero
# A match for these quantities that mentions 结转 is about the carry-over, not about them.
_NOT_CARRY = ("new_received", "total_processed", "review", "litigation")
_NOT_CASES = ("new_received", "total_processed", "carried_over", "carried_forward")  # 案件 are reviews and lawsuits


@dataclass
class Statement:
    value: int
    sentence: str
    narrow: bool
    where: str


def _norm(text: str) -> str:
    return re.sub(r"[ \t\u3000]+", "", nfkc(text or ""))


def _narrative_sections(ctx: Context) -> list[tuple[str, str]]:
    out = [("前言", ctx.report.preface)] if ctx.report.preface else []
    for s in ctx.report.sections:
        if s.number in NARRATIVE_SECTIONS:
            out.append((f"第{s.number}部分（{s.source}）" if s.source else f"第{s.number}部分", s.text))
    return out


def _narrow(sentence_before: str, agency: str | None, ignore: tuple[str, ...] = ()) -> bool:
    own = _norm(agency or "")
    return any(w in sentence_before and w not in own and w not in ignore for w in NARROW_SCOPE)


def statements(ctx: Context, key: str) -> list[Statement]:
    """Counts the text states for one quantity (deduplicated by value and sentence)."""
    found: dict[tuple[int, str], Statement] = {}
    for where, text in _narrative_sections(ctx):
        for sent in _SENTENCE.findall(_norm(text)):
            for pat in _patterns()[0][key]:
                for m in pat.finditer(sent):
                    if key in _NOT_CARRY and "结转" in m.group(0) or key in _NOT_CASES and "案" in m.group(0):
                        continue
                    st = Statement(int(m.group(1)), sent, _narrow(sent[: m.end()], ctx.report.agency), where)
                    found.setdefault((st.value, sent), st)
            zero = _patterns()[1].get(key)
            if zero is not None and not any(h in sent for h in _table_headers()):
                for clause in re.split(r"[，,]", sent):
                    if zero.search(clause):
                        found.setdefault((0, sent), Statement(0, sent, False, where))
    return list(found.values())


@lru_cache(maxsize=1)
def _table_headers() -> tuple[str, ...]:
    """Header texts of table 四 (a sentence holding them is table text that leaked into prose)."""
    t4 = load_layout("2021").table("t4")
    return tuple(_norm(part) for c in t4.columns for part in (c.group or "").split("/") if len(part) > 4)


def _cells_total(ctx: Context, keys: list[tuple[str, str, str]]):
    cells = [ctx.cell(*k) for k in keys]
    vals = [number(c) for c in cells]
    return (None if any(v is None for v in vals) else sum(vals)), cells


def _compare(ctx: Context, key: str, keys: list[tuple[str, str, str]], name: str,
             table: str, alt: tuple[str, list[tuple[str, str, str]], str] | None = None) -> list[Finding]:
    """Each stated count against the table. `alt` = (what, cells, quantity): the stated count may also
    be this wider sum, unless the same sentence states that other quantity separately."""
    if not ctx.has_table(table) or ctx.layout is None:
        return [ctx.not_assessable(f"没有表{table}数据可比")]
    said = statements(ctx, key)
    if not said:
        return [ctx.not_assessable(f"正文未重述{name}")]
    value, cells = _cells_total(ctx, keys)
    first = cells[0]
    place = {"table": table, "row": first.row if first else None,
             "column": first.column if first is not None and len(keys) == 1 else None}
    out = []
    for st in said:
        ev = [{"where": st.where, "raw": st.sentence[:120]}] + evidence(*cells)
        if value is None:
            out.append(ctx.finding(UNCERTAIN, f"正文称{name} {st.value}，表中对应单元格不是数字", actual=st.value,
                                   evidence=ev, **place))
        elif st.value == value:
            out.append(ctx.passed(f"正文所述{name} {st.value} 与表{table}一致", expected=value, actual=st.value,
                                  difference=0, evidence=ev, **place))
        else:
            alt_value = _cells_total(ctx, alt[1])[0] if alt else None
            if alt and st.sentence in {o.sentence for o in statements(ctx, alt[2])}:
                alt_value = None  # e.g. 收到8件，上年结转1件: the 8 cannot include the carry-over
            kw = dict(expected=value, actual=st.value, difference=st.value - value, evidence=ev, **place)
            if alt_value is not None and st.value == alt_value:
                out.append(ctx.finding(UNCERTAIN, f"正文称{name} {st.value}，表中为 {value}；正文的数可能{alt[0]}", **kw))
            elif st.narrow:
                out.append(ctx.finding(UNCERTAIN, f"正文称{name} {st.value}，表中为 {value}；该句只说部分范围，口径可能不同", **kw))
            else:
                out.append(ctx.finding(FAIL, f"正文称{name} {st.value}，表{table}为 {value}", **kw))
    return out


def _t3(row: str) -> list[tuple[str, str, str]]:
    return [("t3", row, "total")]


@rule("TT_NEW_RECEIVED")
def tt_new_received(ctx: Context) -> Iterable[Finding]:
    return _compare(ctx, "new_received", _t3("new_received"), "本年收到申请数", "三",
                    alt=("包含上年结转的申请", _t3("new_received") + _t3("carried_over"), "carried_over"))


@rule("TT_CARRIED_OVER")
def tt_carried_over(ctx: Context) -> Iterable[Finding]:
    return _compare(ctx, "carried_over", _t3("carried_over"), "上年结转申请数", "三")


@rule("TT_PROCESSED")
def tt_processed(ctx: Context) -> Iterable[Finding]:
    return _compare(ctx, "total_processed", _t3("total_processed"), "办结申请数", "三",
                    alt=("包含结转下年度的申请", _t3("total_processed") + _t3("carried_forward"), "carried_forward"))


@rule("TT_CARRIED_FORWARD")
def tt_carried_forward(ctx: Context) -> Iterable[Finding]:
    return _compare(ctx, "carried_forward", _t3("carried_forward"), "结转下年度申请数", "三")


@rule("TT_REVIEW")
def tt_review(ctx: Context) -> Iterable[Finding]:
    return _compare(ctx, "review", [("t4", "cases", "rv_total")], "行政复议件数", "四")


@rule("TT_LITIGATION")
def tt_litigation(ctx: Context) -> Iterable[Finding]:
    return _compare(ctx, "litigation", [("t4", "cases", "ld_total"), ("t4", "cases", "la_total")], "行政诉讼件数", "四")


def outcome_names(ctx: Context) -> list[tuple[str, list[str]]]:
    """(short outcome name as printed, data row keys it covers) for each 办理结果 from the layout."""
    t3 = ctx.layout.table("t3")
    out = []
    for r in t3.rows:
        if r.parent != "results" or r.key == "total_processed":
            continue
        name = re.sub(r"^\([一二三四五六七八九十]+\)", "", normalize_label(r.label))
        name = re.sub(r"\(.*\)$", "", name)
        keys = [c.key for c in t3.children(r.key)] if r.group else [r.key]
        out.append((name, keys))
    return out


@rule("TT_OUTCOME_SHARES")
def tt_outcome_shares(ctx: Context) -> Iterable[Finding]:
    if not ctx.has_table("三") or ctx.layout is None:
        return [ctx.not_assessable("没有表三数据可比")]
    bases = {}
    for label, keys in (("办理结果总计", _t3("total_processed")), ("本年新收", _t3("new_received")),
                        ("新收与上年结转之和", _t3("new_received") + _t3("carried_over"))):
        value = _cells_total(ctx, keys)[0]
        if value:
            bases[label] = value
    out = []
    for name, keys in outcome_names(ctx):
        pat = re.compile(rf"{name}{_gap(6)}{_NUM}件(?:[,，]?(?:占[^，,。；;\d]{{0,8}})?(\d+(?:\.\d+)?)%)?")
        value, cells = _cells_total(ctx, [("t3", k, "total") for k in keys])
        for where, text in _narrative_sections(ctx):
            for sent in _SENTENCE.findall(_norm(text)):
                for m in pat.finditer(sent):
                    count = int(m.group(1))
                    ev = [{"where": where, "raw": sent[:120]}] + evidence(*cells)
                    place = {"table": "三", "row": cells[0].row if len(cells) == 1 and cells[0] else name, "column": "总计"}
                    if value is None:
                        out.append(ctx.finding(UNCERTAIN, f"正文称{name} {count} 件，表三对应单元格不是数字", evidence=ev, **place))
                        continue
                    narrow = _narrow(sent[: m.end()], ctx.report.agency, ignore=("其中",))  # 其中 lists outcomes
                    if count != value:
                        status = UNCERTAIN if narrow else FAIL
                        out.append(ctx.finding(status, f"正文称{name} {count} 件，表三为 {value}", expected=value,
                                               actual=count, difference=count - value, evidence=ev, **place))
                        continue
                    if m.group(2):
                        pct = float(m.group(2))
                        fits = [b for b, base in bases.items() if abs(100 * value / base - pct) <= 0.6]
                        if not fits:
                            out.append(ctx.finding(FAIL, f"正文称{name}占 {pct}%，按表三任一口径都对不上", actual=pct,
                                                   evidence=ev, **place))
                            continue
                    out.append(ctx.passed(f"正文所述{name} {count} 件与表三一致", expected=value, actual=count,
                                          evidence=ev, **place))
    return out or [ctx.not_assessable("正文未重述各办理结果件数")]


# -- sections 五 and 六 ------------------------------------------------------------------------------


def _section_ev(s: Section) -> list[dict[str, str]]:
    return [{"where": s.source, "raw": (s.heading + " " + s.text)[:120]}]


@rule("C_S5_SUBSTANTIVE")
def s5_substantive(ctx: Context) -> Iterable[Finding]:
    if (skip := ctx.no_prose()) is not None:
        return [skip]
    s5 = ctx.report.section(5)
    if s5 is None:
        return [ctx.not_assessable("没有第五部分")]
    body = "".join(s5.text.split())
    if body.strip("。.") in ("", "无", "暂无", "没有"):
        return [ctx.finding(FAIL, f"第五部分为空或只写“{body or '（空）'}”", actual=body, evidence=_section_ev(s5))]
    params = ctx.meta.params
    if len(body) < params["min_chars"]:
        return [ctx.finding(FAIL, f"第五部分只有 {len(body)} 字，未写明具体问题和改进措施", actual=len(body),
                            expected=f">= {params['min_chars']} 字", evidence=_section_ev(s5))]
    lacks = [what for what, words in (("问题", params["problem_words"]), ("改进措施", params["measure_words"]))
             if not any(w in body for w in words)]
    if lacks:
        return [ctx.finding(FAIL, f"第五部分未写{'和'.join(lacks)}", evidence=_section_ev(s5))]
    return [ctx.passed(f"第五部分写有问题和改进措施（{len(body)} 字）", evidence=_section_ev(s5))]


FEE_WORDS = tuple(parameters()["fee_words"])
FEE_ROW = "other_fee_unpaid"


@rule("C_S6_FEE_STATEMENT")
def s6_fee_statement(ctx: Context) -> Iterable[Finding]:
    if (skip := ctx.no_prose()) is not None:
        return [skip]
    if ctx.report.year is None or ctx.report.year < 2021:
        return [ctx.not_assessable("只适用于2021年度及以后的报告")]
    s6 = ctx.report.section(6)
    if s6 is None:
        return [ctx.not_assessable("没有第六部分")]
    if any(w in s6.text for w in FEE_WORDS):
        return [ctx.passed("第六部分说明了信息处理费收取情况", evidence=_section_ev(s6))]
    return [ctx.finding(FAIL, "第六部分未说明信息处理费收取情况", evidence=_section_ev(s6))]


@rule("TT_FEE_ROW_VS_S6")
def fee_row_vs_s6(ctx: Context) -> Iterable[Finding]:
    layout = ctx.layout
    if layout is None or not any(r.key == FEE_ROW for r in layout.table("t3").rows) or not ctx.has_table("三"):
        return [ctx.not_assessable("只适用于2021年格式的表三")]
    cell = ctx.cell("t3", FEE_ROW, "total")
    place = {"table": "三", "row": cell.row if cell else None, "column": cell.column if cell else None}
    from xxgk.rules.arithmetic import filled_as_one_row

    merged = [g for g in filled_as_one_row(ctx, layout.table("t3")) if g.key == layout.table("t3").row(FEE_ROW).parent]
    if merged and (cell is None or cell.status == MISSING):
        return [ctx.not_assessable(f"表三{merged[0].label}作为一行填写，没有（六）2的分项数字")]
    if number(cell) is None:
        return [ctx.finding(UNCERTAIN, "表三（六）2 不是数字", evidence=evidence(cell), **place)]
    if number(cell) == 0:
        return [ctx.passed("表三（六）2 为 0，无需对照", actual=0, **place)]
    s6 = ctx.report.section(6)
    if s6 is not None and any(w in s6.text for w in FEE_WORDS):
        return [ctx.passed("表三（六）2 大于 0，第六部分说明了收费情况", actual=number(cell), evidence=evidence(cell), **place)]
    return [ctx.finding(FAIL, f"表三（六）2 为 {number(cell)}（发出收费通知后逾期未缴费），第六部分却未说明收费情况",
                        actual=number(cell), evidence=evidence(cell) + (_section_ev(s6) if s6 else []), **place)]


# -- template residue and years ------------------------------------------------------------------------
PLACEHOLDERS = [
    re.compile(r"(?<![A-Za-z])[XＸ×xｘ]{2,}(?![A-Za-z])"),
    re.compile(r"某某"),
    re.compile(r"[X×Ｘ]\s*年\s*[X×Ｘ\d]*\s*月"),
    re.compile(r"[（(]\s*(?:单位名称|机关名称|部门名称|填写[^)）]{0,10})\s*[)）]"),
    re.compile(r"(?<![\d〇零一二三四五六七八九十])\s{2,}年\s+月\s+日"),
]


def _locate(ctx: Context, pos_text: str) -> str:
    for s in ctx.report.sections:
        if pos_text in s.text or pos_text in s.heading:
            return f"第{s.number}部分（{s.source}）" if s.source else f"第{s.number}部分"
    return "前言" if pos_text in ctx.report.preface else "正文"


@rule("C_NO_PLACEHOLDERS")
def no_placeholders(ctx: Context) -> Iterable[Finding]:
    if (skip := ctx.no_prose()) is not None:
        return [skip]
    text = ctx.report.text
    if not text.strip():
        return [ctx.not_assessable("没有正文")]
    out = []
    for pat in PLACEHOLDERS:
        for m in pat.finditer(text):
            around = text[max(0, m.start() - 15): m.end() + 15].replace("\n", " ")
            out.append(ctx.finding(FAIL, f"模板残留“{m.group(0).strip()}”：…{around.strip()}…", actual=m.group(0),
                                   evidence=[{"where": _locate(ctx, m.group(0)), "raw": around.strip()}]))
    return out[:20] or [ctx.passed("未见模板残留")]


_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*政府信息公开(?:工作)?\s*(?:年度)?\s*报告")
_PERIOD = re.compile(r"统计(?:期限|时限|区间|周期|时间)[^。]{0,20}?((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日[^。]{0,6}?"
                     r"(?:至|到|-|—)[^。\d]{0,4}((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
_PLAN_YEAR = "{year}年[,，]?(?:[我本][\u4e00-\u9fff]{{0,6}}|全[\u4e00-\u9fff]{{1,3}})?将"


@rule("C_YEAR_CONSISTENT")
def year_consistent(ctx: Context) -> Iterable[Finding]:
    if (skip := ctx.no_prose()) is not None:
        return [skip]
    report = ctx.report
    if report.year is None:
        return [ctx.finding(UNCERTAIN, "报告年度未知")]
    year = report.year
    text = _norm(report.text)
    out = []
    head = _norm(report.preface)[:300] or text[:300]
    m = _TITLE_YEAR.search(head)
    if m and int(m.group(1)) != year:
        out.append(ctx.finding(FAIL, f"标题写的是{m.group(1)}年度，报告年度为{year}", expected=year, actual=int(m.group(1)),
                               evidence=[{"where": "标题", "raw": m.group(0)}]))
    p = _PERIOD.search(text)
    if p and (int(p.group(1)) != year or int(p.group(4)) != year):
        out.append(ctx.finding(FAIL, f"统计期限写作{p.group(1)}年至{p.group(4)}年，报告年度为{year}", expected=year,
                               actual=f"{p.group(1)}–{p.group(4)}", evidence=[{"where": "统计期限", "raw": p.group(0)}]))
    s5 = report.section(5)
    if s5 is not None:
        body = _norm(s5.text)
        future = re.search(_PLAN_YEAR.format(year=year), body)
        if future and f"{year + 1}年" not in body:
            out.append(ctx.finding(FAIL, f"第五部分把报告年度{year}年当作将来（“{future.group(0)}”），应为{year + 1}年的计划",
                                   expected=year + 1, actual=year, evidence=[{"where": "第五部分", "raw": future.group(0)}]))
    for n in report.notes:
        if n.kind == "year":
            out.append(ctx.finding(FAIL, n.message, evidence=[{"where": n.where or "报告", "raw": n.message}]))
    return out or [ctx.passed(f"标题、统计期限与正文年份均与{year}年度一致")]


@rule("C_STAT_PERIOD")
def stat_period(ctx: Context) -> Iterable[Finding]:
    if (skip := ctx.no_prose()) is not None:
        return [skip]
    report = ctx.report
    if report.year is None:
        return [ctx.finding(UNCERTAIN, "报告年度未知")]
    p = _PERIOD.search(_norm(report.text))
    if p is None:
        return [ctx.finding(FAIL, "未说明统计期限")]
    y = report.year
    got = tuple(int(g) for g in p.groups())
    ev = [{"where": "统计期限", "raw": p.group(0)}]
    if got != (y, 1, 1, y, 12, 31):
        return [ctx.finding(FAIL, f"统计期限应为{y}年1月1日至{y}年12月31日，写作“{p.group(0)}”",
                            expected=f"{y}-01-01..{y}-12-31", actual=p.group(0), evidence=ev)]
    return [ctx.passed("统计期限为报告年度全年", evidence=ev)]

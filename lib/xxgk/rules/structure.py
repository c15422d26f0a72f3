"""The report's skeleton: six official sections in order, the post-2019 structure, tables as data."""

from __future__ import annotations

import re
from typing import Iterable

from xxgk.layouts import load_layout, normalize_label, pre2019_markers, section_headings
from xxgk.model import FAIL, UNCERTAIN, Finding
from xxgk.rules import Context, rule

TABLE_SECTIONS = {"二": 2, "三": 3, "四": 4}  # table name -> the section it belongs to
FIRST_YEAR = load_layout("2019").first_year  # the six-part structure applies from this report year


def _ev(section) -> list[dict[str, str]]:
    return [{"where": section.source, "raw": section.heading}] if section is not None else []


def _before_2019(ctx: Context) -> Finding | None:
    if (skip := ctx.no_prose()) is not None:
        return skip
    if ctx.report.year is not None and ctx.report.year < FIRST_YEAR:
        return ctx.not_assessable(f"{ctx.report.year}年度报告适用旧条例时期的结构")
    return None


def _content_hint(report, heading: str) -> str | None:
    """A phrase of a missing section's heading found in another section's body: the heading may be lost."""
    core = re.sub(r"^[一二三四五六七八九十]+、", "", heading)
    parts = [p for p in re.split(r"[及和、]", core) if len(p) >= 4]
    for s in report.sections:
        body = normalize_label(s.text)
        for p in parts:
            if normalize_label(p) in body:
                return p
    return None


@rule("C_SIX_SECTIONS")
def six_sections(ctx: Context) -> Iterable[Finding]:
    if (skip := _before_2019(ctx)) is not None:
        return [skip]
    report = ctx.report
    official = [s for s in report.sections if s.key is not None]
    numbers = [s.number for s in official]
    out = []
    for sec in section_headings():
        if sec.number not in numbers:
            around = [s for s in official if abs(s.number - sec.number) == 1]
            ev = [e for s in around for e in _ev(s)]
            hint = _content_hint(report, sec.heading)
            if hint:
                out.append(ctx.finding(UNCERTAIN, f"未找到第{sec.number}部分标题“{sec.heading}”，但正文中有“{hint}”，标题可能不规范或在转换中丢失",
                                       row=sec.heading, expected=sec.heading, evidence=ev))
                continue
            out.append(ctx.finding(FAIL, f"缺少第{sec.number}部分“{sec.heading}”", row=sec.heading,
                                   expected=sec.heading, actual=None, evidence=ev))
    if numbers != sorted(numbers):
        out.append(ctx.finding(FAIL, f"各部分顺序不对：{'、'.join(str(n) for n in numbers)}", expected="1–6",
                               actual=numbers, evidence=[e for s in official for e in _ev(s)]))
    if not out:
        out.append(ctx.passed("六个部分齐全，顺序正确", evidence=[e for s in official for e in _ev(s)]))
    return out


@rule("C_HEADINGS_OFFICIAL")
def headings_official(ctx: Context) -> Iterable[Finding]:
    if (skip := _before_2019(ctx)) is not None:
        return [skip]
    official = {s.number: s.heading for s in section_headings()}
    out = [
        ctx.finding(FAIL, f"第{s.number}部分标题写作“{s.heading}”，官方表述为“{official[s.number]}”",
                    row=official[s.number], expected=official[s.number], actual=s.heading, evidence=_ev(s))
        for s in ctx.report.sections if s.key is not None and not s.official
    ]
    return out or [ctx.passed("各部分标题均为官方表述")]


@rule("C_PRE2019_STRUCTURE")
def pre2019_structure(ctx: Context) -> Iterable[Finding]:
    report = ctx.report
    if (skip := ctx.no_prose()) is not None:
        return [skip]
    if report.year is None:
        return [ctx.finding(UNCERTAIN, "报告年度未知，无法判断是否应使用新结构")]
    if report.year < FIRST_YEAR:
        return [ctx.not_assessable("2019年以前的报告本就使用旧结构")]
    old = [s for s in report.sections if s.key is None]
    text = normalize_label(report.text)
    markers = [m for m in pre2019_markers()["markers"] if normalize_label(m) in text]
    if report.format_version == "pre2019" or old or len(markers) >= 2:
        ev = [e for s in old for e in _ev(s)] + [{"where": "正文", "raw": m} for m in markers]
        return [ctx.finding(FAIL, f"{report.year}年度报告沿用了2019年以前的报告结构（{'、'.join(markers or [s.heading for s in old])}）",
                            evidence=ev)]
    return [ctx.passed("未见旧结构标志")]


@rule("C_TABLES_PRESENT")
def tables_present(ctx: Context) -> Iterable[Finding]:
    if ctx.report.year is not None and ctx.report.year < FIRST_YEAR:
        return [ctx.not_assessable(f"{ctx.report.year}年度报告适用旧条例时期的表格")]
    out = []
    for name, number in TABLE_SECTIONS.items():
        if ctx.has_table(name):
            out.append(ctx.passed(f"表{name}以数据表格形式列出", table=name))
            continue
        section = ctx.report.section(number)
        how = "只有标题，没有表格数据" if section is not None else "未找到该部分和表格"
        out.append(ctx.finding(FAIL, f"表{name}{how}", table=name, evidence=_ev(section)))
    return out

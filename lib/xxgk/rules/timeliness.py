"""Publication deadlines of 条例第四十九条: departments by 31 January, a government's own report by 31 March.

The publication date is looked for in four places, each named on the finding it supports:

1. the publication register (data/publications.csv: agency, year, date) — a recorded publication date;
2. the page's own metadata (Report.published, e.g. an HTML page's 发布日期) — a recorded publication date;
3. the report's closing date (落款日期, a date line at the end of the text) — the report cannot have been
   published before it was signed, so a closing date after the deadline proves lateness, one before it
   proves nothing about the publication;
4. the PDF/DOCX file's own creation/modification date — a hint only, never a verdict.

Recorded dates decide (pass/fail); recorded dates that disagree about the deadline, a closing date
within the deadline (signed in time, publication unknown) or a file date after it leave the outcome
uncertain; with no date at all (a file date within the deadline proves nothing) the outcome is
not_assessable and names every source that was tried. The deadlines and the first year they apply to are the rule's
`params` in catalog.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Iterable

from xxgk.model import FAIL, UNCERTAIN, Finding
from xxgk.rules import Context, agency_kind, agency_record, rule

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN = "〇○零ＯO一二三四五六七八九十"
_CLOSING = re.compile(rf"^\s*((?:19|20)\d{{2}}|[{_CN}]{{4}})\s*年\s*(\d{{1,2}}|[{_CN}]{{1,3}})\s*月\s*"
                      rf"(\d{{1,2}}|[{_CN}]{{1,3}})\s*日\s*$")
_CLOSING_LINES = 8  # the 落款 stands in the last lines of the text (before download/QR-code boilerplate)
REGISTER, PAGE, CLOSING, FILE = "register", "page", "closing", "file"
SOURCE_NAMES = {
    REGISTER: "发布登记表（publications.csv）",
    PAGE: "页面所示发布日期",
    CLOSING: "报告落款日期",
    FILE: "文件属性（仅供参考）",
}


@dataclass(frozen=True)
class DateClaim:
    """One date about a report's publication and where it was read."""

    kind: str  # REGISTER, PAGE, CLOSING or FILE
    when: date
    where: str  # the source as a reader can find it
    raw: str  # the text as written

    def evidence(self) -> dict[str, str]:
        return {"where": f"{SOURCE_NAMES[self.kind]}：{self.where}", "raw": self.raw}


def parse_date(text) -> date | None:
    m = _DATE.search(str(text or ""))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "十" in text:  # 十, 十二, 二十, 二十三, 三十一
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        return None if t is None or o is None else 10 * t + o
    digits = [_CN_DIGITS.get(ch) for ch in text]
    return None if None in digits else int("".join(map(str, digits)))


def closing_date(text: str) -> tuple[date, str, int] | None:
    """The report's closing date (落款日期): (date, the line as written, its line number), or None.

    Only a line that is nothing but a date, among the last lines of the text, counts: dates inside
    sentences are about events, not about the report.
    """
    lines = (text or "").splitlines()
    start = max(0, len(lines) - _CLOSING_LINES)
    for i in range(len(lines) - 1, start - 1, -1):
        m = _CLOSING.match(lines[i])
        if not m:
            continue
        y, mo, d = (_cn_number(g) for g in m.groups())
        try:
            return date(y, mo, d), lines[i].strip(), i + 1
        except (TypeError, ValueError):
            return None
    return None


def _register_rows(ctx: Context) -> list[dict]:
    """publications.csv rows for this report: by agency id and year, else by the file's path."""
    year = str(ctx.report.year or "")
    rec = agency_record(ctx.report, ctx.agencies) or {}
    agency_id = str(rec.get("agency_id") or "")
    rows = [p for p in ctx.publications if agency_id and str(p.get("agency_id") or "") == agency_id
            and str(p.get("year") or "") == year]
    if rows:
        return rows
    src = PurePath(str(ctx.report.source_file or "")).as_posix()
    return [p for p in ctx.publications if p.get("source_file") and src.endswith("/" + str(p["source_file"]).lstrip("/"))]


def date_claims(ctx: Context) -> tuple[list[DateClaim], list[str]]:
    """Every date found about the report's publication, and what each source said when it had none."""
    from xxgk.file_dates import file_dates

    r = ctx.report
    claims: list[DateClaim] = []
    tried: list[str] = []
    rows = _register_rows(ctx)
    got = [(p, parse_date(p.get("published"))) for p in rows]
    claims += [DateClaim(REGISTER, d, f"{p.get('agency_id')} {p.get('year')}年度", str(p.get("published")))
               for p, d in got if d]
    if not any(d for _, d in got):
        tried.append(f"{SOURCE_NAMES[REGISTER]}{'未填日期' if rows else '无此报告的记录'}")
    page = parse_date(r.published)
    if page:
        claims.append(DateClaim(PAGE, page, "页面元数据", str(r.published)))
    else:
        tried.append(f"{SOURCE_NAMES[PAGE]}无")
    closing = closing_date(r.text)
    if closing:
        claims.append(DateClaim(CLOSING, closing[0], f"正文第{closing[2]}行", closing[1]))
    else:
        tried.append(f"{SOURCE_NAMES[CLOSING]}无")
    meta = file_dates(str(r.source_file or ""))
    if meta:
        name = PurePath(str(r.source_file)).name
        claims += [DateClaim(FILE, d, f"{name} 的{what}", str(d)) for what, d in meta]
    else:
        tried.append("文件属性无日期（只有 PDF、Word 文件有）")
    return claims, tried


def _deadline(ctx: Context, government: bool) -> Iterable[Finding]:
    params = ctx.meta.params
    claims, tried = date_claims(ctx)
    ev = [c.evidence() for c in claims]  # every date found is shown, whatever the outcome
    kind = agency_kind(ctx)
    if kind is None:
        return [ctx.not_assessable("不知道发布机关的类型，无法判断时限", evidence=ev)]
    if kind["township"]:
        return [ctx.not_assessable("条例未规定乡镇（街道）的发布时限，以当地通知为准", evidence=ev)]
    if kind["government"] != government:
        return [ctx.not_assessable(f"本条只适用于{'人民政府本级报告' if government else '政府部门的报告'}", evidence=ev)]
    year = ctx.report.year
    if not year:
        return [ctx.not_assessable("报告年度未知", evidence=ev)]
    if year < params["first_year"]:
        return [ctx.not_assessable(f"{year}年度报告在现行条例施行前公布，适用旧条例的时限，本条不适用", evidence=ev)]
    due = date(year + 1, params["due_month"], params["due_day"])
    # a date before the report year ended cannot be its publication date (e.g. a template's file date)
    usable = [c for c in claims if c.when.year > year]
    implausible = [c for c in claims if c.when.year <= year]
    for c in implausible:
        tried.append(f"{SOURCE_NAMES[c.kind]} {c.when} 早于报告年度结束，不可能是发布日期")
    recorded = [c for c in usable if c.kind in (REGISTER, PAGE)]
    closing = next((c for c in usable if c.kind == CLOSING), None)
    hints = [c for c in usable if c.kind == FILE]
    kw = {"expected": f"{due} 前公布", "evidence": ev}

    def late(c: DateClaim) -> int:
        return (c.when - due).days

    if recorded:
        if len({late(c) > 0 for c in recorded}) > 1:
            said = "；".join(f"{SOURCE_NAMES[c.kind]}为 {c.when}" for c in recorded)
            return [ctx.finding(UNCERTAIN, f"发布日期的记载不一致（{said}），是否晚于法定时限 {due} 需核实", **kw)]
        first = recorded[0]
        if late(first) > 0:
            return [ctx.finding(FAIL, f"{first.when} 发布（{SOURCE_NAMES[first.kind]}），晚于法定时限 {due}"
                                      f"（迟 {late(first)} 天）", actual=str(first.when), difference=late(first), **kw)]
        if closing is not None and closing.when > first.when:
            return [ctx.finding(UNCERTAIN, f"落款日期 {closing.when} 晚于所记发布日期 {first.when}，发布日期需核实",
                                actual=str(first.when), **kw)]
        return [ctx.passed(f"{first.when} 发布（{SOURCE_NAMES[first.kind]}），在法定时限 {due} 之前",
                           actual=str(first.when), **kw)]
    if closing is not None and late(closing) > 0:
        return [ctx.finding(FAIL, f"报告落款日期为 {closing.when}，已晚于法定时限 {due}（迟 {late(closing)} 天）；"
                                  f"报告不会早于落款日期公布", actual=str(closing.when), difference=late(closing), **kw)]
    sought = "；".join(tried)
    latest = max(hints, key=lambda c: c.when) if hints else None
    if latest is not None and late(latest) > 0:
        return [ctx.finding(UNCERTAIN, f"文件属性所记日期 {latest.when} 晚于法定时限 {due}，可能迟发；文件属性不是发布日期，"
                                       f"仅供参考，请核实（{sought}）", actual=f"文件属性 {latest.when}", **kw)]
    if closing is not None:
        return [ctx.finding(UNCERTAIN, f"报告落款日期 {closing.when} 在法定时限 {due} 之前，但实际发布日期未见记载"
                                       f"（{sought}），无法确认按时公布", actual=f"落款 {closing.when}", **kw)]
    known = [f"文件属性所记日期 {latest.when}（仅供参考）"] if latest is not None else []
    return [ctx.not_assessable("发布日期未知：" + "；".join(tried + known), evidence=ev)]


@rule("C_DEADLINE_DEPARTMENT")
def deadline_department(ctx: Context) -> Iterable[Finding]:
    return _deadline(ctx, government=False)


@rule("C_DEADLINE_GOVERNMENT")
def deadline_government(ctx: Context) -> Iterable[Finding]:
    return _deadline(ctx, government=True)

"""Publication deadlines of 条例 Art. 49: departments by 31 January, a government's own report by 31 March."""

from __future__ import annotations

import re
from datetime import date
from typing import Iterable

from xxgk.model import FAIL, Finding
from xxgk.rules import Context, agency_record, rule

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_TOWNSHIP_NAME = re.compile(r"(镇|乡|街道)(人民政府|政府|办事处)?$")
_GOVERNMENT_NAME = re.compile(r"(人民政府|政府|管委会|管理委员会|[省市县区旗州])$")  # a bare region name is its government
_LEVELS = {  # agencies.csv `level` values (English or Chinese) -> (township?, rule-making level?)
    "national": (False, True), "国家": (False, True), "中央": (False, True),
    "province": (False, True), "provincial": (False, True), "省": (False, True), "省级": (False, True),
    "city": (False, True), "市": (False, True), "市级": (False, True), "prefecture": (False, True),
    "county": (False, False), "县": (False, False), "县级": (False, False), "district": (False, False),
    "township": (True, False), "town": (True, False), "乡镇": (True, False), "街道": (True, False),
    "乡": (True, False), "镇": (True, False),
}


def parse_date(text) -> date | None:
    m = _DATE.search(str(text or ""))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def agency_kind(ctx: Context) -> dict | None:
    """What Art. 49 needs to know: government or department, township or not, rule-making level.

    agencies.csv `level` decides the level when given; otherwise the name does (镇/乡/街道 = township,
    …人民政府 = a government). Returns None when nothing is known.
    """
    rec = agency_record(ctx.report, ctx.agencies) or {}
    name = str(rec.get("name") or ctx.report.agency or "").strip()
    level = str(rec.get("level") or "").strip().lower()
    if not name and not level:
        return None
    township = _LEVELS[level][0] if level in _LEVELS else bool(_TOWNSHIP_NAME.search(name))
    government = bool(_GOVERNMENT_NAME.search(name)) and "办公" not in name
    if level in _LEVELS:
        rulemaker = _LEVELS[level][1] and (government or level in ("national", "国家", "中央"))
    else:
        rulemaker = government and not re.search(r"[县区旗镇乡]", name) and bool(re.search(r"[省市]", name))
    label = "乡镇（街道）" if township else ("人民政府" if government else "政府部门")
    return {"township": township, "government": government, "rulemaker": rulemaker, "label": label}


def _published(ctx: Context) -> tuple[date | None, str]:
    got = parse_date(ctx.report.published)
    if got:
        return got, f"页面所示发布日期 {ctx.report.published}"
    rec = agency_record(ctx.report, ctx.agencies) or {}
    got = parse_date(rec.get("published"))
    if got and ctx.report.year and got.year == ctx.report.year + 1:
        return got, f"登记表所示发布日期 {rec.get('published')}"
    return None, ""


def _deadline(ctx: Context, government: bool, month: int, day: int) -> Iterable[Finding]:
    kind = agency_kind(ctx)
    if kind is None:
        return [ctx.not_assessable("不知道发布机关的类型，无法判断时限")]
    if kind["township"]:
        return [ctx.not_assessable("条例未规定乡镇（街道）的发布时限，以当地通知为准")]
    if kind["government"] != government:
        return [ctx.not_assessable(f"本条只适用于{'人民政府本级报告' if government else '政府部门的报告'}")]
    if not ctx.report.year:
        return [ctx.not_assessable("报告年度未知")]
    published, source = _published(ctx)
    if published is None:
        return [ctx.not_assessable("发布日期未知")]
    due = date(ctx.report.year + 1, month, day)
    ev = [{"where": source, "raw": str(published)}]
    if published > due:
        late = (published - due).days
        return [ctx.finding(FAIL, f"{published} 发布，晚于法定时限 {due}（迟 {late} 天）", expected=str(due),
                            actual=str(published), difference=late, evidence=ev)]
    return [ctx.passed(f"{published} 发布，在法定时限 {due} 之前", expected=str(due), actual=str(published),
                       evidence=ev)]


@rule("C_DEADLINE_DEPARTMENT")
def deadline_department(ctx: Context) -> Iterable[Finding]:
    return _deadline(ctx, government=False, month=1, day=31)


@rule("C_DEADLINE_GOVERNMENT")
def deadline_government(ctx: Context) -> Iterable[Finding]:
    return _deadline(ctx, government=True, month=3, day=31)

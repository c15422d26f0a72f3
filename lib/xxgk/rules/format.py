"""The right official format for the year, and labels as the format prints them."""

from __future__ import annotations

import re
from typing import Iterable

from xxgk.layouts import layout_for_year, load_layout, normalize_label
from xxgk.model import FAIL, UNCERTAIN, Finding
from xxgk.rules import Context, evidence, rule

LABEL_NOTE_KINDS = ("label_variant", "label_typo", "column_label")


@rule("C_FORMAT_VERSION")
def format_version(ctx: Context) -> Iterable[Finding]:
    report = ctx.report
    if report.year is None:
        return [ctx.finding(UNCERTAIN, "报告年度未知，无法判断应使用的格式")]
    expected = layout_for_year(report.year)
    if expected is None:
        return [ctx.not_assessable(f"{report.year}年度早于2019年格式")]
    ev = [{"where": "表格标志", "raw": report.version_reason}]
    if report.format_version not in ("2019", "2021"):
        if not report.cells:
            return [ctx.not_assessable("报告中没有可识别的表格")]
        return [ctx.finding(UNCERTAIN, "无法判断表格所用格式版本", evidence=ev)]
    if report.format_version != expected.version:
        used = load_layout(report.format_version)
        return [ctx.finding(FAIL, f"{report.year}年度报告使用了{used.version}年格式（{used.issuing_document}），应使用{expected.version}年格式（{expected.issuing_document}）",
                            expected=expected.version, actual=report.format_version, evidence=ev)]
    return [ctx.passed(f"使用{expected.version}年格式，与年度相符", expected=expected.version,
                       actual=report.format_version, evidence=ev)]


def _old_citations() -> list[str]:
    """Normalized strings that cite the 2019 notice or its 试行 format (taken from the layout)."""
    old = load_layout("2019")
    number = re.search(r"〔\d{4}〕\d+号", old.issuing_document).group(0)
    trial = old.format_title[old.format_title.index("格式"):]
    return [normalize_label(number), normalize_label(trial)]


@rule("C_FORMAT_CITATION")
def format_citation(ctx: Context) -> Iterable[Finding]:
    report = ctx.report
    if report.year is None or report.year < load_layout("2021").first_year:
        return [ctx.not_assessable("只适用于2021年度及以后的报告")]
    text = normalize_label(report.text)
    hits = []
    for needle in _old_citations():
        at = text.find(needle)
        if at >= 0:
            hits.append({"where": "正文", "raw": text[max(0, at - 20): at + len(needle) + 10]})
    if hits:
        return [ctx.finding(FAIL, f"{report.year}年度报告仍援引2019年格式（{'；'.join(h['raw'] for h in hits)}）",
                            evidence=hits)]
    return [ctx.passed("未援引已废止的2019年格式")]


_PUNCT = re.compile(r"[\W_]+")
_CN_DIGITS = dict(enumerate("零一二三四五六七八九十"))


def _label_notes(ctx: Context, columns: bool):
    """(note, written label, official label) for label deviations beyond punctuation (1、 vs 1.), read from
    the notes' fields (axis, written, official), never from their wording."""
    for n in ctx.report.notes:
        if n.kind not in LABEL_NOTE_KINDS or n.axis != ("column" if columns else "row"):
            continue
        written, official = n.written, n.official
        if written and official and _PUNCT.sub("", normalize_label(written)) == _PUNCT.sub("", normalize_label(official)):
            continue
        if written and _TOOL_PLACEHOLDER.match(written.strip()):
            continue
        yield n, written, official


# Renderings that another tool made from the published report (an OCR/LLM Markdown, a JSON dump): their
# row and column labels are the tool's, so label deviations are reading notes, not the agency's doing.
DERIVED_RENDERINGS = ("markdown", "json_tables")
_TOOL_PLACEHOLDER = re.compile(r"^(数据|列|column|col)\s*\d+$", re.IGNORECASE)  # 数据1…6: a header a tool invented


def _label_findings(ctx: Context, columns: bool) -> list[Finding]:
    if ctx.report.rendering in DERIVED_RENDERINGS:
        return [ctx.not_assessable("此文件是其他工具从原报告转换所得，标签差异可能来自转换，只作为读取说明列出")]
    if not columns:
        return [ctx.finding(FAIL, n.message, row=official, actual=written, expected=official,
                            evidence=[{"where": n.where, "raw": written or n.message}])
                for n, written, official in _label_notes(ctx, columns=False)]
    by_table: dict[str, list] = {}
    for n, written, _ in _label_notes(ctx, columns=True):
        by_table.setdefault(n.table or "", []).append((n, written))
    return [ctx.finding(FAIL, f"表{t}有 {len(items)} 处列标题与官方格式不同：{'、'.join(f'“{w}”' for _, w in items[:8])}",
                        table=t or None, actual=[w for _, w in items],
                        evidence=[{"where": n.where, "raw": w or n.message} for n, w in items])
            for t, items in by_table.items()]


@rule("C_ROW_LABELS")
def row_labels(ctx: Context) -> Iterable[Finding]:
    if not ctx.report.cells:
        return [ctx.not_assessable("没有读到表格")]
    return _label_findings(ctx, columns=False) or [ctx.passed("行标签与官方格式一致")]


@rule("C_COLUMN_LABELS")
def column_labels(ctx: Context) -> Iterable[Finding]:
    if not ctx.report.cells:
        return [ctx.not_assessable("没有读到表格")]
    return _label_findings(ctx, columns=True) or [ctx.passed("列标题与官方格式一致")]


@rule("C_GROUP_ROW_SPLIT")
def group_row_split(ctx: Context) -> Iterable[Finding]:
    """A group (2021 表三 （六）其他处理) filled as one row: one finding; its value stands for the group."""
    from xxgk.rules.arithmetic import filled_as_one_row

    if ctx.layout is None or not ctx.report.cells:
        return [ctx.not_assessable("没有读到2019或2021格式的表格")]
    out = []
    for table in ctx.layout.tables:
        for group in filled_as_one_row(ctx, table):
            subs = table.children(group.key)
            own = [c for col in table.columns if (c := ctx.cell(table.id, group.key, col.key)) is not None]
            out.append(ctx.finding(
                FAIL, f"表{table.table}{group.label}未按{ctx.layout.version}格式分{_CN_DIGITS[len(subs)]}项填写，只填了合计一行",
                table=table.table, subtable=table.subtable, row=group.label,
                expected="、".join(r.label for r in subs), actual=f"{group.label}一行",
                evidence=evidence(*own[-1:])))
    return out or [ctx.passed("分项的行均分项填写")]

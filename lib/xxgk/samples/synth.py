"""Consistent reports built from the layout: every identity holds and the text restates the tables.

Tests, sample data and notebooks start from these and change one thing at a time.

Examples:
    >>> r = consistent_report("2021", 2022, seed=3)
    >>> r.value("t3", "new_received", "total") + r.value("t3", "carried_over", "total") == (
    ...     r.value("t3", "total_processed", "total") + r.value("t3", "carried_forward", "total"))
    True
"""

from __future__ import annotations

import copy
import random

from xxgk.layouts import Table, load_layout
from xxgk.model import Cell, Report, Section
from xxgk.values import NUMBER, parse_value

S1_POOL = [
    "本机关坚持以公开为常态、不公开为例外，围绕中心工作做好主动公开。",
    "全年通过门户网站发布各类政府信息，及时更新政府信息公开指南和目录。",
    "严格落实公开前保密审查，确保发布信息准确、规范。",
    "围绕优化营商环境，集中公开惠企政策和办事指南，开展政策解读。",
    "依托政务新媒体拓宽公开渠道，回应社会关切。",
    "完善依申请公开登记、审核、答复流程，按时答复各类申请。",
    "组织开展政务公开业务培训，提升工作人员业务水平。",
    "推进基层政务公开标准化规范化，梳理公开事项清单。",
]
S5_PROBLEMS = [
    "主动公开的深度和广度有待拓展",
    "政策解读形式较为单一，图解、视频解读不够",
    "依申请公开答复文书的规范性仍有不足",
    "公开目录更新不够及时",
    "工作人员业务能力与新要求还有差距",
]
S5_MEASURES = [
    "加强业务培训，提升答复质量",
    "完善公开目录，做到应公开尽公开",
    "丰富政策解读形式，增加图解和视频解读",
    "健全信息发布审核机制，确保及时准确",
    "推进政务新媒体规范运营",
]


def _ints(rng: random.Random, n: int, high: int) -> list[int]:
    return [rng.choice([0, 0, 0, rng.randint(0, high)]) for _ in range(n)]


def _table3(rng: random.Random, table: Table, carried_over: dict[str, int] | None) -> dict[tuple[str, str], int]:
    """Values of table 三 where every column balances and the 总计 column sums the applicant columns."""
    total_col = table.columns[-1].key
    parts = [r for r in table.data_rows if r.parent is not None and r.key != "total_processed"]
    top = [r.key for r in table.rows if r.parent is None and not r.group]  # new_received, carried_over, carried_forward
    vals: dict[tuple[str, str], int] = {}
    for i, col in enumerate(table.columns[:-1]):
        high = 12 if i == 0 else 3
        for r, v in zip(parts, _ints(rng, len(parts), high)):
            vals[(r.key, col.key)] = v
        processed = sum(vals[(r.key, col.key)] for r in parts)
        vals[("total_processed", col.key)] = processed
        over = carried_over[col.key] if carried_over else rng.choice([0, 0, rng.randint(0, 2)])
        forward = rng.choice([0, 0, rng.randint(0, 2)])
        forward = max(forward, over - processed)  # keeps 本年新收 non-negative
        vals[(top[1], col.key)] = over
        vals[(top[2], col.key)] = forward
        vals[(top[0], col.key)] = processed + forward - over
    for r in table.data_rows:
        vals[(r.key, total_col)] = sum(vals[(r.key, c.key)] for c in table.columns[:-1])
    return vals


def _table4(rng: random.Random, table: Table) -> dict[tuple[str, str], int]:
    vals = {}
    row = table.rows[0].key
    for group in dict.fromkeys(c.group for c in table.columns):
        cols = [c for c in table.columns if c.group == group]
        for c in cols[:-1]:
            vals[(row, c.key)] = rng.choice([0, 0, rng.randint(0, 3)])
        vals[(row, cols[-1].key)] = sum(vals[(row, c.key)] for c in cols[:-1])
    return vals


def _table2(rng: random.Random, table: Table, prev: Report | None) -> dict[tuple[str, str], float | int]:
    """Plausible 表二 values; 规章 rows stay 0 (the default agency makes no 规章)."""
    vals: dict[tuple[str, str], float | int] = {}
    for r in table.data_rows:
        def before(key, r=r):
            return prev.value(table.id, r.key, key) if prev is not None else None

        for c in table.columns:
            if r.key == "regulations":
                vals[(r.key, c.key)] = 0
            elif c.type == "decimal":
                vals[(r.key, c.key)] = round(rng.uniform(0, 40), 2)
            elif c.type == "signed_int":
                vals[(r.key, c.key)] = rng.randint(-vals[(r.key, "prev_year_items")], 8)
            elif c.key == "prev_year_items" and before("prev_year_items") is not None:
                vals[(r.key, c.key)] = before("prev_year_items") + before("change")
            else:
                vals[(r.key, c.key)] = rng.randint(0, 30)
        keys = [c.key for c in table.columns]
        if "total_published" in keys and r.key != "regulations":
            base = before("total_published") if before("total_published") is not None else rng.randint(0, 60)
            vals[(r.key, "total_published")] = base + vals[(r.key, "new_published")]
        if "valid" in keys and r.key != "regulations":
            base = before("valid") if before("valid") is not None else rng.randint(0, 60)
            vals[(r.key, "repealed")] = min(vals[(r.key, "repealed")], base)
            vals[(r.key, "valid")] = base + vals[(r.key, "issued")] - vals[(r.key, "repealed")]
        if "purchase_count" in keys:
            count = vals[(r.key, "purchase_count")]
            vals[(r.key, "purchase_amount")] = round(rng.uniform(1, 500), 2) if count else 0
    return vals


def consistent_report(version: str = "2021", year: int | None = None, agency: str = "某县商务局", seed: int = 0,
                      previous: Report | None = None) -> Report:
    """A report of `agency` whose tables, text, year and format all agree.

    With `previous`, this year's 上年结转 and 表二 stocks continue last year's report.
    """
    layout = load_layout(version)
    year = year or layout.first_year
    rng = random.Random(f"{version}-{year}-{agency}-{seed}")
    report = Report(source_file=f"synthetic:{agency}:{year}", agency=agency, year=year, format_version=version,
                    rendering="synthetic", published=f"{year + 1}-01-20", year_reason="synthetic",
                    version_reason=f"{version} 格式（合成）")
    line = 1
    for table in layout.tables:
        if table.table == "三":
            over = ({c.key: previous.value("t3", "carried_forward", c.key) for c in table.columns[:-1]}
                    if previous is not None else None)
            vals = _table3(rng, table, over)
        elif table.table == "四":
            vals = _table4(rng, table)
        else:
            vals = _table2(rng, table, previous if previous is not None and previous.format_version == version else None)
        for r in table.data_rows:
            for c in table.columns:
                v = vals[(r.key, c.key)]
                report.cells.append(Cell(table.table, table.subtable, r.label, c.path, v, str(v), NUMBER,
                                         f"第{line}行", table.id, r.key, c.key))
                line += 1
    _write_text(report, rng)
    return report


def with_cell(report: Report, table_id: str, row_key: str, column_key: str, raw: str) -> Report:
    """A copy of `report` where one cell reads `raw` (parsed as a reader would: '' is blank, '/' is na)."""
    out = copy.deepcopy(report)
    cell = next(c for c in out.cells if (c.table_id, c.row_key, c.column_key) == (table_id, row_key, column_key))
    parsed = parse_value(raw)
    cell.raw, cell.value, cell.status, cell.unit = raw, parsed.value, parsed.status, parsed.unit
    return out


def _write_text(report: Report, rng: random.Random) -> None:
    y, v = report.year, report.value
    report.preface = (f"{report.agency}{y}年政府信息公开工作年度报告\n"
                      f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。")
    new, over = v("t3", "new_received", "total"), v("t3", "carried_over", "total")
    done, fwd = v("t3", "total_processed", "total"), v("t3", "carried_forward", "total")
    granted = v("t3", "granted", "total")
    share = f"，占{100 * granted / done:.1f}%" if done else ""
    rv = v("t4", "cases", "rv_total")
    lit = v("t4", "cases", "ld_total") + v("t4", "cases", "la_total")
    bodies = {
        1: "".join(rng.sample(S1_POOL, 3))
        + f"本年度共收到政府信息公开申请{new}件，上年结转{over}件，办结{done}件，结转下年度继续办理{fwd}件。"
        + f"其中予以公开{granted}件{share}。",
        2: "主动公开情况见下表。",
        3: "收到和处理申请情况见下表。",
        4: f"本年度因政府信息公开被申请行政复议{rv}件，被提起行政诉讼{lit}件。",
        5: "存在的主要问题：一是" + "；二是".join(rng.sample(S5_PROBLEMS, 2))
        + f"。改进措施：{y + 1}年，我们将" + "，".join(rng.sample(S5_MEASURES, 3)) + "。",
        6: "本年度未收取信息处理费，无其他需要报告的事项。" if y >= 2021 else "无其他需要报告的事项。",
    }
    for sec in load_layout(report.format_version).sections:
        report.sections.append(Section(sec.number, sec.heading, bodies[sec.number], f"第{sec.number}部分", sec.key, True))
    report.text = "\n".join([report.preface] + [f"{s.heading}\n{s.text}" for s in report.sections])


def render_pipe_text(report: Report) -> str:
    """The report as one-cell-per-line web text (the reference report's rendering), for reader round trips.

    The tables are laid out by the sample-data writer, so there is one pipe-text writer in the package.
    """
    from xxgk.samples.render import SampleDocument, write_pipe_text

    doc = SampleDocument(report.preface.splitlines()[0], "", "", report.agency or "", report_blocks(report),
                         load_layout(report.format_version), cell_raws(report))
    return write_pipe_text(doc).decode("utf-8") + "\n"


def report_blocks(report: Report) -> list[tuple[str, str]]:
    """The report's words in reading order for a writer: preface lines, each section's heading and text,
    and ("table", 二/三/四) where the section has an official table."""
    layout = load_layout(report.format_version)
    blocks = [("para", line) for line in report.preface.splitlines()]
    for s in report.sections:
        blocks += [("para", s.heading), ("para", s.text)]
        name = "一二三四五六"[s.number - 1]
        if layout.tables_of(name):
            blocks.append(("table", name))
    return blocks


def cell_raws(report: Report) -> dict[tuple[str, str, str], str]:
    """(table id, row key, column key) -> the cell's text as written."""
    return {(c.table_id, c.row_key, c.column_key): c.raw for c in report.cells}

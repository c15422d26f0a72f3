"""What reviewers hand over, made from a year's review summaries (so they say what the reviews said).

问题清单.xlsx (a summary sheet and one row per finding), one 整改通知.docx per agency, findings.csv and
cells.csv for Excel on Chinese Windows (UTF-8 BOM, Chinese headers, evidence as text; the English
machine form stays under machine/), 领导摘要.html (one printable page per region) and, on request, each
review printed to PDF by headless Chromium. Words and column headers are data in handover.yaml.
"""

from __future__ import annotations

import csv
import html
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from xxgk import registry, yamlfile

from xxgk.batch.summaries import Summaries
from xxgk.batch.word import Paragraph, document_bytes
from xxgk.review import pages
from xxgk.config import PACKAGE_DIR
from xxgk.fmt import SEVERITY_NAMES
from xxgk.files import atomic_file, atomic_text, write_atomic
from xxgk.spreadsheet_safe import Writer, as_text

WORKBOOK = "问题清单.xlsx"
LEADER_PAGE = "领导摘要.html"
NOTICE_SUFFIX = ".整改通知.docx"
MACHINE_SUBDIR = "machine"  # English-keyed CSVs for scripts
BOM = "\ufeff"
EVIDENCE_SHOWN = 5  # places listed per finding; the rest counted
TIMELINESS = "timeliness"


@lru_cache(maxsize=1)
def labels() -> dict:
    return yamlfile.load(PACKAGE_DIR / "batch" / "handover.yaml")


# -- one row per finding --------------------------------------------------------------------------
def evidence_text(evidence) -> tuple[str, str]:
    """(places, words) of a finding's evidence as a reader writes them: 表2 第4行 第3格；… 等12处."""
    items = [e for e in (evidence or []) if isinstance(e, dict)]
    shown = items[:EVIDENCE_SHOWN]
    more = f" 等{len(items)}处" if len(items) > EVIDENCE_SHOWN else ""
    where = "；".join(str(e.get("where") or e.get("cell") or "") for e in shown if e.get("where") or e.get("cell"))
    raw = "；".join(f"“{e.get('raw')}”" if str(e.get("raw") or "").strip() else "（空白）" for e in shown
                   if "raw" in e)
    return (where + more if where else ""), (raw + more if raw else "")


def finding_rows(current: Mapping[str, dict]) -> Iterator[dict]:
    """Every finding of every agency's summary, in Chinese, numbered (the rows of findings.csv and the sheet), made
    as they are read: each output passes over them once, and a region's rows are never in memory at once."""
    from xxgk.rules import catalog

    rules, words = catalog(), labels()
    n = 0
    for agency_id, s in current.items():
        for f in s.get("findings", []):
            meta = rules.get(f.get("rule"))
            where, raw = evidence_text(f.get("evidence"))
            category = f.get("category") or ""
            status = f.get("status") or ""
            correction = (words["corrections"].get(category, "") if status == "fail"
                          else words["uncertain_correction"])
            n += 1
            yield {
                "序号": n, "机关编号": agency_id, "机关": s.get("agency") or agency_id,
                "年度": s.get("year", ""), "类别": words["categories"].get(category, category),
                "问题": f.get("message") or "",
                "依据": f"{meta.statement}（{meta.basis}）" if meta else "",
                "原文位置": where, "原文": raw, "应为": _text(f.get("expected")), "实为": _text(f.get("actual")),
                "严重程度": SEVERITY_NAMES.get(f.get("severity"), f.get("severity") or ""),
                "状态": words["statuses"].get(status, status),
                "整改要求": correction, "规则": f.get("rule") or "",
                "已豁免": "是" if f.get("waived") else "", "豁免理由": f.get("waiver_reason") or "",
                "_status": status, "_waived": bool(f.get("waived")), "_category": category,
            }


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def lateness(findings: list[dict]) -> str:
    """逾期 / 无法判断 / 未发现逾期 from a review summary's timeliness findings (waived ones excepted)."""
    said = {f.get("status") for f in findings if f.get("category") == TIMELINESS and not f.get("waived")}
    return "逾期" if "fail" in said else ("无法判断" if "uncertain" in said else "未发现逾期")


def summary_rows(agencies, current: Mapping[str, dict], publications: list[dict], year: int) -> list[dict]:
    """One row per registered agency: score, grade, counts, publication date, lateness, report or none."""
    published = {p.get("agency_id"): p.get("published") for p in publications if str(p.get("year")) == str(year)}
    out = []
    for agency_id in agencies.index:
        rec = agencies.loc[agency_id]
        s = current.get(agency_id)
        late = lateness(s.get("findings", [])) if s else ""
        out.append({
            "机关": rec["name"], "层级": registry.level_name(rec.get("level", "")),
            "得分": s.get("score") if s and s.get("grade") is not None else None,
            "等级": (s.get("grade") or "无法评分") if s else "",
            "可评估规则占比": s.get("coverage") if s else None,
            "错误": s.get("errors") if s else None, "警告": s.get("warnings") if s else None,
            "发布日期": published.get(agency_id) or ("未登记" if s else ""),
            "是否逾期": late,
            "是否缺报": "" if s else "本年无报告文件",
            "_agency_id": agency_id, "_region": rec.get("region", ""),
        })
    return out


# -- files ------------------------------------------------------------------------------------------
def write_workbook(out, summary: list[dict], rows: Iterable[dict]) -> None:
    """问题清单.xlsx to the binary file `out`: 汇总 and 问题清单 sheets, frozen header, filters, set widths; text is
    never a formula.

    Written row by row (openpyxl's write-only mode): a region of a thousand agencies has tens of thousands of
    cells, which a workbook held whole keeps as objects until it is saved."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    words = labels()
    book = Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for title, columns, data in (("汇总", words["summary_columns"], summary), ("问题清单", words["sheet_columns"], rows)):
        sheet = book.create_sheet(title)
        for col, name in enumerate(columns, start=1):  # set before any row: a streamed sheet writes them first
            sheet.column_dimensions[get_column_letter(col)].width = words["widths"].get(name, 12)
        sheet.freeze_panes = "A2"
        header = []
        for name in columns:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        written = 0
        for written, record in enumerate(data, start=1):
            line = []
            for name in columns:
                value = record.get(name)
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str) and as_text(value) != value:
                    cell.data_type = "s"  # openpyxl would store "=…" as a formula
                    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
                if name == "可评估规则占比" and value is not None:
                    cell.number_format = "0%"
                cell.alignment = wrap
                line.append(cell)
            sheet.append(line)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{written + 1}"  # written after the rows
    book.save(out)


def notice_bytes(agency: str, year: int, rows: list[dict]) -> bytes:
    """整改通知.docx: the agency, its report, each problem with basis, place, words and fix; a blank deadline."""
    words = labels()["notice"]
    paragraphs = [Paragraph(words["title"], "Heading 1", "center"), Paragraph(f"{agency}：")]
    problems = [r for r in rows if r["_status"] in ("fail", "uncertain") and not r["_waived"]]
    paragraphs.append(Paragraph(words["opening"].format(year=year) if problems else words["none"]))
    for n, r in enumerate(problems, start=1):
        paragraphs.append(Paragraph(words["problem"].format(
            n=n, category=r["类别"], severity=r["严重程度"] if r["_status"] == "fail" else r["状态"], message=r["问题"])))
        for key, value in (("basis", {"basis": r["依据"]}), ("where", {"where": r["原文位置"]}),
                           ("words", {"raw": r["原文"].strip("“”")}),
                           ("values", {"expected": r["应为"], "actual": r["实为"]}),
                           ("correction", {"correction": r["整改要求"]})):
            if any(value.values()) and (key != "values" or (r["应为"] and r["实为"])):
                paragraphs.append(Paragraph(words[key].format(**value), "List Bullet"))
    paragraphs.append(Paragraph(words["closing"]))
    paragraphs += [Paragraph(line, align="right") for line in (words["signature"], words["date_line"])]
    return document_bytes(paragraphs)


def write_findings_csv(out, rows: Iterable[dict]) -> None:
    """findings.csv for Excel to the text file `out`: BOM, Chinese headers, one row per finding, formula-like text
    kept as text."""
    columns = labels()["findings_columns"]
    out.write(BOM)
    writer = Writer(out)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])


def write_cells(out_year: Path, records: Iterable[list[str]]) -> None:
    """machine/cells.csv (the records as they come: header, then agency_id-first rows) and cells.csv for Excel
    (BOM, Chinese headers, statuses in words), both written record by record: a region's cells are never in
    memory at once (the joined text, its encoding and the Excel copy held them several times over at the year's
    end). Without records, an empty machine file and a BOM."""
    words = labels()
    with atomic_text(out_year / MACHINE_SUBDIR / "cells.csv") as machine, atomic_text(out_year / "cells.csv") as excel:
        excel.write(BOM)
        to_machine = csv.writer(machine, lineterminator="\n")  # fields are already spreadsheet-safe in the parts
        to_excel = csv.writer(excel, lineterminator="\n")
        header = None
        for rec in records:
            to_machine.writerow(rec)
            if header is None:
                header = rec
                status_at = header.index("status") if "status" in header else None
                to_excel.writerow([words["cells_columns"].get(h, h) for h in header])
                continue
            if status_at is not None and status_at < len(rec):  # the machine file has it already
                rec[status_at] = words["cell_statuses"].get(rec[status_at], rec[status_at])
            to_excel.writerow(rec)


def leader_html(year: int, summary: list[dict], rows: Iterable[dict], previous: Mapping[str, dict], generated: str,
                sample: bool = False) -> str:
    """领导摘要.html: per region on one A4 page — reports in and missing, late, grades, common problems,
    most errors, the change from last year; each printed page dated (and marked fictional for the sample).
    `rows` (the finding rows) and `previous` (last year's summaries) are each read once."""
    e = html.escape
    regions = list(dict.fromkeys(s["_region"] for s in summary)) or [""]
    region_of = {s["_agency_id"]: s["_region"] for s in summary}
    failed_in: dict[str, list[tuple[str, str, str]]] = {}  # region -> (rule, what it states, agency id)
    for r in rows:
        if r["_status"] == "fail" and not r["_waived"] and r["机关编号"] in region_of:
            failed_in.setdefault(region_of[r["机关编号"]], []).append(
                (r["规则"], r["依据"].split("（")[0] or r["问题"], r["机关编号"]))
    scored = {a: s.get("score") for a, s in previous.items() if s.get("grade") is not None and s.get("score") is not None}
    sheets = []
    for region in regions:
        group = [s for s in summary if s["_region"] == region]
        submitted = [s for s in group if not s["是否缺报"]]
        missing = [s for s in group if s["是否缺报"]]
        late = [s for s in submitted if s["是否逾期"] == "逾期"]
        grades = Counter(s["等级"] for s in submitted)
        failed = failed_in.get(region, [])
        statement = {rule: said for rule, said, _ in failed}
        common = Counter({rule: len(agencies) for rule, agencies in _group(failed).items()})
        most = sorted((s for s in submitted if s["错误"]), key=lambda s: -s["错误"])[:5]
        changes = _changes(group, scored)
        grade_text = "，".join(f"{g} {grades[g]} 个" for g in ("A", "B", "C", "D", "无法评分") if grades[g]) or "无"
        parts = [
            f"<section class='page'><h1>{year}年度政府信息公开工作年度报告审查摘要" + (f"（{e(region)}）" if region else "") + "</h1>",
            pages.stamp_html(sample, generated),
            "<h2>报送情况</h2>",
            f"<p>登记机关 {len(group)} 个，收到报告 {len(submitted)} 份，无报告文件 {len(missing)} 个"
            + (f"（{e('、'.join(s['机关'] for s in missing))}）" if missing else "")
            + f"；审查认定逾期发布 {len(late)} 份" + (f"（{e('、'.join(s['机关'] for s in late))}）" if late else "") + "。</p>",
            "<h2>等级分布</h2>", f"<p>{e(grade_text)}。</p>",
            "<h2>最常见的问题</h2>",
            "<ol>" + "".join(f"<li>{e(statement[rule])}：{n} 个机关</li>" for rule, n in common.most_common(5)) + "</ol>"
            if common else "<p>未发现不符合项。</p>",
            "<h2>错误最多的机关</h2>",
            "<ol>" + "".join(f"<li>{e(s['机关'])}：错误 {s['错误']} 项，等级 {e(str(s['等级']))}</li>" for s in most) + "</ol>"
            if most else "<p>没有机关存在错误级问题。</p>",
            "<h2>与上年相比</h2>", f"<p>{e(changes)}</p>",
            "</section>",
        ]
        sheets.append("\n".join(parts))
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{year}年度政府信息公开工作年度报告审查摘要</title>
<style>
body{{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:0;color:#222;line-height:1.5}}
.page,.lead{{max-width:180mm;margin:0 auto;padding:10mm 0}} .lead{{padding:2mm 0 0}}
h1{{font-size:16pt;margin:0 0 2mm}} h2{{font-size:12pt;margin:5mm 0 1mm;break-after:avoid}}
p,li{{font-size:10.5pt;margin:1mm 0}}
@media print{{@page{{size:A4;margin:15mm}} .page{{padding:0;break-after:page}} .page:last-child{{break-after:auto}} .lead{{display:none}}}}
</style></head><body>
<div class="lead">{pages.nav_html(pages.year_crumbs(year, here="领导摘要"))}</div>
{chr(10).join(sheets)}
</body></html>
"""


def _group(failed: list[tuple[str, str, str]]) -> dict[str, set]:
    by_rule: dict[str, set] = {}
    for rule, _, agency_id in failed:
        by_rule.setdefault(rule, set()).add(agency_id)
    return by_rule


def _changes(group: list[dict], scored: dict[str, float]) -> str:
    """Scores of agencies reviewed (and graded) in both years: how many rose, fell or stayed; the mean of each year.
    `scored`: last year's score of each agency graded then."""
    pairs = [(s["得分"], scored[s["_agency_id"]]) for s in group if s["得分"] is not None and s["_agency_id"] in scored]
    if not pairs:
        return "上年没有可比的审查结果。"
    up = sum(1 for now, then in pairs if now > then)
    down = sum(1 for now, then in pairs if now < then)
    mean_now = sum(p[0] for p in pairs) / len(pairs)
    mean_then = sum(p[1] for p in pairs) / len(pairs)
    return (f"两年都有评分的 {len(pairs)} 个机关：得分上升 {up} 个、下降 {down} 个、持平 {len(pairs) - up - down} 个；"
            f"平均得分由 {mean_then:.1f} 变为 {mean_now:.1f}。")


# -- the year's handover --------------------------------------------------------------------------
def write_year(out_year: Path, year: int, agencies, current: Mapping[str, dict], data_root: Path) -> None:
    """问题清单.xlsx, findings.csv and 领导摘要.html, atomically, and each agency's 整改通知.docx that is missing or
    older than its summary (a batch's reviews write their own as they finish: write_agency). cells.csv: write_cells.
    Each output reads the summaries again and makes its finding rows as it goes: with `current` a Summaries, no
    summary or row outlives the one being written."""
    publications = registry.load_publications(registry.publications_path(data_root))
    summary = summary_rows(agencies, current, publications, year)
    with atomic_text(out_year / "findings.csv") as out:
        write_findings_csv(out, finding_rows(current))
    with atomic_file(out_year / WORKBOOK) as out:
        write_workbook(out, summary, finding_rows(current))
    for agency_id in current:
        if not _notice_current(out_year, agency_id):
            _write_notice(out_year, agency_id, current[agency_id], year)
    previous = Summaries.every(out_year.parent / str(year - 1))
    page = leader_html(year, summary, finding_rows(current), previous, pages.today(), pages.is_sample(data_root))
    write_atomic(out_year / LEADER_PAGE, page.encode("utf-8"))


def _notice_current(out_year: Path, agency_id: str) -> bool:
    """Is the agency's notice there and no older than the summary it is made from? The summary's change time
    counts too: a summary copied in with an older modification time (`cp -p`, a restore) is still newer."""
    try:
        summary = (out_year / f"{agency_id}.json").stat()
        return (out_year / f"{agency_id}{NOTICE_SUFFIX}").stat().st_mtime_ns >= max(summary.st_mtime_ns, summary.st_ctime_ns)
    except OSError:
        return False


def write_agency(out_year: Path, agency_id: str, year: int) -> Path:
    """One agency's 整改通知.docx from the summary its review wrote (what `xxgk review` hands over)."""
    return _write_notice(out_year, agency_id, json.loads((out_year / f"{agency_id}.json").read_text(encoding="utf-8")),
                         year)


def _write_notice(out_year: Path, agency_id: str, summary: dict, year: int) -> Path:
    target = out_year / f"{agency_id}{NOTICE_SUFFIX}"
    rows = list(finding_rows({agency_id: summary}))
    write_atomic(target, notice_bytes(summary.get("agency") or agency_id, year, rows))
    return target


def print_reviews(out_year: Path, agency_ids) -> list[Path]:
    """Each agency's review HTML printed to <agency>.pdf by headless Chromium (page numbers in the footer);
    only where the PDF is missing or older than its page."""
    from xxgk.browser import print_pdf

    todo = []
    for agency_id in agency_ids:
        page, pdf = out_year / f"{agency_id}.html", out_year / f"{agency_id}.pdf"
        if page.exists() and (not pdf.exists() or pdf.stat().st_mtime < page.stat().st_mtime):
            todo.append((page, pdf))
    if not todo:
        return []
    staged = [(page, pdf.with_name(f".{pdf.name}.tmp")) for page, pdf in todo]
    try:
        print_pdf(staged, page_numbers=True)
        for (_, tmp), (_, pdf) in zip(staged, todo):
            tmp.replace(pdf)
    finally:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)
    return [pdf for _, pdf in todo]

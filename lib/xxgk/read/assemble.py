"""From a token stream to a Report: find the six sections and place every table cell on the layout.

Placement is by official label and position, never by the rendering: after a row label come that
row's values in column order; a caption or a new label ends the row.
"""

from __future__ import annotations

import re

from xxgk.layouts import Layout, Table, load_layout, normalize_label, pre2019_markers, section_headings
from xxgk.model import Cell, Report, Section
from xxgk.read import detect, digit_runs
from xxgk.read.document import CELL, ROW_END, TEXT, Document, Token
from xxgk.values import MISSING, NUMBER, TEXT as TEXT_STATUS, UNCERTAIN, is_value_text, parse_value

_NUMERALS = "一二三四五六七八九十"
_HEADING_START = re.compile(rf"^\s*([{_NUMERALS}])\s*[、.．]")
_T4_START = normalize_label("行政复议")


def assemble(doc: Document, year: int | None = None, agency: str | None = None) -> Report:
    full = doc.full_text()
    report = Report(source_file=doc.path, rendering=doc.rendering, published=doc.published, text=full)
    for kind, message, where in doc.notes:
        report.note(kind, message, where)

    report.format_version, report.version_reason = detect.layout_version(full)
    found_year, report.year_reason = detect.report_year(full, doc.title)
    if year is not None:
        if found_year is not None and found_year != year:
            report.note("year", f"指定年度 {year} 与报告自身所示年度 {found_year} 不一致（{report.year_reason}）")
        report.year, report.year_reason = year, f"命令行指定 {year}；" + report.year_reason
    else:
        report.year = found_year
    report.agency = agency or detect.agency_name(full, doc.title)

    _read_sections(doc, report)
    if report.format_version in ("2019", "2021"):
        _TableReader(doc, report, load_layout(report.format_version)).run()
    elif report.format_version == "unknown" and any(t.kind == CELL for t in doc.tokens):
        report.note("layout", "无法判断表格格式版本，未读取表格")
    return report


# -- sections --------------------------------------------------------------------------------------
def _heading_match(text: str):
    """(number, official Section or None, written heading) if this line starts a report section."""
    m = _HEADING_START.match(text)
    if not m:
        return None
    first_line = text.strip().splitlines()[0]
    norm = normalize_label(first_line)
    for sec in section_headings():
        for candidate in (sec.heading, *sec.variants):
            c = normalize_label(candidate)
            if norm.startswith(c):
                return sec.number, sec, first_line[: len(candidate) + 4].strip()
    for old in pre2019_markers()["headings"]:
        if norm.startswith(normalize_label(old)) or norm[2:].startswith(normalize_label(old)):
            return _NUMERALS.index(m.group(1)) + 1, None, first_line.strip()
    return None


def _read_sections(doc: Document, report: Report) -> None:
    current: Section | None = None
    preface: list[str] = []
    expected = 1
    for tok in doc.tokens:
        if tok.kind != TEXT:
            continue
        hit = _heading_match(tok.text)
        # Only accept the next heading numbers: numbered paragraphs inside a section look alike.
        if hit and (hit[0] >= expected or hit[1] is not None and hit[0] > (current.number or 0)):
            number, sec, written = hit
            rest = tok.text.strip()[len(written):].strip() if sec is None else ""
            if sec is not None:
                heading_norm = normalize_label(sec.heading)
                body = normalize_label(tok.text)
                written = tok.text.strip()
                for cand in (sec.heading, *sec.variants):
                    if body.startswith(normalize_label(cand)):
                        written = _cut_heading(tok.text, cand)
                        break
                rest = tok.text.strip()[len(written):].strip()
                official = normalize_label(written) == heading_norm
            else:
                official = False
            current = Section(number, written, rest, tok.where, sec.key if sec else None, official)
            report.sections.append(current)
            expected = number + 1
            continue
        if current is None:
            preface.append(tok.text)
        else:
            current.text = (current.text + "\n" + tok.text).strip()
    report.preface = "\n".join(preface)


def _cut_heading(text: str, heading: str) -> str:
    """The heading as written in the source (it may carry spaces or full-width forms)."""
    target = normalize_label(heading)
    out = ""
    for ch in text.strip():
        out += ch
        if normalize_label(out) == target:
            return out
    return text.strip()


# -- tables ----------------------------------------------------------------------------------------
class _TableReader:
    def __init__(self, doc: Document, report: Report, layout: Layout):
        self.doc, self.report, self.layout = doc, report, layout
        self.table: Table | None = None
        self.row = None  # (table, row, label token)
        self.values: list[Token] = []
        self.headers: dict[str, list[Token]] = {}
        self.placed: dict[tuple[str, str], list[Cell]] = {}
        self.t4_values: list[Token] | None = None

    def run(self) -> None:
        for tok in self.doc.tokens:
            if tok.kind == ROW_END:
                self._close_row()
                continue
            if tok.kind == TEXT:
                self._on_text(tok)
                continue
            self._on_cell(tok)
        self._close_row()
        self._close_t4()
        self._fill_missing()

    def _on_text(self, tok: Token) -> None:
        hit = _heading_match(tok.text)
        if hit and hit[0] in (3, 4, 5, 6):
            self._close_row()
            self._close_t4()
            self.table = None
            if hit[0] == 4:
                self._start_t4()

    def _on_cell(self, tok: Token) -> None:
        text = tok.text
        norm = normalize_label(text)
        if not norm or is_value_text(text):
            self._take_value(tok)
            return
        cap = self.layout.match_caption(text)
        if cap is not None:
            self._close_row()
            self._close_t4()
            self.table = cap
            return
        if norm == _T4_START:
            self._close_row()
            self._start_t4()
            return
        hit = self.layout.match_row(text) if not self._is_header(norm) else None
        if hit is not None:
            table, row, how = hit
            self._close_row()
            self._close_t4()
            self.table = table
            if how != "exact":
                kind = "label_variant" if how == "variant" else "label_typo"
                self.report.note(kind, f"行标签“{text.strip()}”按官方标签“{row.label}”读取", tok.where)
            if not row.group:
                self.row = (table, row, tok)
                self.values = []
            return
        if self.row is not None and self.doc.concatenated:
            self.values.append(tok)
            return
        if self.row is not None:
            self.report.note("unexpected_text", f"数值单元格中出现文字“{text.strip()[:30]}”", tok.where)
            self._take_value(tok)
            return
        if self.t4_values is not None:
            self.t4_values = []  # header text: values only follow the last header cell
            self.headers.setdefault("t4", []).append(tok)
            return
        if self.table is not None:
            self.headers.setdefault(self.table.id, []).append(tok)

    def _is_header(self, norm: str) -> bool:
        table = self.table
        if table is None:
            return False
        return any(norm == normalize_label(c.label) for c in table.columns)

    def _take_value(self, tok: Token) -> None:
        if self.row is not None:
            self.values.append(tok)
            table = self.row[0]
            if len(self.values) >= len(table.columns) and not self.doc.concatenated:
                self._close_row()
        elif self.t4_values is not None and normalize_label(tok.text):
            self.t4_values.append(tok)
            if len(self.t4_values) >= len(self.layout.table("t4").columns) and not self.doc.concatenated:
                self._close_t4()

    def _start_t4(self) -> None:
        self._close_t4()
        self.table = self.layout.table("t4")
        self.t4_values = []

    def _close_t4(self) -> None:
        if self.t4_values is None:
            return
        values, self.t4_values = self.t4_values, None
        if values:
            t4 = self.layout.table("t4")
            self._place(t4, t4.rows[0], values, None)

    def _close_row(self) -> None:
        if self.row is None:
            return
        table, row, label = self.row
        values, self.row, self.values = self.values, None, []
        self._place(table, row, values, label)

    def _place(self, table: Table, row, values: list[Token], label: Token | None) -> None:
        n = len(table.columns)
        where_row = label.where if label else (values[0].where if values else "")
        if self.doc.concatenated:
            parsed = digit_runs.split_row(values, n)
        else:
            parsed = [(t.text, parse_value(t.text), t.where) for t in values[:n]]
            if len(values) > n:
                extra = "、".join(t.text.strip() for t in values[n:])
                self.report.note("extra_cells", f"{table.table}表“{row.label or table.id}”多出单元格：{extra}", where_row)
        if len(parsed) < n and not self.doc.concatenated:
            self.report.note(
                "row_short",
                f"表{table.table}“{row.label or '数据行'}”只读到 {len(parsed)} 个值，应有 {n} 个",
                where_row,
            )
        key = (table.id, row.key)
        if key in self.placed:
            self.report.note("duplicate_row", f"表{table.table}“{row.label}”重复出现，以第一次为准", where_row)
            return
        cells = []
        for col, item in zip(table.columns, parsed):
            raw, val, where = item
            status = val.status
            if status == TEXT_STATUS:
                self.report.note("text_in_number_cell", f"“{raw.strip()}”不是数字", where)
            cells.append(
                Cell(table.table, table.subtable, row.label, col.path, val.value, raw.strip(), status, where,
                     table.id, row.key, col.key, val.unit)
            )
        self.placed[key] = cells

    def _fill_missing(self) -> None:
        if self.doc.concatenated:
            digit_runs.resolve_tables(self.layout, self.placed, self.report)
        seen_tables = {tid for tid, _ in self.placed}
        for name in ("二", "三", "四"):
            if not any(t.id in seen_tables for t in self.layout.tables_of(name)):
                self.report.note("table_missing", f"未找到表{name}的数据")
        for table in self.layout.tables:
            if not any(t.id in seen_tables for t in self.layout.tables_of(table.table)):
                continue
            for row in table.data_rows:
                got = self.placed.get((table.id, row.key), [])
                for i, col in enumerate(table.columns):
                    if i < len(got):
                        self.report.cells.append(got[i])
                    else:
                        self.report.cells.append(
                            Cell(table.table, table.subtable, row.label, col.path, None, "", MISSING, "",
                                 table.id, row.key, col.key)
                        )
        self._check_headers()

    def _check_headers(self) -> None:
        for tid, toks in self.headers.items():
            table = self.layout.table(tid)
            official = {normalize_label(c.label) for c in table.columns} | {
                normalize_label(p) for c in table.columns if c.group for p in c.group.split("/")}
            official |= {normalize_label(table.header_label or ""), normalize_label(table.corner_note or ""),
                         normalize_label("申请人情况"), normalize_label("行政诉讼")}
            variants = {normalize_label(v) for c in table.columns for v in c.variants}
            for tok in toks:
                norm = normalize_label(tok.text)
                if not norm or norm in official:
                    continue
                kind = "label_variant" if norm in variants else "column_label"
                self.report.note(kind, f"表{table.table}{table.subtable or ''}列标题“{tok.text.strip()[:40]}”与官方格式不同", tok.where)

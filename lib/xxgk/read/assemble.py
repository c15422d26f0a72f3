"""From a token stream to a Report: find the six sections and place every table cell on the layout.

A table of a structured rendering arrives as a Grid and is placed by row label and header column
(`_GridReader`); text with no grid (crawler text, extracted Markdown, PDF word lines) is a stream in
which a row label's values follow it in column order (`_TableReader`). Either way a row whose cell
count is off is placed only where its identities decide (`solve`), and nothing by its count alone.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from xxgk.layouts import (VERSIONS, Layout, Table, layout_for_year, load_layout, normalize_label, pre2019_markers,
                          section_headings)
from xxgk.model import Cell, Report, Section
from xxgk.read import detect, digit_runs
from xxgk.read import columns, solve
from xxgk.read.document import CELL, GRID, ROW_END, TEXT, Document, KeyedCell, Token
from xxgk.read.grid import Grid, Span
from xxgk.values import BLANK, MISSING, NUMBER, TEXT as TEXT_STATUS, UNCERTAIN, Value, is_value_text, parse_value

_NUMERALS = "一二三四五六七八九十"
_HEADING_START = re.compile(rf"^\s*([{_NUMERALS}])\s*([、.．]?)")
_HEADING_CHARS = 30  # a line this long at most can be a heading matched by meaning
_HEADING_SIMILARITY = 0.85
_FIRST_REPORT_YEAR = 2008  # the first annual reports (条例 of 2007, in force from 2008)


def assemble(doc: Document, year: int | None = None, agency: str | None = None) -> Report:
    full = doc.full_text()
    report = Report(source_file=doc.path, rendering=doc.rendering, published=doc.published, text=full)
    for kind, message, where in doc.notes:
        report.note(kind, message, where)

    if doc.year is not None:
        found_year, report.year_reason = doc.year, f"文件元数据写明年度 {doc.year}"
    else:
        found_year, report.year_reason = detect.report_year(full, doc.title)
    if year is not None:
        if found_year is not None and found_year != year:
            report.note("year", f"指定年度 {year} 与报告自身所示年度 {found_year} 不一致（{report.year_reason}）")
        report.year, report.year_reason = year, f"命令行指定 {year}；" + report.year_reason
    else:
        report.year = found_year
    report.agency = agency or doc.agency or detect.agency_name(full, doc.title)
    report.format_version, report.version_reason = _layout_version(doc, full, report.year)

    _read_sections(doc, report)
    if report.format_version in ("2019", "2021"):
        _TableReader(doc, report, load_layout(report.format_version)).run()
    elif report.format_version == "unknown" and (doc.keyed or any(t.kind == CELL for t in doc.tokens)):
        report.note("layout", "无法判断表格格式版本，未读取表格")
    return report


def _layout_version(doc: Document, full: str, year: int | None) -> tuple[str, str]:
    """The layout a file declares, else the one its labels show; keyed cells fall back on the year."""
    if doc.format_version in VERSIONS:
        return doc.format_version, f"文件元数据写明格式 {doc.format_version}"
    labels = "\n".join(f"{k.subtable}\n{k.row}\n{k.column}" for k in doc.keyed)
    version, reason = detect.layout_version(full + "\n" + labels)
    if version == "unknown" and doc.keyed and year is not None and layout_for_year(year) is not None:
        version = layout_for_year(year).version
        reason += f"；按报告年度 {year} 适用的格式 {version} 读取"
    elif version == "unknown" and year is not None and layout_for_year(year) is None and year >= _FIRST_REPORT_YEAR:
        version = "pre2019"  # prose only, no table to tell: the year says which structure was in force
        reason += f"；报告年度 {year} 早于 2019 年格式，按 2019 年以前的结构读取"
    return version, reason


# -- sections --------------------------------------------------------------------------------------
def _heading_match(text: str):
    """(number, official Section or None, written heading) if this line starts a report section."""
    m = _HEADING_START.match(text)
    if not m:
        return None
    first_line = text.strip().splitlines()[0]
    norm = normalize_label(first_line)
    for sec, candidate, body in _heading_bodies():
        if norm.startswith(body, 1):  # the heading under whatever numeral the report wrote
            return sec.number, sec, first_line[: len(candidate) + 4].strip()
    for old in pre2019_markers()["headings"] if m.group(2) else ():
        if norm.startswith(normalize_label(old)) or norm[2:].startswith(normalize_label(old)):
            return _NUMERALS.index(m.group(1)) + 1, None, first_line.strip()
    number = _NUMERALS.index(m.group(1)) + 1
    body = norm[len(normalize_label(m.group(0))):]
    for sec in section_headings():
        if sec.number != number:
            continue
        official = [normalize_label(c) for c in (sec.heading, *sec.variants)]
        if not m.group(2):  # 一总体情况: the numeral's comma left out, the heading itself follows
            if any(body.startswith(o[2:]) for o in official):
                return sec.number, sec, first_line.strip()
            continue
        # A heading with a typo (四、政府信息公开行政法复议…) or in other words under the right numeral
        # (六、需要说明的其他事项与附表; 五、当前存在的突出问题…) still starts its section.
        if any(_similar(norm, o) for o in official):
            return sec.number, sec, first_line.strip()
        if len(norm) <= _HEADING_CHARS and any(all(k in body for k in group) for group in sec.keywords):
            return sec.number, sec, first_line.strip()
    return None


def _similar(text: str, heading: str) -> bool:
    """difflib's ratio of the two reaches _HEADING_SIMILARITY; its cheap upper bounds (lengths, then shared
    characters) rule out most lines before the full comparison."""
    matcher = difflib.SequenceMatcher(None, text, heading)
    return (matcher.real_quick_ratio() >= _HEADING_SIMILARITY and matcher.quick_ratio() >= _HEADING_SIMILARITY
            and matcher.ratio() >= _HEADING_SIMILARITY)


def _numbered(heading: str, numeral: str) -> str:
    """An official heading under the numeral the report wrote: reports renumber sections when they add
    parts of their own (一、总体情况 二、工作机制保障 … 一、主动公开政府信息情况)."""
    norm = normalize_label(heading)
    return numeral + norm[1:]


@lru_cache(maxsize=1)
def _heading_bodies() -> tuple:
    """(section, official heading or listed variant, its normalized text after the numeral), in layout
    order: built once, as every text token of every report is tried against all of them."""
    return tuple((sec, c, normalize_label(c)[1:]) for sec in section_headings() for c in (sec.heading, *sec.variants))


@lru_cache(maxsize=1)
def _heading_texts() -> tuple[str, ...]:
    """_heading_bodies' normalized texts alone, for one str.startswith over all of them."""
    return tuple(body for _, _, body in _heading_bodies())


def _read_sections(doc: Document, report: Report) -> None:
    current: Section | None = None
    preface: list[str] = []
    expected = 1
    texts = [t for t in doc.tokens if t.kind == TEXT]
    skip = False
    for k, tok in enumerate(texts):
        if skip:
            skip = False
            continue
        hit = _heading_match(tok.text)
        if not _exact_heading(tok.text) and k + 1 < len(texts) and _split_heading(tok.text, texts[k + 1].text):
            # 五、存在的主要 | 问题及改进情况: a heading the page broke over two lines
            tok = Token(TEXT, tok.text.strip() + texts[k + 1].text.strip(), tok.where)
            hit, skip = _heading_match(tok.text), True
        # Only accept the next heading numbers: numbered paragraphs inside a section look alike.
        if hit and (hit[0] >= expected or hit[1] is not None and hit[0] > (current.number or 0)):
            number, sec, written = hit
            official = False
            if sec is not None:
                heading_norm = normalize_label(sec.heading)
                body = normalize_label(tok.text)
                written = tok.text.strip()
                for cand in (sec.heading, *sec.variants):
                    if body.startswith(_numbered(cand, body[0])):
                        written = _cut_heading(tok.text, _numbered(cand, body[0]))
                        break
                official = normalize_label(written) == heading_norm
                if normalize_label(written)[0] != heading_norm[0]:
                    report.note("section_number", f"章节“{written}”的编号与官方格式“{sec.heading}”不同", tok.where)
            rest = tok.text.strip()[len(written):].strip()
            current = Section(number, written, rest, tok.where, sec.key if sec else None, official)
            report.sections.append(current)
            expected = number + 1
            continue
        if current is None:
            preface.append(tok.text)
        else:
            current.text = (current.text + "\n" + tok.text).strip()
    report.preface = "\n".join(preface)


def _exact_heading(text: str) -> bool:
    """Does the line begin with an official heading or a listed variant (under any numeral)?"""
    norm = detect.normalized(text)
    return bool(norm) and norm.startswith(_heading_texts(), 1)


def _split_heading(first: str, second: str) -> bool:
    """Two short lines that only together make a numbered section heading as the layout words it."""
    if not _HEADING_START.match(first):  # most lines: no numeral, nothing to normalize
        return False
    a, b = detect.normalized(first), detect.normalized(second)
    if not (0 < len(a) <= _HEADING_CHARS and 0 < len(b) <= _HEADING_CHARS // 2):
        return False
    return _exact_heading(first.strip() + second.strip())


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
        self.last_row: dict[str, str] = {}  # table id -> key of the row placed last (for unlabelled rows)
        self.t4_values: list[Token] | None = None
        self.t4_row_start, self.t4_header_row = 0, False  # where the current 表四 row's tokens begin; has it text
        self.header_maps: dict[tuple[str, int], dict] = {}  # (table id, grid width) -> the last header's columns
        self.order: list[tuple[Table, str, bool]] = []  # rows placed from the stream, in order: labelled or not
        self._labels_of: dict[str, set[str]] = {}
        self._t4_leading_norm: str | None = None
        self._rows_named: dict[str, list] | None = None  # normalized row label -> (table, row), layout order
        self._columns_named: dict[tuple[str, str], tuple | None] = {}  # (table id, written header) -> _match_column

    def run(self) -> None:
        for tok in self.doc.tokens:
            if tok.kind == ROW_END:
                self._close_row()
                if self.t4_values is not None and not self.doc.concatenated:
                    if self.t4_header_row:
                        del self.t4_values[self.t4_row_start:]
                    self.t4_row_start, self.t4_header_row = len(self.t4_values), False
                continue
            if tok.kind == TEXT:
                self._on_text(tok)
                continue
            if tok.kind == GRID:
                self._close_row()
                self._close_t4()
                _GridReader(self, tok.grid).run()
                continue
            self._on_cell(tok)
        self._close_row()
        self._close_t4()
        for kc in self.doc.keyed:
            self._place_keyed(kc)
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
        if norm == self._t4_leading:
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
                self.report.note(kind, f"行标签“{text.strip()}”按官方标签“{row.label}”读取", tok.where,
                                 **_row_note(table, row, text.strip()))
            if not row.group or not self.doc.concatenated:
                # A group row may carry numbers itself: printed as one row, 2019 style ((六)其他处理).
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
            # Header text: values only follow the last header cell, unless whole column groups were read
            # already (表四 printed as one small table per group: 行政复议 / 直接起诉 / 复议后起诉).
            if not self.doc.concatenated:
                del self.t4_values[self.t4_row_start:]  # empty cells of a header row are no values
            if len(self.t4_values) % self.layout.table("t4").group_width:
                self.t4_values = []
            self.t4_header_row = True
            self.headers.setdefault("t4", []).append(tok)
            return
        if self.table is not None:
            # A header naming another sub-table's columns (表二 prints one small table per 第二十条 item).
            other = [t for t in self.layout.tables_of(self.table.table) if norm in self._column_labels(t)]
            if other and self.table not in other:
                self.table = other[0]
            self.headers.setdefault(self.table.id, []).append(tok)

    def _is_header(self, norm: str) -> bool:
        table = self.table
        if table is None:
            return False
        return norm in self._column_labels(table)

    def _column_labels(self, table: Table) -> set[str]:
        """The table's normalized column labels, built once per reader (asked for every text cell)."""
        labels = self._labels_of.get(table.id)
        if labels is None:
            labels = self._labels_of[table.id] = {normalize_label(c.label) for c in table.columns}
        return labels

    @property
    def _t4_leading(self) -> str:
        if self._t4_leading_norm is None:
            self._t4_leading_norm = normalize_label(self.layout.table("t4").leading_header)
        return self._t4_leading_norm

    def _take_value(self, tok: Token) -> None:
        if self.row is None and self.t4_values is None and not self.doc.concatenated and normalize_label(tok.text):
            self._start_unlabelled_row(tok)
        if self.row is not None:
            self.values.append(tok)
            table = self.row[0]
            if len(self.values) >= len(table.columns) and not self.doc.concatenated:
                self._close_row()
        elif self.t4_values is not None and (normalize_label(tok.text) or not self.doc.concatenated):
            self.t4_values.append(tok)
            if sum(1 for t in self.t4_values if normalize_label(t.text)) >= len(self.layout.table("t4").columns) \
                    and not self.doc.concatenated:
                self._close_t4()

    def _start_unlabelled_row(self, tok: Token) -> None:
        """Values with no row label (extraction lost it or printed it apart): the next row in layout order."""
        table = self.table
        if table is None or table.id == "t4":
            return
        rows = table.data_rows
        last = self.last_row.get(table.id)
        index = next((i + 1 for i, r in enumerate(rows) if r.key == last), 0)
        if index >= len(rows) or (table.id, rows[index].key) in self.placed:
            self.report.note("values_without_row", f"表{table.table}中一行数值没有行标签，无法确定所属行：“{tok.text.strip()}”…", tok.where)
            return
        row = rows[index]
        self.report.note("row_unlabelled", f"表{table.table}一行数值没有行标签，按表格顺序读作“{row.label}”", tok.where)
        self.row = (table, row, None)
        self.values = []

    def _start_t4(self) -> None:
        self._close_t4()
        self.table = self.layout.table("t4")
        self.t4_values = []
        self.t4_row_start, self.t4_header_row = 0, False

    def _close_t4(self) -> None:
        if self.t4_values is None:
            return
        values, self.t4_values = self.t4_values, None
        n = len(self.layout.table("t4").columns)
        if len(values) != n and not self.doc.concatenated:  # blanks count only in a whole row
            values = [t for t in values if normalize_label(t.text)]
        if values:
            t4 = self.layout.table("t4")
            self._place(t4, t4.rows[0], values, None)

    def _close_row(self) -> None:
        if self.row is None:
            return
        table, row, label = self.row
        values, self.row, self.values = self.values, None, []
        if row.group:
            if not any(normalize_label(v.text) and is_value_text(v.text) for v in values):
                return
            self.report.note("group_row_values", f"表{table.table}“{row.label}”作为一行填写数字，未分列其下各项",
                             label.where if label else values[0].where)
        self._place(table, row, values, label)

    def _place(self, table: Table, row, values: list[Token], label: Token | None) -> None:
        n = len(table.columns)
        where_row = label.where if label else (values[0].where if values else "")
        if self.doc.concatenated:
            parsed = digit_runs.split_row(values, table)
        else:
            parsed = [(t.text, parse_value(t.text), t.where) for t in values]
            while len(parsed) > n and not normalize_label(parsed[-1][0]):
                parsed.pop()  # empty trailing cells of a ragged table carry nothing
            if len(parsed) > n:
                parsed, message = solve.place(table, parsed, where_row)
                self.report.note("extra_cells", f"表{table.table}“{row.label or table.title}”{message}", where_row)
        if 0 < len(parsed) < n and not self.doc.concatenated:
            parsed = self._short_row(table, row, parsed, where_row)
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
        self.last_row[table.id] = row.key
        self.order.append((table, row.key, label is not None))

    def _check_unlabelled(self) -> None:
        """A row read by layout order (its label lost) stands only if the next row placed after it in that
        table is the next row of the layout, or it is the layout's last row: the labelled rows around it
        then leave it no other place. Otherwise its cells become uncertain."""
        for k, (table, key, labelled) in enumerate(self.order):
            if labelled:
                continue
            keys = [r.key for r in table.data_rows]
            i = keys.index(key)
            nxt = next((other for t, other, _ in self.order[k + 1:] if t is table), None)
            if (nxt is None and i == len(keys) - 1) or (nxt is not None and keys.index(nxt) == i + 1):
                continue
            for cell in self.placed[(table.id, key)]:
                cell.value, cell.status = None, UNCERTAIN
            self.report.note("row_unlabelled", f"表{table.table}“{table.row(key).label}”按表格顺序读入，但其后的行不能确认这一位置，各值记为不确定")

    def store(self, table: Table, row, items: dict[str, solve.Item], where_row: str) -> None:
        """Cells of one row by column key (a grid row, or one of 表四's small tables); a row read twice
        keeps its first reading."""
        cells = self.placed.setdefault((table.id, row.key), [])
        have = {c.column_key for c in cells}
        if items and set(items) <= have:
            self.report.note("duplicate_row", f"表{table.table}“{row.label or table.title}”重复出现，以第一次为准", where_row)
            return
        for col in table.columns:
            if col.key not in items or col.key in have:
                continue
            raw, val, where = items[col.key]
            if val.status == TEXT_STATUS:
                self.report.note("text_in_number_cell", f"“{raw.strip()}”不是数字", where)
            cells.append(Cell(table.table, table.subtable, row.label, col.path, val.value, raw.strip(), val.status, where,
                              table.id, row.key, col.key, val.unit))
        self.last_row[table.id] = row.key

    def _short_row(self, table: Table, row, parsed: list, where: str) -> list:
        """A row that lost cells (or whose blank cells left no token): placed only where the row's own
        identities leave one choice (`solve.place`), every other cell uncertain."""
        placed, message = solve.place(table, [(raw, val, w) for raw, val, w in parsed], where)
        self.report.note("row_short", f"表{table.table}“{row.label or table.title}”{message}", where)
        return placed

    def _place_keyed(self, kc: KeyedCell) -> None:
        """A cell named by keys or labels: resolve it on the layout, then store it like a read row's cell."""
        hit = self._resolve_keyed(kc)
        if hit is None:
            return
        table, row, col = hit
        val = parse_value(kc.raw)
        status = kc.status if kc.status in (MISSING, UNCERTAIN) else val.status
        if status == MISSING:
            return  # filled in as missing like any cell the file does not give
        if status == TEXT_STATUS:
            self.report.note("text_in_number_cell", f"“{kc.raw.strip()}”不是数字", kc.where)
        cells = self.placed.setdefault((table.id, row.key), [])
        if any(c.column_key == col.key for c in cells):
            self.report.note("duplicate_cell", f"表{table.table}“{row.label or col.path}”“{col.path}”重复出现，以第一次为准", kc.where)
            return
        value = val.value if status == NUMBER else None
        cells.append(Cell(table.table, table.subtable, row.label, col.path, value, kc.raw.strip(), status, kc.where,
                          table.id, row.key, col.key, val.unit if status == NUMBER else None))

    def _resolve_keyed(self, kc: KeyedCell):
        where = kc.where
        if kc.keys is not None:
            tid, rk, ck = kc.keys
            try:
                table = self.layout.table(tid)
                return table, table.row(rk), table.column(ck)
            except StopIteration:
                self.report.note("unknown_key", f"格式 {self.layout.version} 中没有单元格 {tid}/{rk}/{ck}", where)
                return None
        name = normalize_label(kc.table).removeprefix("表")
        if name == "四" or (not name and not normalize_label(kc.row)):
            table, row = self.layout.table("t4"), self.layout.table("t4").rows[0]
        else:
            hit = self._match_keyed_row(kc, name)
            if hit is None:
                return None
            table, row = hit
        key = (table.id, kc.column)
        if key not in self._columns_named:  # a keyed file names the same few headers in every row
            self._columns_named[key] = _match_column(table, kc.column)
        col = self._columns_named[key]
        if col is None:
            self.report.note("unknown_label", f"表{table.table}没有列“{kc.column}”，该单元格未读取", where)
            return None
        column, how = col
        if how != "exact":
            self.report.note("label_variant" if how == "variant" else "label_typo",
                             f"列标题“{kc.column}”按官方列“{column.path}”读取", where, axis="column",
                             table=table.table, subtable=table.subtable, column=column.path, written=kc.column,
                             official=column.path)
        return table, row, column

    def _rows_by_label(self) -> dict[str, list]:
        """Every row of the layout under its normalized label, built once per reader: a keyed file asks
        for a row per cell, and a scan of every table's rows per cell was the keyed readers' largest cost."""
        if self._rows_named is None:
            self._rows_named = {}
            for t in self.layout.tables:
                for r in t.rows:
                    self._rows_named.setdefault(normalize_label(r.label), []).append((t, r))
        return self._rows_named

    def _match_keyed_row(self, kc: KeyedCell, name: str):
        norm = normalize_label(kc.row)
        sub = normalize_label(kc.subtable)
        exact = [(t, r) for t, r in self._rows_by_label().get(norm, ())
                 if norm and (not sub or normalize_label(t.subtable or "") == sub)]
        if exact:
            table, row = exact[0]
        else:
            hit = self.layout.match_row(kc.row)
            if hit is None:
                self.report.note("unknown_label", f"行标签“{kc.row}”不是格式 {self.layout.version} 的官方标签，该单元格未读取", kc.where)
                return None
            table, row, how = hit
            kind = "label_variant" if how == "variant" else "label_typo"
            self.report.note(kind, f"行标签“{kc.row.strip()}”按官方标签“{row.label}”读取", kc.where,
                             **_row_note(table, row, kc.row.strip()))
        if name and table.table != name:
            self.report.note("unknown_label", f"行标签“{kc.row}”属于表{table.table}，不属于所写的表{name}，该单元格未读取", kc.where)
            return None
        if row.group:
            self.report.note("group_row", f"“{row.label}”是分组标题，不填数字，该单元格未读取", kc.where)
            return None
        return table, row

    def _fill_missing(self) -> None:
        self._check_unlabelled()
        if self.doc.concatenated:
            digit_runs.resolve_tables(self.layout, self.placed, self.report)
        seen_tables = {tid for tid, _ in self.placed}
        for name in ("二", "三", "四"):
            if not any(t.id in seen_tables for t in self.layout.tables_of(name)):
                self.report.note("table_missing", f"未找到表{name}的数据")
        for table in self.layout.tables:
            if not any(t.id in seen_tables for t in self.layout.tables_of(table.table)):
                continue
            for row in table.rows:
                if (table.id, row.key) not in self.placed and (row.group or self._under_placed_group(table, row)):
                    continue  # a group row without numbers, or the rows of a group printed as one row
                got = {c.column_key: c for c in self.placed.get((table.id, row.key), [])}
                for col in table.columns:
                    if col.key in got:
                        self.report.cells.append(got[col.key])
                    else:
                        self.report.cells.append(
                            Cell(table.table, table.subtable, row.label, col.path, None, "", MISSING, "",
                                 table.id, row.key, col.key)
                        )
        self._check_headers()

    def _under_placed_group(self, table: Table, row) -> bool:
        parent = row.parent
        while parent:
            if (table.id, parent) in self.placed:
                return True
            parent = table.row(parent).parent
        return False

    def _check_headers(self) -> None:
        for tid, toks in self.headers.items():
            table = self.layout.table(tid)
            official = {normalize_label(c.label) for c in table.columns} | {
                normalize_label(p) for c in table.columns if c.group for p in c.group.split("/")}
            official |= {normalize_label(table.header_label or ""), normalize_label(table.corner_note or "")}
            variants = {normalize_label(v) for c in table.columns for v in c.variants}
            for tok in toks:
                norm = normalize_label(tok.text)
                if not norm or norm in official:
                    continue
                official.add(norm)  # a header repeated over every block is noted once
                kind = "label_variant" if norm in variants else "column_label"
                written = tok.text.strip()[:40]
                self.report.note(kind, f"表{table.table}{table.subtable or ''}列标题“{written}”与官方格式不同", tok.where,
                                 axis="column", table=table.table, subtable=table.subtable, written=written)


def _row_note(table: Table, row, written: str) -> dict:
    """The structured fields of a note that a row label was read as an official one."""
    return {"axis": "row", "table": table.table, "subtable": table.subtable, "row": row.label,
            "written": written, "official": row.label}


def _match_column(table: Table, text: str):
    """(Column, how) for a written header path: the full path, else a unique label or variant, else close."""
    norm = normalize_label(text)
    for col in table.columns:
        if normalize_label(col.path) == norm:
            return col, "exact"
    for how, names in (("exact", lambda c: [c.label]), ("variant", lambda c: c.variants)):
        named = [c for c in table.columns if norm in {normalize_label(x) for x in names(c)}]
        if len(named) == 1:  # the label alone is enough where it is unique (商业企业, not 行政复议/总计)
            return named[0], how
    paths = {normalize_label(c.path): c for c in table.columns}
    close = difflib.get_close_matches(norm, list(paths), n=1, cutoff=0.8) if len(norm) >= 2 else []
    return (paths[close[0]], "fuzzy") if close else None


class _GridReader:
    """One table of a structured rendering, placed by row label and header column.

    Rows are read top to bottom: a caption starts a sub-table, text rows form the header block of the
    rows below them, a row with an official label is a data row of that label's table, and a row of
    values alone is 表四's. A data row's values go where the header puts them; a row that fills fewer
    grid columns than its table (a lost cell) or a table whose header names no columns goes through
    `solve.place`, which places a value only where the row's own identities leave one choice.
    """

    def __init__(self, reader: _TableReader, grid: Grid):
        self.reader, self.grid, self.layout = reader, grid, reader.layout
        self.block: list[int] = []  # header rows of the rows below
        self.block_open = False
        self.maps: dict[str, dict[int, object]] = {}  # table id -> grid column -> layout column, for this block
        self.unresolved_noted: set[str] = set()
        self.pending: list[int] = []  # rows of values whose label is no official one, since the last labelled row
        self.previous = None  # (table, row) of the last labelled row
        self.header: columns.HeaderPaths | None = None  # the paths of the header block read last
        self.covered: dict[str, tuple[dict, bool]] = {}  # table id -> (mapping, whether it names every column)

    def run(self) -> None:
        t4 = self.layout.table("t4")
        for r in range(self.grid.n_rows):
            spans = self.grid.row_spans(r)
            label = self._label(spans)
            if label is not None:
                self._settle_pending(*label[:2])
                self._data_row(r, *label)
                self.previous = label[:2]
                continue
            own = [s for s in spans if normalize_label(s.text)]
            texts = [s for s in own if not is_value_text(s.text)]
            values = [s for s in own if is_value_text(s.text)]
            if len(own) == 1 and texts and self._full_width(texts[0]):
                if self._caption_or_heading(texts[0]):
                    continue
            if texts and not values:
                self._header_row(r)
                continue
            if texts:  # a label that is no official row: placed only if the rows around it leave one place
                self.pending.append(r)
                continue
            if not spans:
                continue
            if self.reader.table is t4 or len({c.key for c in self._map(t4).values()}) >= 2:
                self._t4_row(r, t4)
            elif values:
                self.reader.report.note("values_without_row", f"表格中一行数值没有行标签，无法确定所属行：“{values[0].text.strip()}”…", values[0].where)
        self._settle_pending(None, None)

    def _settle_pending(self, table: Table | None, row) -> None:
        """Rows whose label is unknown (misspelt beyond recognition, damaged) between two labelled rows of one
        table: when exactly that many official rows lie between the two, they are those rows, in order."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        between, after = None, None
        if self.previous is not None and (table is None or self.previous[0] is table):
            home = self.previous[0]
            keys = [r.key for r in home.data_rows]
            if self.previous[1].key in keys:
                a = keys.index(self.previous[1].key)
                b = keys.index(row.key) if row is not None and row.key in keys else len(keys) if row is None else -1
                if b > a:
                    between = home.data_rows[a + 1 : b]
                    after = f"与“{row.label}”之间" if row is not None else "之后、表格结束之前"
        for k, r in enumerate(pending):
            spans = self.grid.row_spans(r)
            text = [s for s in spans if normalize_label(s.text) and not is_value_text(s.text)][-1]
            if between is None or len(between) != len(pending):
                self.reader.report.note("unknown_label", f"行标签“{text.text.strip()[:30]}”不是格式 {self.layout.version} 的官方行，该行数值未读取", text.where)
                continue
            self.reader.report.note("row_unlabelled", f"行标签“{text.text.strip()[:30]}”无法识别；它位于“{self.previous[1].label}”{after}，读作“{between[k].label}”", text.where)
            self._data_row(r, self.previous[0], between[k], text, "exact")

    # -- rows ------------------------------------------------------------------------------------
    def _full_width(self, span: Span) -> bool:
        if not self.grid.spans_known:
            return len(self.grid.row_spans(span.row)) == 1
        return span.colspan >= self.grid.n_cols - 1 or self.grid.n_cols <= 2

    def _caption_or_heading(self, span: Span) -> bool:
        cap = self.layout.match_caption(span.text)
        if cap is not None:
            self._settle_pending(None, None)
            self.previous = None
            self.reader.table = cap
            self._new_block()
            return True
        hit = _heading_match(span.text)
        if hit and hit[0] in (3, 4, 5, 6):
            self.reader._on_text(Token(TEXT, span.text, span.where))
            self._new_block()
            return True
        return False

    def _new_block(self) -> None:
        self.block, self.block_open, self.maps = [], False, {}

    def _header_row(self, r: int) -> None:
        if not self.block_open:
            self._new_block()
            self.block_open = True
        self.block.append(r)
        self.maps = {}  # the block grew: resolve its columns again
        t4 = self.layout.table("t4")
        if self._map(t4):
            self.reader.table = t4

    def _label(self, spans: list[Span]):
        """(table, row, label span, how) of the rightmost cell naming an official row: a group label
        (三、本年度办理结果, spanning rows) stands left of the row's own label."""
        found = None
        for span in spans:
            if is_value_text(span.text):
                continue
            hit = self.layout.match_row(span.text.replace("\n", ""))
            if hit is None:
                continue
            table, row, how = hit
            found = (table, row, span, how)
        return found

    def _map(self, table: Table) -> dict:
        """The header block's columns; with no header above, those of the same table's last header in a
        grid as wide (a table going on over a PDF page break, its header not repeated)."""
        if table.id not in self.maps:
            key = (table.id, self.grid.n_cols)
            if not self.grid.spans_known:
                self.maps[table.id] = {}  # positions without spans say nothing about columns
            elif self.block:
                self.maps[table.id] = columns.resolve(self._header_paths(), table)
                if self.maps[table.id]:
                    self.reader.header_maps[key] = self.maps[table.id]
            else:
                self.maps[table.id] = self.reader.header_maps.get(key, {})
        return self.maps[table.id]

    def _header_paths(self) -> dict[int, list[str]]:
        """The header block's paths, each row read once: the block grows a row at a time, and every table
        is resolved against it."""
        if self.header is None or self.header.rows != self.block[:len(self.header.rows)]:
            self.header = columns.HeaderPaths(self.grid)
        for r in self.block[len(self.header.rows):]:
            self.header.add(r)
        return self.header.paths

    def _covers(self, table: Table, mapping: dict) -> bool:
        """Does the header name every column of the table? Asked per data row, answered once per header."""
        known = self.covered.get(table.id)
        if known is None or known[0] is not mapping:
            known = self.covered[table.id] = (mapping, {c.key for c in mapping.values()} == {c.key for c in table.columns})
        return known[1]

    def _data_row(self, r: int, table: Table, row, label: Span, how: str) -> None:
        reader = self.reader
        self.block_open = False
        reader.table = table
        if how != "exact":
            kind = "label_variant" if how == "variant" else "label_typo"
            reader.report.note(kind, f"行标签“{label.text.strip()}”按官方标签“{row.label}”读取", label.where,
                               **_row_note(table, row, label.text.strip()))
        right = [s for s in self.grid.row_spans(r) if s.col >= label.col + label.colspan]
        if row.group:
            if not any(normalize_label(s.text) and is_value_text(s.text) for s in right):
                return
            reader.report.note("group_row_values", f"表{table.table}“{row.label}”作为一行填写数字，未分列其下各项", label.where)
        mapping = self._map(table)
        if self._covers(table, mapping) and all(c > label.col for c in mapping):
            if not any(self.grid.at(r, c) is None for c in mapping):
                reader.store(table, row, self._by_header(r, mapping), label.where)
                extra = [s.text.strip() for s in right if s.col not in mapping and normalize_label(s.text)]
                if extra:
                    reader.report.note("extra_cells", f"表{table.table}“{row.label or table.title}”表头以外多出单元格：{'、'.join(extra)}", label.where)
                return
        elif self.block and self.grid.spans_known and table.id not in self.unresolved_noted:
            self.unresolved_noted.add(table.id)
            reader.report.note("header_unresolved", f"表{table.table}{table.subtable or ''}的表头无法对应到官方各列，按单元格顺序读取并以合计关系核对", label.where)
        self._in_order(table, row, right, label.where)

    def _t4_row(self, r: int, t4: Table) -> None:
        reader = self.reader
        self.block_open = False
        row = t4.rows[0]
        mapping = self._map(t4)
        spans = self.grid.row_spans(r)
        where = spans[0].where if spans else self.grid.where
        if mapping and not any(self.grid.at(r, c) is None for c in mapping):
            reader.store(t4, row, self._by_header(r, mapping), where)
            return
        if mapping and {c.key for c in mapping.values()} != {c.key for c in t4.columns}:
            reader.report.note("row_short", "表四一行缺少单元格，且表头只对应部分列，这些列记为不确定", where)
            uncertain = ("", Value(None, UNCERTAIN), where)
            reader.store(t4, row, {c.key: uncertain for c in mapping.values()}, where)
            return
        first = min(mapping, default=0)  # cells left of the first value column (a 序号) are no values
        self._in_order(t4, row, [s for s in spans if is_value_text(s.text) and s.col >= first], where)

    def _by_header(self, r: int, mapping: dict) -> dict[str, solve.Item]:
        """Each column's value from the grid columns its header names: the cell that starts in this row
        (a blank cell is blank; two different numbers under one header are uncertain)."""
        out: dict[str, solve.Item] = {}
        for c, col in mapping.items():
            span = self.grid.at(r, c)
            text = span.text if span is not None and span.row == r else ""
            where = span.where if span is not None else self.grid.where
            under = {mapping[k].key for k in range(span.col, span.col + span.colspan) if k in mapping} \
                if span is not None and span.colspan > 1 else ()  # one column can have one header only
            if len(under) > 1 and normalize_label(text):  # one merged cell under two headers: whose number?
                self.reader.report.note("cell_conflict", f"“{text.strip()}”一个单元格跨在几个列标题之下，无法确定属于哪一列，记为不确定", where)
                out[col.key] = (text, Value(None, UNCERTAIN), where)
                continue
            prev = out.get(col.key)
            if prev is None or (not normalize_label(prev[0]) and normalize_label(text)):
                out[col.key] = (text, parse_value(text), where)
            elif normalize_label(text) and prev[2] != where:
                self.reader.report.note("cell_conflict", f"“{col.path}”下有两个值（{prev[0]}、{text}），记为不确定", where)
                out[col.key] = (text, Value(None, UNCERTAIN), where)
        return out

    def _in_order(self, table: Table, row, spans: list[Span], where: str) -> None:
        """Values with no header to place them by: in order when they fill the row exactly, else solved."""
        items = [(s.text, parse_value(s.text), s.where) for s in spans]
        n = len(table.columns)
        while len(items) > n and items[-1][1].status == BLANK:
            items.pop()  # empty trailing cells of a ragged table carry nothing
        while len(items) > n and items[0][1].status == BLANK:
            items.pop(0)  # nor do empty pieces of a label column
        if len(items) == n:
            placed = items
        elif not items:
            return
        else:
            placed, message = solve.place(table, items, where)
            self.reader.report.note("row_short" if len(items) < n else "extra_cells",
                                    f"表{table.table}“{row.label or table.title}”{message}", where)
        self.reader.store(table, row, {c.key: it for c, it in zip(table.columns, placed)}, where)

"""Write a sample report in the renderings the readers support: pipe-flattened web text, HTML,
DOCX and the long-format cells CSV.

The official tables are first laid out as a grid of cells with row and column spans, built from the
layout (never from re-typed labels); each writer then renders that one grid its own way.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from xxgk.layouts import Layout, Table
from xxgk.values import parse_value

CellKey = tuple[str, str, str]  # (table_id, row_key, column_key)

T2_WIDTH = 4  # 信息内容 + three value columns
T3_LABEL_WIDTH = 3  # the corner cell spans the three label columns
CSV_HEADER = ("table", "subtable", "row", "column", "value", "raw", "status", "source")
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # DOCX members get one timestamp so output is reproducible


@dataclass
class GridCell:
    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class SampleDocument:
    """What a writer needs: the page's words in order, and the raw text of every official cell."""

    title: str
    notice: str
    published: str  # ISO date shown on web pages
    publisher: str
    blocks: list[tuple[str, str]] = field(default_factory=list)  # ("title"|"para"|"table", text or 二/三/四)
    layout: Layout | None = None
    raws: dict[CellKey, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # official row label -> label as printed


# -- grids ------------------------------------------------------------------------------------------
def table_grid(layout: Layout, name: str, raws: dict[CellKey, str],
               labels: dict[str, str] | None = None) -> tuple[list[list[GridCell]], int]:
    """Rows of cells (with spans) for table 二, 三 or 四 as printed, and the grid width."""
    labels = labels or {}
    if name == "二":
        return _grid_t2(layout, raws, labels), T2_WIDTH
    if name == "三":
        table = layout.table("t3")
        return _grid_t3(table, raws, labels), T3_LABEL_WIDTH + len(table.columns)
    table = layout.table("t4")
    return _grid_t4(table, raws), len(table.columns)


def _value_cells(table: Table, row_key: str, raws: dict[CellKey, str], width: int) -> list[GridCell]:
    """A row's value cells; a single value column spans the grid, two leave one empty cell."""
    cells = [GridCell(raws.get((table.id, row_key, c.key), "")) for c in table.columns]
    if len(cells) == 1:
        cells[0].colspan = width
    return cells + [GridCell("") for _ in range(width - len(cells))] if len(cells) > 1 else cells


def _grid_t2(layout: Layout, raws: dict[CellKey, str], labels: dict[str, str]) -> list[list[GridCell]]:
    rows: list[list[GridCell]] = []
    width = T2_WIDTH - 1
    for table in layout.tables_of("二"):
        rows.append([GridCell(table.subtable or "", colspan=T2_WIDTH)])
        headers = [GridCell(c.label) for c in table.columns]
        if len(headers) == 1:
            headers[0].colspan = width
        headers += [GridCell("") for _ in range(width - len(headers))] if len(headers) > 1 else []
        rows.append([GridCell(table.header_label or ""), *headers])
        for row in table.data_rows:
            rows.append([GridCell(labels.get(row.label, row.label)), *_value_cells(table, row.key, raws, width)])
    return rows


def _grid_t3(table: Table, raws: dict[CellKey, str], labels: dict[str, str]) -> list[list[GridCell]]:
    groups = [c.group for c in table.columns]
    sub = [c for c in table.columns if c.group]
    first = [GridCell(table.corner_note or "", rowspan=3, colspan=T3_LABEL_WIDTH),
             GridCell(table.header_label or "", colspan=len(table.columns))]
    second: list[GridCell] = []
    for i, col in enumerate(table.columns):
        if not col.group:
            second.append(GridCell(col.label, rowspan=2))
        elif groups.index(col.group) == i:
            second.append(GridCell(col.group, colspan=groups.count(col.group)))
    rows = [first, second, [GridCell(c.label) for c in sub]]
    parents = {r.key: r.parent for r in table.rows}
    by_key = {r.key: r for r in table.rows}
    started: set[str] = set()
    for row in table.data_rows:
        chain = []
        p = row.parent
        while p:
            chain.insert(0, p)
            p = parents[p]
        cells = []
        for g in chain:
            if g not in started:
                started.add(g)
                span = sum(1 for r in table.data_rows if g in _ancestors(r.key, parents))
                cells.append(GridCell(by_key[g].label, rowspan=span))
        cells.append(GridCell(labels.get(row.label, row.label), colspan=T3_LABEL_WIDTH - len(chain)))
        cells += [GridCell(raws.get((table.id, row.key, c.key), "")) for c in table.columns]
        rows.append(cells)
    return rows


def _ancestors(key: str, parents: dict[str, str | None]) -> set[str]:
    out = set()
    p = parents.get(key)
    while p:
        out.add(p)
        p = parents.get(p)
    return out


def _grid_t4(table: Table, raws: dict[CellKey, str]) -> list[list[GridCell]]:
    paths = [(c.group or "").split("/") for c in table.columns]
    first: list[GridCell] = []
    second: list[GridCell] = []
    third: list[GridCell] = []
    for i, (col, path) in enumerate(zip(table.columns, paths)):
        if i == 0 or paths[i - 1][0] != path[0]:
            first.append(GridCell(path[0], colspan=sum(1 for p in paths if p[0] == path[0])))
        if len(path) == 1:
            second.append(GridCell(col.label, rowspan=2))
            continue
        if paths[i - 1][:2] != path[:2]:
            second.append(GridCell(path[1], colspan=sum(1 for p in paths if p[:2] == path[:2])))
        third.append(GridCell(col.label))
    values = [GridCell(raws.get((table.id, table.rows[0].key, c.key), "")) for c in table.columns]
    return [first, second, third, values]


# -- writers ----------------------------------------------------------------------------------------
def _archived(text: str) -> str:
    """Archived web copies are NFKC-normalised (（一）→(一), ，→,) but keep “ ”."""
    return unicodedata.normalize("NFKC", text)


def write_pipe_text(doc: SampleDocument) -> bytes:
    """One cell per line ending ' |', '|' for an empty cell, a pipe run closing a short row."""
    lines: list[str] = []
    for kind, text in doc.blocks:
        if kind != "table":
            lines.append(_archived(text))
            continue
        rows, width = table_grid(doc.layout, text, doc.raws, doc.labels)
        for i, row in enumerate(rows):
            for cell in row:
                label = _archived(cell.text).replace("\n", " ").strip()
                lines.append(f"{label} |" if label else "|")
            if i < len(rows) - 1 and width > len(row):
                lines.append("|" * (width - len(row)))
    return "\n".join(lines).encode("utf-8")


def write_html(doc: SampleDocument) -> bytes:
    """A government web page: metadata block, the title, paragraphs and real <table> markup."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        f"<!-- {e(doc.notice)} -->",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta name="PubDate" content="{e(doc.published)}">',
        f"<title>{e(doc.title)}</title>",
        "</head>",
        "<body>",
        '<table class="xxgk-meta">',
        f"<tr><td>标题：</td><td>{e(doc.title)}</td><td>发布机构：</td><td>{e(doc.publisher)}</td></tr>",
        f"<tr><td>发布日期：</td><td>{e(doc.published)}</td><td>公开方式：</td><td>主动公开</td></tr>",
        "</table>",
    ]
    for kind, text in doc.blocks:
        if kind == "title":
            out.append(f"<h1>{e(text)}</h1>")
        elif kind == "para":
            out.append(f"<p>{e(text)}</p>")
        else:
            rows, _ = table_grid(doc.layout, text, doc.raws, doc.labels)
            out.append('<table border="1" cellspacing="0">')
            for row in rows:
                tds = []
                for cell in row:
                    attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                        f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
                    tds.append(f"<td{attrs}>{e(cell.text) if cell.text else '&nbsp;'}</td>")
                out.append("<tr>" + "".join(tds) + "</tr>")
            out.append("</table>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out).encode("utf-8")


def write_docx(doc: SampleDocument) -> bytes:
    """A Word attachment (python-docx) with merged table cells, made byte-reproducible."""
    import datetime

    import docx

    document = docx.Document()
    props = document.core_properties
    props.title, props.author, props.comments = doc.title, doc.publisher, doc.notice
    # the file's own dates: the day it was published (fixed, so the bytes are reproducible)
    when = datetime.date.fromisoformat(doc.published) if doc.published else datetime.date(2020, 1, 1)
    props.created = props.modified = datetime.datetime(when.year, when.month, when.day)
    props.last_modified_by, props.revision = doc.publisher, 1
    for kind, text in doc.blocks:
        if kind == "title":
            document.add_heading(text, level=1)
        elif kind == "para":
            document.add_paragraph(text)
        else:
            rows, width = table_grid(doc.layout, text, doc.raws, doc.labels)
            docx_table(document, rows, width)
    buffer = io.BytesIO()
    document.save(buffer)
    return _reproducible_zip(buffer.getvalue())


def docx_table(document, rows: list[list[GridCell]], width: int):
    """Add the grid as a Word table with merged cells; the table, and the grid positions the cells fill."""
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            target = table.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.text = cell.text
            c += cell.colspan
    return table, taken


def _reproducible_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_cells_csv(doc: SampleDocument) -> bytes:
    """The project's long format: one official cell per line, keyed by official labels.

    The format has no place for prose, so the fictional-data notice and the report title ride in
    `source`, which says where each hand-keyed value was taken from.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    n = 1
    for table in doc.layout.tables:
        for row in table.data_rows:
            for col in table.columns:
                n += 1
                raw = doc.raws.get((table.id, row.key, col.key), "")
                value = parse_value(raw)
                number = "" if value.value is None else value.value
                writer.writerow((table.table, table.subtable or "", row.label, col.path, number, raw, value.status,
                                 f"{doc.notice.split('：')[0]}·{doc.title}·第{n}行"))
    return buffer.getvalue().encode("utf-8")

"""Cells in long format, one per line: `table,subtable,row,column` then value/raw/status/source and
optionally agency/year/format_version (what `xxgk.review.export.cells_csv` writes, or a table keyed in by
hand). Rows are matched by label like any other rendering, so hand-typed labels may be loose;
the command line's --year/--agency override the columns.
"""

from __future__ import annotations

import csv
import io
import unicodedata

from xxgk.layouts import VERSIONS
from xxgk.spreadsheet_safe import plain
from xxgk.read.document import Document, KeyedCell, ReadError
from xxgk.values import MISSING, UNCERTAIN, parse_value

_KEY_COLUMNS = ("table", "subtable", "row", "column")
_KNOWN = {*_KEY_COLUMNS, "value", "raw", "status", "source", "agency", "year", "format_version"}
_KEPT_STATUSES = (MISSING, UNCERTAIN)  # not recoverable from the raw text


def read(text: str, path: str) -> Document:
    doc = Document(path, "cells_csv")
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(rows)]
    except (StopIteration, csv.Error) as exc:
        raise ReadError(f"{path}: CSV 无法读取（{exc or '空文件'}）") from None
    if tuple(header[:4]) != _KEY_COLUMNS:
        raise ReadError(f"{path}: CSV 表头须以 {','.join(_KEY_COLUMNS)} 开头，实为 {','.join(header[:4])}")
    unknown = [h for h in header if h not in _KNOWN]
    if unknown:
        doc.note("unknown_column", f"CSV 中未知的列未读取：{'、'.join(unknown)}")
    if "value" not in header and "raw" not in header:
        raise ReadError(f"{path}: CSV 没有 value 或 raw 列，读不到任何数值")
    meta: dict[str, dict[str, str]] = {"agency": {}, "year": {}, "format_version": {}}
    try:
        for line in rows:
            where = f"第{rows.line_num}行"
            if not any(x.strip() for x in line):
                continue
            if len(line) != len(header):
                doc.note("csv_row_width", f"这一行有 {len(line)} 列，表头有 {len(header)} 列", where)
            row = dict(zip(header, [plain(x.strip()) for x in line] + [""] * (len(header) - len(line))))
            for key in meta:
                if row.get(key):
                    meta[key].setdefault(row[key], where)
            doc.keyed.append(_cell(row, where, doc))
    except csv.Error as exc:
        raise ReadError(f"{path}: CSV 在第 {rows.line_num} 行无法读取（{exc}）") from None
    _metadata(meta, doc)
    return doc


def _cell(row: dict[str, str], where: str, doc: Document) -> KeyedCell:
    raw = row.get("raw", "")
    if not raw and row.get("value"):
        raw = row["value"]  # typed by hand: the value column alone
    status = row.get("status") or None
    if status and status not in _KEPT_STATUSES and parse_value(raw).status != status:
        doc.note("status_mismatch", f"“{raw}”写明状态 {status}，按内容读作 {parse_value(raw).status}", where)
    return KeyedCell(row["table"], row["subtable"], row["row"], row["column"], raw, row.get("source") or where,
                     status=status if status in _KEPT_STATUSES else None)


def _metadata(meta: dict[str, dict[str, str]], doc: Document) -> None:
    for key, seen in meta.items():
        if len(seen) > 1:
            doc.note("metadata", f"{key} 列前后不一致：{'、'.join(seen)}，采用第一个")
    if meta["agency"]:
        doc.agency = next(iter(meta["agency"]))
    if meta["year"]:
        year = unicodedata.normalize("NFKC", next(iter(meta["year"])))
        if year.isdigit():
            doc.year = int(year)
        else:
            doc.note("metadata", f"year 列“{year}”不是年份")
    if meta["format_version"]:
        version = next(iter(meta["format_version"]))
        if version in VERSIONS:
            doc.format_version = version
        else:
            doc.note("metadata", f"format_version 列“{version}”不是已知格式（{'、'.join(VERSIONS)}），按标签判断")

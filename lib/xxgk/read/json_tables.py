"""Tables as JSON: the output of `xxgk parse --json` read back, and API dumps of other tools
(KIRO parsed_json: sections typed table_2/table_3/table_4 with English field names).

Cells are handed to the assembler by key or label (Document.keyed), never by position. Field names
of other tools map to official cells through layouts/kiro_json.yaml, the one place they are named.
Text mis-decoded on the way (UTF-8 read as GBK) is repaired where it can be, and always said so.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from xxgk import yamlfile
from xxgk.config import LAYOUTS_DIR
from xxgk.read import mojibake
from xxgk.read.document import Document, KeyedCell, ReadError
from xxgk.values import MISSING

_YEAR_FIELD = re.compile(r'"year"\s*:\s*((?:19|20)\d{2})\b')


@lru_cache(maxsize=None)
def _kiro() -> dict:
    return yamlfile.load(LAYOUTS_DIR / "kiro_json.yaml")


def read(text: str, path: str) -> Document:
    doc = Document(path, "json_tables")
    text = text.lstrip("\ufeff")
    fixed = mojibake.repair(text)
    if fixed is not None:
        doc.note("mojibake", f"{path}：文字是乱码（UTF-8 文本曾被当作 GBK 读取后另存），已按 GBK 字节还原为 UTF-8"
                             "（个别汉字无法还原）")
    source = fixed if fixed is not None else text
    try:
        data = json.loads(source)
    except json.JSONDecodeError:
        data = _salvage(source)
        error = _json_error(text)
        if data is None:
            raise ReadError(f"{path}: 不是有效的 JSON（{error}），也找不到可读的表格") from None
        doc.note("broken_json", f"{path}：JSON 已损坏（{error}），只读出了其中完整的表格数字，文字部分未读取")
    if not isinstance(data, dict):
        raise ReadError(f"{path}: JSON 顶层不是对象，不是可读的报告表格")
    if isinstance(data.get("cells"), list):
        _read_own(data, doc)
    else:
        _read_kiro(data, doc, path)
    return doc


def _json_error(text: str) -> str:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"第 {exc.pos} 个字符处：{exc.msg}"
    return "文字还原后仍无法解析"


def _salvage(text: str) -> dict | None:
    """Table objects that are still whole inside a broken file (their field names and numbers are ASCII)."""
    decoder = json.JSONDecoder()
    sections = []
    for kind, spec in _kiro()["sections"].items():
        m = re.search(rf'"{spec["container"]}"\s*:\s*(?=\{{)', text)
        if not m:
            continue
        try:
            obj, _ = decoder.raw_decode(text, m.end())
        except json.JSONDecodeError:
            continue
        sections.append({"type": kind, spec["container"]: obj})
    if not sections:
        return None
    year = _YEAR_FIELD.search(text)
    return {"sections": sections, **({"year": int(year.group(1))} if year else {})}


# -- the project's own `xxgk parse --json` -----------------------------------------------------------
def _read_own(data: dict, doc: Document) -> None:
    doc.format_version = data.get("format_version")
    doc.year = data.get("year") if isinstance(data.get("year"), int) else None
    doc.agency = data.get("agency") or None
    doc.published = data.get("published")
    for i, sec in enumerate(data.get("sections") or []):
        if isinstance(sec, dict) and sec.get("heading"):
            doc.text(str(sec["heading"]), f"sections[{i}]")
    for i, c in enumerate(data["cells"]):
        if not isinstance(c, dict):
            doc.note("bad_cell", f"cells[{i}] 不是单元格对象，未读取")
            continue
        raw = c.get("raw")
        if raw is None:
            raw = "" if c.get("value") is None else str(c["value"])
        doc.keyed.append(KeyedCell(str(c.get("table") or ""), str(c.get("subtable") or ""), str(c.get("row") or ""),
                                   str(c.get("column") or ""), str(raw), c.get("source") or f"cells[{i}]",
                                   status=c.get("status")))
    for n in data.get("notes") or []:
        if isinstance(n, dict) and n.get("message"):
            doc.note(str(n.get("kind") or "note"), str(n["message"]), str(n.get("where") or ""))


# -- KIRO parsed_json ------------------------------------------------------------------------------
def _read_kiro(data: dict, doc: Document, path: str) -> None:
    spec = _kiro()
    parsed = (data.get("active_version") or {}).get("parsed_json") or data.get("parsed_json") or data
    sections = parsed.get("sections") if isinstance(parsed, dict) else None
    if not isinstance(sections, list):
        raise ReadError(f"{path}: JSON 中没有可识别的表格（既不是 xxgk parse --json 的输出，也不是 KIRO 的 parsed_json）")
    doc.format_version = spec["layout"]
    year = data.get("year")
    doc.year = year if isinstance(year, int) else None
    lost = []
    unit = data.get("unit_name")
    if isinstance(unit, str) and unit.strip():
        if _text_lost(unit):
            lost.append("机关名称")
        else:
            doc.agency = unit.strip()
    for i, sec in enumerate(sections):
        if not isinstance(sec, dict):
            continue
        kind = sec.get("type")
        if kind in spec["sections"]:
            _kiro_table(sec, kind, spec["sections"][kind], doc)
        elif kind == "text":
            body = "\n".join(str(sec.get(k) or "") for k in ("title", "content")).strip()
            if _text_lost(body):
                lost.append(f"sections[{i}]")
                continue
            for j, line in enumerate(body.splitlines()):
                doc.text(line, f"sections[{i}] 第{j + 1}行")
    if lost:
        doc.note("text_lost", f"{path}：中文文字在导出时已变成“?”（{'、'.join(lost[:4])}{'等' if len(lost) > 4 else ''}），"
                              "只能读取数字")


def _text_lost(text: str) -> bool:
    """Chinese replaced by '?' on export: what is left is question marks, digits and punctuation."""
    letters = [ch for ch in text if not ch.isspace() and not ch.isdigit() and ch not in ".-,:;()%/"]
    return bool(letters) and letters.count("?") >= 0.8 * len(letters)


def _kiro_table(sec: dict, kind: str, spec: dict, doc: Document) -> None:
    container = sec.get(spec["container"])
    if not isinstance(container, dict):
        doc.note("table_missing", f"{kind} 中没有 {spec['container']}，该表未读取")
        return
    unknown = []
    for field, value in _leaves(container):
        keys = _kiro_keys(field, spec)
        if keys is None:
            unknown.append(field)
            continue
        where = f"字段 {kind}.{spec['container']}.{field}"
        if value is None:
            doc.keyed.append(KeyedCell("", "", "", "", "", where, keys, MISSING))
        else:
            doc.keyed.append(KeyedCell("", "", "", "", _raw(value), where, keys))
    if unknown:
        doc.note("unknown_field", f"{kind} 中有无法对应官方单元格的字段：{'、'.join(unknown[:6])}{'等' if len(unknown) > 6 else ''}")


def _kiro_keys(field: str, spec: dict) -> tuple[str, str, str] | None:
    if "cells" in spec:
        keys = spec["cells"].get(field)
        return tuple(keys) if keys else None
    if "row" in spec:
        column = spec["columns"].get(field)
        return (spec["table"], spec["row"], column) if column else None
    for prefix, column in spec["columns"].items():
        if field.startswith(prefix + "."):
            row = spec["rows"].get(field[len(prefix) + 1 :])
            return (spec["table"], row, column) if row else None
    return None


def _leaves(obj: dict, prefix: str = ""):
    for key, value in obj.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _leaves(value, path + ".")
        else:
            yield path, value


def _raw(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

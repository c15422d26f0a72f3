"""What a file is before it is read: its text encoding, its rendering, its layout version and year."""

from __future__ import annotations

import codecs
import re

from xxgk.layouts import load_layout, normalize_label, pre2019_markers, VERSIONS
from xxgk.read.document import ReadError

MAX_BYTES = 50 * 1024 * 1024  # larger files are refused rather than read blindly


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Bytes to text, trying the encodings Chinese government pages use; returns (text, encoding)."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ReadError(f"{path}: UTF-16 byte-order mark but the text does not decode ({exc.reason} at byte {exc.start})") from exc
    declared = declared_charset(data)
    # A declared single-byte charset decodes anything, so it must not pre-empt the GB reading.
    single_byte = declared is not None and len(bytes(range(128, 256)).decode(declared, "replace")) == 128
    order = ("utf-8-sig", "gb18030", declared) if single_byte else ("utf-8-sig", declared, "gb18030")
    for enc in dict.fromkeys(order):
        if enc is None:
            continue
        try:
            return data.decode(enc), enc.replace("-sig", "")
        except UnicodeDecodeError:
            continue
    enc = declared or "utf-8"
    return data.decode(enc, errors="replace"), f"{enc} (with undecodable bytes replaced)"


_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([a-z0-9_.:-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn"}


def declared_label(data: bytes) -> str | None:
    """The charset label a page or XML file writes in its head (meta charset, encoding=), as written."""
    head = data[:4096]
    lowered = head.lower()  # the pattern ignores ASCII case only, as bytes.lower lowers it
    if b"charset" not in lowered and b"encoding" not in lowered:  # most text files: no scan needed
        return None
    m = _CHARSET.search(head)
    return m.group(1).decode("ascii", "ignore").lower() if m else None


def declared_charset(data: bytes) -> str | None:
    """The text encoding a file declares in its head; GB names read as gb18030; None when it declares none
    or a label that is no text encoding (`rot13`, `base64`, a typo): such a label is ignored, not fatal."""
    name = declared_label(data)
    if name is None:
        return None
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(name).name
        b"a".decode(name)  # codecs such as rot13 or base64 are found but decode no bytes to text
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    return None if name.startswith(("utf-16", "utf-32")) else name  # bytes that say it in ASCII are not UTF-16


SNIFF_BYTES = 200_000  # the head a text file's rendering is told from


def sniff_rendering(data: bytes, path: str) -> str:
    """Choose a reader by content, not by file name."""
    return sniff(data, path)[0]


def sniff(data: bytes, path: str) -> tuple[str, tuple | None]:
    """(rendering, decode()'s answer for a text file's head, None for pdf and docx): a reader of a text file
    starts from that head, which is most files whole."""
    rendering = binary_rendering(data)
    if rendering is not None:
        return rendering, None
    head = decode(data[:SNIFF_BYTES], path)
    return text_rendering(head[0]), head


def binary_rendering(data: bytes) -> str | None:
    """pdf or docx by the file's first bytes, else None (a text file)."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    return None


_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # where str.splitlines breaks


def text_rendering(text: str) -> str:
    """The rendering of a text file from its decoded head."""
    stripped = text.lstrip("\ufeff \r\n\t")
    low = stripped[:4096].lower()
    if stripped.startswith(("{", "[")):
        return "json_tables"
    end = _LINE_BREAK.search(stripped)
    first = stripped[:end.start()] if end else stripped  # the first line, without splitting them all
    if first.replace(" ", "").startswith("table,subtable,row,column"):
        return "cells_csv"
    if "<table" in low or "<html" in low or "<!doctype html" in low or "<p" in low[:2000]:
        return "html"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    piped = sum(1 for ln in lines if ln.rstrip().endswith("|") and not ln.lstrip().startswith("|"))
    if lines and piped / len(lines) > 0.3:
        return "pipe_text"
    if sum(1 for ln in lines if ln.lstrip().startswith("|")) >= 5:
        return "markdown"
    return "crawler_text"


def layout_version(text: str) -> tuple[str, str]:
    """pre2019 / 2019 / 2021 / unknown from the labels the text uses, with the reason."""
    norm = normalized(text)
    hits = {}
    for v in VERSIONS:
        hits[v] = [m for m in load_layout(v).markers if normalize_label(m) in norm]
    old = [m for m in pre2019_markers()["markers"] if normalize_label(m) in norm]
    n19, n21 = len(hits["2019"]), len(hits["2021"])
    # One new-format word in the prose of an old-structure report (政府集中采购项目类信息) is no table.
    if (n19 or n21) and not (len(old) >= 2 and max(n19, n21) < 2):
        v = "2019" if n19 > n21 else "2021" if n21 > n19 else "unknown"
        reason = f"2019 格式标志 {n19} 个（{'、'.join(hits['2019'][:4])}），2021 格式标志 {n21} 个（{'、'.join(hits['2021'][:4])}）"
        return v, reason
    if len(old) >= 2:
        return "pre2019", f"无 2019/2021 表格标志；旧版结构标志：{'、'.join(old[:4])}"
    return "unknown", "未发现任何格式版本的表格标志"


def normalized(text: str) -> str:
    """normalize_label(text), a line and a sentence at a time: NFKC composes nothing across a line break
    or an ideographic full stop (。, which it keeps), so the result is the same, and each piece's
    normalization is shared with every later lookup of that line or sentence (the sections, the table
    cells, the prose a crawler page's tokenizer normalized already)."""
    if "\n" not in text and "。" not in text:  # one piece: most table cells and headings
        return normalize_label(text)
    return "".join(normalize_label(line) if "。" not in line else "。".join(map(normalize_label, line.split("。")))
                   for line in text.split("\n"))


_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*政\s*府\s*信\s*息\s*公\s*开(?:工作)?\s*(?:年度)?\s*报\s*告")
_PERIOD = re.compile(r"统计(?:期限|时限|区间|周期)[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_PERIOD_END = re.compile(r"至\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*3[01]\s*日")
_PLAN = re.compile(r"((?:19|20)\d{2})\s*年[，,]?\s*(?:[我本][\u4e00-\u9fff]{0,6}|全[\u4e00-\u9fff]{1,3})?将")


def report_year(text: str, title: str | None = None) -> tuple[int | None, str]:
    """The report year from the title, the 统计期限, or next year's plans; with the reason."""
    for source, where in ((title or "", "标题"), (text[:3000], "正文开头")):
        m = _TITLE_YEAR.search(source)
        if m:
            return int(m.group(1)), f"{where}“{m.group(0)}”"
    m = _PERIOD.search(text) or _PERIOD_END.search(text)
    if m:
        return int(m.group(1)), f"统计期限“{m.group(0)}”"
    m = _PLAN.search(text[len(text) // 2 :])
    if m:
        return int(m.group(1)) - 1, f"改进计划写“{m.group(0)}”，报告年度为其前一年"
    return None, "标题、统计期限和改进计划中都没有年份"


_AGENCY_IN_TITLE = re.compile(r"^(.{2,40}?)(?:关于)?(?:19|20)\d{2}\s*年")
_AGENCY_BY = re.compile(r"本报告由(.{2,40}?)(?:根据|依据|按照|编制)")
# Titles that put the year first: 2024 年上海市科委政府信息公开工作年度报告.
_AGENCY_AFTER_YEAR = re.compile(r"^(?:19|20)\d{2}\s*年度?\s*(.{2,40}?)\s*(?:政府信息公开|政务公开|信息公开)\S*报\s*告")


def agency_name(text: str, title: str | None = None) -> str | None:
    """The publishing agency as the report names itself (title first, then 本报告由…)."""
    for source in (title or "", *[ln for ln in text.splitlines()[:15] if "报告" in ln]):
        source = source.strip().lstrip("标题:： ")
        m = _AGENCY_IN_TITLE.match(source) or _AGENCY_AFTER_YEAR.match(source)
        if m and not re.search(r"[，。,;；]", m.group(1)):
            return m.group(1).strip()
    m = _AGENCY_BY.search(text[:3000])
    if m:
        return m.group(1).strip()
    return None


def check_size(size: int, path: str) -> None:
    if size > MAX_BYTES:
        raise ReadError(f"{path}: 文件过大（{size / 1e6:.0f} MB，上限 {MAX_BYTES / 1e6:.0f} MB），未读取")
    if size == 0:
        raise ReadError(f"{path}: 空文件")

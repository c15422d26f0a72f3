"""Read any rendering of an annual report into a Report.

`read_report(path)` sniffs the content (not the file name), runs the matching reader, then the
shared assembler. A file that cannot be read at all raises ReadError with a message naming it;
so does a file that takes longer than TIME_LIMIT seconds or trips up a reader: files come from
outside, and one hostile file must neither hang a batch nor end it with a traceback.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from pathlib import Path

from xxgk.model import Report
from xxgk.read import detect, limits, mojibake
from xxgk.read.assemble import assemble
from xxgk.read.document import Document, ReadError
from xxgk.values import TEXT, parse_value

__all__ = ["read_report", "read_document", "ReadError", "ReaderFailure", "TIME_LIMIT"]

TIME_LIMIT = 60.0  # seconds one file may take to read; real reports take well under 2 s


def read_document(path: str | Path) -> Document:
    """The token stream of one file, from the reader its content calls for."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"{name}: 无法打开（{exc.strerror}）") from exc
    detect.check_size(size, name)
    try:
        data = path.read_bytes()
    except OSError as exc:  # a folder, a file that vanished or is not readable
        raise ReadError(f"{name}: 无法读取（{exc.strerror}）") from exc
    rendering, head = detect.sniff(data, name)
    limits.check(rendering, data, name)
    if rendering == "pdf":
        from xxgk.read import pdf

        return pdf.read(data, name)
    if rendering == "docx":
        from xxgk.read import docx

        return docx.read(data, name)
    text, encoding = head if len(data) <= detect.SNIFF_BYTES else detect.decode(data, name)
    if _binary(text):
        raise ReadError(f"{name}: 不是文本，也不是 PDF 或 Word 文件（内容是二进制数据），无法读取")
    fixed = mojibake.repair(text) if rendering != "json_tables" else None  # the JSON reader repairs field by field
    doc = _read_text(rendering, text if fixed is None else fixed, name)
    if fixed is not None:
        doc.note("mojibake", f"{name}：文字是乱码（{mojibake.describe(text)}），已还原后读取，个别字可能无法还原", "全文")
    label = detect.declared_label(data)
    if label and detect.declared_charset(data) is None and label.replace("-", "").replace("_", "") not in ("utf16", "utf32"):
        doc.note("charset_unknown", f"{name}：文件声明的字符集“{label}”不是可用的文字编码，已忽略，按 {encoding} 读取", "文件开头")
    return doc


def _binary(text: str) -> bool:
    """Control characters all over the start: not a text file of any encoding (random bytes give ~1 in 10).
    They are counted by two C loops (the Latin-1 characters kept, the rest deleted), not a regex scan."""
    head = text[:4096]
    return len(head.encode("latin-1", "ignore").translate(None, _NOT_CONTROL)) > max(8, len(head) // 20)


_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])  # below " ", but for \t \n \v \f \r
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)


def _read_text(rendering: str, text: str, name: str) -> Document:
    if rendering == "html":
        from xxgk.read import html

        return html.read(text, name)
    if rendering == "json_tables":
        from xxgk.read import json_tables

        return json_tables.read(text, name)
    if rendering == "cells_csv":
        from xxgk.read import cells_csv

        return cells_csv.read(text, name)
    if rendering == "pipe_text":
        from xxgk.read import pipe_text

        return pipe_text.read(text, name)
    if rendering == "markdown":
        from xxgk.read import markdown

        return markdown.read(text, name)
    from xxgk.read import crawler_text

    return crawler_text.read(text, name)


def read_report(path: str | Path, year: int | None = None, agency: str | None = None,
                time_limit: float | None = None) -> Report:
    """Parse one report file; `year`/`agency` override what the report says of itself.

    Reading stops with ReadError after `time_limit` seconds (default TIME_LIMIT; the limit needs the
    main thread, elsewhere the caller's own time-out applies).
    """
    name = str(path)
    limit = TIME_LIMIT if time_limit is None else time_limit
    try:
        with _deadline(limit):
            doc = read_document(path)
            report = assemble(doc, year=year, agency=agency)
    except ReadError:
        raise
    except _Expired:
        raise ReadError(f"{name}: 读取超过 {limit:g} 秒仍未完成，已放弃（文件可能已损坏或结构异常）") from None
    except Exception as exc:  # a reader tripped over a damaged file: say which file, never a traceback
        raise ReaderFailure(f"{name}: 读取时出错，文件可能已损坏（{type(exc).__name__}: {str(exc)[:200]}）") from exc
    if not report.sections and not report.cells:
        report.note("no_report", f"{path}: 未发现年度报告的章节或表格")
    _note_implausible(report)
    return report


def _note_implausible(report: Report) -> None:
    """Say which cells hold a number too large to be a count (values.MAX_PLAUSIBLE): they stay text."""
    for c in report.cells:
        why = parse_value(c.raw).note if c.status == TEXT else None
        if why:
            place = "/".join(x for x in (f"表{c.table}", c.subtable, c.row, c.column) if x)
            report.note("implausible_number", f"{place}：{why}", c.source)


class ReaderFailure(ReadError):
    """A reader failed on a file in a way it did not foresee (a bug to fix, though the user sees a clean error)."""


class _Expired(BaseException):
    """Raised by the alarm; a BaseException so that readers' `except Exception` cannot swallow it."""


@contextmanager
def _deadline(seconds: float):
    """SIGALRM after `seconds`, in the main thread and when no other timer is running; else no limit."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expire(signum, frame):
        raise _Expired()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

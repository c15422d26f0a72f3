"""Crawler plain text: a metadata header (标题:, 发布时间:), then the report, often on one line.

Section headings are found by their official wording wherever they stand. A table area is where
official labels (captions, headers, row labels of the detected layout) follow one another with only
numbers or short header text between them; each label becomes a cell token and the text between two
labels one cell token holding the raw run ("640020470"), which digit_runs splits once the assembler
has placed it. Text rendered one cell per line or as PDF lines ("label 1 2 3") reads the same way.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from xxgk.layouts import Layout, load_layout, normalize_label, pre2019_markers, section_headings
from xxgk.read import detect
from xxgk.read.document import Document

_META = re.compile(r"^\s*([\u4e00-\u9fff]{2,6})\s*[:：]\s*(.*)$")
_BODY_MARK = re.compile(r"^\s*=+\s*正\s*文\s*=+\s*$")
_TITLE_KEYS = ("标题", "名称", "文件名称")
_PUBLISHED_KEYS = ("发布时间", "发布日期", "公开日期", "成文日期")
_HEADER_KEYS = (*_TITLE_KEYS, *_PUBLISHED_KEYS, "文号", "发布机构", "栏目", "原文链接", "本地目录", "来源")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PDF_ROW = re.compile(r"^\s*.*?[^\d\s.\-]\s+(?:-?\d[\d,.]*\s+){2,}-?\d[\d,.]*\s*$")
_MIN_PDF_ROWS = 3
_MAX_PDF_LINE = 300
_LONG_LINE = 200  # longer lines get the character position in `where`
_NUMERALS = "一二三四五六七八九十"
_NUMBERED = re.compile(rf"[{_NUMERALS}][、.]")
_HEADING_SIMILARITY = 0.85  # a mistyped heading (“行政法复议”) still starts its section
_VALUE_CHARS = r"\d\s.\-−－+/／—–―元万"
_VALUES_ONLY = re.compile(rf"[{_VALUE_CHARS}]+")
_PIECE = re.compile(rf"[{_VALUE_CHARS}]+|[^{_VALUE_CHARS}]+")
_SHORT_TEXT = 12  # header text between labels (申请人情况) is this short and has no sentence punctuation
_SENTENCE = re.compile(r"[。；;！!？?，,：:]")
_MIN_TABLE_LABELS = 3
_STRONG_LENGTH = 6  # labels this long are specific enough to open a table area
# The CJK Unified Ideographs, which normalize_label leaves as they are (none decomposes, none is whitespace or a
# quote; tests/test_read_crawler_text.py asks of every one): most of a Chinese page's distinct characters.
IDEOGRAPHS = ("\u4e00", "\u9fff")


@dataclass(frozen=True)
class _Span:
    start: int  # positions in the original body text
    end: int
    kind: str  # heading | label
    text: str  # normalized label (labels only)


def read(text: str, path: str) -> Document:
    doc = Document(path, "crawler_text")
    lines = text.splitlines(keepends=True)
    meta, first = _metadata(lines)
    doc.title = next((meta[k] for k in _TITLE_KEYS if meta.get(k)), None)
    doc.published = next((_date(meta[k]) for k in _PUBLISHED_KEYS if meta.get(k) and _date(meta[k])), None)
    body = "".join(lines[first:])
    if _pdf_lines(lines[first:]):
        from xxgk.read.pdf import tokens_from_text_lines

        tokens_from_text_lines(((ln, f"第{first + i}行") for i, ln in enumerate(lines[first:], 1)), doc)
    else:
        _Tokenizer(doc, body, first).run()
    if doc.concatenated:
        doc.note("concatenated_cells", "表格单元格之间没有分隔（如“640020470”），数字按行内合计和表三列合计关系拆分，"
                 "不能唯一拆分的单元格标为不确定")
    return doc


def _pdf_lines(lines: list[str]) -> bool:
    """Text extracted from a PDF line by line: rows print as “label 1 2 3”, one to a line."""
    return sum(1 for ln in lines if len(ln) < _MAX_PDF_LINE and _PDF_ROW.match(ln)) >= _MIN_PDF_ROWS


def _metadata(lines: list[str]) -> tuple[dict[str, str], int]:
    """Key: value lines above the 正文 marker (or leading the file); returns them and the body's first line."""
    for i, line in enumerate(lines[:40]):
        if _BODY_MARK.match(line):
            return _keys(lines[:i]), i + 1
    i = 0
    while i < len(lines) and (m := _META.match(lines[i])) and m.group(1) in _HEADER_KEYS:
        i += 1
    return _keys(lines[:i]), i


def _keys(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        m = _META.match(line)
        if m and m.group(2).strip():
            out.setdefault(m.group(1), m.group(2).strip())
    return out


def _date(text: str) -> str | None:
    m = _DATE.search(text)
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


class _Tokenizer:
    def __init__(self, doc: Document, body: str, first_line: int):
        self.doc, self.body, self.first_line = doc, body, first_line
        self.norm, self.index = _normalized(body)
        version, _ = detect.layout_version(body)
        self.layout: Layout | None = load_layout(version) if version in ("2019", "2021") else None
        self.labels = _labels(version) if self.layout else {}
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", body)]

    def run(self) -> None:
        headings = self._headings()
        spans = sorted(headings + self._labels_outside(headings), key=lambda s: s.start)
        pos = 0
        for cluster in self._table_clusters(spans):
            self._text_between(pos, cluster[0].start, headings)
            pos = self._table(cluster, spans)
        self._text_between(pos, len(self.body), headings)

    def _text_between(self, start: int, end: int, headings: list[_Span]) -> None:
        """Prose, each section heading a token of its own so the assembler sees where sections start."""
        for span in (h for h in headings if start <= h.start < end):
            self._prose(start, span.start)
            self.doc.text(self.body[span.start:span.end], self._where(span.start))
            start = span.end
        self._prose(start, end)

    # -- finding headings and labels ---------------------------------------------------------------
    def _headings(self) -> list[_Span]:
        """Section headings in the order of their numbers; numbered row labels never match one.

        An official heading counts under any numeral (reports renumber when they add parts of their
        own); an old-structure heading or a mistyped one only under its own number.
        """
        official = [(s.number, [normalize_label(h)[2:] for h in (s.heading, *s.variants)]) for s in section_headings()]
        old = [normalize_label(h) for h in pre2019_markers()["headings"]]
        longest = max(len(b) for b in (*old, *(b for _, bodies in official for b in bodies)))
        found, last = [], 0
        for m in _NUMBERED.finditer(self.norm):
            written = _NUMERALS.index(self.norm[m.start()]) + 1
            rest = self.norm[m.end():m.end() + longest + 3]
            number, length = _heading_at(written, rest, official, old, last)
            if length:
                start, end = self.index[m.start()], self.index[m.end() + length - 1] + 1
                found.append(_Span(start, end, "heading", ""))
                last = number
        return found

    def _labels_outside(self, headings: list[_Span]) -> list[_Span]:
        """Every official label in the text, longest first at each place, outside the headings: a scan
        from left to right that takes the longest label where one starts, and jumps over a heading."""
        if not self.labels:
            return []
        blocked: dict[int, int] = {}  # position inside a heading -> where that heading ends
        for h in headings:
            end = self._norm_pos(h.end)
            for pos in range(self._norm_pos(h.start), end):
                blocked.setdefault(pos, end)
        inside = sorted(blocked)
        spans, i = [], 0
        for start, size in _longest_at(self.norm, self.labels):
            k = bisect.bisect_left(inside, i)
            while start >= i and k < len(inside) and inside[k] <= start:  # the scan reaches a heading first
                i = blocked[inside[k]]
                k = bisect.bisect_left(inside, i)
            if start < i:
                continue
            spans.append(_Span(self.index[start], self.index[start + size - 1] + 1, "label", self.norm[start:start + size]))
            i = start + size
        return spans

    def _norm_pos(self, original: int) -> int:
        """First normalized position at or after an original position."""
        return bisect.bisect_left(self.index, original)

    # -- table areas -------------------------------------------------------------------------------
    def _table_clusters(self, spans: list[_Span]) -> list[list[_Span]]:
        """Runs of labels separated only by numbers or short header text, with a specific label."""
        clusters, current = [], []
        for span in spans:
            if span.kind == "heading":
                clusters.append(current)
                current = []
                continue
            if current and not self._cell_like(self.body[current[-1].end:span.start]):
                clusters.append(current)
                current = []
            current.append(span)
        clusters.append(current)
        return [c for c in clusters if len(c) >= _MIN_TABLE_LABELS and any(self.labels[s.text][0] for s in c)]

    def _cell_like(self, gap: str) -> bool:
        return all(not _is_prose(p) for p in _PIECE.findall(gap))

    def _table(self, cluster: list[_Span], spans: list[_Span]) -> int:
        """Emit the cluster's labels and runs; returns where the table area ends."""
        k = bisect.bisect_left([s.start for s in spans], cluster[-1].end)
        tail_end = spans[k].start if k < len(spans) else len(self.body)
        for k, span in enumerate(cluster):
            self.doc.cell(self.body[span.start:span.end], self._where(span.start))
            gap_end = cluster[k + 1].start if k + 1 < len(cluster) else tail_end
            end = self._gap(span, span.end, gap_end)
            if end < gap_end:
                self.doc.row_end(self._where(end))
                return end
        self.doc.row_end(self._where(tail_end))
        return tail_end

    def _gap(self, label: _Span, start: int, end: int) -> int:
        """Cells of the text after a label; stops where prose begins and returns that position."""
        pos = start
        for piece in _PIECE.findall(self.body[start:end]):
            if _is_prose(piece):
                return pos
            stripped = piece.strip()
            if _is_run(stripped):
                self._run(label, stripped, pos + piece.index(stripped[0]))
            elif stripped.strip("元万"):
                self.doc.row_end(self._where(pos))
                self.doc.cell(stripped, self._where(pos + piece.index(stripped[0])))
            pos += len(piece)
        return end

    def _run(self, label: _Span, run: str, at: int) -> None:
        """A value run: one token when cells ran together, one per value when they are separated."""
        parts = run.split()
        if len(parts) < self.labels[label.text][1]:
            self.doc.concatenated = True
        if self.doc.concatenated or len(parts) == 1:
            self.doc.cell(run, self._where(at))
            return
        offset = 0
        for part in parts:
            offset = run.index(part, offset)
            self.doc.cell(part, self._where(at + offset))
            offset += len(part)

    def _prose(self, start: int, end: int) -> None:
        text = self.body[start:end].strip()
        if text:
            self.doc.text(text, self._where(start + self.body[start:end].index(text[0])))

    def _where(self, pos: int) -> str:
        """“第12行”, with the character on a long line (a whole report on one line): “第10行第2392字”."""
        line = bisect.bisect_right(self.line_starts, pos)
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.body)
        place = f"第{self.first_line + line}行"
        return place + f"第{pos - start + 1}字" if end - start > _LONG_LINE else place


def _heading_at(written: int, rest: str, official, old, last: int) -> tuple[int, int]:
    """(section number, normalized length after “X、”) of a heading starting here, or (0, 0)."""
    for number, bodies in official:
        hit = max((len(b) for b in bodies if rest.startswith(b)), default=0)
        if hit and number > last:
            return number, hit
    if written <= last:
        return 0, 0
    for h in old:
        body = h[2:] if h[:1] in _NUMERALS and h[1:2] in "、." else h
        if (h == body or _NUMERALS.index(h[0]) + 1 == written) and rest.startswith(body):
            return written, len(body)
    best, length = 0.0, 0
    for number, bodies in official:
        if number != written:
            continue
        for b in bodies:
            shared = _shared(rest[:len(b) + 2], b)  # no shorter cut of the text shares more with b
            for size in range(max(2, len(b) - 2), len(b) + 3):
                # difflib's ratio is at most 2·shared/(len a + len b): a cut that cannot reach the cutoff
                # or beat the best so far is not compared, which changes neither the best nor its length.
                compared = min(size, len(rest)) + len(b)
                bound = 2.0 * min(shared, size) / compared if compared else 1.0
                if bound < _HEADING_SIMILARITY or bound <= best:
                    continue
                ratio = difflib.SequenceMatcher(None, rest[:size], b).ratio()
                if ratio > best:
                    best, length = ratio, size
    return (written, length) if best >= _HEADING_SIMILARITY else (0, 0)


def _shared(a: str, b: str) -> int:
    """Characters two strings have in common, counted with repetition (difflib's quick_ratio matches)."""
    return sum((Counter(a) & Counter(b)).values())


def _is_run(piece: str) -> bool:
    """Numbers, or not-applicable marks standing for them."""
    return any(ch.isdigit() for ch in piece) or bool(piece) and set(piece) <= set("/／—–―-−－ ")


def _is_prose(piece: str) -> bool:
    text = normalize_label(piece)
    if not text or _VALUES_ONLY.fullmatch(piece):
        return False
    return len(text) > _SHORT_TEXT or bool(_SENTENCE.search(text))


def _normalized(text: str) -> tuple[str, list[int]]:
    """The text as labels are compared (NFKC, no whitespace) and each character's original position.

    Each character is normalized on its own, so the string is built by replacing the few distinct
    characters normalization changes, and the positions shift only at those that change length
    (whitespace): a lookup per character of a whole page was the reader's largest cost."""
    first, last = IDEOGRAPHS
    forms = {ch: normalize_label(ch) for ch in set(text) if not first <= ch <= last}
    changed = {ch: form for ch, form in forms.items() if form != ch}
    if any(c in changed for form in changed.values() for c in form):  # a replacement would be replaced again
        parts = [forms.get(ch, ch) for ch in text]
        return "".join(parts), [i for i, part in enumerate(parts) for _ in part]
    norm = text
    for ch, form in changed.items():
        norm = norm.replace(ch, form)
    return norm, _positions(text, {ch: len(form) for ch, form in changed.items() if len(form) != 1})


def _positions(text: str, sizes: dict[str, int]) -> list[int]:
    """Each normalized character's original position, where the characters in `sizes` become that many."""
    resized = sorted(i for ch in sizes for i in _occurrences(text, ch))
    index: list[int] = []
    done = 0
    for i in resized:
        index.extend(range(done, i))
        index.extend([i] * sizes[text[i]])
        done = i + 1
    index.extend(range(done, len(text)))
    return index


def _occurrences(text: str, ch: str):
    i = text.find(ch)
    while i >= 0:
        yield i
        i = text.find(ch, i + 1)


def _longest_at(text: str, labels) -> list[tuple[int, int]]:
    """(position, length) of the longest label starting at each position where one starts, in order: a
    search per label (compiling one regex of all labels cost more than the searches)."""
    longest: dict[int, int] = {}
    for label in labels:
        at = text.find(label)
        while at >= 0:
            if len(label) > longest.get(at, 0):
                longest[at] = len(label)
            at = text.find(label, at + 1)
    return sorted(longest.items())


@lru_cache(maxsize=None)
def _labels(version: str) -> dict[str, tuple[bool, int]]:
    """Normalized official label -> (specific enough to open a table area, values a run after it holds).
    Built once per layout; callers only read it."""
    layout = load_layout(version)
    out: dict[str, tuple[bool, int]] = {}

    def add(label: str | None, strong: bool = False, width: int = 0) -> None:
        norm = normalize_label(label or "")
        if norm:
            was_strong, was_width = out.get(norm, (False, 0))
            out[norm] = (was_strong or strong or len(norm) >= _STRONG_LENGTH, max(was_width, width))

    for table in layout.tables:
        add(table.subtable, True)
        add(table.header_label, True)
        add(table.corner_note, True)
        for col in table.columns:
            add(col.label, width=len(table.columns))  # 表四's 15 values follow its last column label
            for label in (*col.variants, *(col.group.split("/") if col.group else ())):
                add(label)
        for row in table.rows:
            for label in (row.label, *row.variants):
                add(label, width=0 if row.group else len(table.columns))
    return out

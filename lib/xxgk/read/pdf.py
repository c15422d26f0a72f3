"""PDF attachments with a text layer, read with pdfplumber.

Ruled tables become Grids (pdfplumber's table finder: each cell where it starts, with its spans);
every other text line of the page (title, prose, headings, sub-table captions) becomes a text
token; both are interleaved by their position on the page. Reports made in WPS draw even their
prose inside one-column tables, so a table row holding a single cell is read as text lines, not as
data. A table that goes on over a page break is a new Grid on the next page: its rows carry their
own labels, and a group label cut by the break (“（四）无” | “法提供”) is no row label and is passed over.

pdfminer, under pdfplumber, spends nine tenths of the time interpreting each page's content stream
in Python. pypdfium2 (PDFium, in C) reads the same page's characters and drawn paths about twenty
times faster, so each page's objects come from PDFium, shaped as pdfplumber's own (chars with
pdfminer's boxes; paths classified by pdfminer's paint_path), and pdfplumber's table finder and
text-line grouping run on them unchanged. A page PDFium cannot give exactly so (a rotated page or
character, a form XObject, an unmapped glyph, a Type3 font, vertical metrics of a font's own) is
parsed by pdfplumber as before.

`tokens_from_text_lines` reads the same tables from text another tool extracted from a PDF
(labels followed by space-separated numbers, vertical headers one character per line, wrapped
labels); readers of line-structured text call it.
"""

from __future__ import annotations

import ctypes
import io
import logging
import math
import re
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.pdfinterp import PDFGraphicState
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import LIT
from pdfplumber import utils as plumber_utils

from xxgk.layouts import VERSIONS, load_layout, normalize_label
from xxgk.read.document import Document, ReadError
from xxgk.read.grid import Grid, Span
from xxgk.read.labels import MAX_LABEL_CHARS as _MAX_LABEL_CHARS, is_caption as _is_caption, is_known as _is_known, row_match as _row_match
from xxgk.values import is_value_text

_FOOTER = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[，,/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
_GAP = 4  # short lines allowed between two rows of one un-ruled table
_PARAGRAPH_START = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}\s*[、.．])\s*\S{2}")


_RADICALS = re.compile("[\u2e80-\u2eff\u2f00-\u2fdf]")


def _unradical(text: str) -> str:
    """Kangxi and supplementary radicals (⼀ ⼆ ⾏, U+2F00…) that some PDF makers write for the
    ideographs they look like (一 二 行): read as those ideographs, or no heading or label matches."""
    return _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def _join_cell_lines(text: str) -> str:
    """Lines of one wrapped cell joined as printed: no space between Chinese characters."""
    parts = [p.strip() for p in text.splitlines() if p.strip()]
    out = ""
    for part in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


# pdfminer logs every oddity of a damaged file to stderr; what matters reaches the user as notes or ReadError.
logging.getLogger("pdfminer").setLevel(logging.ERROR)


# -- PDF pages -------------------------------------------------------------------------------------
def read(data: bytes, path: str) -> Document:
    """The token stream of a PDF; ReadError if it cannot be opened or has no text at all."""
    doc = Document(path, "pdf")
    reader = _PageReader(doc)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf, _PDFIUM_LOCK:
            pages = list(pdf.pages)
            fast = _FastPages.open(data, len(pages))
            try:
                for number, page in enumerate(pages, 1):
                    try:
                        if fast is not None:
                            fast.fill(number - 1, page)
                        reader.read_page(number, page)
                    except Exception as exc:  # a damaged page must not lose the others
                        doc.note("pdf_page", f"第{number}页无法读取（{type(exc).__name__}: {exc}）", f"第{number}页")
            finally:
                if fast is not None:
                    fast.close()
    except ReadError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for damaged or encrypted files
        raise ReadError(f"{path}: PDF 无法打开（{type(exc).__name__}: {exc}）") from exc
    if not pages:
        raise ReadError(f"{path}: PDF 没有页面")
    if reader.pages_with_text == 0:
        raise ReadError(f"{path}: 扫描版 PDF，{len(pages)} 页都没有文字层，需先做文字识别（OCR）才能读取")
    return doc


# PDFium is not thread-safe; one reader at a time in a process (batches read in child processes anyway).
_PDFIUM_LOCK = threading.Lock()
LITERAL_TYPE3 = LIT("Type3")


class _FastPages:
    """Each page's objects (chars, lines, rects, curves) read by PDFium and handed to the pdfplumber page,
    which then never runs pdfminer; a page this cannot reproduce exactly keeps pdfplumber's own parse."""

    def __init__(self, document: pdfium.PdfDocument):
        self.document = document
        self.analyzer = PDFLayoutAnalyzer(None)  # only its paint_path: pdfminer's path -> line/rect/curve
        self.analyzer.cur_item = self
        self.shapes: list = []
        self.box = pdfium_c.FS_RECTF()
        self.matrix = pdfium_c.FS_MATRIX()
        self.origin = (ctypes.c_double(), ctypes.c_double())

    @classmethod
    def open(cls, data: bytes, n_pages: int) -> _FastPages | None:
        try:
            document = pdfium.PdfDocument(data)
        except Exception:  # pdfplumber opened it: let it read every page
            return None
        if len(document) != n_pages:
            document.close()
            return None
        return cls(document)

    def close(self) -> None:
        self.document.close()

    def add(self, item) -> None:
        """paint_path's output (this object stands in for pdfminer's current layout container)."""
        self.shapes.append(item)

    def fill(self, index: int, page) -> None:
        """Set `page`'s objects from PDFium, unless the page holds something only pdfminer reads alike."""
        if page.rotation % 360 or tuple(page.mediabox[:2]) != (0, 0) or not _plain_fonts(page):
            return
        pdf_page = self.document[index]
        try:
            shapes = self._paths(pdf_page)
            if shapes is None:
                return
            text_page = pdf_page.get_textpage()
            try:
                chars = self._chars(text_page.raw, page)
            finally:
                text_page.close()
        finally:
            pdf_page.close()
        if chars is None:
            return
        objects: dict[str, list] = {"char": chars} if chars else {}
        for shape in shapes:
            obj = page.process_object(shape)
            objects.setdefault(obj["object_type"], []).append(obj)
        page._objects = objects  # pdfplumber's cache of the parsed page: what find_tables and chars read

    def _chars(self, text_page, page) -> list[dict] | None:
        """Characters as pdfminer boxes them: x from the advance, y from the descent up one font size; a
        character of a vertical font (its origin moved off the text position) in the box pdfminer gives
        it under the default vertical metrics (DW2 [880 -1000], no W2), if the page's fonts keep those."""
        box, m, (ox, oy) = self.box, self.matrix, self.origin
        height, doctop, number = page.height, page.initial_doctop, page.page_number
        vertical_ok = None
        chars = []
        for i in range(pdfium_c.FPDFText_CountChars(text_page)):
            if pdfium_c.FPDFText_IsGenerated(text_page, i):
                continue  # spaces and line breaks PDFium infers; pdfminer has only the drawn glyphs
            code = pdfium_c.FPDFText_GetUnicode(text_page, i)
            if (code in (0, 0xFFFD, 0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF
                    or pdfium_c.FPDFText_HasUnicodeMapError(text_page, i)):
                return None  # pdfminer writes such glyphs its own way, e.g. "(cid:12)"
            if not (pdfium_c.FPDFText_GetLooseCharBox(text_page, i, box) and pdfium_c.FPDFText_GetMatrix(text_page, i, m)):
                return None
            if m.b or m.c or m.a <= 0 or m.d <= 0:
                return None  # rotated, mirrored or vertical text
            font_size = pdfium_c.FPDFText_GetFontSize(text_page, i)
            pdfium_c.FPDFText_GetCharOrigin(text_page, i, ox, oy)
            if abs(ox.value - m.e) > 0.01 or abs(oy.value - m.f) > 0.01:  # vertical writing
                if vertical_ok is None:
                    vertical_ok = _default_vertical_metrics(page)
                if not vertical_ok:
                    return None
                x0, x1 = m.e - 0.5 * font_size * m.a, m.e + 0.5 * font_size * m.a
                y0, y1 = m.f - 0.88 * font_size * m.d, m.f + 0.12 * font_size * m.d
                size = x1 - x0
            else:
                size = font_size * m.d
                x0, x1, y0 = box.left, box.right, box.bottom
                if not 0 <= x1 - x0 <= 1.5 * size:
                    return None  # PDFium measured more than the glyph's advance (spacing): pdfminer's box differs
                y1 = y0 + size
            top = height - y1
            chars.append({"object_type": "char", "page_number": number, "text": chr(code), "upright": True,
                          "x0": x0, "x1": x1, "y0": y0, "y1": y1, "width": x1 - x0, "height": y1 - y0, "size": size,
                          "top": top, "bottom": height - y0, "doctop": doctop + top,
                          "matrix": (m.a, m.b, m.c, m.d, m.e, m.f)})
        return chars

    def _paths(self, pdf_page) -> list | None:
        """The page's painted paths as pdfminer's LTLine / LTRect / LTCurve; None if it holds a form XObject
        (whose contents pdfminer places through the form's own matrix)."""
        self.shapes = []
        m, x, y = self.matrix, ctypes.c_float(), ctypes.c_float()
        fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
        for k in range(pdfium_c.FPDFPage_CountObjects(pdf_page.raw)):
            obj = pdfium_c.FPDFPage_GetObject(pdf_page.raw, k)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                return None
            if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
                continue
            if not (pdfium_c.FPDFPageObj_GetMatrix(obj, m) and pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke)):
                return None
            path: list[tuple] = []
            bezier: list[float] = []
            for s in range(pdfium_c.FPDFPath_CountSegments(obj)):
                segment = pdfium_c.FPDFPath_GetPathSegment(obj, s)
                pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
                kind = pdfium_c.FPDFPathSegment_GetType(segment)
                if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:  # PDFium keeps a curve as three points
                    bezier += (x.value, y.value)
                    if len(bezier) == 6:
                        path.append(("c", *bezier))
                        bezier = []
                elif kind == pdfium_c.FPDF_SEGMENT_MOVETO:
                    path.append(("m", x.value, y.value))
                elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
                    path.append(("l", x.value, y.value))
                else:
                    return None
                if pdfium_c.FPDFPathSegment_GetClose(segment) and not bezier:
                    path.append(("h",))
            if bezier:
                return None
            self.analyzer.ctm = (m.a, m.b, m.c, m.d, m.e, m.f)
            self.analyzer.paint_path(PDFGraphicState(), bool(stroke.value), fill_mode.value != pdfium_c.FPDF_FILLMODE_NONE,
                                     fill_mode.value == pdfium_c.FPDF_FILLMODE_ALTERNATE, path)
        return self.shapes


def _plain_fonts(page) -> bool:
    """Every font of the page described as pdfminer and PDFium both measure it: no Type3 font (its own
    glyph matrix), each with a descriptor stating its descent."""
    try:
        fonts = resolve1(resolve1(page.page_obj.resources or {}).get("Font")) or {}
        for spec in fonts.values():
            spec = resolve1(spec)
            if spec.get("Subtype") is LITERAL_TYPE3:
                return False
            descendants = resolve1(spec.get("DescendantFonts"))
            described = resolve1(descendants[0]) if descendants else spec
            if resolve1(resolve1(described.get("FontDescriptor") or {}).get("Descent")) is None:
                return False
    except Exception:  # an odd resource dictionary: pdfplumber reads the page
        return False
    return True


def _default_vertical_metrics(page) -> bool:
    """No font of the page states vertical metrics of its own (W2, DW2): pdfminer's defaults apply."""
    try:
        fonts = resolve1(resolve1(page.page_obj.resources or {}).get("Font")) or {}
        for spec in fonts.values():
            for font in [resolve1(spec), *map(resolve1, resolve1(resolve1(spec).get("DescendantFonts")) or [])]:
                if "W2" in font or "DW2" in font:
                    return False
    except Exception:
        return False
    return True


class _PageReader:
    def __init__(self, doc: Document):
        self.doc = doc
        self.pages_with_text = 0

    def read_page(self, number: int, page) -> None:
        if not page.chars:
            self.doc.note("pdf_no_text", f"第{number}页没有文字层（可能是扫描图片），未读取", f"第{number}页")
            return
        self.pages_with_text += 1
        events: list[tuple[float, int, tuple]] = []
        bands: list[tuple[float, float]] = []
        chars = _Chars(page.chars)
        for t_no, table in enumerate(page.find_tables(), 1):
            rows = table.rows  # a property that sorts the table's cells again at every call
            for r_no, (row, cells) in enumerate(zip(rows, chars.table_text(rows)), 1):
                if sum(c is not None for c in cells) < 2:
                    continue  # a full-width row: prose or a caption, read below as text lines
                top, bottom = row.bbox[1], row.bbox[3]
                bands.append((top, bottom))
                events.append((top, len(events), ("row", t_no, r_no, rows, cells)))
        for line in page.extract_text_lines():
            line["text"] = _unradical(line["text"])
            mid = (line["top"] + line["bottom"]) / 2
            if not any(top <= mid <= bottom for top, bottom in bands):
                events.append((line["top"], len(events), ("line", line)))
        events.sort()

        lines: list[dict] = []
        rows: list[tuple] = []  # table rows read since the last text line: one Grid
        line_no = 0
        for _, _, event in events:
            if event[0] == "line":
                if _FOOTER.match(event[1]["text"]):
                    continue
                self._grid(rows, number)
                rows = []
                line_no += 1
                lines.append({**event[1], "where": f"第{number}页 第{line_no}行"})
                continue
            self._text_lines(lines, number)
            lines = []
            if rows and rows[-1][2] is not event[3]:
                self._grid(rows, number)
                rows = []
            rows.append(event[1:])
        self._grid(rows, number)
        self._text_lines(lines, number)

    def _grid(self, rows: list[tuple], page_no: int) -> None:
        """Consecutive rows of one ruled table as a Grid: each cell at the column where it starts, its
        spans measured against the table's column and row edges (a merged cell is None elsewhere)."""
        if not rows:
            return
        t_no, table_rows = rows[0][0], rows[0][2]
        xs = sorted({round(c[0], 1) for row in table_rows for c in row.cells if c is not None})
        tops = [round(r_no_row.bbox[1], 1) for r_no_row in table_rows]
        spans: list[Span] = []
        for g_row, (_, r_no, _, cells) in enumerate(rows):
            boxes = table_rows[r_no - 1].cells
            for j, (raw, box) in enumerate(zip(cells, boxes)):
                if box is None or raw is None:
                    continue
                col = xs.index(round(box[0], 1)) if round(box[0], 1) in xs else j
                colspan = max(1, sum(1 for x in xs if box[0] - 0.5 <= x < box[2] - 0.5))
                rowspan = max(1, sum(1 for _, rr, _, _ in rows[g_row:] if box[1] - 0.5 <= tops[rr - 1] < box[3] - 0.5))
                spans.append(Span(_join_cell_lines(_unradical(raw)), f"第{page_no}页 表{t_no} 第{r_no}行 第{j + 1}格",
                                  g_row, col, rowspan, colspan))
        self.doc.grid(Grid.from_spans(spans, len(rows), f"第{page_no}页 表{t_no}"))

    def _text_lines(self, lines: list[dict], page_no: int) -> None:
        """Text lines to tokens: the title, labels and captions alone, prose joined into paragraphs."""
        if not lines:
            return
        doc = self.doc
        if doc.title is None and page_no == 1:
            for k, line in enumerate(lines[:3]):
                if "报告" in line["text"]:
                    doc.title = "".join(ln["text"].strip() for ln in lines[: k + 1])
                    doc.text(doc.title, lines[0]["where"])
                    lines = lines[k + 1 :]
                    break
        start = 0
        for first, last in _unruled_tables(lines):
            self._prose(lines[start:first])
            tokens_from_text_lines(((ln["text"], ln["where"]) for ln in lines[first : last + 1]), doc)
            start = last + 1
        self._prose(lines[start:])

    def _prose(self, lines: list[dict]) -> None:
        """Prose lines joined into paragraphs; a row label or caption alone on its line is a cell."""
        if not lines:
            return
        doc = self.doc
        left = min((ln["x0"] for ln in lines), default=0)
        right = max((ln["x1"] for ln in lines), default=0)
        para, where, open_para = "", "", False
        for line in lines:
            text = line["text"].strip()
            size = max(line["bottom"] - line["top"], 1.0)
            if len(normalize_label(text)) <= _MAX_LABEL_CHARS and _is_known(text):
                doc.text(para, where)
                para, open_para = "", False
                doc.cell(text, line["where"])
                doc.row_end(line["where"])
                continue
            starts = _PARAGRAPH_START.match(text) or line["x0"] > left + 1.5 * size
            if open_para and not starts:
                para += text
            else:
                doc.text(para, where)
                para, where = text, line["where"]
            open_para = line["x1"] >= right - 1.5 * size  # a full line: the paragraph goes on
        doc.text(para, where)


class _Chars:
    """A page's characters with their middles, for the text of table cells.

    The text is pdfplumber's Table.extract: a cell holds the characters whose middle lies in it (left and top
    edges in, right and bottom out), in the page's order, joined by pdfplumber's extract_text. Table.extract
    tests every character of the page against every row; here they are sorted once by their vertical middle
    and each row takes its band by bisection."""

    def __init__(self, chars: list[dict]):
        self.chars = chars
        self.v_mid = [(c["top"] + c["bottom"]) / 2 for c in chars]  # Table.extract's own arithmetic
        self.h_mid = [(c["x0"] + c["x1"]) / 2 for c in chars]
        # NaN sorts nowhere: then every character is tested against every row, as pdfplumber does.
        self.order = (None if any(map(math.isnan, self.v_mid))
                      else sorted(range(len(chars)), key=self.v_mid.__getitem__))
        self.keys = None if self.order is None else [self.v_mid[i] for i in self.order]

    def table_text(self, rows: list) -> list[list[str | None]]:
        """Each row's cell texts (None where a merged cell lies), as Table.extract gives them."""
        chars, v_mid, h_mid = self.chars, self.v_mid, self.h_mid
        out = []
        for row in rows:
            x0, top, x1, bottom = row.bbox
            if self.order is not None:
                band = sorted(self.order[bisect_left(self.keys, top): bisect_left(self.keys, bottom)])
            else:
                band = [i for i, v in enumerate(v_mid) if top <= v < bottom]
            in_row = [i for i in band if x0 <= h_mid[i] < x1]
            texts: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    texts.append(None)
                    continue
                cx0, ctop, cx1, cbottom = cell
                mine = [chars[i] for i in in_row if cx0 <= h_mid[i] < cx1 and ctop <= v_mid[i] < cbottom]
                texts.append(plumber_utils.extract_text(mine) if mine else "")
            out.append(texts)
        return out


def _row_like(text: str) -> bool:
    """A line of an un-ruled table: a known row label followed by numbers, or three numbers or more."""
    words = text.split()
    k = len(words)
    while k and is_value_text(words[k - 1]):
        k -= 1
    values = len(words) - k
    if not values:
        return False
    label = " ".join(words[:k])
    return (not label and values >= 3) or (bool(label) and _row_match(label, True) is not None)


def _unruled_tables(lines: list[dict]) -> list[tuple[int, int]]:
    """(first, last) line indices of tables drawn without rules: runs of at least three row-like lines
    (or 表四's one row of numbers), with at most _GAP short lines (wrapped labels, header pieces)
    between two of them. Their lines are read like text another tool extracted from a PDF."""
    rows = [i for i, ln in enumerate(lines) if _row_like(ln["text"].strip())]
    runs: list[list[int]] = []
    for i in rows:
        between = lines[runs[-1][-1] + 1 : i] if runs else []
        if runs and len(between) <= _GAP and all(len(normalize_label(ln["text"])) <= _MAX_LABEL_CHARS for ln in between):
            runs[-1].append(i)
        else:
            runs.append([i])
    return [(run[0], run[-1]) for run in runs if len(run) >= 3 or any(_numbers_only(lines[i]["text"]) for i in run)]


def _numbers_only(text: str) -> bool:
    """表四's row of numbers under its header, with no row label."""
    words = text.split()
    return len(words) >= 5 and all(is_value_text(w) for w in words)


# -- PDF text lines --------------------------------------------------------------------------------
def tokens_from_text_lines(lines: Iterable[tuple[str, str]], doc: Document) -> None:
    """Append the tokens of PDF-extracted text lines, given as (text, where) pairs, to `doc`.

    A line's trailing space-separated numbers are one table row; its label may be wrapped over the
    lines before it, may carry a stray piece of a vertical or group header before it, and its
    numbers may stand on the line before it (as extractors print rows whose label is taller than
    the numbers). Lines that are no row become text tokens; page footers (“- 4 -”) are dropped.
    """
    _LineReader(doc).run(lines)


class _LineReader:
    _MAX_PENDING = 3  # unknown short lines kept as possible pieces of the next label

    def __init__(self, doc: Document):
        self.doc = doc
        self.pending: list[tuple[str, str]] = []  # unknown short lines (text, where), oldest first
        self.vertical = False  # the last pending line gathers a header printed one character per line
        self.held: list[tuple[str, str]] = []  # numbers waiting for their row label
        self.held_after = 0  # how many pending lines came before the held numbers
        self.open_label = False  # a row label was emitted without its numbers yet

    def run(self, lines: Iterable[tuple[str, str]]) -> None:
        for text, where in lines:
            text = text.strip()
            if text and not _FOOTER.match(text):
                self._line(text, where)
        self._flush()

    def _line(self, text: str, where: str) -> None:
        words = text.split()
        k = len(words)
        while k and is_value_text(words[k - 1]):
            k -= 1
        label = " ".join(words[:k])
        first = 2 if label else 1  # the label is the row's first cell
        values = [(w, f"{where} 第{i + first}格") for i, w in enumerate(words[k:])]
        if not label:
            self._numbers(values, where)
            return
        found = self._find_label(label, where, fuzzy=bool(values))
        if found is not None:
            strays, written, first = found
            self.pending, self.vertical = [], False
            self._emit_strays(strays)
            self._emit_row(written, first, values)
            return
        if _is_caption(label) and not values:
            self._flush()
            self.doc.cell(text, where)
            self.doc.row_end(where)
            return
        if len(normalize_label(text)) > _MAX_LABEL_CHARS:
            self._flush()
            self.doc.text(text, where)
            return
        if len(text) <= 2 and self.pending and self.vertical:
            self.pending[-1] = (self.pending[-1][0] + text, self.pending[-1][1])
        else:
            self.pending.append((text, where))
            self.vertical = len(text) <= 2
        while len(self.pending) > self._MAX_PENDING:
            if self.held_after == 0:
                self._emit_held()  # numbers no label came for (表四's one data row)
            self.held_after -= 1
            self._emit_strays([self.pending.pop(0)])
        self.open_label = False

    def _find_label(self, label: str, where: str, fuzzy: bool) -> tuple[list[tuple[str, str]], str, str] | None:
        """(stray lines before the label, the label as written, where it starts) if this line ends a label.

        Exact and variant matches win over fuzzy ones, which only a line with numbers may use (a
        header printed one character per line comes close to its label before it is complete);
        the longest wrapped label is tried first, then the label without stray pieces before it.
        """
        texts = [p[0] for p in self.pending]
        words = label.split()
        candidates = [(self.pending[:j], "".join(texts[j:]) + label, ([*self.pending[j:], (label, where)])[0][1])
                      for j in range(len(texts) + 1)]
        candidates += [(self.pending + [(" ".join(words[:i]), where)], " ".join(words[i:]), where) for i in range(1, len(words))]
        for close in (False, True) if fuzzy else (False,):
            order = sorted(candidates, key=lambda c: len(c[1])) if close else candidates
            for strays, written, first in order:
                if _row_match(written, close) is not None:
                    return strays, written, first
        return None

    def _numbers(self, values: list[tuple[str, str]], where: str) -> None:
        joined = "".join(p[0] for p in self.pending)
        if joined and _row_match(joined, True) is not None:
            first = self.pending[0][1]
            self.pending, self.vertical = [], False
            self._emit_row(joined, first, values)
        elif self.open_label:
            self._emit_values(values, where)
            self.open_label = False
        else:
            self._emit_held()
            self.held, self.held_after = values, len(self.pending)

    def _emit_row(self, label: str, where: str, values: list[tuple[str, str]]) -> None:
        if values:
            self._emit_held()
        else:
            values, self.held = self.held, []
        self.doc.cell(label, where)
        if values:
            self._emit_values(values, where)
        self.open_label = not values and not _is_group(label)

    def _emit_values(self, values: list[tuple[str, str]], where: str) -> None:
        for raw, w in values:
            self.doc.cell(raw, w)
        self.doc.row_end(where)

    def _emit_held(self) -> None:
        if self.held:
            self._emit_values(self.held, self.held[0][1])
            self.held = []

    def _emit_strays(self, strays: list[tuple[str, str]]) -> None:
        """Lines that are no row of their own: a header cut into pieces, or plain text."""
        strays = [s for s in strays if s[0]]
        joined = "".join(s[0] for s in strays)
        if len(strays) > 1 and _row_match(joined, False) is not None:
            strays = [(joined, strays[0][1])]
        for text, where in strays:
            if _row_match(text, False) is not None:
                self.doc.cell(text, where)
            else:
                self.doc.text(text, where)

    def _flush(self) -> None:
        if self.held:
            self._emit_strays(self.pending[: self.held_after])
            self.pending = self.pending[self.held_after :]
            self._emit_held()
        self._emit_strays(self.pending)
        self.pending, self.vertical = [], False
        self.open_label = False


def _is_group(label: str) -> bool:
    """A row label that only groups other rows (it carries no numbers of its own in the layout)."""
    for version in VERSIONS:
        hit = load_layout(version).match_row(label)
        if hit is not None:
            return hit[1].group
    return False

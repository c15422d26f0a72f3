"""The PDFium object layer of the PDF reader: a page it reads gives pdfplumber's table finder and
text-line grouping the same lines and tables as pdfplumber's own (pdfminer) parse of that page; a page
it cannot reproduce (a Type3 font, as Chromium prints CJK) keeps pdfplumber's parse."""

from __future__ import annotations

import io
from functools import lru_cache
from types import SimpleNamespace

import pdfplumber
import pdfplumber.table
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REAL
from xxgk.read import pdf

PDFS = ["kiro_hongze_district_2023.pdf", "kiro_hongze_district_2024.pdf", "govnianbao_huaian_city_2024.pdf"]


def _pages(data: bytes):
    """Each page twice: as pdfplumber parses it, and with its objects from PDFium (None where it declined)."""
    slow, quick = pdfplumber.open(io.BytesIO(data)), pdfplumber.open(io.BytesIO(data))
    fast = pdf._FastPages.open(data, len(quick.pages))
    try:
        for k, (a, b) in enumerate(zip(slow.pages, quick.pages)):
            fast.fill(k, b)
            yield a, (b if hasattr(b, "_objects") else None)
    finally:
        fast.close()
        slow.close()
        quick.close()


def _lines(page):
    return [(ln["text"], ln["x0"], ln["top"], ln["x1"], ln["bottom"]) for ln in page.extract_text_lines()]


def _tables(page):
    return [([row.bbox for row in t.rows], t.extract()) for t in page.find_tables()]


def _near(a, b, tolerance: float = 0.01) -> bool:
    """Boxes at the same places (PDFium keeps coordinates as 32-bit floats, pdfminer as 64-bit)."""
    return len(a) == len(b) and all(abs(x - y) < tolerance for p, q in zip(a, b) for x, y in zip(p, q))


@pytest.mark.parametrize("name", PDFS)
def test_pdfium_pages_read_as_pdfplumber_reads_them(name):
    for slow, fast in _pages((REAL / name).read_bytes()):
        assert fast is not None  # Word and WPS exports, vertical header cells included, take the fast path
        assert sorted(c["text"] for c in fast.chars) == sorted(c["text"] for c in slow.chars)
        lines, expected = _lines(fast), _lines(slow)
        assert [ln[0] for ln in lines] == [ln[0] for ln in expected]
        assert _near([ln[1:] for ln in lines], [ln[1:] for ln in expected], 0.25)  # an advance read from the font file
        tables, expected = _tables(fast), _tables(slow)
        assert [t[1] for t in tables] == [t[1] for t in expected]
        assert all(_near(t[0], e[0]) for t, e in zip(tables, expected))


@pytest.mark.slow
def test_type3_fonts_keep_pdfplumbers_parse(tmp_path):
    from xxgk.browser import print_pdf

    page = tmp_path / "p.html"
    page.write_text("<html><body><h1>表二 主动公开政府信息情况</h1><table border=1><tr><td>规章</td><td>3</td></tr></table>"
                    "</body></html>", encoding="utf-8")
    print_pdf([(page, tmp_path / "p.pdf")])
    pages = list(_pages((tmp_path / "p.pdf").read_bytes()))
    assert pages and all(fast is None for _, fast in pages)


# -- the cells' text --------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _every_table():
    """(page chars, table) for every ruled table of the corpus PDFs, as the reader's pages give them."""
    return [(fast.chars, table) for name in PDFS for _, fast in _pages((REAL / name).read_bytes())
            for table in fast.find_tables()]


def test_cell_text_is_pdfplumbers_on_every_corpus_table():
    assert len(_every_table()) >= 10
    for chars, table in _every_table():
        assert pdf._Chars(chars).table_text(table.rows) == table.extract()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_cell_text_is_pdfplumbers_with_characters_on_the_edges(data):
    """Characters moved so that their middle lies exactly on a cell's edge (the left and top edges hold it, the
    right and bottom ones do not), or outside the page, or nowhere (NaN): the texts stay pdfplumber's."""
    chars, table = data.draw(st.sampled_from(_every_table()))
    chars = [dict(c) for c in chars]
    cells = [c for row in table.rows for c in row.cells if c is not None]
    for i in data.draw(st.lists(st.integers(0, len(chars) - 1), max_size=40)):
        c = chars[i]
        x0, top, x1, bottom = data.draw(st.sampled_from(cells))
        h = data.draw(st.sampled_from([x0, x1, -5.0, float("nan"), (c["x0"] + c["x1"]) / 2]))
        v = data.draw(st.sampled_from([top, bottom, 1e6, float("nan"), (c["top"] + c["bottom"]) / 2]))
        w, t = (c["x1"] - c["x0"]) / 2, (c["bottom"] - c["top"]) / 2
        c.update(x0=h - w, x1=h + w, top=v - t, bottom=v + t)
    shifted = pdfplumber.table.Table(SimpleNamespace(chars=chars), table.cells)
    assert pdf._Chars(chars).table_text(shifted.rows) == shifted.extract()

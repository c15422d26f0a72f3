"""Bounds before work: implausible numbers stay text with a note, JSON stays standard, archives and
streams that inflate past their caps are refused before a reader unpacks them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from xxgk.config import DATA_DIR
from xxgk.jsonsafe import dumps
from xxgk.read import ReadError, limits, read_report
from xxgk.values import MAX_PLAUSIBLE, NUMBER, TEXT, is_value_text, parse_value

from conftest import SEED

ROW = "行政许可 |\n0 |\n5 |\n5 |"


@pytest.mark.parametrize("digits", [31, 400, 5000])
def test_giant_number_is_text_with_note(tmp_path, digits):
    """31 digits overflowed sums, 400 became inf, over 4300 made the whole file unreadable."""
    text = SEED.read_text(encoding="utf-8")
    assert ROW in text
    path = tmp_path / "giant.txt"
    path.write_text(text.replace(ROW, f"行政许可 |\n0 |\n{'9' * digits} |\n5 |", 1), encoding="utf-8")
    report = read_report(path)
    giant = [c for c in report.cells if c.raw.startswith("9" * 20)]
    assert len(giant) == 1 and giant[0].status == TEXT and giant[0].value is None
    notes = [n for n in report.notes if n.kind == "implausible_number"]
    assert len(notes) == 1 and f"共 {digits} 位" in notes[0].message and giant[0].row in notes[0].message
    assert sum(c.status == NUMBER for c in report.cells) > 20  # the rest of the report is read
    json.loads(dumps(report.to_json()))


def test_plausible_bound():
    assert parse_value(str(MAX_PLAUSIBLE)).value == MAX_PLAUSIBLE
    assert parse_value(f"{MAX_PLAUSIBLE + 1}").status == TEXT
    assert parse_value("1" + "0" * 400 + ".5万元").note
    assert parse_value("0000000000000012").value == 12
    assert is_value_text("9" * 50) and not is_value_text("九十九")


def test_json_is_standard():
    text = dumps({"rate": float("inf"), "cells": [float("nan"), 1.5]})
    assert json.loads(text) == {"rate": None, "cells": [None, 1.5]}
    assert "Infinity" not in text and "NaN" not in text


def test_parse_json_output_is_standard(tmp_path):
    """`xxgk parse --json` printed `Infinity` for a 400-digit number with decimals (float overflow)."""
    path = tmp_path / "inf.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace(ROW, f"行政许可 |\n0 |\n{'9' * 400}.5 |\n5 |", 1),
                    encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "xxgk.cli", "parse", str(path), "--json"], capture_output=True,
                         text=True, check=True)
    assert "Infinity" not in out.stdout and "NaN" not in out.stdout
    cells = json.loads(out.stdout)["cells"]
    assert [c["status"] for c in cells if c["raw"].startswith("999")] == [TEXT]


# -- decompression caps ------------------------------------------------------------------------------
DOCX = DATA_DIR / "reports/2022/qh-natres.docx"


def _docx_with(tmp_path, name: str, extra: bytes) -> Path:
    """The sample DOCX with `extra` inside an XML comment of one part (zeros compress ~1000:1)."""
    out = io.BytesIO()
    with zipfile.ZipFile(DOCX) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == name:
                data = data.replace(b"?>", b"?><!--" + extra + b"-->", 1)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    path = tmp_path / "bomb.docx"
    path.write_bytes(out.getvalue())
    return path


def test_docx_part_past_cap_is_refused(tmp_path):
    path = _docx_with(tmp_path, "word/document.xml", b" " * (limits.DOCX_MAX_XML_PART + 1))
    assert path.stat().st_size < 200_000
    with pytest.raises(ReadError) as err:
        read_report(path)
    message = str(err.value)
    assert str(path) in message and "word/document.xml" in message and "解压后超过 32 MB" in message
    assert "\n" not in message


def test_docx_under_cap_still_reads(tmp_path):
    path = _docx_with(tmp_path, "word/document.xml", b" " * 1_000_000)
    report = read_report(path)
    assert sum(c.status == NUMBER for c in report.cells) > 50


def _pdf_with_stream(tmp_path, payload: bytes) -> Path:
    """A real PDF with one more object whose stream is `payload` (no xref entry: the check reads bytes, not objects)."""
    src = sorted((SEED.parent / "real").glob("*.pdf"))[0].read_bytes()
    obj = b"\n999 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(payload) + payload + b"\nendstream\nendobj\n"
    path = tmp_path / "bomb.pdf"
    path.write_bytes(src + obj)
    return path


@pytest.mark.parametrize("layers", [1, 2])
def test_pdf_stream_past_cap_is_refused(tmp_path, layers):
    payload = b"\0" * (limits.PDF_MAX_STREAM + 1)
    for _ in range(layers):
        payload = zlib.compress(payload, 9)
    path = _pdf_with_stream(tmp_path, payload)
    with pytest.raises(ReadError) as err:
        read_report(path)
    assert str(path) in str(err.value) and "数据流解压后超过 64 MB" in str(err.value)


def test_pdf_small_stream_still_reads(tmp_path):
    path = _pdf_with_stream(tmp_path, zlib.compress(b"\0" * 1_000_000))
    assert sum(c.status == NUMBER for c in read_report(path).cells) > 50


# -- partial over nothing -------------------------------------------------------------------------
@pytest.mark.parametrize("label", ["rot13", "base64", "x-no-such-charset"])
def test_unknown_charset_label_is_a_note(tmp_path, label):
    path = tmp_path / "page.txt"
    path.write_bytes(f'<meta charset="{label}">\n'.encode() + SEED.read_bytes())
    report = read_report(path)
    assert sum(c.status == NUMBER for c in report.cells) > 20
    assert [n.kind for n in report.notes if label in n.message] == ["charset_unknown"]


def test_encoding_word_in_prose_is_harmless(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_bytes("附件以 encoding=base64 方式上传。\n".encode() + SEED.read_bytes())
    assert sum(c.status == NUMBER for c in read_report(path).cells) > 20


@pytest.mark.parametrize("ilvl,start", [("9", "1"), ("12", "1"), ("0", "²"), ("x", "99999999999999")])
def test_odd_docx_numbering_is_read_without_numbers(tmp_path, ilvl, start):
    """A list level past 8 (Word's last) or a start like ² made the whole Word file unreadable."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word = docx.Document(DOCX)
    numbering = word.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91"><w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/>'
        '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="78"><w:abstractNumId w:val="91"/></w:num>'))
    para = word.add_paragraph("附注")
    para._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="78"/></w:numPr>'))
    path = tmp_path / "numbered.docx"
    word.save(path)
    report = read_report(path)
    assert sum(c.status == NUMBER for c in report.cells) > 50


def test_docx_part_the_reader_never_reads_is_not_inflated(tmp_path):
    """A bomb in a part the Word reader never opens (stylesWithEffects.xml) reaches no parser: the file reads."""
    path = _docx_with(tmp_path, "word/stylesWithEffects.xml", b" " * (limits.DOCX_MAX_XML_PART + 1))
    assert path.stat().st_size < 200_000
    report = read_report(path)
    assert sum(c.status == NUMBER for c in report.cells) > 50

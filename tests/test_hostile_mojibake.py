"""Mis-decoded text (UTF-8 read as GBK or Latin-1/Windows-1252 and saved again) in every text rendering:
noted as kind "mojibake" naming the file, repaired where the bytes survive, never a false alarm."""

from __future__ import annotations


import pytest

from xxgk.config import DATA_DIR
from xxgk.read import mojibake, read_report
from xxgk.read.detect import decode

from conftest import REAL, SEED

# One sample file per text rendering: pipe text, web page, cells CSV; and the real pipe-text seed.
SOURCES = [DATA_DIR / "reports/2021/qh-commerce.txt", DATA_DIR / "reports/2021/qh-gov.html",
           DATA_DIR / "reports/2022/qh-education.csv", SEED]


def windows_1252(data: bytes) -> str:
    """How a browser or Windows editor decodes bytes as 'windows-1252' (undefined bytes kept as C1 controls)."""
    out = []
    for b in data:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


MISREADS = {
    "latin-1": lambda b: b.decode("latin-1"),
    "windows-1252": windows_1252,
    "gbk": lambda b: b.decode("gbk", "replace"),
    "gb18030": lambda b: b.decode("gb18030", "replace"),
}


def cells(report):
    return {(c.table_id, c.row_key, c.column_key): c.value for c in report.cells}


@pytest.mark.parametrize("misread", MISREADS)
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_misdecoded_text_is_noted_and_repaired(tmp_path, source, misread):
    garbled = MISREADS[misread](source.read_bytes())
    path = tmp_path / f"garbled{source.suffix}"
    path.write_text(garbled, encoding="utf-8")  # re-saved by the tool that misread it
    report = read_report(path)
    notes = [n for n in report.notes if n.kind == "mojibake"]
    assert len(notes) == 1 and str(path) in notes[0].message
    assert ("GBK" if misread.startswith("gb") else "Latin-1") in notes[0].message
    original, got = cells(read_report(source)), cells(report)
    same = sum(got.get(k) == v for k, v in original.items())
    if misread in ("latin-1", "windows-1252"):
        assert same == len(original), "single-byte misreads lose nothing: every cell comes back"
    elif source.suffix == ".txt":
        # GBK pairs swallow the byte after a character (lost for good); pipe text still gives most cells
        assert same >= 0.6 * len(original)


def test_real_mojibake_json_is_noted():
    path = REAL / "kiro_jinhu_county_2023_llm_parsed_mojibake_broken.json"
    report = read_report(path)
    notes = [n for n in report.notes if n.kind == "mojibake"]
    assert notes and str(path) in notes[0].message


def _texts():
    files = sorted(p for p in REAL.iterdir() if p.suffix in {".txt", ".md", ".html", ".json"}) + [SEED]
    files += sorted((DATA_DIR / "reports").glob("*/*.txt")) + sorted((DATA_DIR / "reports").glob("*/*.html"))
    return [p for p in files if "mojibake" not in p.name]


@pytest.mark.parametrize("path", _texts(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_genuine_text_is_not_mojibake(path):
    """No false alarm on any real or sample report, whatever its encoding."""
    text, _ = decode(path.read_bytes(), str(path))
    assert mojibake.repair(text) is None


@pytest.mark.parametrize("text", [
    "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。" * 3,
    "Ã©tÃ© cafÃ© naÃ¯ve — a European page with its own mojibake, no Chinese",
    "ÄÖÜ äöü ß ÀÉÈ àéè çñ — 德语和法语字母与中文混排：政府信息公开工作年度报告",
    "·×÷°±§¨" * 20 + "政府信息公开工作年度报告",
])
def test_no_false_alarm_on_mixed_scripts(text):
    assert mojibake.repair(text) is None

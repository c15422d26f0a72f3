"""Every file of the shared corpus, through `read_report` and `xxgk parse --json`: nothing is skipped."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import DECIDED_BY_PROSE, REAL, SEED
from xxgk.config import ROOT
from xxgk.read import read_report

DOCS = {"expected.json", "manifest.csv"}
FILES = sorted([SEED, *(p for p in REAL.iterdir() if p.name not in DOCS)])
# Layout versions of the files expected.json does not describe, read off the files by hand.
OTHER_VERSIONS = {
    "seed_county_commerce_bureau_2021.txt": "2019",
    "govnianbao_huaian_city_2024_section3_pdf_text_excerpt.txt": "2021",
    "kiro_jinhu_county_2023_llm_parsed_report33.json": "2021",
    "kiro_jinhu_county_2023_llm_parsed_mojibake_broken.json": "2021",
    "kiro_unknown_agency_2023_html_llm_parsed_report29.json": "2021",
}


def test_the_corpus_is_all_here(expected):
    """21 files; each is described by expected.json or, for the few it leaves out, by OTHER_VERSIONS."""
    assert len(FILES) == 21
    assert all(p.name in expected or p.name in OTHER_VERSIONS for p in FILES)


@pytest.mark.parametrize("name", sorted(n for n in json.loads((REAL / "expected.json").read_text(encoding="utf-8"))),
                         ids=str)
def test_every_hand_read_cell_is_read(name, expected):
    """Every cell expected.json gives holds the hand-read value (blank: None); a cell it could split only with
    the next year's report may be uncertain instead."""
    report = read_report(REAL / name)
    got = {(c.table, c.subtable, c.row, c.column): c for c in report.cells}
    wrong = []
    for c in expected[name].get("cells", []):
        cell = got.get((c["table"], c.get("subtable"), c["row"], c["column"]))
        if cell is not None and cell.status == "uncertain" and (
                c.get("basis") == "cross-year" or (name, c["table"], c["row"], c["column"]) in DECIDED_BY_PROSE):
            continue
        if cell is None or cell.value != c["value"]:
            wrong.append((c["table"], c["row"], c["column"], c["value"], cell and (cell.value, cell.status)))
    assert not wrong, f"{len(wrong)} cells differ: {wrong[:5]}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_corpus_file_reads_with_its_layout_version(path, expected):
    report = read_report(path)
    want = expected.get(path.name, {}).get("format_version") or OTHER_VERSIONS[path.name]
    assert report.format_version == want
    if "year" in expected.get(path.name, {}):
        assert report.year == expected[path.name]["year"]
    if want != "pre2019":
        numbers = [c for c in report.cells if c.status == "number"]
        assert len(numbers) >= 40, f"{path.name}: only {len(numbers)} numbers read"


@pytest.mark.parametrize("path", [SEED, REAL / "shuyang_drc_2023.html", REAL / "pingtan_2021_page.txt"], ids=lambda p: p.name)
def test_parse_json_has_the_stable_shape(path):
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "parse", str(path), "--json"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"agency", "year", "format_version", "sections", "cells", "notes"} <= set(out)
    assert all(set(s) >= {"number", "heading", "chars"} for s in out["sections"])
    cell_keys = {"table", "subtable", "row", "column", "value", "raw", "status", "source"}
    assert out["cells"] and all(set(c) >= cell_keys for c in out["cells"])
    assert all(c["value"] is None or isinstance(c["value"], (int, float)) for c in out["cells"])
    assert all(c["status"] == "number" or c["value"] is None for c in out["cells"])


def test_an_unreadable_file_exits_2_naming_it(tmp_path):
    bad = tmp_path / "empty.html"
    bad.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "parse", str(bad)], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "Traceback" not in proc.stderr

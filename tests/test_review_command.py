"""One agency reviewed on its own: `xxgk review` hands over the notice (and with --pdf the printed review),
and an imported report's sources.csv row — shown as the review's 来源 — makes the page stale when it changes."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import unicodedata

import pytest
from docx import Document

from conftest import data_subset
from xxgk.batch import handover

from xxgk.review import inputs

from xxgk.review import review
from xxgk.config import ROOT

YEAR = 2021
AGENCIES = ("qh-education", "qh-hefeng")  # one region: each reads the other's report as a peer's
SOURCES = ("file", "original_name", "url", "sha256", "imported_at")


def _data(tmp_path):
    return data_subset(tmp_path, AGENCIES, years=[YEAR])


def _write_sources(data, names: dict[str, str]) -> None:
    with open(data / "sources.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, SOURCES)
        writer.writeheader()
        for agency, name in names.items():
            file = next((data / "reports" / str(YEAR)).glob(f"{agency}.*")).relative_to(data).as_posix()
            writer.writerow({"file": file, "original_name": name, "url": f"https://example.gov.cn/{agency}",
                             "sha256": "", "imported_at": "2026-01-01T00:00:00"})


def test_a_changed_sources_row_makes_its_own_review_stale(tmp_path):
    data = _data(tmp_path)
    _write_sources(data, {a: f"附件：{a}年报.pdf" for a in AGENCIES})
    loaded = {a: review.load(a, YEAR, data, tmp_path / "out") for a in AGENCIES}
    assert "附件：qh-hefeng年报.pdf，https://example.gov.cn/qh-hefeng" in loaded["qh-hefeng"].header()
    _write_sources(data, {"qh-education": "附件：qh-education年报.pdf", "qh-hefeng": "禾丰镇2021年报（更正）.pdf"})
    fresh = inputs.Data(data)
    assert {a for a, rv in loaded.items() if inputs.changed(rv.inputs, fresh)} == {"qh-hefeng"}
    assert "禾丰镇2021年报（更正）.pdf" in review.load("qh-hefeng", YEAR, data, tmp_path / "out").header()


@pytest.mark.slow
def test_review_command_hands_over_the_notice_and_the_pdf(tmp_path):
    import pdfplumber

    data, out = _data(tmp_path), tmp_path / "out"
    agency = "qh-education"
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "review", agency, "--year", str(YEAR), "--data", str(data),
                           "--out", str(out), "--pdf"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    year = out / str(YEAR)
    notice, pdf = year / f"{agency}{handover.NOTICE_SUFFIX}", year / f"{agency}.pdf"
    assert proc.stdout.split() == [str(year / f"{agency}.html"), str(notice), str(pdf)]
    summary = json.loads((year / f"{agency}.json").read_text(encoding="utf-8"))  # what the review found
    text = "\n".join(p.text for p in Document(notice).paragraphs)
    problems = [f for f in summary["findings"] if f["status"] in ("fail", "uncertain") and not f["waived"]]
    assert problems and all(f["message"] in text for f in problems)
    assert text.count("整改要求：") == len(problems)
    with pdfplumber.open(pdf) as printed:
        # NFKC for Kangxi radicals; the font may still give 青 and 页 as supplementary radicals (⻘ ⻚)
        pages = [unicodedata.normalize("NFKC", p.extract_text() or "").replace("\n", "") for p in printed.pages]
    assert "禾示例县教育局 2021年政府信息公开工作年度报告审查" in pages[0]
    assert [re.search(r"第 (\d+) \S[,，]共 (\d+) \S$", p).groups() for p in pages] == \
        [(str(n), str(len(pages))) for n in range(1, len(pages) + 1)]

"""A batch with a decompression bomb, a 31-digit cell and binary junk among healthy agencies: the healthy
ones render, the 31-digit report renders with a note, the other two fail alone with a short reason."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest

from conftest import data_subset
from xxgk.config import DATA_DIR, ROOT
from xxgk.read import limits

pytestmark = pytest.mark.slow

YEAR = "2022"
HEALTHY = ("qh-commerce", "qh-hefeng")
AGENCIES = (*HEALTHY, "qh-market", "qh-education", "qh-health")


def _data(tmp_path):
    root = data_subset(tmp_path, AGENCIES, years=[YEAR], reports=HEALTHY)
    reports = root / "reports" / YEAR
    market = (DATA_DIR / "reports" / YEAR / "qh-market.txt").read_text(encoding="utf-8")
    assert "行政许可 |\n1711 |" in market
    (reports / "qh-market.txt").write_text(market.replace("行政许可 |\n1711 |", f"行政许可 |\n{'9' * 31} |"),
                                          encoding="utf-8")
    bomb = io.BytesIO()
    with zipfile.ZipFile(DATA_DIR / "reports" / YEAR / "qh-natres.docx") as src, \
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b"?><!--" + b" " * (limits.DOCX_MAX_XML_PART + 1) + b"-->", 1)
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    (reports / "qh-education.docx").write_bytes(bomb.getvalue())
    (reports / "qh-health.txt").write_bytes(bytes(range(256)) * 200)
    return root


def test_bad_reports_fail_alone_with_short_reasons(tmp_path):
    data, out = _data(tmp_path), tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "run", "--year", YEAR, "--data", str(data), "--out",
                           str(out), "--jobs", "2"], capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    run = json.loads((out / YEAR / "run.json").read_text(encoding="utf-8"))
    status = {r["agency_id"]: r for r in run["results"]}
    assert {a for a, r in status.items() if r["status"] == "rendered"} == {*HEALTHY, "qh-market"}
    assert "解压后超过 32 MB" in status["qh-education"]["error"]
    assert "二进制" in status["qh-health"]["error"]
    for agency in ("qh-education", "qh-health"):
        error = status[agency]["error"]
        assert str(tmp_path) not in error and "Error" not in error and "\n" not in error
    summary = json.loads((out / YEAR / "qh-market.json").read_text(encoding="utf-8"))
    assert summary["received"] is not None  # the rest of the report was read
    page = (out / YEAR / "qh-market.html").read_text(encoding="utf-8")
    assert "超过任何可能的件数" in page and "inf件" not in page
    index = (out / YEAR / "index.html").read_text(encoding="utf-8")
    assert str(tmp_path) not in index and "PapermillExecutionError" not in index
    cache = out / ".cache" / "parsed"
    assert all(p.suffix == ".json" and (p.stat().st_mode & 0o077) == 0 for p in cache.iterdir())

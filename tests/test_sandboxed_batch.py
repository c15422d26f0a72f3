"""A batch with a report that reads too long and one that needs too much memory among healthy agencies:
the healthy ones render, the two fail alone, each with its one-line reason (limits made small for CI)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from xxgk.batch import run as batch
from xxgk.config import DATA_DIR

pytestmark = pytest.mark.slow

HEALTHY = ("qh-commerce", "qh-hefeng")


def _data(tmp_path):
    root = tmp_path / "data"
    reports = root / "reports" / "2022"
    reports.mkdir(parents=True)
    with open(DATA_DIR / "agencies.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["agency_id"] in (*HEALTHY, "qh-market", "qh-nanhu")]
    with open(root / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for agency in HEALTHY:
        (reports / f"{agency}.txt").write_bytes((DATA_DIR / "reports" / "2022" / f"{agency}.txt").read_bytes())
    text = (DATA_DIR / "reports" / "2022" / "qh-market.txt").read_text(encoding="utf-8")
    (reports / "qh-market.txt").write_text(text * 250, encoding="utf-8")  # 1.5 MB: about a second to read
    (reports / "qh-nanhu.txt").write_text(text + "。" * 15_000_000, encoding="utf-8")  # hundreds of MB to read
    return root


def test_a_hang_and_a_memory_hog_fail_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_READ_SECONDS", "0.5")  # healthy reports read in under 0.1 s
    monkeypatch.setenv("XXGK_READ_MEMORY_MB", "130")
    out = tmp_path / "out"
    summary = batch.run(2022, out_dir=out, data_root=_data(tmp_path), jobs=2, progress_stream=io.StringIO())
    status = {r.agency_id: r for r in summary.results}
    assert {a for a, r in status.items() if r.status == "rendered"} == set(HEALTHY)
    assert "读取超过 0.5 秒" in status["qh-market"].error
    assert "内存超过 130 MB" in status["qh-nanhu"].error
    for agency in ("qh-market", "qh-nanhu"):
        error = status[agency].error
        assert status[agency].status == "failed" and "\n" not in error and str(tmp_path) not in error
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in (out / ".cache" / "parsed").glob("*.json")]
    assert sorted("error" in e for e in entries) == [False, False, True, True]  # each file read once, cached

"""`xxgk run` end to end on a copy of the sample data: outputs, incremental skips, isolation of
failures, whole-notebook time limits, interrupted runs, the Dask path and the pages in Chromium."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import RUN_AGENCIES as AGENCIES, copy_run, data_subset
from xxgk.batch import run as batch
from xxgk.config import ROOT

pytestmark = pytest.mark.slow

XXGK = [sys.executable, "-m", "xxgk.cli"]


def _run(data: Path, out: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*XXGK, "run", "--data", str(data), "--out", str(out), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=600, **kw)


def _descendants(root: int) -> set[int]:
    parents = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                parents[int(p.name)] = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, frontier = set(), [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found.add(pid)
                frontier.append(pid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _complete(page: Path) -> bool:
    text = page.read_text(encoding="utf-8")
    return text.rstrip().endswith("</html>") and "<main>" in text


def test_run_writes_every_output(sample_run):
    data, out = sample_run
    year = out / "2021"
    for agency in AGENCIES:
        assert _complete(year / f"{agency}.html")
        assert (year / f"{agency}.ipynb").exists()
    summary = json.loads((year / "run.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"rendered": 3, "no_report": 1}
    assert summary["seconds_per_rendered_agency"] > 0
    with open(year / "machine" / "cells.csv", encoding="utf-8") as fh:  # the English machine form
        cells = list(csv.DictReader(fh))
    assert {c["agency_id"] for c in cells} == set(AGENCIES)
    # The seed (qh-commerce 2021) uses the 2019 layout: 198 cells; the others 200.
    assert sum(1 for c in cells if c["agency_id"] == "qh-commerce") == 198
    with open(year / "machine" / "findings.csv", encoding="utf-8") as fh:
        findings = list(csv.DictReader(fh))
    assert any(f["agency_id"] == "qh-commerce" and f["rule"] == "C_FORMAT_VERSION" for f in findings)
    index = (year / "index.html").read_text(encoding="utf-8")
    for agency in AGENCIES:
        assert f'href="{agency}.html"' in index
    assert _complete(year / "overview.html")
    root = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2021/index.html"' in root and 'href="2021/overview.html"' in root


def test_unchanged_agencies_are_skipped_and_a_changed_one_is_rerendered(sample_run, tmp_path):
    data, out = copy_run(sample_run, tmp_path)
    before = {a: (out / "2021" / f"{a}.html").stat().st_mtime_ns for a in AGENCIES}
    proc = _run(data, out, "--year", "2021")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "2021" / "run.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"skipped": 3, "no_report": 1}
    # Last year's report is an input of this year's review (carry-over chain): change it.
    prev = next((data / "reports" / "2020").glob("qh-hefeng.*"))
    prev.write_bytes(prev.read_bytes() + b"\n")
    proc = _run(data, out, "--year", "2021")
    statuses = {r["agency_id"]: r["status"] for r in json.loads((out / "2021" / "run.json").read_text())["results"]}
    assert statuses == {"qh-hefeng": "rendered", "qh-commerce": "skipped", "qh-education": "skipped",
                        "qh-ghost": "no_report"}
    assert (out / "2021" / "qh-commerce.html").stat().st_mtime_ns == before["qh-commerce"]
    proc = _run(data, out, "--year", "2021", "--force", "--agency", "qh-commerce")
    statuses = {r["agency_id"]: r["status"] for r in json.loads((out / "2021" / "run.json").read_text())["results"]}
    assert statuses == {"qh-commerce": "rendered"}


def test_a_failing_agency_does_not_stop_the_batch(sample_run, tmp_path):
    data, out = copy_run(sample_run, tmp_path)
    year = out / "2021"
    earlier = (year / "qh-education.html").read_bytes()
    bad = next((data / "reports" / "2021").glob("qh-education.*"))
    bad.write_bytes(b"")  # an empty file cannot be read at all
    proc = _run(data, out, "--year", "2021")
    assert proc.returncode == 1
    assert "qh-education" in proc.stderr
    assert (year / "qh-education.html").read_bytes() == earlier  # the earlier review stays, nothing half-written
    assert _complete(year / "qh-commerce.html") and _complete(year / "qh-hefeng.html")
    index = (year / "index.html").read_text(encoding="utf-8")
    assert "失败" in index and "空文件" in index and "上次成功生成" in index
    overview = (year / "overview.html").read_text(encoding="utf-8")
    assert "青禾示例县商务局" in overview and "青禾示例县教育局" not in overview  # only current reviews
    with open(year / "machine" / "findings.csv", encoding="utf-8") as fh:
        assert "qh-education" not in {row["agency_id"] for row in csv.DictReader(fh)}


def test_the_whole_notebook_time_limit_kills_a_slow_review(tmp_path):
    data, out = data_subset(tmp_path, ("qh-hefeng",)), tmp_path / "out"
    proc = _run(data, out, "--year", "2021", "--timeout", "0.2")
    assert proc.returncode == 1
    result = json.loads((out / "2021" / "run.json").read_text(encoding="utf-8"))["results"][0]
    assert result["status"] == "failed" and "时间上限" in result["error"]


def test_an_interrupted_run_leaves_earlier_reports_intact_and_resumes(sample_run, tmp_path):
    data, out = copy_run(sample_run, tmp_path)
    pages = {a: (out / "2021" / f"{a}.html").read_bytes() for a in AGENCIES}
    proc = subprocess.Popen([*XXGK, "run", "--data", str(data), "--out", str(out), "--year", "2021", "--force",
                             "--jobs", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    state = out / "2021" / ".state"
    first = {a: (state / f"{a}.json").stat().st_mtime_ns for a in AGENCIES}
    while time.monotonic() < deadline:  # kill as soon as one agency has been re-rendered
        if any((state / f"{a}.json").stat().st_mtime_ns != first[a] for a in AGENCIES):
            break
        time.sleep(0.05)
    ours = _descendants(proc.pid)  # the zygote and the kernels it forked (in sessions of their own)
    assert ours
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in ours) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in ours if _alive(p)], "a killed run left kernels or its zygote behind"
    for agency, page in pages.items():
        now = out / "2021" / f"{agency}.html"
        assert _complete(now), agency
        assert len(now.read_bytes()) > 0.5 * len(page)
    assert not list((out / "2021").glob(".*.tmp"))
    resumed = _run(data, out, "--year", "2021")
    assert resumed.returncode == 0, resumed.stderr


def test_a_second_run_on_the_same_folder_refuses(tmp_path):
    out = tmp_path / "out"
    with batch.output_lock(out):
        proc = _run(data_subset(tmp_path, AGENCIES), out, "--year", "2021")
    assert proc.returncode == 3
    assert "正在写入" in proc.stderr


def test_index_and_overview_open_offline_in_chromium(sample_run, tmp_path):
    from xxgk.browser import view

    _, out = sample_run
    for page in (out / "index.html", out / "2021" / "index.html", out / "2021" / "overview.html"):
        shown = view(page, screenshot=tmp_path / f"{page.parent.name}-{page.stem}.png")
        assert shown.outside_requests == []
    overview = view(out / "2021" / "overview.html")
    assert "排名" in overview.text and len(overview.images) >= 3 and all(w > 0 and h > 0 for w, h in overview.images)

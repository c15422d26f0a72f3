"""CLI faults of the environment are one line naming what failed: an output folder that cannot be written,
a --dask scheduler that cannot be reached (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys

from xxgk.config import ROOT

XXGK = [sys.executable, "-m", "xxgk.cli"]


def _one_line(proc, *words):
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and all(w in lines[0] for w in words), proc.stderr


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    proc = subprocess.run([*XXGK, "run", "--year", "2022", "--agency", "qh-commerce", "--out", str(blocker / "out")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    _one_line(proc, str(blocker), "无法写入输出目录")


def test_an_unreachable_dask_scheduler_is_one_line(tmp_path):
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    proc = subprocess.run([*XXGK, "run", "--year", "2022", "--agency", "qh-commerce", "--out", str(tmp_path / "out"),
                           "--dask", "tcp://127.0.0.1:9"], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env)
    _one_line(proc, "tcp://127.0.0.1:9", "无法连接 Dask 调度器")

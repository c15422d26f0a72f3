"""Runs never damage data: data/ is never modified, a run killed midway leaves earlier reports whole
and can be run again, and a second run on the same output folder refuses (exit status 3).

All through the command line, on a copy of data/ and an output folder in tmp.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from xxgk.config import DATA_DIR, ROOT

XXGK = str(ROOT / ".venv/bin/xxgk")
YEAR = 2021
SOME = ["qh-gov", "qh-gov-office", "qh-commerce", "qh-education", "qh-health", "qh-market"]

pytestmark = pytest.mark.slow


def snapshot(root: Path) -> dict[str, tuple[str, int, int]]:
    """Every file and folder under root: content hash, mtime (ns) and mode."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        out[str(p.relative_to(root))] = (digest, st.st_mtime_ns, st.st_mode)
    return out


def xxgk_run(data: Path, out: Path, *extra: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([XXGK, "run", "--year", str(YEAR), "--data", str(data), "--out", str(out), "--jobs", "2", *extra],
                          capture_output=True, text=True, timeout=900, **kw)


def start_run(data: Path, out: Path, *extra: str) -> subprocess.Popen:
    """A run in its own process group (so that the test can end it and every kernel it started)."""
    return subprocess.Popen([XXGK, "run", "--year", str(YEAR), "--data", str(data), "--out", str(out), "--jobs", "2", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def end_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def wait_for_line(proc: subprocess.Popen, needle: str, timeout: float = 300) -> list[str]:
    """Read the run's log lines until one contains needle."""
    seen, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"no {needle!r} in the run's log: {''.join(seen)[-2000:]}")


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.closed_html = False

    def handle_starttag(self, tag, attrs):
        if tag in ("html", "body", "head", "table", "div", "section", "main"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        if tag == "html":
            self.closed_html = True


def complete_html(path: Path) -> bool:
    """A whole page: decodes, its block elements close, it ends with </html>."""
    text = path.read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(text)
    return checker.closed_html and not checker.stack and text.rstrip().endswith("</html>")


@pytest.fixture
def data_copy(tmp_path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def test_review_and_run_never_touch_the_data_folder(tmp_path, data_copy):
    before = snapshot(data_copy)
    time.sleep(0.01)
    review = subprocess.run([XXGK, "review", "qh-gov", "--year", str(YEAR), "--data", str(data_copy),
                             "--out", str(tmp_path / "one")], capture_output=True, text=True, timeout=600)
    assert review.returncode == 0, review.stderr[-1500:]
    run = xxgk_run(data_copy, tmp_path / "out", "--agency", *SOME[:3])
    assert run.returncode == 0, run.stderr[-1500:]
    assert snapshot(data_copy) == before
    assert (tmp_path / "out" / str(YEAR) / "index.html").exists()


def test_killed_run_leaves_earlier_reports_whole_and_can_be_rerun(tmp_path, data_copy):
    out = tmp_path / "out"
    first = xxgk_run(data_copy, out, "--agency", *SOME)
    assert first.returncode == 0, first.stderr[-1500:]
    year = out / str(YEAR)
    earlier = {p.name: p.read_bytes() for p in year.glob("*.html")}
    assert {f"{a}.html" for a in SOME} <= set(earlier)

    for sig in (signal.SIGKILL, signal.SIGTERM):
        proc = start_run(data_copy, out, "--agency", *SOME, "--force")
        try:
            wait_for_line(proc, f"1/{len(SOME)}")  # one agency re-rendered, others under way
            os.kill(proc.pid, sig)  # the driver only, as a crash or `kill` would
            proc.wait(timeout=60)
        finally:
            end_group(proc)  # kernels it left behind
        assert proc.returncode != 0
        for p in year.glob("*.html"):
            assert complete_html(p), f"{p.name} half-written after {sig.name}"
        for name in earlier:
            assert (year / name).exists(), f"{name} lost after {sig.name}"
        assert not [p.name for p in year.iterdir() if p.suffix == ".tmp" and not p.name.startswith(".")]

    again = xxgk_run(data_copy, out, "--agency", *SOME)
    assert again.returncode == 0, again.stderr[-1500:]
    for a in SOME:
        assert complete_html(year / f"{a}.html")
    index = (year / "index.html").read_text(encoding="utf-8")
    assert all(a in index for a in SOME)


def test_second_run_on_the_same_folder_refuses(tmp_path, data_copy):
    out = tmp_path / "out"
    first = start_run(data_copy, out, "--agency", *SOME)
    try:
        wait_for_line(first, f"1/{len(SOME)}")  # the first run holds the folder and is writing
        second = xxgk_run(data_copy, out, "--agency", *SOME[:2], "--force")
        assert second.returncode == 3, second.stderr[-1500:]
        assert "另一个 xxgk run" in second.stderr and str(out) in second.stderr and "Traceback" not in second.stderr
        rest = first.communicate(timeout=600)
        assert first.returncode == 0, rest[1][-1500:]
    finally:
        end_group(first)
    for a in SOME:
        assert complete_html(out / str(YEAR) / f"{a}.html")
    # once the first run is over, the folder is free again
    third = xxgk_run(data_copy, out, "--agency", *SOME[:2])
    assert third.returncode == 0, third.stderr[-1500:]

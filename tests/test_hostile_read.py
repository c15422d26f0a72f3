"""Broken and hostile files through read_report: always a Report (maybe partial, with notes) or one
ReadError naming the file; never another exception, never a reader crash, never a hang.

Inputs are real corpus files (read-only, never copied into the repo) and the sample data, mutated
by hypothesis and written to tmp_path. Example counts are modest and derandomized so the suite is fast
and repeatable.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk.config import DATA_DIR, ROOT
from xxgk.model import Report
from xxgk.read import ReaderFailure, ReadError, detect, read_report

from conftest import REAL, SEED

CORPUS = sorted(p for p in REAL.iterdir() if p.name not in {"expected.json", "manifest.csv"}) + [SEED]
SAMPLES = [DATA_DIR / "reports/2022" / n for n in ("qh-commerce.txt", "qh-gov.html", "qh-education.csv", "qh-natres.docx")]
FILES = CORPUS + SAMPLES
TEXT_FILES = [p for p in FILES if p.suffix in {".txt", ".html", ".md", ".csv"}]
TIME_BOUND = 20.0  # seconds: real files read in < 1 s; a mutated one must not take much longer

FUZZ = settings(max_examples=40, deadline=timedelta(seconds=TIME_BOUND), derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def outcome(path: Path) -> Report | ReadError:
    """Read a file and check the contract; returns what came out."""
    start = time.monotonic()
    try:
        result = read_report(path)
    except ReaderFailure as exc:  # the user would see a clean error, but a reader has a bug
        pytest.fail(f"reader failed on {path.name}: {exc} (cause {exc.__cause__!r})")
    except ReadError as exc:
        assert str(path) in str(exc), f"error does not name the file: {exc}"
        result = exc
    else:
        assert isinstance(result, Report)
        assert all(n.kind and n.message for n in result.notes)
    assert time.monotonic() - start < TIME_BOUND
    return result


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@FUZZ
@given(source=st.sampled_from(FILES), cut=st.floats(0, 1))
def test_truncated_files(tmp_path, source, cut):
    data = source.read_bytes()
    outcome(write(tmp_path, f"cut{source.suffix}", data[: int(len(data) * cut)] or b" "))


@FUZZ
@given(source=st.sampled_from(FILES), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=30))
def test_flipped_bytes(tmp_path, source, flips):
    data = bytearray(source.read_bytes())
    for where, byte in flips:
        data[min(int(where * len(data)), len(data) - 1)] = byte
    outcome(write(tmp_path, f"flip{source.suffix}", bytes(data)))


@FUZZ
@given(junk=st.binary(min_size=1, max_size=4000), head=st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04", b"\xff\xfe", b"{", b"<html>"]))
def test_binary_junk(tmp_path, junk, head):
    """Random bytes, also behind the magic numbers that pick the PDF, DOCX, UTF-16, JSON and HTML readers."""
    outcome(write(tmp_path, "junk.bin", head + junk))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
@pytest.mark.parametrize("source", TEXT_FILES, ids=lambda p: p.name)
def test_other_encodings_read_the_same(tmp_path, source, encoding):
    """A report saved in GBK, GB18030 or UTF-16 with BOM reads into exactly the same cells as in UTF-8."""
    text = source.read_text(encoding="utf-8", errors="strict") if _is_utf8(source) else None
    if text is None:
        pytest.skip("not UTF-8 to begin with")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assert encoding == "gbk", "GB18030 and UTF-16 encode every character"
        data = text.encode(encoding, errors="replace")
    if encoding == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    original = read_report(source)
    other = outcome(write(tmp_path, f"enc{source.suffix}", data))
    assert isinstance(other, Report)
    assert [(c.table_id, c.row_key, c.column_key, c.value, c.status) for c in other.cells] == \
           [(c.table_id, c.row_key, c.column_key, c.value, c.status) for c in original.cells]
    assert [s.heading for s in other.sections] == [s.heading for s in original.sections]


def _is_utf8(p: Path) -> bool:
    try:
        p.read_bytes().decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


@FUZZ
@given(source=st.sampled_from(TEXT_FILES), split=st.floats(0, 1), second=st.sampled_from(["gbk", "gb18030", "utf-16-le", "latin-1"]))
def test_mixed_encodings_in_one_file(tmp_path, source, split, second):
    """First part UTF-8, the rest in another encoding: read with replacements or refused, never a crash."""
    text = source.read_bytes().decode("utf-8", "replace")
    cut = int(len(text) * split)
    data = text[:cut].encode("utf-8") + text[cut:].encode(second, errors="replace")
    outcome(write(tmp_path, f"mixed{source.suffix}", data))


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00" * 64])
def test_empty_and_blank_files(tmp_path, data):
    result = outcome(write(tmp_path, "blank.txt", data))
    if isinstance(result, Report):
        assert not result.cells and "no_report" in {n.kind for n in result.notes}
    if not data:
        assert "空文件" in str(result)


def test_folder_and_missing_file(tmp_path):
    for path in (tmp_path, tmp_path / "absent.txt"):
        with pytest.raises(ReadError, match=str(path).replace("\\", "\\\\")):
            read_report(path)


def test_pdf_without_text_layer(tmp_path):
    """An image-only PDF (what a scanner makes) is refused as a scanned PDF with no text layer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.backends.backend_pdf import PdfPages

    path = tmp_path / "scan.pdf"
    with PdfPages(path) as pdf:
        for seed in range(2):
            fig = plt.figure(figsize=(8.27, 11.69))
            fig.figimage(np.random.default_rng(seed).random((200, 150)), resize=False)
            pdf.savefig(fig)
            plt.close(fig)
    with pytest.raises(ReadError) as err:
        read_report(path)
    message = str(err.value)
    assert str(path) in message and "扫描版 PDF" in message and "没有文字层" in message and "2 页" in message


def test_oversized_file_is_refused_without_reading(tmp_path):
    """A (sparse) file over the size limit is refused at once with its size, not read into memory."""
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as fh:
        fh.write(b"%PDF-1.7\n")
    subprocess.run(["truncate", "-s", str(detect.MAX_BYTES + 1), str(path)], check=True)
    assert path.stat().st_size > detect.MAX_BYTES
    start = time.monotonic()
    with pytest.raises(ReadError) as err:
        read_report(path)
    assert time.monotonic() - start < 1
    assert str(path) in str(err.value) and "文件过大" in str(err.value) and "上限" in str(err.value)


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_pipe_table_with_extra_or_missing_columns(tmp_path, change):
    """Each row of table 三 one value longer or shorter: a partial report whose notes say which rows are off."""
    source = DATA_DIR / "reports/2022/qh-market.txt"
    lines = source.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("三、"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("四、"))

    def number(line: str) -> bool:
        return line.strip(" |").isdigit()

    out = []
    for i, line in enumerate(lines):
        last_value = start < i < end and number(line) and not number(lines[i + 1])
        if not (last_value and change == "missing"):
            out.append(line)
        if last_value and change == "extra":
            out.append("7 |")
    assert len(out) != len(lines)
    result = outcome(write(tmp_path, "cols.txt", "\n".join(out).encode("utf-8")))
    assert isinstance(result, Report)
    kind = "row_short" if change == "missing" else "extra_cells"
    off = [n for n in result.notes if n.kind == kind]
    assert off and all("表三" in n.message for n in off)


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_html_table_with_extra_or_missing_columns(tmp_path, change):
    """Every table row of a web page with one cell too many or too few: partial, with row notes."""
    import re

    source = DATA_DIR / "reports/2022/qh-gov.html"
    page = source.read_text(encoding="utf-8")
    changed = page.replace("</td></tr>", "</td><td>5</td></tr>") if change == "extra" else re.sub(r"<td>\d+</td>(?=</tr>)", "", page)
    assert changed != page
    result = outcome(write(tmp_path, "cols.html", changed.encode("utf-8")))
    assert isinstance(result, Report)
    kinds = {n.kind for n in result.notes}
    assert ("row_short" if change == "missing" else "extra_cells") in kinds


@pytest.mark.parametrize("name, data", [
    ("nested.json", b"[" * 100_000 + b"]" * 100_000),
    ("nested.html", b"<html><body>" + b"<div>" * 50_000 + "一、总体情况".encode() + b"</div>" * 50_000),
    ("pipes.txt", b"|" * 500_000),
    ("digits.txt", "2021年政府信息公开工作年度报告\n本年新收政府信息公开申请数量".encode() + b"1234567890" * 5000),
    ("headings.txt", "一、总体情况\n".encode() * 50_000),
    ("cells.csv", b"table,subtable,row,column,raw\n" + "三,,本年新收政府信息公开申请数量,自然人,1\n".encode() * 50_000),
])
def test_pathological_structures_finish(tmp_path, name, data):
    """Deep nesting, endless pipes or digits, one heading repeated: an answer within the time bound."""
    outcome(write(tmp_path, name, data)) if name != "nested.json" else _refused_cleanly(write(tmp_path, name, data))


def _refused_cleanly(path: Path) -> None:
    """Nesting deeper than the JSON parser's recursion: a ReadError naming the file (reported as a reader failure)."""
    with pytest.raises(ReadError, match=path.name):
        read_report(path)


# -- the time limit ----------------------------------------------------------------------------------------
def test_time_limit_turns_a_slow_read_into_an_error():
    """A real PDF needs about a tenth of a second; with a 1 ms limit it is abandoned with a ReadError naming it."""
    pdf = REAL / "kiro_hongze_district_2023.pdf"
    start = time.monotonic()
    with pytest.raises(ReadError) as err:
        read_report(pdf, time_limit=0.001)
    assert time.monotonic() - start < 2
    assert str(pdf) in str(err.value) and "读取超过" in str(err.value)
    assert not isinstance(err.value, ReaderFailure)
    # the alarm is gone and the handler restored: the next read is not cut short
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None) or callable(signal.getsignal(signal.SIGALRM))
    assert len(read_report(pdf).cells) > 150


def test_time_limit_leaves_other_timers_alone():
    """A caller's own alarm is not overridden (the limit then stands aside)."""
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        read_report(SEED, time_limit=0.001)  # would fail if the limit replaced the caller's timer
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 20
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


def test_reading_off_the_main_thread_works():
    """Batch drivers read on threads (no alarm there): the reader still answers."""
    out = []
    t = threading.Thread(target=lambda: out.append(read_report(SEED, time_limit=0.001)))
    t.start()
    t.join(30)
    assert out and len(out[0].cells) > 150


# -- what a user sees on the command line -----------------------------------------------------------------
@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02garbage" * 50, b"%PDF-1.4\n%%EOF", b"PK\x03\x04broken", b"[" * 100_000])
def test_parse_command_gives_one_clean_line(tmp_path, data):
    path = write(tmp_path, "bad.dat", data)
    done = subprocess.run([str(ROOT / ".venv/bin/xxgk"), "parse", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert str(path) in done.stderr


@pytest.mark.parametrize("prefix", ["<div>" * 100_000 + "</div>" * 100_000, '<div class="wrap">' * 100_000])
def test_deep_empty_nesting_hides_no_report(tmp_path, prefix):
    """A hundred thousand empty <div>s before a complete page: noted, and every cell still read."""
    page = (DATA_DIR / "reports/2022/qh-gov.html").read_text(encoding="utf-8")
    at = page.index("<body>") + len("<body>")
    path = write(tmp_path, "deep.html", (page[:at] + prefix + page[at:]).encode("utf-8"))
    report, whole = outcome(path), read_report(DATA_DIR / "reports/2022/qh-gov.html")
    assert "deep_nesting" in {n.kind for n in report.notes}
    assert [(c.table_id, c.row_key, c.column_key, c.value) for c in report.cells] == [
        (c.table_id, c.row_key, c.column_key, c.value) for c in whole.cells]


def test_a_row_hundreds_of_cells_wide_is_uncertain_and_quick(tmp_path):
    """A 表三 row of pipe text with 300 more numbers: too many placements to try — counted, not
    enumerated — so the row's cells are uncertain and the file is read at once. (In a web page the
    header names the columns and the extra cells are only noted.)"""
    lines = (DATA_DIR / "reports/2022/qh-market.txt").read_text(encoding="utf-8").splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("一、本年新收"))
    wide = lines[: at + 8] + ["1 |"] * 300 + lines[at + 8:]
    start = time.monotonic()
    report = outcome(write(tmp_path, "wide.txt", "\n".join(wide).encode("utf-8")))
    assert time.monotonic() - start < 5
    cells = [c for c in report.cells if c.row_key == "new_received"]
    assert cells and all(c.status == "uncertain" for c in cells)
    assert any("过多" in n.message for n in report.notes if n.kind == "extra_cells")

"""The parse cache: JSON only, private, never through a planted link, failures cached like reports."""

from __future__ import annotations

import json
import stat
import time
from dataclasses import asdict

import pytest

from xxgk import parse_cache, sandbox
from xxgk.config import DATA_DIR
from xxgk.read import ReadError, read_report

from conftest import SEED

YEAR, NAME = 2021, "青禾示例县商务局"


@pytest.fixture
def counted(monkeypatch):
    """The sandboxed reads parse_cache starts, counted (the real child still reads)."""
    calls = []

    def counting(read):
        def counted_read(path, year, name):
            calls.append(path)
            return read(path, year, name)
        return counted_read

    for name in ("read_sandboxed", "read_sandboxed_json"):
        monkeypatch.setattr(parse_cache, name, counting(getattr(parse_cache, name)))
    return calls


def test_entry_is_private_json_and_gives_the_same_report(tmp_path, counted):
    cache = tmp_path / "cache"
    first = parse_cache.read_cached(SEED, YEAR, NAME, cache)
    again = parse_cache.read_cached(SEED, YEAR, NAME, cache)
    assert len(counted) == 1
    assert asdict(again) == asdict(first) == asdict(read_report(SEED, year=YEAR, agency=NAME))
    (entry,) = cache.iterdir()
    assert entry.suffix == ".json" and "report" in json.loads(entry.read_text(encoding="utf-8"))
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600 and stat.S_IMODE(cache.stat().st_mode) == 0o700


@pytest.mark.parametrize("planted", [b"half-written", b"\x80\x04\x95pickle", b'{"report": {"cells": 1}}', b"[]"])
def test_broken_or_foreign_entry_is_a_miss(tmp_path, counted, planted):
    cache = tmp_path / "cache"
    first = parse_cache.read_cached(SEED, YEAR, NAME, cache)
    (entry,) = cache.iterdir()
    entry.write_bytes(planted)
    assert asdict(parse_cache.read_cached(SEED, YEAR, NAME, cache)) == asdict(first)
    assert len(counted) == 2


def test_planted_link_is_neither_followed_nor_written_through(tmp_path, counted):
    cache = tmp_path / "cache"
    parse_cache.read_cached(SEED, YEAR, NAME, cache)
    (entry,) = cache.iterdir()
    victim = tmp_path / "victim.json"
    victim.write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    entry.unlink()
    entry.symlink_to(victim)
    before = victim.read_bytes()
    parse_cache.read_cached(SEED, YEAR, NAME, cache)
    assert len(counted) == 2  # the link was not read as an entry
    assert victim.read_bytes() == before and not entry.is_symlink()


def test_linked_cache_folder_is_not_used(tmp_path, counted):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "cache").symlink_to(elsewhere)
    parse_cache.read_cached(SEED, YEAR, NAME, tmp_path / "cache")
    parse_cache.read_cached(SEED, YEAR, NAME, tmp_path / "cache")
    assert len(counted) == 2 and not list(elsewhere.iterdir())


def test_failure_is_cached_and_names_the_file(tmp_path, counted):
    junk = bytes(range(256)) * 64
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_bytes(junk)
    second.write_bytes(junk)
    cache = tmp_path / "cache"
    for path in (first, first, second):
        with pytest.raises(ReadError) as err:
            parse_cache.read_cached(path, YEAR, NAME, cache)
        assert str(err.value).startswith(f"{path}:")
    assert counted == [first]


@pytest.fixture
def slow_and_hog(tmp_path):
    """A report repeated to 2.4 MB (seconds to read) and one padded with 15 M 。 (a memory hog)."""
    base = (DATA_DIR / "reports/2022/qh-commerce.txt").read_text(encoding="utf-8")
    slow, hog = tmp_path / "slow.txt", tmp_path / "hog.txt"
    slow.write_text(base * 400, encoding="utf-8")
    hog.write_text(base + "。" * 15_000_000, encoding="utf-8")
    return slow, hog


def test_time_and_memory_limits_end_the_child_with_one_line(tmp_path, counted, monkeypatch, slow_and_hog):
    slow, hog = slow_and_hog
    monkeypatch.setenv("XXGK_READ_SECONDS", "0.5")
    monkeypatch.setenv("XXGK_READ_MEMORY_MB", "150")
    cache = tmp_path / "cache"
    for path, why in ((slow, "读取超过 0.5 秒"), (hog, "内存超过 150 MB"), (slow, "读取超过 0.5 秒")):
        with pytest.raises(ReadError) as err:
            parse_cache.read_cached(path, 2022, "青禾示例县商务局", cache)
        assert why in str(err.value) and str(err.value).startswith(f"{path}:") and "\n" not in str(err.value)
    assert counted == [slow, hog]  # the failure was cached
    monkeypatch.delenv("XXGK_READ_SECONDS")
    monkeypatch.delenv("XXGK_READ_MEMORY_MB")
    assert parse_cache.read_cached(slow, 2022, "青禾示例县商务局", cache).cells  # larger limits: read again, fine
    assert counted == [slow, hog, slow]


def test_a_child_the_reader_cannot_stop_is_killed(monkeypatch, slow_and_hog):
    slow, _ = slow_and_hog
    monkeypatch.setenv("XXGK_READ_SECONDS", "1")
    monkeypatch.setattr(sandbox, "GRACE", -0.7)  # killed before the reader's own alarm could stop it
    result = sandbox.read_sandboxed(slow, 2022, "青禾示例县商务局")
    assert "已终止读取进程" in result["error"] and result["limits"] == [1, 2048 * 1024**2]


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "inf", "lots"])
def test_unusable_limits_fall_back_to_the_defaults(monkeypatch, bad):
    monkeypatch.setenv("XXGK_READ_SECONDS", bad)
    monkeypatch.setenv("XXGK_READ_MEMORY_MB", bad)
    assert sandbox.read_limits() == (60.0, 2048 * 1024**2)


def test_a_pipe_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    with pytest.raises(ReadError, match="不是普通文件"):
        parse_cache.read_cached(fifo, YEAR, NAME, tmp_path / "cache")


def test_a_killed_read_server_is_replaced():
    assert "report" in sandbox.read_sandboxed(SEED, YEAR, NAME)
    server = sandbox._server
    server.proc.kill()
    server.proc.wait()
    assert "report" in sandbox.read_sandboxed(SEED, YEAR, NAME)
    assert sandbox._server is not server


def test_one_server_reads_for_every_thread_at_once(tmp_path, monkeypatch):
    """Threads share one server, which reads side by side: a slow file holds up no other read, and each answer
    reaches the thread that asked."""
    from concurrent.futures import ThreadPoolExecutor

    slow = tmp_path / "slow.txt"  # a report repeated to 12 MB: far more than the time limit to read
    slow.write_text((DATA_DIR / "reports/2022/qh-commerce.txt").read_text(encoding="utf-8") * 2000, encoding="utf-8")
    monkeypatch.setenv("XXGK_READ_SECONDS", "2")
    started = []

    class Counted(sandbox._Server):
        def __init__(self):
            started.append(self)
            super().__init__()

    monkeypatch.setattr(sandbox, "_Server", Counted)
    monkeypatch.setattr(sandbox, "_server", None)
    files = sorted((DATA_DIR / "reports" / "2021").glob("qh-*.txt"))
    with ThreadPoolExecutor(max_workers=len(files) + 1) as pool:
        slow_read = pool.submit(lambda: (sandbox.read_sandboxed(slow, 2021, NAME), time.monotonic()))
        time.sleep(0.2)  # the slow read is under way
        quick = list(pool.map(lambda f: (f, sandbox.read_sandboxed(f, 2021, NAME), time.monotonic()), files))
        slow_reply, slow_done = slow_read.result()
    assert "读取超过 2 秒" in slow_reply["error"]
    assert len(files) > 3 and all(r["report"]["source_file"] == str(f) for f, r, _ in quick)
    assert max(t for *_, t in quick) < slow_done  # answered while the slow one was still being read
    assert len(started) == 1 and started[0].proc.poll() is None


def test_a_killed_or_crashed_reader_is_one_line(monkeypatch):
    import os
    import signal

    monkeypatch.setattr(sandbox, "read_report", lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL))
    seconds, memory = sandbox.read_limits()
    reading = sandbox._Reading(0, {"path": str(SEED), "year": YEAR, "name": NAME, "seconds": seconds,
                                   "memory": memory, "deadline": seconds + sandbox.GRACE})
    while reading.pump():
        pass
    result = json.loads(reading.reply())
    assert result["error"].startswith(f"{SEED}: 读取进程异常退出（被信号 {int(signal.SIGKILL)} 终止")
    assert "\n" not in result["error"] and result["limits"] == [seconds, memory]


def test_a_read_server_that_cannot_start_says_why(tmp_path, monkeypatch):
    """The server's own error (here an import that fails) is the reason given, not just that it failed."""
    broken = tmp_path / "shadow" / "xxgk"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('示例：读取模块损坏')\n", encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(broken.parent))
    monkeypatch.setattr(sandbox, "_server", None)  # no server started before this test may answer
    reply = sandbox.read_sandboxed(SEED, YEAR, NAME)
    assert reply["error"].startswith(f"{SEED}: 读取进程无法启动，未读取（")
    assert "ImportError: 示例：读取模块损坏" in reply["error"] and "\n" not in reply["error"]
    # Nothing was read, so nothing is remembered: once a server starts again, the file is read.
    cache = tmp_path / "cache"
    with pytest.raises(ReadError, match="读取进程无法启动"):
        parse_cache.read_cached(SEED, YEAR, NAME, cache)
    assert list(cache.iterdir()) == []
    monkeypatch.delenv("PYTHONPATH")
    monkeypatch.setattr(sandbox, "_server", None)
    assert parse_cache.read_cached(SEED, YEAR, NAME, cache).cells


@pytest.mark.parametrize("path", sorted((DATA_DIR / "reports").glob("*/*")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_report_record_is_every_field_and_builds_the_same_report(path):
    """What the sandbox sends (Report.record) is dataclasses.asdict of the report, and the cache's report_from_json
    gives that report back."""
    report = read_report(path, year=int(path.parent.name))
    record = report.record()
    assert record == asdict(report) and list(record) == list(asdict(report))
    assert asdict(parse_cache.report_from_json(json.loads(json.dumps(record)))) == asdict(report)


def test_reports_held_together_share_their_cell_keys():
    """A batch holds a region's reports at once: the cell index of two reports of one layout holds one key tuple
    per cell between them, not one each, and still finds every cell of its own report."""
    first, second = (parse_cache.report_from_json(json.loads(json.dumps(read_report(p).record())))
                     for p in sorted((DATA_DIR / "reports" / "2022").glob("*"))[:2])
    for report in (first, second):
        assert all(report.cell(c.table_id, c.row_key, c.column_key) is not None for c in report.cells)
    shared = {id(k) for k in first._index} & {id(k) for k in second._index}
    common = set(first._index) & set(second._index)
    assert common and len(shared) == len(common)

"""Folders resolved once and kept apart; links out of the data folder and planted links refused."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from xxgk import files as paths
from xxgk.read.detect import MAX_BYTES


def test_relative_folders_become_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data, out = paths.run_folders("data", "out")
    assert (data, out) == (tmp_path / "data", tmp_path / "out")


@pytest.mark.parametrize("data,out", [("d", "d"), ("d", "d/out"), ("d/in", "d")])
def test_nested_folders_refused(tmp_path, data, out):
    with pytest.raises(ValueError) as err:
        paths.run_folders(tmp_path / data, tmp_path / out)
    assert str(tmp_path) in str(err.value) and "\n" not in str(err.value)


def test_out_inside_data_refused_by_the_command(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "run", "--year", "2022", "--data", str(data),
                           "--out", str(data / "reports")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "输出目录在数据目录" in proc.stderr
    assert not (data / "reports").exists()


def test_link_out_of_data_folder(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    (data / "in.txt").write_text("报告", encoding="utf-8")
    (data / "link.txt").symlink_to(secret)
    (data / "ok.txt").symlink_to(data / "in.txt")
    assert paths.inside(data / "ok.txt", data) and not paths.inside(data / "link.txt", data)
    with pytest.raises(ValueError, match="数据目录之外"):
        paths.check_inside(data / "link.txt", data)
    assert paths.file_digest(data / "link.txt", data) == "outside:link.txt"
    assert paths.file_digest(data / "ok.txt", data) == paths.file_digest(data / "in.txt", data)


def test_digest_never_reads_a_huge_or_unreadable_file(tmp_path):
    big = tmp_path / "sparse.txt"
    with open(big, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: no disk used, but reading it would be 50 MB
    assert paths.file_digest(big, tmp_path).startswith("too-large:")
    assert paths.file_digest(tmp_path / "gone.txt", tmp_path).startswith("unreadable:")


def test_open_no_follow_refuses_a_planted_link(tmp_path):
    target = tmp_path / "victim"
    target.write_text("keep", encoding="utf-8")
    (tmp_path / ".lock").symlink_to(target)
    with pytest.raises(OSError):
        paths.open_no_follow(tmp_path / ".lock", os.O_WRONLY | os.O_CREAT)
    assert target.read_text(encoding="utf-8") == "keep"


def test_review_refuses_a_report_linked_out_of_the_data_folder(tmp_path):
    """A report symlinked to a file outside the data folder is neither rendered nor read as a peer."""
    import shutil

    from xxgk.config import DATA_DIR
    from xxgk.review.review import ReviewError, load

    data = tmp_path / "data"
    (data / "reports" / "2022").mkdir(parents=True)
    shutil.copy(DATA_DIR / "agencies.csv", data / "agencies.csv")
    outside = tmp_path / "outside.txt"
    shutil.copy(DATA_DIR / "reports/2022/qh-commerce.txt", outside)
    (data / "reports/2022/qh-commerce.txt").symlink_to(outside)
    shutil.copy(DATA_DIR / "reports/2022/qh-market.txt", data / "reports/2022/qh-market.txt")
    with pytest.raises(ReviewError, match="数据目录之外"):
        load("qh-commerce", 2022, data, tmp_path / "out")
    review = load("qh-market", 2022, data, tmp_path / "out")
    assert "qh-commerce" not in review.peers
    assert any("qh-commerce.txt" in s and "数据目录之外" in s for s in review.skipped)


def test_planted_lock_link_is_refused_and_its_target_kept(tmp_path):
    from xxgk.batch.run import output_lock

    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / ".lock").symlink_to(victim)
    with pytest.raises(ValueError, match="锁文件"):
        with output_lock(out):
            pass
    assert victim.read_text(encoding="utf-8") == "keep"


def test_review_command_refuses_a_locked_folder(tmp_path):
    from xxgk.batch.run import output_lock

    out = tmp_path / "out"
    with output_lock(out):
        proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "review", "qh-commerce", "--year", "2022",
                               "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3 and "正在写入该目录" in proc.stderr and proc.stderr.count("\n") == 1
    assert not list(out.rglob("*.html"))


def test_a_file_rewritten_with_its_size_and_time_kept_gets_its_new_digest(tmp_path):
    """`cp -p` or `touch -r` can give new content the old size and modification time; the change time moves."""
    report = tmp_path / "a.txt"
    report.write_text("一二三", encoding="utf-8")
    before = paths.file_digest(report, tmp_path)
    st = report.stat()
    report.write_text("四五六", encoding="utf-8")
    os.utime(report, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert report.stat().st_size == st.st_size and report.stat().st_mtime_ns == st.st_mtime_ns
    assert paths.file_digest(report, tmp_path) != before

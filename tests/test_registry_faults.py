"""A broken registry is one error naming the file and line, before any agency is reviewed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from xxgk.config import DATA_DIR
from xxgk import registry
from xxgk.registry import RegistryError, load_agencies

HEADER = "agency_id,name,level,region,parent,sums_children\n"
ROW = "qh-a,甲局,county_department,青禾示例县,,false\n"

CASES = {
    "duplicate": (HEADER + ROW + "qh-b,乙局,county_department,青禾示例县,,false\n" + ROW, "第4行的 agency_id qh-a 与第2行重复"),
    "no name column": ("agency_id,level\nqh-a,township\n", "第1行（表头）缺少列 name"),
    "no id column": ("name\n甲局\n", "缺少列 agency_id"),
    "empty": ("", "空文件"),
    "ragged": (HEADER + ROW + "qh-b,乙局,county_department,青禾示例县,,false,多余\n", "第3行有 7 列"),
    "bad id": (HEADER + ROW + "../x,恶意,county_department,青禾示例县,,false\n", "第3行 invalid agency_id '../x'"),
}


@pytest.mark.parametrize("case", CASES)
def test_registry_fault_names_file_and_line(tmp_path, case):
    text, expected = CASES[case]
    path = tmp_path / "agencies.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_agencies(path)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value) and "\n" not in str(err.value)


def test_gbk_registry_names_the_line(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_bytes((HEADER + ROW).encode("utf-8") + "qh-b,乙局,township,青禾示例县,,false\n".encode("gbk"))
    with pytest.raises(RegistryError, match="第3行不是 UTF-8"):
        load_agencies(path)


def test_short_rows_and_missing_optional_columns_read(tmp_path):
    path = tmp_path / "agencies.csv"
    path.write_text("agency_id,name\nqh-a,甲局\nqh-b\n", encoding="utf-8")
    frame = load_agencies(path)
    assert list(frame.index) == ["qh-a", "qh-b"] and frame.loc["qh-b", "name"] == "" and frame.loc["qh-a", "region"] == ""


def test_run_with_duplicate_ids_is_one_line(tmp_path):
    data = tmp_path / "data"
    (data / "reports" / "2022").mkdir(parents=True)
    text = (DATA_DIR / "agencies.csv").read_text(encoding="utf-8")
    (data / "agencies.csv").write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "run", "--year", "2022", "--data", str(data),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert str(data / "agencies.csv") in proc.stderr and "重复" in proc.stderr


def test_stray_folders_are_not_years(tmp_path):
    from xxgk.registry import report_years

    for name in ("2021", "2022", "²", "old", "2022备份", "99999"):
        (tmp_path / name).mkdir()
    assert report_years(tmp_path) == [2021, 2022]


def test_a_report_file_added_or_removed_later_is_seen(tmp_path):
    """A long-lived process (a notebook, a Dask worker) sees the year folder as it is now, not as first listed."""
    folder = tmp_path / "2022"
    folder.mkdir()
    (folder / "qh-x.pdf").write_bytes(b"%PDF")
    assert registry.report_file("qh-x", 2022, tmp_path) == folder / "qh-x.pdf"
    (folder / "qh-x.docx").write_bytes(b"PK")  # sorts first: now the agency's file
    assert registry.report_file("qh-x", 2022, tmp_path) == folder / "qh-x.docx"
    (folder / "qh-x.docx").unlink()
    (folder / "qh-x.pdf").unlink()
    assert registry.report_file("qh-x", 2022, tmp_path) is None


def test_a_registry_is_parsed_again_whenever_the_file_changes_and_each_caller_gets_its_own_copy(tmp_path):
    import os

    path = tmp_path / "agencies.csv"
    path.write_text(HEADER + ROW, encoding="utf-8")
    first = load_agencies(path)
    first.loc["qh-a", "name"] = "改过"  # one caller's change is not the next caller's registry
    assert load_agencies(path).loc["qh-a", "name"] == "甲局"
    st = os.stat(path)
    path.write_text(HEADER + ROW.replace("甲局", "丙局"), encoding="utf-8")  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same time, as `cp -p` leaves it
    assert load_agencies(path).loc["qh-a", "name"] == "丙局"
    path.write_text(HEADER + ROW + "../x,恶意,county_department,青禾示例县,,false\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="第3行"):
        load_agencies(path)

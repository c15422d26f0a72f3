"""`xxgk import` on a folder of corpus files under download-style names: agencies, years and levels come
out right, a second import changes nothing, conflicts and non-reports are listed, not imported, and a
hostile archive writes nothing outside the data folder."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pdfplumber
import pytest

from xxgk import agency_names, registry
from xxgk.cli import main
from xxgk.config import CORPUS_DIR

REAL = CORPUS_DIR / "real"
# download-style name -> corpus file
DOWNLOADS = {
    "附件：洪泽区人民政府2023年政府信息公开工作年度报告.PDF": REAL / "kiro_hongze_district_2023.pdf",
    "归档/2024/淮安市洪泽区人民政府 2024年度报告.pdf": REAL / "kiro_hongze_district_2024.pdf",
    "归档/page.htm": REAL / "shuyang_drc_2023.html",
    "沭阳县人民政府2025年报.md": REAL / "kiro_shuyang_county_gov_2025.md",
    "某县商务局2021年政府信息公开工作年度报告.txt": CORPUS_DIR / "seed_county_commerce_bureau_2021.txt",
    "report29.json": REAL / "kiro_unknown_agency_2023_html_llm_parsed_report29.json",
    "说明.txt": None,
}
ZIPPED = {"平潭/pingtan_2021_page.txt": REAL / "pingtan_2021_page.txt",
          "平潭/交通与建设局 2023.html": REAL / "pingtan_jtj_2023.html"}
# (agency name, year) -> (level, parent's name) every report should come out as
EXPECTED = {
    ("淮安市洪泽区人民政府", 2023): ("county_government", "淮安市人民政府"),
    ("淮安市洪泽区人民政府", 2024): ("county_government", "淮安市人民政府"),
    ("沭阳县发展和改革局", 2023): ("county_department", "沭阳县人民政府"),
    ("沭阳县人民政府", 2025): ("county_government", ""),
    ("某县商务局", 2021): ("county_department", "某县人民政府"),
    ("平潭综合实验区", 2021): ("zone", ""),
    ("平潭综合实验区交通与建设局", 2023): ("zone", "平潭综合实验区"),
}


def build_downloads(root: Path, downloads=DOWNLOADS, zipped=ZIPPED) -> Path:
    folder = root / "下载 的 文件"
    for name, source in downloads.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text("会议通知：请各单位于周五前报送材料。\n", encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    with zipfile.ZipFile(folder / "同事发来.zip", "w") as archive:
        for name, source in zipped.items():
            archive.write(source, name)
    return folder


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("import")
    downloads = build_downloads(root)
    urls = root / "urls.csv"
    urls.write_text("url,file\nhttps://www.shuyang.gov.cn/fgj/page.htm,page.htm\n", encoding="utf-8")
    data = root / "data"
    status = main(["import", str(downloads), "--data", str(data), "--sources", str(urls)])
    return root, downloads, data, status


def test_every_report_lands_under_its_agency_and_year(imported):
    _, _, data, status = imported
    assert status == 1  # the note and the nameless JSON were skipped
    agencies = {r["agency_id"]: r for r in rows(data / "agencies.csv")}
    by_name = {r["name"]: r for r in agencies.values()}
    for (name, year), (level, parent) in EXPECTED.items():
        row = by_name[name]
        assert registry.valid_agency_id(row["agency_id"])
        assert row["level"] == level
        assert (agencies[row["parent"]]["name"] if row["parent"] else "") == parent
        assert registry.report_file(row["agency_id"], year, data / "reports") is not None, (name, year)
    files = sorted(p.relative_to(data / "reports").as_posix() for p in (data / "reports").rglob("*") if p.is_file())
    assert len(files) == len(EXPECTED)  # one file per agency-year, 洪泽 with two years under one id
    # 洪泽区人民政府 (2023) and 淮安市洪泽区人民政府 (2024) are one agency, the shorter name kept as an alias
    assert by_name["淮安市洪泽区人民政府"]["aliases"] == "洪泽区人民政府"
    # parents named by a department and absent from the downloads are registered without a report
    assert "淮安市人民政府" in by_name and "某县人民政府" in by_name


def test_sources_keep_original_name_checksum_and_url(imported):
    _, downloads, data, _ = imported
    sources = rows(data / "sources.csv")
    assert len(sources) == len(EXPECTED)
    for s in sources:
        copied = data / s["file"]
        assert hashlib.sha256(copied.read_bytes()).hexdigest() == s["sha256"]
        assert s["imported_at"]
    page = next(s for s in sources if s["original_name"].endswith("page.htm"))
    assert page["original_name"] == f"{downloads.name}/归档/page.htm"
    assert page["url"] == "https://www.shuyang.gov.cn/fgj/page.htm"
    member = next(s for s in sources if "交通与建设局" in s["original_name"])
    assert member["original_name"] == f"{downloads.name}/同事发来.zip:平潭/交通与建设局 2023.html"
    # the page's own publication date went into publications.csv
    assert any(p["source_file"] == page["file"] and p["published"] for p in rows(data / "publications.csv"))


def test_second_import_is_a_no_op(imported, capsys):
    _, downloads, data, _ = imported
    before = tree_digest(data)
    assert main(["import", str(downloads), "--data", str(data)]) == 1
    out = capsys.readouterr().out
    assert "导入 0，已有 7" in out and "新登记机关 0 个" in out
    assert tree_digest(data) == before


def test_conflicting_file_is_listed_not_imported(imported, tmp_path, capsys):
    _, _, data, _ = imported
    work = tmp_path / "more"
    work.mkdir()
    # another agency's report saved under 洪泽's name and year: the file name decides, and 2023 is taken
    shutil.copyfile(REAL / "pingtan_nyn_2023.html", work / "洪泽区人民政府2023年报.html")
    before = tree_digest(data)
    assert main(["import", str(work), "--data", str(data)]) == 1
    out = capsys.readouterr().out
    assert "冲突，未导入" in out and "已有另一份报告" in out
    assert tree_digest(data) == before


def test_dry_run_writes_nothing(tmp_path, capsys):
    downloads = build_downloads(tmp_path, {"附件：洪泽区人民政府2023年政府信息公开工作年度报告.PDF":
                                           REAL / "kiro_hongze_district_2023.pdf"}, {})
    data = tmp_path / "data"
    main(["import", str(downloads), "--data", str(data), "--dry-run"])
    assert "预演" in capsys.readouterr().out and not data.exists()


def test_skipped_and_hostile_inputs_are_one_line_each(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "坏.zip", "w") as archive:
        archive.writestr("../../逃逸.txt", (REAL / "pingtan_2022_page.txt").read_bytes())
        archive.writestr("/etc/绝对.txt", b"x")
        archive.writestr("内层.zip", b"PK")
    (folder / "损坏.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "空.pdf").write_bytes(b"")
    data = tmp_path / "data"
    assert main(["import", str(folder), "--data", str(data)]) == 1
    out = capsys.readouterr().out
    for expected in ("路径指向包外", "压缩包中的压缩包", "压缩包无法打开", "空.pdf"):
        assert expected in out
    assert not data.exists() and not (tmp_path / "逃逸.txt").exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["坏.zip", "损坏.zip", "空.pdf"]


def test_names_a_slug_cannot_carry_are_skipped(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    page = (REAL / "pingtan_jtj_2023.html").read_text(encoding="utf-8").replace("平潭综合实验区交通与建设局", "🙂🙂")
    (folder / "page.html").write_text(page, encoding="utf-8")
    data = tmp_path / "data"
    assert main(["import", str(folder), "--data", str(data)]) == 1
    assert "无法生成编号" in capsys.readouterr().out and not data.exists()


@pytest.mark.parametrize("name, level, parent", [
    ("沭阳县住房和城乡建设局", "county_department", "沭阳县人民政府"),
    ("沭阳县城市管理局", "county_department", "沭阳县人民政府"),
    ("某县城关镇人民政府", "township", "某县人民政府"),
    ("上海市人民政府办公厅", "province_department", "上海市人民政府"),
    ("江苏省人民政府", "province_government", ""),
    ("平潭综合实验区金井片区管理局", "zone", "平潭综合实验区"),
    ("国务院办公厅", "", ""),
])
def test_levels_and_parents_from_names(name, level, parent):
    parsed = agency_names.parse(name)
    assert (parsed.level, parsed.parent_name) == (level, parent)
    assert registry.valid_agency_id(agency_names.slug(name))


def test_import_refuses_the_bundled_sample(capsys):
    from xxgk.config import DATA_DIR

    assert main(["import", str(REAL / "shuyang_drc_2023.html"), "--data", str(DATA_DIR), "--dry-run"]) == 2


@pytest.mark.slow
def test_run_all_on_an_imported_folder_reviews_every_report(tmp_path):
    downloads = build_downloads(tmp_path, {"归档/page.htm": REAL / "shuyang_drc_2023.html",
                                           "平潭综合实验区交通与建设局2023年报.html": REAL / "pingtan_jtj_2023.html",
                                           "平潭2022.txt": REAL / "pingtan_2022_page.txt"}, {})
    data, out = tmp_path / "data", tmp_path / "out"
    assert main(["import", str(downloads), "--data", str(data)]) == 0
    done = subprocess.run([sys.executable, "-m", "xxgk.cli", "run", "--year", "all", "--data", str(data),
                           "--out", str(out), "--jobs", "1", "--pdf"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for s in rows(data / "sources.csv"):
        page = out / s["year"] / f"{s['agency_id']}.html"
        assert page.is_file(), s
        assert s["original_name"] in page.read_text(encoding="utf-8")  # 来源: the name it was downloaded under
        # the review printed by Chromium: Chinese text a PDF reader can extract, numbered pages
        with pdfplumber.open(page.with_suffix(".pdf")) as pdf:
            texts = [unicodedata.normalize("NFKC", p.extract_text() or "") for p in pdf.pages]
        assert "年度报告审查" in re.sub(r"\s", "", texts[0]) and "合规得分" in texts[0]
        for n, text in enumerate(texts, start=1):  # 页 comes out as a radical form NFKC leaves alone
            assert re.search(rf"第 {n} \S,共 {len(texts)} \S\s*$", text), text[-40:]

"""Shared fixtures: the real corpus is read from ../shared/corpus, never copied here."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xxgk.config import CORPUS_DIR, DATA_DIR, ROOT

REAL = CORPUS_DIR / "real"
SEED = CORPUS_DIR / "seed_county_commerce_bureau_2021.txt"

# Cells the hand-reader placed with the help of the prose, where the table alone does not decide: a
# 3-column 表二 row printed with 2 numbers and no identity between its columns. The reader says uncertain.
DECIDED_BY_PROSE = {("kiro_shanghai_gov_office_2025_source.md", "二", row, col)
                    for row in ("规章", "行政规范性文件") for col in ("本年制发件数", "现行有效件数")}


@pytest.fixture(scope="session")
def expected() -> dict:
    """Values read off each real file by hand (the oracle)."""
    return json.loads((REAL / "expected.json").read_text(encoding="utf-8"))


def data_subset(tmp: Path, agencies, years=None, reports=None) -> Path:
    """A data folder under tmp with the sample's registry rows of `agencies` and the report files of
    `reports` (default: the same agencies) for `years` (default: every year)."""
    root = tmp / "data"
    with open(DATA_DIR / "agencies.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["agency_id"] in agencies]
    root.mkdir()
    with open(root / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for year_dir in sorted((DATA_DIR / "reports").iterdir()):
        if years is not None and year_dir.name not in {str(y) for y in years}:
            continue
        for f in year_dir.iterdir():
            if f.stem in (agencies if reports is None else reports):
                (root / "reports" / year_dir.name).mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, root / "reports" / year_dir.name / f.name)
    return root


# The end-to-end run the slow tests share: the seed (2019 layout), a department that published late and a
# township, with reports for every year, plus a registered agency without a report whose name is markup.
RUN_YEAR = 2021
RUN_AGENCIES = ("qh-commerce", "qh-education", "qh-hefeng")
HOSTILE_NAME = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>示例局'


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory) -> tuple[Path, Path]:
    """(data, out) of one `xxgk run --year 2021 --jobs 2` on a copy of the sample (README and publications.csv
    included, so pages carry the fictional-data notice and timeliness its dates). Tests that only read its
    pages share it; a test that changes data or pages works on copy_run(sample_run, tmp_path)."""
    tmp = tmp_path_factory.mktemp("sample-run")
    data = data_subset(tmp, RUN_AGENCIES)
    for name in ("README.md", "publications.csv"):
        shutil.copy(DATA_DIR / name, data / name)
    with open(data / "agencies.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(data / "agencies.csv", "a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, list(rows[0])).writerow({**rows[0], "agency_id": "qh-ghost", "name": HOSTILE_NAME})
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "run", "--data", str(data), "--out", str(tmp / "out"),
                           "--year", str(RUN_YEAR), "--jobs", "2"], capture_output=True, text=True, cwd=ROOT,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return data, tmp / "out"


def copy_run(run: tuple[Path, Path], tmp: Path) -> tuple[Path, Path]:
    """A private copy of a run's data and output folders, for a test that changes them."""
    data, out = run
    return shutil.copytree(data, tmp / "data", symlinks=True), shutil.copytree(out, tmp / "out", symlinks=True)

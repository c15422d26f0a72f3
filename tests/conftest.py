"""Shared fixtures: the real corpus is read from ../shared/corpus, never copied here."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from xxgk.config import CORPUS_DIR, DATA_DIR

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

"""Shared fixtures: the real corpus is read from ../shared/corpus, never copied here."""

from __future__ import annotations

import json

import pytest

from xxgk.config import CORPUS_DIR

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

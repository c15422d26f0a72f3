"""Shared fixtures: the real corpus is read from ../shared/corpus, never copied here."""

from __future__ import annotations

import json

import pytest

from xxgk.config import CORPUS_DIR

REAL = CORPUS_DIR / "real"
SEED = CORPUS_DIR / "seed_county_commerce_bureau_2021.txt"


@pytest.fixture(scope="session")
def expected() -> dict:
    """Values read off each real file by hand (the oracle)."""
    return json.loads((REAL / "expected.json").read_text(encoding="utf-8"))

"""The suite fails loudly: a broken import of the package is a failure, never a skipped test."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent


def test_no_importorskip_of_the_package():
    offenders = [f"{p.name}:{n}" for p in sorted(HERE.glob("*.py")) if p.name != Path(__file__).name
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"importorskip\(\s*(?:f?[\"']xxgk|READERS|[a-z_]+\[)", line)]
    assert not offenders, f"importorskip would turn a broken xxgk import into skips: {offenders}"
